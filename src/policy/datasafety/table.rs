//! The Play Data safety data types and their ontology ids, read from
//! `signatures/play-data-safety.toml` (compiled in; `--signatures DIR` may replace it).

use std::collections::HashMap;
use std::path::Path;

use serde::Deserialize;

use crate::signatures::{Ontology, SignatureError};

/// The built-in mapping file.
pub const DEFAULT_PLAY_TABLE: &str = include_str!("../../../signatures/play-data-safety.toml");

/// File name of the mapping inside a `--signatures` folder.
pub const PLAY_TABLE_FILE: &str = "play-data-safety.toml";

/// One Data safety data type (a response id of a `PSL_DATA_TYPES_*` question).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlayType {
    /// `PSL_PHONE`.
    pub id: String,
    /// `PSL_DATA_TYPES_PERSONAL`.
    pub question: String,
    /// `Personal info > Phone number`, as the form labels it.
    pub category: String,
    pub name_zh: String,
    /// The most general ontology ids this type stands for; empty when none does.
    pub data: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawType {
    id: String,
    question: String,
    category: String,
    name_zh: String,
    #[serde(default)]
    data: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    broad: Vec<String>,
    #[serde(rename = "type")]
    types: Vec<RawType>,
}

/// All Play data types, indexed by response id.
#[derive(Debug, Clone)]
pub struct PlayTable {
    pub types: Vec<PlayType>,
    /// Ontology ids a policy uses for a whole Play category (see the data file).
    pub broad: Vec<String>,
    index: HashMap<String, usize>,
}

impl PlayTable {
    /// Reads the mapping and resolves it against `ontology`: derived `data` lists are
    /// computed, and explicit ones must name existing ontology ids.
    pub fn parse(text: &str, origin: &str, ontology: &Ontology) -> Result<Self, SignatureError> {
        let invalid = |message: String| SignatureError::Invalid {
            path: origin.to_string(),
            message,
        };
        let raw: RawFile = toml::from_str(text).map_err(|e| invalid(e.to_string()))?;
        let mut types = Vec::with_capacity(raw.types.len());
        let mut index = HashMap::new();
        for t in raw.types {
            if index.insert(t.id.clone(), types.len()).is_some() {
                return Err(invalid(format!(
                    "Play data type `{}` is listed twice",
                    t.id
                )));
            }
            let data = match t.data {
                Some(list) => {
                    if let Some(bad) = list.iter().find(|d| !ontology.contains(d)) {
                        return Err(invalid(format!(
                            "Play data type `{}` names an unknown ontology id `{bad}`",
                            t.id
                        )));
                    }
                    list
                }
                None => most_general_with_category(ontology, &t.category),
            };
            types.push(PlayType {
                id: t.id,
                question: t.question,
                category: t.category,
                name_zh: t.name_zh,
                data,
            });
        }
        if let Some(bad) = raw.broad.iter().find(|d| !ontology.contains(d)) {
            return Err(invalid(format!(
                "`broad` names an unknown ontology id `{bad}`"
            )));
        }
        Ok(PlayTable {
            types,
            broad: raw.broad,
            index,
        })
    }

    /// The compiled-in table resolved against `ontology`.
    pub fn builtin(ontology: &Ontology) -> Result<Self, SignatureError> {
        Self::parse(
            DEFAULT_PLAY_TABLE,
            "signatures/play-data-safety.toml",
            ontology,
        )
    }

    /// `dir/play-data-safety.toml` when it exists, else the built-in table: a
    /// signatures folder written before this file existed stays usable.
    pub fn load(dir: Option<&Path>, ontology: &Ontology) -> Result<Self, SignatureError> {
        let Some(dir) = dir else {
            return Self::builtin(ontology);
        };
        let path = dir.join(PLAY_TABLE_FILE);
        match std::fs::read_to_string(&path) {
            Ok(text) => Self::parse(&text, &path.display().to_string(), ontology),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Self::builtin(ontology),
            Err(source) => Err(SignatureError::Read { path, source }),
        }
    }

    pub fn get(&self, id: &str) -> Option<&PlayType> {
        self.index.get(id).map(|&i| &self.types[i])
    }

