//! Consistency of a declaration with the signatures: a misspelt data-type id or party
//! would otherwise never match anything and silently turn into "undeclared" findings.

use super::model::Declaration;
use crate::sdk::signatures::SdkDb;
use crate::signatures::Ontology;

/// One problem in a declaration, with where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// `collect[2]`, `share[0]`, `deny[1]`, `promises.storage_region`.
    pub at: String,
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.at, self.message)
    }
}

fn party_problem(party: &str, sdks: &SdkDb) -> Option<String> {
    match party {
        "sdk" | "third-party" | "first-party" => None,
        p if p.starts_with("sdk:") => {
            let id = &p[4..];
            sdks.get(id).is_none().then(|| {
                format!("party `{p}`: no SDK with id `{id}` in the signatures (see `privaudit signatures check`)")
            })
        }
        p if p.starts_with("third-party:") => {
            let domain = &p["third-party:".len()..];
            (domain.is_empty() || !domain.contains('.') || domain.contains(['/', ' ']))
                .then(|| format!("party `{p}`: expected a domain after `third-party:`"))
        }
        p => Some(format!(
            "party `{p}`: expected `sdk:<id>`, `third-party:<domain>`, `sdk` or `third-party`"
        )),
    }
}

/// Everything in `decl` that the ontology or the SDK signatures do not know.
pub fn problems(decl: &Declaration, ontology: &Ontology, sdks: &SdkDb) -> Vec<Problem> {
    let mut out = Vec::new();
    let data = |at: String, ids: &[String], out: &mut Vec<Problem>| {
        for id in ids {
            if !ontology.contains(id) {
                out.push(Problem {
                    at: at.clone(),
                    message: format!(
                        "unknown data type `{id}` (ids are in signatures/datatypes.toml)"
                    ),
                });
            }
        }
    };
    for (i, c) in decl.collect.iter().enumerate() {
        data(format!("collect[{i}]"), &c.data, &mut out);
    }
    for (i, s) in decl.share.iter().enumerate() {
        data(format!("share[{i}]"), &s.data, &mut out);
        if let Some(message) = party_problem(&s.party, sdks) {
            out.push(Problem {
                at: format!("share[{i}]"),
                message,
            });
        }
    }
    for (i, d) in decl.deny.iter().enumerate() {
        data(format!("deny[{i}]"), &d.data, &mut out);
        if let Some(message) = d.party.as_deref().and_then(|p| party_problem(p, sdks)) {
            out.push(Problem {
                at: format!("deny[{i}]"),
                message,
            });
        }
        if let Some(scope) = d.scope.as_deref()
            && scope != "collect"
            && scope != "share"
        {
            out.push(Problem {
                at: format!("deny[{i}]"),
                message: format!("scope `{scope}`: expected `collect` or `share`"),
            });
        }
    }
    out
}
