//! `privaudit capture`: live capture with a table refreshed in place, a pcapng
//! written as packets arrive, and the audit when it stops.

#[cfg(not(feature = "live"))]
pub fn run(
    _cli: &privaudit::cli::Cli,
    _args: &privaudit::cli::CaptureArgs,
) -> anyhow::Result<std::process::ExitCode> {
    anyhow::bail!(
        "this privaudit was built without live capture. It needs libpcap: install it \
         (Debian/Ubuntu: `sudo apt-get install libpcap-dev`) and rebuild with \
         `cargo build --release --features live`. Captures made by tcpdump, PCAPdroid or \
         Wireshark can be read by every other command without it."
    )
}

#[cfg(feature = "live")]
pub use imp::run;

/// `90`, `30s`, `5m`, `1h` → seconds.
#[cfg_attr(not(feature = "live"), allow(dead_code))]
fn parse_duration(text: &str) -> Option<std::time::Duration> {
    let t = text.trim();
    let (num, unit) = match t.find(|c: char| !c.is_ascii_digit() && c != '.') {
        Some(i) => (&t[..i], t[i..].trim()),
        None => (t, "s"),
    };
    let n: f64 = num.parse().ok()?;
    let secs = match unit {
        "ms" => n / 1000.0,
        "s" | "sec" | "secs" => n,
        "m" | "min" => n * 60.0,
        "h" => n * 3600.0,
        _ => return None,
    };
    (secs.is_finite() && secs > 0.0).then(|| std::time::Duration::from_secs_f64(secs))
}

#[cfg(feature = "live")]
mod imp {
    use std::io::{BufWriter, IsTerminal};
    use std::process::ExitCode;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::time::{Duration, Instant};

    use anyhow::{Context, Result, bail};
    use clap::{Parser, ValueEnum};
    use privaudit::cli::{CaptureArgs, Cli, Command};
    use privaudit::detect::Detector;
    use privaudit::detect::profile::DeviceProfile;
    use privaudit::engine::{Engine, Event};
    use privaudit::live::{self, LiveCapture};
    use privaudit::record::Record;
    use privaudit::sdk::annotate::Annotator;
    use privaudit::signatures::Ontology;
    use privaudit::source::capture::{CaptureEvent, Packet};
    use privaudit::source::pcapng_writer::PcapngWriter;

    use super::parse_duration;
    use crate::commands::live_view::LiveView;

    pub fn run(cli: &Cli, args: &CaptureArgs) -> Result<ExitCode> {
        if args.list {
            for i in live::list()? {
                println!(
                    "{:<16} {:<5} {}{}",
                    i.name,
                    if i.up { "up" } else { "down" },
                    i.addresses.join(" "),
                    i.description
                        .as_deref()
                        .map(|d| format!("  ({d})"))
                        .unwrap_or_default()
                );
            }
            return Ok(ExitCode::SUCCESS);
        }
        let Some(iface) = args.interface.as_deref() else {
            bail!("give an interface with -i (see `privaudit capture --list`)");
        };
        let duration = match &args.duration {
            Some(d) => Some(parse_duration(d).with_context(|| {
                format!("--duration {d}: expected seconds or a number with s, m or h")
            })?),
            None => None,
        };
        if let Some(p) = &args.policy {
            // Fail now, not after an hour of capturing.
            privaudit::policy::Declaration::load(p)?;
        }

        let limits = args.limits.to_limits();
        let keys = super::super::common::keys(&args.keylog)?;
        let ontology = Ontology::load(args.parties.signatures.as_deref())?;
        let first_party = match &args.policy {
            Some(p) => privaudit::policy::Declaration::load(p)?.app.first_party,
            None => Vec::new(),
        };
        let mut annotator = super::super::common::annotator(&args.parties, &first_party)?;
        let profile = args
            .device
            .as_deref()
            .map(|p| DeviceProfile::load_checked(p, &ontology))
            .transpose()?;
        let detector = Detector::new(&ontology, profile.as_ref(), &limits);

        // Without -w the packets still go to a file, for the audit at the end.
        let temp_dir = tempfile::tempdir().context("cannot create a temporary directory")?;
        let out_path = args
            .write
            .clone()
            .unwrap_or_else(|| temp_dir.path().join("capture.pcapng"));
        let file = std::fs::File::create(&out_path)
            .with_context(|| format!("{}: cannot create the capture file", out_path.display()))?;
        let mut writer = PcapngWriter::new(
            BufWriter::new(file),
            &format!("privaudit {}", env!("CARGO_PKG_VERSION")),
        )
        .with_context(|| format!("{}: cannot write", out_path.display()))?;

        let mut capture = LiveCapture::open(iface, args.filter.as_deref(), args.snaplen)?;
        let stop = Arc::new(AtomicBool::new(false));
        for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
            signal_hook::flag::register(signal, Arc::clone(&stop))
                .context("cannot install the Ctrl-C handler")?;
        }
        eprintln!(
            "capturing on {iface}{}{}; Ctrl-C to stop",
            args.filter
                .as_deref()
                .map(|f| format!(" (filter: {f})"))
                .unwrap_or_default(),
            args.write
                .as_deref()
                .map(|p| format!(", writing {}", p.display()))
                .unwrap_or_default()
        );

        let display = out_path.display().to_string();
        let mut engine = Engine::new(&display, limits.clone(), keys.clone());
        let mut view = LiveView::new(std::io::stderr().is_terminal() && !cli.no_progress);
        let mut warnings = super::super::Warnings::new(cli.verbose);
        let mut frame = 0u64;
        let mut bytes = 0u64;
        let mut write_error: Option<std::io::Error> = None;
        let started = Instant::now();
        let mut last_draw = Instant::now();
        let mut last_flush = Instant::now();
        let linktype = capture.linktype;

