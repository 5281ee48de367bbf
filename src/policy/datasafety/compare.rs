//! Where the Data safety form disagrees with the policy declaration, or with what the
//! app was seen sending.
//!
//! Google's definitions decide what counts (Play Console Help 10787469 and the User Data
//! policy, "Data safety section"): data is *collected* when it is transmitted off the
//! device, including by third-party libraries and SDKs in the app, and *shared* when it
//! is transferred to a third party; transfers to a service provider that processes data
//! on the developer's behalf are exempt from sharing, which is why share messages say so.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::DataSafety;
use super::table::PlayType;
use crate::policy::model::Declaration;
use crate::sdk::Party;
use crate::signatures::Ontology;

/// What kind of disagreement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ContradictionKind {
    /// The policy declares a data type; the form lists it neither collected nor shared.
    PolicyCollectsFormOmits,
    /// The form lists a data type as collected; the policy declares nothing like it.
    FormCollectsPolicyOmits,
    /// The form lists a data type as collected; the policy says it is not collected.
    FormCollectsPolicyDenies,
    /// The form lists a data type as shared; the policy names no recipient for it.
    FormSharesPolicyOmits,
    /// The form lists a data type as shared; the policy says it is not shared.
    FormSharesPolicyDenies,
    /// The policy shares a data type with a third party; the form says it is not shared.
    PolicySharesFormOmits,
    /// The form and the policy disagree about encryption in transit.
    EncryptionInTransit,
    /// The form says no user data is collected; the policy collects some.
    FormCollectsNothing,
    /// Observed leaving the device; the form does not list it.
    ObservedNotCollected,
    /// Observed going to an SDK or third party; the form says it is not shared.
    ObservedNotShared,
    /// Observed in cleartext; the form says all user data is encrypted in transit.
    ObservedCleartext,
}

impl ContradictionKind {
    /// Found in the traffic rather than between two declarations.
    pub fn observed(self) -> bool {
        matches!(
            self,
            ContradictionKind::ObservedNotCollected
                | ContradictionKind::ObservedNotShared
                | ContradictionKind::ObservedCleartext
        )
    }

    /// Sources a reviewer can check the reasoning against.
    pub fn basis(self) -> &'static [&'static str] {
        use ContradictionKind::*;
        match self {
            ObservedNotCollected | ObservedNotShared | ObservedCleartext => &[
                "Google Play User Data policy (Data safety section)",
                "Play Console Help 10787469 (data collected by SDKs counts)",
            ],
            _ => &[
                "Google Play User Data policy (Data safety section)",
                "PIPL art. 17",
            ],
        }
    }
}

/// One disagreement, in both report languages, with the policy statement it rests on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Contradiction {
    pub kind: ContradictionKind,
    /// The ontology id concerned, when the disagreement is about one data type.
    pub data_type: Option<String>,
    /// The Data safety response ids concerned (`PSL_PHONE`).
    pub play_ids: Vec<String>,
    /// Recipients, for share and observed disagreements (`sdk:umeng`).
    pub parties: Vec<String>,
    pub message_en: String,
    pub message_zh: String,
    /// Clause and quote of the policy statement involved, if any.
    pub clause: Option<String>,
    pub quote: Option<String>,
    /// Line of the Data safety CSV involved, if any.
    pub form_line: Option<u64>,
}

/// One observed transmission of a data type to a party, as the audit found it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObservedFlow {
    /// Ontology id (`device.identifier.oaid`).
    pub data_type: String,
    /// `first-party`, `sdk:<id>`, `third-party:<domain>` or `unknown:<ip>`.
    pub party: String,
    /// Sent without encryption (plain HTTP or another cleartext protocol).
    pub cleartext: bool,
}

impl ObservedFlow {
    pub fn new(data_type: impl Into<String>, party: impl Into<String>) -> Self {
        ObservedFlow {
            data_type: data_type.into(),
            party: party.into(),
            cleartext: false,
        }
    }

    pub fn cleartext(mut self, cleartext: bool) -> Self {
        self.cleartext = cleartext;
        self
    }
}

