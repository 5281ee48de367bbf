//! SDK lists and named companies: the part of a policy that says which third parties
//! receive data, read as records rather than as sentences.
//!
//! Chinese apps publish a "第三方SDK目录" in many shapes: runs of `label：value` fields
//! (several SDKs on one line, or wrapped across lines), one field per line under a title,
//! tables with a header row (`|`, `｜` or tab cells, Markdown tables too), and English
//! policies add lists such as "Firebase Analytics — Google LLC — device ID — https://…".
//! Read as sentences, the fields of neighbouring SDKs run together and data types leak
//! from one SDK to the next. Here every SDK becomes one [`Record`] whose data are only its
//! own data field. The field label words come from `[sdk_list]` in
//! `signatures/policy-phrases.toml`; the functions are pure so each shape is tested alone.

use std::collections::HashMap;

use regex::Regex;

use super::ExtractError;
use super::sections::SectionWords;

/// The field a label introduces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum Field {
    Name,
    Entity,
    Purpose,
    Data,
    Link,
    /// A field the entry does not keep (处理方式, 申请权限): it only ends the one before.
    Other,
}

/// Label words per field, as read from `[sdk_list]`.
#[derive(Debug, Default, Clone)]
pub(super) struct LabelWords {
    pub name: Vec<String>,
    pub entity: Vec<String>,
    pub purpose: Vec<String>,
    pub data: Vec<String>,
    pub link: Vec<String>,
    pub other: Vec<String>,
    /// Words that describe a party without naming it ("SDK", "第三方", "partner").
    pub generic: Vec<String>,
    /// Words of a lead-in that makes the list of links after it a list of third parties
    /// ("Link to the privacy policy of third-party service providers used by the app").
    pub link_list_lead_in: Vec<String>,
}

/// Compiled labels.
#[derive(Debug)]
pub(super) struct Labels {
    /// `label` followed by a colon; group 1 is the label.
    field: Option<Regex>,
    kinds: HashMap<String, Field>,
    /// Label words longest first, for table header cells.
    by_length: Vec<(String, Field)>,
    generic: Vec<String>,
    link_lead_in: Vec<String>,
    /// What section headings announce: a record's title that is a heading ("联系我们")
    /// names no party.
    sections: SectionWords,
}

/// One third party as an SDK list describes it.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct Record {
    /// The names the record gives, as written ("个推、个像" gives two); never a generic word.
    pub names: Vec<String>,
    pub entity: Option<String>,
    pub purpose: Option<String>,
    /// The text of the data field, to be read with the lexicon.
    pub data: Option<String>,
    pub link: Option<String>,
    /// 1-based lines the record spans (its title line included).
    pub first_line: usize,
    pub last_line: usize,
    /// The record's text, whitespace collapsed: the entry's quote.
    pub text: String,
    /// Read from a "Name: what it does" list item, where the name may be a data type
    /// ("Location: …"); the caller keeps it only when the name names no data.
    pub weak: bool,
}

/// A company named in running text ("共享给华宇世博音乐文化（北京）有限公司（百度音乐）").
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Company {
    /// Byte range in the text searched.
    pub start: usize,
    pub end: usize,
    /// The name as written, with a brand in brackets after it when there is one.
    pub name: String,
    /// The legal name alone.
    pub legal: String,
}

fn normalise(label: &str) -> String {
    label.split_whitespace().collect::<String>().to_lowercase()
}

fn is_ascii_word(w: &str) -> bool {
    w.is_ascii()
}

impl Labels {
    /// The heading words that tell a section title from a party's name; none until set.
    pub(super) fn set_sections(&mut self, sections: SectionWords) {
        self.sections = sections;
    }

    pub(super) fn compile(words: &LabelWords, file: &str) -> Result<Labels, ExtractError> {
        const LABEL_SPACE: &str = r"[ \t\x{A0}\x{3000}]*";
        let mut kinds = HashMap::new();
        let mut by_length: Vec<(String, Field)> = Vec::new();
        // As written, for the pattern: where a label has its spaces.
        let mut spellings: Vec<(usize, String)> = Vec::new();
        for (list, field) in [
            (&words.name, Field::Name),
            (&words.entity, Field::Entity),
            (&words.purpose, Field::Purpose),
            (&words.data, Field::Data),
            (&words.link, Field::Link),
            (&words.other, Field::Other),
        ] {
            for w in list.iter().map(|w| w.trim()).filter(|w| !w.is_empty()) {
                let key = normalise(w);
                if let Some(previous) = kinds.insert(key.clone(), field)
                    && previous != field
                {
                    return Err(ExtractError::Lexicon {
                        file: file.to_string(),
                        message: format!("[sdk_list] label {w:?} is listed for two fields"),
                    });
                }
                spellings.push((key.chars().count(), w.to_lowercase()));
                by_length.push((key, field));
            }
        }
        spellings.sort_by_key(|s| std::cmp::Reverse(s.0));
        spellings.dedup();
        by_length.sort_by_key(|b| std::cmp::Reverse(b.0.chars().count()));
        by_length.dedup();
        let field = if by_length.is_empty() {
            None
        } else {
            let alternatives: Vec<String> = spellings
                .iter()
                .map(|(_, w)| {
                    // Labels are matched with any spacing on their line ("SDK 名称",
                    // "Data  collected"): the few space characters, not all of `\s`.
                    // Only where the label has a space or Latin meets Chinese: no policy
                    // spaces out a word ("名 称", "N a m e"), and a class between every
                    // two characters of hundreds of labels was most of the start-up.
                    let mut body = String::new();
                    let mut last: Option<char> = None;
                    for c in w.chars() {
                        if c.is_whitespace() {
                            body.push_str(LABEL_SPACE);
                            last = None;
                            continue;
                        }
                        if last.is_some_and(|l| l.is_ascii() != c.is_ascii()) {
                            body.push_str(LABEL_SPACE);
                        }
                        body.push_str(&regex::escape(&c.to_string()));
                        last = Some(c);
                    }
                    if is_ascii_word(w) {
                        format!(r"(?-u:\b){body}")
                    } else {
                        body
                    }
                })
                .collect();
            let pattern = format!(r"(?i)({})\s*[:：]", alternatives.join("|"));
            Some(
                super::classes::compile(&pattern).map_err(|e| ExtractError::Lexicon {
                    file: file.to_string(),
                    message: e.to_string(),
                })?,
            )
        };
        Ok(Labels {
            field,
            kinds,
            by_length,
            generic: words.generic.iter().map(|g| normalise(g)).collect(),
            link_lead_in: words
                .link_list_lead_in
                .iter()
                .map(|w| w.trim().to_lowercase())
                .filter(|w| !w.is_empty())
                .collect(),
            sections: SectionWords::default(),
        })
    }

    /// Whether `name` is only a generic word ("SDK", "第三方", "partners").
    pub(super) fn is_generic(&self, name: &str) -> bool {
        let n = normalise(name);
        let n = n.trim_matches(|c: char| !c.is_alphanumeric());
        n.is_empty() || self.generic.iter().any(|g| g == n)
    }

    /// Whether a sentence carries an SDK-list field label.
    pub(super) fn has_label(&self, text: &str) -> bool {
        self.field.as_ref().is_some_and(|re| re.is_match(text))
    }

    /// `(label start, value start, field)` for each label in a line. A label whose value
    /// is a lead-in ("第三方SDK：为实现推送，我们接入了以下SDK：") or, for a name, a
    /// sentence about us or the user, titles a paragraph rather than a field.
    /// A line that is a label alone, its value on the lines below ("第三方名称\n和风天气\n
    /// 第三方主体\n…"): the label with its colon, so the lines after it fill its field.
    fn bare_label(&self, line: &str) -> Option<String> {
        let trimmed = line.trim();
        if trimmed.is_empty()
            || trimmed.chars().count() > 12
            || trimmed.ends_with([':', '：'])
            || !self.kinds.contains_key(&normalise(trimmed))
        {
            return None;
        }
        Some(format!("{trimmed}："))
    }

    fn fields(&self, line: &str) -> Vec<(usize, usize, Field)> {
        let Some(re) = &self.field else {
            return Vec::new();
        };
        let found: Vec<(usize, usize, Field)> = re
            .captures_iter(line)
            .filter_map(|c| {
                let whole = c.get(0)?;
                let label = c.get(1)?;
                let field = *self.kinds.get(&normalise(label.as_str()))?;
                Some((whole.start(), whole.end(), field))
            })
            .collect();
        let mut out = Vec::with_capacity(found.len());
        for (k, &(start, value_start, field)) in found.iter().enumerate() {
            let value_end = found.get(k + 1).map(|f| f.0).unwrap_or(line.len());
            let value = line.get(value_start..value_end).unwrap_or("").trim();
            let lead_in = value.chars().count() > 8 && value.ends_with([':', '：']);
            let prose = field == Field::Name
                && ["我们", "您", "本应用", " we ", " our ", " you "]
                    .iter()
                    .any(|w| value.contains(w));
            // "…接入了以下第三方SDK：" at a line's end: a lead-in's last words, not a label.
            let glued = value.is_empty()
                && line[..start]
                    .chars()
                    .next_back()
                    .is_some_and(|c| super::segment::is_cjk(c) || c.is_alphanumeric());
            // "第三方名称：深圳市腾讯计算机系统有限公司": a name label whose value is a
            // company gives the record's company, under the title or name it has.
            let field = if field == Field::Name
                && (is_company_name(&first_clause(value)) || english_company(value).is_some())
            {
                Field::Entity
            } else {
                field
            };
            // "我们接入了以下第三方SDK：①「…」，由…提供": a lead-in's last words before items
            // numbered in running text, which the sentences read one by one.
            let after_lead_in = ["以下", "如下", "下列"]
                .iter()
                .any(|w| line[..start].ends_with(w))
                && value.starts_with(super::segment::is_circled_number);
            if !lead_in && !prose && !glued && !after_lead_in {
                out.push((start, value_start, field));
            }
        }
        out
    }

    /// "SDK名称 | 微信开放平台SDK": a two-cell row of a label and its value (one small
    /// table per SDK) read as the field "SDK名称：微信开放平台SDK". A row of two labels is
    /// a table's header and stays.
    fn label_row(&self, line: &str) -> Option<String> {
        let row = cells(line)?;
        let [label, value] = row.as_slice() else {
            return None;
        };
        let is_label = |c: &str| {
            self.kinds
                .contains_key(&normalise(c.trim_end_matches([':', '：'])))
        };
        (is_label(label) && !value.is_empty() && !is_label(value))
            .then(|| format!("{}：{}", label.trim_end_matches([':', '：']), value))
    }

    /// "1. 小米推送SDK 提供方：… | 使用目的：… | 涉及个人信息：…": fields of one record on a
    /// line with bars between them, read as one run of fields.
    fn piped_fields(&self, line: &str) -> Option<String> {
        let row = cells(line)?;
        let labelled = row
            .iter()
            .filter(|c| {
                self.fields(c)
                    .iter()
                    .any(|&(_, value_start, _)| !c[value_start..].trim().is_empty())
            })
            .count();
        (labelled >= 2).then(|| row.join("；"))
    }

    /// The field a table header cell names: the whole cell, else the longest label in it
    /// ("收集的个人信息字段" → data).
    fn header_field(&self, cell: &str) -> Option<Field> {
        let c = normalise(cell.trim_end_matches([':', '：']));
        if c.is_empty() || c.chars().count() > 24 {
            return None;
        }
        // A header names a column: "提供方：阿里云" is a field with its value, and
        // "企业名称、证件号码" a row's list of data, not the column's name.
        if c.contains([':', '：', '、', '，', ',', '；', ';']) {
            return None;
        }
        if let Some(f) = self.kinds.get(&c) {
            return Some(*f);
        }
        // "第三方SDK名称及提供方": a column giving the name and its company is the name
        // column; the company is split off each cell (see `Draft::finish`).
        let names_too = self
            .by_length
            .iter()
            .any(|(w, f)| *f == Field::Name && w.chars().count() >= 2 && c.contains(w.as_str()));
        if names_too && ["及", "和", "与", "/", "、"].iter().any(|j| c.contains(j)) {
            return Some(Field::Name);
        }
        // The head noun ends a Chinese header: "第三方SDK运营方名称" is the operator's name,
        // "第三方SDK运营方隐私政策" its privacy policy.
        let labelled = self
            .by_length
            .iter()
            .filter(|(w, _)| w.chars().count() >= 2 && c.contains(w.as_str()))
            .max_by_key(|(w, _)| (c.ends_with(w.as_str()), w.chars().count()))
            .map(|(_, f)| *f);
        // "获取信息", "涉及数据", "个人信息": a Chinese header that ends in a word for
        // information lists data.
        labelled.or_else(|| {
            ["信息", "数据", "字段"]
                .iter()
                .any(|w| c.ends_with(w))
                .then_some(Field::Data)
        })
    }
}

