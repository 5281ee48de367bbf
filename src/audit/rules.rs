//! The audit's rules: stable ids, titles and descriptions in English and Chinese, the
//! legal or standard basis each rests on, default severity and the fix hint. One
//! table, so reports, SARIF rule metadata and the README stay in step.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            Severity::Info => "提示",
            Severity::Low => "低",
            Severity::Medium => "中",
            Severity::High => "高",
            Severity::Critical => "严重",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Rule {
    pub id: &'static str,
    pub title_en: &'static str,
    pub title_zh: &'static str,
    pub description_en: &'static str,
    pub description_zh: &'static str,
    /// Laws, standards and store rules the check rests on.
    pub basis: &'static [&'static str],
    pub severity: Severity,
    pub fix_en: &'static str,
    pub fix_zh: &'static str,
}

pub const OMITTED: &str = "PA-DISCLOSURE-OMITTED";
pub const VAGUE: &str = "PA-DISCLOSURE-VAGUE";
pub const INCORRECT: &str = "PA-DISCLOSURE-INCORRECT";
pub const AMBIGUOUS: &str = "PA-DISCLOSURE-AMBIGUOUS";
pub const UNDISCLOSED_PARTY: &str = "PA-THIRD-PARTY-UNDISCLOSED";
pub const SDK_OVERCOLLECT: &str = "PA-SDK-UNDECLARED-DATA";
pub const CLEARTEXT_PROMISE: &str = "PA-CLEARTEXT-BROKEN-PROMISE";
pub const CLEARTEXT_SENSITIVE: &str = "PA-CLEARTEXT-SENSITIVE";
pub const PRECONSENT: &str = "PA-BEFORE-CONSENT";
pub const PRECONSENT_CONTACT: &str = "PA-SDK-CONTACT-BEFORE-CONSENT";
pub const FREQUENCY: &str = "PA-EXCESSIVE-FREQUENCY";
pub const CROSS_BORDER: &str = "PA-CROSS-BORDER";
pub const NON_RESETTABLE: &str = "PA-NON-RESETTABLE-ID";
pub const SDK_BUNDLED_UNDISCLOSED: &str = "PA-SDK-BUNDLED-UNDISCLOSED";
pub const SDK_SILENT: &str = "PA-SDK-PRESENT-SILENT";
pub const PERMISSION_UNDECLARED: &str = "PA-PERMISSION-UNDECLARED-DATA";
pub const MANIFEST_NOT_IN_POLICY: &str = "PA-PRIVACY-MANIFEST-NOT-IN-POLICY";
pub const POLICY_NOT_IN_MANIFEST: &str = "PA-POLICY-NOT-IN-PRIVACY-MANIFEST";
pub const DATA_SAFETY_MISMATCH: &str = "PA-DATA-SAFETY-CONTRADICTION";
pub const API_BEFORE_CONSENT: &str = "PA-API-READ-BEFORE-CONSENT";
pub const API_FREQUENCY: &str = "PA-API-READ-FREQUENCY";
pub const API_UNDECLARED: &str = "PA-API-READ-UNDECLARED";
pub const API_BACKGROUND: &str = "PA-API-READ-BACKGROUND";
pub const API_READ_AND_SENT: &str = "PA-API-READ-AND-SENT";
pub const API_READ_AND_CONTACTED: &str = "PA-API-READ-AND-CONTACTED";

