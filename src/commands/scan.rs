//! `privaudit scan`: personal data in requests, with evidence.

use std::process::ExitCode;

use anyhow::{Context, Result};
use privaudit::cli::{Cli, ScanArgs};
use privaudit::detect::Detector;
use privaudit::detect::profile::DeviceProfile;
use privaudit::engine::Event;
use privaudit::pipeline;
use privaudit::report::observations::ObservationWriter;
use privaudit::report::output::Output;
use privaudit::signatures::Ontology;

use super::{ProgressBar, Warnings};

pub fn run(cli: &Cli, args: &ScanArgs) -> Result<ExitCode> {
    // Fail before any input is read rather than after the work is done.
    if let Some(path) = &args.output {
        privaudit::report::output::check_writable(path)?;
    }
    let limits = args.limits.to_limits();
    let keys = super::common::keys(&args.keylog)?;
    let ontology = Ontology::load(args.parties.signatures.as_deref())?;
    let mut annotator = super::common::annotator(&args.parties, &[])?;
    let profile = args
        .device
        .as_deref()
        .map(|p| DeviceProfile::load_checked(p, &ontology))
        .transpose()?;
    let detector = Detector::new(&ontology, profile.as_ref(), &limits);
    let out = Output::open(args.output.as_deref()).context("cannot open the output file")?;
    let mut writer = ObservationWriter::new(args.format, args.show_values, out);
    let mut warnings = Warnings::new(cli.verbose);
    let mut write_error: Option<std::io::Error> = None;
    for input in &args.inputs {
        let bar = ProgressBar::for_file(cli, input);
        let report = pipeline::analyse_input(
            input,
            &limits,
            &keys,
            args.engine.threads(),
            Some(&|x: &privaudit::exchange::Exchange| detector.scan(x)),
            &mut |pos| bar.set(pos),
            &mut |event| match event {
                Event::Names(names) => annotator.learn(&names),
                Event::Warning(w) => warnings.add(w),
                Event::Exchange(x) | Event::Scanned(x, _)
                    if !annotator.keep_app(x.app.as_deref()) => {}
                Event::Exchange(x) => {
                    for mut obs in detector.scan(&x) {
                        annotator.observation(&mut obs);
                        if write_error.is_none()
                            && let Err(e) = writer.write(&obs)
                        {
                            write_error = Some(e);
                        }
                    }
                }
                Event::Scanned(_, found) => {
                    for mut obs in found {
                        annotator.observation(&mut obs);
                        if write_error.is_none()
                            && let Err(e) = writer.write(&obs)
                        {
                            write_error = Some(e);
                        }
                    }
                }
                Event::Record(_) => {}
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
    let out = writer
        .finish(&ontology)
        .context("cannot write the output")?;
    out.finish().context("cannot write the output")?;
    warnings.print();
    Ok(ExitCode::SUCCESS)
}
