//! DNS messages (RFC 1035) over UDP, TCP (length-prefixed), mDNS and LLMNR: questions
//! and A/AAAA/CNAME answers.
//!
//! Written against the wire format rather than with a DNS crate because a capture needs
//! partial results: a message whose answers are malformed still names the query, and
//! compression-pointer loops and over-long names must be cut off, not rejected wholesale.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::wire::Reader;

const MAX_NAME_LEN: usize = 255;
const MAX_POINTER_JUMPS: usize = 32;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    Address(IpAddr),
    Cname(String),
    Other { rtype: u16 },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    pub name: String,
    pub qtype: u16,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceRecord {
    pub name: String,
    pub rtype: u16,
    pub ttl: u32,
    pub answer: Answer,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Message {
    pub id: u16,
    pub response: bool,
    pub rcode: u8,
    pub questions: Vec<Question>,
    pub answers: Vec<ResourceRecord>,
    /// The message could not be read to its end (answers may be missing).
    pub partial: bool,
}

/// Reads a domain name at `pos`, following compression pointers; returns the name and
/// the position just after it in the original stream.
fn read_name(msg: &[u8], mut pos: usize) -> Option<(String, usize)> {
    let mut name = String::new();
    let mut end_after: Option<usize> = None;
    let mut jumps = 0;
    loop {
        let len = *msg.get(pos)? as usize;
        match len & 0xc0 {
            0x00 => {
                if len == 0 {
                    let end = end_after.unwrap_or(pos + 1);
                    return Some((name, end));
                }
                let label = msg.get(pos + 1..pos + 1 + len)?;
                if !name.is_empty() {
                    name.push('.');
                }
                for &b in label {
                    if b.is_ascii_graphic() && b != b'.' {
                        name.push(b as char);
                    } else {
                        name.push_str(&format!("\\{b:03}"));
                    }
                }
                if name.len() > MAX_NAME_LEN * 4 {
                    return None;
                }
                pos += 1 + len;
            }
            0xc0 => {
                let low = *msg.get(pos + 1)? as usize;
                if end_after.is_none() {
                    end_after = Some(pos + 2);
                }
                jumps += 1;
                if jumps > MAX_POINTER_JUMPS {
                    return None;
                }
                pos = ((len & 0x3f) << 8) | low;
            }
            // 0x40 / 0x80 label types are obsolete or reserved.
            _ => return None,
        }
    }
}

/// Parses one DNS message. Returns `None` only if not even the header and first
/// question are readable.
pub fn parse(msg: &[u8]) -> Option<Message> {
    let mut r = Reader::new(msg);
    let id = r.u16()?;
    let flags = r.u16()?;
    let qdcount = r.u16()? as usize;
    let ancount = r.u16()? as usize;
    let _nscount = r.u16()?;
    let _arcount = r.u16()?;
    let mut out = Message {
        id,
        response: flags & 0x8000 != 0,
        rcode: (flags & 0x000f) as u8,
        ..Message::default()
    };
    let mut pos = 12;
    for _ in 0..qdcount.min(64) {
        let Some((name, next)) = read_name(msg, pos) else {
            out.partial = true;
            return if out.questions.is_empty() && qdcount > 0 {
                None
            } else {
                Some(out)
            };
        };
        let Some(t) = msg.get(next..next + 4) else {
            out.partial = true;
            return Some(out);
        };
        out.questions.push(Question {
            name,
            qtype: u16::from_be_bytes([t[0], t[1]]),
        });
        pos = next + 4;
    }
    for _ in 0..ancount.min(512) {
        let Some((name, next)) = read_name(msg, pos) else {
            out.partial = true;
            break;
        };
        let mut rr = Reader::new(msg.get(next..).unwrap_or(&[]));
        let (Some(rtype), Some(_class), Some(ttl), Some(rdata)) =
            (rr.u16(), rr.u16(), rr.u32(), rr.vec16())
        else {
            out.partial = true;
            break;
        };
        let rdata_pos = next + 10;
        let answer = match rtype {
            1 if rdata.len() == 4 => Answer::Address(IpAddr::V4(Ipv4Addr::new(
                rdata[0], rdata[1], rdata[2], rdata[3],
            ))),
            28 if rdata.len() == 16 => {
                let mut a = [0u8; 16];
                a.copy_from_slice(rdata);
                Answer::Address(IpAddr::V6(Ipv6Addr::from(a)))
            }
            5 => match read_name(msg, rdata_pos) {
                Some((target, _)) => Answer::Cname(target),
                None => Answer::Other { rtype },
            },
            _ => Answer::Other { rtype },
        };
        out.answers.push(ResourceRecord {
            name,
            rtype,
            ttl,
            answer,
        });
        pos = rdata_pos + rdata.len();
    }
    Some(out)
}

/// Record type mnemonics for the common types; others print as `TYPEnnn` (RFC 3597).
pub fn type_name(t: u16) -> String {
    let name = match t {
        1 => "A",
        2 => "NS",
        5 => "CNAME",
        6 => "SOA",
        12 => "PTR",
        15 => "MX",
        16 => "TXT",
        28 => "AAAA",
        33 => "SRV",
        35 => "NAPTR",
        41 => "OPT",
        43 => "DS",
        46 => "RRSIG",
        47 => "NSEC",
        48 => "DNSKEY",
        64 => "SVCB",
        65 => "HTTPS",
        255 => "ANY",
        _ => return format!("TYPE{t}"),
    };
    name.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query_with_answer() -> Vec<u8> {
        let mut m = vec![0x12, 0x34, 0x81, 0x80, 0, 1, 0, 2, 0, 0, 0, 0];
        m.extend_from_slice(b"\x03www\x07example\x03com\x00");
        m.extend_from_slice(&[0, 1, 0, 1]);
        // CNAME www.example.com -> cdn.example.com (pointer to "example.com" at 16)
        m.extend_from_slice(&[0xc0, 12, 0, 5, 0, 1, 0, 0, 0, 60, 0, 6]);
        m.extend_from_slice(b"\x03cdn\xc0\x10");
        // A cdn.example.com -> 192.0.2.7 (pointer to the CNAME target)
        let cname_target = 12 + 17 + 4 + 12;
        m.extend_from_slice(&[0xc0, cname_target as u8, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4]);
        m.extend_from_slice(&[192, 0, 2, 7]);
        m
    }

    #[test]
    fn reads_questions_cnames_and_addresses() {
        let msg = parse(&query_with_answer()).unwrap();
        assert!(msg.response);
        assert_eq!(msg.questions[0].name, "www.example.com");
        assert_eq!(
            msg.answers[0].answer,
            Answer::Cname("cdn.example.com".into())
        );
        assert_eq!(msg.answers[1].name, "cdn.example.com");
        assert_eq!(
            msg.answers[1].answer,
            Answer::Address("192.0.2.7".parse().unwrap())
        );
        assert!(!msg.partial);
    }

    #[test]
    fn pointer_loops_are_cut_off() {
        let mut m = vec![0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0];
        m.extend_from_slice(&[0xc0, 12, 0, 1, 0, 1]);
        assert!(parse(&m).is_none());
    }

    #[test]
    fn every_truncation_is_safe() {
        let full = query_with_answer();
        for n in 0..full.len() {
            if let Some(m) = parse(&full[..n]) {
                assert!(m.partial || n == full.len());
            }
        }
    }
}
