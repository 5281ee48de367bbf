//! The declarations and databases beside the policy: a Play Data safety export and a
//! GeoIP database for the cross-border rule, through the CLI.

mod common;

#[path = "../benches/support/synth.rs"]
mod synth;

use std::path::{Path, PathBuf};

use serde_json::Value;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn audit(args: &[&str]) -> (i32, Value, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_privaudit"))
        .current_dir(root())
        .arg("audit")
        .args(args)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let report = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (out.status.code().unwrap_or(-1), report, stderr)
}

fn findings<'a>(r: &'a Value, rule: &str) -> Vec<&'a Value> {
    r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rules"].as_array().unwrap().iter().any(|r| r == rule))
        .collect()
}

#[test]
fn data_safety_against_policy_and_traffic() {
    let (code, r, stderr) = audit(&[
        "--policy",
        "policies/mobile-office.toml",
        "--data-safety",
        "tests/fixtures/datasafety/mobile-office-export.csv",
        "captures/demo/mobile-office.pcapng",
    ]);
    assert_eq!(code, 1, "{stderr}");
    let ds = findings(&r, "PA-DATA-SAFETY-CONTRADICTION");
    // §3.2 promises encryption; the form says not all data is encrypted in transit.
    let enc = ds
        .iter()
        .find(|f| {
            f["message"]
                .as_str()
                .unwrap()
                .contains("encrypted in transit")
        })
        .expect("encryption contradiction");
    assert_eq!(enc["clause"]["clause"], "3.2");
    assert!(
        enc["message"]
            .as_str()
            .unwrap()
            .contains("mobile-office-export.csv")
    );
    // GPS went to AMap in the capture; the form does not list precise location. The
    // finding carries the frame.
    let gps = ds
        .iter()
        .find(|f| f["data_type"] == "location.precise")
        .expect("observed precise location");
    assert_eq!(gps["evidence"][0]["host"], "restapi.amap.com");
    // Fingerprints stay distinct although several share a data type or none.
    let mut fps: Vec<&str> = ds
        .iter()
        .map(|f| f["fingerprint"].as_str().unwrap())
        .collect();
    let n = fps.len();
    fps.sort();
    fps.dedup();
    assert_eq!(fps.len(), n);

    let (code, _, stderr) = audit(&[
        "--policy",
        "policies/mobile-office.toml",
        "--data-safety",
        "/nonexistent/form.csv",
        "captures/demo/mobile-office.pcapng",
    ]);
    assert_eq!(code, 2);
    assert!(stderr.contains("/nonexistent/form.csv"), "{stderr}");
}

/// A capture in which the app sends an IMEI to Umeng in Hong Kong, a phone number to
/// its own server in mainland China, and an IMEI to an ad server in the US (addresses
/// from the test GeoIP database's networks).
fn cross_border_capture(dir: &Path) -> PathBuf {
    let path = dir.join("cross-border.pcap");
    let file = std::fs::File::create(&path).unwrap();
    let mut w = synth::PcapWriter::new(std::io::BufWriter::new(file)).unwrap();
    let phone = [10, 0, 0, 2];
    let flows: [([u8; 4], &str, String); 3] = [
        (
            [198, 18, 2, 10],
            "alog.umeng.com",
            "/app_logs?imei=866910041573828".into(),
        ),
        (
            [198, 18, 1, 10],
            "m3.seeyon.com",
            "/login?mobile=13911472658".into(),
        ),
        (
            [198, 18, 5, 10],
            "ads.example-tracker.com",
            "/v1/bid?imei=866910041573828".into(),
        ),
    ];
    for (i, (server, host, uri)) in flows.iter().enumerate() {
        let c = (phone, 40000 + i as u16);
        let s = (*server, 80);
        let (cs, ss) = (1000u32, 5000u32);
        w.tcp(c, s, cs, 0, "S", &[]).unwrap();
        w.tcp(s, c, ss, cs + 1, "SA", &[]).unwrap();
        w.tcp(c, s, cs + 1, ss + 1, "A", &[]).unwrap();
        let req =
            format!("GET {uri} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: okhttp/4.12.0\r\n\r\n");
        w.tcp(c, s, cs + 1, ss + 1, "PA", req.as_bytes()).unwrap();
        let resp = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}";
        w.tcp(s, c, ss + 1, cs + 1 + req.len() as u32, "PA", resp)
            .unwrap();
    }
    let mut out = w.into_inner();
    std::io::Write::flush(&mut out).unwrap();
    path
}

