//! `crd()` from `#[derive(CrdSchema)]`, checked three ways:
//!
//! - equal to what `crdgen crd` (the syn front end, `crdgen::rust_input`) builds from the
//!   same source, for the example kinds (`src/kinds.rs`) and for the annotated form of
//!   every golden fixture;
//! - equal to the original fixture CRD (as the API server would see it);
//! - structural (the API server's rules), and the example kinds' manifests are goldens
//!   (`expected/*.yaml`; regenerate with `EXPECTORATE=overwrite`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crdgen_derive_tests::{fixtures, kinds};
use crdgen_runtime::crd_schema::merge_crds;
use crdgen_runtime::k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use serde_json::Value;

/// The document as compared: normalized as the API server would see it
/// (`crdgen::emit::crd::normalize`), versions sorted by name.
fn comparable(doc: &Value) -> Value {
    let mut doc = crdgen::emit::crd::normalize(doc);
    if let Some(Value::Array(versions)) = doc.pointer_mut("/spec/versions") {
        versions.sort_by_key(|v| {
            v.get("name")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned()
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
                    None => out.push(format!("{path}/{k}: only in the first")),
                }
            }
            for k in y.keys().filter(|k| !x.contains_key(*k)) {
                out.push(format!("{path}/{k}: only in the second"));
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (v, w)) in x.iter().zip(y).enumerate() {
                diff(v, w, &format!("{path}/{i}"), out);
            }
        }
        // k8s-openapi keeps `minimum` & co. as `f64`: `1` and `1.0` are the same number.
        (Value::Number(x), Value::Number(y)) if x.as_f64() == y.as_f64() => {}
        _ if a != b => out.push(format!("{path}: {a} ≠ {b}")),
        _ => {}
    }
}

fn to_json(crd: &CustomResourceDefinition) -> Value {
    serde_json::to_value(crd).expect("a CRD serializes")
}

/// The derive's CRDs merged by name.
fn merged(crds: Vec<CustomResourceDefinition>) -> BTreeMap<String, Value> {
    let mut by_name: BTreeMap<String, Vec<CustomResourceDefinition>> = BTreeMap::new();
    for c in crds {
        by_name
            .entry(c.metadata.name.clone().unwrap_or_default())
            .or_default()
            .push(c);
    }
    by_name
        .into_iter()
        .map(|(name, list)| {
            let crd = merge_crds(list).unwrap_or_else(|e| panic!("{name}: {e}"));
            (name, to_json(&crd))
        })
        .collect()
}

/// The CLI front end's CRDs from Rust source, by name.
fn from_cli(name: &str, text: &str) -> BTreeMap<String, Value> {
    let source = crdgen::rust_input::RustSource {
        path: PathBuf::from(name),
        text: text.to_owned(),
    };
    crdgen::rust_input::crds_from_sources(&[source])
        .unwrap_or_else(|e| panic!("{name}: {e}"))
        .into_iter()
        .map(|c| {
            let n = c
                .pointer("/metadata/name")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            (n, c)
        })
        .collect()
}

fn assert_same(what: &str, a: &BTreeMap<String, Value>, b: &BTreeMap<String, Value>) {
    assert_eq!(
        a.keys().collect::<Vec<_>>(),
        b.keys().collect::<Vec<_>>(),
        "{what}: different CRDs"
    );
    for (name, x) in a {
        let mut d = Vec::new();
        diff(&comparable(x), &comparable(&b[name]), "", &mut d);
        assert!(d.is_empty(), "{what}: {name} differs:\n{}", d.join("\n"));
    }
}

fn example_crds() -> Vec<CustomResourceDefinition> {
    vec![
        kinds::Widget::crd(),
        kinds::gizmo::Gizmo::crd(),
        kinds::gizmo::v1alpha1::Gizmo::crd(),
        kinds::listener::Listener::crd(),
    ]
}

#[test]
fn example_kinds_equal_the_cli_front_end() {
    let derived = merged(example_crds());
    let cli = from_cli("src/kinds.rs", include_str!("../src/kinds.rs"));
    assert_same("src/kinds.rs", &derived, &cli);
    assert_eq!(derived.len(), 3);
    eprintln!(
        "EXAMPLES: {} CRDs from src/kinds.rs equal to the CLI's",
        derived.len()
    );
}

/// One fixture module: its file, annotated source and the derive's CRDs.
type Fixture = (
    &'static str,
    &'static str,
    fn() -> Vec<CustomResourceDefinition>,
);

fn fixtures() -> Vec<Fixture> {
    macro_rules! list {
        ($($m:ident),*) => {
            vec![$((fixtures::$m::FIXTURE, fixtures::$m::SOURCE, fixtures::$m::derived_crds as fn() -> _)),*]
        };
    }
    list!(
        docs,
        enums_and_unions,
        multi_version,
        nested_objects,
        presence_and_defaults,
        preserve_intorstring_embedded,
        scalars_lists_maps,
        well_known_types
    )
}

