//! Rules on runtime API-call logs (`audit --api-log`), and their join with the traffic:
//! reads before consent, too frequent, undeclared for the reading party, in the
//! background, and "read and sent" — the same party reading a data type and then
//! receiving it (or contacting its servers over an unreadable connection) within the
//! join window. The rules fire as hits beside the traffic rules' and fold into the same
//! one-finding-per-party grouping: rule metadata and severities from `rules.rs`,
//! evidence entries marked `"source": "api-log"`.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::collect::{Collector, OpaqueContact};
use super::{
    Citation, Class, Evidence, Hit, Names, Options, TimelinePoint, disclosure, fingerprint, harm,
    list_en, rules, times_en,
};
use crate::apilog::{ApiCall, ApiLog, ApiMap, AppState, Clock, LogConsent, LogFormat};
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

impl ApiEvidence {
    /// The deciding frame as `class.method`, without the log's source location.
    pub fn decided_method(&self) -> Option<String> {
        let f = self.decided_by.as_deref()?;
        Some(match crate::apilog::attribute::java_frame(f) {
            Some((class, method)) => format!("{class}.{method}"),
            None => f.to_string(),
        })
    }
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

/// The API logs an audit joins with its traffic (`Extras::api`).
pub struct ApiSet<'a> {
    pub inputs: Vec<Input<'a>>,
    pub map: &'a ApiMap,
    /// Seconds after a read within which the same party sending the type is "read and
    /// sent", in nanoseconds.
    pub window_ns: i64,
}

/// What the API logs say about one data type of one party, for the finding's detail.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ApiReads {
    pub reads: u64,
    pub before_consent: u64,
    pub background: u64,
    /// The policy's class for this type and party, when no traffic decided one.
    #[serde(skip)]
    pub(super) class: Option<Class>,
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
        first_frame: c.row,
        frames: vec![c.row],
        ts: r.ts,
        host: None,
        method: "API".into(),
        uri: c.api.clone(),
        data_type: c.data_type.clone().unwrap_or_default(),
        field: c.data_type.clone().unwrap_or_default(),
        encoding: Vec::new(),
        value: match (&c.result, show_values) {
            (Some(v), true) => v.clone(),
            (Some(_), false) if c.data_type.as_deref().is_some_and(super::is_secret) => {
                super::REDACTED.to_string()
            }
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

/// Where a read is in its log, in English and Chinese.
fn where_(r: &Read<'_>) -> (String, String) {
    let jsonl = r.log.format == LogFormat::Jsonl;
    let frame = r.call.attribution.frame.as_ref();
    (
        format!(
            "{} {} {}{}",
            r.log.path,
            if jsonl { "line" } else { "row" },
            r.call.row,
            frame.map(|f| format!(", frame {f}")).unwrap_or_default()
        ),
        format!(
            "{} 第 {} 行{}",
            r.log.path,
            r.call.row,
            frame.map(|f| format!("，调用栈帧 {f}")).unwrap_or_default()
        ),
    )
}

/// The parties whose traffic can carry what `party` read: itself, and for a vendor
/// core (JCore) the SDKs that run on it — a core has no servers of its own, so its
/// collection leaves through the product's hosts.
fn senders(party: &str, sdks: &SdkDb) -> Vec<String> {
    let mut out = vec![party.to_string()];
    if let Some(core) = party.strip_prefix("sdk:") {
        out.extend(
            sdks.sdks
                .iter()
                .filter(|s| s.core.as_deref() == Some(core))
                .map(|s| format!("sdk:{}", s.id)),
        );
    }
    out
}

/// The first transmission by one of `parties` of `t` or a related type (a parent read,
/// `network.wifi`, covers a sent child, `network.wifi.ssid`, and the other way round)
/// within the window after `from`.
fn sent<'c>(
    collector: &'c Collector,
    ontology: &Ontology,
    t: &str,
    parties: &[String],
    from: Timestamp,
    window: i64,
) -> Option<(&'c str, &'c Observation)> {
    collector
        .groups
        .iter()
        .filter(|((gt, gp), _)| {
            parties.contains(gp)
                && (gt == t || ontology.is_within(gt, t) || ontology.is_within(t, gt))
        })
        .flat_map(|((_, gp), g)| g.samples.iter().map(move |o| (gp.as_str(), o)))
        .filter(|(_, o)| o.ts >= from && o.ts.0 - from.0 <= window)
        .min_by_key(|(_, o)| o.ts)
}

