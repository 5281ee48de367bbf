//! The packet pipeline of one capture file: capture events → link/IP decoding →
//! flow table and TCP reassembly → application sessions → [`Event`]s.
//!
//! Memory is bounded: flows expire when idle or closed, the flow table has a size cap,
//! and reassembly buffers are limited per flow and in total (see [`Limits`]).

mod ctx;
mod emit;
mod http_events;
mod quic_conn;
mod session;
mod tls_conn;
mod visibility;

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::sync::Arc;

use rustc_hash::FxHashMap;

use crate::exchange::Exchange;
use crate::limits::Limits;
use crate::net::defrag::Defragmenter;
use crate::net::flow::{FlowKey, FlowStats, guess_client};
use crate::net::link::linktype_name;
use crate::net::packet::{self, Decoded, Transport};
use crate::net::reassembly::{Budget, Chunk, Stream};
use crate::net::{Direction, Endpoint};
use crate::record::{ConnRecord, Meta, Record, Warning};
use crate::source::capture::{CaptureEvent, Packet};
use crate::time::Timestamp;

use ctx::Ctx;
use session::App;

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
const DNS_TABLE_MAX: usize = 1 << 20;

/// Streaming analysis of one capture file.
pub struct Engine {
    file: Arc<str>,
    limits: Limits,
    defrag: Defragmenter,
    flows: FxHashMap<FlowKey, Flow>,
    budget: Budget,
    names: FxHashMap<IpAddr, Arc<str>>,
    pub stats: Stats,
    out: Vec<Event>,
    last_sweep: Timestamp,
    packets_since_sweep: u64,
    /// TLS key-log text found in Decryption Secrets Blocks, in file order.
    pub keylog: Vec<u8>,
    /// Secrets for decryption: the key logs given, plus the file's own DSBs as they
    /// appear (they apply to connections after them).
    keys: crate::decrypt::KeyStore,
    /// PCAPdroid: uid → app package, from its custom block.
    pub uid_apps: FxHashMap<u32, String>,
}

impl Engine {
    pub fn new(file: &str, limits: Limits, keys: crate::decrypt::KeyStore) -> Self {
        Engine {
            file: Arc::from(file),
            defrag: Defragmenter::new(limits.max_fragmented_datagrams),
            budget: Budget {
                used: 0,
                limit: limits.reassembly_total,
            },
            limits,
            flows: FxHashMap::default(),
            names: FxHashMap::default(),
            stats: Stats::default(),
            out: Vec::new(),
            last_sweep: Timestamp::default(),
            packets_since_sweep: 0,
            keylog: Vec::new(),
            keys,
            uid_apps: FxHashMap::default(),
        }
    }

    /// The DNS name an address was looked up under, if any answer carried it.
    pub fn name_of(&self, ip: &IpAddr) -> Option<&str> {
        self.names.get(ip).map(|s| &**s)
    }

    /// Handles one capture event; results go to `sink` as they become final.
    pub fn on_event(&mut self, ev: CaptureEvent<'_>, sink: &mut dyn FnMut(Event)) {
        match ev {
            CaptureEvent::Packet(p) => self.on_packet(p),
            CaptureEvent::Secrets { secrets_type, data } => {
                self.stats.secrets_blocks += 1;
                if secrets_type == crate::source::capture::SECRETS_TLS_KEYLOG {
                    self.keylog.extend_from_slice(data);
                    self.keylog.push(b'\n');
                    self.keys.add_text(data);
                }
            }
            CaptureEvent::Custom { pen, data } => {
                if pen == crate::source::pcapdroid::PEN {
                    crate::source::pcapdroid::parse_uid_table(data, &mut self.uid_apps);
                }
            }
        }
        self.drain(sink);
    }

