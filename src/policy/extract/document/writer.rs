//! The plain text both converters produce, written block by block.
//!
//! The segmenter reads lines: a heading or paragraph on a line of its own with blank
//! lines around it, one list item per line behind a bullet, one table row per line with
//! its cells joined by ` | `. The converters say where blocks start and end; the writer
//! turns that into lines, collapses whitespace the way a browser does, and records each
//! block's byte range in the text.

use super::{Block, BlockKind};

/// List nesting shown by indentation at most.
const MAX_INDENT_LEVELS: u8 = 8;

/// A block that has started and not yet ended.
struct Open {
    kind: BlockKind,
    /// Where the block's line starts (before any bullet).
    start: usize,
    /// Where its own text starts (after the bullet or cell separator).
    body: usize,
    level: u8,
}

/// One table being written: its header cells and the row under way.
#[derive(Default)]
struct Table {
    header: Vec<String>,
    /// The row being written: its cells so far and whether all are header cells.
    cells: Vec<String>,
    all_header: bool,
    /// Whether the row belongs to the table's head section (`<thead>`, a Markdown head).
    in_head: bool,
    rows: usize,
    /// Cells of earlier rows that span down into the next ones (`rowspan`): column,
    /// rows still to fill, text. A category cell spanning three SDK rows belongs to each.
    carried: Vec<(usize, usize, String)>,
    /// The spans the open cell declared: rows down, columns across.
    cell_span: (usize, usize),
}

/// The most rows or columns one cell may span: a hostile `rowspan="99999999"` must not
/// make the text grow without bound.
const MAX_SPAN: usize = 64;

/// The most bytes spanned cells may add to one document's text. Spans repeat a cell up
/// to 64 times across and down; past this budget they stop being repeated, so a page of
/// nothing but spanning cells cannot multiply its size.
const MAX_SPANNED_BYTES: usize = 4 << 20;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Space {
    None,
    /// Whitespace without a line break.
    Plain,
    /// Whitespace with a line break: dropped between two CJK characters, where a
    /// browser joins the lines without a space.
    Break,
}

pub(super) struct Writer {
    out: String,
    blocks: Vec<Block>,
    open: Vec<Open>,
    /// How many blocks of each kind are open (indexed by `BlockKind as usize`), so
    /// "inside a cell?" does not walk a deeply nested stack on every block.
    counts: [usize; 5],
    tables: Vec<Table>,
    space: Space,
    /// Where the current line starts, and where its text starts (after a bullet).
    line_start: usize,
    text_start: usize,
    /// Inside `<pre>` or a code block: whitespace is kept.
    pre: usize,
    /// Open links: the http(s) target, if any, and where the link text starts.
    links: Vec<(Option<String>, usize)>,
    /// Bytes written for spanned cells so far (see [`MAX_SPANNED_BYTES`]).
    spanned_bytes: usize,
}

fn is_wide(c: char) -> bool {
    crate::policy::extract::segment::is_cjk(c)
        || matches!(c as u32, 0x3000..=0x303F | 0xFF00..=0xFFEF)
}

impl Writer {
    pub(super) fn new() -> Writer {
        Writer {
            out: String::new(),
            blocks: Vec::new(),
            open: Vec::new(),
            counts: [0; 5],
            tables: Vec::new(),
            space: Space::None,
            line_start: 0,
            text_start: 0,
            pre: 0,
            links: Vec::new(),
            spanned_bytes: 0,
        }
    }

    pub(super) fn finish(mut self) -> (String, Vec<Block>) {
        while let Some(top) = self.open.last() {
            let kind = top.kind;
            self.close(kind);
        }
        self.end_line();
        while self.out.ends_with('\n') {
            self.out.pop();
        }
        if !self.out.is_empty() {
            self.out.push('\n');
        }
        self.blocks
            .sort_by_key(|b| (b.range.start, std::cmp::Reverse(b.range.end)));
        (self.out, self.blocks)
    }

    fn in_cell(&self) -> bool {
        self.is_open(BlockKind::TableCell)
    }

