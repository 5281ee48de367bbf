//! Honest coverage: requests whose payload is ciphertext are counted per party in every
//! audit format, so "no personal data found" is never read as "none sent". The capture
//! is real (tcpdump on loopback, tests/fixtures/captures/opaque_payloads.py): device
//! data really AES-encrypted by openssl, sent as an SDK would (a binary body, a base64
//! query parameter, a base64 JSON field), mixed with requests that must not count (plain
//! JSON, a signed request with a token, a gzip JSON body, a picture upload).

mod common;

use std::path::Path;

use serde_json::Value;

fn audit(format: &str, lang: &str) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = common::privaudit(&[
        "audit",
        "--policy",
        root.join("policies/mobile-office.toml").to_str().unwrap(),
        "--format",
        format,
        "--lang",
        lang,
        root.join("tests/fixtures/captures/opaque_payloads.pcap")
            .to_str()
            .unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        matches!(out.status.code(), Some(0) | Some(1)),
        "{format}: {stderr}"
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

const EXPECTED: [(&str, u64, &str, &str); 3] = [
    ("sdk:umeng", 2, "body", "ciphertext body"),
    ("sdk:pangle", 1, "query.data", "base64 ciphertext"),
    (
        "third-party:adnet-example.com",
        1,
        "body.json.payload",
        "base64 ciphertext",
    ),
];

#[test]
fn json_counts_unreadable_payloads_per_party() {
    let report: Value = serde_json::from_str(&audit("json", "en")).unwrap();
    let cov = &report["coverage"];
    assert_eq!(cov["requests_inspected"], 8);
    assert_eq!(cov["requests_not_readable"], 4, "{cov:#}");
    let rows = cov["payload_not_readable"].as_array().unwrap();
    assert_eq!(rows.len(), EXPECTED.len(), "{cov:#}");
    for (party, n, field, kind) in EXPECTED {
        let row = rows
            .iter()
            .find(|r| r["party"] == party)
            .unwrap_or_else(|| panic!("{party} missing: {cov:#}"));
        assert_eq!(row["requests"], n, "{row}");
        assert_eq!(row["example"]["field"], field, "{row}");
        assert_eq!(row["example"]["kind"], kind, "{row}");
    }
    // The encrypted IMEI is not found (it cannot be), which is why coverage says so.
    let imei_to_sdk = report["matrix"].as_array().unwrap().iter().any(|c| {
        c["data_type"] == "device.identifier.imei"
            && c["party"].as_str().unwrap_or("").starts_with("sdk:")
    });
    assert!(!imei_to_sdk);
}

#[test]
fn every_text_format_says_which_payloads_were_not_readable() {
    let line = "payload not readable: 2 requests to sdk:umeng";
    let third = "payload not readable: 1 request to third-party:adnet-example.com";
    let note = "no personal data found in them does not mean none was sent";
    for format in ["table", "markdown", "junit", "html", "sarif"] {
        let out = audit(format, "en");
        assert!(out.contains(line), "{format}: {out}");
        assert!(out.contains(third), "{format}");
        assert!(out.contains(note), "{format}");
    }
    let zh = audit("markdown", "zh");
    assert!(zh.contains("载荷无法读取：2 个请求发往 sdk:umeng"), "{zh}");
    let sarif: Value = serde_json::from_str(&audit("sarif", "en")).unwrap();
    assert_eq!(
        sarif["runs"][0]["properties"]["coverage"]["requests_not_readable"],
        4
    );
    let junit = audit("junit", "en");
    assert!(
        junit.contains("<property name=\"coverage.requests_not_readable\" value=\"4\"/>"),
        "{junit}"
    );
}

#[test]
fn readable_traffic_reports_nothing_unreadable() {
    // The bundled demo: plain and decrypted JSON, forms and a gzip body.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = common::privaudit(&[
        "audit",
        "--policy",
        root.join("policies/mobile-office.toml").to_str().unwrap(),
        "--format",
        "json",
        root.join("captures/demo/mobile-office.pcapng")
            .to_str()
            .unwrap(),
    ]);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(report["coverage"]["requests_inspected"].as_u64().unwrap() > 5);
    assert_eq!(report["coverage"]["requests_not_readable"], 0);
    assert!(
        !String::from_utf8_lossy(
            &common::privaudit(&[
                "audit",
                "--policy",
                root.join("policies/mobile-office.toml").to_str().unwrap(),
                root.join("captures/demo/mobile-office.pcapng")
                    .to_str()
                    .unwrap(),
            ])
            .stdout
        )
        .contains("payload not readable")
    );
}
