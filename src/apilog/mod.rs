//! Runtime API-call logs: what the app *read* on the phone, as hooking tools record it —
//! Camille's .xls (Frida; both layouts), PrivacySentry's .xls (compile-time hooks) and
//! privaudit's own JSON Lines (`tools/frida/privaudit-agent.js`, docs/api-log.md).
//! Each call is mapped to an ontology data type (`signatures/api-calls.toml`) and to the
//! party whose code made it (innermost non-platform stack frame), so the audit can join
//! reads with transmissions.

pub mod attribute;
pub mod biff;
pub mod clock;
pub mod jsonl;
pub mod map;
pub mod xls;

use std::path::Path;

use serde::Serialize;

use crate::sdk::SdkDb;
use crate::signatures::Ontology;
use crate::time::Timestamp;

pub use attribute::Attribution;
pub use clock::Clock;
pub use map::ApiMap;

#[derive(Debug, thiserror::Error)]
pub enum ApiLogError {
    #[error("{path}: cannot read: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
    #[error("{path}: line {line}: {message}")]
    Line {
        path: String,
        line: u64,
        message: String,
    },
    #[error("{path}: invalid API table: {message}")]
    Table { path: String, message: String },
}

/// Which tool wrote the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LogFormat {
    /// Camille with the 隐私政策状态 and 行为主体 columns.
    Camille,
    /// Camille before those columns (时间点, 操作行为, 行为描述, 传入参数, 调用堆栈).
    CamilleLegacy,
    #[serde(rename = "privacysentry")]
    PrivacySentry,
    /// privaudit's JSON Lines (`privaudit.apilog/1`).
    Jsonl,
}

impl LogFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            LogFormat::Camille => "camille",
            LogFormat::CamilleLegacy => "camille-legacy",
            LogFormat::PrivacySentry => "privacysentry",
            LogFormat::Jsonl => "jsonl",
        }
    }
}

/// The app's state when the call was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AppState {
    Foreground,
    Background,
}

/// One hooked call.
#[derive(Debug, Clone, Serialize)]
pub struct ApiCall {
    /// Spreadsheet row as Excel numbers it, or JSON Lines line number.
    pub row: u64,
    /// On the log's own clock (zone-less times read as UTC).
    pub ts: Timestamp,
    /// `class.method` as far as the log tells (PrivacySentry names only the method).
    pub api: String,
    /// The tool's own description (Camille 行为描述, PrivacySentry 别名).
    pub label: String,
    pub data_type: Option<String>,
    pub args: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result: Option<String>,
    pub stack: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thread: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app_state: Option<AppState>,
    /// What the log says: false = before the user agreed, true = after.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after_consent: Option<bool>,
    /// The tool's own attribution (Camille's 行为主体), for comparison.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tool_party: Option<String>,
    pub attribution: Attribution,
}

impl ApiCall {
    pub fn party(&self) -> &str {
        &self.attribution.party
    }
}

/// The moment of consent as the log records it.
#[derive(Debug, Clone, Serialize)]
pub struct LogConsent {
    pub ts: Timestamp,
    pub row: u64,
    /// True for an explicit record (PrivacySentry's row, a JSON Lines consent event);
    /// false when only inferred from a status column turning to "after".
    pub exact: bool,
    pub how: String,
}

/// One log, read and resolved.
#[derive(Debug, Clone, Serialize)]
pub struct ApiLog {
    pub path: String,
    pub format: LogFormat,
    pub platform: Option<String>,
    pub package: Option<String>,
    /// Times carry no zone (read as UTC until aligned).
    pub naive_times: bool,
    pub calls: Vec<ApiCall>,
    pub consent: Option<LogConsent>,
    /// Calls whose API maps to no data type: (api, count).
    pub unmapped: Vec<(String, u64)>,
    pub warnings: Vec<String>,
}

