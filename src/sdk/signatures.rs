//! SDK signature files (`signatures/sdks/<vendor>.toml`): loading, validation and
//! lookups by domain, Java package prefix, iOS framework and native library.

use std::collections::HashMap;
use std::path::Path;

use serde::Deserialize;

use crate::signatures::{Ontology, SignatureError};

include!(concat!(env!("OUT_DIR"), "/sdk_files.rs"));

/// Categories an SDK may have (`docs/signatures.md`).
pub const CATEGORIES: [&str; 18] = [
    "analytics",
    "push",
    "ads",
    "crash",
    "maps_location",
    "payment",
    "social_login",
    "customer_service",
    "im_rtc",
    "one_click_login",
    "risk_control",
    "attribution",
    "performance",
    "device_id",
    "webview",
    "social_share",
    "ab_testing",
    "speech",
];

/// Package prefixes too generic to name one SDK.
pub const GENERIC_PREFIXES: [&str; 16] = [
    "com.google",
    "com.google.android",
    "com.google.android.gms",
    "com.android",
    "android.support",
    "androidx",
    "com.tencent",
    "com.alibaba",
    "com.baidu",
    "com.facebook",
    "com.huawei",
    "com.xiaomi",
    "com.amazon",
    "com.microsoft",
    "org.apache",
    "kotlin",
];

#[derive(Debug, Clone, Deserialize)]
pub struct Collects {
    pub data: String,
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default)]
    pub documented: bool,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Sdk {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub name_zh: Option<String>,
    pub category: String,
    #[serde(default)]
    pub platforms: Vec<String>,
    #[serde(default)]
    pub android_packages: Vec<String>,
    #[serde(default)]
    pub ios_frameworks: Vec<String>,
    #[serde(default)]
    pub ios_classes: Vec<String>,
    #[serde(default)]
    pub native_libs: Vec<String>,
    /// Manifest component names (activities, services, receivers,
    /// providers) that only this SDK declares; `*` is a wildcard. They name
    /// the SDK even when its code is obfuscated or packed.
    #[serde(default)]
    pub android_components: Vec<String>,
    /// Manifest `<meta-data>` names the SDK reads (`UMENG_CHANNEL`); `*` is a
    /// wildcard.
    #[serde(default)]
    pub meta_data: Vec<String>,
    /// `<meta-data>` names whose value is the app's key at this vendor
    /// (`UMENG_APPKEY`): evidence like `meta_data`, and the value is shown
    /// (masked) in `sdks`.
    #[serde(default)]
    pub app_keys: Vec<String>,
    /// The vendor's shared core that this SDK needs (`jcore` for JPush):
    /// reported as its own SDK, never as this one.
    #[serde(default)]
    pub core: Option<String>,
    #[serde(default)]
    pub domains: Vec<String>,
    #[serde(default)]
    pub privacy_policy: Option<String>,
    /// Other names privacy policies give the SDK in SDK lists and sharing clauses
    /// ("HMS Push Kit", "QQ登录SDK"); `policy extract` resolves them to this SDK.
    #[serde(default)]
    pub policy_names: Vec<String>,
    #[serde(default)]
    pub sources: Vec<String>,
    #[serde(default)]
    pub collects: Vec<Collects>,
    /// Filled from the file's top level.
    #[serde(skip)]
    pub vendor: String,
    #[serde(skip)]
    pub vendor_zh: Option<String>,
    #[serde(skip)]
    pub file: String,
}

#[derive(Debug, Deserialize)]
struct VendorFile {
    vendor: String,
    #[serde(default)]
    vendor_zh: Option<String>,
    #[serde(default)]
    sdk: Vec<Sdk>,
}

/// All SDK signatures with their indexes.
#[derive(Debug, Clone, Default)]
pub struct SdkDb {
    pub sdks: Vec<Sdk>,
    by_id: HashMap<String, usize>,
    by_domain: HashMap<String, usize>,
}

impl SdkDb {
    /// Parses vendor files: (file name, text).
    pub fn parse(files: &[(String, String)]) -> Result<SdkDb, SignatureError> {
        let mut db = SdkDb::default();
        for (name, text) in files {
            let vf: VendorFile = toml::from_str(text).map_err(|e| SignatureError::Invalid {
                path: name.clone(),
                message: e.to_string(),
            })?;
            for mut sdk in vf.sdk {
                sdk.vendor = vf.vendor.clone();
                sdk.vendor_zh = vf.vendor_zh.clone();
                sdk.file = name.clone();
                let index = db.sdks.len();
                if db.by_id.insert(sdk.id.clone(), index).is_some() {
                    return Err(SignatureError::Invalid {
                        path: name.clone(),
                        message: format!("SDK id `{}` is defined twice", sdk.id),
                    });
                }
                for d in &sdk.domains {
                    db.by_domain.entry(d.to_ascii_lowercase()).or_insert(index);
                }
                db.sdks.push(sdk);
            }
        }
        Ok(db)
    }

    pub fn builtin() -> SdkDb {
        let files: Vec<(String, String)> = SDK_FILES
            .iter()
            .map(|(n, t)| (format!("signatures/sdks/{n}"), t.to_string()))
            .collect();
        match SdkDb::parse(&files) {
            Ok(db) => db,
            Err(e) => panic!("built-in SDK signatures are invalid: {e}"),
        }
    }

