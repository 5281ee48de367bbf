//! One packet, from link-layer bytes to a transport segment: IP addresses, TCP or UDP
//! header fields and the payload. IP slicing is etherparse's (lax mode, so packets cut
//! short by the snaplen still yield what they hold); fragments go through the
//! [`Defragmenter`].

use std::borrow::Cow;
use std::net::IpAddr;

use etherparse::{LaxNetSlice, LaxSlicedPacket, TransportSlice};

use super::defrag::{Abandoned, Defragmenter, FragmentKey};
use super::link::{self, LinkPayload};
use crate::time::Timestamp;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TcpHeader {
    pub seq: u32,
    pub ack: u32,
    pub syn: bool,
    pub ack_flag: bool,
    pub fin: bool,
    pub rst: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    Tcp(TcpHeader),
    Udp,
}

/// A TCP or UDP segment with its addresses.
#[derive(Debug)]
pub struct Segment<'a> {
    pub src: IpAddr,
    pub dst: IpAddr,
    pub sport: u16,
    pub dport: u16,
    pub transport: Transport,
    pub payload: Cow<'a, [u8]>,
    /// Bytes of the IP packet (headers included), for the conn byte counts.
    pub ip_len: usize,
}

#[derive(Debug)]
pub enum Decoded<'a> {
    Segment(Segment<'a>),
    /// IP carrying something other than TCP/UDP (ICMP, …), or a non-IP frame (ARP, …).
    Other,
    /// A fragment kept until its datagram is complete.
    FragmentHeld,
    Unsupported(u32),
    Malformed(&'static str),
}

/// Decodes one captured frame (number `frame`, which fragments remember so a datagram
/// read in part is reported where its first fragment is).
pub fn decode<'a>(
    linktype: u32,
    data: &'a [u8],
    ts: Timestamp,
    frame: u64,
    defrag: &mut Defragmenter,
) -> Decoded<'a> {
    decode_link_payload(link::decode(linktype, data), ts, frame, defrag, true)
}

/// The transport segment at the start of a datagram that was never completed: its
/// header and the payload bytes the first fragment(s) held. `None` when not even the
/// transport header is there.
pub fn abandoned_segment(a: &Abandoned) -> Option<Segment<'_>> {
    let ip_len = a.prefix.len();
    match transport_from_bytes(
        a.key.src,
        a.key.dst,
        a.key.protocol,
        Cow::Borrowed(&a.prefix),
        ip_len,
    ) {
        Decoded::Segment(seg) => Some(seg),
        _ => None,
    }
}

/// The packet inside a GTP-U (port 2152) G-PDU or a VXLAN (port 4789) frame.
fn tunnel_payload(sport: u16, dport: u16, payload: &[u8]) -> Option<LinkPayload<'_>> {
    if sport == 2152 || dport == 2152 {
        // GTPv1-U: version 1, protocol type 1, message type 0xff (G-PDU).
        let flags = *payload.first()?;
        if flags >> 5 != 1 || flags & 0x10 == 0 || *payload.get(1)? != 0xff {
            return None;
        }
        let mut offset = 8;
        if flags & 0x07 != 0 {
            offset = 12;
            // Extension headers: length in 4-byte units, next type in the last byte.
            let mut next = *payload.get(11)?;
            let mut guard = 0;
            while next != 0 && guard < 8 {
                let units = *payload.get(offset)? as usize;
                if units == 0 {
                    return None;
                }
                offset += units * 4;
                next = *payload.get(offset - 1)?;
                guard += 1;
            }
        }
        let inner = payload.get(offset..)?;
        return match inner.first().map(|b| b >> 4) {
            Some(4) | Some(6) => Some(LinkPayload::Ip(inner)),
            _ => None,
        };
    }
    if dport == 4789 && payload.len() > 8 + 14 && payload[0] & 0x08 != 0 {
        return Some(link::ethernet(&payload[8..]));
    }
    None
}

