//! The lexicon: how policies name data types (from `signatures/datatypes.toml`) and
//! third parties (from `signatures/sdks/*.toml`), compiled once into matchers.
//!
//! Data-type phrases match longest first, with ASCII word boundaries so that `GUID`
//! does not fire inside "guidelines" while `IMEI号` still matches. SDK names are not
//! written the same way twice ("友盟统计", "友盟+SDK", "Umeng U-App Analytics"), so
//! besides the exact names the lexicon derives brand names per vendor file and resolves
//! a brand mention to one SDK by the product word next to it ("友盟" + "推送").

use std::collections::{BTreeMap, HashMap, HashSet};

use regex::Regex;
use serde::Deserialize;

use super::ExtractError;
use super::phrase_match::{Phrase, PhraseMatcher};
use super::practice::{DEFAULT_POLICY_PHRASES, PracticeWords};
use super::rules::Patterns;
use super::segment::is_cjk;

#[derive(Debug, Clone)]
pub(super) struct TypeEntry {
    pub id: String,
    pub parent: Option<String>,
}

#[derive(Debug, Clone)]
pub(super) struct SdkEntry {
    pub id: String,
    pub name: String,
    pub name_zh: Option<String>,
    pub category: String,
    pub vendor: usize,
    /// Other names policies give it (`policy_names`).
    pub policy_names: Vec<String>,
    /// Registrable domains of its hosts and of its privacy-policy page: an SDK list's
    /// link names the SDK when its name does not.
    pub domains: Vec<String>,
}

#[derive(Debug, Clone)]
pub(super) struct VendorEntry {
    pub file: String,
    pub sdks: Vec<usize>,
}

#[derive(Debug, Clone, PartialEq)]
pub(super) enum AliasTarget {
    Sdk(usize),
    /// A brand shared by a vendor's SDKs; `default` is the SDK named like the brand.
    Vendor {
        vendor: usize,
        default: Option<usize>,
    },
    GenericSdk,
    GenericThirdParty,
}

/// Data-type phrases and party names with the matchers built from them.
#[derive(Debug)]
pub struct Lexicon {
    types: Vec<TypeEntry>,
    phrase_index: HashMap<String, Vec<usize>>,
    phrases: Option<PhraseMatcher>,
    bare_en: Regex,
    bare_zh: Regex,
    bare_index: HashMap<String, Vec<usize>>,
    sdks: Vec<SdkEntry>,
    vendors: Vec<VendorEntry>,
    alias_index: HashMap<String, AliasTarget>,
    aliases: Option<PhraseMatcher>,
    pub(super) patterns: Patterns,
    pub(super) practice: PracticeWords,
}

#[derive(Deserialize)]
struct RawDatatypes {
    #[serde(rename = "type", default)]
    types: Vec<RawType>,
}

#[derive(Deserialize)]
struct RawType {
    id: String,
    #[serde(default)]
    parent: Option<String>,
    #[serde(default)]
    phrases_en: Vec<String>,
    #[serde(default)]
    phrases_zh: Vec<String>,
    /// Words that name the type only as an item of a list ("name" in "such as name,
    /// phone number"; "浏览" in "浏览、点击、搜索"), never in running text.
    #[serde(default)]
    list_phrases_en: Vec<String>,
    #[serde(default)]
    list_phrases_zh: Vec<String>,
}

#[derive(Deserialize)]
struct RawSdkFile {
    #[serde(default)]
    vendor: Option<String>,
    #[serde(default)]
    vendor_zh: Option<String>,
    #[serde(default)]
    sdk: Vec<RawSdk>,
}

#[derive(Deserialize)]
struct RawSdk {
    id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    name_zh: Option<String>,
    #[serde(default)]
    category: Option<String>,
    #[serde(default)]
    domains: Vec<String>,
    #[serde(default)]
    privacy_policy: Option<String>,
    #[serde(default)]
    policy_names: Vec<String>,
}