    fn drain(&mut self, sink: &mut dyn FnMut(Event)) {
        for ev in self.out.drain(..) {
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

    fn on_packet(&mut self, p: Packet<'_>) {
        self.stats.packets += 1;
        let decoded = packet::decode(p.linktype, p.data, p.ts, &mut self.defrag);
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
        let src = Endpoint::new(seg.src, seg.sport);
        let dst = Endpoint::new(seg.dst, seg.dport);
        let (proto, tcp) = match seg.transport {
            Transport::Tcp(h) => (6u8, Some(h)),
            Transport::Udp => (17u8, None),
        };
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
            let app_name = p
                .comment
                .and_then(crate::source::pcapdroid::uid_from_comment)
                .and_then(|uid| self.uid_apps.get(&uid).cloned());
            self.stats.flows += 1;
            self.flows.insert(
                key,
                Flow {
                    stats: FlowStats::new(client, server, p.frame, p.ts),
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

        let Engine {
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
        flow.stats.count(dir, seg.payload.len(), p.ts);
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
                        &seg.payload,
                        p.frame,
                        p.ts,
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
                            frame: Some(p.frame),
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
                    *closed_at = Some(p.ts);
                }
            }
            None => app.on_udp(dir, &seg.payload, p.frame, p.ts, &mut ctx),
        }
        if flow.http_host.is_none() {
            flow.http_host = out.iter().find_map(|e| match e {
                Event::Exchange(x) => x.host(),
                _ => None,
            });
        }

        self.packets_since_sweep += 1;
        if self.packets_since_sweep >= 4096 && p.ts.0 - self.last_sweep.0 >= 1_000_000_000 {
            self.sweep(p.ts);
        }
    }

    /// Ends flows that closed a while ago or went idle.
    fn sweep(&mut self, now: Timestamp) {
        self.packets_since_sweep = 0;
        self.last_sweep = now;
        let idle_ns = (self.limits.flow_idle_secs as i64).saturating_mul(1_000_000_000);
        let done: Vec<(FlowKey, &'static str)> = self
            .flows
            .iter()
            .filter_map(|(k, f)| {
                if let Some(t) = f.closed_at
                    && now.0 - t.0 > CLOSED_LINGER_NS
                {
                    return Some((*k, if f.rst { "rst" } else { "fin" }));
                }
                (now.0 - f.stats.last_ts.0 > idle_ns).then_some((*k, "idle"))
            })
            .collect();
        for (k, why) in done {
            if let Some(f) = self.flows.remove(&k) {
                self.finish_flow(f, why);
            }
        }
    }

    fn evict_oldest(&mut self) {
        let mut by_age: Vec<(Timestamp, FlowKey)> = self
            .flows
            .iter()
            .map(|(k, f)| (f.stats.last_ts, *k))
            .collect();
        by_age.sort_unstable_by_key(|(t, _)| *t);
        let n = (by_age.len() / 10).max(1);
        for (_, k) in by_age.into_iter().take(n) {
            if let Some(f) = self.flows.remove(&k) {
                self.finish_flow(f, "evicted");
            }
        }
    }

    fn finish_flow(&mut self, mut flow: Flow, why: &'static str) {
        let Engine {
            limits,
            budget,
            out,
            file,
            names,
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
        let (name, name_source) = if let Some(sni) = flow.app.sni() {
            (Some(sni.to_string()), Some("sni"))
        } else if let Some(h) = &flow.http_host {
            (Some(h.clone()), Some("host"))
        } else if let Some(n) = names.get(&flow.stats.server.ip) {
            (Some(n.to_string()), Some("dns"))
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

    /// End of the file: every flow still open is finished.
    pub fn finish(&mut self, sink: &mut dyn FnMut(Event)) {
        self.drain(sink);
        let mut flows: Vec<(FlowKey, Flow)> = self.flows.drain().collect();
        flows.sort_by_key(|(_, f)| f.stats.first_frame);
        for (_, f) in flows {
            let why = if let Some(_t) = f.closed_at {
                if f.rst { "rst" } else { "fin" }
            } else {
                "end"
            };
            self.finish_flow(f, why);
            self.drain(sink);
        }
        for (lt, count) in std::mem::take(&mut self.stats.unsupported_linktypes).iter() {
            sink(Event::Warning(Warning {
                file: self.file.clone(),
                frame: None,
                limit: None,
                flow: None,
                message: format!(
                    "link type {} is not supported: {count} packets counted but not decoded",
                    linktype_name(*lt)
                ),
            }));
            self.stats.unsupported_linktypes.insert(*lt, *count);
        }
        if self.defrag.dropped > 0 {
            sink(Event::Warning(Warning {
                file: self.file.clone(),
                frame: None,
                limit: Some("max_fragmented_datagrams"),
                flow: None,
                message: format!(
                    "{} fragmented datagrams could not be reassembled (missing fragments, timeouts or limits)",
                    self.defrag.dropped
                ),
            }));
        }
    }
}
