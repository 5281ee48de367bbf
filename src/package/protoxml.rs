//! The manifest of an Android App Bundle: aapt2's protobuf `XmlNode`
//! (`Resources.proto`), decoded by hand (wire format only, no schema crate)
//! into the same start/end events as the binary XML of an APK.
//!
//! Messages read: `XmlNode {1: element, 2: text}`, `XmlElement {2: namespace,
//! 3: name, 4: attribute, 5: child}`, `XmlAttribute {1: namespace, 2: name,
//! 3: value, 5: resource_id, 6: compiled_item}`, `Item {1: ref, 7: prim}`,
//! `Reference {2: id}` and `Primitive {3: float, 6: int, 7: hex, 8: bool}`.

use super::apk::ManifestBuilder;
use super::axml::Attr;

/// Deepest element nesting followed; real manifests nest five or six deep.
const MAX_DEPTH: usize = 128;
/// Most attributes kept per element.
const MAX_ATTRS: usize = 512;

/// Why a protobuf manifest could not be read at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProtoXmlError {
    #[error("protobuf manifest: {0}")]
    Malformed(String),
}

/// One protobuf field.
enum Value<'a> {
    Varint(u64),
    Fixed(u64),
    Bytes(&'a [u8]),
}

/// The fields of one message, in order; stops with an error on bad framing.
fn fields(mut data: &[u8]) -> impl Iterator<Item = Result<(u64, Value<'_>), String>> {
    std::iter::from_fn(move || {
        if data.is_empty() {
            return None;
        }
        let result = (|| {
            let key = varint(&mut data)?;
            let value = match key & 7 {
                0 => Value::Varint(varint(&mut data)?),
                1 => Value::Fixed(
                    take(&mut data, 8)
                        .map(|b| u64::from_le_bytes(b.try_into().unwrap_or_default()))?,
                ),
                2 => {
                    let len = usize::try_from(varint(&mut data)?)
                        .map_err(|_| "length too large".to_owned())?;
                    Value::Bytes(take(&mut data, len)?)
                }
                5 => Value::Fixed(
                    take(&mut data, 4)
                        .map(|b| u64::from(u32::from_le_bytes(b.try_into().unwrap_or_default())))?,
                ),
                other => return Err(format!("unsupported wire type {other}")),
            };
            Ok((key >> 3, value))
        })();
        if result.is_err() {
            data = &[];
        }
        Some(result)
    })
}

fn varint(data: &mut &[u8]) -> Result<u64, String> {
    let mut value = 0u64;
    for i in 0..10 {
        let (&b, rest) = data
            .split_first()
            .ok_or_else(|| "varint runs past the end".to_owned())?;
        *data = rest;
        value |= u64::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            return Ok(value);
        }
    }
    Err("varint longer than 10 bytes".to_owned())
}

fn take<'a>(data: &mut &'a [u8], len: usize) -> Result<&'a [u8], String> {
    if data.len() < len {
        return Err(format!("field of {len} bytes runs past the end"));
    }
    let (head, rest) = data.split_at(len);
    *data = rest;
    Ok(head)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Walks a protobuf `XmlNode` document, feeding `builder`. Returns the
/// warnings for what was skipped.
pub(crate) fn walk_proto_xml(
    data: &[u8],
    builder: &mut ManifestBuilder,
) -> Result<Vec<String>, ProtoXmlError> {
    let mut warnings = Vec::new();
    let mut element = None;
    for field in fields(data) {
        let (number, value) = field.map_err(ProtoXmlError::Malformed)?;
        if let (1, Value::Bytes(b)) = (number, value) {
            element = Some(b);
        }
    }
    let element = element.ok_or_else(|| ProtoXmlError::Malformed("no root element".into()))?;
    walk_element(element, 0, builder, &mut warnings);
    Ok(warnings)
}

fn walk_element(
    data: &[u8],
    depth: usize,
    builder: &mut ManifestBuilder,
    warnings: &mut Vec<String>,
) {
    let mut name = String::new();
    let mut namespace = String::new();
    let mut attrs: Vec<(Attr, String)> = Vec::new();
    let mut children: Vec<&[u8]> = Vec::new();
    for field in fields(data) {
        let (number, value) = match field {
            Ok(f) => f,
            Err(e) => {
                warnings.push(format!("element <{name}>: {e}; rest skipped"));
                break;
            }
        };
        match (number, value) {
            (2, Value::Bytes(b)) => namespace = text(b),
            (3, Value::Bytes(b)) => name = text(b),
            (4, Value::Bytes(b)) if attrs.len() < MAX_ATTRS => {
                if let Some(attr) = attribute(b, warnings) {
                    attrs.push(attr);
                }
            }
            (5, Value::Bytes(b)) => children.push(b),
            _ => {}
        }
    }
    // Elements in a namespace (tools:…) are not manifest tags.
    let tag = if namespace.is_empty() {
        name
    } else {
        String::new()
    };
    builder.start(&tag, &|which| {
        attrs
            .iter()
            .find(|(a, _)| *a == which)
            .map(|(_, v)| v.clone())
    });
    if depth >= MAX_DEPTH {
        if !children.is_empty() {
            warnings.push(format!("elements nested over {MAX_DEPTH} deep skipped"));
        }
    } else {
        for child in children {
            // XmlNode: 1 = element, 2 = text.
            for field in fields(child) {
                match field {
                    Ok((1, Value::Bytes(b))) => walk_element(b, depth + 1, builder, warnings),
                    Ok(_) => {}
                    Err(e) => {
                        warnings.push(format!("child node: {e}; skipped"));
                        break;
                    }
                }
            }
        }
    }
    builder.end();
}

/// One attribute as the binary-XML reader formats it: references as `@` and
/// eight hex digits, typed values from the compiled item, else the text.
fn attribute(data: &[u8], warnings: &mut Vec<String>) -> Option<(Attr, String)> {
    let mut name = String::new();
    let mut value = String::new();
    let mut resource_id = 0u64;
    let mut compiled: Option<String> = None;
    for field in fields(data) {
        let (number, v) = match field {
            Ok(f) => f,
            Err(e) => {
                warnings.push(format!("attribute {name}: {e}"));
                return None;
            }
        };
        match (number, v) {
            (2, Value::Bytes(b)) => name = text(b),
            (3, Value::Bytes(b)) => value = text(b),
            (5, Value::Varint(id)) => resource_id = id,
            (6, Value::Bytes(b)) => compiled = compiled_item(b),
            _ => {}
        }
    }
    let which = match u32::try_from(resource_id).ok().filter(|&id| id != 0) {
        Some(id) => Attr::from_resource_id(id),
        None => Attr::from_name(&name),
    }?;
    Some((which, compiled.unwrap_or(value)))
}

fn compiled_item(data: &[u8]) -> Option<String> {
    for field in fields(data) {
        match field.ok()? {
            (1, Value::Bytes(reference)) => {
                for f in fields(reference) {
                    if let Ok((2, Value::Varint(id))) = f {
                        return Some(format!("@{:08x}", id as u32));
                    }
                }
            }
            (7, Value::Bytes(prim)) => {
                for f in fields(prim) {
                    return Some(match f.ok()? {
                        (3, Value::Fixed(bits)) => f32::from_bits(bits as u32).to_string(),
                        (6, Value::Varint(v)) => (v as i32).to_string(),
                        (7, Value::Varint(v)) => format!("0x{:08x}", v as u32),
                        (8, Value::Varint(v)) => (v != 0).to_string(),
                        _ => continue,
                    });
                }
            }
            _ => {}
        }
    }
    None
}
