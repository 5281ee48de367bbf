//! HTTP/3 (RFC 9114) over decrypted QUIC streams: HEADERS and DATA frames on
//! client-initiated bidirectional streams become requests (with the status from the
//! server's half of the same stream), the unidirectional control streams give the
//! QPACK table capacity, and the encoder streams feed QPACK's dynamic tables. Stream
//! bytes arrive here in order (reassembly is the caller's); each request becomes an
//! [`HttpEvent::Exchange`] like HTTP/1's and HTTP/2's.

use std::collections::BTreeMap;

use super::http1::{HttpEvent, Request, decode_body};
use super::qpack::{self, QpackError};
use super::wire::Reader;

use crate::limits::Limits;
use crate::time::Timestamp;

const FRAME_DATA: u64 = 0x00;
const FRAME_HEADERS: u64 = 0x01;
const FRAME_SETTINGS: u64 = 0x04;
const SETTINGS_QPACK_MAX_TABLE_CAPACITY: u64 = 0x01;
const STREAM_CONTROL: u64 = 0x00;
const STREAM_QPACK_ENCODER: u64 = 0x02;
/// Header blocks waiting for encoder-stream insertions, per connection.
const MAX_BLOCKED: usize = 64;

/// Where one direction of a stream is in its frame sequence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FrameState {
    /// Waiting for a frame header (type and length varints).
    Header,
    /// Inside a DATA frame with this many bytes left.
    Data(u64),
    /// Inside a frame we do not keep (or one too large to keep).
    Skip(u64),
    /// Collecting a frame of this type and length whole (HEADERS, SETTINGS).
    Whole(u64, u64),
    /// Lost: the rest of this direction is ignored.
    Broken,
}

/// Frame reading state of one direction of one stream.
#[derive(Debug)]
struct FrameReader {
    state: FrameState,
    buf: Vec<u8>,
}

impl Default for FrameReader {
    fn default() -> Self {
        FrameReader {
            state: FrameState::Header,
            buf: Vec::new(),
        }
    }
}

/// What a frame reader found in new bytes.
enum Piece {
    Frame(u64, Vec<u8>),
    Data(Vec<u8>),
    /// A frame longer than the bound (skipped).
    TooLarge,
}

impl FrameReader {
    /// Consumes stream bytes; frames of type `keep` are returned whole up to `max`
    /// bytes, DATA frames' contents as they come, others are skipped.
    fn feed(&mut self, data: &[u8], keep: &[u64], max: usize) -> Vec<Piece> {
        let mut out = Vec::new();
        let mut input = data;
        loop {
            match self.state {
                FrameState::Broken => return out,
                FrameState::Data(left) | FrameState::Skip(left) => {
                    if input.is_empty() {
                        return out;
                    }
                    let n = usize::try_from(left).unwrap_or(usize::MAX).min(input.len());
                    if let FrameState::Data(_) = self.state {
                        out.push(Piece::Data(input[..n].to_vec()));
                    }
                    input = &input[n..];
                    let left = left - n as u64;
                    self.state = match self.state {
                        _ if left == 0 => FrameState::Header,
                        FrameState::Data(_) => FrameState::Data(left),
                        _ => FrameState::Skip(left),
                    };
                }
                FrameState::Whole(kind, len) => {
                    let need = usize::try_from(len).unwrap_or(usize::MAX) - self.buf.len();
                    let n = need.min(input.len());
                    self.buf.extend_from_slice(&input[..n]);
                    input = &input[n..];
                    if self.buf.len() as u64 == len {
                        out.push(Piece::Frame(kind, std::mem::take(&mut self.buf)));
                        self.state = FrameState::Header;
                    } else {
                        return out;
                    }
                }
                FrameState::Header => {
                    // A frame header is at most 16 bytes; keep a partial one in `buf`.
                    let take = input.len().min(16);
                    self.buf.extend_from_slice(&input[..take]);
                    let mut r = Reader::new(&self.buf);
                    let (Some(kind), Some(len)) = (r.varint(), r.varint()) else {
                        if self.buf.len() >= 16 {
                            self.state = FrameState::Broken;
                        }
                        input = &input[take..];
                        if input.is_empty() {
                            return out;
                        }
                        continue;
                    };
                    // Bytes of `input` that belonged to the header.
                    let header_len = r.position();
                    let from_input = header_len - (self.buf.len() - take);
                    input = &input[from_input..];
                    self.buf.clear();
                    self.state = if kind == FRAME_DATA {
                        FrameState::Data(len)
                    } else if keep.contains(&kind) {
                        if len > max as u64 {
                            out.push(Piece::TooLarge);
                            FrameState::Skip(len)
                        } else {
                            FrameState::Whole(kind, len)
                        }
                    } else {
                        FrameState::Skip(len)
                    };
                    if len == 0 {
                        if let FrameState::Whole(kind, _) = self.state {
                            out.push(Piece::Frame(kind, Vec::new()));
                        }
                        self.state = FrameState::Header;
                    }
                    if input.is_empty() {
                        return out;
                    }
                }
            }
        }
    }
}

