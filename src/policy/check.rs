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
    /// The unknown id or party as written, to find its line.
    pub value: Option<String>,
}

impl Problem {
    /// The 1-based line of the declaration text the problem is on.
    pub fn line(&self, text: &str) -> Option<usize> {
        let (table, index) = self.at.split_once('[')?;
        let index: usize = index.trim_end_matches(']').parse().ok()?;
        let start = crate::suggest::table_line(text, table, index)?;
        match &self.value {
            Some(v) => crate::suggest::line_of(text, &format!("\"{v}\""), start).or(Some(start)),
            None => Some(start),
        }
    }
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
                let ids: Vec<String> = sdks.ids().map(|i| format!("sdk:{i}")).collect();
                format!(
                    "party `{p}`: no SDK with id `{id}` in the signatures{}",
                    crate::suggest::hint(p, &ids)
                )
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
    let known: Vec<&str> = ontology.ids().collect();
    let data = |at: String, ids: &[String], out: &mut Vec<Problem>| {
        for id in ids {
            if !ontology.contains(id) {
                out.push(Problem {
                    at: at.clone(),
                    message: format!(
                        "unknown data type `{id}`{} (ids are in signatures/datatypes.toml)",
                        crate::suggest::hint(id, known.iter().copied())
                    ),
                    value: Some(id.clone()),
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
                value: Some(s.party.clone()),
            });
        }
    }
    for (i, d) in decl.deny.iter().enumerate() {
        data(format!("deny[{i}]"), &d.data, &mut out);
        if let Some(message) = d.party.as_deref().and_then(|p| party_problem(p, sdks)) {
            out.push(Problem {
                at: format!("deny[{i}]"),
                message,
                value: d.party.clone(),
            });
        }
        if let Some(scope) = d.scope.as_deref()
            && scope != "collect"
            && scope != "share"
        {
            out.push(Problem {
                at: format!("deny[{i}]"),
                message: format!(
                    "scope `{scope}`: expected `collect` or `share`{}",
                    crate::suggest::hint(scope, ["collect", "share"])
                ),
                value: Some(scope.to_string()),
            });
        }
    }
    out
}
