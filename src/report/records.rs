//! `privaudit flows` output: JSON lines, a JSON array (both streamed, so memory does
//! not grow with the capture), or a table of hosts with counts for people.

use std::collections::HashMap;
use std::io::{self, Write};

use comfy_table::{Cell, CellAlignment, Table, presets::UTF8_FULL_CONDENSED};

use crate::cli::RecordFormat;
use crate::record::Record;
use crate::time::Timestamp;

#[derive(Debug, Default)]
struct HostRow {
    conns: u64,
    dns: u64,
    tls: u64,
    quic: u64,
    http: u64,
    bytes_up: u64,
    bytes_down: u64,
    first_seen: Option<Timestamp>,
}

/// Writes records in the chosen format.
pub struct RecordWriter<W: Write> {
    format: RecordFormat,
    out: W,
    wrote_any: bool,
    hosts: HashMap<String, HostRow>,
    pub records: u64,
}

impl<W: Write> RecordWriter<W> {
    pub fn new(format: RecordFormat, out: W) -> Self {
        RecordWriter {
            format,
            out,
            wrote_any: false,
            hosts: HashMap::new(),
            records: 0,
        }
    }

    pub fn write(&mut self, record: &Record) -> io::Result<()> {
        self.records += 1;
        match self.format {
            RecordFormat::Jsonl => {
                serde_json::to_writer(&mut self.out, record)?;
                self.out.write_all(b"\n")
            }
            RecordFormat::Json => {
                self.out
                    .write_all(if self.wrote_any { b",\n" } else { b"[\n" })?;
                self.wrote_any = true;
                serde_json::to_writer(&mut self.out, record).map_err(io::Error::from)
            }
            RecordFormat::Table => {
                self.tally(record);
                Ok(())
            }
        }
    }

    fn tally(&mut self, record: &Record) {
        let unknown = |ip: Option<std::net::IpAddr>| match ip {
            Some(ip) => format!("unknown:{ip}"),
            None => "unknown".to_string(),
        };
        let meta = record.meta();
        let host = match record {
            Record::Dns(d) => d.query.clone(),
            Record::Tls(h) | Record::Quic(h) => h
                .sni
                .clone()
                .unwrap_or_else(|| unknown(meta.dst.map(|d| d.ip))),
            Record::Http(h) => h
                .host
                .clone()
                .unwrap_or_else(|| unknown(meta.dst.map(|d| d.ip))),
            Record::Conn(c) => c
                .name
                .clone()
                .unwrap_or_else(|| unknown(meta.dst.map(|d| d.ip))),
        };
        let row = self.hosts.entry(host).or_default();
        match record {
            Record::Dns(d) if !d.response => row.dns += 1,
            Record::Dns(_) => {}
            Record::Tls(_) => row.tls += 1,
            Record::Quic(_) => row.quic += 1,
            Record::Http(_) => row.http += 1,
            Record::Conn(c) => {
                row.conns += 1;
                row.bytes_up += c.bytes_up;
                row.bytes_down += c.bytes_down;
            }
        }
        if row.first_seen.is_none_or(|t| meta.ts < t) {
            row.first_seen = Some(meta.ts);
        }
    }

    pub fn finish(mut self) -> io::Result<W> {
        match self.format {
            RecordFormat::Json => {
                self.out
                    .write_all(if self.wrote_any { b"\n]\n" } else { b"[]\n" })?;
            }
            RecordFormat::Jsonl => {}
            RecordFormat::Table => {
                let mut rows: Vec<(String, HostRow)> = self.hosts.drain().collect();
                rows.sort_by(|a, b| {
                    (b.1.bytes_up + b.1.bytes_down)
                        .cmp(&(a.1.bytes_up + a.1.bytes_down))
                        .then_with(|| a.0.cmp(&b.0))
                });
                let mut table = Table::new();
                table.load_style(UTF8_FULL_CONDENSED);
                table.set_content_arrangement(comfy_table::ContentArrangement::Dynamic);
                table.set_header(vec![
                    "host",
                    "conns",
                    "dns",
                    "tls",
                    "quic",
                    "http",
                    "sent",
                    "received",
                    "first seen",
                ]);
                for (host, r) in &rows {
                    table.add_row(vec![
                        Cell::new(host),
                        num(r.conns),
                        num(r.dns),
                        num(r.tls),
                        num(r.quic),
                        num(r.http),
                        Cell::new(human_bytes(r.bytes_up)).set_alignment(CellAlignment::Right),
                        Cell::new(human_bytes(r.bytes_down)).set_alignment(CellAlignment::Right),
                        Cell::new(r.first_seen.map(|t| t.rfc3339()).unwrap_or_default()),
                    ]);
                }
                writeln!(self.out, "{table}")?;
                writeln!(self.out, "{} hosts, {} records", rows.len(), self.records)?;
            }
        }
        Ok(self.out)
    }
}

fn num(n: u64) -> Cell {
    Cell::new(if n == 0 { String::new() } else { n.to_string() })
        .set_alignment(CellAlignment::Right)
}

/// `1234567` → `1.2 MB`.
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "kB", "MB", "GB", "TB"];
    let mut v = n as f64;
    let mut unit = 0;
    while v >= 1000.0 && unit + 1 < UNITS.len() {
        v /= 1000.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[unit])
    }
}
