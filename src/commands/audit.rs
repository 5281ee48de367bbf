//! `privaudit audit`: the app's behaviour against its policy declaration.

use std::collections::BTreeSet;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use privaudit::audit::{self, AuditReport, Collector, ConsentInfo, Coverage, Options};
use privaudit::cli::{AuditArgs, AuditFormat, Cli};
use privaudit::detect::Detector;
use privaudit::detect::profile::DeviceProfile;
use privaudit::policy::Declaration;
use privaudit::report::output::Output;
use privaudit::signatures::Ontology;
use privaudit::time::Timestamp;

fn read_baseline(path: &std::path::Path) -> Result<BTreeSet<String>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("{}: cannot read the baseline", path.display()))?;
    let v: serde_json::Value = serde_json::from_str(&text).with_context(|| {
        format!(
            "{}: not a privaudit baseline (JSON with a `fingerprints` list)",
            path.display()
        )
    })?;
    let list = v
        .get("fingerprints")
        .and_then(|f| f.as_array())
        .with_context(|| format!("{}: no `fingerprints` list", path.display()))?;
    Ok(list
        .iter()
        .filter_map(|x| x.as_str().map(str::to_string))
        .collect())
}

pub fn run(cli: &Cli, args: &AuditArgs) -> Result<ExitCode> {
    if args.format == AuditFormat::Pdf {
        match &args.output {
            None => bail!("--format pdf needs --output FILE.pdf"),
            Some(_) if privaudit::report::pdf::find_chromium().is_none() => {
                // Fail before the analysis rather than after minutes of work.
                return Err(privaudit::report::pdf::PdfError::NoChromium.into());
            }
            Some(_) => {}
        }
    }
    if let Some(path) = &args.output {
        privaudit::report::output::check_writable(path)?;
    }
    let limits = args.limits.to_limits();
    let keys = super::common::keys(&args.keylog)?;
    let decl = Declaration::load(&args.policy)?;
    let ontology = Ontology::load(args.parties.signatures.as_deref())?;
    let mut annotator = super::common::annotator(&args.parties, &decl.app.first_party)?;
    // A misspelt id in the policy would turn into a false finding: stop here.
    let problems =
        privaudit::policy::check::problems(&decl, &ontology, annotator.attributor().sdks());
    if !problems.is_empty() {
        let text = std::fs::read_to_string(&args.policy).unwrap_or_default();
        let lines: Vec<String> = problems
            .iter()
            .map(|p| match p.line(&text) {
                Some(l) => format!("{}:{l}: {}", args.policy.display(), p),
                None => format!("{}: {}", args.policy.display(), p),
            })
            .collect();
        bail!(
            "the policy declaration has {} mistake{}:\n{}",
            lines.len(),
            if lines.len() == 1 { "" } else { "s" },
            lines.join("\n")
        );
    }
    let profile = args
        .device
        .as_deref()
        .map(|p| DeviceProfile::load_checked(p, &ontology))
        .transpose()?;
    let detector = Detector::new(&ontology, profile.as_ref(), &limits);
    let consent_at =
        match &args.consent_at {
            Some(t) => Some(Timestamp::parse(t).with_context(|| {
                format!("--consent-at {t}: not an RFC 3339 time or epoch seconds")
            })?),
            None => None,
        };
    let marker = match &args.consent_marker {
        Some(m) => Some(
            regex::Regex::new(m)
                .with_context(|| format!("--consent-marker {m}: not a valid regex"))?,
        ),
        None => None,
    };
    let baseline = match &args.baseline {
        Some(p) => read_baseline(p)?,
        None => BTreeSet::new(),
    };
    if args.inputs.is_empty() && args.app.is_none() && args.api_log.is_empty() {
        bail!("nothing to audit: give captures or HAR files, --app and/or --api-log");
    }
    let api_log_offset = match &args.api_log_offset {
        Some(o) => Some(privaudit::apilog::clock::parse_offset(o).with_context(|| {
            format!("--api-log-offset {o}: not an offset (`-8h`, `+1.5s`, `-08:00`, seconds)")
        })?),
        None => None,
    };

    let data_safety = match &args.data_safety {
        Some(path) => {
            let table = privaudit::policy::datasafety::table::PlayTable::load(
                args.parties.signatures.as_deref(),
                &ontology,
            )?;
            let bytes = std::fs::read(path).with_context(|| {
                format!("{}: cannot read the Data safety export", path.display())
            })?;
            let ds = privaudit::policy::datasafety::parse_with(
                &bytes,
                &path.display().to_string(),
                &table,
            )?;
            for w in &ds.warnings {
                eprintln!("warning: {}: {w}", path.display());
            }
            Some((ds, path.display().to_string()))
        }
        None => None,
    };
    let geo = match &args.geoip {
        Some(path) => {
            if decl.promises.storage_region.is_none() {
                eprintln!(
                    "warning: --geoip given but {} promises no storage_region; the cross-border rule has nothing to compare with",
                    args.policy.display()
                );
            }
            Some(privaudit::audit::geo::GeoDb::open(path)?)
        }
        None => None,
    };
    let mut extras = audit::Extras {
        data_safety: data_safety.as_ref().map(|(d, p)| (d, p.clone())),
        geo: geo.as_ref(),
        api: None,
    };
    let package = match &args.app {
        Some(path) => Some(super::sdks::load_inventory(
            path,
            args.parties.signatures.as_deref(),
            &ontology,
        )?),
        None => None,
    };
    if let Some(inv) = &package
        && annotator.package().is_none()
        && inv.platform == "android"
        && let Some(id) = &inv.id
    {
        // PCAPdroid captures name the sending app: keep this one's traffic only.
        annotator.set_package(id.clone());
    }
    let mut collector = Collector::new(marker);
    let inputs = super::common::collect_traffic(
        cli,
        &args.inputs,
        &super::common::Reading {
            limits: &limits,
            keys: &keys,
            threads: args.engine.threads(),
        },
        &mut annotator,
        &detector,
        &mut collector,
    )?;

    let api = super::api_log::for_audit(
        &args.api_log,
        api_log_offset,
        &inputs,
        args.parties.signatures.as_deref(),
        &ontology,
        annotator.attributor().sdks(),
    )?;
    let consent = match (consent_at, &collector.marker_hit) {
        (Some(ts), _) => Some(ConsentInfo {
            ts,
            source: "--consent-at".into(),
        }),
        (None, Some((ts, file, frame, target))) => Some(ConsentInfo {
            ts: *ts,
            source: format!(
                "first request matching --consent-marker: {target} ({file} frame {frame})"
            ),
        }),
        (None, None) => None,
    };
    let marker_missed = consent.is_none() && args.consent_marker.is_some();
    // Without --consent-at or a marker hit, a log's own consent record stands in.
    let consent = consent.or_else(|| api.consent());
    let consent_unmatched = match (&consent, &args.consent_marker) {
        (None, Some(m)) => Some(m.clone()),
        _ => None,
    };
    let consent_note = consent_unmatched.as_ref().map(|m| {
        format!("before-consent rules not evaluated: the consent marker {m} matched nothing")
    });
    if let Some(note) = &consent_note {
        if args.require_consent_marker {
            bail!(
                "{note} (no request's host+path+query matched it); check the marker against `privaudit flows` output, or drop --require-consent-marker"
            );
        }
        eprintln!("warning: {note}");
    } else if marker_missed && let (Some(m), Some(c)) = (&args.consent_marker, &consent) {
        if args.require_consent_marker {
            bail!(
                "the consent marker {m} matched no request (host+path+query); check it against `privaudit flows` output, or drop --require-consent-marker"
            );
        }
        eprintln!(
            "warning: the consent marker {m} matched nothing; consent taken from the {}",
            c.source
        );
    }
    let options = Options {
        consent: consent.clone(),
        max_per_minute: args.max_per_minute,
        fail_on: args.fail_on,
        show_values: args.show_values,
        baseline,
    };
    let sdks = annotator.attributor().sdks();
    let facts = package.as_ref().map(|p| p.facts());
    let api_set = api.set(args.api_log_window);
    let api_timeline = audit::apilog_rules::timeline(&api_set.inputs);
    extras.api = (!api_set.inputs.is_empty()).then_some(api_set);
    let (findings, matrix, sdk_list) = audit::evaluate(
        &collector,
        &decl,
        &ontology,
        sdks,
        facts.as_ref(),
        &extras,
        &options,
    );
    let summary = audit::summarise(&findings, args.fail_on);
    let mut coverage = Coverage {
        requests_inspected: collector.requests,
        ..Coverage::default()
    };
    for (host, c) in &collector.coverage {
        coverage.cleartext_requests += c.http_cleartext;
        coverage.decrypted_requests += c.https_decrypted;
        coverage.connections_decrypted += c.connections_decrypted;
        for (reason, n) in &c.not_decrypted {
            coverage.connections_not_decrypted += n;
            coverage
                .not_decrypted
                .push((host.clone(), reason.clone(), *n));
        }
    }
    coverage
        .not_decrypted
        .sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.0.cmp(&b.0)));
    for (party, u) in &collector.unreadable {
        coverage.requests_not_readable += u.requests;
        coverage
            .payload_not_readable
            .push(audit::PayloadNotReadable {
                party: party.clone(),
                requests: u.requests,
                example: u.example.clone(),
            });
    }
    coverage.payload_not_readable.sort_by(|a, b| {
        b.requests
            .cmp(&a.requests)
            .then_with(|| a.party.cmp(&b.party))
    });
    let report = AuditReport {
        schema: audit::SCHEMA,
        tool: format!("privaudit {}", env!("CARGO_PKG_VERSION")),
        app: decl.app.clone(),
        policy: args.policy.display().to_string(),
        inputs,
        package: facts.as_ref().and_then(|f| f.summary.clone()),
        consent,
        consent_unmatched,
        consent_note,
        summary,
        findings,
        matrix,
        sdks: sdk_list,
        timeline: audit::apilog_rules::merge_timeline(
            audit::timeline(&collector, 200),
            api_timeline,
        ),
        coverage,
        api_logs: api.infos(),
    };

    let changes = super::store::after_audit(args, &report, &collector, facts.as_ref(), &options)?;

    if let Some(path) = &args.write_baseline {
        let fingerprints: Vec<&str> = report
            .findings
            .iter()
            .map(|f| f.fingerprint.as_str())
            .collect();
        let body = serde_json::json!({
            "schema": "privaudit.baseline/1",
            "policy": report.policy,
            "fingerprints": fingerprints,
        });
        let mut out = Output::open(Some(path))
            .with_context(|| format!("{}: cannot write the baseline", path.display()))?;
        serde_json::to_writer_pretty(&mut out, &body)?;
        std::io::Write::write_all(&mut out, b"\n")?;
        out.finish()
            .with_context(|| format!("cannot write {}", path.display()))?;
        eprintln!(
            "baseline with {} fingerprints written to {}",
            fingerprints.len(),
            path.display()
        );
    }

    match args.format {
        AuditFormat::Html | AuditFormat::Pdf => {
            let html = privaudit::report::html::render(&report, args.lang, &ontology)
                .context("cannot render the HTML report")?;
            let html = super::store::html_with_changes(html, changes.as_ref());
            if let (AuditFormat::Pdf, Some(path)) = (args.format, &args.output) {
                privaudit::report::pdf::print(&html, path)?;
                if privaudit::report::output::is_stdout(path) {
                    eprintln!("PDF report written to standard output");
                } else {
                    eprintln!("PDF report written to {}", path.display());
                }
            } else {
                let mut out = Output::open(args.output.as_deref()).with_context(|| {
                    format!(
                        "{}: cannot open the output file",
                        args.output
                            .as_deref()
                            .unwrap_or(std::path::Path::new("-"))
                            .display()
                    )
                })?;
                std::io::Write::write_all(&mut out, html.as_bytes())?;
                out.finish().context("cannot write the report")?;
            }
        }
        _ => {
            let mut out = Output::open(args.output.as_deref()).with_context(|| {
                format!(
                    "{}: cannot open the output file",
                    args.output
                        .as_deref()
                        .unwrap_or(std::path::Path::new("-"))
                        .display()
                )
            })?;
            let style = privaudit::report::audit::Style::for_stdout(out.is_terminal(), args.wide);
            match &changes {
                Some(c) => {
                    super::store::render_with_changes(&report, args, &ontology, style, c, &mut out)?
                }
                None => privaudit::report::audit::render_styled(
                    &report,
                    args.format,
                    args.lang,
                    &ontology,
                    style,
                    &mut out,
                )?,
            }
            out.finish().context("cannot write the report")?;
        }
    }
    Ok(if report.summary.failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
