//! GeoIP for the cross-border rule (`--geoip FILE.mmdb`): the country of a destination
//! address from a user-supplied MaxMind DB file, and the list of destinations outside
//! the region where the policy says data is stored.
//!
//! Any database with a country in the GeoIP2 layout works: GeoIP2/GeoLite2 Country and
//! City, and DB-IP's compatible files (`country.iso_code`, falling back to
//! `registered_country.iso_code`), as well as flat layouts with a top-level
//! `country_code` (ipinfo, ip-location-db). Addresses that are not on the public
//! internet (private, loopback, link-local, CGNAT, unique-local, multicast) are never
//! looked up: a database would place them nowhere, or somewhere meaningless.

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::Path;

use maxminddb::{PathElement, Reader};
use serde::Serialize;

#[derive(Debug, thiserror::Error)]
pub enum GeoError {
    #[error("{path}: cannot read the GeoIP database: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: not a valid MaxMind DB (.mmdb) file: {message}")]
    Invalid { path: String, message: String },
    #[error(
        "{path}: the database is of type `{database_type}`, which has no countries; use a Country or City database (GeoLite2-Country.mmdb, DB-IP country lite …)"
    )]
    NoCountry { path: String, database_type: String },
}

/// Why an address was not looked up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LocalKind {
    /// `0.0.0.0/8`, `::`.
    Unspecified,
    /// `127.0.0.0/8`, `::1`.
    Loopback,
    /// RFC 1918: `10/8`, `172.16/12`, `192.168/16`.
    Private,
    /// RFC 6598 shared address space `100.64/10`, used by carrier-grade NAT.
    SharedCgnat,
    /// `169.254/16`, `fe80::/10`.
    LinkLocal,
    /// RFC 4193 `fc00::/7`.
    UniqueLocal,
    /// `224/4`, `ff00::/8`.
    Multicast,
    /// `255.255.255.255`.
    Broadcast,
    /// `240/4`, reserved for future use.
    Reserved,
}

impl LocalKind {
    pub fn as_str(self) -> &'static str {
        match self {
            LocalKind::Unspecified => "unspecified",
            LocalKind::Loopback => "loopback",
            LocalKind::Private => "private (RFC 1918)",
            LocalKind::SharedCgnat => "carrier-grade NAT (RFC 6598)",
            LocalKind::LinkLocal => "link-local",
            LocalKind::UniqueLocal => "unique local (RFC 4193)",
            LocalKind::Multicast => "multicast",
            LocalKind::Broadcast => "broadcast",
            LocalKind::Reserved => "reserved",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            LocalKind::Unspecified => "未指定地址",
            LocalKind::Loopback => "环回地址",
            LocalKind::Private => "私有地址（RFC 1918）",
            LocalKind::SharedCgnat => "运营商级 NAT 地址（RFC 6598）",
            LocalKind::LinkLocal => "链路本地地址",
            LocalKind::UniqueLocal => "唯一本地地址（RFC 4193）",
            LocalKind::Multicast => "组播地址",
            LocalKind::Broadcast => "广播地址",
            LocalKind::Reserved => "保留地址",
        }
    }
}

/// Where an address is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind", content = "value")]
pub enum Located {
    /// ISO 3166-1 alpha-2 code, upper case (`CN`, `HK`).
    Country(String),
    /// Not a public internet address; never looked up.
    Local(LocalKind),
    /// The database has no country for it.
    NotFound,
    /// The lookup failed (a damaged record, or IPv6 in an IPv4-only database).
    Failed(String),
}

/// The IPv4 address inside an IPv6 one that only carries it: IPv4-mapped
/// (`::ffff:0:0/96`), NAT64 well-known prefix (`64:ff9b::/96`, RFC 6052; mobile
/// networks with 464XLAT show IPv4 servers this way) and 6to4 (`2002::/16`).
fn embedded_v4(v6: Ipv6Addr) -> Option<Ipv4Addr> {
    if let Some(v4) = v6.to_ipv4_mapped() {
        return Some(v4);
    }
    let s = v6.segments();
    if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        return Some(Ipv4Addr::new(
            (s[6] >> 8) as u8,
            s[6] as u8,
            (s[7] >> 8) as u8,
            s[7] as u8,
        ));
    }
    if s[0] == 0x2002 {
        return Some(Ipv4Addr::new(
            (s[1] >> 8) as u8,
            s[1] as u8,
            (s[2] >> 8) as u8,
            s[2] as u8,
        ));
    }
    None
}

