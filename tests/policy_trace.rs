//! Traceability of a draft: `policy extract --format json` lists every matched phrase
//! with character offsets that point at exactly that phrase in the document text, and
//! every id of every draft entry is backed by a match of the same kind; `--format html`
//! is a self-contained review page that headless Chromium renders. Run over the seed
//! agreement and a sample of the real development-half policies.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use privaudit::policy::extract::{Extraction, TraceKind, extract};
use privaudit::policy::review;
use serde_json::Value;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn corpus_policies() -> Vec<PathBuf> {
    let mut out = vec![root().join("../shared/seed/privacy-agreement.txt")];
    for dir in ["ca4p-dev", "en-dev"] {
        let d = common::corpus().join("policies").join(dir);
        let mut files: Vec<PathBuf> = std::fs::read_dir(&d)
            .unwrap_or_else(|e| panic!("{}: {e}", d.display()))
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "txt"))
            .collect();
        files.sort();
        // Every 12th policy: a spread of shapes at a debug build's speed.
        out.extend(files.into_iter().step_by(12));
    }
    out
}

fn run(path: &Path) -> (Extraction, Value) {
    let lexicon = common::policy::lexicon();
    let bytes = std::fs::read(path).unwrap();
    let x = extract(&bytes, &lexicon).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let json = review::to_json(&x, &[path.display().to_string()]);
    (x, json)
}

/// Slices by character offsets, as a JSON consumer in any language would.
fn chars(text: &str, start: usize, end: usize) -> String {
    text.chars().skip(start).take(end - start).collect()
}

#[test]
fn offsets_point_at_the_matched_phrase() {
    let mut checked = 0;
    for path in corpus_policies() {
        let (_, json) = run(&path);
        assert_eq!(json["schema"], review::JSON_SCHEMA);
        let docs = json["documents"].as_array().unwrap();
        for m in json["matches"].as_array().unwrap() {
            let doc = docs[m["doc"].as_u64().unwrap() as usize]["text"]
                .as_str()
                .unwrap();
            let (start, end) = (
                m["start"].as_u64().unwrap() as usize,
                m["end"].as_u64().unwrap() as usize,
            );
            assert!(start < end, "{}: empty match {m}", path.display());
            assert_eq!(
                chars(doc, start, end),
                m["text"].as_str().unwrap(),
                "{}: {m}",
                path.display()
            );
            // The phrase as the extractor read it equals the document's words up to
            // whitespace (a phrase may span a wrapped line).
            let squeezed: String = m["text"]
                .as_str()
                .unwrap()
                .chars()
                .filter(|c| !c.is_whitespace() && *c != '*')
                .collect();
            assert!(!squeezed.is_empty(), "{}: {m}", path.display());
            checked += 1;
        }
    }
    assert!(checked > 1000, "only {checked} matches checked");
}

/// Each id of a draft entry was placed by a match of that kind: a reviewer can find
/// the words behind every line of the draft.
#[test]
fn every_draft_id_is_backed_by_a_match() {
    for path in corpus_policies() {
        let (x, _) = run(&path);
        let backed = |kind: TraceKind| -> BTreeSet<&str> {
            x.trace
                .iter()
                .filter(|t| t.kind == kind)
                .flat_map(|t| t.ids.iter().map(String::as_str))
                .collect()
        };
        let collected = backed(TraceKind::Collect);
        for c in &x.declaration.collect {
            for id in &c.data {
                assert!(
                    collected.contains(id.as_str()),
                    "{}: collect {id} (clause {:?}) has no collect match",
                    path.display(),
                    c.clause
                );
            }
        }
        let shared = backed(TraceKind::Share);
        for s in &x.declaration.share {
            for id in &s.data {
                assert!(
                    shared.contains(id.as_str()),
                    "{}: share {id} with {} has no share match",
                    path.display(),
                    s.party
                );
            }
        }
        let denied = backed(TraceKind::Deny);
        for d in &x.declaration.deny {
            for id in &d.data {
                assert!(
                    denied.contains(id.as_str()),
                    "{}: deny {id} has no deny match",
                    path.display()
                );
            }
        }
    }
}

