//! QPACK (RFC 9204), the header compression of HTTP/3: the static table, field line
//! representations with Huffman-coded literals, and a dynamic table fed by the peer's
//! encoder stream (Set Capacity, Insert with name reference, Insert with literal name,
//! Duplicate). Decoding only — this tool never answers, so it never acknowledges.
//! A header block that needs an insertion not received yet is reported as blocked
//! so the caller can retry it after more encoder-stream bytes.

use std::collections::VecDeque;

/// RFC 9204 Appendix A, index order.
pub const STATIC_TABLE: [(&str, &str); 99] = [
    (":authority", ""),
    (":path", "/"),
    ("age", "0"),
    ("content-disposition", ""),
    ("content-length", "0"),
    ("cookie", ""),
    ("date", ""),
    ("etag", ""),
    ("if-modified-since", ""),
    ("if-none-match", ""),
    ("last-modified", ""),
    ("link", ""),
    ("location", ""),
    ("referer", ""),
    ("set-cookie", ""),
    (":method", "CONNECT"),
    (":method", "DELETE"),
    (":method", "GET"),
    (":method", "HEAD"),
    (":method", "OPTIONS"),
    (":method", "POST"),
    (":method", "PUT"),
    (":scheme", "http"),
    (":scheme", "https"),
    (":status", "103"),
    (":status", "200"),
    (":status", "304"),
    (":status", "404"),
    (":status", "503"),
    ("accept", "*/*"),
    ("accept", "application/dns-message"),
    ("accept-encoding", "gzip, deflate, br"),
    ("accept-ranges", "bytes"),
    ("access-control-allow-headers", "cache-control"),
    ("access-control-allow-headers", "content-type"),
    ("access-control-allow-origin", "*"),
    ("cache-control", "max-age=0"),
    ("cache-control", "max-age=2592000"),
    ("cache-control", "max-age=604800"),
    ("cache-control", "no-cache"),
    ("cache-control", "no-store"),
    ("cache-control", "public, max-age=31536000"),
    ("content-encoding", "br"),
    ("content-encoding", "gzip"),
    ("content-type", "application/dns-message"),
    ("content-type", "application/javascript"),
    ("content-type", "application/json"),
    ("content-type", "application/x-www-form-urlencoded"),
    ("content-type", "image/gif"),
    ("content-type", "image/jpeg"),
    ("content-type", "image/png"),
    ("content-type", "text/css"),
    ("content-type", "text/html; charset=utf-8"),
    ("content-type", "text/plain"),
    ("content-type", "text/plain;charset=utf-8"),
    ("range", "bytes=0-"),
    ("strict-transport-security", "max-age=31536000"),
    (
        "strict-transport-security",
        "max-age=31536000; includesubdomains",
    ),
    (
        "strict-transport-security",
        "max-age=31536000; includesubdomains; preload",
    ),
    ("vary", "accept-encoding"),
    ("vary", "origin"),
    ("x-content-type-options", "nosniff"),
    ("x-xss-protection", "1; mode=block"),
    (":status", "100"),
    (":status", "204"),
    (":status", "206"),
    (":status", "302"),
    (":status", "400"),
    (":status", "403"),
    (":status", "421"),
    (":status", "425"),
    (":status", "500"),
    ("accept-language", ""),
    ("access-control-allow-credentials", "FALSE"),
    ("access-control-allow-credentials", "TRUE"),
    ("access-control-allow-headers", "*"),
    ("access-control-allow-methods", "get"),
    ("access-control-allow-methods", "get, post, options"),
    ("access-control-allow-methods", "options"),
    ("access-control-expose-headers", "content-length"),
    ("access-control-request-headers", "content-type"),
    ("access-control-request-method", "get"),
    ("access-control-request-method", "post"),
    ("alt-svc", "clear"),
    ("authorization", ""),
    (
        "content-security-policy",
        "script-src 'none'; object-src 'none'; base-uri 'none'",
    ),
    ("early-data", "1"),
    ("expect-ct", ""),
    ("forwarded", ""),
    ("if-range", ""),
    ("origin", ""),
    ("purpose", "prefetch"),
    ("server", ""),
    ("timing-allow-origin", "*"),
    ("upgrade-insecure-requests", "1"),
    ("user-agent", ""),
    ("x-forwarded-for", ""),
    ("x-frame-options", "deny"),
    ("x-frame-options", "sameorigin"),
];

