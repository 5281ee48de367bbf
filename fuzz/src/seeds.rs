//! Seed inputs for every target, from the shared corpus (captures, HARs, APKs, privacy
//! manifests), the repository's own captures and fixtures, and a few built by hand in
//! each target's input format (`privaudit::fuzz_targets` documents the formats).

use std::collections::BTreeMap;
use std::io::{Cursor, Read, Write};
use std::path::{Path, PathBuf};

use privaudit::fuzz_targets::{encode_chunks, quic_initial, tls_session_input};
use privaudit::net::defrag::Defragmenter;
use privaudit::net::packet::{self, Decoded, Transport};
use privaudit::source::capture::{self, CaptureEvent, Progress};

/// Seeds larger than this are cut: AFL works best on small inputs.
const MAX_SEED: usize = 64 << 10;

struct Out {
    root: PathBuf,
    counts: BTreeMap<&'static str, usize>,
}

impl Out {
    fn put(&mut self, target: &'static str, name: &str, data: &[u8]) -> std::io::Result<()> {
        let dir = self.root.join(target);
        std::fs::create_dir_all(&dir)?;
        let clean: String = name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let data = &data[..data.len().min(MAX_SEED)];
        std::fs::write(dir.join(clean), data)?;
        *self.counts.entry(target).or_default() += 1;
        Ok(())
    }
}

fn files_in(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    v.retain(|p| p.is_file());
    v.sort();
    v
}

