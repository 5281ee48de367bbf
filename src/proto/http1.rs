//! HTTP/1.x on any port, recognised by content: requests and responses with keep-alive
//! and pipelining, Content-Length and chunked bodies, Content-Encoding removal, and
//! CONNECT tunnels. Heads are parsed with httparse; bodies are kept up to the body limit
//! (the rest is counted, not stored). Only request bodies are kept: personal data
//! leaves the device in requests; responses are read for their status and skipped.

use std::collections::VecDeque;

use crate::codec::{self, Compression};
use crate::limits::Limits;
use crate::time::Timestamp;

const METHODS: [&[u8]; 14] = [
    b"GET ",
    b"POST ",
    b"PUT ",
    b"HEAD ",
    b"DELETE ",
    b"OPTIONS ",
    b"PATCH ",
    b"CONNECT ",
    b"TRACE ",
    b"PROPFIND ",
    b"M-SEARCH ",
    b"NOTIFY ",
    b"SUBSCRIBE ",
    b"REPORT ",
];

/// Does `data` start like an HTTP/1 request line?
pub fn looks_like_request(data: &[u8]) -> bool {
    METHODS.iter().any(|m| {
        let n = m.len().min(data.len());
        n > 0 && data[..n] == m[..n] && (data.len() >= m.len() || n >= 3)
    }) && data.first().is_some_and(|b| b.is_ascii_uppercase())
}

/// Does `data` start like an HTTP/1 status line?
pub fn looks_like_response(data: &[u8]) -> bool {
    let n = data.len().min(7);
    n >= 5 && data[..n] == b"HTTP/1."[..n]
}

/// A whole HTTP request in one UDP datagram (SSDP, UPnP).
pub fn parse_datagram(data: &[u8], frame: u64, ts: Timestamp) -> Option<Request> {
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut parsed = httparse::Request::new(&mut headers);
    let head_len = match parsed.parse(data) {
        Ok(httparse::Status::Complete(n)) => n,
        _ => return None,
    };
    let body = data.get(head_len..).unwrap_or(&[]);
    Some(Request {
        method: parsed.method?.to_string(),
        uri: parsed.path?.to_string(),
        version: format!("HTTP/1.{}", parsed.version.unwrap_or(1)),
        headers: parsed
            .headers
            .iter()
            .map(|h| {
                (
                    h.name.to_string(),
                    String::from_utf8_lossy(h.value).into_owned(),
                )
            })
            .collect(),
        body: body.to_vec(),
        body_wire_len: body.len() as u64,
        first_frame: frame,
        last_frame: frame,
        ts,
        ..Request::default()
    })
}

/// The start of a request whose end was never received (the first fragment of an IP
/// datagram): the request line and the header lines that are whole; the body bytes
/// after a complete head, as far as they go. `None` unless the request line is whole.
pub fn parse_request_prefix(data: &[u8], frame: u64, ts: Timestamp) -> Option<Request> {
    if !looks_like_request(data) {
        return None;
    }
    let line_end = data.iter().position(|&b| b == b'\n')?;
    let line = std::str::from_utf8(&data[..line_end])
        .ok()?
        .trim_end_matches('\r');
    let mut parts = line.split(' ');
    let (method, uri, version) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || uri.is_empty() || !version.starts_with("HTTP/1.") {
        return None;
    }
    let mut headers = Vec::new();
    let mut pos = line_end + 1;
    let mut body = None;
    while let Some(len) = data[pos..].iter().position(|&b| b == b'\n') {
        let raw = &data[pos..pos + len];
        pos += len + 1;
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        if raw.is_empty() {
            body = Some(&data[pos..]);
            break;
        }
        let text = String::from_utf8_lossy(raw);
        if let Some((name, value)) = text.split_once(':') {
            headers.push((name.trim().to_string(), value.trim().to_string()));
        }
    }
    let body = body.unwrap_or(&[]);
    Some(Request {
        method: method.to_string(),
        uri: uri.to_string(),
        version: version.to_string(),
        headers,
        body: body.to_vec(),
        body_wire_len: body.len() as u64,
        body_truncated: true,
        first_frame: frame,
        last_frame: frame,
        ts,
        ..Request::default()
    })
}

