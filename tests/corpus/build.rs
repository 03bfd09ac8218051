//! Generates Rust for a selection of the corpus CRDs (env `CRDGEN_CORPUS`):
//! - `ci` (default): the CRDs listed in `ci-subset.txt`;
//! - `objects`: every CRD an example object uses;
//! - `all`: all 492 CRDs;
//! - `objects:<project>[,<project>…]`: the CRDs the example objects of these projects use;
//! - `list:<file>`: the CRDs listed in `<file>` (one path relative to the corpus per
//!   line, `#` comments; the format of `ci-subset.txt`);
//! - `none`: nothing (the tests then skip).
//!
//! `CRDGEN_CORPUS_CLIENTS=0` generates types and `Resource` impls only (no clients):
//! enough for the round trip, and faster to compile (`roundtrip-all.sh` uses it).
//!
//! Also writes a dispatch table from (apiVersion, kind) to a typed round trip.

use std::path::{Path, PathBuf};

use quote::quote;

fn main() {
    println!("cargo:rerun-if-env-changed=CRDGEN_CORPUS");
    println!("cargo:rerun-if-env-changed=CRDGEN_CORPUS_DIR");
    println!("cargo:rerun-if-env-changed=CRDGEN_CORPUS_CLIENTS");
    println!("cargo:rerun-if-changed=ci-subset.txt");
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let corpus = std::env::var_os("CRDGEN_CORPUS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest.join("../../../shared/corpus"));
    let selection = std::env::var("CRDGEN_CORPUS").unwrap_or_else(|_| "ci".into());
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").unwrap());

    let files: Vec<PathBuf> = if !corpus.join("crds").is_dir() || selection == "none" {
        println!(
            "cargo:warning=corpus not found at {} or CRDGEN_CORPUS=none: generating nothing",
            corpus.display()
        );
        Vec::new()
    } else {
        let list = |text: &str| -> Vec<PathBuf> {
            text.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
                .map(|l| corpus.join(l))
                .collect()
        };
        // CRD files of the example objects of `projects` (every project when `None`).
        let of_objects = |projects: Option<Vec<&str>>| -> Vec<PathBuf> {
            let tsv = std::fs::read_to_string(corpus.join("OBJECTS.tsv")).unwrap();
            let mut v: Vec<PathBuf> = tsv
                .lines()
                .skip(1)
                .map(|l| l.split('\t').collect::<Vec<_>>())
                .filter(|c| c.len() > 5)
                .filter(|c| projects.as_ref().is_none_or(|p| p.contains(&c[1])))
                .map(|c| corpus.join(c[5]))
                .collect();
            v.sort();
            v.dedup();
            v
        };
        match selection.as_str() {
            "all" => vec![corpus.join("crds")],
            "objects" => of_objects(None),
            s if s.starts_with("objects:") => of_objects(Some(
                s["objects:".len()..].split(',').map(str::trim).collect(),
            )),
            s if s.starts_with("list:") => {
                let file = PathBuf::from(&s["list:".len()..]);
                println!("cargo:rerun-if-changed={}", file.display());
                list(
                    &std::fs::read_to_string(&file)
                        .unwrap_or_else(|e| panic!("CRDGEN_CORPUS={s}: {e}")),
                )
            }
            _ => list(&std::fs::read_to_string(manifest.join("ci-subset.txt")).unwrap()),
        }
    };
    println!("cargo:rerun-if-changed={}", corpus.display());

    let (code, kinds) = if files.is_empty() {
        (String::new(), Vec::new())
    } else {
        let sources: Vec<crdgen::Source> = files.into_iter().map(crdgen::Source::Path).collect();
        let settings = crdgen::Settings {
            clients: std::env::var("CRDGEN_CORPUS_CLIENTS").map_or(true, |v| v != "0"),
            ..Default::default()
        };
        let out = match crdgen::generate(&sources, &settings) {
            Ok(o) => o,
            Err(e) => panic!("crdgen failed on the corpus:\n{e}"),
        };
        (out.single_file().unwrap(), out.kinds)
    };
    std::fs::write(out_dir.join("corpus.rs"), code).unwrap();

    let arms = kinds.iter().map(|k| {
        let api_version = if k.group.is_empty() { k.version.clone() } else { format!("{}/{}", k.group, k.version) };
        let kind = &k.kind;
        let path: syn_path::Path = k.rust_path.parse().unwrap();
        let ty = path.0;
        quote! { (#api_version, #kind) => ::std::option::Option::Some(roundtrip_as::<crate::generated::#ty>(value)), }
    });
    let list = kinds.iter().map(|k| {
        let (g, v, kind) = (&k.group, &k.version, &k.kind);
        quote! { (#g, #v, #kind) }
    });
    let dispatch = quote! {
        /// Decode `value` as the generated type for (apiVersion, kind) and encode it again.
        /// `None` when no generated type matches.
        pub fn roundtrip(api_version: &str, kind: &str, value: ::serde_json::Value) -> ::std::option::Option<::std::result::Result<::serde_json::Value, ::std::string::String>> {
            match (api_version, kind) {
                #(#arms)*
                _ => { let _ = value; ::std::option::Option::None }
            }
        }
        /// (group, version, kind) of every generated kind.
        pub const KINDS: &[(&str, &str, &str)] = &[#(#list),*];
    };
    std::fs::write(out_dir.join("dispatch.rs"), dispatch.to_string()).unwrap();
    let _ = Path::new("");
}

/// A tiny path parser so the build script needs no syn.
mod syn_path {
    pub struct Path(pub proc_macro2::TokenStream);
    impl std::str::FromStr for Path {
        type Err = ();
        fn from_str(s: &str) -> Result<Self, ()> {
            s.parse::<proc_macro2::TokenStream>()
                .map(Path)
                .map_err(|_| ())
        }
    }
}
