//! Sentence-level rules: negation and its scope, consent conditions, sharing verbs and
//! the promises (encryption in transit, storage region, retention, consent).
//!
//! All patterns are compiled once, with the lexicon, so extraction itself cannot fail on
//! a pattern and never recompiles one per input.

use regex::Regex;

use super::ExtractError;
use super::segment::is_cjk;

/// What a negated verb is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum VerbClass {
    Collect,
    Share,
}

impl VerbClass {
    pub(super) fn scope(self) -> &'static str {
        match self {
            VerbClass::Collect => "collect",
            VerbClass::Share => "share",
        }
    }
}

#[derive(Debug)]
pub(super) struct Patterns {
    neg_en: Regex,
    neg_use_en: Regex,
    /// "no" right before a data type ("in particular no health data and no biometric
    /// data"): a denial of that type.
    no_before: Regex,
    neg_zh: Regex,
    conditional_en: Regex,
    conditional_zh: Regex,
    contrast: Regex,
    clause_subject: Regex,
    first_person_collect: Regex,
    share_to_party: Regex,
    consent_share: Regex,
    consent_collect: Regex,
    encryption: Regex,
    encryption_negated: Regex,
    transit: Regex,
    at_rest: Regex,
    storage_verb: Regex,
    regions: Vec<(Regex, &'static str)>,
    retention_cue: Regex,
    retention_explicit: Regex,
    minimum: Regex,
    open_ended: Regex,
    month_date: Regex,
    duration_en: Regex,
    duration_zh: Regex,
    cn_date: Regex,
    policy_date: Regex,
    url: Regex,
    enumeration_start: Regex,
    item_split: Regex,
}

fn re(pattern: &str) -> Result<Regex, ExtractError> {
    super::classes::compile(pattern).map_err(|e| ExtractError::Pattern(format!("{e}")))
}

/// `(?-u:\b)`: an ASCII word boundary, so English words next to hanzi still match.
const B: &str = r"(?-u:\b)";

impl Patterns {
    pub(super) fn new() -> Result<Patterns, ExtractError> {
        let collect_en = r"(?P<c>collect\w*|gather\w*|obtain\w*|acquir\w*|access\w*|read|reads|record\w*|upload\w*|track\w*|monitor\w*)";
        let share_en = r"(?P<s>shar\w*|sell\w*|sold|transfer\w*|disclos\w*|provid\w*|rent\w*|trad\w*|send\w*|sent|pass\w*)";
        // Denials also say what the app does not keep or get to see: "we never see or
        // store your bank login", "we do not receive your card details", "a report does
        // not contain your IP address".
        let hold_en = r"(?P<h>stor(?:e|es|ed|ing)|sav(?:e|es|ed|ing)|keep\w*|kept|retain\w*|receiv\w*|see|sees|ask\w*\s+for|request\w*|contain(?:s|ed)?)";
        let neg_en = format!(
            r"(?i){B}(?P<cue>not|never|no|don't|doesn't|won't|cannot|can't|nor){B}(?:\W+\w+){{0,5}}?\W+(?:{collect_en}|{share_en}|{hold_en}){B}"
        );
        let regions: Vec<(Regex, &'static str)> = vec![
            (
                re(&format!(
                    r"(?i){B}(?:mainland china|chinese mainland|people's republic of china|the prc|within (?:the territory of )?china|in china|territory of china){B}|中华人民共和国境内|中国境内|中国大陆境内|中国大陆|境内"
                ))?,
                "CN",
            ),
            (
                re(&format!(
                    r"(?i){B}(?:european union|european economic area|the eea|the eu|within the eu|in the eu){B}|欧盟|欧洲经济区"
                ))?,
                "EU",
            ),
            (
                re(&format!(
                    r"(?i){B}(?:united states|the usa|the u\.s\.){B}|美国"
                ))?,
                "US",
            ),
            (re(&format!(r"(?i){B}singapore{B}|新加坡"))?, "SG"),
            (re(&format!(r"(?i){B}hong kong{B}|香港"))?, "HK"),
            (re(&format!(r"(?i){B}japan{B}|日本"))?, "JP"),
            (
                re(&format!(r"(?i){B}(?:united kingdom|the uk){B}|英国"))?,
                "GB",
            ),
            (re(&format!(r"(?i){B}germany{B}|德国"))?, "DE"),
            (re(&format!(r"(?i){B}(?:south )?korea{B}|韩国"))?, "KR"),
            (re(&format!(r"(?i){B}india{B}|印度"))?, "IN"),
            (
                re(&format!(r"(?i){B}russia(?:n federation)?{B}|俄罗斯"))?,
                "RU",
            ),
            (re(&format!(r"(?i){B}australia{B}|澳大利亚"))?, "AU"),
            (re(&format!(r"(?i){B}canada{B}|加拿大"))?, "CA"),
        ];
        Ok(Patterns {
            neg_en: re(&neg_en)?,
            no_before: re(&format!(
                r"(?i){B}no\s+(?:(?:precise|exact|personal|sensitive|other|such|real|actual|raw)\s+){{0,2}}$"
            ))?,
            // "We do not use the Facebook SDK", "it does not use Firebase", "we ask parents
            // not to use a child's real name": not using a
            // named thing denies it. Only right after the negation: "not current, please
            // use the Contact Us option" denies nothing, nor does "we do not use your
            // email for marketing" (a purpose). A bare noun ("a tool that does not use
            // device identifiers") is told from a purpose in code (`not_using_bare`).
            neg_use_en: re(&format!(
                r"(?i){B}(?P<cue>not|never|don't|doesn't|won't){B}\s+(?:to\s+)?use\s+(?:(?:the|any|an?|(?-i:[A-Z])\w*){B}|(?P<bare>(?-i:[a-z])[\w-]*){B})"
            ))?,
            neg_zh: re(
                r"(?P<cue>不会|不得|绝不|从不|并不|不再|无需|没有|不|未)(?:会|主动|以任何方式|擅自|再|对外|(?:会|主动)?(?:向|与|和|将|把|对)[^，。；,;]{0,16}?)?(?:(?P<c>收集|获取|采集|读取|上传|调用|记录|追踪|访问|申请|请求|设置)|(?P<s>共享|提供|分享|转让|出售|披露|泄露|泄漏|传输|发送|出租))",
            )?,
            conditional_en: re(&format!(
                r"(?i){B}(?:without (?:your|the user's|their|obtaining your|first obtaining your)?\s*(?:prior |explicit |express |separate |written )?(?:consent|authori[sz]ation|permission|agreement)|unless|except|other than|apart from|until you|before you|prior to your|if you (?:do not|don't) (?:agree|consent)|in the background|while the app is (?:closed|not in use)|when you are not using){B}"
            ))?,
            conditional_zh: re(
                r"未经|非经|除非|除外|除[^，。；]{0,30}?(?:以外|之外)|未(?:征得|获得|取得)|(?:同意|授权|接受)[^，。；]{0,12}?(?:之前|前)|前提下|另行(?:征得|获得)|后台|静默",
            )?,
            contrast: re(&format!(
                r"(?i)[;；]|{B}(?:but|however|whereas|although|though){B}|但是|但|然而|不过|而是|[,，(（]\s*(?:我们|we{B})|,\s*so{B}"
            ))?,
            clause_subject: re(
                r"(?i)(?:您|你|用户)[^，。；]{0,4}$|(?-u:\b)(?:you|users?)\W+(?:\w+\W+)?$",
            )?,
            first_person_collect: re(&format!(
                r"(?i){B}we{B}(?:\W+\w+){{0,3}}?\W+(?:collect|obtain|gather|record|access|need)\w*|{B}(?:sends?|sent|transmit\w*|upload\w*|provid\w*|gives?|gave|submit\w*)\s+(?:\w+\s+)?(?:to\s+)?(?-i:us){B}|我们(?:会|将|可能会|需要|可能)?[^，。；]{{0,8}}?(?:收集|获取|采集|记录|读取)"
            ))?,
            share_to_party: re(&format!(
                r"(?i){B}(?:shar\w*|provid\w*|transfer\w*|disclos\w*|sell|sold|rent\w*|entrust\w*|send|sent){B}[^.;]{{0,80}}?{B}(?:to|with)\s+(?:the\s+|our\s+|these\s+|such\s+|other\s+|certain\s+|trusted\s+|any\s+)?(?:third|partner|affiliat|related part|service provider)|(?:与|向|给|和)(?:我们的)?(?:第三方|合作伙伴|合作方|关联方|关联公司|其他方|服务提供商|授权合作伙伴)[^。；]{{0,30}}?(?:共享|提供|分享|披露|转让|传输)|(?:共享|提供|分享|披露|转让|传输)(?:给|至|予)(?:第三方|合作伙伴|合作方|关联方|关联公司|服务提供商)"
            ))?,
            consent_share: re(&format!(
                r"(?i){B}(?:with|upon|after obtaining|obtain\w*|have)\s+(?:your\s+)?(?:prior |explicit |express |separate |written )?(?:consent|authori[sz]ation){B}[^.]*{B}(?:shar\w*|provid\w*|transfer\w*){B}|{B}(?:shar\w*|provid\w*|transfer\w*){B}[^.]*{B}(?:only\s+)?(?:with|after|upon)\s+(?:obtaining\s+)?your\s+(?:prior |explicit |express |separate )?(?:consent|authori[sz]ation){B}|{B}(?:not|never){B}[^.]*{B}(?:shar\w*|provid\w*|transfer\w*){B}[^.]*{B}without\s+your\s+(?:prior |explicit |express |separate )?(?:consent|authori[sz]ation){B}|(?:获得|取得|征得|经)(?:您的?|用户的?)?(?:明确|单独|事先|书面)?(?:同意|授权)[^。]*?(?:共享|提供给|转让)|未经(?:您的?|用户的?)?(?:明确|单独|事先|书面)?(?:同意|授权)[^。]*?不[^。]{{0,10}}?(?:共享|提供|转让)"
            ))?,
            consent_collect: re(&format!(
                r"(?i){B}(?:before|until|prior to)\s+(?:you\s+)?(?:agree|consent|accept|have agreed|have consented|your consent|your agreement|obtaining your consent){B}[^.]*{B}(?:not|never|no){B}[^.]*{B}collect|{B}(?:not|never|no){B}[^.]*{B}collect\w*[^.]*{B}(?:without|before|until|prior to)\s+(?:obtaining\s+)?(?:your|you)\s+(?:prior |explicit |express )?(?:consent|agree|authori[sz]ation|accept)|{B}(?:without|before obtaining)\s+your\s+(?:prior |explicit |express )?(?:consent|authori[sz]ation|permission)[^.]*{B}(?:not|never){B}[^.]*{B}collect|{B}collect\w*[^.]*\bonly\s+(?:after|with|upon)\s+(?:obtaining\s+)?your\s+(?:prior |explicit |express )?(?:consent|authori[sz]ation)|(?:在您?(?:同意|接受|授权)[^。，]{{0,20}}?(?:之前|前)|未经(?:您的?|用户的?)?(?:明确)?(?:同意|授权))[^。]*?不[^。]{{0,8}}?(?:收集|获取|采集)|(?:在?(?:获得|取得|征得)您的?(?:明确)?(?:同意|授权)(?:后|之后))[^。]*?(?:才[^。]{{0,6}}?)?(?:收集|获取|采集)|在您(?:同意|接受|授权)[^。，]{{0,20}}?(?:后|之后)[^。]*?(?:才|再)[^。]{{0,10}}?(?:收集|获取|采集)|{B}only\b[^.]{{0,30}}collect\w*[^.]{{0,40}}(?:after|once|when)\s+you\s+(?:have\s+)?(?:accept|agree|consent)|{B}(?:ask\w*\s+(?:for\s+)?|obtain\w*\s+|seek\w*\s+|request\w*\s+|get\s+)your\s+(?:prior |explicit |express )?(?:consent|agreement)\s+(?:before|prior to)\s+(?:we\s+)?(?:start\w*\s+|begin\w*\s+)?(?:to\s+)?collect|{B}(?:before|prior to)\s+collect\w*[^.]*{B}(?:ask\w*\s+(?:for\s+)?|obtain\w*\s+|seek\w*\s+|request\w*\s+|get\s+)your\s+(?:prior |explicit |express )?(?:consent|agreement){B}"
            ))?,
            encryption: re(&format!(
                r"{B}(?:SSL|TLS|HTTPS){B}|(?i){B}(?:encrypt\w*|cryptograph\w*){B}|加密"
            ))?,
            encryption_negated: re(&format!(
                r"(?i){B}(?:not|no|never|without|un)\W*(?:\w+\W+){{0,2}}?encrypt|不加密|未加密|没有加密|非加密|不进行加密|明文"
            ))?,
            transit: re(&format!(
                r"(?i){B}(?:in transit|transmission|transmit\w*|transport\w*|transfer\w*|SSL|TLS|HTTPS){B}|传输|传送|SSL|TLS|HTTPS"
            ))?,
            at_rest: re(&format!(
                r"(?i)encrypted storage|stored (?:in )?encrypted|{B}encrypt\w* (?:and )?(?:stor|sav)\w*|at rest|加密存储|存储加密|加密保存|加密储存"
            ))?,
            storage_verb: re(&format!(
                r"(?i){B}(?:stor\w*|host\w*|kept|keep|retain\w*|located|saved?|held){B}|存储|储存|存放|保存|留存"
            ))?,
            regions,
            retention_cue: re(&format!(
                r"(?i){B}(?:retain\w*|retention|stor\w*|keep|kept|preserv\w*|saved?|hold|held){B}|保存|保留|存储|留存|储存|保管|期限"
            ))?,
            retention_explicit: re(&format!(
                r"(?i){B}(?:retention period|storage period|retention time|retain\w*|kept for|stored? for){B}|保存期限|存储期限|保存期|保留期限|存储期|保存时间|存储时间|留存期限|(?:保存|保留|存储|留存|储存)[^，。；]{{0,6}}?(?:\d{{1,4}}|[一二两三四五六七八九十百半]{{1,4}})\s*(?:个月|天|日|年|周)"
            ))?,
            minimum: re(&format!(
                r"(?i){B}(?:at least|no less than|minimum){B}|不少于|不低于|至少|最短"
            ))?,
            open_ended: re(&format!(
                r"(?i){B}(?:as long as|until|for the duration){B}|直至|为止|期间|存续"
            ))?,
            month_date: re(&format!(
                r"(?i){B}(?:updated|effective|revised|modified|published|date){B}[^0-9]{{0,24}}?(?:(?P<d1>\d{{1,2}})\s+)?(?P<mon>jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s*(?P<d2>\d{{1,2}})?,?\s*(?P<y>\d{{4}})"
            ))?,
            duration_en: re(&format!(
                r"(?i){B}(?P<n>\d{{1,4}}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|eighteen|twenty|twenty-four|thirty|sixty|ninety|a|half a)\s*(?:\(\d{{1,4}}\)\s*)?(?P<kind>calendar\s+|natural\s+|working\s+|business\s+)?(?P<unit>days?|weeks?|months?|years?){B}"
            ))?,
            duration_zh: re(
                r"(?P<n>\d{1,4}|[一二两三四五六七八九十百]{1,4}|半)\s*(?P<unit>个工作日|工作日|个自然日|自然日|个月|个星期|星期|周|天|日|月|年)",
            )?,
            cn_date: re(
                r"\d{4}\s*年\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?|\d{1,2}\s*月\s*\d{1,2}\s*日",
            )?,
            policy_date: re(&format!(
                r"(?i)(?:{B}(?:release|effective|updated?|last (?:updated|revised|modified)|publication|published|issued?|revision|version){B}[^0-9]{{0,20}}|更新|生效|发布|修订|版本)[^0-9]{{0,12}}(?P<y>\d{{4}})\s*[年/.\-]\s*(?P<m>\d{{1,2}})\s*[月/.\-]\s*(?P<d>\d{{1,2}})"
            ))?,
            url: re(r"(?i)(?:https?://|www\.)[a-z0-9.\-]+[^\s，。；）)<>]*")?,
            enumeration_start: re(&format!(
                r"(?i)(?:{B}(?:such as|including|include|includes|provide|collect|namely){B}|[:：]|包括|例如|比如|如下|提供|收集)"
            ))?,
            item_split: re(&format!(
                r"(?i)[,;、，；（）()]|{B}(?:and|or|as well as){B}|和|及|以及|与|或"
            ))?,
        })
    }

