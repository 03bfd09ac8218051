//! Synthesized documents: one per generated kind and version, filling every declared
//! field, to round-trip what the example objects do not cover.

use serde_json::{Map, Value};

/// A document with every declared field filled (depth-limited), values chosen to be
/// valid for the type (enums, formats, int-or-string), unknown fields added where the
/// schema preserves them.
pub fn sample(schema: &Value, depth: usize, seed: &mut u64) -> Value {
    sample_at(schema, depth, seed, true)
}

fn sample_at(schema: &Value, depth: usize, seed: &mut u64, root: bool) -> Value {
    *seed = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let flag = |s: &Value, k: &str| s.get(k).and_then(Value::as_bool).unwrap_or(false);
    if let Some(Value::Array(values)) = schema.get("enum")
        && let Some(v) = values.iter().find(|v| !v.is_null())
    {
        return v.clone();
    }
    if flag(schema, "x-kubernetes-int-or-string") {
        return if (*seed).is_multiple_of(2) {
            Value::from(8080)
        } else {
            Value::from("50%")
        };
    }
    // A typeless schema: take the type its items or its first oneOf/anyOf branch implies.
    let branch_type = ["oneOf", "anyOf"]
        .iter()
        .filter_map(|k| schema.get(*k)?.as_array()?.first()?.get("type")?.as_str())
        .next();
    let ty = schema
        .get("type")
        .and_then(Value::as_str)
        .or_else(|| schema.get("items").map(|_| "array"))
        .or(branch_type);
    match ty {
        Some("string") => match schema.get("format").and_then(Value::as_str) {
            Some("date-time") => Value::from("2024-01-02T03:04:05Z"),
            Some("date") => Value::from("2024-01-02"),
            Some("byte") => Value::from("aGVsbG8="),
            Some("int-or-string") => Value::from("1"),
            _ => Value::from("sample"),
        },
        Some("integer") => Value::from(
            schema
                .get("minimum")
                .and_then(Value::as_i64)
                .unwrap_or(3)
                .max(1),
        ),
        Some("number") => Value::from(1.5),
        Some("boolean") => Value::from(true),
        Some("array") => {
            let min_items = schema.get("minItems").and_then(Value::as_u64).unwrap_or(0);
            if depth == 0 && min_items == 0 {
                return Value::Array(Vec::new());
            }
            match schema.get("items") {
                // The server keeps unknown fields of the items of an array that
                // preserves them (its pruning recurses into items without pruning):
                // put some there too.
                Some(items)
                    if flag(schema, "x-kubernetes-preserve-unknown-fields")
                        && items.is_object()
                        && !flag(items, "x-kubernetes-preserve-unknown-fields") =>
                {
                    let mut items = items.clone();
                    items["x-kubernetes-preserve-unknown-fields"] = Value::Bool(true);
                    Value::Array(vec![sample_at(
                        &items,
                        depth.saturating_sub(1),
                        seed,
                        false,
                    )])
                }
                Some(items) => {
                    Value::Array(vec![sample_at(items, depth.saturating_sub(1), seed, false)])
                }
                None => Value::Array(vec![Value::from("any")]),
            }
        }
        _ => {
            let mut m = Map::new();
            let props = schema.get("properties").and_then(Value::as_object);
            // Past the depth limit only required fields are filled (a valid object).
            let required: Vec<&str> = schema
                .get("required")
                .and_then(Value::as_array)
                .map(|r| r.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            if let Some(props) = props {
                for (k, ps) in props {
                    if root && matches!(k.as_str(), "apiVersion" | "kind" | "metadata") {
                        continue;
                    }
                    if depth > 0 || required.contains(&k.as_str()) {
                        m.insert(
                            k.clone(),
                            sample_at(ps, depth.saturating_sub(1), seed, false),
                        );
                    }
                }
            }
            if depth > 0
                && let Some(ap) = schema.get("additionalProperties")
            {
                if ap.is_object() {
                    m.insert("key".into(), sample_at(ap, depth - 1, seed, false));
                } else if ap == &Value::Bool(true) {
                    m.insert("key".into(), serde_json::json!({"any": [1, "x"]}));
                }
            }
            // With an `additionalProperties` schema no field is unknown: every key must
            // fit that schema, preserved or not.
            if flag(schema, "x-kubernetes-preserve-unknown-fields")
                && !schema
                    .get("additionalProperties")
                    .is_some_and(Value::is_object)
            {
                m.insert(
                    "unlistedField".into(),
                    serde_json::json!({"kept": [1, 2.5, null, "x"]}),
                );
            }
            if flag(schema, "x-kubernetes-embedded-resource") {
                m.insert("apiVersion".into(), Value::from("v1"));
                m.insert("kind".into(), Value::from("ConfigMap"));
                m.insert("metadata".into(), serde_json::json!({"name": "embedded"}));
            }
            if ty.is_none()
                && props.is_none()
                && !flag(schema, "x-kubernetes-preserve-unknown-fields")
            {
                return serde_json::json!({"free": "form"});
            }
            Value::Object(m)
        }
    }
}
