//! Renders an [`AuditReport`]: terminal table, JSON (the versioned schema), SARIF
//! 2.1.0, JUnit XML and Markdown. Values in evidence are already masked unless the
//! user asked for them.

use std::io::{self, Write};

use comfy_table::{Cell, ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};
use serde_json::json;

use crate::audit::{AuditReport, Finding, RULES, Severity};
use crate::cli::{AuditFormat, Lang};
use crate::signatures::Ontology;

/// How the terminal table is drawn.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    /// Columns to fit in.
    pub width: usize,
    /// ANSI colours (a terminal, and NO_COLOR not set).
    pub color: bool,
    /// The full table with every column instead of two lines per finding.
    pub wide: bool,
}

impl Default for Style {
    fn default() -> Self {
        Style {
            width: 100,
            color: false,
            wide: false,
        }
    }
}

impl Style {
    /// Width and colour for standard output: the terminal's size on a terminal;
    /// otherwise `COLUMNS`, else 100. Colour only on a terminal without NO_COLOR.
    pub fn for_stdout(is_terminal: bool, wide: bool) -> Style {
        let columns = std::env::var("COLUMNS")
            .ok()
            .and_then(|c| c.trim().parse::<usize>().ok())
            .filter(|c| *c >= 20);
        let width = if is_terminal {
            console::Term::stdout()
                .size_checked()
                .map(|(_, w)| w as usize)
                .or(columns)
                .unwrap_or(100)
        } else {
            columns.unwrap_or(100)
        };
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Style {
            width: width.clamp(40, 400),
            color: is_terminal && !no_color,
            wide,
        }
    }
}

pub fn render(
    report: &AuditReport,
    format: AuditFormat,
    lang: Lang,
    ontology: &Ontology,
    out: &mut dyn Write,
) -> io::Result<()> {
    render_styled(report, format, lang, ontology, Style::default(), out)
}

pub fn render_styled(
    report: &AuditReport,
    format: AuditFormat,
    lang: Lang,
    ontology: &Ontology,
    style: Style,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        AuditFormat::Table if style.wide => table(report, lang, ontology, style, out),
        AuditFormat::Table => compact(report, lang, ontology, style, out),
        AuditFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, report)?;
            out.write_all(b"\n")
        }
        AuditFormat::Sarif => {
            serde_json::to_writer_pretty(&mut *out, &sarif(report))?;
            out.write_all(b"\n")
        }
        AuditFormat::Junit => junit(report, out),
        AuditFormat::Markdown => markdown(report, lang, ontology, out),
        AuditFormat::Html | AuditFormat::Pdf => {
            Err(io::Error::other("HTML and PDF are rendered elsewhere"))
        }
    }
}

fn title(f: &Finding, lang: Lang) -> &str {
    match lang {
        Lang::En => f.title,
        Lang::Zh => f.title_zh,
    }
}

fn message(f: &Finding, lang: Lang) -> &str {
    match lang {
        Lang::En => &f.message,
        Lang::Zh => &f.message_zh,
    }
}

fn severity_label(s: Severity, lang: Lang) -> &'static str {
    match lang {
        Lang::En => s.as_str(),
        Lang::Zh => s.zh(),
    }
}

fn clause_text(f: &Finding, lang: Lang) -> String {
    match &f.clause {
        Some(c) => c
            .clause
            .clone()
            .map(|c| format!("§{c}"))
            .unwrap_or_else(|| "(quoted)".into()),
        None => match lang {
            Lang::En => "not mentioned".into(),
            Lang::Zh => "未提及".into(),
        },
    }
}

