//! Android's binary resource formats, read in place: the binary XML of
//! `AndroidManifest.xml` (AXML) and single-value lookups in `resources.arsc`.
//!
//! Nothing here builds a tree or decodes more than it is asked for. Parsers
//! that materialise the whole document can be made to explode by crafted
//! files: thousands of attributes all pointing at one long string, nesting
//! deep enough to overflow a recursive drop, or many table offsets pointing at
//! one complex entry. Here the XML is walked chunk by chunk with an explicit
//! element stack, every string handed out is charged to a byte budget, the
//! number of attribute records visited is bounded by the file size, and
//! resource references are followed with a hop limit.
//!
//! Where the layout is ambiguous, Android's own `ResXMLTree`/`ResXMLParser`
//! decides: nodes are walked by their declared size, chunks of unknown type
//! are skipped, string pools and resource maps only count before the first
//! XML node, and a node Android would reject as a bad document ends the walk
//! (with a warning, keeping what was read so far).

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

/// Most bytes of strings one document may hand out, counting every use.
/// Real manifests use well under 1 MiB, names repeated for every element
/// included.
const MAX_STRING_BYTES: usize = 16 * 1024 * 1024;
/// Most reference hops followed when resolving a table value: real chains
/// are one or two hops, and crafted tables contain cycles.
const MAX_REFERENCE_HOPS: usize = 16;

const RES_STRING_POOL_TYPE: u16 = 0x0001;
const RES_TABLE_TYPE: u16 = 0x0002;
const RES_XML_TYPE: u16 = 0x0003;
const RES_XML_FIRST_NODE: u16 = 0x0100;
const RES_XML_START_ELEMENT: u16 = 0x0102;
const RES_XML_END_ELEMENT: u16 = 0x0103;
const RES_XML_LAST_NODE: u16 = 0x017f;
const RES_XML_RESOURCE_MAP: u16 = 0x0180;
const RES_TABLE_PACKAGE_TYPE: u16 = 0x0200;
const RES_TABLE_TYPE_TYPE: u16 = 0x0201;

const UTF8_FLAG: u32 = 0x100;
const ATTRIBUTE_LEN: usize = 20;

const TYPE_NULL: u8 = 0x00;
const TYPE_REFERENCE: u8 = 0x01;
const TYPE_ATTRIBUTE: u8 = 0x02;
const TYPE_STRING: u8 = 0x03;
const TYPE_FLOAT: u8 = 0x04;
const TYPE_DYNAMIC_REFERENCE: u8 = 0x07;
const TYPE_INT_DEC: u8 = 0x10;
const TYPE_INT_HEX: u8 = 0x11;
const TYPE_INT_BOOLEAN: u8 = 0x12;
const TYPE_FIRST_COLOR: u8 = 0x1c;
const TYPE_LAST_COLOR: u8 = 0x1f;

/// Why a binary document could not be read at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AxmlError {
    #[error("{0} bytes is too short for a binary XML header")]
    TooShort(usize),
    #[error("no string pool before the first XML node")]
    NoStringPool,
    #[error("no XML element in the document")]
    NoElements,
    #[error("not a resource table (chunk type {0:#06x})")]
    NotATable(u16),
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    let s = b.get(at..at.checked_add(2)?)?;
    Some(u16::from_le_bytes([*s.first()?, *s.get(1)?]))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    let s = b.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes(s.try_into().ok()?))
}

/// One `ResChunk_header`-framed chunk whose declared sizes fit the data.
#[derive(Clone, Copy)]
struct Chunk<'a> {
    ty: u16,
    header_len: usize,
    /// The whole chunk, header included.
    bytes: &'a [u8],
}

impl<'a> Chunk<'a> {
    fn at(data: &'a [u8], at: usize) -> Option<Chunk<'a>> {
        let ty = u16_at(data, at)?;
        let header_len = usize::from(u16_at(data, at.checked_add(2)?)?);
        let size = usize::try_from(u32_at(data, at.checked_add(4)?)?).ok()?;
        if header_len < 8 || size < header_len {
            return None;
        }
        let bytes = data.get(at..at.checked_add(size)?)?;
        Some(Chunk {
            ty,
            header_len,
            bytes,
        })
    }

    fn body(&self) -> &'a [u8] {
        self.bytes.get(self.header_len..).unwrap_or_default()
    }

