//! Real captures made during the test: tcpdump on loopback while curl talks HTTP/1.1
//! and HTTPS to local servers (python http.server, openssl s_server), over IPv4 and
//! IPv6, once with `-i lo` (Ethernet framing) and once with `-i any` (Linux SLL2).
//! privaudit must find every request and handshake, at the frames tshark reports.

mod common;

use common::net;
use serde_json::Value;

fn run_session(iface: &str, expected_linktype: &str) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("hello.txt"), "hello privacy\n").unwrap();
    let http_port = net::free_port();
    let tls_port = net::free_port();
    let _http = net::http_server(dir.path(), http_port);
    let (cert, key) = net::self_signed(dir.path());
    let _tls = net::tls_server(&cert, &key, tls_port, &[]);

    let pcap = dir.path().join(format!("session-{iface}.pcap"));
    let filter = format!("tcp port {http_port} or tcp port {tls_port}");
    let capture = net::Capture::start(iface, &filter, &pcap);
    let v4 = format!("http://127.0.0.1:{http_port}/hello.txt?imei=861234567890123");
    let v6 = format!("http://[::1]:{http_port}/hello.txt?v=6");
    assert_eq!(net::curl(&[&v4]), "hello privacy\n");
    net::curl(&[&v6]);
    // http.server answers POST with 501; the request is what matters.
    let form = format!("http://127.0.0.1:{http_port}/form");
    let _ = net::curl(&["-X", "POST", "--data", "mobile=13812345678", &form]);
    let tls_url = format!("https://localhost:{tls_port}/");
    net::curl(&["-k", "--http1.1", "-4", &tls_url]);
    net::curl(&["-k", "--http1.1", "-6", &tls_url]);
    let pcap = capture.stop();

    // The capture really has the link type this interface gives.
    let info = std::process::Command::new("capinfos")
        .arg("-E")
        .arg(&pcap)
        .output();
    if let Ok(info) = info {
        let text = String::from_utf8_lossy(&info.stdout);
        assert!(text.contains(expected_linktype), "{iface}: {text}");
    }

    let (records, stderr, code) = common::flows_jsonl(&pcap, &[]);
    assert_eq!(code, 0, "{stderr}");
    let http: Vec<&Value> = records.iter().filter(|r| r["kind"] == "http").collect();
    let tls: Vec<&Value> = records.iter().filter(|r| r["kind"] == "tls").collect();

    // What tshark sees in the same file, frame by frame.
    let decode_as = [
        format!("tcp.port=={http_port},http"),
        format!("tcp.port=={tls_port},tls"),
    ];
    let tshark_http = net::tshark_fields(
        &pcap,
        &decode_as,
        &["frame.number", "http.request.method", "http.request.uri"],
    );
    let tshark_tls = net::tshark_fields(
        &pcap,
        &decode_as,
        &["frame.number", "tls.handshake.extensions_server_name"],
    );
    let tshark_http: Vec<_> = tshark_http
        .into_iter()
        .filter(|f| !f[1].is_empty())
        .collect();
    let tshark_tls: Vec<_> = tshark_tls
        .into_iter()
        .filter(|f| !f[1].is_empty())
        .collect();
    assert_eq!(
        tshark_http.len(),
        3,
        "tshark should see 3 requests: {tshark_http:?}"
    );
    assert_eq!(
        tshark_tls.len(),
        2,
        "tshark should see 2 hellos: {tshark_tls:?}"
    );
    for f in &tshark_http {
        let frame: u64 = f[0].parse().unwrap();
        assert!(
            http.iter().any(|r| {
                let first = r["frame"].as_u64().unwrap();
                let last = r["last_frame"].as_u64().unwrap_or(first);
                (first..=last).contains(&frame)
                    && r["method"] == f[1].as_str()
                    && r["uri"] == f[2].as_str()
            }),
            "{iface}: tshark's request at frame {frame} {f:?} not found in {http:#?}"
        );
    }
    for f in &tshark_tls {
        let frame: u64 = f[0].parse().unwrap();
        assert!(
            tls.iter()
                .any(|r| r["frame"].as_u64() == Some(frame) && r["sni"] == "localhost"),
            "{iface}: tshark's ClientHello at frame {frame} not found in {tls:#?}"
        );
    }
    // Both address families, with the right endpoints and statuses.
    assert!(
        http.iter()
            .any(|r| r["src"].as_str().unwrap().starts_with("127.0.0.1:")
                && r["host"] == "127.0.0.1"
                && r["status"] == 200)
    );
    assert!(
        http.iter()
            .any(|r| r["src"].as_str().unwrap().starts_with("[::1]:")
                && r["dst"] == format!("[::1]:{http_port}").as_str())
    );
    assert!(
        http.iter()
            .any(|r| r["method"] == "POST" && r["request_body_len"] == 18)
    );
    assert!(
        tls.iter()
            .any(|r| r["src"].as_str().unwrap().starts_with("[::1]:"))
    );
    assert!(
        tls.iter()
            .all(|r| r["version"] == "TLSv1.3" && r["established"] == true)
    );
    // conn records name the servers by SNI or Host.
    let conns: Vec<&Value> = records.iter().filter(|r| r["kind"] == "conn").collect();
    assert!(
        conns
            .iter()
            .any(|c| c["name"] == "localhost" && c["name_source"] == "sni")
    );
    assert!(
        conns
            .iter()
            .all(|c| c["proto"] == "tcp" && c["packets"].as_u64().unwrap() > 3)
    );
}

#[test]
fn loopback_ethernet_capture() {
    run_session("lo", "Ethernet");
}

#[test]
fn any_interface_sll2_capture() {
    run_session("any", "Linux cooked-mode capture v2");
}
