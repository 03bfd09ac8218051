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
fn goldens_are_rustfmt_clean() {
    let available = std::process::Command::new("rustfmt")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !available {
        eprintln!("rustfmt is not installed; skipped");
        return;
    }
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
