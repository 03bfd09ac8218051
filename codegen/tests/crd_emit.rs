//! Corpus CRDs survive load → emit → YAML → load (CI's subset by default,
//! `CRDGEN_CORPUS=all` for all 492): the regenerated document is
//! JSON-equal to the original, modulo what [`crdgen::emit::crd::normalize`] documents
//! (`status`, server-owned metadata, absent-equivalent forms, defaulted names).

use std::path::{Path, PathBuf};

use crdgen::emit::{crd, yaml};
use crdgen::input::yaml as reader;

mod support;
use support::{corpus, files};

fn original_json(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).expect("readable");
    let docs = reader::parse(&text, Default::default()).expect("valid YAML");
    docs.iter()
        .map(|d| d.root.to_json())
        .find(|j| j.get("kind").and_then(|k| k.as_str()) == Some("CustomResourceDefinition"))
        .expect("a CRD document")
}

#[test]
fn corpus_crds_round_trip_through_the_manifest_emitter() {
    let Some(dir) = corpus() else {
        eprintln!("corpus not found; skipped");
        return;
    };
    // CI runs its subset (tests/corpus/ci-subset.txt); CRDGEN_CORPUS=all runs all 492.
    let all = std::env::var("CRDGEN_CORPUS").is_ok_and(|v| v == "all");
    let subset = Some(support::ci_subset()).filter(|_| !all);
    let files: Vec<PathBuf> = files(&dir)
        .into_iter()
        .filter(|p| match &subset {
            None => true,
            Some(list) => {
                let rel = p.strip_prefix(dir.parent().unwrap_or(&dir)).unwrap_or(p);
                list.lines().any(|l| l.trim() == rel.to_string_lossy())
            }
        })
        .collect();
    let mut failures = Vec::new();
    for path in &files {
        let loaded = crdgen::input::load(&[crdgen::Source::Path(path.clone())])
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let res = &loaded.model.resources[0];
        let emitted = crd::crd_json(res);
        let text = yaml::to_yaml(&emitted);
        let back = reader::parse(&text, Default::default())
            .unwrap_or_else(|e| panic!("{}: emitted YAML does not parse: {e:?}", path.display()));
        let back = back[0].root.to_json();
        if back != emitted {
            failures.push(format!(
                "{}: YAML writer changed the document",
                path.display()
            ));
            continue;
        }
        // The emitted document must load into the same model.
        let again = crdgen::input::load_str("emitted.yaml", &text)
            .unwrap_or_else(|e| panic!("{}: emitted CRD does not load: {e}", path.display()));
        if crd::crd_json(&again[0]) != emitted {
            failures.push(format!("{}: reloading changes the model", path.display()));
        }
        let original = crd::normalize(&original_json(path));
        if crd::normalize(&back) != original {
            failures.push(format!("{}: differs from the original", path.display()));
        }
    }
    eprintln!(
        "{} of {} corpus CRDs equal after load → emit → YAML → load",
        files.len() - failures.len(),
        files.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
