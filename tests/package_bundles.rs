//! Android and iOS packages as builds and vendors ship them, run through `privaudit
//! sdks` as a user would: obfuscated and packed APKs (SDKs named by manifest
//! components and meta-data, packers reported), app bundles with a protobuf manifest,
//! split sets, SDK libraries (`.jar` made by javac, `.aar`), and IPAs whose SDKs are
//! linked statically into the main executable.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::pkg::proto::{self, Val};
use common::pkg::{AxmlWriter, V, binary_plist, macho_64, macho_fat, tiny_dex, zip_of};
use serde_json::Value;

fn sdks(path: &Path, format: &str) -> (Value, String) {
    let out = common::privaudit(&["sdks", "--format", format, path.to_str().unwrap()]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let v = if format == "json" {
        serde_json::from_str(&stdout).expect("sdks JSON")
    } else {
        Value::Null
    };
    (v, stdout)
}

fn ids(v: &Value) -> Vec<String> {
    v["sdks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_string())
        .collect()
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// The manifest of an obfuscated app that uses JCore (not JPush), Umeng with
/// U-Push, Baidu ads and AMap location: every class is renamed, the manifest
/// still names the SDKs' components and keys.
fn obfuscated_manifest() -> Vec<u8> {
    let mut w = AxmlWriter::new();
    w.start(
        "manifest",
        &[
            ("package", V::Str("com.example.shop")),
            ("versionCode", V::Int(417)),
            ("versionName", V::Str("4.1.7")),
        ],
    )
    .start("queries", &[])
    .leaf("package", &[("name", V::Str("com.tencent.mm"))])
    .start("intent", &[])
    .leaf("action", &[("name", V::Str("android.intent.action.SEND"))])
    .end("intent")
    .end("queries")
    .start(
        "application",
        &[("label", V::Str("Shop")), ("name", V::Str(".App"))],
    )
    .start(
        "activity",
        &[("name", V::Str(".Main")), ("exported", V::Bool(true))],
    )
    .start("intent-filter", &[])
    .leaf("action", &[("name", V::Str("android.intent.action.MAIN"))])
    .leaf(
        "category",
        &[("name", V::Str("android.intent.category.LAUNCHER"))],
    )
    .end("intent-filter")
    .end("activity")
    .start(
        "service",
        &[
            ("name", V::Str("cn.jpush.android.service.PushService")),
            ("exported", V::Bool(false)),
        ],
    )
    .start("intent-filter", &[])
    .leaf(
        "action",
        &[("name", V::Str("cn.jpush.android.intent.REGISTER"))],
    )
    .leaf(
        "action",
        &[("name", V::Str("cn.jpush.android.intent.REPORT"))],
    )
    .end("intent-filter")
    .end("service")
    .leaf(
        "receiver",
        &[(
            "name",
            V::Str("com.umeng.message.component.UmengNotificationReceiver"),
        )],
    )
    .leaf(
        "provider",
        &[
            ("name", V::Str("cn.jpush.android.service.DataProvider")),
            ("authorities", V::Str("com.example.shop.DataProvider")),
            ("exported", V::Bool(false)),
        ],
    )
    .leaf(
        "meta-data",
        &[
            ("name", V::Str("UMENG_APPKEY")),
            ("value", V::Str("5f1a2b3c4d5e6f7a8b9c0d1e")),
        ],
    )
    .leaf(
        "meta-data",
        &[
            ("name", V::Str("JPUSH_APPKEY")),
            ("value", V::Str("0123456789abcdef01234567")),
        ],
    )
    .leaf(
        "meta-data",
        &[
            ("name", V::Str("BaiduMobAd_APP_ID")),
            ("value", V::Str("e866cfb0")),
        ],
    )
    .leaf(
        "meta-data",
        &[
            ("name", V::Str("com.amap.api.v2.apikey")),
            ("value", V::Str("9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d")),
        ],
    )
    .leaf(
        "meta-data",
        &[
            ("name", V::Str("com.example.build_flavor")),
            ("value", V::Str("secret-internal-value")),
        ],
    )
    .end("application")
    .end("manifest");
    w.finish()
}

#[test]
fn obfuscated_app_sdks_from_components_and_meta_data() {
    let dir = tempfile::tempdir().unwrap();
    let dex = tiny_dex(&["Lcom/example/shop/App;", "La/a/b;", "La/a/c;", "Lb/c/d;"]);
    let apk = write(
        dir.path(),
        "shop.apk",
        &zip_of(&[
            ("AndroidManifest.xml", &obfuscated_manifest()),
            ("classes.dex", &dex),
        ]),
    );
    let (v, _) = sdks(&apk, "json");
    assert_eq!(v["format"], "apk");
    assert_eq!(v["version_code"], "417");
    assert_eq!(v["version_name"], "4.1.7");
    assert_eq!(v["code_hidden"], false, "{}", v["code_hidden_reason"]);
    let found = ids(&v);
    for id in [
        "jcore",
        "umeng",
        "umeng_push",
        "baidu_mobads",
        "amap_location",
    ] {
        assert!(found.contains(&id.to_string()), "{id} not in {found:?}");
    }
    // JCore's components and key are not JPush's evidence.
    assert!(!found.contains(&"jpush".to_string()), "{found:?}");
    assert!(!found.contains(&"amap".to_string()), "{found:?}");

    let service = &v["services"][0];
    assert_eq!(service["name"], "cn.jpush.android.service.PushService");
    assert_eq!(service["exported"], false);
    assert_eq!(
        service["actions"],
        serde_json::json!([
            "cn.jpush.android.intent.REGISTER",
            "cn.jpush.android.intent.REPORT"
        ])
    );
    assert_eq!(v["activities"][0]["name"], "com.example.shop.Main");
    assert_eq!(v["activities"][0]["exported"], true);
    assert_eq!(
        v["providers"][0]["authorities"],
        "com.example.shop.DataProvider"
    );
    assert_eq!(v["queries"]["packages"][0], "com.tencent.mm");
    assert_eq!(v["queries"]["intents"][0], "android.intent.action.SEND");
    assert_eq!(v["application_class"], "com.example.shop.App");

    // App keys are shown masked; other values are not shown at all.
    let meta = v["meta_data"].as_array().unwrap();
    let umeng = meta.iter().find(|m| m["name"] == "UMENG_APPKEY").unwrap();
    assert_eq!(umeng["sdk"], "umeng");
    let shown = umeng["value"].as_str().unwrap();
    assert!(
        shown.contains('*') && !shown.contains("2b3c4d5e"),
        "{shown}"
    );
    let flavor = meta
        .iter()
        .find(|m| m["name"] == "com.example.build_flavor")
        .unwrap();
    assert!(flavor.get("value").is_none(), "{flavor}");
    let text = v.to_string();
    assert!(!text.contains("5f1a2b3c4d5e6f7a8b9c0d1e"));
    assert!(!text.contains("secret-internal-value"));

    let (_, table) = sdks(&apk, "table");
    assert!(table.contains("version code 417"), "{table}");
    assert!(
        table.contains("cn.jpush.android.intent.REGISTER"),
        "{table}"
    );
    assert!(table.contains("UMENG_APPKEY"), "{table}");
}

#[test]
fn packed_app_says_its_code_is_hidden() {
    let dir = tempfile::tempdir().unwrap();
    let mut w = AxmlWriter::new();
    w.start("manifest", &[("package", V::Str("com.example.packed"))])
        .start("application", &[("name", V::Str("com.stub.StubApp"))])
        .end("application")
        .end("manifest");
    let apk = write(
        dir.path(),
        "packed.apk",
        &zip_of(&[
            ("AndroidManifest.xml", &w.finish()),
            ("classes.dex", &tiny_dex(&["Lcom/stub/StubApp;"])),
            ("lib/arm64-v8a/libjiagu_a64.so", b"\x7fELF"),
            ("assets/libjiagu.so", b"\x7fELF"),
        ]),
    );
    let (v, _) = sdks(&apk, "json");
    assert_eq!(v["code_hidden"], true);
    assert_eq!(v["packers"][0]["id"], "qihoo_jiagu");
    assert_eq!(v["packers"][0]["evidence"].as_array().unwrap().len(), 3);
    let (_, table) = sdks(&apk, "table");
    assert!(table.contains("360 Jiagu"), "{table}");
    assert!(table.contains("code is hidden"), "{table}");
    assert!(!table.contains("SDKs bundled: 0\n"), "{table}");

    // Same app without a known packer, but its application class is in no DEX
    // file: the code is loaded at run time, which is said too.
    let mut w = AxmlWriter::new();
    w.start("manifest", &[("package", V::Str("com.example.loader"))])
        .start("application", &[("name", V::Str("com.x.Shell"))])
        .end("application")
        .end("manifest");
    let apk = write(
        dir.path(),
        "loader.apk",
        &zip_of(&[
            ("AndroidManifest.xml", &w.finish()),
            ("classes.dex", &tiny_dex(&["Lcom/x/Other;"])),
        ]),
    );
    let (v, _) = sdks(&apk, "json");
    assert_eq!(v["code_hidden"], true);
    assert!(
        v["code_hidden_reason"]
            .as_str()
            .unwrap()
            .contains("com.x.Shell")
    );
}

/// Compiles `classes` (dotted names) with javac and packs them with jar.
fn real_jar(dir: &Path, name: &str, classes: &[&str]) -> PathBuf {
    common::require_tool("javac");
    common::require_tool("jar");
    let src = dir.join(format!("{name}-src"));
    let out = dir.join(format!("{name}-classes"));
    let mut files = Vec::new();
    for class in classes {
        let (package, simple) = class.rsplit_once('.').unwrap();
        let folder = src.join(package.replace('.', "/"));
        std::fs::create_dir_all(&folder).unwrap();
        let file = folder.join(format!("{simple}.java"));
        std::fs::write(
            &file,
            format!("package {package};\npublic class {simple} {{ static class Inner {{}} }}\n"),
        )
        .unwrap();
        files.push(file);
    }
    let status = Command::new("javac")
        .arg("-d")
        .arg(&out)
        .args(&files)
        .status()
        .unwrap();
    assert!(status.success());
    let jar = dir.join(format!("{name}.jar"));
    let status = Command::new("jar")
        .arg("cf")
        .arg(&jar)
        .arg("-C")
        .arg(&out)
        .arg(".")
        .status()
        .unwrap();
    assert!(status.success());
    jar
}

#[test]
fn jars_name_the_core_and_the_product_apart() {
    let dir = tempfile::tempdir().unwrap();
    let jcore = real_jar(
        dir.path(),
        "jcore-android-4.1.0",
        &[
            "cn.jiguang.api.JCoreInterface",
            "cn.jpush.android.service.PushService",
            "cn.jpush.android.service.PushReceiver",
            "cn.jiguang.a.a",
        ],
    );
    let (v, _) = sdks(&jcore, "json");
    assert_eq!(v["format"], "jar");
    assert_eq!(v["platform"], "android");
    // javac wrote each class and its inner class.
    assert_eq!(v["classes"], 8);
    assert_eq!(ids(&v), ["jcore"]);

    let jpush = real_jar(
        dir.path(),
        "jpush-android-5.0.0",
        &[
            "cn.jpush.android.api.JPushInterface",
            "cn.jpush.android.service.JPushMessageReceiver",
        ],
    );
    let (v, _) = sdks(&jpush, "json");
    assert_eq!(ids(&v), ["jpush"]);
    assert_eq!(v["sdks"][0]["core"], "jcore");

    let janalytics = real_jar(
        dir.path(),
        "janalytics",
        &["cn.jiguang.analytics.android.api.JAnalyticsInterface"],
    );
    assert_eq!(ids(&sdks(&janalytics, "json").0), ["janalytics"]);
}

#[test]
fn aar_reads_classes_jar_manifest_and_jni() {
    let dir = tempfile::tempdir().unwrap();
    let jar = real_jar(
        dir.path(),
        "classes",
        &[
            "com.umeng.message.PushAgent",
            "com.umeng.message.UmengMessageService",
        ],
    );
    let manifest = br#"<?xml version="1.0" encoding="utf-8"?>
<manifest xmlns:android="http://schemas.android.com/apk/res/android" package="com.umeng.message.lib">
  <uses-permission android:name="android.permission.INTERNET"/>
  <application>
    <service android:name="com.umeng.message.UmengMessageService" android:exported="false">
      <intent-filter><action android:name="com.umeng.message.action"/></intent-filter>
    </service>
    <receiver android:name=".NotificationProxyBroadcastReceiver" android:exported="false"/>
  </application>
</manifest>"#;
    let aar = write(
        dir.path(),
        "umeng-push.aar",
        &zip_of(&[
            ("AndroidManifest.xml", manifest),
            ("classes.jar", &std::fs::read(&jar).unwrap()),
            ("jni/arm64-v8a/libumeng-spy.so", b"\x7fELF"),
            ("R.txt", b""),
        ]),
    );
    let (v, _) = sdks(&aar, "json");
    assert_eq!(v["format"], "aar");
    assert_eq!(v["id"], "com.umeng.message.lib");
    let found = ids(&v);
    assert!(found.contains(&"umeng_push".to_string()), "{found:?}");
    // The native library is UMCommon's, shipped alongside.
    assert!(found.contains(&"umeng".to_string()), "{found:?}");
    assert_eq!(v["native_libs"][0], "libumeng-spy.so");
    assert_eq!(
        v["receivers"][0]["name"],
        "com.umeng.message.lib.NotificationProxyBroadcastReceiver"
    );
    assert_eq!(v["services"][0]["actions"][0], "com.umeng.message.action");
    assert_eq!(v["permissions"][0]["name"], "android.permission.INTERNET");
}

/// An app bundle's manifest in aapt2's protobuf form.
fn proto_manifest() -> Vec<u8> {
    let a = proto::attribute;
    let meta = proto::element(
        "meta-data",
        &[
            a("name", 0x0101_0003, Val::Str("UMENG_CHANNEL")),
            a("value", 0x0101_0024, Val::Str("huawei")),
        ],
        &[],
    );
    let action = proto::element(
        "action",
        &[a(
            "name",
            0x0101_0003,
            Val::Str("android.intent.action.VIEW"),
        )],
        &[],
    );
    let filter = proto::element("intent-filter", &[], &[action]);
    let activity = proto::element(
        "activity",
        &[
            a("name", 0x0101_0003, Val::Str(".ui.Home")),
            a("exported", 0x0101_0010, Val::Bool(true)),
        ],
        &[filter],
    );
    let app = proto::element(
        "application",
        &[a("label", 0x0101_0001, Val::Ref(0x7f0b_0001))],
        &[activity, meta],
    );
    let perm = proto::element(
        "uses-permission",
        &[a(
            "name",
            0x0101_0003,
            Val::Str("android.permission.CAMERA"),
        )],
        &[],
    );
    proto::element(
        "manifest",
        &[
            a("versionCode", 0x0101_021b, Val::Int(90210)),
            a("versionName", 0x0101_021c, Val::Str("9.2.10")),
            a("package", 0, Val::Str("com.example.bundle")),
        ],
        &[perm, app],
    )
}

#[test]
fn app_bundle_reads_the_protobuf_manifest_and_every_module() {
    let dir = tempfile::tempdir().unwrap();
    let aab = write(
        dir.path(),
        "app-release.aab",
        &zip_of(&[
            ("BundleConfig.pb", b"\x0a\x00"),
            ("base/manifest/AndroidManifest.xml", &proto_manifest()),
            (
                "base/dex/classes.dex",
                &tiny_dex(&[
                    "Lcom/example/bundle/ui/Home;",
                    "Lcom/umeng/commonsdk/UMConfigure;",
                ]),
            ),
            (
                "base/dex/classes2.dex",
                &tiny_dex(&["Lcom/tencent/bugly/crashreport/CrashReport;"]),
            ),
            (
                "feature/dex/classes.dex",
                &tiny_dex(&["Lcom/amap/api/location/AMapLocationClient;"]),
            ),
            ("base/lib/arm64-v8a/libjcore410.so", b"\x7fELF"),
            ("base/resources.pb", b""),
        ]),
    );
    let (v, _) = sdks(&aab, "json");
    assert_eq!(v["format"], "aab");
    assert_eq!(v["id"], "com.example.bundle");
    assert_eq!(v["version_code"], "90210");
    assert_eq!(v["version_name"], "9.2.10");
    assert_eq!(v["dex_files"], 3);
    assert_eq!(v["classes"], 4);
    assert_eq!(v["activities"][0]["name"], "com.example.bundle.ui.Home");
    assert_eq!(v["activities"][0]["exported"], true);
    assert_eq!(
        v["activities"][0]["actions"][0],
        "android.intent.action.VIEW"
    );
    assert_eq!(v["permissions"][0]["name"], "android.permission.CAMERA");
    let found = ids(&v);
    for id in ["umeng", "bugly", "amap_location", "jcore"] {
        assert!(found.contains(&id.to_string()), "{id} not in {found:?}");
    }
    let umeng = &v["sdks"][found.iter().position(|i| i == "umeng").unwrap()];
    assert_eq!(umeng["evidence"]["meta_data"][0], "UMENG_CHANNEL");
    assert_eq!(v["native_libs"][0], "libjcore410.so");
}

fn split_apk(package: &str, split: Option<&str>) -> Vec<u8> {
    let mut w = AxmlWriter::new();
    let mut attrs = vec![("package", V::Str(package)), ("versionCode", V::Int(7))];
    if let Some(s) = split {
        attrs.push(("split", V::Str(s)));
    }
    w.start("manifest", &attrs);
    if split.is_none() {
        w.leaf(
            "uses-permission",
            &[("name", V::Str("android.permission.READ_PHONE_STATE"))],
        )
        .start("application", &[])
        .leaf(
            "receiver",
            &[("name", V::Str("com.igexin.sdk.PushReceiver"))],
        )
        .end("application");
    }
    w.end("manifest");
    w.finish()
}

#[test]
fn split_sets_read_the_base_and_every_split() {
    let dir = tempfile::tempdir().unwrap();
    let base = zip_of(&[
        ("AndroidManifest.xml", &split_apk("com.example.split", None)),
        ("classes.dex", &tiny_dex(&["Lcom/example/split/Main;"])),
    ]);
    let abi = zip_of(&[
        (
            "AndroidManifest.xml",
            &split_apk("com.example.split", Some("config.arm64_v8a")),
        ),
        ("lib/arm64-v8a/libBaiduMapSDK_base_v7_6_1.so", b"\x7fELF"),
    ]);
    let apks = write(
        dir.path(),
        "app.apks",
        &zip_of(&[
            ("toc.pb", b""),
            ("splits/base-arm64_v8a.apk", &abi),
            ("splits/base-master.apk", &base),
        ]),
    );
    let (v, _) = sdks(&apks, "json");
    assert_eq!(v["format"], "apks");
    assert_eq!(v["id"], "com.example.split");
    assert_eq!(v["version_code"], "7");
    assert_eq!(v["members"].as_array().unwrap().len(), 2);
    let found = ids(&v);
    assert!(found.contains(&"getui".to_string()), "{found:?}");
    assert!(found.contains(&"baidu_map".to_string()), "{found:?}");

    let xapk = write(
        dir.path(),
        "app.xapk",
        &zip_of(&[
            ("manifest.json", br#"{"package_name":"com.example.split"}"#),
            ("com.example.split.apk", &base),
            ("config.arm64_v8a.apk", &abi),
            ("icon.png", b""),
        ]),
    );
    let (v, _) = sdks(&xapk, "json");
    assert_eq!(v["format"], "xapk");
    assert_eq!(v["id"], "com.example.split");
    assert_eq!(
        v["permissions"][0]["name"],
        "android.permission.READ_PHONE_STATE"
    );
}

#[test]
fn ios_static_sdks_are_found_in_every_mach_o() {
    let dir = tempfile::tempdir().unwrap();
    let info = binary_plist(&[
        ("CFBundleIdentifier", "com.example.login"),
        ("CFBundleShortVersionString", "3.0"),
        ("CFBundleVersion", "300"),
        ("CFBundleExecutable", "Login"),
    ]);
    // JCore and the China Mobile and China Telecom kits linked statically into
    // the main executable; JCore's code probes for JPUSHService by name.
    let exe = macho_fat(&macho_64(
        &[
            "AppDelegate",
            "JCOREService",
            "UAFSDKLogin",
            "EAccountApiSDK",
        ],
        &["JPUSHService", "JVERIFICATIONService"],
    ));
    // A dynamic framework whose binary defines the Unicom kit's class.
    let fw = macho_64(&["ZUOAuthManager"], &[]);
    let ipa = write(
        dir.path(),
        "login.ipa",
        &zip_of(&[
            ("Payload/Login.app/Info.plist", &info),
            ("Payload/Login.app/Login", &exe),
            ("Payload/Login.app/Frameworks/Kit.framework/Kit", &fw),
            (
                "Payload/Login.app/Frameworks/Kit.framework/Info.plist",
                &info,
            ),
        ]),
    );
    let (v, _) = sdks(&ipa, "json");
    assert_eq!(v["format"], "ipa");
    assert_eq!(v["version_code"], "300");
    assert_eq!(v["version_name"], "3.0");
    let mut found = ids(&v);
    found.sort();
    assert_eq!(found, ["cmcc_auth", "ctcc_auth", "cucc_auth", "jcore"]);
}
