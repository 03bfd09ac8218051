//! Structural-schema operations on custom resources: pruning, defaulting and
//! validation, following the semantics of the apiextensions-apiserver.
//!
//! Each function takes the `openAPIV3Schema` of one CRD version as a
//! [`serde_json::Value`] (the schema is not parsed into a typed model, so unknown
//! keywords are simply ignored) and an object as JSON.
//!
//! The server applies them in this order on every create, update and patch:
//!
//! 1. [`prune`]: drop fields the schema does not declare, and `null`s of
//!    non-nullable fields;
//! 2. [`apply_defaults`]: fill `default`s of absent fields;
//! 3. [`validate`]: check value validations, returning [`FieldError`]s whose
//!    [`Display`](std::fmt::Display) is the real server's message
//!    (`spec.replicas: Invalid value: -1: spec.replicas in body should be greater than or equal to 0`).
//!
//! # Keywords honoured
//!
//! | keyword | prune | default | validate |
//! |---|---|---|---|
//! | `properties`, `additionalProperties`, `items` | ✓ | ✓ | ✓ |
//! | `x-kubernetes-preserve-unknown-fields` | ✓ | | |
//! | `x-kubernetes-embedded-resource` | ✓ (keeps `apiVersion`/`kind`/`metadata`) | | |
//! | `nullable` | ✓ | ✓ | ✓ |
//! | `default` | | ✓ | |
//! | `type` (`object`, `array`, `string`, `integer`, `number`, `boolean`) | | | ✓ |
//! | `x-kubernetes-int-or-string` | | | ✓ |
//! | `format` (`int32`, `int64`, `date-time`, `date`, `byte`, `uuid`, `ipv4`, `ipv6`) | | | ✓ |
//! | `enum`, `required` | | | ✓ |
//! | `minimum`, `maximum`, `exclusiveMinimum`, `exclusiveMaximum`, `multipleOf` | | | ✓ |
//! | `minLength`, `maxLength`, `pattern` | | | ✓ |
//! | `minItems`, `maxItems`, `uniqueItems` | | | ✓ |
//! | `minProperties`, `maxProperties` | | | ✓ |
//! | `x-kubernetes-list-type` (`set`, `map` + `x-kubernetes-list-map-keys`) | | | ✓ (uniqueness) |
//! | `allOf`, `anyOf`, `oneOf`, `not` | never add fields | | ✓ |
//!
//! Not supported: CEL rules (`x-kubernetes-validations`, ignored), the other string
//! formats (`email`, `hostname`, `uri`, `cidr`, `mac`, …, accepted as any string),
//! `x-kubernetes-map-type` (no validation effect) and ratcheting of unchanged invalid
//! values on update.

use std::fmt;

use serde_json::{Map, Value};

/// The kind of a [`FieldError`], as `k8s.io/apimachinery/pkg/util/validation/field.ErrorType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FieldErrorKind {
    /// A required field is missing (`Required value`).
    Required,
    /// A value is invalid (`Invalid value`).
    Invalid,
    /// A value has the wrong type (`Invalid value`, reason `FieldValueTypeInvalid`).
    TypeInvalid,
    /// A value is not one of the supported values (`Unsupported value`).
    NotSupported,
    /// A value is duplicated in a set or map list (`Duplicate value`).
    Duplicate,
    /// A string is too long (`Too long`).
    TooLong,
    /// A list or map has too many items (`Too many`).
    TooMany,
    /// A change is not allowed (`Forbidden`).
    Forbidden,
}

