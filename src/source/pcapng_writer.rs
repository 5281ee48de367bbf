//! Writing pcapng: section and interface headers, Enhanced Packet Blocks (with an
//! optional comment), Decryption Secrets Blocks and custom blocks. Used by
//! `keylog inject` and live capture, which write as they go so an interrupted run
//! leaves a readable file.

use std::collections::HashMap;
use std::io::{self, Write};

use crate::time::Timestamp;

const SHB: u32 = 0x0A0D_0D0A;
const IDB: u32 = 0x0000_0001;
const EPB: u32 = 0x0000_0006;
const DSB: u32 = 0x0000_000A;
const CUSTOM_COPYABLE: u32 = 0x0000_0BAD;

fn pad4(n: usize) -> usize {
    (4 - n % 4) % 4
}

/// An option: code, value (padded on write).
fn option(buf: &mut Vec<u8>, code: u16, value: &[u8]) {
    buf.extend_from_slice(&code.to_le_bytes());
    buf.extend_from_slice(&(value.len() as u16).to_le_bytes());
    buf.extend_from_slice(value);
    buf.extend(std::iter::repeat_n(0, pad4(value.len())));
}

pub struct PcapngWriter<W: Write> {
    out: W,
    /// Link type → interface id in this section.
    interfaces: HashMap<u32, u32>,
    pub packets: u64,
}

impl<W: Write> PcapngWriter<W> {
    /// Starts a section (`application` goes into the shb_userappl option).
    pub fn new(mut out: W, application: &str) -> io::Result<Self> {
        let mut body = Vec::new();
        body.extend_from_slice(&0x1A2B_3C4Du32.to_le_bytes());
        body.extend_from_slice(&1u16.to_le_bytes());
        body.extend_from_slice(&0u16.to_le_bytes());
        body.extend_from_slice(&(-1i64).to_le_bytes());
        option(&mut body, 4, application.as_bytes());
        option(&mut body, 0, &[]);
        write_block(&mut out, SHB, &body)?;
        Ok(PcapngWriter {
            out,
            interfaces: HashMap::new(),
            packets: 0,
        })
    }

    fn interface(&mut self, linktype: u32) -> io::Result<u32> {
        if let Some(id) = self.interfaces.get(&linktype) {
            return Ok(*id);
        }
        let id = self.interfaces.len() as u32;
        let mut body = Vec::new();
        body.extend_from_slice(&(linktype as u16).to_le_bytes());
        body.extend_from_slice(&0u16.to_le_bytes());
        body.extend_from_slice(&262_144u32.to_le_bytes());
        // Nanosecond timestamps (if_tsresol = 9).
        option(&mut body, 9, &[9]);
        option(&mut body, 0, &[]);
        write_block(&mut self.out, IDB, &body)?;
        self.interfaces.insert(linktype, id);
        Ok(id)
    }

    pub fn packet(
        &mut self,
        linktype: u32,
        ts: Timestamp,
        data: &[u8],
        orig_len: u32,
        comment: Option<&str>,
    ) -> io::Result<()> {
        let if_id = self.interface(linktype)?;
        let t = ts.0.max(0) as u64;
        let mut body = Vec::with_capacity(32 + data.len());
        body.extend_from_slice(&if_id.to_le_bytes());
        body.extend_from_slice(&((t >> 32) as u32).to_le_bytes());
        body.extend_from_slice(&(t as u32).to_le_bytes());
        body.extend_from_slice(&(data.len() as u32).to_le_bytes());
        body.extend_from_slice(&orig_len.max(data.len() as u32).to_le_bytes());
        body.extend_from_slice(data);
        body.extend(std::iter::repeat_n(0, pad4(data.len())));
        if let Some(c) = comment {
            option(&mut body, 1, c.as_bytes());
            option(&mut body, 0, &[]);
        }
        write_block(&mut self.out, EPB, &body)?;
        self.packets += 1;
        Ok(())
    }

    /// A Decryption Secrets Block holding a TLS key log.
    pub fn tls_keylog(&mut self, keylog: &[u8]) -> io::Result<()> {
        let mut body = Vec::with_capacity(8 + keylog.len());
        body.extend_from_slice(&crate::source::capture::SECRETS_TLS_KEYLOG.to_le_bytes());
        body.extend_from_slice(&(keylog.len() as u32).to_le_bytes());
        body.extend_from_slice(keylog);
        body.extend(std::iter::repeat_n(0, pad4(keylog.len())));
        write_block(&mut self.out, DSB, &body)
    }

    /// A copyable custom block with a Private Enterprise Number.
    pub fn custom(&mut self, pen: u32, data: &[u8]) -> io::Result<()> {
        let mut body = pen.to_le_bytes().to_vec();
        body.extend_from_slice(data);
        body.extend(std::iter::repeat_n(0, pad4(data.len())));
        write_block(&mut self.out, CUSTOM_COPYABLE, &body)
    }

    pub fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    pub fn into_inner(self) -> W {
        self.out
    }
}

fn write_block(out: &mut impl Write, kind: u32, body: &[u8]) -> io::Result<()> {
    let total = (12 + body.len()) as u32;
    out.write_all(&kind.to_le_bytes())?;
    out.write_all(&total.to_le_bytes())?;
    out.write_all(body)?;
    out.write_all(&total.to_le_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::capture::{CaptureEvent, Progress, read_capture};

    #[test]
    fn round_trip_through_our_reader() {
        let mut w = PcapngWriter::new(Vec::new(), "test").unwrap();
        w.tls_keylog(b"CLIENT_RANDOM 00 11").unwrap();
        w.packet(
            101,
            Timestamp(1_700_000_000_123_456_789),
            &[0x45, 0, 0, 20],
            4,
            Some("u-10123"),
        )
        .unwrap();
        w.packet(1, Timestamp(1_700_000_001_000_000_000), &[0; 60], 60, None)
            .unwrap();
        let bytes = w.into_inner();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.pcapng");
        std::fs::write(&path, bytes).unwrap();
        let mut seen = Vec::new();
        let mut secrets = 0;
        let summary = read_capture(&path, &Progress::default(), &mut |ev| match ev {
            CaptureEvent::Packet(p) => seen.push((p.linktype, p.ts, p.comment.map(str::to_string))),
            CaptureEvent::Secrets { data, .. } => secrets += data.len(),
            _ => {}
        })
        .unwrap();
        assert_eq!(summary.frames, 2);
        assert!(summary.damage.is_none());
        assert_eq!(secrets, 19);
        assert_eq!(
            seen[0],
            (
                101,
                Timestamp(1_700_000_000_123_456_789),
                Some("u-10123".into())
            )
        );
        assert_eq!(seen[1].0, 1);
    }
}
