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
        let mut reviewed = load_declaration(&main_crate().join("policies/mobile-office.toml"));
        // The reviewer recorded 6.1.2's unnamed SDKs as a generic entry; the draft only
        // notes them, because a draft entry needs a name the policy gives.
        let generic = reviewed
            .share
            .iter()
            .position(|s| s.party == "sdk" && s.clause.as_deref() == Some("6.1.2"))
            .expect("the reviewed declaration keeps its generic SDK entry");
        reviewed.share.remove(generic);
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
        changed.share.push(privaudit::policy::model::Share {
            party: "third-party".to_string(),
            clause: Some("6.1.2".to_string()),
            ..Default::default()
        });
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
        assert!(
            text.contains("share third-party @ 6.1.2: unexpected"),
            "{text}"
        );
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

    /// The quotes of the collect entries that hold `id`.
    fn collect_quotes<'a>(d: &'a Declaration, id: &str) -> Vec<&'a str> {
        d.collect
            .iter()
            .filter(|c| c.data.iter().any(|x| x == id))
            .filter_map(|c| c.quote.as_deref())
            .collect()
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

    /// A Tencent-made office app's policy, a crawl artefact before its title, a table of
    /// contents numbered unlike the body, and a user agreement published with it.
    const OWN_NAMES: &str = "[帮助中心](https://example.com/help)
企业微信隐私保护指引
更新日期：2026年1月1日
企业微信是由深圳市某某计算机系统有限公司（以下简称“某某公司”或“我们”）提供的办公工具。
本指引包括：
1\\. 我们收集的信息
2\\. 信息的分享
3\\. 如何联系我们
==========
一、我们收集的信息
你使用企业微信时，我们会收集你的手机号码和设备型号。
拒绝授予日历权限仅会使你无法使用日程功能，但不影响你正常使用企业微信的其他功能。
你可以使用微信账号登录，我们会获取你的微信头像。
二、信息的分享
我们会向腾讯地图SDK提供你的位置信息，用于展示附近的会议室。
某某公司的关联公司在必要时会处理你的信息。
三、用户行为规范
用户不得盗用他人账号和密码，不得上传他人的照片。
";

    #[test]
    fn the_apps_own_name_and_its_operator_are_no_third_party() {
        let d = run(OWN_NAMES).declaration;
        assert_eq!(d.app.name_zh.as_deref(), Some("企业微信"));
        // The 微信 of 企业微信 is the app; signing in with 微信 names WeChat as the means,
        // and what the app gets from it is collected.
        assert!(
            d.share
                .iter()
                .all(|s| s.data.is_empty() || s.party != "sdk:wechat"),
            "{:#?}",
            d.share
        );
        assert_eq!(shared(&d, "sdk:tencent_map"), ["location"]);
        // The table of contents ends with "3. 如何联系我们"; the body after it is read.
        let got = collected(&d);
        for id in [
            "contact.phone_number",
            "device.hardware.model",
            "identity.avatar",
        ] {
            assert!(got.contains(&id), "{id} in {got:?}");
        }
        // The user agreement's rules collect nothing.
        for id in ["account.password", "media.photo_video"] {
            assert!(!got.contains(&id), "{id} in {got:?}");
        }
    }

    /// A section about children whose lead-in says what is collected; the same section's
    /// other sentences and a plain mention elsewhere stay unread.
    const CHILD_PROFILES: &str = "Starling Reader Privacy Policy

## 3. Information we collect about children

A parent sets up each child's reader profile. For each profile we collect:

- **A display name** picked by the parent; we ask parents not to use a child's real name.
- **A reading level** chosen from a short quiz.
- **The birthday month**, so the app can show a greeting.

Children cannot send messages to anyone.

## 4. Your rights

