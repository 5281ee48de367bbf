//! Which tables of a page hold data and which lay the page out.
//!
//! Older sites (many Chinese policy pages among them) put the whole page in a
//! `<table>`: the policy is one cell. Read as data, that cell would become one table
//! row on one line, headings and paragraphs included. A first pass over the page marks
//! such tables, so the conversion can read their cells as page sections: a table is
//! layout when one of its cells holds a heading, another table, or more text than any
//! data cell does.

use std::cell::RefCell;

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::{
    BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};

/// More text than this in one cell is a page section, not a value: the longest cells
/// of real SDK lists (a purpose, a list of data items) run to a few hundred characters.
const MAX_DATA_CELL_CHARS: usize = 1500;

#[derive(Default)]
struct Scan {
    /// Per `<table>` start tag, in document order: whether it lays out the page.
    layout: Vec<bool>,
    /// Open tables (indexes into `layout`) with the characters of their current cell.
    open: Vec<(usize, usize)>,
    /// Inside an element whose content is not text (script, style, title…).
    raw: Option<String>,
}

struct Sink(RefCell<Scan>);

/// For each `<table>` of `text`, in order: whether it is a layout table.
pub(super) fn layout_tables(text: &str) -> Vec<bool> {
    // Nothing to decide on a page without tables; skip the pass.
    if !text
        .as_bytes()
        .windows(6)
        .any(|w| w.eq_ignore_ascii_case(b"<table"))
    {
        return Vec::new();
    }
    let tokenizer = Tokenizer::new(
        Sink(RefCell::new(Scan::default())),
        TokenizerOpts::default(),
    );
    let queue = BufferQueue::default();
    queue.push_back(StrTendril::from_slice(text));
    let _ = tokenizer.feed(&queue);
    tokenizer.end();
    tokenizer.sink.0.into_inner().layout
}

impl Scan {
    fn mark_top(&mut self) {
        if let Some(&(index, _)) = self.open.last()
            && let Some(flag) = self.layout.get_mut(index)
        {
            *flag = true;
        }
    }
}

impl TokenSink for Sink {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        let mut scan = self.0.borrow_mut();
        match token {
            Token::TagToken(tag) => {
                let name = &*tag.name;
                if let Some(raw) = &scan.raw {
                    if tag.kind == TagKind::EndTag && raw == name {
                        scan.raw = None;
                    }
                    return TokenSinkResult::Continue;
                }
                match (tag.kind, name) {
                    (TagKind::StartTag, "table") => {
                        scan.mark_top();
                        let index = scan.layout.len();
                        scan.layout.push(false);
                        scan.open.push((index, 0));
                    }
                    (TagKind::EndTag, "table") => {
                        scan.open.pop();
                    }
                    (TagKind::StartTag, "td" | "th") => {
                        if let Some(top) = scan.open.last_mut() {
                            top.1 = 0;
                        }
                    }
                    (TagKind::StartTag, "h1" | "h2" | "h3" | "h4" | "h5" | "h6") => {
                        scan.mark_top();
                    }
                    (TagKind::StartTag, _) => {
                        if let Some(raw) = super::html::raw_kind(name) {
                            scan.raw = Some(name.to_string());
                            return raw;
                        }
                    }
                    _ => {}
                }
            }
            Token::CharacterTokens(text) if scan.raw.is_none() => {
                let long = scan.open.last_mut().is_some_and(|top| {
                    top.1 = top
                        .1
                        .saturating_add(text.chars().filter(|c| !c.is_whitespace()).count());
                    top.1 > MAX_DATA_CELL_CHARS
                });
                if long {
                    scan.mark_top();
                }
            }
            _ => {}
        }
        TokenSinkResult::Continue
    }
}
