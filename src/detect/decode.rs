//! Decoding layers that hide personal data: percent-encoding, base64 (standard,
//! url-safe, unpadded), hex, gzip/zlib/deflate (sniffed), JSON inside strings, and
//! form bodies. Each decoder accepts only output that plausibly carries data (text, or
//! a compressed stream), so random tokens are not "decoded" into noise.

use base64::Engine as _;

use crate::codec::{self, Compression};

/// Decodes `%XX` (and `+` as space when `form` is set). None if nothing changed.
pub fn percent(s: &str, form: bool) -> Option<String> {
    let has_plus = form && s.contains('+');
    if !s.contains('%') && !has_plus {
        return None;
    }
    let replaced;
    let s = if form {
        replaced = s.replace('+', " ");
        replaced.as_str()
    } else {
        s
    };
    let out = percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned();
    (out != s).then_some(out)
}

/// Splits `a=1&b=2` into decoded pairs; None if it does not look like a form.
pub fn form_pairs(s: &str) -> Option<Vec<(String, String)>> {
    let s = s.trim();
    if s.is_empty()
        || !s.contains('=')
        || s.contains('\n')
        || s.starts_with('{')
        || s.starts_with('<')
    {
        return None;
    }
    let mut pairs = Vec::new();
    for part in s.split('&') {
        if part.is_empty() {
            continue;
        }
        let (k, v) = part.split_once('=').unwrap_or((part, ""));
        if k.is_empty() || k.len() > 128 || k.contains(' ') {
            return None;
        }
        let k = percent(k, true).unwrap_or_else(|| k.to_string());
        let v = percent(v, true).unwrap_or_else(|| v.to_string());
        pairs.push((k, v));
    }
    (!pairs.is_empty()).then_some(pairs)
}

/// Is this mostly printable text (so a decoder produced something meaningful)?
pub fn is_texty(bytes: &[u8]) -> bool {
    if bytes.is_empty() {
        return false;
    }
    let Ok(text) = std::str::from_utf8(bytes) else {
        return false;
    };
    let printable = text
        .chars()
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\r' | '\t'))
        .count();
    printable * 100 >= text.chars().count() * 95
}

/// What a decoder produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    pub layer: &'static str,
    pub text: String,
}

/// Tries base64 in its common dialects. Needs at least 8 characters and a mix of
/// letter cases or digits, so plain words and numbers are not mistaken for base64.
pub fn base64(s: &str) -> Option<Vec<u8>> {
    let t = s.trim();
    if t.len() < 8 || t.len() > 16 << 20 {
        return None;
    }
    let std_chars = t
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='));
    let url_chars = t
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'='));
    if !std_chars && !url_chars {
        return None;
    }
    // Plain words and numbers are valid base64 alphabets too: demand a mix.
    let has_upper = t.bytes().any(|b| b.is_ascii_uppercase());
    let has_lower = t.bytes().any(|b| b.is_ascii_lowercase());
    let has_digit_or_sym = t.bytes().any(|b| !b.is_ascii_alphabetic());
    if !(has_upper && has_lower) && !(has_digit_or_sym && (has_upper || has_lower)) {
        return None;
    }
    use base64::engine::general_purpose as gp;
    let unpadded = t.trim_end_matches('=');
    let engines: [&base64::engine::GeneralPurpose; 2] = if std_chars {
        [&gp::STANDARD_NO_PAD, &gp::URL_SAFE_NO_PAD]
    } else {
        [&gp::URL_SAFE_NO_PAD, &gp::STANDARD_NO_PAD]
    };
    engines.iter().find_map(|e| e.decode(unpadded).ok())
}

/// Hex-encoded bytes (even length, at least 16 digits).
pub fn hex(s: &str) -> Option<Vec<u8>> {
    let t = s.trim();
    if t.len() < 16 || !t.len().is_multiple_of(2) || !t.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    (0..t.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&t[i..i + 2], 16).ok())
        .collect()
}