/// A policy statement that puts a data type off the device.
struct Declared<'a> {
    data_type: &'a str,
    clause: Option<&'a str>,
    quote: Option<&'a str>,
    /// From a `share` entry rather than a `collect` one.
    shared: bool,
}

/// `a` and `b` name overlapping data: one is within the other.
fn overlaps(ontology: &Ontology, a: &str, b: &str) -> bool {
    ontology.is_within(a, b) || ontology.is_within(b, a)
}

fn categories_en(types: &[&PlayType]) -> String {
    types
        .iter()
        .map(|t| format!("\"{}\"", t.category))
        .collect::<Vec<_>>()
        .join(" / ")
}

fn categories_zh(types: &[&PlayType]) -> String {
    types
        .iter()
        .map(|t| format!("“{}”", t.name_zh))
        .collect::<Vec<_>>()
        .join("／")
}

fn ids(types: &[&PlayType]) -> Vec<String> {
    types.iter().map(|t| t.id.clone()).collect()
}

/// Every disagreement between the form and the declaration.
pub fn contradictions(
    ds: &DataSafety,
    decl: &Declaration,
    ontology: &Ontology,
) -> Vec<Contradiction> {
    let table = &ds.table;
    let mut out = Vec::new();

    // Collection as the policy states it. Shared data counts too: under Play's
    // definitions data must leave the device (be collected) before it can be shared.
    let mut declared: Vec<Declared> = Vec::new();
    for c in &decl.collect {
        for d in &c.data {
            declared.push(Declared {
                data_type: d,
                clause: c.clause.as_deref(),
                quote: c.quote.as_deref(),
                shared: false,
            });
        }
    }
    for s in decl.share.iter().filter(|s| s.party != "first-party") {
        for d in &s.data {
            declared.push(Declared {
                data_type: d,
                clause: s.clause.as_deref(),
                quote: s.quote.as_deref(),
                shared: true,
            });
        }
    }

    encryption(ds, decl, &mut out);

    // Statements the form can be held against: data types it asks about.
    let checkable: Vec<(&Declared, Vec<&PlayType>)> = {
        let mut seen = BTreeSet::new();
        declared
            .iter()
            .filter(|d| seen.insert(d.data_type))
            .map(|d| (d, table.covering(ontology, d.data_type)))
            .filter(|(_, cov)| !cov.is_empty())
            .collect()
    };

    if ds.collects_any == Some(false) && !checkable.is_empty() {
        // One finding says it all; a per-type list would repeat it for every row.
        let names_en: Vec<&str> = checkable
            .iter()
            .map(|(d, _)| ontology.name_en(d.data_type))
            .collect();
        let names_zh: Vec<&str> = checkable
            .iter()
            .map(|(d, _)| ontology.name_zh(d.data_type))
            .collect();
        let first = checkable[0].0;
        out.push(Contradiction {
            kind: ContradictionKind::FormCollectsNothing,
            data_type: None,
            play_ids: Vec::new(),
            parties: Vec::new(),
            message_en: format!(
                "The Data safety form answers that the app collects or shares none of the required user data types, but the policy says it collects {}.",
                names_en.join(", ")
            ),
            message_zh: format!(
                "数据安全表单称应用不收集也不共享任何需申报的用户数据，但隐私政策称收集{}。",
                names_zh.join("、")
            ),
            clause: first.clause.map(str::to_string),
            quote: first.quote.map(str::to_string),
            form_line: None,
        });
    } else {
        // One contradiction per unticked Play type, naming every declared data type
        // it would cover: the fix is one checkbox, not one per policy term.
        let mut groups: Vec<(Vec<&PlayType>, Vec<&Declared>)> = Vec::new();
        for (d, cov) in &checkable {
            if cov.iter().any(|t| ds.lists(&t.id)) {
                continue;
            }
            match groups.iter_mut().find(|(c, _)| ids(c) == ids(cov)) {
                Some((_, list)) => list.push(*d),
                None => groups.push((cov.clone(), vec![*d])),
            }
        }
        for (cov, list) in groups {
            let names_en: Vec<String> = list
                .iter()
                .map(|d| format!("{} ({})", ontology.name_en(d.data_type), d.data_type))
                .collect();
            let names_zh: Vec<String> = list
                .iter()
                .map(|d| format!("{}（{}）", ontology.name_zh(d.data_type), d.data_type))
                .collect();
            let first = list[0];
            let (verb_en, verb_zh) = if list.iter().all(|d| d.shared) {
                ("shares", "向第三方提供")
            } else {
                ("collects", "收集")
            };
            out.push(Contradiction {
                kind: ContradictionKind::PolicyCollectsFormOmits,
                data_type: Some(first.data_type.to_string()),
                play_ids: ids(&cov),
                parties: Vec::new(),
                message_en: format!(
                    "The policy says the app {verb_en} {}, but the Data safety form does not list {} as collected or shared.",
                    names_en.join(", "),
                    categories_en(&cov)
                ),
                message_zh: format!(
                    "隐私政策称{verb_zh}{}，但数据安全表单未将{}列为收集或共享的数据。",
                    names_zh.join("、"),
                    categories_zh(&cov)
                ),
                clause: first.clause.map(str::to_string),
                quote: first.quote.map(str::to_string),
                form_line: None,
            });
        }
    }

    form_collects(ds, decl, ontology, &declared, &mut out);
    form_shares(ds, decl, ontology, &declared, &mut out);
    policy_shares(ds, decl, ontology, &mut out);
    out
}

