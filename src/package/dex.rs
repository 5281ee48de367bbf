//! Names of the classes defined in a DEX file (`classes*.dex` inside an APK).
//!
//! Only the header, `string_ids`, `type_ids` and `class_defs` are read: that is
//! enough to find which SDKs an app bundles. Every offset and count comes from
//! the file, so each one is checked against the file length before use; a
//! table that does not fit in the file is an error, and a single bad class
//! entry is skipped and counted.

/// Size of the fixed DEX header.
const HEADER_LEN: usize = 0x70;
const ENDIAN_CONSTANT: u32 = 0x1234_5678;
const STRING_ID_LEN: u64 = 4;
const TYPE_ID_LEN: u64 = 4;
const CLASS_DEF_LEN: u64 = 32;
/// Longest class descriptor accepted, in bytes; the JVM caps names at 64 KiB.
const MAX_DESCRIPTOR_LEN: usize = 64 * 1024;

/// Why a DEX file could not be read at all.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DexError {
    #[error("file is {0} bytes, shorter than a DEX header")]
    TooShort(usize),
    #[error("bad DEX magic {0:02x?}")]
    BadMagic([u8; 8]),
    #[error("unsupported endian tag {0:#010x} (only little-endian DEX is read)")]
    Endian(u32),
    #[error("{table} table ({count} items at offset {offset:#x}) does not fit in {len} bytes")]
    TableOutOfBounds {
        table: &'static str,
        count: u32,
        offset: u32,
        len: usize,
    },
}

/// Classes defined by one DEX file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DexClasses {
    /// The three version digits from the magic, such as `035`.
    pub version: String,
    /// Dotted Java names (`Lcom/a/B;` becomes `com.a.B`), in `class_defs` order.
    pub classes: Vec<String>,
    /// `class_defs` entries skipped because a reference in them was out of range.
    pub skipped: usize,
}

/// Reads the names of all classes defined in `bytes`.
pub fn parse_classes(bytes: &[u8]) -> Result<DexClasses, DexError> {
    if bytes.len() < HEADER_LEN {
        return Err(DexError::TooShort(bytes.len()));
    }
    let mut magic = [0u8; 8];
    if let Some(m) = bytes.get(..8) {
        magic.copy_from_slice(m);
    }
    // "dex\n" + three ASCII digits + NUL; every known version is 0xx.
    let version_ok = magic.starts_with(b"dex\n")
        && magic
            .get(4..7)
            .is_some_and(|v| v.iter().all(u8::is_ascii_digit))
        && magic[7] == 0;
    if !version_ok {
        return Err(DexError::BadMagic(magic));
    }
    let version = String::from_utf8_lossy(&magic[4..7]).into_owned();

    let endian = u32_at(bytes, 0x28).unwrap_or(0);
    if endian != ENDIAN_CONSTANT {
        return Err(DexError::Endian(endian));
    }

    let strings = Table::new(bytes, "string_ids", 0x38, STRING_ID_LEN)?;
    let types = Table::new(bytes, "type_ids", 0x40, TYPE_ID_LEN)?;
    let class_defs = Table::new(bytes, "class_defs", 0x60, CLASS_DEF_LEN)?;

    // Table::new proved count * item size fits in the file, so this capacity
    // is bounded by the file length.
    let mut out = DexClasses {
        version,
        classes: Vec::with_capacity(class_defs.count as usize),
        skipped: 0,
    };
    // Distinct classes have distinct descriptors stored in the file, so honest
    // names add up to less than the file length. Crafted class_defs that all
    // point at one long string would otherwise cost count * length in time
    // and memory.
    let mut budget = bytes.len();
    for i in 0..class_defs.count {
        let name = class_defs
            .item_u32(bytes, i)
            .and_then(|type_idx| types.item_u32(bytes, type_idx))
            .and_then(|string_idx| strings.item_u32(bytes, string_idx))
            .and_then(|data_off| string_at(bytes, data_off));
        match name {
            Some(descriptor) if descriptor.len() <= budget => {
                budget -= descriptor.len();
                out.classes.push(descriptor_to_java(&descriptor));
            }
            Some(_) => {
                out.skipped += (class_defs.count - i) as usize;
                break;
            }
            None => out.skipped += 1,
        }
    }
    Ok(out)
}

/// A fixed-size-item table whose extent has been checked against the file.
struct Table {
    count: u32,
    offset: u32,
    item_len: u64,
}