impl FieldErrorKind {
    /// The human text of the kind, e.g. `Required value`.
    pub fn as_str(self) -> &'static str {
        match self {
            FieldErrorKind::Required => "Required value",
            FieldErrorKind::Invalid | FieldErrorKind::TypeInvalid => "Invalid value",
            FieldErrorKind::NotSupported => "Unsupported value",
            FieldErrorKind::Duplicate => "Duplicate value",
            FieldErrorKind::TooLong => "Too long",
            FieldErrorKind::TooMany => "Too many",
            FieldErrorKind::Forbidden => "Forbidden",
        }
    }

    /// The `metav1.CauseType` reported in `details.causes[].reason`, e.g. `FieldValueRequired`.
    pub fn reason(self) -> &'static str {
        match self {
            FieldErrorKind::Required => "FieldValueRequired",
            FieldErrorKind::Invalid => "FieldValueInvalid",
            FieldErrorKind::TypeInvalid => "FieldValueTypeInvalid",
            FieldErrorKind::NotSupported => "FieldValueNotSupported",
            FieldErrorKind::Duplicate => "FieldValueDuplicate",
            FieldErrorKind::TooLong => "FieldValueTooLong",
            FieldErrorKind::TooMany => "FieldValueTooMany",
            FieldErrorKind::Forbidden => "FieldValueForbidden",
        }
    }
}

/// One validation failure, shaped like apimachinery's `field.Error`.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldError {
    /// What went wrong.
    pub kind: FieldErrorKind,
    /// The field path, e.g. `spec.replicas` or `spec.ports[1].name`.
    pub field: String,
    /// The offending value, when the message shows one.
    pub bad_value: Option<Value>,
    /// The detail text, e.g. `spec.replicas in body should be greater than or equal to 0`.
    pub detail: String,
}

impl FieldError {
    /// A `Required value` error.
    pub fn required(field: impl Into<String>, detail: impl Into<String>) -> Self {
        FieldError {
            kind: FieldErrorKind::Required,
            field: field.into(),
            bad_value: None,
            detail: detail.into(),
        }
    }

    /// An `Invalid value` error.
    pub fn invalid(field: impl Into<String>, value: Value, detail: impl Into<String>) -> Self {
        FieldError {
            kind: FieldErrorKind::Invalid,
            field: field.into(),
            bad_value: Some(value),
            detail: detail.into(),
        }
    }

    /// A `Forbidden` error.
    pub fn forbidden(field: impl Into<String>, detail: impl Into<String>) -> Self {
        FieldError {
            kind: FieldErrorKind::Forbidden,
            field: field.into(),
            bad_value: None,
            detail: detail.into(),
        }
    }

    /// The message without the field path (`field.Error.ErrorBody`), as in
    /// `details.causes[].message`, e.g. `Invalid value: -1: spec.replicas in body should be …`.
    pub fn body(&self) -> String {
        let mut s = match (self.kind, &self.bad_value) {
            (FieldErrorKind::Required | FieldErrorKind::Forbidden | FieldErrorKind::TooLong, _)
            | (_, None) => self.kind.as_str().to_owned(),
            (_, Some(v)) => format!("{}: {}", self.kind.as_str(), go_value(v)),
        };
        if !self.detail.is_empty() {
            s.push_str(": ");
            s.push_str(&self.detail);
        }
        s
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.body())
    }
}

/// Render a value as the Go server prints a bad value: strings quoted, numbers and
/// booleans bare, `null` for nil, anything else as JSON.
fn go_value(v: &Value) -> String {
    match v {
        Value::Null => "null".to_owned(),
        Value::String(s) => quote(s),
        Value::Number(n) => go_number(n),
        Value::Bool(b) => b.to_string(),
        other => other.to_string(),
    }
}

fn quote(s: &str) -> String {
    Value::String(s.to_owned()).to_string()
}

/// Format a JSON number as Go's `%v` does: integers as they are, floats with `%g`
/// (shortest representation, exponent form from 1e+06 / below 1e-04).
fn go_number(n: &serde_json::Number) -> String {
    if n.is_i64() || n.is_u64() {
        return n.to_string();
    }
    go_float(n.as_f64().unwrap_or(0.0))
}

fn go_float(f: f64) -> String {
    if f == 0.0 {
        return "0".to_owned();
    }
    if !f.is_finite() {
        return if f.is_nan() {
            "NaN".into()
        } else if f > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        };
    }
    let e = format!("{f:e}");
    let (mant, exp) = e.split_once('e').unwrap_or((&e, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if !(-4..6).contains(&exp) {
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{mant}e{sign}{:02}", exp.abs())
    } else {
        format!("{f}")
    }
}

/// `format!("{v}")` of a schema number (min/max/multipleOf are float64 in the server).
fn schema_number(v: &Value) -> String {
    match v.as_f64() {
        Some(f) => go_float(f),
        None => v.to_string(),
    }
}

// ----------------------------------------------------------------------------------
// Schema accessors

fn get<'a>(s: &'a Value, key: &str) -> Option<&'a Value> {
    s.as_object().and_then(|m| m.get(key))
}

