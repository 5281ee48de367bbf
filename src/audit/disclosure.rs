//! PoliCheck's five disclosure classes for one flow (data type → party), decided from
//! the declaration: clear, vague (only broader terms cover it), omitted (nothing
//! does), incorrect (a negative statement denies it), ambiguous (statements disagree).

use serde::Serialize;

use crate::policy::model::Declaration;
use crate::sdk::Party;
use crate::signatures::Ontology;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Class {
    Clear,
    Vague,
    Omitted,
    Incorrect,
    Ambiguous,
}

impl Class {
    pub fn as_str(self) -> &'static str {
        match self {
            Class::Clear => "clear",
            Class::Vague => "vague",
            Class::Omitted => "omitted",
            Class::Incorrect => "incorrect",
            Class::Ambiguous => "ambiguous",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            Class::Clear => "明确",
            Class::Vague => "模糊",
            Class::Omitted => "遗漏",
            Class::Incorrect => "错误",
            Class::Ambiguous => "矛盾",
        }
    }
}

/// The policy statement a decision rests on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Citation {
    pub clause: Option<String>,
    pub quote: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Decision {
    pub class: Class,
    /// The statement that covers the flow (the most specific one), if any.
    pub citation: Option<Citation>,
    /// The negative statement, for incorrect and ambiguous flows.
    pub denial: Option<Citation>,
    /// True when the policy names this party itself (not just "third parties").
    pub party_named: bool,
    /// For a named party: whether its statement lists data types at all.
    pub party_data_listed: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Fit {
    Vague,
    Exact,
}

/// How well a statement's data list covers `data_type`.
fn data_fit(ontology: &Ontology, listed: &[String], data_type: &str) -> Option<Fit> {
    if listed.is_empty() {
        // "your personal information" without detail.
        return Some(Fit::Vague);
    }
    let mut best = None;
    for d in listed {
        if d == data_type {
            return Some(Fit::Exact);
        }
        if ontology.is_within(data_type, d) {
            best = Some(Fit::Vague);
        }
    }
    best
}

/// How well a share statement's party covers `party`.
fn party_fit(statement: &str, party: &Party) -> Option<Fit> {
    let s = statement.trim().to_ascii_lowercase();
    match party {
        Party::FirstParty => None,
        Party::Sdk(id) => {
            if s == format!("sdk:{id}") {
                Some(Fit::Exact)
            } else if matches!(
                s.as_str(),
                "sdk" | "sdks" | "third-party" | "third-parties" | "third party"
            ) {
                Some(Fit::Vague)
            } else {
                None
            }
        }
        Party::ThirdParty(domain) | Party::Unknown(domain) => {
            if s == format!("third-party:{domain}") || s == *domain {
                Some(Fit::Exact)
            } else if matches!(s.as_str(), "third-party" | "third-parties" | "third party") {
                Some(Fit::Vague)
            } else {
                None
            }
        }
    }
}

fn cite(clause: &Option<String>, quote: &Option<String>) -> Citation {
    Citation {
        clause: clause.clone(),
        quote: quote.clone(),
    }
}

/// Classifies the flow of `data_type` to `party` under `decl`.
pub fn classify(
    decl: &Declaration,
    ontology: &Ontology,
    data_type: &str,
    party: &Party,
) -> Decision {
    // (fit of data, fit of party, citation) for every statement that covers the flow.
    let mut positives: Vec<(Fit, Fit, Citation)> = Vec::new();
    let mut party_named = false;
    let mut party_data_listed = false;
    match party {
        Party::FirstParty => {
            for c in &decl.collect {
                if let Some(f) = data_fit(ontology, &c.data, data_type) {
                    positives.push((f, Fit::Exact, cite(&c.clause, &c.quote)));
                }
            }
        }
        other => {
            for s in &decl.share {
                let Some(pf) = party_fit(&s.party, other) else {
                    continue;
                };
                if pf == Fit::Exact {
                    party_named = true;
                    party_data_listed |= !s.data.is_empty();
                }
                // A sharing statement that names no data types ("we use third-party
                // SDKs") can only pass on what the policy says is collected at all.
                let fit = if s.data.is_empty() {
                    decl.collect
                        .iter()
                        .filter_map(|c| data_fit(ontology, &c.data, data_type))
                        .max()
                        .map(|_| Fit::Vague)
                } else {
                    data_fit(ontology, &s.data, data_type)
                };
                if let Some(df) = fit {
                    positives.push((df, pf, cite(&s.clause, &s.quote)));
                }
            }
        }
    }
    let mut denial = None;
    for d in &decl.deny {
        let scope_ok = match d.scope.as_deref() {
            Some("collect") => *party == Party::FirstParty,
            Some("share") => *party != Party::FirstParty,
            _ => true,
        };
        let party_ok = match &d.party {
            Some(p) => {
                party_fit(p, party) == Some(Fit::Exact)
                    || (p == "first-party" && *party == Party::FirstParty)
            }
            None => true,
        };
        if scope_ok
            && party_ok
            && !d.data.is_empty()
            && data_fit(ontology, &d.data, data_type).is_some()
        {
            denial = Some(cite(&d.clause, &d.quote));
            break;
        }
    }
    positives.sort_by_key(|p| std::cmp::Reverse((p.0, p.1)));
    let best = positives.first();
    let class = match (best, &denial) {
        (Some(_), Some(_)) => Class::Ambiguous,
        (None, Some(_)) => Class::Incorrect,
        (Some((Fit::Exact, Fit::Exact, _)), None) => Class::Clear,
        (Some(_), None) => Class::Vague,
        (None, None) => Class::Omitted,
    };
    Decision {
        class,
        citation: best.map(|(_, _, c)| c.clone()),
        denial,
        party_named,
        party_data_listed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::model::{Collect, Deny, Share};

    fn decl() -> Declaration {
        Declaration {
            collect: vec![Collect {
                clause: Some("1.3".into()),
                data: vec!["device.identifier".into(), "device.hardware.model".into()],
                ..Default::default()
            }],
            share: vec![
                Share {
                    party: "sdk".into(),
                    clause: Some("6.1.2".into()),
                    ..Default::default()
                },
                Share {
                    party: "sdk:amap".into(),
                    data: vec!["location.precise".into()],
                    ..Default::default()
                },
            ],
            deny: vec![Deny {
                data: vec!["app.installed_list".into()],
                scope: Some("collect".into()),
                ..Default::default()
            }],
            ..Default::default()
        }
    }

    #[test]
    fn five_classes() {
        let o = Ontology::builtin();
        let d = decl();
        let fp = Party::FirstParty;
        assert_eq!(
            classify(&d, &o, "device.hardware.model", &fp).class,
            Class::Clear
        );
        assert_eq!(
            classify(&d, &o, "device.identifier.imei", &fp).class,
            Class::Vague
        );
        assert_eq!(
            classify(&d, &o, "location.precise", &fp).class,
            Class::Omitted
        );
        assert_eq!(
            classify(&d, &o, "app.installed_list", &fp).class,
            Class::Incorrect
        );
        let umeng = Party::Sdk("umeng".into());
        let r = classify(&d, &o, "device.identifier.imei", &umeng);
        assert_eq!(r.class, Class::Vague);
        assert!(!r.party_named);
        // The generic SDK statement names no data, and nothing declares location.
        assert_eq!(
            classify(&d, &o, "location.precise", &umeng).class,
            Class::Omitted
        );
        let amap = Party::Sdk("amap".into());
        assert_eq!(
            classify(&d, &o, "location.precise", &amap).class,
            Class::Clear
        );
        let r = classify(&d, &o, "device.identifier.imei", &amap);
        assert!(r.party_named && r.party_data_listed);
        assert_eq!(
            classify(
                &d,
                &o,
                "device.identifier.imei",
                &Party::ThirdParty("x.com".into())
            )
            .class,
            Class::Omitted
        );
    }
}
