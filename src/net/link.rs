//! Link types: strip the link-layer header and find the network-layer protocol.
//!
//! Covers what phones and capture tools write: Ethernet (with VLAN and QinQ tags, which
//! etherparse handles), Linux cooked SLL (113) and SLL2 (276, `tcpdump -i any`), raw
//! IP (101, 228, 229, and 12/14 where they mean raw; PCAPdroid and r0capture), BSD
//! null/loopback (0) and OpenBSD LOOP (108), and Linux NFLOG (239).

/// What the link layer carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkPayload<'a> {
    /// Starts with an Ethernet header.
    Ethernet(&'a [u8]),
    /// An EtherType and the bytes after the link header (may be a VLAN tag).
    EtherType(u16, &'a [u8]),
    /// An IPv4 or IPv6 packet.
    Ip(&'a [u8]),
    /// A link type we know but a frame that carries no IP (ARP, LLC, …).
    NotIp,
    /// The frame is shorter than its link header.
    Truncated,
    /// A link type this tool does not decode.
    Unsupported(u32),
}

pub const LINKTYPE_NULL: u32 = 0;
pub const LINKTYPE_ETHERNET: u32 = 1;
pub const LINKTYPE_RAW: u32 = 101;
pub const LINKTYPE_LOOP: u32 = 108;
pub const LINKTYPE_LINUX_SLL: u32 = 113;
pub const LINKTYPE_IPV4: u32 = 228;
pub const LINKTYPE_IPV6: u32 = 229;
pub const LINKTYPE_NFLOG: u32 = 239;
pub const LINKTYPE_LINUX_SLL2: u32 = 276;

const ETHERTYPE_IPV4: u16 = 0x0800;
const ETHERTYPE_IPV6: u16 = 0x86dd;

/// A human name for a link type, for warnings.
pub fn linktype_name(linktype: u32) -> String {
    let name = match linktype {
        0 => "NULL",
        1 => "ETHERNET",
        9 => "PPP",
        101 => "RAW",
        105 => "IEEE802_11",
        108 => "LOOP",
        113 => "LINUX_SLL",
        127 => "IEEE802_11_RADIOTAP",
        147..=162 => "USER",
        187 => "BLUETOOTH_HCI_H4",
        201 => "BLUETOOTH_HCI_H4_WITH_PHDR",
        228 => "IPV4",
        229 => "IPV6",
        239 => "NFLOG",
        276 => "LINUX_SLL2",
        u32::MAX => return "none (packet names an interface the file never described)".into(),
        _ => "unknown",
    };
    format!("{linktype} ({name})")
}

/// Strips the link header of `data` according to `linktype`.
pub fn decode(linktype: u32, data: &[u8]) -> LinkPayload<'_> {
    match linktype {
        LINKTYPE_ETHERNET => {
            if data.len() < 14 {
                LinkPayload::Truncated
            } else {
                LinkPayload::Ethernet(data)
            }
        }
        LINKTYPE_RAW | 12 | 14 | LINKTYPE_IPV4 | LINKTYPE_IPV6 => raw_ip(data),
        LINKTYPE_NULL => {
            let Some(family) = data.get(..4) else {
                return LinkPayload::Truncated;
            };
            // The address family is in the byte order of the host that wrote the file;
            // families are small numbers, so the non-zero end tells the order.
            let af = if family[0] != 0 && family[3] == 0 {
                u32::from_le_bytes([family[0], family[1], family[2], family[3]])
            } else {
                u32::from_be_bytes([family[0], family[1], family[2], family[3]])
            };
            address_family(af, &data[4..])
        }
        LINKTYPE_LOOP => {
            let Some(family) = data.get(..4) else {
                return LinkPayload::Truncated;
            };
            let af = u32::from_be_bytes([family[0], family[1], family[2], family[3]]);
            address_family(af, &data[4..])
        }
        LINKTYPE_LINUX_SLL => {
            let Some(proto) = data.get(14..16) else {
                return LinkPayload::Truncated;
            };
            ether_type(u16::from_be_bytes([proto[0], proto[1]]), &data[16..])
        }
        LINKTYPE_LINUX_SLL2 => {
            if data.len() < 20 {
                return LinkPayload::Truncated;
            }
            ether_type(u16::from_be_bytes([data[0], data[1]]), &data[20..])
        }
        LINKTYPE_NFLOG => nflog(data),
        other => LinkPayload::Unsupported(other),
    }
}

fn raw_ip(data: &[u8]) -> LinkPayload<'_> {
    match data.first().map(|b| b >> 4) {
        Some(4) | Some(6) => LinkPayload::Ip(data),
        Some(_) => LinkPayload::NotIp,
        None => LinkPayload::Truncated,
    }
}