/// The address to look up: IPv6 forms of an IPv4 address become that address.
pub fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => embedded_v4(v6).map(IpAddr::V4).unwrap_or(ip),
        v4 => v4,
    }
}

/// Why `ip` is not a public internet address, or None when it is.
pub fn local_kind(ip: IpAddr) -> Option<LocalKind> {
    match canonical(ip) {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            if a == 0 {
                Some(LocalKind::Unspecified)
            } else if v4.is_loopback() {
                Some(LocalKind::Loopback)
            } else if v4.is_private() {
                Some(LocalKind::Private)
            } else if a == 100 && (64..128).contains(&b) {
                Some(LocalKind::SharedCgnat)
            } else if v4.is_link_local() {
                Some(LocalKind::LinkLocal)
            } else if v4.is_broadcast() {
                Some(LocalKind::Broadcast)
            } else if v4.is_multicast() {
                Some(LocalKind::Multicast)
            } else if a >= 240 {
                Some(LocalKind::Reserved)
            } else {
                None
            }
        }
        IpAddr::V6(v6) => {
            let first = v6.segments()[0];
            if v6.is_unspecified() {
                Some(LocalKind::Unspecified)
            } else if v6.is_loopback() {
                Some(LocalKind::Loopback)
            } else if first & 0xfe00 == 0xfc00 {
                Some(LocalKind::UniqueLocal)
            } else if first & 0xffc0 == 0xfe80 {
                Some(LocalKind::LinkLocal)
            } else if v6.is_multicast() {
                Some(LocalKind::Multicast)
            } else {
                None
            }
        }
    }
}

/// Database types that carry no country; opening one is a user error worth naming.
const NO_COUNTRY_TYPES: &[&str] = &["ASN", "ISP", "Connection-Type", "Domain", "Anonymous-IP"];

/// An open GeoIP database, read into memory (a country database is a few MB).
pub struct GeoDb {
    reader: Reader<Vec<u8>>,
    path: String,
}

impl std::fmt::Debug for GeoDb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GeoDb")
            .field("path", &self.path)
            .field("database_type", &self.database_type())
            .finish()
    }
}

impl GeoDb {
    /// Opens and checks a `.mmdb` file. Errors name the file.
    pub fn open(path: &Path) -> Result<GeoDb, GeoError> {
        let display = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|source| GeoError::Read {
            path: display.clone(),
            source,
        })?;
        Self::from_bytes(bytes, &display)
    }

    /// A database already in memory; `origin` names it in errors.
    pub fn from_bytes(bytes: Vec<u8>, origin: &str) -> Result<GeoDb, GeoError> {
        let reader = Reader::from_source(bytes).map_err(|e| GeoError::Invalid {
            path: origin.to_string(),
            message: e.to_string(),
        })?;
        let database_type = reader.metadata().database_type.clone();
        if NO_COUNTRY_TYPES.iter().any(|t| {
            database_type.ends_with(&format!("-{t}")) || database_type.contains(&format!("-{t}-"))
        }) {
            return Err(GeoError::NoCountry {
                path: origin.to_string(),
                database_type,
            });
        }
        Ok(GeoDb {
            reader,
            path: origin.to_string(),
        })
    }

    pub fn path(&self) -> &str {
        &self.path
    }

    /// `GeoLite2-Country`, `DBIP-Country-Lite`, … as the file's metadata says.
    pub fn database_type(&self) -> &str {
        &self.reader.metadata().database_type
    }

    /// Build time of the database (Unix seconds), for the report's coverage notes.
    pub fn build_epoch(&self) -> u64 {
        self.reader.metadata().build_epoch
    }

    /// Where `ip` is. Local addresses are not looked up.
    pub fn locate(&self, ip: IpAddr) -> Located {
        if let Some(kind) = local_kind(ip) {
            return Located::Local(kind);
        }
        let ip = canonical(ip);
        let result = match self.reader.lookup(ip) {
            Ok(r) => r,
            Err(e) => return Located::Failed(e.to_string()),
        };
        if !result.has_data() {
            return Located::NotFound;
        }
        // In order of preference: where the address is used, where its block is
        // registered, then the flat layouts' single field.
        let paths: [&[PathElement<'_>]; 3] = [
            &[PathElement::Key("country"), PathElement::Key("iso_code")],
            &[
                PathElement::Key("registered_country"),
                PathElement::Key("iso_code"),
            ],
            &[PathElement::Key("country_code")],
        ];
        let mut failure = None;
        for path in paths {
            match result.decode_path::<String>(path) {
                Ok(Some(code)) => {
                    if let Some(code) = iso_code(&code) {
                        return Located::Country(code);
                    }
                }
                Ok(None) => {}
                Err(e) => failure = Some(e.to_string()),
            }
        }
        failure.map(Located::Failed).unwrap_or(Located::NotFound)
    }

    /// The ISO country code of `ip`, or None for local, unknown and failed lookups.
    pub fn country(&self, ip: IpAddr) -> Option<String> {
        match self.locate(ip) {
            Located::Country(c) => Some(c),
            _ => None,
        }
    }

    /// [`cross_border`] with this database.
    pub fn cross_border<I>(&self, storage_region: &str, destinations: I) -> CrossBorder
    where
        I: IntoIterator<Item = Destination>,
    {
        cross_border(|ip| self.locate(ip), storage_region, destinations)
    }
}

