//! TLS handshake parsing: ClientHello and ServerHello from a reassembled byte stream
//! (records may split a handshake message, and a message may span many TCP segments).
//!
//! Extensions are walked raw, in wire order, because JA3 needs the order and a single
//! odd extension must not make the whole hello unreadable.

use super::wire::Reader;

pub const EXT_SERVER_NAME: u16 = 0x0000;
pub const EXT_SUPPORTED_GROUPS: u16 = 0x000a;
pub const EXT_EC_POINT_FORMATS: u16 = 0x000b;
pub const EXT_SIGNATURE_ALGORITHMS: u16 = 0x000d;
pub const EXT_ALPN: u16 = 0x0010;
pub const EXT_SUPPORTED_VERSIONS: u16 = 0x002b;
pub const EXT_PRE_SHARED_KEY: u16 = 0x0029;

/// GREASE values (RFC 8701) look like 0x?a?a with both bytes equal.
pub fn is_grease(v: u16) -> bool {
    (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff)
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ClientHello {
    pub legacy_version: u16,
    pub random: [u8; 32],
    pub session_id: Vec<u8>,
    pub cipher_suites: Vec<u16>,
    /// Extension types in wire order.
    pub extensions: Vec<u16>,
    pub sni: Option<String>,
    pub alpn: Vec<String>,
    /// Raw first ALPN value (JA4 looks at its bytes).
    pub alpn_first_raw: Option<Vec<u8>>,
    pub supported_versions: Vec<u16>,
    pub supported_groups: Vec<u16>,
    pub ec_point_formats: Vec<u8>,
    pub signature_algorithms: Vec<u16>,
}

impl ClientHello {
    /// The highest version offered (supported_versions wins over the legacy field).
    pub fn max_version(&self) -> u16 {
        self.supported_versions
            .iter()
            .copied()
            .filter(|v| !is_grease(*v))
            .max()
            .unwrap_or(self.legacy_version)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ServerHello {
    pub legacy_version: u16,
    pub random: [u8; 32],
    pub cipher_suite: u16,
    pub extensions: Vec<u16>,
    pub selected_version: Option<u16>,
    pub alpn: Option<String>,
    /// A HelloRetryRequest has a fixed, well-known random.
    pub is_hello_retry: bool,
    /// Up to TLS 1.2, echoing the client's session id accepts resumption.
    pub session_id: Vec<u8>,
}

impl ServerHello {
    pub fn version(&self) -> u16 {
        self.selected_version.unwrap_or(self.legacy_version)
    }

    /// Did the server accept resuming an earlier session? TLS 1.3: it chose one of the
    /// client's pre-shared keys; before: it echoed the client's non-empty session id
    /// (also how a session ticket is accepted, RFC 5077 §3.4).
    pub fn resumes(&self, client: &ClientHello) -> bool {
        if self.version() >= 0x0304 {
            self.extensions.contains(&EXT_PRE_SHARED_KEY)
        } else {
            !client.session_id.is_empty() && client.session_id == self.session_id
        }
    }
}

const HRR_RANDOM: [u8; 32] = [
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
];

/// Parses a ClientHello body (the bytes after the 4-byte handshake header).
pub fn parse_client_hello(body: &[u8]) -> Option<ClientHello> {
    client_hello(body, false)
}

/// Parses the start of a ClientHello body whose end was never received (the first
/// fragment of an IP datagram): the extensions that are whole are read, the one cut
/// short and everything after it are not. The second value is true when the hello
/// was cut short (then its fingerprints cannot be computed).
pub fn parse_client_hello_prefix(body: &[u8]) -> Option<(ClientHello, bool)> {
    let hello = client_hello(body, true)?;
    Some((hello, client_hello_len(body) != Some(body.len())))
}

/// The length a ClientHello body declares for itself, up to the end of its extensions.
fn client_hello_len(body: &[u8]) -> Option<usize> {
    let mut r = Reader::new(body);
    r.u16()?;
    r.bytes(32)?;
    r.vec8()?;
    r.vec16()?;
    r.vec8()?;
    if r.is_empty() {
        return Some(body.len());
    }
    r.vec16()?;
    Some(body.len() - r.remaining())
}

fn client_hello(body: &[u8], prefix: bool) -> Option<ClientHello> {
    let mut r = Reader::new(body);
    let mut hello = ClientHello {
        legacy_version: r.u16()?,
        ..ClientHello::default()
    };
    hello.random.copy_from_slice(r.bytes(32)?);
    hello.session_id = r.vec8()?.to_vec();
    let mut suites = Reader::new(r.vec16()?);
    while let Some(s) = suites.u16() {
        hello.cipher_suites.push(s);
    }
    r.vec8()?; // compression methods
    let mut probe = r;
    let ext_block = match probe.vec16() {
        Some(block) => block,
        // A cut hello: the extensions that arrived, after the 2-byte block length.
        None if prefix && r.remaining() > 2 => {
            r.u16()?;
            r.rest()
        }
        // Extensions are optional in old hellos.
        None => return Some(hello),
    };
    let mut exts = Reader::new(ext_block);
    while exts.remaining() >= 4 {
        let ext_type = exts.u16()?;
        let Some(data) = exts.vec16() else { break };
        hello.extensions.push(ext_type);
        // A malformed extension body leaves its field empty; the rest still counts.
        let _ = parse_client_extension(&mut hello, ext_type, data);
    }
    Some(hello)
}

fn parse_client_extension(hello: &mut ClientHello, ext_type: u16, data: &[u8]) -> Option<()> {
    let mut r = Reader::new(data);
    match ext_type {
        EXT_SERVER_NAME => {
            let mut list = Reader::new(r.vec16()?);
            while !list.is_empty() {
                let name_type = list.u8()?;
                let name = list.vec16()?;
                if name_type == 0 && hello.sni.is_none() {
                    hello.sni = Some(String::from_utf8_lossy(name).into_owned());
                }
            }
        }
        EXT_ALPN => {
            let mut list = Reader::new(r.vec16()?);
            while !list.is_empty() {
                let proto = list.vec8()?;
                if hello.alpn_first_raw.is_none() {
                    hello.alpn_first_raw = Some(proto.to_vec());
                }
                hello.alpn.push(String::from_utf8_lossy(proto).into_owned());
            }
        }
        EXT_SUPPORTED_VERSIONS => {
            let mut list = Reader::new(r.vec8()?);
            while let Some(v) = list.u16() {
                hello.supported_versions.push(v);
            }
        }
        EXT_SUPPORTED_GROUPS => {
            let mut list = Reader::new(r.vec16()?);
            while let Some(v) = list.u16() {
                hello.supported_groups.push(v);
            }
        }
        EXT_EC_POINT_FORMATS => {
            hello.ec_point_formats = r.vec8()?.to_vec();
        }
        EXT_SIGNATURE_ALGORITHMS => {
            let mut list = Reader::new(r.vec16()?);
            while let Some(v) = list.u16() {
                hello.signature_algorithms.push(v);
            }
        }
        _ => {}
    }
    Some(())
}

/// Parses a ServerHello body (after the 4-byte handshake header).
pub fn parse_server_hello(body: &[u8]) -> Option<ServerHello> {
    let mut r = Reader::new(body);
    let mut hello = ServerHello {
        legacy_version: r.u16()?,
        ..ServerHello::default()
    };
    hello.random.copy_from_slice(r.bytes(32)?);
    hello.is_hello_retry = hello.random == HRR_RANDOM;
    hello.session_id = r.vec8()?.to_vec();
    hello.cipher_suite = r.u16()?;
    r.u8()?; // compression
    let Some(ext_block) = r.vec16() else {
        return Some(hello);
    };
    let mut exts = Reader::new(ext_block);
    while exts.remaining() >= 4 {
        let ext_type = exts.u16()?;
        let Some(data) = exts.vec16() else { break };
        hello.extensions.push(ext_type);
        let mut d = Reader::new(data);
        match ext_type {
            EXT_SUPPORTED_VERSIONS => hello.selected_version = d.u16(),
            EXT_ALPN => {
                if let Some(list) = d.vec16()
                    && let Some(p) = Reader::new(list).vec8()
                {
                    hello.alpn = Some(String::from_utf8_lossy(p).into_owned());
                }
            }
            _ => {}
        }
    }
    Some(hello)
}

/// The ALPN protocol in a TLS 1.3 EncryptedExtensions message body.
pub fn parse_encrypted_extensions_alpn(body: &[u8]) -> Option<String> {
    let mut r = Reader::new(body);
    let mut exts = Reader::new(r.vec16()?);
    while exts.remaining() >= 4 {
        let t = exts.u16()?;
        let data = exts.vec16()?;
        if t == EXT_ALPN {
            let mut d = Reader::new(data);
            let list = d.vec16()?;
            let proto = Reader::new(list).vec8()?;
            return Some(String::from_utf8_lossy(proto).into_owned());
        }
    }
    None
}

/// A short name for a protocol version, as people write it.
pub fn version_name(v: u16) -> String {
    match v {
        0x0304 => "TLSv1.3".into(),
        0x0303 => "TLSv1.2".into(),
        0x0302 => "TLSv1.1".into(),
        0x0301 => "TLSv1.0".into(),
        0x0300 => "SSLv3".into(),
        0x0002 => "SSLv2".into(),
        0xfeff => "DTLSv1.0".into(),
        0xfefd => "DTLSv1.2".into(),
        0xfefc => "DTLSv1.3".into(),
        other => format!("0x{other:04x}"),
    }
}

/// IANA names of the cipher suites phones actually negotiate.
pub fn cipher_name(suite: u16) -> String {
    let name = match suite {
        0x1301 => "TLS_AES_128_GCM_SHA256",
        0x1302 => "TLS_AES_256_GCM_SHA384",
        0x1303 => "TLS_CHACHA20_POLY1305_SHA256",
        0xc02b => "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
        0xc02c => "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
        0xc02f => "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        0xc030 => "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
        0xcca8 => "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
        0xcca9 => "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
        0xc013 => "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
        0xc014 => "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
        0xc009 => "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
        0xc00a => "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
        0xc027 => "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
        0xc028 => "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384",
        0xc023 => "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
        0xc024 => "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384",
        0x009c => "TLS_RSA_WITH_AES_128_GCM_SHA256",
        0x009d => "TLS_RSA_WITH_AES_256_GCM_SHA384",
        0x009e => "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256",
        0x009f => "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384",
        0x002f => "TLS_RSA_WITH_AES_128_CBC_SHA",
        0x0035 => "TLS_RSA_WITH_AES_256_CBC_SHA",
        0x003c => "TLS_RSA_WITH_AES_128_CBC_SHA256",
        0x003d => "TLS_RSA_WITH_AES_256_CBC_SHA256",
        0x000a => "TLS_RSA_WITH_3DES_EDE_CBC_SHA",
        0x0005 => "TLS_RSA_WITH_RC4_128_SHA",
        _ => return format!("0x{suite:04x}"),
    };
    name.into()
}

/// One handshake message taken from the stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandshakeMessage {
    pub msg_type: u8,
    pub body: Vec<u8>,
}

/// What a TLS byte stream (one direction) has shown so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamEvent {
    /// The peer sent application data, so no more plaintext handshake messages will
    /// come.
    Encrypted,
    /// The stream is not TLS (or is damaged beyond resynchronising).
    NotTls,
}

/// Reassembles TLS records and the handshake messages inside them for one direction.
///
/// Buffers at most `limit` bytes; only the plaintext handshake is of interest here, so
/// the caller stops feeding once [`StreamEvent::Encrypted`] is seen.
#[derive(Debug, Default)]
pub struct HandshakeReader {
    records: Vec<u8>,
    handshake: Vec<u8>,
    limit: usize,
    pub overflowed: bool,
}

impl HandshakeReader {
    pub fn new(limit: usize) -> Self {
        HandshakeReader {
            limit,
            ..Default::default()
        }
    }

    /// Feeds stream bytes; complete handshake messages are pushed to `messages`.
    pub fn feed(
        &mut self,
        data: &[u8],
        messages: &mut Vec<HandshakeMessage>,
    ) -> Option<StreamEvent> {
        if self.records.len() + data.len() > self.limit {
            self.overflowed = true;
            return Some(StreamEvent::NotTls);
        }
        self.records.extend_from_slice(data);
        let mut consumed = 0;
        let mut event = None;
        loop {
            let rest = &self.records[consumed..];
            if rest.len() < 5 {
                break;
            }
            let content_type = rest[0];
            let major = rest[1];
            let len = u16::from_be_bytes([rest[3], rest[4]]) as usize;
            if !(20..=24).contains(&content_type) || major != 3 || len > 18_432 {
                event = Some(StreamEvent::NotTls);
                break;
            }
            if rest.len() < 5 + len {
                break;
            }
            let fragment = &rest[5..5 + len];
            match content_type {
                22 => {
                    self.handshake.extend_from_slice(fragment);
                    drain_messages(&mut self.handshake, messages);
                }
                // ChangeCipherSpec alone does not end the plaintext handshake: TLS 1.3
                // clients send one before a second ClientHello (after a
                // HelloRetryRequest) in middlebox-compatibility mode.
                23 => {
                    event = Some(StreamEvent::Encrypted);
                    consumed += 5 + len;
                    break;
                }
                _ => {}
            }
            consumed += 5 + len;
        }
        self.records.drain(..consumed);
        event
    }
}

fn drain_messages(buffer: &mut Vec<u8>, out: &mut Vec<HandshakeMessage>) {
    let mut consumed = 0;
    while buffer.len() - consumed >= 4 {
        let b = &buffer[consumed..];
        let len = u32::from_be_bytes([0, b[1], b[2], b[3]]) as usize;
        if b.len() < 4 + len {
            break;
        }
        out.push(HandshakeMessage {
            msg_type: b[0],
            body: b[4..4 + len].to_vec(),
        });
        consumed += 4 + len;
    }
    buffer.drain(..consumed);
}

/// Does this look like a TLS record of any type (a connection picked up after its
/// handshake)? Needs two record headers in a row to avoid guessing on one byte pattern.
pub fn looks_like_tls_record(data: &[u8]) -> bool {
    let header = |d: &[u8]| d.len() >= 5 && (20..=23).contains(&d[0]) && d[1] == 3 && d[2] <= 4;
    if !header(data) {
        return false;
    }
    let len = u16::from_be_bytes([data[3], data[4]]) as usize;
    match data.get(5 + len..) {
        Some(next) if !next.is_empty() => header(next),
        // A single record filling the segment: accept application data of a sane size.
        _ => data[0] == 23 && len <= 18_432 && data.len() == 5 + len,
    }
}

/// Does this look like the start of a TLS stream (a handshake record)?
pub fn looks_like_tls(data: &[u8]) -> bool {
    data.len() >= 3 && data[0] == 22 && data[1] == 3 && data[2] <= 4
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A ClientHello as a TLS record, built field by field.
    pub fn client_hello_record(sni: &str, alpn: &[&str]) -> Vec<u8> {
        let mut exts = Vec::new();
        let mut push_ext = |t: u16, body: &[u8]| {
            exts.extend_from_slice(&t.to_be_bytes());
            exts.extend_from_slice(&(body.len() as u16).to_be_bytes());
            exts.extend_from_slice(body);
        };
        let mut sni_body = Vec::new();
        sni_body.extend_from_slice(&((sni.len() + 3) as u16).to_be_bytes());
        sni_body.push(0);
        sni_body.extend_from_slice(&(sni.len() as u16).to_be_bytes());
        sni_body.extend_from_slice(sni.as_bytes());
        push_ext(0x0a0a, &[]);
        push_ext(EXT_SERVER_NAME, &sni_body);
        let mut alpn_list = Vec::new();
        for p in alpn {
            alpn_list.push(p.len() as u8);
            alpn_list.extend_from_slice(p.as_bytes());
        }
        let mut alpn_body = (alpn_list.len() as u16).to_be_bytes().to_vec();
        alpn_body.extend_from_slice(&alpn_list);
        push_ext(EXT_ALPN, &alpn_body);
        push_ext(EXT_SUPPORTED_VERSIONS, &[4, 0x03, 0x04, 0x03, 0x03]);
        push_ext(EXT_SUPPORTED_GROUPS, &[0, 4, 0x00, 0x1d, 0x00, 0x17]);
        push_ext(EXT_EC_POINT_FORMATS, &[1, 0]);
        push_ext(EXT_SIGNATURE_ALGORITHMS, &[0, 4, 0x04, 0x03, 0x08, 0x04]);
        let mut body = vec![0x03, 0x03];
        body.extend_from_slice(&[7u8; 32]);
        body.push(0);
        body.extend_from_slice(&[0, 6, 0x2a, 0x2a, 0x13, 0x01, 0xc0, 0x2f]);
        body.extend_from_slice(&[1, 0]);
        body.extend_from_slice(&(exts.len() as u16).to_be_bytes());
        body.extend_from_slice(&exts);
        let mut hs = vec![1];
        hs.extend_from_slice(&(body.len() as u32).to_be_bytes()[1..]);
        hs.extend_from_slice(&body);
        let mut rec = vec![22, 3, 1];
        rec.extend_from_slice(&(hs.len() as u16).to_be_bytes());
        rec.extend_from_slice(&hs);
        rec
    }

    #[test]
    fn a_cut_hello_still_gives_its_sni() {
        let rec = client_hello_record("cut.example.com", &["h2"]);
        let body = &rec[9..];
        let (whole, cut) = parse_client_hello_prefix(body).unwrap();
        assert!(!cut);
        assert_eq!(whole.sni.as_deref(), Some("cut.example.com"));
        // Cut inside ALPN: SNI (before it) is read, ALPN and later are not.
        let alpn_at = body.windows(2).position(|w| w == b"h2").unwrap();
        let (part, cut) = parse_client_hello_prefix(&body[..alpn_at]).unwrap();
        assert!(cut);
        assert_eq!(part.sni.as_deref(), Some("cut.example.com"));
        assert!(part.alpn.is_empty());
        // The strict parser does not read extensions of a cut hello at all.
        assert!(parse_client_hello(&body[..alpn_at]).unwrap().sni.is_none());
        for len in 0..body.len() {
            let _ = parse_client_hello_prefix(&body[..len]);
        }
    }

    #[test]
    fn parses_a_client_hello_split_across_feeds() {
        let rec = client_hello_record("api.example.com", &["h2", "http/1.1"]);
        let mut reader = HandshakeReader::new(1 << 16);
        let mut msgs = Vec::new();
        for chunk in rec.chunks(7) {
            assert_eq!(reader.feed(chunk, &mut msgs), None);
        }
        assert_eq!(msgs.len(), 1);
        let hello = parse_client_hello(&msgs[0].body).unwrap();
        assert_eq!(hello.sni.as_deref(), Some("api.example.com"));
        assert_eq!(hello.alpn, vec!["h2", "http/1.1"]);
        assert_eq!(hello.max_version(), 0x0304);
        assert_eq!(hello.cipher_suites, vec![0x2a2a, 0x1301, 0xc02f]);
        assert_eq!(hello.extensions[0], 0x0a0a);
    }

    #[test]
    fn truncated_hellos_do_not_panic() {
        let rec = client_hello_record("a.b", &["h2"]);
        for n in 0..rec.len() {
            let _ = parse_client_hello(&rec[9..n.max(9)]);
            let _ = parse_server_hello(&rec[9..n.max(9)]);
        }
    }

    #[test]
    fn non_tls_bytes_are_rejected() {
        let mut reader = HandshakeReader::new(1 << 16);
        let mut msgs = Vec::new();
        assert_eq!(
            reader.feed(b"GET / HTTP/1.1\r\n", &mut msgs),
            Some(StreamEvent::NotTls)
        );
    }

    #[test]
    fn grease_detection() {
        assert!(is_grease(0x0a0a));
        assert!(is_grease(0xfafa));
        assert!(!is_grease(0x0a1a));
        assert!(!is_grease(0x1301));
    }
}
