//! TCP stream reassembly for one direction: in-order delivery with out-of-order
//! segments held (bounded), retransmissions and overlaps trimmed, pick-up in the
//! middle of a stream, and explicit gaps when the capture missed data.

use std::collections::BTreeMap;

use crate::time::Timestamp;

/// What the reassembler hands to the application parser, in stream order.
#[derive(Debug, PartialEq, Eq)]
pub enum Chunk<'a> {
    Data {
        bytes: &'a [u8],
        frame: u64,
        ts: Timestamp,
    },
    /// `len` bytes of the stream were never captured.
    Gap { len: u64 },
}

#[derive(Debug)]
struct Held {
    bytes: Vec<u8>,
    frame: u64,
    ts: Timestamp,
}

/// Memory accounting shared by all streams of a flow table.
#[derive(Debug, Default)]
pub struct Budget {
    pub used: usize,
    pub limit: usize,
}

/// One direction of a TCP connection.
#[derive(Debug, Default)]
pub struct Stream {
    /// Sequence number of the next byte to deliver, once known.
    next_seq: Option<u32>,
    /// Stream offset of `next_seq` (bytes delivered plus gaps).
    offset: u64,
    held: BTreeMap<u64, Held>,
    held_bytes: usize,
    pub gap_bytes: u64,
    /// Set when the per-flow limit forced a gap (reported once).
    pub limit_hit: bool,
}

impl Stream {
    /// A SYN tells where the stream starts.
    pub fn on_syn(&mut self, seq: u32) {
        if self.next_seq.is_none() {
            self.next_seq = Some(seq.wrapping_add(1));
        }
    }

    pub fn held_bytes(&self) -> usize {
        self.held_bytes
    }

