//! privaudit's own intercepting proxy: an HTTP/1.1 forward proxy that decrypts
//! CONNECT tunnels with a local CA, serves HTTP/1.1 or HTTP/2 to the client, forwards
//! to the real server (certificates verified), and turns every exchange into a HAR
//! entry and an [`Exchange`] for the rest of the pipeline.
//!
//! [`run`] owns a tokio runtime for the network side and a plain thread that writes
//! the HAR and calls the caller's event handler, so the handler may do slow,
//! synchronous work (detection, a live table) without stalling connections.

pub mod ca;
pub mod capture;
pub mod har_writer;
mod intercept;
mod io;
mod server;
pub mod upstream;

use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rustls::ClientConfig;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::CertificateDer;
use rustls::server::StoresServerSessions;
use tokio::sync::mpsc;

use crate::exchange::Exchange;
use crate::limits::Limits;

pub use ca::{CaError, CaPaths, CertAuthority};
pub use capture::Captured;
pub use har_writer::{HarWriteError, HarWriter};
pub use upstream::{Target, UpstreamError};

/// The crypto provider the proxy uses everywhere (ring: no C build beyond ring's own,
/// and one explicit provider so rustls never has to guess).
pub fn crypto_provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

#[derive(Debug, thiserror::Error)]
pub enum ProxyError {
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("cannot start the network runtime: {0}")]
    Runtime(std::io::Error),
    #[error(transparent)]
    Har(#[from] HarWriteError),
    #[error(transparent)]
    Ca(#[from] CaError),
    #[error("TLS set-up failed: {0}")]
    Tls(#[from] rustls::Error),
    #[error("{path}: {message}")]
    Roots { path: PathBuf, message: String },
}

/// Everything the proxy needs to run.
pub struct ProxyConfig {
    pub listen: SocketAddr,
    pub ca: Arc<CertAuthority>,
    /// Write every exchange to this HAR file as it completes.
    pub har: Option<PathBuf>,
    /// Trusted for upstream servers in addition to the Mozilla roots (tests, a
    /// company's internal CA).
    pub extra_roots: Vec<CertificateDer<'static>>,
    /// Body and decompression bounds (`body_bytes` is kept per request and response).
    pub limits: Limits,
    /// Client connections served at once; further ones wait to be accepted.
    pub max_connections: usize,
    /// A connection with no traffic either way for this long is closed.
    pub idle_timeout: Duration,
    /// For each half of a client's TLS handshake.
    pub handshake_timeout: Duration,
    /// For the TCP connection and then the TLS handshake to a server.
    pub connect_timeout: Duration,
}

impl ProxyConfig {
    pub fn new(listen: SocketAddr, ca: Arc<CertAuthority>) -> ProxyConfig {
        ProxyConfig {
            listen,
            ca,
            har: None,
            extra_roots: Vec::new(),
            limits: Limits::default(),
            max_connections: 512,
            idle_timeout: Duration::from_secs(300),
            handshake_timeout: Duration::from_secs(15),
            connect_timeout: Duration::from_secs(15),
        }
    }
}

/// Reads every certificate from a PEM file (for `--upstream-ca`).
pub fn load_roots(path: &Path) -> Result<Vec<CertificateDer<'static>>, ProxyError> {
    use rustls::pki_types::pem::PemObject as _;
    let err = |message: String| ProxyError::Roots {
        path: path.to_path_buf(),
        message,
    };
    let certs = CertificateDer::pem_file_iter(path)
        .map_err(|e| err(e.to_string()))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| err(e.to_string()))?;
    if certs.is_empty() {
        return Err(err("no PEM certificate in the file".into()));
    }
    Ok(certs)
}

/// What the proxy tells its caller, in order, from one thread.
#[derive(Debug)]
pub enum ProxyEvent {
    /// Accepting connections (the real port when 0 was asked for).
    Listening { addr: SocketAddr },
    /// An exchange completed (and was written to the HAR, when one is written).
    /// `error` says why it did not complete normally.
    Exchange {
        exchange: Box<Exchange>,
        error: Option<String>,
    },
    /// A connection passed on untouched: its content is not in the HAR.
    NotInspected { target: String, reason: String },
    /// The client refused the proxy's certificate; later connections to `target`
    /// are tunnelled untouched.
    ClientRefused { target: String, reason: String },
    /// The server could not be reached or its certificate did not verify; the client
    /// got a 502 saying so.
    UpstreamFailed {
        target: String,
        error: String,
        certificate: bool,
    },
    /// Anything else worth a line in the log.
    Note(String),
}

