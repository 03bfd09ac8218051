//! Golden tests: every CRD under `fixtures/crds/` generates exactly `expected/<case>.rs`.
//! Regenerate with `EXPECTORATE=overwrite cargo test -p crdgen-tests --test golden`
//! and review the diff. The goldens are compiled by this crate's `src/lib.rs`.

use std::path::{Path, PathBuf};

fn fixtures() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/crds");
    let mut out: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("fixtures/crds exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    out.sort();
    out
}

fn generate(path: &Path) -> String {
    let base = Path::new(env!("CARGO_MANIFEST_DIR"));
    let loaded =
        crdgen::input::load(&[crdgen::Source::Path(path.to_path_buf())]).expect("fixture loads");
    let out = crdgen::generate_model(&loaded.model, &crdgen::Settings::default(), Some(base))
        .expect("fixture generates");
    out.single_file().expect("renders")
}

fn case_name(path: &Path) -> String {
    path.file_stem()
        .unwrap()
        .to_string_lossy()
        .replace('-', "_")
}

#[test]
fn goldens_match() {
    let fixtures = fixtures();
    assert!(fixtures.len() >= 8, "fixtures are missing");
    for path in fixtures {
        let expected = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("expected")
            .join(format!("{}.rs", case_name(&path)));
        expectorate::assert_contents(&expected, &generate(&path));
    }
}

#[test]
fn every_golden_is_compiled() {
    let lib = include_str!("../src/lib.rs");
    for path in fixtures() {
        let needle = format!("expected/{}.rs", case_name(&path));
        assert!(
            lib.contains(&needle),
            "src/lib.rs does not compile {needle}; add a module for it"
        );
    }
}

#[test]
fn output_is_deterministic() {
    for path in fixtures() {
        assert_eq!(
            generate(&path),
            generate(&path),
            "{} differs between runs",
            path.display()
        );
    }
}

#[test]
fn non_crd_documents_are_skipped_with_a_note() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/crds/multi-version.yaml");
    let loaded = crdgen::input::load(&[crdgen::Source::Path(path)]).unwrap();
    assert_eq!(loaded.model.resources.len(), 2);
    assert_eq!(loaded.notes.len(), 1);
    assert!(
        loaded.notes[0]
            .message
            .contains("`ConfigMap` is not a CustomResourceDefinition"),
        "{:?}",
        loaded.notes
    );
}

#[test]
#[cfg_attr(not(rustfmt_available), ignore = "rustfmt is not installed")]
fn goldens_are_rustfmt_clean() {
    for path in fixtures() {
        let expected = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("expected")
            .join(format!("{}.rs", case_name(&path)));
        let out = std::process::Command::new("rustfmt")
            .args(["--edition", "2024", "--check"])
            .arg(&expected)
            .current_dir(std::env::temp_dir())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{} is not rustfmt-clean:\n{}",
            expected.display(),
            String::from_utf8_lossy(&out.stdout)
        );
    }
}

/// Descriptions and shapes that clippy used to flag in generated code: list items
/// continued by unindented lines (`doc_lazy_continuation`), tabs
/// (`tabs_in_doc_comments`) and deeply nested maps and lists (`type_complexity`).
const CLIPPY_CASES: &str = r#"
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: gadgets.clippy.example.com
spec:
  group: clippy.example.com
  names: {kind: Gadget, plural: gadgets, singular: gadget, listKind: GadgetList}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        description: "A gadget.\nPossible values are:\n- In: the value is in\n  the set.\n- NotIn: the value is not\nin the set.\n1) run as Privileged\n2) has CAP_SYS_ADMIN\n   Note that this field cannot be set on windows.\n\n+ plus item\ncontinued\n\nAfter\tthe\tlist.\n```\ncode\twith tab\n```"
        properties:
          spec:
            type: object
            properties:
              labels:
                description: "A DomainMap:\n- maps domains\nto arrays of label groups."
                type: object
                additionalProperties:
                  type: array
                  items:
                    type: object
                    additionalProperties:
                      type: array
                      items:
                        type: string
              matrix:
                type: array
                default: []
                items:
                  type: array
                  items:
                    type: object
                    additionalProperties:
                      type: array
                      items:
                        type: object
                        additionalProperties:
                          type: string