/// A two-letter code, upper-cased; anything else (empty, `--`, a name) is no code.
fn iso_code(raw: &str) -> Option<String> {
    let code = raw.trim();
    (code.len() == 2 && code.bytes().all(|b| b.is_ascii_alphabetic()))
        .then(|| code.to_ascii_uppercase())
}

/// European Union member states (ISO 3166-1 alpha-2; Greece is `GR`).
const EU: &[&str] = &[
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV",
    "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",
];

/// The EEA adds Iceland, Liechtenstein and Norway; GDPR art. 44 restricts transfers
/// out of the EEA, not out of the EU.
const EEA_EXTRA: &[&str] = &["IS", "LI", "NO"];

/// Is `country` inside `region`? `region` is an ISO code, or `EU` / `EEA`.
fn inside(region: &str, country: &str) -> bool {
    match region {
        "EU" => EU.contains(&country),
        "EEA" => EU.contains(&country) || EEA_EXTRA.contains(&country),
        r => r == country,
    }
}

/// Normalises a declared storage region: upper case, and `UK` (common in policies) as
/// its ISO code `GB`.
pub fn normalize_region(region: &str) -> String {
    let r = region.trim().to_ascii_uppercase();
    if r == "UK" { "GB".to_string() } else { r }
}

/// For a mainland-China storage promise, why a destination in Hong Kong, Macao or
/// Taiwan still counts as outside: PIPL art. 38–39 govern providing personal
/// information "outside the territory of the PRC", and in practice transfers to these
/// regions are handled as 出境 (the CAC's 数据出境安全评估办法, 2022, and the 2023–2024
/// Greater Bay Area standard contracts for mainland→Hong Kong and →Macao transfers,
/// which exist because such transfers need a PIPL art. 38 mechanism).
fn mainland_note(country: &str) -> Option<(&'static str, &'static str)> {
    match country {
        "HK" => Some((
            "Hong Kong SAR is outside mainland China for PIPL purposes: sending personal information there is a cross-border transfer (PIPL art. 38-39).",
            "就《个人信息保护法》而言，香港特别行政区属于境外：向其传输个人信息构成个人信息出境（第三十八、三十九条）。",
        )),
        "MO" => Some((
            "Macao SAR is outside mainland China for PIPL purposes: sending personal information there is a cross-border transfer (PIPL art. 38-39).",
            "就《个人信息保护法》而言，澳门特别行政区属于境外：向其传输个人信息构成个人信息出境（第三十八、三十九条）。",
        )),
        "TW" => Some((
            "Taiwan is outside mainland China for PIPL purposes: sending personal information there is a cross-border transfer (PIPL art. 38-39).",
            "就《个人信息保护法》而言，台湾地区属于境外：向其传输个人信息构成个人信息出境（第三十八、三十九条）。",
        )),
        _ => None,
    }
}

/// One destination the app sent personal data to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Destination {
    pub ip: IpAddr,
    /// `first-party`, `sdk:<id>`, `third-party:<domain>`, `unknown:<ip>`.
    pub party: String,
    /// Ontology ids sent there.
    pub data_types: Vec<String>,
}

/// Personal data sent to an address outside the storage region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Transfer {
    pub party: String,
    pub ip: IpAddr,
    /// ISO 3166-1 alpha-2 of the destination.
    pub country: String,
    /// Sorted, without repeats.
    pub data_types: Vec<String>,
    /// Why the destination counts as outside when a reader might think otherwise
    /// (Hong Kong, Macao, Taiwan for `CN`).
    pub note_en: Option<String>,
    pub note_zh: Option<String>,
}

