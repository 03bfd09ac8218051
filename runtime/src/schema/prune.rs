//! Pruning: drop what the schema does not declare (`structuralpruning.Prune`).

use serde_json::Value;

use super::{Additional, FieldPath, additional, flag, items, nullable, prop};

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
    prune_at(
        object,
        Some(schema),
        true,
        &mut FieldPath::default(),
        &mut pruned,
    );
    if has_null(object) {
        drop_non_nullable_nulls(object, schema);
    }
    pruned
}

fn prune_at(
    x: &mut Value,
    s: Option<&Value>,
    root: bool,
    path: &mut FieldPath,
    pruned: &mut Vec<String>,
) {
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
                    let len = path.key(k);
                    pruned.push(path.0.clone());
                    path.truncate(len);
                }
                map.clear();
                return;
            };
            let embedded = root || flag(s, "x-kubernetes-embedded-resource");
            map.retain(|k, v| {
                if embedded && is_embedded_meta(k, v) {
                    return true;
                }
                let len = path.key(k);
                let keep = match prop(s, k) {
                    Some(ps) => {
                        prune_at(v, Some(ps), false, path, pruned);
                        true
                    }
                    None => match additional(s) {
                        Additional::Schema(a) => {
                            prune_at(v, Some(a), false, path, pruned);
                            true
                        }
                        Additional::Any => true,
                        Additional::None => {
                            pruned.push(path.0.clone());
                            false
                        }
                    },
                };
                path.truncate(len);
                keep
            });
        }
        Value::Array(arr) => {
            let it = s.and_then(items);
            for (i, v) in arr.iter_mut().enumerate() {
                let len = path.index(i);
                prune_at(v, it, false, path, pruned);
                path.truncate(len);
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

fn skip_prune(
    x: &mut Value,
    s: &Value,
    root: bool,
    path: &mut FieldPath,
    pruned: &mut Vec<String>,
) {
    match x {
        Value::Object(map) => {
            let embedded = root || flag(s, "x-kubernetes-embedded-resource");
            for (k, v) in map.iter_mut() {
                if embedded && matches!(k.as_str(), "apiVersion" | "kind" | "metadata") {
                    continue;
                }
                let len = path.key(k);
                if let Some(ps) = prop(s, k) {
                    prune_at(v, Some(ps), false, path, pruned);
                } else if let Additional::Schema(a) = additional(s) {
                    prune_at(v, Some(a), false, path, pruned);
                }
                path.truncate(len);
            }
        }
        Value::Array(arr) => {
            if let Some(it) = items(s) {
                for (i, v) in arr.iter_mut().enumerate() {
                    let len = path.index(i);
                    skip_prune(v, it, false, path, pruned);
                    path.truncate(len);
                }
            }
        }
        _ => {}
    }
}

/// Whether a `null` is anywhere in the object: without one there is nothing for
/// [`drop_non_nullable_nulls`] to drop, and its schema lookups are skipped.
fn has_null(x: &Value) -> bool {
    match x {
        Value::Null => true,
        Value::Object(m) => m.values().any(has_null),
        Value::Array(a) => a.iter().any(has_null),
        _ => false,
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
