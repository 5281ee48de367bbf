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
use std::rc::Rc;

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

    let mut info = ApkInfo {
        package: manifest.package.unwrap_or_default(),
        version_code: manifest.version_code,
        version_name: manifest.version_name,
        min_sdk: manifest.min_sdk,
        target_sdk: manifest.target_sdk,
        app_name: None,
        permissions: Vec::new(),
        permission_requests: Vec::new(),
        activities: Vec::new(),
        services: Vec::new(),
        receivers: Vec::new(),
        providers: Vec::new(),
        meta_data: manifest.meta_data,
        dex_files: 0,
        classes: Vec::new(),
        native_libs: Vec::new(),
        warnings: manifest.warnings,
    };
    if duplicates {
        // Android refuses such archives; tools that read the other copy of an
        // entry see a different app, which is why malware does it.
        info.warn(
            "archive repeats entry names (Android would refuse it); the last copy of each was read"
                .to_owned(),
        );
    }
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
    let mut seen = HashSet::new();
    for mut request in manifest.permission_requests {
        request.name = qualify(&package, &request.name);
        if seen.insert(request.name.clone()) {
            info.permissions.push(request.name.clone());
        }
        info.permission_requests.push(request);
    }

    info.app_name = resolve_label(zip, manifest.label, &mut info.warnings);
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

impl ApkInfo {
    fn warn(&mut self, warning: String) {
        push_warning(&mut self.warnings, warning);
    }
}

fn push_warning(warnings: &mut Vec<String>, mut warning: String) {
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
struct ManifestFacts {
    package: Option<String>,
    version_code: Option<String>,
    version_name: Option<String>,
    min_sdk: Option<String>,
    target_sdk: Option<String>,
    label: Option<String>,
    permission_requests: Vec<PermissionRequest>,
    activities: Vec<String>,
    services: Vec<String>,
    receivers: Vec<String>,
    providers: Vec<String>,
    meta_data: Vec<(String, Option<String>)>,
    warnings: Vec<String>,
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

fn extract_manifest(bytes: &[u8]) -> Result<ManifestFacts, ApkError> {
    let mut facts = ManifestFacts::default();
    let mut root: Option<Rc<str>> = None;
    let mut after_root = false;
    // Open elements, each with the index of its nearest enclosing candidate.
    let mut open: Vec<Option<usize>> = Vec::new();
    let mut candidates: Vec<LaunchCandidate> = Vec::new();
    let mut uses_sdk_seen = false;
    let mut application_seen = false;
    let mut application_label = None;

    let walk_warnings = axml::walk_xml(bytes, |event| {
        let element = match event {
            XmlEvent::End => {
                open.pop();
                if open.is_empty() && root.is_some() {
                    after_root = true;
                }
                return;
            }
            XmlEvent::Start(element) => element,
        };
        if after_root {
            return;
        }
        if root.is_none() {
            root = Some(element.name.clone());
            facts.package = element.attr(Attr::Package);
            facts.version_code = element.attr(Attr::VersionCode);
            facts.version_name = element.attr(Attr::VersionName);
        }
        let mut candidate = open.last().copied().flatten();
        let name_attr = || element.attr(Attr::Name);
        match &*element.name {
            "uses-sdk" if !uses_sdk_seen => {
                // androguard reads the first <uses-sdk> only.
                uses_sdk_seen = true;
                facts.min_sdk = element.attr(Attr::MinSdkVersion);
                facts.target_sdk = element.attr(Attr::TargetSdkVersion);
            }
            tag @ ("uses-permission" | "uses-permission-sdk-23") => {
                if let Some(name) = name_attr() {
                    facts.permission_requests.push(PermissionRequest {
                        name,
                        sdk23: tag == "uses-permission-sdk-23",
                        max_sdk: element.attr(Attr::MaxSdkVersion),
                    });
                }
            }
            "application" if !application_seen => {
                application_seen = true;
                application_label = element.attr(Attr::Label);
            }
            "service" => facts.services.extend(name_attr()),
            "receiver" => facts.receivers.extend(name_attr()),
            "provider" => facts.providers.extend(name_attr()),
            "meta-data" => {
                if let Some(name) = name_attr() {
                    let value = element
                        .attr(Attr::Value)
                        .or_else(|| element.attr(Attr::Resource));
                    facts.meta_data.push((name, value));
                }
            }
            tag @ ("activity" | "activity-alias") => {
                let name = name_attr();
                let is_activity = tag == "activity";
                if is_activity {
                    facts.activities.extend(name.clone());
                }
                if element.attr(Attr::Enabled).as_deref() != Some("false") {
                    candidate = Some(candidates.len());
                    candidates.push(LaunchCandidate {
                        label: if is_activity {
                            element.attr(Attr::Label)
                        } else {
                            None
                        },
                        name,
                        is_activity,
                        main: false,
                        launcher: false,
                    });
                }
            }
            tag @ ("action" | "category") => {
                if let Some(c) = candidate.and_then(|i| candidates.get_mut(i)) {
                    match (tag, name_attr().as_deref()) {
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
        open.push(candidate);
    })?;

    let root = root.ok_or(AxmlError::NoElements)?;
    if &*root != "manifest" {
        return Err(ApkError::NotAManifest(root.to_string()));
    }
    for warning in walk_warnings {
        push_warning(
            &mut facts.warnings,
            format!("AndroidManifest.xml: {warning}"),
        );
    }
    if !open.is_empty() {
        push_warning(
            &mut facts.warnings,
            format!("AndroidManifest.xml: {} elements never closed", open.len()),
        );
    }
    // androguard falls back to the label of the main activity, looked up by
    // name among <activity> elements.
    facts.label = application_label.or_else(|| {
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
    let mut dex_names: Vec<(u64, String)> = zip
        .names()
        .iter()
        .filter_map(|n| dex_index(n).map(|i| (i, n.clone())))
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

fn is_native_lib(name: &str) -> bool {
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
