//! Hostile input through the real CLI: every capture, HAR, APK and privacy manifest in
//! the shared corpus, plus mutated copies of them (truncated at many offsets, bytes
//! flipped, pcap record and pcapng block lengths corrupted, link types swapped, zip
//! directories mangled), each run as a user would run it.
//!
//! Every run must end with exit code 0, 1 or 2 (a panic gives 101), print no panic
//! message, finish within [`TIME_LIMIT`] and stay under [`RSS_LIMIT_KIB`] of resident
//! memory (peak `VmHWM` of the child, polled from /proc). An exit 2 is an input error,
//! whose message must name the file. Mutations use fixed seeds, so a failure
//! reproduces; the failing copy is kept and its path printed.

mod common;

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use common::corpus;
use common::pkg::Rng;

/// Longest a single run may take (debug build, two runs at a time).
const TIME_LIMIT: Duration = Duration::from_secs(20);
/// Highest peak resident memory a single run may reach.
const RSS_LIMIT_KIB: u64 = 768 * 1024;
/// Mutated copies are made only of files up to this size, to keep the test quick.
const MUTATE_MAX_BYTES: usize = 100 << 10;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    Capture,
    Har,
    Apk,
    Manifest,
}

/// One CLI run: the file it reads and the arguments before it.
struct Case {
    file: PathBuf,
    args: Vec<String>,
    /// What was done to the file, for the failure message.
    what: String,
}

struct Outcome {
    code: Option<i32>,
    stderr: String,
    elapsed: Duration,
    peak_kib: u64,
    killed: Option<&'static str>,
}

fn vm_hwm_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn run(case: &Case, scratch: &Path, index: usize) -> Outcome {
    let err_path = scratch.join(format!("stderr-{index}.txt"));
    let err_file = File::create(&err_path).expect("create stderr file");
    let start = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_privaudit"))
        .args(&case.args)
        .arg(&case.file)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::from(err_file))
        .spawn()
        .expect("start privaudit");
    let pid = child.id();
    let mut peak = 0;
    let mut killed = None;
    let status = loop {
        if let Some(kib) = vm_hwm_kib(pid) {
            peak = peak.max(kib);
        }
        match child.try_wait().expect("wait for privaudit") {
            Some(status) => break status,
            None => {
                if start.elapsed() > TIME_LIMIT {
                    killed = Some("time");
                } else if peak > RSS_LIMIT_KIB {
                    killed = Some("memory");
                }
                if killed.is_some() {
                    let _ = child.kill();
                    break child.wait().expect("wait for killed privaudit");
                }
                std::thread::sleep(Duration::from_millis(3));
            }
        }
    };
    let elapsed = start.elapsed();
    let stderr = std::fs::read_to_string(&err_path).unwrap_or_default();
    let _ = std::fs::remove_file(&err_path);
    Outcome {
        code: status.code(),
        stderr,
        elapsed,
        peak_kib: peak,
        killed,
    }
}

fn check(case: &Case, out: &Outcome) -> Result<(), String> {
    let shown = format!(
        "privaudit {} {} ({}): exit {:?}, {:.1} s, {} KiB peak\nstderr: {}",
        case.args.join(" "),
        case.file.display(),
        case.what,
        out.code,
        out.elapsed.as_secs_f64(),
        out.peak_kib,
        out.stderr.chars().take(1500).collect::<String>()
    );
    if let Some(why) = out.killed {
        return Err(format!("killed: over the {why} limit\n{shown}"));
    }
    if !matches!(out.code, Some(0..=2)) {
        return Err(format!("exit code not 0, 1 or 2\n{shown}"));
    }
    if out.stderr.contains("panicked") || out.stderr.contains("RUST_BACKTRACE") {
        return Err(format!("panic message on stderr\n{shown}"));
    }
    if out.code == Some(2) {
        let name = case
            .file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if !out.stderr.contains(&name) {
            return Err(format!(
                "input error does not name the file {name}\n{shown}"
            ));
        }
    }
    Ok(())
}

fn u32_at(b: &[u8], at: usize, big: bool) -> Option<u32> {
    let a: [u8; 4] = b.get(at..at + 4)?.try_into().ok()?;
    Some(if big {
        u32::from_be_bytes(a)
    } else {
        u32::from_le_bytes(a)
    })
}

fn put_u32(b: &mut [u8], at: usize, v: u32, big: bool) {
    if let Some(s) = b.get_mut(at..at + 4) {
        s.copy_from_slice(&if big {
            v.to_be_bytes()
        } else {
            v.to_le_bytes()
        });
    }
}

