//! Clients for kinds written in Rust (`Builder::rust_types`, `crdgen generate
//! --rust-types`): module paths as the compiler names them, re-exports instead of type
//! definitions, the usual client layer, deterministic output.

use std::path::{Path, PathBuf};

use crdgen::{Settings, Source};

fn temp_dir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("crdgen-rust-types-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// A spec struct for `kind` in `group`/`version` (the kind `#[derive(CrdSchema)]`
/// generates is named `kind`).
fn spec(group: &str, version: &str, kind: &str) -> String {
    let plural = format!("{}s", kind.to_lowercase());
    format!(
        r#"
/// The spec.
#[derive(CrdSchema)]
#[crdgen(group = "{group}", version = "{version}", kind = "{kind}", plural = "{plural}", storage)]
pub struct {kind}Spec {{
    /// A field.
    pub size: i32,
}}
"#
    )
}

/// src/ with kinds in lib.rs, an inline module, a.rs, b/mod.rs and b/c.rs (inside two
/// inline modules), and a file without kinds.
fn source_tree(tag: &str) -> PathBuf {
    let root = temp_dir(tag);
    let src = root.join("src");
    write(
        &src,
        "lib.rs",
        &format!(
            "mod a;\nmod b;\n{}\npub mod inner {{\n{}\n}}\n",
            spec("top.example.com", "v1", "Top"),
            spec("inner.example.com", "v1", "Inner")
        ),
    );
    write(&src, "a.rs", &spec("a.example.com", "v1alpha1", "Alpha"));
    write(
        &src,
        "b/mod.rs",
        &format!("mod c;\n{}", spec("b.example.com", "v1", "Beta")),
    );
    write(
        &src,
        "b/c.rs",
        &format!(
            "pub mod x {{ pub mod y {{\n{}\n}} }}\n",
            spec("c.example.com", "v2", "Gamma")
        ),
    );
    write(&src, "main.rs", "fn main() {}\n");
    root
}

fn key(g: &str, v: &str, k: &str) -> (String, String, String) {
    (g.to_owned(), v.to_owned(), k.to_owned())
}

#[test]
fn module_paths_as_the_compiler_names_them() {
    let m = |f: &str| crdgen::rust_module_path(Path::new("src"), Path::new(f), "crate");
    assert_eq!(m("src/lib.rs").as_deref(), Some("crate"));
    assert_eq!(m("src/main.rs").as_deref(), Some("crate"));
    assert_eq!(m("src/a.rs").as_deref(), Some("crate::a"));
    assert_eq!(m("src/a/mod.rs").as_deref(), Some("crate::a"));
    assert_eq!(m("src/a/b.rs").as_deref(), Some("crate::a::b"));
    assert_eq!(m("src/a/b/mod.rs").as_deref(), Some("crate::a::b"));
    // Only the root's lib.rs/main.rs name the root module.
    assert_eq!(m("src/a/lib.rs").as_deref(), Some("crate::a::lib"));
    assert_eq!(m("src/a.txt"), None);
    assert_eq!(m("other/a.rs"), None);
    let other =
        crdgen::rust_module_path(Path::new("api"), Path::new("api/v1.rs"), "::my_api::types");
    assert_eq!(other.as_deref(), Some("::my_api::types::v1"));
}

#[test]
fn kinds_are_found_with_their_type_paths() {
    let root = source_tree("paths");
    let loaded = crdgen::load_rust_types(&[(root.join("src"), "crate".to_owned())]).expect("loads");
    let expected: crdgen::ExternalTypes = [
        (key("top.example.com", "v1", "Top"), "crate::Top"),
        (
            key("inner.example.com", "v1", "Inner"),
            "crate::inner::Inner",
        ),
        (key("a.example.com", "v1alpha1", "Alpha"), "crate::a::Alpha"),
        (key("b.example.com", "v1", "Beta"), "crate::b::Beta"),
        (
            key("c.example.com", "v2", "Gamma"),
            "crate::b::c::x::y::Gamma",
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k, v.to_owned()))
    .collect();
    assert_eq!(loaded.types, expected);
    assert_eq!(loaded.model.resources.len(), 5);
    // Each resource points at the file that declares it.
    let gamma = loaded
        .model
        .resources
        .iter()
        .find(|r| r.kind == "Gamma")
        .unwrap();
    assert!(
        gamma.file.ends_with("src/b/c.rs"),
        "{}",
        gamma.file.display()
    );
    assert_eq!(loaded.files.len(), 5, "{:?}", loaded.files);
    let _ = std::fs::remove_dir_all(root);
}

#[test]
fn reexports_and_the_client_layer_deterministically() {
    let root = source_tree("emit");
    let roots = [(root.join("src"), "crate".to_owned())];
    let settings = Settings::default();
    let text = |roots: &[(PathBuf, String)]| {
        crdgen::generate_rust_types(&[], roots, &settings, Some(&root))
            .expect("generates")
            .single_file()
            .expect("renders")
    };
    let first = text(&roots);
    assert_eq!(first, text(&roots), "same input, same bytes");
    for use_ in [
        "pub use crate::Top;",
        "pub use crate::inner::Inner;",
        "pub use crate::a::Alpha;",
        "pub use crate::b::Beta;",
        "pub use crate::b::c::x::y::Gamma;",
    ] {
        assert!(first.contains(use_), "{use_} in\n{first}");
    }
    // No type is defined again; the client layer is there.
    for kind in ["Top", "Inner", "Alpha", "Beta", "Gamma"] {
        assert!(!first.contains(&format!("pub struct {kind} ")), "{first}");
        assert!(
            !first.contains(&format!("pub struct {kind}Spec")),
            "{first}"
        );
    }
    for item in [
        "pub struct Clientset",
        "pub struct InformerFactory",
        "pub fn c_example_com_v2(",
        "pub fn gammas(",
        "pub enum CExampleComV2Kind",
        "scheme.add::<Gamma>()?;",
        "c_example_com::v2::add_to_scheme(scheme)?;",
    ] {
        assert!(first.contains(item), "{item} in\n{first}");
    }
    // Headers name the Rust files, relative to the base.
    assert!(first.starts_with("// @generated by crdgen"), "{first}");
    assert!(
        first.contains("src/b/c.rs"),
        "{}",
        first.lines().next().unwrap()
    );
    // The result parses as Rust.
    syn::parse_file(&first).expect("valid Rust");

    // The builder gives the same (it resolves against CARGO_MANIFEST_DIR only for
    // relative paths).
    let built = crdgen::Builder::new()
        .rust_types(root.join("src"), "crate")
        .generate()
        .expect("the builder generates")
        .single_file()
        .unwrap();
    let body = |t: &str| -> Vec<String> {
        t.lines()
            .filter(|l| !l.starts_with("// @generated") && !l.starts_with("//   "))
            .map(str::to_owned)
            .collect()
    };
    assert_eq!(body(&first), body(&built));
    let _ = std::fs::remove_dir_all(root);
}

#[test]
fn crd_kinds_and_rust_kinds_together_in_separate_group_versions() {
    let root = source_tree("mixed");
    let fixture =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/crds/multi-version.yaml");
    let out = crdgen::generate_rust_types(
        &[Source::Path(fixture)],
        &[(root.join("src"), "crate".to_owned())],
        &Settings::default(),
        None,
    )
    .expect("generates")
    .single_file()
    .expect("renders");
    // The CRD's kinds are defined, the Rust kinds re-exported, one clientset for all.
    assert!(out.contains("pub fn example_com_v1(&self)"), "{out}");
    assert!(out.contains("pub use crate::a::Alpha;"), "{out}");
    assert!(out.contains("pub fn a_example_com_v1alpha1("), "{out}");
    let _ = std::fs::remove_dir_all(root);
}

#[test]
fn a_group_version_mixing_rust_and_crd_kinds_is_refused() {
    let root = temp_dir("refused");
    write(&root, "src/lib.rs", &spec("example.com", "v1", "Other"));
    let fixture =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/crds/multi-version.yaml");
    let err = crdgen::generate_rust_types(
        &[Source::Path(fixture)],
        &[(root.join("src"), "crate".to_owned())],
        &Settings::default(),
        None,
    )
    .expect_err("refused");
    assert!(err.to_string().contains("example.com/v1 mixes"), "{err}");
    let _ = std::fs::remove_dir_all(root);
}

#[cfg(feature = "cli")]
#[test]
fn cli_generate_rust_types() {
    let root = source_tree("cli");
    let out = root.join("clients.rs");
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_crdgen"))
        .current_dir(&root)
        .args([
            "generate",
            "--rust-types",
            "src/",
            "--types-path",
            "crate",
            "-o",
            "clients.rs",
        ])
        .status()
        .expect("crdgen runs");
    assert!(status.success());
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.contains("pub use crate::b::c::x::y::Gamma;"), "{text}");
    assert!(text.contains("pub struct Clientset"), "{text}");
    let _ = std::fs::remove_dir_all(root);
}
