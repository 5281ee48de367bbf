//! GeoIP lookups against MaxMind's published test databases (tests/fixtures/geoip,
//! contents documented in MaxMind-DB's source-data JSON) and against a database this
//! test writes itself, which places addresses in mainland China, Hong Kong, Macao and
//! Taiwan and uses the layouts of other vendors.

mod mmdb_writer;

use std::net::IpAddr;
use std::path::{Path, PathBuf};

use mmdb_writer::{Value, Writer, map, s};
use privaudit::audit::geo::{Destination, GeoDb, GeoError, LocalKind, Located};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/geoip")
        .join(name)
}

fn ip(a: &str) -> IpAddr {
    a.parse().expect("test address")
}

fn country(code: &str) -> Value {
    map(&[("iso_code", s(code)), ("names", map(&[("en", s(code))]))])
}

/// The generated regions database (see tests/fixtures/geoip/README.md).
fn regions_db() -> Vec<u8> {
    let mut w = Writer::new("privaudit-Regions-Test");
    let geoip2 = |c: &str| map(&[("country", country(c)), ("registered_country", country(c))]);
    w.insert("198.18.1.0/24", geoip2("CN"));
    w.insert("198.18.2.0/24", geoip2("HK"));
    w.insert("198.18.3.0/24", geoip2("MO"));
    w.insert("198.18.4.0/24", geoip2("TW"));
    w.insert("198.18.5.0/24", geoip2("US"));
    w.insert("198.18.6.0/24", geoip2("DE"));
    // Only where the block is registered (satellite and anycast blocks look so).
    w.insert(
        "198.18.7.0/24",
        map(&[("registered_country", country("JP"))]),
    );
    // Flat layout with a top-level code (ipinfo lite, ip-location-db).
    w.insert(
        "198.18.8.0/24",
        map(&[("country_code", s("SG")), ("asn", s("AS64500"))]),
    );
    // DB-IP city lite layout: continent, country, city; no registered_country.
    w.insert(
        "198.18.9.0/24",
        map(&[
            ("city", map(&[("names", map(&[("en", s("Paris"))]))])),
            (
                "continent",
                map(&[("code", s("EU")), ("geoname_id", Value::U32(6255148))]),
            ),
            ("country", country("fr")),
        ]),
    );
    // Codes that are not ISO codes are no answer.
    w.insert(
        "198.18.10.0/24",
        map(&[("country", map(&[("iso_code", s("--"))]))]),
    );
    w.insert("2001:db8:1::/48", geoip2("CN"));
    w.insert("2001:db8:2::/48", geoip2("HK"));
    w.build()
}

#[test]
fn generated_fixture_is_current() {
    // The checked-in file is what the writer produces; regenerate with
    // PRIVAUDIT_REGEN_FIXTURES=1 after changing regions_db().
    let path = fixture("privaudit-regions-test.mmdb");
    let bytes = regions_db();
    if std::env::var_os("PRIVAUDIT_REGEN_FIXTURES").is_some() {
        std::fs::write(&path, &bytes).expect("write fixture");
    }
    let on_disk = std::fs::read(&path).expect("fixture present");
    assert!(
        on_disk == bytes,
        "{} is stale: regenerate it",
        path.display()
    );
}

#[test]
fn maxmind_country_test_database() {
    let db = GeoDb::open(&fixture("GeoIP2-Country-Test.mmdb")).expect("opens");
    assert_eq!(db.database_type(), "GeoIP2-Country");
    // Contents per MaxMind-DB source-data/GeoIP2-Country-Test.json.
    let cases = [
        ("81.2.69.160", "GB"),
        ("89.160.20.112", "SE"),
        ("175.16.199.0", "CN"),
        ("216.160.83.56", "US"),
        ("2001:218::1", "JP"),
        // IPv6 forms of 81.2.69.160: IPv4-mapped and NAT64.
        ("::ffff:81.2.69.160", "GB"),
        ("64:ff9b::5102:45a0", "GB"),
    ];
    for (a, want) in cases {
        assert_eq!(db.country(ip(a)).as_deref(), Some(want), "{a}");
    }
    // A block with a continent only, and an anycast block with traits only.
    assert_eq!(db.locate(ip("2a02:d500::1")), Located::NotFound);
    assert_eq!(db.locate(ip("214.1.1.1")), Located::NotFound);
    // Outside every network of the test database.
    assert_eq!(db.locate(ip("8.8.8.8")), Located::NotFound);
}

#[test]
fn maxmind_city_test_database() {
    let db = GeoDb::open(&fixture("GeoLite2-City-Test.mmdb")).expect("opens");
    assert_eq!(db.database_type(), "GeoLite2-City");
    for (a, want) in [
        ("2.125.160.216", "GB"),
        ("216.160.83.56", "US"),
        ("175.16.199.1", "CN"),
    ] {
        assert_eq!(db.country(ip(a)).as_deref(), Some(want), "{a}");
    }
}

