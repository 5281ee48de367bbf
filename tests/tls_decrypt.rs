//! TLS decryption: the corpus's captures with key logs (checked against tshark's
//! oracle), and captures made here — curl with SSLKEYLOGFILE against openssl s_server
//! (TLS 1.2 and 1.3, each cipher suite in turn) and nghttpd (HTTP/2), tcpdump on
//! loopback — where planted personal data must come out of `scan` as
//! `https-decrypted`.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use common::net;
use serde_json::Value;

fn conn(records: &[Value]) -> Vec<&Value> {
    records
        .iter()
        .filter(|r| r["kind"] == "conn" && r["service"] == "tls")
        .collect()
}

#[test]
fn corpus_key_logs_decrypt_what_tshark_decrypts() {
    let c = common::corpus();
    // "ping"/"pong" application data (tshark's decrypted samples: 70696e67, 706f6e67).
    for (pcap, keylog) in [
        ("tls/illustrated-tls12.pcap", "tls/illustrated-tls12.keylog"),
        ("tls/illustrated-tls13.pcap", "tls/illustrated-tls13.keylog"),
    ] {
        let (records, stderr, code) = common::flows_jsonl(
            &c.join(pcap),
            &["--keylog", c.join(keylog).to_str().unwrap()],
        );
        assert_eq!(code, 0, "{stderr}");
        let tls = conn(&records);
        assert_eq!(tls.len(), 1, "{pcap}");
        assert_eq!(tls[0]["decrypted"], true, "{pcap}: {}", tls[0]);
        assert_eq!(tls[0]["plaintext_up"], 4, "{pcap}");
        assert_eq!(tls[0]["plaintext_down"], 4, "{pcap}");
        // Without the key log: the reason is said.
        let (records, _, _) = common::flows_jsonl(&c.join(pcap), &[]);
        assert_eq!(conn(&records)[0]["not_decrypted"], "no key log given");
    }
    // HTTP/2 over TLS with the secrets embedded in the pcapng (DSB): every request
    // tshark decrypted, at the same frame.
    for file in [
        "tls/ja4_http2-with-cookies.pcapng",
        "tls/ja4_chrome-cloudflare-quic-with-secrets.pcapng",
    ] {
        let oracle: Value = serde_json::from_slice(
            &std::fs::read(c.join("oracles").join(format!(
                "{}.json",
                Path::new(file).file_name().unwrap().to_string_lossy()
            )))
            .unwrap(),
        )
        .unwrap();
        let (records, stderr, code) = common::flows_jsonl(&c.join(file), &[]);
        assert_eq!(code, 0, "{stderr}");
        let http: Vec<&Value> = records.iter().filter(|r| r["kind"] == "http").collect();
        let expected = oracle["results_with_keylog"]["http2_requests"]
            .as_array()
            .unwrap();
        assert!(!expected.is_empty());
        for e in expected {
            let frame = e["frame"].as_u64().unwrap();
            assert!(
                http.iter().any(|r| {
                    let first = r["frame"].as_u64().unwrap();
                    let last = r["last_frame"].as_u64().unwrap_or(first);
                    (first..=last).contains(&frame)
                        && r["method"] == e["method"]
                        && r["uri"] == e["path"]
                        && r["host"] == e["authority"]
                        && r["transport"] == "https-decrypted"
                        && r["version"] == "HTTP/2"
                }),
                "{file}: tshark's HTTP/2 request at frame {frame} {} {} not found",
                e["method"],
                e["path"]
            );
        }
    }
}

