//! The reviewer's views of an extraction: `policy extract --format json` (every matched
//! phrase with character offsets, clause, ids and the rule that placed it) and
//! `--format html` (one self-contained page with the policy text, each matched phrase
//! highlighted and labelled, unmapped list items marked for attention).

use std::fmt::Write as _;

use serde_json::{Value, json};

use super::extract::{Extraction, Trace, TraceKind, char_offsets};
use crate::report::escape::html as escape;

/// Schema name of the JSON view.
pub const JSON_SCHEMA: &str = "privaudit.policy-extract/1";

/// The JSON view. `names` are the input files, in the order of `x.documents`.
pub fn to_json(x: &Extraction, names: &[String]) -> Value {
    let mut matches = Vec::with_capacity(x.trace.len());
    for (doc, text) in x.documents.iter().enumerate() {
        let of_doc: Vec<&Trace> = x.trace.iter().filter(|t| t.doc == doc).collect();
        let bytes: Vec<usize> = of_doc.iter().flat_map(|t| [t.start, t.end]).collect();
        let chars = char_offsets(text, &bytes);
        for (i, t) in of_doc.iter().enumerate() {
            let mut m = json!({
                "doc": doc,
                "start": chars[2 * i],
                "end": chars[2 * i + 1],
                // Exactly the document's characters between the offsets (the
                // collapsed phrase may differ across a line break).
                "text": text.get(t.start..t.end).unwrap_or(&t.text),
                "kind": t.kind,
                "ids": t.ids,
                "rule": t.rule,
                "line": t.line,
            });
            if let Some(map) = m.as_object_mut() {
                if let Some(p) = &t.party {
                    map.insert("party".into(), json!(p));
                }
                if let Some(c) = &t.clause {
                    map.insert("clause".into(), json!(c));
                }
            }
            matches.push(m);
        }
    }
    let documents: Vec<Value> = x
        .documents
        .iter()
        .enumerate()
        .map(|(i, text)| {
            json!({
                "name": names.get(i).cloned().unwrap_or_default(),
                "chars": text.chars().count(),
                "text": text,
            })
        })
        .collect();
    json!({
        "schema": JSON_SCHEMA,
        "generator": format!("privaudit {}", env!("CARGO_PKG_VERSION")),
        "encoding": x.encoding,
        "documents": documents,
        "summary": {
            "collect": x.declaration.collect.len(),
            "share": x.declaration.share.len(),
            "deny": x.declaration.deny.len(),
            "matches": x.trace.len(),
            "unmapped": x.trace.iter().filter(|t| t.kind == TraceKind::Unmapped).count(),
        },
        "declaration": x.declaration,
        "notes": x.notes,
        "matches": matches,
    })
}

