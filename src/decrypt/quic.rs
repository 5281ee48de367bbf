//! QUIC 1-RTT packet protection (RFC 9001 §5, QUIC v2 labels per RFC 9369): packet
//! keys derived from the key log's TLS 1.3 application traffic secrets, header
//! protection removal (AES or ChaCha20), packet number reconstruction (RFC 9000 A.3)
//! and key updates signalled by the key phase bit. Only opening is done here; what the
//! payload means is `proto::quic`'s business.

use aes::cipher::{BlockCipherEncrypt, KeyInit};
use chacha20::cipher::{KeyIvInit, StreamCipher, StreamCipherSeek};

use super::tls::{Aead_, Cipher, Suite, expand_label};

/// The header protection cipher of one direction (unchanged by key updates).
enum HeaderProtection {
    Aes128(Box<aes::Aes128>),
    Aes256(Box<aes::Aes256>),
    ChaCha([u8; 32]),
}

impl HeaderProtection {
    fn new(cipher: Cipher, key: &[u8]) -> Option<Self> {
        Some(match cipher {
            Cipher::Aes128Gcm => Self::Aes128(Box::new(aes::Aes128::new_from_slice(key).ok()?)),
            Cipher::Aes256Gcm => Self::Aes256(Box::new(aes::Aes256::new_from_slice(key).ok()?)),
            Cipher::ChaCha20Poly1305 => Self::ChaCha(key.try_into().ok()?),
            Cipher::Aes128Cbc(_) | Cipher::Aes256Cbc(_) => return None,
        })
    }

    /// The five mask bytes for a 16-byte ciphertext sample (RFC 9001 §5.4.3/§5.4.4).
    fn mask(&self, sample: &[u8; 16]) -> [u8; 5] {
        let mut out = [0u8; 5];
        match self {
            Self::Aes128(c) => {
                let mut block = aes::Block::default();
                block.copy_from_slice(sample);
                c.encrypt_block(&mut block);
                out.copy_from_slice(&block[..5]);
            }
            Self::Aes256(c) => {
                let mut block = aes::Block::default();
                block.copy_from_slice(sample);
                c.encrypt_block(&mut block);
                out.copy_from_slice(&block[..5]);
            }
            Self::ChaCha(key) => {
                // The first four sample bytes are the block counter (little endian), the
                // other twelve the nonce; the mask is the keystream over five zero bytes.
                let counter = u32::from_le_bytes([sample[0], sample[1], sample[2], sample[3]]);
                let mut nonce = [0u8; 12];
                nonce.copy_from_slice(&sample[4..16]);
                let mut c = chacha20::ChaCha20::new(&(*key).into(), &nonce.into());
                c.seek(u64::from(counter) * 64);
                c.apply_keystream(&mut out);
            }
        }
        out
    }
}

/// AEAD key and IV of one key phase.
struct PacketKeys {
    aead: Aead_,
    iv: [u8; 12],
}

impl PacketKeys {
    fn derive(suite: Suite, secret: &[u8], v2: bool) -> Option<PacketKeys> {
        let prefix = if v2 { "quicv2 " } else { "quic " };
        let key = expand_label(
            secret,
            &format!("{prefix}key"),
            suite.cipher.key_len(),
            suite.sha384,
        )?;
        let iv = expand_label(secret, &format!("{prefix}iv"), 12, suite.sha384)?;
        Some(PacketKeys {
            aead: Aead_::new(suite.cipher, &key)?,
            iv: iv.try_into().ok()?,
        })
    }

    fn open(&self, pn: u64, header: &[u8], ciphertext: &[u8]) -> Option<Vec<u8>> {
        let mut nonce = self.iv;
        for (i, b) in pn.to_be_bytes().iter().enumerate() {
            nonce[4 + i] ^= b;
        }
        self.aead.open(&nonce, ciphertext, header)
    }
}

/// A decrypted short-header packet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenedPacket {
    pub packet_number: u64,
    /// The unprotected header (first byte and packet number in clear).
    pub header: Vec<u8>,
    pub payload: Vec<u8>,
}