#[test]
fn keylog_inject_makes_one_self_sufficient_file() {
    let c = common::corpus();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("with-keys.pcapng");
    let run = common::privaudit(&[
        "keylog",
        "inject",
        c.join("tls/illustrated-tls13.pcap").to_str().unwrap(),
        "--keylog",
        c.join("tls/illustrated-tls13.keylog").to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let (records, _, _) = common::flows_jsonl(&out, &[]);
    assert_eq!(conn(&records)[0]["decrypted"], true);
    // tshark reads our DSB too.
    common::require_tool("tshark");
    let t = Command::new("tshark")
        .arg("-r")
        .arg(&out)
        .args(["-Y", "tls.app_data", "-x"])
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&t.stdout).contains("Decrypted TLS"),
        "tshark did not decrypt our pcapng"
    );
    // A file that is not a key log is refused.
    let bad = dir.path().join("bad.keylog");
    std::fs::write(&bad, "hello\n").unwrap();
    let run = common::privaudit(&[
        "keylog",
        "inject",
        c.join("tls/illustrated-tls13.pcap").to_str().unwrap(),
        "--keylog",
        bad.to_str().unwrap(),
        "-o",
        dir.path().join("x.pcapng").to_str().unwrap(),
    ]);
    assert_eq!(run.status.code(), Some(2));
}

const PLANTED: &str = "imei=490154203237518&mobile=13812345678";

/// curl, with SSLKEYLOGFILE, fetching `paths` (each with [`PLANTED`] in its query) from
/// openssl s_server in one TLS configuration, captured by tcpdump. Returns the folder
/// (kept alive while the files are used), the key log and the capture.
fn curl_session(
    server_args: &[&str],
    curl_args: &[&str],
    paths: &[&str],
) -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = net::self_signed(dir.path());
    let port = net::free_port();
    let _servers = net::tls_server(&cert, &key, port, server_args);
    let keylog = dir.path().join("keys.log");
    let pcap = dir.path().join("tls.pcap");
    let capture = net::Capture::start("lo", &format!("tcp port {port}"), &pcap);
    let mut curl = Command::new("curl");
    curl.args(["-sS", "-k", "--max-time", "10", "-4"])
        .args(curl_args);
    for path in paths {
        curl.args(["-o", "/dev/null"])
            .arg(format!("https://localhost:{port}{path}?{PLANTED}"));
    }
    let out = curl.env("SSLKEYLOGFILE", &keylog).output().expect("curl");
    assert!(
        out.status.success(),
        "curl {curl_args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let pcap = capture.stop();
    (dir, keylog, pcap)
}