/// A request with its (decoded, bounded) body.
#[derive(Debug, Clone, Default)]
pub struct Request {
    pub method: String,
    pub uri: String,
    pub version: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub body_encoding: Vec<String>,
    pub body_wire_len: u64,
    pub body_truncated: bool,
    pub first_frame: u64,
    pub last_frame: u64,
    pub ts: Timestamp,
    pub status: Option<u16>,
    pub response_content_type: Option<String>,
}

/// Something the parser wants the caller to know.
#[derive(Debug)]
pub enum HttpEvent {
    /// A request, with its response status when one was seen.
    Exchange(Box<Request>),
    /// A limit was reached; the data beyond it was counted and skipped.
    Limit { limit: &'static str, detail: String },
    /// The connection became a tunnel (CONNECT accepted, or Upgrade); the bytes after
    /// this point in both directions belong to another protocol.
    Tunnel,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BodyMode {
    None,
    Length(u64),
    Chunked,
    UntilClose,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ChunkState {
    Size,
    Data(u64),
    DataEnd,
    Trailers,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Head,
    Body(u64),
    Chunked(ChunkState),
    UntilClose,
    /// Lost track (gap or garbage): wait for a chunk that starts a new message.
    Desync,
    Tunnel,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Request,
    Response,
}

/// One direction of an HTTP/1 connection.
#[derive(Debug)]
struct Direction {
    state: State,
    buf: Vec<u8>,
    current: Option<Request>,
    current_encoding: Option<String>,
    status: Option<u16>,
}

impl Direction {
    fn new() -> Self {
        Direction {
            state: State::Head,
            buf: Vec::new(),
            current: None,
            current_encoding: None,
            status: None,
        }
    }
}

/// An HTTP/1 connection: both directions and the requests awaiting responses.
#[derive(Debug)]
pub struct HttpSession {
    up: Direction,
    down: Direction,
    /// Requests sent, waiting for their responses, oldest first.
    pending: VecDeque<Request>,
    /// Methods of the pending requests, so responses to HEAD/CONNECT are read right.
    limits: Limits,
    pub tunnel: bool,
}

impl HttpSession {
    pub fn new(limits: &Limits) -> Self {
        HttpSession {
            up: Direction::new(),
            down: Direction::new(),
            pending: VecDeque::new(),
            limits: limits.clone(),
            tunnel: false,
        }
    }

    /// Bytes from the client.
    pub fn on_request_data(
        &mut self,
        data: &[u8],
        frame: u64,
        ts: Timestamp,
        out: &mut Vec<HttpEvent>,
    ) {
        self.feed(true, data, frame, ts, out);
    }

    /// Bytes from the server.
    pub fn on_response_data(
        &mut self,
        data: &[u8],
        frame: u64,
        ts: Timestamp,
        out: &mut Vec<HttpEvent>,
    ) {
        self.feed(false, data, frame, ts, out);
    }

    /// `len` bytes were lost in one direction (capture drop or gap).
    pub fn on_gap(&mut self, from_client: bool, len: u64) {
        let dir = if from_client {
            &mut self.up
        } else {
            &mut self.down
        };
        match dir.state {
            State::Body(remaining) if len <= remaining => {
                dir.state = State::Body(remaining - len);
                if let Some(req) = dir.current.as_mut() {
                    req.body_truncated = true;
                    req.body_wire_len += len;
                }
            }
            State::UntilClose | State::Tunnel => {}
            _ => {
                dir.buf.clear();
                dir.state = State::Desync;
            }
        }
    }

    /// The connection ended: flush what is pending.
    pub fn finish(&mut self, out: &mut Vec<HttpEvent>) {
        if self.up.state == State::UntilClose || matches!(self.up.state, State::Body(_)) {
            self.complete_request(out);
        }
        while let Some(req) = self.pending.pop_front() {
            out.push(HttpEvent::Exchange(Box::new(req)));
        }
    }

    fn feed(
        &mut self,
        from_client: bool,
        mut data: &[u8],
        frame: u64,
        ts: Timestamp,
        out: &mut Vec<HttpEvent>,
    ) {
        loop {
            let dir = if from_client {
                &mut self.up
            } else {
                &mut self.down
            };
            if data.is_empty() {
                return;
            }
            match dir.state {
                State::Tunnel => return,
                State::Desync => {
                    let starts = if from_client {
                        looks_like_request(data)
                    } else {
                        looks_like_response(data)
                    };
                    if !starts {
                        return;
                    }
                    dir.state = State::Head;
                }
                State::Head => {
                    let before = dir.buf.len();
                    let room = self.limits.http_header_bytes.saturating_sub(before);
                    let take = data.len().min(room);
                    dir.buf.extend_from_slice(&data[..take]);
                    let parsed = if from_client {
                        self.parse_request_head(frame, ts, out)
                    } else {
                        self.parse_response_head(out)
                    };
                    let dir = if from_client {
                        &mut self.up
                    } else {
                        &mut self.down
                    };
                    match parsed {
                        HeadResult::Complete(head_len) => {
                            // Bytes of this chunk past the head go to the body.
                            let used = head_len.saturating_sub(before).min(data.len());
                            dir.buf.clear();
                            data = &data[used..];
                            continue;
                        }
                        HeadResult::Partial => {
                            if take < data.len() {
                                out.push(HttpEvent::Limit {
                                    limit: "http_header_bytes",
                                    detail: format!(
                                        "message head longer than {} bytes",
                                        self.limits.http_header_bytes
                                    ),
                                });
                                dir.buf.clear();
                                dir.state = State::Desync;
                            }
                            return;
                        }
                        HeadResult::Invalid => {
                            dir.buf.clear();
                            dir.state = State::Desync;
                            return;
                        }
                    }
                }
                State::Body(remaining) => {
                    let n = (remaining as usize).min(data.len());
                    self.body_bytes(from_client, &data[..n], frame, out);
                    let left = remaining - n as u64;
                    data = &data[n..];
                    let dir = if from_client {
                        &mut self.up
                    } else {
                        &mut self.down
                    };
                    if left == 0 {
                        dir.state = State::Head;
                        self.message_done(from_client, out);
                    } else {
                        dir.state = State::Body(left);
                    }
                }
                State::UntilClose => {
                    let chunk = data;
                    self.body_bytes(from_client, chunk, frame, out);
                    return;
                }
                State::Chunked(cs) => match self.chunked(from_client, cs, data, frame, out) {
                    Some(rest) => data = rest,
                    None => return,
                },
            }
        }
    }

    /// Steps the chunked-encoding state machine; returns the unconsumed input, or
    /// `None` when it needs more data.
    fn chunked<'d>(
        &mut self,
        from_client: bool,
        cs: ChunkState,
        data: &'d [u8],
        frame: u64,
        out: &mut Vec<HttpEvent>,
    ) -> Option<&'d [u8]> {
        match cs {
            ChunkState::Size | ChunkState::Trailers | ChunkState::DataEnd => {
                let dir = if from_client {
                    &mut self.up
                } else {
                    &mut self.down
                };
                let nl = memchr::memchr(b'\n', data);
                let take = nl.map(|i| i + 1).unwrap_or(data.len());
                if dir.buf.len() + take > 4096 {
                    dir.buf.clear();
                    dir.state = State::Desync;
                    return None;
                }
                dir.buf.extend_from_slice(&data[..take]);
                nl?;
                let line = std::mem::take(&mut dir.buf);
                let text = String::from_utf8_lossy(&line);
                let text = text.trim();
                match cs {
                    ChunkState::DataEnd => {
                        dir.state = State::Chunked(ChunkState::Size);
                    }
                    ChunkState::Trailers => {
                        if text.is_empty() {
                            dir.state = State::Head;
                            self.message_done(from_client, out);
                        }
                    }
                    _ => {
                        let hex = text.split(';').next().unwrap_or("").trim();
                        match u64::from_str_radix(hex, 16) {
                            Ok(0) => dir.state = State::Chunked(ChunkState::Trailers),
                            Ok(n) => dir.state = State::Chunked(ChunkState::Data(n)),
                            Err(_) => {
                                dir.state = State::Desync;
                                return None;
                            }
                        }
                    }
                }
                Some(&data[take..])
            }
            ChunkState::Data(remaining) => {
                let n = (remaining as usize).min(data.len());
                self.body_bytes(from_client, &data[..n], frame, out);
                let left = remaining - n as u64;
                let dir = if from_client {
                    &mut self.up
                } else {
                    &mut self.down
                };
                dir.state = State::Chunked(if left == 0 {
                    ChunkState::DataEnd
                } else {
                    ChunkState::Data(left)
                });
                Some(&data[n..])
            }
        }
    }

    fn body_bytes(
        &mut self,
        from_client: bool,
        bytes: &[u8],
        frame: u64,
        out: &mut Vec<HttpEvent>,
    ) {
        if !from_client {
            return;
        }
        let limit = self.limits.body_bytes;
        let Some(req) = self.up.current.as_mut() else {
            return;
        };
        req.last_frame = frame;
        req.body_wire_len += bytes.len() as u64;
        let room = limit.saturating_sub(req.body.len());
        if bytes.len() > room {
            if !req.body_truncated {
                out.push(HttpEvent::Limit {
                    limit: "body_bytes",
                    detail: format!(
                        "request body of {} {} kept to its first {} bytes",
                        req.method, req.uri, limit
                    ),
                });
            }
            req.body_truncated = true;
        }
        req.body.extend_from_slice(&bytes[..bytes.len().min(room)]);
    }

    fn message_done(&mut self, from_client: bool, out: &mut Vec<HttpEvent>) {
        if from_client {
            self.complete_request(out);
        }
    }

    fn complete_request(&mut self, out: &mut Vec<HttpEvent>) {
        let Some(mut req) = self.up.current.take() else {
            return;
        };
        if let Some(encoding) = self.up.current_encoding.take() {
            decode_body(&mut req, &encoding, &self.limits, out);
        }
        if self.pending.len() >= self.limits.http_pending_requests
            && let Some(old) = self.pending.pop_front()
        {
            out.push(HttpEvent::Exchange(Box::new(old)));
        }
        self.pending.push_back(req);
    }

    fn parse_request_head(
        &mut self,
        frame: u64,
        ts: Timestamp,
        out: &mut Vec<HttpEvent>,
    ) -> HeadResult {
        let dir = &mut self.up;
        if memchr::memmem::find(&dir.buf, b"\r\n\r\n").is_none()
            && memchr::memmem::find(&dir.buf, b"\n\n").is_none()
        {
            if dir.buf.len() >= 4 && !looks_like_request(&dir.buf) {
                return HeadResult::Invalid;
            }
            if dir.current.is_none() {
                dir.current = Some(Request {
                    first_frame: frame,
                    ts,
                    ..Request::default()
                });
            }
            return HeadResult::Partial;
        }
        let mut headers = vec![httparse::EMPTY_HEADER; self.limits.http_header_count];
        let mut parsed = httparse::Request::new(&mut headers);
        let n = match parsed.parse(&dir.buf) {
            Ok(httparse::Status::Complete(n)) => n,
            Ok(httparse::Status::Partial) => return HeadResult::Partial,
            Err(httparse::Error::TooManyHeaders) => {
                out.push(HttpEvent::Limit {
                    limit: "http_header_count",
                    detail: format!(
                        "request with more than {} headers",
                        self.limits.http_header_count
                    ),
                });
                return HeadResult::Invalid;
            }
            Err(_) => return HeadResult::Invalid,
        };
        let mut req = dir.current.take().unwrap_or(Request {
            first_frame: frame,
            ts,
            ..Request::default()
        });
        req.method = parsed.method.unwrap_or("").to_string();
        req.uri = parsed.path.unwrap_or("").to_string();
        req.version = format!("HTTP/1.{}", parsed.version.unwrap_or(1));
        req.last_frame = frame;
        req.headers = parsed
            .headers
            .iter()
            .map(|h| {
                (
                    h.name.to_string(),
                    String::from_utf8_lossy(h.value).into_owned(),
                )
            })
            .collect();
        let mode = body_mode(&req.headers, Role::Request, None, None);
        let encoding = header_value(&req.headers, "content-encoding").map(str::to_string);
        let is_connect = req.method.eq_ignore_ascii_case("CONNECT");
        dir.current = Some(req);
        dir.current_encoding = encoding;
        dir.state = match mode {
            BodyMode::None => State::Head,
            BodyMode::Length(0) => State::Head,
            BodyMode::Length(len) => State::Body(len),
            BodyMode::Chunked => State::Chunked(ChunkState::Size),
            BodyMode::UntilClose => State::Head,
        };
        if dir.state == State::Head {
            self.complete_request(out);
            if is_connect {
                // Everything after a CONNECT belongs to the tunnel once it is accepted;
                // stop parsing requests until the response says so.
                self.up.state = State::Desync;
            }
        }
        HeadResult::Complete(n)
    }

    fn parse_response_head(&mut self, out: &mut Vec<HttpEvent>) -> HeadResult {
        let dir = &mut self.down;
        if memchr::memmem::find(&dir.buf, b"\r\n\r\n").is_none()
            && memchr::memmem::find(&dir.buf, b"\n\n").is_none()
        {
            if dir.buf.len() >= 5 && !looks_like_response(&dir.buf) {
                return HeadResult::Invalid;
            }
            return HeadResult::Partial;
        }
        let mut headers = vec![httparse::EMPTY_HEADER; self.limits.http_header_count];
        let mut parsed = httparse::Response::new(&mut headers);
        let n = match parsed.parse(&dir.buf) {
            Ok(httparse::Status::Complete(n)) => n,
            Ok(httparse::Status::Partial) => return HeadResult::Partial,
            Err(_) => return HeadResult::Invalid,
        };
        let status = parsed.code.unwrap_or(0);
        let headers: Vec<(String, String)> = parsed
            .headers
            .iter()
            .map(|h| {
                (
                    h.name.to_string(),
                    String::from_utf8_lossy(h.value).into_owned(),
                )
            })
            .collect();
        if (100..200).contains(&status) && status != 101 {
            // Interim response: the final one follows.
            dir.state = State::Head;
            return HeadResult::Complete(n);
        }
        let request_method = self.pending.front().map(|r| r.method.clone());
        let mode = body_mode(
            &headers,
            Role::Response,
            Some(status),
            request_method.as_deref(),
        );
        let tunnel = status == 101
            || (request_method
                .as_deref()
                .is_some_and(|m| m.eq_ignore_ascii_case("CONNECT"))
                && (200..300).contains(&status));
        if let Some(mut req) = self.pending.pop_front() {
            req.status = Some(status);
            req.response_content_type = header_value(&headers, "content-type").map(str::to_string);
            out.push(HttpEvent::Exchange(Box::new(req)));
        }
        let dir = &mut self.down;
        dir.status = Some(status);
        if tunnel {
            dir.state = State::Tunnel;
            self.up.state = State::Tunnel;
            self.tunnel = true;
            out.push(HttpEvent::Tunnel);
            return HeadResult::Complete(n);
        }
        dir.state = match mode {
            BodyMode::None | BodyMode::Length(0) => State::Head,
            BodyMode::Length(len) => State::Body(len),
            BodyMode::Chunked => State::Chunked(ChunkState::Size),
            BodyMode::UntilClose => State::UntilClose,
        };
        // A refused CONNECT: the client may send a new request.
        if self.up.state == State::Desync
            && request_method
                .as_deref()
                .is_some_and(|m| m.eq_ignore_ascii_case("CONNECT"))
        {
            self.up.state = State::Head;
        }
        HeadResult::Complete(n)
    }
}

enum HeadResult {
    Complete(usize),
    Partial,
    Invalid,
}

fn header_value<'h>(headers: &'h [(String, String)], name: &str) -> Option<&'h str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