#[test]
fn cross_border_with_geoip() {
    let dir = tempfile::tempdir().unwrap();
    let cap = cross_border_capture(dir.path());
    let policy = dir.path().join("p.toml");
    std::fs::write(
        &policy,
        "[app]\nname = \"X\"\nfirst_party = [\"seeyon.com\"]\n\n[[collect]]\ndata = [\"contact.phone_number\", \"device.identifier.imei\"]\n\n[promises]\nstorage_region = { value = \"CN\", clause = \"2.1\", quote = \"stored in the territory of the People's Republic of China\" }\n",
    )
    .unwrap();
    let db = root().join("tests/fixtures/geoip/privaudit-regions-test.mmdb");
    let (_, r, stderr) = audit(&[
        "--policy",
        policy.to_str().unwrap(),
        "--geoip",
        db.to_str().unwrap(),
        cap.to_str().unwrap(),
    ]);
    let cb = findings(&r, "PA-CROSS-BORDER");
    assert_eq!(cb.len(), 2, "{stderr}\n{cb:#?}");
    let hk = cb
        .iter()
        .find(|f| f["party"] == "sdk:umeng")
        .expect("umeng in HK");
    let msg = hk["message"].as_str().unwrap();
    assert!(msg.contains(" HK") && msg.contains("198.18.2.10"), "{msg}");
    assert!(
        msg.contains("PIPL"),
        "HK counts as outside the mainland: {msg}"
    );
    assert_eq!(hk["clause"]["clause"], "2.1");
    assert_eq!(hk["evidence"][0]["dst"], "198.18.2.10:80");
    let us = cb
        .iter()
        .find(|f| f["party"] == "third-party:example-tracker.com")
        .expect("ad server in the US");
    assert!(us["message"].as_str().unwrap().contains(" US"));
    // The first party's server is in mainland China: no finding.
    assert!(!cb.iter().any(|f| f["party"] == "first-party"));

    // Without a storage region there is nothing to compare: a warning, no finding.
    let bare = dir.path().join("bare.toml");
    std::fs::write(&bare, "[app]\nname = \"X\"\n").unwrap();
    let (_, r, stderr) = audit(&[
        "--policy",
        bare.to_str().unwrap(),
        "--geoip",
        db.to_str().unwrap(),
        cap.to_str().unwrap(),
    ]);
    assert!(findings(&r, "PA-CROSS-BORDER").is_empty());
    assert!(stderr.contains("storage_region"), "{stderr}");

    // A file that is not a GeoIP database: exit 2, naming it.
    let junk = dir.path().join("junk.mmdb");
    std::fs::write(&junk, b"not a database").unwrap();
    let (code, _, stderr) = audit(&[
        "--policy",
        policy.to_str().unwrap(),
        "--geoip",
        junk.to_str().unwrap(),
        cap.to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert!(stderr.contains("junk.mmdb"), "{stderr}");
}

#[test]
fn hosts_the_proxy_could_not_inspect_are_in_the_coverage() {
    let dir = tempfile::tempdir().unwrap();
    let har = dir.path().join("proxy.har");
    std::fs::write(
        &har,
        r#"{"log":{"version":"1.2","creator":{"name":"privaudit","version":"0.1.0"},"entries":[],
            "_privaudit":{"notInspected":[{"host":"pinned.example.com:443","reason":"not inspected (pinned?)"}]}}}"#,
    )
    .unwrap();
    let policy = dir.path().join("p.toml");
    std::fs::write(&policy, "[app]\nname = \"X\"\n").unwrap();
    let (code, r, stderr) = audit(&["--policy", policy.to_str().unwrap(), har.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(r["coverage"]["connections_not_decrypted"], 1);
    assert_eq!(
        r["coverage"]["not_decrypted"][0],
        serde_json::json!(["pinned.example.com", "not inspected (pinned?)", 1])
    );
}
