//! `privaudit proxy`: run the intercepting proxy with a one-line log per exchange on
//! standard error (with the personal data types found in it), the hosts table on
//! Ctrl-C, and optionally an audit of what it recorded;
//! `privaudit proxy ca`: where the CA certificate is and how to install it.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};

use anyhow::{Context, Result};
use clap::Parser as _;
use privaudit::cli::{Cli, Command, ProxyArgs, ProxyCommand};
use privaudit::detect::Detector;
use privaudit::limits::Limits;
use privaudit::observation::mask;
use privaudit::policy::Declaration;
use privaudit::proxy::{self, CertAuthority, ProxyConfig, ProxyEvent, ProxySummary};
use privaudit::signatures::Ontology;

use super::live_view::LiveView;

pub fn run(cli: &Cli, args: &ProxyArgs) -> Result<ExitCode> {
    if let Some(ProxyCommand::Ca { ca_dir }) = &args.action {
        return ca(ca_dir.as_deref());
    }
    let ca = load_ca(args.ca_dir.as_deref())?;
    if ca.created() {
        eprintln!(
            "created a new CA: {} (install it on the test device: `privaudit proxy ca`)",
            ca.paths().cert_pem.display()
        );
    }
    let mut extra_roots = Vec::new();
    for file in &args.upstream_ca {
        extra_roots.extend(proxy::load_roots(file).context("--upstream-ca")?);
    }
    let har = match (&args.write, args.policy.is_empty()) {
        (Some(p), _) => Some(p.clone()),
        (None, false) => Some(PathBuf::from(
            chrono::Local::now()
                .format("privaudit-proxy-%Y%m%d-%H%M%S.har")
                .to_string(),
        )),
        (None, true) => None,
    };
    let mut config = ProxyConfig::new(args.listen, Arc::new(ca));
    config.har = har;
    config.extra_roots = extra_roots;
    config.max_connections = args.max_connections.max(1);
    config.idle_timeout = std::time::Duration::from_secs(args.idle_timeout.max(1));
    config.limits.body_bytes = args.max_body;

    // The same party and data-type view as `capture`: per-exchange types in the log,
    // the hosts table at the end.
    let ontology = Arc::new(Ontology::load(None)?);
    let first_party = match args.policy.first() {
        Some(p) => Declaration::load(p)?.app.first_party,
        None => Vec::new(),
    };
    let annotator = super::common::annotator(&privaudit::cli::PartyArgs::default(), &first_party)?;
    let detector = Detector::new(&ontology, None, &Limits::default());
    let view = Arc::new(Mutex::new(LiveView::new(false)));

    let show_values = args.show_values;
    let (log_view, log_ontology) = (Arc::clone(&view), Arc::clone(&ontology));
    let mut client_connections = std::collections::HashSet::new();
    let summary = proxy::run(config, shutdown_signal(), move |event| {
        let types = match &event {
            ProxyEvent::Exchange { exchange, .. } => match log_view.lock() {
                Ok(mut v) => {
                    // A client connection (its source port) seen for the first time. Ports
                    // are reused over a long session, so old ones are forgotten in bulk
                    // rather than kept forever.
                    if client_connections.len() >= 65_536 {
                        client_connections.clear();
                    }
                    if let (Some(src), Some(host)) = (exchange.src, exchange.host())
                        && client_connections.insert((src, host.clone()))
                    {
                        v.connection(&host, &annotator);
                    }
                    v.exchange(exchange, &detector, &annotator)
                }
                Err(_) => Vec::new(),
            },
            // Tunnelled untouched: the host still belongs in the table, without requests.
            ProxyEvent::NotInspected { target, .. } => {
                if let Ok(mut v) = log_view.lock() {
                    let host = target.rsplit_once(':').map_or(target.as_str(), |(h, _)| h);
                    v.connection(
                        host.trim_start_matches('[').trim_end_matches(']'),
                        &annotator,
                    );
                }
                Vec::new()
            }
            _ => Vec::new(),
        };
        let names: Vec<&str> = types.iter().map(|t| log_ontology.name_en(t)).collect();
        log_event(&event, show_values, &names);
    })?;
    print_summary(&summary);
    if let Ok(mut v) = view.lock()
        && summary.exchanges > 0
    {
        v.finish(&ontology, "hosts seen through the proxy:");
    }
    if summary.har_error.is_some() && !args.policy.is_empty() {
        anyhow::bail!("the HAR file is incomplete; not auditing it");
    }
    let Some(har) = summary.har.as_ref() else {
        return Ok(ExitCode::SUCCESS);
    };
    let mut code = ExitCode::SUCCESS;
    for policy in &args.policy {
        eprintln!(
            "auditing: privaudit audit --policy {} {}",
            shell_word(policy),
            shell_word(har)
        );
        let audit_cli = Cli::try_parse_from([
            std::ffi::OsStr::new("privaudit"),
            "audit".as_ref(),
            "--policy".as_ref(),
            policy.as_os_str(),
            har.as_os_str(),
        ])
        .context("cannot build the audit command")?;
        if let Command::Audit(audit_args) = &audit_cli.command {
            let c = super::audit::run(cli, audit_args)?;
            if c != ExitCode::SUCCESS {
                code = c;
            }
        }
    }
    Ok(code)
}