fn table(
    report: &AuditReport,
    lang: Lang,
    ontology: &Ontology,
    style: Style,
    out: &mut dyn Write,
) -> io::Result<()> {
    writeln!(
        out,
        "privaudit audit: {} — policy {}{}",
        if report.app.name.is_empty() {
            "(app)"
        } else {
            &report.app.name
        },
        report.policy,
        report
            .consent
            .as_ref()
            .map(|c| format!("; consent at {}", c.ts.rfc3339()))
            .unwrap_or_default()
    )?;
    let mut t = Table::new();
    t.load_style(UTF8_FULL_CONDENSED);
    t.set_content_arrangement(ContentArrangement::Dynamic);
    t.set_width(style.width.min(u16::MAX as usize) as u16);
    t.set_header(match lang {
        Lang::En => vec![
            "severity",
            "rule",
            "party",
            "data type",
            "policy",
            "evidence",
            "finding",
        ],
        Lang::Zh => vec![
            "严重程度",
            "规则",
            "接收方",
            "信息类型",
            "政策条款",
            "证据",
            "问题",
        ],
    });
    for f in &report.findings {
        let first = f
            .evidence
            .first()
            .map(|e| format!("{} #{}", short(&e.file), e.frame))
            .unwrap_or_default();
        let ev = if f.evidence_total > 1 {
            format!("{first} (+{})", f.evidence_total - 1)
        } else {
            first
        };
        let data = type_names(f, lang, ontology);
        t.add_row(vec![
            Cell::new(format!(
                "{}{}",
                severity_label(f.severity, lang),
                if f.suppressed { " (baseline)" } else { "" }
            )),
            Cell::new(f.rule),
            Cell::new(party_name(f, lang)),
            Cell::new(data),
            Cell::new(clause_text(f, lang)),
            Cell::new(ev),
            Cell::new(message(f, lang)),
        ]);
    }
    // Rule ids are looked up, never wrapped.
    let longest = report
        .findings
        .iter()
        .map(|f| f.rule.len())
        .max()
        .unwrap_or(4) as u16;
    if let Some(c) = t.column_mut(1) {
        c.set_constraint(comfy_table::ColumnConstraint::LowerBoundary(
            comfy_table::Width::Fixed(longest + 2),
        ));
    }
    if report.findings.is_empty() {
        writeln!(out, "no findings")?;
    } else {
        writeln!(out, "{t}")?;
    }
    footer(report, style, out)
}

fn footer(report: &AuditReport, style: Style, out: &mut dyn Write) -> io::Result<()> {
    let s = &report.summary;
    if let Some(m) = &report.consent_unmatched {
        writeln!(
            out,
            "{}",
            fit(
                &format!(
                    "before-consent rules not evaluated: the consent marker {m} matched nothing"
                ),
                style.width
            )
        )?;
    }
    writeln!(
        out,
        "{} critical, {} high, {} medium, {} low, {} info{}; fail-on {}: {}",
        s.critical,
        s.high,
        s.medium,
        s.low,
        s.info,
        if s.suppressed > 0 {
            format!(" ({} in baseline)", s.suppressed)
        } else {
            String::new()
        },
        s.fail_on,
        if s.failed {
            paint("FAIL", "1;31", style.color)
        } else {
            paint("pass", "32", style.color)
        }
    )?;
    let cov = &report.coverage;
    let line = format!(
        "coverage: {} requests inspected ({} cleartext, {} decrypted); {} encrypted connections read, {} not",
        cov.requests_inspected,
        cov.cleartext_requests,
        cov.decrypted_requests,
        cov.connections_decrypted,
        cov.connections_not_decrypted
    );
    writeln!(out, "{}", wrap(&line, style.width, "  "))?;
    for (host, reason, n) in cov.not_decrypted.iter().take(12) {
        writeln!(
            out,
            "{}",
            fit(
                &format!("  not inspected: {host} ({n}): {reason}"),
                style.width
            )
        )?;
    }
    if cov.not_decrypted.len() > 12 {
        writeln!(
            out,
            "  … and {} more hosts (see --format json)",
            cov.not_decrypted.len() - 12
        )?;
    }
    for line in super::coverage::unreadable_lines(cov, false) {
        writeln!(out, "  {line}")?;
    }
    Ok(())
}

