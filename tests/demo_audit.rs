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

/// The finding about `party` that breaks `rule` and concerns `data_type`.
fn find<'a>(r: &'a Value, rule: &str, party: &str, data_type: Option<&str>) -> &'a Value {
    r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| {
            f["rules"].as_array().unwrap().iter().any(|x| x == rule)
                && f["party"] == party
                && data_type
                    .is_none_or(|t| f["data_types"].as_array().unwrap().iter().any(|x| x == t))
        })
        .unwrap_or_else(|| panic!("no {rule} for {party} {data_type:?}"))
}

fn evidence_of<'a>(f: &'a Value, data_type: &str) -> &'a Value {
    f["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["data_type"] == data_type)
        .unwrap_or_else(|| panic!("no evidence for {data_type} in {f}"))
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

    // Six real problems: one finding each, not dozens.
    let findings = r["findings"].as_array().unwrap();
    assert!(findings.len() <= 12, "{} findings", findings.len());
    // One finding per party: every rule and data type of a party is inside it.
    let mut parties: Vec<&str> = findings
        .iter()
        .filter_map(|f| f["party"].as_str())
        .collect();
    parties.sort_unstable();
    let n = parties.len();
    parties.dedup();
    assert_eq!(parties.len(), n, "a party has two findings: {parties:?}");

    // GPS to AMap over plain HTTP, while §3.2 promises encryption: sensitive data in
    // cleartext is critical.
    let f = find(
        &r,
        "PA-CLEARTEXT-BROKEN-PROMISE",
        "sdk:amap",
        Some("location.precise"),
    );
    assert_eq!(f["severity"], "critical");
    assert_eq!(f["clause"]["clause"], "3.2");
    assert_eq!(
        evidence_of(f, "location.precise")["host"],
        "restapi.amap.com"
    );
    // AMap is not named either: the same finding says so, with the §6.1.2 number.
    assert!(
        f["rules"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x == "PA-THIRD-PARTY-UNDISCLOSED")
    );
    // The phone number over plaintext HTTP to the app's own server, by the app's name.
    let f = find(
        &r,
        "PA-CLEARTEXT-BROKEN-PROMISE",
        "first-party",
        Some("contact.phone_number"),
    );
    assert!(
        f["message"].as_str().unwrap().contains("Mobile Office"),
        "{}",
        f["message"]
    );
    assert!(!f["message"].as_str().unwrap().contains("first-party"));
    // JPush gets an MD5 of the IMEI; GeTui an OAID inside base64 JSON; Umeng IMEI
    // and Android ID in a gzip body.
    let f = find(
        &r,
        "PA-THIRD-PARTY-UNDISCLOSED",
        "sdk:jpush",
        Some("device.identifier.imei"),
    );
    assert_eq!(
        evidence_of(f, "device.identifier.imei")["encoding"],
        serde_json::json!(["md5"])
    );
    let f = find(
        &r,
        "PA-THIRD-PARTY-UNDISCLOSED",
        "sdk:getui",
        Some("device.identifier.oaid"),
    );
    assert_eq!(
        evidence_of(f, "device.identifier.oaid")["encoding"],
        serde_json::json!(["base64", "json"])
    );
    let f = find(
        &r,
        "PA-THIRD-PARTY-UNDISCLOSED",
        "sdk:umeng",
        Some("device.identifier.imei"),
    );
    assert!(
        f["data_types"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x == "device.identifier.android_id")
    );
    // One count per request: Umeng's OS sits in two fields of one request.
    let os = f["details"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["data_type"] == "device.software.os")
        .unwrap();
    assert_eq!(os["requests"], 1);
    // §6.1.2 mentions SDKs generically: the per-type class is vague, in the detail.
    let imei = f["details"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["data_type"] == "device.identifier.imei")
        .unwrap();
    assert_eq!(imei["disclosure"], "vague");
    assert_eq!(imei["clause"], "6.1.2");
    // Bugly gets the MAC before the user agreed.
    let f = find(
        &r,
        "PA-BEFORE-CONSENT",
        "sdk:bugly",
        Some("device.identifier.mac"),
    );
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
    // Every non-resettable identifier gets the same rule and severity: the IMEI to
    // Umeng, its MD5 to JPush, the MAC to Bugly.
    let mut severities = Vec::new();
    for (sdk, t) in [
        ("sdk:umeng", "device.identifier.imei"),
        ("sdk:jpush", "device.identifier.imei"),
        ("sdk:bugly", "device.identifier.mac"),
    ] {
        let f = find(&r, "PA-NON-RESETTABLE-ID", sdk, Some(t));
        let v = f["violations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["rule"] == "PA-NON-RESETTABLE-ID")
            .unwrap();
        severities.push(v["severity"].clone());
    }
    assert!(
        severities.iter().all(|s| *s == severities[0]),
        "{severities:?}"
    );
    // The phone number is declared in §1.1: never called undeclared.
    assert!(!findings.iter().any(|f| {
        f["violations"].as_array().unwrap().iter().any(|v| {
            v["rule"] == "PA-DISCLOSURE-OMITTED"
                && v["data_types"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|x| x == "contact.phone_number")
        })
    }));
    // The HTTPS login is what a login is: the password to the app's own server over
    // TLS is no finding.
    assert!(!findings.iter().any(|f| {
        f["data_types"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x == "account.password")
    }));
    // Counts in words, no raw "1 times".
    assert!(!stdout.contains(" 1 times"));
    // No finding shows a full identifier.
    assert!(!stdout.contains("866910041573828"));
    assert!(!stdout.contains("13911472658"));
}

/// The frames tshark shows the demo's HTTP requests at (`-Y http.request`), by host.
fn tshark_request_frames() -> Option<Vec<(u64, String)>> {
    let out = Command::new("tshark")
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")))
        .args([
            "-r",
            "captures/demo/mobile-office.pcapng",
            "-o",
            "tls.keylog_file:captures/demo/mobile-office.keylog",
            "-Y",
            "http.request",
            "-T",
            "fields",
            "-e",
            "frame.number",
            "-e",
            "http.host",
        ])
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    Some(
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| {
                let (f, h) = l.split_once('\t')?;
                Some((f.trim().parse().ok()?, h.trim().to_string()))
            })
            .collect(),
    )
}

