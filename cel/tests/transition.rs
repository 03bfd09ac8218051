//! Transition rules, correlation, ratcheting, reasons, field paths, message expressions,
//! typed values and the CRD-time refusals, on small schemas.

use crdgen_cel::Rules;
use serde_json::{Value, json};

fn rules(spec: Value) -> Rules {
    Rules::compile(&json!({"type": "object", "properties": {"spec": spec}})).unwrap()
}

fn errs(r: &Rules, new: Value, old: Option<Value>) -> Vec<String> {
    r.validate(
        &json!({"spec": new}),
        old.map(|o| json!({"spec": o})).as_ref(),
    )
    .iter()
    .map(ToString::to_string)
    .collect()
}

fn item_rule(list_type: &str) -> Rules {
    let mut list = json!({
        "type": "array",
        "x-kubernetes-list-type": list_type,
        "items": {
            "type": "object",
            "properties": {"name": {"type": "string"}, "v": {"type": "integer"}},
            "x-kubernetes-validations": [{"rule": "self.v >= oldSelf.v", "message": "v may not decrease"}],
        },
    });
    if list_type == "map" {
        list["x-kubernetes-list-map-keys"] = json!(["name"]);
    }
    rules(json!({"type": "object", "properties": {"items": list}}))
}

#[test]
fn list_map_items_correlate_by_key() {
    let r = item_rule("map");
    let old = json!({"items": [{"name": "a", "v": 1}, {"name": "b", "v": 5}]});
    // Reordered, same values: correlated by name, no error.
    let new = json!({"items": [{"name": "b", "v": 5}, {"name": "a", "v": 1}]});
    assert_eq!(errs(&r, new, Some(old.clone())), Vec::<String>::new());
    let new = json!({"items": [{"name": "b", "v": 4}, {"name": "a", "v": 1}]});
    assert_eq!(
        errs(&r, new, Some(old.clone())),
        ["spec.items[0]: Invalid value: v may not decrease"]
    );
    // A new key has no old value: the transition rule does not run.
    let new = json!({"items": [{"name": "c", "v": 0}]});
    assert_eq!(errs(&r, new, Some(old)), Vec::<String>::new());
}

#[test]
fn old_self_under_uncorrelatable_lists_is_refused() {
    for list_type in ["atomic", "set"] {
        let mut list = json!({
            "type": "array",
            "x-kubernetes-list-type": list_type,
            "items": {
                "type": "object",
                "properties": {"name": {"type": "string"}, "v": {"type": "integer"}},
                "x-kubernetes-validations": [{"rule": "self.v >= oldSelf.v"}],
            },
        });
        if list_type == "set" {
            // Bounded: unbounded, the rule's estimated cost (string equality, once per
            // item of a list as long as a request) is refused as well.
            list["maxItems"] = json!(100);
            list["items"] = json!({"type": "string", "maxLength": 63, "x-kubernetes-validations": [{"rule": "self == oldSelf"}]});
        }
        let schema = json!({"type": "object", "properties": {"spec": {"type": "object", "properties": {"items": list}}}});
        let errs: Vec<String> =
            Rules::compile_at(&schema, "spec.versions[0].schema.openAPIV3Schema")
                .unwrap_err()
                .iter()
                .map(ToString::to_string)
                .collect();
        let p = "spec.versions[0].schema.openAPIV3Schema.properties[spec].properties[items]";
        let rule = if list_type == "set" {
            "self == oldSelf"
        } else {
            "self.v >= oldSelf.v"
        };
        assert_eq!(
            errs,
            [format!(
                r#"{p}.items.x-kubernetes-validations[0].rule: Invalid value: "{rule}": oldSelf cannot be used on the uncorrelatable portion of the schema within {p}"#
            )]
        );
    }
}