fn encryption(ds: &DataSafety, decl: &Declaration, out: &mut Vec<Contradiction>) {
    let (Some(form), Some(promise)) =
        (ds.encrypted_in_transit, &decl.promises.encrypted_in_transit)
    else {
        return;
    };
    let policy = *promise.value();
    if form == policy {
        return;
    }
    let (en, zh) = if policy {
        (
            "The policy promises that personal information is encrypted in transit, but the Data safety form answers that not all user data is encrypted in transit.",
            "隐私政策承诺个人信息传输加密，但数据安全表单称并非所有用户数据在传输过程中均已加密。",
        )
    } else {
        (
            "The Data safety form says all user data is encrypted in transit, but the policy says it is not.",
            "数据安全表单称所有用户数据在传输过程中均已加密，但隐私政策称并未加密。",
        )
    };
    out.push(Contradiction {
        kind: ContradictionKind::EncryptionInTransit,
        data_type: None,
        play_ids: vec!["PSL_DATA_COLLECTION_ENCRYPTED_IN_TRANSIT".to_string()],
        parties: Vec::new(),
        message_en: en.to_string(),
        message_zh: zh.to_string(),
        clause: promise.clause().map(str::to_string),
        quote: promise.quote().map(str::to_string),
        form_line: None,
    });
}

/// A negative statement of `scope` (`collect` or `share`) that covers `data_type`
/// for every party.
fn denial<'a>(
    decl: &'a Declaration,
    ontology: &Ontology,
    scope: &str,
    data_type: &str,
) -> Option<&'a crate::policy::model::Deny> {
    decl.deny.iter().find(|d| {
        let scope_ok = d.scope.as_deref().is_none_or(|s| s == scope);
        // A denial limited to one party says nothing about the form's answer, which
        // is about all parties at once.
        let party_ok =
            d.party.is_none() || (scope == "collect" && d.party.as_deref() == Some("first-party"));
        scope_ok && party_ok && d.data.iter().any(|x| ontology.is_within(data_type, x))
    })
}

