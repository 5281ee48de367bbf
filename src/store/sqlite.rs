//! The SQLite store (bundled SQLite, no server): versioned migrations, WAL, a busy
//! timeout and IMMEDIATE transactions so several audits can write one file at once.

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use super::fleet::{FleetFinding, FleetFlow, FleetRows, FleetRun, FleetSdk};
use super::record::{FindingRow, FlowRow, InputRow, RunRecord, SdkRow, pack, unpack};
use super::{RunSelector, RunSummary, StoreError};

/// Schema migrations, applied in order; each runs once, in its own transaction.
/// Never edit a released step: add a new one.
pub const MIGRATIONS: &[(i64, &str)] = &[(
    1,
    "CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        run_key TEXT NOT NULL UNIQUE,
        app_id TEXT NOT NULL,
        app_version TEXT NOT NULL,
        stored_at TEXT NOT NULL,
        tool TEXT NOT NULL,
        signatures TEXT NOT NULL,
        policy_hash TEXT NOT NULL,
        policy_path TEXT NOT NULL,
        first_ts TEXT,
        last_ts TEXT,
        n_critical INTEGER NOT NULL,
        n_high INTEGER NOT NULL,
        n_medium INTEGER NOT NULL,
        n_low INTEGER NOT NULL,
        n_info INTEGER NOT NULL,
        failed INTEGER NOT NULL,
        coverage TEXT NOT NULL,
        report BLOB NOT NULL,
        observations BLOB
    );
    CREATE INDEX runs_app ON runs(app_id, id);
    CREATE TABLE inputs (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        idx INTEGER NOT NULL,
        path TEXT NOT NULL,
        format TEXT NOT NULL,
        sha256 TEXT,
        frames INTEGER NOT NULL,
        first_ts TEXT,
        last_ts TEXT,
        PRIMARY KEY (run_id, idx)
    );
    CREATE TABLE findings (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        idx INTEGER NOT NULL,
        fingerprint TEXT NOT NULL,
        rule TEXT NOT NULL,
        rules TEXT NOT NULL,
        severity TEXT NOT NULL,
        party TEXT,
        data_types TEXT NOT NULL,
        title TEXT NOT NULL,
        message TEXT NOT NULL,
        suppressed INTEGER NOT NULL,
        evidence TEXT NOT NULL,
        PRIMARY KEY (run_id, idx)
    );
    CREATE INDEX findings_fp ON findings(fingerprint);
    CREATE TABLE flows (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        idx INTEGER NOT NULL,
        party TEXT NOT NULL,
        data_type TEXT NOT NULL,
        class TEXT NOT NULL,
        count INTEGER NOT NULL,
        cleartext INTEGER NOT NULL,
        before_consent INTEGER NOT NULL,
        PRIMARY KEY (run_id, party, data_type)
    );
    CREATE TABLE sdks (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        idx INTEGER NOT NULL,
        sdk_id TEXT NOT NULL,
        name TEXT NOT NULL,
        status TEXT NOT NULL,
        named_in_policy INTEGER NOT NULL,
        PRIMARY KEY (run_id, sdk_id)
    );
    CREATE TABLE permissions (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        PRIMARY KEY (run_id, name)
    );",
)];

pub struct SqliteStore {
    conn: Connection,
    url: String,
}

impl SqliteStore {
    pub fn open(path: &Path) -> Result<SqliteStore, StoreError> {
        let url = format!("sqlite:{}", path.display());
        let err = |source| StoreError::Sqlite {
            url: url.clone(),
            source,
        };
        let conn = Connection::open(path).map_err(err)?;
        // Concurrent writers wait for each other instead of failing.
        conn.busy_timeout(Duration::from_secs(60)).map_err(err)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(err)?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(err)?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(err)?;
        let mut store = SqliteStore { conn, url };
        store.migrate()?;
        Ok(store)
    }

