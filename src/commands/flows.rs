//! `privaudit flows`: decode captures into typed records.

use std::process::ExitCode;

use anyhow::{Context, Result};
use privaudit::cli::{Cli, FlowsArgs};
use privaudit::engine::Event;
use privaudit::pipeline;
use privaudit::record::{HttpRecord, Record};
use privaudit::report::output::Output;
use privaudit::report::records::RecordWriter;

use super::{ProgressBar, Warnings};

pub fn run(cli: &Cli, args: &FlowsArgs) -> Result<ExitCode> {
    // Fail before any input is read rather than after the work is done.
    if let Some(path) = &args.output {
        privaudit::report::output::check_writable(path)?;
    }
    let limits = args.limits.to_limits();
    let keys = super::common::keys(&args.keylog)?;
    let mut annotator = super::common::annotator(&args.parties, &[])?;
    let out = Output::open(args.output.as_deref()).with_context(|| {
        format!(
            "cannot write {}",
            args.output
                .as_deref()
                .map(|p| p.display().to_string())
                .unwrap_or_default()
        )
    })?;
    let mut writer = RecordWriter::new(args.format, out);
    let mut warnings = Warnings::new(cli.verbose);
    let mut write_error: Option<std::io::Error> = None;
    for input in &args.inputs {
        let bar = ProgressBar::for_file(cli, input);
        let report = pipeline::analyse_input(
            input,
            &limits,
            &keys,
            args.engine.threads(),
            None,
            &mut |pos| bar.set(pos),
            &mut |event| {
                let mut record = match event {
                    Event::Record(r) => r,
                    Event::Exchange(x) | Event::Scanned(x, _) => {
                        Record::Http(HttpRecord::from_exchange(&x))
                    }
                    Event::Warning(w) => return warnings.add(w),
                    Event::Names(names) => return annotator.learn(&names),
                };
                if write_error.is_some() || !annotator.record(&mut record) {
                    return;
                }
                if let Err(e) = writer.write(&record) {
                    write_error = Some(e);
                }
            },
        );
        bar.done();
        if let Some(e) = write_error.take() {
            return Err(e).context("cannot write the output");
        }
        let report = report?;
        eprintln!("{}", report.summary_line());
        if let Some(line) = report.damage_line() {
            eprintln!("warning: {line}");
        }
    }
    if annotator.other_apps > 0 {
        eprintln!(
            "{} records from other apps left out (--package {})",
            annotator.other_apps,
            args.parties.package.as_deref().unwrap_or("")
        );
    }
    let out = writer.finish().context("cannot write the output")?;
    out.finish().context("cannot write the output")?;
    warnings.print();
    Ok(ExitCode::SUCCESS)
}