/// The data types of a finding, by name.
fn type_names(f: &Finding, lang: Lang, ontology: &Ontology) -> String {
    let names: Vec<&str> = f
        .data_types
        .iter()
        .map(|d| match lang {
            Lang::En => ontology.name_en(d),
            Lang::Zh => ontology.name_zh(d),
        })
        .collect();
    names.join(if lang == Lang::Zh { "、" } else { ", " })
}

fn party_name(f: &Finding, lang: Lang) -> String {
    match lang {
        Lang::En => f.party_name.clone().or_else(|| f.party.clone()),
        Lang::Zh => f.party_name_zh.clone().or_else(|| f.party.clone()),
    }
    .unwrap_or_default()
}

fn paint(text: &str, code: &str, color: bool) -> String {
    if color {
        format!("\u{1b}[{code}m{text}\u{1b}[0m")
    } else {
        text.to_string()
    }
}

fn severity_code(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "1;37;41",
        Severity::High => "1;31",
        Severity::Medium => "33",
        Severity::Low => "36",
        Severity::Info => "2",
    }
}

/// Display width of a string (CJK characters take two columns).
fn columns(s: &str) -> usize {
    console::measure_text_width(s)
}

/// `s` cut to `width` columns at a word boundary, with "…" when cut.
fn fit(s: &str, width: usize) -> String {
    if columns(s) <= width {
        return s.to_string();
    }
    let mut out = String::new();
    let mut last_break = 0;
    for (i, c) in s.char_indices() {
        if columns(&out) + console::measure_text_width(&c.to_string()) > width.saturating_sub(1) {
            break;
        }
        if c == ' ' || c == '、' || c == '，' || c == ',' {
            last_break = i;
        }
        out.push(c);
    }
    // Chinese text has no spaces: any character is a boundary there.
    let cjk = s.chars().any(|c| c as u32 >= 0x2E80);
    if last_break > 0 && !cjk {
        out.truncate(last_break);
    }
    format!("{}…", out.trim_end_matches([' ', ',', '、']))
}

/// `s` wrapped at spaces to `width`, continuation lines indented.
fn wrap(s: &str, width: usize, indent: &str) -> String {
    let mut lines: Vec<String> = vec![String::new()];
    for word in s.split(' ') {
        let cur = lines.last_mut().map(|l| columns(l)).unwrap_or(0);
        if cur > 0 && cur + 1 + columns(word) > width {
            lines.push(format!("{indent}{word}"));
        } else if let Some(l) = lines.last_mut() {
            if !l.is_empty() {
                l.push(' ');
            }
            l.push_str(word);
        }
    }
    lines.join("\n")
}

