//! Policy shapes as apps publish them, in two rounds of fixtures. The first (`zh`, `en`):
//! 20 Chinese SDK lists (key-value blocks, inline runs, Markdown, HTML and Word-exported
//! tables, prose records, a separate SDK-list page) and 14 English Markdown policies
//! (generator templates, data-safety and CCPA tables, provider lists, denial and
//! definitions sections). The second (`zh2`, `en2`): 8 Chinese policies with their SDK
//! lists and 10 English policies in layouts the first lacked. All in invented wording,
//! each with what a reviewer expects from it (`tests/fixtures/policy-shapes/*/*.json`).
//! The figures are ratchets: they fail when a change loses a shape that is read today.

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

/// How a folder of Chinese SDK lists reads: parties listed, named right, named with
/// exactly their data, and entries no list names.
struct SdkListScore {
    listed: usize,
    named: usize,
    exact_data: usize,
    junk: usize,
}

impl SdkListScore {
    /// Fails unless the folder lists `listed` parties and reads at least `named` of them
    /// right, `exact_data` with exactly their data, with at most `junk` extra entries.
    fn check(&self, listed: usize, named: usize, exact_data: usize, junk: usize) {
        assert_eq!(self.listed, listed, "the fixture lists {listed} parties");
        assert!(
            self.named >= named,
            "{} of {} named",
            self.named,
            self.listed
        );
        assert!(
            self.exact_data >= exact_data,
            "{} with exactly their data",
            self.exact_data
        );
        assert!(self.junk <= junk, "{} extra entries", self.junk);
    }
}

/// The files read together for a document key of a folder's `expected.json`.
fn files_of(groups: &serde_json::Map<String, Value>, doc: &str) -> Vec<String> {
    let stem = doc.split('.').next().unwrap_or(doc);
    match groups.get(stem) {
        Some(f) => strs(f),
        None => vec![doc.to_string()],
    }
}

fn score_sdk_lists(lang: &str) -> SdkListScore {
    let spec = json(&dir(lang).join("expected.json"));
    let groups = spec["files"].as_object().cloned().unwrap_or_default();
    let expected = spec["expected"].as_object().cloned().unwrap_or_default();
    let (mut listed, mut named, mut exact_data, mut junk) = (0, 0, 0, 0);
    let mut report = Vec::new();
    for (doc, parties) in &expected {
        let d = draft(lang, &files_of(&groups, doc));
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
        "chinese SDK lists ({lang}): {named} of {listed} named, {exact_data} with exactly their data, {junk} extra entries"
    );
    for r in &report {
        println!("  {r}");
    }
    SdkListScore {
        listed,
        named,
        exact_data,
        junk,
    }
}

