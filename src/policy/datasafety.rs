//! Google Play Data safety answers, read from the Play Console CSV export
//! (`--data-safety FILE`: App content → Data safety → Export to CSV), and compared with
//! the policy declaration and with observed traffic (see `compare`).
//!
//! The export has one row per possible answer, with columns found by header name:
//! `Question ID (machine readable)`, `Response ID (machine readable)`, `Response value`
//! (`TRUE`, `FALSE`, empty, or text for URLs), `Answer requirement` and
//! `Human-friendly question label` (Play Console Help answer 10787469, "Understand the
//! CSV format"). A data type is declared by `PSL_DATA_TYPES_<CATEGORY>,PSL_<TYPE>,TRUE`;
//! its handling by rows whose question is `PSL_DATA_USAGE_RESPONSES:PSL_<TYPE>:<SUB>`.
//! Unknown ids are warnings, not errors: Google adds questions over time.

pub mod compare;
pub mod table;

use std::collections::{HashMap, HashSet};
use std::path::Path;

use serde::Serialize;

use crate::signatures::{Ontology, SignatureError};

pub use compare::{
    Contradiction, ContradictionKind, ObservedFlow, contradictions, observed_contradictions,
};
pub use table::{PlayTable, PlayType};

/// More warnings than this are counted, not listed: a wrong file would otherwise
/// produce one per row.
const MAX_WARNINGS: usize = 100;

#[derive(Debug, thiserror::Error)]
pub enum DataSafetyError {
    #[error("{path}: cannot read the Data safety export: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: the Data safety export is empty")]
    Empty { path: String },
    #[error(
        "{path}: not a Play Data safety CSV export: the header has no `{column}` column (it has: {found})"
    )]
    MissingColumn {
        path: String,
        column: &'static str,
        found: String,
    },
    #[error("{path}: line {line}: not valid CSV: {message}")]
    Csv {
        path: String,
        line: u64,
        message: String,
    },
    #[error("{path}: {source}")]
    Signatures {
        path: String,
        source: SignatureError,
    },
}

/// The answer to "Do you provide a way for users to request that their data is
/// deleted?".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Deletion {
    Yes,
    No,
    /// "No, but user data is automatically deleted within 90 days".
    AutoDeleted,
}

/// One data type as the form declares it collected, or shared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    /// `PSL_PHONE`.
    pub play_id: String,
    /// `Personal info > Phone number`.
    pub category: String,
    /// Ontology ids the Play type stands for (empty when none does).
    pub data_types: Vec<String>,
    /// Purpose ids (`PSL_ANALYTICS`): collection purposes in `collected`, sharing
    /// purposes in `shared`.
    pub purposes: Vec<String>,
    /// "Is this data processed ephemerally?" (collected entries only).
    pub ephemeral: Option<bool>,
    /// True when users can choose whether it is collected, false when required.
    pub optional: Option<bool>,
    /// Line of the data-type row in the CSV, for the report's evidence.
    pub line: u64,
}

/// The parsed form.
#[derive(Debug, Clone, Serialize)]
pub struct DataSafety {
    pub origin: String,
    /// "Does your app collect or share any of the required user data types?"
    pub collects_any: Option<bool>,
    /// "Is all of the user data collected by your app encrypted in transit?"
    pub encrypted_in_transit: Option<bool>,
    pub deletion: Option<Deletion>,
    pub deletion_url: Option<String>,
    pub account_deletion_url: Option<String>,
    pub collected: Vec<Entry>,
    pub shared: Vec<Entry>,
    pub warnings: Vec<String>,
    /// The mapping the entries were resolved with; the comparisons reuse it.
    #[serde(skip)]
    pub table: PlayTable,
}

impl DataSafety {
    pub fn is_collected(&self, play_id: &str) -> bool {
        self.collected.iter().any(|e| e.play_id == play_id)
    }

    pub fn is_shared(&self, play_id: &str) -> bool {
        self.shared.iter().any(|e| e.play_id == play_id)
    }

    /// Declared at all, collected or shared.
    pub fn lists(&self, play_id: &str) -> bool {
        self.is_collected(play_id) || self.is_shared(play_id)
    }
}

