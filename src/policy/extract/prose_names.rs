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
    /// Words that say data pass through a named service ("stored on Cloudinary", "via
    /// Twilio"): a receiver in any section, not only in sharing or collection ones.
    flow_introducer: Option<Regex>,
    /// Lower-case words that are never part of a name; after one they make it a title or
    /// a qualifier.
    not_name: Vec<String>,
    /// Words that end a name without disqualifying it: a clause starts with them.
    name_enders: Vec<String>,
    /// Legal forms that may follow a name ("Inc.", "LLC").
    legal: Vec<String>,
    /// Verbs that make a sentence's opening name the one handling data ("Twilio
    /// receives your phone number").
    subject_verbs: Vec<String>,
}

/// Words between a subject and its verb that leave the subject's role unchanged ("Acme
/// may receive", "Acme also stores").
pub(super) const SUBJECT_ADVERBS: &[&str] =
    &["may", "might", "will", "can", "also", "then", "only"];

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

/// Words before "with" that make what follows a tool or a rule, not a receiver: "built
/// with React Native", "in line with the GDPR".
const NOT_SERVICE_BEFORE_WITH: &[&str] = &[
    "built",
    "made",
    "developed",
    "written",
    "compatible",
    "comply",
    "complies",
    "complying",
    "compliance",
    "accordance",
    "line",
    "along",
    "together",
    "familiar",
    "agree",
    "encrypted",
    "protected",
    "secured",
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
        flow_introducers: &[String],
        not_name: &[String],
        name_enders: &[String],
        legal: &[String],
        subject_verbs: &[String],
    ) -> ProseNames {
        ProseNames {
            introducer: words_pattern(introducers),
            service_introducer: words_pattern(service_introducers),
            flow_introducer: words_pattern(flow_introducers),
            not_name: not_name.iter().map(|w| w.trim().to_lowercase()).collect(),
            name_enders: name_enders
                .iter()
                .map(|w| w.trim().to_lowercase())
                .collect(),
            legal: legal.iter().map(|w| w.trim().to_string()).collect(),
            subject_verbs: subject_verbs
                .iter()
                .map(|w| w.trim().to_lowercase())
                .collect(),
        }
    }

    /// Names a sentence opens with when its verb says they handle data: "Twilio and
    /// Vonage receive your phone number", "Persona Identities, Inc. compares your
    /// selfie", "- Quill Mail may store your address".
    pub(super) fn find_subjects(&self, text: &str) -> Vec<ProseName> {
        // A clause after a comma may open with its own subject: "When you link a bank
        // account, Plaid Inc. gives us your balances."
        // "3.3.1 Payments: Adyen processes card payments": a run-in label opens the
        // item, its subject follows.
        let (mut out, mut scanned) = self.subjects_at(text, run_in_label_end(text));
        // "…, and PayPal processes PayPal payments", "Adyen processes card payments and
        // Braintree, a PayPal service, processes …": a clause after a comma or an "and".
        let clauses = text
            .match_indices(", ")
            .map(|(at, sep)| at + sep.len())
            .chain(text.match_indices(" and ").map(|(at, sep)| at + sep.len()));
        let mut starts: Vec<usize> = clauses.collect();
        starts.sort_unstable();
        for at in starts {
            // A start inside a run of names already read ends where that run ended, with
            // the same word after it: reading it again finds nothing new (and would make
            // a long list quadratic).
            if out.last().is_some_and(|n| n.end > at) || at < scanned {
                continue;
            }
            let at = match text[at..].strip_prefix("and ") {
                Some(rest) => text.len() - rest.len(),
                None => at,
            };
            let (names, end) = self.subjects_at(text, at);
            scanned = end;
            out.extend(names);
        }
        out
    }

    /// Where "It" or "They" opens a sentence as the subject of a verb that handles data
    /// ("It receives your IP address"): the span of the pronoun.
    pub(super) fn pronoun_subject(&self, text: &str) -> Option<(usize, usize)> {
        let trimmed = text.trim_start();
        let start = text.len() - trimmed.len();
        let pronoun = ["It ", "They "]
            .iter()
            .find(|p| trimmed.starts_with(**p))?
            .trim_end();
        let mut words = trimmed[pronoun.len()..].split_whitespace();
        let mut verb = words.next().unwrap_or("");
        if SUBJECT_ADVERBS.contains(&verb) {
            verb = words.next().unwrap_or("");
        }
        let verb = verb.trim_end_matches([',', '.', ';']);
        self.subject_verbs
            .iter()
            .any(|v| v == verb)
            .then_some((start, start + pronoun.len()))
    }

    /// The subjects a clause starting at `from` opens with, and where the run of names
    /// read there ends.
    fn subjects_at(&self, text: &str, from: usize) -> (Vec<ProseName>, usize) {
        const INFINITIVE_OPENERS: &[&str] = &["To", "For"];
        let Some(text_from) = text.get(from..) else {
            return (Vec::new(), from);
        };
        let trimmed = text_from.trim_start_matches(|c: char| {
            c.is_whitespace() || matches!(c, '-' | '*' | '+' | '•' | '"' | '“')
        });
        let start = text.len() - trimmed.len();
        // "1. ", "2) ": a list number before the subject.
        let digits = text[start..]
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(0);
        let start = match text[start + digits..].strip_prefix(['.', ')']) {
            Some(rest) if digits > 0 && rest.starts_with(' ') => text.len() - rest.len(),
            _ => start,
        };
        let mut names: Vec<ProseName> = Vec::new();
        let mut pos = start;
        let mut scanned = from;
        while let Some(name) = self.name_at(text, pos) {
            pos = name.end;
            scanned = pos;
            names.push(name);
            match text.get(pos..).and_then(|rest| {
                [" and ", " & ", ", and ", ", "]
                    .iter()
                    .find_map(|sep| rest.strip_prefix(sep))
            }) {
                Some(after) => pos = text.len() - after.len(),
                None => break,
            }
        }
        // "To send you service messages …", "For fraud checks, …": an infinitive or a
        // preposition opens the sentence, not a name (these words do name parts of a
        // name elsewhere: "Sign in with Apple", "Amazon Web Services to host").
        if names
            .first()
            .is_some_and(|n| INFINITIVE_OPENERS.contains(&n.name.as_str()))
        {
            return (Vec::new(), scanned);
        }
        let Some(last) = names.last_mut() else {
            return (Vec::new(), scanned);
        };
        // "Ledgerline Inc. gives us": inside a sentence a period after a name closes an
        // abbreviation, which belongs to the name.
        if let Some(after) = text.get(last.end..).and_then(|t| t.strip_prefix(". "))
            && after.starts_with(|c: char| c.is_lowercase())
        {
            last.end += 1;
            last.name.push('.');
        }
        let mut rest = text.get(last.end..).unwrap_or("").trim_start();
        // "PostHog (EU cloud) receives …".
        if let Some(inner) = rest.strip_prefix('(') {
            rest = inner
                .split_once(')')
                .map_or("", |(_, after)| after.trim_start());
        }
        // "Braintree, a PayPal service, processes …": what the name is, in apposition.
        for article in [", a ", ", an ", ", the ", ", our "] {
            if let Some(inner) = rest.strip_prefix(article)
                && let Some((what, after)) = inner.split_once(", ")
                && what.split_whitespace().count() <= 6
                && !what.contains(['.', ';'])
            {
                rest = after;
                break;
            }
        }
        let mut words = rest.split_whitespace();
        let mut verb = words.next().unwrap_or("");
        if SUBJECT_ADVERBS.contains(&verb) {
            verb = words.next().unwrap_or("");
        }
        let verb = verb.trim_end_matches([',', '.', ';']);
        if self.subject_verbs.iter().any(|v| v == verb) {
            (names, scanned)
        } else {
            (Vec::new(), scanned)
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
            .filter(|n| !used_by_the_user(&text[..n.start]))
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

    /// Names of services a sentence says data pass through ("stored on Cloudinary
    /// servers", "through Firebase Cloud Messaging").
    pub(super) fn find_flows(&self, text: &str) -> Vec<ProseName> {
        self.find_after(self.flow_introducer.as_ref(), text)
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
            if m.as_str() == "with"
                && text[..m.start()]
                    .split_whitespace()
                    .next_back()
                    .is_some_and(|w| NOT_SERVICE_BEFORE_WITH.contains(&w.to_lowercase().as_str()))
            {
                continue;
            }
            // "A, B and C": names separated by commas and one "and"/"or".
            while let Some(name) = self.name_at(text, pos) {
                pos = name.end;
                // "… or Sign in with Google", "Continue with Apple": a button's label
                // before the name it signs in with.
                if !name.name.contains(' ')
                    && let Some(after) = [" in with ", " up with ", " with "]
                        .iter()
                        .find_map(|w| text[pos..].strip_prefix(w))
                    && after.starts_with(|c: char| c.is_uppercase())
                {
                    pos = text.len() - after.len();
                    continue;
                }
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
            // An e-mail address ("write to privacy@acme.com") is a way to reach someone,
            // not an organisation receiving data.
            if word.is_empty() || word.contains('@') {
                break;
            }
            // "comScore", "eBay" and "salesforce.com" are names in lower case.
            let camel = word.chars().next().is_some_and(|c| c.is_lowercase())
                && word.chars().skip(1).any(char::is_uppercase);
            let domain = [".com", ".net", ".io"]
                .iter()
                .any(|tld| word.ends_with(tld))
                && word.len() > 4;
            let capital = camel
                || domain
                || word
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
                let rest = text.get(end..).unwrap_or("");
                if rest
                    .strip_prefix(sep)
                    .is_some_and(|t| t.starts_with(form.as_str()))
                {
                    end += sep.len() + form.len();
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
        // "Allego or Shell Recharge": a conjunction after a name qualifies nothing.
        if !next_word.is_empty()
            && next_word != "or"
            && self.not_name.contains(&next_word)
            && !self.name_enders.contains(&next_word)
        {
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

/// Whether the text before a name ends with the user using it ("when you use Sync",
/// "you can use Dark Mode"): a feature of the app, not a service it runs data through.
fn used_by_the_user(before: &str) -> bool {
    let mut words = before.split_whitespace().rev().map(|w| {
        w.trim_matches(|c: char| !c.is_alphanumeric())
            .to_lowercase()
    });
    if !words
        .next()
        .is_some_and(|w| matches!(w.as_str(), "use" | "uses" | "using"))
    {
        return false;
    }
    let mut subject = words.next().unwrap_or_default();
    if matches!(
        subject.as_str(),
        "can" | "may" | "might" | "will" | "could" | "also"
    ) {
        subject = words.next().unwrap_or_default();
    }
    matches!(subject.as_str(), "you" | "users" | "they")
}

/// Where the text after a run-in label starts ("Payments: ", "3.3.1 Maps: ", "Crash
/// reports (opt-in): "): a label of at most five words and a colon, after an optional
/// clause number. 0 when the text opens with no label.
fn run_in_label_end(text: &str) -> usize {
    let t = text.trim_start();
    let numbered = t
        .split_once(' ')
        .filter(|(n, _)| {
            n.chars().next().is_some_and(|c| c.is_ascii_digit())
                && n.chars().all(|c| c.is_ascii_digit() || c == '.')
        })
        .map_or(t, |(_, rest)| rest.trim_start());
    let Some((label, _)) = numbered.split_once(": ") else {
        return 0;
    };
    let words = label.split_whitespace().count();
    if words == 0 || words > 5 || label.contains(['.', ',', ';', '"']) {
        return 0;
    }
    text.len() - numbered.len() + label.len() + 2
}

/// Where the next coordinated name starts after a name ending at `pos`: after ", ",
/// " and ", ", and ", " or ".
/// A relative clause after a name ("Amazon Web Services, which hosts our servers, and
/// Stripe") does not end the list.
fn coordinated(text: &str, pos: usize) -> Option<usize> {
    let mut rest = text.get(pos..)?;
    // "Digital River (order processing), Marketo (marketing automation) and …": what a
    // name is used for, in brackets, does not end the list.
    if let Some(inside) = rest.strip_prefix(" (")
        && let Some(close) = inside.find(')')
        && close <= 60
        && !inside[..close].contains(['.', ';'])
    {
        rest = &inside[close + 1..];
    }
    for relative in [", which ", ", who ", ", that "] {
        if let Some(after) = rest.strip_prefix(relative)
            && let Some(comma) = after.find(',')
            && !after[..comma].contains(['.', ';'])
        {
            rest = &after[comma..];
            break;
        }
    }
    // "Amazon Web Services to host our servers, Stripe to process payments, Intercom for
    // support chat, and Postmark": each name with what it is used for. Only when another
    // capitalised word follows the comma, so "Stripe to bill you, and we keep …" ends.
    for purpose in [" to ", " for "] {
        if let Some(after) = rest.strip_prefix(purpose)
            && let Some(comma) = after.find(',')
            && !after[..comma].contains(['.', ';', ':'])
            && after[..comma].split_whitespace().count() <= 8
            && !after[..comma]
                .split_whitespace()
                .any(|w| w.chars().next().is_some_and(char::is_uppercase))
        {
            let next = after[comma + 1..]
                .trim_start()
                .trim_start_matches("and ")
                .trim_start_matches("or ");
            if next.chars().next().is_some_and(char::is_uppercase) {
                rest = &after[comma..];
                break;
            }
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
            &s(&["through", "via"]),
            &s(&[
                "our",
                "we",
                "the",
                "that",
                "when",
                "service",
                "affiliates",
                "personal",
                "section",
            ]),
            &s(&["that", "when"]),
            &s(&["Inc.", "LLC", "Ltd."]),
            &s(&["receive", "receives", "store", "stores", "compares"]),
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
        assert_eq!(
            found(
                "We share the meter ID with an operator, such as Voltbay or Amber Grid, to bill you."
            ),
            ["Voltbay", "Amber Grid"]
        );
    }

    #[test]
    fn a_function_word_after_the_last_name_ends_it_but_keeps_it() {
        assert_eq!(
            found("Pages carry buttons such as Quillpost, Marten and Heronly that let you share."),
            ["Quillpost", "Marten", "Heronly"]
        );
        assert_eq!(
            found("We pass your handle to Heronly when you connect it."),
            ["Heronly"]
        );
        assert!(found("Send a request to help@heronly.com to delete it.").is_empty());
        assert_eq!(
            found("Sign up with Quillpost or Sign in with Heronly."),
            ["Quillpost", "Heronly"]
        );
        // A generic word after the capitals still makes them a title.
        assert!(found("For more, turn to Heronly section below.").is_empty());
    }

    #[test]
    fn what_the_user_uses_is_a_feature() {
        let n = names();
        let services =
            |t: &str| -> Vec<String> { n.find_services(t).into_iter().map(|n| n.name).collect() };
        assert!(services("Your notes are synced when you use Cloud Sync.").is_empty());
        assert!(services("You can use Dark Mode at night.").is_empty());
        assert_eq!(services("We use Heronly to send e-mails."), ["Heronly"]);
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

    #[test]
    fn names_each_with_its_purpose() {
        let n = ProseNames::new(&[], &["use".to_string()], &[], &[], &[], &[], &[]);
        let names: Vec<String> = n
            .find_services(
                "We use Cedar Cloud to host our servers, Paywise to process payments, Chatterly for support chat, and Quill Mail to send receipts.",
            )
            .into_iter()
            .map(|n| n.name)
            .collect();
        assert_eq!(names, ["Cedar Cloud", "Paywise", "Chatterly", "Quill Mail"]);
        // The list ends where no name follows.
        let names: Vec<String> = n
            .find_services("We use Paywise to bill you, and we keep the receipts.")
            .into_iter()
            .map(|n| n.name)
            .collect();
        assert_eq!(names, ["Paywise"]);
    }

    #[test]
    fn subjects_that_handle_data() {
        let subjects = |t: &str| -> Vec<String> {
            names()
                .find_subjects(t)
                .into_iter()
                .map(|n| n.name)
                .collect()
        };
        assert_eq!(
            subjects("Textly and Voxa receive your phone number and the code."),
            ["Textly", "Voxa"]
        );
        assert_eq!(
            subjects("Faceprint Labs, Inc. compares your selfie with your ID photo."),
            ["Faceprint Labs, Inc."]
        );
        assert_eq!(
            subjects("- Quill Mail may store your address."),
            ["Quill Mail"]
        );
        // Not a verb of handling data, not at the start, or a generic word.
        assert!(subjects("Quill Mail deletes the images after 30 days.").is_empty());
        assert_eq!(
            subjects("When you link a bank account, Quill Mail receives your balances."),
            ["Quill Mail"]
        );
        assert!(subjects("After that the app, Quill Mail said, deletes nothing.").is_empty());
        // A run-in label before the subjects; clauses after a comma or an "and".
        assert_eq!(
            subjects(
                "3.3.1 Payments: Paywise receives card numbers and Coinly, a Paywise service, stores wallet IDs."
            ),
            ["Paywise", "Coinly"]
        );
        assert_eq!(
            subjects(
                "Payment processing: Paywise and Fruitpay receive card numbers, Gridco stores gift cards, and Ledgerly receives invoices."
            ),
            ["Paywise", "Fruitpay", "Gridco", "Ledgerly"]
        );
        assert!(subjects("Our Service receives your address.").is_empty());
        // A purpose opens the sentence, not a party.
        assert!(subjects("To send you receipts about your orders.").is_empty());
        assert_eq!(
            subjects("For fraud checks, Quill Mail receives your address."),
            ["Quill Mail"]
        );
    }
}
