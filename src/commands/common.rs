//! Plumbing shared by the commands that read traffic.

use std::sync::Arc;

use std::io::Read as _;
use std::path::PathBuf;

use anyhow::{Context, Result};
use privaudit::audit::{Collector, InputInfo};
use privaudit::cli::{Cli, KeylogArgs, PartyArgs};
use privaudit::decrypt::KeyStore;
use privaudit::detect::Detector;
use privaudit::engine::Event;
use privaudit::limits::Limits;
use privaudit::pipeline;
use privaudit::sdk::annotate::Annotator;
use privaudit::sdk::{Attributor, SdkDb};
use sha2::Digest as _;

use super::{ProgressBar, Warnings};

/// The annotator for `--first-party`, `--package` and `--signatures`, with extra
/// first-party domains (from a policy) added.
pub fn annotator(args: &PartyArgs, extra_first_party: &[String]) -> Result<Annotator> {
    let sdks = Arc::new(SdkDb::load(args.signatures.as_deref())?);
    let mut first = args.first_party.clone();
    first.extend(extra_first_party.iter().cloned());
    Ok(Annotator::new(
        Attributor::new(first, sdks),
        args.package.clone(),
    ))
}

/// The key store from `--keylog` files and the SSLKEYLOGFILE variable.
pub fn keys(args: &KeylogArgs) -> Result<KeyStore> {
    let mut store = KeyStore::default();
    let mut files = args.keylog.clone();
    if let Some(env) = std::env::var_os("SSLKEYLOGFILE") {
        let path = std::path::PathBuf::from(env);
        if path.exists() && !files.contains(&path) {
            files.push(path);
        }
    }
    for f in &files {
        let n = store
            .add_file(f)
            .with_context(|| format!("--keylog {}", f.display()))?;
        if n == 0 {
            eprintln!("warning: {}: no key-log entries found", f.display());
        }
    }
    Ok(store)
}

/// One exchange and what was found in it, attributed and counted.
fn exchange(
    annotator: &mut Annotator,
    collector: &mut Collector,
    x: &privaudit::exchange::Exchange,
    found: Vec<privaudit::observation::Observation>,
) {
    if !annotator.keep_app(x.app.as_deref()) {
        return;
    }
    let party = annotator
        .party(x.host().as_deref(), x.dst.map(|d| d.ip))
        .to_string();
    collector.exchange(x, &party);
    for mut obs in found {
        annotator.observation(&mut obs);
        collector.observation(obs);
    }
}

pub fn sha256_file(path: &std::path::Path) -> Option<String> {
    let mut f = std::fs::File::open(path).ok()?;
    let mut h = sha2::Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf).ok()?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Some(h.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

/// Reads every input, attributes each exchange to a party and feeds the requests and
/// the personal data found in them to `collector`. Returns what was read, per file.
/// How traffic is read: limits, secrets and threads.
pub struct Reading<'a> {
    pub limits: &'a Limits,
    pub keys: &'a KeyStore,
    pub threads: usize,
}

pub fn collect_traffic(
    cli: &Cli,
    files: &[PathBuf],
    reading: &Reading<'_>,
    annotator: &mut Annotator,
    detector: &Detector,
    collector: &mut Collector,
) -> Result<Vec<InputInfo>> {
    let Reading {
        limits,
        keys,
        threads,
    } = *reading;
    let mut warnings = Warnings::new(cli.verbose);
    let mut inputs = Vec::new();
    for input in files {
        let bar = ProgressBar::for_file(cli, input);
        // The report names each input by its SHA-256; with threads to spare it is
        // hashed while the traffic is read rather than after.
        // Detection runs where the exchanges are made (on the worker threads).
        let scanner = |x: &privaudit::exchange::Exchange| detector.scan(x);
        let hasher = (threads > 1).then(|| {
            let path = input.clone();
            std::thread::spawn(move || sha256_file(&path))
        });
        let report = pipeline::analyse_input(
            input,
            limits,
            keys,
            threads,
            Some(&scanner),
            &mut |pos| bar.set(pos),
            &mut |event| match event {
                Event::Names(names) => annotator.learn(&names),
                Event::Warning(w) => warnings.add(w),
                Event::Record(mut r) => {
                    if annotator.record(&mut r) {
                        collector.record(&r);
                    }
                }
                Event::Exchange(x) => {
                    let found = detector.scan(&x);
                    exchange(annotator, collector, &x, found);
                }
                Event::Scanned(x, found) => exchange(annotator, collector, &x, found),
            },
        );
        bar.done();
        let report = report?;
        for (host, reason) in &report.not_inspected {
            collector.not_inspected(host, reason);
        }
        eprintln!("{}", report.summary_line());
        if let Some(line) = report.damage_line() {
            eprintln!("warning: {line}");
        }
        inputs.push(InputInfo {
            path: report.path.clone(),
            format: report.capture.format.clone(),
            frames: report.capture.frames,
            first_ts: report.capture.first_ts,
            last_ts: report.capture.last_ts,
            sha256: match hasher {
                Some(h) => h.join().ok().flatten(),
                None => sha256_file(input),
            },
            damage: report.damage_line(),
        });
    }
    warnings.print();
    Ok(inputs)
}
