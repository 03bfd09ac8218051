//! The checks kube-apiserver's custom resource strategy makes at the scale
//! subresource's paths (`ValidateScaleSpec`, `ValidateScaleStatus`), after schema
//! validation: used by the in-memory server and by the client-side [`Validator`](super::Validator).

use serde_json::Value;

use super::FieldError;

/// The scale subresource's JSON paths.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScaleInfo {
    /// Path of the desired replicas, e.g. `.spec.replicas`.
    pub spec_replicas_path: String,
    /// Path of the observed replicas, e.g. `.status.replicas`.
    pub status_replicas_path: String,
    /// Path of the label selector string, if any.
    pub label_selector_path: Option<String>,
}

impl ScaleInfo {
    /// The scale subresource of one version of a CRD (an item of `spec.versions`),
    /// when it declares one. The CRD's own validation requires both replicas paths;
    /// a missing one reads as empty.
    pub fn of_crd_version(version: &Value) -> Option<ScaleInfo> {
        let scale = version.get("subresources")?.get("scale")?;
        let path = |key: &str| scale.get(key).and_then(Value::as_str).map(str::to_owned);
        Some(ScaleInfo {
            spec_replicas_path: path("specReplicasPath").unwrap_or_default(),
            status_replicas_path: path("statusReplicasPath").unwrap_or_default(),
            label_selector_path: path("labelSelectorPath"),
        })
    }
}

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

/// `NestedFieldNoCopy`: the value at a path, or the accessor error when something on
/// the way is not an object.
fn nested<'a>(obj: &'a Value, path: &str) -> Result<Option<&'a Value>, String> {
    let fields: Vec<&str> = path.trim_start_matches('.').split('.').collect();
    let mut cur = obj;
    for (i, f) in fields.iter().enumerate() {
        match cur {
            Value::Null => return Ok(None),
            Value::Object(m) => match m.get(*f) {
                Some(v) => cur = v,
                None => return Ok(None),
            },
            other => {
                let (shown, ty) = go_dynamic(other);
                return Err(format!(
                    ".{} accessor error: {shown} is of the type {ty}, expected map[string]interface{{}}",
                    fields[..=i].join(".")
                ));
            }
        }
    }
    Ok(Some(cur))
}

fn lookup<'a>(obj: &'a Value, path: &str) -> Option<&'a Value> {
    nested(obj, path).ok().flatten()
}

/// `unstructured.NestedInt64` at a scale path, checked as the server checks replicas.
fn replicas(obj: &Value, path: &str, errs: &mut Vec<FieldError>) {
    let found = match nested(obj, path) {
        Ok(v) => v,
        Err(e) => {
            errs.push(FieldError::invalid(path, Value::from(0), e));
            return;
        }
    };
    match found {
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

/// `ValidateScaleSpec` and `ValidateScaleStatus`: the replicas at the scale
/// subresource's paths are non-negative int32s, the label selector a string.
pub fn scale_errors(obj: &Value, scale: &ScaleInfo) -> Vec<FieldError> {
    let mut errs = Vec::new();
    replicas(obj, &scale.spec_replicas_path, &mut errs);
    replicas(obj, &scale.status_replicas_path, &mut errs);
    if let Some(p) = scale.label_selector_path.as_deref()
        && let Some(v) = lookup(obj, p).filter(|v| !v.is_string() && !v.is_null())
    {
        let (shown, ty) = go_dynamic(v);
        let dotted = format!(".{}", p.trim_start_matches('.'));
        errs.push(FieldError::invalid(
            p,
            Value::from(""),
            format!("{dotted} accessor error: {shown} is of the type {ty}, expected string"),
        ));
    }
    errs
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn scale_paths_are_checked_like_nested_int64() {
        let sc = ScaleInfo::of_crd_version(&json!({"subresources": {"scale": {
            "specReplicasPath": ".spec.replicas",
            "statusReplicasPath": ".status.replicas",
            "labelSelectorPath": ".status.selector"}}}))
        .expect("a scale subresource");
        let errs = scale_errors(&json!({"spec": "oops", "status": {"replicas": -1}}), &sc);
        let shown: Vec<String> = errs.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            [
                ".spec.replicas: Invalid value: 0: .spec.replicas accessor error: oops is of the type string, expected map[string]interface{}",
                ".status.replicas: Invalid value: -1: should be a non-negative integer",
            ]
        );
        assert_eq!(
            ScaleInfo::of_crd_version(&json!({"subresources": {}})),
            None
        );
    }
}
