//! The audit: the app's observed behaviour (and, with `--app`, its package) held
//! against its policy declaration. Produces findings with stable ids and fingerprints,
//! the party × data-type disclosure matrix, the SDK list, coverage and a timeline.

pub mod apilog_rules;
pub mod collect;
pub mod disclosure;
pub mod geo;
pub mod rules;

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use sha2::Digest as _;

use crate::observation::{Observation, mask};
use crate::policy::model::{AppInfo, Declaration};
use crate::sdk::{Party, SdkDb};
use crate::signatures::{Ontology, Sensitivity};
use crate::time::Timestamp;

pub use collect::Collector;
pub use disclosure::{Citation, Class};
pub use rules::{Harm, RULES, Rule, Severity};

/// Version of the JSON report schema (`privaudit audit --format json`).
pub const SCHEMA: &str = "privaudit.audit/1";

/// One piece of evidence: where to look in the capture.
#[derive(Debug, Clone, Serialize)]
pub struct Evidence {
    pub file: String,
    /// The frame where Wireshark shows the request (the one that completed it, as
    /// `tshark -Y http.request` lists it). HAR and proxy: the entry number.
    pub frame: u64,
    /// The request's first frame (its first TCP segment or TLS record).
    pub first_frame: u64,
    /// Every frame this row cites: the first frame and the request frame.
    pub frames: Vec<u64>,
    pub ts: Timestamp,
    pub host: Option<String>,
    pub method: String,
    pub uri: String,
    pub data_type: String,
    pub field: String,
    pub encoding: Vec<String>,
    pub value: String,
    pub transport: String,
    pub src: Option<String>,
    pub dst: Option<String>,
    /// `api-log` for a runtime API call (absent for traffic).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<&'static str>,
    /// The API call's details, for `source = "api-log"`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api: Option<Box<apilog_rules::ApiEvidence>>,
}

/// What stands in for a secret in every report.
pub const REDACTED: &str = "[redacted]";

/// Data types whose values are secrets: never shown, not even in part, unless
/// `--show-values`. A partly masked password still gives most of it away.
pub fn is_secret(data_type: &str) -> bool {
    [
        "account.password",
        "account.auth_token",
        "account.verification_code",
        "account.security_qa",
        "account.digital_certificate",
        "activity.cookie",
    ]
    .iter()
    .any(|s| {
        data_type == *s
            || data_type
                .strip_prefix(s)
                .is_some_and(|rest| rest.starts_with('.'))
    })
}

/// Query keys whose values are secrets whatever the detector called them.
fn secret_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    [
        "pass", "pwd", "token", "secret", "session", "sid", "auth", "cookie", "otp", "captcha",
    ]
    .iter()
    .any(|s| k.contains(s))
        || k == "code"
        || k == "key"
}

impl Evidence {
    pub fn from_observation(o: &Observation, show_values: bool) -> Evidence {
        let last = o.last_frame.max(o.frame);
        let mut frames = vec![o.frame, last];
        frames.dedup();
        let secret = is_secret(&o.data_type);
        Evidence {
            file: o.file.to_string(),
            frame: last,
            first_frame: o.frame,
            frames,
            ts: o.ts,
            host: o.host.clone(),
            method: o.method.clone(),
            uri: if show_values {
                o.uri.clone()
            } else {
                mask_query(&o.uri, secret.then_some(o.value.as_str()))
            },
            data_type: o.data_type.clone(),
            field: o.field.clone(),
            encoding: o.encoding.clone(),
            value: if show_values {
                o.value.clone()
            } else if secret {
                REDACTED.to_string()
            } else {
                mask(&o.value)
            },
            transport: serde_json::to_value(o.transport)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
            src: o.src.map(|e| e.to_string()),
            dst: o.dst.map(|e| e.to_string()),
            source: None,
            api: None,
        }
    }
}

/// The query string can carry the very values a report must not leak: values are
/// masked, secrets (by key, or equal to `secret`) replaced whole.
fn mask_query(uri: &str, secret: Option<&str>) -> String {
    match uri.split_once('?') {
        Some((path, query)) => {
            let masked: Vec<String> = query
                .split('&')
                .map(|p| match p.split_once('=') {
                    Some((k, v))
                        if secret_key(k)
                            || secret.is_some_and(|s| !s.is_empty() && v.contains(s)) =>
                    {
                        format!("{k}={REDACTED}")
                    }
                    Some((k, v)) if v.len() > 4 => format!("{k}={}", mask(v)),
                    _ => p.to_string(),
                })
                .collect();
            format!("{path}?{}", masked.join("&"))
        }
        None => uri.to_string(),
    }
}

/// One rule a finding's flows break, with the data types it concerns.
#[derive(Debug, Clone, Serialize)]
pub struct Violation {
    pub rule: &'static str,
    pub severity: Severity,
    pub title: &'static str,
    pub title_zh: &'static str,
    pub data_types: Vec<String>,
    /// The clause number the rule rests on (the quote is the finding's, once).
    pub clause: Option<String>,
    pub message: String,
    pub message_zh: String,
}

/// One data type inside a finding: how the policy discloses it and how it travelled.
#[derive(Debug, Clone, Serialize)]
pub struct TypeDetail {
    pub data_type: String,
    pub disclosure: Option<Class>,
    pub clause: Option<String>,
    /// Requests that carried it (two fields of one request count once).
    pub requests: u64,
    pub cleartext: u64,
    pub before_consent: u64,
    /// Encodings it was found under (`md5`, `base64 › json`), plain included as "".
    pub encodings: Vec<String>,
    /// The rules of this finding that concern it.
    pub rules: Vec<&'static str>,
    /// Its reads in the runtime API logs (`--api-log`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api: Option<apilog_rules::ApiReads>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    /// The rule that decides the severity; `rules` lists every rule broken.
    pub rule: &'static str,
    pub rules: Vec<&'static str>,
    pub severity: Severity,
    pub title: &'static str,
    pub title_zh: &'static str,
    pub message: String,
    pub message_zh: String,
    /// Set when the finding concerns exactly one data type.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_type: Option<String>,
    pub data_types: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub party: Option<String>,
    /// The party as a reader knows it (the app's name for the first party).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub party_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub party_name_zh: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disclosure: Option<Class>,
    /// Per data type: disclosure class, counts, encodings.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<TypeDetail>,
    /// Every rule broken, most severe first.
    pub violations: Vec<Violation>,
    /// The policy statement involved; None means the policy does not mention it.
    pub clause: Option<Citation>,
    pub evidence: Vec<Evidence>,
    /// Requests behind the finding (one count per request).
    pub evidence_total: u64,
    pub fingerprint: String,
    pub fix: &'static str,
    pub fix_zh: &'static str,
    pub basis: Vec<&'static str>,
    /// Listed in the baseline: reported, but does not fail the run.
    pub suppressed: bool,
}

/// A cell of the party × data-type matrix.
#[derive(Debug, Clone, Serialize)]
pub struct Cell {
    pub party: String,
    pub data_type: String,
    pub class: Class,
    pub count: u64,
    pub cleartext: u64,
    pub before_consent: u64,
    pub first_ts: Option<Timestamp>,
    pub clause: Option<String>,
    /// The first few transmissions, for the report's drill-down.
    pub evidence: Vec<Evidence>,
}