/// The seven purposes the form offers, with their labels in English and Chinese.
pub const PURPOSES: &[(&str, &str, &str)] = &[
    ("PSL_APP_FUNCTIONALITY", "App functionality", "应用功能"),
    ("PSL_ANALYTICS", "Analytics", "分析"),
    (
        "PSL_DEVELOPER_COMMUNICATIONS",
        "Developer communications",
        "开发者通信",
    ),
    ("PSL_ADVERTISING", "Advertising or marketing", "广告或营销"),
    (
        "PSL_FRAUD_PREVENTION_SECURITY",
        "Fraud prevention, security, and compliance",
        "防范欺诈、安全和合规",
    ),
    ("PSL_PERSONALIZATION", "Personalization", "个性化"),
    ("PSL_ACCOUNT_MANAGEMENT", "Account management", "账号管理"),
];

/// English and Chinese label of a purpose id.
pub fn purpose_name(id: &str) -> Option<(&'static str, &'static str)> {
    PURPOSES
        .iter()
        .find(|(p, _, _)| *p == id)
        .map(|(_, en, zh)| (*en, *zh))
}

/// Top-level questions this module does not need; listed so that they are not
/// reported as unknown.
const IGNORED_QUESTIONS: &[&str] = &[
    "PSL_SUPPORTED_ACCOUNT_CREATION_METHODS",
    "PSL_ACM_SPECIFY",
    "PSL_DATA_COLLECTION_COMPLIES_FAMILY_POLICY",
    "PSL_INDEPENDENTLY_VALIDATED",
    "PSL_UPI_BADGE_OPT_IN",
    "PSL_HAS_OUTSIDE_APP_ACCOUNTS",
    "PSL_OUTSIDE_APP_ACCOUNT_TYPES",
    "PSL_OUTSIDE_APP_ACCOUNT_TYPE_SPECIFY",
];

/// Reads and parses an export from disk with the built-in mapping.
pub fn load(path: &Path) -> Result<DataSafety, DataSafetyError> {
    let origin = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| DataSafetyError::Read {
        path: origin.clone(),
        source,
    })?;
    parse(&bytes, &origin)
}

/// Parses an export with the built-in ontology and mapping.
pub fn parse(bytes: &[u8], origin: &str) -> Result<DataSafety, DataSafetyError> {
    let ontology = Ontology::builtin();
    let table = PlayTable::builtin(&ontology).map_err(|source| DataSafetyError::Signatures {
        path: origin.to_string(),
        source,
    })?;
    parse_with(bytes, origin, &table)
}

