//! What happens inside a CONNECT tunnel: read the client's TLS ClientHello, open the
//! real server (verifying its certificate), answer the client with a certificate
//! minted for the same name, and serve HTTP/1.1 or HTTP/2 to it, forwarding each
//! request. Clients that refuse our certificate are remembered and tunnelled
//! untouched next time; non-TLS and non-HTTP protocols are tunnelled untouched.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use hyper::service::service_fn;
use hyper::{Request, StatusCode};
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use rustls::ServerConfig;
use rustls::pki_types::ServerName;
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use tokio::io::{AsyncRead, AsyncReadExt as _, AsyncWrite, ReadBuf};
use tokio_rustls::LazyConfigAcceptor;

use super::Shared;
use super::io::{Io, Replay, tunnel};
use super::upstream::{ClientSide, Target, Upstream, UpstreamError, forward, text_response};

const H2: &[u8] = b"h2";
const HTTP11: &[u8] = b"http/1.1";
/// A ClientHello larger than this is not kept for replay (post-quantum key shares
/// make them ~2 KB; 64 KiB is generous).
const REPLAY_LIMIT: usize = 64 << 10;

/// Serves one CONNECT tunnel whose 200 has been sent.
pub(crate) async fn handle(
    shared: Arc<Shared>,
    client_io: Box<dyn Io>,
    target: Target,
    client: SocketAddr,
) {
    let timeout = shared.config.handshake_timeout;
    let mut client_io = client_io;
    let mut first = vec![0u8; 4096];
    let n = match tokio::time::timeout(timeout, client_io.read(&mut first)).await {
        Ok(Ok(n)) if n > 0 => n,
        _ => return,
    };
    first.truncate(n);
    // Every TLS connection starts with a handshake record (content type 22).
    if first[0] != 0x16 {
        raw_tunnel(&shared, client_io, &target, first, "not TLS".into()).await;
        return;
    }
    let io = Replay::new(Prefixed::new(first, client_io), REPLAY_LIMIT);
    let mut acceptor = LazyConfigAcceptor::new(rustls::server::Acceptor::default(), io);
    let start = match tokio::time::timeout(timeout, &mut acceptor).await {
        Ok(Ok(start)) => start,
        Ok(Err(e)) => {
            shared.sink.note(format!(
                "{target}: unreadable TLS ClientHello ({e}); connection dropped"
            ));
            return;
        }
        Err(_) => return,
    };
    let hello = start.client_hello();
    let sni = hello.server_name().map(str::to_string);
    let offered: Vec<Vec<u8>> = hello
        .alpn()
        .map(|protocols| protocols.map(<[u8]>::to_vec).collect())
        .unwrap_or_default();
    let http: Vec<Vec<u8>> = offered
        .iter()
        .filter(|p| p.as_slice() == H2 || p.as_slice() == HTTP11)
        .cloned()
        .collect();
    if !offered.is_empty() && http.is_empty() {
        let names: Vec<String> = offered
            .iter()
            .map(|p| String::from_utf8_lossy(p).into_owned())
            .collect();
        let (io, kept) = start.io.into_parts();
        if let Some(kept) = kept {
            let reason = format!("TLS for {} (not HTTP)", names.join(", "));
            raw_tunnel(&shared, Box::new(io), &target, kept, reason).await;
        }
        return;
    }
    let mut start = start;
    start.io.stop();

    // The name the client asked for decides the certificate we verify and mint.
    let name = sni.unwrap_or_else(|| target.host.clone());
    let outcome = open_upstream(&shared, &target, &name, &http).await;
    let choice = match &outcome {
        Ok((_, alpn)) => mirror(alpn.as_deref(), &http),
        Err(_) => fallback(&http),
    };
    let leaf = match shared.ca.leaf(&name) {
        Ok(leaf) => leaf,
        Err(e) => {
            shared.sink.note(format!("{target}: {e}"));
            return;
        }
    };
    let config = match server_config(&shared, leaf, choice) {
        Ok(c) => c,
        Err(e) => {
            shared
                .sink
                .note(format!("{target}: cannot set up TLS for the client: {e}"));
            return;
        }
    };
    let tls = match tokio::time::timeout(timeout, start.into_stream(config)).await {
        Ok(Ok(tls)) => tls,
        Ok(Err(e)) => {
            shared.pin(&target, &refusal(&e));
            return;
        }
        Err(_) => {
            shared.pin(
                &target,
                "the client did not finish the TLS handshake with the proxy's certificate",
            );
            return;
        }
    };
    let h2 = tls.get_ref().1.alpn_protocol() == Some(H2);
    match outcome {
        Ok((upstream, _)) => {
            let side = Arc::new(ClientSide {
                addr: client,
                default_authority: target.authority("https"),
            });
            let upstream = Arc::new(upstream);
            let svc = service_fn(move |req: Request<hyper::body::Incoming>| {
                let (shared, upstream, side) = (shared.clone(), upstream.clone(), side.clone());
                async move { Ok::<_, Infallible>(forward(&shared, &upstream, &side, req).await) }
            });
            serve_http(tls, h2, svc).await;
        }
        Err(e) => {
            let text = if e.is_certificate() {
                format!(
                    "privaudit proxy: the certificate of {target} (for {name}) did not verify: {}\n\
                     The request was not forwarded.\n",
                    e.detail()
                )
            } else {
                format!("privaudit proxy: {e}\nThe request was not forwarded.\n")
            };
            let svc = service_fn(move |_req: Request<hyper::body::Incoming>| {
                let text = text.clone();
                async move { Ok::<_, Infallible>(text_response(StatusCode::BAD_GATEWAY, text)) }
            });
            serve_http(tls, h2, svc).await;
        }
    }
}