    /// `dir/sdks/*.toml`, or the built-in files when `dir` is None.
    pub fn load(dir: Option<&Path>) -> Result<SdkDb, SignatureError> {
        let Some(dir) = dir else {
            return Ok(SdkDb::builtin());
        };
        let sdk_dir = dir.join("sdks");
        if !sdk_dir.is_dir() {
            return Ok(SdkDb::builtin());
        }
        let mut files = Vec::new();
        let entries = std::fs::read_dir(&sdk_dir).map_err(|source| SignatureError::Read {
            path: sdk_dir.clone(),
            source,
        })?;
        for e in entries.flatten() {
            let path = e.path();
            if path.extension().is_some_and(|x| x == "toml") {
                let text =
                    std::fs::read_to_string(&path).map_err(|source| SignatureError::Read {
                        path: path.clone(),
                        source,
                    })?;
                files.push((path.display().to_string(), text));
            }
        }
        files.sort();
        SdkDb::parse(&files)
    }

    /// The SDK that lists `name` among its app-key meta-data names.
    pub fn app_key_owner(&self, name: &str) -> Option<&Sdk> {
        self.sdks
            .iter()
            .find(|s| s.app_keys.iter().any(|k| glob_match(k, name)))
    }

    /// Every SDK id.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.sdks.iter().map(|s| s.id.as_str())
    }

    pub fn get(&self, id: &str) -> Option<&Sdk> {
        self.by_id.get(id).map(|&i| &self.sdks[i])
    }

    /// The SDK whose domain is the longest suffix of `host` (`a.b.umeng.com` → umeng).
    pub fn by_host(&self, host: &str) -> Option<&Sdk> {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        let mut candidate = host.as_str();
        loop {
            if let Some(&i) = self.by_domain.get(candidate) {
                return Some(&self.sdks[i]);
            }
            match candidate.split_once('.') {
                Some((_, rest)) if rest.contains('.') || !rest.is_empty() => candidate = rest,
                _ => return None,
            }
        }
    }

    /// Problems a reviewer must fix: unknown data types, malformed domains, prefixes
    /// so short they match unrelated code. Empty when the files are sound.
    pub fn problems(&self, ontology: &Ontology) -> Vec<String> {
        let mut out = Vec::new();
        for s in &self.sdks {
            let at = format!("{} ({})", s.id, s.file);
            if s.id.is_empty()
                || !s
                    .id
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
            {
                out.push(format!("{at}: id must be [a-z0-9_]+"));
            }
            if !CATEGORIES.contains(&s.category.as_str()) {
                out.push(format!("{at}: unknown category {}", s.category));
            }
            for c in &s.collects {
                if !ontology.contains(&c.data) {
                    out.push(format!("{at}: collects unknown data type {}", c.data));
                }
            }
            for d in &s.domains {
                let ok = !d.is_empty()
                    && d.contains('.')
                    && d == &d.to_ascii_lowercase()
                    && d.split('.').all(|l| {
                        !l.is_empty() && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                    });
                if !ok {
                    out.push(format!("{at}: malformed domain {d:?}"));
                }
            }
            if let Some(core) = &s.core
                && (self.get(core).is_none() || core == &s.id)
            {
                out.push(format!("{at}: core {core:?} is not another SDK's id"));
            }
            for p in s
                .android_components
                .iter()
                .chain(&s.meta_data)
                .chain(&s.app_keys)
            {
                if p.is_empty() || p.starts_with('*') || p.chars().any(char::is_whitespace) {
                    out.push(format!(
                        "{at}: manifest name {p:?} must not be empty, start with *, or hold spaces"
                    ));
                }
            }
            for p in &s.android_components {
                if p.split('.').count() < 3 {
                    out.push(format!("{at}: component {p:?} needs three segments"));
                }
            }
            for p in &s.android_packages {
                let segments: Vec<&str> = p.split('.').collect();
                if segments.len() < 2 || segments.iter().any(|x| x.is_empty()) {
                    out.push(format!("{at}: package prefix {p:?} needs two segments"));
                }
                if GENERIC_PREFIXES.contains(&p.as_str()) {
                    out.push(format!("{at}: package prefix {p:?} is too generic"));
                }
                if p.len() < 6 {
                    out.push(format!("{at}: package prefix {p:?} is too short"));
                }
            }
        }
        out
    }
}

/// Does `text` match `pattern`, where `*` stands for any run of characters
/// (none included) and everything else for itself? Linear in practice: the
/// last `*` seen is the only backtracking point.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let (p, t) = (pattern.as_bytes(), text.as_bytes());
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && p[pi] == b'*' {
            star = Some((pi, ti));
            pi += 1;
        } else if pi < p.len() && p[pi] == t[ti] {
            pi += 1;
            ti += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&b| b == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob_match("libjcore*.so", "libjcore410.so"));
        assert!(glob_match("libjcore*.so", "libjcore.so"));
        assert!(!glob_match("libjcore*.so", "libjcore410.so.bak"));
        assert!(!glob_match("libjcore*.so", "xlibjcore410.so"));
        assert!(glob_match("com.umeng.message.*", "com.umeng.message.XXX"));
        assert!(!glob_match("com.umeng.message.*", "com.umeng.messages"));
        assert!(glob_match("a*b*c", "aXXbYYbc"));
        assert!(glob_match("UMENG_APPKEY", "UMENG_APPKEY"));
        assert!(!glob_match("UMENG_APPKEY", "UMENG_APPKEY2"));
        assert!(glob_match("*", ""));
        assert!(!glob_match("", "x"));
    }

    #[test]
    fn builtin_signatures_are_sound() {
        let db = SdkDb::builtin();
        assert!(db.sdks.len() >= 100, "only {} SDKs", db.sdks.len());
        let problems = db.problems(&Ontology::builtin());
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }

    #[test]
    fn longest_domain_wins() {
        let db = SdkDb::builtin();
        assert_eq!(
            db.by_host("alog.umeng.com").map(|s| s.id.as_str()),
            Some("umeng")
        );
        assert_eq!(
            db.by_host("ALOG.UMENG.COM.").map(|s| s.id.as_str()),
            Some("umeng")
        );
        assert!(db.by_host("example.com").is_none());
    }
}