fn flag(s: &Value, key: &str) -> bool {
    get(s, key).and_then(Value::as_bool).unwrap_or(false)
}

fn prop<'a>(s: &'a Value, key: &str) -> Option<&'a Value> {
    get(s, "properties").and_then(|p| p.get(key))
}

/// `additionalProperties` as a schema; `true` counts as an empty schema that keeps
/// everything.
enum Additional<'a> {
    None,
    Any,
    Schema(&'a Value),
}

fn additional(s: &Value) -> Additional<'_> {
    match get(s, "additionalProperties") {
        Some(Value::Bool(true)) => Additional::Any,
        Some(v @ Value::Object(_)) => Additional::Schema(v),
        _ => Additional::None,
    }
}

fn items(s: &Value) -> Option<&Value> {
    get(s, "items").filter(|v| v.is_object())
}

fn nullable(s: &Value) -> bool {
    flag(s, "nullable")
}

fn child_path(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_owned()
    } else {
        format!("{parent}.{key}")
    }
}

// ----------------------------------------------------------------------------------
// Pruning

/// Drop the fields of `object` that `schema` does not declare, as the server does
/// before storing a custom resource.
///
/// - at the root and in `x-kubernetes-embedded-resource` objects, string `apiVersion`
///   and `kind` and an object `metadata` are kept (not recursed into: the server
///   coerces metadata separately);
/// - `x-kubernetes-preserve-unknown-fields: true` keeps unknown fields at that level
///   (declared ones are still pruned inside);
/// - `additionalProperties` keeps every key and prunes each value by its schema;
/// - arrays are pruned item by item with `items`;
/// - `allOf`/`anyOf`/`oneOf`/`not` never declare fields;
/// - `null` values of fields that are not `nullable` are dropped too (the defaulting
///   step then fills their `default`, if any).
///
/// Returns the paths of the dropped unknown fields (e.g. `spec.colour`), which the
/// server reports for `fieldValidation=Strict|Warn` (dropped `null`s are not listed).
pub fn prune(object: &mut Value, schema: &Value) -> Vec<String> {
    let mut pruned = Vec::new();
    prune_at(object, Some(schema), true, "", &mut pruned);
    drop_non_nullable_nulls(object, schema);
    pruned
}

fn prune_at(x: &mut Value, s: Option<&Value>, root: bool, path: &str, pruned: &mut Vec<String>) {
    if let Some(s) = s
        && flag(s, "x-kubernetes-preserve-unknown-fields")
    {
        skip_prune(x, s, root, path, pruned);
        return;
    }
    match x {
        Value::Object(map) => {
            let Some(s) = s else {
                for k in map.keys() {
                    pruned.push(child_path(path, k));
                }
                map.clear();
                return;
            };
            let embedded = root || flag(s, "x-kubernetes-embedded-resource");
            let keys: Vec<String> = map.keys().cloned().collect();
            for k in keys {
                if embedded && is_embedded_meta(&k, &map[&k]) {
                    continue;
                }
                let p = child_path(path, &k);
                if let Some(ps) = prop(s, &k) {
                    if let Some(v) = map.get_mut(&k) {
                        prune_at(v, Some(ps), false, &p, pruned);
                    }
                } else {
                    match additional(s) {
                        Additional::Schema(a) => {
                            if let Some(v) = map.get_mut(&k) {
                                prune_at(v, Some(a), false, &p, pruned);
                            }
                        }
                        Additional::Any => {}
                        Additional::None => {
                            map.remove(&k);
                            pruned.push(p);
                        }
                    }
                }
            }
        }
        Value::Array(arr) => {
            let it = s.and_then(items);
            for (i, v) in arr.iter_mut().enumerate() {
                prune_at(v, it, false, &format!("{path}[{i}]"), pruned);
            }
        }
        _ => {}
    }
}

