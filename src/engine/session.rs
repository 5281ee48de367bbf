//! The application-layer state of one flow: protocol detection by content, then the
//! protocol's own state machine, turning stream bytes into records and exchanges.

use crate::exchange::Transport;
use crate::limits::Limits;
use crate::net::Direction;
use crate::proto::dns;
use crate::proto::http1::{self, HttpEvent, HttpSession};
use crate::proto::quic;
use crate::proto::tls;
use crate::record::{HandshakeRecord, Record};
use crate::time::Timestamp;

use super::Event;
use super::ctx::Ctx;
use super::emit::{emit_dns, emit_quic};
use super::http_events::handle_http_events;
use super::quic_conn::QuicConn;
use super::tls_conn::TlsConn;
use super::visibility::TlsVisibility;

/// Google QUIC: the SNI from the cleartext CHLO and the frames that carried it.
#[derive(Debug, Default)]
pub struct GquicState {
    sni: Option<String>,
    frames: (u64, u64),
    ts: Timestamp,
    version: Option<u32>,
}

/// DNS over TCP: two-byte length prefix per message.
#[derive(Debug, Default)]
pub struct DnsTcpState {
    up: Vec<u8>,
    down: Vec<u8>,
    up_frame: Option<u64>,
    down_frame: Option<u64>,
}

/// What the flow's bytes are.
#[derive(Debug)]
pub enum App {
    /// Not recognised yet; `probes` chunks looked at so far.
    Undecided {
        probes: u8,
    },
    Tls(Box<TlsConn>),
    Http(Box<HttpSession>),
    /// Cleartext HTTP/2 (prior knowledge, or after an h2c Upgrade).
    Http2(Box<crate::proto::http2::Http2Session>),
    DnsTcp(Box<DnsTcpState>),
    Dns,
    Quic(Box<QuicConn>),
    /// HTTP requests in single datagrams (SSDP `M-SEARCH`/`NOTIFY`, UPnP).
    HttpUdp,
    Gquic(Box<GquicState>),
    /// Not a protocol we parse (or given up on).
    Ignored,
}

const MAX_PROBES: u8 = 8;