#[test]
fn evidence_frames_are_where_wireshark_shows_the_requests() {
    let Some(requests) = tshark_request_frames() else {
        eprintln!("tshark not installed: skipped");
        return;
    };
    assert_eq!(requests.len(), 10, "{requests:?}");
    let (_, stdout, _) = audit(&["--format", "json"]);
    let r: Value = serde_json::from_str(&stdout).unwrap();
    let mut checked = 0;
    for f in r["findings"].as_array().unwrap() {
        for e in f["evidence"].as_array().unwrap() {
            let frame = e["frame"].as_u64().unwrap();
            let first = e["first_frame"].as_u64().unwrap();
            let host = e["host"].as_str().unwrap();
            // The cited frame is tshark's request frame for this host, and the frame
            // list holds it and the first frame.
            assert!(
                requests.iter().any(|(n, h)| *n == frame && h == host),
                "frame {frame} ({host}) is not an http.request frame: {requests:?}"
            );
            let frames: Vec<u64> = e["frames"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_u64().unwrap())
                .collect();
            assert!(frames.contains(&frame) && frames.contains(&first), "{e}");
            assert!(first <= frame);
            checked += 1;
        }
    }
    assert!(checked >= 6);
    // Bugly's request starts in frame 6 (headers) and completes in frame 8 (body).
    let bugly = find(&r, "PA-BEFORE-CONSENT", "sdk:bugly", None);
    assert_eq!(bugly["evidence"][0]["frame"], 8);
    assert!(bugly["evidence"][0]["first_frame"].as_u64().unwrap() < 8);
}

#[test]
fn the_demo_password_never_appears_in_a_report() {
    let password = "Zw#M3demo2021";
    // Every fragment of four characters or more, except those the report carries for
    // other reasons: the policy date ("2021") and the demo's folder name ("demo").
    let fragments: Vec<&str> = (0..password.len())
        .flat_map(|i| (i + 4..=password.len()).map(move |j| &password[i..j]))
        .filter(|f| !f.chars().all(|c| c.is_ascii_digit()) && *f != "demo")
        .collect();
    let dir = tempfile::tempdir().unwrap();
    for format in ["json", "html", "markdown", "sarif", "junit", "table"] {
        let path = dir.path().join(format!("report.{format}"));
        let (code, _, stderr) = audit(&["--format", format, "-o", path.to_str().unwrap()]);
        assert_eq!(code, 1, "{format}: {stderr}");
        let text = std::fs::read_to_string(&path).unwrap();
        for f in &fragments {
            assert!(
                !text.contains(f),
                "{format} report holds `{f}` of the password"
            );
        }
    }
    // The scan output (observations) shows it as [redacted] too, and --show-values
    // is the only way to see it.
    let (_, stdout, _) = audit(&["--format", "json", "--show-values"]);
    assert!(stdout.contains(password) || !stdout.contains("account.password"));
}

