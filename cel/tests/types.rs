//! Result types checked when a CRD is written, held to apiextensions-apiserver's
//! `TestCelCompilation` (pkg/apiserver/schema/cel/compilation_test.go at commit
//! 1aa2717a552ee6ca1e2a18f1f8ffccde981db923): a rule must evaluate to a bool, a
//! messageExpression to a string (cel-go's output type; the messages of
//! compilation.go), and the rules that case table accepts are accepted.

use crdgen_cel::Rules;
use serde_json::{Value, json};

fn errors(schema: &Value) -> Vec<String> {
    match Rules::compile(schema) {
        Ok(_) => Vec::new(),
        Err(e) => e.iter().map(ToString::to_string).collect(),
    }
}

#[test]
fn rule_must_evaluate_to_a_bool() {
    // "expression must evaluate to bool"
    let s = json!({"type": "object", "x-kubernetes-validations": [{"rule": "42"}]});
    assert_eq!(
        errors(&s),
        [
            r#"openAPIV3Schema.x-kubernetes-validations[0].rule: Invalid value: {"rule":"42"}: cel expression must evaluate to a bool"#
        ]
    );
    // A field of a type other than bool, as the whole rule.
    let s = json!({"type": "object", "properties": {"name": {"type": "string"}},
                   "x-kubernetes-validations": [{"rule": "self.name"}]});
    assert_eq!(
        errors(&s),
        [
            r#"openAPIV3Schema.x-kubernetes-validations[0].rule: Invalid value: {"rule":"self.name"}: cel expression must evaluate to a bool"#
        ]
    );
}

#[test]
fn message_expression_must_evaluate_to_a_string() {
    // "messageExpression must evaluate to a string"
    let s = json!({"type": "object", "properties": {"n": {"type": "integer",
        "x-kubernetes-validations": [{"rule": "self == 5", "messageExpression": "42"}]}}});
    assert_eq!(
        errors(&s),
        [
            r#"openAPIV3Schema.properties[n].x-kubernetes-validations[0].messageExpression: Invalid value: {"messageExpression":"42","rule":"self == 5"}: messageExpression must evaluate to a string"#
        ]
    );
    // "messageExpression inclusion": accepted.
    let s = json!({"type": "object", "properties": {"s": {"type": "string",
        "x-kubernetes-validations": [{"rule": "self.startsWith('s')",
                                      "messageExpression": "\"scoped field should start with 's'\""}]}}});
    assert_eq!(errors(&s), Vec::<String>::new());
}

/// The transition rules of "optional primitive / complex transition rule type
/// checking" that the server accepts (noError) are accepted, typed (estimated).
#[test]
fn optional_old_self_rules_the_server_accepts() {
    let primitive = [
        "self >= oldSelf.value()",
        "self >= oldSelf.orValue(1)",
        "oldSelf.hasValue() ? self >= oldSelf.value() : true",
    ];
    let complex = [
        "self.i >= oldSelf.i.value()",
        "self.s == oldSelf.s.value()",
        "self.b == oldSelf.b.value()",
        "self.o == oldSelf.o.value()",
        "self.o.i >= oldSelf.o.i.value()",
        "self.o.s == oldSelf.o.s.value()",
        "self.o.b == oldSelf.o.b.value()",
        "self.o.o == oldSelf.o.o.value()",
        "self.o.i >= oldSelf.o.i.orValue(1)",
        "oldSelf.hasValue() ? self.o.i >= oldSelf.o.i.value() : true",
    ];
    let rules = |rs: &[&str]| -> Value {
        rs.iter()
            .map(|r| json!({"rule": r, "optionalOldSelf": true}))
            .collect()
    };
    let scalars = json!({"i": {"type": "integer"}, "b": {"type": "boolean"}, "s": {"type": "string"},
                         "a": {"type": "array", "items": {"type": "integer"}}});
    let mut o = scalars.clone();
    o["o"] = json!({"type": "object"});
    let mut props = scalars;
    props["o"] = json!({"type": "object", "properties": o});
    let s = json!({"type": "object", "properties": {
        "p": {"type": "integer", "x-kubernetes-validations": rules(&primitive)},
        "c": {"type": "object", "properties": props, "x-kubernetes-validations": rules(&complex)},
    }});
    let r = Rules::compile(&s).unwrap_or_else(|e| panic!("{e:?}"));
    let c = r.costs();
    assert_eq!(c.unsure, Vec::<String>::new(), "every rule typed");
    assert_eq!(c.expressions.len(), primitive.len() + complex.len());
}

