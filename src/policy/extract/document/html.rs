//! HTML pages to the segmenter's text, on html5ever's tokenizer.
//!
//! A tokenizer rather than a tree builder: the text only needs to know where blocks
//! start and end, and the few repairs browsers make that matter here (an unclosed `<li>`,
//! `<p>`, `<td>` or `<tr>` ends at the next one) are made below. The tokenizer does the
//! hard part of HTML: character references, comments, attributes, and the raw-text
//! content of `<script>` and `<style>`, which may hold anything that looks like a tag.

use std::cell::RefCell;

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{
    BufferQueue, Tag, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};

use super::writer::Writer;
use super::{BlockKind, Converted};

/// Elements whose content is not policy text: code, styling, navigation, form controls,
/// embedded objects.
const DROPPED: &[&str] = &[
    "script", "style", "noscript", "template", "svg", "math", "nav", "title", "iframe", "object",
    "canvas", "select", "button", "textarea", "datalist", "option", "optgroup", "audio", "video",
    "dialog", "noembed", "noframes",
];

/// Elements that end a line of text without being a block of their own.
const CONTAINERS: &[&str] = &[
    "div",
    "section",
    "article",
    "main",
    "aside",
    "blockquote",
    "pre",
    "figure",
    "figcaption",
    "address",
    "center",
    "fieldset",
    "details",
    "summary",
    "caption",
    "dl",
    "legend",
    "body",
    "form",
    "header",
    "footer",
    "hgroup",
    "listing",
];

/// Elements that never have content or an end tag.
const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr", "param", "keygen",
];

struct State {
    w: Writer,
    /// The dropped element being skipped and how deeply it nests in itself.
    skip: Option<(String, usize)>,
    /// Open lists, outermost first.
    lists: usize,
    /// Open tables, innermost last.
    tables: Vec<TableKind>,
    /// Whether a `Rows` table is open.
    rows_open: bool,
    /// From the first pass: per `<table>` in order, whether it lays out the page.
    layout: Vec<bool>,
    /// How many `<table>` start tags have been seen.
    next_table: usize,
    /// Inside `<article>` or `<main>`, where a `<header>` is the policy's own title.
    content: usize,
    /// A `<dt>` term whose list item stays open for its `<dd>`: whether the term has
    /// ended, and whether its description is being written into the item.
    term: Option<bool>,
    described: bool,
}

/// How a table is read.
#[derive(Clone, Copy, PartialEq, Eq)]
enum TableKind {
    /// The data table being written: one row a line, cells joined by ` | `.
    Rows,
    /// A table inside a cell of that one: its text is the cell's text.
    Nested,
    /// A table that lays out the page: its cells are sections of the page.
    Layout,
}

struct Sink {
    state: RefCell<State>,
}

pub(super) fn convert(text: &str) -> Converted {
    let (text, blocks) = write(Writer::new(), text).finish();
    Converted { text, blocks }
}

/// Writes an HTML document or fragment (a Markdown file's HTML block) to `w`.
pub(super) fn write(w: Writer, text: &str) -> Writer {
    let sink = Sink {
        state: RefCell::new(State {
            w,
            skip: None,
            lists: 0,
            tables: Vec::new(),
            rows_open: false,
            layout: super::layout::layout_tables(text),
            next_table: 0,
            content: 0,
            term: None,
            described: false,
        }),
    };
    let tokenizer = Tokenizer::new(sink, TokenizerOpts::default());
    let queue = BufferQueue::default();
    queue.push_back(StrTendril::from_slice(text));
    // The sink never asks to stop for a script, so one feed reads everything.
    let _ = tokenizer.feed(&queue);
    tokenizer.end();
    tokenizer.sink.state.into_inner().w
}

pub(super) fn raw_kind(name: &str) -> Option<TokenSinkResult<()>> {
    Some(match name {
        "script" => TokenSinkResult::RawData(RawKind::ScriptData),
        "style" | "xmp" | "iframe" | "noembed" | "noframes" | "noscript" => {
            TokenSinkResult::RawData(RawKind::Rawtext)
        }
        "textarea" | "title" => TokenSinkResult::RawData(RawKind::Rcdata),
        "plaintext" => TokenSinkResult::Plaintext,
        _ => return None,
    })
}

fn attr<'t>(tag: &'t Tag, name: &str) -> Option<&'t str> {
    tag.attrs
        .iter()
        .find(|a| &*a.name.local == name)
        .map(|a| &*a.value)
}

