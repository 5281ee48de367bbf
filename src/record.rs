//! Typed records, one per protocol event, Zeek style: what `privaudit flows` prints and
//! what later stages consume. Field names are the documented JSON schema (README).

use std::sync::Arc;

use serde::Serialize;

use crate::exchange::Exchange;
use crate::net::Endpoint;
use crate::time::Timestamp;

/// Fields every record carries.
#[derive(Debug, Clone, Serialize)]
pub struct Meta {
    pub file: Arc<str>,
    /// 1-based number of the record's first packet, as tshark counts frames.
    pub frame: u64,
    /// The packet that completed the record, when later than `frame` (tshark reports
    /// reassembled messages at this frame).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_frame: Option<u64>,
    pub ts: Timestamp,
    /// `ip:port` of the sender; null for sources without addresses (HAR).
    #[serde(serialize_with = "ser_endpoint")]
    pub src: Option<Endpoint>,
    #[serde(serialize_with = "ser_endpoint")]
    pub dst: Option<Endpoint>,
    /// The app that sent it, where the capture says (PCAPdroid).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app: Option<String>,
    /// Who the server side is: `first-party`, `sdk:<id>`, `third-party:<domain>` or
    /// `unknown:<ip>` (filled in by the commands, which know the signatures).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub party: Option<String>,
    /// Read from the first fragment of an IP datagram whose other fragments never came:
    /// what it shows was really sent, but the message may go on beyond what was read.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub partial: bool,
}

fn ser_endpoint<S: serde::Serializer>(e: &Option<Endpoint>, s: S) -> Result<S::Ok, S::Error> {
    match e {
        Some(e) => s.collect_str(e),
        None => s.serialize_none(),
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct DnsRecord {
    #[serde(flatten)]
    pub meta: Meta,
    pub proto: &'static str,
    pub response: bool,
    pub query: String,
    /// All questions, when a message asks more than one (mDNS does).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub queries: Vec<String>,
    pub qtype: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rcode: Option<u8>,
    /// Addresses and CNAME targets from the answer section, in order.
    pub answers: Vec<String>,
}

/// A TLS or QUIC handshake.
#[derive(Debug, Clone, Serialize)]
pub struct HandshakeRecord {
    #[serde(flatten)]
    pub meta: Meta,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sni: Option<String>,
    pub alpn: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ja3: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ja4: Option<String>,
    /// Negotiated version when the server answered, else the highest the client offered.
    pub version: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cipher: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server_alpn: Option<String>,
    /// Did the server answer the hello?
    pub established: bool,
    /// The client sent a second hello (after a HelloRetryRequest or a QUIC Retry).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub hello_retry: bool,
    /// An abbreviated handshake resuming an earlier session (session id, ticket or PSK).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub resumed: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct HttpRecord {
    #[serde(flatten)]
    pub meta: Meta,
    pub transport: crate::exchange::Transport,
    pub method: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    pub uri: String,
    pub version: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    pub request_body_len: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
}

impl HttpRecord {
    pub fn from_exchange(x: &Exchange) -> HttpRecord {
        HttpRecord {
            meta: Meta {
                file: x.file.clone(),
                frame: x.frame,
                last_frame: (x.last_frame > x.frame).then_some(x.last_frame),
                ts: x.ts,
                src: x.src,
                dst: x.dst,
                app: x.app.clone(),
                party: None,
                partial: x.partial,
            },
            transport: x.transport,
            method: x.method.clone(),
            host: x.host(),
            uri: x.uri.clone(),
            version: x.version.clone(),
            user_agent: x.user_agent().map(str::to_string),
            content_type: x.header("content-type").map(str::to_string),
            request_body_len: x.body_wire_len,
            status: x.status,
        }
    }
}

/// One summary per flow.
#[derive(Debug, Clone, Serialize)]
pub struct ConnRecord {
    #[serde(flatten)]
    pub meta: Meta,
    pub proto: &'static str,
    /// The application protocol recognised: tls, http, dns, quic, or none.
    pub service: &'static str,
    /// Best name for the server: SNI, else HTTP Host, else the DNS name of the address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Where `name` came from: sni, host or dns.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name_source: Option<&'static str>,
    pub bytes_up: u64,
    pub bytes_down: u64,
    pub packets: u64,
    pub packets_up: u64,
    pub packets_down: u64,
    pub last_ts: Timestamp,
    /// How the flow ended: fin, rst, idle, end (capture ended) or evicted.
    pub end: &'static str,
    /// TLS only: whether the content was decrypted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decrypted: Option<bool>,
    /// TLS only: application bytes decrypted from the client and from the server.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plaintext_up: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plaintext_down: Option<u64>,
    /// TLS only: why the content could not be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_decrypted: Option<String>,
    /// Out-of-order data given up on (bytes), when the capture missed segments.
    #[serde(skip_serializing_if = "is_zero")]
    pub gap_bytes: u64,
}

fn is_zero(v: &u64) -> bool {
    *v == 0
}

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Record {
    Dns(DnsRecord),
    Tls(HandshakeRecord),
    Quic(HandshakeRecord),
    Http(HttpRecord),
    Conn(ConnRecord),
}

impl Record {
    pub fn meta_mut(&mut self) -> &mut Meta {
        match self {
            Record::Dns(r) => &mut r.meta,
            Record::Tls(r) | Record::Quic(r) => &mut r.meta,
            Record::Http(r) => &mut r.meta,
            Record::Conn(r) => &mut r.meta,
        }
    }

    /// The server-side name the record carries, if any.
    pub fn server_name(&self) -> Option<&str> {
        match self {
            Record::Dns(r) => Some(r.query.as_str()),
            Record::Tls(r) | Record::Quic(r) => r.sni.as_deref(),
            Record::Http(r) => r.host.as_deref(),
            Record::Conn(r) => r.name.as_deref(),
        }
    }

    pub fn meta(&self) -> &Meta {
        match self {
            Record::Dns(r) => &r.meta,
            Record::Tls(r) | Record::Quic(r) => &r.meta,
            Record::Http(r) => &r.meta,
            Record::Conn(r) => &r.meta,
        }
    }
}

/// Something the reader wants the user to know: a limit reached, damage, an
/// unsupported link type. Printed on stderr, aggregated by kind.
#[derive(Debug, Clone, Serialize)]
pub struct Warning {
    pub file: Arc<str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub frame: Option<u64>,
    /// The limit involved, by its name in [`crate::limits::Limits`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flow: Option<String>,
    pub message: String,
}
