//! What a package tells the audit: the app's identity, the SDKs bundled in it (with the
//! evidence: DEX classes under the SDK's packages, native libraries, iOS frameworks,
//! Objective-C class names), the permissions it requests and the personal data they
//! unlock, and its privacy manifests mapped onto the ontology.

use std::collections::BTreeMap;
use std::path::Path;

use memchr::memmem;
use serde::Serialize;

use super::apk::{ApkError, read_apk_from, read_dex_classes};
use super::plistinfo::{IpaError, PrivacyManifest, parse_privacy_manifest, read_ipa_from};
use super::zipread::{ZipLimits, ZipReadError, ZipReader};
use crate::audit::PackageFacts;
use crate::sdk::signatures::{Sdk, SdkDb};
use crate::signatures::Ontology;

const PERMISSIONS: &str = include_str!("../../signatures/permissions.toml");

/// Largest iOS executable searched for Objective-C class names.
const MAX_EXECUTABLE_BYTES: u64 = 256 << 20;

#[derive(Debug, thiserror::Error)]
pub enum InventoryError {
    #[error("{path}: {source}")]
    Apk {
        path: String,
        #[source]
        source: ApkError,
    },
    #[error("{path}: {source}")]
    Ipa {
        path: String,
        #[source]
        source: IpaError,
    },
    #[error("{path}: {source}")]
    Zip {
        path: String,
        #[source]
        source: ZipReadError,
    },
    #[error(
        "{path}: not an APK (no AndroidManifest.xml, no classes.dex) nor an IPA (no Payload/*.app/Info.plist)"
    )]
    Unknown { path: String },
    #[error("{path}: cannot read: {source}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: not a privacy manifest: {message}")]
    Manifest { path: String, message: String },
}

/// The permission → data-type map (`signatures/permissions.toml`).
#[derive(Debug, Default, serde::Deserialize)]
pub struct PermissionMap {
    #[serde(default)]
    pub android: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    pub ios: BTreeMap<String, Vec<String>>,
}

impl PermissionMap {
    pub fn builtin() -> PermissionMap {
        match toml::from_str(PERMISSIONS) {
            Ok(m) => m,
            // Checked by the test suite; a broken built-in file is a bug.
            Err(e) => panic!("built-in signatures/permissions.toml is invalid: {e}"),
        }
    }