/// A point on the timeline: one transmission of a data type to a party.
#[derive(Debug, Clone, Serialize)]
pub struct TimelinePoint {
    pub party: String,
    pub data_type: String,
    pub ts: Timestamp,
    /// `api-log` for an API read (absent for a transmission).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<&'static str>,
}

/// How an SDK showed itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SdkStatus {
    PresentAndTransmitting,
    PresentSilent,
    TransmittingNotBundled,
    Transmitting,
}

#[derive(Debug, Clone, Serialize)]
pub struct SdkEntry {
    pub id: String,
    pub name: String,
    pub name_zh: Option<String>,
    pub vendor: String,
    pub vendor_zh: Option<String>,
    pub category: String,
    pub privacy_policy: Option<String>,
    pub status: SdkStatus,
    pub named_in_policy: bool,
    pub observed: Vec<String>,
    pub documented: Vec<String>,
    pub first_contact: Option<Timestamp>,
}

/// What was and was not visible to the audit.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Coverage {
    pub requests_inspected: u64,
    pub cleartext_requests: u64,
    pub decrypted_requests: u64,
    pub connections_decrypted: u64,
    pub connections_not_decrypted: u64,
    /// Hosts whose encrypted connections could not be read: host, reason, count.
    pub not_decrypted: Vec<(String, String, u64)>,
    /// Requests that were read but whose payload was not readable (ciphertext, or a
    /// parameter whose base64/hex is high-entropy bytes): finding no personal data in
    /// them does not mean none was sent.
    pub requests_not_readable: u64,
    /// The same, per party, most requests first.
    pub payload_not_readable: Vec<PayloadNotReadable>,
}

/// Unreadable payloads sent to one party, with the first one as an example.
#[derive(Debug, Clone, Serialize)]
pub struct PayloadNotReadable {
    pub party: String,
    pub requests: u64,
    pub example: Option<collect::UnreadableExample>,
}

#[derive(Debug, Clone, Serialize)]
pub struct InputInfo {
    pub path: String,
    pub format: String,
    pub frames: u64,
    pub first_ts: Option<Timestamp>,
    pub last_ts: Option<Timestamp>,
    pub sha256: Option<String>,
    pub damage: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ConsentInfo {
    pub ts: Timestamp,
    pub source: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    pub critical: usize,
    pub high: usize,
    pub medium: usize,
    pub low: usize,
    pub info: usize,
    pub suppressed: usize,
    pub fail_on: String,
    pub failed: bool,
}

/// Everything a report renders.
#[derive(Debug, Clone, Serialize)]
pub struct AuditReport {
    pub schema: &'static str,
    pub tool: String,
    pub app: AppInfo,
    pub policy: String,
    pub inputs: Vec<InputInfo>,
    pub package: Option<serde_json::Value>,
    pub consent: Option<ConsentInfo>,
    /// The `--consent-marker` that matched no request: the before-consent rules did
    /// not run.
    pub consent_unmatched: Option<String>,
    /// The same, said in a sentence (None when consent was known or not asked for).
    pub consent_note: Option<String>,
    pub summary: Summary,
    pub findings: Vec<Finding>,
    pub matrix: Vec<Cell>,
    pub sdks: Vec<SdkEntry>,
    pub timeline: Vec<TimelinePoint>,
    pub coverage: Coverage,
    /// Runtime API-call logs joined with the traffic (`--api-log`), with their clocks.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub api_logs: Vec<apilog_rules::ApiLogInfo>,
}

/// Static facts about the app package, for the package rules.
#[derive(Debug, Clone, Default)]
pub struct PackageFacts {
    /// SDK ids found in the package, with a short description of the evidence.
    pub sdks: Vec<(String, String)>,
    /// Data types unlocked by requested permissions: (data type, permission).
    pub permission_types: Vec<(String, String)>,
    /// Data types declared in privacy manifests: (data type, manifest path, apple type).
    pub manifest_types: Vec<(String, String, String)>,
    pub summary: Option<serde_json::Value>,
}

#[derive(Debug, Clone)]
pub struct Options {
    pub consent: Option<ConsentInfo>,
    /// Transmissions of one value to one party per minute above which FREQUENCY fires.
    pub max_per_minute: usize,
    pub fail_on: Severity,
    pub show_values: bool,
    pub baseline: BTreeSet<String>,
}

fn hex8(h: sha2::Sha256) -> String {
    h.finalize()
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The fingerprint of a finding that is not about one party: rule, data type.
fn fingerprint(rule: &str, data_type: Option<&str>, party: Option<&str>) -> String {
    let mut h = sha2::Sha256::new();
    h.update(rule.as_bytes());
    h.update([0]);
    h.update(data_type.unwrap_or("").as_bytes());
    h.update([0]);
    h.update(party.unwrap_or("").as_bytes());
    hex8(h)
}

/// The fingerprint of a party's finding: the party and the set of rules it breaks
/// (not the data types, so one more field of the same kind keeps it; a newly broken
/// rule changes it, so a baseline does not hide a new kind of problem).
fn party_fingerprint(party: &str, rules: &[&str]) -> String {
    let mut sorted: Vec<&str> = rules.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let mut h = sha2::Sha256::new();
    h.update(b"party/2");
    h.update([0]);
    h.update(party.as_bytes());
    h.update([0]);
    h.update(sorted.join(",").as_bytes());
    hex8(h)
}

/// One rule firing, before findings are grouped per party.
struct Hit {
    rule: &'static str,
    severity: Severity,
    party: Option<String>,
    data_types: Vec<String>,
    clause: Option<Citation>,
    message: String,
    message_zh: String,
    /// The message without the party, for a finding that groups several rules.
    short: Option<(String, String)>,
    evidence: Vec<Observation>,
    /// Rows that are not traffic (runtime API-log reads), ready to show.
    api_evidence: Vec<Evidence>,
    total: u64,
    /// The fingerprint the finding had before grouping (old baselines still match).
    legacy: Vec<String>,
}

/// Collects rule hits.
struct Findings {
    hits: Vec<Hit>,
}

impl Findings {
    #[allow(clippy::too_many_arguments)]
    fn add(
        &mut self,
        rule_id: &'static str,
        severity: Option<Severity>,
        data_type: Option<&str>,
        party: Option<&str>,
        _disclosure: Option<Class>,
        clause: Option<Citation>,
        message: String,
        message_zh: String,
        evidence: &[Observation],
        evidence_total: u64,
    ) {
        let rule = rules::rule(rule_id);
        self.hits.push(Hit {
            rule: rule.id,
            severity: severity.unwrap_or(rule.severity),
            party: party.map(str::to_string),
            data_types: data_type.map(str::to_string).into_iter().collect(),
            clause,
            message,
            message_zh,
            short: None,
            evidence: evidence.to_vec(),
            api_evidence: Vec::new(),
            total: evidence_total,
            legacy: vec![fingerprint(rule_id, data_type, party)],
        });
    }

    /// Gives the last hit a fingerprint that also depends on `key`, for rules that
    /// can fire more than once per (data type, party).
    fn rekey(&mut self, rule: &str, key: &str, data_type: Option<&str>, party: Option<&str>) {
        if let Some(last) = self.hits.last_mut() {
            last.legacy = vec![fingerprint(
                rule,
                Some(&format!("{}#{key}", data_type.unwrap_or(""))),
                party,
            )];
        }
    }
}

fn is_credential(data_type: &str) -> bool {
    data_type.starts_with("account.password")
        || data_type.starts_with("account.auth_token")
        || data_type.starts_with("account.verification_code")
}

/// How much harm a data type can do.
pub fn harm(ontology: &Ontology, data_type: &str) -> Harm {
    let t = ontology.get(data_type);
    let sensitive = ontology.sensitivity(data_type) == Sensitivity::Yes || is_credential(data_type);
    let non_resettable = t.is_some_and(|t| t.non_resettable);
    let identifier = data_type.starts_with("device.identifier")
        || data_type.starts_with("device.sim")
        || data_type.starts_with("contact.")
        || data_type.starts_with("identity.");
    if sensitive {
        Harm::Sensitive
    } else if non_resettable || identifier {
        Harm::Identifier
    } else {
        Harm::Other
    }
}

/// Counts in words: "once", "twice", "3 times".
pub fn times_en(n: u64) -> String {
    match n {
        0 => "never".into(),
        1 => "once".into(),
        2 => "twice".into(),
        n => format!("{n} times"),
    }
}

fn requests_en(n: u64) -> String {
    match n {
        1 => "one request".into(),
        n => format!("{n} requests"),
    }
}

/// "a", "a and b", "a, b and c".
pub fn list_en(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// How reports name parties: the app's own name for the first party, the SDK's
/// name, the domain of any other party.
pub struct Names<'a> {
    app: &'a AppInfo,
    sdks: &'a SdkDb,
}

impl<'a> Names<'a> {
    pub fn new(app: &'a AppInfo, sdks: &'a SdkDb) -> Self {
        Names { app, sdks }
    }

    pub fn en(&self, party: &str) -> String {
        match Party::parse(party) {
            Some(Party::FirstParty) if !self.app.name.is_empty() => {
                format!("{} (the app's own servers)", self.app.name)
            }
            Some(Party::FirstParty) => "the app's own servers".into(),
            Some(Party::Sdk(id)) => self
                .sdks
                .get(&id)
                .map(|s| s.name.clone())
                .unwrap_or_else(|| format!("SDK {id}")),
            Some(Party::ThirdParty(d)) => d,
            Some(Party::Unknown(ip)) => format!("an unidentified server ({ip})"),
            None => party.to_string(),
        }
    }

    pub fn zh(&self, party: &str) -> String {
        match Party::parse(party) {
            Some(Party::FirstParty) => {
                let name = self.app.name_zh.as_deref().unwrap_or(&self.app.name);
                if name.is_empty() {
                    "本 App 自有服务器".into()
                } else {
                    format!("{name}（App 自有服务器）")
                }
            }
            Some(Party::Sdk(id)) => self
                .sdks
                .get(&id)
                .map(|s| s.name_zh.clone().unwrap_or_else(|| s.name.clone()))
                .unwrap_or_else(|| format!("SDK {id}")),
            Some(Party::ThirdParty(d)) => d,
            Some(Party::Unknown(ip)) => format!("未识别的服务器（{ip}）"),
            None => party.to_string(),
        }
    }
}

/// Declarations and databases beside the policy: the Play Data safety form and a
/// GeoIP database.
#[derive(Default)]
pub struct Extras<'a> {
    pub data_safety: Option<(&'a crate::policy::datasafety::DataSafety, String)>,
    pub geo: Option<&'a geo::GeoDb>,
    /// Runtime API-call logs of the same session (`--api-log`).
    pub api: Option<apilog_rules::ApiSet<'a>>,
}

/// Per (party, rule) for the per-data-type rules: the types it concerns.
#[derive(Default)]
struct Acc<'c> {
    types: Vec<(String, &'c collect::Group)>,
    severity: Option<Severity>,
    clause: Option<Citation>,
    extra_en: Vec<String>,
    extra_zh: Vec<String>,
    evidence: Vec<Observation>,
}

/// Distinct requests among several groups' per-request timestamps.
fn distinct<'x>(lists: impl Iterator<Item = &'x [Timestamp]>, before: Option<Timestamp>) -> u64 {
    let mut set = BTreeSet::new();
    for l in lists {
        for t in l {
            if before.is_none_or(|b| *t < b) {
                set.insert(t.0);
            }
        }
    }
    set.len() as u64
}

#[allow(clippy::too_many_arguments)]
fn note<'a, 'c>(
    acc: &'a mut BTreeMap<(String, &'static str), Acc<'c>>,
    party: &str,
    rule: &'static str,
    data_type: &str,
    group: &'c collect::Group,
    severity: Severity,
    clause: Option<Citation>,
    evidence: &[Observation],
) -> &'a mut Acc<'c> {
    let a = acc.entry((party.to_string(), rule)).or_default();
    a.types.push((data_type.to_string(), group));
    a.severity = a.severity.max(Some(severity));
    if a.clause.is_none() {
        a.clause = clause;
    }
    a.evidence.extend(evidence.iter().take(5).cloned());
    a
}

