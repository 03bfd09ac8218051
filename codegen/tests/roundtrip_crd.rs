//! The second direction, over the corpus: CRD YAML → model → annotated Rust (text) →
//! Rust front end → model → CRD, compared with the original CRD as the API server
//! would see it ([`crdgen::emit::crd::normalize`]; version order is not significant).
//!
//! Every CRD that differs is listed with its first differing paths; the test fails
//! when fewer than `CRDGEN_ROUNDTRIP_MIN` (default: all) of the CRDs run are equal.
//! By default it runs CI's subset (`tests/corpus/ci-subset.txt`); `CRDGEN_CORPUS=all`
//! runs all 492; `CRDGEN_ROUNDTRIP_FILTER=<substring>` restricts to matching files.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crdgen::emit::crd;
use serde_json::Value;

mod support;
use support::{corpus, files};

/// The document as compared: normalized, versions sorted by name.
fn comparable(doc: &Value) -> Value {
    let mut doc = crd::normalize(doc);
    if let Some(Value::Array(versions)) = doc.pointer_mut("/spec/versions") {
        versions.sort_by(|a, b| {
            let name = |v: &Value| {
                v.get("name")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_owned()
            };
            name(a).cmp(&name(b))
        });
    }
    doc
}

/// Paths where two JSON values differ.
fn diff(a: &Value, b: &Value, path: &str, out: &mut Vec<String>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for (k, v) in x {
                match y.get(k) {
                    Some(w) => diff(v, w, &format!("{path}/{k}"), out),
                    None => out.push(format!("{path}/{k}: missing after the round trip")),
                }
            }
            for k in y.keys().filter(|k| !x.contains_key(*k)) {
                out.push(format!("{path}/{k}: added by the round trip"));
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (v, w)) in x.iter().zip(y).enumerate() {
                diff(v, w, &format!("{path}/{i}"), out);
            }
        }
        _ if a != b => out.push(format!("{path}: {} → {}", short(a), short(b))),
        _ => {}
    }
}

fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.len() > 80 {
        format!(
            "{}…",
            &s[..s.char_indices().nth(77).map_or(s.len(), |(i, _)| i)]
        )
    } else {
        s
    }
}

fn original(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).expect("readable");
    let docs = crdgen::input::yaml::parse(&text, Default::default()).expect("valid YAML");
    docs.iter()
        .map(|d| d.root.to_json())
        .find(|j| j.get("kind").and_then(Value::as_str) == Some("CustomResourceDefinition"))
        .expect("a CRD document")
}

/// `Ok(())` when equal, else the differences.
fn round_trip(path: &Path) -> Result<(), Vec<String>> {
    let loaded = crdgen::input::load(&[crdgen::Source::Path(path.to_path_buf())])
        .map_err(|e| vec![format!("load: {e}")])?;
    let settings = crdgen::Settings {
        annotated: true,
        clients: false,
        ..Default::default()
    };
    let out = crdgen::generate_model(&loaded.model, &settings, None)
        .map_err(|e| vec![format!("generate: {e}")])?;
    let text = out
        .single_file()
        .map_err(|e| vec![format!("render: {e}")])?;
    let source = crdgen::rust_input::RustSource {
        path: PathBuf::from("annotated.rs"),
        text,
    };
    let model =
        crdgen::rust_input::load(&[source]).map_err(|e| vec![format!("Rust front end: {e}")])?;
    if model.resources.len() != 1 {
        return Err(vec![format!(
            "{} CRDs from Rust, expected 1",
            model.resources.len()
        )]);
    }
    let back = comparable(&crd::crd_json(&model.resources[0]));
    let orig = comparable(&original(path));
    let mut d = Vec::new();
    diff(&orig, &back, "", &mut d);
    if d.is_empty() { Ok(()) } else { Err(d) }
}

#[test]
fn corpus_crds_round_trip_through_annotated_rust() {
    let Some(dir) = corpus() else {
        eprintln!("corpus not found; skipped");
        return;
    };
    let filter = std::env::var("CRDGEN_ROUNDTRIP_FILTER").unwrap_or_default();
    let all = std::env::var("CRDGEN_CORPUS").is_ok_and(|v| v == "all");
    let subset = Some(support::ci_subset()).filter(|_| !all);
    let files: Vec<PathBuf> = files(&dir)
        .into_iter()
        .filter(|p| p.to_string_lossy().contains(&filter))
        .filter(|p| match &subset {
            None => true,
            Some(list) => {
                let rel = p.strip_prefix(dir.parent().unwrap_or(&dir)).unwrap_or(p);
                list.lines().any(|l| l.trim() == rel.to_string_lossy())
            }
        })
        .collect();
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let chunks: Vec<&[PathBuf]> = files.chunks(files.len().div_ceil(threads).max(1)).collect();
    let results: Vec<(PathBuf, Result<(), Vec<String>>)> = std::thread::scope(|s| {
        let handles: Vec<_> = chunks
            .iter()
            .map(|chunk| {
                s.spawn(move || {
                    chunk
                        .iter()
                        .map(|p| (p.clone(), round_trip(p)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("no panic"))
            .collect()
    });
    let mut categories: BTreeMap<String, usize> = BTreeMap::new();
    let mut equal = 0;
    for (path, r) in &results {
        match r {
            Ok(()) => equal += 1,
            Err(diffs) => {
                let rel = path.strip_prefix(&dir).unwrap_or(path);
                eprintln!("DIFF {} ({} paths)", rel.display(), diffs.len());
                for d in diffs.iter().take(5) {
                    eprintln!("    {d}");
                }
                for d in diffs {
                    let key = d
                        .split(": ")
                        .next()
                        .unwrap_or("")
                        .rsplit('/')
                        .next()
                        .unwrap_or("")
                        .to_owned();
                    let what = d
                        .split(": ")
                        .nth(1)
                        .unwrap_or("")
                        .split(' ')
                        .next()
                        .unwrap_or("")
                        .to_owned();
                    *categories.entry(format!("{key} ({what})")).or_default() += 1;
                }
            }
        }
    }
    eprintln!("difference categories (last path segment, kind): {categories:#?}");
    eprintln!(
        "ROUND TRIP: {equal} of {} corpus CRDs equal after YAML → annotated Rust → CRD",
        results.len()
    );
    let min = std::env::var("CRDGEN_ROUNDTRIP_MIN")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(results.len());
    assert!(
        equal >= min,
        "{equal} of {} equal, expected at least {min}",
        results.len()
    );
}
