//! Running one input through the capture pipeline, with progress reporting: the
//! shared front half of `flows`, `scan` and `audit`.

use std::path::Path;

use crate::decrypt::KeyStore;
use crate::engine::{Engine, Event, Scanner, Stats};
use crate::limits::Limits;
use crate::source::capture::{self, CaptureError, CaptureSummary, Progress};
use crate::source::har::{self, HarError};

#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error(transparent)]
    Capture(#[from] CaptureError),
    #[error(transparent)]
    Har(#[from] HarError),
}

/// Reads a capture or a HAR file (told apart by extension or first byte) and streams
/// its events to `sink`.
pub fn analyse_input(
    path: &Path,
    limits: &Limits,
    keys: &KeyStore,
    threads: usize,
    scanner: Option<Scanner<'_>>,
    on_progress: &mut dyn FnMut(u64),
    sink: &mut dyn FnMut(Event),
) -> Result<FileReport, InputError> {
    if har::is_har(path) {
        let (exchanges, not_inspected) = har::read_har_with_notes(path)?;
        let count = exchanges.len() as u64;
        let first_ts = exchanges.iter().map(|x| x.ts).min();
        let last_ts = exchanges.iter().map(|x| x.ts).max();
        for x in exchanges {
            sink(Event::Exchange(Box::new(x)).scanned_with(scanner));
        }
        return Ok(FileReport {
            path: path.display().to_string(),
            capture: CaptureSummary {
                format: "har".into(),
                frames: count,
                first_ts,
                last_ts,
                ..CaptureSummary::default()
            },
            stats: Stats::default(),
            embedded_keylog: Vec::new(),
            not_inspected,
        });
    }
    Ok(analyse_capture(
        path,
        limits,
        keys,
        threads,
        scanner,
        on_progress,
        sink,
    )?)
}

/// What reading one capture file produced besides its events.
#[derive(Debug, Clone)]
pub struct FileReport {
    pub path: String,
    pub capture: CaptureSummary,
    pub stats: Stats,
    /// TLS key-log text carried by the file's Decryption Secrets Blocks.
    pub embedded_keylog: Vec<u8>,
    /// Hosts a HAR from privaudit's proxy says were not inspected: (host, reason).
    pub not_inspected: Vec<(String, String)>,
}

/// Reads `path` and streams every event to `sink`. `on_progress` is called now and
/// then with the number of file bytes consumed. With `threads` above 1 the capture is
/// read by the parallel engine (`engine::analyse_parallel`); the events are the same,
/// in the same order. With a `scanner`, exchanges arrive as `Event::Scanned`.
pub fn analyse_capture(
    path: &Path,
    limits: &Limits,
    keys: &KeyStore,
    threads: usize,
    scanner: Option<Scanner<'_>>,
    on_progress: &mut dyn FnMut(u64),
    sink: &mut dyn FnMut(Event),
) -> Result<FileReport, CaptureError> {
    let display = path.display().to_string();
    if threads > 1 {
        let (capture, stats, embedded_keylog) = crate::engine::analyse_parallel(
            path,
            limits,
            keys,
            threads,
            scanner,
            on_progress,
            sink,
        )?;
        return Ok(FileReport {
            path: display,
            capture,
            stats,
            embedded_keylog,
            not_inspected: Vec::new(),
        });
    }
    let mut engine = Engine::new(&display, limits.clone(), keys.clone());
    let progress = Progress::default();
    let mut since = 0u32;
    let summary = capture::read_capture(path, &progress, &mut |ev| {
        engine.on_event(ev, &mut |e| sink(e.scanned_with(scanner)));
        since += 1;
        if since >= 8192 {
            since = 0;
            on_progress(progress.bytes());
        }
    })?;
    engine.finish(&mut |e| sink(e.scanned_with(scanner)));
    on_progress(progress.bytes());
    Ok(FileReport {
        path: display,
        capture: summary,
        stats: engine.stats.clone(),
        embedded_keylog: std::mem::take(&mut engine.keylog),
        not_inspected: Vec::new(),
    })
}

impl FileReport {
    /// One line for people: frames, flows, and what could not be read.
    pub fn summary_line(&self) -> String {
        if self.capture.format == "har" {
            return format!("{}: {} HAR entries", self.path, self.capture.frames);
        }
        let mut line = format!(
            "{}: {} frames ({}), {} flows",
            self.path, self.capture.frames, self.capture.format, self.stats.flows
        );
        if self.stats.undecodable > 0 {
            line.push_str(&format!(
                "; {} packets could not be decoded",
                self.stats.undecodable
            ));
        }
        let unsupported: u64 = self.stats.unsupported_linktypes.values().sum();
        if unsupported > 0 {
            line.push_str(&format!(
                "; {unsupported} packets of unsupported link types"
            ));
        }
        if self.capture.skipped_blocks > 0 {
            line.push_str(&format!(
                "; {} unreadable pcapng blocks skipped",
                self.capture.skipped_blocks
            ));
        }
        line
    }

    /// The damage warning, if the file was cut short or corrupt part-way.
    pub fn damage_line(&self) -> Option<String> {
        let d = self.capture.damage.as_ref()?;
        Some(format!(
            "{}: {} at frame {} (byte {}); the {} frames before it were read",
            self.path,
            d.reason,
            d.frame,
            d.offset,
            d.frame.saturating_sub(1)
        ))
    }
}
