//! The test device's own values (`--device FILE`): matched exactly and in the forms
//! SDKs send them — MD5/SHA-1/SHA-256 hex, base64, hex of the bytes, MAC without
//! separators — with one Aho-Corasick automaton over every decoded value.

use std::collections::BTreeMap;
use std::path::Path;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use base64::Engine as _;
use md5::Digest as _;
use serde::Deserialize;

#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    #[error("{path}: cannot read the device profile: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: not a valid device profile: {message}")]
    Invalid { path: String, message: String },
    /// An unknown key or id, or a value its own validator rejects.
    #[error("{path}:{line}: {message}")]
    Mistake {
        path: String,
        line: usize,
        message: String,
    },
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct DeviceInfo {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub platform: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Location {
    pub latitude: f64,
    pub longitude: f64,
}

/// `device.toml`: the identifiers of the phone the capture was recorded on.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct DeviceProfile {
    #[serde(default)]
    pub device: DeviceInfo,
    #[serde(default)]
    pub identifiers: BTreeMap<String, OneOrMany>,
    #[serde(default)]
    pub location: Option<Location>,
}

impl DeviceProfile {
    pub fn load(path: &Path) -> Result<DeviceProfile, ProfileError> {
        let text = std::fs::read_to_string(path).map_err(|source| ProfileError::Read {
            path: path.display().to_string(),
            source,
        })?;
        toml::from_str(&text).map_err(|e| ProfileError::Invalid {
            path: path.display().to_string(),
            message: e.to_string(),
        })
    }

    /// Loads the profile and checks it against the ontology: every identifier key
    /// must be a data-type id, every value must pass that type's validator (a
    /// 14-digit IMEI is a typo, not an IMEI). A mistake here would otherwise find
    /// nothing, silently.
    pub fn load_checked(
        path: &Path,
        ontology: &crate::signatures::Ontology,
    ) -> Result<DeviceProfile, ProfileError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| ProfileError::Read {
            path: shown.clone(),
            source,
        })?;
        let profile: DeviceProfile = match toml::from_str(&text) {
            Ok(p) => p,
            Err(e) => {
                let line = e
                    .span()
                    .map(|s| text.get(..s.start).unwrap_or(&text).matches('\n').count() + 1)
                    .unwrap_or(1);
                let message = e.message().to_string();
                // serde names the unknown field; add the closest valid one.
                let hint = message
                    .split('`')
                    .nth(1)
                    .map(|wrong| {
                        crate::suggest::hint(
                            wrong,
                            [
                                "device",
                                "identifiers",
                                "location",
                                "name",
                                "platform",
                                "latitude",
                                "longitude",
                            ],
                        )
                    })
                    .unwrap_or_default();
                return Err(ProfileError::Mistake {
                    path: shown,
                    line,
                    message: format!("{message}{hint}"),
                });
            }
        };
        let ids: Vec<String> = ontology.ids().map(str::to_string).collect();
        for (id, value) in profile.values() {
            let line = crate::suggest::line_of(&text, &id, 1).unwrap_or(1);
            let Some(t) = ontology.get(&id) else {
                return Err(ProfileError::Mistake {
                    path: shown,
                    line,
                    message: format!(
                        "unknown data type `{id}` in [identifiers]{} (ids are in signatures/datatypes.toml)",
                        crate::suggest::hint(&id, &ids)
                    ),
                });
            };
            if let Some(detector) = t.detector.as_deref() {
                use crate::detect::validate::{self, Support};
                let strict = matches!(
                    detector,
                    "imei"
                        | "meid"
                        | "imsi"
                        | "iccid"
                        | "mac"
                        | "phone"
                        | "email"
                        | "cn_resident_id"
                );
                let support = validate::check(detector, &value);
                let bad = if strict {
                    support != Support::Strong
                } else {
                    support == Support::No && !validate::is_free_form(detector)
                };
                if bad {
                    return Err(ProfileError::Mistake {
                        path: shown,
                        line: crate::suggest::line_of(&text, &value, 1).unwrap_or(line),
                        message: format!(
                            "`{value}` is not a valid {} for `{id}` (it fails the {detector} check); a typo here would match nothing",
                            t.name_en
                        ),
                    });
                }
            }
        }
        if let Some(l) = &profile.location
            && (!(-90.0..=90.0).contains(&l.latitude) || !(-180.0..=180.0).contains(&l.longitude))
        {
            return Err(ProfileError::Mistake {
                path: shown,
                line: crate::suggest::line_of(&text, "latitude", 1).unwrap_or(1),
                message: "[location] latitude must be within ±90 and longitude within ±180".into(),
            });
        }
        Ok(profile)
    }

    /// (data type, value) pairs.
    pub fn values(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for (id, v) in &self.identifiers {
            match v {
                OneOrMany::One(s) => out.push((id.clone(), s.clone())),
                OneOrMany::Many(list) => out.extend(list.iter().map(|s| (id.clone(), s.clone()))),
            }
        }
        out
    }
}

/// How a profile value appeared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    Plain,
    Md5,
    Sha1,
    Sha256,
    Base64,
    Hex,
}

