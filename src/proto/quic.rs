//! QUIC Initial packets (RFC 9000/9001, v2 per RFC 9369, and the drafts phones still
//! send): derive the Initial keys from the client's first Destination Connection ID,
//! remove header protection, decrypt, and collect CRYPTO frames by offset so that a
//! ClientHello spread over several (possibly reordered) Initials is read whole.
//! Google QUIC (Q043/Q046) sends its CHLO in clear; its SNI tag is read directly.

use std::collections::BTreeMap;

use aes::cipher::{BlockCipherEncrypt, KeyInit};
use aes_gcm::aead::{Aead, Payload};
use sha2::Sha256;

use super::tls::{self, ClientHello, HandshakeMessage, ServerHello};
use super::wire::Reader;

pub const VERSION_1: u32 = 0x0000_0001;
pub const VERSION_2: u32 = 0x6b33_43cf;

const SALT_V1: [u8; 20] = hex20("38762cf7f55934b34d179ae6a4c80cadccbb7f0a");
const SALT_V2: [u8; 20] = hex20("0dede3def700a6db819381be6e269dcbf9bd2ed9");
const SALT_DRAFT_29: [u8; 20] = hex20("afbfec289993d24c9e9786f19c6111e04390a899");
const SALT_DRAFT_23: [u8; 20] = hex20("c3eef712c72ebb5a11a7d2432bb46365bef9f502");
const SALT_DRAFT_22: [u8; 20] = hex20("7fbcdb0e7c66bbe9193a96cd21519ebd7a02644a");

const fn hex20(s: &str) -> [u8; 20] {
    let b = s.as_bytes();
    let mut out = [0u8; 20];
    let mut i = 0;
    while i < 20 {
        out[i] = (nibble(b[2 * i]) << 4) | nibble(b[2 * i + 1]);
        i += 1;
    }
    out
}

const fn nibble(c: u8) -> u8 {
    match c {
        b'0'..=b'9' => c - b'0',
        b'a'..=b'f' => c - b'a' + 10,
        _ => 0,
    }
}

/// The Initial salt for a version, and whether it uses the v2 labels.
fn initial_salt(version: u32) -> Option<(&'static [u8; 20], bool)> {
    match version {
        VERSION_1 => Some((&SALT_V1, false)),
        VERSION_2 => Some((&SALT_V2, true)),
        // draft-33 and -34 use the v1 salt.
        0xff00_0021 | 0xff00_0022 => Some((&SALT_V1, false)),
        0xff00_001d..=0xff00_0020 => Some((&SALT_DRAFT_29, false)),
        0xff00_0017..=0xff00_001c => Some((&SALT_DRAFT_23, false)),
        0xff00_0016 => Some((&SALT_DRAFT_22, false)),
        // Facebook mvfst: draft-22 then draft-27 based, later v1 based.
        0xface_b001 => Some((&SALT_DRAFT_22, false)),
        0xface_b002 => Some((&SALT_DRAFT_23, false)),
        0xface_b00e => Some((&SALT_V1, false)),
        _ => None,
    }
}

/// A readable version name: `v1`, `v2`, `draft-29`, `mvfst-27`, …
pub fn version_name(version: u32) -> String {
    match version {
        VERSION_1 => "QUICv1".into(),
        VERSION_2 => "QUICv2".into(),
        v if v >> 8 == 0xff_0000 => format!("QUIC draft-{}", v & 0xff),
        0xface_b001 => "QUIC mvfst-22".into(),
        0xface_b002 => "QUIC mvfst-27".into(),
        0xface_b00e => "QUIC mvfst-exp".into(),
        v => {
            let b = v.to_be_bytes();
            if b[0] == b'Q' && b[1..].iter().all(u8::is_ascii_digit) {
                String::from_utf8_lossy(&b).into_owned()
            } else {
                format!("0x{v:08x}")
            }
        }
    }
}

/// HKDF-Expand-Label (RFC 8446 §7.1) with an empty context.
pub fn hkdf_expand_label(secret: &[u8], label: &str, len: usize) -> Option<Vec<u8>> {
    let full = format!("tls13 {label}");
    let mut info = Vec::with_capacity(4 + full.len());
    info.extend_from_slice(&(len as u16).to_be_bytes());
    info.push(full.len() as u8);
    info.extend_from_slice(full.as_bytes());
    info.push(0);
    let hk = hkdf::Hkdf::<Sha256>::from_prk(secret).ok()?;
    let mut out = vec![0u8; len];
    hk.expand(&info, &mut out).ok()?;
    Some(out)
}

