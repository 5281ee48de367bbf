//! Splitting policy text into numbered clauses and sentences.
//!
//! Policies number their clauses in many styles (`1.3`, `6.1.2`, `一、`, `（一）`,
//! `第三条`, `1)`), often mixed, and the same numbers appear twice (table of contents,
//! then the body). Rather than trusting any one scheme, the segmenter keeps a stack of
//! the numbering styles seen so far: a label of a style already on the stack closes
//! everything below it, a new style opens a child. Each sentence carries the clause path
//! (`4.2(1)`, `一(二)`) and the role of the nearest section heading above it.

use super::sections::SectionWords;

/// What a section of a policy is about, from its heading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Role {
    /// Text before the first heading.
    Preamble,
    Definitions,
    Collection,
    Use,
    Storage,
    Protection,
    Sharing,
    Rights,
    Minors,
    Changes,
    Contact,
    /// A user agreement's own sections (conduct rules, disclaimers, intellectual
    /// property, governing law) that many apps publish in the same page as the policy.
    Terms,
    /// Under headings none of the above matched.
    Other,
}

/// One sentence with where it stands in the policy.
#[derive(Debug, Clone)]
pub(super) struct Sentence {
    /// The sentence, whitespace collapsed; this is what entries quote.
    pub text: String,
    /// Byte offset in `text` where the analysis starts: an inline clause title
    /// ("1.4 Log information: …") names a topic, not what is collected.
    pub body_start: usize,
    pub clause: Option<String>,
    pub role: Role,
    /// Changes whenever a new numbered clause or heading starts.
    pub node: usize,
    /// 1-based line where the sentence starts.
    pub line: usize,
    /// A standalone heading line (no sentence of its own).
    pub heading: bool,
    /// The heading is only a short line between blank lines with no number or role
    /// ("Log Data"): under a lead-in it may be a list item instead.
    pub standalone: bool,
    /// The sentence is (or starts) a bulleted list item ("- Location").
    pub bullet: bool,
    /// The sentence is a table's header row, as the document's markup says: column
    /// titles ("Processor | Data categories | Location"), not a statement.
    pub table_header: bool,
    /// Which input document (0-based) the sentence comes from; `segment` reads one
    /// document and leaves 0, several documents are numbered by the caller.
    pub doc: usize,
    /// Where `text` comes from in the document text: pairs of (byte in `text`, byte in
    /// the document) at every point where the two stop running in step (a joined line,
    /// collapsed whitespace). See [`Sentence::source_offset`].
    pub origin: Vec<(usize, usize)>,
}

impl Sentence {
    /// The document byte offset of byte `pos` of `text`, for tracing a match back to
    /// the policy as written.
    pub fn source_offset(&self, pos: usize) -> usize {
        let i = self.origin.partition_point(|&(t, _)| t <= pos);
        match i.checked_sub(1).and_then(|i| self.origin.get(i)) {
            Some(&(t, src)) => src + (pos - t),
            None => self.origin.first().map_or(pos, |&(_, src)| src),
        }
    }
}

pub(super) struct Document {
    /// The text the sentences index into: the input with line endings made `\n`.
    pub text: String,
    pub sentences: Vec<Sentence>,
    /// Whether any heading was recognised as a collection section.
    pub has_collection_section: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LabelKind {
    Decimal(u8),
    ParenNum,
    CjkNum,
    CjkParen,
    Chapter,
    Section,
    Article,
    Paragraph,
    ParenAlpha,
    Roman,
    /// An unnumbered heading such as "Related definitions:" or "附录：第三方SDK目录".
    Unlabelled,
}

struct Label {
    kind: LabelKind,
    text: String,
    /// Byte length of the label in the line, including trailing punctuation/space.
    len: usize,
}

struct Frame {
    kind: LabelKind,
    label: String,
    role: Option<Role>,
}

const CJK_NUMERALS: &str = "一二三四五六七八九十百零〇两";

fn is_cjk_numeral(c: char) -> bool {
    CJK_NUMERALS.contains(c)
}

pub(super) fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FFFF)
}

fn is_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{3000}' || c == '\u{00A0}'
}

