//! The CEL view of a JSON value, following its schema as the apiserver's
//! `UnstructuredToVal` (k8s.io/apiserver `pkg/cel/common/valuesunstructured.go`) does:
//! `integer` is `int`, `number` is `double`, int-or-string is either, `format:
//! date-time` / `date` / `duration` / `byte` strings are timestamps / durations /
//! bytes, objects show the fields their schema names (at the resource root and in
//! embedded resources also `apiVersion`, `kind` and `metadata.name` /
//! `metadata.generateName`), maps every key, and a value kept by
//! `x-kubernetes-preserve-unknown-fields` without a type is opaque.
//!
//! List-type `set` and `map` lists compare unordered / by key (`keyed.rs`).

use std::collections::HashMap;
use std::sync::Arc;

use cel::Value as Cel;
use cel::common::types::{
    CelBool, CelBytes, CelDouble, CelDuration, CelInt, CelList, CelMap, CelMapKey, CelNull,
    CelString, CelTimestamp, CelUInt,
};
use cel::common::value::Val;
use serde_json::Value;

use crate::keyed::KeyedList;
use crate::schema::Node;

/// A CEL value borrowing from the JSON it shows.
pub(crate) type Boxed<'a> = Box<dyn Val + 'a>;

/// `v` as a CEL value under `node`. `resource`: the value is a resource (the root, or
/// an embedded resource), whose `apiVersion`, `kind` and `metadata` (`name` and
/// `generateName` only) are fields whatever its schema says.
pub(crate) fn to_val<'a>(v: &'a Value, node: &Node, resource: bool) -> Boxed<'a> {
    if v.is_null() {
        return Box::new(CelNull);
    }
    match (node.ty.as_str(), v) {
        ("object", Value::Object(_)) => object(v, node, resource || node.embedded),
        ("array", Value::Array(items)) => match node.items.as_deref() {
            Some(item) => {
                let list = CelList::from(
                    items
                        .iter()
                        .map(|i| to_val(i, item, false))
                        .collect::<Vec<_>>(),
                );
                match node.list_type.as_str() {
                    "set" => Box::new(KeyedList::set(list)),
                    "map" => Box::new(KeyedList::map(list, &node.list_map_keys)),
                    _ => Box::new(list),
                }
            }
            None => json_shape(v),
        },
        ("string", Value::String(s)) => string(s, node),
        ("number", Value::Number(n)) => Box::new(CelDouble::from(n.as_f64().unwrap_or(f64::NAN))),
        ("", _) if node.preserve_unknown && !node.embedded => opaque(Preserved(v.clone())),
        ("", Value::Object(_)) if node.embedded => object(v, node, true),
        // integer, boolean, int-or-string; anything the schema validation refuses.
        _ => json_shape(v),
    }
}

fn opaque<T: cel::objects::Opaque>(o: T) -> Boxed<'static> {
    let v: Result<Box<dyn Val>, _> = Cel::Opaque(Arc::new(o)).try_into();
    v.unwrap_or_else(|_| Box::new(CelNull))
}

/// An object: the fields its schema names (escaped as CEL names; a null field is
/// absent), or every key of a map (`additionalProperties`), or nothing (an object
/// whose fields are all unknown shows none of them).
fn object<'a>(v: &'a Value, node: &Node, resource: bool) -> Boxed<'a> {
    let Value::Object(fields) = v else {
        return json_shape(v);
    };
    let mut map: HashMap<CelMapKey<'a>, Boxed<'a>> = HashMap::with_capacity(fields.len());
    if resource || !node.properties.is_empty() {
        for (k, fv) in fields {
            if fv.is_null() {
                continue;
            }
            let cv = match (resource, k.as_str(), node.properties.get(k)) {
                (true, "metadata", _) => metadata(fv),
                (true, "apiVersion" | "kind", _) => json_shape(fv),
                (_, _, Some(child)) => to_val(fv, child, false),
                _ => continue,
            };
            if let Some(name) = escape(k) {
                // A reserved word is also selectable as itself (`self.namespace`, the
                // apiserver's recognizeKeywordAsFieldName, 1.29+).
                if RESERVED.contains(&k.as_str()) {
                    map.insert(CelMapKey::from(k.as_str()), cv.clone());
                }
                map.insert(CelMapKey::from(name), cv);
            }
        }
    } else if let Some(ap) = node.additional.as_deref() {
        for (k, fv) in fields {
            map.insert(CelMapKey::from(k.as_str()), to_val(fv, ap, false));
        }
    }
    Box::new(CelMap::from(map))
}

