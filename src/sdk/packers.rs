//! Packers and protectors (`signatures/packers.toml`): the loaders that encrypt an
//! app's DEX code and decrypt it at run time (Tencent Legu, 360 Jiagu, Bangcle…).
//! A packed app's DEX files hold only the loader, so an SDK list read from them is
//! not the app's; finding the packer is what lets `sdks` say so.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::signatures::glob_match;
use crate::signatures::SignatureError;

const PACKERS: &str = include_str!("../../signatures/packers.toml");

/// One packer's traces.
#[derive(Debug, Clone, Deserialize)]
pub struct Packer {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub name_zh: Option<String>,
    pub vendor: String,
    /// Loader classes (a class name or a package, matched on a `.` boundary).
    #[serde(default)]
    pub classes: Vec<String>,
    /// Native library file names; `*` is a wildcard.
    #[serde(default)]
    pub native_libs: Vec<String>,
    /// Archive entry paths (`assets/…`); `*` is a wildcard.
    #[serde(default)]
    pub files: Vec<String>,
    #[serde(default)]
    pub sources: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct PackerFile {
    #[serde(default)]
    packer: Vec<Packer>,
}

/// A packer found in a package, with what showed it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PackerFound {
    pub id: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name_zh: Option<String>,
    pub vendor: String,
    pub evidence: Vec<String>,
}

/// All packer signatures.
#[derive(Debug, Clone, Default)]
pub struct PackerDb {
    pub packers: Vec<Packer>,
}

impl PackerDb {
    pub fn parse(name: &str, text: &str) -> Result<PackerDb, SignatureError> {
        let file: PackerFile = toml::from_str(text).map_err(|e| SignatureError::Invalid {
            path: name.to_string(),
            message: e.to_string(),
        })?;
        for p in &file.packer {
            if p.classes.is_empty() && p.native_libs.is_empty() && p.files.is_empty() {
                return Err(SignatureError::Invalid {
                    path: name.to_string(),
                    message: format!("packer {} has no classes, native_libs or files", p.id),
                });
            }
        }
        Ok(PackerDb {
            packers: file.packer,
        })
    }

    pub fn builtin() -> PackerDb {
        match PackerDb::parse("signatures/packers.toml", PACKERS) {
            Ok(db) => db,
            // Checked by the test suite; a broken built-in file is a bug.
            Err(e) => panic!("built-in signatures/packers.toml is invalid: {e}"),
        }
    }

    /// `dir/packers.toml` when it exists, else the built-in list.
    pub fn load(dir: Option<&Path>) -> Result<PackerDb, SignatureError> {
        let Some(path) = dir.map(|d| d.join("packers.toml")).filter(|p| p.is_file()) else {
            return Ok(PackerDb::builtin());
        };
        let text = std::fs::read_to_string(&path).map_err(|source| SignatureError::Read {
            path: path.clone(),
            source,
        })?;
        PackerDb::parse(&path.display().to_string(), &text)
    }

    /// The packers whose traces are in a package: `classes` sorted, native
    /// library file names, and every entry path of the archive.
    pub fn find(
        &self,
        sorted_classes: &[&str],
        lib_names: &[String],
        entries: &[String],
    ) -> Vec<PackerFound> {
        let mut out = Vec::new();
        for p in &self.packers {
            let mut evidence = Vec::new();
            for class in &p.classes {
                let start = sorted_classes.partition_point(|c| *c < class.as_str());
                if let Some(hit) = sorted_classes[start..]
                    .iter()
                    .take_while(|c| c.starts_with(class.as_str()))
                    .find(|c| {
                        let rest = &c[class.len()..];
                        rest.is_empty() || rest.starts_with('.') || rest.starts_with('$')
                    })
                {
                    evidence.push(format!("class {hit}"));
                }
            }
            for lib in &p.native_libs {
                if let Some(hit) = lib_names.iter().find(|l| glob_match(lib, l)) {
                    evidence.push(format!("native library {hit}"));
                }
            }
            for file in &p.files {
                if let Some(hit) = entries.iter().find(|e| glob_match(file, e)) {
                    evidence.push(format!("file {hit}"));
                }
            }
            if !evidence.is_empty() {
                out.push(PackerFound {
                    id: p.id.clone(),
                    name: p.name.clone(),
                    name_zh: p.name_zh.clone(),
                    vendor: p.vendor.clone(),
                    evidence,
                });
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_packers_load() {
        let db = PackerDb::builtin();
        assert!(db.packers.len() >= 6);
        let classes = ["com.stub.StubApp", "com.x.Main"];
        let found = db.find(&classes, &["libjiagu_a64.so".into()], &[]);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].id, "qihoo_jiagu");
        assert_eq!(found[0].evidence.len(), 2);
        assert!(db.find(&["com.stubx.A"], &[], &[]).is_empty());
    }
}