    /// Child chunks from `start` (relative to this chunk) to its end, stopping
    /// at the first one whose sizes do not fit.
    fn children(&self, start: usize) -> impl Iterator<Item = Chunk<'a>> {
        let bytes = self.bytes;
        let mut pos = Some(start);
        std::iter::from_fn(move || {
            let at = pos?;
            let chunk = Chunk::at(bytes, at);
            pos = chunk.and_then(|c| at.checked_add(c.bytes.len()));
            chunk
        })
    }
}

/// A `ResStringPool` whose strings are decoded on demand.
pub(crate) struct StringPool<'a> {
    offsets: &'a [u8],
    count: usize,
    strings: &'a [u8],
    utf8: bool,
    cache: RefCell<HashMap<u32, Option<Rc<str>>>>,
    budget: Cell<usize>,
    exhausted: Cell<bool>,
}

impl<'a> StringPool<'a> {
    fn parse(chunk: Chunk<'a>, warnings: &mut Vec<String>) -> Option<StringPool<'a>> {
        let b = chunk.bytes;
        let declared = usize::try_from(u32_at(b, 8)?).ok()?;
        let flags = u32_at(b, 16)?;
        let strings_start = usize::try_from(u32_at(b, 20)?).ok()?;
        if chunk.header_len < 28 {
            return None;
        }
        let room = b.len().saturating_sub(chunk.header_len) / 4;
        let count = declared.min(room);
        if count < declared {
            warnings.push(format!(
                "string pool declares {declared} strings but has room for {count} offsets"
            ));
        }
        Some(StringPool {
            offsets: b.get(chunk.header_len..chunk.header_len + count * 4)?,
            count,
            strings: b.get(strings_start..).unwrap_or_default(),
            utf8: flags & UTF8_FLAG != 0,
            cache: RefCell::new(HashMap::new()),
            budget: Cell::new(MAX_STRING_BYTES),
            exhausted: Cell::new(false),
        })
    }

    /// String `idx`, charged to the budget on every call (so repeated uses of
    /// one long string cannot multiply into gigabytes of output).
    pub(crate) fn get(&self, idx: u32) -> Option<Rc<str>> {
        let cached = self.cache.borrow().get(&idx).cloned();
        let s = match cached {
            Some(s) => s?,
            None => {
                let decoded = self.decode(idx).map(Rc::<str>::from);
                if self.exhausted.get() {
                    return None;
                }
                self.cache.borrow_mut().insert(idx, decoded.clone());
                decoded?
            }
        };
        self.charge(s.len())?;
        Some(s)
    }

    fn charge(&self, len: usize) -> Option<()> {
        match self.budget.get().checked_sub(len) {
            Some(rest) => {
                self.budget.set(rest);
                Some(())
            }
            None => {
                self.exhausted.set(true);
                None
            }
        }
    }

    /// Whether a string was refused because the budget ran out.
    pub(crate) fn exhausted(&self) -> bool {
        self.exhausted.get()
    }

    fn decode(&self, idx: u32) -> Option<String> {
        let idx = usize::try_from(idx).ok()?;
        if idx >= self.count {
            return None;
        }
        let offset = usize::try_from(u32_at(self.offsets, idx.checked_mul(4)?)?).ok()?;
        let s = self.strings.get(offset..)?;
        if self.utf8 {
            // UTF-16 length first (unused), then the UTF-8 byte length, each
            // one byte, or two with the high bit set.
            let (_, a) = utf8_len(s)?;
            let (len, b) = utf8_len(s.get(a..)?)?;
            let start = a.checked_add(b)?;
            // Check the budget before allocating: the length is only a claim.
            if len > self.budget.get() {
                self.exhausted.set(true);
                return None;
            }
            let bytes = s.get(start..start.checked_add(len)?)?;
            Some(String::from_utf8_lossy(bytes).into_owned())
        } else {
            let (units, used) = utf16_len(s)?;
            if units > self.budget.get() {
                self.exhausted.set(true);
                return None;
            }
            let bytes = s.get(used..used.checked_add(units.checked_mul(2)?)?)?;
            let units: Vec<u16> = bytes
                .as_chunks::<2>()
                .0
                .iter()
                .map(|c| u16::from_le_bytes(*c))
                .collect();
            Some(String::from_utf16_lossy(&units))
        }
    }
}

fn utf8_len(s: &[u8]) -> Option<(usize, usize)> {
    let first = *s.first()?;
    if first & 0x80 == 0 {
        return Some((usize::from(first), 1));
    }
    let second = *s.get(1)?;
    Some(((usize::from(first & 0x7f) << 8) | usize::from(second), 2))
}

fn utf16_len(s: &[u8]) -> Option<(usize, usize)> {
    let first = u16_at(s, 0)?;
    if first & 0x8000 == 0 {
        return Some((usize::from(first), 2));
    }
    let second = u16_at(s, 2)?;
    Some(((usize::from(first & 0x7fff) << 16) | usize::from(second), 4))
}

/// The manifest attributes this crate reads, recognised by their framework
/// resource id (as Android does) or, without one, by name (as androguard does).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Attr {
    Label,
    Name,
    Enabled,
    Value,
    Resource,
    MinSdkVersion,
    VersionCode,
    VersionName,
    TargetSdkVersion,
    MaxSdkVersion,
    Package,
    Exported,
    Permission,
    Authorities,
    TargetActivity,
    Split,
}

