//! `privaudit signatures`: import Exodus tracker lists, validate signature folders.

use std::io::Write as _;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use privaudit::cli::SignaturesCommand;
use privaudit::report::output::Output;
use privaudit::sdk::SdkDb;
use privaudit::sdk::exodus;
use privaudit::signatures::Ontology;

pub fn run(cmd: &SignaturesCommand) -> Result<ExitCode> {
    // Written through a handle, not println!, so a closed pipe is an error we can
    // treat as a normal end instead of a panic.
    let mut stdout = std::io::stdout().lock();
    match cmd {
        SignaturesCommand::ImportExodus { file, output } => {
            let text = std::fs::read_to_string(file)
                .with_context(|| format!("{}: cannot read", file.display()))?;
            let known = SdkDb::builtin();
            let imported = exodus::import(&text, &file.display().to_string(), &known)?;
            let merged: Vec<_> = imported
                .iter()
                .filter(|t| t.merges_with.is_some())
                .collect();
            let new: Vec<_> = imported
                .iter()
                .filter(|t| {
                    t.merges_with.is_none() && !(t.prefixes.is_empty() && t.domains.is_empty())
                })
                .collect();
            writeln!(
                stdout,
                "{} trackers read from {}",
                imported.len(),
                file.display()
            )?;
            writeln!(stdout, "{} are SDKs privaudit already knows:", merged.len())?;
            for t in &merged {
                let extra = if t.new_for_known.is_empty() {
                    String::new()
                } else {
                    format!(" (adds {})", t.new_for_known.join(", "))
                };
                writeln!(
                    stdout,
                    "  exodus:{:<5} {:<40} -> sdk:{}{extra}",
                    t.exodus_id,
                    t.name,
                    t.merges_with.as_deref().unwrap_or("")
                )?;
            }
            writeln!(stdout, "{} are new", new.len())?;
            let skipped: usize = imported.iter().map(|t| t.skipped.len()).sum();
            if skipped > 0 {
                writeln!(
                    stdout,
                    "{skipped} signature parts were regexes, not plain prefixes or domains, and were left out"
                )?;
            }
            if let Some(path) = output {
                let mut out = Output::open(Some(path))
                    .with_context(|| format!("cannot write {}", path.display()))?;
                out.write_all(exodus::to_toml(&imported, &file.display().to_string()).as_bytes())?;
                out.finish()
                    .with_context(|| format!("cannot write {}", path.display()))?;
                writeln!(stdout, "new entries written to {}", path.display())?;
            }
            Ok(ExitCode::SUCCESS)
        }
        SignaturesCommand::Check { dir } => {
            let ontology = Ontology::load(dir.as_deref())?;
            let sdks = SdkDb::load(dir.as_deref())?;
            let mut problems = sdks.problems(&ontology);
            let permissions = privaudit::package::inventory::PermissionMap::load(dir.as_deref())?;
            for (platform, map) in [("android", &permissions.android), ("ios", &permissions.ios)] {
                for (name, types) in map {
                    for t in types {
                        if !ontology.contains(t) {
                            problems.push(format!(
                                "permissions.toml [{platform}] {name}: unknown data type `{t}`"
                            ));
                        }
                    }
                }
            }
            let api_calls = privaudit::apilog::ApiMap::load(dir.as_deref())?;
            problems.extend(
                api_calls
                    .problems(&ontology)
                    .into_iter()
                    .map(|p| format!("api-calls.toml {p}")),
            );
            writeln!(
                stdout,
                "{} data types, {} SDKs, {} permissions",
                ontology.types.len(),
                sdks.sdks.len(),
                permissions.android.len() + permissions.ios.len()
            )?;
            if !problems.is_empty() {
                for p in &problems {
                    eprintln!("problem: {p}");
                }
                bail!("{} problems in the signature files", problems.len());
            }
            writeln!(stdout, "no problems found")?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
