//! Application protocols, each a parser apart from its state machine (Suricata style):
//! DNS, TLS handshakes (with JA3/JA4), QUIC packets and frames, HTTP/1.x, HTTP/2 and
//! HTTP/3 with QPACK.

pub mod dns;
pub mod fingerprint;
pub mod http1;
pub mod http2;
pub mod http3;
pub mod qpack;
pub mod quic;
pub mod tls;
pub(crate) mod wire;