/// Packet protection keys for one direction of the Initial space.
#[derive(Clone)]
pub struct InitialKeys {
    aead: aes_gcm::Aes128Gcm,
    iv: [u8; 12],
    hp: aes::Aes128,
}

impl std::fmt::Debug for InitialKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("InitialKeys")
    }
}

impl InitialKeys {
    pub fn derive(version: u32, dcid: &[u8], client: bool) -> Option<InitialKeys> {
        let (salt, v2) = initial_salt(version)?;
        let (initial, _) = hkdf::Hkdf::<Sha256>::extract(Some(salt), dcid);
        let secret =
            hkdf_expand_label(&initial, if client { "client in" } else { "server in" }, 32)?;
        let prefix = if v2 { "quicv2 " } else { "quic " };
        let key = hkdf_expand_label(&secret, &format!("{prefix}key"), 16)?;
        let iv = hkdf_expand_label(&secret, &format!("{prefix}iv"), 12)?;
        let hp = hkdf_expand_label(&secret, &format!("{prefix}hp"), 16)?;
        Some(InitialKeys {
            aead: aes_gcm::Aes128Gcm::new_from_slice(&key).ok()?,
            iv: iv.try_into().ok()?,
            hp: aes::Aes128::new_from_slice(&hp).ok()?,
        })
    }

    /// Removes header protection and decrypts one long-header packet whose packet
    /// number starts at `pn_offset` and whose protected part is `length` bytes long.
    fn open(&self, packet: &[u8], pn_offset: usize, length: usize) -> Option<Vec<u8>> {
        let sample = packet.get(pn_offset + 4..pn_offset + 20)?;
        let mut block = aes::Block::default();
        block.copy_from_slice(sample);
        self.hp.encrypt_block(&mut block);
        let mask = block;
        let first = packet[0] ^ (mask[0] & 0x0f);
        let pn_len = (first & 0x03) as usize + 1;
        let end = pn_offset.checked_add(length)?;
        if pn_len > length || end > packet.len() {
            return None;
        }
        let mut header = packet.get(..pn_offset + pn_len)?.to_vec();
        header[0] = first;
        let mut pn: u64 = 0;
        for i in 0..pn_len {
            header[pn_offset + i] ^= mask[1 + i];
            pn = (pn << 8) | header[pn_offset + i] as u64;
        }
        let mut nonce = self.iv;
        for (i, b) in pn.to_be_bytes().iter().enumerate() {
            nonce[4 + i] ^= b;
        }
        let ciphertext = &packet[pn_offset + pn_len..end];
        self.aead
            .decrypt(
                &nonce.into(),
                Payload {
                    msg: ciphertext,
                    aad: &header,
                },
            )
            .ok()
    }
}

/// A long-header packet's invariant fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LongHeader<'a> {
    pub version: u32,
    pub dcid: &'a [u8],
    pub scid: &'a [u8],
}

/// Is this UDP payload a QUIC long-header packet (any version)?
pub fn parse_long_header(datagram: &[u8]) -> Option<LongHeader<'_>> {
    let mut r = Reader::new(datagram);
    let first = r.u8()?;
    if first & 0x80 == 0 {
        return None;
    }
    let version = r.u32()?;
    let dcid = r.vec8()?;
    let scid = r.vec8()?;
    if dcid.len() > 20 || scid.len() > 20 {
        return None;
    }
    Some(LongHeader {
        version,
        dcid,
        scid,
    })
}

fn is_initial(first: u8, version: u32) -> bool {
    let packet_type = (first >> 4) & 0x03;
    if version == VERSION_2 {
        packet_type == 0b01
    } else {
        packet_type == 0b00
    }
}

/// Collects CRYPTO frame data by offset and hands out the contiguous prefix.
#[derive(Debug, Default)]
struct CryptoStream {
    pieces: BTreeMap<u64, Vec<u8>>,
    held: usize,
    contiguous: Vec<u8>,
    consumed_messages: usize,
}

const CRYPTO_LIMIT: usize = 64 << 10;