/// Markdown emphasis and escapes cut out of a line; the words stay.
fn clean_line(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '*' => {}
            '\\' if chars.peek().is_some_and(|n| n.is_ascii_punctuation()) => {}
            _ => out.push(c),
        }
    }
    out.trim().to_string()
}

/// A list marker or clause number at the start of a title line.
fn strip_marker(line: &str) -> &str {
    let t = line.trim_start_matches(['#', '-', '•', '·', '●', '○', '■', '◆', '>', ' ', '\u{3000}']);
    let t = t.trim_start();
    // "1.", "1、", "(1)", "（1）", "一、", "1)".
    let bytes: Vec<(usize, char)> = t.char_indices().collect();
    let mut i = 0;
    let open = bytes.first().is_some_and(|&(_, c)| matches!(c, '(' | '（'));
    if open {
        i += 1;
    }
    let start_digits = i;
    while i < bytes.len()
        && (bytes[i].1.is_ascii_digit() || "一二三四五六七八九十".contains(bytes[i].1))
    {
        i += 1;
    }
    // "4.1 Adjust", "2.3.1 …": the dotted levels of a decimal number are one marker.
    while !open
        && i > start_digits
        && i + 1 < bytes.len()
        && bytes[i].1 == '.'
        && bytes[i + 1].1.is_ascii_digit()
    {
        i += 1;
        while i < bytes.len() && bytes[i].1.is_ascii_digit() {
            i += 1;
        }
    }
    if i < bytes.len() && i > start_digits && bytes[i].1 == ' ' && !open {
        // "4.1 Adjust": a decimal number ends at the space.
        let level_dots = t[..bytes[i].0].contains('.');
        if level_dots {
            return t[bytes[i].0..].trim_start();
        }
    }
    if i == start_digits || i >= bytes.len() {
        return t;
    }
    let close = bytes[i].1;
    let ok = if open {
        matches!(close, ')' | '）')
    } else {
        matches!(close, '.' | '、' | ')' | '）' | '．')
    };
    if !ok {
        return t;
    }
    let after = bytes.get(i + 1).map(|&(p, _)| p).unwrap_or(t.len());
    t[after..].trim_start()
}

fn is_numbered(line: &str) -> bool {
    let t = line.trim_start_matches(['#', ' ']);
    strip_marker(t).len() != t.len()
}

fn joins_ascii(a: &str, b: &str) -> bool {
    a.chars()
        .next_back()
        .is_some_and(|c| c.is_ascii_alphanumeric())
        && b.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
}

fn append(value: &mut String, more: &str) {
    let more = more.trim();
    if more.is_empty() {
        return;
    }
    if !value.is_empty()
        && (joins_ascii(value, more)
            || value.ends_with(|c: char| c.is_ascii_punctuation() && c != '/'))
    {
        value.push(' ');
    }
    value.push_str(more);
}

/// Splits "个推、个像、个数SDK" into its names; separators inside brackets stay
/// ("分享库（微信、微博）" is one name). Prose after a name ("APPIC SDK，使用场景…") is cut.
/// Words right before a company that introduce it.
const COMPANY_LEAD_WORDS: &[&str] = &["包括", "包含", "例如", "关联公司", "合作方", "承运商"];

/// Whether an English name cell describes what is done rather than naming who does it:
/// several words, the last in lower case ("Cloud hosting and storage", "Basic DBS
/// checks"). Brands end in a capital ("Google Maps", "Firebase Crashlytics").
fn describes_a_service(name: &str) -> bool {
    let words: Vec<&str> = name.split_whitespace().collect();
    name.is_ascii()
        && words.len() >= 2
        && words
            .last()
            .is_some_and(|w| w.starts_with(|c: char| c.is_ascii_lowercase()))
}

fn split_names(value: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    let mut depth = 0i32;
    let mut current = String::new();
    let mut push = |current: &mut String| {
        let n = current
            .trim()
            .trim_matches([
                '《', '》', '“', '”', '"', '\'', '。', '.', '；', ';', ':', '：',
            ])
            .trim();
        // "第三方SDK：（1）个推推送SDK": the item's number is not part of the name.
        let n = if n.starts_with(['(', '（']) {
            strip_marker(n).trim()
        } else {
            n
        };
        if !n.is_empty() {
            let n = n.split_whitespace().collect::<Vec<_>>().join(" ");
            // "Cloudflare, Inc.", "Functional Software, Inc. (Sentry)": the legal form
            // after a comma belongs to the name before it.
            match names.last_mut() {
                Some(last) if is_legal_form_piece(&n) => {
                    last.push_str(", ");
                    last.push_str(&n);
                }
                _ => names.push(n),
            }
        }
        current.clear();
    };
    let chars: Vec<char> = value.chars().collect();
    for (k, &c) in chars.iter().enumerate() {
        match c {
            '(' | '（' | '[' | '【' => depth += 1,
            ')' | '）' | ']' | '】' => depth = (depth - 1).max(0),
            _ => {}
        }
        let slash = matches!(c, '/' | '／') && !value.contains("://");
        // "上海证券交易所 深圳证券交易所": two Chinese names a line break parted in a cell.
        // A company after the name is the name's owner ("荣耀推送 荣耀终端有限公司").
        let cjk_break = c.is_whitespace()
            && current.trim().chars().count() >= 2
            && current.trim().chars().all(super::segment::is_cjk)
            && chars.get(k + 1).is_some_and(|&n| super::segment::is_cjk(n))
            && {
                let next: String = chars[k + 1..]
                    .iter()
                    .take_while(|n| !n.is_whitespace() && !"、，,；;".contains(**n))
                    .collect();
                !COMPANY_SUFFIXES_ZH.iter().any(|s| next.contains(s)) && !next.contains("公司")
            };
        if depth == 0 && (slash || cjk_break || matches!(c, '、' | '，' | ',' | '；' | ';')) {
            push(&mut current);
            continue;
        }
        if depth == 0 && c == '。' {
            break;
        }
        current.push(c);
    }
    push(&mut current);
    names
}

/// "Inc.", "LLC", "Ltd (Sentry)": a piece of a name list that is only a legal form.
fn is_legal_form_piece(piece: &str) -> bool {
    let first = piece.split_whitespace().next().unwrap_or("");
    let form = first.to_lowercase();
    first.starts_with(|c: char| c.is_ascii_uppercase())
        && piece.split_whitespace().count() <= 3
        && COMPANY_SUFFIXES_EN.contains(&form.trim_end_matches(','))
}

/// The first URL in a value, and bare "www." hosts made into one.
pub(super) fn find_url(value: &str) -> Option<String> {
    let start = value
        .find("http://")
        .or_else(|| value.find("https://"))
        .or_else(|| value.find("www."))?;
    let rest = &value[start..];
    let end = rest
        .char_indices()
        .find(|&(_, c)| c.is_whitespace() || "<>\"'])）（，。；、|｜".contains(c) || !c.is_ascii())
        .map(|(i, _)| i)
        .unwrap_or(rest.len());
    let url = rest[..end].trim_end_matches(['.', ',', ';', ':']);
    if url.len() < 8 {
        return None;
    }
    Some(if url.starts_with("www.") {
        format!("https://{url}")
    } else {
        url.to_string()
    })
}

/// The host of a URL.
pub(super) fn url_host(url: &str) -> Option<String> {
    let rest = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    let host = rest
        .split(['/', ':', '?', '#'])
        .next()?
        .trim_end_matches('.');
    host.contains('.').then(|| host.to_ascii_lowercase())
}

fn clean_value(value: &str) -> Option<String> {
    let v = value
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .trim_matches(|c: char| c == '|' || c == '｜' || c.is_whitespace())
        .trim_end_matches(['。', '；', ';', '，', ','])
        .trim()
        .to_string();
    (!v.is_empty() && !matches!(v.as_str(), "-" | "/" | "无" | "N/A" | "n/a")).then_some(v)
}

fn first_clause(value: &str) -> String {
    let cut = value.find(['，', '。', '；', ';']).unwrap_or(value.len());
    value[..cut].trim().to_string()
}

/// A record being read.
#[derive(Default)]
struct Draft {
    names: String,
    title: Option<String>,
    fields: Vec<(Field, String)>,
    first_line: usize,
    last_line: usize,
    text: String,
}

impl Draft {
    fn has(&self, f: Field) -> bool {
        self.fields.iter().any(|(k, _)| *k == f) || (f == Field::Name && !self.names.is_empty())
    }

    fn value_mut(&mut self, f: Field) -> &mut String {
        if f == Field::Name {
            return &mut self.names;
        }
        if let Some(i) = self.fields.iter().position(|(k, _)| *k == f) {
            return &mut self.fields[i].1;
        }
        self.fields.push((f, String::new()));
        let last = self.fields.len() - 1;
        &mut self.fields[last].1
    }

    fn add_text(&mut self, line: usize, text: &str) {
        if self.first_line == 0 {
            self.first_line = line;
        }
        self.last_line = self.last_line.max(line);
        let text = text.trim();
        if !self.text.is_empty() && !text.is_empty() {
            self.text.push(' ');
        }
        self.text.push_str(text);
    }

    fn finish(self, labels: &Labels) -> Option<Record> {
        let get = |f: Field| {
            self.fields
                .iter()
                .find(|(k, _)| *k == f)
                // A field ends with its sentence: prose after "。" is not the field's.
                .and_then(|(_, v)| clean_value(v.split('。').next().unwrap_or("")))
                // "公司名称： 注册地址：": an empty field followed by another label.
                .filter(|v| !v.ends_with([':', '：']))
        };
        // "公司名称： 注册地址：…": another field run in, not a company.
        let entity = get(Field::Entity)
            .map(|e| english_company(&e).unwrap_or_else(|| first_clause(&e)))
            .filter(|e| !e.is_empty() && !e.contains([':', '：']));
        let link = get(Field::Link).and_then(|l| find_url(&l));
        let purpose = get(Field::Purpose);
        let data = get(Field::Data);
        let mut entity = entity;
        let mut named = split_names(&self.names);
        // "高德地图 高德软件有限公司", "微信SDK（深圳市腾讯计算机系统有限公司）": a name
        // that also gives its company.
        for n in named.iter_mut() {
            let Some(c) = companies(n).into_iter().next() else {
                continue;
            };
            let rest = format!("{}{}", &n[..c.start], &n[c.end..])
                .replace("（）", "")
                .replace("()", "");
            let rest = rest
                .trim()
                .trim_end_matches(['-', '—', '：', ':', '，', ','])
                .trim();
            // "Functional Software, Inc. (Sentry)": the brand in brackets after it.
            let rest = rest
                .strip_prefix(['(', '（'])
                .and_then(|r| r.strip_suffix([')', '）']))
                .filter(|r| !r.contains(['(', '（', ')', '）']))
                .unwrap_or(rest)
                .trim();
            if !rest.is_empty() && !labels.is_generic(rest) {
                entity.get_or_insert(c.legal);
                *n = rest.to_string();
            }
        }
        let mut names: Vec<String> = named
            .into_iter()
            .filter(|n| !labels.is_generic(n) && n.chars().count() <= 60 && !is_address(n))
            .collect();
        // Named by a name field, or by a title that says SDK.
        let mut named_as_party = !names.is_empty();
        if names.is_empty()
            && let Some(title) = &self.title
        {
            // A title names the record only when it reads as a party: it says SDK, or
            // the record gives a company or link to go with it.
            let says_sdk = ["sdk", "插件", "kit"]
                .iter()
                .any(|w| title.to_lowercase().contains(w));
            // "联系我们", "第三方SDK目录": a section heading is no party's name.
            let heading = !says_sdk && labels.sections.role_of(title).is_some();
            named_as_party = says_sdk;
            // "Intercom (Intercom R&D Unlimited Company)": a name and its company.
            if let Some((name, company)) = titled_provider(title).filter(|_| !heading) {
                names = vec![name];
                entity.get_or_insert(company);
                named_as_party = true;
            } else if !heading && (says_sdk || entity.is_some() || link.is_some()) {
                names = split_names(title)
                    .into_iter()
                    .filter(|n| !labels.is_generic(n) && n.chars().count() <= 40)
                    .collect();
            }
        }
        // "Amazon Web Services EMEA SARL | Cloud hosting and storage | …" under
        // "Provider | Service | …": a service column says what the provider does; the
        // provider is the name.
        if let Some(e) = &entity
            && !names.is_empty()
            && names.iter().all(|n| describes_a_service(n))
            && e.is_ascii()
            && !labels.is_generic(e)
        {
            names = vec![e.clone()];
        }
        if names.is_empty()
            && let Some(e) = &entity
            && !labels.is_generic(e)
        {
            names.push(e.clone());
        }
        let others = [
            entity.is_some(),
            purpose.is_some(),
            data.is_some(),
            link.is_some(),
        ]
        .iter()
        .filter(|b| **b)
        .count();
        // "运营主体：北京某某科技有限公司" under a contact heading names the app's own
        // operator: a company alone, under a title or standing for the name, is no
        // third party's record.
        let only_company = !named_as_party && entity.is_some() && others == 1;
        if names.is_empty() || others == 0 || only_company {
            return None;
        }
        Some(Record {
            names,
            entity,
            purpose,
            data,
            link,
            first_line: self.first_line,
            last_line: self.last_line,
            text: self.text,
            weak: false,
        })
    }
}

