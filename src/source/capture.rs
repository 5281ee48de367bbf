//! Offline capture reading: pcap (µs and ns, both byte orders, the "modified" variant)
//! and pcapng (any number of sections and interfaces, each with its own link type and
//! timestamp resolution), optionally gzip-compressed. Streams: memory use does not grow
//! with file size.
//!
//! Frames are numbered exactly as tshark numbers them: every packet record (Enhanced,
//! Simple or obsolete Packet Block, or pcap record) is one frame, counted from 1 across
//! all sections of the file, whatever its link type.

use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use pcap_parser::pcapng::Block;
use pcap_parser::{PcapBlockOwned, PcapError};

use crate::time::Timestamp;

/// The largest block or record we are willing to buffer. Real packets are at most
/// 256 KiB (the largest snaplen libpcap writes); anything larger is damage.
const MAX_BLOCK_BYTES: usize = 32 << 20;
const INITIAL_BUFFER: usize = 1 << 20;

/// pcapng Decryption Secrets Block type for a TLS key log (NSS format).
pub const SECRETS_TLS_KEYLOG: u32 = 0x544c_534b;

#[derive(Debug, thiserror::Error)]
pub enum CaptureError {
    #[error("{path}: cannot open: {source}")]
    Open { path: PathBuf, source: io::Error },
    #[error(
        "{path}: not a pcap or pcapng file (starts with {magic}); give a capture written by tcpdump, tshark, Wireshark or PCAPdroid"
    )]
    NotACapture { path: PathBuf, magic: String },
    #[error("{path}: unsupported pcap version {major}.{minor} (only 2.x is defined)")]
    UnsupportedVersion {
        path: PathBuf,
        major: u16,
        minor: u16,
    },
    #[error("{path}: {detail}; the file is not a readable capture")]
    BadHeader { path: PathBuf, detail: String },
    #[error("{path}: the file is empty")]
    Empty { path: PathBuf },
    #[error("{path}: read error at byte {offset}: {source}")]
    Read {
        path: PathBuf,
        offset: u64,
        source: io::Error,
    },
}

/// One captured packet as stored in the file.
#[derive(Debug, Clone, Copy)]
pub struct Packet<'a> {
    /// 1-based frame number, as tshark counts.
    pub frame: u64,
    pub ts: Timestamp,
    /// LINKTYPE_* value of the interface the packet was captured on.
    pub linktype: u32,
    pub data: &'a [u8],
    /// Length of the packet on the wire (may exceed `data.len()` when snapped).
    pub orig_len: u32,
    pub interface: u32,
    /// The first `opt_comment` of the packet block (PCAPdroid writes `u-<uid>` there).
    pub comment: Option<&'a str>,
}

/// Everything a capture file carries that later stages may want.
#[derive(Debug)]
pub enum CaptureEvent<'a> {
    Packet(Packet<'a>),
    /// A pcapng Decryption Secrets Block; it applies to connections after it.
    Secrets {
        secrets_type: u32,
        data: &'a [u8],
    },
    /// A pcapng custom block (PCAPdroid uses PEN 62652 for its UID-to-app table).
    Custom {
        pen: u32,
        data: &'a [u8],
    },
}

/// Where reading stopped early, if it did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Damage {
    /// The frame number the damaged record would have had.
    pub frame: u64,
    /// Byte offset (in the uncompressed stream) where the damaged record starts.
    pub offset: u64,
    pub reason: String,
}

#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct CaptureSummary {
    pub format: String,
    pub frames: u64,
    pub first_ts: Option<Timestamp>,
    pub last_ts: Option<Timestamp>,
    pub damage: Option<Damage>,
    /// Blocks skipped because they could not be parsed (the file continued after them).
    pub skipped_blocks: u64,
    pub secrets_blocks: u64,
}

/// Progress reporting: bytes of the (possibly compressed) file consumed so far.
#[derive(Debug, Clone, Default)]
pub struct Progress(Arc<AtomicU64>);

