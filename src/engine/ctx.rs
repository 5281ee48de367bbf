//! The context every per-flow protocol state machine writes through: the flow's
//! endpoints and app, the file, the limits and secrets, and the event buffer of the
//! packet being handled. One shard of the flow table owns one of each per packet.

use std::sync::Arc;

use crate::limits::Limits;
use crate::net::{Direction, Endpoint};
use crate::record::{Meta, Warning};
use crate::time::Timestamp;

use super::Event;

/// Context a session needs to build records.
pub struct Ctx<'a> {
    pub keys: &'a crate::decrypt::KeyStore,
    pub file: &'a Arc<str>,
    pub client: Endpoint,
    pub server: Endpoint,
    pub app: Option<&'a str>,
    pub limits: &'a Limits,
    pub out: &'a mut Vec<Event>,
}

impl Ctx<'_> {
    pub(crate) fn meta(&self, frame: u64, last_frame: u64, ts: Timestamp, dir: Direction) -> Meta {
        let (src, dst) = match dir {
            Direction::Up => (self.client, self.server),
            Direction::Down => (self.server, self.client),
        };
        Meta {
            file: self.file.clone(),
            frame,
            last_frame: (last_frame > frame).then_some(last_frame),
            ts,
            src: Some(src),
            dst: Some(dst),
            app: self.app.map(str::to_string),
            party: None,
            partial: false,
        }
    }

    pub(crate) fn warn(
        &mut self,
        frame: Option<u64>,
        limit: Option<&'static str>,
        message: String,
    ) {
        let flow = format!("{} -> {}", self.client, self.server);
        self.out.push(Event::Warning(Warning {
            file: self.file.clone(),
            frame,
            limit,
            flow: Some(flow),
            message,
        }));
    }
}