/// Words that say what an SDK does; they never identify a vendor on their own.
const GENERIC_EN: &[&str] = &[
    // Ordinary words that SDK names contain ("Tencent Beacon", "Ocean Engine", "Audience
    // Network", "Kuaishou Alliance"): "web beacon" in a cookie section is no SDK.
    "beacon",
    "beacons",
    "engine",
    "audience",
    "alliance",
    "sdk",
    "sdks",
    "app",
    "apps",
    "kit",
    "push",
    "ads",
    "ad",
    "rtc",
    "im",
    "api",
    "mobile",
    "cloud",
    "open",
    "core",
    "service",
    "play",
    "auth",
    "services",
    "analytics",
    "platform",
    "login",
    "share",
    "payment",
    "pay",
    "crash",
    "reporting",
    "legacy",
    "incl",
    "with",
    "and",
    "the",
    "for",
    "map",
    "search",
    "navigation",
    "location",
    "one-click",
    "number",
    "verification",
    "authentication",
    "monitor",
    "monitoring",
    "performance",
    "device",
    "identifier",
    "channel",
    "client",
    "messaging",
    "notification",
    "customer",
    "chat",
    "testing",
    "config",
    "remote",
    "measurement",
    "tag",
    "manager",
    "deep",
    "linking",
    "attribution",
    "install",
    "subscriptions",
    "paywalls",
    "purchases",
    "captcha",
    "fingerprint",
    "anti-cheat",
    "risk",
    "security",
    "guard",
    "browsing",
    "webview",
    "events",
    "event",
    "mediation",
    "ex",
    "statistics",
    "sign-in",
    "application",
    "monitor",
    "bug",
    "supplementary",
    "stream",
    "streaming",
    "player",
    "live",
    "base",
    "update",
    "gallery",
    "connect",
    "id",
    "account",
    "network",
    "ads",
    "data",
    "pipeline",
    "observability",
    "ios",
    "android",
    "tracking",
    "deferred",
    "link",
    "a",
    "b",
    "of",
    "in",
    "group",
    "technologies",
    "software",
    "inc",
    "ltd",
    "llc",
    "corp",
    "gmbh",
    "pte",
    // Ordinary words that name no vendor alone and occur in any policy: "Audio,
    // electronic, visual or similar information", "AI and speech processing", "New
    // York", "credit union", "Visual Studio App Center".
    "visual",
    "studio",
    "center",
    "speech",
    "union",
    "ocean",
    "conversion",
    "new",
    "lens",
    "crashes",
];

/// Chinese product words stripped from the end of a Chinese SDK name to find its brand
/// ("百度移动统计" → "百度"); longest first.
const GENERIC_ZH_SUFFIX: &[&str] = &[
    "安装来源追踪",
    "长连接通道",
    "移动可观测性",
    "应用性能监控",
    "统计分析",
    "消息推送",
    "广告联盟",
    "一键登录",
    "一键认证",
    "即时通讯",
    "即时通信",
    "设备指纹",
    "设备标识",
    "错误监控",
    "性能监控",
    "性能监测",
    "移动监控",
    "开放平台",
    "问题反馈",
    "订阅管理",
    "用户互动",
    "深度链接",
    "数据管道",
    "实时音视频",
    "无感验证",
    "远程配置",
    "浏览服务",
    "基础",
    "归因",
    "统计",
    "分析",
    "推送",
    "广告",
    "联盟",
    "客服",
    "地图",
    "定位",
    "登录",
    "认证",
    "分享",
    "支付",
    "监控",
    "服务",
    "云",
    "移动",
    "手机",
    "应用",
    "号码",
    "帐号",
    "账号",
    "互联",
];

/// Short forms that are not brands even though SDK names start with them.
const ZH_STOP: &[&str] = &[
    "中国", "第三", "我们", "用户", "设备", "个人", "移动", "手机",
];

/// Vendor names that are ordinary English words: matched only as written ("Adjust").
const COMMON_WORDS: &[&str] = &[
    "branch", "segment", "adjust", "embrace", "singular", "unity", "sentry", "airship", "agora",
    "flurry", "braze", "meta", "yahoo",
    // "We honor Do Not Track signals" is no Honor push.
    "honor",
];

const GENERIC_SDK_TERMS: &[&str] = &[
    "第三方SDK",
    "第三方 SDK",
    "SDK",
    "SDKs",
    "software development kit",
    "software development kits",
    "第三方插件",
    "third-party plug-in",
    "third-party plug-ins",
    "third-party code",
    "软件开发工具包",
];

const GENERIC_PARTY_TERMS: &[&str] = &[
    "third party",
    "third parties",
    "third-party",
    "third-parties",
    "partner",
    "partners",
    "business partners",
    "affiliates",
    "affiliated companies",
    "related parties",
    "related party",
    "service providers",
    "合作伙伴",
    "合作方",
    "第三方",
    "关联方",
    "关联公司",
    "服务提供商",
    "授权合作伙伴",
];

