//! `privaudit proxy` as a user runs it: a child process on an ephemeral port, real
//! servers behind it (a Python HTTPS server for HTTP/1.1, nghttpd for HTTP/2, plain
//! HTTP) with their own test CA, curl as the client, SIGINT to stop; then the HAR it
//! wrote is read back and scanned.

mod common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::net::{Proc, free_port, wait_for_port};
use serde_json::Value;

/// A test CA and server certificates it (or another CA) issued, as PEM files.
struct Pki {
    dir: PathBuf,
}

impl Pki {
    fn ca(name: &str) -> (rcgen::CertificateParams, rcgen::KeyPair) {
        let key = rcgen::KeyPair::generate().unwrap();
        let mut params = rcgen::CertificateParams::default();
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, name);
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        params.key_usages = vec![
            rcgen::KeyUsagePurpose::KeyCertSign,
            rcgen::KeyUsagePurpose::DigitalSignature,
        ];
        (params, key)
    }

    /// Writes `<name>-ca.pem`, and `<name>.pem` / `<name>.key` for localhost and
    /// 127.0.0.1, valid now unless `expired`.
    fn issue(&self, name: &str, expired: bool) -> (PathBuf, PathBuf, PathBuf) {
        let (ca_params, ca_key) = Pki::ca(&format!("privaudit test CA {name}"));
        let ca_cert = ca_params.self_signed(&ca_key).unwrap();
        let issuer = rcgen::Issuer::new(ca_params, ca_key);
        let key = rcgen::KeyPair::generate().unwrap();
        let mut params =
            rcgen::CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".into()])
                .unwrap();
        params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
        params.use_authority_key_identifier_extension = true;
        if expired {
            params.not_before = rcgen::date_time_ymd(2020, 1, 1);
            params.not_after = rcgen::date_time_ymd(2021, 1, 1);
        } else {
            params.not_before = rcgen::date_time_ymd(2024, 1, 1);
            params.not_after = rcgen::date_time_ymd(2099, 1, 1);
        }
        let cert = params.signed_by(&key, &issuer).unwrap();
        let ca_path = self.dir.join(format!("{name}-ca.pem"));
        let cert_path = self.dir.join(format!("{name}.pem"));
        let key_path = self.dir.join(format!("{name}.key"));
        std::fs::write(&ca_path, ca_cert.pem()).unwrap();
        std::fs::write(&cert_path, cert.pem()).unwrap();
        std::fs::write(&key_path, key.serialize_pem()).unwrap();
        (ca_path, cert_path, key_path)
    }
}

/// An HTTP/1.1 server that answers every request with what it received (method,
/// path, body length) as JSON; HTTPS when given a certificate.
const ECHO_SERVER: &str = r#"
import http.server, json, ssl, sys
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def answer(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        out = json.dumps({"method": self.command, "path": self.path, "len": len(body)}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)
    do_GET = do_POST = do_PUT = answer
    def log_message(self, *args):
        pass
server = http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H)
if len(sys.argv) > 3:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(sys.argv[2], sys.argv[3])
    ctx.set_alpn_protocols(["http/1.1"])
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
server.serve_forever()
"#;

fn echo_server(dir: &Path, tls: Option<(&Path, &Path)>) -> (Proc, u16) {
    common::require_tool("python3");
    let script = dir.join("echo_server.py");
    std::fs::write(&script, ECHO_SERVER).unwrap();
    let port = free_port();
    let mut cmd = Command::new("python3");
    cmd.arg(&script).arg(port.to_string());
    if let Some((cert, key)) = tls {
        cmd.arg(cert).arg(key);
    }
    let child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the python echo server");
    let p = Proc(child);
    wait_for_port(port);
    (p, port)
}

/// nghttpd (HTTP/2 only, via ALPN) serving `docroot`.
fn h2_server(docroot: &Path, cert: &Path, key: &Path) -> (Proc, u16) {
    common::require_tool("nghttpd");
    let port = free_port();
    let child = Command::new("nghttpd")
        .arg("-d")
        .arg(docroot)
        .arg(port.to_string())
        .arg(key)
        .arg(cert)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start nghttpd");
    let p = Proc(child);
    wait_for_port(port);
    (p, port)
}

