//! Structural-schema pruning, defaulting and validation, with the messages of the
//! real apiextensions-apiserver.

use crdgen_runtime::schema::{ErrorType, apply_defaults, prune, validate, validate_lists};
use serde_json::{Value, json};

/// Schema errors, then list-type errors (the server's order).
fn messages(obj: &Value, schema: &Value) -> Vec<String> {
    validate(obj, schema)
        .iter()
        .chain(&validate_lists(obj, schema))
        .map(ToString::to_string)
        .collect()
}

#[test]
fn prune_drops_undeclared_fields_and_keeps_root_meta() {
    let schema = json!({"type": "object", "properties": {
        "spec": {"type": "object", "properties": {
            "a": {"type": "string"},
            "list": {"type": "array", "items": {"type": "object", "properties": {"x": {"type": "integer"}}}},
            "labels": {"type": "object", "additionalProperties": {"type": "object", "properties": {"v": {"type": "string"}}}},
            "free": {"type": "object", "x-kubernetes-preserve-unknown-fields": true, "properties": {
                "typed": {"type": "object", "properties": {"k": {"type": "string"}}}
            }},
            "embedded": {"type": "object", "x-kubernetes-embedded-resource": true, "properties": {"spec": {"type": "object"}}},
            "combo": {"type": "object", "properties": {"p": {"type": "string"}}, "anyOf": [{"properties": {"q": {"type": "string"}}}]}
        }}
    }});
    let mut obj = json!({
        "apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "a"},
        "extra": 1,
        "spec": {
            "a": "x", "b": "dropped",
            "list": [{"x": 1, "y": 2}, {"z": 3}],
            "labels": {"k1": {"v": "1", "w": "dropped"}, "k2": {}},
            "free": {"anything": {"deep": true}, "typed": {"k": "v", "gone": 1}},
            "embedded": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {}, "status": {}},
            "combo": {"p": "1", "q": "anyOf does not declare fields"}
        }
    });
    let mut pruned = prune(&mut obj, &schema);
    pruned.sort();
    assert_eq!(
        obj,
        json!({
            "apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "a"},
            "spec": {
                "a": "x",
                "list": [{"x": 1}, {}],
                "labels": {"k1": {"v": "1"}, "k2": {}},
                "free": {"anything": {"deep": true}, "typed": {"k": "v"}},
                "embedded": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {}},
                "combo": {"p": "1"}
            }
        })
    );
    assert_eq!(
        pruned,
        [
            "extra",
            "spec.b",
            "spec.combo.q",
            "spec.embedded.status",
            "spec.free.typed.gone",
            "spec.labels.k1.w",
            "spec.list[0].y",
            "spec.list[1].z",
        ]
    );
}

#[test]
fn prune_drops_nulls_of_non_nullable_fields() {
    let schema = json!({"type": "object", "properties": {"spec": {"type": "object", "properties": {
        "a": {"type": "string"},
        "b": {"type": "string", "nullable": true},
        "c": {"type": "string", "default": "dc"}
    }}}});
    let mut obj = json!({"spec": {"a": null, "b": null, "c": null}});
    prune(&mut obj, &schema);
    assert_eq!(obj, json!({"spec": {"b": null}}));
    apply_defaults(&mut obj, &schema);
    assert_eq!(obj, json!({"spec": {"b": null, "c": "dc"}}));
}

#[test]
fn defaults_follow_the_server_algorithm() {
    let schema = json!({"type": "object", "properties": {
        "spec": {"type": "object", "properties": {
            "replicas": {"type": "integer", "default": 1},
            "nested": {"type": "object", "default": {}, "properties": {
                "x": {"type": "string", "default": "dx"}
            }},
            "absent": {"type": "object", "properties": {"y": {"type": "string", "default": "dy"}}},
            "items": {"type": "array", "items": {"type": "object", "properties": {"p": {"type": "integer", "default": 80}}}},
            "map": {"type": "object", "additionalProperties": {"type": "object", "properties": {"q": {"type": "boolean", "default": true}}}},
            "keep": {"type": "string", "nullable": true, "default": "not used for null"}
        }}
    }});
    let mut obj = json!({"spec": {"items": [{}, {"p": 1}], "map": {"a": {}}, "keep": null}});
    apply_defaults(&mut obj, &schema);
    assert_eq!(
        obj,
        json!({"spec": {
            "replicas": 1,
            // The default {} is itself defaulted (the server walks the filled value).
            "nested": {"x": "dx"},
            "items": [{"p": 80}, {"p": 1}],
            "map": {"a": {"q": true}},
            "keep": null
        }})
    );
    // Absent parents are not created.
    let mut none = json!({});
    apply_defaults(&mut none, &schema);
    assert_eq!(none, json!({}));
}