/// Evaluates every rule.
#[allow(clippy::too_many_arguments)]
pub fn evaluate(
    collector: &Collector,
    decl: &Declaration,
    ontology: &Ontology,
    sdks: &SdkDb,
    package: Option<&PackageFacts>,
    extras: &Extras<'_>,
    options: &Options,
) -> (Vec<Finding>, Vec<Cell>, Vec<SdkEntry>) {
    let mut f = Findings { hits: Vec::new() };
    let names = Names::new(&decl.app, sdks);
    let consent = options.consent.as_ref().map(|c| c.ts);
    let encrypted_promise = decl
        .promises
        .encrypted_in_transit
        .as_ref()
        .filter(|p| *p.value());
    let mut matrix = Vec::new();
    let mut decisions: BTreeMap<(String, String), (Class, Option<String>)> = BTreeMap::new();
    // (party, rule) → the data types it concerns, for the per-type rules.
    let mut acc: BTreeMap<(String, &'static str), Acc<'_>> = BTreeMap::new();
    for ((data_type, party_text), group) in &collector.groups {
        let party = Party::parse(party_text).unwrap_or(Party::Unknown(party_text.clone()));
        let decision = disclosure::classify(decl, ontology, data_type, &party);
        let h = harm(ontology, data_type);
        let pre = consent.map(|t| group.count_before(t) as u64).unwrap_or(0);
        let citation_clause = decision.citation.as_ref().and_then(|c| c.clause.clone());
        decisions.insert(
            (data_type.clone(), party_text.clone()),
            (decision.class, citation_clause.clone()),
        );
        matrix.push(Cell {
            party: party_text.clone(),
            data_type: data_type.clone(),
            class: decision.class,
            count: group.requests,
            cleartext: group.cleartext,
            before_consent: pre,
            first_ts: group.first_ts(),
            clause: citation_clause,
            evidence: group
                .samples
                .iter()
                .take(5)
                .map(|o| Evidence::from_observation(o, options.show_values))
                .collect(),
        });
        let ev = &group.samples;
        // A credential sent to the app's own server over TLS is what a login is.
        let login = is_credential(data_type) && party == Party::FirstParty && group.cleartext == 0;
        let unnamed_third = party.is_third_party() && !decision.party_named;
        if unnamed_third {
            // The party itself is undisclosed; the data type's class goes in the
            // finding's detail, not in a finding of its own.
            note(
                &mut acc,
                party_text,
                rules::UNDISCLOSED_PARTY,
                data_type,
                group,
                rules::severity_for(rules::UNDISCLOSED_PARTY, h),
                decl.share
                    .iter()
                    .find(|s| {
                        matches!(
                            s.party.trim(),
                            "sdk" | "sdks" | "third-party" | "third-parties"
                        )
                    })
                    .map(|s| Citation {
                        clause: s.clause.clone(),
                        quote: s.quote.clone(),
                    }),
                ev,
            );
        }
        let class_rule = match decision.class {
            _ if login => None,
            Class::Omitted if !unnamed_third => Some((rules::OMITTED, None)),
            Class::Vague if !unnamed_third => Some((rules::VAGUE, decision.citation.clone())),
            Class::Incorrect => Some((rules::INCORRECT, decision.denial.clone())),
            Class::Ambiguous => Some((rules::AMBIGUOUS, decision.denial.clone())),
            _ => None,
        };
        if let Some((rule, clause)) = class_rule {
            note(
                &mut acc,
                party_text,
                rule,
                data_type,
                group,
                rules::severity_for(rule, h),
                clause,
                ev,
            );
        }
        if party.is_third_party()
            && decision.party_named
            && decision.party_data_listed
            && matches!(decision.class, Class::Omitted | Class::Vague)
        {
            note(
                &mut acc,
                party_text,
                rules::SDK_OVERCOLLECT,
                data_type,
                group,
                rules::severity_for(rules::SDK_OVERCOLLECT, h),
                None,
                ev,
            );
        }
        if group.cleartext > 0 {
            let cev = &group.cleartext_samples;
            if let Some(promise) = encrypted_promise {
                note(
                    &mut acc,
                    party_text,
                    rules::CLEARTEXT_PROMISE,
                    data_type,
                    group,
                    rules::severity_for(rules::CLEARTEXT_PROMISE, h),
                    Some(Citation {
                        clause: promise.clause().map(str::to_string),
                        quote: promise.quote().map(str::to_string),
                    }),
                    cev,
                );
            } else if h == Harm::Sensitive {
                note(
                    &mut acc,
                    party_text,
                    rules::CLEARTEXT_SENSITIVE,
                    data_type,
                    group,
                    rules::severity_for(rules::CLEARTEXT_SENSITIVE, h),
                    None,
                    cev,
                );
            }
        }
        if pre > 0 {
            let before: Vec<Observation> = consent
                .map(|c| ev.iter().filter(|o| o.ts < c).cloned().collect())
                .unwrap_or_default();
            note(
                &mut acc,
                party_text,
                rules::PRECONSENT,
                data_type,
                group,
                rules::severity_for(rules::PRECONSENT, h),
                decl.promises
                    .consent_before_collection
                    .as_ref()
                    .map(|p| Citation {
                        clause: p.clause().map(str::to_string),
                        quote: p.quote().map(str::to_string),
                    }),
                &before,
            );
        }
        let (peak, example) = group.peak_per_minute();
        if peak > options.max_per_minute {
            let example: Vec<Observation> = example.into_iter().cloned().collect();
            let a = note(
                &mut acc,
                party_text,
                rules::FREQUENCY,
                data_type,
                group,
                rules::severity_for(rules::FREQUENCY, h),
                None,
                &example,
            );
            a.extra_en.push(format!(
                "the same {} went there {} within one minute",
                ontology.name_en(data_type),
                times_en(peak as u64)
            ));
            a.extra_zh.push(format!(
                "同一{}一分钟内被发送 {peak} 次",
                ontology.name_zh(data_type)
            ));
        }
        // Every non-resettable identifier, in any encoding (a hash of the IMEI is
        // still the IMEI), to anyone but the app itself.
        let non_resettable = ontology.get(data_type).is_some_and(|t| t.non_resettable);
        if non_resettable && party != Party::FirstParty {
            note(
                &mut acc,
                party_text,
                rules::NON_RESETTABLE,
                data_type,
                group,
                rules::severity_for(rules::NON_RESETTABLE, h),
                None,
                ev,
            );
        }
    }

    for a in acc.values_mut() {
        a.types.sort_by(|x, y| {
            harm(ontology, &y.0)
                .cmp(&harm(ontology, &x.0))
                .then_with(|| x.0.cmp(&y.0))
        });
    }
    for ((party, rule), a) in &acc {
        let label = names.en(party);
        let label_zh = names.zh(party);
        let types_en: Vec<String> = a
            .types
            .iter()
            .map(|(t, _)| ontology.name_en(t).to_string())
            .collect();
        let types_zh: Vec<String> = a
            .types
            .iter()
            .map(|(t, _)| ontology.name_zh(t).to_string())
            .collect();
        let list = list_en(&types_en);
        let list_zh = types_zh.join("、");
        let requests = distinct(a.types.iter().map(|(_, g)| g.timestamps.as_slice()), None);
        let cleartext = distinct(
            a.types
                .iter()
                .map(|(_, g)| g.cleartext_timestamps.as_slice()),
            None,
        );
        let before = consent
            .map(|c| {
                distinct(
                    a.types.iter().map(|(_, g)| g.timestamps.as_slice()),
                    Some(c),
                )
            })
            .unwrap_or(0);
        let hashed: Vec<String> = a
            .types
            .iter()
            .flat_map(|(t, g)| {
                g.samples
                    .iter()
                    .filter(|o| {
                        o.encoding
                            .iter()
                            .any(|e| matches!(e.as_str(), "md5" | "sha1" | "sha256"))
                    })
                    .map(|o| format!("{} as {}", ontology.name_en(t), o.encoding.join(" › ")))
                    .collect::<BTreeSet<_>>()
            })
            .collect();
        let clause_ref = a
            .clause
            .as_ref()
            .and_then(|c| c.clause.as_deref())
            .map(|c| format!(" (§{c})"))
            .unwrap_or_default();
        let (message, message_zh, total) = match *rule {
            rules::UNDISCLOSED_PARTY => (
                format!(
                    "{label} received {list} in {} but is not named in the policy{clause_ref}.",
                    requests_en(requests)
                ),
                format!(
                    "{label_zh} 在 {requests} 个请求中收到了{list_zh}，但隐私政策未列明该第三方。"
                ),
                requests,
            ),
            rules::OMITTED => (
                format!(
                    "{list} went to {label} in {}; no policy statement declares it.",
                    requests_en(requests)
                ),
                format!("{list_zh}在 {requests} 个请求中被发送给{label_zh}，隐私政策未声明。"),
                requests,
            ),
            rules::VAGUE => (
                format!(
                    "{list} sent to {label} is covered only by a general statement{clause_ref}."
                ),
                format!("发送给{label_zh}的{list_zh}仅被概括性表述覆盖。"),
                requests,
            ),
            rules::INCORRECT => (
                format!("{list} went to {label} although the policy says it does not{clause_ref}."),
                format!("隐私政策声明不收集/不共享{list_zh}，但其被发送给{label_zh}。"),
                requests,
            ),
            rules::AMBIGUOUS => (
                format!("The policy both declares and denies {list} for {label}."),
                format!("隐私政策对发送给{label_zh}的{list_zh}既声明又否认。"),
                requests,
            ),
            rules::SDK_OVERCOLLECT => (
                format!("{label} is named in the policy, but not as receiving {list}."),
                format!("隐私政策列明了{label_zh}，但未声明其收集{list_zh}。"),
                requests,
            ),
            rules::CLEARTEXT_PROMISE => (
                format!(
                    "{list} went to {label} over unencrypted HTTP in {}, although the policy promises encryption{clause_ref}.",
                    requests_en(cleartext)
                ),
                format!(
                    "{list_zh}在 {cleartext} 个请求中以明文 HTTP 发送给{label_zh}，而隐私政策承诺加密传输。"
                ),
                cleartext,
            ),
            rules::CLEARTEXT_SENSITIVE => (
                format!(
                    "Sensitive {list} went to {label} over unencrypted HTTP in {}.",
                    requests_en(cleartext)
                ),
                format!("敏感个人信息{list_zh}在 {cleartext} 个请求中以明文发送给{label_zh}。"),
                cleartext,
            ),
            rules::PRECONSENT => {
                let at = consent.map(|c| c.rfc3339()).unwrap_or_default();
                (
                    format!(
                        "{label} received {list} before the user consented ({at}), in {}.",
                        requests_en(before)
                    ),
                    format!(
                        "用户同意（{at}）之前，{label_zh}已在 {before} 个请求中收到{list_zh}。"
                    ),
                    before,
                )
            }
            rules::NON_RESETTABLE => (
                format!(
                    "{label} receives the non-resettable {list}{}.",
                    if hashed.is_empty() {
                        String::new()
                    } else {
                        format!(", hashed or not: {}", hashed.join(", "))
                    }
                ),
                format!(
                    "{label_zh} 获取了不可重置的{list_zh}{}。",
                    if hashed.is_empty() {
                        ""
                    } else {
                        "（哈希后仍可关联到设备）"
                    }
                ),
                requests,
            ),
            rules::FREQUENCY => (
                format!(
                    "At {label}, {} (threshold {}).",
                    a.extra_en.join("; "),
                    options.max_per_minute
                ),
                format!(
                    "{label_zh}：{}（阈值 {}）。",
                    a.extra_zh.join("；"),
                    options.max_per_minute
                ),
                requests,
            ),
            _ => (list.clone(), list_zh.clone(), requests),
        };
        let all = a.types.len() > 1;
        let short = match *rule {
            rules::UNDISCLOSED_PARTY => (
                format!("It is not named in the policy{clause_ref}."),
                "隐私政策未列明该第三方。".to_string(),
            ),
            rules::OMITTED => (
                format!("No policy statement declares {list}."),
                format!("隐私政策未声明{list_zh}。"),
            ),
            rules::VAGUE => (
                format!("Only a general statement{clause_ref} covers {list}."),
                format!("{list_zh}仅被概括性表述覆盖。"),
            ),
            rules::INCORRECT => (
                format!("The policy says {list} is not collected or shared{clause_ref}."),
                format!("隐私政策声明不收集/不共享{list_zh}。"),
            ),
            rules::AMBIGUOUS => (
                format!("The policy both declares and denies {list}."),
                format!("隐私政策对{list_zh}既声明又否认。"),
            ),
            rules::SDK_OVERCOLLECT => (
                format!("The policy names it, but not as receiving {list}."),
                format!("隐私政策列明了该第三方，但未声明其收集{list_zh}。"),
            ),
            rules::CLEARTEXT_PROMISE => (
                format!(
                    "{} went over unencrypted HTTP in {}, although the policy promises encryption{clause_ref}.",
                    if all {
                        format!("All of it ({list})")
                    } else {
                        list.clone()
                    },
                    requests_en(cleartext)
                ),
                format!(
                    "{list_zh}在 {cleartext} 个请求中以明文 HTTP 传输，而隐私政策承诺加密传输。"
                ),
            ),
            rules::CLEARTEXT_SENSITIVE => (
                format!(
                    "Sensitive {list} went over unencrypted HTTP in {}.",
                    requests_en(cleartext)
                ),
                format!("敏感个人信息{list_zh}在 {cleartext} 个请求中以明文传输。"),
            ),
            rules::PRECONSENT => {
                let at = consent.map(|c| c.rfc3339()).unwrap_or_default();
                (
                    format!(
                        "{list} went before the user consented ({at}), in {}.",
                        requests_en(before)
                    ),
                    format!("用户同意（{at}）之前已在 {before} 个请求中发送{list_zh}。"),
                )
            }
            rules::NON_RESETTABLE => (
                format!(
                    "{list} cannot be reset by the user{}.",
                    if hashed.is_empty() {
                        String::new()
                    } else {
                        format!(", hashed or not ({})", hashed.join(", "))
                    }
                ),
                format!(
                    "{list_zh}不可由用户重置{}。",
                    if hashed.is_empty() {
                        ""
                    } else {
                        "，哈希后仍可关联到设备"
                    }
                ),
            ),
            _ => (message.clone(), message_zh.clone()),
        };
        let mut evidence = a.evidence.clone();
        evidence.sort_by_key(|o| o.ts);
        let legacy: Vec<String> = if matches!(*rule, rules::UNDISCLOSED_PARTY | rules::PRECONSENT) {
            vec![fingerprint(rule, None, Some(party))]
        } else {
            a.types
                .iter()
                .map(|(t, _)| fingerprint(rule, Some(t), Some(party)))
                .collect()
        };
        f.hits.push(Hit {
            rule,
            severity: a.severity.unwrap_or(rules::rule(rule).severity),
            party: Some(party.clone()),
            data_types: a.types.iter().map(|(t, _)| t.clone()).collect(),
            clause: a.clause.clone(),
            message,
            message_zh,
            short: Some(short),
            evidence,
            api_evidence: Vec::new(),
            total,
            legacy,
        });
    }

    if let Some(consent_ts) = consent {
        let early: BTreeSet<&str> = acc
            .keys()
            .filter(|(_, r)| *r == rules::PRECONSENT)
            .map(|(p, _)| p.as_str())
            .collect();
        for (party, contact) in &collector.contacts {
            if !party.starts_with("sdk:")
                || early.contains(party.as_str())
                || contact.first_ts >= consent_ts
            {
                continue;
            }
            let label = names.en(party);
            let label_zh = names.zh(party);
            f.add(
                rules::PRECONSENT_CONTACT,
                None,
                None,
                Some(party),
                None,
                None,
                format!(
                    "The app contacted {label} ({}) before consent, at {} ({} frame {}).",
                    contact.host,
                    contact.first_ts.rfc3339(),
                    contact.file,
                    contact.frame
                ),
                format!(
                    "用户同意前 App 已连接{label_zh}（{}），时间 {}，{} 第 {} 帧。",
                    contact.host,
                    contact.first_ts.rfc3339(),
                    contact.file,
                    contact.frame
                ),
                &[],
                1,
            );
        }
    }

    // The SDK list and the package rules.
    let mut entries = Vec::new();
    let bundled: BTreeMap<&str, &str> = package
        .map(|p| {
            p.sdks
                .iter()
                .map(|(id, ev)| (id.as_str(), ev.as_str()))
                .collect()
        })
        .unwrap_or_default();
    let mut ids: BTreeSet<String> = bundled.keys().map(|s| s.to_string()).collect();
    for party in collector
        .contacts
        .keys()
        .chain(collector.groups.keys().map(|(_, p)| p))
    {
        if let Some(id) = party.strip_prefix("sdk:") {
            ids.insert(id.to_string());
        }
    }
    for id in ids {
        let Some(sdk) = sdks.get(&id) else { continue };
        let party = format!("sdk:{id}");
        let transmitting = collector.contacts.contains_key(&party)
            || collector.groups.keys().any(|(_, p)| *p == party);
        let in_package = bundled.contains_key(id.as_str());
        let status = match (package.is_some(), in_package, transmitting) {
            (true, true, true) => SdkStatus::PresentAndTransmitting,
            (true, true, false) => SdkStatus::PresentSilent,
            (true, false, _) => SdkStatus::TransmittingNotBundled,
            (false, _, _) => SdkStatus::Transmitting,
        };
        let named = decl.share.iter().any(|s| s.party.trim() == party);
        let observed: Vec<String> = collector
            .groups
            .keys()
            .filter(|(_, p)| *p == party)
            .map(|(t, _)| t.clone())
            .collect();
        let documented: Vec<String> = sdk
            .collects
            .iter()
            .filter(|c| c.documented)
            .map(|c| c.data.clone())
            .collect();
        if package.is_some() && in_package {
            if !named {
                f.add(
                    rules::SDK_BUNDLED_UNDISCLOSED,
                    None,
                    None,
                    Some(&party),
                    None,
                    None,
                    format!(
                        "{} is in the app ({}) but not named in the policy",
                        sdk.name,
                        bundled.get(id.as_str()).unwrap_or(&"")
                    ),
                    format!(
                        "App 集成了 {}（{}），但隐私政策未列明",
                        sdk.name_zh.as_deref().unwrap_or(&sdk.name),
                        bundled.get(id.as_str()).unwrap_or(&"")
                    ),
                    &[],
                    1,
                );
            }
            if !transmitting {
                f.add(
                    rules::SDK_SILENT,
                    None,
                    None,
                    Some(&party),
                    None,
                    None,
                    format!(
                        "{} is bundled but none of its domains appeared in the captures",
                        sdk.name
                    ),
                    format!(
                        "已集成 {}，但抓包中未出现其域名",
                        sdk.name_zh.as_deref().unwrap_or(&sdk.name)
                    ),
                    &[],
                    1,
                );
            }
        }
        entries.push(SdkEntry {
            id: id.clone(),
            name: sdk.name.clone(),
            name_zh: sdk.name_zh.clone(),
            vendor: sdk.vendor.clone(),
            vendor_zh: sdk.vendor_zh.clone(),
            category: sdk.category.clone(),
            privacy_policy: sdk.privacy_policy.clone(),
            status,
            named_in_policy: named,
            observed,
            documented,
            first_contact: collector.contacts.get(&party).map(|c| c.first_ts),
        });
    }
    if let Some(p) = package {
        let declared = |t: &str| {
            let d = disclosure::classify(decl, ontology, t, &Party::FirstParty);
            !matches!(d.class, Class::Omitted | Class::Incorrect)
        };
        let mut seen = BTreeSet::new();
        for (t, permission) in &p.permission_types {
            if seen.insert(t.clone()) && !declared(t) && ontology.contains(t) {
                f.add(
                    rules::PERMISSION_UNDECLARED,
                    None,
                    Some(t),
                    None,
                    None,
                    None,
                    format!(
                        "{permission} gives access to {}, which the policy does not declare",
                        ontology.name_en(t)
                    ),
                    format!(
                        "权限 {permission} 可获取{}，但隐私政策未说明",
                        ontology.name_zh(t)
                    ),
                    &[],
                    1,
                );
            }
        }
        let mut seen = BTreeSet::new();
        for (t, path, apple) in &p.manifest_types {
            if seen.insert(t.clone()) && !declared(t) {
                f.add(
                    rules::MANIFEST_NOT_IN_POLICY,
                    None,
                    Some(t),
                    None,
                    None,
                    None,
                    format!(
                        "{path} declares {apple} ({}), which the policy does not declare",
                        ontology.name_en(t)
                    ),
                    format!(
                        "{path} 声明了 {apple}（{}），但隐私政策未说明",
                        ontology.name_zh(t)
                    ),
                    &[],
                    1,
                );
            }
        }
        if !p.manifest_types.is_empty() {
            for c in &decl.collect {
                for t in &c.data {
                    let in_manifest = p
                        .manifest_types
                        .iter()
                        .any(|(m, _, _)| m == t || ontology.is_within(m, t));
                    if !in_manifest && ontology.get(t).is_some_and(|x| x.apple.is_some()) {
                        f.add(
                            rules::POLICY_NOT_IN_MANIFEST,
                            None,
                            Some(t),
                            None,
                            None,
                            Some(Citation {
                                clause: c.clause.clone(),
                                quote: c.quote.clone(),
                            }),
                            format!(
                                "The policy declares {} but no privacy manifest lists it",
                                ontology.name_en(t)
                            ),
                            format!("隐私政策声明收集{}，但隐私清单未列出", ontology.name_zh(t)),
                            &[],
                            1,
                        );
                    }
                }
            }
        }
    }
    if let Some((ds, path)) = &extras.data_safety {
        data_safety_findings(&mut f, collector, decl, ontology, ds, path);
    }
    if let (Some(db), Some(region)) = (extras.geo, &decl.promises.storage_region) {
        cross_border_findings(&mut f, collector, &names, db, region);
    }
    let api_reads = match &extras.api {
        Some(api) => {
            let (hits, reads) =
                apilog_rules::hits(api, collector, decl, ontology, sdks, &names, options);
            f.hits.extend(hits);
            reads
        }
        None => BTreeMap::new(),
    };
    let list = assemble(
        f.hits, collector, &decisions, &api_reads, ontology, &names, options,
    );
    (list, matrix, entries)
}

/// Groups the hits into findings: one per party with every rule its flows break
/// (all data types and their evidence inside), and one per hit for the rules that
/// are not about a party (package, Data safety).
fn assemble(
    hits: Vec<Hit>,
    collector: &Collector,
    decisions: &BTreeMap<(String, String), (Class, Option<String>)>,
    api_reads: &BTreeMap<(String, String), apilog_rules::ApiReads>,
    ontology: &Ontology,
    names: &Names<'_>,
    options: &Options,
) -> Vec<Finding> {
    let order = |r: &str| RULES.iter().position(|x| x.id == r).unwrap_or(usize::MAX);
    let mut by_party: BTreeMap<String, Vec<Hit>> = BTreeMap::new();
    let mut single: Vec<Hit> = Vec::new();
    for h in hits {
        match &h.party {
            Some(p) if h.rule != rules::DATA_SAFETY_MISMATCH => {
                by_party.entry(p.clone()).or_default().push(h)
            }
            _ => single.push(h),
        }
    }
    let mut out = Vec::new();
    for h in single {
        let fp = h.legacy.first().cloned().unwrap_or_default();
        out.push(finding(
            vec![h],
            fp,
            None,
            collector,
            decisions,
            api_reads,
            ontology,
            names,
            options,
        ));
    }
    for (party, mut group) in by_party {
        group.sort_by(|a, b| {
            b.severity
                .cmp(&a.severity)
                .then_with(|| order(a.rule).cmp(&order(b.rule)))
        });
        let rule_ids: Vec<&str> = group.iter().map(|h| h.rule).collect();
        let fp = party_fingerprint(&party, &rule_ids);
        out.push(finding(
            group,
            fp,
            Some(&party),
            collector,
            decisions,
            api_reads,
            ontology,
            names,
            options,
        ));
    }
    out.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| order(a.rule).cmp(&order(b.rule)))
            .then_with(|| a.party.cmp(&b.party))
            .then_with(|| a.data_types.cmp(&b.data_types))
    });
    out
}