#[test]
fn mistakes_fail_before_any_work() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_privaudit"))
            .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")))
            .args(args)
            .output()
            .unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let write = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p.to_str().unwrap().to_string()
    };
    let capture = "captures/demo/mobile-office.pcapng";
    // Device profiles: a short key, a wrong id, a 14-digit IMEI.
    for (text, expect) in [
        (
            "[identifiers]\nimei = \"866910041573828\"\n",
            "device.identifier.imei",
        ),
        (
            "[identifiers]\n\"device.id.imei\" = \"866910041573828\"\n",
            "device.identifier.imei",
        ),
        (
            "[identifiers]\n\"device.identifier.imei\" = \"86691004157382\"\n",
            "not a valid IMEI",
        ),
    ] {
        let device = write("device.toml", text);
        let (code, err) = run(&[
            "audit",
            "--policy",
            "policies/mobile-office.toml",
            "--device",
            &device,
            capture,
        ]);
        assert_eq!(code, 2, "{err}");
        assert!(err.contains(&format!("{device}:2:")), "{err}");
        assert!(err.contains(expect), "{err}");
        // Nothing was read: the capture summary line is never printed.
        assert!(!err.contains("frames"), "{err}");
    }
    // A typo in a policy data-type id.
    let policy = std::fs::read_to_string("policies/mobile-office.toml")
        .unwrap()
        .replacen("\"contact.phone_number\"", "\"contact.phone_numbr\"", 1);
    let policy = write("policy.toml", &policy);
    let (code, err) = run(&["audit", "--policy", &policy, capture]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("did you mean `contact.phone_number`?"),
        "{err}"
    );
    assert!(err.contains(&format!("{policy}:")), "{err}");
    // -o into a missing folder.
    let missing = dir.path().join("no/such/folder/report.json");
    let (code, err) = run(&[
        "audit",
        "--policy",
        "policies/mobile-office.toml",
        capture,
        "--format",
        "json",
        "-o",
        missing.to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains(missing.to_str().unwrap()) && err.contains("No such file"),
        "{err}"
    );
    assert!(!err.contains("frames"), "{err}");
    // The other commands that write a file check it the same way, before any work.
    for args in [
        vec!["flows", capture],
        vec!["scan", capture],
        vec!["policy", "extract", "policies/mobile-office.toml"],
    ] {
        let mut args = args.clone();
        args.extend(["-o", missing.to_str().unwrap()]);
        let (code, err) = run(&args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(
            err.contains(missing.to_str().unwrap()) && err.contains("No such file"),
            "{args:?}: {err}"
        );
    }
    // A consent marker that matches nothing is said, and can be made an error.
    let (_, stdout, _) = audit(&["--format", "json", "--consent-marker", "no-such-path"]);
    let _ = stdout;
    let (code, stdout, _) = {
        let out = Command::new(env!("CARGO_BIN_EXE_privaudit"))
            .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")))
            .args([
                "audit",
                "--policy",
                "policies/mobile-office.toml",
                "--consent-marker",
                "no-such-path",
                capture,
                "--format",
                "json",
            ])
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            (),
        )
    };
    assert_eq!(code, Some(1));
    let r: Value = serde_json::from_str(&stdout).unwrap();
    assert!(
        r["consent_note"]
            .as_str()
            .unwrap()
            .contains("matched nothing")
    );
    let (code, err) = run(&[
        "audit",
        "--policy",
        "policies/mobile-office.toml",
        "--consent-marker",
        "no-such-path",
        "--require-consent-marker",
        capture,
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("matched nothing"), "{err}");
}

#[test]
fn terminal_table_fits_the_width() {
    for cols in ["80", "120"] {
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
            .env("COLUMNS", cols)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        let width: usize = cols.parse().unwrap();
        for line in text.lines() {
            assert!(
                line.chars().count() <= width,
                "{} > {width}: {line}",
                line.chars().count()
            );
        }
        // Two lines per finding, every finding with its data types.
        assert!(text.lines().count() < 30, "{text}");
        assert!(text.contains("Wi-Fi MAC"), "{text}");
        assert!(!text.contains('\u{1b}'), "no colour into a pipe");
    }
}

#[test]
fn demo_audit_table_and_fail_on() {
    let (code, stdout, _) = audit(&[]);
    assert_eq!(code, 1);
    assert!(stdout.contains("cleartext (§3.2)"), "{stdout}");
    let (_, wide, _) = audit(&["--wide"]);
    assert!(wide.contains("PA-CLEARTEXT-BROKEN-PROMISE"), "{wide}");
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

#[test]
fn help_is_wrapped_to_the_terminal() {
    for cmd in [vec!["--help"], vec!["audit", "--help"]] {
        let out = Command::new(env!("CARGO_BIN_EXE_privaudit"))
            .args(&cmd)
            .env("COLUMNS", "80")
            .output()
            .unwrap();
        assert!(out.status.success());
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("--policy") || text.contains("audit"));
        for line in text.lines() {
            assert!(line.chars().count() <= 80, "{cmd:?}: {line}");
        }
    }
}
