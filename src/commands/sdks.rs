//! `privaudit sdks APP [--capture …]`: what the package bundles and, with captures,
//! which of those SDKs talk to their servers.

use std::collections::BTreeMap;
use std::process::ExitCode;

use anyhow::{Context, Result};
use comfy_table::{Cell, ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};
use privaudit::audit::Collector;
use privaudit::cli::{Cli, SdksArgs, SdksFormat};
use privaudit::detect::Detector;
use privaudit::package::inventory::{Inventory, PermissionMap, Signatures, inventory};
use privaudit::package::zipread::ZipLimits;
use privaudit::report::output::Output;
use privaudit::sdk::packers::PackerDb;
use privaudit::sdk::signatures::SdkDb;
use privaudit::signatures::Ontology;
use serde::Serialize;

/// An SDK seen in the package, in the traffic, or both.
#[derive(Debug, Serialize)]
struct TrafficStatus {
    id: String,
    name: String,
    /// `present-and-transmitting`, `present-silent`, `transmitting-not-bundled`.
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    first_contact: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    host: Option<String>,
    requests: u64,
    /// Personal data found in what it received.
    data_types: Vec<String>,
}

#[derive(Debug, Serialize)]
struct SdksReport<'a> {
    #[serde(flatten)]
    package: &'a Inventory,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    traffic: Vec<TrafficStatus>,
}

/// Loads the package facts for `sdks` and `audit --app`.
pub fn load_inventory(
    path: &std::path::Path,
    signatures: Option<&std::path::Path>,
    ontology: &Ontology,
) -> Result<Inventory> {
    let sdks = SdkDb::load(signatures)?;
    let permissions = PermissionMap::load(signatures)?;
    let packers = PackerDb::load(signatures)?;
    let sig = Signatures {
        sdks: &sdks,
        packers: &packers,
        ontology,
        permissions: &permissions,
    };
    let mut inv = inventory(path, &ZipLimits::default(), &sig)?;
    inv.sha256 = super::common::sha256_file(path);
    for w in &inv.warnings {
        eprintln!("warning: {}: {w}", path.display());
    }
    Ok(inv)
}

pub fn run(cli: &Cli, args: &SdksArgs) -> Result<ExitCode> {
    // Fail before any input is read rather than after the work is done.
    if let Some(path) = &args.output {
        privaudit::report::output::check_writable(path)?;
    }
    let ontology = Ontology::load(args.parties.signatures.as_deref())?;
    let inv = load_inventory(&args.app, args.parties.signatures.as_deref(), &ontology)?;

    let mut traffic = Vec::new();
    if !args.captures.is_empty() {
        let limits = args.limits.to_limits();
        let keys = super::common::keys(&args.keylog)?;
        let mut parties = args.parties.clone();
        if parties.package.is_none() && inv.platform == "android" {
            // PCAPdroid captures name the sending app; keep only this one.
            parties.package = inv.id.clone();
        }
        let mut annotator = super::common::annotator(&parties, &[])?;
        let detector = Detector::new(&ontology, None, &limits);
        let mut collector = Collector::new(None);
        super::common::collect_traffic(
            cli,
            &args.captures,
            &super::common::Reading {
                limits: &limits,
                keys: &keys,
                threads: privaudit::cli::EngineArgs::default().threads(),
            },
            &mut annotator,
            &detector,
            &mut collector,
        )?;
        let db = annotator.attributor().sdks();
        let mut seen: BTreeMap<String, TrafficStatus> = BTreeMap::new();
        for s in &inv.sdks {
            seen.insert(
                s.id.clone(),
                TrafficStatus {
                    id: s.id.clone(),
                    name: s.name.clone(),
                    status: "present-silent",
                    first_contact: None,
                    host: None,
                    requests: 0,
                    data_types: Vec::new(),
                },
            );
        }
        for (party, contact) in &collector.contacts {
            let Some(id) = party.strip_prefix("sdk:") else {
                continue;
            };
            let entry = seen.entry(id.to_string()).or_insert_with(|| TrafficStatus {
                id: id.to_string(),
                name: db.get(id).map(|s| s.name.clone()).unwrap_or_default(),
                status: "transmitting-not-bundled",
                first_contact: None,
                host: None,
                requests: 0,
                data_types: Vec::new(),
            });
            if entry.status == "present-silent" {
                entry.status = "present-and-transmitting";
            }
            entry.first_contact = Some(contact.first_ts.rfc3339());
            entry.host = Some(contact.host.clone());
            entry.requests = contact.requests;
        }
        for (data_type, party) in collector.groups.keys() {
            if let Some(id) = party.strip_prefix("sdk:")
                && let Some(entry) = seen.get_mut(id)
                && !entry.data_types.contains(data_type)
            {
                entry.data_types.push(data_type.clone());
            }
        }
        traffic = seen.into_values().collect();
        // A package that bundles nothing the signatures know is not "silent"; only
        // bundled SDKs can be.
    }

    let mut out = Output::open(args.output.as_deref()).context("cannot open the output file")?;
    match args.format {
        SdksFormat::Json => {
            serde_json::to_writer_pretty(
                &mut out,
                &SdksReport {
                    package: &inv,
                    traffic,
                },
            )?;
            std::io::Write::write_all(&mut out, b"\n")?;
        }
        SdksFormat::Table => {
            let text = tables(&inv, &traffic, &ontology, !args.captures.is_empty());
            std::io::Write::write_all(&mut out, text.as_bytes())?;
        }
    }
    out.finish().context("cannot write the output")?;
    Ok(ExitCode::SUCCESS)
}

