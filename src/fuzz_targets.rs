//! Fuzz targets: one function per parser that takes outside bytes, shared by the AFL++
//! harness in `fuzz/` and the regression test `tests/fuzz_regressions.rs`, so a crash
//! found by the fuzzer replays through exactly the same code in the normal suite.
//!
//! Every target takes arbitrary bytes and must return without panicking, in bounded
//! time and memory. Targets that need structure (several packets, both directions of
//! a TCP stream, a TLS session with keys) read it from the input with [`Input`], so
//! the fuzzer's mutations stay meaningful; the encoders ([`encode_chunks`],
//! [`tls_session_input`]) build seeds in the same formats.
//!
//! Not part of the stable API: hidden from the docs, used only by tests and the fuzzer.

use std::io::Cursor;
use std::net::{IpAddr, Ipv4Addr};
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use crate::decrypt::KeyStore;
use crate::engine::{Engine, Event};
use crate::exchange::{Exchange, Transport};
use crate::limits::Limits;
use crate::net::Endpoint;
use crate::source::capture::{CaptureEvent, Packet};
use crate::time::Timestamp;

/// One fuzz target: a name (used on the command line and as the folder of its crash
/// files) and the function that runs one input.
pub struct Target {
    pub name: &'static str,
    pub run: fn(&[u8]),
    /// What the input is, for `fuzz/README.md` and `--list`.
    pub about: &'static str,
}

/// Every target, in the order the README lists them.
pub const TARGETS: &[Target] = &[
    Target {
        name: "capture",
        run: capture,
        about: "a whole pcap/pcapng/gzip/HAR file through pipeline::analyse_input",
    },
    Target {
        name: "packets",
        run: packets,
        about: "link-layer frames (any link type) through the engine: link, IP, defrag, TCP/UDP, sessions",
    },
    Target {
        name: "tcp_streams",
        run: tcp_streams,
        about: "a key log plus both directions of one TCP connection, as packets through the engine",
    },
    Target {
        name: "dns",
        run: dns,
        about: "one DNS message (proto::dns::parse)",
    },
    Target {
        name: "tls_hello",
        run: tls_hello,
        about: "TLS handshake: records through HandshakeReader, Client/ServerHello, EncryptedExtensions, JA3/JA4",
    },
    Target {
        name: "quic",
        run: quic,
        about: "QUIC datagrams, raw or as Initial payloads the harness encrypts (CRYPTO frames, ClientHello)",
    },
    Target {
        name: "http1",
        run: http1,
        about: "HTTP/1 request and response streams in chunks (proto::http1::HttpSession), and SSDP datagrams",
    },
    Target {
        name: "http2",
        run: http2,
        about: "HTTP/2 frames and HPACK in both directions (proto::http2::Http2Session)",
    },
    Target {
        name: "tls_decrypt",
        run: tls_decrypt,
        about: "a TLS 1.2/1.3 session with a key log: the harness encrypts the input's records, the engine decrypts them",
    },
    Target {
        name: "quic_decrypt",
        run: quic_decrypt,
        about: "a QUIC connection with a key log: the harness seals the input's 1-RTT payloads (key updates too), the engine decrypts them and reads HTTP/3 and QPACK",
    },
    Target {
        name: "tls_records",
        run: tls_records,
        about: "TLS record decryption (decrypt::tls::DirectionKeys) of arbitrary fragments, all suites incl. CBC",
    },
    Target {
        name: "keylog",
        run: keylog,
        about: "NSS key log text (decrypt::KeyStore::add_text)",
    },
    Target {
        name: "har",
        run: har,
        about: "a HAR export (source::har::read_har)",
    },
    Target {
        name: "apk",
        run: apk,
        about: "an APK: zip, binary manifest, resources, DEX (package::apk::read_apk_from)",
    },
    Target {
        name: "ipa",
        run: ipa,
        about: "an IPA: zip, Info.plist, frameworks, privacy manifests (package::plistinfo::read_ipa_from)",
    },
    Target {
        name: "plist",
        run: plist,
        about: "a binary or XML property list and privacy manifest (package::plistinfo)",
    },
    Target {
        name: "dex",
        run: dex,
        about: "one DEX file (package::dex::parse_classes)",
    },
    Target {
        name: "axml",
        run: axml,
        about: "Android binary XML and resources.arsc (package::axml)",
    },
    Target {
        name: "policy_extract",
        run: policy_extract,
        about: "policy text in any encoding (policy::extract::extract)",
    },
    Target {
        name: "policy_document",
        run: policy_document,
        about: "an HTML page or Markdown file, by the first byte's parity (policy::extract::document, extract_documents)",
    },
    Target {
        name: "declaration",
        run: declaration,
        about: "a policy declaration TOML (policy::Declaration::parse, policy::check)",
    },
    Target {
        name: "device_profile",
        run: device_profile,
        about: "a device-profile TOML and its matcher (detect::profile)",
    },
    Target {
        name: "detect",
        run: detect,
        about: "an HTTP exchange with arbitrary headers and body through detect::Detector::scan",
    },
    Target {
        name: "codec",
        run: codec,
        about: "bounded gzip/deflate/brotli decompression (codec::decompress) and detect::decode layers",
    },
];

/// The target of that name.
pub fn find(name: &str) -> Option<&'static Target> {
    TARGETS.iter().find(|t| t.name == name)
}

/// A cursor over fuzz input: reads past the end give zeros / empty slices, never panic.
#[derive(Debug, Clone)]
pub struct Input<'a> {
    data: &'a [u8],
}

impl<'a> Input<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        Input { data }
    }

    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    pub fn u8(&mut self) -> u8 {
        match self.data.split_first() {
            Some((b, rest)) => {
                self.data = rest;
                *b
            }
            None => 0,
        }
    }

    pub fn u16(&mut self) -> u16 {
        u16::from_be_bytes([self.u8(), self.u8()])
    }

    pub fn bytes(&mut self, n: usize) -> &'a [u8] {
        let n = n.min(self.data.len());
        let (head, rest) = self.data.split_at(n);
        self.data = rest;
        head
    }

    pub fn rest(&mut self) -> &'a [u8] {
        std::mem::take(&mut self.data)
    }

    /// The next chunk in the `[header u8][len u16][bytes]` format of [`encode_chunks`].
    pub fn chunk(&mut self) -> Option<(u8, &'a [u8])> {
        if self.data.is_empty() {
            return None;
        }
        let header = self.u8();
        let len = self.u16() as usize;
        Some((header, self.bytes(len)))
    }
}

/// Encodes `(header, bytes)` chunks as `[header u8][len u16 big-endian][bytes]`; bytes
/// beyond 65 535 are split into several chunks with the same header.
pub fn encode_chunks<'c>(chunks: impl IntoIterator<Item = (u8, &'c [u8])>) -> Vec<u8> {
    let mut out = Vec::new();
    for (header, bytes) in chunks {
        let mut pieces = bytes.chunks(u16::MAX as usize).peekable();
        if pieces.peek().is_none() {
            out.push(header);
            out.extend_from_slice(&[0, 0]);
        }
        for piece in pieces {
            out.push(header);
            out.extend_from_slice(&(piece.len() as u16).to_be_bytes());
            out.extend_from_slice(piece);
        }
    }
    out
}