impl Lexicon {
    /// Builds the lexicon from the ontology file and the SDK signature files
    /// (`(file name, contents)` pairs; each file is one vendor).
    pub fn from_files(
        datatypes_toml: &str,
        sdk_tomls: &[(String, String)],
    ) -> Result<Lexicon, ExtractError> {
        let raw: RawDatatypes =
            toml::from_str(datatypes_toml).map_err(|e| ExtractError::Lexicon {
                file: "datatypes.toml".to_string(),
                message: e.to_string(),
            })?;
        let mut types = Vec::new();
        let mut by_id: HashMap<String, usize> = HashMap::new();
        let mut phrase_index: HashMap<String, Vec<usize>> = HashMap::new();
        let mut spellings: Vec<(String, bool)> = Vec::new();
        let mut bare_index: HashMap<String, Vec<usize>> = HashMap::new();
        let mut bare_words: (Vec<String>, Vec<String>) = (Vec::new(), Vec::new());
        for t in raw.types {
            if t.id.trim().is_empty() || by_id.contains_key(&t.id) {
                return Err(ExtractError::Lexicon {
                    file: "datatypes.toml".to_string(),
                    message: format!("empty or duplicate type id {:?}", t.id),
                });
            }
            let idx = types.len();
            by_id.insert(t.id.clone(), idx);
            for phrase in t.phrases_en.iter().chain(&t.phrases_zh) {
                let key = normalise_phrase(phrase);
                if key.is_empty() {
                    continue;
                }
                spellings.push((phrase.trim().to_string(), is_acronym(phrase.trim())));
                let ids = phrase_index.entry(key).or_default();
                if !ids.contains(&idx) {
                    ids.push(idx);
                }
            }
            for (words, list) in [
                (&t.list_phrases_en, &mut bare_words.0),
                (&t.list_phrases_zh, &mut bare_words.1),
            ] {
                for w in words.iter().map(|w| w.trim()).filter(|w| !w.is_empty()) {
                    let key = w.to_lowercase();
                    let ids = bare_index.entry(key).or_default();
                    if !ids.contains(&idx) {
                        ids.push(idx);
                    }
                    list.push(regex::escape(w));
                }
            }
            types.push(TypeEntry {
                id: t.id,
                parent: t.parent,
            });
        }
        for t in &types {
            if let Some(p) = &t.parent
                && !by_id.contains_key(p)
            {
                return Err(ExtractError::Lexicon {
                    file: "datatypes.toml".to_string(),
                    message: format!("type {} has unknown parent {p}", t.id),
                });
            }
        }
        // English phrases of several words, and acronyms, also match their plural
        // ("device identifiers", "IMEIs"); single words do not ("departments" of the
        // government are not the user's department).
        let spellings: Vec<Phrase> = spellings
            .into_iter()
            .map(|(p, cs)| {
                let plural = p.is_ascii()
                    && p.ends_with(|c: char| c.is_ascii_alphabetic())
                    && (cs || p.contains(' '));
                Phrase {
                    spelling: p,
                    case_sensitive: cs,
                    plural,
                }
            })
            .collect();
        let phrases = PhraseMatcher::new(&spellings).map_err(ExtractError::Pattern)?;

        // Longest first, so "phone number" is tried before "phone".
        for list in [&mut bare_words.0, &mut bare_words.1] {
            list.sort_by_key(|w| std::cmp::Reverse(w.len()));
            list.dedup();
            if list.is_empty() {
                // Matches nothing.
                list.push(r"[^\s\S]".to_string());
            }
        }
        let bare_en = compile(&format!(
            r"(?i)(?:^|[,;:、，：(（/]|(?-u:\b)(?:such as|including|include|includes|and|or|your|as well as)(?-u:\b))\s*(?:your\s+)?({})\s*(?:[,;.、，。)）/]|(?-u:\b)(?:and|or|etc)(?-u:\b)|$)",
            bare_words.0.join("|")
        ))?;
        // A bare word also ends a list where the clause goes on to say what for or when:
        // "会员名和密码用于创建账户", "手机号码及密码以验证您的身份", "填写服务商及密码时".
        // Markdown emphasis may stand around it: "设备上的 **照片、媒体内容或文件**".
        let bare_zh = compile(&format!(
            r"(?i)(?:^|[、，,：:（(和及与或/])[\s*]*({})[\s*]*(?:[、，,。；;）)和及与或等/]|用于|以(?:便|验证|确认|完成|核实|登录|创建)|时|来|去|作为|$)",
            bare_words.1.join("|")
        ))?;

        let mut sdks = Vec::new();
        let mut vendors = Vec::new();
        let mut vendor_names: Vec<(Option<String>, Option<String>)> = Vec::new();
        for (file, text) in sdk_tomls {
            let raw: RawSdkFile = toml::from_str(text).map_err(|e| ExtractError::Lexicon {
                file: file.clone(),
                message: e.to_string(),
            })?;
            let vendor = vendors.len();
            let mut members = Vec::new();
            for s in raw.sdk {
                if s.id.trim().is_empty() {
                    return Err(ExtractError::Lexicon {
                        file: file.clone(),
                        message: "SDK with an empty id".to_string(),
                    });
                }
                members.push(sdks.len());
                let mut domains: Vec<String> = s
                    .domains
                    .iter()
                    .chain(
                        s.privacy_policy
                            .as_deref()
                            .and_then(super::sdk_list::url_host)
                            .as_ref(),
                    )
                    .filter_map(|h| crate::sdk::attribution::registrable_domain(h))
                    .collect();
                domains.sort();
                domains.dedup();
                sdks.push(SdkEntry {
                    id: s.id,
                    name: s.name,
                    name_zh: s.name_zh,
                    category: s.category.unwrap_or_default(),
                    vendor,
                    policy_names: s.policy_names,
                    domains,
                });
            }
            vendors.push(VendorEntry {
                file: file.clone(),
                sdks: members,
            });
            vendor_names.push((raw.vendor, raw.vendor_zh));
        }

        let (alias_index, alias_spellings) =
            build_aliases(&sdks, &vendors, &vendor_names, &phrase_index);
        let alias_phrases: Vec<Phrase> = alias_spellings
            .into_iter()
            .map(|(a, cs)| Phrase {
                spelling: a,
                case_sensitive: cs,
                plural: false,
            })
            .collect();
        let aliases = PhraseMatcher::new(&alias_phrases).map_err(ExtractError::Pattern)?;

        Lexicon {
            types,
            phrase_index,
            phrases,
            bare_en,
            bare_zh,
            bare_index,
            sdks,
            vendors,
            alias_index,
            aliases,
            patterns: Patterns::new()?,
            practice: PracticeWords::parse(
                DEFAULT_POLICY_PHRASES,
                "signatures/policy-phrases.toml",
            )?,
        }
        .checked_ids(DEFAULT_POLICY_PHRASES, "signatures/policy-phrases.toml")
    }