/// Connects to the real server offering the client's HTTP protocols; reports the
/// failure (certificate or other) as an event.
async fn open_upstream(
    shared: &Arc<Shared>,
    target: &Target,
    name: &str,
    http: &[Vec<u8>],
) -> Result<(Upstream, Option<Vec<u8>>), UpstreamError> {
    let server_name = ServerName::try_from(name.to_string()).map_err(|e| UpstreamError::Tls {
        target: target.to_string(),
        message: format!("{name:?} is not a valid server name: {e}"),
        certificate: false,
    });
    let result = async {
        let server_name = server_name?;
        let mut config = (*shared.upstream_tls).clone();
        config.alpn_protocols = http.to_vec();
        let upstream = Upstream::tls(
            shared.clone(),
            target.clone(),
            Arc::new(config),
            server_name,
        );
        let (io, alpn) = upstream.open().await?;
        let sender = upstream.attach(io, alpn.as_deref()).await?;
        upstream.release(sender);
        Ok((upstream, alpn))
    }
    .await;
    if let Err(e) = &result {
        shared.sink.upstream_failed(target, e);
    }
    result
}

/// The protocol to give the client: the one the server chose, so each request
/// crosses the proxy in the same HTTP version it would have used directly.
fn mirror(server: Option<&[u8]>, client: &[Vec<u8>]) -> Option<&'static [u8]> {
    match server {
        Some(H2) if client.iter().any(|p| p == H2) => Some(H2),
        Some(HTTP11) if client.iter().any(|p| p == HTTP11) => Some(HTTP11),
        _ => fallback(client),
    }
}

/// Without a server choice: HTTP/1.1 when offered, else HTTP/2, else no ALPN.
fn fallback(client: &[Vec<u8>]) -> Option<&'static [u8]> {
    if client.iter().any(|p| p == HTTP11) {
        Some(HTTP11)
    } else if client.iter().any(|p| p == H2) {
        Some(H2)
    } else {
        None
    }
}

#[derive(Debug)]
struct Fixed(Arc<CertifiedKey>);

impl ResolvesServerCert for Fixed {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(self.0.clone())
    }
}

fn server_config(
    shared: &Shared,
    leaf: Arc<CertifiedKey>,
    alpn: Option<&[u8]>,
) -> Result<Arc<ServerConfig>, rustls::Error> {
    let mut config = ServerConfig::builder_with_provider(shared.provider.clone())
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_cert_resolver(Arc::new(Fixed(leaf)));
    config.alpn_protocols = alpn.map(|p| vec![p.to_vec()]).unwrap_or_default();
    config.session_storage = shared.sessions.clone();
    Ok(Arc::new(config))
}