    /// Byte ranges of the parts of a sentence that a negation can reach: split at
    /// semicolons, contrast words and a comma that starts a new "we …" clause.
    pub(super) fn parts(&self, text: &str) -> Vec<(usize, usize)> {
        let mut parts = Vec::new();
        let mut start = 0;
        for m in self.contrast.find_iter(text) {
            if m.start() > start {
                parts.push((start, m.start()));
            }
            let first = m.as_str().chars().next();
            // Keep the new subject ("we") in the next part; drop only the separator. A
            // bracket opening with "we" is an aside of its own: "the purchases you make
            // (we do not receive your card details)".
            start = if matches!(first, Some(',' | '，' | '(' | '（')) {
                m.start() + first.map(char::len_utf8).unwrap_or(1)
            } else {
                m.end()
            };
        }
        if start < text.len() {
            parts.push((start, text.len()));
        }
        if parts.is_empty() {
            parts.push((0, text.len()));
        }
        parts
    }

    /// Where a "no" that denies the data type starting at the end of `before` starts
    /// ("we collect no location", "no health data").
    pub(super) fn no_before(&self, before: &str) -> Option<usize> {
        self.no_before.find(before).map(|m| m.start())
    }

    /// The negated verb in a part, if the app (not the user) is what does not do it, and
    /// where in the part its scope starts: the whole part ("your location is not
    /// collected"), or from the cue on for not using a thing, which names it after the
    /// verb ("usage events with Aptabase, a tool that does not use device identifiers").
    pub(super) fn negation(&self, part: &str) -> Option<(VerbClass, usize)> {
        // Not using a thing reaches only what follows it, so a denial of a practice in
        // the same part ("doesn't read your contacts and does not use the microphone")
        // is looked for first: it reaches the whole part.
        for re in [&self.neg_en, &self.neg_zh, &self.neg_use_en] {
            for caps in re.captures_iter(part) {
                let Some(cue) = caps.name("cue") else {
                    continue;
                };
                // "if you do not provide …", "如您不提供…": the user's refusal.
                if self.user_is_subject(&part[..cue.start()]) {
                    continue;
                }
                // "这些信息不提供不影响购物", "不提供将无法使用": not providing is the
                // user's choice, told by its consequence.
                if std::ptr::eq(re, &self.neg_zh)
                    && caps.name("s").is_some_and(|v| v.as_str() == "提供")
                    && caps
                        .get(0)
                        .and_then(|m| part.get(m.end()..))
                        .is_some_and(|rest| rest.contains("影响") || rest.contains("无法"))
                {
                    continue;
                }
                if std::ptr::eq(re, &self.neg_use_en) {
                    let rest = caps
                        .get(0)
                        .map_or("", |m| part.get(m.end()..).unwrap_or(""));
                    if caps
                        .name("bare")
                        .is_some_and(|noun| !not_using_bare(noun.as_str(), rest))
                    {
                        continue;
                    }
                    return Some((VerbClass::Collect, cue.start()));
                }
                if caps.name("c").is_some() || caps.name("h").is_some() {
                    return Some((VerbClass::Collect, 0));
                }
                if caps.name("s").is_some() {
                    return Some((VerbClass::Share, 0));
                }
            }
        }
        None
    }