fn address_family(af: u32, rest: &[u8]) -> LinkPayload<'_> {
    match af {
        // AF_INET everywhere; AF_INET6 is 10 (Linux), 24 (NetBSD/OpenBSD), 28 (FreeBSD),
        // 30 (macOS/iOS).
        2 | 10 | 24 | 28 | 30 => raw_ip(rest),
        _ => LinkPayload::NotIp,
    }
}

fn ether_type(proto: u16, rest: &[u8]) -> LinkPayload<'_> {
    match proto {
        ETHERTYPE_IPV4 | ETHERTYPE_IPV6 => raw_ip(rest),
        0x8100 | 0x88a8 | 0x9100 => LinkPayload::EtherType(proto, rest),
        _ => LinkPayload::NotIp,
    }
}

/// NFLOG: a 4-byte header (family, version, resource id) then TLVs whose length and
/// type are in host byte order (little-endian on every Linux we meet); the packet is
/// TLV type 9 (NFULA_PAYLOAD). TLVs are padded to 4 bytes.
fn nflog(data: &[u8]) -> LinkPayload<'_> {
    if data.len() < 4 {
        return LinkPayload::Truncated;
    }
    let mut rest = &data[4..];
    while rest.len() >= 4 {
        let len = u16::from_le_bytes([rest[0], rest[1]]) as usize;
        let tlv_type = u16::from_le_bytes([rest[2], rest[3]]) & 0x7fff;
        if len < 4 || len > rest.len() {
            return LinkPayload::Truncated;
        }
        if tlv_type == 9 {
            return raw_ip(&rest[4..len]);
        }
        let padded = (len + 3) & !3;
        rest = rest.get(padded..).unwrap_or(&[]);
    }
    LinkPayload::NotIp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sll2_protocol_is_at_offset_zero() {
        let mut frame = vec![0x08, 0x00];
        frame.extend_from_slice(&[0; 18]);
        frame.push(0x45);
        assert_eq!(
            decode(LINKTYPE_LINUX_SLL2, &frame),
            LinkPayload::Ip(&[0x45])
        );
    }

    #[test]
    fn null_link_type_reads_either_byte_order() {
        let le = [2, 0, 0, 0, 0x45];
        let be = [0, 0, 0, 30, 0x60];
        assert_eq!(decode(LINKTYPE_NULL, &le), LinkPayload::Ip(&[0x45]));
        assert_eq!(decode(LINKTYPE_NULL, &be), LinkPayload::Ip(&[0x60]));
        assert_eq!(decode(LINKTYPE_LOOP, &be), LinkPayload::Ip(&[0x60]));
    }

    #[test]
    fn short_frames_are_truncated_not_panics() {
        for lt in [0, 1, 101, 108, 113, 239, 276] {
            for len in 0..4 {
                let _ = decode(lt, &vec![0u8; len]);
            }
        }
        assert_eq!(decode(LINKTYPE_LINUX_SLL, &[0; 10]), LinkPayload::Truncated);
    }

    #[test]
    fn unknown_link_type_is_named() {
        assert_eq!(decode(147, &[1, 2, 3]), LinkPayload::Unsupported(147));
        assert_eq!(linktype_name(127), "127 (IEEE802_11_RADIOTAP)");
    }

    #[test]
    fn nflog_finds_the_payload_tlv() {
        let mut frame = vec![2, 0, 0, 0];
        frame.extend_from_slice(&[8, 0, 1, 0, 0, 0, 0, 0]); // a packet-header TLV
        frame.extend_from_slice(&[5, 0, 9, 0, 0x45, 0, 0, 0]); // payload, padded
        assert_eq!(decode(LINKTYPE_NFLOG, &frame), LinkPayload::Ip(&[0x45]));
    }
}
