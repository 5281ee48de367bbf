//! Drafting declarations from policy text: the seed agreement against its expected
//! draft and the reviewed declaration, a GB18030 Chinese policy, every supported
//! encoding, other policy shapes, and hostile text.

mod common;

mod seed {
    //! The example policy (shared/seed/privacy-agreement.txt) against the expected draft
    //! (main/tests/fixtures/policy/seed-expected.toml), and that draft against the reviewed
    //! declaration (main/policies/mobile-office.toml).

    use crate::common::policy::*;
    use privaudit::policy::extract::extract;

    fn seed_bytes() -> Vec<u8> {
        let path = root().join("../shared/seed/privacy-agreement.txt");
        std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    fn expected() -> privaudit::policy::model::Declaration {
        load_declaration(&main_crate().join("tests/fixtures/policy/seed-expected.toml"))
    }

    #[test]
    fn seed_matches_expected_draft() {
        let lexicon = lexicon();
        let x = extract(&seed_bytes(), &lexicon).unwrap_or_else(|e| panic!("{e}"));
        for n in &x.notes {
            eprintln!("note: {n}");
        }
        assert_eq!(x.encoding, "utf-8");
        assert_no_diff(
            "seed extraction vs seed-expected.toml",
            &expected(),
            &x.declaration,
        );
    }

    #[test]
    fn seed_notes_tell_the_reviewer_what_was_judged() {
        let x = extract(&seed_bytes(), &lexicon()).unwrap_or_else(|e| panic!("{e}"));
        let has = |needle: &str| x.notes.iter().any(|n| n.contains(needle));
        assert!(
            has("mojibake"),
            "mojibake repair not reported: {:#?}",
            x.notes
        );
        assert!(has("definitions section skipped"), "{:#?}", x.notes);
        assert!(
            has("\"task information\""),
            "unmapped 1.3 item not reported: {:#?}",
            x.notes
        );
        assert!(
            has("clause 6.2"),
            "6.2 public-disclosure negation not reported: {:#?}",
            x.notes
        );
        assert!(has("general encryption claim"), "{:#?}", x.notes);
        // 6.4 "relevant departments" is not the user's department.
        assert!(!has("clause 6.4"), "{:#?}", x.notes);
    }

    #[test]
    fn definitions_never_become_collection() {
        let x = extract(&seed_bytes(), &lexicon()).unwrap_or_else(|e| panic!("{e}"));
        let d = &x.declaration;
        let all: Vec<&String> = d
            .collect
            .iter()
            .flat_map(|c| &c.data)
            .chain(d.share.iter().flat_map(|s| &s.data))
            .collect();
        for defined_only in [
            "identity.id_number.cn_resident",
            "financial.bank_card",
            "financial",
            "location.trajectory",
            "location.precise",
            "network.ip_address",
            "biometric",
            "identity.birthdate",
            "contact.address",
        ] {
            assert!(
                !all.iter().any(|id| id.as_str() == defined_only),
                "{defined_only} was drafted from a definition or a rights clause"
            );
        }
    }

    #[test]
    fn expected_draft_agrees_with_reviewed_declaration() {
        let reviewed = load_declaration(&main_crate().join("policies/mobile-office.toml"));
        assert_no_diff(
            "seed-expected.toml vs policies/mobile-office.toml",
            &expected(),
            &reviewed,
        );
        // The reviewer's additions the extractor cannot know.
        assert_eq!(reviewed.app.name_zh.as_deref(), Some("移动办公"));
        assert!(reviewed.app.policy_source.is_some());
        assert!(reviewed.promises.consent_before_collection.is_none());
        assert!(reviewed.deny.is_empty());
    }

    #[test]
    fn extraction_is_deterministic() {
        let lexicon = lexicon();
        let a = extract(&seed_bytes(), &lexicon).unwrap_or_else(|e| panic!("{e}"));
        let b = extract(&seed_bytes(), &lexicon).unwrap_or_else(|e| panic!("{e}"));
        let ja = serde_json::to_string(&a.declaration).unwrap_or_default();
        let jb = serde_json::to_string(&b.declaration).unwrap_or_default();
        assert!(!ja.is_empty());
        assert_eq!(ja, jb);
        assert_eq!(a.notes, b.notes);
        // The draft is a valid declaration file.
        let text = a.declaration.to_toml();
        let back = privaudit::policy::model::Declaration::parse(&text, "draft")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(back, a.declaration);
    }

    #[test]
    fn diff_reports_each_kind_of_difference() {
        let expected = expected();
        let mut changed = expected.clone();
        changed.collect[2].data.retain(|d| d != "device.sensor");
        changed.collect[0].data.push("location.precise".to_string());
        changed.share[0].party = "third-party".to_string();
        changed.promises.retention_days = Some(privaudit::policy::model::Promise::Bare(365));
        let d = diff(&expected, &changed);
        let text = d.join("\n");
        assert!(
            text.contains("collect 1.3: missing device.sensor"),
            "{text}"
        );
        assert!(
            text.contains("collect 1.1: unexpected location.precise"),
            "{text}"
        );
        assert!(text.contains("share sdk @ 6.1.2: missing"), "{text}");
        assert!(
            text.contains("promises.retention_days: expected 180, got 365"),
            "{text}"
        );
    }
}

mod chinese {
    //! A Chinese policy written for this test, stored as GB18030 bytes with CRLF line ends:
    //! （一）-style numbering, an SDK list naming 友盟统计 and 极光推送 with their data,
    //! negations, a conditional negation, a definitions section, and the promises.

