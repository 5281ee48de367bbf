//! Bounded reading of zip archives (APK and IPA containers).
//!
//! The `zip` crate has no zip-bomb protection of its own, so every read here goes
//! through [`ZipLimits`]: a cap on the number of entries, on the size of one entry,
//! on the compression ratio of one entry and on the bytes decompressed over the
//! life of one [`ZipReader`]. Entries are only ever read into memory, never
//! extracted to disk, so entry names cannot escape anywhere.

use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use zip::result::ZipError;
use zip::{CompressionMethod, ZipArchive, ZipReadOptions};

/// Limits applied while reading one archive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ZipLimits {
    /// Most entries the central directory may declare.
    pub max_entries: usize,
    /// Most bytes one entry may decompress to.
    pub max_entry_bytes: u64,
    /// Most bytes all reads from one archive may decompress to, added up.
    pub max_total_bytes: u64,
    /// Highest allowed ratio of declared size to compressed size for one entry.
    pub max_ratio: u64,
}

impl Default for ZipLimits {
    fn default() -> Self {
        ZipLimits {
            max_entries: 100_000,
            max_entry_bytes: 256 * 1024 * 1024,
            max_total_bytes: 2 * 1024 * 1024 * 1024,
            max_ratio: 1000,
        }
    }
}

/// Why an archive or one of its entries could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ZipReadError {
    #[error("cannot open {}: {source}", path.display())]
    Open {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("not a readable zip archive (truncated or corrupt): {0}")]
    Archive(#[source] ZipError),
    #[error("archive declares {count} entries, over the max_entries limit of {limit}")]
    TooManyEntries { count: u64, limit: usize },
    #[error("entry {name:?} is not in the archive")]
    NotFound { name: String },
    #[error("entry {name:?} declares {size} bytes, over the {limit_name} limit of {limit} bytes")]
    EntryTooLarge {
        name: String,
        size: u64,
        limit: u64,
        limit_name: &'static str,
    },
    #[error(
        "entry {name:?} declares {size} bytes from {compressed} compressed bytes, over the max_ratio limit of {limit}:1"
    )]
    RatioTooHigh {
        name: String,
        size: u64,
        compressed: u64,
        limit: u64,
    },
    #[error(
        "entry {name:?} ({size} bytes) would take the archive past the max_total_bytes limit of {limit} bytes ({used} already read)"
    )]
    TotalBudgetExceeded {
        name: String,
        size: u64,
        used: u64,
        limit: u64,
    },
    #[error("entry {name:?} decompresses past its declared size of {declared} bytes")]
    LargerThanDeclared { name: String, declared: u64 },
    #[error("entry {name:?} uses unsupported compression method {method}")]
    UnsupportedCompression { name: String, method: String },
    #[error("cannot read entry {name:?}: {source}")]
    Entry {
        name: String,
        #[source]
        source: io::Error,
    },
    #[error("cannot open entry {name:?}: {source}")]
    EntryHeader {
        name: String,
        #[source]
        source: ZipError,
    },
}

/// Upper bound on the initial buffer for one entry, so a size that the
/// central directory merely claims cannot reserve memory up front.
const INITIAL_BUFFER_CAP: u64 = 1024 * 1024;

/// A zip archive opened for bounded reads.
pub struct ZipReader<R: Read + Seek = BufReader<File>> {
    archive: ZipArchive<R>,
    limits: ZipLimits,
    names: Vec<String>,
    used: u64,
}

impl<R: Read + Seek> std::fmt::Debug for ZipReader<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ZipReader")
            .field("entries", &self.names.len())
            .field("limits", &self.limits)
            .field("used", &self.used)
            .finish()
    }
}

impl ZipReader<BufReader<File>> {
    /// Opens the archive at `path` and reads its central directory.
    pub fn open(path: &Path, limits: &ZipLimits) -> Result<Self, ZipReadError> {
        let file = File::open(path).map_err(|source| ZipReadError::Open {
            path: path.to_path_buf(),
            source,
        })?;
        Self::new(BufReader::new(file), limits)
    }
}

