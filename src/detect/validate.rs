//! Value validators, one per detector name in `signatures/datatypes.toml`: check digits,
//! ranges and formats that tell a real identifier from a random string.
//!
//! Each returns how strongly the value alone supports the type: `Strong` (a validated
//! format unlikely by chance: Luhn with a valid prefix, a check character, a structured
//! address), `Weak` (the right shape, common by chance: 16 hex digits, a UUID) or `No`.

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Support {
    No,
    Weak,
    Strong,
}

pub fn luhn(digits: &str) -> bool {
    let mut sum = 0u32;
    let mut double = false;
    for c in digits.bytes().rev() {
        if !c.is_ascii_digit() {
            return false;
        }
        let mut d = (c - b'0') as u32;
        if double {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
        double = !double;
    }
    !digits.is_empty() && sum.is_multiple_of(10)
}

fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

fn all_hex(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Values SDKs send when they could not read the real one.
pub fn is_placeholder(v: &str) -> bool {
    let t = v.trim().to_ascii_lowercase();
    t.is_empty()
        || matches!(
            t.as_str(),
            "null"
                | "nil"
                | "none"
                | "unknown"
                | "undefined"
                | "0"
                | "-1"
                | "n/a"
                | "na"
                | "false"
                | "true"
                | "default"
        )
        || t.bytes()
            .all(|b| b == b'0' || b == b'-' || b == b':' || b == b'.')
        || t.bytes().all(|b| b == b'f' || b == b'-' || b == b':')
        || t.bytes().all(|b| b == b'*' || b == b'x')
}

/// Reporting Body Identifiers assigned to GSMA-appointed bodies (first two IMEI digits).
const IMEI_RBI: [&str; 17] = [
    "01", "10", "30", "33", "35", "44", "45", "49", "50", "51", "52", "53", "54", "86", "91", "98",
    "99",
];

pub fn imei(v: &str) -> Support {
    let v = v.trim();
    let rbi_ok = v.get(..2).is_some_and(|p| IMEI_RBI.contains(&p));
    match v.len() {
        15 if all_digits(v) && luhn(v) && rbi_ok => Support::Strong,
        // IMEISV (16 digits, software version instead of check digit) and the 14-digit
        // body without check digit: plausible only with an IMEI key.
        14 | 16 if all_digits(v) && rbi_ok => Support::Weak,
        15 if all_digits(v) && rbi_ok => Support::Weak,
        _ => Support::No,
    }
}

pub fn meid(v: &str) -> Support {
    let v = v.trim();
    if v.len() == 14 && all_hex(v) {
        let first = u8::from_str_radix(&v[..2], 16).unwrap_or(0);
        if first >= 0xa0 {
            return Support::Weak;
        }
    }
    if v.len() == 18 && all_digits(v) {
        return Support::Weak;
    }
    Support::No
}

/// Chinese MNCs in use (MCC 460).
const CN_MNC: [&str; 13] = [
    "00", "01", "02", "03", "04", "05", "06", "07", "08", "09", "11", "15", "20",
];
/// Mobile country codes of the networks phones most often roam on or come from.
const COMMON_MCC: [&str; 40] = [
    "202", "204", "206", "208", "214", "222", "228", "232", "234", "235", "238", "240", "242",
    "244", "250", "260", "262", "268", "302", "310", "311", "312", "313", "316", "334", "404",
    "405", "440", "441", "450", "452", "454", "455", "466", "502", "505", "510", "520", "525",
    "724",
];

pub fn imsi(v: &str) -> Support {
    let v = v.trim();
    if !(14..=15).contains(&v.len()) || !all_digits(v) {
        return Support::No;
    }
    if v.starts_with("460") && v.len() == 15 && CN_MNC.contains(&&v[3..5]) {
        return Support::Strong;
    }
    if COMMON_MCC.contains(&&v[..3]) || v.starts_with("460") {
        return Support::Weak;
    }
    Support::No
}

pub fn iccid(v: &str) -> Support {
    let v = v.trim();
    if !v.starts_with("89") || !(18..=22).contains(&v.len()) {
        return Support::No;
    }
    if all_digits(v) && (19..=20).contains(&v.len()) && luhn(v) {
        return Support::Strong;
    }
    // Chinese ICCIDs may carry letters in the issuer part and skip the check digit.
    if v.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Support::Weak;
    }
    Support::No
}

/// A MAC address: six octets with `:` or `-` (strong) or twelve bare hex digits (weak);
/// never broadcast, zero, multicast, or Android's `02:00:00:00:00:00` placeholder.
pub fn mac(v: &str) -> Support {
    let v = v.trim();
    let (hex, separated) = if v.len() == 17 {
        let sep = v.as_bytes()[2];
        if sep != b':' && sep != b'-' {
            return Support::No;
        }
        let parts: Vec<&str> = v.split(sep as char).collect();
        if parts.len() != 6 || parts.iter().any(|p| p.len() != 2 || !all_hex(p)) {
            return Support::No;
        }
        (parts.concat(), true)
    } else if v.len() == 12 && all_hex(v) {
        (v.to_string(), false)
    } else {
        return Support::No;
    };
    let lower = hex.to_ascii_lowercase();
    if lower == "ffffffffffff" || lower == "000000000000" || lower == "020000000000" {
        return Support::No;
    }
    let first = u8::from_str_radix(&lower[..2], 16).unwrap_or(1);
    if first & 1 == 1 {
        return Support::No; // multicast
    }
    // Mixed case within one address is not how any stack prints a MAC.
    let has_upper = hex.bytes().any(|b| b.is_ascii_uppercase());
    let has_lower = hex.bytes().any(|b| b.is_ascii_lowercase());
    if has_upper && has_lower {
        return Support::No;
    }
    if separated {
        Support::Strong
    } else if lower.bytes().filter(|b| b.is_ascii_digit()).count() == 12 {
        Support::No // twelve decimal digits are a number, not a MAC
    } else {
        Support::Weak
    }
}

/// Strips a Chinese country prefix (`+86`, `0086`, `86-`, `+86 `) from a phone number.
pub fn strip_cn_prefix(v: &str) -> &str {
    let v = v.trim();
    for p in ["+86-", "+86 ", "+86", "0086-", "0086", "86-", "86 "] {
        if let Some(rest) = v.strip_prefix(p) {
            return rest.trim();
        }
    }
    if v.len() == 13 && v.starts_with("86") && all_digits(v) {
        return &v[2..];
    }
    v
}

/// A mainland China mobile number (strong), or another E.164-looking number (weak:
/// only with a phone key).
pub fn phone(v: &str) -> Support {
    let raw = v.trim();
    let local = strip_cn_prefix(raw);
    let b = local.as_bytes();
    if b.len() == 11 && all_digits(local) && b[0] == b'1' && (b'3'..=b'9').contains(&b[1]) {
        return Support::Strong;
    }
    let digits: String = raw.chars().filter(|c| c.is_ascii_digit()).collect();
    let only_phone_chars = raw
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '+' | ' ' | '-' | '(' | ')'));
    if only_phone_chars
        && (8..=15).contains(&digits.len())
        && (raw.starts_with('+') || raw.starts_with("00"))
    {
        return Support::Weak;
    }
    if only_phone_chars && (7..=12).contains(&digits.len()) {
        return Support::Weak;
    }
    Support::No
}

