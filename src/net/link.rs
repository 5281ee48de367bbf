//! Link types: strip the link-layer header and find the network-layer protocol.
//!
//! Covers what phones and capture tools write: Ethernet (with VLAN and QinQ tags, which
//! etherparse handles), Linux cooked SLL (113) and SLL2 (276, `tcpdump -i any`), raw
//! IP (101, 228, 229, and 12/14 where they mean raw; PCAPdroid and r0capture), BSD
//! null/loopback (0) and OpenBSD LOOP (108), Linux NFLOG (239), PPPoE sessions
//! (EtherType 0x8864, also behind VLAN/QinQ tags, and link type 51), and Apple's PKTAP
//! (258, and 149 where the frame carries a valid PKTAP header): what `tcpdump -i rvi0`
//! writes on macOS for an iPhone attached with `rvictl`.

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
pub const LINKTYPE_PPP_ETHER: u32 = 51;
/// PKTAP as libpcap writes it in files.
pub const LINKTYPE_PKTAP: u32 = 258;
/// PKTAP under Darwin's own DLT number (DLT_USER2), which some macOS tools write as is.
pub const DLT_PKTAP_DARWIN: u32 = 149;

const ETHERTYPE_IPV4: u16 = 0x0800;
const ETHERTYPE_IPV6: u16 = 0x86dd;
const ETHERTYPE_PPPOE_DISCOVERY: u16 = 0x8863;
const ETHERTYPE_PPPOE_SESSION: u16 = 0x8864;
/// VLAN tag EtherTypes: 802.1Q, 802.1ad (QinQ outer) and the old pre-standard QinQ.
const VLAN_TAGS: [u16; 3] = [0x8100, 0x88a8, 0x9100];
/// More stacked tags than any real network uses; bounds the walk on crafted frames.
const MAX_VLAN_TAGS: usize = 8;
/// The smallest PKTAP header (`struct pktap_header` up to `pth_ecomm`), as Wireshark
/// checks it.
const PKTAP_MIN_HEADER: usize = 108;
/// `pth_type_next` of a PKTAP record that carries a packet.
const PKTAP_TYPE_PACKET: u32 = 1;

/// A human name for a link type, for warnings.
pub fn linktype_name(linktype: u32) -> String {
    let name = match linktype {
        0 => "NULL",
        1 => "ETHERNET",
        9 => "PPP",
        51 => "PPP_ETHER",
        101 => "RAW",
        105 => "IEEE802_11",
        108 => "LOOP",
        113 => "LINUX_SLL",
        127 => "IEEE802_11_RADIOTAP",
        149 => "USER2 (PKTAP on macOS, but these frames carry no valid PKTAP header)",
        147..=162 => "USER",
        187 => "BLUETOOTH_HCI_H4",
        201 => "BLUETOOTH_HCI_H4_WITH_PHDR",
        228 => "IPV4",
        229 => "IPV6",
        239 => "NFLOG",
        258 => "PKTAP",
        276 => "LINUX_SLL2",
        u32::MAX => return "none (packet names an interface the file never described)".into(),
        _ => "unknown",
    };
    format!("{linktype} ({name})")
}

/// Strips the link header of `data` according to `linktype`.
pub fn decode(linktype: u32, data: &[u8]) -> LinkPayload<'_> {
    match linktype {
        LINKTYPE_ETHERNET => ethernet(data),
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
        LINKTYPE_PPP_ETHER => pppoe_session(data),
        LINKTYPE_PKTAP => pktap(data).unwrap_or(LinkPayload::Truncated),
        // 149 is a user DLT that other tools use for other things: decode it as PKTAP
        // only when the header holds together.
        DLT_PKTAP_DARWIN => pktap(data).unwrap_or(LinkPayload::Unsupported(linktype)),
        other => LinkPayload::Unsupported(other),
    }
}

/// An Ethernet frame. etherparse reads VLAN tags and IP itself; PPPoE sessions (behind
/// any number of tags) are unwrapped here, since etherparse stops at their EtherType.
pub fn ethernet(data: &[u8]) -> LinkPayload<'_> {
    if data.len() < 14 {
        return LinkPayload::Truncated;
    }
    let ether_type = u16::from_be_bytes([data[12], data[13]]);
    match behind_vlan_tags(ether_type, &data[14..]) {
        Some((ETHERTYPE_PPPOE_SESSION, rest)) => pppoe_session(rest),
        Some((ETHERTYPE_PPPOE_DISCOVERY, _)) => LinkPayload::NotIp,
        // Other EtherTypes, and tags cut short, are etherparse's to judge as before.
        _ => LinkPayload::Ethernet(data),
    }
}

