//! [`Builder`]: crdgen from a build script.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::{Output, Settings, Source};

/// Generate Rust from CRDs in `build.rs`, into `OUT_DIR`.
///
/// ```no_run
/// // build.rs
/// fn main() -> Result<(), crdgen::Error> {
///     crdgen::Builder::new()
///         .crd("crds/widgets.yaml")
///         .crd("crds/more/")
///         .write_to_out_dir("crds.rs")
/// }
/// ```
///
/// Relative paths are resolved against `CARGO_MANIFEST_DIR`. Every input file and
/// folder is announced with `cargo:rerun-if-changed`, so editing or adding a CRD
/// regenerates the code. The output is written only when it changed.
#[derive(Debug, Clone, Default)]
pub struct Builder {
    sources: Vec<PathBuf>,
    rust_types: Vec<(PathBuf, String)>,
    settings: Settings,
}

impl Builder {
    /// A builder with default [`Settings`].
    pub fn new() -> Self {
        Self::default()
    }

    /// Add a CRD file, or a folder searched recursively for `*.yaml`, `*.yml` and
    /// `*.json`. Cumulative.
    ///
    /// ```no_run
    /// crdgen::Builder::new().crd("crds/a.yaml").crd("crds/b.yaml");
    /// ```
    pub fn crd(&mut self, path: impl AsRef<Path>) -> &mut Self {
        self.sources.push(path.as_ref().to_path_buf());
        self
    }

    /// Add kinds written in Rust (structs with `#[crdgen(kind = ...)]`, usually
    /// `#[derive(CrdSchema)]`): the `.rs` files below `dir`, whose root module is
    /// `module` (`"crate"` for the crate's `src/`). The generated code does not define
    /// their types again: each group/version module re-exports the kinds
    /// (`pub use crate::db::Database;`) and holds the typed client, kind enum,
    /// `add_to_scheme` and informers, with `Clientset`, `InformerFactory` and
    /// `add_to_scheme` at the root, as for CRDs. Files map to modules as the compiler
    /// does (`lib.rs`/`main.rs` → `crate`, `a.rs` and `a/mod.rs` → `crate::a`, inline
    /// `mod x { }` nesting honoured; see [`crate::rust_module_path`]). Cumulative; may be
    /// combined with [`Builder::crd`] for other group/versions.
    ///
    /// ```no_run
    /// // build.rs
    /// fn main() -> Result<(), crdgen::Error> {
    ///     crdgen::Builder::new().rust_types("src/", "crate").write_to_out_dir("clients.rs")
    /// }
    /// ```
    pub fn rust_types(&mut self, dir: impl AsRef<Path>, module: &str) -> &mut Self {
        self.rust_types
            .push((dir.as_ref().to_path_buf(), module.to_owned()));
        self
    }

    /// The path generated code uses for the runtime crate (default `::crdgen_runtime`).
    ///
    /// ```no_run
    /// crdgen::Builder::new().crd("crds/").runtime_path("::my_crate::runtime");
    /// ```
    pub fn runtime_path(&mut self, path: &str) -> &mut Self {
        self.settings.runtime_path = path.to_owned();
        self
    }

    /// Reuse k8s-openapi types where a schema matches one exactly (default: on).
    ///
    /// ```no_run
    /// crdgen::Builder::new().crd("crds/").well_known_types(false);
    /// ```
    pub fn well_known_types(&mut self, on: bool) -> &mut Self {
        self.settings.well_known_types = on;
        self
    }

    /// One definition for identical shapes in a group/version (default: on).
    ///
    /// ```no_run
    /// crdgen::Builder::new().crd("crds/").dedup(false);
    /// ```
    pub fn dedup(&mut self, on: bool) -> &mut Self {
        self.settings.dedup = on;
        self
    }

    /// Emit the typed clientset, kind enums, `add_to_scheme` and informer accessors
    /// (default: on). Off: types and `Resource` impls only.
    ///
    /// ```no_run
    /// crdgen::Builder::new().crd("crds/").clients(false);
    /// ```
    pub fn clients(&mut self, on: bool) -> &mut Self {
        self.settings.clients = on;
        self
    }

    /// Does nothing: the output is laid out as rustfmt lays it out, and no formatter
    /// runs at generation time.
    #[deprecated(note = "the output is rustfmt's layout already; remove the call")]
    pub fn rustfmt(&mut self, _on: bool) -> &mut Self {
        self
    }

    /// Generate only this kind (e.g. `"Certificate"`). Cumulative; without it, every
    /// kind.
    ///
    /// ```no_run
    /// crdgen::Builder::new().crd("crds/").kind("Certificate").kind("Issuer");
    /// ```
    pub fn kind(&mut self, kind: &str) -> &mut Self {
        self.settings.kinds.push(kind.to_owned());
        self
    }

    /// Generate only this version (e.g. `"v1"`). Cumulative; without it, every version.
    ///
    /// ```no_run
    /// crdgen::Builder::new().crd("crds/").version("v1");
    /// ```
    pub fn version(&mut self, version: &str) -> &mut Self {
        self.settings.versions.push(version.to_owned());
        self
    }

