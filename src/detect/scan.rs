//! The detector: walks every field of an [`Exchange`] — path, query, headers, cookies,
//! form / JSON / XML / multipart / text bodies — decoding nested layers (percent,
//! base64, hex, gzip, JSON in strings) up to a depth limit, and classifies each value
//! by its field name (from the ontology's key hints), its validated format, and the
//! device profile.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use regex::Regex;

use super::decode;
use super::profile::{DeviceProfile, ProfileMatcher};
use super::validate::{self, Support};
use crate::exchange::Exchange;
use crate::limits::Limits;
use crate::observation::{Confidence, Method, Observation};
use crate::signatures::{Ontology, normalize_key};

/// Field names that mean "this is not personal data", whatever the value looks like:
/// a Luhn-valid 16-digit `orderId` is an order, a UUID `traceId` is a trace. Matched
/// exactly, and the longer ones also as suffixes (`bizOrderId`, `parentSpanId`).
const DECOY_KEYS: [&str; 44] = [
    "id",
    "orderid",
    "orderno",
    "ordernum",
    "tradeno",
    "outtradeno",
    "transactionid",
    "txid",
    "traceid",
    "spanid",
    "requestid",
    "reqid",
    "sessionid",
    "sid",
    "msgid",
    "messageid",
    "eventid",
    "ts",
    "timestamp",
    "time",
    "t",
    "date",
    "version",
    "ver",
    "v",
    "build",
    "buildno",
    "price",
    "amount",
    "total",
    "count",
    "seq",
    "nonce",
    "sign",
    "signature",
    "checksum",
    "appkey",
    "apikey",
    "appid",
    "appsecret",
    "secret",
    "token",
    "key",
    "crc",
];

fn is_decoy_key(normalized: &str) -> bool {
    DECOY_KEYS.iter().any(|d| {
        normalized == *d || (d.len() >= 5 && normalized.len() > d.len() && normalized.ends_with(d))
    })
}

const MAX_DEPTH: u8 = 6;
const MAX_VALUES: usize = 20_000;
const MAX_TEXT_SCAN: usize = 256 << 10;

struct TypeInfo {
    id: String,
    detector: Option<String>,
}

/// A type a key points at.
#[derive(Clone, Copy)]
struct KeyRule {
    type_index: usize,
    /// An ambiguous key: needs the value to pass the type's detector.
    weak: bool,
}

/// Compiled detection knowledge.
pub struct Detector {
    types: Vec<TypeInfo>,
    exact_keys: HashMap<String, Vec<KeyRule>>,
    /// Keys long enough to be recognised inside longer field names (`userPhone`).
    affix_keys: Vec<(String, KeyRule)>,
    /// Types whose format is checked on every value, with or without a key.
    format_types: Vec<usize>,
    profile: Option<ProfileMatcher>,
    profile_location: Option<(f64, f64)>,
    limits: Limits,
    text_pairs: Regex,
    tokens: Regex,
}

/// One finding inside a request, before it becomes an [`Observation`].
#[derive(Debug, Clone)]
struct Hit {
    type_index: usize,
    field: String,
    encoding: Vec<&'static str>,
    value: String,
    confidence: Confidence,
    method: Method,
}

/// Detectors strong enough to fire on a value alone (no key, no profile).
const FORMAT_DETECTORS: [&str; 9] = [
    "imei",
    "imsi",
    "iccid",
    "mac",
    "phone",
    "email",
    "cn_resident_id",
    "bank_card",
    "installed_apps",
];