/// Per (party, rule): the data types it concerns and their sentences.
#[derive(Default)]
struct Acc {
    types: Vec<String>,
    en: Vec<String>,
    zh: Vec<String>,
    /// The same, briefly, for the grouped finding's message (the evidence has the rest).
    brief_en: Vec<String>,
    brief_zh: Vec<String>,
    /// How consent was dated, for the before-consent rule.
    how_en: BTreeSet<String>,
    how_zh: BTreeSet<String>,
    severity: Option<rules::Severity>,
    clause: Option<Citation>,
    evidence: Vec<Evidence>,
    total: u64,
    /// Wording switch of the undeclared rule: does the policy name the party at all?
    party_named: bool,
}

impl Acc {
    fn add(
        &mut self,
        t: &str,
        severity: rules::Severity,
        en: String,
        zh: String,
        evidence: Vec<Evidence>,
        n: u64,
    ) -> &mut Self {
        self.types.push(t.to_string());
        self.severity = self.severity.max(Some(severity));
        self.en.push(en);
        self.zh.push(zh);
        self.evidence.extend(evidence.into_iter().take(10));
        self.total += n;
        self
    }

    fn brief(&mut self, en: String, zh: String) {
        self.brief_en.push(en);
        self.brief_zh.push(zh);
    }
}

fn slot<'m>(
    acc: &'m mut BTreeMap<(String, &'static str), Acc>,
    party: &str,
    rule: &'static str,
) -> &'m mut Acc {
    acc.entry((party.to_string(), rule)).or_default()
}

