//! Turning policy bytes into text: encoding detection, repair of the mojibake that
//! translated Chinese policies carry (GBK punctuation read as Latin-1, UTF-8 read as
//! Windows-1252), and a report of damage that could not be repaired.
//!
//! Policy text reaches us scraped, pasted and re-saved; nothing here may fail, so every
//! step degrades to a lossy decode plus a note for the reviewer.

use encoding_rs::{Encoding, GB18030, UTF_16BE, UTF_16LE, WINDOWS_1252};

/// The decoded text with what was detected and anything the reviewer should know.
pub(super) struct Decoded {
    pub text: String,
    pub encoding: String,
    pub notes: Vec<String>,
}

/// How many bytes the statistical checks look at; enough to decide, cheap on huge input.
const SAMPLE: usize = 64 * 1024;

pub(super) fn decode(bytes: &[u8]) -> Decoded {
    let mut notes = Vec::new();
    if bytes.is_empty() {
        notes.push("input is empty".to_string());
        return Decoded {
            text: String::new(),
            encoding: "utf-8".to_string(),
            notes,
        };
    }
    let (text, encoding) = if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        notes.push("UTF-8 byte-order mark removed".to_string());
        (
            decode_with(encoding_rs::UTF_8, rest, "utf-8", &mut notes),
            "utf-8",
        )
    } else if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        (
            decode_with(UTF_16LE, rest, "utf-16le", &mut notes),
            "utf-16le",
        )
    } else if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        (
            decode_with(UTF_16BE, rest, "utf-16be", &mut notes),
            "utf-16be",
        )
    } else if let Some(utf16) = sniff_utf16(bytes) {
        notes.push(format!(
            "no byte-order mark; decoded as {} because of the NUL-byte pattern",
            utf16.name().to_ascii_lowercase()
        ));
        let label = if utf16 == UTF_16LE {
            "utf-16le"
        } else {
            "utf-16be"
        };
        (decode_with(utf16, bytes, label, &mut notes), label)
    } else if let Ok(text) = std::str::from_utf8(bytes) {
        // After the UTF-16 sniff: ASCII in UTF-16 is valid UTF-8 full of NULs.
        (text.to_string(), "utf-8")
    } else if looks_double_byte(bytes) {
        (
            decode_with(GB18030, bytes, "gb18030", &mut notes),
            "gb18030",
        )
    } else {
        notes.push(
            "not valid UTF-8 and high bytes stand alone: decoded as Windows-1252".to_string(),
        );
        (
            decode_with(WINDOWS_1252, bytes, "windows-1252", &mut notes),
            "windows-1252",
        )
    };
    let text = clean_controls(text, &mut notes);
    Decoded {
        text,
        encoding: encoding.to_string(),
        notes,
    }
}

fn decode_with(
    encoding: &'static Encoding,
    bytes: &[u8],
    label: &str,
    notes: &mut Vec<String>,
) -> String {
    let (text, had_errors) = encoding.decode_without_bom_handling(bytes);
    if had_errors {
        let bad = text.chars().filter(|&c| c == '\u{FFFD}').count();
        notes.push(format!(
            "{label}: {bad} undecodable byte sequence(s) replaced with U+FFFD; the text is damaged there"
        ));
    }
    text.into_owned()
}

/// Decodes bytes in an encoding the document itself declares (an HTML page's
/// `<meta charset>`), for when the bytes are not UTF-8 and carry no byte-order mark.
pub(super) fn decode_declared(bytes: &[u8], encoding: &'static Encoding) -> Decoded {
    let label = encoding.name().to_ascii_lowercase();
    let mut notes = Vec::new();
    let text = decode_with(encoding, bytes, &label, &mut notes);
    notes.push(format!(
        "decoded as {label}, the encoding the page declares (<meta charset>)"
    ));
    Decoded {
        text,
        encoding: label,
        notes,
    }
}

/// UTF-16 without a BOM shows up as NUL bytes on one side of most ASCII code units.
fn sniff_utf16(bytes: &[u8]) -> Option<&'static Encoding> {
    let sample = &bytes[..bytes.len().min(SAMPLE)];
    let pairs = sample.len() / 2;
    if pairs < 8 {
        return None;
    }
    let (mut even, mut odd) = (0usize, 0usize);
    for pair in sample.chunks_exact(2) {
        if pair[0] == 0 {
            even += 1;
        }
        if pair[1] == 0 {
            odd += 1;
        }
    }
    if odd * 10 > pairs * 4 && even * 20 < pairs {
        Some(UTF_16LE)
    } else if even * 10 > pairs * 4 && odd * 20 < pairs {
        Some(UTF_16BE)
    } else {
        None
    }
}

