//! The structural-schema rules the API server enforces when a CRD is created, checked
//! before a user applies a manifest, with the server's wording and field paths:
//!
//! - every node has a `type`, except where `x-kubernetes-int-or-string` or
//!   `x-kubernetes-preserve-unknown-fields` allows none (and inside `allOf`/`anyOf`/
//!   `oneOf`/`not`, which only validate);
//! - `properties` and `additionalProperties` are not both set;
//! - `items` is one schema, not a list;
//! - no `$ref`;
//! - at the root, `metadata` may only constrain `name` and `generateName`;
//! - a `default` has no field that pruning would drop.
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
    if let Some(Value::Array(versions)) = crd.pointer("/spec/versions") {
        for (i, v) in versions.iter().enumerate() {
            if let Some(root) = v.pointer("/schema/openAPIV3Schema") {
                let path = format!("spec.versions[{i}].schema.openAPIV3Schema");
                if let Some(meta) = root.pointer("/properties/metadata") {
                    check_metadata(meta, &format!("{path}.properties[metadata]"), &mut out);
                }
                node(root, &path, false, false, &mut out);
            }
        }
    }
    out
}

fn check_metadata(meta: &Value, path: &str, out: &mut Vec<String>) {
    let Some(obj) = meta.as_object() else { return };
    let only_names = obj
        .get("properties")
        .and_then(Value::as_object)
        .is_none_or(|p| p.keys().all(|k| k == "name" || k == "generateName"));
    let allowed = [
        "type",
        "properties",
        "description",
        "nullable",
        "x-kubernetes-preserve-unknown-fields",
    ];
    if !only_names || obj.keys().any(|k| !allowed.contains(&k.as_str())) {
        out.push(format!("{path}: Forbidden: must not specify anything other than name and generateName, but metadata is implicitly specified"));
    }
}

/// Check a node; `lenient` under int-or-string / preserve-unknown-fields, `validation`
/// inside `allOf`/`anyOf`/`oneOf`/`not`.
fn node(s: &Value, path: &str, lenient: bool, validation: bool, out: &mut Vec<String>) {
    let Some(obj) = s.as_object() else {
        out.push(format!("{path}: Invalid value: must be a schema object"));
        return;
    };
    let flag = |k: &str| obj.get(k) == Some(&Value::Bool(true));
    let lenient_here = lenient
        || flag("x-kubernetes-int-or-string")
        || flag("x-kubernetes-preserve-unknown-fields");
    if obj.contains_key("$ref") {
        out.push(format!("{path}.$ref: Forbidden: $ref is not supported"));
    }
    if !validation
        && !lenient_here
        && obj
            .get("type")
            .is_none_or(|t| t.as_str().is_none_or(str::is_empty))
    {
        out.push(format!(
            "{path}.type: Required value: must not be empty for specified object fields"
        ));
    }
    if obj.contains_key("properties") && obj.contains_key("additionalProperties") {
        out.push(format!(
            "{path}.additionalProperties: Forbidden: additionalProperties and properties are mutual exclusive"
        ));
    }
    if let Some(items) = obj.get("items") {
        if items.is_array() {
            out.push(format!(
                "{path}.items: Forbidden: items must be a schema object and not an array"
            ));
        } else {
            node(
                items,
                &format!("{path}.items"),
                lenient_here && !flag("x-kubernetes-int-or-string"),
                validation,
                out,
            );
        }
    }
    if let Some(Value::Object(props)) = obj.get("properties") {
        for (k, v) in props {
            node(
                v,
                &format!("{path}.properties[{k}]"),
                false,
                validation,
                out,
            );
        }
    }
    if let Some(ap @ Value::Object(_)) = obj.get("additionalProperties") {
        node(
            ap,
            &format!("{path}.additionalProperties"),
            false,
            validation,
            out,
        );
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        if let Some(Value::Array(list)) = obj.get(key) {
            for (i, v) in list.iter().enumerate() {
                node(v, &format!("{path}.{key}[{i}]"), true, true, out);
            }
        }
    }
    if let Some(n) = obj.get("not") {
        node(n, &format!("{path}.not"), true, true, out);
    }
    if let Some(d) = obj.get("default")
        && let Some(unknown) = pruned_field(s, d, "")
    {
        out.push(format!(
            "{path}.default: Invalid value: {}: unknown field \"{unknown}\"",
            short(d)
        ));
    }
}

/// The first field of `value` that pruning against `schema` would drop.
fn pruned_field(schema: &Value, value: &Value, at: &str) -> Option<String> {
    let obj = schema.as_object()?;
    if obj.get("x-kubernetes-preserve-unknown-fields") == Some(&Value::Bool(true)) {
        return None;
    }
    match value {
        Value::Object(m) => {
            let props = obj.get("properties").and_then(Value::as_object);
            let ap = obj.get("additionalProperties");
            for (k, v) in m {
                let here = if at.is_empty() {
                    k.clone()
                } else {
                    format!("{at}.{k}")
                };
                let child = match (props.and_then(|p| p.get(k)), ap) {
                    (Some(c), _) => Some(c),
                    (None, Some(a @ Value::Object(_))) => Some(a),
                    (None, Some(Value::Bool(true))) => None,
                    (None, _)
                        if obj.get("x-kubernetes-embedded-resource")
                            == Some(&Value::Bool(true))
                            && matches!(k.as_str(), "apiVersion" | "kind" | "metadata") =>
                    {
                        None
                    }
                    (None, _) => return Some(here),
                };
                if let Some(c) = child
                    && let Some(f) = pruned_field(c, v, &here)
                {
                    return Some(f);
                }
            }
            None
        }
        Value::Array(items) => {
            let item_schema = obj.get("items")?;
            items
                .iter()
                .enumerate()
                .find_map(|(i, v)| pruned_field(item_schema, v, &format!("{at}[{i}]")))
        }
        _ => None,
    }
}

fn short(v: &Value) -> String {
    let s = v.to_string();
    match s.char_indices().nth(60) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn crd(schema: Value) -> Value {
        json!({"spec": {"versions": [{"name": "v1", "schema": {"openAPIV3Schema": schema}}]}})
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
        assert!(text.contains("properties[metadata]: Forbidden"), "{text}");
        assert!(
            text.contains("properties[untyped].type: Required value"),
            "{text}"
        );
        assert!(
            text.contains("properties[both].additionalProperties: Forbidden"),
            "{text}"
        );
        assert!(
            text.contains("properties[tuple].items: Forbidden"),
            "{text}"
        );
        assert!(text.contains("properties[ref].$ref: Forbidden"), "{text}");
        assert!(
            text.contains("properties[d].default: Invalid value"),
            "{text}"
        );
        assert!(!text.contains("[free]"), "{text}");
        assert!(!text.contains("[ios]"), "{text}");
        assert_eq!(problems.len(), 6, "{text}");
    }

    #[test]
    fn warns_above_the_last_applied_limit() {
        let big = "x".repeat(LAST_APPLIED_LIMIT);
        let problems = check(&crd(json!({"type": "object", "description": big})));
        assert!(problems[0].contains("client-side apply"), "{problems:?}");
    }
}
