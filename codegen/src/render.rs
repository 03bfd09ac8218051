//! Token streams into formatted, deterministic Rust files.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use proc_macro2::TokenStream;
use quote::quote;

use crate::error::{Diagnostic, Error, Result, SourceRef};
use crate::ir::RustIdent;

/// One group/version module's items, ready to place.
#[derive(Debug, Clone)]
pub struct ModuleTokens {
    /// Group module name, e.g. `example_com`.
    pub group: RustIdent,
    /// API group, e.g. `example.com`.
    pub group_name: String,
    /// Version module name, e.g. `v1`.
    pub version: RustIdent,
    /// Documentation of the version module.
    pub doc: String,
    /// Items.
    pub items: TokenStream,
    /// Input files that contributed, for the header.
    pub sources: Vec<String>,
}

/// Generated Rust, as files relative to an output location.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Generated {
    /// Relative path → file content.
    pub files: BTreeMap<PathBuf, String>,
}

fn header(sources: &[String]) -> String {
    let version = env!("CARGO_PKG_VERSION");
    let mut unique: Vec<&str> = sources.iter().map(String::as_str).collect();
    unique.sort_unstable();
    unique.dedup();
    let summary = if unique.len() <= 3 {
        unique.join(", ")
    } else {
        format!("{} files (below)", unique.len())
    };
    let mut out = crdgen_templates::render(
        crdgen_templates::RUST_HEADER,
        &[("version", version), ("sources", &summary)],
    );
    if unique.len() > 3 {
        for s in &unique {
            out.push_str("//   ");
            out.push_str(s);
            out.push('\n');
        }
    }
    out
}

fn format(tokens: TokenStream, what: &str) -> Result<String> {
    let file: syn::File = syn::parse2(tokens).map_err(|e| {
        Error::input(Diagnostic::new(
            SourceRef { file: PathBuf::from(what), ..Default::default() },
            format!("internal error: generated code does not parse ({e}); please report this with the input CRD"),
        ))
    })?;
    Ok(prettyplease::unparse(&file))
}

fn version_module(m: &ModuleTokens) -> TokenStream {
    let doc = &m.doc;
    let items = &m.items;
    quote! {
        #![doc = #doc]
        #items
    }
}

fn group_doc(group: &str) -> String {
    format!(" API group `{group}`.")
}

/// Everything in one file, as nested inline modules (for `include!` from OUT_DIR).
/// `root_items` go at the top (e.g. the clientset spanning every group/version).
pub fn single_file(modules: &[ModuleTokens], root_items: TokenStream) -> Result<String> {
    let mut by_group: BTreeMap<&str, Vec<&ModuleTokens>> = BTreeMap::new();
    for m in modules {
        by_group.entry(m.group.0.as_str()).or_default().push(m);
    }
    let groups = by_group.values().map(|ms| {
        let g = crate::emit::ident(&ms[0].group.0);
        let gdoc = group_doc(&ms[0].group_name);
        let versions = ms.iter().map(|m| {
            let v = crate::emit::ident(&m.version.0);
            let body = version_module(m);
            quote!(pub mod #v { #body })
        });
        quote! {
            #[doc = #gdoc]
            // A binary that includes the generated code typically uses only part of it.
            #[allow(dead_code)]
            pub mod #g {
                #(#versions)*
            }
        }
    });
    let tokens = quote! {
        #root_items
        #(#groups)*
    };
    let sources: Vec<String> = modules
        .iter()
        .flat_map(|m| m.sources.iter().cloned())
        .collect();
    Ok(format!(
        "{}{}",
        header(&sources),
        format(tokens, "<generated>")?
    ))
}

/// A module tree: `mod.rs`, `<group>/mod.rs`, `<group>/<version>.rs`.
pub fn module_tree(modules: &[ModuleTokens], root_items: TokenStream) -> Result<Generated> {
    let mut out = Generated::default();
    let mut by_group: BTreeMap<&str, Vec<&ModuleTokens>> = BTreeMap::new();
    for m in modules {
        by_group.entry(m.group.0.as_str()).or_default().push(m);
    }
    let all_sources: Vec<String> = modules
        .iter()
        .flat_map(|m| m.sources.iter().cloned())
        .collect();
    let group_decls = by_group.values().map(|ms| {
        let g = crate::emit::ident(&ms[0].group.0);
        let gdoc = group_doc(&ms[0].group_name);
        quote!(#[doc = #gdoc] #[allow(dead_code)] pub mod #g;)
    });
    let root = format(quote!(#root_items #(#group_decls)*), "mod.rs")?;
    out.files.insert(
        PathBuf::from("mod.rs"),
        format!("{}{}", header(&all_sources), root),
    );
    for ms in by_group.values() {
        let g = ms[0].group.unraw().to_owned();
        let decls = ms.iter().map(|m| {
            let v = crate::emit::ident(&m.version.0);
            quote!(pub mod #v;)
        });
        let sources: Vec<String> = ms.iter().flat_map(|m| m.sources.iter().cloned()).collect();
        let text = format(quote!(#(#decls)*), "mod.rs")?;
        out.files.insert(
            Path::new(&g).join("mod.rs"),
            format!("{}{}", header(&sources), text),
        );
        for m in ms {
            let text = format(version_module(m), &format!("{g}/{}.rs", m.version.unraw()))?;
            out.files.insert(
                Path::new(&g).join(format!("{}.rs", m.version.unraw())),
                format!("{}{}", header(&m.sources), text),
            );
        }
    }
    Ok(out)
}

/// Run `rustfmt` (edition 2024, default configuration) over generated text, so the
/// output is rustfmt-clean and reads like hand-formatted code. `None` when rustfmt is
/// not installed or fails; callers then keep prettyplease's output. `RUSTFMT` names the
/// binary, as with cargo. It runs from a neutral folder, so a `rustfmt.toml` in the
/// caller's project does not change generated bytes.
pub fn rustfmt(text: &str) -> Option<String> {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let bin = std::env::var_os("RUSTFMT").unwrap_or_else(|| "rustfmt".into());
    let mut child = Command::new(bin)
        .args(["--edition", "2024", "--emit", "stdout", "--quiet"])
        .current_dir(std::env::temp_dir())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let mut stdin = child.stdin.take()?;
    let input = text.to_owned();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let output = child.wait_with_output().ok()?;
    let written = writer.join().ok()?.is_ok();
    (written && output.status.success())
        .then(|| String::from_utf8(output.stdout).ok())
        .flatten()
}

/// Write a file only when its content changed (keeps cargo and editors from
/// rebuilding or reloading needlessly).
pub fn write_if_changed(path: &Path, content: &str) -> Result<bool> {
    if std::fs::read(path).is_ok_and(|old| old == content.as_bytes()) {
        return Ok(false);
    }
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
    }
    std::fs::write(path, content).map_err(|e| Error::io(path, e))?;
    Ok(true)
}
