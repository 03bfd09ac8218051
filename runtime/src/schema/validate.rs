//! The walk of value validation: types (with `nullable` and int-or-string), `enum`,
//! the combinators, and the descent into properties, `additionalProperties` and
//! items, with ratcheting on update.
//!
//! Ratcheting (KEP-4008, on by default since Kubernetes 1.30): kube-openapi's
//! `ratchetingValueValidator` validates every node as usual, and when the node has
//! errors but its value is deep-equal to the old value correlated with it, the errors
//! become warnings. Correlation follows `common.CorrelatedObject`: the root, object
//! properties and `additionalProperties` values by key, and the items of
//! `x-kubernetes-list-type: map` lists by their map keys; items of other lists have no
//! old value. A node equal to its old value has only equal descendants, so the walk
//! skips it.

use serde_json::{Map, Value};

use super::errors::{format_error, invalid, not_supported, quote, type_error};
use super::keywords;
use super::lists::correlate_item;
use super::{Additional, FieldError, FieldPath, additional, flag, get, items, nullable, prop};

/// Validate `object` against `schema`, returning every failure (empty when valid).
///
/// Field paths and messages follow the server's conversion of kube-openapi results
/// (`apiextensions-apiserver/pkg/apiserver/validation`): `required` →
/// `Required value`, `enum` → `Unsupported value: "x": supported values: "a", "b"`,
/// `maxLength` → `Too long: may not be more than N bytes`, `maxItems` /
/// `maxProperties` → `Too many: N: must have at most M items`, wrong types →
/// `Invalid value: "string": spec.x in body must be of type integer: "string"`, and
/// every other keyword → `Invalid value: <value>: <path> in body should …`.
/// `metadata`, `apiVersion` and `kind` at the root are not validated here, nor are
/// list types ([`validate_lists`](super::validate_lists)), which the server checks after
/// the embedded resources.
pub fn validate(object: &Value, schema: &Value) -> Vec<FieldError> {
    let mut errs = Vec::new();
    validate_at(
        object,
        None,
        schema,
        &mut FieldPath::default(),
        true,
        &mut errs,
    );
    errs
}

/// [`validate`] for an update from `old`: errors of values that did not change are
/// dropped (ratcheting, see the module documentation).
pub fn validate_update(object: &Value, old: &Value, schema: &Value) -> Vec<FieldError> {
    let mut errs = Vec::new();
    validate_at(
        object,
        Some(old),
        schema,
        &mut FieldPath::default(),
        true,
        &mut errs,
    );
    errs
}

pub(crate) fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) => {
            if n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0) {
                "integer"
            } else {
                "number"
            }
        }
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Deep equality of JSON values, numbers by value (`1` equals `1.0`).
pub(crate) fn json_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            if let (Some(x), Some(y)) = (x.as_i64(), y.as_i64()) {
                x == y
            } else {
                x.as_f64() == y.as_f64()
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| json_eq(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_eq(v, w)))
        }
        _ => a == b,
    }
}

/// The root's `metadata`, `apiVersion` and `kind` are validated by the server
/// separately (ObjectMeta validation), not by the schema.
fn root_meta(root: bool, key: &str) -> bool {
    root && matches!(key, "metadata" | "apiVersion" | "kind")
}