fn stem(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// One TCP connection's payloads in arrival order: (from server, bytes).
#[derive(Default)]
struct Conn {
    server_port: u16,
    segments: Vec<(bool, Vec<u8>)>,
    bytes: usize,
}

#[derive(Default)]
struct Decomposed {
    /// (link type, frame) of the first packets.
    frames: Vec<(u32, Vec<u8>)>,
    conns: Vec<Conn>,
    udp: Vec<(u16, u16, Vec<u8>)>,
}

fn decompose(path: &Path) -> Decomposed {
    let mut out = Decomposed::default();
    let mut defrag = Defragmenter::new(1024);
    let mut index: BTreeMap<(String, String), usize> = BTreeMap::new();
    let _ = capture::read_capture(path, &Progress::default(), &mut |ev| {
        let CaptureEvent::Packet(p) = ev else { return };
        if out.frames.len() < 300 {
            out.frames.push((p.linktype, p.data.to_vec()));
        }
        let Decoded::Segment(seg) = packet::decode(p.linktype, p.data, p.ts, p.frame, &mut defrag) else {
            return;
        };
        let a = format!("{}:{}", seg.src, seg.sport);
        let b = format!("{}:{}", seg.dst, seg.dport);
        match seg.transport {
            Transport::Tcp(h) => {
                let key = if a < b {
                    (a.clone(), b)
                } else {
                    (b, a.clone())
                };
                let i = *index.entry(key).or_insert_with(|| {
                    out.conns.push(Conn::default());
                    out.conns.len() - 1
                });
                let conn = &mut out.conns[i];
                if conn.segments.is_empty() && conn.server_port == 0 {
                    conn.server_port = if h.syn && !h.ack_flag || seg.dport < seg.sport {
                        seg.dport
                    } else {
                        seg.sport
                    };
                }
                if !seg.payload.is_empty() && conn.bytes < MAX_SEED {
                    let from_server = seg.sport == conn.server_port;
                    conn.bytes += seg.payload.len();
                    conn.segments.push((from_server, seg.payload.to_vec()));
                }
            }
            Transport::Udp => {
                if out.udp.len() < 2000 {
                    out.udp.push((seg.sport, seg.dport, seg.payload.to_vec()));
                }
            }
        }
    });
    out
}

/// Key-log lines for the client random in `hello` (a TLS record holding a ClientHello).
fn keylog_for(keylog: &str, hello: &[u8]) -> String {
    let Some(random) = hello.get(11..43) else {
        return String::new();
    };
    let hex: String = random.iter().map(|b| format!("{b:02x}")).collect();
    keylog
        .lines()
        .filter(|l| l.to_ascii_lowercase().contains(&hex))
        .map(|l| format!("{l}\n"))
        .collect()
}

fn tcp_streams_input(conn: &Conn, keylog: &str) -> Vec<u8> {
    let mut out = vec![0u8];
    out.extend_from_slice(&conn.server_port.to_be_bytes());
    let kl = conn
        .segments
        .iter()
        .find(|(s, _)| !s)
        .map(|(_, b)| keylog_for(keylog, b))
        .unwrap_or_default();
    out.extend_from_slice(&(kl.len() as u16).to_be_bytes());
    out.extend_from_slice(kl.as_bytes());
    out.extend(encode_chunks(
        conn.segments.iter().map(|(s, b)| (u8::from(*s), &b[..])),
    ));
    out
}

pub fn write_all(corpus: &Path, repo: &Path, out_dir: &Path) -> std::io::Result<()> {
    let mut out = Out {
        root: out_dir.to_path_buf(),
        counts: BTreeMap::new(),
    };

    // Captures: whole files, frames, connections, datagrams.
    let mut captures = files_in(&corpus.join("pcap"));
    captures.extend(
        files_in(&corpus.join("tls"))
            .into_iter()
            .filter(|p| !p.extension().is_some_and(|e| e == "keylog")),
    );
    captures.extend(
        files_in(&repo.join("captures/demo"))
            .into_iter()
            .filter(|p| p.extension().is_some_and(|e| e == "pcapng")),
    );
    captures.push(repo.join("tests/fixtures/detect/labelled.pcap"));
    for path in &captures {
        let name = stem(path);
        let Ok(bytes) = std::fs::read(path) else {
            continue;
        };
        out.put("capture", &name, &bytes)?;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&bytes[..bytes.len().min(16 << 10)])?;
        out.put("capture", &format!("{name}.gz"), &gz.finish()?)?;

        let keylog = path.with_extension("keylog");
        let keylog = std::fs::read_to_string(&keylog)
            .or_else(|_| std::fs::read_to_string(repo.join("captures/demo/mobile-office.keylog")))
            .unwrap_or_default();
        let d = decompose(path);
        let frames = encode_chunks(d.frames.iter().map(|(lt, f)| {
            let idx = [1u32, 101, 0, 108, 113, 276, 239, 228, 229, 12, 14]
                .iter()
                .position(|x| x == lt)
                .unwrap_or(11) as u8;
            (idx, &f[..])
        }));
        out.put("packets", &name, &frames)?;
        for (i, conn) in d
            .conns
            .iter()
            .filter(|c| !c.segments.is_empty())
            .take(12)
            .enumerate()
        {
            let input = tcp_streams_input(conn, &keylog);
            out.put("tcp_streams", &format!("{name}.{i}"), &input)?;
            let first_up = conn
                .segments
                .iter()
                .find(|(s, _)| !s)
                .map(|(_, b)| b.clone());
            if let Some(up) = &first_up {
                if up.first() == Some(&22) {
                    let mut hello = vec![0u8];
                    hello.extend_from_slice(up);
                    out.put("tls_hello", &format!("{name}.{i}"), &hello)?;
                    if let Some((_, down)) = conn.segments.iter().find(|(s, _)| *s) {
                        let mut sh = vec![7u8];
                        sh.extend_from_slice(down);
                        out.put("tls_hello", &format!("{name}.{i}.server"), &sh)?;
                    }
                }
                if up.starts_with(b"PRI * HTTP/2.0") {
                    let mut h2 = vec![0u8];
                    h2.extend(encode_chunks(
                        conn.segments.iter().map(|(s, b)| (u8::from(*s), &b[..])),
                    ));
                    out.put("http2", &format!("{name}.{i}"), &h2)?;
                } else if up.first().is_some_and(u8::is_ascii_uppercase) {
                    let mut h1 = vec![0u8];
                    h1.extend(encode_chunks(
                        conn.segments.iter().map(|(s, b)| (u8::from(*s), &b[..])),
                    ));
                    out.put("http1", &format!("{name}.{i}"), &h1)?;
                }
            }
        }
        let mut dns_n = 0;
        let mut quic_raw = Vec::new();
        for (sport, dport, payload) in &d.udp {
            if (*sport == 53 || *dport == 53 || *sport == 5353) && dns_n < 8 {
                out.put("dns", &format!("{name}.{dns_n}"), payload)?;
                dns_n += 1;
            }
            if (*sport == 443 || *dport == 443) && quic_raw.len() < 12 {
                quic_raw.push((u8::from(*sport == 443), payload.clone()));
            }
        }
        if !quic_raw.is_empty() {
            let mut q = vec![0u8];
            q.extend(encode_chunks(quic_raw.iter().map(|(h, b)| (*h, &b[..]))));
            out.put("quic", &name, &q)?;
        }
    }

    // QUIC Initials the harness encrypts: a ClientHello in two CRYPTO frames, out of order.
    let ch = client_hello_message();
    let (a, b) = ch.split_at(ch.len() / 2);
    let frame = |offset: usize, data: &[u8]| {
        let mut f = vec![0x06];
        f.extend_from_slice(&(0x4000u16 | offset as u16).to_be_bytes());
        f.extend_from_slice(&(0x4000u16 | data.len() as u16).to_be_bytes());
        f.extend_from_slice(data);
        f
    };
    let mut q = vec![1u8];
    q.extend(encode_chunks([
        (0u8, &frame(a.len(), b)[..]),
        (0u8, &[&[0x02, 0, 0, 0, 0][..], &frame(0, a)].concat()[..]),
        (1u8, &[0x02, 0, 0, 0, 0, 0x01][..]),
    ]));
    out.put("quic", "initial-split-hello", &q)?;
    if let Some(p) = quic_initial(&frame(0, &ch), true, 0) {
        let mut q = vec![0u8];
        q.extend(encode_chunks([(0u8, &p[..])]));
        out.put("quic", "initial-sealed", &q)?;
    }

    // QUIC 1-RTT with HTTP/3 (the harness seals the chunks): server SETTINGS, a request
    // split over out-of-order STREAM frames with a key update between them, its QPACK
    // insertion arriving after it, and the response.
    let stream = |id: u8, offset: u8, fin: bool, data: &[u8]| {
        let mut f = vec![0x0e | u8::from(fin), id, offset, data.len() as u8];
        f.extend_from_slice(data);
        f
    };
    let control = stream(3, 0, false, &[0x00, 0x04, 0x03, 0x01, 0x40, 0xdc]);
    let mut block = vec![0x02, 0x00, 0x80, 0xc0 | 17, 0x51, 0x08];
    block.extend_from_slice(b"/v1/ping");
    let mut req = vec![0x01, block.len() as u8];
    req.extend_from_slice(&block);
    req.extend_from_slice(&[0x00, 20]);
    req.extend_from_slice(b"imei=861234567890123");
    let (a, b) = req.split_at(10);
    let mut enc = vec![0x02, 0x3f, 0xbd, 0x01, 0xc0, 0x0b];
    enc.extend_from_slice(b"api.example");
    let response = stream(0, 0, true, &[0x01, 0x03, 0x00, 0x00, 0xc0 | 25]);
    let chunks: Vec<(u8, Vec<u8>)> = vec![
        (1, control),
        (0, stream(0, 10, true, b)),
        (2, stream(0, 0, false, a)),
        (0, stream(2, 0, false, &enc)),
        (1, response),
    ];
    out.put(
        "quic_decrypt",
        "h3-request-key-update",
        &encode_chunks(chunks.iter().map(|(h, c)| (*h, &c[..]))),
    )?;
    out.put(
        "quic_decrypt",
        "h3-request-in-order",
        &encode_chunks([(0u8, &stream(0, 0, true, &req)[..])]),
    )?;

    // HTTP/1 and HTTP/2 by hand.
    let post = b"POST /v1/track?imei=861234567890123&lat=31.2304 HTTP/1.1\r\nHost: api.example.com\r\nContent-Type: application/json\r\nContent-Length: 48\r\nCookie: uid=abc123\r\n\r\n{\"phone\":\"13812345678\",\"email\":\"a@example.com\"}\n";
    let chunked = b"POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nContent-Encoding: gzip\r\n\r\n5\r\nhello\r\n0\r\n\r\nGET /next HTTP/1.1\r\nHost: h\r\n\r\n";
    let resp = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n";
    let mut h1 = vec![1u8];
    h1.extend(encode_chunks([
        (0u8, &post[..]),
        (1, &resp[..]),
        (0, &chunked[..]),
    ]));
    out.put("http1", "by-hand", &h1)?;
    out.put(
        "http1",
        "ssdp",
        b"\x01M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: \"ssdp:discover\"\r\n\r\n",
    )?;

    let (h2_client, h2_server) = h2_exchange();
    let mut h2 = vec![0u8];
    h2.extend(encode_chunks([(0u8, &h2_client[..]), (1, &h2_server[..])]));
    out.put("http2", "by-hand", &h2)?;

    // TLS sessions the harness encrypts, one per suite, HTTP/1 and HTTP/2 inside.
    let ee = [8u8, 0, 0, 11, 0, 9, 0, 16, 0, 5, 0, 3, 2, b'h', b'2'];
    let fin = [&[20u8, 0, 0, 32][..], &[0x5a; 32]].concat();
    let key_update = [24u8, 0, 0, 1, 0];
    let h1_req = &post[..];
    let h1_resp = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
    for suite in 0..6u8 {
        let tls13 = suite < 3;
        let mut recs: Vec<(u8, u8, &[u8])> = Vec::new();
        if tls13 {
            recs.push((1, 22, &ee));
            recs.push((1, 22, &fin));
            recs.push((0, 22, &fin));
            recs.push((2, 23, h1_req));
            recs.push((3, 23, h1_resp));
            recs.push((0, 22, &key_update));
            recs.push((4, 23, h1_req));
        } else {
            recs.push((2, 22, &fin[..16]));
            recs.push((3, 22, &fin[..16]));
            recs.push((0, 23, h1_req));
            recs.push((1, 23, h1_resp));
        }
        out.put(
            "tls_decrypt",
            &format!("suite{suite}-h1"),
            &tls_session_input(suite, 2, &recs),
        )?;
        let mut h2recs: Vec<(u8, u8, &[u8])> = Vec::new();
        if tls13 {
            h2recs.push((1, 22, &ee));
            h2recs.push((1, 22, &fin));
            h2recs.push((0, 22, &fin));
            h2recs.push((3, 23, &h2_server));
            h2recs.push((2, 23, &h2_client));
        } else {
            h2recs.push((2, 22, &fin[..16]));
            h2recs.push((3, 22, &fin[..16]));
            h2recs.push((1, 23, &h2_server));
            h2recs.push((0, 23, &h2_client));
        }
        out.put(
            "tls_decrypt",
            &format!("suite{suite}-h2"),
            &tls_session_input(suite, 1, &h2recs),
        )?;
    }
    for suite in 0..14u8 {
        let mut rec = vec![suite, suite & 3];
        rec.extend_from_slice(&[0x42; 48]);
        rec.extend(encode_chunks([
            (23u8, &[0x17; 64][..]),
            (22, &[0x33; 48][..]),
            (0xff, &[][..]),
        ]));
        out.put("tls_records", &format!("suite{suite}"), &rec)?;
    }

    // Key logs.
    for p in files_in(&corpus.join("tls"))
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "keylog"))
    {
        let bytes = std::fs::read(&p)?;
        out.put("keylog", &stem(&p), &bytes[..bytes.len().min(4096)])?;
    }

    // HAR files, and their requests as detector inputs.
    for p in files_in(&corpus.join("har")) {
        let bytes = std::fs::read(&p)?;
        out.put("har", &stem(&p), &bytes)?;
        if let Ok(xs) = privaudit::source::har::read_har(&p) {
            for (i, x) in xs
                .iter()
                .filter(|x| !x.body.is_empty() || x.uri.contains('?'))
                .take(6)
                .enumerate()
            {
                out.put("detect", &format!("{}.{i}", stem(&p)), &detect_input(x))?;
            }
        }
    }
    out.put(
        "detect",
        "by-hand",
        &detect_input_raw(
            0,
            "POST",
            "/collect?androidid=9774d56d682e549c&mac=00:11:22:33:44:55",
            &[
                ("User-Agent", "okhttp/4.9"),
                ("Content-Type", "application/x-www-form-urlencoded"),
                ("X-Device", "eyJpbWVpIjoiODYxMjM0NTY3ODkwMTIzIn0="),
            ],
            b"phone=13812345678&loc=31.2304%2C121.4737&data=aGVsbG8gd29ybGQ%3D",
        ),
    )?;

    // Packages.
    for p in files_in(&corpus.join("apk")) {
        let bytes = std::fs::read(&p)?;
        let name = stem(&p);
        let mut zip = match zip::ZipArchive::new(Cursor::new(&bytes)) {
            Ok(z) => z,
            Err(_) => continue,
        };
        let mut entries: Vec<(String, Vec<u8>)> = Vec::new();
        for i in 0..zip.len() {
            let Ok(mut f) = zip.by_index(i) else { continue };
            let Ok(n) = f.name().map(|n| n.into_owned()) else {
                continue;
            };
            if n == "AndroidManifest.xml" || n == "resources.arsc" || n.ends_with(".dex") {
                let mut v = Vec::new();
                if f.read_to_end(&mut v).is_ok() {
                    entries.push((n, v));
                }
            }
        }
        for (n, v) in &entries {
            if n == "AndroidManifest.xml" {
                let mut a = vec![0u8];
                a.extend_from_slice(v);
                out.put("axml", &format!("{name}.manifest"), &a)?;
            } else if n == "resources.arsc" && v.len() <= MAX_SEED {
                let mut a = vec![1u8, 0x7f, 0x04, 0, 0];
                a.extend_from_slice(v);
                out.put("axml", &format!("{name}.arsc"), &a)?;
            } else if n.ends_with(".dex") && v.len() <= MAX_SEED {
                out.put("dex", &format!("{name}.{n}"), v)?;
            }
        }
        // A small APK with just the parsed entries, stored so mutations reach them.
        let small: Vec<&(String, Vec<u8>)> = entries
            .iter()
            .filter(|(_, v)| v.len() <= 48 << 10)
            .collect();
        out.put("apk", &format!("{name}.stored"), &make_zip(&small, false)?)?;
        out.put("apk", &format!("{name}.deflated"), &make_zip(&small, true)?)?;
        if bytes.len() <= MAX_SEED {
            out.put("apk", &name, &bytes)?;
        }
    }

    // Property lists and IPAs.
    let mut manifests = Vec::new();
    for p in files_in(&corpus.join("ios")) {
        let bytes = std::fs::read(&p)?;
        out.put("plist", &stem(&p), &bytes)?;
        if let Ok(v) = plist::Value::from_reader(Cursor::new(&bytes)) {
            let mut bin = Vec::new();
            if v.to_writer_binary(&mut bin).is_ok() {
                out.put("plist", &format!("{}.bplist", stem(&p)), &bin)?;
            }
        }
        manifests.push(bytes);
    }
    let info = br#"<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0"><dict>