fn limits() -> Limits {
    // Tighter than the defaults so limit paths are reached by small inputs, and memory
    // stays small enough to run two fuzzers side by side.
    Limits {
        reassembly_per_flow: 64 << 10,
        reassembly_total: 1 << 20,
        max_flows: 64,
        flow_idle_secs: 600,
        max_fragmented_datagrams: 16,
        http_header_bytes: 16 << 10,
        http_header_count: 64,
        body_bytes: 64 << 10,
        decompressed_bytes: 1 << 20,
        decompression_ratio: 200,
        tls_handshake_bytes: 64 << 10,
        http_pending_requests: 16,
        hpack_table_bytes: 16 << 10,
        qpack_table_bytes: 16 << 10,
        quic_streams: 64,
        quic_stream_bytes: 64 << 10,
    }
}

/// Consumes every event as the CLI would: records are serialised, exchanges scanned.
fn consume(ev: Event, scan: bool) {
    match ev {
        Event::Record(r) => {
            let _ = serde_json::to_vec(&r);
        }
        Event::Exchange(x) => {
            if scan {
                let _ = detector().scan(&x);
            }
        }
        Event::Warning(w) => {
            let _ = serde_json::to_vec(&w);
        }
        Event::Names(_) => {}
        Event::Scanned(x, _) => {
            if scan {
                let _ = detector().scan(&x);
            }
        }
    }
}

fn detector() -> &'static crate::detect::scan::Detector {
    static DET: OnceLock<Arc<crate::detect::scan::Detector>> = OnceLock::new();
    DET.get_or_init(|| crate::detect::scan::builtin_detector(None))
}

/// A per-process scratch file for targets whose entry point takes a path.
fn scratch_file(suffix: &str, data: &[u8]) -> Option<PathBuf> {
    let dir = if std::path::Path::new("/dev/shm").is_dir() {
        PathBuf::from("/dev/shm")
    } else {
        std::env::temp_dir()
    };
    let tid = format!("{:?}", std::thread::current().id())
        .chars()
        .filter(char::is_ascii_digit)
        .collect::<String>();
    let path = dir.join(format!(
        "privaudit-fuzz-{}-{tid}{suffix}",
        std::process::id()
    ));
    std::fs::write(&path, data).ok()?;
    Some(path)
}

// ---------------------------------------------------------------------------------
// Captures and packets

/// A whole file through the pipeline, as `privaudit flows` reads it.
pub fn capture(data: &[u8]) {
    let Some(path) = scratch_file(".cap", data) else {
        return;
    };
    let keys = KeyStore::default();
    let _ =
        crate::pipeline::analyse_input(&path, &limits(), &keys, 1, None, &mut |_| {}, &mut |ev| {
            consume(ev, false)
        });
    let _ = std::fs::remove_file(&path);
}

const LINKTYPES: [u32; 16] = [
    1, 101, 0, 108, 113, 276, 239, 228, 229, 12, 14, 9999, 51, 149, 258, 1,
];

/// Frames in chunks: header low nibble picks the link type, bit 4 advances the clock
/// by a long step (flow expiry), the payload is the frame.
pub fn packets(data: &[u8]) {
    let mut input = Input::new(data);
    let mut engine = Engine::new("fuzz.pcap", limits(), KeyStore::default());
    let mut frame = 0u64;
    let mut ts = 1_600_000_000_000_000_000i64;
    while let Some((header, bytes)) = input.chunk() {
        frame += 1;
        ts += if header & 0x10 != 0 {
            700_000_000_000
        } else {
            1_000_000
        };
        let linktype = LINKTYPES[(header & 0x0f) as usize % LINKTYPES.len()];
        let p = Packet {
            frame,
            ts: Timestamp(ts),
            linktype,
            data: bytes,
            orig_len: bytes.len() as u32,
            interface: 0,
            comment: (header & 0x20 != 0).then_some("u-10123"),
        };
        engine.on_event(CaptureEvent::Packet(p), &mut |ev| consume(ev, false));
    }
    engine.finish(&mut |ev| consume(ev, false));
}

/// Builds raw IPv4 + TCP packets for one connection, client port 40000.
struct TcpBuilder {
    client: [u8; 4],
    server: [u8; 4],
    port: u16,
    seq: [u32; 2],
    frame: u64,
    ts: i64,
    /// Collect events here instead of consuming them.
    collect: bool,
    events: Vec<Event>,
}

impl TcpBuilder {
    fn new(port: u16) -> Self {
        TcpBuilder {
            client: [192, 0, 2, 10],
            server: [198, 51, 100, 20],
            port,
            seq: [0x1000_0000, 0x5000_0000],
            frame: 0,
            ts: 1_600_000_000_000_000_000,
            collect: false,
            events: Vec::new(),
        }
    }

    /// One segment from `dir` (0 client, 1 server) with TCP `flags`.
    fn segment(&mut self, dir: usize, flags: u8, payload: &[u8]) -> Vec<u8> {
        let (src, dst, sport, dport) = if dir == 0 {
            (self.client, self.server, 40000u16, self.port)
        } else {
            (self.server, self.client, self.port, 40000u16)
        };
        let total = (40 + payload.len()).min(u16::MAX as usize) as u16;
        let mut p = Vec::with_capacity(40 + payload.len());
        p.extend_from_slice(&[0x45, 0]);
        p.extend_from_slice(&total.to_be_bytes());
        p.extend_from_slice(&[0, 1, 0x40, 0, 64, 6, 0, 0]);
        p.extend_from_slice(&src);
        p.extend_from_slice(&dst);
        p.extend_from_slice(&sport.to_be_bytes());
        p.extend_from_slice(&dport.to_be_bytes());
        p.extend_from_slice(&self.seq[dir].to_be_bytes());
        p.extend_from_slice(&self.seq[1 - dir].to_be_bytes());
        p.extend_from_slice(&[0x50, flags, 0xff, 0xff, 0, 0, 0, 0]);
        p.extend_from_slice(payload);
        let advance = payload.len() as u32 + u32::from(flags & 0x03 != 0);
        self.seq[dir] = self.seq[dir].wrapping_add(advance);
        p
    }

    fn send(&mut self, engine: &mut Engine, packet: &[u8], scan: bool) {
        self.frame += 1;
        self.ts += 1_000_000;
        let p = Packet {
            frame: self.frame,
            ts: Timestamp(self.ts),
            linktype: 101,
            data: packet,
            orig_len: packet.len() as u32,
            interface: 0,
            comment: None,
        };
        let events = &mut self.events;
        if self.collect {
            engine.on_event(CaptureEvent::Packet(p), &mut |ev| events.push(ev));
        } else {
            engine.on_event(CaptureEvent::Packet(p), &mut |ev| consume(ev, scan));
        }
    }

    fn handshake(&mut self, engine: &mut Engine) {
        let syn = self.segment(0, 0x02, &[]);
        self.send(engine, &syn, false);
        let synack = self.segment(1, 0x12, &[]);
        self.send(engine, &synack, false);
        let ack = self.segment(0, 0x10, &[]);
        self.send(engine, &ack, false);
    }

    /// Payload from `dir`, split into segments of at most 1400 bytes.
    fn data(&mut self, engine: &mut Engine, dir: usize, payload: &[u8], scan: bool) {
        for piece in payload.chunks(1400) {
            let seg = self.segment(dir, 0x18, piece);
            self.send(engine, &seg, scan);
        }
    }

    fn close(&mut self, engine: &mut Engine) {
        let fin = self.segment(0, 0x11, &[]);
        self.send(engine, &fin, false);
        let fin = self.segment(1, 0x11, &[]);
        self.send(engine, &fin, false);
    }
}

