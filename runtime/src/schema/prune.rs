//! Pruning: drop what the schema does not declare (`structuralpruning.Prune`).

use serde_json::Value;

use super::{Additional, additional, child_path, flag, items, nullable, prop};

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
