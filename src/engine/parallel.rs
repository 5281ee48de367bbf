//! The engine on several threads: one reader, N workers, and the calling thread
//! putting the results in order.
//!
//! - The reader reads the file, numbers frames, decodes links and IP, reassembles IP
//!   fragments (so a datagram's pieces meet in one place) and decides when flows are
//!   swept. Each segment goes to the worker owning its endpoints
//!   ([`shard::shard_of`], the same for both directions); key-log blocks, PCAPdroid's
//!   UID table and sweeps go to every worker, at their place in the file.
//! - A worker owns one shard of the flow table: reassembly, protocol state,
//!   decryption, and (for `scan` and `audit`) detection in the exchanges. Its output
//!   is tagged with where it belongs ([`Tag`]).
//! - The reader cuts the file into epochs (a few thousand packets); every worker gets
//!   one batch per epoch, possibly empty, and answers each with one batch of tagged
//!   events. The calling thread takes epoch after epoch from all workers, sorts it by
//!   tag (stable: a tag's events all come from one worker, in order) and hands it to
//!   the [`Sequencer`], which keeps the cross-flow DNS name table. The output is the
//!   same, byte for byte, as the single-threaded engine's.
//!
//! Channels are bounded (two epochs queued per worker each way), so memory does not
//! grow with the file. The flow-table cap and the total reassembly budget are split
//! between the shards; only a capture that reaches them can come out different.
//!
//! QUIC needs no cross-shard state: connections are followed by their UDP 5-tuple
//! (migration to a new address is not followed, in one thread either).

use std::path::Path;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use super::sequence::Sequencer;
use super::shard::{self, LAST_GROUP, SegmentIn, Shard, Tag};
use super::{Event, Fed, Front, Scanner, Stats};
use crate::decrypt::KeyStore;
use crate::limits::Limits;
use crate::net::Endpoint;
use crate::net::packet::TcpHeader;
use crate::source::capture::{self, CaptureError, CaptureSummary, Progress};
use crate::time::Timestamp;

/// Packets per epoch, and payload bytes per epoch, whichever comes first.
const EPOCH_PACKETS: usize = 4096;
const EPOCH_BYTES: usize = 4 << 20;
/// Epochs queued per worker, in each direction.
const QUEUE: usize = 2;

enum Item {
    Segment {
        src: Endpoint,
        dst: Endpoint,
        tcp: Option<TcpHeader>,
        /// Payload position in the batch's byte buffer.
        at: usize,
        len: usize,
        frame: u64,
        ts: Timestamp,
        uid: Option<u32>,
        sweep: Option<Timestamp>,
    },
    Sweep {
        frame: u64,
        ts: Timestamp,
    },
    Secrets {
        at: usize,
        len: usize,
    },
    UidTable {
        at: usize,
        len: usize,
    },
    /// Records the reader made itself (first fragments of abandoned datagrams).
    Tagged(Vec<(Tag, Event)>),
}

/// One worker's part of an epoch.
#[derive(Default)]
struct Batch {
    items: Vec<Item>,
    bytes: Vec<u8>,
}

impl Batch {
    fn put(&mut self, data: &[u8]) -> (usize, usize) {
        let at = self.bytes.len();
        self.bytes.extend_from_slice(data);
        (at, data.len())
    }
}

enum ToWorker {
    Epoch(Batch),
    /// The file ended: finish every flow.
    Finish,
}

/// What the reader thread gives back.
struct ReaderResult {
    summary: Result<CaptureSummary, CaptureError>,
    stats: Stats,
    keylog: Vec<u8>,
    last: Vec<Event>,
}

