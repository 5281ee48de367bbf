//! The results store at the binary's edge: storing an audit (`audit --store`,
//! `--against-previous`), `diff`, `history`, `fleet`, `reaudit` and `import`.

use std::io::Write as _;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use privaudit::audit::{
    self, AuditReport, Collector, ConsentInfo, Coverage, InputInfo, Options, PackageFacts,
};
use privaudit::cli::{AuditArgs, AuditFormat};
use privaudit::policy::Declaration;
use privaudit::report::output::Output;
use privaudit::sdk::signatures::SdkDb;
use privaudit::signatures::Ontology;
use privaudit::store::cli::{
    DiffArgs, DiffFormat, FleetArgs, FleetFormat, HistoryArgs, ImportArgs, ListFormat, ReauditArgs,
};
use privaudit::store::diff::{Diff, Side};
use privaudit::store::fleet::Fleet;
use privaudit::store::record::{
    RunMeta, app_and_version, pack, sha256_hex, signatures_version, unpack,
};
use privaudit::store::snapshot::Snapshot;
use privaudit::store::{RunRecord, RunSelector, Store, StoreUrl};
use privaudit::time::Timestamp;
use serde_json::Value;

const CHANGES_TITLE: &str = "Changes since the previous version";
/// The version runs are stored under when neither `--app-version` nor a package says.
const UNVERSIONED: &str = "unversioned";

fn file_hash(path: &Path) -> String {
    std::fs::read(path)
        .map(|b| sha256_hex(&b))
        .unwrap_or_else(|_| format!("unreadable:{}", path.display()))
}

/// Everything besides inputs, policy and signatures that changes an audit's result,
/// so that two runs differing in it are two runs.
fn options_identity(args: &AuditArgs, options: &Options) -> String {
    let mut parts = vec![
        format!("max_per_minute={}", options.max_per_minute),
        format!(
            "consent={:?}",
            options.consent.as_ref().map(|c| (c.ts.0, c.source.clone()))
        ),
        format!("first_party={:?}", args.parties.first_party),
        format!("package={:?}", args.parties.package),
        format!("show_values={}", args.show_values),
        format!("limits={:?}", args.limits),
    ];
    let files = [
        ("device", args.device.as_deref()),
        ("baseline", args.baseline.as_deref()),
        ("data_safety", args.data_safety.as_deref()),
        ("geoip", args.geoip.as_deref()),
    ];
    for (name, path) in files {
        if let Some(p) = path {
            parts.push(format!("{name}={}", file_hash(p)));
        }
    }
    for k in &args.keylog.keylog {
        parts.push(format!("keylog={}", file_hash(k)));
    }
    for k in &args.api_log {
        parts.push(format!("api_log={}", file_hash(k)));
    }
    parts.push(format!(
        "api_log_offset={:?};api_log_window={:?}",
        args.api_log_offset, args.api_log_window
    ));
    parts.join(";")
}

/// Stores the finished audit when `--store` is given; with `--against-previous`,
/// returns what changed since the app's previous stored version.
pub fn after_audit(
    args: &AuditArgs,
    report: &AuditReport,
    collector: &Collector,
    facts: Option<&PackageFacts>,
    options: &Options,
) -> Result<Option<Diff>> {
    let Some(url_text) = &args.store.store else {
        return Ok(None);
    };
    let url = StoreUrl::parse(url_text)?;
    let json = serde_json::to_value(report).context("cannot serialise the report")?;
    let (found_app, found_version) = app_and_version(&json);
    // Without an id, the policy's app name keeps one app's runs together.
    let app = args
        .store
        .app_id
        .clone()
        .or(found_app)
        .or_else(|| Some(report.app.name.trim().to_string()).filter(|n| !n.is_empty()))
        .unwrap_or_else(|| "unknown".into());
    let version = match args.store.app_version.clone().or(found_version) {
        Some(v) => v,
        None => {
            eprintln!(
                "warning: the app's version is unknown; the run is stored as {app}@{UNVERSIONED} (give --app-version, or --app with the package)"
            );
            UNVERSIONED.to_string()
        }
    };
    let policy_bytes = std::fs::read(&args.policy)
        .with_context(|| format!("{}: cannot read the policy", args.policy.display()))?;
    let snapshot = Snapshot::capture(
        collector,
        options.consent.as_ref(),
        options.max_per_minute,
        facts,
    );
    let signatures = signatures_version(args.parties.signatures.as_deref());
    let run = RunRecord::from_report(
        &json,
        &RunMeta {
            app: &app,
            version: &version,
            policy_bytes: &policy_bytes,
            policy_path: &args.policy.display().to_string(),
            signatures: &signatures,
            options: &options_identity(args, options),
        },
        Some(pack(&snapshot)),
    )?;
    let mut store = Store::open(&url)?;
    let (id, new) = store.put(&run)?;
    eprintln!(
        "{} {app}@{version} as run {id} in {}",
        if new { "stored" } else { "already stored:" },
        url.display()
    );
    if !args.store.against_previous {
        return Ok(None);
    }
    let fail_on = args.fail_on.as_str();
    let current = Side::from_run(&format!("{}#{id}", url.display()), &store.get(id)?);
    match store.previous(id)? {
        Some(prev) => {
            let old = store.get(prev)?;
            let side = Side::from_run(&format!("{}#{prev}", url.display()), &old);
            Ok(Some(privaudit::store::diff::diff(&side, &current, fail_on)))
        }
        None => {
            eprintln!(
                "note: no earlier run of {app} in {}; nothing to compare with",
                url.display()
            );
            Ok(None)
        }
    }
}