impl Progress {
    pub fn bytes(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

struct CountingReader<R> {
    inner: R,
    counter: Progress,
}

impl<R: Read> Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.counter.0.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Fills the caller's buffer as far as the source allows: decompressors return short
/// reads, and the block parser treats a short read as "not enough data yet".
struct FillReader<R>(R);

impl<R: Read> Read for FillReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let mut filled = 0;
        while filled < buf.len() {
            match self.0.read(&mut buf[filled..]) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        }
        Ok(filled)
    }
}

#[derive(Clone, Copy)]
struct Interface {
    linktype: u32,
    units_per_sec: u64,
    offset_secs: i64,
}

/// Reads a capture file and hands every event to `sink`, in file order.
///
/// Returns a summary; damage part-way through is reported in the summary, not as an
/// error, so that everything before it is still used.
pub fn read_capture(
    path: &Path,
    progress: &Progress,
    sink: &mut dyn FnMut(CaptureEvent<'_>),
) -> Result<CaptureSummary, CaptureError> {
    let file = File::open(path).map_err(|source| CaptureError::Open {
        path: path.to_path_buf(),
        source,
    })?;
    let mut counted = CountingReader {
        inner: file,
        counter: progress.clone(),
    };
    let mut magic = [0u8; 8];
    let got = read_prefix(&mut counted, &mut magic).map_err(|source| CaptureError::Read {
        path: path.to_path_buf(),
        offset: 0,
        source,
    })?;
    let prefix = io::Cursor::new(magic[..got].to_vec());
    if got >= 2 && magic[0] == 0x1f && magic[1] == 0x8b {
        let gz = flate2::read::MultiGzDecoder::new(prefix.chain(counted));
        let mut inner = FillReader(gz);
        let mut inner_magic = [0u8; 8];
        let got =
            read_prefix(&mut inner, &mut inner_magic).map_err(|source| CaptureError::Read {
                path: path.to_path_buf(),
                offset: 0,
                source,
            })?;
        let stream = FillReader(io::Cursor::new(inner_magic[..got].to_vec()).chain(inner));
        read_stream(path, &inner_magic[..got], stream, true, sink)
    } else {
        let stream = FillReader(prefix.chain(counted));
        read_stream(path, &magic[..got], stream, false, sink)
    }
}

fn read_prefix(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match r.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

fn hex_prefix(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(" ")
}

const PCAP_MAGICS: [[u8; 4]; 6] = [
    [0xd4, 0xc3, 0xb2, 0xa1],
    [0xa1, 0xb2, 0xc3, 0xd4],
    [0x4d, 0x3c, 0xb2, 0xa1],
    [0xa1, 0xb2, 0x3c, 0x4d],
    [0x34, 0xcd, 0xb2, 0xa1],
    [0xa1, 0xb2, 0xcd, 0x34],
];
const PCAPNG_MAGIC: [u8; 4] = [0x0a, 0x0d, 0x0d, 0x0a];

fn read_stream<R: Read + Send>(
    path: &Path,
    magic: &[u8],
    stream: R,
    gzipped: bool,
    sink: &mut dyn FnMut(CaptureEvent<'_>),
) -> Result<CaptureSummary, CaptureError> {
    if magic.is_empty() {
        return Err(CaptureError::Empty {
            path: path.to_path_buf(),
        });
    }
    let head = &magic[..magic.len().min(4)];
    let is_pcapng = head == PCAPNG_MAGIC;
    let pcap_magic = PCAP_MAGICS.iter().position(|m| m[..] == *head);
    if pcap_magic.is_none() && !is_pcapng {
        return Err(CaptureError::NotACapture {
            path: path.to_path_buf(),
            magic: hex_prefix(head),
        });
    }
    if let (Some(index), Some(v)) = (pcap_magic, magic.get(4..8)) {
        // Even indexes in PCAP_MAGICS are the little-endian spellings.
        let (major, minor) = if index % 2 == 0 {
            (
                u16::from_le_bytes([v[0], v[1]]),
                u16::from_le_bytes([v[2], v[3]]),
            )
        } else {
            (
                u16::from_be_bytes([v[0], v[1]]),
                u16::from_be_bytes([v[2], v[3]]),
            )
        };
        if major != 2 {
            return Err(CaptureError::UnsupportedVersion {
                path: path.to_path_buf(),
                major,
                minor,
            });
        }
    }
    let mut summary = CaptureSummary {
        format: format!(
            "{}{}",
            if is_pcapng { "pcapng" } else { "pcap" },
            if gzipped { "+gzip" } else { "" }
        ),
        ..CaptureSummary::default()
    };
    let mut reader = match pcap_parser::create_reader(INITIAL_BUFFER, stream) {
        Ok(r) => r,
        Err(PcapError::Eof) => {
            return Err(CaptureError::Empty {
                path: path.to_path_buf(),
            });
        }
        Err(e) => {
            return Err(CaptureError::BadHeader {
                path: path.to_path_buf(),
                detail: match e {
                    PcapError::Incomplete(_) | PcapError::UnexpectedEof => {
                        "the file header is cut short".into()
                    }
                    other => format!("the file header is malformed ({other:?})"),
                },
            });
        }
    };

    let mut state = ReaderState {
        section_big_endian: false,
        interfaces: Vec::new(),
        legacy: None,
        frame: 0,
        last_ts: Timestamp::default(),
    };
    let mut offset: u64 = 0;
    let mut buffer_size = INITIAL_BUFFER;
    loop {
        let step = match reader.next() {
            Ok((consumed, block)) => {
                let result = state.handle(path, block, &mut summary, sink);
                Step::Consumed(consumed, result)
            }
            Err(PcapError::Eof) => break,
            Err(PcapError::Incomplete(_)) => Step::Refill,
            Err(PcapError::UnexpectedEof) => Step::Truncated,
            Err(PcapError::BufferTooSmall) => Step::TooSmall,
            Err(PcapError::ReadError) => Step::ReadError,
            Err(e) => Step::Malformed(format!("{e:?}")),
        };
        match step {
            Step::Consumed(consumed, result) => {
                if let Err(reason) = result {
                    summary.damage = Some(Damage {
                        frame: state.frame + 1,
                        offset,
                        reason,
                    });
                    break;
                }
                // Without shifting: `consume` moves the buffer's second half to the
                // front each time half is read, copying the file once more; `refill`
                // shifts what little is left anyway.
                reader.consume_noshift(consumed);
                offset += consumed as u64;
            }
            Step::Refill => {
                if let Err(e) = reader.refill() {
                    summary.damage = Some(Damage {
                        frame: state.frame + 1,
                        offset,
                        reason: format!("read error: {e:?}"),
                    });
                    break;
                }
            }
            Step::Truncated => {
                summary.damage = Some(Damage {
                    frame: state.frame + 1,
                    offset,
                    reason: "the file ends in the middle of a record (truncated capture)".into(),
                });
                break;
            }
            Step::TooSmall => {
                let needed = state.declared_record_len(reader.data());
                match needed {
                    Some(n) if n <= MAX_BLOCK_BYTES && n + 4096 > buffer_size => {
                        buffer_size = (n + 4096).next_power_of_two();
                        if !reader.grow(buffer_size) {
                            summary.damage = Some(Damage {
                                frame: state.frame + 1,
                                offset,
                                reason: format!("record of {n} bytes could not be buffered"),
                            });
                            break;
                        }
                    }
                    other => {
                        summary.damage = Some(Damage {
                            frame: state.frame + 1,
                            offset,
                            reason: match other {
                                Some(n) => format!(
                                    "record length {n} is implausible (more than {MAX_BLOCK_BYTES} bytes); the file is damaged"
                                ),
                                None => "record header is unreadable; the file is damaged".into(),
                            },
                        });
                        break;
                    }
                }
            }
            Step::ReadError => {
                return Err(CaptureError::Read {
                    path: path.to_path_buf(),
                    offset,
                    source: io::Error::other("the read failed (a corrupt gzip stream?)"),
                });
            }
            Step::Malformed(detail) => {
                // pcapng blocks carry their own length: skip a block we cannot parse and
                // carry on, as tshark does for unknown blocks. pcap records cannot be
                // resynchronised, so reading ends there.
                if let Some(len) = state.skippable_block_len(reader.data()) {
                    summary.skipped_blocks += 1;
                    reader.consume(len);
                    offset += len as u64;
                    continue;
                }
                summary.damage = Some(Damage {
                    frame: state.frame + 1,
                    offset,
                    reason: format!("malformed record ({detail}); the file is damaged"),
                });
                break;
            }
        }
    }
    summary.frames = state.frame;
    Ok(summary)
}

enum Step {
    Consumed(usize, Result<(), String>),
    Refill,
    Truncated,
    TooSmall,
    ReadError,
    Malformed(String),
}

struct LegacyInfo {
    linktype: u32,
    units_per_sec: u64,
    big_endian: bool,
    snaplen: u32,
}

struct ReaderState {
    section_big_endian: bool,
    interfaces: Vec<Interface>,
    legacy: Option<LegacyInfo>,
    frame: u64,
    last_ts: Timestamp,
}

impl ReaderState {
    fn read_u32(&self, b: &[u8], big_endian: bool) -> Option<u32> {
        let arr: [u8; 4] = b.get(..4)?.try_into().ok()?;
        Some(if big_endian {
            u32::from_be_bytes(arr)
        } else {
            u32::from_le_bytes(arr)
        })
    }

    /// The total length the next record says it has, from its raw header.
    fn declared_record_len(&self, data: &[u8]) -> Option<usize> {
        match &self.legacy {
            Some(info) => {
                let caplen = self.read_u32(data.get(8..)?, info.big_endian)? as usize;
                // pcap records have no length check of their own; a caplen far beyond
                // the snaplen is the usual sign of a corrupt record header.
                if caplen > (info.snaplen as usize).max(262_144) * 4 {
                    return Some(usize::MAX);
                }
                Some(caplen + 16)
            }
            None => Some(self.read_u32(data.get(4..)?, self.section_big_endian)? as usize),
        }
    }

    fn skippable_block_len(&self, data: &[u8]) -> Option<usize> {
        if self.legacy.is_some() {
            return None;
        }
        let len = self.read_u32(data.get(4..)?, self.section_big_endian)? as usize;
        if len >= 12 && len.is_multiple_of(4) && len <= data.len() && len <= MAX_BLOCK_BYTES {
            Some(len)
        } else {
            None
        }
    }

    fn handle(
        &mut self,
        path: &Path,
        block: PcapBlockOwned<'_>,
        summary: &mut CaptureSummary,
        sink: &mut dyn FnMut(CaptureEvent<'_>),
    ) -> Result<(), String> {
        let _ = path;
        match block {
            PcapBlockOwned::LegacyHeader(h) => {
                self.legacy = Some(LegacyInfo {
                    linktype: h.network.0 as u32,
                    units_per_sec: if h.is_nanosecond_precision() {
                        1_000_000_000
                    } else {
                        1_000_000
                    },
                    big_endian: h.is_bigendian(),
                    snaplen: h.snaplen,
                });
            }
            PcapBlockOwned::Legacy(b) => {
                let Some(info) = &self.legacy else {
                    return Err("pcap record before the file header".into());
                };
                self.frame += 1;
                let ts = Timestamp::from_secs_frac(
                    b.ts_sec as i64,
                    b.ts_usec as u64,
                    info.units_per_sec,
                );
                self.emit_packet(summary, sink, ts, info.linktype, b.data, b.origlen, 0, None);
            }
            PcapBlockOwned::NG(block) => self.handle_ng(block, summary, sink)?,
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn emit_packet(
        &mut self,
        summary: &mut CaptureSummary,
        sink: &mut dyn FnMut(CaptureEvent<'_>),
        ts: Timestamp,
        linktype: u32,
        data: &[u8],
        orig_len: u32,
        interface: u32,
        comment: Option<&str>,
    ) {
        self.last_ts = ts;
        if summary.first_ts.is_none() {
            summary.first_ts = Some(ts);
        }
        summary.last_ts = Some(ts);
        sink(CaptureEvent::Packet(Packet {
            frame: self.frame,
            ts,
            linktype,
            data,
            orig_len,
            interface,
            comment,
        }));
    }

    fn interface(&self, id: u32) -> Option<Interface> {
        self.interfaces.get(id as usize).copied()
    }

    fn handle_ng(
        &mut self,
        block: Block<'_>,
        summary: &mut CaptureSummary,
        sink: &mut dyn FnMut(CaptureEvent<'_>),
    ) -> Result<(), String> {
        match block {
            Block::SectionHeader(shb) => {
                self.section_big_endian = shb.big_endian();
                // Interface ids restart in every section.
                self.interfaces.clear();
            }
            Block::InterfaceDescription(idb) => {
                self.interfaces.push(Interface {
                    linktype: idb.linktype.0 as u32,
                    units_per_sec: idb.ts_resolution().unwrap_or(1_000_000),
                    offset_secs: idb.ts_offset(),
                });
            }
            Block::EnhancedPacket(epb) => {
                self.frame += 1;
                let iface = self.interface(epb.if_id).unwrap_or(Interface {
                    // An EPB naming a missing interface: keep counting the frame, but
                    // give it no link type so it is reported as undecodable.
                    linktype: u32::MAX,
                    units_per_sec: 1_000_000,
                    offset_secs: 0,
                });
                let raw = ((epb.ts_high as u64) << 32) | epb.ts_low as u64;
                let units = iface.units_per_sec.max(1);
                let secs = (raw / units) as i64 + iface.offset_secs;
                let ts = Timestamp::from_secs_frac(secs, raw % units, units);
                let comment = epb
                    .options
                    .iter()
                    .find(|o| o.code.0 == 1)
                    .and_then(|o| std::str::from_utf8(o.value()).ok())
                    .map(|s| s.trim_end_matches('\0'));
                let data = epb.data.get(..epb.caplen as usize).unwrap_or(epb.data);
                self.emit_packet(
                    summary,
                    sink,
                    ts,
                    iface.linktype,
                    data,
                    epb.origlen,
                    epb.if_id,
                    comment,
                );
            }
            Block::SimplePacket(spb) => {
                self.frame += 1;
                let iface = self.interface(0).map(|i| i.linktype).unwrap_or(u32::MAX);
                let ts = self.last_ts;
                // SPB data is padded; the original length bounds the real bytes.
                let len = (spb.origlen as usize).min(spb.data.len());
                self.emit_packet(
                    summary,
                    sink,
                    ts,
                    iface,
                    &spb.data[..len],
                    spb.origlen,
                    0,
                    None,
                );
            }
            Block::DecryptionSecrets(dsb) => {
                summary.secrets_blocks += 1;
                let len = (dsb.secrets_len as usize).min(dsb.data.len());
                sink(CaptureEvent::Secrets {
                    secrets_type: dsb.secrets_type.0,
                    data: &dsb.data[..len],
                });
            }
            Block::Custom(cb) => sink(CaptureEvent::Custom {
                pen: cb.pen,
                data: cb.data,
            }),
            Block::Unknown(ub) if ub.block_type == 2 => {
                // Obsolete Packet Block (pcapng draft): still written by old tools.
                self.frame += 1;
                let be = self.section_big_endian;
                let d = ub.data;
                let (Some(ifid), Some(hi), Some(lo), Some(caplen), Some(len)) = (
                    d.get(0..2).map(|b| {
                        if be {
                            u16::from_be_bytes([b[0], b[1]])
                        } else {
                            u16::from_le_bytes([b[0], b[1]])
                        }
                    }),
                    self.read_u32(d.get(4..).unwrap_or(&[]), be),
                    self.read_u32(d.get(8..).unwrap_or(&[]), be),
                    self.read_u32(d.get(12..).unwrap_or(&[]), be),
                    self.read_u32(d.get(16..).unwrap_or(&[]), be),
                ) else {
                    return Ok(());
                };
                let iface = self.interface(ifid as u32).unwrap_or(Interface {
                    linktype: u32::MAX,
                    units_per_sec: 1_000_000,
                    offset_secs: 0,
                });
                let raw = ((hi as u64) << 32) | lo as u64;
                let units = iface.units_per_sec.max(1);
                let ts = Timestamp::from_secs_frac(
                    (raw / units) as i64 + iface.offset_secs,
                    raw % units,
                    units,
                );
                let data = d.get(20..).unwrap_or(&[]);
                let data = data.get(..caplen as usize).unwrap_or(data);
                self.emit_packet(
                    summary,
                    sink,
                    ts,
                    iface.linktype,
                    data,
                    len,
                    ifid as u32,
                    None,
                );
            }
            _ => {}
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn pcap_header(linktype: u32, nano: bool) -> Vec<u8> {
        let mut h = Vec::new();
        h.extend_from_slice(&if nano { 0xa1b23c4du32 } else { 0xa1b2c3d4u32 }.to_le_bytes());
        h.extend_from_slice(&2u16.to_le_bytes());
        h.extend_from_slice(&4u16.to_le_bytes());
        h.extend_from_slice(&0i32.to_le_bytes());
        h.extend_from_slice(&0u32.to_le_bytes());
        h.extend_from_slice(&65535u32.to_le_bytes());
        h.extend_from_slice(&linktype.to_le_bytes());
        h
    }

    fn record(sec: u32, frac: u32, data: &[u8]) -> Vec<u8> {
        let mut r = Vec::new();
        r.extend_from_slice(&sec.to_le_bytes());
        r.extend_from_slice(&frac.to_le_bytes());
        r.extend_from_slice(&(data.len() as u32).to_le_bytes());
        r.extend_from_slice(&(data.len() as u32).to_le_bytes());
        r.extend_from_slice(data);
        r
    }

    type Seen = Vec<(u64, Timestamp, usize)>;

    fn read_all(bytes: &[u8]) -> (Seen, Result<CaptureSummary, CaptureError>) {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        f.write_all(bytes).unwrap();
        let mut seen = Vec::new();
        let r = read_capture(f.path(), &Progress::default(), &mut |ev| {
            if let CaptureEvent::Packet(p) = ev {
                seen.push((p.frame, p.ts, p.data.len()));
            }
        });
        (seen, r)
    }

    #[test]
    fn reads_nanosecond_pcap() {
        let mut bytes = pcap_header(101, true);
        bytes.extend(record(10, 500, &[0x45; 20]));
        bytes.extend(record(11, 0, &[0x45; 30]));
        let (seen, r) = read_all(&bytes);
        let summary = r.unwrap();
        assert_eq!(summary.frames, 2);
        assert!(summary.damage.is_none());
        assert_eq!(seen[0].1, Timestamp(10_000_000_500));
        assert_eq!(seen[1].2, 30);
    }

    #[test]
    fn truncated_pcap_keeps_records_before_the_damage() {
        let mut bytes = pcap_header(1, false);
        bytes.extend(record(1, 0, &[0; 60]));
        let second = record(2, 0, &[0; 60]);
        bytes.extend(&second[..30]);
        let (seen, r) = read_all(&bytes);
        let summary = r.unwrap();
        assert_eq!(seen.len(), 1);
        let damage = summary.damage.expect("damage reported");
        assert_eq!(damage.frame, 2);
        assert_eq!(damage.offset, 24 + 76);
    }

    #[test]
    fn corrupt_record_length_is_damage_not_allocation() {
        let mut bytes = pcap_header(1, false);
        bytes.extend(record(1, 0, &[0; 60]));
        let mut bad = record(2, 0, &[0; 60]);
        bad[8..12].copy_from_slice(&0xffff_fff0u32.to_le_bytes());
        bytes.extend(bad);
        let (seen, r) = read_all(&bytes);
        assert_eq!(seen.len(), 1);
        assert!(r.unwrap().damage.unwrap().reason.contains("implausible"));
    }

    #[test]
    fn html_is_not_a_capture() {
        let (_, r) = read_all(b"<html><body>hi</body></html>");
        let msg = r.unwrap_err().to_string();
        assert!(
            msg.contains("not a pcap or pcapng file (starts with 3c 68 74 6d)"),
            "{msg}"
        );
    }

    #[test]
    fn gzip_compressed_pcap_is_read() {
        let mut bytes = pcap_header(101, false);
        bytes.extend(record(1, 0, &[0x45; 20]));
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&bytes).unwrap();
        let (seen, r) = read_all(&gz.finish().unwrap());
        assert_eq!(r.unwrap().format, "pcap+gzip");
        assert_eq!(seen.len(), 1);
    }

    #[test]
    fn wrong_version_is_an_error() {
        let mut bytes = pcap_header(1, false);
        bytes[4] = 1;
        let (seen, r) = read_all(&bytes);
        assert!(seen.is_empty());
        assert!(
            r.unwrap_err()
                .to_string()
                .contains("unsupported pcap version 1.4")
        );
    }
}
