//! The proxy's side towards real servers: connecting (TCP, then TLS verified against
//! the trusted roots), HTTP/1.1 or HTTP/2 as the server negotiated, a small reuse of
//! connections, and forwarding one request with its body copied aside.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Instant, SystemTime};

use hyper::body::Incoming;
use hyper::client::conn::{http1, http2};
use hyper::header::{self, HeaderMap, HeaderValue};
use hyper::{Request, Response, StatusCode, Version};
use hyper_util::rt::{TokioExecutor, TokioIo};
use rustls::ClientConfig;
use rustls::pki_types::ServerName;

use super::Shared;
use super::capture::{
    Captured, InFlight, Pending, ProxyBody, RequestTee, ResponseTee, empty, full,
};
use super::io::Io;

/// Where a connection goes: a host name or IP literal and a port.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Target {
    pub host: String,
    pub port: u16,
}

impl Target {
    /// `host:port`, `[v6]:port` or `host` (then `default_port`).
    pub fn parse(authority: &str, default_port: u16) -> Option<Target> {
        let authority = authority.rsplit('@').next()?.trim();
        if authority.is_empty() {
            return None;
        }
        let (host, port) = if let Some(rest) = authority.strip_prefix('[') {
            let (h, after) = rest.split_once(']')?;
            let port = match after.strip_prefix(':') {
                Some(p) => p.parse().ok()?,
                None if after.is_empty() => default_port,
                None => return None,
            };
            (h, port)
        } else {
            match authority.rsplit_once(':') {
                Some((h, p)) if !h.contains(':') => (h, p.parse().ok()?),
                Some(_) => (authority, default_port),
                None => (authority, default_port),
            }
        };
        if host.is_empty() {
            return None;
        }
        Some(Target {
            host: host.to_ascii_lowercase(),
            port,
        })
    }

