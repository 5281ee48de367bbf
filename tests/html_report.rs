//! The HTML compliance report, rendered from the bundled demo capture against the
//! reviewed Mobile Office policy, then loaded in a real headless Chromium: the page
//! must run its script without console errors, show every finding, keep each matrix
//! cell linked to its evidence, and print to a multi-page PDF. Screenshots are kept in
//! `target/test-artifacts/` for a person to look at.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use quick_xml::events::Event;
use serde_json::Value;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn artifacts() -> PathBuf {
    let dir = root().join("target/test-artifacts");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs the demo audit (as the README does) with extra arguments.
fn demo_audit(extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "audit",
        "--policy",
        "policies/mobile-office.toml",
        "--device",
        "captures/demo/device.toml",
        "--consent-marker",
        "privacy/agree",
        "captures/demo/mobile-office.pcapng",
    ];
    args.extend_from_slice(extra);
    Command::new(env!("CARGO_BIN_EXE_privaudit"))
        .current_dir(root())
        .args(&args)
        .env("NO_COLOR", "1")
        .output()
        .expect("run privaudit")
}

fn demo_json() -> Value {
    let out = demo_audit(&["--format", "json"]);
    serde_json::from_slice(&out.stdout).expect("audit JSON")
}

fn demo_html(lang: &str) -> (PathBuf, String) {
    demo_html_with(lang, &[])
}

/// The demo's HTML report with extra arguments (`--api-log …`), kept under a name
/// that says which.
fn demo_html_with(lang: &str, extra: &[&str]) -> (PathBuf, String) {
    let name = if extra.is_empty() {
        format!("report-{lang}.html")
    } else {
        format!("report-{lang}-api-log.html")
    };
    let path = artifacts().join(name);
    let mut args = vec![
        "--format",
        "html",
        "--lang",
        lang,
        "-o",
        path.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let out = demo_audit(&args);
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "audit failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let html = std::fs::read_to_string(&path).unwrap();
    (path, html)
}

fn headless(profile: &Path) -> Command {
    let mut c = Command::new(common::chromium());
    c.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--hide-scrollbars",
    ])
    .arg(format!("--user-data-dir={}", profile.display()));
    c
}

/// Every tag closes, attributes are quoted, scripts are CDATA: the report is
/// well-formed XML as well as HTML, so XML tooling can read it too.
fn assert_well_formed(html: &str) {
    let body = html
        .strip_prefix("<!DOCTYPE html>")
        .expect("starts with the HTML5 doctype");
    let mut reader = quick_xml::Reader::from_str(body);
    reader.config_mut().check_end_names = true;
    let mut depth = 0i64;
    loop {
        match reader.read_event() {
            Ok(Event::Start(_)) => depth += 1,
            Ok(Event::End(_)) => depth -= 1,
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("not well-formed at byte {}: {e}", reader.buffer_position()),
        }
    }
    assert_eq!(depth, 0, "unbalanced elements");
}

#[test]
fn html_report_is_self_contained_and_complete() {
    let report = demo_json();
    let findings = report["findings"].as_array().unwrap();
    assert!(
        (5..=12).contains(&findings.len()),
        "the demo's six problems, one finding each"
    );
    for lang in ["en", "zh"] {
        let (_, html) = demo_html(lang);
        assert_well_formed(&html);
        // Self-contained: no script, style, image or font fetched from anywhere.
        for needle in ["src=\"http", "<link", "@import", "url(http"] {
            assert!(!html.contains(needle), "{lang}: external resource {needle}");
        }
        // Every finding is there, by fingerprint.
        for f in findings {
            let fp = f["fingerprint"].as_str().unwrap();
            assert!(
                html.contains(&format!("id=\"f-{fp}\"")),
                "{lang}: finding {fp} missing"
            );
        }
        // Each matrix cell links to an evidence panel that exists.
        let links: Vec<&str> = html
            .split("data-panel=\"")
            .skip(1)
            .map(|s| &s[..s.find('"').unwrap()])
            .collect();
        assert!(!links.is_empty());
        for id in &links {
            assert!(html.contains(&format!("id=\"{id}\"")), "{lang}: {id}");
        }
        // The consent line is drawn, and the IMEI sent in cleartext is visible masked,
        // never in full.
        assert!(html.contains("id=\"consent-line\""));
        assert!(!html.contains("866910041573828"), "{lang}: unmasked IMEI");
    }
    let (_, zh) = demo_html("zh");
    assert!(zh.contains("lang=\"zh-CN\""));
    assert!(zh.contains("数据流矩阵"));
    assert!(
        zh.contains("《个人信息保护法》第51条"),
        "PIPL cited by its Chinese title"
    );
}

