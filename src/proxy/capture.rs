//! What the proxy keeps of each exchange while it streams through: body "tees" that
//! pass every frame on unchanged and copy up to the body limit aside, and the
//! [`Captured`] record they complete, which becomes a HAR entry and an [`Exchange`].

use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use http_body_util::BodyExt as _;
use hyper::body::{Body, Frame, SizeHint};

use crate::codec::{self, Compression};
use crate::exchange::{Exchange, Transport};
use crate::limits::Limits;
use crate::net::Endpoint;
use crate::time::Timestamp;

use super::Sink;

pub(crate) type BoxError = Box<dyn std::error::Error + Send + Sync>;
/// The body type on both sides of the proxy.
pub(crate) type ProxyBody = http_body_util::combinators::BoxBody<Bytes, BoxError>;

pub(crate) fn full(text: impl Into<Bytes>) -> ProxyBody {
    http_body_util::Full::new(text.into())
        .map_err(|never| match never {})
        .boxed()
}

pub(crate) fn empty() -> ProxyBody {
    http_body_util::Empty::new()
        .map_err(|never| match never {})
        .boxed()
}

/// A body as far as it was kept.
#[derive(Debug, Clone, Default)]
pub struct BodyCapture {
    /// The first bytes as sent (still content-encoded), at most the body limit.
    pub bytes: Vec<u8>,
    /// Bytes that crossed the proxy, kept or not.
    pub wire_len: u64,
    /// More was sent than kept.
    pub truncated: bool,
}

impl BodyCapture {
    fn push(&mut self, data: &[u8], cap: usize) {
        self.wire_len += data.len() as u64;
        let room = cap.saturating_sub(self.bytes.len());
        if data.len() > room {
            self.truncated = true;
        }
        self.bytes.extend_from_slice(&data[..data.len().min(room)]);
    }
}

/// One finished exchange as it crossed the proxy (bodies still content-encoded).
#[derive(Debug, Clone)]
pub struct Captured {
    pub started: SystemTime,
    pub client: Option<SocketAddr>,
    pub server: Option<SocketAddr>,
    /// `http` or `https`.
    pub scheme: &'static str,
    /// `host` or `host:port` (port only when not the scheme's default).
    pub authority: String,
    pub method: String,
    /// Path and query.
    pub path: String,
    /// `HTTP/1.1` or `HTTP/2.0`, as the client spoke it.
    pub version: String,
    pub request_headers: Vec<(String, String)>,
    pub request_body: BodyCapture,
    /// 0 when no response arrived (see `error`).
    pub status: u16,
    pub response_version: String,
    pub response_headers: Vec<(String, String)>,
    pub response_body: BodyCapture,
    /// Why the exchange did not complete normally.
    pub error: Option<String>,
    /// Until the request was handed upstream.
    pub send: Duration,
    /// Until the response head arrived.
    pub wait: Duration,
    /// Until the response body ended.
    pub receive: Duration,
}

impl Captured {
    pub fn url(&self) -> String {
        format!("{}://{}{}", self.scheme, self.authority, self.path)
    }

    /// The request as the rest of privaudit sees traffic. `index` is the HAR entry
    /// number (1-based), so evidence points at the same entry `privaudit scan` on
    /// the HAR file would.
    pub fn to_exchange(&self, file: &Arc<str>, index: u64, limits: &Limits) -> Exchange {
        let (body, body_encoding) = decode(&self.request_headers, &self.request_body, limits);
        let mut headers = self.request_headers.clone();
        let has_host = headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case("host") || n == ":authority");
        if !has_host {
            headers.push((":authority".into(), self.authority.clone()));
        }
        let ts = self
            .started
            .duration_since(SystemTime::UNIX_EPOCH)
            .map(|d| Timestamp(i64::try_from(d.as_nanos()).unwrap_or(i64::MAX)))
            .unwrap_or_default();
        Exchange {
            file: file.clone(),
            frame: index,
            last_frame: index,
            ts,
            src: self.client.map(|a| Endpoint::new(a.ip(), a.port())),
            dst: self.server.map(|a| Endpoint::new(a.ip(), a.port())),
            transport: Transport::Proxy,
            scheme: Some(self.scheme),
            method: self.method.clone(),
            uri: self.path.clone(),
            version: self.version.clone(),
            headers,
            body,
            body_encoding,
            body_wire_len: self.request_body.wire_len,
            body_truncated: self.request_body.truncated,
            status: (self.status > 0).then_some(self.status),
            response_content_type: header(&self.response_headers, "content-type")
                .map(str::to_string),
            app: None,
            partial: false,
        }
    }
}

pub(crate) fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// Undoes the Content-Encoding layers of a kept body (last applied first), within
/// the decompression limits. A truncated or undecodable body is returned as sent.
pub(crate) fn decode(
    headers: &[(String, String)],
    body: &BodyCapture,
    limits: &Limits,
) -> (Vec<u8>, Vec<String>) {
    let Some(encoding) = header(headers, "content-encoding") else {
        return (body.bytes.clone(), Vec::new());
    };
    let mut data = body.bytes.clone();
    let mut layers = Vec::new();
    let tokens = encoding
        .split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty() && !t.eq_ignore_ascii_case("identity"));
    for token in tokens.rev() {
        let Some(kind) = Compression::from_content_encoding(token) else {
            break;
        };
        match codec::decompress(
            kind,
            &data,
            limits.decompressed_bytes,
            limits.decompression_ratio,
        ) {
            Ok(plain) => {
                data = plain;
                layers.push(kind.name().to_string());
            }
            Err(_) => break,
        }
    }
    (data, layers)
}

