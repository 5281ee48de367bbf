//! Requests whose payload cannot be read: a body of ciphertext, or a parameter whose
//! base64 or hex decodes to high-entropy bytes. Many SDKs encrypt or obfuscate their
//! own payloads inside plain HTTP or decrypted TLS; finding no personal data in such a
//! request says nothing about what it carries, so the audit counts these per party
//! instead of letting "nothing found" read as "nothing sent".
//!
//! A parameter (query, form or JSON value) counts when its base64 or hex decodes to at
//! least 48 bytes that are neither text nor compressed text: the scanner reads nothing
//! of those, whether they are ciphertext (high entropy), an XOR-obfuscated blob or a
//! binary encoding. A body counts when it is binary and as random as ciphertext: the
//! scanner does read the text runs of structured binary (protobuf strings), so those
//! bodies are not called unreadable. Signatures, tokens and other credentials are
//! random too but are not payloads, so values under such keys are not counted, and
//! short values (≤ 47 decoded bytes: hashes, HMACs, nonces, ids) never are.

use crate::codec;
use crate::exchange::Exchange;

use super::decode;

/// Decoded bytes below this are ids, hashes or signatures, not a payload.
const MIN_PAYLOAD: usize = 48;
/// Entropy, as a share of the most `len` bytes can have, above which bytes are taken
/// for ciphertext or compressed data. Uniform random bytes reach 0.95 and more at every
/// length from 48 bytes; text and protobuf stay well below.
const ENTROPY_SHARE: f64 = 0.9;
/// Bounds on the walk of one request.
const MAX_VALUES: usize = 2_000;
const MAX_DEPTH: u8 = 8;
const MAX_BODY_SCAN: usize = 1 << 20;
const MAX_DECOMPRESSED: usize = 1 << 20;
const MAX_RATIO: usize = 100;

/// Words in a field name that mark a credential or integrity value rather than data.
const CREDENTIAL_WORDS: [&str; 14] = [
    "sign", "token", "auth", "session", "ticket", "secret", "nonce", "cert", "hmac", "digest",
    "checksum", "captcha", "cookie", "password",
];

/// Where in a request the unreadable payload is, and what it looks like.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable {
    /// `body`, `query.data`, `body.json.payload`, `body.form.d`, …
    pub field: String,
    /// `ciphertext body`, `base64 ciphertext`, `hex ciphertext`, `base64 binary`,
    /// `hex binary` (not random enough for ciphertext: obfuscated or an unknown binary
    /// encoding, unread all the same).
    pub kind: &'static str,
    /// Size of the opaque bytes.
    pub bytes: usize,
}

/// The first unreadable payload in `x`, if any.
pub fn unreadable(x: &Exchange) -> Option<Unreadable> {
    let mut budget = MAX_VALUES;
    if let Some((_, query)) = x.uri.split_once('?')
        && let Some(pairs) = decode::form_pairs(query)
        && let Some(found) = in_pairs("query", &pairs, &mut budget)
    {
        return Some(found);
    }
    let body = x.body.get(..MAX_BODY_SCAN).unwrap_or(&x.body);
    if body.is_empty() || is_media(x.header("content-type")) {
        return None;
    }
    if !decode::is_texty(body) {
        return (unread_binary(body) == Some(true)).then(|| Unreadable {
            field: "body".into(),
            kind: "ciphertext body",
            bytes: body.len(),
        });
    }
    let text = String::from_utf8_lossy(body);
    let trimmed = text.trim();
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        if let Ok(v) = serde_json::from_str::<serde_json::Value>(trimmed) {
            return in_json("body.json", &v, 0, &mut budget);
        }
    } else if let Some(pairs) = decode::form_pairs(trimmed)
        && pairs.len() > 1
    {
        return in_pairs("body.form", &pairs, &mut budget);
    }
    // A body that is one encoded blob (`base64(encrypt(json))`), or a single pair.
    if let Some(pairs) = decode::form_pairs(trimmed)
        && let [(k, v)] = pairs.as_slice()
        && !credential(k)
        && let Some(kind) = opaque_text(v)
    {
        return Some(Unreadable {
            field: format!("body.form.{k}"),
            kind,
            bytes: v.len(),
        });
    }
    opaque_text(trimmed).map(|kind| Unreadable {
        field: "body".into(),
        kind,
        bytes: trimmed.len(),
    })
}

