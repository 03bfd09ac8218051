//! Generates Rust for a selection of the corpus CRDs (env `CRDGEN_CORPUS`):
//! - `ci` (default): the CRDs listed in `ci-subset.txt` (or in the corpus folder's own
//!   `ci-subset.txt`, which the vendored copy has);
//! - `objects`: every CRD an example object uses;
//! - `all`: all 492 CRDs;
//! - `objects:<project>[,<project>…]`: the CRDs the example objects of these projects use;
//! - `list:<file>`: the CRDs listed in `<file>` (one path relative to the corpus per
//!   line, `#` comments; the format of `ci-subset.txt`);
//! - `none`: nothing (the tests are then ignored, with that reason).
//!
//! The corpus is `CRDGEN_CORPUS_DIR`, else `../shared/corpus` beside the repository,
//! else the CI subset vendored in `tests/corpus/data` (a fresh clone). Selections beyond
//! the CI subset need the full corpus: without it they fail the build, naming the
//! missing files.
//!
//! `CRDGEN_CORPUS_CLIENTS=0` generates types and `Resource` impls only (no clients):
//! enough for the round trip, and faster to compile (`roundtrip-all.sh` uses it).
//!
//! Also writes a dispatch table from (apiVersion, kind) to a typed round trip, the corpus
//! directory and the CRD files generated (for the tests), and sets `cfg(corpus_empty)`
//! when nothing was generated.

use std::path::{Path, PathBuf};

use quote::quote;

fn main() {
    println!("cargo:rerun-if-env-changed=CRDGEN_CORPUS");
    println!("cargo:rerun-if-env-changed=CRDGEN_CORPUS_DIR");
    println!("cargo:rerun-if-env-changed=CRDGEN_CORPUS_CLIENTS");
    println!("cargo:rerun-if-changed=ci-subset.txt");
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    println!("cargo::rustc-check-cfg=cfg(corpus_empty)");
    let corpus = match std::env::var_os("CRDGEN_CORPUS_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => {
            let shared = manifest.join("../../../shared/corpus");
            if shared.join("crds").is_dir() {
                shared
            } else {
                manifest.join("data")
            }
        }
    };
    let corpus = corpus.canonicalize().unwrap_or(corpus);
    let selection = std::env::var("CRDGEN_CORPUS").unwrap_or_else(|_| "ci".into());
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").unwrap());

    let files: Vec<PathBuf> = if selection == "none" {
        Vec::new()
    } else {
        if !corpus.join("crds").is_dir() {
            panic!("no corpus at {} (CRDGEN_CORPUS_DIR)", corpus.display());
        }
        let list = |text: &str| -> Vec<PathBuf> {
            text.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
                .map(|l| corpus.join(l))
                .collect()
        };
        // CRD files of the example objects of `projects` (every project when `None`).
        let of_objects = |projects: Option<Vec<&str>>| -> Vec<PathBuf> {
            let tsv = std::fs::read_to_string(corpus.join("OBJECTS.tsv"))
                .unwrap_or_else(|e| panic!("{}/OBJECTS.tsv: {e}", corpus.display()));
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
        let files = match selection.as_str() {
            "all" => yaml_files(&corpus.join("crds")),
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
            // CI's subset; a corpus folder may carry its own (the vendored copy's
            // leaves out the projects it could not vendor).
            _ => {
                let own = corpus.join("ci-subset.txt");
                let subset = if own.is_file() {
                    own
                } else {
                    manifest.join("ci-subset.txt")
                };
                list(
                    &std::fs::read_to_string(&subset)
                        .unwrap_or_else(|e| panic!("{}: {e}", subset.display())),
                )
            }
        };
        let missing: Vec<String> = files
            .iter()
            .filter(|f| !f.is_file())
            .map(|f| f.display().to_string())
            .collect();
        if !missing.is_empty() {
            panic!(
                "CRDGEN_CORPUS={selection}: {} CRD files missing from the corpus at {} \
                 (selections beyond the CI subset need the full corpus; set CRDGEN_CORPUS_DIR): {}",
                missing.len(),
                corpus.display(),
                missing.join(", ")
            );
        }
        files
    };
    println!("cargo:rerun-if-changed={}", corpus.display());

    if files.is_empty() {
        println!("cargo::rustc-cfg=corpus_empty");
    }
    let relative: Vec<String> = files
        .iter()
        .map(|f| {
            f.strip_prefix(&corpus)
                .unwrap_or(f)
                .to_string_lossy()
                .replace('\\', "/")
        })
        .collect();
    // CRD files crdgen refuses are left out and listed (the tests report them and the
    // objects that use them), so one bad file does not stop the others being tested.
    let mut refused: Vec<(String, String)> = Vec::new();
    let (code, kinds) = if files.is_empty() {
        (String::new(), Vec::new())
    } else {
        let settings = crdgen::Settings {
            clients: std::env::var("CRDGEN_CORPUS_CLIENTS").map_or(true, |v| v != "0"),
            ..Default::default()
        };
        let generate = |files: &[PathBuf]| {
            let sources: Vec<crdgen::Source> =
                files.iter().cloned().map(crdgen::Source::Path).collect();
            crdgen::generate(&sources, &settings).and_then(|o| Ok((o.single_file()?, o.kinds)))
        };
        match generate(&files) {
            Ok(out) => out,
            Err(_) => {
                let mut accepted = Vec::new();
                for (file, rel) in files.iter().zip(&relative) {
                    match generate(std::slice::from_ref(file)) {
                        Ok(_) => accepted.push(file.clone()),
                        Err(e) => {
                            println!("cargo:warning=crdgen refused {rel}: {e}");
                            refused.push((rel.clone(), e.to_string()));
                        }
                    }
                }
                generate(&accepted)
                    .unwrap_or_else(|e| panic!("crdgen failed on CRDs it accepts one by one:\n{e}"))
            }
        }
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
    let corpus_dir = corpus.to_string_lossy().into_owned();
    let refused_files = refused.iter().map(|r| &r.0);
    let refused_messages = refused.iter().map(|r| &r.1);
    let dispatch = quote! {
        /// The corpus the build script read (`CRDGEN_CORPUS_DIR`, `../shared/corpus` or
        /// the vendored CI subset).
        pub const CORPUS_DIR: &str = #corpus_dir;
        /// The CRD files generated, relative to [`CORPUS_DIR`] (`crds/<project>/<file>`).
        pub const CRD_FILES: &[&str] = &[#(#relative),*];
        /// Decode `value` as the generated type for (apiVersion, kind) and encode it again.
        /// `None` when no generated type matches.
        pub fn roundtrip(api_version: &str, kind: &str, value: ::serde_json::Value) -> ::std::option::Option<::std::result::Result<::serde_json::Value, ::std::string::String>> {
            match (api_version, kind) {
                #(#arms)*
                _ => { let _ = value; ::std::option::Option::None }
            }
        }
        /// The CRD files of [`CRD_FILES`] crdgen refused, with its message.
        pub const CRD_REFUSED: &[(&str, &str)] = &[#((#refused_files, #refused_messages)),*];
        /// (group, version, kind) of every generated kind.
        pub const KINDS: &[(&str, &str, &str)] = &[#(#list),*];
    };
    std::fs::write(out_dir.join("dispatch.rs"), dispatch.to_string()).unwrap();
}

/// Every `.yaml` file under `dir`, sorted.
fn yaml_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display())) {
            let p = entry.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "yaml" || x == "yml") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
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
