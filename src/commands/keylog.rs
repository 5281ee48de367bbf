//! `privaudit keylog inject`: a capture plus its key log as one pcapng.

use std::io::BufWriter;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use privaudit::cli::KeylogCommand;
use privaudit::decrypt::KeyStore;
use privaudit::report::output::Output;
use privaudit::source::capture::{self, CaptureEvent, Progress};
use privaudit::source::pcapng_writer::PcapngWriter;

pub fn run(cmd: &KeylogCommand) -> Result<ExitCode> {
    let KeylogCommand::Inject {
        capture: input,
        keylog,
        output,
    } = cmd;
    let mut text = Vec::new();
    for f in keylog {
        let bytes = std::fs::read(f)
            .with_context(|| format!("{}: cannot read the key log", f.display()))?;
        let mut check = KeyStore::default();
        if check.add_text(&bytes) == 0 {
            bail!(
                "{}: no key-log entries (expected NSS SSLKEYLOGFILE lines such as CLIENT_RANDOM …)",
                f.display()
            );
        }
        text.extend_from_slice(&bytes);
        if !text.ends_with(b"\n") {
            text.push(b'\n');
        }
    }
    let out =
        Output::open(Some(output)).with_context(|| format!("cannot write {}", output.display()))?;
    let mut writer = PcapngWriter::new(
        BufWriter::with_capacity(1 << 20, out),
        concat!("privaudit ", env!("CARGO_PKG_VERSION")),
    )?;
    writer.tls_keylog(&text)?;
    let mut error: Option<std::io::Error> = None;
    let summary = capture::read_capture(input, &Progress::default(), &mut |ev| {
        if error.is_some() {
            return;
        }
        let result = match ev {
            CaptureEvent::Packet(p) => {
                writer.packet(p.linktype, p.ts, p.data, p.orig_len, p.comment)
            }
            // Secrets and custom blocks already in the file are kept.
            CaptureEvent::Secrets { secrets_type, data }
                if secrets_type == capture::SECRETS_TLS_KEYLOG =>
            {
                writer.tls_keylog(data)
            }
            CaptureEvent::Custom { pen, data } => writer.custom(pen, data),
            CaptureEvent::Secrets { .. } => Ok(()),
        };
        if let Err(e) = result {
            error = Some(e);
        }
    })?;
    if let Some(e) = error {
        return Err(e).with_context(|| format!("cannot write {}", output.display()));
    }
    let packets = writer.packets;
    let out = writer
        .into_inner()
        .into_inner()
        .map_err(|e| e.into_error())?;
    out.finish()
        .with_context(|| format!("cannot write {}", output.display()))?;
    eprintln!(
        "{}: {packets} packets and a {}-byte key log written{}",
        output.display(),
        text.len(),
        summary
            .damage
            .map(|d| format!(" (input damaged at frame {}: {})", d.frame, d.reason))
            .unwrap_or_default()
    );
    Ok(ExitCode::SUCCESS)
}
