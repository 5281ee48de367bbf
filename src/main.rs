//! The `privaudit` binary: parse arguments, run the command, map errors to exit codes
//! (0 nothing to report, 1 findings, 2 usage or input error).

mod commands;

use std::process::ExitCode;

use clap::Parser;

use privaudit::cli::Cli;

/// Columns for `--help`: the terminal's, else `COLUMNS`, else 100.
fn help_width() -> usize {
    console::Term::stdout()
        .size_checked()
        .map(|(_, w)| w as usize)
        .or_else(|| std::env::var("COLUMNS").ok()?.trim().parse().ok())
        .unwrap_or(100)
        .clamp(40, 300)
}

/// Wraps clap's help at `width`: long lines break at spaces, continuation lines
/// start under the description column (this clap is built without `wrap_help`).
fn wrap_help(text: &str, width: usize) -> String {
    let mut out = String::new();
    for line in text.lines() {
        if console::measure_text_width(line) <= width {
            out.push_str(line);
            out.push('\n');
            continue;
        }
        let lead = line.len() - line.trim_start().len();
        // Option rows: "  -o, --output <FILE>  Description"; the description starts
        // after the first run of two spaces past the leading ones.
        let indent = line[lead..]
            .find("  ")
            .map(|i| {
                let start = lead + i;
                start + line[start..].len() - line[start..].trim_start().len()
            })
            .filter(|i| *i < width / 2)
            .unwrap_or(lead);
        let mut current = line[..lead].to_string();
        for word in line[lead..].split(' ') {
            let cur = console::measure_text_width(&current);
            if cur > indent.max(lead) && cur + 1 + console::measure_text_width(word) > width {
                out.push_str(current.trim_end());
                out.push('\n');
                current = " ".repeat(indent);
                current.push_str(word);
            } else {
                if current.len() > lead {
                    current.push(' ');
                }
                current.push_str(word);
            }
        }
        out.push_str(current.trim_end());
        out.push('\n');
    }
    out
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if e.kind() == clap::error::ErrorKind::DisplayHelp => {
            print!("{}", wrap_help(&e.render().to_string(), help_width()));
            return ExitCode::SUCCESS;
        }
        Err(e) => e.exit(),
    };
    match commands::run(&cli) {
        Ok(code) => code,
        Err(err) => {
            if commands::is_broken_pipe(&err) {
                return ExitCode::SUCCESS;
            }
            eprintln!("error: {err}");
            if cli.verbose {
                for cause in err.chain().skip(1) {
                    eprintln!("  caused by: {cause}");
                }
            }
            ExitCode::from(2)
        }
    }
}
