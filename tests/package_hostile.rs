//! Hostile input: truncated and corrupted archives, zip bombs, missing and
//! mangled manifests, reference cycles in plists and resource tables, deep
//! nesting and random garbage. Every case must end in an error or a partial
//! result with warnings: no panic, no hang, and bounded memory.

mod common;

use std::io::{Cursor, Write};

use privaudit::package::apk::{ApkError, read_apk_from};
use privaudit::package::bundle::{AndroidCode, android_format, read_android};
use privaudit::package::dex::parse_classes;
use privaudit::package::macho::objc_class_names;
use privaudit::package::plistinfo::{PlistError, parse_plist, read_ipa_from};
use privaudit::package::{IpaError, ZipLimits, ZipReadError, ZipReader, parse_privacy_manifest};
use zip::CompressionMethod;
use zip::write::SimpleFileOptions;

use common::corpus;
use common::pkg::{
    AxmlWriter, Rng, V, peak_rss_kib, proto, tiny_dex, unzip_all, zip_of, zip_stored,
};

/// "A few hundred MB": the limit the readers must stay under on any input.
const MEMORY_CEILING_KIB: u64 = 512 * 1024;

fn apk_from_bytes(bytes: Vec<u8>) -> Result<privaudit::package::ApkInfo, ApkError> {
    let mut zip = ZipReader::new(Cursor::new(bytes), &ZipLimits::default())?;
    read_apk_from(&mut zip)
}

fn assert_memory_bounded(what: &str) {
    if let Some(peak) = peak_rss_kib() {
        assert!(
            peak < MEMORY_CEILING_KIB,
            "{what}: peak RSS {peak} KiB over {MEMORY_CEILING_KIB} KiB"
        );
    }
}

/// A small valid manifest for synthetic APKs.
fn simple_manifest(label: V<'_>) -> Vec<u8> {
    let mut w = AxmlWriter::new();
    w.start(
        "manifest",
        &[
            ("package", V::Str("com.example.hostile")),
            ("versionCode", V::Int(7)),
            ("versionName", V::Str("7.0")),
        ],
    )
    .leaf(
        "uses-sdk",
        &[
            ("minSdkVersion", V::Int(21)),
            ("targetSdkVersion", V::Int(34)),
        ],
    )
    .leaf(
        "uses-permission",
        &[("name", V::Str("android.permission.INTERNET"))],
    )
    .leaf(
        "uses-permission-sdk-23",
        &[
            ("name", V::Str("android.permission.CAMERA")),
            ("maxSdkVersion", V::Int(30)),
        ],
    )
    .start("application", &[("label", label)])
    .start("activity", &[("name", V::Str(".Main"))])
    .start("intent-filter", &[])
    .leaf("action", &[("name", V::Str("android.intent.action.MAIN"))])
    .leaf(
        "category",
        &[("name", V::Str("android.intent.category.LAUNCHER"))],
    )
    .end("intent-filter")
    .leaf(
        "meta-data",
        &[("name", V::Str("k")), ("value", V::Str("v"))],
    )
    .end("activity")
    .leaf("service", &[("name", V::Str("Sync"))])
    .leaf("receiver", &[("name", V::Str("org.other.Boot"))])
    .leaf("provider", &[("name", V::Str(".Files"))])
    .end("application")
    .end("manifest");
    w.finish()
}

#[test]
fn synthetic_apk_reads_back() {
    let manifest = simple_manifest(V::Str("Hostile Demo"));
    let dex1 = tiny_dex(&["Lcom/example/hostile/Main;", "LTop;"]);
    let dex2 = tiny_dex(&["Lcom/tracker/sdk/Beacon;"]);
    let bytes = zip_of(&[
        ("AndroidManifest.xml", &manifest),
        ("classes2.dex", &dex2),
        ("classes.dex", &dex1),
        ("lib/arm64-v8a/libnative.so", b"\x7fELF"),
        ("lib/x86/libnative.so", b"\x7fELF"),
        ("assets/lib/x86/notalib.so", b"\x7fELF"),
    ]);
    let info = apk_from_bytes(bytes).unwrap();
    assert_eq!(info.package, "com.example.hostile");
    assert_eq!(info.version_code.as_deref(), Some("7"));
    assert_eq!(info.version_name.as_deref(), Some("7.0"));
    assert_eq!(info.min_sdk.as_deref(), Some("21"));
    assert_eq!(info.target_sdk.as_deref(), Some("34"));
    assert_eq!(info.app_name.as_deref(), Some("Hostile Demo"));
    assert_eq!(
        info.permissions,
        ["android.permission.INTERNET", "android.permission.CAMERA"]
    );
    assert!(info.permission_requests[1].sdk23);
    assert_eq!(info.permission_requests[1].max_sdk.as_deref(), Some("30"));
    assert_eq!(info.activities, ["com.example.hostile.Main"]);
    assert_eq!(info.services, ["com.example.hostile.Sync"]);
    assert_eq!(info.receivers, ["org.other.Boot"]);
    assert_eq!(info.providers, ["com.example.hostile.Files"]);
    assert_eq!(info.meta_data, [("k".to_owned(), Some("v".to_owned()))]);
    assert_eq!(info.dex_files, 2);
    assert_eq!(
        info.classes,
        ["com.example.hostile.Main", "Top", "com.tracker.sdk.Beacon"]
    );
    assert_eq!(
        info.native_libs,
        ["lib/arm64-v8a/libnative.so", "lib/x86/libnative.so"]
    );
    assert!(info.warnings.is_empty(), "{:?}", info.warnings);
}

