//! The server's wording of schema errors: kube-openapi's messages as
//! apiextensions-apiserver converts them to field errors
//! (`apiextensions-apiserver/pkg/apiserver/validation.kubeOpenAPIResultToFieldErrors`).

use serde_json::Value;

use super::{BadValue, ErrorType, FieldError};

/// Go's `%q`.
pub(crate) fn quote(s: &str) -> String {
    crdgen_apiext::go_quote(s)
}

/// `fmt.Sprintf("%v", x)` of a schema number (min/max/multipleOf are float64 in the
/// server).
pub(crate) fn schema_number(v: &Value) -> String {
    match v.as_f64() {
        Some(f) => crdgen_apiext::go_float(f),
        None => v.to_string(),
    }
}

/// kube-openapi's format check of an integer, reported without a field.
pub(crate) fn format_error(path: &str, format: &str) -> FieldError {
    FieldError::new(
        ErrorType::Invalid,
        "<nil>",
        Some(BadValue::Str(String::new())),
        format!("Checked value must be of type integer with format {format} in {path}"),
    )
}

/// A value of the wrong type: `<path> in body must be of type <expected>: "<actual>"`.
pub(crate) fn type_error(path: &str, expected: &str, actual: &str) -> FieldError {
    FieldError::new(
        ErrorType::TypeInvalid,
        path,
        Some(BadValue::Str(actual.to_owned())),
        format!(
            "{path} in body must be of type {expected}: {}",
            quote(actual)
        ),
    )
}

/// A string that is not of its `format`: `<path> in body must be of type <format>: "<value>"`.
pub(crate) fn string_format_error(path: &str, format: &str, value: &str) -> FieldError {
    FieldError::new(
        ErrorType::TypeInvalid,
        path,
        Some(BadValue::Str(value.to_owned())),
        format!("{path} in body must be of type {format}: {}", quote(value)),
    )
}

/// `Invalid value: <value>: <detail>`.
pub(crate) fn invalid(path: &str, value: &Value, detail: String) -> FieldError {
    FieldError::new(
        ErrorType::Invalid,
        path,
        Some(BadValue::from(value.clone())),
        detail,
    )
}

/// `Too many: <n>: must have at most <max> items` (maxItems, maxProperties).
pub(crate) fn too_many(path: &str, n: u64, max: u64) -> FieldError {
    FieldError::new(
        ErrorType::TooMany,
        path,
        Some(BadValue::Json(Value::from(n))),
        format!("must have at most {max} items"),
    )
}

/// `Too long: may not be more than <max> bytes` (maxLength).
pub(crate) fn too_long(path: &str, value: &Value, max: u64) -> FieldError {
    let unit = if max == 1 { "byte" } else { "bytes" };
    FieldError::new(
        ErrorType::TooLong,
        path,
        Some(BadValue::from(value.clone())),
        format!("may not be more than {max} {unit}"),
    )
}

/// `Unsupported value: <value>: supported values: "a", "b"` (enum).
pub(crate) fn not_supported(path: &str, value: &Value, allowed: &[Value]) -> FieldError {
    let values: Vec<String> = allowed
        .iter()
        .map(|a| match a {
            Value::String(s) => quote(s),
            other => quote(&other.to_string()),
        })
        .collect();
    FieldError::new(
        ErrorType::NotSupported,
        path,
        Some(BadValue::from(value.clone())),
        format!("supported values: {}", values.join(", ")),
    )
}

/// `Duplicate value: <value>` (list-type set and map).
pub(crate) fn duplicate(path: String, value: Value) -> FieldError {
    FieldError::new(ErrorType::Duplicate, path, Some(BadValue::from(value)), "")
}
