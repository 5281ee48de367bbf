//! The proxy's local certificate authority: created on first use in a folder of its
//! own, loaded afterwards, and used to mint one leaf certificate per intercepted host.
//!
//! The CA's distinguished name is derived from its public key, so the issuer of every
//! leaf can be rebuilt from the key file alone (no X.509 parser needed), and a
//! replaced or mismatched certificate file is caught by verifying a test leaf
//! against it at load time.

use std::collections::HashMap;
use std::fs;
use std::io::Write as _;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose, SanType, SerialNumber,
};
use rustls::client::danger::ServerCertVerifier as _;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName, UnixTime};
use rustls::sign::CertifiedKey;
use sha2::Digest as _;

/// File names inside the CA folder. The PEM and DER hold the same certificate (phones
/// want one or the other); the key never leaves the folder.
pub const CERT_PEM: &str = "privaudit-ca.pem";
pub const CERT_DER: &str = "privaudit-ca.crt";
pub const KEY_FILE: &str = "privaudit-ca-key.pem";

/// Leaf certificates kept in memory; beyond this the cache starts again, so a client
/// that connects to millions of names cannot grow it without bound.
const LEAF_CACHE: usize = 4096;

#[derive(Debug, thiserror::Error)]
pub enum CaError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: not a usable private key: {message}")]
    BadKey { path: PathBuf, message: String },
    #[error(
        "{cert} exists but its key {key} does not; delete {dir} to create a new CA (and reinstall it on the devices)"
    )]
    KeyMissing {
        cert: PathBuf,
        key: PathBuf,
        dir: PathBuf,
    },
    #[error(
        "{cert} was not issued for the key in {key} (replaced by hand?); delete {dir} to create a new CA"
    )]
    Mismatch {
        cert: PathBuf,
        key: PathBuf,
        dir: PathBuf,
    },
    #[error("cannot make a certificate: {0}")]
    Generate(#[from] rcgen::Error),
    #[error("cannot use the certificate for {host}: {message}")]
    Leaf { host: String, message: String },
    #[error("no CA folder given and neither XDG_DATA_HOME nor HOME is set")]
    NoHome,
}

/// Where the CA lives on disk.
#[derive(Debug, Clone)]
pub struct CaPaths {
    pub dir: PathBuf,
    pub cert_pem: PathBuf,
    pub cert_der: PathBuf,
    pub key: PathBuf,
}

impl CaPaths {
    pub fn in_dir(dir: &Path) -> CaPaths {
        CaPaths {
            dir: dir.to_path_buf(),
            cert_pem: dir.join(CERT_PEM),
            cert_der: dir.join(CERT_DER),
            key: dir.join(KEY_FILE),
        }
    }
}

/// `$XDG_DATA_HOME/privaudit/ca`, else `~/.local/share/privaudit/ca`.
pub fn default_dir() -> Result<PathBuf, CaError> {
    if let Some(x) = std::env::var_os("XDG_DATA_HOME").filter(|x| !x.is_empty()) {
        return Ok(PathBuf::from(x).join("privaudit").join("ca"));
    }
    let home = std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .ok_or(CaError::NoHome)?;
    Ok(PathBuf::from(home).join(".local/share/privaudit/ca"))
}

/// The loaded CA plus the in-memory leaf cache.
pub struct CertAuthority {
    paths: CaPaths,
    created: bool,
    issuer: Issuer<'static, KeyPair>,
    cert_der: CertificateDer<'static>,
    cert_pem: String,
    provider: Arc<CryptoProvider>,
    /// One key for every leaf: generating a key per host buys nothing here (they all
    /// chain to the same CA key) and the leaf key never leaves memory.
    leaf_key: KeyPair,
    leaf_signing: Arc<dyn rustls::sign::SigningKey>,
    leaves: Mutex<HashMap<String, Arc<CertifiedKey>>>,
    /// Notes for the user (e.g. a key readable by others); printed by the command.
    pub warnings: Vec<String>,
}

impl std::fmt::Debug for CertAuthority {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the key, not even in debug output.
        f.debug_struct("CertAuthority")
            .field("paths", &self.paths)
            .field("created", &self.created)
            .finish_non_exhaustive()
    }
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> CaError + '_ {
    move |source| CaError::Io {
        path: path.to_path_buf(),
        source,
    }
}

