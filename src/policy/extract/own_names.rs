//! Who the policy speaks for: the app's name and the operator that "we" stands for.
//!
//! A policy names its app in its title ("企业微信隐私保护指引", "Privacy Policy of Sprout
//! Budget") or in book-title marks in its opening ("请您仔细阅读《小米金融隐私政策》"),
//! and its operator where it says who "we" are ("由小米公司及其关联公司（以下简称“小米”或
//! “我们”）提供", "Forkful Kitchen LLC ("we")"). A brand inside those names is the
//! policy's own: the 微信 of "企业微信" is no WeChat SDK, and Tencent's own app shares
//! nothing with "腾讯" when it says 腾讯.

use serde::Deserialize;

use super::segment;

/// How a policy names itself (`[own_names]` in `signatures/policy-phrases.toml`).
#[derive(Deserialize, Debug, Clone, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct OwnNameWords {
    /// Words a title puts before "隐私政策" that name no app ("本隐私政策").
    #[serde(default)]
    not_names: Vec<String>,
    /// Words of a sentence addressed to the reader, which no title has.
    #[serde(default)]
    reader_words: Vec<String>,
    /// What "we" is called: "以下简称“我们”", "下称“我行”".
    #[serde(default)]
    we_zh: Vec<String>,
    /// The cues that give the short names of a party: "以下简称“小米”或“我们”".
    #[serde(default)]
    alias_cues_zh: Vec<String>,
    /// An agreement named together with the policy ("用户协议及隐私政策"), left off
    /// the app's name.
    #[serde(default)]
    agreement_tails_zh: Vec<String>,
    /// Affiliates named with the operator ("小米公司及其关联公司"), left off its name.
    #[serde(default)]
    affiliate_tails_zh: Vec<String>,
}

impl OwnNameWords {
    fn is_we(&self, word: &str) -> bool {
        self.we_zh.iter().any(|w| w == word)
    }
}

/// `text` without `prefix`, whatever its letter case.
fn strip_prefix_ci<'t>(text: &'t str, prefix: &str) -> &'t str {
    match text.get(..prefix.len()) {
        Some(head) if head.eq_ignore_ascii_case(prefix) => text[prefix.len()..].trim_start(),
        _ => text,
    }
}

/// An agreement named together with the policy, left off the app's name.
fn strip_agreement<'t>(name: &'t str, w: &OwnNameWords) -> &'t str {
    let mut name = name
        .trim_end_matches(['及', '和', '与', '、', '&', ' '])
        .trim();
    for tail in &w.agreement_tails_zh {
        if let Some(head) = name.strip_suffix(tail.as_str()) {
            name = head.trim_end_matches(['及', '和', '与', '、', ' ']).trim();
        }
    }
    name
}

/// The app name the opening of a policy gives in one sentence: a title line, or a policy
/// named in book-title marks within a sentence ("请您仔细阅读《小米金融隐私政策》");
/// the bool says whether it is Chinese. `title_like`: the sentence stands as a title (a
/// heading, or the document's first line).
pub(super) fn app_name_in(
    sentence: &str,
    title_like: bool,
    w: &OwnNameWords,
) -> (Option<String>, bool) {
    let sentence = sentence.trim_start_matches(['#', '*', ' ']);
    for part in sentence.split('《').skip(1) {
        if let Some(end) = part.find('》') {
            let found = app_name(&part[..end], w);
            if found.0.is_some() {
                return found;
            }
        }
    }
    // Only a title names the app by what stands before "隐私政策": "请您仔细阅读隐私政
    // 策" would name "请您仔细阅读". A short line that asks nothing of the reader reads
    // as one too ("# 腾讯视频隐私保护指引" over its date lines).
    let punctuated = sentence.contains(['。', '！', '？', '；', '，', '!', '?', ';']);
    let asks = w.reader_words.iter().any(|r| sentence.contains(r.as_str()));
    let short = sentence.chars().count() <= 40;
    if !punctuated && !asks && (title_like || short) {
        return app_name(sentence, w);
    }
    (None, false)
}