/// GB18030/GBK text has its high bytes in lead+trail pairs; Windows-1252 text (curly
/// quotes in English) has them alone between ASCII letters. Decoding the latter as
/// GB18030 would swallow the following letter into a bogus ideograph.
fn looks_double_byte(bytes: &[u8]) -> bool {
    let sample = &bytes[..bytes.len().min(SAMPLE)];
    let (mut high, mut paired) = (0usize, 0usize);
    let mut i = 0;
    while i < sample.len() {
        if sample[i] >= 0x81 && sample[i] != 0xFF {
            high += 1;
            match sample.get(i + 1) {
                Some(&next) if next >= 0x80 || (0x30..=0x39).contains(&next) => {
                    paired += 1;
                    i += 2;
                    continue;
                }
                _ => {}
            }
        }
        i += 1;
    }
    high > 0 && paired * 2 >= high
}

/// NUL and other C0/C1 controls break nothing in Rust but make quotes unreadable and are
/// a sign of binary input; replace them with spaces and say so.
fn clean_controls(text: String, notes: &mut Vec<String>) -> String {
    // C0 controls are single bytes; C1 controls and U+FEFF start with 0xC2 / 0xEF.
    let suspect = text.bytes().any(|b| {
        (b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t')) || matches!(b, 0x7F | 0xC2 | 0xEF)
    });
    if !suspect {
        return text;
    }
    let mut controls = 0usize;
    let mut total = 0usize;
    let cleaned: String = text
        .chars()
        .map(|c| {
            total += 1;
            if (c.is_control() && !matches!(c, '\n' | '\r' | '\t')) || c == '\u{FEFF}' {
                controls += 1;
                ' '
            } else {
                c
            }
        })
        .collect();
    if controls > 0 {
        if controls * 20 > total {
            notes.push(format!(
                "input looks binary: {controls} of {total} characters were control characters (replaced with spaces)"
            ));
        } else {
            notes.push(format!(
                "{controls} control character(s) replaced with spaces"
            ));
        }
    }
    cleaned
}

/// Characters that a byte in 0x80..=0xFF becomes when UTF-8 or GBK bytes are misread as
/// Latin-1 / Windows-1252.
fn is_mojibake_char(c: char) -> bool {
    matches!(c as u32, 0x80..=0xFF)
        || matches!(
            c,
            'Œ' | 'œ'
                | 'Š'
                | 'š'
                | 'Ÿ'
                | 'Ž'
                | 'ž'
                | 'ƒ'
                | 'ˆ'
                | '˜'
                | '–'
                | '—'
                | '‘'
                | '’'
                | '‚'
                | '“'
                | '”'
                | '„'
                | '†'
                | '‡'
                | '•'
                | '…'
                | '‰'
                | '‹'
                | '›'
                | '€'
                | '™'
        )
}

fn is_latin1_high(c: char) -> bool {
    matches!(c as u32, 0xA1..=0xFF)
}

fn is_cjk_punctuation(c: char) -> bool {
    matches!(c as u32, 0x2010..=0x206F | 0x3000..=0x303F | 0xFF00..=0xFFEF)
}

fn is_common_hanzi(c: char) -> bool {
    matches!(c as u32, 0x4E00..=0x9FA5)
}

/// One repaired run: what was in the text and what it became.
pub(super) struct Repair {
    pub from: String,
    pub to: String,
}

/// Repairs runs of Latin-1 / Windows-1252 characters that are really UTF-8 or GBK bytes.
/// Only runs of two or more characters are tried, and a GBK reading is accepted only when
/// it gives punctuation or (for 4+ bytes) common hanzi, so real accented Latin text stays.
pub(super) fn repair_mojibake(text: &str) -> (String, Vec<Repair>) {
    // A run needs a character in U+00A1..=U+00FF, whose UTF-8 starts with 0xC2 or 0xC3.
    if !has_latin1_bytes(text) {
        return (text.to_string(), Vec::new());
    }
    let mut out = String::with_capacity(text.len());
    let mut repairs = Vec::new();
    let mut run_start: Option<usize> = None;
    let mut iter = text.char_indices().peekable();
    while let Some((i, c)) = iter.next() {
        if is_mojibake_char(c) {
            if run_start.is_none() {
                run_start = Some(i);
            }
            if iter.peek().is_some() {
                continue;
            }
            // The run reaches the end of the text.
            let start = run_start.take().unwrap_or(i);
            flush_run(&text[start..], &mut out, &mut repairs);
            continue;
        }
        if let Some(start) = run_start.take() {
            flush_run(&text[start..i], &mut out, &mut repairs);
        }
        out.push(c);
    }
    (out, repairs)
}

fn has_latin1_bytes(text: &str) -> bool {
    text.bytes().any(|b| b == 0xC2 || b == 0xC3)
}

fn flush_run(run: &str, out: &mut String, repairs: &mut Vec<Repair>) {
    match repair_run(run) {
        Some(fixed) => {
            repairs.push(Repair {
                from: run.to_string(),
                to: fixed.clone(),
            });
            out.push_str(&fixed);
        }
        None => out.push_str(run),
    }
}

fn repair_run(run: &str) -> Option<String> {
    if run.chars().count() < 2 || !run.chars().any(is_latin1_high) {
        return None;
    }
    let (bytes, _, unmappable) = WINDOWS_1252.encode(run);
    if unmappable {
        return None;
    }
    if let Ok(utf8) = std::str::from_utf8(&bytes)
        && utf8.chars().any(|c| c as u32 > 0xFF)
    {
        return Some(ascii_quotes(utf8));
    }
    let gbk = GB18030.decode_without_bom_handling_and_without_replacement(&bytes)?;
    let all_punct = gbk.chars().all(is_cjk_punctuation);
    let all_hanzi = bytes.len() >= 4
        && gbk
            .chars()
            .all(|c| is_common_hanzi(c) || is_cjk_punctuation(c));
    if all_punct || all_hanzi {
        Some(ascii_quotes(&gbk))
    } else {
        None
    }
}

/// The damaged quotes stood in an otherwise ASCII sentence; give back the ASCII quote
/// the reviewer would type.
fn ascii_quotes(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{2018}' | '\u{2019}' => '\'',
            '\u{201C}' | '\u{201D}' => '"',
            other => other,
        })
        .collect()
}

