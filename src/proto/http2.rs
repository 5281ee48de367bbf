//! HTTP/2 (RFC 9113) from a reassembled connection, cleartext (h2c) or decrypted: frame
//! parsing, header blocks (HEADERS + CONTINUATION, padding, priority) decoded with
//! HPACK (loona-hpack), request bodies from DATA frames, many streams at once. Each
//! request becomes an [`HttpEvent::Exchange`] like HTTP/1's.

use std::collections::BTreeMap;

use super::http1::{HttpEvent, Request, decode_body};

use crate::limits::Limits;
use crate::time::Timestamp;

pub const PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

const FRAME_DATA: u8 = 0x0;
const FRAME_HEADERS: u8 = 0x1;
const FRAME_SETTINGS: u8 = 0x4;
const FRAME_PUSH_PROMISE: u8 = 0x5;
const FRAME_CONTINUATION: u8 = 0x9;
const FLAG_END_STREAM: u8 = 0x1;
const FLAG_END_HEADERS: u8 = 0x4;
const FLAG_PADDED: u8 = 0x8;
const FLAG_PRIORITY: u8 = 0x20;
/// Largest frame we buffer (SETTINGS_MAX_FRAME_SIZE may be up to 16 MiB).
const MAX_FRAME: usize = 1 << 24;
/// Largest header block (with its CONTINUATIONs) we assemble.
const MAX_HEADER_BLOCK: usize = 256 << 10;
const MAX_STREAMS: usize = 1024;

#[derive(Default)]
struct Stream {
    request: Option<Request>,
    encoding: Option<String>,
    request_done: bool,
    status: Option<u16>,
    response_type: Option<String>,
}

/// One direction's frame reader and header decoder.
struct Side {
    buf: Vec<u8>,
    preface_pending: bool,
    hpack: loona_hpack::Decoder<'static>,
    /// A header block waiting for its CONTINUATION frames: (stream, flags, bytes).
    partial: Option<(u32, u8, Vec<u8>)>,
    broken: bool,
}

impl Side {
    fn new(expect_preface: bool, table_limit: usize) -> Side {
        let mut hpack = loona_hpack::Decoder::new();
        hpack.set_max_allowed_table_size(table_limit);
        Side {
            buf: Vec::new(),
            preface_pending: expect_preface,
            hpack,
            partial: None,
            broken: false,
        }
    }
}

/// An HTTP/2 connection.
pub struct Http2Session {
    client: Side,
    server: Side,
    streams: BTreeMap<u32, Stream>,
    limits: Limits,
}

impl std::fmt::Debug for Http2Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Http2Session({} streams)", self.streams.len())
    }
}

/// Does the client's first data start the HTTP/2 connection preface?
pub fn looks_like_preface(data: &[u8]) -> bool {
    let n = data.len().min(PREFACE.len());
    n >= 4 && data[..n] == PREFACE[..n]
}

impl Http2Session {
    /// `client_preface`: the client will send the preface first (not after an Upgrade
    /// where it was already consumed).
    pub fn new(limits: &Limits, client_preface: bool) -> Self {
        Http2Session {
            client: Side::new(client_preface, limits.hpack_table_bytes),
            server: Side::new(false, limits.hpack_table_bytes),
            streams: BTreeMap::new(),
            limits: limits.clone(),
        }
    }

