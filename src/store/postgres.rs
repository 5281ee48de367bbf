//! The PostgreSQL store (a team's shared database; `--features postgres`): the same
//! tables as SQLite, migrations serialised by an advisory lock, runs inserted with
//! `ON CONFLICT DO NOTHING` on their key so concurrent writers of the same run end
//! with one, and child rows sent as arrays (`unnest`) in one round trip per table.

use postgres::{Client, NoTls, Transaction};

use super::fleet::{FleetFinding, FleetFlow, FleetRows, FleetRun, FleetSdk};
use super::record::{FindingRow, FlowRow, InputRow, RunRecord, SdkRow, pack, unpack};
use super::{RunSelector, RunSummary, StoreError, redact_password};

/// Schema migrations, applied in order, each once. Never edit a released step.
pub const MIGRATIONS: &[(i64, &str)] = &[(
    1,
    "CREATE TABLE runs (
        id BIGSERIAL PRIMARY KEY,
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
        n_critical BIGINT NOT NULL,
        n_high BIGINT NOT NULL,
        n_medium BIGINT NOT NULL,
        n_low BIGINT NOT NULL,
        n_info BIGINT NOT NULL,
        failed BOOLEAN NOT NULL,
        coverage TEXT NOT NULL,
        report BYTEA NOT NULL,
        observations BYTEA
    );
    CREATE INDEX runs_app ON runs(app_id, id);
    CREATE TABLE inputs (
        run_id BIGINT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        idx BIGINT NOT NULL,
        path TEXT NOT NULL,
        format TEXT NOT NULL,
        sha256 TEXT,
        frames BIGINT NOT NULL,
        first_ts TEXT,
        last_ts TEXT,
        PRIMARY KEY (run_id, idx)
    );
    CREATE TABLE findings (
        run_id BIGINT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        idx BIGINT NOT NULL,
        fingerprint TEXT NOT NULL,
        rule TEXT NOT NULL,
        rules TEXT NOT NULL,
        severity TEXT NOT NULL,
        party TEXT,
        data_types TEXT NOT NULL,
        title TEXT NOT NULL,
        message TEXT NOT NULL,
        suppressed BOOLEAN NOT NULL,
        evidence TEXT NOT NULL,
        PRIMARY KEY (run_id, idx)
    );
    CREATE INDEX findings_fp ON findings(fingerprint);
    CREATE TABLE flows (
        run_id BIGINT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        idx BIGINT NOT NULL,
        party TEXT NOT NULL,
        data_type TEXT NOT NULL,
        class TEXT NOT NULL,
        count BIGINT NOT NULL,
        cleartext BIGINT NOT NULL,
        before_consent BIGINT NOT NULL,
        PRIMARY KEY (run_id, party, data_type)
    );
    CREATE TABLE sdks (
        run_id BIGINT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        idx BIGINT NOT NULL,
        sdk_id TEXT NOT NULL,
        name TEXT NOT NULL,
        status TEXT NOT NULL,
        named_in_policy BOOLEAN NOT NULL,
        PRIMARY KEY (run_id, sdk_id)
    );
    CREATE TABLE permissions (
        run_id BIGINT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        PRIMARY KEY (run_id, name)
    );",
)];

/// Any constant: the key of the advisory lock that serialises migrations.
const MIGRATION_LOCK: i64 = 0x7072_6976_6175_6474;

pub struct PgStore {
    client: Client,
    url: String,
}

impl PgStore {
    pub fn open(url: &str) -> Result<PgStore, StoreError> {
        let shown = redact_password(url);
        let client = Client::connect(url, NoTls).map_err(|source| StoreError::Postgres {
            url: shown.clone(),
            source,
        })?;
        let mut store = PgStore { client, url: shown };
        store.migrate()?;
        Ok(store)
    }

    fn err(&self) -> impl Fn(postgres::Error) -> StoreError + use<> {
        let url = self.url.clone();
        move |source| StoreError::Postgres {
            url: url.clone(),
            source,
        }
    }

