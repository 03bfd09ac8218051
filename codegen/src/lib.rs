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
//! ## Clients for kinds written in Rust
//!
//! For kinds written as structs (`#[derive(CrdSchema)]` with `#[crdgen(group = ...,
//! kind = ...)]`), [`Builder::rust_types`] generates the same clientset, informer
//! factory, kind enums and `add_to_scheme` as for CRD YAML, re-exporting the types
//! where they are instead of defining them:
//!
//! ```no_run
//! // build.rs
//! fn main() -> Result<(), crdgen::Error> {
//!     crdgen::Builder::new().rust_types("src/", "crate").write_to_out_dir("clients.rs")
//! }
//! ```
//!
//! ```ignore
//! // src/lib.rs
//! pub mod clients {
//!     include!(concat!(env!("OUT_DIR"), "/clients.rs"));
//! }
//! // clients::Clientset::new(client).example_com_v1().widgets("default")
//! ```
//!
//! On the command line: `crdgen generate --rust-types src/ --types-path crate -o
//! src/clients.rs`. See `examples/from-structs`.
//!
//! ## From the command line
//!
//! `crdgen generate crds/ -o src/generated.rs` (see `crdgen --help`).
//!
//! ## Pipeline
//!
//! [`input`] (YAML → [`ir::Model`]) → [`passes`] (schemas → [`ir::TypeSpace`]) →
//! [`emit`] (Rust text laid out as rustfmt lays it out, [`emit::rust`]) → [`render`]
//! (files).

// Only to ask whether generation runs inside a procedural macro (see render::threads).
extern crate proc_macro;

pub mod emit;
pub mod error;
pub mod input;
pub mod ir;
pub mod passes;
mod plan;
pub mod render;
pub mod rust_input;

mod builder;

use std::path::Path;

pub use builder::Builder;
pub use error::{Diagnostic, Error, Result, SourceRef};
pub use input::Source;
pub use passes::overrides::TypeOverride;
pub use render::{Generated, Module};

/// Options shared by the CLI and [`Builder`].
#[derive(Debug, Clone)]
pub struct Settings {
    /// Path of the runtime crate in generated code (default `::crdgen_runtime`), for
    /// users who rename or re-export it.
    pub runtime_path: String,
    /// Reuse k8s-openapi types (LabelSelector, ObjectReference, …) where a schema
    /// matches one exactly (never `Condition`: its `Time` drops the sub-second digits
    /// the server keeps). Default: on.
    pub well_known_types: bool,
    /// Emit one definition for structs and enums of identical shape in a
    /// group/version. Default: on.
    pub dedup: bool,
    /// Emit the typed clientset, kind enums, `add_to_scheme` and informer accessors
    /// (off: types and `Resource` impls only). Default: on.
    pub clients: bool,
    /// Extra derives on generated types (kopium's `--derive`): `(target, path)` with
    /// target `all`, `structs`, `enums` or a type's name, e.g. `("all", "JsonSchema")`.
    /// The path is written as given (bring it into scope with a full path, e.g.
    /// `schemars::JsonSchema`). Default: none.
    pub derives: Vec<(String, String)>,
    /// Rust types to use instead of the generated ones (kopium has none): for every
    /// schema node with a `format` ([`TypeOverride::Format`]), or for one field
    /// ([`TypeOverride::Path`]). The type is written as given, so give a full path
    /// (`k8s_openapi::...::Time`, `crate::units::Duration`); it must implement what
    /// the generated types derive (`Clone`, `Debug`, `PartialEq`, serde's
    /// `Serialize` and `Deserialize`). An override that matches nothing in the input
    /// is an error. Not with [`Settings::annotated`]. Default: none.
    pub type_overrides: Vec<(TypeOverride, String)>,
    /// Generate only these kinds (by `kind`, e.g. `Certificate`); empty: every kind.
    /// Default: empty.
    pub kinds: Vec<String>,
    /// Generate only these versions (by name, e.g. `v1`); empty: every version. A
    /// kind's `crd()` then holds the selected versions only. Default: empty.
    pub versions: Vec<String>,
    /// Annotated output: every type derives `crdgen_runtime::CrdSchema` (runtime
    /// feature `derive`) and carries `#[crdgen(...)]` attributes with every schema
    /// keyword its Rust type does not express (validation, CEL rules, list/map types,
    /// defaults, …) and, on each kind, the resource (names, scope, versions,
    /// subresources, printer columns), so that `crdgen crd` gives the CRD back.
    /// Implies one definition per schema node (no [`Settings::dedup`]). Default: off.
    pub annotated: bool,
    /// Kinds whose Rust types already exist (e.g. written as structs with
    /// `#[derive(CrdSchema)]`): `(group, version, kind)` → the type's path as the
    /// generated code reaches it (e.g. `crate::db::Database`). A group/version whose
    /// kinds are all listed gets, instead of type definitions, `pub use <path>;` for
    /// each kind, followed by the usual client, kind enum, `add_to_scheme` and
    /// informers (its kind enum derives `Clone` and `Debug` only, as a derived kind
    /// need not be `PartialEq`). See [`Builder::rust_types`]. Default: none.
    pub external_types: Option<ExternalTypes>,
    /// Apply configurations (client-go's applyconfiguration-gen): for every kind and
    /// struct `T`, a `TApply` with every field optional and left out when unset,
    /// builder methods, and on kinds `new(name[, namespace])`, `extract` and
    /// `extract_status` (what a field manager applied, from `managedFields`), for the
    /// typed client's `apply`. Not with [`Settings::annotated`] or for
    /// [`Settings::external_types`] modules. Default: off.
    pub apply_configurations: bool,
}

