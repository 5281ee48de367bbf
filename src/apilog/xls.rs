//! Camille's and PrivacySentry's spreadsheets (.xls, BIFF8; .xlsx read the same way),
//! recognised by their header rows, not by file names.
//!
//! Camille (sheet `App_privacy_compliance_testing`, written with xlwt): 隐私政策状态,
//! 时间点, 行为主体, 操作行为, 行为描述, 传入参数, 调用堆栈 — older versions lack the
//! first and third column. The hooked method is the innermost stack frame.
//! PrivacySentry (written with jxl): sheet 隐私合规 (调用时间(倒序排序), 别名, 函数名,
//! 调用堆栈), sheet 调用次数 (别名, 函数名, 调用堆栈, 调用次数); the row whose 函数名 is
//! 点击隐私协议确认 marks the user's consent. 函数名 carries the thread
//! (`getDeviceId-\n线程名: main`).

use std::io::Cursor;

use calamine::{Data, Reader};

use super::clock::{Naive, parse_naive};
use super::{ApiCall, ApiLog, ApiLogError, LogConsent, LogFormat, split_stack, unattributed};
use crate::time::Timestamp;

/// PrivacySentry's consent row marker.
const PS_CONSENT: &str = "点击隐私协议确认";
/// Rows read per sheet, so a hostile workbook cannot make the audit hold millions.
const MAX_ROWS: usize = 1_000_000;

fn text(cell: &Data) -> String {
    match cell {
        Data::String(s) => s.clone(),
        Data::Empty => String::new(),
        other => other.to_string(),
    }
}

/// An Excel date serial (days since 1899-12-30) as a zone-less time.
fn serial_to_naive(days: f64) -> Option<Naive> {
    if !(25_569.0..100_000.0).contains(&days) {
        return None;
    }
    let ns = ((days - 25_569.0) * 86_400.0 * 1e9) as i64;
    let dt = chrono::DateTime::from_timestamp_nanos(ns).naive_utc();
    use chrono::{Datelike, Timelike};
    Some(Naive {
        year: Some(dt.year()),
        month: dt.month(),
        day: dt.day(),
        hour: dt.hour(),
        minute: dt.minute(),
        second: dt.second(),
        nanos: dt.nanosecond(),
        unpadded: false,
    })
}

fn cell_time(cell: &Data) -> Option<Naive> {
    match cell {
        Data::DateTime(d) => serial_to_naive(d.as_f64()),
        Data::Float(f) => serial_to_naive(*f),
        other => parse_naive(&text(other)),
    }
}

struct Sheet {
    name: String,
    /// Absolute row number (0-based) of each row.
    first_row: u32,
    rows: Vec<Vec<Data>>,
}

fn sheets(bytes: &[u8], path: &str) -> Result<Vec<Sheet>, ApiLogError> {
    // A workbook is outside data: should the reader panic on a malformed one, the
    // audit reports the file instead of dying.
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| read_sheets(bytes, path)))
        .unwrap_or_else(|_| {
            Err(ApiLogError::Invalid {
                path: path.to_string(),
                message: "malformed workbook (the spreadsheet reader gave up)".into(),
            })
        })
}

fn read_sheets(bytes: &[u8], path: &str) -> Result<Vec<Sheet>, ApiLogError> {
    if let Some((rows, cols)) = super::biff::workbook_stream(bytes)
        .as_deref()
        .and_then(super::biff::oversized_sheet)
    {
        return Err(ApiLogError::Invalid {
            path: path.to_string(),
            message: format!(
                "a sheet's cells span {rows} rows × {cols} columns (more than {} cells): damaged or not a tool's log",
                super::biff::MAX_CELLS
            ),
        });
    }
    let mut wb = calamine::open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|e| {
        ApiLogError::Invalid {
            path: path.to_string(),
            message: format!("not a readable workbook: {e}"),
        }
    })?;
    let mut out = Vec::new();
    for name in wb.sheet_names() {
        let range = wb
            .worksheet_range(&name)
            .map_err(|e| ApiLogError::Invalid {
                path: path.to_string(),
                message: format!("sheet {name}: {e}"),
            })?;
        let first_row = range.start().map(|(r, _)| r).unwrap_or(0);
        let rows = range.rows().take(MAX_ROWS).map(<[Data]>::to_vec).collect();
        out.push(Sheet {
            name,
            first_row,
            rows,
        });
    }
    Ok(out)
}

