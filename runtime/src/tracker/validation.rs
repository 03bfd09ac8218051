//! The checks kube-apiserver's custom resource strategy adds to schema validation:
//! the scale subresource's paths (`ValidateScaleSpec`, `ValidateScaleStatus`) and the
//! marker for CEL rules that were skipped because the object was already invalid.

use std::sync::Arc;

use serde_json::Value;

use super::{KindInfo, ScaleInfo};
use crate::schema::FieldError;
pub(crate) use crate::schema::{cel_blocked_marker, has_cel_rules};

/// `ValidateScaleSpec` and `ValidateScaleStatus` at the kind's scale paths.
pub(crate) fn scale(obj: &Value, scale: &ScaleInfo) -> Vec<FieldError> {
    crate::schema::scale_errors(
        obj,
        &scale.spec_replicas_path,
        &scale.status_replicas_path,
        scale.label_selector_path.as_deref(),
    )
}

/// The CEL rules of every version with a schema, compiled once. Err: the errors the
/// server refuses the CRD with, at `spec.validation.openAPIV3Schema…` when every
/// version has the same schema (the internal version's one schema), else at
/// `spec.versions[i].schema.openAPIV3Schema…`.
pub(crate) fn compile_rules(
    kind: &KindInfo,
) -> Result<Vec<(String, Arc<crdgen_cel::Rules>)>, Vec<FieldError>> {
    let shared = kind.versions.windows(2).all(|w| w[0].schema == w[1].schema);
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for (i, v) in kind.versions.iter().enumerate() {
        let Some(schema) = v.schema.as_ref().filter(|s| has_cel_rules(s)) else {
            continue;
        };
        match crdgen_cel::Rules::compile(schema) {
            Ok(r) => out.push((v.name.clone(), Arc::new(r))),
            Err(errs) => {
                if shared && i > 0 {
                    continue;
                }
                let prefix = if shared {
                    "spec.validation.".to_owned()
                } else {
                    format!("spec.versions[{i}].schema.")
                };
                errors.extend(errs.into_iter().map(|mut e| {
                    e.field = format!("{prefix}{}", e.field);
                    e
                }));
            }
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

const QUALIFIED_NAME_FMT: &str = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
const DNS1123_SUBDOMAIN_MSG: &str = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

fn qualified_name_regex_error() -> String {
    format!(
        "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '{QUALIFIED_NAME_FMT}')"
    )
}

fn is_qualified_name_part(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
}

fn is_dns1123_subdomain(s: &str) -> bool {
    s.split('.').all(|l| {
        let b = l.as_bytes();
        !b.is_empty()
            && (b[0].is_ascii_lowercase() || b[0].is_ascii_digit())
            && (b[b.len() - 1].is_ascii_lowercase() || b[b.len() - 1].is_ascii_digit())
            && b.iter()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
    })
}

/// `IsDNS1123Subdomain`.
pub(crate) fn dns1123_subdomain_errors(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    if s.len() > 253 {
        out.push("must be no more than 253 characters".to_owned());
    }
    if !is_dns1123_subdomain(s) {
        out.push(DNS1123_SUBDOMAIN_MSG.to_owned());
    }
    out
}

/// `IsQualifiedName`: label and annotation keys, finalizer names.
fn qualified_name_errors(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    let parts: Vec<&str> = value.split('/').collect();
    let name = match parts.as_slice() {
        [name] => *name,
        [prefix, name] => {
            if prefix.is_empty() {
                errs.push("prefix part must be non-empty".to_owned());
            } else {
                errs.extend(
                    dns1123_subdomain_errors(prefix)
                        .into_iter()
                        .map(|m| format!("prefix part {m}")),
                );
            }
            *name
        }
        _ => {
            errs.push(format!(
                "a qualified name {} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
                qualified_name_regex_error()
            ));
            return errs;
        }
    };
    if name.is_empty() {
        errs.push("name part must be non-empty".to_owned());
    } else if name.len() > 63 {
        errs.push("name part must be no more than 63 bytes".to_owned());
    }
    if !is_qualified_name_part(name) {
        errs.push(format!("name part {}", qualified_name_regex_error()));
    }
    errs
}

/// `IsValidLabelValue`.
fn label_value_errors(v: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if v.len() > 63 {
        errs.push("must be no more than 63 bytes".to_owned());
    }
    if !v.is_empty() && !is_qualified_name_part(v) {
        errs.push("a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')".to_owned());
    }
    errs
}

/// `ValidateLabels` and `ValidateAnnotations` of the metadata at `path`.
fn labels_and_annotations(meta: &Value, path: &str, errs: &mut Vec<FieldError>) {
    let field = format!("{path}.labels");
    if let Some(labels) = meta.get("labels").and_then(Value::as_object) {
        for (k, v) in labels {
            for m in qualified_name_errors(k) {
                errs.push(FieldError::invalid(
                    field.as_str(),
                    Value::from(k.as_str()),
                    m,
                ));
            }
            let v = v.as_str().unwrap_or("");
            for m in label_value_errors(v) {
                errs.push(FieldError::invalid(field.as_str(), Value::from(v), m));
            }
        }
    }
    let field = format!("{path}.annotations");
    if let Some(annotations) = meta.get("annotations").and_then(Value::as_object) {
        for k in annotations.keys() {
            for m in qualified_name_errors(&k.to_lowercase()) {
                errs.push(FieldError::invalid(
                    field.as_str(),
                    Value::from(k.as_str()),
                    m,
                ));
            }
        }
    }
}

/// The embedded resources (`x-kubernetes-embedded-resource`) of an object:
/// (path, value), in schema walk order.
fn embedded<'a>(x: &'a Value, s: &'a Value, path: &str, out: &mut Vec<(String, &'a Value)>) {
    let child = |k: &str| {
        if path.is_empty() {
            k.to_owned()
        } else {
            format!("{path}.{k}")
        }
    };
    match x {
        Value::Object(m) => {
            for (k, v) in m {
                let sub = s
                    .get("properties")
                    .and_then(|p| p.get(k))
                    .or_else(|| s.get("additionalProperties").filter(|a| a.is_object()));
                if let Some(sub) = sub {
                    if sub
                        .get("x-kubernetes-embedded-resource")
                        .and_then(Value::as_bool)
                        == Some(true)
                        && v.is_object()
                    {
                        out.push((child(k), v));
                    }
                    embedded(v, sub, &child(k), out);
                }
            }
        }
        Value::Array(a) => {
            if let Some(it) = s.get("items") {
                for (i, v) in a.iter().enumerate() {
                    let p = format!("{path}[{i}]");
                    if it
                        .get("x-kubernetes-embedded-resource")
                        .and_then(Value::as_bool)
                        == Some(true)
                        && v.is_object()
                    {
                        out.push((p.clone(), v));
                    }
                    embedded(v, it, &p, out);
                }
            }
        }
        _ => {}
    }
}

/// Decoding an embedded resource needs string `apiVersion` and `kind`: the error of
/// the first that is not, as the 400 words it.
pub(crate) fn embedded_type_error(obj: &Value, schema: &Value) -> Option<String> {
    let mut found = Vec::new();
    embedded(obj, schema, "", &mut found);
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
pub(crate) fn embedded_resources(obj: &Value, schema: &Value) -> Vec<FieldError> {
    let mut found = Vec::new();
    embedded(obj, schema, "", &mut found);
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

/// `ValidateObjectMetaAccessor` for a custom resource (name a DNS subdomain), with
/// the finalizer warnings the server sends.
pub(crate) fn object_meta(obj: &Value, warnings: &mut Vec<String>) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let meta = obj.get("metadata").cloned().unwrap_or(Value::Null);
    let name = meta.get("name").and_then(Value::as_str).unwrap_or("");
    let generate = meta
        .get("generateName")
        .and_then(Value::as_str)
        .unwrap_or("");
    if name.is_empty() && generate.is_empty() {
        errs.push(FieldError::required(
            "metadata.name",
            "name or generateName is required",
        ));
    } else if !name.is_empty() {
        for m in dns1123_subdomain_errors(name) {
            errs.push(FieldError::invalid("metadata.name", Value::from(name), m));
        }
    }
    labels_and_annotations(&meta, "metadata", &mut errs);
    for r in meta
        .get("ownerReferences")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let s = |k: &str| r.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
        let av = s("apiVersion");
        if av.rsplit('/').next().unwrap_or("").is_empty() {
            errs.push(FieldError::invalid(
                "metadata.ownerReferences.apiVersion",
                Value::from(av),
                "version must not be empty",
            ));
        }
        for (k, field) in [("kind", "kind"), ("name", "name"), ("uid", "uid")] {
            if s(k).is_empty() {
                errs.push(FieldError::invalid(
                    format!("metadata.ownerReferences.{field}"),
                    Value::from(""),
                    "must not be empty",
                ));
            }
        }
    }
    for f in meta
        .get("finalizers")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let f = f.as_str().unwrap_or("");
        let errors = qualified_name_errors(f);
        for m in &errors {
            errs.push(FieldError::invalid(
                "metadata.finalizers",
                Value::from(f),
                m.clone(),
            ));
        }
        if errors.is_empty()
            && !f.contains('/')
            && !matches!(f, "kubernetes" | "orphan" | "foregroundDeletion")
        {
            warnings.push(format!(
                "metadata.finalizers: {f:?}: prefer a domain-qualified finalizer name to avoid accidental conflicts with other finalizer writers"
            ));
        }
    }
    errs
}

