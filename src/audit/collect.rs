//! Streaming aggregation for the audit: observations grouped by (data type, party)
//! with bounded samples, timestamps and per-value frequency windows; first contacts
//! per party; TLS/QUIC coverage; the consent marker. Memory does not grow with the
//! capture beyond fixed caps per group.

use std::collections::{BTreeMap, HashMap, VecDeque};

use regex::Regex;
use serde::Serialize;

use crate::exchange::Exchange;
use crate::observation::Observation;
use crate::record::Record;
use crate::time::Timestamp;

const SAMPLES: usize = 20;
const TIMESTAMPS: usize = 100_000;
const VALUES: usize = 10_000;
const WINDOW_NS: i64 = 60_000_000_000;
const DESTINATIONS: usize = 64;
const OPAQUE: usize = 10_000;

/// Per (data type, party): counts and bounded evidence.
#[derive(Debug, Default)]
pub struct Group {
    /// Observations (one per field carrying the type).
    pub count: u64,
    /// Distinct requests carrying the type: two fields of one request count once.
    pub requests: u64,
    /// Distinct cleartext requests.
    pub cleartext: u64,
    pub samples: Vec<Observation>,
    pub cleartext_samples: Vec<Observation>,
    /// One timestamp per request (bounded), and those of the cleartext requests.
    pub timestamps: Vec<Timestamp>,
    pub cleartext_timestamps: Vec<Timestamp>,
    pub hosts: std::collections::BTreeSet<String>,
    /// Distinct destination addresses (bounded), each with its first observation, for
    /// the cross-border rule.
    pub destinations: BTreeMap<std::net::IpAddr, Observation>,
    /// The request the previous observation came from (observations of one request
    /// arrive together), so a request is counted once.
    last_request: Option<(std::sync::Arc<str>, u64, crate::time::Timestamp)>,
    /// Per distinct value: timestamps within the last minute, and the worst minute.
    windows: HashMap<u64, (VecDeque<Timestamp>, usize, Option<Observation>)>,
}

impl Group {
    fn add(&mut self, o: Observation) {
        self.count += 1;
        let new_request = self
            .last_request
            .as_ref()
            .is_none_or(|(f, frame, ts)| *frame != o.frame || *ts != o.ts || **f != *o.file);
        if new_request {
            self.requests += 1;
            self.last_request = Some((o.file.clone(), o.frame, o.ts));
            if self.timestamps.len() < TIMESTAMPS {
                self.timestamps.push(o.ts);
            }
            if o.cleartext() {
                self.cleartext += 1;
                if self.cleartext_timestamps.len() < TIMESTAMPS {
                    self.cleartext_timestamps.push(o.ts);
                }
            }
        }
        if self.hosts.len() < 20
            && let Some(h) = &o.host
        {
            self.hosts.insert(h.clone());
        }
        if let Some(dst) = o.dst
            && self.destinations.len() < DESTINATIONS
        {
            self.destinations.entry(dst.ip).or_insert_with(|| o.clone());
        }
        let key = {
            use std::hash::{Hash, Hasher};
            let mut h = std::collections::hash_map::DefaultHasher::new();
            o.value.hash(&mut h);
            h.finish()
        };
        if self.windows.len() < VALUES || self.windows.contains_key(&key) {
            let (window, worst, at) = self.windows.entry(key).or_default();
            // The same value in two fields of one request is one transmission.
            if window.back() == Some(&o.ts) && !new_request {
                return self.keep_sample(o);
            }
            window.push_back(o.ts);
            while window.front().is_some_and(|t| o.ts.0 - t.0 > WINDOW_NS) {
                window.pop_front();
            }
            if window.len() > *worst {
                *worst = window.len();
                *at = Some(o.clone());
            }
        }
        self.keep_sample(o);
    }

    fn keep_sample(&mut self, o: Observation) {
        if o.cleartext() && self.cleartext_samples.len() < SAMPLES {
            self.cleartext_samples.push(o.clone());
        }
        if self.samples.len() < SAMPLES {
            self.samples.push(o);
        }
    }