#[derive(Debug, Default)]
struct ReqStream {
    request: Option<Request>,
    /// Body bytes that arrived while the header block waited for QPACK insertions.
    early_body: Vec<u8>,
    early_wire_len: u64,
    encoding: Option<String>,
    request_done: bool,
    status: Option<u16>,
    response_type: Option<String>,
    up: FrameReader,
    down: FrameReader,
}

/// What a unidirectional stream turned out to be.
#[derive(Debug)]
enum UniKind {
    /// The type varint is not complete yet.
    Unknown(Vec<u8>),
    Control(FrameReader),
    Encoder,
    Ignored,
}

/// A header block that referred to insertions not received yet.
#[derive(Debug)]
struct Blocked {
    from_client: bool,
    stream: u64,
    block: Vec<u8>,
    frame: u64,
    ts: Timestamp,
}

/// One HTTP/3 connection.
pub struct Http3Session {
    limits: Limits,
    streams: BTreeMap<u64, ReqStream>,
    uni: BTreeMap<(bool, u64), UniKind>,
    /// Decodes the client's header blocks (fed by the client's encoder stream).
    client_qpack: qpack::Decoder,
    server_qpack: qpack::Decoder,
    blocked: Vec<Blocked>,
    /// An encoder stream failed: that side's later header blocks cannot be trusted.
    qpack_broken: [bool; 2],
}

impl std::fmt::Debug for Http3Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Http3Session({} streams)", self.streams.len())
    }
}

/// Client-initiated bidirectional streams carry requests (RFC 9000 §2.1).
fn is_request_stream(id: u64) -> bool {
    id & 0x03 == 0
}

impl Http3Session {
    pub fn new(limits: &Limits) -> Self {
        Http3Session {
            limits: limits.clone(),
            streams: BTreeMap::new(),
            uni: BTreeMap::new(),
            client_qpack: qpack::Decoder::new(limits.qpack_table_bytes),
            server_qpack: qpack::Decoder::new(limits.qpack_table_bytes),
            blocked: Vec::new(),
            qpack_broken: [false, false],
        }
    }