/// Why a header block or encoder instruction could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QpackError {
    #[error("truncated QPACK data")]
    Truncated,
    #[error("QPACK integer too large")]
    Overflow,
    #[error("bad Huffman code in a QPACK string literal")]
    Huffman,
    #[error("QPACK reference to static entry {0}, which does not exist")]
    BadStatic(u64),
    #[error("QPACK reference to dynamic entry {0}, which is not (or no longer) in the table")]
    BadDynamic(u64),
    #[error("QPACK header block needs {needed} dynamic table insertions, {have} received")]
    Blocked { needed: u64, have: u64 },
    #[error("QPACK Required Insert Count cannot be decoded")]
    BadInsertCount,
    #[error("QPACK dynamic table capacity {0} is above the limit")]
    Capacity(u64),
}

/// Reads a prefixed integer (RFC 7541 §5.1) whose prefix is the low `bits` of the
/// first byte; returns the value and the bytes used.
fn integer(data: &[u8], bits: u8) -> Result<(u64, usize), QpackError> {
    let first = *data.first().ok_or(QpackError::Truncated)?;
    let max = (1u64 << bits) - 1;
    let mut value = u64::from(first) & max;
    if value < max {
        return Ok((value, 1));
    }
    let mut shift = 0u32;
    for (i, b) in data.iter().enumerate().skip(1) {
        if shift > 56 {
            return Err(QpackError::Overflow);
        }
        value = value
            .checked_add(u64::from(b & 0x7f) << shift)
            .ok_or(QpackError::Overflow)?;
        if b & 0x80 == 0 {
            return Ok((value, i + 1));
        }
        shift += 7;
    }
    Err(QpackError::Truncated)
}

/// Reads a string literal whose Huffman flag is `huffman_bit` of the first byte and
/// whose length is a `bits`-prefix integer. Strings are bounded by `max`.
fn string(
    data: &[u8],
    huffman_bit: u8,
    bits: u8,
    max: usize,
) -> Result<(Vec<u8>, usize), QpackError> {
    let huffman = data.first().ok_or(QpackError::Truncated)? & huffman_bit != 0;
    let (len, used) = integer(data, bits)?;
    let len = usize::try_from(len).map_err(|_| QpackError::Overflow)?;
    if len > max {
        return Err(QpackError::Overflow);
    }
    let raw = data.get(used..used + len).ok_or(QpackError::Truncated)?;
    let value = if huffman {
        loona_hpack::huffman::HuffmanDecoder::new()
            .decode(raw)
            .map_err(|_| QpackError::Huffman)?
    } else {
        raw.to_vec()
    };
    Ok((value, used + len))
}

fn static_entry(index: u64) -> Result<(Vec<u8>, Vec<u8>), QpackError> {
    let (n, v) = usize::try_from(index)
        .ok()
        .and_then(|i| STATIC_TABLE.get(i))
        .ok_or(QpackError::BadStatic(index))?;
    Ok((n.as_bytes().to_vec(), v.as_bytes().to_vec()))
}

/// The decoder side of one QPACK encoder/decoder pair: the dynamic table built from
/// the peer's encoder stream and the header blocks it compresses.
#[derive(Debug)]
pub struct Decoder {
    /// Entries still in the table, oldest first; `dropped` were evicted before them.
    entries: VecDeque<(Vec<u8>, Vec<u8>)>,
    dropped: u64,
    size: usize,
    capacity: usize,
    /// SETTINGS_QPACK_MAX_TABLE_CAPACITY the decoder announced (needed to decode the
    /// Required Insert Count), if seen; else our own bound stands in.
    max_capacity: Option<u64>,
    /// The most this tool keeps, whatever the peers agreed.
    limit: usize,
    /// Encoder stream bytes that do not yet form a whole instruction.
    pending: Vec<u8>,
}

/// Size of an entry as RFC 9204 §3.2.1 counts it.
fn entry_size(name: &[u8], value: &[u8]) -> usize {
    name.len() + value.len() + 32
}

impl Decoder {
    pub fn new(limit: usize) -> Decoder {
        Decoder {
            entries: VecDeque::new(),
            dropped: 0,
            size: 0,
            capacity: 0,
            max_capacity: None,
            limit,
            pending: Vec::new(),
        }
    }