    use crate::common::policy::*;
    use privaudit::policy::extract::extract;

    fn fixture() -> Vec<u8> {
        let path = root().join("tests/fixtures/policy/zh-policy.gb18030.txt");
        std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    fn expected() -> privaudit::policy::model::Declaration {
        load_declaration(&root().join("tests/fixtures/policy/zh-policy-expected.toml"))
    }

    #[test]
    fn fixture_is_gb18030_and_long_enough() {
        let bytes = fixture();
        assert!(
            std::str::from_utf8(&bytes).is_err(),
            "fixture must not be UTF-8"
        );
        let (text, had_errors) = encoding_rs::GB18030.decode_without_bom_handling(&bytes);
        assert!(!had_errors);
        assert!(text.lines().count() >= 40);
        assert!(text.contains('©'), "keeps a four-byte GB18030 character");
    }

    #[test]
    fn chinese_policy_matches_expected_draft() {
        let x = extract(&fixture(), &lexicon()).unwrap_or_else(|e| panic!("{e}"));
        for n in &x.notes {
            eprintln!("note: {n}");
        }
        assert_eq!(x.encoding, "gb18030");
        assert_no_diff(
            "zh policy vs zh-policy-expected.toml",
            &expected(),
            &x.declaration,
        );
    }

    #[test]
    fn chinese_policy_notes() {
        let x = extract(&fixture(), &lexicon()).unwrap_or_else(|e| panic!("{e}"));
        let has = |needle: &str| x.notes.iter().any(|n| n.contains(needle));
        assert!(
            has("剪切板"),
            "conditional negation not reported: {:#?}",
            x.notes
        );
        assert!(has("definitions section skipped"), "{:#?}", x.notes);
    }

    #[test]
    fn same_policy_in_utf8_and_utf16_gives_the_same_draft() {
        let bytes = fixture();
        let (text, _) = encoding_rs::GB18030.decode_without_bom_handling(&bytes);
        let lexicon = lexicon();
        let base = extract(&bytes, &lexicon)
            .unwrap_or_else(|e| panic!("{e}"))
            .declaration;
        let utf8 = extract(text.as_bytes(), &lexicon).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(utf8.encoding, "utf-8");
        assert_eq!(utf8.declaration, base);
        let mut utf16 = vec![0xFF, 0xFE];
        utf16.extend(text.encode_utf16().flat_map(|u| u.to_le_bytes()));
        let x = extract(&utf16, &lexicon).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(x.encoding, "utf-16le");
        assert_eq!(x.declaration, base);
    }
}

mod encodings {
    //! The same policy in every supported encoding gives the same draft.

    use crate::common::policy::*;
    use privaudit::policy::extract::{Extraction, extract};

    fn seed_text() -> String {
        read(&root().join("../shared/seed/privacy-agreement.txt"))
    }

    fn run(bytes: &[u8]) -> Extraction {
        extract(bytes, &lexicon()).unwrap_or_else(|e| panic!("{e}"))
    }

    fn utf16(text: &str, little: bool, bom: bool) -> Vec<u8> {
        let mut out = Vec::new();
        if bom {
            out.extend(if little { [0xFF, 0xFE] } else { [0xFE, 0xFF] });
        }
        for unit in text.encode_utf16() {
            out.extend(if little {
                unit.to_le_bytes()
            } else {
                unit.to_be_bytes()
            });
        }
        out
    }

    #[test]
    fn utf16le_with_bom_round_trip() {
        let text = seed_text();
        let bytes = utf16(&text, true, true);
        let base = run(text.as_bytes());
        let x = run(&bytes);
        assert_eq!(x.encoding, "utf-16le");
        assert_eq!(x.declaration, base.declaration);
        // The draft's quotes are the text itself: encoding the draft back to UTF-16 and
        // decoding it gives the same quotes.
        for c in &x.declaration.collect {
            let q = c.quote.clone().unwrap_or_default();
            let back =
                String::from_utf16(&q.encode_utf16().collect::<Vec<_>>()).unwrap_or_default();
            assert_eq!(back, q);
            assert!(text.contains(&q), "quote not in the source text: {q}");
        }
    }

    #[test]
    fn utf16be_with_bom() {
        let text = seed_text();
        let x = run(&utf16(&text, false, true));
        assert_eq!(x.encoding, "utf-16be");
        assert_eq!(x.declaration, run(text.as_bytes()).declaration);
    }

    #[test]
    fn utf16le_without_bom_is_sniffed() {
        let text = seed_text();
        let x = run(&utf16(&text, true, false));
        assert_eq!(x.encoding, "utf-16le");
        assert_eq!(x.declaration, run(text.as_bytes()).declaration);
    }

    #[test]
    fn utf8_with_bom_and_crlf() {
        let text = seed_text();
        let mut bytes = vec![0xEF, 0xBB, 0xBF];
        bytes.extend(text.replace('\n', "\r\n").as_bytes());
        let x = run(&bytes);
        assert_eq!(x.encoding, "utf-8");
        assert!(x.notes.iter().any(|n| n.contains("byte-order mark")));
        assert_eq!(x.declaration, run(text.as_bytes()).declaration);
    }

