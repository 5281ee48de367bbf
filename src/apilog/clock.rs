//! Times in API logs and how they line up with a capture's clock.
//!
//! Camille and PrivacySentry write the phone's (or the test PC's) local wall-clock time
//! without a zone; Camille's script.js also counts months from 0 and pads nothing
//! (`2026-10-30 4:30:24` is 30 November); PrivacySentry omits the year
//! (`11-30 04:30:25.095`). Such times are read as if they were UTC ("naive") and then
//! shifted: by `--api-log-offset` when given, else — only for naive logs — by the whole
//! quarter-hour zone offset that puts the log's span inside the capture's. The report
//! states which clock was trusted and why.

use serde::Serialize;

use crate::time::Timestamp;

const NS: i64 = 1_000_000_000;

/// A wall-clock time as written, before any zone is assumed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Naive {
    pub year: Option<i32>,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
    pub nanos: u32,
    /// Some component below 10 was written with one digit (JavaScript's Date getters).
    pub unpadded: bool,
}

/// Parses `Y-M-D H:M:S[.f]` or `M-D H:M:S[.f]` with any separators and optional padding.
pub fn parse_naive(text: &str) -> Option<Naive> {
    let text = text.trim();
    let mut groups: Vec<&str> = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        match (c.is_ascii_digit(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                groups.push(&text[s..i]);
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        groups.push(&text[s..]);
    }
    let with_year = groups.first().is_some_and(|g| g.len() == 4);
    let (year, rest) = if with_year {
        (groups.first()?.parse().ok(), &groups[1..])
    } else {
        (None, &groups[..])
    };
    if rest.len() < 5 || rest.len() > 6 {
        return None;
    }
    let num = |i: usize| -> Option<u32> { rest.get(i)?.parse().ok() };
    let unpadded = rest[..5].iter().any(|g| g.len() == 1);
    let nanos = match rest.get(5) {
        Some(f) if f.len() <= 9 => {
            let v: u32 = f.parse().ok()?;
            v * 10u32.pow(9 - f.len() as u32)
        }
        Some(_) => return None,
        None => 0,
    };
    let n = Naive {
        year,
        month: num(0)?,
        day: num(1)?,
        hour: num(2)?,
        minute: num(3)?,
        second: num(4)?,
        nanos,
        unpadded,
    };
    (n.month <= 12 && (1..=31).contains(&n.day) && n.hour < 24 && n.minute < 60 && n.second < 61)
        .then_some(n)
}

impl Naive {
    /// As if UTC; `month_from_zero` adds the month JavaScript's `getMonth()` took away.
    pub fn to_timestamp(self, year_hint: i32, month_from_zero: bool) -> Option<Timestamp> {
        let month = if month_from_zero {
            self.month + 1
        } else {
            self.month
        };
        let date =
            chrono::NaiveDate::from_ymd_opt(self.year.unwrap_or(year_hint), month, self.day)?;
        let dt = date.and_hms_nano_opt(self.hour, self.minute, self.second.min(59), self.nanos)?;
        dt.and_utc().timestamp_nanos_opt().map(Timestamp)
    }
}

/// How the log's times map onto the capture's.
#[derive(Debug, Clone, Serialize)]
pub struct Clock {
    /// Added to a log time to get capture time.
    pub offset_ns: i64,
    /// The log's times can be compared with the capture's.
    pub aligned: bool,
    /// Which clock was trusted, in words.
    pub trusted: String,
    /// The same in Chinese.
    pub trusted_zh: String,
}

impl Clock {
    pub fn shift(&self, t: Timestamp) -> Timestamp {
        Timestamp(t.0.saturating_add(self.offset_ns))
    }
}

/// `+8h`, `-28800`, `-8:00`, `1.5s`, `90m`: seconds unless a unit says otherwise.
pub fn parse_offset(text: &str) -> Option<i64> {
    let t = text.trim();
    let (sign, body) = match t.strip_prefix('-') {
        Some(b) => (-1.0, b),
        None => (1.0, t.strip_prefix('+').unwrap_or(t)),
    };
    let secs: f64 = if let Some((h, m)) = body.split_once(':') {
        h.parse::<f64>().ok()? * 3600.0 + m.parse::<f64>().ok()? * 60.0
    } else if let Some(v) = body.strip_suffix("ms") {
        v.parse::<f64>().ok()? / 1000.0
    } else if let Some(v) = body.strip_suffix('h') {
        v.parse::<f64>().ok()? * 3600.0
    } else if let Some(v) = body.strip_suffix('m') {
        v.parse::<f64>().ok()? * 60.0
    } else if let Some(v) = body.strip_suffix('s') {
        v.parse::<f64>().ok()?
    } else {
        body.parse::<f64>().ok()?
    };
    (secs.is_finite() && secs.abs() < 86_400.0 * 366.0).then_some((sign * secs * 1e9) as i64)
}

fn fmt_offset(ns: i64) -> String {
    let sign = if ns < 0 { '-' } else { '+' };
    let secs = ns.unsigned_abs() / NS as u64;
    let frac = ns.unsigned_abs() % NS as u64;
    if frac == 0 && secs.is_multiple_of(60) {
        format!("{sign}{:02}:{:02}", secs / 3600, (secs / 60) % 60)
    } else {
        format!("{sign}{}.{:03}s", secs, frac / 1_000_000)
    }
}

/// Do the spans overlap, allowing `slack` on both sides?
fn overlaps(a: (Timestamp, Timestamp), b: (Timestamp, Timestamp), slack: i64) -> bool {
    a.0.0 <= b.1.0 + slack && b.0.0 <= a.1.0 + slack
}

/// Decides the offset. `log` and `capture` are (first, last) times.
pub fn align(
    log: Option<(Timestamp, Timestamp)>,
    capture: Option<(Timestamp, Timestamp)>,
    user_offset: Option<i64>,
    naive: bool,
) -> Clock {
    if let Some(off) = user_offset {
        return Clock {
            offset_ns: off,
            aligned: true,
            trusted: format!(
                "capture clock; API log times shifted by {} (--api-log-offset)",
                fmt_offset(off)
            ),
            trusted_zh: format!(
                "以抓包时钟为准；接口日志时间按 --api-log-offset 平移 {}",
                fmt_offset(off)
            ),
        };
    }
    let (Some(log), Some(cap)) = (log, capture) else {
        return Clock {
            offset_ns: 0,
            aligned: false,
            trusted: "API log's own clock (no capture times to compare with)".into(),
            trusted_zh: "以接口日志自身时钟为准（无抓包时间可比对）".into(),
        };
    };
    let slack = 60 * NS;
    if overlaps(log, cap, slack) {
        return Clock {
            offset_ns: 0,
            aligned: true,
            trusted: if naive {
                "capture clock; the API log's zone-less times already fall within the capture (read as UTC)".into()
            } else {
                "capture clock; the API log's times already fall within the capture".into()
            },
            trusted_zh: "以抓包时钟为准；接口日志时间已落在抓包时间范围内".into(),
        };
    }
    if naive {
        // Zones are whole quarter hours from -12:00 to +14:00; local = UTC + zone, so
        // the shift back to UTC is -zone. Prefer the smallest shift that fits.
        let mut fits: Vec<i64> = (-48..=56)
            .map(|zone: i64| -zone * 15 * 60 * NS)
            .filter(|off| {
                overlaps(
                    (Timestamp(log.0.0 + off), Timestamp(log.1.0 + off)),
                    cap,
                    slack,
                )
            })
            .collect();
        fits.sort_by_key(|o| o.abs());
        if let Some(&off) = fits.first() {
            return Clock {
                offset_ns: off,
                aligned: true,
                trusted: format!(
                    "capture clock; the API log's zone-less times read as local time UTC{} (guessed: the only zone that puts them within the capture; --api-log-offset overrides)",
                    fmt_offset(-off)
                ),
                trusted_zh: format!(
                    "以抓包时钟为准；接口日志中无时区的时间按本地时间 UTC{} 解读（推测：唯一使其落入抓包时间范围的时区；可用 --api-log-offset 指定）",
                    fmt_offset(-off)
                ),
            };
        }
    }
    // Last resort: hooking starts with the app (Camille and the agent spawn it) and so
    // does a session capture; line up the starts, and say so.
    if naive {
        let off = cap.0.0 - log.0.0;
        return Clock {
            offset_ns: off,
            aligned: true,
            trusted: format!(
                "capture clock; the API log's zone-less times ({} – {}) fit no time zone, so its first call is assumed to be the capture's start (shift {}; --api-log-offset overrides)",
                log.0.rfc3339(),
                log.1.rfc3339(),
                fmt_offset(off)
            ),
            trusted_zh: format!(
                "以抓包时钟为准；接口日志时间（{} – {}）无法按任何时区对齐，假定其第一条调用即抓包开始（平移 {}；可用 --api-log-offset 指定）",
                log.0.rfc3339(),
                log.1.rfc3339(),
                fmt_offset(off)
            ),
        };
    }
    Clock {
        offset_ns: 0,
        aligned: false,
        trusted: format!(
            "API log's own clock: its times ({} – {}) do not meet the capture's ({} – {}); rules joining the two are skipped (give --api-log-offset)",
            log.0.rfc3339(),
            log.1.rfc3339(),
            cap.0.rfc3339(),
            cap.1.rfc3339()
        ),
        trusted_zh: format!(
            "以接口日志自身时钟为准：其时间（{} – {}）与抓包（{} – {}）不重合，跳过需要两者对照的规则（请用 --api-log-offset 指定偏移）",
            log.0.rfc3339(),
            log.1.rfc3339(),
            cap.0.rfc3339(),
            cap.1.rfc3339()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_tools_formats() {
        let c = parse_naive("2026-10-30 4:30:24").unwrap();
        assert!(c.unpadded);
        assert_eq!(
            c.to_timestamp(0, true).unwrap().rfc3339(),
            "2026-11-30T04:30:24.000000Z"
        );
        let p = parse_naive("11-30 04:30:25.095").unwrap();
        assert!(!p.unpadded && p.year.is_none());
        assert_eq!(
            p.to_timestamp(2026, false).unwrap().rfc3339(),
            "2026-11-30T04:30:25.095000Z"
        );
        assert!(parse_naive("not a time").is_none());
        assert!(parse_naive("2026-13-01 00:00:00").is_none());
    }

    #[test]
    fn offsets() {
        assert_eq!(parse_offset("-8h"), Some(-8 * 3600 * NS));
        assert_eq!(parse_offset("+08:00"), Some(8 * 3600 * NS));
        assert_eq!(parse_offset("1.5s"), Some(1_500_000_000));
        assert_eq!(parse_offset("-250ms"), Some(-250_000_000));
        assert_eq!(parse_offset("soon"), None);
    }

    #[test]
    fn guesses_the_zone_only_for_naive_logs() {
        let cap = (Timestamp(1000 * NS), Timestamp(1003 * NS));
        let local = (
            Timestamp((1000 + 8 * 3600) * NS),
            Timestamp((1002 + 8 * 3600) * NS),
        );
        let c = align(Some(local), Some(cap), None, true);
        assert!(c.aligned);
        assert_eq!(c.offset_ns, -8 * 3600 * NS);
        assert!(c.trusted.contains("UTC+08:00"), "{}", c.trusted);
        let c = align(Some(local), Some(cap), None, false);
        assert!(!c.aligned);
        // Zone-less and a day apart: the starts are lined up, and the report says so.
        let far = (
            Timestamp(1000 * NS + 86_400 * NS * 3),
            Timestamp(1001 * NS + 86_400 * NS * 3),
        );
        let c = align(Some(far), Some(cap), None, true);
        assert!(c.aligned && c.trusted.contains("assumed"), "{}", c.trusted);
        assert_eq!(c.offset_ns, -86_400 * NS * 3);
        let c = align(Some(cap), Some(cap), None, true);
        assert_eq!((c.aligned, c.offset_ns), (true, 0));
        let c = align(Some(local), Some(cap), Some(5 * NS), true);
        assert_eq!(c.offset_ns, 5 * NS);
    }
}