    /// Replaces the built-in practice words with a `policy-phrases.toml` of the user's.
    pub fn with_policy_phrases(mut self, text: &str, file: &str) -> Result<Lexicon, ExtractError> {
        self.practice = PracticeWords::parse(text, file)?;
        self.checked_ids(text, file)
    }

    /// The phrase file's ontology ids must be ids of the data-type file: an unknown one
    /// is an error naming the file, its line and the closest id.
    fn checked_ids(self, text: &str, file: &str) -> Result<Lexicon, ExtractError> {
        let known: Vec<&str> = self.types.iter().map(|t| t.id.as_str()).collect();
        let unknown = self.practice.location_means.unknown_ids(&known).next();
        if let Some(wrong) = unknown {
            let line = crate::suggest::table_line_of_key(text, "location_means", "ids")
                .map(|l| format!(":{l}"))
                .unwrap_or_default();
            return Err(ExtractError::Lexicon {
                file: format!("{file}{line}"),
                message: format!("[location_means] ids: {wrong}"),
            });
        }
        Ok(self)
    }

    pub(super) fn type_id(&self, idx: usize) -> &str {
        self.types.get(idx).map(|t| t.id.as_str()).unwrap_or("")
    }

    /// The parent of an ontology id, for callers that fold children into parents.
    pub fn parent_of(&self, id: &str) -> Option<&str> {
        self.types
            .iter()
            .find(|t| t.id == id)
            .and_then(|t| t.parent.as_deref())
    }

    /// Number of data types and SDKs known, for diagnostics.
    pub fn sizes(&self) -> (usize, usize) {
        (self.types.len(), self.sdks.len())
    }

    pub(super) fn sdk(&self, idx: usize) -> Option<&SdkEntry> {
        self.sdks.get(idx)
    }

    /// The SDKs whose hosts or privacy-policy page share a registrable domain.
    pub(super) fn sdks_of_domain(&self, domain: &str) -> Vec<usize> {
        (0..self.sdks.len())
            .filter(|&i| self.sdks[i].domains.iter().any(|d| d == domain))
            .collect()
    }

    pub(super) fn vendor_file(&self, vendor: usize) -> &str {
        self.vendors
            .get(vendor)
            .map(|v| v.file.as_str())
            .unwrap_or("")
    }

    /// Data-type mentions in `text`, in order, non-overlapping, longest first.
    pub(super) fn find_types(&self, text: &str) -> Vec<TypeHit> {
        let mut hits = Vec::new();
        if let Some(matcher) = &self.phrases {
            for m in matcher.find(text) {
                let Some(ids) = self.phrase_index.get(m.key) else {
                    continue;
                };
                let before = text.get(..m.start).unwrap_or("");
                if m.key == "files" && follows_non_data_word(before) {
                    continue;
                }
                if self.practice.not_data.excludes(
                    before,
                    text.get(m.start..m.end).unwrap_or(""),
                    text.get(m.end..).unwrap_or(""),
                ) {
                    continue;
                }
                hits.push(TypeHit {
                    start: m.start,
                    end: m.end,
                    ids: ids.clone(),
                });
            }
        }
        // Bare enumeration words, looked for where no phrase matched.
        let mut masked = text.to_string();
        for h in &hits {
            masked.replace_range(h.start..h.end, &"\u{1}".repeat(h.end - h.start));
        }
        for re in [&self.bare_en, &self.bare_zh] {
            let mut pos = 0;
            while pos < masked.len() {
                let Some(caps) = re.captures_at(&masked, pos) else {
                    break;
                };
                let Some(word) = caps.get(1) else {
                    break;
                };
                let key = word.as_str().to_lowercase();
                // "stored only on your phone": a place, not an item of a list.
                let before = masked.get(..word.start()).unwrap_or("");
                let place = after_preposition_and_your(before);
                let not_data = self.practice.not_data.excludes(
                    before,
                    word.as_str(),
                    masked.get(word.end()..).unwrap_or(""),
                );
                // "公司与您一同致力于…": a sentence's subject joined to the reader, not an
                // item ("设备、浏览器或您使用的其他程序" stays one).
                let with_reader = before.trim().is_empty()
                    && masked
                        .get(word.end()..)
                        .map(str::trim_start)
                        .and_then(|rest| rest.strip_prefix(['和', '与']))
                        .is_some_and(|rest| rest.starts_with(['您', '你']));
                if !place
                    && !not_data
                    && !with_reader
                    && let Some(ids) = self.bare_index.get(&key)
                {
                    hits.push(TypeHit {
                        start: word.start(),
                        end: word.end(),
                        ids: ids.clone(),
                    });
                }
                pos = word.end().max(pos + 1);
                while pos < masked.len() && !masked.is_char_boundary(pos) {
                    pos += 1;
                }
            }
        }
        hits.sort_by_key(|h| h.start);
        hits.retain(|h| {
            !self.practice.in_purpose_clause(text, h.start, h.end)
                && !self.practice.is_spared_effort(text, h.start)
                && !self.practice.is_excepted(text, h.start)
        });
        let means = &self.practice.location_means;
        if !means.ids.is_empty() {
            hits.retain(|h| {
                !(h.ids
                    .iter()
                    .all(|&i| means.ids.iter().any(|id| id == self.type_id(i)))
                    && means.names_means(text, h.start, h.end))
            });
        }
        hits
    }