    /// In-order bytes of one stream from one side; `fin` when the side closed it.
    #[allow(clippy::too_many_arguments)]
    pub fn on_stream_data(
        &mut self,
        from_client: bool,
        stream: u64,
        data: &[u8],
        fin: bool,
        frame: u64,
        ts: Timestamp,
        out: &mut Vec<HttpEvent>,
    ) {
        if stream & 0x02 != 0 {
            // Unidirectional: only the initiator sends on it.
            if (stream & 0x01 == 0) == from_client {
                self.uni_data(from_client, stream, data, out);
            }
            return;
        }
        if !is_request_stream(stream) {
            return; // server-initiated bidirectional streams are not used by HTTP/3
        }
        if !self.streams.contains_key(&stream) {
            if self.streams.len() >= self.limits.quic_streams
                && let Some((&oldest, _)) = self.streams.iter().next()
            {
                out.push(HttpEvent::Limit {
                    limit: "quic_streams",
                    detail: format!(
                        "more than {} HTTP/3 requests open at once; stream {oldest} is reported as it stands",
                        self.limits.quic_streams
                    ),
                });
                self.request_done(oldest, out);
                self.emit(oldest, out);
                self.streams.remove(&oldest);
            }
            self.streams.insert(stream, ReqStream::default());
        }
        let max = self.limits.http_header_bytes;
        let Some(st) = self.streams.get_mut(&stream) else {
            return;
        };
        let reader = if from_client {
            &mut st.up
        } else {
            &mut st.down
        };
        let pieces = reader.feed(data, &[FRAME_HEADERS], max);
        for piece in pieces {
            match piece {
                Piece::Frame(_, block) => {
                    self.header_block(from_client, stream, block, frame, ts, out)
                }
                Piece::Data(bytes) if from_client => self.body(stream, &bytes, frame),
                Piece::Data(_) => {}
                Piece::TooLarge => out.push(HttpEvent::Limit {
                    limit: "http_header_bytes",
                    detail: format!(
                        "HTTP/3 header block on stream {stream} is larger than the limit; skipped"
                    ),
                }),
            }
        }
        if fin {
            if from_client {
                if let Some(req) = self
                    .streams
                    .get_mut(&stream)
                    .and_then(|s| s.request.as_mut())
                {
                    req.last_frame = req.last_frame.max(frame);
                }
                self.request_done(stream, out);
            } else {
                self.response_done(stream, out);
            }
        }
    }

    /// The sender reset a stream: report what was seen of it.
    pub fn on_reset(&mut self, stream: u64, out: &mut Vec<HttpEvent>) {
        if self.streams.contains_key(&stream) {
            self.request_done(stream, out);
            self.emit(stream, out);
            self.streams.remove(&stream);
        }
    }

    fn uni_data(&mut self, from_client: bool, stream: u64, data: &[u8], out: &mut Vec<HttpEvent>) {
        let key = (from_client, stream);
        if !self.uni.contains_key(&key) && self.uni.len() >= 64 {
            return; // HTTP/3 opens three per side; more are extensions or noise
        }
        let kind = self
            .uni
            .entry(key)
            .or_insert_with(|| UniKind::Unknown(Vec::new()));
        let mut data = data;
        let mut owned;
        if let UniKind::Unknown(prefix) = kind {
            prefix.extend_from_slice(data.get(..8).unwrap_or(data));
            let mut r = Reader::new(prefix);
            let Some(stream_type) = r.varint() else {
                if prefix.len() >= 8 {
                    *kind = UniKind::Ignored;
                }
                return;
            };
            owned = prefix.get(r.position()..).unwrap_or(&[]).to_vec();
            owned.extend_from_slice(data.get(8..).unwrap_or(&[]));
            data = &owned;
            *kind = match stream_type {
                STREAM_CONTROL => UniKind::Control(FrameReader::default()),
                STREAM_QPACK_ENCODER => UniKind::Encoder,
                _ => UniKind::Ignored,
            };
        }
        match kind {
            UniKind::Control(reader) => {
                for piece in reader.feed(data, &[FRAME_SETTINGS], 4096) {
                    if let Piece::Frame(FRAME_SETTINGS, payload) = piece {
                        let mut r = Reader::new(&payload);
                        while let (Some(id), Some(value)) = (r.varint(), r.varint()) {
                            if id == SETTINGS_QPACK_MAX_TABLE_CAPACITY {
                                // The sender's decoder capacity bounds the peer's encoder.
                                let decoder = if from_client {
                                    &mut self.server_qpack
                                } else {
                                    &mut self.client_qpack
                                };
                                decoder.set_max_capacity(value);
                            }
                        }
                    }
                }
            }
            UniKind::Encoder => {
                let side = usize::from(!from_client);
                if self.qpack_broken[side] {
                    return;
                }
                let decoder = if from_client {
                    &mut self.client_qpack
                } else {
                    &mut self.server_qpack
                };
                if let Err(e) = decoder.on_encoder_stream(data) {
                    self.qpack_broken[side] = true;
                    out.push(HttpEvent::Limit {
                        limit: "qpack",
                        detail: format!("QPACK encoder stream of the {}: {e}; its later header blocks are skipped", if from_client { "client" } else { "server" }),
                    });
                    return;
                }
                self.retry_blocked(from_client, out);
            }
            UniKind::Unknown(_) | UniKind::Ignored => {}
        }
    }

