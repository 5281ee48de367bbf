//! One QUIC connection in the engine: the Initial handshake (`proto::quic`), then —
//! when the key log has this connection's TLS 1.3 application traffic secrets — 1-RTT
//! decryption (`decrypt::quic`), per-stream reassembly and HTTP/3 (`proto::http3`), so
//! requests sent over QUIC reach the detector like decrypted TLS ones. Connections that
//! stay opaque say why, with the same reasons as TLS (`TlsVisibility`).

use std::collections::{BTreeSet, HashMap};

use super::ctx::Ctx;
use super::http_events::handle_http_events;
use super::visibility::TlsVisibility;
use crate::decrypt::quic::OneRttKeys;
use crate::decrypt::tls as dtls;
use crate::exchange::Transport;
use crate::limits::Limits;
use crate::net::Direction;
use crate::proto::http3::Http3Session;
use crate::proto::quic::{self, Frame, QuicSession, StreamAssembler};
use crate::proto::tls;
use crate::time::Timestamp;

/// Finished stream directions remembered per connection.
const CLOSED_MEMORY: usize = 4096;

/// State of one QUIC connection.
pub struct QuicConn {
    pub session: QuicSession,
    /// The `quic` handshake record was pushed.
    pub emitted: bool,
    /// 1-RTT keys: client to server, server to client.
    keys: [Option<OneRttKeys>; 2],
    setup_done: bool,
    /// Set when decryption could not be set up; `Decrypted` once a packet opened.
    visibility: Option<TlsVisibility>,
    streams: HashMap<(bool, u64), StreamAssembler>,
    /// Stream directions already read to their FIN: retransmitted frames of them must
    /// not start them again (that would report a request twice). The most recent
    /// `CLOSED_MEMORY` are remembered; stream ids only grow.
    closed: BTreeSet<(bool, u64)>,
    h3: Option<Box<Http3Session>>,
    /// Stream bytes decrypted (client to server, server to client).
    pub plaintext_bytes: [u64; 2],
    opened: u64,
    failed: u64,
    stream_limit_warned: bool,
    limits: Limits,
}

impl std::fmt::Debug for QuicConn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "QuicConn(opened {}, failed {})",
            self.opened, self.failed
        )
    }
}

impl QuicConn {
    pub fn new(limits: &Limits) -> Self {
        QuicConn {
            session: QuicSession::default(),
            emitted: false,
            keys: [None, None],
            setup_done: false,
            visibility: None,
            streams: HashMap::new(),
            closed: BTreeSet::new(),
            h3: None,
            plaintext_bytes: [0, 0],
            opened: 0,
            failed: 0,
            stream_limit_warned: false,
            limits: limits.clone(),
        }
    }

    /// Why the connection's content is (not) visible, as TLS reports it.
    pub fn visibility(&self) -> TlsVisibility {
        if let Some(v) = &self.visibility {
            return v.clone();
        }
        if self.opened > 0 {
            TlsVisibility::Decrypted
        } else if self.failed > 0 {
            TlsVisibility::DecryptionFailed
        } else if self.session.client_hello.is_none() {
            TlsVisibility::MidSession
        } else if self.session.server_hello.is_none() {
            TlsVisibility::NoServerHello
        } else {
            // The keys are there; the capture just holds no 1-RTT packet to open.
            TlsVisibility::Decrypted
        }
    }

    pub fn on_datagram(
        &mut self,
        dir: Direction,
        data: &[u8],
        frame: u64,
        ts: Timestamp,
        ctx: &mut Ctx<'_>,
    ) {
        let from_client = dir == Direction::Up;
        let short = self.session.on_datagram(data, from_client, frame, ts);
        if !self.setup_done
            && self.session.client_hello.is_some()
            && self.session.server_hello.is_some()
        {
            self.setup_done = true;
            self.setup(ctx);
        }
        if let Some(packet) = short.and_then(|off| data.get(off..)) {
            self.short_packet(packet, from_client, frame, ts, ctx);
        }
    }

    fn setup(&mut self, ctx: &mut Ctx<'_>) {
        let (Some(ch), Some(sh)) = (&self.session.client_hello, &self.session.server_hello) else {
            return;
        };
        let no_key = if ctx.keys.is_empty() {
            TlsVisibility::NoKeylog
        } else {
            TlsVisibility::NoKey
        };
        let Some(suite) = dtls::suite(sh.cipher_suite).filter(|s| s.tls13) else {
            self.visibility = Some(if ctx.keys.is_empty() {
                TlsVisibility::NoKeylog
            } else {
                TlsVisibility::UnsupportedSuite(tls::cipher_name(sh.cipher_suite))
            });
            return;
        };
        let Some(secrets) = ctx.keys.get(&ch.random) else {
            self.visibility = Some(no_key);
            return;
        };
        let v2 = self.session.version == quic::VERSION_2;
        let client = secrets
            .client_traffic0
            .as_deref()
            .and_then(|s| OneRttKeys::new(suite, s, v2));
        let server = secrets
            .server_traffic0
            .as_deref()
            .and_then(|s| OneRttKeys::new(suite, s, v2));
        if client.is_none() && server.is_none() {
            self.visibility = Some(no_key);
            return;
        }
        self.keys = [client, server];
        // The chosen ALPN is in the (undecrypted) Handshake packets, so the offer
        // decides: other protocols over QUIC (DNS over QUIC, …) are decrypted and
        // counted but not read as HTTP/3.
        if ch.alpn.is_empty() || ch.alpn.iter().any(|a| a.starts_with("h3")) {
            self.h3 = Some(Box::new(Http3Session::new(&self.limits)));
        }
    }