    /// Party mentions in `text`: named SDKs, vendor brands, generic SDK/third-party terms.
    pub(super) fn find_parties(&self, text: &str) -> Vec<PartyMention> {
        let Some(matcher) = &self.aliases else {
            return Vec::new();
        };
        let mut out: Vec<PartyMention> = Vec::new();
        for m in matcher.find(text) {
            let Some(target) = self.alias_index.get(m.key) else {
                continue;
            };
            // "友盟+SDK", "Bugly SDK", "友盟统计SDK": the generic word and the product
            // words before it belong to the name.
            if matches!(target, AliasTarget::GenericSdk)
                && let Some(prev) = out.last_mut()
                && !matches!(
                    prev.target,
                    AliasTarget::GenericSdk | AliasTarget::GenericThirdParty
                )
                && m.start >= prev.end
                && m.start - prev.end <= 12
                && text[prev.end..m.start].chars().all(|c| {
                    matches!(c, '+' | ' ' | '＋' | '-') || is_cjk(c) || c.is_ascii_alphanumeric()
                })
            {
                prev.end = m.end;
                prev.text = text[prev.start..prev.end].to_string();
                continue;
            }
            out.push(PartyMention {
                start: m.start,
                end: m.end,
                alias_end: m.end,
                target: target.clone(),
                text: text.get(m.start..m.end).unwrap_or("").to_string(),
            });
        }
        out
    }

    /// Picks the SDK a brand mention means from the product word after it.
    pub(super) fn resolve_vendor(
        &self,
        vendor: usize,
        default: Option<usize>,
        brand: &str,
        following: &str,
    ) -> Result<usize, Vec<usize>> {
        let Some(v) = self.vendors.get(vendor) else {
            return Err(Vec::new());
        };
        if let [only] = v.sdks.as_slice() {
            return Ok(*only);
        }
        // "友盟+ SDK（友盟同欣（北京）科技有限公司）：为了统计分析": the product words may
        // follow a company in brackets, so the words after the brackets count too.
        // The look-ahead is bounded: a long unclosed bracket must not make every brand
        // before it read to the end of the sentence.
        let near: String = following.chars().take(LOOK_AHEAD).collect();
        let mut window: String = squeeze_spaces(near.chars()).take(16).collect();
        window.push(' ');
        window.extend(squeeze_spaces(without_brackets(&near)).take(16));
        let window = window.to_lowercase();
        let mut best: Option<(usize, &str, &[String])> = None;
        for product in &self.practice.product_words {
            if let Some(pos) = window.find(&product.word)
                && best.is_none_or(|(p, _, _)| pos < p)
            {
                best = Some((pos, &product.word, &product.categories));
            }
        }
        let Some((pos, word, cats)) = best else {
            return default.ok_or_else(|| v.sdks.clone());
        };
        // "网易易盾SDK … 注册登录时的风险识别": a brand that is one SDK's full name is that
        // SDK; a product word only counts right after it ("网易易盾一键登录"), not in the
        // purpose further on.
        let trimmed = brand.trim_end();
        let bare = match trimmed
            .len()
            .checked_sub(3)
            .and_then(|at| trimmed.get(at..))
        {
            Some(tail) if tail.eq_ignore_ascii_case("sdk") => {
                trimmed[..trimmed.len() - 3].trim_end()
            }
            _ => trimmed,
        };
        // `pos` counts bytes of the squeezed window: past 4, the product word does not
        // start right after the brand (one CJK character is 3 bytes).
        if let Some(d) = default
            && pos > 4
            && self.sdks.get(d).is_some_and(|e| {
                e.name_zh.as_deref().is_some_and(|z| z == bare) || e.name.eq_ignore_ascii_case(bare)
            })
        {
            return Ok(d);
        }
        let candidates: Vec<usize> = v
            .sdks
            .iter()
            .copied()
            .filter(|&i| self.sdks.get(i).is_some_and(|s| cats.contains(&s.category)))
            .collect();
        if let [only] = candidates.as_slice() {
            return Ok(*only);
        }
        let named: Vec<usize> = candidates
            .iter()
            .copied()
            .filter(|&i| {
                self.sdks.get(i).is_some_and(|s| {
                    s.name.to_lowercase().contains(word)
                        || s.name_zh.as_deref().is_some_and(|z| z.contains(word))
                })
            })
            .collect();
        // "Firebase Analytics": of Google's two analytics SDKs, the one named Firebase.
        let pool = if named.is_empty() {
            &candidates
        } else {
            &named
        };
        let brand = brand.to_lowercase();
        let branded: Vec<usize> = pool
            .iter()
            .copied()
            .filter(|&i| {
                self.sdks.get(i).is_some_and(|s| {
                    s.name.to_lowercase().contains(&brand)
                        || s.name_zh
                            .as_deref()
                            .is_some_and(|z| z.to_lowercase().contains(&brand))
                })
            })
            .collect();
        match (named.as_slice(), branded.as_slice()) {
            ([one], _) => Ok(*one),
            (_, [one]) => Ok(*one),
            ([], _) if candidates.is_empty() => default.ok_or_else(|| v.sdks.clone()),
            ([], _) => Err(candidates),
            _ => Err(named),
        }
    }
}