/// The session in numbers, returned when the proxy stops.
#[derive(Debug, Default, Clone)]
pub struct ProxySummary {
    pub listen: Option<SocketAddr>,
    pub exchanges: u64,
    /// Exchanges per host.
    pub hosts: BTreeMap<String, u64>,
    /// Tunnelled untouched, with the reason.
    pub not_inspected: BTreeMap<String, String>,
    /// Servers that failed (certificate or connection), with the error.
    pub upstream_errors: BTreeMap<String, String>,
    pub har: Option<PathBuf>,
    /// The HAR could not be (fully) written.
    pub har_error: Option<String>,
}

/// Messages from the network side to the writer thread.
pub(crate) enum Internal {
    Captured(Box<Captured>),
    Event(ProxyEvent),
    Stop,
}

/// The network side's handle on the writer thread.
#[derive(Clone)]
pub(crate) struct Sink(mpsc::Sender<Internal>);

impl Sink {
    fn send(&self, msg: Internal) {
        match self.0.try_send(msg) {
            Ok(()) | Err(mpsc::error::TrySendError::Closed(_)) => {}
            // The writer is behind: wait for room in a task rather than block a
            // network thread (or drop an exchange).
            Err(mpsc::error::TrySendError::Full(msg)) => {
                if let Ok(handle) = tokio::runtime::Handle::try_current() {
                    let tx = self.0.clone();
                    handle.spawn(async move {
                        let _ = tx.send(msg).await;
                    });
                }
            }
        }
    }

    pub(crate) fn captured(&self, c: Captured) {
        self.send(Internal::Captured(Box::new(c)));
    }

    pub(crate) fn event(&self, e: ProxyEvent) {
        self.send(Internal::Event(e));
    }

    pub(crate) fn note(&self, text: String) {
        self.event(ProxyEvent::Note(text));
    }

    pub(crate) fn not_inspected(&self, target: &Target, reason: &str) {
        self.event(ProxyEvent::NotInspected {
            target: target.to_string(),
            reason: reason.to_string(),
        });
    }

    pub(crate) fn upstream_failed(&self, target: &Target, e: &UpstreamError) {
        self.event(ProxyEvent::UpstreamFailed {
            target: target.to_string(),
            error: e.to_string(),
            certificate: e.is_certificate(),
        });
    }
}

/// State shared by every connection.
pub(crate) struct Shared {
    pub config: ProxyConfig,
    pub provider: Arc<CryptoProvider>,
    pub ca: Arc<CertAuthority>,
    /// Base client configuration for servers (ALPN set per connection).
    pub upstream_tls: Arc<ClientConfig>,
    /// TLS sessions for clients resuming with us.
    pub sessions: Arc<dyn StoresServerSessions>,
    pub sink: Sink,
    /// Targets whose clients refused our certificate, with the reason.
    pinned: Mutex<HashMap<String, String>>,
    pub in_flight: Arc<AtomicUsize>,
    pub listen: SocketAddr,
}

impl Shared {
    /// Remembers that the client refused our certificate for `target`.
    pub(crate) fn pin(&self, target: &Target, reason: &str) {
        if let Ok(mut p) = self.pinned.lock() {
            // Bounded: a client cannot grow this beyond the hosts it really uses,
            // but cap it anyway.
            if p.len() < 10_000 {
                p.insert(target.to_string(), reason.to_string());
            }
        }
        self.sink.event(ProxyEvent::ClientRefused {
            target: target.to_string(),
            reason: reason.to_string(),
        });
    }

    pub(crate) fn pinned(&self, target: &Target) -> Option<String> {
        self.pinned
            .lock()
            .ok()
            .and_then(|p| p.get(&target.to_string()).cloned())
    }
}