/// The default: two lines per finding, sized to the terminal.
fn compact(
    report: &AuditReport,
    lang: Lang,
    ontology: &Ontology,
    style: Style,
    out: &mut dyn Write,
) -> io::Result<()> {
    let zh = lang == Lang::Zh;
    let w = style.width;
    let app = if report.app.name.is_empty() {
        "app".to_string()
    } else if zh {
        report
            .app
            .name_zh
            .clone()
            .unwrap_or_else(|| report.app.name.clone())
    } else {
        report.app.name.clone()
    };
    let head = if zh {
        format!("privaudit 审计：{app} — 隐私政策 {}", report.policy)
    } else {
        format!("privaudit audit: {app} — policy {}", report.policy)
    };
    writeln!(out, "{}", fit(&head, w))?;
    if let Some(c) = &report.consent {
        let line = if zh {
            format!("用户同意时间 {}（{}）", c.ts.rfc3339(), c.source)
        } else {
            format!("consent at {} ({})", c.ts.rfc3339(), c.source)
        };
        writeln!(out, "{}", fit(&line, w))?;
    }
    writeln!(out)?;
    if report.findings.is_empty() {
        writeln!(out, "{}", if zh { "未发现问题" } else { "no findings" })?;
    }
    let label_w = report
        .findings
        .iter()
        .map(|f| columns(severity_label(f.severity, lang)))
        .max()
        .unwrap_or(4)
        + 2;
    let indent = " ".repeat(label_w);
    let rest = w.saturating_sub(label_w).max(20);
    for f in &report.findings {
        let label = severity_label(f.severity, lang);
        let pad = " ".repeat(label_w - columns(label));
        let label = if zh {
            label.to_string()
        } else {
            label.to_ascii_uppercase()
        };
        let party = party_name(f, lang);
        let types = type_names(f, lang, ontology);
        let first = match (party.is_empty(), types.is_empty()) {
            (false, false) => format!("{party} — {types}"),
            (false, true) => party,
            (true, false) => types,
            (true, true) => title(f, lang).to_string(),
        };
        let baseline = if f.suppressed {
            if zh { "（基线）" } else { " (baseline)" }
        } else {
            ""
        };
        writeln!(
            out,
            "{}{pad}{}",
            paint(&label, severity_code(f.severity), style.color),
            fit(&format!("{first}{baseline}"), rest)
        )?;
        let mut tags: Vec<String> = Vec::new();
        for v in &f.violations {
            let t = crate::audit::rules::tag(v.rule, zh);
            let t = match &v.clause {
                Some(c) => format!("{t} (§{c})"),
                None => t.to_string(),
            };
            if !tags.contains(&t) {
                tags.push(t);
            }
        }
        let mut second = tags.join(if zh { "，" } else { ", " });
        let (frames, lines) = evidence_refs(f);
        if !frames.is_empty() {
            let list: Vec<String> = frames.iter().take(6).map(u64::to_string).collect();
            let more = if frames.len() > 6 { "…" } else { "" };
            second.push_str(&if zh {
                format!(" · 第 {}{more} 帧", list.join("、"))
            } else if frames.len() == 1 {
                format!(" · frame {}", list[0])
            } else {
                format!(" · frames {}{more}", list.join(", "))
            });
        }
        if !lines.is_empty() {
            let list: Vec<String> = lines.iter().take(6).map(u64::to_string).collect();
            let more = if lines.len() > 6 { "…" } else { "" };
            second.push_str(&if zh {
                format!(" · 接口日志第 {}{more} 行", list.join("、"))
            } else {
                format!(
                    " · API log line{} {}{more}",
                    if lines.len() == 1 { "" } else { "s" },
                    list.join(", ")
                )
            });
        }
        writeln!(
            out,
            "{indent}{}",
            paint(&fit(&second, rest), "2", style.color)
        )?;
    }
    writeln!(out)?;
    footer(report, style, out)
}

/// A finding's capture frames and, apart from them, its API-log rows (lines).
fn evidence_refs(f: &crate::audit::Finding) -> (Vec<u64>, Vec<u64>) {
    let pick = |api: bool| {
        let mut v: Vec<u64> = f
            .evidence
            .iter()
            .filter(|e| e.source.is_some() == api)
            .map(|e| e.frame)
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    };
    (pick(false), pick(true))
}

fn short(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "1.0",
    }
}

