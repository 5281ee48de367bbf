//! Bounded decompression of HTTP bodies and of blobs found inside them: gzip, zlib,
//! raw deflate and brotli. Output size and expansion ratio are capped so that a
//! decompression bomb costs a warning, not the machine.

use std::io::Read;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    Gzip,
    /// `Content-Encoding: deflate`: zlib by the RFC, raw deflate from some servers.
    Deflate,
    Brotli,
}

impl Compression {
    pub fn from_content_encoding(token: &str) -> Option<Compression> {
        match token.trim().to_ascii_lowercase().as_str() {
            "gzip" | "x-gzip" => Some(Compression::Gzip),
            "deflate" => Some(Compression::Deflate),
            "br" => Some(Compression::Brotli),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Compression::Gzip => "gzip",
            Compression::Deflate => "deflate",
            Compression::Brotli => "br",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("corrupt {0} data")]
    Corrupt(&'static str),
    #[error("{codec} output exceeds the decompressed-size limit of {limit} bytes")]
    TooLarge { codec: &'static str, limit: usize },
    #[error("{codec} expands more than {ratio}x (a decompression bomb?)")]
    Ratio { codec: &'static str, ratio: usize },
}

/// Reads at most `limit` bytes from `reader`, reporting whether more were available.
fn read_bounded(mut reader: impl Read, limit: usize) -> Result<(Vec<u8>, bool), ()> {
    let mut out = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    loop {
        let n = match reader.read(&mut chunk) {
            Ok(n) => n,
            // A cut-off stream still yields the bytes it decoded so far.
            Err(_) if !out.is_empty() => return Ok((out, false)),
            Err(_) => return Err(()),
        };
        if n == 0 {
            return Ok((out, false));
        }
        if out.len() + n > limit {
            let room = limit - out.len();
            out.extend_from_slice(&chunk[..room]);
            return Ok((out, true));
        }
        out.extend_from_slice(&chunk[..n]);
    }
}

/// Decompresses `data`, refusing output beyond `max_out` bytes or `max_ratio` times the
/// input size (whichever is smaller). A truncated stream yields what it held.
pub fn decompress(
    kind: Compression,
    data: &[u8],
    max_out: usize,
    max_ratio: usize,
) -> Result<Vec<u8>, DecodeError> {
    let ratio_cap = data.len().saturating_mul(max_ratio).max(64 * 1024);
    let limit = max_out.min(ratio_cap);
    let result = match kind {
        Compression::Gzip => read_bounded(flate2::read::MultiGzDecoder::new(data), limit),
        Compression::Deflate => match read_bounded(flate2::read::ZlibDecoder::new(data), limit) {
            Ok(r) => Ok(r),
            Err(()) => read_bounded(flate2::read::DeflateDecoder::new(data), limit),
        },
        Compression::Brotli => {
            read_bounded(brotli_decompressor::Decompressor::new(data, 4096), limit)
        }
    };
    match result {
        Ok((out, false)) => Ok(out),
        Ok((_, true)) if limit == max_out => Err(DecodeError::TooLarge {
            codec: kind.name(),
            limit: max_out,
        }),
        Ok((_, true)) => Err(DecodeError::Ratio {
            codec: kind.name(),
            ratio: max_ratio,
        }),
        Err(()) => Err(DecodeError::Corrupt(kind.name())),
    }
}

/// Sniffs a compressed blob by its magic bytes (gzip `1f 8b`, zlib `78 xx`).
pub fn sniff(data: &[u8]) -> Option<Compression> {
    match data {
        [0x1f, 0x8b, 0x08, ..] => Some(Compression::Gzip),
        [0x78, b, ..] if (0x7800u16 | *b as u16).is_multiple_of(31) => Some(Compression::Deflate),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn gzip_round_trip() {
        let z = gzip(b"imei=861234567890123");
        assert_eq!(sniff(&z), Some(Compression::Gzip));
        assert_eq!(
            decompress(Compression::Gzip, &z, 1 << 20, 100).unwrap(),
            b"imei=861234567890123"
        );
    }

    #[test]
    fn bombs_are_refused() {
        let z = gzip(&vec![0u8; 50 << 20]);
        let err = decompress(Compression::Gzip, &z, 8 << 20, 1000).unwrap_err();
        assert!(matches!(err, DecodeError::TooLarge { .. }), "{err:?}");
        let err = decompress(Compression::Gzip, &z, 1 << 30, 10).unwrap_err();
        assert!(matches!(err, DecodeError::Ratio { .. }), "{err:?}");
    }

    #[test]
    fn raw_deflate_is_accepted_for_content_encoding_deflate() {
        let mut e = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(b"hello").unwrap();
        let raw = e.finish().unwrap();
        assert_eq!(
            decompress(Compression::Deflate, &raw, 1024, 100).unwrap(),
            b"hello"
        );
    }

    #[test]
    fn garbage_is_corrupt_not_a_panic() {
        assert!(decompress(Compression::Brotli, b"\xff\xff\xff", 1024, 10).is_err());
        assert!(decompress(Compression::Gzip, b"\x1f\x8b\x08garbage", 1024, 10).is_err());
    }
}
