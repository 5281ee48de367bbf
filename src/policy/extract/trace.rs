//! What the extractor matched and why: one record per phrase it read (or chose not to
//! read) in the policy, so a reviewer can check every entry of the draft against the
//! words it came from (`policy extract --format json|html`).

use serde::Serialize;

/// What happened to a matched phrase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TraceKind {
    /// A data type placed in a `[[collect]]` entry.
    Collect,
    /// A data type placed in a `[[share]]` entry.
    Share,
    /// A data type placed in a `[[deny]]` entry.
    Deny,
    /// A data type seen but not declared, for the reason in `rule`.
    Skipped,
    /// A named party (SDK, company, generic third party).
    Party,
    /// A list item in a collection sentence that no lexicon phrase maps.
    Unmapped,
}

impl TraceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TraceKind::Collect => "collect",
            TraceKind::Share => "share",
            TraceKind::Deny => "deny",
            TraceKind::Skipped => "skipped",
            TraceKind::Party => "party",
            TraceKind::Unmapped => "unmapped",
        }
    }
}

/// One matched phrase. Offsets are bytes into the document text
/// ([`super::Extraction::documents`]); the JSON output turns them into characters.
#[derive(Debug, Clone, Serialize)]
pub struct Trace {
    /// Index of the input document.
    pub doc: usize,
    pub start: usize,
    pub end: usize,
    /// The phrase as written.
    pub text: String,
    pub kind: TraceKind,
    /// Ontology ids for data, the party id for a party; empty for unmapped items.
    pub ids: Vec<String>,
    /// The receiving party of a share or a scoped deny.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub party: Option<String>,
    /// The rule that placed (or skipped) the phrase; listed in docs/declaration.md.
    pub rule: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clause: Option<String>,
    /// 1-based line where the sentence starts.
    pub line: usize,
}

/// Character offsets for byte offsets into `text`, for output formats that count
/// characters (JSON consumers, browsers). `positions` must be char boundaries or they
/// are rounded down to one.
pub fn char_offsets(text: &str, positions: &[usize]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..positions.len()).collect();
    order.sort_unstable_by_key(|&i| positions[i]);
    let mut out = vec![0; positions.len()];
    let mut chars = 0;
    let mut iter = text.char_indices().peekable();
    for i in order {
        let target = positions[i].min(text.len());
        while let Some(&(b, c)) = iter.peek() {
            if b + c.len_utf8() > target {
                break;
            }
            chars += 1;
            iter.next();
        }
        out[i] = chars;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn char_offsets_count_characters_not_bytes() {
        let text = "我们收集IMEI和手机号";
        // bytes: 我0 们3 收6 集9 I12 … I15 和16 手19
        assert_eq!(
            char_offsets(text, &[0, 12, 16, 19, 99]),
            vec![0, 4, 8, 9, 12]
        );
        assert_eq!(char_offsets(text, &[19, 0]), vec![9, 0]);
    }
}