/// Parses an export, resolving data types with `table` (for `--signatures DIR`).
pub fn parse_with(
    bytes: &[u8],
    origin: &str,
    table: &PlayTable,
) -> Result<DataSafety, DataSafetyError> {
    let text = to_utf8(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        // Spreadsheet tools drop trailing empty cells, so rows may be short.
        .flexible(true)
        .from_reader(text.as_ref());
    let csv_error = |e: csv::Error| DataSafetyError::Csv {
        path: origin.to_string(),
        line: e.position().map(|p| p.line()).unwrap_or(0),
        message: e.to_string(),
    };
    let mut records = reader.byte_records();
    let first = match records.next() {
        Some(r) => r.map_err(csv_error)?,
        None => {
            return Err(DataSafetyError::Empty {
                path: origin.to_string(),
            });
        }
    };
    let mut state = State::new(origin, table);
    let columns = match Columns::from_header(&first) {
        Ok(c) => c,
        Err(column) => {
            // A header-less file (rows start with question ids) is still readable in
            // the documented column order; anything else is the wrong file.
            if field(&first, 0).starts_with("PSL_") {
                state.warn(
                    "no header row: reading columns in the documented order (question id, response id, response value)"
                        .to_string(),
                );
                let c = Columns::default();
                state.row(&c, &first, 1);
                c
            } else {
                return Err(DataSafetyError::MissingColumn {
                    path: origin.to_string(),
                    column,
                    found: first
                        .iter()
                        .map(|f| format!("`{}`", String::from_utf8_lossy(f).trim()))
                        .collect::<Vec<_>>()
                        .join(", "),
                });
            }
        }
    };
    for record in records {
        let record = record.map_err(csv_error)?;
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        state.row(&columns, &record, line);
    }
    Ok(state.finish())
}

/// The export is UTF-8, possibly with a BOM; a spreadsheet may have re-saved it as
/// UTF-16. Labels in other encodings do not matter: only the ASCII ids are read.
fn to_utf8(bytes: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    if let Some((encoding, bom_len)) = encoding_rs::Encoding::for_bom(bytes) {
        if encoding == encoding_rs::UTF_8 {
            return std::borrow::Cow::Borrowed(&bytes[bom_len..]);
        }
        let (text, _) = encoding.decode_without_bom_handling(&bytes[bom_len..]);
        return std::borrow::Cow::Owned(text.into_owned().into_bytes());
    }
    std::borrow::Cow::Borrowed(bytes)
}

fn field(record: &csv::ByteRecord, index: usize) -> String {
    record
        .get(index)
        .map(|f| String::from_utf8_lossy(f).trim().to_string())
        .unwrap_or_default()
}

/// Positions of the columns this module reads.
struct Columns {
    question: usize,
    response: usize,
    value: usize,
}

impl Default for Columns {
    fn default() -> Self {
        Columns {
            question: 0,
            response: 1,
            value: 2,
        }
    }
}

impl Columns {
    /// Finds the columns by name, in any order; the error names the missing one.
    fn from_header(header: &csv::ByteRecord) -> Result<Columns, &'static str> {
        let names: Vec<String> = header
            .iter()
            .map(|f| String::from_utf8_lossy(f).trim().to_ascii_lowercase())
            .collect();
        let find = |prefix: &str| names.iter().position(|n| n.starts_with(prefix));
        Ok(Columns {
            question: find("question id").ok_or("Question ID (machine readable)")?,
            response: find("response id").ok_or("Response ID (machine readable)")?,
            value: find("response value").ok_or("Response value")?,
        })
    }
}

/// Answers about one data type's handling, gathered from its usage rows.
#[derive(Default)]
struct Usage {
    collected: bool,
    shared: bool,
    ephemeral: Option<bool>,
    optional: Option<bool>,
    collection_purposes: Vec<String>,
    sharing_purposes: Vec<String>,
}

struct State<'a> {
    origin: &'a str,
    table: &'a PlayTable,
    collects_any: Option<bool>,
    encrypted_in_transit: Option<bool>,
    deletion: Option<Deletion>,
    deletion_url: Option<String>,
    account_deletion_url: Option<String>,
    /// Selected data types in file order, with their line.
    selected: Vec<(String, u64)>,
    usage: HashMap<String, Usage>,
    warned_unknown: HashSet<String>,
    warnings: Vec<String>,
    dropped_warnings: usize,
}

/// `TRUE` / `FALSE` in any case; empty is "not answered".
fn parse_bool(value: &str) -> Result<Option<bool>, ()> {
    if value.is_empty() {
        Ok(None)
    } else if value.eq_ignore_ascii_case("true") {
        Ok(Some(true))
    } else if value.eq_ignore_ascii_case("false") {
        Ok(Some(false))
    } else {
        Err(())
    }
}

impl<'a> State<'a> {
    fn new(origin: &'a str, table: &'a PlayTable) -> Self {
        State {
            origin,
            table,
            collects_any: None,
            encrypted_in_transit: None,
            deletion: None,
            deletion_url: None,
            account_deletion_url: None,
            selected: Vec::new(),
            usage: HashMap::new(),
            warned_unknown: HashSet::new(),
            warnings: Vec::new(),
            dropped_warnings: 0,
        }
    }

    fn warn(&mut self, message: String) {
        if self.warnings.len() < MAX_WARNINGS {
            self.warnings.push(message);
        } else {
            self.dropped_warnings += 1;
        }
    }

    /// Warns once per unknown id, not once per row that mentions it.
    fn warn_unknown(&mut self, what: &str, id: &str, line: u64) {
        if self.warned_unknown.insert(format!("{what}:{id}")) {
            self.warn(format!("line {line}: unknown {what} `{id}` ignored"));
        }
    }

