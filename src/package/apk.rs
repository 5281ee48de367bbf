//! What an Android APK declares and bundles: manifest facts, permissions,
//! components, DEX classes and native libraries.
//!
//! The binary manifest and `resources.arsc` are read in place by
//! [`super::axml`], which never builds a document tree, so crafted nesting,
//! huge attribute lists or strings reused thousands of times cannot blow up
//! time or memory.
//!
//! Names and values follow androguard 4.1, so results can be compared with
//! androguard-based tooling; where this reader reports more (permissions from
//! `uses-permission-sdk-23`), the field docs say so.

use std::collections::HashSet;
use std::io::{Read, Seek};
use std::path::Path;

use super::axml::{self, Attr, AxmlError, XmlEvent};
use super::dex;
use super::zipread::{ZipLimits, ZipReadError, ZipReader};

const MANIFEST: &str = "AndroidManifest.xml";
const RESOURCES: &str = "resources.arsc";
/// Real manifests are well under 1 MiB.
const MAX_MANIFEST_BYTES: u64 = 8 * 1024 * 1024;
/// Large apps ship tables of a few tens of MiB.
const MAX_RESOURCES_BYTES: u64 = 96 * 1024 * 1024;
/// Most bytes of class names kept per APK. The largest real apps define a few
/// hundred thousand classes (tens of MiB of names); zip entries that overlap
/// can present one DEX under many names, each read within the zip budget.
const MAX_CLASS_NAME_BYTES: usize = 128 * 1024 * 1024;
/// Longest package name used to qualify component names (Linux NAME_MAX).
const MAX_PACKAGE_LEN: usize = 255;
/// Most warnings kept, so a crafted file cannot grow the report without bound.
const MAX_WARNINGS: usize = 200;
const MAX_WARNING_LEN: usize = 300;

/// Facts read from one APK.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ApkInfo {
    /// `package` of `<manifest>`; empty (with a warning) when missing.
    pub package: String,
    /// `android:versionCode` as decoded (decimal for integers).
    pub version_code: Option<String>,
    /// `android:versionName` as written. A resource reference is not resolved
    /// and reads `@7f0b0001` (androguard prints the same id as `@7F0B0001`).
    pub version_name: Option<String>,
    /// From the first `<uses-sdk>`, as written.
    pub min_sdk: Option<String>,
    pub target_sdk: Option<String>,
    /// The application label (or the main activity's), resolved through
    /// `resources.arsc` when it is a reference. A reference that cannot be
    /// resolved is kept as written (`@7f0b0001`), with a warning.
    pub app_name: Option<String>,
    /// `android:name` of `<application>`, qualified: the class Android
    /// instantiates first (a packer's loader in a packed app).
    pub application_class: Option<String>,
    /// `split` of `<manifest>`: the name of a split APK (none for a base APK).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub split: Option<String>,
    /// Names from `uses-permission` and `uses-permission-sdk-23`, without
    /// repeats, in manifest order. Names without a dot are qualified with the
    /// package, as androguard does.
    pub permissions: Vec<String>,
    /// Every permission request as written, repeats included, in manifest order.
    pub permission_requests: Vec<PermissionRequest>,
    /// Fully qualified `android:name` of each component, in manifest order.
    pub activities: Vec<String>,
    pub services: Vec<String>,
    pub receivers: Vec<String>,
    pub providers: Vec<String>,
    /// Every activity, activity alias, service, receiver and provider with
    /// its attributes and intent actions, in manifest order, names qualified.
    pub components: Vec<Component>,
    /// The `<queries>` element: which other apps this one asks to see.
    pub queries: Queries,
    /// `meta-data` anywhere in the manifest: name and `android:value` (or
    /// `android:resource` when there is no value).
    pub meta_data: Vec<(String, Option<String>)>,
    /// Number of `classes*.dex` entries at the root of the archive.
    pub dex_files: usize,
    /// Every class defined in every DEX file, dotted (`com.a.B`).
    pub classes: Vec<String>,
    /// Entries under `lib/<abi>/` that end in `.so`.
    pub native_libs: Vec<String>,
    /// What was wrong but did not stop the read.
    pub warnings: Vec<String>,
}

