//! One shard of the flow table: the flows whose endpoints hash to it, their TCP
//! reassembly and application state, expiry and eviction. The single-threaded engine
//! has one shard; the parallel engine gives each worker thread one.
//!
//! Every event a shard produces is tagged with where it belongs in the file's output
//! ([`Tag`]), so the outputs of several shards merge into exactly the order one shard
//! would have produced.

use std::sync::Arc;

use rustc_hash::FxHashMap;

use crate::limits::Limits;
use crate::net::flow::{FlowKey, FlowStats, guess_client};
use crate::net::packet::TcpHeader;
use crate::net::reassembly::{Budget, Chunk, Stream};
use crate::net::{Direction, Endpoint};
use crate::record::{ConnRecord, Meta, Record, Warning};
use crate::time::Timestamp;

use super::Event;
use super::ctx::Ctx;
use super::session::App;

/// Where an event goes in the output: events are ordered by `(group, order)`, and
/// events with the same tag keep the order they were produced in.
///
/// A group is what the single-threaded engine handed to its sink in one go: the
/// events of one packet (`group` = its frame, `order` 0), the flows a sweep after it
/// ended (`order` = 1 + the flow's first frame), and at the end of the file each
/// remaining flow alone (`group` = [`END_GROUP`] + its first frame).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Tag {
    pub group: u64,
    pub order: u64,
}

/// Groups at or above this are the end of the file.
pub const END_GROUP: u64 = 1 << 62;
/// The file-level warnings written after every flow.
pub const LAST_GROUP: u64 = u64::MAX;

/// One TCP or UDP segment, as the shard needs it.
#[derive(Debug, Clone, Copy)]
pub struct SegmentIn<'a> {
    pub src: Endpoint,
    pub dst: Endpoint,
    pub tcp: Option<TcpHeader>,
    pub payload: &'a [u8],
    pub frame: u64,
    pub ts: Timestamp,
    /// PCAPdroid's `u-<uid>` packet comment.
    pub uid: Option<u32>,
}

/// The shard a pair of endpoints belongs to, the same for both directions (and for
/// TCP and UDP between the same endpoints, so the rare flows that share endpoints
/// see each other's events as they do in one table).
pub fn shard_of(a: Endpoint, b: Endpoint, shards: usize) -> usize {
    use std::hash::{Hash, Hasher};
    if shards <= 1 {
        return 0;
    }
    let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
    let mut h = rustc_hash::FxHasher::default();
    lo.hash(&mut h);
    hi.hash(&mut h);
    // The low bits of FxHash are weak; fold the high half in.
    let x = h.finish();
    ((x ^ (x >> 32)) % shards as u64) as usize
}

struct Flow {
    stats: FlowStats,
    proto: u8,
    up: Stream,
    down: Stream,
    fin_up: bool,
    fin_down: bool,
    rst: bool,
    closed_at: Option<Timestamp>,
    app: App,
    http_host: Option<String>,
    app_name: Option<String>,
    limit_warned: bool,
}

/// Seconds a closed TCP flow lingers for its last ACKs before its record is written.
const CLOSED_LINGER_NS: i64 = 5_000_000_000;

pub struct Shard {
    file: Arc<str>,
    limits: Limits,
    flows: FxHashMap<FlowKey, Flow>,
    budget: Budget,
    keys: crate::decrypt::KeyStore,
    uid_apps: FxHashMap<u32, String>,
    /// Events of the operation in progress (what the session code writes to).
    out: Vec<Event>,
    /// Where each run of `out` goes: (start index, tag).
    marks: Vec<(usize, Tag)>,
    /// Finished, tagged events waiting to be taken.
    pub tagged: Vec<(Tag, Event)>,
    /// Flows started in this shard.
    pub flows_started: u64,
}

