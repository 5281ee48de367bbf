//! Which sentences state a data practice: the collect and share verbs and the lead-in
//! words of `signatures/policy-phrases.toml`, compiled once.
//!
//! Policies name data in many places that are not statements about it (definitions,
//! rights, examples), and they state collection in many places that carry no collection
//! heading ("当您使用客服功能时，我们需要您提供姓名、手机号码"). A sentence counts as a
//! statement of practice by its own verb, not by the section it stands in; a list that
//! follows a lead-in sentence ("我们会收集以下信息：") counts through the lead-in.

use std::collections::BTreeMap;

use aho_corasick::AhoCorasick;
use regex::Regex;
use serde::Deserialize;

use super::ExtractError;
use super::own_names::OwnNameWords;
use super::prose_names::ProseNames;
use super::sdk_list::{LabelWords, Labels};
use super::sections::{RawSectionHeadings, SectionWords};

/// The built-in phrase file; `--signatures DIR` may replace it.
pub const DEFAULT_POLICY_PHRASES: &str = include_str!("../../../signatures/policy-phrases.toml");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPhrases {
    verbs: RawVerbs,
    #[serde(default)]
    table_header: RawTableHeader,
    lead_in: RawLeadIn,
    definition: RawDefinition,
    not_practice: RawLeadIn,
    /// Absent in an older phrase file: every 不得 is a terms-of-service rule then.
    #[serde(default)]
    operator_promise: RawLeadIn,
    /// Absent in an older phrase file: rights instructions count where they stand then.
    #[serde(default)]
    user_rights: RawLeadIn,
    /// Absent in an older phrase file: every denial after a permission takes it back then.
    #[serde(default)]
    refusal: RawLeadIn,
    /// Absent in an older phrase file: data words in a purpose clause count then.
    #[serde(default)]
    purpose_clause: RawLeadIn,
    /// Absent in an older phrase file: what the user is spared typing counts as data then.
    #[serde(default)]
    spared_effort: RawLeadIn,
    /// Absent in an older phrase file: an exception inside a list counts as data then.
    #[serde(default)]
    list_exception: RawLeadIn,
    /// Absent in an older phrase file: every party a sentence names may receive then.
    #[serde(default)]
    party_source: RawPartySource,
    /// Absent in an older phrase file: a denial reaches only its own clause then.
    #[serde(default)]
    denial_anaphor: RawDenialAnaphor,
    purpose_label: RawLeadIn,
    /// Absent in an older phrase file: no SDK list is read as records then.
    #[serde(default)]
    sdk_list: RawSdkList,
    /// Absent in an older phrase file: no organisation is read from prose then.
    #[serde(default)]
    prose_names: RawProseNames,
    /// Absent in an older phrase file: every data phrase counts where it stands then.
    #[serde(default)]
    not_data: RawNotData,
    /// Absent in an older phrase file: a sensor named as the way a position is found
    /// counts as data of its own then.
    #[serde(default)]
    location_means: RawLocationMeans,
    /// Absent in an older phrase file: the built-in heading words are used then.
    #[serde(default)]
    section_headings: Option<RawSectionHeadings>,
    /// SDK category → the product words that point to it after a vendor's name. Absent
    /// in an older phrase file: the built-in words are used then.
    #[serde(default)]
    vendor_products: Option<BTreeMap<String, Vec<String>>>,
    /// Absent in an older phrase file: the built-in words are used then.
    #[serde(default)]
    own_names: Option<OwnNameWords>,
}

/// Where a data phrase names no data (`[not_data]`).
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawNotData {
    #[serde(default)]
    negating_prefixes_zh: Vec<String>,
    #[serde(default)]
    not_negating_zh: Vec<String>,
    #[serde(default)]
    means_verbs_zh: Vec<String>,
    #[serde(default)]
    means_fillers_zh: Vec<String>,
    #[serde(default)]
    means_zh: Vec<String>,
    #[serde(default)]
    not_means_after_zh: Vec<String>,
    #[serde(default)]
    party_after_zh: Vec<String>,
    #[serde(default)]
    words_zh: Vec<String>,
    /// English words of the same kind, matched in any case.
    #[serde(default)]
    words_en: Vec<String>,
    #[serde(default)]
    container_after_zh: Vec<String>,
}

/// The sensors and networks a sentence names as the way a position is found
/// (`[location_means]`).
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawLocationMeans {
    #[serde(default)]
    ids: Vec<String>,
    #[serde(default)]
    means_zh: Vec<String>,
    #[serde(default)]
    technique_zh: Vec<String>,
    #[serde(default)]
    anaphoric_technique_zh: Vec<String>,
    #[serde(default)]
    position_zh: Vec<String>,
}

/// How English prose names organisations (`[prose_names]`).
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawProseNames {
    #[serde(default)]
    introducers_en: Vec<String>,
    #[serde(default)]
    service_introducers_en: Vec<String>,
    #[serde(default)]
    flow_introducers_en: Vec<String>,
    #[serde(default)]
    not_name_en: Vec<String>,
    #[serde(default)]
    name_enders_en: Vec<String>,
    #[serde(default)]
    legal_forms_en: Vec<String>,
    #[serde(default)]
    party_anaphors_zh: Vec<String>,
    #[serde(default)]
    party_anaphors_en: Vec<String>,
    #[serde(default)]
    subject_verbs_en: Vec<String>,
    #[serde(default)]
    means_before_zh: Vec<String>,
    #[serde(default)]
    means_after_zh: Vec<String>,
    #[serde(default)]
    source_before_zh: Vec<String>,
    #[serde(default)]
    source_after_zh: Vec<String>,
}