impl<R: Read + Seek> ZipReader<R> {
    /// Reads the central directory from any seekable source (a file, or bytes
    /// in a `Cursor`).
    pub fn new(mut reader: R, limits: &ZipLimits) -> Result<Self, ZipReadError> {
        // The zip crate allocates an index entry per central-directory record
        // before we could look at the count, so check the declared count first.
        if let Ok(Some(count)) = declared_entry_count(&mut reader)
            && count > limits.max_entries as u64
        {
            return Err(ZipReadError::TooManyEntries {
                count,
                limit: limits.max_entries,
            });
        }
        reader
            .seek(SeekFrom::Start(0))
            .map_err(|e| ZipReadError::Archive(ZipError::Io(e)))?;
        let archive = ZipArchive::new(reader).map_err(ZipReadError::Archive)?;
        // The crate may have picked another end-of-directory record than the
        // quick scan did, so the parsed count is checked as well.
        if archive.len() > limits.max_entries {
            return Err(ZipReadError::TooManyEntries {
                count: archive.len() as u64,
                limit: limits.max_entries,
            });
        }
        let names = (0..archive.len())
            .filter_map(|i| archive.name_for_index(i))
            .filter_map(Result::ok)
            .map(|name| name.into_owned())
            .collect();
        Ok(ZipReader {
            archive,
            limits: *limits,
            names,
            used: 0,
        })
    }

    /// Entry names in central-directory order (a repeated name appears once).
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Whether an entry of exactly this name exists.
    pub fn contains(&self, name: &str) -> bool {
        self.archive.index_for_name(name).is_some()
    }

    /// Whether the central directory lists a name more than once (only the
    /// last copy can be read by name).
    pub fn has_duplicate_names(&self) -> bool {
        self.archive.has_duplicate_names()
    }

    /// The uncompressed size the central directory declares for an entry.
    pub fn declared_size(&self, name: &str) -> Option<u64> {
        let index = self.archive.index_for_name(name)?;
        self.archive.by_index_data(index).ok().map(|e| e.size())
    }

    /// Bytes decompressed so far, counted against `max_total_bytes`.
    pub fn bytes_read(&self) -> u64 {
        self.used
    }

    /// The limits this reader enforces.
    pub fn limits(&self) -> &ZipLimits {
        &self.limits
    }

    /// Reads one entry fully into memory, within the limits.
    pub fn read(&mut self, name: &str) -> Result<Vec<u8>, ZipReadError> {
        self.read_inner(name, None)
    }

    /// Like [`ZipReader::read`], with an extra size cap for this one entry
    /// (for files whose legitimate size is known to be small).
    pub fn read_capped(&mut self, name: &str, cap: u64) -> Result<Vec<u8>, ZipReadError> {
        self.read_inner(name, Some(cap))
    }

    fn read_inner(&mut self, name: &str, cap: Option<u64>) -> Result<Vec<u8>, ZipReadError> {
        let index = self
            .archive
            .index_for_name(name)
            .ok_or_else(|| ZipReadError::NotFound {
                name: name.to_owned(),
            })?;
        let (size, compressed, method) = {
            let entry =
                self.archive
                    .by_index_data(index)
                    .map_err(|source| ZipReadError::EntryHeader {
                        name: name.to_owned(),
                        source,
                    })?;
            (entry.size(), entry.compressed_size(), entry.compression())
        };
        self.check_declared(name, size, compressed, cap)?;

        let known_method =
            method == CompressionMethod::Stored || method == CompressionMethod::Deflated;
        // Android's installer only looks at stored and deflated data; tampered
        // APKs put bogus method numbers on entries that are really stored.
        let raw = !known_method && compressed == size;
        if !known_method && !raw {
            return Err(ZipReadError::UnsupportedCompression {
                name: name.to_owned(),
                method: format!("{method:?}"),
            });
        }

        let entry = if raw {
            self.archive.by_index_raw(index)
        } else {
            // Android ignores the encryption flag, which tampered APKs set to
            // make other tools refuse the entry.
            self.archive
                .by_index_with_options(index, ZipReadOptions::new().ignore_encryption_flag(true))
        }
        .map_err(|source| ZipReadError::EntryHeader {
            name: name.to_owned(),
            source,
        })?;

        let mut buf = Vec::with_capacity(size.min(INITIAL_BUFFER_CAP) as usize);
        // One byte past the declared size tells a lying header from an exact one
        // without ever holding more than size + 1 bytes.
        let result = entry.take(size.saturating_add(1)).read_to_end(&mut buf);
        self.used = self.used.saturating_add(buf.len() as u64);
        if let Err(source) = result {
            return Err(ZipReadError::Entry {
                name: name.to_owned(),
                source,
            });
        }
        if buf.len() as u64 > size {
            return Err(ZipReadError::LargerThanDeclared {
                name: name.to_owned(),
                declared: size,
            });
        }
        Ok(buf)
    }

