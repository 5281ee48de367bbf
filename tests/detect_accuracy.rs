//! Precision and recall of `privaudit scan` on the labelled test set: real HTTP requests
//! (python http.client → http.server over loopback, captured by tcpdump) carrying planted
//! personal data in many encodings plus decoys, with a truth file per request. See
//! tests/fixtures/detect/README.md for how the set was made and how to regenerate it.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::Value;

type Pairs = BTreeSet<(String, String)>;

fn request_id(uri: &str) -> Option<String> {
    let rest = uri.strip_prefix("/r/")?;
    Some(format!("r{}", rest.split('/').next()?))
}

fn predicted(with_profile: bool) -> Pairs {
    predicted_in("labelled.pcap", with_profile)
}

/// What `scan` finds in a capture of the fixture folder, as (request id, data type).
fn predicted_in(capture: &str, with_profile: bool) -> Pairs {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/detect");
    let pcap = dir.join(capture);
    let device = dir.join("device.toml");
    let mut args = vec!["scan", "--format", "jsonl"];
    if with_profile {
        args.push("--device");
        args.push(device.to_str().unwrap());
    }
    args.push(pcap.to_str().unwrap());
    let out = common::privaudit(&args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter_map(|o| {
            Some((
                request_id(o["uri"].as_str()?)?,
                o["data_type"].as_str()?.to_string(),
            ))
        })
        .collect()
}

/// Truth pairs, the pairs that count neither way (values only a device profile can
/// confirm, when running without one), and the request count.
fn truth(with_profile: bool) -> (Pairs, Pairs, usize) {
    truth_in("truth.json", with_profile)
}

fn truth_in(file: &str, with_profile: bool) -> (Pairs, Pairs, usize) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/detect")
        .join(file);
    let requests: Vec<Value> = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let mut pairs = Pairs::new();
    let mut dont_care = Pairs::new();
    for r in &requests {
        let id = r["id"].as_str().unwrap().to_string();
        for c in r["carries"].as_array().unwrap() {
            let pair = (id.clone(), c["data_type"].as_str().unwrap().to_string());
            if with_profile || c["needs_profile"] != true {
                pairs.insert(pair);
            } else {
                // Without a profile a hash is only findable when its key says what
                // it is; finding it is right, missing it is allowed.
                dont_care.insert(pair);
            }
        }
    }
    dont_care.retain(|p| !pairs.contains(p));
    (pairs, dont_care, requests.len())
}

/// Prints the per-type table and returns overall (precision, recall). Only the data
/// types the set labels are scored: it plants those and claims nothing about others
/// (an `os` field in a request is real device information, but unlabelled here).
fn evaluate(
    label: &str,
    predicted: &Pairs,
    truth: &Pairs,
    dont_care: &Pairs,
    vocabulary: &BTreeSet<String>,
) -> (f64, f64, Vec<String>) {
    let predicted: Pairs = predicted
        .iter()
        .filter(|p| vocabulary.contains(&p.1) && !dont_care.contains(*p))
        .cloned()
        .collect();
    let predicted = &predicted;
    let mut per_type: BTreeMap<String, (u32, u32, u32)> = BTreeMap::new();
    for p in predicted {
        let e = per_type.entry(p.1.clone()).or_default();
        if truth.contains(p) {
            e.0 += 1;
        } else {
            e.1 += 1;
        }
    }
    for t in truth {
        if !predicted.contains(t) {
            per_type.entry(t.1.clone()).or_default().2 += 1;
        }
    }
    println!("\n{label}");
    println!(
        "{:<34} {:>5} {:>5} {:>5} {:>9} {:>7}",
        "data type", "tp", "fp", "fn", "precision", "recall"
    );
    let (mut tp, mut fp, mut fn_) = (0, 0, 0);
    let mut errors = Vec::new();
    for (t, (a, b, c)) in &per_type {
        let p = *a as f64 / (*a + *b).max(1) as f64;
        let r = *a as f64 / (*a + *c).max(1) as f64;
        println!("{t:<34} {a:>5} {b:>5} {c:>5} {p:>9.3} {r:>7.3}");
        tp += a;
        fp += b;
        fn_ += c;
    }
    for p in predicted.difference(truth).take(40) {
        errors.push(format!("false positive: {} {}", p.0, p.1));
    }
    for t in truth.difference(predicted).take(40) {
        errors.push(format!("missed: {} {}", t.0, t.1));
    }
    let precision = tp as f64 / (tp + fp).max(1) as f64;
    let recall = tp as f64 / (tp + fn_).max(1) as f64;
    println!(
        "{:<34} {tp:>5} {fp:>5} {fn_:>5} {precision:>9.3} {recall:>7.3}",
        "ALL"
    );
    (precision, recall, errors)
}

#[test]
fn precision_and_recall_on_the_labelled_set() {
    let (truth_plain, dont_care, requests) = truth(false);
    assert!(requests >= 300, "labelled set has {requests} requests");
    let (truth_all, _, _) = truth(true);
    let vocabulary: BTreeSet<String> = truth_all.iter().map(|p| p.1.clone()).collect();
    let (p, r, errors) = evaluate(
        "without device profile",
        &predicted(false),
        &truth_plain,
        &dont_care,
        &vocabulary,
    );
    let (pp, rp, errors_p) = evaluate(
        "with device profile",
        &predicted(true),
        &truth_all,
        &Pairs::new(),
        &vocabulary,
    );
    let ok = p >= 0.98 && r >= 0.97 && pp >= 0.99 && rp >= 0.99;
    assert!(
        ok,
        "precision/recall below target: plain {p:.3}/{r:.3} (need 0.98/0.97), profile {pp:.3}/{rp:.3} (need 0.99/0.99)\n{}\n--- with profile ---\n{}",
        errors.join("\n"),
        errors_p.join("\n")
    );
}

/// Ambiguous keys (`did`, `deviceid`, `aid`, `sn`, `sid`, …): a type found by such a key
/// must fit its own shape, and a value that validates as a stronger type (IMEI, phone,
/// ICCID, bank card) is that type only. Real requests captured by tcpdump; see
/// tests/fixtures/detect/weak_keys/generate.py. Every case is scored over the whole
/// vocabulary of the main set, so a wrong Android ID or serial counts against precision.
#[test]
fn weak_keys_need_the_types_own_shape() {
    let (expected, dont_care, requests) = truth_in("weak_keys/truth.json", false);
    assert!(requests >= 30, "weak-key set has {requests} requests");
    let (truth_all, _, _) = truth(true);
    let mut vocabulary: BTreeSet<String> = truth_all.iter().map(|p| p.1.clone()).collect();
    vocabulary.extend(expected.iter().map(|p| p.1.clone()));
    let (p, r, errors) = evaluate(
        "weak keys (without device profile)",
        &predicted_in("weak_keys/weak_keys.pcap", false),
        &expected,
        &dont_care,
        &vocabulary,
    );
    assert!(
        errors.is_empty(),
        "precision {p:.3}, recall {r:.3} on the weak-key set:\n{}",
        errors.join("\n")
    );
}
