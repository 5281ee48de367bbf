//! TLS record decryption from key-log secrets: TLS 1.2 (AES-GCM and ChaCha20-Poly1305
//! with the PRF over SHA-256/384) and TLS 1.3 (all three AEAD suites, handshake and
//! application epochs, KeyUpdate). Ciphers are RustCrypto's; only nonce, AAD and key
//! schedule are assembled here.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use hmac::Mac;
use sha2::{Sha256, Sha384};

/// A TLS cipher suite we can open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Suite {
    pub id: u16,
    pub cipher: Cipher,
    pub sha384: bool,
    pub tls13: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cipher {
    Aes128Gcm,
    Aes256Gcm,
    ChaCha20Poly1305,
    /// AES-CBC with HMAC (TLS 1.0-1.2): key size and MAC hash.
    Aes128Cbc(MacHash),
    Aes256Cbc(MacHash),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MacHash {
    Sha1,
    Sha256,
    Sha384,
}

impl MacHash {
    fn len(self) -> usize {
        match self {
            MacHash::Sha1 => 20,
            MacHash::Sha256 => 32,
            MacHash::Sha384 => 48,
        }
    }
}

impl Cipher {
    pub(crate) fn key_len(self) -> usize {
        match self {
            Cipher::Aes128Gcm | Cipher::Aes128Cbc(_) => 16,
            Cipher::Aes256Gcm | Cipher::ChaCha20Poly1305 | Cipher::Aes256Cbc(_) => 32,
        }
    }
}

/// The suites this decryptor supports; others are reported as unsupported.
pub fn suite(id: u16) -> Option<Suite> {
    let (cipher, sha384, tls13) = match id {
        0x1301 => (Cipher::Aes128Gcm, false, true),
        0x1302 => (Cipher::Aes256Gcm, true, true),
        0x1303 => (Cipher::ChaCha20Poly1305, false, true),
        0xc02b | 0xc02f | 0x009c | 0x009e | 0x00a2 | 0xc0a0 => (Cipher::Aes128Gcm, false, false),
        0xc02c | 0xc030 | 0x009d | 0x009f | 0x00a3 => (Cipher::Aes256Gcm, true, false),
        0xcca8..=0xccaa => (Cipher::ChaCha20Poly1305, false, false),
        0x002f | 0xc009 | 0xc013 | 0x0033 => (Cipher::Aes128Cbc(MacHash::Sha1), false, false),
        0x0035 | 0xc00a | 0xc014 | 0x0039 => (Cipher::Aes256Cbc(MacHash::Sha1), false, false),
        0x003c | 0xc023 | 0xc027 | 0x0067 => (Cipher::Aes128Cbc(MacHash::Sha256), false, false),
        0x003d | 0x006b => (Cipher::Aes256Cbc(MacHash::Sha256), false, false),
        0xc024 | 0xc028 => (Cipher::Aes256Cbc(MacHash::Sha384), true, false),
        _ => return None,
    };
    Some(Suite {
        id,
        cipher,
        sha384,
        tls13,
    })
}

pub(crate) enum Aead_ {
    Aes128(Box<aes_gcm::Aes128Gcm>),
    Aes256(Box<aes_gcm::Aes256Gcm>),
    ChaCha(Box<chacha20poly1305::ChaCha20Poly1305>),
    Cbc(Box<CbcKeys>),
}

/// AES-CBC with HMAC (MAC-then-encrypt, or encrypt-then-MAC when negotiated).
pub(crate) struct CbcKeys {
    aes128: Option<aes::Aes128>,
    aes256: Option<aes::Aes256>,
    mac_key: Vec<u8>,
    mac: MacHash,
    encrypt_then_mac: bool,
}

impl CbcKeys {
    fn decrypt_blocks(&self, iv: &[u8], data: &mut [u8]) -> Option<()> {
        use aes::cipher::BlockCipherDecrypt;
        if !data.len().is_multiple_of(16) || iv.len() != 16 {
            return None;
        }
        let mut prev: [u8; 16] = iv.try_into().ok()?;
        for chunk in data.chunks_exact_mut(16) {
            let saved: [u8; 16] = (&*chunk).try_into().ok()?;
            let mut block = aes::Block::default();
            block.copy_from_slice(chunk);
            match (&self.aes128, &self.aes256) {
                (Some(c), _) => c.decrypt_block(&mut block),
                (None, Some(c)) => c.decrypt_block(&mut block),
                _ => return None,
            }
            for (i, b) in chunk.iter_mut().enumerate() {
                *b = block[i] ^ prev[i];
            }
            prev = saved;
        }
        Some(())
    }

    fn mac(&self, parts: &[&[u8]]) -> Option<Vec<u8>> {
        match self.mac {
            MacHash::Sha1 => {
                let mut m =
                    <hmac::Hmac<sha1::Sha1> as hmac::KeyInit>::new_from_slice(&self.mac_key)
                        .ok()?;
                for p in parts {
                    m.update(p);
                }
                Some(m.finalize().into_bytes().to_vec())
            }
            MacHash::Sha256 => hmac(false, &self.mac_key, parts),
            MacHash::Sha384 => hmac(true, &self.mac_key, parts),
        }
    }

    /// Opens one TLS 1.1/1.2 CBC record (explicit IV first); checks padding and MAC.
    fn open(&self, seq: u64, content_type: u8, version: u16, fragment: &[u8]) -> Option<Vec<u8>> {
        let mac_len = self.mac.len();
        let header = |len: usize| {
            [
                &seq.to_be_bytes()[..],
                &[content_type],
                &version.to_be_bytes(),
                &(len as u16).to_be_bytes(),
            ]
            .concat()
        };
        if self.encrypt_then_mac {
            let body_len = fragment.len().checked_sub(mac_len)?;
            let (body, tag) = fragment.split_at(body_len);
            if self.mac(&[&header(body.len()), body])? != tag {
                return None;
            }
            let (iv, ct) = body.split_at_checked(16)?;
            let mut data = ct.to_vec();
            self.decrypt_blocks(iv, &mut data)?;
            let pad = *data.last()? as usize;
            let len = data.len().checked_sub(pad + 1)?;
            data.truncate(len);
            return Some(data);
        }
        let (iv, ct) = fragment.split_at_checked(16)?;
        let mut data = ct.to_vec();
        self.decrypt_blocks(iv, &mut data)?;
        let pad = *data.last()? as usize;
        let content_len = data.len().checked_sub(pad + 1 + mac_len)?;
        if data[content_len + mac_len..data.len() - 1]
            .iter()
            .any(|b| *b as usize != pad)
        {
            return None;
        }
        let (content, rest) = data.split_at(content_len);
        let tag = &rest[..mac_len];
        if self.mac(&[&header(content.len()), content])? != tag {
            return None;
        }
        Some(content.to_vec())
    }
}

impl Aead_ {
    pub(crate) fn new(cipher: Cipher, key: &[u8]) -> Option<Aead_> {
        Some(match cipher {
            Cipher::Aes128Gcm => {
                Aead_::Aes128(Box::new(aes_gcm::Aes128Gcm::new_from_slice(key).ok()?))
            }
            Cipher::Aes256Gcm => {
                Aead_::Aes256(Box::new(aes_gcm::Aes256Gcm::new_from_slice(key).ok()?))
            }
            Cipher::ChaCha20Poly1305 => Aead_::ChaCha(Box::new(
                chacha20poly1305::ChaCha20Poly1305::new_from_slice(key).ok()?,
            )),
            // CBC keys are built by `DirectionKeys::tls12`, which also has the MAC key.
            Cipher::Aes128Cbc(_) | Cipher::Aes256Cbc(_) => return None,
        })
    }

    pub(crate) fn open(&self, nonce: &[u8; 12], msg: &[u8], aad: &[u8]) -> Option<Vec<u8>> {
        let payload = Payload { msg, aad };
        match self {
            Aead_::Aes128(c) => c.decrypt(&(*nonce).into(), payload).ok(),
            Aead_::Aes256(c) => c.decrypt(&(*nonce).into(), payload).ok(),
            Aead_::ChaCha(c) => c.decrypt(&(*nonce).into(), payload).ok(),
            Aead_::Cbc(_) => None,
        }
    }
}

/// HKDF-Expand-Label (RFC 8446 §7.1) with an empty context, over SHA-256 or SHA-384.
pub fn expand_label(secret: &[u8], label: &str, len: usize, sha384: bool) -> Option<Vec<u8>> {
    let full = format!("tls13 {label}");
    let mut info = Vec::with_capacity(4 + full.len());
    info.extend_from_slice(&(len as u16).to_be_bytes());
    info.push(full.len() as u8);
    info.extend_from_slice(full.as_bytes());
    info.push(0);
    let mut out = vec![0u8; len];
    if sha384 {
        hkdf::Hkdf::<Sha384>::from_prk(secret)
            .ok()?
            .expand(&info, &mut out)
            .ok()?;
    } else {
        hkdf::Hkdf::<Sha256>::from_prk(secret)
            .ok()?
            .expand(&info, &mut out)
            .ok()?;
    }
    Some(out)
}

fn hmac(sha384: bool, key: &[u8], parts: &[&[u8]]) -> Option<Vec<u8>> {
    if sha384 {
        let mut m = <hmac::Hmac<Sha384> as hmac::KeyInit>::new_from_slice(key).ok()?;
        for p in parts {
            m.update(p);
        }
        Some(m.finalize().into_bytes().to_vec())
    } else {
        let mut m = <hmac::Hmac<Sha256> as hmac::KeyInit>::new_from_slice(key).ok()?;
        for p in parts {
            m.update(p);
        }
        Some(m.finalize().into_bytes().to_vec())
    }
}

/// The TLS 1.2 PRF (RFC 5246 §5): P_SHA256 or P_SHA384.
pub fn prf12(
    secret: &[u8],
    label: &[u8],
    seed: &[u8],
    len: usize,
    sha384: bool,
) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(len + 48);
    let mut a = hmac(sha384, secret, &[label, seed])?;
    while out.len() < len {
        out.extend(hmac(sha384, secret, &[&a, label, seed])?);
        a = hmac(sha384, secret, &[&a])?;
    }
    out.truncate(len);
    Some(out)
}