/// The names a Chinese sentence gives the operator it calls "we": "由小米公司及其关联公司
/// （以下简称“小米”或“我们”）" gives 小米公司 and 小米; "中原银行股份有限公司（以下简称
/// “我行”）" gives 中原银行股份有限公司.
pub(super) fn own_names_zh(text: &str, w: &OwnNameWords) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    // Where a cue ends: "简称" inside "以下简称" is the same cue.
    let mut seen: Vec<usize> = Vec::new();
    for cue in &w.alias_cues_zh {
        let mut from = 0;
        while let Some(pos) = text.get(from..).and_then(|t| t.find(cue.as_str())) {
            let at = from + pos;
            from = at + cue.len();
            if seen.contains(&from) {
                continue;
            }
            seen.push(from);
            // The short names: quoted, right after the cue.
            let after: String = text[from..].chars().take(24).collect();
            let after = after
                .split(['）', ')', '，', '。', '；'])
                .next()
                .unwrap_or("");
            let aliases = quoted(after);
            if !aliases.iter().any(|a| w.is_we(a)) {
                continue;
            }
            for a in aliases {
                if !w.is_we(&a) && !a.starts_with('本') && !out.contains(&a) {
                    out.push(a);
                }
            }
            if let Some(name) = name_before(&text[..at], w)
                && !out.contains(&name)
            {
                out.push(name);
            }
        }
    }
    out
}

/// The strings in quotes: “小米”或“我们” → 小米, 我们.
fn quoted(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find(['“', '"', '「']) {
        let inner = &rest[open..];
        let Some(c) = inner.chars().next() else { break };
        let inner = &inner[c.len_utf8()..];
        let Some(close) = inner.find(['”', '"', '」']) else {
            break;
        };
        let word = inner[..close].trim();
        if !word.is_empty() && word.chars().count() <= 20 {
            out.push(word.to_string());
        }
        let Some(q) = inner[close..].chars().next() else {
            break;
        };
        rest = &inner[close + q.len_utf8()..];
    }
    out
}

/// The party named right before an alias cue: "小爱同学是由小米公司及其关联公司（" →
/// 小米公司.
fn name_before(text: &str, w: &OwnNameWords) -> Option<String> {
    let mut t = text.trim_end_matches(['（', '(', '，', ',', ' ']);
    for tail in &w.affiliate_tails_zh {
        t = t.strip_suffix(tail.as_str()).unwrap_or(t);
    }
    let start = t
        .rfind([
            '由', '是', '为', '，', ',', '。', '：', ':', '；', '“', '”', '、', '（', '(', '指',
        ])
        .map_or(0, |at| {
            at + t[at..].chars().next().map_or(1, char::len_utf8)
        });
    let name = t[start..].trim();
    let n = name.chars().count();
    ((2..=30).contains(&n) && name.chars().all(|c| !c.is_whitespace())).then(|| name.to_string())
}

/// Whether the span `start..end` of `text` lies inside one of `names` where the text
/// writes it: the 微信 of "使用企业微信" when the app is 企业微信.
pub(super) fn inside_own_name<'n>(
    text: &str,
    start: usize,
    end: usize,
    names: impl IntoIterator<Item = &'n str>,
) -> bool {
    names.into_iter().filter(|n| !n.is_empty()).any(|name| {
        if end < start || end - start > name.len() {
            return false;
        }
        // Only the stretch a name covering the span can lie in is searched, so that a long
        // line with many phrases stays linear.
        let from = text.floor_char_boundary(end.saturating_sub(name.len()));
        let to = text.ceil_char_boundary(start.saturating_add(name.len()).min(text.len()));
        let Some(window) = text.get(from..to) else {
            return false;
        };
        // Occurrences may overlap ("小小小" holds "小小" twice): step one character on.
        let mut pos = 0;
        while let Some(found) = window.get(pos..).and_then(|w| w.find(name)) {
            let at = from + pos + found;
            if at <= start && at + name.len() >= end {
                return true;
            }
            pos += found + name.chars().next().map_or(1, char::len_utf8);
        }
        false
    })
}

