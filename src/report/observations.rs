//! `privaudit scan` output: observations as JSON lines or JSON (values masked unless
//! asked), or a table grouped by host and data type with counts and first-seen time.

use std::collections::BTreeMap;
use std::io::{self, Write};

use comfy_table::{Cell, CellAlignment, ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};

use crate::cli::RecordFormat;
use crate::observation::{Confidence, Observation};
use crate::signatures::Ontology;
use crate::time::Timestamp;

#[derive(Default)]
struct Group {
    count: u64,
    first_seen: Option<Timestamp>,
    fields: std::collections::BTreeSet<String>,
    high: u64,
    cleartext: u64,
    party: Option<String>,
}

pub struct ObservationWriter<W: Write> {
    format: RecordFormat,
    show_values: bool,
    out: W,
    wrote_any: bool,
    groups: BTreeMap<(String, String), Group>,
    pub count: u64,
}

impl<W: Write> ObservationWriter<W> {
    pub fn new(format: RecordFormat, show_values: bool, out: W) -> Self {
        ObservationWriter {
            format,
            show_values,
            out,
            wrote_any: false,
            groups: BTreeMap::new(),
            count: 0,
        }
    }

    pub fn write(&mut self, o: &Observation) -> io::Result<()> {
        self.count += 1;
        match self.format {
            RecordFormat::Jsonl => {
                serde_json::to_writer(&mut self.out, &o.record(self.show_values))?;
                self.out.write_all(b"\n")
            }
            RecordFormat::Json => {
                self.out
                    .write_all(if self.wrote_any { b",\n" } else { b"[\n" })?;
                self.wrote_any = true;
                serde_json::to_writer(&mut self.out, &o.record(self.show_values))
                    .map_err(io::Error::from)
            }
            RecordFormat::Table => {
                let host = o
                    .host
                    .clone()
                    .or_else(|| o.dst.map(|d| format!("unknown:{}", d.ip)))
                    .unwrap_or_else(|| "unknown".into());
                let g = self.groups.entry((host, o.data_type.clone())).or_default();
                g.count += 1;
                if o.confidence == Confidence::High {
                    g.high += 1;
                }
                if o.cleartext() {
                    g.cleartext += 1;
                }
                if g.fields.len() < 4 {
                    g.fields.insert(o.field.clone());
                }
                if g.first_seen.is_none_or(|t| o.ts < t) {
                    g.first_seen = Some(o.ts);
                }
                if g.party.is_none() {
                    g.party = o.party.clone();
                }
                Ok(())
            }
        }
    }

    pub fn finish(mut self, ontology: &Ontology) -> io::Result<W> {
        match self.format {
            RecordFormat::Json => {
                self.out
                    .write_all(if self.wrote_any { b"\n]\n" } else { b"[]\n" })?;
            }
            RecordFormat::Jsonl => {}
            RecordFormat::Table => {
                let mut table = Table::new();
                table.load_style(UTF8_FULL_CONDENSED);
                table.set_content_arrangement(ContentArrangement::Dynamic);
                table.set_header(vec![
                    "host",
                    "party",
                    "data type",
                    "count",
                    "high",
                    "cleartext",
                    "fields",
                    "first seen",
                ]);
                for ((host, data_type), g) in &self.groups {
                    table.add_row(vec![
                        Cell::new(host),
                        Cell::new(g.party.as_deref().unwrap_or("")),
                        Cell::new(format!("{} ({data_type})", ontology.name_en(data_type))),
                        Cell::new(g.count).set_alignment(CellAlignment::Right),
                        Cell::new(g.high).set_alignment(CellAlignment::Right),
                        Cell::new(g.cleartext).set_alignment(CellAlignment::Right),
                        Cell::new(g.fields.iter().cloned().collect::<Vec<_>>().join(", ")),
                        Cell::new(g.first_seen.map(|t| t.rfc3339()).unwrap_or_default()),
                    ]);
                }
                if self.groups.is_empty() {
                    writeln!(self.out, "no personal data found")?;
                } else {
                    writeln!(self.out, "{table}")?;
                }
                writeln!(self.out, "{} observations", self.count)?;
            }
        }
        Ok(self.out)
    }
}