/// Keys for one direction of one epoch, with its record sequence number.
pub struct DirectionKeys {
    aead: Aead_,
    iv: [u8; 12],
    /// TLS 1.2 AES-GCM: 4-byte implicit IV plus an explicit 8-byte nonce per record.
    explicit_nonce: bool,
    tls13: bool,
    pub seq: u64,
    /// TLS 1.3: the traffic secret, for KeyUpdate.
    secret: Option<Vec<u8>>,
    suite: Suite,
}

impl std::fmt::Debug for DirectionKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DirectionKeys(seq {})", self.seq)
    }
}

/// A decrypted record.
#[derive(Debug, PartialEq, Eq)]
pub struct Plain {
    /// The real content type (TLS 1.3 hides it inside the ciphertext).
    pub content_type: u8,
    pub data: Vec<u8>,
}

impl DirectionKeys {
    /// TLS 1.3 keys from a traffic secret.
    pub fn tls13(suite: Suite, secret: &[u8]) -> Option<DirectionKeys> {
        let key = expand_label(secret, "key", suite.cipher.key_len(), suite.sha384)?;
        let iv = expand_label(secret, "iv", 12, suite.sha384)?;
        Some(DirectionKeys {
            aead: Aead_::new(suite.cipher, &key)?,
            iv: iv.try_into().ok()?,
            explicit_nonce: false,
            tls13: true,
            seq: 0,
            secret: Some(secret.to_vec()),
            suite,
        })
    }