fn is_embedded_meta(k: &str, v: &Value) -> bool {
    match k {
        "apiVersion" | "kind" => v.is_string(),
        "metadata" => v.is_object(),
        _ => false,
    }
}

fn skip_prune(x: &mut Value, s: &Value, root: bool, path: &str, pruned: &mut Vec<String>) {
    match x {
        Value::Object(map) => {
            let embedded = root || flag(s, "x-kubernetes-embedded-resource");
            for (k, v) in map.iter_mut() {
                if embedded && matches!(k.as_str(), "apiVersion" | "kind" | "metadata") {
                    continue;
                }
                let p = child_path(path, k);
                if let Some(ps) = prop(s, k) {
                    prune_at(v, Some(ps), false, &p, pruned);
                } else if let Additional::Schema(a) = additional(s) {
                    prune_at(v, Some(a), false, &p, pruned);
                }
            }
        }
        Value::Array(arr) => {
            if let Some(it) = items(s) {
                for (i, v) in arr.iter_mut().enumerate() {
                    skip_prune(v, it, false, &format!("{path}[{i}]"), pruned);
                }
            }
        }
        _ => {}
    }
}

fn drop_non_nullable_nulls(x: &mut Value, s: &Value) {
    match x {
        Value::Object(map) => {
            let keys: Vec<String> = map.keys().cloned().collect();
            for k in keys {
                let child = match prop(s, &k) {
                    Some(ps) => Some(ps),
                    None => match additional(s) {
                        Additional::Schema(a) => Some(a),
                        _ => None,
                    },
                };
                let Some(cs) = child else { continue };
                if map[&k].is_null() && !nullable(cs) {
                    map.remove(&k);
                } else if let Some(v) = map.get_mut(&k) {
                    drop_non_nullable_nulls(v, cs);
                }
            }
        }
        Value::Array(arr) => {
            if let Some(it) = items(s) {
                for v in arr.iter_mut() {
                    drop_non_nullable_nulls(v, it);
                }
            }
        }
        _ => {}
    }
}

// ----------------------------------------------------------------------------------
// Defaulting

/// Apply the schema's `default`s, with the server's algorithm
/// (`structuraldefaulting.Default`): in every object that exists, each declared
/// property that is absent (or `null` while not `nullable`) gets a deep copy of its
/// `default`; then every property, `additionalProperties` value and array item is
/// defaulted recursively, including values that were just filled from a default.
/// A `null` of a `nullable` field stays `null`. Absent parent objects are not created.
pub fn apply_defaults(object: &mut Value, schema: &Value) {
    match object {
        Value::Object(map) => {
            if let Some(Value::Object(props)) = get(schema, "properties") {
                for (k, ps) in props {
                    let Some(d) = get(ps, "default") else {
                        continue;
                    };
                    let absent = match map.get(k) {
                        None => true,
                        Some(Value::Null) => !nullable(ps),
                        Some(_) => false,
                    };
                    if absent {
                        map.insert(k.clone(), d.clone());
                    }
                }
            }
            for (k, v) in map.iter_mut() {
                if let Some(ps) = prop(schema, k) {
                    apply_defaults(v, ps);
                } else if let Additional::Schema(a) = additional(schema) {
                    if v.is_null()
                        && !nullable(a)
                        && let Some(d) = get(a, "default")
                    {
                        *v = d.clone();
                    }
                    apply_defaults(v, a);
                }
            }
        }
        Value::Array(arr) => {
            if let Some(it) = items(schema) {
                for v in arr.iter_mut() {
                    if v.is_null()
                        && !nullable(it)
                        && let Some(d) = get(it, "default")
                    {
                        *v = d.clone();
                    }
                    apply_defaults(v, it);
                }
            }
        }
        _ => {}
    }
}

// ----------------------------------------------------------------------------------
// Validation

