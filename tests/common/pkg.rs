//! Helpers for the package-reader tests: corpus files with their oracles, in-memory
//! zips, a tiny binary-manifest (AXML) writer and a deterministic random source.
#![allow(dead_code)]

use super::corpus;

use std::io::{Cursor, Write};
use std::path::PathBuf;

use zip::CompressionMethod;
use zip::write::SimpleFileOptions;

/// Files in `corpus()/sub` whose names end with `suffix`, sorted.
pub fn corpus_files(sub: &str, suffix: &str) -> Vec<PathBuf> {
    let dir = corpus().join(sub);
    let mut out: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("corpus directory {} unreadable: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(suffix))
        .collect();
    out.sort();
    assert!(!out.is_empty(), "no *{suffix} files in {}", dir.display());
    out
}

pub fn oracle_for(file: &std::path::Path) -> serde_json::Value {
    let name = file.file_name().unwrap().to_string_lossy();
    let path = corpus().join("oracles").join(format!("{name}.json"));
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("oracle {} unreadable: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

/// Builds a zip in memory, deflating entries larger than 64 bytes.
pub fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    build_zip(entries, true)
}

/// Builds a zip in memory without compression (cheap, for fuzz loops).
pub fn zip_stored(entries: &[(&str, &[u8])]) -> Vec<u8> {
    build_zip(entries, false)
}

fn build_zip(entries: &[(&str, &[u8])], deflate: bool) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, data) in entries {
        let method = if deflate && data.len() > 64 {
            CompressionMethod::Deflated
        } else {
            CompressionMethod::Stored
        };
        w.start_file(
            *name,
            SimpleFileOptions::default().compression_method(method),
        )
        .unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap().into_inner()
}

/// Every entry of a zip, decompressed (test fixtures only, no limits needed).
pub fn unzip_all(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut out = Vec::new();
    for i in 0..archive.len() {
        let mut f = archive.by_index(i).unwrap();
        let mut data = Vec::new();
        std::io::Read::read_to_end(&mut f, &mut data).unwrap();
        out.push((f.name().unwrap().into_owned(), data));
    }
    out
}

/// Deterministic xorshift64* so failures reproduce.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed | 1)
    }
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    pub fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| self.next() as u8).collect()
    }
}

/// Peak resident memory of this test process in KiB (Linux), if known.
pub fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// An attribute value in a hand-built binary manifest.
#[derive(Clone, Copy)]
pub enum V<'a> {
    Str(&'a str),
    Int(u32),
    Ref(u32),
    Bool(bool),
}

/// Android attribute names with their framework resource ids; the resource
/// map is how binary XML marks an attribute as `android:`.
const ANDROID_ATTRS: &[(&str, u32)] = &[
    ("label", 0x0101_0001),
    ("name", 0x0101_0003),
    ("value", 0x0101_0024),
    ("resource", 0x0101_0025),
    ("enabled", 0x0101_000e),
    ("minSdkVersion", 0x0101_020c),
    ("versionCode", 0x0101_021b),
    ("versionName", 0x0101_021c),
    ("targetSdkVersion", 0x0101_0270),
    ("maxSdkVersion", 0x0101_0271),
    ("exported", 0x0101_0010),
    ("authorities", 0x0101_0018),
    ("permission", 0x0101_0006),
];
const ANDROID_NS: &str = "http://schemas.android.com/apk/res/android";

/// Writes a binary AndroidManifest.xml (AXML) the way aapt lays it out:
/// string pool, resource map, namespace, then element chunks.
pub struct AxmlWriter {
    strings: Vec<String>,
    body: Vec<u8>,
}

impl Default for AxmlWriter {
    fn default() -> Self {
        Self::new()
    }
}

impl AxmlWriter {
    pub fn new() -> AxmlWriter {
        let mut w = AxmlWriter {
            strings: Vec::new(),
            body: Vec::new(),
        };
        for (name, _) in ANDROID_ATTRS {
            w.intern(name);
        }
        let prefix = w.intern("android");
        let uri = w.intern(ANDROID_NS);
        w.chunk(0x0100, &[prefix, uri]);
        w
    }