/// The rule names a reviewer sees, one invented policy per construction.
#[test]
fn rules_name_the_construction() {
    let lexicon = common::policy::lexicon();
    let text = "隐私政策\n\
        一、定义\n\
        个人信息是指以电子方式记录的各种信息，包括姓名、身份证件号码。\n\
        二、我们如何收集和使用您的个人信息\n\
        我们会收集以下信息：\n\
        - 手机号码\n\
        - 设备型号\n\
        - 星座偏好\n\
        我们不会收集您的通讯录。\n\
        三、我们如何保护您的个人信息\n\
        我们采用加密技术保护您的电子邮箱地址。\n";
    let x = extract(text.as_bytes(), &lexicon).unwrap();
    let rule_of = |phrase: &str| -> Vec<(TraceKind, &str)> {
        x.trace
            .iter()
            .filter(|t| t.text == phrase)
            .map(|t| (t.kind, t.rule))
            .collect()
    };
    assert_eq!(
        rule_of("手机号码"),
        vec![(TraceKind::Collect, "list-under-lead-in")]
    );
    assert_eq!(
        rule_of("姓名"),
        vec![(TraceKind::Skipped, "definitions-section")]
    );
    assert_eq!(rule_of("通讯录"), vec![(TraceKind::Deny, "negation")]);
    assert_eq!(
        rule_of("电子邮箱"),
        vec![(TraceKind::Skipped, "section-not-about-collection")],
        "{:#?}",
        x.trace
    );
    assert!(
        x.trace
            .iter()
            .any(|t| t.kind == TraceKind::Unmapped && t.text.contains("星座偏好")),
        "{:#?}",
        x.trace
    );
}

#[test]
fn cli_json_html_and_a_wrong_format() {
    let dir = tempfile::tempdir().unwrap();
    let seed = root().join("../shared/seed/privacy-agreement.txt");
    let json_path = dir.path().join("trace.json");
    let out = common::privaudit(&[
        "policy",
        "extract",
        seed.to_str().unwrap(),
        "--format",
        "json",
        "-o",
        json_path.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: Value = serde_json::from_slice(&std::fs::read(&json_path).unwrap()).unwrap();
    assert_eq!(json["schema"], review::JSON_SCHEMA);
    assert!(json["declaration"]["collect"].as_array().unwrap().len() >= 3);

    let html_path = dir.path().join("review.html");
    let out = common::privaudit(&[
        "policy",
        "extract",
        seed.to_str().unwrap(),
        "--format",
        "html",
        "-o",
        html_path.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let html = std::fs::read_to_string(&html_path).unwrap();
    // Self-contained: nothing fetched from anywhere.
    assert!(
        !html.contains("src=") && !html.contains("<link"),
        "external resource"
    );
    assert!(html.contains("<mark class=\"k-collect\""));
    assert!(html.contains("<sup>contact.phone_number</sup>"));

    let profile = tempfile::tempdir().unwrap();
    let shots = root().join("target/test-artifacts");
    std::fs::create_dir_all(&shots).unwrap();
    for (name, size) in [
        ("review-desktop", "1280,1600"),
        ("review-phone", "390,1600"),
    ] {
        let shot = shots.join(format!("{name}.png"));
        let out = Command::new(common::chromium())
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--hide-scrollbars",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg(format!("--window-size={size}"))
            .arg(format!("--screenshot={}", shot.display()))
            .arg(format!("file://{}", html_path.display()))
            .output()
            .expect("run chromium");
        assert!(out.status.success(), "chromium failed");
        assert!(
            std::fs::metadata(&shot).unwrap().len() > 10_000,
            "{name}: blank"
        );
    }

    let out = common::privaudit(&[
        "policy",
        "extract",
        seed.to_str().unwrap(),
        "--format",
        "yaml",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("toml") && err.contains("json") && err.contains("html"),
        "{err}"
    );
}

#[test]
fn two_sdk_records_on_one_line_trace_their_own_data() {
    let lexicon = common::policy::lexicon();
    let text = "隐私政策\n\
        五、第三方SDK目录\n\
        SDK名称：甲乙推送SDK 使用目的：消息推送 收集的个人信息：设备信息、网络类型 SDK名称：丙丁统计SDK 使用目的：统计 收集的个人信息：设备信息\n";
    let x = extract(text.as_bytes(), &lexicon).unwrap();
    let device: Vec<&privaudit::policy::extract::Trace> = x
        .trace
        .iter()
        .filter(|t| t.rule == "sdk-list-record" && t.text == "设备信息")
        .collect();
    assert_eq!(device.len(), 2, "{:#?}", x.trace);
    let second_name = text.find("丙丁统计SDK").unwrap();
    assert!(device[0].start < second_name, "{:#?}", device);
    assert!(device[1].start > second_name, "{:#?}", device);
    assert_ne!(device[0].party, device[1].party);
}