/// Counts exchanges in flight so shutdown can wait for them briefly.
pub(crate) struct InFlight(Arc<std::sync::atomic::AtomicUsize>);

impl InFlight {
    pub(crate) fn new(counter: &Arc<std::sync::atomic::AtomicUsize>) -> Self {
        counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        InFlight(counter.clone())
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    }
}

/// The request body on its way upstream, copied aside up to the limit.
pub(crate) struct RequestTee<B> {
    inner: B,
    kept: Arc<Mutex<BodyCapture>>,
    cap: usize,
}

impl<B> RequestTee<B> {
    pub(crate) fn new(inner: B, cap: usize) -> (Self, Arc<Mutex<BodyCapture>>) {
        let kept = Arc::new(Mutex::new(BodyCapture::default()));
        (
            RequestTee {
                inner,
                kept: kept.clone(),
                cap,
            },
            kept,
        )
    }
}

impl<B> Body for RequestTee<B>
where
    B: Body<Data = Bytes> + Unpin,
    B::Error: Into<BoxError>,
{
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let this = &mut *self;
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(data) = frame.data_ref()
                    && let Ok(mut kept) = this.kept.lock()
                {
                    kept.push(data, this.cap);
                }
                Poll::Ready(Some(Ok(frame)))
            }
            Poll::Ready(Some(Err(e))) => Poll::Ready(Some(Err(e.into()))),
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => Poll::Pending,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// Run when an exchange is over (returns its connection for reuse).
pub(crate) type OnDone = Box<dyn FnOnce() + Send + Sync>;

/// An exchange waiting for its response body to end.
pub(crate) struct Pending {
    pub captured: Captured,
    pub request_body: Arc<Mutex<BodyCapture>>,
    pub t0: Instant,
    pub sink: Sink,
    pub on_done: Option<OnDone>,
    pub _in_flight: InFlight,
}

impl Pending {
    /// Completes the record (taking what the request tee kept) and hands it on.
    pub(crate) fn finish(self, response_body: BodyCapture, error: Option<String>) {
        let Pending {
            mut captured,
            request_body,
            t0,
            sink,
            on_done,
            _in_flight,
        } = self;
        if let Some(f) = on_done
            && error.is_none()
        {
            f();
        }
        if let Ok(mut kept) = request_body.lock() {
            captured.request_body = std::mem::take(&mut *kept);
        }
        captured.response_body = response_body;
        if captured.error.is_none() {
            captured.error = error;
        }
        let elapsed = t0.elapsed();
        captured.receive = elapsed.saturating_sub(captured.send + captured.wait);
        sink.captured(captured);
    }
}

/// The response body on its way to the client; when it ends (or is dropped, e.g. the
/// client went away) the exchange is complete and recorded exactly once.
pub(crate) struct ResponseTee<B> {
    inner: B,
    kept: BodyCapture,
    cap: usize,
    pending: Option<Pending>,
    /// No body at all (HEAD, 204, 304): the server side may never poll it, and
    /// dropping it unread is then the normal end, not an abort.
    bodiless: bool,
}

impl<B: Body> ResponseTee<B> {
    pub(crate) fn new(inner: B, cap: usize, pending: Pending) -> Self {
        ResponseTee {
            bodiless: inner.is_end_stream(),
            inner,
            kept: BodyCapture::default(),
            cap,
            pending: Some(pending),
        }
    }
}

impl<B> ResponseTee<B> {
    fn finish(&mut self, error: Option<String>) {
        if let Some(p) = self.pending.take() {
            p.finish(std::mem::take(&mut self.kept), error);
        }
    }
}

impl<B> Drop for ResponseTee<B> {
    fn drop(&mut self) {
        let error = (!self.bodiless)
            .then(|| "response not read to the end (client or proxy stopped)".to_string());
        self.finish(error);
    }
}

impl<B> Body for ResponseTee<B>
where
    B: Body<Data = Bytes> + Unpin,
    B::Error: Into<BoxError>,
{
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let this = &mut *self;
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(data) = frame.data_ref() {
                    this.kept.push(data, this.cap);
                }
                if this.inner.is_end_stream() {
                    this.finish(None);
                }
                Poll::Ready(Some(Ok(frame)))
            }
            Poll::Ready(Some(Err(e))) => {
                let e: BoxError = e.into();
                this.finish(Some(format!("response body: {e}")));
                Poll::Ready(Some(Err(e)))
            }
            Poll::Ready(None) => {
                this.finish(None);
                Poll::Ready(None)
            }
            Poll::Pending => Poll::Pending,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_capture_keeps_the_limit_and_counts_the_rest() {
        let mut b = BodyCapture::default();
        b.push(b"hello ", 8);
        b.push(b"world", 8);
        assert_eq!(b.bytes, b"hello wo");
        assert_eq!(b.wire_len, 11);
        assert!(b.truncated);
    }

    #[test]
    fn gzip_request_bodies_are_decoded_for_the_exchange() {
        use std::io::Write as _;
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(b"imei=866910041573828").unwrap();
        let gz = e.finish().unwrap();
        let headers = vec![("Content-Encoding".to_string(), "gzip".to_string())];
        let body = BodyCapture {
            wire_len: gz.len() as u64,
            bytes: gz,
            truncated: false,
        };
        let (plain, layers) = decode(&headers, &body, &Limits::default());
        assert_eq!(plain, b"imei=866910041573828");
        assert_eq!(layers, vec!["gzip"]);
    }
}