/// Parses a clause label at the start of `line` (already trimmed).
fn parse_label(line: &str) -> Option<Label> {
    let chars: Vec<(usize, char)> = line.char_indices().take(16).collect();
    let at = |i: usize| chars.get(i).map(|&(_, c)| c);
    let offset = |i: usize| chars.get(i).map(|&(o, _)| o).unwrap_or(line.len());
    let first = at(0)?;

    // 第三条 / 第一章 / 第二部分 / 第一节 / 第一款
    if first == '第' {
        let mut i = 1;
        while at(i).is_some_and(|c| is_cjk_numeral(c) || c.is_ascii_digit()) && i < 6 {
            i += 1;
        }
        if i > 1 {
            let (kind, unit_len) = match (at(i), at(i + 1)) {
                (Some('章'), _) | (Some('篇'), _) => (LabelKind::Chapter, 1),
                (Some('部'), Some('分')) => (LabelKind::Chapter, 2),
                (Some('节'), _) => (LabelKind::Section, 1),
                (Some('条'), _) => (LabelKind::Article, 1),
                (Some('款'), _) => (LabelKind::Paragraph, 1),
                _ => return None,
            };
            let end = i + unit_len;
            let text = line[..offset(end)].to_string();
            let mut j = end;
            while at(j).is_some_and(|c| is_space(c) || matches!(c, '、' | '：' | ':')) {
                j += 1;
            }
            return Some(Label {
                kind,
                text,
                len: offset(j),
            });
        }
        return None;
    }

    // （一） (一) （1） (1) (a)
    if matches!(first, '(' | '（') {
        let inner = at(1)?;
        let mut i = 1;
        let kind = if is_cjk_numeral(inner) {
            while at(i).is_some_and(is_cjk_numeral) && i < 5 {
                i += 1;
            }
            LabelKind::CjkParen
        } else if inner.is_ascii_digit() {
            while at(i).is_some_and(|c| c.is_ascii_digit()) && i < 3 {
                i += 1;
            }
            LabelKind::ParenNum
        } else if inner.is_ascii_lowercase() && matches!(at(2), Some(')' | '）')) {
            i = 2;
            LabelKind::ParenAlpha
        } else {
            return None;
        };
        if !matches!(at(i), Some(')' | '）')) {
            return None;
        }
        let body: String = chars[1..i].iter().map(|&(_, c)| c).collect();
        let text = match kind {
            LabelKind::CjkParen | LabelKind::ParenNum | LabelKind::ParenAlpha => {
                format!("({body})")
            }
            _ => body,
        };
        let mut j = i + 1;
        while at(j).is_some_and(|c| is_space(c) || c == '、') {
            j += 1;
        }
        return Some(Label {
            kind,
            text,
            len: offset(j),
        });
    }

    // 一、 二.
    if is_cjk_numeral(first) {
        let mut i = 0;
        while at(i).is_some_and(is_cjk_numeral) && i < 4 {
            i += 1;
        }
        if matches!(at(i), Some('、' | '.' | '．')) {
            let text: String = chars[..i].iter().map(|&(_, c)| c).collect();
            let mut j = i + 1;
            while at(j).is_some_and(is_space) {
                j += 1;
            }
            return Some(Label {
                kind: LabelKind::CjkNum,
                text,
                len: offset(j),
            });
        }
        return None;
    }

    // 1.  1.3  6.1.2  1)  1、
    if first.is_ascii_digit() {
        let mut parts = 0u8;
        let mut i = 0;
        loop {
            let start = i;
            while at(i).is_some_and(|c| c.is_ascii_digit()) && i - start < 3 {
                i += 1;
            }
            if i == start || i - start > 2 {
                return None;
            }
            parts += 1;
            if matches!(at(i), Some('.' | '．')) && at(i + 1).is_some_and(|c| c.is_ascii_digit()) {
                i += 1;
                continue;
            }
            break;
        }
        let numbers: String = chars[..i].iter().map(|&(_, c)| c).collect();
        let numbers = numbers.replace('．', ".");
        let next = at(i);
        if parts == 1 && matches!(next, Some(')' | '）')) {
            let mut j = i + 1;
            while at(j).is_some_and(is_space) {
                j += 1;
            }
            return Some(Label {
                kind: LabelKind::ParenNum,
                text: format!("({numbers})"),
                len: offset(j),
            });
        }
        let mut j = i;
        // "1\." is "1." as Markdown writers escape it (HTML converted to Markdown).
        let escaped = next == Some('\\') && matches!(at(i + 1), Some('.' | '．'));
        let terminated = escaped || matches!(next, Some('.' | '．' | '、'));
        if escaped {
            j += 2;
        } else if terminated {
            j += 1;
        }
        // A bare number needs its terminator ("30 days" is not a clause); a dotted
        // number must not run into more digits or letters glued to a decimal point.
        let after = at(j);
        let ok_after = match after {
            None => true,
            Some(c) => is_space(c) || is_cjk(c) || (terminated && c.is_alphabetic()),
        };
        if (parts == 1 && !terminated) || !ok_after {
            return None;
        }
        while at(j).is_some_and(is_space) {
            j += 1;
        }
        return Some(Label {
            kind: LabelKind::Decimal(parts),
            text: numbers,
            len: offset(j),
        });
    }

    // a) b)
    if first.is_ascii_lowercase()
        && matches!(at(1), Some(')' | '）'))
        && at(2).is_some_and(is_space)
    {
        return Some(Label {
            kind: LabelKind::ParenAlpha,
            text: format!("({first})"),
            len: offset(3),
        });
    }

    // I. II. IV.
    const ROMAN: [&str; 12] = [
        "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII",
    ];
    let word: String = line
        .chars()
        .take_while(|c| c.is_ascii_uppercase())
        .collect();
    if !word.is_empty() && ROMAN.contains(&word.as_str()) {
        let rest = &line[word.len()..];
        if let Some(after) = rest.strip_prefix('.').or_else(|| rest.strip_prefix('、'))
            && after.starts_with(is_space)
        {
            let trimmed = after.trim_start_matches(is_space);
            return Some(Label {
                kind: LabelKind::Roman,
                text: word,
                len: line.len() - trimmed.len(),
            });
        }
    }
    None
}

/// The most titles a table of contents keeps.
const CONTENTS_TITLES_MAX: usize = 40;

/// A title as compared with a table of contents: without spaces and markup.
fn title_key(title: &str) -> String {
    title
        .chars()
        .filter(|c| !is_space(*c) && !matches!(c, '*' | '_' | '\\' | '#'))
        .collect()
}

fn strip_bullet(line: &str) -> Option<&str> {
    let mut chars = line.chars();
    let c = chars.next()?;
    let rest = chars.as_str();
    let bullet = matches!(
        c,
        '•' | '·' | '●' | '▪' | '◆' | '■' | '○' | '◇' | '►' | '▶' | '※' | '√' | '✓'
    ) || (matches!(c, '-' | '*' | '–' | '—') && rest.starts_with(is_space));
    if bullet {
        Some(rest.trim_start_matches(is_space))
    } else {
        None
    }
}

/// Whether a line (label removed) reads as a heading rather than a sentence.
fn is_heading_text(text: &str) -> bool {
    let text = text.trim_matches(is_space);
    // Table rows ("腾讯Bugly | 设备型号 | 崩溃分析") are content, however short.
    if is_table_row(text) {
        return false;
    }
    // Cheap byte-length bound first: long lines are never headings.
    if text.len() > 400 {
        return false;
    }
    let Some(last) = text.chars().last() else {
        return false;
    };
    if matches!(
        last,
        '.' | '。' | ';' | '；' | ',' | '，' | '!' | '！' | '、'
    ) {
        return false;
    }
    if text.contains('。') {
        return false;
    }
    let chars = text.chars().count();
    let cjk = text.chars().any(is_cjk);
    if cjk {
        // A Chinese comma inside means clauses of a sentence, not a heading.
        chars <= 40 && !text.contains('，')
    } else {
        // "the date and time of your visit" on a line of its own is a list item that
        // lost its bullet (a page's text content): English titles start in capitals.
        let lower_start = text
            .trim_start_matches(|c: char| !c.is_alphanumeric())
            .starts_with(|c: char| c.is_ascii_lowercase());
        !lower_start && chars <= 100 && text.split_whitespace().count() <= 14
    }
}

/// A line that reads as a section title when it stands alone: short, no sentence
/// punctuation or colon at its end, no list marker, not a table row.
fn is_isolated_title(raw: &str) -> bool {
    let line = strip_markup(raw.trim_matches(is_space));
    if line.is_empty() || strip_bullet(line).is_some() || !is_heading_text(line) {
        return false;
    }
    if line.ends_with([':', '：', '?', '？', ')', '）']) {
        return false;
    }
    let Some(first) = line.chars().next() else {
        return false;
    };
    if line.chars().any(is_cjk) {
        line.chars().count() <= 20
    } else {
        first.is_ascii_uppercase() && line.split_whitespace().count() <= 8
    }
}

