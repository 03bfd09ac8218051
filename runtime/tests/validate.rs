//! Client-side validation of typed objects (`schema::Validate`): the server's verdict
//! before sending, from the CRD's schema and CEL rules compiled once per type.

use crdgen_runtime::schema::{HasCrd, Validate, validator_of};
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use serde::Serialize;
use serde_json::json;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Widget {
    api_version: String,
    kind: String,
    metadata: serde_json::Value,
    spec: WidgetSpec,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WidgetSpec {
    min: i64,
    max: i64,
    color: String,
}

impl HasCrd for Widget {
    fn crd() -> CustomResourceDefinition {
        serde_json::from_value(json!({
            "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": {"name": "widgets.example.com"},
            "spec": {"group": "example.com", "scope": "Namespaced",
                "names": {"plural": "widgets", "kind": "Widget"},
                "versions": [{"name": "v1", "served": true, "storage": true, "schema": {"openAPIV3Schema": {
                    "type": "object", "properties": {"spec": {
                        "type": "object",
                        "x-kubernetes-validations": [{"rule": "self.min <= self.max", "message": "min must not exceed max"}],
                        "properties": {
                            "min": {"type": "integer", "minimum": 0},
                            "max": {"type": "integer"},
                            "color": {"type": "string", "enum": ["red", "blue"],
                                "x-kubernetes-validations": [{"rule": "self == oldSelf", "message": "color is immutable"}]}
                        }}}}}}]}
        }))
        .expect("a valid CRD")
    }
}

fn widget(min: i64, max: i64, color: &str) -> Widget {
    Widget {
        api_version: "example.com/v1".into(),
        kind: "Widget".into(),
        metadata: json!({"name": "w"}),
        spec: WidgetSpec {
            min,
            max,
            color: color.into(),
        },
    }
}

#[test]
fn valid_objects_pass() {
    widget(1, 2, "red").validate().unwrap();
    widget(1, 2, "red")
        .validate_update(&widget(0, 5, "red"))
        .unwrap();
}

#[test]
fn errors_as_the_server_words_them() {
    let e = widget(-1, 2, "green").validate().unwrap_err();
    assert_eq!(
        e.to_string(),
        "Widget.example.com \"w\" is invalid: [spec.color: Unsupported value: \"green\": supported values: \"red\", \"blue\", spec.min: Invalid value: -1: spec.min in body should be greater than or equal to 0, <nil>: Invalid value: null: some validation rules were not checked because the object was invalid; correct the existing errors to complete validation]"
    );
    let e = widget(3, 2, "red").validate().unwrap_err();
    assert_eq!(
        e.to_string(),
        "Widget.example.com \"w\" is invalid: spec: Invalid value: min must not exceed max"
    );
}

#[test]
fn updates_run_transition_rules_and_ratchet() {
    let e = widget(1, 2, "blue")
        .validate_update(&widget(1, 2, "red"))
        .unwrap_err();
    assert_eq!(e.errors.len(), 1);
    assert_eq!(e.errors[0].field, "spec.color");
    // An unchanged invalid value does not block the update.
    widget(-1, 3, "red")
        .validate_update(&widget(-1, 2, "red"))
        .unwrap();
}

#[test]
fn compiled_once_per_type() {
    let a = validator_of::<Widget>().unwrap();
    let b = validator_of::<Widget>().unwrap();
    assert!(std::sync::Arc::ptr_eq(&a, &b));
    assert_eq!(a.rule_count(), 2);
}
