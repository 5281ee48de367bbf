//! The results store: audit runs of many apps and versions kept in SQLite (embedded,
//! `sqlite:PATH`) or PostgreSQL (`postgres://USER@HOST/DB`), so that versions can be
//! diffed, a team sees its fleet, and stored runs are re-evaluated against a new
//! policy without reading the captures again.
//!
//! A run is stored from the same `privaudit.audit/1` JSON the report is rendered
//! from (`record.rs`), plus the aggregated observations the rules read
//! (`snapshot.rs`). Runs are keyed by what determines their result (app, version,
//! input hashes, policy hash, signatures, tool, options), so storing the same audit
//! twice yields the same run.

pub mod cli;
pub mod diff;
pub mod fleet;
#[cfg(feature = "postgres")]
pub mod postgres;
pub mod record;
pub mod snapshot;
pub mod sqlite;

use std::path::PathBuf;

pub use record::RunRecord;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "{0}: not a store URL (use sqlite:PATH or postgres://USER@HOST/DB, optionally #APP@VERSION or #RUN-ID for one run)"
    )]
    BadUrl(String),
    #[error("{0}: PostgreSQL support is not built in (build with --features postgres)")]
    NoPostgres(String),
    #[error("{url}: {source}")]
    Sqlite {
        url: String,
        #[source]
        source: rusqlite::Error,
    },
    #[cfg(feature = "postgres")]
    #[error("{url}: {source}")]
    Postgres {
        url: String,
        #[source]
        source: ::postgres::Error,
    },
    #[error(
        "{url}: the database schema is version {found}, newer than this privaudit knows ({known}); upgrade privaudit"
    )]
    SchemaTooNew { url: String, found: i64, known: i64 },
    #[error("{0}: no such store (a SQLite store is created by `audit --store`)")]
    Missing(String),
    #[error("{url}: no stored run {what}")]
    NoRun { url: String, what: String },
    #[error("{url}: stored run {run} is damaged: {problem}")]
    Damaged {
        url: String,
        run: i64,
        problem: String,
    },
    #[error("the audit report cannot be stored: {0}")]
    BadReport(String),
}

/// Where the store lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreUrl {
    Sqlite(PathBuf),
    Postgres(String),
}

/// One stored run, by id or by app and version (the latest run of that version).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunSelector {
    Id(i64),
    AppVersion {
        app: String,
        version: String,
    },
    /// The latest run of an app, whatever its version.
    LatestOf(String),
}

impl StoreUrl {
    /// `sqlite:PATH`, `sqlite://PATH`, `postgres://…` or `postgresql://…`.
    pub fn parse(text: &str) -> Result<StoreUrl, StoreError> {
        let bad = || StoreError::BadUrl(text.to_string());
        if let Some(rest) = text.strip_prefix("sqlite:") {
            let path = rest.strip_prefix("//").unwrap_or(rest);
            if path.is_empty() {
                return Err(bad());
            }
            return Ok(StoreUrl::Sqlite(PathBuf::from(path)));
        }
        if text.starts_with("postgres://") || text.starts_with("postgresql://") {
            return Ok(StoreUrl::Postgres(text.to_string()));
        }
        Err(bad())
    }

    /// `URL#app@version`, `URL#app` or `URL#42` (a run id): the store and the run.
    pub fn parse_run(text: &str) -> Result<(StoreUrl, RunSelector), StoreError> {
        let bad = || StoreError::BadUrl(text.to_string());
        let (url, sel) = text.rsplit_once('#').ok_or_else(bad)?;
        let url = StoreUrl::parse(url)?;
        let sel = if !sel.is_empty() && sel.chars().all(|c| c.is_ascii_digit()) {
            RunSelector::Id(sel.parse().map_err(|_| bad())?)
        } else {
            match sel.rsplit_once('@') {
                Some((app, version)) if !app.is_empty() && !version.is_empty() => {
                    RunSelector::AppVersion {
                        app: app.to_string(),
                        version: version.to_string(),
                    }
                }
                None if !sel.is_empty() => RunSelector::LatestOf(sel.to_string()),
                _ => return Err(bad()),
            }
        };
        Ok((url, sel))
    }

    /// Whether `text` names a store rather than a file.
    pub fn looks_like(text: &str) -> bool {
        text.starts_with("sqlite:")
            || text.starts_with("postgres://")
            || text.starts_with("postgresql://")
    }

    pub fn display(&self) -> String {
        match self {
            StoreUrl::Sqlite(p) => format!("sqlite:{}", p.display()),
            // Never echo a password given in the URL.
            StoreUrl::Postgres(u) => redact_password(u),
        }
    }
}

fn redact_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    match rest.split_once('@') {
        Some((userinfo, host)) if userinfo.contains(':') => {
            let user = userinfo.split(':').next().unwrap_or("");
            format!("{scheme}://{user}:***@{host}")
        }
        _ => url.to_string(),
    }
}