/// A line the converter marked as a heading: a title unless it reads as a sentence or a
/// list item (a heading used for emphasis: "## We never sell your data.").
fn is_marked_title(raw: &str) -> bool {
    let line = strip_markup(raw.trim_matches(is_space));
    !line.is_empty()
        && strip_bullet(line).is_none()
        && !line.ends_with(['.', '。', ';', '；', ',', '，'])
        && line.split_whitespace().count() <= 12
        && line.chars().count() <= 80
}

/// Markdown heading and emphasis marks around a line ("## 一、…", "**1.1 …**").
fn strip_markup(line: &str) -> &str {
    let mut l = line;
    if l.starts_with('#') {
        l = l.trim_start_matches('#').trim_start_matches(is_space);
    }
    if let Some(inner) = l.strip_prefix("**") {
        l = inner.trim_start_matches(is_space);
        if let Some(inner) = l.strip_suffix("**") {
            l = inner.trim_end_matches(is_space);
        }
    }
    l
}

fn is_table_row(text: &str) -> bool {
    text.contains(['|', '\t', '｜'])
}

/// Lines longer than this are checked for clause labels run together on one line
/// (policies scraped from HTML often lose their line breaks).
const LONG_LINE: usize = 300;

fn split_run_together(line: &str) -> Vec<&str> {
    if line.len() < LONG_LINE {
        return vec![line];
    }
    let mut pieces = Vec::new();
    let mut start = 0;
    let mut prev: Option<char> = None;
    let mut prev2: Option<char> = None;
    for (i, c) in line.char_indices() {
        let after_stop = matches!(prev, Some('。' | '；' | ';' | '：' | ':' | '！' | '？'))
            || (prev.is_some_and(is_space) && matches!(prev2, Some('.' | '。' | ';' | '；')));
        if i > start
            && after_stop
            && (c.is_ascii_digit() || matches!(c, '(' | '（' | '第') || is_cjk_numeral(c))
            && let Some(label) = parse_label(&line[i..])
        {
            let strong = match label.kind {
                LabelKind::Decimal(depth) => depth >= 2,
                LabelKind::CjkNum
                | LabelKind::CjkParen
                | LabelKind::Chapter
                | LabelKind::Section
                | LabelKind::Article => true,
                _ => false,
            };
            if strong {
                pieces.push(&line[start..i]);
                start = i;
            }
        }
        prev2 = prev;
        prev = Some(c);
    }
    pieces.push(&line[start..]);
    pieces
}

/// Builds the document: clause tree, roles and sentences.
#[cfg(test)]
pub(super) fn segment(text: &str) -> Document {
    let sections = super::practice::builtin_sections().expect("built-in heading words");
    segment_with_structure(text, &[], &[], &sections)
}

/// Builds the document, told where the converter found headings (byte offsets of their
/// lines with their levels, sorted): a Markdown or HTML heading is a title whatever its
/// letter case ("## what i collect"); and where it found table header rows (byte
/// offsets of their lines, sorted). Plain text gives neither. `sections` tells what a
/// heading announces.
pub(super) fn segment_with_structure(
    text: &str,
    headings: &[(usize, u8)],
    header_rows: &[usize],
    sections: &SectionWords,
) -> Document {
    let mut seg = Segmenter {
        sections: sections.clone(),
        ..Segmenter::default()
    };
    let normalised = text
        .replace("\r\n", "\n")
        .replace(['\r', '\u{2028}', '\u{2029}'], "\n");
    let lines: Vec<&str> = normalised.split('\n').collect();
    let blank = |i: Option<usize>| {
        i.and_then(|i| lines.get(i))
            .is_none_or(|l| strip_markup(l.trim_matches(is_space)).is_empty())
    };
    let mut line_start = 0;
    let mut header_lines = Vec::new();
    for (n, raw) in lines.iter().enumerate() {
        if header_rows.binary_search(&line_start).is_ok() {
            header_lines.push(n + 1);
        }
        // A short title standing alone between blank lines ("Log Data", a Markdown
        // heading, a bold-only paragraph) starts a new context: the party named above
        // it does not receive what the text under it says.
        // Also a title over its paragraph: after a blank line, above a long line.
        let over_paragraph = || {
            lines.get(n + 1).is_some_and(|next| {
                let next = strip_markup(next.trim_matches(is_space));
                strip_bullet(next).is_none()
                    && parse_label(next).is_none()
                    && next.chars().count() >= 2 * raw.chars().count().max(30)
            })
        };
        // Under a blank line or under another title line ("Information You Give Us" /
        // "Registration Information"), not inside running text.
        let after_break = || {
            blank(n.checked_sub(1))
                || n.checked_sub(1)
                    .and_then(|p| lines.get(p))
                    .is_some_and(|prev| {
                        let prev = strip_markup(prev.trim_matches(is_space));
                        strip_bullet(prev).is_none()
                            && !prev.ends_with([
                                '.', '。', ';', '；', ':', '：', ',', '，', '、', '!', '！', '?',
                                '？',
                            ])
                            && prev.chars().count() <= 120
                    })
        };
        let level = headings
            .binary_search_by_key(&line_start, |&(at, _)| at)
            .ok()
            .and_then(|i| headings.get(i))
            .map_or(0, |&(_, level)| level);
        let marked = level > 0 && is_marked_title(raw);
        seg.marked_level = if marked { level } else { 0 };
        let standalone = marked
            || (is_isolated_title(raw)
                && (blank(Some(n + 1)) || over_paragraph())
                && after_break());
        if standalone {
            seg.new_context();
        }
        seg.standalone = standalone;
        seg.marked = marked;
        seg.wraps = wraps_onto_next(raw, lines.get(n + 1).copied());
        for piece in split_run_together(raw) {
            seg.line(piece, n + 1, line_start + offset_in(raw, piece));
        }
        line_start += raw.len() + 1;
    }
    seg.flush();
    if !header_lines.is_empty() {
        for s in &mut seg.sentences {
            s.table_header = header_lines.binary_search(&s.line).is_ok();
        }
    }
    Document {
        text: normalised,
        sentences: seg.sentences,
        has_collection_section: seg.has_collection,
    }
}

/// Byte offset of `part` inside `whole`; `part` must be a sub-slice of it.
fn offset_in(whole: &str, part: &str) -> usize {
    (part.as_ptr() as usize)
        .saturating_sub(whole.as_ptr() as usize)
        .min(whole.len())
}