    /// Whether the user is the subject just before a negation cue ("如您不提供", "if you
    /// do not provide"): the user's refusal, not the app's denial. The user named in a
    /// condition of consent ("经您的许可不会泄露", "未经您同意不会共享") is no subject.
    fn user_is_subject(&self, before: &str) -> bool {
        self.clause_subject.find(before).is_some_and(|m| {
            let ahead = &before[..m.start()];
            !["经", "得到", "征得", "获得", "取得"]
                .iter()
                .any(|w| ahead.ends_with(w))
        })
    }

    pub(super) fn is_conditional(&self, sentence: &str) -> bool {
        self.conditional_en.is_match(sentence) || self.conditional_zh.is_match(sentence)
    }

    pub(super) fn first_person_collect(&self, sentence: &str) -> bool {
        self.first_person_collect.is_match(sentence)
    }

    pub(super) fn shares_with_party(&self, sentence: &str) -> bool {
        self.share_to_party.is_match(sentence)
    }

    pub(super) fn consent_share(&self, sentence: &str) -> bool {
        // Public disclosure with consent is not sharing with a party.
        !sentence.to_lowercase().contains("public")
            && !sentence.contains("公开")
            && self.consent_share.is_match(sentence)
    }

    pub(super) fn consent_collect(&self, sentence: &str) -> bool {
        self.consent_collect.is_match(sentence)
    }

