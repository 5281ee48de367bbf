//! PCAPdroid's additions to pcapng: a custom block (PEN 62652) mapping Android UIDs to
//! app package names, and per-packet comments `u-<uid>`, so every packet can be
//! attributed to the app that sent it.

use rustc_hash::FxHashMap;

/// PCAPdroid's IANA Private Enterprise Number.
pub const PEN: u32 = 62652;

/// The UID in a packet comment such as `u-10123`.
pub fn uid_from_comment(comment: &str) -> Option<u32> {
    comment
        .split([' ', ',', ';'])
        .find_map(|part| part.trim().strip_prefix("u-"))
        .and_then(|uid| uid.parse().ok())
}

/// Reads one UID → app entry from a PCAPdroid custom block (the bytes after the PEN)
/// into `apps`. PCAPdroid writes one such block before the first packet of each UID:
/// version u16, sub-type u8 (1 = UID map), one unused byte, uid i32, package-name
/// length u8, app-name length u8, then the two names, all little-endian.
pub fn parse_uid_table(data: &[u8], apps: &mut FxHashMap<u32, String>) {
    let Some(head) = data.get(..10) else {
        return;
    };
    let version = u16::from_le_bytes([head[0], head[1]]);
    if version != 1 || head[2] != 1 {
        return;
    }
    let uid = i32::from_le_bytes([head[4], head[5], head[6], head[7]]);
    let package_len = head[8] as usize;
    let Some(package) = data.get(10..10 + package_len) else {
        return;
    };
    // Names are Java modified UTF-8, cut at 63 bytes: decode lossily.
    let package = String::from_utf8_lossy(package).into_owned();
    if uid >= 0 && !package.is_empty() {
        apps.insert(uid as u32, package);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_uid_map_block() {
        let mut data = vec![1, 0, 1, 0xee];
        data.extend_from_slice(&10123i32.to_le_bytes());
        data.push(15);
        data.push(7);
        data.extend_from_slice(b"com.example.app");
        data.extend_from_slice(b"Example");
        data.push(0);
        let mut apps = FxHashMap::default();
        parse_uid_table(&data, &mut apps);
        assert_eq!(
            apps.get(&10123).map(String::as_str),
            Some("com.example.app")
        );
        parse_uid_table(&data[..12], &mut apps);
    }

    #[test]
    fn reads_uid_comments() {
        assert_eq!(uid_from_comment("u-10123"), Some(10123));
        assert_eq!(uid_from_comment("hello"), None);
    }
}