/// The header row (within the first ten) holding all of `required`: its index and the
/// column of each header name found.
fn header(sheet: &Sheet, required: &[&str]) -> Option<Header> {
    for (i, row) in sheet.rows.iter().enumerate().take(10) {
        let names: Vec<(String, usize)> = row
            .iter()
            .enumerate()
            .map(|(c, d)| (text(d).trim().to_string(), c))
            .filter(|(n, _)| !n.is_empty())
            .collect();
        let has = |want: &str| names.iter().any(|(n, _)| n.starts_with(want));
        if required.iter().all(|r| has(r)) {
            return Some((i, names));
        }
    }
    None
}

/// A header row: its index and (name, column) pairs.
type Header = (usize, Vec<(String, usize)>);

fn col(names: &[(String, usize)], want: &str) -> Option<usize> {
    names
        .iter()
        .find(|(n, _)| n.starts_with(want))
        .map(|(_, c)| *c)
}

pub fn read(bytes: &[u8], path: &str, year_hint: i32) -> Result<ApiLog, ApiLogError> {
    let sheets = sheets(bytes, path)?;
    for s in &sheets {
        if let Some((h, names)) = header(s, &["时间点", "调用堆栈"]) {
            return camille(s, h, &names, path, year_hint);
        }
    }
    if let Some((s, (h, names))) = sheets
        .iter()
        .find_map(|s| header(s, &["调用时间", "函数名", "调用堆栈"]).map(|h| (s, h)))
    {
        let counts = sheets
            .iter()
            .find_map(|s| header(s, &["调用次数", "函数名"]).map(|h| (s, h)));
        return privacysentry(s, h, &names, counts, path, year_hint);
    }
    let names: Vec<&str> = sheets.iter().map(|s| s.name.as_str()).collect();
    Err(ApiLogError::Invalid {
        path: path.to_string(),
        message: format!(
            "no sheet with Camille's columns (时间点 … 调用堆栈) or PrivacySentry's (调用时间, 函数名, 调用堆栈); sheets: {}",
            names.join(", ")
        ),
    })
}

/// A row whose time cannot be read keeps its place in the sequence: it takes the time of
/// the nearest earlier row (else the first readable one), so a status column can still
/// date it against consent.
fn fill_times(ts: &[Option<Timestamp>]) -> Vec<Option<Timestamp>> {
    let first = ts.iter().flatten().next().copied();
    let mut last = first;
    ts.iter()
        .map(|t| {
            if t.is_some() {
                last = *t;
            }
            last
        })
        .collect()
}

fn ts_missing(ts: &[Option<Timestamp>], body: &[(u64, &Vec<Data>)], row: u64) -> bool {
    body.iter()
        .position(|(r, _)| *r == row)
        .and_then(|i| ts.get(i))
        .is_some_and(Option::is_none)
}

/// Rows' times, with Camille's script.js quirks undone for the whole file at once:
/// when any time is written unpadded it came from JavaScript's Date getters, whose
/// month counts from 0.
fn times(
    naive: &[Option<Naive>],
    year_hint: i32,
    warnings: &mut Vec<String>,
) -> Vec<Option<Timestamp>> {
    let js = naive.iter().flatten().any(|n| n.unpadded || n.month == 0);
    if js {
        warnings.push(
            "times are unpadded, as Camille's script.js writes them with JavaScript's Date getters: months counted from 0, read as month + 1".into(),
        );
    }
    naive
        .iter()
        .map(|n| n.and_then(|n| n.to_timestamp(year_hint, js)))
        .collect()
}

/// The text of column `c` of a row; empty when the column or cell is missing.
fn cell_text(row: &[Data], c: Option<usize>) -> String {
    c.and_then(|c| row.get(c)).map(text).unwrap_or_default()
}

fn cell_at(row: &[Data], c: Option<usize>) -> Option<Naive> {
    c.and_then(|c| row.get(c)).and_then(cell_time)
}