impl CryptoStream {
    fn insert(&mut self, offset: u64, data: &[u8]) {
        if self.held + data.len() > CRYPTO_LIMIT || offset > CRYPTO_LIMIT as u64 {
            return;
        }
        self.held += data.len();
        let keep_longer = |v: &mut Vec<u8>| {
            if data.len() > v.len() {
                *v = data.to_vec();
            }
        };
        self.pieces
            .entry(offset)
            .and_modify(keep_longer)
            .or_insert_with(|| data.to_vec());
        // Every pass removes one piece, so this ends.
        loop {
            let have = self.contiguous.len() as u64;
            let Some(off) = self.pieces.range(..=have).next().map(|(k, _)| *k) else {
                break;
            };
            let piece = self.pieces.remove(&off).unwrap_or_default();
            let end = off + piece.len() as u64;
            if end > have {
                self.contiguous
                    .extend_from_slice(&piece[(have - off) as usize..]);
            }
        }
    }

    /// Complete handshake messages not handed out yet.
    fn take_messages(&mut self) -> Vec<HandshakeMessage> {
        let mut out = Vec::new();
        let mut pos = 0;
        let mut index = 0;
        while let Some(header) = self.contiguous.get(pos..pos + 4) {
            let len = u32::from_be_bytes([0, header[1], header[2], header[3]]) as usize;
            let Some(body) = self.contiguous.get(pos + 4..pos + 4 + len) else {
                break;
            };
            if index >= self.consumed_messages {
                out.push(HandshakeMessage {
                    msg_type: header[0],
                    body: body.to_vec(),
                });
            }
            index += 1;
            pos += 4 + len;
        }
        self.consumed_messages = index;
        out
    }
}

/// One frame of a decrypted QUIC payload, reduced to what this tool reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frame<'a> {
    Crypto {
        offset: u64,
        data: &'a [u8],
    },
    Stream {
        id: u64,
        offset: u64,
        fin: bool,
        data: &'a [u8],
    },
    /// The sender abandoned a stream: its reassembly state can go.
    ResetStream {
        id: u64,
    },
    /// Unreliable datagram (RFC 9221); HTTP/3 uses it only for extensions.
    Datagram(&'a [u8]),
    /// Any other frame, parsed only to find where the next one starts.
    Other(u64),
}

/// Walks every frame of a decrypted payload (RFC 9000 §19, RFC 9221 DATAGRAM). The
/// bool is false when an unknown or truncated frame stopped the walk: frames have no
/// common length field, so nothing after it can be found.
pub fn parse_frames(payload: &[u8]) -> (Vec<Frame<'_>>, bool) {
    let mut out = Vec::new();
    let mut r = Reader::new(payload);
    while !r.is_empty() {
        match next_frame(&mut r) {
            // PADDING is one byte per frame; a full datagram of it is not worth a list.
            Some(Frame::Other(0)) => {}
            Some(f) => out.push(f),
            None => return (out, false),
        }
    }
    (out, true)
}

