//! What the first fragment of an IP datagram still tells when the rest of the datagram
//! never came: a DNS question, a TLS ClientHello's server name, an HTTP request line.
//! These bytes were really sent, so they are reported, each record marked `partial`.
//!
//! They are read here, apart from the flow table: the missing bytes can never arrive,
//! so feeding them into TCP reassembly would only leave a hole behind them, and a
//! datagram given up on (after the reassembly timeout, or at the end of the capture)
//! arrives long after its neighbours.

use crate::exchange::Transport;
use crate::net::packet::{self, Segment};
use crate::net::{Direction, Endpoint};
use crate::proto::fingerprint::Ja4Transport;
use crate::proto::{dns, http1, tls};
use crate::record::Record;
use crate::time::Timestamp;

use super::Event;
use super::ctx::Ctx;
use super::emit::{emit_dns, handshake_record};
use super::http_events::handle_http_events;

const DNS_PORTS: [u16; 3] = [53, 5353, 5355];
/// TLS record type of a handshake, and the handshake type of a ClientHello.
const TLS_HANDSHAKE: u8 = 22;
const CLIENT_HELLO: u8 = 1;

/// Reads what the first bytes of an abandoned datagram hold; records go to `ctx.out`
/// (whose endpoints are set here).
pub(super) fn read(seg: &Segment<'_>, frame: u64, ts: Timestamp, ctx: &mut Ctx<'_>) {
    let src = Endpoint::new(seg.src, seg.sport);
    let dst = Endpoint::new(seg.dst, seg.dport);
    let start = ctx.out.len();
    match seg.transport {
        packet::Transport::Udp => {
            if !(DNS_PORTS.contains(&seg.sport) || DNS_PORTS.contains(&seg.dport)) {
                return;
            }
            let Some(msg) = dns::parse(&seg.payload) else {
                return;
            };
            let dir = if msg.response {
                (ctx.client, ctx.server) = (dst, src);
                Direction::Down
            } else {
                (ctx.client, ctx.server) = (src, dst);
                Direction::Up
            };
            emit_dns(&msg, "udp", dir, (frame, frame), ts, ctx);
        }
        packet::Transport::Tcp(_) => {
            (ctx.client, ctx.server) = (src, dst);
            let data = &seg.payload[..];
            if let Some((hello, cut)) = client_hello(data) {
                let mut record = handshake_record(
                    ctx.meta(frame, frame, ts, Direction::Up),
                    &hello,
                    None,
                    Ja4Transport::Tcp,
                );
                if cut {
                    // A fingerprint over part of the extensions would be a wrong one.
                    record.ja3 = None;
                    record.ja4 = None;
                }
                ctx.out.push(Event::Record(Record::Tls(record)));
            } else if let Some(req) = http1::parse_request_prefix(data, frame, ts) {
                handle_http_events(
                    vec![http1::HttpEvent::Exchange(Box::new(req))],
                    ctx,
                    Transport::Http,
                );
            }
        }
    }
    for ev in &mut ctx.out[start..] {
        match ev {
            Event::Record(r) => r.meta_mut().partial = true,
            Event::Exchange(x) => x.partial = true,
            _ => {}
        }
    }
}

/// A ClientHello at the start of a TLS stream, however much of it is there.
fn client_hello(data: &[u8]) -> Option<(tls::ClientHello, bool)> {
    let (&[content_type, major, _, _, _], rest) = data.split_first_chunk::<5>()?;
    if content_type != TLS_HANDSHAKE || major != 3 {
        return None;
    }
    let (&[hs_type, a, b, c], body) = rest.split_first_chunk::<4>()?;
    if hs_type != CLIENT_HELLO {
        return None;
    }
    let declared = u32::from_be_bytes([0, a, b, c]) as usize;
    let (hello, cut) = tls::parse_client_hello_prefix(body.get(..declared).unwrap_or(body))?;
    Some((hello, cut || body.len() < declared))
}