/// (name, isRoot, schema, valid rules, (refused rule, message)).
type Case = (
    &'static str,
    bool,
    Value,
    Vec<&'static str>,
    Vec<(&'static str, &'static str)>,
);

/// Field selections held to apiextensions' `TestValidationExpressions` cases
/// (pkg/apiserver/schema/cel/validation_test.go at commit
/// 1aa2717a552ee6ca1e2a18f1f8ffccde981db923): each case's schema, its `valid` rules
/// (accepted when the CRD is written) and its compile-time `errors` (refused, the
/// message containing the server's text). A case that is not `isRoot` there is a
/// property here (the schema root is a resource root).
#[test]
fn field_selection_as_validation_test_go() {
    let s = json!({"type": "string"});
    let i = json!({"type": "integer"});
    let obj = |props: Value| json!({"type": "object", "properties": props});
    let pu = json!({"x-kubernetes-preserve-unknown-fields": true});
    let pu_obj = json!({"type": "object", "x-kubernetes-preserve-unknown-fields": true});
    let list = |items: Value| json!({"type": "array", "items": items});
    let cases: Vec<Case> = vec![
        (
            "typemeta and objectmeta access specified",
            false,
            obj(
                json!({"kind": s, "apiVersion": s, "metadata": obj(json!({"name": s, "generateName": s}))}),
            ),
            vec![
                "self.kind == 'Pod'",
                "self.apiVersion == 'v1'",
                "self.metadata.name == 'foo'",
                "self.metadata.generateName == 'pickItForMe'",
            ],
            vec![(
                "has(self.metadata.namespace)",
                "undefined field 'namespace'",
            )],
        ),
        (
            "typemeta and objectmeta access not specified",
            true,
            obj(json!({"spec": obj(json!({"field1": s}))})),
            vec![
                "self.kind == 'Pod'",
                "self.apiVersion == 'v1'",
                "self.metadata.name == 'foo'",
                "self.metadata.generateName == 'pickItForMe'",
                "self.spec.field1 == 'a'",
            ],
            vec![(
                "has(self.metadata.namespace)",
                "undefined field 'namespace'",
            )],
        ),
        (
            "embedded object",
            false,
            obj(json!({"embedded": {"type": "object", "x-kubernetes-embedded-resource": true}})),
            vec![
                "self.embedded.kind == 'Pod'",
                "self.embedded.apiVersion == 'v1'",
                "self.embedded.metadata.name == 'foo'",
                "self.embedded.metadata.generateName == 'pickItForMe'",
            ],
            vec![
                (
                    "has(self.embedded.metadata.namespace)",
                    "undefined field 'namespace'",
                ),
                ("has(self.embedded.spec)", "undefined field 'spec'"),
            ],
        ),
        (
            "embedded object with properties",
            false,
            obj(
                json!({"embedded": {"type": "object", "x-kubernetes-embedded-resource": true, "properties": {
                "kind": s, "apiVersion": s, "metadata": obj(json!({"name": s, "generateName": s})),
                "spec": obj(json!({"field1": s}))}}}),
            ),
            vec![
                "self.embedded.kind == 'Pod'",
                "self.embedded.apiVersion == 'v1'",
                "self.embedded.metadata.name == 'foo'",
                "self.embedded.metadata.generateName == 'pickItForMe'",
                "self.embedded.spec.field1 == 'a'",
            ],
            vec![(
                "has(self.embedded.metadata.namespace)",
                "undefined field 'namespace'",
            )],
        ),
        (
            "unknown fields",
            false,
            obj(
                json!({"withUnknown": pu_obj, "withUnknownList": list(pu_obj.clone()),
                       "withUnknownFieldList": list(obj(json!({"fieldOfUnknownType": pu}))),
                       "anyvalList": list(pu.clone()),
                       "anyvalMap": {"type": "object", "additionalProperties": pu},
                       "anyvalField1": pu, "anyvalField2": pu}),
            ),
            vec![
                "has(self.withUnknown)",
                "self.withUnknownList.size() == 5",
                "self.withUnknownList[0] != self.withUnknownList[1]",
                "self.withUnknownList[1] == self.withUnknownList[2]",
                "self.withUnknownList[3] == self.withUnknownList[4]",
                "self.withUnknownFieldList[0] != self.withUnknownFieldList[1]",
                "self.withUnknownFieldList[1] == self.withUnknownFieldList[2]",
            ],
            vec![
                ("has(self.withUnknown.field1)", "undefined field 'field1'"),
                ("has(self.anyvalList)", "undefined field 'anyvalList'"),
                ("has(self.anyvalMap)", "undefined field 'anyvalMap'"),
                ("has(self.anyvalField1)", "undefined field 'anyvalField1'"),
                ("has(self.anyvalField2)", "undefined field 'anyvalField2'"),
            ],
        ),
        (
            "known and unknown fields",
            false,
            obj(
                json!({"a": obj(json!({"b": i, "c": i, "d": {"type": "integer", "nullable": true}})),
                       "a1": obj(json!({"b1": obj(json!({"c1": i})), "d2": obj(json!({"e2": i}))}))}),
            ),
            vec![
                "has(self.a.b)",
                "!has(self.a.c)",
                "!has(self.a.d)",
                "has(self.a1.b1.c1)",
                "!(has(self.a1.d2) && has(self.a1.d2.e2))",
                "!has(self.a1.d2)",
            ],
            vec![("has(self.a.z)", "undefined field 'z'")],
        ),
    ];
    let (mut checked, mut failures) = (0, Vec::new());
    for (name, root, schema, valid, errs) in cases {
        let with_rule = |rule: &str| {
            let mut node = schema.clone();
            node["x-kubernetes-validations"] = json!([{ "rule": rule }]);
            if root {
                node
            } else {
                json!({"type": "object", "properties": {"x": node}})
            }
        };
        for rule in valid {
            checked += 1;
            let e = errors(&with_rule(rule));
            if !e.is_empty() {
                failures.push(format!("{name}: {rule} refused: {e:?}"));
            }
        }
        for (rule, want) in errs {
            checked += 1;
            let e = errors(&with_rule(rule));
            if !(e.len() == 1 && e[0].contains(want)) {
                failures.push(format!("{name}: {rule}: want {want:?}, got {e:?}"));
            }
        }
    }
    println!(
        "validation_test.go field selections: {} of {checked} as the server",
        checked - failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Operators on two scalars no overload takes, as cel-go's checker words it
/// (checker_test.go: `x.single_int64 != null` gives "found no matching overload for
/// '_!=_' applied to '(int, null)'" at the operator; CrossTypeNumericComparisons, on in
/// Kubernetes, lets numbers be ordered across types, not compared for equality).
#[test]
fn no_matching_overload_for_mismatched_scalars() {
    let s = json!({"type": "object", "properties": {"n": {"type": "integer"}, "s": {"type": "string"},
        "t": {"type": "string", "format": "date-time"}}, "x-kubernetes-validations": [
        {"rule": "self.n != null"},
        {"rule": "self.n == '3' || self.s + 1 == 'x'"},
        {"rule": "self.n < 1.5 && self.t != null && self.n == 3"},
    ]});
    let errs = errors(&s);
    assert_eq!(
        errs,
        [
            "openAPIV3Schema.x-kubernetes-validations[0].rule: Invalid value: {\"rule\":\"self.n != null\"}: compilation failed: ERROR: <input>:1:8: found no matching overload for '_!=_' applied to '(int, null)'\n | self.n != null\n | .......^",
            "openAPIV3Schema.x-kubernetes-validations[1].rule: Invalid value: {\"rule\":\"self.n == '3' || self.s + 1 == 'x'\"}: compilation failed: ERROR: <input>:1:8: found no matching overload for '_==_' applied to '(int, string)'\n | self.n == '3' || self.s + 1 == 'x'\n | .......^\nERROR: <input>:1:25: found no matching overload for '_+_' applied to '(string, int)'\n | self.n == '3' || self.s + 1 == 'x'\n | ........................^",
        ]
    );
}