pub fn email(v: &str) -> Support {
    let v = v.trim();
    let Some((local, domain)) = v.split_once('@') else {
        return Support::No;
    };
    if local.is_empty()
        || local.len() > 64
        || domain.contains('@')
        || !local
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._%+-".contains(&b))
    {
        return Support::No;
    }
    let labels: Vec<&str> = domain.split('.').collect();
    if labels.len() < 2
        || labels
            .iter()
            .any(|l| l.is_empty() || !l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
    {
        return Support::No;
    }
    let tld = labels[labels.len() - 1];
    if tld.len() < 2 || !tld.bytes().all(|b| b.is_ascii_alphabetic()) {
        return Support::No;
    }
    Support::Strong
}

fn valid_date(y: u32, m: u32, d: u32) -> bool {
    if !(1900..=2099).contains(&y) || !(1..=12).contains(&m) || d == 0 {
        return false;
    }
    let leap = (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400);
    let days = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    d <= days[(m - 1) as usize]
}

/// PRC resident identity card number (GB 11643-1999): 18 characters, a valid birth
/// date, and the ISO 7064 MOD 11-2 check character.
pub fn cn_resident_id(v: &str) -> Support {
    let v = v.trim();
    let b = v.as_bytes();
    if b.len() != 18 || !b[..17].iter().all(u8::is_ascii_digit) {
        return Support::No;
    }
    if !(b'1'..=b'8').contains(&b[0]) {
        return Support::No;
    }
    let num = |r: std::ops::Range<usize>| v[r].parse::<u32>().unwrap_or(0);
    if !valid_date(num(6..10), num(10..12), num(12..14)) {
        return Support::No;
    }
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = b[..17]
        .iter()
        .zip(WEIGHTS)
        .map(|(c, w)| (c - b'0') as u32 * w)
        .sum();
    let check = b"10X98765432"[(sum % 11) as usize];
    if b[17].to_ascii_uppercase() == check {
        Support::Strong
    } else {
        Support::No
    }
}

/// Payment card number: 13–19 digits (spaces or dashes allowed between groups), Luhn,
/// and an issuer prefix of a scheme in use (UnionPay 62, Visa 4, Mastercard 51–55 and
/// 2221–2720, Amex 34/37, JCB 35, Discover 6011/65).
pub fn bank_card(v: &str) -> Support {
    let v = v.trim();
    if !v
        .bytes()
        .all(|b| b.is_ascii_digit() || b == b' ' || b == b'-')
    {
        return Support::No;
    }
    let digits: String = v.chars().filter(char::is_ascii_digit).collect();
    if !(13..=19).contains(&digits.len()) || !luhn(&digits) {
        return Support::No;
    }
    let p2: u32 = digits[..2].parse().unwrap_or(0);
    let p4: u32 = digits[..4].parse().unwrap_or(0);
    let len = digits.len();
    let scheme = (p2 == 62 && (16..=19).contains(&len))
        || (digits.starts_with('4') && (len == 16 || len == 19 || len == 13))
        || ((51..=55).contains(&p2) && len == 16)
        || ((2221..=2720).contains(&p4) && len == 16)
        || ((p2 == 34 || p2 == 37) && len == 15)
        || (p2 == 35 && (16..=19).contains(&len))
        || ((p4 == 6011 || p2 == 65) && (16..=19).contains(&len));
    if scheme { Support::Strong } else { Support::No }
}

/// A decimal coordinate with at least three decimals (precise by Apple's definition).
pub fn coordinate(v: &str, max: f64) -> Option<f64> {
    let v = v.trim();
    let decimals = v.split_once('.').map(|(_, d)| d.len()).unwrap_or(0);
    if decimals < 3
        || !v
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'.' || b == b'-')
    {
        return None;
    }
    let x: f64 = v.parse().ok()?;
    (x.is_finite() && x.abs() <= max && x != 0.0).then_some(x)
}

