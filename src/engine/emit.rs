//! Records built from parsed handshakes and DNS messages: the `tls`, `quic` and `dns`
//! records (and the address → name pairs a DNS answer teaches).

use crate::net::Direction;
use crate::proto::dns;
use crate::proto::fingerprint::{self, Ja4Transport};
use crate::proto::quic::{self, QuicSession};
use crate::proto::tls::{self, ClientHello, ServerHello};
use crate::record::{DnsRecord, HandshakeRecord, Meta, Record};
use crate::time::Timestamp;

use super::Event;
use super::ctx::Ctx;

/// Pushes the `tls` record of a handshake.
pub(crate) fn emit_tls_record(
    ctx: &mut Ctx<'_>,
    hello: &ClientHello,
    server: Option<&ServerHello>,
    (first, last): (u64, u64),
    ts: Timestamp,
    retried: bool,
) {
    let mut record = handshake_record(
        ctx.meta(first, last, ts, Direction::Up),
        hello,
        server,
        Ja4Transport::Tcp,
    );
    record.hello_retry = retried;
    ctx.out.push(Event::Record(Record::Tls(record)));
}

pub(crate) fn handshake_record(
    meta: Meta,
    hello: &ClientHello,
    server: Option<&ServerHello>,
    transport: Ja4Transport,
) -> HandshakeRecord {
    let offered = hello.max_version();
    HandshakeRecord {
        meta,
        sni: hello.sni.clone(),
        alpn: hello.alpn.clone(),
        ja3: (transport == Ja4Transport::Tcp).then(|| fingerprint::ja3(hello)),
        ja4: Some(fingerprint::ja4(hello, transport)),
        version: tls::version_name(server.map(ServerHello::version).unwrap_or(offered)),
        client_version: Some(tls::version_name(offered)),
        cipher: server.map(|s| tls::cipher_name(s.cipher_suite)),
        server_alpn: server.and_then(|s| s.alpn.clone()),
        established: server.is_some(),
        hello_retry: false,
        resumed: server.is_some_and(|s| s.resumes(hello)),
    }
}

/// Pushes the `quic` record of a QUIC handshake.
pub(crate) fn emit_quic(session: &QuicSession, ctx: &mut Ctx<'_>) {
    let Some(hello) = &session.client_hello else {
        return;
    };
    let (first, last) = session.hello_frames.unwrap_or((0, 0));
    let mut record = handshake_record(
        ctx.meta(first, last, session.hello_ts, Direction::Up),
        hello,
        session.server_hello.as_ref(),
        Ja4Transport::Quic,
    );
    record.client_version = Some(quic::version_name(session.version));
    record.hello_retry = session.retried;
    ctx.out.push(Event::Record(Record::Quic(record)));
}

/// Pushes the `dns` record of a message, and the names its answers teach.
pub(crate) fn emit_dns(
    msg: &dns::Message,
    proto: &'static str,
    dir: Direction,
    (frame, last_frame): (u64, u64),
    ts: Timestamp,
    ctx: &mut Ctx<'_>,
) {
    let Some(first) = msg.questions.first() else {
        return;
    };
    let answers = msg
        .answers
        .iter()
        .filter_map(|a| match &a.answer {
            dns::Answer::Address(ip) => Some(ip.to_string()),
            dns::Answer::Cname(c) => Some(c.clone()),
            dns::Answer::Other { .. } => None,
        })
        .collect();
    let queries = if msg.questions.len() > 1 {
        msg.questions.iter().map(|q| q.name.clone()).collect()
    } else {
        Vec::new()
    };
    ctx.out.push(Event::Record(Record::Dns(DnsRecord {
        meta: ctx.meta(frame, last_frame, ts, dir),
        proto,
        response: msg.response,
        query: first.name.clone(),
        queries,
        qtype: dns::type_name(first.qtype),
        rcode: msg.response.then_some(msg.rcode),
        answers,
    })));
    if msg.response {
        let names: Vec<(std::net::IpAddr, String)> = msg
            .answers
            .iter()
            .filter_map(|a| match a.answer {
                dns::Answer::Address(ip) => Some((ip, first.name.clone())),
                _ => None,
            })
            .collect();
        if !names.is_empty() {
            ctx.out.push(Event::Names(names));
        }
    }
}