    /// Insertions received so far (the table's Insert Count).
    pub fn insert_count(&self) -> u64 {
        self.dropped + self.entries.len() as u64
    }

    /// The decoder's SETTINGS_QPACK_MAX_TABLE_CAPACITY, from its control stream.
    pub fn set_max_capacity(&mut self, value: u64) {
        self.max_capacity = Some(value);
    }

    fn evict_to(&mut self, capacity: usize) {
        while self.size > capacity {
            let Some((n, v)) = self.entries.pop_front() else {
                break;
            };
            self.size -= entry_size(&n, &v);
            self.dropped += 1;
        }
    }

    fn insert(&mut self, name: Vec<u8>, value: Vec<u8>) {
        let size = entry_size(&name, &value);
        if size > self.capacity {
            // An entry larger than the table empties it (RFC 9204 §3.2.2 forbids it;
            // counting it keeps later indices in step anyway).
            self.evict_to(0);
            self.dropped += 1;
            return;
        }
        self.evict_to(self.capacity - size);
        self.size += size;
        self.entries.push_back((name, value));
    }

    fn dynamic(&self, absolute: u64) -> Result<(Vec<u8>, Vec<u8>), QpackError> {
        absolute
            .checked_sub(self.dropped)
            .and_then(|i| usize::try_from(i).ok())
            .and_then(|i| self.entries.get(i))
            .cloned()
            .ok_or(QpackError::BadDynamic(absolute))
    }

    /// Feeds encoder stream bytes (after the stream type). Instructions cut by a
    /// packet boundary wait for the rest.
    pub fn on_encoder_stream(&mut self, data: &[u8]) -> Result<(), QpackError> {
        if self.pending.len() + data.len() > self.limit.saturating_add(1024) {
            self.pending.clear();
            return Err(QpackError::Capacity(self.limit as u64));
        }
        self.pending.extend_from_slice(data);
        let buf = std::mem::take(&mut self.pending);
        let mut pos = 0;
        let result = loop {
            let Some(rest) = buf.get(pos..).filter(|r| !r.is_empty()) else {
                break Ok(());
            };
            match self.instruction(rest) {
                Ok(used) => pos += used,
                Err(QpackError::Truncated) => break Ok(()),
                Err(e) => break Err(e),
            }
        };
        match result {
            Ok(()) => {
                self.pending = buf.get(pos..).unwrap_or(&[]).to_vec();
                Ok(())
            }
            // The table is out of step with the encoder's; nothing later can be trusted.
            Err(e) => Err(e),
        }
    }

    /// One encoder instruction (RFC 9204 §4.3); returns the bytes used.
    fn instruction(&mut self, data: &[u8]) -> Result<usize, QpackError> {
        let first = data[0];
        let max = self.limit;
        if first & 0x80 != 0 {
            // Insert with Name Reference: 1 T index(6), value.
            let (index, used) = integer(data, 6)?;
            let (name, _) = if first & 0x40 != 0 {
                static_entry(index)?
            } else {
                let absolute = self
                    .insert_count()
                    .checked_sub(index + 1)
                    .ok_or(QpackError::BadDynamic(index))?;
                self.dynamic(absolute)?
            };
            let (value, vused) = string(data.get(used..).unwrap_or(&[]), 0x80, 7, max)?;
            self.insert(name, value);
            Ok(used + vused)
        } else if first & 0x40 != 0 {
            // Insert with Literal Name: 01 H len(5) name, value.
            let (name, used) = string(data, 0x20, 5, max)?;
            let (value, vused) = string(data.get(used..).unwrap_or(&[]), 0x80, 7, max)?;
            self.insert(name, value);
            Ok(used + vused)
        } else if first & 0x20 != 0 {
            // Set Dynamic Table Capacity.
            let (capacity, used) = integer(data, 5)?;
            if capacity > self.limit as u64 {
                return Err(QpackError::Capacity(capacity));
            }
            self.capacity = capacity as usize;
            self.evict_to(self.capacity);
            Ok(used)
        } else {
            // Duplicate: 000 index(5).
            let (index, used) = integer(data, 5)?;
            let absolute = self
                .insert_count()
                .checked_sub(index + 1)
                .ok_or(QpackError::BadDynamic(index))?;
            let (name, value) = self.dynamic(absolute)?;
            self.insert(name, value);
            Ok(used)
        }
    }

