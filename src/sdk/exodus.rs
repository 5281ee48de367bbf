//! Converting an Exodus Privacy tracker export (`code_signature` and
//! `network_signature` regexes) into privaudit's SDK signature format, and telling
//! which trackers are SDKs we already know.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::signatures::SdkDb;

#[derive(Debug, Deserialize)]
struct Tracker {
    #[serde(default)]
    id: Option<serde_json::Value>,
    #[serde(default)]
    name: String,
    #[serde(default)]
    code_signature: String,
    #[serde(default)]
    network_signature: String,
    #[serde(default)]
    website: Option<String>,
    #[serde(default)]
    categories: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ExodusError {
    #[error("{path}: not a valid Exodus export: {message}")]
    Invalid { path: String, message: String },
}

/// One tracker after conversion.
#[derive(Debug, Clone)]
pub struct Imported {
    pub exodus_id: String,
    pub name: String,
    pub prefixes: Vec<String>,
    pub domains: Vec<String>,
    /// Signature parts that are regexes rather than plain prefixes or domains.
    pub skipped: Vec<String>,
    pub category: &'static str,
    pub website: Option<String>,
    /// The known SDK this tracker is, when prefixes or domains overlap.
    pub merges_with: Option<String>,
    /// Prefixes and domains the known SDK lacks.
    pub new_for_known: Vec<String>,
}

fn unescape(part: &str) -> String {
    part.trim()
        .trim_start_matches('^')
        .trim_end_matches('$')
        .replace("\\.", ".")
        .replace("\\-", "-")
}

/// A dotted name with at least two non-empty parts and no regex syntax left.
fn plain(text: &str) -> bool {
    text.split('.').filter(|p| !p.is_empty()).count() >= 2
        && text.split('.').all(|p| !p.is_empty())
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
}

fn category(exodus: &[String]) -> &'static str {
    let joined = exodus.join(" ").to_ascii_lowercase();
    if joined.contains("advertis") {
        "ads"
    } else if joined.contains("crash") {
        "crash"
    } else if joined.contains("location") {
        "maps_location"
    } else if joined.contains("identification") {
        "device_id"
    } else {
        "analytics"
    }
}

fn prefix_overlap(a: &str, b: &str) -> bool {
    let boundary = |long: &str, short: &str| {
        long == short
            || (long.starts_with(short) && long.as_bytes().get(short.len()) == Some(&b'.'))
    };
    boundary(a, b) || boundary(b, a)
}

/// Parses an export (`{"trackers": {id: {...}}}` or a list) and matches it against
/// the known SDKs.
pub fn import(text: &str, origin: &str, known: &SdkDb) -> Result<Vec<Imported>, ExodusError> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| ExodusError::Invalid {
            path: origin.into(),
            message: format!(
                "JSON error at line {}, column {}: {e}",
                e.line(),
                e.column()
            ),
        })?;
    let list = value.get("trackers").cloned().unwrap_or(value);
    let trackers: Vec<Tracker> = match list {
        serde_json::Value::Object(map) => map
            .into_values()
            .filter_map(|v| serde_json::from_value(v).ok())
            .collect(),
        serde_json::Value::Array(items) => items
            .into_iter()
            .filter_map(|v| serde_json::from_value(v).ok())
            .collect(),
        _ => {
            return Err(ExodusError::Invalid {
                path: origin.into(),
                message: "expected a `trackers` object or array".into(),
            });
        }
    };
    let mut out = Vec::new();
    for t in trackers {
        let mut prefixes = Vec::new();
        let mut domains = Vec::new();
        let mut skipped = Vec::new();
        for part in t.code_signature.split('|').filter(|p| !p.trim().is_empty()) {
            let p = unescape(part).trim_end_matches('.').to_string();
            if plain(&p) && !super::signatures::GENERIC_PREFIXES.contains(&p.as_str()) {
                prefixes.push(p);
            } else {
                skipped.push(part.to_string());
            }
        }
        for part in t
            .network_signature
            .split('|')
            .filter(|p| !p.trim().is_empty())
        {
            let d = unescape(part).trim_start_matches('.').to_ascii_lowercase();
            if plain(&d) {
                domains.push(d);
            } else {
                skipped.push(part.to_string());
            }
        }
        let mut merges_with = None;
        for sdk in &known.sdks {
            let code = prefixes
                .iter()
                .any(|p| sdk.android_packages.iter().any(|q| prefix_overlap(p, q)));
            let net = domains.iter().any(|d| sdk.domains.iter().any(|e| e == d));
            if code || net {
                merges_with = Some(sdk.id.clone());
                break;
            }
        }
        let new_for_known = match merges_with.as_deref().and_then(|id| known.get(id)) {
            Some(sdk) => prefixes
                .iter()
                .filter(|p| !sdk.android_packages.iter().any(|q| prefix_overlap(p, q)))
                .chain(domains.iter().filter(|d| !sdk.domains.contains(d)))
                .cloned()
                .collect(),
            None => Vec::new(),
        };
        let exodus_id = match &t.id {
            Some(serde_json::Value::Number(n)) => n.to_string(),
            Some(serde_json::Value::String(s)) => s.clone(),
            _ => t.name.to_ascii_lowercase().replace(' ', "_"),
        };
        out.push(Imported {
            exodus_id,
            name: t.name,
            prefixes,
            domains,
            skipped,
            category: category(&t.categories),
            website: t.website,
            merges_with,
            new_for_known,
        });
    }
    out.sort_by(|a, b| {
        a.exodus_id
            .parse::<u64>()
            .unwrap_or(u64::MAX)
            .cmp(&b.exodus_id.parse::<u64>().unwrap_or(u64::MAX))
            .then_with(|| a.exodus_id.cmp(&b.exodus_id))
    });
    Ok(out)
}

