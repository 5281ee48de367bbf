//! The reviewed data files: the ontology and the SDK signatures load, are consistent,
//! and can be replaced with `--signatures DIR`.

mod common;

use std::collections::HashSet;

use privaudit::signatures::Ontology;

const REQUIRED: [&str; 26] = [
    "device.identifier.imei",
    "device.identifier.meid",
    "device.identifier.serial",
    "device.identifier.mac",
    "device.identifier.android_id",
    "device.identifier.oaid",
    "device.identifier.gaid",
    "device.identifier.idfa",
    "device.identifier.idfv",
    "device.sim.imsi",
    "device.sim.iccid",
    "device.hardware.model",
    "device.software.os",
    "contact.phone_number",
    "contact.email",
    "identity.name",
    "identity.id_number.cn_resident",
    "financial.bank_card",
    "location.precise",
    "location.coarse",
    "network.cell",
    "network.wifi.bssid",
    "network.wifi.ssid",
    "network.ip_address",
    "app.installed_list",
    "account.password",
];

const DETECTORS: [&str; 24] = [
    "imei",
    "meid",
    "imsi",
    "iccid",
    "mac",
    "android_id",
    "ad_id_uuid",
    "oaid",
    "serial",
    "phone",
    "email",
    "cn_resident_id",
    "bank_card",
    "lat_lng",
    "cell_id",
    "bssid",
    "ssid",
    "installed_apps",
    "ip_address",
    "device_model",
    "os_version",
    "password",
    "person_name",
    "latitude",
];

#[test]
fn ontology_is_consistent() {
    let o = Ontology::builtin();
    for id in REQUIRED {
        assert!(o.contains(id), "required data type {id} missing");
    }
    let mut seen_keys: HashSet<(String, String)> = HashSet::new();
    for (i, t) in o.types.iter().enumerate() {
        if let Some(p) = &t.parent {
            let parent_at = o.types.iter().position(|x| &x.id == p).unwrap();
            assert!(parent_at < i, "{} comes before its parent {p}", t.id);
        }
        assert!(
            !t.name_en.is_empty() && !t.name_zh.is_empty(),
            "{} needs names",
            t.id
        );
        if let Some(d) = &t.detector {
            assert!(
                DETECTORS.contains(&d.as_str()),
                "{}: unknown detector {d}",
                t.id
            );
        }
        for k in t.keys.iter().chain(&t.weak_keys) {
            let nk = privaudit::signatures::normalize_key(k);
            assert!(
                nk.len() >= 2 || t.weak_keys.contains(k),
                "{}: key {k} too short",
                t.id
            );
            assert!(
                seen_keys.insert((nk.clone(), t.id.clone())),
                "{}: key {k} twice",
                t.id
            );
            for generic in [
                "traceid",
                "sessionid",
                "requestid",
                "orderid",
                "timestamp",
                "price",
                "version",
            ] {
                assert_ne!(nk, generic, "{}: {k} is never personal data", t.id);
            }
        }
    }
    assert!(o.is_within("device.identifier.imei", "device"));
    assert!(!o.is_within("device", "device.identifier.imei"));
}

#[test]
fn signatures_dir_replaces_the_builtin_ontology() {
    let dir = tempfile::tempdir().unwrap();
    // A one-type ontology that knows only `secret_code` fields.
    std::fs::write(
        dir.path().join("datatypes.toml"),
        "[[type]]\nid = \"custom\"\nname_en = \"Custom\"\nname_zh = \"自定义\"\nsensitive = \"no\"\n\n[[type]]\nid = \"custom.code\"\nparent = \"custom\"\nname_en = \"Code\"\nname_zh = \"代码\"\nsensitive = \"yes\"\nkeys = [\"secret_code\"]\n",
    )
    .unwrap();
    let har = dir.path().join("one.har");
    std::fs::write(
        &har,
        r#"{"log":{"entries":[{"request":{"method":"GET","url":"http://a.example/x?secret_code=abc123&imei=490154203237518"}}]}}"#,
    )
    .unwrap();
    let out = common::privaudit(&[
        "scan",
        "--format",
        "jsonl",
        "--signatures",
        dir.path().to_str().unwrap(),
        har.to_str().unwrap(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("\"data_type\":\"custom.code\""), "{stdout}");
    assert!(!stdout.contains("device.identifier.imei"), "{stdout}");

    std::fs::write(dir.path().join("datatypes.toml"), "[[type]]\nid = 3\n").unwrap();
    let out = common::privaudit(&[
        "scan",
        "--signatures",
        dir.path().to_str().unwrap(),
        har.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("datatypes.toml"));
}

#[test]
fn real_app_captures_have_no_high_confidence_false_positives() {
    // Phones in these public captures were not planted with data; anything "high"
    // would be a detector error (medium key hits such as a timezone are reviewed data).
    let corpus = common::corpus();
    for dir in ["pcap", "tls"] {
        for entry in std::fs::read_dir(corpus.join(dir)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "keylog") {
                continue;
            }
            let out = common::privaudit(&[
                "scan",
                "--format",
                "jsonl",
                "--show-values",
                path.to_str().unwrap(),
            ]);
            for line in String::from_utf8_lossy(&out.stdout).lines() {
                assert!(
                    !line.contains("\"confidence\":\"high\""),
                    "{}: {line}",
                    path.display()
                );
            }
        }
    }
}

#[test]
fn exodus_export_imports_and_merges_with_known_sdks() {
    let corpus = common::corpus();
    let export = corpus.join("trackers/exodus_trackers_trackercontrol.json");
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("sdks")).unwrap();
    let out_file = dir.path().join("sdks/exodus.toml");
    let out = common::privaudit(&[
        "signatures",
        "import-exodus",
        export.to_str().unwrap(),
        "-o",
        out_file.to_str().unwrap(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(report.contains("432 trackers read"), "{report}");
    assert!(
        report.contains("-> sdk:umeng"),
        "Umeng Analytics must merge: {report}"
    );
    assert!(report.contains("-> sdk:appsflyer"), "{report}");
    // The written file is a valid signature file of its own.
    std::fs::copy(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("signatures/datatypes.toml"),
        dir.path().join("datatypes.toml"),
    )
    .unwrap();
    let check = common::privaudit(&["signatures", "check", dir.path().to_str().unwrap()]);
    assert_eq!(
        check.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    assert!(String::from_utf8_lossy(&check.stdout).contains("no problems found"));
}

#[test]
fn permission_map_names_real_data_types() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let ontology: toml::Value =
        toml::from_str(&std::fs::read_to_string(root.join("signatures/datatypes.toml")).unwrap())
            .unwrap();
    let ids: Vec<&str> = ontology["type"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["id"].as_str())
        .collect();
    let map: toml::Value =
        toml::from_str(&std::fs::read_to_string(root.join("signatures/permissions.toml")).unwrap())
            .unwrap();
    let mut entries = 0;
    for platform in ["android", "ios"] {
        for (permission, types) in map[platform].as_table().unwrap() {
            let types = types.as_array().unwrap();
            assert!(!types.is_empty(), "{permission}: no data types");
            for t in types {
                let t = t.as_str().unwrap();
                assert!(ids.contains(&t), "{permission}: unknown data type {t}");
            }
            entries += 1;
        }
    }
    assert!(entries > 50, "{entries}");
}
