//! Application protocols, each a parser apart from its state machine (Suricata style):
//! DNS, TLS handshakes (with JA3/JA4), QUIC Initial packets and HTTP/1.x.

pub mod dns;
pub mod fingerprint;
pub mod http1;
pub mod http2;
pub mod quic;
pub mod tls;
mod wire;