pub static RULES: &[Rule] = &[
    Rule {
        id: OMITTED,
        title_en: "Data type sent but not disclosed",
        title_zh: "收集的个人信息未在隐私政策中说明",
        description_en: "The app sends this data type to this party, and no statement in the policy declares it (PoliCheck: omitted disclosure).",
        description_zh: "App 向该接收方发送了此类个人信息，但隐私政策中没有任何条款声明（PoliCheck：遗漏披露）。",
        basis: &[
            "PIPL art. 17",
            "CAC/MIIT 2019 认定方法 2.1, 3.3",
            "GB/T 35273-2020 5.5",
            "GDPR art. 13(1)(e)",
        ],
        severity: Severity::Medium,
        fix_en: "Declare the data type, its purpose and recipient in the policy, or stop sending it.",
        fix_zh: "在隐私政策中逐项列明该信息及其目的和接收方，或停止收集。",
    },
    Rule {
        id: VAGUE,
        title_en: "Data type disclosed only in general terms",
        title_zh: "个人信息仅以概括性表述披露",
        description_en: "Only a broader term (a parent data type, or \"third parties\") covers this flow (PoliCheck: vague disclosure).",
        description_zh: "仅有上位概念（如“设备信息”“第三方”）覆盖该数据流（PoliCheck：模糊披露）。",
        basis: &[
            "PIPL art. 17 (clear and understandable)",
            "CAC/MIIT 2019 认定方法 2.1 (逐一列出)",
            "GB/T 35273-2020 5.5",
        ],
        severity: Severity::Low,
        fix_en: "Name the exact data type (and recipient) instead of a general category.",
        fix_zh: "用具体的信息类型和接收方替换概括性表述。",
    },
    Rule {
        id: INCORRECT,
        title_en: "Data sent although the policy says it is not",
        title_zh: "实际收集与隐私政策的否定性声明相矛盾",
        description_en: "A negative statement in the policy denies collecting or sharing this data type, yet it was sent (PoliCheck: incorrect disclosure).",
        description_zh: "隐私政策声明不收集或不共享此类信息，但实际发生了传输（PoliCheck：错误披露）。",
        basis: &[
            "CAC/MIIT 2019 认定方法 3.9",
            "PIPL art. 7",
            "GDPR art. 5(1)(a)",
        ],
        severity: Severity::High,
        fix_en: "Stop sending the data or correct the policy statement.",
        fix_zh: "停止该收集行为，或修正隐私政策中的错误表述。",
    },
    Rule {
        id: AMBIGUOUS,
        title_en: "Policy statements contradict each other",
        title_zh: "隐私政策表述自相矛盾",
        description_en: "The policy both declares and denies this flow (PoliCheck: ambiguous disclosure).",
        description_zh: "隐私政策对该数据流既有声明收集的条款又有否定条款（PoliCheck：含糊披露）。",
        basis: &["PIPL art. 17", "GB/T 35273-2020 5.5"],
        severity: Severity::Medium,
        fix_en: "Make the policy consistent about this data type.",
        fix_zh: "统一隐私政策中关于此类信息的表述。",
    },
    Rule {
        id: UNDISCLOSED_PARTY,
        title_en: "Personal data reaches a third party the policy does not name",
        title_zh: "向隐私政策未列明的第三方提供个人信息",
        description_en: "Personal data is sent to an SDK or third party that the policy does not name (only generic \"third parties\" or nothing at all).",
        description_zh: "个人信息被发送给隐私政策未列明名称的 SDK 或第三方（仅有“第三方”之类的概括表述或完全未提及）。",
        basis: &[
            "PIPL art. 23",
            "CAC/MIIT 2019 认定方法 2.1, 5.1",
            "GB/T 41391-2022 6.6",
            "GDPR art. 13(1)(e)",
        ],
        severity: Severity::High,
        fix_en: "List the SDK in the third-party SDK list (name, company, purpose, data types, policy link) and obtain consent.",
        fix_zh: "在第三方SDK清单中列明该SDK（名称、公司、目的、信息类型、隐私政策链接）并取得同意。",
    },
    Rule {
        id: SDK_OVERCOLLECT,
        title_en: "Named third party receives data types beyond those declared for it",
        title_zh: "第三方SDK收集的信息超出声明范围",
        description_en: "The policy names this party but not this data type among what it receives.",
        description_zh: "隐私政策列明了该第三方，但未声明其会收集此类信息。",
        basis: &["CAC/MIIT 2019 认定方法 3.3", "GB/T 41391-2022 6.6"],
        severity: Severity::Medium,
        fix_en: "Add the data type to the party's entry in the SDK list, or configure the SDK not to collect it.",
        fix_zh: "在SDK清单中补充该信息类型，或关闭SDK的相应收集功能。",
    },
    Rule {
        id: CLEARTEXT_PROMISE,
        title_en: "Personal data in cleartext although the policy promises encryption",
        title_zh: "隐私政策承诺加密，但个人信息以明文传输",
        description_en: "The policy promises encryption, yet this data type left the device over unencrypted HTTP.",
        description_zh: "隐私政策承诺采用加密技术保护个人信息，但此类信息通过未加密的 HTTP 明文传输。",
        basis: &[
            "CAC/MIIT 2019 认定方法 3.9",
            "GB/T 35273-2020 6.3",
            "PIPL art. 51",
            "Google Play Data safety (encrypted in transit)",
        ],
        severity: Severity::High,
        fix_en: "Send it over HTTPS (TLS 1.2+) only, or correct the promise.",
        fix_zh: "改用 HTTPS（TLS 1.2 及以上）传输，或修正隐私政策中的承诺。",
    },
    Rule {
        id: CLEARTEXT_SENSITIVE,
        title_en: "Sensitive personal data in cleartext",
        title_zh: "敏感个人信息明文传输",
        description_en: "Sensitive personal information or a credential left the device without encryption.",
        description_zh: "敏感个人信息或账号凭据未经加密离开设备。",
        basis: &["GB/T 35273-2020 6.3", "PIPL art. 51", "GDPR art. 32"],
        severity: Severity::High,
        fix_en: "Send sensitive data over HTTPS (TLS 1.2+) only.",
        fix_zh: "敏感个人信息仅通过 HTTPS（TLS 1.2 及以上）传输。",
    },
    Rule {
        id: PRECONSENT,
        title_en: "Personal data sent before the user consented",
        title_zh: "用户同意隐私政策前即收集个人信息",
        description_en: "Personal data left the device before the user agreed to the privacy policy.",
        description_zh: "在用户同意隐私政策之前，个人信息已被发送。",
        basis: &[
            "CAC/MIIT 2019 认定方法 3.1",
            "GB/T 41391-2022 6.4",
            "PIPL art. 13-14",
            "ePrivacy art. 5(3)",
            "GDPR art. 6-7",
        ],
        severity: Severity::High,
        fix_en: "Initialise SDKs and send data only after the user agrees (e.g. Umeng preInit/init, JPush setAuth).",
        fix_zh: "在用户同意后再初始化SDK和上报数据（如友盟 preInit/init、极光 setAuth）。",
    },
    Rule {
        id: PRECONSENT_CONTACT,
        title_en: "Third-party SDK contacted before the user consented",
        title_zh: "用户同意前即连接第三方SDK服务器",
        description_en: "The app contacted this SDK's servers before consent; the payload was not readable, but SDK initialisation before consent is a strong indicator of collection.",
        description_zh: "用户同意前App已连接该SDK的服务器；虽未能解析载荷，但同意前初始化SDK通常意味着已收集信息。",
        basis: &["CAC/MIIT 2019 认定方法 3.1", "GB/T 41391-2022 6.6"],
        severity: Severity::Medium,
        fix_en: "Delay the SDK's initialisation until after consent.",
        fix_zh: "将该SDK的初始化推迟到用户同意之后。",
    },
    Rule {
        id: FREQUENCY,
        title_en: "Identifier sent more often than needed",
        title_zh: "收集个人信息频次超出业务需要",
        description_en: "The same identifier went to the same party more times per minute than the configured threshold.",
        description_zh: "同一标识符在一分钟内被发送给同一接收方的次数超过阈值。",
        basis: &["CAC/MIIT 2019 认定方法 4.4", "GB/T 41391-2022 6.1"],
        severity: Severity::Medium,
        fix_en: "Cache the value and send it once per session.",
        fix_zh: "缓存该值，每个会话只上报一次。",
    },
    Rule {
        id: CROSS_BORDER,
        title_en: "Personal data sent outside the declared storage region",
        title_zh: "个人信息传输至声明的存储地域之外",
        description_en: "The destination address is located outside the region where the policy says data is stored.",
        description_zh: "目标地址位于隐私政策声明的存储地域之外。",
        basis: &[
            "PIPL art. 38-39",
            "数据出境安全评估办法 (2022)",
            "CAC/MIIT 2019 认定方法 3.9",
            "GDPR art. 44",
        ],
        severity: Severity::High,
        fix_en: "Keep the data in the declared region, or disclose the transfer and obtain separate consent.",
        fix_zh: "将数据保存在声明地域内，或披露出境情况并取得单独同意。",
    },
    Rule {
        id: NON_RESETTABLE,
        title_en: "Non-resettable device identifier sent to a third party",
        title_zh: "向第三方提供不可变更的设备唯一标识符",
        description_en: "Hardware or SIM identifiers (IMEI, MAC, IMSI, serial), plain or hashed (an MD5 of the IMEI is still the IMEI), go to a party other than the app itself, where resettable ids (OAID, advertising id) would do.",
        description_zh: "IMEI、MAC、IMSI、序列号等不可重置的标识符（无论明文还是哈希，IMEI 的 MD5 仍是 IMEI）被发送给 App 以外的接收方，而可重置标识符（OAID、广告标识符）即可满足需要。",
        basis: &[
            "GB/T 41391-2022 6.3 and App. F",
            "Google Play User Data policy (advertising ID)",
        ],
        severity: Severity::Medium,
        fix_en: "Use a resettable identifier (OAID / advertising ID) instead.",
        fix_zh: "改用可重置的标识符（OAID / 广告标识符）。",
    },
    Rule {
        id: SDK_BUNDLED_UNDISCLOSED,
        title_en: "SDK bundled in the app but not named in the policy",
        title_zh: "App 集成的第三方SDK未在隐私政策中列明",
        description_en: "The app package contains this SDK's code, and the policy's third-party list does not name it.",
        description_zh: "App 安装包中包含该SDK的代码，但隐私政策的第三方SDK清单未列明。",
        basis: &[
            "CAC/MIIT 2019 认定方法 2.1",
            "GB/T 41391-2022 6.6",
            "PIPL art. 23",
        ],
        severity: Severity::Medium,
        fix_en: "Add the SDK to the third-party SDK list or remove it from the app.",
        fix_zh: "将该SDK列入第三方SDK清单，或从App中移除。",
    },
    Rule {
        id: SDK_SILENT,
        title_en: "SDK bundled but not seen on the network",
        title_zh: "已集成但未观察到网络传输的SDK",
        description_en: "The SDK's code is in the package but none of its domains appeared in the captures (it may be unused, or the session did not reach it).",
        description_zh: "安装包中存在该SDK代码，但抓包中未出现其域名（可能未启用，或测试未覆盖）。",
        basis: &["GB/T 41391-2022 6.6"],
        severity: Severity::Info,
        fix_en: "Remove unused SDKs; otherwise list them in the SDK list.",
        fix_zh: "移除未使用的SDK；若在用，请列入SDK清单。",
    },
    Rule {
        id: PERMISSION_UNDECLARED,
        title_en: "Permission unlocks a data type the policy does not declare",
        title_zh: "申请的系统权限对应的个人信息未在政策中说明",
        description_en: "The app requests a permission that gives access to a data type no policy statement declares.",
        description_zh: "App 申请的权限可获取某类个人信息，但隐私政策未作说明。",
        basis: &[
            "CAC/MIIT 2019 认定方法 2.3",
            "GB/T 41391-2022 6.5",
            "Google Play permissions policy",
        ],
        severity: Severity::Medium,
        fix_en: "Declare the data type and purpose, or drop the permission.",
        fix_zh: "说明该权限对应的信息及用途，或取消申请该权限。",
    },
    Rule {
        id: MANIFEST_NOT_IN_POLICY,
        title_en: "Apple privacy manifest declares data the policy does not",
        title_zh: "苹果隐私清单声明的数据类型未在隐私政策中说明",
        description_en: "A PrivacyInfo.xcprivacy in the app declares a collected data type that no policy statement covers.",
        description_zh: "App 内的 PrivacyInfo.xcprivacy 声明了收集某类数据，但隐私政策未覆盖。",
        basis: &[
            "App Store Review Guideline 5.1.1",
            "Apple privacy manifest (NSPrivacyCollectedDataTypes)",
            "PIPL art. 17",
        ],
        severity: Severity::Medium,
        fix_en: "Make the policy and the privacy manifest agree.",
        fix_zh: "使隐私政策与隐私清单保持一致。",
    },
    Rule {
        id: POLICY_NOT_IN_MANIFEST,
        title_en: "Policy declares data the Apple privacy manifest omits",
        title_zh: "隐私政策声明的数据类型未出现在苹果隐私清单中",
        description_en: "The policy declares collecting a data type that none of the app's privacy manifests lists.",
        description_zh: "隐私政策声明收集的数据类型未出现在App的任何隐私清单中。",
        basis: &[
            "Apple privacy manifest (NSPrivacyCollectedDataTypes)",
            "App Store privacy label",
        ],
        severity: Severity::Low,
        fix_en: "Add the type to the privacy manifest (and App Store label) or correct the policy.",
        fix_zh: "在隐私清单（及 App Store 隐私标签）中补充，或修正隐私政策。",
    },
    Rule {
        id: DATA_SAFETY_MISMATCH,
        title_en: "Google Play Data safety form contradicts the policy",
        title_zh: "Google Play 数据安全表单与隐私政策矛盾",
        description_en: "The Data safety export and the policy disagree about a data type (collected in one, absent or denied in the other), or about encryption in transit.",
        description_zh: "数据安全表单与隐私政策对某类数据（是否收集）或传输加密的表述不一致。",
        basis: &["Google Play User Data policy (Data safety)", "PIPL art. 17"],
        severity: Severity::Medium,
        fix_en: "Make the Data safety answers and the policy agree.",
        fix_zh: "使数据安全表单与隐私政策保持一致。",
    },
    Rule {
        id: API_BEFORE_CONSENT,
        title_en: "Personal data read through a system API before the user consented",
        title_zh: "用户同意隐私政策前调用系统接口读取个人信息",
        description_en: "A runtime API log (Camille, PrivacySentry, privaudit's Frida agent) shows this party's code reading the data type before consent.",
        description_zh: "运行时接口调用日志（Camille、PrivacySentry、privaudit 的 Frida 脚本）显示该主体的代码在用户同意前读取了此类信息。",
        basis: &[
            "MIIT 2020 notice 164 (私自收集个人信息)",
            "CAC/MIIT 2019 认定方法 3.1",
            "GB/T 41391-2022 6.4",
            "PIPL art. 13-14",
        ],
        severity: Severity::High,
        fix_en: "Initialise the SDK only after consent, or use its privacy switch (e.g. JCollectionAuth.setAuth, UMConfigure.preInit).",
        fix_zh: "在用户同意后再初始化该SDK，或使用其合规开关（如 JCollectionAuth.setAuth、UMConfigure.preInit）。",
    },
    Rule {
        id: API_FREQUENCY,
        title_en: "Personal data read through a system API more often than needed",
        title_zh: "频繁调用系统接口读取个人信息",
        description_en: "The party read the data type more times within the window than the limit in signatures/api-calls.toml (MIIT names reading every 30 s or every 2 s).",
        description_zh: "该主体在时间窗口内读取此类信息的次数超过 signatures/api-calls.toml 中的上限（工信部通报列举了每30秒、每2秒读取一次等情形）。",
        basis: &[
            "MIIT 2020 notice 164 (超频次收集)",
            "CAC/MIIT 2019 认定方法 4.4",
            "GB/T 41391-2022 6.1",
        ],
        severity: Severity::Medium,
        fix_en: "Read the value once and cache it for the session.",
        fix_zh: "读取一次并在会话内缓存。",
    },
    Rule {
        id: API_UNDECLARED,
        title_en: "System API read of a data type the policy does not declare for that party",
        title_zh: "读取的个人信息类型未在隐私政策中针对该主体声明",
        description_en: "The party's code read a data type that no policy statement declares for it.",
        description_zh: "该主体的代码读取了隐私政策未针对其声明的个人信息类型。",
        basis: &[
            "CAC/MIIT 2019 认定方法 2.1, 3.3",
            "GB/T 41391-2022 6.6",
            "PIPL art. 17",
        ],
        severity: Severity::Medium,
        fix_en: "Declare the data type for this party (SDK list), or configure the SDK not to read it.",
        fix_zh: "在隐私政策（SDK清单）中为该主体声明此类信息，或关闭SDK的相应采集。",
    },
    Rule {
        id: API_BACKGROUND,
        title_en: "Personal data read through a system API while the app was in the background",
        title_zh: "App 在后台运行时读取个人信息",
        description_en: "The API log records the read while the app was not in the foreground.",
        description_zh: "接口调用日志显示该读取发生在 App 处于后台时。",
        basis: &["MIIT 2020 notice 164 (后台收集)", "GB/T 41391-2022 6.2"],
        severity: Severity::High,
        fix_en: "Stop reading personal data when the app leaves the foreground unless a declared feature needs it.",
        fix_zh: "App 退到后台后停止读取个人信息，除非已声明的功能确有需要。",
    },
    Rule {
        id: API_READ_AND_SENT,
        title_en: "Personal data read through a system API and then sent by the same party",
        title_zh: "同一主体读取个人信息后随即将其发送出去",
        description_en: "The API log shows the party reading the data type, and the traffic shows the same party receiving it within the join window; the read is a problem (before consent, undeclared or in the background), and the transmission proves it was collected.",
        description_zh: "接口日志显示该主体读取了此类信息，抓包显示同一主体在时间窗口内收到了该信息；该读取本身违规（同意前、未声明或后台），传输证实了收集。",
        basis: &[
            "MIIT 2020 notice 164",
            "CAC/MIIT 2019 认定方法 3.1, 3.3",
            "GB/T 41391-2022 6.4, 6.6",
            "PIPL art. 13-14, 23",
        ],
        severity: Severity::Critical,
        fix_en: "Stop the SDK from reading and reporting the data before consent or without declaring it.",
        fix_zh: "禁止该SDK在同意前或未声明的情况下读取并上报该信息。",
    },
    Rule {
        id: API_READ_AND_CONTACTED,
        title_en: "Personal data read, then the same party contacted over an unreadable connection",
        title_zh: "读取个人信息后随即连接同一主体（载荷无法解析）",
        description_en: "The party read the data type (a problem in itself) and its servers were contacted within the join window over a connection whose content could not be read.",
        description_zh: "该主体读取了此类信息（本身违规），并在时间窗口内通过无法解析内容的连接访问了其服务器。",
        basis: &["MIIT 2020 notice 164", "GB/T 41391-2022 6.6"],
        severity: Severity::High,
        fix_en: "Decrypt the session (key log, proxy) to confirm, and stop the early read.",
        fix_zh: "解密该会话（密钥日志、代理）以确认，并停止提前读取。",
    },
];

