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

/// Every violation of `rule` in the grouped findings (one finding per party, the rules
/// it breaks inside), with its finding.
fn findings<'a>(r: &'a Value, rule: &str) -> Vec<(&'a Value, &'a Value)> {
    r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| {
            f["violations"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|v| v["rule"] == rule)
                .map(move |v| (f, v))
        })
        .collect()
}

/// The party's finding and its violation of `rule` for `data_type`.
fn one<'a>(r: &'a Value, rule: &str, party: &str, data_type: &str) -> (&'a Value, &'a Value) {
    findings(r, rule)
        .into_iter()
        .find(|(f, v)| {
            f["party"] == party
                && v["data_types"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|t| t == data_type)
        })
        .unwrap_or_else(|| panic!("no {rule} for {party} / {data_type}"))
}

/// The finding's evidence rows from API logs for one data type.
fn api_rows<'a>(f: &'a Value, data_type: &str) -> Vec<&'a Value> {
    f["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["source"] == "api-log" && e["data_type"] == data_type)
        .collect()
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
    // JPush's read at start-up (called from JPushInterface.init); the later one comes
    // from JCore's own PushService, with no JPush frame on the stack.
    assert_eq!(
        expected[&("sdk:jpush".into(), "device.identifier.imei".into())],
        1
    );
    assert_eq!(
        expected[&("sdk:jcore".into(), "device.identifier.imei".into())],
        1
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
    // JCore's renamed cn.jiguang.e.a says nothing; JPush's own frame further out decides.
    assert_eq!(
        c3["attribution"]["frame"],
        "cn.jpush.android.api.JPushInterface.init(JPushInterface.java:95)"
    );
    assert_eq!(c3["attribution"]["how"], "after-obfuscated");
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
        let (f, v) = one(
            &r,
            "PA-API-READ-BEFORE-CONSENT",
            "sdk:jpush",
            "device.identifier.imei",
        );
        assert_eq!(v["severity"], "high");
        assert!(
            f["rules"]
                .as_array()
                .unwrap()
                .iter()
                .any(|x| x == "PA-API-READ-BEFORE-CONSENT")
        );
        let ev = api_rows(f, "device.identifier.imei");
        assert!(!ev.is_empty(), "{file}");
        for e in ev {
            // Decided by a frame that is JPush's own, not by JCore's renamed classes.
            assert!(
                e["api"]["decided_by"]
                    .as_str()
                    .unwrap()
                    .starts_with("cn.jpush.android.api."),
                "{file}: {e}"
            );
            assert_eq!(e["api"]["attribution"], "after-obfuscated", "{file}");
        }
        for f in r["findings"].as_array().unwrap() {
            let api_rules = f["rules"]
                .as_array()
                .unwrap()
                .iter()
                .any(|x| x.as_str().unwrap().starts_with("PA-API"));
            if api_rules {
                assert!(
                    f["evidence"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .any(|e| e["source"] == "api-log" && e["api"]["row"].is_u64()),
                    "{file}: {f}"
                );
            }
        }
        // One finding per party: the API rules joined the traffic rules' finding.
        let parties: Vec<&Value> = r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|f| f.get("party"))
            .collect();
        let distinct: std::collections::BTreeSet<String> =
            parties.iter().map(|p| p.to_string()).collect();
        assert_eq!(parties.len(), distinct.len(), "{file}");
        assert_eq!(r["api_logs"][0]["clock"]["aligned"], true, "{file}");
    }
}