    fn check_declared(
        &self,
        name: &str,
        size: u64,
        compressed: u64,
        cap: Option<u64>,
    ) -> Result<(), ZipReadError> {
        if size > self.limits.max_entry_bytes {
            return Err(ZipReadError::EntryTooLarge {
                name: name.to_owned(),
                size,
                limit: self.limits.max_entry_bytes,
                limit_name: "max_entry_bytes",
            });
        }
        if let Some(cap) = cap
            && size > cap
        {
            return Err(ZipReadError::EntryTooLarge {
                name: name.to_owned(),
                size,
                limit: cap,
                limit_name: "per-file",
            });
        }
        if size > compressed.saturating_mul(self.limits.max_ratio) {
            return Err(ZipReadError::RatioTooHigh {
                name: name.to_owned(),
                size,
                compressed,
                limit: self.limits.max_ratio,
            });
        }
        if size > self.limits.max_total_bytes.saturating_sub(self.used) {
            return Err(ZipReadError::TotalBudgetExceeded {
                name: name.to_owned(),
                size,
                used: self.used,
                limit: self.limits.max_total_bytes,
            });
        }
        Ok(())
    }
}

/// End-of-central-directory signature, little-endian "PK\x05\x06".
const EOCD_SIG: &[u8; 4] = b"PK\x05\x06";
const EOCD_LEN: usize = 22;
const ZIP64_LOCATOR_SIG: &[u8; 4] = b"PK\x06\x07";
const ZIP64_LOCATOR_LEN: usize = 20;
const ZIP64_EOCD_SIG: &[u8; 4] = b"PK\x06\x06";

/// Entry count declared by the last end-of-central-directory record, if one
/// can be found. Only a pre-check: `None` leaves the verdict to the zip crate.
fn declared_entry_count<R: Read + Seek>(reader: &mut R) -> io::Result<Option<u64>> {
    let file_len = reader.seek(SeekFrom::End(0))?;
    // The record sits in the last 22 bytes plus a comment of at most 64 KiB.
    let tail_len = file_len.min((EOCD_LEN + u16::MAX as usize) as u64);
    reader.seek(SeekFrom::Start(file_len - tail_len))?;
    let mut tail = vec![0u8; tail_len as usize];
    reader.read_exact(&mut tail)?;

    let Some(pos) = memchr::memmem::rfind_iter(&tail, EOCD_SIG)
        .find(|&p| p.checked_add(EOCD_LEN).is_some_and(|end| end <= tail.len()))
    else {
        return Ok(None);
    };
    let Some(count) = read_u16_le(&tail, pos + 10) else {
        return Ok(None);
    };
    if count != u16::MAX {
        return Ok(Some(u64::from(count)));
    }

    // A count of 0xFFFF defers to the zip64 record, found through the locator
    // just before the classic record.
    let Some(locator) = pos.checked_sub(ZIP64_LOCATOR_LEN) else {
        return Ok(Some(u64::from(count)));
    };
    if tail.get(locator..locator + 4) != Some(ZIP64_LOCATOR_SIG.as_slice()) {
        return Ok(Some(u64::from(count)));
    }
    let Some(record_offset) = read_u64_le(&tail, locator + 8) else {
        return Ok(None);
    };
    if record_offset
        .checked_add(40)
        .is_none_or(|end| end > file_len)
    {
        return Ok(None);
    }
    reader.seek(SeekFrom::Start(record_offset))?;
    let mut record = [0u8; 40];
    reader.read_exact(&mut record)?;
    if record.get(..4) != Some(ZIP64_EOCD_SIG.as_slice()) {
        return Ok(None);
    }
    Ok(read_u64_le(&record, 32))
}

