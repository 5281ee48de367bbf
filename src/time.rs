//! Capture timestamps: nanoseconds since the Unix epoch, printed as RFC 3339 UTC.

use serde::{Serialize, Serializer};

/// A point in time, in nanoseconds since 1970-01-01T00:00:00Z.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Timestamp(pub i64);

impl Timestamp {
    pub fn from_secs_frac(secs: i64, frac: u64, units_per_sec: u64) -> Timestamp {
        let units = units_per_sec.max(1) as i128;
        let nanos = (frac as i128) * 1_000_000_000 / units;
        let total = (secs as i128) * 1_000_000_000 + nanos;
        Timestamp(total.clamp(i64::MIN as i128, i64::MAX as i128) as i64)
    }

    pub fn secs_f64(self) -> f64 {
        self.0 as f64 / 1e9
    }

    /// RFC 3339, UTC, microsecond precision: `2021-08-13T10:46:09.772338Z`.
    pub fn rfc3339(self) -> String {
        let secs = self.0.div_euclid(1_000_000_000);
        let nanos = self.0.rem_euclid(1_000_000_000) as u32;
        match chrono::DateTime::from_timestamp(secs, nanos) {
            Some(dt) => dt.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
            None => format!("{}.{:06}", secs, nanos / 1000),
        }
    }

    /// Parses RFC 3339 (with offset) or a plain number of seconds since the epoch.
    pub fn parse(text: &str) -> Option<Timestamp> {
        let text = text.trim();
        if let Ok(dt) = chrono::DateTime::parse_from_rfc3339(text) {
            return dt.timestamp_nanos_opt().map(Timestamp);
        }
        if let Ok(secs) = text.parse::<f64>()
            && secs.is_finite()
            && secs.abs() < 1e11
        {
            return Some(Timestamp((secs * 1e9) as i64));
        }
        None
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.rfc3339())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_microseconds_in_utc() {
        let t = Timestamp::from_secs_frac(1_582_454_769, 772_338, 1_000_000);
        assert_eq!(t.rfc3339(), "2020-02-23T10:46:09.772338Z");
    }

    #[test]
    fn nanosecond_resolution_is_truncated_to_micros() {
        let t = Timestamp::from_secs_frac(0, 123_456_789, 1_000_000_000);
        assert_eq!(t.rfc3339(), "1970-01-01T00:00:00.123456Z");
    }

    #[test]
    fn parses_rfc3339_and_epoch_seconds() {
        assert_eq!(
            Timestamp::parse("1970-01-01T00:00:01Z"),
            Some(Timestamp(1_000_000_000))
        );
        assert_eq!(Timestamp::parse("2.5"), Some(Timestamp(2_500_000_000)));
        assert_eq!(Timestamp::parse("yesterday"), None);
    }
}
