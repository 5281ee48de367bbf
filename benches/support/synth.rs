//! Synthetic phone-like traffic for benchmarks: DNS lookups, TLS connections (real
//! ClientHello/ServerHello framing, then encrypted-looking records) and plaintext HTTP
//! requests with JSON bodies, written as an Ethernet pcap. Benchmarks only: tests use
//! real captures.
#![allow(dead_code)]

use std::io::{self, Write};

use etherparse::PacketBuilder;

pub struct PcapWriter<W: Write> {
    out: W,
    pub bytes: u64,
    pub packets: u64,
    ts_us: u64,
    /// Enhanced Packet Blocks instead of pcap records.
    pcapng: bool,
}

impl<W: Write> PcapWriter<W> {
    pub fn new(mut out: W) -> io::Result<Self> {
        out.write_all(&0xa1b2c3d4u32.to_le_bytes())?;
        out.write_all(&2u16.to_le_bytes())?;
        out.write_all(&4u16.to_le_bytes())?;
        out.write_all(&[0; 8])?;
        out.write_all(&262_144u32.to_le_bytes())?;
        out.write_all(&1u32.to_le_bytes())?;
        Ok(PcapWriter {
            out,
            bytes: 24,
            packets: 0,
            ts_us: 1_700_000_000_000_000,
            pcapng: false,
        })
    }

    /// The same traffic as pcapng: one section, one Ethernet interface with
    /// microsecond timestamps.
    pub fn new_pcapng(mut out: W) -> io::Result<Self> {
        // Section Header Block: magic, version 1.0, unknown section length, no options.
        let mut shb = Vec::new();
        shb.extend_from_slice(&0x1A2B_3C4Du32.to_le_bytes());
        shb.extend_from_slice(&1u16.to_le_bytes());
        shb.extend_from_slice(&0u16.to_le_bytes());
        shb.extend_from_slice(&(-1i64).to_le_bytes());
        block(&mut out, 0x0A0D_0D0A, &shb)?;
        // Interface Description Block: Ethernet, snaplen 256 KiB.
        let mut idb = Vec::new();
        idb.extend_from_slice(&1u16.to_le_bytes());
        idb.extend_from_slice(&0u16.to_le_bytes());
        idb.extend_from_slice(&262_144u32.to_le_bytes());
        block(&mut out, 1, &idb)?;
        Ok(PcapWriter {
            out,
            bytes: 28 + 20,
            packets: 0,
            ts_us: 1_700_000_000_000_000,
            pcapng: true,
        })
    }

    fn record(&mut self, frame: &[u8]) -> io::Result<()> {
        self.ts_us += 137;
        if self.pcapng {
            let mut epb = Vec::with_capacity(20 + frame.len() + 3);
            epb.extend_from_slice(&0u32.to_le_bytes());
            epb.extend_from_slice(&((self.ts_us >> 32) as u32).to_le_bytes());
            epb.extend_from_slice(&(self.ts_us as u32).to_le_bytes());
            epb.extend_from_slice(&(frame.len() as u32).to_le_bytes());
            epb.extend_from_slice(&(frame.len() as u32).to_le_bytes());
            epb.extend_from_slice(frame);
            epb.resize(epb.len().next_multiple_of(4), 0);
            block(&mut self.out, 6, &epb)?;
            self.bytes += 12 + epb.len() as u64;
            self.packets += 1;
            return Ok(());
        }
        let sec = (self.ts_us / 1_000_000) as u32;
        let usec = (self.ts_us % 1_000_000) as u32;
        self.out.write_all(&sec.to_le_bytes())?;
        self.out.write_all(&usec.to_le_bytes())?;
        self.out.write_all(&(frame.len() as u32).to_le_bytes())?;
        self.out.write_all(&(frame.len() as u32).to_le_bytes())?;
        self.out.write_all(frame)?;
        self.bytes += 16 + frame.len() as u64;
        self.packets += 1;
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    pub fn tcp(
        &mut self,
        src: ([u8; 4], u16),
        dst: ([u8; 4], u16),
        seq: u32,
        ack: u32,
        flags: &str,
        payload: &[u8],
    ) -> io::Result<()> {
        let mut b = PacketBuilder::ethernet2([2, 0, 0, 0, 0, 1], [2, 0, 0, 0, 0, 2])
            .ipv4(src.0, dst.0, 64)
            .tcp(src.1, dst.1, seq, 65535);
        if flags.contains('S') {
            b = b.syn();
        }
        if flags.contains('A') {
            b = b.ack(ack);
        }
        if flags.contains('F') {
            b = b.fin();
        }
        if flags.contains('P') {
            b = b.psh();
        }
        let mut frame = Vec::with_capacity(b.size(payload.len()));
        b.write(&mut frame, payload).map_err(io::Error::other)?;
        self.record(&frame)
    }

    pub fn udp(
        &mut self,
        src: ([u8; 4], u16),
        dst: ([u8; 4], u16),
        payload: &[u8],
    ) -> io::Result<()> {
        let b = PacketBuilder::ethernet2([2, 0, 0, 0, 0, 1], [2, 0, 0, 0, 0, 2])
            .ipv4(src.0, dst.0, 64)
            .udp(src.1, dst.1);
        let mut frame = Vec::with_capacity(b.size(payload.len()));
        b.write(&mut frame, payload).map_err(io::Error::other)?;
        self.record(&frame)
    }

    pub fn into_inner(self) -> W {
        self.out
    }
}

/// A small deterministic PRNG (xorshift), so runs are repeatable.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed | 1)
    }
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