    /// `Some(true)` for an encryption claim that covers data in transit (explicitly, or
    /// as a general claim about personal information); `Some(false)` for a claim that is
    /// only about storage; `None` when the sentence makes no positive claim.
    pub(super) fn encryption(&self, sentence: &str) -> Option<bool> {
        if !self.encryption.is_match(sentence) || self.encryption_negated.is_match(sentence) {
            return None;
        }
        if self.transit.is_match(sentence) {
            return Some(true);
        }
        if self.at_rest.is_match(sentence) {
            return Some(false);
        }
        Some(true)
    }

    pub(super) fn is_transit_explicit(&self, sentence: &str) -> bool {
        self.transit.is_match(sentence)
    }

    /// Storage regions named in a sentence about where data is stored, in text order.
    pub(super) fn regions(&self, sentence: &str) -> Vec<&'static str> {
        if !self.storage_verb.is_match(sentence) {
            return Vec::new();
        }
        let mut found: Vec<(usize, &'static str)> = self
            .regions
            .iter()
            .filter_map(|(re, code)| re.find(sentence).map(|m| (m.start(), *code)))
            .collect();
        found.sort_by_key(|&(pos, _)| pos);
        found.into_iter().map(|(_, code)| code).collect()
    }

    pub(super) fn is_retention_sentence(&self, sentence: &str, explicit_only: bool) -> bool {
        if explicit_only {
            self.retention_explicit.is_match(sentence)
        } else {
            self.retention_cue.is_match(sentence)
        }
    }

