//! Validation ratcheting (KEP-4008, `CRDValidationRatcheting`, on by default since
//! Kubernetes 1.30) in the in-memory server: on update, schema errors of values equal to
//! their old value do not block the write.
//!
//! The recordings have no ratcheting scenario, so these tests follow the Kubernetes
//! source: `customResourceStrategy.ValidateUpdate`
//! (apiextensions-apiserver/pkg/registry/customresource/strategy.go) validates with
//! kube-openapi's `ratchetingValueValidator` (pkg/validation/validate), which turns a
//! node's errors into warnings when the node is deep-equal to its correlated old value;
//! `common.CorrelatedObject` (apiserver/pkg/cel/common/equality.go) correlates object
//! properties by key and `x-kubernetes-list-type: map` items by their keys, and no other
//! list items. Create never ratchets.

use crdgen_runtime::schema::{validate, validate_update};
use crdgen_runtime::tracker::{Gvr, Subresource, Tracker, WriteOptions};
use serde_json::{Value, json};

fn crd(max_length: u64) -> Value {
    json!({
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "widgets.example.com"},
        "spec": {
            "group": "example.com",
            "scope": "Namespaced",
            "names": {"plural": "widgets", "singular": "widget", "kind": "Widget", "listKind": "WidgetList"},
            "versions": [{"name": "v1", "served": true, "storage": true, "schema": {"openAPIV3Schema": {
                "type": "object",
                "properties": {"spec": {"type": "object", "properties": {
                    "name": {"type": "string", "maxLength": max_length},
                    "replicas": {"type": "integer"},
                    "ports": {"type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"],
                        "items": {"type": "object", "required": ["name"], "properties": {
                            "name": {"type": "string"}, "port": {"type": "integer", "maximum": max_length}}}},
                    "tags": {"type": "array", "items": {"type": "string", "maxLength": max_length}}
                }}}
            }}}]
        }
    })
}

fn widget(spec: Value) -> Value {
    json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}, "spec": spec})
}

/// A tracker holding `spec` as valid under a loose schema, then the schema tightened
/// to `maxLength`/`maximum` 3: the stored object is now invalid.
fn tightened(spec: Value) -> (Tracker, Gvr) {
    let t = Tracker::new();
    t.register_crd(&crd(100)).unwrap();
    let gvr = Gvr::new("example.com", "v1", "widgets");
    t.create(
        &gvr,
        Some("default"),
        widget(spec),
        &WriteOptions::default(),
    )
    .unwrap();
    t.register_crd(&crd(3)).unwrap();
    (t, gvr)
}

/// `PUT` the object with a new spec (at the stored resourceVersion).
fn update(t: &Tracker, gvr: &Gvr, spec: Value) -> Result<(), String> {
    let mut obj = t.get(gvr, Some("default"), "w").unwrap();
    obj["spec"] = spec;
    t.update(
        gvr,
        Some("default"),
        "w",
        obj,
        Subresource::None,
        &WriteOptions::default(),
    )
    .map(|_| ())
    .map_err(|e| e.message().to_owned())
}

#[test]
fn an_unchanged_invalid_value_does_not_block_an_update() {
    let (t, gvr) = tightened(json!({"name": "toolong", "replicas": 1}));
    update(&t, &gvr, json!({"name": "toolong", "replicas": 2})).unwrap();
}

#[test]
fn a_changed_invalid_value_is_refused() {
    let (t, gvr) = tightened(json!({"name": "toolong", "replicas": 1}));
    let e = update(&t, &gvr, json!({"name": "stilltoolong", "replicas": 1})).unwrap_err();
    assert_eq!(
        e,
        "Widget.example.com \"w\" is invalid: spec.name: Too long: may not be more than 3 bytes"
    );
}

#[test]
fn map_list_items_correlate_by_key_in_any_order() {
    let (t, gvr) =
        tightened(json!({"ports": [{"name": "a", "port": 80}, {"name": "b", "port": 1}]}));
    // Reordered, the invalid item unchanged: accepted.
    update(
        &t,
        &gvr,
        json!({"ports": [{"name": "b", "port": 1}, {"name": "a", "port": 80}]}),
    )
    .unwrap();
    // The invalid item changed: refused at its new index.
    let e = update(
        &t,
        &gvr,
        json!({"ports": [{"name": "b", "port": 1}, {"name": "a", "port": 81}]}),
    )
    .unwrap_err();
    assert_eq!(
        e,
        "Widget.example.com \"w\" is invalid: spec.ports[1].port: Invalid value: 81: spec.ports[1].port in body should be less than or equal to 3"
    );
}

#[test]
fn atomic_list_items_do_not_correlate() {
    // A list without a list type is atomic: once the list changed, its items have no old
    // value, so an unchanged invalid item is reported again.
    let (t, gvr) = tightened(json!({"tags": ["long-tag"]}));
    update(&t, &gvr, json!({"tags": ["long-tag"], "replicas": 1})).unwrap();
    let e = update(&t, &gvr, json!({"tags": ["long-tag", "ok"]})).unwrap_err();
    assert_eq!(
        e,
        "Widget.example.com \"w\" is invalid: spec.tags[0]: Too long: may not be more than 3 bytes"
    );
}

#[test]
fn validate_ratchets_only_on_update() {
    let schema = &crd(3)["spec"]["versions"][0]["schema"]["openAPIV3Schema"];
    let obj = widget(json!({"name": "toolong"}));
    assert_eq!(validate(&obj, schema).len(), 1);
    assert!(validate_update(&obj, &obj, schema).is_empty());
    let changed = widget(json!({"name": "toolong", "replicas": 1}));
    assert!(validate_update(&changed, &obj, schema).is_empty());
}
