//! `privaudit api-log`: read runtime API-call logs and show every call with its data
//! type, the party whose code made it and the stack frame that decided it.

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context, Result};
use privaudit::apilog::{ApiCall, ApiLog, ApiMap};
use privaudit::cli::{ApiLogArgs, ApiLogFormat};
use privaudit::observation::mask;
use privaudit::report::output::Output;
use privaudit::sdk::SdkDb;
use privaudit::signatures::Ontology;

/// Reads and resolves one log; warnings go to stderr.
pub fn load(
    path: &std::path::Path,
    year: i32,
    map: &ApiMap,
    ontology: &Ontology,
    sdks: &SdkDb,
) -> Result<ApiLog> {
    let mut log = ApiLog::read(path, year)?;
    log.resolve(map, ontology, sdks);
    for w in &log.warnings {
        eprintln!("warning: {}: {w}", path.display());
    }
    Ok(log)
}

fn masked(call: &ApiCall, show: bool) -> ApiCall {
    let mut c = call.clone();
    if !show {
        c.result = c.result.map(|r| mask(&r));
    }
    c
}

pub fn run(args: &ApiLogArgs) -> Result<ExitCode> {
    // Fail before any input is read rather than after the work is done.
    if let Some(path) = &args.output {
        privaudit::report::output::check_writable(path)?;
    }
    let ontology = Ontology::load(args.signatures.as_deref())?;
    let sdks = SdkDb::load(args.signatures.as_deref())?;
    let map = ApiMap::load(args.signatures.as_deref())?;
    let year = args
        .year
        .unwrap_or_else(|| chrono::Datelike::year(&chrono::Utc::now()));
    let mut logs = Vec::new();
    for f in &args.files {
        logs.push(load(f, year, &map, &ontology, &sdks)?);
    }
    let mut out = Output::open(args.output.as_deref()).with_context(|| match &args.output {
        Some(p) => format!("cannot write {}", p.display()),
        None => "cannot write to standard output".into(),
    })?;
    match args.format {
        ApiLogFormat::Json => {
            let shown: Vec<ApiLog> = logs
                .iter()
                .map(|l| {
                    let mut l = l.clone();
                    l.calls = l
                        .calls
                        .iter()
                        .map(|c| masked(c, args.show_values))
                        .collect();
                    l
                })
                .collect();
            serde_json::to_writer_pretty(&mut out, &shown)?;
            writeln!(out)?;
        }
        ApiLogFormat::Jsonl => {
            for l in &logs {
                for c in &l.calls {
                    let mut v = serde_json::to_value(masked(c, args.show_values))?;
                    if let Some(o) = v.as_object_mut() {
                        o.insert("source".into(), "api-log".into());
                        o.insert("file".into(), l.path.clone().into());
                        o.insert("format".into(), l.format.as_str().into());
                    }
                    serde_json::to_writer(&mut out, &v)?;
                    writeln!(out)?;
                }
            }
        }
        ApiLogFormat::Table => {
            for l in &logs {
                writeln!(
                    out,
                    "{} ({}, {} calls{})",
                    l.path,
                    l.format.as_str(),
                    l.calls.len(),
                    if l.naive_times {
                        ", times without a zone"
                    } else {
                        ""
                    }
                )?;
                if let Some(c) = &l.consent {
                    writeln!(out, "  consent: {} ({})", c.ts.rfc3339(), c.how)?;
                }
                for c in &l.calls {
                    let consent = match c.after_consent {
                        Some(true) => "after-consent",
                        Some(false) => "BEFORE-CONSENT",
                        None => match &l.consent {
                            Some(k) if k.exact && c.ts < k.ts => "BEFORE-CONSENT",
                            Some(k) if k.exact => "after-consent",
                            _ => "-",
                        },
                    };
                    writeln!(
                        out,
                        "  {:>5} {}  {:<22} {:<32} {:<14} {}{}",
                        c.row,
                        c.ts.rfc3339(),
                        c.party(),
                        c.data_type.as_deref().unwrap_or("(not personal data)"),
                        consent,
                        c.api,
                        c.app_state
                            .filter(|s| *s == privaudit::apilog::AppState::Background)
                            .map(|_| "  [background]")
                            .unwrap_or("")
                    )?;
                    if let Some(f) = &c.attribution.frame {
                        writeln!(out, "        decided by frame: {f} ({})", c.attribution.how)?;
                    }
                }
                for (api, n) in &l.unmapped {
                    writeln!(
                        out,
                        "  unmapped: {api} ({n}x): reads no personal data per signatures/api-calls.toml"
                    )?;
                }
            }
        }
    }
    out.finish().context("cannot write the output")?;
    Ok(ExitCode::SUCCESS)
}

/// The API logs of one audit, each with the clock decided for it.
pub struct AuditApi {
    logs: Vec<ApiLog>,
    clocks: Vec<privaudit::apilog::Clock>,
    map: ApiMap,
}

/// Loads `--api-log` files and aligns each with the captures' span.
pub fn for_audit(
    paths: &[std::path::PathBuf],
    offset: Option<i64>,
    inputs: &[privaudit::audit::InputInfo],
    signatures: Option<&std::path::Path>,
    ontology: &Ontology,
    sdks: &SdkDb,
) -> Result<AuditApi> {
    let map = ApiMap::load(signatures)?;
    let first = inputs.iter().filter_map(|i| i.first_ts).min();
    let last = inputs.iter().filter_map(|i| i.last_ts).max();
    let span = first.zip(last);
    let year = first
        .and_then(|t| chrono::DateTime::from_timestamp(t.0.div_euclid(1_000_000_000), 0))
        .map(|d| chrono::Datelike::year(&d))
        .unwrap_or_else(|| chrono::Datelike::year(&chrono::Utc::now()));
    let mut logs = Vec::new();
    let mut clocks = Vec::new();
    for p in paths {
        let log = load(p, year, &map, ontology, sdks)?;
        let clock = privaudit::apilog::clock::align(log.span(), span, offset, log.naive_times);
        eprintln!("{}: {}", p.display(), clock.trusted);
        logs.push(log);
        clocks.push(clock);
    }
    Ok(AuditApi { logs, clocks, map })
}

impl AuditApi {
    /// The earliest explicit consent record of an aligned log, on the capture clock.
    pub fn consent(&self) -> Option<privaudit::audit::ConsentInfo> {
        self.logs
            .iter()
            .zip(&self.clocks)
            .filter(|(_, c)| c.aligned)
            .filter_map(|(l, c)| {
                l.consent
                    .as_ref()
                    .filter(|k| k.exact)
                    .map(|k| (c.shift(k.ts), k.how.clone()))
            })
            .min_by_key(|(t, _)| *t)
            .map(|(ts, how)| privaudit::audit::ConsentInfo {
                ts,
                source: format!("API log: {how}"),
            })
    }

    /// The logs with their clocks, for `Extras::api`.
    pub fn set(&self, window_s: u64) -> privaudit::audit::apilog_rules::ApiSet<'_> {
        use privaudit::audit::apilog_rules::{ApiSet, Input};
        ApiSet {
            inputs: self
                .logs
                .iter()
                .zip(&self.clocks)
                .map(|(log, clock)| Input {
                    log,
                    clock: clock.clone(),
                })
                .collect(),
            map: &self.map,
            window_ns: (window_s as i64).saturating_mul(1_000_000_000),
        }
    }

    pub fn infos(&self) -> Vec<privaudit::audit::apilog_rules::ApiLogInfo> {
        self.logs
            .iter()
            .zip(&self.clocks)
            .map(|(l, c)| privaudit::audit::apilog_rules::info(l, c))
            .collect()
    }
}
