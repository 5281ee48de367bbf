//! Every input the fuzzer ever crashed or hung on, replayed through the same target
//! functions the fuzzer runs (`privaudit::fuzz_targets`): each must now return, in
//! bounded time. Files live in `tests/fixtures/fuzz-regressions/<target>/`; the folder
//! name is the target. See `fuzz/README.md` for where they came from.

use std::path::Path;
use std::time::{Duration, Instant};

use privaudit::fuzz_targets::{TARGETS, find};

/// Generous for a debug build; the fuzzer's own limit (release) is far lower.
const TIME_LIMIT: Duration = Duration::from_secs(10);

#[test]
fn every_fuzz_regression_input_replays_cleanly() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fuzz-regressions");
    let mut dirs: Vec<_> = std::fs::read_dir(&root)
        .expect("tests/fixtures/fuzz-regressions exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    let mut ran = 0;
    let mut failures = Vec::new();
    for dir in &dirs {
        let name = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let target = find(&name).unwrap_or_else(|| {
            panic!(
                "{}: no fuzz target {name:?} (targets: {})",
                dir.display(),
                TARGETS
                    .iter()
                    .map(|t| t.name)
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        });
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .expect("read regression folder")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file() && p.extension().is_none_or(|e| e != "md"))
            .collect();
        files.sort();
        for file in files {
            let data = std::fs::read(&file).expect("read regression input");
            let start = Instant::now();
            let result = std::panic::catch_unwind(|| (target.run)(&data));
            let took = start.elapsed();
            ran += 1;
            if result.is_err() {
                failures.push(format!("{}: panicked", file.display()));
            } else if took > TIME_LIMIT {
                failures.push(format!(
                    "{}: took {:.1} s (limit {} s)",
                    file.display(),
                    took.as_secs_f64(),
                    TIME_LIMIT.as_secs()
                ));
            }
        }
    }
    eprintln!("{ran} fuzz regression inputs replayed");
    assert!(
        ran > 0,
        "no regression inputs found under {}",
        root.display()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The targets themselves must accept the trivial inputs.
#[test]
fn every_target_accepts_empty_and_tiny_inputs() {
    for t in TARGETS {
        for input in [&b""[..], b"\0", b"\xff\xff\xff\xff", &[0x41; 300]] {
            (t.run)(input);
        }
    }
}
