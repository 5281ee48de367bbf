//! The unified record of one HTTP request and its response status, whatever it came
//! from: a cleartext capture, a decrypted TLS stream, a HAR file or the proxy. The
//! detection stage reads only this.

use std::sync::Arc;

use serde::Serialize;

use crate::net::Endpoint;
use crate::time::Timestamp;

/// How the exchange reached us; reports use it to say whether it travelled in clear.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Transport {
    /// Plaintext HTTP seen on the wire.
    #[serde(rename = "http")]
    Http,
    /// HTTP recovered from a TLS or QUIC connection with a key log.
    #[serde(rename = "https-decrypted")]
    HttpsDecrypted,
    /// From a HAR export (the original transport is in the URL scheme).
    #[serde(rename = "har")]
    Har,
    /// Recorded by privaudit's own intercepting proxy.
    #[serde(rename = "proxy")]
    Proxy,
}

impl Transport {
    /// True when the bytes crossed the network unencrypted.
    pub fn is_cleartext(self, scheme_is_https: bool) -> bool {
        match self {
            Transport::Http => true,
            Transport::HttpsDecrypted => false,
            Transport::Har | Transport::Proxy => !scheme_is_https,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Exchange {
    pub file: Arc<str>,
    /// Frame of the request's first byte (HAR: entry index, 1-based).
    pub frame: u64,
    /// Frame where the request was complete.
    pub last_frame: u64,
    pub ts: Timestamp,
    pub src: Option<Endpoint>,
    pub dst: Option<Endpoint>,
    pub transport: Transport,
    /// `http` or `https` when known (HAR, proxy, decrypted TLS).
    pub scheme: Option<&'static str>,
    pub method: String,
    /// Path and query as sent (or the absolute URI a proxy request carries).
    pub uri: String,
    pub version: String,
    pub headers: Vec<(String, String)>,
    /// The request body after removing Content-Encoding layers, at most the body limit.
    pub body: Vec<u8>,
    /// Content-Encoding layers removed to get `body`, outermost first.
    pub body_encoding: Vec<String>,
    /// Bytes of body on the wire (before decoding; may exceed what was kept).
    pub body_wire_len: u64,
    pub body_truncated: bool,
    pub status: Option<u16>,
    pub response_content_type: Option<String>,
    /// The app that sent it, where the capture says (PCAPdroid).
    pub app: Option<String>,
    /// Read from the first fragment of an IP datagram whose other fragments never came
    /// (the request line and the header lines it held; no body beyond it).
    pub partial: bool,
}

impl Exchange {
    /// The first value of a request header (case-insensitive name).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The host the request was for: Host / :authority, else the absolute URI's host.
    pub fn host(&self) -> Option<String> {
        let raw = self
            .header("host")
            .or_else(|| self.header(":authority"))
            .map(str::to_string)
            .or_else(|| {
                let rest = self.uri.split_once("://")?.1;
                Some(rest.split(['/', '?']).next()?.to_string())
            })?;
        Some(strip_port(&raw).to_ascii_lowercase())
    }

    pub fn user_agent(&self) -> Option<&str> {
        self.header("user-agent")
    }
}

/// `example.com:8080` → `example.com`; `[::1]:80` → `::1`.
pub fn strip_port(host: &str) -> &str {
    let host = host.trim();
    if let Some(rest) = host.strip_prefix('[') {
        return rest.split(']').next().unwrap_or(rest);
    }
    match host.rsplit_once(':') {
        Some((h, port)) if port.chars().all(|c| c.is_ascii_digit()) && !h.contains(':') => h,
        _ => host,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_ports_from_hosts() {
        assert_eq!(strip_port("example.com:8080"), "example.com");
        assert_eq!(strip_port("[2001:db8::1]:443"), "2001:db8::1");
        assert_eq!(strip_port("2001:db8::1"), "2001:db8::1");
        assert_eq!(strip_port("example.com"), "example.com");
    }
}
