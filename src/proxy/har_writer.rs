//! HAR 1.2 output for the proxy, written as exchanges complete.
//!
//! The file is a valid HAR after every exchange: each entry is written, followed by
//! the closing brackets, in one write at the offset where the previous closing
//! brackets began. A crash therefore loses at most the exchange being written, each
//! exchange costs one write of its own size (not a rewrite of the session), and
//! memory does not grow with the session.

use std::fs::File;
use std::io::{Seek as _, SeekFrom, Write as _};
use std::path::{Path, PathBuf};

use base64::Engine as _;
use serde_json::{Value, json};

use super::capture::{BodyCapture, Captured, decode, header};
use crate::limits::Limits;

#[derive(Debug, thiserror::Error)]
#[error("{path}: cannot write the HAR file: {source}")]
pub struct HarWriteError {
    pub path: PathBuf,
    pub source: std::io::Error,
}

pub struct HarWriter {
    path: PathBuf,
    file: File,
    /// Where the closing part begins: the next entry is written here.
    tail_at: u64,
    entries: u64,
    /// Hosts tunnelled without inspection, kept in the closing part so the file says
    /// what it does not contain.
    not_inspected: Vec<(String, String)>,
}

const HEAD_END: &str = "\"entries\":[\n";

impl HarWriter {
    pub fn create(path: &Path) -> Result<HarWriter, HarWriteError> {
        let err = |source| HarWriteError {
            path: path.to_path_buf(),
            source,
        };
        // The HAR holds what the app sent (identifiers, tokens, cookies): readable by
        // its owner only, like the CA key.
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt as _;
            options.mode(0o600);
        }
        let mut file = options.open(path).map_err(err)?;
        let head = format!(
            "{{\"log\":{{\"version\":\"1.2\",\"creator\":{{\"name\":\"privaudit\",\"version\":\"{}\",\"comment\":\"intercepting proxy\"}},{HEAD_END}",
            env!("CARGO_PKG_VERSION")
        );
        file.write_all(head.as_bytes()).map_err(err)?;
        let mut w = HarWriter {
            path: path.to_path_buf(),
            file,
            tail_at: head.len() as u64,
            entries: 0,
            not_inspected: Vec::new(),
        };
        w.write_at_tail(b"")?;
        Ok(w)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn entries(&self) -> u64 {
        self.entries
    }

    /// Appends one entry (as made by [`entry`]).
    pub fn append(&mut self, entry: &Value) -> Result<(), HarWriteError> {
        let mut chunk = Vec::new();
        if self.entries > 0 {
            chunk.extend_from_slice(b",\n");
        }
        // Serialising a Value cannot fail (its keys are strings).
        chunk.extend_from_slice(entry.to_string().as_bytes());
        self.write_at_tail(&chunk)?;
        self.tail_at += chunk.len() as u64;
        self.entries += 1;
        Ok(())
    }

    /// Records a host that was tunnelled untouched (written with the next update).
    pub fn note_not_inspected(&mut self, target: &str, reason: &str) -> Result<(), HarWriteError> {
        if self.not_inspected.iter().any(|(t, _)| t == target) {
            return Ok(());
        }
        self.not_inspected.push((target.into(), reason.into()));
        self.write_at_tail(b"")
    }

    /// Flushes to disk; the file is already complete.
    pub fn finish(self) -> Result<PathBuf, HarWriteError> {
        self.file.sync_all().map_err(|source| HarWriteError {
            path: self.path.clone(),
            source,
        })?;
        Ok(self.path)
    }

    fn tail(&self) -> Vec<u8> {
        let mut tail = b"\n]".to_vec();
        if !self.not_inspected.is_empty() {
            let list: Vec<Value> = self
                .not_inspected
                .iter()
                .map(|(t, r)| json!({"host": t, "reason": r}))
                .collect();
            tail.extend_from_slice(b",\"_privaudit\":");
            tail.extend_from_slice(json!({ "notInspected": list }).to_string().as_bytes());
        }
        tail.extend_from_slice(b"}}\n");
        tail
    }

