//! Link types and IP fragments from real-world capture setups, checked against tshark:
//!
//! - PKTAP (258, and 149 as some macOS tools write it): what `tcpdump -i rvi0` gives
//!   for an iPhone attached with `rvictl`. No Mac here, so real corpus captures are
//!   re-framed with a PKTAP header around each original frame, exactly as Apple's
//!   header is laid out; tshark decodes the result and is the oracle.
//! - PPPoE sessions (0x8864), bare, under one 802.1Q tag and under QinQ (802.1ad +
//!   802.1Q), as carrier and ISP captures have them: the same re-framing of real
//!   captures, tshark as the oracle.
//! - The first fragment of an IP datagram whose other fragments never came: a real
//!   capture (tcpdump, fixture README says how) for DNS over IPv4 and IPv6, and
//!   fragments cut from real HTTP and TLS packets for the TCP case. tshark with
//!   reassembly off is the oracle; our records must say `partial`.

mod common;

use std::path::{Path, PathBuf};

use privaudit::source::capture::{self, CaptureEvent, Progress};
use serde_json::Value;

/// Real captures with DNS, TLS and HTTP items and no tshark-only quirks (see
/// corpus_flows.rs), Ethernet or raw IP framed.
const SOURCES: &[&str] = &[
    "pcap/ndpi_android.pcap",
    "pcap/lwerdna_simple_http.pcap",
    "pcap/ndpi_instagram.pcap",
    "pcap/pcapdroid_http_proxy.pcap",
    "pcap/ndpi_dns_fragmented.pcap",
    "pcap/ndpi_gaijin_mobile_mixed.pcap",
    "pcap/tcpdump_dns_tcp.pcap",
];

struct Frame {
    ts_ns: i64,
    linktype: u32,
    data: Vec<u8>,
}

fn read_frames(path: &Path) -> Vec<Frame> {
    let mut frames = Vec::new();
    capture::read_capture(path, &Progress::default(), &mut |ev| {
        if let CaptureEvent::Packet(p) = ev {
            frames.push(Frame {
                ts_ns: p.ts.0,
                linktype: p.linktype,
                data: p.data.to_vec(),
            });
        }
    })
    .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    frames
}

/// A classic little-endian pcap with microsecond times.
fn write_pcap(path: &Path, linktype: u32, frames: &[(i64, Vec<u8>)]) {
    let mut out = Vec::new();
    out.extend_from_slice(&0xa1b2_c3d4u32.to_le_bytes());
    out.extend_from_slice(&2u16.to_le_bytes());
    out.extend_from_slice(&4u16.to_le_bytes());
    out.extend_from_slice(&[0; 8]);
    out.extend_from_slice(&262_144u32.to_le_bytes());
    out.extend_from_slice(&linktype.to_le_bytes());
    for (ts, data) in frames {
        let secs = ts.div_euclid(1_000_000_000) as u32;
        let micros = (ts.rem_euclid(1_000_000_000) / 1000) as u32;
        for v in [secs, micros, data.len() as u32, data.len() as u32] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        out.extend_from_slice(data);
    }
    std::fs::write(path, out).unwrap();
}

/// The frame's IP packet and its version nibble, for Ethernet (any VLAN tags) and raw
/// IP sources; `None` for frames that carry no IP (ARP, …).
fn ip_of(frame: &Frame) -> Option<&[u8]> {
    match frame.linktype {
        1 => {
            let mut at = 12;
            loop {
                let t = u16::from_be_bytes([*frame.data.get(at)?, *frame.data.get(at + 1)?]);
                match t {
                    0x8100 | 0x88a8 => at += 4,
                    0x0800 | 0x86dd => return frame.data.get(at + 2..),
                    _ => return None,
                }
            }
        }
        101 | 228 | 229 => Some(&frame.data),
        other => panic!("source link type {other} not handled by this test"),
    }
}

/// Apple's `struct pktap_header` (little-endian): length, record type 1 (packet), the
/// inner DLT, interface name, flags, protocol family, pre/post lengths, pid, command
/// name, …, padded to `header_len`.
fn pktap_header(header_len: usize, inner_dlt: u32) -> Vec<u8> {
    let mut h = Vec::new();
    h.extend_from_slice(&(header_len as u32).to_le_bytes());
    h.extend_from_slice(&1u32.to_le_bytes());
    h.extend_from_slice(&inner_dlt.to_le_bytes());
    let mut ifname = b"rvi0".to_vec();
    ifname.resize(24, 0);
    h.extend_from_slice(&ifname);
    h.extend_from_slice(&0u32.to_le_bytes()); // flags
    h.extend_from_slice(&2u32.to_le_bytes()); // protocol family
    h.extend_from_slice(&0u32.to_le_bytes()); // frame pre length
    h.extend_from_slice(&0u32.to_le_bytes()); // frame post length
    h.extend_from_slice(&4242i32.to_le_bytes()); // pid
    let mut comm = b"MobileSafari".to_vec();
    comm.resize(17, 0);
    h.extend_from_slice(&comm);
    h.resize(header_len, 0);
    h
}