/// The non-empty rows below header row `h`, with their 1-based sheet row numbers.
fn body_rows(s: &Sheet, h: usize) -> Vec<(u64, &Vec<Data>)> {
    s.rows
        .iter()
        .enumerate()
        .skip(h + 1)
        .filter(|(_, r)| r.iter().any(|d| !matches!(d, Data::Empty)))
        .map(|(i, r)| (s.first_row as u64 + i as u64 + 1, r))
        .collect()
}

fn camille(
    s: &Sheet,
    h: usize,
    names: &[(String, usize)],
    path: &str,
    year_hint: i32,
) -> Result<ApiLog, ApiLogError> {
    let c_status = col(names, "隐私政策状态");
    let c_party = col(names, "行为主体");
    let c_time = col(names, "时间点");
    let c_action = col(names, "操作行为");
    let c_desc = col(names, "行为描述");
    let c_args = col(names, "传入参数");
    let c_stack = col(names, "调用堆栈");
    let format = if c_status.is_some() || c_party.is_some() {
        LogFormat::Camille
    } else {
        LogFormat::CamilleLegacy
    };
    let mut warnings = Vec::new();
    let body = body_rows(s, h);
    let naive: Vec<Option<Naive>> = body.iter().map(|(_, r)| cell_at(r, c_time)).collect();
    let ts = times(&naive, year_hint, &mut warnings);
    let mut calls = Vec::new();
    let mut consent: Option<LogConsent> = None;
    for ((row, r), t) in body.iter().zip(fill_times(&ts)) {
        let Some(t) = t else {
            warnings.push(format!(
                "row {row}: 时间点 {:?} is not a time and no row has one; row skipped",
                cell_text(r, c_time)
            ));
            continue;
        };
        if ts_missing(&ts, &body, *row) {
            warnings.push(format!(
                "row {row}: 时间点 {:?} is not a time; placed at the nearest earlier row's time",
                cell_text(r, c_time)
            ));
        }
        let stack = split_stack(&cell_text(r, c_stack));
        // The hooked method is the innermost frame (Frida replaces it, so it shows as
        // the platform class's own method).
        let api = stack
            .first()
            .and_then(|f| super::attribute::java_frame(f))
            .map(|(c, m)| format!("{c}.{m}"))
            .unwrap_or_else(|| cell_text(r, c_action));
        let status = cell_text(r, c_status);
        let after = if status.contains("后") {
            Some(true)
        } else if status.contains("前") {
            Some(false)
        } else {
            None
        };
        if after == Some(true) && consent.as_ref().is_none_or(|c| t < c.ts) {
            consent = Some(LogConsent {
                ts: t,
                row: *row,
                exact: false,
                how: format!("{path} row {row}: 隐私政策状态 first reads {status}"),
            });
        }
        let args: Vec<String> = cell_text(r, c_args)
            .split(['\n', '\r'])
            .map(str::trim)
            .filter(|a| !a.is_empty() && *a != "无参数")
            .map(str::to_string)
            .collect();
        let party = cell_text(r, c_party);
        calls.push(ApiCall {
            row: *row,
            ts: t,
            api,
            label: [cell_text(r, c_action), cell_text(r, c_desc)]
                .into_iter()
                .filter(|x| !x.is_empty())
                .collect::<Vec<_>>()
                .join(": "),
            data_type: None,
            args,
            result: None,
            stack,
            thread: None,
            app_state: None,
            after_consent: after,
            tool_party: (!party.is_empty()).then_some(party),
            attribution: unattributed(),
        });
    }
    Ok(ApiLog {
        path: path.to_string(),
        format,
        platform: Some("android".into()),
        package: None,
        naive_times: true,
        calls,
        consent,
        unmapped: Vec::new(),
        warnings,
    })
}