/// A value without a schema, by its JSON shape.
fn json_shape(v: &Value) -> Boxed<'_> {
    match v {
        Value::Null => Box::new(CelNull),
        Value::Bool(b) => Box::new(CelBool::from(*b)),
        Value::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => Box::new(CelInt::from(i)),
            (None, Some(u)) => Box::new(CelUInt::from(u)),
            _ => Box::new(CelDouble::from(n.as_f64().unwrap_or(f64::NAN))),
        },
        Value::String(s) => Box::new(CelString::from(s.as_str())),
        Value::Array(items) => Box::new(CelList::from(
            items.iter().map(json_shape).collect::<Vec<_>>(),
        )),
        Value::Object(fields) => {
            let map: HashMap<CelMapKey<'_>, Boxed<'_>> = fields
                .iter()
                .map(|(k, v)| (CelMapKey::from(k.as_str()), json_shape(v)))
                .collect();
            Box::new(CelMap::from(map))
        }
    }
}

/// A value kept by `x-kubernetes-preserve-unknown-fields` without a type: opaque to
/// CEL but for equality (the apiserver's `unknownPreserved`).
#[derive(Debug, PartialEq, Eq)]
struct Preserved(Value);

impl cel::objects::Opaque for Preserved {
    fn runtime_type_name(&self) -> &str {
        "kubernetes.unknownPreserved"
    }
}

/// CEL's reserved words, escaped as `__word__` when they are property names.
pub(crate) const RESERVED: [&str; 21] = [
    "true",
    "false",
    "null",
    "in",
    "as",
    "break",
    "const",
    "continue",
    "else",
    "for",
    "function",
    "if",
    "import",
    "let",
    "loop",
    "package",
    "namespace",
    "return",
    "var",
    "void",
    "while",
];

/// A property name as a CEL identifier (k8s.io/apiserver `cel.Escape`): reserved words
/// as `__word__`, `__` as `__underscores__`, `.` `-` `/` as `__dot__` `__dash__`
/// `__slash__`; `None` for a name CEL cannot spell.
pub(crate) fn escape(name: &str) -> Option<String> {
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    if RESERVED.contains(&name) {
        return Some(format!("__{name}__"));
    }
    let mut out = String::with_capacity(name.len());
    let mut rest = name;
    while let Some(c) = rest.chars().next() {
        if rest.starts_with("__") {
            out.push_str("__underscores__");
            rest = &rest[2..];
            continue;
        }
        match c {
            '.' => out.push_str("__dot__"),
            '-' => out.push_str("__dash__"),
            '/' => out.push_str("__slash__"),
            c if c.is_ascii_alphanumeric() || c == '_' => out.push(c),
            _ => return None,
        }
        rest = &rest[c.len_utf8()..];
    }
    Some(out)
}

fn metadata(v: &Value) -> Boxed<'_> {
    let mut map: HashMap<CelMapKey<'_>, Boxed<'_>> = HashMap::new();
    if let Some(o) = v.as_object() {
        for k in ["name", "generateName"] {
            if let Some(s) = o.get(k).and_then(Value::as_str) {
                map.insert(CelMapKey::from(k), Box::new(CelString::from(s)));
            }
        }
    }
    Box::new(CelMap::from(map))
}

/// A `date-time` as go-openapi's `strfmt.ParseDateTime` reads it: RFC 3339 (offset
/// with or without a colon), or local time (UTC) with seconds, minutes only, or a
/// space for the `T`.
fn date_time(s: &str) -> Option<chrono::DateTime<chrono::FixedOffset>> {
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
        return Some(t);
    }
    for layout in ["%Y-%m-%dT%H:%M:%S%.f%z", "%Y-%m-%dT%H:%M%z"] {
        if let Ok(t) = chrono::DateTime::parse_from_str(s, layout) {
            return Some(t);
        }
    }
    let s = s.strip_suffix('Z').unwrap_or(s);
    [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S",
    ]
    .iter()
    .find_map(|layout| chrono::NaiveDateTime::parse_from_str(s, layout).ok())
    .map(|t| t.and_utc().fixed_offset())
}

/// A string by its format: `date-time` and `date` are timestamps, `duration` a
/// duration, `byte` bytes (base64); one that does not parse stays a string (schema
/// validation refuses it first).
fn string<'a>(s: &'a str, node: &Node) -> Boxed<'a> {
    match node.format.as_str() {
        "date-time" => {
            if let Some(t) = date_time(s) {
                return Box::new(CelTimestamp::from(t));
            }
        }
        "date" => {
            if let Some(t) = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
            {
                return Box::new(CelTimestamp::from(t.and_utc().fixed_offset()));
            }
        }
        "duration" => {
            if let Some(d) = crate::libs::duration::parse(s) {
                return Box::new(CelDuration::from(d));
            }
        }
        "byte" => {
            use base64::Engine as _;
            if let Ok(b) = base64::engine::general_purpose::STANDARD.decode(s) {
                return Box::new(CelBytes::from(b));
            }
        }
        _ => {}
    }
    Box::new(CelString::from(s))
}
