//! Drafting a policy declaration from privacy-policy text.
//!
//! The pipeline: decode the bytes (UTF-8, UTF-16 with BOM, GB18030, Windows-1252) and
//! repair mojibake (`decode`); turn Markdown and HTML into plain lines (`document`);
//! split the text into numbered clauses under section
//! headings with roles (`segment`); then read each sentence with the ontology and SDK
//! lexicon (`lexicon`, with traditional characters folded by `hanzi`) and the
//! negation/consent/promise rules (`rules`):
//!
//! - data types count as collected only in collection sections (or, when a policy has
//!   no recognisable collection heading, in sentences elsewhere that say "we collect");
//!   never in definitions, where policies list ID numbers and bank accounts as examples;
//! - an SDK list (`sdk_list`: "label：value" runs, one field per line, tables, English
//!   lists) is read record by record: each listed SDK is one named share entry with the
//!   data of its own record only, and the list's sentences are not read again;
//! - elsewhere a named SDK or company (or a generic "third-party SDK", which never gets a
//!   name) in a sentence makes the data types of that sentence, and of the following
//!   sentences of the same clause and its sub-clauses, a share with it;
//! - a negated verb ("we do not collect", "不会收集") turns the types in its part of the
//!   sentence into a denial; a negation under a condition ("未经您同意…不会") does not;
//! - promises come from the first sentence that states them, in the sections where such
//!   statements belong.
//!
//! The result is a draft: every entry carries its clause and sentence, and `notes` lists
//! what a reviewer should check (ambiguous SDK names, unmapped list items, skipped
//! definitions, encoding damage).

mod classes;
mod decode;
pub mod document;
mod hanzi;
mod lexicon;
mod own_names;
mod phrase_match;
mod practice;
mod prose_names;
mod rules;
mod sdk_list;
mod sections;
mod segment;
mod trace;

use sections::SectionWords;

use std::collections::{HashMap, HashSet};

pub use document::Format;
pub use lexicon::Lexicon;
pub use trace::{Trace, TraceKind, char_offsets};

use super::model::{AppInfo, Collect, Declaration, Deny, Promise, Promises, Share};
use lexicon::{AliasTarget, TypeHit};
use rules::VerbClass;
use segment::{Role, Sentence};

/// Why a lexicon could not be built or an input was refused. Hostile text itself is never
/// an error: it yields a (possibly empty) draft and notes.
#[derive(Debug, thiserror::Error)]
pub enum ExtractError {
    #[error("{file}: cannot build the extraction lexicon: {message}")]
    Lexicon { file: String, message: String },
    #[error("an extraction pattern does not compile: {0}")]
    Pattern(String),
    #[error("policy text is {size} bytes; the limit is {limit} bytes")]
    TooLarge { size: usize, limit: usize },
    #[error(
        "{file}: policy text is {size} bytes; the limit is {limit} bytes for all documents together"
    )]
    DocumentTooLarge {
        file: String,
        size: usize,
        limit: usize,
    },
    #[error("no policy document given")]
    NoDocuments,
}

/// A draft declaration with the reviewer's to-do list.
#[derive(Debug, Clone)]
pub struct Extraction {
    pub declaration: Declaration,
    /// What the reviewer should look at: ambiguous sentences, skipped definition
    /// sections, unmapped list items, encoding damage.
    pub notes: Vec<String>,
    /// Detected input encoding: `utf-8`, `utf-16le`, `utf-16be`, `gb18030`, `windows-1252`.
    pub encoding: String,
    /// The text of each input document as read (decoded, line endings made `\n`);
    /// trace offsets index into it.
    pub documents: Vec<String>,
    /// Every phrase matched, with what was done with it and why.
    pub trace: Vec<Trace>,
}

/// Largest input accepted. Real policies are well under 1 MiB; this only bounds work on
/// hostile input.
pub const MAX_INPUT_BYTES: usize = 32 << 20;

/// Quotes longer than this are cut: a 100 000-character "sentence" is not a quote.
const MAX_QUOTE_CHARS: usize = 600;

/// Notes beyond this are counted, not listed.
const MAX_NOTES: usize = 200;

/// Trace records beyond this are dropped (a note says so): hostile input must not make
/// the trace itself huge.
const MAX_TRACE: usize = 200_000;

/// One policy document to read: a file's name (it names the document in notes and
/// errors, and its extension gives the format), its bytes, and the format if known.
#[derive(Debug, Clone, Copy)]
pub struct Input<'a> {
    pub name: &'a str,
    pub bytes: &'a [u8],
    /// `None`: from the name's extension, else sniffed from the content.
    pub format: Option<Format>,
}

impl<'a> Input<'a> {
    pub fn new(name: &'a str, bytes: &'a [u8]) -> Input<'a> {
        Input {
            name,
            bytes,
            format: None,
        }
    }
}

/// Drafts a declaration from policy bytes in any supported encoding (text, or HTML
/// recognised by its content).
pub fn extract(bytes: &[u8], lexicon: &Lexicon) -> Result<Extraction, ExtractError> {
    if bytes.len() > MAX_INPUT_BYTES {
        return Err(ExtractError::TooLarge {
            size: bytes.len(),
            limit: MAX_INPUT_BYTES,
        });
    }
    extract_documents(&[Input::new("policy", bytes)], lexicon)
}