/// The name a policy gives its own operator where it says who "we" are: "Forkful
/// Kitchen LLC ("we," "us," or "our")", "Acme Labs Ltd. (the "Company")".
pub(super) fn own_name(text: &str) -> Option<String> {
    // Every sentence passes here; only one with a bracket can say it.
    if !text.contains('(') {
        return None;
    }
    let lower = text.to_lowercase();
    let at = [
        "(\"we",
        "(“we",
        "(the \"company",
        "(the “company",
        "(\"company",
        "(“company",
    ]
    .iter()
    .filter_map(|cue| lower.find(cue))
    .min()?;
    let before = text.get(..at)?.trim_end();
    // The capitalised words right before the bracket, with a legal form's commas.
    let mut start = before.len();
    for (i, word) in before.rsplit(' ').enumerate() {
        let capital = word
            .chars()
            .next()
            .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit());
        if !capital || i >= 6 {
            break;
        }
        start = start.saturating_sub(word.len() + 1);
    }
    let name = before.get(start..)?.trim().trim_end_matches(',').trim();
    let pronoun = ["we", "us", "our", "this", "the"].contains(&name.to_lowercase().as_str());
    (name.chars().filter(|c| c.is_alphabetic()).count() >= 2 && !pronoun).then(|| name.to_string())
}

