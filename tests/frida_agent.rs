//! tools/frida/privaudit-agent.js cannot run here (it needs a phone and frida), so its
//! contract is checked from its source: every API it hooks maps to a data type in
//! signatures/api-calls.toml, and every object it emits uses only fields privaudit's
//! JSON Lines reader accepts — which the reader then proves by reading such lines.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use privaudit::apilog::map::{ApiMap, CallKey};

fn agent() -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tools/frida/privaudit-agent.js"),
    )
    .expect("agent source")
}

/// (class, method) pairs of `hookJava('cls', ['m', …])` and `hookObjC('cls', '- sel', …)`.
fn hooked(src: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let java = regex::Regex::new(r"hookJava\('([^']+)',\s*\[([^\]]*)\]").unwrap();
    let quoted = regex::Regex::new(r"'([^']+)'").unwrap();
    for c in java.captures_iter(src) {
        for m in quoted.captures_iter(&c[2]) {
            out.push((c[1].to_string(), m[1].to_string()));
        }
    }
    let objc = regex::Regex::new(r"hookObjC\('([^']+)',\s*'- ([^']+)'").unwrap();
    for c in objc.captures_iter(src) {
        out.push((c[1].to_string(), c[2].trim_end_matches(':').to_string()));
    }
    out
}

#[test]
fn every_hooked_api_maps_to_a_data_type() {
    let src = agent();
    let map = ApiMap::builtin();
    let pairs = hooked(&src);
    assert!(pairs.len() >= 40, "only {} hooks found", pairs.len());
    for (class, method) in &pairs {
        // The agent filters these by argument; give it the one it lets through.
        let args = match (class.as_str(), method.as_str()) {
            (c, "getString") if c.starts_with("android.provider.Settings") => "android_id",
            ("android.content.ContentResolver", "query") => "content://com.android.contacts",
            _ => "",
        };
        let key = CallKey {
            class: Some(class),
            method: Some(method),
            args,
            label: "",
        };
        assert!(
            map.resolve(&key).is_some(),
            "{class}.{method} is hooked but signatures/api-calls.toml maps it to nothing"
        );
    }
    for needed in [
        ("android.telephony.TelephonyManager", "getImei"),
        ("android.net.wifi.WifiInfo", "getMacAddress"),
        (
            "android.app.ApplicationPackageManager",
            "getInstalledPackages",
        ),
        ("ASIdentifierManager", "advertisingIdentifier"),
        ("UIDevice", "identifierForVendor"),
        ("UIDevice", "name"),
        ("CLLocationManager", "location"),
    ] {
        assert!(
            pairs.iter().any(|(c, m)| c == needed.0 && m == needed.1),
            "{needed:?} not hooked"
        );
    }
}

#[test]
fn emitted_fields_are_the_readers() {
    let src = agent();
    // Keys of every `emit({ … })` object literal.
    let emit = regex::Regex::new(r"(?s)emit\(\{(.*?)\}\)").unwrap();
    let key = regex::Regex::new(r"(?:^|[,{\s])([a-z_]+)\s*:").unwrap();
    let mut keys = BTreeSet::new();
    for c in emit.captures_iter(&src) {
        for k in key.captures_iter(&c[1]) {
            keys.insert(k[1].to_string());
        }
    }
    let expected: BTreeSet<String> = [
        "kind",
        "schema",
        "platform",
        "package",
        "tool",
        "ts",
        "note",
        "app_state",
        "api",
        "args",
        "result",
        "stack",
        "thread",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    assert_eq!(keys, expected);
    // A log with every one of those fields, as the agent writes it, reads cleanly.
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("agent.jsonl");
    std::fs::write(
        &p,
        concat!(
            r#"{"kind":"meta","schema":"privaudit.apilog/1","platform":"ios","package":null,"tool":"privaudit-agent.js 1"}"#,
            "\n",
            r#"{"kind":"call","ts":"2026-11-29T20:30:25.110Z","api":"ASIdentifierManager.advertisingIdentifier","args":[],"result":"6D92********C2E1","stack":["0x1b2c AdSupport!-[ASIdentifierManager advertisingIdentifier]","0x2c3d JCore!-[JCOREDevice idfa]","0x3d4e JPush!+[JPUSHService setupWithOption:appKey:channel:]"],"thread":"main","app_state":"foreground"}"#,
            "\n",
            r#"{"kind":"consent","ts":"2026-11-29T20:30:25.480Z","note":"rpc.exports.consent()"}"#,
            "\n",
            r#"{"kind":"state","ts":"2026-11-29T20:30:27.300Z","app_state":"background"}"#,
            "\n",
            r#"{"kind":"call","ts":"2026-11-29T20:30:27.450Z","api":"UIDevice.name","args":[],"result":"Z**********e","stack":["0x1 UIKitCore!-[UIDevice name]","0x2 Demo!-[AppDelegate hello]"],"thread":"background-thread","app_state":"background"}"#,
            "\n"
        ),
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_privaudit"))
        .args(["api-log", "--format", "jsonl"])
        .arg(&p)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["data_type"], "device.identifier.idfa");
    // JCore's frame, called from JPush's: JPush asked for the read.
    assert_eq!(lines[0]["attribution"]["party"], "sdk:jpush");
    assert_eq!(lines[0]["attribution"]["how"], "core-caller");
    assert_eq!(lines[0]["source"], "api-log");
    assert_eq!(lines[1]["data_type"], "device.hardware");
    assert_eq!(lines[1]["attribution"]["party"], "first-party");
    assert_eq!(lines[1]["app_state"], "background");
}

/// Syntax, where Node.js is installed (frida's JavaScript is ES5+ like Node's).
#[test]
fn parses_as_javascript() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tools/frida/privaudit-agent.js");
    match Command::new("node").arg("--check").arg(&path).output() {
        Ok(out) => assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        ),
        Err(_) => eprintln!("node not installed: syntax check skipped (apt-get install nodejs)"),
    }
}