#[test]
fn validation_messages_match_the_server() {
    let schema = json!({"type": "object", "properties": {"spec": {"type": "object", "required": ["size"], "properties": {
        "size": {"type": "string", "enum": ["small", "large"]},
        "replicas": {"type": "integer", "format": "int32", "minimum": 0, "maximum": 10},
        "ratio": {"type": "number", "exclusiveMinimum": true, "minimum": 0, "exclusiveMaximum": true, "maximum": 1},
        "step": {"type": "integer", "multipleOf": 5},
        "name": {"type": "string", "minLength": 2, "maxLength": 4, "pattern": "^[a-z]+$"},
        "when": {"type": "string", "format": "date-time"},
        "tags": {"type": "array", "minItems": 1, "maxItems": 2, "uniqueItems": true, "items": {"type": "string"}},
        "props": {"type": "object", "minProperties": 1, "maxProperties": 1, "additionalProperties": {"type": "string"}},
        "port": {"x-kubernetes-int-or-string": true},
        "set": {"type": "array", "x-kubernetes-list-type": "set", "items": {"type": "string"}},
        "ports": {"type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"],
                  "items": {"type": "object", "properties": {"name": {"type": "string"}, "port": {"type": "integer"}}}},
        "opt": {"type": "string", "nullable": true},
        "big": {"type": "number", "maximum": 1000000}
    }}}});

    let ok = json!({"spec": {"size": "small", "replicas": 3, "ratio": 0.5, "step": 10, "name": "ab",
        "when": "2024-01-02T03:04:05Z", "tags": ["a"], "props": {"k": "v"}, "port": "http", "set": ["a", "b"],
        "ports": [{"name": "a", "port": 1}, {"name": "b", "port": 1}], "opt": null, "big": 5}});
    assert_eq!(messages(&ok, &schema), Vec::<String>::new());
    assert!(validate(&json!({"spec": {"size": "large", "port": 8080}}), &schema).is_empty());

    let cases: Vec<(Value, &str)> = vec![
        (json!({"spec": {}}), "spec.size: Required value"),
        (
            json!({"spec": {"size": "medium"}}),
            "spec.size: Unsupported value: \"medium\": supported values: \"small\", \"large\"",
        ),
        (
            json!({"spec": {"size": "small", "replicas": -1}}),
            "spec.replicas: Invalid value: -1: spec.replicas in body should be greater than or equal to 0",
        ),
        (
            json!({"spec": {"size": "small", "replicas": 11}}),
            "spec.replicas: Invalid value: 11: spec.replicas in body should be less than or equal to 10",
        ),
        (
            json!({"spec": {"size": "small", "replicas": "3"}}),
            "spec.replicas: Invalid value: \"string\": spec.replicas in body must be of type integer: \"string\"",
        ),
        (
            json!({"spec": {"size": "small", "ratio": 0}}),
            "spec.ratio: Invalid value: 0: spec.ratio in body should be greater than 0",
        ),
        (
            json!({"spec": {"size": "small", "ratio": 1}}),
            "spec.ratio: Invalid value: 1: spec.ratio in body should be less than 1",
        ),
        (
            json!({"spec": {"size": "small", "step": 7}}),
            "spec.step: Invalid value: 7: spec.step in body should be a multiple of 5",
        ),
        (
            json!({"spec": {"size": "small", "name": "a"}}),
            "spec.name: Invalid value: \"a\": spec.name in body should be at least 2 chars long",
        ),
        (
            json!({"spec": {"size": "small", "name": "abcde"}}),
            "spec.name: Too long: may not be more than 4 bytes",
        ),
        (
            json!({"spec": {"size": "small", "name": "A1"}}),
            "spec.name: Invalid value: \"A1\": spec.name in body should match '^[a-z]+$'",
        ),
        (
            json!({"spec": {"size": "small", "when": "yesterday"}}),
            "spec.when: Invalid value: \"yesterday\": spec.when in body must be of type date-time: \"yesterday\"",
        ),
        (
            json!({"spec": {"size": "small", "tags": []}}),
            "spec.tags: Invalid value: []: spec.tags in body should have at least 1 items",
        ),
        (
            json!({"spec": {"size": "small", "tags": ["a", "b", "c"]}}),
            "spec.tags: Too many: 3: must have at most 2 items",
        ),
        (
            json!({"spec": {"size": "small", "tags": ["a", "a"]}}),
            "spec.tags: Invalid value: \"\": spec.tags in body shouldn't contain duplicates",
        ),
        (
            json!({"spec": {"size": "small", "props": {}}}),
            "spec.props: Invalid value: {}: spec.props in body should have at least 1 properties",
        ),
        (
            json!({"spec": {"size": "small", "props": {"a": "1", "b": "2"}}}),
            "spec.props: Too many: 2: must have at most 1 items",
        ),
        (
            json!({"spec": {"size": "small", "props": {"a": 1}}}),
            "spec.props.a: Invalid value: \"integer\": spec.props.a in body must be of type string: \"integer\"",
        ),
        (
            json!({"spec": {"size": "small", "port": true}}),
            "spec.port: Invalid value: \"boolean\": spec.port in body must be of type integer,string: \"boolean\"",
        ),
        (
            json!({"spec": {"size": "small", "set": ["a", "a"]}}),
            "spec.set[1]: Duplicate value: \"a\"",
        ),
        (
            json!({"spec": {"size": "small", "ports": [{"name": "a"}, {"name": "a", "port": 2}]}}),
            "spec.ports[1]: Duplicate value: {\"name\":\"a\"}",
        ),
        (
            json!({"spec": {"size": "small", "name": null}}),
            "spec.name: Invalid value: \"null\": spec.name in body must be of type string: \"null\"",
        ),
        (
            json!({"spec": {"size": "small", "big": 2000000}}),
            "spec.big: Invalid value: 2000000: spec.big in body should be less than or equal to 1e+06",
        ),
    ];
    // A fraction for an int32: the type error names the format and Go's float64, then
    // the format error follows (recordings validate-min-max step 7).
    assert_eq!(
        messages(
            &json!({"spec": {"size": "small", "replicas": 1.5}}),
            &schema
        ),
        [
            "spec.replicas: Invalid value: \"float64\": spec.replicas in body must be of type int32: \"float64\"",
            "<nil>: Invalid value: \"\": Checked value must be of type integer with format int32 in spec.replicas",
        ]
    );
    // Out of the int32 range: the format error (without a field, as kube-apiserver
    // reports it: recordings validate-min-max step 8) and the maximum both report.
    assert_eq!(
        messages(
            &json!({"spec": {"size": "small", "replicas": 3_000_000_000u64}}),
            &schema
        ),
        [
            "<nil>: Invalid value: \"\": Checked value must be of type integer with format int32 in spec.replicas",
            "spec.replicas: Invalid value: 3000000000: spec.replicas in body should be less than or equal to 10",
        ]
    );
    for (obj, want) in cases {
        assert_eq!(messages(&obj, &schema), [want], "for {obj}");
    }
}