/// Reads `path` with `threads` threads — a reader and `threads - 1` workers (at least
/// one) — and streams every event to `sink` on the calling thread, in the
/// single-threaded engine's order. Returns the
/// capture summary, the counters and the key-log text of the file's DSBs.
pub fn analyse_parallel(
    path: &Path,
    limits: &Limits,
    keys: &KeyStore,
    threads: usize,
    scanner: Option<Scanner<'_>>,
    on_progress: &mut dyn FnMut(u64),
    sink: &mut dyn FnMut(Event),
) -> Result<(CaptureSummary, Stats, Vec<u8>), CaptureError> {
    let n = threads.saturating_sub(1).max(1);
    let display: Arc<str> = Arc::from(path.display().to_string());
    let progress = Progress::default();
    let shard_limits = limits.share(n);

    let mut to_workers = Vec::with_capacity(n);
    let mut from_workers: Vec<Receiver<Vec<(Tag, Event)>>> = Vec::with_capacity(n);
    let mut worker_ends = Vec::with_capacity(n);
    // Emptied batches go back to the reader, so their buffers are reused.
    let (free_tx, free_rx) = sync_channel::<Batch>(n * (QUEUE + 2));
    for _ in 0..n {
        let (in_tx, in_rx) = sync_channel::<ToWorker>(QUEUE);
        let (out_tx, out_rx) = sync_channel::<Vec<(Tag, Event)>>(QUEUE);
        to_workers.push(in_tx);
        from_workers.push(out_rx);
        worker_ends.push((in_rx, out_tx));
    }

    std::thread::scope(|scope| {
        // Owned inside the scope: if the sink panics, unwinding drops the receivers, the
        // workers' sends fail and every thread ends instead of waiting forever.
        let from_workers = from_workers;
        let mut handles = Vec::with_capacity(n);
        for (in_rx, out_tx) in worker_ends {
            let shard = Shard::new(display.clone(), shard_limits.clone(), keys.clone());
            let free_tx = free_tx.clone();
            handles.push(scope.spawn(move || worker(shard, scanner, in_rx, out_tx, free_tx)));
        }
        drop(free_tx);
        let reader_progress = progress.clone();
        let reader_file = display.clone();
        let reader = scope.spawn(move || {
            read(
                path,
                reader_file,
                limits,
                &reader_progress,
                to_workers,
                free_rx,
            )
        });

        let mut seq = Sequencer::default();
        let mut epoch: Vec<(Tag, Event)> = Vec::new();
        loop {
            let mut any = false;
            for rx in &from_workers {
                if let Ok(mut part) = rx.recv() {
                    any = true;
                    epoch.append(&mut part);
                }
            }
            if !any {
                break;
            }
            epoch.sort_by_key(|(tag, _)| *tag);
            for (tag, ev) in epoch.drain(..) {
                seq.push(tag, ev, sink);
            }
            on_progress(progress.bytes());
        }
        let mut flows = 0;
        for h in handles {
            flows += h.join().unwrap_or_else(|p| std::panic::resume_unwind(p));
        }
        let result = reader
            .join()
            .unwrap_or_else(|p| std::panic::resume_unwind(p));
        let summary = result.summary?;
        for ev in result.last {
            seq.push(
                Tag {
                    group: LAST_GROUP,
                    order: 0,
                },
                ev,
                sink,
            );
        }
        seq.flush(sink);
        on_progress(progress.bytes());
        let mut stats = result.stats;
        stats.flows = flows;
        Ok((summary, stats, result.keylog))
    })
}

fn worker(
    mut shard: Shard,
    scanner: Option<Scanner<'_>>,
    input: Receiver<ToWorker>,
    output: SyncSender<Vec<(Tag, Event)>>,
    free: SyncSender<Batch>,
) -> u64 {
    while let Ok(msg) = input.recv() {
        match msg {
            ToWorker::Epoch(mut batch) => {
                for item in batch.items.drain(..) {
                    run(&mut shard, item, &batch.bytes);
                }
                if output.send(take_scanned(&mut shard, scanner)).is_err() {
                    break;
                }
                batch.items.clear();
                batch.bytes.clear();
                // A full free list only means the reader has enough buffers.
                let _ = free.try_send(batch);
            }
            ToWorker::Finish => {
                shard.finish_all();
                let _ = output.send(take_scanned(&mut shard, scanner));
                break;
            }
        }
    }
    shard.flows_started
}

/// The shard's finished events, exchanges scanned here (on the worker's thread).
fn take_scanned(shard: &mut Shard, scanner: Option<Scanner<'_>>) -> Vec<(Tag, Event)> {
    let mut events = std::mem::take(&mut shard.tagged);
    if scanner.is_some() {
        for (_, ev) in &mut events {
            if matches!(ev, Event::Exchange(_)) {
                let x = std::mem::replace(ev, Event::Names(Vec::new()));
                *ev = x.scanned_with(scanner);
            }
        }
    }
    events
}

