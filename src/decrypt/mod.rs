//! Seeing inside TLS: key logs (NSS `SSLKEYLOGFILE` format, from files or pcapng
//! Decryption Secrets Blocks) and record decryption for TLS 1.2 and 1.3 AEAD suites.

pub mod keylog;
pub mod tls;

pub use keylog::KeyStore;