impl Table {
    fn new(
        bytes: &[u8],
        table: &'static str,
        header_at: usize,
        item_len: u64,
    ) -> Result<Table, DexError> {
        let count = u32_at(bytes, header_at).unwrap_or(0);
        let offset = u32_at(bytes, header_at + 4).unwrap_or(0);
        let end = u64::from(count) * item_len + u64::from(offset);
        if count > 0 && end > bytes.len() as u64 {
            return Err(DexError::TableOutOfBounds {
                table,
                count,
                offset,
                len: bytes.len(),
            });
        }
        Ok(Table {
            count,
            offset,
            item_len,
        })
    }

    /// First u32 of item `index`, or `None` when the index is out of range.
    fn item_u32(&self, bytes: &[u8], index: u32) -> Option<u32> {
        if index >= self.count {
            return None;
        }
        let at = u64::from(self.offset) + u64::from(index) * self.item_len;
        u32_at(bytes, usize::try_from(at).ok()?)
    }
}

fn u32_at(bytes: &[u8], at: usize) -> Option<u32> {
    let b = bytes.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes(b.try_into().ok()?))
}

/// Reads the `string_data_item` at `offset`: a ULEB128 length in UTF-16 units
/// (not needed here) followed by NUL-terminated MUTF-8.
fn string_at(bytes: &[u8], offset: u32) -> Option<String> {
    let rest = bytes.get(usize::try_from(offset).ok()?..)?;
    let (_utf16_len, used) = read_uleb128(rest)?;
    let data = rest.get(used..)?;
    let window = data.get(..data.len().min(MAX_DESCRIPTOR_LEN + 1))?;
    let end = match memchr::memchr(0, window) {
        Some(end) => end,
        None if window.len() > MAX_DESCRIPTOR_LEN => return None,
        // A missing terminator at the end of the file: take what is there
        // rather than drop the class.
        None => window.len(),
    };
    Some(decode_mutf8(window.get(..end)?))
}

/// Decodes an unsigned LEB128 value of at most 5 bytes (32 bits), returning it
/// and the number of bytes used.
pub fn read_uleb128(bytes: &[u8]) -> Option<(u32, usize)> {
    let mut value: u32 = 0;
    for (i, &b) in bytes.iter().take(5).enumerate() {
        let part = u32::from(b & 0x7f);
        // The fifth byte may only carry the top 4 bits of a u32.
        if i == 4 && part > 0x0f {
            return None;
        }
        value |= part << (7 * i);
        if b & 0x80 == 0 {
            return Some((value, i + 1));
        }
    }
    None
}

/// Decodes Modified UTF-8 (Java's encoding: NUL as `C0 80`, supplementary
/// characters as two 3-byte surrogates). Malformed input becomes U+FFFD
/// instead of failing, since a class name is still useful with one bad char.
pub fn decode_mutf8(bytes: &[u8]) -> String {
    let mut units: Vec<u16> = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b0) = bytes.get(i) {
        let cont = |k: usize| {
            bytes
                .get(i + k)
                .copied()
                .filter(|b| b & 0xc0 == 0x80)
                .map(|b| u16::from(b & 0x3f))
        };
        if b0 < 0x80 {
            units.push(u16::from(b0));
            i += 1;
        } else if b0 & 0xe0 == 0xc0 {
            match cont(1) {
                Some(c1) => {
                    units.push((u16::from(b0 & 0x1f) << 6) | c1);
                    i += 2;
                }
                None => {
                    units.push(0xfffd);
                    i += 1;
                }
            }
        } else if b0 & 0xf0 == 0xe0 {
            match (cont(1), cont(2)) {
                (Some(c1), Some(c2)) => {
                    units.push((u16::from(b0 & 0x0f) << 12) | (c1 << 6) | c2);
                    i += 3;
                }
                _ => {
                    units.push(0xfffd);
                    i += 1;
                }
            }
        } else {
            units.push(0xfffd);
            i += 1;
        }
    }
    // Lone or misordered surrogates become U+FFFD here.
    String::from_utf16_lossy(&units)
}

/// Turns a type descriptor `Lcom/a/B;` into the Java name `com.a.B`. Anything
/// that is not a class descriptor is returned unchanged.
pub fn descriptor_to_java(descriptor: &str) -> String {
    match descriptor
        .strip_prefix('L')
        .and_then(|d| d.strip_suffix(';'))
    {
        Some(inner) => inner.replace('/', "."),
        None => descriptor.to_owned(),
    }
}