impl Form {
    pub fn layer(self) -> Option<&'static str> {
        match self {
            Form::Plain => None,
            Form::Md5 => Some("md5"),
            Form::Sha1 => Some("sha1"),
            Form::Sha256 => Some("sha256"),
            Form::Base64 => Some("base64"),
            Form::Hex => Some("hex"),
        }
    }
}

#[derive(Debug, Clone)]
pub struct ProfileHit {
    pub data_type: String,
    pub value: String,
    pub form: Form,
}

/// The automaton over every form of every profile value.
#[derive(Debug, Clone)]
pub struct ProfileMatcher {
    ac: AhoCorasick,
    patterns: Vec<(String, String, Form)>,
}

fn hexs(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The spellings an SDK may hash or send: as given, lower/upper case, and for MACs
/// without separators.
fn spellings(value: &str) -> Vec<String> {
    let mut v = vec![
        value.to_string(),
        value.to_ascii_lowercase(),
        value.to_ascii_uppercase(),
    ];
    if value.len() == 17 && (value.contains(':') || value.contains('-')) {
        let bare: String = value.chars().filter(|c| *c != ':' && *c != '-').collect();
        v.push(bare.to_ascii_lowercase());
        v.push(bare.to_ascii_uppercase());
        v.push(value.replace(':', "-").to_ascii_lowercase());
        v.push(value.replace('-', ":").to_ascii_lowercase());
        v.push(value.replace('-', ":").to_ascii_uppercase());
    }
    v.sort();
    v.dedup();
    v
}

impl ProfileMatcher {
    pub fn new(profile: &DeviceProfile) -> Option<ProfileMatcher> {
        let mut patterns: Vec<(String, String, Form)> = Vec::new();
        for (id, value) in profile.values() {
            // Very short values (a model name like "MI 9") would match everywhere.
            if value.trim().len() < 6 {
                continue;
            }
            for s in spellings(value.trim()) {
                let b = s.as_bytes();
                patterns.push((s.clone(), id.clone(), Form::Plain));
                patterns.push((hexs(&md5::Md5::digest(b)), id.clone(), Form::Md5));
                patterns.push((hexs(&sha1::Sha1::digest(b)), id.clone(), Form::Sha1));
                patterns.push((hexs(&sha2::Sha256::digest(b)), id.clone(), Form::Sha256));
                patterns.push((
                    base64::engine::general_purpose::STANDARD_NO_PAD.encode(b),
                    id.clone(),
                    Form::Base64,
                ));
                patterns.push((hexs(b), id.clone(), Form::Hex));
            }
        }
        // Keep the first entry for each distinct pattern text.
        let mut seen = std::collections::HashSet::new();
        patterns.retain(|(p, id, _)| seen.insert(p.to_ascii_lowercase()) || id.is_empty());
        if patterns.is_empty() {
            return None;
        }
        let ac = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            .build(patterns.iter().map(|(p, _, _)| p.as_str()))
            .ok()?;
        Some(ProfileMatcher {
            ac,
            patterns: patterns.into_iter().map(|(p, id, f)| (id, p, f)).collect(),
        })
    }

    /// Profile values found in `text`, each at a token boundary.
    pub fn find(&self, text: &str) -> Vec<ProfileHit> {
        let bytes = text.as_bytes();
        let mut hits = Vec::new();
        for m in self.ac.find_iter(text) {
            let (id, pattern, form) = &self.patterns[m.pattern().as_usize()];
            let before = m.start().checked_sub(1).and_then(|i| bytes.get(i));
            let after = bytes.get(m.end());
            let boundary = |b: Option<&u8>| b.is_none_or(|c| !c.is_ascii_alphanumeric());
            // Base64 may sit inside a longer base64 run only when it ends a block;
            // everything else must stand alone as a token.
            if *form != Form::Base64 && !(boundary(before) && boundary(after)) {
                continue;
            }
            hits.push(ProfileHit {
                data_type: id.clone(),
                value: pattern.clone(),
                form: *form,
            });
        }
        hits
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile() -> DeviceProfile {
        toml::from_str(
            r#"
            [identifiers]
            "device.identifier.imei" = "861234567890123"
            "device.identifier.mac" = "AC:37:43:4D:9B:1E"
            "#,
        )
        .unwrap()
    }

    #[test]
    fn finds_plain_hashed_and_bare_forms() {
        let m = ProfileMatcher::new(&profile()).unwrap();
        let md5_imei = hexs(&md5::Md5::digest(b"861234567890123"));
        let text = format!("a={md5_imei}&m=ac37434d9b1e&i=861234567890123");
        let hits = m.find(&text);
        let forms: Vec<_> = hits
            .iter()
            .map(|h| (h.data_type.as_str(), h.form))
            .collect();
        assert!(forms.contains(&("device.identifier.imei", Form::Md5)));
        assert!(forms.contains(&("device.identifier.mac", Form::Plain)));
        assert!(forms.contains(&("device.identifier.imei", Form::Plain)));
        let upper = hexs(&sha2::Sha256::digest(b"AC37434D9B1E")).to_uppercase();
        assert_eq!(m.find(&upper)[0].form, Form::Sha256);
    }

    #[test]
    fn values_inside_longer_numbers_do_not_match() {
        let m = ProfileMatcher::new(&profile()).unwrap();
        assert!(m.find("98612345678901234").is_empty());
    }
}