fn body_mode(
    headers: &[(String, String)],
    role: Role,
    status: Option<u16>,
    request_method: Option<&str>,
) -> BodyMode {
    if role == Role::Response {
        let status = status.unwrap_or(200);
        if request_method.is_some_and(|m| m.eq_ignore_ascii_case("HEAD"))
            || status == 204
            || status == 304
            || (100..200).contains(&status)
        {
            return BodyMode::None;
        }
    }
    if header_value(headers, "transfer-encoding")
        .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"))
    {
        return BodyMode::Chunked;
    }
    if let Some(len) = header_value(headers, "content-length") {
        return match len.trim().parse::<u64>() {
            Ok(n) => BodyMode::Length(n),
            Err(_) => BodyMode::None,
        };
    }
    match role {
        Role::Request => BodyMode::None,
        Role::Response => BodyMode::UntilClose,
    }
}

/// Undoes a request body's Content-Encoding (gzip, deflate, br; several layers), within
/// the decompression limits; a body over a limit is kept encoded and reported.
pub(super) fn decode_body(
    req: &mut Request,
    encoding: &str,
    limits: &Limits,
    out: &mut Vec<HttpEvent>,
) {
    // Content-Encoding lists codings in the order applied; undo them last first.
    let layers: Vec<&str> = encoding
        .split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty() && !t.eq_ignore_ascii_case("identity"))
        .collect();
    for token in layers.iter().rev() {
        let Some(kind) = Compression::from_content_encoding(token) else {
            return;
        };
        match codec::decompress(
            kind,
            &req.body,
            limits.decompressed_bytes,
            limits.decompression_ratio,
        ) {
            Ok(plain) => {
                req.body = plain;
                req.body_encoding.push(kind.name().to_string());
            }
            Err(e) => {
                if matches!(
                    e,
                    codec::DecodeError::TooLarge { .. } | codec::DecodeError::Ratio { .. }
                ) {
                    out.push(HttpEvent::Limit {
                        limit: "decompressed_bytes",
                        detail: format!("body of {} {}: {e}", req.method, req.uri),
                    });
                }
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cut_request_keeps_its_line_and_whole_headers() {
        let data = b"GET /track?imei=861234567890123 HTTP/1.1\r\nHost: a.example\r\nUser-Ag";
        let r = parse_request_prefix(data, 4, Timestamp(0)).unwrap();
        assert_eq!(
            (r.method.as_str(), r.uri.as_str()),
            ("GET", "/track?imei=861234567890123")
        );
        assert_eq!(
            r.headers,
            vec![("Host".to_string(), "a.example".to_string())]
        );
        assert!(r.body.is_empty() && r.body_truncated);
        let post = b"POST /u HTTP/1.1\r\nHost: b\r\n\r\nmobile=1381";
        assert_eq!(
            parse_request_prefix(post, 1, Timestamp(0)).unwrap().body,
            b"mobile=1381"
        );
        // A request line cut short, or no request at all, is nothing.
        assert!(parse_request_prefix(b"GET /track?imei=8612", 1, Timestamp(0)).is_none());
        assert!(parse_request_prefix(b"\x16\x03\x01", 1, Timestamp(0)).is_none());
        for len in 0..data.len() {
            let _ = parse_request_prefix(&data[..len], 1, Timestamp(0));
        }
    }

    fn run(up: &[&[u8]], down: &[&[u8]]) -> Vec<Request> {
        let mut s = HttpSession::new(&Limits::default());
        let mut out = Vec::new();
        for (i, c) in up.iter().enumerate() {
            s.on_request_data(c, i as u64 + 1, Timestamp(0), &mut out);
        }
        for (i, c) in down.iter().enumerate() {
            s.on_response_data(c, 100 + i as u64, Timestamp(0), &mut out);
        }
        s.finish(&mut out);
        out.into_iter()
            .filter_map(|e| match e {
                HttpEvent::Exchange(r) => Some(*r),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn pipelined_requests_pair_with_responses() {
        let reqs = run(
            &[b"GET /a HTTP/1.1\r\nHost: x\r\n\r\nPOST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"],
            &[b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n"],
        );
        assert_eq!(reqs.len(), 2);
        assert_eq!((reqs[0].uri.as_str(), reqs[0].status), ("/a", Some(200)));
        assert_eq!((reqs[1].uri.as_str(), reqs[1].status), ("/b", Some(201)));
        assert_eq!(reqs[1].body, b"hello");
    }

    #[test]
    fn head_split_over_segments_keeps_first_frame() {
        let reqs = run(&[b"GET /x HT", b"TP/1.1\r\nHo", b"st: a\r\n\r\n"], &[]);
        assert_eq!(reqs.len(), 1);
        assert_eq!(reqs[0].first_frame, 1);
        assert_eq!(reqs[0].last_frame, 3);
    }

    #[test]
    fn chunked_gzip_body_is_decoded() {
        use std::io::Write;
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(b"{\"imei\":\"861234567890123\"}").unwrap();
        let z = e.finish().unwrap();
        let mut msg = b"POST /u HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Encoding: gzip\r\n\r\n".to_vec();
        let (a, b) = z.split_at(10);
        msg.extend(format!("{:x}\r\n", a.len()).as_bytes());
        msg.extend(a);
        msg.extend(b"\r\n");
        msg.extend(format!("{:X};ext=1\r\n", b.len()).as_bytes());
        msg.extend(b);
        msg.extend(b"\r\n0\r\n\r\n");
        let chunks: Vec<&[u8]> = msg.chunks(3).collect();
        let reqs = run(&chunks, &[]);
        assert_eq!(reqs.len(), 1);
        assert_eq!(reqs[0].body, b"{\"imei\":\"861234567890123\"}");
        assert_eq!(reqs[0].body_encoding, vec!["gzip"]);
    }

    #[test]
    fn connect_becomes_a_tunnel() {
        let mut s = HttpSession::new(&Limits::default());
        let mut out = Vec::new();
        s.on_request_data(
            b"CONNECT a.com:443 HTTP/1.1\r\nHost: a.com:443\r\n\r\n",
            1,
            Timestamp(0),
            &mut out,
        );
        s.on_response_data(
            b"HTTP/1.1 200 Connection established\r\n\r\n",
            2,
            Timestamp(0),
            &mut out,
        );
        assert!(s.tunnel);
        assert!(out.iter().any(|e| matches!(e, HttpEvent::Tunnel)));
    }

    #[test]
    fn garbage_resyncs_on_next_request() {
        let reqs = run(
            &[b"\x00\x01garbage\r\n\r\n", b"GET /ok HTTP/1.1\r\n\r\n"],
            &[],
        );
        assert_eq!(reqs.len(), 1);
        assert_eq!(reqs[0].uri, "/ok");
    }

    #[test]
    fn recognises_request_lines() {
        assert!(looks_like_request(b"GET / HTTP/1.1"));
        assert!(looks_like_request(b"POS"));
        assert!(!looks_like_request(b"\x16\x03\x01"));
        assert!(looks_like_response(b"HTTP/1.1 200"));
    }
}
#[cfg(test)]
mod udp_tests {
    #[test]
    fn ssdp_search_is_a_request() {
        let d = b"M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: \"ssdp:discover\"\r\nMX: 1\r\n\r\n";
        assert!(super::looks_like_request(d));
        let r = super::parse_datagram(d, 1, crate::time::Timestamp(0)).expect("parsed");
        assert_eq!(r.method, "M-SEARCH");
    }
}
