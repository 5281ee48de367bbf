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
    let limits = args.limits.to_limits();
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
        let report =
            pipeline::analyse_input(input, &limits, &mut |pos| bar.set(pos), &mut |event| {
                if write_error.is_some() {
                    return;
                }
                let result = match event {
                    Event::Record(r) => writer.write(&r),
                    Event::Exchange(x) => {
                        writer.write(&Record::Http(HttpRecord::from_exchange(&x)))
                    }
                    Event::Warning(w) => {
                        warnings.add(w);
                        Ok(())
                    }
                    Event::Names(_) => Ok(()),
                };
                if let Err(e) = result {
                    write_error = Some(e);
                }
            });
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
    let out = writer.finish().context("cannot write the output")?;
    out.finish().context("cannot write the output")?;
    warnings.print();
    Ok(ExitCode::SUCCESS)
}