"#;

/// Corpus CRDs (`CRDGEN_CORPUS_DIR`, default `../shared/corpus`) whose generated code
/// had clippy findings; used when the corpus is there.
const CLIPPY_CORPUS: &[&str] = &[
    "crds/emissary/getambassador.io_mappings.yaml",
    "crds/zalando-postgres-operator/acid.zalan.do_postgresqls.yaml",
    "crds/knative-serving/networking.internal.knative.dev_ingresses.yaml",
    "crds/chaos-mesh/chaos-mesh.org_schedules.yaml",
];

/// Generated code (the cases above, every golden fixture and, when present, the
/// corpus CRDs above) passes `cargo clippy -- -D warnings`. Slow the first time (it
/// checks kube and k8s-openapi):
/// `cargo test -p crdgen-tests --test golden -- --ignored clippy`.
#[test]
#[ignore = "runs cargo clippy on a generated crate (minutes on a cold cache)"]
fn generated_code_is_clippy_clean() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let work = Path::new(env!("CARGO_TARGET_TMPDIR")).join("clippy-generated");
    let _ = std::fs::remove_dir_all(work.join("src"));
    std::fs::create_dir_all(work.join("src")).unwrap();
    let mut sources = vec![crdgen::Source::Text {
        name: "clippy-cases.yaml".into(),
        text: CLIPPY_CASES.into(),
    }];
    sources.extend(fixtures().into_iter().map(crdgen::Source::Path));
    let corpus = std::env::var_os("CRDGEN_CORPUS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("../shared/corpus"));
    for rel in CLIPPY_CORPUS {
        let path = corpus.join(rel);
        if path.is_file() {
            sources.push(crdgen::Source::Path(path));
        } else {
            eprintln!("{} is missing; skipped", path.display());
        }
    }
    // One module per source: fixtures may define the same kinds.
    let mut lib = String::from("#![deny(warnings)]\n");
    for (i, source) in sources.iter().enumerate() {
        let text = crdgen::generate(std::slice::from_ref(source), &crdgen::Settings::default())
            .and_then(|o| o.single_file())
            .unwrap_or_else(|e| panic!("{source:?} generates: {e}"));
        std::fs::write(work.join(format!("src/case{i}.rs")), text).unwrap();
        lib.push_str(&format!(
            "pub mod case{i} {{ include!(\"case{i}.rs\"); }}\n"
        ));
    }
    std::fs::write(work.join("src/lib.rs"), lib).unwrap();
    std::fs::write(
        work.join("Cargo.toml"),
        format!(
            "[package]\nname = \"clippy-generated\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\
             [dependencies]\ncrdgen-runtime = {{ path = {:?} }}\n\
             k8s-openapi = {{ version = \"0.29\", features = [\"v1_36\"] }}\n[workspace]\n",
            root.join("runtime").canonicalize().unwrap()
        ),
    )
    .unwrap();
    let _ = std::fs::copy(root.join("Cargo.lock"), work.join("Cargo.lock"));
    let out =
        std::process::Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
            .args(["clippy", "--quiet", "--offline", "--", "-D", "warnings"])
            .current_dir(&work)
            .env("CARGO_TARGET_DIR", work.join("target"))
            .output()
            .expect("cargo runs");
    assert!(
        out.status.success(),
        "clippy finds problems in generated code:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The goldens' docs (CRD descriptions kept as Markdown) build without a rustdoc
/// warning. Runs `RUSTDOCFLAGS="-D warnings" cargo doc -p crdgen-tests --no-deps`.
#[test]
#[ignore = "runs cargo doc on this crate (a minute on a warm cache)"]
fn goldens_document_without_warnings() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let out = std::process::Command::new(cargo)
        .args(["doc", "-p", "crdgen-tests", "--no-deps"])
        .env("RUSTDOCFLAGS", "-D warnings")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo runs");
    assert!(
        out.status.success(),
        "cargo doc failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