/// The proxy as a child process; its standard error is collected line by line.
struct ProxyRun {
    child: Option<Child>,
    port: u16,
    lines: Arc<Mutex<Vec<String>>>,
    reader: Option<std::thread::JoinHandle<()>>,
    stdout: Option<std::thread::JoinHandle<String>>,
    ca_pem: PathBuf,
}

impl ProxyRun {
    fn start(dir: &Path, extra: &[&str]) -> ProxyRun {
        let ca_dir = dir.join("ca");
        let mut child = Command::new(env!("CARGO_BIN_EXE_privaudit"))
            .args(["proxy", "--listen", "127.0.0.1:0", "--ca-dir"])
            .arg(&ca_dir)
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .env("NO_COLOR", "1")
            .spawn()
            .expect("start privaudit proxy");
        let stderr = child.stderr.take().expect("proxy stderr");
        // Read standard output as it comes so the child never blocks on a full pipe.
        let mut out = child.stdout.take().expect("proxy stdout");
        let stdout = std::thread::spawn(move || {
            let mut text = String::new();
            let _ = std::io::Read::read_to_string(&mut out, &mut text);
            text
        });
        let lines = Arc::new(Mutex::new(Vec::new()));
        let (tx, rx) = mpsc::channel();
        let seen = lines.clone();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if let Some(rest) = line.split("listening on ").nth(1) {
                    let _ = tx.send(rest.split_whitespace().next().unwrap_or("").to_string());
                }
                seen.lock().unwrap().push(line);
            }
        });
        let addr = match rx.recv_timeout(Duration::from_secs(30)) {
            Ok(a) => a,
            Err(_) => {
                let _ = child.kill();
                panic!(
                    "the proxy did not start listening:\n{}",
                    lines.lock().unwrap().join("\n")
                );
            }
        };
        let port = addr
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .expect("port in the listening line");
        ProxyRun {
            child: Some(child),
            port,
            lines,
            reader: Some(reader),
            stdout: Some(stdout),
            ca_pem: ca_dir.join("privaudit-ca.pem"),
        }
    }

    fn proxy_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// curl through the proxy: (exit code, body, stderr).
    fn curl(&self, args: &[&str]) -> (i32, String, String) {
        common::require_tool("curl");
        let out = Command::new("curl")
            .args(["-sS", "--max-time", "20", "--proxy", &self.proxy_url()])
            .args(args)
            .output()
            .expect("run curl");
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    /// curl that must succeed; returns its output.
    fn curl_ok(&self, args: &[&str]) -> String {
        let (code, out, err) = self.curl(args);
        assert_eq!(
            code,
            0,
            "curl {args:?} failed: {err}\nproxy log:\n{}",
            self.log()
        );
        out
    }

    fn log(&self) -> String {
        self.lines.lock().unwrap().join("\n")
    }

    /// SIGINT, as Ctrl-C sends; returns (exit status, stdout, the whole log).
    fn interrupt(mut self) -> (std::process::ExitStatus, String, String) {
        let mut child = self.child.take().expect("running proxy");
        let ok = Command::new("kill")
            .args(["-INT", &child.id().to_string()])
            .status()
            .expect("run kill")
            .success();
        assert!(ok, "kill -INT failed");
        let start = Instant::now();
        let status = loop {
            if let Some(s) = child.try_wait().expect("wait for the proxy") {
                break s;
            }
            if start.elapsed() > Duration::from_secs(20) {
                let _ = child.kill();
                panic!(
                    "the proxy did not stop within 20 s of SIGINT:\n{}",
                    self.log()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        if let Some(r) = self.reader.take() {
            let _ = r.join();
        }
        let stdout = self
            .stdout
            .take()
            .and_then(|h| h.join().ok())
            .unwrap_or_default();
        (status, stdout, self.log())
    }
}

impl Drop for ProxyRun {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

fn read_json(path: &Path) -> Value {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_slice(&bytes)
        .unwrap_or_else(|e| panic!("{} is not valid JSON: {e}", path.display()))
}

fn entries(har: &Value) -> &Vec<Value> {
    har["log"]["entries"].as_array().expect("log.entries")
}

/// Waits until the HAR holds `n` entries (exchanges are written as they complete).
fn wait_for_entries(path: &Path, n: usize) -> Value {
    let start = Instant::now();
    loop {
        let har = read_json(path);
        if entries(&har).len() >= n || start.elapsed() > Duration::from_secs(10) {
            return har;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

const IMEI: &str = "866910041573828";
const PHONE: &str = "13911472658";

#[test]
fn intercepts_http1_http2_and_plain_http_into_a_har_that_scan_reads() {
    let tmp = tempfile::tempdir().unwrap();
    let pki = Pki {
        dir: tmp.path().to_path_buf(),
    };
    let (test_ca, cert, key) = pki.issue("server", false);
    let (_h1, h1_port) = echo_server(tmp.path(), Some((&cert, &key)));
    let (_plain, plain_port) = echo_server(tmp.path(), None);
    let docroot = tmp.path().join("docroot");
    std::fs::create_dir_all(&docroot).unwrap();
    std::fs::write(docroot.join("hello.txt"), "hello over h2\n").unwrap();
    let (_h2, h2_port) = h2_server(&docroot, &cert, &key);

    let har_path = tmp.path().join("out.har");
    let proxy = ProxyRun::start(
        tmp.path(),
        &[
            "-w",
            har_path.to_str().unwrap(),
            "--upstream-ca",
            test_ca.to_str().unwrap(),
        ],
    );
    let our_ca = proxy.ca_pem.to_str().unwrap().to_string();

    // HTTP/1.1 GET with an IMEI in the query.
    let url = format!("https://localhost:{h1_port}/v1/device?imei={IMEI}");
    let out = proxy.curl_ok(&["--cacert", &our_ca, "--http1.1", &url]);
    assert!(out.contains(&format!("/v1/device?imei={IMEI}")), "{out}");
    // HTTP/1.1 POST of JSON with a phone number.
    let json_body = format!(r#"{{"user":{{"phone":"{PHONE}"}}}}"#);
    let url = format!("https://localhost:{h1_port}/v1/register");
    let out = proxy.curl_ok(&[
        "--cacert",
        &our_ca,
        "--http1.1",
        "-H",
        "Content-Type: application/json",
        "--data-binary",
        &json_body,
        &url,
    ]);
    assert!(
        out.contains(&format!("\"len\": {}", json_body.len())),
        "{out}"
    );
    // HTTP/2 GET and POST, end to end (nghttpd speaks nothing else).
    let url = format!("https://localhost:{h2_port}/hello.txt?imei={IMEI}");
    let out = proxy.curl_ok(&[
        "--cacert",
        &our_ca,
        "--http2",
        "-w",
        "\n%{http_version}",
        &url,
    ]);
    assert_eq!(out, "hello over h2\n\n2", "curl spoke HTTP/2 to the proxy");
    let url = format!("https://localhost:{h2_port}/hello.txt");
    proxy.curl_ok(&[
        "--cacert",
        &our_ca,
        "--http2",
        "--data-binary",
        &format!("phone={PHONE}&note=h2"),
        &url,
    ]);
    // Plain HTTP through the proxy (absolute URI).
    let url = format!("http://127.0.0.1:{plain_port}/plain?imei={IMEI}");
    let out = proxy.curl_ok(&[&url]);
    assert!(out.contains("/plain?imei="), "{out}");

    // The proxy's own page hands out the CA certificate (not recorded as traffic).
    common::require_tool("curl");
    let der = Command::new("curl")
        .args(["-sS", "--max-time", "10", "--proxy", &proxy.proxy_url()])
        .arg("http://privaudit.proxy/privaudit-ca.crt")
        .output()
        .unwrap();
    assert!(der.status.success());
    assert_eq!(
        der.stdout,
        std::fs::read(tmp.path().join("ca/privaudit-ca.crt")).unwrap()
    );

    // The HAR is complete and valid while the proxy still runs.
    let live = wait_for_entries(&har_path, 5);
    assert_eq!(entries(&live).len(), 5, "{}", proxy.log());

    let (status, _, log) = proxy.interrupt();
    assert!(status.success(), "proxy exit {status:?}\n{log}");
    assert!(log.contains("5 exchanges with 2 hosts"), "{log}");
    assert!(log.contains("HAR written"), "{log}");
    // The log masks values, but names the data types found in each exchange.
    assert!(!log.contains(IMEI), "the log leaked the IMEI:\n{log}");
    assert!(
        log.lines()
            .any(|l| l.contains("/v1/device") && l.contains("[personal data: IMEI")),
        "{log}"
    );
    assert!(
        log.lines()
            .any(|l| l.contains("/v1/register") && l.contains("Phone number")),
        "{log}"
    );
    // The hosts table at the end.
    assert!(log.contains("hosts seen through the proxy"), "{log}");

    let har = read_json(&har_path);
    assert_eq!(har["log"]["version"], "1.2");
    assert_eq!(har["log"]["creator"]["name"], "privaudit");
    let es = entries(&har);
    assert_eq!(es.len(), 5);
    let by_url = |needle: &str, method: &str| -> &Value {
        es.iter()
            .find(|e| {
                e["request"]["url"].as_str().unwrap_or("").contains(needle)
                    && e["request"]["method"] == method
            })
            .unwrap_or_else(|| panic!("no {method} {needle} in {har:#}"))
    };
    let e = by_url("/v1/device", "GET");
    assert_eq!(
        e["request"]["url"],
        format!("https://localhost:{h1_port}/v1/device?imei={IMEI}")
    );
    assert_eq!(e["request"]["httpVersion"], "HTTP/1.1");
    assert_eq!(e["request"]["queryString"][0]["value"], IMEI);
    assert_eq!(e["response"]["status"], 200);
    assert!(
        e["response"]["content"]["text"]
            .as_str()
            .unwrap()
            .contains("/v1/device")
    );
    for key in [
        "startedDateTime",
        "time",
        "cache",
        "timings",
        "serverIPAddress",
    ] {
        assert!(e.get(key).is_some(), "entry lacks {key}");
    }
    let e = by_url("/v1/register", "POST");
    assert_eq!(e["request"]["postData"]["text"], json_body);
    assert_eq!(e["request"]["postData"]["mimeType"], "application/json");
    assert_eq!(e["request"]["bodySize"], json_body.len());
    let e = by_url("/hello.txt?imei", "GET");
    assert_eq!(e["request"]["httpVersion"], "HTTP/2.0");
    assert_eq!(e["response"]["httpVersion"], "HTTP/2.0");
    assert_eq!(e["response"]["content"]["text"], "hello over h2\n");
    let e = by_url("/hello.txt", "POST");
    assert_eq!(e["request"]["httpVersion"], "HTTP/2.0");
    assert_eq!(
        e["request"]["postData"]["text"],
        format!("phone={PHONE}&note=h2")
    );
    let e = by_url("/plain", "GET");
    assert!(
        e["request"]["url"]
            .as_str()
            .unwrap()
            .starts_with("http://127.0.0.1:")
    );

    // The rest of privaudit reads it like any HAR.
    let out = common::privaudit(&["scan", har_path.to_str().unwrap(), "--format", "jsonl"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let obs: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let types: Vec<&str> = obs.iter().filter_map(|o| o["data_type"].as_str()).collect();
    assert!(types.contains(&"device.identifier.imei"), "{types:?}");
    assert!(types.contains(&"contact.phone_number"), "{types:?}");
    // The HTTP/2 body too, not only the HTTP/1.1 one.
    assert!(
        obs.iter().any(|o| o["data_type"] == "contact.phone_number"
            && o["uri"].as_str().unwrap_or("").contains("hello.txt")),
        "{obs:?}"
    );
}

#[test]
fn a_client_that_refuses_our_ca_is_tunnelled_untouched_next_time() {
    let tmp = tempfile::tempdir().unwrap();
    let pki = Pki {
        dir: tmp.path().to_path_buf(),
    };
    let (test_ca, cert, key) = pki.issue("server", false);
    let (_srv, port) = echo_server(tmp.path(), Some((&cert, &key)));
    let har_path = tmp.path().join("out.har");
    let proxy = ProxyRun::start(
        tmp.path(),
        &[
            "-w",
            har_path.to_str().unwrap(),
            "--upstream-ca",
            test_ca.to_str().unwrap(),
        ],
    );
    let url = format!("https://localhost:{port}/pinned?imei={IMEI}");
    // The client trusts only the server's real CA, as a pinning app does: it
    // refuses the proxy's certificate.
    let (code, _, err) = proxy.curl(&["--cacert", test_ca.to_str().unwrap(), &url]);
    assert_eq!(
        code, 60,
        "curl should refuse the proxy's certificate: {err}"
    );
    // The next connection is passed through untouched: the client sees the real
    // server's certificate (it verifies against the real CA and no longer against ours).
    let start = Instant::now();
    while !proxy.log().contains("later connections") {
        assert!(start.elapsed() < Duration::from_secs(10), "{}", proxy.log());
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = proxy.curl_ok(&["--cacert", test_ca.to_str().unwrap(), &url]);
    assert!(out.contains("/pinned?imei="), "{out}");
    let our_ca = proxy.ca_pem.to_str().unwrap().to_string();
    let (code, _, err) = proxy.curl(&["--cacert", &our_ca, &url]);
    assert_eq!(code, 60, "a tunnel must show the real certificate: {err}");

    let (status, _, log) = proxy.interrupt();
    assert!(status.success(), "{log}");
    assert!(
        log.contains(&format!("CONNECT localhost:{port} not inspected (pinned?")),
        "{log}"
    );
    let summary = log.split("proxy stopped").nth(1).unwrap_or_default();
    assert!(summary.contains("not inspected (1)"), "{log}");
    assert!(
        summary.contains(&format!("localhost:{port}: pinned?")),
        "{log}"
    );
    assert!(summary.contains("UnknownCA"), "{log}");
    // Nothing of the tunnelled traffic is in the HAR, which says so.
    let har = read_json(&har_path);
    assert!(entries(&har).is_empty(), "{har:#}");
    assert_eq!(
        har["log"]["_privaudit"]["notInspected"][0]["host"],
        format!("localhost:{port}")
    );
}

#[test]
fn an_invalid_upstream_certificate_gets_a_502_naming_the_error() {
    let tmp = tempfile::tempdir().unwrap();
    let pki = Pki {
        dir: tmp.path().to_path_buf(),
    };
    let (trusted_ca, _, _) = pki.issue("trusted", false);
    // Issued by a CA the proxy was not told to trust.
    let (_, cert, key) = pki.issue("untrusted", false);
    let (_bad, bad_port) = echo_server(tmp.path(), Some((&cert, &key)));
    // Issued by the trusted CA but expired.
    let (expired_ca, cert, key) = pki.issue("expired", true);
    let (_old, old_port) = echo_server(tmp.path(), Some((&cert, &key)));

    let har_path = tmp.path().join("out.har");
    let proxy = ProxyRun::start(
        tmp.path(),
        &[
            "-w",
            har_path.to_str().unwrap(),
            "--upstream-ca",
            trusted_ca.to_str().unwrap(),
            "--upstream-ca",
            expired_ca.to_str().unwrap(),
        ],
    );
    let our_ca = proxy.ca_pem.to_str().unwrap().to_string();
    let url = format!("https://localhost:{bad_port}/secret?imei={IMEI}");
    let out = proxy.curl_ok(&["--cacert", &our_ca, "-w", "\n%{http_code}", &url]);
    assert!(out.ends_with("\n502"), "{out}");
    assert!(out.contains(&format!("localhost:{bad_port}")), "{out}");
    // Said in plain words, with what to do.
    assert!(
        out.contains("does not trust") && out.contains("--upstream-ca"),
        "{out}"
    );
    assert!(!out.contains("UnknownIssuer"), "{out}");
    assert!(out.contains("not forwarded"), "{out}");

    let url = format!("https://localhost:{old_port}/old");
    let out = proxy.curl_ok(&["--cacert", &our_ca, "-w", "\n%{http_code}", &url]);
    assert!(out.ends_with("\n502"), "{out}");
    assert!(out.to_lowercase().contains("expired"), "{out}");

    let (status, _, log) = proxy.interrupt();
    assert!(status.success(), "{log}");
    assert!(
        log.contains(&format!(
            "CONNECT localhost:{bad_port}: server certificate invalid"
        )),
        "{log}"
    );
    let summary = log.split("proxy stopped").nth(1).unwrap_or_default();
    assert!(summary.contains("server errors (2)"), "{log}");
    // Nothing reached those servers, so nothing is recorded as sent.
    let har = read_json(&har_path);
    assert!(entries(&har).is_empty(), "{har:#}");
}

#[test]
fn proxy_ca_prints_the_certificate_paths_never_the_key() {
    let tmp = tempfile::tempdir().unwrap();
    let ca_dir = tmp.path().join("ca");
    let out = common::privaudit(&["proxy", "ca", "--ca-dir", ca_dir.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let pem = ca_dir.join("privaudit-ca.pem");
    let der = ca_dir.join("privaudit-ca.crt");
    let key = ca_dir.join("privaudit-ca-key.pem");
    assert!(text.contains(pem.to_str().unwrap()), "{text}");
    assert!(text.contains(der.to_str().unwrap()), "{text}");
    assert!(text.contains("network_security_config"), "{text}");
    // The command it suggests uses the same CA folder.
    assert!(
        text.contains(&format!("--ca-dir {}", ca_dir.to_str().unwrap())),
        "{text}"
    );
    assert!(text.contains("Certificate Trust Settings"), "{text}");
    let all = format!("{text}{}", String::from_utf8_lossy(&out.stderr));
    assert!(!all.contains("PRIVATE KEY"), "{all}");
    let key_text = std::fs::read_to_string(&key).unwrap();
    assert!(key_text.contains("PRIVATE KEY"));
    let key_body: String = key_text
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect();
    assert!(!all.contains(&key_body[..20]), "key material printed");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&key).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "key mode {:o}", mode & 0o777);
        let dir_mode = std::fs::metadata(&ca_dir).unwrap().permissions().mode();
        assert_eq!(dir_mode & 0o077, 0, "CA folder mode {:o}", dir_mode & 0o777);
    }
    // PEM and DER hold the same certificate, and a second run reuses it.
    let pem_text = std::fs::read_to_string(&pem).unwrap();
    assert!(pem_text.contains("BEGIN CERTIFICATE"));
    let der_bytes = std::fs::read(&der).unwrap();
    use base64::Engine as _;
    let from_pem = base64::engine::general_purpose::STANDARD
        .decode(
            pem_text
                .lines()
                .filter(|l| !l.starts_with("-----"))
                .collect::<String>(),
        )
        .unwrap();
    assert_eq!(from_pem, der_bytes);
    let again = common::privaudit(&["proxy", "ca", "--ca-dir", ca_dir.to_str().unwrap()]);
    assert!(again.status.success());
    assert_eq!(std::fs::read_to_string(&pem).unwrap(), pem_text);
    // openssl agrees it is a CA certificate.
    common::require_tool("openssl");
    let o = Command::new("openssl")
        .args(["x509", "-noout", "-text", "-in"])
        .arg(&pem)
        .output()
        .unwrap();
    let o = String::from_utf8_lossy(&o.stdout);
    assert!(o.contains("CA:TRUE"), "{o}");
}

#[test]
fn a_non_loopback_listener_warns_loudly() {
    let tmp = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_privaudit"))
        .args(["proxy", "--listen", "0.0.0.0:0", "--ca-dir"])
        .arg(tmp.path().join("ca"))
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let mut text = String::new();
    for line in BufReader::new(stderr).lines() {
        let line = line.unwrap();
        text.push_str(&line);
        text.push('\n');
        if line.contains("Anyone who can reach it") {
            break;
        }
    }
    let _ = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status();
    let _ = child.wait();
    assert!(
        text.contains("this proxy is reachable from the network"),
        "{text}"
    );
}

#[test]
fn with_a_policy_the_recorded_traffic_is_audited_on_exit() {
    let tmp = tempfile::tempdir().unwrap();
    let (_plain, port) = echo_server(tmp.path(), None);
    let policy = tmp.path().join("policy.toml");
    std::fs::write(
        &policy,
        r#"
[app]
name = "Proxy test app"
first_party = ["example-app.com"]

[[collect]]
clause = "1.1"
data = ["contact.phone_number"]
quote = "We collect your phone number."
"#,
    )
    .unwrap();
    let har_path = tmp.path().join("session.har");
    let proxy = ProxyRun::start(
        tmp.path(),
        &[
            "-w",
            har_path.to_str().unwrap(),
            "--policy",
            policy.to_str().unwrap(),
        ],
    );
    let url = format!("http://127.0.0.1:{port}/track?imei={IMEI}");
    proxy.curl_ok(&[&url]);
    wait_for_entries(&har_path, 1);
    let (status, stdout, log) = proxy.interrupt();
    let expected = format!(
        "privaudit audit --policy {} {}",
        policy.display(),
        har_path.display()
    );
    assert!(log.contains(&expected), "{log}");
    // The undeclared IMEI is a finding, so the audit (and the proxy) exits 1.
    assert_eq!(status.code(), Some(1), "{log}\n{stdout}");
    assert!(
        stdout.contains("imei") || stdout.contains("IMEI"),
        "{stdout}"
    );
}

/// A TLS server that answers any request with 101 and then echoes bytes upper-cased,
/// and a client that upgrades through the proxy (CONNECT, TLS with our CA).
const UPGRADE_SERVER: &str = r#"
import socket, ssl, sys, threading
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(sys.argv[2], sys.argv[3])
ctx.set_alpn_protocols(["http/1.1"])
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", int(sys.argv[1])))
srv.listen()
def handle(raw):
    try:
        c = ctx.wrap_socket(raw, server_side=True)
        data = b""
        while b"\r\n\r\n" not in data:
            data += c.recv(4096)
        c.sendall(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: shout\r\nConnection: Upgrade\r\n\r\n")
        while True:
            d = c.recv(4096)
            if not d:
                break
            c.sendall(d.upper())
    except Exception:
        pass
while True:
    conn, _ = srv.accept()
    threading.Thread(target=handle, args=(conn,), daemon=True).start()
"#;

const UPGRADE_CLIENT: &str = r#"
import socket, ssl, sys
proxy_port, port, cafile = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
s = socket.create_connection(("127.0.0.1", proxy_port), timeout=10)
s.sendall(f"CONNECT localhost:{port} HTTP/1.1\r\nHost: localhost:{port}\r\n\r\n".encode())
head = b""
while b"\r\n\r\n" not in head:
    head += s.recv(1)
assert b" 200" in head.split(b"\r\n")[0], head
ctx = ssl.create_default_context(cafile=cafile)
ctx.set_alpn_protocols(["http/1.1"])
t = ctx.wrap_socket(s, server_hostname="localhost")
t.sendall(f"GET /chat HTTP/1.1\r\nHost: localhost:{port}\r\nConnection: Upgrade\r\nUpgrade: shout\r\n\r\n".encode())
head = b""
while b"\r\n\r\n" not in head:
    head += t.recv(1)
assert b" 101" in head.split(b"\r\n")[0], head
t.sendall(b"ping")
print(t.recv(100).decode())
"#;

#[test]
fn upgraded_connections_are_relayed_and_listed_as_not_inspected() {
    common::require_tool("python3");
    let tmp = tempfile::tempdir().unwrap();
    let pki = Pki {
        dir: tmp.path().to_path_buf(),
    };
    let (test_ca, cert, key) = pki.issue("server", false);
    let server_py = tmp.path().join("upgrade_server.py");
    let client_py = tmp.path().join("upgrade_client.py");
    std::fs::write(&server_py, UPGRADE_SERVER).unwrap();
    std::fs::write(&client_py, UPGRADE_CLIENT).unwrap();
    let port = free_port();
    let _srv = Proc(
        Command::new("python3")
            .arg(&server_py)
            .arg(port.to_string())
            .arg(&cert)
            .arg(&key)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    wait_for_port(port);
    let har_path = tmp.path().join("out.har");
    let proxy = ProxyRun::start(
        tmp.path(),
        &[
            "-w",
            har_path.to_str().unwrap(),
            "--upstream-ca",
            test_ca.to_str().unwrap(),
        ],
    );
    let out = Command::new("python3")
        .arg(&client_py)
        .arg(proxy.port.to_string())
        .arg(port.to_string())
        .arg(&proxy.ca_pem)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stderr),
        proxy.log()
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "PING");
    let (status, _, log) = proxy.interrupt();
    assert!(status.success(), "{log}");
    assert!(log.contains("switched to shout"), "{log}");
    let har = read_json(&har_path);
    let es = entries(&har);
    assert_eq!(es.len(), 1, "{har:#}");
    assert_eq!(es[0]["response"]["status"], 101);
    assert!(es[0].get("_error").is_none(), "{har:#}");
}
