//! The hooked-API table (`signatures/api-calls.toml`): which platform call reads which
//! ontology data type, which stack frames are the platform, and the per-type frequency
//! limits. Knowledge lives in the file; this module only loads and looks it up.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use super::ApiLogError;
use crate::signatures::Ontology;

/// The built-in table.
pub const DEFAULT_API_CALLS: &str = include_str!("../../signatures/api-calls.toml");

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiEntry {
    pub platform: String,
    pub class: String,
    pub methods: Vec<String>,
    /// One of the call's arguments must contain this (case-insensitively).
    #[serde(default)]
    pub arg: Option<String>,
    pub data: String,
    #[serde(default)]
    pub labels: Vec<String>,
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Limit {
    pub max: usize,
    pub window_s: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Frequency {
    default: Limit,
    #[serde(default)]
    types: BTreeMap<String, Limit>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttributionConfig {
    #[serde(default)]
    pub platform_prefixes: Vec<String>,
    #[serde(default)]
    pub platform_modules: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct ApiFile {
    attribution: AttributionConfig,
    frequency: Frequency,
    #[serde(rename = "api")]
    apis: Vec<ApiEntry>,
}

/// The loaded table.
#[derive(Debug, Clone)]
pub struct ApiMap {
    pub apis: Vec<ApiEntry>,
    pub attribution: AttributionConfig,
    default_limit: Limit,
    limits: BTreeMap<String, Limit>,
}

/// What a logged call says about itself, as far as the tool wrote it.
#[derive(Debug, Clone, Copy, Default)]
pub struct CallKey<'a> {
    pub class: Option<&'a str>,
    pub method: Option<&'a str>,
    pub args: &'a str,
    pub label: &'a str,
}

/// `Settings$Secure` and `Settings.Secure` name the same nested class.
fn same_class(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .all(|(x, y)| x == y || (matches!(x, b'$' | b'.') && matches!(y, b'$' | b'.')))
}

impl ApiMap {
    pub fn parse(text: &str, origin: &str) -> Result<ApiMap, ApiLogError> {
        let file: ApiFile = toml::from_str(text).map_err(|e| ApiLogError::Table {
            path: origin.to_string(),
            message: e.to_string(),
        })?;
        Ok(ApiMap {
            apis: file.apis,
            attribution: file.attribution,
            default_limit: file.frequency.default,
            limits: file.frequency.types,
        })
    }

    pub fn builtin() -> ApiMap {
        match ApiMap::parse(DEFAULT_API_CALLS, "signatures/api-calls.toml") {
            Ok(m) => m,
            // The file is checked by the test suite; a broken built-in is a bug.
            Err(e) => panic!("built-in signatures/api-calls.toml is invalid: {e}"),
        }
    }

    /// `dir/api-calls.toml` when it exists, else the built-in table.
    pub fn load(dir: Option<&Path>) -> Result<ApiMap, ApiLogError> {
        let Some(path) = dir
            .map(|d| d.join("api-calls.toml"))
            .filter(|p| p.is_file())
        else {
            return Ok(ApiMap::builtin());
        };
        let text = std::fs::read_to_string(&path).map_err(|source| ApiLogError::Read {
            path: path.display().to_string(),
            source,
        })?;
        ApiMap::parse(&text, &path.display().to_string())
    }

    /// Unknown data types and empty entries: what a reviewer must fix.
    pub fn problems(&self, ontology: &Ontology) -> Vec<String> {
        let mut out = Vec::new();
        for a in &self.apis {
            let at = format!("{}.{}", a.class, a.methods.join("|"));
            if !ontology.contains(&a.data) {
                out.push(format!("{at}: unknown data type {}", a.data));
            }
            if a.methods.is_empty() {
                out.push(format!("{at}: no methods"));
            }
            if !matches!(a.platform.as_str(), "android" | "ios") {
                out.push(format!("{at}: platform must be android or ios"));
            }
        }
        for t in self.limits.keys() {
            if !ontology.contains(t) {
                out.push(format!("frequency.types: unknown data type {t}"));
            }
        }
        out
    }

    /// The frequency limit for a data type (its own, an ancestor's, or the default).
    pub fn limit(&self, ontology: &Ontology, data_type: &str) -> Limit {
        ontology
            .ancestors(data_type)
            .find_map(|t| self.limits.get(t).copied())
            .unwrap_or(self.default_limit)
    }

    fn arg_ok(entry: &ApiEntry, args: &str) -> bool {
        entry
            .arg
            .as_ref()
            .is_none_or(|a| args.to_lowercase().contains(&a.to_lowercase()))
    }

    /// The entry a call reads through, by the order in the file's header.
    pub fn resolve(&self, key: &CallKey<'_>) -> Option<&ApiEntry> {
        // Entries with an argument condition are more specific: try them first.
        let ordered = || {
            self.apis
                .iter()
                .filter(|e| e.arg.is_some())
                .chain(self.apis.iter().filter(|e| e.arg.is_none()))
        };
        if let (Some(class), Some(method)) = (key.class, key.method) {
            let mut known = false;
            for e in ordered() {
                if same_class(&e.class, class) && e.methods.iter().any(|m| m == method) {
                    known = true;
                    if Self::arg_ok(e, key.args) {
                        return Some(e);
                    }
                }
            }
            if known {
                // A known call whose arguments read nothing personal.
                return None;
            }
        }
        if let Some(method) = key.method {
            let candidates: Vec<&ApiEntry> = ordered()
                .filter(|e| e.methods.iter().any(|m| m == method))
                .collect();
            if !candidates.is_empty() {
                let fitting: Vec<&&ApiEntry> = candidates
                    .iter()
                    .filter(|e| Self::arg_ok(e, key.args))
                    .collect();
                let mut types: Vec<&str> = fitting.iter().map(|e| e.data.as_str()).collect();
                types.dedup();
                if types.len() == 1 {
                    return fitting.first().map(|e| **e);
                }
            }
        }
        let label = key.label;
        if label.is_empty() {
            return None;
        }
        let lower = label.to_lowercase();
        self.apis
            .iter()
            .flat_map(|e| e.labels.iter().map(move |l| (l, e)))
            .filter(|(l, _)| lower.contains(&l.to_lowercase()))
            .max_by_key(|(l, _)| l.chars().count())
            .map(|(_, e)| e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_table_is_sound() {
        let map = ApiMap::builtin();
        let problems = map.problems(&Ontology::builtin());
        assert!(problems.is_empty(), "{}", problems.join("\n"));
        assert!(map.apis.len() >= 30);
    }

    #[test]
    fn resolves_by_class_method_and_argument() {
        let map = ApiMap::builtin();
        let k = CallKey {
            class: Some("android.provider.Settings$Secure"),
            method: Some("getString"),
            args: r#"参数1："android_id""#,
            label: "获取安卓ID",
        };
        assert_eq!(
            map.resolve(&k).map(|e| e.data.as_str()),
            Some("device.identifier.android_id")
        );
        // Another Settings key reads nothing personal, whatever the tool's label says.
        let k = CallKey {
            args: r#"参数1："screen_brightness""#,
            ..k
        };
        assert!(map.resolve(&k).is_none());
    }

    #[test]
    fn resolves_by_method_then_label() {
        let map = ApiMap::builtin();
        let by_method = CallKey {
            method: Some("getSubscriberId"),
            ..CallKey::default()
        };
        assert_eq!(
            map.resolve(&by_method).map(|e| e.data.as_str()),
            Some("device.sim.imsi")
        );
        let by_label = CallKey {
            label: "获取IMSI/iccid",
            ..CallKey::default()
        };
        assert_eq!(
            map.resolve(&by_label).map(|e| e.data.as_str()),
            Some("device.sim.iccid")
        );
        assert!(
            map.resolve(&CallKey {
                label: "申请权限",
                ..CallKey::default()
            })
            .is_none()
        );
    }

    #[test]
    fn limits_fall_back_to_ancestors_and_default() {
        let map = ApiMap::builtin();
        let o = Ontology::builtin();
        assert_eq!(map.limit(&o, "app.installed_list").max, 2);
        assert_eq!(map.limit(&o, "device.identifier.imei").max, 5);
    }
}