    /// The most transmissions of one value within any 60 seconds, with an example.
    pub fn peak_per_minute(&self) -> (usize, Option<&Observation>) {
        self.windows
            .values()
            .map(|(_, worst, at)| (*worst, at.as_ref()))
            .max_by_key(|(n, _)| *n)
            .unwrap_or((0, None))
    }

    /// Sets the worst minute of a group read back from the results store, which
    /// keeps that peak and its example rather than every value's window.
    pub fn restore_peak(&mut self, peak: usize, example: Option<Observation>) {
        self.windows.clear();
        if peak > 0 {
            self.windows.insert(0, (VecDeque::new(), peak, example));
        }
    }

    pub fn first_ts(&self) -> Option<Timestamp> {
        self.timestamps.iter().min().copied()
    }

    pub fn count_before(&self, t: Timestamp) -> usize {
        self.timestamps.iter().filter(|x| **x < t).count()
    }
}

/// A connection whose content was not readable: start time, file, frame, host.
pub type OpaqueContact = (Timestamp, String, u64, String);

/// The first time the app talked to a party, from any record.
#[derive(Debug, Clone, Serialize)]
pub struct Contact {
    pub first_ts: Timestamp,
    pub file: String,
    pub frame: u64,
    pub host: String,
    pub connections: u64,
    pub requests: u64,
}

/// TLS/QUIC connections per host, and whether their content was visible.
#[derive(Debug, Clone, Default, Serialize)]
pub struct HostCoverage {
    pub tls: u64,
    pub quic: u64,
    pub http_cleartext: u64,
    pub https_decrypted: u64,
    /// Encrypted connections that were read, and those that were not (by reason).
    pub connections_decrypted: u64,
    pub not_decrypted: BTreeMap<String, u64>,
}

/// Requests to one party whose payload could not be read (see `detect::opaque`).
#[derive(Debug, Clone, Default, Serialize)]
pub struct UnreadableParty {
    pub requests: u64,
    /// The earliest such request, for a reviewer to open.
    pub example: Option<UnreadableExample>,
}

#[derive(Debug, Clone, Serialize)]
pub struct UnreadableExample {
    pub host: String,
    pub field: String,
    pub kind: String,
    pub file: String,
    pub frame: u64,
    #[serde(skip)]
    pub ts: Timestamp,
}

#[derive(Debug, Clone, Copy)]
enum Count {
    Request,
    Connection,
    Nothing,
}

#[derive(Debug, Default)]
pub struct Collector {
    pub groups: BTreeMap<(String, String), Group>,
    pub contacts: BTreeMap<String, Contact>,
    pub coverage: BTreeMap<String, HostCoverage>,
    /// Per party: requests whose payload was ciphertext or otherwise opaque.
    pub unreadable: BTreeMap<String, UnreadableParty>,
    marker: Option<Regex>,
    pub marker_hit: Option<(Timestamp, String, u64, String)>,
    pub requests: u64,
    /// Per party: connections whose content could not be read (start time, file,
    /// frame, host), bounded; the API-log join uses them when a payload is opaque.
    pub opaque: BTreeMap<String, Vec<OpaqueContact>>,
}

impl Collector {
    pub fn new(marker: Option<Regex>) -> Self {
        Collector {
            marker,
            ..Default::default()
        }
    }

    pub fn observation(&mut self, o: Observation) {
        let party = o.party.clone().unwrap_or_else(|| "unknown:?".into());
        self.groups
            .entry((o.data_type.clone(), party))
            .or_default()
            .add(o);
    }

    /// Notes contact with `party`; `count` says what to count (a request, a
    /// connection, or nothing for a handshake already counted as a connection).
    fn contact(
        &mut self,
        party: &str,
        ts: Timestamp,
        file: &str,
        frame: u64,
        host: &str,
        count: Count,
    ) {
        let c = self
            .contacts
            .entry(party.to_string())
            .or_insert_with(|| Contact {
                first_ts: ts,
                file: file.to_string(),
                frame,
                host: host.to_string(),
                connections: 0,
                requests: 0,
            });
        if ts < c.first_ts {
            c.first_ts = ts;
            c.file = file.to_string();
            c.frame = frame;
            c.host = host.to_string();
        }
        match count {
            Count::Request => c.requests += 1,
            Count::Connection => c.connections += 1,
            Count::Nothing => {}
        }
    }