fn original(file: &str) -> BTreeMap<String, Value> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures/crds")
        .join(file);
    let text = std::fs::read_to_string(&path).expect("readable fixture");
    let docs = crdgen::input::yaml::parse(&text, Default::default()).expect("valid YAML");
    docs.iter()
        .map(|d| d.root.to_json())
        .filter(|j| j.get("kind").and_then(Value::as_str) == Some("CustomResourceDefinition"))
        .map(|j| {
            let n = j
                .pointer("/metadata/name")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            (n, j)
        })
        .collect()
}

#[test]
fn every_fixture_is_compiled() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/crds");
    let count = std::fs::read_dir(dir)
        .expect("fixtures")
        .filter(|e| {
            e.as_ref()
                .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "yaml"))
        })
        .count();
    assert_eq!(
        count,
        fixtures().len(),
        "add the new fixture to `fixtures()`"
    );
}

#[test]
fn fixtures_derive_equals_the_cli_and_the_original() {
    let mut equal_cli = 0;
    let mut equal_original = 0;
    let mut failures = Vec::new();
    for (file, source, crds) in fixtures() {
        let derived = merged(crds());
        let cli = from_cli(file, source);
        let orig = original(file);
        for (what, other) in [("CLI", &cli), ("original", &orig)] {
            let mut d = Vec::new();
            if derived.keys().ne(other.keys()) {
                d.push(format!(
                    "CRDs {:?} vs {:?}",
                    derived.keys().collect::<Vec<_>>(),
                    other.keys().collect::<Vec<_>>()
                ));
            } else {
                for (name, x) in &derived {
                    diff(&comparable(x), &comparable(&other[name]), name, &mut d);
                }
            }
            if d.is_empty() {
                if what == "CLI" {
                    equal_cli += 1;
                } else {
                    equal_original += 1;
                }
            } else {
                failures.push(format!("{file} vs {what}:\n  {}", d.join("\n  ")));
            }
        }
    }
    eprintln!(
        "FIXTURES: derive = CLI for {equal_cli} of {n}, derive = original for {equal_original} of {n}",
        n = fixtures().len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn derived_crds_are_structural() {
    let examples: Vec<Value> = merged(example_crds()).into_values().collect();
    for crd in &examples {
        // The derive's own enums: junctors only validate.
        junctors_only_validate(crd, "");
    }
    let mut all = examples;
    for (file, _, crds) in fixtures() {
        // A fixture that is not structural itself (kept to test the generator on
        // legacy schemas) gives the same non-structural CRD.
        let structural = original(file)
            .values()
            .all(|c| crdgen::passes::structural::check(c).is_empty());
        if structural {
            all.extend(merged(crds()).into_values());
        }
    }
    for crd in &all {
        let problems = crdgen::passes::structural::check(crd);
        assert!(
            problems.is_empty(),
            "{}: {}",
            crd["metadata"]["name"],
            problems.join("\n")
        );
    }
}

/// Inside `oneOf`/`anyOf`, the derive's enums only use `required` and `properties` with
/// `enum` (tag values) of properties declared outside, as the API server requires.
fn junctors_only_validate(v: &Value, path: &str) {
    let Some(obj) = v.as_object() else { return };
    for key in ["oneOf", "anyOf"] {
        if let Some(Value::Array(list)) = obj.get(key) {
            let outside = obj.get("properties").and_then(Value::as_object);
            for (i, alt) in list.iter().enumerate() {
                let a = alt.as_object().expect("a schema");
                for k in a.keys() {
                    assert!(
                        matches!(k.as_str(), "required" | "properties" | "type")
                            && (k != "type" || obj.contains_key("x-kubernetes-int-or-string")),
                        "{path}/{key}/{i}: `{k}` inside a junctor"
                    );
                }
                if let Some(Value::Object(props)) = a.get("properties") {
                    for (p, s) in props {
                        assert!(
                            outside.is_some_and(|o| o.contains_key(p)),
                            "{path}/{key}/{i}: property `{p}` not declared outside"
                        );
                        assert!(
                            s.as_object().is_some_and(|s| s.keys().all(|k| k == "enum")),
                            "{path}/{key}/{i}: property `{p}` has more than `enum`"
                        );
                    }
                }
            }
        }
    }
    for (k, child) in obj {
        match child {
            Value::Object(_) => junctors_only_validate(child, &format!("{path}/{k}")),
            Value::Array(list) => {
                for (i, c) in list.iter().enumerate() {
                    junctors_only_validate(c, &format!("{path}/{k}/{i}"));
                }
            }
            _ => {}
        }
    }
}

#[test]
fn golden_manifests() {
    for (name, crd) in merged(example_crds()) {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("expected")
            .join(format!("{name}.yaml"));
        expectorate::assert_contents(&path, &crdgen::emit::yaml::to_yaml(&crd));
    }
}

#[test]
fn merging_needs_exactly_one_storage_version() {
    let v1alpha1 = kinds::gizmo::v1alpha1::Gizmo::crd();
    let err = merge_crds([v1alpha1.clone()]).expect_err("no storage version");
    assert!(
        err.to_string().contains("exactly one storage version"),
        "{err}"
    );
    let mut second = kinds::gizmo::Gizmo::crd();
    second.spec.versions[0].name = "v2".into();
    let err = merge_crds([kinds::gizmo::Gizmo::crd(), second]).expect_err("two storage versions");
    assert!(err.to_string().contains("found 2"), "{err}");
    let err = merge_crds([kinds::Widget::crd(), v1alpha1]).expect_err("different kinds");
    assert!(err.to_string().contains("cannot be merged"), "{err}");
}

#[test]
fn the_runtime_well_known_schemas_are_crdgens() {
    let crdgen: Value = serde_json::from_str(include_str!(
        "../../../codegen/src/rust_input/wellknown.json"
    ))
    .expect("JSON");
    for (name, schema) in crdgen.as_object().expect("an object") {
        let runtime = crdgen_runtime::crd_schema::well_known(name).expect("listed");
        assert_eq!(&Value::Object(runtime), schema, "{name}");
    }
}

/// The runtime's `CrdSchema` of every scalar type is `crdgen_attrs::primitive`'s (which
/// `crdgen crd` uses): one table, held equal here.
#[test]
fn the_runtime_primitive_schemas_are_crdgen_attrs() {
    use crdgen_runtime::CrdSchema;
    use std::num::*;
    macro_rules! runtime {
        ($($t:ident),*) => {
            vec![$((stringify!($t), <$t as CrdSchema>::schema())),*]
        };
    }
    let runtime = runtime!(
        bool,
        i8,
        i16,
        i32,
        i64,
        isize,
        i128,
        u8,
        u16,
        u32,
        u64,
        usize,
        u128,
        NonZeroU8,
        NonZeroU16,
        NonZeroU32,
        NonZeroU64,
        NonZeroUsize,
        NonZeroU128,
        f32,
        f64,
        char,
        String,
        str
    );
    let table: Vec<&str> = crdgen_attrs::primitive::PRIMITIVES
        .iter()
        .map(|(n, _)| *n)
        .collect();
    assert_eq!(
        runtime.iter().map(|(n, _)| *n).collect::<Vec<_>>(),
        table,
        "the same types, in the table's order"
    );
    for (name, schema) in runtime {
        assert_eq!(
            Some(schema),
            crdgen_attrs::primitive::schema(name),
            "{name}"
        );
    }
}

/// `crdgen crd` refuses a signed `NonZero` (no structural schema refuses only 0), naming
/// the file and line, and reads `NonZero<u8>` as `NonZeroU8`.
#[test]
fn the_cli_reads_non_zero_types() {
    let source = |ty: &str| crdgen::rust_input::RustSource {
        path: PathBuf::from("src/nz.rs"),
        text: format!(
            "#[crdgen(group = \"example.com\", version = \"v1\", kind = \"Nz\", plural = \"nzs\", storage)]\npub struct NzSpec {{\n    pub n: {ty},\n}}\n"
        ),
    };
    let err = crdgen::rust_input::crds_from_sources(&[source("std::num::NonZero<i16>")])
        .expect_err("a signed NonZero is refused")
        .to_string();
    assert!(err.contains("src/nz.rs:3"), "{err}");
    assert!(err.contains("unsigned integers only"), "{err}");
    let crds = crdgen::rust_input::crds_from_sources(&[source("NonZero<u8>")]).expect("reads");
    let n = crds[0]
        .pointer("/spec/versions/0/schema/openAPIV3Schema/properties/spec/properties/n")
        .expect("the field");
    assert_eq!(
        n,
        &serde_json::json!({"type": "integer", "format": "int32", "minimum": 1, "maximum": 255})
    );
}

#[test]
fn the_enum_code_is_shared_verbatim() {
    fn region(text: &str) -> String {
        let start = text.find("// BEGIN shared").expect("BEGIN marker");
        let start = start + text[start..].find('\n').expect("a line");
        let end = text.find("// END shared").expect("END marker");
        text[start..end]
            .lines()
            .flat_map(str::split_whitespace)
            .collect::<String>()
    }
    let runtime = include_str!("../../../runtime/src/crd_schema.rs");
    let attrs = include_str!("../../../derive/attrs/src/enums.rs");
    assert!(
        region(runtime) == region(attrs),
        "runtime/src/crd_schema.rs and derive/attrs/src/enums.rs differ between their BEGIN/END shared markers; copy one to the other"
    );
}