/// Writes the audit report with its "changes" section (JSON: a `changes` member;
/// table and Markdown: a section after the report).
pub fn render_with_changes(
    report: &AuditReport,
    args: &AuditArgs,
    ontology: &Ontology,
    style: privaudit::report::audit::Style,
    changes: &Diff,
    out: &mut Output,
) -> Result<()> {
    match args.format {
        AuditFormat::Json => {
            let mut v = serde_json::to_value(report)?;
            if let Some(map) = v.as_object_mut() {
                map.insert("changes".into(), serde_json::to_value(changes)?);
            }
            serde_json::to_writer_pretty(&mut *out, &v)?;
            out.write_all(b"\n")?;
        }
        AuditFormat::Sarif => {
            let mut buf = Vec::new();
            privaudit::report::audit::render_styled(
                report,
                AuditFormat::Sarif,
                args.lang,
                ontology,
                style,
                &mut buf,
            )?;
            let mut v: Value =
                serde_json::from_slice(&buf).context("cannot read back the SARIF report")?;
            sarif_baseline_state(&mut v, changes);
            serde_json::to_writer_pretty(&mut *out, &v)?;
            out.write_all(b"\n")?;
        }
        format => {
            privaudit::report::audit::render_styled(
                report, format, args.lang, ontology, style, out,
            )?;
            match format {
                AuditFormat::Table => write!(out, "\n{}", changes.table(CHANGES_TITLE))?,
                AuditFormat::Markdown => write!(out, "\n{}", changes.markdown(CHANGES_TITLE, 2))?,
                // JUnit has no place for it; say so rather than drop it silently.
                _ => eprint!("{}", changes.table(CHANGES_TITLE)),
            }
        }
    }
    Ok(())
}