/// Field labels of SDK lists (`[sdk_list]`).
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawSdkList {
    #[serde(default)]
    name_zh: Vec<String>,
    #[serde(default)]
    name_en: Vec<String>,
    #[serde(default)]
    entity_zh: Vec<String>,
    #[serde(default)]
    entity_en: Vec<String>,
    #[serde(default)]
    purpose_zh: Vec<String>,
    #[serde(default)]
    purpose_en: Vec<String>,
    #[serde(default)]
    data_zh: Vec<String>,
    #[serde(default)]
    data_en: Vec<String>,
    #[serde(default)]
    link_zh: Vec<String>,
    #[serde(default)]
    link_en: Vec<String>,
    #[serde(default)]
    generic: Vec<String>,
    #[serde(default)]
    link_list_lead_in: Vec<String>,
    #[serde(default)]
    other_zh: Vec<String>,
    #[serde(default)]
    other_en: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDefinition {
    zh: Vec<String>,
    en: Vec<String>,
    subjects_zh: Vec<String>,
    subjects_en: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawVerbs {
    collect_zh: Vec<String>,
    collect_en: Vec<String>,
    permission_zh: Vec<String>,
    share_zh: Vec<String>,
    share_en: Vec<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawLeadIn {
    zh: Vec<String>,
    en: Vec<String>,
}

/// `[party_source]`: words that make a named party where data come from.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawPartySource {
    zh: Vec<String>,
    en: Vec<String>,
    /// "from", which makes a source only after a verb of receiving.
    #[serde(default)]
    from_en: Vec<String>,
    #[serde(default)]
    receiving_en: Vec<String>,
    /// Words right after the party (and the names joined to it) that make it a source:
    /// "Apple or Google sends me an identifier".
    #[serde(default)]
    after_en: Vec<String>,
}

/// Words by which a denial's object refers back to the data just listed
/// (`[denial_anaphor]`), and the words that make them an exception instead.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawDenialAnaphor {
    #[serde(default)]
    zh: Vec<String>,
    #[serde(default)]
    en: Vec<String>,
    #[serde(default)]
    exception_zh: Vec<String>,
    #[serde(default)]
    exception_en: Vec<String>,
}

/// Words of table header cells that state a practice for their column (`[table_header]`).
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawTableHeader {
    #[serde(default)]
    practice_zh: Vec<String>,
    #[serde(default)]
    practice_en: Vec<String>,
    #[serde(default)]
    negation_zh: Vec<String>,
    #[serde(default)]
    negation_en: Vec<String>,
}

/// Compiled practice words.
#[derive(Debug)]
pub(super) struct PracticeWords {
    collect: Regex,
    /// "申请…权限": a permission statement.
    permission: Regex,
    share: Regex,
    lead_in: Regex,
    /// Header cells that state a practice ("We store", "What we collect"), and the words
    /// that make one a denial ("We cannot see").
    header_practice: Regex,
    header_negation: Regex,
    definition: Regex,
    /// Terms-of-service wording ("不得上传…", "intellectual property").
    not_practice: Regex,
    /// Words before a 不得 that make it the operator's promise, not a rule for the user
    /// ("未经用户许可，许可人不得向任何第三方提供…").
    operator_promise: Vec<String>,
    /// How the user manages what was given ("撤回您的授权", "更正自己的注册信息").
    user_rights: Regex,
    /// Words of a user refusing or switching off ("若您拒绝授权", "if you turn off").
    refusal: Vec<String>,
    /// Words that open a clause saying why ("以便", "从而").
    purpose_clause: Vec<String>,
    /// Words saying what the user no longer has to type ("省去重复输入"), English in
    /// lower case.
    spared_effort: Vec<String>,
    /// Words that take what follows out of the list before them ("but not your email
    /// address", "但不包括"), English in lower case.
    list_exception: Vec<String>,
    /// Words before a party that make it where data come from, not where they go ("we
    /// receive your email address from Apple", "Sign in with Google"), in lower case.
    party_source: Vec<String>,
    /// "from", a source only after one of `receiving` in its clause.
    party_from: Vec<String>,
    /// `[party_source] after_en`, lower case.
    party_source_after: Vec<String>,
    receiving: Vec<String>,
    /// A denial's object that refers back ("we do not collect those examples",
    /// "我们不会收集上述信息"), and the words around it that make an exception
    /// ("上述信息以外", "other than these").
    denial_anaphor: Regex,
    denial_exception: Regex,
    /// A list item's label that introduces a purpose ("使用目的：").
    purpose_label: Regex,
    /// "个人信息包括……" at the start of a sentence.
    general_subject: Regex,
    /// Field labels of SDK lists.
    pub(super) sdk_list: Labels,
    /// What section headings announce.
    pub(super) sections: SectionWords,
    /// Product words after a vendor's name ("友盟+统计"), longest first.
    pub(super) product_words: Vec<ProductWord>,
    /// How a policy names its app and its operator.
    pub(super) own_names: OwnNameWords,
    /// Organisations named in English prose.
    pub(super) prose_names: ProseNames,
    /// Where a data phrase names no data.
    pub(super) not_data: NotData,
    /// Where a sensor or network names how a position is found.
    pub(super) location_means: LocationMeans,
    /// "These companies may collect …": a sentence opening with words that refer back to
    /// the parties the sentence before named.
    party_anaphor: Regex,
    /// Words before and after a brand that make it the means of a login or payment
    /// ("使用微信、支付宝账号登录"), not a receiver.
    means_before: Vec<String>,
    means_after: Vec<String>,
    /// The same for a brand the data come from ("从支付宝获得支付状态").
    source_before: Vec<String>,
    source_after: Vec<String>,
}

/// Where a data phrase names no data: after a negating prefix ("非个人身份信息" is what
/// identity data is not), as a means of contact ("通过电话、短信联系您"), or as a party
/// ("公司及其关联公司").
#[derive(Debug, Default)]
pub(super) struct NotData {
    negating_prefixes: Vec<String>,
    not_negating: Vec<String>,
    means_verbs: Vec<String>,
    /// Words between a means verb and its run ("通过包括但不限于邮件、短信").
    means_fillers: Vec<String>,
    means: Vec<String>,
    not_means_after: Vec<String>,
    party_after: Vec<String>,
    /// What follows a phrase that holds the data named after it: "账户信息中包含的所在地区
    /// 信息" names the region, not the account.
    container_after: Vec<String>,
    /// Words a data phrase stands inside or across: "主体重新" holds 体重, "大陆地区法律"
    /// 地区. One automaton finds them all around a phrase in a single pass.
    words: Option<AhoCorasick>,
    /// The length, in characters, of the longest of them.
    longest_word: usize,
}

/// The sensors and networks a sentence names as the way a position is found, not as data
/// of their own: in "通过GPS或WiFi等方式收集的您的地理位置信息" and "我们会使用各种技术进行
/// 定位，这些技术包括IP地址、GPS以及…WLAN接入点和基站的信息" the data is the position.
#[derive(Debug, Default)]
pub(super) struct LocationMeans {
    /// The ontology ids that can name a means (Wi-Fi, cell towers, IP address …).
    pub ids: Vec<String>,
    /// Words that put what follows in their clause as the means ("通过", "借助").
    means: Vec<String>,
    /// Words that list the techniques of a sentence about a position ("技术包括").
    technique: Vec<String>,
    /// Words opening a sentence that lists the techniques the sentence before named
    /// ("这些技术包括").
    anaphoric_technique: Vec<String>,
    /// Words that name a position ("位置", "定位").
    position: Vec<String>,
}

/// Where `text` first closes a bracket it did not open.
fn unbalanced_close(text: &str) -> Option<usize> {
    let mut depth = 0i32;
    text.char_indices().find_map(|(at, c)| {
        match c {
            '（' | '(' => depth += 1,
            '）' | ')' => depth -= 1,
            _ => {}
        }
        (depth < 0).then_some(at)
    })
}

/// How far, in bytes, the words of a means of locating are looked for on each side of a
/// phrase: a sentence of about 500 Chinese characters.
const MEANS_REACH: usize = 1500;

/// How far, in bytes, a purpose clause is looked for on each side of a data phrase.
const PURPOSE_CLAUSE_REACH: usize = 600;

/// Where a purpose clause ends: also at a colon, which opens the list the clause is for
/// ("以便我们为您提供以下功能：您的职位、邮箱").
const PURPOSE_CLAUSE_ENDS: &[char] = &['，', '。', '；', ';', ',', '\n', '！', '？', '：', ':'];

/// How far, in bytes, a word of what the user is spared is looked for before a phrase.
const SPARED_EFFORT_REACH: usize = 300;

/// How far back an exception inside a list is looked for, in bytes.
const LIST_EXCEPTION_REACH: usize = 160;

/// Where an exception inside a list ends.
const LIST_EXCEPTION_ENDS: &[char] = &['.', ';', '。', '；', ')', '）', '\n', '—', '–', '，'];

/// Where the clause of what the user is spared ends: not at a colon, which opens its
/// examples ("省去重复填写个人信息的步骤（例如：记录搜索历史）").
const SPARED_EFFORT_ENDS: &[char] = &['，', '。', '；', ';', ',', '\n', '！', '？'];

/// Where a clause ends, inside a sentence: brackets and enumeration commas do not end one.
const CLAUSE_ENDS: &[char] = &['，', '。', '；', ';', '\n', '！', '？'];

impl LocationMeans {
    /// Whether the phrase at `start..end` of `sentence` names how a position is found:
    /// after a means word of its clause in a clause that names a position, or after a
    /// technique word in a sentence that names one.
    pub(super) fn names_means(&self, sentence: &str, start: usize, end: usize) -> bool {
        let (Some(before), Some(phrase), Some(after)) = (
            sentence.get(..start),
            sentence.get(start..end),
            sentence.get(end..),
        ) else {
            return false;
        };
        // The words that decide stand near the phrase; looking no further keeps a long line
        // with many phrases ("IP地址、IP地址、…") linear.
        let before =
            &before[before.floor_char_boundary(before.len().saturating_sub(MEANS_REACH))..];
        let after = &after[..after.floor_char_boundary(MEANS_REACH)];
        let clause_before = before.rfind(CLAUSE_ENDS).map_or(before, |at| {
            &before[at + before[at..].chars().next().map_or(1, char::len_utf8)..]
        });
        let clause_after = &after[..after.find(CLAUSE_ENDS).unwrap_or(after.len())];
        // "设备位置信息（如通过GPS获得的位置信息）、设备连接信息（如IP地址）": a bracket
        // closed between the means word and the phrase ends what the means word governs,
        // and one closed after the phrase ends what names the position.
        let means_before = self.means.iter().any(|w| {
            clause_before
                .rfind(w.as_str())
                .is_some_and(|at| unbalanced_close(&clause_before[at..]).is_none())
        });
        let until_close =
            &clause_after[..unbalanced_close(clause_after).unwrap_or(clause_after.len())];
        let names_position = |t: &str| self.position.iter().any(|w| t.contains(w.as_str()));
        if means_before && (names_position(clause_before) || names_position(until_close)) {
            return true;
        }
        if self
            .anaphoric_technique
            .iter()
            .any(|w| sentence.trim_start().starts_with(w.as_str()))
        {
            return true;
        }
        self.technique.iter().any(|w| before.contains(w.as_str()))
            && (names_position(before) || names_position(phrase) || names_position(after))
    }

    /// The ids that are no ontology id, with the closest spelling of each.
    pub(super) fn unknown_ids<'a>(
        &'a self,
        known: &'a [&'a str],
    ) -> impl Iterator<Item = String> + 'a {
        self.ids
            .iter()
            .filter(|id| !known.contains(&id.as_str()))
            .map(|id| {
                format!(
                    "{id:?} is no data-type id{}",
                    crate::suggest::hint(id, known.iter())
                )
            })
    }
}