    /// TLS 1.2 keys for both directions from the master secret: (client, server).
    pub fn tls12(
        suite: Suite,
        master: &[u8],
        client_random: &[u8],
        server_random: &[u8],
        encrypt_then_mac: bool,
    ) -> Option<(DirectionKeys, DirectionKeys)> {
        if let Cipher::Aes128Cbc(mac) | Cipher::Aes256Cbc(mac) = suite.cipher {
            let key_len = suite.cipher.key_len();
            let mac_len = mac.len();
            let seed = [server_random, client_random].concat();
            let block = prf12(
                master,
                b"key expansion",
                &seed,
                2 * mac_len + 2 * key_len,
                suite.sha384,
            )?;
            let (cmac, rest) = block.split_at(mac_len);
            let (smac, rest) = rest.split_at(mac_len);
            let (ck, sk) = rest.split_at(key_len);
            let make = |mac_key: &[u8], key: &[u8]| -> Option<DirectionKeys> {
                use aes::cipher::KeyInit as _;
                let cbc = CbcKeys {
                    aes128: (key_len == 16)
                        .then(|| aes::Aes128::new_from_slice(key).ok())
                        .flatten(),
                    aes256: (key_len == 32)
                        .then(|| aes::Aes256::new_from_slice(key).ok())
                        .flatten(),
                    mac_key: mac_key.to_vec(),
                    mac,
                    encrypt_then_mac,
                };
                Some(DirectionKeys {
                    aead: Aead_::Cbc(Box::new(cbc)),
                    iv: [0; 12],
                    explicit_nonce: false,
                    tls13: false,
                    seq: 0,
                    secret: None,
                    suite,
                })
            };
            return Some((make(cmac, ck)?, make(smac, sk)?));
        }
        let key_len = suite.cipher.key_len();
        let iv_len = if suite.cipher == Cipher::ChaCha20Poly1305 {
            12
        } else {
            4
        };
        let seed = [server_random, client_random].concat();
        let block = prf12(
            master,
            b"key expansion",
            &seed,
            2 * key_len + 2 * iv_len,
            suite.sha384,
        )?;
        let (ck, rest) = block.split_at(key_len);
        let (sk, rest) = rest.split_at(key_len);
        let (civ, siv) = rest.split_at(iv_len);
        let make = |key: &[u8], iv: &[u8]| -> Option<DirectionKeys> {
            let mut full = [0u8; 12];
            full[..iv.len()].copy_from_slice(iv);
            Some(DirectionKeys {
                aead: Aead_::new(suite.cipher, key)?,
                iv: full,
                explicit_nonce: iv_len == 4,
                tls13: false,
                seq: 0,
                secret: None,
                suite,
            })
        };
        Some((make(ck, civ)?, make(sk, siv)?))
    }