impl CertAuthority {
    /// Loads the CA from `dir`, creating the folder, key and certificate on first use.
    pub fn load_or_create(dir: &Path, provider: Arc<CryptoProvider>) -> Result<Self, CaError> {
        let paths = CaPaths::in_dir(dir);
        let mut warnings = Vec::new();
        create_private_dir(dir)?;
        let (key, created) = if paths.key.exists() {
            let pem = fs::read_to_string(&paths.key).map_err(io_err(&paths.key))?;
            let key = KeyPair::from_pem(&pem).map_err(|e| CaError::BadKey {
                path: paths.key.clone(),
                message: e.to_string(),
            })?;
            if let Some(w) = loose_permissions(&paths.key) {
                warnings.push(w);
            }
            (key, false)
        } else {
            if paths.cert_pem.exists() {
                return Err(CaError::KeyMissing {
                    cert: paths.cert_pem.clone(),
                    key: paths.key.clone(),
                    dir: dir.to_path_buf(),
                });
            }
            let key = KeyPair::generate()?;
            write_key(&paths.key, &key.serialize_pem())?;
            (key, true)
        };
        let params = ca_params(&key, &provider)?;
        let (cert_der, cert_pem) = if paths.cert_pem.exists() {
            let pem = fs::read_to_string(&paths.cert_pem).map_err(io_err(&paths.cert_pem))?;
            let der = pem_to_der(&pem).ok_or_else(|| CaError::Mismatch {
                cert: paths.cert_pem.clone(),
                key: paths.key.clone(),
                dir: dir.to_path_buf(),
            })?;
            (der, pem)
        } else {
            // A key without a certificate (first run interrupted, or the certificate
            // deleted): the DN follows from the key, so the CA is simply reissued.
            let cert = params.self_signed(&key)?;
            let pem = cert.pem();
            let der = cert.der().clone();
            write_public(&paths.cert_pem, pem.as_bytes())?;
            write_public(&paths.cert_der, &der)?;
            (der, pem)
        };
        if !paths.cert_der.exists() {
            write_public(&paths.cert_der, &cert_der)?;
        }
        let leaf_key = KeyPair::generate()?;
        let leaf_der = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der()));
        let leaf_signing = provider
            .key_provider
            .load_private_key(leaf_der)
            .map_err(|e| CaError::Leaf {
                host: "(leaf key)".into(),
                message: e.to_string(),
            })?;
        let ca = CertAuthority {
            issuer: Issuer::new(params, key),
            paths,
            created,
            cert_der,
            cert_pem,
            provider,
            leaf_key,
            leaf_signing,
            leaves: Mutex::new(HashMap::new()),
            warnings,
        };
        ca.self_check()?;
        Ok(ca)
    }

    pub fn paths(&self) -> &CaPaths {
        &self.paths
    }

    /// True when this run created the CA (it must still be installed on the device).
    pub fn created(&self) -> bool {
        self.created
    }

    pub fn cert_der(&self) -> &CertificateDer<'static> {
        &self.cert_der
    }

    pub fn cert_pem(&self) -> &str {
        &self.cert_pem
    }

    /// The certificate and key to present for `host` (a DNS name or an IP literal),
    /// minted on first use and cached.
    pub fn leaf(&self, host: &str) -> Result<Arc<CertifiedKey>, CaError> {
        let host = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_ascii_lowercase();
        if let Some(hit) = self.leaves.lock().ok().and_then(|c| c.get(&host).cloned()) {
            return Ok(hit);
        }
        let der = self.mint(&host)?;
        let certified = Arc::new(CertifiedKey::new(
            vec![der, self.cert_der.clone()],
            self.leaf_signing.clone(),
        ));
        if let Ok(mut cache) = self.leaves.lock() {
            if cache.len() >= LEAF_CACHE {
                cache.clear();
            }
            cache.insert(host, certified.clone());
        }
        Ok(certified)
    }

    fn mint(&self, host: &str) -> Result<CertificateDer<'static>, CaError> {
        let leaf_err = |message: String| CaError::Leaf {
            host: host.to_string(),
            message,
        };
        let mut params = CertificateParams::default();
        let san = match host.parse::<IpAddr>() {
            Ok(ip) => SanType::IpAddress(ip),
            Err(_) => SanType::DnsName(
                host.to_string()
                    .try_into()
                    .map_err(|e: rcgen::Error| leaf_err(e.to_string()))?,
            ),
        };
        params.subject_alt_names = vec![san];
        let mut dn = DistinguishedName::new();
        // CN is limited to 64 characters; clients match on the SAN anyway.
        if host.len() <= 64 {
            dn.push(DnType::CommonName, host);
        }
        dn.push(DnType::OrganizationName, "privaudit interception");
        params.distinguished_name = dn;
        params.is_ca = IsCa::ExplicitNoCa;
        params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
        ];
        // iOS and Chrome refuse server certificates without serverAuth.
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        params.use_authority_key_identifier_extension = true;
        // Apple rejects TLS server certificates valid for more than 398 days.
        set_validity(&mut params, 397);
        // Every leaf shares one key, so the default serial (a hash of the public key)
        // would repeat; Firefox rejects two certificates with one issuer and serial.
        params.serial_number = Some(random_serial(&self.provider)?);
        let cert = params
            .signed_by(&self.leaf_key, &self.issuer)
            .map_err(|e| leaf_err(e.to_string()))?;
        Ok(cert.der().clone())
    }

    /// Mints a leaf and verifies it against the certificate on disk, so a CA
    /// certificate that does not belong to the key fails now, not on every phone.
    fn self_check(&self) -> Result<(), CaError> {
        let mismatch = || CaError::Mismatch {
            cert: self.paths.cert_pem.clone(),
            key: self.paths.key.clone(),
            dir: self.paths.dir.clone(),
        };
        let mut roots = rustls::RootCertStore::empty();
        roots.add(self.cert_der.clone()).map_err(|_| mismatch())?;
        let verifier = rustls::client::WebPkiServerVerifier::builder_with_provider(
            Arc::new(roots),
            self.provider.clone(),
        )
        .build()
        .map_err(|_| mismatch())?;
        let name = "self-check.privaudit.invalid";
        let leaf = self.mint(name)?;
        let server = ServerName::try_from(name).map_err(|_| mismatch())?;
        verifier
            .verify_server_cert(&leaf, &[], &server, &[], UnixTime::now())
            .map(|_| ())
            .map_err(|_| mismatch())
    }
}

