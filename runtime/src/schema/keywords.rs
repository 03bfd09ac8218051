//! The keywords of one node, without descending: numbers (`minimum`, `maximum`,
//! `exclusive*`, `multipleOf`, integer formats), strings (`minLength`, `maxLength`,
//! `pattern`, `format`), array sizes and `uniqueItems`, object sizes and `required`.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use serde_json::{Map, Value};

use super::errors::{
    format_error, invalid, schema_number, string_format_error, too_long, too_many,
};
use super::formats::format_ok;
use super::validate::json_eq;
use super::{FieldError, child_path, flag, get};

pub(crate) fn number(
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
    if let Some(mv) = get(s, "multipleOf")
        && let Some(m) = mv.as_f64()
        && m > 0.0
    {
        let q = f / m;
        if (q - q.round()).abs() > 1e-9 {
            errs.push(invalid(
                path,
                x,
                format!(
                    "{path} in body should be a multiple of {}",
                    schema_number(mv)
                ),
            ));
        }
    }
    if let Some(maxv) = get(s, "maximum") {
        let max = maxv.as_f64().unwrap_or(f64::INFINITY);
        let exclusive = flag(s, "exclusiveMaximum");
        if (exclusive && f >= max) || (!exclusive && f > max) {
            let how = if exclusive { "" } else { " or equal to" };
            errs.push(invalid(
                path,
                x,
                format!(
                    "{path} in body should be less than{how} {}",
                    schema_number(maxv)
                ),
            ));
        }
    }
    if let Some(minv) = get(s, "minimum") {
        let min = minv.as_f64().unwrap_or(f64::NEG_INFINITY);
        let exclusive = flag(s, "exclusiveMinimum");
        if (exclusive && f <= min) || (!exclusive && f < min) {
            let how = if exclusive { "" } else { " or equal to" };
            errs.push(invalid(
                path,
                x,
                format!(
                    "{path} in body should be greater than{how} {}",
                    schema_number(minv)
                ),
            ));
        }
    }
}

/// A compiled `pattern`, once per pattern for the whole process (patterns come from
/// CRDs, a bounded set); `None` when it does not compile.
fn pattern(p: &str) -> Option<regex::Regex> {
    static CACHE: OnceLock<Mutex<HashMap<String, Option<regex::Regex>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let mut cache = cache.lock().unwrap_or_else(|e| e.into_inner());
    cache
        .entry(p.to_owned())
        .or_insert_with(|| regex::Regex::new(p).ok())
        .clone()
}

pub(crate) fn string(x: &Value, st: &str, s: &Value, path: &str, errs: &mut Vec<FieldError>) {
    let len = st.chars().count() as u64;
    if let Some(max) = get(s, "maxLength").and_then(Value::as_u64)
        && len > max
    {
        errs.push(too_long(path, x, max));
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
    if let Some(p) = get(s, "pattern").and_then(Value::as_str)
        && !pattern(p).is_some_and(|re| re.is_match(st))
    {
        errs.push(invalid(
            path,
            x,
            format!("{path} in body should match '{p}'"),
        ));
    }
    if flag(s, "x-kubernetes-int-or-string") {
        return;
    }
    if let Some(format) = get(s, "format").and_then(Value::as_str)
        && !format_ok(format, st)
    {
        errs.push(string_format_error(path, format, st));
    }
}

/// `maxItems`, `minItems`, `uniqueItems`.
pub(crate) fn array(x: &Value, arr: &[Value], s: &Value, path: &str, errs: &mut Vec<FieldError>) {
    let n = arr.len() as u64;
    if let Some(max) = get(s, "maxItems").and_then(Value::as_u64)
        && n > max
    {
        errs.push(too_many(path, n, max));
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
}

/// `maxProperties`, `minProperties`, `required` (at the root, without `metadata`,
/// `apiVersion` and `kind`, which ObjectMeta validation covers).
pub(crate) fn object(
    x: &Value,
    map: &Map<String, Value>,
    s: &Value,
    path: &str,
    root: bool,
    errs: &mut Vec<FieldError>,
) {
    let n = if root {
        map.keys()
            .filter(|k| !matches!(k.as_str(), "metadata" | "apiVersion" | "kind"))
            .count() as u64
    } else {
        map.len() as u64
    };
    if let Some(max) = get(s, "maxProperties").and_then(Value::as_u64)
        && n > max
    {
        errs.push(too_many(path, n, max));
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
            if root && matches!(r, "metadata" | "apiVersion" | "kind") {
                continue;
            }
            if !map.contains_key(r) {
                errs.push(FieldError::required(child_path(path, r), ""));
            }
        }
    }
}