/// `[flags u8][server port u16][key log len u16][key log][chunks…]`: chunk header bit 0
/// is the direction (server to client when set), bit 1 skips 1000 sequence numbers
/// first (a gap), bit 2 sends the segment twice (a retransmission), bit 3 holds the
/// segment back until after the next one (out of order). Flags bit 0 omits the
/// three-way handshake.
pub fn tcp_streams(data: &[u8]) {
    let mut input = Input::new(data);
    let flags = input.u8();
    let port = input.u16();
    let keylog_len = input.u16() as usize;
    let mut keys = KeyStore::default();
    keys.add_text(input.bytes(keylog_len));
    let mut engine = Engine::new("fuzz.pcap", limits(), keys);
    let mut tcp = TcpBuilder::new(port);
    if flags & 1 == 0 {
        tcp.handshake(&mut engine);
    }
    let mut held: Option<Vec<u8>> = None;
    while let Some((header, bytes)) = input.chunk() {
        let dir = usize::from(header & 1);
        if header & 2 != 0 {
            tcp.seq[dir] = tcp.seq[dir].wrapping_add(1000);
        }
        for piece in bytes.chunks(1400) {
            let seg = tcp.segment(dir, 0x18, piece);
            if header & 8 != 0 && held.is_none() {
                held = Some(seg);
                continue;
            }
            tcp.send(&mut engine, &seg, true);
            if header & 4 != 0 {
                tcp.send(&mut engine, &seg, true);
            }
            if let Some(h) = held.take() {
                tcp.send(&mut engine, &h, true);
            }
        }
    }
    if let Some(h) = held.take() {
        tcp.send(&mut engine, &h, true);
    }
    if flags & 2 == 0 {
        tcp.close(&mut engine);
    }
    engine.finish(&mut |ev| consume(ev, true));
}

// ---------------------------------------------------------------------------------
// Wire protocols

pub fn dns(data: &[u8]) {
    if let Some(m) = crate::proto::dns::parse(data) {
        let _ = format!("{m:?}");
    }
}

/// Records through the handshake reader (in chunks of the first byte's size), and the
/// whole input as hello bodies.
pub fn tls_hello(data: &[u8]) {
    use crate::proto::{fingerprint, tls};
    let mut input = Input::new(data);
    let step = usize::from(input.u8()).max(1);
    let rest = input.rest();
    let mut reader = tls::HandshakeReader::new(64 << 10);
    let mut messages = Vec::new();
    for piece in rest.chunks(step) {
        if reader.feed(piece, &mut messages).is_some() {
            break;
        }
    }
    for m in &messages {
        hello_bodies(m.msg_type, &m.body);
    }
    for t in [1u8, 2, 8] {
        hello_bodies(t, rest);
    }
    let _ = tls::looks_like_tls(rest);
    let _ = tls::looks_like_tls_record(rest);

    fn hello_bodies(msg_type: u8, body: &[u8]) {
        match msg_type {
            1 => {
                if let Some(h) = tls::parse_client_hello(body) {
                    let _ = fingerprint::ja3(&h);
                    let _ = fingerprint::ja4(&h, fingerprint::Ja4Transport::Tcp);
                    let _ = fingerprint::ja4(&h, fingerprint::Ja4Transport::Quic);
                    let _ = h.max_version();
                }
            }
            2 => {
                if let Some(h) = tls::parse_server_hello(body) {
                    let _ = tls::version_name(h.version());
                    let _ = tls::cipher_name(h.cipher_suite);
                }
            }
            8 => {
                let _ = tls::parse_encrypted_extensions_alpn(body);
            }
            _ => {}
        }
    }
}

const QUIC_SALT_V1: [u8; 20] = [
    0x38, 0x76, 0x2c, 0xf7, 0xf5, 0x59, 0x34, 0xb3, 0x4d, 0x17, 0x9a, 0xe6, 0xa4, 0xc8, 0x0c, 0xad,
    0xcc, 0xbb, 0x7f, 0x0a,
];
const QUIC_DCID: [u8; 8] = [0x83, 0x94, 0xc8, 0xf0, 0x3e, 0x51, 0x57, 0x08];

/// Seals `plain` (frames) into a QUIC v1 Initial packet from the client or server,
/// as RFC 9001 §5 describes, with the Initial keys of [`QUIC_DCID`].
pub fn quic_initial(plain: &[u8], from_client: bool, pn: u8) -> Option<Vec<u8>> {
    use aes::cipher::{BlockCipherEncrypt, KeyInit};
    use aes_gcm::aead::{Aead, Payload};
    let (initial, _) = hkdf::Hkdf::<sha2::Sha256>::extract(Some(&QUIC_SALT_V1), &QUIC_DCID);
    let label = if from_client {
        "client in"
    } else {
        "server in"
    };
    let secret = crate::proto::quic::hkdf_expand_label(&initial, label, 32)?;
    let key = crate::proto::quic::hkdf_expand_label(&secret, "quic key", 16)?;
    let iv = crate::proto::quic::hkdf_expand_label(&secret, "quic iv", 12)?;
    let hp = crate::proto::quic::hkdf_expand_label(&secret, "quic hp", 16)?;
    let mut payload = plain.to_vec();
    // The header-protection sample needs 20 bytes after the packet number.
    if payload.len() < 20 {
        payload.resize(20, 0);
    }
    let length = 1 + payload.len() + 16;
    if length >= 1 << 14 {
        return None;
    }
    let mut packet = vec![0xc0, 0, 0, 0, 1, QUIC_DCID.len() as u8];
    packet.extend_from_slice(&QUIC_DCID);
    packet.push(0); // scid
    packet.push(0); // token length (server Initials carry an empty one too)
    packet.extend_from_slice(&(0x4000u16 | length as u16).to_be_bytes());
    let pn_offset = packet.len();
    packet.push(pn);
    let mut nonce: [u8; 12] = iv.try_into().ok()?;
    nonce[11] ^= pn;
    let aead = aes_gcm::Aes128Gcm::new_from_slice(&key).ok()?;
    let sealed = aead
        .encrypt(
            &nonce.into(),
            Payload {
                msg: &payload,
                aad: &packet,
            },
        )
        .ok()?;
    packet.extend_from_slice(&sealed);
    let hp = aes::Aes128::new_from_slice(&hp).ok()?;
    let mut block = aes::Block::default();
    block.copy_from_slice(packet.get(pn_offset + 4..pn_offset + 20)?);
    hp.encrypt_block(&mut block);
    packet[0] ^= block[0] & 0x0f;
    packet[pn_offset] ^= block[1];
    Some(packet)
}