    /// The authority for a URL: the port only when it is not the scheme's default.
    pub fn authority(&self, scheme: &str) -> String {
        let default = if scheme == "https" { 443 } else { 80 };
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        if self.port == default {
            host
        } else {
            format!("{host}:{}", self.port)
        }
    }
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.host.contains(':') {
            write!(f, "[{}]:{}", self.host, self.port)
        } else {
            write!(f, "{}:{}", self.host, self.port)
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum UpstreamError {
    #[error("cannot connect to {target}: {source}")]
    Connect {
        target: String,
        source: std::io::Error,
    },
    #[error("{target} did not answer within {secs} s")]
    Timeout { target: String, secs: u64 },
    #[error("TLS with {target} failed: {message}")]
    Tls {
        target: String,
        message: String,
        /// The server's certificate did not verify (as opposed to other failures).
        certificate: bool,
    },
    #[error("HTTP with {target} failed: {message}")]
    Http { target: String, message: String },
}

impl UpstreamError {
    /// The error without the target (for messages that name it already).
    pub fn detail(&self) -> String {
        match self {
            UpstreamError::Tls { message, .. } | UpstreamError::Http { message, .. } => {
                message.clone()
            }
            UpstreamError::Connect { source, .. } => source.to_string(),
            UpstreamError::Timeout { secs, .. } => format!("no answer within {secs} s"),
        }
    }

    pub fn is_certificate(&self) -> bool {
        matches!(
            self,
            UpstreamError::Tls {
                certificate: true,
                ..
            }
        )
    }
}

/// A connection ready for requests.
pub(crate) enum Sender {
    H1(http1::SendRequest<ProxyBody>),
    H2(http2::SendRequest<ProxyBody>),
}

/// How to reach one origin, with its open connections.
pub(crate) struct Upstream {
    pub target: Target,
    pub scheme: &'static str,
    tls: Option<(Arc<ClientConfig>, ServerName<'static>)>,
    shared: Arc<Shared>,
    idle_h1: Mutex<Vec<http1::SendRequest<ProxyBody>>>,
    h2: Mutex<Option<http2::SendRequest<ProxyBody>>>,
    peer: Mutex<Option<SocketAddr>>,
}

/// Idle HTTP/1.1 connections kept per origin.
const IDLE_H1: usize = 4;

impl Upstream {
    pub(crate) fn plain(shared: Arc<Shared>, target: Target) -> Upstream {
        Upstream {
            target,
            scheme: "http",
            tls: None,
            shared,
            idle_h1: Mutex::new(Vec::new()),
            h2: Mutex::new(None),
            peer: Mutex::new(None),
        }
    }

    pub(crate) fn tls(
        shared: Arc<Shared>,
        target: Target,
        config: Arc<ClientConfig>,
        name: ServerName<'static>,
    ) -> Upstream {
        Upstream {
            target,
            scheme: "https",
            tls: Some((config, name)),
            shared,
            idle_h1: Mutex::new(Vec::new()),
            h2: Mutex::new(None),
            peer: Mutex::new(None),
        }
    }

    pub(crate) fn peer(&self) -> Option<SocketAddr> {
        self.peer.lock().ok().and_then(|p| *p)
    }

    /// Opens a connection (TLS verified when HTTPS); returns it with the ALPN
    /// protocol the server chose.
    pub(crate) async fn open(&self) -> Result<(Box<dyn Io>, Option<Vec<u8>>), UpstreamError> {
        let target = self.target.to_string();
        let timeout = self.shared.config.connect_timeout;
        let secs = timeout.as_secs();
        let tcp = tokio::time::timeout(
            timeout,
            tokio::net::TcpStream::connect((self.target.host.as_str(), self.target.port)),
        )
        .await
        .map_err(|_| UpstreamError::Timeout {
            target: target.clone(),
            secs,
        })?
        .map_err(|source| UpstreamError::Connect {
            target: target.clone(),
            source,
        })?;
        let _ = tcp.set_nodelay(true);
        if let (Ok(mut p), Ok(addr)) = (self.peer.lock(), tcp.peer_addr()) {
            *p = Some(addr);
        }
        let Some((config, name)) = &self.tls else {
            return Ok((Box::new(tcp), None));
        };
        let connector = tokio_rustls::TlsConnector::from(config.clone());
        let tls = tokio::time::timeout(timeout, connector.connect(name.clone(), tcp))
            .await
            .map_err(|_| UpstreamError::Timeout {
                target: target.clone(),
                secs,
            })?
            .map_err(|e| tls_error(&target, e))?;
        let alpn = tls.get_ref().1.alpn_protocol().map(<[u8]>::to_vec);
        Ok((Box::new(tls), alpn))
    }

    /// Starts HTTP on an open connection (HTTP/2 when the server chose `h2`).
    pub(crate) async fn attach(
        &self,
        io: Box<dyn Io>,
        alpn: Option<&[u8]>,
    ) -> Result<Sender, UpstreamError> {
        let http_err = |e: hyper::Error| UpstreamError::Http {
            target: self.target.to_string(),
            message: e.to_string(),
        };
        if alpn == Some(b"h2") {
            let (sender, conn) = http2::Builder::new(TokioExecutor::new())
                .handshake(TokioIo::new(io))
                .await
                .map_err(http_err)?;
            tokio::spawn(async move {
                // Ends when the server or we close; errors were seen by the requests.
                let _ = conn.await;
            });
            if let Ok(mut h2) = self.h2.lock() {
                *h2 = Some(sender.clone());
            }
            Ok(Sender::H2(sender))
        } else {
            let (sender, conn) = http1::Builder::new()
                .handshake(TokioIo::new(io))
                .await
                .map_err(http_err)?;
            tokio::spawn(async move {
                let _ = conn.with_upgrades().await;
            });
            Ok(Sender::H1(sender))
        }
    }

    /// A connection for the next request: a live HTTP/2 one, an idle HTTP/1.1 one, or
    /// a new one.
    pub(crate) async fn sender(&self) -> Result<Sender, UpstreamError> {
        if let Ok(h2) = self.h2.lock()
            && let Some(s) = h2.as_ref()
            && !s.is_closed()
        {
            return Ok(Sender::H2(s.clone()));
        }
        // Idle connections finished their last exchange; `ready` only waits for the
        // connection task to notice, or fails if the server closed it meanwhile.
        loop {
            let idle = self.idle_h1.lock().ok().and_then(|mut v| v.pop());
            match idle {
                Some(mut s) if !s.is_closed() => {
                    if s.ready().await.is_ok() {
                        return Ok(Sender::H1(s));
                    }
                }
                Some(_) => {}
                None => break,
            }
        }
        let (io, alpn) = self.open().await?;
        self.attach(io, alpn.as_deref()).await
    }

    /// Returns an HTTP/1.1 connection for reuse once its exchange is over.
    pub(crate) fn release(&self, sender: Sender) {
        if let Sender::H1(s) = sender
            && !s.is_closed()
            && let Ok(mut idle) = self.idle_h1.lock()
            && idle.len() < IDLE_H1
        {
            idle.push(s);
        }
    }
}

/// What went wrong in words a tester can act on, not rustls's debug text.
fn plain_tls_error(err: &rustls::Error) -> String {
    use rustls::CertificateError as C;
    let debug = format!("{err:?}");
    match err {
        rustls::Error::InvalidCertificate(C::UnknownIssuer) => "the server's certificate is signed by a CA this proxy does not trust. If the server uses a private or test CA, add that CA with --upstream-ca FILE.pem".into(),
        rustls::Error::InvalidCertificate(C::Expired | C::ExpiredContext { .. }) => {
            "the server's certificate has expired; renew it on the server".into()
        }
        rustls::Error::InvalidCertificate(C::NotValidYet | C::NotValidYetContext { .. }) => {
            "the server's certificate is not valid yet; check the clocks of this computer and the server".into()
        }
        rustls::Error::InvalidCertificate(C::NotValidForName | C::NotValidForNameContext { .. }) => {
            "the server's certificate is for another host name".into()
        }
        rustls::Error::InvalidCertificate(C::Revoked) => "the server's certificate was revoked".into(),
        rustls::Error::InvalidCertificate(C::BadSignature | C::BadEncoding) => {
            "the server's certificate is damaged or badly signed".into()
        }
        _ if debug.contains("CaUsedAsEndEntity") => "the server presents a CA certificate as its own. Give the server a certificate issued by that CA (not the CA itself), and add the CA with --upstream-ca FILE.pem".into(),
        _ if debug.contains("UnsupportedCertVersion") || debug.contains("UnsupportedSignatureAlgorithm") => {
            "the server's certificate uses a version or signature algorithm this proxy does not accept".into()
        }
        rustls::Error::AlertReceived(a) => format!("the server refused the TLS handshake (alert {a:?})"),
        rustls::Error::NoCertificatesPresented => "the server sent no certificate".into(),
        other => other.to_string(),
    }
}

fn tls_error(target: &str, e: std::io::Error) -> UpstreamError {
    let inner = e
        .get_ref()
        .and_then(|i| i.downcast_ref::<rustls::Error>())
        .cloned();
    match inner {
        Some(err) => UpstreamError::Tls {
            target: target.to_string(),
            certificate: matches!(
                err,
                rustls::Error::InvalidCertificate(_) | rustls::Error::Other(_)
            ),
            message: plain_tls_error(&err),
        },
        None => UpstreamError::Tls {
            target: target.to_string(),
            message: e.to_string(),
            certificate: false,
        },
    }
}

/// Headers that describe one connection, not the message (RFC 9110 section 7.6.1),
/// plus the ones the client addressed to the proxy.
fn strip_hop_by_hop(headers: &mut HeaderMap, keep_upgrade: bool) {
    let named: Vec<String> = headers
        .get_all(header::CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().to_ascii_lowercase())
        .filter(|t| !t.is_empty())
        .collect();
    for name in named {
        if keep_upgrade && name == "upgrade" {
            continue;
        }
        headers.remove(name.as_str());
    }
    for name in [
        "proxy-connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "trailer",
        "transfer-encoding",
    ] {
        headers.remove(name);
    }
    if keep_upgrade {
        headers.insert(header::CONNECTION, HeaderValue::from_static("upgrade"));
    } else {
        headers.remove(header::CONNECTION);
        headers.remove(header::UPGRADE);
    }
    // HTTP/2 allows only `te: trailers`; anything else is connection-specific.
    if headers
        .get(header::TE)
        .is_some_and(|v| v.as_bytes() != b"trailers")
    {
        headers.remove(header::TE);
    }
}

fn version_name(v: Version) -> &'static str {
    match v {
        Version::HTTP_09 => "HTTP/0.9",
        Version::HTTP_10 => "HTTP/1.0",
        Version::HTTP_2 => "HTTP/2.0",
        Version::HTTP_3 => "HTTP/3.0",
        _ => "HTTP/1.1",
    }
}

fn header_list(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(n, v)| {
            (
                n.as_str().to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect()
}

fn header_value(headers: &[(String, String)], name: &str) -> String {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.clone())
        .unwrap_or_else(|| "another protocol".into())
}

/// A plain-text answer from the proxy itself (errors, the CA page).
pub(crate) fn text_response(status: StatusCode, text: String) -> Response<ProxyBody> {
    let mut resp = Response::new(full(text));
    *resp.status_mut() = status;
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    resp
}

/// Who sent the request and what the proxy knows about its connection.
pub(crate) struct ClientSide {
    pub addr: SocketAddr,
    /// Authority to use when the request carries none (HTTP/1.0 without Host).
    pub default_authority: String,
}

/// Forwards one request to `upstream` and returns the response for the client, with
/// both bodies streamed through tees that record the exchange when it completes.
pub(crate) async fn forward(
    shared: &Arc<Shared>,
    upstream: &Arc<Upstream>,
    client: &ClientSide,
    mut req: Request<Incoming>,
) -> Response<ProxyBody> {
    let started = SystemTime::now();
    let t0 = Instant::now();
    let in_flight = InFlight::new(&shared.in_flight);
    let client_version = req.version();
    let authority = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_string)
        .or_else(|| req.uri().authority().map(|a| a.to_string()))
        .unwrap_or_else(|| client.default_authority.clone());
    let path = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "/".into());
    let mut request_headers = header_list(req.headers());
    if client_version == Version::HTTP_2 {
        request_headers.insert(0, (":authority".into(), authority.clone()));
    }
    // WebSocket and other upgrades: HTTP/1.1 only; the upgraded bytes are relayed
    // but not inspected.
    let wants_upgrade =
        client_version == Version::HTTP_11 && req.headers().contains_key(header::UPGRADE);
    let client_upgrade = wants_upgrade.then(|| hyper::upgrade::on(&mut req));

    let mut captured = Captured {
        started,
        client: Some(client.addr),
        server: None,
        scheme: upstream.scheme,
        authority: authority.clone(),
        method: req.method().to_string(),
        path: path.clone(),
        version: version_name(client_version).to_string(),
        request_headers,
        request_body: Default::default(),
        status: 0,
        response_version: String::new(),
        response_headers: Vec::new(),
        response_body: Default::default(),
        error: None,
        send: Default::default(),
        wait: Default::default(),
        receive: Default::default(),
    };

    let mut sender = match upstream.sender().await {
        Ok(s) => s,
        Err(e) => {
            // Nothing reached the server: an event, not an exchange.
            shared.sink.upstream_failed(&upstream.target, &e);
            return text_response(
                StatusCode::BAD_GATEWAY,
                format!("privaudit proxy: {e}\nThe request was not forwarded.\n"),
            );
        }
    };
    captured.server = upstream.peer();
    captured.send = t0.elapsed();

    let (mut parts, body) = req.into_parts();
    strip_hop_by_hop(&mut parts.headers, wants_upgrade);
    let (tee, kept) = RequestTee::new(body, shared.config.limits.body_bytes);
    let body: ProxyBody = http_body_util::BodyExt::boxed(tee);
    let scheme = upstream.scheme;
    let sent = match &mut sender {
        Sender::H2(s) => {
            parts.version = Version::HTTP_2;
            parts.headers.remove(header::HOST);
            match format!("{scheme}://{authority}{path}").parse() {
                Ok(uri) => parts.uri = uri,
                Err(_) => {
                    return text_response(
                        StatusCode::BAD_REQUEST,
                        format!("privaudit proxy: cannot form a URL from host {authority:?}\n"),
                    );
                }
            }
            s.send_request(Request::from_parts(parts, body)).await
        }
        Sender::H1(s) => {
            parts.version = Version::HTTP_11;
            if !parts.headers.contains_key(header::HOST)
                && let Ok(v) = HeaderValue::from_str(&authority)
            {
                parts.headers.insert(header::HOST, v);
            }
            if let Ok(uri) = path.parse() {
                parts.uri = uri;
            }
            match s.ready().await {
                Ok(()) => s.send_request(Request::from_parts(parts, body)).await,
                Err(e) => Err(e),
            }
        }
    };
    let pending = |captured: Captured, on_done: Option<super::capture::OnDone>| Pending {
        captured,
        request_body: kept.clone(),
        t0,
        sink: shared.sink.clone(),
        on_done,
        _in_flight: in_flight,
    };
    let mut resp = match sent {
        Ok(r) => r,
        Err(e) => {
            let message = format!("HTTP with {} failed: {e}", upstream.target);
            captured.error = Some(message.clone());
            captured.wait = t0.elapsed().saturating_sub(captured.send);
            // The request may have (partly) reached the server: record it.
            pending(captured, None).finish(Default::default(), None);
            return text_response(
                StatusCode::BAD_GATEWAY,
                format!("privaudit proxy: {message}\n"),
            );
        }
    };
    captured.wait = t0.elapsed().saturating_sub(captured.send);
    captured.status = resp.status().as_u16();
    captured.response_version = version_name(resp.version()).to_string();
    captured.response_headers = header_list(resp.headers());

    if resp.status() == StatusCode::SWITCHING_PROTOCOLS
        && let Some(client_upgrade) = client_upgrade
    {
        let server_upgrade = hyper::upgrade::on(&mut resp);
        let target = upstream.target.clone();
        let sink = shared.sink.clone();
        let protocol = header_value(&captured.response_headers, "upgrade");
        tokio::spawn(async move {
            if let (Ok(c), Ok(s)) = (client_upgrade.await, server_upgrade.await) {
                sink.not_inspected(
                    &target,
                    &format!("switched to {protocol} after an HTTP upgrade; its messages are relayed, not read"),
                );
                let _ = super::io::tunnel(TokioIo::new(c), TokioIo::new(s), &[]).await;
            }
        });
        let (mut parts, _) = resp.into_parts();
        parts.version = Version::HTTP_11;
        pending(captured, None).finish(Default::default(), None);
        return Response::from_parts(parts, empty());
    }

    // An HTTP/1.1 connection is free again once this response has been read.
    let on_done: Option<super::capture::OnDone> = match sender {
        Sender::H1(_) => {
            let upstream = upstream.clone();
            Some(Box::new(move || upstream.release(sender)))
        }
        Sender::H2(_) => None,
    };
    let (mut parts, body) = resp.into_parts();
    strip_hop_by_hop(&mut parts.headers, false);
    parts.version = if client_version == Version::HTTP_2 {
        Version::HTTP_2
    } else {
        Version::HTTP_11
    };
    let tee = ResponseTee::new(
        body,
        shared.config.limits.body_bytes,
        pending(captured, on_done),
    );
    let body: ProxyBody = http_body_util::BodyExt::boxed(tee);
    Response::from_parts(parts, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_connect_targets() {
        assert_eq!(
            Target::parse("Example.com:8443", 443),
            Some(Target {
                host: "example.com".into(),
                port: 8443
            })
        );
        assert_eq!(Target::parse("example.com", 443).map(|t| t.port), Some(443));
        let v6 = Target::parse("[::1]:8443", 443).unwrap();
        assert_eq!(v6.host, "::1");
        assert_eq!(v6.to_string(), "[::1]:8443");
        assert_eq!(v6.authority("https"), "[::1]:8443");
        assert_eq!(
            Target::parse("a.example:443", 443)
                .unwrap()
                .authority("https"),
            "a.example"
        );
        assert_eq!(Target::parse(":443", 443), None);
        assert_eq!(Target::parse("host:notaport", 443), None);
    }

    #[test]
    fn hop_by_hop_headers_are_removed() {
        let mut h = HeaderMap::new();
        h.insert(
            header::CONNECTION,
            HeaderValue::from_static("keep-alive, x-secret"),
        );
        h.insert("x-secret", HeaderValue::from_static("1"));
        h.insert("proxy-authorization", HeaderValue::from_static("Basic x"));
        h.insert(header::TE, HeaderValue::from_static("gzip"));
        h.insert("x-keep", HeaderValue::from_static("1"));
        strip_hop_by_hop(&mut h, false);
        assert_eq!(h.len(), 1, "{h:?}");
        assert!(h.contains_key("x-keep"));
    }
}