impl Shard {
    /// `limits` are this shard's share (see [`Limits::share`]).
    pub fn new(file: Arc<str>, limits: Limits, keys: crate::decrypt::KeyStore) -> Self {
        Shard {
            file,
            budget: Budget {
                used: 0,
                limit: limits.reassembly_total,
            },
            limits,
            flows: FxHashMap::default(),
            keys,
            uid_apps: FxHashMap::default(),
            out: Vec::new(),
            marks: Vec::new(),
            tagged: Vec::new(),
            flows_started: 0,
        }
    }

    /// Key-log text from a Decryption Secrets Block: applies to connections after it.
    pub fn add_secrets(&mut self, text: &[u8]) {
        self.keys.add_text(text);
    }

    /// PCAPdroid's UID → app table block.
    pub fn add_uid_table(&mut self, data: &[u8]) {
        crate::source::pcapdroid::parse_uid_table(data, &mut self.uid_apps);
    }

    fn mark(&mut self, tag: Tag) {
        self.marks.push((self.out.len(), tag));
    }

    /// Moves `out` into `tagged` along the marks.
    fn settle(&mut self) {
        let marks = std::mem::take(&mut self.marks);
        let mut m = 0;
        for (i, ev) in self.out.drain(..).enumerate() {
            while m + 1 < marks.len() && marks[m + 1].0 <= i {
                m += 1;
            }
            // Every operation marks before it writes; unmarked events go last
            // rather than nowhere.
            let tag = marks.get(m).map_or(
                Tag {
                    group: LAST_GROUP,
                    order: 0,
                },
                |mark| mark.1,
            );
            self.tagged.push((tag, ev));
        }
        self.marks = marks;
        self.marks.clear();
    }

    /// One segment of a flow of this shard; `sweep` is set when the engine sweeps
    /// idle and closed flows right after this packet.
    pub fn on_segment(&mut self, seg: SegmentIn<'_>, sweep: Option<Timestamp>) {
        self.mark(Tag {
            group: seg.frame,
            order: 0,
        });
        self.packet(&seg);
        if let Some(now) = sweep {
            self.sweep(seg.frame, now);
        }
        self.settle();
    }

    /// A sweep after a packet of another shard.
    pub fn sweep_after(&mut self, frame: u64, now: Timestamp) {
        self.sweep(frame, now);
        self.settle();
    }

