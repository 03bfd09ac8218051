//! The dev corpus (`CRDGEN_CORPUS_DIR`, else `../shared/corpus`, else the vendored
//! subset `tests/corpus/data`):
//! - every `x-kubernetes-validations` rule of every CRD version compiles ("N compiled
//!   of N", counted by an independent walk of the schemas);
//! - every object the real server accepted (`truth/objects.tsv` status `ok`), in the
//!   form the server stored (`truth/stored`, pruned and defaulted as it was validated),
//!   passes its CRD's rules: no false rejection;
//! - every object the server refused with causes from CEL rules gets exactly those
//!   causes (compared with the message in `truth/objects.tsv`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crdgen_cel::Rules;
use serde_json::Value;

fn corpus_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("CRDGEN_CORPUS_DIR") {
        return PathBuf::from(d);
    }
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let shared = here.join("../../shared/corpus");
    if shared.is_dir() {
        shared
    } else {
        here.join("../tests/corpus/data")
    }
}

fn yaml_docs(path: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    match crdgen_yaml::parse(&text, crdgen_yaml::Limits::default()) {
        Ok(docs) => docs.iter().map(|d| d.root.to_json()).collect(),
        Err(_) => Vec::new(), // Helm templates: the server refused them too.
    }
}

fn tsv(path: &Path) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .skip(1)
        .map(|l| l.split('\t').map(str::to_owned).collect())
        .collect()
}

/// Rule entries under a schema, counted without crdgen-cel.
fn count_rules(s: &Value) -> usize {
    let Some(m) = s.as_object() else { return 0 };
    let mut n = m
        .get("x-kubernetes-validations")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    if let Some(p) = m.get("properties").and_then(Value::as_object) {
        n += p.values().map(count_rules).sum::<usize>();
    }
    for k in ["items", "additionalProperties"] {
        if let Some(c) = m.get(k) {
            n += count_rules(c);
        }
    }
    if let Some(all) = m.get("allOf").and_then(Value::as_array) {
        n += all.iter().map(count_rules).sum::<usize>();
    }
    n
}

fn rule_messages(s: &Value, out: &mut Vec<String>) {
    let Some(m) = s.as_object() else { return };
    for r in m
        .get("x-kubernetes-validations")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let Some(msg) = r.get("message").and_then(Value::as_str) {
            out.push(msg.trim().to_owned());
        }
    }
    for v in m.values() {
        rule_messages(v, out);
    }
}

struct Crd {
    versions: BTreeMap<String, Value>,
}

fn load_crd(dir: &Path, file: &str) -> Option<Crd> {
    let doc = yaml_docs(&dir.join(file))
        .into_iter()
        .find(|d| d["kind"] == "CustomResourceDefinition")?;
    let mut versions = BTreeMap::new();
    for v in doc["spec"]["versions"].as_array()? {
        let schema = v["schema"]["openAPIV3Schema"].clone();
        versions.insert(v["name"].as_str()?.to_owned(), schema);
    }
    Some(Crd { versions })
}

