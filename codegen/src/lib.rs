//! # crdgen: typed Rust from Kubernetes CustomResourceDefinitions
//!
//! crdgen reads CRD YAML and writes Rust: one module per group/version with the
//! spec/status types (documented from the CRD's descriptions), a `kube::Resource` impl
//! for every kind, and (see the `crdgen-runtime` crate) a typed clientset, listers and
//! informers.
//!
//! ## From build.rs
//!
//! ```toml
//! [dependencies]
//! crdgen-runtime = "0.1"
//!
//! [build-dependencies]
//! crdgen = "0.1"
//! ```
//!
//! ```no_run
//! // build.rs
//! fn main() -> Result<(), crdgen::Error> {
//!     crdgen::Builder::new().crd("crds/").write_to_out_dir("crds.rs")
//! }
//! ```
//!
//! ```ignore
//! // src/lib.rs
//! include!(concat!(env!("OUT_DIR"), "/crds.rs"));
//! // then: example_com::v1::Widget, ...
//! ```
//!
//! The generated code depends only on `crdgen-runtime`, which re-exports `kube`,
//! `k8s-openapi` and `serde`. Pick a Kubernetes version for k8s-openapi in your binary
//! as usual (`k8s-openapi = { version = "0.29", features = ["v1_36"] }`).
//!
//! ## From the command line
//!
//! `crdgen generate crds/ -o src/generated.rs` (see `crdgen --help`).
//!
//! ## Pipeline
//!
//! [`input`] (YAML → [`ir::Model`]) → [`passes`] (schemas → [`ir::TypeSpace`]) →
//! [`emit`] (tokens) → [`render`] (prettyplease, files).

pub mod emit;
pub mod error;
pub mod input;
pub mod ir;
pub mod passes;
pub mod render;
pub mod rust_input;

mod builder;

use std::path::Path;

use proc_macro2::TokenStream;
use quote::quote;

pub use builder::Builder;
pub use error::{Diagnostic, Error, Result, SourceRef};
pub use input::Source;
pub use render::Generated;

/// Options shared by the CLI and [`Builder`].
#[derive(Debug, Clone)]
pub struct Settings {
    /// Path of the runtime crate in generated code (default `::crdgen_runtime`), for
    /// users who rename or re-export it.
    pub runtime_path: String,
    /// Reuse k8s-openapi types (Condition, LabelSelector, ObjectReference, …) where a
    /// schema matches one exactly. Default: on.
    pub well_known_types: bool,
    /// Emit one definition for structs and enums of identical shape in a
    /// group/version. Default: on.
    pub dedup: bool,
    /// Emit the typed clientset, kind enums, `add_to_scheme` and informer accessors
    /// (off: types and `Resource` impls only). Default: on.
    pub clients: bool,
    /// Pass the output through `rustfmt` when it is installed, so it is rustfmt-clean
    /// (prettyplease's output alone differs in line breaks). Default: on.
    pub rustfmt: bool,
    /// Annotated output: every type derives `crdgen_runtime::CrdSchema` (runtime
    /// feature `derive`) and carries `#[crdgen(...)]` attributes with every schema
    /// keyword its Rust type does not express (validation, CEL rules, list/map types,
    /// defaults, …) and, on each kind, the resource (names, scope, versions,
    /// subresources, printer columns), so that `crdgen crd` gives the CRD back.
    /// Implies one definition per schema node (no [`Settings::dedup`]). Default: off.
    pub annotated: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            runtime_path: "::crdgen_runtime".to_owned(),
            well_known_types: true,
            dedup: true,
            clients: true,
            rustfmt: true,
            annotated: false,
        }
    }
}

/// A generated root kind and where it lives in the output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedKind {
    /// API group.
    pub group: String,
    /// Version.
    pub version: String,
    /// Kind.
    pub kind: String,
    /// Path of the type relative to the output's root, e.g. `example_com::v1::Widget`.
    pub rust_path: String,
    /// Whether the API server serves this version.
    pub served: bool,
}

/// What generation produced before it is laid out as files.
#[derive(Debug, Clone)]
pub struct Output {
    /// One entry per group/version.
    pub modules: Vec<render::ModuleTokens>,
    /// Every root kind, sorted by (group, version, kind).
    pub kinds: Vec<GeneratedKind>,
    /// Items placed at the root, above the group modules.
    pub root_items: TokenStream,
    /// Input files read.
    pub files: Vec<std::path::PathBuf>,
    /// Notes (skipped documents, …).
    pub notes: Vec<input::Note>,
    /// Whether rendering passes the text through rustfmt (see [`Settings::rustfmt`]).
    pub rustfmt: bool,
}