#[derive(Default)]
struct Segmenter {
    sections: SectionWords,
    stack: Vec<Frame>,
    node: usize,
    started: bool,
    has_collection: bool,
    sentences: Vec<Sentence>,
    /// Paragraph being built: text, first line, whether it may carry an inline title.
    para: Option<Para>,
    /// Whether the next paragraph is the first one of a labelled clause.
    first_of_clause: bool,
    /// Whether the current line is a short title standing alone.
    standalone: bool,
    /// Whether the current line is a heading the converter marked (Markdown "####",
    /// HTML `<h4>`): a title for certain, never a list item standing alone.
    marked: bool,
    /// The level (1–6) of the converter's heading on the current line; 0 for none.
    marked_level: u8,
    /// The level of the marked heading that opened the definitions section; 0 for none.
    definitions_level: u8,
    /// Titles standing alone seen so far.
    titles: usize,
    /// Whether the current line is hard-wrapped onto the next one: a sentence, not a
    /// title, even when it is short and numbered ("(a) your email address, which is").
    wraps: bool,
    /// Headings opened in a row with no text between them, and their numbering: three
    /// or more of one numbering are a table of contents (see `open`).
    contents_run: usize,
    contents_kind: Option<LabelKind>,
    /// The label of the run's first heading.
    contents_first: Option<String>,
    /// The titles of the current run of headings, and those of the last table of
    /// contents (a run of three or more): the body's headings repeat them, sometimes
    /// as bullets ("  * 1.我们收集的信息").
    run_titles: Vec<String>,
    contents_titles: Vec<String>,
    /// Whether text (not a heading, not a separator line) came since the last heading.
    text_since_heading: bool,
}

struct Para {
    text: String,
    /// (byte in `text`, byte in the document) where each joined line starts.
    origin: Vec<(usize, usize)>,
    line: usize,
    titled: bool,
    heading: bool,
    standalone: bool,
    bullet: bool,
    last_width: usize,
    /// The last line joined was hard-wrapped onto the next (see `Segmenter::wraps`).
    wraps: bool,
}

impl Segmenter {
    /// One line of the document; `at` is the document byte offset of `raw`.
    fn line(&mut self, raw: &str, line_no: usize, at: usize) {
        let line = strip_markup(raw.trim_matches(is_space));
        let src = |part: &str| at + offset_in(raw, part);
        if line.is_empty() {
            self.flush();
            return;
        }
        // "  * 1.我们收集的信息" after a table of contents with that title: a bullet
        // before a numbered title of the contents is a heading of the body.
        let line = match strip_bullet(line) {
            Some(rest)
                if !self.contents_titles.is_empty()
                    && parse_label(rest).is_some_and(|l| {
                        rest.get(l.len..).is_some_and(|title| {
                            let key = title_key(title);
                            !key.is_empty() && self.contents_titles.contains(&key)
                        })
                    }) =>
            {
                rest
            }
            _ => line,
        };
        if let Some(label) = parse_label(line) {
            let rest = line[label.len..].trim_matches(is_space);
            // "4.2 We may collect without consent:" introduces a list; only a short
            // colon-ended title ("1.4 Log information:") is a heading.
            let intro = rest.ends_with([':', '：'])
                && (rest.split_whitespace().count() > 4 || rest.chars().count() > 16);
            // "(e) advertising identifiers such as the IDFA": a lettered item in lower
            // case is a list item, not a title.
            let item = matches!(
                label.kind,
                LabelKind::ParenAlpha | LabelKind::ParenNum | LabelKind::Roman
            ) && rest.starts_with(|c: char| c.is_ascii_lowercase());
            let heading =
                (is_heading_text(rest) && !intro && !self.wraps && !item) || rest.is_empty();
            let role = if heading {
                self.sections.role_of(rest)
            } else {
                None
            };
            self.flush();
            self.open(label.kind, label.text, role);
            self.note_contents_title(rest);
            if !rest.is_empty() {
                self.start_para(rest, line_no, heading, src(rest));
            }
            return;
        }
        let (text, bullet) = match strip_bullet(line) {
            Some(rest) => (rest, true),
            None => (line, false),
        };
        if text.is_empty() {
            return;
        }
        // An unnumbered heading: short, no sentence punctuation, a colon only at the end,
        // and a recognised role ("Related definitions:", "第三方SDK目录").
        if !bullet && is_heading_text(text) {
            let inner = text.trim_end_matches([':', '：']);
            // A heading of the role we are already in ("共享个人信息类型：" inside the
            // sharing section) is a field label, not a new section.
            // A colon-ended line inside numbered clauses ("收集个人信息类型：") labels
            // a field; only before any numbering ("Related definitions:") or for
            // definitions does it open a section.
            let colon = text.ends_with([':', '：']);
            let numbered = self.stack.iter().any(|f| f.kind != LabelKind::Unlabelled);
            let role = self.sections.role_of(inner);
            // A deeper heading is a term of the definitions ("## Definitions" then "###
            // Usage Data"), not the end of them, whatever its words.
            let deeper = self.marked_level > 0
                && self.definitions_level > 0
                && self.marked_level > self.definitions_level;
            let in_definitions = deeper && self.role() == Role::Definitions;
            if !inner.contains([':', '：'])
                && let Some(role) = role
                && role != self.role()
                && !in_definitions
                && (!colon || !numbered || role == Role::Definitions)
            {
                self.flush();
                self.open(LabelKind::Unlabelled, String::new(), Some(role));
                self.start_para(text, line_no, true, src(text));
                self.flush();
                return;
            }
            // A title of no known role ends an unnumbered definitions section: "Our
            // approach" after "Definitions" is policy text again.
            if role.is_none()
                && self.standalone
                && !numbered
                && !colon
                && !deeper
                && self.role() == Role::Definitions
            {
                self.flush();
                self.open(LabelKind::Unlabelled, String::new(), Some(Role::Other));
                self.start_para(text, line_no, true, src(text));
                self.flush();
                return;
            }
        }
        // Hard-wrapped text: a long line without closing punctuation continues on the
        // next one when that one reads as a continuation (lower case, or CJK after CJK).
        let joinable = !bullet
            && !is_table_row(text)
            && self.para.as_ref().is_some_and(|p| {
                let prev = p.text.chars().next_back();
                let next = text.chars().next();
                let continues = next.is_some_and(|c| c.is_ascii_lowercase())
                    || prev == Some(',')
                    || (prev.is_some_and(|c| is_cjk(c) || matches!(c, '，' | '、'))
                        && next.is_some_and(is_cjk))
                    || latin_word_broken(p, text);
                !p.heading
                    && !is_table_row(&p.text)
                    && (p.last_width >= 60 || p.wraps)
                    && continues
                    && !p
                        .text
                        .ends_with(['.', '。', '!', '！', '?', '？', ';', '；', ':', '：'])
            });
        if joinable && let Some(p) = self.para.as_mut() {
            let glue = p
                .text
                .ends_with(|c: char| c.is_ascii_alphanumeric() || c == ',')
                && text.starts_with(|c: char| c.is_ascii());
            if glue {
                p.text.push(' ');
            }
            p.origin.push((p.text.len(), src(text)));
            p.text.push_str(text);
            p.last_width = line_width(text);
            p.wraps = self.wraps;
            return;
        }
        self.flush();
        // Unnumbered lines without a role ("使用目的：统计分析", "引言") are content; a
        // short one standing alone is a title.
        let standalone = self.standalone && !bullet;
        self.start_para(text, line_no, standalone, src(text));
        if let Some(p) = self.para.as_mut() {
            p.standalone = standalone && !self.marked;
            p.bullet = bullet;
        }
    }