/// How many characters after a brand are looked at for its product words.
const LOOK_AHEAD: usize = 160;

#[derive(Debug, Clone)]
pub(super) struct TypeHit {
    pub start: usize,
    pub end: usize,
    pub ids: Vec<usize>,
}

#[derive(Debug, Clone)]
pub(super) struct PartyMention {
    pub start: usize,
    pub end: usize,
    /// End of the name itself, before product words and "SDK" merged into `end`.
    pub alias_end: usize,
    pub target: AliasTarget,
    pub text: String,
}

fn compile(pattern: &str) -> Result<Regex, ExtractError> {
    super::classes::compile(pattern).map_err(|e| ExtractError::Pattern(e.to_string()))
}

/// Lower case, single spaces, no space next to a hanzi ("IP 地址" is "ip地址"): the form
/// phrases are indexed and looked up in.
fn normalise_phrase(p: &str) -> String {
    // The matcher reports its phrases by this key.
    super::phrase_match::normalise(p)
}

/// All-capital ASCII words (`IMEI`, `RAM`, `OTP`) are matched only in capitals: in lower
/// case several are ordinary words.
fn is_acronym(p: &str) -> bool {
    p.is_ascii()
        && p.chars().filter(|c| c.is_ascii_alphabetic()).count() >= 2
        && !p.chars().any(|c| c.is_ascii_lowercase())
}

/// "cookies are small text files", "log files": files that are not user content.
fn follows_non_data_word(before: &str) -> bool {
    let word: String = before
        .trim_end()
        .chars()
        .rev()
        .take_while(|c| c.is_ascii_alphabetic())
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect::<String>()
        .to_lowercase();
    matches!(
        word.as_str(),
        "text"
            | "log"
            | "cache"
            | "configuration"
            | "config"
            | "temporary"
            | "installation"
            | "system"
            | "program"
            | "executable"
    )
}

fn strip_company_suffix(s: &str) -> String {
    let mut s = s.trim().trim_end_matches('+').trim().to_string();
    for suffix in [
        ", Inc.",
        " Inc.",
        " Inc",
        " Ltd.",
        " Ltd",
        " LLC",
        " Corp.",
        " Corporation",
        " GmbH",
        " Pte",
        " Co.,",
        " Co.",
    ] {
        if let Some(stripped) = s.strip_suffix(suffix) {
            s = stripped.trim().trim_end_matches(',').to_string();
        }
    }
    s
}

fn cjk_count(s: &str) -> usize {
    s.chars().filter(|&c| is_cjk(c)).count()
}

/// ASCII tokens of a name: "Tencent Bugly (crash reporting)" → Tencent, Bugly, crash, …
fn ascii_tokens(s: &str) -> Vec<String> {
    s.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '.'))
        .map(|t| t.trim_matches(|c| c == '-' || c == '.'))
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect()
}

/// Fragments of a Chinese name: "友盟统计分析 U-App" → 友盟统计分析; "极光认证（一键登录）" → 极光认证.
fn zh_fragments(name_zh: &str) -> Vec<String> {
    name_zh
        .split(['（', '(', '）', ')', '/', '／', ' ', '，', ','])
        .map(|f| f.trim())
        .map(|f| f.strip_suffix("SDK").unwrap_or(f).trim().to_string())
        .filter(|f| cjk_count(f) >= 2 && !is_generic_zh(f))
        .collect()
}

fn is_generic_zh(s: &str) -> bool {
    let mut rest = s.to_string();
    loop {
        let before = rest.clone();
        for g in GENERIC_ZH_SUFFIX {
            rest = rest.replace(g, "");
        }
        for g in ["旧版", "补充", "崩溃", "信息", "内核"] {
            rest = rest.replace(g, "");
        }
        if rest == before {
            break;
        }
    }
    cjk_count(&rest) == 0 && !rest.chars().any(|c| c.is_ascii_alphanumeric())
}

