//! Android packages other than a plain APK, as a build produces them before any
//! APK exists: app bundles (`.aab`: protobuf manifest, `<module>/dex/`,
//! `<module>/lib/`), split sets (`.apks` from bundletool, `.xapk`: one base APK
//! and its splits in one zip), and SDK libraries (`.aar` with `classes.jar` and
//! a text manifest, `.jar`: class names straight from the `.class` entries).
//!
//! Nested archives are read in memory with the outer archive's limits, and the
//! decompression budget is shared, so a zip of zips cannot multiply it.

use std::io::{Cursor, Read, Seek};

use super::apk::{
    self, ApkError, ApkInfo, ManifestBuilder, is_native_lib, push_warning, read_apk_from,
    read_dex_in,
};
use super::axml::Attr;
use super::protoxml::walk_proto_xml;
use super::zipread::{ZipLimits, ZipReadError, ZipReader};

const AAB_MANIFEST: &str = "base/manifest/AndroidManifest.xml";
const MAX_MANIFEST_BYTES: u64 = 8 * 1024 * 1024;
/// Most member APKs read from a split set (bundletool writes one per ABI,
/// density and language: a few dozen).
const MAX_MEMBERS: usize = 256;
/// Most nested `.jar` files read from an AAR's `libs/`.
const MAX_NESTED_JARS: usize = 64;

/// What an Android package holds, whatever its container.
#[derive(Debug, Clone, Default)]
pub struct AndroidCode {
    /// `apk`, `aab`, `apks`, `xapk`, `aar` or `jar`.
    pub format: &'static str,
    /// The manifest's facts (of the base APK or module); `None` when the
    /// package has no manifest (a `.jar`, a stripped APK).
    pub manifest: Option<ApkInfo>,
    pub dex_files: usize,
    /// Every class defined, dotted.
    pub classes: Vec<String>,
    /// Native library paths inside their archive.
    pub native_libs: Vec<String>,
    /// Every entry path (of the outer archive and the members read), for
    /// packer traces such as `assets/…` files.
    pub entries: Vec<String>,
    /// Member archives read (split APKs, nested jars).
    pub members: Vec<String>,
    pub warnings: Vec<String>,
}

/// Which kind of Android archive this is, by content. `None`: not one.
pub fn android_format<R: Read + Seek>(zip: &ZipReader<R>) -> Option<&'static str> {
    let names = zip.names();
    if zip.contains("AndroidManifest.xml") && zip.contains("classes.jar") {
        Some("aar")
    } else if zip.contains("AndroidManifest.xml") || zip.contains("classes.dex") {
        Some("apk")
    } else if zip.contains(AAB_MANIFEST) || zip.contains("BundleConfig.pb") {
        Some("aab")
    } else if names.iter().any(|n| is_member_apk(n)) {
        Some(if zip.contains("manifest.json") {
            "xapk"
        } else {
            "apks"
        })
    } else if zip.contains("classes.jar") {
        Some("aar")
    } else if names.iter().any(|n| is_class_entry(n)) {
        Some("jar")
    } else {
        None
    }
}

fn is_member_apk(name: &str) -> bool {
    name.ends_with(".apk") && name.len() > 4
}

fn is_class_entry(name: &str) -> bool {
    name.ends_with(".class") && !name.starts_with("META-INF/") && name.len() > 6
}

/// Reads an Android archive of format `format` (from [`android_format`]).
pub fn read_android<R: Read + Seek>(
    zip: &mut ZipReader<R>,
    format: &'static str,
) -> Result<AndroidCode, ApkError> {
    let mut code = AndroidCode {
        format,
        entries: zip.names().to_vec(),
        ..AndroidCode::default()
    };
    match format {
        "apk" => read_plain_apk(zip, &mut code)?,
        "aab" => read_aab(zip, &mut code)?,
        "apks" | "xapk" => read_split_set(zip, &mut code)?,
        "aar" => read_aar(zip, &mut code)?,
        _ => read_jar(zip, true, &mut code),
    }
    Ok(code)
}

fn warn(code: &mut AndroidCode, warning: String) {
    push_warning(&mut code.warnings, warning);
}

