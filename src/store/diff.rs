//! What changed between two audits of an app (`privaudit diff`, `audit
//! --against-previous`): SDKs added and removed, (party, data type) flows added,
//! removed and reclassified, permissions gained and lost, findings new, resolved
//! and unchanged by fingerprint, and the ones whose fingerprint stayed but whose
//! severity, rules or data types changed. Each side is an audit's JSON report or a stored run.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use serde::Serialize;
use serde_json::Value;

use super::record::{FindingRow, RunRecord, finding_row, permissions, severity_rank};
use crate::report::escape::html as esc;

pub const SCHEMA: &str = "privaudit.diff/1";

/// One side of a diff, reduced to what is compared.
#[derive(Debug, Clone)]
pub struct Side {
    pub info: SideInfo,
    sdks: BTreeMap<String, String>,
    flows: BTreeMap<(String, String), String>,
    permissions: BTreeSet<String>,
    findings: BTreeMap<String, FindingRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SideInfo {
    /// The file or store URL the side came from.
    pub source: String,
    pub app: Option<String>,
    pub version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub run: Option<i64>,
    pub tool: String,
}

impl Side {
    pub fn from_report(source: &str, report: &Value) -> Side {
        let (app, version) = super::record::app_and_version(report);
        let mut sdks = BTreeMap::new();
        for e in report["sdks"].as_array().into_iter().flatten() {
            if let Some(id) = e["id"].as_str() {
                let name = e["name"].as_str().unwrap_or(id);
                sdks.insert(id.to_string(), name.to_string());
            }
        }
        let mut flows = BTreeMap::new();
        for c in report["matrix"].as_array().into_iter().flatten() {
            if let (Some(p), Some(t)) = (c["party"].as_str(), c["data_type"].as_str()) {
                let class = c["class"].as_str().unwrap_or_default();
                flows.insert((p.to_string(), t.to_string()), class.to_string());
            }
        }
        let findings = report["findings"]
            .as_array()
            .into_iter()
            .flatten()
            .map(finding_row)
            .map(|f| (f.fingerprint.clone(), f))
            .collect();
        Side {
            info: SideInfo {
                source: source.to_string(),
                app,
                version,
                run: None,
                tool: report["tool"].as_str().unwrap_or_default().to_string(),
            },
            sdks,
            flows,
            permissions: permissions(report).into_iter().collect(),
            findings,
        }
    }

