//! Loading the reviewed knowledge files: the personal-data ontology
//! (`signatures/datatypes.toml`) and, later, SDK signatures. The defaults are compiled
//! into the binary; `--signatures DIR` replaces them with a folder of the same layout.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// The built-in data-type ontology file.
pub const DEFAULT_DATATYPES: &str = include_str!("../signatures/datatypes.toml");

#[derive(Debug, thiserror::Error)]
pub enum SignatureError {
    #[error("{path}: cannot read: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
}

/// How sensitive a data type is under GB/T 35273-2020 App. B / PIPL art. 28.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Sensitivity {
    No,
    Context,
    Yes,
}

#[derive(Debug, Clone, Deserialize)]
pub struct DataType {
    pub id: String,
    #[serde(default)]
    pub parent: Option<String>,
    pub name_en: String,
    pub name_zh: String,
    #[serde(default)]
    pub phrases_en: Vec<String>,
    #[serde(default)]
    pub phrases_zh: Vec<String>,
    pub sensitive: Sensitivity,
    #[serde(default)]
    pub sensitivity_basis: Option<String>,
    #[serde(default)]
    pub non_resettable: bool,
    #[serde(default)]
    pub apple: Option<String>,
    #[serde(default)]
    pub google_play: Option<String>,
    #[serde(default)]
    pub detector: Option<String>,
    #[serde(default)]
    pub keys: Vec<String>,
    #[serde(default)]
    pub weak_keys: Vec<String>,
    #[serde(default)]
    pub notes: Option<String>,
}

#[derive(Debug, Deserialize)]
struct DataTypesFile {
    #[serde(rename = "type")]
    types: Vec<DataType>,
}

/// The personal-data tree.
#[derive(Debug, Clone)]
pub struct Ontology {
    pub types: Vec<DataType>,
    index: HashMap<String, usize>,
}

/// Key names compare case-insensitively with `_`, `-` and `.` removed.
pub fn normalize_key(key: &str) -> String {
    key.chars()
        .filter(|c| !matches!(c, '_' | '-' | '.' | ' '))
        .flat_map(char::to_lowercase)
        .collect()
}

impl Ontology {
    pub fn parse(text: &str, origin: &str) -> Result<Ontology, SignatureError> {
        let file: DataTypesFile = toml::from_str(text).map_err(|e| SignatureError::Invalid {
            path: origin.to_string(),
            message: e.to_string(),
        })?;
        let mut index = HashMap::new();
        for (i, t) in file.types.iter().enumerate() {
            if index.insert(t.id.clone(), i).is_some() {
                return Err(SignatureError::Invalid {
                    path: origin.to_string(),
                    message: format!("data type `{}` is defined twice", t.id),
                });
            }
        }
        for t in &file.types {
            if let Some(p) = &t.parent
                && !index.contains_key(p)
            {
                return Err(SignatureError::Invalid {
                    path: origin.to_string(),
                    message: format!("data type `{}` names an unknown parent `{p}`", t.id),
                });
            }
        }
        Ok(Ontology {
            types: file.types,
            index,
        })
    }

    /// The compiled-in ontology.
    pub fn builtin() -> Ontology {
        match Ontology::parse(DEFAULT_DATATYPES, "signatures/datatypes.toml") {
            Ok(o) => o,
            // The file is checked by the test suite; a broken build-in is a bug.
            Err(e) => panic!("built-in ontology is invalid: {e}"),
        }
    }

    /// The ontology from `dir/datatypes.toml`, or the built-in one when `dir` is None.
    pub fn load(dir: Option<&Path>) -> Result<Ontology, SignatureError> {
        match dir {
            None => Ok(Ontology::builtin()),
            Some(dir) => {
                let path = dir.join("datatypes.toml");
                let text =
                    std::fs::read_to_string(&path).map_err(|source| SignatureError::Read {
                        path: path.clone(),
                        source,
                    })?;
                Ontology::parse(&text, &path.display().to_string())
            }
        }
    }

    pub fn get(&self, id: &str) -> Option<&DataType> {
        self.index.get(id).map(|&i| &self.types[i])
    }

    /// Every data-type id, in file order.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.types.iter().map(|t| t.id.as_str())
    }

    pub fn contains(&self, id: &str) -> bool {
        self.index.contains_key(id)
    }

    /// `id` itself, then its parent, grandparent, … up to the root.
    pub fn ancestors<'a>(&'a self, id: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        let mut next = Some(id);
        std::iter::from_fn(move || {
            let current = next?;
            next = self.get(current).and_then(|t| t.parent.as_deref());
            Some(current)
        })
    }

    /// Is `id` equal to or below `ancestor`?
    pub fn is_within(&self, id: &str, ancestor: &str) -> bool {
        self.ancestors(id).any(|a| a == ancestor)
    }

    pub fn name_en<'a>(&'a self, id: &'a str) -> &'a str {
        self.get(id).map(|t| t.name_en.as_str()).unwrap_or(id)
    }

    pub fn name_zh<'a>(&'a self, id: &'a str) -> &'a str {
        self.get(id).map(|t| t.name_zh.as_str()).unwrap_or(id)
    }

    pub fn sensitivity(&self, id: &str) -> Sensitivity {
        self.get(id).map(|t| t.sensitive).unwrap_or(Sensitivity::No)
    }
}
