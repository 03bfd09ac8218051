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

#[test]
fn object_meta_is_checked_client_side() {
    let mut w = widget(1, 2, "red");
    w.metadata = json!({"name": "Not_A_Name", "finalizers": ["example.com/ok"]});
    let e = w.validate().unwrap_err();
    assert_eq!(e.errors.len(), 1, "{e}");
    assert!(
        e.to_string().starts_with(
            "Widget.example.com \"Not_A_Name\" is invalid: metadata.name: Invalid value: \"Not_A_Name\": a lowercase RFC 1123 subdomain"
        ),
        "{e}"
    );
    w.metadata = json!({});
    assert_eq!(
        w.validate().unwrap_err().to_string(),
        // A required value blocks the CEL rules, as on the server.
        "Widget.example.com \"\" is invalid: [metadata.name: Required value: name or generateName is required, \
         <nil>: Invalid value: null: some validation rules were not checked because the object was invalid; \
         correct the existing errors to complete validation]"
    );
}

#[test]
fn embedded_resources_are_checked_client_side() {
    let crd = json!({
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": "jobs.example.com"},
        "spec": {"group": "example.com", "scope": "Namespaced",
            "names": {"plural": "jobs", "kind": "Job"},
            "versions": [{"name": "v1", "served": true, "storage": true, "schema": {"openAPIV3Schema": {
                "type": "object", "properties": {"spec": {"type": "object", "properties": {
                    "template": {"type": "object", "x-kubernetes-embedded-resource": true,
                        "x-kubernetes-preserve-unknown-fields": true}}}}}}}]}});
    let v = crdgen_runtime::schema::Validator::from_crd(&crd).unwrap();
    let job = json!({"apiVersion": "example.com/v1", "kind": "Job", "metadata": {"name": "j"},
        "spec": {"template": {"kind": "Pod", "metadata": {"labels": {"bad key!": "x"}}}}});
    let e = v.validate(&job).unwrap_err();
    let fields: Vec<&str> = e.errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(
        fields,
        ["spec.template.apiVersion", "spec.template.metadata.labels"],
        "{e}"
    );
    let other = json!({"apiVersion": "example.com/v1", "kind": "Task", "metadata": {"name": "j"}});
    assert_eq!(
        v.validate(&other).unwrap_err().to_string(),
        // The Status names the kind the object named.
        "Task.example.com \"j\" is invalid: kind: Invalid value: \"Task\": must be Job"
    );
}