    fn boolean(&mut self, value: &str, line: u64, question: &str) -> Option<bool> {
        parse_bool(value).unwrap_or_else(|()| {
            self.warn(format!(
                "line {line}: `{question}`: expected TRUE or FALSE, found `{value}`"
            ));
            None
        })
    }

    fn row(&mut self, columns: &Columns, record: &csv::ByteRecord, line: u64) {
        let question = field(record, columns.question);
        let response = field(record, columns.response);
        let value = field(record, columns.value);
        if question.is_empty() {
            return;
        }
        if let Some(rest) = question.strip_prefix("PSL_DATA_USAGE_RESPONSES:") {
            self.usage_row(rest, &response, &value, line);
            return;
        }
        if question.starts_with("PSL_DATA_TYPES_") {
            self.type_row(&question, &response, &value, line);
            return;
        }
        match question.as_str() {
            "PSL_DATA_COLLECTION_COLLECTS_PERSONAL_DATA" => {
                if let Some(v) = self.boolean(&value, line, &question) {
                    self.collects_any = Some(v);
                }
            }
            "PSL_DATA_COLLECTION_ENCRYPTED_IN_TRANSIT" => {
                if let Some(v) = self.boolean(&value, line, &question) {
                    self.encrypted_in_transit = Some(v);
                }
            }
            // The earlier form asked a yes/no question; the current one offers choices.
            "PSL_DATA_COLLECTION_USER_REQUEST_DELETE" => {
                if let Some(v) = self.boolean(&value, line, &question) {
                    self.deletion = Some(if v { Deletion::Yes } else { Deletion::No });
                }
            }
            "PSL_SUPPORT_DATA_DELETION_BY_USER" => {
                if self.boolean(&value, line, &question) == Some(true) {
                    match response.as_str() {
                        "DATA_DELETION_YES" => self.deletion = Some(Deletion::Yes),
                        "DATA_DELETION_NO" => self.deletion = Some(Deletion::No),
                        "DATA_DELETION_NO_AUTO_DELETED" => {
                            self.deletion = Some(Deletion::AutoDeleted)
                        }
                        other => self.warn_unknown("deletion answer", other, line),
                    }
                }
            }
            "PSL_DATA_DELETION_URL" => {
                if !value.is_empty() {
                    self.deletion_url = Some(value);
                }
            }
            "PSL_ACCOUNT_DELETION_URL" => {
                if !value.is_empty() {
                    self.account_deletion_url = Some(value);
                }
            }
            q if IGNORED_QUESTIONS.contains(&q) => {}
            q => self.warn_unknown("question", q, line),
        }
    }

    fn type_row(&mut self, question: &str, response: &str, value: &str, line: u64) {
        if self.boolean(value, line, question) != Some(true) {
            return;
        }
        let Some(t) = self.table.get(response) else {
            self.warn_unknown("data type", response, line);
            return;
        };
        if t.question != question {
            let expected = t.question.clone();
            self.warn(format!(
                "line {line}: data type `{response}` is under `{question}`, expected `{expected}`; read it anyway"
            ));
        }
        if !self.selected.iter().any(|(id, _)| id == response) {
            self.selected.push((response.to_string(), line));
        }
    }

