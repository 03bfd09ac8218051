//! Embedded resources (`x-kubernetes-embedded-resource`): their `apiVersion` and
//! `kind` as decoding needs them, `schemaobjectmeta.Validate` of their metadata, and
//! the pruning of the ObjectMeta fields they do not know.

use serde_json::Value;

use super::object_meta::labels_and_annotations;
use super::{FieldError, FieldPath as Path};

/// The fields of `ObjectMeta` (a custom resource's and an embedded resource's
/// `metadata`); others are pruned as unknown.
pub const META_FIELDS: &[&str] = &[
    "name",
    "generateName",
    "namespace",
    "selfLink",
    "uid",
    "resourceVersion",
    "generation",
    "creationTimestamp",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "labels",
    "annotations",
    "ownerReferences",
    "finalizers",
    "managedFields",
];

/// The embedded resources (`x-kubernetes-embedded-resource`) of an object:
/// (path, value), in schema walk order.
fn embedded<'a>(x: &'a Value, s: &'a Value, path: &mut Path, out: &mut Vec<(String, &'a Value)>) {
    match x {
        Value::Object(m) => {
            for (k, v) in m {
                if let Some(sub) = nested_schema(s, k, v) {
                    let len = path.key(k);
                    if is_embedded(sub) && v.is_object() {
                        out.push((path.0.clone(), v));
                    }
                    embedded(v, sub, path, out);
                    path.0.truncate(len);
                }
            }
        }
        Value::Array(a) => {
            if let Some(it) = s.get("items") {
                for (i, v) in a.iter().enumerate() {
                    if !(v.is_object() || v.is_array()) {
                        continue;
                    }
                    let len = path.index(i);
                    if is_embedded(it) && v.is_object() {
                        out.push((path.0.clone(), v));
                    }
                    embedded(v, it, path, out);
                    path.0.truncate(len);
                }
            }
        }
        _ => {}
    }
}

fn is_embedded(s: &Value) -> bool {
    s.get("x-kubernetes-embedded-resource")
        .and_then(Value::as_bool)
        == Some(true)
}

/// Decoding an embedded resource needs string `apiVersion` and `kind`: the error of
/// the first that is not, as the 400 words it.
pub fn embedded_type_error(obj: &Value, schema: &Value) -> Option<String> {
    let mut found = Vec::new();
    embedded(obj, schema, &mut Path(String::new()), &mut found);
    for (path, v) in found {
        for k in ["apiVersion", "kind"] {
            if let Some(bad) = v.get(k).filter(|x| !x.is_string() && !x.is_null()) {
                return Some(format!(
                    "{path}.{k}: Invalid value: {bad}: must be a string"
                ));
            }
        }
    }
    None
}

/// `schemaobjectmeta.Validate` of embedded resources: `apiVersion` and `kind`
/// required, labels and annotations validated (the name is not).
pub fn embedded_resources(obj: &Value, schema: &Value) -> Vec<FieldError> {
    let mut found = Vec::new();
    embedded(obj, schema, &mut Path(String::new()), &mut found);
    let mut errs = Vec::new();
    for (path, v) in found {
        for k in ["apiVersion", "kind"] {
            if v.get(k).and_then(Value::as_str).is_none_or(str::is_empty) {
                errs.push(FieldError::required(format!("{path}.{k}"), ""));
            }
        }
        if let Some(meta) = v.get("metadata") {
            labels_and_annotations(meta, &format!("{path}.metadata"), &mut errs);
        }
    }
    errs
}

/// The metadata of embedded resources (`x-kubernetes-embedded-resource`) is an
/// ObjectMeta too: fields it does not know are dropped (reported like unknown fields,
/// after the schema's).
pub fn prune_embedded_meta(obj: &mut Value, schema: &Value) -> Vec<String> {
    let mut out = Vec::new();
    walk_embedded(obj, schema, &mut Path(String::new()), false, &mut out);
    out
}

fn walk_embedded(x: &mut Value, s: &Value, path: &mut Path, check: bool, out: &mut Vec<String>) {
    match x {
        Value::Object(m) => {
            if check && let Some(Value::Object(meta)) = m.get_mut("metadata") {
                let extra: Vec<String> = meta
                    .keys()
                    .filter(|k| !META_FIELDS.contains(&k.as_str()))
                    .cloned()
                    .collect();
                for k in extra {
                    meta.remove(&k);
                    let len = path.key("metadata");
                    out.push(format!("{}.{k}", path.0));
                    path.0.truncate(len);
                }
            }
            for (k, v) in m.iter_mut() {
                if let Some(sub) = nested_schema(s, k, v) {
                    let len = path.key(k);
                    walk_embedded(v, sub, path, is_embedded(sub), out);
                    path.0.truncate(len);
                }
            }
        }
        Value::Array(a) => {
            if let Some(it) = s.get("items") {
                let embedded = is_embedded(it);
                for (i, v) in a.iter_mut().enumerate() {
                    if v.is_object() || v.is_array() {
                        let len = path.index(i);
                        walk_embedded(v, it, path, embedded, out);
                        path.0.truncate(len);
                    }
                }
            }
        }
        _ => {}
    }
}

/// The schema of an object's member `k` whose value `v` can hold embedded resources (an
/// object or a list): its property, else `additionalProperties`.
fn nested_schema<'a>(s: &'a Value, k: &str, v: &Value) -> Option<&'a Value> {
    if !(v.is_object() || v.is_array()) {
        return None;
    }
    s.get("properties")
        .and_then(|p| p.get(k))
        .or_else(|| s.get("additionalProperties").filter(|a| a.is_object()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn schema() -> Value {
        json!({"type": "object", "properties": {"spec": {"type": "object", "properties": {
            "template": {"type": "object", "x-kubernetes-embedded-resource": true,
                "x-kubernetes-preserve-unknown-fields": true}}}}})
    }

    #[test]
    fn embedded_resources_need_api_version_and_kind() {
        let obj = json!({"spec": {"template": {"kind": "Pod",
            "metadata": {"labels": {"a": "b c"}}}}});
        let shown: Vec<String> = embedded_resources(&obj, &schema())
            .iter()
            .map(|e| e.field.clone())
            .collect();
        assert_eq!(
            shown,
            ["spec.template.apiVersion", "spec.template.metadata.labels"]
        );
        let bad = json!({"spec": {"template": {"kind": 1}}});
        assert_eq!(
            embedded_type_error(&bad, &schema()).as_deref(),
            Some("spec.template.kind: Invalid value: 1: must be a string")
        );
    }

    #[test]
    fn unknown_embedded_metadata_is_pruned() {
        let mut obj = json!({"spec": {"template": {"metadata": {"name": "x", "bogus": 1}}}});
        assert_eq!(
            prune_embedded_meta(&mut obj, &schema()),
            ["spec.template.metadata.bogus"]
        );
        assert_eq!(obj["spec"]["template"]["metadata"], json!({"name": "x"}));
    }
}
