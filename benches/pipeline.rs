//! Throughput of the capture pipeline (read, decode, reassemble, parse) on a
//! synthetic phone-like capture held in a temporary file. `cargo bench`.

#[path = "support/synth.rs"]
mod synth;

use std::time::Instant;

use privaudit::limits::Limits;

fn main() {
    let mb: u64 = std::env::var("BENCH_MB")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(64);
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("phone.pcap");
    let file = std::io::BufWriter::new(std::fs::File::create(&path).expect("create"));
    let mut w = synth::PcapWriter::new(file).expect("header");
    synth::generate(&mut w, mb << 20, 7, 10).expect("generate");
    let bytes = w.bytes;
    drop(w.into_inner());
    let mut times = Vec::new();
    for _ in 0..5 {
        let start = Instant::now();
        let mut records = 0u64;
        privaudit::pipeline::analyse_capture(
            &path,
            &Limits::default(),
            &Default::default(),
            std::env::var("BENCH_THREADS")
                .ok()
                .and_then(|s| s.parse().ok())
                .unwrap_or(1),
            None,
            &mut |_| {},
            &mut |_| records += 1,
        )
        .expect("analyse");
        times.push(start.elapsed().as_secs_f64());
        assert!(records > 0);
    }
    times.sort_by(f64::total_cmp);
    let median = times[times.len() / 2];
    println!(
        "pipeline: {:.1} MB in {:.3} s median of 5 = {:.0} MB/s",
        bytes as f64 / 1e6,
        median,
        bytes as f64 / 1e6 / median
    );
}