/// Hidden by the page itself: `hidden`, `aria-hidden`, `display:none`, or navigation
/// by role.
fn hidden(tag: &Tag) -> bool {
    if attr(tag, "hidden").is_some() {
        return true;
    }
    if attr(tag, "aria-hidden").is_some_and(|v| v.eq_ignore_ascii_case("true")) {
        return true;
    }
    if attr(tag, "role").is_some_and(|v| v.eq_ignore_ascii_case("navigation")) {
        return true;
    }
    attr(tag, "style").is_some_and(|v| {
        let compact: String = v
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_lowercase();
        compact.contains("display:none") || compact.contains("visibility:hidden")
    })
}

fn heading_level(name: &str) -> Option<u8> {
    match name {
        "h1" => Some(1),
        "h2" => Some(2),
        "h3" => Some(3),
        "h4" => Some(4),
        "h5" => Some(5),
        "h6" => Some(6),
        _ => None,
    }
}

impl State {
    fn innermost(&self) -> Option<TableKind> {
        self.tables.last().copied()
    }

    /// A layout table's row or cell boundary ends a section of the page; any other
    /// stray or nested one is a space in the text around it.
    fn layout_or_soft_break(&mut self) {
        if self.innermost() == Some(TableKind::Layout) && !self.w.is_open(BlockKind::TableCell) {
            self.w.close_top(BlockKind::Paragraph);
            self.w.container_break();
        } else {
            self.w.soft_space();
        }
    }

    fn start(&mut self, tag: &Tag) {
        let name = &*tag.name;
        // `<div/>` opens a div in HTML; only inside dropped SVG and MathML does the
        // slash close the element.
        let void = VOID.contains(&name);
        if let Some((skipping, depth)) = &mut self.skip {
            if skipping == name && !void && !tag.self_closing {
                *depth += 1;
            }
            return;
        }
        let page_chrome = matches!(name, "header" | "footer") && self.content == 0;
        if DROPPED.contains(&name) || page_chrome || hidden(tag) {
            // `<svg/>` is empty; `<script/>` is not (the slash is ignored and raw text
            // follows up to `</script>`).
            if !void && (!tag.self_closing || raw_kind(name).is_some()) {
                self.skip = Some((name.to_string(), 1));
            }
            return;
        }
        let rows = self.innermost() == Some(TableKind::Rows);
        let w = &mut self.w;
        if let Some(level) = heading_level(name) {
            w.close_top(BlockKind::Paragraph);
            w.open(BlockKind::Heading, level, "");
            return;
        }
        match name {
            "p" => {
                w.close(BlockKind::Paragraph);
                w.open(BlockKind::Paragraph, 0, "");
            }
            // A definition list reads as "- Term: description" items, the shape a list
            // of named recipients takes in prose ("<dt>Mux</dt><dd>Video analytics…").
            "dt" => {
                w.close(BlockKind::Paragraph);
                if self.term.is_some() {
                    w.close(BlockKind::ListItem);
                }
                let depth = u8::try_from(self.lists + 1).unwrap_or(u8::MAX);
                w.open(BlockKind::ListItem, depth, "- ");
                self.term = Some(false);
            }
            "dd" if self.term == Some(true) && w.is_open(BlockKind::ListItem) => {
                w.text(": ");
                self.described = true;
            }
            "dd" => {
                w.close(BlockKind::Paragraph);
                w.open(BlockKind::Paragraph, 0, "");
            }
            "ul" | "ol" | "menu" => {
                w.close_top(BlockKind::Paragraph);
                self.lists += 1;
            }
            "li" => {
                let depth = u8::try_from(self.lists.max(1)).unwrap_or(u8::MAX);
                // An unclosed item ends where the next one of its list starts.
                if w.open_level(BlockKind::ListItem)
                    .is_some_and(|l| l >= depth)
                {
                    w.close(BlockKind::ListItem);
                }
                // Browsers number <ol> items themselves; the text holds no number, and a
                // "1." here would read as a clause label.
                w.open(BlockKind::ListItem, depth, "- ");
            }
            "table" => {
                let layout = self.layout.get(self.next_table).copied().unwrap_or(false);
                self.next_table += 1;
                let kind = if layout {
                    TableKind::Layout
                } else if self.rows_open {
                    TableKind::Nested
                } else {
                    TableKind::Rows
                };
                self.tables.push(kind);
                match kind {
                    TableKind::Rows => {
                        self.rows_open = true;
                        w.close_top(BlockKind::Paragraph);
                        w.table_start();
                    }
                    TableKind::Layout if !w.is_open(BlockKind::TableCell) => {
                        w.close_top(BlockKind::Paragraph);
                        w.container_break();
                    }
                    _ => w.soft_space(),
                }
            }
            "thead" | "tbody" | "tfoot" if rows => {
                w.close_rows();
                w.set_table_head(name == "thead");
            }
            "tr" if rows => {
                w.close_rows();
                w.open(BlockKind::TableRow, 0, "");
            }
            "td" | "th" if rows => {
                if w.is_open(BlockKind::TableCell) {
                    w.close(BlockKind::TableCell);
                }
                if !w.is_open(BlockKind::TableRow) {
                    w.open(BlockKind::TableRow, 0, "");
                }
                w.cell_kind(name == "th");
                let span = |a: &str| {
                    attr(tag, a)
                        .and_then(|v| v.trim().parse::<usize>().ok())
                        .unwrap_or(1)
                };
                w.cell_span(span("rowspan"), span("colspan"));
                w.open(BlockKind::TableCell, 0, "");
            }
            "tr" | "td" | "th" => self.layout_or_soft_break(),
            "br" => w.line_break(),
            "hr" => {
                w.close_top(BlockKind::Paragraph);
                w.container_break();
            }
            "a" => w.link_start(attr(tag, "href")),
            _ if CONTAINERS.contains(&name) => {
                if matches!(name, "article" | "main") {
                    self.content += 1;
                }
                w.close_top(BlockKind::Paragraph);
                w.container_break();
                if name == "pre" {
                    w.set_pre(true);
                }
            }
            _ => {}
        }
    }