/// SARIF's own way to say what changed: `baselineState` on every result, by the
/// fingerprint each result carries (`partialFingerprints["privaudit/v1"]`).
fn sarif_baseline_state(sarif: &mut Value, changes: &Diff) {
    let new: std::collections::BTreeSet<&str> = changes
        .findings
        .new
        .iter()
        .map(|f| f.fingerprint.as_str())
        .collect();
    let updated: std::collections::BTreeSet<&str> = changes
        .findings
        .changed
        .iter()
        .map(|c| c.finding.fingerprint.as_str())
        .collect();
    let Some(runs) = sarif.get_mut("runs").and_then(Value::as_array_mut) else {
        return;
    };
    for run in runs {
        let Some(results) = run.get_mut("results").and_then(Value::as_array_mut) else {
            continue;
        };
        for r in results {
            let fp = r["partialFingerprints"]["privaudit/v1"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            let state = if new.contains(fp.as_str()) {
                "new"
            } else if updated.contains(fp.as_str()) {
                "updated"
            } else {
                "unchanged"
            };
            if let Some(obj) = r.as_object_mut() {
                obj.insert("baselineState".into(), Value::from(state));
            }
        }
    }
}

/// The HTML report with the changes section placed before its end.
pub fn html_with_changes(html: String, changes: Option<&Diff>) -> String {
    let Some(c) = changes else { return html };
    let section = c.html_section(CHANGES_TITLE);
    match html.rfind("</body>") {
        Some(i) => format!("{}{section}{}", &html[..i], &html[i..]),
        None => html + &section,
    }
}

/// One side of a diff: a report file or a stored run.
fn load_side(text: &str) -> Result<Side> {
    if StoreUrl::looks_like(text) {
        let (url, sel) = StoreUrl::parse_run(text)?;
        let mut store = Store::open_existing(&url)?;
        let id = store.resolve(&sel)?;
        let run = store.get(id)?;
        return Ok(Side::from_run(&format!("{}#{id}", url.display()), &run));
    }
    let bytes = std::fs::read(text).with_context(|| format!("{text}: cannot read"))?;
    let v: Value = serde_json::from_slice(&bytes).with_context(|| {
        format!("{text}: not JSON; give an `audit --format json` report or a store URL (sqlite:PATH#APP@VERSION)")
    })?;
    if v["schema"]
        .as_str()
        .is_none_or(|s| !s.starts_with("privaudit.audit/"))
    {
        bail!("{text}: not a privaudit audit report (its `schema` is not privaudit.audit/1)");
    }
    Ok(Side::from_report(text, &v))
}

pub fn diff(args: &DiffArgs) -> Result<ExitCode> {
    let old = load_side(&args.old)?;
    let new = load_side(&args.new)?;
    let d = privaudit::store::diff::diff(&old, &new, args.fail_on.as_str());
    let mut out = Output::open(args.output.as_deref()).context("cannot open the output file")?;
    match args.format {
        DiffFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &d)?;
            out.write_all(b"\n")?;
        }
        DiffFormat::Table => out.write_all(d.table("Changes").as_bytes())?,
        DiffFormat::Markdown => out.write_all(d.markdown("Privacy changes", 3).as_bytes())?,
    }
    out.finish().context("cannot write the diff")?;
    Ok(if d.summary.failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

pub fn history(args: &HistoryArgs) -> Result<ExitCode> {
    let url = StoreUrl::parse(&args.store)?;
    let mut store = Store::open_existing(&url)?;
    let runs = store.history(args.app.as_deref())?;
    let mut out = Output::open(None)?;
    match args.format {
        ListFormat::Json => {
            serde_json::to_writer_pretty(
                &mut out,
                &serde_json::json!({"schema": "privaudit.history/1", "runs": runs}),
            )?;
            out.write_all(b"\n")?;
        }
        ListFormat::Table => {
            let mut t = comfy_table::Table::new();
            t.load_style(comfy_table::presets::UTF8_FULL_CONDENSED);
            t.set_header([
                "run",
                "app",
                "version",
                "stored",
                "critical",
                "high",
                "medium",
                "low",
                "info",
                "policy",
                "signatures",
            ]);
            for r in &runs {
                t.add_row([
                    r.id.to_string(),
                    r.app.clone(),
                    r.version.clone(),
                    r.stored_at.clone(),
                    r.critical.to_string(),
                    r.high.to_string(),
                    r.medium.to_string(),
                    r.low.to_string(),
                    r.info.to_string(),
                    r.policy_hash.chars().take(12).collect(),
                    r.signatures.clone(),
                ]);
            }
            if runs.is_empty() {
                writeln!(out, "no runs stored in {}", url.display())?;
            } else {
                writeln!(out, "{t}")?;
            }
        }
    }
    out.finish()?;
    Ok(ExitCode::SUCCESS)
}

pub fn fleet(args: &FleetArgs) -> Result<ExitCode> {
    let url = StoreUrl::parse(&args.store)?;
    let mut store = Store::open_existing(&url)?;
    let rows = store.fleet_rows()?;
    let update = match &args.signatures {
        Some(dir) => Some((signatures_version(Some(dir)), SdkDb::load(Some(dir))?)),
        None => None,
    };
    let fleet = Fleet::build(rows, update.as_ref().map(|(v, db)| (v.as_str(), db)));
    let mut out = Output::open(args.output.as_deref()).context("cannot open the output file")?;
    match args.format {
        FleetFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &fleet)?;
            out.write_all(b"\n")?;
        }
        FleetFormat::Html => out.write_all(fleet.html().as_bytes())?,
    }
    out.finish().context("cannot write the fleet view")?;
    Ok(ExitCode::SUCCESS)
}