    #[test]
    fn windows_1252_english_is_not_taken_for_gbk() {
        let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(
        "1. Information we collect\n1.1 We collect your device\u{2019}s IMEI and your e-mail address.\n",
    );
        let x = run(&bytes);
        assert_eq!(x.encoding, "windows-1252");
        let data: Vec<&String> = x.declaration.collect.iter().flat_map(|c| &c.data).collect();
        assert!(
            data.iter().any(|d| *d == "device.identifier.imei"),
            "{data:?}"
        );
        assert!(data.iter().any(|d| *d == "contact.email"), "{data:?}");
    }

    #[test]
    fn gbk_punctuation_mojibake_inside_utf8_is_repaired() {
        let x = run(
            "1. What we collect\n1.1 We collect the user\u{a1}\u{af}s phone number.\n".as_bytes(),
        );
        assert!(
            x.notes.iter().any(|n| n.contains("mojibake")),
            "{:#?}",
            x.notes
        );
        let quote = x
            .declaration
            .collect
            .first()
            .and_then(|c| c.quote.clone())
            .unwrap_or_default();
        assert_eq!(quote, "We collect the user's phone number.");
    }
}

mod shapes {
    //! Policy shapes other than the two fixtures: an unnumbered English policy, a Chinese
    //! policy with 第X条 articles and an SDK table, a flat SDK list with (1)/(2) blocks,
    //! traditional characters, Markdown. Each test checks the decisions that shape needs.

    use crate::common::policy::*;
    use privaudit::policy::extract::{Extraction, extract};
    use privaudit::policy::model::Declaration;

    fn run(text: &str) -> Extraction {
        extract(text.as_bytes(), &lexicon()).unwrap_or_else(|e| panic!("{e}"))
    }

    fn collected(d: &Declaration) -> Vec<&str> {
        d.collect
            .iter()
            .flat_map(|c| c.data.iter().map(String::as_str))
            .collect()
    }

    fn shared<'a>(d: &'a Declaration, party: &str) -> Vec<&'a str> {
        d.share
            .iter()
            .filter(|s| s.party == party)
            .flat_map(|s| s.data.iter().map(String::as_str))
            .collect()
    }

    fn denied(d: &Declaration) -> Vec<&str> {
        d.deny
            .iter()
            .flat_map(|x| x.data.iter().map(String::as_str))
            .collect()
    }

    const ENGLISH: &str = r#"
FitTrack Privacy Policy
Last updated: March 3, 2024

This Privacy Policy explains how FitTrack ("we", "us") collects, uses and shares information about you.

Information We Collect
Information you provide to us. When you create an account, we collect your name, email address, date of birth and password. You may also choose to add a profile photo.
Information we collect automatically. When you use the app, we automatically collect:
• Device information, such as your device model, operating system version, IP address and advertising identifier (IDFA or Google Advertising ID).
• Location information. With your permission, we collect your precise location to map your runs. We do not collect your location in the background.
• Health data, such as your heart rate and steps, if you connect a wearable.
We do not collect your contacts or your photos.

How We Use Your Information
We use your email address to send you service messages.

How We Share Your Information
We do not sell your personal information.
We share device identifiers and usage data with analytics providers such as Firebase Analytics and Adjust, and with advertising partners such as AppLovin.
We use Sentry to collect crash reports, which include your device model and operating system.
We may share your information with service providers who process it on our behalf.

Data Retention
We keep your account information for as long as your account is active, and delete logs after 90 days.

Security
We use TLS to encrypt data in transit and encrypt sensitive data at rest.

International Transfers
Your information is stored on servers located in the United States.

Children's Privacy
We do not knowingly collect personal information from children under 13.

Your Choices
You can delete your account at any time. If you do not provide your email address, you cannot create an account.

Contact Us
Email privacy@fittrack.example.com or visit https://www.fittrack.example.com/privacy.
"#;

    #[test]
    fn unnumbered_english_policy() {
        let x = run(ENGLISH);
        let d = &x.declaration;
        let c = collected(d);
        for id in [
            "identity.name",
            "contact.email",
            "identity.birthdate",
            "account.password",
            "location.precise",
            "device.identifier.gaid",
            "device.identifier.idfa",
            "network.ip_address",
            "health",
        ] {
            assert!(c.contains(&id), "{id} not collected: {c:?}");
        }
        // "Location information." is a bullet title; the background denial is partial.
        assert!(!c.contains(&"location"), "{c:?}");
        assert!(!denied(d).contains(&"location"), "{:?}", d.deny);
        assert_eq!(denied(d), vec!["comm.contacts", "media.photo_video"]);
        // "Google Advertising ID" is data, not Google's SDK.
        assert!(shared(d, "sdk:admob").is_empty());
        for party in ["sdk:firebase_analytics", "sdk:adjust", "sdk:applovin"] {
            assert!(
                shared(d, party).contains(&"device.identifier"),
                "{party}: {:?}",
                d.share
            );
        }
        assert!(shared(d, "sdk:sentry").contains(&"diagnostics.crash_log"));
        assert!(d.share.iter().any(|s| s.party == "third-party"));
        assert_eq!(
            d.promises
                .storage_region
                .as_ref()
                .map(|p| p.value().as_str()),
            Some("US")
        );
        assert_eq!(
            d.promises.retention_days.as_ref().map(|p| *p.value()),
            Some(90)
        );
        assert_eq!(
            d.promises.encrypted_in_transit.as_ref().map(|p| *p.value()),
            Some(true)
        );
        assert_eq!(d.app.policy_date.as_deref(), Some("2024-03-03"));
        assert_eq!(d.app.name, "FitTrack");
        assert!(
            x.notes.iter().any(|n| n.contains("\"heart rate\"")),
            "{:#?}",
            x.notes
        );
    }

