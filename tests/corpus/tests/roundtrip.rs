//! Typed round trips over the corpus: JSON → generated type → JSON must give back the
//! document as the API server would store it (unknown fields pruned, defaults
//! applied, everything under x-kubernetes-preserve-unknown-fields kept whole).
//!
//! Two sources of documents:
//! - the example objects of `OBJECTS.tsv` whose CRD was generated (see build.rs);
//! - a synthesized sample per generated kind, filling every declared field.
//!
//! Prints a report; fails if any document does not round-trip.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_json::{Map, Value};

fn corpus_dir() -> PathBuf {
    std::env::var_os("CRDGEN_CORPUS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus"))
}

fn yaml_docs(path: &std::path::Path) -> Vec<Value> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    crdgen::input::yaml::parse(&text, Default::default())
        .unwrap_or_else(|e| panic!("{}: {e:?}", path.display()))
        .iter()
        .map(|d| d.root.to_json())
        .collect()
}

/// One version of a corpus CRD.
struct VersionSchema {
    schema: Value,
    served: bool,
}

/// (group, version, kind) → schema and served flag, for every CRD file in the corpus.
fn schemas() -> BTreeMap<(String, String, String), VersionSchema> {
    let mut out = BTreeMap::new();
    let mut stack = vec![corpus_dir().join("crds")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            for crd in yaml_docs(&p) {
                let spec = &crd["spec"];
                let group = spec["group"].as_str().unwrap_or_default().to_owned();
                let kind = spec["names"]["kind"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned();
                for v in spec["versions"].as_array().into_iter().flatten() {
                    let name = v["name"].as_str().unwrap_or_default().to_owned();
                    let schema = v["schema"]["openAPIV3Schema"].clone();
                    let served = v["served"].as_bool().unwrap_or(false);
                    out.insert(
                        (group.clone(), name, kind.clone()),
                        VersionSchema { schema, served },
                    );
                }
            }
        }
    }
    out
}

/// What the API server would store: unknown fields pruned, defaults applied, and
/// `metadata` as the server's typed ObjectMeta keeps it (e.g. a `null` timestamp gone).
fn as_stored(mut obj: Value, schema: &Value) -> Value {
    crdgen_runtime::schema::prune(&mut obj, schema);
    crdgen_runtime::schema::apply_defaults(&mut obj, schema);
    if let Some(meta) = obj.get_mut("metadata") {
        type Meta = k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
        if let Ok(typed) = serde_json::from_value::<Meta>(meta.clone()) {
            *meta = serde_json::to_value(typed).expect("ObjectMeta serializes");
        }
    }
    obj
}

/// JSON equality where numbers compare by value (`1` equals `1.0`).
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x == y || x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

/// The first place two documents differ, for the report.
fn first_difference(path: &str, a: &Value, b: &Value) -> String {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for (k, v) in x {
                match y.get(k) {
                    None => return format!("{path}.{k}: dropped (was {})", short(v)),
                    Some(w) if !same(v, w) => {
                        return first_difference(&format!("{path}.{k}"), v, w);
                    }
                    _ => {}
                }
            }
            for (k, w) in y {
                if !x.contains_key(k) {
                    return format!("{path}.{k}: added ({})", short(w));
                }
            }
            format!("{path}: differs")
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (v, w)) in x.iter().zip(y).enumerate() {
                if !same(v, w) {
                    return first_difference(&format!("{path}[{i}]"), v, w);
                }
            }
            format!("{path}: differs")
        }
        _ => format!("{path}: expected {} got {}", short(a), short(b)),
    }
}

fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.len() > 80 {
        format!("{}…", &s[..80])
    } else {
        s
    }
}

/// A document with every declared field filled (depth-limited), values chosen to be
/// valid for the type (enums, formats, int-or-string), unknown fields added where the
/// schema preserves them.
fn sample(schema: &Value, depth: usize, seed: &mut u64) -> Value {
    sample_at(schema, depth, seed, true)
}

