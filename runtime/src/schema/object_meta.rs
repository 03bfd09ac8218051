//! ObjectMeta validation of a custom resource, worded as kube-apiserver words it
//! (`ValidateObjectMetaAccessor` with `NameIsDNSSubdomain`, `ValidateLabels`,
//! `ValidateAnnotations`, owner references and finalizers), and the labels and
//! annotations of embedded resources' metadata.
//!
//! Client side and in the in-memory server alike (the [`pipeline`](super::pipeline)
//! runs it). What needs the request (the namespace, the name generated from
//! `generateName`, no new finalizers while deleting) stays in the server.

use serde_json::Value;

use super::FieldError;

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
pub(super) fn dns1123_subdomain_errors(s: &str) -> Vec<String> {
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
pub(super) fn labels_and_annotations(meta: &Value, path: &str, errs: &mut Vec<FieldError>) {
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

/// `ValidateObjectMetaAccessor` for a custom resource (name a DNS subdomain), with
/// the finalizer warnings the server sends.
pub fn object_meta(obj: &Value, warnings: &mut Vec<String>) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let null = Value::Null;
    let meta = obj.get("metadata").unwrap_or(&null);
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
    labels_and_annotations(meta, "metadata", &mut errs);
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
    fn object_meta_checks_name_labels_owners_and_finalizers() {
        let mut warnings = Vec::new();
        let obj = json!({"metadata": {
            "name": "Bad_Name",
            "labels": {"ok": "fine", "x": "not valid!"},
            "ownerReferences": [{"apiVersion": "v1", "kind": "", "name": "o", "uid": "u"}],
            "finalizers": ["plain"],
        }});
        let shown: Vec<String> = object_meta(&obj, &mut warnings)
            .iter()
            .map(|e| e.field.clone())
            .collect();
        assert_eq!(
            shown,
            [
                "metadata.name",
                "metadata.labels",
                "metadata.ownerReferences.kind"
            ]
        );
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(
            object_meta(&json!({"metadata": {}}), &mut warnings)[0]
                .to_string()
                .ends_with("name or generateName is required")
        );
    }
}
