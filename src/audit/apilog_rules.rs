//! Rules on runtime API-call logs (`audit --api-log`), and their join with the traffic:
//! reads before consent, too frequent, undeclared for the reading party, in the
//! background, and "read and sent" — the same party reading a data type and then
//! receiving it (or contacting its servers over an unreadable connection) within the
//! join window. Findings use the traffic rules' machinery: rule metadata from
//! `rules.rs`, the same fingerprints, evidence entries marked `"source": "api-log"`.

use std::collections::BTreeMap;

use serde::Serialize;

use super::collect::Collector;
use super::{
    Class, Evidence, Finding, Options, TimelinePoint, disclosure, fingerprint, party_label, rules,
    weight,
};
use crate::apilog::{ApiCall, ApiLog, ApiMap, AppState, Clock, LogConsent};
use crate::observation::{Observation, mask};
use crate::policy::model::Declaration;
use crate::sdk::{Party, SdkDb};
use crate::signatures::Ontology;
use crate::time::Timestamp;

/// What an API evidence entry adds to the common fields.
#[derive(Debug, Clone, Serialize)]
pub struct ApiEvidence {
    pub format: &'static str,
    /// Spreadsheet row or JSON Lines line.
    pub row: u64,
    pub api: String,
    pub label: String,
    /// The time as the log wrote it (before any clock shift).
    pub log_ts: Timestamp,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thread: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app_state: Option<AppState>,
    /// The stack frame that decided the party, and how.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decided_by: Option<String>,
    pub attribution: &'static str,
    /// The tool's own attribution (Camille's 行为主体), when it wrote one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tool_party: Option<String>,
    /// The innermost frames, up to eight.
    pub stack: Vec<String>,
}

/// One log as the report shows it: which clock was trusted and where consent came from.
#[derive(Debug, Clone, Serialize)]
pub struct ApiLogInfo {
    pub path: String,
    pub format: &'static str,
    pub calls: usize,
    pub mapped: usize,
    pub clock: Clock,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consent: Option<LogConsent>,
    pub unmapped: Vec<(String, u64)>,
}

/// A log with the clock decided for it.
pub struct Input<'a> {
    pub log: &'a ApiLog,
    pub clock: Clock,
}

/// The join window, beside the audit's options.
pub struct ApiOptions {
    pub window_ns: i64,
}

struct Read<'a> {
    log: &'a ApiLog,
    call: &'a ApiCall,
    clock: &'a Clock,
    /// Capture time when aligned, else the log's own.
    ts: Timestamp,
    before_consent: Option<bool>,
}

fn evidence(r: &Read<'_>, show_values: bool) -> Evidence {
    let c = r.call;
    Evidence {
        file: r.log.path.clone(),
        // The row (spreadsheet) or line (JSON Lines): where to look in the log.
        frame: c.row,
        ts: r.ts,
        host: None,
        method: "API".into(),
        uri: c.api.clone(),
        field: c.data_type.clone().unwrap_or_default(),
        encoding: Vec::new(),
        value: match (&c.result, show_values) {
            (Some(v), true) => v.clone(),
            (Some(v), false) => mask(v),
            (None, _) => String::new(),
        },
        transport: "api-log".into(),
        src: None,
        dst: None,
        source: Some("api-log"),
        api: Some(Box::new(ApiEvidence {
            format: r.log.format.as_str(),
            row: c.row,
            api: c.api.clone(),
            label: c.label.clone(),
            log_ts: c.ts,
            thread: c.thread.clone(),
            app_state: c.app_state,
            decided_by: c.attribution.frame.clone(),
            attribution: c.attribution.how,
            tool_party: c.tool_party.clone(),
            stack: c.stack.iter().take(8).cloned().collect(),
        })),
    }
}

struct Builder<'a> {
    out: Vec<Finding>,
    options: &'a Options,
}

impl Builder<'_> {
    #[allow(clippy::too_many_arguments)]
    fn add(
        &mut self,
        rule_id: &'static str,
        severity: Option<rules::Severity>,
        data_type: &str,
        party: &str,
        clause: Option<disclosure::Citation>,
        disclosure: Option<Class>,
        message: String,
        message_zh: String,
        evidence: Vec<Evidence>,
        total: u64,
    ) {
        let rule = rules::rule(rule_id);
        let fp = fingerprint(rule_id, Some(data_type), Some(party));
        self.out.push(Finding {
            rule: rule.id,
            severity: severity.unwrap_or(rule.severity),
            title: rule.title_en,
            title_zh: rule.title_zh,
            message,
            message_zh,
            data_type: Some(data_type.to_string()),
            party: Some(party.to_string()),
            disclosure,
            clause,
            evidence: evidence.into_iter().take(20).collect(),
            evidence_total: total,
            suppressed: self.options.baseline.contains(&fp),
            fingerprint: fp,
            fix: rule.fix_en,
            fix_zh: rule.fix_zh,
            basis: rule.basis,
        });
    }
}