fn next_frame<'a>(r: &mut Reader<'a>) -> Option<Frame<'a>> {
    let frame_type = r.varint()?;
    let other = Frame::Other(frame_type);
    match frame_type {
        0x00 | 0x01 | 0x1e => {}
        // ACK and ACK_ECN: largest, delay, range count, first range, ranges, [ECN].
        0x02 | 0x03 => {
            r.varint()?;
            r.varint()?;
            let ranges = r.varint()?;
            r.varint()?;
            // Each range is at least two bytes, so the payload bounds the loop.
            if ranges > r.remaining() as u64 {
                return None;
            }
            for _ in 0..ranges {
                r.varint()?;
                r.varint()?;
            }
            if frame_type == 0x03 {
                r.varint()?;
                r.varint()?;
                r.varint()?;
            }
        }
        0x04 => {
            let id = r.varint()?;
            r.varint()?;
            r.varint()?;
            return Some(Frame::ResetStream { id });
        }
        0x05 | 0x11 | 0x15 => {
            r.varint()?;
            r.varint()?;
        }
        0x06 => {
            let offset = r.varint()?;
            let len = usize::try_from(r.varint()?).ok()?;
            let data = r.bytes(len)?;
            return Some(Frame::Crypto { offset, data });
        }
        0x07 => {
            let len = usize::try_from(r.varint()?).ok()?;
            r.skip(len)?;
        }
        0x08..=0x0f => {
            let id = r.varint()?;
            let offset = if frame_type & 0x04 != 0 {
                r.varint()?
            } else {
                0
            };
            let data = if frame_type & 0x02 != 0 {
                let len = usize::try_from(r.varint()?).ok()?;
                r.bytes(len)?
            } else {
                r.rest_taken()
            };
            return Some(Frame::Stream {
                id,
                offset,
                fin: frame_type & 0x01 != 0,
                data,
            });
        }
        0x10 | 0x12 | 0x13 | 0x14 | 0x16 | 0x17 | 0x19 => {
            r.varint()?;
        }
        0x18 => {
            r.varint()?;
            r.varint()?;
            let len = usize::from(r.u8()?);
            if len > 20 {
                return None;
            }
            r.skip(len + 16)?;
        }
        0x1a | 0x1b => r.skip(8)?,
        0x1c | 0x1d => {
            r.varint()?;
            if frame_type == 0x1c {
                r.varint()?;
            }
            let len = usize::try_from(r.varint()?).ok()?;
            r.skip(len)?;
        }
        0x30 => return Some(Frame::Datagram(r.rest_taken())),
        0x31 => {
            let len = usize::try_from(r.varint()?).ok()?;
            return Some(Frame::Datagram(r.bytes(len)?));
        }
        _ => return None,
    }
    Some(other)
}

/// Walks the frames of a decrypted Initial payload, returning CRYPTO frames.
fn crypto_frames(payload: &[u8]) -> Vec<(u64, &[u8])> {
    parse_frames(payload)
        .0
        .into_iter()
        .filter_map(|f| match f {
            Frame::Crypto { offset, data } => Some((offset, data)),
            _ => None,
        })
        .collect()
}

/// Reassembles one direction of one QUIC stream by offset and hands out bytes in
/// order as soon as they are contiguous. Out-of-order data is held up to a bound.
#[derive(Debug, Default)]
pub struct StreamAssembler {
    /// Offset of the next byte to hand out.
    next: u64,
    pieces: BTreeMap<u64, Vec<u8>>,
    held: usize,
    fin_at: Option<u64>,
    /// Bytes dropped because the out-of-order bound was reached.
    pub dropped: u64,
}

impl StreamAssembler {
    /// Adds a STREAM frame's data; returns the bytes that became contiguous.
    pub fn insert(&mut self, offset: u64, data: &[u8], fin: bool, max_held: usize) -> Vec<u8> {
        let end = offset.saturating_add(data.len() as u64);
        if fin {
            self.fin_at = Some(end);
        }
        let mut out = Vec::new();
        if end <= self.next {
            return out; // a retransmission of what was handed out already
        }
        if offset <= self.next {
            let skip = usize::try_from(self.next - offset).unwrap_or(usize::MAX);
            out.extend_from_slice(data.get(skip..).unwrap_or(&[]));
            self.next = end;
        } else if self.held + data.len() > max_held {
            self.dropped += data.len() as u64;
            return out;
        } else {
            self.held += data.len();
            let longer = |v: &mut Vec<u8>| {
                if data.len() > v.len() {
                    *v = data.to_vec();
                }
            };
            self.pieces
                .entry(offset)
                .and_modify(longer)
                .or_insert_with(|| data.to_vec());
            return out;
        }
        // Every pass removes one held piece, so this ends.
        while let Some(off) = self.pieces.range(..=self.next).next().map(|(k, _)| *k) {
            let piece = self.pieces.remove(&off).unwrap_or_default();
            self.held = self.held.saturating_sub(piece.len());
            let piece_end = off + piece.len() as u64;
            if piece_end > self.next {
                let skip = usize::try_from(self.next - off).unwrap_or(usize::MAX);
                out.extend_from_slice(piece.get(skip..).unwrap_or(&[]));
                self.next = piece_end;
            }
        }
        out
    }

    /// Every byte up to the FIN has been handed out.
    pub fn finished(&self) -> bool {
        self.fin_at.is_some_and(|f| self.next >= f)
    }
}