/// Validate `object` against `schema`, returning every failure (empty when valid).
///
/// Field paths and messages follow the server's conversion of kube-openapi results
/// (`apiextensions-apiserver/pkg/apiserver/validation`): `required` →
/// `Required value`, `enum` → `Unsupported value: "x": supported values: "a", "b"`,
/// `maxLength` → `Too long: may not be more than N bytes`, `maxItems` /
/// `maxProperties` → `Too many: N: must have at most M items`, wrong types →
/// `Invalid value: "string": spec.x in body must be of type integer: "string"`, and
/// every other keyword → `Invalid value: <value>: <path> in body should …`.
/// `metadata`, `apiVersion` and `kind` at the root are not validated here.
pub fn validate(object: &Value, schema: &Value) -> Vec<FieldError> {
    let mut errs = Vec::new();
    // The root's metadata/apiVersion/kind are validated by the server separately.
    match object {
        Value::Object(map) => {
            let mut stripped = Map::new();
            for (k, v) in map {
                if !matches!(k.as_str(), "metadata" | "apiVersion" | "kind") {
                    stripped.insert(k.clone(), v.clone());
                }
            }
            let mut root_schema = schema.clone();
            if let Some(Value::Array(req)) = root_schema.get_mut("required") {
                req.retain(|r| !matches!(r.as_str(), Some("metadata" | "apiVersion" | "kind")));
            }
            if let Some(Value::Object(props)) = root_schema.get_mut("properties") {
                props.remove("metadata");
                props.remove("apiVersion");
                props.remove("kind");
            }
            validate_at(&Value::Object(stripped), &root_schema, "", &mut errs);
        }
        other => validate_at(other, schema, "", &mut errs),
    }
    errs
}

fn json_type(v: &Value) -> &'static str {
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

/// kube-openapi's format check of an integer, reported without a field.
fn format_error(path: &str, format: &str) -> FieldError {
    FieldError {
        kind: FieldErrorKind::Invalid,
        field: "<nil>".to_owned(),
        bad_value: Some(Value::String(String::new())),
        detail: format!("Checked value must be of type integer with format {format} in {path}"),
    }
}

fn type_error(path: &str, expected: &str, actual: &str) -> FieldError {
    FieldError {
        kind: FieldErrorKind::TypeInvalid,
        field: path.to_owned(),
        bad_value: Some(Value::String(actual.to_owned())),
        detail: format!(
            "{path} in body must be of type {expected}: {}",
            quote(actual)
        ),
    }
}

fn invalid(path: &str, value: &Value, detail: String) -> FieldError {
    FieldError {
        kind: FieldErrorKind::Invalid,
        field: path.to_owned(),
        bad_value: Some(value.clone()),
        detail,
    }
}

fn validate_at(x: &Value, s: &Value, path: &str, errs: &mut Vec<FieldError>) {
    // Type (with nullable and int-or-string).
    if x.is_null() {
        if nullable(s) {
            return;
        }
        if let Some(t) = get(s, "type").and_then(Value::as_str) {
            errs.push(type_error(path, t, "null"));
            return;
        }
    }
    let actual = json_type(x);
    if flag(s, "x-kubernetes-int-or-string") {
        if actual != "integer" && actual != "string" {
            errs.push(type_error(path, "integer,string", actual));
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
                    errs.push(type_error(path, f, "float64"));
                    errs.push(format_error(path, f));
                }
                _ => errs.push(type_error(path, t, actual)),
            }
            return;
        }
    }

    // Enum.
    if let Some(Value::Array(allowed)) = get(s, "enum")
        && !allowed.iter().any(|a| json_eq(a, x))
    {
        let values: Vec<String> = allowed
            .iter()
            .map(|a| match a {
                Value::String(s) => quote(s),
                other => quote(&other.to_string()),
            })
            .collect();
        errs.push(FieldError {
            kind: FieldErrorKind::NotSupported,
            field: path.to_owned(),
            bad_value: Some(x.clone()),
            detail: format!("supported values: {}", values.join(", ")),
        });
    }

    match x {
        Value::Number(n) => validate_number(x, n, s, path, errs),
        Value::String(st) => validate_string(x, st, s, path, errs),
        Value::Array(arr) => validate_array(x, arr, s, path, errs),
        Value::Object(map) => validate_object(x, map, s, path, errs),
        _ => {}
    }

    // Combinators: value validations only (structural schemas forbid types in them).
    if let Some(Value::Array(all)) = get(s, "allOf") {
        for sub in all {
            validate_at(x, sub, path, errs);
        }
    }
    if let Some(Value::Array(any)) = get(s, "anyOf")
        && !any.is_empty()
        && !any.iter().any(|sub| branch_ok(x, sub, path))
    {
        errs.push(invalid(
            path,
            x,
            format!("{} must validate at least one schema (anyOf)", quote(path)),
        ));
    }
    if let Some(Value::Array(one)) = get(s, "oneOf") {
        let n = one.iter().filter(|sub| branch_ok(x, sub, path)).count();
        if !one.is_empty() && n != 1 {
            errs.push(invalid(
                path,
                x,
                format!(
                    "{} must validate one and only one schema (oneOf)",
                    quote(path)
                ),
            ));
        }
    }
    if let Some(not) = get(s, "not").filter(|v| v.is_object())
        && branch_ok(x, not, path)
    {
        errs.push(invalid(
            path,
            x,
            format!("{} must not validate the schema (not)", quote(path)),
        ));
    }
}