impl Detector {
    pub fn new(ontology: &Ontology, profile: Option<&DeviceProfile>, limits: &Limits) -> Detector {
        let mut types = Vec::new();
        let mut exact_keys: HashMap<String, Vec<KeyRule>> = HashMap::new();
        let mut affix_keys = Vec::new();
        let mut format_types = Vec::new();
        for t in &ontology.types {
            let index = types.len();
            types.push(TypeInfo {
                id: t.id.clone(),
                detector: t.detector.clone(),
            });
            for (keys, weak) in [(&t.keys, false), (&t.weak_keys, true)] {
                for k in keys {
                    let nk = normalize_key(k);
                    if nk.is_empty() {
                        continue;
                    }
                    let rule = KeyRule {
                        type_index: index,
                        weak,
                    };
                    exact_keys.entry(nk.clone()).or_default().push(rule);
                    if !weak && nk.len() >= 4 {
                        affix_keys.push((nk, rule));
                    }
                }
            }
            if let Some(d) = &t.detector {
                // The network.wifi.bssid type uses the MAC validator but only with a key.
                if FORMAT_DETECTORS.contains(&d.as_str())
                    && !t.id.contains("bssid")
                    && t.id != "device.identifier.bt_mac"
                {
                    format_types.push(index);
                }
            }
        }
        let profile_location =
            profile.and_then(|p| p.location.as_ref().map(|l| (l.latitude, l.longitude)));
        Detector {
            types,
            exact_keys,
            affix_keys,
            format_types,
            profile: profile.and_then(ProfileMatcher::new),
            profile_location,
            limits: limits.clone(),
            // key=value and "key": value pairs inside free text.
            text_pairs: Regex::new(r#"(?i)["']?([a-z_][a-z0-9_.\-]{0,40})["']?\s*[=:]\s*["']?([^\s&;,"'<>{}\[\]]{1,256})"#)
                .unwrap_or_else(|e| panic!("built-in regex: {e}")),
            tokens: Regex::new(r"[A-Za-z0-9@._:+\-]{6,256}").unwrap_or_else(|e| panic!("built-in regex: {e}")),
        }
    }

    /// All personal data in one request.
    pub fn scan(&self, x: &Exchange) -> Vec<Observation> {
        let mut walk = Walk {
            det: self,
            hits: Vec::new(),
            values: 0,
            path_key: None,
            in_cookie: false,
        };
        walk.exchange(x);
        let hits = dedupe(walk.hits);
        let host = x.host();
        hits.into_iter()
            .map(|h| Observation {
                data_type: self.types[h.type_index].id.clone(),
                host: host.clone(),
                method: x.method.clone(),
                uri: x.uri.clone(),
                field: h.field,
                encoding: h.encoding.iter().map(|s| s.to_string()).collect(),
                value: h.value,
                confidence: h.confidence,
                detected_by: h.method,
                file: x.file.clone(),
                frame: x.frame,
                last_frame: x.last_frame.max(x.frame),
                ts: x.ts,
                src: x.src,
                dst: x.dst,
                transport: x.transport,
                scheme: x.scheme,
                app: x.app.clone(),
                party: None,
            })
            .collect()
    }

    fn type_index(&self, id: &str) -> Option<usize> {
        self.types.iter().position(|t| t.id == id)
    }

    /// Types the field name points at, and whether it named one exactly.
    fn key_rules(&self, key: &str) -> (Vec<KeyRule>, bool) {
        let nk = normalize_key(key);
        if nk.is_empty() {
            return (Vec::new(), false);
        }
        if let Some(rules) = self.exact_keys.get(&nk) {
            let exact = rules.iter().any(|r| !r.weak);
            let mut rules = rules.clone();
            rules.extend(self.person_name_rule(&nk));
            return (rules, exact);
        }
        if is_decoy_key(&nk) {
            return (Vec::new(), false);
        }
        let mut out = self.affix_rules(&nk);
        out.extend(self.person_name_rule(&nk));
        (out, false)
    }

    /// `userName`, `x-user-name`, `full_name`: a person's name when the value looks
    /// like one (two to four Han characters, or capitalised given and family names).
    fn person_name_rule(&self, nk: &str) -> Option<KeyRule> {
        if !nk.ends_with("name") || NOT_PERSON_NAMES.iter().any(|n| nk.ends_with(n)) {
            return None;
        }
        let t = self.type_index("identity.name")?;
        Some(KeyRule {
            type_index: t,
            weak: true,
        })
    }

    fn affix_rules(&self, nk: &str) -> Vec<KeyRule> {
        // `userphone`, `imeimd5`, `deviceimei`: a known key at either end counts, but
        // only when the value passes the detector (the rule is marked weak).
        // The longest known key inside wins: `wifibssid` is a BSSID, not an SSID.
        let mut best = 0;
        let mut out = Vec::new();
        for (k, rule) in &self.affix_keys {
            if nk.len() > k.len() && (nk.starts_with(k.as_str()) || nk.ends_with(k.as_str())) {
                if k.len() > best {
                    best = k.len();
                    out.clear();
                }
                if k.len() == best {
                    out.push(KeyRule {
                        type_index: rule.type_index,
                        weak: true,
                    });
                }
            }
        }
        out
    }
}

/// Keeps one hit per (type, field), preferring the strongest evidence.
fn dedupe(mut hits: Vec<Hit>) -> Vec<Hit> {
    hits.sort_by(|a, b| {
        (a.type_index, &a.field)
            .cmp(&(b.type_index, &b.field))
            .then(b.confidence.cmp(&a.confidence))
            .then((b.method == Method::Profile).cmp(&(a.method == Method::Profile)))
    });
    let mut seen = HashSet::new();
    hits.retain(|h| seen.insert((h.type_index, h.field.clone())));
    // A value found both in a blob and in the field decoded from it is one
    // observation: keep the more precise (longer) field path.
    let snapshot: Vec<(usize, String)> = hits
        .iter()
        .map(|h| (h.type_index, h.field.clone()))
        .collect();
    hits.retain(|h| {
        !snapshot.iter().any(|(t, f)| {
            *t == h.type_index
                && f.len() > h.field.len()
                && f.starts_with(h.field.as_str())
                && matches!(f.as_bytes()[h.field.len()], b'.' | b'[')
        })
    });
    hits
}

struct Walk<'d> {
    det: &'d Detector,
    hits: Vec<Hit>,
    values: usize,
    /// The URL path segment before the current one, a key for validated types only.
    path_key: Option<String>,
    in_cookie: bool,
}

const SKIP_HEADERS: [&str; 24] = [
    "host",
    "content-length",
    "content-type",
    "content-encoding",
    "transfer-encoding",
    "accept",
    "accept-encoding",
    "accept-language",
    "accept-charset",
    "connection",
    "keep-alive",
    "cache-control",
    "pragma",
    "upgrade",
    "te",
    "date",
    "if-modified-since",
    "if-none-match",
    "expect",
    "origin",
    "sec-fetch-mode",
    "sec-fetch-site",
    "sec-fetch-dest",
    "range",
];