/// Offsets of the record headers of a pcap file, and its byte order.
fn pcap_records(b: &[u8]) -> Option<(bool, Vec<usize>)> {
    let big = match b.get(..4)? {
        [0xd4, 0xc3, 0xb2, 0xa1] | [0x4d, 0x3c, 0xb2, 0xa1] => false,
        [0xa1, 0xb2, 0xc3, 0xd4] | [0xa1, 0xb2, 0x3c, 0x4d] => true,
        _ => return None,
    };
    let mut at = 24;
    let mut records = Vec::new();
    while let Some(caplen) = u32_at(b, at + 8, big) {
        records.push(at);
        at = at.checked_add(16 + caplen as usize)?;
    }
    Some((big, records))
}

/// Offsets of the blocks of a pcapng file, and the byte order of its first section.
fn pcapng_blocks(b: &[u8]) -> Option<(bool, Vec<usize>)> {
    if b.get(..4)? != [0x0a, 0x0d, 0x0d, 0x0a] {
        return None;
    }
    let big = b.get(8..12)? == [0x1a, 0x2b, 0x3c, 0x4d];
    let mut at = 0;
    let mut blocks = Vec::new();
    while let Some(len) = u32_at(b, at + 4, big) {
        if len < 12 {
            break;
        }
        blocks.push(at);
        at += len as usize;
    }
    Some((big, blocks))
}

const LINKTYPES: [u32; 15] = [
    0, 1, 51, 101, 105, 108, 113, 127, 149, 228, 229, 239, 258, 276, 9999,
];
const BAD_LENGTHS: [u32; 8] = [
    0,
    1,
    11,
    13,
    0x7fff_ffff,
    0xffff_ffff,
    0x0100_0000,
    0x0004_0001,
];

fn flip(rng: &mut Rng, bytes: &[u8], flips: usize) -> Vec<u8> {
    let mut b = bytes.to_vec();
    for _ in 0..flips {
        let i = rng.below(b.len());
        b[i] ^= 1 << rng.below(8);
    }
    b
}

/// Mutated copies of a capture: truncations, flips, corrupted lengths, swapped link types.
fn capture_mutations(rng: &mut Rng, b: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let len = b.len();
    let mut cuts = vec![0, 8, 30, len.saturating_sub(1)];
    for _ in 0..2 {
        cuts.push(rng.below(len));
    }
    cuts.sort_unstable();
    cuts.dedup();
    for cut in cuts.into_iter().filter(|c| *c < len) {
        out.push((format!("truncated at {cut}"), b[..cut].to_vec()));
    }
    for n in [1, 32] {
        out.push((format!("{n} bits flipped"), flip(rng, b, n)));
    }
    // A block of random bytes over the middle.
    let mut smash = b.to_vec();
    let at = rng.below(len);
    for x in smash.iter_mut().skip(at).take(64) {
        *x = rng.next() as u8;
    }
    out.push((format!("64 random bytes at {at}"), smash));

    if let Some((big, records)) = pcap_records(b) {
        for _ in 0..2 {
            if records.is_empty() {
                break;
            }
            let r = records[rng.below(records.len())];
            let v = BAD_LENGTHS[rng.below(BAD_LENGTHS.len())];
            let mut m = b.to_vec();
            put_u32(&mut m, r + 8, v, big);
            out.push((format!("record at {r}: caplen {v:#x}"), m));
        }
        let lt = LINKTYPES[rng.below(LINKTYPES.len())];
        let mut m = b.to_vec();
        put_u32(&mut m, 20, lt, big);
        out.push((format!("link type {lt}"), m));
    }
    if let Some((big, blocks)) = pcapng_blocks(b) {
        for _ in 0..2 {
            if blocks.is_empty() {
                break;
            }
            let blk = blocks[rng.below(blocks.len())];
            let v = BAD_LENGTHS[rng.below(BAD_LENGTHS.len())];
            let mut m = b.to_vec();
            // The leading length, or the trailing copy of it.
            let at = if rng.below(3) == 0 {
                let len = u32_at(b, blk + 4, big).unwrap_or(12) as usize;
                blk + len - 4
            } else {
                blk + 4
            };
            put_u32(&mut m, at, v, big);
            out.push((format!("block at {blk}: length at {at} set to {v:#x}"), m));
        }
        if let Some(idb) = blocks
            .iter()
            .copied()
            .find(|at| u32_at(b, *at, big) == Some(1))
        {
            let lt = LINKTYPES[rng.below(LINKTYPES.len())] as u16;
            let mut m = b.to_vec();
            if let Some(s) = m.get_mut(idb + 8..idb + 10) {
                s.copy_from_slice(&if big {
                    lt.to_be_bytes()
                } else {
                    lt.to_le_bytes()
                });
            }
            out.push((format!("interface link type {lt}"), m));
        }
    }
    // Compressed, then cut: a corrupt gzip stream.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut gz, b).expect("gzip");
    let gz = gz.finish().expect("gzip");
    let cut = gz.len() / 2;
    out.push((format!("gzip cut at {cut}"), gz[..cut].to_vec()));
    out
}

