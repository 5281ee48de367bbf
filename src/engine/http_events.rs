//! HTTP parser events (from HTTP/1, HTTP/2 and HTTP/3, cleartext or decrypted) turned
//! into the engine's output: one [`Exchange`] per request, warnings for limits.

use crate::exchange::{Exchange, Transport};
use crate::proto::http1::HttpEvent;

use super::Event;
use super::ctx::Ctx;

/// Turns HTTP parser events into exchanges and warnings; true if a tunnel opened.
pub(crate) fn handle_http_events(
    events: Vec<HttpEvent>,
    ctx: &mut Ctx<'_>,
    transport: Transport,
) -> bool {
    let mut tunnel = false;
    for ev in events {
        match ev {
            HttpEvent::Exchange(req) => {
                let req = *req;
                ctx.out.push(Event::Exchange(Box::new(Exchange {
                    file: ctx.file.clone(),
                    frame: req.first_frame,
                    last_frame: req.last_frame,
                    ts: req.ts,
                    src: Some(ctx.client),
                    dst: Some(ctx.server),
                    transport,
                    scheme: Some(if transport == Transport::Http {
                        "http"
                    } else {
                        "https"
                    }),
                    method: req.method,
                    uri: req.uri,
                    version: req.version,
                    headers: req.headers,
                    body: req.body,
                    body_encoding: req.body_encoding,
                    body_wire_len: req.body_wire_len,
                    body_truncated: req.body_truncated,
                    status: req.status,
                    response_content_type: req.response_content_type,
                    app: ctx.app.map(str::to_string),
                    partial: false,
                })));
            }
            HttpEvent::Limit { limit, detail } => ctx.warn(None, Some(limit), detail),
            HttpEvent::Tunnel => tunnel = true,
        }
    }
    tunnel
}
