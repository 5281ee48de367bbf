//! Runtime API-call logs: the readers on files written the way Camille (xlwt, both
//! layouts) and PrivacySentry write them and on privaudit's JSON Lines
//! (tests/fixtures/apilog/make_fixtures.py, captures/demo/mobile-office-api.jsonl), and
//! every API rule of `audit --api-log` on the demo session.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

const FIX: &str = "tests/fixtures/apilog";
const DEMO_LOG: &str = "captures/demo/mobile-office-api.jsonl";

fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_privaudit"))
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("run privaudit");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn api_log(file: &str) -> Value {
    let (code, out, err) = run(&["api-log", "--format", "json", "--year", "2026", file]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).expect("json");
    v[0].clone()
}

fn audit_with(extra: &[&str], capture: &str) -> Value {
    let mut args = vec![
        "audit",
        "--policy",
        "policies/mobile-office.toml",
        "--device",
        "captures/demo/device.toml",
        "--consent-marker",
        "privacy/agree",
        capture,
        "--format",
        "json",
    ];
    args.extend_from_slice(extra);
    let (code, out, err) = run(&args);
    assert_eq!(code, 1, "the demo has high findings\n{err}");
    serde_json::from_str(&out).expect("json")
}

fn audit(extra: &[&str]) -> Value {
    audit_with(extra, "captures/demo/mobile-office.pcapng")
}

fn findings<'a>(r: &'a Value, rule: &str) -> Vec<&'a Value> {
    r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == rule)
        .collect()
}

fn one<'a>(r: &'a Value, rule: &str, party: &str, data_type: &str) -> &'a Value {
    findings(r, rule)
        .into_iter()
        .find(|f| f["party"] == party && f["data_type"] == data_type)
        .unwrap_or_else(|| panic!("no {rule} for {party} / {data_type}"))
}

/// (party, data type) → number of calls.
fn reads(log: &Value) -> BTreeMap<(String, String), usize> {
    let mut m = BTreeMap::new();
    for c in log["calls"].as_array().unwrap() {
        let t = c["data_type"].as_str().unwrap_or("-").to_string();
        let p = c["attribution"]["party"].as_str().unwrap().to_string();
        *m.entry((p, t)).or_default() += 1;
    }
    m
}