fn pktap_file(src: &[Frame], dir: &Path, name: &str, linktype: u32, header_len: usize) -> PathBuf {
    let frames: Vec<(i64, Vec<u8>)> = src
        .iter()
        .map(|f| {
            // The DLT inside is Darwin's: 1 Ethernet, 12 raw IP (what rvi0 carries).
            let inner_dlt = if f.linktype == 1 { 1 } else { 12 };
            let mut data = pktap_header(header_len, inner_dlt);
            data.extend_from_slice(&f.data);
            (f.ts_ns, data)
        })
        .collect();
    let path = dir.join(name);
    write_pcap(&path, linktype, &frames);
    path
}

/// Ethernet + `tags` + PPPoE session + PPP around each IP packet; other frames are
/// left as they were (they stay non-IP).
fn pppoe_file(src: &[Frame], dir: &Path, name: &str, tags: &[u16]) -> PathBuf {
    let frames: Vec<(i64, Vec<u8>)> = src
        .iter()
        .map(|f| {
            let Some(ip) = ip_of(f) else {
                return (f.ts_ns, f.data.clone());
            };
            let mut data = vec![0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2];
            for (i, tpid) in tags.iter().enumerate() {
                data.extend_from_slice(&tpid.to_be_bytes());
                data.extend_from_slice(&(100 + i as u16).to_be_bytes());
            }
            data.extend_from_slice(&[0x88, 0x64, 0x11, 0x00, 0x2b, 0x01]);
            data.extend_from_slice(&((ip.len() + 2) as u16).to_be_bytes());
            let proto: u16 = if ip.first().is_some_and(|b| b >> 4 == 6) {
                0x0057
            } else {
                0x0021
            };
            data.extend_from_slice(&proto.to_be_bytes());
            data.extend_from_slice(ip);
            (f.ts_ns, data)
        })
        .collect();
    let path = dir.join(name);
    write_pcap(&path, 1, &frames);
    path
}

/// What tshark reads in a file: (frame, kind, value) for DNS query names, TLS SNI and
/// HTTP request lines (`METHOD URI`).
fn tshark_items(file: &Path, prefs: &[&str]) -> Vec<(u64, &'static str, String)> {
    common::require_tool("tshark");
    let mut cmd = std::process::Command::new("tshark");
    cmd.arg("-n").arg("-r").arg(file);
    for p in prefs {
        cmd.args(["-o", p]);
    }
    cmd.args(["-T", "fields", "-E", "separator=|", "-E", "aggregator=;"]);
    for f in [
        "frame.number",
        "dns.qry.name",
        "tls.handshake.extensions_server_name",
        "http.request.method",
        "http.request.uri",
    ] {
        cmd.args(["-e", f]);
    }
    let out = cmd.output().expect("run tshark");
    assert!(out.status.success(), "tshark failed on {}", file.display());
    let mut items = Vec::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let f: Vec<&str> = line.split('|').collect();
        let frame: u64 = f[0].parse().unwrap();
        for name in f[1].split(';').filter(|s| !s.is_empty()) {
            items.push((frame, "dns", name.to_string()));
        }
        for sni in f[2].split(';').filter(|s| !s.is_empty()) {
            items.push((frame, "tls", sni.to_string()));
        }
        let methods: Vec<&str> = f[3].split(';').filter(|s| !s.is_empty()).collect();
        let uris: Vec<&str> = f[4].split(';').collect();
        for (m, u) in methods.iter().zip(uris) {
            items.push((frame, "http", format!("{m} {u}")));
        }
    }
    items
}

fn frame_in(record: &Value, frame: u64) -> bool {
    let first = record["frame"].as_u64().unwrap_or(0);
    let last = record["last_frame"].as_u64().unwrap_or(first);
    (first..=last).contains(&frame)
}

/// Our record for a tshark item, if any.
fn find<'a>(records: &'a [Value], (frame, kind, value): &(u64, &str, String)) -> Option<&'a Value> {
    records.iter().find(|r| {
        frame_in(r, *frame)
            && match *kind {
                "dns" => {
                    r["kind"] == "dns"
                        && (r["query"] == value.as_str()
                            || r["queries"]
                                .as_array()
                                .is_some_and(|qs| qs.iter().any(|q| q == value.as_str())))
                }
                "tls" => r["kind"] == "tls" && r["sni"] == value.as_str(),
                _ => {
                    r["kind"] == "http"
                        && format!(
                            "{} {}",
                            r["method"].as_str().unwrap_or(""),
                            r["uri"].as_str().unwrap_or("")
                        ) == *value
                }
            }
    })
}

