//! Checks the readers against the real packages in the shared corpus and the
//! oracles recorded for them (androguard 4.1.4 for APKs, Python's plistlib for
//! privacy manifests), plus an IPA assembled here since the corpus has none.

mod common;

use std::collections::BTreeSet;
use std::io::Cursor;
use std::path::Path;

use privaudit::package::apk::{ApkError, read_dex_classes};
use privaudit::package::dex::package_prefix;
use privaudit::package::{ZipLimits, ZipReader, parse_privacy_manifest, read_apk, read_ipa};
use serde_json::Value;

use common::corpus;
use common::pkg::{binary_plist, corpus_files, oracle_for, zip_of};

/// An oracle field that androguard produced as a string (it records failures
/// as `{"error": ...}` objects, which compare to nothing).
fn oracle_str(v: &Value) -> Option<Option<String>> {
    match v {
        Value::String(s) => Some(Some(s.clone())),
        Value::Null => Some(None),
        _ => None,
    }
}

fn oracle_list(v: &Value) -> Option<Vec<String>> {
    v.as_array().map(|a| {
        a.iter()
            .map(|x| x.as_str().unwrap_or_default().to_owned())
            .collect()
    })
}

/// Oracle lists come from androguard's `find_tags`, which iterates a Python
/// set, so the oracle sorted them; sort ours the same way before comparing.
fn check_list(errors: &mut Vec<String>, file: &str, field: &str, ours: &[String], oracle: &Value) {
    let Some(expected) = oracle_list(oracle) else {
        return;
    };
    let mut sorted_expected = expected.clone();
    sorted_expected.sort();
    assert_eq!(
        expected, sorted_expected,
        "{file}: oracle {field} is not sorted; compare in manifest order instead"
    );
    let mut ours = ours.to_vec();
    ours.sort();
    if ours != expected {
        errors.push(format!(
            "{file}: {field}\n   ours:   {ours:?}\n   oracle: {expected:?}"
        ));
    }
}

fn check_classes(
    errors: &mut Vec<String>,
    file: &str,
    dex_files: usize,
    classes: &[String],
    oracle: &Value,
) {
    if Some(dex_files as u64) != oracle["dex_count"].as_u64() {
        errors.push(format!(
            "{file}: dex_count {dex_files} vs {}",
            oracle["dex_count"]
        ));
    }
    if Some(classes.len() as u64) != oracle["class_count"].as_u64() {
        errors.push(format!(
            "{file}: class_count {} vs {}",
            classes.len(),
            oracle["class_count"]
        ));
    }
    let prefixes: BTreeSet<String> = classes
        .iter()
        .map(|c| package_prefix(c, 3).unwrap_or_else(|| "(default package)".to_owned()))
        .collect();
    let expected: BTreeSet<String> = oracle_list(&oracle["java_package_prefixes_3"])
        .unwrap_or_default()
        .into_iter()
        .collect();
    if prefixes != expected {
        errors.push(format!(
            "{file}: java_package_prefixes_3\n   only ours:   {:?}\n   only oracle: {:?}",
            prefixes.difference(&expected).collect::<Vec<_>>(),
            expected.difference(&prefixes).collect::<Vec<_>>()
        ));
    }
}