/// Capture times of every mapped call of every aligned log, for the timeline.
pub fn timeline(inputs: &[Input<'_>]) -> Vec<TimelinePoint> {
    let mut out = Vec::new();
    for input in inputs.iter().filter(|i| i.clock.aligned) {
        for call in &input.log.calls {
            if let Some(t) = &call.data_type {
                out.push(TimelinePoint {
                    party: call.party().to_string(),
                    data_type: t.clone(),
                    ts: input.clock.shift(call.ts),
                    source: Some("api-log"),
                });
            }
        }
    }
    out
}

/// Evaluates the API rules over every log: one hit per (party, rule) with every data
/// type it concerns, and the per-type read counts for the findings' detail.
#[allow(clippy::too_many_arguments)]
pub(super) fn hits(
    api: &ApiSet<'_>,
    collector: &Collector,
    decl: &Declaration,
    ontology: &Ontology,
    sdks: &SdkDb,
    names: &Names<'_>,
    options: &Options,
) -> (Vec<Hit>, BTreeMap<(String, String), ApiReads>) {
    let consent = options.consent.as_ref().map(|c| c.ts);
    // (data type, party) → reads in time order.
    let mut groups: BTreeMap<(String, String), Vec<Read<'_>>> = BTreeMap::new();
    for input in &api.inputs {
        for call in &input.log.calls {
            let Some(t) = &call.data_type else { continue };
            let ts = if input.clock.aligned {
                input.clock.shift(call.ts)
            } else {
                call.ts
            };
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
    let mut acc: BTreeMap<(String, &'static str), Acc> = BTreeMap::new();
    let mut summary: BTreeMap<(String, String), ApiReads> = BTreeMap::new();
    for ((t, party), reads) in &mut groups {
        reads.sort_by_key(|r| r.ts);
        let name = ontology.name_en(t);
        let name_zh = ontology.name_zh(t);
        let h = harm(ontology, t);
        let n = reads.len() as u64;
        let ev = |rs: &[&Read<'_>]| -> Vec<Evidence> {
            rs.iter()
                .map(|r| evidence(r, options.show_values))
                .collect()
        };
        let p = Party::parse(party).unwrap_or(Party::Unknown(party.clone()));
        let decision = disclosure::classify(decl, ontology, t, &p);
        let early: Vec<&Read<'_>> = reads
            .iter()
            .filter(|r| r.before_consent == Some(true))
            .collect();
        let background: Vec<&Read<'_>> = reads
            .iter()
            .filter(|r| r.call.app_state == Some(AppState::Background))
            .collect();
        summary.insert(
            (t.clone(), party.clone()),
            ApiReads {
                reads: n,
                before_consent: early.len() as u64,
                background: background.len() as u64,
                class: Some(decision.class),
            },
        );

        if let Some(first) = early.first() {
            let (how_en, how_zh) = if first.call.after_consent.is_some() {
                (
                    "the log's own consent status".to_string(),
                    "日志自带的同意状态".to_string(),
                )
            } else if let Some(c) = first.log.consent.as_ref().filter(|c| c.exact) {
                (
                    format!("the log's consent record, {}", c.how),
                    format!("日志中的同意记录（第 {} 行）", c.row),
                )
            } else {
                let at = consent.map(|c| c.rfc3339()).unwrap_or_default();
                (
                    format!(
                        "consent at {at} on the capture clock ({})",
                        first.clock.trusted
                    ),
                    format!("抓包时间轴上的同意时刻 {at}（{}）", first.clock.trusted_zh),
                )
            };
            let (w_en, w_zh) = where_(first);
            let a = slot(&mut acc, party, rules::API_BEFORE_CONSENT);
            if a.clause.is_none() {
                a.clause = decl
                    .promises
                    .consent_before_collection
                    .as_ref()
                    .map(|p| Citation {
                        clause: p.clause().map(str::to_string),
                        quote: p.quote().map(str::to_string),
                    });
            }
            a.how_en.insert(how_en);
            a.how_zh.insert(how_zh);
            a.add(
                t,
                rules::severity_for(rules::API_BEFORE_CONSENT, h),
                format!(
                    "{name} through {} ({} of {n} reads, first at {}, {w_en})",
                    first.call.api,
                    early.len(),
                    first.ts.rfc3339()
                ),
                format!(
                    "{name_zh}（通过 {}，共 {n} 次中的 {} 次，首次 {}，{w_zh}）",
                    first.call.api,
                    early.len(),
                    first.ts.rfc3339()
                ),
                ev(&early),
                early.len() as u64,
            )
            .brief(
                format!("{name} ({})", times_en(early.len() as u64)),
                format!("{name_zh}（{} 次）", early.len()),
            );
        }

        let limit = api.map.limit(ontology, t);
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
            let (w_en, w_zh) = where_(burst[0]);
            slot(&mut acc, party, rules::API_FREQUENCY).add(
                t,
                rules::severity_for(rules::API_FREQUENCY, h),
                format!(
                    "{name} {} within {} s (limit {} per {} s, signatures/api-calls.toml), from {w_en}",
                    times_en(worst.0 as u64),
                    limit.window_s,
                    limit.max,
                    limit.window_s,
                ),
                format!(
                    "{name_zh}在 {} 秒内被读取 {} 次（上限为每 {} 秒 {} 次），自 {w_zh}",
                    limit.window_s, worst.0, limit.window_s, limit.max,
                ),
                ev(&burst),
                worst.0 as u64,
            )
            .brief(
                format!(
                    "{name} {} within {} s (limit {})",
                    times_en(worst.0 as u64),
                    limit.window_s,
                    limit.max
                ),
                format!(
                    "{name_zh}在 {} 秒内 {} 次（上限 {} 次）",
                    limit.window_s, worst.0, limit.max
                ),
            );
        }

        let undeclared = matches!(decision.class, Class::Omitted | Class::Incorrect)
            || (p.is_third_party() && !decision.party_named && decision.class != Class::Clear);
        if undeclared {
            let all: Vec<&Read<'_>> = reads.iter().collect();
            let (w_en, w_zh) = where_(all[0]);
            let a = slot(&mut acc, party, rules::API_UNDECLARED);
            if a.clause.is_none() {
                a.clause = decision.denial.clone().or(decision.citation.clone());
            }
            a.party_named |= decision.party_named;
            a.add(
                t,
                rules::severity_for(rules::API_UNDECLARED, h),
                format!("{name} ({}, first {w_en})", times_en(n)),
                format!("{name_zh}（{n} 次，首次 {w_zh}）"),
                ev(&all),
                n,
            )
            .brief(
                format!("{name} ({})", times_en(n)),
                format!("{name_zh}（{n} 次）"),
            );
        }

        if let Some(first) = background.first() {
            let (w_en, w_zh) = where_(first);
            slot(&mut acc, party, rules::API_BACKGROUND)
                .add(
                    t,
                    rules::severity_for(rules::API_BACKGROUND, h),
                    format!(
                        "{name} ({}, first at {}, {w_en})",
                        times_en(background.len() as u64),
                        first.ts.rfc3339()
                    ),
                    format!(
                        "{name_zh}（{} 次，首次 {}，{w_zh}）",
                        background.len(),
                        first.ts.rfc3339()
                    ),
                    ev(&background),
                    background.len() as u64,
                )
                .brief(
                    format!("{name} ({})", times_en(background.len() as u64)),
                    format!("{name_zh}（{} 次）", background.len()),
                );
        }

        // The join. A read counts when it is itself a problem; the traffic confirms the
        // collection, so the pair outranks either alone.
        let problem = |r: &Read<'_>| {
            r.before_consent == Some(true)
                || undeclared
                || r.call.app_state == Some(AppState::Background)
        };
        let parties = senders(party, sdks);
        let mut joined: Option<(&Read<'_>, &str, &Observation)> = None;
        let mut contacted: Option<(&Read<'_>, &OpaqueContact)> = None;
        for r in reads.iter().filter(|r| r.clock.aligned && problem(r)) {
            if let Some((by, o)) = sent(collector, ontology, t, &parties, r.ts, api.window_ns) {
                joined = Some((r, by, o));
                break;
            }
            if contacted.is_none()
                && let Some(c) = parties
                    .iter()
                    .filter_map(|p| collector.opaque.get(p.as_str()))
                    .flatten()
                    .filter(|(ts, ..)| *ts >= r.ts && ts.0 - r.ts.0 <= api.window_ns)
                    .min_by_key(|(ts, ..)| *ts)
            {
                contacted = Some((r, c));
            }
        }
        let why = |r: &Read<'_>| -> (&'static str, &'static str) {
            if r.before_consent == Some(true) {
                ("before consent", "同意前")
            } else if r.call.app_state == Some(AppState::Background) {
                ("in the background", "在后台")
            } else {
                ("without a declaration", "在未声明的情况下")
            }
        };
        if let Some((r, by, o)) = joined {
            let (en, zh) = why(r);
            let (w_en, w_zh) = where_(r);
            let sent_before = consent.is_some_and(|c| o.ts < c);
            // A core's read leaves through the product that runs on it: name it.
            let (who_en, who_zh) = if by == party {
                (String::new(), String::new())
            } else {
                (
                    format!(" through {}", names.en(by)),
                    format!("经{}", names.zh(by)),
                )
            };
            let secs = (o.ts.0 - r.ts.0) as f64 / 1e9;
            let host = o.host.as_deref().unwrap_or("?");
            slot(&mut acc, party, rules::API_READ_AND_SENT).add(
                t,
                rules::severity_for(rules::API_READ_AND_SENT, h),
                format!(
                    "{name} {en} ({}, {w_en}) and sent it {secs:.3} s later{}{who_en} to {host} ({} frame {}, field {})",
                    r.ts.rfc3339(),
                    if sent_before { ", also before consent," } else { "" },
                    o.file,
                    o.last_frame.max(o.frame),
                    o.field
                ),
                format!(
                    "{zh}读取{name_zh}（{}，{w_zh}），{secs:.3} 秒后{}{who_zh}发送至 {host}（{} 第 {} 帧，字段 {}）",
                    r.ts.rfc3339(),
                    if sent_before { "（仍在同意前）" } else { "" },
                    o.file,
                    o.last_frame.max(o.frame),
                    o.field
                ),
                vec![
                    evidence(r, options.show_values),
                    Evidence::from_observation(o, options.show_values),
                ],
                1,
            )
            .brief(
                format!(
                    "{name} {en} and sent it {secs:.1} s later{who_en} to {host} (frame {})",
                    o.last_frame.max(o.frame)
                ),
                format!(
                    "{zh}读取{name_zh}，{secs:.1} 秒后{who_zh}发送至 {host}（第 {} 帧）",
                    o.last_frame.max(o.frame)
                ),
            );
        } else if let Some((r, (ts, file, frame, host))) = contacted {
            let (en, zh) = why(r);
            let (w_en, w_zh) = where_(r);
            let secs = (ts.0 - r.ts.0) as f64 / 1e9;
            slot(&mut acc, party, rules::API_READ_AND_CONTACTED).add(
                t,
                rules::severity_for(rules::API_READ_AND_CONTACTED, h),
                format!(
                    "{name} {en} ({}, {w_en}) and {secs:.3} s later connected to {host} ({file} frame {frame}), whose content could not be read",
                    r.ts.rfc3339()
                ),
                format!(
                    "{zh}读取{name_zh}（{}，{w_zh}），{secs:.3} 秒后连接 {host}（{file} 第 {frame} 帧），其内容无法解析",
                    r.ts.rfc3339()
                ),
                vec![evidence(r, options.show_values)],
                1,
            )
            .brief(
                format!(
                    "{name} {en}, then {secs:.1} s later connected to {host}, whose content could not be read"
                ),
                format!("{zh}读取{name_zh}，{secs:.1} 秒后连接 {host}（内容无法解析）"),
            );
        }
    }

    let mut out = Vec::new();
    for ((party, rule), a) in acc {
        let label = names.en(&party);
        let label_zh = names.zh(&party);
        let en = a.en.join("; ");
        let zh = a.zh.join("；");
        let types_en: Vec<String> = a
            .types
            .iter()
            .map(|t| ontology.name_en(t).to_string())
            .collect();
        let how_en = a.how_en.iter().cloned().collect::<Vec<_>>().join("; ");
        let how_zh = a.how_zh.iter().cloned().collect::<Vec<_>>().join("；");
        let whom = if a.party_named {
            "this party"
        } else {
            "a party it does not name"
        };
        let b_en = list_en(&a.brief_en);
        let b_zh = a.brief_zh.join("、");
        let ((m_en, m_zh), (s_en, s_zh)) = match rule {
            rules::API_BEFORE_CONSENT => (
                (
                    format!("{label} read {en} before the user consented (per {how_en})."),
                    format!("用户同意前，{label_zh}读取了{zh}（依据{how_zh}）。"),
                ),
                (
                    format!("Its code read {b_en} through system APIs before the user consented."),
                    format!("用户同意前，其代码通过系统接口读取了{b_zh}。"),
                ),
            ),
            rules::API_FREQUENCY => (
                (
                    format!("{label} read {en}."),
                    format!("{label_zh}频繁读取：{zh}。"),
                ),
                (
                    format!("Its code read {b_en}."),
                    format!("其代码频繁读取：{b_zh}。"),
                ),
            ),
            rules::API_UNDECLARED => (
                (
                    format!(
                        "{label} read {en}, but the policy does not declare {} for {whom}.",
                        list_en(&types_en)
                    ),
                    format!("{label_zh}读取了{zh}，但隐私政策未针对该主体声明。"),
                ),
                (
                    format!("Its code read {b_en}, which the policy does not declare for {whom}."),
                    format!("其代码读取了{b_zh}，隐私政策未针对该主体声明。"),
                ),
            ),
            rules::API_BACKGROUND => (
                (
                    format!("{label} read {en} while the app was in the background."),
                    format!("App 处于后台时，{label_zh}读取了{zh}。"),
                ),
                (
                    format!("Its code read {b_en} while the app was in the background."),
                    format!("App 处于后台时，其代码读取了{b_zh}。"),
                ),
            ),
            rules::API_READ_AND_SENT => (
                (format!("{label} read {en}."), format!("{label_zh}{zh}。")),
                (
                    format!("Its code read {}.", a.brief_en.join("; ")),
                    format!("其代码{}。", a.brief_zh.join("；")),
                ),
            ),
            _ => (
                (format!("{label} read {en}."), format!("{label_zh}{zh}。")),
                (
                    format!("Its code read {}.", a.brief_en.join("; ")),
                    format!("其代码{}。", a.brief_zh.join("；")),
                ),
            ),
        };
        let legacy = a
            .types
            .iter()
            .map(|t| fingerprint(rule, Some(t), Some(&party)))
            .collect();
        out.push(Hit {
            rule,
            severity: a.severity.unwrap_or(rules::rule(rule).severity),
            party: Some(party),
            data_types: a.types,
            clause: a.clause,
            message: m_en,
            message_zh: m_zh,
            short: Some((s_en, s_zh)),
            evidence: Vec::new(),
            api_evidence: a.evidence,
            total: a.total,
            legacy,
        });
    }
    (out, summary)
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

/// Transmissions and API reads on one time axis.
pub fn merge_timeline(
    mut points: Vec<TimelinePoint>,
    reads: Vec<TimelinePoint>,
) -> Vec<TimelinePoint> {
    points.extend(reads);
    points.sort_by_key(|p| p.ts);
    points
}
