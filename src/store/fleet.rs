//! The team's overview across apps (`privaudit fleet`): the latest run of each app,
//! apps × SDKs, apps × flows the policy does not declare, open findings by
//! severity, and which apps a signature update touches. Built from a handful of
//! aggregate queries, never by reading stored reports, so it stays fast at
//! thousands of runs.

use std::collections::BTreeMap;

use serde::Serialize;

use super::record::SEVERITIES;
use crate::report::escape::html as esc;
use crate::sdk::signatures::SdkDb;

pub const SCHEMA: &str = "privaudit.fleet/1";

#[derive(Debug, Clone)]
pub struct FleetRun {
    pub run: i64,
    pub app: String,
    pub version: String,
    pub stored_at: String,
    /// Open findings: critical, high, medium, low, info.
    pub open: [i64; 5],
    pub signatures: String,
    pub runs: i64,
}

#[derive(Debug, Clone)]
pub struct FleetSdk {
    pub run: i64,
    pub id: String,
    pub name: String,
    pub status: String,
}

#[derive(Debug, Clone)]
pub struct FleetFlow {
    pub run: i64,
    pub party: String,
    pub data_type: String,
    pub class: String,
    pub count: i64,
}

#[derive(Debug, Clone)]
pub struct FleetFinding {
    pub run: i64,
    pub rule: String,
    pub severity: String,
    pub count: i64,
}