fn validate_at(
    x: &Value,
    old: Option<&Value>,
    s: &Value,
    fp: &mut FieldPath,
    root: bool,
    errs: &mut Vec<FieldError>,
) {
    if old.is_some_and(|o| json_eq(o, x)) {
        return;
    }
    // Type (with nullable and int-or-string).
    if x.is_null() {
        if nullable(s) {
            return;
        }
        if let Some(t) = get(s, "type").and_then(Value::as_str) {
            errs.push(type_error(fp.as_str(), t, "null"));
            return;
        }
    }
    let actual = json_type(x);
    if flag(s, "x-kubernetes-int-or-string") {
        if actual != "integer" && actual != "string" {
            errs.push(type_error(fp.as_str(), "integer,string", actual));
            return;
        }
    } else if let Some(t) = get(s, "type").and_then(Value::as_str) {
        let ok = match t {
            "number" => matches!(actual, "number" | "integer"),
            other => other == actual,
        };
        if !ok {
            // A fraction for an integer with a format: kube-openapi names the format
            // and Go's type, then still reports the format check below.
            let format = get(s, "format").and_then(Value::as_str);
            match (t, actual, format) {
                ("integer", "number", Some(f @ ("int32" | "int64"))) => {
                    errs.push(type_error(fp.as_str(), f, "float64"));
                    errs.push(format_error(fp.as_str(), f));
                }
                _ => errs.push(type_error(fp.as_str(), t, actual)),
            }
            return;
        }
    }

    if let Some(Value::Array(allowed)) = get(s, "enum")
        && !allowed.iter().any(|a| json_eq(a, x))
    {
        errs.push(not_supported(fp.as_str(), x, allowed));
    }

    match x {
        Value::Number(n) => keywords::number(x, n, s, fp.as_str(), errs),
        Value::String(st) => keywords::string(x, st, s, fp.as_str(), errs),
        Value::Array(arr) => {
            keywords::array(x, arr, s, fp.as_str(), errs);
            if let Some(it) = items(s) {
                let olds = old.and_then(Value::as_array);
                for (i, v) in arr.iter().enumerate() {
                    let o = olds.and_then(|olds| correlate_item(s, v, olds));
                    let len = fp.index(i);
                    validate_at(v, o, it, fp, false, errs);
                    fp.truncate(len);
                }
            }
        }
        Value::Object(map) => {
            keywords::object(x, map, s, fp.as_str(), root, errs);
            children(map, old.and_then(Value::as_object), s, fp, root, errs);
        }
        _ => {}
    }

    // Combinators: value validations only (structural schemas forbid types in them).
    if let Some(Value::Array(all)) = get(s, "allOf") {
        for sub in all {
            validate_at(x, None, sub, fp, root, errs);
        }
    }
    if let Some(Value::Array(any)) = get(s, "anyOf")
        && !any.is_empty()
        && !any.iter().any(|sub| branch_ok(x, sub, fp, root))
    {
        errs.push(invalid(
            fp.as_str(),
            x,
            format!(
                "{} must validate at least one schema (anyOf)",
                quote(fp.as_str())
            ),
        ));
    }
    if let Some(Value::Array(one)) = get(s, "oneOf") {
        let n = one.iter().filter(|sub| branch_ok(x, sub, fp, root)).count();
        if !one.is_empty() && n != 1 {
            errs.push(invalid(
                fp.as_str(),
                x,
                format!(
                    "{} must validate one and only one schema (oneOf)",
                    quote(fp.as_str())
                ),
            ));
        }
    }
    if let Some(not) = get(s, "not").filter(|v| v.is_object())
        && branch_ok(x, not, fp, root)
    {
        errs.push(invalid(
            fp.as_str(),
            x,
            format!("{} must not validate the schema (not)", quote(fp.as_str())),
        ));
    }
}

fn children(
    map: &Map<String, Value>,
    old: Option<&Map<String, Value>>,
    s: &Value,
    fp: &mut FieldPath,
    root: bool,
    errs: &mut Vec<FieldError>,
) {
    let embedded = flag(s, "x-kubernetes-embedded-resource");
    for (k, v) in map {
        if root_meta(root, k) {
            continue;
        }
        let o = old.and_then(|o| o.get(k));
        let sub = match prop(s, k) {
            Some(ps) => ps,
            None => match additional(s) {
                Additional::Schema(_)
                    if embedded && matches!(k.as_str(), "apiVersion" | "kind" | "metadata") =>
                {
                    continue;
                }
                Additional::Schema(a) => a,
                _ => continue,
            },
        };
        let len = fp.key(k);
        validate_at(v, o, sub, fp, false, errs);
        fp.truncate(len);
    }
}

fn branch_ok(x: &Value, sub: &Value, fp: &mut FieldPath, root: bool) -> bool {
    let mut e = Vec::new();
    validate_at(x, None, sub, fp, root, &mut e);
    e.is_empty()
}