/// Decodes from the link payload down. `follow_tunnels` is false inside a tunnel, so a
/// crafted packet cannot nest tunnels to exhaust the stack.
fn decode_link_payload<'a>(
    link: LinkPayload<'a>,
    ts: Timestamp,
    frame: u64,
    defrag: &mut Defragmenter,
    follow_tunnels: bool,
) -> Decoded<'a> {
    let sliced = match link {
        LinkPayload::Ethernet(frame) => match LaxSlicedPacket::from_ethernet(frame) {
            Ok(p) => p,
            Err(_) => return Decoded::Malformed("ethernet header cut short"),
        },
        LinkPayload::EtherType(t, rest) => {
            LaxSlicedPacket::from_ether_type(etherparse::EtherType(t), rest)
        }
        LinkPayload::Ip(ip) => match LaxSlicedPacket::from_ip(ip) {
            Ok(p) => p,
            Err(_) => return Decoded::Malformed("bad IP header"),
        },
        LinkPayload::NotIp => return Decoded::Other,
        LinkPayload::Truncated => return Decoded::Malformed("link header cut short"),
        LinkPayload::Unsupported(lt) => return Decoded::Unsupported(lt),
    };
    let Some(net) = &sliced.net else {
        return match sliced.stop_err {
            Some(_) => Decoded::Malformed("bad IP header"),
            None => Decoded::Other,
        };
    };
    let (src, dst, payload, ip_len, frag) = match net {
        LaxNetSlice::Ipv4(v4) => {
            let h = v4.header();
            let frag = v4.is_payload_fragmented().then(|| {
                (
                    h.identification() as u32,
                    h.fragments_offset().byte_offset() as usize,
                    h.more_fragments(),
                )
            });
            let ip_len = h.slice().len() + v4.payload().payload.len();
            (
                IpAddr::V4(h.source_addr()),
                IpAddr::V4(h.destination_addr()),
                v4.payload(),
                ip_len,
                frag,
            )
        }
        LaxNetSlice::Ipv6(v6) => {
            let h = v6.header();
            let frag = if v6.is_payload_fragmented() {
                v6.extensions()
                    .clone()
                    .into_iter()
                    .find_map(|ext| match ext {
                        etherparse::Ipv6ExtensionSlice::Fragment(f) => Some((
                            f.identification(),
                            f.fragment_offset().byte_offset() as usize,
                            f.more_fragments(),
                        )),
                        _ => None,
                    })
            } else {
                None
            };
            let ip_len = 40 + v6.extensions().slice().len() + v6.payload().payload.len();
            (
                IpAddr::V6(h.source_addr()),
                IpAddr::V6(h.destination_addr()),
                v6.payload(),
                ip_len,
                frag,
            )
        }
        LaxNetSlice::Arp(_) => return Decoded::Other,
    };
    let protocol = payload.ip_number.0;
    if let Some((id, offset, more)) = frag {
        let key = FragmentKey {
            src,
            dst,
            id,
            protocol,
        };
        return match defrag.push(key, offset, more, payload.payload, ts, frame) {
            Some(whole) => transport_from_bytes(src, dst, protocol, Cow::Owned(whole), ip_len),
            None => Decoded::FragmentHeld,
        };
    }
    match &sliced.transport {
        Some(TransportSlice::Tcp(tcp)) => Decoded::Segment(Segment {
            src,
            dst,
            sport: tcp.source_port(),
            dport: tcp.destination_port(),
            transport: Transport::Tcp(TcpHeader {
                seq: tcp.sequence_number(),
                ack: tcp.acknowledgment_number(),
                syn: tcp.syn(),
                ack_flag: tcp.ack(),
                fin: tcp.fin(),
                rst: tcp.rst(),
            }),
            payload: Cow::Borrowed(tcp.payload()),
            ip_len,
        }),
        Some(TransportSlice::Udp(udp)) => {
            let payload = udp_payload(udp.slice());
            let (sport, dport) = (udp.source_port(), udp.destination_port());
            // Tunnels seen in mobile-network and cloud captures: decode what they carry.
            if follow_tunnels && let Some(inner) = tunnel_payload(sport, dport, payload) {
                return decode_link_payload(inner, ts, frame, defrag, false);
            }
            Decoded::Segment(Segment {
                src,
                dst,
                sport,
                dport,
                transport: Transport::Udp,
                payload: Cow::Borrowed(payload),
                ip_len,
            })
        }
        Some(_) => Decoded::Other,
        None if protocol == 6 || protocol == 17 => {
            Decoded::Malformed("transport header cut short or malformed")
        }
        None => Decoded::Other,
    }
}

/// The UDP payload, bounded by both the UDP length field and the captured bytes.
fn udp_payload(udp: &[u8]) -> &[u8] {
    if udp.len() < 8 {
        return &[];
    }
    let declared = u16::from_be_bytes([udp[4], udp[5]]) as usize;
    let end = if declared >= 8 {
        declared.min(udp.len())
    } else {
        udp.len()
    };
    &udp[8..end]
}

fn transport_from_bytes<'a>(
    src: IpAddr,
    dst: IpAddr,
    protocol: u8,
    bytes: Cow<'a, [u8]>,
    ip_len: usize,
) -> Decoded<'a> {
    match protocol {
        6 => {
            let Ok(tcp) = etherparse::TcpSlice::from_slice(&bytes) else {
                return Decoded::Malformed("reassembled TCP header malformed");
            };
            let header_len = tcp.header_slice().len();
            let header = TcpHeader {
                seq: tcp.sequence_number(),
                ack: tcp.acknowledgment_number(),
                syn: tcp.syn(),
                ack_flag: tcp.ack(),
                fin: tcp.fin(),
                rst: tcp.rst(),
            };
            let (sport, dport) = (tcp.source_port(), tcp.destination_port());
            let payload = match bytes {
                Cow::Owned(mut v) => {
                    v.drain(..header_len);
                    Cow::Owned(v)
                }
                Cow::Borrowed(b) => Cow::Borrowed(&b[header_len..]),
            };
            Decoded::Segment(Segment {
                src,
                dst,
                sport,
                dport,
                transport: Transport::Tcp(header),
                payload,
                ip_len,
            })
        }
        17 => {
            if bytes.len() < 8 {
                return Decoded::Malformed("reassembled UDP header cut short");
            }
            let sport = u16::from_be_bytes([bytes[0], bytes[1]]);
            let dport = u16::from_be_bytes([bytes[2], bytes[3]]);
            let len = udp_payload(&bytes).len();
            let payload = match bytes {
                Cow::Owned(mut v) => {
                    v.truncate(8 + len);
                    v.drain(..8);
                    Cow::Owned(v)
                }
                Cow::Borrowed(b) => Cow::Borrowed(&b[8..8 + len]),
            };
            Decoded::Segment(Segment {
                src,
                dst,
                sport,
                dport,
                transport: Transport::Udp,
                payload,
                ip_len,
            })
        }
        _ => Decoded::Other,
    }
}