fn form_collects(
    ds: &DataSafety,
    decl: &Declaration,
    ontology: &Ontology,
    declared: &[Declared],
    out: &mut Vec<Contradiction>,
) {
    for e in ds.collected.iter().filter(|e| !e.data_types.is_empty()) {
        let Some(t) = ds.table.get(&e.play_id) else {
            continue;
        };
        let denied = e
            .data_types
            .iter()
            .find_map(|m| denial(decl, ontology, "collect", m));
        let covered = declared.iter().any(|d| {
            e.data_types
                .iter()
                .any(|m| overlaps(ontology, d.data_type, m))
        });
        let names_en: Vec<&str> = e.data_types.iter().map(|m| ontology.name_en(m)).collect();
        let names_zh: Vec<&str> = e.data_types.iter().map(|m| ontology.name_zh(m)).collect();
        let (kind, en, zh, clause, quote) = if let Some(d) = denied {
            (
                ContradictionKind::FormCollectsPolicyDenies,
                format!(
                    "The Data safety form lists \"{}\" ({}) as collected, but the policy says the app does not collect it.",
                    t.category, t.id
                ),
                format!(
                    "数据安全表单将“{}”（{}）列为收集的数据，但隐私政策称不收集该信息。",
                    t.name_zh, t.id
                ),
                d.clause.clone(),
                d.quote.clone(),
            )
        } else if !covered {
            (
                ContradictionKind::FormCollectsPolicyOmits,
                format!(
                    "The Data safety form lists \"{}\" ({}) as collected, but the policy declares no such data ({}).",
                    t.category,
                    t.id,
                    names_en.join(", ")
                ),
                format!(
                    "数据安全表单将“{}”（{}）列为收集的数据，但隐私政策未声明相应的个人信息（{}）。",
                    t.name_zh,
                    t.id,
                    names_zh.join("、")
                ),
                None,
                None,
            )
        } else {
            continue;
        };
        out.push(Contradiction {
            kind,
            data_type: e.data_types.first().cloned(),
            play_ids: vec![t.id.clone()],
            parties: Vec::new(),
            message_en: en,
            message_zh: zh,
            clause,
            quote,
            form_line: Some(e.line),
        });
    }
}

fn form_shares(
    ds: &DataSafety,
    decl: &Declaration,
    ontology: &Ontology,
    declared: &[Declared],
    out: &mut Vec<Contradiction>,
) {
    for e in ds.shared.iter().filter(|e| !e.data_types.is_empty()) {
        let Some(t) = ds.table.get(&e.play_id) else {
            continue;
        };
        let denied = e
            .data_types
            .iter()
            .find_map(|m| denial(decl, ontology, "share", m));
        let collected_per_policy = declared.iter().any(|d| {
            e.data_types
                .iter()
                .any(|m| overlaps(ontology, d.data_type, m))
        });
        let shared_per_policy = decl
            .share
            .iter()
            .filter(|s| s.party != "first-party")
            .any(|s| {
                if s.data.is_empty() {
                    // "We use third-party SDKs" names no data: it can only pass on what
                    // the policy says is collected at all (as in disclosure.rs).
                    collected_per_policy
                } else {
                    s.data
                        .iter()
                        .any(|d| e.data_types.iter().any(|m| overlaps(ontology, d, m)))
                }
            });
        let (kind, en, zh, clause, quote) = if let Some(d) = denied {
            (
                ContradictionKind::FormSharesPolicyDenies,
                format!(
                    "The Data safety form lists \"{}\" ({}) as shared, but the policy says it is not shared.",
                    t.category, t.id
                ),
                format!(
                    "数据安全表单将“{}”（{}）列为共享的数据，但隐私政策称不对外共享该信息。",
                    t.name_zh, t.id
                ),
                d.clause.clone(),
                d.quote.clone(),
            )
        } else if !shared_per_policy {
            (
                ContradictionKind::FormSharesPolicyOmits,
                format!(
                    "The Data safety form lists \"{}\" ({}) as shared with third parties, but the policy names no recipient of it.",
                    t.category, t.id
                ),
                format!(
                    "数据安全表单将“{}”（{}）列为与第三方共享的数据，但隐私政策未说明任何接收方。",
                    t.name_zh, t.id
                ),
                None,
                None,
            )
        } else {
            continue;
        };
        out.push(Contradiction {
            kind,
            data_type: e.data_types.first().cloned(),
            play_ids: vec![t.id.clone()],
            parties: Vec::new(),
            message_en: en,
            message_zh: zh,
            clause,
            quote,
            form_line: Some(e.line),
        });
    }
}