fn read_plain_apk<R: Read + Seek>(
    zip: &mut ZipReader<R>,
    code: &mut AndroidCode,
) -> Result<(), ApkError> {
    match read_apk_from(zip) {
        Ok(mut info) => {
            code.dex_files = info.dex_files;
            code.classes = std::mem::take(&mut info.classes);
            code.native_libs = std::mem::take(&mut info.native_libs);
            code.warnings = std::mem::take(&mut info.warnings);
            code.manifest = Some(info);
            Ok(())
        }
        // Split APKs and stripped archives have code but no manifest: the
        // SDKs are still worth reporting.
        Err(ApkError::MissingManifest) => {
            warn(
                code,
                "no AndroidManifest.xml: permissions and app identity unknown; SDKs read from the code only"
                    .into(),
            );
            let dex = apk::read_dex_classes(zip);
            code.dex_files = dex.dex_files;
            code.classes = dex.classes;
            code.warnings.extend(dex.warnings);
            code.native_libs = zip
                .names()
                .iter()
                .filter(|n| is_native_lib(n))
                .cloned()
                .collect();
            Ok(())
        }
        Err(e) => Err(e),
    }
}

/// Modules of a bundle: `base/` first, then the others in name order.
fn modules<R: Read + Seek>(zip: &ZipReader<R>) -> Vec<String> {
    let mut modules: Vec<String> = zip
        .names()
        .iter()
        .filter_map(|n| {
            let (module, rest) = n.split_once('/')?;
            (rest.starts_with("dex/") || rest.starts_with("lib/") || rest.starts_with("manifest/"))
                .then(|| module.to_owned())
        })
        .collect();
    modules.sort_by_key(|m| (m != "base", m.clone()));
    modules.dedup();
    modules
}

fn read_aab<R: Read + Seek>(
    zip: &mut ZipReader<R>,
    code: &mut AndroidCode,
) -> Result<(), ApkError> {
    if zip.contains(AAB_MANIFEST) {
        let bytes = zip.read_capped(AAB_MANIFEST, MAX_MANIFEST_BYTES)?;
        let mut builder = ManifestBuilder::default();
        let warnings = walk_proto_xml(&bytes, &mut builder)?;
        let facts = builder.finish(AAB_MANIFEST, warnings)?;
        let info = apk::from_manifest(facts);
        code.warnings.extend(info.warnings.iter().cloned());
        code.manifest = Some(info);
    } else {
        warn(
            code,
            format!(
                "no {AAB_MANIFEST}: permissions and app identity unknown; SDKs read from the code only"
            ),
        );
    }
    for module in modules(zip) {
        let dex = read_dex_in(zip, &format!("{module}/dex/"));
        code.dex_files += dex.dex_files;
        code.classes.extend(dex.classes);
        for w in dex.warnings {
            warn(code, format!("{module}: {w}"));
        }
        let prefix = format!("{module}/");
        code.native_libs.extend(
            zip.names()
                .iter()
                .filter(|n| n.strip_prefix(&prefix).is_some_and(is_native_lib))
                .cloned(),
        );
    }
    Ok(())
}

/// Limits for an archive nested in `outer`: the same caps, and only the
/// decompression budget `outer` has not spent yet.
fn nested_limits(limits: &ZipLimits, spent: u64) -> ZipLimits {
    ZipLimits {
        max_total_bytes: limits.max_total_bytes.saturating_sub(spent),
        ..*limits
    }
}

fn open_member<R: Read + Seek>(
    zip: &mut ZipReader<R>,
    name: &str,
    spent: &mut u64,
) -> Result<ZipReader<Cursor<Vec<u8>>>, ZipReadError> {
    let bytes = zip.read(name)?;
    let limits = nested_limits(zip.limits(), zip.bytes_read().saturating_add(*spent));
    let reader = ZipReader::new(Cursor::new(bytes), &limits)?;
    Ok(reader)
}

fn read_split_set<R: Read + Seek>(
    zip: &mut ZipReader<R>,
    code: &mut AndroidCode,
) -> Result<(), ApkError> {
    let mut members: Vec<String> = zip
        .names()
        .iter()
        .filter(|n| is_member_apk(n))
        .cloned()
        .collect();
    if members.len() > MAX_MEMBERS {
        warn(
            code,
            format!(
                "{} APKs in the set; the first {MAX_MEMBERS} read",
                members.len()
            ),
        );
        members.truncate(MAX_MEMBERS);
    }
    let mut spent = 0u64;
    let mut base: Option<ApkInfo> = None;
    for name in members {
        let mut member = match open_member(zip, &name, &mut spent) {
            Ok(m) => m,
            Err(e) => {
                warn(code, format!("{name}: not read: {e}"));
                continue;
            }
        };
        code.entries.extend(member.names().iter().cloned());
        let result = read_apk_from(&mut member);
        spent = spent.saturating_add(member.bytes_read());
        match result {
            Ok(mut info) => {
                code.dex_files += info.dex_files;
                code.classes.append(&mut info.classes);
                code.native_libs.append(&mut info.native_libs);
                for w in info.warnings.drain(..) {
                    warn(code, format!("{name}: {w}"));
                }
                code.members.push(name.clone());
                // The base APK is the one whose manifest names no split.
                if info.split.is_none() && base.is_none() {
                    base = Some(info);
                }
            }
            Err(e) => warn(code, format!("{name}: not read: {e}")),
        }
    }
    if base.is_none() {
        warn(
            code,
            "no base APK in the set (every member is a split): permissions and app identity unknown"
                .into(),
        );
    }
    code.manifest = base;
    Ok(())
}

