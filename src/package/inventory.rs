//! What a package tells the audit: the app's identity, the SDKs bundled in it (with the
//! evidence: DEX classes under the SDK's packages, native libraries, iOS frameworks,
//! Objective-C class names), the permissions it requests and the personal data they
//! unlock, and its privacy manifests mapped onto the ontology.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

use super::apk::{ApkError, Component, Queries};
use super::bundle::{AndroidCode, android_format, read_android};
use super::macho;
use super::plistinfo::{IpaError, PrivacyManifest, parse_privacy_manifest, read_ipa_from};
use super::zipread::{ZipLimits, ZipReadError, ZipReader};
use crate::audit::PackageFacts;
use crate::observation::mask;
use crate::sdk::packers::{PackerDb, PackerFound};
use crate::sdk::signatures::{Sdk, SdkDb, glob_match};
use crate::signatures::Ontology;

const PERMISSIONS: &str = include_str!("../../signatures/permissions.toml");

/// Largest iOS executable searched for Objective-C class names.
const MAX_EXECUTABLE_BYTES: u64 = 256 << 20;
/// Most Mach-O files of one IPA searched (main executable, frameworks,
/// extensions); real apps have a few dozen.
const MAX_MACHO_FILES: usize = 512;

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
        "{path}: not an APK (no AndroidManifest.xml, no classes.dex), app bundle (.aab), split set (.apks, .xapk), SDK library (.aar, .jar: no .class entries) nor an IPA (no Payload/*.app/Info.plist)"
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
    /// SDK's packages or named by its `android_components`.
    pub components: Vec<String>,
    /// Manifest `<meta-data>` names the SDK reads.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub meta_data: Vec<String>,
}

impl SdkEvidence {
    fn is_empty(&self) -> bool {
        self.classes == 0
            && self.native_libs.is_empty()
            && self.frameworks.is_empty()
            && self.objc_classes.is_empty()
            && self.components.is_empty()
            && self.meta_data.is_empty()
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
        if !self.meta_data.is_empty() {
            parts.push(format!("meta-data {}", self.meta_data.join(", ")));
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
            parts.push(format!(
                "Objective-C classes {}",
                self.objc_classes.join(", ")
            ));
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
    /// The vendor core this SDK runs on (reported on its own evidence).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub core: Option<String>,
    pub evidence: SdkEvidence,
}

/// One `<meta-data>` of the manifest.
#[derive(Debug, Clone, Serialize)]
pub struct MetaDataFact {
    pub name: String,
    /// The value, masked, for names the signatures know as an SDK's app key;
    /// other values are not shown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// The SDK that reads this name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sdk: Option<String>,
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
    /// What was read: `apk`, `aab`, `apks`, `xapk`, `aar`, `jar`, `ipa` or
    /// `xcprivacy`.
    pub format: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The version name, else the version code (Android), or
    /// `CFBundleShortVersionString`, else `CFBundleVersion` (iOS).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// `android:versionCode`, or `CFBundleVersion`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version_code: Option<String>,
    /// `android:versionName`, or `CFBundleShortVersionString`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_os: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_sdk: Option<String>,
    pub dex_files: usize,
    pub classes: usize,
    pub native_libs: Vec<String>,
    pub frameworks: Vec<String>,
    pub permissions: Vec<PermissionFact>,
    /// `android:name` of `<application>`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub application_class: Option<String>,
    /// Manifest components, names qualified as androguard does.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub activities: Vec<Component>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub activity_aliases: Vec<Component>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub services: Vec<Component>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub receivers: Vec<Component>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub providers: Vec<Component>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub meta_data: Vec<MetaDataFact>,
    /// `<queries>`: the other apps this one declares it looks for.
    #[serde(skip_serializing_if = "Queries::is_empty")]
    pub queries: Queries,
    /// Member archives read (split APKs of a set, jars of an AAR).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<String>,
    /// Packers / protectors found: the real code is encrypted.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub packers: Vec<PackerFound>,
    /// The app's code is not all readable (packed, or loaded at run time), so
    /// the SDK list covers only what the manifest, native libraries and the
    /// readable code show: an empty list does not mean no SDK.
    pub code_hidden: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code_hidden_reason: Option<String>,
    pub sdks: Vec<SdkFound>,
    pub privacy_manifests: Vec<ManifestFact>,
    pub warnings: Vec<String>,
}

pub const SCHEMA: &str = "privaudit.sdks/1";

/// The signature data `inventory` matches packages against.
pub struct Signatures<'a> {
    pub sdks: &'a SdkDb,
    pub packers: &'a PackerDb,
    pub ontology: &'a Ontology,
    pub permissions: &'a PermissionMap,
}

/// Reads a package: APK, app bundle, split set, AAR, JAR, IPA (told apart by
/// content, not name) or a lone `PrivacyInfo.xcprivacy`.
pub fn inventory(
    path: &Path,
    limits: &ZipLimits,
    sig: &Signatures<'_>,
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
        let mut inv = empty(shown.clone(), "privacy-manifest", "xcprivacy");
        inv.warnings.extend(manifest.warnings.iter().cloned());
        inv.privacy_manifests
            .push(manifest_fact(&shown, "app", None, &manifest, sig.ontology));
        return Ok(inv);
    }
    let zip_err = |source| InventoryError::Zip {
        path: shown.clone(),
        source,
    };
    let mut zip = ZipReader::open(path, limits).map_err(zip_err)?;
    let is_ipa = zip
        .names()
        .iter()
        .any(|n| n.starts_with("Payload/") && n.ends_with(".app/Info.plist"));
    // An IPA is recognised first: a stray .class or .apk inside it does not make
    // it a jar or a split set.
    if is_ipa && !zip.contains("AndroidManifest.xml") {
        return ios(&shown, &mut zip, sig);
    }
    match android_format(&zip) {
        Some(format) => {
            let code = read_android(&mut zip, format).map_err(|source| InventoryError::Apk {
                path: shown.clone(),
                source,
            })?;
            Ok(android(&shown, code, sig))
        }
        None => Err(InventoryError::Unknown { path: shown }),
    }
}