/// Damage that is still in the text after repair: replacement characters, Latin-1 runs
/// that did not decode, question-mark runs where hanzi were lost.
pub(super) fn damage_report(text: &str) -> Vec<String> {
    let mut notes = Vec::new();
    let replacement = if text.contains('\u{FFFD}') {
        text.chars().filter(|&c| c == '\u{FFFD}').count()
    } else {
        0
    };
    let latin1 = has_latin1_bytes(text);
    if replacement > 0 {
        notes.push(format!(
            "{replacement} U+FFFD replacement character(s) remain: characters were lost before this text reached us"
        ));
    }
    let mut suspicious: Vec<String> = Vec::new();
    let mut lost_hanzi = 0usize;
    for (n, line) in text.lines().enumerate() {
        let mut run = String::new();
        let chars = if latin1 { line } else { "" };
        for c in chars.chars().chain(std::iter::once('\n')) {
            if is_mojibake_char(c) {
                run.push(c);
                continue;
            }
            if run.chars().count() >= 2 && run.chars().any(is_latin1_high) && suspicious.len() < 5 {
                suspicious.push(format!("line {}: {:?}", n + 1, run));
            }
            run.clear();
        }
        if line.contains("??") && line.chars().any(is_common_hanzi) {
            lost_hanzi += 1;
        }
    }
    if !suspicious.is_empty() {
        notes.push(format!(
            "possible encoding damage that could not be repaired: {}",
            suspicious.join(", ")
        ));
    }
    if lost_hanzi > 0 {
        notes.push(format!(
            "{lost_hanzi} line(s) mix hanzi with '??': characters may have been lost in a lossy conversion"
        ));
    }
    notes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gbk_quote_read_as_latin1_is_repaired() {
        let (fixed, repairs) = repair_mojibake("individuals¡¯ major rights");
        assert_eq!(fixed, "individuals' major rights");
        assert_eq!(repairs.len(), 1);
    }

    #[test]
    fn utf8_read_as_cp1252_is_repaired() {
        let (fixed, _) = repair_mojibake("we donâ€™t sell");
        assert_eq!(fixed, "we don't sell");
    }

    #[test]
    fn accented_latin_is_left_alone() {
        let (fixed, repairs) = repair_mojibake("Größe café • bullet");
        assert_eq!(fixed, "Größe café • bullet");
        assert!(repairs.is_empty());
    }

    #[test]
    fn cp1252_english_is_not_read_as_gbk() {
        let bytes = b"we don\x92t sell your data";
        let d = decode(bytes);
        assert_eq!(d.encoding, "windows-1252");
        assert_eq!(d.text, "we don\u{2019}t sell your data");
    }

    #[test]
    fn gb18030_is_detected() {
        let (bytes, _, _) = GB18030.encode("我们不会收集您的精确位置");
        let d = decode(&bytes);
        assert_eq!(d.encoding, "gb18030");
        assert_eq!(d.text, "我们不会收集您的精确位置");
    }

    #[test]
    fn utf16_without_bom_is_sniffed() {
        let bytes: Vec<u8> = "Privacy policy text"
            .encode_utf16()
            .flat_map(|u| u.to_le_bytes())
            .collect();
        let d = decode(&bytes);
        assert_eq!(d.encoding, "utf-16le");
        assert_eq!(d.text, "Privacy policy text");
    }
}
