//! The policy declaration: what a privacy policy says the app collects, shares and
//! promises, as a reviewable TOML file (`policies/*.toml`, format in
//! docs/declaration.md). Drafted from policy text by `policy extract`, confirmed by a
//! reviewer, read by `audit`.

use std::path::Path;

use serde::{Deserialize, Serialize};

#[derive(Debug, thiserror::Error)]
pub enum DeclarationError {
    #[error("{path}: cannot read the policy declaration: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: not a valid policy declaration: {message}")]
    Invalid { path: String, message: String },
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct AppInfo {
    #[serde(default)]
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_zh: Option<String>,
    /// Android package / iOS bundle id, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub package: Option<String>,
    /// Domains that count as the app itself (suffix match).
    #[serde(default)]
    pub first_party: Vec<String>,
    /// Where the policy text came from and its date, for the report.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy_source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy_date: Option<String>,
}

/// "We collect …": first-party collection of data types.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Collect {
    /// Clause number in the policy (`1.3`), for the reviewer and the report.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clause: Option<String>,
    /// Ontology ids; a parent id (`device.identifier`) covers its children vaguely.
    pub data: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purpose: Option<String>,
    /// The sentence the entry rests on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quote: Option<String>,
}

/// "We share … with …": a third party and what it receives.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Share {
    /// `sdk:<id>`, `third-party:<domain>`, or `third-party` / `sdk` for parties the
    /// policy only describes generically ("third-party SDKs").
    pub party: String,
    /// The name the policy uses for the party.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The legal entity the policy gives for it ("浙江每日互动网络科技股份有限公司").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity: Option<String>,
    /// The link the policy gives for it (its privacy policy or web site).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    /// The registrable domain of `link`: where traffic to an unknown SDK may go.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    /// Data types the party receives; empty means the policy does not say.
    #[serde(default)]
    pub data: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clause: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purpose: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quote: Option<String>,
}

/// "We do not collect / share …": a negative statement.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Deny {
    pub data: Vec<String>,
    /// `collect` (the app itself) or `share` (third parties); both when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// Limits the denial to one party (`sdk:umeng`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub party: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clause: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quote: Option<String>,
}

/// A promise with the clause behind it. Written either as a bare value
/// (`encrypted_in_transit = true`) or as a table with `value`, `clause`, `quote`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum Promise<T> {
    Bare(T),
    Cited {
        value: T,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        clause: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        quote: Option<String>,
    },
}

impl<T> Promise<T> {
    pub fn value(&self) -> &T {
        match self {
            Promise::Bare(v) => v,
            Promise::Cited { value, .. } => value,
        }
    }

    pub fn clause(&self) -> Option<&str> {
        match self {
            Promise::Bare(_) => None,
            Promise::Cited { clause, .. } => clause.as_deref(),
        }
    }

    pub fn quote(&self) -> Option<&str> {
        match self {
            Promise::Bare(_) => None,
            Promise::Cited { quote, .. } => quote.as_deref(),
        }
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Promises {
    /// Personal information is encrypted in transit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encrypted_in_transit: Option<Promise<bool>>,
    /// ISO 3166 alpha-2 region where data is stored (`CN` for mainland China).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage_region: Option<Promise<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention_days: Option<Promise<u32>>,
    /// Nothing is collected before the user agrees to the policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consent_before_collection: Option<Promise<bool>>,
    /// Personal information is shared with third parties only with consent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub share_only_with_consent: Option<Promise<bool>>,
}

/// A whole declaration.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Declaration {
    #[serde(default)]
    pub app: AppInfo,
    #[serde(default)]
    pub collect: Vec<Collect>,
    #[serde(default)]
    pub share: Vec<Share>,
    #[serde(default)]
    pub deny: Vec<Deny>,
    #[serde(default)]
    pub promises: Promises,
}

impl Declaration {
    pub fn parse(text: &str, origin: &str) -> Result<Declaration, DeclarationError> {
        toml::from_str(text).map_err(|e| DeclarationError::Invalid {
            path: origin.to_string(),
            message: e.to_string(),
        })
    }

    pub fn load(path: &Path) -> Result<Declaration, DeclarationError> {
        let text = std::fs::read_to_string(path).map_err(|source| DeclarationError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Declaration::parse(&text, &path.display().to_string())
    }

    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self).unwrap_or_default()
    }
}