/// A URL, a host name or a document title ("《第三方SDK目录》") is no party's name.
fn is_address(name: &str) -> bool {
    let n = name.trim();
    let lower = n.to_lowercase();
    lower.contains("://")
        || lower.starts_with("www.")
        || lower.starts_with("http")
        || (n.is_ascii() && n.contains('.') && !n.contains(' ') && !n.ends_with('.'))
        || n.starts_with('《')
        || ["政策", "协议", "目录", "清单", "privacy policy", "terms"]
            .iter()
            .any(|w| lower.contains(w))
}

/// Cells of a table row: `|` / `｜` separated (Markdown too) or tab separated.
fn cells(line: &str) -> Option<Vec<String>> {
    let parts: Vec<&str> = if line.contains('|') || line.contains('｜') {
        line.split(['|', '｜']).collect()
    } else if line.contains('\t') {
        line.split('\t').collect()
    } else {
        return None;
    };
    let mut cells: Vec<String> = parts.iter().map(|c| clean_line(c)).collect();
    // "| a | b |": the empty cells outside the outer bars are not columns.
    if cells.first().is_some_and(|c| c.is_empty()) {
        cells.remove(0);
    }
    if cells.last().is_some_and(|c| c.is_empty()) {
        cells.pop();
    }
    (cells.len() >= 2).then_some(cells)
}

fn is_separator_row(cells: &[String]) -> bool {
    cells
        .iter()
        .all(|c| !c.is_empty() && c.chars().all(|ch| matches!(ch, '-' | ':' | ' ' | '—')))
}

/// Records of the tables in `lines` whose header row names the columns; the lines they use
/// are marked in `used`.
fn tables(lines: &[String], labels: &Labels, used: &mut [bool], out: &mut Vec<Record>) {
    let mut i = 0;
    while i < lines.len() {
        let Some(header) = cells(&lines[i]) else {
            i += 1;
            continue;
        };
        let mut columns: Vec<Option<Field>> =
            header.iter().map(|c| labels.header_field(c)).collect();
        // A field named by two columns is the first one's ("SDK名称 | SDK描述"), except
        // data: "个人信息类型 | 个人信息字段" both list what the SDK receives.
        for k in 1..columns.len() {
            if columns[k] != Some(Field::Data) && columns[..k].contains(&columns[k]) {
                columns[k] = None;
            }
        }
        let known = columns.iter().filter(|c| c.is_some()).count();
        let names_party = columns
            .iter()
            .any(|c| matches!(c, Some(Field::Name) | Some(Field::Entity)));
        if known < 2 || !names_party {
            i += 1;
            continue;
        }
        used[i] = true;
        // Each row with the line its text starts on and the line it ends on.
        let mut rows: Vec<(usize, usize, Vec<String>)> = Vec::new();
        let mut j = i + 1;
        while j < lines.len() {
            if lines[j].trim().is_empty() {
                // A blank line inside a pasted table is common; two end it.
                if lines.get(j + 1).is_some_and(|l| cells(l).is_some()) {
                    j += 1;
                    continue;
                }
                break;
            }
            let Some(mut row) = cells(&lines[j]) else {
                break;
            };
            used[j] = true;
            if is_separator_row(&row) {
                j += 1;
                continue;
            }
            // "消息推送SDK | 获取设备信息 | 推送功能 |" then "手机设备信息（IMEI、…）": a
            // crawl wrapped the row's last cell onto a line of its own.
            let row_line = j;
            let open_end = lines[j].trim_end().ends_with(['|', '｜']);
            if open_end
                && row.len() < header.len()
                && let Some(next) = lines.get(j + 1)
                && !next.trim().is_empty()
                && cells(next).is_none()
            {
                row.push(clean_line(next));
                j += 1;
                used[j] = true;
            }
            rows.push((row_line, j, row));
            j += 1;
        }
        let product = product_column(&columns, &rows);
        for (row_line, last_line, row) in rows {
            let mut draft = Draft::default();
            for (k, cell) in row.iter().enumerate() {
                let mut field = columns.get(k).copied().flatten();
                if let Some((company, product)) = product
                    && row.get(product).is_some_and(|c| names_an_sdk(c))
                {
                    if k == company {
                        field = Some(Field::Entity);
                    } else if k == product {
                        field = Some(Field::Name);
                    }
                }
                if let Some(f) = field {
                    let value = draft.value_mut(f);
                    if !value.is_empty() && !cell.trim().is_empty() {
                        value.push('、');
                    }
                    append(value, cell);
                }
            }
            draft.add_text(row_line + 1, "");
            draft.add_text(last_line + 1, &row.join(" | "));
            if let Some(r) = draft.finish(labels) {
                out.push(r);
            }
        }
        i = j;
    }
}

/// "第三方名称 | 产品/类型 | …" with a company under the name header and the SDK in a
/// column no label names: the company column and that product column, when most name
/// cells are companies and at least half the product cells name an SDK. A row whose
/// product cell names no SDK ("充电运营商接口") keeps its company as the name.
fn product_column(
    columns: &[Option<Field>],
    rows: &[(usize, usize, Vec<String>)],
) -> Option<(usize, usize)> {
    if columns.contains(&Some(Field::Entity)) || rows.is_empty() {
        return None;
    }
    let company = columns.iter().position(|c| *c == Some(Field::Name))?;
    let cells_in = |k: usize, test: fn(&str) -> bool| {
        rows.iter()
            .filter(|(_, _, r)| r.get(k).is_some_and(|c| test(c)))
            .count()
    };
    if cells_in(company, is_company_name) * 2 <= rows.len() {
        return None;
    }
    let product = (0..columns.len())
        .find(|&k| columns[k].is_none() && cells_in(k, names_an_sdk) * 2 >= rows.len())?;
    Some((company, product))
}

/// A cell that names an SDK by its kind: "百度地图SDK", "银联手机支付控件", "Maps SDK".
fn names_an_sdk(cell: &str) -> bool {
    let c = cell.trim();
    c.to_lowercase().ends_with("sdk") || ["控件", "插件"].iter().any(|w| c.ends_with(w))
}

/// "Firebase Analytics — Google LLC — device ID, app events — https://…": an English list
/// item with its parts between dashes.
fn dash_record(line: &str, line_no: usize, labels: &Labels) -> Option<Record> {
    let body = strip_marker(line);
    let parts = dash_parts(body);
    if parts.len() < 3 {
        return None;
    }
    let name = parts[0].trim().trim_end_matches([':', '：']).trim();
    if name.is_empty() || name.chars().count() > 60 || name.split_whitespace().count() > 8 {
        return None;
    }
    let mut draft = Draft {
        names: name.to_string(),
        ..Draft::default()
    };
    let mut rest_texts = Vec::new();
    for part in &parts[1..] {
        let p = part.trim();
        if let Some(url) = find_url(p) {
            *draft.value_mut(Field::Link) = url;
        } else if looks_like_company(p) && !draft.has(Field::Entity) {
            *draft.value_mut(Field::Entity) = p.to_string();
        } else {
            rest_texts.push(p);
        }
    }
    if !draft.has(Field::Link) && !draft.has(Field::Entity) {
        return None;
    }
    for p in rest_texts {
        let lower = p.to_lowercase();
        let data_like = [
            "collect",
            "data",
            "information",
            "identifier",
            "receives",
            "shares",
        ]
        .iter()
        .any(|w| lower.contains(w));
        let field = if data_like && !draft.has(Field::Data) {
            Field::Data
        } else if !draft.has(Field::Purpose) {
            Field::Purpose
        } else {
            Field::Data
        };
        append(draft.value_mut(field), p);
    }
    draft.add_text(line_no, body);
    draft.finish(labels)
}

/// Parts between spaced dashes (" — ", " – ", " - "): "Wi-Fi" stays whole.
fn dash_parts(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < text.len() {
        let rest = &text[i..];
        if let Some(sep) = [" — ", " – ", " - "].iter().find(|s| rest.starts_with(**s)) {
            out.push(&text[start..i]);
            i += sep.len();
            start = i;
            continue;
        }
        i += rest.chars().next().map(char::len_utf8).unwrap_or(1);
    }
    out.push(&text[start..]);
    out.into_iter().filter(|p| !p.trim().is_empty()).collect()
}

const COMPANY_SUFFIXES_EN: &[&str] = &[
    "inc",
    "inc.",
    "llc",
    "n.a.",
    "l.l.c.",
    "ltd",
    "ltd.",
    "limited",
    "gmbh",
    "corp",
    "corp.",
    "corporation",
    "plc",
    "s.a.",
    "b.v.",
    "ab",
    "pte",
    "co.",
    "oy",
    "ag",
    "s.r.l.",
    "n.v.",
    "nv",
    "bv",
    "sas",
    "s.a.s.",
    "s.l.",
    "a/s",
    "as",
    "kg",
    "lp",
    "llp",
    "sarl",
    "s.à r.l.",
    "pbc",
    "s.p.a.",
    "spa",
    "ulc",
    "aps",
];
const COMPANY_SUFFIXES_ZH: &[&str] = &["有限责任公司", "股份有限公司", "有限公司"];

/// A value that is a legal name and nothing else ("友盟同欣（北京）科技有限公司",
/// "Acme Labs Inc."), not a name that mentions one in brackets.
pub(super) fn is_company_name(value: &str) -> bool {
    let v = value.trim().trim_end_matches(['.', ',', '。', '；', ';']);
    if v.chars().any(super::segment::is_cjk) {
        COMPANY_SUFFIXES_ZH.iter().any(|s| v.ends_with(s))
    } else {
        looks_like_company(v)
    }
}

/// "adjust GmbH, Saarbrücker Str. 37a, 10405 Berlin", "Braze, Inc., 63 Madison
/// Building": the company before the address an English processor list gives with it.
fn english_company(value: &str) -> Option<String> {
    if value.chars().any(super::segment::is_cjk) {
        return None;
    }
    let value = value.trim();
    let mut ends: Vec<usize> = value.match_indices(',').map(|(i, _)| i).collect();
    ends.push(value.len());
    ends.into_iter()
        .map(|end| value[..end].trim())
        .take_while(|prefix| prefix.split_whitespace().count() <= 8)
        .find(|prefix| looks_like_company(prefix))
        .map(str::to_string)
}