impl ApiLog {
    /// Reads a log of any supported format. `year_hint` completes PrivacySentry's
    /// year-less times (the capture's year, else the current one).
    pub fn read(path: &Path, year_hint: i32) -> Result<ApiLog, ApiLogError> {
        let bytes = std::fs::read(path).map_err(|source| ApiLogError::Read {
            path: path.display().to_string(),
            source,
        })?;
        let name = path.display().to_string();
        if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) || bytes.starts_with(b"PK\x03\x04") {
            xls::read(&bytes, &name, year_hint)
        } else if bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{') {
            jsonl::read(&bytes, &name)
        } else {
            Err(ApiLogError::Invalid {
                path: name,
                message: "not an API log: expected an .xls/.xlsx workbook (Camille, PrivacySentry) or JSON Lines (privaudit.apilog/1)".into(),
            })
        }
    }

    /// Maps every call to a data type and a party.
    pub fn resolve(&mut self, map: &ApiMap, ontology: &Ontology, sdks: &SdkDb) {
        let mut unmapped: std::collections::BTreeMap<String, u64> = Default::default();
        for c in &mut self.calls {
            let (class, method) = match c.api.rsplit_once('.') {
                Some((cl, m)) if !cl.is_empty() => (Some(cl), Some(m)),
                _ => (None, Some(c.api.as_str())),
            };
            let args = c.args.join("\n");
            let key = map::CallKey {
                class,
                method: method.filter(|m| !m.is_empty()),
                args: &args,
                label: &c.label,
            };
            // A type the agent named stands when the table knows nothing better.
            let hinted = c.data_type.take().filter(|t| ontology.contains(t));
            c.data_type = map.resolve(&key).map(|e| e.data.clone()).or(hinted);
            if c.data_type.is_none() {
                *unmapped.entry(c.api.clone()).or_default() += 1;
            }
            c.attribution = attribute::attribute(&c.stack, sdks, &map.attribution);
            if c.attribution.how == "no-frame"
                && let Some(a) = c
                    .tool_party
                    .as_deref()
                    .and_then(|t| attribute::from_tool(t, sdks))
            {
                c.attribution = a;
            }
        }
        self.unmapped = unmapped.into_iter().collect();
    }

    /// First and last call times (log clock).
    pub fn span(&self) -> Option<(Timestamp, Timestamp)> {
        let first = self.calls.iter().map(|c| c.ts).min()?;
        let last = self.calls.iter().map(|c| c.ts).max()?;
        Some((first, last))
    }

    /// Was the call made before the user agreed? The log's own word first (a status
    /// column, then its consent record), else `consent` on the capture clock when the
    /// clocks are aligned; None when nothing tells.
    pub fn before_consent(
        &self,
        call: &ApiCall,
        clock: &Clock,
        consent: Option<Timestamp>,
    ) -> Option<bool> {
        if let Some(after) = call.after_consent {
            return Some(!after);
        }
        if let Some(c) = self.consent.as_ref().filter(|c| c.exact) {
            return Some(call.ts < c.ts);
        }
        match consent {
            Some(t) if clock.aligned => Some(clock.shift(call.ts) < t),
            _ => None,
        }
    }
}

/// An attribution placeholder until `resolve` runs.
pub(crate) fn unattributed() -> Attribution {
    Attribution {
        party: "first-party".into(),
        frame: None,
        frame_index: None,
        how: "no-frame",
    }
}

/// Splits a stack as the tools write it (CRLF/LF, PrivacySentry's ` <- ` joints) into
/// frames, dropping Java's exception header line.
pub(crate) fn split_stack(text: &str) -> Vec<String> {
    text.split(['\n', '\r'])
        .map(|l| l.trim().trim_end_matches("<-").trim())
        .filter(|l| {
            !l.is_empty()
                && !l.starts_with("java.lang.Exception")
                && !l.starts_with("java.lang.Throwable")
        })
        .map(str::to_string)
        .collect()
}