impl Walk<'_> {
    fn exchange(&mut self, x: &Exchange) {
        let (path, query) = match x.uri.split_once('?') {
            Some((p, q)) => (p, Some(q)),
            None => (x.uri.as_str(), None),
        };
        // Absolute URIs (proxies, HAR) carry scheme and host before the path.
        let path = match path.split_once("://") {
            Some((_, rest)) => rest.find('/').map(|i| &rest[i..]).unwrap_or(""),
            None => path,
        };
        let mut prev: Option<String> = None;
        for (i, seg) in path.split('/').filter(|s| !s.is_empty()).enumerate() {
            let decoded = decode::percent(seg, false).unwrap_or_else(|| seg.to_string());
            let field = format!("path[{i}]");
            // The segment before a value often names it (`/imei/8612…`), but only
            // values that pass a validator count: `/contacts/sync` is not contacts.
            self.path_key = prev.clone();
            self.value(&field, None, &decoded, &mut Vec::new(), 0);
            self.path_key = None;
            prev = decoded
                .bytes()
                .all(|b| b.is_ascii_alphabetic() || b == b'_' || b == b'-')
                .then_some(decoded);
        }
        if let Some(q) = query {
            self.form("query", q, &mut Vec::new(), 0);
        }
        for (name, value) in &x.headers {
            let lname = name.to_ascii_lowercase();
            if SKIP_HEADERS.contains(&lname.as_str()) || lname.starts_with(':') {
                continue;
            }
            match lname.as_str() {
                "cookie" => {
                    for part in value.split(';') {
                        let (k, v) = part.split_once('=').unwrap_or((part, ""));
                        let k = k.trim();
                        if k.is_empty() {
                            continue;
                        }
                        let v = v.trim().trim_matches('"');
                        let v = decode::percent(v, false).unwrap_or_else(|| v.to_string());
                        // Cookie names are often opaque (Google's `SSID` is a session
                        // id): free-form types need more than a cookie's name.
                        self.in_cookie = true;
                        self.value(&format!("cookie.{k}"), Some(k), &v, &mut Vec::new(), 0);
                        self.in_cookie = false;
                    }
                }
                "referer" => {
                    if let Some((_, q)) = value.split_once('?') {
                        self.form("header.referer.query", q, &mut Vec::new(), 0);
                    }
                }
                "user-agent" => {}
                _ => {
                    // `X-Device-Id` names its value like `device_id` does.
                    let key = lname.strip_prefix("x-").unwrap_or(&lname).to_string();
                    self.value(
                        &format!("header.{lname}"),
                        Some(&key),
                        value,
                        &mut Vec::new(),
                        0,
                    );
                }
            }
        }
        if !x.body.is_empty() {
            let ctype = x.header("content-type").unwrap_or("").to_ascii_lowercase();
            let mut chain: Vec<&'static str> = x
                .body_encoding
                .iter()
                .map(|e| match e.as_str() {
                    "gzip" => "gzip",
                    "deflate" => "deflate",
                    "br" => "br",
                    _ => "compressed",
                })
                .collect();
            if ctype.contains("multipart/") {
                let boundary = ctype
                    .split(';')
                    .find_map(|p| p.trim().strip_prefix("boundary="))
                    .map(|b| b.trim_matches('"').to_string());
                // The boundary's case matters: take it from the original header.
                let original = x.header("content-type").unwrap_or("");
                let boundary = original
                    .split(';')
                    .find_map(|p| {
                        let p = p.trim();
                        p.get(..9)
                            .filter(|s| s.eq_ignore_ascii_case("boundary="))
                            .map(|_| p[9..].trim_matches('"').to_string())
                    })
                    .or(boundary);
                if let Some(b) = boundary {
                    self.multipart(&x.body, &b, &mut chain);
                    return;
                }
            }
            let text = String::from_utf8_lossy(&x.body);
            self.body_text("body", &text, &ctype, &mut chain, 0);
        }
    }

    /// A body or decoded blob, dispatched by content type or by sniffing.
    fn body_text(
        &mut self,
        field: &str,
        text: &str,
        ctype: &str,
        chain: &mut Vec<&'static str>,
        depth: u8,
    ) {
        let t = text.trim_start_matches('\u{feff}').trim();
        if (ctype.contains("json") || t.starts_with('{') || t.starts_with('['))
            && let Ok(v) = serde_json::from_str::<serde_json::Value>(t)
        {
            self.json(&format!("{field}.json"), None, &v, chain, depth);
            return;
        }
        if (ctype.contains("x-www-form-urlencoded") || looks_like_form(t))
            && decode::form_pairs(t).is_some()
        {
            self.form(&format!("{field}.form"), t, chain, depth);
            return;
        }
        if (ctype.contains("xml") || t.starts_with('<'))
            && self.xml(&format!("{field}.xml"), t, chain, depth)
        {
            return;
        }
        if !t.is_empty() {
            self.value(&format!("{field}.text"), None, t, chain, depth);
        }
    }

    fn form(&mut self, prefix: &str, text: &str, chain: &mut Vec<&'static str>, depth: u8) {
        let Some(pairs) = decode::form_pairs(text) else {
            return;
        };
        self.siblings(
            prefix,
            pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())),
            chain,
        );
        for (k, v) in &pairs {
            self.value(&format!("{prefix}.{k}"), Some(k), v, chain, depth);
        }
    }

    fn json(
        &mut self,
        path: &str,
        key: Option<&str>,
        v: &serde_json::Value,
        chain: &mut Vec<&'static str>,
        depth: u8,
    ) {
        if self.values > MAX_VALUES || depth > MAX_DEPTH + 24 {
            return;
        }
        match v {
            serde_json::Value::Object(map) => {
                let scalars: Vec<(String, String)> = map
                    .iter()
                    .filter_map(|(k, v)| scalar_text(v).map(|s| (k.clone(), s)))
                    .collect();
                self.siblings(
                    path,
                    scalars.iter().map(|(k, v)| (k.as_str(), v.as_str())),
                    chain,
                );
                for (k, child) in map {
                    self.json(&format!("{path}.{k}"), Some(k), child, chain, depth + 1);
                }
            }
            serde_json::Value::Array(items) => {
                let strings: Vec<&str> = items.iter().filter_map(|i| i.as_str()).collect();
                if strings.len() >= 3 {
                    self.check_app_list(path, &strings, chain);
                }
                // Lists of app objects: [{"pkg": "com.x"}, …]
                let pkgs: Vec<&str> = items
                    .iter()
                    .filter_map(|i| {
                        i.as_object()?.iter().find_map(|(k, v)| {
                            let nk = normalize_key(k);
                            (nk.contains("pkg")
                                || nk.contains("package")
                                || nk == "bundleid"
                                || nk == "appid")
                                .then(|| v.as_str())
                                .flatten()
                        })
                    })
                    .collect();
                if pkgs.len() >= 3 {
                    self.check_app_list(path, &pkgs, chain);
                }
                for (i, child) in items.iter().enumerate().take(10_000) {
                    self.json(&format!("{path}[{i}]"), key, child, chain, depth + 1);
                }
            }
            other => {
                if let Some(s) = scalar_text(other) {
                    self.value(path, key, &s, chain, depth);
                }
            }
        }
    }

    /// A minimal XML walk: element text and attributes become fields named by their
    /// element path. Returns false if the text is not XML.
    fn xml(&mut self, prefix: &str, text: &str, chain: &mut Vec<&'static str>, depth: u8) -> bool {
        use quick_xml::events::Event;
        let mut reader = quick_xml::Reader::from_str(text);
        let mut stack: Vec<String> = Vec::new();
        let mut any = false;
        let mut leaves: Vec<(String, String, String)> = Vec::new();
        let mut events = 0;
        loop {
            events += 1;
            if events > 100_000 || stack.len() > 64 {
                break;
            }
            match reader.read_event() {
                Ok(Event::Start(e)) => {
                    any = true;
                    let path = xml_path(prefix, &stack, &e);
                    leaves.extend(xml_attributes(&path, &e));
                    stack.push(path);
                }
                Ok(Event::Empty(e)) => {
                    any = true;
                    let path = xml_path(prefix, &stack, &e);
                    leaves.extend(xml_attributes(&path, &e));
                }
                Ok(Event::End(_)) => {
                    stack.pop();
                }
                Ok(Event::Text(t)) => {
                    let value = quick_xml::escape::unescape(&t)
                        .map(|c| c.into_owned())
                        .unwrap_or_else(|_| t.to_string());
                    let value = value.trim().to_string();
                    if !value.is_empty()
                        && let Some(path) = stack.last()
                    {
                        let key = path.rsplit('.').next().unwrap_or("").to_string();
                        leaves.push((path.clone(), key, value));
                    }
                }
                Ok(Event::CData(t)) => {
                    let value = t.trim().to_string();
                    if let Some(path) = stack.last() {
                        let key = path.rsplit('.').next().unwrap_or("").to_string();
                        leaves.push((path.clone(), key, value));
                    }
                }
                Ok(Event::Eof) => break,
                Err(_) => break,
                _ => {}
            }
        }
        if !any {
            return false;
        }
        for (path, key, value) in leaves {
            self.value(&path, Some(&key), &value, chain, depth);
        }
        true
    }

    fn multipart(&mut self, body: &[u8], boundary: &str, chain: &mut Vec<&'static str>) {
        let delim = format!("--{boundary}");
        let finder = memchr::memmem::Finder::new(delim.as_bytes());
        let starts: Vec<usize> = finder.find_iter(body).take(1001).collect();
        for (i, w) in starts.windows(2).enumerate() {
            let part = &body[w[0] + delim.len()..w[1]];
            let part = part
                .strip_prefix(b"\r\n")
                .or_else(|| part.strip_prefix(b"\n"))
                .unwrap_or(part);
            let (head, content) = match memchr::memmem::find(part, b"\r\n\r\n") {
                Some(at) => (&part[..at], &part[at + 4..]),
                None => match memchr::memmem::find(part, b"\n\n") {
                    Some(at) => (&part[..at], &part[at + 2..]),
                    None => (&part[..0], part),
                },
            };
            let content = content
                .strip_suffix(b"\r\n")
                .or_else(|| content.strip_suffix(b"\n"))
                .unwrap_or(content);
            let head = String::from_utf8_lossy(head);
            let mut name = format!("part{i}");
            let mut ctype = String::new();
            let mut encoding = String::new();
            for line in head.lines() {
                let Some((k, v)) = line.split_once(':') else {
                    continue;
                };
                match k.trim().to_ascii_lowercase().as_str() {
                    "content-disposition" => {
                        if let Some(n) = v.split(';').find_map(|p| p.trim().strip_prefix("name=")) {
                            name = n.trim().trim_matches('"').to_string();
                        }
                    }
                    "content-type" => ctype = v.trim().to_ascii_lowercase(),
                    "content-encoding" => encoding = v.trim().to_ascii_lowercase(),
                    _ => {}
                }
            }
            let field = format!("body.multipart.{name}");
            // A part may be compressed (by header or by magic bytes).
            let mut layers = 0;
            let bytes = match crate::codec::Compression::from_content_encoding(&encoding)
                .or_else(|| crate::codec::sniff(content))
            {
                Some(kind) => match crate::codec::decompress(
                    kind,
                    content,
                    self.det.limits.decompressed_bytes,
                    self.det.limits.decompression_ratio,
                ) {
                    Ok(plain) => {
                        chain.push(kind.name());
                        layers = 1;
                        plain
                    }
                    Err(_) => content.to_vec(),
                },
                None => content.to_vec(),
            };
            let text = String::from_utf8_lossy(&bytes);
            let t = text.trim();
            if ctype.contains("json")
                || ctype.contains("xml")
                || t.starts_with('{')
                || t.starts_with('[')
                || t.starts_with('<')
            {
                let before = self.hits.len();
                self.body_text(&field, t, &ctype, chain, 0);
                // body_text names fields `<field>.json…`; multipart parts read better
                // as `body.multipart.<name>.<path>`.
                for h in &mut self.hits[before..] {
                    for kind in [".json", ".xml", ".form", ".text"] {
                        let from = format!("{field}{kind}");
                        if h.field.starts_with(&from) {
                            h.field = format!("{field}{}", &h.field[from.len()..]);
                            break;
                        }
                    }
                }
            } else {
                self.value(&field, Some(&name), t, chain, 0);
            }
            for _ in 0..layers {
                chain.pop();
            }
        }
    }

    /// lat/lng or lac/cid given as sibling fields of one object or form.
    fn siblings<'a>(
        &mut self,
        prefix: &str,
        pairs: impl Iterator<Item = (&'a str, &'a str)>,
        chain: &[&'static str],
    ) {
        let mut lat = None;
        let mut lng = None;
        let mut lac = None;
        let mut cid = None;
        for (k, v) in pairs {
            let nk = normalize_key(k);
            match nk.as_str() {
                "lat" | "latitude" | "wd" | "gpslat" | "la" => {
                    lat = validate::coordinate(v, 90.0).map(|x| (x, v))
                }
                "lng" | "lon" | "long" | "longitude" | "jd" | "gpslng" | "gpslon" | "lo" => {
                    lng = validate::coordinate(v, 180.0).map(|x| (x, v))
                }
                "lac" | "tac" | "lacid" => lac = Some(v),
                "cid" | "cellid" | "ci" | "cellidentity" => cid = Some(v),
                _ => {}
            }
        }
        if let (Some((_, a)), Some((_, b))) = (lat, lng)
            && let Some(t) = self.det.type_index("location.precise")
        {
            self.hit(
                t,
                &format!("{prefix}.{{lat,lng}}"),
                chain,
                &format!("{a},{b}"),
                Confidence::High,
                Method::Key,
            );
        }
        if let (Some(a), Some(b)) = (lac, cid)
            && validate::cell_id(a) != Support::No
            && validate::cell_id(b) != Support::No
            && let Some(t) = self.det.type_index("network.cell")
        {
            self.hit(
                t,
                &format!("{prefix}.{{lac,cid}}"),
                chain,
                &format!("{a},{b}"),
                Confidence::High,
                Method::Key,
            );
        }
    }

    fn check_app_list(&mut self, path: &str, items: &[&str], chain: &[&'static str]) {
        if validate::installed_apps(items) == Support::Strong
            && let Some(t) = self.det.type_index("app.installed_list")
        {
            let joined = items.iter().take(20).copied().collect::<Vec<_>>().join(",");
            self.hit(t, path, chain, &joined, Confidence::High, Method::Format);
        }
    }

    fn hit(
        &mut self,
        type_index: usize,
        field: &str,
        chain: &[&'static str],
        value: &str,
        confidence: Confidence,
        method: Method,
    ) {
        self.hits.push(Hit {
            type_index,
            field: field.to_string(),
            encoding: chain.to_vec(),
            value: value.to_string(),
            confidence,
            method,
        });
    }

    /// One value: classify it, then look inside it.
    fn value(
        &mut self,
        field: &str,
        key: Option<&str>,
        value: &str,
        chain: &mut Vec<&'static str>,
        depth: u8,
    ) {
        self.values += 1;
        if self.values > MAX_VALUES || value.is_empty() {
            return;
        }
        let value = value.trim();
        self.classify(field, key, value, chain);
        self.profile(field, value, chain);
        if depth >= MAX_DEPTH || value.len() < 8 {
            return;
        }
        // JSON inside a string value.
        let t = value.trim();
        if ((t.starts_with('{') && t.ends_with('}')) || (t.starts_with('[') && t.ends_with(']')))
            && let Ok(v) = serde_json::from_str::<serde_json::Value>(t)
            && (v.is_object() || v.is_array())
        {
            chain.push("json");
            self.json(field, key, &v, chain, depth + 1);
            chain.pop();
            return;
        }
        for d in decode::decode_layers(
            value,
            self.det.limits.decompressed_bytes,
            self.det.limits.decompression_ratio,
        ) {
            let before = chain.len();
            chain.extend(decode::layer_names(d.layer));
            self.decoded(field, key, &d.text, chain, depth + 1);
            chain.truncate(before);
        }
        // Several values in one string: "imei=…;mac=…", free text, lists.
        let one_token = value.bytes().all(|b| {
            b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b'_' | b'-' | b'.')
        });
        if value.len() >= 12 && !one_token {
            self.free_text(field, value, chain, depth);
        }
    }

    /// Text that came out of a decoder: structured (JSON, form) or a single value.
    fn decoded(
        &mut self,
        field: &str,
        key: Option<&str>,
        text: &str,
        chain: &mut Vec<&'static str>,
        depth: u8,
    ) {
        let t = text.trim();
        if (t.starts_with('{') || t.starts_with('['))
            && let Ok(v) = serde_json::from_str::<serde_json::Value>(t)
        {
            chain.push("json");
            self.json(field, key, &v, chain, depth);
            chain.pop();
            return;
        }
        if decode::form_pairs(t)
            .is_some_and(|p| p.len() >= 2 || t.split_once('=').is_some_and(|(k, _)| k.len() <= 40))
            && !t.contains(' ')
        {
            chain.push("form");
            self.form(field, t, chain, depth);
            chain.pop();
            return;
        }
        self.value(field, key, t, chain, depth);
    }

    /// key=value pairs and standalone tokens inside a longer string: `k=v|k=v`,
    /// `k:v` lines, `"k": "v"` fragments, lists, free prose.
    fn free_text(&mut self, field: &str, text: &str, chain: &mut Vec<&'static str>, depth: u8) {
        let text = &text[..text.floor_char_boundary(MAX_TEXT_SCAN)];
        let mut pairs: Vec<(String, String, std::ops::Range<usize>)> = Vec::new();
        let mut start = 0;
        for (i, c) in text
            .char_indices()
            .chain(std::iter::once((text.len(), '\n')))
        {
            if matches!(c, '\n' | '\r' | '&' | '|' | ';') {
                let seg = &text[start..i];
                if let Some((k, v)) = split_pair(seg) {
                    let offset = v.as_ptr() as usize - text.as_ptr() as usize;
                    pairs.push((k.to_string(), v.to_string(), offset..offset + v.len()));
                }
                start = i + c.len_utf8();
            }
        }
        if pairs.is_empty() {
            for c in self.det.text_pairs.captures_iter(text) {
                if let (Some(k), Some(v)) = (c.get(1), c.get(2)) {
                    pairs.push((k.as_str().to_string(), v.as_str().to_string(), v.range()));
                }
            }
        }
        self.siblings(
            field,
            pairs.iter().map(|(k, v, _)| (k.as_str(), v.as_str())),
            chain,
        );
        for (k, v, _) in &pairs {
            self.value(&format!("{field}.{k}"), Some(k), v, chain, depth + 1);
        }
        // Tokens outside the pairs: identifiers in prose or in unnamed positions.
        for m in self.det.tokens.find_iter(text) {
            if pairs
                .iter()
                .any(|(_, _, r)| r.start < m.end() && m.start() < r.end)
            {
                continue;
            }
            let token = m
                .as_str()
                .trim_matches(|c| c == '.' || c == ':' || c == '-');
            if token.len() >= 6 && token.len() < text.len() {
                self.classify(field, None, token, chain);
            }
        }
        // Comma-separated package lists.
        let items: Vec<&str> = text.split([',', ';', '|', '\n']).map(str::trim).collect();
        if items.len() >= 3 {
            self.check_app_list(field, &items, chain);
        }
    }

    fn profile(&mut self, field: &str, value: &str, chain: &[&'static str]) {
        let Some(m) = &self.det.profile else {
            return;
        };
        for h in m.find(value) {
            if let Some(t) = self.det.type_index(&h.data_type) {
                let mut c = chain.to_vec();
                if let Some(layer) = h.form.layer() {
                    c.push(layer);
                }
                self.hits.push(Hit {
                    type_index: t,
                    field: field.to_string(),
                    encoding: c,
                    value: h.value,
                    confidence: Confidence::High,
                    method: Method::Profile,
                });
            }
        }
        if let Some((lat, lng)) = self.det.profile_location
            && let Some((a, b)) = validate::lat_lng_pair(value)
            && (a - lat).abs() < 0.01
            && (b - lng).abs() < 0.01
            && let Some(t) = self.det.type_index("location.precise")
        {
            self.hit(t, field, chain, value, Confidence::High, Method::Profile);
        }
    }

    /// Which data types this (key, value) is.
    fn classify(&mut self, field: &str, key: Option<&str>, value: &str, chain: &[&'static str]) {
        if value.len() > 4096 {
            return;
        }
        let mut keyed_detectors: Vec<String> = Vec::new();
        // A field that names a data type exactly (`lat`, `userName`) says what the
        // value is: a Luhn-valid number under `lat` is not an IMEI.
        let mut named_exactly = false;
        let path_key = self.path_key.clone();
        let (key, path_only) = match (key, path_key.as_deref()) {
            (Some(k), _) => (Some(k), false),
            (None, Some(p)) => (Some(p), true),
            (None, None) => (None, false),
        };
        if let Some(k) = key {
            let nk = normalize_key(k);
            let hashed = hash_layer(&nk, value);
            let (rules, exact) = self.det.key_rules(k);
            named_exactly = exact;
            for rule in rules {
                let t = &self.det.types[rule.type_index];
                if let Some(layer) = hashed {
                    // `imei_md5: 5d41…`: the key names both the type and the hash.
                    let mut c = chain.to_vec();
                    c.push(layer);
                    self.hits.push(Hit {
                        type_index: rule.type_index,
                        field: field.to_string(),
                        encoding: c,
                        value: value.to_string(),
                        confidence: Confidence::Medium,
                        method: Method::Key,
                    });
                    continue;
                }
                let support = match &t.detector {
                    Some(d)
                        if self.in_cookie
                            && matches!(
                                d.as_str(),
                                "ssid" | "password" | "device_model" | "os_version"
                            ) =>
                    {
                        Support::No
                    }
                    Some(d) => {
                        let support = validate::check(d, value);
                        if rule.weak
                            && validate::needs_strong_under_weak_key(d)
                            && support != Support::Strong
                        {
                            Support::No
                        } else if support == Support::Weak
                            && validate::shape_only(d)
                            && validate::stronger_type(value).is_some()
                        {
                            // The value is a stronger type; that type only.
                            Support::No
                        } else {
                            support
                        }
                    }
                    None if self.in_cookie => Support::No,
                    None if path_only || rule.weak => Support::No,
                    None if validate::is_placeholder(value)
                        || value.len() > 256
                        || value.chars().count() < 2 =>
                    {
                        Support::No
                    }
                    None => Support::Weak,
                };
                if support == Support::No {
                    continue;
                }
                let confidence = if support == Support::Strong {
                    Confidence::High
                } else {
                    Confidence::Medium
                };
                if let Some(d) = &t.detector {
                    keyed_detectors.push(d.clone());
                }
                self.hit(
                    rule.type_index,
                    field,
                    chain,
                    value,
                    confidence,
                    Method::Key,
                );
            }
        }
        let vetoed = key.is_some_and(|k| is_decoy_key(&normalize_key(k)));
        if vetoed || (named_exactly && !path_only) {
            return;
        }
        for &ti in &self.det.format_types {
            let Some(d) = self.det.types[ti].detector.as_deref() else {
                continue;
            };
            if keyed_detectors.iter().any(|k| family(k) == family(d)) || d == "installed_apps" {
                continue;
            }
            // A bare URL path segment is usually a resource id: only formats that
            // cannot be an id count there without a naming segment before them.
            if (path_only || (key.is_none() && field.starts_with("path[")))
                && !matches!(d, "iccid" | "mac" | "email" | "cn_resident_id")
            {
                continue;
            }
            if validate::check(d, value) == Support::Strong {
                self.hit(ti, field, chain, value, Confidence::High, Method::Format);
            }
        }
    }
}

fn xml_path(prefix: &str, stack: &[String], e: &quick_xml::events::BytesStart<'_>) -> String {
    let name = e.local_name().as_ref().to_string();
    format!(
        "{}.{name}",
        stack.last().map(String::as_str).unwrap_or(prefix)
    )
}

fn xml_attributes(
    path: &str,
    e: &quick_xml::events::BytesStart<'_>,
) -> Vec<(String, String, String)> {
    e.attributes()
        .flatten()
        .take(64)
        .map(|attr| {
            let k = attr.key.local_name().as_ref().to_string();
            let v = attr
                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map(|c| c.into_owned())
                .unwrap_or_else(|_| attr.value.to_string());
            (format!("{path}@{k}"), k, v)
        })
        .collect()
}

/// Names that are not people's names.
const NOT_PERSON_NAMES: [&str; 22] = [
    "filename",
    "hostname",
    "appname",
    "packagename",
    "pkgname",
    "devicename",
    "brandname",
    "modelname",
    "wifiname",
    "ssidname",
    "networkname",
    "osname",
    "nickname",
    "servername",
    "domainname",
    "eventname",
    "pagename",
    "classname",
    "methodname",
    "bundlename",
    "channelname",
    "productname",
];

/// Validators that recognise the same kind of value (a BSSID is a MAC address).
fn family(detector: &str) -> &str {
    match detector {
        "bssid" => "mac",
        other => other,
    }
}

/// `a=1&b=2` with one `=` per pair and no spaces or other separators.
fn looks_like_form(t: &str) -> bool {
    !t.is_empty()
        && !t.contains([' ', '\n', '|'])
        && t.split('&')
            .all(|p| p.matches('=').count() == 1 && !p.starts_with('='))
}

/// Splits `key=value` or `key: value` at the first separator; the key must look like
/// a field name.
fn split_pair(seg: &str) -> Option<(&str, &str)> {
    let at = seg.find(['=', ':'])?;
    let key = seg[..at].trim().trim_matches(|c| c == '"' || c == '\'');
    let value = seg[at + 1..]
        .trim()
        .trim_matches(|c| c == '"' || c == '\'' || c == ',');
    let mut chars = key.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '$');
    let rest_ok = key.len() <= 48
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '$'));
    (first_ok && rest_ok && !value.is_empty()).then_some((key, value))
}