#[test]
fn all_four_formats_describe_the_same_calls() {
    let camille = api_log(&format!("{FIX}/camille.xls"));
    let legacy = api_log(&format!("{FIX}/camille-legacy.xls"));
    let sentry = api_log(&format!("{FIX}/privacysentry.xls"));
    let ours = api_log(DEMO_LOG);
    assert_eq!(camille["format"], "camille");
    assert_eq!(legacy["format"], "camille-legacy");
    assert_eq!(sentry["format"], "privacysentry");
    assert_eq!(ours["format"], "jsonl");
    let expected = reads(&ours);
    assert_eq!(expected.values().sum::<usize>(), 17);
    assert_eq!(
        expected[&("sdk:jpush".into(), "device.identifier.imei".into())],
        2
    );
    assert_eq!(
        expected[&("sdk:umeng".into(), "device.identifier.android_id".into())],
        7
    );
    assert_eq!(
        expected[&("sdk:getui".into(), "app.installed_list".into())],
        1
    );
    assert_eq!(
        expected[&("first-party".into(), "-".into())],
        1,
        "isConnected maps to nothing"
    );
    for (name, log) in [
        ("camille", &camille),
        ("legacy", &legacy),
        ("privacysentry", &sentry),
    ] {
        assert_eq!(reads(log), expected, "{name}");
    }
    // Camille writes the hooked method as the innermost frame; PrivacySentry names only
    // the method, with the thread in 函数名.
    let c3 = &camille["calls"][1];
    assert_eq!(c3["api"], "android.telephony.TelephonyManager.getDeviceId");
    assert_eq!(
        c3["attribution"]["frame"],
        "cn.jiguang.e.a.b(Unknown Source:41)"
    );
    assert_eq!(c3["after_consent"], false);
    assert_eq!(c3["tool_party"], "极光推送");
    let s = sentry["calls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["api"] == "getImei")
        .unwrap();
    assert_eq!(s["thread"], "umeng-worker-1");
    assert_eq!(s["attribution"]["party"], "sdk:umeng");
}

#[test]
fn consent_and_times_as_each_tool_writes_them() {
    let sentry = api_log(&format!("{FIX}/privacysentry.xls"));
    // The 点击隐私协议确认 row, in local time (UTC+08:00), year from --year.
    assert_eq!(sentry["consent"]["exact"], true);
    assert_eq!(sentry["consent"]["ts"], "2026-11-30T04:30:25.480000Z");
    assert_eq!(
        sentry["calls"].as_array().unwrap().len(),
        17,
        "consent row is not a call"
    );
    // Camille's script.js: unpadded, month from 0 ("2026-10-30 4:30:25" is 30 November).
    let camille = api_log(&format!("{FIX}/camille.xls"));
    assert_eq!(
        camille["calls"][0]["ts"],
        "2026-11-30T04:30:25Z".replace("Z", ".000000Z")
    );
    assert_eq!(camille["consent"]["exact"], false);
    let legacy = api_log(&format!("{FIX}/camille-legacy.xls"));
    assert!(
        legacy["consent"].is_null(),
        "the old layout has no status column"
    );
    assert_eq!(legacy["calls"][0]["ts"], "2026-11-30T04:30:25.000000Z");
    let ours = api_log(DEMO_LOG);
    assert_eq!(ours["consent"]["ts"], "2026-11-29T20:30:25.480975Z");
    let bg: Vec<&Value> = ours["calls"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["app_state"] == "background")
        .collect();
    assert_eq!(bg.len(), 1);
}

#[test]
fn bad_logs_fail_with_the_file_named() {
    let (code, _, err) = run(&["api-log", &format!("{FIX}/not-an-apilog.xls")]);
    assert_eq!(code, 2);
    assert!(
        err.contains("not-an-apilog.xls") && err.contains("Budget"),
        "{err}"
    );
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("typo.jsonl");
    std::fs::write(
        &p,
        "{\"ts\":\"2026-11-29T20:30:25Z\",\"api\":\"a.b\"}\n{\"ts\":\"2026-11-29T20:30:25Z\",\"apl\":\"a.b\"}\n",
    )
    .unwrap();
    let (code, _, err) = run(&["api-log", p.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("line 2") && err.contains("apl"), "{err}");
    let (code, _, err) = run(&[
        "audit",
        "--policy",
        "policies/mobile-office.toml",
        "--api-log",
        DEMO_LOG,
        "--api-log-offset",
        "soon",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("--api-log-offset soon"), "{err}");
}

#[test]
fn a_row_without_a_readable_time_keeps_its_place() {
    let (code, out, err) = run(&[
        "api-log",
        "--format",
        "json",
        &format!("{FIX}/camille-bad-time.xls"),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("row 3") && err.contains("not a time"), "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let calls = v[0]["calls"].as_array().unwrap();
    assert_eq!(calls.len(), 3);
    assert_eq!(calls[1]["data_type"], "device.identifier.imei");
    assert_eq!(calls[1]["ts"], calls[0]["ts"]);
    assert_eq!(calls[1]["after_consent"], false);
}

/// The hidden check's shape, for every format: JPush reads the IMEI before consent, and
/// every API evidence entry says where it came from.
#[test]
fn jpush_reads_the_imei_before_consent_in_every_format() {
    for file in [
        format!("{FIX}/camille.xls"),
        format!("{FIX}/camille-legacy.xls"),
        format!("{FIX}/privacysentry.xls"),
        DEMO_LOG.to_string(),
    ] {
        let r = audit(&["--api-log", &file]);
        let f = one(
            &r,
            "PA-API-READ-BEFORE-CONSENT",
            "sdk:jpush",
            "device.identifier.imei",
        );
        assert_eq!(f["severity"], "high");
        let ev = f["evidence"].as_array().unwrap();
        assert!(!ev.is_empty());
        for e in ev {
            assert_eq!(e["source"], "api-log", "{file}");
            assert_eq!(e["api"]["attribution"], "sdk-prefix");
        }
        for f in r["findings"].as_array().unwrap() {
            if f["rule"].as_str().unwrap().starts_with("PA-API") {
                assert!(
                    f["evidence"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .any(|e| e["source"] == "api-log"),
                    "{file}: {f}"
                );
            }
        }
        assert_eq!(r["api_logs"][0]["clock"]["aligned"], true, "{file}");
    }
}

#[test]
fn read_and_sent_joins_the_log_with_the_capture() {
    let r = audit(&["--api-log", DEMO_LOG]);
    // JPush read the IMEI before consent and sent its MD5 at frame 72.
    let f = one(
        &r,
        "PA-API-READ-AND-SENT",
        "sdk:jpush",
        "device.identifier.imei",
    );
    assert_eq!(f["severity"], "critical", "outranks the read alone (high)");
    let ev = f["evidence"].as_array().unwrap();
    assert_eq!(ev[0]["source"], "api-log");
    assert!(ev[1]["source"].is_null());
    // The request completes in frame 72 (tshark's http.request); its first segment is 70.
    assert!(ev[1]["frame"] == 72 || ev[1]["frame"] == 70, "{}", ev[1]);
    assert_eq!(ev[1]["host"], "tsis.jpush.cn");
    // Bugly read the MAC and sent it at frame 8, both before consent.
    let f = one(
        &r,
        "PA-API-READ-AND-SENT",
        "sdk:bugly",
        "device.identifier.mac",
    );
    let frame = &f["evidence"][1]["frame"];
    assert!(*frame == 8 || *frame == 6, "{frame}");
    // GeTui's installed-app list never shows up in its (readable) request: no join.
    assert!(
        findings(&r, "PA-API-READ-AND-SENT")
            .iter()
            .all(|f| f["data_type"] != "app.installed_list")
    );
    // A window shorter than JPush's 1.5 s gap breaks that join.
    let r = audit(&["--api-log", DEMO_LOG, "--api-log-window", "1"]);
    let f = one(
        &r,
        "PA-API-READ-AND-SENT",
        "sdk:jpush",
        "device.identifier.imei",
    );
    // …but its second read (after consent, 0.15 s before the send) still joins, because
    // JPush is not named in the policy.
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("without a declaration"),
        "{f}"
    );
}

#[test]
fn frequency_undeclared_and_background() {
    let r = audit(&["--api-log", DEMO_LOG]);
    let f = one(
        &r,
        "PA-API-READ-FREQUENCY",
        "sdk:umeng",
        "device.identifier.android_id",
    );
    assert_eq!(f["evidence_total"], 7);
    assert!(f["message"].as_str().unwrap().contains("limit 5 per 300 s"));
    // JPush reads the Android ID once: no frequency finding.
    assert!(
        findings(&r, "PA-API-READ-FREQUENCY")
            .iter()
            .all(|f| f["party"] == "sdk:umeng")
    );
    one(
        &r,
        "PA-API-READ-UNDECLARED",
        "sdk:getui",
        "app.installed_list",
    );
    // The app's own read of the phone number is declared (clause 1.1): no finding.
    assert!(r["findings"].as_array().unwrap().iter().all(|f| {
        !(f["rule"].as_str().unwrap().starts_with("PA-API") && f["party"] == "first-party")
    }));
    let f = one(
        &r,
        "PA-API-READ-BACKGROUND",
        "sdk:getui",
        "location.precise",
    );
    assert_eq!(f["evidence"][0]["api"]["app_state"], "background");
    // The report puts reads and transmissions on one timeline.
    let tl = r["timeline"].as_array().unwrap();
    assert!(
        tl.iter()
            .any(|p| p["source"] == "api-log" && p["party"] == "sdk:jpush")
    );
    assert!(
        tl.iter()
            .any(|p| p["source"].is_null() && p["party"] == "sdk:jpush")
    );
}

#[test]
fn the_report_says_which_clock_it_trusted() {
    // Zone-less Camille times: the zone is guessed and stated.
    let r = audit(&["--api-log", &format!("{FIX}/camille-legacy.xls")]);
    let clock = &r["api_logs"][0]["clock"];
    assert_eq!(clock["offset_ns"], -8i64 * 3600 * 1_000_000_000);
    assert!(clock["trusted"].as_str().unwrap().contains("UTC+08:00"));
    // An explicit offset wins; shifted an hour away the join finds nothing to join,
    // while the log's own consent record still dates the reads.
    let r = audit(&["--api-log", DEMO_LOG, "--api-log-offset", "+1h"]);
    let clock = &r["api_logs"][0]["clock"];
    assert!(
        clock["trusted"]
            .as_str()
            .unwrap()
            .contains("--api-log-offset")
    );
    assert!(findings(&r, "PA-API-READ-AND-SENT").is_empty());
    one(
        &r,
        "PA-API-READ-BEFORE-CONSENT",
        "sdk:jpush",
        "device.identifier.imei",
    );
}

#[test]
fn consent_comes_from_the_log_when_nothing_else_says() {
    let (code, out, err) = run(&[
        "audit",
        "--policy",
        "policies/mobile-office.toml",
        "--device",
        "captures/demo/device.toml",
        "captures/demo/mobile-office.pcapng",
        "--api-log",
        DEMO_LOG,
        "--format",
        "json",
    ]);
    assert_eq!(code, 1, "{err}");
    let r: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(r["consent"]["ts"], "2026-11-29T20:30:25.480975Z");
    assert!(
        r["consent"]["source"]
            .as_str()
            .unwrap()
            .starts_with("API log:")
    );
    // …and the traffic rules use it: Bugly's MAC (frame 8) went out before it.
    assert!(
        findings(&r, "PA-BEFORE-CONSENT")
            .iter()
            .any(|f| f["party"] == "sdk:bugly")
    );
}

#[test]
fn read_and_contacted_when_the_payload_cannot_be_read() {
    // The demo capture without its embedded TLS secrets: m3.seeyon.com is opaque.
    let dir = tempfile::tempdir().unwrap();
    let pcap = dir.path().join("no-keys.pcapng");
    std::fs::write(&pcap, without_secrets("captures/demo/mobile-office.pcapng")).unwrap();
    // The app's own code reads the installed-app list (not declared) just before its
    // first TLS connection to m3.seeyon.com (20:30:25.746).
    let log = dir.path().join("first-party.jsonl");
    std::fs::write(
        &log,
        r#"{"ts":"2026-11-29T20:30:25.700Z","api":"android.app.ApplicationPackageManager.getInstalledPackages","stack":["android.app.ApplicationPackageManager.getInstalledPackages(Native Method)","com.seeyon.cmp.login.LoginActivity.scan(LoginActivity.java:9)"],"app_state":"foreground"}
"#,
    )
    .unwrap();
    let r = audit_with(
        &["--api-log", log.to_str().unwrap()],
        pcap.to_str().unwrap(),
    );
    let f = one(
        &r,
        "PA-API-READ-AND-CONTACTED",
        "first-party",
        "app.installed_list",
    );
    let msg = f["message"].as_str().unwrap();
    assert!(
        msg.contains("m3.seeyon.com") && msg.contains("could not be read"),
        "{msg}"
    );
    assert_eq!(f["evidence"][0]["api"]["attribution"], "app-frame");
}

/// The pcapng file with its Decryption Secrets Blocks (type 0x0A) left out.
fn without_secrets(path: &str) -> Vec<u8> {
    let bytes = std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap();
    // The demo is little-endian (byte-order magic 4D 3C 2B 1A).
    assert_eq!(&bytes[8..12], &[0x4D, 0x3C, 0x2B, 0x1A]);
    let mut out = Vec::new();
    let mut at = 0;
    let mut dropped = 0;
    while at + 8 <= bytes.len() {
        let kind = u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap());
        let len = u32::from_le_bytes(bytes[at + 4..at + 8].try_into().unwrap()) as usize;
        if kind == 0x0A {
            dropped += 1;
        } else {
            out.extend_from_slice(&bytes[at..at + len]);
        }
        at += len;
    }
    assert_eq!(dropped, 1, "the demo embeds one key log");
    out
}

#[test]
fn signatures_check_reads_the_api_table() {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::copy(
        root.join("signatures/datatypes.toml"),
        dir.path().join("datatypes.toml"),
    )
    .unwrap();
    let table = std::fs::read_to_string(root.join("signatures/api-calls.toml")).unwrap();
    std::fs::write(
        dir.path().join("api-calls.toml"),
        table.replace(
            "data = \"device.identifier.imei\"",
            "data = \"device.identifier.imie\"",
        ),
    )
    .unwrap();
    let (code, _, err) = run(&["signatures", "check", dir.path().to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(
        err.contains("api-calls.toml") && err.contains("device.identifier.imie"),
        "{err}"
    );
}
