//! HAR exports from real tools (Chrome, Firefox, Charles, Insomnia, mitmproxy, with and
//! without a byte-order mark) read into the same records as captures, checked against
//! Python's json reading of the same files.

mod common;

use serde_json::Value;

#[test]
fn har_entries_match_the_oracle() {
    let corpus = common::corpus();
    let mut files = 0;
    for entry in std::fs::read_dir(corpus.join("oracles")).unwrap() {
        let path = entry.unwrap().path();
        let oracle: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        let file = oracle["file"].as_str().unwrap();
        if !file.ends_with(".har") {
            continue;
        }
        files += 1;
        let (records, stderr, code) = common::flows_jsonl(&corpus.join(file), &[]);
        if oracle.get("error").is_some() {
            assert_eq!(
                code, 2,
                "{file}: broken HAR must be an input error: {stderr}"
            );
            // Python: "Expecting ',' delimiter: line 5 column 1": same position.
            assert!(stderr.contains("line 5, column 1"), "{file}: {stderr}");
            assert!(
                stderr.contains(file.rsplit('/').next().unwrap()),
                "{stderr}"
            );
            continue;
        }
        assert_eq!(code, 0, "{file}: {stderr}");
        let http: Vec<&Value> = records.iter().filter(|r| r["kind"] == "http").collect();
        let expected = oracle["requests"].as_array().unwrap();
        assert_eq!(
            http.len() as u64,
            oracle["entry_count"].as_u64().unwrap(),
            "{file}"
        );
        for (got, want) in http.iter().zip(expected) {
            assert_eq!(got["method"], want["method"], "{file}");
            let url = want["url"].as_str().unwrap();
            let after_scheme = url.split_once("://").map(|x| x.1).unwrap_or(url);
            let path = after_scheme
                .find('/')
                .map(|i| &after_scheme[i..])
                .unwrap_or("/");
            let path = path.split('#').next().unwrap();
            assert_eq!(got["uri"].as_str().unwrap(), path, "{file}");
            assert_eq!(
                got["host"].as_str().unwrap(),
                want["host"].as_str().unwrap().to_ascii_lowercase(),
                "{file}"
            );
            assert_eq!(got["transport"], "har");
            if let Some(status) = want["response_status"].as_u64().filter(|s| *s > 0) {
                assert_eq!(got["status"].as_u64(), Some(status), "{file} {url}");
            }
        }
    }
    assert!(
        files >= 10,
        "expected the corpus's HAR files, found {files}"
    );
}

#[test]
fn every_har_scans_without_error() {
    let corpus = common::corpus();
    for entry in std::fs::read_dir(corpus.join("har")).unwrap() {
        let path = entry.unwrap().path();
        let out = common::privaudit(&["scan", "--format", "jsonl", path.to_str().unwrap()]);
        let code = out.status.code();
        if path.to_string_lossy().contains("brokenfile") {
            assert_eq!(code, Some(2));
        } else {
            assert_eq!(
                code,
                Some(0),
                "{}: {}",
                path.display(),
                String::from_utf8_lossy(&out.stderr)
            );
            // No high-confidence personal data in these browser sessions.
            for line in String::from_utf8_lossy(&out.stdout).lines() {
                let v: Value = serde_json::from_str(line).unwrap();
                assert_ne!(
                    v["confidence"],
                    "high",
                    "{}: unexpected {v}",
                    path.display()
                );
            }
        }
    }
}