    /// Whether the innermost open table cell has text yet.
    fn cell_has_text(&self) -> bool {
        self.open
            .iter()
            .rev()
            .find(|o| o.kind == BlockKind::TableCell)
            .and_then(|o| self.out.get(o.body..))
            .is_some_and(|t| !t.trim().is_empty())
    }

    /// Ends the line, or inside a table cell, where a line break would end the row,
    /// leaves a space.
    pub(super) fn end_line_outside_cells(&mut self) {
        if self.in_cell() {
            self.soft_space();
        } else {
            self.end_line();
        }
    }

    fn in_list(&self) -> bool {
        self.is_open(BlockKind::ListItem)
    }

    fn line_has_text(&self) -> bool {
        self.out.len() > self.text_start
    }

    /// Shortens the text to `len`; open blocks that started or had their text start
    /// beyond it now start there, so their ranges stay ranges of the text.
    fn cut(&mut self, len: usize) {
        self.out.truncate(len);
        let len = self.out.len();
        // Blocks and links were opened in text order: only the innermost can lie
        // beyond the cut, and the walk stops at the first that does not.
        for o in self.open.iter_mut().rev() {
            if o.start <= len && o.body <= len {
                break;
            }
            o.start = o.start.min(len);
            o.body = o.body.min(len);
        }
        for link in self.links.iter_mut().rev() {
            if link.1 <= len {
                break;
            }
            link.1 = len;
        }
        self.line_start = self.line_start.min(len);
        self.text_start = self.text_start.min(len);
    }

    /// Ends the current line if it has anything on it.
    pub(super) fn end_line(&mut self) {
        self.space = Space::None;
        // A bare bullet waits for its item's text: no line is only a marker.
        if self.out.len() == self.line_start || !self.line_has_text() {
            return;
        }
        let trimmed = self.out.trim_end_matches([' ', '\t']).len();
        self.cut(trimmed.max(self.text_start));
        if !self.line_has_text() {
            // Only spaces (kept inside <pre>): not a line yet.
            return;
        }
        self.out.push('\n');
        self.line_start = self.out.len();
        self.text_start = self.out.len();
    }

    /// Ends the current line and leaves a blank line before what follows.
    fn blank_line(&mut self) {
        self.end_line();
        if !self.out.is_empty() && !self.out.ends_with("\n\n") {
            self.out.push('\n');
            self.line_start = self.out.len();
            self.text_start = self.out.len();
        }
    }

    /// A break between blocks: a blank line between paragraphs, a line break inside a
    /// list item, a space inside a table cell (a row stays on one line).
    pub(super) fn block_break(&mut self) {
        if self.in_cell() {
            self.soft_space();
        } else if self.in_list() || !self.tables.is_empty() {
            self.end_line();
        } else {
            self.blank_line();
        }
    }

    /// `<br>`: a new line, except inside a cell or heading, which stay on one line. A
    /// second `<br>` in a row shows an empty line, and leaves one: pages that set their
    /// paragraphs apart with `<br><br>` get paragraphs.
    pub(super) fn line_break(&mut self) {
        let inline_only = self.is_open(BlockKind::TableCell) || self.is_open(BlockKind::Heading);
        if inline_only {
            self.soft_space();
        } else if self.pre == 0 && self.out.len() == self.line_start && !self.in_list() {
            self.blank_line();
        } else {
            self.end_line();
        }
    }

    pub(super) fn soft_space(&mut self) {
        if self.space == Space::None {
            self.space = Space::Plain;
        }
    }

    pub(super) fn set_pre(&mut self, on: bool) {
        if on {
            self.pre += 1;
        } else {
            self.pre = self.pre.saturating_sub(1);
        }
    }

    /// Inline text; runs of whitespace become one space, none at the start of a line.
    pub(super) fn text(&mut self, s: &str) {
        for c in s.chars() {
            if self.pre > 0 {
                match c {
                    '\n' => self.end_line(),
                    '\r' => {}
                    _ => self.push_char(c),
                }
                continue;
            }
            if c.is_whitespace() && c != '\u{3000}' {
                let broken = matches!(c, '\n' | '\r');
                self.space = match (self.space, broken) {
                    (Space::Break, _) | (_, true) => Space::Break,
                    _ => Space::Plain,
                };
                continue;
            }
            self.push_char(c);
        }
    }