    const ARTICLES_AND_TABLE: &str = r#"
某某阅读隐私政策
发布日期：2022年3月1日
第一条 我们收集的信息
1. 账号注册：您需要提供手机号、密码。
2. 为了向您推荐内容，我们会收集您的浏览记录、搜索记录和设备信息（包括设备型号、IMEI、OAID、MAC地址）。
3. 我们不会收集您的身份证号码和银行卡号。
第二条 第三方SDK
我们的产品集成了以下SDK：
SDK名称 | 第三方公司 | 收集的信息 | 目的
腾讯Bugly | 深圳市腾讯计算机系统有限公司 | 设备型号、操作系统版本、崩溃日志 | 崩溃分析
穿山甲SDK | 北京巨量引擎网络科技有限公司 | 设备标识符（IMEI/OAID/Android ID）、位置信息、应用列表 | 广告投放
微信SDK | 深圳市腾讯计算机系统有限公司 | 设备信息 | 微信登录与分享
个推推送 | 每日互动股份有限公司 | 设备标识符、网络信息 | 消息推送
第三条 信息存储
您的个人信息将存储于中国境内，保存期限为自您注销账号之日起6个月。
第四条 信息安全
我们采用HTTPS协议传输数据。
第五条 内嵌SDK信息共享（繁體）
神策SDK
第三方公司名稱：神策網絡科技(北京)有限公司
共享個人信息類型：
(1)必選個人信息
設備標識符(Android ID/IDFA/IDFV/UUID)
網絡信息(網絡類型、運營商名稱、IP 地址)
(2)可選個人信息
位置信息(GPS 位置信息)
"#;

    #[test]
    fn articles_sdk_table_and_traditional_characters() {
        let x = run(ARTICLES_AND_TABLE);
        let d = &x.declaration;
        let first = d.collect.first().map(|c| c.clause.clone());
        assert_eq!(first, Some(Some("第一条 1".to_string())));
        assert_eq!(
            denied(d),
            vec!["identity.id_number.cn_resident", "financial.bank_card"]
        );
        // One table row, one SDK, with the row's data only.
        assert_eq!(
            shared(d, "sdk:bugly"),
            vec![
                "device.hardware.model",
                "device.software.os",
                "diagnostics.crash_log"
            ]
        );
        assert!(shared(d, "sdk:pangle").contains(&"app.installed_list"));
        assert!(!shared(d, "sdk:pangle").contains(&"diagnostics.crash_log"));
        assert_eq!(shared(d, "sdk:wechat"), vec!["device"]);
        assert_eq!(shared(d, "sdk:getui"), vec!["device.identifier", "network"]);
        // 神策 has two SDKs and the text does not say which: generic, with a note; the
        // traditional-script data under its (1)/(2) blocks stays with it.
        let sensors: Vec<&str> = d
            .share
            .iter()
            .filter(|s| s.name.as_deref().is_some_and(|n| n.contains("神策")))
            .flat_map(|s| s.data.iter().map(String::as_str))
            .collect();
        for id in [
            "device.identifier.android_id",
            "network.ip_address",
            "device.sim.carrier",
            "location.precise",
        ] {
            assert!(sensors.contains(&id), "{id}: {sensors:?}");
        }
        assert!(
            !collected(d).contains(&"professional.organization"),
            "a field label was read as data"
        );
        assert!(
            x.notes.iter().any(|n| n.contains("sensorsdata.toml")),
            "{:#?}",
            x.notes
        );
        assert!(
            x.notes.iter().any(|n| n.contains("traditional")),
            "{:#?}",
            x.notes
        );
        assert_eq!(
            d.promises
                .storage_region
                .as_ref()
                .map(|p| p.value().as_str()),
            Some("CN")
        );
        assert_eq!(
            d.promises.retention_days.as_ref().map(|p| *p.value()),
            Some(180)
        );
        assert_eq!(
            d.promises
                .encrypted_in_transit
                .as_ref()
                .and_then(|p| p.clause()),
            Some("第四条")
        );
    }

    const FLAT_SDK_LIST: &str = r#"
三、第三方SDK目录
友盟统计SDK
第三方主体：友盟同欣（北京）科技有限公司
收集个人信息类型：
(1)必选信息
设备标识符（IMEI/MAC/Android ID）
(2)可选信息
位置信息
极光推送SDK
第三方主体：深圳市和讯华谷信息技术有限公司
收集个人信息类型：
(1)必选信息
设备型号、网络类型
(2)可选信息
WiFi列表
四、我们如何保护您的个人信息
我们会采取加密等安全措施。
"#;

    #[test]
    fn flat_sdk_list_with_sub_blocks() {
        let d = run(FLAT_SDK_LIST).declaration;
        assert!(
            d.collect.is_empty(),
            "SDK data read as first-party collection: {:?}",
            d.collect
        );
        assert_eq!(
            shared(&d, "sdk:umeng"),
            vec![
                "device.identifier",
                "device.identifier.imei",
                "device.identifier.mac",
                "device.identifier.android_id",
                "location"
            ]
        );
        assert_eq!(
            shared(&d, "sdk:jpush"),
            vec![
                "device.hardware.model",
                "network.type",
                "network.wifi.scan_list"
            ]
        );
        assert!(
            d.share.iter().all(|s| s.clause.as_deref() == Some("三")),
            "{:?}",
            d.share
        );
    }