/// The leading Chinese run of a name with product words stripped: 百度移动统计 → 百度.
fn zh_brand(name_zh: &str) -> Option<String> {
    let lead: String = name_zh.chars().take_while(|&c| is_cjk(c)).collect();
    if cjk_count(&lead) < 2 {
        return None;
    }
    let mut s = lead;
    'outer: loop {
        for g in GENERIC_ZH_SUFFIX {
            if let Some(stripped) = s.strip_suffix(g)
                && stripped.chars().count() >= 2
                && !ZH_STOP.contains(&stripped)
            {
                s = stripped.to_string();
                continue 'outer;
            }
        }
        break;
    }
    if ZH_STOP.contains(&s.as_str()) || is_generic_zh(&s) {
        None
    } else {
        Some(s)
    }
}

/// English name fragments: "Umeng U-App Analytics (U-Common)" → "Umeng U-App Analytics",
/// "U-Common"; fragments without a distinctive capitalised word are dropped.
fn en_fragments(name: &str) -> Vec<String> {
    name.split(['(', ')', '/'])
        .map(|f| f.trim())
        .map(|f| {
            let mut f = f;
            for prefix in ["with ", "incl. ", "incl ", "ex-", "legacy ", "ex "] {
                if let Some(rest) = f.strip_prefix(prefix) {
                    f = rest.trim();
                }
            }
            let f = f.strip_suffix(" SDK").unwrap_or(f);
            f.trim().trim_end_matches(',').to_string()
        })
        .filter(|f| f.is_ascii() && f.len() >= 3 && ascii_tokens(f).iter().any(|t| distinctive(t)))
        .collect()
}