<key>CFBundleIdentifier</key><string>com.example.office</string>
<key>CFBundleName</key><string>Office</string>
<key>CFBundleShortVersionString</key><string>1.2.3</string>
<key>NSLocationWhenInUseUsageDescription</key><string>Nearby offices</string>
<key>NSCameraUsageDescription</key><string>Scan documents</string>
</dict></plist>"#;
    out.put("plist", "info.plist", info)?;
    let fw_info = br#"<?xml version="1.0" encoding="UTF-8"?><plist version="1.0"><dict><key>CFBundleIdentifier</key><string>com.google.firebase</string></dict></plist>"#;
    let mut ipa_entries: Vec<(String, Vec<u8>)> = vec![
        ("Payload/Office.app/Info.plist".into(), info.to_vec()),
        (
            "Payload/Office.app/Frameworks/FirebaseAnalytics.framework/Info.plist".into(),
            fw_info.to_vec(),
        ),
        (
            "Payload/Office.app/Frameworks/FirebaseAnalytics.framework/FirebaseAnalytics".into(),
            b"\xcf\xfa\xed\xfe".to_vec(),
        ),
    ];
    if let Some(m) = manifests.first() {
        ipa_entries.push(("Payload/Office.app/PrivacyInfo.xcprivacy".into(), m.clone()));
    }
    if let Some(m) = manifests.get(1) {
        ipa_entries.push((
            "Payload/Office.app/Frameworks/FirebaseAnalytics.framework/PrivacyInfo.xcprivacy"
                .into(),
            m.clone(),
        ));
    }
    let refs: Vec<&(String, Vec<u8>)> = ipa_entries.iter().collect();
    out.put("ipa", "office.stored.ipa", &make_zip(&refs, false)?)?;
    out.put("ipa", "office.deflated.ipa", &make_zip(&refs, true)?)?;

    // Policies, declarations, device profiles.
    let zh =
        std::fs::read(repo.join("tests/fixtures/policy/zh-policy.gb18030.txt")).unwrap_or_default();
    out.put(
        "policy_extract",
        "zh-policy.gb18030",
        &zh[..zh.len().min(16 << 10)],
    )?;
    out.put("policy_extract", "en-policy", EN_POLICY.as_bytes())?;
    let utf16: Vec<u8> = [0xff, 0xfe]
        .into_iter()
        .chain(EN_POLICY.encode_utf16().flat_map(|u| u.to_le_bytes()))
        .collect();
    out.put("policy_extract", "en-policy.utf16", &utf16)?;
    // policy_document: first byte even = HTML, odd = Markdown.
    let page = "\u{0}<!DOCTYPE html><html><body><nav><a href=\"/\">Home</a></nav><h2>Information we collect</h2><p>We collect:</p><ul><li>your <b>email address</b><ul><li>and name</li></ul></li></ul><table><thead><tr><th>SDK</th><th>Data</th></tr></thead><tr><td>Firebase<br>Analytics</td><td>advertising ID &amp; IP address</td></tr></table><script>x<y</script><p>See <a href=\"https://example.com/privacy\">policy</a>.</p></body></html>";
    out.put("policy_document", "page.html", page.as_bytes())?;
    let md = "\u{1}## Information we collect\n\nWe collect:\n\n- your **email address**\n  - and name\n1. device model\n\n| SDK | Data |\n|---|---|\n| Firebase | advertising ID |\n\n<table><tr><td>Sentry</td><td>crash logs</td></tr></table>\n\nSee [policy](https://example.com/privacy).<br>\n";
    out.put("policy_document", "policy.md", md.as_bytes())?;
    for p in [
        repo.join("policies/mobile-office.toml"),
        repo.join("tests/fixtures/policy/seed-expected.toml"),
        repo.join("tests/fixtures/policy/zh-policy-expected.toml"),
    ] {
        if let Ok(b) = std::fs::read(&p) {
            out.put("declaration", &stem(&p), &b)?;
        }
    }
    for p in [
        repo.join("captures/demo/device.toml"),
        repo.join("tests/fixtures/detect/device.toml"),
    ] {
        if let Ok(mut b) = std::fs::read(&p) {
            b.push(0);
            b.extend_from_slice(
                b"imei=861234567890123&mac=02:00:00:00:00:00 lat 31.2304 lng 121.4737",
            );
            out.put("device_profile", &stem(&p), &b)?;
        }
    }

    // Compressed bodies.
    let json = br#"{"device":{"imei":"861234567890123","oaid":"5f2b3c4d-1111-2222-3333-444455556666"},"loc":[31.2304,121.4737],"apps":["com.tencent.mm","com.eg.android.AlipayGphone"]}"#;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(json)?;
    out.put("codec", "gzip", &[&[0u8][..], &gz.finish()?].concat())?;
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    z.write_all(json)?;
    out.put("codec", "zlib", &[&[1u8][..], &z.finish()?].concat())?;
    let mut d = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
    d.write_all(json)?;
    out.put("codec", "deflate", &[&[1u8][..], &d.finish()?].concat())?;
    // A tiny brotli stream ("hello", uncompressed meta-block).
    out.put("codec", "brotli", b"\x02\x0b\x02\x80hello\x03")?;
    out.put(
        "codec",
        "base64",
        b"\x00eyJpbWVpIjoiODYxMjM0NTY3ODkwMTIzIn0%3D",
    )?;

    for (t, n) in &out.counts {
        println!("{t:<16} {n} seeds");
    }
    Ok(())
}