/// `(group, version, kind)` → Rust path of the kind's type, see
/// [`Settings::external_types`].
pub type ExternalTypes = std::collections::BTreeMap<(String, String, String), String>;

impl Default for Settings {
    fn default() -> Self {
        Settings {
            runtime_path: "::crdgen_runtime".to_owned(),
            well_known_types: true,
            dedup: true,
            clients: true,
            derives: Vec::new(),
            type_overrides: Vec::new(),
            kinds: Vec::new(),
            versions: Vec::new(),
            annotated: false,
            external_types: None,
            apply_configurations: false,
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
///
/// The Rust itself is emitted when the output is laid out ([`Output::single_file`],
/// [`Output::module_tree`]), in parallel.
#[derive(Debug, Clone)]
pub struct Output {
    /// One entry per group/version.
    pub modules: Vec<render::Module>,
    /// Every root kind, sorted by (group, version, kind).
    pub kinds: Vec<GeneratedKind>,
    /// Input files read.
    pub files: Vec<std::path::PathBuf>,
    /// Notes (skipped documents, …).
    pub notes: Vec<input::Note>,
    plan: std::sync::Arc<plan::Plan>,
}

/// Each group/version either has all its kinds in `types` or none, and every path
/// parses.
fn check_external(
    model: &ir::Model,
    spaces: &[ir::TypeSpace],
    types: &ExternalTypes,
) -> Result<()> {
    for (key, path) in types {
        if syn::parse_str::<syn::Path>(path).is_err() {
            return Err(Error::Environment(format!(
                "the Rust path `{path}` given for {}/{} {} is not a path",
                key.0, key.1, key.2
            )));
        }
    }
    for space in spaces {
        let listed = space.kinds.iter().filter(|k| {
            let res = &model.resources[k.resource];
            types.contains_key(&(res.group.clone(), space.version.clone(), res.kind.clone()))
        });
        let n = listed.count();
        if n != 0 && n != space.kinds.len() {
            return Err(Error::Environment(format!(
                "group/version {}/{} mixes kinds defined in Rust with kinds from CRDs; \
                 generate them separately",
                space.group, space.version
            )));
        }
    }
    Ok(())
}

/// Keep the kinds and versions [`Settings::kinds`] and [`Settings::versions`] select.
fn select(model: &mut ir::Model, settings: &Settings) {
    if !settings.kinds.is_empty() {
        model.resources.retain(|r| settings.kinds.contains(&r.kind));
    }
    if !settings.versions.is_empty() {
        for r in &mut model.resources {
            r.versions.retain(|v| settings.versions.contains(&v.name));
        }
        model.resources.retain(|r| !r.versions.is_empty());
    }
}

/// The runtime path must be a Rust path.
fn check_runtime_path(settings: &Settings) -> Result<()> {
    syn::parse_str::<syn::Path>(&settings.runtime_path).map_err(|e| {
        Error::Environment(format!(
            "runtime path `{}` is not a Rust path: {e}",
            settings.runtime_path
        ))
    })?;
    Ok(())
}

impl Output {
    /// Everything in one file of nested modules.
    pub fn single_file(&self) -> Result<String> {
        let mut out = Vec::new();
        self.write_single_file(&mut out)
            .expect("writing to memory cannot fail");
        Ok(String::from_utf8(out).expect("the output is written from strings"))
    }

    /// [`Output::single_file`] written to `w` as it is emitted, module by module (the
    /// whole text is never in memory at once).
    pub fn write_single_file(&self, w: &mut dyn std::io::Write) -> std::io::Result<()> {
        self.plan.with_bodies(&self.modules, 2, |bodies| {
            render::single_file(&self.modules, bodies, w)
        })
    }

    /// [`Output::single_file`] written to `path` where it differs from the file there
    /// ([`render::ChangedFile`]), module by module as it is emitted. Whether the file
    /// changed.
    pub fn write_single_file_if_changed(&self, path: &Path) -> Result<bool> {
        let mut file = render::ChangedFile::open(path, None)?;
        self.write_single_file(&mut file)
            .map_err(|e| Error::io(path, e))?;
        file.finish()
    }

    /// A module tree (`mod.rs`, `clientset.rs`, `<group>/mod.rs`,
    /// `<group>/<version>.rs`).
    pub fn module_tree(&self) -> Result<Generated> {
        Ok(self.plan.with_bodies(&self.modules, 0, |bodies| {
            render::module_tree(&self.modules, bodies)
        }))
    }
}

/// Load CRDs from the sources and generate Rust.
pub fn generate(sources: &[Source], settings: &Settings) -> Result<Output> {
    let loaded = load(sources)?;
    let mut out = generate_owned(loaded.model, settings, None)?;
    out.files = loaded.files;
    out.notes = loaded.notes;
    Ok(out)
}

/// Load the CRDs of the sources ([`input::load`]: files are read and parsed in
/// parallel).
pub fn load(sources: &[Source]) -> Result<input::Loaded> {
    input::load(sources)
}

/// Kinds defined in Rust source (structs with `#[crdgen(kind = ...)]`), loaded to
/// generate their clients with the types left where they are
/// ([`Settings::external_types`]).
#[derive(Debug, Clone, Default)]
pub struct RustTypes {
    /// The model of the kinds (each resource's `file` is the Rust file declaring it).
    pub model: ir::Model,
    /// Each kind's type path.
    pub types: ExternalTypes,
    /// The Rust files read.
    pub files: Vec<std::path::PathBuf>,
}

/// The module path of `file`, a Rust file below `root`, the source folder whose root
/// module is `crate_path` (e.g. `crate`): `lib.rs` and `main.rs` directly in `root` are
/// `crate_path` itself, `a.rs` and `a/mod.rs` are `crate_path::a`, `a/b.rs` is
/// `crate_path::a::b`. `None` when `file` is not a `.rs` file below `root`.
///
/// ```
/// use std::path::Path;
/// let m = |f: &str| crdgen::rust_module_path(Path::new("src"), Path::new(f), "crate");
/// assert_eq!(m("src/lib.rs").as_deref(), Some("crate"));
/// assert_eq!(m("src/a/mod.rs").as_deref(), Some("crate::a"));
/// assert_eq!(m("src/a/b.rs").as_deref(), Some("crate::a::b"));
/// ```
pub fn rust_module_path(root: &Path, file: &Path, crate_path: &str) -> Option<String> {
    let rel = file.strip_prefix(root).ok()?;
    let mut parts: Vec<String> = Vec::new();
    for c in rel.components() {
        match c {
            std::path::Component::Normal(s) => parts.push(s.to_str()?.to_owned()),
            _ => return None,
        }
    }
    let last = parts.pop()?;
    let stem = last.strip_suffix(".rs")?;
    let top = parts.is_empty();
    if !(stem == "mod" || (top && (stem == "lib" || stem == "main"))) {
        parts.push(stem.to_owned());
    }
    let mut path = crate_path.to_owned();
    for p in parts {
        path.push_str("::");
        path.push_str(&p);
    }
    Some(path)
}

/// Read the Rust files below each `(folder, module path of the folder)` and load the
/// kinds they declare: their model (through their CRDs, as `crdgen crd` builds them)
/// and each kind's type path (module of the file, inline `mod x { }` around the
/// struct, then the kind's Rust name). A file given instead of a folder is a root
/// file (`crate_path` itself).
pub fn load_rust_types(roots: &[(std::path::PathBuf, String)]) -> Result<RustTypes> {
    let mut sources = Vec::new();
    let mut module_of = std::collections::BTreeMap::new();
    for (root, crate_path) in roots {
        let read = rust_input::read_paths(std::slice::from_ref(root))?;
        for s in read {
            let module = if s.path == *root {
                Some(crate_path.clone())
            } else {
                rust_module_path(root, &s.path, crate_path)
            };
            let module = module.ok_or_else(|| {
                Error::Environment(format!(
                    "cannot name the module of {} below {}",
                    s.path.display(),
                    root.display()
                ))
            })?;
            module_of.insert(s.path.clone(), module);
            sources.push(s);
        }
    }
    let crds = rust_input::crds_from_sources(&sources)?;
    let sites = rust_input::kind_sites(&sources);
    let mut out = RustTypes {
        files: sources.iter().map(|s| s.path.clone()).collect(),
        ..RustTypes::default()
    };
    for site in &sites {
        let mut path = module_of[&site.file].clone();
        for m in &site.module {
            path.push_str("::");
            path.push_str(m);
        }
        path.push_str("::");
        path.push_str(&site.rust_name);
        let key = (site.group.clone(), site.version.clone(), site.kind.clone());
        if let Some(before) = out.types.insert(key, path.clone())
            && before != path
        {
            return Err(Error::Environment(format!(
                "{}/{} {} is declared twice in Rust: `{before}` and `{path}`",
                site.group, site.version, site.kind
            )));
        }
    }
    for crd in crds {
        let name = crd
            .pointer("/metadata/name")
            .and_then(serde_json::Value::as_str)
            .unwrap_or("crd")
            .to_owned();
        let text = serde_json::to_string_pretty(&crd).expect("a JSON value always serializes");
        for mut res in input::load_str(&format!("<{name} from Rust>"), &text)? {
            if let Some(site) = sites
                .iter()
                .find(|s| s.group == res.group && s.kind == res.kind)
            {
                res.file = site.file.clone();
            }
            out.model.resources.push(res);
        }
    }
    out.model
        .resources
        .sort_by(|a, b| (&a.group, &a.kind, &a.file).cmp(&(&b.group, &b.kind, &b.file)));
    Ok(out)
}

/// Generate from CRDs (`sources`, may be empty) and from the kinds declared in Rust
/// below `roots` (see [`load_rust_types`]): for the latter, the client layer
/// (clientset, informers, kind enums, `add_to_scheme`) re-exporting the types where
/// they are. `base` makes the source paths in headers relative to it.
pub fn generate_rust_types(
    sources: &[Source],
    roots: &[(std::path::PathBuf, String)],
    settings: &Settings,
    base: Option<&Path>,
) -> Result<Output> {
    let mut loaded = if sources.is_empty() {
        input::Loaded::default()
    } else {
        load(sources)?
    };
    let mut settings = settings.clone();
    if !roots.is_empty() {
        let rust = load_rust_types(roots)?;
        loaded.model.resources.extend(rust.model.resources);
        loaded
            .model
            .resources
            .sort_by(|a, b| (&a.group, &a.kind, &a.file).cmp(&(&b.group, &b.kind, &b.file)));
        loaded.files.extend(rust.files);
        settings
            .external_types
            .get_or_insert_with(ExternalTypes::new)
            .extend(rust.types);
    }
    let mut out = generate_owned(loaded.model, &settings, base)?;
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
    generate_owned(model.clone(), settings, base)
}

/// [`generate_model`] for a model the output may keep.
pub(crate) fn generate_owned(
    mut model: ir::Model,
    settings: &Settings,
    base: Option<&Path>,
) -> Result<Output> {
    check_runtime_path(settings)?;
    select(&mut model, settings);
    passes::overrides::check(settings)?;
    let options = passes::types::TypeOptions {
        well_known: settings.well_known_types,
        // Annotations are per schema node: shared definitions would merge them.
        dedup: settings.dedup && !settings.annotated,
        overrides: passes::overrides::Overrides::new(&settings.type_overrides),
    };
    let spaces = passes::types::build(&model, &options)?;
    if let Some(types) = &settings.external_types {
        check_external(&model, &spaces, types)?;
    }
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
        modules.push(render::Module {
            group: g,
            group_name: space.group.clone(),
            version: v,
            doc,
            sources,
        });
    }
    Ok(Output {
        modules,
        kinds,
        files: Vec::new(),
        notes: Vec::new(),
        plan: std::sync::Arc::new(plan::Plan {
            model,
            spaces,
            settings: settings.clone(),
        }),
    })
}

/// How a header names an input: relative to `base` (the manifest folder in build.rs,
/// `--root` on the command line) when it is below it, `/`-separated on every OS; else
/// by its file name alone, so the header (and `--check`) does not depend on the folder
/// generation runs from.
pub(crate) fn display_path(path: &Path, base: Option<&Path>) -> String {
    let relative = base.and_then(|b| {
        let (p, b) = (
            std::path::absolute(path).ok()?,
            std::path::absolute(b).ok()?,
        );
        p.strip_prefix(&b).ok().map(Path::to_path_buf)
    });
    match relative {
        Some(rel) => rel
            .components()
            .filter_map(|c| match c {
                std::path::Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
                std::path::Component::ParentDir => Some("..".to_owned()),
                _ => None,
            })
            .collect::<Vec<_>>()
            .join("/"),
        None => path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.display().to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::display_path;
    use std::path::Path;

    #[test]
    fn headers_name_inputs_by_file_name_or_below_the_root() {
        assert_eq!(display_path(Path::new("/abs/crds/a.yaml"), None), "a.yaml");
        assert_eq!(display_path(Path::new("../x/crds/a.yaml"), None), "a.yaml");
        assert_eq!(
            display_path(Path::new("/abs/crds/a.yaml"), Some(Path::new("/abs"))),
            "crds/a.yaml"
        );
        let cwd = std::env::current_dir().unwrap();
        assert_eq!(
            display_path(Path::new("crds/a.yaml"), Some(&cwd)),
            "crds/a.yaml"
        );
        assert_eq!(
            display_path(Path::new("/elsewhere/a.yaml"), Some(Path::new("/abs"))),
            "a.yaml"
        );
        assert_eq!(display_path(Path::new("<stdin>"), None), "<stdin>");
    }
}