    fn packet(&mut self, seg: &SegmentIn<'_>) {
        let (src, dst) = (seg.src, seg.dst);
        let tcp = seg.tcp;
        let proto = if tcp.is_some() { 6u8 } else { 17u8 };
        let key = FlowKey::new(src, dst, proto);

        // A new SYN on a finished connection's 5-tuple starts a new flow.
        if let Some(h) = tcp
            && h.syn
            && !h.ack_flag
        {
            let reuse = self
                .flows
                .get(&key)
                .is_some_and(|f| f.closed_at.is_some() || f.stats.client != src);
            if reuse && let Some(old) = self.flows.remove(&key) {
                self.finish_flow(old, "fin");
            }
        }
        if !self.flows.contains_key(&key) {
            if self.flows.len() >= self.limits.max_flows {
                self.evict_oldest();
            }
            let client_is_src = match tcp {
                Some(h) if h.syn && !h.ack_flag => true,
                Some(h) if h.syn && h.ack_flag => false,
                _ => guess_client(src, dst),
            };
            let (client, server) = if client_is_src {
                (src, dst)
            } else {
                (dst, src)
            };
            let app_name = seg.uid.and_then(|uid| self.uid_apps.get(&uid).cloned());
            self.flows_started += 1;
            self.flows.insert(
                key,
                Flow {
                    stats: FlowStats::new(client, server, seg.frame, seg.ts),
                    proto,
                    up: Stream::default(),
                    down: Stream::default(),
                    fin_up: false,
                    fin_down: false,
                    rst: false,
                    closed_at: None,
                    app: App::Undecided { probes: 0 },
                    http_host: None,
                    app_name,
                    limit_warned: false,
                },
            );
        }

        let Shard {
            flows,
            limits,
            budget,
            out,
            file,
            keys,
            ..
        } = self;
        let Some(flow) = flows.get_mut(&key) else {
            return;
        };
        let dir = flow.stats.direction_of(src);
        flow.stats.count(dir, seg.payload.len(), seg.ts);
        let Flow {
            stats,
            up,
            down,
            app,
            app_name,
            fin_up,
            fin_down,
            rst,
            closed_at,
            limit_warned,
            ..
        } = flow;
        let mut ctx = Ctx {
            keys,
            file,
            client: stats.client,
            server: stats.server,
            app: app_name.as_deref(),
            limits,
            out,
        };
        match tcp {
            Some(h) => {
                let stream = match dir {
                    Direction::Up => &mut *up,
                    Direction::Down => &mut *down,
                };
                if h.syn {
                    stream.on_syn(h.seq);
                }
                if !seg.payload.is_empty() && app.wants_stream() {
                    let data_seq = if h.syn { h.seq.wrapping_add(1) } else { h.seq };
                    stream.push(
                        data_seq,
                        seg.payload,
                        seg.frame,
                        seg.ts,
                        limits.reassembly_per_flow,
                        budget,
                        &mut |chunk| match chunk {
                            Chunk::Data { bytes, frame, ts } => {
                                app.on_tcp_data(dir, bytes, frame, ts, &mut ctx)
                            }
                            Chunk::Gap { len } => app.on_tcp_gap(dir, len),
                        },
                    );
                    if stream.limit_hit && !*limit_warned {
                        *limit_warned = true;
                        ctx.out.push(Event::Warning(Warning {
                            file: ctx.file.clone(),
                            frame: Some(seg.frame),
                            limit: Some("reassembly_per_flow"),
                            flow: Some(format!("{} -> {}", stats.client, stats.server)),
                            message: format!(
                                "out-of-order data beyond {} bytes (or {} in total); missing bytes skipped",
                                limits.reassembly_per_flow, limits.reassembly_total
                            ),
                        }));
                    }
                }
                if h.fin {
                    match dir {
                        Direction::Up => *fin_up = true,
                        Direction::Down => *fin_down = true,
                    }
                }
                if h.rst {
                    *rst = true;
                }
                if closed_at.is_none() && (*rst || (*fin_up && *fin_down)) {
                    *closed_at = Some(seg.ts);
                }
            }
            None => app.on_udp(dir, seg.payload, seg.frame, seg.ts, &mut ctx),
        }
        if flow.http_host.is_none() {
            flow.http_host = out.iter().find_map(|e| match e {
                Event::Exchange(x) => x.host(),
                _ => None,
            });
        }
    }