const STYLE: &str = r#"
:root{--ink:#1d2330;--muted:#5b6475;--line:#d9dde5;--bg:#fff}
*{box-sizing:border-box}
body{margin:0;font:15px/1.55 system-ui,-apple-system,"Segoe UI","Noto Sans","Noto Sans CJK SC",sans-serif;color:var(--ink);background:#f5f6f8}
header,main{max-width:1100px;margin:0 auto;padding:12px 20px}
@media (max-width:600px){header,main{padding:8px 10px}section{padding:10px}}
header h1{font-size:1.35rem;margin:.2rem 0}
.meta{color:var(--muted);font-size:.9rem;overflow-wrap:anywhere}
.cards{display:flex;flex-wrap:wrap;gap:10px;margin:12px 0}
.card{background:var(--bg);border:1px solid var(--line);border-radius:8px;padding:8px 14px;min-width:110px}
.card b{display:block;font-size:1.3rem}
section{background:var(--bg);border:1px solid var(--line);border-radius:8px;padding:12px 16px;margin:14px 0}
h2{font-size:1.05rem;margin:.2rem 0 .6rem}
.legend span{display:inline-block;margin:2px 10px 2px 0}
.tablewrap{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{border-bottom:1px solid var(--line);padding:4px 6px;text-align:left;vertical-align:top}
td code{display:inline-block;margin:0 4px 2px 0;overflow-wrap:anywhere}
ul.notes li{margin:2px 0;overflow-wrap:anywhere}
.doc{white-space:pre-wrap;overflow-wrap:anywhere;font-size:.95rem;line-height:1.8}
.doc h3{font-size:.9rem;color:var(--muted);border-top:1px solid var(--line);padding-top:8px}
mark{border-radius:3px;padding:0 1px;color:inherit}
mark sup{font-size:.62rem;font-family:ui-monospace,Menlo,Consolas,monospace;margin-left:1px;color:#333;white-space:nowrap}
.k-collect{background:#c9f0d3}
.k-share{background:#cfe2ff}
.k-deny{background:#ffd6d6;text-decoration:line-through;text-decoration-color:#b00}
.k-skipped{background:none;border:1px dashed #9aa3b2}
.k-party{background:#eadcff}
.k-unmapped{background:#ffe3a3;outline:2px solid #e08a00}
@media print{body{background:#fff}section{border:none}}
"#;

/// The HTML review page: one self-contained file, no scripts.
pub fn to_html(x: &Extraction, names: &[String]) -> String {
    let d = &x.declaration;
    let title = names.join(", ");
    let mut h = String::with_capacity(x.documents.iter().map(String::len).sum::<usize>() * 2);
    let _ = write!(
        h,
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"/>\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\
         <title>Policy review: {t}</title><style>{STYLE}</style></head><body><header>\
         <h1>Policy review</h1><div class=\"meta\">{t} · {enc} · privaudit {v}</div>",
        t = escape(&title),
        enc = escape(&x.encoding),
        v = env!("CARGO_PKG_VERSION"),
    );
    let count = |k: TraceKind| x.trace.iter().filter(|t| t.kind == k).count();
    let _ = write!(
        h,
        "<div class=\"cards\"><div class=\"card\"><b>{}</b>collect entries</div>\
         <div class=\"card\"><b>{}</b>share entries</div><div class=\"card\"><b>{}</b>deny entries</div>\
         <div class=\"card\"><b>{}</b>matched phrases</div><div class=\"card\"><b>{}</b>unmapped items</div>\
         <div class=\"card\"><b>{}</b>notes</div></div></header><main>",
        d.collect.len(),
        d.share.len(),
        d.deny.len(),
        x.trace.len(),
        count(TraceKind::Unmapped),
        x.notes.len()
    );
    h.push_str(
        "<section class=\"legend\"><h2>How to read this page</h2>\
         <span><mark class=\"k-collect\">collected</mark></span>\
         <span><mark class=\"k-share\">shared</mark></span>\
         <span><mark class=\"k-deny\">denied</mark></span>\
         <span><mark class=\"k-party\">party</mark></span>\
         <span><mark class=\"k-skipped\">seen, not declared</mark></span>\
         <span><mark class=\"k-unmapped\">unmapped: needs a look</mark></span>\
         <p class=\"meta\">Each highlighted phrase carries the id it was mapped to; hover it for \
         the rule that placed it and its clause. Check each draft entry below against its \
         highlighted words before auditing with the draft.</p></section>",
    );
    // The draft, entry by entry.
    h.push_str("<section><h2>Draft entries</h2><div class=\"tablewrap\"><table><thead><tr><th>entry</th><th>party</th><th>data</th><th>clause</th></tr></thead><tbody>");
    let row = |h: &mut String, kind: &str, party: &str, data: &[String], clause: Option<&str>| {
        let _ = write!(
            h,
            "<tr><td>{kind}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(party),
            data.iter()
                .map(|id| format!("<code>{}</code>", escape(id)))
                .collect::<Vec<_>>()
                .join(" "),
            escape(clause.unwrap_or("-"))
        );
    };
    for c in &d.collect {
        row(&mut h, "collect", "app", &c.data, c.clause.as_deref());
    }
    for s in &d.share {
        let party = match &s.name {
            Some(n) => format!("{} ({n})", s.party),
            None => s.party.clone(),
        };
        row(&mut h, "share", &party, &s.data, s.clause.as_deref());
    }
    for n in &d.deny {
        let party = n.party.clone().unwrap_or_else(|| "-".to_string());
        row(&mut h, "deny", &party, &n.data, n.clause.as_deref());
    }
    h.push_str("</tbody></table></div></section>");
    if !x.notes.is_empty() {
        h.push_str("<section><h2>Notes for the reviewer</h2><ul class=\"notes\">");
        for n in &x.notes {
            let _ = write!(h, "<li>{}</li>", escape(n));
        }
        h.push_str("</ul></section>");
    }
    for (doc, text) in x.documents.iter().enumerate() {
        let name = names.get(doc).map(String::as_str).unwrap_or("");
        let _ = write!(
            h,
            "<section><h2>Policy text: {}</h2><div class=\"doc\">",
            escape(name)
        );
        highlight(&mut h, text, x.trace.iter().filter(|t| t.doc == doc));
        h.push_str("</div></section>");
    }
    h.push_str("</main></body></html>\n");
    h
}

/// Writes `text` with its matched phrases wrapped in labelled `<mark>`s. A phrase
/// matched twice (shared with two parties) gets one mark with both labels; a phrase
/// overlapping an earlier one is left to the JSON view.
fn highlight<'t>(h: &mut String, text: &str, trace: impl Iterator<Item = &'t Trace>) {
    let mut marks: Vec<&Trace> = trace
        .filter(|t| {
            t.start < t.end
                && text.is_char_boundary(t.start)
                && text.is_char_boundary(t.end)
                && t.end <= text.len()
        })
        .collect();
    marks.sort_by_key(|t| (t.start, t.end));
    let mut pos = 0;
    let mut i = 0;
    while i < marks.len() {
        let first = marks[i];
        let mut group = vec![first];
        i += 1;
        while i < marks.len() && marks[i].start == first.start && marks[i].end == first.end {
            group.push(marks[i]);
            i += 1;
        }
        if first.start < pos {
            continue;
        }
        h.push_str(&escape(&text[pos..first.start]));
        let kind = group[0].kind.as_str();
        let mut label: Vec<String> = Vec::new();
        let mut title: Vec<String> = Vec::new();
        for t in &group {
            let ids = if t.ids.is_empty() {
                "unmapped".to_string()
            } else {
                t.ids.join(" ")
            };
            if !label.contains(&ids) {
                label.push(ids.clone());
            }
            let mut line = format!("{} {ids} · rule {}", t.kind.as_str(), t.rule);
            if let Some(p) = &t.party {
                let _ = write!(line, " · to {p}");
            }
            match &t.clause {
                Some(c) => {
                    let _ = write!(line, " · clause {c}");
                }
                None => {
                    let _ = write!(line, " · line {}", t.line);
                }
            }
            title.push(line);
        }
        let _ = write!(
            h,
            "<mark class=\"k-{kind}\" title=\"{}\">{}<sup>{}</sup></mark>",
            escape(&title.join("\n")),
            escape(&text[first.start..first.end]),
            escape(&label.join(" "))
        );
        pos = first.end;
    }
    h.push_str(&escape(&text[pos..]));
}