fn read_aar<R: Read + Seek>(
    zip: &mut ZipReader<R>,
    code: &mut AndroidCode,
) -> Result<(), ApkError> {
    if zip.contains("AndroidManifest.xml") {
        let bytes = zip.read_capped("AndroidManifest.xml", MAX_MANIFEST_BYTES)?;
        let facts = text_manifest(&bytes)?;
        let info = apk::from_manifest(facts);
        code.warnings.extend(info.warnings.iter().cloned());
        code.manifest = Some(info);
    }
    let mut jars: Vec<String> = zip
        .names()
        .iter()
        .filter(|n| *n == "classes.jar" || (n.starts_with("libs/") && n.ends_with(".jar")))
        .cloned()
        .collect();
    if jars.len() > MAX_NESTED_JARS {
        warn(
            code,
            format!("{} jars; the first {MAX_NESTED_JARS} read", jars.len()),
        );
        jars.truncate(MAX_NESTED_JARS);
    }
    let mut spent = 0u64;
    for jar in jars {
        match open_member(zip, &jar, &mut spent) {
            Ok(mut member) => {
                read_jar(&mut member, false, code);
                code.members.push(jar);
            }
            Err(e) => warn(code, format!("{jar}: not read: {e}")),
        }
    }
    // Native code of an AAR: jni/<abi>/libx.so.
    code.native_libs.extend(
        zip.names()
            .iter()
            .filter(|n| {
                n.strip_prefix("jni/")
                    .is_some_and(|rest| is_native_lib(&format!("lib/{rest}")))
            })
            .cloned(),
    );
    Ok(())
}

/// Class names from the `.class` entries of a jar (`com/a/B$C.class` →
/// `com.a.B$C`); multi-release copies under `META-INF/` are not counted twice.
fn read_jar<R: Read + Seek>(zip: &mut ZipReader<R>, top_level: bool, code: &mut AndroidCode) {
    let before = code.classes.len();
    for name in zip.names() {
        if !is_class_entry(name) {
            continue;
        }
        let Some(stem) = name.strip_suffix(".class") else {
            continue;
        };
        if stem.ends_with("module-info") {
            continue;
        }
        code.classes.push(stem.replace('/', "."));
    }
    if code.classes.len() == before && top_level {
        warn(code, "no .class entries".into());
    }
}

/// Most XML events read from a text manifest.
const MAX_XML_EVENTS: usize = 1_000_000;

/// An AAR's manifest is plain XML (the build compiles it only into the APK).
fn text_manifest(bytes: &[u8]) -> Result<super::apk::ManifestFacts, ApkError> {
    use quick_xml::events::Event;
    let text = std::str::from_utf8(bytes).map_err(|e| ApkError::TextXml(e.to_string()))?;
    let mut reader = quick_xml::Reader::from_str(text);
    let mut builder = ManifestBuilder::default();
    let mut warnings = Vec::new();
    for _ in 0..MAX_XML_EVENTS {
        match reader.read_event() {
            Ok(Event::Start(e)) => start_text(&mut builder, &e),
            Ok(Event::Empty(e)) => {
                start_text(&mut builder, &e);
                builder.end();
            }
            Ok(Event::End(_)) => builder.end(),
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => {
                warnings.push(format!("stopped at byte {}: {e}", reader.buffer_position()));
                break;
            }
        }
    }
    builder.finish("AndroidManifest.xml", warnings)
}

fn start_text(builder: &mut ManifestBuilder, e: &quick_xml::events::BytesStart<'_>) {
    let tag = e.local_name().as_ref().to_string();
    let attrs: Vec<(Attr, String)> = e
        .attributes()
        .flatten()
        .take(512)
        .filter_map(|attr| {
            let key = attr.key.local_name().as_ref().to_string();
            let which = Attr::from_name(&key)?;
            let value = attr
                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map(|c| c.into_owned())
                .unwrap_or_else(|_| attr.value.to_string());
            Some((which, value))
        })
        .collect();
    builder.start(&tag, &|which| {
        attrs
            .iter()
            .find(|(a, _)| *a == which)
            .map(|(_, v)| v.clone())
    });
}