You may ask us to delete a profile's display name at any time.
";

    #[test]
    fn a_lead_in_that_says_we_collect_holds_in_a_section_about_children() {
        let d = run(CHILD_PROFILES).declaration;
        let got = collected(&d);
        for id in ["identity.nickname", "identity.birthdate"] {
            assert!(got.contains(&id), "{id} in {got:?}");
        }
        // Asking a parent not to use the real name denies it.
        assert!(!got.contains(&"identity.name"), "{got:?}");
        assert!(!got.contains(&"comm.chat_messages"), "{got:?}");
        assert!(
            d.collect
                .iter()
                .all(|c| !c.quote.as_deref().unwrap_or("").contains("delete")),
            "{:#?}",
            d.collect
        );
    }

    #[test]
    fn the_communications_template_names_communications_not_the_users_account() {
        let text = "一、我们收集的信息\n我们会收集以下信息：\n1. 您在游戏中与好友进行通讯的信息，例如曾通讯的账号，以及通讯时间、数据和时长。\n";
        let d = run(text).declaration;
        let got = collected(&d);
        assert!(got.contains(&"comm"), "{got:?}");
        for id in ["activity.access_time", "account.user_id", "account"] {
            assert!(!got.contains(&id), "{id} in {got:?}");
        }
    }

    #[test]
    fn rights_instructions_and_templates_around_data_name_no_collection() {
        let text = "一、我们如何收集和使用您的个人信息\n\
我们将采取适当的技术手段，保证您可以查阅、更正自己的注册信息。\n\
您可以在手机系统的权限管理中关闭麦克风、通讯录等权限，改变授权范围或撤回您的授权。\n\
公司与您一同致力于保护您的个人信息。\n\
我们收集的信息包括您分享的照片所包含的信息，例如拍摄照片的日期、时间或地点。\n\
如本政策有重大变更，我们会通过包括但不限于短信、站内信等方式向您提供变更说明。\n";
        let x = run(text);
        let got = collected(&x.declaration);
        for id in [
            "account",
            "comm.contacts",
            "media.audio",
            "professional.organization",
            "activity.access_time",
            "comm.sms",
        ] {
            assert!(!got.contains(&id), "{id} in {got:?}");
        }
        // The photo's place is still data the sentence says is collected.
        assert!(got.iter().any(|id| id.starts_with("location")), "{got:?}");
        assert!(
            x.notes.iter().any(|n| n.contains("rights instruction")),
            "{:?}",
            x.notes
        );
    }

    #[test]
    fn hard_wrapped_latin_terms_are_read_whole() {
        // A crawled policy wraps its lines at a space, also inside "android ID" and "IP 地址";
        // each half on its own line would name other data (an account id, a postal address).
        let text = "一、我们如何收集和使用您的个人信息\n\
我们的应用集成了某统计分析SDK，该SDK需要收集您的设备Mac地址、唯一设备识别码（IMEI/android\n\
ID/IDFA）以提供统计分析服务，并通过地理位置校准报表数据的准确性。\n\
为保障账号安全，我们会收集您的设备信息、设备所在位置相关信息（IP\n\
地址、地理位置信息），用于判断登录是否异常和识别风险。\n";
        let x = run(text);
        let d = &x.declaration;
        let got: Vec<&str> = collected(d)
            .into_iter()
            .chain(
                d.share
                    .iter()
                    .flat_map(|s| s.data.iter().map(String::as_str)),
            )
            .collect();
        assert!(got.contains(&"device.identifier.android_id"), "{got:?}");
        assert!(got.contains(&"network.ip_address"), "{got:?}");
        assert!(!got.contains(&"account.user_id"), "{got:?}");
        assert!(!got.contains(&"contact.address"), "{got:?}");
    }

    #[test]
    fn words_around_data_that_name_none() {
        let text = "一、我们如何收集和使用您的个人信息\n\
我们会在您的设备上存储Cookie，帮您省去重复输入注册信息的步骤，或帮助判断您的账户安全。\n\
我们会收集您的手机号码，除非您通过系统设置拒绝我们收集。\n\
我们会获取存储权限，用于缓存图片和视频，减少流量消耗。\n\
我们会获取后台运行权限，保证手机屏幕关闭后后台进程仍运行。\n\
我们会收集您的设备型号。\n\
如您对本政策有任何疑问，请通过本政策文末的联系方式与我们联系。\n";
        let x = run(text);
        let got = collected(&x.declaration);
        for id in [
            "account",
            "device.software.settings_state",
            "media.photo_video",
            "app.running_processes",
            "contact",
        ] {
            assert!(!got.contains(&id), "{id} in {got:?}");
        }
        for id in [
            "contact.phone_number",
            "device.hardware.model",
            "activity.cookie",
        ] {
            assert!(got.contains(&id), "{id} not in {got:?}");
        }
    }

    #[test]
    fn a_denial_that_refers_back_denies_the_examples_before_it() {
        let text = "# Privacy\n\n## Categories we collect\n\n\
We collect your email address. The statute's description of identifiers includes examples such as a legal name, \
mailing address and passport number; we do not collect those examples.\n\n\
The app uses your photos, such as the pictures you attach to a bug report; we do not sell them.\n\n\
我们会收集您的手机号码。例如身份证号码、银行卡号，我们不会收集上述信息。\n\n\
我们会收集您的设备型号，但不会收集上述信息以外的信息。\n";
        let x = run(text);
        let got = collected(&x.declaration);
        let deny = denied(&x.declaration);
        for id in [
            "identity.name",
            "contact.address",
            "identity.id_number.passport",
            "identity.id_number.cn_resident",
            "financial.bank_card",
        ] {
            assert!(!got.contains(&id), "{id} in {got:?}");
            assert!(deny.contains(&id), "{id} not denied: {deny:?}");
        }
        // The clause before "we do not sell them" says what is used: it stays collected.
        // An exception ("上述信息以外") refers back to nothing denied.
        for id in [
            "contact.email",
            "contact.phone_number",
            "media.photo_video",
            "device.hardware.model",
        ] {
            assert!(got.contains(&id), "{id} not in {got:?}");
        }
    }

    #[test]
    fn promises_not_to_share_without_consent_and_list_ends_hold_the_data() {
        let text = "一、用户个人信息保护\n\
1.1 未经用户许可，运营方不得向任何第三方提供、公开或共享用户资料中的姓名、家庭地址等信息。\n\
1.2 本应用承诺：非经法律程序或经您的许可不会泄露您的个人信息（如身份证号、电话等）。\n\
1.3 注册时，您需要提供邮箱地址、会员名和密码用于创建账户。\n\
1.4 我们会收集您的 **IP** 地址。\n\
1.5 用户不得上传他人的照片。\n\
1.6 某某科技有限公司的联系地址为：北京市海淀区某某路1号。\n";
        let x = run(text);
        let got = collected(&x.declaration);
        for id in [
            "identity.name",
            "contact.address",
            "identity.id_number.cn_resident",
            "contact.phone_number",
            "account.password",
            "network.ip_address",
        ] {
            assert!(got.contains(&id), "{id} not in {got:?}");
        }
        // A rule for the user is still no collection, and the operator's own address
        // is no user's address (it is held only through 1.1 here).
        assert!(!got.contains(&"media.photo_video"), "{got:?}");
        let address_quotes = collect_quotes(&x.declaration, "contact.address");
        assert!(
            address_quotes.iter().all(|q| !q.contains("联系地址为")),
            "{address_quotes:?}"
        );
    }

    #[test]
    fn words_about_cookies_accounts_and_contacts_that_name_no_collected_data() {
        let text = "一、我们收集的信息\n\
1. 我们会收集您的手机号码。\n\
2. 我们会在您的设备上存储名为Cookie的小数据文件。借助于Cookie，网站能够存储您的邮箱等数据。\n\
3. 当您访问第三方的网页时，这些第三方可以放置自己的Cookie或像素标签，不受我们控制。\n\
4. 请绑定手机号码，当您遇到注册账号丢失、忘记密码问题时，可以便捷的找回账号和密码。\n\
5. 我们会收集您提供的信息中可能包含的位置信息，例如您提供的账户信息中可能包含的您所在地区信息。\n\
6. 如有疑问，请通过邮箱(privacy@example.cn)与我们联系。\n";
        let x = run(text);
        let got = collected(&x.declaration);
        assert!(got.contains(&"contact.phone_number"), "{got:?}");
        assert!(got.contains(&"location"), "{got:?}");
        // Websites in general, other parties' own cookies, what binding a phone is for,
        // a container of the region, and the operator's own address name nothing collected.
        for id in ["contact.email", "account.password", "account"] {
            assert!(!got.contains(&id), "{id} in {got:?}");
        }
        let cookie_quotes = collect_quotes(&x.declaration, "activity.cookie");
        assert!(
            cookie_quotes.iter().all(|q| !q.contains("放置自己的")),
            "{cookie_quotes:?}"
        );
    }

    #[test]
    fn a_permission_not_asked_for_and_a_type_denied_in_its_own_sentence_are_not_collected() {
        let text = "一、我们收集的信息\n\
1. 我们不会申请读取短信、通话记录或日历的权限。\n\
2. 登录时，您需要输入账号；您也可以开启指纹登录，该验证由手机系统完成，我们不会收集您的指纹信息。\n\
3. 充值通过第三方支付完成，我们会获得支付状态；我们不会获取您的支付账号密码。\n\
4. 我们的账号不设置登录密码。您可使用手机号码和短信验证码登录。\n";
        let x = run(text);
        let got = collected(&x.declaration);
        let deny = denied(&x.declaration);
        for id in [
            "comm.call_log",
            "calendar",
            "biometric.fingerprint",
            "account.password",
        ] {
            assert!(!got.contains(&id), "{id} in {got:?}");
            assert!(deny.contains(&id), "{id} not denied: {deny:?}");
        }
        // A denial reaches back no further than its semicolon.
        assert!(got.contains(&"financial.payment_account"), "{got:?}");
        assert!(got.contains(&"contact.phone_number"), "{got:?}");
    }

    #[test]
    fn a_negation_in_brackets_qualifies_its_item_and_a_denial_takes_back_a_permission() {
        // The bracket restricts IMEI to older systems: everything stays collected, the
        // IP address before it too.
        let x = run("隐私政策\n\n二、我们如何收集和使用你的个人信息\n\n\
                     你在下单时，我们会采集终端信息：IP地址、设备型号、IMEI（Android 10及以上版本不采集）、IDFV（iOS）。\n");
        let got = collected(&x.declaration);
        for id in [
            "network.ip_address",
            "device.hardware.model",
            "device.identifier.imei",
            "device.identifier.idfv",
        ] {
            assert!(got.contains(&id), "{id}: {got:?}");
        }
        // The next sentence of the paragraph denies what the permission named.
        let x = run("隐私政策\n\n二、我们如何收集和使用你的个人信息\n\n\
                     （1）申请相机权限，用于扫码登录；\n\
                     （2）申请生物识别权限（指纹/面容），用于快捷解锁。识别由系统完成，我们仅获得验证结果，不会收集或存储你的指纹、面容信息。\n");
        let got = collected(&x.declaration);
        assert!(!got.iter().any(|id| id.starts_with("biometric")), "{got:?}");
        // A refusal says what follows it: the permission's data stay.
        let x = run("隐私政策\n\n二、我们如何收集和使用你的个人信息\n\n\
                     我们需要获取您的设备IMEI权限，用于识别设备。若您拒绝授权该权限，则我们不会获取您的IMEI。\n");
        let got = collected(&x.declaration);
        assert!(got.contains(&"device.identifier.imei"), "{got:?}");
    }

    #[test]
    fn sdk_items_run_on_in_a_paragraph_a_vertical_list_and_companies_after_lead_words() {
        let text = "三、第三方SDK\n\
为实现支付和统计功能，我们接入了以下第三方SDK：①「青禾支付SDK」，由青禾网络技术有限公司提供，用于付款，收集设备型号和IP地址；②「云帆统计SDK」，由云帆数据科技有限公司提供，用于统计分析，收集屏幕分辨率和操作系统版本。\n\
四、第三方信息共享清单\n\
————\n\
第三方名称\n\
和煦天气\n\
第三方主体\n\
北京和煦天气科技有限公司\n\
共享的个人信息\n\
家庭所在城市\n\
使用目的\n\
获取当地天气\n\
————\n\
五、我们如何共享您的个人信息\n\
1. 物流配送：我们会将收货人姓名和收货地址提供给承运商，目前合作的承运商包括青禾速运有限公司。\n";
        let x = run(text);
        let entry = |name: &str| {
            x.declaration
                .share
                .iter()
                .find(|s| s.name.as_deref() == Some(name))
                .unwrap_or_else(|| panic!("no entry named {name}: {:?}", x.declaration.share))
                .clone()
        };
        // Each numbered item keeps its own data. (An SDK no signature knows is named by
        // its company in running text.)
        let holds = |name: &str, id: &str| entry(name).data.iter().any(|d| d.starts_with(id));
        let pay = "青禾网络技术有限公司";
        let stats = "云帆数据科技有限公司";
        assert!(holds(pay, "network.ip_address") && !holds(pay, "device.hardware.screen"));
        assert!(holds(stats, "device.hardware.screen") && !holds(stats, "network.ip_address"));
        // A label on its own line, its value on the lines below.
        let weather = entry("和煦天气");
        assert_eq!(weather.entity.as_deref(), Some("北京和煦天气科技有限公司"));
        assert!(holds("和煦天气", "location"), "{:?}", weather.data);
        // The words that introduce a company are not part of its name.
        entry("青禾速运有限公司");
    }

    #[test]
    fn sdk_lines_without_numbers_a_cross_border_block_and_a_cell_of_two_recipients() {
        let text = "第十条 第三方SDK。我们接入了以下第三方SDK：\n\
青禾地图SDK，提供方：青禾软件有限公司；用途：展示地图；收集信息：精确位置信息、设备型号。\n\
云帆统计SDK，提供方：云帆数据科技有限公司；用途：统计分析；收集信息：设备型号、IP地址。\n\
第十一条 向境外提供个人信息。\n\
境外接收方名称：Harbor Stay Pte. Ltd.\n\
所在国家：新加坡\n\
处理目的：确认酒店预订\n\
个人信息种类：入住人姓名、联系人电子邮箱\n\
第十二条 我们如何共享您的个人信息\n\
（1）云服务提供商：设备上传的录像视频将加密存储在云帆云计算有限公司提供的对象存储服务中。\n";
        let x = run(text);
        let names: Vec<&str> = x
            .declaration
            .share
            .iter()
            .filter_map(|s| s.name.as_deref())
            .collect();
        for name in ["青禾地图SDK", "云帆统计SDK", "云帆云计算有限公司"] {
            assert!(names.contains(&name), "{name} not in {names:?}");
        }
        let harbor = x
            .declaration
            .share
            .iter()
            .find(|s| {
                s.name
                    .as_deref()
                    .is_some_and(|n| n.starts_with("Harbor Stay"))
            })
            .unwrap_or_else(|| panic!("no Harbor Stay: {names:?}"));
        assert!(
            harbor.data.iter().any(|d| d == "contact.email"),
            "{harbor:?}"
        );
        // Two recipients a line break parts in one cell; a company after a name is its
        // owner.
        let page = "<table><thead><tr><th>接收方</th><th>共享的个人信息</th><th>共享目的</th></tr></thead>\
<tbody><tr><td>北方交易所<br>南方交易所</td><td>IP地址、设备型号</td><td>报送</td></tr>\
<tr><td>青禾推送<br>青禾终端有限公司</td><td>设备型号</td><td>推送</td></tr></tbody></table>";
        let x = privaudit::policy::extract::extract_documents(
            &[privaudit::policy::extract::Input::new(
                "share.html",
                page.as_bytes(),
            )],
            &lexicon(),
        )
        .unwrap();
        let names: Vec<&str> = x
            .declaration
            .share
            .iter()
            .filter_map(|s| s.name.as_deref())
            .collect();
        for name in ["北方交易所", "南方交易所", "青禾推送"] {
            assert!(names.contains(&name), "{name} not in {names:?}");
        }
        assert!(!names.contains(&"青禾终端有限公司"), "{names:?}");
    }

    #[test]
    fn a_receiver_named_before_its_company_in_brackets() {
        let text = "三、我们如何共享您的个人信息\n\
1. 物流配送：我们会将收货人姓名、手机号码共享给青禾物流（青禾供应链管理有限公司），用于配送商品。\n";
        let x = run(text);
        let entry = x
            .declaration
            .share
            .iter()
            .find(|s| s.name.as_deref() == Some("青禾物流"))
            .unwrap_or_else(|| panic!("no entry named 青禾物流: {:?}", x.declaration.share));
        assert_eq!(entry.entity.as_deref(), Some("青禾供应链管理有限公司"));
        assert!(
            entry.data.iter().any(|d| d == "contact.phone_number"),
            "{entry:?}"
        );
        assert!(
            !x.declaration
                .share
                .iter()
                .any(|s| s.name.as_deref() == Some("青禾供应链管理有限公司")),
            "the company is no second receiver: {:?}",
            x.declaration.share
        );
    }

    #[test]
    fn ordinary_words_and_titles_name_no_party() {
        let text = "# Privacy\n\n## 1. Data we collect\n\n\
We collect the categories below.\n\n\
- Audio, electronic, visual or similar information (photos you attach to reports)\n\
- AI and speech processing of your recordings\n\n\
We honor Do Not Track signals. Our office is in New York.\n\n\
## 2. Sharing\n\n\
Some processors process data in the United States. We send crash reports to Visual Studio App Center.\n\n\
## 3. Your rights\n\nYou may request access.\n\n## 4. International transfers\n\nData may leave the EU.\n";
        let x = run(text);
        let names: Vec<(String, String)> = x
            .declaration
            .share
            .iter()
            .map(|s| (s.party.clone(), s.name.clone().unwrap_or_default()))
            .collect();
        for junk in ["visual", "speech", "honor", "New", "Your", "International"] {
            assert!(
                !names.iter().any(|(_, n)| n.eq_ignore_ascii_case(junk)),
                "{junk} in {names:?}"
            );
        }
        assert!(
            names.iter().any(|(_, n)| n == "Visual Studio App Center"),
            "App Center not named: {names:?}"
        );
    }

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
        // "service providers" names no one: a note, never a nameless entry.
        assert!(d.share.iter().all(|s| s.name.is_some()), "{:?}", d.share);
        assert!(
            x.notes.iter().any(|n| n.contains("unnamed third parties")),
            "{:?}",
            x.notes
        );
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
        // "heart rate" is a phrase of health; "steps" alone names no type and is left
        // to the reviewer.
        assert!(
            !x.notes.iter().any(|n| n.contains("\"heart rate\"")),
            "{:#?}",
            x.notes
        );
        assert!(
            x.notes.iter().any(|n| n.contains("\"steps\"")),
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
    fn a_promise_not_to_share_without_consent_means_the_data_are_held() {
        let x = run(
            "一、信息共享\n未经您的书面同意，我们不会向任何第三方披露您的身份证号码和家庭住址。\n\
             Without your consent we will never sell your email address.\n\
             我们不会共享您的通讯录。\n",
        );
        let d = &x.declaration;
        let c = collected(d);
        for id in [
            "identity.id_number.cn_resident",
            "contact.address",
            "contact.email",
        ] {
            assert!(c.contains(&id), "{id} not collected: {c:?}");
            assert!(!denied(d).contains(&id), "{id} denied: {:?}", d.deny);
        }
        // Without a condition it stays a denial, and nothing is collected.
        assert!(denied(d).contains(&"comm.contacts"), "{:?}", d.deny);
        assert!(!c.contains(&"comm.contacts"), "{c:?}");
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

    #[test]
    fn sdk_lists_name_sdks_by_the_names_policies_give_them() {
        // Names from the signatures' `policy_names`: product names, English kit names
        // and the vendor's own short forms, each before its company.
        let text = "第三方SDK目录\n\
1. SDK名称：华为推送服务（HMS Push Kit）\n第三方主体：华为软件技术有限公司\n收集个人信息：设备型号\n\n\
2. SDK名称：QQ登录SDK\n第三方主体：深圳市腾讯计算机系统有限公司\n收集个人信息：设备标识符\n\n\
3. SDK名称：神策数据SDK\n第三方主体：神策网络科技（北京）有限公司\n收集个人信息：IP地址\n\n\
4. SDK名称：高德地图定位SDK\n第三方主体：高德软件有限公司\n收集个人信息：精确位置\n\n\
5. SDK名称：快手联盟SDK\n第三方主体：北京快手广告有限公司\n收集个人信息：OAID\n";
        let x = run(text);
        let parties: Vec<&str> = x
            .declaration
            .share
            .iter()
            .map(|s| s.party.as_str())
            .collect();
        assert_eq!(
            parties,
            [
                "sdk:huawei_push",
                "sdk:qq_connect",
                "sdk:sensors_data",
                "sdk:amap_location",
                "sdk:kuaishou_ads"
            ],
            "{:#?}",
            x.declaration.share
        );
    }

    #[test]
    fn travel_documents_are_id_documents_and_their_names_are_names() {
        // The words of a booking app's passenger form: the names on a passport are names,
        // a permit's "地区" is no location, a document's validity is no bank card's.
        let x = run("一、我们如何收集您的个人信息\n\
预订机票时，我们会收集乘机人的护照姓、护照名、证件有效期以及大陆居民往来台湾地区通行证信息。\n");
        let mut c = collected(&x.declaration);
        c.sort();
        assert_eq!(
            c,
            [
                "identity.id_number",
                "identity.id_number.other",
                "identity.name"
            ],
            "{:#?}",
            x.notes
        );
    }

    #[test]
    fn a_defining_lead_in_lists_examples_and_a_means_of_contact_is_no_data() {
        // Invented wording in the shape of the GB/T 35273 boilerplate many policies copy
        // into their collection section, and of marketing clauses.
        let text = "一、我们如何收集您的个人信息\n\
个人敏感信息包括：身份证号码、个人生物识别信息、银行账号、行踪轨迹等。\n\
个人信息包括：\n\
个人基本资料（个人姓名、生日、性别）；\n\
网络身份标识信息（系统账号、IP地址）。\n\
我们会通过电话、短信或电子邮件向您发送活动通知。\n\
这些cookies可能会收集与您相关的非个人身份信息。\n\
注册时，我们会收集您的以下信息：\n\
手机号码\n\
昵称\n";
        let x = run(text);
        let c = collected(&x.declaration);
        assert_eq!(
            c,
            ["contact.phone_number", "identity.nickname"],
            "{:#?}",
            x.notes
        );
        assert!(
            x.notes.iter().any(|n| n.contains("个人敏感信息包括")),
            "the skipped definition is shown to the reviewer: {:#?}",
            x.notes
        );
    }

    #[test]
    fn the_list_under_a_terms_of_service_rule_is_no_collection() {
        // Invented wording in the shape of the user-agreement part many Chinese policies
        // carry: what the user must not do is not data the app collects, and the list
        // after it names the next practice again.
        let text = "一、我们如何收集您的个人信息\n\
用户不得利用本平台账号进行如下行为：\n\
（1）冒用他人头像、昵称注册账号；\n\
（2）发布含有他人身份证号码的内容。\n\
注册时，我们会收集您的以下信息：\n\
（1）手机号码；\n\
（2）昵称。\n";
        let x = run(text);
        let c = collected(&x.declaration);
        assert_eq!(
            c,
            ["contact.phone_number", "identity.nickname"],
            "{:#?}",
            x.notes
        );
        assert!(
            x.notes.iter().any(|n| n.contains("冒用他人头像")),
            "the skipped rule is shown to the reviewer: {:#?}",
            x.notes
        );
    }

    #[test]
    fn a_numbered_rule_that_names_no_practice_still_heads_a_list_of_rules() {
        // Invented wording: a numbered user-agreement clause whose list is of forbidden
        // content ("制作、发布如下内容"), then one whose lead-in has no practice verb at
        // all ("不得具有下列行为"). Neither list is collection.
        let text = "四、内容规范\n\
4.1 我们会收集您的手机号码。\n\
4.2 用户不得利用本平台账号制作、发布如下法律禁止的内容：\n\
（1）煽动民族仇恨的；\n\
（2）盗用他人头像的。\n\
4.3 用户使用本软件不得具有下列行为：\n\
（1）进入未经许可的服务器或账号；\n\
（2）收集他人的电子邮箱地址。\n";
        let x = run(text);
        let c = collected(&x.declaration);
        assert_eq!(c, ["contact.phone_number"], "{:#?}", x.notes);
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
            // Phrases whose meaning depends on the words around them: a means of locating
            // and a purpose clause.
            "IP地址、".repeat(15_000),
            "以便您查询您的交易记录，".repeat(9_000),
            // And what the user is spared typing, looked for before every phrase.
            "帮您省去重复输入注册信息、".repeat(8_000),
            // A list of names no verb follows, read again from every comma, took over a
            // minute at 5000 names.
            format!(
                "We share your email address with {}.",
                (0..5_000)
                    .map(|i| format!("Acme{i}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ];
        for text in inputs {
            let start = Instant::now();
            let x = extract(text.as_bytes(), &lexicon).unwrap_or_else(|e| panic!("{e}"));
            // A blow-up (quadratic work on a 100 KB line) takes minutes. The slowest input,
            // the English clause repeated, takes about 0.9 s in a release build and 20–47 s
            // in this debug build on a shared 2-core machine, depending on its load.
            assert!(
                start.elapsed() < Duration::from_secs(90),
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

mod documents {
    //! Policies as web pages and Markdown files, and a policy in several files: real
    //! English policies (en-dev) rewritten as Markdown and HTML from their own text must
    //! give at least what the text gives; a Chinese SDK-list page read next to a text
    //! policy adds its SDKs; the second file starts with a clean slate.

    use std::collections::BTreeSet;

    use crate::common;
    use crate::common::policy::*;
    use privaudit::policy::extract::{Format, Input, extract, extract_documents};
    use privaudit::policy::model::Declaration;

    /// The en-dev policies the test rewrites: every development policy, so a shape
    /// that only some of them have (lead-in lists, bare heading lines) is covered.
    fn en_dev() -> Vec<(String, String, BTreeSet<String>)> {
        let dir = common::corpus().join("policies/en-dev");
        let mut out = Vec::new();
        for n in (0..30).step_by(2) {
            let name = format!("{n:04}");
            let txt = dir.join(format!("{name}.txt"));
            let labels: serde_json::Value =
                serde_json::from_str(&read(&dir.join(format!("{name}.labels.json")))).unwrap();
            let declared = labels["declared"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect();
            out.push((name, read(&txt), declared));
        }
        assert!(out.len() >= 3);
        out
    }

    /// One structural piece of a policy's text, as the generator reads it.
    enum Piece<'a> {
        Heading(&'a str),
        Para(&'a str),
        /// A lead-in line ending in ':' and the lines under it.
        List(&'a str, Vec<&'a str>),
    }

    /// A short line without closing punctuation at the head of a paragraph, or a short
    /// paragraph on its own line of that kind, is a heading.
    fn is_heading(line: &str) -> bool {
        let t = line.trim();
        !t.is_empty()
            && t.chars().count() <= 90
            && t.split_whitespace().count() <= 12
            && !t.ends_with(['.', ';', ',', ':'])
    }

    fn pieces(text: &str) -> Vec<Piece<'_>> {
        let mut out = Vec::new();
        for para in text.split("\n\n") {
            let lines: Vec<&str> = para
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .collect();
            let mut i = 0;
            if lines.len() > 1 && is_heading(lines[0]) {
                out.push(Piece::Heading(lines[0]));
                i = 1;
            }
            while i < lines.len() {
                let line = lines[i];
                if line.ends_with(':') && i + 1 < lines.len() {
                    out.push(Piece::List(line, lines[i + 1..].to_vec()));
                    break;
                }
                out.push(Piece::Para(line));
                i += 1;
            }
        }
        out
    }

    fn md_escape(s: &str) -> String {
        let mut out = String::new();
        for c in s.chars() {
            if matches!(
                c,
                '\\' | '*' | '_' | '`' | '[' | ']' | '<' | '>' | '|' | '&' | '#' | '~'
            ) {
                out.push('\\');
            }
            out.push(c);
        }
        out
    }

    fn html_escape(s: &str) -> String {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    }

    /// Whether a lead-in introduces the kinds of data collected: such a list is written
    /// as a table (category | details, split at the item's first colon).
    fn data_lead_in(line: &str) -> bool {
        let l = line.to_lowercase();
        l.contains("collect") || l.contains("information")
    }

    fn split_item(item: &str) -> (&str, &str) {
        match item.split_once(':') {
            Some((a, b)) if a.split_whitespace().count() <= 6 => (a.trim(), b.trim()),
            _ => (item, ""),
        }
    }

    /// The policy as Markdown: `##` headings, `- ` lists after lead-ins, the first
    /// data lead-in's list as a table. Returns the text and how many tables it has.
    fn to_markdown(text: &str) -> (String, usize) {
        let mut out = String::new();
        let mut tables = 0;
        for p in pieces(text) {
            match p {
                Piece::Heading(h) => out.push_str(&format!("## {}\n\n", md_escape(h))),
                Piece::Para(t) => out.push_str(&format!("{}\n\n", md_escape(t))),
                Piece::List(lead, items) => {
                    out.push_str(&format!("{}\n\n", md_escape(lead)));
                    if tables == 0 && data_lead_in(lead) {
                        tables += 1;
                        out.push_str("| Category | Details |\n|---|---|\n");
                        for item in items {
                            let (a, b) = split_item(item);
                            out.push_str(&format!("| {} | {} |\n", md_escape(a), md_escape(b)));
                        }
                        out.push('\n');
                    } else {
                        for item in items {
                            out.push_str(&format!("- {}\n", md_escape(item)));
                        }
                        out.push('\n');
                    }
                }
            }
        }
        (out, tables)
    }

    /// The policy as a web page, with the chrome a real page has around it.
    fn to_html(text: &str) -> String {
        let mut out = String::from(
            "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Privacy</title>\
             <style>body{font:14px sans-serif}</style>\
             <script>window.track && track('privacy<page>');</script></head>\n<body>\
             <header><nav><ul><li><a href=\"/\">Home</a></li><li><a href=\"/shop\">Shop</a></li></ul></nav></header>\n<main>\n",
        );
        let mut tables = 0;
        for p in pieces(text) {
            match p {
                Piece::Heading(h) => out.push_str(&format!("<h2>{}</h2>\n", html_escape(h))),
                Piece::Para(t) => out.push_str(&format!("<p>{}</p>\n", html_escape(t))),
                Piece::List(lead, items) => {
                    out.push_str(&format!("<p>{}</p>\n", html_escape(lead)));
                    if tables == 0 && data_lead_in(lead) {
                        tables += 1;
                        out.push_str("<table>\n<thead><tr><th>Category</th><th>Details</th></tr></thead>\n<tbody>\n");
                        for item in items {
                            let (a, b) = split_item(item);
                            out.push_str(&format!(
                                "<tr><td>{}</td><td>{}</td></tr>\n",
                                html_escape(a),
                                html_escape(b)
                            ));
                        }
                        out.push_str("</tbody></table>\n");
                    } else {
                        out.push_str("<ul>\n");
                        for item in items {
                            out.push_str(&format!("  <li>{}</li>\n", html_escape(item)));
                        }
                        out.push_str("</ul>\n");
                    }
                }
            }
        }
        out.push_str("</main>\n<footer><p>Copyright. We collect your email address for the newsletter.</p></footer>\n</body></html>\n");
        out
    }

    fn ids(d: &Declaration) -> BTreeSet<String> {
        d.collect
            .iter()
            .flat_map(|c| c.data.iter())
            .chain(d.share.iter().flat_map(|s| s.data.iter()))
            .cloned()
            .collect()
    }

    fn found(draft: &BTreeSet<String>, declared: &BTreeSet<String>) -> BTreeSet<String> {
        declared
            .iter()
            .filter(|l| {
                draft.iter().any(|d| {
                    d == *l
                        || d.strip_prefix(l.as_str())
                            .is_some_and(|r| r.starts_with('.'))
                })
            })
            .cloned()
            .collect()
    }

    #[test]
    fn english_policies_as_markdown_and_html_find_what_the_text_finds() {
        let lexicon = lexicon();
        let (mut labelled, mut from_txt, mut from_md, mut from_html) = (0, 0, 0, 0);
        let mut tables = 0;
        for (name, text, declared) in en_dev() {
            let (md, t) = to_markdown(&text);
            tables += t;
            let html = to_html(&text);
            let run = |file: &str, bytes: &[u8]| {
                extract_documents(&[Input::new(file, bytes)], &lexicon)
                    .unwrap_or_else(|e| panic!("{e}"))
                    .declaration
            };
            let txt = ids(&run(&format!("{name}.txt"), text.as_bytes()));
            let m = ids(&run(&format!("{name}.md"), md.as_bytes()));
            let h = ids(&run(&format!("{name}.html"), html.as_bytes()));
            let (ft, fm, fh) = (
                found(&txt, &declared),
                found(&m, &declared),
                found(&h, &declared),
            );
            eprintln!(
                "{name}: labelled {}, found txt {} md {} html {}; md-only {:?} txt-only {:?} html-only {:?}",
                declared.len(),
                ft.len(),
                fm.len(),
                fh.len(),
                m.difference(&txt).collect::<Vec<_>>(),
                txt.difference(&m).collect::<Vec<_>>(),
                h.difference(&txt).collect::<Vec<_>>(),
            );
            // Per policy: the Markdown and the page give the ids the text gives, so
            // recall against the labels cannot drop.
            assert_eq!(m, txt, "{name}.md and {name}.txt differ");
            assert_eq!(h, txt, "{name}.html and {name}.txt differ");
            let lost: Vec<_> = ft.difference(&fm).chain(ft.difference(&fh)).collect();
            assert!(lost.is_empty(), "{name}: labelled ids lost {lost:?}");
            labelled += declared.len();
            from_txt += ft.len();
            from_md += fm.len();
            from_html += fh.len();
        }
        eprintln!(
            "en-dev recall: txt {:.3}, md {:.3}, html {:.3} ({labelled} labelled ids, {tables} tables)",
            from_txt as f64 / labelled as f64,
            from_md as f64 / labelled as f64,
            from_html as f64 / labelled as f64
        );
        assert!(tables >= 3, "the rewrite made only {tables} tables");
        assert!(from_md >= from_txt && from_html >= from_txt);
    }

    #[test]
    fn page_chrome_adds_nothing() {
        // The footer of the generated pages says "we collect your email address"; a
        // policy page's footer is not the policy.
        let lexicon = lexicon();
        // A page of running text under its title is read sentence by sentence: the
        // cookie sentence counts, the footer's email address does not.
        let page = to_html("Privacy\n\nWe use cookies to remember your settings.\n");
        let x = extract_documents(&[Input::new("p.html", page.as_bytes())], &lexicon).unwrap();
        assert_eq!(
            ids(&x.declaration).into_iter().collect::<Vec<_>>(),
            ["activity.cookie"],
            "{:?}",
            x.declaration
        );
        // The same sentence in the page's body is read.
        let page = page.replace(
            "<p>We use cookies",
            "<p>We collect your email address. We use cookies",
        );
        let x = extract_documents(&[Input::new("p.html", page.as_bytes())], &lexicon).unwrap();
        assert!(
            ids(&x.declaration).contains("contact.email"),
            "{:?}",
            x.declaration
        );
    }

    #[test]
    fn recipients_in_a_definition_list_and_a_markdown_link_list_are_named() {
        let lexicon = lexicon();
        // A numbered question as the heading, then one <dt> per recipient and what it
        // receives in its <dd>.
        let page = "<html><body><h2>5. Who receives information</h2><dl>\
<dt>Paywell (a card network service)</dt><dd>Processes card payments. Receives your card number and billing ZIP code.</dd>\
<dt>Streamly</dt><dd>Video analytics. Receives your device model and IP address.</dd>\
</dl></body></html>";
        let x = extract_documents(&[Input::new("p.html", page.as_bytes())], &lexicon).unwrap();
        let entry = |name: &str| {
            x.declaration
                .share
                .iter()
                .find(|s| s.name.as_deref() == Some(name))
                .unwrap_or_else(|| panic!("no entry named {name}: {:?}", x.declaration.share))
                .clone()
        };
        assert!(
            entry("Paywell")
                .data
                .iter()
                .any(|d| d == "financial.bank_card")
        );
        assert!(
            entry("Streamly")
                .data
                .iter()
                .any(|d| d == "network.ip_address")
        );
        // "[Name](link) — what it gets" under a lead-in naming third-party services.
        // A linked name of four words ("… for Mobile") keeps the list whole.
        let md = "# Privacy\n\n## Third-party services\n\nThe app uses the following third-party services.\n\n\
- [Crashnote Reporting for Mobile](https://crashnote.example/privacy) — crash logs, device model\n\
- [Mailpost](https://mailpost.example/privacy) — your email address, for service emails\n\
- [Shelfhub](https://shelfhub.example/privacy) — your device model, to sync your library\n";
        let x = extract_documents(&[Input::new("p.md", md.as_bytes())], &lexicon).unwrap();
        let mail = x
            .declaration
            .share
            .iter()
            .find(|s| s.name.as_deref() == Some("Mailpost"))
            .unwrap_or_else(|| panic!("no Mailpost: {:?}", x.declaration.share));
        assert_eq!(
            mail.link.as_deref(),
            Some("https://mailpost.example/privacy")
        );
        assert!(mail.data.iter().any(|d| d == "contact.email"), "{mail:?}");
        for name in ["Shelfhub", "Crashnote Reporting for Mobile"] {
            assert!(
                x.declaration
                    .share
                    .iter()
                    .any(|s| s.name.as_deref() == Some(name)),
                "{name}: {:?}",
                x.declaration.share
            );
        }
    }

    #[test]
    fn a_party_data_come_from_is_listed_and_what_it_gives_is_collected() {
        let lexicon = lexicon();
        let page = "# Privacy\n\n## Your account\n\n\
You can sign up with an email address and a password, or use Sign in with Apple or Sign in with Google.\n\n\
If you do, we receive a unique account identifier from Apple or Google.\n\n\
We send your email address to Mailwing, which delivers our newsletters.\n";
        let x = extract_documents(&[Input::new("p.md", page.as_bytes())], &lexicon).unwrap();
        let got: Vec<&str> = x
            .declaration
            .collect
            .iter()
            .flat_map(|c| c.data.iter().map(String::as_str))
            .collect();
        for id in ["contact.email", "account.password"] {
            assert!(got.contains(&id), "{id} not collected: {got:?}");
        }
        let share = |name: &str| {
            x.declaration
                .share
                .iter()
                .find(|s| s.name.as_deref() == Some(name))
        };
        // The sign-in providers are parties, but nothing the sentence names goes to them.
        for source in ["Apple", "Google"] {
            let entry = share(source)
                .unwrap_or_else(|| panic!("{source} not listed: {:?}", x.declaration.share));
            assert!(entry.data.is_empty(), "{source} receives {:?}", entry.data);
        }
        let mailwing = share("Mailwing").expect("Mailwing listed");
        assert!(
            mailwing.data.iter().any(|d| d == "contact.email"),
            "{:?}",
            mailwing.data
        );
    }

    #[test]
    fn a_website_policy_of_the_2010s_reads_its_bare_lists_and_quoted_statutes() {
        // A page's text content: list items lost their bullets, and a lower-case item
        // ("the type of browser you use") is no heading of a "use" section.
        let text = "Information We Collect Automatically\n\n\
When you visit the Site, our servers automatically log the following information:\n\
your IP address\n\
the type of browser and operating system you use\n\
the date and time of your visit and the length of your visit\n\
referring and exit pages\n\n\
Mobile App\n\n\
If the app crashes, a crash report is sent to us. The report does not contain your e-mail address.\n\n\
Advertising\n\n\
Our ad partners collect information about your visits (not including your name or telephone number).\n\n\
California Notice\n\n\
Sensitive information. Statutory description: a passport number, precise geolocation, racial or ethnic origin. What we collect: No.\n";
        let x = extract(text.as_bytes(), &lexicon()).unwrap();
        let got = ids(&x.declaration);
        for id in [
            "network.ip_address",
            "device.software.os",
            "activity.access_time",
            "activity.browsing_history",
            "diagnostics.crash_log",
        ] {
            assert!(got.contains(id), "{id} not in {got:?}");
        }
        for id in [
            "contact.email",
            "contact.phone_number",
            "identity.name",
            "identity.id_number.passport",
            "location.precise",
        ] {
            assert!(!got.contains(id), "{id} in {got:?}");
        }
    }

    #[test]
    fn providers_in_a_sub_processor_table_and_a_prose_list_are_named() {
        let lexicon = lexicon();
        // A provider table whose data cells hold lists, and whose "Service" column says
        // what each provider does; then a prose list of names in lower camel case and
        // with what each does in brackets.
        let page = "<html><body><h2>Sub-processors</h2><table>\
<thead><tr><th>Provider</th><th>Service</th><th>Data they receive</th></tr></thead><tbody>\
<tr><td>Paywell B.V.</td><td>Card payments and payouts</td><td><ul><li>Card details</li><li>Email address</li></ul></td></tr>\
<tr><td>Verifly Ltd</td><td>Identity checks</td><td><ul><li>Date of birth</li></ul></td></tr>\
</tbody></table>\
<h2>Sharing</h2><p>We share data with service providers such as Orderly (order processing), \
tallyforce.com (customer records) and Mailwing (newsletters). We also use measurement services \
from Quantix, webMetrics and Nielsby, which place their own cookies on our pages.</p></body></html>";
        let x = extract_documents(&[Input::new("p.html", page.as_bytes())], &lexicon).unwrap();
        let names: Vec<&str> = x
            .declaration
            .share
            .iter()
            .filter_map(|s| s.name.as_deref())
            .collect();
        for name in [
            "Paywell B.V.",
            "Verifly Ltd",
            "Orderly",
            "tallyforce.com",
            "Mailwing",
            "webMetrics",
            "Nielsby",
        ] {
            assert!(names.contains(&name), "{name} not in {names:?}");
        }
        let paywell = x
            .declaration
            .share
            .iter()
            .find(|s| s.name.as_deref() == Some("Paywell B.V."))
            .expect("Paywell");
        for id in ["financial.bank_card", "contact.email"] {
            assert!(
                paywell.data.iter().any(|d| d == id),
                "{id}: {:?}",
                paywell.data
            );
        }
        assert!(
            !names.iter().any(|n| n.starts_with("Card payments")),
            "{names:?}"
        );
    }

    #[test]
    fn questions_that_ask_what_or_why_the_service_takes_in_are_answered_as_collection() {
        let lexicon = lexicon();
        // An FAQ policy: a "why" heading presupposes its own data; a "what do you record"
        // heading makes its answer's list collection; a yes-or-no heading answered "No"
        // collects nothing, and neither does a question about the reader.
        let page = "# Questions about your data\n\n\
## Why does Quizzo ask for my year of birth?\n\n\
So that younger players get a suitable quiz set.\n\n\
## What does Quizzo record while I play?\n\n\
The quizzes you took, your scores and the time you spend in each round.\n\n\
## Do you need my home address?\n\n\
No. Quizzo never asks for it.\n\n\
## What should I know before sharing my screen?\n\n\
Your screen recording stays on your phone.\n";
        let x = extract_documents(&[Input::new("faq.md", page.as_bytes())], &lexicon).unwrap();
        let got = ids(&x.declaration);
        for id in ["identity.birthdate", "activity.access_time"] {
            assert!(got.contains(id), "{id} not in {got:?}");
        }
        for id in ["contact.address", "media.photo_video"] {
            assert!(!got.contains(id), "{id} in {got:?}");
        }
    }

    /// An SDK-list page as Chinese apps publish it: a table with a header, one SDK a
    /// row, the vendor's policy as a link; page chrome around it.
    const SDK_PAGE: &str = r#"<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>第三方SDK目录</title>
<script>var tip = "<td>不是SDK</td>"; if (a < b) {}</script><style>td{padding:4px}</style></head>
<body><div class="top-nav"><nav><a href="/">首页</a> | <a href="/help">帮助</a></nav></div>
<h1>第三方SDK目录</h1>
<p>为保障应用的相关功能实现与稳定运行，我们会接入由第三方提供的软件开发包（SDK）。</p>
<table border="1">
<thead><tr><th>SDK名称</th><th>使用目的</th><th>收集个人信息类型</th><th>第三方主体</th><th>隐私政策链接</th></tr></thead>
<tbody>
<tr><td>友盟统计SDK</td><td>统计分析应用使用情况</td><td>设备标识符（IMEI、OAID、Android ID）、IP地址</td><td>友盟同欣（北京）科技有限公司</td><td><a href="https://www.umeng.com/page/policy">https://www.umeng.com/page/policy</a></td></tr>
<tr><td>极光推送SDK</td><td>消息推送</td><td>设备型号、操作系统版本、网络类型</td><td>深圳市和讯华谷信息技术有限公司</td><td><a href="https://www.jiguang.cn/license/privacy">隐私政策</a></td></tr>
<tr><td>高德定位SDK</td><td>定位服务</td><td>位置信息、WLAN信息</td><td>高德软件有限公司</td><td><a href="https://lbs.amap.com/pages/privacy/">隐私政策</a></td></tr>
<tr><td>腾讯Bugly</td><td>崩溃日志上报</td><td>设备型号、崩溃日志</td><td>深圳市腾讯计算机系统有限公司</td><td><a href="https://privacy.qq.com/document/preview/fc748b3d96a74e6f9ea1c9b0ed1e3e4a">隐私政策</a></td></tr>
</tbody></table>
<footer>© 示例公司 版权所有</footer>
</body></html>"#;

    fn ca4p_policy() -> (String, Vec<u8>) {
        // A real Chinese policy from the development half, as the first file.
        let dir = common::corpus().join("policies/ca4p-dev");
        let mut txt: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "txt"))
            .collect();
        txt.sort();
        let path = txt.first().expect("ca4p-dev policies").clone();
        let bytes = std::fs::read(&path).unwrap();
        (path.display().to_string(), bytes)
    }

    #[test]
    fn sdk_list_page_next_to_a_text_policy() {
        let lexicon = lexicon();
        let (name, policy) = ca4p_policy();
        let alone = extract(&policy, &lexicon).unwrap().declaration;
        let x = extract_documents(
            &[
                Input::new(&name, &policy),
                Input::new("sdk-list.html", SDK_PAGE.as_bytes()),
            ],
            &lexicon,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let d = &x.declaration;
        for (party, data) in [
            ("sdk:umeng", "device.identifier.oaid"),
            ("sdk:jpush", "device.hardware.model"),
            ("sdk:amap_location", "location"),
            ("sdk:bugly", "diagnostics.crash_log"),
        ] {
            let entry = d
                .share
                .iter()
                .find(|s| s.party == party && s.quote.as_deref().is_some_and(|q| q.contains(" | ")))
                .unwrap_or_else(|| panic!("no {party} row from the page: {:#?}", d.share));
            assert!(
                entry
                    .data
                    .iter()
                    .any(|id| id == data || id.starts_with(&format!("{data}."))),
                "{party}: {:?}",
                entry.data
            );
        }
        // Nothing from the page's script, navigation or footer.
        let quotes: Vec<&str> = d.share.iter().filter_map(|s| s.quote.as_deref()).collect();
        assert!(
            !quotes
                .iter()
                .any(|q| q.contains("不是SDK") || q.contains("首页")),
            "{quotes:?}"
        );
        // The policy's own entries are all still there.
        for c in &alone.collect {
            assert!(
                d.collect
                    .iter()
                    .any(|e| e.data == c.data && e.clause == c.clause),
                "lost {c:?}"
            );
        }
        // Notes say which file they are about.
        for n in &x.notes {
            let named = n.starts_with(&format!("{name}: ")) || n.starts_with("sdk-list.html: ");
            let summary = n.starts_with("definitions section skipped")
                || n.starts_with("generic third-party");
            assert!(named || summary, "note names no file: {n}");
        }
        assert_eq!(x.encoding, "utf-8");
    }

    #[test]
    fn the_second_document_starts_fresh() {
        // The first file ends inside an SDK clause of the sharing section; the second
        // starts with a numbered sub-clause. Read as one text, "(1)" becomes clause
        // 3.1(1) of the sharing section, so the app's own collection is filed under the
        // SDK's clause; as a second document it is clause (1) of its own text.
        let lexicon = lexicon();
        let first = "三、第三方SDK\n3.1 友盟统计SDK\n友盟统计SDK会收集您的设备型号。\n";
        let second = "(1) 注册账号时我们会收集您的手机号码。\n";
        let phone = |d: &Declaration| {
            d.collect
                .iter()
                .find(|c| c.data.iter().any(|id| id == "contact.phone_number"))
                .map(|c| c.clause.clone())
        };
        let joined = extract(format!("{first}{second}").as_bytes(), &lexicon).unwrap();
        assert_eq!(
            phone(&joined.declaration),
            Some(Some("三 3.1(1)".to_string())),
            "the test's premise: one text carries the first file's structure over"
        );

        let x = extract_documents(
            &[
                Input::new("policy.txt", first.as_bytes()),
                Input::new("account.txt", second.as_bytes()),
            ],
            &lexicon,
        )
        .unwrap();
        let d = &x.declaration;
        assert_eq!(phone(d), Some(Some("(1)".to_string())), "{:#?}", d.collect);
        assert!(
            d.share
                .iter()
                .all(|s| !s.data.iter().any(|id| id == "contact.phone_number")),
            "{:#?}",
            d.share
        );
        // The first file's own reading is unchanged.
        let alone = extract(first.as_bytes(), &lexicon).unwrap();
        assert_eq!(alone.declaration.share, d.share);
        assert!(
            x.notes
                .iter()
                .all(|n| n.starts_with("policy.txt: ") || n.starts_with("account.txt: ")),
            "{:#?}",
            x.notes
        );
    }

    #[test]
    fn format_can_be_given_and_errors_name_the_file() {
        let lexicon = lexicon();
        // Markdown without a telling extension: given explicitly, the table is read as a
        // table (one row per line with its cells).
        let md = "## 第三方SDK\n\n| SDK名称 | 收集信息 |\n|---|---|\n| 极光推送SDK | 设备型号 |\n";
        let given = extract_documents(
            &[Input {
                name: "stdin",
                bytes: md.as_bytes(),
                format: Some(Format::Markdown),
            }],
            &lexicon,
        )
        .unwrap();
        assert!(
            given
                .declaration
                .share
                .iter()
                .any(|s| s.party == "sdk:jpush"
                    && s.quote.as_deref() == Some("极光推送SDK | 设备型号")),
            "{:#?}",
            given.declaration.share
        );
        assert!(extract_documents(&[], &lexicon).is_err());
        let big = vec![b'a'; privaudit::policy::extract::MAX_INPUT_BYTES / 2 + 1];
        let err = extract_documents(
            &[Input::new("one.txt", &big), Input::new("two.html", &big)],
            &lexicon,
        )
        .unwrap_err()
        .to_string();
        assert!(err.starts_with("two.html: "), "{err}");
    }

    #[test]
    fn cli_writes_the_draft_to_standard_output_for_a_dash() {
        let dir = tempfile::tempdir().unwrap();
        let policy = dir.path().join("p.txt");
        std::fs::write(
            &policy,
            "一、我们收集的信息\n注册时，我们会收集您的手机号码。\n",
        )
        .unwrap();
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_privaudit"))
            .args(["policy", "extract", policy.to_str().unwrap(), "-o", "-"])
            .current_dir(dir.path())
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(stdout.contains("contact.phone_number"), "{stdout}");
        assert!(
            !dir.path().join("-").exists(),
            "-o - wrote a file named '-'"
        );
    }

    #[test]
    fn cli_names_the_line_of_an_unknown_id_in_the_phrase_file() {
        let dir = tempfile::tempdir().unwrap();
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("signatures");
        std::fs::copy(
            root.join("datatypes.toml"),
            dir.path().join("datatypes.toml"),
        )
        .unwrap();
        let phrases = std::fs::read_to_string(root.join("policy-phrases.toml")).unwrap();
        let wrong = phrases.replacen("ids = [\"network.wifi\"", "ids = [\"network.wify\"", 1);
        assert_ne!(
            wrong, phrases,
            "the phrase file has no [location_means] ids"
        );
        let line = wrong
            .lines()
            .position(|l| l.contains("network.wify"))
            .unwrap()
            + 1;
        std::fs::write(dir.path().join("policy-phrases.toml"), wrong).unwrap();
        let policy = dir.path().join("p.txt");
        std::fs::write(&policy, "我们会收集您的手机号码。\n").unwrap();
        let out = common::privaudit(&[
            "policy",
            "extract",
            policy.to_str().unwrap(),
            "--signatures",
            dir.path().to_str().unwrap(),
            "-o",
            "-",
        ]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(
            stderr.contains(&format!("policy-phrases.toml:{line}")),
            "{stderr}"
        );
        assert!(stderr.contains("`network.wifi`"), "{stderr}");
    }

    #[test]
    fn cli_reads_several_files_into_one_draft() {
        let dir = tempfile::tempdir().unwrap();
        let (name, _) = ca4p_policy();
        let page = dir.path().join("sdk-list.html");
        std::fs::write(&page, SDK_PAGE).unwrap();
        let draft = dir.path().join("draft.toml");
        let out = common::privaudit(&[
            "policy",
            "extract",
            &name,
            page.to_str().unwrap(),
            "-o",
            draft.to_str().unwrap(),
        ]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{stderr}");
        let text = std::fs::read_to_string(&draft).unwrap();
        let first = text.lines().next().unwrap_or("");
        assert!(
            first.contains(&name) && first.contains(page.to_str().unwrap()),
            "{first}"
        );
        for party in ["sdk:umeng", "sdk:jpush", "sdk:amap_location", "sdk:bugly"] {
            assert!(
                text.contains(&format!("party = \"{party}\"")),
                "{party} missing"
            );
        }
        let out = common::privaudit(&["policy", "check", draft.to_str().unwrap()]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
        // A missing second file is named.
        let out = common::privaudit(&["policy", "extract", &name, "/nonexistent/sdk.html"]);
        assert_eq!(out.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/sdk.html"));
    }

    #[test]
    fn a_page_in_the_charset_it_declares() {
        // Big5 bytes read as GB18030 are garbage; the page's <meta charset> decides.
        let lexicon = lexicon();
        let body = "<body><h2>個人資料收集</h2><p>我們會收集您的手機號碼。</p></body></html>";
        let declared = format!("<html><head><meta charset=\"big5\"></head>{body}");
        let (bytes, _, bad) = encoding_rs::BIG5.encode(&declared);
        assert!(!bad);
        let x = extract_documents(&[Input::new("zh-tw.html", &bytes)], &lexicon).unwrap();
        assert_eq!(x.encoding, "big5");
        assert!(
            ids(&x.declaration).contains("contact.phone_number"),
            "{:#?}",
            x
        );
        assert!(
            x.notes.iter().any(|n| n.contains("<meta charset>")),
            "{:#?}",
            x.notes
        );
        // Without the declaration the bytes are guessed, and the guess is wrong.
        let undeclared = format!("<html><head></head>{body}");
        let (bytes, _, _) = encoding_rs::BIG5.encode(&undeclared);
        let guessed = extract_documents(&[Input::new("zh-tw.html", &bytes)], &lexicon).unwrap();
        assert_ne!(guessed.encoding, "big5");
        assert!(!ids(&guessed.declaration).contains("contact.phone_number"));
        // A UTF-8 page that declares another charset is still read as UTF-8.
        let page = format!("<html><head><meta charset=\"gbk\"></head>{body}");
        let x = extract_documents(&[Input::new("p.html", page.as_bytes())], &lexicon).unwrap();
        assert_eq!(x.encoding, "utf-8");
        assert!(ids(&x.declaration).contains("contact.phone_number"));
    }

    #[test]
    fn notes_say_what_a_page_was_read_as_and_when_it_is_empty() {
        let lexicon = lexicon();
        // Sniffed: a .txt that is a saved page.
        let page = "<!DOCTYPE html><html><body><p>We collect your email address.</p></body></html>";
        let x = extract_documents(&[Input::new("saved.txt", page.as_bytes())], &lexicon).unwrap();
        assert!(
            x.notes.iter().any(|n| n.contains("read as html")),
            "{:#?}",
            x.notes
        );
        assert!(ids(&x.declaration).contains("contact.email"));
        // By extension: nothing to say.
        let x = extract_documents(&[Input::new("p.html", page.as_bytes())], &lexicon).unwrap();
        assert!(
            !x.notes.iter().any(|n| n.contains("read as")),
            "{:#?}",
            x.notes
        );
        // A single-page-app shell: scripts, no text.
        let shell = format!(
            "<!DOCTYPE html><html><head><title>隐私政策</title><script>{}</script></head><body><div id=\"app\"></div></body></html>",
            "window.__STATE__={};".repeat(200)
        );
        let x =
            extract_documents(&[Input::new("policy.html", shell.as_bytes())], &lexicon).unwrap();
        assert!(
            x.notes
                .iter()
                .any(|n| n.starts_with("only 0 characters of text")),
            "{:#?}",
            x.notes
        );
    }
}

mod prose_parties {
    //! An English Markdown policy of the kind app developers publish: a table of
    //! services, a list of links to their policies, receivers named in running text,
    //! section titles as bold lines. Invented wording.

    use crate::common::policy::*;
    use privaudit::policy::model::{Declaration, Share};

    const POLICY: &str = r#"## Privacy Policy

Mara Quist built the Tidepool Notes app as a free app. This page explains what it collects.

**Information Collection and Use**

While using the app, I may ask you to provide your email address and your city.

The app uses third-party services that may collect information used to identify you.

Links to the privacy policies of third-party service providers used by the app

*   [Google Play Services](https://www.google.com/policies/privacy/)
*   [AdMob](https://support.google.com/admob/answer/6128543?hl=en)
*   [Firebase Crashlytics](https://firebase.google.com/support/privacy/)

**Log Data**

Whenever an error occurs in the app, I collect data and information (through third-party products) on your phone called Log Data. This Log Data may include your device's IP address, device name and operating system version.

**Cookies**

Cookies are small text files with a little data that are commonly used as anonymous unique identifiers.

**Service Providers**

| Service | Provider | Data |
|---|---|---|
| Quillmetrics | Quillmetrics Labs Ltd. | usage data, advertising ID |

I may share your information with service providers such as Orchard Cloud Hosting, which stores my backups, and Ferrowave Payments, which processes payments.

I also share your purchase history with Ledgerline to manage subscriptions, and send crash reports to Brightbug.
"#;

    fn draft() -> Declaration {
        draft_of("policy.md", POLICY)
    }

    fn entry<'a>(d: &'a Declaration, name: &str) -> &'a Share {
        d.share
            .iter()
            .find(|s| s.name.as_deref() == Some(name))
            .unwrap_or_else(|| panic!("no entry named {name:?} in {:#?}", d.share))
    }

    #[test]
    fn every_named_party_is_one_named_entry() {
        let d = draft();
        // A brand followed by capitalised words is one name, not "Google" and "Play".
        assert_eq!(entry(&d, "Google Play Services").party, "sdk");
        assert!(d.share.iter().all(|s| s.name.as_deref() != Some("Play")));
        assert_eq!(entry(&d, "AdMob").party, "sdk:admob");
        assert_eq!(entry(&d, "Firebase Crashlytics").party, "sdk:crashlytics");
        // "Service" heads the table's name column.
        let q = entry(&d, "Quillmetrics");
        assert_eq!(q.entity.as_deref(), Some("Quillmetrics Labs Ltd."));
        assert!(
            q.data.iter().any(|i| i.starts_with("device.identifier")),
            "{q:?}"
        );
        // Named in prose, through a relative clause.
        assert_eq!(entry(&d, "Orchard Cloud Hosting").party, "third-party");
        assert_eq!(entry(&d, "Ferrowave Payments").party, "third-party");
        for s in &d.share {
            let name = s.name.as_deref().unwrap_or("");
            assert!(!name.is_empty(), "entry without a name: {s:?}");
            assert!(
                !["Service", "Services", "Log Data", "Cookies"].contains(&name),
                "generic word as a name: {s:?}"
            );
        }
    }

    #[test]
    fn each_receiver_gets_its_own_sub_clause() {
        let d = draft();
        assert_eq!(entry(&d, "Ledgerline").data, ["activity.purchase_history"]);
        assert_eq!(entry(&d, "Brightbug").data, ["diagnostics.crash_log"]);
    }

    #[test]
    fn a_section_title_ends_the_party_named_above_it() {
        let d = draft();
        // The log data are collected; the last SDK of the list above does not get them.
        let collected = collected_ids(&d);
        assert!(collected.contains(&"network.ip_address"), "{collected:?}");
        assert!(collected.contains(&"device.software.os"), "{collected:?}");
        let crashlytics = entry(&d, "Firebase Crashlytics");
        assert!(crashlytics.data.is_empty(), "{crashlytics:?}");
        // What a cookie is, is no collection; "files" there are not the user's files.
        assert!(!collected.contains(&"comm.files"), "{collected:?}");
        assert!(
            d.collect
                .iter()
                .all(|c| !c.quote.as_deref().unwrap_or("").starts_with("Cookies are"))
        );
    }

    #[test]
    fn a_question_mark_inside_a_link_ends_no_sentence() {
        let d = draft();
        let admob = entry(&d, "AdMob");
        assert!(
            admob.quote.as_deref().unwrap_or("").contains("?hl=en"),
            "{admob:?}"
        );
    }
}

mod unknown_headings {
    //! A short Markdown policy whose headings name no section the extractor knows
    //! ("Summary", "Analytics") and whose data are a table with a recipient column.
    //! Invented wording.

    use crate::common::policy::*;
    use privaudit::policy::model::Declaration;

    const POLICY: &str = r#"# Privacy Policy — Lintel Budget

Effective date: 1 September 2026

## Summary

Lintel Budget keeps your budgets on your phone. A few things do leave the device, listed below.

## Data we process

| Data type | Why | Shared with |
|---|---|---|
| Email address | Account sign-in and receipts | No one |
| Crash logs | Fixing bugs | Sentry |
| Purchase history | Restoring subscriptions | RevenueCat |
| Device ID | Fraud prevention | No one |

## Analytics

We use Amplitude to see which screens are used. Amplitude receives your device model, OS version and the events you trigger.

## Advertising

The free version shows ads from Google AdMob, which may use your advertising ID and IP address.
"#;

    fn draft() -> Declaration {
        draft_of("policy.md", POLICY)
    }

    fn shared(d: &Declaration, party: &str) -> Vec<String> {
        d.share
            .iter()
            .filter(|s| s.party == party)
            .flat_map(|s| s.data.clone())
            .collect()
    }

    #[test]
    fn sections_after_the_title_are_read() {
        let d = draft();
        let collected = collected_ids(&d);
        assert!(collected.contains(&"contact.email"), "{collected:?}");
        assert!(shared(&d, "sdk:amplitude").contains(&"device.software.os".to_string()));
        assert!(shared(&d, "sdk:admob").contains(&"network.ip_address".to_string()));
    }

    #[test]
    fn each_table_row_keeps_its_own_recipient() {
        let d = draft();
        assert_eq!(shared(&d, "sdk:sentry"), ["diagnostics.crash_log"]);
        assert_eq!(shared(&d, "sdk:revenuecat"), ["activity.purchase_history"]);
        // The row after RevenueCat's names no one: its device ID is collected, not
        // handed to RevenueCat.
        assert!(
            d.collect
                .iter()
                .any(|c| c.data.iter().any(|i| i == "device.identifier")),
            "{:#?}",
            d.collect
        );
    }
}

mod table_columns {
    //! A data table whose second column says why: its words are not data. Invented
    //! wording.

    use crate::common::policy::*;

    #[test]
    fn the_purpose_column_is_not_read_for_data() {
        let text = "# Privacy\n\n## What we collect\n\n| Data | Why we use it |\n|---|---|\n\
                    | Device ID | Fraud prevention and crash reports |\n\
                    | Email address | Sending offers near your location |\n";
        let d = draft_of("p.md", text);
        let collected = collected_ids(&d);
        assert!(collected.contains(&"device.identifier"), "{collected:?}");
        assert!(collected.contains(&"contact.email"), "{collected:?}");
        assert!(
            !collected.contains(&"diagnostics.crash_log"),
            "{collected:?}"
        );
        assert!(
            !collected.iter().any(|i| i.starts_with("location")),
            "{collected:?}"
        );
    }
}

mod sdk_list_shapes {
    //! The shapes Chinese apps give their SDK lists, each in invented wording: every SDK
    //! is one named [[share]] entry with its own data, its company as the entity, and no
    //! entry for a company, a field label or a title.

    use crate::common::policy::*;
    use privaudit::policy::model::{Declaration, Share};

    fn entry<'a>(d: &'a Declaration, name: &str) -> &'a Share {
        d.share
            .iter()
            .find(|s| s.name.as_deref() == Some(name))
            .unwrap_or_else(|| panic!("no entry named {name:?} in {:#?}", d.share))
    }

    fn names(d: &Declaration) -> Vec<&str> {
        d.share.iter().filter_map(|s| s.name.as_deref()).collect()
    }

    fn has_data(s: &Share, ids: &[&str]) {
        for id in ids {
            assert!(
                s.data.iter().any(|d| d == id),
                "{:?} lacks {id}: {:?}",
                s.name,
                s.data
            );
        }
    }

    #[test]
    fn a_name_label_holding_a_company_gives_the_entity_under_the_title() {
        let text = "第三方SDK清单\n\n1. 微信SDK\n\n第三方名称：深圳市腾讯计算机系统有限公司\n\n\
            使用目的：登录与分享\n\n收集个人信息类型：设备型号、网络类型\n\n\
            2. QQ互联SDK\n\n第三方名称：深圳市腾讯计算机系统有限公司\n\n使用目的：QQ登录\n\n\
            收集个人信息类型：IP地址\n\n3. 小鹿客服SDK\n\nSDK名称：小鹿客服SDK\n\
            第三方名称：杭州小鹿云服科技有限公司\n使用用途：在线客服\n\
            收集个人信息字段：昵称、头像\n";
        let d = draft_of("sdk.txt", text);
        let wechat = entry(&d, "微信SDK");
        assert_eq!(wechat.party, "sdk:wechat");
        assert_eq!(
            wechat.entity.as_deref(),
            Some("深圳市腾讯计算机系统有限公司")
        );
        has_data(wechat, &["device.hardware.model", "network.type"]);
        assert!(
            !wechat.data.iter().any(|d| d == "network.ip_address"),
            "{:?}",
            wechat.data
        );
        let qq = entry(&d, "QQ互联SDK");
        assert_eq!(qq.party, "sdk:qq_connect");
        has_data(qq, &["network.ip_address"]);
        let support = entry(&d, "小鹿客服SDK");
        assert_eq!(support.party, "third-party");
        assert_eq!(support.entity.as_deref(), Some("杭州小鹿云服科技有限公司"));
        has_data(support, &["identity.nickname", "identity.avatar"]);
        assert!(
            !names(&d)
                .iter()
                .any(|n| n.contains("有限公司") || n.ends_with("使用")),
            "{:?}",
            names(&d)
        );
    }

    #[test]
    fn a_prose_record_with_its_company_in_brackets() {
        let text = "四、我们如何共享您的信息\n我们接入了以下SDK：\n\
            1、友盟+ SDK（友盟同欣（北京）科技有限公司）：为了统计分析，会收集您的IMEI、IP地址。\n\
            2、个推SDK（每日互动股份有限公司）：为了向您推送消息，会收集您的应用列表。\n\
            3、云雀客服SDK（南京云雀网络科技有限公司）：为了在线客服，会收集您的昵称。\n";
        let d = draft_of("sdk.txt", text);
        let umeng = entry(&d, "友盟+ SDK");
        assert_eq!(umeng.party, "sdk:umeng");
        assert_eq!(
            umeng.entity.as_deref(),
            Some("友盟同欣（北京）科技有限公司")
        );
        has_data(umeng, &["device.identifier.imei", "network.ip_address"]);
        let getui = entry(&d, "个推SDK");
        assert!(getui.party.starts_with("sdk:getui"), "{}", getui.party);
        has_data(getui, &["app.installed_list"]);
        // An SDK no signature knows is named as written, with its company.
        let support = entry(&d, "云雀客服SDK");
        assert_eq!(support.party, "third-party");
        assert_eq!(support.entity.as_deref(), Some("南京云雀网络科技有限公司"));
        has_data(support, &["identity.nickname"]);
        assert_eq!(
            d.share.len(),
            3,
            "no entry for a bracketed company: {:?}",
            names(&d)
        );
    }

    #[test]
    fn a_category_cell_spanning_rows_stays_with_each_row() {
        let html = "<table><tr><th>类别</th><th>SDK名称</th><th>使用目的</th><th>收集的个人信息</th></tr>\
            <tr><td rowspan=\"2\">登录分享类</td><td>微信开放平台SDK</td><td>微信登录</td><td>设备型号</td></tr>\
            <tr><td>QQ互联SDK</td><td>QQ登录</td><td>IP地址</td></tr>\
            <tr><td>推送类</td><td>极光推送SDK</td><td>推送</td><td>OAID</td></tr></table>";
        let d = draft_of("sdk.html", html);
        has_data(entry(&d, "微信开放平台SDK"), &["device.hardware.model"]);
        let qq = entry(&d, "QQ互联SDK");
        assert_eq!(qq.party, "sdk:qq_connect");
        has_data(qq, &["network.ip_address"]);
        has_data(entry(&d, "极光推送SDK"), &["device.identifier.oaid"]);
        assert_eq!(d.share.len(), 3, "{:?}", names(&d));
    }

    #[test]
    fn one_small_label_value_table_per_sdk() {
        let html = "<h2>第三方SDK目录</h2>\
            <table><tr><td>SDK名称</td><td>小米推送SDK</td></tr>\
            <tr><td>第三方主体</td><td>北京小米移动软件有限公司</td></tr>\
            <tr><td>使用目的</td><td>消息推送</td></tr>\
            <tr><td>收集个人信息类型</td><td>OAID、设备型号</td></tr></table>\
            <table><tr><td>SDK名称</td><td>神策分析SDK</td></tr>\
            <tr><td>第三方主体</td><td>神策网络科技（北京）有限公司</td></tr>\
            <tr><td>使用目的</td><td>行为分析</td></tr>\
            <tr><td>收集个人信息类型</td><td>IP地址</td></tr></table>";
        let d = draft_of("sdk.html", html);
        let mi = entry(&d, "小米推送SDK");
        assert_eq!(mi.entity.as_deref(), Some("北京小米移动软件有限公司"));
        has_data(mi, &["device.identifier.oaid", "device.hardware.model"]);
        has_data(entry(&d, "神策分析SDK"), &["network.ip_address"]);
        assert!(
            !mi.data.iter().any(|d| d == "network.ip_address"),
            "{:?}",
            mi.data
        );
        assert_eq!(d.share.len(), 2, "{:?}", names(&d));
    }

    #[test]
    fn a_numbered_name_before_its_fields_on_one_line() {
        let text = "第三方SDK列表：\n\
            1. 微信开放平台SDK，第三方主体：深圳市腾讯计算机系统有限公司，使用目的：微信登录，收集信息：设备型号\n\
            2. 高德定位SDK，第三方主体：高德软件有限公司，使用目的：定位，收集信息：精确位置\n";
        let d = draft_of("sdk.txt", text);
        let wechat = entry(&d, "微信开放平台SDK");
        assert_eq!(
            wechat.entity.as_deref(),
            Some("深圳市腾讯计算机系统有限公司")
        );
        has_data(wechat, &["device.hardware.model"]);
        let amap = entry(&d, "高德定位SDK");
        assert_eq!(amap.party, "sdk:amap_location");
        has_data(amap, &["location.precise"]);
        assert_eq!(d.share.len(), 2, "{:?}", names(&d));
    }

    #[test]
    fn numbered_records_run_together_on_one_line() {
        // A scraped page: the list lost its line breaks, so each record's number and
        // name follow the previous record's data after a semicolon.
        let text = "三、第三方SDK 本应用接入了以下第三方SDK：\
（1）个推推送SDK，提供方：每日互动股份有限公司，目的：消息推送，收集信息：设备型号、OAID；\
（2）高德定位SDK，提供方：高德软件有限公司，目的：附近门店，收集信息：精确位置信息；\
（3）腾讯Bugly，提供方：深圳市腾讯计算机系统有限公司，目的：崩溃分析，收集信息：崩溃日志。\
四、我们如何共享您的个人信息\n";
        let d = draft_of("p.txt", text);
        let getui = entry(&d, "个推推送SDK");
        assert_eq!(getui.entity.as_deref(), Some("每日互动股份有限公司"));
        has_data(getui, &["device.hardware.model", "device.identifier.oaid"]);
        assert!(
            !getui.data.iter().any(|x| x.starts_with("location")),
            "{getui:?}"
        );
        let amap = entry(&d, "高德定位SDK");
        assert_eq!(amap.entity.as_deref(), Some("高德软件有限公司"));
        has_data(amap, &["location.precise"]);
        let bugly = entry(&d, "腾讯Bugly");
        has_data(bugly, &["diagnostics.crash_log"]);
        assert_eq!(d.share.len(), 3, "{:?}", names(&d));
    }

    #[test]
    fn a_partner_named_only_by_its_company_has_it_as_entity_too() {
        let text = "二、合作机构\n\
| 共享信息 | 第三方名称 | 目的 |\n|---|---|---|\n\
| 姓名、身份证号码、手机号码 | 星桥征信有限公司 | 查询个人信用报告 |\n";
        let d = draft_of("share.md", text);
        let partner = entry(&d, "星桥征信有限公司");
        assert_eq!(partner.entity.as_deref(), Some("星桥征信有限公司"));
        has_data(partner, &["identity.name", "contact.phone_number"]);
    }

    #[test]
    fn a_cell_giving_the_name_and_its_company() {
        let html = "<table><tr><td>序号</td><td>第三方SDK名称及提供方</td><td>SDK用途</td>\
            <td>共享的信息字段</td></tr>\
            <tr><td>1</td><td><p>高德地图</p><p>高德软件有限公司</p></td><td>地图展示</td><td>精确位置</td></tr>\
            <tr><td>2</td><td><p>个推</p><p>每日互动股份有限公司</p></td><td>消息推送</td><td>应用列表</td></tr></table>";
        let d = draft_of("sdk.html", html);
        let amap = entry(&d, "高德地图");
        assert!(amap.party.starts_with("sdk:amap"), "{}", amap.party);
        assert_eq!(amap.entity.as_deref(), Some("高德软件有限公司"));
        has_data(amap, &["location.precise"]);
        let getui = entry(&d, "个推");
        assert_eq!(getui.entity.as_deref(), Some("每日互动股份有限公司"));
        has_data(getui, &["app.installed_list"]);
    }

    #[test]
    fn two_data_columns_both_count() {
        let text = "场景描述 | 个人信息类型 | 个人信息字段 | 第三方机构名称\n---|---|---|---\n\
            风险识别 | 设备信息 | IMEI、网络类型 | 杭州某某风控科技有限公司\n";
        let d = draft_of("sdk.md", text);
        let risk = d
            .share
            .iter()
            .find(|s| s.entity.as_deref() == Some("杭州某某风控科技有限公司"))
            .unwrap_or_else(|| panic!("{:#?}", d.share));
        has_data(risk, &["device.identifier.imei", "network.type"]);
    }

    #[test]
    fn the_apps_own_operator_is_no_third_party() {
        let text = "十、如何联系我们\n运营主体及个人信息保护负责人\n\
            公司名称：北京某某网络科技有限公司\n注册地址：北京市海淀区某某路1号\n联系电话：010-12345678\n";
        let d = draft_of("policy.txt", text);
        assert!(d.share.is_empty(), "{:#?}", d.share);
    }
}

mod english_shapes {
    //! English app policies in the shapes developers publish (Markdown, invented
    //! wording): what a heading, a table column or an aside says about the data under it.

    use crate::common::policy::*;
    use privaudit::policy::model::Declaration;

    fn denied(d: &Declaration) -> Vec<&str> {
        d.deny
            .iter()
            .flat_map(|e| e.data.iter().map(String::as_str))
            .collect()
    }

    fn shared_names(d: &Declaration) -> Vec<&str> {
        d.share.iter().filter_map(|s| s.name.as_deref()).collect()
    }

    #[test]
    fn lower_case_markdown_headings_are_titles_and_an_untitled_policy_is_read() {
        // An indie developer's policy in lower case: the sections before "what i don't
        // collect" are policy text, not a preamble to it.
        let md = "# privacy policy – tally\n\nhi, i make tally.\n\n## tl;dr\n\n\
            counters stay on your phone.\n\n## libraries that send data\n\n\
            the app uses admob, which collects your ip address and device model.\n\n\
            ## what i don't collect\n\nno name, no contacts.\n";
        let d = draft_of("policy.md", md);
        let all: Vec<&str> = d
            .share
            .iter()
            .flat_map(|s| s.data.iter().map(String::as_str))
            .collect();
        assert!(all.contains(&"network.ip_address"), "{d:?}");
        assert!(all.contains(&"device.hardware.model"), "{d:?}");
        assert!(!collected_ids(&d).contains(&"identity.name"), "{d:?}");
        // The same text as plain running text under one title: each sentence is read
        // by its own verb, not only "we collect".
        let md = "# Privacy\n\nThe app reads your GPS coordinates and sends them to our server.\n\n\
            We use Bugsnag to receive crash reports.\n";
        let d = draft_of("policy.md", md);
        assert!(collected_ids(&d).contains(&"location.precise"), "{d:?}");
        let bugsnag = d.share.iter().find(|s| s.party == "sdk:bugsnag");
        assert!(
            bugsnag.is_some_and(|s| s.data.iter().any(|x| x == "diagnostics.crash_log")),
            "{d:?}"
        );
    }

    #[test]
    fn these_companies_are_the_parties_named_before_and_unused_sdks_are_denied() {
        let md = "# Privacy\n\n## Advertising\n\n\
            Ads are served by Google AdMob and by AppLovin. These companies may collect your \
            device's advertising identifier and IP address.\n\n\
            ## Analytics\n\nWe do not use the Facebook SDK. It does not use Firebase.\n";
        let d = draft_of("policy.md", md);
        for party in ["sdk:admob", "sdk:applovin"] {
            let entry = d.share.iter().find(|s| s.party == party);
            assert!(
                entry.is_some_and(|s| s.data.iter().any(|x| x == "network.ip_address")),
                "{party}: {:?}",
                d.share
            );
        }
        assert!(
            !d.share
                .iter()
                .any(|s| s.party == "sdk:facebook" || s.party.starts_with("sdk:firebase")),
            "{:?}",
            d.share
        );
    }

    #[test]
    fn providers_named_after_from_and_in_apposition() {
        let md = "# Privacy\n\n## Data we share\n\n\
            The coordinates are sent to our weather data provider Tomorrow.io.\n\n\
            We get a credit report from Experian.\n";
        let d = draft_of("policy.md", md);
        let names = shared_names(&d);
        for name in ["Tomorrow.io", "Experian"] {
            assert!(names.contains(&name), "{name} not in {names:?}");
        }
    }

    #[test]
    fn a_heading_that_says_not_collected_makes_its_items_denials() {
        let md = "# Privacy\n\n## Data Linked to You\n\nThe following data may be collected:\n\n\
            - **Contact Info** — email address\n- **Diagnostics** — crash data\n\n\
            ## Data Not Collected\n\n- Location\n- Contacts\n\n\
            ## What we do NOT collect\n\n- Your name\n";
        let d = draft_of("policy.md", md);
        let collected = collected_ids(&d);
        assert!(collected.contains(&"contact.email"), "{collected:?}");
        assert!(
            collected.contains(&"diagnostics.crash_log"),
            "{collected:?}"
        );
        for id in ["location", "comm.contacts", "identity.name"] {
            assert!(!collected.contains(&id), "{id} collected: {collected:?}");
            assert!(
                denied(&d).contains(&id),
                "{id} not denied: {:?}",
                denied(&d)
            );
        }
    }

    #[test]
    fn a_definitions_section_ends_at_the_next_title() {
        let md = "# Privacy Policy\n\n## Definitions\n\n\
            - \"Personal data\" means information such as a name or a phone number.\n\n\
            ## How sign-up works\n\nWhen you sign up we ask for your email address.\n";
        let d = draft_of("policy.md", md);
        let collected = collected_ids(&d);
        assert_eq!(collected, ["contact.email"], "{d:#?}");
    }

    #[test]
    fn what_the_app_never_sees_or_keeps_is_denied() {
        let md = "# Privacy Policy\n\n## Payments\n\nWe never see or store your bank login password. \
            We receive your billing address (we do not receive your payment card number). \
            Your scan history stays only on your phone.\n";
        let d = draft_of("policy.md", md);
        let collected = collected_ids(&d);
        assert!(collected.contains(&"contact.address"), "{collected:?}");
        for id in [
            "account.password",
            "financial.bank_card",
            "contact.phone_number",
        ] {
            assert!(!collected.contains(&id), "{id} collected: {collected:?}");
        }
        assert!(denied(&d).contains(&"account.password"), "{:?}", denied(&d));
        assert!(
            denied(&d).contains(&"financial.bank_card"),
            "{:?}",
            denied(&d)
        );
    }

    #[test]
    fn a_cookie_definition_goes_on_in_the_next_sentence_and_a_question_states_nothing() {
        let md = "## Cookies\n\nCookies are small files used as anonymous identifiers. \
            These are sent to your browser from the sites you visit and kept on your device.\n\n\
            ## Does the app collect your precise location?\n\n\
            The app does not collect the precise location of your device.\n";
        let d = draft_of("policy.md", md);
        assert!(collected_ids(&d).is_empty(), "{:?}", collected_ids(&d));
        assert!(denied(&d).contains(&"location.precise"), "{:?}", denied(&d));
    }

    #[test]
    fn a_table_column_saying_no_denies_the_row() {
        let md = "## Categories of personal information we collect\n\n\
            | Category | Examples | Collected |\n|---|---|---|\n\
            | Identifiers | Email address, device ID | YES |\n\
            | Geolocation data | Precise location | NO |\n\
            | Biometric information | Fingerprints | NO |\n";
        let d = draft_of("policy.md", md);
        let collected = collected_ids(&d);
        assert!(collected.contains(&"contact.email"), "{collected:?}");
        assert!(
            !collected.iter().any(|id| id.starts_with("location")),
            "{collected:?}"
        );
        assert!(
            !collected.iter().any(|id| id.starts_with("biometric")),
            "{collected:?}"
        );
        assert!(denied(&d).contains(&"location.precise"), "{:?}", denied(&d));
    }

    #[test]
    fn services_named_in_prose_and_in_a_shared_with_column() {
        let md = "# Privacy Policy\n\n## Analytics\n\nI use Hopscotch Metrics to count how many people open the app. \
            We send you a login code by SMS through Quillpost.\n\n\
            ## Data we collect\n\n| Data | Purpose | Shared with |\n|---|---|---|\n\
            | Advertising ID | Measuring ads | Lumen Ads, Borealis Mediation |\n\
            | Email address | Support | Not shared |\n\n\
            ## Service providers\n\nWe share personal information with service providers:\n\n\
            - Larchwood Hosting (servers)\n- Stripe (billing)\n";
        let d = draft_of("policy.md", md);
        let names = shared_names(&d);
        for n in [
            "Hopscotch Metrics",
            "Quillpost",
            "Lumen Ads",
            "Borealis Mediation",
            "Larchwood Hosting",
            "Stripe",
        ] {
            assert!(names.contains(&n), "{n} not named: {names:?}");
        }
        for junk in ["SMS", "Not shared"] {
            assert!(!names.contains(&junk), "{junk} named: {names:?}");
        }
        let ads = d
            .share
            .iter()
            .find(|s| s.name.as_deref() == Some("Lumen Ads"))
            .map(|s| s.data.clone())
            .unwrap_or_default();
        assert!(
            ads.iter().any(|id| id.starts_with("device.identifier")),
            "{ads:?}"
        );
    }
}

mod english_provider_lists {
    //! Lists of service providers as English Markdown policies write them: a name and
    //! what it does, in bold, as the subject of a verb, or numbered with its owner.

    use crate::common::policy::*;

    #[test]
    fn bold_subject_and_numbered_provider_items_are_named_entries() {
        let md = "# Privacy\n\n## Our data\n\nWe collect your email address.\n\n\
            ## Service providers\n\n\
            - **Fernbank Cloud** stores your account and journal entries.\n\
            - Quokka Insights (EU cloud) receives anonymous product analytics.\n\
            - **Tallow Mail** – sends password reset emails to your email address.\n\n\
            ## Recipients\n\nWe use the following processors:\n\n\
            1. **Maple Attribution** (Maple Labs) – install attribution.\n\
            2. **Juniper Crash** – crash reports.\n";
        let d = draft_of("policy.md", md);
        let names: Vec<&str> = d.share.iter().filter_map(|s| s.name.as_deref()).collect();
        for n in [
            "Fernbank Cloud",
            "Quokka Insights",
            "Tallow Mail",
            "Maple Attribution",
            "Juniper Crash",
        ] {
            assert!(names.contains(&n), "{n} not named: {names:?}");
        }
        let maple = d
            .share
            .iter()
            .find(|s| s.name.as_deref() == Some("Maple Attribution"))
            .and_then(|s| s.entity.clone());
        assert_eq!(maple.as_deref(), Some("Maple Labs"));
        let crash = d
            .share
            .iter()
            .find(|s| s.name.as_deref() == Some("Juniper Crash"))
            .map(|s| s.data.clone())
            .unwrap_or_default();
        assert!(
            crash.iter().any(|id| id == "diagnostics.crash_log"),
            "{crash:?}"
        );
        // A clause title is no provider: "1. Obtain your consent: …".
        let md = "# Privacy\n\n## Sharing\n\nWe share data with third parties when we:\n\n\
            1. Obtain your consent: we ask before sharing your email address.\n";
        let d = draft_of("policy.md", md);
        assert!(
            !d.share
                .iter()
                .any(|s| s.name.as_deref() == Some("Obtain your consent")),
            "{:#?}",
            d.share
        );
    }
}

mod english_parties_in_prose {
    //! Where English policies name their third parties besides lists and tables: as the
    //! subject of a verb that handles data, each with its purpose in one sentence, in
    //! apposition in a list, as a "Name (Company)" title over what it processes, and in
    //! sections that are not about collection. The app itself and its operator are never
    //! a third party. Invented wording and names.

    use crate::common::policy::*;
    use privaudit::policy::model::{Declaration, Share};

    fn entry<'a>(d: &'a Declaration, name: &str) -> Option<&'a Share> {
        d.share.iter().find(|s| s.name.as_deref() == Some(name))
    }

    fn data_of(d: &Declaration, name: &str) -> Vec<String> {
        let mut v = entry(d, name)
            .unwrap_or_else(|| panic!("{name} not named: {:#?}", d.share))
            .data
            .clone();
        v.sort();
        v
    }

    const POLICY: &str = "# Privacy Policy — Fernleaf Notes\n\n\
Fernleaf Notes is made by Fernleaf Studio Ltd. (\"we\", \"us\").\n\n\
## Information we collect\n\n\
You can use Fernleaf without an account. We collect your email address when you sign up.\n\n\
To verify your number we send a code by SMS. Textly and Voxa receive your phone number and the code.\n\n\
When you link a bank account, Ledgerline Inc. gives us your account balances.\n\n\
## Who we share it with\n\n\
We use Cedar Cloud to host our servers, Paywise to process payments, Chatterly for support chat, and Quill Mail to send receipts.\n\n\
We share personal information with:\n\n\
- **Harbour Bank, N.A.**, which holds your funds;\n\
- **Paywise**, which receives your card number and billing address;\n\
- **Relayly**, which forwards in-app events to **Gaugebird** for product analytics;\n\n\
### Sending messages\n\n\
#### Postbox (Postbox Mailing Group LLC)\n\n\
Postbox is a newsletter service provided by Postbox Mailing Group LLC.\n\n\
Personal Data processed: email address; first name.\n\n\
## How long we keep it\n\n\
Photos you attach are stored on Snapvault servers in the EU for 30 days.\n\n\
Our app is built with Reactor Kit and encrypted with TLS.\n";

    #[test]
    fn parties_named_in_prose_get_their_data() {
        let d = draft_of("policy.md", POLICY);
        assert_eq!(data_of(&d, "Textly"), ["contact.phone_number"]);
        assert_eq!(data_of(&d, "Voxa"), ["contact.phone_number"]);
        assert!(entry(&d, "Ledgerline Inc.").is_some(), "{:#?}", d.share);
        for n in ["Cedar Cloud", "Paywise", "Chatterly", "Quill Mail"] {
            assert!(entry(&d, n).is_some(), "{n} not named: {:#?}", d.share);
        }
        let bank = entry(&d, "Harbour Bank").expect("the bank in apposition");
        assert_eq!(bank.entity.as_deref(), Some("Harbour Bank, N.A."));
        // Named in two clauses, Paywise has an entry for each; the list item's has the card.
        assert!(
            d.share.iter().any(|s| s.name.as_deref() == Some("Paywise")
                && s.data.iter().any(|id| id == "financial.bank_card")),
            "{:#?}",
            d.share
        );
        // The receiver a provider passes data on to.
        assert!(entry(&d, "Gaugebird").is_some(), "{:#?}", d.share);
        // An iubenda-style section: the title names the service and its company.
        let postbox = entry(&d, "Postbox").expect("the titled service");
        assert_eq!(postbox.entity.as_deref(), Some("Postbox Mailing Group LLC"));
        assert_eq!(data_of(&d, "Postbox"), ["contact.email", "identity.name"]);
        // A service data are stored on, in a retention section.
        assert_eq!(data_of(&d, "Snapvault"), ["media.photo_video"]);
    }

    #[test]
    fn the_app_its_operator_and_its_tools_are_no_third_parties() {
        let d = draft_of("policy.md", POLICY);
        let names: Vec<&str> = d.share.iter().filter_map(|s| s.name.as_deref()).collect();
        for n in [
            "Fernleaf",
            "Fernleaf Notes",
            "Fernleaf Studio Ltd.",
            "Postbox Mailing Group LLC",
            "Reactor Kit",
            "TLS",
        ] {
            assert!(!names.contains(&n), "{n} is no third party: {names:?}");
        }
        assert_eq!(d.app.name, "Fernleaf Notes");
    }
}

mod brands_as_means {
    //! A brand the user logs in or pays with is no receiver of what the app collects
    //! then; a sentence that shares with it still makes it one. Invented wording.

    use crate::common::policy::*;

    #[test]
    fn login_and_payment_brands_are_not_recipients() {
        let text = "一、我们如何收集您的个人信息\n\
1. 您也可以使用微信或支付宝账号授权登录，我们将获取您授权的昵称和头像。\n\
2. 下单后，您可以选择微信支付、云闪付等方式付款。\n\
3. 支付时，我们会将订单号提供给支付宝以完成交易。\n";
        let d = draft_of("p.txt", text);
        let collected = collected_ids(&d);
        assert!(collected.contains(&"identity.nickname"), "{collected:?}");
        assert!(collected.contains(&"identity.avatar"), "{collected:?}");
        for s in &d.share {
            assert!(
                !s.data
                    .iter()
                    .any(|id| id == "identity.nickname" || id == "identity.avatar"),
                "a login brand got the app's data: {:#?}",
                d.share
            );
        }
        assert!(
            d.share.iter().any(|s| s.party == "sdk:alipay"
                && s.data.iter().any(|id| id == "activity.purchase_history")),
            "the receiver a sentence shares with: {:#?}",
            d.share
        );
    }

    #[test]
    fn brands_paid_with_taken_from_or_naming_data_are_not_recipients() {
        let text = "一、我们如何收集您的个人信息\n\
1. 您可以使用微信支付、支付宝或银行卡进行支付。使用银行卡快捷支付时，您需要提供银行卡号、持卡人姓名。\n\
2. 我们会收集您的充值记录，并从支付宝获得支付状态。\n\
3. 告警联系人：手机号码、邮箱、微信（用于接收微信告警）。\n\
4. 第三方登录时，我们会获取您的微博昵称、微博头像。\n\
5. 为了统计分析，我们通过友盟SDK获取您的设备型号。\n";
        let d = draft_of("p.txt", text);
        let collected = collected_ids(&d);
        for id in [
            "financial.bank_card",
            "identity.name",
            "activity.purchase_history",
            "contact.phone_number",
            "identity.nickname",
        ] {
            assert!(collected.contains(&id), "{id}: {collected:?}");
        }
        let receivers: Vec<&str> = d.share.iter().map(|s| s.party.as_str()).collect();
        for brand in ["sdk:alipay", "sdk:wechat", "sdk:weibo"] {
            assert!(
                !receivers.contains(&brand),
                "{brand} is a means, a source or a data word here: {:#?}",
                d.share
            );
        }
        // An SDK that collects through the app is still a receiver.
        assert!(
            d.share
                .iter()
                .any(|s| s.name.as_deref().is_some_and(|n| n.contains("友盟"))
                    && s.data.iter().any(|id| id == "device.hardware.model")),
            "{:#?}",
            d.share
        );
    }

    #[test]
    fn brands_in_a_run_and_a_brand_named_again_in_the_sdk_list() {
        let text = "一、我们如何收集您的个人信息\n\
1. 第三方账号登录：支持微信、QQ、微博登录，我们仅获取您授权的昵称和头像。\n\
2. 付款时，您可以选择微信支付、支付宝或云闪付等方式，支付功能由支付机构通过其SDK提供。\n\
二、第三方SDK清单\n\
SDK名称：支付宝SDK\n\
使用目的：支付宝付款\n\
收集个人信息类型：设备型号、网络类型\n\
第三方主体：支付宝（中国）网络技术有限公司\n";
        let d = draft_of("p.txt", text);
        let collected = collected_ids(&d);
        assert!(collected.contains(&"identity.nickname"), "{collected:?}");
        assert!(
            !d.share
                .iter()
                .any(|s| s.party == "sdk:wechat" || s.party == "sdk:weibo"),
            "login brands in a run are means: {:#?}",
            d.share
        );
        // One entry for Alipay: the listed one, with its data.
        let alipay: Vec<_> = d.share.iter().filter(|s| s.party == "sdk:alipay").collect();
        assert_eq!(alipay.len(), 1, "{alipay:#?}");
        assert!(
            alipay[0].data.iter().any(|id| id == "network.type"),
            "{alipay:#?}"
        );
    }
}

mod nested_definitions {
    //! A Markdown definitions section whose terms are deeper headings (the iubenda
    //! layout: "## Definitions and legal references", then "### Usage Data"): the terms
    //! stay definitions until a heading of the same level. Invented wording.

    use crate::common::policy::*;

    #[test]
    fn deeper_headings_stay_in_the_definitions() {
        let md = "# Privacy Policy of Fernleaf\n\n## Types of Data collected\n\n\
We collect your email address.\n\n\
## Definitions and legal references\n\n\
### Usage Data\n\n\
Information collected automatically, which can include: the IP addresses of the computers used, the country of origin and the browser features.\n\n\
### Tracker\n\n\
Any technology, e.g. cookies and unique identifiers, that tracks users.\n\n\
## Contact\n\nWrite to us. We collect your phone number when you call.\n";
        let d = draft_of("policy.md", md);
        let collected = collected_ids(&d);
        assert!(collected.contains(&"contact.email"), "{collected:?}");
        for id in ["network.ip_address", "activity.cookie", "device.identifier"] {
            assert!(
                !collected.contains(&id),
                "{id} from a definition: {collected:?}"
            );
        }
        // The section of the same level after the definitions is read again.
        assert!(collected.contains(&"contact.phone_number"), "{collected:?}");
    }
}

mod english_wording {
    //! English wording the second-round shapes showed: a section titled by what the user
    //! hands over, "your device ID", and "we keep". Invented wording.

    use crate::common::policy::*;

    #[test]
    fn handed_over_kept_and_device_ids_are_collected() {
        let md = "# Privacy Notice\n\n## Information you give us\n\n\
- **Contact information:** your mobile phone number and email address.\n\n\
## Automatic information\n\n\
When you use the app we collect your device ID and device model.\n\n\
## Abuse prevention\n\n\
We keep your IP address for up to 24 hours to block spam.\n";
        let d = draft_of("policy.md", md);
        let collected = collected_ids(&d);
        for id in [
            "contact.phone_number",
            "contact.email",
            "device.identifier",
            "device.hardware.model",
            "network.ip_address",
        ] {
            assert!(collected.contains(&id), "{id}: {collected:?}");
        }
        assert!(
            !collected.contains(&"device"),
            "'your device ID' is an identifier, not the device: {collected:?}"
        );
    }

    #[test]
    fn a_table_of_what_is_kept_and_what_is_not_seen() {
        let md = "# Privacy\n\n## At a glance\n\n\
| We store | We cannot see |\n|---|---|\n\
| Your phone number | Your messages and voice notes |\n\
| A push token for your device | Your profile name and profile photo |\n";
        let d = draft_of("policy.md", md);
        let collected = collected_ids(&d);
        for id in ["contact.phone_number", "device.identifier.push_token"] {
            assert!(collected.contains(&id), "{id}: {collected:?}");
        }
        let denied: Vec<&str> = d
            .deny
            .iter()
            .flat_map(|x| x.data.iter().map(String::as_str))
            .collect();
        for id in [
            "comm.chat_messages",
            "media.audio",
            "identity.nickname",
            "identity.avatar",
        ] {
            assert!(!collected.contains(&id), "{id} is denied: {collected:?}");
            assert!(denied.contains(&id), "{id}: {denied:?}");
        }
    }

    #[test]
    fn a_list_after_contains_goes_where_the_sentence_before_sent_it() {
        let md = "# Privacy

## Crash reports

If you turn them on, a crash report is sent to Sentry when the app crashes. A report contains:

- the stack trace of the crash
- the device model and Android version
";
        let d = draft_of("policy.md", md);
        let sentry = d
            .share
            .iter()
            .find(|s| s.party == "sdk:sentry")
            .unwrap_or_else(|| panic!("no Sentry entry: {:#?}", d.share));
        for id in ["device.hardware.model", "device.software.os"] {
            assert!(sentry.data.iter().any(|d| d == id), "{id}: {sentry:#?}");
        }
    }
}

mod sdk_names {
    //! A brand that is one SDK's full name is that SDK, whatever its purpose says; a
    //! product word right after it still picks a sibling. Invented wording.

    use crate::common::policy::*;

    #[test]
    fn a_full_name_beats_a_purpose_word() {
        let text = "一、第三方SDK\n\
1. 我们接入了网易易盾SDK，用于注册登录时的风险识别，会收集您的设备型号。\n\
2. 我们接入了网易易盾一键登录SDK，用于本机号码登录，会收集您的手机号码。\n";
        let d = draft_of("p.txt", text);
        let parties: Vec<&str> = d.share.iter().map(|s| s.party.as_str()).collect();
        assert!(parties.contains(&"sdk:netease_yidun"), "{:#?}", d.share);
        assert!(
            parties.contains(&"sdk:netease_quicklogin"),
            "{:#?}",
            d.share
        );
    }
}

mod english_parties_third_round {
    //! Shapes the blind third round of English fixtures showed: a GDPR processor table
    //! with legal forms after commas, nested lists titled "Name (Company)", lower-case
    //! names before a dash, "It" standing for the name the sentence before opened with,
    //! names joined by "or", and not using a thing. Invented wording.

    use crate::common::policy::*;

    use privaudit::policy::model::{Declaration, Share};

    fn names(d: &Declaration) -> Vec<String> {
        d.share.iter().filter_map(|s| s.name.clone()).collect()
    }

    /// The entry named `name`, and whether it receives `id`.
    fn receives(d: &Declaration, name: &str, id: &str) -> bool {
        let entry: Option<&Share> = d.share.iter().find(|s| s.name.as_deref() == Some(name));
        entry
            .unwrap_or_else(|| panic!("no entry {name}: {:#?}", d.share))
            .data
            .iter()
            .any(|x| x == id)
    }

    #[test]
    fn processor_tables_and_nested_provider_lists_name_every_company() {
        let md = "# Privacy Policy\n\n## Processors\n\n\
| Processor | Purpose | Data categories |\n| --- | --- | --- |\n\
| Quarry Hosting, Inc. | Hosting | All data |\n\
| Lumen Labs, Inc. (Beacon) | Error monitoring | Crash reports, device model |\n\
| Fernmail R&D Unlimited Company | Support email | Name, email address |\n\n\
## Third-party SDKs\n\nThe app includes these SDKs:\n\n\
- Tallybird (Tallybird Labs GmbH)\n  - Purpose: counting\n  - Data: device model\n\
- Parcelwise (Parcelwise Delivery Unlimited Company)\n  - Purpose: support chat\n  - Data: name, email address\n";
        let d = draft_of("p.md", md);
        let got = names(&d);
        for want in [
            "Quarry Hosting, Inc",
            "Beacon",
            "Fernmail",
            "Tallybird",
            "Parcelwise",
        ] {
            assert!(got.iter().any(|n| n.contains(want)), "{want}: {got:?}");
        }
        assert!(
            !got.iter().any(|n| n == "Inc" || n.starts_with("Inc.")),
            "{got:?}"
        );
        assert!(
            receives(&d, "Parcelwise", "contact.email"),
            "{:#?}",
            d.share
        );
        assert!(
            !receives(&d, "Tallybird", "contact.email"),
            "{:#?}",
            d.share
        );
    }

    #[test]
    fn lower_case_dashed_items_pronouns_and_or_runs() {
        let md = "# privacy\n\n## the services we use\n\n\
- **levelcount** — tells us where players quit. it gets a random install id and your device model.\n\
- **saveshelf** (northwind) — keeps cloud saves: your player id and display name.\n\n\
## Ads\n\n\
**Wavecast** inserts audio ads into episodes. It receives your IP address and your device model.\n\n\
## Sharing\n\n\
We share your email address with a delivery partner, such as Parcelbay or Swift Lane, to ship orders.\n";
        let d = draft_of("p.md", md);
        let got = names(&d);
        for want in [
            "levelcount",
            "saveshelf",
            "Wavecast",
            "Parcelbay",
            "Swift Lane",
        ] {
            assert!(got.iter().any(|n| n == want), "{want}: {got:?}");
        }
        assert!(
            receives(&d, "Wavecast", "network.ip_address"),
            "{:#?}",
            d.share
        );
    }

    #[test]
    fn a_tool_that_does_not_use_identifiers_denies_only_those() {
        let md = "# Privacy\n\n## What we collect\n\n\
We count usage events with Tallybird, a counting tool that does not use device identifiers.\n";
        let d = draft_of("p.md", md);
        let denied: Vec<&str> = d
            .deny
            .iter()
            .flat_map(|x| x.data.iter().map(String::as_str))
            .collect();
        assert!(
            denied.iter().any(|id| id.starts_with("device.identifier")),
            "{d:#?}"
        );
        assert!(!denied.iter().any(|id| id.starts_with("app")), "{denied:?}");
    }

    #[test]
    fn hard_wrapped_lettered_items_and_providers() {
        // Plain text wrapped at 72 columns: lettered items whose lines go on, indented,
        // in lower case; a section of what is not collected; a processor list of
        // "(a) Company -- what it does" items.
        let text = r"ACME NOTES PRIVACY POLICY

1. INFORMATION WE COLLECT

When you create an account we collect:

  (a) your email address, which is your login name and the address we
      use for security alerts; and

  (b) the operating system of each device you link, and the app
      version.

2. WHAT WE DO NOT COLLECT

We have chosen not to collect the following:

  (a) your contacts or address book;

  (b) advertising identifiers such as the IDFA or the Google
      Advertising ID, because we show no ads.

3. SERVICE PROVIDERS

We use the following processors:

  (a) Quarry Hosting SARL -- hosting in the eu-north-1
      (Stockholm) region; stores account data.

  (b) Fernmail PBC -- support mailbox; receives your email address and
      the content of your messages.
";
        let d = draft_of("policy.txt", text);
        let ids = collected_ids(&d);
        assert!(ids.contains(&"contact.email"), "{d:#?}");
        assert!(ids.contains(&"device.software.os"), "{d:#?}");
        let denied: Vec<&str> = d
            .deny
            .iter()
            .flat_map(|x| x.data.iter().map(String::as_str))
            .collect();
        assert!(denied.contains(&"comm.contacts"), "{denied:?}");
        assert!(denied.contains(&"device.identifier.idfa"), "{denied:?}");
        assert!(!names(&d).iter().any(|n| n == "Google"), "{:?}", names(&d));
        assert!(receives(&d, "Fernmail PBC", "contact.email"), "{d:#?}");
        let quarry = d
            .share
            .iter()
            .find(|s| s.name.as_deref() == Some("Quarry Hosting SARL"))
            .unwrap_or_else(|| panic!("{:?}", names(&d)));
        assert_eq!(quarry.entity.as_deref(), Some("Quarry Hosting SARL"));
    }

    #[test]
    fn a_header_row_names_columns_and_declares_nothing() {
        // The "Location" column says where each processor is, not that location is
        // collected; the policy has just said it is not.
        let md = "# Privacy\n\n## What we collect\n\n\
We collect your email address. We do not collect your location.\n\n\
## Processors\n\n\
| Processor | Data categories | Location | Transfer safeguard |\n| --- | --- | --- | --- |\n\
| Quarry Hosting, Inc. | Email address | Frankfurt | none |\n";
        let html = "<html><body><h2>What we collect</h2>\
<p>We collect your email address. We do not collect your location.</p>\
<h2>Processors</h2><table><tr><th>Processor</th><th>Data categories</th>\
<th>Location</th><th>Transfer safeguard</th></tr>\
<tr><td>Quarry Hosting, Inc.</td><td>Email address</td><td>Frankfurt</td><td>none</td></tr>\
</table></body></html>";
        for (file, text) in [("p.md", md), ("p.html", html)] {
            let d = draft_of(file, text);
            let ids = collected_ids(&d);
            assert!(ids.contains(&"contact.email"), "{file}: {d:#?}");
            assert!(
                !ids.iter().any(|id| id.starts_with("location")),
                "{file}: {d:#?}"
            );
            assert!(
                receives(&d, "Quarry Hosting, Inc", "contact.email"),
                "{file}"
            );
        }
    }
}
