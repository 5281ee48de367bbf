//! The results store against a real PostgreSQL server (`--features postgres`): a
//! throwaway cluster in a temporary folder, started with Debian's initdb/pg_ctl as
//! an unprivileged user (CI runs as root), listening only on a Unix socket in that
//! folder, removed afterwards. Migrations from an empty database, read-back
//! equality, idempotent re-runs, eight concurrent writers, and the demo versions
//! stored and diffed through the CLI.
#![cfg(feature = "postgres")]

use std::path::{Path, PathBuf};
use std::process::Command;

use privaudit::store::record::{RunMeta, pack};
use privaudit::store::{RunRecord, Store, StoreUrl};
use serde_json::{Value, json};

/// A running cluster; stopped and deleted on drop.
struct Cluster {
    dir: tempfile::TempDir,
    bin: PathBuf,
    user: String,
}

fn pg_bin() -> PathBuf {
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|rd| rd.flatten().map(|e| e.path().join("bin")).collect())
        .unwrap_or_default();
    found.retain(|b| b.join("initdb").exists());
    found.sort();
    found.pop().unwrap_or_else(|| {
        panic!("no /usr/lib/postgresql/*/bin/initdb: apt-get install postgresql (.ci/run does)")
    })
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

impl Cluster {
    fn start() -> Cluster {
        let bin = pg_bin();
        let dir = tempfile::Builder::new()
            .prefix("privaudit-pg-")
            .tempdir()
            .expect("temp dir");
        let root = is_root();
        // PostgreSQL refuses to run as root: the cluster belongs to `nobody`.
        let user = if root {
            "nobody".to_string()
        } else {
            std::env::var("USER").unwrap_or_else(|_| "postgres".into())
        };
        if root {
            let ok = Command::new("chown")
                .args(["-R", "nobody", dir.path().to_str().unwrap()])
                .status()
                .expect("chown");
            assert!(ok.success());
        }
        let data = dir.path().join("data");
        let run = |args: &[&str]| {
            let mut cmd = if root {
                let mut c = Command::new("runuser");
                c.args(["-u", "nobody", "--"]);
                c
            } else {
                Command::new(args[0])
            };
            let args = if root { args } else { &args[1..] };
            let out = cmd.args(args).output().expect("run a PostgreSQL tool");
            assert!(
                out.status.success(),
                "{args:?}: {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        };
        let initdb = bin.join("initdb");
        let pg_ctl = bin.join("pg_ctl");
        run(&[
            initdb.to_str().unwrap(),
            "-D",
            data.to_str().unwrap(),
            "-A",
            "trust",
            "-U",
            &user,
            "--no-sync",
        ]);
        let sock = dir.path().to_str().unwrap().to_string();
        let opts = format!("-k {sock} -c listen_addresses='' -c fsync=off -c max_connections=40");
        run(&[
            pg_ctl.to_str().unwrap(),
            "-D",
            data.to_str().unwrap(),
            "-o",
            &opts,
            "-l",
            dir.path().join("log").to_str().unwrap(),
            "-w",
            "start",
        ]);
        Cluster { dir, bin, user }
    }

    /// A URL for a database on this cluster, created empty.
    fn database(&self, name: &str) -> String {
        let base = self.url("postgres");
        let mut c = postgres::Client::connect(&base, postgres::NoTls).expect("connect");
        c.batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("create database");
        self.url(name)
    }

    fn url(&self, db: &str) -> String {
        let sock: String = self
            .dir
            .path()
            .to_str()
            .unwrap()
            .bytes()
            .map(|b| match b {
                b'/' => "%2F".to_string(),
                b => (b as char).to_string(),
            })
            .collect();
        format!("postgres://{}@{sock}/{db}", self.user)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let pg_ctl = self.bin.join("pg_ctl");
        let data = self.dir.path().join("data");
        let mut cmd = if is_root() {
            let mut c = Command::new("runuser");
            c.args(["-u", "nobody", "--"]).arg(&pg_ctl);
            c
        } else {
            Command::new(&pg_ctl)
        };
        let _ = cmd
            .args([
                "-D",
                data.to_str().unwrap(),
                "-m",
                "immediate",
                "-w",
                "stop",
            ])
            .output();
    }
}

fn report(app: &str, version: &str, n: usize, seed: usize) -> Value {
    let findings: Vec<Value> = (0..n)
        .map(|i| {
            let severity = ["critical", "high", "medium", "low", "info"][i % 5];
            json!({"rule": "PA-DISCLOSURE-OMITTED", "severity": severity, "title": "T",
                   "message": format!("m{i}"), "data_type": format!("t.{i}"),
                   "party": format!("sdk:s{}", i % 9),
                   "fingerprint": format!("{:016x}", i * 7919 + seed),
                   "evidence": [{"frame": i, "value": "8669*******3828"}],
                   "suppressed": i % 31 == 0})
        })
        .collect();
    json!({
        "schema": "privaudit.audit/1", "tool": "privaudit test",
        "app": {"name": app, "package": app},
        "inputs": [{"path": "c.pcapng", "format": "pcapng", "frames": 3, "sha256": format!("{app}{version}{seed}"),
                    "first_ts": "2021-08-13T10:46:09.772338Z", "last_ts": null}],
        "package": {"permissions": [{"name": "android.permission.CAMERA"}]},
        "summary": {"failed": false},
        "findings": findings,
        "matrix": [{"party": "sdk:s1", "data_type": "t.1", "class": "omitted", "count": 2,
                    "cleartext": 1, "before_consent": 0},
                   {"party": "first-party", "data_type": "t.2", "class": "clear", "count": 1,
                    "cleartext": 0, "before_consent": 1}],
        "sdks": [{"id": "s1", "name": "S1", "status": "transmitting", "named_in_policy": false}],
        "coverage": {"requests_inspected": n},
    })
}

fn record(app: &str, version: &str, n: usize, seed: usize) -> RunRecord {
    RunRecord::from_report(
        &report(app, version, n, seed),
        &RunMeta {
            app,
            version,
            policy_bytes: b"policy",
            policy_path: "p.toml",
            signatures: "builtin-test",
            options: "",
        },
        Some(pack(&json!([seed]))),
    )
    .unwrap()
}

#[test]
fn postgres_store() {
    let cluster = Cluster::start();

    // Migrations from an empty database, read back what was written, re-runs.
    let url = cluster.database("privaudit_a");
    let mut s = Store::open(&StoreUrl::parse(&url).unwrap()).expect("open the store");
    let latest = privaudit::store::postgres::MIGRATIONS.last().unwrap().0;
    assert_eq!(s.schema_version().unwrap(), latest);
    let run = record("com.a", "1.0", 500, 1);
    let (id, new) = s.put(&run).unwrap();
    assert!(new);
    assert_eq!(
        s.put(&run).unwrap(),
        (id, false),
        "the same run stored twice"
    );
    let back = s.get(id).unwrap();
    assert_eq!(back.findings, run.findings);
    assert_eq!(back.flows, run.flows);
    assert_eq!(back.sdks, run.sdks);
    assert_eq!(back.inputs, run.inputs);
    let mut expected = run.clone();
    expected.id = Some(id);
    assert!(
        back == expected,
        "the run read back differs from the run written"
    );
    drop(s);
    // Reopening does not migrate again.
    let mut s = Store::open(&StoreUrl::parse(&url).unwrap()).unwrap();
    assert_eq!(s.history(None).unwrap().len(), 1);

    // Storing 10 000 findings.
    let big = record("com.big", "1.0", 10_000, 3);
    let t = std::time::Instant::now();
    s.put(&big).unwrap();
    eprintln!(
        "postgres: 10 000 findings stored in {:.3} s",
        t.elapsed().as_secs_f64()
    );
    let big_id = s
        .resolve(&privaudit::store::RunSelector::LatestOf("com.big".into()))
        .unwrap();
    assert_eq!(s.get(big_id).unwrap().findings, big.findings);

    // Eight concurrent writers on a fresh database, racing its migration too.
    let url = cluster.database("privaudit_b");
    let threads: Vec<_> = (0..8)
        .map(|w| {
            let url = url.clone();
            std::thread::spawn(move || {
                let mut s = Store::open(&StoreUrl::parse(&url).unwrap()).expect("open");
                let mut shared = Vec::new();
                for v in 0..4 {
                    s.put(&record(&format!("app{w}"), &format!("1.{v}"), 50, w))
                        .unwrap();
                    shared.push(s.put(&record("shared", "1.0", 50, 99)).unwrap().0);
                }
                shared
            })
        })
        .collect();
    let mut shared = std::collections::BTreeSet::new();
    for t in threads {
        shared.extend(t.join().expect("writer panicked"));
    }
    assert_eq!(shared.len(), 1, "one shared run, not {shared:?}");
    let mut s = Store::open(&StoreUrl::parse(&url).unwrap()).unwrap();
    let runs = s.history(None).unwrap();
    assert_eq!(runs.len(), 8 * 4 + 1);
    assert!(runs.iter().all(|r| r.findings == 50));
    let fleet = privaudit::store::fleet::Fleet::build(s.fleet_rows().unwrap(), None);
    assert_eq!(fleet.apps.len(), 9);

    // The CLI: the two demo versions stored in PostgreSQL and diffed.
    let url = cluster.database("privaudit_cli");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for (capture, version) in [
        ("captures/demo/mobile-office.pcapng", "4.5.0"),
        ("captures/demo/4.6.0/mobile-office.pcapng", "4.6.0"),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_privaudit"))
            .current_dir(root)
            .args([
                "audit",
                "--policy",
                "policies/mobile-office.toml",
                "--device",
                "captures/demo/device.toml",
                "--consent-marker",
                "privacy/agree",
                capture,
                "--store",
                &url,
                "--app-id",
                "com.seeyon.cmp",
                "--app-version",
                version,
                "-o",
                "/dev/null",
            ])
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(1),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let out = Command::new(env!("CARGO_BIN_EXE_privaudit"))
        .current_dir(root)
        .args([
            "diff",
            &format!("{url}#com.seeyon.cmp@4.5.0"),
            &format!("{url}#com.seeyon.cmp@4.6.0"),
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let d: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(d["sdks"]["added"][0]["id"], "growingio");
    assert_eq!(
        d["flows"]["removed"][0]["data_type"],
        "device.identifier.android_id"
    );
}
