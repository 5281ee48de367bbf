//! Seeing inside TLS: key logs (NSS `SSLKEYLOGFILE` format, from files or pcapng
//! Decryption Secrets Blocks), record decryption for TLS 1.2 and 1.3 AEAD suites, and
//! QUIC 1-RTT packet protection from the same TLS 1.3 secrets.

pub mod keylog;
pub mod quic;
pub mod tls;

pub use keylog::KeyStore;
