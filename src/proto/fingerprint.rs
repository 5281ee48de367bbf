//! Client fingerprints: JA3 (Salesforce; MD5 of the hello's fields in wire order) and
//! JA4 (FoxIO; readable prefix plus truncated SHA-256 of sorted lists).

use md5::Digest as _;

use super::tls::{ClientHello, EXT_ALPN, EXT_SERVER_NAME, is_grease};

fn dash_list<T: ToString>(items: impl Iterator<Item = T>) -> String {
    items.map(|v| v.to_string()).collect::<Vec<_>>().join("-")
}

/// The JA3 string: `version,ciphers,extensions,groups,point_formats`.
pub fn ja3_string(hello: &ClientHello) -> String {
    format!(
        "{},{},{},{},{}",
        hello.legacy_version,
        dash_list(hello.cipher_suites.iter().filter(|c| !is_grease(**c))),
        dash_list(hello.extensions.iter().filter(|e| !is_grease(**e))),
        dash_list(hello.supported_groups.iter().filter(|g| !is_grease(**g))),
        dash_list(hello.ec_point_formats.iter()),
    )
}

/// The JA3 hash (MD5 of [`ja3_string`], lower-case hex).
pub fn ja3(hello: &ClientHello) -> String {
    hex(&md5::Md5::digest(ja3_string(hello).as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn sha256_12(text: &str) -> String {
    let digest = sha2::Sha256::digest(text.as_bytes());
    hex(&digest[..6])
}

fn ja4_version(v: u16) -> &'static str {
    match v {
        0x0304 => "13",
        0x0303 => "12",
        0x0302 => "11",
        0x0301 => "10",
        0x0300 => "s3",
        0x0002 => "s2",
        0xfeff => "d1",
        0xfefd => "d2",
        0xfefc => "d3",
        _ => "00",
    }
}

fn ja4_alpn(first: Option<&[u8]>) -> String {
    let Some(value) = first.filter(|v| !v.is_empty()) else {
        return "00".into();
    };
    let first = value[0];
    let last = value[value.len() - 1];
    if first.is_ascii_alphanumeric() && last.is_ascii_alphanumeric() {
        format!("{}{}", first as char, last as char)
    } else {
        let h = hex(value);
        let mut chars = h.chars();
        let a = chars.next().unwrap_or('0');
        let b = h.chars().last().unwrap_or('0');
        format!("{a}{b}")
    }
}

/// Transport the hello travelled over, the first letter of JA4.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ja4Transport {
    Tcp,
    Quic,
}

/// The JA4 fingerprint, e.g. `t13d1516h2_8daaf6152771_e5627efa2ab1`.
pub fn ja4(hello: &ClientHello, transport: Ja4Transport) -> String {
    let proto = match transport {
        Ja4Transport::Tcp => 't',
        Ja4Transport::Quic => 'q',
    };
    let ciphers: Vec<u16> = hello
        .cipher_suites
        .iter()
        .copied()
        .filter(|c| !is_grease(*c))
        .collect();
    let extensions: Vec<u16> = hello
        .extensions
        .iter()
        .copied()
        .filter(|e| !is_grease(*e))
        .collect();
    let sni = if hello.extensions.contains(&EXT_SERVER_NAME) {
        'd'
    } else {
        'i'
    };
    let prefix = format!(
        "{proto}{}{sni}{:02}{:02}{}",
        ja4_version(hello.max_version()),
        ciphers.len().min(99),
        extensions.len().min(99),
        ja4_alpn(hello.alpn_first_raw.as_deref()),
    );
    let mut sorted_ciphers: Vec<String> = ciphers.iter().map(|c| format!("{c:04x}")).collect();
    sorted_ciphers.sort();
    let cipher_hash = if sorted_ciphers.is_empty() {
        "000000000000".to_string()
    } else {
        sha256_12(&sorted_ciphers.join(","))
    };
    let mut sorted_exts: Vec<String> = extensions
        .iter()
        .filter(|e| **e != EXT_SERVER_NAME && **e != EXT_ALPN)
        .map(|e| format!("{e:04x}"))
        .collect();
    sorted_exts.sort();
    let sigalgs: Vec<String> = hello
        .signature_algorithms
        .iter()
        .filter(|s| !is_grease(**s))
        .map(|s| format!("{s:04x}"))
        .collect();
    let ext_hash = if sorted_exts.is_empty() {
        "000000000000".to_string()
    } else if sigalgs.is_empty() {
        sha256_12(&sorted_exts.join(","))
    } else {
        sha256_12(&format!("{}_{}", sorted_exts.join(","), sigalgs.join(",")))
    };
    format!("{prefix}_{cipher_hash}_{ext_hash}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::tls::{parse_client_hello, tests::client_hello_record};

    #[test]
    fn ja3_drops_grease_and_keeps_order() {
        let rec = client_hello_record("x.example", &["h2"]);
        let hello = parse_client_hello(&rec[9..]).unwrap();
        assert_eq!(
            ja3_string(&hello),
            "771,4865-49199,0-16-43-10-11-13,29-23,0"
        );
        assert_eq!(ja3(&hello).len(), 32);
    }

    #[test]
    fn ja4_prefix_counts_and_alpn() {
        let rec = client_hello_record("x.example", &["h2"]);
        let hello = parse_client_hello(&rec[9..]).unwrap();
        let fp = ja4(&hello, Ja4Transport::Tcp);
        assert!(fp.starts_with("t13d0206h2_"), "{fp}");
        assert_eq!(fp.len(), "t13d0206h2_".len() + 12 + 1 + 12);
    }

    #[test]
    fn ja4_alpn_non_alphanumeric_uses_hex() {
        assert_eq!(ja4_alpn(Some(b"h2")), "h2");
        assert_eq!(ja4_alpn(Some(b"http/1.1")), "h1");
        assert_eq!(ja4_alpn(Some(&[0xab, 0xcd])), "ad");
        assert_eq!(ja4_alpn(None), "00");
    }
}
