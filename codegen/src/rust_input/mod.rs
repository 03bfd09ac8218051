//! Front end for Rust source: annotated structs and enums (as `crdgen generate
//! --annotated` writes them, or written by hand) into the same [`crate::ir::Model`]
//! the CRD front end builds, so every emitter (the CRD manifest included) works from
//! Rust too.
//!
//! A root kind is a struct with `#[crdgen(group = "…", version = "…", kind = "…",
//! plural = "…", …)]` (see [`attrs`] for the grammar, shared with `#[derive(CrdSchema)]`
//! through the `crdgen-attrs` crate). Two forms:
//!
//! - the object form (what `crdgen generate --annotated` writes): the struct has a
//!   `metadata` field; its other fields become the root properties;
//! - the spec form (kube-derive's): the struct is the spec; the root gets `spec` (this
//!   struct, required) and, with `status = "StatusType"`, `status`.
//!
//! Field types are resolved by name within the parsed files (the same module first):
//! structs (named or newtype), enums (unit variants as string enums; variants with data
//! externally, internally or adjacently tagged or untagged, as structural schemas, see
//! [`enums`]), `Option`, `Vec`, `BTreeMap`/`HashMap` with `String` keys, `Box`, the
//! primitives, `String`, `serde_json::Value`, `IntOrString`, `Quantity`, `Time` and the
//! k8s-openapi types crdgen knows (`ObjectMeta`, `Condition`, `LabelSelector`, …).
//! serde's `rename`, `rename_all` (with serde's own case rules), `rename_all_fields`,
//! `flatten`, `skip`, `default`, `skip_serializing_if`, `tag`, `content` and `untagged`
//! are honoured; a field is required when it is neither an `Option` nor defaulted nor
//! skipped when serializing. Versions of one kind are merged into one CRD, which must
//! have exactly one storage version.

pub mod shape;

pub use crdgen_attrs::crd::{
    crd_document, is_spec_struct, root_parts, root_properties, version_entry,
};
pub use crdgen_attrs::{attrs, enums};

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};
use syn::spanned::Spanned;

use crate::error::{Diagnostic, Error, Result, SourceRef};
use crate::ir::{Model, WellKnown};
use attrs::{KindAttrs, SerdeAttrs};
use shape::{Overlay, Shape, base_schema, doc_to_description};

mod resolve;

use resolve::*;

/// A Rust source file to read.
#[derive(Debug, Clone)]
pub struct RustSource {
    /// Shown in diagnostics.
    pub path: PathBuf,
    /// The source text.
    pub text: String,
}

/// Read the `.rs` files under `paths` (files or folders, recursively), sorted.
pub fn read_paths(paths: &[PathBuf]) -> Result<Vec<RustSource>> {
    let mut files = Vec::new();
    for p in paths {
        let meta = std::fs::metadata(p).map_err(|e| Error::io(p, e))?;
        if !meta.is_dir() {
            files.push(p.clone());
            continue;
        }
        let mut stack = vec![p.clone()];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).map_err(|e| Error::io(&dir, e))? {
                let entry = entry.map_err(|e| Error::io(&dir, e))?;
                let path = entry.path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    files.push(path);
                }
            }
        }
    }
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
            Ok(RustSource { path, text })
        })
        .collect()
}

/// The CustomResourceDefinitions (as JSON documents, sorted by name) that the annotated
/// kinds in the sources declare. All problems are reported together.
pub fn crds_from_sources(sources: &[RustSource]) -> Result<Vec<Value>> {
    let mut files = Vec::new();
    let mut diags = Vec::new();
    for s in sources {
        match syn::parse_file(&s.text) {
            Ok(f) => files.push((s.path.clone(), f)),
            Err(e) => diags.push(diag(&s.path, e.span(), format!("cannot parse Rust: {e}"))),
        }
    }
    if !diags.is_empty() {
        return Err(Error::Input(diags));
    }
    let mut index = Index::default();
    for (fi, (_, f)) in files.iter().enumerate() {
        index.collect(fi, &[], &f.items);
    }
    let mut cx = Cx {
        files: &files,
        index: &index,
        diags: Vec::new(),
        stack: Vec::new(),
    };
    // (group, kind) → versions
    let mut crds: BTreeMap<(String, String), Vec<Version>> = BTreeMap::new();
    for (id, item) in index.items.iter().enumerate() {
        let Def::Struct(s) = item.def else { continue };
        let attrs = match attrs::kind_attrs(&s.attrs) {
            Ok(Some(a)) => a,
            Ok(None) => continue,
            Err(e) => {
                cx.error(item.file, e.span(), e.to_string());
                continue;
            }
        };
        let loc = Loc {
            file: item.file,
            span: s.ident.span(),
        };
        let mut missing = Vec::new();
        for (v, name) in [
            (&attrs.version, "version"),
            (&attrs.kind, "kind"),
            (&attrs.plural, "plural"),
        ] {
            if v.is_none() {
                missing.push(name);
            }
        }
        if !missing.is_empty() {
            cx.error(
                item.file,
                s.ident.span(),
                format!(
                    "`#[crdgen(...)]` on kind `{}` lacks {}",
                    s.ident,
                    missing.join(", ")
                ),
            );
            continue;
        }
        let version = cx.version(id, s, &attrs);
        let key = (
            attrs.group.clone().unwrap_or_default(),
            attrs.kind.clone().unwrap_or_default(),
        );
        crds.entry(key).or_default().push((attrs, version, loc));
    }
    let mut out = Vec::new();
    for ((group, kind), mut versions) in crds {
        versions.sort_by(|a, b| a.0.version.cmp(&b.0.version));
        if let Some(crd) = cx.merge(&group, &kind, versions) {
            out.push(crd);
        }
    }
    if !cx.diags.is_empty() {
        return Err(Error::Input(cx.diags));
    }
    Ok(out)
}

