//! Writes a synthetic phone-like capture for benchmarks:
//! `cargo run --release --example gen_phone_capture -- OUT.pcap SIZE_MB [PLAIN_PERCENT]`
//! (PLAIN_PERCENT: share of connections that are plaintext HTTP, default 10). A name
//! ending in `.pcapng` gives pcapng.

#[path = "../benches/support/synth.rs"]
mod synth;

use std::io::BufWriter;

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let out = args.next().unwrap_or_else(|| "phone.pcap".into());
    let mb: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(500);
    let plain: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(10);
    let file = BufWriter::with_capacity(1 << 20, std::fs::File::create(&out)?);
    let mut w = if out.ends_with(".pcapng") {
        synth::PcapWriter::new_pcapng(file)?
    } else {
        synth::PcapWriter::new(file)?
    };
    synth::generate(&mut w, mb << 20, 42, plain)?;
    eprintln!("{out}: {} packets, {} bytes", w.packets, w.bytes);
    Ok(())
}
