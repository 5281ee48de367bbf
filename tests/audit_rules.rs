//! Each audit rule on a minimal input: HAR files written by the test (every field a
//! real export has), a small policy declaration, and the CLI run as a user runs it.

mod common;

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

struct Case {
    dir: tempfile::TempDir,
}

impl Case {
    fn new() -> Case {
        Case {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn file(&self, name: &str, text: &str) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    /// A HAR with one entry per (url, seconds after start, post body).
    fn har(&self, entries: &[(&str, u64, Option<&str>)]) -> PathBuf {
        let list: Vec<Value> = entries
            .iter()
            .map(|(url, secs, body)| {
                let mut req = json!({
                    "method": if body.is_some() { "POST" } else { "GET" },
                    "url": url,
                    "httpVersion": "HTTP/1.1",
                    "headers": [{"name": "User-Agent", "value": "okhttp/4.12.0"}],
                    "queryString": [],
                    "cookies": [],
                    "headersSize": -1,
                    "bodySize": body.map(|b| b.len() as i64).unwrap_or(0),
                });
                if let Some(b) = body {
                    req["postData"] = json!({"mimeType": "application/json", "text": b});
                }
                json!({
                    "startedDateTime": format!("2024-05-01T08:{:02}:{:02}.000Z", secs / 60, secs % 60),
                    "time": 12,
                    "request": req,
                    "response": {"status": 200, "statusText": "OK", "httpVersion": "HTTP/1.1", "headers": [], "cookies": [],
                                 "content": {"size": 2, "mimeType": "application/json", "text": "{}"}, "redirectURL": "", "headersSize": -1, "bodySize": 2},
                    "cache": {}, "timings": {"send": 1, "wait": 10, "receive": 1}
                })
            })
            .collect();
        let har = json!({"log": {"version": "1.2", "creator": {"name": "test", "version": "1"}, "entries": list}});
        self.file("session.har", &har.to_string())
    }

    fn audit(&self, policy: &Path, input: &Path, extra: &[&str]) -> (i32, Value) {
        let mut args = vec![
            "audit",
            "--format",
            "json",
            "--policy",
            policy.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        args.push(input.to_str().unwrap());
        let out = common::privaudit(&args);
        let code = out.status.code().unwrap_or(-1);
        let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "not JSON ({e}): {}\n{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            )
        });
        (code, report)
    }
}

fn findings<'a>(report: &'a Value, rule: &str) -> Vec<&'a Value> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rules"].as_array().unwrap().iter().any(|r| r == rule))
        .collect()
}

/// The violations of `rule` in all findings (a finding groups one party's rules).
fn violations<'a>(report: &'a Value, rule: &str) -> Vec<&'a Value> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| f["violations"].as_array().unwrap().iter())
        .filter(|v| v["rule"] == rule)
        .collect()
}

const BASE_POLICY: &str = r#"
[app]
name = "Test app"
first_party = ["example-app.com"]

[[collect]]
clause = "1.1"
data = ["contact.phone_number", "device.identifier"]
quote = "We collect your phone number and device identifiers."
"#;