    /// Required Insert Count from its encoded form (RFC 9204 §4.5.1.1).
    fn required_insert_count(&self, encoded: u64) -> Result<u64, QpackError> {
        if encoded == 0 {
            return Ok(0);
        }
        let max_capacity = self.max_capacity.unwrap_or(self.limit as u64);
        let max_entries = max_capacity / 32;
        let full_range = max_entries.checked_mul(2).ok_or(QpackError::Overflow)?;
        if encoded > full_range {
            return Err(QpackError::BadInsertCount);
        }
        let max_value = self.insert_count() + max_entries;
        let max_wrapped = (max_value / full_range) * full_range;
        let mut ric = max_wrapped + encoded - 1;
        if ric > max_value {
            if ric <= full_range {
                return Err(QpackError::BadInsertCount);
            }
            ric -= full_range;
        }
        if ric == 0 {
            return Err(QpackError::BadInsertCount);
        }
        Ok(ric)
    }

    /// Decodes one encoded field section (the payload of an HTTP/3 HEADERS frame).
    /// At most `max_fields` lines are kept. `Blocked` means the encoder stream has not
    /// delivered the insertions this block refers to yet.
    pub fn decode(
        &self,
        block: &[u8],
        max_fields: usize,
    ) -> Result<Vec<(String, String)>, QpackError> {
        let (encoded, used) = integer(block, 8)?;
        let ric = self.required_insert_count(encoded)?;
        if ric > self.insert_count() {
            return Err(QpackError::Blocked {
                needed: ric,
                have: self.insert_count(),
            });
        }
        let rest = block.get(used..).ok_or(QpackError::Truncated)?;
        let sign = rest.first().ok_or(QpackError::Truncated)? & 0x80 != 0;
        let (delta, dused) = integer(rest, 7)?;
        let base = if sign {
            ric.checked_sub(delta + 1)
                .ok_or(QpackError::BadInsertCount)?
        } else {
            ric.checked_add(delta).ok_or(QpackError::Overflow)?
        };
        let mut pos = used + dused;
        let max = self.limit.max(64 << 10);
        let mut out = Vec::new();
        while let Some(data) = block.get(pos..).filter(|d| !d.is_empty()) {
            let first = data[0];
            let (name, value, n) = if first & 0x80 != 0 {
                // Indexed field line: 1 T index(6).
                let (index, n) = integer(data, 6)?;
                let (name, value) = if first & 0x40 != 0 {
                    static_entry(index)?
                } else {
                    let abs = base
                        .checked_sub(index + 1)
                        .ok_or(QpackError::BadDynamic(index))?;
                    self.dynamic(abs)?
                };
                (name, value, n)
            } else if first & 0x40 != 0 {
                // Literal with name reference: 01 N T index(4), value.
                let (index, n) = integer(data, 4)?;
                let (name, _) = if first & 0x10 != 0 {
                    static_entry(index)?
                } else {
                    let abs = base
                        .checked_sub(index + 1)
                        .ok_or(QpackError::BadDynamic(index))?;
                    self.dynamic(abs)?
                };
                let (value, vn) = string(data.get(n..).unwrap_or(&[]), 0x80, 7, max)?;
                (name, value, n + vn)
            } else if first & 0x20 != 0 {
                // Literal with literal name: 001 N H len(3) name, value.
                let (name, n) = string(data, 0x08, 3, max)?;
                let (value, vn) = string(data.get(n..).unwrap_or(&[]), 0x80, 7, max)?;
                (name, value, n + vn)
            } else if first & 0x10 != 0 {
                // Indexed with post-base index: 0001 index(4).
                let (index, n) = integer(data, 4)?;
                let abs = base.checked_add(index).ok_or(QpackError::Overflow)?;
                let (name, value) = self.dynamic(abs)?;
                (name, value, n)
            } else {
                // Literal with post-base name reference: 0000 N index(3), value.
                let (index, n) = integer(data, 3)?;
                let abs = base.checked_add(index).ok_or(QpackError::Overflow)?;
                let (name, _) = self.dynamic(abs)?;
                let (value, vn) = string(data.get(n..).unwrap_or(&[]), 0x80, 7, max)?;
                (name, value, n + vn)
            };
            if out.len() < max_fields {
                out.push((
                    String::from_utf8_lossy(&name).into_owned(),
                    String::from_utf8_lossy(&value).into_owned(),
                ));
            }
            pos += n;
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::wire::unhex;

    fn pairs(v: &[(String, String)]) -> Vec<(&str, &str)> {
        v.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect()
    }

    #[test]
    fn static_table_is_complete() {
        assert_eq!(STATIC_TABLE.len(), 99);
        assert_eq!(STATIC_TABLE[17], (":method", "GET"));
        assert_eq!(STATIC_TABLE[98], ("x-frame-options", "sameorigin"));
    }

    /// RFC 9204 Appendix B, B.1 to B.5, in order on one decoder (the encoder's
    /// SETTINGS_QPACK_MAX_TABLE_CAPACITY is 220 there).
    #[test]
    fn rfc9204_appendix_b_examples() {
        let mut d = Decoder::new(64 << 10);
        d.set_max_capacity(220);
        // B.1: literal field line with static name reference.
        let block = unhex("0000 510b 2f69 6e64 6578 2e68 746d 6c");
        assert_eq!(
            pairs(&d.decode(&block, 100).unwrap()),
            vec![(":path", "/index.html")]
        );
        // B.2: the block arrives before the encoder stream: blocked, then decodable.
        let block = unhex("0381 10 11");
        assert_eq!(
            d.decode(&block, 100),
            Err(QpackError::Blocked { needed: 2, have: 0 })
        );
        d.on_encoder_stream(&unhex(
            "3fbd01 c00f 7777 772e 6578 616d 706c 652e 636f 6d c10c 2f73 616d 706c 652f 7061 7468",
        ))
        .unwrap();
        assert_eq!(d.insert_count(), 2);
        assert_eq!(
            pairs(&d.decode(&block, 100).unwrap()),
            vec![(":authority", "www.example.com"), (":path", "/sample/path")]
        );
        // B.3: insert with literal name, split across two encoder-stream reads.
        let insert = unhex("4a63 7573 746f 6d2d 6b65 790c 6375 7374 6f6d 2d76 616c 7565");
        d.on_encoder_stream(&insert[..5]).unwrap();
        assert_eq!(d.insert_count(), 2);
        d.on_encoder_stream(&insert[5..]).unwrap();
        assert_eq!(d.insert_count(), 3);
        // B.4: duplicate, then a block mixing dynamic and static references.
        d.on_encoder_stream(&unhex("02")).unwrap();
        assert_eq!(d.insert_count(), 4);
        assert_eq!(
            pairs(&d.decode(&unhex("0500 80 c1 81"), 100).unwrap()),
            vec![
                (":authority", "www.example.com"),
                (":path", "/"),
                ("custom-key", "custom-value")
            ]
        );
        // B.5: insert with dynamic name reference evicts the oldest entry.
        d.on_encoder_stream(&unhex("810d 6375 7374 6f6d 2d76 616c 7565 32"))
            .unwrap();
        assert_eq!(d.insert_count(), 5);
        assert_eq!(d.dropped, 1);
        assert_eq!(d.size, 215);
        assert_eq!(
            d.dynamic(4).unwrap(),
            (b"custom-key".to_vec(), b"custom-value2".to_vec())
        );
        assert_eq!(d.dynamic(0), Err(QpackError::BadDynamic(0)));
    }

    #[test]
    fn huffman_literals_decode() {
        // "www.example.com" Huffman-coded (RFC 7541 C.4.1) as a literal with the
        // static name :authority (index 0).
        let mut block = vec![0x00, 0x00, 0x50, 0x8c];
        block.extend(unhex("f1e3 c2e5 f23a 6ba0 ab90 f4ff"));
        let d = Decoder::new(4096);
        assert_eq!(
            pairs(&d.decode(&block, 100).unwrap()),
            vec![(":authority", "www.example.com")]
        );
    }

    #[test]
    fn hostile_blocks_are_errors() {
        let mut d = Decoder::new(4096);
        for len in 0..40 {
            let junk: Vec<u8> = (0..len).map(|i| (i * 73 + 0x91) as u8).collect();
            let _ = d.decode(&junk, 10);
            let _ = d.on_encoder_stream(&junk);
        }
        assert!(
            d.on_encoder_stream(&unhex("3fff ff ff ff ff ff ff ff ff 7f"))
                .is_err()
        );
        assert_eq!(
            Decoder::new(4096).decode(&unhex("00 00 ff 64"), 10),
            Err(QpackError::BadStatic(163))
        );
    }
}