/// Runs the proxy until `shutdown` completes, then finishes the HAR and returns the
/// summary. `on_event` is called from one thread, in order.
pub fn run<F>(
    config: ProxyConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
    on_event: F,
) -> Result<ProxySummary, ProxyError>
where
    F: FnMut(ProxyEvent) + Send + 'static,
{
    let provider = crypto_provider();
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    for cert in &config.extra_roots {
        roots.add(cert.clone())?;
    }
    let upstream_tls = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth();

    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("privaudit-proxy")
        .build()
        .map_err(ProxyError::Runtime)?;
    let listen = config.listen;
    let listener = rt
        .block_on(tokio::net::TcpListener::bind(listen))
        .map_err(|source| ProxyError::Bind {
            addr: listen,
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| ProxyError::Bind {
        addr: listen,
        source,
    })?;
    let har = config.har.as_deref().map(HarWriter::create).transpose()?;

    let (tx, rx) = mpsc::channel(1024);
    let sink = Sink(tx.clone());
    let limits = config.limits.clone();
    let writer = std::thread::Builder::new()
        .name("privaudit-har".into())
        .spawn(move || write_loop(rx, har, limits, addr, on_event))
        .map_err(ProxyError::Runtime)?;

    let shared = Arc::new(Shared {
        provider: provider.clone(),
        ca: config.ca.clone(),
        upstream_tls: Arc::new(upstream_tls),
        sessions: rustls::server::ServerSessionMemoryCache::new(1024),
        sink: sink.clone(),
        pinned: Mutex::new(HashMap::new()),
        in_flight: Arc::new(AtomicUsize::new(0)),
        listen: addr,
        config,
    });
    sink.event(ProxyEvent::Listening { addr });
    let in_flight = shared.in_flight.clone();
    rt.block_on(server::serve(listener, shared, shutdown));
    // Give exchanges already under way a moment to finish, so their responses are
    // in the HAR; then stop everything (unfinished ones are recorded as such).
    rt.block_on(async {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(3);
        while in_flight.load(Ordering::SeqCst) > 0 && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    });
    rt.shutdown_timeout(Duration::from_secs(1));
    let _ = tx.blocking_send(Internal::Stop);
    drop(sink);
    writer
        .join()
        .map_err(|_| ProxyError::Runtime(std::io::Error::other("the HAR writer thread panicked")))
}

/// The writer thread: numbers exchanges, appends them to the HAR, keeps the summary
/// and calls the handler.
fn write_loop<F>(
    mut rx: mpsc::Receiver<Internal>,
    mut har: Option<HarWriter>,
    limits: Limits,
    addr: SocketAddr,
    mut on_event: F,
) -> ProxySummary
where
    F: FnMut(ProxyEvent),
{
    let mut summary = ProxySummary {
        listen: Some(addr),
        har: har.as_ref().map(|h| h.path().to_path_buf()),
        ..Default::default()
    };
    let file: Arc<str> = Arc::from(
        summary
            .har
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| "proxy".into())
            .as_str(),
    );
    let har_failed = |summary: &mut ProxySummary, e: HarWriteError, on: &mut F| {
        if summary.har_error.is_none() {
            on(ProxyEvent::Note(e.to_string()));
        }
        summary.har_error = Some(e.to_string());
    };
    while let Some(msg) = rx.blocking_recv() {
        match msg {
            Internal::Stop => break,
            Internal::Captured(c) => {
                summary.exchanges += 1;
                if let Some(h) = har.as_mut()
                    && let Err(e) = h.append(&har_writer::entry(&c, &limits))
                {
                    har_failed(&mut summary, e, &mut on_event);
                }
                let x = c.to_exchange(&file, summary.exchanges, &limits);
                if let Some(host) = x.host() {
                    *summary.hosts.entry(host).or_default() += 1;
                }
                on_event(ProxyEvent::Exchange {
                    exchange: Box::new(x),
                    error: c.error.clone(),
                });
            }
            Internal::Event(ev) => {
                let refused;
                let not_inspected = match &ev {
                    ProxyEvent::NotInspected { target, reason } => Some((target, reason)),
                    ProxyEvent::ClientRefused { target, reason } => {
                        refused = format!("pinned? {reason}");
                        Some((target, &refused))
                    }
                    _ => None,
                };
                if let Some((target, reason)) = not_inspected {
                    summary
                        .not_inspected
                        .entry(target.clone())
                        .or_insert_with(|| reason.clone());
                    if let Some(h) = har.as_mut()
                        && let Err(e) = h.note_not_inspected(target, reason)
                    {
                        har_failed(&mut summary, e, &mut on_event);
                    }
                }
                if let ProxyEvent::UpstreamFailed { target, error, .. } = &ev {
                    summary
                        .upstream_errors
                        .insert(target.clone(), error.clone());
                }
                on_event(ev);
            }
        }
    }
    if let Some(h) = har
        && let Err(e) = h.finish()
    {
        summary.har_error = Some(e.to_string());
    }
    summary
}