/// First byte bit 0: chunks are Initial payloads to encrypt (else raw datagrams).
/// Chunk header bit 0: from the server.
pub fn quic(data: &[u8]) {
    use crate::proto::quic;
    let mut input = Input::new(data);
    let mode = input.u8();
    let mut session = quic::QuicSession::default();
    let limits = limits();
    let mut h3 = crate::proto::http3::Http3Session::new(&limits);
    let mut streams: std::collections::HashMap<(bool, u64), quic::StreamAssembler> =
        std::collections::HashMap::new();
    let mut events = Vec::new();
    let mut pns = [0u8; 2];
    let mut frame = 0;
    while let Some((header, bytes)) = input.chunk() {
        frame += 1;
        let from_client = header & 1 == 0;
        let ts = Timestamp(frame as i64);
        if mode & 1 == 1 {
            let d = usize::from(!from_client);
            let Some(packet) = quic_initial(bytes, from_client, pns[d]) else {
                continue;
            };
            pns[d] = pns[d].wrapping_add(1);
            session.on_datagram(&packet, from_client, frame, ts);
        } else {
            session.on_datagram(bytes, from_client, frame, ts);
            let _ = quic::parse_long_header(bytes);
            let _ = quic::gquic_sni(bytes);
            let _ = quic::gquic_version(bytes);
            // The same bytes as a decrypted 1-RTT payload: frames, streams, HTTP/3.
            let (frames, _) = quic::parse_frames(bytes);
            for f in frames {
                if let quic::Frame::Stream {
                    id,
                    offset,
                    fin,
                    data,
                } = f
                {
                    let asm = streams.entry((from_client, id)).or_default();
                    let chunk = asm.insert(offset, data, fin, limits.quic_stream_bytes);
                    h3.on_stream_data(from_client, id, &chunk, fin, frame, ts, &mut events);
                }
            }
            events.clear();
        }
    }
    h3.finish(&mut events);
    if let Some(h) = &session.client_hello {
        let _ = crate::proto::fingerprint::ja4(h, crate::proto::fingerprint::Ja4Transport::Quic);
    }
}

/// Chunk header bit 0: from the server; bit 1: a gap of the chunk's length instead of
/// data. First byte bit 0: also parse the whole input as an SSDP datagram.
pub fn http1(data: &[u8]) {
    use crate::proto::http1;
    let mut input = Input::new(data);
    let mode = input.u8();
    let mut session = http1::HttpSession::new(&limits());
    let mut out = Vec::new();
    let mut frame = 0;
    while let Some((header, bytes)) = input.chunk() {
        frame += 1;
        let ts = Timestamp(frame as i64);
        let from_client = header & 1 == 0;
        if header & 2 != 0 {
            session.on_gap(from_client, bytes.len() as u64);
        } else if from_client {
            session.on_request_data(bytes, frame, ts, &mut out);
        } else {
            session.on_response_data(bytes, frame, ts, &mut out);
        }
    }
    session.finish(&mut out);
    let _ = format!("{out:?}");
    if mode & 1 == 1 {
        let _ = http1::parse_datagram(data, 1, Timestamp(0));
    }
}

/// First byte bit 0: the client sends no preface (after an Upgrade). Chunk header
/// bit 0: from the server.
pub fn http2(data: &[u8]) {
    use crate::proto::http2;
    let mut input = Input::new(data);
    let mode = input.u8();
    let mut session = http2::Http2Session::new(&limits(), mode & 1 == 0);
    let mut out = Vec::new();
    let mut frame = 0;
    while let Some((header, bytes)) = input.chunk() {
        frame += 1;
        session.feed(
            header & 1 == 0,
            bytes,
            frame,
            Timestamp(frame as i64),
            &mut out,
        );
    }
    session.finish(&mut out);
    let _ = format!("{out:?}");
}

// ---------------------------------------------------------------------------------
// TLS decryption

const TLS_RANDOM: [u8; 32] = [0x11; 32];
const TLS_SERVER_RANDOM: [u8; 32] = [0x22; 32];
/// Suites the session harness can seal: TLS 1.3 first, then TLS 1.2 AEAD suites.
const TLS_SUITES: [u16; 6] = [0x1301, 0x1302, 0x1303, 0xc02f, 0xc030, 0xcca8];