fn looks_like_company(text: &str) -> bool {
    let t = text.trim().trim_end_matches([',', '.']);
    COMPANY_SUFFIXES_ZH.iter().any(|s| t.contains(s))
        || t.split_whitespace().next_back().is_some_and(|w| {
            // "Adyen N.V." reaches here as "Adyen N.V": the dots are the suffix's own.
            let w = w.to_lowercase();
            let w = w.trim_end_matches('.');
            COMPANY_SUFFIXES_EN
                .iter()
                .any(|s| s.trim_end_matches('.') == w)
        })
        || t.to_lowercase().ends_with(", inc")
        // "Intercom R&D Unlimited Company": the Irish and British forms.
        || [" unlimited company", " limited company"]
            .iter()
            .any(|form| t.to_lowercase().ends_with(form))
}

/// "Mailchimp (The Rocket Science Group LLC)": a title naming a service and, in brackets,
/// the company that provides it. Returns the name and the company.
pub(super) fn titled_provider(title: &str) -> Option<(String, String)> {
    let t = strip_marker(title.trim()).trim();
    let inner_end = t.strip_suffix(')')?;
    let (name, company) = inner_end.rsplit_once(" (")?;
    let (name, company) = (name.trim(), company.trim());
    let title_case = name.split_whitespace().count() <= 6
        && name.split_whitespace().all(|w| {
            w.chars().next().is_some_and(|c| !c.is_lowercase()) || w == "for" || w == "by"
        });
    let ok = title_case
        && !name.is_empty()
        && !name.contains(['(', ')', ',', ':'])
        && looks_like_company(company);
    ok.then(|| (name.to_string(), company.to_string()))
}

/// "[Google Analytics](https://…)": a list item that is only a named link.
fn link_item(line: &str) -> Option<(String, String)> {
    let t = line.trim_start_matches(['-', '+', '•', '·', ' ']).trim();
    // "[Acme](https://…)" as written, or "Acme <https://…>" as a Markdown page reads.
    let (name, url, tail) = match t.strip_prefix('[') {
        Some(rest) => {
            let (name, after) = rest.split_once("](")?;
            let (url, tail) = after.split_once(')')?;
            (name, url, tail)
        }
        None => {
            let (name, after) = t.split_once(" <")?;
            let (url, tail) = after.split_once('>')?;
            // "Acme <https://…> — crash logs": what the provider gets follows; the
            // provider readers keep it as data.
            let tail_ok = tail.trim().is_empty() || tail.trim_start().starts_with('(');
            if !tail_ok {
                return None;
            }
            (name, url, tail)
        }
    };
    let name = name.trim();
    let ok = !name.is_empty()
        && name.chars().count() <= 60
        && url.starts_with("http")
        && tail.trim().chars().count() <= 40;
    ok.then(|| (name.to_string(), url.trim().to_string()))
}

/// "Acme Analytics: usage data, https://…" / "Acme Analytics (Acme Inc.) — crash logs": a
/// list item headed by a short name.
fn named_item(line: &str) -> Option<(String, Option<String>, String)> {
    let t = line.trim();
    let split = [": ", "： ", "：", " — ", " – ", " - "]
        .iter()
        .filter_map(|sep| t.split_once(sep))
        .min_by_key(|(h, _)| h.len());
    // "Stripe (subscription billing)": a name and what it does in brackets.
    let bracketed = || {
        let (h, r) = t.split_once(" (")?;
        let r = r.strip_suffix(')')?;
        (!looks_like_company(r) && h.chars().next()?.is_uppercase()).then_some((h, r))
    };
    // "Stripe, which processes card payments", "Kidoz, a kid-safe ad network": a
    // title-case name and a description in apposition.
    // "Northwind Bank, N.A., which holds your funds": the legal form stays with the name.
    let appositive = || {
        t.match_indices(", ").find_map(|(at, sep)| {
            let (h, r) = (&t[..at], &t[at + sep.len()..]);
            let title_case = h.split_whitespace().count() <= 5
                && h.split_whitespace().all(|w| {
                    w.chars()
                        .next()
                        .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit())
                });
            let described = r.chars().next()?.is_lowercase();
            (title_case && described).then_some((h, r))
        })
    };
    let (head, rest) = split.or_else(bracketed).or_else(appositive)?;
    let head = head.trim();
    let rest = rest.trim();
    // "Acme (Acme Labs Inc.)" gives a company; "Google Firebase (Crashlytics and
    // Analytics)" stays whole.
    // "Maple (Maple Labs)" names the owner too: a legal form or a title-case name.
    let (name, entity) = match head.split_once(['(', '（']) {
        Some((n, e)) => {
            let e = e.trim_end_matches([')', '）']).trim();
            let title_case = !e.is_empty()
                && e.split_whitespace().count() <= 4
                && e.split_whitespace()
                    .all(|w| w.chars().next().is_some_and(char::is_uppercase));
            // "Braintree (a PayPal service)": what the name is, not who owns it.
            let described = ["a ", "an ", "the "].iter().any(|a| e.starts_with(a));
            if looks_like_company(e) || title_case {
                (n.trim(), Some(e.to_string()))
            } else if described {
                (n.trim(), None)
            } else {
                (head, None)
            }
        }
        // "Northwind Bank, N.A.": the name before its legal form.
        None => match head.split_once(", ") {
            Some((n, _)) if looks_like_company(head) => (n.trim(), Some(head.to_string())),
            _ => (head, None),
        },
    };
    // "Verification documents: a photo of …" is a data label; names capitalise every
    // word, or at least carry a capital ("ironSource").
    let named = name.split_whitespace().all(|w| {
        w.chars().any(|c| c.is_uppercase() || c.is_ascii_digit())
            || ["for", "of", "and", "&", "by"].contains(&w)
    });
    let ok = !name.is_empty()
        && named
        && !rest.is_empty()
        && name.chars().count() <= 40
        && name.split_whitespace().count() <= 6
        && !name.contains(['。', ',', '，', '、'])
        && !name.ends_with('.')
        && !name.starts_with(|c: char| c.is_ascii_digit())
        // "Obtain your consent: …" is a clause title, not a name.
        && !name
            .split_whitespace()
            .any(|w| ["your", "our", "you", "we", "my", "their", "us"].contains(&w))
        // Chinese "1、在获取明确同意的情况下共享：…" items are clause titles, not names.
        && !name.chars().any(super::segment::is_cjk);
    ok.then(|| (name.to_string(), entity, rest.to_string()))
}

/// "- **Supabase** stores your account", "1. **Unity Ads** and **ironSource** – ads": a
/// list item that opens with names in bold. Returns the names joined by "、" and the rest.
fn bold_item(raw: &str) -> Option<(String, Option<String>, String)> {
    let t = strip_marker(raw.trim());
    let mut rest = t.strip_prefix("**")?;
    let mut names: Vec<&str> = Vec::new();
    loop {
        let (name, after) = rest.split_once("**")?;
        let name = name.trim().trim_end_matches([':', '：']).trim();
        let ok = !name.is_empty()
            && name.chars().count() <= 60
            && name.split_whitespace().count() <= 6
            && !name.chars().any(super::segment::is_cjk)
            && name
                .chars()
                .next()
                .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit())
            && !name.ends_with('.');
        if !ok {
            return None;
        }
        names.push(name);
        let after = after.trim_start();
        // "**A** and **B**", "**A**, **B**": more names before the description.
        let next = ["and **", "& **", ", **", "or **"]
            .iter()
            .find_map(|j| after.strip_prefix(j));
        match next {
            Some(more) => rest = more,
            None => {
                // "**Acme Analytics** (Acme Labs Inc.): …": the owner in brackets.
                let (entity, after) = match after.strip_prefix('(') {
                    Some(inner) => match inner.split_once(')') {
                        Some((owner, rest)) => (Some(owner.trim().to_string()), rest),
                        None => (None, after),
                    },
                    None => (None, after),
                };
                let tail = after
                    .trim_start_matches(['–', '—', '-', ':', '：', ' '])
                    .trim();
                return (!tail.is_empty()).then(|| (names.join("、"), entity, tail.to_string()));
            }
        }
    }
}

/// "Supabase stores your account", "PostHog (EU cloud) receives analytics": a list item
/// whose subject is a capitalised name and whose verb says what it does with data.
fn subject_item(line: &str) -> Option<(String, String)> {
    let t = strip_marker(line.trim());
    // The capitalised words that open the item, then what follows them.
    let mut name_end = 0;
    let mut words = 0;
    for (start, word) in word_spans(t) {
        if words >= 5 || !word.chars().next().is_some_and(|c| c.is_uppercase()) {
            break;
        }
        name_end = start + word.len();
        words += 1;
    }
    if words == 0 {
        return None;
    }
    let name = t[..name_end].trim();
    let mut after = t[name_end..].trim_start();
    // "(EU cloud)" between the name and its verb.
    if let Some(inner) = after.strip_prefix('(') {
        after = inner.split_once(')')?.1.trim_start();
    }
    let verb = after.split_whitespace().next()?;
    let is_verb = verb.chars().all(|c| c.is_ascii_lowercase())
        && verb.len() > 3
        && verb.ends_with('s')
        && !verb.ends_with("ss");
    // "6. Your rights", "International transfers": a title of two words, or one opened
    // by a possessive, names no provider; a provider's verb has an object.
    // "5. Who receives information" asks a question: a title too.
    // "An anonymous app user ID …": an article opens a noun phrase ("anonymous" only
    // looks like a verb).
    let title_word = [
        "your", "our", "their", "my", "its", "his", "her", "who", "what", "which", "how", "where",
        "when", "why", "a", "an", "the", "this", "these", "those", "each", "every", "all", "any",
        "some", "only", "no",
    ]
    .contains(&name.split_whitespace().next()?.to_lowercase().as_str());
    // "Corporate transactions — a buyer …", "Legal reasons: …": a title and its dash or
    // colon, not a verb and its object.
    let object = after
        .split_whitespace()
        .nth(1)
        .is_some_and(|w| w.starts_with(|c: char| c.is_alphanumeric() || c == '"'))
        && !verb.ends_with([':', '：']);
    let ok = is_verb
        && !title_word
        && object
        && !name.chars().any(super::segment::is_cjk)
        && name.chars().count() <= 60
        && !name.ends_with(['.', ',', ':']);
    ok.then(|| (name.to_string(), after.to_string()))
}

/// The words of `text` with their byte offsets.
fn word_spans(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.split_whitespace()
        .map(move |w| (w.as_ptr() as usize - text.as_ptr() as usize, w))
}

/// A numbered item headed by a title-case name ("1. Unity Analytics (Unity
/// Technologies) – gameplay analytics"); "6.1 Obtain your consent: …" is a clause.
fn numbered_name(line: &str) -> Option<(String, Option<String>, String)> {
    let (name, entity, rest) = named_item(strip_marker(line))?;
    let title_case = name.split_whitespace().all(|w| {
        w.chars()
            .next()
            .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit())
    });
    (title_case && name.split_whitespace().count() <= 4).then_some((name, entity, rest))
}

/// A provider list item in any of the shapes above: names (joined by "、"), owner, and
/// what the item says about the data. `raw` is the line as written (bold marks kept),
/// `line` the cleaned one.
fn provider_item(raw: &str, line: &str) -> Option<(String, Option<String>, String)> {
    // "  (d) Twilio Ireland Ltd -- sends SMS codes": a lettered item of a plain-text list.
    if let Some(rest) = strip_letter(line) {
        return dashed_item(rest);
    }
    if !(is_bullet(raw) || is_numbered(raw)) {
        return None;
    }
    bold_item(raw)
        .or_else(|| named_item(strip_marker(line)).filter(|_| is_bullet(raw)))
        .or_else(|| numbered_name(line))
        .or_else(|| subject_item(line).map(|(n, r)| (n, None, r)))
        .or_else(|| dashed_item(strip_marker(line)).filter(|_| is_bullet(raw)))
        // "**Payment processing:** Stripe and Apple handle …", "3.3.1 Payments: Adyen
        // processes …", "**Corporate transactions** — a buyer …": the head is a category
        // and the providers, if any, are the subjects of the prose after it.
        .filter(|(name, _, rest)| {
            !is_category_title(name) && subject_item(rest).is_none_or(|(n, _)| n == *name)
        })
}