    fn usage_row(&mut self, rest: &str, response: &str, value: &str, line: u64) {
        let Some((play_id, sub)) = rest.split_once(':') else {
            self.warn(format!(
                "line {line}: malformed usage question `PSL_DATA_USAGE_RESPONSES:{rest}`"
            ));
            return;
        };
        let question = format!("PSL_DATA_USAGE_RESPONSES:{rest}");
        let answer = self.boolean(value, line, &question);
        if self.table.get(play_id).is_none() {
            // The data-type row already warned when it was selected; unselected
            // template rows for a newer type are not worth a warning.
            return;
        }
        match sub {
            "PSL_DATA_USAGE_COLLECTION_AND_SHARING" => {
                if answer != Some(true) {
                    return;
                }
                let u = self.usage.entry(play_id.to_string()).or_default();
                // The ids read "only collected" / "only shared", but they are the two
                // checkboxes "Collected" and "Shared"; both may be ticked.
                match response {
                    "PSL_DATA_USAGE_ONLY_COLLECTED" => u.collected = true,
                    "PSL_DATA_USAGE_ONLY_SHARED" => u.shared = true,
                    other => self.warn_unknown("collection/sharing answer", other, line),
                }
            }
            "PSL_DATA_USAGE_EPHEMERAL" => {
                if answer.is_some() {
                    self.usage.entry(play_id.to_string()).or_default().ephemeral = answer;
                }
            }
            "DATA_USAGE_USER_CONTROL" => {
                if answer != Some(true) {
                    return;
                }
                let u = self.usage.entry(play_id.to_string()).or_default();
                match response {
                    "PSL_DATA_USAGE_USER_CONTROL_OPTIONAL" => u.optional = Some(true),
                    "PSL_DATA_USAGE_USER_CONTROL_REQUIRED" => u.optional = Some(false),
                    other => self.warn_unknown("user-control answer", other, line),
                }
            }
            "DATA_USAGE_COLLECTION_PURPOSE" | "DATA_USAGE_SHARING_PURPOSE" => {
                if answer != Some(true) {
                    return;
                }
                if purpose_name(response).is_none() {
                    self.warn_unknown("purpose", response, line);
                }
                let u = self.usage.entry(play_id.to_string()).or_default();
                let list = if sub == "DATA_USAGE_COLLECTION_PURPOSE" {
                    &mut u.collection_purposes
                } else {
                    &mut u.sharing_purposes
                };
                if !list.iter().any(|p| p == response) {
                    list.push(response.to_string());
                }
            }
            other => self.warn_unknown("usage question", other, line),
        }
    }