#[test]
fn html_report_escapes_hostile_traffic() {
    // A request whose path and parameter names try to inject markup.
    let dir = tempfile::tempdir().unwrap();
    let har = serde_json::json!({"log": {"version": "1.2", "creator": {"name": "t", "version": "1"}, "entries": [{
        "startedDateTime": "2024-05-01T08:00:00.000Z", "time": 1,
        "request": {"method": "GET",
            "url": "http://evil.example/<script>alert(1)</script>?imei=866174010203047&x\"><img%20src=x%20onerror=alert(2)>=1",
            "httpVersion": "HTTP/1.1", "headers": [], "queryString": [], "cookies": [], "headersSize": -1, "bodySize": 0},
        "response": {"status": 200, "statusText": "OK", "httpVersion": "HTTP/1.1", "headers": [], "cookies": [],
            "content": {"size": 0, "mimeType": "text/plain"}, "redirectURL": "", "headersSize": -1, "bodySize": 0},
        "cache": {}, "timings": {"send": 0, "wait": 1, "receive": 0}}]}});
    let har_path = dir.path().join("evil.har");
    std::fs::write(&har_path, har.to_string()).unwrap();
    let policy = dir.path().join("p.toml");
    std::fs::write(
        &policy,
        "[app]\nname = \"<b>App</b>\"\nfirst_party = [\"example.com\"]\n",
    )
    .unwrap();
    let out_path = dir.path().join("r.html");
    let out = common::privaudit(&[
        "audit",
        "--policy",
        policy.to_str().unwrap(),
        har_path.to_str().unwrap(),
        "--format",
        "html",
        "-o",
        out_path.to_str().unwrap(),
    ]);
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let html = std::fs::read_to_string(&out_path).unwrap();
    assert_well_formed(&html);
    assert!(html.contains("evil.example"), "the finding is reported");
    assert!(!html.contains("<script>alert"), "script injected");
    assert!(!html.contains("<img src"), "markup injected");
    assert!(!html.contains("<b>App</b>"), "policy text injected");
    assert_eq!(
        html.matches("<script>").count(),
        1,
        "only the report's own script"
    );
}

/// Decodes a PNG and returns (width, height, share of pixels that are not white).
fn ink(png_path: &Path) -> (u32, u32, f64) {
    let decoder = png::Decoder::new(std::io::BufReader::new(
        std::fs::File::open(png_path).unwrap(),
    ));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    let channels = info.color_type.samples();
    let pixels = &buf[..info.buffer_size()];
    let total = (info.width * info.height) as usize;
    let inked = pixels
        .chunks(channels)
        .filter(|p| p.iter().take(3).any(|&c| c < 235))
        .count();
    (info.width, info.height, inked as f64 / total as f64)
}

