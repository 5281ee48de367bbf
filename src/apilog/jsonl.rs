//! privaudit's own API-call log: JSON Lines, schema `privaudit.apilog/1` (docs/api-log.md),
//! as `tools/frida/privaudit-agent.js` writes it. One object per line:
//!
//! - `{"kind":"meta","schema":"privaudit.apilog/1","platform":"android","package":"…"}`
//! - `{"kind":"call","ts":…,"api":"class.method","data_type":"…","args":["…"],
//!   "result":"…","stack":["…"],"thread":"main","app_state":"foreground"}` — `ts` is RFC
//!   3339 with its offset or milliseconds since the epoch; values are masked by the agent
//! - `{"kind":"consent","ts":…}` — the user agreed (the agent's `rpc.exports.consent()`)
//! - `{"kind":"state","ts":…,"app_state":"background"}` — later calls without their own
//!   `app_state` inherit it.
//!
//! `kind` defaults to `call`. Unknown kinds and fields are errors naming the line, so a
//! typo cannot silently drop evidence.

use serde::Deserialize;

use super::{ApiCall, ApiLog, ApiLogError, AppState, LogConsent, LogFormat, unattributed};
use crate::time::Timestamp;

pub const SCHEMA: &str = "privaudit.apilog/1";

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Time {
    Millis(f64),
    Text(String),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Line {
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    schema: Option<String>,
    #[serde(default)]
    platform: Option<String>,
    #[serde(default)]
    package: Option<String>,
    #[serde(default)]
    tool: Option<String>,
    #[serde(default)]
    ts: Option<Time>,
    #[serde(default)]
    api: Option<String>,
    #[serde(default)]
    label: Option<String>,
    #[serde(default)]
    data_type: Option<String>,
    #[serde(default)]
    args: Vec<String>,
    #[serde(default)]
    result: Option<String>,
    #[serde(default)]
    stack: Vec<String>,
    #[serde(default)]
    thread: Option<String>,
    #[serde(default)]
    app_state: Option<AppState>,
    #[serde(default)]
    note: Option<String>,
}

fn time(t: &Time) -> Option<Timestamp> {
    match t {
        Time::Millis(ms) if ms.is_finite() && ms.abs() < 1e14 => Some(Timestamp((ms * 1e6) as i64)),
        Time::Millis(_) => None,
        Time::Text(s) => chrono::DateTime::parse_from_rfc3339(s.trim())
            .ok()
            .and_then(|d| d.timestamp_nanos_opt())
            .map(Timestamp),
    }
}

pub fn read(bytes: &[u8], path: &str) -> Result<ApiLog, ApiLogError> {
    let text = std::str::from_utf8(bytes).map_err(|e| ApiLogError::Invalid {
        path: path.to_string(),
        message: format!("not UTF-8 ({e})"),
    })?;
    let mut log = ApiLog {
        path: path.to_string(),
        format: LogFormat::Jsonl,
        platform: None,
        package: None,
        naive_times: false,
        calls: Vec::new(),
        consent: None,
        unmapped: Vec::new(),
        warnings: Vec::new(),
    };
    let mut state: Option<AppState> = None;
    for (i, raw) in text.lines().enumerate() {
        let line_no = i as u64 + 1;
        let raw = raw.trim();
        if raw.is_empty() {
            continue;
        }
        let err = |message: String| ApiLogError::Line {
            path: path.to_string(),
            line: line_no,
            message,
        };
        let l: Line = serde_json::from_str(raw).map_err(|e| err(e.to_string()))?;
        let ts = || -> Result<Timestamp, ApiLogError> {
            let t = l.ts.as_ref().ok_or_else(|| err("`ts` is missing".into()))?;
            time(t).ok_or_else(|| {
                err(
                    "`ts` is neither RFC 3339 with an offset nor milliseconds since the epoch"
                        .into(),
                )
            })
        };
        match l.kind.as_deref().unwrap_or("call") {
            "meta" => {
                if let Some(s) = &l.schema
                    && s != SCHEMA
                {
                    return Err(err(format!("schema {s:?}; this privaudit reads {SCHEMA}")));
                }
                log.platform = l.platform.clone();
                log.package = l.package.clone();
                // `tool` names the writer; informative only.
                let _ = &l.tool;
            }
            "consent" => {
                let t = ts()?;
                if log.consent.as_ref().is_none_or(|c| t < c.ts) {
                    log.consent = Some(LogConsent {
                        ts: t,
                        row: line_no,
                        exact: true,
                        how: format!(
                            "{path} line {line_no}: consent event{}",
                            l.note
                                .as_ref()
                                .map(|n| format!(" ({n})"))
                                .unwrap_or_default()
                        ),
                    });
                }
            }
            "state" => {
                ts()?;
                state = Some(
                    l.app_state
                        .ok_or_else(|| err("a state line needs `app_state`".into()))?,
                );
            }
            "call" => {
                let t = ts()?;
                let api = l
                    .api
                    .clone()
                    .filter(|a| !a.trim().is_empty())
                    .ok_or_else(|| err("a call needs `api` (class.method)".into()))?;
                log.calls.push(ApiCall {
                    row: line_no,
                    ts: t,
                    api,
                    label: l.label.clone().unwrap_or_default(),
                    data_type: l.data_type.clone(),
                    args: l.args.clone(),
                    result: l.result.clone(),
                    stack: l.stack.clone(),
                    thread: l.thread.clone(),
                    app_state: l.app_state.or(state),
                    after_consent: None,
                    tool_party: None,
                    attribution: unattributed(),
                });
            }
            other => {
                return Err(err(format!(
                    "unknown kind {other:?} (meta, call, consent or state)"
                )));
            }
        }
    }
    if log.calls.is_empty() {
        log.warnings.push("no calls in the log".into());
    }
    Ok(log)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_calls_state_and_consent() {
        let text = br#"{"kind":"meta","schema":"privaudit.apilog/1","platform":"android","package":"com.example"}
{"ts":"2026-11-29T20:30:25.110Z","api":"android.telephony.TelephonyManager.getImei","stack":["cn.jpush.a.b(X.java:1)"],"thread":"main"}
{"kind":"consent","ts":1795984225480.975}
{"kind":"state","ts":"2026-11-29T20:30:27Z","app_state":"background"}
{"ts":"2026-11-29T21:30:27.5+01:00","api":"android.location.LocationManager.getLastKnownLocation"}
"#;
        let log = read(text, "x.jsonl").unwrap();
        assert_eq!(log.calls.len(), 2);
        assert_eq!(log.package.as_deref(), Some("com.example"));
        assert_eq!(
            log.consent.as_ref().map(|c| c.ts.rfc3339()).as_deref(),
            Some("2026-11-29T20:30:25.480975Z")
        );
        assert_eq!(log.calls[1].app_state, Some(AppState::Background));
        assert_eq!(log.calls[1].ts.rfc3339(), "2026-11-29T20:30:27.500000Z");
        assert_eq!(log.calls[0].app_state, None);
    }

    #[test]
    fn errors_name_the_line() {
        let e = read(
            b"{\"ts\":1,\"api\":\"a.b\"}\n{\"kind\":\"cal\",\"ts\":1}\n",
            "x.jsonl",
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("x.jsonl: line 2") && e.contains("unknown kind"),
            "{e}"
        );
        let e = read(b"{\"api\":\"a.b\",\"tz\":1}\n", "x.jsonl")
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 1") && e.contains("tz"), "{e}");
    }
}