#[test]
fn truncated_apks() {
    for name in [
        "androguard_TestActivity.apk",
        "androguard_duplicate.permisssions_9999999.apk",
    ] {
        let full = std::fs::read(corpus().join("apk").join(name)).unwrap();
        let len = full.len();
        let mut cuts = vec![0, 1, 2, 4, 21, 22, 23, 30, 64, 100, 1000];
        cuts.extend((1..16).map(|k| len * k / 16));
        cuts.extend([
            len - 100,
            len - 46,
            len - 23,
            len - 22,
            len - 21,
            len - 2,
            len - 1,
        ]);
        for cut in cuts {
            let result = apk_from_bytes(full[..cut].to_vec());
            // The end-of-directory record is the last 22 bytes, so any cut
            // loses the index and must be reported, not guessed around.
            match result {
                Err(ApkError::Zip(ZipReadError::Archive(_))) => {}
                other => panic!("{name} cut at {cut}: {other:?}"),
            }
        }

        // Damage in the middle keeps the directory but spoils entry data.
        let mut rng = Rng::new(len as u64);
        for _ in 0..40 {
            let mut damaged = full.clone();
            let start = rng.below(len);
            let end = (start + 1 + rng.below(4096)).min(len);
            for b in &mut damaged[start..end] {
                *b = rng.next() as u8;
            }
            match apk_from_bytes(damaged) {
                Ok(info) => {
                    // A partial result is fine, as long as it says what failed
                    // or is simply unaffected.
                    let _ = info.warnings;
                }
                Err(e) => assert!(!e.to_string().is_empty()),
            }
        }
    }
}

/// A zip holding one entry of 1 GiB of zeros, deflated (about 1 MiB), written
/// in 1 MiB pieces so the test never holds the expanded data.
fn bomb(entry: &str, extra: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, data) in extra {
        w.start_file(*name, SimpleFileOptions::default()).unwrap();
        w.write_all(data).unwrap();
    }
    w.start_file(
        entry,
        SimpleFileOptions::default().compression_method(CompressionMethod::Deflated),
    )
    .unwrap();
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..1024 {
        w.write_all(&zeros).unwrap();
    }
    w.finish().unwrap().into_inner()
}

/// Rewrites the declared uncompressed size of every entry (local headers and
/// central directory) to `size`, as a lying archive would.
fn lie_about_size(zip: &[u8], size: u32) -> Vec<u8> {
    let mut out = zip.to_vec();
    for (sig, at) in [(b"PK\x03\x04", 22usize), (b"PK\x01\x02", 24)] {
        let positions: Vec<usize> = memchr::memmem::find_iter(zip, sig).collect();
        for p in positions {
            out[p + at..p + at + 4].copy_from_slice(&size.to_le_bytes());
        }
    }
    out
}

