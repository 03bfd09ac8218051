//! What the API server refuses when a CRD is created, checked before a user applies a
//! manifest, with the server's wording and field paths: the checks are
//! [`crdgen_apiext::validate`]'s (structural schemas, names, versions, defaults that
//! pruning would change, ...), the same the loader warns about and the in-memory API
//! server refuses with.
//!
//! Also: a manifest over 262,144 bytes cannot be applied client-side (kubectl keeps
//! the whole object in the `last-applied-configuration` annotation, which is limited
//! to that size).

use serde_json::Value;

/// The size limit of an annotation, which client-side apply's last-applied
/// configuration must fit in.
pub const LAST_APPLIED_LIMIT: usize = 262_144;

/// Problems with a CRD document (JSON), each as `<field path>: <reason>`.
pub fn check(crd: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let size = serde_json::to_string(crd).map_or(0, |s| s.len());
    if size > LAST_APPLIED_LIMIT {
        out.push(format!(
            "the manifest is {size} bytes, over the {LAST_APPLIED_LIMIT}-byte annotation limit of client-side apply (metadata.annotations: Too long: must have at most {LAST_APPLIED_LIMIT} bytes); apply it with `kubectl apply --server-side` or `kubectl create`"
        ));
    }
    out.extend(crdgen_apiext::validate(crd).iter().map(ToString::to_string));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn crd(schema: Value) -> Value {
        json!({
            "apiVersion": "apiextensions.k8s.io/v1",
            "kind": "CustomResourceDefinition",
            "metadata": {"name": "widgets.example.com"},
            "spec": {
                "group": "example.com",
                "scope": "Namespaced",
                "names": {"plural": "widgets", "kind": "Widget"},
                "versions": [{"name": "v1", "served": true, "storage": true, "schema": {"openAPIV3Schema": schema}}],
            },
        })
    }

    #[test]
    fn reports_what_the_server_rejects() {
        let problems = check(&crd(json!({
            "type": "object",
            "properties": {
                "metadata": {"type": "object", "properties": {"labels": {"type": "object"}}},
                "spec": {
                    "type": "object",
                    "properties": {
                        "untyped": {"description": "x"},
                        "both": {"type": "object", "properties": {"a": {"type": "string"}}, "additionalProperties": {"type": "string"}},
                        "tuple": {"type": "array", "items": [{"type": "string"}]},
                        "ref": {"$ref": "#/x", "type": "string"},
                        "free": {"x-kubernetes-preserve-unknown-fields": true},
                        "ios": {"x-kubernetes-int-or-string": true, "anyOf": [{"type": "integer"}, {"type": "string"}]},
                        "d": {"type": "object", "properties": {"a": {"type": "string"}}, "default": {"a": "x", "b": 1}}
                    }
                }
            }
        })));
        let text = problems.join("\n");
        let at = "spec.validation.openAPIV3Schema.properties";
        assert_eq!(
            problems,
            [
                format!(
                    "{at}[spec].properties[both].additionalProperties: Forbidden: additionalProperties and properties are mutual exclusive"
                ),
                format!("{at}[spec].properties[ref].$ref: Forbidden: $ref is not supported"),
                format!(
                    "{at}[spec].properties[tuple].items: Forbidden: items must be a schema object and not an array"
                ),
            ],
            "{text}"
        );
        // Without what stops the server's structural conversion, the rest shows.
        let problems = check(&crd(json!({
            "type": "object",
            "properties": {
                "metadata": {"type": "object", "properties": {"labels": {"type": "object"}}},
                "spec": {
                    "type": "object",
                    "properties": {
                        "untyped": {"description": "x"},
                        "free": {"x-kubernetes-preserve-unknown-fields": true},
                        "ios": {"x-kubernetes-int-or-string": true, "anyOf": [{"type": "integer"}, {"type": "string"}]},
                    }
                }
            }
        })));
        assert_eq!(
            problems,
            [
                format!(
                    "{at}[metadata]: Forbidden: must not specify anything other than name and generateName, but metadata is implicitly specified"
                ),
                format!(
                    "{at}[spec].properties[untyped].type: Required value: must not be empty for specified object fields"
                ),
            ]
        );
        let problems = check(&crd(json!({
            "type": "object",
            "properties": {
                "d": {"type": "object", "properties": {"a": {"type": "string"}}, "default": {"a": "x", "b": 1}}
            }
        })));
        assert_eq!(
            problems,
            [format!(
                "{at}[d].default: Invalid value: {{\"a\":\"x\",\"b\":1}}: must not have unknown fields"
            )]
        );
    }

    #[test]
    fn warns_above_the_last_applied_limit() {
        let big = "x".repeat(LAST_APPLIED_LIMIT);
        let problems = check(&crd(json!({"type": "object", "description": big})));
        assert!(problems[0].contains("client-side apply"), "{problems:?}");
    }
}