/// One finding from hits sorted most severe first.
#[allow(clippy::too_many_arguments)]
fn finding(
    hits: Vec<Hit>,
    fingerprint: String,
    party: Option<&str>,
    collector: &Collector,
    decisions: &BTreeMap<(String, String), (Class, Option<String>)>,
    api_reads: &BTreeMap<(String, String), apilog_rules::ApiReads>,
    ontology: &Ontology,
    names: &Names<'_>,
    options: &Options,
) -> Finding {
    let primary = &hits[0];
    let rule = rules::rule(primary.rule);
    let mut data_types: Vec<String> = Vec::new();
    for h in &hits {
        for t in &h.data_types {
            if !data_types.contains(t) {
                data_types.push(t.clone());
            }
        }
    }
    data_types.sort_by(|a, b| {
        harm(ontology, b)
            .cmp(&harm(ontology, a))
            .then_with(|| a.cmp(b))
    });
    let mut rule_ids: Vec<&'static str> = Vec::new();
    for h in &hits {
        if !rule_ids.contains(&h.rule) {
            rule_ids.push(h.rule);
        }
    }
    let consent = options.consent.as_ref().map(|c| c.ts);
    let details: Vec<TypeDetail> = match party {
        Some(p) => data_types
            .iter()
            .filter_map(|t| {
                let key = (t.clone(), p.to_string());
                let g = collector.groups.get(&key);
                let api = api_reads.get(&key);
                if g.is_none() && api.is_none() {
                    return None;
                }
                let (class, clause) = decisions
                    .get(&key)
                    .cloned()
                    .map_or((api.and_then(|a| a.class), None), |(c, cl)| (Some(c), cl));
                let encodings: BTreeSet<String> = g
                    .iter()
                    .flat_map(|g| g.samples.iter())
                    .map(|o| o.encoding.join(" › "))
                    .collect();
                Some(TypeDetail {
                    data_type: t.clone(),
                    disclosure: class,
                    clause,
                    requests: g.map_or(0, |g| g.requests),
                    cleartext: g.map_or(0, |g| g.cleartext),
                    before_consent: g.zip(consent).map_or(0, |(g, c)| g.count_before(c) as u64),
                    encodings: encodings.into_iter().collect(),
                    rules: hits
                        .iter()
                        .filter(|h| h.data_types.contains(t))
                        .map(|h| h.rule)
                        .collect(),
                    api: api.cloned(),
                })
            })
            .collect(),
        None => Vec::new(),
    };
    // The data types the party received (API-only ones were read, not seen sent).
    let sent_types: Vec<&String> = match party {
        Some(p) => data_types
            .iter()
            .filter(|t| {
                collector
                    .groups
                    .contains_key(&((*t).clone(), p.to_string()))
            })
            .collect(),
        None => Vec::new(),
    };
    let total = match party {
        Some(p) if !sent_types.is_empty() => distinct(
            sent_types
                .iter()
                .filter_map(|t| collector.groups.get(&((*t).clone(), p.to_string())))
                .map(|g| g.timestamps.as_slice()),
            None,
        )
        .max(1),
        _ => hits.iter().map(|h| h.total).max().unwrap_or(0),
    };
    // Evidence: every hit's rows once, in time order; API-log rows beside the traffic.
    let mut seen = BTreeSet::new();
    let mut rows: Vec<&Observation> = hits
        .iter()
        .flat_map(|h| h.evidence.iter())
        .filter(|o| {
            seen.insert((
                o.file.to_string(),
                o.frame,
                o.data_type.clone(),
                o.field.clone(),
            ))
        })
        .collect();
    rows.sort_by(|a, b| a.ts.cmp(&b.ts).then_with(|| a.data_type.cmp(&b.data_type)));
    let mut evidence: Vec<Evidence> = rows
        .into_iter()
        .take(30)
        .map(|o| Evidence::from_observation(o, options.show_values))
        .collect();
    let mut api_seen = BTreeSet::new();
    let mut api_rows: Vec<&Evidence> = hits
        .iter()
        .flat_map(|h| h.api_evidence.iter())
        .filter(|e| match e.source {
            Some(_) => api_seen.insert((e.file.clone(), e.frame)),
            None => seen.insert((
                e.file.clone(),
                e.first_frame,
                e.data_type.clone(),
                e.field.clone(),
            )),
        })
        .collect();
    api_rows.sort_by(|a, b| a.ts.cmp(&b.ts).then_with(|| a.data_type.cmp(&b.data_type)));
    evidence.extend(api_rows.into_iter().take(20).cloned());
    evidence.sort_by(|a, b| a.ts.cmp(&b.ts).then_with(|| a.data_type.cmp(&b.data_type)));
    let clause = hits.iter().find_map(|h| {
        h.clause
            .clone()
            .filter(|c| c.quote.is_some() || c.clause.is_some())
    });
    let (message, message_zh) = match party {
        Some(p) if hits.len() > 1 => {
            let types_en: Vec<String> = sent_types
                .iter()
                .map(|t| ontology.name_en(t).to_string())
                .collect();
            let types_zh: Vec<&str> = sent_types.iter().map(|t| ontology.name_zh(t)).collect();
            let mut en = if !sent_types.is_empty() {
                format!(
                    "{} received {} in {}.",
                    names.en(p),
                    list_en(&types_en),
                    requests_en(total)
                )
            } else if data_types.is_empty() {
                String::new()
            } else {
                format!("{}:", names.en(p))
            };
            let mut zh = if !sent_types.is_empty() {
                format!(
                    "{}在 {total} 个请求中收到{}。",
                    names.zh(p),
                    types_zh.join("、")
                )
            } else if data_types.is_empty() {
                String::new()
            } else {
                format!("{}：", names.zh(p))
            };
            for h in &hits {
                let (s_en, s_zh) = h
                    .short
                    .clone()
                    .unwrap_or_else(|| (h.message.clone(), h.message_zh.clone()));
                if !en.is_empty() {
                    en.push(' ');
                }
                en.push_str(&s_en);
                zh.push_str(&s_zh);
            }
            (en, zh)
        }
        _ => (primary.message.clone(), primary.message_zh.clone()),
    };
    let mut basis: Vec<&'static str> = Vec::new();
    for r in &rule_ids {
        for b in rules::rule(r).basis {
            if !basis.contains(b) {
                basis.push(b);
            }
        }
    }
    let suppressed = options.baseline.contains(&fingerprint)
        || (!options.baseline.is_empty()
            && hits.iter().all(|h| {
                !h.legacy.is_empty() && h.legacy.iter().all(|l| options.baseline.contains(l))
            }));
    let violations = hits
        .iter()
        .map(|h| {
            let r = rules::rule(h.rule);
            Violation {
                rule: r.id,
                severity: h.severity,
                title: r.title_en,
                title_zh: r.title_zh,
                data_types: h.data_types.clone(),
                clause: h.clause.as_ref().and_then(|c| c.clause.clone()),
                message: h.message.clone(),
                message_zh: h.message_zh.clone(),
            }
        })
        .collect();
    Finding {
        rule: rule.id,
        rules: rule_ids,
        severity: primary.severity,
        title: rule.title_en,
        title_zh: rule.title_zh,
        message,
        message_zh,
        data_type: (data_types.len() == 1).then(|| data_types[0].clone()),
        party: party.map(str::to_string).or_else(|| primary.party.clone()),
        party_name: party.or(primary.party.as_deref()).map(|p| names.en(p)),
        party_name_zh: party.or(primary.party.as_deref()).map(|p| names.zh(p)),
        disclosure: details
            .first()
            .filter(|_| details.len() == 1)
            .and_then(|d| d.disclosure),
        data_types,
        details,
        violations,
        clause,
        evidence,
        evidence_total: total,
        fingerprint,
        fix: rule.fix_en,
        fix_zh: rule.fix_zh,
        basis,
        suppressed,
    }
}