fn table() -> Table {
    let mut t = Table::new();
    t.load_style(UTF8_FULL_CONDENSED);
    t.set_content_arrangement(ContentArrangement::Dynamic);
    t
}

fn tables(
    inv: &Inventory,
    traffic: &[TrafficStatus],
    ontology: &Ontology,
    with_traffic: bool,
) -> String {
    let mut s = String::new();
    let opt = |o: &Option<String>| o.clone().unwrap_or_else(|| "?".into());
    s.push_str(&format!(
        "{} ({} {}): {} {} version {}{}",
        inv.path,
        inv.platform,
        inv.format,
        opt(&inv.id),
        inv.name
            .as_ref()
            .map(|n| format!("\"{n}\""))
            .unwrap_or_default(),
        opt(&inv.version),
        match (&inv.version_code, &inv.version_name) {
            (Some(code), Some(_)) => format!(" (version code {code})"),
            _ => String::new(),
        }
    ));
    if inv.platform == "android" {
        s.push_str(&format!(
            "; min SDK {}, target SDK {}; {} DEX files, {} classes, {} native libraries\n",
            opt(&inv.min_os),
            opt(&inv.target_sdk),
            inv.dex_files,
            inv.classes,
            inv.native_libs.len()
        ));
    } else if inv.platform == "ios" {
        s.push_str(&format!(
            "; minimum iOS {}; {} frameworks\n",
            opt(&inv.min_os),
            inv.frameworks.len()
        ));
    } else {
        s.push('\n');
    }

    let status_of = |id: &str| {
        traffic
            .iter()
            .find(|t| t.id == id)
            .map(|t| t.status)
            .unwrap_or("")
    };
    if !inv.members.is_empty() {
        s.push_str(&format!("Read: {}\n", inv.members.join(", ")));
    }
    for p in &inv.packers {
        s.push_str(&format!(
            "\nPacker: {}{} ({}): {}\n",
            p.name,
            p.name_zh
                .as_ref()
                .map(|z| format!(" / {z}"))
                .unwrap_or_default(),
            p.vendor,
            p.evidence.join(", ")
        ));
    }
    if let Some(reason) = &inv.code_hidden_reason {
        s.push_str(&format!("\nThe app's code is hidden: {reason}.\n"));
    }
    s.push_str(&format!(
        "\nSDKs bundled: {}{}\n",
        inv.sdks.len(),
        if inv.code_hidden {
            " found in what is readable (code is hidden, so this list is not complete)"
        } else {
            ""
        }
    ));
    if !inv.sdks.is_empty() {
        let mut t = table();
        let mut header = vec!["SDK", "vendor", "category", "evidence"];
        if with_traffic {
            header.push("traffic");
        }
        t.set_header(header);
        for sdk in &inv.sdks {
            let mut row = vec![
                Cell::new(format!("{} (sdk:{})", sdk.name, sdk.id)),
                Cell::new(&sdk.vendor),
                Cell::new(&sdk.category),
                Cell::new(sdk.evidence.summary()),
            ];
            if with_traffic {
                row.push(Cell::new(status_of(&sdk.id)));
            }
            t.add_row(row);
        }
        s.push_str(&format!("{t}\n"));
    }
    let not_bundled: Vec<&TrafficStatus> = traffic
        .iter()
        .filter(|t| t.status == "transmitting-not-bundled")
        .collect();
    if !not_bundled.is_empty() {
        s.push_str("\nSDKs in the traffic but not found in the package (obfuscated, loaded at run time, or a web view):\n");
        let mut t = table();
        t.set_header(vec![
            "SDK",
            "host",
            "first contact",
            "requests",
            "personal data",
        ]);
        for x in not_bundled {
            t.add_row(vec![
                format!("{} (sdk:{})", x.name, x.id),
                x.host.clone().unwrap_or_default(),
                x.first_contact.clone().unwrap_or_default(),
                x.requests.to_string(),
                x.data_types
                    .iter()
                    .map(|d| ontology.name_en(d))
                    .collect::<Vec<_>>()
                    .join(", "),
            ]);
        }
        s.push_str(&format!("{t}\n"));
    }

    if !inv.permissions.is_empty() {
        s.push_str(&format!(
            "\n{}: {}\n",
            if inv.platform == "ios" {
                "Usage descriptions (permissions)"
            } else {
                "Permissions"
            },
            inv.permissions.len()
        ));
        let mut t = table();
        t.set_header(vec!["permission", "personal data it unlocks"]);
        for p in &inv.permissions {
            let unlocked = if p.data_types.is_empty() {
                "—".to_string()
            } else {
                p.data_types
                    .iter()
                    .map(|d| format!("{} ({d})", ontology.name_en(d)))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            t.add_row(vec![p.name.clone(), unlocked]);
        }
        s.push_str(&format!("{t}\n"));
    }

    let kinds = [
        ("Activities", &inv.activities),
        ("Activity aliases", &inv.activity_aliases),
        ("Services", &inv.services),
        ("Receivers", &inv.receivers),
        ("Providers", &inv.providers),
    ];
    let components: usize = kinds.iter().map(|(_, c)| c.len()).sum();
    if components > 0 {
        s.push_str(&format!("\nManifest components: {components}\n"));
        let mut t = table();
        t.set_header(vec![
            "kind",
            "name",
            "exported",
            "intent actions / authorities",
        ]);
        for (kind, list) in kinds {
            for c in list.iter() {
                let exported = match (c.exported, c.actions.is_empty()) {
                    (Some(true), _) => "yes",
                    (Some(false), _) => "no",
                    (None, false) => "implicit (intent filter)",
                    (None, true) => "not set",
                };
                let detail = match &c.authorities {
                    Some(a) => a.clone(),
                    None => c.actions.join(", "),
                };
                t.add_row(vec![
                    kind.trim_end_matches('s').to_lowercase(),
                    c.name.clone(),
                    exported.to_string(),
                    detail,
                ]);
            }
        }
        s.push_str(&format!("{t}\n"));
    }
    if !inv.meta_data.is_empty() {
        s.push_str(&format!("\nManifest meta-data: {}\n", inv.meta_data.len()));
        let mut t = table();
        t.set_header(vec!["name", "value (app keys only, masked)", "read by"]);
        for m in &inv.meta_data {
            t.add_row(vec![
                m.name.clone(),
                m.value.clone().unwrap_or_default(),
                m.sdk
                    .as_ref()
                    .map(|x| format!("sdk:{x}"))
                    .unwrap_or_default(),
            ]);
        }
        s.push_str(&format!("{t}\n"));
    }
    let q = &inv.queries;
    if !q.is_empty() {
        s.push_str("\nOther apps it looks for (<queries>):\n");
        for (what, list) in [
            ("packages", &q.packages),
            ("intent actions", &q.intents),
            ("provider authorities", &q.providers),
        ] {
            if !list.is_empty() {
                s.push_str(&format!("  {what}: {}\n", list.join(", ")));
            }
        }
    }

    for m in &inv.privacy_manifests {
        s.push_str(&format!(
            "\nPrivacy manifest {} ({}{}): tracking {}{}\n",
            m.path,
            m.scope,
            m.sdk
                .as_ref()
                .map(|x| format!(", sdk:{x}"))
                .unwrap_or_default(),
            match m.tracking {
                Some(true) => "yes",
                Some(false) => "no",
                None => "not stated",
            },
            if m.tracking_domains.is_empty() {
                String::new()
            } else {
                format!(" (domains: {})", m.tracking_domains.join(", "))
            }
        ));
        if !m.collected.is_empty() {
            let mut t = table();
            t.set_header(vec![
                "collected data type",
                "privaudit type",
                "linked",
                "tracking",
                "purposes",
            ]);
            let yn = |b: Option<bool>| match b {
                Some(true) => "yes",
                Some(false) => "no",
                None => "?",
            };
            for c in &m.collected {
                t.add_row(vec![
                    c.apple_type
                        .trim_start_matches("NSPrivacyCollectedDataType")
                        .to_string(),
                    c.data_type.clone().unwrap_or_else(|| "—".into()),
                    yn(c.linked).into(),
                    yn(c.tracking).into(),
                    c.purposes
                        .iter()
                        .map(|p| p.trim_start_matches("NSPrivacyCollectedDataTypePurpose"))
                        .collect::<Vec<_>>()
                        .join(", "),
                ]);
            }
            s.push_str(&format!("{t}\n"));
        }
        for (api, reasons) in &m.accessed_apis {
            s.push_str(&format!(
                "  required-reason API {}: {}\n",
                api.trim_start_matches("NSPrivacyAccessedAPICategory"),
                reasons.join(", ")
            ));
        }
    }
    s
}