/// SARIF 2.1.0: one result per finding, rule metadata for every rule, stable
/// fingerprints. Results point at the policy declaration (what a code-scanning
/// dashboard can open); the capture evidence is in each result's properties.
pub fn sarif(report: &AuditReport) -> serde_json::Value {
    let rules: Vec<serde_json::Value> = RULES
        .iter()
        .map(|r| {
            json!({
                "id": r.id,
                "name": r.id.trim_start_matches("PA-").to_ascii_lowercase().replace('-', "_"),
                "shortDescription": {"text": r.title_en},
                "fullDescription": {"text": r.description_en},
                "help": {"text": format!("{} Basis: {}.", r.fix_en, r.basis.join("; "))},
                "defaultConfiguration": {"level": level(r.severity)},
                "properties": {
                    "tags": ["privacy"],
                    "security-severity": security_severity(r.severity),
                    "basis": r.basis,
                    "title_zh": r.title_zh,
                }
            })
        })
        .collect();
    let results: Vec<serde_json::Value> = report
        .findings
        .iter()
        .map(|f| {
            let index = RULES.iter().position(|r| r.id == f.rule).unwrap_or(0);
            let mut result = json!({
                "ruleId": f.rule,
                "ruleIndex": index,
                "level": level(f.severity),
                "message": {"text": format!("{}: {}", f.title, f.message)},
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": {"uri": report.policy.trim_start_matches("./")},
                        "region": {"startLine": 1}
                    }
                }],
                "partialFingerprints": {"privaudit/v1": f.fingerprint},
                "properties": {
                    "severity": f.severity.as_str(),
                    "security-severity": security_severity(f.severity),
                    "party": f.party,
                    "dataType": f.data_type,
                    "disclosure": f.disclosure,
                    "policyClause": f.clause,
                    "evidence": f.evidence,
                    "evidenceTotal": f.evidence_total,
                }
            });
            if f.suppressed {
                result["suppressions"] =
                    json!([{"kind": "external", "justification": "listed in the baseline"}]);
            }
            result
        })
        .collect();
    let artifacts: Vec<serde_json::Value> = report
        .inputs
        .iter()
        .map(|i| {
            let mut a = json!({"location": {"uri": i.path}, "description": {"text": format!("{} ({} frames)", i.format, i.frames)}});
            if let Some(h) = &i.sha256 {
                a["hashes"] = json!({"sha-256": h});
            }
            a
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "privaudit",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/privaudit/privaudit",
                "rules": rules,
            }},
            "artifacts": artifacts,
            "results": results,
            "properties": {
                "coverage": report.coverage,
                "coverageNotes": super::coverage::unreadable_lines(&report.coverage, false),
            },
        }]
    })
}

fn xml_escape(s: &str) -> String {
    quick_xml::escape::escape(s).into_owned()
}