    fn intern(&mut self, s: &str) -> u32 {
        if let Some(i) = self.strings.iter().position(|x| x == s) {
            return i as u32;
        }
        self.strings.push(s.to_owned());
        (self.strings.len() - 1) as u32
    }

    /// An XML node chunk: 16-byte header (type, header size, size, line,
    /// comment) followed by `words`.
    fn chunk(&mut self, ty: u16, words: &[u32]) {
        let size = 16 + 4 * words.len() as u32;
        self.body.extend_from_slice(&ty.to_le_bytes());
        self.body.extend_from_slice(&0x10u16.to_le_bytes());
        self.body.extend_from_slice(&size.to_le_bytes());
        self.body.extend_from_slice(&1u32.to_le_bytes());
        self.body.extend_from_slice(&u32::MAX.to_le_bytes());
        for w in words {
            self.body.extend_from_slice(&w.to_le_bytes());
        }
    }

    pub fn start(&mut self, name: &str, attrs: &[(&str, V<'_>)]) -> &mut Self {
        let name_idx = self.intern(name);
        let uri = self.intern(ANDROID_NS);
        let mut words = vec![
            u32::MAX,
            name_idx,
            0x0014_0014, // attributeStart = 20, attributeSize = 20
            attrs.len() as u32,
            0, // classIndex, styleIndex
        ];
        for (attr, value) in attrs {
            let is_android = ANDROID_ATTRS.iter().any(|(n, _)| n == attr);
            let attr_idx = self.intern(attr);
            let (raw, ty, data) = match value {
                V::Str(s) => {
                    let i = self.intern(s);
                    (i, 0x03u32, i)
                }
                V::Int(n) => (u32::MAX, 0x10, *n),
                V::Ref(id) => (u32::MAX, 0x01, *id),
                V::Bool(b) => (u32::MAX, 0x12, if *b { u32::MAX } else { 0 }),
            };
            words.push(if is_android { uri } else { u32::MAX });
            words.push(attr_idx);
            words.push(raw);
            words.push(8 | (ty << 24)); // Res_value size 8, res0 0, dataType
            words.push(data);
        }
        self.chunk(0x0102, &words);
        self
    }

    pub fn end(&mut self, name: &str) -> &mut Self {
        let name_idx = self.intern(name);
        self.chunk(0x0103, &[u32::MAX, name_idx]);
        self
    }

    /// An element with no children.
    pub fn leaf(&mut self, name: &str, attrs: &[(&str, V<'_>)]) -> &mut Self {
        self.start(name, attrs).end(name)
    }

    pub fn finish(&self) -> Vec<u8> {
        let mut pool = Vec::new();
        let mut offsets = Vec::new();
        for s in &self.strings {
            offsets.push(pool.len() as u32);
            let utf16 = s.encode_utf16().count();
            push_len8(&mut pool, utf16);
            push_len8(&mut pool, s.len());
            pool.extend_from_slice(s.as_bytes());
            pool.push(0);
        }
        while pool.len() % 4 != 0 {
            pool.push(0);
        }
        let count = self.strings.len() as u32;
        let strings_start = 0x1c + 4 * count;
        let pool_size = strings_start + pool.len() as u32;

        let mut out = Vec::new();
        out.extend_from_slice(&0x0003u16.to_le_bytes());
        out.extend_from_slice(&8u16.to_le_bytes());
        out.extend_from_slice(&0u32.to_le_bytes()); // patched below
        out.extend_from_slice(&0x0001u16.to_le_bytes());
        out.extend_from_slice(&0x1cu16.to_le_bytes());
        for w in [pool_size, count, 0, 0x100, strings_start, 0] {
            out.extend_from_slice(&w.to_le_bytes());
        }
        for o in offsets {
            out.extend_from_slice(&o.to_le_bytes());
        }
        out.extend_from_slice(&pool);
        out.extend_from_slice(&0x0180u16.to_le_bytes());
        out.extend_from_slice(&8u16.to_le_bytes());
        out.extend_from_slice(&(8 + 4 * ANDROID_ATTRS.len() as u32).to_le_bytes());
        for (_, id) in ANDROID_ATTRS {
            out.extend_from_slice(&id.to_le_bytes());
        }
        out.extend_from_slice(&self.body);
        let total = out.len() as u32;
        out[4..8].copy_from_slice(&total.to_le_bytes());
        out
    }
}

fn push_len8(out: &mut Vec<u8>, len: usize) {
    assert!(len < 0x8000, "a UTF-8 pool length has at most 15 bits");
    if len < 0x80 {
        out.push(len as u8);
    } else {
        out.push(0x80 | ((len >> 8) as u8 & 0x7f));
        out.push(len as u8);
    }
}

/// A minimal DEX defining the given class descriptors.
pub fn tiny_dex(descriptors: &[&str]) -> Vec<u8> {
    let n = descriptors.len() as u32;
    let string_ids_off = 0x70u32;
    let type_ids_off = string_ids_off + 4 * n;
    let class_defs_off = type_ids_off + 4 * n;
    let data_off = class_defs_off + 32 * n;
    let mut out = vec![0u8; data_off as usize];
    out[..8].copy_from_slice(b"dex\n035\0");
    out[0x28..0x2c].copy_from_slice(&0x1234_5678u32.to_le_bytes());
    for (at, v) in [
        (0x38, n),
        (0x3c, string_ids_off),
        (0x40, n),
        (0x44, type_ids_off),
        (0x60, n),
        (0x64, class_defs_off),
    ] {
        out[at..at + 4].copy_from_slice(&v.to_le_bytes());
    }
    for (i, d) in descriptors.iter().enumerate() {
        let str_off = out.len() as u32;
        out.push(d.len() as u8);
        out.extend_from_slice(d.as_bytes());
        out.push(0);
        let s = string_ids_off as usize + 4 * i;
        out[s..s + 4].copy_from_slice(&str_off.to_le_bytes());
        let t = type_ids_off as usize + 4 * i;
        out[t..t + 4].copy_from_slice(&(i as u32).to_le_bytes());
        let c = class_defs_off as usize + 32 * i;
        out[c..c + 4].copy_from_slice(&(i as u32).to_le_bytes());
    }
    let len = out.len() as u32;
    out[0x20..0x24].copy_from_slice(&len.to_le_bytes());
    out
}

/// A binary plist dictionary of string values (an Info.plist as Xcode ships it).
pub fn binary_plist(entries: &[(&str, &str)]) -> Vec<u8> {
    let mut dict = plist::Dictionary::new();
    for (k, v) in entries {
        dict.insert((*k).to_owned(), plist::Value::String((*v).to_owned()));
    }
    let mut out = Vec::new();
    plist::to_writer_binary(&mut out, &plist::Value::Dictionary(dict)).unwrap();
    out
}

/// A 64-bit little-endian Mach-O executable with one `__TEXT` segment holding
/// an `__objc_classname` section (the classes it defines) and a `__cstring`
/// section (strings it only mentions), laid out as ld64 does.
pub fn macho_64(defined: &[&str], mentioned: &[&str]) -> Vec<u8> {
    let strings = |names: &[&str]| -> Vec<u8> {
        let mut v = Vec::new();
        for n in names {
            v.extend_from_slice(n.as_bytes());
            v.push(0);
        }
        v
    };
    let classnames = strings(defined);
    let cstrings = strings(mentioned);
    let header_len = 32u32;
    let cmd_len = 72 + 2 * 80u32;
    let data_at = header_len + cmd_len;
    let mut out = Vec::new();
    for v in [0xfeed_facfu32, 0x0100_000c, 0, 2, 1, cmd_len, 0, 0] {
        out.extend_from_slice(&v.to_le_bytes());
    }
    out.extend_from_slice(&0x19u32.to_le_bytes());
    out.extend_from_slice(&cmd_len.to_le_bytes());
    out.extend_from_slice(&name16("__TEXT"));
    let total = (classnames.len() + cstrings.len()) as u64;
    for v in [0u64, total, u64::from(data_at), total] {
        out.extend_from_slice(&v.to_le_bytes());
    }
    for v in [5u32, 5, 2, 0] {
        out.extend_from_slice(&v.to_le_bytes());
    }
    let mut at = data_at;
    for (name, data) in [("__objc_classname", &classnames), ("__cstring", &cstrings)] {
        out.extend_from_slice(&name16(name));
        out.extend_from_slice(&name16("__TEXT"));
        out.extend_from_slice(&u64::from(at).to_le_bytes());
        out.extend_from_slice(&(data.len() as u64).to_le_bytes());
        for v in [at, 0, 0, 0, 2, 0, 0, 0] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        at += data.len() as u32;
    }
    assert_eq!(out.len() as u32, data_at);
    out.extend_from_slice(&classnames);
    out.extend_from_slice(&cstrings);
    out
}

/// A universal (fat) binary holding `thin` as its one arm64 slice.
pub fn macho_fat(thin: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for v in [
        0xcafe_babeu32,
        1,
        0x0100_000c,
        0,
        4096,
        thin.len() as u32,
        12,
    ] {
        out.extend_from_slice(&v.to_be_bytes());
    }
    out.resize(4096, 0);
    out.extend_from_slice(thin);
    out
}

fn name16(name: &str) -> [u8; 16] {
    let mut b = [0u8; 16];
    b[..name.len()].copy_from_slice(name.as_bytes());
    b
}

/// Protobuf encoding by hand, for aapt2's `XmlNode` manifests in app bundles.
pub mod proto {
    pub fn varint(mut v: u64, out: &mut Vec<u8>) {
        loop {
            let b = (v & 0x7f) as u8;
            v >>= 7;
            if v == 0 {
                out.push(b);
                return;
            }
            out.push(b | 0x80);
        }
    }
    pub fn bytes_field(number: u64, data: &[u8], out: &mut Vec<u8>) {
        varint(number << 3 | 2, out);
        varint(data.len() as u64, out);
        out.extend_from_slice(data);
    }
    pub fn varint_field(number: u64, v: u64, out: &mut Vec<u8>) {
        varint(number << 3, out);
        varint(v, out);
    }

    /// An attribute value as aapt2 compiles it.
    pub enum Val<'a> {
        Str(&'a str),
        Int(i32),
        Bool(bool),
        Ref(u32),
    }

    /// `XmlAttribute`: android attributes carry their framework resource id.
    pub fn attribute(name: &str, resource_id: u32, value: Val<'_>) -> Vec<u8> {
        let mut a = Vec::new();
        if resource_id != 0 {
            bytes_field(1, b"http://schemas.android.com/apk/res/android", &mut a);
        }
        bytes_field(2, name.as_bytes(), &mut a);
        let text = match &value {
            Val::Str(s) => s.to_string(),
            Val::Int(i) => i.to_string(),
            Val::Bool(b) => b.to_string(),
            Val::Ref(_) => "@string/app_name".to_string(),
        };
        bytes_field(3, text.as_bytes(), &mut a);
        if resource_id != 0 {
            varint_field(5, u64::from(resource_id), &mut a);
        }
        let mut item = Vec::new();
        match value {
            Val::Str(_) => {}
            Val::Int(i) => {
                let mut prim = Vec::new();
                varint_field(6, i as u32 as u64, &mut prim);
                bytes_field(7, &prim, &mut item);
            }
            Val::Bool(b) => {
                let mut prim = Vec::new();
                varint_field(8, u64::from(b), &mut prim);
                bytes_field(7, &prim, &mut item);
            }
            Val::Ref(id) => {
                let mut r = Vec::new();
                varint_field(2, u64::from(id), &mut r);
                bytes_field(1, &r, &mut item);
            }
        }
        if !item.is_empty() {
            bytes_field(6, &item, &mut a);
        }
        a
    }

    /// `XmlNode { element: XmlElement { name, attribute*, child* } }`.
    pub fn element(name: &str, attrs: &[Vec<u8>], children: &[Vec<u8>]) -> Vec<u8> {
        let mut e = Vec::new();
        bytes_field(3, name.as_bytes(), &mut e);
        for a in attrs {
            bytes_field(4, a, &mut e);
        }
        for c in children {
            bytes_field(5, c, &mut e);
        }
        let mut node = Vec::new();
        bytes_field(1, &e, &mut node);
        node
    }
}