    fn end(&mut self, tag: &Tag) {
        let name = &*tag.name;
        if let Some((skipping, depth)) = &mut self.skip {
            if skipping == name {
                *depth -= 1;
                if *depth == 0 {
                    self.skip = None;
                }
            }
            return;
        }
        let rows = self.innermost() == Some(TableKind::Rows);
        let w = &mut self.w;
        if heading_level(name).is_some() {
            w.close(BlockKind::Heading);
            return;
        }
        match name {
            "dt" if self.term.is_some() => self.term = Some(true),
            "dd" if self.described => {
                w.close(BlockKind::ListItem);
                self.term = None;
                self.described = false;
            }
            "p" | "dt" | "dd" => {
                w.close(BlockKind::Paragraph);
            }
            "li" => {
                w.close(BlockKind::ListItem);
            }
            "ul" | "ol" | "menu" => {
                let depth = u8::try_from(self.lists.max(1)).unwrap_or(u8::MAX);
                if w.open_level(BlockKind::ListItem)
                    .is_some_and(|l| l >= depth)
                {
                    w.close(BlockKind::ListItem);
                }
                self.lists = self.lists.saturating_sub(1);
                w.end_line_outside_cells();
            }
            "table" => match self.tables.pop() {
                Some(TableKind::Rows) => {
                    self.rows_open = false;
                    w.table_end();
                }
                Some(TableKind::Layout) => self.layout_or_soft_break(),
                Some(TableKind::Nested) => w.soft_space(),
                None => {}
            },
            "thead" | "tbody" | "tfoot" if rows => {
                w.close_rows();
                w.set_table_head(false);
            }
            "tr" if rows => {
                w.close(BlockKind::TableRow);
            }
            "td" | "th" if rows => {
                w.close(BlockKind::TableCell);
            }
            "tr" | "td" | "th" => self.layout_or_soft_break(),
            "a" => w.link_end(),
            "br" => w.line_break(),
            _ if CONTAINERS.contains(&name) => {
                if matches!(name, "article" | "main") {
                    self.content = self.content.saturating_sub(1);
                }
                if name == "dl" && self.term.take().is_some() {
                    self.described = false;
                    w.close(BlockKind::ListItem);
                }
                if name == "pre" {
                    w.set_pre(false);
                }
                w.close_top(BlockKind::Paragraph);
                w.container_break();
            }
            _ => {}
        }
    }
}

impl TokenSink for Sink {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        let mut state = self.state.borrow_mut();
        match token {
            Token::TagToken(tag) => match tag.kind {
                TagKind::StartTag => {
                    state.start(&tag);
                    if let Some(raw) = raw_kind(&tag.name) {
                        return raw;
                    }
                }
                TagKind::EndTag => state.end(&tag),
            },
            Token::CharacterTokens(text) if state.skip.is_none() => state.w.text(&text),
            // Comments, doctypes, NULs, parse errors and the end carry no text.
            _ => {}
        }
        TokenSinkResult::Continue
    }
}
