//! The CEL view of a JSON value, following its schema as the apiserver's
//! `UnstructuredToVal` does: `integer` is `int`, `number` is `double`, int-or-string is
//! either, `format: date-time` / `duration` strings are timestamps / durations, objects
//! are maps of their fields (at the resource root and in embedded resources only
//! `metadata.name` and `metadata.generateName`), and a preserve-unknown-fields value
//! without a schema is taken as its JSON shape.

use std::collections::HashMap;
use std::sync::Arc;

use cel::Value as Cel;
use cel::objects::{Key, Map};
use serde_json::Value;

use crate::schema::Node;

/// `v` as a CEL value under `node` (`None`: no schema, the JSON shape). `meta_only`:
/// the value is a resource (the root or an embedded resource) whose `metadata` shows
/// only `name` and `generateName`.
pub(crate) fn to_cel(v: &Value, node: Option<&Node>, meta_only: bool) -> Cel {
    match v {
        Value::Null => Cel::Null,
        Value::Bool(b) => Cel::Bool(*b),
        Value::Number(n) => {
            let as_double = node.is_some_and(|n| n.ty == "number");
            match (n.as_i64(), as_double) {
                (Some(i), false) => Cel::Int(i),
                _ => match n.as_u64() {
                    Some(u) if !as_double && n.as_i64().is_none() => Cel::UInt(u),
                    _ => Cel::Float(n.as_f64().unwrap_or(f64::NAN)),
                },
            }
        }
        Value::String(s) => string(s, node),
        Value::Array(items) => {
            let item = node.and_then(|n| n.items.as_deref());
            Cel::List(Arc::new(
                items.iter().map(|i| to_cel(i, item, false)).collect(),
            ))
        }
        Value::Object(fields) => {
            let mut map = HashMap::with_capacity(fields.len());
            let resource = meta_only || node.is_some_and(|n| n.embedded);
            for (k, fv) in fields {
                let child = match node {
                    None => None,
                    Some(n) => match n.properties.get(k) {
                        Some(c) => Some(c),
                        None => match n.additional.as_deref() {
                            Some(a) => Some(a),
                            None if n.preserve_unknown || is_resource_field(resource, k) => None,
                            // Pruned away before validation: nothing to show.
                            None if !n.properties.is_empty() => continue,
                            None => None,
                        },
                    },
                };
                let cv = if resource && k == "metadata" {
                    metadata(fv)
                } else {
                    to_cel(fv, child, false)
                };
                // Fields of an object type are named as CEL can name them (`namespace`
                // is `__namespace__`); the keys of a map (additionalProperties) are not.
                let name = match node {
                    Some(n) if n.additional.is_none() => escape(k).unwrap_or_else(|| k.clone()),
                    _ => k.clone(),
                };
                map.insert(Key::String(Arc::new(name)), cv);
            }
            Cel::Map(Map { map: Arc::new(map) })
        }
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

fn is_resource_field(resource: bool, k: &str) -> bool {
    resource && matches!(k, "apiVersion" | "kind" | "metadata")
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

fn string(s: &str, node: Option<&Node>) -> Cel {
    if let Some(n) = node.filter(|n| n.ty == "string") {
        match n.format.as_str() {
            "date-time" => {
                if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
                    return Cel::Timestamp(t);
                }
            }
            "duration" => {
                if let Some(d) = crate::libs::duration::parse_go(s) {
                    return Cel::Duration(d);
                }
            }
            _ => {}
        }
    }
    Cel::String(Arc::new(s.to_owned()))
}
