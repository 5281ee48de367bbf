//! What a section heading announces ("我们如何收集和使用您的个人信息" → collection,
//! "Definitions" → definitions): the heading words of `[section_headings]` in
//! `signatures/policy-phrases.toml`, one list per role.
//!
//! The role of a heading decides how the text under it is read: definitions are not
//! collection, a collection section's lists are data, a sharing section's names are
//! recipients. Headings usually name several topics ("How we collect, use and share"),
//! so the first keyword in the heading decides, except for the `strong` roles, which win
//! wherever they stand ("Protection of minors").

use serde::Deserialize;

use super::ExtractError;
use super::segment::Role;

/// `[section_headings]`: heading words per role.
#[derive(Deserialize, Default, Clone)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSectionHeadings {
    /// Roles that win wherever their word stands in the heading.
    #[serde(default)]
    strong: RawRoles,
    /// Roles decided by the word that comes first.
    #[serde(default)]
    ordered: RawRoles,
    /// Questions that presuppose the service takes something in.
    #[serde(default)]
    questions: RawQuestions,
}

/// `[section_headings.questions]`: a question heading that asks what or why the service
/// takes in ("What do you record about my learning?", "Why do you ask for my year of
/// birth?") presupposes that it does, so its answer is read as a collection section.
#[derive(Deserialize, Default, Clone)]
#[serde(deny_unknown_fields)]
struct RawQuestions {
    /// The question's first word ("what", "why").
    #[serde(default)]
    starts: Vec<String>,
    /// Who is asked: the service ("you", "we", "does").
    #[serde(default)]
    subjects: Vec<String>,
    /// What it is asked to have done ("record*", "ask for").
    #[serde(default)]
    verbs: Vec<String>,
}

/// One word list per role a heading can announce.
#[derive(Deserialize, Default, Clone)]
#[serde(deny_unknown_fields)]
struct RawRoles {
    #[serde(default)]
    definitions: Vec<String>,
    #[serde(default)]
    collection: Vec<String>,
    #[serde(default, rename = "use")]
    usage: Vec<String>,
    #[serde(default)]
    storage: Vec<String>,
    #[serde(default)]
    protection: Vec<String>,
    #[serde(default)]
    sharing: Vec<String>,
    #[serde(default)]
    rights: Vec<String>,
    #[serde(default)]
    minors: Vec<String>,
    #[serde(default)]
    changes: Vec<String>,
    #[serde(default)]
    contact: Vec<String>,
    #[serde(default)]
    terms: Vec<String>,
}

impl RawRoles {
    fn keywords(&self, file: &str) -> Result<Vec<Keyword>, ExtractError> {
        let lists = [
            (&self.definitions, Role::Definitions),
            (&self.collection, Role::Collection),
            (&self.usage, Role::Use),
            (&self.storage, Role::Storage),
            (&self.protection, Role::Protection),
            (&self.sharing, Role::Sharing),
            (&self.rights, Role::Rights),
            (&self.minors, Role::Minors),
            (&self.changes, Role::Changes),
            (&self.contact, Role::Contact),
            (&self.terms, Role::Terms),
        ];
        let mut out = Vec::new();
        for (words, role) in lists {
            for w in words {
                out.push(Keyword::parse(w, role, file)?);
            }
        }
        Ok(out)
    }
}

/// A heading word with its role. English words match whole words, case-insensitive; a
/// word ending in `*` matches any ending ("stor*" → storage, stored). Chinese words match
/// as written.
#[derive(Debug, Clone)]
struct Keyword {
    word: String,
    role: Role,
    stem: bool,
}

impl Keyword {
    fn parse(raw: &str, role: Role, file: &str) -> Result<Keyword, ExtractError> {
        let lower = raw.trim().to_lowercase();
        let (word, stem) = match lower.strip_suffix('*') {
            Some(w) => (w.to_string(), true),
            None => (lower, false),
        };
        if word.is_empty() || word.contains('*') {
            return Err(ExtractError::Lexicon {
                file: file.to_string(),
                message: format!(
                    "[section_headings] word {raw:?}: a word, optionally ending in '*'"
                ),
            });
        }
        Ok(Keyword { word, role, stem })
    }

    /// Where the word first stands in `lower` as a word of its own (or a word's start,
    /// for a stem).
    fn find(&self, lower: &str) -> Option<usize> {
        find_word(lower, &self.word, self.stem)
    }
}

fn find_word(lower: &str, word: &str, stem: bool) -> Option<usize> {
    let ascii = word.is_ascii();
    let mut from = 0;
    while let Some(pos) = lower.get(from..).and_then(|rest| rest.find(word)) {
        let start = from + pos;
        let end = start + word.len();
        if !ascii {
            return Some(start);
        }
        let before_ok = !lower[..start]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_ascii_alphanumeric());
        let after_ok = stem
            || !lower[end..]
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphanumeric());
        if before_ok && after_ok {
            return Some(start);
        }
        from = end;
    }
    None
}

/// Compiled heading words.
#[derive(Debug, Clone, Default)]
pub(super) struct SectionWords {
    strong: Vec<Keyword>,
    ordered: Vec<Keyword>,
    question_starts: Vec<Keyword>,
    question_subjects: Vec<Keyword>,
    question_verbs: Vec<Keyword>,
}

impl SectionWords {
    pub(super) fn compile(
        raw: &RawSectionHeadings,
        file: &str,
    ) -> Result<SectionWords, ExtractError> {
        let words = |list: &[String]| {
            list.iter()
                .map(|w| Keyword::parse(w, Role::Collection, file))
                .collect::<Result<Vec<_>, _>>()
        };
        Ok(SectionWords {
            strong: raw.strong.keywords(file)?,
            ordered: raw.ordered.keywords(file)?,
            question_starts: words(&raw.questions.starts)?,
            question_subjects: words(&raw.questions.subjects)?,
            question_verbs: words(&raw.questions.verbs)?,
        })
    }

