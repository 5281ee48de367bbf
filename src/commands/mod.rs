//! One module per subcommand; shared plumbing (progress bars, warnings) lives here.

mod api_log;
mod audit;
mod capture;
mod common;
mod flows;
mod keylog;
mod live_view;
mod policy;
mod proxy;
mod scan;
mod sdks;
mod signatures;
mod store;

use std::io::IsTerminal;
use std::process::ExitCode;

use anyhow::Result;
use privaudit::cli::{Cli, Command};
use privaudit::record::Warning;

pub fn run(cli: &Cli) -> Result<ExitCode> {
    match &cli.command {
        Command::Flows(args) => flows::run(cli, args),
        Command::Scan(args) => scan::run(cli, args),
        Command::Audit(args) => audit::run(cli, args),
        Command::Signatures(cmd) => signatures::run(cmd),
        Command::Diff(args) => store::diff(args),
        Command::History(args) => store::history(args),
        Command::Fleet(args) => store::fleet(args),
        Command::Reaudit(args) => store::reaudit(args),
        Command::Import(args) => store::import(args),
        Command::Keylog(cmd) => keylog::run(cmd),
        Command::Policy(cmd) => policy::run(cmd),
        Command::Capture(args) => capture::run(cli, args),
        Command::Sdks(args) => sdks::run(cli, args),
        Command::Proxy(args) => proxy::run(cli, args),
        Command::ApiLog(args) => api_log::run(args),
    }
}

/// Writing into a closed pipe (`privaudit flows x | head`) is a normal way to stop.
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// A progress bar on stderr for large inputs, only when stderr is a terminal.
pub struct ProgressBar(Option<indicatif::ProgressBar>);

impl ProgressBar {
    pub fn for_file(cli: &Cli, path: &std::path::Path) -> Self {
        let len = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        if cli.no_progress || len < (64 << 20) || !std::io::stderr().is_terminal() {
            return ProgressBar(None);
        }
        let bar = indicatif::ProgressBar::new(len);
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{msg} [{bar:30}] {bytes}/{total_bytes} ({bytes_per_sec}, {eta})",
        ) {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_message(path.display().to_string());
        ProgressBar(Some(bar))
    }

    pub fn set(&self, pos: u64) {
        if let Some(b) = &self.0 {
            b.set_position(pos);
        }
    }

    pub fn done(&self) {
        if let Some(b) = &self.0 {
            b.finish_and_clear();
        }
    }
}

/// Collects warnings and prints them grouped, so a capture with a million identical
/// problems does not flood the terminal.
#[derive(Default)]
pub struct Warnings {
    verbose: bool,
    groups: Vec<(String, Vec<Warning>, u64)>,
}

const SHOWN_PER_GROUP: usize = 3;

impl Warnings {
    pub fn new(verbose: bool) -> Self {
        Warnings {
            verbose,
            groups: Vec::new(),
        }
    }

    pub fn add(&mut self, w: Warning) {
        let key = match w.limit {
            Some(limit) => format!("{}:{limit}", w.file),
            None => format!("{}:{}", w.file, w.message),
        };
        match self.groups.iter_mut().find(|(k, _, _)| *k == key) {
            Some((_, shown, count)) => {
                *count += 1;
                if self.verbose || shown.len() < SHOWN_PER_GROUP {
                    shown.push(w);
                }
            }
            None => self.groups.push((key, vec![w], 1)),
        }
    }

    pub fn print(&self) {
        for (_, shown, count) in &self.groups {
            for w in shown {
                let mut line = format!("warning: {}", w.file);
                if let Some(f) = w.frame {
                    line.push_str(&format!(": frame {f}"));
                }
                if let Some(flow) = &w.flow {
                    line.push_str(&format!(": flow {flow}"));
                }
                line.push_str(&format!(": {}", w.message));
                if let Some(limit) = w.limit {
                    line.push_str(&format!(" [limit {limit}]"));
                }
                eprintln!("{line}");
            }
            let hidden = *count - shown.len() as u64;
            if hidden > 0 {
                eprintln!("warning: … and {hidden} more like this (use --verbose to see all)");
            }
        }
    }
}