/// `"lat,lng"` or `"lng,lat"` in one string; returns (lat, lng) when unambiguous enough.
pub fn lat_lng_pair(v: &str) -> Option<(f64, f64)> {
    let (a, b) = v.trim().split_once([',', ';', ' '])?;
    let a_dec = a.trim().split_once('.')?.1.len();
    let b_dec = b.trim().split_once('.')?.1.len();
    if a_dec < 4 || b_dec < 4 {
        return None;
    }
    let x = coordinate(a, 180.0)?;
    let y = coordinate(b, 180.0)?;
    if x.abs() <= 90.0 {
        Some((x, y))
    } else if y.abs() <= 90.0 {
        Some((y, x)) // AMap and GeoJSON write lng,lat
    } else {
        None
    }
}

/// 16 hex digits (Android's SSAID); weak: only with a key or the device profile.
/// Settings.Secure.ANDROID_ID: 16 hex digits (a 64-bit number). `9774d56d682e549c` is
/// the constant an emulator bug gave every device of one Android release.
pub fn android_id(v: &str) -> Support {
    let v = v.trim();
    if v.len() == 16 && all_hex(v) && !is_placeholder(v) && v != "9774d56d682e549c" {
        Support::Weak
    } else {
        Support::No
    }
}

pub fn uuid(v: &str) -> bool {
    let v = v.trim();
    let parts: Vec<&str> = v.split('-').collect();
    parts.len() == 5
        && [8, 4, 4, 4, 12]
            .iter()
            .zip(&parts)
            .all(|(n, p)| p.len() == *n && all_hex(p))
}

