//! Helpers shared by the integration tests (each test binary uses a subset).
#![allow(dead_code)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

// ---------------------------------------------------------------------------------------
// The corpus.

/// The corpus folder: `CRDGEN_CORPUS_DIR`, else `../shared/corpus` beside the
/// repository, else CI's subset vendored in `tests/corpus/data` (a fresh clone).
pub fn corpus_root() -> PathBuf {
    if let Some(dir) = std::env::var_os("CRDGEN_CORPUS_DIR") {
        return PathBuf::from(dir);
    }
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let shared = repo.join("../shared/corpus");
    if shared.join("crds").is_dir() {
        shared
    } else {
        repo.join("tests/corpus/data")
    }
}

/// The corpus CRDs (`<corpus_root>/crds`). `CRDGEN_CORPUS=all` needs the full corpus:
/// with only the vendored subset it panics rather than test less than asked.
pub fn corpus() -> Option<PathBuf> {
    let root = corpus_root();
    if std::env::var("CRDGEN_CORPUS").is_ok_and(|v| v == "all")
        && root.join("ci-subset.txt").is_file()
    {
        panic!(
            "CRDGEN_CORPUS=all needs the full corpus (../shared/corpus or CRDGEN_CORPUS_DIR); {} holds CI's subset only",
            root.display()
        );
    }
    let dir = root.join("crds");
    dir.is_dir().then_some(dir)
}

/// CI's subset of the corpus (paths relative to the corpus root): the corpus folder's own
/// `ci-subset.txt` (the vendored copy has one), else `tests/corpus/ci-subset.txt`.
pub fn ci_subset() -> String {
    let own = corpus_root().join("ci-subset.txt");
    let list = if own.is_file() {
        own
    } else {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/corpus/ci-subset.txt")
    };
    std::fs::read_to_string(&list).unwrap_or_else(|e| panic!("{}: {e}", list.display()))
}

pub fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("readable corpus") {
            let p = e.expect("entry").path();
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

// ---------------------------------------------------------------------------------------
// What rustc or serde would reject although syn parses it.

pub fn serde_rename(attrs: &[syn::Attribute]) -> Option<String> {
    let mut found = None;
    for a in attrs {
        if !a.path().is_ident("serde") {
            continue;
        }
        let _ = a.parse_nested_meta(|m| {
            if m.path.is_ident("rename") {
                let s: syn::LitStr = m.value()?.parse()?;
                found = Some(s.value());
            } else if m.input.peek(syn::Token![=]) {
                let _: syn::Expr = m.value()?.parse()?;
            } else if m.input.peek(syn::token::Paren) {
                let _content;
                syn::parenthesized!(_content in m.input);
                let _: proc_macro2::TokenStream = _content.parse()?;
            }
            Ok(())
        });
    }
    found
}

pub fn is_flatten_or_skip(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| {
        a.path().is_ident("serde") && {
            let t = quote::quote!(#a).to_string();
            t.contains("flatten") || t.contains("skip ") || t.contains("skip)")
        }
    })
}

/// Whether the container has `#[serde(rename_all = "camelCase")]`.
pub fn renames_all_to_camel_case(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| {
        a.path().is_ident("serde")
            && quote::quote!(#a)
                .to_string()
                .contains("rename_all = \"camelCase\"")
    })
}

/// A field name as serde's `rename_all = "camelCase"` writes it (serde_derive's
/// `RenameRule::CamelCase`: PascalCase, then the first character in lower case).
pub fn serde_camel_case(field: &str) -> String {
    let mut pascal = String::new();
    let mut capitalize = true;
    for c in field.chars() {
        if c == '_' {
            capitalize = true;
        } else if capitalize {
            pascal.push(c.to_ascii_uppercase());
            capitalize = false;
        } else {
            pascal.push(c);
        }
    }
    match pascal.chars().next() {
        Some(first) => first.to_ascii_lowercase().to_string() + &pascal[first.len_utf8()..],
        None => pascal,
    }
}

/// Problems rustc or serde would reject in `items` (recursively per module).
pub fn semantic_problems(items: &[syn::Item], module: &str, out: &mut Vec<String>) {
    let mut types = BTreeSet::new();
    for item in items {
        let name = match item {
            syn::Item::Struct(s) => Some(s.ident.to_string()),
            syn::Item::Enum(e) => Some(e.ident.to_string()),
            syn::Item::Type(t) => Some(t.ident.to_string()),
            syn::Item::Trait(t) => Some(t.ident.to_string()),
            syn::Item::Mod(m) => Some(m.ident.to_string()),
            _ => None,
        };
        if let Some(n) = name
            && !types.insert(n.clone())
        {
            out.push(format!("{module}: `{n}` is defined twice"));
        }
        match item {
            syn::Item::Struct(s) => {
                let camel = renames_all_to_camel_case(&s.attrs);
                let mut idents = BTreeSet::new();
                let mut wires = BTreeSet::new();
                for f in &s.fields {
                    let Some(id) = &f.ident else { continue };
                    let id_s = id.to_string();
                    if !idents.insert(id_s.clone()) {
                        out.push(format!("{module}::{}: field `{id_s}` twice", s.ident));
                    }
                    if is_flatten_or_skip(&f.attrs) {
                        continue;
                    }
                    let name = id_s.trim_start_matches("r#");
                    let wire = serde_rename(&f.attrs).unwrap_or_else(|| {
                        if camel {
                            serde_camel_case(name)
                        } else {
                            name.to_owned()
                        }
                    });
                    if !wires.insert(wire.clone()) {
                        out.push(format!("{module}::{}: wire name `{wire}` twice", s.ident));
                    }
                }
            }
            syn::Item::Enum(e) => {
                let mut idents = BTreeSet::new();
                let mut wires = BTreeSet::new();
                for v in &e.variants {
                    let id_s = v.ident.to_string();
                    if !idents.insert(id_s.clone()) {
                        out.push(format!("{module}::{}: variant `{id_s}` twice", e.ident));
                    }
                    if matches!(v.fields, syn::Fields::Unit) {
                        let wire = serde_rename(&v.attrs).unwrap_or(id_s);
                        if !wires.insert(wire.clone()) {
                            out.push(format!("{module}::{}: wire value `{wire}` twice", e.ident));
                        }
                    }
                }
            }
            syn::Item::Mod(m) => {
                if let Some((_, inner)) = &m.content {
                    semantic_problems(inner, &format!("{module}::{}", m.ident), out);
                }
            }
            _ => {}
        }
    }
}

// ---------------------------------------------------------------------------------------
// A tiny deterministic RNG (SplitMix64): no dependency, same sequence everywhere.

pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }
}