fn run(shard: &mut Shard, item: Item, bytes: &[u8]) {
    let slice = |at: usize, len: usize| bytes.get(at..at + len).unwrap_or_default();
    match item {
        Item::Segment {
            src,
            dst,
            tcp,
            at,
            len,
            frame,
            ts,
            uid,
            sweep,
        } => shard.on_segment(
            SegmentIn {
                src,
                dst,
                tcp,
                payload: slice(at, len),
                frame,
                ts,
                uid,
            },
            sweep,
        ),
        Item::Sweep { frame, ts } => shard.sweep_after(frame, ts),
        Item::Secrets { at, len } => shard.add_secrets(slice(at, len)),
        Item::UidTable { at, len } => shard.add_uid_table(slice(at, len)),
        // Already in their place by tag; the merge sorts them in.
        Item::Tagged(events) => shard.tagged.extend(events),
    }
}

fn read(
    path: &Path,
    file: Arc<str>,
    limits: &Limits,
    progress: &Progress,
    to_workers: Vec<SyncSender<ToWorker>>,
    free: Receiver<Batch>,
) -> ReaderResult {
    let n = to_workers.len();
    let mut front = Front::new(file, limits);
    let mut batches: Vec<Batch> = (0..n).map(|_| Batch::default()).collect();
    let (mut packets, mut bytes) = (0usize, 0usize);
    // Set when a worker is gone (it panicked); the scope reports the panic.
    let mut broken = false;
    let summary = capture::read_capture(path, progress, &mut |ev| {
        if broken {
            return;
        }
        front.on_event(ev, &mut |fed| match fed {
            Fed::Segment(seg, sweep) => {
                let owner = shard::shard_of(seg.src, seg.dst, n);
                let batch = &mut batches[owner];
                let (at, len) = batch.put(seg.payload);
                batch.items.push(Item::Segment {
                    src: seg.src,
                    dst: seg.dst,
                    tcp: seg.tcp,
                    at,
                    len,
                    frame: seg.frame,
                    ts: seg.ts,
                    uid: seg.uid,
                    sweep,
                });
                if let Some(ts) = sweep {
                    for (i, b) in batches.iter_mut().enumerate() {
                        if i != owner {
                            b.items.push(Item::Sweep {
                                frame: seg.frame,
                                ts,
                            });
                        }
                    }
                }
                packets += 1;
                bytes += len;
            }
            Fed::Secrets(text) => {
                for b in batches.iter_mut() {
                    let (at, len) = b.put(text);
                    b.items.push(Item::Secrets { at, len });
                }
            }
            Fed::UidTable(data) => {
                for b in batches.iter_mut() {
                    let (at, len) = b.put(data);
                    b.items.push(Item::UidTable { at, len });
                }
            }
        });
        if !front.out.is_empty() {
            batches[0]
                .items
                .push(Item::Tagged(std::mem::take(&mut front.out)));
        }
        if packets >= EPOCH_PACKETS || bytes >= EPOCH_BYTES {
            packets = 0;
            bytes = 0;
            broken = !send_epoch(&mut batches, &to_workers, &free);
        }
    });
    if summary.is_ok() {
        front.abandon_all();
        if !front.out.is_empty() {
            batches[0]
                .items
                .push(Item::Tagged(std::mem::take(&mut front.out)));
        }
    }
    let last = front.finish();
    if !broken && send_epoch(&mut batches, &to_workers, &free) && summary.is_ok() {
        // A file that could not be read at all ends without finishing flows, as in
        // one thread.
        for tx in &to_workers {
            let _ = tx.send(ToWorker::Finish);
        }
    }
    ReaderResult {
        summary,
        stats: front.stats.clone(),
        keylog: std::mem::take(&mut front.keylog),
        last,
    }
}

/// Sends every worker its part of the epoch; false if a worker is gone.
fn send_epoch(
    batches: &mut [Batch],
    to_workers: &[SyncSender<ToWorker>],
    free: &Receiver<Batch>,
) -> bool {
    for (batch, tx) in batches.iter_mut().zip(to_workers) {
        // A recycled batch keeps its buffers' capacity.
        let fresh = free.try_recv().unwrap_or_default();
        if tx
            .send(ToWorker::Epoch(std::mem::replace(batch, fresh)))
            .is_err()
        {
            return false;
        }
    }
    true
}
