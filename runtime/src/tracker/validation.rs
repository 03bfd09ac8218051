//! The checks kube-apiserver's custom resource strategy adds to schema validation:
//! the scale subresource's paths (`ValidateScaleSpec`, `ValidateScaleStatus`) and the
//! marker for CEL rules that were skipped because the object was already invalid.

use serde_json::Value;

use super::ScaleInfo;
use crate::schema::{FieldError, FieldErrorKind};

/// Go's `%v` of a JSON value decoded into `interface{}` and its `%T`.
fn go_dynamic(v: &Value) -> (String, &'static str) {
    match v {
        Value::String(s) => (s.clone(), "string"),
        Value::Bool(b) => (b.to_string(), "bool"),
        Value::Number(n) if n.is_f64() => (n.as_f64().unwrap_or_default().to_string(), "float64"),
        Value::Number(n) => (n.to_string(), "int64"),
        Value::Array(_) => (v.to_string(), "[]interface {}"),
        Value::Object(_) => (v.to_string(), "map[string]interface {}"),
        Value::Null => ("<nil>".into(), "<nil>"),
    }
}

fn lookup<'a>(obj: &'a Value, path: &str) -> Option<&'a Value> {
    path.trim_start_matches('.')
        .split('.')
        .try_fold(obj, |v, s| v.get(s))
}

/// `unstructured.NestedInt64` at a scale path, checked as the server checks replicas.
fn replicas(obj: &Value, path: &str, errs: &mut Vec<FieldError>) {
    match lookup(obj, path) {
        None | Some(Value::Null) => {}
        Some(v) => match v
            .as_i64()
            .filter(|_| !v.as_number().is_some_and(|n| n.is_f64()))
        {
            Some(n) if n < 0 => errs.push(FieldError::invalid(
                path,
                Value::from(n),
                "should be a non-negative integer",
            )),
            Some(n) if n > i64::from(i32::MAX) => errs.push(FieldError::invalid(
                path,
                Value::from(n),
                format!("should be less than or equal to {}", i32::MAX),
            )),
            Some(_) => {}
            None => {
                let (shown, ty) = go_dynamic(v);
                let dotted = format!(".{}", path.trim_start_matches('.'));
                errs.push(FieldError::invalid(
                    path,
                    Value::from(0),
                    format!("{dotted} accessor error: {shown} is of the type {ty}, expected int64"),
                ));
            }
        },
    }
}

/// `ValidateScaleSpec` and `ValidateScaleStatus`.
pub(crate) fn scale(obj: &Value, scale: &ScaleInfo) -> Vec<FieldError> {
    let mut errs = Vec::new();
    replicas(obj, &scale.spec_replicas_path, &mut errs);
    replicas(obj, &scale.status_replicas_path, &mut errs);
    if let Some(p) = &scale.label_selector_path
        && let Some(v) = lookup(obj, p).filter(|v| !v.is_string() && !v.is_null())
    {
        let (shown, ty) = go_dynamic(v);
        let dotted = format!(".{}", p.trim_start_matches('.'));
        errs.push(FieldError::invalid(
            p.as_str(),
            Value::from(""),
            format!("{dotted} accessor error: {shown} is of the type {ty}, expected string"),
        ));
    }
    errs
}

/// Whether a schema declares CEL rules (`x-kubernetes-validations`) anywhere.
pub(crate) fn has_cel_rules(schema: &Value) -> bool {
    match schema {
        Value::Object(m) => {
            m.contains_key("x-kubernetes-validations") || m.values().any(has_cel_rules)
        }
        Value::Array(a) => a.iter().any(has_cel_rules),
        _ => false,
    }
}

/// `hasBlockingErr`: after these errors the CEL rules are not run and a last error
/// says so.
pub(crate) fn cel_blocked_marker(errs: &[FieldError]) -> Option<FieldError> {
    errs.iter()
        .any(|e| {
            matches!(
                e.kind,
                FieldErrorKind::NotSupported
                    | FieldErrorKind::Required
                    | FieldErrorKind::TooLong
                    | FieldErrorKind::TooMany
                    | FieldErrorKind::TypeInvalid
            )
        })
        .then(|| {
            FieldError::invalid(
                "<nil>",
                Value::Null,
                "some validation rules were not checked because the object was invalid; correct the existing errors to complete validation",
            )
        })
}