    pub(super) fn is_open_ended(&self, sentence: &str) -> bool {
        self.open_ended.is_match(sentence)
    }

    pub(super) fn is_minimum(&self, sentence: &str) -> bool {
        self.minimum.is_match(sentence)
    }

    /// The first retention duration in days (months count 30 days, years 365); working
    /// days and calendar dates are not retention periods.
    pub(super) fn duration_days(&self, sentence: &str) -> Option<u32> {
        let masked = self.cn_date.replace_all(sentence, " ");
        let mut found: Vec<(usize, u32)> = Vec::new();
        for caps in self.duration_en.captures_iter(&masked) {
            if caps.name("kind").is_some_and(|k| {
                matches!(
                    k.as_str().trim().to_lowercase().as_str(),
                    "working" | "business"
                )
            }) {
                continue;
            }
            let (Some(n), Some(unit), Some(whole)) =
                (caps.name("n"), caps.name("unit"), caps.get(0))
            else {
                continue;
            };
            let Some(count) = english_number(n.as_str()) else {
                continue;
            };
            let unit = unit.as_str().to_lowercase();
            if let Some(days) = to_days(count, &unit) {
                found.push((whole.start(), days));
            }
        }
        for caps in self.duration_zh.captures_iter(&masked) {
            let (Some(n), Some(unit), Some(whole)) =
                (caps.name("n"), caps.name("unit"), caps.get(0))
            else {
                continue;
            };
            let unit = unit.as_str();
            if unit.contains("工作日") {
                continue;
            }
            let count = if n.as_str() == "半" {
                Some(HALF)
            } else {
                chinese_number(n.as_str())
            };
            let Some(count) = count else {
                continue;
            };
            let unit = match unit {
                "天" | "日" | "个自然日" | "自然日" => "days",
                "周" | "星期" | "个星期" => "weeks",
                "个月" | "月" => "months",
                _ => "years",
            };
            if let Some(days) = to_days(count, unit) {
                found.push((whole.start(), days));
            }
        }
        found.sort_by_key(|&(pos, _)| pos);
        found.first().map(|&(_, d)| d)
    }