/// 1-RTT packet protection state for one direction of a connection.
pub struct OneRttKeys {
    suite: Suite,
    v2: bool,
    hp: HeaderProtection,
    /// The secret of the current key phase; the next one derives from it ("quic ku").
    secret: Vec<u8>,
    current: PacketKeys,
    phase: bool,
    /// Keys of the phase before the last update, for packets reordered across it.
    previous: Option<PacketKeys>,
    next: Option<(Vec<u8>, PacketKeys)>,
    largest: Option<u64>,
    pub key_updates: u32,
}

impl std::fmt::Debug for OneRttKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "OneRttKeys(suite {:#06x})", self.suite.id)
    }
}

/// Key updates followed per direction: each costs one HKDF and an AEAD key, and a
/// hostile capture could otherwise flip the phase bit on every packet.
const MAX_KEY_UPDATES: u32 = 1024;

impl OneRttKeys {
    /// Keys from a TLS 1.3 traffic secret (CLIENT_/SERVER_TRAFFIC_SECRET_0). `v2`
    /// selects the QUIC v2 labels. None for suites QUIC does not use.
    pub fn new(suite: Suite, secret: &[u8], v2: bool) -> Option<OneRttKeys> {
        if !suite.tls13 {
            return None;
        }
        let prefix = if v2 { "quicv2 " } else { "quic " };
        let hp_key = expand_label(
            secret,
            &format!("{prefix}hp"),
            suite.cipher.key_len(),
            suite.sha384,
        )?;
        Some(OneRttKeys {
            suite,
            v2,
            hp: HeaderProtection::new(suite.cipher, &hp_key)?,
            secret: secret.to_vec(),
            current: PacketKeys::derive(suite, secret, v2)?,
            phase: false,
            previous: None,
            next: None,
            largest: None,
            key_updates: 0,
        })
    }

    fn next_secret(&self) -> Option<Vec<u8>> {
        let label = if self.v2 { "quicv2 ku" } else { "quic ku" };
        let len = if self.suite.sha384 { 48 } else { 32 };
        expand_label(&self.secret, label, len, self.suite.sha384)
    }

    /// Sets the largest packet number seen so far (tests; captures starting late).
    pub fn set_largest(&mut self, pn: u64) {
        self.largest = Some(pn);
    }

    /// Removes header protection from and decrypts one short-header packet whose
    /// Destination Connection ID is `dcid_len` bytes long. The packet fills the rest of
    /// its datagram (short headers have no length field).
    pub fn open(&mut self, packet: &[u8], dcid_len: usize) -> Option<OpenedPacket> {
        let first = *packet.first()?;
        if first & 0x80 != 0 {
            return None;
        }
        let pn_offset = 1 + dcid_len;
        let sample: &[u8; 16] = packet.get(pn_offset + 4..pn_offset + 20)?.try_into().ok()?;
        let mask = self.hp.mask(sample);
        let first = first ^ (mask[0] & 0x1f);
        let pn_len = usize::from(first & 0x03) + 1;
        let mut header = packet.get(..pn_offset + pn_len)?.to_vec();
        header[0] = first;
        let mut truncated: u64 = 0;
        for i in 0..pn_len {
            header[pn_offset + i] ^= mask[1 + i];
            truncated = (truncated << 8) | u64::from(header[pn_offset + i]);
        }
        let pn = decode_packet_number(self.largest, truncated, pn_len as u32 * 8);
        let ciphertext = packet.get(pn_offset + pn_len..)?;
        let phase = first & 0x04 != 0;
        let payload = if phase == self.phase {
            self.current.open(pn, &header, ciphertext)?
        } else {
            // Either a packet from before the last update, or the peer's next phase.
            if let Some(plain) = self
                .previous
                .as_ref()
                .and_then(|k| k.open(pn, &header, ciphertext))
            {
                plain
            } else {
                if self.key_updates >= MAX_KEY_UPDATES {
                    return None;
                }
                if self.next.is_none() {
                    let secret = self.next_secret()?;
                    let keys = PacketKeys::derive(self.suite, &secret, self.v2)?;
                    self.next = Some((secret, keys));
                }
                let (_, keys) = self.next.as_ref()?;
                let plain = keys.open(pn, &header, ciphertext)?;
                let (secret, keys) = self.next.take()?;
                self.previous = Some(std::mem::replace(&mut self.current, keys));
                self.secret = secret;
                self.phase = phase;
                self.key_updates += 1;
                plain
            }
        };
        self.largest = Some(self.largest.map_or(pn, |l| l.max(pn)));
        Some(OpenedPacket {
            packet_number: pn,
            header,
            payload,
        })
    }
}

