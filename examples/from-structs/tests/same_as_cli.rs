//! `crdgen crd --paths src/` (which reads this crate's source with syn, without compiling
//! it) writes the same CRD as the derive's `Database::crd()`.

use example_from_structs::Database;
use serde_json::Value;

/// As the API server would compare them; `1` and `1.0` are the same number (k8s-openapi
/// keeps `minimum` & co. as `f64`).
fn comparable(doc: &Value) -> Value {
    fn numbers(v: &mut Value) {
        match v {
            Value::Number(n) => {
                if let Some(f) = n.as_f64() {
                    *v = serde_json::json!(f);
                }
            }
            Value::Array(a) => a.iter_mut().for_each(numbers),
            Value::Object(m) => m.values_mut().for_each(numbers),
            _ => {}
        }
    }
    let mut doc = crdgen::emit::crd::normalize(doc);
    numbers(&mut doc);
    doc
}

#[test]
fn the_cli_front_end_gives_the_same_crd() {
    let source = crdgen::rust_input::RustSource {
        path: "src/lib.rs".into(),
        text: include_str!("../src/lib.rs").to_owned(),
    };
    let cli = crdgen::rust_input::crds_from_sources(&[source]).expect("the CLI reads the structs");
    assert_eq!(cli.len(), 1);
    let derived = serde_json::to_value(Database::crd()).expect("JSON");
    assert_eq!(comparable(&cli[0]), comparable(&derived));
}