fn in_pairs(prefix: &str, pairs: &[(String, String)], budget: &mut usize) -> Option<Unreadable> {
    for (k, v) in pairs {
        if *budget == 0 {
            return None;
        }
        *budget -= 1;
        if credential(k) {
            continue;
        }
        if let Some(kind) = opaque_text(v) {
            return Some(Unreadable {
                field: format!("{prefix}.{k}"),
                kind,
                bytes: v.len(),
            });
        }
    }
    None
}

fn in_json(path: &str, v: &serde_json::Value, depth: u8, budget: &mut usize) -> Option<Unreadable> {
    if depth > MAX_DEPTH || *budget == 0 {
        return None;
    }
    *budget -= 1;
    match v {
        serde_json::Value::String(s) => opaque_text(s).map(|kind| Unreadable {
            field: path.to_string(),
            kind,
            bytes: s.len(),
        }),
        serde_json::Value::Object(map) => map.iter().find_map(|(k, v)| {
            if credential(k) {
                return None;
            }
            in_json(&format!("{path}.{k}"), v, depth + 1, budget)
        }),
        serde_json::Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, v)| in_json(&format!("{path}[{i}]"), v, depth + 1, budget)),
        _ => None,
    }
}

/// A text value that is base64 or hex of bytes the scanner cannot read.
fn opaque_text(s: &str) -> Option<&'static str> {
    let s = s.trim();
    // Base64 of MIN_PAYLOAD bytes is 64 characters; hex is 96.
    if s.len() < 64 {
        return None;
    }
    if let Some(bytes) = decode::hex(s) {
        return match unread_binary(&bytes)? {
            true => Some("hex ciphertext"),
            false => Some("hex binary"),
        };
    }
    match unread_binary(&decode::base64(s)?)? {
        true => Some("base64 ciphertext"),
        false => Some("base64 binary"),
    }
}

/// For at least MIN_PAYLOAD bytes that are neither text nor a compressed stream of
/// text: whether they are as random as ciphertext. `None` for readable bytes.
fn unread_binary(bytes: &[u8]) -> Option<bool> {
    if bytes.len() < MIN_PAYLOAD || decode::is_texty(bytes) {
        return None;
    }
    if let Some(kind) = codec::sniff(bytes)
        && let Ok(plain) = codec::decompress(kind, bytes, MAX_DECOMPRESSED, MAX_RATIO)
    {
        // Compressed text is read by the scanner; compressed binary is not.
        if decode::is_texty(&plain) {
            return None;
        }
        return Some(high_entropy(&plain));
    }
    Some(high_entropy(bytes))
}

/// Shannon entropy against the most the sample can show (8 bits per byte, or
/// log2(len) for short samples, where not every byte value can appear).
fn high_entropy(bytes: &[u8]) -> bool {
    if bytes.len() < MIN_PAYLOAD {
        return false;
    }
    let mut counts = [0u32; 256];
    for &b in bytes {
        counts[b as usize] += 1;
    }
    let n = bytes.len() as f64;
    let entropy: f64 = counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = c as f64 / n;
            -p * p.log2()
        })
        .sum();
    let ceiling = n.log2().min(8.0);
    entropy >= ENTROPY_SHARE * ceiling
}

fn credential(key: &str) -> bool {
    let k: String = key
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    CREDENTIAL_WORDS.iter().any(|w| k.contains(w)) || k == "key" || k.ends_with("key")
}

