//! IPv4 and IPv6 fragment reassembly, bounded in the number of datagrams held, their
//! size and their age, so garbage fragments cannot grow memory.
//!
//! A datagram whose later fragments never come (lost by the capture, or filtered) is
//! not thrown away whole: when it times out, is evicted or the capture ends, the bytes
//! from offset 0 up to the first hole are handed back as [`Abandoned`], so a DNS
//! question, a TLS ClientHello or an HTTP request line in the first fragment can still
//! be read (and is marked partial).

use std::collections::HashMap;
use std::net::IpAddr;

use crate::time::Timestamp;

const MAX_DATAGRAM: usize = 65_535 + 40;
const TIMEOUT_NS: i64 = 30_000_000_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FragmentKey {
    pub src: IpAddr,
    pub dst: IpAddr,
    pub id: u32,
    pub protocol: u8,
}

#[derive(Debug)]
struct Pending {
    pieces: Vec<(usize, Vec<u8>)>,
    total_len: Option<usize>,
    held: usize,
    first_ts: Timestamp,
    /// Frame and time of the fragment at offset 0, once seen.
    head: Option<(u64, Timestamp)>,
}

/// The readable start of a datagram that can never be completed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Abandoned {
    pub key: FragmentKey,
    /// The frame of the first fragment (offset 0): where tshark shows what it holds.
    pub frame: u64,
    pub ts: Timestamp,
    /// The transport bytes from offset 0 up to the first missing byte.
    pub prefix: Vec<u8>,
}

/// Collects fragments until a datagram is complete.
#[derive(Debug)]
pub struct Defragmenter {
    pending: HashMap<FragmentKey, Pending>,
    max_datagrams: usize,
    /// Datagrams dropped because of limits or malformed fragment offsets.
    pub dropped: u64,
    /// Datagrams given up on whose first fragment was seen, waiting for the caller
    /// ([`Defragmenter::take_abandoned`]). Bounded by `max_datagrams` per push.
    abandoned: Vec<Abandoned>,
    /// How many datagrams were handed back in part.
    pub abandoned_total: u64,
}

impl Defragmenter {
    pub fn new(max_datagrams: usize) -> Self {
        Defragmenter {
            pending: HashMap::new(),
            max_datagrams: max_datagrams.max(1),
            dropped: 0,
            abandoned: Vec::new(),
            abandoned_total: 0,
        }
    }

    /// The datagrams given up on since the last call, oldest first.
    pub fn take_abandoned(&mut self) -> Vec<Abandoned> {
        std::mem::take(&mut self.abandoned)
    }

    /// End of the capture: nothing pending can complete any more.
    pub fn abandon_all(&mut self) {
        let mut keys: Vec<(Timestamp, FragmentKey)> =
            self.pending.iter().map(|(k, p)| (p.first_ts, *k)).collect();
        keys.sort_unstable_by_key(|(t, _)| *t);
        for (_, key) in keys {
            self.give_up(key);
        }
    }

    /// Removes a pending datagram for good, keeping its readable start.
    fn give_up(&mut self, key: FragmentKey) {
        let Some(mut pending) = self.pending.remove(&key) else {
            return;
        };
        self.dropped += 1;
        let Some((frame, ts)) = pending.head else {
            return;
        };
        pending.pieces.sort_by_key(|(off, _)| *off);
        let mut prefix: Vec<u8> = Vec::new();
        for (off, piece) in &pending.pieces {
            if *off > prefix.len() {
                break;
            }
            let skip = prefix.len() - off;
            if let Some(new) = piece.get(skip..) {
                prefix.extend_from_slice(new);
            }
        }
        if self.abandoned.len() >= self.max_datagrams {
            // The caller is not taking them; keep memory bounded.
            return;
        }
        self.abandoned_total += 1;
        self.abandoned.push(Abandoned {
            key,
            frame,
            ts,
            prefix,
        });
    }

    /// Adds one fragment (captured in `frame`); returns the whole transport payload
    /// once every piece is in.
    pub fn push(
        &mut self,
        key: FragmentKey,
        offset: usize,
        more_fragments: bool,
        data: &[u8],
        ts: Timestamp,
        frame: u64,
    ) -> Option<Vec<u8>> {
        let end = offset.checked_add(data.len())?;
        if end > MAX_DATAGRAM {
            self.dropped += 1;
            self.pending.remove(&key);
            return None;
        }
        if !self.pending.contains_key(&key) {
            self.expire(ts);
            if self.pending.len() >= self.max_datagrams {
                self.evict_oldest();
            }
        }
        let entry = self.pending.entry(key).or_insert_with(|| Pending {
            pieces: Vec::new(),
            total_len: None,
            held: 0,
            first_ts: ts,
            head: None,
        });
        if offset == 0 && entry.head.is_none() {
            entry.head = Some((frame, ts));
        }
        if !more_fragments {
            entry.total_len = Some(end);
        }
        entry.held += data.len();
        if entry.held > MAX_DATAGRAM * 2 {
            // Endless overlapping retransmissions of the same fragments.
            self.pending.remove(&key);
            self.dropped += 1;
            return None;
        }
        entry.pieces.push((offset, data.to_vec()));
        let total = entry.total_len?;
        entry.pieces.sort_by_key(|(off, _)| *off);
        let mut covered = 0usize;
        for (off, piece) in &entry.pieces {
            if *off > covered {
                return None;
            }
            covered = covered.max(off + piece.len());
        }
        if covered < total {
            return None;
        }
        let pending = self.pending.remove(&key)?;
        let mut out = vec![0u8; total];
        let mut filled = 0usize;
        for (off, piece) in &pending.pieces {
            // First copy of each byte wins; later overlapping bytes are ignored.
            let start = (*off).max(filled);
            let stop = (off + piece.len()).min(total);
            if start < stop {
                out[start..stop].copy_from_slice(&piece[start - off..stop - off]);
                filled = filled.max(stop);
            }
        }
        Some(out)
    }