fn generic_mutations(rng: &mut Rng, b: &[u8], kind: Kind) -> Vec<(String, Vec<u8>)> {
    let len = b.len();
    let mut out = Vec::new();
    for cut in [len / 3, len.saturating_sub(7), rng.below(len)] {
        out.push((format!("truncated at {cut}"), b[..cut].to_vec()));
    }
    out.push(("16 bits flipped".into(), flip(rng, b, 16)));
    if kind == Kind::Apk {
        // The end-of-central-directory record: entry counts and directory offset.
        if let Some(eocd) = b.windows(4).rposition(|w| w == b"PK\x05\x06") {
            let mut m = b.to_vec();
            if let Some(s) = m.get_mut(eocd + 8..eocd + 12) {
                s.copy_from_slice(&[0xff, 0xff, 0xff, 0xff]);
            }
            out.push(("central directory counts 0xffff".into(), m));
            let mut m = b.to_vec();
            let off = rng.next() as u32;
            if let Some(s) = m.get_mut(eocd + 16..eocd + 20) {
                s.copy_from_slice(&off.to_le_bytes());
            }
            out.push((format!("central directory offset {off:#x}"), m));
        }
        // Local headers' sizes.
        let mut m = b.to_vec();
        let locals: Vec<usize> = b
            .windows(4)
            .enumerate()
            .filter(|(_, w)| *w == b"PK\x03\x04")
            .map(|(i, _)| i)
            .collect();
        for &at in locals.iter().take(8) {
            put_u32(
                &mut m,
                at + 18,
                BAD_LENGTHS[rng.below(BAD_LENGTHS.len())],
                false,
            );
            put_u32(
                &mut m,
                at + 22,
                BAD_LENGTHS[rng.below(BAD_LENGTHS.len())],
                false,
            );
        }
        out.push(("local header sizes corrupted".into(), m));
    }
    out
}

