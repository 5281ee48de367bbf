//! The last step of the engine, run in file order: groups of tagged events from the
//! shards are handed to the sink, and the state that crosses flows is kept here — the
//! DNS address → name table that names connections without SNI or Host.
//!
//! A conn record's DNS name is looked up as the single-threaded engine did: against
//! the answers of every group before the record's own (a name learnt in the same
//! packet is not used yet).

use std::net::IpAddr;
use std::sync::Arc;

use rustc_hash::FxHashMap;

use super::Event;
use super::shard::Tag;
use crate::record::Record;

/// Addresses remembered at most; the table starts over beyond this.
const DNS_TABLE_MAX: usize = 1 << 20;

#[derive(Default)]
pub struct Sequencer {
    names: FxHashMap<IpAddr, Arc<str>>,
    group: Option<u64>,
    pending: Vec<Event>,
}

impl Sequencer {
    /// The DNS name an address was looked up under, if any answer so far carried it.
    pub fn name_of(&self, ip: &IpAddr) -> Option<&str> {
        self.names.get(ip).map(|s| &**s)
    }

    /// Takes events in tag order; a group is handed on when the next one starts.
    pub fn push(&mut self, tag: Tag, event: Event, sink: &mut dyn FnMut(Event)) {
        if self.group != Some(tag.group) {
            self.flush(sink);
            self.group = Some(tag.group);
        }
        self.pending.push(event);
    }

    /// Hands on the group in progress.
    pub fn flush(&mut self, sink: &mut dyn FnMut(Event)) {
        self.group = None;
        if self.pending.is_empty() {
            return;
        }
        for ev in &mut self.pending {
            if let Event::Record(Record::Conn(c)) = ev
                && c.name.is_none()
                && let Some(ip) = c.meta.dst.map(|d| d.ip)
                && let Some(name) = self.names.get(&ip)
            {
                c.name = Some(name.to_string());
                c.name_source = Some("dns");
            }
        }
        for ev in self.pending.drain(..) {
            if let Event::Names(names) = &ev {
                if self.names.len() > DNS_TABLE_MAX {
                    self.names.clear();
                }
                for (ip, name) in names {
                    self.names.insert(*ip, Arc::from(name.as_str()));
                }
            }
            sink(ev);
        }
    }
}