    #[test]
    fn markdown_and_decimal_chinese_numbering() {
        let text = "# 隐私政策\n## 1. 我们如何收集您的个人信息\n**1.1 设备信息**\n我们会收集您的设备型号和操作系统版本。\n## 2. 我们如何存储您的个人信息\n2.1 我们将您的个人信息存储在中国境内，保存三年。\n";
        let d = run(text).declaration;
        assert_eq!(
            d.collect.first().and_then(|c| c.clause.clone()).as_deref(),
            Some("1.1")
        );
        assert_eq!(
            collected(&d),
            vec!["device.hardware.model", "device.software.os"]
        );
        assert_eq!(
            d.promises.retention_days.as_ref().map(|p| *p.value()),
            Some(1095)
        );
        assert_eq!(
            d.promises.storage_region.as_ref().and_then(|p| p.clause()),
            Some("2.1")
        );
    }

    #[test]
    fn consent_and_negation_forms() {
        let text = "一、我们如何收集您的信息\n在您同意本政策之前，我们不会收集任何个人信息。\n我们不收集您的通讯录。\n未经您的同意，我们不会收集您的位置信息。\n我们不会收集您的精确位置，但会收集您的IP地址。\n如果您不提供手机号码，将无法注册。\n";
        let x = run(text);
        let d = &x.declaration;
        assert!(d.promises.consent_before_collection.is_some());
        assert_eq!(denied(d), vec!["comm.contacts", "location.precise"]);
        let c = collected(d);
        assert!(c.contains(&"network.ip_address"), "{c:?}");
        assert!(
            c.contains(&"contact.phone_number"),
            "user's refusal is not a denial: {c:?}"
        );
        assert!(
            !c.contains(&"location"),
            "conditional negation read as collection: {c:?}"
        );
    }

    const NUMBERED_WITH_LABELLED_LIST: &str = r#"FitTrack Privacy Policy
Last updated: March 3, 2025

1. Who we are
FitTrack Ltd. ("FitTrack", "we", "us") operates the FitTrack mobile application.

2. Information we collect
2.1 Information you give us. When you create an account we collect your name, email address and date of birth. If you choose to sign in with your phone number, we collect your mobile phone number.
2.2 Information collected automatically. When you use the app we automatically collect device information, including your device model, operating system version, and advertising identifier (IDFA on iOS, GAID on Android). We collect your precise location (GPS) while you record a workout, only with your permission.
2.3 We do not collect your IMEI, your contacts or the list of apps installed on your device.

3. How we use your information
We use your information to provide and improve the service, to personalise content and to measure the effectiveness of advertising.

4. Sharing with third parties
We use the following service providers, which receive data as described:
- Google Firebase (Crashlytics and Analytics): device information and crash logs;
- AppsFlyer: advertising identifier and app events, for attribution;
- Facebook SDK: advertising identifier, for ad measurement.
We do not sell your personal information.

5. Security and storage
All data is transmitted using TLS encryption. Your data is stored on servers located in the European Union. We retain your account data for as long as your account is active and delete workout location data after 24 months.

6. Your choices
You can withdraw consent to location collection at any time in Settings. We will ask for your consent before collecting any personal data.

7. Contact
privacy@fittrack.example
"#;

    /// A numbered English policy whose sharing clause lists "Party: data" items, a
    /// denial of specific identifiers next to vaguely declared "device information", and
    /// the consent promise under "Your choices".
    #[test]
    fn numbered_policy_with_labelled_sdk_list() {
        let x = run(NUMBERED_WITH_LABELLED_LIST);
        let d = &x.declaration;
        let ad_ids = ["device.identifier.gaid", "device.identifier.idfa"];
        for party in ["sdk:appsflyer", "sdk:facebook"] {
            let got = shared(d, party);
            assert!(
                ad_ids.iter().all(|id| got.contains(id)),
                "{party}: {got:?}\n{:#?}",
                d.share
            );
        }
        assert!(
            shared(d, "sdk:crashlytics").contains(&"diagnostics.crash_log"),
            "{:#?}",
            d.share
        );
        // The label's party gets only its own item's data.
        assert!(!shared(d, "sdk:crashlytics").contains(&"device.identifier.gaid"));
        assert_eq!(
            denied(d),
            vec![
                "device.identifier.imei",
                "comm.contacts",
                "app.installed_list"
            ]
        );
        assert!(d.promises.consent_before_collection.is_some());
        assert_eq!(
            d.promises
                .storage_region
                .as_ref()
                .map(|p| p.value().as_str()),
            Some("EU")
        );
        assert_eq!(
            d.promises.retention_days.as_ref().map(|p| *p.value()),
            Some(720)
        );
        assert!(d.promises.encrypted_in_transit.is_some());
        let c = collected(d);
        for id in [
            "contact.phone_number",
            "location.precise",
            "identity.birthdate",
        ] {
            assert!(c.contains(&id), "{id} not in {c:?}");
        }
    }
}

mod sdk_lists {
    //! SDK lists become one named [[share]] entry per listed SDK, with only that SDK's
    //! data: a real policy (ca4p-dev/0506, an inline run of "label：value" fields wrapped
    //! across lines) and an invented English Markdown table. The expected names come from
    //! the text by a rule of their own (the words after "第三方SDK名称："), not from a list.

    use crate::common::corpus;
    use crate::common::policy::*;
    use privaudit::policy::extract::extract;
    use privaudit::policy::model::{Declaration, Share};

    fn squeeze(s: &str) -> String {
        s.chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_lowercase()
    }