/// Advertising identifiers (GAID, IDFA, IDFV) are UUIDs; the all-zero one means
/// "limit ad tracking" and is not personal data.
pub fn ad_id_uuid(v: &str) -> Support {
    if uuid(v) && !is_placeholder(v) {
        Support::Weak
    } else {
        Support::No
    }
}

/// MSA OAID: a UUID or 16–64 hex digits depending on the phone maker.
pub fn oaid(v: &str) -> Support {
    let v = v.trim();
    if is_placeholder(v) {
        return Support::No;
    }
    if uuid(v) || ((16..=64).contains(&v.len()) && all_hex(v)) {
        Support::Weak
    } else {
        Support::No
    }
}

/// A hardware serial (Build.SERIAL, `ro.serialno`): 6–20 letters and digits, with at
/// least one of each — an all-digit value is a counter, a phone number or a card.
pub fn serial(v: &str) -> Support {
    let v = v.trim();
    if (6..=20).contains(&v.len())
        && v.bytes().all(|b| b.is_ascii_alphanumeric())
        && v.bytes().any(|b| b.is_ascii_digit())
        && v.bytes().any(|b| b.is_ascii_alphabetic())
        && !is_placeholder(v)
    {
        Support::Weak
    } else {
        Support::No
    }
}

pub fn ssid(v: &str) -> Support {
    let t = v.trim().trim_matches('"');
    if t.is_empty() || t.len() > 32 || t.eq_ignore_ascii_case("<unknown ssid>") || is_placeholder(t)
    {
        Support::No
    } else {
        Support::Weak
    }
}

pub fn ip_address(v: &str) -> Support {
    match v.trim().parse::<std::net::IpAddr>() {
        Ok(ip) if !ip.is_unspecified() && !ip.is_loopback() => Support::Weak,
        _ => Support::No,
    }
}

/// Is this an Android package or iOS bundle id (`com.tencent.mm`)?
pub fn package_name(v: &str) -> bool {
    let v = v.trim();
    let parts: Vec<&str> = v.split('.').collect();
    parts.len() >= 2
        && v.len() <= 150
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
                && p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        })
        && !parts.last().is_some_and(|t| {
            matches!(
                t.to_ascii_lowercase().as_str(),
                "com" | "cn" | "net" | "org" | "html" | "js" | "png" | "jpg" | "json"
            )
        })
}

/// A list of at least three package names: an installed-app list.
pub fn installed_apps(items: &[&str]) -> Support {
    let pkgs = items.iter().filter(|i| package_name(i)).count();
    if pkgs >= 3 && pkgs * 10 >= items.len() * 8 {
        Support::Strong
    } else {
        Support::No
    }
}

/// Cell identity: `mcc,mnc,lac,cid` style strings, or a LAC/CID number.
pub fn cell_id(v: &str) -> Support {
    let parts: Vec<&str> = v.split([',', '_', '|', ':', '-']).map(str::trim).collect();
    // "mcc,mnc,lac,cid" or "lac,cid".
    if parts.len() >= 2 && parts.iter().all(|p| all_digits(p) && p.len() <= 12) {
        return Support::Weak;
    }
    if all_digits(v.trim()) && (1..=10).contains(&v.trim().len()) && v.trim() != "0" {
        return Support::Weak;
    }
    Support::No
}