fn distinctive(token: &str) -> bool {
    token.len() >= 3
        && !GENERIC_EN.contains(&token.to_lowercase().as_str())
        && token
            .chars()
            .any(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

/// Candidate aliases before conflict resolution: alias → the SDKs it was derived from.
type Candidates = BTreeMap<String, (String, HashSet<usize>)>;

fn add_candidate(c: &mut Candidates, alias: &str, sdk: usize) {
    let alias = alias.trim();
    if alias.is_empty() {
        return;
    }
    let key = normalise_phrase(alias);
    c.entry(key)
        .or_insert_with(|| (alias.to_string(), HashSet::new()))
        .1
        .insert(sdk);
}

/// Derives the alias table: exact names, distinctive tokens, brands per vendor.
fn build_aliases(
    sdks: &[SdkEntry],
    vendors: &[VendorEntry],
    vendor_names: &[(Option<String>, Option<String>)],
    phrases: &HashMap<String, Vec<usize>>,
) -> (HashMap<String, AliasTarget>, Vec<(String, bool)>) {
    let mut candidates: Candidates = BTreeMap::new();
    for (i, s) in sdks.iter().enumerate() {
        add_candidate(&mut candidates, &s.name, i);
        for f in en_fragments(&s.name) {
            add_candidate(&mut candidates, &f, i);
        }
        if let Some(zh) = &s.name_zh {
            add_candidate(&mut candidates, zh, i);
            for f in zh_fragments(zh) {
                add_candidate(&mut candidates, &f, i);
            }
            if let Some(b) = zh_brand(zh) {
                add_candidate(&mut candidates, &b, i);
            }
        }
        let mut tokens = ascii_tokens(&s.name);
        if let Some(zh) = &s.name_zh {
            // ASCII runs in Chinese names keep their case: "vivo推送", "腾讯Bugly".
            tokens.extend(ascii_tokens(zh).into_iter().filter(|t| t.len() >= 3));
        }
        for t in tokens {
            if distinctive(&t) || (t.len() >= 4 && !GENERIC_EN.contains(&t.to_lowercase().as_str()))
            {
                add_candidate(&mut candidates, &t, i);
            }
        }
        if !s.id.contains('_') && s.id.len() >= 4 {
            add_candidate(&mut candidates, &s.id, i);
        }
    }
    // A policy name is the signature's own word for it: it names those SDKs alone, even
    // where a fragment of another SDK's name spells the same. A name that several SDKs of
    // one vendor give ("App Center") names the vendor.
    let mut named: Candidates = BTreeMap::new();
    for (i, s) in sdks.iter().enumerate() {
        for name in s
            .policy_names
            .iter()
            .map(|n| n.trim())
            .filter(|n| !n.is_empty())
        {
            add_candidate(&mut named, name, i);
        }
    }
    candidates.extend(named);

    let mut out: HashMap<String, AliasTarget> = HashMap::new();
    let mut originals: HashMap<String, String> = HashMap::new();
    for (key, (original, members)) in &candidates {
        if phrases.contains_key(key) || key.chars().count() < 2 {
            continue;
        }
        let vendor_set: HashSet<usize> = members
            .iter()
            .filter_map(|&m| sdks.get(m).map(|s| s.vendor))
            .collect();
        let target = if members.len() == 1 {
            members.iter().next().map(|&m| AliasTarget::Sdk(m))
        } else if vendor_set.len() == 1 {
            vendor_set.iter().next().map(|&v| AliasTarget::Vendor {
                vendor: v,
                default: default_sdk(sdks, vendors, v, key),
            })
        } else {
            None
        };
        if let Some(t) = target {
            out.insert(key.clone(), t);
            originals.insert(key.clone(), original.clone());
        }
    }

    // Vendor names: brands ("Umeng", "JIGUANG", "Aurora Mobile") and legal names
    // ("深圳市和讯华谷信息技术有限公司", as SDK lists quote them).
    for (v, (en, zh)) in vendor_names.iter().enumerate() {
        let mut names = Vec::new();
        if let Some(en) = en {
            for piece in en.split(['(', ')', '/']) {
                let piece = strip_company_suffix(piece);
                if piece.len() >= 3 && !GENERIC_EN.contains(&piece.to_lowercase().as_str()) {
                    names.push(piece);
                }
            }
        }
        if let Some(zh) = zh {
            let zh = zh.trim();
            if cjk_count(zh) >= 4 {
                names.push(zh.to_string());
            }
        }
        for name in names {
            let key = normalise_phrase(&name);
            if phrases.contains_key(&key) {
                continue;
            }
            match out.get(&key) {
                // A vendor name that is also one of its SDKs' names becomes the brand,
                // defaulting to that SDK: "Umeng" → umeng, "Umeng Push" → umeng_push.
                Some(AliasTarget::Sdk(s)) if sdks.get(*s).is_some_and(|e| e.vendor == v) => {
                    let default = Some(*s);
                    out.insert(key.clone(), AliasTarget::Vendor { vendor: v, default });
                }
                Some(_) => {}
                None => {
                    out.insert(
                        key.clone(),
                        AliasTarget::Vendor {
                            vendor: v,
                            default: default_sdk(sdks, vendors, v, &key),
                        },
                    );
                }
            }
            originals.insert(key, name);
        }
    }

    for term in GENERIC_SDK_TERMS {
        out.entry(normalise_phrase(term))
            .or_insert(AliasTarget::GenericSdk);
    }
    for term in GENERIC_PARTY_TERMS {
        out.entry(normalise_phrase(term))
            .or_insert(AliasTarget::GenericThirdParty);
    }
    // Names that are ordinary words ("Adjust") and short ones ("MAX", "MTA") are matched
    // only as the signature spells them.
    let mut spellings = Vec::new();
    for (key, target) in &out {
        let spelled = originals.get(key).cloned().unwrap_or_else(|| key.clone());
        let case_sensitive = spelled.is_ascii()
            && (spelled.len() <= 4 || COMMON_WORDS.contains(&key.as_str()))
            && !matches!(
                target,
                AliasTarget::GenericSdk | AliasTarget::GenericThirdParty
            );
        spellings.push((spelled, case_sensitive));
    }
    (out, spellings)
}

/// The SDK a bare brand means when nothing else is said: the one whose id is the brand
/// ("Umeng" → `umeng`), or the only one.
fn default_sdk(
    sdks: &[SdkEntry],
    vendors: &[VendorEntry],
    vendor: usize,
    key: &str,
) -> Option<usize> {
    let members = &vendors.get(vendor)?.sdks;
    if members.len() == 1 {
        return members.first().copied();
    }
    members.iter().copied().find(|&m| {
        sdks.get(m).is_some_and(|s| {
            s.id == key
                || s.name_zh
                    .as_deref()
                    .is_some_and(|z| normalise_phrase(z) == key)
        })
    })
}

/// The characters of `text` outside brackets (nested ones too).
fn without_brackets(text: &str) -> impl Iterator<Item = char> + '_ {
    let mut depth = 0usize;
    text.chars().filter(move |&c| match c {
        '(' | '（' => {
            depth += 1;
            false
        }
        ')' | '）' => {
            depth = depth.saturating_sub(1);
            false
        }
        _ => depth == 0,
    })
}

/// `chars` with each run of whitespace cut to one space: masked text keeps a masked
/// phrase's length in spaces, which must not use up a look-ahead window.
fn squeeze_spaces(chars: impl Iterator<Item = char>) -> impl Iterator<Item = char> {
    let mut last_space = false;
    chars.filter(move |c| {
        let space = c.is_whitespace();
        let keep = !(space && last_space);
        last_space = space;
        keep
    })
}

/// Whether `before` ends with a preposition and "your" ("… on your", "from your"): the
/// word after it is where something is, not what is collected.
fn after_preposition_and_your(before: &str) -> bool {
    let mut words = before.split_whitespace().rev();
    let (Some(your), Some(prep)) = (words.next(), words.next()) else {
        return false;
    };
    your.eq_ignore_ascii_case("your")
        && [
            "on", "in", "from", "to", "onto", "into", "with", "via", "using", "through", "off",
        ]
        .iter()
        .any(|p| prep.eq_ignore_ascii_case(p))
}