fn data_safety_findings(
    f: &mut Findings,
    collector: &Collector,
    decl: &Declaration,
    ontology: &Ontology,
    ds: &crate::policy::datasafety::DataSafety,
    path: &str,
) {
    use crate::policy::datasafety::{ObservedFlow, contradictions, observed_contradictions};
    let mut all = contradictions(ds, decl, ontology);
    all.extend(observed_contradictions(
        ds,
        ontology,
        collector
            .groups
            .iter()
            .map(|((t, p), g)| ObservedFlow::new(t.clone(), p.clone()).cleartext(g.cleartext > 0)),
    ));
    for c in all {
        // Traffic contradictions carry the flows' own evidence.
        let evidence: Vec<Observation> = match &c.data_type {
            Some(t) if c.kind.observed() => collector
                .groups
                .iter()
                .filter(|((gt, gp), _)| gt == t && (c.parties.is_empty() || c.parties.contains(gp)))
                .flat_map(|(_, g)| g.samples.iter().take(5).cloned())
                .collect(),
            _ => Vec::new(),
        };
        let total = evidence.len() as u64;
        let party = (c.parties.len() == 1).then(|| c.parties[0].as_str());
        let form = c
            .form_line
            .map(|l| format!(" ({path} line {l})"))
            .unwrap_or_else(|| format!(" ({path})"));
        f.add(
            rules::DATA_SAFETY_MISMATCH,
            None,
            c.data_type.as_deref(),
            party,
            None,
            c.clause.as_ref().map(|clause| Citation {
                clause: Some(clause.clone()),
                quote: c.quote.clone(),
            }),
            format!("{}{form}", c.message_en),
            format!("{}{form}", c.message_zh),
            &evidence,
            total,
        );
        let key = format!("{:?}|{}", c.kind, c.play_ids.join(","));
        f.rekey(
            rules::DATA_SAFETY_MISMATCH,
            &key,
            c.data_type.as_deref(),
            party,
        );
    }
}