    /// Bytes in one direction (`from_client`), in order.
    pub fn feed(
        &mut self,
        from_client: bool,
        data: &[u8],
        frame: u64,
        ts: Timestamp,
        out: &mut Vec<HttpEvent>,
    ) {
        let side = if from_client {
            &mut self.client
        } else {
            &mut self.server
        };
        if side.broken {
            return;
        }
        side.buf.extend_from_slice(data);
        if side.preface_pending {
            if side.buf.len() < PREFACE.len() {
                if !PREFACE.starts_with(&side.buf) {
                    side.broken = true;
                }
                return;
            }
            if !side.buf.starts_with(PREFACE) {
                side.broken = true;
                return;
            }
            side.buf.drain(..PREFACE.len());
            side.preface_pending = false;
        }
        let mut consumed = 0;
        loop {
            let side = if from_client {
                &mut self.client
            } else {
                &mut self.server
            };
            let rest = &side.buf[consumed..];
            if rest.len() < 9 {
                break;
            }
            let len = u32::from_be_bytes([0, rest[0], rest[1], rest[2]]) as usize;
            if len > MAX_FRAME {
                side.broken = true;
                out.push(HttpEvent::Limit {
                    limit: "http2_frame_bytes",
                    detail: format!(
                        "HTTP/2 frame of {len} bytes; the connection is not parsed further"
                    ),
                });
                break;
            }
            if rest.len() < 9 + len {
                break;
            }
            let kind = rest[3];
            let flags = rest[4];
            let stream = u32::from_be_bytes([rest[5], rest[6], rest[7], rest[8]]) & 0x7fff_ffff;
            let payload = rest[9..9 + len].to_vec();
            consumed += 9 + len;
            self.frame(from_client, kind, flags, stream, &payload, frame, ts, out);
        }
        let side = if from_client {
            &mut self.client
        } else {
            &mut self.server
        };
        side.buf.drain(..consumed.min(side.buf.len()));
    }

