//! The packet pipeline of one capture file: capture events → link/IP decoding →
//! flow table and TCP reassembly → application sessions → [`Event`]s.
//!
//! Memory is bounded: flows expire when idle or closed, the flow table has a size cap,
//! and reassembly buffers are limited per flow and in total (see [`Limits`]).

mod ctx;
mod emit;
mod http_events;
mod parallel;
mod partial;
mod quic_conn;
mod sequence;
mod session;
mod shard;
mod tls_conn;
mod visibility;

pub use parallel::analyse_parallel;

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::sync::Arc;

use crate::exchange::Exchange;
use crate::limits::Limits;
use crate::net::Endpoint;
use crate::net::defrag::Defragmenter;
use crate::net::link::linktype_name;
use crate::net::packet::{self, Decoded, Transport};
use crate::observation::Observation;
use crate::record::{Record, Warning};
use crate::source::capture::{CaptureEvent, Packet};
use crate::time::Timestamp;

use ctx::Ctx;
use sequence::Sequencer;
use shard::{LAST_GROUP, SegmentIn, Shard, Tag};

/// What the pipeline produces.
// Events move once, from the engine into the sink; boxing records would cost an
// allocation each for no gain.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum Event {
    Record(Record),
    /// An HTTP request (with its response status): the detection stage's input.
    Exchange(Box<Exchange>),
    Warning(Warning),
    /// Addresses learnt from a DNS answer, with the name the app asked for.
    Names(Vec<(IpAddr, String)>),
    /// An exchange with what the detector found in it: instead of `Exchange` when the
    /// pipeline is given a [`Scanner`] (the parallel engine then runs detection on its
    /// worker threads).
    Scanned(Box<Exchange>, Vec<Observation>),
}

/// Detection run on each exchange as it is produced (`Detector::scan`).
pub type Scanner<'a> = &'a (dyn Fn(&Exchange) -> Vec<Observation> + Sync);

impl Event {
    /// `Exchange` becomes `Scanned` with the scanner's observations.
    pub fn scanned_with(self, scanner: Option<Scanner<'_>>) -> Event {
        match (self, scanner) {
            (Event::Exchange(x), Some(scan)) => {
                let found = scan(&x);
                Event::Scanned(x, found)
            }
            (ev, _) => ev,
        }
    }
}

/// Per-file counters for the summary line.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct Stats {
    pub packets: u64,
    pub tcp_udp_packets: u64,
    pub other_packets: u64,
    pub undecodable: u64,
    pub fragments_held: u64,
    pub unsupported_linktypes: BTreeMap<u32, u64>,
    pub flows: u64,
    pub secrets_blocks: u64,
}

/// The front of the engine, run in file order: link and IP decoding, defragmentation,
/// the file's counters and the sweep schedule (a sweep after every 4096 segments once
/// a second of capture time has passed). What it hands on goes to the shards.
pub(crate) struct Front {
    file: Arc<str>,
    limits: Limits,
    /// Empty: what `partial` reads from abandoned fragments is never decrypted.
    no_keys: crate::decrypt::KeyStore,
    defrag: Defragmenter,
    pub stats: Stats,
    last_sweep: Timestamp,
    packets_since_sweep: u64,
    /// TLS key-log text found in Decryption Secrets Blocks, in file order.
    pub keylog: Vec<u8>,
    /// Records the front itself makes (from the first fragments of datagrams that
    /// never completed), tagged like the shards' events.
    pub out: Vec<(Tag, Event)>,
    scratch: Vec<Event>,
}