    fn short_packet(
        &mut self,
        packet: &[u8],
        from_client: bool,
        frame: u64,
        ts: Timestamp,
        ctx: &mut Ctx<'_>,
    ) {
        let d = usize::from(!from_client);
        // A short header's Destination CID is the one its receiver chose.
        let dcid_len = if from_client {
            self.session.server_scid.as_ref().map(Vec::len)
        } else {
            self.session.client_scid.as_ref().map(Vec::len)
        };
        let (Some(keys), Some(dcid_len)) = (self.keys[d].as_mut(), dcid_len) else {
            return;
        };
        let Some(opened) = keys.open(packet, dcid_len) else {
            self.failed += 1;
            return;
        };
        self.opened += 1;
        let (frames, _complete) = quic::parse_frames(&opened.payload);
        let mut events = Vec::new();
        for f in frames {
            match f {
                Frame::Stream {
                    id,
                    offset,
                    fin,
                    data,
                } => {
                    let key = (from_client, id);
                    if self.closed.contains(&key) {
                        continue;
                    }
                    if !self.streams.contains_key(&key)
                        && self.streams.len() >= self.limits.quic_streams * 2
                    {
                        if !self.stream_limit_warned {
                            self.stream_limit_warned = true;
                            ctx.warn(
                                Some(frame),
                                Some("quic_streams"),
                                format!(
                                    "more than {} QUIC streams open at once; data of further streams is skipped",
                                    self.limits.quic_streams
                                ),
                            );
                        }
                        continue;
                    }
                    let asm = self.streams.entry(key).or_default();
                    let dropped_before = asm.dropped;
                    let bytes = asm.insert(offset, data, fin, self.limits.quic_stream_bytes);
                    let finished = asm.finished();
                    if asm.dropped > dropped_before && dropped_before == 0 {
                        ctx.warn(
                            Some(frame),
                            Some("quic_stream_bytes"),
                            format!("QUIC stream {id}: out-of-order data beyond the buffer limit was dropped"),
                        );
                    }
                    if finished {
                        self.streams.remove(&key);
                        self.closed.insert(key);
                        if self.closed.len() > CLOSED_MEMORY {
                            // Forget the oldest (lowest id) of either direction.
                            let oldest = self.closed.iter().min_by_key(|(_, id)| *id).copied();
                            if let Some(k) = oldest {
                                self.closed.remove(&k);
                            }
                        }
                    }
                    self.plaintext_bytes[d] += bytes.len() as u64;
                    if let Some(h3) = self.h3.as_mut()
                        && (!bytes.is_empty() || finished)
                    {
                        h3.on_stream_data(
                            from_client,
                            id,
                            &bytes,
                            finished,
                            frame,
                            ts,
                            &mut events,
                        );
                    }
                }
                Frame::ResetStream { id } => {
                    self.streams.remove(&(from_client, id));
                    if let Some(h3) = self.h3.as_mut() {
                        h3.on_reset(id, &mut events);
                    }
                }
                _ => {}
            }
        }
        handle_http_events(events, ctx, Transport::HttpsDecrypted);
    }

    /// The flow ended: requests still open are reported.
    pub fn finish(&mut self, ctx: &mut Ctx<'_>) {
        if self.opened > 0 && self.failed > 0 {
            ctx.warn(
                None,
                None,
                format!(
                    "{} of {} QUIC 1-RTT packets could not be opened (new connection ids of another length, or damaged packets); their content is missing",
                    self.failed,
                    self.failed + self.opened
                ),
            );
        }
        if let Some(h3) = self.h3.as_mut() {
            let mut events = Vec::new();
            h3.finish(&mut events);
            handle_http_events(events, ctx, Transport::HttpsDecrypted);
        }
        if self.visibility.is_none() && self.opened == 0 && !self.setup_done {
            // The handshake was not seen whole, so no key could be looked up.
            self.visibility = Some(
                if self.session.client_hello.is_some() && self.session.server_hello.is_none() {
                    TlsVisibility::NoServerHello
                } else if ctx.keys.is_empty() {
                    TlsVisibility::NoKeylog
                } else {
                    TlsVisibility::MidSession
                },
            );
        }
    }
}