/// How much harm a data type can do, which sets a rule's severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Harm {
    /// Other personal data (device model, OS, app usage).
    Other,
    /// Identifiers and contact details: device and SIM ids, phone, e-mail, name.
    Identifier,
    /// Sensitive personal information (PIPL art. 28, GB/T 35273 B.1) and credentials.
    Sensitive,
}

impl Harm {
    pub fn describe(self) -> &'static str {
        match self {
            Harm::Other => "other personal data",
            Harm::Identifier => "an identifier or contact detail",
            Harm::Sensitive => "sensitive data or a credential",
        }
    }
}

const HARMS: [Harm; 3] = [Harm::Sensitive, Harm::Identifier, Harm::Other];

/// The severity of `rule` for data of this harm: one table, so the same kind of
/// data gets the same severity under every party and every encoding.
pub fn severity_for(rule_id: &str, harm: Harm) -> Severity {
    match (rule_id, harm) {
        (CLEARTEXT_PROMISE | CLEARTEXT_SENSITIVE, Harm::Sensitive) => Severity::Critical,
        (CLEARTEXT_PROMISE, Harm::Identifier) => Severity::High,
        (CLEARTEXT_PROMISE, Harm::Other) => Severity::Medium,
        (OMITTED | UNDISCLOSED_PARTY | SDK_OVERCOLLECT, Harm::Sensitive | Harm::Identifier) => {
            Severity::High
        }
        (OMITTED | UNDISCLOSED_PARTY | SDK_OVERCOLLECT, Harm::Other) => Severity::Medium,
        (VAGUE, Harm::Sensitive) => Severity::Medium,
        (VAGUE, _) => Severity::Low,
        (API_UNDECLARED | API_READ_AND_CONTACTED, Harm::Sensitive | Harm::Identifier) => {
            Severity::High
        }
        (API_UNDECLARED | API_READ_AND_CONTACTED, Harm::Other) => Severity::Medium,
        // Read and sent outranks the read alone: the traffic proves the collection.
        (API_READ_AND_SENT, Harm::Sensitive | Harm::Identifier) => Severity::Critical,
        (API_READ_AND_SENT, Harm::Other) => Severity::High,
        _ => rule(rule_id).severity,
    }
}

