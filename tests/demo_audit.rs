//! The README's main command on the bundled demo, with the reviewed Mobile Office
//! declaration: the findings a reviewer of the seed agreement expects, and exit 1.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

fn audit(extra: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_privaudit"))
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")))
        .args([
            "audit",
            "--policy",
            "policies/mobile-office.toml",
            "--device",
            "captures/demo/device.toml",
            "--consent-marker",
            "privacy/agree",
            "captures/demo/mobile-office.pcapng",
        ])
        .args(extra)
        .env("NO_COLOR", "1")
        .output()
        .expect("run privaudit");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn find<'a>(r: &'a Value, rule: &str, party: &str, data_type: Option<&str>) -> &'a Value {
    r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| {
            f["rule"] == rule
                && f["party"] == party
                && data_type.is_none_or(|t| f["data_type"] == t)
        })
        .unwrap_or_else(|| panic!("no {rule} for {party} {data_type:?}"))
}

#[test]
fn demo_audit_finds_what_a_reviewer_expects() {
    let (code, stdout, stderr) = audit(&["--format", "json"]);
    assert_eq!(code, 1, "high findings fail the run: {stderr}");
    let r: Value = serde_json::from_str(&stdout).unwrap();

    // Consent is the first request to the privacy/agree endpoint.
    assert!(
        r["consent"]["source"]
            .as_str()
            .unwrap()
            .contains("privacy/agree")
    );
    // Both HTTPS requests were decrypted from the capture's embedded key log.
    assert_eq!(r["coverage"]["decrypted_requests"], 2);
    assert_eq!(r["coverage"]["connections_not_decrypted"], 0);

    // GPS to AMap over plain HTTP, while §3.2 promises encryption: critical.
    let f = find(
        &r,
        "PA-CLEARTEXT-BROKEN-PROMISE",
        "sdk:amap",
        Some("location.precise"),
    );
    assert_eq!(f["severity"], "critical");
    assert_eq!(f["clause"]["clause"], "3.2");
    assert_eq!(f["evidence"][0]["host"], "restapi.amap.com");
    // The phone number over plaintext HTTP to the app's own server.
    find(
        &r,
        "PA-CLEARTEXT-BROKEN-PROMISE",
        "first-party",
        Some("contact.phone_number"),
    );
    // JPush gets an MD5 of the IMEI; Getui an OAID inside base64 JSON; Umeng IMEI
    // and Android ID in a gzip body.
    let f = find(
        &r,
        "PA-CLEARTEXT-BROKEN-PROMISE",
        "sdk:jpush",
        Some("device.identifier.imei"),
    );
    assert_eq!(f["evidence"][0]["encoding"], serde_json::json!(["md5"]));
    let f = find(
        &r,
        "PA-CLEARTEXT-BROKEN-PROMISE",
        "sdk:getui",
        Some("device.identifier.oaid"),
    );
    assert_eq!(
        f["evidence"][0]["encoding"],
        serde_json::json!(["base64", "json"])
    );
    find(
        &r,
        "PA-CLEARTEXT-BROKEN-PROMISE",
        "sdk:umeng",
        Some("device.identifier.imei"),
    );
    find(
        &r,
        "PA-CLEARTEXT-BROKEN-PROMISE",
        "sdk:umeng",
        Some("device.identifier.android_id"),
    );
    // Bugly gets the MAC before the user agreed.
    let f = find(&r, "PA-BEFORE-CONSENT", "sdk:bugly", None);
    assert!(f["message"].as_str().unwrap().contains("Wi-Fi MAC"));
    // The policy names no SDK: every one that received data is undisclosed.
    for sdk in [
        "sdk:umeng",
        "sdk:amap",
        "sdk:bugly",
        "sdk:jpush",
        "sdk:getui",
    ] {
        find(&r, "PA-THIRD-PARTY-UNDISCLOSED", sdk, None);
    }
    // §6.1.2 mentions SDKs generically: device data to SDKs is only vaguely covered.
    let f = find(
        &r,
        "PA-DISCLOSURE-VAGUE",
        "sdk:umeng",
        Some("device.identifier.imei"),
    );
    assert_eq!(f["clause"]["clause"], "6.1.2");
    // GPS is never declared (the definitions section does not count).
    find(
        &r,
        "PA-DISCLOSURE-OMITTED",
        "sdk:amap",
        Some("location.precise"),
    );
    // The phone number is declared in §1.1: no omission finding for it.
    assert!(!r["findings"].as_array().unwrap().iter().any(|f| {
        f["rule"] == "PA-DISCLOSURE-OMITTED" && f["data_type"] == "contact.phone_number"
    }));
    // No finding shows a full identifier.
    assert!(!stdout.contains("866910041573828"));
    assert!(!stdout.contains("13911472658"));
}

#[test]
fn demo_audit_table_and_fail_on() {
    let (code, stdout, _) = audit(&[]);
    assert_eq!(code, 1);
    assert!(stdout.contains("PA-CLEARTEXT-BROKEN-PROMISE"));
    assert!(stdout.contains("fail-on high: FAIL"));
    // Only the critical finding counts with --fail-on critical: still 1.
    let (code, _, _) = audit(&["--fail-on", "critical", "--format", "json"]);
    assert_eq!(code, 1);
    // A baseline of today's findings makes the same run pass.
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("baseline.json");
    let (_, _, _) = audit(&[
        "--write-baseline",
        base.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let (code, _, _) = audit(&["--baseline", base.to_str().unwrap(), "--format", "json"]);
    assert_eq!(code, 0);
}