/// The CA's parameters, all derived from its key (see the module comment).
fn ca_params(key: &KeyPair, provider: &CryptoProvider) -> Result<CertificateParams, CaError> {
    let id = sha2::Sha256::digest(key.public_key_raw());
    let short: String = id.iter().take(4).map(|b| format!("{b:02x}")).collect();
    let mut params = CertificateParams::default();
    let mut dn = DistinguishedName::new();
    // The id tells one installation's CA from another's in a phone's trust list.
    dn.push(
        DnType::CommonName,
        format!("privaudit interception CA {short}"),
    );
    dn.push(
        DnType::OrganizationName,
        "privaudit (local test CA, do not share)",
    );
    params.distinguished_name = dn;
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    set_validity(&mut params, 10 * 365);
    params.serial_number = Some(random_serial(provider)?);
    Ok(params)
}

/// Valid from yesterday (a phone whose clock is a little behind still accepts it)
/// for `days`.
fn set_validity(params: &mut CertificateParams, days: u64) {
    use chrono::Datelike as _;
    let start = chrono::Utc::now().date_naive() - chrono::Days::new(1);
    let end = start + chrono::Days::new(days.max(1));
    let ymd = |d: chrono::NaiveDate| rcgen::date_time_ymd(d.year(), d.month() as u8, d.day() as u8);
    params.not_before = ymd(start);
    params.not_after = ymd(end);
}

fn random_serial(provider: &CryptoProvider) -> Result<SerialNumber, CaError> {
    let mut bytes = [0u8; 16];
    provider
        .secure_random
        .fill(&mut bytes)
        .map_err(|_| CaError::Leaf {
            host: "(serial number)".into(),
            message: "no secure random numbers".into(),
        })?;
    // Positive and without a leading zero byte, as RFC 5280 wants serials.
    bytes[0] = (bytes[0] & 0x7f) | 0x40;
    Ok(SerialNumber::from_slice(&bytes))
}

fn pem_to_der(pem: &str) -> Option<CertificateDer<'static>> {
    use rustls::pki_types::pem::PemObject as _;
    CertificateDer::from_pem_slice(pem.as_bytes()).ok()
}

/// The CA folder, created private (0700) so the key is not listable by others.
fn create_private_dir(dir: &Path) -> Result<(), CaError> {
    if dir.is_dir() {
        return Ok(());
    }
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt as _;
        builder.mode(0o700);
    }
    builder.create(dir).map_err(io_err(dir))
}

/// Writes the key with mode 0600 from the start (never world-readable, not even for
/// the moment between create and chmod), under a temporary name renamed into place
/// so an interrupted run leaves no half key.
fn write_key(path: &Path, pem: &str) -> Result<(), CaError> {
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let result = options.open(&tmp).and_then(|mut f| {
        f.write_all(pem.as_bytes())?;
        f.sync_all()
    });
    if let Err(e) = result {
        let _ = fs::remove_file(&tmp);
        return Err(io_err(&tmp)(e));
    }
    fs::rename(&tmp, path).map_err(io_err(path))
}

fn write_public(path: &Path, bytes: &[u8]) -> Result<(), CaError> {
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    fs::write(&tmp, bytes)
        .and_then(|()| fs::rename(&tmp, path))
        .map_err(io_err(path))
}