    /// Writes `chunk` and the closing part at the tail offset, in one write call so
    /// the file is never left without its closing brackets by an interrupted process.
    fn write_at_tail(&mut self, chunk: &[u8]) -> Result<(), HarWriteError> {
        let mut buf = chunk.to_vec();
        buf.extend_from_slice(&self.tail());
        let end = self.tail_at + buf.len() as u64;
        let result = self
            .file
            .seek(SeekFrom::Start(self.tail_at))
            .and_then(|_| self.file.write_all(&buf))
            .and_then(|()| self.file.set_len(end));
        if let Err(source) = result {
            // Put the previous closing part back so the file stays valid HAR.
            let tail = self.tail();
            let _ = self
                .file
                .seek(SeekFrom::Start(self.tail_at))
                .and_then(|_| self.file.write_all(&tail))
                .and_then(|()| self.file.set_len(self.tail_at + tail.len() as u64));
            return Err(HarWriteError {
                path: self.path.clone(),
                source,
            });
        }
        Ok(())
    }
}

fn name_values(headers: &[(String, String)]) -> Vec<Value> {
    headers
        .iter()
        .map(|(n, v)| json!({"name": n, "value": v}))
        .collect()
}

fn query_string(path: &str) -> Vec<Value> {
    let Some((_, query)) = path.split_once('?') else {
        return Vec::new();
    };
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (n, v) = pair.split_once('=').unwrap_or((pair, ""));
            // HAR readers expect decoded names and values; `+` is a space in forms.
            let dec = |s: &str| {
                percent_encoding::percent_decode_str(&s.replace('+', " "))
                    .decode_utf8_lossy()
                    .into_owned()
            };
            json!({"name": dec(n), "value": dec(v)})
        })
        .collect()
}

fn request_cookies(headers: &[(String, String)]) -> Vec<Value> {
    headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case("cookie"))
        .flat_map(|(_, v)| v.split(';'))
        .filter_map(|c| {
            let (n, v) = c.trim().split_once('=')?;
            Some(json!({"name": n, "value": v}))
        })
        .collect()
}

fn response_cookies(headers: &[(String, String)]) -> Vec<Value> {
    headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case("set-cookie"))
        .filter_map(|(_, v)| {
            let first = v.split(';').next()?;
            let (n, v) = first.trim().split_once('=')?;
            Some(json!({"name": n, "value": v}))
        })
        .collect()
}

/// Text as is when it is UTF-8; base64 otherwise (HAR's `encoding: base64`).
fn text_fields(bytes: &[u8], obj: &mut serde_json::Map<String, Value>) {
    match std::str::from_utf8(bytes) {
        Ok(text) => {
            obj.insert("text".into(), Value::from(text));
        }
        Err(_) => {
            obj.insert(
                "text".into(),
                Value::from(base64::engine::general_purpose::STANDARD.encode(bytes)),
            );
            obj.insert("encoding".into(), Value::from("base64"));
        }
    }
}

fn truncation_note(body: &BodyCapture, obj: &mut serde_json::Map<String, Value>) {
    if body.truncated {
        obj.insert(
            "comment".into(),
            Value::from(format!(
                "truncated: {} of {} bytes kept (body limit)",
                body.bytes.len(),
                body.wire_len
            )),
        );
    }
}

fn millis(d: std::time::Duration) -> f64 {
    (d.as_secs_f64() * 1e6).round() / 1e3
}

