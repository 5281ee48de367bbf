//! Organisations an English sentence names in running text: "service providers such
//! as Amazon Web Services and Stripe", "we send error reports to Sentry".
//!
//! Policies name their recipients in prose as often as in a list, and most recipients
//! are not SDKs any signature knows (hosting, payment and support companies). A name is
//! read only after an introducing word of `[prose_names]` in
//! `signatures/policy-phrases.toml` ("such as", "including", "with", "to", as written:
//! "To Share" in a title introduces nobody), as a run of
//! capitalised words, optionally with a legal form ("Stripe, Inc."), and coordinated
//! names ("A, B and C") are read one by one. Capitalised words that a policy uses for
//! itself or for generic receivers ("our Service", "Affiliates", "Personal Data") are
//! not names.

use regex::Regex;

/// A name found in the text; byte offsets into the text searched.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct ProseName {
    pub start: usize,
    pub end: usize,
    pub name: String,
}

/// Compiled `[prose_names]` words.
#[derive(Debug)]
pub(super) struct ProseNames {
    introducer: Option<Regex>,
    /// Words that name a service the app runs on or through ("we use Sentry", "via
    /// Twilio"): read in any sentence, not only in sharing ones.
    service_introducer: Option<Regex>,
    /// Lower-case words that are never part of a name.
    not_name: Vec<String>,
    /// Legal forms that may follow a name ("Inc.", "LLC").
    legal: Vec<String>,
}

/// Connector words allowed inside a name ("Bank of America", "Procter & Gamble").
const INNER: &[&str] = &["of", "for", "&"];
/// Last words that make a capitalised run after "use" a feature or a kind of data.
const NOT_SERVICES: &[&str] = &[
    "dashboard",
    "aggregated",
    "anonymized",
    "anonymised",
    "de-identified",
    "flash",
    "settings",
    "preferences",
    "features",
    "feature",
    "tools",
    "center",
    "centre",
];

/// The most words a name may have.
const MAX_WORDS: usize = 6;

/// One pattern for a list of words, matched as written between word boundaries.
fn words_pattern(words: &[String]) -> Option<Regex> {
    let parts: Vec<String> = words
        .iter()
        .map(|w| w.trim())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let words: Vec<String> = w.split_whitespace().map(regex::escape).collect();
            format!(r"(?-u:\b){}(?-u:\b)", words.join(r"\s+"))
        })
        .collect();
    if parts.is_empty() {
        return None;
    }
    // The words are fixed strings; an invalid pattern cannot be built from them.
    Regex::new(&format!(r"(?:{})", parts.join("|"))).ok()
}

impl ProseNames {
    pub(super) fn new(
        introducers: &[String],
        service_introducers: &[String],
        not_name: &[String],
        legal: &[String],
    ) -> ProseNames {
        ProseNames {
            introducer: words_pattern(introducers),
            service_introducer: words_pattern(service_introducers),
            not_name: not_name.iter().map(|w| w.trim().to_lowercase()).collect(),
            legal: legal.iter().map(|w| w.trim().to_string()).collect(),
        }
    }

    /// The names `text` gives after its introducing words, in text order.
    pub(super) fn find(&self, text: &str) -> Vec<ProseName> {
        self.find_after(self.introducer.as_ref(), text)
    }

    /// Names of services a sentence says the app uses ("we use Sentry to …", "by SMS
    /// through Twilio").
    pub(super) fn find_services(&self, text: &str) -> Vec<ProseName> {
        // "use Ads Settings", "using Flash Cookies", "use De-identified Data": after a
        // verb as common as "use", a name ending in a generic word is a feature or a
        // kind of data ("Web Services" still names a provider).
        self.find_after(self.service_introducer.as_ref(), text)
            .into_iter()
            .filter(|n| {
                let last = n
                    .name
                    .split_whitespace()
                    .next_back()
                    .unwrap_or("")
                    .to_lowercase();
                let last = last.trim_end_matches('.');
                let generic = self.not_name.iter().any(|w| w == last)
                    && !matches!(last, "services" | "service");
                !generic && !NOT_SERVICES.contains(&last)
            })
            .collect()
    }

    fn find_after(&self, introducer: Option<&Regex>, text: &str) -> Vec<ProseName> {
        let Some(re) = introducer else {
            return Vec::new();
        };
        // A title ("Information You Ask a Third Party to Share with Us") capitalises
        // every word: no run of capitals names anyone there.
        let words: Vec<&str> = text.split_whitespace().collect();
        let capitalised = words
            .iter()
            .filter(|w| w.chars().next().is_some_and(char::is_uppercase))
            .count();
        if words.len() >= 3 && capitalised * 5 >= words.len() * 3 {
            return Vec::new();
        }
        let mut out: Vec<ProseName> = Vec::new();
        for m in re.find_iter(text) {
            let mut pos = m.end();
            if out.last().is_some_and(|n| n.end > pos) {
                continue;
            }
            // "A, B and C": names separated by commas and one "and"/"or".
            while let Some(name) = self.name_at(text, pos) {
                pos = name.end;
                out.push(name);
                match coordinated(text, pos) {
                    Some(next) => pos = next,
                    None => break,
                }
            }
        }
        out
    }