fn privacysentry(
    s: &Sheet,
    h: usize,
    names: &[(String, usize)],
    counts: Option<(&Sheet, Header)>,
    path: &str,
    year_hint: i32,
) -> Result<ApiLog, ApiLogError> {
    let c_time = col(names, "调用时间");
    let c_alias = col(names, "别名");
    let c_fun = col(names, "函数名");
    let c_stack = col(names, "调用堆栈");
    let mut warnings = Vec::new();
    let body = body_rows(s, h);
    let naive: Vec<Option<Naive>> = body.iter().map(|(_, r)| cell_at(r, c_time)).collect();
    if naive.iter().flatten().any(|n| n.year.is_none()) {
        warnings.push(format!(
            "times carry no year (PrivacySentry writes MM-dd HH:mm:ss.SSS): read as {year_hint}"
        ));
    }
    let ts: Vec<Option<Timestamp>> = naive
        .iter()
        .map(|n| n.and_then(|n| n.to_timestamp(year_hint, false)))
        .collect();
    let mut calls = Vec::new();
    let mut consent = None;
    for ((row, r), t) in body.iter().zip(fill_times(&ts)) {
        let Some(t) = t else {
            warnings.push(format!(
                "row {row}: 调用时间 {:?} is not a time and no row has one; row skipped",
                cell_text(r, c_time)
            ));
            continue;
        };
        if ts_missing(&ts, &body, *row) {
            warnings.push(format!(
                "row {row}: 调用时间 {:?} is not a time; placed at the nearest earlier row's time",
                cell_text(r, c_time)
            ));
        }
        let fun = cell_text(r, c_fun);
        if fun.trim() == PS_CONSENT {
            if consent.is_none() {
                consent = Some(LogConsent {
                    ts: t,
                    row: *row,
                    exact: true,
                    how: format!("{path} row {row}: {PS_CONSENT}"),
                });
            }
            continue;
        }
        // `getDeviceId-\n线程名: main`
        let (method, thread) = match fun.split_once("线程名") {
            Some((m, th)) => (
                m.trim().trim_end_matches('-').trim().to_string(),
                Some(th.trim_start_matches([':', '：', ' ']).trim().to_string())
                    .filter(|x| !x.is_empty()),
            ),
            None => (fun.trim().trim_end_matches('-').trim().to_string(), None),
        };
        let alias = cell_text(r, c_alias);
        // 别名 is `description--参数: args`, with `命中缓存--` for values served from cache.
        let (label, args) = match alias.split_once("--参数:") {
            Some((l, a)) => (l.trim().to_string(), vec![a.trim().to_string()]),
            None => (alias.trim().to_string(), Vec::new()),
        };
        calls.push(ApiCall {
            row: *row,
            ts: t,
            api: method,
            label,
            data_type: None,
            args,
            result: None,
            stack: split_stack(&cell_text(r, c_stack)),
            thread,
            app_state: None,
            after_consent: None,
            tool_party: None,
            attribution: unattributed(),
        });
    }
    if let Some((cs, (ch, cnames))) = counts {
        let c_count = col(&cnames, "调用次数");
        let total: u64 = cs
            .rows
            .iter()
            .skip(ch + 1)
            .filter_map(|r| c_count.and_then(|c| r.get(c)))
            .filter_map(|d| match d {
                Data::Int(i) => u64::try_from(*i).ok(),
                Data::Float(f) if *f >= 0.0 => Some(*f as u64),
                other => text(other).trim().parse().ok(),
            })
            .sum();
        if total != calls.len() as u64 {
            warnings.push(format!(
                "sheet {}: 调用次数 adds up to {total}, sheet {} lists {} calls",
                cs.name,
                s.name,
                calls.len()
            ));
        }
    }
    Ok(ApiLog {
        path: path.to_string(),
        format: LogFormat::PrivacySentry,
        platform: Some("android".into()),
        package: None,
        naive_times: true,
        calls,
        consent,
        unmapped: Vec::new(),
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Truncated and bit-flipped copies of a real fixture fail cleanly.
    #[test]
    fn damaged_workbooks_are_errors_not_panics() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/apilog/camille.xls"
        );
        let good = std::fs::read(path).unwrap();
        assert!(read(&good, "camille.xls", 2026).is_ok());
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        for i in 0..2000 {
            let mut b = good.clone();
            if i % 2 == 0 {
                b.truncate((i * 97) % good.len());
            } else {
                for _ in 0..8 {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    let at = (seed as usize) % b.len();
                    b[at] ^= (seed >> 32) as u8 | 1;
                }
            }
            // Any result is fine; returning is the point.
            let _ = read(&b, "damaged.xls", 2026);
        }
    }
}