#[test]
fn zip_bomb() {
    let manifest_bomb = bomb("AndroidManifest.xml", &[]);
    assert!(
        manifest_bomb.len() < 4 << 20,
        "bomb is {} bytes",
        manifest_bomb.len()
    );

    let err = apk_from_bytes(manifest_bomb.clone()).unwrap_err();
    assert!(
        matches!(err, ApkError::Zip(ZipReadError::EntryTooLarge { .. })),
        "{err}"
    );
    assert!(err.to_string().contains("AndroidManifest.xml"), "{err}");
    assert!(err.to_string().contains("max_entry_bytes"), "{err}");

    // With the size limit out of the way, the ratio check still stops it.
    let limits = ZipLimits {
        max_entry_bytes: 4 << 30,
        ..ZipLimits::default()
    };
    let mut zip = ZipReader::new(Cursor::new(manifest_bomb.clone()), &limits).unwrap();
    let err = zip.read("AndroidManifest.xml").unwrap_err();
    assert!(matches!(err, ZipReadError::RatioTooHigh { .. }), "{err}");
    assert!(err.to_string().contains("max_ratio"), "{err}");

    // And without both, the running total does.
    let limits = ZipLimits {
        max_entry_bytes: 4 << 30,
        max_ratio: 1 << 20,
        max_total_bytes: 64 << 20,
        ..ZipLimits::default()
    };
    let mut zip = ZipReader::new(Cursor::new(manifest_bomb.clone()), &limits).unwrap();
    let err = zip.read("AndroidManifest.xml").unwrap_err();
    assert!(
        matches!(err, ZipReadError::TotalBudgetExceeded { .. }),
        "{err}"
    );

    // A header that understates the size is caught by reading one byte past it.
    let liar = lie_about_size(&manifest_bomb, 100_000);
    let mut zip = ZipReader::new(Cursor::new(liar), &ZipLimits::default()).unwrap();
    let err = zip.read("AndroidManifest.xml").unwrap_err();
    assert!(err.to_string().contains("AndroidManifest.xml"), "{err}");
    assert!(zip.bytes_read() <= 100_001, "read {}", zip.bytes_read());

    // A bomb in place of a DEX costs a warning, not the whole APK.
    let manifest = simple_manifest(V::Str("Bombed"));
    let dex_bomb = bomb("classes.dex", &[("AndroidManifest.xml", &manifest)]);
    let info = apk_from_bytes(dex_bomb).unwrap();
    assert_eq!(info.package, "com.example.hostile");
    assert_eq!(info.dex_files, 1);
    assert!(info.classes.is_empty());
    assert!(
        info.warnings.iter().any(|w| w.contains("classes.dex")),
        "{:?}",
        info.warnings
    );

    assert_memory_bounded("zip bomb");
}

#[test]
fn apk_without_manifest() {
    let bytes = zip_of(&[("classes.dex", &tiny_dex(&["LA;"]))]);
    assert!(matches!(
        apk_from_bytes(bytes),
        Err(ApkError::MissingManifest)
    ));
    assert!(matches!(
        apk_from_bytes(zip_of(&[])),
        Err(ApkError::MissingManifest)
    ));
}

/// Replaces the manifest of a real APK and reads it; a panic fails the test.
fn with_manifest(manifest: &[u8]) -> Result<privaudit::package::ApkInfo, ApkError> {
    apk_from_bytes(zip_stored(&[("AndroidManifest.xml", manifest)]))
}

#[test]
fn corrupted_manifest_offsets() {
    let apk = std::fs::read(corpus().join("apk/androguard_a2dp.Vol_137.apk")).unwrap();
    let manifest = unzip_all(&apk)
        .into_iter()
        .find(|(n, _)| n == "AndroidManifest.xml")
        .unwrap()
        .1;
    let (mut errors, mut partial) = (0usize, 0usize);
    let mut tally = |r: Result<privaudit::package::ApkInfo, ApkError>| match r {
        Ok(_) => partial += 1,
        Err(_) => errors += 1,
    };

    // Every aligned word (chunk sizes, string-pool counts and offsets, string
    // indices, attribute counts and values) set to values that point nowhere.
    for at in (0..manifest.len().saturating_sub(3)).step_by(4) {
        for word in [0u32, 0x7fff_ffff, 0xffff_ffff, 0x0000_fff0] {
            let mut m = manifest.clone();
            m[at..at + 4].copy_from_slice(&word.to_le_bytes());
            tally(with_manifest(&m));
        }
    }
    // Random byte flips.
    let mut rng = Rng::new(0xa2d9);
    for _ in 0..500 {
        let mut m = manifest.clone();
        for _ in 0..1 + rng.below(8) {
            let i = rng.below(m.len());
            m[i] ^= 1 << rng.below(8);
        }
        tally(with_manifest(&m));
    }
    // Truncations of the manifest itself.
    for cut in (0..manifest.len()).step_by(97) {
        tally(with_manifest(&manifest[..cut]));
    }
    eprintln!("corrupted manifests: {errors} errors, {partial} partial results");
    assert!(errors > 0 && partial > 0);
}

#[test]
fn deeply_nested_manifest() {
    // About 130k nested, closed elements in under 8 MiB: a tree this deep
    // overflows an ordinary thread stack when it is dropped recursively.
    const DEPTH: usize = 130_000;
    let mut w = AxmlWriter::new();
    w.start("manifest", &[("package", V::Str("com.deep"))]);
    for _ in 0..DEPTH {
        w.start("a", &[]);
    }
    w.leaf(
        "uses-permission",
        &[("name", V::Str("android.permission.INTERNET"))],
    );
    for _ in 0..DEPTH {
        w.end("a");
    }
    w.end("manifest");
    let bytes = w.finish();
    assert!(bytes.len() < 8 << 20, "{} bytes", bytes.len());
    let info = with_manifest(&bytes).unwrap();
    assert_eq!(info.package, "com.deep");
    assert_eq!(info.permissions, ["android.permission.INTERNET"]);

    // Never-closed elements are a different shape of the same attack.
    let mut w = AxmlWriter::new();
    w.start("manifest", &[("package", V::Str("com.open"))]);
    for _ in 0..200_000 {
        w.start("a", &[]);
    }
    let info = with_manifest(&w.finish()).unwrap();
    assert_eq!(info.package, "com.open");
    assert!(!info.warnings.is_empty(), "{info:?}");
    assert_memory_bounded("deep manifest");
}