    #[allow(clippy::too_many_arguments)]
    fn frame(
        &mut self,
        from_client: bool,
        kind: u8,
        flags: u8,
        stream: u32,
        payload: &[u8],
        frame: u64,
        ts: Timestamp,
        out: &mut Vec<HttpEvent>,
    ) {
        match kind {
            FRAME_HEADERS | FRAME_PUSH_PROMISE => {
                let Some(mut block) = strip_padding(payload, flags) else {
                    return;
                };
                if kind == FRAME_HEADERS && flags & FLAG_PRIORITY != 0 {
                    block = block.get(5..).unwrap_or(&[]);
                }
                if kind == FRAME_PUSH_PROMISE {
                    // The promised stream id comes first; pushed requests are the
                    // server's, not the app's, so the block is only decoded for state.
                    block = block.get(4..).unwrap_or(&[]);
                }
                let block = block.to_vec();
                if flags & FLAG_END_HEADERS != 0 {
                    self.header_block(
                        from_client,
                        kind == FRAME_PUSH_PROMISE,
                        stream,
                        flags,
                        &block,
                        frame,
                        ts,
                        out,
                    );
                } else {
                    let side = if from_client {
                        &mut self.client
                    } else {
                        &mut self.server
                    };
                    side.partial = Some((
                        stream,
                        flags | if kind == FRAME_PUSH_PROMISE { 0x80 } else { 0 },
                        block,
                    ));
                }
            }
            FRAME_CONTINUATION => {
                let side = if from_client {
                    &mut self.client
                } else {
                    &mut self.server
                };
                let Some((s, f, mut block)) = side.partial.take() else {
                    return;
                };
                if s != stream || block.len() + payload.len() > MAX_HEADER_BLOCK {
                    side.broken = true;
                    return;
                }
                block.extend_from_slice(payload);
                if flags & FLAG_END_HEADERS != 0 {
                    self.header_block(
                        from_client,
                        f & 0x80 != 0,
                        stream,
                        f & 0x7f,
                        &block,
                        frame,
                        ts,
                        out,
                    );
                } else {
                    side.partial = Some((s, f, block));
                }
            }
            FRAME_DATA => {
                let Some(data) = strip_padding(payload, flags) else {
                    return;
                };
                if from_client {
                    let limit = self.limits.body_bytes;
                    if let Some(st) = self.streams.get_mut(&stream)
                        && let Some(req) = st.request.as_mut()
                    {
                        req.body_wire_len += data.len() as u64;
                        req.last_frame = frame;
                        let room = limit.saturating_sub(req.body.len());
                        if data.len() > room {
                            req.body_truncated = true;
                        }
                        req.body.extend_from_slice(&data[..data.len().min(room)]);
                    }
                    if flags & FLAG_END_STREAM != 0 {
                        self.request_done(stream, out);
                    }
                } else if flags & FLAG_END_STREAM != 0 {
                    self.response_done(stream, out);
                }
            }
            FRAME_SETTINGS if flags & 1 == 0 => {
                // SETTINGS_HEADER_TABLE_SIZE from the peer bounds our decoder's table.
                let mut p = payload;
                while p.len() >= 6 {
                    let id = u16::from_be_bytes([p[0], p[1]]);
                    let value = u32::from_be_bytes([p[2], p[3], p[4], p[5]]) as usize;
                    if id == 1 {
                        let peer = if from_client {
                            &mut self.server
                        } else {
                            &mut self.client
                        };
                        peer.hpack
                            .set_max_allowed_table_size(value.min(self.limits.hpack_table_bytes));
                    }
                    p = &p[6..];
                }
            }
            _ => {}
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn header_block(
        &mut self,
        from_client: bool,
        push: bool,
        stream: u32,
        flags: u8,
        block: &[u8],
        frame: u64,
        ts: Timestamp,
        out: &mut Vec<HttpEvent>,
    ) {
        let side = if from_client {
            &mut self.client
        } else {
            &mut self.server
        };
        let limit = self.limits.http_header_count;
        let mut headers: Vec<(String, String)> = Vec::new();
        let result = side.hpack.decode_with_cb(block, |name, value| {
            if headers.len() < limit {
                headers.push((
                    String::from_utf8_lossy(&name).into_owned(),
                    String::from_utf8_lossy(&value).into_owned(),
                ));
            }
        });
        if result.is_err() {
            // The dynamic table is now out of step: later blocks cannot be trusted.
            side.broken = true;
            out.push(HttpEvent::Limit {
                limit: "hpack",
                detail: "HPACK header block could not be decoded (capture started mid-connection?); the rest of this HTTP/2 connection is skipped".into(),
            });
            return;
        }
        if push {
            return;
        }
        let get = |n: &str| headers.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
        if from_client {
            if self.streams.len() >= MAX_STREAMS
                && !self.streams.contains_key(&stream)
                && let Some((&oldest, _)) = self.streams.iter().next()
            {
                self.request_done(oldest, out);
                self.streams.remove(&oldest);
            }
            let st = self.streams.entry(stream).or_default();
            if st.request.is_none() {
                let encoding = get("content-encoding");
                st.request = Some(Request {
                    method: get(":method").unwrap_or_default(),
                    uri: get(":path").unwrap_or_default(),
                    version: "HTTP/2".into(),
                    headers,
                    first_frame: frame,
                    last_frame: frame,
                    ts,
                    ..Request::default()
                });
                st.encoding = encoding;
            } else if let Some(req) = st.request.as_mut() {
                // Trailers.
                req.headers.extend(headers);
                req.last_frame = frame;
            }
            if flags & FLAG_END_STREAM != 0 {
                self.request_done(stream, out);
            }
        } else {
            let st = self.streams.entry(stream).or_default();
            if st.status.is_none()
                && let Some(code) = get(":status").and_then(|s| s.parse::<u16>().ok())
                && !(100..200).contains(&code)
            {
                st.status = Some(code);
                st.response_type = get("content-type");
            }
            self.maybe_emit(stream, out);
            if flags & FLAG_END_STREAM != 0 {
                self.response_done(stream, out);
            }
        }
    }

    fn request_done(&mut self, stream: u32, out: &mut Vec<HttpEvent>) {
        let limits = self.limits.clone();
        if let Some(st) = self.streams.get_mut(&stream) {
            if st.request_done {
                return;
            }
            st.request_done = true;
            if let (Some(req), Some(enc)) = (st.request.as_mut(), st.encoding.take()) {
                decode_body(req, &enc, &limits, out);
            }
        }
        self.maybe_emit(stream, out);
    }

    /// A request is reported once it is complete and its status is known.
    fn maybe_emit(&mut self, stream: u32, out: &mut Vec<HttpEvent>) {
        let ready = self
            .streams
            .get(&stream)
            .is_some_and(|st| st.request_done && st.status.is_some() && st.request.is_some());
        if ready {
            self.emit(stream, out);
        }
    }

    fn response_done(&mut self, stream: u32, out: &mut Vec<HttpEvent>) {
        if self
            .streams
            .get(&stream)
            .is_some_and(|st| st.request.is_some())
        {
            self.request_done(stream, out);
            self.emit(stream, out);
        }
        self.streams.remove(&stream);
    }

    fn emit(&mut self, stream: u32, out: &mut Vec<HttpEvent>) {
        if let Some(st) = self.streams.get_mut(&stream)
            && let Some(mut req) = st.request.take()
        {
            req.status = st.status;
            req.response_content_type = st.response_type.clone();
            out.push(HttpEvent::Exchange(Box::new(req)));
        }
    }

    /// End of the connection: report every request seen.
    pub fn finish(&mut self, out: &mut Vec<HttpEvent>) {
        let ids: Vec<u32> = self.streams.keys().copied().collect();
        for id in ids {
            self.request_done(id, out);
            self.emit(id, out);
        }
        self.streams.clear();
    }
}

fn strip_padding(payload: &[u8], flags: u8) -> Option<&[u8]> {
    if flags & FLAG_PADDED == 0 {
        return Some(payload);
    }
    let pad = *payload.first()? as usize;
    let end = payload.len().checked_sub(pad)?;
    payload.get(1..end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(kind: u8, flags: u8, stream: u32, payload: &[u8]) -> Vec<u8> {
        let mut f = (payload.len() as u32).to_be_bytes()[1..].to_vec();
        f.push(kind);
        f.push(flags);
        f.extend_from_slice(&stream.to_be_bytes());
        f.extend_from_slice(payload);
        f
    }

    fn headers(pairs: &[(&str, &str)]) -> Vec<u8> {
        let mut enc = loona_hpack::Encoder::new();
        enc.encode(pairs.iter().map(|(k, v)| (k.as_bytes(), v.as_bytes())))
    }

    #[test]
    fn requests_on_interleaved_streams() {
        let mut s = Http2Session::new(&Limits::default(), true);
        let mut out = Vec::new();
        let mut c = PREFACE.to_vec();
        c.extend(frame(FRAME_SETTINGS, 0, 0, &[]));
        let h1 = headers(&[
            (":method", "POST"),
            (":path", "/a?imei=1"),
            (":authority", "x.example"),
            (":scheme", "https"),
        ]);
        c.extend(frame(FRAME_HEADERS, FLAG_END_HEADERS, 1, &h1));
        let h3 = headers(&[
            (":method", "GET"),
            (":path", "/b"),
            (":authority", "x.example"),
            (":scheme", "https"),
        ]);
        // Stream 3's header block split over a CONTINUATION.
        let (a, b) = h3.split_at(h3.len() / 2);
        c.extend(frame(FRAME_HEADERS, FLAG_END_STREAM, 3, a));
        c.extend(frame(FRAME_CONTINUATION, FLAG_END_HEADERS, 3, b));
        let mut padded = vec![3u8];
        padded.extend_from_slice(b"body");
        padded.extend_from_slice(&[0, 0, 0]);
        c.extend(frame(FRAME_DATA, FLAG_PADDED | FLAG_END_STREAM, 1, &padded));
        for chunk in c.chunks(5) {
            s.feed(true, chunk, 1, Timestamp(0), &mut out);
        }
        let resp = headers(&[(":status", "200")]);
        let mut sv = frame(FRAME_HEADERS, FLAG_END_HEADERS | FLAG_END_STREAM, 3, &resp);
        sv.extend(frame(
            FRAME_HEADERS,
            FLAG_END_HEADERS | FLAG_END_STREAM,
            1,
            &headers(&[(":status", "201")]),
        ));
        s.feed(false, &sv, 2, Timestamp(0), &mut out);
        let reqs: Vec<Request> = out
            .into_iter()
            .filter_map(|e| match e {
                HttpEvent::Exchange(r) => Some(*r),
                _ => None,
            })
            .collect();
        assert_eq!(reqs.len(), 2);
        assert_eq!((reqs[0].uri.as_str(), reqs[0].status), ("/b", Some(200)));
        assert_eq!(
            (reqs[1].uri.as_str(), reqs[1].status),
            ("/a?imei=1", Some(201))
        );
        assert_eq!(reqs[1].body, b"body");
    }

    #[test]
    fn garbage_does_not_panic() {
        let mut s = Http2Session::new(&Limits::default(), false);
        let mut out = Vec::new();
        for n in 0..200u32 {
            let junk: Vec<u8> = (0..n).map(|i| (i * 97 + 13) as u8).collect();
            s.feed(n % 2 == 0, &junk, 1, Timestamp(0), &mut out);
        }
        s.finish(&mut out);
    }
}