        let mut sink = |event: Event, view: &mut LiveView, annotator: &mut Annotator| match event {
            Event::Names(names) => annotator.learn(&names),
            Event::Warning(w) => warnings.add(w),
            Event::Record(mut r) => {
                if !annotator.record(&mut r) {
                    return;
                }
                let host = r
                    .server_name()
                    .map(str::to_string)
                    .or_else(|| r.meta().dst.map(|d| d.ip.to_string()));
                if let (Record::Tls(_) | Record::Quic(_), Some(h)) = (&r, host) {
                    view.connection(&h, annotator);
                }
            }
            Event::Exchange(x) | Event::Scanned(x, _) => {
                if !annotator.keep_app(x.app.as_deref()) {
                    return;
                }
                view.exchange(&x, &detector, annotator);
            }
        };

        loop {
            let n = capture.poll(256, &mut |ts, data, orig_len| {
                frame += 1;
                bytes += data.len() as u64;
                if write_error.is_none()
                    && let Err(e) = writer.packet(linktype, ts, data, orig_len, None)
                {
                    write_error = Some(e);
                }
                let ev = CaptureEvent::Packet(Packet {
                    frame,
                    ts,
                    linktype,
                    data,
                    orig_len,
                    interface: 0,
                    comment: None,
                });
                engine.on_event(ev, &mut |e| sink(e, &mut view, &mut annotator));
            })?;
            if let Some(e) = write_error.take() {
                return Err(e).with_context(|| format!("{}: cannot write", out_path.display()));
            }
            // Flushed often, so a crash or kill loses at most a fraction of a second.
            if last_flush.elapsed() >= Duration::from_millis(250) {
                writer
                    .flush()
                    .with_context(|| format!("{}: cannot write", out_path.display()))?;
                last_flush = Instant::now();
            }
            if last_draw.elapsed() >= Duration::from_secs(1) {
                let header = format!(
                    "{iface}: {frame} packets, {:.1} MB, {:.0} s",
                    bytes as f64 / 1e6,
                    started.elapsed().as_secs_f64()
                );
                view.draw(&ontology, &header);
                last_draw = Instant::now();
            }
            if stop.load(Ordering::Relaxed) || duration.is_some_and(|d| started.elapsed() >= d) {
                break;
            }
            if n == 0 {
                std::thread::sleep(Duration::from_millis(10));
            }
        }
        engine.finish(&mut |e| sink(e, &mut view, &mut annotator));
        writer
            .flush()
            .with_context(|| format!("{}: cannot write", out_path.display()))?;
        drop(writer);
        let stats = capture.stats();

        // The final table, always (also when stderr is not a terminal).
        let header = format!(
            "{iface}: {frame} packets ({:.1} MB) in {:.1} s; kernel dropped {}",
            bytes as f64 / 1e6,
            started.elapsed().as_secs_f64(),
            stats.dropped + stats.if_dropped
        );
        view.finish(&ontology, &header);
        warnings.print();
        if args.write.is_some() {
            eprintln!("{frame} packets written to {}", out_path.display());
        }

        let Some(policy) = &args.policy else {
            return Ok(ExitCode::SUCCESS);
        };
        // The audit runs exactly as `privaudit audit` would on the file just written.
        let mut argv: Vec<String> = vec![
            "privaudit".into(),
            "audit".into(),
            "--policy".into(),
            policy.display().to_string(),
            out_path.display().to_string(),
            "--no-progress".into(),
        ];
        let name = |v: Option<clap::builder::PossibleValue>| {
            v.map(|p| p.get_name().to_string()).unwrap_or_default()
        };
        argv.extend(["--format".into(), name(args.format.to_possible_value())]);
        argv.extend(["--fail-on".into(), name(args.fail_on.to_possible_value())]);
        if let Some(o) = &args.output {
            argv.extend(["-o".into(), o.display().to_string()]);
        }
        if let Some(d) = &args.device {
            argv.extend(["--device".into(), d.display().to_string()]);
        }
        if let Some(m) = &args.consent_marker {
            argv.extend(["--consent-marker".into(), m.clone()]);
        }
        if let Some(a) = &args.app {
            argv.extend(["--app".into(), a.display().to_string()]);
        }
        for d in &args.parties.first_party {
            argv.extend(["--first-party".into(), d.clone()]);
        }
        if let Some(p) = &args.parties.package {
            argv.extend(["--package".into(), p.clone()]);
        }
        if let Some(s) = &args.parties.signatures {
            argv.extend(["--signatures".into(), s.display().to_string()]);
        }
        for k in &args.keylog.keylog {
            argv.extend(["--keylog".into(), k.display().to_string()]);
        }
        let audit_cli = Cli::try_parse_from(&argv).context("cannot prepare the audit")?;
        let Command::Audit(audit_args) = &audit_cli.command else {
            bail!("cannot prepare the audit");
        };
        let code = super::super::audit::run(&audit_cli, audit_args)?;
        drop(temp_dir);
        Ok(code)
    }
}

#[cfg(test)]
mod tests {
    use super::parse_duration;
    use std::time::Duration;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90"), Some(Duration::from_secs(90)));
        assert_eq!(parse_duration("30s"), Some(Duration::from_secs(30)));
        assert_eq!(parse_duration("5m"), Some(Duration::from_secs(300)));
        assert_eq!(parse_duration("1h"), Some(Duration::from_secs(3600)));
        assert_eq!(parse_duration("1.5s"), Some(Duration::from_millis(1500)));
        assert_eq!(parse_duration("0"), None);
        assert_eq!(parse_duration("-3s"), None);
        assert_eq!(parse_duration("5 parsecs"), None);
    }
}