    /// Derive `path` on generated types as well (kopium's `--derive`): `target` is
    /// `"all"`, `"structs"`, `"enums"` or the name of one type. Cumulative.
    ///
    /// ```no_run
    /// crdgen::Builder::new()
    ///     .crd("crds/")
    ///     .derive("all", "schemars::JsonSchema")
    ///     .derive("WidgetSpec", "Eq");
    /// ```
    pub fn derive(&mut self, target: &str, path: &str) -> &mut Self {
        self.settings
            .derives
            .push((target.to_owned(), path.to_owned()));
        self
    }

    /// Use the Rust type `ty` (a full path) instead of the generated one for every
    /// schema node with a `format`, or for one field by its schema path (the kind,
    /// then property names). Cumulative; an override that matches nothing fails
    /// generation. See [`Settings::type_overrides`].
    ///
    /// ```no_run
    /// use crdgen::TypeOverride;
    /// crdgen::Builder::new()
    ///     .crd("crds/")
    ///     .type_override(
    ///         TypeOverride::Format("date-time".into()),
    ///         "k8s_openapi::apimachinery::pkg::apis::meta::v1::Time",
    ///     )
    ///     .type_override(
    ///         TypeOverride::Path("Certificate.spec.duration".into()),
    ///         "crate::units::Duration",
    ///     );
    /// ```
    pub fn type_override(&mut self, target: crate::TypeOverride, ty: &str) -> &mut Self {
        self.settings.type_overrides.push((target, ty.to_owned()));
        self
    }

    /// Annotated output: `#[crdgen(...)]` attributes carrying every schema keyword and
    /// the resource, so `crdgen crd` regenerates the CRD (default: off). See
    /// [`Settings::annotated`].
    ///
    /// ```no_run
    /// crdgen::Builder::new().crd("crds/").annotated(true);
    /// ```
    pub fn annotated(&mut self, on: bool) -> &mut Self {
        self.settings.annotated = on;
        self
    }

    /// Apply configurations for typed server-side apply: `WidgetApply` beside each
    /// kind and struct, with builders and `extract` (default: off). See
    /// [`Settings::apply_configurations`].
    ///
    /// ```no_run
    /// crdgen::Builder::new().crd("crds/").apply_configurations(true);
    /// ```
    pub fn apply_configurations(&mut self, on: bool) -> &mut Self {
        self.settings.apply_configurations = on;
        self
    }

    fn base(&self) -> Option<PathBuf> {
        std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from)
    }

    fn resolve(&self, p: &Path) -> PathBuf {
        match self.base() {
            Some(b) if p.is_relative() => b.join(p),
            _ => p.to_path_buf(),
        }
    }

    fn resolved(&self) -> Vec<PathBuf> {
        self.sources.iter().map(|p| self.resolve(p)).collect()
    }

    fn resolved_rust(&self) -> Vec<(PathBuf, String)> {
        self.rust_types
            .iter()
            .map(|(p, m)| (self.resolve(p), m.clone()))
            .collect()
    }

    /// Generate without writing anything.
    ///
    /// ```no_run
    /// let out = crdgen::Builder::new().crd("crds/").generate()?;
    /// let text = out.single_file()?;
    /// # Ok::<(), crdgen::Error>(())
    /// ```
    pub fn generate(&self) -> Result<Output> {
        let sources: Vec<Source> = self.resolved().into_iter().map(Source::Path).collect();
        let base = self.base();
        crate::generate_rust_types(
            &sources,
            &self.resolved_rust(),
            &self.settings,
            base.as_deref(),
        )
    }

    /// Generate into `$OUT_DIR/<file_name>` as one file and print
    /// `cargo:rerun-if-changed` for every input. Include it with
    /// `include!(concat!(env!("OUT_DIR"), "/<file_name>"));`.
    pub fn write_to_out_dir(&self, file_name: &str) -> Result<()> {
        let out_dir = std::env::var_os("OUT_DIR").ok_or_else(|| {
            Error::Environment("OUT_DIR is not set: call write_to_out_dir from build.rs".into())
        })?;
        self.write_to(&PathBuf::from(out_dir).join(file_name))
    }

    /// Generate into one file at `path` (written only if changed), printing
    /// `cargo:rerun-if-changed` lines for the inputs.
    pub fn write_to(&self, path: &Path) -> Result<()> {
        for p in self.resolved() {
            println!("cargo:rerun-if-changed={}", p.display());
        }
        for (p, _) in self.resolved_rust() {
            println!("cargo:rerun-if-changed={}", p.display());
        }
        let out = self.generate()?;
        for f in &out.files {
            println!("cargo:rerun-if-changed={}", f.display());
        }
        for note in &out.notes {
            println!("cargo:warning=crdgen: {}: {}", note.source, note.message);
        }
        out.write_single_file_if_changed(path)?;
        Ok(())
    }
}