/// One line of `privaudit history`.
#[derive(Debug, Clone, serde::Serialize, PartialEq, Eq)]
pub struct RunSummary {
    pub id: i64,
    pub app: String,
    pub version: String,
    pub stored_at: String,
    pub tool: String,
    pub signatures: String,
    pub policy_hash: String,
    pub critical: i64,
    pub high: i64,
    pub medium: i64,
    pub low: i64,
    pub info: i64,
    pub findings: i64,
    pub failed: bool,
}

/// A store, whichever kind.
pub enum Store {
    Sqlite(sqlite::SqliteStore),
    #[cfg(feature = "postgres")]
    Postgres(postgres::PgStore),
}

impl Store {
    /// Opens (creating and migrating as needed) the store at `url`.
    pub fn open(url: &StoreUrl) -> Result<Store, StoreError> {
        match url {
            StoreUrl::Sqlite(path) => Ok(Store::Sqlite(sqlite::SqliteStore::open(path)?)),
            #[cfg(feature = "postgres")]
            StoreUrl::Postgres(u) => Ok(Store::Postgres(postgres::PgStore::open(u)?)),
            #[cfg(not(feature = "postgres"))]
            StoreUrl::Postgres(u) => Err(StoreError::NoPostgres(redact_password(u))),
        }
    }

    /// Opens a store that must exist already (reading commands: a misspelt path
    /// should not leave an empty database behind).
    pub fn open_existing(url: &StoreUrl) -> Result<Store, StoreError> {
        if let StoreUrl::Sqlite(path) = url
            && !path.is_file()
        {
            return Err(StoreError::Missing(url.display()));
        }
        Store::open(url)
    }

    /// Stores a run; returns its id and whether it was new (false: the same run was
    /// already stored).
    pub fn put(&mut self, run: &RunRecord) -> Result<(i64, bool), StoreError> {
        match self {
            Store::Sqlite(s) => s.put(run),
            #[cfg(feature = "postgres")]
            Store::Postgres(s) => s.put(run),
        }
    }

    pub fn resolve(&mut self, sel: &RunSelector) -> Result<i64, StoreError> {
        match self {
            Store::Sqlite(s) => s.resolve(sel),
            #[cfg(feature = "postgres")]
            Store::Postgres(s) => s.resolve(sel),
        }
    }

    /// The stored run, as written.
    pub fn get(&mut self, id: i64) -> Result<RunRecord, StoreError> {
        match self {
            Store::Sqlite(s) => s.get(id),
            #[cfg(feature = "postgres")]
            Store::Postgres(s) => s.get(id),
        }
    }

    /// The run to compare run `id` with: the latest earlier run of the same app with
    /// another version, else (versions unknown or equal) the latest earlier run.
    pub fn previous(&mut self, id: i64) -> Result<Option<i64>, StoreError> {
        match self {
            Store::Sqlite(s) => s.previous(id),
            #[cfg(feature = "postgres")]
            Store::Postgres(s) => s.previous(id),
        }
    }

    pub fn history(&mut self, app: Option<&str>) -> Result<Vec<RunSummary>, StoreError> {
        match self {
            Store::Sqlite(s) => s.history(app),
            #[cfg(feature = "postgres")]
            Store::Postgres(s) => s.history(app),
        }
    }

    /// The rows the fleet view is built from (latest run per app).
    pub fn fleet_rows(&mut self) -> Result<fleet::FleetRows, StoreError> {
        match self {
            Store::Sqlite(s) => s.fleet_rows(),
            #[cfg(feature = "postgres")]
            Store::Postgres(s) => s.fleet_rows(),
        }
    }

    pub fn schema_version(&mut self) -> Result<i64, StoreError> {
        match self {
            Store::Sqlite(s) => s.schema_version(),
            #[cfg(feature = "postgres")]
            Store::Postgres(s) => s.schema_version(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert_eq!(
            StoreUrl::parse("sqlite:runs.db").ok(),
            Some(StoreUrl::Sqlite("runs.db".into()))
        );
        assert_eq!(
            StoreUrl::parse("sqlite:///tmp/runs.db").ok(),
            Some(StoreUrl::Sqlite("/tmp/runs.db".into()))
        );
        assert!(StoreUrl::parse("runs.db").is_err());
        assert!(StoreUrl::parse("sqlite:").is_err());
        let (u, s) = StoreUrl::parse_run("sqlite:a.db#com.x@1.2.0").unwrap();
        assert_eq!(u, StoreUrl::Sqlite("a.db".into()));
        assert_eq!(
            s,
            RunSelector::AppVersion {
                app: "com.x".into(),
                version: "1.2.0".into()
            }
        );
        let (_, s) = StoreUrl::parse_run("sqlite:a.db#17").unwrap();
        assert_eq!(s, RunSelector::Id(17));
        let (_, s) = StoreUrl::parse_run("sqlite:a.db#com.x").unwrap();
        assert_eq!(s, RunSelector::LatestOf("com.x".into()));
        assert!(StoreUrl::parse_run("sqlite:a.db#").is_err());
        assert!(StoreUrl::parse_run("sqlite:a.db#@1").is_err());
        assert_eq!(
            StoreUrl::parse("postgres://bob:secret@db/audits")
                .unwrap()
                .display(),
            "postgres://bob:***@db/audits"
        );
    }
}
