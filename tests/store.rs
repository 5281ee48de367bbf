//! The results store with SQLite, through the CLI as a user runs it and through the
//! library: the two demo versions stored and diffed, idempotent re-runs, eight
//! concurrent writers, migrations from an empty file, read-back equality,
//! `--against-previous` in every text format, `reaudit` against a fresh audit, the
//! fleet view, and the speed bounds the issue sets (10 000 findings stored, a fleet
//! over 1 000 runs).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use privaudit::store::record::{RunMeta, pack};
use privaudit::store::{RunRecord, Store, StoreUrl};
use serde_json::{Value, json};

const APP: &str = "com.seeyon.cmp";
const V1: &str = "captures/demo/mobile-office.pcapng";
const V2: &str = "captures/demo/4.6.0/mobile-office.pcapng";

fn privaudit(args: &[&str]) -> (i32, String, String) {
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

fn audit(capture: &str, version: &str, store: &str, extra: &[&str]) -> (i32, String, String) {
    let mut args = vec![
        "audit",
        "--policy",
        "policies/mobile-office.toml",
        "--device",
        "captures/demo/device.toml",
        "--consent-marker",
        "privacy/agree",
        capture,
        "--store",
        store,
        "--app-id",
        APP,
        "--app-version",
        version,
    ];
    args.extend_from_slice(extra);
    privaudit(&args)
}

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

fn url(dir: &Path) -> String {
    format!("sqlite:{}", dir.join("runs.db").display())
}

#[test]
fn two_demo_versions_stored_and_diffed() {
    let dir = tmp();
    let store = url(dir.path());
    let (code, _, err) = audit(
        V1,
        "4.5.0",
        &store,
        &["--format", "json", "-o", "/dev/null"],
    );
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("stored com.seeyon.cmp@4.5.0 as run 1"),
        "{err}"
    );
    // The same inputs again: the same run, not a second one.
    let (_, _, err) = audit(
        V1,
        "4.5.0",
        &store,
        &["--format", "json", "-o", "/dev/null"],
    );
    assert!(
        err.contains("already stored: com.seeyon.cmp@4.5.0 as run 1"),
        "{err}"
    );
    let (_, _, err) = audit(
        V2,
        "4.6.0",
        &store,
        &["--format", "json", "-o", "/dev/null"],
    );
    assert!(err.contains("as run 2"), "{err}");

    let (code, out, err) = privaudit(&["history", "--store", &store, "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let h: Value = serde_json::from_str(&out).unwrap();
    let runs = h["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 2);
    assert_eq!(runs[1]["version"], "4.6.0");

    let old = format!("{store}#{APP}@4.5.0");
    let new = format!("{store}#{APP}@4.6.0");
    let (code, out, err) = privaudit(&["diff", &old, &new, "--format", "json"]);
    assert_eq!(code, 1, "a new high finding fails: {err}");
    let d: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(d["schema"], "privaudit.diff/1");
    assert_eq!(
        d["sdks"]["added"],
        json!([{"id": "growingio", "name": "GrowingIO Analytics SDK"}])
    );
    assert_eq!(d["sdks"]["removed"], json!([]));
    let added: Vec<(&str, &str)> = d["flows"]["added"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["party"].as_str().unwrap(),
                f["data_type"].as_str().unwrap(),
            )
        })
        .collect();
    assert!(
        added.contains(&("sdk:growingio", "device.identifier.oaid")),
        "{added:?}"
    );
    let removed: Vec<(&str, &str)> = d["flows"]["removed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["party"].as_str().unwrap(),
                f["data_type"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(removed, vec![("sdk:umeng", "device.identifier.android_id")]);
    let new_findings = d["findings"]["new"].as_array().unwrap();
    assert!(
        new_findings
            .iter()
            .any(|f| f["rule"] == "PA-THIRD-PARTY-UNDISCLOSED" && f["party"] == "sdk:growingio"),
        "{new_findings:?}"
    );
    // The Android ID no longer reaches Umeng: flows removed, and wherever a finding
    // carried it, either resolved or changed (same fingerprint, fewer data types).
    let gone = |f: &Value| {
        f["data_types"]
            .as_array()
            .is_some_and(|t| t.iter().any(|x| x == "device.identifier.android_id"))
    };
    let resolved = d["findings"]["resolved"].as_array().unwrap();
    assert!(resolved.iter().all(gone), "{resolved:?}");
    let changed = d["findings"]["changed"].as_array().unwrap();
    assert!(
        !resolved.is_empty()
            || changed.iter().any(|c| {
                c["finding"]["party"] == "sdk:umeng"
                    && c["data_types_removed"] == json!(["device.identifier.android_id"])
            }),
        "the Android ID's findings are neither resolved nor changed: {changed:?}"
    );
    let (_, old_report, _) = audit(V1, "4.5.0", &store, &["--format", "json"]);
    let old_findings = serde_json::from_str::<Value>(&old_report).unwrap()["findings"]
        .as_array()
        .unwrap()
        .len() as u64;
    let s = &d["summary"];
    assert_eq!(
        s["findings_unchanged"].as_u64().unwrap()
            + s["findings_changed"].as_u64().unwrap()
            + s["findings_resolved"].as_u64().unwrap(),
        old_findings,
        "every old finding is unchanged, changed or resolved"
    );
    assert!(s["findings_unchanged"].as_u64().unwrap() >= 3);
    assert_eq!(d["summary"]["failed"], true);

    // Only new findings at --fail-on count: nothing new is critical.
    let (code, _, _) = privaudit(&["diff", &old, &new, "--fail-on", "critical"]);
    assert_eq!(code, 0);
    // Identical runs: no changes, exit 0.
    let (code, out, _) = privaudit(&["diff", &new, &new, "--format", "json"]);
    assert_eq!(code, 0);
    let d: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(d["summary"]["changed"], false);
    assert_eq!(d["findings"]["new"], json!([]));
    // Markdown for a merge request.
    let (code, out, _) = privaudit(&["diff", &old, &new, "--format", "markdown"]);
    assert_eq!(code, 1);
    assert!(
        out.contains("**SDKs added**") && out.contains("(`growingio`)"),
        "{out}"
    );
}

#[test]
fn audit_json_files_diff_like_stored_runs() {
    let dir = tmp();
    let store = url(dir.path());
    let a = dir.path().join("a.json");
    let b = dir.path().join("b.json");
    audit(
        V1,
        "4.5.0",
        &store,
        &["--format", "json", "-o", a.to_str().unwrap()],
    );
    audit(
        V2,
        "4.6.0",
        &store,
        &["--format", "json", "-o", b.to_str().unwrap()],
    );
    let (code, files, _) = privaudit(&[
        "diff",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(code, 1);
    let (_, stored, _) = privaudit(&[
        "diff",
        &format!("{store}#1"),
        &format!("{store}#{APP}"),
        "--format",
        "json",
    ]);
    let (f, s): (Value, Value) = (
        serde_json::from_str(&files).unwrap(),
        serde_json::from_str(&stored).unwrap(),
    );
    for k in ["sdks", "flows", "findings", "permissions"] {
        assert_eq!(f[k], s[k], "{k} differs between files and stored runs");
    }
    // A file that is not a report, and a run that is not stored: exit 2, named.
    let (code, _, err) = privaudit(&["diff", "Cargo.toml", b.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("Cargo.toml"), "{err}");
    let (code, _, err) = privaudit(&["diff", &format!("{store}#{APP}@9.9"), b.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("no stored run com.seeyon.cmp@9.9"), "{err}");
    let (code, _, err) = privaudit(&["diff", "mysql://x#1", b.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn against_previous_in_each_format() {
    let dir = tmp();
    let store = url(dir.path());
    audit(
        V1,
        "4.5.0",
        &store,
        &["--format", "json", "-o", "/dev/null"],
    );
    let (code, out, err) = audit(
        V2,
        "4.6.0",
        &store,
        &["--against-previous", "--format", "json"],
    );
    assert_eq!(code, 1, "{err}");
    let r: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(r["schema"], "privaudit.audit/1");
    assert_eq!(r["changes"]["schema"], "privaudit.diff/1");
    assert_eq!(r["changes"]["old"]["version"], "4.5.0");
    assert_eq!(r["changes"]["sdks"]["added"][0]["id"], "growingio");
    let (_, out, _) = audit(V2, "4.6.0", &store, &["--against-previous"]);
    assert!(out.contains("Changes since the previous version: com.seeyon.cmp 4.5.0 (run 1) → com.seeyon.cmp 4.6.0 (run 2)"), "{out}");
    assert!(out.contains("+ GrowingIO Analytics SDK (growingio)"));
    let (_, out, _) = audit(
        V2,
        "4.6.0",
        &store,
        &["--against-previous", "--format", "markdown"],
    );
    assert!(
        out.contains("## Changes since the previous version"),
        "{out}"
    );
    let (_, out, _) = audit(
        V2,
        "4.6.0",
        &store,
        &["--against-previous", "--format", "html"],
    );
    let at = out
        .find("<section id=\"changes\">")
        .expect("changes section in the HTML");
    assert!(at < out.rfind("</body>").unwrap());
    assert!(out[at..].contains("GrowingIO Analytics SDK (growingio)"));
    // SARIF: baselineState on every result, the schema still satisfied.
    let (_, out, _) = audit(
        V2,
        "4.6.0",
        &store,
        &["--against-previous", "--format", "sarif"],
    );
    let sarif: Value = serde_json::from_str(&out).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let state = |party: &str| {
        results
            .iter()
            .filter(|r| r["message"]["text"].as_str().unwrap_or("").contains(party))
            .map(|r| r["baselineState"].as_str().unwrap())
            .collect::<Vec<_>>()
    };
    assert!(
        state("GrowingIO").contains(&"new"),
        "{:?}",
        state("GrowingIO")
    );
    assert!(results.iter().all(|r| r["baselineState"].is_string()));
    assert!(results.iter().any(|r| r["baselineState"] == "unchanged"));
    let corpus = std::env::var_os("PRIVAUDIT_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"));
    let schema = corpus.join("../reference/sarif-schema-2.1.0.json");
    let file = dir.path().join("changes.sarif");
    std::fs::write(&file, &out).unwrap();
    let check = Command::new("python3")
        .arg("-c")
        .arg(
            "import json,sys\nimport jsonschema\n\
             jsonschema.validate(json.load(open(sys.argv[2])), json.load(open(sys.argv[1])))",
        )
        .arg(&schema)
        .arg(&file)
        .output()
        .expect("python3 with jsonschema (.ci/run installs it)");
    assert!(
        check.status.success(),
        "SARIF with baselineState invalid: {}",
        String::from_utf8_lossy(&check.stderr)
    );
    // A store never receives unmasked values.
    let (code, _, err) = audit(V2, "4.6.0", &store, &["--show-values"]);
    assert_eq!(code, 2);
    assert!(err.contains("--show-values"), "{err}");
    // The first version has nothing before it: no section, a note.
    let (_, out, err) = audit(
        V1,
        "4.5.0",
        &store,
        &["--against-previous", "--format", "json"],
    );
    assert!(
        serde_json::from_str::<Value>(&out)
            .unwrap()
            .get("changes")
            .is_none()
    );
    assert!(err.contains("no earlier run"), "{err}");
    // Without an id and a version: the policy's app name, "unversioned", a warning;
    // two such runs still compare, the earlier being the previous one.
    let other = url(&dir.path().join("x"));
    std::fs::create_dir_all(dir.path().join("x")).unwrap();
    let plain = [
        "audit",
        "--policy",
        "policies/mobile-office.toml",
        "--store",
        &other,
    ];
    let (code, _, err) = privaudit(&[&plain[..], &[V1, "-o", "/dev/null"]].concat());
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("stored as Mobile Office@unversioned"), "{err}");
    assert!(err.contains("--app-version"), "{err}");
    let (_, out, _) =
        privaudit(&[&plain[..], &[V2, "--against-previous", "--format", "json"]].concat());
    let r: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(r["changes"]["sdks"]["added"][0]["id"], "growingio");
}

/// The demo policy, plus a share entry naming Umeng for two types: findings change.
fn changed_policy(dir: &Path) -> PathBuf {
    let mut text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("policies/mobile-office.toml"),
    )
    .unwrap();
    text.push_str(
        "\n[[share]]\nparty = \"sdk:umeng\"\nname = \"Umeng\"\n\
         data = [\"device.identifier.imei\", \"device.identifier.android_id\"]\n\
         clause = \"9.9\"\nquote = \"We share the IMEI and the Android ID with Umeng.\"\n",
    );
    let p = dir.join("policy-v2.toml");
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn reaudit_gives_what_a_fresh_audit_gives() {
    let dir = tmp();
    let store = url(dir.path());
    let (_, original, _) = audit(V1, "4.5.0", &store, &["--format", "json"]);
    let policy = changed_policy(dir.path());
    let policy = policy.to_str().unwrap();
    let (code, re, err) = privaudit(&[
        "reaudit",
        "--store",
        &store,
        "--run",
        "com.seeyon.cmp@4.5.0",
        "--policy",
        policy,
        "--format",
        "json",
    ]);
    assert_eq!(code, 1, "{err}");
    let (_, fresh, _) = privaudit(&[
        "audit",
        "--policy",
        policy,
        "--device",
        "captures/demo/device.toml",
        "--consent-marker",
        "privacy/agree",
        V1,
        "--format",
        "json",
    ]);
    let (re, fresh, original): (Value, Value, Value) = (
        serde_json::from_str(&re).unwrap(),
        serde_json::from_str(&fresh).unwrap(),
        serde_json::from_str(&original).unwrap(),
    );
    // The policy change matters, so equality below is not vacuous.
    assert_ne!(original["findings"], fresh["findings"]);
    for k in [
        "findings", "matrix", "sdks", "summary", "timeline", "coverage", "consent", "inputs",
    ] {
        assert_eq!(re[k], fresh[k], "reaudit and a fresh audit differ in `{k}`");
    }
    // By id too, and a missing run is an error naming it.
    let (code, _, _) = privaudit(&[
        "reaudit", "--store", &store, "--run", "1", "--policy", policy,
    ]);
    assert_eq!(code, 1);
    let (code, _, err) = privaudit(&[
        "reaudit", "--store", &store, "--run", "7", "--policy", policy,
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("no stored run #7"), "{err}");
}

#[test]
fn fleet_view_over_the_demo_versions_and_another_app() {
    let dir = tmp();
    let store = url(dir.path());
    audit(
        V1,
        "4.5.0",
        &store,
        &["--format", "json", "-o", "/dev/null"],
    );
    audit(
        V2,
        "4.6.0",
        &store,
        &["--format", "json", "-o", "/dev/null"],
    );
    let (code, _, err) = privaudit(&[
        "audit",
        "--policy",
        "policies/mobile-office.toml",
        V1,
        "--store",
        &store,
        "--app-id",
        "com.example.other",
        "--app-version",
        "1.0",
        "-o",
        "/dev/null",
    ]);
    assert_eq!(code, 1, "{err}");
    let (code, out, err) = privaudit(&["fleet", "--store", &store, "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let f: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(f["schema"], "privaudit.fleet/1");
    let apps = f["apps"].as_array().unwrap();
    assert_eq!(apps.len(), 2);
    let seeyon = apps.iter().find(|a| a["app"] == APP).unwrap();
    assert_eq!(
        seeyon["version"], "4.6.0",
        "the latest run stands for the app"
    );
    assert_eq!(seeyon["runs"], 2);
    let growingio = f["sdks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "growingio")
        .unwrap();
    assert_eq!(growingio["apps"], json!([APP]));
    assert!(
        seeyon["undeclared"]
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u["party"] == "sdk:growingio")
    );
    let total_high: i64 = apps
        .iter()
        .map(|a| a["open"]["high"].as_i64().unwrap())
        .sum();
    assert_eq!(f["open_by_severity"]["high"].as_i64().unwrap(), total_high);
    let (code, html, _) = privaudit(&["fleet", "--store", &store]);
    assert_eq!(code, 0);
    assert!(html.starts_with("<!DOCTYPE html>") && html.contains("<h2>Apps × SDKs</h2>"));
    // A signature update: the folder's own version marks every app as stale.
    let (code, out, err) = privaudit(&[
        "fleet",
        "--store",
        &store,
        "--format",
        "json",
        "--signatures",
        "signatures",
    ]);
    assert_eq!(code, 0, "{err}");
    let f: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(f["signature_update"]["stale"].as_array().unwrap().len(), 2);
}

// ---------------------------------------------------------------------------
// Library level: generated reports (in addition to the real demo above).
// ---------------------------------------------------------------------------

/// A report shaped like `audit --format json`, with `n` findings.
fn report(app: &str, version: &str, n: usize, seed: usize) -> Value {
    let findings: Vec<Value> = (0..n)
        .map(|i| {
            let severity = ["critical", "high", "medium", "low", "info"][i % 5];
            json!({
                "rule": "PA-DISCLOSURE-OMITTED",
                "severity": severity,
                "title": "Data type not declared",
                "message": format!("type {i} was sent to sdk:s{} {seed} times", i % 40),
                "data_type": format!("t.{i}"),
                "party": format!("sdk:s{}", i % 40),
                "fingerprint": format!("{:016x}", (i as u64) * 2_654_435_761 + seed as u64),
                "evidence": [{"file": "c.pcapng", "frame": i, "ts": "2021-08-13T10:46:09.772338Z",
                              "host": "h", "method": "POST", "uri": "/x", "field": "body.json.imei",
                              "encoding": ["json"], "value": "8669*******3828", "transport": "http"}],
                "suppressed": i % 97 == 0,
            })
        })
        .collect();
    let matrix: Vec<Value> = (0..n.min(400))
        .map(|i| {
            json!({"party": format!("sdk:s{}", i % 40), "data_type": format!("t.{i}"),
                        "class": if i % 3 == 0 { "clear" } else { "omitted" }, "count": i,
                        "cleartext": 0, "before_consent": 0})
        })
        .collect();
    json!({
        "schema": "privaudit.audit/1",
        "tool": "privaudit test",
        "app": {"name": app, "package": app},
        "policy": "p.toml",
        "inputs": [{"path": format!("{app}-{version}.pcapng"), "format": "pcapng", "frames": 10,
                    "first_ts": "2021-08-13T10:46:09.772338Z", "last_ts": "2021-08-13T10:47:09.000000Z",
                    "sha256": format!("{app}{version}{seed}")}],
        "package": {"id": app, "version_name": version,
                    "permissions": [{"name": "android.permission.CAMERA", "data_types": []},
                                    {"name": format!("android.permission.P{}", seed % 3), "data_types": []}]},
        "summary": {"failed": true},
        "findings": findings,
        "matrix": matrix,
        "sdks": (0..(seed % 7 + 3)).map(|i| json!({"id": format!("s{i}"), "name": format!("SDK {i}"),
                                                    "status": "transmitting", "named_in_policy": false}))
                                    .collect::<Vec<_>>(),
        "coverage": {"requests_inspected": 5},
    })
}

fn record(app: &str, version: &str, n: usize, seed: usize) -> RunRecord {
    RunRecord::from_report(
        &report(app, version, n, seed),
        &RunMeta {
            app,
            version,
            policy_bytes: b"[app]\nname = \"x\"\n",
            policy_path: "p.toml",
            signatures: "builtin-test",
            options: "",
        },
        Some(pack(&json!({"observations": seed}))),
    )
    .unwrap()
}

fn open(path: &Path) -> Store {
    Store::open(&StoreUrl::Sqlite(path.to_path_buf())).unwrap()
}

#[test]
fn migrations_from_empty_and_read_back_equality() {
    let dir = tmp();
    let path = dir.path().join("s.db");
    let mut s = open(&path);
    let latest = privaudit::store::sqlite::MIGRATIONS.last().unwrap().0;
    assert_eq!(s.schema_version().unwrap(), latest);
    let run = record("com.a", "1.0", 250, 1);
    let (id, new) = s.put(&run).unwrap();
    assert!(new);
    drop(s);
    // Reopening migrates nothing and reads back what was written.
    let mut s = open(&path);
    let back = s.get(id).unwrap();
    assert_eq!(back.id, Some(id));
    assert_eq!(back.id, Some(id));
    // Field by field, so a failure names the part that came back different.
    assert_eq!(back.key, run.key);
    assert_eq!((&back.app, &back.version), (&run.app, &run.version));
    assert_eq!(back.stored_at, run.stored_at);
    assert_eq!(back.inputs, run.inputs);
    assert_eq!(back.findings.len(), run.findings.len());
    for (a, b) in back.findings.iter().zip(&run.findings) {
        assert_eq!(a, b);
    }
    assert_eq!(back.flows, run.flows);
    assert_eq!(back.sdks, run.sdks);
    assert_eq!(back.permissions, run.permissions);
    assert_eq!(back.coverage, run.coverage);
    assert!(back.report == run.report, "the stored report differs");
    assert_eq!(back.observations, run.observations);
    let mut expected = run.clone();
    expected.id = Some(id);
    assert!(back == expected);
    // A database from a newer privaudit is refused, not misread.
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute(
        "INSERT INTO schema_migrations (version, applied_at) VALUES (?1, 'later')",
        [latest + 1],
    )
    .unwrap();
    drop(conn);
    let err = Store::open(&StoreUrl::Sqlite(path.clone())).err().unwrap();
    assert!(
        err.to_string().contains("newer than this privaudit knows"),
        "{err}"
    );
}

#[test]
fn eight_concurrent_writers() {
    let dir = tmp();
    let path = dir.path().join("c.db");
    let threads: Vec<_> = (0..8)
        .map(|w| {
            let path = path.clone();
            std::thread::spawn(move || {
                // Each writer opens its own connection, as separate processes would,
                // and the first ones race the migration of the empty file.
                let mut s = open(&path);
                let mut ids = Vec::new();
                for v in 0..5 {
                    let (id, _) = s
                        .put(&record(&format!("app{w}"), &format!("1.{v}"), 60, w))
                        .unwrap();
                    ids.push(id);
                    // Every writer also stores one shared run: it must exist once.
                    let (shared, _) = s.put(&record("shared", "1.0", 60, 99)).unwrap();
                    ids.push(shared);
                }
                ids
            })
        })
        .collect();
    let mut shared_ids = std::collections::BTreeSet::new();
    for t in threads {
        let ids = t.join().expect("writer panicked");
        for pair in ids.chunks(2) {
            shared_ids.insert(pair[1]);
        }
    }
    assert_eq!(
        shared_ids.len(),
        1,
        "the same run stored twice: {shared_ids:?}"
    );
    let mut s = open(&path);
    let runs = s.history(None).unwrap();
    assert_eq!(runs.len(), 8 * 5 + 1);
    for r in &runs {
        assert_eq!(r.findings, 60, "run {} lost findings", r.id);
    }
}

#[test]
fn speed_store_10k_findings_and_fleet_over_1000_runs() {
    let dir = tmp();
    let path = dir.path().join("b.db");
    let mut s = open(&path);
    let big = record("com.big", "1.0", 10_000, 7);
    let t = Instant::now();
    s.put(&big).unwrap();
    let store_10k = t.elapsed();
    // 1 000 runs: 100 apps × 10 versions, 40 findings each.
    for app in 0..100 {
        for v in 0..10 {
            s.put(&record(
                &format!("com.app{app}"),
                &format!("{v}.0"),
                40,
                app * 10 + v,
            ))
            .unwrap();
        }
    }
    let t = Instant::now();
    let rows = s.fleet_rows().unwrap();
    let fleet = privaudit::store::fleet::Fleet::build(rows, None);
    let html = fleet.html();
    let fleet_1000 = t.elapsed();
    assert_eq!(fleet.apps.len(), 101);
    assert!(html.contains("com.app99"));
    eprintln!(
        "store: 10 000 findings in {:.3} s; fleet over 1 001 runs in {:.3} s",
        store_10k.as_secs_f64(),
        fleet_1000.as_secs_f64()
    );
    // The bounds are 1 s and 2 s for a release build; this test runs
    // unoptimised on a shared machine, so it allows three times as much.
    assert!(
        store_10k.as_secs_f64() < 3.0,
        "storing 10 000 findings took {store_10k:?}"
    );
    assert!(
        fleet_1000.as_secs_f64() < 6.0,
        "the fleet over 1 000 runs took {fleet_1000:?}"
    );
}

/// The entry point the Kubernetes Indexed Job and the CI matrices run: two indexes
/// at once into one store, as two pods would.
#[test]
fn deploy_script_audits_each_index_into_one_store() {
    let dir = tmp();
    let store = url(dir.path());
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let run = |vars: &[(&str, &str)]| {
        let mut c = Command::new("sh");
        c.arg("deploy/audit-index.sh")
            .current_dir(root)
            .env("PRIVAUDIT", env!("CARGO_BIN_EXE_privaudit"))
            .env("APPS_FILE", "deploy/apps.txt")
            .env("PRIVAUDIT_STORE", &store)
            .env("OUTPUT_DIR", dir.path())
            .env_remove("JOB_COMPLETION_INDEX")
            .env_remove("CI_NODE_INDEX");
        for (k, v) in vars {
            c.env(k, v);
        }
        c
    };
    let spawn = |vars: &[(&str, &str)]| {
        run(vars)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("run deploy/audit-index.sh")
    };
    let a = spawn(&[("JOB_COMPLETION_INDEX", "0")]);
    let b = spawn(&[("AUDIT_INDEX", "1")]);
    let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    assert_eq!(
        a.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&a.stderr)
    );
    assert_eq!(
        b.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&b.stderr)
    );
    assert!(dir.path().join("com.seeyon.cmp-4.6.0.json").exists());
    // GitLab counts from 1: node 1 is index 0, already stored.
    let c = run(&[("CI_NODE_INDEX", "1")]).output().unwrap();
    assert!(String::from_utf8_lossy(&c.stderr).contains("already stored: com.seeyon.cmp@4.5.0"));
    let missing = run(&[("AUDIT_INDEX", "2")]).output().unwrap();
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no app at index 2"));
    let (_, out, _) = privaudit(&["history", "--store", &store, "--format", "json"]);
    let h: Value = serde_json::from_str(&out).unwrap();
    let versions: Vec<&str> = h["runs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["version"].as_str().unwrap())
        .collect();
    assert_eq!(versions.len(), 2);
    assert!(versions.contains(&"4.5.0") && versions.contains(&"4.6.0"));
}

#[test]
fn reading_a_store_that_does_not_exist_creates_nothing() {
    let dir = tmp();
    let missing = dir.path().join("typo.db");
    let store = format!("sqlite:{}", missing.display());
    for args in [
        vec!["history", "--store", &store],
        vec!["fleet", "--store", &store],
    ] {
        let (code, _, err) = privaudit(&args);
        assert_eq!(code, 2, "{args:?}");
        assert!(err.contains("typo.db: no such store"), "{err}");
    }
    let (code, _, _) = privaudit(&["diff", &format!("{store}#1"), &format!("{store}#2")]);
    assert_eq!(code, 2);
    assert!(!missing.exists());
}

#[test]
fn a_damaged_run_is_an_error_naming_it() {
    let dir = tmp();
    let path = dir.path().join("d.db");
    let mut s = open(&path);
    let (id, _) = s.put(&record("com.d", "1.0", 5, 1)).unwrap();
    drop(s);
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute("UPDATE runs SET report = x'1f8b0800' WHERE id = ?1", [id])
        .unwrap();
    conn.execute(
        "UPDATE findings SET data_types = '[1' WHERE run_id = ?1",
        [id],
    )
    .unwrap();
    drop(conn);
    let store = format!("sqlite:{}", path.display());
    let (code, _, err) = privaudit(&["diff", &format!("{store}#{id}"), &format!("{store}#{id}")]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains(&format!("stored run {id} is damaged")),
        "{err}"
    );
    let (code, _, err) = privaudit(&[
        "reaudit",
        "--store",
        &store,
        "--run",
        "com.d@1.0",
        "--policy",
        "policies/mobile-office.toml",
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("damaged"), "{err}");
}

#[test]
fn reports_written_earlier_are_imported() {
    let dir = tmp();
    let scratch = url(dir.path());
    let a = dir.path().join("a.json");
    let b = dir.path().join("b.json");
    audit(
        V1,
        "4.5.0",
        &scratch,
        &["--format", "json", "-o", a.to_str().unwrap()],
    );
    audit(
        V2,
        "4.6.0",
        &scratch,
        &["--format", "json", "-o", b.to_str().unwrap()],
    );
    let store = format!("sqlite:{}", dir.path().join("imported.db").display());
    let (code, _, err) = privaudit(&[
        "import",
        "--store",
        &store,
        "--app-id",
        APP,
        "--app-version",
        "4.5.0",
        a.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = privaudit(&[
        "import",
        "--store",
        &store,
        "--app-id",
        APP,
        "--app-version",
        "4.6.0",
        "--policy",
        "policies/mobile-office.toml",
        b.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let (code, out, _) = privaudit(&[
        "diff",
        &format!("{store}#{APP}@4.5.0"),
        &format!("{store}#{APP}@4.6.0"),
        "--format",
        "json",
    ]);
    assert_eq!(code, 1);
    let d: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(d["sdks"]["added"][0]["id"], "growingio");
    // Again: the same runs. A report carries no observations: no reaudit.
    let (_, _, err) = privaudit(&[
        "import",
        "--store",
        &store,
        "--app-id",
        APP,
        "--app-version",
        "4.5.0",
        a.to_str().unwrap(),
    ]);
    assert!(
        err.contains("already stored: com.seeyon.cmp@4.5.0 as run 1"),
        "{err}"
    );
    let (code, _, err) = privaudit(&[
        "reaudit",
        "--store",
        &store,
        "--run",
        "1",
        "--policy",
        "policies/mobile-office.toml",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("without its observations"), "{err}");
    // One bad file among good ones: an error naming it, nothing stored.
    let (code, _, err) = privaudit(&[
        "import",
        "--store",
        &store,
        "--app-version",
        "9",
        b.to_str().unwrap(),
        "Cargo.toml",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("Cargo.toml"), "{err}");
    let (_, out, _) = privaudit(&["history", "--store", &store, "--format", "json"]);
    let h: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(h["runs"].as_array().unwrap().len(), 2);
}