pub fn person_name(v: &str) -> Support {
    let v = v.trim();
    let han = v
        .chars()
        .filter(|c| ('\u{4e00}'..='\u{9fa5}').contains(c))
        .count();
    if (2..=4).contains(&han) && v.chars().count() <= 5 {
        return Support::Weak;
    }
    let words: Vec<&str> = v.split_whitespace().collect();
    if (2..=3).contains(&words.len())
        && words.iter().all(|w| {
            w.chars().next().is_some_and(char::is_uppercase)
                && w.chars()
                    .skip(1)
                    .all(|c| c.is_lowercase() || c == '-' || c == '\'')
                && w.chars().count() >= 2
        })
    {
        return Support::Weak;
    }
    Support::No
}

/// Free-form values (names, models, SSIDs) must at least be clean text.
fn printable(v: &str) -> bool {
    !v.chars().any(|c| c.is_control() || c == '\u{fffd}')
}

/// Detectors whose formats are free text: a field name is their only real evidence.
pub fn is_free_form(detector: &str) -> bool {
    matches!(
        detector,
        "ssid" | "password" | "device_model" | "os_version" | "person_name" | "cell_id"
    )
}

/// Runs the validator a data type names.
/// Detectors that can say Strong: a value one of them validates is that type, whatever
/// a weaker-shaped type's key says (a Luhn-valid 15-digit `did` is an IMEI, not an
/// Android ID).
const STRONGER_TYPES: [&str; 8] = [
    "imei",
    "iccid",
    "imsi",
    "phone",
    "bank_card",
    "email",
    "mac",
    "cn_resident_id",
];

/// The detector among [`STRONGER_TYPES`] that validates `v` strongly, if any.
pub fn stronger_type(v: &str) -> Option<&'static str> {
    STRONGER_TYPES
        .into_iter()
        .find(|d| check(d, v) == Support::Strong)
}

/// Identifier detectors that only ever say Weak (a shape, no checksum): under a key
/// they count, unless the value is a stronger type.
pub fn shape_only(detector: &str) -> bool {
    matches!(
        detector,
        "android_id" | "ad_id_uuid" | "oaid" | "serial" | "meid"
    )
}

/// Detectors whose Weak answer (a bad check digit, an unknown network) is enough only
/// under the type's own key: under an ambiguous key (`did`, `sid`) they must be Strong.
pub fn needs_strong_under_weak_key(detector: &str) -> bool {
    matches!(
        detector,
        "imei" | "imsi" | "iccid" | "bank_card" | "cn_resident_id"
    )
}