impl Attr {
    pub(crate) fn from_resource_id(id: u32) -> Option<Attr> {
        Some(match id {
            0x0101_0001 => Attr::Label,
            0x0101_0003 => Attr::Name,
            0x0101_000e => Attr::Enabled,
            0x0101_0024 => Attr::Value,
            0x0101_0025 => Attr::Resource,
            0x0101_020c => Attr::MinSdkVersion,
            0x0101_021b => Attr::VersionCode,
            0x0101_021c => Attr::VersionName,
            0x0101_0270 => Attr::TargetSdkVersion,
            0x0101_0271 => Attr::MaxSdkVersion,
            0x0101_0010 => Attr::Exported,
            0x0101_0006 => Attr::Permission,
            0x0101_0018 => Attr::Authorities,
            0x0101_0202 => Attr::TargetActivity,
            _ => return None,
        })
    }

    pub(crate) fn from_name(name: &str) -> Option<Attr> {
        Some(match name {
            "label" => Attr::Label,
            "name" => Attr::Name,
            "enabled" => Attr::Enabled,
            "value" => Attr::Value,
            "resource" => Attr::Resource,
            "minSdkVersion" => Attr::MinSdkVersion,
            "versionCode" => Attr::VersionCode,
            "versionName" => Attr::VersionName,
            "targetSdkVersion" => Attr::TargetSdkVersion,
            "maxSdkVersion" => Attr::MaxSdkVersion,
            "package" => Attr::Package,
            "exported" => Attr::Exported,
            "permission" => Attr::Permission,
            "authorities" => Attr::Authorities,
            "targetActivity" => Attr::TargetActivity,
            "split" => Attr::Split,
            _ => return None,
        })
    }
}

/// A typed value (`Res_value`).
#[derive(Debug, Clone, Copy)]
struct TypedValue {
    ty: u8,
    data: u32,
    /// For attributes: the raw string index, used when a string value's
    /// typed index is unusable.
    raw: Option<u32>,
}

/// Formats a value the way androguard's printer does, except that a
/// reference is always `@` plus eight lowercase hex digits.
fn format_value(v: TypedValue, pool: &StringPool<'_>) -> Option<String> {
    let d = v.data;
    Some(match v.ty {
        TYPE_STRING => match pool.get(d) {
            Some(s) => s.to_string(),
            None => pool.get(v.raw?)?.to_string(),
        },
        TYPE_REFERENCE | TYPE_DYNAMIC_REFERENCE => format!("@{d:08x}"),
        TYPE_ATTRIBUTE => format!("?{d:08x}"),
        TYPE_INT_DEC => (d as i32).to_string(),
        TYPE_INT_HEX => format!("0x{d:08x}"),
        TYPE_INT_BOOLEAN => (d != 0).to_string(),
        TYPE_FLOAT => f32::from_bits(d).to_string(),
        TYPE_FIRST_COLOR..=TYPE_LAST_COLOR => format!("#{d:08x}"),
        TYPE_NULL => String::new(),
        other => format!("<type {other:#04x}> {d:#010x}"),
    })
}

/// A start tag as the walker reports it.
pub(crate) struct StartElement<'p, 'a> {
    pub(crate) name: Rc<str>,
    attrs: Vec<(Attr, TypedValue)>,
    pool: &'p StringPool<'a>,
}