#[test]
fn disclosure_classes() {
    let c = Case::new();
    let policy = c.file(
        "p.toml",
        &format!("{BASE_POLICY}\n[[deny]]\nclause = \"1.9\"\ndata = [\"location.precise\"]\nscope = \"collect\"\nquote = \"We never collect your precise location.\"\n\n[[collect]]\nclause = \"1.4\"\ndata = [\"network.wifi.ssid\"]\n\n[[deny]]\nclause = \"1.5\"\ndata = [\"network.wifi\"]\n"),
    );
    let har = c.har(&[
        ("https://api.example-app.com/a?mobile=13812345678", 0, None),
        (
            "https://api.example-app.com/b?imei=490154203237518",
            1,
            None,
        ),
        (
            "https://api.example-app.com/c?email=zhang.wei@example.cn",
            2,
            None,
        ),
        (
            "https://api.example-app.com/d?lat=39.991957&lng=116.310003",
            3,
            None,
        ),
        ("https://api.example-app.com/e?ssid=Office-Guest", 4, None),
    ]);
    let (_, r) = c.audit(&policy, &har, &[]);
    let class = |t: &str| {
        r["matrix"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["data_type"] == t && m["party"] == "first-party")
            .map(|m| m["class"].as_str().unwrap().to_string())
    };
    assert_eq!(class("contact.phone_number").as_deref(), Some("clear"));
    assert_eq!(class("device.identifier.imei").as_deref(), Some("vague"));
    assert_eq!(class("contact.email").as_deref(), Some("omitted"));
    assert_eq!(class("location.precise").as_deref(), Some("incorrect"));
    assert_eq!(class("network.wifi.ssid").as_deref(), Some("ambiguous"));
    // All of it went to the app itself: one finding, each rule inside.
    assert_eq!(r["findings"].as_array().unwrap().len(), 1);
    let omitted = violations(&r, "PA-DISCLOSURE-OMITTED");
    assert_eq!(omitted.len(), 1);
    assert_eq!(omitted[0]["data_types"], json!(["contact.email"]));
    assert!(omitted[0]["clause"].is_null(), "omitted = not mentioned");
    let incorrect = violations(&r, "PA-DISCLOSURE-INCORRECT");
    assert_eq!(incorrect[0]["clause"], "1.9");
    assert_eq!(incorrect[0]["severity"], "high");
    assert_eq!(
        r["findings"][0]["severity"], "high",
        "the highest rule decides"
    );
    assert_eq!(violations(&r, "PA-DISCLOSURE-AMBIGUOUS").len(), 1);
    assert_eq!(
        violations(&r, "PA-DISCLOSURE-VAGUE")[0]["data_types"],
        json!(["device.identifier.imei"])
    );
    // Evidence points at the request.
    let ev = r["findings"][0]["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["data_type"] == "contact.email")
        .unwrap();
    assert_eq!(ev["frame"], 3);
    assert_eq!(ev["field"], "query.email");
    assert_ne!(ev["value"], "zhang.wei@example.cn", "values are masked");
}

#[test]
fn third_parties_named_or_not() {
    let c = Case::new();
    let policy = c.file(
        "p.toml",
        &format!("{BASE_POLICY}\n[[share]]\nparty = \"sdk:jpush\"\nclause = \"6.2\"\ndata = [\"device.identifier.android_id\"]\n"),
    );
    let har = c.har(&[
        (
            "https://alog.umeng.com/app_logs?imei=490154203237518",
            0,
            None,
        ),
        (
            "https://tsis.jpush.cn/v1/report?imei=490154203237518&android_id=3f8a6c2e91b7d054",
            1,
            None,
        ),
    ]);
    let (code, r) = c.audit(&policy, &har, &[]);
    assert_eq!(code, 1);
    let undisclosed = findings(&r, "PA-THIRD-PARTY-UNDISCLOSED");
    assert_eq!(undisclosed.len(), 1, "{undisclosed:#?}");
    assert_eq!(undisclosed[0]["party"], "sdk:umeng");
    let over = findings(&r, "PA-SDK-UNDECLARED-DATA");
    assert_eq!(over.len(), 1);
    assert_eq!(over[0]["party"], "sdk:jpush");
    assert_eq!(over[0]["data_type"], "device.identifier.imei");
    let nr = findings(&r, "PA-NON-RESETTABLE-ID");
    assert!(
        nr.iter().any(|f| f["party"] == "sdk:umeng"),
        "IMEI to an analytics SDK"
    );
    let sdks: Vec<&str> = r["sdks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(sdks, vec!["jpush", "umeng"]);
}

#[test]
fn cleartext_against_the_encryption_promise() {
    let c = Case::new();
    let promised = c.file(
        "p.toml",
        &format!("{BASE_POLICY}\n[promises]\nencrypted_in_transit = {{ value = true, clause = \"3.2\" }}\n"),
    );
    let har = c.har(&[
        ("http://api.example-app.com/a?mobile=13812345678", 0, None),
        ("https://api.example-app.com/b?mobile=13812345678", 1, None),
    ]);
    let (_, r) = c.audit(&promised, &har, &[]);
    let f = violations(&r, "PA-CLEARTEXT-BROKEN-PROMISE");
    assert_eq!(f.len(), 1);
    assert!(
        f[0]["message"].as_str().unwrap().contains("in one request"),
        "only the http request counts: {}",
        f[0]["message"]
    );
    assert_eq!(f[0]["clause"], "3.2");
    // Without a promise only sensitive data in clear is a finding.
    let plain = c.file("q.toml", BASE_POLICY);
    let har2 = c.har(&[
        ("http://api.example-app.com/a?mobile=13812345678", 0, None),
        (
            "http://api.example-app.com/b?idcard=11010519491231002X",
            1,
            None,
        ),
    ]);
    let (_, r) = c.audit(&plain, &har2, &[]);
    assert!(findings(&r, "PA-CLEARTEXT-BROKEN-PROMISE").is_empty());
    let s = findings(&r, "PA-CLEARTEXT-SENSITIVE");
    assert_eq!(s.len(), 1);
    assert_eq!(s[0]["data_type"], "identity.id_number.cn_resident");
}

#[test]
fn before_consent_by_time_and_by_marker() {
    let c = Case::new();
    let policy = c.file("p.toml", BASE_POLICY);
    let har = c.har(&[
        (
            "https://android.bugly.qq.com/rqd/async?mac=AC:37:43:4D:9B:1E",
            0,
            None,
        ),
        ("https://alog.umeng.com/ping", 1, None),
        ("https://api.example-app.com/privacy/agree?v=2", 5, None),
        (
            "https://android.bugly.qq.com/rqd/async?mac=AC:37:43:4D:9B:1E",
            9,
            None,
        ),
    ]);
    let (_, r) = c.audit(&policy, &har, &["--consent-marker", "privacy/agree"]);
    let pre = findings(&r, "PA-BEFORE-CONSENT");
    assert_eq!(pre.len(), 1);
    assert_eq!(pre[0]["party"], "sdk:bugly");
    let v = violations(&r, "PA-BEFORE-CONSENT");
    assert!(
        v[0]["message"].as_str().unwrap().contains("in one request"),
        "only the request before consent: {}",
        v[0]["message"]
    );
    let contact = findings(&r, "PA-SDK-CONTACT-BEFORE-CONSENT");
    assert_eq!(contact.len(), 1);
    assert_eq!(contact[0]["party"], "sdk:umeng");
    assert_eq!(r["consent"]["ts"], "2024-05-01T08:00:05.000000Z");
    // An explicit time before everything: nothing is early.
    let (_, r) = c.audit(&policy, &har, &["--consent-at", "2024-05-01T07:00:00Z"]);
    assert!(findings(&r, "PA-BEFORE-CONSENT").is_empty());
    // No consent information: the consent rules do not run.
    let (_, r) = c.audit(&policy, &har, &[]);
    assert!(findings(&r, "PA-BEFORE-CONSENT").is_empty());
}

#[test]
fn excessive_frequency_threshold() {
    let c = Case::new();
    let policy = c.file("p.toml", BASE_POLICY);
    let entries: Vec<(String, u64)> = (0..15)
        .map(|i| {
            (
                format!("https://api.example-app.com/hb?imei=490154203237518&n={i}"),
                i * 3,
            )
        })
        .collect();
    let refs: Vec<(&str, u64, Option<&str>)> = entries
        .iter()
        .map(|(u, s)| (u.as_str(), *s, None))
        .collect();
    let har = c.har(&refs);
    let (_, r) = c.audit(&policy, &har, &["--max-per-minute", "10"]);
    let f = findings(&r, "PA-EXCESSIVE-FREQUENCY");
    assert_eq!(f.len(), 1);
    assert!(
        f[0]["message"]
            .as_str()
            .unwrap()
            .contains("15 times within one minute"),
        "{}",
        f[0]["message"]
    );
    let (_, r) = c.audit(&policy, &har, &["--max-per-minute", "20"]);
    assert!(findings(&r, "PA-EXCESSIVE-FREQUENCY").is_empty());
}

#[test]
fn fail_on_baseline_and_exit_codes() {
    let c = Case::new();
    let policy = c.file("p.toml", BASE_POLICY);
    let har = c.har(&[(
        "https://alog.umeng.com/app_logs?imei=490154203237518",
        0,
        None,
    )]);
    let (code, r) = c.audit(&policy, &har, &[]);
    assert_eq!(code, 1, "high finding fails the default --fail-on high");
    assert_eq!(r["schema"], "privaudit.audit/1");
    let (code, _) = c.audit(&policy, &har, &["--fail-on", "critical"]);
    assert_eq!(code, 0);
    let baseline = c.dir.path().join("baseline.json");
    let (_, first) = c.audit(
        &policy,
        &har,
        &["--write-baseline", baseline.to_str().unwrap()],
    );
    let (code, r) = c.audit(&policy, &har, &["--baseline", baseline.to_str().unwrap()]);
    assert_eq!(code, 0, "every finding is in the baseline");
    assert!(
        r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["suppressed"] == true)
    );
    // Fingerprints are stable across runs.
    let fps = |r: &Value| {
        let mut v: Vec<String> = r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["fingerprint"].as_str().unwrap().to_string())
            .collect();
        v.sort();
        v
    };
    assert_eq!(fps(&first), fps(&r));
    // Input errors are exit 2 with the file named.
    let out = common::privaudit(&[
        "audit",
        "--policy",
        "/nonexistent/policy.toml",
        har.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/policy.toml"));
    let bad = c.file("bad.toml", "[[collect]]\ndata = 3\n");
    let out = common::privaudit(&[
        "audit",
        "--policy",
        bad.to_str().unwrap(),
        har.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("bad.toml"));
}

#[test]
fn sarif_validates_and_junit_parses() {
    common::require_tool("python3");
    let c = Case::new();
    let policy = c.file("p.toml", BASE_POLICY);
    let har = c.har(&[
        (
            "http://alog.umeng.com/app_logs?imei=490154203237518",
            0,
            None,
        ),
        (
            "https://api.example-app.com/c?email=zhang.wei@example.cn",
            2,
            None,
        ),
    ]);
    let sarif = c.dir.path().join("out.sarif");
    let out = common::privaudit(&[
        "audit",
        "--format",
        "sarif",
        "-o",
        sarif.to_str().unwrap(),
        "--policy",
        policy.to_str().unwrap(),
        har.to_str().unwrap(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let schema = common::corpus().join("../reference/sarif-schema-2.1.0.json");
    let check = std::process::Command::new("python3")
        .arg("-c")
        .arg(
            "import json,sys\ntry:\n import jsonschema\nexcept ImportError:\n sys.exit('this test needs the python jsonschema package: pip install jsonschema')\n\
             s=json.load(open(sys.argv[1])); d=json.load(open(sys.argv[2]))\njsonschema.validate(d, s)\n\
             r=d['runs'][0]['results']; assert r, 'no results'\nassert all('partialFingerprints' in x for x in r)\nprint(len(r))",
        )
        .arg(&schema)
        .arg(&sarif)
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "SARIF invalid: {}{}",
        String::from_utf8_lossy(&check.stdout),
        String::from_utf8_lossy(&check.stderr)
    );
    let junit = c.dir.path().join("out.xml");
    let out = common::privaudit(&[
        "audit",
        "--format",
        "junit",
        "-o",
        junit.to_str().unwrap(),
        "--policy",
        policy.to_str().unwrap(),
        har.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let check = std::process::Command::new("python3")
        .arg("-c")
        .arg("import sys,xml.etree.ElementTree as E\nt=E.parse(sys.argv[1]).getroot()\ncases=t.findall('.//testcase'); fails=t.findall('.//failure')\nassert len(cases)>10 and len(fails)>=2, (len(cases),len(fails))\nassert t.get('failures')==str(len(fails))\nprint(len(cases),len(fails))")
        .arg(&junit)
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "JUnit: {}",
        String::from_utf8_lossy(&check.stderr)
    );
    let md = common::privaudit(&[
        "audit",
        "--format",
        "markdown",
        "--policy",
        policy.to_str().unwrap(),
        har.to_str().unwrap(),
    ]);
    let text = String::from_utf8_lossy(&md.stdout);
    assert!(text.starts_with("## privaudit: Test app ❌"), "{text}");
    assert!(
        !text.contains("490154203237518"),
        "markdown must mask values"
    );
}