fn policy_shares(
    ds: &DataSafety,
    decl: &Declaration,
    ontology: &Ontology,
    out: &mut Vec<Contradiction>,
) {
    let mut seen = BTreeSet::new();
    for s in decl.share.iter().filter(|s| s.party != "first-party") {
        for d in &s.data {
            let cov = ds.table.covering(ontology, d);
            // Only a type the form lists as collected: one it omits altogether is
            // already reported as `PolicyCollectsFormOmits`.
            if cov.is_empty()
                || !cov.iter().any(|t| ds.is_collected(&t.id))
                || cov.iter().any(|t| ds.is_shared(&t.id))
                || !seen.insert((d.clone(), s.party.clone()))
            {
                continue;
            }
            let who = s.name.clone().unwrap_or_else(|| s.party.clone());
            out.push(Contradiction {
                kind: ContradictionKind::PolicySharesFormOmits,
                data_type: Some(d.clone()),
                play_ids: ids(&cov),
                parties: vec![s.party.clone()],
                message_en: format!(
                    "The policy says {} ({d}) is shared with {who}, but the Data safety form lists {} as collected and not shared (only a service provider acting on the developer's behalf is exempt from \"sharing\").",
                    ontology.name_en(d),
                    categories_en(&cov)
                ),
                message_zh: format!(
                    "隐私政策称向{who}提供{}（{d}），但数据安全表单将{}列为仅收集、不共享（仅代表开发者处理数据的服务提供方可不计为“共享”）。",
                    ontology.name_zh(d),
                    categories_zh(&cov)
                ),
                clause: s.clause.clone(),
                quote: s.quote.clone(),
                form_line: None,
            });
        }
    }
}