    fn err(&self) -> impl Fn(rusqlite::Error) -> StoreError + '_ {
        |source| StoreError::Sqlite {
            url: self.url.clone(),
            source,
        }
    }

    /// The rows of one child table of run `id`, in their stored order.
    fn child_rows<T>(
        &self,
        sql: &str,
        id: i64,
        row: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<Vec<T>, StoreError> {
        let mut st = self.conn.prepare_cached(sql).map_err(self.err())?;
        st.query_map([id], row)
            .map_err(self.err())?
            .collect::<Result<Vec<T>, _>>()
            .map_err(self.err())
    }

    fn migrate(&mut self) -> Result<(), StoreError> {
        let url = self.url.clone();
        let err = |source| StoreError::Sqlite {
            url: url.clone(),
            source,
        };
        let known = MIGRATIONS.last().map_or(0, |m| m.0);
        for (version, sql) in MIGRATIONS {
            // IMMEDIATE: two processes opening a fresh file do not both migrate.
            let tx = self
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(err)?;
            tx.execute_batch(
                "CREATE TABLE IF NOT EXISTS schema_migrations (
                    version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)",
            )
            .map_err(err)?;
            let current: i64 = tx
                .query_row(
                    "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
                    [],
                    |r| r.get(0),
                )
                .map_err(err)?;
            if current > known {
                return Err(StoreError::SchemaTooNew {
                    url: url.clone(),
                    found: current,
                    known,
                });
            }
            if current >= *version {
                continue;
            }
            tx.execute_batch(sql).map_err(err)?;
            tx.execute(
                "INSERT INTO schema_migrations (version, applied_at) VALUES (?1, ?2)",
                params![
                    version,
                    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
                ],
            )
            .map_err(err)?;
            tx.commit().map_err(err)?;
        }
        Ok(())
    }

    pub fn schema_version(&mut self) -> Result<i64, StoreError> {
        self.conn
            .query_row("SELECT MAX(version) FROM schema_migrations", [], |r| {
                r.get(0)
            })
            .map_err(self.err())
    }

    pub fn put(&mut self, run: &RunRecord) -> Result<(i64, bool), StoreError> {
        let url = self.url.clone();
        let err = |source| StoreError::Sqlite {
            url: url.clone(),
            source,
        };
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(err)?;
        if let Some(id) = tx
            .query_row("SELECT id FROM runs WHERE run_key = ?1", [&run.key], |r| {
                r.get::<_, i64>(0)
            })
            .optional()
            .map_err(err)?
        {
            return Ok((id, false));
        }
        let n = run.severity_counts();
        tx.execute(
            "INSERT INTO runs (run_key, app_id, app_version, stored_at, tool, signatures,
                policy_hash, policy_path, first_ts, last_ts, n_critical, n_high, n_medium,
                n_low, n_info, failed, coverage, report, observations)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,
                ?17, ?18, ?19)",
            params![
                run.key,
                run.app,
                run.version,
                run.stored_at,
                run.tool,
                run.signatures,
                run.policy_hash,
                run.policy_path,
                run.first_ts(),
                run.last_ts(),
                n[0],
                n[1],
                n[2],
                n[3],
                n[4],
                run.report["summary"]["failed"].as_bool().unwrap_or(false),
                run.coverage.to_string(),
                pack(&run.report),
                run.observations,
            ],
        )
        .map_err(err)?;
        let id = tx.last_insert_rowid();
        {
            let mut st = tx
                .prepare_cached(
                    "INSERT INTO inputs (run_id, idx, path, format, sha256, frames, first_ts, last_ts)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                )
                .map_err(err)?;
            for (i, x) in run.inputs.iter().enumerate() {
                st.execute(params![
                    id, i as i64, x.path, x.format, x.sha256, x.frames, x.first_ts, x.last_ts
                ])
                .map_err(err)?;
            }
            let mut st = tx
                .prepare_cached(
                    "INSERT INTO findings (run_id, idx, fingerprint, rule, rules, severity, party,
                        data_types, title, message, suppressed, evidence)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                )
                .map_err(err)?;
            for (i, f) in run.findings.iter().enumerate() {
                st.execute(params![
                    id,
                    i as i64,
                    f.fingerprint,
                    f.rule,
                    serde_json::to_string(&f.rules).unwrap_or_default(),
                    f.severity,
                    f.party,
                    serde_json::to_string(&f.data_types).unwrap_or_default(),
                    f.title,
                    f.message,
                    f.suppressed,
                    f.evidence.to_string(),
                ])
                .map_err(err)?;
            }
            // A report lists each (party, data type) once; OR IGNORE keeps a hand-made
            // report with a repeated cell from failing the whole run.
            let mut st = tx
                .prepare_cached(
                    "INSERT OR IGNORE INTO flows (run_id, idx, party, data_type, class, count, cleartext, before_consent)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                )
                .map_err(err)?;
            for (i, c) in run.flows.iter().enumerate() {
                st.execute(params![
                    id,
                    i as i64,
                    c.party,
                    c.data_type,
                    c.class,
                    c.count,
                    c.cleartext,
                    c.before_consent
                ])
                .map_err(err)?;
            }
            let mut st = tx
                .prepare_cached(
                    "INSERT OR IGNORE INTO sdks (run_id, idx, sdk_id, name, status, named_in_policy)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )
                .map_err(err)?;
            for (i, s) in run.sdks.iter().enumerate() {
                st.execute(params![
                    id,
                    i as i64,
                    s.id,
                    s.name,
                    s.status,
                    s.named_in_policy
                ])
                .map_err(err)?;
            }
            let mut st = tx
                .prepare_cached("INSERT OR IGNORE INTO permissions (run_id, name) VALUES (?1, ?2)")
                .map_err(err)?;
            for p in &run.permissions {
                st.execute(params![id, p]).map_err(err)?;
            }
        }
        tx.commit().map_err(err)?;
        Ok((id, true))
    }

    pub fn resolve(&mut self, sel: &RunSelector) -> Result<i64, StoreError> {
        let (sql, a, b, what) = match sel {
            RunSelector::Id(id) => (
                "SELECT id FROM runs WHERE id = ?1 AND ?2 = ?2",
                id.to_string(),
                String::new(),
                format!("#{id}"),
            ),
            RunSelector::AppVersion { app, version } => (
                "SELECT id FROM runs WHERE app_id = ?1 AND app_version = ?2 ORDER BY id DESC LIMIT 1",
                app.clone(),
                version.clone(),
                format!("{app}@{version}"),
            ),
            RunSelector::LatestOf(app) => (
                "SELECT id FROM runs WHERE app_id = ?1 AND ?2 = ?2 ORDER BY id DESC LIMIT 1",
                app.clone(),
                String::new(),
                format!("of {app}"),
            ),
        };
        self.conn
            .query_row(sql, params![a, b], |r| r.get(0))
            .optional()
            .map_err(self.err())?
            .ok_or_else(|| StoreError::NoRun {
                url: self.url.clone(),
                what,
            })
    }

    pub fn get(&mut self, id: i64) -> Result<RunRecord, StoreError> {
        let url = self.url.clone();
        let err = |source| StoreError::Sqlite {
            url: url.clone(),
            source,
        };
        let damaged = |problem: String| StoreError::Damaged {
            url: url.clone(),
            run: id,
            problem,
        };
        type Head = (
            String,
            String,
            String,
            String,
            String,
            String,
            String,
            String,
            String,
            Vec<u8>,
            Option<Vec<u8>>,
        );
        let head: Option<Head> = self
            .conn
            .query_row(
                "SELECT run_key, app_id, app_version, stored_at, tool, signatures, policy_hash,
                    policy_path, coverage, report, observations FROM runs WHERE id = ?1",
                [id],
                |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                        r.get(6)?,
                        r.get(7)?,
                        r.get(8)?,
                        r.get(9)?,
                        r.get(10)?,
                    ))
                },
            )
            .optional()
            .map_err(err)?;
        let Some((
            key,
            app,
            version,
            stored_at,
            tool,
            signatures,
            policy_hash,
            policy_path,
            coverage,
            report,
            observations,
        )) = head
        else {
            return Err(StoreError::NoRun {
                url: url.clone(),
                what: format!("#{id}"),
            });
        };
        let report: serde_json::Value = unpack(&report).map_err(damaged)?;
        let coverage = serde_json::from_str(&coverage).map_err(|e| damaged(e.to_string()))?;
        let inputs = self.child_rows(
            "SELECT path, format, sha256, frames, first_ts, last_ts FROM inputs
                 WHERE run_id = ?1 ORDER BY idx",
            id,
            |r| {
                Ok(InputRow {
                    path: r.get(0)?,
                    format: r.get(1)?,
                    sha256: r.get(2)?,
                    frames: r.get(3)?,
                    first_ts: r.get(4)?,
                    last_ts: r.get(5)?,
                })
            },
        )?;
        let raw = self.child_rows(
            "SELECT fingerprint, rule, severity, party, data_types, title, message,
                    suppressed, evidence, rules FROM findings WHERE run_id = ?1 ORDER BY idx",
            id,
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, Option<String>>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, String>(6)?,
                    r.get::<_, bool>(7)?,
                    r.get::<_, String>(8)?,
                    r.get::<_, String>(9)?,
                ))
            },
        )?;
        let mut findings = Vec::with_capacity(raw.len());
        for (
            fingerprint,
            rule,
            severity,
            party,
            types,
            title,
            message,
            suppressed,
            evidence,
            rules,
        ) in raw
        {
            findings.push(FindingRow {
                fingerprint,
                rule,
                rules: serde_json::from_str(&rules).map_err(|e| damaged(e.to_string()))?,
                severity,
                party,
                data_types: serde_json::from_str(&types).map_err(|e| damaged(e.to_string()))?,
                title,
                message,
                suppressed,
                evidence: serde_json::from_str(&evidence).map_err(|e| damaged(e.to_string()))?,
            });
        }
        let flows = self.child_rows(
            "SELECT party, data_type, class, count, cleartext, before_consent FROM flows
                 WHERE run_id = ?1 ORDER BY idx",
            id,
            |r| {
                Ok(FlowRow {
                    party: r.get(0)?,
                    data_type: r.get(1)?,
                    class: r.get(2)?,
                    count: r.get(3)?,
                    cleartext: r.get(4)?,
                    before_consent: r.get(5)?,
                })
            },
        )?;
        let sdks = self.child_rows(
            "SELECT sdk_id, name, status, named_in_policy FROM sdks WHERE run_id = ?1 ORDER BY idx",
            id,
            |r| {
                Ok(SdkRow {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    status: r.get(2)?,
                    named_in_policy: r.get(3)?,
                })
            },
        )?;
        let permissions = self.child_rows::<String>(
            "SELECT name FROM permissions WHERE run_id = ?1 ORDER BY name",
            id,
            |r| r.get(0),
        )?;
        Ok(RunRecord {
            id: Some(id),
            key,
            app,
            version,
            stored_at,
            tool,
            signatures,
            policy_hash,
            policy_path,
            inputs,
            findings,
            flows,
            sdks,
            permissions,
            coverage,
            report,
            observations,
        })
    }

    pub fn previous(&mut self, id: i64) -> Result<Option<i64>, StoreError> {
        self.conn
            .query_row(
                "SELECT p.id FROM runs p JOIN runs r ON r.id = ?1
                 WHERE p.app_id = r.app_id AND p.id < r.id
                 ORDER BY CASE WHEN p.app_version <> r.app_version THEN 0 ELSE 1 END, p.id DESC
                 LIMIT 1",
                [id],
                |r| r.get(0),
            )
            .optional()
            .map_err(self.err())
    }

    pub fn history(&mut self, app: Option<&str>) -> Result<Vec<RunSummary>, StoreError> {
        let url = self.url.clone();
        let err = |source| StoreError::Sqlite {
            url: url.clone(),
            source,
        };
        let mut st = self
            .conn
            .prepare(
                "SELECT id, app_id, app_version, stored_at, tool, signatures, policy_hash,
                    n_critical, n_high, n_medium, n_low, n_info, failed,
                    (SELECT COUNT(*) FROM findings f WHERE f.run_id = runs.id)
                 FROM runs WHERE ?1 IS NULL OR app_id = ?1 ORDER BY app_id, id",
            )
            .map_err(err)?;
        st.query_map([app], |r| {
            Ok(RunSummary {
                id: r.get(0)?,
                app: r.get(1)?,
                version: r.get(2)?,
                stored_at: r.get(3)?,
                tool: r.get(4)?,
                signatures: r.get(5)?,
                policy_hash: r.get(6)?,
                critical: r.get(7)?,
                high: r.get(8)?,
                medium: r.get(9)?,
                low: r.get(10)?,
                info: r.get(11)?,
                failed: r.get(12)?,
                findings: r.get(13)?,
            })
        })
        .map_err(err)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(err)
    }

    pub fn fleet_rows(&mut self) -> Result<FleetRows, StoreError> {
        let url = self.url.clone();
        let err = |source| StoreError::Sqlite {
            url: url.clone(),
            source,
        };
        // The latest run of each app stands for the app.
        let latest = "SELECT MAX(id) FROM runs GROUP BY app_id";
        let mut st = self
            .conn
            .prepare(&format!(
                "SELECT id, app_id, app_version, stored_at, n_critical, n_high, n_medium, n_low,
                    n_info, signatures, (SELECT COUNT(*) FROM runs r2 WHERE r2.app_id = runs.app_id)
                 FROM runs WHERE id IN ({latest}) ORDER BY app_id"
            ))
            .map_err(err)?;
        let runs = st
            .query_map([], |r| {
                Ok(FleetRun {
                    run: r.get(0)?,
                    app: r.get(1)?,
                    version: r.get(2)?,
                    stored_at: r.get(3)?,
                    open: [r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?, r.get(8)?],
                    signatures: r.get(9)?,
                    runs: r.get(10)?,
                })
            })
            .map_err(err)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(err)?;
        let mut st = self
            .conn
            .prepare(&format!(
                "SELECT run_id, sdk_id, name, status FROM sdks WHERE run_id IN ({latest})"
            ))
            .map_err(err)?;
        let sdks = st
            .query_map([], |r| {
                Ok(FleetSdk {
                    run: r.get(0)?,
                    id: r.get(1)?,
                    name: r.get(2)?,
                    status: r.get(3)?,
                })
            })
            .map_err(err)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(err)?;
        let mut st = self
            .conn
            .prepare(&format!(
                "SELECT run_id, party, data_type, class, count FROM flows
                 WHERE run_id IN ({latest}) AND class <> 'clear'"
            ))
            .map_err(err)?;
        let flows = st
            .query_map([], |r| {
                Ok(FleetFlow {
                    run: r.get(0)?,
                    party: r.get(1)?,
                    data_type: r.get(2)?,
                    class: r.get(3)?,
                    count: r.get(4)?,
                })
            })
            .map_err(err)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(err)?;
        let mut st = self
            .conn
            .prepare(&format!(
                "SELECT run_id, rule, severity, COUNT(*) FROM findings
                 WHERE run_id IN ({latest}) AND suppressed = 0 GROUP BY run_id, rule, severity"
            ))
            .map_err(err)?;
        let findings = st
            .query_map([], |r| {
                Ok(FleetFinding {
                    run: r.get(0)?,
                    rule: r.get(1)?,
                    severity: r.get(2)?,
                    count: r.get(3)?,
                })
            })
            .map_err(err)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(err)?;
        Ok(FleetRows {
            runs,
            sdks,
            flows,
            findings,
        })
    }
}
