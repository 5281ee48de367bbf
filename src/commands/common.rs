//! Plumbing shared by the commands that read traffic.

use std::sync::Arc;

use anyhow::Result;
use privaudit::cli::PartyArgs;
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
