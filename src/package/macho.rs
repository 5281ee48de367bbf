//! Objective-C class names defined by a Mach-O binary (thin or universal).
//!
//! The names come from the `__objc_classname` section, where the compiler puts
//! the names of the classes (and protocols and categories) the binary itself
//! defines. A name the code only mentions (`NSClassFromString(@"JPUSHService")`)
//! lives in `__cstring` instead, so an SDK's core library that probes for its
//! sibling products is not taken for them.

use std::collections::BTreeSet;

const MH_MAGIC: u32 = 0xfeed_face;
const MH_MAGIC_64: u32 = 0xfeed_facf;
const FAT_MAGIC: u32 = 0xcafe_babe;
const FAT_MAGIC_64: u32 = 0xcafe_babf;
const LC_SEGMENT: u32 = 0x1;
const LC_SEGMENT_64: u32 = 0x19;
/// Most architectures read from a universal binary; real ones carry two or three.
const MAX_ARCHES: u32 = 16;
/// Most load commands walked per image.
const MAX_COMMANDS: u32 = 4096;
/// Longest class name kept.
const MAX_NAME: usize = 1024;

/// Why a file gave no class names.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MachoError {
    #[error("not a Mach-O binary")]
    NotMachO,
    #[error("Mach-O header or load commands run past the end of the file")]
    Truncated,
}

/// Is this the start of a Mach-O file (thin or universal)?
pub fn is_macho(bytes: &[u8]) -> bool {
    let Some(head) = bytes.get(..4) else {
        return false;
    };
    let le = u32::from_le_bytes([head[0], head[1], head[2], head[3]]);
    let be = u32::from_be_bytes([head[0], head[1], head[2], head[3]]);
    matches!(le, MH_MAGIC | MH_MAGIC_64)
        || matches!(be, MH_MAGIC | MH_MAGIC_64 | FAT_MAGIC | FAT_MAGIC_64)
}

/// The class names every architecture of `bytes` defines. Swift classes
/// appear mangled (`_TtC6Module5Klass`); their plain name is added too.
pub fn objc_class_names(bytes: &[u8]) -> Result<BTreeSet<String>, MachoError> {
    let mut out = BTreeSet::new();
    let magic_be = be32(bytes, 0).ok_or(MachoError::NotMachO)?;
    if magic_be == FAT_MAGIC || magic_be == FAT_MAGIC_64 {
        // `cafebabe` is also a Java class file; a universal binary declares few arches.
        let count = be32(bytes, 4).ok_or(MachoError::Truncated)?;
        if count == 0 || count > MAX_ARCHES {
            return Err(MachoError::NotMachO);
        }
        let wide = magic_be == FAT_MAGIC_64;
        let entry_len = if wide { 32 } else { 20 };
        let mut read_any = false;
        for i in 0..count as usize {
            let at = 8 + i * entry_len;
            let (offset, size) = if wide {
                (be64(bytes, at + 8), be64(bytes, at + 16))
            } else {
                (
                    be32(bytes, at + 8).map(u64::from),
                    be32(bytes, at + 12).map(u64::from),
                )
            };
            let (Some(offset), Some(size)) = (offset, size) else {
                return Err(MachoError::Truncated);
            };
            let slice = usize::try_from(offset)
                .ok()
                .zip(usize::try_from(size).ok())
                .and_then(|(o, s)| bytes.get(o..o.checked_add(s)?));
            if let Some(image) = slice
                && thin(image, &mut out).is_ok()
            {
                read_any = true;
            }
        }
        return if read_any {
            Ok(out)
        } else {
            Err(MachoError::Truncated)
        };
    }
    thin(bytes, &mut out)?;
    Ok(out)
}