/// `privaudit COMMAND --format jsonl --keylog KEYLOG PCAP`, which must exit 0.
fn jsonl_with_keys(command: &str, keylog: &Path, pcap: &Path) -> Vec<Value> {
    let run = common::privaudit(&[
        command,
        "--format",
        "jsonl",
        "--keylog",
        keylog.to_str().unwrap(),
        pcap.to_str().unwrap(),
    ]);
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    String::from_utf8_lossy(&run.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// curl through one TLS configuration of openssl s_server; returns observations.
fn session(server_args: &[&str], curl_args: &[&str]) -> Vec<Value> {
    let (_dir, keylog, pcap) = curl_session(server_args, curl_args, &["/app/report"]);
    jsonl_with_keys("scan", &keylog, &pcap)
}

#[test]
fn every_cipher_suite_decrypts_live_sessions() {
    common::require_tool("openssl");
    common::require_tool("curl");
    let cases: &[(&str, &[&str], &[&str])] = &[
        (
            "TLS1.3 AES-128-GCM",
            &["-tls1_3", "-ciphersuites", "TLS_AES_128_GCM_SHA256"],
            &["--tlsv1.3"],
        ),
        (
            "TLS1.3 AES-256-GCM",
            &["-tls1_3", "-ciphersuites", "TLS_AES_256_GCM_SHA384"],
            &["--tlsv1.3"],
        ),
        (
            "TLS1.3 ChaCha20",
            &["-tls1_3", "-ciphersuites", "TLS_CHACHA20_POLY1305_SHA256"],
            &["--tlsv1.3"],
        ),
        (
            "TLS1.2 ECDHE-ECDSA-AES128-GCM-SHA256",
            &["-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256"],
            &["--tls-max", "1.2"],
        ),
        (
            "TLS1.2 ECDHE-ECDSA-AES256-GCM-SHA384",
            &["-tls1_2", "-cipher", "ECDHE-ECDSA-AES256-GCM-SHA384"],
            &["--tls-max", "1.2"],
        ),
        (
            "TLS1.2 ECDHE-ECDSA-CHACHA20-POLY1305",
            &["-tls1_2", "-cipher", "ECDHE-ECDSA-CHACHA20-POLY1305"],
            &["--tls-max", "1.2"],
        ),
        (
            "TLS1.2 ECDHE-ECDSA-AES128-SHA (CBC)",
            &["-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-SHA"],
            &["--tls-max", "1.2"],
        ),
        (
            "TLS1.2 ECDHE-ECDSA-AES256-SHA384 (CBC, no EtM)",
            &["-tls1_2", "-cipher", "ECDHE-ECDSA-AES256-SHA384", "-no_etm"],
            &["--tls-max", "1.2"],
        ),
    ];
    let mut failures = Vec::new();
    for (name, server, client) in cases {
        let obs = session(server, client);
        let types: Vec<&str> = obs
            .iter()
            .filter(|o| o["transport"] == "https-decrypted")
            .map(|o| o["data_type"].as_str().unwrap())
            .collect();
        if !(types.contains(&"device.identifier.imei") && types.contains(&"contact.phone_number")) {
            failures.push(format!("{name}: found {types:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn http2_over_tls_with_nghttpd() {
    common::require_tool("nghttpd");
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = net::self_signed(dir.path());
    let port = net::free_port();
    std::fs::write(dir.path().join("index.html"), "ok").unwrap();
    let server = Command::new("nghttpd")
        .args(["-d"])
        .arg(dir.path())
        .arg(port.to_string())
        .arg(&key)
        .arg(&cert)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start nghttpd");
    let _server = net::Proc(server);
    net::wait_for_port(port);
    let keylog = dir.path().join("keys.log");
    let pcap = dir.path().join("h2.pcap");
    let capture = net::Capture::start("lo", &format!("tcp port {port}"), &pcap);
    let body = r#"{"device":{"mac":"AC:37:43:4D:9B:1E","email":"li.na@example.com"}}"#;
    let out = Command::new("curl")
        .args([
            "-sS",
            "-k",
            "--http2",
            "--max-time",
            "10",
            "-4",
            "-o",
            "/dev/null",
            "-H",
            "Content-Type: application/json",
            "--data",
            body,
        ])
        .arg(format!("https://localhost:{port}/index.html?{PLANTED}"))
        .env("SSLKEYLOGFILE", &keylog)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let pcap = capture.stop();
    let (records, _, _) = common::flows_jsonl(&pcap, &["--keylog", keylog.to_str().unwrap()]);
    let http: Vec<&Value> = records.iter().filter(|r| r["kind"] == "http").collect();
    assert_eq!(http.len(), 1, "{records:#?}");
    assert_eq!(http[0]["version"], "HTTP/2");
    assert_eq!(http[0]["method"], "POST");
    assert_eq!(http[0]["transport"], "https-decrypted");
    let scan = common::privaudit(&[
        "scan",
        "--format",
        "jsonl",
        "--keylog",
        keylog.to_str().unwrap(),
        pcap.to_str().unwrap(),
    ]);
    let text = String::from_utf8_lossy(&scan.stdout);
    for t in [
        "device.identifier.imei",
        "device.identifier.mac",
        "contact.email",
        "contact.phone_number",
    ] {
        assert!(
            text.contains(&format!("\"data_type\":\"{t}\"")),
            "{t} missing: {text}"
        );
    }
    assert!(
        text.contains("\"field\":\"body.json.device.mac\""),
        "{text}"
    );
}

/// Resumed TLS sessions (an abbreviated handshake with no key exchange) decrypt with
/// the key log's line for their own client random, and are marked `resumed`: curl
/// fetches two URLs from `openssl s_server -www` (which closes after each answer), so
/// the second connection resumes the first session from curl's cache.
#[test]
fn resumed_sessions_decrypt_and_are_marked() {
    common::require_tool("openssl");
    common::require_tool("curl");
    let cases: &[(&str, &[&str], &[&str])] = &[
        ("TLS1.2 session ticket", &["-tls1_2"], &["--tls-max", "1.2"]),
        (
            "TLS1.2 session id",
            &["-tls1_2", "-no_ticket"],
            &["--tls-max", "1.2"],
        ),
        ("TLS1.3 PSK", &["-tls1_3"], &["--tlsv1.3"]),
    ];
    let mut failures = Vec::new();
    for (name, server_args, curl_args) in cases {
        let (_dir, keylog, pcap) = curl_session(server_args, curl_args, &["/first", "/second"]);
        let records = jsonl_with_keys("flows", &keylog, &pcap);
        let hellos: Vec<&Value> = records.iter().filter(|r| r["kind"] == "tls").collect();
        let resumed: Vec<bool> = hellos.iter().map(|r| r["resumed"] == true).collect();
        let decrypted: Vec<&str> = records
            .iter()
            .filter(|r| r["kind"] == "http" && r["transport"] == "https-decrypted")
            .filter_map(|r| r["uri"].as_str())
            .collect();
        if resumed != [false, true]
            || !decrypted.iter().any(|u| u.starts_with("/first?"))
            || !decrypted.iter().any(|u| u.starts_with("/second?"))
        {
            failures.push(format!(
                "{name}: resumed flags {resumed:?}, decrypted {decrypted:?}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A Python `ssl` server that writes the key log itself (`SSLContext.keylog_filename`,
/// as a server-side test harness would), TLS 1.2 and 1.3, with curl POSTing JSON that
/// carries personal data: the body must come out of `scan` decrypted.
#[test]
fn python_ssl_server_key_log_decrypts_a_json_post() {
    common::require_tool("python3");
    common::require_tool("curl");
    const SERVER: &str = r#"
import http.server, ssl, sys
cert, key, port, keylog, version = sys.argv[1:6]
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")
    def log_message(self, *a):
        pass
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
ctx.keylog_filename = keylog
v = ssl.TLSVersion.TLSv1_2 if version == "1.2" else ssl.TLSVersion.TLSv1_3
ctx.minimum_version = ctx.maximum_version = v
srv = http.server.HTTPServer(("127.0.0.1", int(port)), H)
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
srv.serve_forever()
"#;
    let mut failures = Vec::new();
    for version in ["1.2", "1.3"] {
        let dir = tempfile::tempdir().unwrap();
        let (cert, key) = net::self_signed(dir.path());
        let port = net::free_port();
        let keylog = dir.path().join("server-keys.log");
        let server = Command::new("python3")
            .args(["-c", SERVER])
            .arg(&cert)
            .arg(&key)
            .arg(port.to_string())
            .arg(&keylog)
            .arg(version)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start python3");
        let _server = common::net::Proc(server);
        net::wait_for_port(port);
        let pcap = dir.path().join("py.pcap");
        let capture = net::Capture::start("lo", &format!("tcp port {port}"), &pcap);
        let body = r#"{"device":{"imei":"490154203237518"},"user":{"mobile":"13812345678"}}"#;
        let out = Command::new("curl")
            .args(["-sS", "-k", "--max-time", "10", "-4", "-o", "/dev/null"])
            .args([
                "-H",
                "Content-Type: application/json",
                "--data-binary",
                body,
            ])
            .arg(format!("https://localhost:{port}/api/register"))
            .output()
            .expect("curl");
        assert!(
            out.status.success(),
            "TLS {version}: curl: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let pcap = capture.stop();
        let observations = jsonl_with_keys("scan", &keylog, &pcap);
        let types: Vec<&str> = observations
            .iter()
            .filter(|o| o["transport"] == "https-decrypted")
            .filter_map(|o| o["data_type"].as_str())
            .collect();
        if !(types.contains(&"device.identifier.imei") && types.contains(&"contact.phone_number")) {
            failures.push(format!("TLS {version}: found {types:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