    fn finish(mut self) -> DataSafety {
        let mut collected = Vec::new();
        let mut shared = Vec::new();
        let selected = std::mem::take(&mut self.selected);
        // A copy of the reference, so that entries can borrow from it while warnings
        // are added.
        let table = self.table;
        for (play_id, line) in &selected {
            let Some(t) = table.get(play_id) else {
                continue;
            };
            let u = self.usage.remove(play_id).unwrap_or_default();
            let (mut is_collected, is_shared) = (u.collected, u.shared);
            if !is_collected && !is_shared {
                // Selecting a type without the usage answers still says the app
                // handles it; reading it as collected keeps the comparison honest.
                self.warn(format!(
                    "line {line}: `{play_id}` is selected but neither \"Collected\" nor \"Shared\" is answered; read as collected"
                ));
                is_collected = true;
            }
            let entry = |purposes: Vec<String>, ephemeral| Entry {
                play_id: play_id.clone(),
                category: t.category.clone(),
                data_types: t.data.clone(),
                purposes,
                ephemeral,
                optional: u.optional,
                line: *line,
            };
            if is_collected {
                collected.push(entry(u.collection_purposes.clone(), u.ephemeral));
            }
            if is_shared {
                shared.push(entry(u.sharing_purposes.clone(), None));
            }
        }
        // Usage answers left over belong to types that are not selected.
        let mut orphans: Vec<String> = self
            .usage
            .iter()
            .filter(|(_, u)| u.collected || u.shared)
            .map(|(id, _)| id.clone())
            .collect();
        orphans.sort();
        for id in orphans {
            self.warn(format!(
                "`{id}` has usage answers but is not selected as a data type; ignored"
            ));
        }
        if self.collects_any == Some(false) && !selected.is_empty() {
            self.warn(
                "the form answers that no user data is collected or shared, yet selects data types"
                    .to_string(),
            );
        }
        if self.dropped_warnings > 0 {
            let n = self.dropped_warnings;
            self.warnings.push(format!("… and {n} more warnings"));
        }
        DataSafety {
            origin: self.origin.to_string(),
            collects_any: self.collects_any,
            encrypted_in_transit: self.encrypted_in_transit,
            deletion: self.deletion,
            deletion_url: self.deletion_url,
            account_deletion_url: self.account_deletion_url,
            collected,
            shared,
            warnings: self.warnings,
            table: self.table.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "Question ID (machine readable),Response ID (machine readable),Response value,Answer requirement,Human-friendly question label\n";

    fn ds(body: &str) -> DataSafety {
        parse(format!("{HEADER}{body}").as_bytes(), "test.csv").expect("parses")
    }

    #[test]
    fn collected_and_shared_with_purposes() {
        let d = ds(
            "PSL_DATA_COLLECTION_COLLECTS_PERSONAL_DATA,,TRUE,REQUIRED,x\n\
PSL_DATA_COLLECTION_ENCRYPTED_IN_TRANSIT,,FALSE,MAYBE_REQUIRED,x\n\
PSL_DATA_TYPES_PERSONAL,PSL_PHONE,TRUE,MULTIPLE_CHOICE,x\n\
PSL_DATA_TYPES_PERSONAL,PSL_NAME,,MULTIPLE_CHOICE,x\n\
PSL_DATA_USAGE_RESPONSES:PSL_PHONE:PSL_DATA_USAGE_COLLECTION_AND_SHARING,PSL_DATA_USAGE_ONLY_COLLECTED,TRUE,MULTIPLE_CHOICE,x\n\
PSL_DATA_USAGE_RESPONSES:PSL_PHONE:PSL_DATA_USAGE_COLLECTION_AND_SHARING,PSL_DATA_USAGE_ONLY_SHARED,true,MULTIPLE_CHOICE,x\n\
PSL_DATA_USAGE_RESPONSES:PSL_PHONE:PSL_DATA_USAGE_EPHEMERAL,,FALSE,MAYBE_REQUIRED,x\n\
PSL_DATA_USAGE_RESPONSES:PSL_PHONE:DATA_USAGE_USER_CONTROL,PSL_DATA_USAGE_USER_CONTROL_REQUIRED,TRUE,SINGLE_CHOICE,x\n\
PSL_DATA_USAGE_RESPONSES:PSL_PHONE:DATA_USAGE_COLLECTION_PURPOSE,PSL_ACCOUNT_MANAGEMENT,TRUE,MULTIPLE_CHOICE,x\n\
PSL_DATA_USAGE_RESPONSES:PSL_PHONE:DATA_USAGE_SHARING_PURPOSE,PSL_FRAUD_PREVENTION_SECURITY,TRUE,MULTIPLE_CHOICE,x\n",
        );
        assert_eq!(d.collects_any, Some(true));
        assert_eq!(d.encrypted_in_transit, Some(false));
        assert_eq!(d.collected.len(), 1);
        let c = &d.collected[0];
        assert_eq!(c.play_id, "PSL_PHONE");
        assert_eq!(c.data_types, vec!["contact.phone_number"]);
        assert_eq!(c.purposes, vec!["PSL_ACCOUNT_MANAGEMENT"]);
        assert_eq!(c.ephemeral, Some(false));
        assert_eq!(c.optional, Some(false));
        assert_eq!(c.line, 4);
        assert_eq!(d.shared[0].purposes, vec!["PSL_FRAUD_PREVENTION_SECURITY"]);
        assert!(!d.lists("PSL_NAME"));
        assert!(d.warnings.is_empty(), "{:?}", d.warnings);
    }

    #[test]
    fn bom_crlf_and_column_order() {
        let text = "\u{feff}Response value,Human-friendly question label,Question ID (machine readable),Response ID (machine readable)\r\n\
TRUE,\"Location / Precise, really\",PSL_DATA_TYPES_LOCATION,PSL_PRECISE_LOCATION\r\n\
TRUE,x,PSL_DATA_USAGE_RESPONSES:PSL_PRECISE_LOCATION:PSL_DATA_USAGE_COLLECTION_AND_SHARING,PSL_DATA_USAGE_ONLY_COLLECTED\r\n";
        let d = parse(text.as_bytes(), "t.csv").expect("parses");
        assert_eq!(d.collected.len(), 1);
        assert_eq!(
            d.collected[0].data_types,
            vec!["location.precise", "location.trajectory"]
        );
    }

    #[test]
    fn utf16_from_a_spreadsheet() {
        let text = format!(
            "{HEADER}PSL_DATA_TYPES_IDENTIFIERS,PSL_DEVICE_ID,TRUE,MULTIPLE_CHOICE,设备或其他 ID\n"
        );
        let mut bytes = vec![0xFF, 0xFE];
        for unit in text.encode_utf16() {
            bytes.extend_from_slice(&unit.to_le_bytes());
        }
        let d = parse(&bytes, "t.csv").expect("parses");
        assert!(d.is_collected("PSL_DEVICE_ID"));
    }

    #[test]
    fn unknown_ids_are_warnings() {
        let d = ds(
            "PSL_DATA_TYPES_PERSONAL,PSL_SHOE_SIZE,TRUE,MULTIPLE_CHOICE,x\n\
PSL_DATA_TYPES_PERSONAL,PSL_SHOE_SIZE,TRUE,MULTIPLE_CHOICE,x\n\
PSL_NEW_QUESTION,,TRUE,OPTIONAL,x\n\
PSL_DATA_COLLECTION_ENCRYPTED_IN_TRANSIT,,maybe,MAYBE_REQUIRED,x\n\
PSL_DATA_TYPES_PERSONAL,PSL_EMAIL,TRUE,MULTIPLE_CHOICE,x\n",
        );
        assert!(d.is_collected("PSL_EMAIL"));
        assert_eq!(d.encrypted_in_transit, None);
        let w = d.warnings.join("\n");
        assert_eq!(w.matches("PSL_SHOE_SIZE").count(), 1, "{w}");
        assert!(w.contains("PSL_NEW_QUESTION"), "{w}");
        assert!(w.contains("expected TRUE or FALSE"), "{w}");
        assert!(w.contains("neither \"Collected\" nor \"Shared\""), "{w}");
    }

    #[test]
    fn deletion_answers_old_and_new() {
        let d = ds(
            "PSL_SUPPORT_DATA_DELETION_BY_USER,DATA_DELETION_NO_AUTO_DELETED,TRUE,SINGLE_CHOICE,x\n\
PSL_DATA_DELETION_URL,,https://example.com/delete,MAYBE_REQUIRED,x\n",
        );
        assert_eq!(d.deletion, Some(Deletion::AutoDeleted));
        assert_eq!(
            d.deletion_url.as_deref(),
            Some("https://example.com/delete")
        );
        let d = ds("PSL_DATA_COLLECTION_USER_REQUEST_DELETE,,FALSE,MAYBE_REQUIRED,x\n");
        assert_eq!(d.deletion, Some(Deletion::No));
    }

    #[test]
    fn wrong_files_are_errors_naming_the_file() {
        let e = parse(b"", "empty.csv").expect_err("empty");
        assert!(e.to_string().starts_with("empty.csv:"), "{e}");
        let e = parse(b"name,email\nx,y\n", "contacts.csv").expect_err("not ours");
        let s = e.to_string();
        assert!(
            s.contains("contacts.csv") && s.contains("Question ID"),
            "{s}"
        );
        let e = load(Path::new("/nonexistent/ds.csv")).expect_err("missing");
        assert!(e.to_string().contains("/nonexistent/ds.csv"), "{e}");
    }

    #[test]
    fn headerless_rows_and_short_rows() {
        let d = parse(
            b"PSL_DATA_TYPES_PERSONAL,PSL_NAME,TRUE\nPSL_DATA_COLLECTION_COLLECTS_PERSONAL_DATA\n",
            "t.csv",
        )
        .expect("parses");
        assert!(d.is_collected("PSL_NAME"));
        assert!(d.warnings[0].contains("no header row"));
    }

    #[test]
    fn hostile_bytes_never_panic() {
        let mut seed = 0x2545_f491_u32;
        for len in [1usize, 7, 64, 300, 2000] {
            let mut bytes = HEADER.as_bytes().to_vec();
            for _ in 0..len {
                seed ^= seed << 13;
                seed ^= seed >> 17;
                seed ^= seed << 5;
                bytes.push(b"PSL_:,\"\r\nTRUE\xff\x00"[(seed % 14) as usize]);
            }
            let _ = parse(&bytes, "fuzz.csv");
        }
    }
}