/// A head in sentence case ("Payment processing", "Corporate transactions"): a title of
/// a category, where a name capitalises its words ("Google Analytics for Firebase").
fn is_category_title(head: &str) -> bool {
    let mut words = head.split_whitespace();
    let first_capital = words
        .next()
        .is_some_and(|w| w.starts_with(|c: char| c.is_uppercase()));
    first_capital
        && words.any(|w| {
            w.chars().all(|c| c.is_lowercase() || c == '-')
                && !["of", "for", "by", "and", "&", "de", "the", "on", "in"].contains(&w)
        })
}

/// The text after a lettered item's marker ("(a) ", "b) "), for one lower-case letter.
fn strip_letter(line: &str) -> Option<&str> {
    let t = line.trim_start();
    let t = t.strip_prefix('(').unwrap_or(t);
    let mut chars = t.chars();
    let letter = chars.next()?;
    let rest = chars.as_str().strip_prefix(')')?;
    (letter.is_ascii_lowercase() && rest.starts_with(' ')).then(|| rest.trim_start())
}

/// "gameanalytics — tells us where people get stuck", "playfab (microsoft) — stores
/// cloud saves": a bullet headed by a name of a few words and a dash, in whatever case
/// the policy writes names. Only read after a lead-in that says the list is of third
/// parties, as all provider items are.
fn dashed_item(line: &str) -> Option<(String, Option<String>, String)> {
    let (head, rest) = [" — ", " – ", " -- ", " - "]
        .iter()
        .filter_map(|sep| line.split_once(sep))
        .min_by_key(|(h, _)| h.len())?;
    // "[Postmark](https://…) — your email address", which Markdown gives as "Postmark
    // <https://…>": the link is the privacy policy's, kept with what the item says.
    let (head, link) = split_link(head);
    let with_link = |rest: &str| match link {
        Some(url) => format!("{} {url}", rest.trim()),
        None => rest.trim().to_string(),
    };
    let (name, owner) = match head.split_once(" (") {
        Some((n, o)) => (n.trim(), o.strip_suffix(')').map(str::trim)),
        None => (head.trim(), None),
    };
    // "Amazon Web Services EMEA SARL -- hosting": a company's full name, longer than a
    // product's and with its commas, is the name and the owner.
    if looks_like_company(name)
        && name.split_whitespace().count() <= 8
        && name.starts_with(|c: char| c.is_ascii_uppercase())
        && !rest.trim().is_empty()
    {
        let owner = owner.filter(|o| !o.is_empty()).unwrap_or(name);
        return Some((name.to_string(), Some(owner.to_string()), with_link(rest)));
    }
    let words: Vec<&str> = name.split_whitespace().collect();
    // A name the policy links is a name even when longer ("Google Analytics for Firebase").
    let most_words = if link.is_some() { 6 } else { 3 };
    let ok = !words.is_empty()
        && words.len() <= most_words
        && !rest.trim().is_empty()
        && name.is_ascii()
        && words.iter().all(|w| {
            w.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+' | '&'))
                && ![
                    "your", "our", "you", "we", "my", "their", "us", "the", "a", "an",
                ]
                .contains(&w.to_lowercase().as_str())
        });
    ok.then(|| {
        (
            name.to_string(),
            owner.filter(|o| !o.is_empty()).map(str::to_string),
            with_link(rest),
        )
    })
}

/// A name with its link after it, "Postmark <https://…>" (a Markdown link as the
/// document reader gives it) or "[Postmark](https://…)": the name and the URL.
fn split_link(head: &str) -> (&str, Option<&str>) {
    let h = head.trim();
    if let Some(inner) = h.strip_prefix('[')
        && let Some((name, after)) = inner.split_once("](")
        && let Some(url) = after.strip_suffix(')')
        && url.starts_with("http")
    {
        return (name.trim(), Some(url));
    }
    if let Some(open) = h.rfind(" <http")
        && let Some(url) = h[open + 2..].strip_suffix('>')
    {
        return (h[..open].trim(), Some(url));
    }
    (h, None)
}

fn is_bullet(raw: &str) -> bool {
    let t = raw.trim_start();
    // Symbol bullets only: "6.1.1 Obtain your consent: …" is a numbered clause title.
    t.starts_with(['-', '*', '+', '•', '·', '●'])
}

/// Lists after a lead-in that says they are third parties: items that are only a named
/// link (the common English app-policy shape "Link to the privacy policy of third-party
/// service providers used by the app" and one link per SDK), or bullets headed by a
/// name ("Acme Analytics: usage statistics").
fn link_lists(
    raw: &[&str],
    lines: &[String],
    labels: &Labels,
    used: &mut [bool],
    out: &mut Vec<Record>,
) {
    let provider = |k: usize| {
        let r = raw.get(k)?;
        if !labels.fields(&lines[k]).is_empty() {
            return None;
        }
        provider_item(r, &lines[k])
    };
    let item = |used: &[bool], k: usize| -> bool {
        !used[k] && (link_item(&lines[k]).is_some() || provider(k).is_some())
    };
    let indent = |k: usize| {
        raw.get(k)
            .map_or(0, |l| l.chars().take_while(|c| c.is_whitespace()).count())
    };
    // Hard-wrapped text: the lines of an item after its first, indented deeper.
    let wrapped = |used: &[bool], item_line: usize, k: usize| -> bool {
        !used[k]
            && !lines[k].trim().is_empty()
            && indent(k) > indent(item_line)
            && indent(item_line) > 0
            && !item(used, k)
            && !is_bullet(raw[k])
            && strip_letter(&lines[k]).is_none()
    };
    // "* [Acme](https://…)" then "    * crash logs, device model": bullets nested under an
    // item (and the lines they wrap onto) say what that item's provider gets.
    let nested = |used: &[bool], item_line: usize, k: usize| -> bool {
        !used[k]
            && !lines[k].trim().is_empty()
            && indent(k) > indent(item_line)
            && !item(used, k)
            && (is_bullet(raw[k])
                || (k > item_line + 1 && (item_line + 1..k).any(|b| is_bullet(raw[b]))))
    };
    let mut i = 0;
    while i < lines.len() {
        if !item(used, i) {
            i += 1;
            continue;
        }
        let start = i;
        let mut end = i;
        let mut last_item = i;
        while i < lines.len()
            && (item(used, i)
                || lines[i].trim().is_empty()
                || wrapped(used, last_item, i)
                || nested(used, last_item, i))
        {
            if item(used, i) {
                last_item = i;
                end = i + 1;
            } else if !lines[i].trim().is_empty() {
                end = i + 1;
            }
            i += 1;
        }
        i = end;
        // The lead-in: the two lines of text before the list (an item of an earlier list
        // is not one).
        let lead = (0..start)
            .rev()
            .filter(|&k| !lines[k].trim().is_empty())
            .take(2)
            .take_while(|&k| link_item(&lines[k]).is_none())
            .any(|k| {
                let l = lines[k].to_lowercase();
                labels.link_lead_in.iter().any(|w| l.contains(w.as_str()))
            });
        if !lead {
            continue;
        }
        let mut k = start;
        while k < end {
            let line = &lines[k];
            let mut draft = Draft::default();
            let mut weak = false;
            // The item's wrapped lines, read with it.
            let mut next = k + 1;
            let mut described = false;
            while next < end
                && (wrapped(used, k, next)
                    || nested(used, k, next)
                    || (lines[next].trim().is_empty()
                        && next + 1 < end
                        && nested(used, k, next + 1)))
            {
                described |= nested(used, k, next);
                next += 1;
            }
            if let Some((name, url)) = link_item(line) {
                draft.names = name;
                *draft.value_mut(Field::Link) = url;
            } else if let Some((name, entity, rest)) = provider(k) {
                draft.names = name;
                if let Some(e) = entity.filter(|e| !e.is_empty()) {
                    *draft.value_mut(Field::Entity) = e;
                }
                if let Some(url) = find_url(&rest) {
                    *draft.value_mut(Field::Link) = url;
                }
                *draft.value_mut(Field::Data) = rest;
                weak = true;
            } else {
                k = next;
                continue;
            }
            used[k] = true;
            draft.add_text(k + 1, line);
            for w in k + 1..next {
                if weak || described {
                    append(draft.value_mut(Field::Data), &lines[w]);
                }
                used[w] = true;
                draft.add_text(w + 1, &lines[w]);
            }
            if let Some(mut r) = draft.finish(labels) {
                r.weak = weak;
                out.push(r);
            }
            k = next;
        }
    }
}

/// The Termly layout of a third-party list: after a lead-in that names third parties, a
/// bullet per category and the names on the line after it ("- Cloud Computing Services",
/// "Amazon Web Services (AWS)"). Each name is a record with its category as the purpose.
fn category_lists(
    raw: &[&str],
    lines: &[String],
    labels: &Labels,
    used: &mut [bool],
    out: &mut Vec<Record>,
) {
    let mut i = 0;
    while i < lines.len() {
        let lead = lines[i].trim();
        let lower = lead.to_lowercase();
        let is_lead = lead.ends_with([':', '：'])
            && labels
                .link_lead_in
                .iter()
                .any(|w| lower.contains(w.as_str()));
        i += 1;
        if !is_lead {
            continue;
        }
        let mut k = i;
        while k < lines.len() && lines[k].trim().is_empty() {
            k += 1;
        }
        while k + 1 < lines.len()
            && raw.get(k).is_some_and(|r| is_bullet(r))
            && !raw.get(k + 1).is_some_and(|r| is_bullet(r))
            && !used[k]
            && !used[k + 1]
        {
            let category = strip_marker(lines[k].trim()).trim();
            let names_line = lines[k + 1].trim();
            let is_category = category.split_whitespace().count() <= 8
                && category.chars().next().is_some_and(char::is_uppercase)
                && !category.ends_with(['.', ':', '：', ';'])
                && !category.chars().any(super::segment::is_cjk);
            if !is_category || names_line.is_empty() {
                break;
            }
            for name in listed_names(names_line) {
                out.push(Record {
                    names: vec![name],
                    entity: None,
                    purpose: Some(category.to_string()),
                    data: None,
                    link: None,
                    first_line: k + 2,
                    last_line: k + 2,
                    text: names_line.to_string(),
                    weak: true,
                });
            }
            used[k] = true;
            used[k + 1] = true;
            k += 2;
        }
        i = i.max(k);
    }
}

/// "Google Analytics for Firebase and Mixpanel", "Amazon Web Services (AWS)": the names
/// a line lists, each capitalised ("Facebook account" is no name).
fn listed_names(line: &str) -> Vec<String> {
    if line.chars().count() > 100 || line.ends_with(['.', ';', ':', '：']) {
        return Vec::new();
    }
    line.split(", ")
        .flat_map(|part| part.split(" and "))
        .filter_map(|part| {
            let part = part.trim();
            // "(AWS)": the short name in brackets is not a second party.
            let name = match part.split_once(" (") {
                Some((head, tail)) if tail.ends_with(')') => head.trim(),
                _ => part,
            };
            let words: Vec<&str> = name.split_whitespace().collect();
            let named = !words.is_empty()
                && words.len() <= 6
                && words[0].chars().next().is_some_and(|c| !c.is_lowercase())
                && words.iter().all(|w| {
                    w.chars().any(|c| c.is_uppercase() || c.is_ascii_digit())
                        || ["for", "of", "&", "by"].contains(w)
                });
            named.then(|| name.to_string())
        })
        .collect()
}