    fn start_para(&mut self, text: &str, line: usize, heading: bool, at: usize) {
        // "==========" between the crawled pages of a policy is no text.
        if !heading && text.chars().any(char::is_alphanumeric) {
            self.text_since_heading = true;
        }
        let titled = std::mem::take(&mut self.first_of_clause);
        self.para = Some(Para {
            text: text.to_string(),
            origin: vec![(0, at)],
            line,
            titled,
            heading,
            standalone: false,
            bullet: false,
            last_width: line_width(text),
            wraps: self.wraps,
        });
    }

    /// Ends the paragraph and starts a new context node without opening a clause. The
    /// second title ends the preamble, as a recognised heading does: a policy whose
    /// headings name no known section ("Summary", "Analytics") is not all preamble.
    fn new_context(&mut self) {
        self.flush();
        self.node += 1;
        self.titles += 1;
        if self.titles >= 2 {
            self.started = true;
        }
    }

    fn open(&mut self, kind: LabelKind, label: String, role: Option<Role>) {
        // A table of contents ("1. 我们如何收集……8. 如何联系我们") followed by a body
        // numbered another way ("一、我们如何收集"): its last entry is no parent of the
        // body, which would otherwise all be read as "contact".
        if self.contents_run >= 3
            && !self.text_since_heading
            && let Some(contents) = self.contents_kind
            && contents != kind
            && let Some(pos) = self.stack.iter().position(|f| f.kind == contents)
        {
            self.stack.truncate(pos);
        }
        // "一、" again after "一、……七、": the numbering restarts, the body begins.
        let restarts = self.contents_first.as_deref() == Some(label.as_str());
        if !self.text_since_heading && self.contents_kind == Some(kind) && !restarts {
            self.contents_run += 1;
        } else {
            self.contents_run = 1;
            self.contents_first = Some(label.clone());
        }
        self.contents_kind = Some(kind);
        self.text_since_heading = false;
        if role == Some(Role::Definitions) {
            self.definitions_level = self.marked_level;
        }
        // A numbered heading with its own role ends an unnumbered section of another role
        // ("Related definitions:" is over when "1. What we collect" starts).
        if kind != LabelKind::Unlabelled
            && let Some(r) = role
            && let Some(pos) = self
                .stack
                .iter()
                .rposition(|f| f.kind == LabelKind::Unlabelled)
            && self.stack[pos].role != Some(r)
        {
            self.stack.truncate(pos);
        }
        if let Some(pos) = self.stack.iter().position(|f| f.kind == kind) {
            self.stack.truncate(pos);
        }
        self.stack.push(Frame { kind, label, role });
        if role == Some(Role::Collection) {
            self.has_collection = true;
        }
        self.node += 1;
        self.started = true;
        self.first_of_clause = kind != LabelKind::Unlabelled;
    }

    /// Keeps the titles of a run of headings, and those of a table of contents (three
    /// or more in a row) once the run is one; a bounded number, as contents are short.
    fn note_contents_title(&mut self, title: &str) {
        if self.contents_run == 1 {
            self.run_titles.clear();
        }
        if self.run_titles.len() < CONTENTS_TITLES_MAX {
            self.run_titles.push(title_key(title));
        }
        if self.contents_run >= 3 {
            self.contents_titles.clone_from(&self.run_titles);
        }
    }

    fn clause(&self) -> Option<String> {
        let mut parts: Vec<(LabelKind, &str)> = Vec::new();
        // An unnumbered heading starts its own numbering ("附录" → "1", "2").
        let from = self
            .stack
            .iter()
            .rposition(|f| f.kind == LabelKind::Unlabelled)
            .map(|p| p + 1)
            .unwrap_or(0);
        for frame in &self.stack[from..] {
            if frame.kind == LabelKind::Unlabelled {
                continue;
            }
            if let LabelKind::Decimal(_) = frame.kind {
                // "6.1.2" already names its parents "6" and "6.1".
                parts.retain(|&(k, label)| {
                    !(matches!(k, LabelKind::Decimal(_))
                        && frame.label.starts_with(label)
                        && frame.label[label.len()..].starts_with('.'))
                });
            }
            parts.push((frame.kind, &frame.label));
        }
        if parts.is_empty() {
            return None;
        }
        let mut out = String::new();
        for (kind, label) in parts {
            let paren = matches!(
                kind,
                LabelKind::ParenNum | LabelKind::CjkParen | LabelKind::ParenAlpha
            );
            if !out.is_empty() && !paren {
                out.push(' ');
            }
            out.push_str(label);
        }
        Some(out)
    }

    /// The role of the current position. The outermost heading with a role sets it; a
    /// sub-heading refines it only between collection/use/sharing ("（二）我们如何使用"
    /// under "收集和使用"), into definitions/minors, or out of a user agreement's
    /// section: a sub-heading such as "（三）保障账号安全" inside the collection section
    /// is still collection.
    fn role(&self) -> Role {
        let mut current: Option<Role> = None;
        for frame in &self.stack {
            let Some(r) = frame.role else {
                continue;
            };
            let flows = |x: Role| matches!(x, Role::Collection | Role::Use | Role::Sharing);
            current = match current {
                None => Some(r),
                Some(_) if frame.kind == LabelKind::Unlabelled => Some(r),
                Some(c) if flows(c) && flows(r) => Some(r),
                Some(_) if matches!(r, Role::Definitions | Role::Minors) => Some(r),
                // A user agreement's section yields to any topic under it, and a table of
                // contents ending in "8. 争议解决" must not make the policy after it one.
                Some(Role::Terms) => Some(r),
                keep => keep,
            };
        }
        match current {
            Some(role) => role,
            None if self.started => Role::Other,
            None => Role::Preamble,
        }
    }