#[test]
fn field_error_parts() {
    let schema = json!({"type": "object", "properties": {"spec": {"type": "object", "required": ["a"], "properties": {
        "a": {"type": "string"}, "n": {"type": "integer", "minimum": 1}
    }}}});
    let errs = validate(&json!({"spec": {"n": 0}}), &schema);
    assert_eq!(errs.len(), 2);
    let req = errs.iter().find(|e| e.kind == ErrorType::Required).unwrap();
    assert_eq!(
        (req.field.as_str(), req.kind.reason(), req.body()),
        ("spec.a", "FieldValueRequired", "Required value".to_owned())
    );
    let inv = errs.iter().find(|e| e.kind == ErrorType::Invalid).unwrap();
    assert_eq!(inv.kind.reason(), "FieldValueInvalid");
    assert_eq!(
        inv.body(),
        "Invalid value: 0: spec.n in body should be greater than or equal to 1"
    );
}

#[test]
fn combinators_validate_values() {
    let schema = json!({"type": "object", "properties": {"spec": {"type": "object", "properties": {
        "x": {"type": "integer", "anyOf": [{"minimum": 10}, {"maximum": 0}]},
        "y": {"type": "string", "not": {"enum": ["forbidden"]}},
        "z": {"type": "integer", "oneOf": [{"minimum": 0}, {"maximum": 5}]},
        "w": {"type": "string", "allOf": [{"minLength": 2}, {"maxLength": 3}]}
    }}}});
    assert!(
        validate(
            &json!({"spec": {"x": 11, "y": "ok", "z": 7, "w": "abc"}}),
            &schema
        )
        .is_empty()
    );
    assert_eq!(
        messages(&json!({"spec": {"x": 5}}), &schema),
        ["spec.x: Invalid value: 5: \"spec.x\" must validate at least one schema (anyOf)"]
    );
    assert_eq!(
        messages(&json!({"spec": {"y": "forbidden"}}), &schema),
        ["spec.y: Invalid value: \"forbidden\": \"spec.y\" must not validate the schema (not)"]
    );
    assert_eq!(
        messages(&json!({"spec": {"z": 3}}), &schema),
        ["spec.z: Invalid value: 3: \"spec.z\" must validate one and only one schema (oneOf)"]
    );
    assert_eq!(
        messages(&json!({"spec": {"w": "abcd"}}), &schema),
        ["spec.w: Too long: may not be more than 3 bytes"]
    );
}

#[test]
fn metadata_api_version_and_kind_are_not_validated_by_the_schema() {
    let schema = json!({"type": "object", "required": ["spec", "metadata"], "properties": {
        "metadata": {"type": "object", "properties": {"name": {"type": "string", "maxLength": 1}}},
        "spec": {"type": "object"}
    }});
    let obj =
        json!({"apiVersion": "v1", "kind": "X", "metadata": {"name": "long-name"}, "spec": {}});
    assert!(validate(&obj, &schema).is_empty());
    assert_eq!(
        messages(&json!({"metadata": {}}), &schema),
        ["spec: Required value"]
    );
}