/// The HAR entry for one exchange. Bodies are stored with their Content-Encoding
/// removed (as HAR viewers and `privaudit` read them); the headers stay as sent.
pub fn entry(c: &Captured, limits: &Limits) -> Value {
    let started = chrono::DateTime::<chrono::Utc>::from(c.started)
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let mut request = json!({
        "method": c.method,
        "url": c.url(),
        "httpVersion": c.version,
        "cookies": request_cookies(&c.request_headers),
        "headers": name_values(&c.request_headers),
        "queryString": query_string(&c.path),
        "headersSize": -1,
        "bodySize": c.request_body.wire_len,
    });
    if c.request_body.wire_len > 0
        && let Some(obj) = request.as_object_mut()
    {
        let (plain, _) = decode(&c.request_headers, &c.request_body, limits);
        let mut post = serde_json::Map::new();
        post.insert(
            "mimeType".into(),
            Value::from(header(&c.request_headers, "content-type").unwrap_or("")),
        );
        text_fields(&plain, &mut post);
        truncation_note(&c.request_body, &mut post);
        obj.insert("postData".into(), Value::Object(post));
    }
    let (plain, layers) = decode(&c.response_headers, &c.response_body, limits);
    let mut content = serde_json::Map::new();
    content.insert("size".into(), Value::from(plain.len()));
    if !layers.is_empty() {
        let saved = plain.len() as i64 - c.response_body.bytes.len() as i64;
        content.insert("compression".into(), Value::from(saved.max(0)));
    }
    content.insert(
        "mimeType".into(),
        Value::from(header(&c.response_headers, "content-type").unwrap_or("x-unknown")),
    );
    if !plain.is_empty() {
        text_fields(&plain, &mut content);
    }
    truncation_note(&c.response_body, &mut content);
    let response = json!({
        "status": c.status,
        "statusText": hyper::StatusCode::from_u16(c.status)
            .ok()
            .and_then(|s| s.canonical_reason())
            .unwrap_or(""),
        "httpVersion": c.response_version,
        "cookies": response_cookies(&c.response_headers),
        "headers": name_values(&c.response_headers),
        "content": Value::Object(content),
        "redirectURL": header(&c.response_headers, "location").unwrap_or(""),
        "headersSize": -1,
        "bodySize": if c.status == 0 { -1 } else { c.response_body.wire_len as i64 },
    });
    let (send, wait, receive) = (millis(c.send), millis(c.wait), millis(c.receive));
    let mut e = json!({
        "startedDateTime": started,
        "time": send + wait + receive,
        "request": request,
        "response": response,
        "cache": {},
        "timings": {
            "blocked": -1, "dns": -1, "connect": -1, "ssl": -1,
            "send": send, "wait": wait, "receive": receive,
        },
    });
    if let Some(obj) = e.as_object_mut() {
        if let Some(server) = c.server {
            obj.insert(
                "serverIPAddress".into(),
                Value::from(server.ip().to_string()),
            );
        }
        if let Some(client) = c.client {
            obj.insert("connection".into(), Value::from(client.port().to_string()));
        }
        if let Some(err) = &c.error {
            obj.insert("_error".into(), Value::from(err.as_str()));
        }
    }
    e
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, SystemTime};

    fn captured(method: &str, path: &str, body: &[u8], ctype: &str) -> Captured {
        Captured {
            started: SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000),
            client: Some("127.0.0.1:50000".parse().unwrap()),
            server: Some("127.0.0.1:8443".parse().unwrap()),
            scheme: "https",
            authority: "api.example.com:8443".into(),
            method: method.into(),
            path: path.into(),
            version: "HTTP/2.0".into(),
            request_headers: vec![
                ("content-type".into(), ctype.into()),
                ("cookie".into(), "sid=abc; lang=en".into()),
            ],
            request_body: BodyCapture {
                bytes: body.to_vec(),
                wire_len: body.len() as u64,
                truncated: false,
            },
            status: 200,
            response_version: "HTTP/2.0".into(),
            response_headers: vec![("content-type".into(), "application/json".into())],
            response_body: BodyCapture {
                bytes: b"{\"ok\":true}".to_vec(),
                wire_len: 11,
                truncated: false,
            },
            error: None,
            send: Duration::from_millis(1),
            wait: Duration::from_millis(20),
            receive: Duration::from_millis(2),
        }
    }

    fn write(entries: &[Captured]) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.har");
        let mut w = HarWriter::create(&path).unwrap();
        for c in entries {
            w.append(&entry(c, &Limits::default())).unwrap();
        }
        w.finish().unwrap();
        (dir, path)
    }

    #[test]
    fn round_trips_through_the_har_reader() {
        let binary: Vec<u8> = (0u8..=255).collect();
        let (_dir, path) = write(&[
            captured(
                "POST",
                "/v1/register?imei=866910041573828",
                br#"{"phone":"13911472658"}"#,
                "application/json",
            ),
            captured("PUT", "/blob", &binary, "application/octet-stream"),
            captured("GET", "/", b"", ""),
        ]);
        let xs = crate::source::har::read_har(&path).unwrap();
        assert_eq!(xs.len(), 3);
        assert_eq!(xs[0].method, "POST");
        assert_eq!(xs[0].uri, "/v1/register?imei=866910041573828");
        assert_eq!(xs[0].scheme, Some("https"));
        assert_eq!(xs[0].host().as_deref(), Some("api.example.com"));
        assert_eq!(xs[0].body, br#"{"phone":"13911472658"}"#);
        assert_eq!(xs[0].status, Some(200));
        assert_eq!(xs[0].dst.map(|d| d.port), Some(8443));
        assert_eq!(xs[0].frame, 1);
        assert_eq!(xs[1].body, binary, "binary bodies survive as base64");
        assert!(xs[2].body.is_empty());
        assert_eq!(xs[2].frame, 3);
    }

    #[test]
    fn the_file_is_valid_har_after_every_entry() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("live.har");
        let mut w = HarWriter::create(&path).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let check = |n: usize| {
            let v: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
            assert_eq!(v["log"]["version"], "1.2");
            assert_eq!(v["log"]["creator"]["name"], "privaudit");
            assert_eq!(v["log"]["entries"].as_array().unwrap().len(), n);
            v
        };
        check(0);
        let c = captured(
            "POST",
            "/a?x=1&y=a%20b",
            b"k=v",
            "application/x-www-form-urlencoded",
        );
        w.append(&entry(&c, &Limits::default())).unwrap();
        let v = check(1);
        let e = &v["log"]["entries"][0];
        // The HAR 1.2 fields a strict reader requires.
        for key in [
            "startedDateTime",
            "time",
            "request",
            "response",
            "cache",
            "timings",
        ] {
            assert!(e.get(key).is_some(), "missing {key}");
        }
        for key in [
            "method",
            "url",
            "httpVersion",
            "cookies",
            "headers",
            "queryString",
            "headersSize",
            "bodySize",
        ] {
            assert!(e["request"].get(key).is_some(), "missing request.{key}");
        }
        for key in [
            "status",
            "statusText",
            "httpVersion",
            "cookies",
            "headers",
            "content",
            "redirectURL",
            "headersSize",
            "bodySize",
        ] {
            assert!(e["response"].get(key).is_some(), "missing response.{key}");
        }
        assert_eq!(e["request"]["queryString"][1]["value"], "a b");
        assert_eq!(e["request"]["cookies"][0]["name"], "sid");
        assert_eq!(e["request"]["postData"]["text"], "k=v");
        assert_eq!(e["response"]["content"]["mimeType"], "application/json");
        assert_eq!(e["response"]["content"]["text"], "{\"ok\":true}");
        assert_eq!(e["timings"]["wait"], 20.0);
        w.note_not_inspected("pinned.example:443", "client refused our certificate")
            .unwrap();
        let v = check(1);
        assert_eq!(
            v["log"]["_privaudit"]["notInspected"][0]["host"],
            "pinned.example:443"
        );
        w.append(&entry(&c, &Limits::default())).unwrap();
        check(2);
        w.finish().unwrap();
        check(2);
    }

    #[test]
    fn truncated_and_compressed_bodies_are_marked() {
        use std::io::Write as _;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(b"email=someone@example.com").unwrap();
        let gz = gz.finish().unwrap();
        let mut c = captured("POST", "/", &gz, "application/x-www-form-urlencoded");
        c.request_headers
            .push(("Content-Encoding".into(), "gzip".into()));
        c.response_body.truncated = true;
        c.response_body.wire_len = 5_000_000;
        let e = entry(&c, &Limits::default());
        assert_eq!(
            e["request"]["postData"]["text"],
            "email=someone@example.com"
        );
        assert_eq!(e["request"]["bodySize"], gz.len());
        assert!(
            e["response"]["content"]["comment"]
                .as_str()
                .unwrap()
                .contains("truncated")
        );
    }
}
