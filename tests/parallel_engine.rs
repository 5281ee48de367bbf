//! The parallel engine against the single-threaded one: `flows`, `scan` and
//! `audit --format json` with `--threads 1` and `--threads 4` must write the same
//! bytes, on every real capture of the corpus, the demo session (decrypted with its
//! key log) and synthetic phone-shaped captures large enough for many epochs, idle
//! sweeps and several flows per shard.

mod common;

#[path = "../benches/support/synth.rs"]
mod synth;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::corpus;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Runs privaudit and returns (stdout, exit code); stderr is shown on failure.
fn run(args: &[String]) -> (Vec<u8>, i32) {
    let out = Command::new(env!("CARGO_BIN_EXE_privaudit"))
        .arg("--no-progress")
        .args(args)
        .env("NO_COLOR", "1")
        .env_remove("SSLKEYLOGFILE")
        .output()
        .expect("run privaudit");
    let code = out.status.code().unwrap_or(-1);
    assert!(
        code <= 1,
        "privaudit {args:?} failed ({code}): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (out.stdout, code)
}

/// The three commands, one and four threads, same bytes and exit codes. Returns the
/// bytes `flows` wrote.
fn same_output(inputs: &[PathBuf], extra: &[&str]) -> usize {
    let names: Vec<String> = inputs.iter().map(|p| p.display().to_string()).collect();
    let policy = root().join("policies/mobile-office.toml");
    let commands: [Vec<String>; 3] = [
        vec!["flows".into(), "--format".into(), "jsonl".into()],
        vec!["scan".into(), "--format".into(), "jsonl".into()],
        vec![
            "audit".into(),
            "--policy".into(),
            policy.display().to_string(),
            "--format".into(),
            "json".into(),
        ],
    ];
    let mut flows_bytes = 0;
    for cmd in commands {
        let mut runs = Vec::new();
        for threads in ["1", "4"] {
            let mut args = cmd.clone();
            args.extend(["--threads".into(), threads.into()]);
            args.extend(extra.iter().map(|s| s.to_string()));
            args.extend(names.iter().cloned());
            runs.push(run(&args));
        }
        if cmd[0] == "flows" {
            flows_bytes = runs[0].0.len();
        }
        if runs[0] != runs[1] {
            let a = String::from_utf8_lossy(&runs[0].0);
            let b = String::from_utf8_lossy(&runs[1].0);
            let line = a
                .lines()
                .zip(b.lines())
                .position(|(x, y)| x != y)
                .unwrap_or(a.lines().count().min(b.lines().count()));
            panic!(
                "{} differs between --threads 1 and 4 on {names:?} at line {}:\n1: {}\n4: {}",
                cmd[0],
                line + 1,
                a.lines().nth(line).unwrap_or("<end>"),
                b.lines().nth(line).unwrap_or("<end>"),
            );
        }
    }
    flows_bytes
}

fn captures_in(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let name = p.to_string_lossy();
            name.ends_with(".pcap") || name.ends_with(".pcapng")
        })
        .collect();
    files.sort();
    files
}

#[test]
fn corpus_captures_one_by_one() {
    let files = captures_in(&corpus().join("pcap"));
    assert!(files.len() > 20);
    let mut with_records = 0;
    for f in files {
        // A file privaudit refuses (bad version) is refused the same way either way.
        let probe = Command::new(env!("CARGO_BIN_EXE_privaudit"))
            .args([
                "--no-progress",
                "flows",
                "--format",
                "jsonl",
                "--threads",
                "1",
            ])
            .arg(&f)
            .output()
            .expect("run");
        if probe.status.code() == Some(2) {
            let four = Command::new(env!("CARGO_BIN_EXE_privaudit"))
                .args([
                    "--no-progress",
                    "flows",
                    "--format",
                    "jsonl",
                    "--threads",
                    "4",
                ])
                .arg(&f)
                .output()
                .expect("run");
            assert_eq!(four.status.code(), Some(2), "{}", f.display());
            assert_eq!(probe.stderr, four.stderr, "{}", f.display());
            continue;
        }
        if same_output(std::slice::from_ref(&f), &[]) > 0 {
            with_records += 1;
        }
    }
    assert!(
        with_records > 20,
        "only {with_records} captures gave records"
    );
}