pub fn check(detector: &str, v: &str) -> Support {
    if is_free_form(detector) && !printable(v) {
        return Support::No;
    }
    match detector {
        "imei" => imei(v),
        "meid" => meid(v),
        "imsi" => imsi(v),
        "iccid" => iccid(v),
        "mac" | "bssid" => mac(v),
        "android_id" => android_id(v),
        "ad_id_uuid" => ad_id_uuid(v),
        "oaid" => oaid(v),
        "serial" => serial(v),
        "phone" => phone(v),
        "email" => email(v),
        "cn_resident_id" => cn_resident_id(v),
        "bank_card" => bank_card(v),
        "ssid" => ssid(v),
        "ip_address" => ip_address(v),
        "cell_id" => cell_id(v),
        "person_name" => person_name(v),
        "lat_lng" => {
            if lat_lng_pair(v).is_some() {
                Support::Strong
            } else if coordinate(v, 180.0).is_some() {
                Support::Weak
            } else {
                Support::No
            }
        }
        "installed_apps" => {
            let items: Vec<&str> = v.split([',', ';', '|', '\n']).collect();
            installed_apps(&items)
        }
        "password" => {
            if is_placeholder(v) || v.len() > 128 {
                Support::No
            } else {
                Support::Weak
            }
        }
        "device_model" | "os_version" => {
            if is_placeholder(v) || v.len() > 64 || v.trim().len() < 2 {
                Support::No
            } else {
                Support::Weak
            }
        }
        _ => Support::No,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weak_shapes_and_stronger_types() {
        assert_eq!(android_id("3f8a6c2e91b7d054"), Support::Weak);
        assert_eq!(android_id("3f8a6c2e91b7d05"), Support::No); // 15: not a 64-bit hex
        assert_eq!(serial("R58M42ABCDE"), Support::Weak);
        assert_eq!(serial("2023110800"), Support::No);
        assert_eq!(stronger_type("861234567890127"), Some("imei"));
        assert_eq!(stronger_type("13912345678"), Some("phone"));
        assert_eq!(stronger_type("3f8a6c2e91b7d054"), None);
    }

    #[test]
    fn imei_needs_luhn_and_a_reporting_body() {
        assert_eq!(imei("490154203237518"), Support::Strong);
        assert_eq!(imei("490154203237517"), Support::Weak); // bad check digit
        assert_eq!(imei("123456789012347"), Support::No); // RBI 12 unassigned
        assert_eq!(imei("4901542032375"), Support::No);
    }

    #[test]
    fn imsi_prefers_chinese_networks() {
        assert_eq!(imsi("460001234567890"), Support::Strong);
        assert_eq!(imsi("310150123456789"), Support::Weak);
        assert_eq!(imsi("999991234567890"), Support::No);
    }

    #[test]
    fn iccid_luhn() {
        assert_eq!(iccid("89860318640220133897"), Support::Strong);
        assert_eq!(iccid("89860318640220133898"), Support::Weak);
    }

    #[test]
    fn mac_formats() {
        assert_eq!(mac("AC:37:43:4D:9B:1E"), Support::Strong);
        assert_eq!(mac("ac-37-43-4d-9b-1e"), Support::Strong);
        assert_eq!(mac("AC37434D9B1E"), Support::Weak);
        assert_eq!(mac("ff:ff:ff:ff:ff:ff"), Support::No);
        assert_eq!(mac("02:00:00:00:00:00"), Support::No);
        assert_eq!(mac("01:00:5e:7f:ff:fa"), Support::No);
        assert_eq!(mac("123456789012"), Support::No);
    }

    #[test]
    fn phones() {
        assert_eq!(phone("13812345678"), Support::Strong);
        assert_eq!(phone("+86 13812345678"), Support::Strong);
        assert_eq!(phone("0086-13812345678"), Support::Strong);
        assert_eq!(phone("12812345678"), Support::Weak);
        assert_eq!(phone("+447700900123"), Support::Weak);
        assert_eq!(phone("1700000000000"), Support::No);
    }

    #[test]
    fn resident_id_check_character() {
        assert_eq!(cn_resident_id("11010519491231002X"), Support::Strong);
        assert_eq!(cn_resident_id("110105194912310021"), Support::No);
        assert_eq!(cn_resident_id("11010519491331002X"), Support::No); // month 13
    }

    #[test]
    fn bank_cards_need_a_scheme() {
        assert_eq!(bank_card("6222021234567890128"), Support::Strong);
        assert_eq!(bank_card("4111111111111111"), Support::Strong);
        assert_eq!(bank_card("1234567812345670"), Support::No);
    }

    #[test]
    fn coordinates() {
        assert_eq!(
            lat_lng_pair("39.991957,116.310003"),
            Some((39.991957, 116.310003))
        );
        assert_eq!(
            lat_lng_pair("116.310003,39.991957"),
            Some((39.991957, 116.310003))
        );
        assert_eq!(lat_lng_pair("12.5,3.25"), None);
        assert!(coordinate("39.99", 90.0).is_none());
    }

    #[test]
    fn installed_app_lists() {
        assert_eq!(
            installed_apps(&[
                "com.tencent.mm",
                "com.sina.weibo",
                "com.eg.android.AlipayGphone"
            ]),
            Support::Strong
        );
        assert_eq!(installed_apps(&["com.example.app"]), Support::No);
        assert!(!package_name("www.example.com"));
    }

    #[test]
    fn emails() {
        assert_eq!(email("zhang.wei@example.cn"), Support::Strong);
        assert_eq!(email("a@b"), Support::No);
        assert_eq!(email("x@1.2.3.4"), Support::No);
    }
}