/// The last `n` characters of `text`.
fn tail_chars(text: &str, n: usize) -> &str {
    if n == 0 {
        return "";
    }
    let at = text.char_indices().rev().nth(n - 1).map_or(0, |(i, _)| i);
    &text[at..]
}

/// The first `n` characters of `text`.
fn head_chars(text: &str, n: usize) -> &str {
    let at = text.char_indices().nth(n).map_or(text.len(), |(i, _)| i);
    &text[..at]
}

/// One automaton over `[not_data] words_zh` and `words_en` (Latin letters in any case),
/// or none when both lists are empty.
fn word_automaton(words: &[String]) -> Result<Option<AhoCorasick>, ExtractError> {
    let words: Vec<&str> = words
        .iter()
        .map(|w| w.trim())
        .filter(|w| !w.is_empty())
        .collect();
    if words.is_empty() {
        return Ok(None);
    }
    AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build(words)
        .map(Some)
        .map_err(|e| ExtractError::Pattern(format!("[not_data] words: {e}")))
}

/// Whether a phrase is followed by an address or a number of its own: "邮箱(cn@example.com)",
/// "联系方式：021-31165679" name the operator's contact, shown as a value, not data of the user.
fn shows_a_contact_value(after: &str) -> bool {
    let rest = after.trim_start();
    let rest = rest
        .strip_prefix(['：', ':', '（', '(', '为', '是'])
        .unwrap_or(rest)
        .trim_start();
    let local: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '%' | '+' | '-'))
        .collect();
    if !local.is_empty() && rest[local.len()..].starts_with('@') {
        return true;
    }
    let digits = rest
        .chars()
        .take_while(|c| c.is_ascii_digit() || matches!(c, '-' | ' '))
        .filter(char::is_ascii_digit)
        .count();
    rest.starts_with(|c: char| c.is_ascii_digit()) && digits >= 7
}

/// Separators of a coordinated run of means ("通过电话、短信或邮件").
const MEANS_JOINERS: &[&str] = &["、", "，", ",", "/", "或者", "或", "和", "及", "以及", " "];

impl NotData {
    /// Whether `phrase`, standing between `before` and `after`, names no data.
    pub(super) fn excludes(&self, before: &str, phrase: &str, after: &str) -> bool {
        self.in_word(before, phrase, after)
            || self.negated(before)
            || self
                .party_after
                .iter()
                .chain(&self.container_after)
                .any(|w| after.starts_with(w.as_str()))
            || shows_a_contact_value(after)
            || (self.is_means(before, phrase)
                && !self
                    .not_means_after
                    .iter()
                    .any(|w| after.starts_with(w.as_str())))
    }

    /// Whether one of `words` covers part of the phrase and goes beyond it, or covers
    /// the phrase and more: Chinese has no spaces, so "主体重新" holds 体重.
    fn in_word(&self, before: &str, phrase: &str, after: &str) -> bool {
        let Some(words) = &self.words else {
            return false;
        };
        // A word starts at most its length before the phrase's end and ends at most its
        // length after the phrase's start.
        let lead = tail_chars(before, self.longest_word);
        let trail = head_chars(after, self.longest_word);
        let window = format!("{lead}{phrase}{trail}");
        let (start, end) = (lead.len(), lead.len() + phrase.len());
        words.find_overlapping_iter(window.as_str()).any(|m| {
            let (a, b) = (m.start(), m.end());
            a < end && b > start && (a < start || b > end)
        })
    }

    fn negated(&self, before: &str) -> bool {
        self.negating_prefixes
            .iter()
            .any(|p| before.ends_with(p.as_str()))
            && !self
                .not_negating
                .iter()
                .any(|w| before.ends_with(w.as_str()))
    }

    /// "通过电话、短信或电子邮件": the phrase and the items before it back to a means verb
    /// are all means of contact.
    fn is_means(&self, before: &str, phrase: &str) -> bool {
        if !self.means.iter().any(|m| m == phrase) {
            return false;
        }
        let mut rest = before;
        // A run is short; the bound keeps a hostile sentence from costing more.
        for _ in 0..16 {
            let unfilled = self
                .means_fillers
                .iter()
                .find(|f| rest.ends_with(f.as_str()))
                .map_or(rest, |f| &rest[..rest.len() - f.len()]);
            if self
                .means_verbs
                .iter()
                .any(|v| unfilled.ends_with(v.as_str()))
            {
                return true;
            }
            let Some(joiner) = MEANS_JOINERS.iter().find(|j| rest.ends_with(**j)) else {
                return false;
            };
            rest = &rest[..rest.len() - joiner.len()];
            let Some(item) = self.means.iter().find(|m| rest.ends_with(m.as_str())) else {
                return false;
            };
            rest = &rest[..rest.len() - item.len()];
        }
        false
    }
}

/// How many bytes before a 不得 its consent condition may stand ("未经用户许可，许可人不得":
/// 33 bytes; a company name as the subject makes it longer).
const OPERATOR_PROMISE_REACH: usize = 120;

/// The non-empty words of some lists, trimmed, and lower-cased when `lower`.
/// How far before a party its source word may stand (bytes): "from Apple, Google or ".
const PARTY_SOURCE_REACH: usize = 60;

fn word_list(lists: &[&[String]], lower: bool) -> Vec<String> {
    lists
        .iter()
        .flat_map(|l| l.iter())
        .map(|w| {
            let w = w.trim();
            if lower {
                w.to_lowercase()
            } else {
                w.to_string()
            }
        })
        .filter(|w| !w.is_empty())
        .collect()
}

/// One alternation of Chinese words (as written) and English words (whole words, `*` for
/// any ending), case-insensitive.
fn alternation(zh: &[String], en: &[String]) -> String {
    let mut parts: Vec<String> = Vec::new();
    for w in zh.iter().map(|w| w.trim()).filter(|w| !w.is_empty()) {
        parts.push(regex::escape(w));
    }
    for w in en.iter().map(|w| w.trim()).filter(|w| !w.is_empty()) {
        let (stem, open) = match w.strip_suffix('*') {
            Some(stem) => (stem, true),
            None => (w, false),
        };
        let words: Vec<String> = stem.split_whitespace().map(regex::escape).collect();
        let body = words.join(r"\s+");
        let end = if open { r"\w*" } else { "" };
        parts.push(format!(r"(?-u:\b){body}{end}(?-u:\b)"));
    }
    if parts.is_empty() {
        // Matches nothing: an empty list switches the practice off.
        return r"[^\s\S]".to_string();
    }
    format!("(?i)(?:{})", parts.join("|"))
}