/// The model of the annotated kinds in the sources (through their CRDs, so the model
/// is exactly what the CRD front end would build from the manifests).
pub fn load(sources: &[RustSource]) -> Result<Model> {
    let mut model = Model::default();
    for crd in crds_from_sources(sources)? {
        let name = crd
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or("crd")
            .to_owned();
        let text = serde_json::to_string_pretty(&crd).expect("a JSON value always serializes");
        model.resources.extend(crate::input::load_str(
            &format!("<{name} from Rust>"),
            &text,
        )?);
    }
    Ok(model)
}

fn diag(file: &Path, span: proc_macro2::Span, message: impl Into<String>) -> Diagnostic {
    let start = span.start();
    Diagnostic::new(
        SourceRef {
            file: file.to_path_buf(),
            line: (start.line > 0).then_some(start.line),
            column: (start.line > 0).then_some(start.column + 1),
            path: None,
        },
        message,
    )
}

/// A kind's root schema from its properties (other than the standard ones), required
/// list, whether it keeps unknown fields, and its doc; then the `root(...)` overlay.
pub fn root_schema(
    a: &KindAttrs,
    doc: Option<&str>,
    props: Map<String, Value>,
    required: Vec<Value>,
    extra: bool,
) -> Map<String, Value> {
    let mut root = Map::new();
    root.insert("type".into(), json!("object"));
    if let Some(d) = doc {
        root.insert("description".into(), Value::String(d.to_owned()));
    }
    if extra {
        root.insert("x-kubernetes-preserve-unknown-fields".into(), json!(true));
    }
    let mut overlay: Overlay = a.root.clone();
    let mut all = match overlay.set.remove("properties") {
        Some(Value::Object(m)) => m,
        _ => root_properties(),
    };
    all.extend(props);
    if !all.is_empty() {
        root.insert("properties".into(), Value::Object(all));
    }
    if !required.is_empty() {
        root.insert("required".into(), Value::Array(required));
    }
    overlay.apply(&mut root);
    root
}

/// Where an annotated kind is declared (for generating clients over the kinds where
/// they are, see `Settings::external_types`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KindSite {
    /// API group.
    pub group: String,
    /// Version.
    pub version: String,
    /// Kind.
    pub kind: String,
    /// The file that declares it.
    pub file: PathBuf,
    /// The inline modules (`mod x { ... }`) around it within the file, outermost first.
    pub module: Vec<String>,
    /// The Rust name of the kind: the struct itself (object form) or, for a spec
    /// struct, the kind `#[derive(CrdSchema)]` generates next to it (its `kind`).
    pub rust_name: String,
}

/// Every struct with `#[crdgen(kind = ...)]` in the sources, in source order. Files
/// that do not parse and malformed attributes are skipped ([`crds_from_sources`]
/// reports them).
pub fn kind_sites(sources: &[RustSource]) -> Vec<KindSite> {
    fn walk(path: &Path, module: &mut Vec<String>, items: &[syn::Item], out: &mut Vec<KindSite>) {
        for item in items {
            match item {
                syn::Item::Struct(s) => {
                    let Ok(Some(a)) = attrs::kind_attrs(&s.attrs) else {
                        continue;
                    };
                    let (Some(version), Some(kind)) = (a.version.clone(), a.kind.clone()) else {
                        continue;
                    };
                    let rust_name = if is_spec_struct(s) {
                        kind.clone()
                    } else {
                        s.ident.to_string()
                    };
                    out.push(KindSite {
                        group: a.group.clone().unwrap_or_default(),
                        version,
                        kind,
                        file: path.to_path_buf(),
                        module: module.clone(),
                        rust_name,
                    });
                }
                syn::Item::Mod(m) => {
                    if let Some((_, inner)) = &m.content {
                        module.push(m.ident.to_string());
                        walk(path, module, inner, out);
                        module.pop();
                    }
                }
                _ => {}
            }
        }
    }
    let mut out = Vec::new();
    for s in sources {
        if let Ok(f) = syn::parse_file(&s.text) {
            walk(&s.path, &mut Vec::new(), &f.items, &mut out);
        }
    }
    out
}