#[test]
fn resource_reference_cycle() {
    let apk = std::fs::read(corpus().join("apk/androguard_TestActivity.apk")).unwrap();
    let files = unzip_all(&apk);
    let get = |n: &str| files.iter().find(|(name, _)| name == n).unwrap().1.clone();
    let manifest = get("AndroidManifest.xml");
    let arsc = get("resources.arsc");
    // Without the table, the label stays the raw reference.
    let label = apk_from_bytes(zip_of(&[("AndroidManifest.xml", &manifest)]))
        .unwrap()
        .app_name
        .unwrap();
    let label_id = u32::from_str_radix(label.trim_start_matches('@'), 16).unwrap();

    // Turn every string value in the table into a reference: to itself, and
    // to a neighbour that points back.
    for target in [label_id, label_id ^ 1] {
        let mut table = arsc.clone();
        let hits: Vec<usize> = memchr::memmem::find_iter(&arsc, b"\x08\x00\x00\x03").collect();
        assert!(!hits.is_empty());
        for p in hits {
            table[p + 3] = 0x01;
            table[p + 4..p + 8].copy_from_slice(&target.to_le_bytes());
        }
        let bytes = zip_of(&[
            ("AndroidManifest.xml", &manifest),
            ("resources.arsc", &table),
        ]);
        let info = apk_from_bytes(bytes).unwrap();
        assert_eq!(info.app_name.as_deref(), Some(label.as_str()));
        assert!(
            info.warnings.iter().any(|w| w.contains("resources.arsc")),
            "{:?}",
            info.warnings
        );
    }
}

/// Serialises a binary plist from raw object encodings (references are one
/// big-endian u16 each).
fn bplist(objects: &[Vec<u8>], root: u64) -> Vec<u8> {
    let mut out = b"bplist00".to_vec();
    let mut offsets = Vec::new();
    for o in objects {
        offsets.push(out.len() as u32);
        out.extend_from_slice(o);
    }
    let table = out.len() as u64;
    for o in offsets {
        out.extend_from_slice(&o.to_be_bytes());
    }
    out.extend_from_slice(&[0; 6]);
    out.push(4); // offset size
    out.push(2); // reference size
    out.extend_from_slice(&(objects.len() as u64).to_be_bytes());
    out.extend_from_slice(&root.to_be_bytes());
    out.extend_from_slice(&table.to_be_bytes());
    out
}

fn array(refs: &[u16]) -> Vec<u8> {
    assert!(refs.len() < 15);
    let mut o = vec![0xa0 | refs.len() as u8];
    for r in refs {
        o.extend_from_slice(&r.to_be_bytes());
    }
    o
}

fn ascii(s: &str) -> Vec<u8> {
    let mut o = vec![0x50 | s.len() as u8];
    o.extend_from_slice(s.as_bytes());
    o
}