fn where_(r: &Read<'_>) -> String {
    format!(
        "{} {} {}{}",
        r.log.path,
        if r.log.format == crate::apilog::LogFormat::Jsonl {
            "line"
        } else {
            "row"
        },
        r.call.row,
        r.call
            .attribution
            .frame
            .as_ref()
            .map(|f| format!(", frame {f}"))
            .unwrap_or_default()
    )
}

fn times(n: u64) -> String {
    match n {
        1 => "once".into(),
        2 => "twice".into(),
        n => format!("{n} times"),
    }
}

/// The traffic group of `party` whose data type is `t` or related to it (a parent read,
/// `network.wifi`, covers a sent child, `network.wifi.ssid`, and the other way round).
fn sent<'c>(
    collector: &'c Collector,
    ontology: &Ontology,
    t: &str,
    party: &str,
    from: Timestamp,
    window: i64,
) -> Option<&'c Observation> {
    collector
        .groups
        .iter()
        .filter(|((gt, gp), _)| {
            gp == party && (gt == t || ontology.is_within(gt, t) || ontology.is_within(t, gt))
        })
        .flat_map(|(_, g)| g.samples.iter())
        .filter(|o| o.ts >= from && o.ts.0 - from.0 <= window)
        .min_by_key(|o| o.ts)
}