/// Every item tshark reads in `wrapped` is in our output at the same frame, and tshark
/// reads as many items there as in the original (so the framing is really decoded).
fn check_against_tshark(original: &Path, wrapped: &Path, what: &str) -> usize {
    let expected = tshark_items(original, &[]);
    let items = tshark_items(wrapped, &[]);
    assert_eq!(
        items.len(),
        expected.len(),
        "{what}: tshark reads {} items in the re-framed file, {} in the original",
        items.len(),
        expected.len()
    );
    let (records, stderr, code) = common::flows_jsonl(wrapped, &[]);
    assert_eq!(code, 0, "{what}: {stderr}");
    assert!(
        !stderr.contains("not supported"),
        "{what}: link type refused: {stderr}"
    );
    let missing: Vec<_> = items
        .iter()
        .filter(|i| find(&records, i).is_none())
        .collect();
    assert!(
        missing.is_empty(),
        "{what}: {} of {} tshark items not found: {missing:?}",
        missing.len(),
        items.len()
    );
    items.len()
}

#[test]
fn pktap_captures_match_tshark() {
    let corpus = common::corpus();
    let dir = tempfile::tempdir().unwrap();
    let mut total = 0;
    for src in SOURCES {
        let original = corpus.join(src);
        let frames = read_frames(&original);
        let stem = src.rsplit('/').next().unwrap();
        // libpcap's LINKTYPE_PKTAP with the classic 108-byte header, and Darwin's DLT
        // 149 with a longer header (newer macOS), which must be skipped by its length.
        let a = pktap_file(&frames, dir.path(), &format!("258-{stem}"), 258, 108);
        total += check_against_tshark(&original, &a, &format!("PKTAP 258 {stem}"));
        let b = pktap_file(&frames, dir.path(), &format!("149-{stem}"), 149, 156);
        total += check_against_tshark(&original, &b, &format!("PKTAP 149 {stem}"));
    }
    assert!(total > 100, "only {total} items checked");
}

#[test]
fn pppoe_captures_match_tshark() {
    let corpus = common::corpus();
    let dir = tempfile::tempdir().unwrap();
    let mut total = 0;
    for src in SOURCES {
        let original = corpus.join(src);
        let frames = read_frames(&original);
        let stem = src.rsplit('/').next().unwrap();
        for (label, tags) in [
            ("bare", &[][..]),
            ("vlan", &[0x8100][..]),
            ("qinq", &[0x88a8, 0x8100][..]),
        ] {
            let path = pppoe_file(&frames, dir.path(), &format!("{label}-{stem}"), tags);
            total += check_against_tshark(&original, &path, &format!("PPPoE {label} {stem}"));
        }
    }
    assert!(total > 150, "only {total} items checked");
}

#[test]
fn dlt_149_without_a_pktap_header_stays_unsupported() {
    // User DLT 149 holding plain raw IP: not PKTAP, so not misread as anything.
    let corpus = common::corpus();
    let frames = read_frames(&corpus.join("pcap/ndpi_gaijin_mobile_mixed.pcap"));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("user2.pcap");
    let raw: Vec<(i64, Vec<u8>)> = frames.iter().map(|f| (f.ts_ns, f.data.clone())).collect();
    write_pcap(&path, 149, &raw);
    let (records, stderr, code) = common::flows_jsonl(&path, &[]);
    assert_eq!(code, 0, "{stderr}");
    assert!(records.is_empty(), "{records:?}");
    assert!(
        stderr.contains("link type 149 (USER2") && stderr.contains("not supported"),
        "{stderr}"
    );
}

#[test]
fn dns_in_first_fragments_of_lost_datagrams_real_capture() {
    let file = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/captures/dns_first_fragments_only.pcapng");
    let no_reassembly = ["ip.defragment:FALSE", "ipv6.defragment:FALSE"];
    let whole = tshark_items(&file, &[]);
    let items = tshark_items(&file, &no_reassembly);
    let (records, stderr, code) = common::flows_jsonl(&file, &[]);
    assert_eq!(code, 0, "{stderr}");
    let mut partial = 0;
    for item in &items {
        let reassembled = whole.iter().any(|(_, k, v)| *k == item.1 && *v == item.2);
        if reassembled {
            // tshark reads it from the reassembled datagram too: ours is a whole one.
            let r = records
                .iter()
                .find(|r| r["kind"] == "dns" && r["query"] == item.2.as_str())
                .unwrap_or_else(|| panic!("{item:?} not found in {records:#?}"));
            assert!(r.get("partial").is_none(), "{r}");
            continue;
        }
        let r = find(&records, item).unwrap_or_else(|| panic!("{item:?} not found: {records:#?}"));
        assert_eq!(r["partial"], true, "{r}");
        partial += 1;
    }
    // frag-lost (IPv4) and frag6-lost (IPv6); frag-whole completes.
    assert_eq!(partial, 2, "tshark items: {items:?}");
    assert!(stderr.contains("2 of them read in part"), "{stderr}");
}

