//! The common packet read without the general decoder: Ethernet (untagged) or raw IP,
//! IPv4 without fragmentation or IPv6 without extension headers, then TCP or UDP
//! (not a tunnel port). That is nearly every packet a phone capture holds, and the
//! general decoder (etherparse's lax slicing, `packet::decode`) spends most of its time
//! copying its slice structures around.
//!
//! Anything else — VLAN tags, fragments, extension headers, tunnels, lengths that
//! disagree with the captured bytes, malformed headers — returns `None` and goes the
//! general way, so the two give the same segment wherever this one answers (a test
//! compares them on every packet of the corpus).

use std::borrow::Cow;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::link::{LINKTYPE_IPV4, LINKTYPE_IPV6, LINKTYPE_RAW};
use super::packet::{Segment, TcpHeader, Transport};

const LINKTYPE_ETHERNET: u32 = 1;
/// Ports whose UDP payload the general decoder opens as a tunnel (GTP-U, VXLAN).
const TUNNEL_PORTS: [u16; 2] = [2152, 4789];

/// The segment in `data`, if it is of the common shape.
pub fn decode(linktype: u32, data: &[u8]) -> Option<Segment<'_>> {
    let ip = match linktype {
        LINKTYPE_ETHERNET => {
            let ether_type = u16::from_be_bytes([*data.get(12)?, *data.get(13)?]);
            let ip = data.get(14..)?;
            let version = ip.first()? >> 4;
            match (ether_type, version) {
                (0x0800, 4) | (0x86dd, 6) => ip,
                _ => return None,
            }
        }
        LINKTYPE_RAW | LINKTYPE_IPV4 | LINKTYPE_IPV6 => data,
        _ => return None,
    };
    match ip.first()? >> 4 {
        4 => ipv4(ip),
        6 => ipv6(ip),
        _ => None,
    }
}

fn ipv4(ip: &[u8]) -> Option<Segment<'_>> {
    let header_len = usize::from(ip.first()? & 0x0f) * 4;
    let total = usize::from(u16::from_be_bytes([*ip.get(2)?, *ip.get(3)?]));
    if header_len < 20 || total < header_len || total > ip.len() {
        return None;
    }
    // More-fragments flag or a fragment offset: the general path reassembles.
    if u16::from_be_bytes([ip[6], ip[7]]) & 0x3fff != 0 {
        return None;
    }
    let src = IpAddr::V4(Ipv4Addr::new(ip[12], ip[13], ip[14], ip[15]));
    let dst = IpAddr::V4(Ipv4Addr::new(ip[16], ip[17], ip[18], ip[19]));
    transport(src, dst, ip[9], &ip[header_len..total], total)
}

fn ipv6(ip: &[u8]) -> Option<Segment<'_>> {
    let header: &[u8; 40] = ip.get(..40)?.try_into().ok()?;
    let payload_len = usize::from(u16::from_be_bytes([header[4], header[5]]));
    // Zero is a jumbogram (or a damaged header): the general path decides.
    if payload_len == 0 || 40 + payload_len > ip.len() {
        return None;
    }
    let addr = |at: usize| -> Option<IpAddr> {
        let bytes: [u8; 16] = header.get(at..at + 16)?.try_into().ok()?;
        Some(IpAddr::V6(Ipv6Addr::from(bytes)))
    };
    let (src, dst) = (addr(8)?, addr(24)?);
    transport(
        src,
        dst,
        header[6],
        &ip[40..40 + payload_len],
        40 + payload_len,
    )
}

fn transport<'a>(
    src: IpAddr,
    dst: IpAddr,
    protocol: u8,
    seg: &'a [u8],
    ip_len: usize,
) -> Option<Segment<'a>> {
    match protocol {
        6 => {
            let fixed = seg.get(..20)?;
            let header_len = usize::from(fixed[12] >> 4) * 4;
            if header_len < 20 {
                return None;
            }
            let payload = seg.get(header_len..)?;
            let flags = fixed[13];
            Some(Segment {
                src,
                dst,
                sport: u16::from_be_bytes([fixed[0], fixed[1]]),
                dport: u16::from_be_bytes([fixed[2], fixed[3]]),
                transport: Transport::Tcp(TcpHeader {
                    seq: u32::from_be_bytes([fixed[4], fixed[5], fixed[6], fixed[7]]),
                    ack: u32::from_be_bytes([fixed[8], fixed[9], fixed[10], fixed[11]]),
                    fin: flags & 0x01 != 0,
                    syn: flags & 0x02 != 0,
                    rst: flags & 0x04 != 0,
                    ack_flag: flags & 0x10 != 0,
                }),
                payload: Cow::Borrowed(payload),
                ip_len,
            })
        }
        17 => {
            let header = seg.get(..8)?;
            let sport = u16::from_be_bytes([header[0], header[1]]);
            let dport = u16::from_be_bytes([header[2], header[3]]);
            if TUNNEL_PORTS.contains(&sport) || TUNNEL_PORTS.contains(&dport) {
                return None;
            }
            let declared = usize::from(u16::from_be_bytes([header[4], header[5]]));
            // The UDP length bounds the payload when it is sane, as in the general path.
            let end = if declared >= 8 {
                declared.min(seg.len())
            } else {
                seg.len()
            };
            Some(Segment {
                src,
                dst,
                sport,
                dport,
                transport: Transport::Udp,
                payload: Cow::Borrowed(&seg[8..end]),
                ip_len,
            })
        }
        _ => None,
    }
}