/// The package of a dotted class name cut to its first `segments` parts:
/// `com.a.b.c.D` gives `com.a.b` for 3, `a.B` gives `a`, and a class with no
/// package gives `None`.
pub fn package_prefix(class: &str, segments: usize) -> Option<String> {
    let (package, _class) = class.rsplit_once('.')?;
    Some(
        package
            .split('.')
            .take(segments)
            .collect::<Vec<_>>()
            .join("."),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Builds a minimal DEX with the given class descriptors.
    pub(crate) fn tiny_dex(descriptors: &[&str]) -> Vec<u8> {
        let n = descriptors.len() as u32;
        let string_ids_off = HEADER_LEN as u32;
        let type_ids_off = string_ids_off + 4 * n;
        let class_defs_off = type_ids_off + 4 * n;
        let data_off = class_defs_off + 32 * n;
        let mut out = vec![0u8; data_off as usize];
        out[..8].copy_from_slice(b"dex\n035\0");
        out[0x28..0x2c].copy_from_slice(&ENDIAN_CONSTANT.to_le_bytes());
        for (at, v) in [
            (0x38, n),
            (0x3c, string_ids_off),
            (0x40, n),
            (0x44, type_ids_off),
            (0x60, n),
            (0x64, class_defs_off),
        ] {
            out[at..at + 4].copy_from_slice(&v.to_le_bytes());
        }
        for (i, d) in descriptors.iter().enumerate() {
            let str_off = out.len() as u32;
            out.push(d.len() as u8);
            out.extend_from_slice(d.as_bytes());
            out.push(0);
            let s = string_ids_off as usize + 4 * i;
            out[s..s + 4].copy_from_slice(&str_off.to_le_bytes());
            let t = type_ids_off as usize + 4 * i;
            out[t..t + 4].copy_from_slice(&(i as u32).to_le_bytes());
            let c = class_defs_off as usize + 32 * i;
            out[c..c + 4].copy_from_slice(&(i as u32).to_le_bytes());
        }
        let len = out.len() as u32;
        out[0x20..0x24].copy_from_slice(&len.to_le_bytes());
        out
    }

    #[test]
    fn parses_tiny_dex() {
        let dex = tiny_dex(&["Lcom/a/B;", "LTop;", "Lx/y$Z;"]);
        let parsed = parse_classes(&dex).unwrap();
        assert_eq!(parsed.version, "035");
        assert_eq!(parsed.classes, ["com.a.B", "Top", "x.y$Z"]);
        assert_eq!(parsed.skipped, 0);
    }

    #[test]
    fn every_truncation_and_bit_flip_is_handled() {
        let dex = tiny_dex(&["Lcom/a/B;", "LTop;"]);
        for cut in 0..dex.len() {
            let _ = parse_classes(&dex[..cut]);
        }
        for i in 0..dex.len() {
            for bit in [0x01u8, 0x80, 0xff] {
                let mut d = dex.clone();
                d[i] ^= bit;
                let _ = parse_classes(&d);
            }
        }
    }

    #[test]
    fn huge_counts_are_rejected() {
        let mut dex = tiny_dex(&["LA;"]);
        dex[0x60..0x64].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(matches!(
            parse_classes(&dex),
            Err(DexError::TableOutOfBounds {
                table: "class_defs",
                ..
            })
        ));
    }

    #[test]
    fn mutf8() {
        assert_eq!(decode_mutf8(b"abc"), "abc");
        assert_eq!(decode_mutf8(&[0xc0, 0x80]), "\0");
        assert_eq!(decode_mutf8("é€".as_bytes()), "é€");
        // U+1F600 as a surrogate pair, each half in 3-byte form.
        assert_eq!(
            decode_mutf8(&[0xed, 0xa0, 0xbd, 0xed, 0xb8, 0x80]),
            "\u{1F600}"
        );
        assert_eq!(
            decode_mutf8(&[0xff, b'a', 0xe0, 0x80]),
            "\u{fffd}a\u{fffd}\u{fffd}"
        );
    }

    #[test]
    fn uleb128() {
        assert_eq!(read_uleb128(&[0x00]), Some((0, 1)));
        assert_eq!(read_uleb128(&[0x7f]), Some((127, 1)));
        assert_eq!(read_uleb128(&[0x80, 0x7f]), Some((16256, 2)));
        assert_eq!(
            read_uleb128(&[0xff, 0xff, 0xff, 0xff, 0x0f]),
            Some((u32::MAX, 5))
        );
        assert_eq!(read_uleb128(&[0xff, 0xff, 0xff, 0xff, 0x7f]), None);
        assert_eq!(read_uleb128(&[0x80, 0x80]), None);
    }

    #[test]
    fn prefixes() {
        assert_eq!(package_prefix("com.a.b.c.D", 3).as_deref(), Some("com.a.b"));
        assert_eq!(package_prefix("a.B", 3).as_deref(), Some("a"));
        assert_eq!(package_prefix("Top", 3), None);
        assert_eq!(descriptor_to_java("[I"), "[I");
    }
}