/// Evaluates the API rules over every log. Returns findings and timeline points.
#[allow(clippy::too_many_arguments)]
pub fn evaluate(
    inputs: &[Input<'_>],
    collector: &Collector,
    decl: &Declaration,
    ontology: &Ontology,
    sdks: &SdkDb,
    map: &ApiMap,
    options: &Options,
    api_options: &ApiOptions,
) -> (Vec<Finding>, Vec<TimelinePoint>) {
    let consent = options.consent.as_ref().map(|c| c.ts);
    // (data type, party) → reads in time order.
    let mut groups: BTreeMap<(String, String), Vec<Read<'_>>> = BTreeMap::new();
    let mut timeline = Vec::new();
    for input in inputs {
        for call in &input.log.calls {
            let Some(t) = &call.data_type else { continue };
            let ts = if input.clock.aligned {
                input.clock.shift(call.ts)
            } else {
                call.ts
            };
            if input.clock.aligned {
                timeline.push(TimelinePoint {
                    party: call.party().to_string(),
                    data_type: t.clone(),
                    ts,
                    source: Some("api-log"),
                });
            }
            groups
                .entry((t.clone(), call.party().to_string()))
                .or_default()
                .push(Read {
                    log: input.log,
                    call,
                    clock: &input.clock,
                    ts,
                    before_consent: input.log.before_consent(call, &input.clock, consent),
                });
        }
    }
    let mut b = Builder {
        out: Vec::new(),
        options,
    };
    for ((t, party), reads) in &mut groups {
        reads.sort_by_key(|r| r.ts);
        let name = ontology.name_en(t);
        let name_zh = ontology.name_zh(t);
        let label = party_label(party, sdks);
        let w = weight(ontology, t);
        let n = reads.len() as u64;
        let ev = |rs: &[&Read<'_>]| -> Vec<Evidence> {
            rs.iter()
                .map(|r| evidence(r, options.show_values))
                .collect()
        };

        let early: Vec<&Read<'_>> = reads
            .iter()
            .filter(|r| r.before_consent == Some(true))
            .collect();
        if let Some(first) = early.first() {
            let how = if first.call.after_consent.is_some() {
                "the log's own consent status".to_string()
            } else if let Some(c) = first.log.consent.as_ref().filter(|c| c.exact) {
                format!("the log's consent record ({})", c.how)
            } else {
                format!(
                    "consent at {} on the capture clock ({})",
                    consent.map(|c| c.rfc3339()).unwrap_or_default(),
                    first.clock.trusted
                )
            };
            b.add(
                rules::API_BEFORE_CONSENT,
                None,
                t,
                party,
                decl.promises
                    .consent_before_collection
                    .as_ref()
                    .map(|p| disclosure::Citation {
                        clause: p.clause().map(str::to_string),
                        quote: p.quote().map(str::to_string),
                    }),
                None,
                format!(
                    "{label} read {name} through {} before the user consented ({} of {n} reads; first at {}, {}; before consent per {how})",
                    first.call.api,
                    early.len(),
                    first.ts.rfc3339(),
                    where_(first)
                ),
                format!(
                    "用户同意前 {label} 通过 {} 读取了{name_zh}（共 {n} 次中的 {} 次；首次 {}，{}）",
                    first.call.api,
                    early.len(),
                    first.ts.rfc3339(),
                    where_(first)
                ),
                ev(&early),
                early.len() as u64,
            );
        }

        let limit = map.limit(ontology, t);
        let window_ns = (limit.window_s as i64).saturating_mul(1_000_000_000);
        let mut worst = (0usize, 0usize);
        let mut start = 0;
        for end in 0..reads.len() {
            while reads[end].ts.0 - reads[start].ts.0 > window_ns {
                start += 1;
            }
            if end + 1 - start > worst.0 {
                worst = (end + 1 - start, start);
            }
        }
        if worst.0 > limit.max {
            let burst: Vec<&Read<'_>> = reads[worst.1..worst.1 + worst.0].iter().collect();
            b.add(
                rules::API_FREQUENCY,
                None,
                t,
                party,
                None,
                None,
                format!(
                    "{label} read {name} {} times within {} s (limit {} per {} s, signatures/api-calls.toml), from {}",
                    worst.0,
                    limit.window_s,
                    limit.max,
                    limit.window_s,
                    where_(burst[0])
                ),
                format!(
                    "{label} 在 {} 秒内读取{name_zh} {} 次（上限为每 {} 秒 {} 次），自 {}",
                    limit.window_s,
                    worst.0,
                    limit.window_s,
                    limit.max,
                    where_(burst[0])
                ),
                ev(&burst),
                worst.0 as u64,
            );
        }

        let p = Party::parse(party).unwrap_or(Party::Unknown(party.clone()));
        let decision = disclosure::classify(decl, ontology, t, &p);
        let undeclared = matches!(decision.class, Class::Omitted | Class::Incorrect)
            || (p.is_third_party() && !decision.party_named && decision.class != Class::Clear);
        if undeclared {
            let all: Vec<&Read<'_>> = reads.iter().collect();
            b.add(
                rules::API_UNDECLARED,
                Some(if w >= 2 {
                    rules::Severity::High
                } else {
                    rules::Severity::Medium
                }),
                t,
                party,
                decision.denial.clone().or(decision.citation.clone()),
                Some(decision.class),
                format!(
                    "{label} read {name} ({}, first {}) but the policy does not declare it for {}",
                    times(n),
                    where_(all[0]),
                    if decision.party_named {
                        "this party"
                    } else {
                        "a party it does not name"
                    }
                ),
                format!(
                    "{label} 读取了{name_zh}（{n} 次，首次 {}），但隐私政策未针对该主体声明",
                    where_(all[0])
                ),
                ev(&all),
                n,
            );
        }

        let background: Vec<&Read<'_>> = reads
            .iter()
            .filter(|r| r.call.app_state == Some(AppState::Background))
            .collect();
        if let Some(first) = background.first() {
            b.add(
                rules::API_BACKGROUND,
                None,
                t,
                party,
                None,
                None,
                format!(
                    "{label} read {name} while the app was in the background ({}, first at {}, {})",
                    times(background.len() as u64),
                    first.ts.rfc3339(),
                    where_(first)
                ),
                format!(
                    "App 处于后台时 {label} 读取了{name_zh}（{} 次，首次 {}，{}）",
                    background.len(),
                    first.ts.rfc3339(),
                    where_(first)
                ),
                ev(&background),
                background.len() as u64,
            );
        }

        // The join. A read counts when it is itself a problem; the traffic confirms the
        // collection, so the pair outranks either alone.
        let problem = |r: &Read<'_>| {
            r.before_consent == Some(true)
                || undeclared
                || r.call.app_state == Some(AppState::Background)
        };
        let mut joined: Option<(&Read<'_>, &Observation)> = None;
        let mut contacted: Option<(&Read<'_>, &super::collect::OpaqueContact)> = None;
        for r in reads.iter().filter(|r| r.clock.aligned && problem(r)) {
            if let Some(o) = sent(collector, ontology, t, party, r.ts, api_options.window_ns) {
                joined = Some((r, o));
                break;
            }
            if contacted.is_none()
                && let Some(c) = collector.opaque.get(party.as_str()).and_then(|list| {
                    list.iter()
                        .find(|(ts, ..)| *ts >= r.ts && ts.0 - r.ts.0 <= api_options.window_ns)
                })
            {
                contacted = Some((r, c));
            }
        }
        let why = |r: &Read<'_>| -> (&'static str, &'static str) {
            if r.before_consent == Some(true) {
                ("before consent", "同意前")
            } else if r.call.app_state == Some(AppState::Background) {
                ("in the background", "后台")
            } else {
                ("without a declaration", "未声明")
            }
        };
        if let Some((r, o)) = joined {
            let (en, zh) = why(r);
            let mut e = vec![evidence(r, options.show_values)];
            e.push(Evidence::from_observation(o, options.show_values));
            let sent_before = consent.is_some_and(|c| o.ts < c);
            b.add(
                rules::API_READ_AND_SENT,
                Some(if w >= 2 || r.before_consent == Some(true) {
                    rules::Severity::Critical
                } else {
                    rules::Severity::High
                }),
                t,
                party,
                None,
                None,
                format!(
                    "{label} read {name} {en} ({}, {}) and sent it {:.3} s later{} to {} ({} frame {}, field {})",
                    r.ts.rfc3339(),
                    where_(r),
                    (o.ts.0 - r.ts.0) as f64 / 1e9,
                    if sent_before { ", also before consent," } else { "" },
                    o.host.as_deref().unwrap_or("?"),
                    o.file,
                    o.frame,
                    o.field
                ),
                format!(
                    "{label} {zh}读取{name_zh}（{}，{}），{:.3} 秒后发送至 {}（{} 第 {} 帧，字段 {}）",
                    r.ts.rfc3339(),
                    where_(r),
                    (o.ts.0 - r.ts.0) as f64 / 1e9,
                    o.host.as_deref().unwrap_or("?"),
                    o.file,
                    o.frame,
                    o.field
                ),
                e,
                2,
            );
        } else if let Some((r, (ts, file, frame, host))) = contacted {
            let (en, zh) = why(r);
            b.add(
                rules::API_READ_AND_CONTACTED,
                Some(if w >= 2 {
                    rules::Severity::High
                } else {
                    rules::Severity::Medium
                }),
                t,
                party,
                None,
                None,
                format!(
                    "{label} read {name} {en} ({}, {}) and {:.3} s later connected to {host} ({file} frame {frame}), whose content could not be read",
                    r.ts.rfc3339(),
                    where_(r),
                    (ts.0 - r.ts.0) as f64 / 1e9
                ),
                format!(
                    "{label} {zh}读取{name_zh}（{}，{}），{:.3} 秒后连接 {host}（{file} 第 {frame} 帧），其内容无法解析",
                    r.ts.rfc3339(),
                    where_(r),
                    (ts.0 - r.ts.0) as f64 / 1e9
                ),
                vec![evidence(r, options.show_values)],
                1,
            );
        }
    }
    (b.out, timeline)
}

/// The per-log summary for the report.
pub fn info(log: &ApiLog, clock: &Clock) -> ApiLogInfo {
    ApiLogInfo {
        path: log.path.clone(),
        format: log.format.as_str(),
        calls: log.calls.len(),
        mapped: log.calls.iter().filter(|c| c.data_type.is_some()).count(),
        clock: clock.clone(),
        consent: log.consent.clone(),
        unmapped: log.unmapped.clone(),
    }
}

/// Adds `more` to `findings` in the report's order (severity, rule, party, data type).
pub fn merge(findings: &mut Vec<Finding>, more: Vec<Finding>) {
    findings.extend(more);
    findings.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| a.rule.cmp(b.rule))
            .then_with(|| a.party.cmp(&b.party))
            .then_with(|| a.data_type.cmp(&b.data_type))
    });
}

/// Transmissions and API reads on one time axis.
pub fn merge_timeline(
    mut points: Vec<TimelinePoint>,
    reads: Vec<TimelinePoint>,
) -> Vec<TimelinePoint> {
    points.extend(reads);
    points.sort_by_key(|p| p.ts);
    points
}