    fn flush(&mut self) {
        let Some(para) = self.para.take() else {
            return;
        };
        let clause = self.clause();
        let role = self.role();
        let (text, collapsed) = collapse_spaces(&para.text);
        // Document offset of a byte of the collapsed text.
        let to_source = |pos: usize| {
            let in_para = map_offset(&collapsed, pos);
            map_offset(&para.origin, in_para)
        };
        let title_end = if para.titled {
            inline_title_end(&text, 60)
        } else {
            // A field label such as "SDK名称：" or "Purpose:" names the field, not data.
            field_label_end(&text)
        };
        let ranges = split_sentences(&text);
        let several = ranges.len() > 1;
        for (i, (start, end)) in ranges.into_iter().enumerate() {
            let sentence = text[start..end].trim_matches(is_space);
            if sentence.is_empty() {
                continue;
            }
            // "Location information. With your permission, we collect …": a bullet's
            // opening fragment is its title.
            let fragment = i == 0 && several && !para.heading && is_title_fragment(sentence);
            let lead = text[start..end].len() - text[start..end].trim_start_matches(is_space).len();
            let body_start = if i == 0 && title_end > start + lead {
                (title_end - start - lead).min(sentence.len())
            } else {
                0
            };
            let first = start + lead;
            let last = first + sentence.len();
            let mut origin = vec![(0, to_source(first))];
            // Every point inside the sentence where the collapsed text jumps.
            for &(t, _) in collapsed.iter().filter(|&&(t, _)| t > first && t < last) {
                origin.push((t - first, to_source(t)));
            }
            for &(p_pos, _) in &para.origin {
                let t = unmap_offset(&collapsed, p_pos);
                if t > first && t < last && !origin.iter().any(|&(o, _)| o == t - first) {
                    origin.push((t - first, to_source(t)));
                }
            }
            origin.sort_unstable();
            self.sentences.push(Sentence {
                text: sentence.to_string(),
                body_start,
                clause: clause.clone(),
                role,
                node: self.node,
                line: para.line,
                heading: para.heading || fragment,
                standalone: para.standalone,
                bullet: para.bullet && i == 0,
                table_header: false,
                origin,
                doc: 0,
            });
        }
    }
}

/// A Chinese line hard-wrapped at a space next to a Latin term ("唯一设备识别码（IMEI/android"
/// then "ID/IDFA…", "设备所在位置相关信息（IP" then "地址、…"): the phrase goes on, and read
/// apart its second half would name data of its own ("ID" as an account id, "地址" as a
/// postal address). A link or an address ends its line for good, and a line that opens
/// with a field label ("公司全称：…") or is a colon-ended label ("CC直播SDK：") is new.
fn latin_word_broken(para: &Para, next_line: &str) -> bool {
    let last_line = para
        .origin
        .last()
        .and_then(|&(start, _)| para.text.get(start..))
        .unwrap_or_default();
    let last_word = last_line
        .rsplit(|c: char| c.is_whitespace() || !c.is_ascii())
        .next()
        .unwrap_or_default();
    let next_starts_latin = next_line.starts_with(|c: char| c.is_ascii_alphanumeric());
    let next_starts_cjk = next_line.starts_with(is_cjk);
    let latin_tail = last_word
        .chars()
        .rev()
        .take_while(char::is_ascii_alphabetic)
        .count();
    let field_label = next_line
        .char_indices()
        .take(9)
        .any(|(_, c)| matches!(c, ':' | '：'));
    last_line.chars().any(is_cjk)
        && last_line.ends_with(|c: char| c.is_ascii_alphanumeric())
        && (next_starts_latin || (next_starts_cjk && latin_tail >= 2))
        && !last_word.contains(['.', '=', '@', ':'])
        && !field_label
        && !next_line.trim_end().ends_with([':', '：'])
}

/// Hard-wrapped text at a fixed width: a line of 40 columns or more with no closing
/// punctuation, followed by a line that goes on in lower case and is no item of its own
/// ("  (a) your email address, which is your login name and the address we" /
/// "      use for security alerts").
fn wraps_onto_next(line: &str, next: Option<&str>) -> bool {
    let line = line.trim_matches(is_space);
    let Some(next) = next.map(|n| n.trim_matches(is_space)) else {
        return false;
    };
    next.starts_with(|c: char| c.is_ascii_lowercase())
        && line.is_ascii()
        && line_width(line) >= 40
        && strip_bullet(next).is_none()
        && parse_label(next).is_none()
}

/// Display width of a line that may continue on the next one; lines ending in closing
/// punctuation never do, so their width is not computed.
fn line_width(s: &str) -> usize {
    if s.ends_with(['.', '。', '!', '！', '?', '？', ';', '；', ':', '：']) {
        return 0;
    }
    s.chars().map(|c| if is_cjk(c) { 2 } else { 1 }).sum()
}

/// Maps an offset through (to, from) anchor pairs sorted by `to`: the last anchor at
/// or before `pos` says where its run starts in the source.
fn map_offset(anchors: &[(usize, usize)], pos: usize) -> usize {
    let i = anchors.partition_point(|&(t, _)| t <= pos);
    match i.checked_sub(1).and_then(|i| anchors.get(i)) {
        Some(&(t, from)) => from + (pos - t),
        None => pos,
    }
}

/// The inverse of [`map_offset`] for a source offset that starts a run or lies inside
/// one (used to find where a joined line starts in collapsed text).
fn unmap_offset(anchors: &[(usize, usize)], from_pos: usize) -> usize {
    let i = anchors.partition_point(|&(_, f)| f <= from_pos);
    match i.checked_sub(1).and_then(|i| anchors.get(i)) {
        Some(&(t, from)) => t + (from_pos - from),
        None => from_pos,
    }
}

/// Whitespace runs made one space, ends trimmed; with (byte in the result, byte in `s`)
/// anchors at the start of every run of kept text.
fn collapse_spaces(s: &str) -> (String, Vec<(usize, usize)>) {
    let trimmed = s.trim_matches(is_space);
    let lead = s.len() - s.trim_start_matches(is_space).len();
    // Most paragraphs have nothing to collapse.
    let mut prev_space = false;
    let clean = trimmed.chars().all(|c| {
        let ok = if c == ' ' { !prev_space } else { !is_space(c) };
        prev_space = c == ' ';
        ok
    });
    if clean {
        return (trimmed.to_string(), vec![(0, lead)]);
    }
    let mut out = String::with_capacity(trimmed.len());
    let mut anchors = vec![(0, lead)];
    let mut space = false;
    for (i, c) in trimmed.char_indices() {
        if is_space(c) {
            space = true;
            continue;
        }
        if space {
            if !out.is_empty() {
                out.push(' ');
            }
            anchors.push((out.len(), lead + i));
        }
        space = false;
        out.push(c);
    }
    (out, anchors)
}

