//! Where reports go: standard output (also for `-o -`), or a file written atomically (a
//! temporary file in the same directory, renamed into place when complete). A destination
//! that exists and is not a regular file (`/dev/null`, `/dev/stdout`, a FIFO) is written
//! directly: renaming over it would replace the device with a file.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

pub enum Output {
    Stdout(BufWriter<io::Stdout>),
    /// A device or pipe, written in place.
    Special(BufWriter<File>),
    File {
        writer: BufWriter<File>,
        tmp: PathBuf,
        dest: PathBuf,
        done: bool,
    },
}

/// Why a report cannot be written to `dest`, found before any work is done.
#[derive(Debug, thiserror::Error)]
#[error("{path}: cannot write the report here: {reason}")]
pub struct NotWritable {
    pub path: String,
    pub reason: String,
}

/// `-o -`: standard output, as the command-line convention has it (not a file named "-").
pub fn is_stdout(dest: &Path) -> bool {
    dest.as_os_str() == "-"
}

/// Checks that `dest` can be written (its folder exists and takes a file) without
/// leaving anything behind.
pub fn check_writable(dest: &Path) -> Result<(), NotWritable> {
    if is_stdout(dest) {
        return Ok(());
    }
    let err = |reason: String| NotWritable {
        path: dest.display().to_string(),
        reason,
    };
    if let Ok(m) = std::fs::metadata(dest) {
        if m.is_dir() {
            return Err(err("it is a folder; give a file name".into()));
        }
        if !m.file_type().is_file() {
            // A device or pipe: opened in place later.
            return std::fs::OpenOptions::new()
                .write(true)
                .open(dest)
                .map(|_| ())
                .map_err(|e| err(e.to_string()));
        }
    }
    let dir = dest
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    match std::fs::metadata(dir) {
        Err(e) => return Err(err(format!("folder {}: {e}", dir.display()))),
        Ok(m) if !m.is_dir() => {
            return Err(err(format!("{} is not a folder", dir.display())));
        }
        Ok(_) => {}
    }
    let probe = dir.join(format!(".privaudit-probe.{}", std::process::id()));
    match File::create(&probe) {
        Ok(_) => {
            let _ = std::fs::remove_file(&probe);
            Ok(())
        }
        Err(e) => Err(err(format!("folder {}: {e}", dir.display()))),
    }
}

impl Output {
    pub fn open(path: Option<&Path>) -> io::Result<Output> {
        match path.filter(|dest| !is_stdout(dest)) {
            None => Ok(Output::Stdout(BufWriter::with_capacity(
                1 << 16,
                io::stdout(),
            ))),
            Some(dest)
                if std::fs::metadata(dest)
                    .is_ok_and(|m| !m.file_type().is_file() && !m.is_dir()) =>
            {
                let file = std::fs::OpenOptions::new().write(true).open(dest)?;
                Ok(Output::Special(BufWriter::with_capacity(1 << 16, file)))
            }
            Some(dest) => {
                // The error names the path and why, whichever command opens it.
                check_writable(dest).map_err(|e| io::Error::other(e.to_string()))?;
                let dir = dest
                    .parent()
                    .filter(|p| !p.as_os_str().is_empty())
                    .unwrap_or(Path::new("."));
                let name = dest
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_else(|| "output".into());
                let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
                let file = File::create(&tmp)?;
                Ok(Output::File {
                    writer: BufWriter::with_capacity(1 << 16, file),
                    tmp,
                    dest: dest.to_path_buf(),
                    done: false,
                })
            }
        }
    }

    /// Flushes and, for a file, moves it into place.
    pub fn finish(mut self) -> io::Result<()> {
        match &mut self {
            Output::Stdout(w) => w.flush(),
            Output::Special(w) => w.flush(),
            Output::File {
                writer,
                tmp,
                dest,
                done,
            } => {
                writer.flush()?;
                writer.get_ref().sync_all()?;
                std::fs::rename(&*tmp, &*dest)?;
                *done = true;
                Ok(())
            }
        }
    }

    pub fn is_terminal(&self) -> bool {
        use std::io::IsTerminal;
        matches!(self, Output::Stdout(_)) && io::stdout().is_terminal()
    }
}

impl Drop for Output {
    fn drop(&mut self) {
        if let Output::File {
            tmp, done: false, ..
        } = self
        {
            // finish() did not run: remove the partial file.
            let _ = std::fs::remove_file(tmp);
        }
    }
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Output::Stdout(w) => w.write(buf),
            Output::Special(w) => w.write(buf),
            Output::File { writer, .. } => writer.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Output::Stdout(w) => w.flush(),
            Output::Special(w) => w.flush(),
            Output::File { writer, .. } => writer.flush(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `-o /dev/null` must not turn the device into a file. Tested through a symlink
    /// to it: a rename would replace the link (and, run as root on /dev/null itself,
    /// the device), writing in place keeps it.
    #[test]
    fn a_device_destination_is_written_in_place() {
        let dir = tempfile::tempdir().expect("temp dir");
        let link = dir.path().join("sink");
        std::os::unix::fs::symlink("/dev/null", &link).expect("symlink");
        let mut out = Output::open(Some(&link)).expect("open");
        out.write_all(b"report").expect("write");
        out.finish().expect("finish");
        let meta = std::fs::symlink_metadata(&link).expect("stat");
        assert!(meta.file_type().is_symlink(), "the link was replaced");
        assert_eq!(std::fs::read_dir(dir.path()).expect("list").count(), 1);
    }

    #[test]
    fn a_regular_file_is_replaced_atomically() {
        let dir = tempfile::tempdir().expect("temp dir");
        let dest = dir.path().join("report.json");
        std::fs::write(&dest, b"old").expect("write");
        let mut out = Output::open(Some(&dest)).expect("open");
        out.write_all(b"new").expect("write");
        out.finish().expect("finish");
        assert_eq!(std::fs::read(&dest).expect("read"), b"new");
        assert_eq!(std::fs::read_dir(dir.path()).expect("list").count(), 1);
    }
}
