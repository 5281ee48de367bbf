//! Regex patterns with small word and space classes.
//!
//! The practice and rule patterns are written with `\w`, `\W` and `\s`. In the regex
//! crate these are full Unicode classes; `\w` alone spans hundreds of ranges, and
//! compiling the dozens of patterns that use them took about a third of a run's start-up.
//! Policies are written in Latin and Chinese script, so a handful of ranges gives the
//! same answer on them: `\w` is ASCII letters, digits and `_`, Latin-1 and other
//! alphabetic blocks up to U+1FFF, kana, the CJK ideographs, Hangul and the full-width
//! letters and digits; `\W` is everything else, so Chinese punctuation (，。：) is not a
//! word character, as before. `\s` is the whitespace policies contain. The classes stand
//! outside case folding (`(?-i:…)`): they hold both cases already, and folding their
//! ranges under a pattern's `(?i)` cost about as much again. Every rule and practice
//! pattern of extraction is compiled through [`compile`].

use regex::Regex;

/// The whitespace a policy's text contains, as the contents of a class.
const SPACE_CHARS: &str =
    r"\t\n\x0B\x0C\r \x{85}\x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}";

/// Word characters, as the contents of a class (see the module comment).
const WORD_CHARS: &str = r"0-9A-Za-z_\x{AA}\x{B5}\x{BA}\x{C0}-\x{D6}\x{D8}-\x{F6}\x{F8}-\x{2FF}\x{370}-\x{3FF}\x{400}-\x{52F}\x{3040}-\x{30FF}\x{3400}-\x{4DBF}\x{4E00}-\x{9FFF}\x{AC00}-\x{D7AF}\x{F900}-\x{FAFF}\x{FF10}-\x{FF19}\x{FF21}-\x{FF3A}\x{FF41}-\x{FF5A}\x{20000}-\x{3134F}";

/// `pattern` with `\w`, `\W`, `\s` and `\S` replaced by the small classes.
pub(super) fn small_classes(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len() + 256);
    let mut chars = pattern.chars();
    let mut in_class = false;
    // Right after `[` or `[^`, a `]` is a literal, not the end of the class.
    let mut class_start = false;
    while let Some(c) = chars.next() {
        if c == '\\' {
            let Some(next) = chars.next() else {
                out.push(c);
                break;
            };
            match (next, in_class) {
                ('w', false) => out.push_str(&format!("(?-i:[{WORD_CHARS}])")),
                ('W', false) => out.push_str(&format!("(?-i:[^{WORD_CHARS}])")),
                ('s', false) => out.push_str(&format!("(?-i:[{SPACE_CHARS}])")),
                ('S', false) => out.push_str(&format!("(?-i:[^{SPACE_CHARS}])")),
                ('w', true) => out.push_str(WORD_CHARS),
                ('s', true) => out.push_str(SPACE_CHARS),
                _ => {
                    out.push(c);
                    out.push(next);
                }
            }
            class_start = false;
            continue;
        }
        if in_class {
            if c == ']' && !class_start {
                in_class = false;
            }
            class_start = class_start && c == '^';
        } else if c == '[' {
            in_class = true;
            class_start = true;
        }
        out.push(c);
    }
    out
}

/// Compiles `pattern` with the small classes.
pub(super) fn compile(pattern: &str) -> Result<Regex, regex::Error> {
    Regex::new(&small_classes(pattern))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_outside_and_inside_brackets() {
        assert_eq!(small_classes(r"a\sb"), format!("a(?-i:[{SPACE_CHARS}])b"));
        assert_eq!(small_classes(r"[^\s，]"), format!("[^{SPACE_CHARS}，]"));
        assert_eq!(small_classes(r"\\w"), r"\\w");
        assert_eq!(small_classes(r"[]\w]"), format!("[]{WORD_CHARS}]"));
        assert_eq!(small_classes(r"\W+"), format!("(?-i:[^{WORD_CHARS}])+"));
    }

    #[test]
    fn same_matches_as_unicode_classes_on_policy_text() {
        let text = "We do not\u{3000}collect your contacts; 我们不会收集您的通讯录。使用目的及业务场景：\
                    读取手机状态 Don't sell café data, ＩＭＥＩ，１２３。";
        for p in [
            r"(?i)\bnot(?:\W+\w+){0,3}?\W+collect\w*",
            r"\s+",
            r"[^\s，。]+",
            r"\S+",
            r"^\W*目的\W*$",
            r"\w+",
            r"\W+",
        ] {
            let unicode = Regex::new(p).expect("pattern");
            let small = compile(p).expect("pattern");
            let a: Vec<&str> = unicode.find_iter(text).map(|m| m.as_str()).collect();
            let b: Vec<&str> = small.find_iter(text).map(|m| m.as_str()).collect();
            assert_eq!(a, b, "{p}");
        }
    }
}
