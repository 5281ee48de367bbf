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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::Endpoint;
    use crate::record::{ConnRecord, Meta};
    use crate::time::Timestamp;

    fn conn(frame: u64, server: &str) -> Event {
        let ip: IpAddr = server.parse().unwrap();
        Event::Record(Record::Conn(ConnRecord {
            meta: Meta {
                file: Arc::from("t.pcap"),
                frame,
                last_frame: None,
                ts: Timestamp::default(),
                src: Some(Endpoint::new("10.0.0.2".parse().unwrap(), 40000)),
                dst: Some(Endpoint::new(ip, 443)),
                app: None,
                party: None,
                partial: false,
            },
            proto: "tcp",
            service: "none",
            name: None,
            name_source: None,
            bytes_up: 0,
            bytes_down: 0,
            packets: 0,
            packets_up: 0,
            packets_down: 0,
            last_ts: Timestamp::default(),
            end: "end",
            decrypted: None,
            plaintext_up: None,
            plaintext_down: None,
            not_decrypted: None,
            gap_bytes: 0,
        }))
    }

    fn names(ip: &str, name: &str) -> Event {
        Event::Names(vec![(ip.parse().unwrap(), name.to_string())])
    }

    fn tag(group: u64) -> Tag {
        Tag { group, order: 0 }
    }

    fn name_of(ev: &Event) -> Option<(&str, &str)> {
        match ev {
            Event::Record(Record::Conn(c)) => Some((c.name.as_deref()?, c.name_source?)),
            _ => None,
        }
    }

    #[test]
    fn conn_records_take_names_from_earlier_groups_only() {
        let mut seq = Sequencer::default();
        let mut out = Vec::new();
        let mut sink = |ev: Event| out.push(ev);
        // Group 5: an answer and, in the same packet's group, a conn to that address.
        seq.push(tag(5), names("1.2.3.4", "a.example"), &mut sink);
        seq.push(tag(5), conn(1, "1.2.3.4"), &mut sink);
        // Group 6: the answer is known now.
        seq.push(tag(6), conn(2, "1.2.3.4"), &mut sink);
        seq.push(tag(6), conn(3, "5.6.7.8"), &mut sink);
        seq.flush(&mut sink);
        assert_eq!(out.len(), 4);
        assert_eq!(name_of(&out[1]), None);
        assert_eq!(name_of(&out[2]), Some(("a.example", "dns")));
        assert_eq!(name_of(&out[3]), None);
        assert_eq!(seq.name_of(&"1.2.3.4".parse().unwrap()), Some("a.example"));
    }

    #[test]
    fn shards_are_the_same_for_both_directions() {
        use super::super::shard::shard_of;
        let a = Endpoint::new("10.0.0.2".parse().unwrap(), 40000);
        let b = Endpoint::new("2606:4700::1".parse().unwrap(), 443);
        for n in 1..9 {
            assert_eq!(shard_of(a, b, n), shard_of(b, a, n));
            assert!(shard_of(a, b, n) < n);
        }
        // Flows spread over the shards.
        let used: std::collections::BTreeSet<usize> = (0..64u16)
            .map(|p| shard_of(Endpoint::new(a.ip, 40000 + p), b, 4))
            .collect();
        assert_eq!(used.len(), 4);
    }
}
