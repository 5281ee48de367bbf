//! Command-line definitions (clap) for the results store: `audit --store`, `diff`,
//! `history`, `fleet`, `reaudit` and `import`. Kept beside the store so `cli.rs` only names them.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use crate::audit::Severity;
use crate::cli::{AuditFormat, Lang};

/// `audit` options for storing the run.
#[derive(Debug, Args)]
pub struct StoreArgs {
    /// Store the run: `sqlite:PATH` (created if missing) or `postgres://USER@HOST/DB`.
    /// The same inputs stored twice give the same run. Stores keep values masked, so
    /// this does not go with --show-values.
    #[arg(long, value_name = "URL", conflicts_with = "show_values")]
    pub store: Option<String>,

    /// Add the changes since the app's previous stored version to the report.
    #[arg(long, requires = "store")]
    pub against_previous: bool,

    /// App id the run is stored under (default: the package's id, else the policy's
    /// `app.package`).
    #[arg(long, value_name = "ID", requires = "store")]
    pub app_id: Option<String>,

    /// App version the run is stored under (default: the package's version name).
    #[arg(long, value_name = "VERSION", requires = "store")]
    pub app_version: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    /// Changes as text, for people.
    Table,
    /// `privaudit.diff/1`.
    Json,
    /// A merge-request comment.
    Markdown,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The older audit: a `--format json` report file, or a stored run
    /// (`sqlite:PATH#APP@VERSION`, `sqlite:PATH#RUN-ID`, `sqlite:PATH#APP` for its latest).
    #[arg(value_name = "OLD")]
    pub old: String,

    /// The newer audit, in the same forms.
    #[arg(value_name = "NEW")]
    pub new: String,

    #[arg(long, value_enum, default_value = "table")]
    pub format: DiffFormat,

    /// Exit 1 when a new (unsuppressed) finding reaches this severity.
    #[arg(long, value_enum, default_value = "high")]
    pub fail_on: Severity,

    /// Write to this file (atomically) instead of standard output.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    Table,
    Json,
}

#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// The store: `sqlite:PATH` or `postgres://USER@HOST/DB`.
    #[arg(long, value_name = "URL")]
    pub store: String,

    /// Only this app's runs.
    #[arg(long, value_name = "ID")]
    pub app: Option<String>,

    #[arg(long, value_enum, default_value = "table")]
    pub format: ListFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FleetFormat {
    /// One self-contained page.
    Html,
    /// `privaudit.fleet/1`.
    Json,
}

#[derive(Debug, Args)]
pub struct FleetArgs {
    /// The store: `sqlite:PATH` or `postgres://USER@HOST/DB`.
    #[arg(long, value_name = "URL")]
    pub store: String,

    #[arg(long, value_enum, default_value = "html")]
    pub format: FleetFormat,

    /// Also say which apps these signatures (a folder as for `--signatures`) would
    /// change: apps audited with other signatures, third parties now known as SDKs.
    #[arg(long, value_name = "DIR")]
    pub signatures: Option<PathBuf>,

    /// Write to this file (atomically) instead of standard output.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ReauditArgs {
    /// The store: `sqlite:PATH` or `postgres://USER@HOST/DB`.
    #[arg(long, value_name = "URL")]
    pub store: String,

    /// The stored run: its id, `APP@VERSION`, or `APP` for its latest run.
    #[arg(long, value_name = "ID")]
    pub run: String,

    /// The (new) policy declaration to hold the stored observations against.
    #[arg(long, value_name = "FILE")]
    pub policy: PathBuf,

    /// Signature files from this folder instead of the built-in ones.
    #[arg(long, value_name = "DIR")]
    pub signatures: Option<PathBuf>,

    #[arg(long, value_enum, default_value = "high")]
    pub fail_on: Severity,

    /// Override the stored frequency threshold.
    #[arg(long, value_name = "N")]
    pub max_per_minute: Option<usize>,

    /// `table`, `json`, `sarif`, `junit`, `markdown` or `html` (as for `audit`).
    #[arg(long, value_enum, default_value = "table")]
    pub format: AuditFormat,

    #[arg(long, value_enum, default_value = "en")]
    pub lang: Lang,

    /// Write the report to this file (atomically) instead of standard output.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Audit reports written earlier with `audit --format json`.
    #[arg(required = true, value_name = "REPORT.json")]
    pub reports: Vec<PathBuf>,

    /// The store: `sqlite:PATH` (created if missing) or `postgres://USER@HOST/DB`.
    #[arg(long, value_name = "URL")]
    pub store: String,

    /// App id for every report (default: each report's package id, else its policy's
    /// `app.package`, else its app name).
    #[arg(long, value_name = "ID")]
    pub app_id: Option<String>,

    /// App version for every report (default: each report's package version).
    #[arg(long, value_name = "VERSION")]
    pub app_version: Option<String>,

    /// The policy file the reports were audited against, for the policy hash.
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
}
