//! IPv4 and IPv6 fragment reassembly, bounded in the number of datagrams held, their
//! size and their age, so garbage fragments cannot grow memory.

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
}

/// Collects fragments until a datagram is complete.
#[derive(Debug)]
pub struct Defragmenter {
    pending: HashMap<FragmentKey, Pending>,
    max_datagrams: usize,
    /// Datagrams dropped because of limits or malformed fragment offsets.
    pub dropped: u64,
}

impl Defragmenter {
    pub fn new(max_datagrams: usize) -> Self {
        Defragmenter {
            pending: HashMap::new(),
            max_datagrams: max_datagrams.max(1),
            dropped: 0,
        }
    }

    /// Adds one fragment; returns the whole transport payload once every piece is in.
    pub fn push(
        &mut self,
        key: FragmentKey,
        offset: usize,
        more_fragments: bool,
        data: &[u8],
        ts: Timestamp,
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
        });
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

    fn expire(&mut self, now: Timestamp) {
        let before = self.pending.len();
        self.pending
            .retain(|_, p| now.0.saturating_sub(p.first_ts.0) < TIMEOUT_NS);
        self.dropped += (before - self.pending.len()) as u64;
    }

    fn evict_oldest(&mut self) {
        if let Some(key) = self
            .pending
            .iter()
            .min_by_key(|(_, p)| p.first_ts)
            .map(|(k, _)| *k)
        {
            self.pending.remove(&key);
            self.dropped += 1;
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
        assert!(d.push(key(1), 8, false, b"orld", Timestamp(0)).is_none());
        let whole = d.push(key(1), 0, true, b"hello, w", Timestamp(1)).unwrap();
        assert_eq!(whole, b"hello, world");
        assert_eq!(d.pending(), 0);
    }

    #[test]
    fn holds_a_bounded_number_of_datagrams() {
        let mut d = Defragmenter::new(4);
        for id in 0..100 {
            d.push(key(id), 0, true, b"x", Timestamp(id as i64));
        }
        assert!(d.pending() <= 4);
        assert!(d.dropped >= 96);
    }

    #[test]
    fn oversized_offsets_are_dropped() {
        let mut d = Defragmenter::new(4);
        assert!(
            d.push(key(1), 65_530, false, &[0; 100], Timestamp(0))
                .is_none()
        );
        assert_eq!(d.pending(), 0);
    }
}