/// End (byte offset after the colon) of an inline title such as "Log information:" or
/// "注册与登录：" at the start of a clause's first paragraph.
fn inline_title_end(text: &str, max_chars: usize) -> usize {
    let Some((pos, colon)) = text
        .char_indices()
        .take(max_chars + 1)
        .find(|&(_, c)| c == ':' || c == '：')
    else {
        return 0;
    };
    let title = &text[..pos];
    if title.trim().is_empty() || title.contains(['.', '。', ';', '；', '，', ',', '|']) {
        return 0;
    }
    // "https://…" is not a title.
    if text[pos..].starts_with("://") {
        return 0;
    }
    pos + colon.len_utf8()
}

/// End of a short field label at the start of a line: at most 12 characters, or four
/// words in English.
fn field_label_end(text: &str) -> usize {
    let end = inline_title_end(text, 40);
    if end == 0 {
        return 0;
    }
    let label = text[..end].trim_end_matches([':', '：']).trim();
    let short = if label.chars().any(is_cjk) {
        label.chars().count() <= 12
    } else {
        label.split_whitespace().count() <= 4
    };
    if short { end } else { 0 }
}

/// A short English fragment without a subject ("Location information.").
fn is_title_fragment(sentence: &str) -> bool {
    if !sentence.is_ascii() || !sentence.ends_with('.') {
        return false;
    }
    let words: Vec<String> = sentence
        .trim_end_matches('.')
        .split_whitespace()
        .map(str::to_lowercase)
        .collect();
    words.len() <= 5
        && !words.iter().any(|w| {
            matches!(
                w.as_str(),
                "we" | "you"
                    | "our"
                    | "your"
                    | "us"
                    | "is"
                    | "are"
                    | "will"
                    | "may"
                    | "do"
                    | "does"
            )
        })
}

/// Abbreviations after which a period never ends a sentence.
const NEVER_SPLIT: &[&str] = &[
    "e.g.", "i.e.", "no.", "nos.", "vs.", "cf.", "art.", "sec.", "mr.", "ms.", "mrs.", "dr.",
    "st.", "fig.", "approx.", "para.", "p.", "pp.",
];
/// Abbreviations that end a sentence only when a capital letter follows.
const SPLIT_IF_CAPITAL: &[&str] = &["etc.", "ltd.", "inc.", "co.", "corp."];

/// Byte ranges of the sentences in a paragraph.
pub(super) fn split_sentences(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    // Found once: checking at every semicolon would make a long line quadratic.
    let numbered_items = text
        .chars()
        .filter(|&c| is_circled_number(c))
        .nth(1)
        .is_some();
    let mut iter = text.char_indices().peekable();
    while let Some((pos, c)) = iter.next() {
        let ends = match c {
            '。' | '！' | '？' => true,
            // "answer?hl=en" in a link: a mark inside a word ends nothing.
            '!' | '?' => text[pos + 1..].chars().next().is_none_or(|next| {
                is_space(next)
                    || is_cjk(next)
                    || matches!(
                        next,
                        '"' | '\'' | '”' | '’' | ')' | '）' | '」' | '』' | '>'
                    )
            }),
            '.' => period_ends_sentence(text, pos),
            // "…以下SDK：①「微信SDK」，…；②「支付宝SDK」，…": numbered items run on in
            // one paragraph, each its own statement.
            '；' | ';' | '：' | ':' => {
                numbered_items && starts_named_item(&text[pos + c.len_utf8()..])
            }
            _ => false,
        };
        if !ends {
            continue;
        }
        // Keep closing quotes and brackets with the sentence they close.
        let mut end = pos + c.len_utf8();
        while let Some(&(p, next)) = iter.peek() {
            if !matches!(next, '"' | '\'' | '”' | '’' | ')' | '）' | '」' | '』') {
                break;
            }
            end = p + next.len_utf8();
            iter.next();
        }
        if end > start {
            out.push((start, end));
        }
        start = end;
    }
    if start < text.len() {
        out.push((start, text.len()));
    }
    out
}

/// ①–⑳, the numbers Chinese text uses for items in running text.
pub(super) fn is_circled_number(c: char) -> bool {
    ('\u{2460}'..='\u{2473}').contains(&c)
}

/// Whether `rest` opens an item numbered ①–⑳ that names a party first ("①「微信开放平台
/// SDK」，由…提供", "②支付宝SDK："): its head, up to the first comma or colon, is quoted or
/// ends in "SDK". "②设备信息：用于…" lists data under the party before it.
fn starts_named_item(rest: &str) -> bool {
    let rest = rest.trim_start_matches(is_space);
    let Some(item) = rest.strip_prefix(is_circled_number) else {
        return false;
    };
    let head = item
        .split(['，', ',', '：', ':', '；', ';', '。'])
        .next()
        .unwrap_or("")
        .trim();
    head.starts_with(['「', '《', '“']) || head.to_ascii_uppercase().ends_with("SDK")
}