    /// `YYYY-MM-DD` from a "Release Date: 2021/8/13" / "更新日期：2021年8月13日" line.
    pub(super) fn policy_date(&self, sentence: &str) -> Option<String> {
        let (y, m, d) = if let Some(caps) = self.policy_date.captures(sentence) {
            (
                caps.name("y")?.as_str().parse::<u32>().ok()?,
                caps.name("m")?.as_str().parse::<u32>().ok()?,
                caps.name("d")?.as_str().parse::<u32>().ok()?,
            )
        } else {
            // "Last updated: March 3, 2024" / "Effective 3 March 2024".
            let caps = self.month_date.captures(sentence)?;
            const MONTHS: [&str; 12] = [
                "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
            ];
            let mon = caps.name("mon")?.as_str().to_lowercase();
            let m = MONTHS.iter().position(|&x| x == mon)? as u32 + 1;
            let d = caps
                .name("d1")
                .or_else(|| caps.name("d2"))?
                .as_str()
                .parse::<u32>()
                .ok()?;
            (caps.name("y")?.as_str().parse::<u32>().ok()?, m, d)
        };
        if !(1990..=2100).contains(&y) || !(1..=12).contains(&m) || !(1..=31).contains(&d) {
            return None;
        }
        Some(format!("{y:04}-{m:02}-{d:02}"))
    }

    /// The text with URLs blanked (same byte length), so that "https" is not TLS and a
    /// vendor's domain in a link is not a mention of its SDK.
    pub(super) fn mask_urls(&self, text: &str) -> String {
        let mut out = text.to_string();
        for m in self.url.find_iter(text) {
            out.replace_range(m.start()..m.end(), &" ".repeat(m.end() - m.start()));
        }
        out
    }

    /// Host names of the URLs in a sentence.
    pub(super) fn url_hosts(&self, text: &str) -> Vec<String> {
        self.url
            .find_iter(text)
            .filter_map(|m| {
                let s = m.as_str();
                let s = s.split_once("://").map(|(_, rest)| rest).unwrap_or(s);
                let host = s.split(['/', ':', '?', '#']).next()?;
                let host = host.trim_end_matches('.').to_lowercase();
                (host.contains('.')).then_some(host)
            })
            .collect()
    }

