//! Finding the lexicon's phrases (data types, SDK names) in policy text with one
//! Aho-Corasick automaton.
//!
//! The lexicon has thousands of phrases. As one regex alternation they took about 80 ms
//! to compile on every run, more than reading a typical policy; an Aho-Corasick
//! automaton over the same phrases builds in a few milliseconds. The automaton runs on a
//! normalised copy of the text, and what a regex would have said with classes is checked
//! on each candidate instead:
//! - ASCII letters are lower-cased; a phrase written as an acronym ("IMEI", "MAC")
//!   matches only with the letter case it has, so "mac" in a word or "Id" do not count;
//! - a run of whitespace is one space, and a space between Chinese and Latin characters
//!   is dropped ("IP 地址" and "IP地址" are the same phrase);
//! - Markdown emphasis marks are dropped ("**IP** 地址", "**设备**信息"), except that
//!   they part two Latin words;
//! - a phrase that starts or ends with a Latin letter or digit matches whole words only;
//! - a phrase of several words, or an acronym, also matches its plural ("IMEIs").
//!
//! Among overlapping candidates the leftmost wins, then the longest, as in a
//! leftmost-longest alternation.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use super::segment::is_cjk;

/// One phrase to find: its spelling, whether its letter case counts, whether its plural
/// counts too.
#[derive(Debug, Clone)]
pub(super) struct Phrase {
    pub spelling: String,
    pub case_sensitive: bool,
    pub plural: bool,
}

/// A phrase found: byte offsets in the text searched, and the phrase's key (its
/// normalised spelling, see [`normalise`]).
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Found<'m> {
    pub start: usize,
    pub end: usize,
    pub key: &'m str,
}

#[derive(Debug)]
struct Pattern {
    key: String,
    /// The spelling's letters, for a case-sensitive phrase.
    letters: Option<Vec<u8>>,
    plural: bool,
    starts_word: bool,
    ends_word: bool,
}

/// The compiled phrases.
#[derive(Debug)]
pub(super) struct PhraseMatcher {
    automaton: AhoCorasick,
    patterns: Vec<Pattern>,
}