const HOSTS: [&str; 12] = [
    "api.example-office.cn",
    "alog.umeng.com",
    "restapi.amap.com",
    "android.bugly.qq.com",
    "tsis.jpush.cn",
    "app-measurement.com",
    "firebaseinstallations.googleapis.com",
    "graph.facebook.com",
    "cdn.example-office.cn",
    "push.example-office.cn",
    "log.example-office.cn",
    "img.example-office.cn",
];

fn client_hello(sni: &str) -> Vec<u8> {
    let mut exts = Vec::new();
    let mut ext = |t: u16, body: &[u8]| {
        exts.extend_from_slice(&t.to_be_bytes());
        exts.extend_from_slice(&(body.len() as u16).to_be_bytes());
        exts.extend_from_slice(body);
    };
    let mut sni_body = ((sni.len() + 3) as u16).to_be_bytes().to_vec();
    sni_body.push(0);
    sni_body.extend_from_slice(&(sni.len() as u16).to_be_bytes());
    sni_body.extend_from_slice(sni.as_bytes());
    ext(0x0000, &sni_body);
    ext(
        0x0010,
        &[
            0, 12, 2, b'h', b'2', 8, b'h', b't', b't', b'p', b'/', b'1', b'.', b'1',
        ],
    );
    ext(0x002b, &[4, 3, 4, 3, 3]);
    ext(0x000a, &[0, 4, 0, 0x1d, 0, 0x17]);
    ext(0x000d, &[0, 6, 4, 3, 8, 4, 4, 1]);
    ext(0x0033, &[0; 38]);
    ext(0x0015, &[0; 200]);
    let mut body = vec![3, 3];
    body.extend_from_slice(&[0x42; 32]);
    body.push(32);
    body.extend_from_slice(&[0x17; 32]);
    body.extend_from_slice(&[0, 8, 0x13, 0x01, 0x13, 0x02, 0xc0, 0x2f, 0xc0, 0x30]);
    body.extend_from_slice(&[1, 0]);
    body.extend_from_slice(&(exts.len() as u16).to_be_bytes());
    body.extend_from_slice(&exts);
    record(22, &handshake(1, &body))
}

fn server_hello() -> Vec<u8> {
    let mut body = vec![3, 3];
    body.extend_from_slice(&[0x24; 32]);
    body.push(32);
    body.extend_from_slice(&[0x17; 32]);
    body.extend_from_slice(&[0x13, 0x01, 0]);
    body.extend_from_slice(&[0, 6, 0, 0x2b, 0, 2, 3, 4]);
    let mut out = record(22, &handshake(2, &body));
    out.extend(record(20, &[1]));
    out.extend(record(23, &[0x5a; 2800]));
    out
}

fn handshake(t: u8, body: &[u8]) -> Vec<u8> {
    let mut h = vec![t];
    h.extend_from_slice(&(body.len() as u32).to_be_bytes()[1..]);
    h.extend_from_slice(body);
    h
}

fn record(t: u8, body: &[u8]) -> Vec<u8> {
    let mut r = vec![t, 3, 3];
    r.extend_from_slice(&(body.len() as u16).to_be_bytes());
    r.extend_from_slice(body);
    r
}

fn dns_query(id: u16, name: &str, response: Option<[u8; 4]>) -> Vec<u8> {
    let mut m = id.to_be_bytes().to_vec();
    m.extend_from_slice(if response.is_some() {
        &[0x81, 0x80]
    } else {
        &[0x01, 0x00]
    });
    m.extend_from_slice(&[0, 1, 0, response.is_some() as u8, 0, 0, 0, 0]);
    for label in name.split('.') {
        m.push(label.len() as u8);
        m.extend_from_slice(label.as_bytes());
    }
    m.extend_from_slice(&[0, 0, 1, 0, 1]);
    if let Some(ip) = response {
        m.extend_from_slice(&[0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4]);
        m.extend_from_slice(&ip);
    }
    m
}

