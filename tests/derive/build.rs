//! The annotated form (`crdgen generate --annotated`) of every golden fixture under
//! `../fixtures/crds`, compiled by this crate with `#[derive(CrdSchema)]`; plus, per
//! fixture, `derived_crds()` listing the `crd()` of each of its kinds.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn kinds(items: &[syn::Item], module: &mut Vec<String>, out: &mut Vec<String>) {
    for item in items {
        match item {
            syn::Item::Struct(s) => {
                if let Ok(Some(_)) = crdgen::rust_input::attrs::kind_attrs(&s.attrs) {
                    let mut path = module.clone();
                    path.push(s.ident.to_string());
                    out.push(path.join("::"));
                }
            }
            syn::Item::Mod(m) => {
                if let Some((_, inner)) = &m.content {
                    module.push(m.ident.to_string());
                    kinds(inner, module, out);
                    module.pop();
                }
            }
            _ => {}
        }
    }
}

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").expect("set by cargo"));
    let dir = manifest.join("../fixtures/crds");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut fixtures: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/fixtures/crds exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    fixtures.sort();
    let settings = crdgen::Settings {
        annotated: true,
        clients: false,
        ..Default::default()
    };
    let mut index = String::new();
    for path in &fixtures {
        println!("cargo:rerun-if-changed={}", path.display());
        let case = path
            .file_stem()
            .expect("a file name")
            .to_string_lossy()
            .replace('-', "_");
        let loaded = crdgen::input::load(&[crdgen::Source::Path(path.clone())])
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let text = crdgen::generate_model(&loaded.model, &settings, None)
            .and_then(|o| o.single_file())
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let file = out_dir.join(format!("annotated_{case}.rs"));
        std::fs::write(&file, &text).expect("OUT_DIR is writable");
        let parsed = syn::parse_file(&text).expect("crdgen writes valid Rust");
        let mut found = Vec::new();
        kinds(&parsed.items, &mut Vec::new(), &mut found);
        let calls: Vec<String> = found.iter().map(|k| format!("{k}::crd()")).collect();
        let rel = Path::new(path.file_name().expect("a file name"));
        writeln!(
            index,
            "/// `{}` in its annotated form.\npub mod {case} {{\n    include!(concat!(env!(\"OUT_DIR\"), \"/annotated_{case}.rs\"));\n\n    /// The fixture's file name.\n    pub const FIXTURE: &str = {:?};\n\n    /// The annotated source.\n    pub const SOURCE: &str = include_str!(concat!(env!(\"OUT_DIR\"), \"/annotated_{case}.rs\"));\n\n    /// The derive's CRD of every kind (one per version).\n    pub fn derived_crds() -> ::std::vec::Vec<::crdgen_runtime::k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition> {{\n        ::std::vec![{}]\n    }}\n}}\n",
            rel.display(),
            rel.display().to_string(),
            calls.join(", ")
        )
        .expect("writing to a String");
    }
    std::fs::write(out_dir.join("fixtures.rs"), index).expect("OUT_DIR is writable");
}