#[test]
fn read_and_sent_joins_the_log_with_the_capture() {
    let r = audit(&["--api-log", DEMO_LOG]);
    // JPush read the IMEI before consent and sent its MD5 in frame 72.
    let (f, v) = one(
        &r,
        "PA-API-READ-AND-SENT",
        "sdk:jpush",
        "device.identifier.imei",
    );
    assert_eq!(v["severity"], "critical", "outranks the read alone (high)");
    assert_eq!(f["severity"], "critical");
    let msg = v["message"].as_str().unwrap();
    assert!(
        msg.contains("before consent") && msg.contains("tsis.jpush.cn") && msg.contains("frame 72"),
        "{msg}"
    );
    assert!(!api_rows(f, "device.identifier.imei").is_empty());
    // The request completes in frame 72 (tshark's http.request); its first segment is 70.
    let sent: Vec<&Value> = f["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["source"].is_null() && e["host"] == "tsis.jpush.cn")
        .collect();
    assert!(sent.iter().any(|e| e["frame"] == 72), "{sent:?}");
    // Bugly read the MAC and sent it in frame 8, both before consent.
    let (_, v) = one(
        &r,
        "PA-API-READ-AND-SENT",
        "sdk:bugly",
        "device.identifier.mac",
    );
    assert!(v["message"].as_str().unwrap().contains("frame 8,"), "{v}");
    // GeTui's installed-app list never shows up in its (readable) request: no join.
    assert!(
        findings(&r, "PA-API-READ-AND-SENT")
            .iter()
            .all(|(_, v)| v["data_types"][0] != "app.installed_list")
    );
    // JCore's later read (its own PushService) leaves through JPush, 0.15 s later.
    let (_, v) = one(
        &r,
        "PA-API-READ-AND-SENT",
        "sdk:jcore",
        "device.identifier.imei",
    );
    let msg = v["message"].as_str().unwrap();
    assert!(msg.contains("through JPush to tsis.jpush.cn"), "{msg}");
    // A window shorter than JPush's 1.5 s gap breaks that join…
    let r = audit(&["--api-log", DEMO_LOG, "--api-log-window", "1"]);
    assert!(
        findings(&r, "PA-API-READ-AND-SENT")
            .iter()
            .all(|(f, _)| f["party"] != "sdk:jpush")
    );
    // …but JCore's read (after consent, 0.15 s before the send) still joins, because
    // neither JCore nor JPush is named in the policy.
    let (_, v) = one(
        &r,
        "PA-API-READ-AND-SENT",
        "sdk:jcore",
        "device.identifier.imei",
    );
    assert!(
        v["message"]
            .as_str()
            .unwrap()
            .contains("without a declaration"),
        "{v}"
    );
}

#[test]
fn frequency_undeclared_and_background() {
    let r = audit(&["--api-log", DEMO_LOG]);
    let (f, v) = one(
        &r,
        "PA-API-READ-FREQUENCY",
        "sdk:umeng",
        "device.identifier.android_id",
    );
    assert!(v["message"].as_str().unwrap().contains("limit 5 per 300 s"));
    assert_eq!(api_rows(f, "device.identifier.android_id").len(), 7);
    let detail = f["details"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["data_type"] == "device.identifier.android_id")
        .unwrap();
    assert_eq!(detail["api"]["reads"], 7);
    // JPush reads the Android ID once: no frequency finding.
    assert!(
        findings(&r, "PA-API-READ-FREQUENCY")
            .iter()
            .all(|(f, _)| f["party"] == "sdk:umeng")
    );
    one(
        &r,
        "PA-API-READ-UNDECLARED",
        "sdk:getui",
        "app.installed_list",
    );
    // The app's own read of the phone number is declared (clause 1.1): no finding.
    assert!(r["findings"].as_array().unwrap().iter().all(|f| {
        f["party"] != "first-party"
            || f["rules"]
                .as_array()
                .unwrap()
                .iter()
                .all(|x| !x.as_str().unwrap().starts_with("PA-API"))
    }));
    let (f, _) = one(
        &r,
        "PA-API-READ-BACKGROUND",
        "sdk:getui",
        "location.precise",
    );
    assert!(
        api_rows(f, "location.precise")
            .iter()
            .any(|e| e["api"]["app_state"] == "background")
    );
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
            .any(|(f, _)| f["party"] == "sdk:bugly")
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
    let (f, v) = one(
        &r,
        "PA-API-READ-AND-CONTACTED",
        "first-party",
        "app.installed_list",
    );
    let msg = v["message"].as_str().unwrap();
    assert!(
        msg.contains("m3.seeyon.com") && msg.contains("could not be read"),
        "{msg}"
    );
    assert_eq!(
        api_rows(f, "app.installed_list")[0]["api"]["attribution"],
        "app-frame"
    );
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

#[test]
fn a_marker_that_matches_nothing_gives_way_to_the_logs_consent() {
    let args = [
        "audit",
        "--policy",
        "policies/mobile-office.toml",
        "--device",
        "captures/demo/device.toml",
        "--consent-marker",
        "nothing/here",
        "captures/demo/mobile-office.pcapng",
        "--api-log",
        DEMO_LOG,
        "--format",
        "json",
    ];
    let (code, out, err) = run(&args);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("nothing/here matched nothing") && err.contains("API log"),
        "{err}"
    );
    let r: Value = serde_json::from_str(&out).unwrap();
    assert!(r["consent_note"].is_null(), "the before-consent rules ran");
    assert_eq!(r["consent"]["ts"], "2026-11-29T20:30:25.480975Z");
    // …but a marker the user required is still a mistake.
    let mut strict = args.to_vec();
    strict.push("--require-consent-marker");
    let (code, _, err) = run(&strict);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("nothing/here"), "{err}");
}
