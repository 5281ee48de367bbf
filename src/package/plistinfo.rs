//! iOS package facts: `Info.plist`, privacy manifests (`PrivacyInfo.xcprivacy`)
//! and bundled frameworks of an IPA.
//!
//! Property lists are not read into `plist::Value`: a binary plist is a graph,
//! and while the `plist` crate rejects reference cycles, an object shared many
//! times over ("billion laughs") expands without bound, and a deeply nested
//! value would overflow the stack when dropped. Instead the crate's serde
//! deserializer, which pulls events lazily, drives a visitor here that stops at
//! a depth, value-count and byte budget before anything big is built.

use std::cell::Cell;
use std::collections::HashSet;
use std::fmt;
use std::io::{Read, Seek};
use std::path::Path;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

use super::zipread::{ZipLimits, ZipReadError, ZipReader};

/// Deepest nesting accepted; real plists stay under ten levels.
const MAX_DEPTH: usize = 128;
/// Most values (scalars, keys and collections) one plist may expand to; an
/// IPA shares twice this between all its plists.
const MAX_VALUES: usize = 1_000_000;
/// Most bytes of strings, keys and data one plist may expand to.
const MAX_TEXT_BYTES: usize = 64 * 1024 * 1024;
/// Cap on `Info.plist` and privacy manifests read from an IPA.
const MAX_PLIST_FILE_BYTES: u64 = 16 * 1024 * 1024;
const MAX_WARNINGS: usize = 200;