fn cross_border_findings(
    f: &mut Findings,
    collector: &Collector,
    names: &Names<'_>,
    db: &geo::GeoDb,
    region: &crate::policy::model::Promise<String>,
) {
    let mut destinations: Vec<geo::Destination> = Vec::new();
    for ((t, p), g) in &collector.groups {
        for ip in g.destinations.keys() {
            destinations.push(geo::Destination {
                ip: *ip,
                party: p.clone(),
                data_types: vec![t.clone()],
            });
        }
    }
    let report = db.cross_border(region.value(), destinations);
    // One finding per (party, country), with every address and data type.
    let mut merged: BTreeMap<(String, String), Vec<&geo::Transfer>> = BTreeMap::new();
    for t in &report.transfers {
        merged
            .entry((t.party.clone(), t.country.clone()))
            .or_default()
            .push(t);
    }
    for ((party, country), transfers) in merged {
        let mut types: BTreeSet<&str> = BTreeSet::new();
        let mut ips: Vec<String> = Vec::new();
        let mut evidence: Vec<Observation> = Vec::new();
        for t in &transfers {
            ips.push(t.ip.to_string());
            for d in &t.data_types {
                types.insert(d);
                if let Some(o) = collector
                    .groups
                    .get(&(d.clone(), party.clone()))
                    .and_then(|g| g.destinations.get(&t.ip))
                    && evidence.len() < 20
                {
                    evidence.push(o.clone());
                }
            }
        }
        let note_en = transfers
            .iter()
            .find_map(|t| t.note_en.clone())
            .map(|n| format!(" {n}"))
            .unwrap_or_default();
        let note_zh = transfers
            .iter()
            .find_map(|t| t.note_zh.clone())
            .map(|n| format!(" {n}"))
            .unwrap_or_default();
        let label = names.en(&party);
        let label_zh = names.zh(&party);
        let type_list: Vec<&str> = types.iter().copied().collect();
        let total = evidence.len() as u64;
        f.add(
            rules::CROSS_BORDER,
            None,
            None,
            Some(&party),
            None,
            Some(Citation {
                clause: region.clause().map(str::to_string),
                quote: region.quote().map(str::to_string),
            }),
            format!(
                "{label} received {} at {} in {country}, outside the declared storage region {}.{note_en}",
                type_list.join(", "),
                ips.join(", "),
                report.region
            ),
            format!(
                "{label_zh} 在 {country}（{}）收到 {}，超出隐私政策声明的存储地域 {}。{note_zh}",
                ips.join(", "),
                type_list.join("、"),
                report.region
            ),
            &evidence,
            total,
        );
        f.rekey(rules::CROSS_BORDER, &country, None, Some(&party));
    }
}

/// Transmissions per (party, data type) for the timeline, at most `per_group` each.
pub fn timeline(collector: &Collector, per_group: usize) -> Vec<TimelinePoint> {
    let mut out = Vec::new();
    for ((t, p), g) in &collector.groups {
        let step = (g.timestamps.len() / per_group.max(1)).max(1);
        for ts in g.timestamps.iter().step_by(step).take(per_group) {
            out.push(TimelinePoint {
                party: p.clone(),
                data_type: t.clone(),
                ts: *ts,
                source: None,
            });
        }
    }
    out.sort_by_key(|p| p.ts);
    out
}

/// Counts by severity and the pass/fail verdict.
pub fn summarise(findings: &[Finding], fail_on: Severity) -> Summary {
    let mut s = Summary {
        fail_on: fail_on.as_str().to_string(),
        ..Summary::default()
    };
    for f in findings {
        if f.suppressed {
            s.suppressed += 1;
            continue;
        }
        match f.severity {
            Severity::Critical => s.critical += 1,
            Severity::High => s.high += 1,
            Severity::Medium => s.medium += 1,
            Severity::Low => s.low += 1,
            Severity::Info => s.info += 1,
        }
        if f.severity >= fail_on {
            s.failed = true;
        }
    }
    s
}