    /// Decrypts one record (header fields and fragment).
    pub fn open(&mut self, content_type: u8, version: u16, fragment: &[u8]) -> Option<Plain> {
        let seq = self.seq;
        if let Aead_::Cbc(cbc) = &self.aead {
            let data = cbc.open(seq, content_type, version, fragment)?;
            self.seq += 1;
            return Some(Plain { content_type, data });
        }
        let mut nonce = self.iv;
        let ciphertext;
        let aad: Vec<u8>;
        if self.explicit_nonce {
            let explicit = fragment.get(..8)?;
            nonce[4..].copy_from_slice(explicit);
            ciphertext = &fragment[8..];
            let plain_len = ciphertext.len().checked_sub(16)?;
            aad = [
                &seq.to_be_bytes()[..],
                &[content_type],
                &version.to_be_bytes(),
                &(plain_len as u16).to_be_bytes(),
            ]
            .concat();
        } else {
            for (i, b) in seq.to_be_bytes().iter().enumerate() {
                nonce[4 + i] ^= b;
            }
            ciphertext = fragment;
            if self.tls13 {
                aad = [
                    &[content_type][..],
                    &version.to_be_bytes(),
                    &(fragment.len() as u16).to_be_bytes(),
                ]
                .concat();
            } else {
                let plain_len = ciphertext.len().checked_sub(16)?;
                aad = [
                    &seq.to_be_bytes()[..],
                    &[content_type],
                    &version.to_be_bytes(),
                    &(plain_len as u16).to_be_bytes(),
                ]
                .concat();
            }
        }
        let mut data = self.aead.open(&nonce, ciphertext, &aad)?;
        self.seq += 1;
        if self.tls13 {
            // TLSInnerPlaintext: content, then the real type, then zero padding.
            let end = data.iter().rposition(|b| *b != 0)?;
            let inner_type = data[end];
            data.truncate(end);
            Some(Plain {
                content_type: inner_type,
                data,
            })
        } else {
            Some(Plain { content_type, data })
        }
    }

    /// TLS 1.3 KeyUpdate: the next generation of this direction's secret.
    pub fn update(&mut self) -> Option<()> {
        let secret = self.secret.as_ref()?;
        let len = if self.suite.sha384 { 48 } else { 32 };
        let next = expand_label(secret, "traffic upd", len, self.suite.sha384)?;
        *self = DirectionKeys::tls13(self.suite, &next)?;
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prf_matches_a_published_vector() {
        // A widely used TLS 1.2 PRF-SHA256 test vector (secret, "test label", seed).
        let secret = [
            0x9b, 0xbe, 0x43, 0x6b, 0xa9, 0x40, 0xf0, 0x17, 0xb1, 0x76, 0x52, 0x84, 0x9a, 0x71,
            0xdb, 0x35,
        ];
        let seed = [
            0xa0, 0xba, 0x9f, 0x93, 0x6c, 0xda, 0x31, 0x18, 0x27, 0xa6, 0xf7, 0x96, 0xff, 0xd5,
            0x19, 0x8c,
        ];
        let out = prf12(&secret, b"test label", &seed, 16, false).unwrap();
        assert_eq!(
            out,
            [
                0xe3, 0xf2, 0x29, 0xba, 0x72, 0x7b, 0xe1, 0x7b, 0x8d, 0x12, 0x26, 0x20, 0x55, 0x7c,
                0xd4, 0x53
            ]
        );
    }

    #[test]
    fn suites() {
        assert!(suite(0x1302).unwrap().sha384);
        assert!(!suite(0xc02f).unwrap().tls13);
        // AES-CBC with HMAC (RSA key exchange: the key log holds the master secret).
        assert!(suite(0x002f).is_some());
        // 3DES and RC4 are not decrypted.
        assert!(suite(0x000a).is_none());
        assert!(suite(0x0005).is_none());
    }
}