impl PracticeWords {
    pub(super) fn parse(text: &str, file: &str) -> Result<PracticeWords, ExtractError> {
        let raw: RawPhrases = toml::from_str(text).map_err(|e| ExtractError::Lexicon {
            file: file.to_string(),
            message: e.to_string(),
        })?;
        let compile = |p: String| {
            super::classes::compile(&p).map_err(|e| ExtractError::Lexicon {
                file: file.to_string(),
                message: e.to_string(),
            })
        };
        let v = &raw.verbs;
        let joined = |a: &[String], b: &[String]| [a, b].concat();
        let l = &raw.sdk_list;
        let mut sdk_list = Labels::compile(
            &LabelWords {
                name: joined(&l.name_zh, &l.name_en),
                entity: joined(&l.entity_zh, &l.entity_en),
                purpose: joined(&l.purpose_zh, &l.purpose_en),
                data: joined(&l.data_zh, &l.data_en),
                link: joined(&l.link_zh, &l.link_en),
                other: joined(&l.other_zh, &l.other_en),
                generic: l.generic.clone(),
                link_list_lead_in: l.link_list_lead_in.clone(),
            },
            file,
        )?;
        let sections = match &raw.section_headings {
            Some(h) => SectionWords::compile(h, file)?,
            None => builtin_sections()?,
        };
        sdk_list.set_sections(sections.clone());
        let product_words = match &raw.vendor_products {
            Some(p) => product_words(p, text, file)?,
            None => builtin_product_words()?,
        };
        let own_names = match raw.own_names.clone() {
            Some(w) => w,
            None => builtin_own_names()?,
        };
        let n = &raw.prose_names;
        // "To show you ads, these networks may use …": an opening purpose or condition
        // may stand before the reference.
        let party_anaphor = compile(format!(
            r"^\W*(?:(?i:to|for|when|whenever|if|in order to)\s[^,.;，。；]{{0,80}}[,，]\s*)?{}",
            alternation(&n.party_anaphors_zh, &n.party_anaphors_en)
        ))?;
        let nd = raw.not_data;
        let lm = raw.location_means;
        Ok(PracticeWords {
            sections,
            product_words,
            own_names,
            party_anaphor,
            means_before: n.means_before_zh.clone(),
            means_after: n.means_after_zh.clone(),
            source_before: n.source_before_zh.clone(),
            source_after: n.source_after_zh.clone(),
            not_data: NotData {
                negating_prefixes: nd.negating_prefixes_zh,
                not_negating: nd.not_negating_zh,
                means_verbs: nd.means_verbs_zh,
                means_fillers: nd.means_fillers_zh,
                means: nd.means_zh,
                not_means_after: nd.not_means_after_zh,
                party_after: nd.party_after_zh,
                container_after: nd.container_after_zh,
                longest_word: nd
                    .words_zh
                    .iter()
                    .chain(&nd.words_en)
                    .map(|w| w.chars().count())
                    .max()
                    .unwrap_or(0),
                words: word_automaton(&[nd.words_zh, nd.words_en].concat())?,
            },
            location_means: LocationMeans {
                ids: lm.ids,
                means: lm.means_zh,
                technique: lm.technique_zh,
                anaphoric_technique: lm.anaphoric_technique_zh,
                position: lm.position_zh,
            },
            sdk_list,
            prose_names: ProseNames::new(
                &n.introducers_en,
                &n.service_introducers_en,
                &n.flow_introducers_en,
                &n.not_name_en,
                &n.name_enders_en,
                &n.legal_forms_en,
                &n.subject_verbs_en,
            ),
            collect: compile(alternation(&v.collect_zh, &v.collect_en))?,
            permission: compile(format!(
                "{}[^，。；,;]{{0,24}}?权限",
                alternation(&v.permission_zh, &[])
            ))?,
            share: compile(alternation(&v.share_zh, &v.share_en))?,
            lead_in: compile(alternation(&raw.lead_in.zh, &raw.lead_in.en))?,
            header_practice: compile(alternation(
                &raw.table_header.practice_zh,
                &raw.table_header.practice_en,
            ))?,
            header_negation: compile(alternation(
                &raw.table_header.negation_zh,
                &raw.table_header.negation_en,
            ))?,
            definition: compile(alternation(&raw.definition.zh, &raw.definition.en))?,
            not_practice: compile(alternation(&raw.not_practice.zh, &raw.not_practice.en))?,
            operator_promise: word_list(
                &[&raw.operator_promise.zh, &raw.operator_promise.en],
                false,
            ),
            user_rights: compile(alternation(&raw.user_rights.zh, &raw.user_rights.en))?,
            refusal: word_list(&[&raw.refusal.zh, &raw.refusal.en], true),
            purpose_clause: word_list(&[&raw.purpose_clause.zh], false),
            spared_effort: word_list(&[&raw.spared_effort.zh, &raw.spared_effort.en], true),
            list_exception: word_list(&[&raw.list_exception.zh, &raw.list_exception.en], true),
            party_source: word_list(&[&raw.party_source.zh, &raw.party_source.en], true),
            party_from: word_list(&[&raw.party_source.from_en], true),
            party_source_after: word_list(&[&raw.party_source.after_en], true),
            receiving: word_list(&[&raw.party_source.receiving_en], true),
            denial_anaphor: compile(alternation(&raw.denial_anaphor.zh, &raw.denial_anaphor.en))?,
            denial_exception: compile(alternation(
                &raw.denial_anaphor.exception_zh,
                &raw.denial_anaphor.exception_en,
            ))?,
            purpose_label: compile(format!(
                r"^\W*{}\W*$",
                alternation(&raw.purpose_label.zh, &raw.purpose_label.en)
            ))?,
            general_subject: compile(format!(
                r"^\W{{0,3}}(?:本(?:隐私)?政策中?(?:涉及|所称|所述)?的|the\s+)?{}\s*(?:是指|指|包括|包含|主要包括|是一种|includes?|means|is|are\b)",
                alternation(&raw.definition.subjects_zh, &raw.definition.subjects_en)
            ))?,
        })
    }

    pub(super) fn has_collect_verb(&self, text: &str) -> bool {
        self.collect.is_match(text) || self.permission.is_match(text)
    }

    /// What a short table header cell says of its column: `Some(true)` for "We store" or
    /// "What we collect", `Some(false)` for "We cannot see" or "Not collected".
    pub(super) fn header_practice(&self, cell: &str) -> Option<bool> {
        if cell.chars().count() > 40 {
            return None;
        }
        if !(self.header_practice.is_match(cell) || self.collect.is_match(cell)) {
            return None;
        }
        Some(!self.header_negation.is_match(cell))
    }

    pub(super) fn has_share_verb(&self, text: &str) -> bool {
        self.share.is_match(text)
    }

    /// Whether a sentence opens by referring to the parties named before it ("These
    /// companies may collect …", "上述第三方会收集…").
    pub(super) fn refers_to_named_parties(&self, text: &str) -> bool {
        self.party_anaphor.is_match(text)
    }

    /// Which party mentions (byte spans, in text order) name the means of a login or a
    /// payment ("您可以使用微信、支付宝账号授权登录", "选择微信支付、云闪付等支付方式"): a
    /// run of mentions joined by 、/或/和, after a word such as 使用 or 通过 and followed,
    /// before the next punctuation, by a word such as 登录 or 支付.
    pub(super) fn brands_as_means(&self, text: &str, spans: &[(usize, usize)]) -> Vec<bool> {
        let mut out = vec![false; spans.len()];
        if self.means_before.is_empty() || self.means_after.is_empty() {
            return out;
        }
        // Between two brands of a run: a joiner, or a short item that names no party
        // between joiners ("微信、QQ、微博登录").
        let joins = |c: char| "、,，或和及与/ ".contains(c);
        let joiner = |gap: &str| {
            let n = gap.chars().count();
            (n <= 2 && gap.chars().all(joins))
                || (n <= 8
                    && gap.starts_with(joins)
                    && gap.ends_with(joins)
                    && !gap.contains(['，', ','])
                    && gap.chars().all(|c| joins(c) || c.is_alphanumeric()))
        };
        let mut i = 0;
        while i < spans.len() {
            let mut j = i;
            while j + 1 < spans.len()
                && text
                    .get(spans[j].1..spans[j + 1].0)
                    .is_some_and(|gap| spans[j].1 <= spans[j + 1].0 && joiner(gap))
            {
                j += 1;
            }
            // Within the clause, a few words back: the brand may stand after other means
            // that name no party ("使用微信支付、支付宝或银行卡进行支付").
            let before = text.get(..spans[i].0).unwrap_or("");
            let clause_start = before
                .rfind(['，', '。', '；', ',', ';', '：'])
                .map_or(0, |at| {
                    at + before[at..].chars().next().map_or(1, char::len_utf8)
                });
            let before: String = before[clause_start..]
                .chars()
                .rev()
                .take(12)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            let after = text.get(spans[j].1..).unwrap_or("");
            // "通过社交软件（如微博、微信）账号登录": examples in brackets stand for the
            // noun before them, and the clause goes on after the bracket.
            let in_brackets = before.contains(['（', '(']) && !before.contains(['）', ')']);
            let after = match after.strip_prefix(['）', ')']) {
                Some(rest) if in_brackets => rest,
                _ => after,
            };
            let clause_end = after
                .find(['，', '。', '；', ',', ';', '：'])
                .unwrap_or(after.len());
            let after: String = after[..clause_end].chars().take(14).collect();
            // The brands' own words count too: "微信支付" is a means by itself, and makes
            // the run it heads one ("选择微信支付、支付宝或云闪付等方式").
            let owns: Vec<&str> = spans[i..=j]
                .iter()
                .filter_map(|&(a, b)| text.get(a..b))
                .collect();
            // The means word may also end an item before the brand, after the first word:
            // "选择微信支付、支付宝或云闪付".
            let around = |before_words: &[String], after_words: &[String], items_before: bool| {
                let Some(lead_end) = before_words
                    .iter()
                    .filter_map(|w| before.find(w.as_str()).map(|at| at + w.len()))
                    .min()
                else {
                    return false;
                };
                let between = before.get(lead_end..).unwrap_or("");
                after_words.iter().any(|w| {
                    after.contains(w.as_str())
                        || (items_before && between.contains(w.as_str()))
                        || owns.iter().any(|o| o.ends_with(w.as_str()))
                })
            };
            // Not for a source: "从您的设备获取信息并提供给友盟" gives Umeng the data.
            let means = around(&self.means_before, &self.means_after, true)
                || around(&self.source_before, &self.source_after, false);
            if means {
                for flag in &mut out[i..=j] {
                    *flag = true;
                }
            }
            i = j + 1;
        }
        out
    }

