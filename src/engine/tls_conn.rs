//! One TLS connection: the record layer for both directions, the plaintext handshake
//! (ClientHello, ServerHello, HelloRetryRequest), and — when the key log has this
//! connection's secrets — decryption of the rest, handing application data to HTTP/1
//! or HTTP/2 so decrypted requests reach the detector like cleartext ones.

use super::ctx::Ctx;
use super::emit::emit_tls_record;
use super::http_events::handle_http_events;
use super::visibility::TlsVisibility;
use crate::decrypt::tls::{self as dtls, DirectionKeys, Suite};
use crate::exchange::Transport;
use crate::limits::Limits;
use crate::net::Direction;
use crate::proto::http1::{self, HttpEvent, HttpSession};
use crate::proto::http2::{self, Http2Session};
use crate::proto::tls::{self, ClientHello, ServerHello};
use crate::time::Timestamp;

enum Inner {
    Undecided,
    Http1(Box<HttpSession>),
    Http2(Box<Http2Session>),
    Other,
}

struct Decrypt {
    suite: Suite,
    tls13: bool,
    client: Option<DirectionKeys>,
    server: Option<DirectionKeys>,
    /// TLS 1.3 application secrets, installed after each side's Finished.
    client_app: Option<Vec<u8>>,
    server_app: Option<Vec<u8>>,
    /// TLS 1.2: records are encrypted after the side's ChangeCipherSpec.
    encrypted: [bool; 2],
    inner: Inner,
    records: u64,
    hs: [Vec<u8>; 2],
    /// ALPN from the (TLS 1.3: encrypted) EncryptedExtensions or the ServerHello.
    alpn: Option<String>,
}

/// State of one TLS connection.
pub struct TlsConn {
    bufs: [Vec<u8>; 2],
    hs: [Vec<u8>; 2],
    done: [bool; 2],
    hello: Option<ClientHello>,
    hello_frames: Option<(u64, u64)>,
    hello_ts: Timestamp,
    server_hello: Option<ServerHello>,
    emitted: bool,
    retried: bool,
    pub sni: Option<String>,
    dec: Option<Box<Decrypt>>,
    pub visibility: Option<TlsVisibility>,
    limits: Limits,
    saw_any_handshake: bool,
    /// Decrypted application bytes (client to server, server to client).
    pub plaintext_bytes: [u64; 2],
}

impl std::fmt::Debug for TlsConn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TlsConn({:?})", self.sni)
    }
}

fn idx(dir: Direction) -> usize {
    match dir {
        Direction::Up => 0,
        Direction::Down => 1,
    }
}

const RECORD_MAX: usize = 18_432 + 2048;

impl TlsConn {
    pub fn new(limits: &Limits) -> Self {
        TlsConn {
            bufs: [Vec::new(), Vec::new()],
            hs: [Vec::new(), Vec::new()],
            done: [false, false],
            hello: None,
            hello_frames: None,
            hello_ts: Timestamp::default(),
            server_hello: None,
            emitted: false,
            retried: false,
            sni: None,
            dec: None,
            visibility: None,
            limits: limits.clone(),
            saw_any_handshake: false,
            plaintext_bytes: [0, 0],
        }
    }

    pub fn wants_data(&self) -> bool {
        !(self.done[0] && self.done[1])
    }