    /// A connection the source could not look into (a proxy tunnel for a pinned app).
    pub fn not_inspected(&mut self, host: &str, reason: &str) {
        let host = host
            .rsplit_once(':')
            .filter(|(_, port)| port.chars().all(|c| c.is_ascii_digit()))
            .map_or(host, |(h, _)| h)
            .trim_start_matches('[')
            .trim_end_matches(']');
        *self
            .coverage
            .entry(host.to_string())
            .or_default()
            .not_decrypted
            .entry(reason.to_string())
            .or_default() += 1;
    }

    /// A request, for contacts, coverage and the consent marker.
    pub fn exchange(&mut self, x: &Exchange, party: &str) {
        self.requests += 1;
        let host = x.host().unwrap_or_default();
        self.contact(party, x.ts, &x.file, x.frame, &host, Count::Request);
        let cov = self.coverage.entry(host.clone()).or_default();
        match x.transport {
            crate::exchange::Transport::HttpsDecrypted => cov.https_decrypted += 1,
            crate::exchange::Transport::Http => cov.http_cleartext += 1,
            _ => {}
        }
        if let Some(u) = crate::detect::opaque::unreadable(x) {
            let entry = self.unreadable.entry(party.to_string()).or_default();
            entry.requests += 1;
            if entry.example.as_ref().is_none_or(|e| x.ts < e.ts) {
                entry.example = Some(UnreadableExample {
                    host: host.clone(),
                    field: u.field,
                    kind: u.kind.to_string(),
                    file: x.file.to_string(),
                    frame: x.frame,
                    ts: x.ts,
                });
            }
        }
        if let Some(re) = &self.marker {
            let target = format!("{host}{}", x.uri);
            if re.is_match(&target) && self.marker_hit.as_ref().is_none_or(|(t, ..)| x.ts < *t) {
                self.marker_hit = Some((x.ts, x.file.to_string(), x.frame, target));
            }
        }
    }

    /// A flow-level record (party already set by the annotator).
    pub fn record(&mut self, r: &Record) {
        let m = r.meta();
        let party = m.party.clone().unwrap_or_default();
        match r {
            Record::Tls(h) => {
                let host = h
                    .sni
                    .clone()
                    .unwrap_or_else(|| m.dst.map(|d| d.ip.to_string()).unwrap_or_default());
                self.coverage.entry(host.clone()).or_default().tls += 1;
                self.contact(&party, m.ts, &m.file, m.frame, &host, Count::Nothing);
            }
            Record::Quic(h) => {
                let host = h
                    .sni
                    .clone()
                    .unwrap_or_else(|| m.dst.map(|d| d.ip.to_string()).unwrap_or_default());
                self.coverage.entry(host.clone()).or_default().quic += 1;
                self.contact(&party, m.ts, &m.file, m.frame, &host, Count::Nothing);
            }
            Record::Conn(c) if c.service == "tls" || c.service == "http" || c.service == "quic" => {
                let host = c
                    .name
                    .clone()
                    .unwrap_or_else(|| m.dst.map(|d| d.ip.to_string()).unwrap_or_default());
                if c.name.is_some() {
                    self.contact(&party, m.ts, &m.file, m.frame, &host, Count::Connection);
                }
                let host_name = host.clone();
                let cov = self.coverage.entry(host).or_default();
                match (c.decrypted, &c.not_decrypted) {
                    (Some(true), _) => cov.connections_decrypted += 1,
                    (_, Some(reason)) => {
                        *cov.not_decrypted.entry(reason.clone()).or_default() += 1;
                        let list = self.opaque.entry(party).or_default();
                        if list.len() < OPAQUE {
                            list.push((m.ts, m.file.to_string(), m.frame, host_name));
                        }
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }
}