/// The key of a phrase: lower case, one space between words, none next to a Chinese
/// character.
pub(super) fn normalise(phrase: &str) -> String {
    let mut out = String::with_capacity(phrase.len());
    let mut pending_space = false;
    for c in phrase.chars() {
        if is_space(c) {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space {
            let prev = out.chars().next_back();
            if !(prev.is_some_and(is_cjk) || is_cjk(c)) {
                out.push(' ');
            }
            pending_space = false;
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n' | '\u{a0}' | '\u{3000}')
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// The text normalised like a phrase, with the byte of the original each of its bytes
/// comes from.
struct Normalised {
    text: Vec<u8>,
    origin: Vec<usize>,
}

fn normalise_text(text: &str) -> Normalised {
    let mut out = Normalised {
        text: Vec::with_capacity(text.len()),
        origin: Vec::with_capacity(text.len()),
    };
    // Whitespace waiting for the next character: where it started, and whether the
    // character before it was Chinese or a Latin letter or digit.
    let mut space_at: Option<usize> = None;
    // Markdown emphasis marks ("**IP** 地址", "**设备**信息") since the last character:
    // where they started. They separate Latin words only.
    let mut marks_at: Option<usize> = None;
    let mut prev: Option<char> = None;
    for (i, c) in text.char_indices() {
        if is_space(c) {
            if space_at.is_none() {
                space_at = Some(i);
            }
            continue;
        }
        if c == '*' {
            if marks_at.is_none() {
                marks_at = Some(i);
            }
            continue;
        }
        if let Some(at) = space_at.take() {
            // "IP 地址": a space where Chinese meets Latin letters or digits goes; any
            // other run of whitespace is one space.
            let drop = prev.is_some_and(|p| {
                (is_cjk(p) && c.is_ascii_alphanumeric()) || (p.is_ascii_alphanumeric() && is_cjk(c))
            });
            if !drop && prev.is_some() {
                out.text.push(b' ');
                out.origin.push(at);
            }
            marks_at = None;
        } else if let Some(at) = marks_at.take()
            && prev.is_some_and(|p| p.is_ascii_alphanumeric())
            && c.is_ascii_alphanumeric()
        {
            out.text.push(b' ');
            out.origin.push(at);
        }
        let mut buf = [0u8; 4];
        let bytes = c.to_ascii_lowercase().encode_utf8(&mut buf).as_bytes();
        for (k, &b) in bytes.iter().enumerate() {
            out.text.push(b);
            out.origin.push(i + k);
        }
        prev = Some(c);
    }
    out
}

impl PhraseMatcher {
    /// `None` when there is nothing to find.
    pub(super) fn new(phrases: &[Phrase]) -> Result<Option<PhraseMatcher>, String> {
        let mut patterns: Vec<Pattern> = Vec::new();
        let mut seen: std::collections::HashMap<(String, Option<Vec<u8>>), usize> =
            std::collections::HashMap::new();
        for p in phrases {
            let key = normalise(&p.spelling);
            if key.is_empty() {
                continue;
            }
            let letters = p.case_sensitive.then(|| {
                p.spelling
                    .bytes()
                    .filter(|b| b.is_ascii_alphabetic())
                    .collect::<Vec<u8>>()
            });
            // One pattern per key and case rule; a plural allowed by any spelling stays.
            if let Some(&i) = seen.get(&(key.clone(), letters.clone())) {
                if let Some(existing) = patterns.get_mut(i) {
                    existing.plural |= p.plural;
                }
                continue;
            }
            seen.insert((key.clone(), letters.clone()), patterns.len());
            let bytes = key.as_bytes();
            patterns.push(Pattern {
                starts_word: bytes.first().is_some_and(|b| b.is_ascii_alphanumeric()),
                ends_word: bytes.last().is_some_and(|b| b.is_ascii_alphanumeric()),
                key,
                letters,
                plural: p.plural,
            });
        }
        if patterns.is_empty() {
            return Ok(None);
        }
        let automaton = AhoCorasickBuilder::new()
            .match_kind(MatchKind::Standard)
            .build(patterns.iter().map(|p| p.key.as_bytes()))
            .map_err(|e| e.to_string())?;
        Ok(Some(PhraseMatcher {
            automaton,
            patterns,
        }))
    }

    /// The phrases in `text`: leftmost first, the longest at each start, not overlapping.
    pub(super) fn find<'m>(&'m self, text: &str) -> Vec<Found<'m>> {
        let norm = normalise_text(text);
        let t = &norm.text;
        // Candidates (start, end, pattern) in the normalised text.
        let mut candidates: Vec<(usize, usize, usize)> = Vec::new();
        for m in self.automaton.find_overlapping_iter(t.as_slice()) {
            let Some(p) = self.patterns.get(m.pattern().as_usize()) else {
                continue;
            };
            let (start, mut end) = (m.start(), m.end());
            if p.starts_word && start > 0 && t.get(start - 1).is_some_and(|&b| is_word_byte(b)) {
                continue;
            }
            if let Some(letters) = &p.letters {
                let original: Vec<u8> = (start..end)
                    .filter_map(|i| norm.origin.get(i).and_then(|&o| text.as_bytes().get(o)))
                    .copied()
                    .filter(|b| b.is_ascii_alphabetic())
                    .collect();
                if &original != letters {
                    continue;
                }
            }
            if p.plural {
                // "s" or "es", lower case after a case-sensitive phrase ("IMEIs").
                for suffix in [&b"es"[..], &b"s"[..]] {
                    let n = suffix.len();
                    let written = (end..end + n)
                        .filter_map(|i| norm.origin.get(i).and_then(|&o| text.as_bytes().get(o)))
                        .copied()
                        .collect::<Vec<u8>>();
                    let matches = t.get(end..end + n) == Some(suffix)
                        && (p.letters.is_none() || written == suffix)
                        && !t.get(end + n).is_some_and(|&b| is_word_byte(b));
                    if matches {
                        end += n;
                        break;
                    }
                }
            }
            if p.ends_word && t.get(end).is_some_and(|&b| is_word_byte(b)) {
                continue;
            }
            candidates.push((start, end, m.pattern().as_usize()));
        }
        candidates.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)).then(a.2.cmp(&b.2)));
        let mut out = Vec::new();
        let mut next_free = 0;
        for (start, end, pattern) in candidates {
            if start < next_free {
                continue;
            }
            let (Some(&from), Some(&last)) = (norm.origin.get(start), norm.origin.get(end - 1))
            else {
                continue;
            };
            let Some(p) = self.patterns.get(pattern) else {
                continue;
            };
            out.push(Found {
                start: from,
                end: last + 1,
                key: p.key.as_str(),
            });
            next_free = end;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matcher(phrases: &[(&str, bool, bool)]) -> PhraseMatcher {
        let phrases: Vec<Phrase> = phrases
            .iter()
            .map(|&(s, cs, pl)| Phrase {
                spelling: s.to_string(),
                case_sensitive: cs,
                plural: pl,
            })
            .collect();
        PhraseMatcher::new(&phrases)
            .expect("automaton")
            .expect("phrases")
    }

    fn found<'t>(m: &PhraseMatcher, text: &'t str) -> Vec<&'t str> {
        m.find(text).iter().map(|f| &text[f.start..f.end]).collect()
    }

    #[test]
    fn longest_at_the_leftmost_start_wins() {
        let m = matcher(&[
            ("手机", false, false),
            ("手机号码", false, false),
            ("号码", false, false),
        ]);
        assert_eq!(found(&m, "收集您的手机号码和号码"), ["手机号码", "号码"]);
    }

    #[test]
    fn whole_words_case_and_plurals() {
        let m = matcher(&[
            ("IMEI", true, true),
            ("device identifier", false, true),
            ("email", false, false),
        ]);
        assert_eq!(
            found(
                &m,
                "IMEIs, Device  Identifiers and emails; imei, emailing, e-mail, email."
            ),
            ["IMEIs", "Device  Identifiers", "email"]
        );
    }

    #[test]
    fn spaces_between_latin_and_chinese_are_optional() {
        let m = matcher(&[("IP地址", false, false), ("SIM 卡", false, false)]);
        assert_eq!(found(&m, "您的IP 地址与SIM卡信息"), ["IP 地址", "SIM卡"]);
        // Inside Chinese a space still separates.
        let m = matcher(&[("手机号码", false, false)]);
        assert!(found(&m, "手机 号码").is_empty());
    }

    #[test]
    fn markdown_emphasis_inside_a_phrase_is_dropped() {
        let m = matcher(&[
            ("IP地址", false, false),
            ("设备信息", false, false),
            ("device ID", false, false),
        ]);
        assert_eq!(
            found(&m, "您的 **IP** 地址、**设备**信息和 device**ID**"),
            ["IP** 地址", "设备**信息", "device**ID"]
        );
        // Between two Latin words the marks still part them.
        let m = matcher(&[("ipad", false, false)]);
        assert!(found(&m, "ip**ad").is_empty());
    }

    #[test]
    fn keys_are_normalised_spellings() {
        let m = matcher(&[("Advertising  ID", false, false)]);
        let f = m.find("your advertising\nid here");
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].key, "advertising id");
        assert_eq!(normalise("IP 地址"), "ip地址");
    }
}