#[test]
fn html_report_runs_in_chromium() {
    let report = demo_json();
    let cells = report["matrix"]
        .as_array()
        .map(|m| m.len())
        .unwrap_or_default();
    for lang in ["en", "zh"] {
        let (path, _) = demo_html(lang);
        let profile = tempfile::tempdir().unwrap();
        let out = headless(profile.path())
            .args([
                "--enable-logging=stderr",
                "--v=0",
                "--virtual-time-budget=3000",
            ])
            .arg("--dump-dom")
            .arg(format!("file://{}", path.display()))
            .output()
            .expect("run chromium");
        assert!(out.status.success(), "chromium failed");
        let dom = String::from_utf8_lossy(&out.stdout);
        let log = String::from_utf8_lossy(&out.stderr);
        for line in log.lines() {
            assert!(
                !(line.contains("CONSOLE")
                    && (line.contains("Uncaught") || line.contains("Error"))),
                "{lang}: console error: {line}"
            );
        }
        // The script ran to its end and wired one handler per matrix cell.
        let ready = dom
            .split("data-ready=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .unwrap_or_else(|| panic!("{lang}: the report's script did not run"));
        assert_eq!(ready.parse::<usize>().unwrap(), cells, "{lang}: cells");
        assert!(cells > 0);

        let shot = artifacts().join(format!("report-{lang}.png"));
        let out = headless(profile.path())
            .arg("--window-size=1280,1800")
            .arg(format!("--screenshot={}", shot.display()))
            .arg(format!("file://{}", path.display()))
            .output()
            .expect("run chromium");
        assert!(out.status.success(), "screenshot failed");
        let (w, h, share) = ink(&shot);
        assert_eq!((w, h), (1280, 1800));
        // A blank or unstyled page has almost no ink; the report has a dark header,
        // coloured matrix cells and tables.
        assert!(share > 0.08, "{lang}: page looks blank ({share:.3} inked)");
    }
}

#[test]
fn pdf_report_prints() {
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("report.pdf");
    let out = demo_audit(&["--format", "pdf", "-o", pdf.to_str().unwrap()]);
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bytes = std::fs::read(&pdf).expect("PDF written");
    assert!(bytes.starts_with(b"%PDF-"));
    let text = String::from_utf8_lossy(&bytes);
    let pages = text
        .match_indices("/Type /Page")
        .filter(|(i, m)| !text[i + m.len()..].starts_with('s'))
        .count();
    assert!(pages >= 2, "a demo report spans pages ({pages})");
    std::fs::copy(&pdf, artifacts().join("report-en.pdf")).unwrap();

    // "-o -" sends the PDF to standard output, not to a file named "-".
    let out = demo_audit(&["--format", "pdf", "-o", "-"]);
    assert!(
        out.stdout.starts_with(b"%PDF-"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!root().join("-").exists(), "-o - wrote a file named '-'");
    assert!(String::from_utf8_lossy(&out.stderr).contains("standard output"));

    // Without --output a PDF has nowhere to go: a clear error, before any work.
    let out = demo_audit(&["--format", "pdf"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--format pdf needs --output"));
}

/// The visible text of an HTML document: element text outside script, style and
/// title, attributes left out.
fn visible_text(html: &str) -> String {
    let body = html.strip_prefix("<!DOCTYPE html>").unwrap_or(html);
    let mut reader = quick_xml::Reader::from_str(body);
    let mut out = String::new();
    let mut hidden = 0;
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                if ["script", "style", "title"].contains(&e.name().as_ref()) {
                    hidden += 1;
                }
                out.push(' ');
            }
            Ok(Event::End(e)) => {
                if ["script", "style", "title"].contains(&e.name().as_ref()) {
                    hidden -= 1;
                }
                out.push(' ');
            }
            Ok(Event::Text(t)) if hidden == 0 => {
                let raw: String = t.as_ref().to_string();
                out.push_str(
                    &quick_xml::escape::unescape(&raw)
                        .map(|c| c.into_owned())
                        .unwrap_or(raw),
                );
            }
            // An escaped character inside a word (`&#x2f;` in a path): keep the word
            // whole, as the browser shows it.
            Ok(Event::GeneralRef(_)) if hidden == 0 => out.push('/'),
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
    }
    out
}

#[test]
fn zh_report_is_chinese_except_ids_hosts_and_fields() {
    let (_, html) = demo_html("zh");
    assert_chinese(&html);
    // With the session's API log: the API rules' texts, the reads' evidence rows and
    // the clock line too.
    let (_, html) = demo_html_with(
        "zh",
        &["--api-log", "captures/demo/mobile-office-api.jsonl"],
    );
    assert!(html.contains("PA-API-READ-BEFORE-CONSENT"));
    assert!(html.contains("class=\"point read\""));
    assert_chinese(&html);
}

fn assert_chinese(html: &str) {
    let text = visible_text(html);
    // Words a Chinese report keeps: identifier acronyms and brands, protocol and
    // format names, standards, the tool's name.
    let allowed = [
        "App",
        // As Chinese regulators write it: 《关于开展纵深推进APP侵害用户权益专项整治行动的通知》.
        "APP",
        "SDK",
        "API",
        "ID",
        "IMEI",
        "IMSI",
        "MAC",
        "OAID",
        "GAID",
        "IDFA",
        "UUID",
        "GUID",
        "UMID",
        "UTDID",
        "OpenUDID",
        "BSSID",
        "SSID",
        "WiFi",
        "IP",
        "CPU",
        "HTTP",
        "HTTPS",
        "TLS",
        "UTC",
        "GDPR",
        "GB",
        "T",
        "PIPL",
        "Bugly",
        "JCore",
        "U-App",
        "Push",
        "Token",
        "RegID",
        "Android",
        "SHA-256",
        "md5",
        "base64",
        "json",
        "gzip",
        "pcapng",
        "privaudit",
        "NSPrivacyCollectedDataTypes",
    ];
    let mut english = std::collections::BTreeSet::new();
    for token in text.split(|c: char| !(c.is_ascii_alphanumeric() || "-_./:#@*+%?=&".contains(c))) {
        // Ids, hosts, paths, field names, fingerprints, masked values and numbers.
        if token.is_empty()
            || token.contains(['.', '/', ':', '_', '#', '@', '*', '?', '=', '&'])
            || token.starts_with("PA-")
            || token.starts_with("--")
            || token.chars().any(|c| c.is_ascii_digit())
            || token.len() <= 2
        {
            continue;
        }
        if !allowed.contains(&token) {
            english.insert(token.to_string());
        }
    }
    assert!(english.is_empty(), "English in the zh report: {english:?}");
}