    /// A name starting at the first word at or after `pos`.
    pub(super) fn name_at(&self, text: &str, pos: usize) -> Option<ProseName> {
        let rest = text.get(pos..)?;
        let lead = rest.len() - rest.trim_start().len();
        let start = pos + lead;
        let mut end = start;
        let mut words: Vec<&str> = Vec::new();
        let mut cursor = start;
        while words.len() < MAX_WORDS {
            let tail = text.get(cursor..)?;
            let word_len = tail
                .find(|c: char| {
                    c.is_whitespace() || matches!(c, ',' | ';' | ':' | '(' | ')' | '"' | '“' | '”')
                })
                .unwrap_or(tail.len());
            let raw = tail.get(..word_len)?;
            // "Sentry." ends the sentence; "Inc." keeps its period below; "AOL's note"
            // ends at the possessive.
            let word = raw.trim_end_matches(['.', '!', '?']);
            let word = word
                .strip_suffix("'s")
                .or_else(|| word.strip_suffix("’s"))
                .unwrap_or(word);
            if word.is_empty() {
                break;
            }
            let capital = word
                .chars()
                .next()
                .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit());
            let inner = !words.is_empty() && INNER.contains(&word.to_lowercase().as_str());
            // "our Service" is no name, "Amazon Web Services" is: the generic words only
            // stop a name at its start.
            if !(capital || inner)
                || (words.is_empty() && self.not_name.contains(&word.to_lowercase()))
            {
                break;
            }
            words.push(word);
            cursor += word.len();
            if !inner {
                end = cursor;
            }
            if word.len() < raw.len() {
                break;
            }
            let gap = text.get(cursor..)?;
            let spaces = gap.len() - gap.trim_start_matches(' ').len();
            if spaces != 1 {
                break;
            }
            cursor += spaces;
        }
        if end == start {
            return None;
        }
        // "Stripe, Inc." / "Google LLC": the legal form belongs to the name.
        for form in &self.legal {
            for sep in [", ", " "] {
                let candidate = format!("{sep}{form}");
                if text.get(end..).is_some_and(|t| t.starts_with(&candidate)) {
                    end += candidate.len();
                    break;
                }
            }
        }
        // "the Legal Process section", "your Google accounts": a generic word right
        // after the capitals makes them a title or a qualifier, not a receiver.
        let next_word = text
            .get(end..)?
            .trim_start_matches(['"', '”', '’', '\'', ' '])
            .split(|c: char| !c.is_alphanumeric() && c != '-')
            .next()
            .unwrap_or("")
            .to_lowercase();
        if !next_word.is_empty() && self.not_name.contains(&next_word) {
            return None;
        }
        let name = text.get(start..end)?.to_string();
        // A single capital letter or an acronym of data ("IP") is no organisation; the
        // data lexicon decides about the latter, a name needs two letters at least.
        if name.chars().filter(|c| c.is_alphabetic()).count() < 2 {
            return None;
        }
        Some(ProseName { start, end, name })
    }
}

/// Where the next coordinated name starts after a name ending at `pos`: after ", ",
/// " and ", ", and ", " or ".
/// A relative clause after a name ("Amazon Web Services, which hosts our servers, and
/// Stripe") does not end the list.
fn coordinated(text: &str, pos: usize) -> Option<usize> {
    let mut rest = text.get(pos..)?;
    for relative in [", which ", ", who ", ", that "] {
        if let Some(after) = rest.strip_prefix(relative)
            && let Some(comma) = after.find(',')
            && !after[..comma].contains(['.', ';'])
        {
            rest = &after[comma..];
            break;
        }
    }
    for sep in [", and ", ", or ", ", ", " and ", " or ", " & "] {
        if let Some(after) = rest.strip_prefix(sep) {
            return Some(text.len() - after.len());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> ProseNames {
        let s = |v: &[&str]| v.iter().map(|w| w.to_string()).collect::<Vec<_>>();
        ProseNames::new(
            &s(&["such as", "including", "with", "to"]),
            &s(&["use", "through", "via"]),
            &s(&[
                "our",
                "we",
                "the",
                "service",
                "affiliates",
                "personal",
                "section",
            ]),
            &s(&["Inc.", "LLC", "Ltd."]),
        )
    }

    fn found(text: &str) -> Vec<String> {
        names().find(text).into_iter().map(|n| n.name).collect()
    }

    #[test]
    fn coordinated_names_after_such_as() {
        assert_eq!(
            found("We rely on vendors such as Northwind Hosting, Blue Ledger Payments and Quill."),
            ["Northwind Hosting", "Blue Ledger Payments", "Quill"]
        );
    }

    #[test]
    fn relative_clauses_do_not_end_the_list() {
        assert_eq!(
            found(
                "We use processors such as Cedar Cloud Services, which hosts our files, and Paywise, which bills you."
            ),
            ["Cedar Cloud Services", "Paywise"]
        );
    }

    #[test]
    fn titles_sections_and_possessives_name_nobody() {
        assert!(found("Data You Ask Another Company to Share with Us").is_empty());
        assert!(found("For details, see the \"Compliance with Court Orders\" section.").is_empty());
        assert_eq!(
            found("We pass order data to Rivet's fulfilment team."),
            ["Rivet"]
        );
    }

    #[test]
    fn legal_forms_stay_with_the_name() {
        assert_eq!(
            found("Billing data is passed to Harbor Pay, Inc. for settlement."),
            ["Harbor Pay, Inc."]
        );
    }

    #[test]
    fn generic_capitalised_words_are_not_names() {
        assert!(found("We share data with our Affiliates and with the Service.").is_empty());
        assert!(found("We may disclose Personal Data to comply with the law.").is_empty());
    }

    #[test]
    fn names_inside_links_and_offsets() {
        let text = "Crash reports go to Lumen Monitor <https://lumen.example/privacy>.";
        let n = names().find(text);
        assert_eq!(n.len(), 1);
        assert_eq!(&text[n[0].start..n[0].end], "Lumen Monitor");
    }
}
