//! QUIC 1-RTT decryption and HTTP/3 on the corpus's real captures, checked against
//! tshark 4.0 with the same key log. tshark 4.0 decrypts QUIC but does not decode
//! HTTP/3, so what is compared is the QUIC layer: the decrypted STREAM frames it shows
//! (stream id, offset, bytes). From them the test derives, independently of privaudit,
//! (a) the number of distinct stream bytes each side sent — which must equal the
//! `plaintext_up` / `plaintext_down` of privaudit's `conn` record — and (b) the frames
//! where a client-initiated bidirectional stream starts with an HTTP/3 HEADERS frame
//! (first byte 0x01), which is where privaudit must report an HTTP/3 request. tshark's
//! bytes of that HEADERS frame, run through privaudit's QPACK decoder, must give the
//! method, authority, path and user agent privaudit reported from its own decryption
//! (and they are asserted literally: Chrome 107 fetching https://cloudflare-quic.com/).

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

use serde_json::Value;

/// One STREAM frame as tshark decrypted it.
#[derive(Debug)]
struct StreamFrame {
    frame: u64,
    from_client: bool,
    stream: u64,
    offset: u64,
    data: Vec<u8>,
}

fn collect(v: &Value, frame: u64, from_client: bool, out: &mut Vec<StreamFrame>) {
    match v {
        Value::Object(map) => {
            if let Some(id) = map.get("quic.stream.stream_id").and_then(Value::as_str) {
                let data = map
                    .get("quic.stream_data")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .split(':')
                    .filter(|s| !s.is_empty())
                    .map(|b| u8::from_str_radix(b, 16).unwrap())
                    .collect();
                out.push(StreamFrame {
                    frame,
                    from_client,
                    stream: id.parse().unwrap(),
                    offset: map
                        .get("quic.stream.offset")
                        .and_then(Value::as_str)
                        .map_or(0, |s| s.parse().unwrap()),
                    data,
                });
            }
            for child in map.values() {
                collect(child, frame, from_client, out);
            }
        }
        Value::Array(items) => {
            for child in items {
                collect(child, frame, from_client, out);
            }
        }
        _ => {}
    }
}

