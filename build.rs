//! Embeds every `signatures/sdks/*.toml` file in the binary (the list changes as
//! reviewers add vendors, so it is generated rather than written by hand).

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    let dir = Path::new("signatures/sdks");
    println!("cargo:rerun-if-changed=signatures/sdks");
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".toml"))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    let manifest = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".into());
    let mut out = String::from(
        "/// Built-in SDK signature files: (file name, contents).\npub static SDK_FILES: &[(&str, &str)] = &[\n",
    );
    for name in &names {
        let path = Path::new(&manifest).join(dir).join(name);
        println!("cargo:rerun-if-changed={}", path.display());
        let _ = writeln!(
            out,
            "    ({name:?}, include_str!({:?})),",
            path.display().to_string()
        );
    }
    out.push_str("];\n");
    let out_dir = std::env::var("OUT_DIR").unwrap_or_else(|_| ".".into());
    if let Err(e) = std::fs::write(Path::new(&out_dir).join("sdk_files.rs"), out) {
        panic!("cannot write sdk_files.rs: {e}");
    }
}