/// The outcome for every destination: outside the region, local, or not located.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CrossBorder {
    /// The region compared against, normalised (`CN`, `EEA`).
    pub region: String,
    pub transfers: Vec<Transfer>,
    /// Destinations not on the public internet: (address, party, why).
    pub local: Vec<(IpAddr, String, LocalKind)>,
    /// Destinations the database could not place: (address, party, reason).
    pub unlocated: Vec<(IpAddr, String, String)>,
}

/// Sorts `destinations` into transfers outside `storage_region` (an ISO code, or `EU` /
/// `EEA`), local addresses and unlocated ones, using `locate` for the country. One
/// transfer per (party, address), with the data types of all destinations merged;
/// destinations that received no data type are not transfers of personal data and are
/// skipped. For `CN`, Hong Kong, Macao and Taiwan are outside and carry a note saying
/// why.
pub fn cross_border<F, I>(locate: F, storage_region: &str, destinations: I) -> CrossBorder
where
    F: Fn(IpAddr) -> Located,
    I: IntoIterator<Item = Destination>,
{
    let region = normalize_region(storage_region);
    let mut merged: BTreeMap<(String, IpAddr), Vec<String>> = BTreeMap::new();
    for d in destinations {
        if d.data_types.is_empty() {
            continue;
        }
        merged
            .entry((d.party, d.ip))
            .or_default()
            .extend(d.data_types);
    }
    let mut out = CrossBorder {
        region: region.clone(),
        ..Default::default()
    };
    for ((party, ip), mut data_types) in merged {
        match locate(ip) {
            Located::Country(country) => {
                if inside(&region, &country) {
                    continue;
                }
                data_types.sort();
                data_types.dedup();
                let note = if region == "CN" {
                    mainland_note(&country)
                } else {
                    None
                };
                out.transfers.push(Transfer {
                    party,
                    ip,
                    country,
                    data_types,
                    note_en: note.map(|n| n.0.to_string()),
                    note_zh: note.map(|n| n.1.to_string()),
                });
            }
            Located::Local(kind) => out.local.push((ip, party, kind)),
            Located::NotFound => out
                .unlocated
                .push((ip, party, "not in the database".to_string())),
            Located::Failed(reason) => out.unlocated.push((ip, party, reason)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("test address")
    }

    #[test]
    fn local_addresses_are_recognised() {
        let cases = [
            ("10.1.2.3", LocalKind::Private),
            ("172.31.255.1", LocalKind::Private),
            ("192.168.0.10", LocalKind::Private),
            ("127.0.0.1", LocalKind::Loopback),
            ("169.254.10.1", LocalKind::LinkLocal),
            ("100.64.0.1", LocalKind::SharedCgnat),
            ("100.127.255.254", LocalKind::SharedCgnat),
            ("0.0.0.0", LocalKind::Unspecified),
            ("224.0.0.251", LocalKind::Multicast),
            ("255.255.255.255", LocalKind::Broadcast),
            ("::1", LocalKind::Loopback),
            ("::", LocalKind::Unspecified),
            ("fe80::1", LocalKind::LinkLocal),
            ("fd12:3456::1", LocalKind::UniqueLocal),
            ("fc00::1", LocalKind::UniqueLocal),
            ("ff02::fb", LocalKind::Multicast),
            ("::ffff:192.168.1.1", LocalKind::Private),
            ("64:ff9b::a00:1", LocalKind::Private),
        ];
        for (a, kind) in cases {
            assert_eq!(local_kind(ip(a)), Some(kind), "{a}");
        }
        for public in [
            "8.8.8.8",
            "100.128.0.1",
            "172.32.0.1",
            "2001:4860::8888",
            "198.18.0.1",
        ] {
            assert_eq!(local_kind(ip(public)), None, "{public}");
        }
    }

    #[test]
    fn ipv6_forms_of_ipv4_are_unwrapped() {
        assert_eq!(canonical(ip("::ffff:81.2.69.160")), ip("81.2.69.160"));
        assert_eq!(canonical(ip("64:ff9b::5102:45a0")), ip("81.2.69.160"));
        assert_eq!(canonical(ip("2002:5102:45a0::1")), ip("81.2.69.160"));
        assert_eq!(canonical(ip("2001:db8::1")), ip("2001:db8::1"));
    }

    #[test]
    fn iso_codes_are_checked() {
        assert_eq!(iso_code(" cn "), Some("CN".into()));
        assert_eq!(iso_code("--"), None);
        assert_eq!(iso_code("China"), None);
    }

    fn fake(ip: IpAddr) -> Located {
        if let Some(k) = local_kind(ip) {
            return Located::Local(k);
        }
        match ip.to_string().as_str() {
            "1.0.0.1" => Located::Country("CN".into()),
            "1.0.0.2" => Located::Country("HK".into()),
            "1.0.0.3" => Located::Country("MO".into()),
            "1.0.0.4" => Located::Country("TW".into()),
            "1.0.0.5" => Located::Country("US".into()),
            "1.0.0.6" => Located::Country("DE".into()),
            "1.0.0.7" => Located::Country("NO".into()),
            _ => Located::NotFound,
        }
    }

    fn dest(a: &str, party: &str, data: &[&str]) -> Destination {
        Destination {
            ip: ip(a),
            party: party.into(),
            data_types: data.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn mainland_china_excludes_hong_kong_macao_taiwan() {
        let dests = vec![
            dest("1.0.0.1", "first-party", &["contact.phone_number"]),
            dest("1.0.0.2", "sdk:umeng", &["device.identifier.oaid"]),
            dest(
                "1.0.0.2",
                "sdk:umeng",
                &["device.identifier.android_id", "device.identifier.oaid"],
            ),
            dest("1.0.0.3", "third-party:a.example", &["location.coarse"]),
            dest("1.0.0.4", "third-party:b.example", &["contact.email"]),
            dest("1.0.0.5", "sdk:firebase", &["device.identifier.gaid"]),
            dest("1.0.0.5", "sdk:firebase-empty", &[]),
            dest("10.0.0.8", "first-party", &["contact.email"]),
            dest("9.9.9.9", "unknown:9.9.9.9", &["contact.email"]),
        ];
        let r = cross_border(fake, " cn", dests);
        assert_eq!(r.region, "CN");
        let got: Vec<(&str, &str)> = r
            .transfers
            .iter()
            .map(|t| (t.party.as_str(), t.country.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("sdk:firebase", "US"),
                ("sdk:umeng", "HK"),
                ("third-party:a.example", "MO"),
                ("third-party:b.example", "TW"),
            ]
        );
        let umeng = &r.transfers[1];
        assert_eq!(
            umeng.data_types,
            vec!["device.identifier.android_id", "device.identifier.oaid"]
        );
        assert!(
            umeng
                .note_en
                .as_deref()
                .is_some_and(|n| n.contains("PIPL art. 38"))
        );
        assert!(umeng.note_zh.as_deref().is_some_and(|n| n.contains("香港")));
        assert!(r.transfers[0].note_en.is_none());
        assert_eq!(
            r.local,
            vec![(
                ip("10.0.0.8"),
                "first-party".to_string(),
                LocalKind::Private
            )]
        );
        assert_eq!(r.unlocated.len(), 1);
    }

    #[test]
    fn regions_eu_eea_and_uk() {
        let dests = || {
            vec![
                dest("1.0.0.6", "sdk:x", &["contact.email"]),
                dest("1.0.0.7", "sdk:y", &["contact.email"]),
            ]
        };
        let eu: Vec<String> = cross_border(fake, "EU", dests())
            .transfers
            .into_iter()
            .map(|t| t.country)
            .collect();
        assert_eq!(eu, vec!["NO"]);
        assert!(cross_border(fake, "eea", dests()).transfers.is_empty());
        assert_eq!(normalize_region("uk"), "GB");
        // Outside mainland China, but no PIPL note for another region.
        let r = cross_border(
            fake,
            "US",
            vec![dest("1.0.0.2", "sdk:x", &["contact.email"])],
        );
        assert!(r.transfers[0].note_en.is_none());
    }

    #[test]
    fn unreadable_databases_are_errors_naming_the_file() {
        let e = GeoDb::open(Path::new("/nonexistent/GeoLite2-Country.mmdb")).expect_err("missing");
        assert!(
            e.to_string().contains("/nonexistent/GeoLite2-Country.mmdb"),
            "{e}"
        );
        let e =
            GeoDb::from_bytes(b"not a database at all".to_vec(), "junk.mmdb").expect_err("junk");
        let s = e.to_string();
        assert!(s.starts_with("junk.mmdb: not a valid MaxMind DB"), "{s}");
    }
}