#[test]
fn binary_plist_cycles_and_bombs() {
    // An array that contains itself.
    let self_loop = bplist(&[array(&[0])], 0);
    assert!(matches!(
        parse_privacy_manifest(&self_loop),
        Err(PlistError::Parse(_))
    ));
    // A dictionary whose value is the dictionary: {"k": <self>}.
    let dict_loop = bplist(&[vec![0xd1, 0x00, 0x01, 0x00, 0x00], ascii("k")], 0);
    assert!(parse_privacy_manifest(&dict_loop).is_err());
    // A two-step cycle.
    let two = bplist(&[array(&[1]), array(&[0])], 0);
    assert!(parse_plist(&two).is_err());

    // No cycle, but each of 64 arrays holds the next twice: 2^64 values.
    let mut laughs: Vec<Vec<u8>> = (0..64u16).map(|i| array(&[i + 1, i + 1])).collect();
    laughs.push(vec![0x09]);
    let started = std::time::Instant::now();
    assert!(matches!(
        parse_plist(&bplist(&laughs, 0)),
        Err(PlistError::TooManyValues(_))
    ));
    assert!(started.elapsed().as_secs() < 60);

    // A chain 10 000 arrays deep.
    let mut chain: Vec<Vec<u8>> = (0..10_000u16).map(|i| array(&[i + 1])).collect();
    chain.push(vec![0x09]);
    assert!(matches!(
        parse_plist(&bplist(&chain, 0)),
        Err(PlistError::TooDeep(_))
    ));

    // Absurd sizes: object count, lengths and offsets far past the end.
    let mut huge_count = bplist(&[vec![0x09]], 0);
    let n = huge_count.len();
    huge_count[n - 24..n - 16].copy_from_slice(&u64::MAX.to_be_bytes());
    assert!(parse_plist(&huge_count).is_err());
    let long_array = bplist(&[vec![0xaf, 0x13, 0x10, 0, 0, 0, 0, 0, 0, 0]], 0);
    assert!(parse_plist(&long_array).is_err());
    let long_string = bplist(&[vec![0x5f, 0x13, 0x40, 0, 0, 0, 0, 0, 0, 0]], 0);
    assert!(parse_plist(&long_string).is_err());
    let mut bad_table = bplist(&[vec![0x09]], 0);
    let n = bad_table.len();
    bad_table[n - 8..].copy_from_slice(&(u64::MAX - 3).to_be_bytes());
    assert!(parse_plist(&bad_table).is_err());
    let bad_root = bplist(&[vec![0x09]], 1 << 40);
    assert!(parse_plist(&bad_root).is_err());

    // A cyclic Info.plist makes the whole IPA unreadable, with the reason.
    let zip = zip_of(&[("Payload/X.app/Info.plist", &self_loop)]);
    let mut reader = ZipReader::new(Cursor::new(zip), &ZipLimits::default()).unwrap();
    assert!(matches!(
        read_ipa_from(&mut reader),
        Err(IpaError::InfoPlist(_))
    ));
}

#[test]
fn dex_with_shared_huge_name() {
    // 100 000 class_defs that all name one 60 KiB descriptor would expand to
    // 6 GB of names; the budget keeps it to the file size.
    let count = 100_000u32;
    let mut d = vec![0u8; 0x70];
    d[..8].copy_from_slice(b"dex\n035\0");
    d[0x28..0x2c].copy_from_slice(&0x1234_5678u32.to_le_bytes());
    let string_ids = 0x70u32;
    let type_ids = string_ids + 4;
    let class_defs = type_ids + 4;
    let data = class_defs + 32 * count;
    for (at, v) in [
        (0x38, 1),
        (0x3c, string_ids),
        (0x40, 1),
        (0x44, type_ids),
        (0x60, count),
        (0x64, class_defs),
    ] {
        d[at..at + 4].copy_from_slice(&v.to_le_bytes());
    }
    d.extend_from_slice(&data.to_le_bytes());
    d.extend_from_slice(&0u32.to_le_bytes());
    d.resize(data as usize, 0);
    d.extend_from_slice(&[0x80, 0x80, 0x04]);
    d.push(b'L');
    d.extend(std::iter::repeat_n(b'a', 60 * 1024));
    d.extend_from_slice(b";\0");
    let parsed = parse_classes(&d).unwrap();
    assert!(parsed.classes.len() < 100, "{}", parsed.classes.len());
    assert_eq!(parsed.classes.len() + parsed.skipped, count as usize);
}

#[test]
fn random_garbage() {
    let mut rng = Rng::new(0x5eed);
    let manifest = simple_manifest(V::Ref(0x7f0b_0000));
    let prefixes: [&[u8]; 6] = [
        b"",
        b"PK\x03\x04",
        b"dex\n035\0",
        b"bplist00",
        b"<?xml version=\"1.0\"?><plist><dict><key>",
        b"\x03\x00\x08\x00",
    ];
    for round in 0..600 {
        let prefix = prefixes[round % prefixes.len()];
        let mut blob = prefix.to_vec();
        let len = rng.below(4096);
        blob.extend(rng.bytes(len));

        let _ = ZipReader::new(Cursor::new(blob.clone()), &ZipLimits::default())
            .map_err(ApkError::from)
            .and_then(|mut z| read_apk_from(&mut z));
        let _ = parse_classes(&blob);
        let _ = parse_privacy_manifest(&blob);

        if round % 5 == 0 {
            // Garbage in each file of an otherwise valid APK.
            let _ = with_manifest(&blob);
            let info = apk_from_bytes(zip_stored(&[
                ("AndroidManifest.xml", &manifest),
                ("classes.dex", &blob),
                ("resources.arsc", &blob),
            ]))
            .unwrap();
            assert_eq!(info.package, "com.example.hostile");
            assert!(!info.warnings.is_empty());
            // The unresolvable label stays as the raw reference.
            assert_eq!(info.app_name.as_deref(), Some("@7f0b0000"));
        }
    }
    assert_memory_bounded("random garbage");
}