    /// Gives up on datagrams older than the reassembly timeout (tshark, like the
    /// kernels, does not join fragments that far apart).
    pub fn expire(&mut self, now: Timestamp) {
        if self.pending.is_empty() {
            return;
        }
        let mut old: Vec<(Timestamp, FragmentKey)> = self
            .pending
            .iter()
            .filter(|(_, p)| now.0.saturating_sub(p.first_ts.0) >= TIMEOUT_NS)
            .map(|(k, p)| (p.first_ts, *k))
            .collect();
        old.sort_unstable_by_key(|(t, _)| *t);
        for (_, key) in old {
            self.give_up(key);
        }
    }

    fn evict_oldest(&mut self) {
        if let Some(key) = self
            .pending
            .iter()
            .min_by_key(|(_, p)| p.first_ts)
            .map(|(k, _)| *k)
        {
            self.give_up(key);
        }
    }

    pub fn pending(&self) -> usize {
        self.pending.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    fn key(id: u32) -> FragmentKey {
        FragmentKey {
            src: IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1)),
            dst: IpAddr::V4(Ipv4Addr::new(10, 0, 0, 2)),
            id,
            protocol: 17,
        }
    }

    #[test]
    fn reassembles_out_of_order_fragments() {
        let mut d = Defragmenter::new(8);
        assert!(d.push(key(1), 8, false, b"orld", Timestamp(0), 1).is_none());
        let whole = d
            .push(key(1), 0, true, b"hello, w", Timestamp(1), 2)
            .unwrap();
        assert_eq!(whole, b"hello, world");
        assert_eq!(d.pending(), 0);
    }

    #[test]
    fn holds_a_bounded_number_of_datagrams() {
        let mut d = Defragmenter::new(4);
        for id in 0..100 {
            d.push(key(id), 0, true, b"x", Timestamp(id as i64), id as u64);
        }
        assert!(d.pending() <= 4);
        assert!(d.dropped >= 96);
    }

    #[test]
    fn oversized_offsets_are_dropped() {
        let mut d = Defragmenter::new(4);
        assert!(
            d.push(key(1), 65_530, false, &[0; 100], Timestamp(0), 1)
                .is_none()
        );
        assert_eq!(d.pending(), 0);
    }

    #[test]
    fn an_incomplete_datagram_gives_back_its_first_bytes() {
        let mut d = Defragmenter::new(8);
        // Offset 0 and 8 arrive, 16.. never does.
        assert!(
            d.push(key(7), 8, true, b"-second-", Timestamp(5), 11)
                .is_none()
        );
        assert!(
            d.push(key(7), 0, true, b"first---", Timestamp(6), 12)
                .is_none()
        );
        assert!(d.take_abandoned().is_empty());
        d.abandon_all();
        let got = d.take_abandoned();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].frame, 12);
        assert_eq!(got[0].prefix, b"first----second-");
        assert_eq!(d.pending(), 0);
        assert_eq!(d.abandoned_total, 1);
    }

    #[test]
    fn only_bytes_before_the_first_hole_are_given_back() {
        let mut d = Defragmenter::new(8);
        d.push(key(1), 0, true, b"abcdefgh", Timestamp(0), 1);
        d.push(key(1), 16, false, b"qrst", Timestamp(0), 3);
        // A datagram without its first fragment has nothing readable.
        d.push(key(2), 8, false, b"tail", Timestamp(0), 2);
        d.expire(Timestamp(TIMEOUT_NS + 1));
        let got = d.take_abandoned();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].prefix, b"abcdefgh");
        assert_eq!(d.dropped, 2);
    }

    #[test]
    fn eviction_gives_back_the_oldest_first_fragment() {
        let mut d = Defragmenter::new(1);
        d.push(key(1), 0, true, b"one", Timestamp(0), 1);
        d.push(key(2), 0, true, b"two", Timestamp(1), 2);
        let got = d.take_abandoned();
        assert_eq!(got.len(), 1);
        assert_eq!((got[0].frame, got[0].prefix.as_slice()), (1, &b"one"[..]));
    }
}