    fn migrate(&mut self) -> Result<(), StoreError> {
        let err = self.err();
        let known = MIGRATIONS.last().map_or(0, |m| m.0);
        let mut tx = self.client.transaction().map_err(&err)?;
        // Writers starting together on an empty database migrate one at a time.
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
            .map_err(&err)?;
        tx.batch_execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (
                version BIGINT PRIMARY KEY, applied_at TEXT NOT NULL)",
        )
        .map_err(&err)?;
        let current: i64 = tx
            .query_one(
                "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
                &[],
            )
            .map_err(&err)?
            .get(0);
        if current > known {
            return Err(StoreError::SchemaTooNew {
                url: self.url.clone(),
                found: current,
                known,
            });
        }
        for (version, sql) in MIGRATIONS {
            if *version <= current {
                continue;
            }
            tx.batch_execute(sql).map_err(&err)?;
            tx.execute(
                "INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)",
                &[
                    version,
                    &chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                ],
            )
            .map_err(&err)?;
        }
        tx.commit().map_err(&err)
    }

    pub fn schema_version(&mut self) -> Result<i64, StoreError> {
        let err = self.err();
        Ok(self
            .client
            .query_one("SELECT MAX(version) FROM schema_migrations", &[])
            .map_err(err)?
            .get(0))
    }

    pub fn put(&mut self, run: &RunRecord) -> Result<(i64, bool), StoreError> {
        let err = self.err();
        let mut tx = self.client.transaction().map_err(&err)?;
        let n = run.severity_counts();
        let failed = run.report["summary"]["failed"].as_bool().unwrap_or(false);
        let report = pack(&run.report);
        let coverage = run.coverage.to_string();
        // A concurrent writer of the same key makes this wait for its commit, then
        // insert nothing; the SELECT below then sees its run.
        let inserted = tx
            .query_opt(
                "INSERT INTO runs (run_key, app_id, app_version, stored_at, tool, signatures,
                    policy_hash, policy_path, first_ts, last_ts, n_critical, n_high, n_medium,
                    n_low, n_info, failed, coverage, report, observations)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,
                    $17, $18, $19)
                 ON CONFLICT (run_key) DO NOTHING RETURNING id",
                &[
                    &run.key,
                    &run.app,
                    &run.version,
                    &run.stored_at,
                    &run.tool,
                    &run.signatures,
                    &run.policy_hash,
                    &run.policy_path,
                    &run.first_ts(),
                    &run.last_ts(),
                    &n[0],
                    &n[1],
                    &n[2],
                    &n[3],
                    &n[4],
                    &failed,
                    &coverage,
                    &report,
                    &run.observations,
                ],
            )
            .map_err(&err)?;
        let Some(row) = inserted else {
            let id: i64 = tx
                .query_one("SELECT id FROM runs WHERE run_key = $1", &[&run.key])
                .map_err(&err)?
                .get(0);
            tx.commit().map_err(&err)?;
            return Ok((id, false));
        };
        let id: i64 = row.get(0);
        insert_children(&mut tx, id, run).map_err(&err)?;
        tx.commit().map_err(&err)?;
        Ok((id, true))
    }

    pub fn resolve(&mut self, sel: &RunSelector) -> Result<i64, StoreError> {
        let err = self.err();
        let (row, what) = match sel {
            RunSelector::Id(id) => (
                self.client
                    .query_opt("SELECT id FROM runs WHERE id = $1", &[id])
                    .map_err(&err)?,
                format!("#{id}"),
            ),
            RunSelector::AppVersion { app, version } => (
                self.client
                    .query_opt(
                        "SELECT id FROM runs WHERE app_id = $1 AND app_version = $2 ORDER BY id DESC LIMIT 1",
                        &[app, version],
                    )
                    .map_err(&err)?,
                format!("{app}@{version}"),
            ),
            RunSelector::LatestOf(app) => (
                self.client
                    .query_opt(
                        "SELECT id FROM runs WHERE app_id = $1 ORDER BY id DESC LIMIT 1",
                        &[app],
                    )
                    .map_err(&err)?,
                format!("of {app}"),
            ),
        };
        row.map(|r| r.get(0)).ok_or_else(|| StoreError::NoRun {
            url: self.url.clone(),
            what,
        })
    }

    pub fn get(&mut self, id: i64) -> Result<RunRecord, StoreError> {
        let err = self.err();
        let url = self.url.clone();
        let damaged = |problem: String| StoreError::Damaged {
            url: url.clone(),
            run: id,
            problem,
        };
        let Some(head) = self
            .client
            .query_opt(
                "SELECT run_key, app_id, app_version, stored_at, tool, signatures, policy_hash,
                    policy_path, coverage, report, observations FROM runs WHERE id = $1",
                &[&id],
            )
            .map_err(&err)?
        else {
            return Err(StoreError::NoRun {
                url: url.clone(),
                what: format!("#{id}"),
            });
        };
        let report_blob: Vec<u8> = head.get(9);
        let report = unpack(&report_blob).map_err(damaged)?;
        let coverage =
            serde_json::from_str(head.get::<_, &str>(8)).map_err(|e| damaged(e.to_string()))?;
        let inputs = self
            .client
            .query(
                "SELECT path, format, sha256, frames, first_ts, last_ts FROM inputs
                 WHERE run_id = $1 ORDER BY idx",
                &[&id],
            )
            .map_err(&err)?
            .iter()
            .map(|r| InputRow {
                path: r.get(0),
                format: r.get(1),
                sha256: r.get(2),
                frames: r.get(3),
                first_ts: r.get(4),
                last_ts: r.get(5),
            })
            .collect();
        let mut findings = Vec::new();
        for r in self
            .client
            .query(
                "SELECT fingerprint, rule, severity, party, data_types, title, message,
                    suppressed, evidence, rules FROM findings WHERE run_id = $1 ORDER BY idx",
                &[&id],
            )
            .map_err(&err)?
        {
            findings.push(FindingRow {
                fingerprint: r.get(0),
                rule: r.get(1),
                rules: serde_json::from_str(r.get::<_, &str>(9))
                    .map_err(|e| damaged(e.to_string()))?,
                severity: r.get(2),
                party: r.get(3),
                data_types: serde_json::from_str(r.get::<_, &str>(4))
                    .map_err(|e| damaged(e.to_string()))?,
                title: r.get(5),
                message: r.get(6),
                suppressed: r.get(7),
                evidence: serde_json::from_str(r.get::<_, &str>(8))
                    .map_err(|e| damaged(e.to_string()))?,
            });
        }
        let flows = self
            .client
            .query(
                "SELECT party, data_type, class, count, cleartext, before_consent FROM flows
                 WHERE run_id = $1 ORDER BY idx",
                &[&id],
            )
            .map_err(&err)?
            .iter()
            .map(|r| FlowRow {
                party: r.get(0),
                data_type: r.get(1),
                class: r.get(2),
                count: r.get(3),
                cleartext: r.get(4),
                before_consent: r.get(5),
            })
            .collect();
        let sdks = self
            .client
            .query(
                "SELECT sdk_id, name, status, named_in_policy FROM sdks WHERE run_id = $1 ORDER BY idx",
                &[&id],
            )
            .map_err(&err)?
            .iter()
            .map(|r| SdkRow {
                id: r.get(0),
                name: r.get(1),
                status: r.get(2),
                named_in_policy: r.get(3),
            })
            .collect();
        let permissions = self
            .client
            .query(
                "SELECT name FROM permissions WHERE run_id = $1 ORDER BY name",
                &[&id],
            )
            .map_err(&err)?
            .iter()
            .map(|r| r.get(0))
            .collect();
        Ok(RunRecord {
            id: Some(id),
            key: head.get(0),
            app: head.get(1),
            version: head.get(2),
            stored_at: head.get(3),
            tool: head.get(4),
            signatures: head.get(5),
            policy_hash: head.get(6),
            policy_path: head.get(7),
            inputs,
            findings,
            flows,
            sdks,
            permissions,
            coverage,
            report,
            observations: head.get(10),
        })
    }

    pub fn previous(&mut self, id: i64) -> Result<Option<i64>, StoreError> {
        let err = self.err();
        Ok(self
            .client
            .query_opt(
                "SELECT p.id FROM runs p JOIN runs r ON r.id = $1
                 WHERE p.app_id = r.app_id AND p.id < r.id
                 ORDER BY CASE WHEN p.app_version <> r.app_version THEN 0 ELSE 1 END, p.id DESC
                 LIMIT 1",
                &[&id],
            )
            .map_err(err)?
            .map(|r| r.get(0)))
    }

    pub fn history(&mut self, app: Option<&str>) -> Result<Vec<RunSummary>, StoreError> {
        let err = self.err();
        Ok(self
            .client
            .query(
                "SELECT id, app_id, app_version, stored_at, tool, signatures, policy_hash,
                    n_critical, n_high, n_medium, n_low, n_info, failed,
                    (SELECT COUNT(*) FROM findings f WHERE f.run_id = runs.id)
                 FROM runs WHERE $1::TEXT IS NULL OR app_id = $1 ORDER BY app_id, id",
                &[&app],
            )
            .map_err(err)?
            .iter()
            .map(|r| RunSummary {
                id: r.get(0),
                app: r.get(1),
                version: r.get(2),
                stored_at: r.get(3),
                tool: r.get(4),
                signatures: r.get(5),
                policy_hash: r.get(6),
                critical: r.get(7),
                high: r.get(8),
                medium: r.get(9),
                low: r.get(10),
                info: r.get(11),
                failed: r.get(12),
                findings: r.get(13),
            })
            .collect())
    }

    pub fn fleet_rows(&mut self) -> Result<FleetRows, StoreError> {
        let err = self.err();
        let latest = "SELECT MAX(id) FROM runs GROUP BY app_id";
        let runs = self
            .client
            .query(
                &format!(
                    "SELECT id, app_id, app_version, stored_at, n_critical, n_high, n_medium,
                        n_low, n_info, signatures,
                        (SELECT COUNT(*) FROM runs r2 WHERE r2.app_id = runs.app_id)
                     FROM runs WHERE id IN ({latest}) ORDER BY app_id"
                ),
                &[],
            )
            .map_err(&err)?
            .iter()
            .map(|r| FleetRun {
                run: r.get(0),
                app: r.get(1),
                version: r.get(2),
                stored_at: r.get(3),
                open: [r.get(4), r.get(5), r.get(6), r.get(7), r.get(8)],
                signatures: r.get(9),
                runs: r.get(10),
            })
            .collect();
        let sdks = self
            .client
            .query(
                &format!(
                    "SELECT run_id, sdk_id, name, status FROM sdks WHERE run_id IN ({latest})"
                ),
                &[],
            )
            .map_err(&err)?
            .iter()
            .map(|r| FleetSdk {
                run: r.get(0),
                id: r.get(1),
                name: r.get(2),
                status: r.get(3),
            })
            .collect();
        let flows = self
            .client
            .query(
                &format!(
                    "SELECT run_id, party, data_type, class, count FROM flows
                     WHERE run_id IN ({latest}) AND class <> 'clear'"
                ),
                &[],
            )
            .map_err(&err)?
            .iter()
            .map(|r| FleetFlow {
                run: r.get(0),
                party: r.get(1),
                data_type: r.get(2),
                class: r.get(3),
                count: r.get(4),
            })
            .collect();
        let findings = self
            .client
            .query(
                &format!(
                    "SELECT run_id, rule, severity, COUNT(*) FROM findings
                     WHERE run_id IN ({latest}) AND NOT suppressed GROUP BY run_id, rule, severity"
                ),
                &[],
            )
            .map_err(&err)?
            .iter()
            .map(|r| FleetFinding {
                run: r.get(0),
                rule: r.get(1),
                severity: r.get(2),
                count: r.get(3),
            })
            .collect();
        Ok(FleetRows {
            runs,
            sdks,
            flows,
            findings,
        })
    }
}