    pub fn from_run(source: &str, run: &RunRecord) -> Side {
        Side {
            info: SideInfo {
                source: source.to_string(),
                app: Some(run.app.clone()),
                version: Some(run.version.clone()),
                run: run.id,
                tool: run.tool.clone(),
            },
            sdks: run
                .sdks
                .iter()
                .map(|s| (s.id.clone(), s.name.clone()))
                .collect(),
            flows: run
                .flows
                .iter()
                .map(|f| ((f.party.clone(), f.data_type.clone()), f.class.clone()))
                .collect(),
            permissions: run.permissions.iter().cloned().collect(),
            findings: run
                .findings
                .iter()
                .map(|f| (f.fingerprint.clone(), f.clone()))
                .collect(),
        }
    }
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct SdkRef {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct FlowRef {
    pub party: String,
    pub data_type: String,
    pub class: String,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Reclassified {
    pub party: String,
    pub data_type: String,
    pub old: String,
    pub new: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct FindingRef {
    pub fingerprint: String,
    pub rule: String,
    pub rules: Vec<String>,
    pub severity: String,
    pub party: Option<String>,
    pub data_types: Vec<String>,
    pub title: String,
    pub message: String,
    pub suppressed: bool,
}

impl From<&FindingRow> for FindingRef {
    fn from(f: &FindingRow) -> Self {
        FindingRef {
            fingerprint: f.fingerprint.clone(),
            rule: f.rule.clone(),
            rules: f.rules.clone(),
            severity: f.severity.clone(),
            party: f.party.clone(),
            data_types: f.data_types.clone(),
            title: f.title.clone(),
            message: f.message.clone(),
            suppressed: f.suppressed,
        }
    }
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct SdkChanges {
    pub added: Vec<SdkRef>,
    pub removed: Vec<SdkRef>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct FlowChanges {
    pub added: Vec<FlowRef>,
    pub removed: Vec<FlowRef>,
    /// Flows on both sides whose disclosure class changed (a policy edit, say).
    pub reclassified: Vec<Reclassified>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct PermissionChanges {
    pub gained: Vec<String>,
    pub lost: Vec<String>,
}

/// A finding on both sides (same fingerprint: same party and kind) that changed.
#[derive(Debug, Clone, Serialize)]
pub struct ChangedFinding {
    /// As it is now.
    pub finding: FindingRef,
    pub old_severity: String,
    pub data_types_added: Vec<String>,
    pub data_types_removed: Vec<String>,
    pub rules_added: Vec<String>,
    pub rules_removed: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct FindingChanges {
    pub new: Vec<FindingRef>,
    pub resolved: Vec<FindingRef>,
    pub changed: Vec<ChangedFinding>,
    pub unchanged: Vec<FindingRef>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DiffSummary {
    pub sdks_added: usize,
    pub sdks_removed: usize,
    pub flows_added: usize,
    pub flows_removed: usize,
    pub permissions_gained: usize,
    pub permissions_lost: usize,
    pub findings_new: usize,
    pub findings_resolved: usize,
    pub findings_changed: usize,
    pub findings_unchanged: usize,
    /// Anything besides unchanged findings.
    pub changed: bool,
    pub fail_on: String,
    /// A new, unsuppressed finding reaches `fail_on`, or a changed one newly does.
    pub failed: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Diff {
    pub schema: &'static str,
    pub old: SideInfo,
    pub new: SideInfo,
    pub sdks: SdkChanges,
    pub flows: FlowChanges,
    pub permissions: PermissionChanges,
    pub findings: FindingChanges,
    pub summary: DiffSummary,
}

fn by_severity(list: &mut [FindingRef]) {
    list.sort_by(|a, b| {
        severity_rank(&a.severity)
            .cmp(&severity_rank(&b.severity))
            .then_with(|| a.rule.cmp(&b.rule))
            .then_with(|| a.party.cmp(&b.party))
            .then_with(|| a.fingerprint.cmp(&b.fingerprint))
    });
}

/// Compares two sides; `fail_on` is a severity name (`info` … `critical`).
pub fn diff(old: &Side, new: &Side, fail_on: &str) -> Diff {
    let mut d = Diff {
        schema: SCHEMA,
        old: old.info.clone(),
        new: new.info.clone(),
        sdks: SdkChanges::default(),
        flows: FlowChanges::default(),
        permissions: PermissionChanges::default(),
        findings: FindingChanges::default(),
        summary: DiffSummary {
            sdks_added: 0,
            sdks_removed: 0,
            flows_added: 0,
            flows_removed: 0,
            permissions_gained: 0,
            permissions_lost: 0,
            findings_new: 0,
            findings_resolved: 0,
            findings_changed: 0,
            findings_unchanged: 0,
            changed: false,
            fail_on: fail_on.to_string(),
            failed: false,
        },
    };
    for (id, name) in &new.sdks {
        if !old.sdks.contains_key(id) {
            d.sdks.added.push(SdkRef {
                id: id.clone(),
                name: name.clone(),
            });
        }
    }
    for (id, name) in &old.sdks {
        if !new.sdks.contains_key(id) {
            d.sdks.removed.push(SdkRef {
                id: id.clone(),
                name: name.clone(),
            });
        }
    }
    for ((p, t), class) in &new.flows {
        match old.flows.get(&(p.clone(), t.clone())) {
            None => d.flows.added.push(FlowRef {
                party: p.clone(),
                data_type: t.clone(),
                class: class.clone(),
            }),
            Some(before) if before != class => d.flows.reclassified.push(Reclassified {
                party: p.clone(),
                data_type: t.clone(),
                old: before.clone(),
                new: class.clone(),
            }),
            Some(_) => {}
        }
    }
    for ((p, t), class) in &old.flows {
        if !new.flows.contains_key(&(p.clone(), t.clone())) {
            d.flows.removed.push(FlowRef {
                party: p.clone(),
                data_type: t.clone(),
                class: class.clone(),
            });
        }
    }
    d.permissions.gained = new
        .permissions
        .difference(&old.permissions)
        .cloned()
        .collect();
    d.permissions.lost = old
        .permissions
        .difference(&new.permissions)
        .cloned()
        .collect();
    let threshold = severity_rank(fail_on);
    let minus = |a: &[String], b: &[String]| -> Vec<String> {
        a.iter().filter(|x| !b.contains(x)).cloned().collect()
    };
    for (fp, f) in &new.findings {
        if let Some(o) = old.findings.get(fp) {
            let c = ChangedFinding {
                finding: f.into(),
                old_severity: o.severity.clone(),
                data_types_added: minus(&f.data_types, &o.data_types),
                data_types_removed: minus(&o.data_types, &f.data_types),
                rules_added: minus(&f.rules, &o.rules),
                rules_removed: minus(&o.rules, &f.rules),
            };
            if c.old_severity == f.severity
                && c.data_types_added.is_empty()
                && c.data_types_removed.is_empty()
                && c.rules_added.is_empty()
                && c.rules_removed.is_empty()
            {
                d.findings.unchanged.push(f.into());
            } else {
                // A finding that escalated past the threshold is a regression too.
                if !f.suppressed
                    && severity_rank(&f.severity) <= threshold
                    && severity_rank(&o.severity) > threshold
                {
                    d.summary.failed = true;
                }
                d.findings.changed.push(c);
            }
        } else {
            if !f.suppressed && severity_rank(&f.severity) <= threshold {
                d.summary.failed = true;
            }
            d.findings.new.push(f.into());
        }
    }
    for (fp, f) in &old.findings {
        if !new.findings.contains_key(fp) {
            d.findings.resolved.push(f.into());
        }
    }
    by_severity(&mut d.findings.new);
    by_severity(&mut d.findings.resolved);
    by_severity(&mut d.findings.unchanged);
    d.findings.changed.sort_by(|a, b| {
        severity_rank(&a.finding.severity)
            .cmp(&severity_rank(&b.finding.severity))
            .then_with(|| a.finding.fingerprint.cmp(&b.finding.fingerprint))
    });
    let s = &mut d.summary;
    s.sdks_added = d.sdks.added.len();
    s.sdks_removed = d.sdks.removed.len();
    s.flows_added = d.flows.added.len();
    s.flows_removed = d.flows.removed.len();
    s.permissions_gained = d.permissions.gained.len();
    s.permissions_lost = d.permissions.lost.len();
    s.findings_new = d.findings.new.len();
    s.findings_resolved = d.findings.resolved.len();
    s.findings_changed = d.findings.changed.len();
    s.findings_unchanged = d.findings.unchanged.len();
    s.changed = s.sdks_added
        + s.sdks_removed
        + s.flows_added
        + s.flows_removed
        + d.flows.reclassified.len()
        + s.permissions_gained
        + s.permissions_lost
        + s.findings_new
        + s.findings_resolved
        + s.findings_changed
        > 0;
    d
}

fn side_label(s: &SideInfo) -> String {
    let mut out = match (&s.app, &s.version) {
        (Some(a), Some(v)) => format!("{a} {v}"),
        (Some(a), None) => a.clone(),
        _ => s.source.clone(),
    };
    if let Some(id) = s.run {
        let _ = write!(out, " (run {id})");
    }
    out
}

fn finding_line(f: &FindingRef) -> String {
    let mut s = format!(
        "[{}] {} {}",
        f.severity,
        f.rule,
        f.party.as_deref().unwrap_or("-")
    );
    if !f.data_types.is_empty() {
        let _ = write!(s, " {}", f.data_types.join(", "));
    }
    if f.suppressed {
        s.push_str(" (baseline)");
    }
    let _ = write!(s, ": {}", f.message);
    s
}

fn changed_line(c: &ChangedFinding) -> String {
    let f = &c.finding;
    let mut parts = Vec::new();
    if c.old_severity != f.severity {
        parts.push(format!("severity {} → {}", c.old_severity, f.severity));
    }
    for (label, list) in [
        ("data types +", &c.data_types_added),
        ("data types −", &c.data_types_removed),
        ("rules +", &c.rules_added),
        ("rules −", &c.rules_removed),
    ] {
        if !list.is_empty() {
            parts.push(format!("{label}{}", list.join(", ")));
        }
    }
    format!(
        "[{}] {} {}: {}",
        f.severity,
        f.rule,
        f.party.as_deref().unwrap_or("-"),
        parts.join("; ")
    )
}

impl Diff {
    /// Plain text for a terminal; `title` heads the section.
    pub fn table(&self, title: &str) -> String {
        let mut o = String::new();
        let _ = writeln!(
            o,
            "{title}: {} → {}",
            side_label(&self.old),
            side_label(&self.new)
        );
        if !self.summary.changed {
            let _ = writeln!(
                o,
                "  no changes ({} findings unchanged)",
                self.summary.findings_unchanged
            );
            return o;
        }
        let mut list = |label: &str, items: Vec<String>| {
            if !items.is_empty() {
                let _ = writeln!(o, "  {label} ({}):", items.len());
                for i in items {
                    let _ = writeln!(o, "    {i}");
                }
            }
        };
        list(
            "SDKs added",
            self.sdks
                .added
                .iter()
                .map(|s| format!("+ {} ({})", s.name, s.id))
                .collect(),
        );
        list(
            "SDKs removed",
            self.sdks
                .removed
                .iter()
                .map(|s| format!("- {} ({})", s.name, s.id))
                .collect(),
        );
        list(
            "flows added",
            self.flows
                .added
                .iter()
                .map(|f| format!("+ {} → {} ({})", f.data_type, f.party, f.class))
                .collect(),
        );
        list(
            "flows removed",
            self.flows
                .removed
                .iter()
                .map(|f| format!("- {} → {} ({})", f.data_type, f.party, f.class))
                .collect(),
        );
        list(
            "flows reclassified",
            self.flows
                .reclassified
                .iter()
                .map(|f| format!("~ {} → {}: {} → {}", f.data_type, f.party, f.old, f.new))
                .collect(),
        );
        list(
            "permissions gained",
            self.permissions
                .gained
                .iter()
                .map(|p| format!("+ {p}"))
                .collect(),
        );
        list(
            "permissions lost",
            self.permissions
                .lost
                .iter()
                .map(|p| format!("- {p}"))
                .collect(),
        );
        list(
            "new findings",
            self.findings
                .new
                .iter()
                .map(|f| format!("+ {}", finding_line(f)))
                .collect(),
        );
        list(
            "resolved findings",
            self.findings
                .resolved
                .iter()
                .map(|f| format!("- {}", finding_line(f)))
                .collect(),
        );
        list(
            "changed findings",
            self.findings
                .changed
                .iter()
                .map(|c| format!("~ {}", changed_line(c)))
                .collect(),
        );
        let _ = writeln!(
            o,
            "  {} findings unchanged; {}",
            self.summary.findings_unchanged,
            if self.summary.failed {
                format!("a new finding reaches {}", self.summary.fail_on)
            } else {
                format!("no new finding reaches {}", self.summary.fail_on)
            }
        );
        o
    }

    /// Markdown, for a merge-request comment; `level` is the heading depth.
    pub fn markdown(&self, title: &str, level: usize) -> String {
        let h = "#".repeat(level.clamp(1, 6));
        let mut o = String::new();
        let _ = writeln!(
            o,
            "{h} {title}\n\n`{}` → `{}`\n",
            md(&side_label(&self.old)),
            md(&side_label(&self.new))
        );
        if !self.summary.changed {
            let _ = writeln!(
                o,
                "No changes ({} findings unchanged).",
                self.summary.findings_unchanged
            );
            return o;
        }
        let _ = writeln!(o, "| change | count |\n|---|---|");
        for (label, n) in [
            ("SDKs added", self.summary.sdks_added),
            ("SDKs removed", self.summary.sdks_removed),
            ("flows added", self.summary.flows_added),
            ("flows removed", self.summary.flows_removed),
            ("flows reclassified", self.flows.reclassified.len()),
            ("permissions gained", self.summary.permissions_gained),
            ("permissions lost", self.summary.permissions_lost),
            ("new findings", self.summary.findings_new),
            ("resolved findings", self.summary.findings_resolved),
            ("changed findings", self.summary.findings_changed),
            ("unchanged findings", self.summary.findings_unchanged),
        ] {
            if n > 0 {
                let _ = writeln!(o, "| {label} | {n} |");
            }
        }
        o.push('\n');
        let mut section = |label: &str, items: Vec<String>| {
            if !items.is_empty() {
                let _ = writeln!(o, "**{label}**\n");
                for i in items {
                    let _ = writeln!(o, "- {i}");
                }
                o.push('\n');
            }
        };
        section(
            "SDKs added",
            self.sdks
                .added
                .iter()
                .map(|s| format!("{} (`{}`)", md(&s.name), s.id))
                .collect(),
        );
        section(
            "SDKs removed",
            self.sdks
                .removed
                .iter()
                .map(|s| format!("{} (`{}`)", md(&s.name), s.id))
                .collect(),
        );
        section(
            "Flows added",
            self.flows
                .added
                .iter()
                .map(|f| format!("`{}` → `{}` ({})", f.data_type, f.party, f.class))
                .collect(),
        );
        section(
            "Flows removed",
            self.flows
                .removed
                .iter()
                .map(|f| format!("`{}` → `{}` ({})", f.data_type, f.party, f.class))
                .collect(),
        );
        section(
            "Flows reclassified",
            self.flows
                .reclassified
                .iter()
                .map(|f| format!("`{}` → `{}`: {} → {}", f.data_type, f.party, f.old, f.new))
                .collect(),
        );
        section(
            "Permissions gained",
            self.permissions
                .gained
                .iter()
                .map(|p| format!("`{p}`"))
                .collect(),
        );
        section(
            "Permissions lost",
            self.permissions
                .lost
                .iter()
                .map(|p| format!("`{p}`"))
                .collect(),
        );
        section(
            "New findings",
            self.findings
                .new
                .iter()
                .map(|f| md(&finding_line(f)))
                .collect(),
        );
        section(
            "Changed findings",
            self.findings
                .changed
                .iter()
                .map(|c| md(&changed_line(c)))
                .collect(),
        );
        section(
            "Resolved findings",
            self.findings
                .resolved
                .iter()
                .map(|f| md(&finding_line(f)))
                .collect(),
        );
        let _ = writeln!(
            o,
            "{}",
            if self.summary.failed {
                format!("❌ a new finding reaches `{}`.", self.summary.fail_on)
            } else {
                format!("✅ no new finding reaches `{}`.", self.summary.fail_on)
            }
        );
        o
    }

    /// An HTML section (escaped), for the audit's HTML report.
    pub fn html_section(&self, title: &str) -> String {
        let mut o = String::new();
        let _ = write!(
            o,
            "<section id=\"changes\"><h2>{}</h2><p>{} → {}</p>",
            esc(title),
            esc(&side_label(&self.old)),
            esc(&side_label(&self.new))
        );
        if !self.summary.changed {
            let _ = write!(
                o,
                "<p>No changes ({} findings unchanged).</p></section>",
                self.summary.findings_unchanged
            );
            return o;
        }
        let mut list = |label: &str, items: Vec<String>| {
            if !items.is_empty() {
                let _ = write!(o, "<h3>{} ({})</h3><ul>", esc(label), items.len());
                for i in items {
                    let _ = write!(o, "<li>{}</li>", esc(&i));
                }
                o.push_str("</ul>");
            }
        };
        list(
            "SDKs added",
            self.sdks
                .added
                .iter()
                .map(|s| format!("{} ({})", s.name, s.id))
                .collect(),
        );
        list(
            "SDKs removed",
            self.sdks
                .removed
                .iter()
                .map(|s| format!("{} ({})", s.name, s.id))
                .collect(),
        );
        list(
            "Flows added",
            self.flows
                .added
                .iter()
                .map(|f| format!("{} → {} ({})", f.data_type, f.party, f.class))
                .collect(),
        );
        list(
            "Flows removed",
            self.flows
                .removed
                .iter()
                .map(|f| format!("{} → {} ({})", f.data_type, f.party, f.class))
                .collect(),
        );
        list("Permissions gained", self.permissions.gained.clone());
        list("Permissions lost", self.permissions.lost.clone());
        list(
            "New findings",
            self.findings.new.iter().map(finding_line).collect(),
        );
        list(
            "Resolved findings",
            self.findings.resolved.iter().map(finding_line).collect(),
        );
        list(
            "Changed findings",
            self.findings.changed.iter().map(changed_line).collect(),
        );
        let _ = write!(
            o,
            "<p>{} findings unchanged.</p></section>",
            self.summary.findings_unchanged
        );
        o
    }
}

/// Keeps traffic-derived text from turning into Markdown markup or HTML.
fn md(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '|' | '*' | '_' | '`' | '[' | ']' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn report(sdks: &[&str], flows: &[(&str, &str)], findings: &[(&str, &str)]) -> Value {
        json!({
            "schema": "privaudit.audit/1",
            "tool": "privaudit test",
            "app": {"name": "x", "package": "com.x"},
            "sdks": sdks.iter().map(|s| json!({"id": s, "name": s.to_uppercase()})).collect::<Vec<_>>(),
            "matrix": flows.iter().map(|(p, t)| json!({"party": p, "data_type": t, "class": "omitted"})).collect::<Vec<_>>(),
            "findings": findings.iter().map(|(fp, sev)| json!({"fingerprint": fp, "rule": "PA-X", "severity": sev, "party": "sdk:a", "data_type": "t", "title": "T", "message": "m", "suppressed": false})).collect::<Vec<_>>(),
        })
    }

    #[test]
    fn identical_sides_have_no_changes() {
        let r = report(&["a"], &[("sdk:a", "t")], &[("f1", "high")]);
        let d = diff(
            &Side::from_report("a", &r),
            &Side::from_report("b", &r),
            "high",
        );
        assert!(!d.summary.changed);
        assert!(!d.summary.failed);
        assert_eq!(d.summary.findings_unchanged, 1);
    }

    #[test]
    fn changes_and_the_failure_threshold() {
        let old = report(&["a"], &[("sdk:a", "t")], &[("f1", "high"), ("f2", "low")]);
        let new = report(
            &["a", "b"],
            &[("sdk:b", "u")],
            &[("f1", "high"), ("f3", "medium")],
        );
        let d = diff(
            &Side::from_report("o", &old),
            &Side::from_report("n", &new),
            "high",
        );
        assert_eq!(
            d.sdks.added,
            vec![SdkRef {
                id: "b".into(),
                name: "B".into()
            }]
        );
        assert_eq!(d.flows.added.len(), 1);
        assert_eq!(d.flows.removed.len(), 1);
        assert_eq!(d.findings.new[0].fingerprint, "f3");
        assert_eq!(d.findings.resolved[0].fingerprint, "f2");
        assert!(d.summary.changed);
        assert!(!d.summary.failed, "a medium finding does not reach high");
        let d = diff(
            &Side::from_report("o", &old),
            &Side::from_report("n", &new),
            "medium",
        );
        assert!(d.summary.failed);
        assert!(d.markdown("Changes", 2).contains("New findings"));
        assert!(d.table("Changes").contains("+ [medium] PA-X"));
    }
}
