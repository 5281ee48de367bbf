//! `privaudit capture` on loopback while curl talks to a local server: the pcapng it
//! writes (checked with tshark and our own reader), the summary table, SIGINT, a quiet
//! link with --duration, the audit at the end, and the message a build without the
//! `live` feature gives. Needs root or CAP_NET_RAW, like tcpdump.

mod common;

#[cfg(not(feature = "live"))]
#[test]
fn without_the_feature_it_says_how_to_enable_it() {
    let out = common::privaudit(&["capture", "-i", "lo"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--features live"), "{err}");
    assert!(err.contains("libpcap-dev"), "{err}");
}

#[cfg(feature = "live")]
mod live {
    use std::io::{BufRead, BufReader, Read};
    use std::path::Path;
    use std::process::{Child, Command, Stdio};
    use std::sync::mpsc;
    use std::time::{Duration, Instant};

    use crate::common::{self, net};

    /// Starts `privaudit capture …` and waits for "capturing on"; returns the child
    /// and a channel that yields the rest of its stderr when it exits.
    fn start(args: &[&str]) -> (Child, mpsc::Receiver<String>) {
        let mut child = Command::new(env!("CARGO_BIN_EXE_privaudit"))
            .arg("capture")
            .args(args)
            .env("NO_COLOR", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start privaudit capture");
        let stderr = child.stderr.take().unwrap();
        let mut reader = BufReader::new(stderr);
        let mut first = String::new();
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                let _ = child.wait();
                panic!("privaudit capture did not start (needs root or CAP_NET_RAW):\n{first}");
            }
            first.push_str(&line);
            if line.contains("capturing on") {
                break;
            }
        }
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut rest = String::new();
            let _ = reader.read_to_string(&mut rest);
            let _ = tx.send(first + &rest);
        });
        (child, rx)
    }

    fn wait(child: &mut Child, limit: Duration) -> i32 {
        let start = Instant::now();
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                return status.code().unwrap_or(-1);
            }
            if start.elapsed() > limit {
                let _ = child.kill();
                panic!("privaudit capture did not stop within {limit:?}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn traffic(port: u16) {
        net::curl(&[&format!("http://127.0.0.1:{port}/?imei=866910041573828")]);
        net::curl(&[
            "-H",
            "X-Device-Mac: AC:C1:EE:5D:3A:91",
            &format!("http://127.0.0.1:{port}/ping"),
        ]);
    }

    fn tshark_frames(file: &Path) -> usize {
        common::require_tool("tshark");
        let out = Command::new("tshark").arg("-r").arg(file).output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).lines().count()
    }

    #[test]
    fn sigint_finishes_the_file_and_prints_the_table() {
        let dir = tempfile::tempdir().unwrap();
        let port = net::free_port();
        let out = dir.path().join("live.pcapng");
        let (mut child, stderr) = start(&[
            "-i",
            "lo",
            "-f",
            &format!("tcp port {port}"),
            "-w",
            out.to_str().unwrap(),
            "--device",
            concat!(env!("CARGO_MANIFEST_DIR"), "/captures/demo/device.toml"),
        ]);
        let _server = net::http_server(dir.path(), port);
        traffic(port);
        std::thread::sleep(Duration::from_millis(500));
        let pid = child.id().to_string();
        Command::new("kill").args(["-INT", &pid]).status().unwrap();
        assert_eq!(wait(&mut child, Duration::from_secs(10)), 0);
        let log = stderr.recv_timeout(Duration::from_secs(5)).unwrap();
        assert!(log.contains("IMEI"), "{log}");
        assert!(log.contains("Wi-Fi MAC address"), "{log}");
        assert!(
            !log.contains("866910041573828"),
            "the table never shows values"
        );
        // The file is complete and agrees with tshark on the number of frames.
        let written: usize = log
            .lines()
            .find_map(|l| l.strip_suffix(&format!(" packets written to {}", out.display())))
            .and_then(|n| n.trim().parse().ok())
            .unwrap_or_else(|| panic!("no 'packets written' line:\n{log}"));
        assert!(written >= 10, "{written}");
        assert_eq!(tshark_frames(&out), written);
        let (records, _, code) = common::flows_jsonl(&out, &[]);
        assert_eq!(code, 0);
        let requests: Vec<&str> = records
            .iter()
            .filter(|r| r["kind"] == "http")
            .filter_map(|r| r["uri"].as_str())
            .collect();
        assert_eq!(requests, ["/?imei=866910041573828", "/ping"]);
    }

    #[test]
    fn quiet_link_stops_on_time() {
        // Nothing matches the filter: a blocking read would hang here forever.
        let began = Instant::now();
        let (mut child, stderr) = start(&["-i", "lo", "-f", "tcp port 9", "--duration", "1s"]);
        assert_eq!(wait(&mut child, Duration::from_secs(8)), 0);
        assert!(began.elapsed() < Duration::from_secs(8));
        let log = stderr.recv_timeout(Duration::from_secs(5)).unwrap();
        assert!(log.contains("lo: 0 packets"), "{log}");
    }

    #[test]
    fn audit_when_it_stops() {
        let dir = tempfile::tempdir().unwrap();
        let port = net::free_port();
        let policy = dir.path().join("policy.toml");
        std::fs::write(
            &policy,
            "[app]\nname = \"Live test\"\nfirst_party = [\"example.com\"]\n\n[[collect]]\ndata = [\"device.hardware.model\"]\n",
        )
        .unwrap();
        let (mut child, stderr) = start(&[
            "-i",
            "lo",
            "-f",
            &format!("tcp port {port}"),
            "--duration",
            "4s",
            "--policy",
            policy.to_str().unwrap(),
            "--format",
            "json",
        ]);
        let _server = net::http_server(dir.path(), port);
        traffic(port);
        let code = wait(&mut child, Duration::from_secs(15));
        let mut stdout = String::new();
        child
            .stdout
            .take()
            .unwrap()
            .read_to_string(&mut stdout)
            .unwrap();
        let log = stderr.recv_timeout(Duration::from_secs(5)).unwrap();
        // IMEI to an undeclared party: a high finding, so exit 1.
        assert_eq!(code, 1, "{log}");
        let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
        assert!(
            report["findings"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["severity"] == "high"
                    && f["data_types"]
                        .as_array()
                        .is_some_and(|d| d.iter().any(|t| t == "device.identifier.imei"))),
            "{stdout}"
        );
    }

    #[test]
    fn list_and_bad_filter() {
        let out = common::privaudit(&["capture", "--list"]);
        assert_eq!(out.status.code(), Some(0));
        assert!(
            String::from_utf8_lossy(&out.stdout)
                .lines()
                .any(|l| l.starts_with("lo "))
        );
        let out = common::privaudit(&[
            "capture",
            "-i",
            "lo",
            "-f",
            "tcp port banana",
            "--duration",
            "1",
        ]);
        assert_eq!(out.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&out.stderr).contains("not valid BPF"));
        let out = common::privaudit(&["capture", "-i", "no-such-interface0", "--duration", "1"]);
        assert_eq!(out.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&out.stderr).contains("no-such-interface0"));
    }
}