/// Turns decoded bytes into text, undoing sniffed compression; None if the bytes are
/// neither text nor a compressed stream that holds text.
pub fn bytes_to_text(
    bytes: &[u8],
    max_out: usize,
    max_ratio: usize,
) -> Option<(Vec<&'static str>, String)> {
    if let Some(kind) = codec::sniff(bytes) {
        let plain = codec::decompress(kind, bytes, max_out, max_ratio).ok()?;
        if is_texty(&plain) {
            let layer = match kind {
                Compression::Gzip => "gzip",
                Compression::Deflate => "zlib",
                Compression::Brotli => "br",
            };
            return Some((vec![layer], String::from_utf8_lossy(&plain).into_owned()));
        }
        return None;
    }
    if is_texty(bytes) {
        return Some((Vec::new(), String::from_utf8_lossy(bytes).into_owned()));
    }
    None
}

/// All single-step decodings of a string value that yield meaningful text.
pub fn decode_layers(s: &str, max_out: usize, max_ratio: usize) -> Vec<Decoded> {
    let mut out = Vec::new();
    if let Some(p) = percent(s, false) {
        out.push(Decoded {
            layer: "url",
            text: p,
        });
    }
    if let Some(bytes) = base64(s)
        && let Some((layers, text)) = bytes_to_text(&bytes, max_out, max_ratio)
    {
        // "base64" then whatever compression was found inside.
        let layer = match layers.first() {
            Some(&"gzip") => "base64+gzip",
            Some(&"zlib") => "base64+zlib",
            _ => "base64",
        };
        out.push(Decoded { layer, text });
    }
    if let Some(bytes) = hex(s)
        && let Some((layers, text)) = bytes_to_text(&bytes, max_out, max_ratio)
    {
        let layer = match layers.first() {
            Some(&"gzip") => "hex+gzip",
            Some(&"zlib") => "hex+zlib",
            _ => "hex",
        };
        out.push(Decoded { layer, text });
    }
    out
}

/// Splits a compound layer name (`base64+gzip`) into the chain entries.
pub fn layer_names(layer: &'static str) -> impl Iterator<Item = &'static str> {
    layer.split('+')
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn percent_and_forms() {
        assert_eq!(percent("a%20b", false).as_deref(), Some("a b"));
        assert_eq!(percent("plain", false), None);
        let pairs = form_pairs("imei=861234567890123&mac=AC%3A37%3A43").unwrap();
        assert_eq!(pairs[1], ("mac".into(), "AC:37:43".into()));
        assert!(form_pairs("{\"a\":1}").is_none());
    }

    #[test]
    fn base64_of_text_decodes_but_random_bytes_do_not() {
        let enc = base64::engine::general_purpose::STANDARD.encode(b"{\"oaid\":\"abc\"}");
        let d = decode_layers(&enc, 1 << 20, 100);
        assert_eq!(d[0].layer, "base64");
        assert_eq!(d[0].text, "{\"oaid\":\"abc\"}");
        let random = base64::engine::general_purpose::STANDARD.encode([
            0x8f, 0x01, 0xfe, 0x77, 0x00, 0x13, 0x99, 0xaa, 0x10, 0x02, 0xc3, 0x28,
        ]);
        assert!(decode_layers(&random, 1 << 20, 100).is_empty());
        assert!(base64("helloworldhello").is_none());
        assert!(base64("123456789012345").is_none());
    }

    #[test]
    fn base64_of_gzip_is_two_layers() {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(b"imei=861234567890123").unwrap();
        let enc = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(e.finish().unwrap());
        let d = decode_layers(&enc, 1 << 20, 100);
        assert_eq!(d[0].layer, "base64+gzip");
        assert_eq!(d[0].text, "imei=861234567890123");
    }

    #[test]
    fn hex_of_text() {
        let d = decode_layers("696d65693d3836313233", 1 << 20, 100);
        assert_eq!(d[0].text, "imei=86123");
        // An MD5 digest is hex of random bytes: not decoded.
        assert!(decode_layers("5d41402abc4b2a76b9719d911017c592", 1 << 20, 100).is_empty());
    }
}