/// Sends `data` from `src` to `dst` in MSS-sized segments; returns the next sequence.
fn send<W: Write>(
    w: &mut PcapWriter<W>,
    src: ([u8; 4], u16),
    dst: ([u8; 4], u16),
    mut seq: u32,
    ack: u32,
    data: &[u8],
) -> io::Result<u32> {
    for chunk in data.chunks(1448) {
        w.tcp(src, dst, seq, ack, "AP", chunk)?;
        seq = seq.wrapping_add(chunk.len() as u32);
    }
    Ok(seq)
}

/// Writes connections until the file holds at least `target_bytes`; about
/// `plain_percent` % of connections are plaintext HTTP, the rest TLS.
pub fn generate<W: Write>(
    w: &mut PcapWriter<W>,
    target_bytes: u64,
    seed: u64,
    plain_percent: u64,
) -> io::Result<()> {
    let mut rng = Rng::new(seed);
    let phone = [10, 0, 0, 2];
    let resolver = [10, 0, 0, 1];
    let mut port: u16 = 40000;
    let mut id: u16 = 1;
    while w.bytes < target_bytes {
        let host = HOSTS[rng.below(HOSTS.len() as u64) as usize];
        let server = [100, 64, (rng.below(200)) as u8, (rng.below(250) + 1) as u8];
        port = if port >= 65000 { 40000 } else { port + 1 };
        id = id.wrapping_add(1);
        w.udp((phone, port), (resolver, 53), &dns_query(id, host, None))?;
        w.udp(
            (resolver, 53),
            (phone, port),
            &dns_query(id, host, Some(server)),
        )?;
        let plaintext = rng.below(100) < plain_percent;
        let c = (phone, port);
        let s = (server, if plaintext { 80 } else { 443 });
        let (mut cs, mut ss) = (rng.next() as u32, rng.next() as u32);
        w.tcp(c, s, cs, 0, "S", &[])?;
        w.tcp(s, c, ss, cs.wrapping_add(1), "SA", &[])?;
        cs = cs.wrapping_add(1);
        ss = ss.wrapping_add(1);
        w.tcp(c, s, cs, ss, "A", &[])?;
        if plaintext {
            for _ in 0..(1 + rng.below(4)) {
                let body = format!(
                    "{{\"device\":{{\"model\":\"Pixel 7\",\"os\":\"Android 14\",\"android_id\":\"{:016x}\"}},\"events\":[{{\"name\":\"open\",\"ts\":{}}}],\"order_id\":\"{}\",\"price\":12.5}}",
                    rng.next(),
                    1_700_000_000_000u64 + rng.below(1_000_000),
                    rng.below(1_000_000_000)
                );
                let req = format!(
                    "POST /v1/collect?session={} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: okhttp/4.12.0\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
                    rng.next(),
                    body.len()
                );
                cs = send(w, c, s, cs, ss, req.as_bytes())?;
                let resp_body = vec![b'x'; 200 + rng.below(4_000) as usize];
                let resp = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
                    resp_body.len()
                );
                let mut bytes = resp.into_bytes();
                bytes.extend_from_slice(&resp_body);
                ss = send(w, s, c, ss, cs, &bytes)?;
            }
        } else {
            cs = send(w, c, s, cs, ss, &client_hello(host))?;
            ss = send(w, s, c, ss, cs, &server_hello())?;
            let rounds = 1 + rng.below(6);
            for _ in 0..rounds {
                cs = send(
                    w,
                    c,
                    s,
                    cs,
                    ss,
                    &record(23, &vec![0x33; 300 + rng.below(1500) as usize]),
                )?;
                let down = 2_000 + rng.below(120_000) as usize;
                ss = send(w, s, c, ss, cs, &record(23, &vec![0x44; down.min(16_000)]))?;
                let mut left = down.saturating_sub(16_000);
                while left > 0 {
                    let n = left.min(16_000);
                    ss = send(w, s, c, ss, cs, &record(23, &vec![0x44; n]))?;
                    left -= n;
                }
            }
        }
        w.tcp(c, s, cs, ss, "FA", &[])?;
        w.tcp(s, c, ss, cs.wrapping_add(1), "FA", &[])?;
        w.tcp(c, s, cs.wrapping_add(1), ss.wrapping_add(1), "A", &[])?;
    }
    Ok(())
}

/// A pcapng block: type, total length, body, total length again.
fn block<W: Write>(out: &mut W, kind: u32, body: &[u8]) -> io::Result<()> {
    let total = (12 + body.len()) as u32;
    out.write_all(&kind.to_le_bytes())?;
    out.write_all(&total.to_le_bytes())?;
    out.write_all(body)?;
    out.write_all(&total.to_le_bytes())
}