#[test]
fn transition_rules_only_on_update_unless_optional() {
    let r = rules(json!({
        "type": "object",
        "properties": {"tier": {"type": "string"}},
        "x-kubernetes-validations": [
            {"rule": "self.tier == oldSelf.tier", "message": "tier is immutable"},
            {"rule": "oldSelf.hasValue() || self.tier == 'bronze'", "optionalOldSelf": true, "message": "new objects start at bronze"},
        ],
    }));
    assert_eq!(
        errs(&r, json!({"tier": "gold"}), None),
        ["spec: Invalid value: new objects start at bronze"]
    );
    assert_eq!(
        errs(&r, json!({"tier": "bronze"}), None),
        Vec::<String>::new()
    );
    assert_eq!(
        errs(&r, json!({"tier": "gold"}), Some(json!({"tier": "bronze"}))),
        ["spec: Invalid value: tier is immutable"]
    );
}

#[test]
fn ratcheting_drops_errors_of_unchanged_values() {
    let r = rules(json!({
        "type": "object",
        "properties": {
            "a": {"type": "string", "x-kubernetes-validations": [{"rule": "self.size() < 3", "message": "too long"}]},
            "b": {"type": "string"},
        },
    }));
    let bad = json!({"a": "long", "b": "x"});
    assert_eq!(
        errs(&r, bad.clone(), None),
        [r#"spec.a: Invalid value: "long": too long"#]
    );
    // Only b changes: a's error is ratcheted away.
    assert_eq!(
        errs(&r, json!({"a": "long", "b": "y"}), Some(bad.clone())),
        Vec::<String>::new()
    );
    // a changes (still invalid): the error stands.
    assert_eq!(
        errs(&r, json!({"a": "longer", "b": "x"}), Some(bad)),
        [r#"spec.a: Invalid value: "longer": too long"#]
    );
}

#[test]
fn reasons_field_paths_and_messages() {
    let r = rules(json!({
        "type": "object",
        "properties": {
            "size": {"type": "string"},
            "color": {"type": "string"},
            "labels": {"type": "object", "additionalProperties": {"type": "string"}},
        },
        "x-kubernetes-validations": [
            {"rule": "self.size != 'small'", "reason": "FieldValueForbidden", "fieldPath": ".size", "message": "no small"},
            {"rule": "has(self.color)", "reason": "FieldValueRequired", "fieldPath": ".color", "message": "color is required"},
            {"rule": "self.size != 'dup'", "reason": "FieldValueDuplicate", "message": "dup"},
            {"rule": "!('x' in self.labels)", "fieldPath": ".labels['x']", "messageExpression": "'label x: ' + self.labels['x']"},
            {"rule": "!('y' in self.labels)", "fieldPath": ".labels", "message": "no y"},
            {"rule": "self.size != 'empty'", "messageExpression": "''", "message": "fallback"},
            {"rule": "self.size != 'nomsg'"},
        ],
    }));
    assert_eq!(
        errs(&r, json!({"size": "small", "labels": {}}), None),
        [
            "spec.size: Forbidden: no small",
            "spec.color: Required value: color is required"
        ]
    );
    assert_eq!(
        errs(
            &r,
            json!({"size": "dup", "color": "c", "labels": {"x": "1"}}),
            None
        ),
        [
            "spec: Duplicate value",
            "spec.labels[x]: Invalid value: label x: 1"
        ]
    );
    assert_eq!(
        errs(
            &r,
            json!({"size": "empty", "color": "c", "labels": {}}),
            None
        ),
        ["spec: Invalid value: fallback"]
    );
    assert_eq!(
        errs(
            &r,
            json!({"size": "nomsg", "color": "c", "labels": {}}),
            None
        ),
        ["spec: Invalid value: failed rule: self.size != 'nomsg'"]
    );
}

#[test]
fn typed_values() {
    let r = rules(json!({
        "type": "object",
        "properties": {
            "when": {"type": "string", "format": "date-time"},
            "every": {"type": "string", "format": "duration"},
            "port": {"x-kubernetes-int-or-string": true},
            "ratio": {"type": "number"},
            "namespace": {"type": "string"},
            "free": {"type": "object", "x-kubernetes-preserve-unknown-fields": true},
            "opaque": {"x-kubernetes-preserve-unknown-fields": true},
            "gone": {"type": "string", "nullable": true},
            "raw": {"type": "string", "format": "byte"},
            "day": {"type": "string", "format": "date"},
        },
        "x-kubernetes-validations": [
            {"rule": "self.when < timestamp('2030-01-01T00:00:00Z')", "message": "when"},
            {"rule": "self.every >= duration('1m')", "message": "every"},
            {"rule": "type(self.port) == int || self.port.endsWith('%')", "message": "port"},
            {"rule": "self.ratio == 1.0", "message": "ratio"},
            {"rule": "self.__namespace__ == 'ns' && self.namespace == 'ns'", "message": "namespace"},
            {"rule": "!has(self.raw) || self.raw == b'hi'", "message": "raw"},
            {"rule": "!has(self.day) || self.day == timestamp('2024-02-29T00:00:00Z')", "message": "day"},
            {"rule": "has(self.ratio) || !has(self.gone)", "message": "null is absent"},
        ],
    }));
    let ok = json!({"when": "2024-01-01T00:00:00Z", "every": "5m", "port": 80, "ratio": 1,
                    "namespace": "ns", "free": {"anything": {"deep": 3}}, "opaque": {"a": [1]}, "gone": null,
                    "raw": "aGk=", "day": "2024-02-29"});
    assert_eq!(errs(&r, ok, None), Vec::<String>::new());
    let bad = json!({"when": "2031-01-01T00:00:00Z", "every": "30s", "port": "80", "ratio": 2,
                     "namespace": "x", "free": {"anything": {"deep": 4}}, "opaque": 1});
    let got = errs(&r, bad, None);
    let want: Vec<String> = ["when", "every", "port", "ratio", "namespace"]
        .iter()
        .map(|m| format!("spec: Invalid value: {m}"))
        .collect();
    assert_eq!(got, want);
}

/// Fields without a CEL type (a preserve-unknown-fields object's undeclared fields,
/// a property with no type) cannot be selected, not even in `has()`: the server
/// refuses the rule (apiextensions validation_test.go, "unknown fields cannot be
/// field selected", "If the type of a property is unknown it is not accessible").
#[test]
fn untyped_fields_are_undefined() {
    let schema = json!({"type": "object", "properties": {"spec": {"type": "object", "properties": {
        "free": {"type": "object", "x-kubernetes-preserve-unknown-fields": true},
        "opaque": {"x-kubernetes-preserve-unknown-fields": true}},
        "x-kubernetes-validations": [{"rule": "!has(self.free.anything) && has(self.opaque)"}]}}});
    let errs: Vec<String> = Rules::compile(&schema)
        .unwrap_err()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(errs[0].contains("undefined field 'anything'"), "{errs:?}");
    assert!(errs[0].contains("undefined field 'opaque'"), "{errs:?}");
    // has() of the object itself is fine.
    let ok = json!({"type": "object", "properties": {"spec": {"type": "object", "properties": {
        "free": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}},
        "x-kubernetes-validations": [{"rule": "has(self.free)"}]}}});
    assert!(Rules::compile(&ok).is_ok());
}

#[test]
fn date_times_in_the_layouts_strfmt_reads() {
    let r = rules(json!({
        "type": "object",
        "properties": {"when": {"type": "string", "format": "date-time"}},
        "x-kubernetes-validations": [{"rule": "self.when == timestamp('2024-01-01T10:00:00Z')"}],
    }));
    for when in [
        "2024-01-01T10:00:00Z",
        "2024-01-01T12:00:00+02:00",
        "2024-01-01T12:00:00+0200",
        "2024-01-01T10:00:00.000Z",
        "2024-01-01T10:00:00",
        "2024-01-01T10:00Z",
        "2024-01-01 10:00:00",
    ] {
        assert_eq!(
            errs(&r, json!({"when": when}), None),
            Vec::<String>::new(),
            "{when}"
        );
    }
}

#[test]
fn durations_in_the_forms_strfmt_reads() {
    let r = rules(json!({
        "type": "object",
        "properties": {"every": {"type": "string", "format": "duration"}},
        "x-kubernetes-validations": [{"rule": "self.every == duration('72h')"}],
    }));
    for every in [
        "72h",
        "3d",
        "3 days",
        "4320 minutes",
        "259200s",
        "2 days 24 hours",
    ] {
        assert_eq!(
            errs(&r, json!({"every": every}), None),
            Vec::<String>::new(),
            "{every}"
        );
    }
}

#[test]
fn resource_root_metadata_shows_name_only() {
    let r = Rules::compile(&json!({
        "type": "object",
        "x-kubernetes-validations": [{"rule": "self.metadata.name.startsWith('a')", "message": "name"}],
    }))
    .unwrap();
    let obj = json!({"apiVersion": "x/v1", "kind": "K", "metadata": {"name": "abc", "labels": {"a": "b"}}});
    assert_eq!(r.validate(&obj, None), vec![]);
    let obj = json!({"apiVersion": "x/v1", "kind": "K", "metadata": {"name": "xyz"}});
    assert_eq!(r.validate(&obj, None).len(), 1);
    // Other metadata fields are not declared: the server refuses the rule.
    let e = Rules::compile(&json!({
        "type": "object",
        "x-kubernetes-validations": [{"rule": "!has(self.metadata.labels)"}],
    }))
    .unwrap_err();
    assert!(e[0].detail.contains("undefined field 'labels'"), "{e:?}");
}

#[test]
fn the_crd_is_refused_for_bad_rules() {
    let refused = |rule: Value| -> Vec<String> {
        let schema = json!({"type": "object", "properties": {"spec": {
            "type": "object", "properties": {"a": {"type": "string"}},
            "x-kubernetes-validations": [rule]}}});
        Rules::compile(&schema)
            .unwrap_err()
            .iter()
            .map(ToString::to_string)
            .collect()
    };
    let p = "openAPIV3Schema.properties[spec].x-kubernetes-validations[0]";
    assert_eq!(
        refused(json!({"rule": ""})),
        [format!("{p}.rule: Required value: rule is not specified")]
    );
    assert_eq!(
        refused(json!({"rule": "true", "reason": "Nope"})),
        [format!(
            r#"{p}.reason: Unsupported value: "Nope": supported values: "FieldValueDuplicate", "FieldValueForbidden", "FieldValueInvalid", "FieldValueRequired""#
        )]
    );
    assert_eq!(
        refused(json!({"rule": "true", "fieldPath": ".b"})),
        [format!(
            r#"{p}.fieldPath: Invalid value: ".b": must be a valid path"#
        )]
    );
    assert_eq!(
        refused(json!({"rule": "true", "optionalOldSelf": true})),
        [format!(
            "{p}.optionalOldSelf: Invalid value: true: may not be set if oldSelf is not used in rule"
        )]
    );
    let e = refused(json!({"rule": "self.a == 'x' && has(self.b)"}));
    assert_eq!(e.len(), 1);
    assert!(
        e[0].starts_with(&format!("{p}.rule: Invalid value: ")),
        "{e:?}"
    );
    assert!(
        e[0].ends_with("compilation failed: ERROR: <input>:1:26: undefined field 'b'\n | self.a == 'x' && has(self.b)\n | .........................^"),
        "{e:?}"
    );
    let e = refused(json!({"rule": "true", "messageExpression": "'x' + self.nope"}));
    assert!(
        e[0].contains(
            "messageExpression compilation failed: ERROR: <input>:1:11: undefined field 'nope'"
        ),
        "{e:?}"
    );
    let e = refused(json!({"rule": "self.a ==="}));
    assert!(
        e[0].starts_with(&format!("{p}.rule: Invalid value: "))
            && e[0].contains("compilation failed"),
        "{e:?}"
    );
}

#[test]
fn set_and_map_lists_compare_unordered_and_by_key() {
    let r = rules(json!({
        "type": "object",
        "properties": {
            "tags": {"type": "array", "x-kubernetes-list-type": "set", "items": {"type": "string"},
                     "x-kubernetes-validations": [{"rule": "self == oldSelf", "message": "tags are immutable"}]},
            "order": {"type": "array", "items": {"type": "string"},
                      "x-kubernetes-validations": [{"rule": "self == oldSelf", "message": "order is immutable"}]},
            "ports": {"type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"],
                      "items": {"type": "object", "properties": {"name": {"type": "string"}, "port": {"type": "integer"}}},
                      "x-kubernetes-validations": [
                          {"rule": "self == oldSelf", "message": "ports are immutable"},
                          {"rule": "self.all(p, p.port > 0) && self.size() >= 1 && self[0].port > 0", "message": "list functions"},
                      ]},
        },
    }));
    let old = json!({"tags": ["a", "b"], "order": ["a", "b"],
                     "ports": [{"name": "x", "port": 1}, {"name": "y", "port": 2}]});
    let reordered = json!({"tags": ["b", "a"], "order": ["a", "b"],
                           "ports": [{"name": "y", "port": 2}, {"name": "x", "port": 1}]});
    assert_eq!(errs(&r, reordered, Some(old.clone())), Vec::<String>::new());
    let changed = json!({"tags": ["b", "c"], "order": ["b", "a"],
                         "ports": [{"name": "y", "port": 3}, {"name": "x", "port": 1}]});
    assert_eq!(
        errs(&r, changed, Some(old)),
        [
            "spec.order: Invalid value: order is immutable",
            "spec.ports: Invalid value: ports are immutable",
            "spec.tags: Invalid value: tags are immutable",
        ]
    );
}