fn thin(image: &[u8], out: &mut BTreeSet<String>) -> Result<(), MachoError> {
    let magic = le32(image, 0).ok_or(MachoError::NotMachO)?;
    let wide = match magic {
        MH_MAGIC => false,
        MH_MAGIC_64 => true,
        // Big-endian thin images (old PowerPC) carry no Objective-C 2 sections.
        _ => return Err(MachoError::NotMachO),
    };
    let ncmds = le32(image, 16).ok_or(MachoError::Truncated)?;
    let mut at = if wide { 32 } else { 28 };
    for _ in 0..ncmds.min(MAX_COMMANDS) {
        let cmd = le32(image, at).ok_or(MachoError::Truncated)?;
        let size = le32(image, at + 4).ok_or(MachoError::Truncated)? as usize;
        if size < 8 {
            return Err(MachoError::Truncated);
        }
        if cmd == LC_SEGMENT || cmd == LC_SEGMENT_64 {
            let seg_wide = cmd == LC_SEGMENT_64;
            let (nsects_at, first, sect_len) = if seg_wide {
                (at + 64, at + 72, 80)
            } else {
                (at + 48, at + 56, 68)
            };
            let nsects = le32(image, nsects_at).ok_or(MachoError::Truncated)? as usize;
            for s in 0..nsects.min(MAX_COMMANDS as usize) {
                let sect = first + s * sect_len;
                if sect + sect_len > at + size {
                    break;
                }
                let name = image.get(sect..sect + 16).ok_or(MachoError::Truncated)?;
                if !name.starts_with(b"__objc_classname") {
                    continue;
                }
                let (size_v, offset_v) = if seg_wide {
                    (le64(image, sect + 40), le32(image, sect + 48))
                } else {
                    (
                        le32(image, sect + 36).map(u64::from),
                        le32(image, sect + 40),
                    )
                };
                let (Some(sz), Some(off)) = (size_v, offset_v) else {
                    return Err(MachoError::Truncated);
                };
                let data = usize::try_from(sz)
                    .ok()
                    .and_then(|sz| image.get(off as usize..(off as usize).checked_add(sz)?))
                    .ok_or(MachoError::Truncated)?;
                for raw in data.split(|&b| b == 0) {
                    if raw.is_empty() || raw.len() > MAX_NAME {
                        continue;
                    }
                    if let Ok(name) = std::str::from_utf8(raw) {
                        if let Some(plain) = swift_class_name(name) {
                            out.insert(plain);
                        }
                        out.insert(name.to_owned());
                    }
                }
            }
        }
        at = at.checked_add(size).ok_or(MachoError::Truncated)?;
    }
    Ok(())
}

/// `_TtC6Module5Klass` → `Klass` (a class at the top level of a module).
fn swift_class_name(mangled: &str) -> Option<String> {
    let rest = mangled.strip_prefix("_TtC")?;
    let (module_len, rest) = split_len(rest)?;
    let rest = rest.get(module_len..)?;
    let (name_len, rest) = split_len(rest)?;
    (rest.len() == name_len).then(|| rest.to_owned())
}

fn split_len(s: &str) -> Option<(usize, &str)> {
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    Some((s.get(..digits)?.parse().ok()?, s.get(digits..)?))
}

fn le32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(
        b.get(at..at.checked_add(4)?)?.try_into().ok()?,
    ))
}
fn le64(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(
        b.get(at..at.checked_add(8)?)?.try_into().ok()?,
    ))
}
fn be32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(
        b.get(at..at.checked_add(4)?)?.try_into().ok()?,
    ))
}
fn be64(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_be_bytes(
        b.get(at..at.checked_add(8)?)?.try_into().ok()?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swift_names() {
        assert_eq!(
            swift_class_name("_TtC6Module5Klass").as_deref(),
            Some("Klass")
        );
        assert_eq!(swift_class_name("_TtC6Module5Kla"), None);
        assert_eq!(swift_class_name("JPUSHService"), None);
    }

    #[test]
    fn junk_is_refused() {
        assert_eq!(objc_class_names(b"xx"), Err(MachoError::NotMachO));
        assert_eq!(
            objc_class_names(b"\xca\xfe\xba\xbe\x00\x00\x00\x34"),
            Err(MachoError::NotMachO)
        );
        // A 64-bit header claiming one load command that is not there.
        let mut h = vec![0xcf, 0xfa, 0xed, 0xfe];
        h.extend_from_slice(&[0; 12]);
        h.extend_from_slice(&1u32.to_le_bytes());
        h.extend_from_slice(&[0; 12]);
        assert_eq!(objc_class_names(&h), Err(MachoError::Truncated));
    }
}