/// Reads every SDK-list record of a policy text.
pub(super) fn parse(text: &str, labels: &Labels) -> Vec<Record> {
    let raw: Vec<&str> = text.lines().collect();
    let lines: Vec<String> = raw
        .iter()
        .map(|l| {
            let line = clean_line(l);
            labels
                .label_row(&line)
                .or_else(|| labels.piped_fields(&line))
                .or_else(|| labels.bare_label(&line))
                .unwrap_or(line)
        })
        .collect();
    let mut used = vec![false; lines.len()];
    let mut out = Vec::new();
    tables(&lines, labels, &mut used, &mut out);
    link_lists(&raw, &lines, labels, &mut used, &mut out);
    category_lists(&raw, &lines, labels, &mut used, &mut out);

    let mut current: Option<Draft> = None;
    // The field that wrapped text continues, and the title line waiting for its fields.
    let mut last_field: Option<Field> = None;
    // How far the line of the last field is indented: a bullet indented further is one
    // of its items ("- 收集信息：" over "    - 设备型号、OAID").
    let mut field_indent = 0usize;
    let indent = |i: usize| {
        raw.get(i)
            .map_or(0, |l| l.chars().take_while(|c| c.is_whitespace()).count())
    };
    let mut title: Option<(usize, String)> = None;
    let close = |d: &mut Option<Draft>, out: &mut Vec<Record>| {
        if let Some(draft) = d.take()
            && let Some(r) = draft.finish(labels)
        {
            out.push(r);
        }
    };
    let next_nonblank = |from: usize| lines.iter().skip(from).find(|l| !l.trim().is_empty());
    for (i, line) in lines.iter().enumerate() {
        let line_no = i + 1;
        if used[i] {
            close(&mut current, &mut out);
            last_field = None;
            title = None;
            continue;
        }
        if line.trim().is_empty() || line.chars().all(|c| c == '=' || c == '-') {
            if line.starts_with("===") {
                close(&mut current, &mut out);
                last_field = None;
                title = None;
            }
            continue;
        }
        let fields = labels.fields(line);
        if fields.is_empty() {
            if let Some(record) = dash_record(line, line_no, labels) {
                close(&mut current, &mut out);
                out.push(record);
                last_field = None;
                title = None;
                continue;
            }
            let short = line.chars().count() <= 40
                && !line.ends_with(['。', '.', '：', ':', '；', ';'])
                && !line.contains('。');
            let next_fields = next_nonblank(i + 1)
                .map(|l| labels.fields(l))
                .unwrap_or_default();
            let next_first = next_fields.first().map(|f| f.2);
            if let Some(d) = current.as_mut()
                && let Some(f) = last_field
            {
                let empty = d.value_mut(f).trim().is_empty();
                // The next record's title: the fields after it repeat ours.
                let nested = indent(i) > field_indent && is_bullet(raw[i]);
                // "Intercom (Intercom R&D Unlimited Company)" may run past the short limit.
                let is_title = (short || titled_provider(line).is_some())
                    && !nested
                    && next_first.is_some_and(|n| n != Field::Name && d.has(n));
                // "四、我们如何保护…": a numbered line with no fields after it ends the list;
                // "(1)必选信息" inside a field does not, nor does a nested bullet.
                let paren = line.trim_start().starts_with(['(', '（']);
                let ends = is_numbered(line) && !paren && !nested && next_first.is_none();
                // A data or purpose field runs on over its items, one per line.
                let item = matches!(f, Field::Data | Field::Purpose)
                    && line.chars().count() <= 80
                    && !line.ends_with(['。', '：', ':']);
                let continues = empty
                    || item
                    || nested
                    || (short && next_first.is_some())
                    || (f == Field::Link && find_url(line).is_some());
                if continues && !is_title && !ends {
                    let value = d.value_mut(f);
                    // Items one per line stay apart, so no phrase spans two of them.
                    if item && !empty {
                        value.push(' ');
                    }
                    append(value, if nested { strip_marker(line) } else { line });
                    d.add_text(line_no, line);
                    continue;
                }
            }
            close(&mut current, &mut out);
            last_field = None;
            // "1、友盟+统计SDK：" titles the fields after it too; a lead-in sentence
            // ("以下是我们接入的第三方SDK：") does not.
            let bare = line.trim_end_matches([':', '：']);
            let titled = bare.chars().count() <= 40
                && !bare.contains(['。', '，', ','])
                && !["我们", "您", "以下", "如下", "we ", "our ", "following"]
                    .iter()
                    .any(|w| bare.to_lowercase().contains(w));
            let titled = titled || titled_provider(bare).is_some();
            title = ((short || titled) && next_first.is_some())
                .then(|| (line_no, strip_marker(bare).to_string()));
            continue;
        }
        let prefix = line[..fields[0].0].trim();
        // "1. 微信开放平台SDK，第三方主体：…": a numbered name before the first label
        // titles a new record.
        let prefix_title = strip_marker(prefix.trim_end_matches(['，', ',', ' '])).trim();
        // "高德地图SDK，提供方：…；用途：…": an SDK's name and a comma open the line
        // without a number.
        let named_prefix = prefix.ends_with(['，', ','])
            && prefix_title.chars().count() <= 24
            && !["我们", "您", "以下", "如下", "此外", "其中", "包括", "例如"]
                .iter()
                .any(|w| prefix_title.contains(w));
        let titled_prefix = !prefix_title.is_empty()
            && !labels.is_generic(prefix_title)
            && fields[0].2 != Field::Name
            && prefix.chars().count() <= 40
            && (is_numbered(prefix) || named_prefix)
            && !prefix.contains('。');
        // "…以下第三方SDK：（1）个推推送SDK，提供方：…": a lead-in and the first record's
        // numbered name on one line.
        let tail_title = (!titled_prefix)
            .then(|| numbered_tail(prefix))
            .flatten()
            .filter(|_| fields[0].2 != Field::Name);
        if titled_prefix {
            close(&mut current, &mut out);
            last_field = None;
            title = Some((line_no, prefix_title.to_string()));
        } else if let Some((_, t)) = tail_title {
            close(&mut current, &mut out);
            last_field = None;
            title = Some((line_no, t));
        } else if !prefix_title.is_empty() {
            // A bare list marker ("  - 目的：…") is no wrapped tail.
            match (current.as_mut(), last_field) {
                // "Talking" / "data 公司全称：…": a wrapped value's tail before the next label.
                (Some(d), Some(f)) if prefix.chars().count() <= 30 => {
                    append(d.value_mut(f), prefix);
                    d.add_text(line_no, prefix);
                }
                _ => {}
            }
        }
        // The title of a record that starts inside the line, after the value before it.
        let mut title_inside = false;
        for (k, &(_, value_start, field)) in fields.iter().enumerate() {
            let mut value_end = fields.get(k + 1).map(|f| f.0).unwrap_or(line.len());
            let mut value = line.get(value_start..value_end).unwrap_or("");
            // "…收集信息：设备型号、OAID；（2）华为推送SDK，提供方：…": records run
            // together on one line; the numbered name after the value titles the next.
            let next_title =
                fields
                    .get(k + 1)
                    .and_then(|_| numbered_tail(value))
                    .map(|(cut, t)| {
                        value_end = value_start + cut;
                        value = &value[..cut];
                        t
                    });
            let starts_new = match (&current, field) {
                _ if std::mem::take(&mut title_inside) => true,
                (_, Field::Other) => false,
                (_, Field::Name) => true,
                (None, _) => true,
                // "使用目的：… 使用场景：…": the same field twice in a row is one field;
                // after other fields it is the next record's.
                (Some(d), f) => d.has(f) && last_field != Some(f),
            };
            if field == Field::Other && current.is_none() {
                continue;
            }
            if starts_new {
                close(&mut current, &mut out);
                let mut d = Draft::default();
                if field != Field::Name
                    && let Some((t_line, t)) = title.take()
                    && t_line + 3 >= line_no
                {
                    d.title = Some(t.clone());
                    d.add_text(t_line, &t);
                }
                current = Some(d);
            }
            if let Some(d) = current.as_mut() {
                let v = d.value_mut(field);
                if !v.trim().is_empty() && !value.trim().is_empty() {
                    v.push('；');
                }
                append(v, value);
                let label_start = fields[k].0;
                let seg = line.get(label_start..value_end).unwrap_or("");
                // The quote ends with the field's sentence, as the value does.
                let seg = seg.find('。').map_or(seg, |p| &seg[..p + '。'.len_utf8()]);
                d.add_text(line_no, seg);
            }
            last_field = Some(field);
            field_indent = indent(i);
            if let Some(t) = next_title {
                title = Some((line_no, t));
                title_inside = true;
            }
        }
        title = None;
    }
    close(&mut current, &mut out);
    out.sort_by_key(|r| r.first_line);
    out
}

/// Where a value ends and the next record's numbered title starts, when records run
/// together on one line: "设备型号、OAID；（2）华为推送SDK，" gives the cut after "；" and
/// "华为推送SDK". The title is short, numbered, after a clause stop or a lead-in's colon,
/// and is no sentence.
fn numbered_tail(value: &str) -> Option<(usize, String)> {
    let (at, stop) = value
        .char_indices()
        .rfind(|&(_, c)| matches!(c, '；' | ';' | '。' | '：' | ':'))?;
    let cut = at + stop.len_utf8();
    let rest = value[cut..].trim();
    if !rest.starts_with(|c: char| matches!(c, '(' | '（') || c.is_ascii_digit())
        || !is_numbered(rest)
        || rest.chars().count() > 40
    {
        return None;
    }
    let name = strip_marker(rest)
        .trim_end_matches(['，', ',', ' ', '：', ':'])
        .trim();
    (!name.is_empty() && !name.contains(['。', '，', ','])).then(|| (cut, name.to_string()))
}

/// Companies named by their legal form in `text`: Chinese names ending in 有限公司 and
/// the like (with a brand in brackets after them), English names ending in Inc., LLC, Ltd.
pub(super) fn companies(text: &str) -> Vec<Company> {
    let mut out = Vec::new();
    let mut search = 0;
    while search < text.len() {
        let found = COMPANY_SUFFIXES_ZH
            .iter()
            .filter_map(|s| text[search..].find(s).map(|p| (search + p, s.len())))
            .min_by_key(|&(p, len)| (p, usize::MAX - len));
        let Some((pos, len)) = found else {
            break;
        };
        let suffix_end = pos + len;
        // Walk back over the name: CJK, Latin letters, digits and a bracketed place
        // ("（北京）"), stopping at punctuation and at the words that introduce a receiver.
        let mut start = pos;
        let mut depth = 0i32;
        for (i, c) in text[..pos].char_indices().rev() {
            let stop = match c {
                '）' | ')' => {
                    depth += 1;
                    false
                }
                '（' | '(' => {
                    depth -= 1;
                    depth < 0
                }
                _ if depth > 0 => false,
                // "存储在阿里云计算有限公司": a place the data go to ("在线" is a word).
                '在' => !text[i..].starts_with("在线"),
                // "深圳市和讯…", "由和风天气科技有限公司提供": 和 after a place name, or
                // after a word that ends the walk, begins the name.
                '和' => !text[..i]
                    .chars()
                    .next_back()
                    .is_none_or(|p| "市省区县给与向及或的由为至、，：:（(".contains(p)),
                // "承运商包括顺丰速运有限公司", "我们的关联公司上海某某有限公司": the words
                // that introduce the company are not part of it.
                _ if COMPANY_LEAD_WORDS
                    .iter()
                    .any(|w| text[..i + c.len_utf8()].ends_with(w)) =>
                {
                    true
                }
                c if super::segment::is_cjk(c) => "给与向及或的由为至、".contains(c),
                c if c.is_ascii_alphanumeric() => false,
                _ => true,
            };
            if stop || pos - i > 90 {
                break;
            }
            start = i;
        }
        let legal = text[start..suffix_end].trim();
        let han = legal.chars().filter(|&c| super::segment::is_cjk(c)).count();
        let mut end = suffix_end;
        let mut name = legal.to_string();
        // A brand right after the legal name: "（百度音乐）".
        let after = &text[suffix_end..];
        if let Some(open) = after.chars().next().filter(|c| matches!(c, '（' | '('))
            && let Some(close_at) = after.find(['）', ')'])
        {
            let inner = &after[open.len_utf8()..close_at];
            if !inner.is_empty()
                && inner.chars().count() <= 16
                && !inner.contains(['，', '、', ','])
            {
                end = suffix_end
                    + close_at
                    + after[close_at..]
                        .chars()
                        .next()
                        .map(char::len_utf8)
                        .unwrap_or(1);
                name = text[start..end].trim().to_string();
            }
        }
        if han - len / 3 >= 2 {
            out.push(Company {
                start,
                end,
                name,
                legal: legal.to_string(),
            });
        }
        search = end.max(suffix_end);
    }
    out.extend(companies_en(text));
    out.sort_by_key(|c| c.start);
    out
}