#[test]
fn every_corpus_rule_compiles() {
    let dir = corpus_dir();
    let crds = tsv(&dir.join("truth/crds.tsv"));
    let (mut total, mut compiled, mut versions) = (0usize, 0usize, 0usize);
    let mut failures = Vec::new();
    // Estimated costs: (cost, file version path) of every expression, schema totals.
    let (mut costs, mut totals, mut unsure) = (Vec::new(), Vec::new(), Vec::new());
    for row in &crds {
        let (file, status) = (&row[0], row.get(1).map_or("", String::as_str));
        let Some(crd) = load_crd(&dir, file) else {
            continue;
        };
        for (name, schema) in &crd.versions {
            versions += 1;
            let n = count_rules(schema);
            total += n;
            match Rules::compile(schema) {
                Ok(r) => {
                    assert_eq!(r.len(), n, "{file} {name}: rules counted");
                    compiled += n;
                    let c = r.costs();
                    unsure.extend(c.unsure.iter().map(|p| format!("{file} {name} {p}")));
                    totals.push((c.total, format!("{file} {name}")));
                    for (path, cost) in &c.expressions {
                        costs.push((*cost, format!("{file} {name} {path}")));
                    }
                }
                Err(errs) => {
                    let text: Vec<String> = errs.iter().map(ToString::to_string).collect();
                    failures.push(format!(
                        "{file} {name} (server: {status}): {}",
                        text.join("; ")
                    ));
                }
            }
        }
    }
    eprintln!(
        "CEL rules in the corpus ({} CRDs, {versions} versions): {compiled} compiled of {total}",
        crds.len()
    );
    costs.sort_by(|a, b| b.cmp(a));
    totals.sort_by(|a, b| b.cmp(a));
    eprintln!(
        "estimated costs: {} expressions estimated, {} not (a function or field the estimator does not type); limits {} per expression, {} per schema",
        costs.len(),
        unsure.len(),
        crdgen_cel::STATIC_ESTIMATED_COST_LIMIT,
        crdgen_cel::STATIC_ESTIMATED_CRD_COST_LIMIT
    );
    for (cost, at) in costs.iter().take(8) {
        eprintln!("  {cost:>12}  {at}");
    }
    for at in &unsure {
        eprintln!("  not estimated: {at}");
    }
    eprintln!("largest schema totals:");
    for (cost, at) in totals.iter().take(5) {
        eprintln!("  {cost:>12}  {at}");
    }
    assert!(total > 0, "no rules found in {}", dir.display());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The causes of a `The <Kind> "<name>" is invalid: ...` message.
fn causes(message: &str) -> Vec<String> {
    let Some((_, rest)) = message.split_once(" is invalid: ") else {
        return Vec::new();
    };
    if rest.starts_with("* ") || rest.starts_with("\\n* ") || rest.starts_with(" | * ") {
        rest.split("* ")
            .map(|c| c.trim().trim_end_matches('|').trim().to_owned())
            .filter(|c| !c.is_empty())
            .collect()
    } else {
        vec![rest.trim().to_owned()]
    }
}

#[test]
fn corpus_objects_get_the_servers_cel_verdict() {
    let dir = corpus_dir();
    let objects = tsv(&dir.join("OBJECTS.tsv"));
    let crd_of: BTreeMap<&str, &str> = objects
        .iter()
        .map(|r| (r[0].as_str(), r[5].as_str()))
        .collect();
    let truth = tsv(&dir.join("truth/objects.tsv"));
    let mut cache: BTreeMap<(String, String), Option<Rules>> = BTreeMap::new();
    let (mut accepted, mut with_rules, mut refused_cel, mut refused_equal) = (0, 0, 0, 0);
    let mut failures = Vec::new();
    for row in &truth {
        let (file, status, message) = (
            &row[0],
            row[1].as_str(),
            row.get(2).map_or("", String::as_str),
        );
        let Some(crd_file) = crd_of.get(file.as_str()) else {
            continue;
        };
        let object = if status == "ok" {
            let stored = dir
                .join("truth/stored")
                .join(format!("{}.json", file.trim_start_matches("objects/")));
            let Ok(text) = std::fs::read_to_string(&stored) else {
                continue;
            };
            serde_json::from_str::<Value>(&text).unwrap()
        } else {
            match yaml_docs(&dir.join(file)).into_iter().next() {
                Some(o) => o,
                None => continue,
            }
        };
        let version = object["apiVersion"]
            .as_str()
            .unwrap_or("")
            .rsplit('/')
            .next()
            .unwrap_or("")
            .to_owned();
        let key = (crd_file.to_string(), version.clone());
        let rules = cache.entry(key).or_insert_with(|| {
            let crd = load_crd(&dir, crd_file)?;
            Rules::compile(crd.versions.get(&version)?).ok()
        });
        let Some(rules) = rules.as_ref() else {
            continue;
        };
        let got: Vec<String> = rules
            .validate(&object, None)
            .iter()
            .map(ToString::to_string)
            .collect();
        if status == "ok" {
            accepted += 1;
            if !rules.is_empty() {
                with_rules += 1;
            }
            if !got.is_empty() {
                failures.push(format!("{file}: accepted by the server, refused: {got:?}"));
            }
            continue;
        }
        let crd = load_crd(&dir, crd_file).unwrap();
        let mut msgs = Vec::new();
        rule_messages(&crd.versions[&version], &mut msgs);
        let want: Vec<String> = causes(message)
            .into_iter()
            .filter(|c| {
                c.contains("failed rule: ")
                    || c.contains("evaluating rule: ")
                    || msgs.iter().any(|m| c.ends_with(m.as_str()))
            })
            .collect();
        if want.is_empty() && got.is_empty() {
            continue;
        }
        refused_cel += 1;
        if want == got {
            refused_equal += 1;
        } else {
            failures.push(format!(
                "{file}: server's CEL causes {want:?}, ours {got:?}"
            ));
        }
    }
    eprintln!(
        "accepted objects: {accepted} ({with_rules} with CEL rules) pass; objects refused by CEL rules: {refused_equal} of {refused_cel} with the server's causes"
    );
    assert!(
        accepted > 0,
        "no accepted objects found in {}",
        dir.display()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