/// A warning when the key file can be read by anyone but its owner.
fn loose_permissions(path: &Path) -> Option<String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = fs::metadata(path).ok()?.permissions().mode();
        if mode & 0o077 != 0 {
            return Some(format!(
                "{} is readable by other users (mode {:o}); run chmod 600 on it",
                path.display(),
                mode & 0o777
            ));
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn provider() -> Arc<CryptoProvider> {
        Arc::new(rustls::crypto::ring::default_provider())
    }

    #[test]
    fn creates_then_reloads_the_same_ca() {
        let dir = tempfile::tempdir().unwrap();
        let ca_dir = dir.path().join("ca");
        let first = CertAuthority::load_or_create(&ca_dir, provider()).unwrap();
        assert!(first.created());
        let pem = first.cert_pem().to_string();
        drop(first);
        let second = CertAuthority::load_or_create(&ca_dir, provider()).unwrap();
        assert!(!second.created());
        assert_eq!(second.cert_pem(), pem);
        assert!(second.warnings.is_empty(), "{:?}", second.warnings);
        // The DER file holds the same certificate as the PEM.
        let der = fs::read(ca_dir.join(CERT_DER)).unwrap();
        assert_eq!(der, second.cert_der().as_ref());
    }

    #[cfg(unix)]
    #[test]
    fn key_is_private_and_not_in_the_certificate_files() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let ca = CertAuthority::load_or_create(dir.path(), provider()).unwrap();
        let mode = fs::metadata(&ca.paths().key).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        assert!(!ca.cert_pem().contains("PRIVATE KEY"));
        assert!(!format!("{ca:?}").contains("PRIVATE"));
    }

    #[test]
    fn leaves_verify_against_the_ca_for_names_and_addresses() {
        let dir = tempfile::tempdir().unwrap();
        let ca = CertAuthority::load_or_create(dir.path(), provider()).unwrap();
        let mut roots = rustls::RootCertStore::empty();
        roots.add(ca.cert_der().clone()).unwrap();
        let verifier = rustls::client::WebPkiServerVerifier::builder_with_provider(
            Arc::new(roots),
            provider(),
        )
        .build()
        .unwrap();
        for host in ["api.example.com", "127.0.0.1", "::1"] {
            let leaf = ca.leaf(host).unwrap();
            let name = ServerName::try_from(host.to_string()).unwrap();
            verifier
                .verify_server_cert(&leaf.cert[0], &[], &name, &[], UnixTime::now())
                .unwrap_or_else(|e| panic!("{host}: {e}"));
            // A leaf is for its own host only.
            let other = ServerName::try_from("other.example.com").unwrap();
            assert!(
                verifier
                    .verify_server_cert(&leaf.cert[0], &[], &other, &[], UnixTime::now())
                    .is_err()
            );
        }
        // Cached: the same Arc the second time.
        assert!(Arc::ptr_eq(
            &ca.leaf("api.example.com").unwrap(),
            &ca.leaf("API.example.com").unwrap()
        ));
    }

    #[test]
    fn a_foreign_certificate_is_refused() {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        CertAuthority::load_or_create(a.path(), provider()).unwrap();
        CertAuthority::load_or_create(b.path(), provider()).unwrap();
        fs::copy(a.path().join(CERT_PEM), b.path().join(CERT_PEM)).unwrap();
        let err = CertAuthority::load_or_create(b.path(), provider()).unwrap_err();
        assert!(matches!(err, CaError::Mismatch { .. }), "{err}");
    }

    #[test]
    fn a_lost_certificate_is_reissued_from_the_key() {
        let dir = tempfile::tempdir().unwrap();
        let first = CertAuthority::load_or_create(dir.path(), provider()).unwrap();
        let leaf = first.leaf("example.org").unwrap();
        fs::remove_file(dir.path().join(CERT_PEM)).unwrap();
        fs::remove_file(dir.path().join(CERT_DER)).unwrap();
        let second = CertAuthority::load_or_create(dir.path(), provider()).unwrap();
        // A leaf of the old certificate still chains to the reissued one (same DN and key).
        let mut roots = rustls::RootCertStore::empty();
        roots.add(second.cert_der().clone()).unwrap();
        let verifier = rustls::client::WebPkiServerVerifier::builder_with_provider(
            Arc::new(roots),
            provider(),
        )
        .build()
        .unwrap();
        let name = ServerName::try_from("example.org").unwrap();
        verifier
            .verify_server_cert(&leaf.cert[0], &[], &name, &[], UnixTime::now())
            .unwrap();
    }

    #[test]
    fn a_certificate_without_its_key_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        CertAuthority::load_or_create(dir.path(), provider()).unwrap();
        fs::remove_file(dir.path().join(KEY_FILE)).unwrap();
        let err = CertAuthority::load_or_create(dir.path(), provider()).unwrap_err();
        assert!(matches!(err, CaError::KeyMissing { .. }), "{err}");
    }
}