/// One component of the manifest.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Component {
    /// `activity`, `activity-alias`, `service`, `receiver` or `provider`.
    pub kind: &'static str,
    pub name: String,
    /// `android:exported` as written; absent means Android decides (exported
    /// when the component has intent filters, before Android 12).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exported: Option<bool>,
    /// Actions of its intent filters, without repeats.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<String>,
    /// The permission a caller needs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub permission: Option<String>,
    /// Providers: `android:authorities`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authorities: Option<String>,
    /// Activity aliases: the activity they stand for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_activity: Option<String>,
}

/// Package visibility declarations (`<queries>`, Android 11+).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Queries {
    /// `<package android:name>`: apps queried by name.
    pub packages: Vec<String>,
    /// Actions of `<intent>` entries: apps queried by what they handle.
    pub intents: Vec<String>,
    /// `<provider android:authorities>`.
    pub providers: Vec<String>,
}

impl Queries {
    pub fn is_empty(&self) -> bool {
        self.packages.is_empty() && self.intents.is_empty() && self.providers.is_empty()
    }
}

/// One `<uses-permission>` or `<uses-permission-sdk-23>` element.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PermissionRequest {
    pub name: String,
    /// Declared with `uses-permission-sdk-23` (requested only on Android 6+).
    /// androguard's `get_permissions()` leaves these out.
    pub sdk23: bool,
    pub max_sdk: Option<String>,
}