/// The app name in a title line such as "Mobile Office Privacy Protection Agreement" or
/// "《移动办公隐私政策》"; the bool says whether it is Chinese.
pub(super) fn app_name(title: &str, w: &OwnNameWords) -> (Option<String>, bool) {
    let t = title.trim().trim_matches(['《', '"', '“', '”']);
    const SUFFIXES: &[&str] = &[
        "Privacy Protection Agreement",
        "Privacy Agreement",
        "Privacy Policy",
        "Privacy Statement",
        "Privacy Notice",
        "个人信息保护政策",
        "个人信息保护指引",
        "隐私保护政策",
        "隐私保护协议",
        "隐私保护指引",
        "隐私政策",
        "隐私协议",
        "隐私声明",
        "隐私权政策",
    ];
    let lower = t.to_lowercase();
    // "Privacy Policy of Sprout Budget", "Privacy Notice for Acme" (iubenda and other
    // generators put the name last).
    for suffix in &SUFFIXES[..5] {
        for joint in [" of ", " for ", " — ", " – ", " - ", ": ", " | "] {
            let prefix = format!("{}{joint}", suffix.to_lowercase());
            if lower.starts_with(&prefix) && t.is_char_boundary(prefix.len()) {
                let name = t[prefix.len()..]
                    .trim()
                    .trim_matches(['"', '“', '”'])
                    .trim();
                let name = name.strip_prefix("the ").unwrap_or(name);
                if !name.is_empty() && name.chars().count() <= 40 {
                    return (Some(name.to_string()), false);
                }
            }
        }
    }
    for suffix in SUFFIXES {
        if let Some(pos) = lower.rfind(&suffix.to_lowercase())
            && t.is_char_boundary(pos)
        {
            let name = t[..pos]
                .trim()
                .trim_end_matches(['-', '–', '—', '|', ':', '：', '《', '》', '"', '“', '”'])
                .trim();
            // "Lunaria's Privacy Policy".
            let name = name
                .strip_suffix("'s")
                .or_else(|| name.strip_suffix("’s"))
                .unwrap_or(name)
                .trim();
            // "15天天气预报用户协议及隐私政策": the agreement published with it.
            let name = strip_agreement(name, w)
                .trim_matches(['"', '“', '”'])
                .trim();
            // "Welcome to the Google Privacy Policy".
            let name = strip_prefix_ci(name, "welcome to ");
            let name = strip_prefix_ci(name, "the ");
            let name = name.trim_matches(|c: char| "/|#*-_ ".contains(c));
            // "以下是本隐私政策", a link or a table row: no name.
            if name.ends_with('本') || name.contains(['|', '[', ']']) {
                return (None, false);
            }
            // "本隐私政策", "《用户隐私政策》": no name.
            let named = name.chars().count() >= 2 && !w.not_names.iter().any(|n| n == name);
            if named && name.chars().count() <= 40 {
                let zh = name.chars().any(segment::is_cjk);
                return (Some(name.to_string()), zh);
            }
        }
    }
    (None, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words() -> OwnNameWords {
        super::super::practice::builtin_own_names().expect("built-in file")
    }

    #[test]
    fn app_names_in_titles() {
        let w = words();
        let name = |t: &str| app_name(t, &w).0;
        assert_eq!(
            name("Privacy Policy of Sprout Budget").as_deref(),
            Some("Sprout Budget")
        );
        assert_eq!(
            name("Privacy Policy — Chirpy Messenger").as_deref(),
            Some("Chirpy Messenger")
        );
        assert_eq!(
            name("Hush Messenger — Privacy Policy").as_deref(),
            Some("Hush Messenger")
        );
        assert_eq!(name("Lunaria's Privacy Policy").as_deref(), Some("Lunaria"));
        assert_eq!(
            name("Privacy Policy for the Velomo App").as_deref(),
            Some("Velomo App")
        );
        assert_eq!(name("移动办公隐私政策").as_deref(), Some("移动办公"));
        assert_eq!(name("Privacy Policy"), None);
    }

    #[test]
    fn the_operator_a_policy_calls_we() {
        assert_eq!(
            own_name("This privacy notice for Forkful Kitchen LLC (\"we,\" \"us,\" or \"our\"), describes how").as_deref(),
            Some("Forkful Kitchen LLC")
        );
        assert_eq!(
            own_name("Acme Labs Ltd. (the “Company”) runs the app.").as_deref(),
            Some("Acme Labs Ltd.")
        );
        assert_eq!(own_name("We (\"we\") collect."), None);
        assert_eq!(own_name("Nothing defined here."), None);
    }

    #[test]
    fn app_names_in_an_opening() {
        let w = words();
        let name = |t: &str| app_name_in(t, true, &w).0;
        assert_eq!(name("企业微信隐私保护指引").as_deref(), Some("企业微信"));
        assert_eq!(app_name_in("请您仔细阅读隐私政策", false, &w).0, None);
        assert_eq!(
            app_name_in("# 腾讯视频隐私保护指引", false, &w)
                .0
                .as_deref(),
            Some("腾讯视频")
        );
        assert_eq!(name("“苏城码”用户隐私政策").as_deref(), Some("苏城码"));
        assert_eq!(name("法律声明及隐私政策"), None);
        assert_eq!(name("以下是本隐私政策"), None);
        assert_eq!(name("《云途出行》隐私政策").as_deref(), Some("云途出行"));
        assert_eq!(name("| |隐私政策"), None);
        assert_eq!(
            name("请您仔细阅读《小米金融隐私政策》（尤其是加粗的内容）").as_deref(),
            Some("小米金融")
        );
        assert_eq!(
            name("15天天气预报用户协议及隐私政策").as_deref(),
            Some("15天天气预报")
        );
        assert_eq!(
            name("“轻颜相机”用户协议及隐私政策").as_deref(),
            Some("轻颜相机")
        );
        assert_eq!(
            name("Welcome to the Google Privacy Policy").as_deref(),
            Some("Google")
        );
        assert_eq!(name("欢迎使用本应用，请仔细阅读本隐私政策"), None);
        assert_eq!(name("请您仔细阅读《隐私政策》"), None);
        assert_eq!(name("《本隐私政策》"), None);
        assert_eq!(name("[帮助中心](https://example.com/help)"), None);
    }

    #[test]
    fn the_operator_a_chinese_policy_calls_we() {
        let w = words();
        let own_names_zh = |t: &str| own_names_zh(t, &w);
        assert_eq!(
            own_names_zh("小爱同学是由小米公司及其关联公司（以下简称“小米”或“我们”）为您提供服务"),
            ["小米", "小米公司"]
        );
        assert_eq!(
            own_names_zh("中原银行股份有限公司（以下简称“我行”）深知个人信息的重要性"),
            ["中原银行股份有限公司"]
        );
        assert_eq!(
            own_names_zh("腾讯视频是由腾讯集团（以下简称“我们”）研发和运营的平台"),
            ["腾讯集团"]
        );
        assert_eq!(
            own_names_zh("运营主体为深圳市某某计算机系统有限公司，以下简称“某某公司”或“我们”。"),
            ["某某公司", "深圳市某某计算机系统有限公司"]
        );
        // "本隐私指引" is the document, not the operator.
        assert!(own_names_zh("《企业微信隐私保护指引》（下称“本隐私指引”）将向你说明").is_empty());
        assert!(own_names_zh("友盟（以下简称“友盟+”）提供统计服务").is_empty());
    }

    #[test]
    fn a_brand_inside_the_apps_own_name() {
        let names = ["企业微信"];
        let t = "不影响你正常使用企业微信的其他功能，可用微信登录";
        let wx = |nth: usize| {
            let at = t
                .match_indices("微信")
                .nth(nth)
                .map(|(i, _)| i)
                .unwrap_or(0);
            (at, at + "微信".len())
        };
        let (a, b) = wx(0);
        assert!(inside_own_name(t, a, b, names));
        let (a, b) = wx(1);
        assert!(!inside_own_name(t, a, b, names));
    }
}