impl Output {
    /// Everything in one file of nested modules.
    pub fn single_file(&self) -> Result<String> {
        Ok(self.finish(render::single_file(&self.modules, self.root_items.clone())?))
    }

    /// A module tree (`mod.rs`, `<group>/mod.rs`, `<group>/<version>.rs`).
    pub fn module_tree(&self) -> Result<Generated> {
        let mut tree = render::module_tree(&self.modules, self.root_items.clone())?;
        for text in tree.files.values_mut() {
            *text = self.finish(std::mem::take(text));
        }
        Ok(tree)
    }

    fn finish(&self, text: String) -> String {
        if self.rustfmt {
            render::rustfmt(&text).unwrap_or(text)
        } else {
            text
        }
    }
}

/// Load CRDs from the sources and generate Rust.
pub fn generate(sources: &[Source], settings: &Settings) -> Result<Output> {
    let loaded = input::load(sources)?;
    let mut out = generate_model(&loaded.model, settings, None)?;
    out.files = loaded.files;
    out.notes = loaded.notes;
    Ok(out)
}

/// Generate Rust from an already loaded model. `base` makes the source paths in
/// headers relative to it.
pub fn generate_model(
    model: &ir::Model,
    settings: &Settings,
    base: Option<&Path>,
) -> Result<Output> {
    let runtime: syn::Path = syn::parse_str(&settings.runtime_path).map_err(|e| {
        Error::Environment(format!(
            "runtime path `{}` is not a Rust path: {e}",
            settings.runtime_path
        ))
    })?;
    let paths = emit::Paths { runtime };
    let options = passes::types::TypeOptions {
        well_known: settings.well_known_types,
        // Annotations are per schema node: shared definitions would merge them.
        dedup: settings.dedup && !settings.annotated,
    };
    let spaces = passes::types::build(model, &options)?;
    let mut modules = Vec::new();
    let mut kinds = Vec::new();
    for space in &spaces {
        let (g, v) = (
            passes::naming::group_module(&space.group),
            passes::naming::version_module(&space.version),
        );
        for k in &space.kinds {
            let res = &model.resources[k.resource];
            kinds.push(GeneratedKind {
                group: space.group.clone(),
                version: space.version.clone(),
                kind: res.kind.clone(),
                rust_path: format!("{}::{}::{}", g.0, v.0, k.name.0),
                served: res.versions[k.version].served,
            });
        }
        let ann = settings
            .annotated
            .then(|| emit::annotate::annotate(model, space));
        let types = emit::types::emit_types_with(&paths, space, ann.as_ref());
        let kinds = emit::kinds::emit_kinds_with(&paths, model, space, ann.as_ref());
        let clients = if settings.clients {
            emit::clients::emit_module_clients(&paths, model, space)
        } else {
            TokenStream::new()
        };
        let mut sources: Vec<String> = space
            .kinds
            .iter()
            .map(|k| display_path(&model.resources[k.resource].file, base))
            .collect();
        sources.sort();
        sources.dedup();
        let kind_list: Vec<String> = space
            .kinds
            .iter()
            .map(|k| format!("`{}`", k.name.0))
            .collect();
        let doc = format!(
            " `{}/{}`: {}.",
            space.group,
            space.version,
            kind_list.join(", ")
        );
        modules.push(render::ModuleTokens {
            group: g,
            group_name: space.group.clone(),
            version: v,
            doc,
            items: quote! { #kinds #clients #types },
            sources,
        });
    }
    let root_items = if settings.clients && !spaces.is_empty() {
        emit::clients::emit_root(&paths, model, &spaces)
    } else {
        TokenStream::new()
    };
    Ok(Output {
        modules,
        kinds,
        root_items,
        files: Vec::new(),
        notes: Vec::new(),
        rustfmt: settings.rustfmt,
    })
}

/// A path for headers: relative to `base` when possible, `/`-separated on every OS.
pub(crate) fn display_path(path: &Path, base: Option<&Path>) -> String {
    let rel = base.and_then(|b| path.strip_prefix(b).ok()).unwrap_or(path);
    rel.components()
        .filter_map(|c| match c {
            std::path::Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
            std::path::Component::ParentDir => Some("..".to_owned()),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("/")
}