fn period_ends_sentence(text: &str, pos: usize) -> bool {
    let after = &text[pos + 1..];
    let mut rest = after.chars();
    match rest.next() {
        None => return true,
        Some(c) if is_cjk(c) => return true,
        Some(c) if !is_space(c) => return false,
        _ => {}
    }
    // Next non-space character decides between "etc. when" and "etc. Then".
    let Some(following) = after.chars().find(|&c| !is_space(c)) else {
        return true;
    };
    if following.is_lowercase() {
        return false;
    }
    // The token starts after the separator, whose width varies: `（` and the
    // ideographic space are 3 bytes (slicing one byte past them panicked; found by
    // the policy_extract fuzz target).
    let token_start = text[..pos]
        .char_indices()
        .rev()
        .find(|&(_, c)| is_space(c) || c == '(' || c == '（')
        .map(|(p, c)| p + c.len_utf8())
        .unwrap_or(0);
    // Abbreviations are short; a long "token" is not one of them.
    if pos + 1 - token_start > 8 {
        return true;
    }
    let token = text[token_start..=pos].to_lowercase();
    if NEVER_SPLIT.contains(&token.as_str()) {
        return false;
    }
    if SPLIT_IF_CAPITAL.contains(&token.as_str()) {
        return following.is_uppercase() || is_cjk(following);
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn period_after_a_wide_separator_does_not_split_a_character() {
        // A full-width bracket or ideographic space before a short token ending in a
        // period (found by fuzzing: this sliced inside the 3-byte character).
        for text in ["（四. 第三方", "见（ab. Cd", "\u{3000}x. Y"] {
            let spans = split_sentences(text);
            assert!(!spans.is_empty(), "{text}");
        }
    }

    fn clauses(text: &str) -> Vec<(Option<String>, Role, String)> {
        segment(text)
            .sentences
            .into_iter()
            .map(|s| (s.clause, s.role, s.text))
            .collect()
    }

    /// Clause and role of the sentence that starts with `start`.
    fn find(got: &[(Option<String>, Role, String)], start: &str) -> (Option<String>, Role) {
        got.iter()
            .find(|(_, _, t)| t.starts_with(start))
            .map(|(c, r, _)| (c.clone(), *r))
            .unwrap_or_else(|| panic!("no sentence starts with {start:?}: {got:#?}"))
    }

    #[test]
    fn labels_of_every_style() {
        let cases = [
            ("1.3 Device", LabelKind::Decimal(2), "1.3"),
            ("6.1.2 In order", LabelKind::Decimal(3), "6.1.2"),
            ("1. What types", LabelKind::Decimal(1), "1"),
            ("1) It is", LabelKind::ParenNum, "(1)"),
            ("（1）共享", LabelKind::ParenNum, "(1)"),
            ("一、我们如何收集", LabelKind::CjkNum, "一"),
            ("（一）注册", LabelKind::CjkParen, "(一)"),
            ("第三条 信息共享", LabelKind::Article, "第三条"),
            ("第一章 总则", LabelKind::Chapter, "第一章"),
            ("(a) item", LabelKind::ParenAlpha, "(a)"),
            ("IV. Sharing", LabelKind::Roman, "IV"),
            // Markdown's escape of a number that is no list item.
            ("4\\. 用户行为规范", LabelKind::Decimal(1), "4"),
        ];
        for (line, kind, text) in cases {
            let label = parse_label(line).unwrap_or_else(|| panic!("no label in {line}"));
            assert_eq!(label.kind, kind, "{line}");
            assert_eq!(label.text, text, "{line}");
        }
        for line in [
            "30 days later",
            "2021/8/13",
            "400-700-3322",
            "1.5x faster",
            "Phone: 1",
        ] {
            assert!(parse_label(line).is_none(), "{line}");
        }
    }

    #[test]
    fn nested_clause_paths() {
        let text = "4. How we use information\n4.2 We may collect without consent:\n1) National security;\n2) Criminal investigation;\n5. User Rights\n5.1 Access.";
        let got = clauses(text);
        assert_eq!(
            find(&got, "National"),
            (Some("4.2(1)".to_string()), Role::Use)
        );
        assert_eq!(
            find(&got, "Criminal"),
            (Some("4.2(2)".to_string()), Role::Use)
        );
        assert_eq!(
            find(&got, "Access"),
            (Some("5.1".to_string()), Role::Rights)
        );
    }

    #[test]
    fn chinese_structure() {
        let text = "一、我们如何收集和使用您的个人信息\n（一）注册\n我们会收集您的手机号码。\n（二）第三方SDK\n1. 友盟统计\n（三）保障账号安全\n我们会收集设备型号。\n二、我们如何共享您的个人信息\n第三条 其他\n内容。";
        let got = clauses(text);
        assert_eq!(
            find(&got, "我们会收集您的手机号码"),
            (Some("一(一)".to_string()), Role::Collection)
        );
        assert_eq!(
            find(&got, "友盟统计"),
            (Some("一(二) 1".to_string()), Role::Sharing)
        );
        // A sub-heading about security inside the collection section stays collection.
        assert_eq!(
            find(&got, "我们会收集设备型号"),
            (Some("一(三)".to_string()), Role::Collection)
        );
        assert_eq!(
            find(&got, "内容"),
            (Some("二 第三条".to_string()), Role::Sharing)
        );
    }

    #[test]
    fn a_table_of_contents_is_no_parent_of_the_body() {
        // Contents numbered 1.–4., the body 一、二、: the last entry ("联系我们") must not
        // hold the body. Markdown's "4\\." is "4.".
        let text = "本政策包括：\n1\\. 我们如何收集\n2\\. 我们如何共享\n3\\. 您的权利\n4\\. 如何联系我们\n==========\n一、收集的信息\n我们会收集您的手机号码。\n二、共享\n内容。";
        let got = clauses(text);
        assert_eq!(
            find(&got, "我们会收集您的手机号码"),
            (Some("一".to_string()), Role::Collection)
        );
        // Contents numbered like the body: the body's "一、" starts again.
        let text = "目录\n一、我们如何收集\n二、我们如何共享\n三、联系我们\n一、我们如何收集\n（一）注册\n我们会收集您的手机号码。";
        let got = clauses(text);
        assert_eq!(
            find(&got, "我们会收集您的手机号码"),
            (Some("一(一)".to_string()), Role::Collection)
        );
        // The body's headings as bullets repeating the contents' titles; a bullet
        // numbered like the contents but titled otherwise stays an item.
        let text = "本政策包括：\n1.我们收集的信息\n2.信息的存储\n3.联系我们\n\
  * 1.我们收集的信息\n1.1 我们会收集您的手机号码。\n  * 1.乘车码服务\n我们会收集乘车记录。\n\
  * 3.联系我们\n请发送邮件至客服邮箱。";
        let got = clauses(text);
        assert_eq!(
            find(&got, "我们会收集您的手机号码"),
            (Some("1.1".to_string()), Role::Collection)
        );
        assert_eq!(find(&got, "我们会收集乘车记录").1, Role::Collection);
        assert_eq!(find(&got, "请发送邮件").1, Role::Contact);
    }

    #[test]
    fn a_user_agreements_sections_are_terms() {
        let text = "四、用户行为规范\n4.1 用户不得利用本服务上传他人照片。\n五、我们如何收集您的信息\n5.1 我们会收集您的手机号码。\n六、知识产权\n6.1 我们如何收集\n我们会收集设备型号。";
        let got = clauses(text);
        assert_eq!(find(&got, "用户不得利用").1, Role::Terms);
        assert_eq!(find(&got, "我们会收集您的手机号码").1, Role::Collection);
        // A topic under a user agreement's section is that topic.
        assert_eq!(find(&got, "我们会收集设备型号").1, Role::Collection);
    }

    #[test]
    fn definitions_end_at_next_role_heading() {
        let text = "Related definitions:\n• GPS: Global Positioning System.\n1. What types of information do we collect\n1.1 Name: your name.";
        let got = clauses(text);
        assert_eq!(got[1].1, Role::Definitions);
        assert_eq!(got.last().map(|c| c.1), Some(Role::Collection));
    }

    #[test]
    fn sentences_respect_abbreviations() {
        let text =
            "Name, job title, etc. when you need it. Cookies, etc. Then more. No. 25 Road. Done";
        let parts: Vec<&str> = split_sentences(text)
            .into_iter()
            .map(|(s, e)| text[s..e].trim())
            .collect();
        assert_eq!(
            parts,
            vec![
                "Name, job title, etc. when you need it.",
                "Cookies, etc.",
                "Then more.",
                "No. 25 Road.",
                "Done"
            ]
        );
    }
}
