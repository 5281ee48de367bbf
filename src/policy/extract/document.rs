//! The first stage of policy extraction: a policy document (plain text, Markdown or an
//! HTML page) turned into the plain text the segmenter reads, with its block structure.
//!
//! Policies are published as web pages and Markdown files. Their structure is in the
//! markup, not in the text: a `<li>` is a list item whether or not it shows a bullet, a
//! `<td>` is a table cell. Converting here, with real parsers (pulldown-cmark for
//! Markdown, html5ever's tokenizer for HTML), lets the rest of the pipeline keep one
//! dialect: headings on their own line, paragraphs between blank lines, one `- ` list
//! item per line, one table row per line with cells joined by ` | `, the http(s) target
//! of a link in angle brackets after its text. Scripts, styles, navigation and form
//! controls are not policy text and are dropped.

mod html;
mod layout;
mod markdown;
mod writer;

use std::ops::Range;
use std::path::Path;

/// How a document is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Markdown,
    Html,
}

impl Format {
    /// The format a file name's extension says, if it says one.
    pub fn from_path(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "md" | "markdown" => Some(Format::Markdown),
            "html" | "htm" | "xhtml" => Some(Format::Html),
            _ => None,
        }
    }

    /// The format the content shows: HTML when it starts like a page or is full of
    /// block tags; otherwise text. Markdown is not guessed: a plain-text policy with
    /// "1." lists and `#` headings reads the same either way, and the segmenter already
    /// strips Markdown's heading and emphasis marks.
    pub fn sniff(text: &str) -> Format {
        let mut end = text.len().min(SNIFF_BYTES);
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let head = &text[..end];
        let lower = head
            .trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n'])
            .to_ascii_lowercase();
        if lower.starts_with("<!doctype html") || lower.starts_with("<html") {
            return Format::Html;
        }
        if lower.contains("<body") || lower.contains("<html") {
            return Format::Html;
        }
        let tags = [
            "<p>", "<p ", "</p>", "<div", "<br", "<li>", "<li ", "<td", "<tr", "<h2", "<h3",
            "<ul>", "<table",
        ];
        let count: usize = tags.iter().map(|t| lower.matches(t).count()).sum();
        if count >= BLOCK_TAGS_FOR_HTML {
            Format::Html
        } else {
            Format::Text
        }
    }

    /// The format of a file: its extension, else its content.
    pub fn detect(path: &Path, text: &str) -> Format {
        Format::from_path(path).unwrap_or_else(|| Format::sniff(text))
    }

    pub fn name(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Markdown => "markdown",
            Format::Html => "html",
        }
    }
}

/// The encoding an HTML page declares in its first bytes (`<meta charset="gbk">`,
/// `<meta http-equiv="Content-Type" content="text/html; charset=gb2312">`), when it is
/// one that can be read from an ASCII-compatible byte stream. Read from the raw bytes:
/// the declaration is ASCII in every such encoding.
pub fn declared_charset(bytes: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    let head = &bytes[..bytes.len().min(CHARSET_BYTES)];
    let lower: Vec<u8> = head.to_ascii_lowercase();
    let mut from = 0;
    while let Some(at) = find(&lower[from..], b"<meta") {
        let tag_start = from + at;
        let tag_end = find(&lower[tag_start..], b">").map_or(lower.len(), |e| tag_start + e);
        let tag = &lower[tag_start..tag_end];
        if let Some(c) = find(tag, b"charset") {
            let rest = &tag[c + b"charset".len()..];
            let rest = rest.trim_ascii_start();
            if let Some(value) = rest.strip_prefix(b"=") {
                let value = value.trim_ascii_start();
                let value = value
                    .strip_prefix(b"\"")
                    .or_else(|| value.strip_prefix(b"'"))
                    .unwrap_or(value);
                let end = value
                    .iter()
                    .position(|&b| matches!(b, b'"' | b'\'' | b';' | b'/' | b' ' | b'>'))
                    .unwrap_or(value.len());
                let encoding = encoding_rs::Encoding::for_label(&value[..end])?;
                // A page that says UTF-16 is not UTF-16 if its <meta> is readable as ASCII.
                return encoding.is_ascii_compatible().then_some(encoding);
            }
        }
        from = tag_end.max(tag_start + 1);
    }
    None
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// How far into a page the encoding declaration is looked for (HTML says 1024 bytes;
/// real pages put scripts first).
const CHARSET_BYTES: usize = 4096;

/// How much of a file the sniffer reads.
const SNIFF_BYTES: usize = 64 * 1024;

/// Block tags that make untyped content HTML; a text policy may quote a tag or two.
const BLOCK_TAGS_FOR_HTML: usize = 8;

/// What a block of the converted text is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockKind {
    Heading,
    Paragraph,
    ListItem,
    TableRow,
    TableCell,
}

/// One block of the converted text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    pub kind: BlockKind,
    /// Byte range in [`Converted::text`]; a list item's includes its bullet.
    pub range: Range<usize>,
    /// A heading's level (1–6), a list item's depth (1 = top level); 0 otherwise.
    pub level: u8,
    /// A table row's column headings, when its table has a header row.
    pub header: Vec<String>,
    /// The row is its table's header row (`<thead>`, all `<th>`, a Markdown head): it
    /// names the columns and declares nothing itself.
    pub header_row: bool,
}

/// A document as plain text with its blocks, ordered by where they start.
#[derive(Debug, Clone, Default)]
pub struct Converted {
    pub text: String,
    pub blocks: Vec<Block>,
}

/// Converts a decoded document to the segmenter's plain text.
pub fn convert(text: &str, format: Format) -> Converted {
    match format {
        Format::Text => Converted {
            text: text.to_string(),
            blocks: text_paragraphs(text),
        },
        Format::Markdown => markdown::convert(text),
        Format::Html => html::convert(text),
    }
}

/// Plain text's only structure this stage can be sure of: runs of non-blank lines.
/// Headings, lists and clause numbers in text are the segmenter's business.
fn text_paragraphs(text: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut start: Option<usize> = None;
    let mut end = 0;
    let mut pos = 0;
    for line in text.split_inclusive('\n') {
        let content = line.trim_end_matches(['\r', '\n']);
        if content.trim().is_empty() {
            if let Some(s) = start.take() {
                blocks.push(paragraph(s..end));
            }
        } else {
            if start.is_none() {
                start = Some(pos);
            }
            end = pos + content.len();
        }
        pos += line.len();
    }
    if let Some(s) = start {
        blocks.push(paragraph(s..end));
    }
    blocks
}

fn paragraph(range: Range<usize>) -> Block {
    Block {
        kind: BlockKind::Paragraph,
        range,
        level: 0,
        header: Vec::new(),
        header_row: false,
    }
}

#[cfg(test)]
mod tests;