/// Drafts one declaration from several documents of the same policy (the policy page
/// and a separate SDK-list page, say). Each document is decoded, converted and
/// segmented on its own: clause numbers, section roles, the party a clause names and a
/// lead-in's reach end with their document. With more than one document, notes name
/// the document they are about.
pub fn extract_documents(docs: &[Input], lexicon: &Lexicon) -> Result<Extraction, ExtractError> {
    if docs.is_empty() {
        return Err(ExtractError::NoDocuments);
    }
    let mut total = 0usize;
    for doc in docs {
        total = total.saturating_add(doc.bytes.len());
        if doc.bytes.len() > MAX_INPUT_BYTES || total > MAX_INPUT_BYTES {
            return Err(ExtractError::DocumentTooLarge {
                file: doc.name.to_string(),
                size: doc.bytes.len(),
                limit: MAX_INPUT_BYTES,
            });
        }
    }
    let several = docs.len() > 1;
    let mut builder = Builder::new(lexicon, false, Notes::default());
    let mut encodings: Vec<(&str, String)> = Vec::new();
    let mut node_base = 0usize;
    let mut documents = Vec::with_capacity(docs.len());
    for (index, doc) in docs.iter().enumerate() {
        let notes_from = builder.notes.list.len();
        let definitions_from = builder.definitions.len();
        let prepared = prepare(doc, &lexicon.practice.sections, &mut builder.notes);
        encodings.push((doc.name, prepared.encoding));
        let mut segmented = prepared.document;
        builder.start_document(segmented.has_collection_section);
        // A policy of running text under its title only ("# Privacy" and paragraphs)
        // has no section to trust or distrust: every sentence is read by its own verb.
        builder.untitled = segmented.sentences.iter().all(|s| s.role == Role::Preamble);
        let records = sdk_list::parse(&segmented.text, &lexicon.practice.sdk_list);
        builder.records_squeezed = records.iter().map(|r| squeeze(&r.text)).collect();
        builder.records = records;
        builder.doc_text = std::mem::take(&mut segmented.text);
        // Computed once per document: SDK-list records are placed by line.
        builder.line_starts = std::iter::once(0)
            .chain(builder.doc_text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        if builder.untitled && !segmented.sentences.is_empty() {
            builder.notes.push(
                "no section headings recognised: every sentence that says data is collected or shared was read".to_string(),
            );
        } else if !segmented.has_collection_section && !segmented.sentences.is_empty() {
            builder.notes.push(
                "no collection section heading recognised: data types were taken from sentences that say \"we collect\" anywhere outside definitions".to_string(),
            );
        }
        // Node numbers go on across documents, so the first clause of the next one is
        // never taken for the last clause of this one.
        let mut last_node = node_base;
        let next_line = next_paragraph_lines(&segmented.sentences);
        for (mut sentence, upto) in segmented.sentences.into_iter().zip(next_line) {
            sentence.doc = index;
            sentence.node += node_base;
            last_node = last_node.max(sentence.node);
            builder.records_before(upto, &sentence);
            builder.sentence(&sentence);
        }
        node_base = last_node + 1;
        documents.push(std::mem::take(&mut builder.doc_text));
        if several {
            builder.notes.prefix_from(notes_from, doc.name);
            for (place, _) in builder.definitions.iter_mut().skip(definitions_from) {
                *place = format!("{}: {place}", doc.name);
            }
        }
    }
    let encoding = if encodings.iter().all(|(_, e)| *e == encodings[0].1) {
        encodings[0].1.clone()
    } else {
        encodings
            .iter()
            .map(|(name, e)| format!("{name}: {e}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    Ok(builder.finish(encoding, documents))
}

/// The line where the next paragraph starts, per sentence: an SDK-list record is
/// read with the paragraph it stands in.
fn next_paragraph_lines(sentences: &[Sentence]) -> Vec<usize> {
    let mut next_line = vec![usize::MAX; sentences.len()];
    let mut following = usize::MAX;
    for (i, s) in sentences.iter().enumerate().rev() {
        next_line[i] = following;
        if i == 0 || sentences.get(i - 1).is_some_and(|p| p.line != s.line) {
            following = s.line;
        }
    }
    next_line
}

/// A page converted to fewer characters than this, out of more bytes than that, is
/// likely a shell that scripts fill in.
const SCANT_PAGE_CHARS: usize = 200;
const SCANT_PAGE_BYTES: usize = 2000;

/// A document decoded, converted to text and segmented.
struct Prepared {
    encoding: String,
    document: segment::Document,
}

fn prepare(doc: &Input, sections: &SectionWords, notes: &mut Notes) -> Prepared {
    // A page's own charset declaration decides only where the bytes do not: they are
    // not UTF-8 and have no byte-order mark.
    let named = doc
        .format
        .or_else(|| Format::from_path(std::path::Path::new(doc.name)));
    let declared = match named {
        Some(Format::Html) | None => document::declared_charset(doc.bytes),
        Some(Format::Markdown | Format::Text) => None,
    };
    let has_bom = doc.bytes.starts_with(&[0xEF, 0xBB, 0xBF])
        || doc.bytes.starts_with(&[0xFF, 0xFE])
        || doc.bytes.starts_with(&[0xFE, 0xFF]);
    let decoded = match declared {
        Some(encoding)
            if !has_bom
                && encoding != encoding_rs::UTF_8
                && std::str::from_utf8(doc.bytes).is_err() =>
        {
            decode::decode_declared(doc.bytes, encoding)
        }
        _ => decode::decode(doc.bytes),
    };
    for n in decoded.notes {
        notes.push(n);
    }
    let (text, repairs) = decode::repair_mojibake(&decoded.text);
    if !repairs.is_empty() {
        let examples: Vec<String> = repairs
            .iter()
            .take(3)
            .map(|r| format!("{:?} → {:?}", r.from, r.to))
            .collect();
        notes.push(format!(
            "repaired {} mojibake sequence(s) (GBK/UTF-8 bytes read as Latin-1): {}",
            repairs.len(),
            examples.join(", ")
        ));
    }
    let format = match named {
        Some(format) => format,
        None => {
            let sniffed = Format::sniff(&text);
            if sniffed != Format::Text {
                notes.push(format!(
                    "the content is an HTML page (the file name does not say): read as {}",
                    sniffed.name()
                ));
            }
            sniffed
        }
    };
    let mut headings: Vec<(usize, u8)> = Vec::new();
    let mut header_rows: Vec<usize> = Vec::new();
    let text = match format {
        Format::Text => text,
        _ => {
            let converted = document::convert(&text, format);
            headings = converted
                .blocks
                .iter()
                .filter(|b| b.kind == document::BlockKind::Heading)
                .map(|b| (b.range.start, b.level.max(1)))
                .collect();
            headings.sort_unstable();
            header_rows = converted
                .blocks
                .iter()
                .filter(|b| b.header_row)
                .map(|b| b.range.start)
                .collect();
            header_rows.sort_unstable();
            let converted = converted.text;
            let chars = converted.chars().filter(|c| !c.is_whitespace()).count();
            if chars < SCANT_PAGE_CHARS && doc.bytes.len() > SCANT_PAGE_BYTES {
                notes.push(format!(
                    "only {chars} characters of text in {} bytes of {}: a page that its scripts fill in has no policy text until a browser runs them; save the page from a browser after it has loaded",
                    doc.bytes.len(),
                    format.name()
                ));
            }
            converted
        }
    };
    for n in decode::damage_report(&text) {
        notes.push(n);
    }

    let traditional = hanzi::traditional_count(&text);
    if traditional > 20 {
        notes.push(format!(
            "{traditional} traditional Chinese characters folded to simplified for matching; regional wording (個人資料, 網路) is not recognised"
        ));
    }
    Prepared {
        encoding: decoded.encoding,
        document: segment::segment_with_structure(&text, &headings, &header_rows, sections),
    }
}

impl Builder<'_> {
    /// A new document starts: what one document's structure implied (the party its
    /// clause named, a lead-in's list, a definitions run) does not reach into the next.
    fn start_document(&mut self, has_collection: bool) {
        self.has_collection = has_collection;
        self.records.clear();
        self.records_squeezed.clear();
        self.records_done = 0;
        self.record_cursor = 0;
        self.record_anchor = None;
        self.dropped_records.clear();
        self.node = usize::MAX;
        self.party = None;
        self.party_anchor = None;
        self.lead_in_left = 0;
        self.lead_in_defines = false;
        self.lead_in_rules = false;
        self.lead_in_collects = false;
        self.named_last.clear();
        self.last_was_definition = false;
    }
}

/// Notes with a cap, so hostile input cannot make the list itself huge.
#[derive(Default)]
struct Notes {
    list: Vec<String>,
    seen: HashSet<String>,
    dropped: usize,
}

impl Notes {
    fn push(&mut self, note: String) {
        if self.seen.contains(&note) {
            return;
        }
        if self.list.len() >= MAX_NOTES {
            self.dropped += 1;
            return;
        }
        self.seen.insert(note.clone());
        self.list.push(note);
    }

    /// Keeps only the notes `keep` accepts: a note that no longer holds goes.
    fn retain(&mut self, keep: impl Fn(&str) -> bool) {
        let seen = &mut self.seen;
        self.list.retain(|n| {
            let k = keep(n);
            if !k {
                seen.remove(n.as_str());
            }
            k
        });
    }

    /// Names the document the notes from `start` on are about.
    fn prefix_from(&mut self, start: usize, name: &str) {
        for note in self.list.iter_mut().skip(start) {
            self.seen.remove(note.as_str());
            *note = format!("{name}: {note}");
            self.seen.insert(note.clone());
        }
    }

    fn into_vec(mut self) -> Vec<String> {
        if self.dropped > 0 {
            self.list
                .push(format!("… {} further note(s) not listed", self.dropped));
        }
        self.list
    }
}

/// Scope, party, clause and data of a deny entry, to drop repeats.
type DenyKey = (String, Option<String>, Option<String>, Vec<String>);

/// The party data in the current sentence goes to.
#[derive(Debug, Clone, PartialEq)]
struct Party {
    /// `sdk:<id>`, `sdk`, `third-party`.
    id: String,
    /// The name as the policy writes it; empty for a generic mention ("第三方SDK").
    name: String,
    /// A legal entity named with it.
    entity: Option<String>,
    /// Vendor index of a named SDK, to keep a later bare brand mention on the same SDK.
    vendor: Option<usize>,
}

struct Builder<'a> {
    lexicon: &'a Lexicon,
    has_collection: bool,
    /// The document has no section heading at all: the preamble is the whole policy.
    untitled: bool,
    notes: Notes,
    app: AppInfo,
    collect: Vec<Collect>,
    collect_seen: HashSet<(Option<String>, String)>,
    /// The collect entry the last sentence naming a permission added to, with where that
    /// sentence is (document, line): "申请生物识别权限（指纹/面容），用于解锁。识别由系统完成，
    /// 我们不会收集你的指纹" takes back what the permission seemed to collect.
    permission_collect: Option<(usize, usize, usize)>,
    share: Vec<Share>,
    share_index: HashMap<(String, Option<String>), usize>,
    deny: Vec<Deny>,
    deny_seen: HashSet<DenyKey>,
    promises: Promises,
    node: usize,
    party: Option<Party>,
    /// Clause where the current party context started.
    party_anchor: Option<String>,
    /// The last sentence defined a term: an anaphoric next one ("These are …") goes on.
    last_defined: bool,
    /// The sentence before was a bulleted list item.
    last_bullet: bool,
    /// The table column, from its header, that says whether a row's data are collected.
    collected_column: Option<usize>,
    /// The current table row says its data are not collected.
    row_not_collected: bool,
    /// Table columns whose header states a practice ("| We store | We cannot see |"):
    /// `true` for one that collects, `false` for one that denies.
    practice_columns: Vec<(usize, bool)>,
    /// The current table row has a cell under a collecting column.
    row_collects: bool,
    /// Under a heading that says what is not collected, in the role of that heading's
    /// section: a new section ends it.
    denial_section: Option<Role>,
    /// The one name the last sentence opened with as a subject ("Acme stores …"), with
    /// where it was (document, node, line).
    previous_subject: Option<(usize, usize, usize, String)>,
    /// That name while a sentence right after it is read, for its "It" / "They".
    carried_subject: Option<String>,
    /// The party was named by a vendor in a title ending in a colon ("1、友盟+ SDK："):
    /// the sentence after it may say which of the vendor's SDKs it is.
    vendor_title: bool,
    /// Definitions sections skipped: where each starts and how many sentences it has.
    definitions: Vec<(String, usize)>,
    last_was_definition: bool,
    /// Sentences already read in the same clause and party context; repeated text
    /// (hostile input, pasted twice) adds nothing and costs time.
    seen: HashSet<(Option<String>, Option<String>, String)>,
    /// Sentences of the opening read so far: the title stands among the first few.
    opening_seen: usize,
    first_party: Vec<String>,
    /// Names the policy gives itself ("Forkful Kitchen LLC (\"we,\" \"us\")"): never a
    /// third party.
    own_names: Vec<String>,
    /// Sentences left that a lead-in's practice still covers ("我们会收集以下信息：" and
    /// its list); a heading ends it.
    lead_in_left: usize,
    /// The named parties of the sentence before, for one that refers back to them
    /// ("These companies may collect …").
    named_last: Vec<Party>,
    /// The lead-in of the current list defines a term ("个人信息包括：" and its list):
    /// the items are examples of the term, not practice.
    lead_in_defines: bool,
    /// The lead-in of the current list is a terms-of-service rule ("用户不得利用账号进行如下
    /// 行为："): the items are what the user must not do, not practice.
    lead_in_rules: bool,
    /// The lead-in of the current list says that we collect ("For each profile we
    /// collect:"): its items are collection wherever the section is (a minors section).
    lead_in_collects: bool,
    trace: Vec<Trace>,
    trace_dropped: usize,
    /// The text of the document being read, to place SDK-list data in the trace.
    doc_text: String,
    /// Byte offset where each line of `doc_text` starts.
    line_starts: Vec<usize>,
    /// The line and document of the last table row read, and the purpose columns of
    /// that table's header.
    table_line: Option<usize>,
    table_doc: usize,
    purpose_columns: Vec<usize>,
    /// Where the last SDK-list record's traced data ended in the document text: the
    /// next record on the same line is traced after it.
    record_cursor: usize,
    /// Clauses that say "third-party SDKs" without naming one.
    unnamed_sdk_clauses: Vec<String>,
    /// The policy's SDK-list records, and how many of them are already entries.
    records: Vec<sdk_list::Record>,
    /// Each record's text without spaces or Markdown, to find its sentences.
    records_squeezed: Vec<String>,
    records_done: usize,
    /// Entries made from records, by party and name.
    record_index: HashMap<(String, String), usize>,
    /// Clause and last line of the record read last: a sub-block inside a record
    /// ("(1)必选信息") opens a sub-clause the next record must not inherit.
    record_anchor: Option<(Option<String>, usize)>,
    /// First lines of records not made entries: their sentences are read as sentences.
    dropped_records: HashSet<usize>,
}

/// How many sentences after a lead-in its practice covers at most: lists in real
/// policies run to a few dozen items, and a lead-in must not reach the rest of a section.
const LEAD_IN_REACH: usize = 40;

/// Whether the party mention at `span` belongs to the data phrases around it: one starts
/// right after it ("微信昵称", "微信的头像"), or one ends right before the "、" in front of
/// it ("手机号码、微信").
fn qualifies_data(text: &str, span: (usize, usize), types: &[TypeHit]) -> bool {
    if span.1 <= span.0 {
        return false;
    }
    let after = text.get(span.1..).unwrap_or("");
    let gap_after = if after.starts_with('的') {
        '的'.len_utf8()
    } else {
        0
    };
    if types.iter().any(|t| t.start == span.1 + gap_after) {
        return true;
    }
    let before = text.get(..span.0).unwrap_or("");
    match before.strip_suffix('、') {
        Some(rest) => types.iter().any(|t| t.end == rest.len()),
        None => false,
    }
}

/// The byte spans of a table row's cells, which the row reader joins with " | ".
fn cell_spans(row: &str) -> Vec<(usize, usize)> {
    let mut cells = Vec::new();
    let mut start = 0;
    for (at, _) in row.match_indices(" | ") {
        cells.push((start, at));
        start = at + 3;
    }
    cells.push((start, row.len()));
    cells
}

fn ends_with_colon(text: &str) -> bool {
    text.trim_end().ends_with([':', '：'])
}

fn quote(text: &str) -> String {
    let count = text.chars().count();
    if count <= MAX_QUOTE_CHARS {
        return text.to_string();
    }
    let cut: String = text.chars().take(MAX_QUOTE_CHARS).collect();
    format!("{cut} …")
}

fn clause_label(s: &Sentence) -> String {
    match &s.clause {
        Some(c) => format!("clause {c}"),
        None => format!("line {}", s.line),
    }
}

impl<'a> Builder<'a> {
    fn new(lexicon: &'a Lexicon, has_collection: bool, notes: Notes) -> Builder<'a> {
        Builder {
            lexicon,
            has_collection,
            untitled: false,
            notes,
            app: AppInfo::default(),
            collect: Vec::new(),
            collect_seen: HashSet::new(),
            permission_collect: None,
            share: Vec::new(),
            share_index: HashMap::new(),
            deny: Vec::new(),
            deny_seen: HashSet::new(),
            promises: Promises::default(),
            node: usize::MAX,
            party: None,
            party_anchor: None,
            vendor_title: false,
            last_defined: false,
            denial_section: None,
            previous_subject: None,
            carried_subject: None,
            collected_column: None,
            last_bullet: false,
            row_not_collected: false,
            practice_columns: Vec::new(),
            row_collects: false,
            definitions: Vec::new(),
            last_was_definition: false,
            seen: HashSet::new(),
            opening_seen: 0,
            first_party: Vec::new(),
            own_names: Vec::new(),
            lead_in_left: 0,
            lead_in_defines: false,
            lead_in_rules: false,
            lead_in_collects: false,
            named_last: Vec::new(),
            trace: Vec::new(),
            trace_dropped: 0,
            doc_text: String::new(),
            line_starts: Vec::new(),
            record_cursor: 0,
            table_line: None,
            table_doc: 0,
            purpose_columns: Vec::new(),
            unnamed_sdk_clauses: Vec::new(),
            records: Vec::new(),
            records_squeezed: Vec::new(),
            records_done: 0,
            record_index: HashMap::new(),
            record_anchor: None,
            dropped_records: HashSet::new(),
        }
    }

    /// Records what was done with phrases of sentence `s`; offsets are relative to the
    /// sentence body (`s.text[s.body_start..]`).
    fn record(
        &mut self,
        s: &Sentence,
        spans: &[(usize, usize, Vec<String>)],
        kind: TraceKind,
        party: Option<&str>,
        rule: &'static str,
    ) {
        for (start, end, ids) in spans {
            if self.trace.len() >= MAX_TRACE {
                self.trace_dropped += 1;
                continue;
            }
            let (a, b) = (s.body_start + start, s.body_start + end);
            let Some(text) = s.text.get(a..b) else {
                continue;
            };
            // The end maps through the last character: a phrase may span a joined
            // line or collapsed whitespace.
            let last = text.chars().next_back().map_or(0, char::len_utf8);
            self.trace.push(Trace {
                doc: s.doc,
                start: s.source_offset(a),
                end: s.source_offset(b - last) + last,
                text: text.to_string(),
                kind,
                ids: ids.clone(),
                party: party.map(str::to_string),
                rule,
                clause: s.clause.clone(),
                line: s.line,
            });
        }
    }

    fn spans<'t>(
        &self,
        hits: impl IntoIterator<Item = &'t TypeHit>,
    ) -> Vec<(usize, usize, Vec<String>)> {
        hits.into_iter()
            .map(|h| (h.start, h.end, self.ids_of(std::iter::once(h))))
            .collect()
    }

    fn sentence(&mut self, s: &Sentence) {
        // "**AdsWizz** inserts audio ads. It receives your IP address …": the name the
        // sentence before opened with is what "It" stands for, within one paragraph.
        self.carried_subject = self
            .previous_subject
            .take()
            .filter(|(doc, node, line, _)| {
                *doc == s.doc && *node == s.node && s.line <= line.saturating_add(1)
            })
            .map(|(.., name)| name);
        if !s.text.chars().any(segment::is_cjk) {
            let opening = self.lexicon.practice.prose_names.find_subjects(&s.text);
            if let [one] = opening.as_slice() {
                self.previous_subject = Some((s.doc, s.node, s.line, one.name.clone()));
            }
        }
        if s.node != self.node {
            self.node = s.node;
            // A party named for a clause keeps the clause's sub-clauses ("(1)必选个人信息"
            // under an SDK's entry) and ends with the next sibling or section.
            let inside = match (&self.party_anchor, &s.clause) {
                (Some(anchor), Some(clause)) => is_within(clause, anchor),
                // Unnumbered text: the context ends with the paragraph's heading.
                _ => false,
            };
            if !inside {
                self.party = None;
            }
        }
        // A table row is a record of its own: the party one row names does not receive
        // the next row's data.
        if s.text.contains(" | ") {
            self.party = None;
        }
        if self.in_sdk_list(s) {
            // The record is the entry; read as a sentence its fields would run into the
            // neighbouring SDKs' data. Nothing after the list belongs to its last SDK.
            self.party = None;
            return;
        }
        let p = &self.lexicon.patterns;
        let in_definitions = s.role == Role::Definitions;
        let new_run = in_definitions && !self.last_was_definition;
        self.last_was_definition = in_definitions;
        if in_definitions {
            if new_run {
                let place = match &s.clause {
                    Some(c) => format!("clause {c}"),
                    None => format!("from line {}", s.line),
                };
                self.definitions.push((place, 0));
            }
            if let Some(last) = self.definitions.last_mut() {
                last.1 += 1;
            }
            let body = s.text.get(s.body_start..).unwrap_or(&s.text);
            let masked = hanzi::fold(&p.mask_urls(body)).into_owned();
            let spans = self.spans(&self.lexicon.find_types(&masked));
            self.record(s, &spans, TraceKind::Skipped, None, "definitions-section");
            return;
        }
        let key = (
            s.clause.clone(),
            self.party.as_ref().map(|p| p.id.clone()),
            s.text.clone(),
        );
        if !self.seen.insert(key) {
            return;
        }
        self.app_info(s);

        let body = s.text.get(s.body_start..).unwrap_or(&s.text);
        let mut original = p.mask_urls(body);
        self.read_table_row(s, &mut original);
        if s.table_header {
            return;
        }
        // Matching runs on simplified characters; offsets are the same as in `original`.
        let masked = hanzi::fold(&original).into_owned();
        if std::mem::take(&mut self.vendor_title) {
            self.resolve_titled_vendor(&masked);
        }
        let mut parties = self.resolve_parties(&masked, &original, s);
        // "「个推消息推送SDK」…收集…个推ClientID": a vendor's bare brand beside the SDK of
        // it the sentence names is that SDK, not a second party.
        let specific: Vec<String> = parties
            .iter()
            .filter(|(_, p)| p.id.starts_with("sdk:"))
            .map(|(_, p)| p.name.clone())
            .collect();
        parties.retain(|(_, p)| {
            p.id != "sdk"
                || p.name.is_empty()
                || !specific
                    .iter()
                    .any(|n| n.len() > p.name.len() && n.contains(p.name.as_str()))
        });
        // "使用微信、支付宝账号登录，我们会获取您的昵称": the brands are how the user logs
        // in or pays; what the sentence names stays with the app unless it also shares.
        let mut by_means = false;
        if !parties.is_empty() && !self.lexicon.practice.has_share_verb(&masked) {
            let spans: Vec<(usize, usize)> = parties.iter().map(|(m, _)| *m).collect();
            let means = self.lexicon.practice.brands_as_means(&masked, &spans);
            if means.iter().any(|&m| m) {
                by_means = true;
                let mut flags = means.into_iter();
                parties.retain(|_| !flags.next().unwrap_or(false));
            }
        }
        // "AppsFlyer: advertising identifier, for attribution": a list item's label that
        // names a party says who receives the data the item lists. It stands before the
        // body, so it takes position 0 (a negation there still applies to it).
        if parties.is_empty() && s.body_start > 0 {
            let title = s.text.get(..s.body_start).unwrap_or("");
            let title_original = p.mask_urls(title);
            let title_masked = hanzi::fold(&title_original).into_owned();
            parties = self
                .resolve_parties(&title_masked, &title_original, s)
                .into_iter()
                .filter(|(_, party)| !party.name.is_empty())
                .map(|(_, party)| ((0, 0), party))
                .collect();
            // "友盟+ SDK（…）：为了统计分析…": a vendor with several SDKs in the label is
            // resolved by the product words of the body.
            for (_, party) in parties.iter_mut() {
                if party.id == "sdk"
                    && let Some(vendor) = party.vendor
                    && let Ok(idx) = self
                        .lexicon
                        .resolve_vendor(vendor, None, &party.name, &masked)
                {
                    let entity = party.entity.take();
                    *party = self.sdk_party(idx, &party.name);
                    party.entity = entity;
                    self.forget_vendor_note(&party.name);
                }
            }
        }
        let named_before = std::mem::replace(
            &mut self.named_last,
            parties
                .iter()
                .filter(|(_, p)| !p.name.is_empty())
                .map(|(_, p)| p.clone())
                .collect(),
        );
        let mut types = self.lexicon.find_types(&masked);
        // The 睡眠 of "蜗牛睡眠" when that is the app: its name, no data of the user.
        types
            .retain(|t| !own_names::inside_own_name(&masked, t.start, t.end, self.own_spellings()));
        // As found, before labels and party names take some away.
        let all_types = types.clone();
        // "使用目的：统计分析应用使用情况": what follows a purpose label says why.
        let label = s.text.get(..s.body_start).unwrap_or("");
        if s.body_start > 0 && self.lexicon.practice.is_purpose_label(label) {
            let spans = self.spans(&types);
            self.record(s, &spans, TraceKind::Skipped, None, "purpose-label");
            types.clear();
        }
        // "微信昵称、微信头像" and "姓名、手机号码、微信": a brand that qualifies a data
        // phrase, or stands in a run of them, names data (the account there), not who
        // receives it; unless the sentence shares, or stands where sharing is the topic
        // (an SDK table's "微信登录信息" cell still belongs to the WeChat SDK).
        if !parties.is_empty()
            && s.role != Role::Sharing
            && !self.lexicon.practice.has_share_verb(&masked)
        {
            let before = parties.len();
            // A name met twice is one mention (the first); any of its places decides.
            parties.retain(|((a, b), _)| {
                let name = masked.get(*a..*b).unwrap_or("");
                name.is_empty()
                    || !masked
                        .match_indices(name)
                        .any(|(at, _)| qualifies_data(&masked, (at, at + name.len()), &types))
            });
            by_means |= parties.len() < before;
        }
        // Where a data phrase and a party name overlap the longer one wins: "Google
        // Advertising ID" is data, "阿里UTDID设备标识" is an SDK.
        let overlap = |a: (usize, usize), b: (usize, usize)| a.0 < b.1 && b.0 < a.1;
        parties.retain(|(m, _)| {
            !types
                .iter()
                .any(|t| overlap(*m, (t.start, t.end)) && t.end - t.start > m.1 - m.0)
        });
        types.retain(|t| !parties.iter().any(|(m, _)| overlap(*m, (t.start, t.end))));
        for ((a, b), party) in &parties {
            if b > a {
                self.record(
                    s,
                    &[(*a, *b, vec![party.id.clone()])],
                    TraceKind::Party,
                    None,
                    "party-name",
                );
            }
        }

        let under_lead_in = self.lead_in_left > 0;
        self.lead_in_left = self.lead_in_left.saturating_sub(1);
        // A short line standing alone is a title, except in a lead-in's list, whose
        // items may stand between blank lines.
        // After bulleted items, a title without a bullet is not one more item: "## Data
        // Not Collected" below the list of "The following data may be collected:".
        let after_bullets = std::mem::replace(&mut self.last_bullet, s.bullet);
        let heading = s.heading && !(s.standalone && under_lead_in && !after_bullets);
        // A short lead-in line ("我们会收集以下信息：") reads like a heading; it still
        // starts its list. Any other heading ends one.
        // The whole sentence: a colon-ended lead-in is also taken for an inline title.
        let whole = hanzi::fold(&s.text);
        let lead_in = self.lexicon.practice.is_lead_in(&whole);
        // "用户不得利用账号进行如下行为：" names no practice, yet its list is one of rules.
        let rules_lead_in = !lead_in
            && ends_with_colon(&whole)
            && self.lexicon.practice.is_terms_of_service(&whole);
        let item_of_definition = under_lead_in && self.lead_in_defines;
        if rules_lead_in {
            self.lead_in_left = LEAD_IN_REACH;
            self.lead_in_defines = false;
        } else if lead_in {
            self.lead_in_left = LEAD_IN_REACH;
        } else if heading {
            self.lead_in_left = 0;
        }
        let practice =
            under_lead_in || self.row_collects || self.lexicon.practice.states_practice(&masked);
        let we_collect = p.first_person_collect(&masked);
        // "个人信息是指……包括姓名" in running text defines, like a definitions section;
        // unless the same sentence says that we collect. The label counts: in
        // "个人敏感信息包括：身份证号码、…" the defining words are the label.
        // "These are sent to your browser …" right after "Cookies are small files …"
        // goes on defining, and so do the items of a defining lead-in's list.
        let follows_definition =
            std::mem::take(&mut self.last_defined) && starts_with_anaphor(&masked);
        let is_definition = self.lexicon.practice.is_definition(&masked)
            || (s.body_start > 0 && self.lexicon.practice.is_definition(&whole));
        let is_rule = self.lexicon.practice.is_terms_of_service(&masked)
            || (under_lead_in && self.lead_in_rules);
        // "您可以访问、更新和更正自己的注册信息": what the user can see or withdraw.
        let is_rights = self.lexicon.practice.is_user_rights(&masked);
        // A table row whose "Collected" cell says yes states a practice, whatever its
        // examples column quotes ("A. Identifiers | real name, alias, … | YES").
        let defines = !heading
            && (is_definition || is_rule || is_rights || follows_definition || item_of_definition)
            && !we_collect
            && !self.row_collects;
        if lead_in || rules_lead_in {
            self.lead_in_defines = defines && is_definition;
            // A numbered lead-in is all label, so its words are in `whole`.
            self.lead_in_collects = we_collect || p.first_person_collect(&whole);
            self.lead_in_rules = !we_collect
                && !p.first_person_collect(&whole)
                && self.lexicon.practice.is_terms_of_service(&whole);
        }
        self.last_defined = defines;
        // "Does the app collect precise location?": a question (an FAQ heading) states
        // nothing; its answer does.
        let question = s.text.trim_end().ends_with(['?', '？']) && !types.is_empty();
        // "Why do you ask for my year of birth?" presupposes that the service does: the
        // question's own data is collected.
        if question && !defines && self.asks_why_it_collects(&s.text) {
            let data = self.ids_of(types.iter());
            let spans = self.spans(&types);
            self.record(s, &spans, TraceKind::Collect, None, "why-question");
            self.collect_entry(data, s);
            return;
        }
        if question && !defines {
            let spans = self.spans(&types);
            self.record(s, &spans, TraceKind::Skipped, None, "question");
            return;
        }
        if self.row_not_collected && !types.is_empty() {
            let data = self.ids_of(types.iter());
            let spans = self.spans(types.iter());
            self.record(s, &spans, TraceKind::Deny, None, "table-not-collected");
            self.deny_entry(data, VerbClass::Collect, None, s);
            return;
        }
        if defines {
            let spans = self.spans(&types);
            let rule = if is_rule && !is_definition && !item_of_definition {
                "terms-of-service"
            } else if is_rights && !is_definition && !item_of_definition {
                "user-rights"
            } else {
                "definition-in-text"
            };
            self.record(s, &spans, TraceKind::Skipped, None, rule);
            if !types.is_empty() {
                self.notes.push(format!(
                    "{}: a definition's examples, a terms-of-service rule or a rights instruction, not read as collected: {:?}",
                    clause_label(s),
                    quote(&s.text)
                ));
            }
            return;
        }
        if heading {
            // "What we do NOT collect", "Data Not Collected": the items under such a
            // heading are denials.
            let denies = p.parts(&masked).iter().any(|&(a, b)| {
                masked
                    .get(a..b)
                    .and_then(|part| p.negation(part))
                    .map(|n| n.0)
                    == Some(VerbClass::Collect)
            });
            self.denial_section = denies.then_some(s.role);
            let spans = self.spans(&types);
            self.record(s, &spans, TraceKind::Skipped, None, "heading");
            // Headings name parties ("1. 友盟统计SDK") but state nothing about data. A
            // vendor with several SDKs ("1、友盟+ SDK：") may be resolved by what follows.
            let named_sdk = |p: &Party| {
                p.id.starts_with("sdk:")
                    || (p.id == "sdk" && p.vendor.is_some() && !p.name.is_empty())
            };
            // "#### Mailchimp (The Rocket Science Group LLC)": a service and its owner
            // title the section that says what it processes.
            let titled = if s.text.chars().any(segment::is_cjk) {
                None
            } else {
                sdk_list::titled_provider(&s.text)
            };
            if let Some((_, party)) = parties.iter().rev().find(|(_, p)| named_sdk(p)) {
                let mut party = party.clone();
                if party.entity.is_none() {
                    party.entity = titled.map(|(_, entity)| entity);
                }
                self.set_party(party.clone(), s);
                if self.scans_data(s.role) {
                    self.share_entry(&party, s, s.clause.clone());
                }
            } else if let Some((name, entity)) = titled {
                if self.is_the_app(&name) || self.is_the_app(&entity) {
                    self.party = None;
                } else {
                    let party = Party {
                        id: self
                            .resolve_name(&name, "")
                            .unwrap_or_else(|| "third-party".to_string()),
                        name,
                        entity: Some(entity),
                        vendor: None,
                    };
                    self.set_party(party.clone(), s);
                    if self.scans_data(s.role) {
                        self.share_entry(&party, s, s.clause.clone());
                    }
                }
            }
            return;
        }

        let parts = p.parts(&masked);
        let conditional = p.is_conditional(&masked);
        let mut negated_spans: Vec<(usize, usize, VerbClass)> = Vec::new();
        for &(a, b) in &parts {
            if let Some((class, from)) = masked.get(a..b).and_then(|part| p.negation(part)) {
                // "IMEI（Android 10及以上版本不采集）": a negation only inside brackets
                // qualifies the item before them and reaches no further than the brackets.
                match masked
                    .get(a..b)
                    .and_then(|part| negation_in_brackets(part, |t| p.negation(t).is_some()))
                {
                    Some((open, close)) => negated_spans.push((a + open, a + close, class)),
                    None => negated_spans.push((a + from, b, class)),
                }
            }
        }
        // "in particular no health data and no biometric data": "no" before a type.
        let determined: Vec<(usize, usize, VerbClass)> = types
            .iter()
            .filter(|t| {
                !negated_spans
                    .iter()
                    .any(|&(a, b, _)| t.start >= a && t.start < b)
            })
            .filter_map(|t| {
                // Only the few words before the type matter; a bounded window keeps long
                // sentences linear.
                let mut from = t.start.saturating_sub(48);
                while !masked.is_char_boundary(from) {
                    from += 1;
                }
                let at = p.no_before(masked.get(from..t.start)?)?;
                Some((from + at, t.end, VerbClass::Collect))
            })
            .collect();
        negated_spans.extend(determined);
        // "…includes examples such as a real name, postal address …; we do not collect
        // those examples": a denial that names its object only by referring back reaches
        // the clause before it, when that clause states no practice of its own.
        if !conditional {
            let reached: Vec<(usize, usize, VerbClass)> = negated_spans
                .iter()
                .filter(|&&(a, b, _)| !types.iter().any(|t| t.start >= a && t.start < b))
                .filter(|&&(a, b, _)| {
                    masked
                        .get(a..b)
                        .is_some_and(|clause| self.lexicon.practice.refers_back(clause))
                })
                .filter_map(|&(a, _, class)| {
                    // The parts are in order and apart: the last one ending before `a`.
                    let before_a = parts.partition_point(|&(_, to)| to <= a);
                    let &(from, to) = parts.get(before_a.checked_sub(1)?)?;
                    let before = masked.get(from..to)?;
                    (!self.lexicon.practice.states_practice(before)).then_some((from, to, class))
                })
                .collect();
            negated_spans.extend(reached);
        }
        let negation_at = |pos: usize| {
            negated_spans
                .iter()
                .find(|&&(a, b, _)| pos >= a && pos < b)
                .map(|&(_, _, c)| c)
        };

        // Denials and conditional negations.
        for &(a, b, class) in &negated_spans {
            let in_part: Vec<&TypeHit> = types
                .iter()
                .filter(|t| t.start >= a && t.start < b)
                .collect();
            // "未经您的同意，我们不会共享您的姓名": the promise is about data the app holds.
            if conditional && class == VerbClass::Share && !in_part.is_empty() {
                let spans = self.spans(in_part.iter().copied());
                self.record(s, &spans, TraceKind::Collect, None, "held-not-shared");
                self.collect_entry(self.ids_of(in_part.iter().copied()), s);
                self.notes.push(format!(
                    "{}: a promise not to share data without consent or another condition: the data are held, recorded as collected: {:?}",
                    clause_label(s),
                    quote(&s.text)
                ));
                continue;
            }
            if conditional {
                let spans = self.spans(in_part.iter().copied());
                self.record(s, &spans, TraceKind::Skipped, None, "conditional-negation");
                if !in_part.is_empty() {
                    self.notes.push(format!(
                        "{}: negation under a condition (consent/unless) is not recorded as a denial; the types in it are not recorded as collected either: {:?}",
                        clause_label(s),
                        quote(&s.text)
                    ));
                } else if self.scans_data(s.role) {
                    self.notes.push(format!(
                        "{}: conditional negative statement without a recognised data type: {:?}",
                        clause_label(s),
                        quote(&s.text)
                    ));
                }
                continue;
            }
            if in_part.is_empty() {
                self.notes.push(format!(
                    "{}: negative statement without a recognised data type (no deny entry): {:?}",
                    clause_label(s),
                    quote(&s.text)
                ));
                continue;
            }
            let party = parties
                .iter()
                .find(|((start, _), p)| *start >= a && *start < b && p.id.starts_with("sdk:"))
                .map(|(_, p)| p.id.clone());
            let scope = if party.is_some() {
                VerbClass::Share
            } else {
                class
            };
            let data = self.ids_of(in_part.iter().copied());
            let spans = self.spans(in_part.iter().copied());
            self.record(s, &spans, TraceKind::Deny, party.as_deref(), "negation");
            if scope == VerbClass::Collect {
                self.take_back_permission(&data, s);
            }
            self.deny_entry(data, scope, party, s);
        }

        if self.denial_section.is_some_and(|role| role == s.role)
            && negated_spans.is_empty()
            && !we_collect
            && !types.is_empty()
        {
            let data = self.ids_of(types.iter());
            let spans = self.spans(types.iter());
            self.record(s, &spans, TraceKind::Deny, None, "denial-section");
            self.deny_entry(data, VerbClass::Collect, None, s);
            return;
        }
        // "您也可以开启指纹登录，…我们不会收集您的指纹信息": a type the sentence denies
        // collecting outright is not collected by another mention of it in the sentence.
        // The denial reaches back no further than a semicolon: "我们会从支付宝获得支付状态；
        // 我们不会获取您的支付宝账号" keeps the status.
        // Found once, so a long sentence stays linear in its type hits.
        let semicolons: Vec<usize> = masked
            .match_indices(['；', ';'])
            .map(|(at, _)| at)
            .collect();
        let segment_of = |pos: usize| semicolons.partition_point(|&at| at < pos);
        let denied: HashSet<(usize, usize)> = if conditional {
            HashSet::new()
        } else {
            types
                .iter()
                .filter(|t| negation_at(t.start) == Some(VerbClass::Collect))
                .flat_map(|t| t.ids.iter().map(move |&i| (segment_of(t.start), i)))
                .collect()
        };
        let positive: Vec<&TypeHit> = types
            .iter()
            .filter(|t| negation_at(t.start).is_none())
            .filter(|t| {
                denied.is_empty() || {
                    let seg = segment_of(t.start);
                    !t.ids.iter().all(|i| denied.contains(&(seg, *i)))
                }
            })
            .collect();

        self.promises_from(s, &masked, !types.is_empty());

        // "Photos you send are stored on Cloudinary servers", "we wake your phone through
        // Firebase Cloud Messaging": a service the sentence says data go through receives
        // them, whatever the section (not in a definition, which stopped above).
        let through_service = !original.chars().any(segment::is_cjk)
            && (!self
                .lexicon
                .practice
                .prose_names
                .find_flows(&original)
                .is_empty()
                || !self
                    .data_subjects(&masked, &original, Some(&all_types))
                    .is_empty())
            && parties.iter().any(|(_, p)| !p.name.is_empty());
        let collects = we_collect || (under_lead_in && self.lead_in_collects);
        if !self.reads_data(s.role, practice, collects) && !through_service {
            let spans = self.spans(positive.iter().copied());
            let rule = match s.role {
                Role::Other | Role::Use => "no-practice-verb",
                _ => "section-not-about-collection",
            };
            self.record(s, &spans, TraceKind::Skipped, None, rule);
            return;
        }
        // Whom this sentence's data goes to: the parties it names (all of them: "with A
        // and B"), else a generic third party it shares with, else the party named
        // earlier in the clause; "we collect" without a party means the app itself.
        // "we obtain a credit report from Experian": the source is a party the app deals
        // with, listed with no data; what comes from it is collected.
        let (sources, receivers): (Vec<_>, Vec<_>) = parties
            .iter()
            .filter(|((start, _), _)| negation_at(*start).is_none())
            .partition(|((start, _), _)| self.lexicon.practice.is_source_party(&masked, *start));
        for (_, source) in sources.iter().filter(|(_, p)| !p.name.is_empty()) {
            self.share_entry(source, s, s.clause.clone());
        }
        let positive_parties: Vec<Party> = receivers.into_iter().map(|(_, p)| p.clone()).collect();
        let named: Vec<Party> = positive_parties
            .iter()
            .filter(|p| !p.name.is_empty())
            .cloned()
            .collect();
        let consent = p.consent_share(&masked);
        // A generic receiver ("第三方SDK", "third parties") only when the sentence itself
        // says data goes there; it never gets a name.
        let generic_sdk = positive_parties
            .iter()
            .find(|p| p.id == "sdk" && p.name.is_empty())
            .cloned()
            .filter(|_| practice);
        let third = generic_sdk.or_else(|| {
            positive_parties
                .iter()
                .find(|p| p.id == "third-party" && p.name.is_empty())
                .cloned()
                .filter(|_| p.shares_with_party(&masked) && !consent && negated_spans.is_empty())
        });
        let data = self.ids_of(positive.iter().copied());
        // "Ads are served by A and B. These companies may collect …": the data go to
        // every party the sentence before named.
        let referred = named.is_empty()
            && !named_before.is_empty()
            && self.lexicon.practice.refers_to_named_parties(&masked);
        let named = if referred { named_before } else { named };
        let named_here = !named.is_empty() || third.is_some();
        let recipients: Vec<Party> = if !named.is_empty() {
            named
        } else if let Some(third) = third {
            vec![third]
        } else if (we_collect || by_means) && positive_parties.is_empty() {
            self.party = None;
            Vec::new()
        } else {
            self.party.clone().into_iter().collect()
        };
        if let Some(last) = recipients.last() {
            if named_here {
                self.set_party(last.clone(), s);
            }
            // Data under a party named earlier goes to that party's entry (at the clause
            // where its context starts), not to one entry per sub-clause.
            let clause = self.party_anchor.clone().or_else(|| s.clause.clone());
            let spans = self.spans(positive.iter().copied());
            let rule = if !named_here {
                "party-named-earlier"
            } else if recipients.iter().any(|r| r.id == "third-party") {
                "shared-with-third-party"
            } else {
                "shared-with-named-party"
            };
            // "share purchases with A to …, and send error reports to B": with several
            // named receivers each in its own sub-clause, each gets that sub-clause's data.
            let own_data = if named_here && recipients.len() >= 2 {
                recipient_clauses(&masked, &positive, &parties, &recipients)
            } else {
                None
            };
            for (k, r) in recipients.iter().enumerate() {
                let (data, spans) = match own_data.as_ref().and_then(|d| d.get(k)) {
                    Some(hits) => (
                        self.ids_of(hits.iter().copied()),
                        self.spans(hits.iter().copied()),
                    ),
                    None => (data.clone(), spans.clone()),
                };
                if r.name.is_empty() {
                    if r.id == "sdk" {
                        let place = s.clause.clone().unwrap_or_else(|| "-".to_string());
                        if !self.unnamed_sdk_clauses.contains(&place) {
                            self.unnamed_sdk_clauses.push(place);
                        }
                    }
                    // "与第三方SDK共享设备信息" names no one: a draft entry needs a name the
                    // reviewer can check, so the data count as collected and a note
                    // asks who receives them.
                    self.record(
                        s,
                        &spans,
                        TraceKind::Collect,
                        None,
                        "shared-with-unnamed-party",
                    );
                    if data.is_empty() && r.id != "sdk" {
                        self.notes.push(format!(
                            "{}: shares with unnamed third parties (no entry without a name): {:?}",
                            clause_label(s),
                            quote(&s.text)
                        ));
                    }
                    if !data.is_empty() {
                        self.notes.push(format!(
                            "{}: data shared with unnamed {} recorded as collected; add a [[share]] entry per recipient if the policy names them elsewhere: {:?}",
                            clause_label(s),
                            if r.id == "sdk" { "SDKs" } else { "third parties" },
                            quote(&s.text)
                        ));
                        self.collect_entry(data.clone(), s);
                    }
                    continue;
                }
                self.record(s, &spans, TraceKind::Share, Some(&r.id), rule);
                self.share_data(r, data.clone(), s, clause.clone());
            }
            return;
        }
        if s.role == Role::Sharing {
            let spans = self.spans(positive.iter().copied());
            // "第三方支付机构可能需要收集您的姓名": the data leave the user, the receiver is
            // not named; like data shared with unnamed parties, they count as collected.
            // A collect verb, not only a sharing one: "may be disclosed", "asset
            // transfer" in a sharing clause name no data that leaves the user.
            if !data.is_empty()
                && !consent
                && (we_collect || self.lexicon.practice.has_collect_verb(&masked))
            {
                self.record(
                    s,
                    &spans,
                    TraceKind::Collect,
                    None,
                    "shared-without-named-recipient",
                );
                self.collect_entry(data, s);
                self.notes.push(format!(
                    "{}: data in a sharing clause without a named recipient, recorded as collected: {:?}",
                    clause_label(s),
                    quote(&s.text)
                ));
                return;
            }
            self.record(s, &spans, TraceKind::Skipped, None, "no-recipient");
            if !data.is_empty() && !consent {
                self.notes.push(format!(
                    "{}: data types in a sharing clause without a recognised recipient: {:?}",
                    clause_label(s),
                    quote(&s.text)
                ));
            }
            return;
        }
        if data.is_empty() {
            if under_lead_in && types.is_empty() {
                self.unmapped_list_item(body, s);
            }
            return;
        }
        if s.role != Role::Collection && !practice {
            let spans = self.spans(positive.iter().copied());
            self.record(s, &spans, TraceKind::Skipped, None, "no-practice-verb");
            return;
        }
        let spans = self.spans(positive.iter().copied());
        let rule = if under_lead_in {
            "list-under-lead-in"
        } else if we_collect {
            "we-collect"
        } else if practice {
            "practice-verb"
        } else {
            "collection-section"
        };
        self.record(s, &spans, TraceKind::Collect, None, rule);
        self.collect_entry(data, s);
        self.unmapped_items(&masked, &types, s);
    }

    /// What a table's header says about the row being read. A purpose column ("Why",
    /// "使用目的") says why, not what: its cells are blanked (same length, so offsets
    /// hold). A "Collected" column saying NO makes the row a denial. The row the markup
    /// marks as the header is the header; in plain text, the first row of a table is.
    fn read_table_row(&mut self, s: &Sentence, text: &mut String) {
        self.row_not_collected = false;
        self.row_collects = false;
        if !s.text.contains(" | ") {
            return;
        }
        // A row may hold several sentences: the same line continues the table too.
        let continues = self
            .table_line
            .is_some_and(|l| (s.line == l || s.line == l + 1) && s.doc == self.table_doc);
        self.table_line = Some(s.line);
        self.table_doc = s.doc;
        if !continues || s.table_header {
            self.purpose_columns = s
                .text
                .split(" | ")
                .enumerate()
                .filter(|(_, cell)| self.lexicon.practice.is_purpose_label(cell))
                .map(|(i, _)| i)
                .collect();
            // "| Category | Examples | Collected |": a column saying whether each row's
            // data are collected at all.
            self.collected_column = s.text.split(" | ").position(|cell| {
                let c = cell.trim().to_lowercase();
                c.chars().count() <= 40
                    && (c.starts_with("collected") || c.starts_with("是否收集") || c == "收集")
            });
            self.practice_columns = s
                .text
                .split(" | ")
                .enumerate()
                .filter_map(|(i, cell)| {
                    let cell = hanzi::fold(cell.trim());
                    self.lexicon.practice.header_practice(&cell).map(|c| (i, c))
                })
                .collect();
            // A header of both kinds makes the columns say it; one alone is a title.
            if !(self.practice_columns.iter().any(|&(_, c)| c)
                && self.practice_columns.iter().any(|&(_, c)| !c))
            {
                self.practice_columns.clear();
            }
            return;
        }
        self.read_practice_columns(s, text);
        // "| G. Geolocation data | Precise location | NO |": the row's data are not
        // collected.
        if let Some(column) = self.collected_column
            && let Some(cell) = s.text.split(" | ").nth(column)
        {
            let c = cell
                .trim()
                .trim_matches(|c: char| !c.is_alphanumeric() && !segment::is_cjk(c))
                .to_lowercase();
            self.row_not_collected = matches!(c.as_str(), "no" | "not collected" | "否" | "不收集");
        }
        if self.purpose_columns.is_empty() {
            return;
        }
        let cells = cell_spans(text);
        for &column in &self.purpose_columns {
            if let Some(&(a, b)) = cells.get(column)
                && text.is_char_boundary(a)
                && text.is_char_boundary(b)
            {
                text.replace_range(a..b, &" ".repeat(b - a));
            }
        }
    }

    /// "| Your phone number | Your messages, photos |" under "| We store | We cannot see |":
    /// each cell says what its column's header says. A denying cell's data are denied and
    /// taken out of the row; a collecting one makes the row a practice.
    fn read_practice_columns(&mut self, s: &Sentence, text: &mut String) {
        if self.practice_columns.is_empty() {
            return;
        }
        let cells = cell_spans(text);
        for (column, collects) in self.practice_columns.clone() {
            let Some(&(a, b)) = cells.get(column) else {
                continue;
            };
            let Some(cell) = text.get(a..b) else {
                continue;
            };
            let types = self.lexicon.find_types(&hanzi::fold(cell));
            if types.is_empty() {
                continue;
            }
            if collects {
                self.row_collects = true;
                continue;
            }
            let data = self.ids_of(types.iter());
            let spans: Vec<_> = self
                .spans(types.iter())
                .into_iter()
                .map(|(x, y, ids)| (x + a, y + a, ids))
                .collect();
            self.record(s, &spans, TraceKind::Deny, None, "table-column-denies");
            self.deny_entry(data, VerbClass::Collect, None, s);
            text.replace_range(a..b, &" ".repeat(b - a));
        }
    }

    /// Collection and sharing sections are where a policy says what data goes where;
    /// without a collection heading, anything but the fixed-purpose sections.
    fn scans_data(&self, role: Role) -> bool {
        match role {
            Role::Collection | Role::Sharing => true,
            Role::Definitions
            | Role::Rights
            | Role::Contact
            | Role::Changes
            | Role::Minors
            | Role::Terms => false,
            _ => !self.has_collection,
        }
    }

    /// Whether a sentence's data types are read as a practice: everywhere in collection
    /// and sharing sections, elsewhere (but never in definitions) when the sentence has
    /// a practice verb of its own or follows a lead-in.
    fn reads_data(&self, role: Role, practice: bool, we_collect: bool) -> bool {
        match role {
            Role::Collection | Role::Sharing => true,
            Role::Definitions => false,
            // Rights, security, retention, minors, changes and contact sections mention
            // data while saying what the user may do with it or how it is protected, and
            // a user agreement's rules and disclaimers while saying what the user must
            // not do ("不得盗用他人账号和密码"); only an explicit "we collect" there is a
            // statement of collection.
            Role::Preamble if self.untitled => practice,
            Role::Preamble
            | Role::Rights
            | Role::Protection
            | Role::Storage
            | Role::Minors
            | Role::Changes
            | Role::Contact
            | Role::Terms => we_collect,
            _ => practice,
        }
    }

    /// Whether a question asks why the service takes in what it names ("Why do you ask
    /// for my year of birth?"), which says that it does.
    fn asks_why_it_collects(&self, question: &str) -> bool {
        let lower = question.trim_start().to_lowercase();
        lower.starts_with("why ")
            && self
                .lexicon
                .practice
                .sections
                .presupposes_collection(question)
    }

    fn ids_of<'t>(&self, hits: impl Iterator<Item = &'t TypeHit>) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for hit in hits {
            for &idx in &hit.ids {
                let id = self.lexicon.type_id(idx).to_string();
                if !id.is_empty() && !out.contains(&id) {
                    out.push(id);
                }
            }
        }
        out
    }

    /// Named parties in a sentence, resolved to SDK ids where the name allows.
    fn resolve_parties(
        &mut self,
        masked: &str,
        original: &str,
        s: &Sentence,
    ) -> Vec<((usize, usize), Party)> {
        let mut out = Vec::new();
        let mut ambiguous: Vec<(String, usize, Vec<usize>)> = Vec::new();
        // The 微信 of "企业微信" when that is the app, the 小米 of "小米公司" when that
        // is who "we" are: the policy's own name, no receiver.
        let mentions: Vec<_> = self
            .lexicon
            .find_parties(masked)
            .into_iter()
            .filter(|m| !own_names::inside_own_name(masked, m.start, m.end, self.own_spellings()))
            .collect();
        for mut m in mentions {
            // The name as the policy writes it, not as folded for matching.
            if let Some(name) = original.get(m.start..m.end) {
                m.text = name.to_string();
            }
            let party = match &m.target {
                AliasTarget::Sdk(i) => self.sdk_party(*i, &m.text),
                AliasTarget::Vendor { vendor, default } => {
                    let following = masked.get(m.alias_end..).unwrap_or("");
                    match self
                        .lexicon
                        .resolve_vendor(*vendor, *default, &m.text, following)
                    {
                        Ok(i) => self.sdk_party(i, &m.text),
                        Err(candidates) => {
                            // A vendor's legal name under an SDK already named stays with it.
                            if let Some(current) = &self.party
                                && current.vendor == Some(*vendor)
                            {
                                current.clone()
                            } else {
                                // "Google Play Services": a brand followed by capitalised
                                // words is named by all of them.
                                if !original.chars().any(segment::is_cjk)
                                    && let Some(full) =
                                        self.lexicon.practice.prose_names.name_at(original, m.start)
                                    && full.start == m.start
                                    && full.end > m.end
                                {
                                    m.end = full.end;
                                    m.text = full.name;
                                }
                                ambiguous.push((m.text.clone(), *vendor, candidates));
                                Party {
                                    id: "sdk".to_string(),
                                    name: m.text.clone(),
                                    entity: None,
                                    vendor: Some(*vendor),
                                }
                            }
                        }
                    }
                }
                // "SDK", "第三方" describe a receiver without naming it: no name.
                AliasTarget::GenericSdk => Party {
                    id: "sdk".to_string(),
                    name: String::new(),
                    entity: None,
                    vendor: None,
                },
                AliasTarget::GenericThirdParty => Party {
                    id: "third-party".to_string(),
                    name: String::new(),
                    entity: None,
                    vendor: None,
                },
            };
            out.push(((m.start, m.end), party));
        }
        // A brand that the same sentence resolves elsewhere ("腾讯科技有限公司 | 腾讯优量汇")
        // needs no reviewer note.
        for (text, vendor, candidates) in ambiguous {
            let resolved = out
                .iter()
                .any(|(_, p)| p.id.starts_with("sdk:") && p.vendor == Some(vendor));
            if resolved {
                continue;
            }
            let ids: Vec<String> = candidates
                .iter()
                .filter_map(|&c| self.lexicon.sdk(c).map(|e| e.id.clone()))
                .collect();
            self.notes.push(format!(
                "{}: {:?} names a vendor ({}) with several SDKs ({}); recorded as a generic SDK, pick the right one",
                clause_label(s),
                text,
                self.lexicon.vendor_file(vendor),
                ids.join(", ")
            ));
        }
        // Receivers a sharing sentence names without a signature knowing them: companies
        // by their legal form ("共享给…文化（北京）有限公司（百度音乐）"), and in English
        // prose the organisations after "such as", "with", "to" ("such as Amazon Web
        // Services and Stripe"; a brand followed by capitals, "Google Play Services", is
        // one name).
        if s.role == Role::Sharing || self.lexicon.practice.has_share_verb(masked) {
            let mut named: Vec<(usize, usize, String, Option<String>)> =
                sdk_list::companies(original)
                    .into_iter()
                    .map(|c| (c.start, c.end, c.name, Some(c.legal)))
                    .collect();
            if !original.chars().any(segment::is_cjk) {
                let prose = &self.lexicon.practice.prose_names;
                let mut found = prose.find(original);
                found.extend(prose.find_services(original));
                found.extend(self.data_subjects(masked, original, None));
                found.sort_by_key(|n| n.start);
                found.dedup_by_key(|n| n.start);
                named.extend(found.into_iter().map(|n| (n.start, n.end, n.name, None)));
            }
            for (start, end, name, entity) in named {
                // "巧虎直播SDK（杭州巧虎网络科技有限公司）": an SDK no signature knows, named
                // right before its company in brackets.
                let unknown_brand = sdk_name_before(original, start)
                    .or_else(|| receiver_before(original, start))
                    .filter(|(b, _)| {
                        !out.iter()
                            .any(|((ps, pe), p)| !p.name.is_empty() && *ps < start && *b < *pe)
                    });
                match unknown_brand {
                    Some((brand_start, brand)) if entity.is_some() => {
                        self.add_named_receiver(&mut out, (brand_start, end), brand, entity)
                    }
                    _ => self.add_named_receiver(&mut out, (start, end), name, entity),
                }
            }
            out.sort_by_key(|(m, _)| m.0);
        } else if !original.chars().any(segment::is_cjk) {
            // "We use TelemetryDeck to count launches", "a code by SMS through Twilio":
            // a service the app runs data through is a receiver wherever it is named.
            let mut services = self.lexicon.practice.prose_names.find_services(original);
            services.extend(self.data_subjects(masked, original, None));
            for n in services {
                self.add_named_receiver(&mut out, (n.start, n.end), n.name, None);
            }
        }
        out.sort_by_key(|(m, _)| m.0);
        // "友盟+ SDK（友盟同欣（北京）科技有限公司）": a company in brackets right after a
        // named party is that party's company, not another receiver.
        let mut k = 1;
        while k < out.len() {
            let (before, after) = out.split_at_mut(k);
            let (prev_span, prev) = &mut before[k - 1];
            let (span, party) = &after[0];
            let bracketed = original.get(prev_span.1..span.0).is_some_and(|gap| {
                gap.trim_end().ends_with(['（', '('])
                    && gap.chars().count() <= 12
                    && !gap.contains(['，', '。', '：', ':', ',', '；', ';', '、'])
            });
            if bracketed
                && !prev.name.is_empty()
                && !party.id.starts_with("sdk:")
                && sdk_list::is_company_name(&party.name)
            {
                if prev.entity.is_none() {
                    prev.entity = party.entity.clone().or_else(|| Some(party.name.clone()));
                }
                self.forget_vendor_note(&party.name);
                out.remove(k);
                continue;
            }
            k += 1;
        }
        // "You can use Lunaria without an account": the app is no third party.
        out.retain(|(_, p)| p.id.starts_with("sdk:") || !self.is_the_app(&p.name));
        // Under "#### Mailchimp (The Rocket Science Group LLC)", "Mailchimp is … provided
        // by The Rocket Science Group LLC" names the titled party twice, not two others.
        if let Some(current) = &self.party {
            let same = |name: &str| {
                !name.is_empty()
                    && (name.eq_ignore_ascii_case(&current.name)
                        || current
                            .entity
                            .as_deref()
                            .is_some_and(|e| name.eq_ignore_ascii_case(e)))
            };
            for (_, p) in out.iter_mut() {
                if !p.id.starts_with("sdk:") && same(&p.name) {
                    *p = current.clone();
                }
            }
        }
        // A generic term next to a named SDK in the same sentence adds nothing.
        if out.iter().any(|(_, p)| p.id.starts_with("sdk:")) {
            out.retain(|(_, p)| !(p.id == "sdk" && p.name.is_empty()));
        }
        out
    }

    /// Adds a receiver named at `span`: a signature's match inside the span wins; a
    /// vendor's brand or a generic word inside it gives way to the whole name.
    fn add_named_receiver(
        &self,
        out: &mut Vec<((usize, usize), Party)>,
        span: (usize, usize),
        name: String,
        entity: Option<String>,
    ) {
        let overlapping: Vec<usize> = (0..out.len())
            .filter(|&i| out[i].0.0 < span.1 && span.0 < out[i].0.1)
            .collect();
        if overlapping.iter().any(|&i| out[i].1.id.starts_with("sdk:")) {
            return;
        }
        for &i in overlapping.iter().rev() {
            out.remove(i);
        }
        let id = self
            .resolve_name(&name, "")
            .unwrap_or_else(|| "third-party".to_string());
        out.push((
            span,
            Party {
                id,
                name,
                entity,
                vendor: None,
            },
        ));
    }

    /// `sdk:<id>` when a name resolves to exactly one SDK signature. A brand with several
    /// SDKs ("个推") is resolved by the product words after it or in `context` (the
    /// record's purpose, "推送消息"); a name that mentions several parties resolves to none.
    fn resolve_name(&self, name: &str, context: &str) -> Option<String> {
        match self.name_ids(name, context).as_slice() {
            [one] if !one.starts_with("vendor ") => Some(format!("sdk:{one}")),
            _ => None,
        }
    }

    /// Whether a name is one vendor's brand that no single SDK of it matches ("Unity
    /// Analytics" for a vendor with Unity Ads and ironSource): a generic SDK the
    /// reviewer picks.
    fn names_one_vendor(&self, name: &str, context: &str) -> bool {
        matches!(self.name_ids(name, context).as_slice(), [one] if one.starts_with("vendor "))
    }

    /// The SDK ids a name resolves to; "vendor N" for a vendor no single SDK of which
    /// it names.
    fn name_ids(&self, name: &str, context: &str) -> Vec<String> {
        let folded = hanzi::fold(name).into_owned();
        let context = hanzi::fold(context).into_owned();
        let mut ids: Vec<String> = Vec::new();
        for m in self.lexicon.find_parties(&folded) {
            let idx = match &m.target {
                AliasTarget::Sdk(i) => Ok(*i),
                AliasTarget::Vendor { vendor, default } => {
                    let following =
                        format!("{} {context}", folded.get(m.alias_end..).unwrap_or(""));
                    self.lexicon
                        .resolve_vendor(*vendor, *default, &m.text, &following)
                        .map_err(|_| format!("vendor {vendor}"))
                }
                _ => continue,
            };
            let id = match idx {
                Ok(i) => match self.lexicon.sdk(i) {
                    Some(e) => e.id.clone(),
                    None => continue,
                },
                Err(vendor) => vendor,
            };
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        ids
    }

    /// Names an English sentence opens with whose verb handles data ("Twilio and Vonage
    /// receive your phone number"): only when the sentence names data, and never a data
    /// phrase itself ("Cookies store …").
    /// `known_types`: the sentence's types when the caller has them already.
    fn data_subjects(
        &self,
        masked: &str,
        original: &str,
        known_types: Option<&[TypeHit]>,
    ) -> Vec<prose_names::ProseName> {
        let names = &self.lexicon.practice.prose_names;
        let mut subjects = names.find_subjects(original);
        if subjects.is_empty()
            && let Some(name) = &self.carried_subject
            && let Some((start, end)) = names.pronoun_subject(original)
        {
            subjects.push(prose_names::ProseName {
                start,
                end,
                name: name.clone(),
            });
        }
        if subjects.is_empty() {
            return subjects;
        }
        let computed;
        let types = match known_types {
            Some(types) => types,
            None => {
                computed = self.lexicon.find_types(masked);
                &computed
            }
        };
        // A subject that is itself a data phrase ("Cookies store …", the "PayPal" of
        // "PayPal processes PayPal payments") is no party; the other subjects stay, when
        // the sentence names data besides the subjects.
        let overlaps = |t: &TypeHit, n: &prose_names::ProseName| t.start < n.end && n.start < t.end;
        if !types
            .iter()
            .any(|t| !subjects.iter().any(|n| overlaps(t, n)))
        {
            return Vec::new();
        }
        subjects.retain(|n| !types.iter().any(|t| overlaps(t, n)));
        subjects
    }

    /// The app's names and its operator's, as the policy gives them.
    fn own_spellings(&self) -> impl Iterator<Item = &str> {
        [self.app.name.as_str()]
            .into_iter()
            .chain(self.app.name_zh.as_deref())
            .chain(self.own_names.iter().map(String::as_str))
    }

    /// Whether `name` is the app's own name, as the title gives it.
    fn is_the_app(&self, name: &str) -> bool {
        let name = name.trim();
        let app = self.app.name.trim();
        // "Chirpy" for "Chirpy Messenger": the short name a policy uses for its app.
        let short = app
            .split_whitespace()
            .next()
            .filter(|w| app.contains(' ') && w.chars().count() >= 3)
            .unwrap_or(app);
        // "Paylo, Inc." for the app "Paylo", "Chirpy Labs S.L.": its company under the
        // app's name.
        let app_company = |stem: &str| {
            !stem.is_empty()
                && name.len() > stem.len()
                && name
                    .get(..stem.len())
                    .is_some_and(|head| head.eq_ignore_ascii_case(stem))
                && name[stem.len()..].starts_with([',', ' '])
                && sdk_list::is_company_name(name)
        };
        !name.is_empty()
            && (name.eq_ignore_ascii_case(app)
                || self.own_names.iter().any(|n| n.eq_ignore_ascii_case(name))
                || (!short.is_empty() && name.eq_ignore_ascii_case(short))
                || app_company(app)
                || app_company(short)
                || self
                    .app
                    .name_zh
                    .as_deref()
                    .is_some_and(|n| n.trim() == name))
    }

    /// Whether a name mentions a known party at all (resolved or not): "分享库（微信、
    /// 微博）" names several, and its link must not pick one of them.
    fn names_known_party(&self, name: &str) -> bool {
        let folded = hanzi::fold(name).into_owned();
        self.lexicon
            .find_parties(&folded)
            .iter()
            .any(|m| matches!(m.target, AliasTarget::Sdk(_) | AliasTarget::Vendor { .. }))
    }

    /// Whether a sentence is part of an SDK-list record: on its lines, and either
    /// carrying a field label or standing inside the record's text.
    fn in_sdk_list(&self, s: &Sentence) -> bool {
        // Records are in line order and a sentence is inside one of the last few that
        // start at or before its line; a bounded look keeps hostile input linear.
        let end = self.records.partition_point(|r| r.first_line <= s.line);
        let mut squeezed: Option<String> = None;
        for i in (end.saturating_sub(64)..end).rev() {
            let r = &self.records[i];
            if s.line > r.last_line || self.dropped_records.contains(&r.first_line) {
                continue;
            }
            if self.lexicon.practice.sdk_list.has_label(&s.text) {
                return true;
            }
            let text = squeezed.get_or_insert_with(|| squeeze(&s.text));
            if !text.is_empty()
                && self
                    .records_squeezed
                    .get(i)
                    .is_some_and(|r| r.contains(text.as_str()))
            {
                return true;
            }
        }
        false
    }

    /// Makes entries of the SDK-list records that start before line `upto`, in the clause
    /// of the sentence read now.
    fn records_before(&mut self, upto: usize, s: &Sentence) {
        while self.records_done < self.records.len()
            && self.records[self.records_done].first_line < upto
        {
            let r = self.records[self.records_done].clone();
            self.records_done += 1;
            self.record_entries(&r, s);
        }
    }

    /// Traces an SDK-list record's data phrases: each is looked up in the record's
    /// lines of the document (records are read by line, not by sentence).
    fn record_list_data(
        &mut self,
        r: &sdk_list::Record,
        s: &Sentence,
        phrases: &[(&str, Vec<String>)],
    ) {
        // Lines are 1-based; `line_starts[n]` is where line n + 1 starts.
        let line_start = |line: usize| {
            self.line_starts
                .get(line.saturating_sub(1))
                .copied()
                .unwrap_or(self.doc_text.len())
        };
        let start = line_start(r.first_line);
        let end = line_start(r.last_line + 1).max(start);
        let names = r.names.join("、");
        // Two records on one line ("SDK名称：A … SDK名称：B …"): each one's data are
        // looked for after the previous record's and after its own name.
        let mut from = if (start..end).contains(&self.record_cursor) {
            self.record_cursor
        } else {
            start
        };
        if let Some(name) = r.names.first()
            && let Some(at) = self
                .doc_text
                .get(from..end)
                .and_then(|t| t.find(name.as_str()))
        {
            from += at + name.len();
        }
        for (phrase, ids) in phrases {
            if self.trace.len() >= MAX_TRACE {
                self.trace_dropped += 1;
                continue;
            }
            let Some(at) = self.doc_text.get(from..end).and_then(|t| t.find(phrase)) else {
                continue;
            };
            let a = from + at;
            from = a + phrase.len();
            self.trace.push(Trace {
                doc: s.doc,
                start: a,
                end: a + phrase.len(),
                text: phrase.to_string(),
                kind: TraceKind::Share,
                ids: ids.clone(),
                party: Some(names.clone()),
                rule: "sdk-list-record",
                clause: s.clause.clone(),
                line: r.first_line,
            });
        }
        self.record_cursor = from;
    }

    fn record_entries(&mut self, r: &sdk_list::Record, s: &Sentence) {
        // "Location: …" under a third-party lead-in names data, not a party; a name that
        // mentions several known parties ("Google Firebase (Crashlytics and Analytics)")
        // is left to the sentence, which gives its data to the parties it names; and
        // nothing in a definitions section is a practice.
        if r.weak
            && (s.role == Role::Definitions
                || r.names.iter().any(|n| {
                    let folded = hanzi::fold(n).into_owned();
                    !self.lexicon.find_types(&folded).is_empty()
                        || (self.names_known_party(n)
                            && self.resolve_name(n, "").is_none()
                            && !self.names_one_vendor(n, ""))
                }))
        {
            self.dropped_records.insert(r.first_line);
            return;
        }
        let clause = match &self.record_anchor {
            Some((Some(anchor), last))
                if r.first_line <= last + 2
                    && s.clause.as_deref().is_some_and(|c| is_within(c, anchor)) =>
            {
                Some(anchor.clone())
            }
            _ => s.clause.clone(),
        };
        self.record_anchor = Some((clause.clone(), r.last_line));
        let p = &self.lexicon.patterns;
        let data = match &r.data {
            Some(d) => {
                let masked = hanzi::fold(&p.mask_urls(d)).into_owned();
                let mut hits = self.lexicon.find_types(&masked);
                // "Usage statistics … TelemetryDeck does not store IP addresses": what the
                // record's own text denies is not its data.
                // A record's text may hold several sentences: each is read alone.
                let denied: Vec<(usize, usize)> = segment::split_sentences(&masked)
                    .into_iter()
                    .flat_map(|(from, to)| {
                        let sentence = masked.get(from..to).unwrap_or("");
                        p.parts(sentence)
                            .into_iter()
                            .filter_map(move |(a, b)| {
                                let (_, neg) =
                                    sentence.get(a..b).and_then(|part| p.negation(part))?;
                                Some((from + a + neg, from + b))
                            })
                            .collect::<Vec<_>>()
                    })
                    .collect();
                hits.retain(|h| !denied.iter().any(|&(a, b)| h.start >= a && h.start < b));
                let phrases: Vec<(&str, Vec<String>)> = hits
                    .iter()
                    .filter_map(|h| Some((d.get(h.start..h.end)?, self.ids_of(std::iter::once(h)))))
                    .collect();
                self.record_list_data(r, s, &phrases);
                self.ids_of(hits.iter())
            }
            None => Vec::new(),
        };
        let domain = r
            .link
            .as_deref()
            .and_then(sdk_list::url_host)
            .and_then(|h| crate::sdk::attribution::registrable_domain(&h));
        let by_domain =
            domain
                .as_deref()
                .and_then(|d| match self.lexicon.sdks_of_domain(d).as_slice() {
                    [one] => self.lexicon.sdk(*one).map(|e| format!("sdk:{}", e.id)),
                    _ => None,
                });
        let names: Vec<&String> = r.names.iter().filter(|n| !self.is_the_app(n)).collect();
        for name in names {
            // The entity and link describe the record's one SDK: "个推、个像" share them, and
            // a name that mentions known parties but resolves to none stays unresolved.
            let single = r.names.len() == 1 && !self.names_known_party(name);
            let context = r.purpose.as_deref().unwrap_or("");
            let id = self
                .resolve_name(name, context)
                .or_else(|| {
                    single
                        .then(|| {
                            r.entity
                                .as_deref()
                                .and_then(|e| self.resolve_name(e, context))
                        })
                        .flatten()
                })
                .or_else(|| single.then(|| by_domain.clone()).flatten())
                .unwrap_or_else(|| {
                    if self.names_one_vendor(name, context) {
                        "sdk".to_string()
                    } else {
                        "third-party".to_string()
                    }
                });
            let third_party = id == "third-party";
            let added = self.add_record_entry(Share {
                party: id,
                name: Some(name.clone()),
                entity: r.entity.clone(),
                link: r.link.clone(),
                domain: domain.clone(),
                data: data.clone(),
                clause: clause.clone(),
                purpose: r.purpose.clone(),
                quote: Some(quote(&r.text)),
            });
            if added && third_party {
                self.notes.push(format!(
                    "{}: SDK list names {name:?}, which no SDK signature matches; recorded as a third party{}",
                    clause_label(s),
                    domain
                        .as_deref()
                        .map(|d| format!(" with domain {d}"))
                        .unwrap_or_default()
                ));
            }
        }
        // "Segment, which forwards in-app events to Amplitude": a provider item that
        // passes its data on names the next receiver in its description.
        if r.weak
            && let Some(description) = r.data.as_deref()
            && !description.chars().any(segment::is_cjk)
        {
            let masked = hanzi::fold(description).into_owned();
            let types = self.lexicon.find_types(&masked);
            let onward: Vec<String> = self
                .lexicon
                .practice
                .prose_names
                .find(description)
                .into_iter()
                .filter(|n| !types.iter().any(|t| t.start < n.end && n.start < t.end))
                .map(|n| n.name)
                .filter(|n| !r.names.contains(n) && !self.is_the_app(n))
                .collect();
            for name in onward {
                let id = self
                    .resolve_name(&name, "")
                    .unwrap_or_else(|| "third-party".to_string());
                self.add_record_entry(Share {
                    party: id,
                    name: Some(name),
                    entity: None,
                    link: None,
                    domain: None,
                    data: data.clone(),
                    clause: clause.clone(),
                    purpose: r.purpose.clone(),
                    quote: Some(quote(&r.text)),
                });
            }
        }
    }

    /// Adds an SDK-list entry, or merges its data into the entry made already for the
    /// same party and name. Whether it was new.
    fn add_record_entry(&mut self, entry: Share) -> bool {
        let key = (entry.party.clone(), entry.name.clone().unwrap_or_default());
        if let Some(&i) = self.record_index.get(&key) {
            if let Some(existing) = self.share.get_mut(i) {
                for d in entry.data {
                    if !existing.data.contains(&d) {
                        existing.data.push(d);
                    }
                }
            }
            return false;
        }
        self.record_index.insert(key, self.share.len());
        self.share.push(entry);
        true
    }

    /// Makes `party` the recipient of what follows. A party named in a clause heading
    /// ("（1）友盟统计SDK") owns that clause; one named in running text inside a clause
    /// that already has a party context ("神策SDK" lines in a flat list) keeps the
    /// context's clause, so the list's "(1)必选信息" sub-clauses stay with it.
    fn set_party(&mut self, party: Party, s: &Sentence) {
        let keep_anchor = !s.heading
            && self.party.is_some()
            && match (&self.party_anchor, &s.clause) {
                (Some(anchor), Some(clause)) => is_within(clause, anchor),
                _ => false,
            };
        if !keep_anchor {
            self.party_anchor = s.clause.clone();
        }
        self.vendor_title =
            party.id == "sdk" && party.vendor.is_some() && s.text.trim_end().ends_with(['：', ':']);
        self.party = Some(party);
    }

    /// "1、友盟+ SDK（友盟同欣（北京）科技有限公司）：" then "为了统计分析，会收集…": the
    /// vendor's SDK is the one the product words after the title name. The entry made
    /// under the title takes the SDK's id.
    fn resolve_titled_vendor(&mut self, following: &str) {
        let Some(current) = self.party.clone() else {
            return;
        };
        let Some(vendor) = current.vendor else {
            return;
        };
        let Ok(idx) = self
            .lexicon
            .resolve_vendor(vendor, None, &current.name, following)
        else {
            return;
        };
        let mut resolved = self.sdk_party(idx, &current.name);
        resolved.entity = current.entity.clone();
        let old_key = (
            format!("{}\u{0}{}", current.id, current.name),
            self.party_anchor.clone(),
        );
        let new_key = (resolved.id.clone(), self.party_anchor.clone());
        if !self.share_index.contains_key(&new_key)
            && let Some(i) = self.share_index.remove(&old_key)
        {
            if let Some(entry) = self.share.get_mut(i) {
                entry.party = resolved.id.clone();
            }
            self.share_index.insert(new_key, i);
        }
        let still_generic = self
            .share
            .iter()
            .any(|e| e.party == "sdk" && e.name.as_deref() == Some(current.name.as_str()));
        if !still_generic {
            self.forget_vendor_note(&current.name);
        }
        self.party = Some(resolved);
    }

    /// Drops the note that `name` names a vendor with several SDKs, once the text has
    /// said which SDK it is (the note's wording is made in `resolve_parties`).
    fn forget_vendor_note(&mut self, name: &str) {
        let said = format!("{name:?} names a vendor");
        self.notes.retain(|n| !n.contains(&said));
    }

    fn sdk_party(&self, idx: usize, text: &str) -> Party {
        match self.lexicon.sdk(idx) {
            Some(e) => Party {
                id: format!("sdk:{}", e.id),
                name: text.to_string(),
                entity: None,
                vendor: Some(e.vendor),
            },
            None => Party {
                id: "sdk".to_string(),
                name: text.to_string(),
                entity: None,
                vendor: None,
            },
        }
    }

    fn share_entry(&mut self, party: &Party, s: &Sentence, clause: Option<String>) -> usize {
        // Named parties without a signature are told apart by their names.
        let who = if party.id.starts_with("sdk:") {
            party.id.clone()
        } else {
            format!("{}\u{0}{}", party.id, party.name)
        };
        let key = (who, clause.clone());
        if let Some(&i) = self.share_index.get(&key) {
            return i;
        }
        let i = self.share.len();
        self.share.push(Share {
            party: party.id.clone(),
            name: (!party.name.is_empty()).then(|| party.name.clone()),
            entity: party.entity.clone(),
            link: None,
            domain: None,
            data: Vec::new(),
            clause,
            purpose: None,
            quote: Some(quote(&s.text)),
        });
        self.share_index.insert(key, i);
        i
    }

    fn share_data(
        &mut self,
        party: &Party,
        data: Vec<String>,
        s: &Sentence,
        clause: Option<String>,
    ) {
        let i = self.share_entry(party, s, clause);
        if let Some(entry) = self.share.get_mut(i) {
            for id in data {
                if !entry.data.contains(&id) {
                    entry.data.push(id);
                }
            }
            if entry.purpose.is_none()
                && let Some(purpose) = purpose_line(&s.text)
            {
                entry.purpose = Some(purpose);
            }
        }
    }

    fn collect_entry(&mut self, data: Vec<String>, s: &Sentence) {
        let fresh: Vec<String> = data
            .into_iter()
            .filter(|id| !self.collect_seen.contains(&(s.clause.clone(), id.clone())))
            .collect();
        if fresh.is_empty() {
            return;
        }
        for id in &fresh {
            self.collect_seen.insert((s.clause.clone(), id.clone()));
        }
        let q = quote(&s.text);
        if let Some(last) = self.collect.last_mut()
            && last.clause == s.clause
            && last.quote.as_deref() == Some(q.as_str())
        {
            last.data.extend(fresh);
        } else {
            self.collect.push(Collect {
                clause: s.clause.clone(),
                data: fresh,
                purpose: None,
                quote: Some(q),
            });
        }
        let permission = s.text.contains("权限")
            || s.text.contains("permission")
            || s.text.contains("Permission");
        self.permission_collect = permission.then(|| (s.doc, s.line, self.collect.len() - 1));
    }

    /// A denial right after a permission, in the same paragraph, takes the denied types
    /// back from what the permission seemed to collect: the permission only says what
    /// the app may touch, the denial what it keeps.
    fn take_back_permission(&mut self, denied: &[String], s: &Sentence) {
        let Some((doc, line, index)) = self.permission_collect else {
            return;
        };
        if doc != s.doc || line != s.line || self.lexicon.practice.speaks_of_refusal(&s.text) {
            return;
        }
        let Some(entry) = self.collect.get_mut(index) else {
            return;
        };
        let under =
            |d: &str, id: &str| id == d || id.strip_prefix(d).is_some_and(|r| r.starts_with('.'));
        let before = entry.data.len();
        entry.data.retain(|id| !denied.iter().any(|d| under(d, id)));
        if entry.data.len() < before {
            self.notes.push(format!(
                "{}: a permission's data denied in the next sentence are not recorded as collected: {:?}",
                clause_label(s),
                quote(&s.text)
            ));
        }
        if entry.data.is_empty() {
            self.collect.remove(index);
            self.permission_collect = None;
        }
    }

    fn deny_entry(
        &mut self,
        data: Vec<String>,
        scope: VerbClass,
        party: Option<String>,
        s: &Sentence,
    ) {
        let key = (
            scope.scope().to_string(),
            party.clone(),
            s.clause.clone(),
            data.clone(),
        );
        if !self.deny_seen.insert(key) {
            return;
        }
        self.deny.push(Deny {
            data,
            scope: Some(scope.scope().to_string()),
            party,
            clause: s.clause.clone(),
            quote: Some(quote(&s.text)),
        });
    }

    /// A short item of a lead-in's list that names no known type ("星座偏好").
    fn unmapped_list_item(&mut self, body: &str, s: &Sentence) {
        let item = body.trim_matches(|c: char| {
            c.is_whitespace() || c.is_ascii_punctuation() || "；。，、：".contains(c)
        });
        let cjk = item.chars().filter(|&c| segment::is_cjk(c)).count();
        let short = if cjk > 0 {
            (2..=12).contains(&cjk)
        } else {
            (1..=5).contains(&item.split_whitespace().count())
        };
        if !short || item.contains(['。', '，']) {
            return;
        }
        let start = (item.as_ptr() as usize).saturating_sub(body.as_ptr() as usize);
        self.record(
            s,
            &[(start, start + item.len(), Vec::new())],
            TraceKind::Unmapped,
            None,
            "list-item-not-in-lexicon",
        );
        self.notes.push(format!(
            "{}: list item not mapped to a data type: {item:?}",
            clause_label(s)
        ));
    }

    fn unmapped_items(&mut self, masked: &str, types: &[TypeHit], s: &Sentence) {
        let mut covered = masked.to_string();
        for t in types {
            if covered.is_char_boundary(t.start) && covered.is_char_boundary(t.end) {
                covered.replace_range(t.start..t.end, &"\u{1}".repeat(t.end - t.start));
            }
        }
        let items = self.lexicon.patterns.unmatched_items(&covered);
        let spans: Vec<(usize, usize, Vec<String>)> =
            items.iter().map(|(a, b, _)| (*a, *b, Vec::new())).collect();
        self.record(
            s,
            &spans,
            TraceKind::Unmapped,
            None,
            "list-item-not-in-lexicon",
        );
        let items: Vec<String> = items.into_iter().map(|(_, _, i)| i).collect();
        if !items.is_empty() {
            self.notes.push(format!(
                "{}: list item(s) not mapped to a data type: {}",
                clause_label(s),
                items
                    .iter()
                    .map(|i| format!("{i:?}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    }

    fn promises_from(&mut self, s: &Sentence, masked: &str, has_types: bool) {
        let p = &self.lexicon.patterns;
        let role = s.role;
        let here = |allowed: &[Role]| allowed.contains(&role);
        let cite = |value| cited(value, s);

        if here(&[
            Role::Protection,
            Role::Storage,
            Role::Sharing,
            Role::Collection,
            Role::Use,
            Role::Other,
            Role::Preamble,
        ]) && let Some(transit) = p.encryption(masked)
        {
            if transit {
                if self.promises.encrypted_in_transit.is_none() {
                    self.promises.encrypted_in_transit = Some(cite(true));
                    if !p.is_transit_explicit(masked) {
                        self.notes.push(format!(
                            "{}: encrypted_in_transit rests on a general encryption claim, not an explicit SSL/TLS/transmission promise: {:?}",
                            clause_label(s),
                            quote(&s.text)
                        ));
                    }
                }
            } else {
                self.notes.push(format!(
                    "{}: encryption at rest only, not recorded as encryption in transit: {:?}",
                    clause_label(s),
                    quote(&s.text)
                ));
            }
        }

        if here(&[
            Role::Storage,
            Role::Protection,
            Role::Collection,
            Role::Sharing,
            Role::Other,
            Role::Preamble,
        ]) && let Some((&region, others)) = p.regions(masked).split_first()
        {
            if !others.is_empty() {
                self.notes.push(format!(
                    "{}: several storage regions named ({region}, {}); recorded {region}: {:?}",
                    clause_label(s),
                    others.join(", "),
                    quote(&s.text)
                ));
            }
            match &self.promises.storage_region {
                None => self.promises.storage_region = Some(cited(region.to_string(), s)),
                Some(existing) if existing.value() != region => self.notes.push(format!(
                    "{}: another storage region ({region}) is named; kept {}: {:?}",
                    clause_label(s),
                    existing.value(),
                    quote(&s.text)
                )),
                Some(_) => {}
            }
        }

        let retention_role = role == Role::Storage
            || (here(&[
                Role::Protection,
                Role::Collection,
                Role::Sharing,
                Role::Other,
                Role::Preamble,
            ]) && p.is_retention_sentence(masked, true));
        if retention_role
            && p.is_retention_sentence(masked, false)
            && let Some(days) = p.duration_days(masked)
        {
            match &self.promises.retention_days {
                None => {
                    self.promises.retention_days = Some(cited(days, s));
                    if p.is_open_ended(masked) {
                        self.notes.push(format!(
                            "{}: the retention sentence also ties retention to the account or purpose; {days} days may cover only part of the data: {:?}",
                            clause_label(s),
                            quote(&s.text)
                        ));
                    }
                    if p.is_minimum(masked) {
                        self.notes.push(format!(
                            "{}: the retention period is a minimum (\"at least\"), not a limit: {:?}",
                            clause_label(s),
                            quote(&s.text)
                        ));
                    }
                }
                Some(existing) if *existing.value() != days => self.notes.push(format!(
                    "{}: another retention period ({days} days) is stated; kept {} days: {:?}",
                    clause_label(s),
                    existing.value(),
                    quote(&s.text)
                )),
                Some(_) => {}
            }
        }

        if here(&[
            Role::Preamble,
            Role::Collection,
            Role::Other,
            Role::Use,
            Role::Protection,
            // "Your choices": where many policies say consent comes first.
            Role::Rights,
        ]) && self.promises.consent_before_collection.is_none()
            && p.consent_collect(masked)
        {
            if has_types {
                self.notes.push(format!(
                    "{}: consent condition for specific data types only; not recorded as consent_before_collection: {:?}",
                    clause_label(s),
                    quote(&s.text)
                ));
            } else {
                self.promises.consent_before_collection = Some(cite(true));
            }
        }

        if here(&[Role::Sharing, Role::Other, Role::Preamble])
            && self.promises.share_only_with_consent.is_none()
            && p.consent_share(masked)
        {
            self.promises.share_only_with_consent = Some(cite(true));
        }
    }

    /// App name from the title line, policy date from the date lines at the top, and the
    /// first-party domains from the contact details.
    fn app_info(&mut self, s: &Sentence) {
        let p = &self.lexicon.patterns;
        // The opening: before any numbered clause or section, in the document's first
        // file. A title standing alone there may already end the preamble.
        if s.doc == 0 && s.clause.is_none() && matches!(s.role, Role::Preamble | Role::Other) {
            self.opening_seen += 1;
            // The title may follow a link line or a notice ("[帮助中心](…)", "【特别
            // 提示】…请您仔细阅读《小米金融隐私政策》"); a few sentences in, it is text.
            if self.opening_seen <= 8 && self.app.name.is_empty() {
                let title_like = s.heading || self.opening_seen == 1;
                let words = &self.lexicon.practice.own_names;
                let (name, zh) = own_names::app_name_in(&s.text, title_like, words);
                if let Some(name) = name {
                    if zh {
                        self.app.name_zh = Some(name.clone());
                    }
                    self.app.name = name;
                }
            }
        }
        let found = own_names::own_name(&s.text)
            .into_iter()
            .chain(own_names::own_names_zh(
                &s.text,
                &self.lexicon.practice.own_names,
            ));
        for own in found {
            if !self.own_names.contains(&own) {
                self.own_names.push(own);
            }
        }
        if self.app.policy_date.is_none()
            && matches!(s.role, Role::Preamble | Role::Other | Role::Changes)
            && let Some(date) = p.policy_date(&s.text)
        {
            self.app.policy_date = Some(date);
        }
        if matches!(s.role, Role::Contact | Role::Changes | Role::Preamble) {
            for host in p.url_hosts(&s.text) {
                let domain = registrable(&host);
                if !self.first_party.contains(&domain) {
                    self.first_party.push(domain);
                }
            }
        }
    }

    /// A denial that overlaps what the same policy says is collected or shared (the same
    /// type, or one of its children) is a partial denial ("not in the background"): it
    /// would turn every observation into a contradiction. Those types move to a note.
    /// Denying a child of what is collected ("device information" collected, "not your
    /// IMEI") is a precise statement and stays.
    fn drop_conflicting_denials(&mut self) {
        // `positive` is the denied type or falls under it.
        let related = |denied: &str, positive: &str| {
            denied == positive
                || positive
                    .strip_prefix(denied)
                    .is_some_and(|r| r.starts_with('.'))
        };
        let mut notes = Vec::new();
        for deny in &mut self.deny {
            let positive: Vec<(&String, Option<&String>)> = match deny.scope.as_deref() {
                Some("share") => self
                    .share
                    .iter()
                    .filter(|sh| deny.party.as_deref().is_none_or(|p| p == sh.party))
                    .flat_map(|sh| sh.data.iter().map(move |d| (d, sh.clause.as_ref())))
                    .collect(),
                _ => self
                    .collect
                    .iter()
                    .flat_map(|c| c.data.iter().map(move |d| (d, c.clause.as_ref())))
                    .collect(),
            };
            let before = deny.data.clone();
            deny.data
                .retain(|d| !positive.iter().any(|(p, _)| related(d, p)));
            for d in before.iter().filter(|d| !deny.data.contains(d)) {
                let at: Vec<String> = positive
                    .iter()
                    .filter(|(p, _)| related(d, p))
                    .map(|(p, c)| {
                        format!(
                            "{p} in {}",
                            c.map(String::as_str).unwrap_or("unnumbered text")
                        )
                    })
                    .collect();
                notes.push(format!(
                    "denial of {d} ({}) conflicts with {}: read as a partial denial, not recorded: {:?}",
                    deny.clause.as_deref().map(|c| format!("clause {c}")).unwrap_or_else(|| "unnumbered text".to_string()),
                    at.join(", "),
                    deny.quote.as_deref().unwrap_or("")
                ));
            }
        }
        self.deny.retain(|d| !d.data.is_empty());
        for n in notes {
            self.notes.push(n);
        }
    }

    /// A known SDK named in passing ("您可以选择微信支付、支付宝或云闪付等方式") where the
    /// policy also lists it with its data: the passing entry says nothing the listed one
    /// does not, and a reviewer would read it as a second party.
    fn drop_passing_mentions(&mut self) {
        let says_more = |s: &Share| !s.data.is_empty() || s.entity.is_some() || s.link.is_some();
        let listed: Vec<String> = self
            .share
            .iter()
            .filter(|s| s.party.starts_with("sdk:") && says_more(s))
            .map(|s| s.party.clone())
            .collect();
        self.share
            .retain(|s| says_more(s) || !listed.contains(&s.party));
    }

    /// "百行征信有限公司" as a party's only name: the company is also the entry's legal
    /// entity, which reports show apart from the name.
    fn companies_are_their_own_entity(&mut self) {
        for entry in &mut self.share {
            if entry.entity.is_none()
                && let Some(name) = entry.name.as_deref()
                && sdk_list::is_company_name(name)
            {
                entry.entity = Some(name.to_string());
            }
        }
    }

    fn finish(mut self, encoding: String, documents: Vec<String>) -> Extraction {
        self.drop_conflicting_denials();
        self.drop_passing_mentions();
        self.companies_are_their_own_entity();
        if self.trace_dropped > 0 {
            self.notes.push(format!(
                "trace cut at {MAX_TRACE} matches; {} more not listed",
                self.trace_dropped
            ));
        }
        if !self.definitions.is_empty() {
            let places: Vec<String> = self
                .definitions
                .iter()
                .map(|(place, n)| format!("{place}, {n} sentence(s)"))
                .collect();
            self.notes.push(format!(
                "definitions section skipped ({}): the data types it names are examples, not collection",
                places.join("; ")
            ));
        }
        let generic = std::mem::take(&mut self.unnamed_sdk_clauses);
        if !generic.is_empty() {
            self.notes.push(format!(
                "generic third-party SDK statement(s) (clause {}): an SDK seen in traffic that the policy does not name is still undeclared",
                generic.join(", ")
            ));
        }
        self.app.first_party = self.first_party;
        Extraction {
            declaration: Declaration {
                app: self.app,
                collect: self.collect,
                share: self.share,
                deny: self.deny,
                promises: self.promises,
            },
            notes: self.notes.into_vec(),
            encoding,
            documents,
            trace: self.trace,
        }
    }
}

/// The brackets of `part` that hold its negation, when the text outside all brackets
/// negates nothing: byte range of the first such bracket, brackets included.
fn negation_in_brackets(part: &str, negates: impl Fn(&str) -> bool) -> Option<(usize, usize)> {
    let mut outside = String::with_capacity(part.len());
    let mut spans: Vec<(usize, usize)> = Vec::new();
    let mut open: Option<usize> = None;
    for (i, c) in part.char_indices() {
        match (c, open) {
            ('（' | '(', None) => open = Some(i),
            ('）' | ')', Some(o)) => {
                spans.push((o, i + c.len_utf8()));
                open = None;
            }
            (_, None) => outside.push(c),
            _ => {}
        }
    }
    if spans.is_empty() || negates(&outside) {
        return None;
    }
    spans
        .into_iter()
        .find(|&(o, c)| part.get(o..c).is_some_and(&negates))
}

/// Text without whitespace or Markdown emphasis, to compare a sentence with a record.
/// Splits a sentence's data among its named receivers by sub-clause (between commas
/// and semicolons): each receiver gets the data of the sub-clause it is named in. `None`
/// when that does not place data with every receiver, or when the receivers share one
/// sub-clause ("共享给A、B"): then all of them receive all the data.
fn recipient_clauses<'h>(
    text: &str,
    hits: &[&'h TypeHit],
    mentions: &[((usize, usize), Party)],
    recipients: &[Party],
) -> Option<Vec<Vec<&'h TypeHit>>> {
    let cuts: Vec<usize> = text
        .char_indices()
        .filter(|&(_, c)| matches!(c, ',' | '，' | ';' | '；'))
        .map(|(i, _)| i)
        .collect();
    let clause_of = |pos: usize| cuts.partition_point(|&c| c < pos);
    let mut clauses: Vec<usize> = Vec::new();
    for r in recipients {
        let (m, _) = mentions
            .iter()
            .find(|(_, p)| p.id == r.id && p.name == r.name)?;
        clauses.push(clause_of(m.0));
    }
    let mut distinct = clauses.clone();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() < 2 {
        return None;
    }
    let out: Vec<Vec<&TypeHit>> = clauses
        .iter()
        .map(|&c| {
            hits.iter()
                .copied()
                .filter(|h| clause_of(h.start) == c)
                .collect()
        })
        .collect();
    if out.iter().any(|d| d.is_empty()) {
        return None;
    }
    // Data in a sub-clause that names no receiver goes to all of them, as before.
    let placed: usize = out.iter().map(Vec::len).sum::<usize>();
    let named_clauses: std::collections::HashSet<usize> = clauses.iter().copied().collect();
    let stray: Vec<&TypeHit> = hits
        .iter()
        .copied()
        .filter(|h| !named_clauses.contains(&clause_of(h.start)))
        .collect();
    if placed == 0 {
        return None;
    }
    Some(
        out.into_iter()
            .map(|mut d| {
                d.extend(stray.iter().copied());
                d.sort_by_key(|h| h.start);
                d
            })
            .collect(),
    )
}

/// "…、巧虎直播SDK（" before `at`: the SDK name standing right before an opening bracket,
/// with its byte start. The name runs back to punctuation or a clause marker and must end
/// in "SDK".
fn sdk_name_before(text: &str, at: usize) -> Option<(usize, String)> {
    let before = text.get(..at)?;
    let before = before
        .strip_suffix('（')
        .or_else(|| before.strip_suffix('('))?;
    let trimmed = before.trim_end();
    if !trimmed.to_lowercase().ends_with("sdk") {
        return None;
    }
    let start = trimmed
        .char_indices()
        .rev()
        .take_while(|&(_, c)| {
            c.is_alphanumeric() || c == ' ' || c == '+' || c == '-' || segment::is_cjk(c)
        })
        .take(24)
        .last()
        .map(|(i, _)| i)?;
    let name = trimmed[start..].trim();
    // "1、巧虎直播SDK": a clause number is not part of the name.
    let name = name.trim_start_matches(|c: char| c.is_ascii_digit() || c == ' ');
    let start = trimmed.len() - name.len();
    let generic = name.eq_ignore_ascii_case("sdk") || name.chars().count() < 4;
    (!generic).then(|| (start, name.to_string()))
}

/// "共享给宁安互联网医院（海南宁安医院有限公司）": the brand a sharing clause names right
/// before a company in brackets, after the word that gives it the data (给, 与, 向, 传输至).
fn receiver_before(text: &str, at: usize) -> Option<(usize, String)> {
    let before = text.get(..at)?;
    let before = before
        .strip_suffix('（')
        .or_else(|| before.strip_suffix('('))?
        .trim_end();
    let run: Vec<(usize, char)> = before
        .char_indices()
        .rev()
        .take_while(|&(_, c)| segment::is_cjk(c))
        .take(13)
        .collect();
    let &(start, _) = run.last()?;
    let name = &before[start..];
    // "共享给", "提供给", "发送给" all end in 给.
    let lead = ["给", "与", "向", "传输至"];
    // The run may have swallowed the lead word: take the name after the last one.
    let (name_start, name) = lead
        .iter()
        .filter_map(|w| name.rfind(w).map(|i| (i + w.len(), w)))
        .max_by_key(|&(i, _)| i)
        .map(|(i, _)| (start + i, &name[i..]))?;
    let generic = [
        "第三方",
        "合作方",
        "合作伙伴",
        "服务商",
        "服务提供商",
        "关联公司",
        "关联方",
        "我们",
        "您",
    ]
    .iter()
    .any(|g| name.contains(g));
    let count = name.chars().count();
    ((2..=12).contains(&count) && !generic).then(|| (name_start, name.to_string()))
}

/// Whether a sentence opens by pointing back at the one before ("These are …", "They
/// are …", "它们…").
fn starts_with_anaphor(text: &str) -> bool {
    let t = text.trim_start();
    let lower = t.to_lowercase();
    ["these ", "they ", "such files ", "this file "]
        .iter()
        .any(|w| lower.starts_with(w))
        || ["它们", "这些文件"].iter().any(|w| t.starts_with(w))
}

fn squeeze(t: &str) -> String {
    // Cell bars and colons go too: a "label | value" row is read as "label：value".
    t.chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '*' | '\\' | '|' | '｜' | ':' | '：'))
        .collect()
}

/// Whether `clause` is `anchor` or one of its sub-clauses ("6.1.2" in "6.1",
/// "二(一) 3(1)" in "二(一) 3").
fn is_within(clause: &str, anchor: &str) -> bool {
    clause == anchor
        || clause
            .strip_prefix(anchor)
            .is_some_and(|rest| rest.starts_with(['(', ' ', '.']))
}

fn cited<T>(value: T, s: &Sentence) -> Promise<T> {
    Promise::Cited {
        value,
        clause: s.clause.clone(),
        quote: Some(quote(&s.text)),
    }
}

/// "使用目的：统计分析" / "Purpose: analytics" lines in an SDK list.
fn purpose_line(text: &str) -> Option<String> {
    for prefix in ["使用目的", "目的", "用途", "使用场景", "Purpose", "purpose"] {
        if let Some(rest) = text.trim().strip_prefix(prefix) {
            let rest = rest.trim_start_matches([':', '：', ' ']).trim();
            if !rest.is_empty() {
                return Some(rest.trim_end_matches(['。', '.', '；', ';']).to_string());
            }
        }
    }
    None
}

/// The registrable part of a host, without a public-suffix list: two labels, three under
/// the Chinese and other second-level suffixes policies use.
fn registrable(host: &str) -> String {
    let labels: Vec<&str> = host.split('.').filter(|l| !l.is_empty()).collect();
    let n = labels.len();
    if n <= 2 {
        return labels.join(".");
    }
    let second = labels[n - 2];
    let keep = if matches!(second, "com" | "net" | "org" | "gov" | "edu" | "co" | "ac")
        && labels[n - 1].len() == 2
    {
        3
    } else {
        2
    };
    labels[n - keep.min(n)..].join(".")
}
