//! Bidirectional flows keyed by the 5-tuple: which side is the client, and the
//! per-direction counters every conn record reports.

use super::{Direction, Endpoint};
use crate::time::Timestamp;

/// A flow key that is the same for both directions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FlowKey {
    lo: Endpoint,
    hi: Endpoint,
    proto: u8,
}

impl FlowKey {
    pub fn new(a: Endpoint, b: Endpoint, proto: u8) -> Self {
        if a <= b {
            FlowKey {
                lo: a,
                hi: b,
                proto,
            }
        } else {
            FlowKey {
                lo: b,
                hi: a,
                proto,
            }
        }
    }
}

/// Ports on which the server side is obvious.
fn is_service_port(port: u16) -> bool {
    matches!(
        port,
        53 | 80 | 443 | 853 | 1080 | 3128 | 5228 | 5353 | 5355 | 8000 | 8080 | 8443 | 8888 | 9443
    ) || port < 1024
}

/// Without a SYN, decide which endpoint of a new flow is the client: the one talking to
/// a service port, else the one on the higher (ephemeral) port.
pub fn guess_client(src: Endpoint, dst: Endpoint) -> bool {
    let (s, d) = (is_service_port(src.port), is_service_port(dst.port));
    match (s, d) {
        (false, true) => true,
        (true, false) => false,
        _ if src.port != dst.port => src.port > dst.port,
        _ => true,
    }
}

/// Counters and identity of one flow.
#[derive(Debug, Clone)]
pub struct FlowStats {
    pub client: Endpoint,
    pub server: Endpoint,
    pub first_frame: u64,
    pub first_ts: Timestamp,
    pub last_ts: Timestamp,
    pub bytes_up: u64,
    pub bytes_down: u64,
    pub packets_up: u64,
    pub packets_down: u64,
}

impl FlowStats {
    pub fn new(client: Endpoint, server: Endpoint, frame: u64, ts: Timestamp) -> Self {
        FlowStats {
            client,
            server,
            first_frame: frame,
            first_ts: ts,
            last_ts: ts,
            bytes_up: 0,
            bytes_down: 0,
            packets_up: 0,
            packets_down: 0,
        }
    }

    pub fn direction_of(&self, src: Endpoint) -> Direction {
        if src == self.client {
            Direction::Up
        } else {
            Direction::Down
        }
    }

    pub fn count(&mut self, dir: Direction, payload: usize, ts: Timestamp) {
        match dir {
            Direction::Up => {
                self.packets_up += 1;
                self.bytes_up += payload as u64;
            }
            Direction::Down => {
                self.packets_down += 1;
                self.bytes_down += payload as u64;
            }
        }
        if ts > self.last_ts {
            self.last_ts = ts;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ep(s: &str) -> Endpoint {
        let sa: std::net::SocketAddr = s.parse().unwrap();
        Endpoint::new(sa.ip(), sa.port())
    }

    #[test]
    fn key_is_direction_independent() {
        let a = ep("10.0.0.1:50000");
        let b = ep("1.1.1.1:443");
        assert_eq!(FlowKey::new(a, b, 6), FlowKey::new(b, a, 6));
        assert_ne!(FlowKey::new(a, b, 6), FlowKey::new(a, b, 17));
    }

    #[test]
    fn client_is_the_ephemeral_side() {
        assert!(guess_client(ep("10.0.0.1:50000"), ep("1.1.1.1:443")));
        assert!(!guess_client(ep("1.1.1.1:443"), ep("10.0.0.1:50000")));
        assert!(guess_client(ep("10.0.0.1:50000"), ep("10.0.0.2:29518")));
        assert!(guess_client(ep("10.0.0.1:53000"), ep("10.0.0.2:53")));
    }
}
