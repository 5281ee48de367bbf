//! The aggregated observations of a run, as the audit rules read them: per (data
//! type, party) counts, timestamps, bounded samples, the worst minute per value and
//! destinations; contacts per party; coverage; consent; package facts. Enough to
//! evaluate a new policy or new signatures (`privaudit reaudit`) with the same
//! result a fresh audit of the captures would give.
//!
//! Values and URIs are stored masked, never in full: the store must not become a
//! second copy of the personal data the captures hold. Masking is idempotent, so a
//! re-evaluated (masked) report is identical to a fresh one.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::audit::collect::{Contact, Group, HostCoverage};
use crate::audit::{Collector, ConsentInfo, PackageFacts};
use crate::exchange::Transport;
use crate::net::Endpoint;
use crate::observation::{Confidence, Method, Observation, mask};
use crate::time::Timestamp;

/// Bump when the layout changes; older snapshots are refused with a clear message.
pub const VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Obs {
    pub data_type: String,
    pub host: Option<String>,
    pub method: String,
    pub uri: String,
    pub field: String,
    pub encoding: Vec<String>,
    pub value: String,
    pub confidence: String,
    pub detected_by: String,
    pub file: String,
    pub frame: u64,
    pub last_frame: u64,
    pub ts: i64,
    pub src: Option<String>,
    pub dst: Option<String>,
    pub transport: String,
    pub scheme: Option<String>,
    pub app: Option<String>,
    pub party: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupSnap {
    pub data_type: String,
    pub party: String,
    pub count: u64,
    pub requests: u64,
    pub cleartext: u64,
    pub samples: Vec<Obs>,
    pub cleartext_samples: Vec<Obs>,
    pub timestamps: Vec<i64>,
    pub cleartext_timestamps: Vec<i64>,
    pub hosts: Vec<String>,
    pub destinations: Vec<(String, Obs)>,
    pub peak: usize,
    pub peak_example: Option<Obs>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContactSnap {
    pub party: String,
    pub first_ts: i64,
    pub file: String,
    pub frame: u64,
    pub host: String,
    pub connections: u64,
    pub requests: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CoverageSnap {
    pub host: String,
    pub tls: u64,
    pub quic: u64,
    pub http_cleartext: u64,
    pub https_decrypted: u64,
    pub connections_decrypted: u64,
    pub not_decrypted: BTreeMap<String, u64>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct PackageSnap {
    pub sdks: Vec<(String, String)>,
    pub permission_types: Vec<(String, String)>,
    pub manifest_types: Vec<(String, String, String)>,
    pub summary: Option<serde_json::Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    pub version: u32,
    pub groups: Vec<GroupSnap>,
    pub contacts: Vec<ContactSnap>,
    pub coverage: Vec<CoverageSnap>,
    pub requests: u64,
    pub marker_hit: Option<(i64, String, u64, String)>,
    pub consent: Option<(i64, String)>,
    pub max_per_minute: usize,
    pub package: Option<PackageSnap>,
}

fn obs(o: &Observation) -> Obs {
    Obs {
        data_type: o.data_type.clone(),
        host: o.host.clone(),
        method: o.method.clone(),
        uri: mask_uri(&o.uri),
        field: o.field.clone(),
        encoding: o.encoding.clone(),
        value: mask(&o.value),
        confidence: match o.confidence {
            Confidence::High => "high",
            Confidence::Medium => "medium",
        }
        .into(),
        detected_by: match o.detected_by {
            Method::Format => "format",
            Method::Key => "key",
            Method::Profile => "profile",
        }
        .into(),
        file: o.file.to_string(),
        frame: o.frame,
        last_frame: o.last_frame,
        ts: o.ts.0,
        src: o.src.map(|e| SocketAddr::new(e.ip, e.port).to_string()),
        dst: o.dst.map(|e| SocketAddr::new(e.ip, e.port).to_string()),
        transport: match o.transport {
            Transport::Http => "http",
            Transport::HttpsDecrypted => "https-decrypted",
            Transport::Har => "har",
            Transport::Proxy => "proxy",
        }
        .into(),
        scheme: o.scheme.map(str::to_string),
        app: o.app.clone(),
        party: o.party.clone(),
    }
}

/// The report masks query values the same way (`audit::Evidence`); masking twice
/// changes nothing, so the stored URI renders as the original would.
fn mask_uri(uri: &str) -> String {
    match uri.split_once('?') {
        Some((path, query)) => {
            let masked: Vec<String> = query
                .split('&')
                .map(|p| match p.split_once('=') {
                    Some((k, v)) if v.len() > 4 => format!("{k}={}", mask(v)),
                    _ => p.to_string(),
                })
                .collect();
            format!("{path}?{}", masked.join("&"))
        }
        None => uri.to_string(),
    }
}

fn endpoint(text: &Option<String>) -> Result<Option<Endpoint>, String> {
    match text {
        None => Ok(None),
        Some(t) => t
            .parse::<SocketAddr>()
            .map(|a| {
                Some(Endpoint {
                    ip: a.ip(),
                    port: a.port(),
                })
            })
            .map_err(|_| format!("bad address {t:?}")),
    }
}

fn observation(o: &Obs) -> Result<Observation, String> {
    Ok(Observation {
        data_type: o.data_type.clone(),
        host: o.host.clone(),
        method: o.method.clone(),
        uri: o.uri.clone(),
        field: o.field.clone(),
        encoding: o.encoding.clone(),
        value: o.value.clone(),
        confidence: match o.confidence.as_str() {
            "high" => Confidence::High,
            "medium" => Confidence::Medium,
            other => return Err(format!("unknown confidence {other:?}")),
        },
        detected_by: match o.detected_by.as_str() {
            "format" => Method::Format,
            "key" => Method::Key,
            "profile" => Method::Profile,
            other => return Err(format!("unknown detection method {other:?}")),
        },
        file: Arc::from(o.file.as_str()),
        frame: o.frame,
        last_frame: o.last_frame,
        ts: Timestamp(o.ts),
        src: endpoint(&o.src)?,
        dst: endpoint(&o.dst)?,
        transport: match o.transport.as_str() {
            "http" => Transport::Http,
            "https-decrypted" => Transport::HttpsDecrypted,
            "har" => Transport::Har,
            "proxy" => Transport::Proxy,
            other => return Err(format!("unknown transport {other:?}")),
        },
        // Only these two schemes are ever set by the sources.
        scheme: match o.scheme.as_deref() {
            None => None,
            Some("https") => Some("https"),
            Some("http") => Some("http"),
            Some(other) => return Err(format!("unknown scheme {other:?}")),
        },
        app: o.app.clone(),
        party: o.party.clone(),
    })
}

impl Snapshot {
    /// What the rules need from a finished collection.
    pub fn capture(
        collector: &Collector,
        consent: Option<&ConsentInfo>,
        max_per_minute: usize,
        package: Option<&PackageFacts>,
    ) -> Snapshot {
        let groups = collector
            .groups
            .iter()
            .map(|((t, p), g)| {
                let (peak, example) = g.peak_per_minute();
                GroupSnap {
                    data_type: t.clone(),
                    party: p.clone(),
                    count: g.count,
                    requests: g.requests,
                    cleartext: g.cleartext,
                    samples: g.samples.iter().map(obs).collect(),
                    cleartext_samples: g.cleartext_samples.iter().map(obs).collect(),
                    timestamps: g.timestamps.iter().map(|t| t.0).collect(),
                    cleartext_timestamps: g.cleartext_timestamps.iter().map(|t| t.0).collect(),
                    hosts: g.hosts.iter().cloned().collect(),
                    destinations: g
                        .destinations
                        .iter()
                        .map(|(ip, o)| (ip.to_string(), obs(o)))
                        .collect(),
                    peak,
                    peak_example: example.map(obs),
                }
            })
            .collect();
        Snapshot {
            version: VERSION,
            groups,
            contacts: collector
                .contacts
                .iter()
                .map(|(party, c)| ContactSnap {
                    party: party.clone(),
                    first_ts: c.first_ts.0,
                    file: c.file.clone(),
                    frame: c.frame,
                    host: c.host.clone(),
                    connections: c.connections,
                    requests: c.requests,
                })
                .collect(),
            coverage: collector
                .coverage
                .iter()
                .map(|(host, c)| CoverageSnap {
                    host: host.clone(),
                    tls: c.tls,
                    quic: c.quic,
                    http_cleartext: c.http_cleartext,
                    https_decrypted: c.https_decrypted,
                    connections_decrypted: c.connections_decrypted,
                    not_decrypted: c.not_decrypted.clone(),
                })
                .collect(),
            requests: collector.requests,
            marker_hit: collector
                .marker_hit
                .as_ref()
                .map(|(ts, f, n, t)| (ts.0, f.clone(), *n, mask_uri(t))),
            consent: consent.map(|c| (c.ts.0, c.source.clone())),
            max_per_minute,
            package: package.map(|p| PackageSnap {
                sdks: p.sdks.clone(),
                permission_types: p.permission_types.clone(),
                manifest_types: p.manifest_types.clone(),
                summary: p.summary.clone(),
            }),
        }
    }

    /// A collector in the state the audit left it, for `audit::evaluate`.
    pub fn collector(&self) -> Result<Collector, String> {
        if self.version != VERSION {
            return Err(format!(
                "observations stored in layout {} (this privaudit reads {VERSION}); audit the captures again",
                self.version
            ));
        }
        let mut c = Collector::new(None);
        for g in &self.groups {
            let mut group = Group::default();
            group.count = g.count;
            group.requests = g.requests;
            group.cleartext = g.cleartext;
            group.samples = g
                .samples
                .iter()
                .map(observation)
                .collect::<Result<_, _>>()?;
            group.cleartext_samples = g
                .cleartext_samples
                .iter()
                .map(observation)
                .collect::<Result<_, _>>()?;
            group.timestamps = g.timestamps.iter().map(|t| Timestamp(*t)).collect();
            group.cleartext_timestamps = g
                .cleartext_timestamps
                .iter()
                .map(|t| Timestamp(*t))
                .collect();
            group.hosts = g.hosts.iter().cloned().collect();
            for (ip, o) in &g.destinations {
                let ip = ip.parse().map_err(|_| format!("bad address {ip:?}"))?;
                group.destinations.insert(ip, observation(o)?);
            }
            group.restore_peak(
                g.peak,
                g.peak_example.as_ref().map(observation).transpose()?,
            );
            c.groups
                .insert((g.data_type.clone(), g.party.clone()), group);
        }
        for k in &self.contacts {
            c.contacts.insert(
                k.party.clone(),
                Contact {
                    first_ts: Timestamp(k.first_ts),
                    file: k.file.clone(),
                    frame: k.frame,
                    host: k.host.clone(),
                    connections: k.connections,
                    requests: k.requests,
                },
            );
        }
        for h in &self.coverage {
            c.coverage.insert(
                h.host.clone(),
                HostCoverage {
                    tls: h.tls,
                    quic: h.quic,
                    http_cleartext: h.http_cleartext,
                    https_decrypted: h.https_decrypted,
                    connections_decrypted: h.connections_decrypted,
                    not_decrypted: h.not_decrypted.clone(),
                },
            );
        }
        c.requests = self.requests;
        c.marker_hit = self
            .marker_hit
            .as_ref()
            .map(|(ts, f, n, t)| (Timestamp(*ts), f.clone(), *n, t.clone()));
        Ok(c)
    }

    pub fn consent(&self) -> Option<ConsentInfo> {
        self.consent.as_ref().map(|(ts, source)| ConsentInfo {
            ts: Timestamp(*ts),
            source: source.clone(),
        })
    }

    pub fn package_facts(&self) -> Option<PackageFacts> {
        self.package.as_ref().map(|p| PackageFacts {
            sdks: p.sdks.clone(),
            permission_types: p.permission_types.clone(),
            manifest_types: p.manifest_types.clone(),
            summary: p.summary.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(value: &str, ts: i64) -> Observation {
        Observation {
            data_type: "device.identifier.imei".into(),
            host: Some("alog.umeng.com".into()),
            method: "POST".into(),
            uri: "/app_logs?imei=866910041573828&x=1".into(),
            field: "body.json.header.imei".into(),
            encoding: vec!["gzip".into(), "json".into()],
            value: value.into(),
            confidence: Confidence::High,
            detected_by: Method::Profile,
            file: Arc::from("demo.pcapng"),
            frame: 7,
            last_frame: 8,
            ts: Timestamp(ts),
            src: Some(Endpoint {
                ip: "127.0.5.10".parse().unwrap(),
                port: 40000,
            }),
            dst: Some(Endpoint {
                ip: "::1".parse().unwrap(),
                port: 80,
            }),
            transport: Transport::Http,
            scheme: None,
            app: None,
            party: Some("sdk:umeng".into()),
        }
    }

    #[test]
    fn round_trip_keeps_what_the_rules_read_and_masks_values() {
        let mut c = Collector::new(None);
        for i in 0..30 {
            c.observation(sample("866910041573828", 1_000_000_000 * i));
        }
        let snap = Snapshot::capture(&c, None, 10, None);
        let text = serde_json::to_string(&snap).unwrap();
        assert!(!text.contains("866910041573828"), "a full value was stored");
        let back: Snapshot = serde_json::from_str(&text).unwrap();
        let restored = back.collector().unwrap();
        let (a, b) = (
            &c.groups[&("device.identifier.imei".into(), "sdk:umeng".into())],
            &restored.groups[&("device.identifier.imei".into(), "sdk:umeng".into())],
        );
        assert_eq!(a.count, b.count);
        assert_eq!(a.timestamps, b.timestamps);
        assert_eq!(a.peak_per_minute().0, b.peak_per_minute().0);
        assert_eq!(b.samples[0].value, mask("866910041573828"));
        assert_eq!(b.samples[0].dst, a.samples[0].dst);
        // Masking is idempotent: the report shows the same either way.
        assert_eq!(mask(&b.samples[0].value), mask(&a.samples[0].value));
        assert_eq!(mask_uri(&b.samples[0].uri), mask_uri(&a.samples[0].uri));
        // A snapshot taken from the restored collector is the same snapshot.
        assert_eq!(Snapshot::capture(&restored, None, 10, None), snap);
    }

    #[test]
    fn damaged_snapshots_are_errors() {
        let c = Collector::new(None);
        let mut snap = Snapshot::capture(&c, None, 10, None);
        snap.version = 99;
        assert!(snap.collector().is_err());
    }
}