impl App {
    pub fn service(&self) -> &'static str {
        match self {
            App::Tls(_) => "tls",
            App::Http(_) | App::HttpUdp | App::Http2(_) => "http",
            App::DnsTcp(_) | App::Dns => "dns",
            App::Quic(..) | App::Gquic(_) => "quic",
            App::Undecided { .. } | App::Ignored => "none",
        }
    }

    /// Whether stream bytes still matter to this flow (else reassembly can be skipped).
    pub fn wants_stream(&self) -> bool {
        match self {
            App::Undecided { .. } | App::Http(_) | App::Http2(_) | App::DnsTcp(_) => true,
            App::Tls(t) => t.wants_data(),
            _ => false,
        }
    }

    /// For TLS and QUIC: (decrypted, reason it was not, plaintext bytes up and down).
    /// Google QUIC is never decrypted.
    pub fn tls_visibility(&self) -> Option<(bool, Option<String>, [u64; 2])> {
        match self {
            App::Tls(t) => t.visibility.as_ref().map(|v| {
                let ok = *v == TlsVisibility::Decrypted;
                (ok, (!ok).then(|| v.reason()), t.plaintext_bytes)
            }),
            App::Quic(q) => {
                let v = q.visibility();
                let ok = v == TlsVisibility::Decrypted;
                Some((ok, (!ok).then(|| v.reason()), q.plaintext_bytes))
            }
            App::Gquic(_) => Some((
                false,
                Some("Google QUIC payloads are not decrypted (only the CHLO is read)".into()),
                [0, 0],
            )),
            _ => None,
        }
    }

    pub fn sni(&self) -> Option<&str> {
        match self {
            App::Tls(t) => t.sni.as_deref(),
            App::Quic(q) => q
                .session
                .client_hello
                .as_ref()
                .and_then(|h| h.sni.as_deref()),
            App::Gquic(g) => g.sni.as_deref(),
            _ => None,
        }
    }

    /// In-order TCP bytes of one direction.
    pub fn on_tcp_data(
        &mut self,
        dir: Direction,
        data: &[u8],
        frame: u64,
        ts: Timestamp,
        ctx: &mut Ctx<'_>,
    ) {
        if let App::Undecided { probes } = self {
            match detect_tcp(dir, data, ctx.client.port, ctx.server.port) {
                Some(app) => *self = app.build(ctx.limits),
                None => {
                    *probes += 1;
                    if *probes >= MAX_PROBES {
                        *self = App::Ignored;
                    }
                    return;
                }
            }
        }
        match self {
            App::Tls(t) => t.on_data(dir, data, frame, ts, ctx),
            App::Http(h) => {
                let mut events = Vec::new();
                match dir {
                    Direction::Up => h.on_request_data(data, frame, ts, &mut events),
                    Direction::Down => h.on_response_data(data, frame, ts, &mut events),
                }
                if handle_http_events(events, ctx, Transport::Http) {
                    // A tunnel (CONNECT): what follows is another protocol.
                    *self = App::Undecided { probes: 0 };
                }
            }
            App::Http2(h) => {
                let mut events = Vec::new();
                h.feed(dir == Direction::Up, data, frame, ts, &mut events);
                handle_http_events(events, ctx, Transport::Http);
            }
            App::DnsTcp(state) => dns_tcp(state, dir, data, frame, ts, ctx),
            _ => {}
        }
    }

    pub fn on_tcp_gap(&mut self, dir: Direction, len: u64) {
        match self {
            App::Http(h) => h.on_gap(dir == Direction::Up, len),
            App::DnsTcp(state) => match dir {
                Direction::Up => state.up.clear(),
                Direction::Down => state.down.clear(),
            },
            App::Tls(t) => t.on_gap(dir),
            _ => {}
        }
    }

    /// One UDP datagram.
    pub fn on_udp(
        &mut self,
        dir: Direction,
        data: &[u8],
        frame: u64,
        ts: Timestamp,
        ctx: &mut Ctx<'_>,
    ) {
        if let App::Undecided { .. } = self {
            *self = detect_udp(data, ctx.client.port, ctx.server.port, ctx.limits);
        }
        match self {
            App::Dns => {
                if let Some(msg) = dns::parse(data) {
                    emit_dns(&msg, "udp", dir, (frame, frame), ts, ctx);
                }
            }
            App::Quic(q) => {
                q.on_datagram(dir, data, frame, ts, ctx);
                let session = &q.session;
                if !q.emitted
                    && session.client_hello.is_some()
                    && session.server_hello.is_some()
                    && session.client_finished
                {
                    q.emitted = true;
                    emit_quic(&q.session, ctx);
                }
            }
            App::Gquic(g) => {
                if dir == Direction::Up
                    && let Some(sni) = quic::gquic_sni(data)
                {
                    // A second CHLO follows a REJ; the record spans them all.
                    if g.sni.is_none() {
                        g.sni = Some(sni);
                        g.frames = (frame, frame);
                        g.ts = ts;
                        g.version = quic::gquic_version(data);
                    } else {
                        g.frames.1 = frame;
                    }
                }
            }
            App::HttpUdp => {
                if let Some(req) = http1::parse_datagram(data, frame, ts) {
                    handle_http_events(
                        vec![HttpEvent::Exchange(Box::new(req))],
                        ctx,
                        Transport::Http,
                    );
                }
            }
            _ => {}
        }
    }

    /// The flow ended.
    pub fn finish(&mut self, ctx: &mut Ctx<'_>) {
        match self {
            App::Tls(t) => t.finish(ctx),
            App::Http2(h) => {
                let mut events = Vec::new();
                h.finish(&mut events);
                handle_http_events(events, ctx, Transport::Http);
            }
            App::Http(h) => {
                let mut events = Vec::new();
                h.finish(&mut events);
                handle_http_events(events, ctx, Transport::Http);
            }
            App::Quic(q) => {
                if !q.emitted && q.session.client_hello.is_some() {
                    q.emitted = true;
                    emit_quic(&q.session, ctx);
                }
                q.finish(ctx);
            }
            App::Gquic(g) => {
                if let Some(sni) = &g.sni {
                    let version = g
                        .version
                        .map(quic::version_name)
                        .unwrap_or_else(|| "gQUIC".into());
                    ctx.out.push(Event::Record(Record::Quic(HandshakeRecord {
                        meta: ctx.meta(g.frames.0, g.frames.1, g.ts, Direction::Up),
                        sni: Some(sni.clone()),
                        alpn: Vec::new(),
                        ja3: None,
                        ja4: None,
                        version,
                        client_version: None,
                        cipher: None,
                        server_alpn: None,
                        established: false,
                        hello_retry: g.frames.1 > g.frames.0,
                        resumed: false,
                    })));
                }
            }
            _ => {}
        }
    }
}