fn tls_secret(label: u8, len: usize) -> Vec<u8> {
    (0..len).map(|i| label.wrapping_mul(31) ^ i as u8).collect()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The key log the session harness uses for its fixed client random.
fn tls_keylog(sha384: bool) -> String {
    let len = if sha384 { 48 } else { 32 };
    let r = hex(&TLS_RANDOM);
    let mut s = String::new();
    for (i, label) in [
        "CLIENT_HANDSHAKE_TRAFFIC_SECRET",
        "SERVER_HANDSHAKE_TRAFFIC_SECRET",
        "CLIENT_TRAFFIC_SECRET_0",
        "SERVER_TRAFFIC_SECRET_0",
    ]
    .iter()
    .enumerate()
    {
        s.push_str(&format!("{label} {r} {}\n", hex(&tls_secret(i as u8, len))));
    }
    s.push_str(&format!("CLIENT_RANDOM {r} {}\n", hex(&tls_secret(9, 48))));
    s
}

fn handshake_record(msg_type: u8, body: &[u8]) -> Vec<u8> {
    let mut msg = vec![msg_type];
    msg.extend_from_slice(&(body.len() as u32).to_be_bytes()[1..]);
    msg.extend_from_slice(body);
    let mut rec = vec![22, 3, 1];
    rec.extend_from_slice(&(msg.len() as u16).to_be_bytes());
    rec.extend_from_slice(&msg);
    rec
}

fn tls_extension(out: &mut Vec<u8>, ext_type: u16, body: &[u8]) {
    out.extend_from_slice(&ext_type.to_be_bytes());
    out.extend_from_slice(&(body.len() as u16).to_be_bytes());
    out.extend_from_slice(body);
}

fn alpn_body(alpn: &str) -> Vec<u8> {
    let mut list = vec![alpn.len() as u8];
    list.extend_from_slice(alpn.as_bytes());
    let mut body = (list.len() as u16).to_be_bytes().to_vec();
    body.extend_from_slice(&list);
    body
}

fn client_hello(alpn: Option<&str>) -> Vec<u8> {
    let mut body = vec![3, 3];
    body.extend_from_slice(&TLS_RANDOM);
    body.push(0);
    body.extend_from_slice(&(TLS_SUITES.len() as u16 * 2).to_be_bytes());
    for s in TLS_SUITES {
        body.extend_from_slice(&s.to_be_bytes());
    }
    body.extend_from_slice(&[1, 0]);
    let mut ext = Vec::new();
    let host = b"fuzz.example";
    let mut sni = ((host.len() + 3) as u16).to_be_bytes().to_vec();
    sni.push(0);
    sni.extend_from_slice(&(host.len() as u16).to_be_bytes());
    sni.extend_from_slice(host);
    tls_extension(&mut ext, 0, &sni);
    if let Some(a) = alpn {
        tls_extension(&mut ext, 16, &alpn_body(a));
    }
    tls_extension(&mut ext, 43, &[4, 3, 4, 3, 3]);
    body.extend_from_slice(&(ext.len() as u16).to_be_bytes());
    body.extend_from_slice(&ext);
    handshake_record(1, &body)
}

fn server_hello(suite: u16, tls13: bool, alpn: Option<&str>) -> Vec<u8> {
    let mut body = vec![3, 3];
    body.extend_from_slice(&TLS_SERVER_RANDOM);
    body.push(0);
    body.extend_from_slice(&suite.to_be_bytes());
    body.push(0);
    let mut ext = Vec::new();
    if tls13 {
        tls_extension(&mut ext, 43, &[3, 4]);
    } else if let Some(a) = alpn {
        tls_extension(&mut ext, 16, &alpn_body(a));
    }
    body.extend_from_slice(&(ext.len() as u16).to_be_bytes());
    body.extend_from_slice(&ext);
    handshake_record(2, &body)
}

enum Sealer {
    Aes128(Box<aes_gcm::Aes128Gcm>),
    Aes256(Box<aes_gcm::Aes256Gcm>),
    ChaCha(Box<chacha20poly1305::ChaCha20Poly1305>),
}

/// The sending side of one direction: the mirror of `decrypt::tls::DirectionKeys`.
struct SealKeys {
    sealer: Sealer,
    iv: [u8; 12],
    seq: u64,
    tls13: bool,
    /// TLS 1.2 AES-GCM: explicit nonce in the record.
    explicit: bool,
    secret: Vec<u8>,
    suite: u16,
}

impl SealKeys {
    fn new(suite: u16, key: &[u8], iv: &[u8], secret: Vec<u8>) -> Option<SealKeys> {
        use aes_gcm::aead::KeyInit;
        let sealer = match suite {
            0x1301 | 0xc02f => {
                Sealer::Aes128(Box::new(aes_gcm::Aes128Gcm::new_from_slice(key).ok()?))
            }
            0x1302 | 0xc030 => {
                Sealer::Aes256(Box::new(aes_gcm::Aes256Gcm::new_from_slice(key).ok()?))
            }
            _ => Sealer::ChaCha(Box::new(
                chacha20poly1305::ChaCha20Poly1305::new_from_slice(key).ok()?,
            )),
        };
        let mut full = [0u8; 12];
        full.get_mut(..iv.len())?.copy_from_slice(iv);
        Some(SealKeys {
            sealer,
            iv: full,
            seq: 0,
            tls13: suite >> 8 == 0x13,
            explicit: matches!(suite, 0xc02f | 0xc030),
            secret,
            suite,
        })
    }

    fn tls13(suite: u16, secret: &[u8]) -> Option<SealKeys> {
        let sha384 = suite == 0x1302;
        let key_len = if suite == 0x1301 { 16 } else { 32 };
        let key = crate::decrypt::tls::expand_label(secret, "key", key_len, sha384)?;
        let iv = crate::decrypt::tls::expand_label(secret, "iv", 12, sha384)?;
        SealKeys::new(suite, &key, &iv, secret.to_vec())
    }

    fn update(&mut self) -> Option<()> {
        let sha384 = self.suite == 0x1302;
        let len = if sha384 { 48 } else { 32 };
        let next = crate::decrypt::tls::expand_label(&self.secret, "traffic upd", len, sha384)?;
        *self = SealKeys::tls13(self.suite, &next)?;
        Some(())
    }

    /// One record of `content_type` carrying `data`.
    fn seal(&mut self, content_type: u8, data: &[u8]) -> Option<Vec<u8>> {
        use aes_gcm::aead::{Aead, Payload};
        let seq = self.seq;
        self.seq += 1;
        let mut nonce = self.iv;
        let (outer_type, msg, mut prefix) = if self.tls13 {
            let mut inner = data.to_vec();
            inner.push(content_type);
            (23u8, inner, Vec::new())
        } else if self.explicit {
            nonce[4..].copy_from_slice(&seq.to_be_bytes());
            (content_type, data.to_vec(), seq.to_be_bytes().to_vec())
        } else {
            (content_type, data.to_vec(), Vec::new())
        };
        if !self.explicit {
            for (i, b) in seq.to_be_bytes().iter().enumerate() {
                nonce[4 + i] ^= b;
            }
        }
        let aad: Vec<u8> = if self.tls13 {
            let len = (msg.len() + 16) as u16;
            [&[23u8, 3, 3][..], &len.to_be_bytes()].concat()
        } else {
            [
                &seq.to_be_bytes()[..],
                &[content_type, 3, 3],
                &(msg.len() as u16).to_be_bytes(),
            ]
            .concat()
        };
        let payload = Payload {
            msg: &msg,
            aad: &aad,
        };
        let sealed = match &self.sealer {
            Sealer::Aes128(c) => c.encrypt(&nonce.into(), payload).ok()?,
            Sealer::Aes256(c) => c.encrypt(&nonce.into(), payload).ok()?,
            Sealer::ChaCha(c) => c.encrypt(&nonce.into(), payload).ok()?,
        };
        prefix.extend_from_slice(&sealed);
        let mut rec = vec![outer_type, 3, 3];
        rec.extend_from_slice(&(prefix.len() as u16).to_be_bytes());
        rec.extend_from_slice(&prefix);
        Some(rec)
    }
}

/// The two directions' keys of the harness session, before and after the switch.
struct SessionKeys {
    current: [Option<SealKeys>; 2],
    next: [Option<SealKeys>; 2],
}

fn session_keys(suite: u16) -> Option<SessionKeys> {
    if suite >> 8 == 0x13 {
        let len = if suite == 0x1302 { 48 } else { 32 };
        let s = |i| SealKeys::tls13(suite, &tls_secret(i, len));
        return Some(SessionKeys {
            current: [s(0), s(1)],
            next: [s(2), s(3)],
        });
    }
    let sha384 = suite == 0xc030;
    let (key_len, iv_len) = match suite {
        0xc02f => (16, 4),
        0xc030 => (32, 4),
        _ => (32, 12),
    };
    let seed = [&TLS_SERVER_RANDOM[..], &TLS_RANDOM[..]].concat();
    let block = crate::decrypt::tls::prf12(
        &tls_secret(9, 48),
        b"key expansion",
        &seed,
        2 * key_len + 2 * iv_len,
        sha384,
    )?;
    let (ck, rest) = block.split_at(key_len);
    let (sk, rest) = rest.split_at(key_len);
    let (civ, siv) = rest.split_at(iv_len);
    Some(SessionKeys {
        current: [None, None],
        next: [
            SealKeys::new(suite, ck, civ, Vec::new()),
            SealKeys::new(suite, sk, siv, Vec::new()),
        ],
    })
}

/// Builds the input of [`tls_decrypt`]: suite index, ALPN choice, then records as
/// `(header, content type, plaintext)`; see [`tls_decrypt`] for the header bits.
pub fn tls_session_input(suite: u8, alpn: u8, records: &[(u8, u8, &[u8])]) -> Vec<u8> {
    let mut out = vec![suite, alpn];
    for (header, ctype, data) in records {
        let mut body = vec![*ctype];
        body.extend_from_slice(data);
        out.extend(encode_chunks([(*header, &body[..])]));
    }
    out
}

/// A TLS session the harness builds and encrypts, the engine decrypts with the key log.
///
/// `[suite u8][alpn u8][chunks…]`, each chunk `[content type][plaintext]`; chunk header
/// bit 0: from the server; bit 1: switch this direction to its next keys first (TLS
/// 1.3: application secrets; TLS 1.2: send ChangeCipherSpec and start encrypting);
/// bit 2: KeyUpdate this direction's keys first (TLS 1.3); bit 3: send in clear.
pub fn tls_decrypt(data: &[u8]) {
    for ev in tls_decrypt_events(data) {
        consume(ev, true);
    }
}

/// The engine's events for a [`tls_decrypt`] input.
pub fn tls_decrypt_events(data: &[u8]) -> Vec<Event> {
    let mut events = Vec::new();
    let mut input = Input::new(data);
    let suite = TLS_SUITES[usize::from(input.u8()) % TLS_SUITES.len()];
    let alpn = match input.u8() % 3 {
        0 => None,
        1 => Some("h2"),
        _ => Some("http/1.1"),
    };
    let tls13 = suite >> 8 == 0x13;
    let mut keys = KeyStore::default();
    keys.add_text(tls_keylog(suite == 0x1302).as_bytes());
    let Some(mut sk) = session_keys(suite) else {
        return events;
    };
    let mut engine = Engine::new("fuzz.pcapng", limits(), keys);
    let mut tcp = TcpBuilder::new(443);
    tcp.collect = true;
    tcp.handshake(&mut engine);
    tcp.data(&mut engine, 0, &client_hello(alpn), true);
    tcp.data(&mut engine, 1, &server_hello(suite, tls13, alpn), true);
    while let Some((header, body)) = input.chunk() {
        let dir = usize::from(header & 1);
        let (ctype, plain) = match body.split_first() {
            Some((t, p)) => (*t, p),
            None => (23, &[][..]),
        };
        if header & 2 != 0 {
            if !tls13 {
                tcp.data(&mut engine, dir, &[20, 3, 3, 0, 1, 1], true);
            }
            sk.current[dir] = sk.next[dir].take();
        }
        if header & 4 != 0
            && let Some(k) = sk.current[dir].as_mut()
        {
            let _ = k.update();
        }
        let record = match sk.current[dir].as_mut() {
            Some(k) if header & 8 == 0 => k.seal(ctype, plain),
            _ => {
                let mut rec = vec![ctype, 3, 3];
                rec.extend_from_slice(&(plain.len().min(u16::MAX as usize) as u16).to_be_bytes());
                rec.extend_from_slice(plain);
                Some(rec)
            }
        };
        if let Some(rec) = record {
            tcp.data(&mut engine, dir, &rec, true);
        }
    }
    tcp.close(&mut engine);
    events.append(&mut tcp.events);
    engine.finish(&mut |ev| events.push(ev));
    events
}

impl TcpBuilder {
    /// One UDP datagram from `dir` (0 client, 1 server), same addresses and port.
    fn datagram(&self, dir: usize, payload: &[u8]) -> Vec<u8> {
        let (src, dst, sport, dport) = if dir == 0 {
            (self.client, self.server, 40000u16, self.port)
        } else {
            (self.server, self.client, self.port, 40000u16)
        };
        let udp_len = (8 + payload.len()).min(u16::MAX as usize - 20) as u16;
        let mut p = vec![0x45, 0];
        p.extend_from_slice(&(udp_len + 20).to_be_bytes());
        p.extend_from_slice(&[0, 1, 0x40, 0, 64, 17, 0, 0]);
        p.extend_from_slice(&src);
        p.extend_from_slice(&dst);
        p.extend_from_slice(&sport.to_be_bytes());
        p.extend_from_slice(&dport.to_be_bytes());
        p.extend_from_slice(&udp_len.to_be_bytes());
        p.extend_from_slice(&[0, 0]);
        p.extend_from_slice(payload.get(..usize::from(udp_len) - 8).unwrap_or(payload));
        p
    }
}

/// Seals a 1-RTT packet (empty Destination CID, 2-byte packet number) with
/// AES-128-GCM keys from `secret` and header protection from `hp`.
fn quic_short(hp: &[u8], secret: &[u8], pn: u16, phase: bool, plain: &[u8]) -> Option<Vec<u8>> {
    use aes::cipher::{BlockCipherEncrypt, KeyInit};
    use aes_gcm::aead::{Aead, Payload};
    let key = crate::proto::quic::hkdf_expand_label(secret, "quic key", 16)?;
    let iv = crate::proto::quic::hkdf_expand_label(secret, "quic iv", 12)?;
    let mut payload = plain.to_vec();
    // The header-protection sample needs 16 bytes from the fourth after the number.
    if payload.len() < 4 {
        payload.resize(4, 0);
    }
    let mut header = vec![0x41 | if phase { 0x04 } else { 0 }];
    header.extend_from_slice(&pn.to_be_bytes());
    let mut nonce: [u8; 12] = iv.try_into().ok()?;
    for (i, b) in u64::from(pn).to_be_bytes().iter().enumerate() {
        nonce[4 + i] ^= b;
    }
    let sealed = aes_gcm::Aes128Gcm::new_from_slice(&key)
        .ok()?
        .encrypt(
            &nonce.into(),
            Payload {
                msg: &payload,
                aad: &header,
            },
        )
        .ok()?;
    let mut packet = header;
    packet.extend_from_slice(&sealed);
    let mut block = aes::Block::default();
    block.copy_from_slice(packet.get(5..21)?);
    aes::Aes128::new_from_slice(hp)
        .ok()?
        .encrypt_block(&mut block);
    packet[0] ^= block[0] & 0x1f;
    packet[1] ^= block[1];
    packet[2] ^= block[2];
    Some(packet)
}

/// A QUIC connection the harness builds and encrypts, the engine decrypts with the
/// key log: Initials carrying the ClientHello and ServerHello (TLS_AES_128_GCM_SHA256),
/// then one 1-RTT packet per chunk whose plaintext is the chunk (QUIC frames). Chunk
/// header bit 0: from the server; bit 1: update this direction's keys first.
pub fn quic_decrypt(data: &[u8]) {
    for ev in quic_decrypt_events(data) {
        consume(ev, true);
    }
}

/// The engine's events for a [`quic_decrypt`] input.
pub fn quic_decrypt_events(data: &[u8]) -> Vec<Event> {
    let mut events = Vec::new();
    let mut keys = KeyStore::default();
    keys.add_text(tls_keylog(false).as_bytes());
    let mut engine = Engine::new("fuzz.pcapng", limits(), keys);
    let mut udp = TcpBuilder::new(443);
    udp.collect = true;
    let hellos = [client_hello(Some("h3")), server_hello(0x1301, true, None)];
    for (dir, hello) in hellos.iter().enumerate() {
        // CRYPTO frame at offset 0 with a two-byte length; the record header goes.
        let msg = hello.get(5..).unwrap_or(&[]);
        let mut frame = vec![0x06, 0x00];
        frame.extend_from_slice(&(0x4000 | msg.len() as u16).to_be_bytes());
        frame.extend_from_slice(msg);
        if let Some(packet) = quic_initial(&frame, dir == 0, 0) {
            let d = udp.datagram(dir, &packet);
            udp.send(&mut engine, &d, false);
        }
    }
    let mut secrets = [tls_secret(2, 32), tls_secret(3, 32)];
    let hp: Vec<Vec<u8>> = secrets
        .iter()
        .filter_map(|s| crate::proto::quic::hkdf_expand_label(s, "quic hp", 16))
        .collect();
    let mut phase = [false; 2];
    let mut pn = [0u16; 2];
    let mut input = Input::new(data);
    while let Some((header, body)) = input.chunk() {
        let dir = usize::from(header & 1);
        if header & 2 != 0
            && let Some(next) = crate::proto::quic::hkdf_expand_label(&secrets[dir], "quic ku", 32)
        {
            secrets[dir] = next;
            phase[dir] = !phase[dir];
        }
        let Some(hp) = hp.get(dir) else { break };
        if let Some(packet) = quic_short(hp, &secrets[dir], pn[dir], phase[dir], body) {
            let d = udp.datagram(dir, &packet);
            udp.send(&mut engine, &d, true);
        }
        pn[dir] = pn[dir].wrapping_add(1);
    }
    events.append(&mut udp.events);
    engine.finish(&mut |ev| events.push(ev));
    events
}

/// Arbitrary fragments through every supported suite's record decryption.
/// `[suite index u8][flags u8][secret 48][then records: ctype u8, len u16, bytes]`.
pub fn tls_records(data: &[u8]) {
    use crate::decrypt::tls::{self, DirectionKeys};
    const IDS: [u16; 14] = [
        0x1301, 0x1302, 0x1303, 0xc02f, 0xc030, 0xcca8, 0x002f, 0x0035, 0x003c, 0x003d, 0xc024,
        0xc013, 0x009c, 0xc0a0,
    ];
    let mut input = Input::new(data);
    let id = IDS[usize::from(input.u8()) % IDS.len()];
    let flags = input.u8();
    let secret = input.bytes(48).to_vec();
    let Some(suite) = tls::suite(id) else {
        return;
    };
    let mut keys = if suite.tls13 {
        DirectionKeys::tls13(suite, &secret)
    } else {
        DirectionKeys::tls12(
            suite,
            &secret,
            &TLS_RANDOM,
            &TLS_SERVER_RANDOM,
            flags & 1 == 1,
        )
        .map(|(c, _)| c)
    };
    while let Some((ctype, bytes)) = input.chunk() {
        let Some(k) = keys.as_mut() else { break };
        if ctype == 0xff {
            let _ = k.update();
            continue;
        }
        if let Some(plain) = k.open(ctype, 0x0303, bytes) {
            let _ = plain.data.len();
        }
        if flags & 2 == 2 {
            k.seq = k.seq.wrapping_add(u64::from(ctype));
        }
    }
}

pub fn keylog(data: &[u8]) {
    let mut keys = KeyStore::default();
    keys.add_text(data);
    let mut other = KeyStore::default();
    other.add_text(tls_keylog(false).as_bytes());
    keys.merge(&other);
    let _ = keys.get(&TLS_RANDOM).map(|s| s.has_tls13());
}

// ---------------------------------------------------------------------------------
// HAR, packages, policies

pub fn har(data: &[u8]) {
    let Some(path) = scratch_file(".har", data) else {
        return;
    };
    if let Ok(exchanges) = crate::source::har::read_har(&path) {
        for x in exchanges.iter().take(64) {
            let _ = detector().scan(x);
        }
    }
    let _ = std::fs::remove_file(&path);
}

fn zip_limits() -> crate::package::ZipLimits {
    crate::package::ZipLimits {
        max_entries: 4096,
        max_entry_bytes: 32 << 20,
        max_total_bytes: 64 << 20,
        max_ratio: 1000,
    }
}

pub fn apk(data: &[u8]) {
    let Ok(mut zip) = crate::package::ZipReader::new(Cursor::new(data), &zip_limits()) else {
        return;
    };
    if let Ok(info) = crate::package::apk::read_apk_from(&mut zip) {
        let _ = format!("{info:?}");
    }
    let _ = crate::package::apk::read_dex_classes(&mut zip);
}

pub fn ipa(data: &[u8]) {
    let Ok(mut zip) = crate::package::ZipReader::new(Cursor::new(data), &zip_limits()) else {
        return;
    };
    if let Ok(info) = crate::package::plistinfo::read_ipa_from(&mut zip) {
        let _ = format!("{info:?}");
    }
}

pub fn plist(data: &[u8]) {
    let _ = crate::package::plistinfo::parse_plist(data);
    if let Ok(m) = crate::package::parse_privacy_manifest(data) {
        let _ = format!("{m:?}");
    }
}

pub fn dex(data: &[u8]) {
    let _ = crate::package::dex::parse_classes(data);
}

/// First byte bit 0: the input is a `resources.arsc` table (next 4 bytes: the resource
/// id to resolve); else a binary XML document.
pub fn axml(data: &[u8]) {
    let mut input = Input::new(data);
    let mode = input.u8();
    if mode & 1 == 1 {
        let id = u32::from_be_bytes([input.u8(), input.u8(), input.u8(), input.u8()]);
        let _ = crate::package::axml::resolve_resource(input.rest(), id);
    } else {
        let mut events = 0usize;
        let _ = crate::package::axml::walk_xml(input.rest(), |e| {
            if let crate::package::axml::XmlEvent::Start(el) = e {
                for a in [
                    crate::package::axml::Attr::Name,
                    crate::package::axml::Attr::Package,
                ] {
                    let _ = el.attr(a);
                }
            }
            events += 1;
        });
    }
}

fn lexicon() -> Option<&'static crate::policy::extract::Lexicon> {
    static LEX: OnceLock<Option<crate::policy::extract::Lexicon>> = OnceLock::new();
    LEX.get_or_init(|| {
        let sdks: Vec<(String, String)> = crate::sdk::signatures::SDK_FILES
            .iter()
            .map(|(n, t)| (n.to_string(), t.to_string()))
            .collect();
        crate::policy::extract::Lexicon::from_files(crate::signatures::DEFAULT_DATATYPES, &sdks)
            .ok()
    })
    .as_ref()
}