/// Disagreements between the form and observed traffic: data types seen leaving the
/// device that the form does not list, types seen going to SDKs or third parties that
/// the form does not list as shared, and cleartext transmissions when the form says
/// all user data is encrypted in transit. One contradiction per data type, naming every
/// party it went to.
pub fn observed_contradictions<I>(
    ds: &DataSafety,
    ontology: &Ontology,
    flows: I,
) -> Vec<Contradiction>
where
    I: IntoIterator<Item = ObservedFlow>,
{
    #[derive(Default)]
    struct Seen {
        parties: BTreeSet<String>,
        third: BTreeSet<String>,
        cleartext: BTreeSet<String>,
    }
    let mut by_type: BTreeMap<String, Seen> = BTreeMap::new();
    for f in flows {
        let seen = by_type.entry(f.data_type.clone()).or_default();
        // Unattributed destinations (`unknown:<ip>`) may be the app's own servers, so
        // they count as collection but not as sharing.
        if matches!(
            Party::parse(&f.party),
            Some(Party::Sdk(_) | Party::ThirdParty(_))
        ) {
            seen.third.insert(f.party.clone());
        }
        if f.cleartext {
            seen.cleartext.insert(f.party.clone());
        }
        seen.parties.insert(f.party);
    }
    let mut out = Vec::new();
    for (data_type, seen) in &by_type {
        let cov = ds.table.covering(ontology, data_type);
        if cov.is_empty() {
            // Not a type the form asks about (device model, IP address).
            continue;
        }
        let name_en = ontology.name_en(data_type);
        let name_zh = ontology.name_zh(data_type);
        let listed = cov.iter().any(|t| ds.lists(&t.id));
        let line = cov
            .iter()
            .find_map(|t| ds.collected.iter().find(|e| e.play_id == t.id))
            .map(|e| e.line);
        if !listed {
            let parties: Vec<String> = seen.parties.iter().cloned().collect();
            out.push(Contradiction {
                kind: ContradictionKind::ObservedNotCollected,
                data_type: Some(data_type.clone()),
                play_ids: ids(&cov),
                parties: parties.clone(),
                message_en: format!(
                    "{name_en} ({data_type}) was seen leaving the device (to {}), but the Data safety form does not list {} as collected; data sent by SDKs in the app counts as the app's collection.",
                    parties.join(", "),
                    categories_en(&cov)
                ),
                message_zh: format!(
                    "观察到{name_zh}（{data_type}）被发送出设备（接收方：{}），但数据安全表单未将{}列为收集的数据；应用内 SDK 发送的数据同样计为应用收集。",
                    parties.join("、"),
                    categories_zh(&cov)
                ),
                clause: None,
                quote: None,
                form_line: None,
            });
        } else if !seen.third.is_empty() && !cov.iter().any(|t| ds.is_shared(&t.id)) {
            let parties: Vec<String> = seen.third.iter().cloned().collect();
            out.push(Contradiction {
                kind: ContradictionKind::ObservedNotShared,
                data_type: Some(data_type.clone()),
                play_ids: ids(&cov),
                parties: parties.clone(),
                message_en: format!(
                    "{name_en} ({data_type}) was seen going to {}, but the Data safety form does not list {} as shared (only a service provider acting on the developer's behalf is exempt).",
                    parties.join(", "),
                    categories_en(&cov)
                ),
                message_zh: format!(
                    "观察到{name_zh}（{data_type}）被发送至{}，但数据安全表单未将{}列为共享的数据（仅代表开发者处理数据的服务提供方可不计为共享）。",
                    parties.join("、"),
                    categories_zh(&cov)
                ),
                clause: None,
                quote: None,
                form_line: line,
            });
        }
        if ds.encrypted_in_transit == Some(true) && !seen.cleartext.is_empty() {
            let parties: Vec<String> = seen.cleartext.iter().cloned().collect();
            out.push(Contradiction {
                kind: ContradictionKind::ObservedCleartext,
                data_type: Some(data_type.clone()),
                play_ids: vec!["PSL_DATA_COLLECTION_ENCRYPTED_IN_TRANSIT".to_string()],
                parties: parties.clone(),
                message_en: format!(
                    "{name_en} ({data_type}) was sent unencrypted (to {}), but the Data safety form says all user data is encrypted in transit.",
                    parties.join(", ")
                ),
                message_zh: format!(
                    "{name_zh}（{data_type}）以明文发送（接收方：{}），但数据安全表单称所有用户数据在传输过程中均已加密。",
                    parties.join("、")
                ),
                clause: None,
                quote: None,
                form_line: None,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::datasafety::parse;
    use crate::policy::model::{Collect, Deny, Promise, Share};

    const HEADER: &str = "Question ID (machine readable),Response ID (machine readable),Response value,Answer requirement,Human-friendly question label\n";

    /// A form from (play id, collected, shared) triples.
    fn form(types: &[(&str, bool, bool)], extra: &str) -> DataSafety {
        let o = Ontology::builtin();
        let table = super::super::PlayTable::builtin(&o).expect("table");
        let mut csv = String::from(HEADER);
        csv.push_str(extra);
        for (id, collected, shared) in types {
            let q = table
                .get(id)
                .map(|t| t.question.clone())
                .unwrap_or_default();
            csv.push_str(&format!("{q},{id},TRUE,MULTIPLE_CHOICE,x\n"));
            let usage =
                format!("PSL_DATA_USAGE_RESPONSES:{id}:PSL_DATA_USAGE_COLLECTION_AND_SHARING");
            if *collected {
                csv.push_str(&format!(
                    "{usage},PSL_DATA_USAGE_ONLY_COLLECTED,TRUE,MULTIPLE_CHOICE,x\n"
                ));
            }
            if *shared {
                csv.push_str(&format!(
                    "{usage},PSL_DATA_USAGE_ONLY_SHARED,TRUE,MULTIPLE_CHOICE,x\n"
                ));
            }
        }
        parse(csv.as_bytes(), "form.csv").expect("form parses")
    }

    fn collect(clause: &str, data: &[&str]) -> Collect {
        Collect {
            clause: Some(clause.into()),
            data: data.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        }
    }

    fn kinds(c: &[Contradiction]) -> Vec<(ContradictionKind, Option<String>)> {
        c.iter().map(|c| (c.kind, c.data_type.clone())).collect()
    }

    #[test]
    fn collection_both_ways() {
        let o = Ontology::builtin();
        let decl = Declaration {
            collect: vec![collect(
                "1.1",
                &[
                    "contact.phone_number",
                    "location.precise",
                    "device.hardware.model",
                ],
            )],
            ..Default::default()
        };
        let ds = form(
            &[("PSL_PHONE", true, false), ("PSL_EMAIL", true, false)],
            "",
        );
        let c = contradictions(&ds, &decl, &o);
        assert_eq!(
            kinds(&c),
            vec![
                (
                    ContradictionKind::PolicyCollectsFormOmits,
                    Some("location.precise".into())
                ),
                (
                    ContradictionKind::FormCollectsPolicyOmits,
                    Some("contact.email".into())
                ),
            ],
            "{c:#?}"
        );
        assert_eq!(c[0].clause.as_deref(), Some("1.1"));
        assert_eq!(c[0].play_ids, vec!["PSL_PRECISE_LOCATION"]);
        assert!(c[0].message_zh.contains("精确位置"), "{}", c[0].message_zh);
        assert_eq!(c[1].form_line, Some(4));
    }

    #[test]
    fn broad_and_vague_terms() {
        let o = Ontology::builtin();
        // "Location information" covers either Play location type; "device
        // information" is too vague to hold against the form.
        let decl = Declaration {
            collect: vec![collect("2", &["location", "device"])],
            ..Default::default()
        };
        let ds = form(&[("PSL_APPROX_LOCATION", true, false)], "");
        assert!(contradictions(&ds, &decl, &o).is_empty());
        let ds = form(&[], "");
        assert_eq!(
            kinds(&contradictions(&ds, &decl, &o)),
            vec![(
                ContradictionKind::PolicyCollectsFormOmits,
                Some("location".into())
            )]
        );
        // A policy naming one device id covers the form's "Device or other IDs".
        let decl = Declaration {
            collect: vec![collect("3", &["device.identifier.android_id"])],
            ..Default::default()
        };
        let ds = form(&[("PSL_DEVICE_ID", true, false)], "");
        assert!(contradictions(&ds, &decl, &o).is_empty());
    }

    #[test]
    fn shared_only_in_the_policy_still_needs_the_form() {
        // Under Play's definitions shared data was collected first.
        let o = Ontology::builtin();
        let decl = Declaration {
            share: vec![Share {
                party: "sdk:amap".into(),
                data: vec!["location.precise".into()],
                clause: Some("6.3".into()),
                ..Default::default()
            }],
            ..Default::default()
        };
        let c = contradictions(&form(&[], ""), &decl, &o);
        assert_eq!(
            kinds(&c),
            vec![(
                ContradictionKind::PolicyCollectsFormOmits,
                Some("location.precise".into())
            )]
        );
        assert!(
            c[0].message_en.contains("the app shares"),
            "{}",
            c[0].message_en
        );
        assert!(
            c[0].message_zh.contains("向第三方提供"),
            "{}",
            c[0].message_zh
        );
        assert_eq!(c[0].clause.as_deref(), Some("6.3"));
    }

    #[test]
    fn denials_sharing_and_nothing_collected() {
        let o = Ontology::builtin();
        let decl = Declaration {
            collect: vec![collect("1", &["device.identifier", "contact.phone_number"])],
            share: vec![Share {
                party: "sdk:umeng".into(),
                name: Some("Umeng".into()),
                data: vec!["device.identifier.oaid".into()],
                clause: Some("6.2".into()),
                ..Default::default()
            }],
            deny: vec![
                Deny {
                    data: vec!["app.installed_list".into()],
                    scope: Some("collect".into()),
                    clause: Some("1.9".into()),
                    ..Default::default()
                },
                Deny {
                    data: vec!["contact".into()],
                    scope: Some("share".into()),
                    clause: Some("6.9".into()),
                    ..Default::default()
                },
            ],
            ..Default::default()
        };
        let ds = form(
            &[
                ("PSL_DEVICE_ID", true, false),
                ("PSL_PHONE", true, true),
                ("PSL_APPS_ON_DEVICE", true, false),
            ],
            "",
        );
        let c = contradictions(&ds, &decl, &o);
        let k = kinds(&c);
        assert!(
            k.contains(&(
                ContradictionKind::FormCollectsPolicyDenies,
                Some("app.installed_list".into())
            )),
            "{c:#?}"
        );
        assert!(
            k.contains(&(
                ContradictionKind::FormSharesPolicyDenies,
                Some("contact.phone_number".into())
            )),
            "{c:#?}"
        );
        let s = c
            .iter()
            .find(|c| c.kind == ContradictionKind::PolicySharesFormOmits)
            .expect("share");
        assert_eq!(s.parties, vec!["sdk:umeng"]);
        assert_eq!(s.clause.as_deref(), Some("6.2"));
        assert!(s.message_en.contains("Umeng") && s.message_en.contains("service provider"));
        assert_eq!(c.len(), 3, "{c:#?}");

        let nothing = form(
            &[],
            "PSL_DATA_COLLECTION_COLLECTS_PERSONAL_DATA,,FALSE,REQUIRED,x\n",
        );
        let c = contradictions(&nothing, &decl, &o);
        assert_eq!(
            kinds(&c),
            vec![(ContradictionKind::FormCollectsNothing, None)],
            "{c:#?}"
        );
    }

    #[test]
    fn form_shares_without_a_recipient() {
        let o = Ontology::builtin();
        let decl = Declaration {
            collect: vec![collect("1", &["contact.email"])],
            ..Default::default()
        };
        let ds = form(&[("PSL_EMAIL", true, true)], "");
        assert_eq!(
            kinds(&contradictions(&ds, &decl, &o)),
            vec![(
                ContradictionKind::FormSharesPolicyOmits,
                Some("contact.email".into())
            )]
        );
        // "We use third-party SDKs" covers what the policy collects, vaguely.
        let mut vague = decl.clone();
        vague.share.push(Share {
            party: "sdk".into(),
            ..Default::default()
        });
        assert!(contradictions(&ds, &vague, &o).is_empty());
    }

    #[test]
    fn encryption_promise() {
        let o = Ontology::builtin();
        let mut decl = Declaration::default();
        decl.promises.encrypted_in_transit = Some(Promise::Cited {
            value: true,
            clause: Some("5.1".into()),
            quote: Some("我们采用加密传输".into()),
        });
        let ds = form(
            &[],
            "PSL_DATA_COLLECTION_ENCRYPTED_IN_TRANSIT,,FALSE,MAYBE_REQUIRED,x\n",
        );
        let c = contradictions(&ds, &decl, &o);
        assert_eq!(
            kinds(&c),
            vec![(ContradictionKind::EncryptionInTransit, None)]
        );
        assert_eq!(c[0].clause.as_deref(), Some("5.1"));
        let ds = form(
            &[],
            "PSL_DATA_COLLECTION_ENCRYPTED_IN_TRANSIT,,TRUE,MAYBE_REQUIRED,x\n",
        );
        assert!(contradictions(&ds, &decl, &o).is_empty());
    }

    #[test]
    fn observed_traffic() {
        let o = Ontology::builtin();
        let ds = form(
            &[
                ("PSL_DEVICE_ID", true, false),
                ("PSL_APPROX_LOCATION", true, true),
            ],
            "PSL_DATA_COLLECTION_ENCRYPTED_IN_TRANSIT,,TRUE,MAYBE_REQUIRED,x\n",
        );
        let flows = vec![
            ObservedFlow::new("device.identifier.oaid", "sdk:umeng"),
            ObservedFlow::new("device.identifier.oaid", "first-party"),
            ObservedFlow::new("contact.phone_number", "first-party"),
            ObservedFlow::new("contact.phone_number", "unknown:203.0.113.9"),
            ObservedFlow::new("location.coarse", "third-party:maps.example.com").cleartext(true),
            ObservedFlow::new("device.hardware.model", "sdk:umeng").cleartext(true),
            ObservedFlow::new("device.identifier.android_id", "unknown:198.51.100.1"),
        ];
        let c = observed_contradictions(&ds, &o, flows);
        assert_eq!(
            kinds(&c),
            vec![
                (
                    ContradictionKind::ObservedNotCollected,
                    Some("contact.phone_number".into())
                ),
                (
                    ContradictionKind::ObservedNotShared,
                    Some("device.identifier.oaid".into())
                ),
                (
                    ContradictionKind::ObservedCleartext,
                    Some("location.coarse".into())
                ),
            ],
            "{c:#?}"
        );
        assert_eq!(c[0].parties, vec!["first-party", "unknown:203.0.113.9"]);
        assert_eq!(c[1].parties, vec!["sdk:umeng"]);
        assert_eq!(c[1].form_line, Some(3));
    }
}
