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