    /// The Play types that cover ontology id `data_type`: those mapped to it or to one
    /// of its ancestors, or, for a `broad` term, those mapped anywhere below it.
    /// Empty when the data type is not something the Data safety form asks about
    /// (device model, IP address) or the term is too general to tell (`device`).
    pub fn covering(&self, ontology: &Ontology, data_type: &str) -> Vec<&PlayType> {
        let is_broad = self.broad.iter().any(|b| b == data_type);
        self.types
            .iter()
            .filter(|t| {
                t.data.iter().any(|m| {
                    ontology.is_within(data_type, m)
                        || (is_broad && ontology.is_within(m, data_type))
                })
            })
            .collect()
    }
}

/// Ontology nodes labelled `category`, without those whose parent carries the same
/// label (the parent already implies them).
fn most_general_with_category(ontology: &Ontology, category: &str) -> Vec<String> {
    ontology
        .types
        .iter()
        .filter(|t| t.google_play.as_deref() == Some(category))
        .filter(|t| {
            let parent_same = t
                .parent
                .as_deref()
                .and_then(|p| ontology.get(p))
                .is_some_and(|p| p.google_play.as_deref() == Some(category));
            !parent_same
        })
        .map(|t| t.id.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> (Ontology, PlayTable) {
        let o = Ontology::builtin();
        let t = PlayTable::builtin(&o).expect("built-in table");
        (o, t)
    }

    #[test]
    fn every_ontology_category_has_a_play_type() {
        // A category spelt differently in the two files would silently never match.
        let (o, t) = table();
        for dt in &o.types {
            if let Some(cat) = &dt.google_play {
                assert!(
                    t.types.iter().any(|p| &p.category == cat),
                    "{}: category `{cat}` has no [[type]] in play-data-safety.toml",
                    dt.id
                );
            }
        }
    }

    #[test]
    fn derived_lists_keep_the_most_general_nodes() {
        let (_, t) = table();
        let ids = |id: &str| t.get(id).map(|p| p.data.clone()).unwrap_or_default();
        assert_eq!(ids("PSL_DEVICE_ID")[0], "device.identifier");
        assert!(!ids("PSL_DEVICE_ID").contains(&"device.identifier.imei".to_string()));
        assert!(ids("PSL_DEVICE_ID").contains(&"device.sim.imsi".to_string()));
        assert!(ids("PSL_OTHER_PERSONAL").contains(&"identity.id_number".to_string()));
        assert!(!ids("PSL_OTHER_PERSONAL").contains(&"identity.id_number.passport".to_string()));
        assert!(ids("PSL_OTHER_PERSONAL").contains(&"professional".to_string()));
        assert_eq!(ids("PSL_PHONE"), vec!["contact.phone_number"]);
        assert_eq!(ids("PSL_VIDEOS"), vec!["media.photo_video"]);
        assert!(ids("PSL_MUSIC").is_empty());
    }

    #[test]
    fn covering_follows_the_tree() {
        let (o, t) = table();
        let ids =
            |d: &str| -> Vec<String> { t.covering(&o, d).iter().map(|p| p.id.clone()).collect() };
        assert_eq!(ids("device.identifier.oaid"), vec!["PSL_DEVICE_ID"]);
        assert_eq!(
            ids("identity.id_number.cn_resident"),
            vec!["PSL_OTHER_PERSONAL"]
        );
        assert_eq!(
            ids("location"),
            vec!["PSL_APPROX_LOCATION", "PSL_PRECISE_LOCATION"]
        );
        // Not Play data types, or too general to say.
        assert!(ids("device.hardware.model").is_empty());
        assert!(ids("network.ip_address").is_empty());
        assert!(ids("device").is_empty());
    }

    #[test]
    fn bad_tables_are_rejected_with_the_reason() {
        let o = Ontology::builtin();
        let dup = "[[type]]\nid='A'\nquestion='Q'\ncategory='C'\nname_zh='z'\n[[type]]\nid='A'\nquestion='Q'\ncategory='C'\nname_zh='z'\n";
        let e = PlayTable::parse(dup, "x.toml", &o).expect_err("duplicate");
        assert!(e.to_string().contains("listed twice"), "{e}");
        let unknown =
            "[[type]]\nid='A'\nquestion='Q'\ncategory='C'\nname_zh='z'\ndata=['no.such']\n";
        let e = PlayTable::parse(unknown, "x.toml", &o).expect_err("unknown id");
        assert!(e.to_string().contains("no.such"), "{e}");
    }
}