/// Per-connection QUIC state: the keys and CRYPTO streams of both directions.
#[derive(Debug, Default)]
pub struct QuicSession {
    pub version: u32,
    original_dcid: Vec<u8>,
    client_keys: Option<InitialKeys>,
    server_keys: Option<InitialKeys>,
    client_crypto: CryptoStream,
    server_crypto: CryptoStream,
    pub client_hello: Option<ClientHello>,
    pub server_hello: Option<ServerHello>,
    /// Frame numbers of the first and last Initial that carried ClientHello bytes.
    pub hello_frames: Option<(u64, u64)>,
    /// Time of the first Initial that carried ClientHello bytes.
    pub hello_ts: crate::time::Timestamp,
    pub decrypt_failures: u64,
    /// The server sent a Retry and the client restarted its handshake.
    pub retried: bool,
    /// The client sent a Handshake or 1-RTT packet: no more Initials will carry its
    /// ClientHello (retransmissions included).
    pub client_finished: bool,
    /// The Source Connection IDs each side last put in a long header: the peer's short
    /// headers carry them as Destination, and short headers do not say how long it is.
    pub client_scid: Option<Vec<u8>>,
    pub server_scid: Option<Vec<u8>>,
}

impl QuicSession {
    /// Feeds one UDP datagram. `from_client` tells the direction. Returns the offset of
    /// a short-header (1-RTT) packet in the datagram, if one follows the long-header
    /// packets: it has no length field and runs to the end of the datagram.
    pub fn on_datagram(
        &mut self,
        datagram: &[u8],
        from_client: bool,
        frame: u64,
        ts: crate::time::Timestamp,
    ) -> Option<usize> {
        let mut pos = 0;
        // Coalesced packets: several long-header packets can share a datagram.
        while let Some(rest) = datagram.get(pos..).filter(|r| !r.is_empty()) {
            if rest[0] & 0x80 == 0 {
                if rest.iter().all(|b| *b == 0) {
                    return None; // zero padding after coalesced long-header packets
                }
                if from_client {
                    // A short-header (1-RTT) packet: the client's handshake is over.
                    self.client_finished = true;
                }
                return Some(pos);
            }
            let consumed = self.on_packet(rest, from_client, frame, ts)?;
            pos = pos.checked_add(consumed)?;
        }
        None
    }

    fn on_packet(
        &mut self,
        packet: &[u8],
        from_client: bool,
        frame: u64,
        ts: crate::time::Timestamp,
    ) -> Option<usize> {
        let header = parse_long_header(packet)?;
        if header.version == 0 {
            return None; // version negotiation
        }
        let first = packet[0];
        let retry = (first >> 4) & 0x03 == if header.version == VERSION_2 { 0 } else { 3 };
        if !retry {
            let scid = if from_client {
                &mut self.client_scid
            } else {
                &mut self.server_scid
            };
            if scid.as_deref() != Some(header.scid) {
                *scid = Some(header.scid.to_vec());
            }
        }
        let mut r = Reader::new(packet);
        r.skip(1 + 4 + 1 + header.dcid.len() + 1 + header.scid.len())?;
        let initial = is_initial(first, header.version);
        if initial {
            let token_len = r.varint()? as usize;
            r.skip(token_len)?;
        } else if retry {
            // Retry (RFC 9000 §17.2.5): the client starts again with the Retry's
            // Source Connection ID as Destination, and Initial keys derive from it.
            if !from_client && !header.scid.is_empty() {
                self.client_keys = InitialKeys::derive(header.version, header.scid, true);
                self.server_keys = InitialKeys::derive(header.version, header.scid, false);
                self.client_crypto = CryptoStream::default();
                self.server_crypto = CryptoStream::default();
                self.retried = true;
            }
            return None; // a Retry has no length field and fills the datagram
        }
        let length = r.varint()? as usize;
        let pn_offset = r.position();
        let total = pn_offset.checked_add(length)?;
        if !initial {
            if from_client {
                self.client_finished = true;
            }
            return Some(total);
        }
        if self.version == 0 {
            self.version = header.version;
        }
        if from_client && self.original_dcid.is_empty() {
            self.original_dcid = header.dcid.to_vec();
            self.client_keys = InitialKeys::derive(header.version, header.dcid, true);
            self.server_keys = InitialKeys::derive(header.version, header.dcid, false);
        }
        let keys = if from_client {
            self.client_keys.as_ref()
        } else {
            self.server_keys.as_ref()
        };
        let Some(keys) = keys else {
            return Some(total);
        };
        let Some(plain) = keys.open(packet, pn_offset, length) else {
            self.decrypt_failures += 1;
            return Some(total);
        };
        let frames = crypto_frames(&plain);
        let stream = if from_client {
            &mut self.client_crypto
        } else {
            &mut self.server_crypto
        };
        for (offset, data) in &frames {
            stream.insert(*offset, data);
        }
        if from_client && !frames.is_empty() && (self.client_hello.is_none() || self.retried) {
            self.hello_frames = Some(match self.hello_frames {
                Some((a, _)) => (a, frame),
                None => {
                    self.hello_ts = ts;
                    (frame, frame)
                }
            });
        }
        for msg in stream.take_messages() {
            match msg.msg_type {
                1 if from_client && self.client_hello.is_none() => {
                    self.client_hello = tls::parse_client_hello(&msg.body);
                }
                2 if !from_client && self.server_hello.is_none() => {
                    self.server_hello = tls::parse_server_hello(&msg.body);
                }
                _ => {}
            }
        }
        Some(total)
    }
}