/// The child rows of a new run, one statement per table.
fn insert_children(
    tx: &mut Transaction<'_>,
    id: i64,
    run: &RunRecord,
) -> Result<(), postgres::Error> {
    let idx = |n: usize| (0..n as i64).collect::<Vec<i64>>();
    let col = |f: &dyn Fn(usize) -> String, n: usize| (0..n).map(f).collect::<Vec<String>>();

    let n = run.inputs.len();
    let sha: Vec<Option<String>> = run.inputs.iter().map(|i| i.sha256.clone()).collect();
    let frames: Vec<i64> = run.inputs.iter().map(|i| i.frames).collect();
    let first: Vec<Option<String>> = run.inputs.iter().map(|i| i.first_ts.clone()).collect();
    let last: Vec<Option<String>> = run.inputs.iter().map(|i| i.last_ts.clone()).collect();
    tx.execute(
        "INSERT INTO inputs (run_id, idx, path, format, sha256, frames, first_ts, last_ts)
         SELECT $1, * FROM unnest($2::BIGINT[], $3::TEXT[], $4::TEXT[], $5::TEXT[], $6::BIGINT[],
            $7::TEXT[], $8::TEXT[])",
        &[
            &id,
            &idx(n),
            &col(&|i| run.inputs[i].path.clone(), n),
            &col(&|i| run.inputs[i].format.clone(), n),
            &sha,
            &frames,
            &first,
            &last,
        ],
    )?;

    let f = &run.findings;
    let n = f.len();
    let party: Vec<Option<String>> = f.iter().map(|x| x.party.clone()).collect();
    let suppressed: Vec<bool> = f.iter().map(|x| x.suppressed).collect();
    tx.execute(
        "INSERT INTO findings (run_id, idx, fingerprint, rule, severity, party, data_types,
            title, message, suppressed, evidence, rules)
         SELECT $1, * FROM unnest($2::BIGINT[], $3::TEXT[], $4::TEXT[], $5::TEXT[], $6::TEXT[],
            $7::TEXT[], $8::TEXT[], $9::TEXT[], $10::BOOLEAN[], $11::TEXT[], $12::TEXT[])",
        &[
            &id,
            &idx(n),
            &col(&|i| f[i].fingerprint.clone(), n),
            &col(&|i| f[i].rule.clone(), n),
            &col(&|i| f[i].severity.clone(), n),
            &party,
            &col(
                &|i| serde_json::to_string(&f[i].data_types).unwrap_or_default(),
                n,
            ),
            &col(&|i| f[i].title.clone(), n),
            &col(&|i| f[i].message.clone(), n),
            &suppressed,
            &col(&|i| f[i].evidence.to_string(), n),
            &col(
                &|i| serde_json::to_string(&f[i].rules).unwrap_or_default(),
                n,
            ),
        ],
    )?;

    let c = &run.flows;
    let n = c.len();
    let nums = |g: &dyn Fn(&FlowRow) -> i64| c.iter().map(g).collect::<Vec<i64>>();
    tx.execute(
        "INSERT INTO flows (run_id, idx, party, data_type, class, count, cleartext, before_consent)
         SELECT $1, * FROM unnest($2::BIGINT[], $3::TEXT[], $4::TEXT[], $5::TEXT[], $6::BIGINT[],
            $7::BIGINT[], $8::BIGINT[])
         ON CONFLICT DO NOTHING",
        &[
            &id,
            &idx(n),
            &col(&|i| c[i].party.clone(), n),
            &col(&|i| c[i].data_type.clone(), n),
            &col(&|i| c[i].class.clone(), n),
            &nums(&|x| x.count),
            &nums(&|x| x.cleartext),
            &nums(&|x| x.before_consent),
        ],
    )?;

    let s = &run.sdks;
    let n = s.len();
    let named: Vec<bool> = s.iter().map(|x| x.named_in_policy).collect();
    tx.execute(
        "INSERT INTO sdks (run_id, idx, sdk_id, name, status, named_in_policy)
         SELECT $1, * FROM unnest($2::BIGINT[], $3::TEXT[], $4::TEXT[], $5::TEXT[], $6::BOOLEAN[])
         ON CONFLICT DO NOTHING",
        &[
            &id,
            &idx(n),
            &col(&|i| s[i].id.clone(), n),
            &col(&|i| s[i].name.clone(), n),
            &col(&|i| s[i].status.clone(), n),
            &named,
        ],
    )?;
    tx.execute(
        "INSERT INTO permissions (run_id, name) SELECT $1, * FROM unnest($2::TEXT[])
         ON CONFLICT DO NOTHING",
        &[&id, &run.permissions],
    )?;
    Ok(())
}