fn input_info(v: &Value) -> InputInfo {
    let ts = |k: &str| v[k].as_str().and_then(Timestamp::parse);
    InputInfo {
        path: v["path"].as_str().unwrap_or_default().to_string(),
        format: v["format"].as_str().unwrap_or_default().to_string(),
        frames: v["frames"].as_u64().unwrap_or(0),
        first_ts: ts("first_ts"),
        last_ts: ts("last_ts"),
        sha256: v["sha256"].as_str().map(str::to_string),
        damage: v["damage"].as_str().map(str::to_string),
    }
}

fn coverage(v: &Value) -> Coverage {
    let n = |k: &str| v[k].as_u64().unwrap_or(0);
    Coverage {
        requests_inspected: n("requests_inspected"),
        cleartext_requests: n("cleartext_requests"),
        decrypted_requests: n("decrypted_requests"),
        connections_decrypted: n("connections_decrypted"),
        connections_not_decrypted: n("connections_not_decrypted"),
        requests_not_readable: n("requests_not_readable"),
        payload_not_readable: v["payload_not_readable"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|p| audit::PayloadNotReadable {
                party: p["party"].as_str().unwrap_or_default().to_string(),
                requests: p["requests"].as_u64().unwrap_or(0),
                example: p["example"].as_object().map(|e| {
                    let text = |k: &str| {
                        e.get(k)
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                            .to_string()
                    };
                    audit::collect::UnreadableExample {
                        host: text("host"),
                        field: text("field"),
                        kind: text("kind"),
                        file: text("file"),
                        frame: e.get("frame").and_then(Value::as_u64).unwrap_or(0),
                        // Not in the report; nothing reads it after the audit.
                        ts: Timestamp(0),
                    }
                }),
            })
            .collect(),
        not_decrypted: v["not_decrypted"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|x| {
                Some((
                    x[0].as_str()?.to_string(),
                    x[1].as_str()?.to_string(),
                    x[2].as_u64()?,
                ))
            })
            .collect(),
    }
}

