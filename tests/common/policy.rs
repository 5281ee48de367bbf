//! Shared test helpers: the lexicon from the main crate's signature files and a
//! per-field comparison of declarations that prints a readable diff.

use std::path::{Path, PathBuf};

use privaudit::policy::extract::Lexicon;
use privaudit::policy::model::Declaration;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The crate's checkout (signatures, policies, fixtures).
pub fn main_crate() -> PathBuf {
    root()
}

pub fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

pub fn lexicon() -> Lexicon {
    let sig = main_crate().join("signatures");
    let datatypes = read(&sig.join("datatypes.toml"));
    let mut files: Vec<PathBuf> = std::fs::read_dir(sig.join("sdks"))
        .unwrap_or_else(|e| panic!("sdks dir: {e}"))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    let sdks: Vec<(String, String)> = files
        .iter()
        .map(|p| {
            (
                p.file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                read(p),
            )
        })
        .collect();
    Lexicon::from_files(&datatypes, &sdks).unwrap_or_else(|e| panic!("lexicon: {e}"))
}

pub fn load_declaration(path: &Path) -> Declaration {
    Declaration::parse(&read(path), &path.display().to_string()).unwrap_or_else(|e| panic!("{e}"))
}

/// Whitespace-normalised quote for comparison.
fn norm(q: Option<&str>) -> String {
    q.unwrap_or("")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn set(v: &[String]) -> std::collections::BTreeSet<String> {
    v.iter().cloned().collect()
}

fn clause(c: &Option<String>) -> String {
    c.clone().unwrap_or_else(|| "-".to_string())
}

/// Field-by-field differences of `actual` against `expected`, one readable line each.
/// Fields that `expected` leaves empty (app.name_zh, purposes, names) are not compared;
/// data lists are compared as sets.
pub fn diff(expected: &Declaration, actual: &Declaration) -> Vec<String> {
    use std::collections::{BTreeMap, BTreeSet};
    let mut out = Vec::new();

    let e = &expected.app;
    let a = &actual.app;
    if !e.name.is_empty() && e.name != a.name {
        out.push(format!("app.name: expected {:?}, got {:?}", e.name, a.name));
    }
    if e.name_zh.is_some() && e.name_zh != a.name_zh {
        out.push(format!(
            "app.name_zh: expected {:?}, got {:?}",
            e.name_zh, a.name_zh
        ));
    }
    if e.policy_date.is_some() && e.policy_date != a.policy_date {
        out.push(format!(
            "app.policy_date: expected {:?}, got {:?}",
            e.policy_date, a.policy_date
        ));
    }
    if !e.first_party.is_empty() && e.first_party != a.first_party {
        out.push(format!(
            "app.first_party: expected {:?}, got {:?}",
            e.first_party, a.first_party
        ));
    }

    // collect: per clause as sets, then per entry by quote.
    let by_clause = |d: &Declaration| {
        let mut m: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for c in &d.collect {
            m.entry(clause(&c.clause))
                .or_default()
                .extend(c.data.iter().cloned());
        }
        m
    };
    let (ec, ac) = (by_clause(expected), by_clause(actual));
    for k in ec.keys().chain(ac.keys()).collect::<BTreeSet<_>>() {
        let empty = BTreeSet::new();
        let (es, as_) = (ec.get(k).unwrap_or(&empty), ac.get(k).unwrap_or(&empty));
        for id in es.difference(as_) {
            out.push(format!("collect {k}: missing {id}"));
        }
        for id in as_.difference(es) {
            out.push(format!("collect {k}: unexpected {id}"));
        }
    }
    for ex in &expected.collect {
        let found = actual.collect.iter().find(|c| {
            c.clause == ex.clause && norm(c.quote.as_deref()) == norm(ex.quote.as_deref())
        });
        match found {
            None => out.push(format!(
                "collect {}: no entry quotes\n    expected: {:?}\n    got:      {:?}",
                clause(&ex.clause),
                norm(ex.quote.as_deref()),
                actual
                    .collect
                    .iter()
                    .filter(|c| c.clause == ex.clause)
                    .map(|c| norm(c.quote.as_deref()))
                    .collect::<Vec<_>>()
            )),
            Some(c) if set(&c.data) != set(&ex.data) => out.push(format!(
                "collect {} ({:?}): data expected {:?}, got {:?}",
                clause(&ex.clause),
                norm(ex.quote.as_deref()),
                set(&ex.data),
                set(&c.data)
            )),
            Some(_) => {}
        }
    }

    // share: keyed by (party, clause).
    let shares = |d: &Declaration| {
        d.share
            .iter()
            .map(|s| ((s.party.clone(), clause(&s.clause)), s.clone()))
            .collect::<BTreeMap<_, _>>()
    };
    let (es, as_) = (shares(expected), shares(actual));
    for (k, ex) in &es {
        match as_.get(k) {
            None => out.push(format!("share {} @ {}: missing", k.0, k.1)),
            Some(ac) => {
                if set(&ac.data) != set(&ex.data) {
                    out.push(format!(
                        "share {} @ {}: data expected {:?}, got {:?}",
                        k.0,
                        k.1,
                        set(&ex.data),
                        set(&ac.data)
                    ));
                }
                if norm(ac.quote.as_deref()) != norm(ex.quote.as_deref()) {
                    out.push(format!(
                        "share {} @ {}: quote\n    expected: {:?}\n    got:      {:?}",
                        k.0,
                        k.1,
                        norm(ex.quote.as_deref()),
                        norm(ac.quote.as_deref())
                    ));
                }
                if ex.purpose.is_some() && ex.purpose != ac.purpose {
                    out.push(format!(
                        "share {} @ {}: purpose expected {:?}, got {:?}",
                        k.0, k.1, ex.purpose, ac.purpose
                    ));
                }
            }
        }
    }
    for k in as_.keys().filter(|k| !es.contains_key(*k)) {
        out.push(format!("share {} @ {}: unexpected", k.0, k.1));
    }

    // deny: keyed by (scope, party, clause).
    let denies = |d: &Declaration| {
        d.deny
            .iter()
            .map(|x| {
                (
                    (
                        x.scope.clone().unwrap_or_default(),
                        x.party.clone().unwrap_or_default(),
                        clause(&x.clause),
                    ),
                    (set(&x.data), norm(x.quote.as_deref())),
                )
            })
            .collect::<BTreeMap<_, _>>()
    };
    let (ed, ad) = (denies(expected), denies(actual));
    for (k, v) in &ed {
        match ad.get(k) {
            None => out.push(format!("deny {k:?}: missing {:?}", v.0)),
            Some(got) if got != v => out.push(format!("deny {k:?}: expected {v:?}, got {got:?}")),
            Some(_) => {}
        }
    }
    for (k, v) in ad.iter().filter(|(k, _)| !ed.contains_key(*k)) {
        out.push(format!("deny {k:?}: unexpected {v:?}"));
    }

    // promises: value, clause, quote.
    fn promise<T: std::fmt::Debug + PartialEq>(
        out: &mut Vec<String>,
        name: &str,
        e: &Option<privaudit::policy::model::Promise<T>>,
        a: &Option<privaudit::policy::model::Promise<T>>,
    ) {
        match (e, a) {
            (None, None) => {}
            (Some(e), None) => out.push(format!(
                "promises.{name}: missing (expected {:?})",
                e.value()
            )),
            (None, Some(a)) => out.push(format!(
                "promises.{name}: unexpected {:?} (clause {:?})",
                a.value(),
                a.clause()
            )),
            (Some(e), Some(a)) => {
                if e.value() != a.value() {
                    out.push(format!(
                        "promises.{name}: expected {:?}, got {:?}",
                        e.value(),
                        a.value()
                    ));
                }
                if e.clause() != a.clause() {
                    out.push(format!(
                        "promises.{name}: clause expected {:?}, got {:?}",
                        e.clause(),
                        a.clause()
                    ));
                }
                if e.quote().is_some() && norm(e.quote()) != norm(a.quote()) {
                    out.push(format!(
                        "promises.{name}: quote\n    expected: {:?}\n    got:      {:?}",
                        norm(e.quote()),
                        norm(a.quote())
                    ));
                }
            }
        }
    }
    let (ep, ap) = (&expected.promises, &actual.promises);
    promise(
        &mut out,
        "encrypted_in_transit",
        &ep.encrypted_in_transit,
        &ap.encrypted_in_transit,
    );
    promise(
        &mut out,
        "storage_region",
        &ep.storage_region,
        &ap.storage_region,
    );
    promise(
        &mut out,
        "retention_days",
        &ep.retention_days,
        &ap.retention_days,
    );
    promise(
        &mut out,
        "consent_before_collection",
        &ep.consent_before_collection,
        &ap.consent_before_collection,
    );
    promise(
        &mut out,
        "share_only_with_consent",
        &ep.share_only_with_consent,
        &ap.share_only_with_consent,
    );
    out
}

/// Panics with the whole diff when there is one.
pub fn assert_no_diff(what: &str, expected: &Declaration, actual: &Declaration) {
    let d = diff(expected, actual);
    if !d.is_empty() {
        panic!(
            "{what}: {} difference(s)\n  {}\n\nactual declaration:\n{}",
            d.len(),
            d.join("\n  "),
            actual.to_toml()
        );
    }
}

/// The draft declaration of one policy file given by name (the extension picks the
/// format) and text.
pub fn draft_of(file: &str, text: &str) -> Declaration {
    privaudit::policy::extract::extract_documents(
        &[privaudit::policy::extract::Input::new(
            file,
            text.as_bytes(),
        )],
        &lexicon(),
    )
    .unwrap_or_else(|e| panic!("{file}: {e}"))
    .declaration
}

/// Every id the draft's `[[collect]]` entries list.
pub fn collected_ids(d: &Declaration) -> Vec<&str> {
    d.collect
        .iter()
        .flat_map(|c| c.data.iter().map(String::as_str))
        .collect()
}