enum Detected {
    Tls,
    Http,
    Http2,
    DnsTcp,
}

impl Detected {
    fn build(self, limits: &Limits) -> App {
        match self {
            Detected::Tls => App::Tls(Box::new(TlsConn::new(limits))),
            Detected::Http => App::Http(Box::new(HttpSession::new(limits))),
            Detected::Http2 => App::Http2(Box::new(crate::proto::http2::Http2Session::new(
                limits, true,
            ))),
            Detected::DnsTcp => App::DnsTcp(Box::default()),
        }
    }
}

fn detect_tcp(dir: Direction, data: &[u8], client_port: u16, server_port: u16) -> Option<Detected> {
    if tls::looks_like_tls(data) || tls::looks_like_tls_record(data) {
        return Some(Detected::Tls);
    }
    if dir == Direction::Up && crate::proto::http2::looks_like_preface(data) {
        return Some(Detected::Http2);
    }
    match dir {
        Direction::Up if http1::looks_like_request(data) && data.len() >= 4 => Some(Detected::Http),
        Direction::Down if http1::looks_like_response(data) => Some(Detected::Http),
        _ if (server_port == 53 || client_port == 53) && data.len() >= 14 => {
            let len = u16::from_be_bytes([data[0], data[1]]) as usize;
            (len >= 12).then_some(Detected::DnsTcp)
        }
        _ => None,
    }
}

fn detect_udp(data: &[u8], client_port: u16, server_port: u16, limits: &Limits) -> App {
    let dns_port = |p: u16| matches!(p, 53 | 5353 | 5355);
    if (dns_port(server_port) || dns_port(client_port)) && dns::parse(data).is_some() {
        return App::Dns;
    }
    if quic::gquic_version(data).is_some() {
        return App::Gquic(Box::default());
    }
    if http1::looks_like_request(data) && memchr::memmem::find(data, b" HTTP/1.").is_some() {
        return App::HttpUdp;
    }
    if let Some(h) = quic::parse_long_header(data)
        && h.version != 0
    {
        return App::Quic(Box::new(QuicConn::new(limits)));
    }
    App::Ignored
}

fn dns_tcp(
    state: &mut DnsTcpState,
    dir: Direction,
    data: &[u8],
    frame: u64,
    ts: Timestamp,
    ctx: &mut Ctx<'_>,
) {
    let (buf, first_frame) = match dir {
        Direction::Up => (&mut state.up, &mut state.up_frame),
        Direction::Down => (&mut state.down, &mut state.down_frame),
    };
    if buf.is_empty() {
        *first_frame = Some(frame);
    }
    if buf.len() + data.len() > 70_000 {
        buf.clear();
        return;
    }
    buf.extend_from_slice(data);
    loop {
        if buf.len() < 2 {
            return;
        }
        let len = u16::from_be_bytes([buf[0], buf[1]]) as usize;
        if buf.len() < 2 + len {
            return;
        }
        if let Some(msg) = dns::parse(&buf[2..2 + len]) {
            // tshark reports a reassembled DNS message at its last segment.
            let start = first_frame.unwrap_or(frame);
            emit_dns(&msg, "tcp", dir, (start, frame), ts, ctx);
        }
        buf.drain(..2 + len);
        *first_frame = if buf.is_empty() { None } else { Some(frame) };
    }
}
