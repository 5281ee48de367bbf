//! One observation: a personal-data type seen in one field of one request, with the
//! evidence a reviewer needs (file, frame, time, flow, field path, decoding chain).

use std::sync::Arc;

use serde::Serialize;

use crate::exchange::Transport;
use crate::net::Endpoint;
use crate::time::Timestamp;

/// How sure the detector is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    /// A key-supported value of a weak format (16 hex digits under `android_id`).
    Medium,
    /// A validated format (check digits, structure) or an exact device-profile match.
    High,
}

/// What recognised the value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    /// The value's format alone.
    Format,
    /// The field name together with the value's format.
    Key,
    /// An exact (possibly hashed or encoded) match of the test device's own value.
    Profile,
}

#[derive(Debug, Clone)]
pub struct Observation {
    pub data_type: String,
    pub host: Option<String>,
    pub method: String,
    pub uri: String,
    pub field: String,
    pub encoding: Vec<String>,
    pub value: String,
    pub confidence: Confidence,
    pub detected_by: Method,
    pub file: Arc<str>,
    /// The request's first frame.
    pub frame: u64,
    /// The frame that completed the request: where Wireshark shows it.
    pub last_frame: u64,
    pub ts: Timestamp,
    pub src: Option<Endpoint>,
    pub dst: Option<Endpoint>,
    pub transport: Transport,
    pub scheme: Option<&'static str>,
    pub app: Option<String>,
    /// Who received it: `first-party`, `sdk:<id>`, `third-party:<domain>`, `unknown:<ip>`.
    pub party: Option<String>,
}

impl Observation {
    /// Did this leave the device unencrypted?
    pub fn cleartext(&self) -> bool {
        self.transport.is_cleartext(self.scheme == Some("https"))
    }
}

/// Replaces the middle of a value with `*`: `861234567890123` → `8612*******0123`.
pub fn mask(value: &str) -> String {
    let chars: Vec<char> = value.chars().collect();
    let n = chars.len();
    if n <= 4 {
        return "*".repeat(n.max(1));
    }
    // Short values keep one character at each end; long ones up to four.
    let keep = if n <= 8 { 1 } else { n.div_ceil(4).min(4) };
    let stars = (n - 2 * keep).min(12);
    let head: String = chars[..keep].iter().collect();
    let tail: String = chars[n - keep..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(stars))
}

/// The JSON form of an observation (`privaudit scan --format jsonl`).
#[derive(Debug, Serialize)]
pub struct ObservationRecord<'a> {
    pub kind: &'static str,
    pub data_type: &'a str,
    pub host: Option<&'a str>,
    pub method: &'a str,
    pub uri: &'a str,
    pub field: &'a str,
    pub encoding: &'a [String],
    pub frame: u64,
    pub ts: Timestamp,
    #[serde(serialize_with = "ser_opt_endpoint")]
    pub src: Option<Endpoint>,
    #[serde(serialize_with = "ser_opt_endpoint")]
    pub dst: Option<Endpoint>,
    pub file: &'a str,
    pub transport: Transport,
    pub value: String,
    pub confidence: Confidence,
    pub detected_by: Method,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub party: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app: Option<&'a str>,
}

fn ser_opt_endpoint<S: serde::Serializer>(e: &Option<Endpoint>, s: S) -> Result<S::Ok, S::Error> {
    match e {
        Some(e) => s.collect_str(e),
        None => s.serialize_none(),
    }
}

impl Observation {
    pub fn record(&self, show_values: bool) -> ObservationRecord<'_> {
        ObservationRecord {
            kind: "observation",
            data_type: &self.data_type,
            host: self.host.as_deref(),
            method: &self.method,
            uri: &self.uri,
            field: &self.field,
            encoding: &self.encoding,
            frame: self.frame,
            ts: self.ts,
            src: self.src,
            dst: self.dst,
            file: &self.file,
            transport: self.transport,
            value: if show_values {
                self.value.clone()
            } else {
                mask(&self.value)
            },
            confidence: self.confidence,
            detected_by: self.detected_by,
            party: self.party.as_deref(),
            app: self.app.as_deref(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::mask;

    #[test]
    fn masks_the_middle() {
        assert_eq!(mask("861234567890123"), "8612*******0123");
        assert_eq!(mask("abc"), "***");
        assert_eq!(mask("13812345678"), "138*****678");
    }
}
