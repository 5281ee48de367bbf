//! `privaudit sdks` and `audit --app`: SDKs found in real and built packages, checked
//! against androguard's view of the corpus APKs, the permission map, privacy manifests,
//! and the bundled-versus-transmitting status against the demo capture.

mod common;

use std::path::{Path, PathBuf};

use common::corpus;
use common::pkg::{AxmlWriter, V, binary_plist, macho_64, oracle_for, tiny_dex, zip_of};
use serde_json::Value;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn sdks_json(args: &[&str]) -> Value {
    let mut all = vec!["sdks", "--format", "json"];
    all.extend_from_slice(args);
    let out = common::privaudit(&all);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("sdks JSON")
}

fn ids(v: &Value) -> Vec<String> {
    v["sdks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn instapaper_sdks_agree_with_androguard() {
    let apk = corpus().join("apk/exodus_instapaper.apk");
    let oracle = oracle_for(&apk);
    let v = sdks_json(&[apk.to_str().unwrap()]);
    assert_eq!(v["schema"], "privaudit.sdks/1");
    assert_eq!(v["platform"], "android");
    assert_eq!(v["id"], oracle["package"]);
    assert_eq!(v["classes"], oracle["class_count"]);
    let mut perms: Vec<&str> = v["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    perms.sort();
    let mut expected: Vec<&str> = oracle["uses_permissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    expected.sort();
    // androguard leaves out C2DM-style permissions declared by the app itself only
    // when they are <permission>, not <uses-permission>; both lists must agree here.
    assert_eq!(perms, expected);

    // The manifest (as androguard read it) names these SDKs' components and keys:
    // FacebookActivity, FirebaseInstanceIdService, AppMeasurementService, io.fabric.ApiKey.
    let found = ids(&v);
    for id in ["facebook", "fcm", "firebase_analytics", "crashlytics"] {
        assert!(found.contains(&id.to_string()), "{id} not found: {found:?}");
    }
    // Every package we matched exists in androguard's list of package prefixes.
    let prefixes: Vec<&str> = oracle["java_package_prefixes_3"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    for sdk in v["sdks"].as_array().unwrap() {
        assert!(sdk["evidence"]["classes"].as_u64().unwrap() > 0);
        for p in sdk["evidence"]["packages"].as_array().unwrap() {
            let p = p.as_str().unwrap();
            let head: Vec<&str> = p.split('.').take(3).collect();
            let head = head.join(".");
            assert!(
                prefixes
                    .iter()
                    .any(|q| *q == head || q.starts_with(&format!("{p}."))),
                "{p} ({}) not among androguard's packages",
                sdk["id"]
            );
        }
    }
}

#[test]
fn corpus_apks_without_sdks_report_none() {
    // Small test apps from androguard's suite bundle no third-party SDK.
    for name in [
        "androguard_TestActivity.apk",
        "androguard_com.teleca.jamendo_35.apk",
        "androguard_duplicate.permisssions_9999999.apk",
    ] {
        let apk = corpus().join("apk").join(name);
        let oracle = oracle_for(&apk);
        let v = sdks_json(&[apk.to_str().unwrap()]);
        assert_eq!(v["id"], oracle["package"], "{name}");
        assert_eq!(ids(&v), Vec::<String>::new(), "{name}");
    }
    // A manifest-less multidex archive still has its code read.
    let v = sdks_json(&[corpus()
        .join("apk/androguard_multidex.apk")
        .to_str()
        .unwrap()]);
    assert_eq!(v["dex_files"], 2);
    assert!(
        v["warnings"][0]
            .as_str()
            .unwrap()
            .contains("no AndroidManifest.xml")
    );
}

#[test]
fn permissions_map_to_data_types() {
    let apk = corpus().join("apk/androguard_a2dp.Vol_137.apk");
    let v = sdks_json(&[apk.to_str().unwrap()]);
    let types_of = |name: &str| -> Vec<String> {
        v["permissions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .unwrap_or_else(|| panic!("{name} missing"))["data_types"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t.as_str().unwrap().to_string())
            .collect()
    };
    assert!(
        types_of("android.permission.READ_PHONE_STATE").contains(&"device.identifier.imei".into())
    );
    assert!(
        types_of("android.permission.ACCESS_FINE_LOCATION").contains(&"location.precise".into())
    );
    assert!(types_of("android.permission.READ_CONTACTS").contains(&"comm.contacts".into()));
    assert!(types_of("android.permission.BROADCAST_STICKY").is_empty());
}

#[test]
fn privacy_manifests_map_onto_the_ontology() {
    let ontology: toml::Value =
        toml::from_str(&std::fs::read_to_string(root().join("signatures/datatypes.toml")).unwrap())
            .unwrap();
    let apple_of = |id: &str| -> Option<String> {
        ontology["type"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["id"].as_str() == Some(id))
            .and_then(|t| t.get("apple"))
            .and_then(|a| a.as_str())
            .map(str::to_string)
    };
    let mut checked = 0;
    for f in std::fs::read_dir(corpus().join("ios")).unwrap() {
        let path = f.unwrap().path();
        if path.extension().is_none_or(|e| e != "xcprivacy") {
            continue;
        }
        let oracle = oracle_for(&path);
        let v = sdks_json(&[path.to_str().unwrap()]);
        let m = &v["privacy_manifests"][0];
        let collected = m["collected"].as_array().unwrap();
        let expected = oracle["plist"]["NSPrivacyCollectedDataTypes"]
            .as_array()
            .map(|a| a.len())
            .unwrap_or(0);
        assert_eq!(collected.len(), expected, "{}", path.display());
        for c in collected {
            let apple = c["apple_type"].as_str().unwrap();
            let tagged = ontology["type"]
                .as_array()
                .unwrap()
                .iter()
                .any(|t| t.get("apple").and_then(|a| a.as_str()) == Some(apple));
            match c["data_type"].as_str() {
                // A category the ontology tags maps to a node with that tag; others
                // map through the fallback table to a node that exists.
                Some(id) if tagged => assert_eq!(apple_of(id).as_deref(), Some(apple), "{id}"),
                Some(id) => assert!(
                    ontology["type"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .any(|t| t["id"].as_str() == Some(id)),
                    "{apple} -> {id}"
                ),
                None => assert!(
                    matches!(
                        apple,
                        "NSPrivacyCollectedDataTypeOtherDataTypes"
                            | "NSPrivacyCollectedDataTypeGameplayContent"
                    ),
                    "{apple} unmapped"
                ),
            }
            checked += 1;
        }
    }
    assert!(checked >= 5, "only {checked} collected entries");
}

/// An APK built like a Chinese office app: Umeng, JPush and WeChat code, Bugly's
/// native library, and phone-state and location permissions.
fn office_apk(dir: &Path) -> PathBuf {
    let mut w = AxmlWriter::new();
    w.start(
        "manifest",
        &[
            ("package", V::Str("com.seeyon.m3")),
            ("versionCode", V::Int(3)),
            ("versionName", V::Str("4.5.0")),
        ],
    )
    .leaf(
        "uses-sdk",
        &[
            ("minSdkVersion", V::Int(21)),
            ("targetSdkVersion", V::Int(30)),
        ],
    )
    .leaf(
        "uses-permission",
        &[("name", V::Str("android.permission.INTERNET"))],
    )
    .leaf(
        "uses-permission",
        &[("name", V::Str("android.permission.READ_PHONE_STATE"))],
    )
    .leaf(
        "uses-permission",
        &[("name", V::Str("android.permission.ACCESS_FINE_LOCATION"))],
    )
    .leaf(
        "uses-permission",
        &[("name", V::Str("android.permission.READ_CONTACTS"))],
    )
    .start("application", &[("label", V::Str("Mobile Office"))])
    .leaf(
        "service",
        &[("name", V::Str("cn.jpush.android.service.PushService"))],
    )
    .end("application")
    .end("manifest");
    let manifest = w.finish();
    let dex = tiny_dex(&[
        "Lcom/seeyon/m3/MainActivity;",
        "Lcom/umeng/analytics/MobclickAgent;",
        "Lcom/umeng/commonsdk/UMConfigure;",
        "Lcn/jpush/android/api/JPushInterface;",
        "Lcom/tencent/mm/opensdk/openapi/WXAPIFactory;",
        "Lcom/umengx/NotUmeng;",
    ]);
    let bytes = zip_of(&[
        ("AndroidManifest.xml", &manifest),
        ("classes.dex", &dex),
        ("lib/arm64-v8a/libBugly.so", b"\x7fELF"),
    ]);
    let path = dir.join("office.apk");
    std::fs::write(&path, bytes).unwrap();
    path
}

#[test]
fn built_apk_against_the_demo_capture() {
    let dir = tempfile::tempdir().unwrap();
    let apk = office_apk(dir.path());
    let demo = root().join("captures/demo/mobile-office.pcapng");
    let v = sdks_json(&[apk.to_str().unwrap(), "--capture", demo.to_str().unwrap()]);
    let found = ids(&v);
    for id in ["umeng", "jpush", "wechat", "bugly"] {
        assert!(found.contains(&id.to_string()), "{id}: {found:?}");
    }
    let umeng = &v["sdks"].as_array().unwrap()[found.iter().position(|i| i == "umeng").unwrap()];
    // `com.umengx` is not under `com.umeng`.
    assert_eq!(umeng["evidence"]["classes"], 2);
    let bugly = &v["sdks"].as_array().unwrap()[found.iter().position(|i| i == "bugly").unwrap()];
    assert_eq!(bugly["evidence"]["native_libs"][0], "libBugly.so");
    // PushService is JCore's component (shared by every Jiguang product); JPush
    // itself is found by its own class.
    let jcore = &v["sdks"].as_array().unwrap()[found.iter().position(|i| i == "jcore").unwrap()];
    assert_eq!(
        jcore["evidence"]["components"][0],
        "cn.jpush.android.service.PushService"
    );

    let status = |id: &str| -> String {
        v["traffic"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["id"] == id)
            .unwrap_or_else(|| panic!("{id} not in traffic"))["status"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(status("umeng"), "present-and-transmitting");
    assert_eq!(status("jpush"), "present-and-transmitting");
    assert_eq!(status("wechat"), "present-silent");
    // Amap talks in the demo capture but its code is not in this APK.
    assert_eq!(status("amap"), "transmitting-not-bundled");
    let umeng_traffic = v["traffic"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == "umeng")
        .unwrap();
    assert!(
        umeng_traffic["data_types"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t == "device.identifier.imei")
    );

    // The audit with --app adds the package rules.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_privaudit"))
        .current_dir(root())
        .args([
            "audit",
            "--policy",
            "policies/mobile-office.toml",
            "--consent-marker",
            "privacy/agree",
            "--app",
            apk.to_str().unwrap(),
            "captures/demo/mobile-office.pcapng",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    // Findings are grouped per party: a rule may sit inside another rule's finding.
    let has = |rule: &str, pred: &dyn Fn(&Value) -> bool| {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rules"].as_array().unwrap().iter().any(|r| r == rule) && pred(f))
    };
    assert!(has("PA-SDK-BUNDLED-UNDISCLOSED", &|f| f["party"]
        == "sdk:wechat"));
    assert!(has("PA-SDK-PRESENT-SILENT", &|f| f["party"] == "sdk:wechat"));
    assert!(has("PA-PERMISSION-UNDECLARED-DATA", &|f| f["data_type"]
        == "location.precise"));
    assert!(has("PA-PERMISSION-UNDECLARED-DATA", &|f| f["data_type"]
        == "comm.contacts"));
    assert_eq!(report["package"]["id"], "com.seeyon.m3");
    assert_eq!(report["package"]["sha256"].as_str().map(str::len), Some(64));
    // The HTML report lists the package among its inputs.
    let html = std::process::Command::new(env!("CARGO_BIN_EXE_privaudit"))
        .current_dir(root())
        .args([
            "audit",
            "--policy",
            "policies/mobile-office.toml",
            "--app",
            apk.to_str().unwrap(),
            "captures/demo/mobile-office.pcapng",
            "--format",
            "html",
        ])
        .output()
        .unwrap();
    let html = String::from_utf8_lossy(&html.stdout);
    assert!(html.contains("com.seeyon.m3"));
    assert!(html.contains(">android<"));
}

#[test]
fn built_ipa_frameworks_classes_and_manifests() {
    let dir = tempfile::tempdir().unwrap();
    let info = binary_plist(&[
        ("CFBundleIdentifier", "com.example.office"),
        ("CFBundleShortVersionString", "2.0"),
        ("CFBundleName", "Office"),
        ("CFBundleExecutable", "Office"),
        ("NSUserTrackingUsageDescription", "Personalised ads"),
        ("NSContactsUsageDescription", "Invite colleagues"),
    ]);
    // An executable whose Objective-C class-name section holds AppsFlyerLib, and a
    // longer name that must not count as Adjust; it only mentions `Adjust` (as
    // NSClassFromString would), which must not count either.
    let exe = macho_64(&["AppsFlyerLib", "AdjustmentView"], &["Adjust"]);
    let app_manifest = std::fs::read(corpus().join("ios/amplitude_PrivacyInfo.xcprivacy")).unwrap();
    let fb_manifest = std::fs::read(corpus().join("ios/clevertap_PrivacyInfo.xcprivacy")).unwrap();
    let bytes = zip_of(&[
        ("Payload/Office.app/Info.plist", &info),
        ("Payload/Office.app/Office", &exe),
        ("Payload/Office.app/PrivacyInfo.xcprivacy", &app_manifest),
        (
            "Payload/Office.app/Frameworks/FBSDKCoreKit.framework/FBSDKCoreKit",
            b"\xcf\xfa\xed\xfe",
        ),
        (
            "Payload/Office.app/Frameworks/FBSDKCoreKit.framework/PrivacyInfo.xcprivacy",
            &fb_manifest,
        ),
    ]);
    let ipa = dir.path().join("office.ipa");
    std::fs::write(&ipa, bytes).unwrap();
    let v = sdks_json(&[ipa.to_str().unwrap()]);
    assert_eq!(v["platform"], "ios");
    assert_eq!(v["id"], "com.example.office");
    let found = ids(&v);
    assert!(found.contains(&"facebook".to_string()), "{found:?}");
    assert!(found.contains(&"appsflyer".to_string()), "{found:?}");
    assert!(!found.contains(&"adjust".to_string()), "{found:?}");
    let perms = v["permissions"].as_array().unwrap();
    assert!(
        perms
            .iter()
            .any(|p| p["name"] == "NSUserTrackingUsageDescription"
                && p["data_types"][0] == "device.identifier.idfa"
                && p["purpose"] == "Personalised ads")
    );
    let manifests = v["privacy_manifests"].as_array().unwrap();
    assert_eq!(manifests.len(), 2);
    let app = manifests.iter().find(|m| m["scope"] == "app").unwrap();
    assert_eq!(app["path"], "Payload/Office.app/PrivacyInfo.xcprivacy");
    let fw = manifests
        .iter()
        .find(|m| m["scope"] == "component")
        .unwrap();
    assert_eq!(fw["sdk"], "facebook");
}

#[test]
fn bad_packages_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join("junk.apk");
    std::fs::write(&junk, b"PK\x03\x04 this is not really a zip").unwrap();
    let out = common::privaudit(&["sdks", junk.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("junk.apk"), "{err}");

    let empty_zip = dir.path().join("empty.apk");
    std::fs::write(&empty_zip, zip_of(&[("readme.txt", b"hello")])).unwrap();
    let out = common::privaudit(&["sdks", empty_zip.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("not an APK"), "{err}");

    let missing = common::privaudit(&["sdks", "/nonexistent/app.apk"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("/nonexistent/app.apk"));
}