fn branch_ok(x: &Value, sub: &Value, path: &str) -> bool {
    let mut e = Vec::new();
    validate_at(x, sub, path, &mut e);
    e.is_empty()
}

fn json_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
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

fn validate_number(
    x: &Value,
    n: &serde_json::Number,
    s: &Value,
    path: &str,
    errs: &mut Vec<FieldError>,
) {
    let f = n.as_f64().unwrap_or(0.0);
    match get(s, "format").and_then(Value::as_str) {
        Some("int32") if !(f64::from(i32::MIN)..=f64::from(i32::MAX)).contains(&f) => {
            errs.push(format_error(path, "int32"));
        }
        Some("int64") if n.is_u64() && !n.is_i64() => {
            errs.push(format_error(path, "int64"));
        }
        _ => {}
    }
    if let Some(m) = get(s, "multipleOf").and_then(Value::as_f64)
        && m > 0.0
    {
        let q = f / m;
        if (q - q.round()).abs() > 1e-9 {
            errs.push(invalid(
                path,
                x,
                format!(
                    "{path} in body should be a multiple of {}",
                    schema_number(&get(s, "multipleOf").cloned().unwrap_or_default())
                ),
            ));
        }
    }
    if let Some(maxv) = get(s, "maximum") {
        let max = maxv.as_f64().unwrap_or(f64::INFINITY);
        if flag(s, "exclusiveMaximum") {
            if f >= max {
                errs.push(invalid(
                    path,
                    x,
                    format!("{path} in body should be less than {}", schema_number(maxv)),
                ));
            }
        } else if f > max {
            errs.push(invalid(
                path,
                x,
                format!(
                    "{path} in body should be less than or equal to {}",
                    schema_number(maxv)
                ),
            ));
        }
    }
    if let Some(minv) = get(s, "minimum") {
        let min = minv.as_f64().unwrap_or(f64::NEG_INFINITY);
        if flag(s, "exclusiveMinimum") {
            if f <= min {
                errs.push(invalid(
                    path,
                    x,
                    format!(
                        "{path} in body should be greater than {}",
                        schema_number(minv)
                    ),
                ));
            }
        } else if f < min {
            errs.push(invalid(
                path,
                x,
                format!(
                    "{path} in body should be greater than or equal to {}",
                    schema_number(minv)
                ),
            ));
        }
    }
}

