//! Defaulting (`structuraldefaulting.Default`).

use serde_json::Value;

use super::{Additional, additional, get, items, nullable, prop};

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