pub fn policy_extract(data: &[u8]) {
    let Some(lex) = lexicon() else { return };
    if let Ok(x) = crate::policy::extract::extract(data, lex) {
        let _ = x.declaration.to_toml();
    }
}

/// First byte even: the rest is an HTML page; odd: a Markdown file. The conversion's
/// block ranges must lie on the text's character boundaries, and the document must go
/// through extraction as the second of two files.
pub fn policy_document(data: &[u8]) {
    use crate::policy::extract::document::{Format, convert};
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let format = if selector % 2 == 0 {
        Format::Html
    } else {
        Format::Markdown
    };
    let text = String::from_utf8_lossy(rest);
    let converted = convert(&text, format);
    for block in &converted.blocks {
        assert!(
            converted.text.get(block.range.clone()).is_some(),
            "block {block:?} is not a range of the text"
        );
    }
    let Some(lex) = lexicon() else { return };
    let name = if format == Format::Html {
        "sdk.html"
    } else {
        "sdk.md"
    };
    let docs = [
        crate::policy::extract::Input::new("policy.txt", b"1. We collect your email address."),
        crate::policy::extract::Input::new(name, rest),
    ];
    if let Ok(x) = crate::policy::extract::extract_documents(&docs, lex) {
        let _ = x.declaration.to_toml();
    }
}