fn check_apk(path: &Path, errors: &mut Vec<String>) {
    let file = path.file_name().unwrap().to_string_lossy().into_owned();
    let oracle = oracle_for(path);
    let limits = ZipLimits::default();

    if oracle["is_valid_apk"] == Value::Bool(false) {
        // androguard could not find a manifest either; ours must refuse the
        // APK but still read its DEX files when asked directly.
        let err = read_apk(path, &limits).unwrap_err();
        assert!(matches!(err, ApkError::MissingManifest), "{file}: {err}");
        let mut zip = ZipReader::open(path, &limits).unwrap();
        let dex = read_dex_classes(&mut zip);
        assert!(dex.warnings.is_empty(), "{file}: {:?}", dex.warnings);
        check_classes(errors, &file, dex.dex_files, &dex.classes, &oracle);
        return;
    }

    let info = read_apk(path, &limits).unwrap_or_else(|e| panic!("{file}: {e}"));
    assert!(info.warnings.is_empty(), "{file}: {:?}", info.warnings);

    let mut eq = |field: &str, ours: Option<String>, oracle: &Value| {
        if let Some(expected) = oracle_str(oracle)
            && ours != expected
        {
            errors.push(format!("{file}: {field} {ours:?} vs {expected:?}"));
        }
    };
    eq("package", Some(info.package.clone()), &oracle["package"]);
    eq(
        "version_name",
        info.version_name.clone(),
        &oracle["version_name"],
    );
    eq(
        "version_code",
        info.version_code.clone(),
        &oracle["version_code"],
    );
    eq("min_sdk", info.min_sdk.clone(), &oracle["min_sdk"]);
    eq("target_sdk", info.target_sdk.clone(), &oracle["target_sdk"]);
    // androguard reports a missing label as "".
    eq(
        "app_name",
        Some(info.app_name.clone().unwrap_or_default()),
        &oracle["app_name"],
    );

    // androguard's get_permissions(): <uses-permission> only (not -sdk-23),
    // through a set, so without repeats; its length is the "raw" count.
    let androguard_permissions: BTreeSet<String> = info
        .permission_requests
        .iter()
        .filter(|r| !r.sdk23)
        .map(|r| r.name.clone())
        .collect();
    let androguard_permissions: Vec<String> = androguard_permissions.into_iter().collect();
    check_list(
        errors,
        &file,
        "uses_permissions",
        &androguard_permissions,
        &oracle["uses_permissions"],
    );
    if Some(androguard_permissions.len() as u64) != oracle["uses_permissions_raw_count"].as_u64() {
        errors.push(format!("{file}: uses_permissions_raw_count"));
    }
    check_list(
        errors,
        &file,
        "activities",
        &info.activities,
        &oracle["activities"],
    );
    check_list(
        errors,
        &file,
        "services",
        &info.services,
        &oracle["services"],
    );
    check_list(
        errors,
        &file,
        "receivers",
        &info.receivers,
        &oracle["receivers"],
    );
    check_list(
        errors,
        &file,
        "providers",
        &info.providers,
        &oracle["providers"],
    );
    let meta_names: Vec<String> = info.meta_data.iter().map(|(n, _)| n.clone()).collect();
    check_list(
        errors,
        &file,
        "meta_data_names",
        &meta_names,
        &oracle["meta_data_names"],
    );
    check_classes(errors, &file, info.dex_files, &info.classes, &oracle);
}

#[test]
fn apks_match_androguard() {
    let mut errors = Vec::new();
    let apks = corpus_files("apk", ".apk");
    for apk in &apks {
        check_apk(apk, &mut errors);
    }
    assert!(errors.is_empty(), "mismatches:\n{}", errors.join("\n"));
    eprintln!("{} APKs match their oracles", apks.len());
}