#[test]
fn local_addresses_are_never_looked_up() {
    let db = GeoDb::open(&fixture("GeoIP2-Country-Test.mmdb")).expect("opens");
    for (a, kind) in [
        ("10.0.0.1", LocalKind::Private),
        ("192.168.1.20", LocalKind::Private),
        ("100.80.1.1", LocalKind::SharedCgnat),
        ("127.0.0.1", LocalKind::Loopback),
        ("169.254.0.5", LocalKind::LinkLocal),
        ("fe80::1", LocalKind::LinkLocal),
        ("fd00::1", LocalKind::UniqueLocal),
        ("::1", LocalKind::Loopback),
    ] {
        assert_eq!(db.locate(ip(a)), Located::Local(kind), "{a}");
        assert_eq!(db.country(ip(a)), None, "{a}");
    }
}

#[test]
fn other_layouts_and_fallbacks() {
    let db = GeoDb::from_bytes(regions_db(), "regions.mmdb").expect("opens");
    for (a, want) in [
        ("198.18.1.9", Some("CN")),
        ("198.18.2.9", Some("HK")),
        ("198.18.7.9", Some("JP")),
        ("198.18.8.9", Some("SG")),
        ("198.18.9.9", Some("FR")),
        ("198.18.10.9", None),
        ("198.18.11.9", None),
        ("2001:db8:2::5", Some("HK")),
    ] {
        assert_eq!(db.country(ip(a)).as_deref(), want, "{a}");
    }
}

#[test]
fn cross_border_from_mainland_china() {
    let db = GeoDb::open(&fixture("privaudit-regions-test.mmdb")).expect("opens");
    let d = |a: &str, party: &str, data: &[&str]| Destination {
        ip: ip(a),
        party: party.to_string(),
        data_types: data.iter().map(|s| s.to_string()).collect(),
    };
    let r = db.cross_border(
        "CN",
        vec![
            d("198.18.1.20", "first-party", &["contact.phone_number"]),
            d("2001:db8:1::20", "first-party", &["contact.phone_number"]),
            d("198.18.2.20", "sdk:umeng", &["device.identifier.oaid"]),
            d("2001:db8:2::20", "sdk:umeng", &["device.identifier.oaid"]),
            d(
                "198.18.3.20",
                "third-party:mo.example",
                &["location.coarse"],
            ),
            d("198.18.4.20", "third-party:tw.example", &["contact.email"]),
            d(
                "198.18.5.20",
                "sdk:firebase",
                &["device.identifier.gaid", "diagnostics.crash_log"],
            ),
            d("192.168.1.1", "first-party", &["contact.email"]),
            d("198.18.11.1", "unknown:198.18.11.1", &["contact.email"]),
        ],
    );
    let got: Vec<(&str, String, &str)> = r
        .transfers
        .iter()
        .map(|t| (t.party.as_str(), t.ip.to_string(), t.country.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            ("sdk:firebase", "198.18.5.20".to_string(), "US"),
            ("sdk:umeng", "198.18.2.20".to_string(), "HK"),
            ("sdk:umeng", "2001:db8:2::20".to_string(), "HK"),
            ("third-party:mo.example", "198.18.3.20".to_string(), "MO"),
            ("third-party:tw.example", "198.18.4.20".to_string(), "TW"),
        ]
    );
    for t in &r.transfers[1..] {
        assert!(
            t.note_en
                .as_deref()
                .is_some_and(|n| n.contains("outside mainland China")),
            "{t:?}"
        );
        assert!(t.note_zh.is_some());
    }
    assert_eq!(
        r.transfers[0].data_types,
        vec!["device.identifier.gaid", "diagnostics.crash_log"]
    );
    assert_eq!(r.local.len(), 1);
    assert_eq!(r.unlocated.len(), 1);
}

#[test]
fn missing_corrupt_and_countryless_databases_are_clear_errors() {
    let missing = Path::new("/nonexistent/GeoLite2-Country.mmdb");
    let e = GeoDb::open(missing).expect_err("missing");
    assert!(matches!(e, GeoError::Read { .. }));
    assert!(
        e.to_string()
            .starts_with("/nonexistent/GeoLite2-Country.mmdb: cannot read"),
        "{e}"
    );

    // A truncated real database: the metadata at the end is gone.
    let dir = tempfile::tempdir().expect("tempdir");
    let real = std::fs::read(fixture("GeoIP2-Country-Test.mmdb")).expect("fixture");
    let cut = dir.path().join("truncated.mmdb");
    std::fs::write(&cut, &real[..real.len() / 2]).expect("write");
    let e = GeoDb::open(&cut).expect_err("truncated");
    assert!(matches!(e, GeoError::Invalid { .. }));
    assert!(
        e.to_string()
            .contains("truncated.mmdb: not a valid MaxMind DB"),
        "{e}"
    );

    // Not a database at all (a CSV export passed by mistake).
    let csv = dir.path().join("GeoLite2-Country.csv");
    std::fs::write(&csv, "network,geoname_id\n1.0.0.0/24,2077456\n").expect("write");
    let e = GeoDb::open(&csv).expect_err("csv");
    assert!(e.to_string().contains("GeoLite2-Country.csv"), "{e}");

    // A valid database without countries.
    let mut w = Writer::new("GeoLite2-ASN");
    w.insert(
        "198.18.1.0/24",
        map(&[("autonomous_system_number", Value::U32(64500))]),
    );
    let e = GeoDb::from_bytes(w.build(), "GeoLite2-ASN.mmdb").expect_err("asn");
    assert!(matches!(e, GeoError::NoCountry { .. }));
    assert!(e.to_string().contains("has no countries"), "{e}");
}
