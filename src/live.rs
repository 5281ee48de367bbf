//! Live capture through libpcap (the `live` feature): opening an interface with a
//! BPF filter and reading packets without ever blocking, so a quiet network never
//! hangs the reader and Ctrl-C is seen within a few milliseconds.

use crate::time::Timestamp;

#[derive(Debug, thiserror::Error)]
pub enum LiveError {
    #[error("cannot list capture interfaces: {0}")]
    List(pcap::Error),
    #[error(
        "cannot capture on {iface}: {source} (capturing needs root or CAP_NET_RAW: run with sudo, or `sudo setcap cap_net_raw,cap_net_admin=eip $(which privaudit)`)"
    )]
    Open { iface: String, source: pcap::Error },
    #[error("capture filter `{filter}` is not valid BPF: {source}")]
    Filter { filter: String, source: pcap::Error },
    #[error("reading from {iface} failed: {source}")]
    Read { iface: String, source: pcap::Error },
}

/// One interface libpcap can capture on.
#[derive(Debug, Clone)]
pub struct Interface {
    pub name: String,
    pub description: Option<String>,
    pub addresses: Vec<String>,
    pub up: bool,
    pub loopback: bool,
}

pub fn list() -> Result<Vec<Interface>, LiveError> {
    let devices = pcap::Device::list().map_err(LiveError::List)?;
    Ok(devices
        .into_iter()
        .map(|d| Interface {
            addresses: d.addresses.iter().map(|a| a.addr.to_string()).collect(),
            up: d.flags.is_up(),
            loopback: d.flags.is_loopback(),
            name: d.name,
            description: d.desc,
        })
        .collect())
}

pub struct LiveCapture {
    cap: pcap::Capture<pcap::Active>,
    iface: String,
    /// LINKTYPE_* of the interface.
    pub linktype: u32,
}

/// Counters from the kernel, for the summary.
#[derive(Debug, Clone, Copy, Default)]
pub struct LiveStats {
    pub received: u32,
    pub dropped: u32,
    pub if_dropped: u32,
}

impl LiveCapture {
    pub fn open(iface: &str, filter: Option<&str>, snaplen: u32) -> Result<Self, LiveError> {
        let open_err = |source| LiveError::Open {
            iface: iface.to_string(),
            source,
        };
        let cap = pcap::Capture::from_device(iface)
            .map_err(open_err)?
            .promisc(false)
            .snaplen(snaplen.min(i32::MAX as u32) as i32)
            // Immediate mode hands packets over as they arrive instead of when a kernel
            // buffer fills: the live table stays live on a quiet link.
            .immediate_mode(true)
            .timeout(100)
            .open()
            .map_err(open_err)?;
        // A blocking read on Linux can wait forever when traffic stops (the timeout only
        // starts with the first packet), so reads never block; the caller sleeps.
        let mut cap = cap.setnonblock().map_err(open_err)?;
        if let Some(f) = filter {
            cap.filter(f, true).map_err(|source| LiveError::Filter {
                filter: f.to_string(),
                source,
            })?;
        }
        let linktype = cap.get_datalink().0 as u32;
        Ok(LiveCapture {
            cap,
            iface: iface.to_string(),
            linktype,
        })
    }

    /// Hands up to `max` waiting packets to `on_packet` (time, bytes, length on the
    /// wire); returns how many there were. Zero means nothing is waiting right now.
    pub fn poll(
        &mut self,
        max: usize,
        on_packet: &mut dyn FnMut(Timestamp, &[u8], u32),
    ) -> Result<usize, LiveError> {
        let mut n = 0;
        while n < max {
            match self.cap.next_packet() {
                Ok(p) => {
                    // time_t is 32 bits on some targets.
                    #[allow(clippy::useless_conversion)]
                    let ts = Timestamp::from_secs_frac(
                        i64::from(p.header.ts.tv_sec),
                        p.header.ts.tv_usec.max(0) as u64,
                        1_000_000,
                    );
                    on_packet(ts, p.data, p.header.len);
                    n += 1;
                }
                Err(pcap::Error::TimeoutExpired) | Err(pcap::Error::NoMorePackets) => break,
                Err(source) => {
                    return Err(LiveError::Read {
                        iface: self.iface.clone(),
                        source,
                    });
                }
            }
        }
        Ok(n)
    }

    pub fn stats(&mut self) -> LiveStats {
        self.cap
            .stats()
            .map(|s| LiveStats {
                received: s.received,
                dropped: s.dropped,
                if_dropped: s.if_dropped,
            })
            .unwrap_or_default()
    }
}
