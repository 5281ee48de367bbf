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
pub use rules::{RULES, Rule, Severity};

/// Version of the JSON report schema (`privaudit audit --format json`).
pub const SCHEMA: &str = "privaudit.audit/1";

/// One piece of evidence: where to look in the capture.
#[derive(Debug, Clone, Serialize)]
pub struct Evidence {
    pub file: String,
    pub frame: u64,
    pub ts: Timestamp,
    pub host: Option<String>,
    pub method: String,
    pub uri: String,
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

impl Evidence {
    pub fn from_observation(o: &Observation, show_values: bool) -> Evidence {
        Evidence {
            file: o.file.to_string(),
            frame: o.frame,
            ts: o.ts,
            host: o.host.clone(),
            method: o.method.clone(),
            uri: if show_values {
                o.uri.clone()
            } else {
                mask_query(&o.uri)
            },
            field: o.field.clone(),
            encoding: o.encoding.clone(),
            value: if show_values {
                o.value.clone()
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

/// The query string can carry the very values a report must not leak.
fn mask_query(uri: &str) -> String {
    match uri.split_once('?') {
        Some((path, query)) => {
            let masked: Vec<String> = query
                .split('&')
                .map(|p| match p.split_once('=') {
                    Some((k, v)) if v.len() > 4 => format!("{k}={}", mask(v)),
                    _ => p.to_string(),
                })
                .collect();
            format!("{path}?{}", masked.join("&"))
        }
        None => uri.to_string(),
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub rule: &'static str,
    pub severity: Severity,
    pub title: &'static str,
    pub title_zh: &'static str,
    pub message: String,
    pub message_zh: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub party: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disclosure: Option<Class>,
    /// The policy statement involved; None means the policy does not mention it.
    pub clause: Option<Citation>,
    pub evidence: Vec<Evidence>,
    pub evidence_total: u64,
    pub fingerprint: String,
    pub fix: &'static str,
    pub fix_zh: &'static str,
    pub basis: &'static [&'static str],
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

pub(crate) fn fingerprint(rule: &str, data_type: Option<&str>, party: Option<&str>) -> String {
    let mut h = sha2::Sha256::new();
    h.update(rule.as_bytes());
    h.update([0]);
    h.update(data_type.unwrap_or("").as_bytes());
    h.update([0]);
    h.update(party.unwrap_or("").as_bytes());
    h.finalize()
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Builds findings one at a time with the rule's metadata filled in.
struct Findings<'a> {
    list: Vec<Finding>,
    options: &'a Options,
}

impl Findings<'_> {
    #[allow(clippy::too_many_arguments)]
    fn add(
        &mut self,
        rule_id: &'static str,
        severity: Option<Severity>,
        data_type: Option<&str>,
        party: Option<&str>,
        disclosure: Option<Class>,
        clause: Option<Citation>,
        message: String,
        message_zh: String,
        evidence: &[Observation],
        evidence_total: u64,
    ) {
        let rule = rules::rule(rule_id);
        let fp = fingerprint(rule_id, data_type, party);
        self.list.push(Finding {
            rule: rule.id,
            severity: severity.unwrap_or(rule.severity),
            title: rule.title_en,
            title_zh: rule.title_zh,
            message,
            message_zh,
            data_type: data_type.map(str::to_string),
            party: party.map(str::to_string),
            disclosure,
            clause,
            evidence: evidence
                .iter()
                .take(20)
                .map(|o| Evidence::from_observation(o, self.options.show_values))
                .collect(),
            evidence_total,
            suppressed: self.options.baseline.contains(&fp),
            fingerprint: fp,
            fix: rule.fix_en,
            fix_zh: rule.fix_zh,
            basis: rule.basis,
        });
    }
}

impl Findings<'_> {
    /// Gives the last finding a fingerprint that also depends on `key`, for rules that
    /// can fire more than once per (data type, party).
    fn rekey(&mut self, rule: &str, key: &str, data_type: Option<&str>, party: Option<&str>) {
        if let Some(last) = self.list.last_mut() {
            let fp = fingerprint(
                rule,
                Some(&format!("{}#{key}", data_type.unwrap_or(""))),
                party,
            );
            last.suppressed = self.options.baseline.contains(&fp);
            last.fingerprint = fp;
        }
    }
}

fn is_credential(data_type: &str) -> bool {
    data_type.starts_with("account.password")
        || data_type.starts_with("account.auth_token")
        || data_type.starts_with("account.verification_code")
}

/// Severity of an undisclosed or cleartext flow, by how sensitive the type is.
pub(crate) fn weight(ontology: &Ontology, data_type: &str) -> u8 {
    let t = ontology.get(data_type);
    let sensitive = ontology.sensitivity(data_type) == Sensitivity::Yes || is_credential(data_type);
    let non_resettable = t.is_some_and(|t| t.non_resettable);
    let identifier = data_type.starts_with("device.identifier")
        || data_type.starts_with("device.sim")
        || data_type.starts_with("contact.")
        || data_type.starts_with("identity.");
    if sensitive {
        3
    } else if non_resettable || identifier {
        2
    } else {
        1
    }
}

pub(crate) fn party_label(party: &str, sdks: &SdkDb) -> String {
    match Party::parse(party) {
        Some(Party::Sdk(id)) => sdks
            .get(&id)
            .map(|s| format!("{} ({party})", s.name))
            .unwrap_or_else(|| party.to_string()),
        _ => party.to_string(),
    }
}

/// Evaluates every rule.
/// Declarations and databases beside the policy: the Play Data safety form and a
/// GeoIP database.
#[derive(Default)]
pub struct Extras<'a> {
    pub data_safety: Option<(&'a crate::policy::datasafety::DataSafety, String)>,
    pub geo: Option<&'a geo::GeoDb>,
}

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
    let mut f = Findings {
        list: Vec::new(),
        options,
    };
    let consent = options.consent.as_ref().map(|c| c.ts);
    let encrypted_promise = decl
        .promises
        .encrypted_in_transit
        .as_ref()
        .filter(|p| *p.value());
    let mut matrix = Vec::new();
    // Per third party: data types it received that the policy does not let it have.
    let mut undisclosed: BTreeMap<String, Vec<(String, &collect::Group)>> = BTreeMap::new();
    let mut before_consent: BTreeMap<String, Vec<(String, &collect::Group)>> = BTreeMap::new();

    for ((data_type, party_text), group) in &collector.groups {
        let party = Party::parse(party_text).unwrap_or(Party::Unknown(party_text.clone()));
        let decision = disclosure::classify(decl, ontology, data_type, &party);
        let name = ontology.name_en(data_type);
        let name_zh = ontology.name_zh(data_type);
        let label = party_label(party_text, sdks);
        let w = weight(ontology, data_type);
        let pre = consent.map(|t| group.count_before(t) as u64).unwrap_or(0);
        matrix.push(Cell {
            party: party_text.clone(),
            data_type: data_type.clone(),
            class: decision.class,
            count: group.count,
            cleartext: group.cleartext,
            before_consent: pre,
            first_ts: group.first_ts(),
            clause: decision.citation.as_ref().and_then(|c| c.clause.clone()),
            evidence: group
                .samples
                .iter()
                .take(5)
                .map(|o| Evidence::from_observation(o, options.show_values))
                .collect(),
        });
        let ev = &group.samples;
        match decision.class {
            Class::Omitted => f.add(
                rules::OMITTED,
                Some(if w >= 2 {
                    Severity::High
                } else {
                    Severity::Medium
                }),
                Some(data_type),
                Some(party_text),
                Some(decision.class),
                None,
                format!(
                    "{name} was sent to {label} {} times; no policy statement declares it",
                    group.count
                ),
                format!(
                    "{name_zh} 被发送给 {label} 共 {} 次，隐私政策未声明",
                    group.count
                ),
                ev,
                group.count,
            ),
            Class::Vague => f.add(
                rules::VAGUE,
                Some(if w >= 3 {
                    Severity::Medium
                } else {
                    Severity::Low
                }),
                Some(data_type),
                Some(party_text),
                Some(decision.class),
                decision.citation.clone(),
                format!("{name} sent to {label} is covered only by a general statement"),
                format!("发送给 {label} 的{name_zh}仅被概括性表述覆盖"),
                ev,
                group.count,
            ),
            Class::Incorrect => f.add(
                rules::INCORRECT,
                None,
                Some(data_type),
                Some(party_text),
                Some(decision.class),
                decision.denial.clone(),
                format!("{name} was sent to {label} although the policy says it is not"),
                format!("隐私政策声明不收集/不共享{name_zh}，但其被发送给 {label}"),
                ev,
                group.count,
            ),
            Class::Ambiguous => f.add(
                rules::AMBIGUOUS,
                None,
                Some(data_type),
                Some(party_text),
                Some(decision.class),
                decision.denial.clone(),
                format!("The policy both declares and denies {name} for {label}"),
                format!("隐私政策对{name_zh}（{label}）既声明又否认"),
                ev,
                group.count,
            ),
            Class::Clear => {}
        }
        if party.is_third_party() {
            if !decision.party_named {
                undisclosed
                    .entry(party_text.clone())
                    .or_default()
                    .push((data_type.clone(), group));
            } else if decision.party_data_listed
                && matches!(decision.class, Class::Omitted | Class::Vague)
            {
                f.add(
                    rules::SDK_OVERCOLLECT,
                    Some(if w >= 2 {
                        Severity::High
                    } else {
                        Severity::Medium
                    }),
                    Some(data_type),
                    Some(party_text),
                    Some(decision.class),
                    None,
                    format!("{label} is named in the policy, but not as receiving {name}"),
                    format!("隐私政策列明了 {label}，但未声明其收集{name_zh}"),
                    ev,
                    group.count,
                );
            }
        }
        if group.cleartext > 0 {
            let cev = &group.cleartext_samples;
            if let Some(promise) = encrypted_promise {
                f.add(
                    rules::CLEARTEXT_PROMISE,
                    Some(match w {
                        3 => Severity::Critical,
                        2 => Severity::High,
                        _ => Severity::Medium,
                    }),
                    Some(data_type),
                    Some(party_text),
                    None,
                    Some(Citation {
                        clause: promise.clause().map(str::to_string),
                        quote: promise.quote().map(str::to_string),
                    }),
                    format!(
                        "{name} went to {label} over unencrypted HTTP {} times",
                        group.cleartext
                    ),
                    format!(
                        "{name_zh} 以明文 HTTP 发送给 {label} 共 {} 次",
                        group.cleartext
                    ),
                    cev,
                    group.cleartext,
                );
            } else if w >= 3 {
                f.add(
                    rules::CLEARTEXT_SENSITIVE,
                    None,
                    Some(data_type),
                    Some(party_text),
                    None,
                    None,
                    format!(
                        "Sensitive {name} went to {label} over unencrypted HTTP {} times",
                        group.cleartext
                    ),
                    format!(
                        "敏感个人信息{name_zh} 以明文发送给 {label} 共 {} 次",
                        group.cleartext
                    ),
                    cev,
                    group.cleartext,
                );
            }
        }
        if pre > 0 {
            before_consent
                .entry(party_text.clone())
                .or_default()
                .push((data_type.clone(), group));
        }
        let (peak, example) = group.peak_per_minute();
        if peak > options.max_per_minute {
            f.add(
                rules::FREQUENCY,
                None,
                Some(data_type),
                Some(party_text),
                None,
                None,
                format!(
                    "The same {name} went to {label} {peak} times within one minute (threshold {})",
                    options.max_per_minute
                ),
                format!(
                    "同一{name_zh}在一分钟内被发送给 {label} {peak} 次（阈值 {}）",
                    options.max_per_minute
                ),
                &example.into_iter().cloned().collect::<Vec<_>>(),
                peak as u64,
            );
        }
        if let Party::Sdk(id) = &party {
            let non_resettable = ontology.get(data_type).is_some_and(|t| t.non_resettable);
            let tracking = sdks.get(id).is_some_and(|s| {
                matches!(s.category.as_str(), "ads" | "analytics" | "attribution")
            });
            if non_resettable && tracking {
                f.add(
                    rules::NON_RESETTABLE,
                    None,
                    Some(data_type),
                    Some(party_text),
                    None,
                    None,
                    format!("{label} receives the non-resettable {name}"),
                    format!("{label} 获取了不可重置的{name_zh}"),
                    ev,
                    group.count,
                );
            }
        }
    }

    for (party, types) in &undisclosed {
        let label = party_label(party, sdks);
        let names: Vec<&str> = types.iter().map(|(t, _)| ontology.name_en(t)).collect();
        let names_zh: Vec<&str> = types.iter().map(|(t, _)| ontology.name_zh(t)).collect();
        let max_w = types
            .iter()
            .map(|(t, _)| weight(ontology, t))
            .max()
            .unwrap_or(1);
        let mut evidence: Vec<Observation> = types
            .iter()
            .flat_map(|(_, g)| g.samples.iter().take(3).cloned())
            .collect();
        evidence.sort_by_key(|o| o.ts);
        let total = types.iter().map(|(_, g)| g.count).sum();
        let generic = decl.share.iter().find(|s| {
            matches!(
                s.party.trim(),
                "sdk" | "sdks" | "third-party" | "third-parties"
            )
        });
        f.add(
            rules::UNDISCLOSED_PARTY,
            Some(if max_w >= 2 {
                Severity::High
            } else {
                Severity::Medium
            }),
            None,
            Some(party),
            None,
            generic.map(|s| Citation {
                clause: s.clause.clone(),
                quote: s.quote.clone(),
            }),
            format!(
                "{label} received {} but is not named in the policy",
                names.join(", ")
            ),
            format!(
                "{label} 收到了 {}，但隐私政策未列明该第三方",
                names_zh.join("、")
            ),
            &evidence,
            total,
        );
    }

    if let Some(consent_ts) = consent {
        for (party, types) in &before_consent {
            let label = party_label(party, sdks);
            let mut evidence: Vec<Observation> = types
                .iter()
                .flat_map(|(_, g)| {
                    g.samples
                        .iter()
                        .filter(|o| o.ts < consent_ts)
                        .take(5)
                        .cloned()
                })
                .collect();
            evidence.sort_by_key(|o| o.ts);
            let names: Vec<&str> = types.iter().map(|(t, _)| ontology.name_en(t)).collect();
            let names_zh: Vec<&str> = types.iter().map(|(t, _)| ontology.name_zh(t)).collect();
            let total = types
                .iter()
                .map(|(_, g)| g.count_before(consent_ts) as u64)
                .sum();
            f.add(
                rules::PRECONSENT,
                None,
                None,
                Some(party),
                None,
                decl.promises
                    .consent_before_collection
                    .as_ref()
                    .map(|p| Citation {
                        clause: p.clause().map(str::to_string),
                        quote: p.quote().map(str::to_string),
                    }),
                format!(
                    "{label} received {} before the user consented ({})",
                    names.join(", "),
                    consent_ts.rfc3339()
                ),
                format!(
                    "用户同意前（{}）{label} 已收到 {}",
                    consent_ts.rfc3339(),
                    names_zh.join("、")
                ),
                &evidence,
                total,
            );
        }
        for (party, contact) in &collector.contacts {
            if !party.starts_with("sdk:")
                || before_consent.contains_key(party)
                || contact.first_ts >= consent_ts
            {
                continue;
            }
            let label = party_label(party, sdks);
            f.add(
                rules::PRECONSENT_CONTACT,
                None,
                None,
                Some(party),
                None,
                None,
                format!(
                    "The app contacted {label} ({}) before consent, at {} ({} frame {})",
                    contact.host,
                    contact.first_ts.rfc3339(),
                    contact.file,
                    contact.frame
                ),
                format!(
                    "用户同意前 App 已连接 {label}（{}），时间 {}，{} 第 {} 帧",
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
                    Some(if transmitting {
                        Severity::High
                    } else {
                        Severity::Medium
                    }),
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
        cross_border_findings(&mut f, collector, sdks, db, region);
    }
    let mut list = f.list;
    list.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| a.rule.cmp(b.rule))
            .then_with(|| a.party.cmp(&b.party))
            .then_with(|| a.data_type.cmp(&b.data_type))
    });
    (list, matrix, entries)
}

fn data_safety_findings(
    f: &mut Findings<'_>,
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
    f: &mut Findings<'_>,
    collector: &Collector,
    sdks: &SdkDb,
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
        let label = party_label(&party, sdks);
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
                "{label} 在 {country}（{}）收到 {}，超出隐私政策声明的存储地域 {}。{note_zh}",
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