/// Which harms a rule fires for at all.
fn applies(rule_id: &str, harm: Harm) -> bool {
    match rule_id {
        CLEARTEXT_SENSITIVE => harm == Harm::Sensitive,
        NON_RESETTABLE => harm == Harm::Identifier,
        _ => true,
    }
}

/// The severity table as Markdown, exactly as README.md carries it (a test keeps
/// the two in step).
pub fn severity_table_markdown() -> String {
    let mut out = String::from("| Rule | Data | Severity |\n|---|---|---|\n");
    for r in RULES {
        let rows: Vec<(Harm, Severity)> = HARMS
            .iter()
            .filter(|h| applies(r.id, **h))
            .map(|h| (*h, severity_for(r.id, *h)))
            .collect();
        let all_same = rows.len() == HARMS.len() && rows.iter().all(|(_, s)| *s == rows[0].1);
        if all_same {
            out.push_str(&format!("| `{}` | any | {} |\n", r.id, rows[0].1.as_str()));
            continue;
        }
        for (h, sev) in rows {
            let data = match (r.id, h) {
                (NON_RESETTABLE, _) => "a non-resettable identifier, plain or hashed",
                _ => h.describe(),
            };
            out.push_str(&format!("| `{}` | {data} | {} |\n", r.id, sev.as_str()));
        }
    }
    out
}