/// Skips VLAN tags; returns the EtherType after them and the bytes it covers.
fn behind_vlan_tags(mut ether_type: u16, mut rest: &[u8]) -> Option<(u16, &[u8])> {
    for _ in 0..MAX_VLAN_TAGS {
        if !VLAN_TAGS.contains(&ether_type) {
            return Some((ether_type, rest));
        }
        // A tag: 2 bytes of priority/VLAN id, then the next EtherType.
        let tag = rest.get(..4)?;
        ether_type = u16::from_be_bytes([tag[2], tag[3]]);
        rest = &rest[4..];
    }
    Some((ether_type, rest))
}

/// A PPPoE session frame (RFC 2516): version/type 0x11, code 0, session id, payload
/// length, then the PPP protocol field and the datagram. Only IPv4 (0x0021) and IPv6
/// (0x0057) are IP; LCP, IPCP, authentication and the rest are not.
fn pppoe_session(data: &[u8]) -> LinkPayload<'_> {
    let Some(header) = data.get(..6) else {
        return LinkPayload::Truncated;
    };
    if header[0] != 0x11 || header[1] != 0 {
        return LinkPayload::NotIp;
    }
    let declared = u16::from_be_bytes([header[4], header[5]]) as usize;
    // Ethernet pads short frames; the length field says where PPP ends. A frame cut by
    // the snaplen keeps what it has.
    let ppp = &data[6..];
    let ppp = ppp.get(..declared).unwrap_or(ppp);
    ppp_frame(ppp)
}

/// A PPP frame without HDLC framing: the protocol field (one byte when the peers
/// negotiated protocol-field compression: an odd first byte) then the datagram.
fn ppp_frame(ppp: &[u8]) -> LinkPayload<'_> {
    let Some(&first) = ppp.first() else {
        return LinkPayload::Truncated;
    };
    let (protocol, rest) = if first & 1 == 1 {
        (first as u16, &ppp[1..])
    } else {
        match ppp.get(..2) {
            Some(p) => (u16::from_be_bytes([p[0], p[1]]), &ppp[2..]),
            None => return LinkPayload::Truncated,
        }
    };
    match protocol {
        0x0021 | 0x0057 => raw_ip(rest),
        _ => LinkPayload::NotIp,
    }
}