    pub fn on_data(
        &mut self,
        dir: Direction,
        data: &[u8],
        frame: u64,
        ts: Timestamp,
        ctx: &mut Ctx<'_>,
    ) {
        let d = idx(dir);
        if self.done[d] {
            return;
        }
        if dir == Direction::Up && self.hello.is_none() {
            let (first, _) = self.hello_frames.get_or_insert((frame, frame));
            if *first == 0 {
                *first = frame;
            }
            if self.hello_ts == Timestamp::default() {
                self.hello_ts = ts;
            }
        }
        if self.bufs[d].len() + data.len() > self.limits.tls_handshake_bytes.max(RECORD_MAX * 2)
            && self.dec.is_none()
        {
            ctx.warn(
                Some(frame),
                Some("tls_handshake_bytes"),
                "TLS handshake larger than the buffer limit; the rest of the connection is skipped"
                    .into(),
            );
            self.done[d] = true;
            return;
        }
        self.bufs[d].extend_from_slice(data);
        let mut consumed = 0;
        while !self.done[d] {
            let rest = &self.bufs[d][consumed..];
            if rest.len() < 5 {
                break;
            }
            let ctype = rest[0];
            let version = u16::from_be_bytes([rest[1], rest[2]]);
            let len = u16::from_be_bytes([rest[3], rest[4]]) as usize;
            if !(20..=24).contains(&ctype) || rest[1] != 3 || len > RECORD_MAX {
                self.done[d] = true;
                break;
            }
            if rest.len() < 5 + len {
                break;
            }
            let fragment = rest[5..5 + len].to_vec();
            consumed += 5 + len;
            self.record(dir, ctype, version, &fragment, frame, ts, ctx);
        }
        let d = idx(dir);
        self.bufs[d].drain(..consumed.min(self.bufs[d].len()));
        if self.done[d] {
            self.bufs[d] = Vec::new();
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn record(
        &mut self,
        dir: Direction,
        ctype: u8,
        version: u16,
        fragment: &[u8],
        frame: u64,
        ts: Timestamp,
        ctx: &mut Ctx<'_>,
    ) {
        let d = idx(dir);
        let encrypted = match &self.dec {
            Some(dec) if dec.tls13 => ctype == 23,
            Some(dec) => dec.encrypted[d] && ctype != 20,
            None => false,
        };
        if encrypted {
            self.decrypted_record(dir, ctype, version, fragment, frame, ts, ctx);
            return;
        }
        match ctype {
            22 => {
                self.saw_any_handshake = true;
                self.hs[d].extend_from_slice(fragment);
                if self.hs[d].len() > self.limits.tls_handshake_bytes {
                    self.done[d] = true;
                    return;
                }
                for (t, body) in drain_messages(&mut self.hs[d]) {
                    self.handshake(dir, t, &body, frame, ctx);
                }
            }
            20 => {
                if let Some(dec) = self.dec.as_mut()
                    && !dec.tls13
                {
                    dec.encrypted[d] = true;
                }
            }
            23 => {
                // Application data we cannot open.
                if self.visibility.is_none() {
                    self.visibility = Some(if self.saw_any_handshake {
                        if ctx.keys.is_empty() {
                            TlsVisibility::NoKeylog
                        } else {
                            TlsVisibility::NoKey
                        }
                    } else {
                        TlsVisibility::MidSession
                    });
                }
                self.done = [true, true];
            }
            _ => {}
        }
    }

    fn handshake(
        &mut self,
        dir: Direction,
        msg_type: u8,
        body: &[u8],
        frame: u64,
        ctx: &mut Ctx<'_>,
    ) {
        match (dir, msg_type) {
            (Direction::Up, 1) => {
                if let Some((first, _)) = self.hello_frames {
                    self.hello_frames = Some((first, frame));
                }
                if self.hello.is_none() {
                    self.hello = tls::parse_client_hello(body);
                    self.sni = self.hello.as_ref().and_then(|h| h.sni.clone());
                } else {
                    // A second ClientHello answers a HelloRetryRequest.
                    self.retried = true;
                }
            }
            (Direction::Down, 2) => {
                let Some(sh) = tls::parse_server_hello(body) else {
                    return;
                };
                if sh.is_hello_retry {
                    return;
                }
                if self.server_hello.is_none() {
                    self.server_hello = Some(sh);
                    self.setup_decryption(ctx);
                    if self.hello.is_some() {
                        self.emit(ctx);
                    }
                }
            }
            _ => {}
        }
    }

    fn setup_decryption(&mut self, ctx: &mut Ctx<'_>) {
        let (Some(ch), Some(sh)) = (&self.hello, &self.server_hello) else {
            return;
        };
        let tls13 = sh.version() == 0x0304;
        let Some(suite) = dtls::suite(sh.cipher_suite) else {
            self.visibility = Some(TlsVisibility::UnsupportedSuite(tls::cipher_name(
                sh.cipher_suite,
            )));
            if ctx.keys.is_empty() {
                self.visibility = Some(TlsVisibility::NoKeylog);
            }
            self.done = [true, true];
            return;
        };
        let Some(secrets) = ctx.keys.get(&ch.random) else {
            self.visibility = Some(if ctx.keys.is_empty() {
                TlsVisibility::NoKeylog
            } else {
                TlsVisibility::NoKey
            });
            // TLS 1.2: the client keeps sending plaintext handshake until its CCS, but
            // nothing further is of use.
            self.done = [true, true];
            return;
        };
        let mut dec = Decrypt {
            suite,
            tls13,
            client: None,
            server: None,
            client_app: None,
            server_app: None,
            encrypted: [false, false],
            inner: Inner::Undecided,
            records: 0,
            hs: [Vec::new(), Vec::new()],
            alpn: sh.alpn.clone(),
        };
        if tls13 {
            dec.client = secrets
                .client_handshake
                .as_deref()
                .and_then(|s| DirectionKeys::tls13(suite, s));
            dec.server = secrets
                .server_handshake
                .as_deref()
                .and_then(|s| DirectionKeys::tls13(suite, s));
            dec.client_app = secrets.client_traffic0.clone();
            dec.server_app = secrets.server_traffic0.clone();
            if dec.server.is_none() && dec.client.is_none() {
                self.visibility = Some(TlsVisibility::NoKey);
                self.done = [true, true];
                return;
            }
        } else {
            let Some(master) = &secrets.master else {
                self.visibility = Some(TlsVisibility::NoKey);
                self.done = [true, true];
                return;
            };
            // Encrypt-then-MAC (RFC 7366) changes the CBC record layout when both agree.
            let etm = ch.extensions.contains(&0x0016) && sh.extensions.contains(&0x0016);
            match DirectionKeys::tls12(suite, master, &ch.random, &sh.random, etm) {
                Some((c, s)) => {
                    dec.client = Some(c);
                    dec.server = Some(s);
                }
                None => {
                    self.visibility = Some(TlsVisibility::DecryptionFailed);
                    self.done = [true, true];
                    return;
                }
            }
        }
        self.dec = Some(Box::new(dec));
    }

    #[allow(clippy::too_many_arguments)]
    fn decrypted_record(
        &mut self,
        dir: Direction,
        ctype: u8,
        version: u16,
        fragment: &[u8],
        frame: u64,
        ts: Timestamp,
        ctx: &mut Ctx<'_>,
    ) {
        let d = idx(dir);
        let Some(dec) = self.dec.as_mut() else { return };
        let keys = match dir {
            Direction::Up => dec.client.as_mut(),
            Direction::Down => dec.server.as_mut(),
        };
        let Some(keys) = keys else {
            self.done[d] = true;
            return;
        };
        let Some(plain) = keys.open(ctype, version, fragment) else {
            if dec.records == 0 || self.visibility.is_none() {
                self.visibility = Some(TlsVisibility::DecryptionFailed);
            }
            self.done[d] = true;
            return;
        };
        dec.records += 1;
        self.visibility = Some(TlsVisibility::Decrypted);
        match plain.content_type {
            22 => {
                dec.hs[d].extend_from_slice(&plain.data);
                for (t, body) in drain_messages(&mut dec.hs[d]) {
                    match t {
                        // EncryptedExtensions: where TLS 1.3 puts the chosen ALPN.
                        8 => {
                            if let Some(alpn) = tls::parse_encrypted_extensions_alpn(&body) {
                                dec.alpn = Some(alpn);
                            }
                        }
                        // Finished: the side's application epoch starts after it.
                        20 if dec.tls13 => {
                            let app = match dir {
                                Direction::Up => dec.client_app.take(),
                                Direction::Down => dec.server_app.take(),
                            };
                            let next = app
                                .as_deref()
                                .and_then(|s| DirectionKeys::tls13(dec.suite, s));
                            match dir {
                                Direction::Up => dec.client = next,
                                Direction::Down => dec.server = next,
                            }
                        }
                        24 if dec.tls13 => {
                            let keys = match dir {
                                Direction::Up => dec.client.as_mut(),
                                Direction::Down => dec.server.as_mut(),
                            };
                            if let Some(k) = keys {
                                let _ = k.update();
                            }
                        }
                        _ => {}
                    }
                }
            }
            23 => {
                self.plaintext_bytes[d] += plain.data.len() as u64;
                let alpn_h2 = dec.alpn.as_deref() == Some("h2");
                // Servers may speak first (HTTP/2 SETTINGS); decide on the client's bytes
                // unless ALPN already told.
                if matches!(dec.inner, Inner::Undecided)
                    && dir == Direction::Down
                    && dec.alpn.is_none()
                    && !http1::looks_like_response(&plain.data)
                {
                    return;
                }
                if let Inner::Undecided = dec.inner {
                    dec.inner = if alpn_h2
                        || (dir == Direction::Up && http2::looks_like_preface(&plain.data))
                    {
                        Inner::Http2(Box::new(Http2Session::new(&self.limits, true)))
                    } else if (dir == Direction::Up && http1::looks_like_request(&plain.data))
                        || (dir == Direction::Down && http1::looks_like_response(&plain.data))
                    {
                        Inner::Http1(Box::new(HttpSession::new(&self.limits)))
                    } else {
                        Inner::Other
                    };
                }
                let mut events: Vec<HttpEvent> = Vec::new();
                match &mut dec.inner {
                    Inner::Http1(h) => match dir {
                        Direction::Up => h.on_request_data(&plain.data, frame, ts, &mut events),
                        Direction::Down => h.on_response_data(&plain.data, frame, ts, &mut events),
                    },
                    Inner::Http2(h) => {
                        h.feed(dir == Direction::Up, &plain.data, frame, ts, &mut events)
                    }
                    _ => {}
                }
                handle_http_events(events, ctx, Transport::HttpsDecrypted);
            }
            _ => {}
        }
    }

    fn emit(&mut self, ctx: &mut Ctx<'_>) {
        if self.emitted {
            return;
        }
        let Some(hello) = &self.hello else { return };
        self.emitted = true;
        let (first, last) = self.hello_frames.unwrap_or((0, 0));
        emit_tls_record(
            ctx,
            hello,
            self.server_hello.as_ref(),
            (first, last),
            self.hello_ts,
            self.retried,
        );
    }

    /// Stream bytes were lost: records cannot be found again in this direction.
    pub fn on_gap(&mut self, dir: Direction) {
        let d = idx(dir);
        self.done[d] = true;
        self.bufs[d] = Vec::new();
    }

    pub fn finish(&mut self, ctx: &mut Ctx<'_>) {
        self.emit(ctx);
        if let Some(dec) = self.dec.as_mut() {
            let mut events = Vec::new();
            match &mut dec.inner {
                Inner::Http1(h) => h.finish(&mut events),
                Inner::Http2(h) => h.finish(&mut events),
                _ => {}
            }
            handle_http_events(events, ctx, Transport::HttpsDecrypted);
        }
        if self.visibility.is_none() {
            self.visibility = Some(if self.hello.is_some() && self.server_hello.is_none() {
                TlsVisibility::NoServerHello
            } else if !self.saw_any_handshake {
                TlsVisibility::MidSession
            } else if ctx.keys.is_empty() {
                TlsVisibility::NoKeylog
            } else {
                TlsVisibility::NoKey
            });
        }
    }
}

/// Takes complete handshake messages (type, body) out of a buffer.
fn drain_messages(buffer: &mut Vec<u8>) -> Vec<(u8, Vec<u8>)> {
    let mut out = Vec::new();
    let mut consumed = 0;
    while buffer.len() - consumed >= 4 {
        let b = &buffer[consumed..];
        let len = u32::from_be_bytes([0, b[1], b[2], b[3]]) as usize;
        if b.len() < 4 + len {
            break;
        }
        out.push((b[0], b[4..4 + len].to_vec()));
        consumed += 4 + len;
    }
    buffer.drain(..consumed);
    out
}