/// A few words for the rule, for the compact terminal view.
pub fn tag(id: &str, zh: bool) -> &'static str {
    let (en, cn) = match id {
        OMITTED => ("not declared", "未声明"),
        VAGUE => ("declared only vaguely", "仅概括声明"),
        INCORRECT => ("policy denies it", "政策否认"),
        AMBIGUOUS => ("policy contradicts itself", "政策矛盾"),
        UNDISCLOSED_PARTY => ("party not named", "未列明第三方"),
        SDK_OVERCOLLECT => ("beyond what is declared for it", "超出声明范围"),
        CLEARTEXT_PROMISE | CLEARTEXT_SENSITIVE => ("cleartext", "明文传输"),
        PRECONSENT => ("before consent", "同意前发送"),
        PRECONSENT_CONTACT => ("contacted before consent", "同意前连接"),
        FREQUENCY => ("too frequent", "频次过高"),
        CROSS_BORDER => ("outside the storage region", "跨境传输"),
        NON_RESETTABLE => ("non-resettable id", "不可重置标识符"),
        SDK_BUNDLED_UNDISCLOSED => ("bundled, not named", "集成但未列明"),
        SDK_SILENT => ("bundled, silent", "集成但未传输"),
        PERMISSION_UNDECLARED => ("permission beyond the policy", "权限超出政策"),
        MANIFEST_NOT_IN_POLICY => ("privacy manifest beyond the policy", "隐私清单超出政策"),
        POLICY_NOT_IN_MANIFEST => ("missing from the privacy manifest", "隐私清单缺失"),
        DATA_SAFETY_MISMATCH => (
            "Data safety form contradicts the policy",
            "数据安全表单矛盾",
        ),
        API_BEFORE_CONSENT => ("API read before consent", "同意前调用接口读取"),
        API_FREQUENCY => ("API read too often", "接口读取频次过高"),
        API_UNDECLARED => ("API read not declared", "接口读取未声明"),
        API_BACKGROUND => ("API read in the background", "后台调用接口读取"),
        API_READ_AND_SENT => ("read, then sent", "读取后即发送"),
        API_READ_AND_CONTACTED => ("read, then contacted", "读取后即连接"),
        _ => ("", ""),
    };
    if zh { cn } else { en }
}

