//! privaudit's fuzz harness: AFL++ targets for every parser that takes outside bytes
//! (the target code is `privaudit::fuzz_targets`, shared with the regression test).
//!
//! ```text
//! privaudit-fuzz list                         the targets
//! privaudit-fuzz seeds CORPUS REPO OUT        write seed inputs to OUT/<target>/
//! privaudit-fuzz run TARGET FILE|DIR…         replay inputs (no AFL needed)
//! privaudit-fuzz TARGET                       one AFL++ target (under afl-fuzz)
//! ```

mod seeds;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use privaudit::fuzz_targets::{TARGETS, Target, find};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("list") => {
            for t in TARGETS {
                println!("{:<16} {}", t.name, t.about);
            }
            ExitCode::SUCCESS
        }
        Some("seeds") if args.len() == 4 => {
            match seeds::write_all(
                Path::new(&args[1]),
                Path::new(&args[2]),
                Path::new(&args[3]),
            ) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::from(2)
                }
            }
        }
        Some("run") if args.len() >= 3 => match find(&args[1]) {
            Some(t) => replay(t, &args[2..]),
            None => unknown(&args[1]),
        },
        Some(name) if args.len() == 1 => match find(name) {
            Some(t) => fuzz(t),
            None => unknown(name),
        },
        _ => {
            eprintln!(
                "usage: privaudit-fuzz list | seeds CORPUS REPO OUT | run TARGET FILE|DIR… | TARGET"
            );
            ExitCode::from(2)
        }
    }
}

fn unknown(name: &str) -> ExitCode {
    eprintln!("error: no target {name:?}; `privaudit-fuzz list` shows them");
    ExitCode::from(2)
}

/// Runs every file (directories: every file in them) through the target, timing each.
fn replay(t: &Target, paths: &[String]) -> ExitCode {
    let mut files: Vec<PathBuf> = Vec::new();
    for p in paths {
        let p = PathBuf::from(p);
        if p.is_dir() {
            let mut inside: Vec<PathBuf> = std::fs::read_dir(&p)
                .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
                .unwrap_or_default();
            inside.retain(|f| f.is_file());
            inside.sort();
            files.extend(inside);
        } else {
            files.push(p);
        }
    }
    let mut slowest = (0.0f64, PathBuf::new());
    for f in &files {
        let Ok(data) = std::fs::read(f) else {
            eprintln!("{}: cannot read", f.display());
            return ExitCode::from(2);
        };
        let start = Instant::now();
        (t.run)(&data);
        let secs = start.elapsed().as_secs_f64();
        if secs > slowest.0 {
            slowest = (secs, f.clone());
        }
    }
    println!(
        "{}: {} inputs ran; slowest {:.3} s ({})",
        t.name,
        files.len(),
        slowest.0,
        slowest.1.display()
    );
    ExitCode::SUCCESS
}

#[cfg(feature = "afl")]
fn fuzz(t: &'static Target) -> ExitCode {
    let run = t.run;
    afl::fuzz!(|data: &[u8]| {
        run(data);
    });
    ExitCode::SUCCESS
}

#[cfg(not(feature = "afl"))]
fn fuzz(t: &'static Target) -> ExitCode {
    eprintln!(
        "error: built without AFL; build with `cargo afl build --release` to fuzz {}",
        t.name
    );
    ExitCode::from(2)
}