fn read_u16_le(bytes: &[u8], at: usize) -> Option<u16> {
    let b = bytes.get(at..at.checked_add(2)?)?;
    Some(u16::from_le_bytes(b.try_into().ok()?))
}

fn read_u64_le(bytes: &[u8], at: usize) -> Option<u64> {
    let b = bytes.get(at..at.checked_add(8)?)?;
    Some(u64::from_le_bytes(b.try_into().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Cursor, Write};
    use zip::write::SimpleFileOptions;

    fn build(entries: &[(&str, &[u8], CompressionMethod)]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, data, method) in entries {
            w.start_file(
                *name,
                SimpleFileOptions::default().compression_method(*method),
            )
            .unwrap();
            w.write_all(data).unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    #[test]
    fn reads_stored_and_deflated() {
        let bytes = build(&[
            ("a.txt", b"hello", CompressionMethod::Stored),
            ("b.txt", &[7u8; 5000], CompressionMethod::Deflated),
        ]);
        let mut z = ZipReader::new(Cursor::new(bytes), &ZipLimits::default()).unwrap();
        assert_eq!(z.names(), ["a.txt", "b.txt"]);
        assert_eq!(z.read("a.txt").unwrap(), b"hello");
        assert_eq!(z.read("b.txt").unwrap(), vec![7u8; 5000]);
        assert_eq!(z.bytes_read(), 5005);
        assert!(matches!(
            z.read("missing"),
            Err(ZipReadError::NotFound { .. })
        ));
    }

    #[test]
    fn limits_name_the_entry() {
        let bytes = build(&[("big.bin", &[0u8; 100_000], CompressionMethod::Deflated)]);
        let limits = ZipLimits {
            max_ratio: 10,
            ..ZipLimits::default()
        };
        let mut z = ZipReader::new(Cursor::new(bytes.clone()), &limits).unwrap();
        let err = z.read("big.bin").unwrap_err();
        assert!(matches!(err, ZipReadError::RatioTooHigh { .. }), "{err}");
        assert!(err.to_string().contains("big.bin"));
        assert!(err.to_string().contains("max_ratio"));

        let limits = ZipLimits {
            max_entry_bytes: 1000,
            ..ZipLimits::default()
        };
        let mut z = ZipReader::new(Cursor::new(bytes.clone()), &limits).unwrap();
        let err = z.read("big.bin").unwrap_err();
        assert!(err.to_string().contains("max_entry_bytes"), "{err}");

        let limits = ZipLimits {
            max_total_bytes: 150_000,
            ..ZipLimits::default()
        };
        let mut z = ZipReader::new(Cursor::new(bytes.clone()), &limits).unwrap();
        z.read("big.bin").unwrap();
        let err = z.read("big.bin").unwrap_err();
        assert!(err.to_string().contains("max_total_bytes"), "{err}");

        let limits = ZipLimits {
            max_entries: 0,
            ..ZipLimits::default()
        };
        let err = ZipReader::new(Cursor::new(bytes), &limits).unwrap_err();
        assert!(matches!(err, ZipReadError::TooManyEntries { .. }), "{err}");
    }

    #[test]
    fn truncated_archive_is_an_error() {
        let bytes = build(&[("a.txt", b"hello world", CompressionMethod::Deflated)]);
        for cut in 0..bytes.len() {
            let _ = ZipReader::new(Cursor::new(bytes[..cut].to_vec()), &ZipLimits::default())
                .and_then(|mut z| z.read("a.txt"));
        }
    }
}