    /// Adds a segment; delivers whatever became contiguous through `deliver`.
    #[allow(clippy::too_many_arguments)]
    pub fn push(
        &mut self,
        seq: u32,
        data: &[u8],
        frame: u64,
        ts: Timestamp,
        per_flow_limit: usize,
        budget: &mut Budget,
        deliver: &mut dyn FnMut(Chunk<'_>),
    ) {
        if data.is_empty() {
            return;
        }
        let next = *self.next_seq.get_or_insert(seq);
        let diff = seq.wrapping_sub(next) as i32 as i64;
        let mut data = data;
        let mut diff = diff;
        if diff < 0 {
            let skip = (-diff) as usize;
            if skip >= data.len() {
                return; // retransmission of delivered data
            }
            data = &data[skip..];
            diff = 0;
        }
        if diff == 0 {
            self.advance(data.len());
            deliver(Chunk::Data {
                bytes: data,
                frame,
                ts,
            });
            self.drain(budget, deliver);
            return;
        }
        if diff > (1 << 30) {
            return; // nonsense sequence number
        }
        let at = self.offset + diff as u64;
        let longer = self
            .held
            .get(&at)
            .is_none_or(|h| h.bytes.len() < data.len());
        if longer {
            if let Some(old) = self.held.remove(&at) {
                self.held_bytes -= old.bytes.len();
                budget.used = budget.used.saturating_sub(old.bytes.len());
            }
            self.held_bytes += data.len();
            budget.used += data.len();
            self.held.insert(
                at,
                Held {
                    bytes: data.to_vec(),
                    frame,
                    ts,
                },
            );
        }
        while self.held_bytes > per_flow_limit || budget.used > budget.limit {
            self.limit_hit = true;
            if !self.skip_to_held(budget, deliver) {
                break;
            }
        }
    }

    fn advance(&mut self, n: usize) {
        self.offset += n as u64;
        self.next_seq = self.next_seq.map(|s| s.wrapping_add(n as u32));
    }

    /// Delivers held segments that are now contiguous.
    fn drain(&mut self, budget: &mut Budget, deliver: &mut dyn FnMut(Chunk<'_>)) {
        while let Some((&at, _)) = self.held.first_key_value() {
            if at > self.offset {
                break;
            }
            let Some(held) = self.held.remove(&at) else {
                break;
            };
            self.held_bytes -= held.bytes.len();
            budget.used = budget.used.saturating_sub(held.bytes.len());
            let end = at + held.bytes.len() as u64;
            if end <= self.offset {
                continue;
            }
            let skip = (self.offset - at) as usize;
            let bytes = &held.bytes[skip..];
            self.advance(bytes.len());
            deliver(Chunk::Data {
                bytes,
                frame: held.frame,
                ts: held.ts,
            });
        }
    }

    /// Gives up on the missing bytes before the first held segment.
    fn skip_to_held(&mut self, budget: &mut Budget, deliver: &mut dyn FnMut(Chunk<'_>)) -> bool {
        let Some((&at, _)) = self.held.first_key_value() else {
            return false;
        };
        if at > self.offset {
            let len = at - self.offset;
            self.gap_bytes += len;
            self.offset = at;
            self.next_seq = self.next_seq.map(|s| s.wrapping_add(len as u32));
            deliver(Chunk::Gap { len });
        }
        self.drain(budget, deliver);
        true
    }

    /// End of the connection: deliver everything held, with gaps where data is missing.
    pub fn flush(&mut self, budget: &mut Budget, deliver: &mut dyn FnMut(Chunk<'_>)) {
        while self.skip_to_held(budget, deliver) {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(stream: &mut Stream, segs: &[(u32, &[u8])]) -> (Vec<u8>, u64) {
        let mut out = Vec::new();
        let mut gaps = 0;
        let mut budget = Budget {
            used: 0,
            limit: 1 << 20,
        };
        for (i, (seq, d)) in segs.iter().enumerate() {
            stream.push(
                *seq,
                d,
                i as u64,
                Timestamp(0),
                1 << 16,
                &mut budget,
                &mut |c| match c {
                    Chunk::Data { bytes, .. } => out.extend_from_slice(bytes),
                    Chunk::Gap { len } => gaps += len,
                },
            );
        }
        stream.flush(&mut budget, &mut |c| match c {
            Chunk::Data { bytes, .. } => out.extend_from_slice(bytes),
            Chunk::Gap { len } => gaps += len,
        });
        assert_eq!(budget.used, 0);
        (out, gaps)
    }

    #[test]
    fn reorders_and_trims_retransmissions() {
        let mut s = Stream::default();
        s.on_syn(999);
        let (out, gaps) = collect(
            &mut s,
            &[
                (1006, b"world"),
                (1000, b"hello,"),
                (1000, b"hello, wo"),
                (1011, b"!"),
            ],
        );
        assert_eq!(out, b"hello,world!");
        assert_eq!(gaps, 0);
    }

    #[test]
    fn sequence_wraparound() {
        let mut s = Stream::default();
        s.on_syn(u32::MAX - 2);
        let (out, _) = collect(
            &mut s,
            &[(u32::MAX.wrapping_add(3), b"cd"), (u32::MAX - 1, b"ab")],
        );
        assert_eq!(out, b"abcd");
    }

    #[test]
    fn missing_segment_becomes_a_gap_on_flush() {
        let mut s = Stream::default();
        let (out, gaps) = collect(&mut s, &[(100, b"abc"), (110, b"xyz")]);
        assert_eq!(out, b"abcxyz");
        assert_eq!(gaps, 7);
    }

    #[test]
    fn per_flow_limit_forces_gaps_instead_of_growth() {
        let mut s = Stream::default();
        let mut budget = Budget {
            used: 0,
            limit: 1 << 20,
        };
        s.push(0, b"a", 1, Timestamp(0), 100, &mut budget, &mut |_| {});
        for i in 0..1000u32 {
            s.push(
                10 + i * 50,
                &[b'x'; 40],
                1,
                Timestamp(0),
                100,
                &mut budget,
                &mut |_| {},
            );
            assert!(s.held_bytes() <= 100);
        }
        assert!(s.limit_hit);
    }
}