    fn push_char(&mut self, c: char) {
        if c == '\0' || (c.is_control() && c != '\t') {
            return;
        }
        if self.space != Space::None && self.line_has_text() {
            let prev = self.out.chars().next_back();
            let joined = self.space == Space::Break && prev.is_some_and(is_wide) && is_wide(c);
            if !joined && prev.is_some_and(|p| !p.is_whitespace()) {
                self.out.push(' ');
            }
        }
        self.space = Space::None;
        self.out.push(c);
    }

    /// A link starts; its target is kept if it is an http(s) URL.
    pub(super) fn link_start(&mut self, href: Option<&str>) {
        self.links.push((href.and_then(http_url), self.out.len()));
    }

    /// A link ends: its http(s) target follows its text in angle brackets, so a reader
    /// of the text (and the extractor) sees where it points. A link whose text is the
    /// URL itself is not repeated.
    pub(super) fn link_end(&mut self) {
        let Some((Some(href), from)) = self.links.pop() else {
            return;
        };
        let text = self.out.get(from..).unwrap_or("").trim();
        if text.trim_end_matches('/') == href.trim_end_matches('/') {
            return;
        }
        self.soft_space();
        for c in format!("<{href}>").chars() {
            self.push_char(c);
        }
    }

    /// Starts a block. `marker` is a list item's bullet ("- ", "3. ").
    pub(super) fn open(&mut self, kind: BlockKind, level: u8, marker: &str) {
        match kind {
            BlockKind::Heading | BlockKind::Paragraph => {
                // The first paragraph of a list item continues the bullet's line.
                let fresh_item = self
                    .open
                    .last()
                    .is_some_and(|o| o.kind == BlockKind::ListItem)
                    && !self.line_has_text();
                if !fresh_item {
                    self.block_break();
                } else if kind == BlockKind::Heading && !self.in_cell() {
                    // A heading that opens an item ("<li><h3>Sharing</h3>…") is the
                    // section's heading: on its own line, without the bullet that would
                    // make it a list item.
                    self.cut(self.line_start);
                    self.text_start = self.line_start;
                }
            }
            BlockKind::ListItem => {
                if self.in_cell() {
                    // "<td><ul><li>Card details</li><li>Bank account number</li>": the
                    // items of a cell stay apart, on the row's line.
                    if self.cell_has_text() {
                        self.text("; ");
                    } else {
                        self.soft_space();
                    }
                } else {
                    self.end_line();
                    // An item that opens with a nested list: the inner bullet replaces
                    // the outer one rather than following it on the line.
                    if self.out.len() > self.line_start && !self.line_has_text() {
                        self.cut(self.line_start);
                    }
                    // Indentation shows nesting to a reader; past a few levels it only
                    // costs bytes (the block keeps the real depth).
                    let indent = usize::from(level.saturating_sub(1).min(MAX_INDENT_LEVELS)) * 2;
                    self.out.extend(std::iter::repeat_n(' ', indent));
                    self.out.push_str(marker);
                    self.text_start = self.out.len();
                }
            }
            BlockKind::TableRow => {
                if self.in_cell() {
                    self.soft_space();
                } else {
                    self.end_line();
                    if let Some(t) = self.tables.last_mut() {
                        t.cells.clear();
                        t.all_header = true;
                    }
                }
            }
            BlockKind::TableCell => {
                if !self.in_cell() {
                    self.fill_carried(false);
                }
                let first = self.tables.last().is_none_or(|t| t.cells.is_empty());
                if self.in_cell() {
                    self.soft_space();
                } else if !first {
                    self.space = Space::None;
                    let trimmed = self.out.trim_end_matches(' ').len();
                    self.cut(trimmed.max(self.text_start));
                    self.out.push_str(" | ");
                }
            }
        }
        let start = if matches!(kind, BlockKind::ListItem) || self.out.len() == self.line_start {
            self.line_start.min(self.out.len())
        } else {
            self.out.len()
        };
        let body = self.out.len();
        self.counts[kind as usize] += 1;
        self.open.push(Open {
            kind,
            start,
            body,
            level,
        });
    }