    /// Whether a question asks what or why the service takes in ("Why do you ask for my
    /// year of birth?"), which presupposes that it does. A yes-or-no question ("Do you
    /// need my real name?") presupposes nothing: its answer decides.
    pub(super) fn presupposes_collection(&self, question: &str) -> bool {
        let trimmed = question.trim();
        if !trimmed.ends_with(['?', '？']) {
            return false;
        }
        let lower = trimmed.to_lowercase();
        let starts = self
            .question_starts
            .iter()
            .any(|k| k.find(&lower) == Some(0));
        starts
            && self
                .question_subjects
                .iter()
                .any(|k| k.find(&lower).is_some())
            && self.question_verbs.iter().any(|k| k.find(&lower).is_some())
    }

    /// The role a heading announces, if any.
    pub(super) fn role_of(&self, heading: &str) -> Option<Role> {
        let lower = super::hanzi::fold(heading).to_lowercase();
        if let Some(k) = self.strong.iter().find(|k| k.find(&lower).is_some()) {
            return Some(k.role);
        }
        // The first word wins; of two at the same place, the longer ("third part" over
        // "third"), then the one listed first.
        let best = self
            .ordered
            .iter()
            .filter_map(|k| {
                k.find(&lower)
                    .map(|pos| (pos, std::cmp::Reverse(k.word.len()), k.role))
            })
            .min_by_key(|&(pos, len, _)| (pos, len))
            .map(|(_, _, role)| role);
        // "protect" alone is in every policy title ("Privacy Protection Agreement"); only
        // "how we protect" / "我们如何保护" announce the security section. This is a rule
        // about the title of a policy, not vocabulary, so it stays here.
        let protect = (find_word(&lower, "protect", true).is_some()
            && (find_word(&lower, "we", false).is_some()
                || find_word(&lower, "how", false).is_some()))
            || (lower.contains("保护") && (lower.contains("如何") || lower.contains("我们")));
        match best {
            Some(role) => Some(role),
            None if protect => Some(Role::Protection),
            None if self.presupposes_collection(heading) => Some(Role::Collection),
            None => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::extract::practice::DEFAULT_POLICY_PHRASES;

    fn words() -> SectionWords {
        #[derive(Deserialize)]
        struct File {
            section_headings: RawSectionHeadings,
        }
        let file: File = toml::from_str(DEFAULT_POLICY_PHRASES).expect("built-in file");
        SectionWords::compile(&file.section_headings, "policy-phrases.toml").expect("compiles")
    }

    #[test]
    fn roles_of_headings() {
        let w = words();
        assert_eq!(w.role_of("Protection of minors"), Some(Role::Minors));
        assert_eq!(w.role_of("User Rights"), Some(Role::Rights));
        assert_eq!(
            w.role_of("How do we protect this information"),
            Some(Role::Protection)
        );
        assert_eq!(
            w.role_of("Mobile Office Privacy Protection Agreement"),
            None
        );
        assert_eq!(
            w.role_of("我们如何收集和使用您的个人信息"),
            Some(Role::Collection)
        );
        assert_eq!(
            w.role_of("我们如何共享、转让、公开披露您的个人信息"),
            Some(Role::Sharing)
        );
        assert_eq!(
            w.role_of("我们如何存储和保护您的个人信息"),
            Some(Role::Storage)
        );
        assert_eq!(
            w.role_of("Information sharing and external provision"),
            Some(Role::Sharing)
        );
        assert_eq!(w.role_of("Information you give us"), Some(Role::Collection));
        assert_eq!(
            w.role_of("What information does the Application obtain and how is it used?"),
            Some(Role::Collection)
        );
        assert_eq!(w.role_of("Data You Provide to Us"), Some(Role::Collection));
        assert_eq!(w.role_of("Advertising"), Some(Role::Sharing));
        assert_eq!(w.role_of("Ads and measurement"), Some(Role::Sharing));
        // A stem matches any ending; a whole word does not match inside a longer one.
        assert_eq!(w.role_of("Storing your data"), Some(Role::Storage));
        assert_eq!(w.role_of("Museums"), None);
        // A heading saying what a term means opens definitions, unless a practice word
        // comes first.
        assert_eq!(
            w.role_of("What \"personal information\" means here"),
            Some(Role::Definitions)
        );
        assert_eq!(
            w.role_of("How we collect data by automated means"),
            Some(Role::Collection)
        );
        // A question that asks what or why the service takes in presupposes that it
        // does; a yes-or-no question, or one about the reader, does not.
        assert_eq!(
            w.role_of("What do you record about my learning?"),
            Some(Role::Collection)
        );
        assert_eq!(
            w.role_of("Why does the app ask for my year of birth?"),
            Some(Role::Collection)
        );
        assert_eq!(w.role_of("Do you need my real name?"), None);
        assert_eq!(w.role_of("What should I know before I start?"), None);
        assert_eq!(w.role_of("What happens when I chat with the tutor?"), None);
    }

    #[test]
    fn a_bad_word_names_the_file() {
        let raw: RawSectionHeadings =
            toml::from_str("[ordered]\ncollection = [\"col*lect\"]\n").expect("toml");
        let err = SectionWords::compile(&raw, "x/policy-phrases.toml").expect_err("bad word");
        assert!(err.to_string().contains("x/policy-phrases.toml"), "{err}");
        let unknown = toml::from_str::<RawSectionHeadings>("[ordered]\ncolection = []\n");
        assert!(unknown.is_err());
    }
}