#[test]
fn duplicate_manifest_entries() {
    // Two manifests under one name, the trick behind Android's "master key"
    // bug: written under distinct names, then renamed in place.
    let first = simple_manifest(V::Str("First"));
    let mut w = AxmlWriter::new();
    w.leaf("manifest", &[("package", V::Str("com.second"))]);
    let second = w.finish();
    let mut bytes = zip_stored(&[
        ("AndroidManifest.xml", &first),
        ("AndroidManifesX.xml", &second),
    ]);
    let positions: Vec<usize> = memchr::memmem::find_iter(&bytes, b"AndroidManifesX").collect();
    assert_eq!(positions.len(), 2);
    for p in positions {
        bytes[p + 14] = b't';
    }
    let mut zip = ZipReader::new(Cursor::new(bytes.clone()), &ZipLimits::default()).unwrap();
    assert!(zip.has_duplicate_names());
    let info = read_apk_from(&mut zip).unwrap();
    assert_eq!(info.package, "com.second");
    assert!(
        info.warnings
            .iter()
            .any(|w| w.contains("repeats entry names")),
        "{:?}",
        info.warnings
    );
}

#[test]
fn manifest_with_huge_attribute_lists() {
    // Three elements of 60 000 attributes each: a parser that checks every
    // attribute against the ones before it (as a tree-building one does for
    // duplicates) took 35 s on this even in a release build. They all share
    // one name here to keep the fixture cheap to build.
    let attrs: Vec<(&str, V<'_>)> = vec![("a", V::Int(1)); 60_000];
    let mut w = AxmlWriter::new();
    w.start("manifest", &[("package", V::Str("com.slow"))]);
    for _ in 0..3 {
        w.leaf("x", &attrs);
    }
    w.end("manifest");
    let started = std::time::Instant::now();
    let info = with_manifest(&w.finish()).unwrap();
    assert_eq!(info.package, "com.slow");
    assert!(started.elapsed().as_secs() < 5);
}

#[test]
fn corrupted_resource_table() {
    let apk = std::fs::read(corpus().join("apk/androguard_com.teleca.jamendo_35.apk")).unwrap();
    let files = unzip_all(&apk);
    let get = |n: &str| files.iter().find(|(name, _)| name == n).unwrap().1.clone();
    let manifest = get("AndroidManifest.xml");
    let arsc = get("resources.arsc");
    let mut rng = Rng::new(0xa5c);
    let (mut resolved, mut unresolved) = (0, 0);
    for round in 0..300 {
        let mut table = arsc.clone();
        if round % 3 == 0 {
            // Header and first chunks hold the sizes and counts.
            let at = rng.below(512.min(table.len() - 4));
            table[at..at + 4].copy_from_slice(&u32::MAX.to_le_bytes());
        } else {
            for _ in 0..1 + rng.below(16) {
                let i = rng.below(table.len());
                table[i] ^= 1 << rng.below(8);
            }
        }
        let info = apk_from_bytes(zip_stored(&[
            ("AndroidManifest.xml", &manifest),
            ("resources.arsc", &table),
        ]))
        .unwrap();
        assert_eq!(info.package, "com.teleca.jamendo");
        match info.app_name.as_deref() {
            Some(name) if name.starts_with('@') => unresolved += 1,
            _ => resolved += 1,
        }
    }
    eprintln!("corrupted tables: {resolved} labels resolved, {unresolved} kept raw");
}

#[test]
fn label_falls_back_to_launcher_activity() {
    let mut w = AxmlWriter::new();
    w.start("manifest", &[("package", V::Str("com.fallback"))])
        .start("application", &[])
        .start(
            "activity",
            &[("name", V::Str(".Other")), ("label", V::Str("Not this"))],
        )
        .end("activity")
        .start(
            "activity",
            &[("name", V::Str(".Home")), ("label", V::Str("Home Label"))],
        )
        .start("intent-filter", &[])
        .leaf("action", &[("name", V::Str("android.intent.action.MAIN"))])
        .end("intent-filter")
        .start("intent-filter", &[])
        .leaf(
            "category",
            &[("name", V::Str("android.intent.category.LAUNCHER"))],
        )
        .end("intent-filter")
        .end("activity")
        .end("application")
        .end("manifest");
    let info = with_manifest(&w.finish()).unwrap();
    assert_eq!(info.app_name.as_deref(), Some("Home Label"));
    assert_eq!(info.activities, ["com.fallback.Other", "com.fallback.Home"]);
}

#[test]
fn one_long_string_used_everywhere() {
    // A 32 000-byte string (near the UTF-8 pool maximum) referenced by 4000
    // meta-data values would hand out 128 MB from a 400 KB file; the string
    // budget (16 MiB per document) stops it.
    let long = "x".repeat(32_000);
    let mut w = AxmlWriter::new();
    w.start("manifest", &[("package", V::Str("com.reuse"))]);
    for _ in 0..4000 {
        w.leaf(
            "meta-data",
            &[("name", V::Str("k")), ("value", V::Str(&long))],
        );
    }
    w.end("manifest");
    let info = with_manifest(&w.finish()).unwrap();
    assert_eq!(info.package, "com.reuse");
    assert!(info.meta_data.len() < 600, "{}", info.meta_data.len());
    assert!(
        info.warnings.iter().any(|w| w.contains("exceed")),
        "{:?}",
        info.warnings
    );
    assert_memory_bounded("string reuse");
}

#[test]
fn overlapping_attribute_records() {
    // attributeSize 0 makes every one of 65 535 declared attributes the same
    // 20 bytes, which Android's bounds check accepts; the walker bounds the
    // records it visits by the file size instead.
    let mut w = AxmlWriter::new();
    w.start("manifest", &[("package", V::Str("com.overlap"))]);
    for _ in 0..2000 {
        w.leaf("x", &[("name", V::Str("n"))]);
    }
    w.end("manifest");
    let mut bytes = w.finish();
    let starts: Vec<usize> =
        memchr::memmem::find_iter(&bytes, b"\x02\x01\x10\x00\x38\x00\x00\x00").collect();
    // The first match is <manifest>, which also has one attribute.
    assert_eq!(starts.len(), 2001);
    for p in starts.into_iter().skip(1) {
        bytes[p + 26..p + 28].copy_from_slice(&0u16.to_le_bytes());
        bytes[p + 28..p + 30].copy_from_slice(&u16::MAX.to_le_bytes());
    }
    let started = std::time::Instant::now();
    let info = with_manifest(&bytes).unwrap();
    assert_eq!(info.package, "com.overlap");
    assert!(!info.warnings.is_empty());
    assert!(started.elapsed().as_secs() < 5);
}

/// A binary-plist object header for type nibble `ty` and length `len`.
fn object_header(ty: u8, len: usize) -> Vec<u8> {
    if len < 15 {
        return vec![(ty << 4) | len as u8];
    }
    let mut o = vec![(ty << 4) | 0x0f, 0x12];
    o.extend_from_slice(&(len as u32).to_be_bytes());
    o
}

#[test]
fn ipa_of_many_expanding_manifests() {
    // Each manifest lists one 400-byte domain 100 000 times: 40 MB of text
    // from 200 KB, within one plist's limits. Twenty of them would be 800 MB;
    // the budget an IPA shares between its plists stops that.
    let key = "NSPrivacyTrackingDomains";
    let domain = "d".repeat(400);
    let mut array = object_header(0xa, 100_000);
    for _ in 0..100_000 {
        array.extend_from_slice(&3u16.to_be_bytes());
    }
    let mut key_obj = object_header(0x5, key.len());
    key_obj.extend_from_slice(key.as_bytes());
    let mut domain_obj = object_header(0x5, domain.len());
    domain_obj.extend_from_slice(domain.as_bytes());
    let manifest = bplist(
        &[
            vec![0xd1, 0x00, 0x01, 0x00, 0x02],
            key_obj,
            array,
            domain_obj,
        ],
        0,
    );
    assert_eq!(
        parse_privacy_manifest(&manifest)
            .unwrap()
            .tracking_domains
            .len(),
        100_000
    );

    let info_plist = bplist(&[vec![0xd0]], 0);
    let names: Vec<String> = (0..20)
        .map(|i| format!("Payload/A.app/Frameworks/F{i}.framework/PrivacyInfo.xcprivacy"))
        .collect();
    let mut entries: Vec<(&str, &[u8])> = vec![("Payload/A.app/Info.plist", &info_plist)];
    entries.extend(names.iter().map(|n| (n.as_str(), manifest.as_slice())));
    let zip = zip_stored(&entries);
    let mut reader = ZipReader::new(Cursor::new(zip), &ZipLimits::default()).unwrap();
    let info = read_ipa_from(&mut reader).unwrap();
    assert!(
        info.privacy_manifests.len() < 5,
        "{}",
        info.privacy_manifests.len()
    );
    assert_eq!(info.frameworks.len(), 20);
    assert!(info.warnings.len() > 15, "{:?}", info.warnings);
    drop(info);
    assert_memory_bounded("many manifests");
}

#[test]
fn long_package_is_not_copied_into_every_name() {
    let package = "p".repeat(30_000);
    let mut w = AxmlWriter::new();
    w.start("manifest", &[("package", V::Str(&package))])
        .start("application", &[]);
    for _ in 0..20_000 {
        w.leaf("activity", &[("name", V::Str("A"))]);
    }
    w.end("application").end("manifest");
    let info = with_manifest(&w.finish()).unwrap();
    assert_eq!(info.package.len(), 30_000);
    assert_eq!(info.activities.len(), 20_000);
    assert!(info.activities.iter().all(|a| a == "A"));
    assert!(info.warnings.iter().any(|w| w.contains("unqualified")));
    assert_memory_bounded("long package");
}

fn read_bundle(bytes: Vec<u8>, limits: &ZipLimits) -> Result<AndroidCode, ApkError> {
    let mut zip = ZipReader::new(Cursor::new(bytes), limits)?;
    let format = android_format(&zip).unwrap_or("jar");
    read_android(&mut zip, format)
}

/// A protobuf manifest with one activity, as aapt2 writes it into a bundle.
fn proto_manifest_of(package: &str) -> Vec<u8> {
    let activity = proto::element(
        "activity",
        &[proto::attribute(
            "name",
            0x0101_0003,
            proto::Val::Str(".Main"),
        )],
        &[],
    );
    let app = proto::element("application", &[], &[activity]);
    proto::element(
        "manifest",
        &[proto::attribute("package", 0, proto::Val::Str(package))],
        &[app],
    )
}

#[test]
fn bundles_and_binaries_with_garbage() {
    let mut rng = Rng::new(0xb0b);
    let manifest = proto_manifest_of("com.example.bundle");
    let good = read_bundle(
        zip_stored(&[("base/manifest/AndroidManifest.xml", &manifest)]),
        &ZipLimits::default(),
    )
    .unwrap();
    assert_eq!(
        good.manifest.unwrap().activities,
        ["com.example.bundle.Main"]
    );
    let macho = common::pkg::macho_64(&["JPUSHService", "UAFSDKLogin"], &["x"]);
    assert_eq!(objc_class_names(&macho).unwrap().len(), 2);

    for round in 0..400 {
        // Flipped and cut protobuf manifests: an error or a partial result.
        let mut m = manifest.clone();
        for _ in 0..1 + rng.below(4) {
            let at = rng.below(m.len());
            m[at] ^= 1 << rng.below(8);
        }
        m.truncate(rng.below(m.len() + 1));
        let _ = read_bundle(
            zip_stored(&[
                ("base/manifest/AndroidManifest.xml", &m),
                ("base/dex/classes.dex", &m),
            ]),
            &ZipLimits::default(),
        );
        // Flipped and cut Mach-O files.
        let mut b = if round % 2 == 0 {
            macho.clone()
        } else {
            common::pkg::macho_fat(&macho)
        };
        for _ in 0..1 + rng.below(4) {
            let at = rng.below(b.len());
            b[at] = rng.next() as u8;
        }
        b.truncate(rng.below(b.len() + 1));
        let _ = objc_class_names(&b);
        // Garbage as an AAR's text manifest and as its classes.jar.
        let junk_len = rng.below(2048);
        let junk = rng.bytes(junk_len);
        let _ = read_bundle(
            zip_stored(&[("AndroidManifest.xml", &junk), ("classes.jar", &junk)]),
            &ZipLimits::default(),
        );
    }

    // Elements nested far deeper than any manifest: a warning, no stack overflow.
    let mut node = proto::element("meta-data", &[], &[]);
    for _ in 0..20_000 {
        node = proto::element("x", &[], &[node]);
    }
    let deep = proto::element(
        "manifest",
        &[proto::attribute("package", 0, proto::Val::Str("com.deep"))],
        &[node],
    );
    let code = read_bundle(
        zip_stored(&[("base/manifest/AndroidManifest.xml", &deep)]),
        &ZipLimits::default(),
    )
    .unwrap();
    assert!(
        code.warnings.iter().any(|w| w.contains("nested")),
        "{:?}",
        code.warnings
    );
    assert_memory_bounded("bundles with garbage");
}

#[test]
fn split_set_of_bombs_shares_one_budget() {
    let manifest = simple_manifest(V::Str("Bombed"));
    let inner = bomb("classes.dex", &[("AndroidManifest.xml", &manifest)]);
    let set = zip_stored(&[
        ("splits/base-master.apk", &inner),
        ("splits/base-x86.apk", &inner),
        ("splits/base-arm64_v8a.apk", &inner),
    ]);
    // Caps loose enough to let a 1 GiB entry through one by one; only the total
    // stands, and it is shared by the outer archive and every member.
    let limits = ZipLimits {
        max_entry_bytes: 4 << 30,
        max_ratio: 1 << 20,
        max_total_bytes: 96 << 20,
        ..ZipLimits::default()
    };
    let code = read_bundle(set, &limits).unwrap();
    assert_eq!(code.format, "apks");
    assert!(code.classes.is_empty());
    let budget_warnings = code
        .warnings
        .iter()
        .filter(|w| w.contains("max_total_bytes") || w.contains("budget"))
        .count();
    assert!(budget_warnings >= 3, "{:?}", code.warnings);
    assert_memory_bounded("split set of bombs");
}