fn make_zip(entries: &[&(String, Vec<u8>)], deflate: bool) -> std::io::Result<Vec<u8>> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let method = if deflate {
        zip::CompressionMethod::Deflated
    } else {
        zip::CompressionMethod::Stored
    };
    let opts = zip::write::SimpleFileOptions::default().compression_method(method);
    for (n, v) in entries {
        w.start_file(n.as_str(), opts)
            .map_err(std::io::Error::other)?;
        w.write_all(v)?;
    }
    Ok(w.finish().map_err(std::io::Error::other)?.into_inner())
}

/// A ClientHello handshake message (type, length, body) without the record header.
fn client_hello_message() -> Vec<u8> {
    let mut body = vec![3, 3];
    body.extend_from_slice(&[0x33; 32]);
    body.push(0);
    body.extend_from_slice(&[0, 4, 0x13, 1, 0x13, 2, 1, 0]);
    let host = b"quic.example";
    let mut ext = Vec::new();
    ext.extend_from_slice(&[0, 0]);
    ext.extend_from_slice(&((host.len() + 5) as u16).to_be_bytes());
    ext.extend_from_slice(&((host.len() + 3) as u16).to_be_bytes());
    ext.push(0);
    ext.extend_from_slice(&(host.len() as u16).to_be_bytes());
    ext.extend_from_slice(host);
    ext.extend_from_slice(&[0, 16, 0, 5, 0, 3, 2, b'h', b'3']);
    ext.extend_from_slice(&[0, 43, 0, 3, 2, 3, 4]);
    body.extend_from_slice(&(ext.len() as u16).to_be_bytes());
    body.extend_from_slice(&ext);
    let mut msg = vec![1];
    msg.extend_from_slice(&(body.len() as u32).to_be_bytes()[1..]);
    msg.extend_from_slice(&body);
    msg
}