    /// Ends the innermost open block of `kind` and any opened inside it. Returns false
    /// when no such block is open (a stray end tag).
    pub(super) fn close(&mut self, kind: BlockKind) -> bool {
        if !self.is_open(kind) {
            return false;
        }
        let Some(pos) = self.open.iter().rposition(|o| o.kind == kind) else {
            return false;
        };
        while self.open.len() > pos {
            let Some(o) = self.open.pop() else {
                break;
            };
            self.counts[o.kind as usize] -= 1;
            self.close_one(o);
        }
        true
    }

    /// Whether the innermost open block is `kind`.
    pub(super) fn top_is(&self, kind: BlockKind) -> bool {
        self.open.last().is_some_and(|o| o.kind == kind)
    }

    /// Closes the innermost open block if it is `kind` (a `<div>` ends an unclosed `<p>`).
    pub(super) fn close_top(&mut self, kind: BlockKind) {
        if self.top_is(kind) {
            self.close(kind);
        }
    }

    /// The level of the innermost open block of `kind`.
    pub(super) fn open_level(&self, kind: BlockKind) -> Option<u8> {
        self.open
            .iter()
            .rev()
            .find(|o| o.kind == kind)
            .map(|o| o.level)
    }

    pub(super) fn is_open(&self, kind: BlockKind) -> bool {
        self.counts[kind as usize] > 0
    }

    fn close_one(&mut self, o: Open) {
        if o.kind == BlockKind::TableRow && !self.in_cell() {
            // The cells earlier rows span into this one, before the row's range is taken.
            self.fill_carried(true);
        }
        let end = self.out.trim_end().len().max(o.body);
        let has_text = self
            .out
            .get(o.body..end)
            .is_some_and(|t| !t.trim().is_empty());
        let nested_cell = o.kind == BlockKind::TableCell && self.in_cell();
        let mut header = Vec::new();
        let mut header_row = false;
        match o.kind {
            BlockKind::TableCell if !nested_cell => {
                let text = self.out.get(o.body..end).unwrap_or("").trim().to_string();
                let mut extra_columns = 0;
                if let Some(t) = self.tables.last_mut() {
                    let (down, across) = std::mem::replace(&mut t.cell_span, (1, 1));
                    if down > 1 {
                        t.carried.push((t.cells.len(), down - 1, text.clone()));
                    }
                    t.cells.push(text);
                    extra_columns = across.saturating_sub(1);
                }
                // A cell spanning columns stands for each: the columns after it keep
                // their header's meaning.
                for _ in 0..extra_columns {
                    if self.spanned_bytes > MAX_SPANNED_BYTES {
                        break;
                    }
                    self.write_cell("");
                }
            }
            BlockKind::TableRow if !self.in_cell() => {
                if let Some(t) = self.tables.last_mut() {
                    let cells = std::mem::take(&mut t.cells);
                    let is_header =
                        !cells.is_empty() && (t.in_head || (t.all_header && t.rows == 0));
                    if is_header {
                        header_row = true;
                        t.header = cells;
                    } else if !cells.is_empty() {
                        header = t.header.clone();
                    }
                    t.rows += 1;
                }
            }
            _ => {}
        }
        if has_text && !nested_cell && !(o.kind != BlockKind::TableCell && self.in_cell()) {
            self.blocks.push(Block {
                kind: o.kind,
                range: o.start..end,
                level: o.level,
                header,
                header_row,
            });
        }
        match o.kind {
            BlockKind::ListItem if !self.in_cell() => {
                if !has_text && self.out.len() >= o.start {
                    // An empty item leaves no bare bullet behind.
                    self.cut(o.start);
                    self.line_start = o.start;
                    self.text_start = o.start;
                    self.space = Space::None;
                } else {
                    self.end_line();
                }
            }
            BlockKind::TableRow if !self.in_cell() => self.end_line(),
            BlockKind::Heading | BlockKind::Paragraph => self.block_break(),
            _ => {}
        }
    }