/// Why the client's handshake with us failed, in words for the log and summary.
fn refusal(e: &std::io::Error) -> String {
    let inner = e.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>());
    match inner {
        Some(rustls::Error::AlertReceived(alert)) => {
            format!("the client refused the proxy's certificate (TLS alert {alert:?})")
        }
        Some(other) => format!("TLS handshake with the client failed: {other}"),
        None => match e.kind() {
            std::io::ErrorKind::UnexpectedEof
            | std::io::ErrorKind::ConnectionReset
            | std::io::ErrorKind::BrokenPipe => {
                "the client closed the connection during the TLS handshake".into()
            }
            _ => format!("TLS handshake with the client failed: {e}"),
        },
    }
}

/// Serves HTTP/2 or HTTP/1.1 (with upgrades) on a decrypted client connection.
async fn serve_http<IO, S>(io: IO, h2: bool, svc: S)
where
    IO: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    S: hyper::service::Service<
            Request<hyper::body::Incoming>,
            Response = hyper::Response<super::capture::ProxyBody>,
            Error = Infallible,
        > + Send
        + 'static,
    S::Future: Send + 'static,
{
    let io = TokioIo::new(io);
    // Errors here are the client going away or speaking bad HTTP; the exchanges
    // that completed were recorded.
    if h2 {
        let _ = hyper::server::conn::http2::Builder::new(TokioExecutor::new())
            .max_concurrent_streams(100)
            .serve_connection(io, svc)
            .await;
    } else {
        let _ = hyper::server::conn::http1::Builder::new()
            .timer(TokioTimer::new())
            .serve_connection(io, svc)
            .with_upgrades()
            .await;
    }
}

/// Relays bytes untouched between the client and `target`.
pub(crate) async fn raw_tunnel(
    shared: &Arc<Shared>,
    client_io: Box<dyn Io>,
    target: &Target,
    first: Vec<u8>,
    reason: String,
) {
    shared.sink.not_inspected(target, &reason);
    let connect = tokio::net::TcpStream::connect((target.host.as_str(), target.port));
    match tokio::time::timeout(shared.config.connect_timeout, connect).await {
        Ok(Ok(server)) => {
            let _ = tunnel(client_io, server, &first).await;
        }
        Ok(Err(source)) => shared.sink.upstream_failed(
            target,
            &UpstreamError::Connect {
                target: target.to_string(),
                source,
            },
        ),
        Err(_) => shared.sink.upstream_failed(
            target,
            &UpstreamError::Timeout {
                target: target.to_string(),
                secs: shared.config.connect_timeout.as_secs(),
            },
        ),
    }
}

/// A stream whose first bytes were already read: they are returned again first.
pub(crate) struct Prefixed<T> {
    prefix: Vec<u8>,
    pos: usize,
    inner: T,
}

impl<T> Prefixed<T> {
    pub(crate) fn new(prefix: Vec<u8>, inner: T) -> Self {
        Prefixed {
            prefix,
            pos: 0,
            inner,
        }
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for Prefixed<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let this = &mut *self;
        if this.pos < this.prefix.len() {
            let rest = &this.prefix[this.pos..];
            let n = rest.len().min(buf.remaining());
            buf.put_slice(&rest[..n]);
            this.pos += n;
            if this.pos == this.prefix.len() {
                this.prefix = Vec::new();
                this.pos = 0;
            }
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut this.inner).poll_read(cx, buf)
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Prefixed<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_client_gets_the_servers_protocol() {
        let both = vec![H2.to_vec(), HTTP11.to_vec()];
        assert_eq!(mirror(Some(H2), &both), Some(H2));
        assert_eq!(mirror(Some(HTTP11), &both), Some(HTTP11));
        // A server without ALPN speaks HTTP/1.1.
        assert_eq!(mirror(None, &both), Some(HTTP11));
        assert_eq!(mirror(None, &[H2.to_vec()]), Some(H2));
        assert_eq!(mirror(None, &[]), None);
    }
}