fn sample_at(schema: &Value, depth: usize, seed: &mut u64, root: bool) -> Value {
    *seed = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let flag = |s: &Value, k: &str| s.get(k).and_then(Value::as_bool).unwrap_or(false);
    if let Some(Value::Array(values)) = schema.get("enum") {
        if let Some(v) = values.iter().find(|v| !v.is_null()) {
            return v.clone();
        }
    }
    if flag(schema, "x-kubernetes-int-or-string") {
        return if *seed % 2 == 0 {
            Value::from(8080)
        } else {
            Value::from("50%")
        };
    }
    // A typeless schema: take the type its items or its first oneOf/anyOf branch implies.
    let branch_type = ["oneOf", "anyOf"]
        .iter()
        .filter_map(|k| schema.get(*k)?.as_array()?.first()?.get("type")?.as_str())
        .next();
    let ty = schema
        .get("type")
        .and_then(Value::as_str)
        .or_else(|| schema.get("items").map(|_| "array"))
        .or(branch_type);
    match ty {
        Some("string") => match schema.get("format").and_then(Value::as_str) {
            Some("date-time") => Value::from("2024-01-02T03:04:05Z"),
            Some("date") => Value::from("2024-01-02"),
            Some("byte") => Value::from("aGVsbG8="),
            Some("int-or-string") => Value::from("1"),
            _ => Value::from("sample"),
        },
        Some("integer") => Value::from(
            schema
                .get("minimum")
                .and_then(Value::as_i64)
                .unwrap_or(3)
                .max(1),
        ),
        Some("number") => Value::from(1.5),
        Some("boolean") => Value::from(true),
        Some("array") => {
            let min_items = schema.get("minItems").and_then(Value::as_u64).unwrap_or(0);
            if depth == 0 && min_items == 0 {
                return Value::Array(Vec::new());
            }
            match schema.get("items") {
                // The server keeps unknown fields of the items of an array that
                // preserves them (its pruning recurses into items without pruning):
                // put some there too.
                Some(items)
                    if flag(schema, "x-kubernetes-preserve-unknown-fields")
                        && items.is_object()
                        && !flag(items, "x-kubernetes-preserve-unknown-fields") =>
                {
                    let mut items = items.clone();
                    items["x-kubernetes-preserve-unknown-fields"] = Value::Bool(true);
                    Value::Array(vec![sample_at(
                        &items,
                        depth.saturating_sub(1),
                        seed,
                        false,
                    )])
                }
                Some(items) => {
                    Value::Array(vec![sample_at(items, depth.saturating_sub(1), seed, false)])
                }
                None => Value::Array(vec![Value::from("any")]),
            }
        }
        _ => {
            let mut m = Map::new();
            let props = schema.get("properties").and_then(Value::as_object);
            // Past the depth limit only required fields are filled (a valid object).
            let required: Vec<&str> = schema
                .get("required")
                .and_then(Value::as_array)
                .map(|r| r.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            if let Some(props) = props {
                for (k, ps) in props {
                    if root && matches!(k.as_str(), "apiVersion" | "kind" | "metadata") {
                        continue;
                    }
                    if depth > 0 || required.contains(&k.as_str()) {
                        m.insert(
                            k.clone(),
                            sample_at(ps, depth.saturating_sub(1), seed, false),
                        );
                    }
                }
            }
            if depth > 0 {
                if let Some(ap) = schema.get("additionalProperties") {
                    if ap.is_object() {
                        m.insert("key".into(), sample_at(ap, depth - 1, seed, false));
                    } else if ap == &Value::Bool(true) {
                        m.insert("key".into(), serde_json::json!({"any": [1, "x"]}));
                    }
                }
            }
            // With an `additionalProperties` schema no field is unknown: every key must
            // fit that schema, preserved or not.
            if flag(schema, "x-kubernetes-preserve-unknown-fields")
                && !schema
                    .get("additionalProperties")
                    .is_some_and(Value::is_object)
            {
                m.insert(
                    "unlistedField".into(),
                    serde_json::json!({"kept": [1, 2.5, null, "x"]}),
                );
            }
            if flag(schema, "x-kubernetes-embedded-resource") {
                m.insert("apiVersion".into(), Value::from("v1"));
                m.insert("kind".into(), Value::from("ConfigMap"));
                m.insert("metadata".into(), serde_json::json!({"name": "embedded"}));
            }
            if ty.is_none()
                && props.is_none()
                && !flag(schema, "x-kubernetes-preserve-unknown-fields")
            {
                return serde_json::json!({"free": "form"});
            }
            Value::Object(m)
        }
    }
}

/// One line of the machine-readable report (`CRDGEN_CORPUS_REPORT`): tab-separated
/// outcome, document and detail. Outcomes: `pass`, `invalid` (the API server would
/// reject the object), `unserved` (its version is not served), `fail` (a crdgen bug),
/// `sample-pass`, `sample-fail`.
fn record(report: &mut Vec<String>, outcome: &str, what: &str, detail: &str) {
    let detail = detail.replace(['\t', '\n'], " ");
    report.push(format!("{outcome}\t{what}\t{detail}"));
}

#[test]
fn corpus_round_trips() {
    if crdgen_corpus_tests::KINDS.is_empty() {
        eprintln!(
            "corpus round trip: nothing generated (corpus missing or CRDGEN_CORPUS=none); skipped"
        );
        return;
    }
    let schemas = schemas();
    let mut failures: Vec<String> = Vec::new();
    let mut report: Vec<String> = Vec::new();

    // 1. Example objects.
    let tsv = std::fs::read_to_string(corpus_dir().join("OBJECTS.tsv")).unwrap();
    let (mut objects, mut passed, mut not_generated) = (0, 0, 0);
    let mut invalid: Vec<String> = Vec::new();
    let mut unserved = Vec::new();
    for line in tsv.lines().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        let (file, group, version, kind, has_version) =
            (cols[0], cols[2], cols[3], cols[4], cols[6]);
        let found = schemas.get(&(group.to_owned(), version.to_owned(), kind.to_owned()));
        let Some(found) = found.filter(|f| has_version == "True" && f.served) else {
            let why = if found.is_some() {
                "served: false"
            } else {
                "version absent from the CRD"
            };
            let what = format!("{file} ({group}/{version} {kind}: {why})");
            record(&mut report, "unserved", file, &what);
            unserved.push(what);
            continue;
        };
        let schema = &found.schema;
        for obj in yaml_docs(&corpus_dir().join(file)) {
            let api_version = obj["apiVersion"].as_str().unwrap_or_default().to_owned();
            let Some(result) = crdgen_corpus_tests::roundtrip(&api_version, kind, obj.clone())
            else {
                not_generated += 1;
                continue;
            };
            objects += 1;
            let expected = as_stored(obj, schema);
            let outcome = match &result {
                Ok(actual) if same(&expected, actual) => Ok(()),
                Ok(actual) => Err(first_difference("", &expected, actual)),
                Err(e) => Err(e.clone()),
            };
            // What the server checks after pruning and defaulting: an object it refuses
            // is not one the types must accept (reported, not counted as a failure).
            let problems = crdgen_runtime::schema::validate(&expected, schema);
            if let Some(problem) = problems.first() {
                let typed = match &outcome {
                    Ok(()) => "the typed round trip still passes".to_owned(),
                    Err(e) => format!("typed: {e}"),
                };
                let more = if problems.len() > 1 {
                    format!(" (+{} more)", problems.len() - 1)
                } else {
                    String::new()
                };
                let what = format!("{file}: the server says: {problem}{more}; {typed}");
                record(&mut report, "invalid", file, &what);
                invalid.push(what);
                continue;
            }
            match outcome {
                Ok(()) => {
                    passed += 1;
                    record(&mut report, "pass", file, "");
                }
                Err(e) => {
                    record(&mut report, "fail", file, &e);
                    failures.push(format!("{file}: {e}"));
                }
            }
        }
    }

    // 2. A synthesized sample of every generated kind.
    let mut samples = 0;
    let mut samples_passed = 0;
    for (group, version, kind) in crdgen_corpus_tests::KINDS {
        let Some(found) = schemas.get(&(group.to_string(), version.to_string(), kind.to_string()))
        else {
            continue;
        };
        let schema = &found.schema;
        let mut seed = 7;
        let mut obj = sample(schema, 12, &mut seed);
        let api_version = if group.is_empty() {
            version.to_string()
        } else {
            format!("{group}/{version}")
        };
        obj["apiVersion"] = Value::from(api_version.clone());
        obj["kind"] = Value::from(*kind);
        obj["metadata"] = serde_json::json!({"name": "sample", "labels": {"a": "b"}});
        let expected = as_stored(obj.clone(), schema);
        samples += 1;
        let what = format!("{api_version} {kind}");
        match crdgen_corpus_tests::roundtrip(&api_version, kind, obj)
            .expect("every generated kind dispatches")
        {
            Ok(actual) if same(&expected, &actual) => {
                samples_passed += 1;
                record(&mut report, "sample-pass", &what, "");
            }
            Ok(actual) => {
                let e = first_difference("", &expected, &actual);
                record(&mut report, "sample-fail", &what, &e);
                failures.push(format!("sample {what}: {e}"));
            }
            Err(e) => {
                record(&mut report, "sample-fail", &what, &e);
                failures.push(format!("sample {what}: {e}"));
            }
        }
    }

    if let Some(path) = std::env::var_os("CRDGEN_CORPUS_REPORT") {
        let mut text = report.join("\n");
        text.push('\n');
        std::fs::write(&path, text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }

    eprintln!("corpus round trip report");
    eprintln!("  generated kinds: {}", crdgen_corpus_tests::KINDS.len());
    eprintln!(
        "  schema-valid example objects round-tripped: {passed}/{} (plus {not_generated} whose CRD is not in this selection)",
        objects - invalid.len()
    );
    eprintln!("  synthesized samples round-tripped: {samples_passed}/{samples}");
    eprintln!(
        "  example objects the API server would reject as invalid ({}):",
        invalid.len()
    );
    for i in &invalid {
        eprintln!("    {i}");
    }
    eprintln!(
        "  objects using a version their CRD does not serve ({}):",
        unserved.len()
    );
    for u in &unserved {
        eprintln!("    {u}");
    }
    for f in &failures {
        eprintln!("  FAIL {f}");
    }
    assert!(
        failures.is_empty(),
        "{} documents did not round-trip (see the report above)",
        failures.len()
    );
}