fn toml_list(items: &[String]) -> String {
    let quoted: Vec<String> = items
        .iter()
        .map(|s| toml::Value::String(s.clone()).to_string())
        .collect();
    format!("[{}]", quoted.join(", "))
}

/// A vendor file with the trackers that are not known SDKs, in our format.
pub fn to_toml(imported: &[Imported], origin: &str) -> String {
    let mut out = format!(
        "# Imported from the Exodus Privacy tracker export {origin} by `privaudit signatures import-exodus`.\n\
         # Entries that match a known SDK are left out (see the import report); review before use:\n\
         # Exodus lists no data types, so `collects` is empty.\n\nvendor = \"Exodus Privacy import\"\n"
    );
    let mut used = BTreeMap::new();
    for t in imported.iter().filter(|t| t.merges_with.is_none()) {
        if t.prefixes.is_empty() && t.domains.is_empty() {
            continue;
        }
        let mut id: String = format!("exodus_{}", t.exodus_id)
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '_'
                }
            })
            .collect();
        let n = used.entry(id.clone()).or_insert(0);
        *n += 1;
        if *n > 1 {
            id = format!("{id}_{n}");
        }
        out.push_str(&format!(
            "\n[[sdk]]\nid = {}\nname = {}\ncategory = \"{}\"\nplatforms = [\"android\"]\nandroid_packages = {}\ndomains = {}\nsources = {}\n",
            toml::Value::String(id),
            toml::Value::String(t.name.clone()),
            t.category,
            toml_list(&t.prefixes),
            toml_list(&t.domains),
            toml_list(&[format!("exodus:{}", t.exodus_id)]),
        ));
        if let Some(w) = &t.website {
            out.push_str(&format!(
                "privacy_policy = {}\n",
                toml::Value::String(w.clone())
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_and_matches() {
        let json = r#"{"trackers": {
            "119": {"id": 119, "name": "Umeng Analytics", "code_signature": "com.umeng.analytics", "network_signature": "alog\\.umeng\\.com|umeng\\.com", "categories": []},
            "1": {"id": 1, "name": "Teemo", "code_signature": "com.databerries.|com.geolocstation.", "network_signature": "databerries\\.com", "categories": ["Analytics"]},
            "9": {"id": 9, "name": "Odd", "code_signature": "com\\.x[0-9]+", "network_signature": ".*\\.odd\\.com", "categories": ["Advertisement"]}
        }}"#;
        let got = import(json, "t.json", &SdkDb::builtin()).unwrap();
        assert_eq!(got[0].exodus_id, "1");
        assert_eq!(
            got[0].prefixes,
            vec!["com.databerries", "com.geolocstation"]
        );
        assert_eq!(got[0].merges_with, None);
        assert_eq!(got[1].merges_with, None);
        let umeng = got.iter().find(|t| t.exodus_id == "119").unwrap();
        assert_eq!(umeng.merges_with.as_deref(), Some("umeng"));
        let odd = got.iter().find(|t| t.exodus_id == "9").unwrap();
        assert_eq!(odd.skipped.len(), 2);
        let text = to_toml(&got, "t.json");
        let parsed = SdkDb::parse(&[("x.toml".into(), text)]).unwrap();
        assert_eq!(parsed.sdks.len(), 1);
        assert_eq!(parsed.sdks[0].id, "exodus_1");
    }
}