/// Frame `index` of `frames` (an Ethernet/IPv4 TCP packet) replaced by its first IP
/// fragment, cut a little after `needle` in the TCP payload (fragments end on 8-byte
/// units), so the message is read only in part.
fn cut_to_first_fragment(frames: &[Frame], index: usize, needle: &[u8]) -> Vec<(i64, Vec<u8>)> {
    frames
        .iter()
        .enumerate()
        .map(|(i, f)| {
            if i != index {
                return (f.ts_ns, f.data.clone());
            }
            let ip_at = f.data.len() - ip_of(f).unwrap().len();
            let ip = &f.data[ip_at..];
            assert_eq!(ip[0] >> 4, 4, "test expects IPv4");
            let ihl = (ip[0] & 0x0f) as usize * 4;
            let tcp_len = ((ip[ihl + 12] >> 4) as usize) * 4;
            let payload = &ip[ihl + tcp_len..];
            let at = payload
                .windows(needle.len())
                .position(|w| w == needle)
                .expect("needle in the payload");
            let keep = at + needle.len() + 8;
            assert!(
                keep + 16 < payload.len(),
                "the cut must lose part of the message"
            );
            let cut = (ihl + ((tcp_len + keep) & !7)).min(ip.len());
            let mut frag = ip[..cut].to_vec();
            frag[2..4].copy_from_slice(&(cut as u16).to_be_bytes());
            frag[6] = 0x20; // MF, offset 0, DF cleared
            frag[7] = 0;
            frag[10] = 0;
            frag[11] = 0;
            let mut sum: u32 = frag[..ihl]
                .chunks(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]) as u32)
                .sum();
            while sum > 0xffff {
                sum = (sum & 0xffff) + (sum >> 16);
            }
            frag[10..12].copy_from_slice(&(!(sum as u16)).to_be_bytes());
            let mut data = f.data[..ip_at].to_vec();
            data.extend_from_slice(&frag);
            (f.ts_ns, data)
        })
        .collect()
}

#[test]
fn http_and_tls_in_first_fragments_of_lost_datagrams() {
    let corpus = common::corpus();
    let dir = tempfile::tempdir().unwrap();
    let no_reassembly = ["ip.defragment:FALSE", "ipv6.defragment:FALSE"];
    // A real HTTP request and a real TLS ClientHello, each cut to its first fragment.
    let cases = [
        ("pcap/lwerdna_simple_http.pcap", "http"),
        ("pcap/ndpi_android.pcap", "tls"),
    ];
    for (src, kind) in cases {
        let original = corpus.join(src);
        let frames = read_frames(&original);
        let before = tshark_items(&original, &[]);
        let (frame, _, value) = before
            .iter()
            .find(|(_, k, _)| *k == kind)
            .unwrap_or_else(|| panic!("{src}: no {kind} item in {before:?}"))
            .clone();
        // Keep the request line / the SNI, not the whole message.
        let needle = if kind == "http" {
            b"\r\n".to_vec()
        } else {
            value.as_bytes().to_vec()
        };
        let cut = cut_to_first_fragment(&frames, frame as usize - 1, &needle);
        let path = dir.path().join(format!("cut-{kind}.pcap"));
        write_pcap(&path, 1, &cut);
        let (records, stderr, code) = common::flows_jsonl(&path, &[]);
        assert_eq!(code, 0, "{stderr}");
        let item = (frame, kind, value.clone());
        let r = find(&records, &item)
            .unwrap_or_else(|| panic!("{src}: {item:?} not found: {records:#?}"));
        assert_eq!(r["partial"], true, "{r}");
        if kind == "tls" {
            // Cut inside the hello: no fingerprint over half the extensions.
            assert!(r.get("ja3").is_none() && r.get("ja4").is_none(), "{r}");
        }
        // What tshark reads there without reassembly is found as well.
        for it in tshark_items(&path, &no_reassembly)
            .iter()
            .filter(|i| i.0 == frame)
        {
            assert!(find(&records, it).is_some(), "{src}: tshark reads {it:?}");
        }
    }
}
