//! The Play Data safety export against the reviewed Mobile Office declaration and
//! against observed flows. Fixtures: tests/fixtures/datasafety (written by
//! make_fixtures.py from the documented CSV format).

use std::path::PathBuf;

use privaudit::policy::Declaration;
use privaudit::policy::datasafety::{
    self, ContradictionKind as K, Deletion, ObservedFlow, contradictions, observed_contradictions,
};
use privaudit::signatures::Ontology;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/datasafety")
        .join(name)
}

fn mobile_office() -> Declaration {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("policies/mobile-office.toml");
    Declaration::load(&path).expect("the reviewed declaration loads")
}

fn ids(list: &[datasafety::Entry]) -> Vec<&str> {
    list.iter().map(|e| e.play_id.as_str()).collect()
}

#[test]
fn full_export_is_read() {
    let ds = datasafety::load(&fixture("mobile-office-export.csv")).expect("parses");
    assert!(ds.warnings.is_empty(), "{:?}", ds.warnings);
    assert_eq!(ds.collects_any, Some(true));
    assert_eq!(ds.encrypted_in_transit, Some(false));
    assert_eq!(ds.deletion, Some(Deletion::Yes));
    assert_eq!(
        ds.deletion_url.as_deref(),
        Some("https://example.com/privacy/delete")
    );
    assert_eq!(
        ids(&ds.collected),
        vec![
            "PSL_NAME",
            "PSL_EMAIL",
            "PSL_USER_ACCOUNT",
            "PSL_PHONE",
            "PSL_APPROX_LOCATION",
            "PSL_OTHER_MESSAGES",
            "PSL_CRASH_LOGS",
            "PSL_FILES_AND_DOCS",
            "PSL_USER_INTERACTION",
            "PSL_IN_APP_SEARCH_HISTORY",
            "PSL_DEVICE_ID",
        ]
    );
    assert_eq!(ids(&ds.shared), vec!["PSL_DEVICE_ID"]);
    let approx = &ds.collected[4];
    assert_eq!(approx.optional, Some(true));
    assert_eq!(approx.ephemeral, Some(false));
    assert_eq!(approx.data_types, vec!["location.coarse"]);
    assert_eq!(ds.shared[0].purposes, vec!["PSL_ANALYTICS"]);
}

#[test]
fn mobile_office_form_against_its_policy() {
    let o = Ontology::builtin();
    let ds = datasafety::load(&fixture("mobile-office-export.csv")).expect("parses");
    let c = contradictions(&ds, &mobile_office(), &o);
    let got: Vec<(K, Vec<String>)> = c.iter().map(|c| (c.kind, c.play_ids.clone())).collect();
    let v = |s: &str| vec![s.to_string()];
    assert_eq!(
        got,
        vec![
            (
                K::EncryptionInTransit,
                v("PSL_DATA_COLLECTION_ENCRYPTED_IN_TRANSIT")
            ),
            (K::PolicyCollectsFormOmits, v("PSL_OTHER_PERSONAL")),
            (K::FormCollectsPolicyOmits, v("PSL_USER_ACCOUNT")),
            (K::FormCollectsPolicyOmits, v("PSL_APPROX_LOCATION")),
            (K::FormCollectsPolicyOmits, v("PSL_CRASH_LOGS")),
        ],
        "{c:#?}"
    );
    // The evidence a reviewer needs: the clause, and where in the CSV to look.
    assert_eq!(c[0].clause.as_deref(), Some("3.2"));
    assert_eq!(c[1].clause.as_deref(), Some("1.1"));
    for term in [
        "professional.organization",
        "professional.department",
        "professional.job_title",
    ] {
        assert!(c[1].message_en.contains(term), "{}", c[1].message_en);
    }
    assert!(
        c[1].message_zh.contains("个人信息 > 其他信息"),
        "{}",
        c[1].message_zh
    );
    assert_eq!(c[2].form_line, Some(18));
    assert!(c[2].message_en.contains("Personal info > User IDs"));
}

#[test]
fn collects_nothing_against_a_collecting_policy() {
    let o = Ontology::builtin();
    let ds = datasafety::load(&fixture("collects-nothing.csv")).expect("parses");
    assert_eq!(ds.collects_any, Some(false));
    let c = contradictions(&ds, &mobile_office(), &o);
    assert_eq!(c.len(), 1, "{c:#?}");
    assert_eq!(c[0].kind, K::FormCollectsNothing);
    assert!(
        c[0].message_en.contains("Phone number"),
        "{}",
        c[0].message_en
    );
}

#[test]
fn resaved_export_with_bom_crlf_and_reordered_columns() {
    let ds = datasafety::load(&fixture("resaved-bom-crlf.csv")).expect("parses");
    assert!(ds.warnings.is_empty(), "{:?}", ds.warnings);
    assert_eq!(ids(&ds.collected), vec!["PSL_PRECISE_LOCATION"]);
    assert_eq!(ids(&ds.shared), vec!["PSL_PRECISE_LOCATION"]);
    assert_eq!(ds.shared[0].purposes, vec!["PSL_ADVERTISING"]);
}

#[test]
fn observed_flows_against_the_form() {
    let o = Ontology::builtin();
    let ds = datasafety::load(&fixture("mobile-office-export.csv")).expect("parses");
    let flows = vec![
        ObservedFlow::new("contact.phone_number", "first-party"),
        ObservedFlow::new("device.identifier.oaid", "sdk:umeng"),
        ObservedFlow::new("location.precise", "sdk:amap"),
        ObservedFlow::new("app.installed_list", "sdk:umeng"),
        ObservedFlow::new("contact.email", "sdk:bugly"),
        ObservedFlow::new("device.software.os", "sdk:umeng").cleartext(true),
    ];
    let c = observed_contradictions(&ds, &o, flows);
    let got: Vec<(K, Option<&str>)> = c.iter().map(|c| (c.kind, c.data_type.as_deref())).collect();
    assert_eq!(
        got,
        vec![
            (K::ObservedNotCollected, Some("app.installed_list")),
            (K::ObservedNotShared, Some("contact.email")),
            (K::ObservedNotCollected, Some("location.precise")),
        ],
        "{c:#?}"
    );
    assert_eq!(c[1].parties, vec!["sdk:bugly"]);
}