    /// Splits on 、 outside brackets.
    fn split_list(v: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut depth = 0;
        let mut cur = String::new();
        for c in v.chars() {
            match c {
                '（' | '(' => depth += 1,
                '）' | ')' => depth -= 1,
                _ => {}
            }
            if c == '、' && depth == 0 {
                out.push(std::mem::take(&mut cur));
            } else {
                cur.push(c);
            }
        }
        out.push(cur);
        out.into_iter()
            .map(|n| squeeze(n.trim_matches(|c: char| c.is_whitespace() || "，,。".contains(c))))
            .filter(|n| !n.is_empty())
            .collect()
    }

    /// Each "第三方SDK名称：" record of the text: its names and the text of its
    /// "收集数据类型：" / "共享的个人信息类型：" field.
    fn records(text: &str) -> Vec<(Vec<String>, String)> {
        let mut out = Vec::new();
        for chunk in text.split("第三方SDK名称：").skip(1) {
            let end = ["公司", "使用", "收集", "官网"]
                .iter()
                .filter_map(|w| chunk.find(w))
                .min()
                .unwrap_or(chunk.len());
            let names = split_list(&chunk[..end]);
            let data = ["收集数据类型：", "共享的个人信息类型："]
                .iter()
                .find_map(|l| chunk.find(l).map(|p| &chunk[p + l.len()..]))
                .map(|d| {
                    let stop = ["官网", "。", "第三方SDK名称"]
                        .iter()
                        .filter_map(|w| d.find(w))
                        .min()
                        .unwrap_or(d.len());
                    d[..stop].to_string()
                })
                .unwrap_or_default();
            out.push((names, data));
        }
        out
    }

    fn no_generic_names(d: &Declaration) {
        for s in &d.share {
            if let Some(n) = &s.name {
                let n = squeeze(n);
                assert!(
                    !n.is_empty()
                        && ![
                            "sdk",
                            "第三方",
                            "第三方sdk",
                            "合作方",
                            "thirdparty",
                            "third-party",
                            "partner",
                            "partners"
                        ]
                        .contains(&n.as_str()),
                    "generic name {:?} in {s:?}",
                    s.name
                );
            } else {
                // Only a generic statement may have no name, and it names no one.
                assert!(
                    s.party == "sdk" || s.party == "third-party",
                    "entry without a name: {s:?}"
                );
            }
        }
    }

    /// Ids that an item of a record's data field may stand for: each kind of data id
    /// needs its word in the field ("面部" for face data, "经纬度"/"位置" for location).
    fn supported(id: &str, data: &str) -> bool {
        let has = |words: &[&str]| words.iter().any(|w| data.contains(w));
        if id.starts_with("biometric") {
            has(&["面部", "人脸", "face"])
        } else if id.starts_with("location") {
            has(&["经纬度", "位置", "location"])
        } else if id == "network.ip_address" {
            has(&["IP"])
        } else if id == "device.identifier.mac" {
            has(&["MAC"])
        } else if id.starts_with("device") {
            has(&["设备", "device", "Device"])
        } else {
            false
        }
    }