fn load_ca(dir: Option<&Path>) -> Result<CertAuthority> {
    let dir = match dir {
        Some(d) => d.to_path_buf(),
        None => proxy::ca::default_dir()?,
    };
    let ca = CertAuthority::load_or_create(&dir, proxy::crypto_provider())
        .with_context(|| format!("the proxy CA in {}", dir.display()))?;
    for w in &ca.warnings {
        eprintln!("warning: {w}");
    }
    Ok(ca)
}

/// Ctrl-C, or SIGTERM (what service managers and `kill` send).
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// The path with query values (and long digit runs in the path) masked, so the log
/// does not leak the identifiers it is about.
fn masked_uri(uri: &str, show: bool) -> String {
    if show {
        return uri.to_string();
    }
    let (path, query) = match uri.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (uri, None),
    };
    let path: Vec<String> = path
        .split('/')
        .map(|seg| {
            if seg.chars().filter(char::is_ascii_digit).count() >= 6 {
                mask(seg)
            } else {
                seg.to_string()
            }
        })
        .collect();
    let mut out = path.join("/");
    if let Some(q) = query {
        let parts: Vec<String> = q
            .split('&')
            .map(|p| match p.split_once('=') {
                Some((k, v)) if !v.is_empty() => format!("{k}={}", mask(v)),
                _ => p.to_string(),
            })
            .collect();
        out.push('?');
        out.push_str(&parts.join("&"));
    }
    out
}

/// One line per event; an exchange line ends with the personal data types found in it.
fn log_event(event: &ProxyEvent, show_values: bool, data_types: &[&str]) {
    let line = match event {
        ProxyEvent::Listening { addr } => {
            let mut s = format!("privaudit proxy listening on {addr} (Ctrl-C to stop)");
            if !addr.ip().is_loopback() {
                s.push_str(&format!(
                    "\n\n!!! WARNING: this proxy is reachable from the network on {addr}.\n\
                     !!! Anyone who can reach it can use it, and see what it records. Use it only on a\n\
                     !!! network you control, and stop it when the test is done.\n"
                ));
            }
            s
        }
        ProxyEvent::Exchange { exchange: x, error } => {
            let status = match (x.status, error) {
                (Some(s), None) => s.to_string(),
                (Some(s), Some(e)) => format!("{s} ({e})"),
                (None, Some(e)) => format!("error: {e}"),
                (None, None) => "-".into(),
            };
            let authority = x
                .header("host")
                .or_else(|| x.header(":authority"))
                .map(str::to_string)
                .or_else(|| x.host())
                .unwrap_or_default();
            let mut line = format!(
                "{} {} {} {} {}",
                x.scheme.unwrap_or("http"),
                x.method,
                authority,
                masked_uri(&x.uri, show_values),
                status
            );
            if !data_types.is_empty() {
                line.push_str(&format!("  [personal data: {}]", data_types.join(", ")));
            }
            line
        }
        ProxyEvent::NotInspected { target, reason } => {
            format!("CONNECT {target} not inspected ({reason})")
        }
        ProxyEvent::ClientRefused { target, reason } => format!(
            "CONNECT {target}: {reason}; later connections to it are tunnelled untouched (pinned?)"
        ),
        ProxyEvent::UpstreamFailed {
            target,
            error,
            certificate,
        } => {
            if *certificate {
                format!("CONNECT {target}: server certificate invalid: {error}; the client got 502")
            } else {
                format!("{target}: {error}; the client got 502")
            }
        }
        ProxyEvent::Note(text) => text.clone(),
    };
    eprintln!("{line}");
}