    fn retry_blocked(&mut self, from_client: bool, out: &mut Vec<HttpEvent>) {
        let (ready, waiting): (Vec<Blocked>, Vec<Blocked>) = std::mem::take(&mut self.blocked)
            .into_iter()
            .partition(|b| {
                b.from_client == from_client && {
                    let d = if from_client {
                        &self.client_qpack
                    } else {
                        &self.server_qpack
                    };
                    !matches!(d.decode(&b.block, 1), Err(QpackError::Blocked { .. }))
                }
            });
        self.blocked = waiting;
        for b in ready {
            self.header_block(b.from_client, b.stream, b.block, b.frame, b.ts, out);
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn header_block(
        &mut self,
        from_client: bool,
        stream: u64,
        block: Vec<u8>,
        frame: u64,
        ts: Timestamp,
        out: &mut Vec<HttpEvent>,
    ) {
        let side = usize::from(!from_client);
        if self.qpack_broken[side] {
            return;
        }
        let decoder = if from_client {
            &self.client_qpack
        } else {
            &self.server_qpack
        };
        let headers = match decoder.decode(&block, self.limits.http_header_count) {
            Ok(h) => h,
            Err(QpackError::Blocked { needed, have }) => {
                if self.blocked.len() < MAX_BLOCKED {
                    self.blocked.push(Blocked {
                        from_client,
                        stream,
                        block,
                        frame,
                        ts,
                    });
                } else {
                    out.push(HttpEvent::Limit {
                        limit: "qpack",
                        detail: format!("HTTP/3 header block on stream {stream} needs {needed} QPACK insertions, {have} received, and too many blocks wait already; skipped"),
                    });
                }
                return;
            }
            Err(e) => {
                out.push(HttpEvent::Limit {
                    limit: "qpack",
                    detail: format!(
                        "HTTP/3 header block on stream {stream} could not be decoded: {e}"
                    ),
                });
                return;
            }
        };
        let get = |n: &str| headers.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
        let Some(st) = self.streams.get_mut(&stream) else {
            return;
        };
        if from_client {
            if st.request.is_none() {
                st.encoding = get("content-encoding");
                let body = std::mem::take(&mut st.early_body);
                st.request = Some(Request {
                    method: get(":method").unwrap_or_default(),
                    uri: get(":path").unwrap_or_default(),
                    version: "HTTP/3".into(),
                    headers,
                    first_frame: frame,
                    last_frame: frame,
                    ts,
                    body_truncated: st.early_wire_len > body.len() as u64,
                    body_wire_len: st.early_wire_len,
                    body,
                    ..Request::default()
                });
                if st.request_done {
                    // The stream ended while this block was blocked.
                    if let (Some(req), Some(enc)) = (st.request.as_mut(), st.encoding.take()) {
                        decode_body(req, &enc, &self.limits, out);
                    }
                    self.maybe_emit(stream, out);
                }
            } else if let Some(req) = st.request.as_mut() {
                // Trailers.
                req.headers.extend(headers);
                req.last_frame = frame;
            }
        } else if st.status.is_none()
            && let Some(code) = get(":status").and_then(|s| s.parse::<u16>().ok())
            && !(100..200).contains(&code)
        {
            st.status = Some(code);
            st.response_type = get("content-type");
            self.maybe_emit(stream, out);
        }
    }

    fn body(&mut self, stream: u64, data: &[u8], frame: u64) {
        let limit = self.limits.body_bytes;
        let Some(st) = self.streams.get_mut(&stream) else {
            return;
        };
        if st.request.is_none() {
            // Kept (bounded) until the blocked header block can be decoded.
            st.early_wire_len += data.len() as u64;
            let room = limit.saturating_sub(st.early_body.len());
            st.early_body
                .extend_from_slice(&data[..data.len().min(room)]);
            return;
        }
        if let Some(req) = st.request.as_mut() {
            req.body_wire_len += data.len() as u64;
            req.last_frame = frame;
            let room = limit.saturating_sub(req.body.len());
            if data.len() > room {
                req.body_truncated = true;
            }
            req.body.extend_from_slice(&data[..data.len().min(room)]);
        }
    }

    fn request_done(&mut self, stream: u64, out: &mut Vec<HttpEvent>) {
        let limits = &self.limits;
        if let Some(st) = self.streams.get_mut(&stream) {
            if st.request_done {
                return;
            }
            st.request_done = true;
            if let (Some(req), Some(enc)) = (st.request.as_mut(), st.encoding.take()) {
                decode_body(req, &enc, limits, out);
            }
        }
        self.maybe_emit(stream, out);
    }

    /// A request is reported once it is complete and its status is known.
    fn maybe_emit(&mut self, stream: u64, out: &mut Vec<HttpEvent>) {
        let ready = self
            .streams
            .get(&stream)
            .is_some_and(|st| st.request_done && st.status.is_some() && st.request.is_some());
        if ready {
            self.emit(stream, out);
        }
    }

    fn response_done(&mut self, stream: u64, out: &mut Vec<HttpEvent>) {
        self.request_done(stream, out);
        self.emit(stream, out);
        self.streams.remove(&stream);
    }

    fn emit(&mut self, stream: u64, out: &mut Vec<HttpEvent>) {
        if let Some(st) = self.streams.get_mut(&stream)
            && let Some(mut req) = st.request.take()
        {
            req.status = st.status;
            req.response_content_type = st.response_type.clone();
            out.push(HttpEvent::Exchange(Box::new(req)));
        }
    }

    /// End of the connection: report every request seen, and header blocks that
    /// never became decodable.
    pub fn finish(&mut self, out: &mut Vec<HttpEvent>) {
        for b in std::mem::take(&mut self.blocked) {
            out.push(HttpEvent::Limit {
                limit: "qpack",
                detail: format!(
                    "HTTP/3 header block on stream {} (frame {}) refers to QPACK dynamic table entries that never arrived; its request is not reported",
                    b.stream, b.frame
                ),
            });
        }
        let ids: Vec<u64> = self.streams.keys().copied().collect();
        for id in ids {
            self.request_done(id, out);
            self.emit(id, out);
        }
        self.streams.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn varint(v: u64) -> Vec<u8> {
        match v {
            0..=63 => vec![v as u8],
            64..=16383 => ((v as u16) | 0x4000).to_be_bytes().to_vec(),
            _ => ((v as u32) | 0x8000_0000).to_be_bytes().to_vec(),
        }
    }

    fn frame(kind: u64, payload: &[u8]) -> Vec<u8> {
        let mut out = varint(kind);
        out.extend(varint(payload.len() as u64));
        out.extend_from_slice(payload);
        out
    }

    /// A static-only field section: GET https example.com /a (literal authority/path).
    fn request_block(path: &str) -> Vec<u8> {
        let mut b = vec![0x00, 0x00, 0xc0 | 17, 0xc0 | 23];
        b.push(0x50); // literal, static name :authority
        b.push(11);
        b.extend_from_slice(b"example.com");
        b.push(0x51); // literal, static name :path
        b.push(path.len() as u8);
        b.extend_from_slice(path.as_bytes());
        b
    }

    fn exchanges(out: Vec<HttpEvent>) -> Vec<Request> {
        out.into_iter()
            .filter_map(|e| match e {
                HttpEvent::Exchange(r) => Some(*r),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn request_and_response_byte_by_byte() {
        let limits = Limits::default();
        let mut s = Http3Session::new(&limits);
        let mut out = Vec::new();
        let mut up = frame(FRAME_HEADERS, &request_block("/a?x=1"));
        up.extend(frame(FRAME_DATA, b"hello"));
        // Fed one byte at a time: frame headers and blocks cut anywhere.
        for (i, b) in up.iter().enumerate() {
            let fin = i + 1 == up.len();
            s.on_stream_data(true, 4, &[*b], fin, 10 + i as u64, Timestamp(0), &mut out);
        }
        let resp = frame(FRAME_HEADERS, &[0x00, 0x00, 0xc0 | 25]);
        s.on_stream_data(false, 4, &resp, true, 99, Timestamp(0), &mut out);
        let reqs = exchanges(out);
        assert_eq!(reqs.len(), 1);
        assert_eq!(reqs[0].method, "GET");
        assert_eq!(reqs[0].uri, "/a?x=1");
        assert_eq!(reqs[0].version, "HTTP/3");
        assert_eq!(reqs[0].body, b"hello");
        assert_eq!(reqs[0].status, Some(200));
        assert_eq!(reqs[0].first_frame, 10 + 26);
        assert!(
            reqs[0]
                .headers
                .contains(&(":authority".into(), "example.com".into()))
        );
    }

    #[test]
    fn blocked_block_waits_for_the_encoder_stream() {
        let limits = Limits::default();
        let mut s = Http3Session::new(&limits);
        let mut out = Vec::new();
        // Client control stream (id 2) with SETTINGS capacity 220 goes to the server's
        // decoder; the server's (id 3) to the client's.
        let mut ctl = varint(STREAM_CONTROL);
        ctl.extend(frame(FRAME_SETTINGS, &[0x01, 0x40, 0xdc]));
        s.on_stream_data(false, 3, &ctl, false, 1, Timestamp(0), &mut out);
        // Request referring to dynamic entry 0 (Required Insert Count 1).
        let block = vec![0x02, 0x00, 0x80, 0xc0 | 17, 0x51, 0x01, b'/'];
        s.on_stream_data(
            true,
            0,
            &frame(FRAME_HEADERS, &block),
            true,
            2,
            Timestamp(0),
            &mut out,
        );
        assert!(exchanges(std::mem::take(&mut out)).is_empty());
        // The client's encoder stream (id 2): type, capacity 220, insert :authority.
        let mut enc = varint(STREAM_QPACK_ENCODER);
        enc.extend([0x3f, 0xbd, 0x01, 0xc0, 0x03]);
        enc.extend_from_slice(b"a.b");
        s.on_stream_data(true, 2, &enc, false, 3, Timestamp(0), &mut out);
        s.finish(&mut out);
        let reqs = exchanges(out);
        assert_eq!(reqs.len(), 1);
        assert!(
            reqs[0]
                .headers
                .contains(&(":authority".into(), "a.b".into()))
        );
    }

    #[test]
    fn missing_insertions_are_reported_not_fatal() {
        let limits = Limits::default();
        let mut s = Http3Session::new(&limits);
        let mut out = Vec::new();
        let block = vec![0x02, 0x00, 0x80];
        s.on_stream_data(
            true,
            0,
            &frame(FRAME_HEADERS, &block),
            true,
            2,
            Timestamp(0),
            &mut out,
        );
        s.finish(&mut out);
        assert!(
            out.iter()
                .any(|e| matches!(e, HttpEvent::Limit { limit: "qpack", .. }))
        );
        for len in 0..64 {
            let junk: Vec<u8> = (0..len).map(|i| (i * 31 + 7) as u8).collect();
            for id in 0..8 {
                s.on_stream_data(id % 2 == 0, id, &junk, true, 1, Timestamp(0), &mut out);
            }
        }
    }
}