    /// From `dir/permissions.toml` when it exists, else the built-in map.
    pub fn load(dir: Option<&Path>) -> Result<PermissionMap, InventoryError> {
        let Some(path) = dir
            .map(|d| d.join("permissions.toml"))
            .filter(|p| p.is_file())
        else {
            return Ok(PermissionMap::builtin());
        };
        let text = std::fs::read_to_string(&path).map_err(|source| InventoryError::Read {
            path: path.display().to_string(),
            source,
        })?;
        toml::from_str(&text).map_err(|e| InventoryError::Manifest {
            path: path.display().to_string(),
            message: e.to_string(),
        })
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct PermissionFact {
    /// Android permission or iOS usage-description key.
    pub name: String,
    /// Ontology ids it unlocks (empty: none that matter here).
    pub data_types: Vec<String>,
    /// The purpose string shown to the user (iOS).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub purpose: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct SdkEvidence {
    /// DEX classes under the SDK's Java packages.
    pub classes: usize,
    /// A few of them, for the reader.
    pub class_examples: Vec<String>,
    /// The SDK's packages that matched.
    pub packages: Vec<String>,
    /// Native libraries (`lib/<abi>/x.so`, by file name).
    pub native_libs: Vec<String>,
    /// iOS frameworks.
    pub frameworks: Vec<String>,
    /// Objective-C class names found in the iOS executable.
    pub objc_classes: Vec<String>,
    /// Manifest components (activities, services, receivers, providers) under the
    /// SDK's packages.
    pub components: Vec<String>,
}

impl SdkEvidence {
    fn is_empty(&self) -> bool {
        self.classes == 0
            && self.native_libs.is_empty()
            && self.frameworks.is_empty()
            && self.objc_classes.is_empty()
            && self.components.is_empty()
    }

    /// One line for tables and findings: "312 classes in com.umeng; libumeng.so".
    pub fn summary(&self) -> String {
        let mut parts = Vec::new();
        if self.classes > 0 {
            parts.push(format!(
                "{} class{} in {}",
                self.classes,
                if self.classes == 1 { "" } else { "es" },
                self.packages.join(", ")
            ));
        } else if !self.components.is_empty() {
            parts.push(format!("manifest: {}", self.components.join(", ")));
        }
        if !self.native_libs.is_empty() {
            parts.push(self.native_libs.join(", "));
        }
        if !self.frameworks.is_empty() {
            parts.push(format!(
                "{}.framework",
                self.frameworks.join(".framework, ")
            ));
        }
        if !self.objc_classes.is_empty() {
            parts.push(format!("ObjC classes {}", self.objc_classes.join(", ")));
        }
        parts.join("; ")
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct SdkFound {
    pub id: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name_zh: Option<String>,
    pub vendor: String,
    pub category: String,
    pub evidence: SdkEvidence,
}

#[derive(Debug, Clone, Serialize)]
pub struct ManifestEntry {
    /// `NSPrivacyCollectedDataType…`.
    pub apple_type: String,
    /// The ontology node it maps to (the most general node with this Apple type);
    /// none for Apple's catch-all types.
    pub data_type: Option<String>,
    pub linked: Option<bool>,
    pub tracking: Option<bool>,
    pub purposes: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ManifestFact {
    /// Path inside the package (or the file given).
    pub path: String,
    /// `app` for the app's own manifest, `component` for one in a framework or
    /// resource bundle.
    pub scope: &'static str,
    /// The SDK whose framework holds the manifest, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sdk: Option<String>,
    pub tracking: Option<bool>,
    pub tracking_domains: Vec<String>,
    pub collected: Vec<ManifestEntry>,
    /// Required-reason API categories with their reasons.
    pub accessed_apis: Vec<(String, Vec<String>)>,
}

/// Everything privaudit learned from one package.
#[derive(Debug, Clone, Serialize)]
pub struct Inventory {
    pub schema: &'static str,
    pub path: String,
    /// SHA-256 of the package file, filled in by the caller that read it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    /// `android`, `ios`, or `privacy-manifest` for a lone `.xcprivacy` file.
    pub platform: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_os: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_sdk: Option<String>,
    pub dex_files: usize,
    pub classes: usize,
    pub native_libs: Vec<String>,
    pub frameworks: Vec<String>,
    pub permissions: Vec<PermissionFact>,
    pub sdks: Vec<SdkFound>,
    pub privacy_manifests: Vec<ManifestFact>,
    pub warnings: Vec<String>,
}

pub const SCHEMA: &str = "privaudit.sdks/1";

/// Reads a package: APK, IPA (told apart by content, not name) or a lone
/// `PrivacyInfo.xcprivacy`.
pub fn inventory(
    path: &Path,
    limits: &ZipLimits,
    sdks: &SdkDb,
    ontology: &Ontology,
    permissions: &PermissionMap,
) -> Result<Inventory, InventoryError> {
    let shown = path.display().to_string();
    if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("xcprivacy"))
    {
        let bytes = std::fs::read(path).map_err(|source| InventoryError::Read {
            path: shown.clone(),
            source,
        })?;
        let manifest = parse_privacy_manifest(&bytes).map_err(|e| InventoryError::Manifest {
            path: shown.clone(),
            message: e.to_string(),
        })?;
        let mut inv = empty(shown.clone(), "privacy-manifest");
        inv.warnings.extend(manifest.warnings.iter().cloned());
        inv.privacy_manifests
            .push(manifest_fact(&shown, "app", None, &manifest, ontology));
        return Ok(inv);
    }
    let zip_err = |source| InventoryError::Zip {
        path: shown.clone(),
        source,
    };
    let mut zip = ZipReader::open(path, limits).map_err(zip_err)?;
    let is_apk = zip.contains("AndroidManifest.xml") || zip.contains("classes.dex");
    let is_ipa = zip
        .names()
        .iter()
        .any(|n| n.starts_with("Payload/") && n.ends_with(".app/Info.plist"));
    if is_apk {
        android(&shown, &mut zip, sdks, permissions)
    } else if is_ipa {
        ios(&shown, &mut zip, sdks, ontology, permissions)
    } else {
        Err(InventoryError::Unknown { path: shown })
    }
}

fn empty(path: String, platform: &'static str) -> Inventory {
    Inventory {
        schema: SCHEMA,
        path,
        sha256: None,
        platform,
        id: None,
        name: None,
        version: None,
        min_os: None,
        target_sdk: None,
        dex_files: 0,
        classes: 0,
        native_libs: Vec::new(),
        frameworks: Vec::new(),
        permissions: Vec::new(),
        sdks: Vec::new(),
        privacy_manifests: Vec::new(),
        warnings: Vec::new(),
    }
}

/// Is `name` (dotted) `package` itself or inside it?
fn under(name: &str, package: &str) -> bool {
    name.strip_prefix(package)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('.') || rest.starts_with('$'))
}

fn found(sdk: &Sdk, evidence: SdkEvidence) -> SdkFound {
    SdkFound {
        id: sdk.id.clone(),
        name: sdk.name.clone(),
        name_zh: sdk.name_zh.clone(),
        vendor: sdk.vendor.clone(),
        category: sdk.category.clone(),
        evidence,
    }
}

fn android<R: std::io::Read + std::io::Seek>(
    shown: &str,
    zip: &mut ZipReader<R>,
    sdks: &SdkDb,
    permissions: &PermissionMap,
) -> Result<Inventory, InventoryError> {
    let mut inv = empty(shown.to_string(), "android");
    let (classes, native_libs, components) = match read_apk_from(zip) {
        Ok(apk) => {
            inv.id = Some(apk.package.clone()).filter(|p| !p.is_empty());
            inv.name = apk.app_name.clone();
            inv.version = apk.version_name.clone().or(apk.version_code.clone());
            inv.min_os = apk.min_sdk.clone();
            inv.target_sdk = apk.target_sdk.clone();
            inv.dex_files = apk.dex_files;
            inv.warnings.extend(apk.warnings.iter().cloned());
            inv.permissions = apk
                .permissions
                .iter()
                .map(|p| PermissionFact {
                    name: p.clone(),
                    data_types: permissions.android.get(p).cloned().unwrap_or_default(),
                    purpose: None,
                })
                .collect();
            let components: Vec<String> = apk
                .activities
                .iter()
                .chain(&apk.services)
                .chain(&apk.receivers)
                .chain(&apk.providers)
                .cloned()
                .collect();
            (apk.classes, apk.native_libs, components)
        }
        // Split APKs and stripped archives have code but no manifest: the SDKs are
        // still worth reporting.
        Err(ApkError::MissingManifest) => {
            inv.warnings.push(
                "no AndroidManifest.xml: permissions and app identity unknown; SDKs read from the code only"
                    .into(),
            );
            let dex = read_dex_classes(zip);
            inv.dex_files = dex.dex_files;
            inv.warnings.extend(dex.warnings);
            let libs = zip
                .names()
                .iter()
                .filter(|n| n.starts_with("lib/") && n.ends_with(".so"))
                .cloned()
                .collect();
            (dex.classes, libs, Vec::new())
        }
        Err(source) => {
            return Err(InventoryError::Apk {
                path: shown.to_string(),
                source,
            });
        }
    };
    inv.classes = classes.len();
    let lib_names: Vec<String> = {
        let mut v: Vec<String> = native_libs
            .iter()
            .map(|l| l.rsplit('/').next().unwrap_or(l).to_string())
            .collect();
        v.sort();
        v.dedup();
        v
    };
    inv.native_libs = lib_names.clone();

    // Class names sorted once, so each SDK package is a range lookup instead of a scan.
    let mut sorted: Vec<&str> = classes.iter().map(String::as_str).collect();
    sorted.sort_unstable();
    for sdk in sdks.sdks.iter() {
        let mut ev = SdkEvidence::default();
        for package in &sdk.android_packages {
            let start = sorted.partition_point(|c| *c < package.as_str());
            let hits: Vec<&str> = sorted[start..]
                .iter()
                .take_while(|c| c.starts_with(package.as_str()))
                .filter(|c| under(c, package))
                .copied()
                .collect();
            if !hits.is_empty() {
                ev.classes += hits.len();
                ev.packages.push(package.clone());
                for h in hits
                    .iter()
                    .take(3usize.saturating_sub(ev.class_examples.len()))
                {
                    ev.class_examples.push(h.to_string());
                }
            }
            for c in &components {
                if under(c, package) && ev.components.len() < 5 && !ev.components.contains(c) {
                    ev.components.push(c.clone());
                }
            }
        }
        for lib in &sdk.native_libs {
            if lib_names.iter().any(|l| l == lib) {
                ev.native_libs.push(lib.clone());
            }
        }
        if !ev.is_empty() {
            inv.sdks.push(found(sdk, ev));
        }
    }
    drop_shadowed(&mut inv.sdks);
    Ok(inv)
}

/// When one SDK's evidence is a strict subset of another's packages (Firebase
/// Analytics inside `com.google.android.gms.measurement` vs. the Google Mobile
/// Services umbrella), both stay: each is a real, separately documented SDK. Only
/// exact duplicates (two signatures with the same packages) are merged, keeping the
/// first.
fn drop_shadowed(found: &mut Vec<SdkFound>) {
    let mut seen: Vec<(Vec<String>, Vec<String>, Vec<String>)> = Vec::new();
    found.retain(|s| {
        let key = (
            s.evidence.packages.clone(),
            s.evidence.native_libs.clone(),
            s.evidence.frameworks.clone(),
        );
        if seen.contains(&key) {
            false
        } else {
            seen.push(key);
            true
        }
    });
}

/// Apple's collected-data categories that no ontology node is tagged with, mapped to
/// the node that holds that kind of data.
const APPLE_FALLBACK: &[(&str, &str)] = &[
    ("OtherUserContactInfo", "contact"),
    ("Health", "health"),
    ("Fitness", "health"),
    ("PaymentInfo", "financial.payment_account"),
    ("CreditInfo", "financial.credit"),
    ("OtherFinancialInfo", "financial"),
    ("Contacts", "comm.contacts"),
    ("EmailsOrTextMessages", "comm"),
    ("AudioData", "media.audio"),
    ("CustomerSupport", "comm"),
    ("AdvertisingData", "activity.ad_interaction"),
    ("OtherUsageData", "activity"),
    ("CrashData", "diagnostics.crash_log"),
    ("PerformanceData", "diagnostics.performance"),
    ("OtherDiagnosticData", "diagnostics"),
    ("EnvironmentScanning", "device.sensor"),
    ("Hands", "device.sensor"),
    ("Head", "device.sensor"),
];

/// The most general ontology node carrying this Apple data type; Apple's catch-all
/// `OtherDataTypes` (and `GameplayContent`) map to nothing.
fn apple_to_ontology(ontology: &Ontology, apple: &str) -> Option<String> {
    let tagged = ontology
        .types
        .iter()
        .filter(|t| t.apple.as_deref() == Some(apple))
        .min_by_key(|t| ontology.ancestors(&t.id).count())
        .map(|t| t.id.clone());
    if apple == "NSPrivacyCollectedDataTypeOtherDataTypes" {
        return None;
    }
    tagged.or_else(|| {
        let short = apple.strip_prefix("NSPrivacyCollectedDataType")?;
        APPLE_FALLBACK
            .iter()
            .find(|(a, _)| *a == short)
            .map(|(_, id)| id.to_string())
            .filter(|id| ontology.contains(id))
    })
}

fn manifest_fact(
    path: &str,
    scope: &'static str,
    sdk: Option<String>,
    m: &PrivacyManifest,
    ontology: &Ontology,
) -> ManifestFact {
    ManifestFact {
        path: path.to_string(),
        scope,
        sdk,
        tracking: m.tracking,
        tracking_domains: m.tracking_domains.clone(),
        collected: m
            .collected
            .iter()
            .map(|c| ManifestEntry {
                apple_type: c.data_type.clone(),
                data_type: apple_to_ontology(ontology, &c.data_type),
                linked: c.linked,
                tracking: c.tracking,
                purposes: c.purposes.clone(),
            })
            .collect(),
        accessed_apis: m
            .accessed_apis
            .iter()
            .map(|a| (a.category.clone(), a.reasons.clone()))
            .collect(),
    }
}

fn ios<R: std::io::Read + std::io::Seek>(
    shown: &str,
    zip: &mut ZipReader<R>,
    sdks: &SdkDb,
    ontology: &Ontology,
    permissions: &PermissionMap,
) -> Result<Inventory, InventoryError> {
    let ipa = read_ipa_from(zip).map_err(|source| InventoryError::Ipa {
        path: shown.to_string(),
        source,
    })?;
    let mut inv = empty(shown.to_string(), "ios");
    inv.id = ipa.bundle_id.clone();
    inv.name = ipa.name.clone();
    inv.version = ipa.short_version.clone().or(ipa.version.clone());
    inv.min_os = ipa.min_os.clone();
    inv.frameworks = ipa.frameworks.clone();
    inv.warnings.extend(ipa.warnings.iter().cloned());
    inv.permissions = ipa
        .usage_descriptions
        .iter()
        .map(|(key, text)| PermissionFact {
            name: key.clone(),
            data_types: permissions.ios.get(key).cloned().unwrap_or_default(),
            purpose: Some(text.clone()),
        })
        .collect();

    // Objective-C class names are NUL-terminated strings in the executable; matching
    // the whole string with its NULs avoids hits inside longer names.
    let executable = ipa
        .executable
        .as_ref()
        .map(|e| format!("{}{e}", ipa.app_dir));
    let binary = match &executable {
        Some(name) if zip.contains(name) => match zip.read_capped(name, MAX_EXECUTABLE_BYTES) {
            Ok(b) => Some(b),
            Err(e) => {
                inv.warnings
                    .push(format!("{name}: not searched for SDK class names: {e}"));
                None
            }
        },
        _ => None,
    };
    for sdk in sdks.sdks.iter() {
        let mut ev = SdkEvidence::default();
        for fw in &sdk.ios_frameworks {
            if ipa.frameworks.iter().any(|f| f.eq_ignore_ascii_case(fw)) {
                ev.frameworks.push(fw.clone());
            }
        }
        if let Some(bin) = &binary {
            for class in &sdk.ios_classes {
                let needle = format!("\0{class}\0");
                if memmem::find(bin, needle.as_bytes()).is_some() {
                    ev.objc_classes.push(class.clone());
                }
            }
        }
        if !ev.is_empty() {
            inv.sdks.push(found(sdk, ev));
        }
    }
    drop_shadowed(&mut inv.sdks);
    for (path, m) in &ipa.privacy_manifests {
        let owner = inv
            .sdks
            .iter()
            .find(|s| {
                s.evidence.frameworks.iter().any(|f| {
                    path.contains(&format!("/{f}.framework/"))
                        || path.contains(&format!("/{f}.bundle/"))
                })
            })
            .map(|s| s.id.clone());
        let scope = if path == &format!("{}PrivacyInfo.xcprivacy", ipa.app_dir) {
            "app"
        } else {
            "component"
        };
        inv.privacy_manifests
            .push(manifest_fact(path, scope, owner, m, ontology));
    }
    Ok(inv)
}

impl Inventory {
    /// The facts the audit rules use.
    pub fn facts(&self) -> PackageFacts {
        let mut permission_types = Vec::new();
        for p in &self.permissions {
            for t in &p.data_types {
                permission_types.push((t.clone(), p.name.clone()));
            }
        }
        let mut manifest_types = Vec::new();
        for m in &self.privacy_manifests {
            // A framework's manifest describes that SDK, which the policy covers through
            // its SDK list; the app's own manifest is the app's declaration.
            if m.scope != "app" {
                continue;
            }
            for c in &m.collected {
                if let Some(t) = &c.data_type {
                    manifest_types.push((t.clone(), m.path.clone(), c.apple_type.clone()));
                }
            }
        }
        PackageFacts {
            sdks: self
                .sdks
                .iter()
                .map(|s| (s.id.clone(), s.evidence.summary()))
                .collect(),
            permission_types,
            manifest_types,
            summary: serde_json::to_value(self).ok(),
        }
    }
}