    /// Ends flows that closed a while ago or went idle, oldest first.
    fn sweep(&mut self, frame: u64, now: Timestamp) {
        let idle_ns = (self.limits.flow_idle_secs as i64).saturating_mul(1_000_000_000);
        let mut done: Vec<(u64, FlowKey, &'static str)> = self
            .flows
            .iter()
            .filter_map(|(k, f)| {
                let first = f.stats.first_frame;
                if let Some(t) = f.closed_at
                    && now.0 - t.0 > CLOSED_LINGER_NS
                {
                    return Some((first, *k, if f.rst { "rst" } else { "fin" }));
                }
                (now.0 - f.stats.last_ts.0 > idle_ns).then_some((first, *k, "idle"))
            })
            .collect();
        // By first frame: the order is the same however the table is split.
        done.sort_unstable_by_key(|d| d.0);
        for (first, k, why) in done {
            if let Some(f) = self.flows.remove(&k) {
                self.mark(Tag {
                    group: frame,
                    order: 1 + first,
                });
                self.finish_flow(f, why);
            }
        }
    }

    fn evict_oldest(&mut self) {
        let mut by_age: Vec<(Timestamp, u64, FlowKey)> = self
            .flows
            .iter()
            .map(|(k, f)| (f.stats.last_ts, f.stats.first_frame, *k))
            .collect();
        by_age.sort_unstable_by_key(|(t, first, _)| (*t, *first));
        let n = (by_age.len() / 10).max(1);
        for (_, _, k) in by_age.into_iter().take(n) {
            if let Some(f) = self.flows.remove(&k) {
                self.finish_flow(f, "evicted");
            }
        }
    }

    fn finish_flow(&mut self, mut flow: Flow, why: &'static str) {
        let Shard {
            limits,
            budget,
            out,
            file,
            keys,
            ..
        } = self;
        {
            let Flow {
                stats,
                up,
                down,
                app,
                app_name,
                ..
            } = &mut flow;
            let mut ctx = Ctx {
                keys,
                file,
                client: stats.client,
                server: stats.server,
                app: app_name.as_deref(),
                limits,
                out,
            };
            for (dir, stream) in [(Direction::Up, &mut *up), (Direction::Down, &mut *down)] {
                stream.flush(budget, &mut |chunk| match chunk {
                    Chunk::Data { bytes, frame, ts } => {
                        if app.wants_stream() {
                            app.on_tcp_data(dir, bytes, frame, ts, &mut ctx)
                        }
                    }
                    Chunk::Gap { len } => app.on_tcp_gap(dir, len),
                });
            }
            app.finish(&mut ctx);
        }
        // HTTP Host of the first request names the flow when there is no SNI.
        if flow.http_host.is_none() {
            flow.http_host = out.iter().rev().find_map(|e| match e {
                Event::Exchange(x)
                    if x.src == Some(flow.stats.client) && x.dst == Some(flow.stats.server) =>
                {
                    x.host()
                }
                _ => None,
            });
        }
        // A name from DNS is filled in where the events are put in order
        // (`sequence::Sequencer`): the answer may have gone through another shard.
        let (name, name_source) = if let Some(sni) = flow.app.sni() {
            (Some(sni.to_string()), Some("sni"))
        } else if let Some(h) = &flow.http_host {
            (Some(h.clone()), Some("host"))
        } else {
            (None, None)
        };
        let s = &flow.stats;
        let visibility = flow.app.tls_visibility();
        out.push(Event::Record(Record::Conn(ConnRecord {
            meta: Meta {
                file: file.clone(),
                frame: s.first_frame,
                last_frame: None,
                ts: s.first_ts,
                src: Some(s.client),
                dst: Some(s.server),
                app: flow.app_name.clone(),
                party: None,
                partial: false,
            },
            proto: if flow.proto == 6 { "tcp" } else { "udp" },
            service: flow.app.service(),
            name,
            name_source,
            bytes_up: s.bytes_up,
            bytes_down: s.bytes_down,
            packets: s.packets_up + s.packets_down,
            packets_up: s.packets_up,
            packets_down: s.packets_down,
            last_ts: s.last_ts,
            end: why,
            decrypted: visibility.as_ref().map(|v| v.0),
            plaintext_up: visibility.as_ref().map(|v| v.2[0]).filter(|n| *n > 0),
            plaintext_down: visibility.as_ref().map(|v| v.2[1]).filter(|n| *n > 0),
            not_decrypted: visibility.and_then(|v| v.1),
            gap_bytes: flow.up.gap_bytes + flow.down.gap_bytes,
        })));
    }

    /// End of the file: every flow still open is finished, oldest first, each its own
    /// group.
    pub fn finish_all(&mut self) {
        let mut flows: Vec<(FlowKey, Flow)> = self.flows.drain().collect();
        flows.sort_by_key(|(_, f)| f.stats.first_frame);
        for (_, f) in flows {
            let why = if f.closed_at.is_some() {
                if f.rst { "rst" } else { "fin" }
            } else {
                "end"
            };
            self.mark(Tag {
                group: END_GROUP + f.stats.first_frame,
                order: 0,
            });
            self.finish_flow(f, why);
            // Each flow alone, as the single-threaded engine drained after each.
            self.settle();
        }
    }
}
