//! Policy shapes as apps publish them: 20 Chinese SDK lists (key-value blocks, inline
//! runs, Markdown, HTML and Word-exported tables, prose records, a separate SDK-list page)
//! and 14 English Markdown policies (generator templates, data-safety and CCPA tables,
//! provider lists, denial and definitions sections), in invented wording, each with what
//! a reviewer expects from it (`tests/fixtures/policy-shapes/*/expected.json`). The
//! figures are ratchets: they fail when a change loses a shape that is read today.

mod common;

use std::collections::BTreeSet;
use std::path::PathBuf;

use common::policy::lexicon;
use privaudit::policy::extract::{Input, extract_documents};
use privaudit::policy::model::{Declaration, Share};
use serde_json::Value;

fn dir(lang: &str) -> PathBuf {
    common::policy::main_crate()
        .join("tests/fixtures/policy-shapes")
        .join(lang)
}

fn json(path: &std::path::Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn draft(lang: &str, files: &[String]) -> Declaration {
    let bytes: Vec<(String, Vec<u8>)> = files
        .iter()
        .map(|f| {
            let p = dir(lang).join(f);
            (
                f.clone(),
                std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display())),
            )
        })
        .collect();
    let inputs: Vec<Input> = bytes.iter().map(|(n, b)| Input::new(n, b)).collect();
    extract_documents(&inputs, &lexicon())
        .unwrap_or_else(|e| panic!("{files:?}: {e}"))
        .declaration
}

fn strs(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// Chinese SDK lists: each listed SDK is a named entry of the right party with its own
/// data, the name is the SDK's (not its company's), and nothing else is an entry.
#[test]
fn chinese_sdk_lists_name_every_sdk() {
    let spec = json(&dir("zh").join("expected.json"));
    let groups = spec["files"].as_object().cloned().unwrap_or_default();
    let expected = spec["expected"].as_object().cloned().unwrap_or_default();
    let (mut listed, mut named, mut exact_data, mut junk) = (0, 0, 0, 0);
    let mut report = Vec::new();
    for (doc, parties) in &expected {
        let stem = doc.split('.').next().unwrap_or(doc);
        let files = match groups.get(stem) {
            Some(f) => strs(f),
            None => vec![doc.clone()],
        };
        let d = draft("zh", &files);
        let mut used: BTreeSet<usize> = BTreeSet::new();
        for p in parties.as_array().into_iter().flatten() {
            let key = p[0].as_str().unwrap_or("");
            let party = p[1].as_str().unwrap_or("");
            let data: BTreeSet<String> = strs(&p[2]).into_iter().collect();
            listed += 1;
            let name_has = |s: &Share| {
                s.name
                    .as_deref()
                    .is_some_and(|n| n.to_lowercase().contains(&key.to_lowercase()))
            };
            let found = d.share.iter().enumerate().find(|(i, s)| {
                !used.contains(i) && name_has(s) && (s.party == party || !party.starts_with("sdk:"))
            });
            let Some((i, s)) = found else {
                report.push(format!("{doc}: {key} ({party}) not named"));
                continue;
            };
            used.insert(i);
            let company_as_name = s.name.as_deref().is_some_and(|n| n.ends_with("公司"));
            if company_as_name {
                report.push(format!("{doc}: {key} named by its company {:?}", s.name));
                continue;
            }
            named += 1;
            let got: BTreeSet<String> = s.data.iter().cloned().collect();
            if got == data {
                exact_data += 1;
            } else {
                report.push(format!("{doc}: {key} data {got:?}, expected {data:?}"));
            }
        }
        for (i, s) in d.share.iter().enumerate() {
            if !used.contains(&i) {
                junk += 1;
                report.push(format!("{doc}: extra entry {:?} ({})", s.name, s.party));
            }
        }
    }
    println!(
        "chinese SDK lists: {named} of {listed} named, {exact_data} with exactly their data, {junk} extra entries"
    );
    for r in &report {
        println!("  {r}");
    }
    assert_eq!(listed, 104, "the fixture lists 104 parties");
    // Measured 2026-12-06: 102 named, 101 with exactly their data, 3 extra entries (two
    // are 网易易盾 under a sibling SDK's id, one a repeated title). The build before
    // read 11 of the 20 documents right.
    assert!(named >= 101, "{named} of {listed} named");
    assert!(exact_data >= 99, "{exact_data} with exactly their data");
    assert!(junk <= 3, "{junk} extra entries");
}

fn under(a: &str, b: &str) -> bool {
    a == b || a.starts_with(&format!("{b}."))
}

fn norm(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// English Markdown policies: recall of the declared types, named providers, and no type
/// drafted from a denial or a definition.
#[test]
fn english_markdown_policies() {
    let spec = json(&dir("en").join("expected.json"));
    let docs = spec.as_object().cloned().unwrap_or_default();
    let (mut expected, mut hits, mut parties, mut named, mut forbidden) = (0, 0, 0, 0, 0);
    let mut report = Vec::new();
    for (doc, e) in docs.iter().filter(|(k, _)| !k.starts_with('_')) {
        let d = draft("en", std::slice::from_ref(doc));
        let drafted: BTreeSet<&str> = d
            .collect
            .iter()
            .flat_map(|c| c.data.iter())
            .chain(d.share.iter().flat_map(|s| s.data.iter()))
            .map(String::as_str)
            .collect();
        for x in e["expect"].as_array().into_iter().flatten() {
            let alts = match x {
                Value::String(s) => vec![s.clone()],
                other => strs(other),
            };
            expected += 1;
            if drafted.iter().any(|t| alts.iter().any(|a| under(t, a))) {
                hits += 1;
            } else {
                report.push(format!("{doc}: {} missed", alts.join("|")));
            }
        }
        let forbid = strs(&e["forbid"]);
        let forbid_exact = strs(&e["forbid_exact"]);
        for t in &drafted {
            if forbid.iter().any(|f| under(t, f)) || forbid_exact.iter().any(|f| f == t) {
                forbidden += 1;
                report.push(format!("{doc}: {t} drafted from a denial or definition"));
            }
        }
        for p in e["parties"].as_array().into_iter().flatten() {
            let name = p["name"].as_str().unwrap_or("");
            let sdk = p["sdk"].as_str().map(|s| format!("sdk:{s}"));
            parties += 1;
            let found = d.share.iter().any(|s| {
                sdk.as_deref() == Some(s.party.as_str()) || {
                    let (n, m) = (norm(name), norm(s.name.as_deref().unwrap_or("")));
                    !m.is_empty() && (n.contains(&m) || m.contains(&n))
                }
            });
            if found {
                named += 1;
            } else {
                report.push(format!("{doc}: {name} not named"));
            }
        }
    }
    let recall = hits as f64 / expected as f64;
    let named_share = named as f64 / parties as f64;
    println!(
        "english markdown: recall {recall:.3} ({hits}/{expected}), parties {named_share:.3} ({named}/{parties}), {forbidden} types from denials or definitions"
    );
    for r in &report {
        println!("  {r}");
    }
    // Measured 2026-12-06: recall 0.959, parties 0.864, none from denials or definitions
    // (the build before: 0.89, 0.67 and 25 types).
    assert!(recall >= 0.95, "recall {recall:.3}");
    assert!(named_share >= 0.85, "parties {named_share:.3}");
    assert_eq!(forbidden, 0, "types drafted from denials or definitions");
}
