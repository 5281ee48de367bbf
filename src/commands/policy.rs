//! `privaudit policy extract|check`: draft a declaration from policy text, validate one.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use privaudit::cli::{ExtractFormat, PolicyCommand};
use privaudit::policy::extract::{Input, Lexicon, extract_documents};
use privaudit::policy::{Declaration, review};
use privaudit::report::output::Output;
use privaudit::sdk::signatures::{SDK_FILES, SdkDb};
use privaudit::signatures::{DEFAULT_DATATYPES, Ontology};

/// The lexicon from a signatures folder, or from the built-in files.
fn lexicon(dir: Option<&Path>) -> Result<Lexicon> {
    let Some(dir) = dir else {
        let sdks: Vec<(String, String)> = SDK_FILES
            .iter()
            .map(|(n, t)| (n.to_string(), t.to_string()))
            .collect();
        return Ok(Lexicon::from_files(DEFAULT_DATATYPES, &sdks)?);
    };
    let read = |p: &Path| {
        std::fs::read_to_string(p).with_context(|| format!("{}: cannot read", p.display()))
    };
    let datatypes = read(&dir.join("datatypes.toml"))?;
    let sdk_dir = dir.join("sdks");
    let mut files: Vec<PathBuf> = match std::fs::read_dir(&sdk_dir) {
        Ok(rd) => rd
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect(),
        Err(_) => Vec::new(),
    };
    files.sort();
    let mut sdks = Vec::new();
    for f in &files {
        sdks.push((f.display().to_string(), read(f)?));
    }
    if sdks.is_empty() {
        sdks = SDK_FILES
            .iter()
            .map(|(n, t)| (n.to_string(), t.to_string()))
            .collect();
    }
    let lexicon = Lexicon::from_files(&datatypes, &sdks)?;
    let phrases = dir.join("policy-phrases.toml");
    if phrases.is_file() {
        let text = read(&phrases)?;
        return Ok(lexicon.with_policy_phrases(&text, &phrases.display().to_string())?);
    }
    Ok(lexicon)
}

pub fn run(cmd: &PolicyCommand) -> Result<ExitCode> {
    match cmd {
        PolicyCommand::Extract {
            policy,
            output,
            format,
            signatures,
        } => {
            if let Some(path) = output {
                privaudit::report::output::check_writable(path)?;
            }
            let lexicon = lexicon(signatures.as_deref())?;
            let mut contents = Vec::with_capacity(policy.len());
            for path in policy {
                let bytes = std::fs::read(path)
                    .with_context(|| format!("{}: cannot read the policy", path.display()))?;
                contents.push((path.display().to_string(), bytes));
            }
            let inputs: Vec<Input> = contents
                .iter()
                .map(|(name, bytes)| Input::new(name, bytes))
                .collect();
            let names: Vec<&str> = contents.iter().map(|(n, _)| n.as_str()).collect();
            // Its errors name the file.
            let x = extract_documents(&inputs, &lexicon).context("cannot draft a declaration")?;
            let d = &x.declaration;
            let text = match format {
                ExtractFormat::Toml => {
                    let mut text = format!(
                        "# Draft declaration from {} ({}), made by privaudit {}.\n\
                         # Review every entry against the policy before auditing with it: check the\n\
                         # clause numbers and quotes, and the notes below.\n",
                        names.join(", "),
                        x.encoding,
                        env!("CARGO_PKG_VERSION")
                    );
                    for note in &x.notes {
                        text.push_str(&format!("# NOTE: {}\n", note.replace('\n', " ")));
                    }
                    text.push('\n');
                    text.push_str(&d.to_toml());
                    text
                }
                ExtractFormat::Json => {
                    let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
                    let mut t = serde_json::to_string_pretty(&review::to_json(&x, &names))?;
                    t.push('\n');
                    t
                }
                ExtractFormat::Html => {
                    let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
                    review::to_html(&x, &names)
                }
            };
            let mut out = Output::open(output.as_deref()).context("cannot open the output file")?;
            std::io::Write::write_all(&mut out, text.as_bytes())?;
            out.finish().context("cannot write the draft")?;
            eprintln!(
                "{}: {} ({}): {} collect, {} share, {} deny entries, {} promises; {} notes for the reviewer",
                names.join(", "),
                d.app.name,
                x.encoding,
                d.collect.len(),
                d.share.len(),
                d.deny.len(),
                [
                    d.promises.encrypted_in_transit.is_some(),
                    d.promises.storage_region.is_some(),
                    d.promises.retention_days.is_some(),
                    d.promises.consent_before_collection.is_some(),
                    d.promises.share_only_with_consent.is_some(),
                ]
                .iter()
                .filter(|&&b| b)
                .count(),
                x.notes.len()
            );
            Ok(ExitCode::SUCCESS)
        }
        PolicyCommand::Check {
            declaration,
            signatures,
        } => {
            let decl = Declaration::load(declaration)?;
            let ontology = Ontology::load(signatures.as_deref())?;
            let sdks = SdkDb::load(signatures.as_deref())?;
            let problems = privaudit::policy::check::problems(&decl, &ontology, &sdks);
            for p in &problems {
                println!("{}: {p}", declaration.display());
            }
            if problems.is_empty() {
                println!(
                    "{}: ok ({} collect, {} share, {} deny entries)",
                    declaration.display(),
                    decl.collect.len(),
                    decl.share.len(),
                    decl.deny.len()
                );
                Ok(ExitCode::SUCCESS)
            } else {
                Ok(ExitCode::from(1))
            }
        }
    }
}
