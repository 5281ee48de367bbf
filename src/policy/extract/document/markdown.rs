//! Markdown files to the segmenter's text, on pulldown-cmark (CommonMark with tables).
//!
//! HTML blocks inside the Markdown (a table pasted as `<table>`, which Markdown policies
//! often carry) go through the HTML converter into the same text.

use std::collections::HashSet;

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use super::writer::Writer;
use super::{BlockKind, Converted, html};

pub(super) fn convert(text: &str) -> Converted {
    let mut w = Writer::new();
    // Each open list: the next item's number for an ordered one, and whether its
    // numbers are section numbers.
    let mut lists: Vec<(Option<u64>, bool)> = Vec::new();
    let mut in_head = false;
    // Image descriptions are not text a reader sees.
    let mut image = 0usize;
    let mut html_block = String::new();
    // Front matter ("---\nlayout: page\ntitle: …\n---", as static-site policies carry)
    // is the site's, not the policy's; without the option its lines read as a heading.
    let mut metadata = false;
    let options = Options::ENABLE_TABLES | Options::ENABLE_YAML_STYLE_METADATA_BLOCKS;
    let events: Vec<Event> = Parser::new_ext(text, options).collect();
    let sections = section_lists(&events);
    for (index, event) in events.into_iter().enumerate() {
        match event {
            Event::Start(tag) => match tag {
                Tag::Paragraph => w.open(BlockKind::Paragraph, 0, ""),
                Tag::Heading { level, .. } => w.open(BlockKind::Heading, level_of(level), ""),
                Tag::BlockQuote(_) => w.container_break(),
                Tag::CodeBlock(_) => {
                    w.container_break();
                    w.set_pre(true);
                }
                Tag::HtmlBlock => html_block.clear(),
                Tag::List(start) => lists.push((start, sections.contains(&index))),
                Tag::Item => {
                    let depth = u8::try_from(lists.len().max(1)).unwrap_or(u8::MAX);
                    // An ordered list shows its numbers in the source, so the text keeps
                    // them. Where they number sections they stay clause labels ("2. How
                    // we share"); in a list of short items they follow a bullet
                    // ("- 1. Your name"), since the segmenter reads a bare "1." as a
                    // clause and a short line after it as that clause's heading.
                    let marker = match lists.last_mut() {
                        Some((Some(n), section)) => {
                            let m = if *section {
                                format!("{n}. ")
                            } else {
                                format!("- {n}. ")
                            };
                            *n = n.saturating_add(1);
                            m
                        }
                        _ => "- ".to_string(),
                    };
                    w.open(BlockKind::ListItem, depth, &marker);
                }
                Tag::Table(_) => w.table_start(),
                Tag::TableHead => {
                    in_head = true;
                    w.set_table_head(true);
                    w.open(BlockKind::TableRow, 0, "");
                }
                Tag::TableRow => w.open(BlockKind::TableRow, 0, ""),
                Tag::TableCell => {
                    w.cell_kind(in_head);
                    w.open(BlockKind::TableCell, 0, "");
                }
                Tag::Link { dest_url, .. } => w.link_start(Some(&dest_url)),
                Tag::Image { .. } => image += 1,
                Tag::MetadataBlock(_) => metadata = true,
                _ => {}
            },
            Event::End(end) => match end {
                TagEnd::Paragraph => {
                    w.close(BlockKind::Paragraph);
                }
                TagEnd::Heading(_) => {
                    w.close(BlockKind::Heading);
                }
                TagEnd::BlockQuote(_) => w.container_break(),
                TagEnd::CodeBlock => {
                    w.set_pre(false);
                    w.container_break();
                }
                TagEnd::HtmlBlock => {
                    w = html::write(w, &html_block);
                    html_block.clear();
                    w.container_break();
                }
                TagEnd::List(_) => {
                    lists.pop();
                    w.end_line();
                }
                TagEnd::Item => {
                    w.close(BlockKind::ListItem);
                }
                TagEnd::Table => w.table_end(),
                TagEnd::TableHead => {
                    w.close(BlockKind::TableRow);
                    w.set_table_head(false);
                    in_head = false;
                }
                TagEnd::TableRow => {
                    w.close(BlockKind::TableRow);
                }
                TagEnd::TableCell => {
                    w.close(BlockKind::TableCell);
                }
                TagEnd::Link => w.link_end(),
                TagEnd::Image => image = image.saturating_sub(1),
                TagEnd::MetadataBlock(_) => metadata = false,
                _ => {}
            },
            Event::Text(t) | Event::Code(t) if image == 0 && !metadata => w.text(&t),
            Event::Html(h) => html_block.push_str(&h),
            Event::InlineHtml(h) if is_br(&h) => w.line_break(),
            Event::SoftBreak => w.text("\n"),
            Event::HardBreak => w.line_break(),
            Event::Rule => w.container_break(),
            _ => {}
        }
    }
    let (text, blocks) = w.finish();
    Converted { text, blocks }
}

/// Top-level ordered lists that number sections: some item holds more than one block
/// (a title, then paragraphs or a list of its own). Returns their `Start(List)` indexes.
fn section_lists(events: &[Event]) -> HashSet<usize> {
    struct Item {
        depth: usize,
        blocks: usize,
        /// Whether the last direct child was inline content (a tight item's text).
        inline: bool,
    }
    /// A direct child of the innermost item (at `depth`) starts: count it as a block,
    /// a run of inline content counting once.
    fn child(items: &mut [Item], depth: usize, block: bool) {
        if let Some(item) = items.last_mut()
            && depth == item.depth + 1
        {
            if block || !item.inline {
                item.blocks += 1;
            }
            item.inline = !block;
        }
    }
    let mut out = HashSet::new();
    // Open ordered top-level list (its index) and whether an item of it is sectioned.
    let mut top: Option<(usize, bool)> = None;
    let mut lists = 0usize;
    let mut items: Vec<Item> = Vec::new();
    let mut depth = 0usize;
    for (i, e) in events.iter().enumerate() {
        match e {
            Event::Start(tag) => {
                depth += 1;
                let block = matches!(
                    tag,
                    Tag::Paragraph
                        | Tag::Heading { .. }
                        | Tag::BlockQuote(_)
                        | Tag::CodeBlock(_)
                        | Tag::HtmlBlock
                        | Tag::List(_)
                        | Tag::Table(_)
                );
                child(&mut items, depth, block);
                match tag {
                    Tag::List(start) => {
                        if lists == 0 && start.is_some() {
                            top = Some((i, false));
                        }
                        lists += 1;
                    }
                    Tag::Item => items.push(Item {
                        depth,
                        blocks: 0,
                        inline: false,
                    }),
                    _ => {}
                }
            }
            Event::End(end) => {
                match end {
                    TagEnd::Item => {
                        if let Some(item) = items.pop()
                            && item.blocks > 1
                            && lists == 1
                            && let Some((_, sectioned)) = top.as_mut()
                        {
                            *sectioned = true;
                        }
                    }
                    TagEnd::List(_) => {
                        lists = lists.saturating_sub(1);
                        if lists == 0
                            && let Some((start, true)) = top.take()
                        {
                            out.insert(start);
                        }
                    }
                    _ => {}
                }
                depth = depth.saturating_sub(1);
            }
            _ => {
                child(&mut items, depth + 1, false);
            }
        }
    }
    out
}

fn level_of(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

/// `<br>`, `<br/>`, `<BR />` written inline.
fn is_br(html: &str) -> bool {
    let inner = html
        .trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .trim_end_matches('/')
        .trim();
    inner.eq_ignore_ascii_case("br")
}