fn ontology() -> &'static crate::signatures::Ontology {
    static ONT: OnceLock<crate::signatures::Ontology> = OnceLock::new();
    ONT.get_or_init(crate::signatures::Ontology::builtin)
}

fn sdk_db() -> &'static crate::sdk::SdkDb {
    static DB: OnceLock<crate::sdk::SdkDb> = OnceLock::new();
    DB.get_or_init(crate::sdk::SdkDb::builtin)
}

pub fn declaration(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Ok(decl) = crate::policy::Declaration::parse(&text, "fuzz.toml") {
        let _ = crate::policy::check::problems(&decl, ontology(), sdk_db());
        let _ = decl.to_toml();
    }
}

/// A TOML profile; bytes after a NUL are text to match against it.
pub fn device_profile(data: &[u8]) {
    let (toml_bytes, text) = match data.iter().position(|b| *b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    let Ok(profile) = toml::from_str::<crate::detect::profile::DeviceProfile>(
        &String::from_utf8_lossy(toml_bytes),
    ) else {
        return;
    };
    let _ = profile.values();
    if let Some(m) = crate::detect::profile::ProfileMatcher::new(&profile) {
        let _ = m.find(&String::from_utf8_lossy(text));
    }
}

/// `[flags][method\0uri\0header-name\0value\0…]` up to an empty name, then the body.
/// Flags bits 0-1: transport; bit 2: a Content-Encoding header from the next byte.
pub fn detect(data: &[u8]) {
    let mut input = Input::new(data);
    let flags = input.u8();
    let rest = input.rest();
    let mut parts = rest.splitn(64, |b| *b == 0);
    let text = |p: Option<&[u8]>| String::from_utf8_lossy(p.unwrap_or_default()).into_owned();
    let method = text(parts.next());
    let uri = text(parts.next());
    let mut headers = Vec::new();
    let mut body = Vec::new();
    while let Some(name) = parts.next() {
        if name.is_empty() {
            body = parts.flat_map(|p| p.iter().copied().chain([0])).collect();
            break;
        }
        let name = String::from_utf8_lossy(name).into_owned();
        headers.push((name, text(parts.next())));
    }
    let x = Exchange {
        file: Arc::from("fuzz.har"),
        frame: 1,
        last_frame: 1,
        ts: Timestamp(1_600_000_000_000_000_000),
        src: Some(Endpoint::new(
            IpAddr::V4(Ipv4Addr::new(192, 0, 2, 10)),
            40000,
        )),
        dst: Some(Endpoint::new(
            IpAddr::V4(Ipv4Addr::new(198, 51, 100, 20)),
            443,
        )),
        transport: match flags & 3 {
            0 => Transport::Http,
            1 => Transport::HttpsDecrypted,
            2 => Transport::Har,
            _ => Transport::Proxy,
        },
        scheme: Some(if flags & 3 == 0 { "http" } else { "https" }),
        method,
        uri,
        version: "HTTP/1.1".into(),
        headers,
        body_wire_len: body.len() as u64,
        body,
        body_encoding: Vec::new(),
        body_truncated: flags & 8 != 0,
        status: Some(200),
        response_content_type: None,
        app: None,
        partial: false,
    };
    let obs = detector().scan(&x);
    let _ = format!("{obs:?}");
}

/// `[codec u8][data]`: decompression under small limits, then the detector's decoding
/// layers on the data as text.
pub fn codec(data: &[u8]) {
    use crate::codec::{self, Compression};
    let mut input = Input::new(data);
    let kind = match input.u8() % 3 {
        0 => Compression::Gzip,
        1 => Compression::Deflate,
        _ => Compression::Brotli,
    };
    let rest = input.rest();
    let _ = codec::decompress(kind, rest, 1 << 20, 100);
    let _ = codec::sniff(rest);
    let text = String::from_utf8_lossy(rest);
    let _ = crate::detect::decode::decode_layers(&text, 1 << 20, 100);
    let _ = crate::detect::decode::form_pairs(&text);
    let _ = crate::detect::decode::percent(&text, true);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The QUIC harness is only worth fuzzing if its packets really decrypt: an HTTP/3
    /// request whose header block needs a QPACK insertion sent after it, split over
    /// two out-of-order STREAM frames with a key update between them, must come out.
    #[test]
    fn quic_decrypt_harness_yields_an_http3_request() {
        fn stream(id: u8, offset: u8, fin: bool, data: &[u8]) -> Vec<u8> {
            let mut f = vec![0x0e | u8::from(fin), id, offset, data.len() as u8];
            f.extend_from_slice(data);
            f
        }
        // Server control stream (3): SETTINGS with QPACK_MAX_TABLE_CAPACITY 220.
        let control = stream(3, 0, false, &[0x00, 0x04, 0x03, 0x01, 0x40, 0xdc]);
        // Request on stream 0: HEADERS (Required Insert Count 1, dynamic index 0 for
        // :authority, static GET and a literal :path), then DATA "imei=…".
        let mut block = vec![0x02, 0x00, 0x80, 0xc0 | 17, 0x51, 0x07];
        block.extend_from_slice(b"/v1/ping");
        block[5] = 8;
        let mut req = vec![0x01, block.len() as u8];
        req.extend_from_slice(&block);
        req.extend_from_slice(&[0x00, 20]);
        req.extend_from_slice(b"imei=861234567890123");
        let (a, b) = req.split_at(10);
        // Client encoder stream (2): capacity 220, insert :authority=api.example.
        let mut enc = vec![0x02, 0x3f, 0xbd, 0x01, 0xc0, 0x0b];
        enc.extend_from_slice(b"api.example");
        let response = stream(0, 0, true, &[0x01, 0x03, 0x00, 0x00, 0xc0 | 25]);
        let chunks: Vec<(u8, Vec<u8>)> = vec![
            (1, control),
            (0, stream(0, 10, true, b)),
            (2, stream(0, 0, false, a)),
            (0, stream(2, 0, false, &enc)),
            (1, response),
        ];
        let input = encode_chunks(chunks.iter().map(|(h, c)| (*h, &c[..])));
        let events = quic_decrypt_events(&input);
        let x: Vec<&Exchange> = events
            .iter()
            .filter_map(|e| match e {
                Event::Exchange(x) => Some(&**x),
                _ => None,
            })
            .collect();
        assert_eq!(x.len(), 1, "{events:?}");
        assert_eq!(x[0].method, "GET");
        assert_eq!(x[0].uri, "/v1/ping");
        assert_eq!(x[0].host().as_deref(), Some("api.example"));
        assert_eq!(x[0].version, "HTTP/3");
        assert_eq!(x[0].transport, Transport::HttpsDecrypted);
        assert_eq!(x[0].body, b"imei=861234567890123");
        assert_eq!(x[0].status, Some(200));
        let conn = events.iter().find_map(|e| match e {
            Event::Record(crate::record::Record::Conn(c)) => Some(c),
            _ => None,
        });
        assert_eq!(conn.and_then(|c| c.decrypted), Some(true), "{conn:?}");
    }

    /// The TLS harness is only worth fuzzing if its sessions really decrypt: every
    /// suite must yield the HTTP request sealed inside.
    #[test]
    fn tls_session_harness_decrypts_every_suite() {
        let fin = [&[20u8, 0, 0, 32][..], &[0x5a; 32]].concat();
        let req = b"GET /x?imei=861234567890123 HTTP/1.1\r\nHost: fuzz.example\r\n\r\n";
        for suite in 0..TLS_SUITES.len() as u8 {
            let recs: Vec<(u8, u8, &[u8])> = if suite < 3 {
                vec![(1, 22, &fin), (0, 22, &fin), (2, 23, req)]
            } else {
                vec![(2, 22, &fin[..16]), (0, 23, req)]
            };
            let events = tls_decrypt_events(&tls_session_input(suite, 2, &recs));
            let uris: Vec<&str> = events
                .iter()
                .filter_map(|e| match e {
                    Event::Exchange(x) => Some(x.uri.as_str()),
                    _ => None,
                })
                .collect();
            assert_eq!(
                uris,
                ["/x?imei=861234567890123"],
                "suite {suite}: {events:?}"
            );
        }
    }

    #[test]
    fn quic_harness_seals_initials_the_session_opens() {
        let mut hello = vec![1u8, 0, 0, 0];
        let mut body = vec![3, 3];
        body.extend_from_slice(&[7; 32]);
        body.extend_from_slice(&[0, 0, 2, 0x13, 0x01, 1, 0, 0, 0]);
        hello[3] = body.len() as u8;
        hello.extend_from_slice(&body);
        let mut frame = vec![0x06, 0x00, hello.len() as u8];
        frame.extend_from_slice(&hello);
        let packet = quic_initial(&frame, true, 0).expect("sealed");
        let mut session = crate::proto::quic::QuicSession::default();
        session.on_datagram(&packet, true, 1, Timestamp(0));
        assert!(session.client_hello.is_some(), "{session:?}");
    }
}
