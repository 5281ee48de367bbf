//! The listening side: accepts client connections (bounded in number, closed when
//! idle), speaks HTTP/1.1 proxy protocol to them, forwards absolute-URI requests,
//! hands CONNECT tunnels to interception (or tunnels them untouched for clients that
//! refused our certificate), and serves the CA certificate at `http://privaudit.proxy/`.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hyper::body::Incoming;
use hyper::header::{self, HeaderValue};
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::capture::{ProxyBody, empty, full};
use super::io::{IdleIo, tunnel};
use super::upstream::{ClientSide, Target, Upstream, UpstreamError, forward, text_response};
use super::{Shared, intercept};

/// The name under which the proxy serves its own pages (the CA download).
pub const PROXY_HOST: &str = "privaudit.proxy";

/// Accepts connections until `shutdown` completes.
pub(crate) async fn serve(
    listener: TcpListener,
    shared: Arc<Shared>,
    shutdown: impl Future<Output = ()>,
) {
    let permits = Arc::new(Semaphore::new(shared.config.max_connections.max(1)));
    tokio::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            () = &mut shutdown => return,
            p = permits.clone().acquire_owned() => match p {
                Ok(p) => p,
                Err(_) => return,
            },
        };
        let (stream, addr) = tokio::select! {
            () = &mut shutdown => return,
            r = listener.accept() => match r {
                Ok(x) => x,
                Err(e) => {
                    // Usually out of file descriptors: wait for some to be freed.
                    shared.sink.note(format!("accept failed: {e}"));
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    continue;
                }
            },
        };
        let shared = shared.clone();
        tokio::spawn(client_connection(shared, stream, addr, Arc::new(permit)));
    }
}

/// One client's connection to the proxy.
struct ClientConn {
    shared: Arc<Shared>,
    addr: SocketAddr,
    /// Held by every task serving this client (tunnels outlive the HTTP connection
    /// they were upgraded from), so the connection limit counts them.
    permit: Arc<OwnedSemaphorePermit>,
    /// The last origin used for plain (absolute-URI) requests, for reuse.
    plain: Mutex<Option<Arc<Upstream>>>,
}

async fn client_connection(
    shared: Arc<Shared>,
    stream: TcpStream,
    addr: SocketAddr,
    permit: Arc<OwnedSemaphorePermit>,
) {
    let _ = stream.set_nodelay(true);
    let io = TokioIo::new(IdleIo::new(stream, shared.config.idle_timeout));
    let conn = Arc::new(ClientConn {
        shared,
        addr,
        permit,
        plain: Mutex::new(None),
    });
    let svc = service_fn(move |req: Request<Incoming>| {
        let conn = conn.clone();
        async move { Ok::<_, Infallible>(conn.handle(req).await) }
    });
    // Errors are the client's (bad request, gone away); nothing to record.
    let _ = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .serve_connection(io, svc)
        .with_upgrades()
        .await;
}

impl ClientConn {
    async fn handle(&self, req: Request<Incoming>) -> Response<ProxyBody> {
        if req.method() == Method::CONNECT {
            return self.connect(req).await;
        }
        let uri = req.uri();
        let scheme = uri.scheme_str().map(str::to_ascii_lowercase);
        let target = match (scheme.as_deref(), uri.authority()) {
            (Some(s @ ("http" | "https")), Some(a)) => {
                Target::parse(a.as_str(), if s == "https" { 443 } else { 80 })
                    .map(|t| (t, s == "https"))
            }
            _ => None,
        };
        match target {
            Some((t, https)) if !self.is_self(&t) => self.plain(req, t, https).await,
            // Origin-form requests are addressed to the proxy itself (someone opened
            // http://proxy:port/ in a browser), as are requests for privaudit.proxy.
            _ => self.page(&req),
        }
    }

    fn is_self(&self, t: &Target) -> bool {
        if t.host == PROXY_HOST {
            return true;
        }
        let listen = self.shared.listen;
        t.port == listen.port()
            && (t.host == "localhost"
                || t.host.parse::<std::net::IpAddr>().is_ok_and(|ip| {
                    ip == listen.ip() || ip.is_loopback() || listen.ip().is_unspecified()
                }))
    }