fn validate_string(x: &Value, st: &str, s: &Value, path: &str, errs: &mut Vec<FieldError>) {
    let len = st.chars().count() as u64;
    if let Some(max) = get(s, "maxLength").and_then(Value::as_u64)
        && len > max
    {
        let unit = if max == 1 { "byte" } else { "bytes" };
        errs.push(FieldError {
            kind: FieldErrorKind::TooLong,
            field: path.to_owned(),
            bad_value: Some(x.clone()),
            detail: format!("may not be more than {max} {unit}"),
        });
    }
    if let Some(min) = get(s, "minLength").and_then(Value::as_u64)
        && len < min
    {
        errs.push(invalid(
            path,
            x,
            format!("{path} in body should be at least {min} chars long"),
        ));
    }
    if let Some(p) = get(s, "pattern").and_then(Value::as_str) {
        match regex::Regex::new(p) {
            Ok(re) if re.is_match(st) => {}
            _ => errs.push(invalid(
                path,
                x,
                format!("{path} in body should match '{p}'"),
            )),
        }
    }
    if flag(s, "x-kubernetes-int-or-string") {
        return;
    }
    if let Some(format) = get(s, "format").and_then(Value::as_str)
        && !format_ok(format, st)
    {
        errs.push(FieldError {
            kind: FieldErrorKind::TypeInvalid,
            field: path.to_owned(),
            bad_value: Some(x.clone()),
            detail: format!("{path} in body must be of type {format}: {}", quote(st)),
        });
    }
}

/// The string formats checked; any other format accepts every string.
fn format_ok(format: &str, s: &str) -> bool {
    match format {
        "date-time" | "datetime" => is_date_time(s),
        "date" => is_date(s),
        "byte" => is_base64(s),
        "uuid" => is_uuid(s),
        "ipv4" => s.parse::<std::net::Ipv4Addr>().is_ok(),
        "ipv6" => s.parse::<std::net::Ipv6Addr>().is_ok(),
        _ => true,
    }
}

fn digits(s: &str, n: usize) -> bool {
    s.len() == n && s.bytes().all(|b| b.is_ascii_digit())
}

fn is_date(s: &str) -> bool {
    let p: Vec<&str> = s.split('-').collect();
    p.len() == 3
        && digits(p[0], 4)
        && digits(p[1], 2)
        && digits(p[2], 2)
        && (1..=12).contains(&p[1].parse::<u32>().unwrap_or(0))
        && (1..=31).contains(&p[2].parse::<u32>().unwrap_or(0))
}

/// RFC 3339 date-time, loosely: `YYYY-MM-DD[T ]HH:MM:SS[.frac](Z|±HH:MM)`.
fn is_date_time(s: &str) -> bool {
    let Some(t) = s.find(['T', 't', ' ']) else {
        return false;
    };
    if !is_date(&s[..t]) {
        return false;
    }
    let rest = &s[t + 1..];
    let (time, zone) = if let Some(stripped) = rest.strip_suffix(['Z', 'z']) {
        (stripped, "")
    } else if let Some(i) = rest.rfind(['+', '-']) {
        (&rest[..i], &rest[i + 1..])
    } else {
        return false;
    };
    if !zone.is_empty() {
        let z: Vec<&str> = zone.split(':').collect();
        if z.len() != 2 || !digits(z[0], 2) || !digits(z[1], 2) {
            return false;
        }
    }
    let (hms, frac) = time.split_once('.').unwrap_or((time, "0"));
    let h: Vec<&str> = hms.split(':').collect();
    h.len() == 3
        && h.iter().all(|p| digits(p, 2))
        && !frac.is_empty()
        && frac.bytes().all(|b| b.is_ascii_digit())
        && h[0].parse::<u32>().unwrap_or(99) < 24
        && h[1].parse::<u32>().unwrap_or(99) < 60
        && h[2].parse::<u32>().unwrap_or(99) < 61
}

fn is_base64(s: &str) -> bool {
    let t = s.trim_end_matches('=');
    s.len().is_multiple_of(4)
        && s.len() - t.len() <= 2
        && t.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/')
}

