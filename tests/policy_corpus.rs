//! Policy extraction on real policies: the development halves of the CA4P-483 Chinese
//! corpus and of the PI-Extract English corpus (`policies/ca4p-dev/`, `policies/en-dev/`
//! in the shared corpus), scored the way `shared/tools/ca4p_grade.py` scores a build.
//!
//! A ratchet: the test fails when recall drops below, or the share of draft ids that no
//! label supports rises above, what the extractor reaches today. The per-id misses are
//! printed so a change that trades one type for another shows. The other halves stay
//! hidden; tuning happens on these only.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::Instant;

use privaudit::policy::extract::extract;

/// Ids the grader leaves out: app version numbers are not personal data.
const EXCLUDED: &str = "app.package_info";

#[derive(Default)]
struct Score {
    policies: usize,
    labelled: usize,
    hits: usize,
    draft_ids: usize,
    unsupported: usize,
    missed: BTreeMap<String, usize>,
}

impl Score {
    fn recall(&self) -> f64 {
        self.hits as f64 / self.labelled.max(1) as f64
    }
    fn unsupported_share(&self) -> f64 {
        self.unsupported as f64 / self.draft_ids.max(1) as f64
    }
}

fn excluded(id: &str) -> bool {
    id == EXCLUDED || id.starts_with(&format!("{EXCLUDED}."))
}

fn is_under(id: &str, ancestor: &str) -> bool {
    id.strip_prefix(ancestor)
        .is_some_and(|rest| rest.starts_with('.'))
}

fn score(dir: &Path) -> Score {
    let lexicon = common::policy::lexicon();
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(".labels.json"))
        .collect();
    entries.sort();
    assert!(
        !entries.is_empty(),
        "{}: no labelled policies",
        dir.display()
    );
    let mut s = Score::default();
    for labels_path in entries {
        let labels: serde_json::Value =
            serde_json::from_str(&common::policy::read(&labels_path)).expect("labels json");
        let declared: BTreeSet<String> = labels["declared"]
            .as_array()
            .expect("declared")
            .iter()
            .filter_map(|v| v.as_str())
            .filter(|id| !excluded(id))
            .map(str::to_string)
            .collect();
        let text_path = labels_path
            .to_string_lossy()
            .replace(".labels.json", ".txt");
        let bytes = std::fs::read(&text_path).unwrap_or_else(|e| panic!("{text_path}: {e}"));
        let x = extract(&bytes, &lexicon).unwrap_or_else(|e| panic!("{text_path}: {e}"));
        let d = &x.declaration;
        let draft: BTreeSet<String> = d
            .collect
            .iter()
            .flat_map(|c| c.data.iter())
            .chain(d.share.iter().flat_map(|sh| sh.data.iter()))
            .cloned()
            .collect();
        s.policies += 1;
        for l in &declared {
            s.labelled += 1;
            if draft.iter().any(|d| d == l || is_under(d, l)) {
                s.hits += 1;
            } else {
                *s.missed.entry(l.clone()).or_default() += 1;
            }
        }
        for id in &draft {
            s.draft_ids += 1;
            let supported = declared
                .iter()
                .any(|l| l == id || is_under(id, l) || is_under(l, id));
            if !supported {
                s.unsupported += 1;
            }
        }
    }
    s
}

fn report(name: &str, s: &Score, seconds: f64) {
    let mut missed: Vec<(&String, &usize)> = s.missed.iter().collect();
    missed.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    eprintln!(
        "{name}: recall {:.3}, unsupported {:.3} over {} policies ({} labelled ids, {} draft ids) in {seconds:.1} s",
        s.recall(),
        s.unsupported_share(),
        s.policies,
        s.labelled,
        s.draft_ids
    );
    for (id, n) in missed.iter().take(15) {
        eprintln!("  missed {n:>3}  {id}");
    }
}

fn check(sub: &str, min_recall: f64, max_unsupported: f64) {
    let dir = common::corpus().join("policies").join(sub);
    let started = Instant::now();
    let s = score(&dir);
    report(sub, &s, started.elapsed().as_secs_f64());
    assert!(
        s.recall() >= min_recall,
        "{sub}: recall {:.3} fell below the ratchet {min_recall}",
        s.recall()
    );
    assert!(
        s.unsupported_share() <= max_unsupported,
        "{sub}: {:.3} of draft ids unsupported by any label, above the ratchet {max_unsupported}",
        s.unsupported_share()
    );
}

#[test]
fn chinese_development_half_ratchet() {
    // Measured 0.968 / 0.1991 (2026-12-07, after an operator's promise not to share
    // without consent, a consent condition naming the user, bare list words before a
    // purpose, Markdown emphasis inside phrases, wrapped SDK table rows and bulleted body
    // headings under a table of contents were read); the grader on the release binary
    // agrees. Then 0.968 / 0.1965 (words that name no collected data: cookies of websites
    // in general and of other parties, what binding a phone recovers, the operator's own
    // address or number shown as a value).
    check("ca4p-dev", 0.965, 0.198);
}

#[test]
fn english_development_half_ratchet() {
    // Measured 0.909 / 0.089 (2026-12-06); 0.927 / 0.083 (2026-12-07, visit dates,
    // referring sites, gamer tags, emails sent to us, a profile picture as a list item).
    // Then 0.940 / 0.093 (2026-12-08, "Advertising" headings open sharing sections: 4
    // more labelled ids hit, and 5 true statements the labels do not hold, such as
    // "the collection and use of your payment information" under a heading that follows).
    check("en-dev", 0.935, 0.095);
}
