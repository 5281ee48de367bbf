//! Builds a large capture from a small real one by replaying it N times with the
//! client's port shifted (each copy is a distinct connection with the same TLS keys),
//! for the decryption benchmark:
//! `cargo run --release --example replicate_capture -- IN OUT.pcapng COPIES`.
//! The input's Decryption Secrets Blocks are written once at the start.

use std::io::BufWriter;

use etherparse::{LaxSlicedPacket, TransportSlice};
use privaudit::source::capture::{CaptureEvent, Progress, read_capture};
use privaudit::source::pcapng_writer::PcapngWriter;
use privaudit::time::Timestamp;

struct Packet {
    linktype: u32,
    ts: i64,
    data: Vec<u8>,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (input, output, copies) = match args.as_slice() {
        [_, i, o, n] => (i.clone(), o.clone(), n.parse::<u32>()?),
        _ => return Err("usage: replicate_capture IN OUT.pcapng COPIES".into()),
    };
    let mut packets = Vec::new();
    let mut keylog = Vec::new();
    read_capture(
        std::path::Path::new(&input),
        &Progress::default(),
        &mut |ev| match ev {
            CaptureEvent::Packet(p) => packets.push(Packet {
                linktype: p.linktype,
                ts: p.ts.0,
                data: p.data.to_vec(),
            }),
            CaptureEvent::Secrets { data, .. } => {
                keylog.extend_from_slice(data);
                keylog.push(b'\n');
            }
            _ => {}
        },
    )?;
    let span = packets.last().map(|p| p.ts).unwrap_or(0)
        - packets.first().map(|p| p.ts).unwrap_or(0)
        + 1_000_000_000;
    let out = BufWriter::with_capacity(1 << 20, std::fs::File::create(&output)?);
    let mut w = PcapngWriter::new(out, "privaudit replicate_capture")?;
    if !keylog.is_empty() {
        w.tls_keylog(&keylog)?;
    }
    for k in 0..copies {
        for p in &packets {
            let mut data = p.data.clone();
            if p.linktype == 1
                && let Ok(sliced) = LaxSlicedPacket::from_ethernet(&p.data)
            {
                let ports = match &sliced.transport {
                    Some(TransportSlice::Tcp(t)) => Some((
                        t.slice().as_ptr() as usize - p.data.as_ptr() as usize,
                        t.source_port(),
                        t.destination_port(),
                    )),
                    Some(TransportSlice::Udp(u)) => Some((
                        u.slice().as_ptr() as usize - p.data.as_ptr() as usize,
                        u.source_port(),
                        u.destination_port(),
                    )),
                    _ => None,
                };
                if let Some((off, sport, dport)) = ports {
                    // Shift whichever port is the ephemeral (client) one.
                    let (at, port) = if sport > dport {
                        (off, sport)
                    } else {
                        (off + 2, dport)
                    };
                    let shifted = 10_000 + ((port as u32 - 10_000 + k * 7) % 55_000) as u16;
                    data[at..at + 2].copy_from_slice(&shifted.to_be_bytes());
                }
            }
            w.packet(
                p.linktype,
                Timestamp(p.ts + k as i64 * span),
                &data,
                data.len() as u32,
                None,
            )?;
        }
    }
    eprintln!("{output}: {} packets", w.packets);
    Ok(())
}