fn is_uuid(s: &str) -> bool {
    let p: Vec<&str> = s.split('-').collect();
    p.len() == 5
        && [8, 4, 4, 4, 12]
            .iter()
            .zip(&p)
            .all(|(n, part)| part.len() == *n && part.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn validate_array(x: &Value, arr: &[Value], s: &Value, path: &str, errs: &mut Vec<FieldError>) {
    let n = arr.len() as u64;
    if let Some(max) = get(s, "maxItems").and_then(Value::as_u64)
        && n > max
    {
        errs.push(FieldError {
            kind: FieldErrorKind::TooMany,
            field: path.to_owned(),
            bad_value: Some(Value::from(n)),
            detail: format!("must have at most {max} items"),
        });
    }
    if let Some(min) = get(s, "minItems").and_then(Value::as_u64)
        && n < min
    {
        errs.push(invalid(
            path,
            x,
            format!("{path} in body should have at least {min} items"),
        ));
    }
    if flag(s, "uniqueItems") {
        let dup = (0..arr.len()).any(|i| (0..i).any(|j| json_eq(&arr[i], &arr[j])));
        if dup {
            errs.push(invalid(
                path,
                &Value::String(String::new()),
                format!("{path} in body shouldn't contain duplicates"),
            ));
        }
    }
    if let Some(it) = items(s) {
        for (i, v) in arr.iter().enumerate() {
            validate_at(v, it, &format!("{path}[{i}]"), errs);
        }
    }
    match get(s, "x-kubernetes-list-type").and_then(Value::as_str) {
        Some("set") => {
            for i in 0..arr.len() {
                if (0..i).any(|j| json_eq(&arr[i], &arr[j])) {
                    errs.push(FieldError {
                        kind: FieldErrorKind::Duplicate,
                        field: format!("{path}[{i}]"),
                        bad_value: Some(arr[i].clone()),
                        detail: String::new(),
                    });
                }
            }
        }
        Some("map") => {
            let keys: Vec<&str> = get(s, "x-kubernetes-list-map-keys")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let key_of = |v: &Value| -> Value {
                let mut m = Map::new();
                for k in &keys {
                    if let Some(kv) = v.get(*k) {
                        m.insert((*k).to_owned(), kv.clone());
                    }
                }
                Value::Object(m)
            };
            let ks: Vec<Value> = arr.iter().map(key_of).collect();
            for i in 0..ks.len() {
                if (0..i).any(|j| json_eq(&ks[i], &ks[j])) {
                    errs.push(FieldError {
                        kind: FieldErrorKind::Duplicate,
                        field: format!("{path}[{i}]"),
                        bad_value: Some(ks[i].clone()),
                        detail: String::new(),
                    });
                }
            }
        }
        _ => {}
    }
}

fn validate_object(
    x: &Value,
    map: &Map<String, Value>,
    s: &Value,
    path: &str,
    errs: &mut Vec<FieldError>,
) {
    let n = map.len() as u64;
    if let Some(max) = get(s, "maxProperties").and_then(Value::as_u64)
        && n > max
    {
        errs.push(FieldError {
            kind: FieldErrorKind::TooMany,
            field: path.to_owned(),
            bad_value: Some(Value::from(n)),
            detail: format!("must have at most {max} items"),
        });
    }
    if let Some(min) = get(s, "minProperties").and_then(Value::as_u64)
        && n < min
    {
        errs.push(invalid(
            path,
            x,
            format!("{path} in body should have at least {min} properties"),
        ));
    }
    if let Some(Value::Array(req)) = get(s, "required") {
        for r in req.iter().filter_map(Value::as_str) {
            if !map.contains_key(r) {
                errs.push(FieldError::required(child_path(path, r), ""));
            }
        }
    }
    let embedded = flag(s, "x-kubernetes-embedded-resource");
    for (k, v) in map {
        let p = child_path(path, k);
        if let Some(ps) = prop(s, k) {
            validate_at(v, ps, &p, errs);
        } else if let Additional::Schema(a) = additional(s) {
            if embedded && matches!(k.as_str(), "apiVersion" | "kind" | "metadata") {
                continue;
            }
            validate_at(v, a, &p, errs);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_float_formatting() {
        assert_eq!(go_float(0.0), "0");
        assert_eq!(go_float(1.5), "1.5");
        assert_eq!(go_float(100000.0), "100000");
        assert_eq!(go_float(1000000.0), "1e+06");
        assert_eq!(go_float(0.0001), "0.0001");
        assert_eq!(go_float(0.00001), "1e-05");
    }
}