fn empty(path: String, platform: &'static str, format: &'static str) -> Inventory {
    Inventory {
        schema: SCHEMA,
        path,
        sha256: None,
        platform,
        format,
        id: None,
        name: None,
        version: None,
        version_code: None,
        version_name: None,
        min_os: None,
        target_sdk: None,
        dex_files: 0,
        classes: 0,
        native_libs: Vec::new(),
        frameworks: Vec::new(),
        permissions: Vec::new(),
        application_class: None,
        activities: Vec::new(),
        activity_aliases: Vec::new(),
        services: Vec::new(),
        receivers: Vec::new(),
        providers: Vec::new(),
        meta_data: Vec::new(),
        queries: Queries::default(),
        members: Vec::new(),
        packers: Vec::new(),
        code_hidden: false,
        code_hidden_reason: None,
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
        core: sdk.core.clone(),
        evidence,
    }
}

fn android(shown: &str, code: AndroidCode, sig: &Signatures<'_>) -> Inventory {
    let mut inv = empty(shown.to_string(), "android", code.format);
    inv.warnings = code.warnings;
    inv.members = code.members;
    inv.dex_files = code.dex_files;
    let mut meta_names: Vec<String> = Vec::new();
    let mut components: Vec<String> = Vec::new();
    if let Some(apk) = code.manifest {
        inv.id = Some(apk.package.clone()).filter(|p| !p.is_empty());
        inv.name = apk.app_name.clone();
        inv.version = apk.version_name.clone().or(apk.version_code.clone());
        inv.version_code = apk.version_code.clone();
        inv.version_name = apk.version_name.clone();
        inv.min_os = apk.min_sdk.clone();
        inv.target_sdk = apk.target_sdk.clone();
        inv.application_class = apk.application_class.clone();
        inv.permissions = apk
            .permissions
            .iter()
            .map(|p| PermissionFact {
                name: p.clone(),
                data_types: sig.permissions.android.get(p).cloned().unwrap_or_default(),
                purpose: None,
            })
            .collect();
        for c in apk.components {
            components.push(c.name.clone());
            match c.kind {
                "activity" => inv.activities.push(c),
                "activity-alias" => inv.activity_aliases.push(c),
                "service" => inv.services.push(c),
                "receiver" => inv.receivers.push(c),
                _ => inv.providers.push(c),
            }
        }
        for (name, value) in apk.meta_data {
            let key_owner = sig.sdks.app_key_owner(&name);
            let reader = key_owner.or_else(|| {
                sig.sdks
                    .sdks
                    .iter()
                    .find(|s| s.meta_data.iter().any(|m| glob_match(m, &name)))
            });
            meta_names.push(name.clone());
            inv.meta_data.push(MetaDataFact {
                value: key_owner
                    .and(value)
                    .filter(|v| !v.is_empty())
                    .map(|v| mask(&v)),
                sdk: reader.map(|s| s.id.clone()),
                name,
            });
        }
        inv.queries = apk.queries;
    }
    inv.classes = code.classes.len();
    let lib_names: Vec<String> = {
        let mut v: Vec<String> = code
            .native_libs
            .iter()
            .map(|l| l.rsplit('/').next().unwrap_or(l).to_string())
            .collect();
        v.sort();
        v.dedup();
        v
    };
    inv.native_libs = lib_names.clone();

    // Class names sorted once, so each SDK package is a range lookup instead of a scan.
    let mut sorted: Vec<&str> = code.classes.iter().map(String::as_str).collect();
    sorted.sort_unstable();
    sorted.dedup();
    for sdk in sig.sdks.sdks.iter() {
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
        }
        for c in &components {
            let named = sdk.android_packages.iter().any(|p| under(c, p))
                || sdk.android_components.iter().any(|p| glob_match(p, c));
            if named && ev.components.len() < 5 && !ev.components.contains(c) {
                ev.components.push(c.clone());
            }
        }
        for name in &meta_names {
            let read = sdk
                .meta_data
                .iter()
                .chain(&sdk.app_keys)
                .any(|m| glob_match(m, name));
            if read && !ev.meta_data.contains(name) {
                ev.meta_data.push(name.clone());
            }
        }
        for lib in &sdk.native_libs {
            if let Some(hit) = lib_names.iter().find(|l| glob_match(lib, l))
                && !ev.native_libs.contains(hit)
            {
                ev.native_libs.push(hit.clone());
            }
        }
        if !ev.is_empty() {
            inv.sdks.push(found(sdk, ev));
        }
    }
    drop_shadowed(&mut inv.sdks);

    inv.packers = sig.packers.find(&sorted, &lib_names, &code.entries);
    if !inv.packers.is_empty() {
        let names: Vec<&str> = inv.packers.iter().map(|p| p.name.as_str()).collect();
        inv.code_hidden = true;
        inv.code_hidden_reason = Some(format!(
            "packed with {}: the DEX files hold the packer's loader and the app's code is encrypted; SDKs are found only from the manifest and native libraries, and SDKs not listed may still be present",
            names.join(", ")
        ));
    } else if let Some(app_class) = &inv.application_class
        && inv.dex_files > 0
        && !app_class.starts_with("android.")
        && sorted.binary_search(&app_class.as_str()).is_err()
        && matches!(code.format, "apk" | "aab" | "apks" | "xapk")
    {
        // Android instantiates this class before anything else; when no DEX file
        // defines it, the code that does is decrypted or downloaded at run time.
        inv.code_hidden = true;
        inv.code_hidden_reason = Some(format!(
            "the application class {app_class} is not in any DEX file: code is loaded at run time (an unknown packer, or dynamic loading); SDKs not listed may still be present"
        ));
    }
    inv
}

