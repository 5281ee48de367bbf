//! The `privaudit` binary: parse arguments, run the command, map errors to exit codes
//! (0 nothing to report, 1 findings, 2 usage or input error).

mod commands;

use std::process::ExitCode;

use clap::Parser;

use privaudit::cli::Cli;

fn main() -> ExitCode {
    let cli = Cli::parse();
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
