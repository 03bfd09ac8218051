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
                map.insert(Key::String(Arc::new(k.clone())), cv);
            }
            Cel::Map(Map { map: Arc::new(map) })
        }
    }
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