/// When one SDK's evidence is a strict subset of another's packages (Firebase
/// Analytics inside `com.google.android.gms.measurement` vs. the Google Mobile
/// Services umbrella), both stay: each is a real, separately documented SDK. Only
/// exact duplicates (two signatures with the same packages) are merged, keeping the
/// first.
fn drop_shadowed(found: &mut Vec<SdkFound>) {
    type Key = (
        Vec<String>,
        Vec<String>,
        Vec<String>,
        Vec<String>,
        Vec<String>,
        Vec<String>,
    );
    let mut seen: Vec<Key> = Vec::new();
    found.retain(|s| {
        let e = &s.evidence;
        let key = (
            e.packages.clone(),
            e.native_libs.clone(),
            e.frameworks.clone(),
            e.objc_classes.clone(),
            e.components.clone(),
            e.meta_data.clone(),
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
    sig: &Signatures<'_>,
) -> Result<Inventory, InventoryError> {
    let ipa = read_ipa_from(zip).map_err(|source| InventoryError::Ipa {
        path: shown.to_string(),
        source,
    })?;
    let mut inv = empty(shown.to_string(), "ios", "ipa");
    inv.id = ipa.bundle_id.clone();
    inv.name = ipa.name.clone();
    inv.version = ipa.short_version.clone().or(ipa.version.clone());
    inv.version_code = ipa.version.clone();
    inv.version_name = ipa.short_version.clone();
    inv.min_os = ipa.min_os.clone();
    inv.frameworks = ipa.frameworks.clone();
    inv.warnings.extend(ipa.warnings.iter().cloned());
    inv.permissions = ipa
        .usage_descriptions
        .iter()
        .map(|(key, text)| PermissionFact {
            name: key.clone(),
            data_types: sig.permissions.ios.get(key).cloned().unwrap_or_default(),
            purpose: Some(text.clone()),
        })
        .collect();

    // Static SDKs are linked into the main executable and never show up under
    // Frameworks/, so every Mach-O of the app is searched for the Objective-C
    // classes it defines.
    let executable = ipa
        .executable
        .as_ref()
        .map(|e| format!("{}{e}", ipa.app_dir));
    let mut binaries: Vec<String> = executable
        .iter()
        .filter(|e| zip.contains(e))
        .cloned()
        .collect();
    binaries.extend(
        zip.names()
            .iter()
            .filter(|n| n.starts_with(&ipa.app_dir) && is_bundle_binary(n))
            .filter(|n| Some(*n) != executable.as_ref())
            .cloned(),
    );
    if binaries.len() > MAX_MACHO_FILES {
        inv.warnings.push(format!(
            "{} binaries; only the first {MAX_MACHO_FILES} searched for SDK class names",
            binaries.len()
        ));
        binaries.truncate(MAX_MACHO_FILES);
    }
    let mut classes: std::collections::BTreeSet<String> = Default::default();
    for name in &binaries {
        let bytes = match zip.read_capped(name, MAX_EXECUTABLE_BYTES) {
            Ok(b) => b,
            Err(e) => {
                inv.warnings
                    .push(format!("{name}: not searched for SDK class names: {e}"));
                continue;
            }
        };
        match macho::objc_class_names(&bytes) {
            Ok(names) => classes.extend(names),
            Err(e) => inv
                .warnings
                .push(format!("{name}: not searched for SDK class names: {e}")),
        }
    }
    inv.classes = classes.len();
    for sdk in sig.sdks.sdks.iter() {
        let mut ev = SdkEvidence::default();
        for fw in &sdk.ios_frameworks {
            if ipa.frameworks.iter().any(|f| f.eq_ignore_ascii_case(fw)) {
                ev.frameworks.push(fw.clone());
            }
        }
        for class in &sdk.ios_classes {
            let hit = if class.contains('*') {
                classes.iter().any(|c| glob_match(class, c))
            } else {
                classes.contains(class)
            };
            if hit {
                ev.objc_classes.push(class.clone());
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
            .push(manifest_fact(path, scope, owner, m, sig.ontology));
    }
    Ok(inv)
}

/// Binaries of an app bundle besides the main executable: a framework's or an
/// extension's executable (`X.framework/X`, `Y.appex/Y`) and dynamic libraries
/// (the Swift runtime's excepted).
fn is_bundle_binary(path: &str) -> bool {
    let mut parts = path.rsplit('/');
    let (Some(file), Some(dir)) = (parts.next(), parts.next()) else {
        return false;
    };
    if file.ends_with(".dylib") {
        return !file.starts_with("libswift");
    }
    [".framework", ".appex"]
        .iter()
        .any(|ext| dir.strip_suffix(ext) == Some(file))
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