    fn entry<'a>(d: &'a Declaration, name: &str) -> Option<&'a Share> {
        d.share
            .iter()
            .find(|s| s.name.as_deref().is_some_and(|n| squeeze(n) == name))
    }

    #[test]
    fn real_inline_sdk_list_gives_one_named_entry_per_sdk() {
        let path = corpus().join("policies/ca4p-dev/0506.txt");
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let d = extract(&bytes, &lexicon())
            .unwrap_or_else(|e| panic!("{e}"))
            .declaration;
        let recs = records(&text);
        let names: Vec<&String> = recs.iter().flat_map(|(n, _)| n).collect();
        assert!(names.len() >= 15, "the rule found only {names:?}");
        let missing: Vec<&&String> = names.iter().filter(|n| entry(&d, n).is_none()).collect();
        assert!(
            missing.is_empty(),
            "listed SDKs without a named entry: {missing:?}\n{:#?}",
            d.share
        );
        no_generic_names(&d);
        // Prose elsewhere may name the same SDK with other data ("第三方所调用的权限…");
        // the record's own entry has only the record's data, and quotes the record.
        for (names, data) in &recs {
            for n in names {
                let own = d.share.iter().find(|e| {
                    e.name.as_deref().is_some_and(|x| squeeze(x) == *n)
                        && e.quote
                            .as_deref()
                            .is_some_and(|q| squeeze(q).contains(&squeeze(data)))
                });
                let Some(e) = own else {
                    panic!(
                        "{n}: no entry quoting its record's data {data:?}: {:#?}",
                        d.share
                    )
                };
                if !data.trim().is_empty() {
                    assert!(!e.data.is_empty(), "{n}: no data from {data:?}");
                }
                for id in &e.data {
                    assert!(
                        supported(id, data),
                        "{n}: {id} is not in its record's data {data:?}"
                    );
                }
            }
        }
        // The record's company and link stay with it.
        let getui = d
            .share
            .iter()
            .find(|s| s.name.as_deref() == Some("个推") && s.entity.is_some())
            .expect("个推's record");
        assert_eq!(getui.party, "sdk:getui");
        assert_eq!(
            getui.entity.as_deref(),
            Some("浙江每日互动网络科技股份有限公司")
        );
        assert_eq!(getui.domain.as_deref(), Some("getui.com"));
        let sensetime = entry(&d, "商汤").expect("商汤");
        assert_eq!(sensetime.party, "third-party");
        assert_eq!(sensetime.data, vec!["biometric.face"]);
        // Companies a sharing clause names are named entries too.
        assert!(
            d.share.iter().any(
                |s| s.entity.as_deref() == Some("华宇世博音乐文化（北京）有限公司")
                    && s.clause.is_some()
            ),
            "{:#?}",
            d.share
        );
    }

    const ENGLISH_TABLE: &str = "# Privacy Policy\n\n## Third-party SDKs we use\n\n\
The SDKs below receive data from the app:\n\n\
| SDK name | Company | Purpose | Data collected | Privacy policy |\n\
|---|---|---|---|---|\n\
| Firebase Crashlytics | Google LLC | crash reporting | crash logs, device model | https://firebase.google.com/support/privacy |\n\
| Zephyrine Maps | Zephyrine Mapping Ltd | showing maps | precise location | https://www.zephyrine-maps.example.com/privacy |\n\
| Third party | Quillon Ads Inc. | advertising | advertising ID, IP address | https://quillon.example.net/legal |\n\n\
## Contact\n\nWrite to privacy@example.com.\n";

    #[test]
    fn english_markdown_table() {
        let d = extract(ENGLISH_TABLE.as_bytes(), &lexicon())
            .unwrap_or_else(|e| panic!("{e}"))
            .declaration;
        no_generic_names(&d);
        // Expected from the rows: the first cell, or the company where the first cell is
        // a generic word.
        let mut rows = 0;
        for line in ENGLISH_TABLE
            .lines()
            .filter(|l| l.starts_with("| ") && !l.starts_with("| SDK"))
        {
            rows += 1;
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            let (name, company, data) = (cells[1], cells[2], cells[4]);
            let want = if name == "Third party" { company } else { name };
            let e = entry(&d, &squeeze(want))
                .unwrap_or_else(|| panic!("{want}: no entry in {:#?}", d.share));
            assert!(!e.data.is_empty(), "{want}: no data");
            for id in &e.data {
                let ok = match id.as_str() {
                    "diagnostics.crash_log" => data.contains("crash"),
                    "device.hardware.model" => data.contains("model"),
                    i if i.starts_with("location") => data.contains("location"),
                    "device.identifier.gaid"
                    | "device.identifier.idfa"
                    | "device.identifier.advertising_id" => data.contains("advertising"),
                    "network.ip_address" => data.contains("IP"),
                    other => panic!("{want}: {other} not from its row {data:?}"),
                };
                assert!(ok, "{want}: {id} not from its row {data:?}");
            }
            assert_eq!(e.entity.as_deref(), Some(company));
        }
        assert_eq!(rows, 3);
        let crash = entry(&d, "firebasecrashlytics").expect("crashlytics");
        assert!(crash.party.starts_with("sdk:"), "{crash:?}");
        let maps = entry(&d, "zephyrinemaps").expect("maps");
        assert_eq!(maps.party, "third-party");
        assert_eq!(maps.domain.as_deref(), Some("example.com"));
    }
}

mod hostile {
    //! Hostile input: nothing may panic, and size must not make extraction slow.

    use std::time::{Duration, Instant};

    use crate::common::policy::*;
    use privaudit::policy::extract::{ExtractError, MAX_INPUT_BYTES, extract};

    /// Deterministic pseudo-random bytes (xorshift), so failures reproduce.
    fn noise(len: usize, mut seed: u64) -> Vec<u8> {
        let mut out = Vec::with_capacity(len);
        while out.len() < len {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            out.extend_from_slice(&seed.to_le_bytes());
        }
        out.truncate(len);
        out
    }

    #[test]
    fn empty_input() {
        let x = extract(b"", &lexicon()).unwrap_or_else(|e| panic!("{e}"));
        assert!(x.declaration.collect.is_empty());
        assert!(x.notes.iter().any(|n| n.contains("empty")));
    }

    #[test]
    fn binary_garbage() {
        let lexicon = lexicon();
        for (i, len) in [1usize, 2, 3, 17, 4096, 300_000].into_iter().enumerate() {
            let bytes = noise(len, 0x9E37_79B9_7F4A_7C15 ^ i as u64);
            let x = extract(&bytes, &lexicon).unwrap_or_else(|e| panic!("{e}"));
            assert!(!x.encoding.is_empty());
        }
        // Byte-order marks followed by garbage, odd lengths, lone surrogates.
        for prefix in [&[0xFF, 0xFE][..], &[0xFE, 0xFF], &[0xEF, 0xBB, 0xBF]] {
            let mut bytes = prefix.to_vec();
            bytes.extend(noise(1001, 7));
            bytes.extend([0x00, 0xD8, 0x41]);
            extract(&bytes, &lexicon).unwrap_or_else(|e| panic!("{e}"));
        }
        let nul = vec![0u8; 10_000];
        let x = extract(&nul, &lexicon).unwrap_or_else(|e| panic!("{e}"));
        assert!(x.declaration.collect.is_empty());
    }

    #[test]
    fn five_megabytes_of_repeated_policy() {
        let lexicon = lexicon();
        let seed = read(&root().join("../shared/seed/privacy-agreement.txt"));
        let mut text = String::with_capacity(5 << 20);
        while text.len() < 5 << 20 {
            text.push_str(&seed);
            text.push('\n');
        }
        let start = Instant::now();
        let x = extract(text.as_bytes(), &lexicon).unwrap_or_else(|e| panic!("{e}"));
        let took = start.elapsed();
        eprintln!("5 MB of repeated policy: {took:?}");
        // A debug build on a 2-core machine takes a few seconds; this bound only catches
        // super-linear behaviour.
        assert!(took < Duration::from_secs(60), "took {took:?}");
        // Repetition adds no entries: clauses repeat, so entries merge.
        let single = extract(seed.as_bytes(), &lexicon).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(x.declaration.collect, single.declaration.collect);
        assert!(x.notes.len() <= 201);
    }