    /// Items of the enumeration in a sentence that no phrase covered; `covered` has the
    /// matched spans replaced by U+0001. Only short items are reported: long ones are
    /// prose, not list entries.
    /// List items no phrase covered, with their byte range in `covered`.
    pub(super) fn unmatched_items(&self, covered: &str) -> Vec<(usize, usize, String)> {
        let Some(start) = self.enumeration_start.find_iter(covered).last() else {
            return Vec::new();
        };
        let tail = &covered[start.end()..];
        let tail = tail.split(['.', '。']).next().unwrap_or(tail);
        let mut out = Vec::new();
        for item in self.item_split.split(tail) {
            let item = item
                .trim_matches(|c: char| c.is_whitespace() || matches!(c, '*' | '_' | '`'))
                .trim_start_matches("the ")
                .trim_start_matches("your ")
                .trim_start_matches("您的")
                .trim_end_matches("etc")
                .trim_end_matches('等')
                .trim();
            if !item.chars().any(|c| c.is_alphanumeric()) || item.contains('\u{1}') {
                continue;
            }
            let words = item.split_whitespace().count();
            let cjk = item.chars().filter(|&c| is_cjk(c)).count();
            let short = if cjk > 0 {
                cjk <= 10
            } else {
                (1..=4).contains(&words)
            };
            let lower = item.to_lowercase();
            let filler = lower.starts_with("other")
                || lower.starts_with("etc")
                // "(e.g. IP address)", "including, but not limited to": no item.
                || matches!(lower.as_str(), "e" | "i" | "g" | "ie" | "eg")
                || lower.contains("limited to")
                || lower.contains("information such as")
                || item.starts_with("其他")
                || item.starts_with("其它")
                || item.ends_with("等信息")
                || matches!(lower.as_str(), "information" | "信息" | "data" | "etc.");
            if short && !filler {
                let start = (item.as_ptr() as usize).saturating_sub(covered.as_ptr() as usize);
                out.push((start, start + item.len(), item.to_string()));
            }
        }
        out
    }
}

/// Half a year / 半年, counted in months so that it becomes 180 days like "6 months".
const HALF: u32 = u32::MAX;

fn to_days(count: u32, unit: &str) -> Option<u32> {
    if count == HALF {
        return match unit.trim_end_matches('s') {
            "year" => Some(180),
            "month" => Some(15),
            "day" => None,
            "week" => Some(3),
            _ => None,
        };
    }
    let per = match unit.trim_end_matches('s') {
        "day" => 1,
        "week" => 7,
        "month" => 30,
        "year" => 365,
        _ => return None,
    };
    count.checked_mul(per).filter(|&d| d > 0)
}

fn english_number(s: &str) -> Option<u32> {
    let lower = s.to_lowercase();
    if let Ok(n) = lower.parse::<u32>() {
        return Some(n);
    }
    Some(match lower.as_str() {
        "a" | "one" => 1,
        "half a" => HALF,
        "two" => 2,
        "three" => 3,
        "four" => 4,
        "five" => 5,
        "six" => 6,
        "seven" => 7,
        "eight" => 8,
        "nine" => 9,
        "ten" => 10,
        "eleven" => 11,
        "twelve" => 12,
        "fifteen" => 15,
        "eighteen" => 18,
        "twenty" => 20,
        "twenty-four" => 24,
        "thirty" => 30,
        "sixty" => 60,
        "ninety" => 90,
        _ => return None,
    })
}

/// Chinese numerals up to 9999 (两年, 十二个月, 一百八十天) and plain digits.
pub(super) fn chinese_number(s: &str) -> Option<u32> {
    if let Ok(n) = s.parse::<u32>() {
        return Some(n);
    }
    let digit = |c: char| -> Option<u32> {
        Some(match c {
            '零' | '〇' => 0,
            '一' => 1,
            '二' | '两' => 2,
            '三' => 3,
            '四' => 4,
            '五' => 5,
            '六' => 6,
            '七' => 7,
            '八' => 8,
            '九' => 9,
            _ => return None,
        })
    };
    let mut total = 0u32;
    let mut current = 0u32;
    let mut any = false;
    for c in s.chars() {
        match c {
            '十' | '百' | '千' => {
                let unit = match c {
                    '十' => 10,
                    '百' => 100,
                    _ => 1000,
                };
                let n = if current == 0 { 1 } else { current };
                total = total.checked_add(n.checked_mul(unit)?)?;
                current = 0;
            }
            _ => {
                current = current.checked_mul(10)?.checked_add(digit(c)?)?;
            }
        }
        any = true;
    }
    if !any {
        return None;
    }
    total.checked_add(current)
}

/// Whether "not use" + a bare word denies a thing: "does not use device identifiers",
/// "we don't use cookies". Not a pronoun or determiner ("not use your email"), and no
/// purpose or occasion after it ("do not use location for ads", "not use cookies to
/// track you", "does not use it when…"), which would make it a statement about use.
fn not_using_bare(noun: &str, rest: &str) -> bool {
    const NOT_A_THING: [&str; 16] = [
        "your", "our", "their", "his", "her", "its", "it", "them", "this", "that", "these",
        "those", "such", "personal", "or", "and",
    ];
    const PURPOSE: [&str; 8] = [
        " for ",
        " to ",
        " in order ",
        " when ",
        " if ",
        " unless ",
        " except ",
        " other than ",
    ];
    let rest = format!(" {} ", rest.to_lowercase());
    !NOT_A_THING.contains(&noun.to_lowercase().as_str())
        && !PURPOSE.iter().any(|w| rest.contains(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p() -> Patterns {
        match Patterns::new() {
            Ok(p) => p,
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn chinese_numbers() {
        assert_eq!(chinese_number("两"), Some(2));
        assert_eq!(chinese_number("十二"), Some(12));
        assert_eq!(chinese_number("一百八十"), Some(180));
        assert_eq!(chinese_number("三十"), Some(30));
        assert_eq!(chinese_number("6"), Some(6));
    }

    #[test]
    fn durations() {
        let p = p();
        assert_eq!(
            p.duration_days("we will store the data for a period of 6 months, which is convenient"),
            Some(180)
        );
        assert_eq!(p.duration_days("保存期限为两年"), Some(730));
        assert_eq!(
            p.duration_days("we will delete it within 3 working days"),
            None
        );
        assert_eq!(p.duration_days("自2021年8月13日起保存六个月"), Some(180));
        assert_eq!(p.duration_days("日志保存不少于半年"), Some(180));
    }

    #[test]
    fn negations() {
        let p = p();
        assert_eq!(
            p.negation("我们不会收集您的精确位置").map(|n| n.0),
            Some(VerbClass::Collect)
        );
        assert_eq!(
            p.negation("we do not collect your location").map(|n| n.0),
            Some(VerbClass::Collect)
        );
        assert_eq!(
            p.negation("We will not publicly disclose the personal information")
                .map(|n| n.0),
            Some(VerbClass::Share)
        );
        // Not asking for a permission denies what it would read.
        assert_eq!(
            p.negation("我们不会申请读取短信、通话记录或日历的权限")
                .map(|n| n.0),
            Some(VerbClass::Collect)
        );
        assert_eq!(p.negation("如您不申请该权限").map(|n| n.0), None);
        assert_eq!(p.negation("如果您不提供手机号码").map(|n| n.0), None);
        assert_eq!(
            p.negation("if you do not provide your phone number")
                .map(|n| n.0),
            None
        );
        assert_eq!(
            p.negation("without your consent, we will not The status of your permission settings will be changed").map(|n| n.0),
            None
        );
        assert_eq!(
            p.negation("我们不会向第三方提供您的通讯录").map(|n| n.0),
            Some(VerbClass::Share)
        );
        // Not using a named thing denies it; a negation further off, a purpose or the
        // user's own choice does not.
        for denial in [
            "We do not use the Facebook SDK or Google's advertising ID",
            "It does not use Google Play Services, Firebase or any advertising SDK",
            "an analytics tool that does not use device identifiers",
            "We don't use cookies.",
        ] {
            assert_eq!(
                p.negation(denial).map(|n| n.0),
                Some(VerbClass::Collect),
                "{denial}"
            );
        }
        assert_eq!(p.negation("这些信息不提供不影响购物").map(|n| n.0), None);
        assert_eq!(
            p.negation("此类信息不提供将无法使用该功能").map(|n| n.0),
            None
        );
        assert_eq!(
            p.negation("我们不会提供您的手机号码给广告商").map(|n| n.0),
            Some(VerbClass::Share)
        );
        for not_denial in [
            "If your information is not current, please use the Contact Us option",
            "we do not use your email address for marketing",
            "if you do not use the app for a year",
            "we do not use location data for advertising",
            "we do not use it",
        ] {
            assert_eq!(p.negation(not_denial).map(|n| n.0), None, "{not_denial}");
        }
        let s = "Parkwise doesn't read your contacts and does not use the microphone";
        assert_eq!(p.negation(s), Some((VerbClass::Collect, 0)));
        // Not using a thing reaches only what follows the cue.
        let s = "We count usage events with Tallybird, a tool that does not use device identifiers";
        let scope = p.negation(s).map(|n| n.1);
        assert_eq!(scope, s.find("not use"));
    }

    #[test]
    fn parts_split_on_contrast() {
        let p = p();
        let s = "我们不会收集您的精确位置，但会收集您的IP地址";
        let parts = p.parts(s);
        assert_eq!(parts.len(), 2);
        assert!(s[parts[0].0..parts[0].1].contains("精确位置"));
        assert!(s[parts[1].0..parts[1].1].contains("IP地址"));
        // "…, so X never …" is a clause of its own: the negation stays in it.
        let s = "Your search terms are sent to Gifly through our proxy, so Gifly never sees your IP address.";
        let parts = p.parts(s);
        assert_eq!(parts.len(), 2);
        assert!(s[parts[0].0..parts[0].1].contains("search terms"));
        assert!(
            p.negation(&s[parts[0].0..parts[0].1])
                .map(|n| n.0)
                .is_none()
        );
    }

    #[test]
    fn no_before_a_data_type() {
        let p = p();
        let s = "in particular no health data and no biometric data";
        assert_eq!(p.no_before(&s[..s.find("health").unwrap_or(0)]), Some(14));
        assert!(p.no_before("We collect no precise ").is_some());
        // "no longer", "No." and a "no" further back deny nothing.
        assert!(p.no_before("we no longer keep your ").is_none());
        assert!(p.no_before("no changes to your ").is_none());
    }

    #[test]
    fn promises() {
        let p = p();
        assert_eq!(
            p.encryption("Including that we will use encryption technology and anonymization methods to protect your personal information."),
            Some(true)
        );
        assert_eq!(p.encryption("我们会对您的密码加密存储"), Some(false));
        assert_eq!(p.encryption("数据以明文传输，不加密"), None);
        assert_eq!(
            p.regions("Seeyon and Seeyon related parties will store personal information collected and generated in China in mainland China"),
            vec!["CN"]
        );
        assert_eq!(p.regions("存储在中华人民共和国境内"), vec!["CN"]);
        assert_eq!(
            p.regions("Data is stored on servers in Singapore and the United States."),
            vec!["SG", "US"]
        );
        assert!(p.consent_collect("我们会在您同意隐私政策后才开始收集您的信息。"));
        assert!(p.consent_collect("No data is collected until you agree to the privacy policy."));
        assert!(
            p.consent_collect("We will ask for your consent before collecting any personal data.")
        );
        assert!(p.consent_collect(
            "Before collecting personal information we obtain your explicit consent."
        ));
        assert!(!p.consent_collect("We ask for your consent to send you newsletters."));
        assert!(p.is_retention_sentence("日志信息保存6个月", true));
        assert!(p.consent_share(
            "With your prior consent, we may share your personal information with third parties;"
        ));
        assert!(!p.consent_share(
            "If public disclosure is necessary, we will obtain your express consent and disclose"
        ));
        assert!(p.consent_collect("在您同意本隐私政策之前，我们不会收集您的任何个人信息。"));
        assert!(!p.consent_collect("without your consent, we will not The status of your permission settings will be changed"));
        assert_eq!(
            p.policy_date("Release Date: 2021/8/13"),
            Some("2021-08-13".to_string())
        );
        assert_eq!(
            p.policy_date("更新日期：2023年5月10日"),
            Some("2023-05-10".to_string())
        );
    }
}