/// What the front hands to the shards for one capture event.
pub(crate) enum Fed<'a> {
    /// A segment, and whether (at what time) every shard sweeps after it.
    Segment(SegmentIn<'a>, Option<Timestamp>),
    /// Key-log text of a Decryption Secrets Block.
    Secrets(&'a [u8]),
    /// PCAPdroid's UID → app table.
    UidTable(&'a [u8]),
}

impl Front {
    pub(crate) fn new(file: Arc<str>, limits: &Limits) -> Self {
        Front {
            file,
            limits: limits.clone(),
            no_keys: crate::decrypt::KeyStore::default(),
            defrag: Defragmenter::new(limits.max_fragmented_datagrams),
            stats: Stats::default(),
            last_sweep: Timestamp::default(),
            packets_since_sweep: 0,
            keylog: Vec::new(),
            out: Vec::new(),
            scratch: Vec::new(),
        }
    }

    pub(crate) fn on_event(&mut self, ev: CaptureEvent<'_>, feed: &mut dyn FnMut(Fed<'_>)) {
        match ev {
            CaptureEvent::Packet(p) => {
                let frame = p.frame;
                self.on_packet(p, feed);
                // After the packet and its sweep, as in one flow table.
                self.read_abandoned(Tag {
                    group: frame,
                    order: u64::MAX,
                });
            }
            CaptureEvent::Secrets { secrets_type, data } => {
                self.stats.secrets_blocks += 1;
                if secrets_type == crate::source::capture::SECRETS_TLS_KEYLOG {
                    self.keylog.extend_from_slice(data);
                    self.keylog.push(b'\n');
                    feed(Fed::Secrets(data));
                }
            }
            CaptureEvent::Custom { pen, data } => {
                if pen == crate::source::pcapdroid::PEN {
                    feed(Fed::UidTable(data));
                }
            }
        }
    }

    fn on_packet(&mut self, p: Packet<'_>, feed: &mut dyn FnMut(Fed<'_>)) {
        self.stats.packets += 1;
        // Most packets have the common shape; the rest take the general decoder.
        let decoded = match crate::net::fast::decode(p.linktype, p.data) {
            Some(seg) => Decoded::Segment(seg),
            None => packet::decode(p.linktype, p.data, p.ts, p.frame, &mut self.defrag),
        };
        let seg = match decoded {
            Decoded::Segment(seg) => seg,
            Decoded::Other => {
                self.stats.other_packets += 1;
                return;
            }
            Decoded::FragmentHeld => {
                self.stats.fragments_held += 1;
                return;
            }
            Decoded::Unsupported(lt) => {
                *self.stats.unsupported_linktypes.entry(lt).or_default() += 1;
                return;
            }
            Decoded::Malformed(_) => {
                self.stats.undecodable += 1;
                return;
            }
        };
        self.stats.tcp_udp_packets += 1;
        self.packets_since_sweep += 1;
        let sweep = (self.packets_since_sweep >= 4096
            && p.ts.0 - self.last_sweep.0 >= 1_000_000_000)
            .then(|| {
                self.packets_since_sweep = 0;
                self.last_sweep = p.ts;
                self.defrag.expire(p.ts);
                p.ts
            });
        let tcp = match seg.transport {
            Transport::Tcp(h) => Some(h),
            Transport::Udp => None,
        };
        feed(Fed::Segment(
            SegmentIn {
                src: Endpoint::new(seg.src, seg.sport),
                dst: Endpoint::new(seg.dst, seg.dport),
                tcp,
                payload: &seg.payload,
                frame: p.frame,
                ts: p.ts,
                uid: p
                    .comment
                    .and_then(crate::source::pcapdroid::uid_from_comment),
            },
            sweep,
        ));
    }

    /// Reads the first fragments of datagrams the defragmenter gave up on; the
    /// records go to `out` with `tag`.
    fn read_abandoned(&mut self, tag: Tag) {
        for a in self.defrag.take_abandoned() {
            let Some(seg) = packet::abandoned_segment(&a) else {
                continue;
            };
            let endpoint = Endpoint::new(seg.src, seg.sport);
            let mut ctx = Ctx {
                keys: &self.no_keys,
                file: &self.file,
                client: endpoint,
                server: endpoint,
                app: None,
                limits: &self.limits,
                out: &mut self.scratch,
            };
            partial::read(&seg, a.frame, a.ts, &mut ctx);
        }
        self.out.extend(self.scratch.drain(..).map(|ev| (tag, ev)));
    }

    /// End of the file: datagrams still waiting for fragments are read in part, before
    /// the flows are finished.
    pub(crate) fn abandon_all(&mut self) {
        self.defrag.abandon_all();
        self.read_abandoned(Tag {
            group: shard::END_GROUP,
            order: 0,
        });
    }

    /// The file-level warnings, after every flow.
    pub(crate) fn finish(&mut self) -> Vec<Event> {
        let mut out = Vec::new();
        for (lt, count) in &self.stats.unsupported_linktypes {
            out.push(Event::Warning(Warning {
                file: self.file.clone(),
                frame: None,
                limit: None,
                flow: None,
                message: format!(
                    "link type {} is not supported: {count} packets counted but not decoded",
                    linktype_name(*lt)
                ),
            }));
        }
        if self.defrag.dropped > 0 {
            out.push(Event::Warning(Warning {
                file: self.file.clone(),
                frame: None,
                limit: Some("max_fragmented_datagrams"),
                flow: None,
                message: format!(
                    "{} fragmented datagrams could not be reassembled (missing fragments, timeouts or limits); \
                     {} of them read in part from their first fragment (records marked partial)",
                    self.defrag.dropped, self.defrag.abandoned_total
                ),
            }));
        }
        out
    }
}