/// Pictures, sound, video and fonts are dense by nature and not SDK payloads.
fn is_media(content_type: Option<&str>) -> bool {
    content_type.is_some_and(|ct| {
        let ct = ct.trim().to_ascii_lowercase();
        ["image/", "audio/", "video/", "font/"]
            .iter()
            .any(|p| ct.starts_with(p))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    use base64::Engine as _;

    use crate::time::Timestamp;

    /// Deterministic bytes as random as ciphertext (xorshift), so the test needs no
    /// randomness source.
    fn random_bytes(n: usize, mut seed: u64) -> Vec<u8> {
        (0..n)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                (seed >> 24) as u8
            })
            .collect()
    }

    fn request(uri: &str, content_type: Option<&str>, body: &[u8]) -> Exchange {
        Exchange {
            file: Arc::from("t.pcap"),
            frame: 1,
            last_frame: 1,
            ts: Timestamp(0),
            src: None,
            dst: None,
            transport: crate::exchange::Transport::Http,
            scheme: Some("http"),
            method: "POST".into(),
            uri: uri.into(),
            version: "HTTP/1.1".into(),
            headers: content_type
                .map(|c| vec![("Content-Type".to_string(), c.to_string())])
                .unwrap_or_default(),
            body: body.to_vec(),
            body_encoding: Vec::new(),
            body_wire_len: body.len() as u64,
            body_truncated: false,
            status: Some(200),
            response_content_type: None,
            app: None,
            partial: false,
        }
    }

    fn b64(bytes: &[u8]) -> String {
        base64::engine::general_purpose::STANDARD.encode(bytes)
    }

    #[test]
    fn ciphertext_bodies_and_parameters_are_unreadable() {
        let cipher = random_bytes(300, 7);
        let body = request("/up", Some("application/octet-stream"), &cipher);
        assert_eq!(unreadable(&body).unwrap().kind, "ciphertext body");
        let param = request(&format!("/t?v=1&data={}", b64(&cipher)), None, b"");
        let found = unreadable(&param).unwrap();
        assert_eq!(
            (found.field.as_str(), found.kind),
            ("query.data", "base64 ciphertext")
        );
        let json = format!(r#"{{"h":{{"app":"x"}},"payload":"{}"}}"#, b64(&cipher));
        let found = unreadable(&request("/j", Some("application/json"), json.as_bytes())).unwrap();
        assert_eq!(found.field, "body.json.payload");
        let hex: String = cipher.iter().map(|b| format!("{b:02x}")).collect();
        let found = unreadable(&request("/h", None, format!("d={hex}&c=1").as_bytes())).unwrap();
        assert_eq!(
            (found.field.as_str(), found.kind),
            ("body.form.d", "hex ciphertext")
        );
        let blob = unreadable(&request("/b", Some("text/plain"), b64(&cipher).as_bytes())).unwrap();
        assert_eq!(blob.field, "body");
        // A tracking parameter obfuscated with a repeating XOR key: not random, but
        // nothing of it is readable either.
        let json =
            br#"{"imei":"861234567890127","model":"Pixel 8","lat":"39.9042","lng":"116.4074"}"#;
        let xored: Vec<u8> = json
            .iter()
            .enumerate()
            .map(|(i, b)| b ^ [0x9c, 0x3e, 0xd1][i % 3])
            .collect();
        let found = unreadable(&request(&format!("/t?p={}", b64(&xored)), None, b"")).unwrap();
        assert_eq!(
            (found.field.as_str(), found.kind),
            ("query.p", "base64 binary")
        );
    }

    #[test]
    fn readable_and_credential_values_are_not_counted() {
        let readable = br#"{"imei":"861234567890127","model":"Pixel 8","os":"14"}"#;
        assert!(unreadable(&request("/j", Some("application/json"), readable)).is_none());
        // Base64 of text is readable (the scanner decodes it).
        let text = "model=Pixel+8&imei=861234567890127&brand=google&os=android14&x=1";
        assert!(
            unreadable(&request(
                &format!("/q?d={}", b64(text.as_bytes())),
                None,
                b""
            ))
            .is_none()
        );
        // Signatures and tokens are random by design, hashes are short.
        let sig = b64(&random_bytes(256, 3));
        assert!(
            unreadable(&request(
                &format!("/s?sign={sig}&access_token={sig}"),
                None,
                b""
            ))
            .is_none()
        );
        let md5 = "5d41402abc4b2a76b9719d911017c592";
        assert!(unreadable(&request(&format!("/m?d={md5}"), None, b"")).is_none());
        // Pictures are dense but not SDK payloads; so is a small binary frame.
        assert!(unreadable(&request("/img", Some("image/jpeg"), &random_bytes(4000, 5))).is_none());
        assert!(unreadable(&request("/tiny", None, &random_bytes(20, 5))).is_none());
        // Structured binary (a protobuf-like record of small tags and text) is not random.
        let mut proto = Vec::new();
        for i in 0..40u8 {
            proto.extend_from_slice(&[0x0a, 6]);
            proto.extend_from_slice(format!("field{}", i % 10).as_bytes());
            proto.push(0x10);
            proto.push(i);
        }
        assert!(unreadable(&request("/pb", Some("application/x-protobuf"), &proto)).is_none());
    }

    #[test]
    fn gzip_of_text_is_readable_gzip_of_ciphertext_is_not() {
        use std::io::Write;
        let gz = |data: &[u8]| {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            e.write_all(data).unwrap();
            e.finish().unwrap()
        };
        let text = br#"{"events":[{"name":"open","ts":1}],"device":{"model":"Pixel 8"}}"#.repeat(4);
        assert!(unreadable(&request("/g", None, &gz(&text))).is_none());
        assert!(unreadable(&request("/g", None, &gz(&random_bytes(500, 9)))).is_some());
    }
}