/// Why an APK could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ApkError {
    #[error(transparent)]
    Zip(#[from] ZipReadError),
    #[error("no AndroidManifest.xml in the archive")]
    MissingManifest,
    #[error("cannot decode AndroidManifest.xml: {0}")]
    Manifest(#[from] AxmlError),
    #[error(transparent)]
    Proto(#[from] super::protoxml::ProtoXmlError),
    #[error("AndroidManifest.xml is not readable XML: {0}")]
    TextXml(String),
    #[error("AndroidManifest.xml starts with <{0}>, not <manifest>")]
    NotAManifest(String),
}

/// Reads the APK at `path` within `limits`.
pub fn read_apk(path: &Path, limits: &ZipLimits) -> Result<ApkInfo, ApkError> {
    let mut zip = ZipReader::open(path, limits)?;
    read_apk_from(&mut zip)
}

/// Reads an APK from an already opened archive (for example one in memory).
pub fn read_apk_from<R: Read + Seek>(zip: &mut ZipReader<R>) -> Result<ApkInfo, ApkError> {
    if !zip.contains(MANIFEST) {
        return Err(ApkError::MissingManifest);
    }
    let duplicates = zip.has_duplicate_names();
    let manifest_bytes = zip.read_capped(MANIFEST, MAX_MANIFEST_BYTES)?;
    let manifest = extract_manifest(&manifest_bytes)?;
    let mut info = from_manifest(manifest);
    if duplicates {
        // Android refuses such archives; tools that read the other copy of an
        // entry see a different app, which is why malware does it.
        info.warn(
            "archive repeats entry names (Android would refuse it); the last copy of each was read"
                .to_owned(),
        );
    }
    let label = info.app_name.take();
    info.app_name = resolve_label(zip, label, &mut info.warnings);
    let dex = read_dex_classes(zip);
    info.dex_files = dex.dex_files;
    info.classes = dex.classes;
    for warning in dex.warnings {
        info.warn(warning);
    }
    info.native_libs = zip
        .names()
        .iter()
        .filter(|name| is_native_lib(name))
        .cloned()
        .collect();
    Ok(info)
}

/// The manifest's facts with names qualified as androguard does; code,
/// libraries and the resolved label are left for the caller. `app_name`
/// holds the label as written.
pub(crate) fn from_manifest(manifest: ManifestFacts) -> ApkInfo {
    let mut info = ApkInfo {
        package: manifest.package.unwrap_or_default(),
        version_code: manifest.version_code,
        version_name: manifest.version_name,
        min_sdk: manifest.min_sdk,
        target_sdk: manifest.target_sdk,
        app_name: manifest.label,
        split: manifest.split,
        queries: manifest.queries,
        meta_data: manifest.meta_data,
        warnings: manifest.warnings,
        ..ApkInfo::default()
    };
    if info.package.is_empty() {
        info.warn("manifest has no package attribute".to_owned());
    }
    // Prefixing every component name with a crafted megabyte-long package
    // would multiply it by the number of components. A package name is a
    // directory name on the device, so real ones fit in NAME_MAX.
    let package = if info.package.len() > MAX_PACKAGE_LEN {
        info.warn(format!(
            "package name is {} bytes long; component names left unqualified",
            info.package.len()
        ));
        String::new()
    } else {
        info.package.clone()
    };
    let qualify_all = |names: Vec<String>| -> Vec<String> {
        names.into_iter().map(|n| qualify(&package, &n)).collect()
    };
    info.activities = qualify_all(manifest.activities);
    info.services = qualify_all(manifest.services);
    info.receivers = qualify_all(manifest.receivers);
    info.providers = qualify_all(manifest.providers);
    info.application_class = manifest.application_class.map(|c| qualify(&package, &c));
    info.components = manifest
        .components
        .into_iter()
        .map(|mut c| {
            c.name = qualify(&package, &c.name);
            c.target_activity = c.target_activity.map(|t| qualify(&package, &t));
            c
        })
        .collect();
    let mut seen = HashSet::new();
    for mut request in manifest.permission_requests {
        request.name = qualify(&package, &request.name);
        if seen.insert(request.name.clone()) {
            info.permissions.push(request.name.clone());
        }
        info.permission_requests.push(request);
    }
    info
}

impl ApkInfo {
    fn warn(&mut self, warning: String) {
        push_warning(&mut self.warnings, warning);
    }
}

pub(crate) fn push_warning(warnings: &mut Vec<String>, mut warning: String) {
    if warnings.len() >= MAX_WARNINGS {
        return;
    }
    // Anomaly reports quote strings from the file, which can be megabytes.
    if warning.len() > MAX_WARNING_LEN {
        let mut cut = MAX_WARNING_LEN;
        while !warning.is_char_boundary(cut) {
            cut -= 1;
        }
        warning.truncate(cut);
        warning.push('…');
    }
    warnings.push(warning);
}

/// Manifest facts as written, before names are qualified with the package.
#[derive(Debug, Default)]
pub(crate) struct ManifestFacts {
    pub(crate) package: Option<String>,
    pub(crate) version_code: Option<String>,
    pub(crate) version_name: Option<String>,
    pub(crate) min_sdk: Option<String>,
    pub(crate) target_sdk: Option<String>,
    pub(crate) label: Option<String>,
    pub(crate) application_class: Option<String>,
    /// `split` of `<manifest>`: set on configuration and feature splits.
    pub(crate) split: Option<String>,
    pub(crate) permission_requests: Vec<PermissionRequest>,
    pub(crate) activities: Vec<String>,
    pub(crate) services: Vec<String>,
    pub(crate) receivers: Vec<String>,
    pub(crate) providers: Vec<String>,
    pub(crate) components: Vec<Component>,
    pub(crate) queries: Queries,
    pub(crate) meta_data: Vec<(String, Option<String>)>,
    pub(crate) warnings: Vec<String>,
}

/// An enabled activity or alias that may be the launcher: its name, label,
/// and whether a MAIN action and a LAUNCHER category were seen below it.
/// androguard does not require both in the same intent filter, so neither
/// does this.
struct LaunchCandidate {
    name: Option<String>,
    label: Option<String>,
    is_activity: bool,
    main: bool,
    launcher: bool,
}

/// What an open element sits in.
#[derive(Clone, Copy, Default)]
struct Frame {
    /// Nearest enclosing launcher candidate.
    candidate: Option<usize>,
    /// Nearest enclosing component (index into `components`).
    component: Option<usize>,
    /// Inside `<queries>`.
    queries: bool,
}

/// Most intent actions kept per component: real ones declare a handful, a
/// crafted manifest could repeat one element a million times.
const MAX_ACTIONS: usize = 64;
/// Most components and query entries kept per manifest.
const MAX_COMPONENTS: usize = 20_000;

/// Builds [`ManifestFacts`] from start and end tags, whatever the encoding
/// of the manifest (binary XML in an APK, protobuf in an app bundle, text in
/// an AAR).
#[derive(Default)]
pub(crate) struct ManifestBuilder {
    facts: ManifestFacts,
    root: Option<String>,
    after_root: bool,
    open: Vec<Frame>,
    candidates: Vec<LaunchCandidate>,
    uses_sdk_seen: bool,
    application_seen: bool,
    application_label: Option<String>,
}

impl ManifestBuilder {
    pub(crate) fn end(&mut self) {
        self.open.pop();
        if self.open.is_empty() && self.root.is_some() {
            self.after_root = true;
        }
    }

    pub(crate) fn start(&mut self, tag: &str, attr: &dyn Fn(Attr) -> Option<String>) {
        if self.after_root {
            return;
        }
        let facts = &mut self.facts;
        if self.root.is_none() {
            self.root = Some(tag.to_owned());
            facts.package = attr(Attr::Package);
            facts.version_code = attr(Attr::VersionCode);
            facts.version_name = attr(Attr::VersionName);
            facts.split = attr(Attr::Split);
        }
        let mut frame = self.open.last().copied().unwrap_or_default();
        let name_attr = || attr(Attr::Name);
        let mut component = |kind: &'static str, name: Option<String>| -> Option<usize> {
            let name = name?;
            if facts.components.len() >= MAX_COMPONENTS {
                return None;
            }
            facts.components.push(Component {
                kind,
                exported: match attr(Attr::Exported).as_deref() {
                    Some("true") => Some(true),
                    Some("false") => Some(false),
                    _ => None,
                },
                permission: attr(Attr::Permission),
                authorities: attr(Attr::Authorities).filter(|_| kind == "provider"),
                target_activity: attr(Attr::TargetActivity).filter(|_| kind == "activity-alias"),
                actions: Vec::new(),
                name,
            });
            Some(facts.components.len() - 1)
        };
        match tag {
            "uses-sdk" if !self.uses_sdk_seen => {
                // androguard reads the first <uses-sdk> only.
                self.uses_sdk_seen = true;
                facts.min_sdk = attr(Attr::MinSdkVersion);
                facts.target_sdk = attr(Attr::TargetSdkVersion);
            }
            tag @ ("uses-permission" | "uses-permission-sdk-23") => {
                if let Some(name) = name_attr() {
                    facts.permission_requests.push(PermissionRequest {
                        name,
                        sdk23: tag == "uses-permission-sdk-23",
                        max_sdk: attr(Attr::MaxSdkVersion),
                    });
                }
            }
            "application" if !self.application_seen => {
                self.application_seen = true;
                self.application_label = attr(Attr::Label);
                facts.application_class = name_attr();
            }
            "queries" => frame.queries = true,
            "package" if frame.queries => {
                if let Some(name) = name_attr()
                    && facts.queries.packages.len() < MAX_COMPONENTS
                    && !facts.queries.packages.contains(&name)
                {
                    facts.queries.packages.push(name);
                }
            }
            "provider" if frame.queries => {
                if let Some(authorities) = attr(Attr::Authorities)
                    && facts.queries.providers.len() < MAX_COMPONENTS
                {
                    facts.queries.providers.push(authorities);
                }
            }
            "service" => {
                let name = name_attr();
                frame.component = component("service", name.clone());
                facts.services.extend(name);
            }
            "receiver" => {
                let name = name_attr();
                frame.component = component("receiver", name.clone());
                facts.receivers.extend(name);
            }
            "provider" => {
                let name = name_attr();
                frame.component = component("provider", name.clone());
                facts.providers.extend(name);
            }
            "meta-data" => {
                if let Some(name) = name_attr() {
                    let value = attr(Attr::Value).or_else(|| attr(Attr::Resource));
                    facts.meta_data.push((name, value));
                }
            }
            tag @ ("activity" | "activity-alias") => {
                let name = name_attr();
                let is_activity = tag == "activity";
                frame.component = component(tag_kind(tag), name.clone());
                if is_activity {
                    facts.activities.extend(name.clone());
                }
                if attr(Attr::Enabled).as_deref() != Some("false") {
                    frame.candidate = Some(self.candidates.len());
                    self.candidates.push(LaunchCandidate {
                        label: if is_activity { attr(Attr::Label) } else { None },
                        name,
                        is_activity,
                        main: false,
                        launcher: false,
                    });
                }
            }
            tag @ ("action" | "category") => {
                let name = name_attr();
                if tag == "action"
                    && let Some(action) = &name
                {
                    if frame.queries {
                        if facts.queries.intents.len() < MAX_COMPONENTS
                            && !facts.queries.intents.contains(action)
                        {
                            facts.queries.intents.push(action.clone());
                        }
                    } else if let Some(c) =
                        frame.component.and_then(|i| facts.components.get_mut(i))
                        && c.actions.len() < MAX_ACTIONS
                        && !c.actions.contains(action)
                    {
                        c.actions.push(action.clone());
                    }
                }
                if let Some(c) = frame.candidate.and_then(|i| self.candidates.get_mut(i)) {
                    match (tag, name.as_deref()) {
                        ("action", Some("android.intent.action.MAIN")) => c.main = true,
                        ("category", Some("android.intent.category.LAUNCHER")) => {
                            c.launcher = true;
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
        self.open.push(frame);
    }

    /// The facts, once every tag was seen; `warnings` are the decoder's.
    pub(crate) fn finish(
        self,
        file: &str,
        decoder_warnings: Vec<String>,
    ) -> Result<ManifestFacts, ApkError> {
        let mut facts = self.facts;
        let root = self.root.ok_or(AxmlError::NoElements)?;
        if root != "manifest" {
            return Err(ApkError::NotAManifest(root));
        }
        for warning in decoder_warnings {
            push_warning(&mut facts.warnings, format!("{file}: {warning}"));
        }
        if !self.open.is_empty() {
            push_warning(
                &mut facts.warnings,
                format!("{file}: {} elements never closed", self.open.len()),
            );
        }
        // androguard falls back to the label of the main activity, looked up by
        // name among <activity> elements.
        let candidates = self.candidates;
        facts.label = self.application_label.or_else(|| {
            let main = candidates
                .iter()
                .find(|c| c.name.is_some() && c.main && c.launcher)?
                .name
                .clone()?;
            candidates
                .iter()
                .find(|c| c.is_activity && c.name.as_deref() == Some(main.as_str()))?
                .label
                .clone()
        });
        Ok(facts)
    }
}

fn tag_kind(tag: &str) -> &'static str {
    match tag {
        "activity" => "activity",
        "activity-alias" => "activity-alias",
        "service" => "service",
        "receiver" => "receiver",
        _ => "provider",
    }
}

pub(crate) fn extract_manifest(bytes: &[u8]) -> Result<ManifestFacts, ApkError> {
    let mut builder = ManifestBuilder::default();
    let walk_warnings = axml::walk_xml(bytes, |event| match event {
        XmlEvent::End => builder.end(),
        XmlEvent::Start(element) => builder.start(&element.name, &|a| element.attr(a)),
    })?;
    builder.finish(MANIFEST, walk_warnings)
}

/// Qualifies a component or permission name with the package the way
/// androguard's `_format_value` does: `.Foo` and `Foo` become `pkg.Foo`,
/// names that already contain a dot elsewhere stay as they are.
fn qualify(package: &str, name: &str) -> String {
    if name.is_empty() || package.is_empty() {
        return name.to_owned();
    }
    match name.find('.') {
        Some(0) => format!("{package}{name}"),
        None => format!("{package}.{name}"),
        Some(_) => name.to_owned(),
    }
}

/// Resolves a label that is a resource reference through resources.arsc.
fn resolve_label<R: Read + Seek>(
    zip: &mut ZipReader<R>,
    label: Option<String>,
    warnings: &mut Vec<String>,
) -> Option<String> {
    let label = label?;
    let Some(id) = parse_reference(&label) else {
        return Some(label);
    };
    if id >> 24 == 0x01 {
        // Framework resources live in framework-res.apk, not in this APK.
        return Some(label);
    }
    let table = match zip.read_capped(RESOURCES, MAX_RESOURCES_BYTES) {
        Ok(table) => table,
        Err(e) => {
            push_warning(warnings, format!("cannot read {RESOURCES}: {e}"));
            return Some(label);
        }
    };
    match axml::resolve_resource(&table, id) {
        Ok(Some(value)) => Some(value),
        Ok(None) => {
            push_warning(
                warnings,
                format!("label {label} has no value in {RESOURCES} (missing, or a reference loop)"),
            );
            Some(label)
        }
        Err(e) => {
            push_warning(warnings, format!("cannot decode {RESOURCES}: {e}"));
            Some(label)
        }
    }
}

/// The id in a raw reference value such as `@7f0b0001`.
fn parse_reference(value: &str) -> Option<u32> {
    let hex = value.strip_prefix('@')?;
    if hex.len() != 8 {
        return None;
    }
    u32::from_str_radix(hex, 16).ok()
}

/// `classes.dex`, `classes2.dex`, ... at the archive root.
fn dex_index(name: &str) -> Option<u64> {
    let digits = name.strip_prefix("classes")?.strip_suffix(".dex")?;
    if digits.is_empty() {
        return Some(1);
    }
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(digits.parse::<u64>().unwrap_or(u64::MAX))
}

/// Classes of all `classes*.dex` files of an archive.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DexSummary {
    /// Number of `classes*.dex` entries at the archive root, read or not.
    pub dex_files: usize,
    /// Dotted names of every defined class, file by file.
    pub classes: Vec<String>,
    pub warnings: Vec<String>,
}

/// Reads the classes of every `classes*.dex` at the root of `zip`, in
/// `classes.dex`, `classes2.dex`, ... order. Works without a manifest, so it
/// also serves split APKs and bare DEX bundles.
pub fn read_dex_classes<R: Read + Seek>(zip: &mut ZipReader<R>) -> DexSummary {
    read_dex_in(zip, "")
}

/// Like [`read_dex_classes`] for the `classes*.dex` entries directly under
/// `dir` (`base/dex/` in an app bundle; `""` is the archive root).
pub fn read_dex_in<R: Read + Seek>(zip: &mut ZipReader<R>, dir: &str) -> DexSummary {
    let mut dex_names: Vec<(u64, String)> = zip
        .names()
        .iter()
        .filter_map(|n| dex_index(n.strip_prefix(dir)?).map(|i| (i, n.clone())))
        .collect();
    dex_names.sort();
    let mut summary = DexSummary {
        dex_files: dex_names.len(),
        ..DexSummary::default()
    };
    let mut name_bytes = 0usize;
    for (_, name) in dex_names {
        if name_bytes > MAX_CLASS_NAME_BYTES {
            push_warning(
                &mut summary.warnings,
                format!("skipped {name}: class names already exceed {MAX_CLASS_NAME_BYTES} bytes"),
            );
            continue;
        }
        let bytes = match zip.read(&name) {
            Ok(bytes) => bytes,
            Err(e) => {
                push_warning(&mut summary.warnings, format!("skipped {name}: {e}"));
                continue;
            }
        };
        match dex::parse_classes(&bytes) {
            Ok(parsed) => {
                if parsed.skipped > 0 {
                    push_warning(
                        &mut summary.warnings,
                        format!(
                            "{name}: skipped {} class definitions with bad references",
                            parsed.skipped
                        ),
                    );
                }
                name_bytes = parsed
                    .classes
                    .iter()
                    .fold(name_bytes, |sum, c| sum.saturating_add(c.len()));
                summary.classes.extend(parsed.classes);
            }
            Err(e) => push_warning(&mut summary.warnings, format!("skipped {name}: {e}")),
        }
    }
    summary
}

pub(crate) fn is_native_lib(name: &str) -> bool {
    let parts: Vec<&str> = name.split('/').collect();
    matches!(parts.as_slice(), ["lib", abi, .., file]
        if !abi.is_empty() && file.len() > 3 && file.ends_with(".so"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qualify_like_androguard() {
        assert_eq!(qualify("com.x", ".Main"), "com.x.Main");
        assert_eq!(qualify("com.x", "Main"), "com.x.Main");
        assert_eq!(qualify("com.x", "org.y.Main"), "org.y.Main");
        assert_eq!(qualify("com.x", "a.Main"), "a.Main");
        assert_eq!(qualify("", "Main"), "Main");
        assert_eq!(qualify("com.x", ""), "");
    }

    #[test]
    fn dex_names() {
        assert_eq!(dex_index("classes.dex"), Some(1));
        assert_eq!(dex_index("classes2.dex"), Some(2));
        assert_eq!(dex_index("classes10.dex"), Some(10));
        assert_eq!(dex_index("classesX.dex"), None);
        assert_eq!(dex_index("assets/classes.dex"), None);
    }

    #[test]
    fn native_libs() {
        assert!(is_native_lib("lib/arm64-v8a/libfoo.so"));
        assert!(!is_native_lib("lib/libfoo.so"));
        assert!(!is_native_lib("lib/x86/.so"));
        assert!(!is_native_lib("assets/lib/x86/libfoo.so"));
        assert!(!is_native_lib("lib//libfoo.so"));
    }

    #[test]
    fn references() {
        assert_eq!(parse_reference("@7f0b0001"), Some(0x7f0b_0001));
        assert_eq!(parse_reference("@string/app"), None);
        assert_eq!(parse_reference("Hello"), None);
    }
}