pub fn rule(id: &str) -> &'static Rule {
    RULES.iter().find(|r| r.id == id).unwrap_or(&RULES[0])
}

/// A basis citation as a Chinese reader knows it: the statute's Chinese title with
/// its article numbering; standards keep their numbers.
pub fn basis_zh(citation: &str) -> String {
    let article = |rest: &str, law: &str| -> String {
        let (num, tail) = rest.split_once(' ').unwrap_or((rest, ""));
        let num = num.replace('-', "–");
        let tail = if tail.is_empty() {
            String::new()
        } else {
            format!(" {tail}")
        };
        format!("{law}第{num}条{tail}")
    };
    if let Some(rest) = citation.strip_prefix("PIPL art. ") {
        return article(rest, "《个人信息保护法》");
    }
    if let Some(rest) = citation.strip_prefix("GDPR art. ") {
        return article(rest, "GDPR ");
    }
    if let Some(rest) = citation.strip_prefix("ePrivacy art. ") {
        return article(rest, "《电子隐私指令》");
    }
    if let Some(rest) = citation.strip_prefix("MIIT 2020 notice 164") {
        let what = rest.trim().trim_start_matches('(').trim_end_matches(')');
        return format!(
            "《关于开展纵深推进APP侵害用户权益专项整治行动的通知》（工信部信管函〔2020〕164号）{}",
            if what.is_empty() {
                String::new()
            } else {
                format!("“{what}”")
            }
        );
    }
    if let Some(rest) = citation.strip_prefix("CAC/MIIT 2019 认定方法 ") {
        return format!("《App违法违规收集使用个人信息行为认定方法》{rest}");
    }
    if let Some(rest) = citation.strip_prefix("GB/T 35273-2020 ") {
        return format!("GB/T 35273-2020《个人信息安全规范》{rest}");
    }
    if let Some(rest) = citation.strip_prefix("GB/T 41391-2022 ") {
        let rest = rest.replace(" and App. ", " 及附录 ");
        return format!("GB/T 41391-2022《移动互联网应用程序（App）收集个人信息基本要求》{rest}");
    }
    let translated = match citation {
        "Google Play Data safety (encrypted in transit)" => "谷歌应用商店数据安全表单（传输加密）",
        "Google Play User Data policy (advertising ID)" => "谷歌应用商店用户数据政策（广告标识符）",
        "Google Play User Data policy (Data safety)" => "谷歌应用商店用户数据政策（数据安全表单）",
        "Google Play permissions policy" => "谷歌应用商店权限政策",
        "App Store Review Guideline 5.1.1" => "苹果应用商店审核指南 5.1.1",
        "Apple privacy manifest (NSPrivacyCollectedDataTypes)" => {
            "苹果隐私清单（NSPrivacyCollectedDataTypes）"
        }
        "App Store privacy label" => "苹果应用商店隐私标签",
        other => other,
    };
    translated.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readme_carries_the_severity_table() {
        let readme = include_str!("../../README.md");
        let table = severity_table_markdown();
        assert!(
            readme.contains(&table),
            "README.md's severity table is out of date; it should read:\n{table}"
        );
    }

    #[test]
    fn severity_follows_harm() {
        // Sensitive data in cleartext is critical, with or without a promise.
        assert_eq!(
            severity_for(CLEARTEXT_PROMISE, Harm::Sensitive),
            Severity::Critical
        );
        assert_eq!(
            severity_for(CLEARTEXT_SENSITIVE, Harm::Sensitive),
            Severity::Critical
        );
        // Never lower for more harmful data.
        for r in RULES {
            let s: Vec<Severity> = HARMS.iter().map(|h| severity_for(r.id, *h)).collect();
            assert!(s[0] >= s[1] && s[1] >= s[2], "{}: {s:?}", r.id);
        }
    }
}