/// Why a property list could not be read.
#[derive(Debug, thiserror::Error)]
pub enum PlistError {
    #[error("not a readable property list: {0}")]
    Parse(#[source] plist::Error),
    #[error("property list nests deeper than {0} levels")]
    TooDeep(usize),
    #[error("property list expands to more than {0} values")]
    TooManyValues(usize),
    #[error("property list expands to more than {0} bytes of text and data")]
    TooLarge(usize),
    #[error("property list root is {0}, not a dictionary")]
    NotADictionary(&'static str),
}

/// A property-list value of bounded size and depth. Dates arrive as their
/// ISO 8601 text and UIDs as integers, which is all an audit needs of them.
#[derive(Debug, Clone, PartialEq)]
pub enum PlistValue {
    String(String),
    Boolean(bool),
    Integer(i128),
    Real(f64),
    Data(Vec<u8>),
    Array(Vec<PlistValue>),
    /// Keys in file order; a repeated key keeps every occurrence.
    Dictionary(Vec<(String, PlistValue)>),
}

impl PlistValue {
    /// The first value under `key` when this is a dictionary.
    pub fn get(&self, key: &str) -> Option<&PlistValue> {
        match self {
            PlistValue::Dictionary(entries) => {
                entries.iter().find(|(k, _)| k == key).map(|(_, v)| v)
            }
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            PlistValue::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            PlistValue::Boolean(b) => Some(*b),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[PlistValue]> {
        match self {
            PlistValue::Array(a) => Some(a),
            _ => None,
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            PlistValue::String(_) => "a string",
            PlistValue::Boolean(_) => "a boolean",
            PlistValue::Integer(_) => "an integer",
            PlistValue::Real(_) => "a real",
            PlistValue::Data(_) => "data",
            PlistValue::Array(_) => "an array",
            PlistValue::Dictionary(_) => "a dictionary",
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum LimitHit {
    Depth,
    Values,
    Text,
}

// The plist crate only accepts a `Deserialize` type, not a seed, so the
// budget of the parse in progress lives here rather than in the visitor.
thread_local! {
    static VALUES_LEFT: Cell<usize> = const { Cell::new(0) };
    static TEXT_LEFT: Cell<usize> = const { Cell::new(0) };
    static LIMIT_HIT: Cell<Option<LimitHit>> = const { Cell::new(None) };
}

fn spend<E: de::Error>(values: usize, text: usize) -> Result<(), E> {
    let values_ok = VALUES_LEFT.with(|left| match left.get().checked_sub(values) {
        Some(rest) => {
            left.set(rest);
            true
        }
        None => false,
    });
    if !values_ok {
        return Err(limit_hit(LimitHit::Values));
    }
    let text_ok = TEXT_LEFT.with(|left| match left.get().checked_sub(text) {
        Some(rest) => {
            left.set(rest);
            true
        }
        None => false,
    });
    if !text_ok {
        return Err(limit_hit(LimitHit::Text));
    }
    Ok(())
}

fn limit_hit<E: de::Error>(hit: LimitHit) -> E {
    LIMIT_HIT.with(|h| h.set(Some(hit)));
    E::custom("property list limit exceeded")
}

/// Root wrapper whose `Deserialize` starts the bounded visitor at depth 0.
struct Bounded(PlistValue);

impl<'de> Deserialize<'de> for Bounded {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer
            .deserialize_any(ValueVisitor { depth: 0 })
            .map(Bounded)
    }
}

#[derive(Clone, Copy)]
struct ValueVisitor {
    depth: usize,
}

impl<'de> de::DeserializeSeed<'de> for ValueVisitor {
    type Value = PlistValue;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<PlistValue, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl ValueVisitor {
    /// The visitor for the children of a collection, refused past the depth
    /// limit before the deserializer recurses any further.
    fn child<E: de::Error>(self) -> Result<ValueVisitor, E> {
        if self.depth >= MAX_DEPTH {
            return Err(limit_hit(LimitHit::Depth));
        }
        Ok(ValueVisitor {
            depth: self.depth + 1,
        })
    }
}

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = PlistValue;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a property-list value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<PlistValue, E> {
        spend(1, 0)?;
        Ok(PlistValue::Boolean(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<PlistValue, E> {
        spend(1, 0)?;
        Ok(PlistValue::Integer(i128::from(v)))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<PlistValue, E> {
        spend(1, 0)?;
        Ok(PlistValue::Integer(i128::from(v)))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<PlistValue, E> {
        spend(1, 0)?;
        Ok(PlistValue::Real(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<PlistValue, E> {
        spend(1, v.len())?;
        Ok(PlistValue::String(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<PlistValue, E> {
        spend(1, v.len())?;
        Ok(PlistValue::String(v))
    }

    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<PlistValue, E> {
        spend(1, v.len())?;
        Ok(PlistValue::Data(v.to_vec()))
    }

    fn visit_byte_buf<E: de::Error>(self, v: Vec<u8>) -> Result<PlistValue, E> {
        spend(1, v.len())?;
        Ok(PlistValue::Data(v))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<PlistValue, A::Error> {
        spend(1, 0)?;
        let child = self.child()?;
        // The length hint is only a claim from the file, so it sizes nothing.
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(child)? {
            items.push(item);
        }
        Ok(PlistValue::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<PlistValue, A::Error> {
        spend(1, 0)?;
        let child = self.child()?;
        let mut entries = Vec::new();
        while let Some(key) = map.next_key_seed(child)? {
            let PlistValue::String(key) = key else {
                return Err(de::Error::custom("dictionary key is not a string"));
            };
            let value = map.next_value_seed(child)?;
            entries.push((key, value));
        }
        Ok(PlistValue::Dictionary(entries))
    }
}

/// What a parse may still spend. One budget is shared by all the plists of
/// an IPA, so a bundle of many crafted manifests is bounded as a whole.
#[derive(Debug, Clone, Copy)]
struct Budget {
    values: usize,
    text: usize,
}

impl Budget {
    const ONE_PLIST: Budget = Budget {
        values: MAX_VALUES,
        text: MAX_TEXT_BYTES,
    };
    const ONE_IPA: Budget = Budget {
        values: 2 * MAX_VALUES,
        text: 2 * MAX_TEXT_BYTES,
    };
}

/// Parses an XML, binary or OpenStep property list within the limits above.
pub fn parse_plist(bytes: &[u8]) -> Result<PlistValue, PlistError> {
    let mut budget = Budget::ONE_PLIST;
    parse_plist_within(bytes, &mut budget)
}

fn parse_plist_within(bytes: &[u8], budget: &mut Budget) -> Result<PlistValue, PlistError> {
    VALUES_LEFT.with(|c| c.set(budget.values));
    TEXT_LEFT.with(|c| c.set(budget.text));
    LIMIT_HIT.with(|c| c.set(None));
    let result = plist::from_bytes::<Bounded>(bytes);
    budget.values = VALUES_LEFT.with(Cell::get);
    budget.text = TEXT_LEFT.with(Cell::get);
    match (result, LIMIT_HIT.with(Cell::take)) {
        (Ok(Bounded(value)), _) => Ok(value),
        (Err(_), Some(LimitHit::Depth)) => Err(PlistError::TooDeep(MAX_DEPTH)),
        (Err(_), Some(LimitHit::Values)) => Err(PlistError::TooManyValues(MAX_VALUES)),
        (Err(_), Some(LimitHit::Text)) => Err(PlistError::TooLarge(MAX_TEXT_BYTES)),
        (Err(e), None) => Err(PlistError::Parse(e)),
    }
}

/// A privacy manifest (`PrivacyInfo.xcprivacy`).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct PrivacyManifest {
    /// `NSPrivacyTracking`.
    pub tracking: Option<bool>,
    /// `NSPrivacyTrackingDomains`.
    pub tracking_domains: Vec<String>,
    /// `NSPrivacyCollectedDataTypes`.
    pub collected: Vec<CollectedDataType>,
    /// `NSPrivacyAccessedAPITypes`.
    pub accessed_apis: Vec<AccessedApi>,
    /// Values of the wrong type that were skipped.
    pub warnings: Vec<String>,
}

/// One entry of `NSPrivacyCollectedDataTypes`.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct CollectedDataType {
    pub data_type: String,
    pub linked: Option<bool>,
    pub tracking: Option<bool>,
    pub purposes: Vec<String>,
}

/// One entry of `NSPrivacyAccessedAPITypes` (a required-reason API).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct AccessedApi {
    pub category: String,
    pub reasons: Vec<String>,
}

/// Parses a privacy manifest from XML or binary plist bytes.
pub fn parse_privacy_manifest(bytes: &[u8]) -> Result<PrivacyManifest, PlistError> {
    let mut budget = Budget::ONE_PLIST;
    privacy_manifest_within(bytes, &mut budget)
}

fn privacy_manifest_within(
    bytes: &[u8],
    budget: &mut Budget,
) -> Result<PrivacyManifest, PlistError> {
    let root = parse_plist_within(bytes, budget)?;
    if !matches!(root, PlistValue::Dictionary(_)) {
        return Err(PlistError::NotADictionary(root.kind()));
    }
    let mut warnings = Vec::new();
    let mut manifest = PrivacyManifest {
        tracking: bool_at(&root, "NSPrivacyTracking", &mut warnings),
        tracking_domains: strings_at(&root, "NSPrivacyTrackingDomains", &mut warnings),
        ..PrivacyManifest::default()
    };
    for item in array_at(&root, "NSPrivacyCollectedDataTypes", &mut warnings) {
        if !matches!(item, PlistValue::Dictionary(_)) {
            warn(
                &mut warnings,
                format!("NSPrivacyCollectedDataTypes item is {}", item.kind()),
            );
            continue;
        }
        manifest.collected.push(CollectedDataType {
            data_type: string_at(item, "NSPrivacyCollectedDataType", &mut warnings)
                .unwrap_or_default(),
            linked: bool_at(item, "NSPrivacyCollectedDataTypeLinked", &mut warnings),
            tracking: bool_at(item, "NSPrivacyCollectedDataTypeTracking", &mut warnings),
            purposes: strings_at(item, "NSPrivacyCollectedDataTypePurposes", &mut warnings),
        });
    }
    for item in array_at(&root, "NSPrivacyAccessedAPITypes", &mut warnings) {
        if !matches!(item, PlistValue::Dictionary(_)) {
            warn(
                &mut warnings,
                format!("NSPrivacyAccessedAPITypes item is {}", item.kind()),
            );
            continue;
        }
        manifest.accessed_apis.push(AccessedApi {
            category: string_at(item, "NSPrivacyAccessedAPIType", &mut warnings)
                .unwrap_or_default(),
            reasons: strings_at(item, "NSPrivacyAccessedAPITypeReasons", &mut warnings),
        });
    }
    manifest.warnings = warnings;
    Ok(manifest)
}

fn warn(warnings: &mut Vec<String>, warning: String) {
    if warnings.len() < MAX_WARNINGS {
        warnings.push(warning);
    }
}

fn bool_at(dict: &PlistValue, key: &str, warnings: &mut Vec<String>) -> Option<bool> {
    let value = dict.get(key)?;
    let b = value.as_bool();
    if b.is_none() {
        warn(
            warnings,
            format!("{key} is {}, not a boolean", value.kind()),
        );
    }
    b
}

fn string_at(dict: &PlistValue, key: &str, warnings: &mut Vec<String>) -> Option<String> {
    let value = dict.get(key)?;
    let s = value.as_str().map(str::to_owned);
    if s.is_none() {
        warn(warnings, format!("{key} is {}, not a string", value.kind()));
    }
    s
}

fn array_at<'a>(dict: &'a PlistValue, key: &str, warnings: &mut Vec<String>) -> &'a [PlistValue] {
    let Some(value) = dict.get(key) else {
        return &[];
    };
    match value.as_array() {
        Some(items) => items,
        None => {
            warn(warnings, format!("{key} is {}, not an array", value.kind()));
            &[]
        }
    }
}

fn strings_at(dict: &PlistValue, key: &str, warnings: &mut Vec<String>) -> Vec<String> {
    let mut out = Vec::new();
    for item in array_at(dict, key, warnings) {
        match item.as_str() {
            Some(s) => out.push(s.to_owned()),
            None => warn(warnings, format!("{key} has {}, not a string", item.kind())),
        }
    }
    out
}

/// Facts read from one IPA.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct IpaInfo {
    /// The bundle directory, such as `Payload/Demo.app/`.
    pub app_dir: String,
    /// `CFBundleIdentifier`.
    pub bundle_id: Option<String>,
    /// `CFBundleVersion`.
    pub version: Option<String>,
    /// `CFBundleShortVersionString`.
    pub short_version: Option<String>,
    /// `CFBundleDisplayName`, else `CFBundleName`.
    pub name: Option<String>,
    /// `MinimumOSVersion`.
    pub min_os: Option<String>,
    /// Every `NS…UsageDescription` key with its text, in file order.
    pub usage_descriptions: Vec<(String, String)>,
    /// Names under `Frameworks/`: `X.framework` as `X`, and loose dynamic
    /// libraries by file name (`libswiftCore.dylib`), in archive order.
    pub frameworks: Vec<String>,
    /// Every `PrivacyInfo.xcprivacy` in the bundle (app, frameworks, resource
    /// bundles), with its archive path.
    pub privacy_manifests: Vec<(String, PrivacyManifest)>,
    /// `CFBundleExecutable`.
    pub executable: Option<String>,
    /// What was wrong but did not stop the read.
    pub warnings: Vec<String>,
}

/// Why an IPA could not be read.
#[derive(Debug, thiserror::Error)]
pub enum IpaError {
    #[error(transparent)]
    Zip(#[from] ZipReadError),
    #[error("no Payload/<name>.app/Info.plist in the archive")]
    NoAppBundle,
    #[error("cannot read Info.plist: {0}")]
    InfoPlist(#[source] PlistError),
}

/// Reads the IPA at `path` within `limits`.
pub fn read_ipa(path: &Path, limits: &ZipLimits) -> Result<IpaInfo, IpaError> {
    let mut zip = ZipReader::open(path, limits)?;
    read_ipa_from(&mut zip)
}

/// Reads an IPA from an already opened archive (for example one in memory).
pub fn read_ipa_from<R: Read + Seek>(zip: &mut ZipReader<R>) -> Result<IpaInfo, IpaError> {
    let bundles: Vec<String> = zip
        .names()
        .iter()
        .filter_map(|name| app_dir_of_info_plist(name))
        .collect();
    let Some(app_dir) = bundles.first().cloned() else {
        return Err(IpaError::NoAppBundle);
    };
    let mut info = IpaInfo {
        app_dir: app_dir.clone(),
        ..IpaInfo::default()
    };
    if bundles.len() > 1 {
        warn(
            &mut info.warnings,
            format!("{} app bundles in Payload/, read {app_dir}", bundles.len()),
        );
    }

    let plist_path = format!("{app_dir}Info.plist");
    let bytes = zip.read_capped(&plist_path, MAX_PLIST_FILE_BYTES)?;
    let mut budget = Budget::ONE_IPA;
    let plist = parse_plist_within(&bytes, &mut budget).map_err(IpaError::InfoPlist)?;
    let PlistValue::Dictionary(entries) = &plist else {
        return Err(IpaError::InfoPlist(PlistError::NotADictionary(
            plist.kind(),
        )));
    };
    let text = |key: &str| {
        plist
            .get(key)
            .and_then(PlistValue::as_str)
            .map(str::to_owned)
    };
    info.bundle_id = text("CFBundleIdentifier");
    info.version = text("CFBundleVersion");
    info.short_version = text("CFBundleShortVersionString");
    info.name = text("CFBundleDisplayName").or_else(|| text("CFBundleName"));
    info.min_os = text("MinimumOSVersion");
    info.executable = text("CFBundleExecutable");
    if info.bundle_id.is_none() {
        warn(
            &mut info.warnings,
            "Info.plist has no CFBundleIdentifier".to_owned(),
        );
    }
    for (key, value) in entries {
        if key.starts_with("NS") && key.ends_with("UsageDescription") {
            match value.as_str() {
                Some(s) => info.usage_descriptions.push((key.clone(), s.to_owned())),
                None => warn(
                    &mut info.warnings,
                    format!("{key} is {}, not a string", value.kind()),
                ),
            }
        }
    }

    let frameworks_dir = format!("{app_dir}Frameworks/");
    let mut manifest_paths = Vec::new();
    let mut seen = HashSet::new();
    for name in zip.names() {
        if let Some(rest) = name.strip_prefix(&frameworks_dir)
            && let Some(framework) = framework_name(rest)
            && seen.insert(framework)
        {
            info.frameworks.push(framework.to_owned());
        }
        if let Some(rest) = name.strip_prefix(&app_dir)
            && (rest == "PrivacyInfo.xcprivacy" || rest.ends_with("/PrivacyInfo.xcprivacy"))
        {
            manifest_paths.push(name.clone());
        }
    }
    for path in manifest_paths {
        let parsed = zip
            .read_capped(&path, MAX_PLIST_FILE_BYTES)
            .map_err(|e| e.to_string())
            .and_then(|bytes| {
                privacy_manifest_within(&bytes, &mut budget).map_err(|e| e.to_string())
            });
        match parsed {
            Ok(manifest) => info.privacy_manifests.push((path, manifest)),
            Err(e) => warn(&mut info.warnings, format!("skipped {path}: {e}")),
        }
    }
    Ok(info)
}

/// `Payload/X.app/` for `Payload/X.app/Info.plist`.
fn app_dir_of_info_plist(name: &str) -> Option<String> {
    let bundle = name.strip_prefix("Payload/")?.strip_suffix("/Info.plist")?;
    if bundle.contains('/') || bundle.len() <= ".app".len() || !bundle.ends_with(".app") {
        return None;
    }
    Some(format!("Payload/{bundle}/"))
}

/// The framework or dylib an entry under `Frameworks/` belongs to.
fn framework_name(rest: &str) -> Option<&str> {
    let (first, more) = match rest.split_once('/') {
        Some((first, more)) => (first, Some(more)),
        None => (rest, None),
    };
    if let Some(name) = first.strip_suffix(".framework") {
        return (!name.is_empty()).then_some(name);
    }
    (more.is_none() && first.len() > ".dylib".len() && first.ends_with(".dylib")).then_some(first)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundle_paths() {
        assert_eq!(
            app_dir_of_info_plist("Payload/Demo.app/Info.plist").as_deref(),
            Some("Payload/Demo.app/")
        );
        assert_eq!(
            app_dir_of_info_plist("Payload/Demo.app/Frameworks/A.framework/Info.plist"),
            None
        );
        assert_eq!(app_dir_of_info_plist("Payload/.app/Info.plist"), None);
        assert_eq!(framework_name("A.framework/A"), Some("A"));
        assert_eq!(framework_name("A.framework/"), Some("A"));
        assert_eq!(
            framework_name("libswiftCore.dylib"),
            Some("libswiftCore.dylib")
        );
        assert_eq!(framework_name("x/libfoo.dylib"), None);
        assert_eq!(framework_name(".framework/x"), None);
    }

    #[test]
    fn xml_plist_and_depth_limit() {
        let xml = br#"<?xml version="1.0" encoding="UTF-8"?>
<plist version="1.0"><dict><key>NSPrivacyTracking</key><true/>
<key>NSPrivacyTrackingDomains</key><array><string>t.example</string><integer>3</integer></array>
</dict></plist>"#;
        let m = parse_privacy_manifest(xml).unwrap();
        assert_eq!(m.tracking, Some(true));
        assert_eq!(m.tracking_domains, ["t.example"]);
        assert_eq!(m.warnings.len(), 1);

        let deep = format!(
            "<plist version=\"1.0\">{}{}</plist>",
            "<array>".repeat(1000),
            "</array>".repeat(1000)
        );
        assert!(matches!(
            parse_plist(deep.as_bytes()),
            Err(PlistError::TooDeep(_))
        ));
        assert!(matches!(
            parse_privacy_manifest(b"<plist version=\"1.0\"><array/></plist>"),
            Err(PlistError::NotADictionary(_))
        ));
    }
}