    /// Whether a sentence states a practice at all.
    pub(super) fn states_practice(&self, text: &str) -> bool {
        self.has_collect_verb(text) || self.has_share_verb(text)
    }

    /// Whether a sentence defines a term or lists what a general term covers ("个人信息是
    /// 指……", "个人信息包括姓名、……"): examples, not what this app does.
    pub(super) fn is_definition(&self, text: &str) -> bool {
        if self.definition.is_match(text) {
            return true;
        }
        // "Personal Data is collected for the following purposes": a passive statement
        // of practice, not what the term covers.
        self.general_subject.find(text).is_some_and(|m| {
            let next = text[m.end()..].trim_start();
            let word_end = next
                .find(|c: char| !c.is_ascii_alphabetic())
                .unwrap_or(next.len());
            !self.states_practice(&next[..word_end])
        })
    }

    /// Whether a sentence is a terms-of-service rule rather than a statement of practice.
    pub(super) fn is_terms_of_service(&self, text: &str) -> bool {
        self.not_practice.find_iter(text).any(|m| {
            // "未经用户许可，许可人不得向任何第三方提供…": the operator's promise, which
            // the negation rules read (the data are held, not shared without consent).
            // The condition stands just before; a bounded window keeps long lines linear.
            let from = text.floor_char_boundary(m.start().saturating_sub(OPERATOR_PROMISE_REACH));
            !(m.as_str() == "不得"
                && text.get(from..m.start()).is_some_and(|before| {
                    self.operator_promise
                        .iter()
                        .any(|w| before.contains(w.as_str()))
                }))
        })
    }

    /// Whether a sentence speaks of the user refusing or switching something off ("若您
    /// 拒绝授权该权限，则我们不会获取…"): its denial is what follows the refusal, not a
    /// statement of what is never kept.
    pub(super) fn speaks_of_refusal(&self, sentence: &str) -> bool {
        let lower = sentence.to_lowercase();
        self.refusal.iter().any(|w| lower.contains(w.as_str()))
    }

    /// Whether a sentence tells the user how to see, correct or withdraw what was given
    /// rather than stating a practice.
    pub(super) fn is_user_rights(&self, text: &str) -> bool {
        self.user_rights.is_match(text)
    }

    /// Whether the phrase at `start..end` of `sentence` stands in a clause that says why
    /// and collects nothing itself: in "我们会收集您的充值记录，以便您查询您的交易记录" the
    /// records collected are the 充值记录, not the 交易记录 the user looks up.
    pub(super) fn in_purpose_clause(&self, sentence: &str, start: usize, end: usize) -> bool {
        if self.purpose_clause.is_empty() {
            return false;
        }
        let (Some(before), Some(after)) = (sentence.get(..start), sentence.get(end..)) else {
            return false;
        };
        // A purpose clause is short; looking no further keeps a long line with many data
        // words linear.
        let from = before.floor_char_boundary(before.len().saturating_sub(PURPOSE_CLAUSE_REACH));
        let window = &before[from..];
        let clause_before = match window.rfind(PURPOSE_CLAUSE_ENDS) {
            Some(at) => &window[at + window[at..].chars().next().map_or(1, char::len_utf8)..],
            None if from == 0 => window,
            None => return false,
        };
        let opener = clause_before.trim_start_matches(|c: char| c.is_whitespace() || c == '*');
        if !self
            .purpose_clause
            .iter()
            .any(|w| opener.starts_with(w.as_str()))
        {
            return false;
        }
        let after = &after[..after.floor_char_boundary(PURPOSE_CLAUSE_REACH)];
        let clause_after = &after[..after.find(PURPOSE_CLAUSE_ENDS).unwrap_or(after.len())];
        let clause = format!("{clause_before}{clause_after}");
        !self.has_collect_verb(&clause) && !self.has_share_verb(&clause)
    }

    /// Whether the phrase at `start` in `sentence` is what the user is spared typing
    /// again ("帮您省去重复输入注册信息的步骤"): a word of `[spared_effort]` stands before
    /// it in its clause.
    pub(super) fn is_spared_effort(&self, sentence: &str, start: usize) -> bool {
        if self.spared_effort.is_empty() {
            return false;
        }
        let Some(before) = sentence.get(..start) else {
            return false;
        };
        let from = before.floor_char_boundary(before.len().saturating_sub(SPARED_EFFORT_REACH));
        let window = &before[from..];
        let clause = match window.rfind(SPARED_EFFORT_ENDS) {
            Some(at) => &window[at..],
            None => window,
        };
        let clause = clause.to_lowercase();
        self.spared_effort
            .iter()
            .any(|w| clause.contains(w.as_str()))
    }

    /// Whether the phrase at `start` stands in an exception a list makes of itself: "rent
    /// your name and mailing address (but not your email address)", "demographic
    /// information - gender, age - but not your name or contact information". The
    /// exception runs to a bracket, a dash, a full stop or a semicolon; "but not limited
    /// to" makes none.
    pub(super) fn is_excepted(&self, sentence: &str, start: usize) -> bool {
        if self.list_exception.is_empty() {
            return false;
        }
        let Some(before) = sentence.get(..start) else {
            return false;
        };
        let from = before.floor_char_boundary(before.len().saturating_sub(LIST_EXCEPTION_REACH));
        let window = before[from..].to_lowercase();
        let Some((at, word)) = self
            .list_exception
            .iter()
            .filter_map(|w| window.rfind(w.as_str()).map(|at| (at, w)))
            .max_by_key(|&(at, _)| at)
        else {
            return false;
        };
        let rest = &window[at + word.len()..];
        let limited = ["limited", "necessarily", "only", "限于"]
            .iter()
            .any(|w| rest.trim_start().starts_with(w));
        let closed = rest.contains(LIST_EXCEPTION_ENDS)
            || [" - ", ", and ", ", but ", ", which "]
                .iter()
                .any(|w| rest.contains(w));
        !limited && !closed
    }

