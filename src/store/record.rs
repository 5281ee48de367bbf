//! A stored run: the normalised rows (inputs, findings, party × data-type flows, SDKs,
//! permissions) taken from an audit's `privaudit.audit/1` JSON, the JSON itself, and
//! the aggregated observations for re-evaluation. Reading the JSON rather than the
//! Rust report types keeps the store (and `diff`) working on reports written by other
//! privaudit versions.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::Digest as _;

use super::StoreError;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InputRow {
    pub path: String,
    pub format: String,
    pub sha256: Option<String>,
    pub frames: i64,
    pub first_ts: Option<String>,
    pub last_ts: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FindingRow {
    pub fingerprint: String,
    pub rule: String,
    /// Every rule the finding's flows break (the main `rule` first).
    pub rules: Vec<String>,
    pub severity: String,
    pub party: Option<String>,
    pub data_types: Vec<String>,
    pub title: String,
    pub message: String,
    pub suppressed: bool,
    /// The finding's evidence list, as JSON.
    pub evidence: Value,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlowRow {
    pub party: String,
    pub data_type: String,
    /// Disclosure class: clear, vague, omitted, incorrect, ambiguous.
    pub class: String,
    pub count: i64,
    pub cleartext: i64,
    pub before_consent: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SdkRow {
    pub id: String,
    pub name: String,
    pub status: String,
    pub named_in_policy: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RunRecord {
    /// Filled in when read back from a store.
    pub id: Option<i64>,
    /// SHA-256 of what determines the result: equal keys, equal runs.
    pub key: String,
    pub app: String,
    pub version: String,
    pub stored_at: String,
    pub tool: String,
    pub signatures: String,
    pub policy_hash: String,
    pub policy_path: String,
    pub inputs: Vec<InputRow>,
    pub findings: Vec<FindingRow>,
    pub flows: Vec<FlowRow>,
    pub sdks: Vec<SdkRow>,
    pub permissions: Vec<String>,
    pub coverage: Value,
    /// The whole audit report (`privaudit.audit/1`).
    pub report: Value,
    /// Aggregated observations (`snapshot::Snapshot`, gzip-compressed JSON).
    pub observations: Option<Vec<u8>>,
}

/// What identifies a run besides the report itself.
pub struct RunMeta<'a> {
    pub app: &'a str,
    pub version: &'a str,
    pub policy_bytes: &'a [u8],
    pub policy_path: &'a str,
    pub signatures: &'a str,
    /// Audit options that change the result (thresholds, consent).
    pub options: &'a str,
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn s(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_string()
}

fn opt_s(v: &Value) -> Option<String> {
    v.as_str().map(str::to_string)
}

/// A finding's data types, whether the report lists one (`data_type`) or several
/// (`data_types`).
pub fn finding_types(f: &Value) -> Vec<String> {
    let mut types: Vec<String> = f["data_types"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|t| t.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    if let Some(t) = f["data_type"].as_str()
        && !types.iter().any(|x| x == t)
    {
        types.insert(0, t.to_string());
    }
    types
}

/// The permissions an audit's package summary lists (Android names, iOS usage keys).
pub fn permissions(report: &Value) -> Vec<String> {
    let mut list: Vec<String> = report["package"]["permissions"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|p| p["name"].as_str().or_else(|| p.as_str()))
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    list.sort();
    list.dedup();
    list
}

/// App id and version as the report knows them: the package, else the policy.
pub fn app_and_version(report: &Value) -> (Option<String>, Option<String>) {
    let pkg = &report["package"];
    let app = opt_s(&pkg["id"]).or_else(|| opt_s(&report["app"]["package"]));
    let version = opt_s(&pkg["version_name"])
        .or_else(|| opt_s(&pkg["version"]))
        .or_else(|| opt_s(&pkg["version_code"]));
    (app, version)
}

impl RunRecord {
    /// The rows of a report, ready to store.
    pub fn from_report(
        report: &Value,
        meta: &RunMeta<'_>,
        observations: Option<Vec<u8>>,
    ) -> Result<RunRecord, StoreError> {
        if report["schema"]
            .as_str()
            .is_none_or(|s| !s.starts_with("privaudit.audit/"))
        {
            return Err(StoreError::BadReport(
                "not a privaudit.audit report (no `schema`)".into(),
            ));
        }
        let inputs: Vec<InputRow> = report["inputs"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|i| InputRow {
                        path: s(&i["path"]),
                        format: s(&i["format"]),
                        sha256: opt_s(&i["sha256"]),
                        frames: i["frames"].as_i64().unwrap_or(0),
                        first_ts: opt_s(&i["first_ts"]),
                        last_ts: opt_s(&i["last_ts"]),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let findings = report["findings"]
            .as_array()
            .map(|a| a.iter().map(finding_row).collect())
            .unwrap_or_default();
        let flows = report["matrix"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|c| FlowRow {
                        party: s(&c["party"]),
                        data_type: s(&c["data_type"]),
                        class: s(&c["class"]),
                        count: c["count"].as_i64().unwrap_or(0),
                        cleartext: c["cleartext"].as_i64().unwrap_or(0),
                        before_consent: c["before_consent"].as_i64().unwrap_or(0),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let sdks = report["sdks"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|e| SdkRow {
                        id: s(&e["id"]),
                        name: s(&e["name"]),
                        status: s(&e["status"]),
                        named_in_policy: e["named_in_policy"].as_bool().unwrap_or(false),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let tool = s(&report["tool"]);
        let policy_hash = sha256_hex(meta.policy_bytes);
        // The run's identity: the same inputs (by content), policy, signatures, tool
        // and options always give the same report, so they are the same run.
        let mut hashes: Vec<String> = inputs
            .iter()
            .map(|i| {
                i.sha256
                    .clone()
                    .unwrap_or_else(|| format!("path:{}", i.path))
            })
            .collect();
        hashes.sort();
        if let Some(pkg) = report["package"]["sha256"].as_str() {
            hashes.push(format!("package:{pkg}"));
        }
        let identity = [
            meta.app,
            meta.version,
            &hashes.join(","),
            &policy_hash,
            meta.signatures,
            &tool,
            meta.options,
        ]
        .join("\0");
        Ok(RunRecord {
            id: None,
            key: sha256_hex(identity.as_bytes()),
            app: meta.app.to_string(),
            version: meta.version.to_string(),
            stored_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            tool,
            signatures: meta.signatures.to_string(),
            policy_hash,
            policy_path: meta.policy_path.to_string(),
            inputs,
            findings,
            flows,
            sdks,
            permissions: permissions(report),
            coverage: report["coverage"].clone(),
            report: report.clone(),
            observations,
        })
    }

    /// Open (not suppressed) findings per severity, most severe first.
    pub fn severity_counts(&self) -> [i64; 5] {
        let mut n = [0; 5];
        for f in self.findings.iter().filter(|f| !f.suppressed) {
            n[severity_rank(&f.severity)] += 1;
        }
        n
    }

    pub fn first_ts(&self) -> Option<String> {
        self.inputs.iter().filter_map(|i| i.first_ts.clone()).min()
    }

    pub fn last_ts(&self) -> Option<String> {
        self.inputs.iter().filter_map(|i| i.last_ts.clone()).max()
    }
}

/// 0 critical … 4 info (unknown names count as info).
pub fn severity_rank(s: &str) -> usize {
    match s {
        "critical" => 0,
        "high" => 1,
        "medium" => 2,
        "low" => 3,
        _ => 4,
    }
}

pub const SEVERITIES: [&str; 5] = ["critical", "high", "medium", "low", "info"];

pub fn finding_row(f: &Value) -> FindingRow {
    FindingRow {
        fingerprint: s(&f["fingerprint"]),
        rule: s(&f["rule"]),
        rules: match f["rules"].as_array() {
            Some(list) => list
                .iter()
                .filter_map(|r| r.as_str().map(str::to_string))
                .collect(),
            None => vec![s(&f["rule"])],
        },
        severity: s(&f["severity"]),
        party: opt_s(&f["party"]),
        data_types: finding_types(f),
        title: s(&f["title"]),
        message: s(&f["message"]),
        suppressed: f["suppressed"].as_bool().unwrap_or(false),
        evidence: f["evidence"].clone(),
    }
}

/// Fingerprint of the signatures in use: the built-in files, or a `--signatures` folder.
pub fn signatures_version(dir: Option<&std::path::Path>) -> String {
    let mut h = sha2::Sha256::new();
    match dir {
        None => {
            for (name, text) in crate::sdk::signatures::SDK_FILES {
                h.update(name.as_bytes());
                h.update([0]);
                h.update(text.as_bytes());
            }
            h.update(crate::signatures::DEFAULT_DATATYPES.as_bytes());
        }
        Some(dir) => {
            let mut files = Vec::new();
            collect_files(dir, &mut files, 0);
            files.sort();
            for f in files {
                h.update(f.to_string_lossy().as_bytes());
                h.update([0]);
                if let Ok(bytes) = std::fs::read(&f) {
                    h.update(&bytes);
                }
            }
        }
    }
    let hex: String = h
        .finalize()
        .iter()
        .take(6)
        .map(|b| format!("{b:02x}"))
        .collect();
    match dir {
        None => format!("builtin-{hex}"),
        Some(_) => format!("dir-{hex}"),
    }
}

fn collect_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>, depth: usize) {
    if depth > 4 {
        return;
    }
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            collect_files(&p, out, depth + 1);
        } else if p.extension().is_some_and(|x| x == "toml") {
            out.push(p);
        }
    }
}

/// Gzip-compressed JSON, for the report and observation columns.
pub fn pack<T: Serialize>(value: &T) -> Vec<u8> {
    use std::io::Write as _;
    // One write of the whole text: many small writes into the encoder cost far more.
    // Writing to a Vec cannot fail; serialising our own types cannot either.
    let text = serde_json::to_vec(value).unwrap_or_default();
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let _ = enc.write_all(&text);
    enc.finish().unwrap_or_default()
}

/// The inverse of `pack`, bounded so a damaged row cannot exhaust memory.
pub fn unpack<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, String> {
    use std::io::Read as _;
    let dec = flate2::read::GzDecoder::new(bytes);
    let mut text = Vec::new();
    dec.take(2 << 30)
        .read_to_end(&mut text)
        .map_err(|e| format!("cannot decompress: {e}"))?;
    serde_json::from_slice(&text).map_err(|e| format!("not the JSON expected: {e}"))
}
