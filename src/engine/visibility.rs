//! Whether a TLS or QUIC connection's content could be read, and why not: the
//! `decrypted` / `not_decrypted` fields of conn records and the audit's coverage.

use serde::Serialize;

/// Why a TLS connection's content could not be read (or that it was).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TlsVisibility {
    /// Decrypted with the key log.
    Decrypted,
    /// No key log was given.
    NoKeylog,
    /// The key log has no secrets for this client random.
    NoKey,
    /// The negotiated cipher suite is not one this tool decrypts.
    UnsupportedSuite(String),
    /// The capture started after the handshake.
    MidSession,
    /// The server never answered the ClientHello (refused, or a pinned certificate).
    NoServerHello,
    /// The key did not open the records (wrong key, or early data).
    DecryptionFailed,
}

impl TlsVisibility {
    pub fn reason(&self) -> String {
        match self {
            TlsVisibility::Decrypted => "decrypted".into(),
            TlsVisibility::NoKeylog => "no key log given".into(),
            TlsVisibility::NoKey => "no key for this client random in the key log".into(),
            TlsVisibility::UnsupportedSuite(s) => {
                format!("cipher suite {s} is not supported for decryption")
            }
            TlsVisibility::MidSession => "capture started mid-session (no handshake)".into(),
            TlsVisibility::NoServerHello => {
                "handshake never completed (certificate pinning or refusal?)".into()
            }
            TlsVisibility::DecryptionFailed => {
                "the key log's secret did not decrypt the records".into()
            }
        }
    }
}