fn print_summary(s: &ProxySummary) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(
        err,
        "\nproxy stopped: {} exchange{} with {} host{}",
        s.exchanges,
        if s.exchanges == 1 { "" } else { "s" },
        s.hosts.len(),
        if s.hosts.len() == 1 { "" } else { "s" }
    );
    for (host, n) in &s.hosts {
        let _ = writeln!(err, "  {host}: {n}");
    }
    if !s.not_inspected.is_empty() {
        let _ = writeln!(err, "not inspected ({}):", s.not_inspected.len());
        for (target, reason) in &s.not_inspected {
            let _ = writeln!(err, "  {target}: {reason}");
        }
    }
    if !s.upstream_errors.is_empty() {
        let _ = writeln!(err, "server errors ({}):", s.upstream_errors.len());
        for (target, e) in &s.upstream_errors {
            let _ = writeln!(err, "  {target}: {e}");
        }
    }
    match (&s.har, &s.har_error) {
        (Some(p), None) => {
            let _ = writeln!(err, "HAR written: {}", p.display());
        }
        (Some(p), Some(e)) => {
            let _ = writeln!(err, "HAR {} is incomplete: {e}", p.display());
        }
        _ => {}
    }
}

fn shell_word(p: &Path) -> String {
    let s = p.display().to_string();
    if s.chars()
        .all(|c| c.is_ascii_alphanumeric() || "/._-+:=@".contains(c))
    {
        s
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

fn ca(dir: Option<&Path>) -> Result<ExitCode> {
    let ca = load_ca(dir)?;
    let p = ca.paths();
    let mut out = std::io::stdout().lock();
    let text = format!(
        "CA certificate (PEM): {pem}\n\
         CA certificate (DER): {der}\n\
         {created}\
         The private key stays in {dir} (readable only by you); never copy or share it.\n\
         \n\
         Point the device at the proxy: run `privaudit proxy --listen 0.0.0.0:8080{ca_flag} -w session.har`\n\
         and set the Wi-Fi proxy of the device to this computer's address, port 8080. With the\n\
         proxy set, the device's browser can fetch the certificate from http://privaudit.proxy/privaudit-ca.crt\n\
         \n\
         Android\n\
         \x20 1. Install privaudit-ca.crt: Settings > Security > Encryption & credentials >\n\
         \x20    Install a certificate > CA certificate (wording varies by vendor).\n\
         \x20 2. Since Android 7 apps trust user-installed CAs only if they opt in. For the app's\n\
         \x20    debug build add res/xml/network_security_config.xml:\n\
         \x20      <network-security-config>\n\
         \x20        <debug-overrides>\n\
         \x20          <trust-anchors><certificates src=\"user\" /></trust-anchors>\n\
         \x20        </debug-overrides>\n\
         \x20      </network-security-config>\n\
         \x20    and android:networkSecurityConfig=\"@xml/network_security_config\" on <application>.\n\
         \x20 3. Rooted device or emulator (any build of the app): install it as a system CA named\n\
         \x20    after its subject hash: `openssl x509 -subject_hash_old -noout -in {pem}` gives HASH;\n\
         \x20    copy the PEM to /system/etc/security/cacerts/HASH.0 (mode 644). On Android 14+ the\n\
         \x20    store is /apex/com.android.conscrypt/cacerts and needs a bind mount (e.g. a Magisk module).\n\
         \n\
         iOS\n\
         \x20 1. Open http://privaudit.proxy/privaudit-ca.crt in Safari (or AirDrop the .crt file):\n\
         \x20    \"Profile Downloaded\".\n\
         \x20 2. Settings > General > VPN & Device Management: install the downloaded profile.\n\
         \x20 3. Settings > General > About > Certificate Trust Settings: turn on full trust for\n\
         \x20    \"privaudit interception CA\".\n\
         \n\
         Apps that pin their certificates refuse the proxy; their hosts are then tunnelled\n\
         untouched and listed as not inspected. Remove the CA from the device after testing.\n",
        pem = p.cert_pem.display(),
        der = p.cert_der.display(),
        dir = p.dir.display(),
        ca_flag = dir
            .map(|d| format!(" --ca-dir {}", shell_word(d)))
            .unwrap_or_default(),
        created = if ca.created() { "(created now)\n" } else { "" },
    );
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_masks_identifiers() {
        let m = masked_uri("/u/13911472658/x?imei=866910041573828&a=", false);
        assert!(!m.contains("13911472658"), "{m}");
        assert!(!m.contains("866910041573828"), "{m}");
        assert!(
            m.starts_with("/u/") && m.contains("imei=") && m.ends_with("&a="),
            "{m}"
        );
        assert_eq!(masked_uri("/a?b=c", true), "/a?b=c");
    }
}
