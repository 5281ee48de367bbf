//! From link-layer frames to transport payloads: link types, IP (with bounded
//! fragment reassembly), and the TCP/UDP flow table with stream reassembly.

pub mod defrag;
pub mod fast;
pub mod flow;
pub mod link;
pub mod packet;
pub mod reassembly;

use std::fmt;
use std::net::{IpAddr, SocketAddr};

/// One side of a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Endpoint {
    pub ip: IpAddr,
    pub port: u16,
}

impl Endpoint {
    pub fn new(ip: IpAddr, port: u16) -> Self {
        Endpoint { ip, port }
    }
}

impl fmt::Display for Endpoint {
    /// `ip:port`, IPv6 in brackets (`[::1]:443`), as the JSON records need.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", SocketAddr::new(self.ip, self.port))
    }
}

/// Which way a packet travels relative to the flow's client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// From the client (the side that opened the connection) to the server.
    Up,
    /// From the server to the client.
    Down,
}
