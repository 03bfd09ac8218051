//! List types: uniqueness of `x-kubernetes-list-type: set` items and of
//! `x-kubernetes-list-type: map` keys (`structurallisttype.ValidateListSetsAndMaps`,
//! which the server runs after schema and embedded-resource validation), and the
//! correlation of map-list items with their old values for ratcheting.

use serde_json::{Map, Value};

use super::errors::duplicate;
use super::validate::json_eq;
use super::{Additional, FieldError, FieldPath, additional, get, items, prop};

/// Every duplicate item of a set list and every duplicate key of a map list in
/// `object`: `spec.ports[2]: Duplicate value: {"name":"http"}`.
pub fn validate_lists(object: &Value, schema: &Value) -> Vec<FieldError> {
    let mut errs = Vec::new();
    walk(object, schema, &mut FieldPath::default(), &mut errs);
    errs
}

fn walk(x: &Value, s: &Value, path: &mut FieldPath, errs: &mut Vec<FieldError>) {
    match x {
        Value::Array(arr) => {
            match get(s, "x-kubernetes-list-type").and_then(Value::as_str) {
                Some("set") => {
                    for i in 0..arr.len() {
                        if (0..i).any(|j| json_eq(&arr[i], &arr[j])) {
                            errs.push(duplicate(format!("{}[{i}]", path.0), arr[i].clone()));
                        }
                    }
                }
                Some("map") => {
                    let keys = map_keys(s);
                    let ks: Vec<Value> = arr.iter().map(|v| key_of(&keys, v)).collect();
                    for i in 0..ks.len() {
                        if (0..i).any(|j| json_eq(&ks[i], &ks[j])) {
                            errs.push(duplicate(format!("{}[{i}]", path.0), ks[i].clone()));
                        }
                    }
                }
                _ => {}
            }
            if let Some(it) = items(s) {
                for (i, v) in arr.iter().enumerate().filter(|(_, v)| is_container(v)) {
                    let len = path.index(i);
                    walk(v, it, path, errs);
                    path.truncate(len);
                }
            }
        }
        Value::Object(map) => {
            // Only arrays have a list type: scalars are not looked up.
            for (k, v) in map.iter().filter(|(_, v)| is_container(v)) {
                let sub = match prop(s, k) {
                    Some(ps) => Some(ps),
                    None => match additional(s) {
                        Additional::Schema(a) => Some(a),
                        _ => None,
                    },
                };
                if let Some(sub) = sub {
                    let len = path.key(k);
                    walk(v, sub, path, errs);
                    path.truncate(len);
                }
            }
        }
        _ => {}
    }
}

fn is_container(v: &Value) -> bool {
    v.is_object() || v.is_array()
}

fn map_keys(s: &Value) -> Vec<&str> {
    get(s, "x-kubernetes-list-map-keys")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

fn key_of(keys: &[&str], v: &Value) -> Value {
    let mut m = Map::new();
    for k in keys {
        if let Some(kv) = v.get(*k) {
            m.insert((*k).to_owned(), kv.clone());
        }
    }
    Value::Object(m)
}

/// The old item correlated with the new item `new` of a list with schema `s`: for a
/// map list, the old item with the same keys; for other lists, none
/// (`common.CorrelatedObject.Index`: only map lists correlate).
pub(crate) fn correlate_item<'a>(s: &Value, new: &Value, old: &'a [Value]) -> Option<&'a Value> {
    if get(s, "x-kubernetes-list-type").and_then(Value::as_str) != Some("map") {
        return None;
    }
    let keys = map_keys(s);
    let k = key_of(&keys, new);
    old.iter().find(|o| json_eq(&key_of(&keys, o), &k))
}