    /// Declares the spans of the cell about to open (`rowspan`, `colspan`).
    pub(super) fn cell_span(&mut self, rows: usize, columns: usize) {
        if self.in_cell() {
            return;
        }
        if let Some(t) = self.tables.last_mut() {
            t.cell_span = (rows.clamp(1, MAX_SPAN), columns.clamp(1, MAX_SPAN));
        }
    }

    /// Writes the cells that earlier rows span into this one at the current column,
    /// or, at the row's end, every one still owed.
    fn fill_carried(&mut self, to_end: bool) {
        if self.spanned_bytes > MAX_SPANNED_BYTES {
            if let Some(t) = self.tables.last_mut() {
                t.carried.clear();
            }
            return;
        }
        loop {
            let Some(t) = self.tables.last_mut() else {
                return;
            };
            let column = t.cells.len();
            let next = t
                .carried
                .iter()
                .enumerate()
                .filter(|(_, c)| c.1 > 0 && (c.0 == column || (to_end && c.0 > column)))
                .min_by_key(|(_, c)| c.0)
                .map(|(i, _)| i);
            let Some(i) = next else {
                return;
            };
            if t.carried[i].0 > column {
                // A gap before a spanned column at the row's end: the row was short.
                self.write_cell("");
                continue;
            }
            t.carried[i].1 -= 1;
            let text = t.carried[i].1.eq(&0).then(|| t.carried.swap_remove(i).2);
            let text = match text {
                Some(text) => text,
                None => t.carried[i].2.clone(),
            };
            self.write_cell(&text);
        }
    }

    /// Appends a cell that has no block of its own (a spanned one) to the row.
    fn write_cell(&mut self, text: &str) {
        self.spanned_bytes += text.len() + 3;
        let Some(t) = self.tables.last_mut() else {
            return;
        };
        let first = t.cells.is_empty();
        t.cells.push(text.to_string());
        if !first {
            let trimmed = self.out.trim_end_matches(' ').len();
            self.cut(trimmed.max(self.text_start));
            self.out.push_str(" | ");
        }
        self.out.push_str(text);
        self.space = Space::None;
    }

    /// A table cell that is a header cell (`<th>`, a Markdown head) or not.
    pub(super) fn cell_kind(&mut self, header: bool) {
        if self.in_cell() {
            return;
        }
        if let Some(t) = self.tables.last_mut()
            && !header
        {
            t.all_header = false;
        }
    }

    pub(super) fn table_start(&mut self) {
        if self.in_cell() {
            self.soft_space();
            return;
        }
        self.block_break();
        self.tables.push(Table::default());
    }

    pub(super) fn table_end(&mut self) {
        if self.in_cell() {
            self.soft_space();
            return;
        }
        self.close_rows();
        self.tables.pop();
        self.block_break();
    }

    /// Closes an open row (and its cells) of the current table.
    pub(super) fn close_rows(&mut self) {
        if self.tables.is_empty() {
            return;
        }
        self.close(BlockKind::TableRow);
    }

    pub(super) fn set_table_head(&mut self, on: bool) {
        if self.in_cell() {
            return;
        }
        if let Some(t) = self.tables.last_mut() {
            t.in_head = on;
        }
    }

    /// A paragraph break outside any block's own handling (`<div>`, `<hr>`).
    pub(super) fn container_break(&mut self) {
        self.block_break();
    }
}

fn http_url(href: &str) -> Option<String> {
    let href = href.trim();
    let scheme = href.get(..8).unwrap_or(href).to_ascii_lowercase();
    let http = scheme.starts_with("http://") || scheme.starts_with("https://");
    (http && href.len() > "https://".len() && !href.contains(char::is_whitespace))
        .then(|| href.to_string())
}
