//! HAR 1.2 input (Chrome, Firefox, Safari, Charles, mitmproxy, PCAPdroid exports):
//! every entry becomes an [`Exchange`]. Real exports deviate from the spec, so every
//! field is optional and unknown fields are ignored.

use std::net::IpAddr;
use std::path::Path;
use std::sync::Arc;

use base64::Engine as _;
use serde::Deserialize;

use crate::exchange::{Exchange, Transport};
use crate::net::Endpoint;
use crate::time::Timestamp;

#[derive(Debug, thiserror::Error)]
pub enum HarError {
    #[error("{path}: cannot read: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: not a valid HAR file: JSON error at line {line}, column {column}: {message}")]
    Json {
        path: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{path}: not a HAR file: {message}")]
    Shape { path: String, message: String },
    #[error("{path}: not a HAR file: no log.entries array")]
    NotHar { path: String },
}

#[derive(Debug, Deserialize, Default)]
struct NameValue {
    #[serde(default)]
    name: String,
    #[serde(default)]
    value: String,
}

#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct PostData {
    #[serde(default)]
    mime_type: Option<String>,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    params: Vec<NameValue>,
    #[serde(default)]
    encoding: Option<String>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Request {
    #[serde(default)]
    method: String,
    #[serde(default)]
    url: String,
    #[serde(default)]
    http_version: Option<String>,
    #[serde(default)]
    headers: Vec<NameValue>,
    #[serde(default)]
    cookies: Vec<NameValue>,
    #[serde(default)]
    post_data: Option<PostData>,
}

#[derive(Debug, Deserialize, Default)]
struct Content {
    #[serde(default, rename = "mimeType")]
    mime_type: Option<String>,
}

#[derive(Debug, Deserialize, Default)]
struct Response {
    #[serde(default)]
    status: Option<i64>,
    #[serde(default)]
    content: Option<Content>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Entry {
    #[serde(default)]
    started_date_time: Option<String>,
    #[serde(default)]
    request: Request,
    #[serde(default)]
    response: Option<Response>,
    #[serde(default, rename = "serverIPAddress")]
    server_ip_address: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Log {
    entries: Option<Vec<Entry>>,
    /// privaudit's proxy lists the hosts it could not look into here.
    #[serde(rename = "_privaudit")]
    privaudit: Option<serde_json::Value>,
}

#[derive(Debug, Deserialize)]
struct HarFile {
    log: Option<Log>,
}

/// Does this file look like a HAR (by name or first byte)?
pub fn is_har(path: &Path) -> bool {
    if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("har"))
    {
        return true;
    }
    let mut head = [0u8; 8];
    let n = std::fs::File::open(path)
        .and_then(|mut f| std::io::Read::read(&mut f, &mut head))
        .unwrap_or(0);
    let head = &head[..n];
    let head = head.strip_prefix(&[0xef, 0xbb, 0xbf][..]).unwrap_or(head);
    head.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{')
}

/// Reads a HAR file into exchanges, in entry order.
pub fn read_har(path: &Path) -> Result<Vec<Exchange>, HarError> {
    read_har_with_notes(path).map(|(x, _)| x)
}

/// (host, reason) pairs for connections a proxy tunnelled without looking inside.
pub type NotInspected = Vec<(String, String)>;

/// The exchanges, and the hosts privaudit's proxy recorded as not inspected (host,
/// reason), such as apps that pin their certificates.
pub fn read_har_with_notes(path: &Path) -> Result<(Vec<Exchange>, NotInspected), HarError> {
    let display = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| HarError::Read {
        path: display.clone(),
        source,
    })?;
    let body = bytes
        .strip_prefix(&[0xef, 0xbb, 0xbf][..])
        .unwrap_or(&bytes);
    // Straight into the typed model: an intermediate `Value` tree would cost several
    // times the file's size. A shape error may come before a syntax error further on;
    // the syntax error (with its position) is the one to report, so a shape error
    // triggers a cheap syntax-only pass.
    let json_error = |e: serde_json::Error| HarError::Json {
        path: display.clone(),
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    };
    let har: HarFile = match serde_json::from_slice(body) {
        Ok(h) => h,
        Err(e) if e.is_data() => {
            serde_json::from_slice::<serde::de::IgnoredAny>(body).map_err(json_error)?;
            return Err(HarError::Shape {
                path: display.clone(),
                message: e.to_string(),
            });
        }
        Err(e) => return Err(json_error(e)),
    };
    let log = har.log.ok_or_else(|| HarError::NotHar {
        path: display.clone(),
    })?;
    let not_inspected = log
        .privaudit
        .as_ref()
        .and_then(|p| p.get("notInspected"))
        .and_then(|l| l.as_array())
        .map(|list| {
            list.iter()
                .filter_map(|n| {
                    Some((
                        n.get("host")?.as_str()?.to_string(),
                        n.get("reason")?.as_str()?.to_string(),
                    ))
                })
                .collect()
        })
        .unwrap_or_default();
    let entries = log.entries.ok_or_else(|| HarError::NotHar {
        path: display.clone(),
    })?;
    let file: Arc<str> = Arc::from(display.as_str());
    Ok((
        entries
            .into_iter()
            .enumerate()
            .map(|(i, e)| to_exchange(&file, i as u64 + 1, e))
            .collect(),
        not_inspected,
    ))
}

fn to_exchange(file: &Arc<str>, index: u64, e: Entry) -> Exchange {
    let req = e.request;
    let (scheme, authority, path) = split_url(&req.url);
    let mut headers: Vec<(String, String)> =
        req.headers.into_iter().map(|h| (h.name, h.value)).collect();
    let has = |hs: &[(String, String)], n: &str| hs.iter().any(|(k, _)| k.eq_ignore_ascii_case(n));
    if !has(&headers, "host") && !has(&headers, ":authority") && !authority.is_empty() {
        headers.push((":authority".into(), authority.clone()));
    }
    if !has(&headers, "cookie") && !req.cookies.is_empty() {
        let cookie = req
            .cookies
            .iter()
            .map(|c| format!("{}={}", c.name, c.value))
            .collect::<Vec<_>>()
            .join("; ");
        headers.push(("Cookie".into(), cookie));
    }
    let mut body = Vec::new();
    if let Some(pd) = req.post_data {
        if !has(&headers, "content-type")
            && let Some(m) = &pd.mime_type
        {
            headers.push(("Content-Type".into(), m.clone()));
        }
        match pd.text {
            Some(text) if !text.is_empty() => {
                body = if pd.encoding.as_deref() == Some("base64") {
                    base64::engine::general_purpose::STANDARD
                        .decode(text.trim())
                        .unwrap_or_else(|_| text.into_bytes())
                } else {
                    text.into_bytes()
                };
            }
            _ if !pd.params.is_empty() => {
                body = pd
                    .params
                    .iter()
                    .map(|p| format!("{}={}", p.name, p.value))
                    .collect::<Vec<_>>()
                    .join("&")
                    .into_bytes();
            }
            _ => {}
        }
    }
    let port = authority
        .rsplit_once(':')
        .filter(|(h, _)| !h.ends_with(']') || authority.starts_with('['))
        .and_then(|(_, p)| p.parse::<u16>().ok())
        .unwrap_or(if scheme == Some("https") { 443 } else { 80 });
    let dst = e
        .server_ip_address
        .as_deref()
        .map(|s| s.trim_start_matches('[').trim_end_matches(']'))
        .and_then(|s| s.parse::<IpAddr>().ok())
        .map(|ip| Endpoint::new(ip, port));
    let ts = e
        .started_date_time
        .as_deref()
        .and_then(Timestamp::parse)
        .unwrap_or_default();
    let response = e.response.unwrap_or_default();
    let body_len = body.len() as u64;
    Exchange {
        file: file.clone(),
        frame: index,
        last_frame: index,
        ts,
        src: None,
        dst,
        transport: Transport::Har,
        scheme,
        method: req.method,
        uri: path,
        version: req.http_version.unwrap_or_default(),
        headers,
        body,
        body_encoding: Vec::new(),
        body_wire_len: body_len,
        body_truncated: false,
        status: response
            .status
            .filter(|s| *s > 0 && *s < 1000)
            .map(|s| s as u16),
        response_content_type: response.content.and_then(|c| c.mime_type),
        app: None,
        partial: false,
    }
}

/// `https://host:8443/a?b` → (Some("https"), "host:8443", "/a?b").
fn split_url(url: &str) -> (Option<&'static str>, String, String) {
    let (scheme, rest) = match url.split_once("://") {
        Some((s, r)) => (
            match s.to_ascii_lowercase().as_str() {
                "https" | "wss" => Some("https"),
                "http" | "ws" => Some("http"),
                _ => None,
            },
            r,
        ),
        None => (None, url),
    };
    let cut = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = rest[..cut].rsplit('@').next().unwrap_or("").to_string();
    let mut path = rest[cut..].split('#').next().unwrap_or("").to_string();
    if path.is_empty() || path.starts_with('?') {
        path.insert(0, '/');
    }
    (scheme, authority, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_urls() {
        assert_eq!(
            split_url("https://a.example:8443/x/y?q=1#frag"),
            (Some("https"), "a.example:8443".into(), "/x/y?q=1".into())
        );
        assert_eq!(
            split_url("http://h?x=1"),
            (Some("http"), "h".into(), "/?x=1".into())
        );
    }
}