/// Chinese SDK lists: each listed SDK is a named entry of the right party with its own
/// data, the name is the SDK's (not its company's), and nothing else is an entry.
#[test]
fn chinese_sdk_lists_name_every_sdk() {
    // Measured 2026-12-06: 102 named, 101 with exactly their data, 3 extra entries (two
    // are 网易易盾 under a sibling SDK's id, one a repeated title). The build before
    // read 11 of the 20 documents right. Stop 18 (a brand that is one SDK's full name is
    // that SDK, whatever its purpose says): 104 named, 103 exact, 1 extra. Stop 19 (a
    // known SDK named in passing gives way to its listed entry): 104, 104, 0.
    score_sdk_lists("zh").check(104, 104, 104, 0);
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

/// How a folder of policies reads: recall of the declared types, third parties named,
/// types drafted from denials or definitions.
struct PolicyScore {
    recall: f64,
    named_share: f64,
    forbidden: usize,
    /// Share entries naming no party the document's spec lists (junk such as the app
    /// itself, an encryption scheme or a data label taken for a name).
    unlisted: usize,
}

/// Scores the policies of `lang/spec_file` (per document: expect, forbid, forbid_exact,
/// parties); document keys may name a group of files in `lang/expected.json`'s `files`.
fn score_policies(lang: &str, spec_file: &str) -> PolicyScore {
    let spec = json(&dir(lang).join(spec_file));
    let groups = json(&dir(lang).join("expected.json"))["files"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    let docs = spec.as_object().cloned().unwrap_or_default();
    let (mut expected, mut hits, mut parties, mut named, mut forbidden) = (0, 0, 0, 0, 0);
    let mut unlisted = 0;
    let mut report = Vec::new();
    for (doc, e) in docs.iter().filter(|(k, _)| !k.starts_with('_')) {
        let d = draft(lang, &files_of(&groups, doc));
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
        let listed = e["parties"].as_array().cloned().unwrap_or_default();
        let names_party = |p: &Value, s: &privaudit::policy::model::Share| {
            let name = p["name"].as_str().unwrap_or("");
            let sdk = p["sdk"].as_str().map(|s| format!("sdk:{s}"));
            sdk.as_deref() == Some(s.party.as_str()) || {
                let (n, m) = (norm(name), norm(s.name.as_deref().unwrap_or("")));
                !m.is_empty() && (n.contains(&m) || m.contains(&n))
            }
        };
        for p in &listed {
            let name = p["name"].as_str().unwrap_or("");
            parties += 1;
            if d.share.iter().any(|s| names_party(p, s)) {
                named += 1;
            } else {
                report.push(format!("{doc}: {name} not named"));
            }
        }
        if !listed.is_empty() {
            for s in &d.share {
                if !listed.iter().any(|p| names_party(p, s)) {
                    unlisted += 1;
                    report.push(format!(
                        "{doc}: unlisted entry {:?} ({})",
                        s.name.as_deref().unwrap_or(""),
                        s.party
                    ));
                }
            }
        }
    }
    let recall = hits as f64 / expected as f64;
    let named_share = if parties == 0 {
        1.0
    } else {
        named as f64 / parties as f64
    };
    println!(
        "policies ({lang}/{spec_file}): recall {recall:.3} ({hits}/{expected}), parties {named_share:.3} ({named}/{parties}), {unlisted} unlisted entries, {forbidden} types from denials or definitions"
    );
    for r in &report {
        println!("  {r}");
    }
    PolicyScore {
        recall,
        named_share,
        forbidden,
        unlisted,
    }
}

/// English Markdown policies: recall of the declared types, named providers, and no type
/// drafted from a denial or a definition.
#[test]
fn english_markdown_policies() {
    let PolicyScore {
        recall,
        named_share,
        forbidden,
        unlisted,
    } = score_policies("en", "expected.json");
    // Measured 2026-12-06: recall 0.959, parties 0.864, none from denials or definitions
    // (the build before: 0.89, 0.67 and 25 types). Stop 17: parties 1.000 (subjects,
    // names with their purposes, items in apposition, services in any section), with 6
    // entries naming no listed party (Google brands and app-store payments).
    assert!(recall >= 0.95, "recall {recall:.3}");
    assert!(named_share >= 0.98, "parties {named_share:.3}");
    // Stop 19: names coordinated by "or" ("such as Allego or Shell Recharge") are read,
    // which adds "Apple Health or Health Connect" (a data source) as 2 unlisted entries.
    assert!(unlisted <= 8, "{unlisted} unlisted entries");
    assert_eq!(forbidden, 0, "types drafted from denials or definitions");
}

/// The second round of shapes (written after the first was fixed, to find what it
/// missed): Chinese cloud-console and consumer-app policies with their SDK lists (bars
/// between fields, permission and collected-data tables, GB18030 and UTF-16 files), and
/// English policies (iubenda and Termly layouts, lower-case headings, no headings at all,
/// processor lists, denials of SDKs). Ratchets on what is read today; the notes of the
/// change that added them give the figures of the build before.
#[test]
fn second_round_chinese_sdk_lists() {
    score_sdk_lists("zh2").check(82, NAMED_ZH2, EXACT_ZH2, JUNK_ZH2);
}

#[test]
fn second_round_chinese_policies() {
    let s = score_policies("zh2", "policies.json");
    assert!(s.recall >= RECALL_ZH2, "recall {:.3}", s.recall);
    assert!(s.forbidden <= FORBIDDEN_ZH2, "{} forbidden", s.forbidden);
}

#[test]
fn second_round_english_policies() {
    let s = score_policies("en2", "expected.json");
    assert!(s.recall >= RECALL_EN2, "recall {:.3}", s.recall);
    assert!(s.named_share >= PARTIES_EN2, "parties {:.3}", s.named_share);
    assert!(
        s.unlisted <= UNLISTED_EN2,
        "{} unlisted entries",
        s.unlisted
    );
    assert!(s.forbidden <= FORBIDDEN_EN2, "{} forbidden", s.forbidden);
}

// Measured 2026-12-06 at the change that added the second round. The build of the
// round's start named 70 of the 82 listed parties and found 0.94 of the Chinese and 0.61
// of the English types, 0.41 of the English parties, with 8 English types from denials.
// Stop 17 (brands as the means of a login or a payment): 77 with exactly their data, 7
// extra entries. Stop 18 (brands paid with, taken from, or naming data): 79 and 3.
const NAMED_ZH2: usize = 80;
const EXACT_ZH2: usize = 79;
const JUNK_ZH2: usize = 3;
const RECALL_ZH2: f64 = 0.99;
const FORBIDDEN_ZH2: usize = 1;
// Stop 17 (English parties as subjects, in apposition, titled by "Name (Company)"):
// recall 0.893, parties 0.913 (63 of 69), 9 entries naming no listed party, 3 types
// from denials or definitions ("no health data and no biometric data" is a denial now,
// and the iubenda "### Usage Data" term stays in its definitions section).
// Stop 33 ("Personal information you disclose to us" is collection, not sharing):
// recall 0.947 (124 of 131).
const RECALL_EN2: f64 = 0.945;
// Then Termly's names under category bullets: parties 0.957 (66 of 69).
const PARTIES_EN2: f64 = 0.965;
// Stop 19: 11, the Firebase tools "… Remote Config or Notifications" now read on.
const UNLISTED_EN2: usize = 11;
// Stop 18: 2 in fact; kept at 3 then.
const FORBIDDEN_EN2: usize = 2;

/// The third round, written blind: a helper of this project wrote these documents and
/// their answers without reading the extractor or the earlier fixtures' text, so the
/// figures first measured on them are an honest estimate of unseen policies. Chinese
/// shopping, fitness, education and news apps, a cloud console and an office app (HTML
/// with rowspan and Word-export tables, GB18030 key-value blocks, Markdown with nested
/// bullets, separate SDK pages); English generator, data-safety, CCPA, GDPR-processor,
/// lower-case, definitions, bold-title and nested-SDK policies.
#[test]
fn third_round_chinese_sdk_lists() {
    score_sdk_lists("zh3").check(73, NAMED_ZH3, EXACT_ZH3, JUNK_ZH3);
}

#[test]
fn third_round_chinese_policies() {
    let s = score_policies("zh3", "policies.json");
    assert!(s.recall >= RECALL_ZH3, "recall {:.3}", s.recall);
    assert!(s.forbidden <= FORBIDDEN_ZH3, "{} forbidden", s.forbidden);
}

#[test]
fn third_round_english_policies() {
    let s = score_policies("en3", "expected.json");
    assert!(s.recall >= RECALL_EN3, "recall {:.3}", s.recall);
    assert!(s.named_share >= PARTIES_EN3, "parties {:.3}", s.named_share);
    assert!(
        s.unlisted <= UNLISTED_EN3,
        "{} unlisted entries",
        s.unlisted
    );
    assert_eq!(s.forbidden, FORBIDDEN_EN3, "forbidden");
}

// Measured 2026-12-06 before any change was made for them (the build of stop 18 and
// the "not use" + bare-noun denial, which touches only English "not use" sentences):
// Chinese lists 65 of 73 named, 58 with exactly their data, 12 extra entries; Chinese
// types 0.974 with 1 from a denial; English types 0.910, parties 0.786 (44 of 56), 4
// unlisted entries, 4 types from denials or definitions.
// Then nested-bullet SDK lists, brand runs as means and passing mentions giving way to
// listed entries: 71 named, 69 exact, no extra entry; types 0.989.
const NAMED_ZH3: usize = 71;
const EXACT_ZH3: usize = 69;
const JUNK_ZH3: usize = 0;
const RECALL_ZH3: f64 = 0.985;
const FORBIDDEN_ZH3: usize = 1;
// Then processor tables, legal forms after a comma, "Name (Company)" titles of nested
// lists, lower-case dashed items, "It" after a named subject, "or" in a run of names:
// recall 0.918, parties 0.982 (55 of 56), 3 unlisted, 3 from denials or definitions.
// Then "obtain" in a heading marks a collection section (the generator template's "What
// information does the Application obtain…"): recall 0.933, parties 56 of 56. Then a
// denial of a practice reaches its whole part even with "does not use X" after it: 1
// type from a denial (a table's "Location" column header). Then a header row the markup
// marks is column titles, not a statement: 0 from denials or definitions.
// Then a "we collect" lead-in holds in any section, and travel and support wording
// ("chat transcripts", "call recordings", "your bookings"): recall 0.940.
const RECALL_EN3: f64 = 0.935;
const PARTIES_EN3: f64 = 1.0;
const UNLISTED_EN3: usize = 3;
const FORBIDDEN_EN3: usize = 0;

/// The fourth round, written blind like the third: Chinese bank (with a separate sharing
/// page whose columns start with the data), game (防沉迷 and a 个人信息收集清单 table, one-line
/// SDK blocks), medical (HTML, permission table, nested SDK list), car/IoT (tab-separated
/// SDK page), a scraped recruitment policy on four lines and a GB18030 mini-program guide;
/// English COPPA, health, HTML accordion with a glossary, hard-wrapped text, App Store
/// label, sub-processors, partner lines and a CCPA sold/shared table.
#[test]
fn fourth_round_chinese_sdk_lists() {
    score_sdk_lists("zh4").check(86, NAMED_ZH4, EXACT_ZH4, JUNK_ZH4);
}

#[test]
fn fourth_round_chinese_policies() {
    let s = score_policies("zh4", "policies.json");
    assert!(s.recall >= RECALL_ZH4, "recall {:.3}", s.recall);
    assert!(s.forbidden <= FORBIDDEN_ZH4, "{} forbidden", s.forbidden);
}

#[test]
fn fourth_round_english_policies() {
    let s = score_policies("en4", "expected.json");
    assert!(s.recall >= RECALL_EN4, "recall {:.3}", s.recall);
    assert!(s.named_share >= PARTIES_EN4, "parties {:.3}", s.named_share);
    assert!(
        s.unlisted <= UNLISTED_EN4,
        "{} unlisted entries",
        s.unlisted
    );
    assert!(s.forbidden <= FORBIDDEN_EN4, "{} forbidden", s.forbidden);
}

// Measured 2026-12-07 before any change was made for them: Chinese lists 58 of 86 named,
// 41 with exactly their data, 17 extra entries; Chinese types 0.947 with 3 from denials
// or definitions; English types 0.826, parties 0.937 (59 of 63), 19 unlisted entries, 11
// types from denials or definitions.
// Then records run together on one line (a scraped page: "…；（2）华为推送SDK，提供方：…"):
// 71 named, 51 exact, 9 extra entries. Of the misses, 8 are partners the policy names only
// by their company ("百行征信有限公司"), which the harness counts as named by the company.
const NAMED_ZH4: usize = 71;
const EXACT_ZH4: usize = 51;
const JUNK_ZH4: usize = 9;
// 2026-12-08: a negation inside brackets qualifies only its item ("IMEI（Android 10
// 及以上版本不采集）" had emptied its whole sentence): 0.961.
const RECALL_ZH4: f64 = 0.955;
const FORBIDDEN_ZH4: usize = 3;
// Then hard-wrapped plain text (lettered items whose lines go on in lower case are items,
// not titles; "(a) Company -- what it does" provider items with their wrapped lines) and
// more legal forms (SARL, PBC): types 0.832, parties 0.984 (62 of 63), 18 unlisted, 8 from
// denials or definitions.
// Then a "we collect" lead-in holds in a section about children, "not to use X" denies
// X, travel and support wording joins the lexicon, and "International" and "Security"
// headings and a sentence opening "To …" name no party: types 0.913, 16 unlisted. Then
// recordings, performance traces and card details wording: 0.940.
const RECALL_EN4: f64 = 0.935;
const PARTIES_EN4: f64 = 0.98;
const UNLISTED_EN4: usize = 16;
// Then "means" in a heading opens definitions ("What "personal information" means
// here"): 5 from denials or definitions.
const FORBIDDEN_EN4: usize = 5;

/// The fifth round, written blind like the fourth: Chinese smart-home camera (a
/// definitions part, one block per SDK on a second page), dating (a share list whose
/// columns start with the data), securities (HTML with rowspan and colspan, two exchanges
/// in one cell), a GBK input method, a parenting app with a children's part, and a travel
/// booking app (article numbering, cross-border block, an HTML collection list); English
/// Q&A, a purpose matrix with ticks, a "no logs" VPN in plain text, a smart-TV app in
/// HTML, a Markdown link list of services with a transfers section, and a caller-ID app
/// that lists its Android permissions.
#[test]
fn fifth_round_chinese_sdk_lists() {
    score_sdk_lists("zh5").check(LISTED_ZH5, NAMED_ZH5, EXACT_ZH5, JUNK_ZH5);
}

#[test]
fn fifth_round_chinese_policies() {
    let s = score_policies("zh5", "policies.json");
    assert!(s.recall >= RECALL_ZH5, "recall {:.3}", s.recall);
    assert!(s.forbidden <= FORBIDDEN_ZH5, "{} forbidden", s.forbidden);
}

#[test]
fn fifth_round_english_policies() {
    let s = score_policies("en5", "expected.json");
    assert!(s.recall >= RECALL_EN5, "recall {:.3}", s.recall);
    assert!(s.named_share >= PARTIES_EN5, "parties {:.3}", s.named_share);
    assert!(
        s.unlisted <= UNLISTED_EN5,
        "{} unlisted entries",
        s.unlisted
    );
    assert!(s.forbidden <= FORBIDDEN_EN5, "{} forbidden", s.forbidden);
}

// Measured 2026-12-07 before any change was made for them: Chinese lists 43 of 60 named
// (6 more by their company only), 30 with exactly their data, 7 extra entries; Chinese
// types 0.910 with 5 from denials or definitions; English types 0.793, parties 0.743 (26
// of 35), 18 unlisted entries, 1 type from a denial.
const LISTED_ZH5: usize = 60;
// Then SDK lines that open with the SDK's name and a comma but no number ("高德地图SDK，
// 提供方：…"), recipient and cross-border labels (接收方, 境外接收方名称, 个人信息种类), two
// names a line break parts in a table cell, and a company after "存储在": 52 named (3
// more by their company only), 35 exact, 3 extra entries.
const NAMED_ZH5: usize = 52;
const EXACT_ZH5: usize = 36;
const JUNK_ZH5: usize = 3;
// 2026-12-08, the bracketed negation: 0.919, 36 exact.
const RECALL_ZH5: f64 = 0.915;
// Then recipients in an HTML definition list and a Markdown link list, English phrases
// the fifth round's wording showed missing (app-instance IDs, push notification tokens,
// watchlists, buffering events, followers …; the English figure is no longer blind), a
// permission the policy says it does not ask for, and a type a sentence denies outright
// ("我们不会收集您的指纹信息") not collected by another mention in the same clause:
// Chinese 1 type from a denial (a calendar the app writes to and says it does not
// read), English types 0.942, parties 0.886 (31 of 35).
const FORBIDDEN_ZH5: usize = 1;
// Then a linked provider name of more than three words ("Google Analytics for Firebase")
// no longer breaks a Markdown link list in two: types 0.950, parties 0.971 (34 of 35).
const RECALL_EN5: f64 = 0.945;
const PARTIES_EN5: f64 = 0.97;
const UNLISTED_EN5: usize = 18;
const FORBIDDEN_EN5: usize = 1;

#[test]
fn seventh_round_english_website_policies() {
    let s = score_policies("en7", "expected.json");
    assert!(s.recall >= RECALL_EN7, "recall {:.3}", s.recall);
    assert!(s.named_share >= PARTIES_EN7, "parties {:.3}", s.named_share);
    assert!(s.forbidden <= FORBIDDEN_EN7, "{} forbidden", s.forbidden);
}

// Seventh round: English website policies in the style of 2012-2016 (the era of the
// OPP-115 texts the English development half comes from), written blind. First read
// (measured 2026-12-07 with the build that added "why" questions): types 0.830 (166 of
// 200), parties 0.667 (40 of 60), 2 types from denials. A party data come from ("we
// obtain a credit report from Experian") listed with no data: parties 0.700.
// Then (no longer blind: phrases from its wording) lower-case lines are list items, not
// headings ("the type of browser you use" had opened a "use" section), "sent to us" is
// collection, "does not contain" and "(not including …)" are denials and exceptions, and
// the phrases of that era ("referring and exit pages", "the web page you came from",
// "wish list", "crash report", "processor type", "length of your visit"): types 0.955,
// 1 from a denial.
// Then names in lower camel case or as a domain ("comScore", "salesforce.com") and a list
// whose names say in brackets what each does: parties 0.783 (47 of 60).
const RECALL_EN7: f64 = 0.95;
const PARTIES_EN7: f64 = 0.81;
const FORBIDDEN_EN7: usize = 1;

#[test]
fn sixth_round_chinese_sdk_lists() {
    score_sdk_lists("zh6").check(LISTED_ZH6, NAMED_ZH6, EXACT_ZH6, JUNK_ZH6);
}

#[test]
fn sixth_round_chinese_policies() {
    let s = score_policies("zh6", "policies.json");
    assert!(s.recall >= RECALL_ZH6, "recall {:.3}", s.recall);
    assert!(s.forbidden <= FORBIDDEN_ZH6, "{} forbidden", s.forbidden);
}

#[test]
fn sixth_round_english_policies() {
    let s = score_policies("en6", "expected.json");
    assert!(s.recall >= RECALL_EN6, "recall {:.3}", s.recall);
    assert!(s.named_share >= PARTIES_EN6, "parties {:.3}", s.named_share);
    assert!(s.forbidden <= FORBIDDEN_EN6, "{} forbidden", s.forbidden);
}

// Sixth round, written blind. First read (measured 2026-12-07, the same build as the
// seventh round's): Chinese lists 39 of 51 named (3 more by their company only), 18 with
// exactly their data, 18 extra entries; Chinese types 0.906 with 4 from denials or
// definitions; English types 0.860, parties 0.812 (26 of 32), 19 types from denials or
// definitions (14 of them from one CCPA notice's statutory categories).
// Then SDK items numbered ①② in running text are statements of their own when each
// opens with a quoted name or one ending in SDK; a label alone on its line takes the
// lines below as its value (a vertical list); the words before a company (包括, 关联公司,
// 承运商) and a 和 that begins its name (和风天气) are read right; a vendor's bare brand
// beside its named SDK is that SDK: 44 named, 24 exact, 14 extra entries; Chinese types
// 0.911.
const LISTED_ZH6: usize = 51;
const NAMED_ZH6: usize = 44;
const EXACT_ZH6: usize = 24;
const JUNK_ZH6: usize = 14;
// 2026-12-08, the bracketed negation and a denial that takes back what a permission
// named in the sentence before: 0.917 with 3 from denials or definitions.
const RECALL_ZH6: f64 = 0.915;
const FORBIDDEN_ZH6: usize = 3;
// Then the seventh round's fixes, and the statute's description of each California
// category ("Statutory description: Identifiers such as a real name, alias, …") read as
// a definition unless a table row's "Collected" cell says yes: types 0.879, 8 from
// denials or definitions.
// Then a table cell's list stays on its row, and a "Service" column that says what a
// provider does no longer names it: parties 1.000 (32 of 32), 11 unlisted entries.
const RECALL_EN6: f64 = 0.875;
const PARTIES_EN6: f64 = 1.0;
const FORBIDDEN_EN6: usize = 8;

#[test]
fn eighth_round_english_markdown_policies() {
    let s = score_policies("en8", "expected.json");
    assert!(s.recall >= RECALL_EN8, "recall {:.3}", s.recall);
    assert!(s.named_share >= PARTIES_EN8, "parties {:.3}", s.named_share);
    assert!(s.forbidden <= FORBIDDEN_EN8, "{} forbidden", s.forbidden);
}

// Eighth round, written blind: mobile-app policies in Markdown (front matter, link
// lists with nested bullets, provider tables, bold run-in labels, question headings,
// generator boilerplate). First read (measured 2026-12-07 with the build that lets a
// function word end a name): types 0.927 (114 of 123), parties 0.816 (40 of 49), 31
// unlisted entries, 3 types from denials or definitions.
// Then (no longer blind) bullets nested under a linked provider are its data, a link
// as a Markdown page reads ("Acme <https://…>") heads a list item, a run-in label
// ("Payments: Adyen processes …") or a sentence-case head ("**Payment processing:**")
// is a category and the prose after it names the providers, clauses after ", and" and
// an apposition ("Braintree, a PayPal service, processes") have subjects too, and what a
// provider's own item denies is not its data: parties 0.898 (44 of 49), 25 unlisted.
// Then "Internet Protocol (“IP”) address" with curly quotes (the generator's own
// wording), an "Advertising" heading opens a sharing section, and "To show you ads,
// these networks may use …" refers back after its opening clause: types 0.943.
const RECALL_EN8: f64 = 0.94;
const PARTIES_EN8: f64 = 0.89;
const FORBIDDEN_EN8: usize = 3;

#[test]
fn eighth_round_chinese_sdk_lists() {
    score_sdk_lists("zh7").check(LISTED_ZH7, NAMED_ZH7, EXACT_ZH7, JUNK_ZH7);
}

#[test]
fn eighth_round_chinese_policies() {
    let s = score_policies("zh7", "policies.json");
    assert!(s.recall >= RECALL_ZH7, "recall {:.3}", s.recall);
    assert!(s.forbidden <= FORBIDDEN_ZH7, "{} forbidden", s.forbidden);
}

// Eighth round, written blind: a monitoring/CDN console with a Markdown SDK table, a
// securities app, a game with its SDK list as numbered headings of label lines, a food
// delivery app with an HTML list of <div> items, an EV app with tab-separated tables,
// and a UTF-16 consultation app with 【】 blocks. First read (measured 2026-12-07, same
// build as the English eighth round): lists 31 of 48 named, 16 with exactly their data,
// 21 extra entries; types 0.884 (167 of 189) with 6 from denials or definitions.
// Then a table whose name column holds companies and an unlabelled column the SDKs
// ("第三方名称 | 产品/类型 | …"): 36 named, 18 exact, 17 extra entries.
const LISTED_ZH7: usize = 48;
const NAMED_ZH7: usize = 36;
const EXACT_ZH7: usize = 19;
const JUNK_ZH7: usize = 17;
// Then a negation inside brackets qualifies only its item, a denial in the next
// sentence takes back what a permission named ("申请生物识别权限（指纹/面容）…不会收集
// 你的指纹"), the app's SMS alerts are no SMS data, and phrases of the round (交易密码,
// 自选股, 成交记录, 聊天内容, 对话记录): types 0.926 with 4 from denials or
// definitions, 19 lists exact.
const RECALL_ZH7: f64 = 0.92;
const FORBIDDEN_ZH7: usize = 4;
