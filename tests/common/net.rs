//! Real traffic for tests: local servers (python http.server, openssl s_server),
//! tcpdump capturing loopback, curl as the client.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A child process killed when dropped.
pub struct Proc(pub Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Waits until something accepts TCP connections on `port` (IPv4 loopback).
pub fn wait_for_port(port: u16) {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(15) {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("nothing listening on port {port} after 15 s");
}

/// `python3 -m http.server` on all addresses (IPv4 and IPv6), serving `dir`.
pub fn http_server(dir: &Path, port: u16) -> Proc {
    crate::common::require_tool("python3");
    let child = Command::new("python3")
        .args(["-m", "http.server", "--bind", "::", &port.to_string()])
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start python3 http.server");
    let p = Proc(child);
    wait_for_port(port);
    p
}

/// A self-signed certificate for `localhost` in `dir`: (cert, key).
pub fn self_signed(dir: &Path) -> (PathBuf, PathBuf) {
    crate::common::require_tool("openssl");
    let cert = dir.join("cert.pem");
    let key = dir.join("key.pem");
    let ok = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1",
        ])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("run openssl req")
        .success();
    assert!(ok, "openssl req failed");
    (cert, key)
}

/// `openssl s_server -www` on 127.0.0.1 and ::1 (s_server listens on one address
/// family per process); `extra` adds options (e.g. `-tls1_2`).
pub fn tls_server(cert: &Path, key: &Path, port: u16, extra: &[&str]) -> Vec<Proc> {
    ["127.0.0.1", "[::1]"]
        .iter()
        .map(|host| {
            let child = Command::new("openssl")
                .args(["s_server", "-www", "-quiet", "-accept"])
                .arg(format!("{host}:{port}"))
                .arg("-cert")
                .arg(cert)
                .arg("-key")
                .arg(key)
                .args(extra)
                // s_server stops at end of input: keep its stdin open for its lifetime.
                .stdin(Stdio::piped())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("start openssl s_server");
            Proc(child)
        })
        .inspect(|_| ())
        .collect::<Vec<_>>()
        .into_iter()
        .inspect(|_| wait_for_port(port))
        .collect()
}

/// tcpdump writing `file` from `iface`, packet-buffered; stop with [`Capture::stop`].
pub struct Capture {
    proc: Option<Proc>,
    pub file: PathBuf,
}

impl Capture {
    pub fn start(iface: &str, filter: &str, file: &Path) -> Capture {
        crate::common::require_tool("tcpdump");
        let mut child = Command::new("tcpdump")
            .args(["-i", iface, "--immediate-mode", "-U", "-n", "-s", "0", "-w"])
            .arg(file)
            .arg(filter)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start tcpdump");
        // tcpdump says "listening on …" once the capture is open.
        let stderr = child.stderr.take().expect("tcpdump stderr");
        let mut lines = BufReader::new(stderr).lines();
        let mut seen = String::new();
        loop {
            match lines.next() {
                Some(Ok(line)) => {
                    seen.push_str(&line);
                    seen.push('\n');
                    if line.contains("listening on") {
                        break;
                    }
                }
                _ => panic!("tcpdump did not start (it needs root or CAP_NET_RAW):\n{seen}"),
            }
        }
        std::thread::spawn(move || for _ in lines {});
        Capture {
            proc: Some(Proc(child)),
            file: file.to_path_buf(),
        }
    }

    /// Stops tcpdump cleanly (SIGINT) so the file is complete.
    pub fn stop(mut self) -> PathBuf {
        if let Some(mut p) = self.proc.take() {
            // tcpdump writes what it has read when interrupted, but on a loaded machine
            // it can still be behind the kernel: wait until the file stops growing.
            let size = |f: &Path| std::fs::metadata(f).map(|m| m.len()).unwrap_or(0);
            let settle = Instant::now();
            let mut last = size(&self.file);
            std::thread::sleep(Duration::from_millis(300));
            while settle.elapsed() < Duration::from_secs(3) {
                let now = size(&self.file);
                if now == last {
                    break;
                }
                last = now;
                std::thread::sleep(Duration::from_millis(200));
            }
            let pid = p.0.id().to_string();
            let _ = Command::new("kill").args(["-INT", &pid]).status();
            let start = Instant::now();
            while start.elapsed() < Duration::from_secs(10) {
                if let Ok(Some(_)) = p.0.try_wait() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        self.file.clone()
    }
}

/// Runs curl with `args`; panics with its stderr on failure.
pub fn curl(args: &[&str]) -> String {
    crate::common::require_tool("curl");
    let out = Command::new("curl")
        .args(["-sS", "--max-time", "10"])
        .args(args)
        .output()
        .expect("run curl");
    assert!(
        out.status.success(),
        "curl {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Fields tshark extracts from `file`, one Vec per frame that has any of them.
/// `decode_as` entries are tshark `-d` rules, e.g. `tcp.port==8080,http`.
pub fn tshark_fields(file: &Path, decode_as: &[String], fields: &[&str]) -> Vec<Vec<String>> {
    crate::common::require_tool("tshark");
    let mut cmd = Command::new("tshark");
    cmd.arg("-n")
        .arg("-r")
        .arg(file)
        .args(["-T", "fields", "-E", "separator=|"]);
    for rule in decode_as {
        cmd.args(["-d", rule]);
    }
    for f in fields {
        cmd.args(["-e", f]);
    }
    let out = cmd.output().expect("run tshark");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| l.split('|').map(str::to_string).collect::<Vec<_>>())
        .filter(|v: &Vec<String>| v.iter().skip(1).any(|s| !s.is_empty()))
        .collect()
}