    /// Whether the party named at `start` is where data come from rather than where
    /// they go: "we receive an identifier from Apple or Google", "use Sign in with
    /// Apple". Between the source word and the party there may stand only other names
    /// joined by "or", "and" or commas.
    pub(super) fn is_source_party(&self, sentence: &str, start: usize) -> bool {
        let Some(before) = sentence.get(..start) else {
            return false;
        };
        if self.source_word_after(sentence.get(start..).unwrap_or("")) {
            return true;
        }
        let from = before.floor_char_boundary(before.len().saturating_sub(PARTY_SOURCE_REACH));
        let window = before[from..].to_lowercase();
        let direct = self.party_source.iter().map(|w| (w, false));
        let after_verb = self.party_from.iter().map(|w| (w, true));
        direct.chain(after_verb).any(|(word, needs_verb)| {
            let Some(at) = window.rfind(word.as_str()) else {
                return false;
            };
            if needs_verb && !self.receives_before(&before[..from + at]) {
                return false;
            }
            let starts_word = !window[..at]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_alphanumeric());
            let between = window[at + word.len()..].trim();
            let joined = between.is_empty()
                || ((between.ends_with(" or")
                    || between.ends_with(" and")
                    || between.ends_with(','))
                    && between.split_whitespace().count() <= 5
                    && !between.contains(['.', ';', ':', '(', ')']));
            starts_word && window[at + word.len()..].starts_with(' ') && joined
        })
    }

    /// Whether `rest`, which starts at a party's name, goes on past that name (and names
    /// joined to it by "or", "and" or commas) with words that make it where data come
    /// from ("Apple or Google sends me …", "Plaid gives us …").
    fn source_word_after(&self, rest: &str) -> bool {
        if self.party_source_after.is_empty() {
            return false;
        }
        let mut words = rest.split_whitespace().take(12).peekable();
        let mut skipped = 0;
        while let Some(w) = words.peek() {
            let joins = matches!(*w, "or" | "and" | "&");
            let capital = w.starts_with(|c: char| c.is_uppercase() || c.is_ascii_digit());
            if !(joins || capital) || skipped >= 8 {
                break;
            }
            skipped += 1;
            words.next();
        }
        if skipped == 0 {
            return false;
        }
        let tail: Vec<String> = words
            .filter(|w| !super::prose_names::SUBJECT_ADVERBS.contains(w))
            .take(4)
            .map(|w| w.trim_end_matches([',', '.', ';']).to_lowercase())
            .collect();
        let tail = tail.join(" ");
        self.party_source_after.iter().any(|w| {
            tail.strip_prefix(w.as_str())
                .is_some_and(|rest| rest.is_empty() || rest.starts_with(' '))
        })
    }

    /// Whether the clause that ends at the end of `text` has a verb of receiving
    /// ("we receive … from").
    fn receives_before(&self, text: &str) -> bool {
        let start = text.floor_char_boundary(text.len().saturating_sub(PARTY_SOURCE_REACH * 2));
        let tail = &text[start..];
        let clause = tail
            .rsplit(['.', ';', ':', '!', '?'])
            .next()
            .unwrap_or(tail)
            .to_lowercase();
        clause.split(|c: char| !c.is_alphanumeric()).any(|word| {
            self.receiving
                .iter()
                .any(|stem| word.starts_with(stem.as_str()))
        })
    }

    /// Whether a denial's clause names its object only by referring back ("we do not
    /// collect those examples", "我们不会收集上述信息"), so that it denies the data the
    /// clause before it listed. "上述信息以外的信息" and "other than these" make an
    /// exception, which refers back to nothing denied.
    pub(super) fn refers_back(&self, clause: &str) -> bool {
        self.denial_anaphor.is_match(clause) && !self.denial_exception.is_match(clause)
    }

    /// Whether a list item's label ("使用目的：", "Purpose:") introduces a purpose.
    pub(super) fn is_purpose_label(&self, label: &str) -> bool {
        self.purpose_label.is_match(label.trim())
    }

    /// Whether a sentence introduces the list after it: it ends in a colon and says what
    /// is done ("我们会收集以下信息：", "We collect the following data:").
    pub(super) fn is_lead_in(&self, text: &str) -> bool {
        let t = text.trim_end();
        let ends_colon = t.ends_with(':') || t.ends_with('：');
        ends_colon && (self.states_practice(t) || self.lead_in.is_match(t))
    }
}

/// A product word and the SDK categories it points to (`[vendor_products]`).
#[derive(Debug, Clone)]
pub(super) struct ProductWord {
    /// Lower case.
    pub word: String,
    pub categories: Vec<String>,
}

/// `[vendor_products]` turned around: each word with its categories, longest word first
/// (at one place in the text the longer word is the more specific). An unknown category
/// is an error naming the file, its line and the closest category.
fn product_words(
    raw: &BTreeMap<String, Vec<String>>,
    text: &str,
    file: &str,
) -> Result<Vec<ProductWord>, ExtractError> {
    let known = crate::sdk::signatures::CATEGORIES;
    let mut out: Vec<ProductWord> = Vec::new();
    for (category, words) in raw {
        if !known.contains(&category.as_str()) {
            let line = crate::suggest::table_line_of_key(text, "vendor_products", category)
                .map(|l| format!(":{l}"))
                .unwrap_or_default();
            return Err(ExtractError::Lexicon {
                file: format!("{file}{line}"),
                message: format!(
                    "[vendor_products] {category:?} is no SDK category{}",
                    crate::suggest::hint(category, known)
                ),
            });
        }
        for w in words {
            let word = w.trim().to_lowercase();
            if word.is_empty() {
                continue;
            }
            match out.iter_mut().find(|p| p.word == word) {
                Some(p) => p.categories.push(category.clone()),
                None => out.push(ProductWord {
                    word,
                    categories: vec![category.clone()],
                }),
            }
        }
    }
    out.sort_by_key(|p| std::cmp::Reverse(p.word.len()));
    Ok(out)
}

/// The tables of the built-in phrase file that a user's older file may lack.
#[derive(Deserialize)]
struct BuiltinTables {
    section_headings: RawSectionHeadings,
    vendor_products: BTreeMap<String, Vec<String>>,
    own_names: OwnNameWords,
}

const BUILTIN_FILE: &str = "built-in policy-phrases.toml";

fn builtin_tables() -> Result<BuiltinTables, ExtractError> {
    toml::from_str(DEFAULT_POLICY_PHRASES).map_err(|e| ExtractError::Lexicon {
        file: BUILTIN_FILE.to_string(),
        message: e.to_string(),
    })
}

/// The product words of the built-in phrase file, for a phrase file without its own.
fn builtin_product_words() -> Result<Vec<ProductWord>, ExtractError> {
    let raw = builtin_tables()?;
    product_words(&raw.vendor_products, DEFAULT_POLICY_PHRASES, BUILTIN_FILE)
}

/// How the built-in phrase file says a policy names itself, for a phrase file without
/// its own.
pub(super) fn builtin_own_names() -> Result<OwnNameWords, ExtractError> {
    Ok(builtin_tables()?.own_names)
}