    async fn connect(&self, req: Request<Incoming>) -> Response<ProxyBody> {
        let Some(target) = req
            .uri()
            .authority()
            .and_then(|a| Target::parse(a.as_str(), 443))
        else {
            return text_response(
                StatusCode::BAD_REQUEST,
                "privaudit proxy: CONNECT needs host:port\n".into(),
            );
        };
        let shared = self.shared.clone();
        let permit = self.permit.clone();
        if let Some(reason) = shared.pinned(&target) {
            // Connect first, so the client learns of a dead server from the CONNECT
            // answer as it would without a proxy in the way.
            let connect = TcpStream::connect((target.host.as_str(), target.port));
            let server = match tokio::time::timeout(shared.config.connect_timeout, connect).await {
                Ok(Ok(s)) => s,
                Ok(Err(source)) => {
                    let e = UpstreamError::Connect {
                        target: target.to_string(),
                        source,
                    };
                    shared.sink.upstream_failed(&target, &e);
                    return text_response(
                        StatusCode::BAD_GATEWAY,
                        format!("privaudit proxy: {e}\n"),
                    );
                }
                Err(_) => {
                    return text_response(
                        StatusCode::GATEWAY_TIMEOUT,
                        format!("privaudit proxy: {target} did not answer\n"),
                    );
                }
            };
            shared
                .sink
                .not_inspected(&target, &format!("pinned? earlier, {reason}"));
            tokio::spawn(async move {
                let _permit = permit;
                if let Ok(upgraded) = hyper::upgrade::on(req).await {
                    let _ = tunnel(TokioIo::new(upgraded), server, &[]).await;
                }
            });
            return Response::new(empty());
        }
        let addr = self.addr;
        tokio::spawn(async move {
            let _permit = permit;
            if let Ok(upgraded) = hyper::upgrade::on(req).await {
                intercept::handle(shared, Box::new(TokioIo::new(upgraded)), target, addr).await;
            }
        });
        Response::new(empty())
    }

    /// A request with an absolute URI: forwarded as is (HTTPS ones over a verified
    /// TLS connection), recorded like intercepted ones.
    async fn plain(
        &self,
        req: Request<Incoming>,
        target: Target,
        https: bool,
    ) -> Response<ProxyBody> {
        let cached = self
            .plain
            .lock()
            .ok()
            .and_then(|p| p.clone())
            .filter(|u| u.target == target && (u.scheme == "https") == https);
        let upstream = match cached {
            Some(u) => u,
            None => {
                let u = if https {
                    let name = match rustls::pki_types::ServerName::try_from(target.host.clone()) {
                        Ok(n) => n,
                        Err(e) => {
                            return text_response(
                                StatusCode::BAD_REQUEST,
                                format!("privaudit proxy: bad host {:?}: {e}\n", target.host),
                            );
                        }
                    };
                    let mut config = (*self.shared.upstream_tls).clone();
                    config.alpn_protocols = vec![b"http/1.1".to_vec()];
                    Upstream::tls(self.shared.clone(), target.clone(), Arc::new(config), name)
                } else {
                    Upstream::plain(self.shared.clone(), target.clone())
                };
                let u = Arc::new(u);
                if let Ok(mut p) = self.plain.lock() {
                    *p = Some(u.clone());
                }
                u
            }
        };
        let side = ClientSide {
            addr: self.addr,
            default_authority: target.authority(upstream.scheme),
        };
        forward(&self.shared, &upstream, &side, req).await
    }

    /// The proxy's own pages: where to get the CA certificate. Never the key.
    fn page(&self, req: &Request<Incoming>) -> Response<ProxyBody> {
        let ca = &self.shared.ca;
        let (body, ctype, name): (ProxyBody, &str, Option<&str>) = match req.uri().path() {
            "/privaudit-ca.pem" => (
                full(ca.cert_pem().to_string()),
                "application/x-pem-file",
                Some("privaudit-ca.pem"),
            ),
            "/privaudit-ca.crt" | "/ca" => (
                full(ca.cert_der().as_ref().to_vec()),
                "application/x-x509-ca-cert",
                Some("privaudit-ca.crt"),
            ),
            _ => {
                let port = self.shared.listen.port();
                let text = format!(
                    "privaudit intercepting proxy\n\n\
                     To see HTTPS traffic, install this proxy's CA certificate on the test device:\n\
                     \x20 http://{PROXY_HOST}/privaudit-ca.crt  (DER; Android and iOS)\n\
                     \x20 http://{PROXY_HOST}/privaudit-ca.pem  (PEM)\n\
                     Open them in the device's browser while it uses this proxy (port {port}).\n\
                     `privaudit proxy ca` prints the install steps.\n"
                );
                (full(text), "text/plain; charset=utf-8", None)
            }
        };
        let mut resp = Response::new(body);
        resp.headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(ctype));
        if let Some(name) = name
            && let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\""))
        {
            resp.headers_mut().insert(header::CONTENT_DISPOSITION, v);
        }
        resp
    }
}