fn extension(p: &Path) -> String {
    p.extension()
        .map(|e| e.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn args_for(kind: Kind, n: usize, keylog: Option<&Path>) -> Vec<String> {
    let mut a: Vec<String> = match kind {
        Kind::Capture | Kind::Har => match n % 6 {
            1 | 4 => vec!["scan".into()],
            3 => vec![
                "audit".into(),
                "--policy".into(),
                "policies/mobile-office.toml".into(),
            ],
            _ => vec!["flows".into(), "--format".into(), "jsonl".into()],
        },
        Kind::Apk | Kind::Manifest => vec!["sdks".into(), "--format".into(), "json".into()],
    };
    a.push("--no-progress".into());
    if let Some(k) = keylog
        && a[0] != "audit"
    {
        a.push("--keylog".into());
        a.push(k.display().to_string());
    }
    a
}

#[test]
fn corpus_and_mutations_never_crash() {
    let corpus = corpus();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let scratch = tempfile::tempdir().expect("temp dir");
    let mut inputs: Vec<(Kind, PathBuf)> = Vec::new();
    let listing = |dir: PathBuf| -> Vec<PathBuf> {
        let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
            .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default();
        v.sort();
        v
    };
    for p in listing(corpus.join("pcap"))
        .into_iter()
        .chain(listing(corpus.join("tls")))
        .chain([
            repo.join("captures/demo/mobile-office.pcapng"),
            repo.join("tests/fixtures/detect/labelled.pcap"),
        ])
    {
        if matches!(extension(&p).as_str(), "pcap" | "pcapng") {
            inputs.push((Kind::Capture, p));
        }
    }
    inputs.extend(
        listing(corpus.join("har"))
            .into_iter()
            .map(|p| (Kind::Har, p)),
    );
    inputs.extend(
        listing(corpus.join("apk"))
            .into_iter()
            .map(|p| (Kind::Apk, p)),
    );
    inputs.extend(
        listing(corpus.join("ios"))
            .into_iter()
            .map(|p| (Kind::Manifest, p)),
    );
    assert!(
        inputs.len() > 60,
        "expected the whole corpus, found {} files",
        inputs.len()
    );

    let mut cases: Vec<Case> = Vec::new();
    let mut rng = Rng::new(0x9e37_79b9_7f4a_7c15);
    for (i, (kind, path)) in inputs.iter().enumerate() {
        let bytes = std::fs::read(path).expect("read corpus file");
        let keylog = [path.with_extension("keylog")]
            .into_iter()
            .find(|k| k.is_file())
            .or_else(|| {
                (path
                    .file_name()
                    .is_some_and(|n| n == "mobile-office.pcapng"))
                .then(|| repo.join("captures/demo/mobile-office.keylog"))
            });
        cases.push(Case {
            file: path.clone(),
            args: args_for(*kind, i, keylog.as_deref()),
            what: "original".into(),
        });
        if bytes.len() > MUTATE_MAX_BYTES {
            continue;
        }
        let mutations = match kind {
            Kind::Capture => capture_mutations(&mut rng, &bytes),
            _ => generic_mutations(&mut rng, &bytes, *kind),
        };
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let ext = extension(path);
        for (j, (what, data)) in mutations.into_iter().enumerate() {
            let file = scratch.path().join(format!("{stem}.m{j}.{ext}"));
            std::fs::write(&file, &data).expect("write mutated copy");
            cases.push(Case {
                file,
                args: args_for(*kind, i + j, keylog.as_deref()),
                what,
            });
        }
    }
    // Hand-made hostile files the corpus lacks.
    let deep = scratch.path().join("deep-nesting.har");
    std::fs::write(
        &deep,
        format!(
            "{{\"log\":{{\"entries\":[{{\"request\":{{\"postData\":{{\"text\":\"{}\"}}}}}}]}}}}{}",
            "[".repeat(5000),
            "[".repeat(100_000)
        ),
    )
    .expect("write");
    cases.push(Case {
        file: deep,
        args: vec!["scan".into(), "--no-progress".into()],
        what: "JSON nested 100 000 deep".into(),
    });
    let empty = scratch.path().join("empty.pcap");
    std::fs::write(&empty, b"").expect("write");
    cases.push(Case {
        file: empty,
        args: vec!["flows".into(), "--no-progress".into()],
        what: "empty file".into(),
    });

    // Two runs at a time: the machine has two cores.
    let started = Instant::now();
    let next = Mutex::new(0usize);
    let failures = Mutex::new(Vec::<String>::new());
    let slowest = Mutex::new((Duration::ZERO, String::new()));
    let peak = Mutex::new(0u64);
    let exits = Mutex::new([0usize; 3]);
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                loop {
                    let i = {
                        let mut n = next.lock().expect("lock");
                        *n += 1;
                        *n - 1
                    };
                    let Some(case) = cases.get(i) else { break };
                    let out = run(case, scratch.path(), i);
                    if let Some(c @ 0..=2) = out.code {
                        exits.lock().expect("lock")[c as usize] += 1;
                    }
                    {
                        let mut sl = slowest.lock().expect("lock");
                        if out.elapsed > sl.0 {
                            *sl = (
                                out.elapsed,
                                format!("{} ({})", case.file.display(), case.what),
                            );
                        }
                    }
                    {
                        let mut p = peak.lock().expect("lock");
                        *p = (*p).max(out.peak_kib);
                    }
                    if let Err(e) = check(case, &out) {
                        failures.lock().expect("lock").push(e);
                    }
                }
            });
        }
    });
    let failures = failures.into_inner().expect("lock");
    let (slow, slow_case) = slowest.into_inner().expect("lock");
    let exits = exits.into_inner().expect("lock");
    eprintln!(
        "{} runs in {:.1} s (exit 0/1/2: {}/{}/{}); slowest {:.2} s: {slow_case}; highest peak RSS {} KiB",
        cases.len(),
        started.elapsed().as_secs_f64(),
        exits[0],
        exits[1],
        exits[2],
        slow.as_secs_f64(),
        peak.into_inner().expect("lock"),
    );
    if !failures.is_empty() {
        // Keep the mutated copies for reproduction.
        let kept = scratch.keep();
        panic!(
            "{} of {} runs failed (mutated copies kept in {}):\n\n{}",
            failures.len(),
            cases.len(),
            kept.display(),
            failures.join("\n\n")
        );
    }
}