/// The metadata of embedded resources (`x-kubernetes-embedded-resource`) is an
/// ObjectMeta too: fields it does not know are dropped (reported like unknown fields,
/// after the schema's).
pub(crate) fn prune_embedded_meta(obj: &mut Value, schema: &Value, known: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    walk_embedded(obj, schema, "", false, known, &mut out);
    out
}

fn walk_embedded(
    x: &mut Value,
    s: &Value,
    path: &str,
    check: bool,
    known: &[&str],
    out: &mut Vec<String>,
) {
    let child = |k: &str| {
        if path.is_empty() {
            k.to_owned()
        } else {
            format!("{path}.{k}")
        }
    };
    match x {
        Value::Object(m) => {
            if check && let Some(Value::Object(meta)) = m.get_mut("metadata") {
                let extra: Vec<String> = meta
                    .keys()
                    .filter(|k| !known.contains(&k.as_str()))
                    .cloned()
                    .collect();
                for k in extra {
                    meta.remove(&k);
                    out.push(format!("{}.{k}", child("metadata")));
                }
            }
            for (k, v) in m.iter_mut() {
                let sub = s
                    .get("properties")
                    .and_then(|p| p.get(k))
                    .or_else(|| s.get("additionalProperties").filter(|a| a.is_object()));
                if let Some(sub) = sub {
                    let embedded = sub
                        .get("x-kubernetes-embedded-resource")
                        .and_then(Value::as_bool)
                        == Some(true);
                    walk_embedded(v, sub, &child(k), embedded, known, out);
                }
            }
        }
        Value::Array(a) => {
            if let Some(it) = s.get("items") {
                let embedded = it
                    .get("x-kubernetes-embedded-resource")
                    .and_then(Value::as_bool)
                    == Some(true);
                for (i, v) in a.iter_mut().enumerate() {
                    walk_embedded(v, it, &format!("{path}[{i}]"), embedded, known, out);
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn qualified_names_as_the_server_words_them() {
        assert!(qualified_name_errors("example.com/ok-name").is_empty());
        assert_eq!(
            qualified_name_errors("bad key!"),
            [format!("name part {}", qualified_name_regex_error())]
        );
        assert_eq!(
            qualified_name_errors(&"a".repeat(64)),
            ["name part must be no more than 63 bytes"]
        );
        assert_eq!(
            qualified_name_errors("/x"),
            ["prefix part must be non-empty"]
        );
    }

    #[test]
    fn scale_paths_are_checked_like_nested_int64() {
        let sc = ScaleInfo {
            spec_replicas_path: ".spec.replicas".into(),
            status_replicas_path: ".status.replicas".into(),
            label_selector_path: Some(".status.selector".into()),
        };
        let errs = scale(&json!({"spec": "oops", "status": {"replicas": -1}}), &sc);
        let shown: Vec<String> = errs.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            [
                ".spec.replicas: Invalid value: 0: .spec.replicas accessor error: oops is of the type string, expected map[string]interface{}",
                ".status.replicas: Invalid value: -1: should be a non-negative integer",
            ]
        );
    }

    #[test]
    fn blocking_errors_add_the_cel_marker() {
        let blocking = [FieldError::required("spec.x", "")];
        assert_eq!(
            cel_blocked_marker(&blocking)
                .map(|e| e.to_string())
                .as_deref(),
            Some(
                "<nil>: Invalid value: null: some validation rules were not checked because the object was invalid; correct the existing errors to complete validation"
            )
        );
        let minimum = [FieldError::invalid("spec.x", json!(-1), "too small")];
        assert!(cel_blocked_marker(&minimum).is_none());
    }
}
