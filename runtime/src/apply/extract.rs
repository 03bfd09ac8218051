//! Extract: the part of an object one field manager applied, read from its
//! `managedFields`, as client-go's `managedfields.ExtractInto` computes it
//! (structured-merge-diff's `TypedValue.ExtractItems` over the leaves of the manager's
//! `Apply` entry, with the key fields of list-map items appended).

use serde_json::{Map, Value};

use super::fieldset::{Path, PathElement, Set, Ty, decode};

/// The fields `field_manager` owns through server-side apply of `object` (or of its
/// `status` subresource when `subresource` is `Some("status")`), with `apiVersion`,
/// `kind`, `metadata.name` and `metadata.namespace` of the object.
///
/// `schema` is the `openAPIV3Schema` of the object's version: it says which lists
/// and maps are atomic (extracted whole) and how list-map items are keyed. Without it
/// every list is atomic, as the server treats a list the schema does not type.
///
/// A manager without an `Apply` entry (it never applied, or others took over every
/// field it owned) gets only the identifying fields, as `ExtractInto` leaves the
/// configuration empty then.
///
/// ```
/// use serde_json::json;
/// let live = json!({
///     "apiVersion": "example.com/v1", "kind": "Widget",
///     "metadata": {"name": "a", "namespace": "ns", "managedFields": [{
///         "manager": "ctrl", "operation": "Apply", "apiVersion": "example.com/v1",
///         "fieldsType": "FieldsV1", "fieldsV1": {"f:spec": {"f:color": {}}}
///     }]},
///     "spec": {"color": "red", "size": "large"}
/// });
/// assert_eq!(
///     crdgen_runtime::apply::extract(&live, "ctrl", None, None),
///     json!({"apiVersion": "example.com/v1", "kind": "Widget",
///            "metadata": {"name": "a", "namespace": "ns"}, "spec": {"color": "red"}})
/// );
/// ```
pub fn extract(
    object: &Value,
    field_manager: &str,
    subresource: Option<&str>,
    schema: Option<&Value>,
) -> Value {
    let owned = applied_set(object, field_manager, subresource).unwrap_or_default();
    let mut out = match extract_set(object, &owned, schema) {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    for k in ["apiVersion", "kind"] {
        if let Some(v) = object.get(k) {
            out.insert(k.to_owned(), v.clone());
        }
    }
    let meta = out
        .entry("metadata")
        .or_insert_with(|| Value::Object(Map::new()));
    if let Some(meta) = meta.as_object_mut() {
        for k in ["name", "namespace"] {
            if let Some(v) = object.get("metadata").and_then(|m| m.get(k)) {
                meta.insert(k.to_owned(), v.clone());
            }
        }
    }
    Value::Object(out)
}

/// The field set of `field_manager`'s `Apply` entry for `subresource`
/// (`findManagedFields`): `None` when there is none.
fn applied_set(object: &Value, field_manager: &str, subresource: Option<&str>) -> Option<Set> {
    let entries = object.pointer("/metadata/managedFields")?.as_array()?;
    let entry = entries.iter().find(|e| {
        let s = |k: &str| e.get(k).and_then(Value::as_str).unwrap_or("");
        s("manager") == field_manager
            && s("operation") == "Apply"
            && s("subresource") == subresource.unwrap_or("")
    })?;
    Some(entry.get("fieldsV1").map(decode).unwrap_or_default())
}

/// `ExtractItems(set.Leaves(), WithAppendKeyFields())` of `object`: the values at
/// the leaves of `set` (a FieldsV1 set decoded) and the key fields of the list-map
/// items on their way. Go's nil (nothing extracted) is `null`.
pub(crate) fn extract_set(object: &Value, set: &Set, schema: Option<&Value>) -> Value {
    let mut items = leaves(set);
    let mut keys = Set::new();
    for path in items.iter().filter(|p| resolves(object, p)) {
        for (i, pe) in path.iter().enumerate() {
            if let Some(PathElement::Key(k)) = PathElement::parse(pe) {
                for name in k.keys() {
                    let mut key_path = path[..=i].to_vec();
                    key_path.push(format!("f:{name}"));
                    keys.insert(key_path);
                }
            }
        }
    }
    items.extend(keys);
    walk(object, &items, Ty::root(schema))
}

/// The paths of `set` no other path extends (`Set.Leaves`): in a sorted set the
/// extensions of a path come right after it.
fn leaves(set: &Set) -> Set {
    let mut out = Set::new();
    let mut it = set.iter().peekable();
    while let Some(p) = it.next() {
        if !it.peek().is_some_and(|q| q.starts_with(p)) {
            out.insert(p.clone());
        }
    }
    out
}

/// Whether `path` names a node of `v`.
fn resolves(v: &Value, path: &[String]) -> bool {
    let Some((pe, rest)) = path.split_first() else {
        return true;
    };
    let child = match (PathElement::parse(pe), v) {
        (Some(PathElement::Field(f)), Value::Object(m)) => m.get(&f),
        (Some(pe), Value::Array(a)) => a
            .iter()
            .enumerate()
            .find(|(i, item)| pe.names_item(*i, item))
            .map(|(_, item)| item),
        _ => None,
    };
    child.is_some_and(|c| resolves(c, rest))
}

/// The paths of `set` under `pe`, with `pe` removed (`Set.WithPrefix`).
fn with_prefix(set: &Set, pe: &str) -> Set {
    set.iter()
        .filter(|p| p.len() > 1 && p[0] == pe)
        .map(|p| p[1..].to_vec())
        .collect()
}

fn single(pe: &str) -> Path {
    vec![pe.to_owned()]
}

/// `removingWalker` with `shouldExtract`: what of `v` the paths of `set` (relative
/// to `v`) select.
fn walk(v: &Value, set: &Set, ty: Ty<'_>) -> Value {
    match v {
        Value::Object(m) => {
            if m.is_empty() || ty.atomic_map() {
                return v.clone();
            }
            let mut out = Map::new();
            for (k, c) in m {
                let pe = format!("f:{k}");
                let (cty, _) = ty.child(k);
                if set.contains(&single(&pe)) {
                    // As structured-merge-diff does: the value of a member field is
                    // walked with the whole set of this level (scalars and atomic
                    // values come out whole).
                    out.insert(k.clone(), walk(c, set, cty));
                    continue;
                }
                let sub = with_prefix(set, &pe);
                if !sub.is_empty() {
                    out.insert(k.clone(), walk(c, &sub, cty));
                }
            }
            if out.is_empty() {
                Value::Null
            } else {
                Value::Object(out)
            }
        }
        Value::Array(a) => {
            if a.is_empty() || matches!(ty.list(), super::fieldset::ListKind::Atomic) {
                return v.clone();
            }
            let heads: Vec<(&String, PathElement)> = set
                .iter()
                .filter_map(|p| p.first())
                .filter_map(|pe| PathElement::parse(pe).map(|parsed| (pe, parsed)))
                .collect();
            let mut out = Vec::new();
            for (i, item) in a.iter().enumerate() {
                let Some((pe, _)) = heads.iter().find(|(_, parsed)| parsed.names_item(i, item))
                else {
                    continue;
                };
                let exact = set.contains(&single(pe));
                let sub = with_prefix(set, pe);
                if !sub.is_empty() {
                    out.push(walk(item, &sub, ty.items()));
                } else if exact {
                    out.push(item.clone());
                }
            }
            if out.is_empty() {
                Value::Null
            } else {
                Value::Array(out)
            }
        }
        _ => v.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The responses of a recorded scenario step (kube-apiserver v1.36.2).
    fn recorded(scenario: &str, step: usize) -> Value {
        let path = format!(
            "{}/../tests/apiserver-recordings/recorded/{scenario}.jsonl",
            env!("CARGO_MANIFEST_DIR")
        );
        let text = std::fs::read_to_string(&path).expect("the vendored recordings");
        let line = text.lines().nth(step).expect("the step");
        let v: Value = serde_json::from_str(line).expect("a JSON line");
        v["response"]["body"].clone()
    }

    fn widget_schema() -> Value {
        let path = format!(
            "{}/../tests/apiserver-recordings/crds/widgets.e2e.example.com.yaml",
            env!("CARGO_MANIFEST_DIR")
        );
        let text = std::fs::read_to_string(path).expect("the vendored CRD");
        let docs = crdgen_yaml::parse(&text, Default::default()).expect("valid YAML");
        let crd = docs
            .into_iter()
            .next()
            .expect("one document")
            .root
            .into_json();
        crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"].clone()
    }

    #[test]
    fn apply_basic_recordings() {
        // Step 2: mgr-a applied color and tags [a, b]; replicas came back from defaulting.
        let live = recorded("apply-basic", 2);
        assert_eq!(
            extract(&live, "mgr-a", None, Some(&widget_schema())),
            json!({"apiVersion": "e2e.example.com/v1", "kind": "Widget",
                "metadata": {"name": "a1", "namespace": "rec-apply-basic"},
                "spec": {"color": "red", "tags": ["a", "b"]}})
        );
        // Step 0: owner is an atomic map, extracted whole.
        let live = recorded("apply-basic", 0);
        assert_eq!(
            extract(&live, "mgr-a", None, Some(&widget_schema()))["spec"],
            json!({"color": "red", "replicas": 2, "tags": ["a"], "owner": {"name": "me"}})
        );
        // No Apply entry for this manager or this subresource.
        let empty = json!({"apiVersion": "e2e.example.com/v1", "kind": "Widget",
            "metadata": {"name": "a1", "namespace": "rec-apply-basic"}});
        assert_eq!(extract(&live, "mgr-b", None, None), empty);
        assert_eq!(extract(&live, "mgr-a", Some("status"), None), empty);
    }

    #[test]
    fn apply_conflict_recordings() {
        // Step 7: mgr-a and mgr-c share color, editor (an Update) owns replicas.
        let live = recorded("apply-conflict", 7);
        let schema = widget_schema();
        assert_eq!(
            extract(&live, "mgr-a", None, Some(&schema))["spec"],
            json!({"color": "blue"})
        );
        assert_eq!(
            extract(&live, "mgr-c", None, Some(&schema))["spec"],
            json!({"color": "blue"})
        );
        // Only Apply entries are extracted.
        assert_eq!(
            extract(&live, "editor", None, Some(&schema)).get("spec"),
            None
        );
    }

    #[test]
    fn list_map_items_keep_their_keys() {
        // An Update entry of the recordings with a list-map (defaults: items keyed by
        // name), read as a set: the items come out keyed, other items and fields not.
        let live = recorded("defaults", 1);
        let entries = live["metadata"]["managedFields"].as_array().unwrap();
        let fields = &entries[0]["fieldsV1"];
        let mut set = decode(fields);
        assert!(
            set.iter().any(|p| p.iter().any(|pe| pe.starts_with("k:"))),
            "the recorded entry has list-map items: {fields}"
        );
        let schema = widget_schema();
        let all = extract_set(&live, &set, Some(&schema));
        assert_eq!(all["spec"], live["spec"], "every field set: the whole spec");
        // Keep only item a's protocol: the item comes out with its key (appended),
        // item b and the other fields not.
        set.retain(|p| p.last().is_some_and(|pe| pe == "f:protocol") && p[2].contains("\"a\""));
        assert_eq!(set.len(), 1);
        assert_eq!(
            extract_set(&live, &set, Some(&schema)),
            json!({"spec": {"ports": [{"name": "a", "protocol": "TCP"}]}})
        );
    }

    #[test]
    fn status_entries_and_sets() {
        let live = json!({"apiVersion": "g/v1", "kind": "W", "metadata": {"name": "a",
            "managedFields": [
                {"manager": "m", "operation": "Apply", "subresource": "status",
                 "fieldsV1": {"f:status": {"f:phase": {}, "f:tags": {"v:\"x\"": {}}}}},
                {"manager": "m", "operation": "Apply",
                 "fieldsV1": {"f:spec": {"f:n": {}}}}]},
            "spec": {"n": 1, "o": 2}, "status": {"phase": "Up", "tags": ["x", "y"], "other": 3}});
        let schema = json!({"type": "object", "properties": {"status": {"type": "object",
            "properties": {"tags": {"type": "array", "x-kubernetes-list-type": "set",
                "items": {"type": "string"}}}}}});
        assert_eq!(
            extract(&live, "m", Some("status"), Some(&schema)),
            json!({"apiVersion": "g/v1", "kind": "W", "metadata": {"name": "a"},
                "status": {"phase": "Up", "tags": ["x"]}})
        );
        assert_eq!(
            extract(&live, "m", None, Some(&schema)),
            json!({"apiVersion": "g/v1", "kind": "W", "metadata": {"name": "a"}, "spec": {"n": 1}})
        );
    }

    #[test]
    fn leaves_drop_members_with_children() {
        let set: Set = [
            vec!["f:spec".to_owned()],
            vec!["f:spec".to_owned(), "f:a".to_owned()],
            vec!["f:spec2".to_owned()],
        ]
        .into_iter()
        .collect();
        let l: Vec<_> = leaves(&set).into_iter().collect();
        assert_eq!(
            l,
            vec![
                vec!["f:spec".to_owned(), "f:a".to_owned()],
                vec!["f:spec2".to_owned()]
            ]
        );
    }
}