/// tshark's decrypted STREAM frames; the client is the side sending to `server_port`.
fn tshark_stream_frames(pcap: &Path, keylog: &Path, server_port: &str) -> Vec<StreamFrame> {
    common::require_tool("tshark");
    let out = Command::new("tshark")
        .arg("-n")
        .arg("-r")
        .arg(pcap)
        .arg("-o")
        .arg(format!("tls.keylog_file:{}", keylog.display()))
        .args(["-Y", "quic", "-T", "json", "--no-duplicate-keys"])
        .args(["-J", "frame udp quic"])
        .output()
        .expect("tshark runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let packets: Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut frames = Vec::new();
    for p in packets.as_array().unwrap() {
        let layers = &p["_source"]["layers"];
        let frame: u64 = layers["frame"]["frame.number"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        let from_client = layers["udp"]["udp.dstport"] == server_port;
        collect(&layers["quic"], frame, from_client, &mut frames);
    }
    frames
}

/// Distinct stream bytes per direction (retransmissions counted once).
fn distinct_bytes(frames: &[StreamFrame]) -> [u64; 2] {
    let mut ranges: BTreeMap<(bool, u64), Vec<(u64, u64)>> = BTreeMap::new();
    for f in frames {
        ranges
            .entry((f.from_client, f.stream))
            .or_default()
            .push((f.offset, f.offset + f.data.len() as u64));
    }
    let mut total = [0u64; 2];
    for ((from_client, _), mut r) in ranges {
        r.sort();
        let mut covered = 0;
        let mut end = 0;
        for (a, b) in r {
            let a = a.max(end);
            if b > a {
                covered += b - a;
                end = b;
            }
        }
        total[usize::from(!from_client)] += covered;
    }
    total
}

/// Frames where a client request stream starts with an HTTP/3 HEADERS frame.
fn request_start_frames(frames: &[StreamFrame]) -> BTreeSet<u64> {
    frames
        .iter()
        .filter(|f| f.from_client && f.stream % 4 == 0 && f.offset == 0)
        .filter(|f| f.data.first() == Some(&0x01))
        .map(|f| f.frame)
        .collect()
}

fn quic_conns(records: &[Value]) -> Vec<&Value> {
    records
        .iter()
        .filter(|r| r["kind"] == "conn" && r["service"] == "quic")
        .collect()
}

#[test]
fn chrome_http3_requests_decrypt_as_tshark_decrypts() {
    let c = common::corpus();
    let pcap = c.join("tls/ja4_chrome-cloudflare-quic-with-secrets.pcapng");
    let keylog = c.join("tls/ja4_chrome-cloudflare-quic-with-secrets.keylog");
    let oracle = tshark_stream_frames(&pcap, &keylog, "443");
    let starts = request_start_frames(&oracle);
    assert_eq!(starts, BTreeSet::from([55]), "tshark: {oracle:?}");
    let [up, down] = distinct_bytes(&oracle);
    assert!(up > 0 && down > 10_000, "{up} {down}");

    let (records, stderr, code) =
        common::flows_jsonl(&pcap, &["--keylog", keylog.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    // Every 1-RTT packet opened (the zero padding after coalesced packets is not one).
    assert!(!stderr.contains("could not be opened"), "{stderr}");
    let quic = quic_conns(&records);
    assert_eq!(quic.len(), 1, "{quic:?}");
    assert_eq!(quic[0]["decrypted"], true, "{}", quic[0]);
    assert_eq!(quic[0]["name"], "cloudflare-quic.com");
    assert_eq!(quic[0]["plaintext_up"], up, "{}", quic[0]);
    assert_eq!(quic[0]["plaintext_down"], down, "{}", quic[0]);

    let h3: Vec<&Value> = records
        .iter()
        .filter(|r| r["kind"] == "http" && r["version"] == "HTTP/3")
        .collect();
    let frames: BTreeSet<u64> = h3.iter().map(|r| r["frame"].as_u64().unwrap()).collect();
    assert_eq!(frames, starts, "{h3:?}");
    // tshark's own bytes of request stream 0 (one STREAM frame, offset 0): an HTTP/3
    // HEADERS frame whose field section, decoded with QPACK, is the request privaudit
    // reported from its own decryption.
    let stream0: Vec<u8> = oracle
        .iter()
        .filter(|f| f.from_client && f.stream == 0)
        .flat_map(|f| f.data.clone())
        .collect();
    assert_eq!(stream0[0], 0x01, "HEADERS frame first");
    let (len, used) = match stream0[1] >> 6 {
        0 => (usize::from(stream0[1]), 2),
        1 => (
            usize::from(u16::from_be_bytes([stream0[1] & 0x3f, stream0[2]])),
            3,
        ),
        _ => panic!("header block length"),
    };
    let fields = privaudit::proto::qpack::Decoder::new(4096)
        .decode(&stream0[used..used + len], 100)
        .unwrap();
    let field = |n: &str| fields.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
    let r = h3[0];
    assert_eq!(
        r["method"],
        field(":method").unwrap().as_str(),
        "{fields:?}"
    );
    assert_eq!(r["uri"], field(":path").unwrap().as_str(), "{fields:?}");
    assert_eq!(
        r["host"],
        field(":authority").unwrap().as_str(),
        "{fields:?}"
    );
    assert_eq!(
        r["user_agent"],
        field("user-agent").unwrap().as_str(),
        "{fields:?}"
    );
    assert_eq!(r["method"], "GET", "{r}");
    assert_eq!(r["host"], "cloudflare-quic.com", "{r}");
    assert_eq!(r["uri"], "/", "{r}");
    assert_eq!(r["transport"], "https-decrypted", "{r}");
    assert_eq!(r["status"], 200, "{r}");
    // The TCP connection's HTTP/2 request is still there.
    assert!(
        records
            .iter()
            .any(|r| r["kind"] == "http" && r["version"] == "HTTP/2")
    );
}

#[test]
fn draft33_server_streams_decrypt_as_tshark_decrypts() {
    // ndpi's draft-33 capture: seven packets, no request (the client only sends
    // ACKs and transport parameters after the handshake), but the server's
    // control, QPACK encoder and decoder streams are 1-RTT packets to decrypt.
    let c = common::corpus();
    let pcap = c.join("tls/ndpi_quic-33.pcapng");
    let keylog = c.join("tls/ndpi_quic-33.keylog");
    let oracle = tshark_stream_frames(&pcap, &keylog, "4443");
    let streams: BTreeSet<u64> = oracle.iter().map(|f| f.stream).collect();
    assert_eq!(streams, BTreeSet::from([3, 7, 11]), "{oracle:?}");
    assert!(oracle.iter().all(|f| !f.from_client));
    let [up, down] = distinct_bytes(&oracle);
    assert_eq!((up, down), (0, 9));
    assert_eq!(request_start_frames(&oracle), BTreeSet::new());

    let (records, stderr, code) =
        common::flows_jsonl(&pcap, &["--keylog", keylog.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    let quic = quic_conns(&records);
    assert_eq!(quic.len(), 1, "{quic:?}");
    assert_eq!(quic[0]["decrypted"], true, "{}", quic[0]);
    assert_eq!(
        quic[0]["plaintext_up"].as_u64().unwrap_or(0),
        up,
        "{}",
        quic[0]
    );
    assert_eq!(quic[0]["plaintext_down"], down, "{}", quic[0]);
    assert!(!records.iter().any(|r| r["kind"] == "http"));
}

/// Both captures carry their secrets in a pcapng Decryption Secrets Block too. editcap
/// 4.0 refuses to rewrite the Chrome capture, so the DSB (block type 0x0a) is dropped
/// here by walking the blocks (little-endian sections only, which both are).
fn without_secrets(src: &Path, dir: &Path) -> std::path::PathBuf {
    let data = std::fs::read(src).unwrap();
    assert_eq!(
        &data[8..12],
        &[0x4d, 0x3c, 0x2b, 0x1a],
        "little-endian pcapng"
    );
    let mut out = Vec::new();
    let mut pos = 0;
    let mut dropped = 0;
    while pos + 8 <= data.len() {
        let kind = u32::from_le_bytes(data[pos..pos + 4].try_into().unwrap());
        let len = u32::from_le_bytes(data[pos + 4..pos + 8].try_into().unwrap()) as usize;
        assert!(len >= 12 && pos + len <= data.len());
        if kind == 0x0a {
            dropped += 1;
        } else {
            out.extend_from_slice(&data[pos..pos + len]);
        }
        pos += len;
    }
    assert_eq!(dropped, 1, "{}", src.display());
    let path = dir.join(src.file_name().unwrap());
    std::fs::write(&path, out).unwrap();
    path
}

#[test]
fn without_keys_quic_is_listed_with_sni_as_not_decrypted() {
    let c = common::corpus();
    let dir = tempfile::tempdir().unwrap();
    for (file, sni) in [
        (
            "tls/ja4_chrome-cloudflare-quic-with-secrets.pcapng",
            Some("cloudflare-quic.com"),
        ),
        // aioquic's test client sends no SNI (to ::1).
        ("tls/ndpi_quic-33.pcapng", None),
    ] {
        let stripped = without_secrets(&c.join(file), dir.path());
        let (records, stderr, code) = common::flows_jsonl(&stripped, &[]);
        assert_eq!(code, 0, "{stderr}");
        let quic = quic_conns(&records);
        assert_eq!(quic.len(), 1, "{file}");
        if let Some(sni) = sni {
            assert_eq!(quic[0]["name"], sni, "{file}: {}", quic[0]);
        }
        assert_eq!(quic[0]["decrypted"], false, "{file}");
        assert_eq!(quic[0]["not_decrypted"], "no key log given", "{file}");
        let hello = records.iter().find(|r| r["kind"] == "quic").unwrap();
        assert_eq!(hello["established"], true, "{file}");
        if let Some(sni) = sni {
            assert_eq!(hello["sni"], sni, "{file}");
        }
        assert!(
            !records
                .iter()
                .any(|r| r["kind"] == "http" && r["version"] == "HTTP/3"),
            "{file}"
        );
    }
    // A key log without this connection's client random.
    let stripped = without_secrets(&c.join("tls/ndpi_quic-33.pcapng"), dir.path());
    let other = c.join("tls/ja4_chrome-cloudflare-quic-with-secrets.keylog");
    let (records, _, _) = common::flows_jsonl(&stripped, &["--keylog", other.to_str().unwrap()]);
    assert_eq!(
        quic_conns(&records)[0]["not_decrypted"],
        "no key for this client random in the key log"
    );
}