/// Reconstructs a full packet number from its truncated form (RFC 9000 Appendix A.3).
pub fn decode_packet_number(largest: Option<u64>, truncated: u64, bits: u32) -> u64 {
    let expected = largest.map_or(0, |l| l.saturating_add(1));
    let win = 1u64 << bits.min(32);
    let hwin = win / 2;
    let mask = win - 1;
    let candidate = (expected & !mask) | (truncated & mask);
    if candidate.saturating_add(hwin) <= expected && candidate < (1u64 << 62) - win {
        candidate + win
    } else if candidate > expected.saturating_add(hwin) && candidate >= win {
        candidate - win
    } else {
        candidate
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::wire::unhex;

    #[test]
    fn rfc9000_a3_packet_number_decoding() {
        // RFC 9000 A.3: largest 0xa82f30ea, 16-bit truncated 0x9b32.
        assert_eq!(
            decode_packet_number(Some(0xa82f30ea), 0x9b32, 16),
            0xa82f9b32
        );
        // No packet seen yet: the number is taken as is.
        assert_eq!(decode_packet_number(None, 5, 8), 5);
        // Wrap forwards across the window.
        assert_eq!(decode_packet_number(Some(0xfe), 0x01, 8), 0x101);
    }

    #[test]
    fn rfc9001_a5_chacha20_short_header() {
        // RFC 9001 A.5: a ChaCha20-Poly1305 short-header packet with an empty DCID.
        let secret = unhex("9ac312a7f877468ebe69422748ad00a15443f18203a07d6060f688f30f21632b");
        let suite = crate::decrypt::tls::suite(0x1303).unwrap();
        assert_eq!(
            expand_label(&secret, "quic key", 32, false).unwrap(),
            unhex("c6d98ff3441c3fe1b2182094f69caa2ed4b716b65488960a7a984979fb23e1c8")
        );
        assert_eq!(
            expand_label(&secret, "quic iv", 12, false).unwrap(),
            unhex("e0459b3474bdd0e44a41c144")
        );
        assert_eq!(
            expand_label(&secret, "quic hp", 32, false).unwrap(),
            unhex("25a282b9e82f06f21f488917a4fc8f1b73573685608597d0efcb076b0ab7a7a4")
        );
        assert_eq!(
            expand_label(&secret, "quic ku", 32, false).unwrap(),
            unhex("1223504755036d556342ee9361d253421a826c9ecdf3c7148684b36b714881f9")
        );
        let mut keys = OneRttKeys::new(suite, &secret, false).unwrap();
        let sample: [u8; 16] = unhex("5e5cd55c41f69080575d7999c25a5bfb")
            .try_into()
            .unwrap();
        assert_eq!(keys.hp.mask(&sample).to_vec(), unhex("aefefe7d03"));
        keys.set_largest(654_360_563);
        let packet = unhex("4cfe4189655e5cd55c41f69080575d7999c25a5bfb");
        let opened = keys.open(&packet, 0).unwrap();
        assert_eq!(opened.packet_number, 654_360_564);
        assert_eq!(opened.header, unhex("4200bff4"));
        assert_eq!(opened.payload, vec![0x01]);
    }

    #[test]
    fn rfc9369_a5_chacha20_short_header_v2() {
        // RFC 9369 A.5: the same secret and packet number as RFC 9001 A.5, v2 labels.
        let secret = unhex("9ac312a7f877468ebe69422748ad00a15443f18203a07d6060f688f30f21632b");
        let suite = crate::decrypt::tls::suite(0x1303).unwrap();
        let mut keys = OneRttKeys::new(suite, &secret, true).unwrap();
        keys.set_largest(654_360_563);
        let packet = unhex("5558b1c60ae7b6b932bc27d786f4bc2bb20f2162ba");
        let opened = keys.open(&packet, 0).unwrap();
        assert_eq!(opened.packet_number, 654_360_564);
        assert_eq!(opened.header, unhex("4200bff4"));
        assert_eq!(opened.payload, vec![0x01]);
        // The v1 labels do not open it.
        let mut v1 = OneRttKeys::new(suite, &secret, false).unwrap();
        v1.set_largest(654_360_563);
        assert!(v1.open(&packet, 0).is_none());
    }

    /// Seals a short-header packet (empty DCID, 2-byte packet number) the way a sender
    /// would: AES-GCM payload, then header protection with `keys`' mask.
    fn seal(keys: &OneRttKeys, secret: &[u8], pn: u16, phase: bool, payload: &[u8]) -> Vec<u8> {
        use aes_gcm::aead::{Aead, KeyInit as _, Payload};
        let sha384 = keys.suite.sha384;
        let key = expand_label(secret, "quic key", keys.suite.cipher.key_len(), sha384).unwrap();
        let iv = expand_label(secret, "quic iv", 12, sha384).unwrap();
        let mut header = vec![0x41 | if phase { 0x04 } else { 0 }];
        header.extend_from_slice(&pn.to_be_bytes());
        let mut nonce = [0u8; 12];
        nonce.copy_from_slice(&iv);
        for (i, b) in u64::from(pn).to_be_bytes().iter().enumerate() {
            nonce[4 + i] ^= b;
        }
        let msg = Payload {
            msg: payload,
            aad: &header,
        };
        let sealed = if key.len() == 16 {
            aes_gcm::Aes128Gcm::new_from_slice(&key)
                .unwrap()
                .encrypt(&nonce.into(), msg)
        } else {
            aes_gcm::Aes256Gcm::new_from_slice(&key)
                .unwrap()
                .encrypt(&nonce.into(), msg)
        }
        .unwrap();
        let mut packet = header;
        packet.extend_from_slice(&sealed);
        let sample: [u8; 16] = packet[1 + 4..1 + 20].try_into().unwrap();
        let mask = keys.hp.mask(&sample);
        packet[0] ^= mask[0] & 0x1f;
        packet[1] ^= mask[1];
        packet[2] ^= mask[2];
        packet
    }

    #[test]
    fn key_update_follows_the_phase_bit() {
        // AES-128-GCM over SHA-256 and AES-256-GCM over SHA-384 (48-byte secrets).
        for (id, len) in [(0x1301u16, 32usize), (0x1302, 48)] {
            let secret = vec![7u8; len];
            let suite = crate::decrypt::tls::suite(id).unwrap();
            let mut keys = OneRttKeys::new(suite, &secret, false).unwrap();
            let next = expand_label(&secret, "quic ku", len, suite.sha384).unwrap();
            let p0 = seal(&keys, &secret, 1, false, b"\x01before-update");
            let p1 = seal(&keys, &next, 2, true, b"\x01after-update!!");
            assert_eq!(keys.open(&p0, 0).unwrap().payload, b"\x01before-update");
            let opened = keys.open(&p1, 0).unwrap();
            assert_eq!(opened.payload, b"\x01after-update!!");
            assert_eq!(opened.packet_number, 2);
            assert_eq!(keys.key_updates, 1);
            // A packet of the old phase, reordered after the update, still opens.
            assert_eq!(keys.open(&p0, 0).unwrap().payload, b"\x01before-update");
            assert_eq!(keys.key_updates, 1);
        }
    }

    #[test]
    fn hostile_short_packets_do_not_update_keys() {
        let secret = [7u8; 32];
        let suite = crate::decrypt::tls::suite(0x1301).unwrap();
        let mut keys = OneRttKeys::new(suite, &secret, false).unwrap();
        // Hostile input: a packet with the other phase that opens with nothing.
        let junk = [0x44u8; 40];
        assert!(keys.open(&junk, 0).is_none());
        assert_eq!(keys.key_updates, 0);
        assert!(keys.open(&[0x40, 1, 2], 0).is_none());
        assert!(keys.open(&[], 8).is_none());
    }
}