#[test]
fn rules_in_all_of_entries_apply_to_the_node() {
    let r = rules(json!({
        "type": "object",
        "properties": {"a": {"type": "integer"}, "b": {"type": "string"}},
        "allOf": [
            {"x-kubernetes-validations": [{"rule": "self.a < 10", "message": "a below 10"}]},
            {"properties": {"b": {"x-kubernetes-validations": [{"rule": "self.size() < 3", "message": "b short"}]}}},
        ],
    }));
    assert_eq!(r.len(), 2);
    assert_eq!(
        errs(&r, json!({"a": 1, "b": "x"}), None),
        Vec::<String>::new()
    );
    assert_eq!(
        errs(&r, json!({"a": 11, "b": "long"}), None),
        [
            "spec: Invalid value: a below 10",
            r#"spec.b: Invalid value: "long": b short"#
        ]
    );
}

#[test]
fn set_and_map_lists_add_as_the_apiserver() {
    let r = rules(json!({
        "type": "object",
        "properties": {
            "tags": {"type": "array", "x-kubernetes-list-type": "set", "items": {"type": "string"}},
            "ports": {"type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"],
                      "items": {"type": "object", "properties": {"name": {"type": "string"}, "port": {"type": "integer"}}}},
        },
        "x-kubernetes-validations": [
            {"rule": "self.tags + ['b', 'c'] == ['a', 'b', 'c'] && (self.tags + ['b', 'c']).size() == 3", "message": "set union"},
            {"rule": "(self.ports + [{'name': 'x', 'port': 9}, {'name': 'z', 'port': 3}]).map(p, p.port) == [9, 2, 3]", "message": "map merge"},
        ],
    }));
    let obj =
        json!({"tags": ["a", "b"], "ports": [{"name": "x", "port": 1}, {"name": "y", "port": 2}]});
    assert_eq!(errs(&r, obj, None), Vec::<String>::new());
}

#[test]
fn rules_can_be_shared_across_threads() {
    fn shared<T: Send + Sync + 'static>() {}
    shared::<Rules>();
}