/// What the store returns; `Fleet::build` shapes it.
#[derive(Debug, Clone, Default)]
pub struct FleetRows {
    pub runs: Vec<FleetRun>,
    pub sdks: Vec<FleetSdk>,
    pub flows: Vec<FleetFlow>,
    pub findings: Vec<FleetFinding>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AppRow {
    pub app: String,
    pub version: String,
    pub run: i64,
    pub runs: i64,
    pub stored_at: String,
    pub signatures: String,
    pub open: BTreeMap<&'static str, i64>,
    pub sdks: Vec<String>,
    /// Flows the policy does not declare clearly: `party data_type (class)`.
    pub undeclared: Vec<UndeclaredFlow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct UndeclaredFlow {
    pub party: String,
    pub data_type: String,
    pub class: String,
    pub count: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct SdkColumn {
    pub id: String,
    pub name: String,
    pub apps: Vec<String>,
}

/// Apps whose stored results a signature update changes.
#[derive(Debug, Clone, Serialize)]
pub struct SignatureImpact {
    pub signatures: String,
    /// Apps audited with other signatures than these.
    pub stale: Vec<String>,
    /// Third parties the new signatures attribute to an SDK: app, party, SDK.
    pub newly_attributed: Vec<(String, String, String)>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Fleet {
    pub schema: &'static str,
    pub apps: Vec<AppRow>,
    pub sdks: Vec<SdkColumn>,
    /// Open findings across the fleet, by severity and by rule.
    pub open_by_severity: BTreeMap<&'static str, i64>,
    pub open_by_rule: BTreeMap<String, BTreeMap<String, i64>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signature_update: Option<SignatureImpact>,
}

impl Fleet {
    pub fn build(rows: FleetRows, update: Option<(&str, &SdkDb)>) -> Fleet {
        let mut apps: BTreeMap<i64, AppRow> = BTreeMap::new();
        let mut open_by_severity: BTreeMap<&'static str, i64> =
            SEVERITIES.iter().map(|s| (*s, 0)).collect();
        for r in rows.runs {
            for (i, s) in SEVERITIES.iter().enumerate() {
                *open_by_severity.entry(s).or_default() += r.open[i];
            }
            apps.insert(
                r.run,
                AppRow {
                    app: r.app,
                    version: r.version,
                    run: r.run,
                    runs: r.runs,
                    stored_at: r.stored_at,
                    signatures: r.signatures,
                    open: SEVERITIES.iter().copied().zip(r.open).collect(),
                    sdks: Vec::new(),
                    undeclared: Vec::new(),
                },
            );
        }
        let mut columns: BTreeMap<String, SdkColumn> = BTreeMap::new();
        for s in rows.sdks {
            let Some(app) = apps.get_mut(&s.run) else {
                continue;
            };
            app.sdks.push(s.id.clone());
            columns
                .entry(s.id.clone())
                .or_insert_with(|| SdkColumn {
                    id: s.id.clone(),
                    name: s.name.clone(),
                    apps: Vec::new(),
                })
                .apps
                .push(app.app.clone());
        }
        let mut newly = Vec::new();
        for f in rows.flows {
            let Some(app) = apps.get_mut(&f.run) else {
                continue;
            };
            if let Some((_, db)) = update
                && let Some(domain) = f.party.strip_prefix("third-party:")
                && let Some(sdk) = db.by_host(domain)
            {
                newly.push((app.app.clone(), f.party.clone(), format!("sdk:{}", sdk.id)));
            }
            app.undeclared.push(UndeclaredFlow {
                party: f.party,
                data_type: f.data_type,
                class: f.class,
                count: f.count,
            });
        }
        let mut open_by_rule: BTreeMap<String, BTreeMap<String, i64>> = BTreeMap::new();
        for f in rows.findings {
            *open_by_rule
                .entry(f.rule)
                .or_default()
                .entry(f.severity)
                .or_default() += f.count;
        }
        let mut apps: Vec<AppRow> = apps.into_values().collect();
        for a in &mut apps {
            a.sdks.sort();
            a.undeclared
                .sort_by(|x, y| (&x.party, &x.data_type).cmp(&(&y.party, &y.data_type)));
        }
        apps.sort_by(|a, b| a.app.cmp(&b.app));
        let signature_update = update.map(|(version, _)| {
            newly.sort();
            newly.dedup();
            SignatureImpact {
                signatures: version.to_string(),
                stale: apps
                    .iter()
                    .filter(|a| a.signatures != version)
                    .map(|a| a.app.clone())
                    .collect(),
                newly_attributed: newly,
            }
        });
        Fleet {
            schema: SCHEMA,
            apps,
            sdks: columns.into_values().collect(),
            open_by_severity,
            open_by_rule,
            signature_update,
        }
    }

    /// One self-contained HTML page (no script, no external resource).
    pub fn html(&self) -> String {
        let mut h = String::new();
        h.push_str("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
        h.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
        h.push_str("<title>privaudit fleet</title><style>");
        h.push_str(
            "body{font:14px system-ui,sans-serif;margin:1.5em;color:#222}\
             table{border-collapse:collapse;margin:1em 0}\
             th,td{border:1px solid #ccc;padding:.25em .5em;text-align:left;vertical-align:top}\
             th{background:#f3f3f3}td.y{background:#dbe9ff;text-align:center}\
             .critical{color:#8b0000;font-weight:bold}.high{color:#c0392b}\
             .medium{color:#b7950b}.wrap{overflow-x:auto}",
        );
        h.push_str("</style></head><body>\n<h1>privaudit fleet</h1>\n");
        h.push_str(&format!(
            "<p>{} apps; open findings: {}</p>\n",
            self.apps.len(),
            SEVERITIES
                .iter()
                .map(|s| format!(
                    "<span class=\"{s}\">{} {s}</span>",
                    self.open_by_severity.get(s).copied().unwrap_or(0)
                ))
                .collect::<Vec<_>>()
                .join(", ")
        ));
        h.push_str("<h2>Open findings by app</h2>\n<div class=\"wrap\"><table><tr><th>app</th><th>version</th><th>runs</th>");
        for s in SEVERITIES {
            h.push_str(&format!("<th class=\"{s}\">{s}</th>"));
        }
        h.push_str("</tr>\n");
        for a in &self.apps {
            h.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td>",
                esc(&a.app),
                esc(&a.version),
                a.runs
            ));
            for s in SEVERITIES {
                h.push_str(&format!("<td>{}</td>", a.open.get(s).copied().unwrap_or(0)));
            }
            h.push_str("</tr>\n");
        }
        h.push_str(
            "</table></div>\n<h2>Apps × SDKs</h2>\n<div class=\"wrap\"><table><tr><th>app</th>",
        );
        for c in &self.sdks {
            h.push_str(&format!(
                "<th title=\"{}\">{}</th>",
                esc(&c.id),
                esc(&c.name)
            ));
        }
        h.push_str("</tr>\n");
        for a in &self.apps {
            h.push_str(&format!("<tr><td>{}</td>", esc(&a.app)));
            for c in &self.sdks {
                if a.sdks.binary_search(&c.id).is_ok() {
                    h.push_str("<td class=\"y\">●</td>");
                } else {
                    h.push_str("<td></td>");
                }
            }
            h.push_str("</tr>\n");
        }
        h.push_str("</table></div>\n<h2>Apps × flows the policy does not declare</h2>\n<table><tr><th>app</th><th>party</th><th>data type</th><th>class</th><th>requests</th></tr>\n");
        for a in &self.apps {
            for f in &a.undeclared {
                h.push_str(&format!(
                    "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                    esc(&a.app),
                    esc(&f.party),
                    esc(&f.data_type),
                    esc(&f.class),
                    f.count
                ));
            }
        }
        h.push_str("</table>\n<h2>Open findings by rule</h2>\n<table><tr><th>rule</th><th>severity</th><th>count</th></tr>\n");
        for (rule, by) in &self.open_by_rule {
            for (sev, n) in by {
                h.push_str(&format!(
                    "<tr><td>{}</td><td class=\"{}\">{}</td><td>{n}</td></tr>\n",
                    esc(rule),
                    esc(sev),
                    esc(sev)
                ));
            }
        }
        h.push_str("</table>\n");
        if let Some(u) = &self.signature_update {
            h.push_str(&format!(
                "<h2>Signature update {}</h2>\n<p>Audited with other signatures: {}</p>\n<table><tr><th>app</th><th>party</th><th>now</th></tr>\n",
                esc(&u.signatures),
                if u.stale.is_empty() {
                    "none".to_string()
                } else {
                    u.stale.iter().map(|s| esc(s)).collect::<Vec<_>>().join(", ")
                }
            ));
            for (app, party, sdk) in &u.newly_attributed {
                h.push_str(&format!(
                    "<tr><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                    esc(app),
                    esc(party),
                    esc(sdk)
                ));
            }
            h.push_str("</table>\n");
        }
        h.push_str("</body></html>\n");
        h
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows() -> FleetRows {
        let run = |run: i64, app: &str, signatures: &str| FleetRun {
            run,
            app: app.into(),
            version: "1.0".into(),
            stored_at: "2026-01-01T00:00:00Z".into(),
            open: [0, 2, 1, 0, 0],
            signatures: signatures.into(),
            runs: 1,
        };
        FleetRows {
            runs: vec![run(1, "com.a", "builtin-1"), run(2, "com.b", "builtin-2")],
            sdks: vec![FleetSdk {
                run: 2,
                id: "jpush".into(),
                name: "JPush".into(),
                status: "transmitting".into(),
            }],
            flows: vec![FleetFlow {
                run: 1,
                party: "third-party:umeng.com".into(),
                data_type: "device.identifier.imei".into(),
                class: "omitted".into(),
                count: 3,
            }],
            findings: vec![FleetFinding {
                run: 1,
                rule: "PA-X".into(),
                severity: "high".into(),
                count: 2,
            }],
        }
    }

    #[test]
    fn a_signature_update_names_the_apps_it_changes() {
        let db = SdkDb::builtin();
        let f = Fleet::build(rows(), Some(("builtin-2", &db)));
        let u = f.signature_update.as_ref().unwrap();
        assert_eq!(u.stale, vec!["com.a".to_string()]);
        assert_eq!(
            u.newly_attributed,
            vec![(
                "com.a".to_string(),
                "third-party:umeng.com".to_string(),
                "sdk:umeng".to_string()
            )]
        );
        assert_eq!(f.open_by_severity["high"], 4);
        assert_eq!(f.sdks[0].apps, vec!["com.b".to_string()]);
        assert_eq!(f.apps[0].undeclared.len(), 1);
    }

    #[test]
    fn html_escapes_what_the_store_holds() {
        let mut r = rows();
        r.runs[0].app = "<script>x</script>".into();
        let html = Fleet::build(r, None).html();
        assert!(!html.contains("<script>x"));
        assert!(html.contains("&lt;script&gt;x"));
    }
}