/// Streaming analysis of one capture file on the calling thread (the engine of
/// `--threads 1` and of live capture): the front, one shard, the sequencer.
pub struct Engine {
    front: Front,
    shard: Shard,
    seq: Sequencer,
    pub stats: Stats,
    /// TLS key-log text found in Decryption Secrets Blocks, in file order.
    pub keylog: Vec<u8>,
}

impl Engine {
    pub fn new(file: &str, limits: Limits, keys: crate::decrypt::KeyStore) -> Self {
        let file: Arc<str> = Arc::from(file);
        Engine {
            front: Front::new(file.clone(), &limits),
            shard: Shard::new(file, limits, keys),
            seq: Sequencer::default(),
            stats: Stats::default(),
            keylog: Vec::new(),
        }
    }

    /// The DNS name an address was looked up under, if any answer carried it.
    pub fn name_of(&self, ip: &IpAddr) -> Option<&str> {
        self.seq.name_of(ip)
    }

    /// Handles one capture event; results go to `sink` as they become final.
    pub fn on_event(&mut self, ev: CaptureEvent<'_>, sink: &mut dyn FnMut(Event)) {
        let shard = &mut self.shard;
        self.front.on_event(ev, &mut |fed| feed_shard(shard, fed));
        self.drain(sink);
        // In one thread a packet's group is complete once the packet is handled.
        self.seq.flush(sink);
        self.sync_stats();
    }

    fn drain(&mut self, sink: &mut dyn FnMut(Event)) {
        // The front's records come after the shard's in their group.
        for (tag, ev) in self.shard.tagged.drain(..).chain(self.front.out.drain(..)) {
            self.seq.push(tag, ev, sink);
        }
    }

    fn sync_stats(&mut self) {
        self.stats = self.front.stats.clone();
        self.stats.flows = self.shard.flows_started;
        if self.keylog.len() != self.front.keylog.len() {
            self.keylog.clone_from(&self.front.keylog);
        }
    }

    /// End of the file: every flow still open is finished.
    pub fn finish(&mut self, sink: &mut dyn FnMut(Event)) {
        self.front.abandon_all();
        self.drain(sink);
        self.shard.finish_all();
        self.drain(sink);
        for ev in self.front.finish() {
            self.seq.push(
                Tag {
                    group: LAST_GROUP,
                    order: 0,
                },
                ev,
                sink,
            );
        }
        self.seq.flush(sink);
        self.sync_stats();
    }
}

/// Hands what the front decoded to the shard that owns it.
pub(crate) fn feed_shard(shard: &mut Shard, fed: Fed<'_>) {
    match fed {
        Fed::Segment(seg, sweep) => shard.on_segment(seg, sweep),
        Fed::Secrets(text) => shard.add_secrets(text),
        Fed::UidTable(data) => shard.add_uid_table(data),
    }
}
