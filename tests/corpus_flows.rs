//! `privaudit flows` against tshark 4.0.17's oracles for every real capture in the
//! shared corpus: every DNS query name, TLS/QUIC SNI and HTTP request tshark saw must be
//! found at the same frame, and frames must be counted exactly as tshark counts them.

mod common;

use serde_json::Value;

/// Oracle entries where tshark reports something that is not a real event on the wire.
/// Each names the file, the frame and the reason.
const TSHARK_ONLY: &[(&str, u64, &str)] = &[
    (
        "ja4_v6.pcap",
        137,
        "tshark dissects the DNS response quoted inside an ICMPv6 port-unreachable error; \
         the quoted copy is not a DNS message on the wire (the real one is frame 136)",
    ),
    (
        "ndpi_KakaoTalk_chat.pcap",
        57,
        "tshark dissects the DNS response quoted inside an ICMP port-unreachable error",
    ),
    (
        "tcpdump_dns-badlabel.pcap",
        1,
        "'<Name too long>' is tshark's placeholder for an undecodable name, not a query name",
    ),
];

fn frame_in(record: &Value, frame: u64) -> bool {
    let first = record["frame"].as_u64().unwrap_or(0);
    let last = record["last_frame"].as_u64().unwrap_or(first);
    (first..=last).contains(&frame)
}

#[test]
fn every_oracle_event_is_found_at_the_same_frame() {
    let corpus = common::corpus();
    let mut checked = 0usize;
    let mut failures = Vec::new();
    let mut files = 0;
    for entry in std::fs::read_dir(corpus.join("oracles")).unwrap() {
        let path = entry.unwrap().path();
        let oracle: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        let file = oracle["file"].as_str().unwrap().to_string();
        if !(file.ends_with(".pcap") || file.ends_with(".pcapng")) {
            continue;
        }
        files += 1;
        let name = file.rsplit('/').next().unwrap().to_string();
        let (records, stderr, code) = common::flows_jsonl(&corpus.join(&file), &[]);
        let results = &oracle["results"];
        if oracle["tshark_rc"].as_i64() != Some(0) {
            // tshark refused the file; so must we, with a clear message and exit 2.
            assert_eq!(
                code, 2,
                "{name}: expected an input error, got {code}: {stderr}"
            );
            assert!(
                stderr.contains(&name),
                "{name}: error must name the file: {stderr}"
            );
            continue;
        }
        assert_eq!(code, 0, "{name}: exit {code}: {stderr}");
        let frames = results["frame_count"].as_u64().unwrap();
        assert!(
            stderr.contains(&format!(": {frames} frames (")),
            "{name}: tshark counts {frames} frames, we said: {stderr}"
        );
        let exempt = |frame: u64| {
            TSHARK_ONLY
                .iter()
                .any(|(f, fr, _)| *f == name && *fr == frame)
        };
        let mut check = |what: String, frame: u64, ok: bool| {
            checked += 1;
            if !ok && !exempt(frame) {
                failures.push(format!("{name}: frame {frame}: {what}"));
            }
        };
        for q in results["dns"].as_array().unwrap() {
            let frame = q["frame"].as_u64().unwrap();
            for qname in q["qname"].as_array().unwrap() {
                let qname = qname.as_str().unwrap();
                let ok = records.iter().any(|r| {
                    r["kind"] == "dns"
                        && frame_in(r, frame)
                        && (r["query"] == qname
                            || r["queries"]
                                .as_array()
                                .is_some_and(|qs| qs.iter().any(|x| x == qname)))
                });
                check(format!("dns query {qname}"), frame, ok);
            }
        }
        for (key, kind) in [
            ("tls_client_hello_sni", "tls"),
            ("quic_client_hello_sni", "quic"),
            ("gquic_sni", "quic"),
        ] {
            for q in results[key].as_array().unwrap() {
                let frame = q["frame"].as_u64().unwrap();
                let sni = q["sni"].as_str().unwrap();
                let ok = records
                    .iter()
                    .any(|r| r["kind"] == kind && frame_in(r, frame) && r["sni"] == sni);
                check(format!("{kind} sni {sni}"), frame, ok);
            }
        }
        for q in results["http_requests"].as_array().unwrap() {
            let frame = q["frame"].as_u64().unwrap();
            let host = q["host"].as_str().unwrap_or("");
            let host = privaudit::exchange::strip_port(host).to_ascii_lowercase();
            let ok = records.iter().any(|r| {
                r["kind"] == "http"
                    && frame_in(r, frame)
                    && r["method"] == q["method"]
                    && r["uri"] == q["uri"]
                    && r["host"].as_str().unwrap_or("") == host
            });
            check(
                format!("http {} {} {}", q["method"], host, q["uri"]),
                frame,
                ok,
            );
        }
    }
    assert!(files >= 50, "expected the corpus's captures, found {files}");
    assert!(checked > 500, "only {checked} oracle events checked");
    assert!(
        failures.is_empty(),
        "{} of {checked} oracle events not found:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn ja4_matches_foxio_published_fingerprints() {
    // Values from FoxIO's own test snapshots for these same capture files.
    let corpus = common::corpus();
    let expect = [
        (
            "pcap/ja4_tls-alpn-h2.pcap",
            "www.cloudflare.com",
            "t12d4605h2_85626a9a5f7f_aaf95bb78ec9",
        ),
        (
            "pcap/ja4_latest.pcapng",
            "pdx-col.eum-appdynamics.com",
            "t13d1516h2_8daaf6152771_e5627efa2ab1",
        ),
        (
            "pcap/ja4_latest.pcapng",
            "discovery.cem.cloud.us",
            "t12d190800_d83cc789557e_7af1ed941c26",
        ),
        (
            "pcap/ja4_latest.pcapng",
            "app.slack.com",
            "t13d1516h2_8daaf6152771_9b887d9acb53",
        ),
    ];
    for (file, sni, ja4) in expect {
        let (records, stderr, _) = common::flows_jsonl(&corpus.join(file), &[]);
        let found: Vec<&Value> = records
            .iter()
            .filter(|r| r["kind"] == "tls" && r["sni"] == sni)
            .collect();
        assert!(
            !found.is_empty(),
            "{file}: no TLS record for {sni}: {stderr}"
        );
        assert!(
            found.iter().any(|r| r["ja4"] == ja4),
            "{file} {sni}: expected JA4 {ja4}, got {:?}",
            found.iter().map(|r| &r["ja4"]).collect::<Vec<_>>()
        );
    }
}

#[test]
fn not_a_capture_is_an_input_error_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("page.pcap");
    std::fs::write(&path, b"<html><body>not a capture</body></html>").unwrap();
    let out = common::privaudit(&["flows", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("page.pcap: not a pcap or pcapng file (starts with 3c 68 74 6d)"),
        "{stderr}"
    );
}

#[test]
fn truncated_capture_yields_records_before_the_damage() {
    let corpus = common::corpus();
    let original = std::fs::read(corpus.join("pcap/ndpi_android.pcap")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cut.pcap");
    std::fs::write(&path, &original[..original.len() * 2 / 3]).unwrap();
    let (records, stderr, code) = common::flows_jsonl(&path, &[]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("truncated capture) at frame"), "{stderr}");
    assert!(records.iter().any(|r| r["kind"] == "dns"));
}