/// Google QUIC: finds a cleartext CHLO and returns its SNI tag, if any.
pub fn gquic_sni(datagram: &[u8]) -> Option<String> {
    let start = datagram.windows(4).position(|w| w == b"CHLO")?;
    let mut r = Reader::new(&datagram[start + 4..]);
    let count = u16::from_le_bytes([r.u8()?, r.u8()?]) as usize;
    r.skip(2)?;
    let mut entries = Vec::with_capacity(count.min(64));
    for _ in 0..count.min(64) {
        let tag = r.bytes(4)?;
        let end = u32::from_le_bytes(r.bytes(4)?.try_into().ok()?) as usize;
        entries.push((tag, end));
    }
    let values = r.rest();
    let mut prev = 0usize;
    for (tag, end) in entries {
        if tag == b"SNI\0" {
            let v = values.get(prev..end)?;
            return Some(String::from_utf8_lossy(v).into_owned());
        }
        prev = end;
    }
    None
}

/// The gQUIC version tag of a packet (`Q043`, `Q046`, …) if it has one.
pub fn gquic_version(datagram: &[u8]) -> Option<u32> {
    // Q046+ use the IETF invariant long header; older versions put the version after
    // a public-flags byte and an 8-byte connection id.
    for offset in [1usize, 9] {
        let v = datagram.get(offset..offset + 4)?;
        if v[0] == b'Q' && v[1..].iter().all(u8::is_ascii_digit) {
            return Some(u32::from_be_bytes([v[0], v[1], v[2], v[3]]));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::wire::unhex;

    #[test]
    fn rfc9001_appendix_a_client_initial_keys() {
        // RFC 9001 A.1: the client secret derived from DCID 8394c8f03e515708.
        let dcid = unhex("8394c8f03e515708");
        let (initial, _) = hkdf::Hkdf::<Sha256>::extract(Some(&SALT_V1), &dcid);
        let client = hkdf_expand_label(&initial, "client in", 32).unwrap();
        assert_eq!(
            client,
            unhex("c00cf151ca5be075ed0ebfb5c80323c42d6b7db67881289af4008f1f6c357aea")
        );
        assert_eq!(
            hkdf_expand_label(&client, "quic key", 16).unwrap(),
            unhex("1f369613dd76d5467730efcbe3b1a22d")
        );
        assert_eq!(
            hkdf_expand_label(&client, "quic iv", 12).unwrap(),
            unhex("fa044b2f42a3fd3b46fb255c")
        );
        assert_eq!(
            hkdf_expand_label(&client, "quic hp", 16).unwrap(),
            unhex("9f50449e04a0e810283a1e9933adedd2")
        );
    }

    #[test]
    fn crypto_stream_reorders_pieces() {
        let mut s = CryptoStream::default();
        s.insert(4, b"\x00\x00\x00");
        assert!(s.take_messages().is_empty());
        s.insert(0, b"\x01\x00\x00\x03");
        let msgs = s.take_messages();
        assert_eq!(msgs.len(), 1);
        assert_eq!(msgs[0].msg_type, 1);
        assert_eq!(msgs[0].body, vec![0, 0, 0]);
    }

    #[test]
    fn stream_assembler_orders_bounds_and_ignores_retransmissions() {
        let mut s = StreamAssembler::default();
        assert_eq!(s.insert(5, b"world", true, 100), b"");
        assert!(!s.finished());
        assert_eq!(s.insert(0, b"hello", false, 100), b"helloworld");
        assert!(s.finished());
        // A retransmission (whole or overlapping) hands out nothing again.
        assert_eq!(s.insert(0, b"hel", false, 100), b"");
        assert_eq!(s.insert(3, b"loworld", true, 100), b"");
        // Out-of-order data beyond the bound is dropped and counted.
        let mut s = StreamAssembler::default();
        assert_eq!(s.insert(10, &[1; 8], false, 8), b"");
        assert_eq!(s.insert(20, &[2; 8], false, 8), b"");
        assert_eq!(s.dropped, 8);
        assert_eq!(
            s.insert(0, &[0; 12], false, 8),
            [[0u8; 12].as_slice(), &[1; 6]].concat()
        );
    }

    #[test]
    fn every_frame_type_is_walked_to_the_stream_frames() {
        let mut p = vec![0x00, 0x00, 0x01]; // PADDING, PING
        p.extend([0x02, 0x05, 0x00, 0x01, 0x00, 0x01, 0x00]); // ACK, one range
        p.extend([0x03, 0x05, 0x00, 0x00, 0x00, 0x01, 0x02, 0x03]); // ACK_ECN
        p.extend([0x04, 0x08, 0x00, 0x10]); // RESET_STREAM
        p.extend([0x05, 0x08, 0x00]); // STOP_SENDING
        p.extend([0x06, 0x00, 0x02, 0xaa, 0xbb]); // CRYPTO
        p.extend([0x07, 0x02, 0x01, 0x02]); // NEW_TOKEN
        p.extend([0x10, 0x01, 0x11, 0x00, 0x01, 0x12, 0x01, 0x13, 0x01]); // MAX_*
        p.extend([0x14, 0x01, 0x15, 0x00, 0x01, 0x16, 0x01, 0x17, 0x01]); // *_BLOCKED
        p.extend([0x18, 0x01, 0x00, 0x04, 1, 2, 3, 4]); // NEW_CONNECTION_ID
        p.extend([0u8; 16]);
        p.extend([0x19, 0x01]); // RETIRE_CONNECTION_ID
        p.extend([0x1a, 1, 2, 3, 4, 5, 6, 7, 8, 0x1b, 1, 2, 3, 4, 5, 6, 7, 8]);
        p.extend([0x1e]); // HANDSHAKE_DONE
        p.extend([0x31, 0x02, 0xde, 0xad]); // DATAGRAM with length
        p.extend([0x0e, 0x04, 0x05, 0x03, b'a', b'b', b'c']); // STREAM off+len
        p.extend([0x1c, 0x00, 0x00, 0x01, b'x']); // CONNECTION_CLOSE
        p.extend([0x09, 0x00, b'r', b'e', b's', b't']); // STREAM fin, to the end
        let (frames, complete) = parse_frames(&p);
        assert!(complete);
        let streams: Vec<_> = frames
            .iter()
            .filter_map(|f| match f {
                Frame::Stream {
                    id,
                    offset,
                    fin,
                    data,
                } => Some((*id, *offset, *fin, *data)),
                _ => None,
            })
            .collect();
        assert_eq!(
            streams,
            vec![(4, 5, false, &b"abc"[..]), (0, 0, true, &b"rest"[..])]
        );
        assert!(frames.contains(&Frame::ResetStream { id: 8 }));
        assert!(frames.contains(&Frame::Datagram(&[0xde, 0xad])));
        // An unknown frame type stops the walk and says so.
        let (frames, complete) = parse_frames(&[0x01, 0x40, 0x99, 0x08, 0x00]);
        assert_eq!(frames.len(), 1);
        assert!(!complete);
    }

    #[test]
    fn garbage_datagrams_are_ignored() {
        let mut session = QuicSession::default();
        for len in 0..64 {
            let junk: Vec<u8> = (0..len).map(|i| (i * 37 + 0xc3) as u8).collect();
            session.on_datagram(&junk, true, 1, crate::time::Timestamp(0));
        }
        assert!(session.client_hello.is_none());
    }
}
