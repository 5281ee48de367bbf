//! NSS key log files: `LABEL <client_random> <secret>` lines, hex. TLS 1.2 logs the
//! master secret under CLIENT_RANDOM; TLS 1.3 logs one secret per direction and epoch.

use std::collections::HashMap;
use std::path::Path;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Secrets {
    /// TLS 1.2 (and earlier) master secret.
    pub master: Option<Vec<u8>>,
    pub client_handshake: Option<Vec<u8>>,
    pub server_handshake: Option<Vec<u8>>,
    pub client_traffic0: Option<Vec<u8>>,
    pub server_traffic0: Option<Vec<u8>>,
    pub client_early: Option<Vec<u8>>,
    pub exporter: Option<Vec<u8>>,
}

impl Secrets {
    pub fn has_tls13(&self) -> bool {
        self.server_handshake.is_some() || self.server_traffic0.is_some()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum KeylogError {
    #[error("{path}: cannot read the key log: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
}

/// Secrets by client random.
#[derive(Debug, Clone, Default)]
pub struct KeyStore {
    by_random: HashMap<Vec<u8>, Secrets>,
    /// Lines that were not key-log entries (comments excluded).
    pub bad_lines: usize,
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) || s.len() > 512 {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

impl KeyStore {
    pub fn is_empty(&self) -> bool {
        self.by_random.is_empty()
    }

    pub fn len(&self) -> usize {
        self.by_random.len()
    }

    /// Adds every entry of key-log text; returns how many were read.
    pub fn add_text(&mut self, text: &[u8]) -> usize {
        let text = String::from_utf8_lossy(text);
        let mut added = 0;
        for line in text.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let mut parts = line.split_ascii_whitespace();
            let (Some(label), Some(random), Some(secret)) =
                (parts.next(), parts.next(), parts.next())
            else {
                self.bad_lines += 1;
                continue;
            };
            let (Some(random), Some(secret)) = (unhex(random), unhex(secret)) else {
                self.bad_lines += 1;
                continue;
            };
            if random.len() != 32 {
                self.bad_lines += 1;
                continue;
            }
            let entry = self.by_random.entry(random).or_default();
            let slot = match label {
                "CLIENT_RANDOM" => &mut entry.master,
                "CLIENT_HANDSHAKE_TRAFFIC_SECRET" => &mut entry.client_handshake,
                "SERVER_HANDSHAKE_TRAFFIC_SECRET" => &mut entry.server_handshake,
                "CLIENT_TRAFFIC_SECRET_0" => &mut entry.client_traffic0,
                "SERVER_TRAFFIC_SECRET_0" => &mut entry.server_traffic0,
                "CLIENT_EARLY_TRAFFIC_SECRET" => &mut entry.client_early,
                "EXPORTER_SECRET" => &mut entry.exporter,
                // EARLY_EXPORTER_SECRET and unknown labels are valid lines we do not use.
                _ => continue,
            };
            *slot = Some(secret);
            added += 1;
        }
        added
    }

    pub fn add_file(&mut self, path: &Path) -> Result<usize, KeylogError> {
        let bytes = std::fs::read(path).map_err(|source| KeylogError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Ok(self.add_text(&bytes))
    }

    pub fn get(&self, client_random: &[u8]) -> Option<&Secrets> {
        self.by_random.get(client_random)
    }

    pub fn merge(&mut self, other: &KeyStore) {
        for (k, v) in &other.by_random {
            let e = self.by_random.entry(k.clone()).or_default();
            for (slot, new) in [
                (&mut e.master, &v.master),
                (&mut e.client_handshake, &v.client_handshake),
                (&mut e.server_handshake, &v.server_handshake),
                (&mut e.client_traffic0, &v.client_traffic0),
                (&mut e.server_traffic0, &v.server_traffic0),
                (&mut e.client_early, &v.client_early),
                (&mut e.exporter, &v.exporter),
            ] {
                if slot.is_none() {
                    slot.clone_from(new);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_tls12_and_tls13_lines() {
        let r = "00".repeat(32);
        let text = format!(
            "# comment\nCLIENT_RANDOM {r} {}\nSERVER_HANDSHAKE_TRAFFIC_SECRET {r} {}\ngarbage\nCLIENT_RANDOM zz {}\n",
            "ab".repeat(48),
            "cd".repeat(32),
            "ab".repeat(48)
        );
        let mut ks = KeyStore::default();
        assert_eq!(ks.add_text(text.as_bytes()), 2);
        assert_eq!(ks.bad_lines, 2);
        let s = ks.get(&[0u8; 32]).unwrap();
        assert_eq!(s.master.as_ref().unwrap().len(), 48);
        assert!(s.has_tls13());
    }
}