pub fn reaudit(args: &ReauditArgs) -> Result<ExitCode> {
    if args.format == AuditFormat::Pdf {
        bail!(
            "reaudit writes table, json, sarif, junit, markdown or html; print the HTML for a PDF"
        );
    }
    let url = StoreUrl::parse(&args.store)?;
    let mut store = Store::open_existing(&url)?;
    let sel = match args.run.parse::<i64>() {
        Ok(id) => RunSelector::Id(id),
        Err(_) => match args.run.rsplit_once('@') {
            Some((app, version)) => RunSelector::AppVersion {
                app: app.to_string(),
                version: version.to_string(),
            },
            None => RunSelector::LatestOf(args.run.clone()),
        },
    };
    let id = store.resolve(&sel)?;
    let run = store.get(id)?;
    let Some(blob) = &run.observations else {
        bail!(
            "{}: run {id} was stored without its observations; audit the captures again",
            url.display()
        );
    };
    let snap: Snapshot = unpack(blob)
        .map_err(|e| anyhow::anyhow!("{}: run {id}: stored observations: {e}", url.display()))?;
    let collector = snap
        .collector()
        .map_err(|e| anyhow::anyhow!("{}: run {id}: {e}", url.display()))?;
    let decl = Declaration::load(&args.policy)?;
    let ontology = Ontology::load(args.signatures.as_deref())?;
    let sdks = SdkDb::load(args.signatures.as_deref())?;
    // As in `audit`: a misspelt id in the policy would turn into a false finding.
    let problems = privaudit::policy::check::problems(&decl, &ontology, &sdks);
    if !problems.is_empty() {
        let text = std::fs::read_to_string(&args.policy).unwrap_or_default();
        let lines: Vec<String> = problems
            .iter()
            .map(|p| match p.line(&text) {
                Some(l) => format!("{}:{l}: {p}", args.policy.display()),
                None => format!("{}: {p}", args.policy.display()),
            })
            .collect();
        bail!(
            "the policy declaration has {} mistake{}:\n{}",
            lines.len(),
            if lines.len() == 1 { "" } else { "s" },
            lines.join("\n")
        );
    }
    let facts = snap.package_facts();
    let consent: Option<ConsentInfo> = snap.consent();
    let options = Options {
        consent: consent.clone(),
        max_per_minute: args.max_per_minute.unwrap_or(snap.max_per_minute),
        fail_on: args.fail_on,
        show_values: false,
        baseline: Default::default(),
    };
    let (findings, matrix, sdk_list) = audit::evaluate(
        &collector,
        &decl,
        &ontology,
        &sdks,
        facts.as_ref(),
        &audit::Extras::default(),
        &options,
    );
    let summary = audit::summarise(&findings, args.fail_on);
    let report = AuditReport {
        schema: audit::SCHEMA,
        tool: format!("privaudit {}", env!("CARGO_PKG_VERSION")),
        app: decl.app.clone(),
        policy: args.policy.display().to_string(),
        inputs: run
            .report
            .get("inputs")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(input_info)
            .collect(),
        package: facts.as_ref().and_then(|f| f.summary.clone()),
        consent,
        consent_unmatched: run.report["consent_unmatched"].as_str().map(str::to_string),
        consent_note: run.report["consent_note"].as_str().map(str::to_string),
        summary,
        findings,
        matrix,
        sdks: sdk_list,
        timeline: audit::timeline(&collector, 200),
        coverage: coverage(&run.report["coverage"]),
        // API-call logs are not stored: their rules are not re-evaluated.
        api_logs: Vec::new(),
    };
    eprintln!(
        "re-evaluated run {id} ({}@{}) against {}",
        run.app,
        run.version,
        args.policy.display()
    );
    let mut out = Output::open(args.output.as_deref()).context("cannot open the output file")?;
    if args.format == AuditFormat::Html {
        let html = privaudit::report::html::render(&report, args.lang, &ontology)
            .context("cannot render the HTML report")?;
        out.write_all(html.as_bytes())?;
    } else {
        privaudit::report::audit::render(&report, args.format, args.lang, &ontology, &mut out)?;
    }
    out.finish().context("cannot write the report")?;
    Ok(if report.summary.failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

pub fn import(args: &ImportArgs) -> Result<ExitCode> {
    let url = StoreUrl::parse(&args.store)?;
    let policy_bytes = match &args.policy {
        Some(p) => {
            std::fs::read(p).with_context(|| format!("{}: cannot read the policy", p.display()))?
        }
        None => Vec::new(),
    };
    // Read and check every report before storing any, so a typo stores nothing.
    let mut runs = Vec::with_capacity(args.reports.len());
    for path in &args.reports {
        let bytes =
            std::fs::read(path).with_context(|| format!("{}: cannot read", path.display()))?;
        let report: Value = serde_json::from_slice(&bytes).with_context(|| {
            format!(
                "{}: not JSON; give `audit --format json` reports",
                path.display()
            )
        })?;
        let (found_app, found_version) = app_and_version(&report);
        let app = args
            .app_id
            .clone()
            .or(found_app)
            .or_else(|| report["app"]["name"].as_str().map(str::to_string))
            .unwrap_or_else(|| "unknown".into());
        let version = args
            .app_version
            .clone()
            .or(found_version)
            .unwrap_or_else(|| UNVERSIONED.into());
        let policy_path = args
            .policy
            .as_ref()
            .map(|p| p.display().to_string())
            .or_else(|| report["policy"].as_str().map(str::to_string))
            .unwrap_or_default();
        let run = RunRecord::from_report(
            &report,
            &RunMeta {
                app: &app,
                version: &version,
                policy_bytes: &policy_bytes,
                policy_path: &policy_path,
                signatures: "unknown",
                options: "imported",
            },
            None,
        )
        .with_context(|| path.display().to_string())?;
        let mut run = run;
        if args.policy.is_none() {
            run.policy_hash = "unknown".into();
        }
        runs.push((path, run));
    }
    let mut store = Store::open(&url)?;
    for (path, run) in &runs {
        let (id, new) = store.put(run)?;
        eprintln!(
            "{}: {} {}@{} as run {id}",
            path.display(),
            if new { "stored" } else { "already stored:" },
            run.app,
            run.version
        );
    }
    Ok(ExitCode::SUCCESS)
}
