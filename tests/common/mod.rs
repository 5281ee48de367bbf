//! Shared helpers for the integration tests: where the real-world corpus lives and how
//! to run the CLI as a user does.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The shared corpus of real captures, APKs and HAR files with their oracles:
/// `$PRIVAUDIT_CORPUS`, else `../shared/corpus` beside the repository.
pub fn corpus() -> PathBuf {
    let dir = std::env::var_os("PRIVAUDIT_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"));
    assert!(
        dir.join("oracles").is_dir(),
        "the real-world corpus is missing at {} (set PRIVAUDIT_CORPUS to the folder holding oracles/, pcap/, tls/ …)",
        dir.display()
    );
    dir
}

pub fn privaudit(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_privaudit"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("run privaudit")
}

/// Runs `privaudit flows --format jsonl FILE` and parses the records.
pub fn flows_jsonl(file: &Path, extra: &[&str]) -> (Vec<serde_json::Value>, String, i32) {
    let mut args = vec!["flows", "--format", "jsonl"];
    args.extend_from_slice(extra);
    let path = file.to_string_lossy().into_owned();
    args.push(&path);
    let out = privaudit(&args);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let records = stdout
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad JSON line {l}: {e}")))
        .collect();
    (
        records,
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

/// Does a tool exist on PATH? Tests that need one fail with this message if not.
pub fn require_tool(tool: &str) {
    let found = Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {tool}"))
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    assert!(
        found,
        "this test needs `{tool}` (apt-get install {}); .ci/run installs it",
        match tool {
            "tshark" | "editcap" | "mergecap" => "tshark",
            "openssl" => "openssl",
            other => other,
        }
    );
}
pub mod net;
pub mod pkg;
pub mod policy;

/// The Chromium (or Chrome) on PATH, for tests that render HTML; .ci/run installs it.
pub fn chromium() -> PathBuf {
    for name in ["chromium", "chromium-browser", "google-chrome"] {
        if let Ok(out) = Command::new("sh")
            .arg("-c")
            .arg(format!("command -v {name}"))
            .output()
            && out.status.success()
        {
            return PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        }
    }
    panic!("this test needs Chromium (apt-get install chromium); .ci/run installs it");
}