impl StartElement<'_, '_> {
    /// The first attribute of that kind, formatted.
    pub(crate) fn attr(&self, which: Attr) -> Option<String> {
        let (_, value) = self.attrs.iter().find(|(a, _)| *a == which)?;
        format_value(*value, self.pool)
    }
}

/// What the walker reports, in document order.
pub(crate) enum XmlEvent<'e, 'p, 'a> {
    Start(&'e StartElement<'p, 'a>),
    End,
}

/// Walks a binary XML document, calling `on_event` for each start and end
/// tag. Returns the warnings for whatever was skipped or cut short.
pub(crate) fn walk_xml(
    data: &[u8],
    mut on_event: impl FnMut(XmlEvent<'_, '_, '_>),
) -> Result<Vec<String>, AxmlError> {
    let mut warnings = Vec::new();
    if data.len() < 8 {
        return Err(AxmlError::TooShort(data.len()));
    }
    let ty = u16_at(data, 0).unwrap_or_default();
    if ty != RES_XML_TYPE {
        warnings.push(format!("document chunk type is {ty:#06x}, not 0x0003"));
    }
    let header_len = usize::from(u16_at(data, 2).unwrap_or_default()).max(8);
    let declared = u32_at(data, 4)
        .and_then(|s| usize::try_from(s).ok())
        .unwrap_or_default();
    // Android reads only the declared size, but refuses sizes past the data;
    // reading on to the end of the data keeps whatever a liar hid there.
    let end = if (header_len..=data.len()).contains(&declared) {
        declared
    } else {
        warnings.push(format!(
            "document declares {declared} bytes, has {}",
            data.len()
        ));
        data.len()
    };
    let data = data.get(..end).unwrap_or(data);

    let mut pool: Option<StringPool<'_>> = None;
    let mut resource_ids: &[u8] = &[];
    let mut seen_node = false;
    let mut seen_element = false;
    let mut extra_pool_seen = false;
    // Attribute records may overlap (a size of 0 is legal to Android), so
    // their number is bounded by what could fit without overlap.
    let mut attribute_budget = data.len() / ATTRIBUTE_LEN + 1024;
    let mut pos = header_len;

    while pos < data.len() {
        let Some(chunk) = Chunk::at(data, pos) else {
            warnings.push(format!("chunk at {pos:#x} does not fit; stopped there"));
            break;
        };
        let chunk_start = pos;
        pos = pos.saturating_add(chunk.bytes.len());
        match chunk.ty {
            RES_STRING_POOL_TYPE if !seen_node => {
                if pool.is_none() {
                    pool = StringPool::parse(chunk, &mut warnings);
                    if pool.is_none() {
                        warnings.push("unreadable string pool header".to_owned());
                    }
                } else if !extra_pool_seen {
                    extra_pool_seen = true;
                    warnings.push("extra string pools ignored".to_owned());
                }
            }
            RES_XML_RESOURCE_MAP if !seen_node => resource_ids = chunk.body(),
            RES_XML_FIRST_NODE..=RES_XML_LAST_NODE => {
                seen_node = true;
                let Some(pool) = pool.as_ref() else {
                    return Err(AxmlError::NoStringPool);
                };
                // ResXMLTree_node: 8-byte chunk header, line number, comment.
                if chunk.header_len < 16 {
                    warnings.push(format!(
                        "XML node at {:#x} has a {}-byte header; stopped there",
                        chunk_start, chunk.header_len
                    ));
                    break;
                }
                let ext = chunk.body();
                match chunk.ty {
                    RES_XML_START_ELEMENT => {
                        let Some(element) =
                            start_element(ext, pool, resource_ids, &mut attribute_budget)
                        else {
                            if !pool.exhausted() {
                                warnings.push(format!(
                                    "bad start element at {chunk_start:#x}; stopped there"
                                ));
                            }
                            break;
                        };
                        seen_element = true;
                        on_event(XmlEvent::Start(&element));
                    }
                    RES_XML_END_ELEMENT => on_event(XmlEvent::End),
                    _ => {}
                }
                if pool.exhausted() {
                    break;
                }
            }
            _ => {}
        }
    }
    if pool.as_ref().is_some_and(StringPool::exhausted) {
        warnings.push(format!(
            "strings used by the document exceed {MAX_STRING_BYTES} bytes; stopped"
        ));
    }
    if !seen_element {
        return Err(AxmlError::NoElements);
    }
    Ok(warnings)
}

/// Reads a start tag's `ResXMLTree_attrExt` and the attributes this crate uses.
fn start_element<'p, 'a>(
    ext: &[u8],
    pool: &'p StringPool<'a>,
    resource_ids: &[u8],
    attribute_budget: &mut usize,
) -> Option<StartElement<'p, 'a>> {
    let name_idx = u32_at(ext, 4)?;
    let attr_start = usize::from(u16_at(ext, 8)?);
    let attr_size = usize::from(u16_at(ext, 10)?);
    let count = usize::from(u16_at(ext, 12)?);
    // Android's validateNode: the attribute array must fit in the node.
    if attr_start.checked_add(attr_size.checked_mul(count)?)? > ext.len() {
        return None;
    }
    *attribute_budget = attribute_budget.checked_sub(count)?;

    let name = match pool.get(name_idx) {
        Some(name) => name,
        None if pool.exhausted() => return None,
        None => Rc::from(""),
    };
    let mut attrs = Vec::new();
    for i in 0..count {
        let at = attr_start.checked_add(attr_size.checked_mul(i)?)?;
        let Some(record) = ext.get(at..at.checked_add(ATTRIBUTE_LEN)?) else {
            continue;
        };
        let name = u32_at(record, 4)?;
        let which = match usize::try_from(name)
            .ok()
            .and_then(|n| u32_at(resource_ids, n.checked_mul(4)?))
            .filter(|&id| id != 0)
        {
            // A framework id decides, whatever the (maybe obfuscated) string says.
            Some(id) => Attr::from_resource_id(id),
            None => pool.get(name).and_then(|n| Attr::from_name(&n)),
        };
        let Some(which) = which else {
            continue;
        };
        let raw = u32_at(record, 8).filter(|&r| r != u32::MAX);
        let ty = *record.get(15)?;
        let data = u32_at(record, 16)?;
        attrs.push((which, TypedValue { ty, data, raw }));
    }
    Some(StartElement { name, attrs, pool })
}

/// Resolves resource `id` in a `resources.arsc` table: the value in the
/// default configuration, else in the first configuration that has one,
/// following references. `Ok(None)` when there is no such value (or the
/// references loop).
pub(crate) fn resolve_resource(table: &[u8], id: u32) -> Result<Option<String>, AxmlError> {
    let root = Chunk::at(table, 0).ok_or(AxmlError::TooShort(table.len()))?;
    if root.ty != RES_TABLE_TYPE {
        return Err(AxmlError::NotATable(root.ty));
    }
    let mut warnings = Vec::new();
    let mut pool = None;
    let mut packages = Vec::new();
    for chunk in root.children(root.header_len) {
        match chunk.ty {
            RES_STRING_POOL_TYPE if pool.is_none() => {
                pool = StringPool::parse(chunk, &mut warnings);
            }
            RES_TABLE_PACKAGE_TYPE => packages.push(chunk),
            _ => {}
        }
    }
    let Some(pool) = pool else {
        return Err(AxmlError::NoStringPool);
    };

    let mut id = id;
    for _ in 0..MAX_REFERENCE_HOPS {
        let package_id = id >> 24;
        let Some(package) = packages
            .iter()
            .find(|p| u32_at(p.bytes, 8) == Some(package_id))
        else {
            return Ok(None);
        };
        let Some(value) = find_entry(*package, (id >> 16) & 0xff, id & 0xffff) else {
            return Ok(None);
        };
        if matches!(value.ty, TYPE_REFERENCE | TYPE_DYNAMIC_REFERENCE) {
            id = value.data;
            continue;
        }
        return Ok(format_value(value, &pool));
    }
    Ok(None)
}

/// The simple value of entry `entry_id` of type `type_id` in a package chunk.
fn find_entry(package: Chunk<'_>, type_id: u32, entry_id: u32) -> Option<TypedValue> {
    let mut fallback = None;
    for chunk in package.children(package.header_len) {
        if chunk.ty != RES_TABLE_TYPE_TYPE
            || u32::from(*chunk.bytes.get(8)?) != type_id
            || type_id == 0
        {
            continue;
        }
        let Some(value) = type_entry(chunk, entry_id) else {
            continue;
        };
        if config_is_default(chunk) {
            return Some(value);
        }
        fallback = fallback.or(Some(value));
    }
    fallback
}

/// Whether a `ResTable_type` is for the default configuration (every
/// `ResTable_config` field after its size is zero).
fn config_is_default(chunk: Chunk<'_>) -> bool {
    const CONFIG_AT: usize = 20;
    let Some(size) = u32_at(chunk.bytes, CONFIG_AT).and_then(|s| usize::try_from(s).ok()) else {
        return false;
    };
    let end = CONFIG_AT.saturating_add(size).min(chunk.header_len);
    chunk
        .bytes
        .get(CONFIG_AT + 4..end)
        .is_some_and(|fields| fields.iter().all(|&b| b == 0))
}

/// Entry `entry_id` of one `ResTable_type` chunk, if it has a simple value.
fn type_entry(chunk: Chunk<'_>, entry_id: u32) -> Option<TypedValue> {
    const FLAG_SPARSE: u8 = 0x01;
    const FLAG_OFFSET16: u8 = 0x02;
    const ENTRY_FLAG_COMPLEX: u16 = 0x0001;
    const ENTRY_FLAG_COMPACT: u16 = 0x0008;

    let b = chunk.bytes;
    let flags = *b.get(9)?;
    let count = u32_at(b, 12)?;
    let entries_start = usize::try_from(u32_at(b, 16)?).ok()?;
    let index = chunk.header_len;
    let entry = usize::try_from(entry_id).ok()?;

    let offset = if flags & FLAG_SPARSE != 0 {
        // Sorted (id, offset / 4) pairs; a linear scan also copes with
        // unsorted ones and is bounded by the chunk size.
        (0..usize::try_from(count).ok()?)
            .map_while(|i| {
                let at = index.checked_add(i.checked_mul(4)?)?;
                Some((u16_at(b, at)?, u16_at(b, at.checked_add(2)?)?))
            })
            .find(|&(id, _)| usize::from(id) == entry)
            .map(|(_, off)| usize::from(off) * 4)?
    } else if entry_id >= count {
        return None;
    } else if flags & FLAG_OFFSET16 != 0 {
        let off = u16_at(b, index.checked_add(entry.checked_mul(2)?)?)?;
        if off == u16::MAX {
            return None;
        }
        usize::from(off) * 4
    } else {
        let off = u32_at(b, index.checked_add(entry.checked_mul(4)?)?)?;
        if off == u32::MAX {
            return None;
        }
        usize::try_from(off).ok()?
    };

    let at = entries_start.checked_add(offset)?;
    let size = usize::from(u16_at(b, at)?);
    let entry_flags = u16_at(b, at.checked_add(2)?)?;
    if entry_flags & ENTRY_FLAG_COMPACT != 0 {
        return Some(TypedValue {
            ty: (entry_flags >> 8) as u8,
            data: u32_at(b, at.checked_add(4)?)?,
            raw: None,
        });
    }
    if entry_flags & ENTRY_FLAG_COMPLEX != 0 {
        return None;
    }
    let value = at.checked_add(size)?;
    Some(TypedValue {
        ty: *b.get(value.checked_add(3)?)?,
        data: u32_at(b, value.checked_add(4)?)?,
        raw: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_lengths() {
        assert_eq!(utf8_len(&[0x05]), Some((5, 1)));
        assert_eq!(utf8_len(&[0x81, 0x02]), Some((0x102, 2)));
        assert_eq!(utf8_len(&[0x81]), None);
        assert_eq!(utf16_len(&[0x05, 0x00]), Some((5, 2)));
        assert_eq!(utf16_len(&[0x01, 0x80, 0x02, 0x00]), Some((0x1_0002, 4)));
    }

    #[test]
    fn short_and_empty_inputs() {
        assert_eq!(walk_xml(&[], |_| {}), Err(AxmlError::TooShort(0)));
        assert!(walk_xml(&[3, 0, 8, 0, 8, 0, 0, 0], |_| {}).is_err());
        assert!(resolve_resource(&[], 0x7f01_0000).is_err());
        assert!(resolve_resource(&[2, 0, 12, 0, 12, 0, 0, 0, 0, 0, 0, 0], 1).is_err());
    }
}