/// JUnit XML: a test case per rule × party; a finding (not in the baseline, above
/// info) is a failure of its case.
fn junit(report: &AuditReport, out: &mut dyn Write) -> io::Result<()> {
    let mut parties: Vec<String> = report.matrix.iter().map(|c| c.party.clone()).collect();
    parties.extend(report.findings.iter().filter_map(|f| f.party.clone()));
    parties.sort();
    parties.dedup();
    if parties.is_empty() {
        parties.push("app".into());
    }
    let mut cases = Vec::new();
    let mut failures = 0;
    for rule in RULES {
        for party in &parties {
            let hits: Vec<&Finding> = report
                .findings
                .iter()
                .filter(|f| f.rule == rule.id && f.party.as_deref().unwrap_or("app") == party)
                .collect();
            let failing: Vec<&&Finding> = hits
                .iter()
                .filter(|f| !f.suppressed && f.severity > Severity::Info)
                .collect();
            let mut case = format!(
                "    <testcase classname=\"privaudit.{}\" name=\"{} {}\">\n",
                xml_escape(rule.id),
                xml_escape(rule.id),
                xml_escape(party)
            );
            if !failing.is_empty() {
                failures += 1;
                let text: Vec<String> = failing
                    .iter()
                    .map(|f| {
                        let ev = f
                            .evidence
                            .first()
                            .map(|e| format!(" [{} frame {}]", e.file, e.frame))
                            .unwrap_or_default();
                        format!("[{}] {}{ev}", f.severity.as_str(), f.message)
                    })
                    .collect();
                case.push_str(&format!(
                    "      <failure type=\"{}\" message=\"{}\">{}</failure>\n",
                    failing[0].severity.as_str(),
                    xml_escape(rule.title_en),
                    xml_escape(&text.join("\n"))
                ));
            } else if !hits.is_empty() {
                let text: Vec<String> = hits.iter().map(|f| f.message.clone()).collect();
                case.push_str(&format!(
                    "      <system-out>{}</system-out>\n",
                    xml_escape(&text.join("\n"))
                ));
            }
            case.push_str("    </testcase>\n");
            cases.push(case);
        }
    }
    writeln!(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>")?;
    writeln!(
        out,
        "<testsuites name=\"privaudit\" tests=\"{}\" failures=\"{failures}\">",
        cases.len()
    )?;
    writeln!(
        out,
        "  <testsuite name=\"privaudit audit {}\" tests=\"{}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\">",
        xml_escape(&report.app.name),
        cases.len()
    )?;
    let cov = &report.coverage;
    writeln!(out, "    <properties>")?;
    for (name, value) in [
        ("coverage.requests_inspected", cov.requests_inspected),
        ("coverage.requests_not_readable", cov.requests_not_readable),
        (
            "coverage.connections_not_decrypted",
            cov.connections_not_decrypted,
        ),
    ] {
        writeln!(out, "      <property name=\"{name}\" value=\"{value}\"/>")?;
    }
    writeln!(out, "    </properties>")?;
    for c in cases {
        out.write_all(c.as_bytes())?;
    }
    let notes = super::coverage::unreadable_lines(cov, false);
    if !notes.is_empty() {
        writeln!(
            out,
            "    <system-out>{}</system-out>",
            xml_escape(&notes.join("\n"))
        )?;
    }
    writeln!(out, "  </testsuite>")?;
    writeln!(out, "</testsuites>")
}

fn md_escape(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// Markdown for a pull-request comment: verdict, counts, the findings table, and the
/// evidence folded under each finding.
fn markdown(
    report: &AuditReport,
    lang: Lang,
    ontology: &Ontology,
    out: &mut dyn Write,
) -> io::Result<()> {
    let s = &report.summary;
    let zh = lang == Lang::Zh;
    writeln!(
        out,
        "## privaudit: {} {}\n",
        md_escape(if report.app.name.is_empty() {
            "app"
        } else {
            &report.app.name
        }),
        if s.failed { "❌" } else { "✅" }
    )?;
    writeln!(
        out,
        "{} **{}** · {} **{}** · {} **{}** · {} **{}** · {} **{}**{} — fail-on `{}`\n",
        severity_label(Severity::Critical, lang),
        s.critical,
        severity_label(Severity::High, lang),
        s.high,
        severity_label(Severity::Medium, lang),
        s.medium,
        severity_label(Severity::Low, lang),
        s.low,
        severity_label(Severity::Info, lang),
        s.info,
        if s.suppressed > 0 {
            format!(" ({} baseline)", s.suppressed)
        } else {
            String::new()
        },
        s.fail_on
    )?;
    if report.findings.is_empty() {
        writeln!(
            out,
            "{}",
            if zh {
                "未发现问题。"
            } else {
                "No findings."
            }
        )?;
        return markdown_coverage(report, zh, out);
    }
    if let Some(n) = &report.consent_note {
        writeln!(out, "> ⚠ {}\n", md_escape(n))?;
    }
    writeln!(
        out,
        "{}",
        if zh {
            "| 严重程度 | 接收方 | 信息类型 | 规则 | 政策条款 | 证据（帧） |\n|---|---|---|---|---|---|"
        } else {
            "| severity | party | data types | rules | policy | evidence (frames) |\n|---|---|---|---|---|---|"
        }
    )?;
    for f in &report.findings {
        let (frames, lines) = evidence_refs(f);
        let join = |v: &[u64]| v.iter().map(u64::to_string).collect::<Vec<_>>().join(", ");
        let mut ev = match f.evidence.iter().find(|e| e.source.is_none()) {
            Some(e) => format!("`{}` {}", short(&e.file), join(&frames)),
            None => String::new(),
        };
        if let Some(e) = f.evidence.iter().find(|e| e.source.is_some()) {
            if !ev.is_empty() {
                ev.push_str("; ");
            }
            ev.push_str(&if zh {
                format!("`{}` 第 {} 行", short(&e.file), join(&lines))
            } else {
                format!(
                    "`{}` line{} {}",
                    short(&e.file),
                    if lines.len() == 1 { "" } else { "s" },
                    join(&lines)
                )
            });
        }
        let rules: Vec<String> = f.rules.iter().map(|r| format!("`{r}`")).collect();
        writeln!(
            out,
            "| {}{} | {} | {} | {} | {} | {} |",
            severity_label(f.severity, lang),
            if f.suppressed { " (baseline)" } else { "" },
            md_escape(&party_name(f, lang)),
            md_escape(&type_names(f, lang, ontology)),
            rules.join(" "),
            md_escape(&clause_text(f, lang)),
            ev
        )?;
    }
    writeln!(out)?;
    for f in &report.findings {
        writeln!(
            out,
            "<details><summary><b>{}</b> — {}</summary>\n",
            md_escape(title(f, lang)),
            md_escape(message(f, lang))
        )?;
        if let Some(c) = &f.clause
            && let Some(q) = &c.quote
        {
            writeln!(
                out,
                "> {} {}\n",
                c.clause
                    .as_deref()
                    .map(|c| format!("§{c}"))
                    .unwrap_or_default(),
                md_escape(q)
            )?;
        }
        if !f.details.is_empty() {
            writeln!(
                out,
                "{}",
                if zh {
                    "| 信息类型 | 披露程度 | 请求数 | 明文 | 同意前 | 编码 |\n|---|---|---|---|---|---|"
                } else {
                    "| data type | disclosure | requests | cleartext | before consent | encoding |\n|---|---|---|---|---|---|"
                }
            )?;
            for d in &f.details {
                let class = d
                    .disclosure
                    .map(|c| if zh { c.zh() } else { c.as_str() })
                    .unwrap_or("");
                let clause = d
                    .clause
                    .as_deref()
                    .map(|c| format!(" §{c}"))
                    .unwrap_or_default();
                let enc: Vec<&str> = d
                    .encodings
                    .iter()
                    .filter(|e| !e.is_empty())
                    .map(String::as_str)
                    .collect();
                writeln!(
                    out,
                    "| {} | {class}{clause} | {} | {} | {} | {} |",
                    md_escape(if zh {
                        ontology.name_zh(&d.data_type)
                    } else {
                        ontology.name_en(&d.data_type)
                    }),
                    d.requests,
                    d.cleartext,
                    d.before_consent,
                    md_escape(&enc.join("; "))
                )?;
            }
            writeln!(out)?;
        }
        if !f.evidence.is_empty() {
            writeln!(
                out,
                "{}",
                if zh {
                    "| 文件 | 请求帧 | 首帧 | 时间 | 主机 | 信息类型 | 字段 | 编码 | 值 |\n|---|---|---|---|---|---|---|---|---|"
                } else {
                    "| file | request frame | first frame | time | host | data type | field | encoding | value |\n|---|---|---|---|---|---|---|---|---|"
                }
            )?;
            for e in &f.evidence {
                writeln!(
                    out,
                    "| {} | {} | {} | {} | {} | {} | `{}` | {} | `{}` |",
                    md_escape(short(&e.file)),
                    e.frame,
                    e.first_frame,
                    e.ts.rfc3339(),
                    md_escape(match &e.api {
                        Some(a) => &a.api,
                        None => e.host.as_deref().unwrap_or(""),
                    }),
                    md_escape(if zh {
                        ontology.name_zh(&e.data_type)
                    } else {
                        ontology.name_en(&e.data_type)
                    }),
                    md_escape(&match &e.api {
                        Some(a) => a.decided_method().unwrap_or_default(),
                        None => e.field.clone(),
                    }),
                    md_escape(&e.encoding.join(" › ")),
                    md_escape(&e.value)
                )?;
            }
        }
        writeln!(
            out,
            "\n{} {}\n</details>\n",
            if zh { "修复建议：" } else { "Fix:" },
            if zh { f.fix_zh } else { f.fix }
        )?;
    }
    markdown_coverage(report, zh, out)
}

/// The unreadable-payload lines, when there are any, as a short list.
fn markdown_coverage(report: &AuditReport, zh: bool, out: &mut dyn Write) -> io::Result<()> {
    let lines = super::coverage::unreadable_lines(&report.coverage, zh);
    if lines.is_empty() {
        return Ok(());
    }
    writeln!(out, "\n**{}**\n", if zh { "覆盖情况" } else { "Coverage" })?;
    for line in lines {
        writeln!(out, "- {}", md_escape(&line))?;
    }
    Ok(())
}