/// Every fact androguard reads from a corpus APK (package, version name and
/// code, permissions, activities, services, receivers, providers) must be in
/// what a user sees: `privaudit sdks --format json`.
#[test]
fn sdks_json_carries_every_androguard_fact() {
    let mut total = 0usize;
    let mut missing = Vec::new();
    let apks = corpus_files("apk", ".apk");
    for apk in &apks {
        let oracle = oracle_for(apk);
        if oracle["is_valid_apk"] == Value::Bool(false) {
            continue;
        }
        let file = apk.file_name().unwrap().to_string_lossy().into_owned();
        let out = common::privaudit(&["sdks", "--format", "json", apk.to_str().unwrap()]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{file}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        let mut check = |fact: String, present: bool| {
            total += 1;
            if !present {
                missing.push(format!("{file}: {fact}"));
            }
        };
        for (field, ours) in [
            ("package", "id"),
            ("version_name", "version_name"),
            ("version_code", "version_code"),
        ] {
            if let Some(expected) = oracle[field].as_str() {
                check(format!("{field} {expected}"), v[ours] == expected);
            }
        }
        let names = |key: &str, field: &str| -> BTreeSet<String> {
            v[key]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|x| x[field].as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default()
        };
        let permissions = names("permissions", "name");
        for p in oracle_list(&oracle["uses_permissions"]).unwrap_or_default() {
            check(format!("permission {p}"), permissions.contains(&p));
        }
        for kind in ["activities", "services", "receivers", "providers"] {
            let ours = names(kind, "name");
            let expected = oracle_list(&oracle[kind]).unwrap_or_default();
            for c in &expected {
                check(format!("{kind} {c}"), ours.contains(c));
            }
            // Nothing more either: the lists are androguard's.
            assert_eq!(ours.len(), expected.len(), "{file}: {kind} {ours:?}");
        }
    }
    eprintln!(
        "{} of {total} androguard facts in sdks --format json",
        total - missing.len()
    );
    assert!(total > 50, "only {total} facts checked");
    assert!(missing.is_empty(), "missing:\n{}", missing.join("\n"));
}

#[test]
fn apk_details_beyond_the_oracle() {
    let path = corpus().join("apk/androguard_duplicate.permisssions_9999999.apk");
    let info = read_apk(&path, &ZipLimits::default()).unwrap();
    // The sdk-23 requests androguard leaves out are in `permissions`.
    assert!(
        info.permissions
            .contains(&"android.permission.REQUEST_INSTALL_PACKAGES".to_owned())
    );
    let internet = info
        .permission_requests
        .iter()
        .filter(|r| r.name == "android.permission.INTERNET")
        .count();
    assert_eq!(internet, 2, "repeats are kept in permission_requests");
    assert_eq!(
        info.permissions
            .iter()
            .filter(|p| *p == "android.permission.INTERNET")
            .count(),
        1
    );
    let wes = info
        .permission_requests
        .iter()
        .find(|r| r.name == "android.permission.WRITE_EXTERNAL_STORAGE")
        .unwrap();
    assert_eq!(wes.max_sdk.as_deref(), Some("18"));

    let path = corpus().join("apk/exodus_instapaper.apk");
    let info = read_apk(&path, &ZipLimits::default()).unwrap();
    assert!(info.meta_data.contains(&(
        "io.fabric.ApiKey".to_owned(),
        Some("71f24d119773ca71eaddfe0986af96a348151626".to_owned())
    )));
}

fn oracle_bool(v: &Value) -> Option<bool> {
    v.as_bool()
}

#[test]
fn privacy_manifests_match_plistlib() {
    let files = corpus_files("ios", ".xcprivacy");
    for path in &files {
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        let oracle = &oracle_for(path)["plist"];
        let bytes = std::fs::read(path).unwrap();
        let m = parse_privacy_manifest(&bytes).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert!(m.warnings.is_empty(), "{file}: {:?}", m.warnings);

        assert_eq!(
            m.tracking,
            oracle_bool(&oracle["NSPrivacyTracking"]),
            "{file}"
        );
        assert_eq!(
            m.tracking_domains,
            oracle_list(&oracle["NSPrivacyTrackingDomains"]).unwrap_or_default(),
            "{file}"
        );
        let collected = oracle["NSPrivacyCollectedDataTypes"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert_eq!(m.collected.len(), collected.len(), "{file}");
        for (ours, theirs) in m.collected.iter().zip(&collected) {
            assert_eq!(
                Some(ours.data_type.as_str()),
                theirs["NSPrivacyCollectedDataType"].as_str(),
                "{file}"
            );
            assert_eq!(
                ours.linked,
                oracle_bool(&theirs["NSPrivacyCollectedDataTypeLinked"]),
                "{file}"
            );
            assert_eq!(
                ours.tracking,
                oracle_bool(&theirs["NSPrivacyCollectedDataTypeTracking"]),
                "{file}"
            );
            assert_eq!(
                ours.purposes,
                oracle_list(&theirs["NSPrivacyCollectedDataTypePurposes"]).unwrap_or_default(),
                "{file}"
            );
        }
        let apis = oracle["NSPrivacyAccessedAPITypes"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert_eq!(m.accessed_apis.len(), apis.len(), "{file}");
        for (ours, theirs) in m.accessed_apis.iter().zip(&apis) {
            assert_eq!(
                Some(ours.category.as_str()),
                theirs["NSPrivacyAccessedAPIType"].as_str(),
                "{file}"
            );
            assert_eq!(
                ours.reasons,
                oracle_list(&theirs["NSPrivacyAccessedAPITypeReasons"]).unwrap_or_default(),
                "{file}"
            );
        }

        // The same manifest re-encoded as a binary plist reads the same.
        let value = plist::Value::from_reader(Cursor::new(&bytes)).unwrap();
        let mut binary = Vec::new();
        plist::to_writer_binary(&mut binary, &value).unwrap();
        assert_eq!(
            parse_privacy_manifest(&binary).unwrap(),
            m,
            "{file} (binary)"
        );
    }
    eprintln!("{} privacy manifests match their oracles", files.len());
}

/// A binary plist of a dictionary of string values.
fn to_binary(xml: &[u8]) -> Vec<u8> {
    let value = plist::Value::from_reader(Cursor::new(xml)).unwrap();
    let mut out = Vec::new();
    plist::to_writer_binary(&mut out, &value).unwrap();
    out
}

#[test]
fn ipa_built_in_the_test() {
    let info_plist = binary_plist(&[
        ("CFBundleIdentifier", "com.example.demo"),
        ("CFBundleVersion", "42"),
        ("CFBundleShortVersionString", "1.2.3"),
        ("CFBundleName", "Demo"),
        ("CFBundleExecutable", "Demo"),
        ("MinimumOSVersion", "15.0"),
        ("NSCameraUsageDescription", "Scan receipts"),
        ("NSUserTrackingUsageDescription", "Ads"),
        ("NSLocationWhenInUseUsageDescription", "Nearby stores"),
        ("UIRequiredDeviceCapabilities", "arm64"),
    ]);
    let app_manifest =
        std::fs::read(corpus().join("ios/chartboost_mediation_PrivacyInfo.xcprivacy")).unwrap();
    // The framework's manifest goes in as a binary plist, as Xcode can ship it.
    let fw_manifest =
        to_binary(&std::fs::read(corpus().join("ios/kingfisher_PrivacyInfo.xcprivacy")).unwrap());
    let bundle_manifest =
        std::fs::read(corpus().join("ios/countly_PrivacyInfo.xcprivacy")).unwrap();
    let zip = zip_of(&[
        ("Payload/Demo.app/Info.plist", &info_plist),
        ("Payload/Demo.app/Demo", b"\xcf\xfa\xed\xfe"),
        ("Payload/Demo.app/PrivacyInfo.xcprivacy", &app_manifest),
        (
            "Payload/Demo.app/Frameworks/FBSDKCoreKit.framework/FBSDKCoreKit",
            b"\xcf\xfa\xed\xfe",
        ),
        (
            "Payload/Demo.app/Frameworks/FBSDKCoreKit.framework/Info.plist",
            &binary_plist(&[("CFBundleIdentifier", "com.facebook.sdk.FBSDKCoreKit")]),
        ),
        (
            "Payload/Demo.app/Frameworks/FBSDKCoreKit.framework/PrivacyInfo.xcprivacy",
            &fw_manifest,
        ),
        (
            "Payload/Demo.app/Frameworks/libswiftCore.dylib",
            b"\xcf\xfa\xed\xfe",
        ),
        (
            "Payload/Demo.app/Countly.bundle/PrivacyInfo.xcprivacy",
            &bundle_manifest,
        ),
        (
            "Payload/Demo.app/Broken.bundle/PrivacyInfo.xcprivacy",
            b"not a plist",
        ),
    ]);
    let path = std::env::temp_dir().join(format!("apkread-test-{}.ipa", std::process::id()));
    std::fs::write(&path, &zip).unwrap();
    let result = read_ipa(&path, &ZipLimits::default());
    std::fs::remove_file(&path).unwrap();
    let info = result.unwrap();

    assert_eq!(info.app_dir, "Payload/Demo.app/");
    assert_eq!(info.bundle_id.as_deref(), Some("com.example.demo"));
    assert_eq!(info.version.as_deref(), Some("42"));
    assert_eq!(info.short_version.as_deref(), Some("1.2.3"));
    assert_eq!(info.name.as_deref(), Some("Demo"));
    assert_eq!(info.min_os.as_deref(), Some("15.0"));
    assert_eq!(info.executable.as_deref(), Some("Demo"));
    let mut usage = info.usage_descriptions.clone();
    usage.sort();
    assert_eq!(
        usage,
        [
            (
                "NSCameraUsageDescription".to_owned(),
                "Scan receipts".to_owned()
            ),
            (
                "NSLocationWhenInUseUsageDescription".to_owned(),
                "Nearby stores".to_owned()
            ),
            (
                "NSUserTrackingUsageDescription".to_owned(),
                "Ads".to_owned()
            ),
        ]
    );
    assert_eq!(info.frameworks, ["FBSDKCoreKit", "libswiftCore.dylib"]);

    let paths: Vec<&str> = info
        .privacy_manifests
        .iter()
        .map(|(p, _)| p.as_str())
        .collect();
    assert_eq!(
        paths,
        [
            "Payload/Demo.app/PrivacyInfo.xcprivacy",
            "Payload/Demo.app/Frameworks/FBSDKCoreKit.framework/PrivacyInfo.xcprivacy",
            "Payload/Demo.app/Countly.bundle/PrivacyInfo.xcprivacy",
        ]
    );
    let app = &info.privacy_manifests[0].1;
    assert_eq!(app.tracking, Some(true));
    assert_eq!(
        app.tracking_domains,
        ["tracking.auction.mediation-sdk.chartboost.com"]
    );
    assert_eq!(app.collected.len(), 7);
    let fw = &info.privacy_manifests[1].1;
    assert_eq!(fw.tracking, Some(false));
    assert_eq!(
        fw.accessed_apis[0].category,
        "NSPrivacyAccessedAPICategoryFileTimestamp"
    );
    assert_eq!(fw.accessed_apis[0].reasons, ["C617.1"]);
    assert_eq!(info.warnings.len(), 1, "{:?}", info.warnings);
    assert!(info.warnings[0].contains("Broken.bundle"));
}

#[test]
fn ipa_without_bundle_is_an_error() {
    let zip = zip_of(&[("Payload/readme.txt", b"hi")]);
    let mut reader = ZipReader::new(Cursor::new(zip), &ZipLimits::default()).unwrap();
    let err = privaudit::package::plistinfo::read_ipa_from(&mut reader).unwrap_err();
    assert!(
        matches!(err, privaudit::package::IpaError::NoAppBundle),
        "{err}"
    );
}