fn h2_frame(ty: u8, flags: u8, stream: u32, payload: &[u8]) -> Vec<u8> {
    let mut f = (payload.len() as u32).to_be_bytes()[1..].to_vec();
    f.push(ty);
    f.push(flags);
    f.extend_from_slice(&stream.to_be_bytes());
    f.extend_from_slice(payload);
    f
}

/// HPACK literal header field without indexing, new name, no Huffman.
fn hpack_literal(out: &mut Vec<u8>, name: &str, value: &str) {
    out.push(0x00);
    out.push(name.len() as u8);
    out.extend_from_slice(name.as_bytes());
    out.push(value.len() as u8);
    out.extend_from_slice(value.as_bytes());
}

fn h2_exchange() -> (Vec<u8>, Vec<u8>) {
    let mut client = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".to_vec();
    client.extend(h2_frame(4, 0, 0, &[0, 1, 0, 0, 0x10, 0]));
    let mut block = vec![0x83, 0x87]; // :method POST, :scheme https (static table)
    hpack_literal(
        &mut block,
        ":path",
        "/api/v2/events?idfa=6D92078A-8246-4BA4-AE5B-76104861E7DC",
    );
    hpack_literal(&mut block, ":authority", "events.example.com");
    // Incremental indexing, then a dynamic-table reference to it.
    block.push(0x40);
    block.push(6);
    block.extend_from_slice(b"cookie");
    block.push(9);
    block.extend_from_slice(b"sid=12345");
    block.push(0xbe);
    block.extend_from_slice(&[0x3f, 0xe1, 0x1f]); // table size update to 4096
    client.extend(h2_frame(1, 0x04, 1, &block));
    client.extend(h2_frame(0, 0x01, 1, br#"{"email":"someone@example.com"}"#));
    client.extend(h2_frame(1, 0x05, 3, &[0x82, 0x87, 0x84, 0xbe]));
    let mut server = h2_frame(4, 0, 0, &[0, 3, 0, 0, 0, 100]);
    server.extend(h2_frame(4, 1, 0, &[]));
    server.extend(h2_frame(1, 0x05, 1, &[0x88]));
    server.extend(h2_frame(3, 0, 3, &[0, 0, 0, 8]));
    server.extend(h2_frame(7, 0, 0, &[0, 0, 0, 3, 0, 0, 0, 0]));
    (client, server)
}

fn detect_input(x: &privaudit::exchange::Exchange) -> Vec<u8> {
    let headers: Vec<(&str, &str)> = x
        .headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    detect_input_raw(2, &x.method, &x.uri, &headers, &x.body)
}

fn detect_input_raw(
    flags: u8,
    method: &str,
    uri: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Vec<u8> {
    let mut out = vec![flags];
    for part in [method, uri] {
        out.extend_from_slice(part.as_bytes());
        out.push(0);
    }
    for (k, v) in headers {
        out.extend_from_slice(k.as_bytes());
        out.push(0);
        out.extend_from_slice(v.as_bytes());
        out.push(0);
    }
    out.push(0);
    out.extend_from_slice(body);
    out
}

const EN_POLICY: &str = "Privacy Policy\n\n1. Information We Collect\nWe collect your phone number, email address and precise location when you use the app. \
We also collect device identifiers such as IMEI, Android ID and advertising ID.\n\n\
2. How We Share Information\nWe share device identifiers with Google Firebase Analytics and with Umeng for crash reporting. \
We do not sell your personal information. We will not share your contacts with third parties.\n\n\
3. Definitions\n\"Personal information\" means any information relating to you.\n\n\
4. Your Rights\nYou may request deletion of your data by emailing privacy@example.com.\n";