/// "Google LLC", "Meta Platforms, Inc.": capitalised words before an English legal form.
fn companies_en(text: &str) -> Vec<Company> {
    let mut out = Vec::new();
    let words: Vec<(usize, &str)> = text
        .split_whitespace()
        .map(|w| (w.as_ptr() as usize - text.as_ptr() as usize, w))
        .collect();
    for (k, &(pos, w)) in words.iter().enumerate() {
        let bare = w.trim_end_matches([',', ';', ')', '.']);
        let lower = bare.to_lowercase();
        if !["inc", "llc", "ltd", "limited", "gmbh", "corporation", "plc"].contains(&lower.as_str())
            || bare.chars().next().is_some_and(|c| c.is_lowercase())
        {
            continue;
        }
        let mut first = k;
        while first > 0 {
            let (_, prev) = words[first - 1];
            let p = prev.trim_end_matches(',');
            let capital = p
                .chars()
                .next()
                .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit());
            if !capital || k - first >= 5 || prev.ends_with(['.', ';', ':']) {
                break;
            }
            first -= 1;
        }
        if first == k {
            continue;
        }
        let start = words[first].0;
        // "Inc." keeps its period; a sentence's full stop after "LLC" does not belong.
        let keep_dot = matches!(lower.as_str(), "inc" | "ltd") && w[bare.len()..].starts_with('.');
        let end = pos + bare.len() + usize::from(keep_dot);
        let legal = text[start..end].trim_end_matches(',').to_string();
        out.push(Company {
            start,
            end,
            name: legal.clone(),
            legal,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels() -> Labels {
        let w = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        Labels::compile(
            &LabelWords {
                name: w(&[
                    "第三方SDK名称",
                    "SDK名称",
                    "名称",
                    "SDK",
                    "SDK name",
                    "Name",
                ]),
                entity: w(&[
                    "公司全称",
                    "公司名称",
                    "开发者名称",
                    "开发者",
                    "运营方",
                    "所属公司",
                    "Company",
                    "Provider",
                ]),
                purpose: w(&["使用目的", "用途", "使用场景描述", "Purpose"]),
                data: w(&[
                    "收集数据类型",
                    "收集的个人信息",
                    "共享的个人信息类型",
                    "共享信息",
                    "Data collected",
                    "Data",
                ]),
                link: w(&["官网链接", "隐私政策链接", "隐私政策", "Privacy policy"]),
                other: w(&["处理方式", "申请权限"]),
                generic: w(&[
                    "SDK",
                    "第三方SDK",
                    "第三方",
                    "third party",
                    "partner",
                    "合作方",
                ]),
                link_list_lead_in: w(&["third-party", "third part", "第三方"]),
            },
            "test",
        )
        .expect("labels")
    }

    #[test]
    fn inline_runs_with_several_records_on_one_line_and_wrapped_names() {
        let text = "如下： 第三方SDK名称：甲推送 公司全称：甲科技有限公司 使用目的：推送消息\n\
                    收集数据类型：设备信息；经纬度 官网链接：<http://docs.jia.example.com/privacy> 第三方SDK名称：Big\n\
                    data 公司全称：乙公司 使用目的：统计 收集数据类型：MAC地址\n\
                    官网链接：<https://www.yi.example.cn/p.html>\n";
        let r = parse(text, &labels());
        assert_eq!(r.len(), 2, "{r:#?}");
        assert_eq!(r[0].names, vec!["甲推送"]);
        assert_eq!(r[0].entity.as_deref(), Some("甲科技有限公司"));
        assert_eq!(r[0].data.as_deref(), Some("设备信息；经纬度"));
        assert_eq!(
            r[0].link.as_deref(),
            Some("http://docs.jia.example.com/privacy")
        );
        assert_eq!(r[1].names, vec!["Big data"]);
        assert_eq!(r[1].data.as_deref(), Some("MAC地址"));
        assert_eq!(
            r[1].link.as_deref(),
            Some("https://www.yi.example.cn/p.html")
        );
        assert_eq!((r[1].first_line, r[1].last_line), (2, 4));
    }

    #[test]
    fn fields_the_entry_does_not_keep_end_the_one_before() {
        let text = "SDK名称：甲地图SDK 收集的个人信息：设备信息 处理方式：去标识化 申请权限：定位权限 公司名称：甲公司\n";
        let r = parse(text, &labels());
        assert_eq!(r.len(), 1, "{r:#?}");
        assert_eq!(r[0].data.as_deref(), Some("设备信息"));
        assert_eq!(r[0].entity.as_deref(), Some("甲公司"));
    }

    #[test]
    fn one_name_field_listing_several_sdks() {
        let text = "第三方SDK名称：丙广告SDK、丁SDK、分享库（微信、微博）、Acme\nSDK，使用场景描述：广告推送，共享的个人信息类型：设备信息、经纬度。我们会去标识化。\n";
        let r = parse(text, &labels());
        assert_eq!(r.len(), 1, "{r:#?}");
        assert_eq!(
            r[0].names,
            vec!["丙广告SDK", "丁SDK", "分享库（微信、微博）", "Acme SDK"]
        );
        assert_eq!(r[0].data.as_deref(), Some("设备信息、经纬度"));
        assert_eq!(r[0].purpose.as_deref(), Some("广告推送"));
    }

    #[test]
    fn one_field_per_line_under_titles() {
        let text = "1. 甲统计SDK\n使用目的：统计分析\n收集的个人信息：设备标识符\n隐私政策链接：https://jia.example.com/privacy\n\n\
                    2. 乙地图SDK\n使用目的：定位\n收集的个人信息：位置信息\n";
        let r = parse(text, &labels());
        assert_eq!(r.len(), 2, "{r:#?}");
        assert_eq!(r[0].names, vec!["甲统计SDK"]);
        assert_eq!(r[0].first_line, 1);
        assert_eq!(r[1].names, vec!["乙地图SDK"]);
        assert_eq!(r[1].data.as_deref(), Some("位置信息"));
    }

    #[test]
    fn data_items_one_per_line_with_sub_blocks() {
        let text = "三、第三方SDK目录\n甲统计SDK\n所属公司：甲有限公司\n收集的个人信息：\n(1)必选信息\n设备标识符\n(2)可选信息\n位置信息\n                    乙推送SDK\n所属公司：乙有限公司\n收集的个人信息：\n网络类型\n四、我们如何保护您的个人信息\n我们会加密。\n";
        let r = parse(text, &labels());
        assert_eq!(r.len(), 2, "{r:#?}");
        assert_eq!(r[0].names, vec!["甲统计SDK"]);
        assert_eq!(
            r[0].data.as_deref(),
            Some("(1)必选信息 设备标识符 (2)可选信息 位置信息")
        );
        assert_eq!(r[1].names, vec!["乙推送SDK"]);
        assert_eq!(r[1].data.as_deref(), Some("网络类型"));
        assert_eq!(r[1].last_line, 12);
    }

    #[test]
    fn two_labels_of_one_field_in_a_row() {
        let text = "1. 甲分享SDK\n使用目的：分享\n使用场景描述：分享到甲时\n收集的个人信息：设备标识符\n公司名称：甲公司\n\
                    2. 乙推送SDK\n使用目的：推送\n使用场景描述：收到通知时\n收集的个人信息：网络信息\n公司名称：乙公司\n";
        let r = parse(text, &labels());
        assert_eq!(r.len(), 2, "{r:#?}");
        assert_eq!(r[0].purpose.as_deref(), Some("分享；分享到甲时"));
        assert_eq!(r[1].names, vec!["乙推送SDK"]);
        assert_eq!(r[1].data.as_deref(), Some("网络信息"));
    }

    #[test]
    fn fields_as_nested_bullets_with_their_items_nested_again() {
        let text = "- **甲广告SDK**\n  - 所属公司：甲科技有限公司\n  - 使用目的：广告\n  - 收集的个人信息：\n    - 设备型号、OAID\n    - IP地址\n  - 隐私政策：https://a.example.com/privacy\n- **乙统计SDK**\n  - 所属公司：乙有限公司\n  - 收集的个人信息：设备型号\n";
        let r = parse(text, &labels());
        assert_eq!(r.len(), 2, "{r:#?}");
        assert_eq!(r[0].names, vec!["甲广告SDK"]);
        assert_eq!(r[0].entity.as_deref(), Some("甲科技有限公司"));
        assert_eq!(r[0].purpose.as_deref(), Some("广告"));
        assert_eq!(r[0].data.as_deref(), Some("设备型号、OAID IP地址"));
        assert_eq!(r[1].names, vec!["乙统计SDK"]);
        assert_eq!(r[1].entity.as_deref(), Some("乙有限公司"));
    }

    #[test]
    fn titles_ending_in_a_colon() {
        let text = "以下是我们接入的第三方SDK：\n使用目的：统计\n收集的个人信息：设备信息\n\n                    1、甲统计SDK：\n使用目的：统计\n收集的个人信息：设备标识符\n";
        let r = parse(text, &labels());
        assert_eq!(r.len(), 1, "{r:#?}");
        assert_eq!(r[0].names, vec!["甲统计SDK"]);
    }

    #[test]
    fn name_fields_one_per_line() {
        let text = "SDK名称：甲统计SDK\n共享信息：设备信息\n所属公司：甲网络技术（北京）有限公司\n使用目的：统计\n\nSDK名称：乙SDK\n共享信息：网络信息\n所属公司：乙公司\n";
        let r = parse(text, &labels());
        assert_eq!(r.len(), 2, "{r:#?}");
        assert_eq!(r[0].entity.as_deref(), Some("甲网络技术（北京）有限公司"));
        assert_eq!(r[1].names, vec!["乙SDK"]);
        assert_eq!(r[1].data.as_deref(), Some("网络信息"));
    }

    #[test]
    fn a_company_under_the_name_header_and_the_sdk_in_a_product_column() {
        let text = "第三方名称\t产品/类型\t收集的个人信息\n\
                    甲地图科技有限公司\t甲地图SDK\t位置信息\n\
                    甲地图科技有限公司\t甲定位SDK\t精确位置\n\
                    乙能源股份有限公司\t充电接口\t手机号码\n";
        let r = parse(text, &labels());
        assert_eq!(r.len(), 3, "{r:#?}");
        assert_eq!(r[0].names, vec!["甲地图SDK"]);
        assert_eq!(r[0].entity.as_deref(), Some("甲地图科技有限公司"));
        assert_eq!(r[1].names, vec!["甲定位SDK"]);
        // No SDK in the product cell: the company stays the name.
        assert_eq!(r[2].names, vec!["乙能源股份有限公司"]);
    }

    #[test]
    fn tables_with_a_header_row() {
        let text = "| 第三方SDK名称 | 第三方SDK开发者名称 | 收集的个人信息 | 第三方SDK隐私政策 |\n|---|---|---|---|\n\
                    | 甲推送 | 甲公司 | 设备标识符 | https://a.example.com/p |\n| 第三方SDK | 乙公司 | IP地址 | - |\n";
        let r = parse(text, &labels());
        assert_eq!(r.len(), 2, "{r:#?}");
        assert_eq!(r[0].names, vec!["甲推送"]);
        assert_eq!(r[0].data.as_deref(), Some("设备标识符"));
        // A generic word in the name column never becomes a name: the company stands in.
        assert_eq!(r[1].names, vec!["乙公司"]);
        let tabbed = "名称\t运营方\t用途\n丙SDK\t丙公司\t登录\n";
        let r = parse(tabbed, &labels());
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].entity.as_deref(), Some("丙公司"));
    }

    /// The label words the extractor ships with.
    fn builtin() -> Labels {
        use super::super::practice::{DEFAULT_POLICY_PHRASES, PracticeWords};
        PracticeWords::parse(DEFAULT_POLICY_PHRASES, "policy-phrases.toml")
            .expect("built-in phrases")
            .sdk_list
    }

    #[test]
    fn a_table_row_whose_last_cell_a_crawl_wrapped() {
        let text = "第三方名称 | 第三方需要申请的权限 | 第三方提供的功能 | 第三方收集的个人信息\n---|---|---|---\n\
甲推送SDK | 获取设备信息 | 消息推送 |\n设备信息（IMEI、系统版本）\n\
乙分享SDK | 获取设备信息 | 分享 | 设备信息（IMEI）\n";
        let r = parse(text, &builtin());
        assert_eq!(r.len(), 2, "{r:#?}");
        assert_eq!(r[0].names, vec!["甲推送SDK"]);
        assert_eq!(r[0].purpose.as_deref(), Some("消息推送"));
        assert_eq!(r[0].data.as_deref(), Some("设备信息（IMEI、系统版本）"));
        assert_eq!((r[0].first_line, r[0].last_line), (3, 4));
        // The permission column is no data.
        assert_eq!(r[1].data.as_deref(), Some("设备信息（IMEI）"));
    }

    #[test]
    fn fields_between_bars_on_one_line_are_one_record() {
        let text = "1. 甲号码认证SDK 提供方：甲云计算有限公司 | 使用目的：一键登录 | 涉及个人信息：手机号码 | 收集方式：SDK自行采集\n\n\
                    SDK名称：乙推送SDK | 第三方主体：乙科技有限公司 | 收集个人信息：OAID\n";
        let r = parse(text, &builtin());
        assert_eq!(r.len(), 2, "{r:#?}");
        assert_eq!(r[0].names, vec!["甲号码认证"]);
        assert_eq!(r[0].entity.as_deref(), Some("甲云计算有限公司"));
        assert_eq!(r[0].data.as_deref(), Some("手机号码"));
        assert_eq!(r[1].names, vec!["乙推送SDK"]);
        assert_eq!(r[1].data.as_deref(), Some("OAID"));
    }

    #[test]
    fn permission_tables_and_data_rows_are_no_sdk_tables() {
        // A permissions table: "权限名称" names a permission, not a party.
        let perms = "| 权限名称 | 使用目的 | 调用时机 |\n|---|---|---|\n| 相机 | 扫码 | 扫码时 |\n";
        assert!(parse(perms, &builtin()).is_empty());
        // A collected-data table whose row lists "企业名称" among data: the row is no header.
        let data = "| 业务场景 | 信息类型 | 个人信息字段 |\n|---|---|---|\n\
                    | 企业认证 | 工作信息 | 企业名称、证件号码 |\n| 工单 | 通信信息 | 附件、沟通记录 |\n";
        assert!(
            parse(data, &builtin()).is_empty(),
            "{:#?}",
            parse(data, &builtin())
        );
    }

    #[test]
    fn an_english_processor_list_gives_the_company_before_its_address() {
        let text = "### 4.1 Acme Attribution\n\n\
                    Recipient: acme GmbH, Musterstr. 1, 10115 Berlin, Germany\n\
                    Data categories: advertising ID, IP address\n\n\
                    ### 4.2 Ledger\n\n\
                    Recipient: Ledger Pay N.V., Keizersgracht 1, Amsterdam\n\
                    Data categories: card number\n";
        let r = parse(text, &builtin());
        assert_eq!(r.len(), 2, "{r:#?}");
        assert_eq!(r[0].names, vec!["Acme Attribution"]);
        assert_eq!(r[0].entity.as_deref(), Some("acme GmbH"));
        assert_eq!(r[0].data.as_deref(), Some("advertising ID, IP address"));
        assert_eq!(r[1].names, vec!["Ledger"]);
        assert_eq!(r[1].entity.as_deref(), Some("Ledger Pay N.V."));
        assert_eq!(
            english_company("Braze, Inc., 63 Main St, New York").as_deref(),
            Some("Braze, Inc.")
        );
        assert_eq!(english_company("Berlin, Germany"), None);
    }

    #[test]
    fn english_dash_lists() {
        let text = "- Acme Analytics — Acme Labs Inc. — collects device ID and app events — https://acme.example.com/privacy\n\
                    - Wi-Fi settings - a note - nothing else\n";
        let r = parse(text, &labels());
        assert_eq!(r.len(), 1, "{r:#?}");
        assert_eq!(r[0].names, vec!["Acme Analytics"]);
        assert_eq!(r[0].entity.as_deref(), Some("Acme Labs Inc."));
        assert_eq!(
            r[0].data.as_deref(),
            Some("collects device ID and app events")
        );
    }

    #[test]
    fn lists_of_links_after_a_third_party_lead_in() {
        let text = "The app uses third-party services that may collect data.\n\n                    Links to the privacy policies of the third-party service providers:\n\n                    * [Acme Play Services](https://www.acme.example.com/policies/privacy/)\n                    * [Zeta Analytics](https://zeta.example.net/privacy)\n* [https://www.zeta.example.net/](https://www.zeta.example.net/)\n* [《第三方SDK目录》](https://example.org/sdk.html)\n\n                    ## Menu\n\n- [Home](https://example.org/)\n- [Blog](https://example.org/blog)\n";
        let r = parse(text, &labels());
        let names: Vec<&str> = r.iter().map(|r| r.names[0].as_str()).collect();
        assert_eq!(names, vec!["Acme Play Services", "Zeta Analytics"]);
        assert_eq!(
            r[1].link.as_deref(),
            Some("https://zeta.example.net/privacy")
        );
        let text = "We share data with these third parties:\n\n                    - **Acme Analytics** (Acme Labs Inc.): usage statistics and device model\n                    - Location: we send it to no one\n\nOur office: Main Street 1\n";
        let r = parse(text, &labels());
        assert_eq!(r.len(), 2, "{r:#?}");
        assert_eq!(r[0].names, vec!["Acme Analytics"]);
        assert_eq!(r[0].entity.as_deref(), Some("Acme Labs Inc."));
        assert_eq!(
            r[0].data.as_deref(),
            Some("usage statistics and device model")
        );
        // The caller drops a weak record whose name is a data type.
        assert!(r[0].weak && r[1].weak);
    }

    #[test]
    fn bullets_nested_under_a_link_say_what_its_provider_gets() {
        let text = "The app uses these third-party services:\n\n\
                    * [Acme Crash](https://acme.example.com/privacy) (Acme)\n    \
                    * Only on a crash: the stack trace and device model,\n      \
                    and a random installation ID.\n\
                    * [Zeta Push](https://zeta.example.net/privacy)\n    \
                    * A push token.\n\
                    * [Quill Hosting](https://quill.example.org/privacy)\n\n    \
                    * Stores the synced data.\n\nThat is the whole list.\n";
        let rendered = text
            .replace("* [", "- ")
            .replace("](", " <")
            .replace(") (Acme)", "> (Acme)")
            .replace("privacy)\n", "privacy>\n");
        for text in [text, rendered.as_str()] {
            let r = parse(text, &labels());
            let names: Vec<&str> = r.iter().map(|r| r.names[0].as_str()).collect();
            assert_eq!(
                names,
                ["Acme Crash", "Zeta Push", "Quill Hosting"],
                "{r:#?}"
            );
            let data: Vec<&str> = r.iter().map(|r| r.data.as_deref().unwrap_or("")).collect();
            assert!(data[0].contains("stack trace") && data[0].contains("installation ID"));
            assert_eq!(data[1], "A push token.");
            assert_eq!(data[2], "Stores the synced data.");
        }
    }

    #[test]
    fn category_heads_before_prose_name_no_provider() {
        let text = "We use these third-party providers:\n\n\
                    - **Payment processing:** Paywise and Fruitpay handle card payments.\n\
                    - **Quillchat** – in-app chat; receives your messages.\n\
                    3.3.1 Maps: Gridco provides the maps and receives addresses.\n\
                    3.4 **Corporate transactions** — a buyer of our business.\n";
        let r = parse(text, &labels());
        let names: Vec<&str> = r.iter().map(|r| r.names[0].as_str()).collect();
        assert_eq!(names, ["Quillchat"], "{r:#?}");
        let text = "We share data with these third parties:\n\n\
                    - Quillchat stores your messages.\n\
                    - Corporate transactions — a buyer of our business.\n\
                    - Legal reasons: courts and regulators.\n";
        let r = parse(text, &labels());
        let names: Vec<&str> = r.iter().map(|r| r.names[0].as_str()).collect();
        assert_eq!(names, ["Quillchat"], "{r:#?}");
    }

    #[test]
    fn english_fields() {
        let text = "**Name:** Acme Push; **Company:** Acme Ltd; **Data collected:** device token\n";
        let r = parse(text, &labels());
        assert_eq!(r.len(), 1, "{r:#?}");
        assert_eq!(r[0].names, vec!["Acme Push"]);
        assert_eq!(r[0].data.as_deref(), Some("device token"));
    }

    #[test]
    fn contact_details_are_no_record() {
        let text = "十一、联系我们\n联系我们\n公司名称： 注册地址：北京市\n";
        assert!(
            parse(text, &labels()).is_empty(),
            "{:#?}",
            parse(text, &labels())
        );
    }

    #[test]
    fn prose_with_a_stray_label_is_no_record() {
        let text = "使用目的：我们会收集您的手机号码用于登录。\n我们不会向第三方提供。\n";
        assert!(parse(text, &labels()).is_empty());
    }

    #[test]
    fn companies_in_sharing_clauses() {
        let c = companies(
            "共享给我们的音乐合作伙伴-华宇世博音乐文化（北京）有限公司（百度音乐）和深圳市甲乙文化科技有限公司（QQ音乐），以实现播放",
        );
        let names: Vec<&str> = c.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            vec![
                "华宇世博音乐文化（北京）有限公司（百度音乐）",
                "深圳市甲乙文化科技有限公司（QQ音乐）"
            ]
        );
        assert_eq!(c[0].legal, "华宇世博音乐文化（北京）有限公司");
        let c = companies("We share crash logs with Acme Labs, Inc. and with Foo Bar LLC.");
        let names: Vec<&str> = c.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, vec!["Acme Labs, Inc.", "Foo Bar LLC"]);
        assert!(companies("我们的关联公司和有限公司").is_empty());
        let c = companies("提供给深圳市和讯华谷信息技术有限公司");
        assert_eq!(c[0].legal, "深圳市和讯华谷信息技术有限公司");
    }

    #[test]
    fn urls_and_hosts() {
        assert_eq!(
            find_url("<https://a.example.com/x?y=1>").as_deref(),
            Some("https://a.example.com/x?y=1")
        );
        assert_eq!(
            find_url("官网：www.b.example.cn。").as_deref(),
            Some("https://www.b.example.cn")
        );
        assert_eq!(
            url_host("https://www.b.example.cn/x").as_deref(),
            Some("www.b.example.cn")
        );
    }

    #[test]
    fn names_in_apposition_head_their_items() {
        let item = named_item;
        assert_eq!(
            item("Paywell, which processes card top-ups and receives your billing address;"),
            Some((
                "Paywell".to_string(),
                None,
                "which processes card top-ups and receives your billing address;".to_string()
            ))
        );
        assert_eq!(
            item("Harbour Bank, N.A., which holds your funds;"),
            Some((
                "Harbour Bank".to_string(),
                Some("Harbour Bank, N.A.".to_string()),
                "which holds your funds;".to_string()
            ))
        );
        // A sentence is no name: its head is not title case.
        assert_eq!(item("We keep logs, which we delete after a week."), None);
    }

    #[test]
    fn names_listed_under_category_bullets() {
        let labels = Labels::compile(
            &LabelWords {
                link_list_lead_in: vec!["third parties".to_string()],
                ..LabelWords::default()
            },
            "test",
        )
        .expect("labels");
        let text = "The third parties we may share personal information with are as follows:\n\n\
- Connect to Accounts\nFacebook account and Google account\n\
- Cloud Computing Services\nCirrus Web Services (CWS)\n\
- Web and Mobile Analytics\nTallyho Analytics for Apps and Gaugebird\n\nWe also share data when required by law.\n";
        let r = parse(text, &labels);
        let names: Vec<&str> = r
            .iter()
            .flat_map(|r| r.names.iter().map(String::as_str))
            .collect();
        assert_eq!(
            names,
            [
                "Cirrus Web Services",
                "Tallyho Analytics for Apps",
                "Gaugebird"
            ]
        );
        assert_eq!(r[0].purpose.as_deref(), Some("Cloud Computing Services"));
    }
}