#[test]
fn fixture_captures() {
    // Link types (PKTAP, PPPoE), first fragments of datagrams that never completed
    // (records the reader makes itself), opaque payloads.
    let files = captures_in(&root().join("tests/fixtures/captures"));
    assert!(files.len() >= 2);
    for f in files {
        same_output(std::slice::from_ref(&f), &[]);
    }
}

#[test]
fn corpus_captures_together() {
    // Several inputs in one run: names learnt from one file's DNS name the next.
    // (Without the file privaudit refuses, which would end the run.)
    let files: Vec<PathBuf> = captures_in(&corpus().join("pcap"))
        .into_iter()
        .filter(|p| !p.to_string_lossy().contains("invalid-version"))
        .collect();
    assert!(same_output(&files, &[]) > 0);
}

#[test]
fn decrypted_tls_and_quic() {
    let tls = corpus().join("tls");
    for f in captures_in(&tls) {
        let keylog = f.with_extension("keylog");
        let keylog = keylog.display().to_string();
        assert!(same_output(std::slice::from_ref(&f), &["--keylog", &keylog]) > 0);
    }
    let demo = root().join("captures/demo");
    let keylog = demo.join("mobile-office.keylog").display().to_string();
    same_output(&[demo.join("mobile-office.pcapng")], &["--keylog", &keylog]);
}

#[test]
fn synthetic_phone_captures() {
    let dir = tempfile::tempdir().expect("tempdir");
    // 10% and 90% plaintext HTTP; ~20k packets each: several epochs and sweeps.
    for (plain, seed) in [(10, 3), (90, 11)] {
        let path = dir.path().join(format!("phone-{plain}.pcap"));
        let file = std::io::BufWriter::new(std::fs::File::create(&path).expect("create"));
        let mut w = synth::PcapWriter::new(file).expect("header");
        synth::generate(&mut w, 24 << 20, seed, plain).expect("generate");
        assert!(w.packets > 15_000);
        drop(w.into_inner());
        assert!(same_output(std::slice::from_ref(&path), &[]) > 0);
    }
}

/// The fast packet path (`net::fast`) gives what the general decoder gives, on every
/// packet of the corpus and of a generated capture where it answers at all.
#[test]
fn fast_decoder_agrees_with_the_general_one() {
    use privaudit::net::defrag::Defragmenter;
    use privaudit::net::packet::{self, Decoded};
    use privaudit::source::capture::{self, CaptureEvent, Progress};

    let dir = tempfile::tempdir().expect("tempdir");
    let synthetic = dir.path().join("phone.pcap");
    let file = std::io::BufWriter::new(std::fs::File::create(&synthetic).expect("create"));
    let mut w = synth::PcapWriter::new(file).expect("header");
    synth::generate(&mut w, 4 << 20, 5, 50).expect("generate");
    drop(w.into_inner());
    let mut files = captures_in(&corpus().join("pcap"));
    files.extend(captures_in(&corpus().join("tls")));
    files.push(synthetic);
    let (mut fast, mut general) = (0u64, 0u64);
    for f in &files {
        let mut defrag = Defragmenter::new(1024);
        let _ = capture::read_capture(f, &Progress::default(), &mut |ev| {
            let CaptureEvent::Packet(p) = ev else { return };
            let Some(quick) = privaudit::net::fast::decode(p.linktype, p.data) else {
                general += 1;
                return;
            };
            fast += 1;
            let Decoded::Segment(full) =
                packet::decode(p.linktype, p.data, p.ts, p.frame, &mut defrag)
            else {
                panic!(
                    "{} frame {}: fast path read a segment, general did not",
                    f.display(),
                    p.frame
                );
            };
            assert_eq!(
                (
                    quick.src,
                    quick.dst,
                    quick.sport,
                    quick.dport,
                    quick.transport,
                    &quick.payload[..],
                    quick.ip_len
                ),
                (
                    full.src,
                    full.dst,
                    full.sport,
                    full.dport,
                    full.transport,
                    &full.payload[..],
                    full.ip_len
                ),
                "{} frame {}",
                f.display(),
                p.frame
            );
        });
    }
    // Most packets take the fast path; some (VLAN, fragments, tunnels…) do not.
    assert!(fast > 2 * general, "fast {fast}, general {general}");
    assert!(general > 0);
}