/// Apple's PKTAP: a header in the host's byte order (little-endian on every Mac and
/// iPhone) giving its own length, the record type and the DLT of the frame that
/// follows, then that frame. `None` when the header does not hold together.
fn pktap(data: &[u8]) -> Option<LinkPayload<'_>> {
    let word = |at: usize| -> Option<u32> {
        let b = data.get(at..at + 4)?;
        Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    };
    let header_len = word(0)? as usize;
    let record_type = word(4)?;
    let inner_dlt = word(8)?;
    if header_len < PKTAP_MIN_HEADER || header_len > data.len() {
        return None;
    }
    if record_type != PKTAP_TYPE_PACKET {
        // Other record types carry no packet.
        return Some(LinkPayload::NotIp);
    }
    let inner = &data[header_len..];
    // The inner DLT is a Darwin DLT number; the ones a Mac writes (0 null, 1 Ethernet,
    // 12 raw IP) mean the same as the link types `decode` knows. PKTAP never nests.
    Some(match inner_dlt {
        LINKTYPE_PKTAP | DLT_PKTAP_DARWIN => LinkPayload::Unsupported(inner_dlt),
        dlt => decode(dlt, inner),
    })
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
        ETHERTYPE_PPPOE_SESSION => pppoe_session(rest),
        _ if VLAN_TAGS.contains(&proto) => match behind_vlan_tags(proto, rest) {
            Some((ETHERTYPE_PPPOE_SESSION, inner)) => pppoe_session(inner),
            Some(_) => LinkPayload::EtherType(proto, rest),
            None => LinkPayload::Truncated,
        },
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
        for lt in [0, 1, 51, 101, 108, 113, 149, 239, 258, 276] {
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

    fn pktap_frame(inner_dlt: u32, header_len: u32, inner: &[u8]) -> Vec<u8> {
        let mut frame = Vec::new();
        frame.extend_from_slice(&header_len.to_le_bytes());
        frame.extend_from_slice(&1u32.to_le_bytes());
        frame.extend_from_slice(&inner_dlt.to_le_bytes());
        frame.extend_from_slice(b"rvi0");
        frame.resize(header_len as usize, 0);
        frame.extend_from_slice(inner);
        frame
    }

    #[test]
    fn pktap_uses_its_own_length_and_inner_dlt() {
        // rvictl's rvi0: raw IP inside; a longer header (newer macOS) is skipped whole.
        let raw = pktap_frame(12, 156, &[0x45, 0]);
        assert_eq!(decode(LINKTYPE_PKTAP, &raw), LinkPayload::Ip(&[0x45, 0]));
        let mut eth = vec![0u8; 12];
        eth.extend_from_slice(&[0x08, 0x00, 0x45]);
        let framed = pktap_frame(1, 108, &eth);
        assert_eq!(
            decode(DLT_PKTAP_DARWIN, &framed),
            LinkPayload::Ethernet(&eth)
        );
    }

    #[test]
    fn pktap_rejects_what_is_not_pktap() {
        // DLT 149 with some other user payload stays unsupported, never misread.
        assert_eq!(
            decode(DLT_PKTAP_DARWIN, &[0x45, 0, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0]),
            LinkPayload::Unsupported(149)
        );
        let mut short = pktap_frame(12, 108, &[]);
        short[0] = 200; // claims more header than the frame has
        assert_eq!(decode(LINKTYPE_PKTAP, &short), LinkPayload::Truncated);
        // PKTAP inside PKTAP is not followed.
        let nested = pktap_frame(258, 108, &pktap_frame(12, 108, &[0x45]));
        assert_eq!(
            decode(LINKTYPE_PKTAP, &nested),
            LinkPayload::Unsupported(258)
        );
    }

    /// Ethernet + tags + PPPoE session header + PPP protocol + `ip`.
    fn pppoe_frame(tags: &[u16], ppp: &[u8], ip: &[u8]) -> Vec<u8> {
        let mut f = vec![0u8; 12];
        for tpid in tags {
            f.extend_from_slice(&tpid.to_be_bytes());
            f.extend_from_slice(&[0x00, 0x64]);
        }
        f.extend_from_slice(&[0x88, 0x64, 0x11, 0x00, 0x12, 0x34]);
        f.extend_from_slice(&((ppp.len() + ip.len()) as u16).to_be_bytes());
        f.extend_from_slice(ppp);
        f.extend_from_slice(ip);
        f
    }

    #[test]
    fn pppoe_sessions_behind_any_tags() {
        for tags in [&[][..], &[0x8100], &[0x88a8, 0x8100], &[0x9100, 0x8100]] {
            let f = pppoe_frame(tags, &[0x00, 0x21], &[0x45, 1]);
            assert_eq!(decode(LINKTYPE_ETHERNET, &f), LinkPayload::Ip(&[0x45, 1]));
        }
        let v6 = pppoe_frame(&[0x8100], &[0x00, 0x57], &[0x60]);
        assert_eq!(decode(LINKTYPE_ETHERNET, &v6), LinkPayload::Ip(&[0x60]));
        // Protocol-field compression: one byte.
        let pfc = pppoe_frame(&[], &[0x21], &[0x45]);
        assert_eq!(decode(LINKTYPE_ETHERNET, &pfc), LinkPayload::Ip(&[0x45]));
        // LCP is not IP; Ethernet padding past the PPPoE length is not data.
        let lcp = pppoe_frame(&[], &[0xc0, 0x21], &[1, 1, 0, 4]);
        assert_eq!(decode(LINKTYPE_ETHERNET, &lcp), LinkPayload::NotIp);
        let mut padded = pppoe_frame(&[], &[0x00, 0x21], &[0x45, 9]);
        padded.extend_from_slice(&[0; 20]);
        assert_eq!(
            decode(LINKTYPE_ETHERNET, &padded),
            LinkPayload::Ip(&[0x45, 9])
        );
        // Discovery frames and plain VLAN traffic keep their old handling.
        let mut disc = vec![0u8; 12];
        disc.extend_from_slice(&[0x88, 0x63, 0x11, 0x09, 0, 0, 0, 0]);
        assert_eq!(decode(LINKTYPE_ETHERNET, &disc), LinkPayload::NotIp);
        let mut vlan = vec![0u8; 12];
        vlan.extend_from_slice(&[0x81, 0x00, 0, 1, 0x08, 0x00, 0x45]);
        assert_eq!(
            decode(LINKTYPE_ETHERNET, &vlan),
            LinkPayload::Ethernet(&vlan)
        );
    }

    #[test]
    fn pppoe_in_linux_cooked_and_ppp_ether() {
        let mut sll2 = vec![0x88, 0x64];
        sll2.extend_from_slice(&[0; 18]);
        sll2.extend_from_slice(&[0x11, 0, 0, 1, 0, 3, 0x00, 0x21, 0x45]);
        assert_eq!(decode(LINKTYPE_LINUX_SLL2, &sll2), LinkPayload::Ip(&[0x45]));
        let bare = [0x11, 0, 0, 1, 0, 3, 0x00, 0x57, 0x60];
        assert_eq!(decode(LINKTYPE_PPP_ETHER, &bare), LinkPayload::Ip(&[0x60]));
        for len in 0..bare.len() {
            let _ = decode(LINKTYPE_PPP_ETHER, &bare[..len]);
        }
    }

    #[test]
    fn nflog_finds_the_payload_tlv() {
        let mut frame = vec![2, 0, 0, 0];
        frame.extend_from_slice(&[8, 0, 1, 0, 0, 0, 0, 0]); // a packet-header TLV
        frame.extend_from_slice(&[5, 0, 9, 0, 0x45, 0, 0, 0]); // payload, padded
        assert_eq!(decode(LINKTYPE_NFLOG, &frame), LinkPayload::Ip(&[0x45]));
    }
}