/// The heading words of the built-in phrase file, for a phrase file without its own.
pub(super) fn builtin_sections() -> Result<SectionWords, ExtractError> {
    SectionWords::compile(&builtin_tables()?.section_headings, BUILTIN_FILE)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words() -> PracticeWords {
        PracticeWords::parse(DEFAULT_POLICY_PHRASES, "policy-phrases.toml").expect("built-in")
    }

    #[test]
    fn verbs_in_plain_sentences() {
        let w = words();
        assert!(w.has_collect_verb("当您联系客服时，我们需要您提供姓名和联系电话。"));
        assert!(w.has_collect_verb("We collected your e-mail address when you signed up."));
        assert!(w.has_share_verb("我们会将设备标识共享给推送服务商。"));
        // A permission statement is a collection statement.
        assert!(w.has_collect_verb("拍照时我们会申请您的相机权限。"));
        assert!(!w.has_collect_verb("拍照时请打开相机。"));
        assert!(w.has_share_verb("We may disclose your address to couriers."));
        // Whole words only: "user" is not "use", "login" is not "log".
        assert!(!w.has_collect_verb("The user login page."));
    }

    #[test]
    fn a_party_followed_by_sends_us_is_a_source() {
        let w = words();
        let at = |t: &str, name: &str| t.find(name).expect("name in text");
        let t = "Apple or Google sends me a stable account identifier.";
        assert!(w.is_source_party(t, at(t, "Apple")));
        assert!(w.is_source_party(t, at(t, "Google")));
        let t = "When you link a bank, Ledgerline Inc. may give us your balances.";
        assert!(w.is_source_party(t, at(t, "Ledgerline")));
        // A party that receives is no source.
        let t = "Textly receives your phone number and sends you the code.";
        assert!(!w.is_source_party(t, at(t, "Textly")));
    }

    #[test]
    fn references_to_the_parties_named_before() {
        let w = words();
        assert!(w.refers_to_named_parties("These companies may collect your IP address."));
        // After an opening purpose or condition.
        assert!(w.refers_to_named_parties(
            "To show you ads, these networks may use your advertising ID."
        ));
        assert!(w.refers_to_named_parties("Both receive your email address."));
        // Not a reference when the clause before the comma is a sentence of its own.
        assert!(!w.refers_to_named_parties(
            "We keep your data for a year. These companies may collect it."
        ));
    }

    #[test]
    fn lead_ins_end_in_a_colon() {
        let w = words();
        assert!(w.is_lead_in("注册账号时，我们会收集以下信息："));
        assert!(w.is_lead_in("The following data is collected:"));
        assert!(w.is_lead_in("这些信息包括："));
        assert!(!w.is_lead_in("我们会收集以下信息。"));
        assert!(!w.is_lead_in("联系我们："));
    }

    #[test]
    fn definitions_are_recognised() {
        let w = words();
        assert!(
            w.is_definition("敏感个人信息是指一旦泄露可能危害人身安全的信息，包括身份证件号码。")
        );
        assert!(w.is_definition("个人信息包括姓名、出生日期、住址等。"));
        // The standard's own wording of what sensitive information is.
        assert!(w.is_definition(
            "一旦泄露或滥用可能危害人身和财产安全的信息为敏感信息，主要包括：银行账号、行踪轨迹。"
        ));
        // What "sensitive" covers in this policy is still a definition of the term.
        assert!(w.is_definition("本政策中的个人敏感信息包括：身份证件号码、行踪轨迹。"));
        assert!(w.is_definition(
            "某些信息因其特殊性可能被认为是敏感个人信息，例如您的宗教信仰、健康信息。"
        ));
        assert!(w.is_definition("\"Device data\" means the model and identifiers of a phone."));
        assert!(!w.is_definition("我们会收集您的个人信息，包括姓名和手机号码。"));
        // A passive statement of practice is no definition (the iubenda lead-in).
        assert!(!w.is_definition(
            "Personal Data is collected for the following purposes and using the following services:"
        ));
        assert!(w.is_definition("Personal data is any information about a person."));
    }

    #[test]
    fn terms_of_service_rules_are_not_practice() {
        let w = words();
        assert!(w.is_terms_of_service("用户不得上传侵犯他人权利的图片、视频。"));
        assert!(w.is_terms_of_service("All photos remain our intellectual property."));
        assert!(!w.is_terms_of_service("我们会收集您上传的照片。"));
        // A breach of the agreement and the user's own undertakings.
        assert!(w.is_terms_of_service("在用户之间买卖游戏金币构成对本协议的违反。"));
        assert!(w.is_terms_of_service("用户承诺设置头像时遵守以下规则："));
        assert!(w.is_terms_of_service("请您在注销前自行备份您的订单记录等资料。"));
    }

    #[test]
    fn data_words_in_a_purpose_clause_name_no_data() {
        let w = words();
        let at = |t: &str, word: &str| {
            let start = t.find(word).expect("word in the sentence");
            w.in_purpose_clause(t, start, start + word.len())
        };
        let t = "购买会员时我们会收集您的订单号，以便您日后查询您的交易记录。";
        assert!(at(t, "交易记录"));
        assert!(!at(t, "订单号"));
        // A clause with a verb of its own still collects.
        assert!(!at("我们需要您绑定手机号码，以便接收验证码。", "验证码"));
        // The colon ends the purpose: the list after it is what is asked for.
        assert!(!at("以便为您提供以下功能：您的职位、邮箱。", "邮箱"));
    }

    #[test]
    fn what_the_user_is_spared_typing_is_no_data() {
        let w = words();
        let at = |t: &str, word: &str| w.is_spared_effort(t, t.find(word).expect("word"));
        let t = "这么做是为了解您的使用习惯，帮您省去重复输入注册信息的步骤，或者帮助判断您的账户安全。";
        assert!(at(t, "注册信息"));
        assert!(!at(t, "账户安全"));
        assert!(!at(t, "使用习惯"));
        let t = "帮助你省去重复你填写个人信息、输入搜索内容的步骤和流程(例如:实现一键登录流程、记录搜索历史)。";
        assert!(at(t, "搜索历史"));
        assert!(at("这样做可使您无需另记一个用户名和密码。", "密码"));
        assert!(at(
            "We sign you in so that you do not have to enter a username and password each time.",
            "password"
        ));
        assert!(!at("我们会收集您的用户名和密码。", "密码"));
    }

    #[test]
    fn an_exception_a_list_makes_of_itself_is_no_data() {
        let w = words();
        let at = |t: &str, word: &str| w.is_excepted(t, t.find(word).expect("word"));
        let t = "We may rent your name and mailing address (but not your email address) and other details.";
        assert!(at(t, "email address"));
        assert!(!at(t, "mailing address"));
        assert!(!at(t, "other details"));
        let t = "We use demographic data - gender, age and postal code but not your name or contact details - to tailor ads.";
        assert!(at(t, "contact details"));
        assert!(!at(t, "postal code"));
        assert!(!at(t, "to tailor"));
        let t = "We collect information including, but not limited to, your phone number.";
        assert!(!at(t, "phone number"));
        assert!(at("我们会收集您的设备信息（但不包括IMEI）。", "IMEI"));
        assert!(!at(
            "我们会收集您的设备信息（但不包括IMEI），以及位置。",
            "位置"
        ));
    }

    #[test]
    fn instructions_for_the_users_rights_are_not_practice() {
        let w = words();
        assert!(w.is_user_rights("我们会尽力保证您能够查阅、更正自己的注册信息及其他资料。"));
        assert!(w.is_user_rights(
            "你可以在手机系统的权限管理中关闭通讯录、麦克风等权限，改变授权范围或撤回你的授权。"
        ));
        assert!(!w.is_user_rights("我们会收集您的注册信息，用于核验您的身份。"));
        assert!(!w.is_user_rights("您可以在设置中关闭个性化推荐。"));
        assert!(w.is_user_rights("对于相机、通讯录等非必需权限，关闭或拒绝授权不影响使用。"));
    }

    #[test]
    fn purpose_labels() {
        let w = words();
        assert!(w.is_purpose_label("使用目的："));
        assert!(w.is_purpose_label("Purpose:"));
        assert!(!w.is_purpose_label("收集的个人信息："));
    }

    #[test]
    fn negated_phrases_and_means_of_contact_name_no_data() {
        let nd = &words().not_data;
        // "non-identifying information" is not identity data; "unless" negates nothing.
        assert!(nd.excludes("可能会收集与你相关的非", "个人身份信息", "，以用于分析"));
        assert!(!nd.excludes("除非", "手机号码", "已被验证"));
        assert!(!nd.excludes("我们会收集您的", "手机号码", "。"));
        // A means of contact, alone or in a run after the means verb.
        assert!(nd.excludes("我们会向您的设备发送", "电子邮件", "、短信"));
        assert!(nd.excludes("我们会通过电话、", "短信", "或电子邮件向您发送通知"));
        assert!(nd.excludes("我们会通过电话、短信或", "电子邮件", "向您发送通知"));
        // Words between the verb and its run, and a message sent out on our behalf.
        assert!(nd.excludes("我们会通过包括但不限于站内信、", "短信", "等方式告知您"));
        assert!(nd.excludes("例如为我们发出", "电子邮件", "的服务商"));
        assert!(!nd.excludes("我们会收集包括但不限于", "邮箱", "在内的信息"));
        // A run broken by another word, or going on with a sign-in word, is data.
        assert!(!nd.excludes("通过姓名、", "电话", "联系您"));
        assert!(!nd.excludes("您可以通过", "邮箱", "注册账号"));
        // "公司及其关联公司" is the operator and its affiliates.
        assert!(nd.excludes("为维护其他用户、", "公司", "及其关联公司的合法权益"));
        assert!(!nd.excludes("职业、", "公司", "、教育背景"));
        // A container of the data named after it.
        assert!(nd.excludes("例如您提供的", "账户信息", "中包含的您所在地区信息"));
        assert!(!nd.excludes("例如您提供的", "账户信息", "、所在地区信息"));
        // The operator's own address or number, shown as a value.
        assert!(nd.excludes("请通过", "邮箱", "(privacy@example.cn)与我们联系"));
        assert!(nd.excludes("您可以联系客服，", "联系方式", "：021-5550 1234 。"));
        assert!(!nd.excludes("我们会收集您的", "邮箱", "（用于找回密码）"));
        assert!(!nd.excludes("您需提供", "手机号码", "（11位）"));
        // Only the means words: "发送短信验证码" still names the code.
        assert!(!nd.excludes("我们会向您发送", "短信验证码", "。"));
        // A word the phrase stands across or inside.
        assert!(nd.excludes("要求新的主体继续接受约束，要求该主", "体重", "新征求同意"));
        assert!(nd.excludes("适用中华人民共和国大陆", "地区", "法律"));
        assert!(nd.excludes("煽动", "民族", "仇恨的"));
        assert!(!nd.excludes("我们会记录您的身高、", "体重", "。"));
        assert!(!nd.excludes("您所在的", "地区", "。"));
        // Two words that hold a third across their edge, and where a court sits.
        assert!(nd.excludes("系统版本等设备特", "征信", "息。"));
        assert!(!nd.excludes("我们会查询您的", "征信", "记录。"));
        assert!(nd.excludes("提交本公司", "所在地", "有管辖权的人民法院"));
        // When a shared photo was taken is the photo's metadata, not when the app was used.
        assert!(nd.excludes("例如您上传的照片的日期、", "时间", "和地点"));
        assert!(!nd.excludes("我们会记录您登录的日期、", "时间", "。"));
        // A record handed over, a login feature, a switch, examples of a place, what is
        // protected and an action on the account.
        assert!(nd.excludes("运营方会协助提供账号的原始", "注册信息", "。"));
        assert!(!nd.excludes("我们会收集您的", "注册信息", "。"));
        assert!(nd.excludes("App支持", "指纹", "登录和面容登录"));
        assert!(!nd.excludes("我们会采集您的", "指纹", "信息。"));
        assert!(nd.excludes("允许改变", "WIFI", "连接状态"));
        assert!(nd.excludes("例如家和", "公司", "的地址"));
        assert!(nd.excludes("以保护您的财产、", "虚拟财产", "安全"));
        assert!(nd.excludes("运营方可暂停", "用户账号", "的使用"));
        // Where data may be sent, not where the user is.
        assert!(nd.excludes("可能被传输至您所在的国家或", "地区", "的境外管辖区"));
    }

    #[test]
    fn sensors_named_as_the_way_a_position_is_found_are_no_data() {
        let m = &words().location_means;
        let at = |t: &str, word: &str| {
            let start = t.find(word).expect("word in the sentence");
            m.names_means(t, start, start + word.len())
        };
        let t = "当您开启定位时，我们会借助GPS、Wi-Fi接入点或基站等方式确定您的大致位置。";
        assert!(at(t, "Wi-Fi接入点"));
        assert!(at(t, "基站"));
        // The position named first, its means in brackets after it.
        assert!(at("我们会记录您的位置信息（通过WLAN或基站获得）。", "基站"));
        // A technique list of a sentence about locating.
        let t = "我们会用多种技术为您定位，这些技术包括IP地址、附近的WLAN热点。";
        assert!(at(t, "IP地址"));
        // The same list in a sentence of its own, after the one about locating.
        let t = "这些技术包括IP地址、GPS以及能够提供相关信息的其他传感器（比如附近的WLAN接入点和基站）。";
        assert!(at(t, "基站"));
        assert!(!at("我们会收集这些技术信息，包括IP地址。", "IP地址"));
        // A bracket closed before the phrase ends what the means word governs.
        let t = "包括位置信息（如通过GPS获得的位置）、连接信息（如IP地址、运营商）。";
        assert!(!at(t, "IP地址"));
        // Collected for its own sake, or a means of something else.
        assert!(!at("我们会收集您的WLAN接入点信息和基站信息。", "基站信息"));
        assert!(!at("您可以通过蓝牙连接手表，同步运动数据。", "蓝牙"));
    }

    #[test]
    fn a_file_without_a_not_data_table_counts_every_phrase() {
        let without = DEFAULT_POLICY_PHRASES
            .split("\n[not_data]")
            .next()
            .expect("text before the table");
        let w = PracticeWords::parse(without, "policy-phrases.toml").expect("older file");
        assert!(!w.not_data.excludes("向您发送", "电子邮件", "。"));
        assert!(!w.not_data.excludes("非", "个人身份信息", "。"));
    }

    #[test]
    fn vendor_product_words_and_section_headings_come_from_the_file() {
        let w = words();
        let login = w
            .product_words
            .iter()
            .find(|p| p.word == "登录")
            .expect("登录");
        assert_eq!(login.categories, ["one_click_login", "social_login"]);
        // Longest first: at one place the more specific word is tried first.
        assert!(
            w.product_words
                .windows(2)
                .all(|p| p[0].word.len() >= p[1].word.len())
        );
        // A file of its own replaces the built-in words.
        let own = DEFAULT_POLICY_PHRASES.replace(
            "analytics = [\"统计\"",
            "analytics = [\"数据洞察\", \"统计\"",
        );
        let w = PracticeWords::parse(&own, "policy-phrases.toml").expect("parses");
        assert!(w.product_words.iter().any(|p| p.word == "数据洞察"));
        // An older file without either table keeps the built-in ones.
        let older = DEFAULT_POLICY_PHRASES
            .split("\n[section_headings]")
            .next()
            .expect("text before the tables");
        let w = PracticeWords::parse(older, "policy-phrases.toml").expect("older file");
        assert!(w.product_words.iter().any(|p| p.word == "推送"));
        assert!(w.sections.role_of("第三方SDK目录").is_some());
    }

    #[test]
    fn an_unknown_sdk_category_names_the_file_the_line_and_the_fix() {
        let text = DEFAULT_POLICY_PHRASES.replace("\npush = [", "\npushes = [");
        let err = PracticeWords::parse(&text, "x/policy-phrases.toml")
            .expect_err("unknown category")
            .to_string();
        let line = text
            .lines()
            .position(|l| l.starts_with("pushes = "))
            .expect("line")
            + 1;
        assert!(
            err.contains(&format!("x/policy-phrases.toml:{line}")),
            "{err}"
        );
        assert!(err.contains("did you mean `push`"), "{err}");
    }

    #[test]
    fn a_broken_file_names_itself() {
        let err = PracticeWords::parse("[verbs]\ncollect_zh = 3\n", "x/policy-phrases.toml")
            .expect_err("wrong type");
        assert!(err.to_string().contains("x/policy-phrases.toml"), "{err}");
    }

    #[test]
    fn brands_as_the_means_of_a_login_or_a_payment() {
        let w = words();
        let spans_of = |text: &str, names: &[&str]| -> Vec<(usize, usize)> {
            names
                .iter()
                .map(|n| {
                    let at = text.find(n).expect("name in text");
                    (at, at + n.len())
                })
                .collect()
        };
        let t = "您也可以使用微信或支付宝账号授权登录，我们将获取您的昵称和头像。";
        assert_eq!(
            w.brands_as_means(t, &spans_of(t, &["微信", "支付宝"])),
            [true, true]
        );
        let t = "您可以选择微信支付、云闪付等方式付款。";
        assert_eq!(
            w.brands_as_means(t, &spans_of(t, &["微信支付", "云闪付"])),
            [true, true]
        );
        // A brand the data come from.
        let t = "我们会收集您的充值记录，并从支付宝获得支付状态。";
        assert_eq!(w.brands_as_means(t, &spans_of(t, &["支付宝"])), [true]);
        let t = "我们通过友盟SDK获取您的设备标识符。";
        assert_eq!(w.brands_as_means(t, &spans_of(t, &["友盟SDK"])), [false]);
        // Examples in brackets stand for the noun before them: the login word follows
        // the bracket.
        let t = "当您通过社交账号（如微博、微信）登录本应用时，我们会收集您的昵称。";
        assert_eq!(
            w.brands_as_means(t, &spans_of(t, &["微博", "微信"])),
            [true, true]
        );
        assert_eq!(w.header_practice("We store"), Some(true));
        assert_eq!(w.header_practice("We cannot see"), Some(false));
        assert_eq!(w.header_practice("Data we don't collect"), Some(false));
        assert_eq!(w.header_practice("我们不会收集"), Some(false));
        assert_eq!(w.header_practice("Purpose"), None);
        // The brand after another means that names no party.
        let t = "您可以使用微信支付、支付宝或银行卡进行支付。";
        assert_eq!(w.brands_as_means(t, &spans_of(t, &["支付宝"])), [true]);
        // A run with an item that names no party, and a run a payment brand heads.
        let t = "第三方登录：支持微信、QQ、微博登录，我们仅获取您的昵称。";
        assert_eq!(
            w.brands_as_means(t, &spans_of(t, &["微信", "微博"])),
            [true, true]
        );
        let t = "付款时您可以选择微信支付、支付宝或云闪付等方式。";
        assert_eq!(w.brands_as_means(t, &spans_of(t, &["支付宝"])), [true]);
        // The data taken from the device go to the SDK named after them.
        let t = "我们会从您的设备获取信息并提供给友盟。";
        assert_eq!(w.brands_as_means(t, &spans_of(t, &["友盟"])), [false]);
        // A receiver, and an SDK named as what it is used for.
        let t = "我们会将订单信息提供给支付宝用于支付。";
        assert_eq!(w.brands_as_means(t, &spans_of(t, &["支付宝"])), [false]);
        let t = "支付宝SDK：用于支付宝支付，会收集您的IMEI。";
        assert_eq!(
            w.brands_as_means(t, &spans_of(t, &["支付宝SDK", "支付宝支付"])),
            [false, false]
        );
    }
}
