//! PDF output: prints the HTML report with a headless Chromium, which users of
//! compliance reports already trust to lay out print CSS faithfully.

use std::path::{Path, PathBuf};
use std::process::Command;

use thiserror::Error;

#[derive(Debug, Error)]
pub enum PdfError {
    #[error(
        "no Chromium found for the PDF report (looked for $PRIVAUDIT_CHROMIUM, chromium, chromium-browser, google-chrome, google-chrome-stable); install one (apt-get install chromium) or use --format html and print it"
    )]
    NoChromium,
    #[error("{0}: {1}")]
    Io(String, std::io::Error),
    #[error("Chromium failed to print the report ({status}): {stderr}")]
    Failed { status: String, stderr: String },
}

/// The Chromium binary to use: `$PRIVAUDIT_CHROMIUM` first, then the usual names
/// on `$PATH`.
pub fn find_chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("PRIVAUDIT_CHROMIUM") {
        let p = PathBuf::from(p);
        if p.is_file() {
            return Some(p);
        }
    }
    let path = std::env::var_os("PATH")?;
    for name in [
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
    ] {
        for dir in std::env::split_paths(&path) {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Some(candidate);
            }
        }
    }
    None
}

/// Prints `html` to the PDF file `out`.
pub fn print(html: &str, out: &Path) -> Result<(), PdfError> {
    let chromium = find_chromium().ok_or(PdfError::NoChromium)?;
    let dir = tempfile::tempdir().map_err(|e| PdfError::Io("temporary directory".into(), e))?;
    let page = dir.path().join("report.html");
    std::fs::write(&page, html).map_err(|e| PdfError::Io(page.display().to_string(), e))?;
    let target = dir.path().join("report.pdf");
    let output = Command::new(&chromium)
        .arg("--headless")
        .arg("--no-sandbox")
        .arg("--disable-gpu")
        .arg("--disable-dev-shm-usage")
        .arg("--no-pdf-header-footer")
        .arg(format!(
            "--user-data-dir={}",
            dir.path().join("profile").display()
        ))
        .arg(format!("--print-to-pdf={}", target.display()))
        .arg(format!("file://{}", page.display()))
        .output()
        .map_err(|e| PdfError::Io(chromium.display().to_string(), e))?;
    let ok = output.status.success()
        && std::fs::metadata(&target)
            .map(|m| m.len() > 0)
            .unwrap_or(false);
    if !ok {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let tail: Vec<&str> = stderr.lines().rev().take(5).collect();
        return Err(PdfError::Failed {
            status: output.status.to_string(),
            stderr: tail.into_iter().rev().collect::<Vec<_>>().join("\n"),
        });
    }
    // Written through `Output` rather than renamed: the temporary directory may be on
    // another filesystem, and `-o -` means standard output.
    let io = |e| PdfError::Io(out.display().to_string(), e);
    let pdf = std::fs::read(&target).map_err(|e| PdfError::Io(target.display().to_string(), e))?;
    let mut dest = super::output::Output::open(Some(out)).map_err(io)?;
    std::io::Write::write_all(&mut dest, &pdf).map_err(io)?;
    dest.finish().map_err(io)
}