    #[test]
    fn hundred_thousand_character_lines() {
        let lexicon = lexicon();
        let inputs = [
            "a".repeat(100_000),
            "我们会收集您的手机号码".repeat(10_000),
            "1.1 we collect your phone number, ".repeat(3_000),
            "（一）".repeat(40_000),
            ".".repeat(100_000),
            "1.".repeat(50_000),
            "第三条".repeat(30_000),
            "¡¯".repeat(50_000),
            "We do not collect ".repeat(6_000),
        ];
        for text in inputs {
            let start = Instant::now();
            let x = extract(text.as_bytes(), &lexicon).unwrap_or_else(|e| panic!("{e}"));
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "{:?}",
                start.elapsed()
            );
            for c in &x.declaration.collect {
                let len = c.quote.as_deref().map(|q| q.chars().count()).unwrap_or(0);
                assert!(len <= 610, "quote of {len} characters");
            }
        }
    }

    #[test]
    fn many_short_lines_and_labels() {
        let lexicon = lexicon();
        let mut text = String::new();
        for i in 0..20_000 {
            text.push_str(&format!(
                "{}.{}.{} 第{}条 （{}） x\n",
                i % 99,
                i % 97,
                i % 13,
                i % 10,
                i % 7
            ));
        }
        extract(text.as_bytes(), &lexicon).unwrap_or_else(|e| panic!("{e}"));
    }

    #[test]
    fn oversized_input_is_refused() {
        let bytes = vec![b'a'; MAX_INPUT_BYTES + 1];
        match extract(&bytes, &lexicon()) {
            Err(ExtractError::TooLarge { size, .. }) => assert_eq!(size, MAX_INPUT_BYTES + 1),
            other => panic!("expected TooLarge, got {:?}", other.map(|x| x.encoding)),
        }
    }
}

mod cli {
    //! The commands a reviewer runs: draft, check, audit with the draft.

    use crate::common;

    fn root() -> std::path::PathBuf {
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
    }

    #[test]
    fn extract_check_and_audit_with_the_draft() {
        let dir = tempfile::tempdir().unwrap();
        let draft = dir.path().join("draft.toml");
        let seed = root().join("../shared/seed/privacy-agreement.txt");
        let out = common::privaudit(&[
            "policy",
            "extract",
            seed.to_str().unwrap(),
            "-o",
            draft.to_str().unwrap(),
        ]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let summary = String::from_utf8_lossy(&out.stderr);
        assert!(summary.contains("collect"), "{summary}");
        let text = std::fs::read_to_string(&draft).unwrap();
        assert!(text.starts_with("# Draft declaration from"));
        assert!(text.contains("# NOTE:"), "reviewer notes are in the draft");
        // The draft is a valid declaration that knows only real data types.
        let out = common::privaudit(&["policy", "check", draft.to_str().unwrap()]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
        // And it audits the demo capture.
        let demo = root().join("captures/demo/mobile-office.pcapng");
        let out = common::privaudit(&[
            "audit",
            "--policy",
            draft.to_str().unwrap(),
            demo.to_str().unwrap(),
            "--format",
            "json",
        ]);
        assert!(matches!(out.status.code(), Some(0 | 1)));
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert!(!report["findings"].as_array().unwrap().is_empty());
    }

    #[test]
    fn check_names_unknown_ids_and_parties() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("typo.toml");
        std::fs::write(
            &p,
            "[app]\nname = \"X\"\n\n[[collect]]\ndata = [\"device.identifier.imie\"]\n\n[[share]]\nparty = \"sdk:umeng\"\ndata = [\"device.identifier.imei\"]\n\n[[share]]\nparty = \"sdk:no-such-sdk\"\n\n[[share]]\nparty = \"analytics people\"\n",
        )
        .unwrap();
        let out = common::privaudit(&["policy", "check", p.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(1));
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains("collect[0]: unknown data type `device.identifier.imie`"),
            "{text}"
        );
        assert!(text.contains("share[1]: party `sdk:no-such-sdk`"), "{text}");
        assert!(
            text.contains("share[2]: party `analytics people`"),
            "{text}"
        );
        assert!(!text.contains("share[0]"), "{text}");
        // The audit warns about the same problems instead of silently mismatching.
        let har = dir.path().join("empty.har");
        std::fs::write(
            &har,
            r#"{"log":{"version":"1.2","creator":{"name":"t","version":"1"},"entries":[]}}"#,
        )
        .unwrap();
        let out = common::privaudit(&[
            "audit",
            "--policy",
            p.to_str().unwrap(),
            har.to_str().unwrap(),
        ]);
        assert!(
            String::from_utf8_lossy(&out.stderr)
                .contains("unknown data type `device.identifier.imie`")
        );

        let bad = dir.path().join("bad.toml");
        std::fs::write(&bad, "[app\nname=").unwrap();
        let out = common::privaudit(&["policy", "check", bad.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&out.stderr).contains("bad.toml"));
    }

    #[test]
    fn unreadable_policy_text_is_a_clear_error() {
        let out = common::privaudit(&["policy", "extract", "/nonexistent/policy.txt"]);
        assert_eq!(out.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/policy.txt"));
    }
}
