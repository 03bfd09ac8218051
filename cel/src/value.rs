//! The CEL view of a JSON value, following its schema as the apiserver's
//! `UnstructuredToVal` (k8s.io/apiserver `pkg/cel/common/valuesunstructured.go`) does:
//! `integer` is `int`, `number` is `double`, int-or-string is either, `format:
//! date-time` / `date` / `duration` / `byte` strings are timestamps / durations /
//! bytes, objects show the fields their schema names (at the resource root and in
//! embedded resources also `apiVersion`, `kind` and `metadata.name` /
//! `metadata.generateName`), maps every key, and a value kept by
//! `x-kubernetes-preserve-unknown-fields` without a type is opaque.
//!
//! Not modelled: list-type `set` / `map` equality (the apiserver compares those
//! unordered / by key; here `==` on lists is ordered).

use std::collections::HashMap;
use std::sync::Arc;

use cel::Value as Cel;
use cel::objects::{Key, Map};
use serde_json::Value;

use crate::schema::Node;

/// `v` as a CEL value under `node`. `resource`: the value is a resource (the root, or
/// an embedded resource), whose `apiVersion`, `kind` and `metadata` (`name` and
/// `generateName` only) are fields whatever its schema says.
pub(crate) fn to_cel(v: &Value, node: &Node, resource: bool) -> Cel {
    if v.is_null() {
        return Cel::Null;
    }
    match (node.ty.as_str(), v) {
        ("object", Value::Object(_)) => object(v, node, resource || node.embedded),
        ("array", Value::Array(items)) => match node.items.as_deref() {
            Some(item) => Cel::List(Arc::new(
                items.iter().map(|i| to_cel(i, item, false)).collect(),
            )),
            None => json_shape(v),
        },
        ("string", Value::String(s)) => string(s, node),
        ("number", Value::Number(n)) => Cel::Float(n.as_f64().unwrap_or(f64::NAN)),
        ("", _) if node.preserve_unknown && !node.embedded => {
            Cel::Opaque(Arc::new(Preserved(v.clone())))
        }
        ("", Value::Object(_)) if node.embedded => object(v, node, true),
        // integer, boolean, int-or-string; anything the schema validation refuses.
        _ => json_shape(v),
    }
}

/// An object: the fields its schema names (escaped as CEL names; a null field is
/// absent), or every key of a map (`additionalProperties`), or nothing (an object
/// whose fields are all unknown shows none of them).
fn object(v: &Value, node: &Node, resource: bool) -> Cel {
    let Value::Object(fields) = v else {
        return json_shape(v);
    };
    let mut map = HashMap::with_capacity(fields.len());
    if resource || !node.properties.is_empty() {
        for (k, fv) in fields {
            if fv.is_null() {
                continue;
            }
            let cv = match (resource, k.as_str(), node.properties.get(k)) {
                (true, "metadata", _) => metadata(fv),
                (true, "apiVersion" | "kind", _) => json_shape(fv),
                (_, _, Some(child)) => to_cel(fv, child, false),
                _ => continue,
            };
            if let Some(name) = escape(k) {
                map.insert(Key::String(Arc::new(name)), cv);
            }
        }
    } else if let Some(ap) = node.additional.as_deref() {
        for (k, fv) in fields {
            map.insert(Key::String(Arc::new(k.clone())), to_cel(fv, ap, false));
        }
    }
    Cel::Map(Map { map: Arc::new(map) })
}

/// A value without a schema, by its JSON shape.
fn json_shape(v: &Value) -> Cel {
    match v {
        Value::Null => Cel::Null,
        Value::Bool(b) => Cel::Bool(*b),
        Value::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => Cel::Int(i),
            (None, Some(u)) => Cel::UInt(u),
            _ => Cel::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        Value::String(s) => Cel::String(Arc::new(s.clone())),
        Value::Array(items) => Cel::List(Arc::new(items.iter().map(json_shape).collect())),
        Value::Object(fields) => {
            let map = fields
                .iter()
                .map(|(k, v)| (Key::String(Arc::new(k.clone())), json_shape(v)))
                .collect();
            Cel::Map(Map { map: Arc::new(map) })
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
const RESERVED: [&str; 21] = [
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

fn metadata(v: &Value) -> Cel {
    let mut map = HashMap::new();
    if let Some(o) = v.as_object() {
        for k in ["name", "generateName"] {
            if let Some(s) = o.get(k).and_then(Value::as_str) {
                map.insert(
                    Key::String(Arc::new(k.to_owned())),
                    Cel::String(Arc::new(s.to_owned())),
                );
            }
        }
    }
    Cel::Map(Map { map: Arc::new(map) })
}

/// A string by its format: `date-time` and `date` are timestamps, `duration` a
/// duration, `byte` bytes (base64); one that does not parse stays a string (schema
/// validation refuses it first).
fn string(s: &str, node: &Node) -> Cel {
    match node.format.as_str() {
        "date-time" => {
            if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
                return Cel::Timestamp(t);
            }
        }
        "date" => {
            if let Some(t) = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
            {
                return Cel::Timestamp(t.and_utc().fixed_offset());
            }
        }
        "duration" => {
            if let Some(d) = crate::libs::duration::parse_go(s) {
                return Cel::Duration(d);
            }
        }
        "byte" => {
            use base64::Engine as _;
            if let Ok(b) = base64::engine::general_purpose::STANDARD.decode(s) {
                return Cel::Bytes(Arc::new(b));
            }
        }
        _ => {}
    }
    Cel::String(Arc::new(s.to_owned()))
}
