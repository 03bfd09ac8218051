//! Unknown fields the API server keeps must survive a typed round trip. The server
//! does not prune inside the items of an array marked
//! `x-kubernetes-preserve-unknown-fields` (apiextensions-apiserver's `skipPrune`), so
//! neither may the generated item type (found by the corpus round trip: eck's
//! `Logstash.spec.pipelines[]`).

use crdgen_tests::goldens::preserve_intorstring_embedded::example_com::v1::Keep;

#[test]
fn unknown_fields_in_items_of_a_preserving_array_survive() {
    let obj = serde_json::json!({
        "apiVersion": "example.com/v1", "kind": "Keep", "metadata": {"name": "k"},
        "spec": {"pipelines": [
            {"id": "main", "config.string": "input {}", "pipeline.workers": 2, "nested": {"a": [1, 2]}},
            {"other": true}
        ]}
    });
    let typed: Keep = serde_json::from_value(obj.clone()).unwrap();
    // What the server stores: the object as sent, plus the schema's default.
    let mut stored = obj;
    stored["spec"]["portDefault"] = serde_json::json!(8080);
    assert_eq!(serde_json::to_value(&typed).unwrap(), stored);
}