/// A hex digest under a key that says so (`imei_md5`, `macSha1`, `phoneHash`).
fn hash_layer(normalized_key: &str, value: &str) -> Option<&'static str> {
    let v = value.trim();
    if !v.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let by_len = match v.len() {
        32 => "md5",
        40 => "sha1",
        64 => "sha256",
        _ => return None,
    };
    let named = ["md5", "sha1", "sha256", "sha", "hash", "digest"]
        .iter()
        .any(|h| normalized_key.contains(h));
    named.then_some(by_len)
}

fn scalar_text(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Convenience for tests and single requests: a detector with the built-in ontology.
pub fn builtin_detector(profile: Option<&DeviceProfile>) -> Arc<Detector> {
    Arc::new(Detector::new(
        &Ontology::builtin(),
        profile,
        &Limits::default(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exchange::Transport;
    use base64::Engine as _;
    use std::io::Write;

    fn exchange(uri: &str, headers: &[(&str, &str)], body: &[u8]) -> Exchange {
        Exchange {
            file: Arc::from("t"),
            frame: 1,
            last_frame: 1,
            ts: crate::time::Timestamp(0),
            src: None,
            dst: None,
            transport: Transport::Http,
            scheme: Some("http"),
            method: "POST".into(),
            uri: uri.into(),
            version: "HTTP/1.1".into(),
            headers: headers
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            body: body.to_vec(),
            body_encoding: Vec::new(),
            body_wire_len: body.len() as u64,
            body_truncated: false,
            status: None,
            response_content_type: None,
            app: None,
            partial: false,
        }
    }

    fn types(x: &Exchange, profile: Option<&DeviceProfile>) -> Vec<(String, String, Vec<String>)> {
        let det = builtin_detector(profile);
        let mut v: Vec<_> = det
            .scan(x)
            .into_iter()
            .map(|o| (o.data_type, o.field, o.encoding))
            .collect();
        v.sort();
        v
    }

    fn has(found: &[(String, String, Vec<String>)], t: &str) -> bool {
        found.iter().any(|(d, _, _)| d == t)
    }

    #[test]
    fn query_header_cookie_form_and_json() {
        let x = exchange(
            "/v1/r?imei=490154203237518&mobile=%2B8613812345678",
            &[("X-Device-Mac", "ac:37:43:4d:9b:1e"), ("Cookie", "uid=1; email=zhang.wei%40example.cn")],
            br#"{"device":{"imsi":"460001234567890","loc":{"lat":"39.991957","lng":"116.310003"}}}"#,
        );
        let found = types(&x, None);
        for t in [
            "device.identifier.imei",
            "contact.phone_number",
            "device.identifier.mac",
            "contact.email",
            "device.sim.imsi",
            "location.precise",
        ] {
            assert!(has(&found, t), "{t} missing in {found:#?}");
        }
        assert!(found.iter().any(|(_, f, _)| f == "body.json.device.imsi"));
    }

    #[test]
    fn decoys_are_not_personal_data() {
        let x = exchange(
            "/api?orderId=6222021234567890128&traceId=3f6c1b2a-9d4e-4c1a-8b7f-2a9e0c4d5b6f&ts=1700000000123&v=12.4.1",
            &[("X-Request-Id", "5d41402abc4b2a76b9719d911017c592")],
            br#"{"price":39.99,"ratio":116.5,"sessionId":"9c1e4b7a-1111-4a2b-9c3d-5e6f7a8b9c0d","build":"1.0.0.1","n":"123456789012347"}"#,
        );
        let found = types(&x, None);
        assert!(found.is_empty(), "false positives: {found:#?}");
    }

    #[test]
    fn sees_through_base64_gzip_and_double_json() {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(br#"{"iccid":"89860318640220133897"}"#)
            .unwrap();
        let blob = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(gz.finish().unwrap());
        let inner = serde_json::json!({"payload": "{\"email\":\"li.na@example.com\"}", "d": blob})
            .to_string();
        let form = format!(
            "data={}",
            percent_encoding::utf8_percent_encode(&inner, percent_encoding::NON_ALPHANUMERIC)
        );
        let x = exchange(
            "/u",
            &[("Content-Type", "application/x-www-form-urlencoded")],
            form.as_bytes(),
        );
        let found = types(&x, None);
        let iccid = found
            .iter()
            .find(|(d, _, _)| d == "device.sim.iccid")
            .expect("iccid");
        assert_eq!(iccid.2, vec!["json", "base64", "gzip", "json"]);
        assert!(has(&found, "contact.email"));
    }

    #[test]
    fn weak_formats_need_a_key() {
        let keyed = exchange(
            "/a?android_id=3f8a6c2e91b7d054&gaid=38400000-8cf0-11bd-b23e-10b96e40000d",
            &[],
            b"",
        );
        let found = types(&keyed, None);
        assert!(has(&found, "device.identifier.android_id"));
        assert!(has(&found, "device.identifier.gaid"));
        let bare = exchange(
            "/a?x=3f8a6c2e91b7d054&trace=38400000-8cf0-11bd-b23e-10b96e40000d",
            &[],
            b"",
        );
        assert!(types(&bare, None).is_empty());
    }

    #[test]
    fn an_ambiguous_key_does_not_make_a_stronger_type_weaker() {
        // The issue's case: a Luhn-valid 15-digit `did` is an IMEI, not an Android ID.
        let imei = exchange("/a?did=861234567890127", &[], b"");
        let found = types(&imei, None);
        assert!(has(&found, "device.identifier.imei"), "{found:?}");
        assert!(!has(&found, "device.identifier.android_id"), "{found:?}");
        // 16 hex digits under `did` are an Android ID; 15 are nothing.
        let aid = types(&exchange("/a?did=3f8a6c2e91b7d054", &[], b""), None);
        assert!(has(&aid, "device.identifier.android_id"), "{aid:?}");
        assert!(types(&exchange("/a?did=3f8a6c2e91b7d05", &[], b""), None).is_empty());
        // A bank card under `did` is a bank card; an all-digit `sn` is no serial; a
        // bad check digit under an ambiguous key is no IMEI.
        let card = types(&exchange("/a?did=6222021234567894", &[], b""), None);
        assert!(has(&card, "financial.bank_card"), "{card:?}");
        assert!(!has(&card, "device.identifier.android_id"), "{card:?}");
        assert!(types(&exchange("/a?sn=2023110800", &[], b""), None).is_empty());
        assert!(types(&exchange("/a?deviceid=861234567890124", &[], b""), None).is_empty());
        // Under the type's own key the weak answer still counts.
        let own = types(&exchange("/a?imei=861234567890124", &[], b""), None);
        assert!(has(&own, "device.identifier.imei"), "{own:?}");
    }

    #[test]
    fn profile_finds_hashes_without_keys() {
        let profile: DeviceProfile = toml::from_str(
            "[identifiers]\n\"device.identifier.android_id\" = \"3f8a6c2e91b7d054\"\n\"device.identifier.imei\" = \"866910041573828\"\n",
        )
        .unwrap();
        let md5 = "9250eb82f10369c2c6d8500551c30355"; // md5("866910041573828")
        let x = exchange(
            &format!("/a?x=3f8a6c2e91b7d054&h={}", md5.to_uppercase()),
            &[],
            b"",
        );
        let found = types(&x, Some(&profile));
        assert!(has(&found, "device.identifier.android_id"));
        let imei = found
            .iter()
            .find(|(d, _, _)| d == "device.identifier.imei")
            .expect("hashed imei");
        assert_eq!(imei.2, vec!["md5"]);
    }

    #[test]
    fn installed_app_lists_and_xml() {
        let x = exchange(
            "/a",
            &[("Content-Type", "text/xml")],
            b"<req><apps>com.tencent.mm,com.sina.weibo,com.eg.android.AlipayGphone</apps><phone>13912345678</phone></req>",
        );
        let found = types(&x, None);
        assert!(has(&found, "app.installed_list"), "{found:#?}");
        assert!(has(&found, "contact.phone_number"));
    }

    #[test]
    fn hostile_nesting_stays_bounded() {
        let mut v = String::from("13812345678");
        for _ in 0..40 {
            v = base64::engine::general_purpose::STANDARD.encode(format!("{{\"a\":\"{v}\"}}"));
        }
        let deep = format!("{}1{}", "[".repeat(5000), "]".repeat(5000));
        let x = exchange(&format!("/a?d={v}"), &[], deep.as_bytes());
        let _ = types(&x, None);
    }
}
