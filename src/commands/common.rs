//! Plumbing shared by the commands that read traffic.

use std::sync::Arc;

use anyhow::{Context, Result};
use privaudit::cli::{KeylogArgs, PartyArgs};
use privaudit::decrypt::KeyStore;
use privaudit::sdk::annotate::Annotator;
use privaudit::sdk::{Attributor, SdkDb};

/// The annotator for `--first-party`, `--package` and `--signatures`, with extra
/// first-party domains (from a policy) added.
pub fn annotator(args: &PartyArgs, extra_first_party: &[String]) -> Result<Annotator> {
    let sdks = Arc::new(SdkDb::load(args.signatures.as_deref())?);
    let mut first = args.first_party.clone();
    first.extend(extra_first_party.iter().cloned());
    Ok(Annotator::new(
        Attributor::new(first, sdks),
        args.package.clone(),
    ))
}

/// The key store from `--keylog` files and the SSLKEYLOGFILE variable.
pub fn keys(args: &KeylogArgs) -> Result<KeyStore> {
    let mut store = KeyStore::default();
    let mut files = args.keylog.clone();
    if let Some(env) = std::env::var_os("SSLKEYLOGFILE") {
        let path = std::path::PathBuf::from(env);
        if path.exists() && !files.contains(&path) {
            files.push(path);
        }
    }
    for f in &files {
        let n = store
            .add_file(f)
            .with_context(|| format!("--keylog {}", f.display()))?;
        if n == 0 {
            eprintln!("warning: {}: no key-log entries found", f.display());
        }
    }
    Ok(store)
}
