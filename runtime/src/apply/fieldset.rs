//! Field sets as structured-merge-diff (sigs.k8s.io/structured-merge-diff v6) types
//! them: `ToFieldSet` (`typed/tofieldset.go`), `Compare` (`typed/compare.go`), the
//! FieldsV1 encoding (`fieldpath/serialize.go`) and path printing, over a CRD's
//! structural schema with ObjectMeta's list and map types.
//!
//! A field set is a set of paths; a path is a list of encoded path elements exactly
//! as they appear as FieldsV1 keys: `f:<name>`, `k:<key fields as JSON>`, `v:<value as
//! JSON>`.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value, json};

/// One path: encoded path elements.
pub(crate) type Path = Vec<String>;
/// A field set.
pub(crate) type Set = BTreeSet<Path>;

/// The schema of `metadata` (ObjectMeta) as the field manager types it.
pub(crate) fn object_meta_schema() -> &'static Value {
    static META: std::sync::LazyLock<Value> = std::sync::LazyLock::new(|| {
        let scalar = json!({"type": "string"});
        let string_map = json!({"type": "object", "additionalProperties": {"type": "string"}});
        json!({"type": "object", "properties": {
            "name": scalar, "generateName": scalar, "namespace": scalar, "selfLink": scalar,
            "uid": scalar, "resourceVersion": scalar, "generation": {"type": "integer"},
            "creationTimestamp": scalar, "deletionTimestamp": scalar,
            "deletionGracePeriodSeconds": {"type": "integer"},
            "labels": string_map, "annotations": string_map,
            "finalizers": {"type": "array", "items": scalar, "x-kubernetes-list-type": "set"},
            "ownerReferences": {"type": "array", "x-kubernetes-list-type": "map",
                "x-kubernetes-list-map-keys": ["uid"],
                "items": {"type": "object", "properties": {
                    "apiVersion": scalar, "kind": scalar, "name": scalar, "uid": scalar,
                    "controller": {"type": "boolean"}, "blockOwnerDeletion": {"type": "boolean"}}}},
            "managedFields": {"type": "array"}
        }})
    });
    &META
}

/// Where a walk stands in the schema.
#[derive(Clone, Copy)]
pub(crate) struct Ty<'a> {
    schema: Option<&'a Value>,
    root: bool,
}

impl<'a> Ty<'a> {
    pub(crate) fn root(schema: Option<&'a Value>) -> Self {
        Ty { schema, root: true }
    }

    /// The type of a map entry, and whether the key is a declared field.
    pub(crate) fn child(self, key: &str) -> (Ty<'a>, bool) {
        if self.root {
            match key {
                "metadata" => {
                    return (
                        Ty {
                            schema: Some(object_meta_schema()),
                            root: false,
                        },
                        true,
                    );
                }
                "apiVersion" | "kind" => {
                    return (
                        Ty {
                            schema: None,
                            root: false,
                        },
                        true,
                    );
                }
                _ => {}
            }
        }
        let Some(s) = self.schema else {
            return (
                Ty {
                    schema: None,
                    root: false,
                },
                false,
            );
        };
        if let Some(p) = s.get("properties").and_then(|p| p.get(key)) {
            return (
                Ty {
                    schema: Some(p),
                    root: false,
                },
                true,
            );
        }
        let add = s.get("additionalProperties").filter(|a| a.is_object());
        (
            Ty {
                schema: add,
                root: false,
            },
            false,
        )
    }

    pub(crate) fn atomic_map(self) -> bool {
        self.schema
            .and_then(|s| s.get("x-kubernetes-map-type"))
            .and_then(Value::as_str)
            == Some("atomic")
    }

    pub(crate) fn list(self) -> ListKind<'a> {
        let Some(s) = self.schema else {
            return ListKind::Atomic;
        };
        match s.get("x-kubernetes-list-type").and_then(Value::as_str) {
            Some("set") => ListKind::Set,
            Some("map") => ListKind::Map(
                s.get("x-kubernetes-list-map-keys")
                    .and_then(Value::as_array)
                    .map(|a| a.iter().filter_map(Value::as_str).collect())
                    .unwrap_or_default(),
            ),
            _ => ListKind::Atomic,
        }
    }

    pub(crate) fn items(self) -> Ty<'a> {
        Ty {
            schema: self.schema.and_then(|s| s.get("items")),
            root: false,
        }
    }
}

pub(crate) enum ListKind<'a> {
    Atomic,
    Set,
    Map(Vec<&'a str>),
}

/// Go's `encoding/json` of a value, compact (keys sorted as serde_json keeps them).
pub(crate) fn go_json(v: &Value) -> String {
    v.to_string()
}

/// The path element of a list item, `None` when a list-map item lacks a key.
pub(crate) fn item_pe(kind: &ListKind<'_>, item: &Value) -> Option<String> {
    match kind {
        ListKind::Map(keys) => {
            let mut m = BTreeMap::new();
            for k in keys {
                m.insert(*k, item.get(*k)?.clone());
            }
            let obj: Map<String, Value> = m.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
            Some(format!("k:{}", go_json(&Value::Object(obj))))
        }
        _ => Some(format!("v:{}", go_json(item))),
    }
}

pub(crate) fn with(path: &Path, pe: String) -> Path {
    let mut p = path.clone();
    p.push(pe);
    p
}

/// `EnsureNamedFieldsAreMembers`: `set` with the named-field parents of its paths
/// (the fields a struct declares, not the keys of a map or the items of a list).
pub(crate) fn ensure_named(set: &Set, schema: Option<&Value>) -> Set {
    let mut out = set.clone();
    for path in set {
        let mut ty = Ty::root(schema);
        for (i, pe) in path.iter().enumerate() {
            if let Some(f) = pe.strip_prefix("f:") {
                let (child, declared) = ty.child(f);
                if declared && i + 1 < path.len() {
                    out.insert(path[..=i].to_vec());
                }
                ty = child;
            } else {
                ty = ty.items();
            }
        }
    }
    out
}

/// `ToFieldSet`: the paths a configuration sets (what an applier owns).
pub(crate) fn to_field_set(v: &Value, schema: Option<&Value>) -> Set {
    let mut out = Set::new();
    fs_walk(v, Ty::root(schema), &Vec::new(), &mut out);
    out
}

pub(crate) fn fs_walk(v: &Value, ty: Ty<'_>, path: &Path, out: &mut Set) {
    match v {
        Value::Object(m) => {
            if ty.atomic_map() {
                out.insert(path.clone());
                return;
            }
            for (k, c) in m {
                let (cty, declared) = ty.child(k);
                let p = with(path, format!("f:{k}"));
                fs_walk(c, cty, &p, out);
                let empty_map = c.as_object().is_some_and(Map::is_empty);
                if c.is_null() || empty_map || !declared {
                    out.insert(p);
                }
            }
        }
        Value::Array(a) => {
            let kind = ty.list();
            if matches!(kind, ListKind::Atomic) {
                out.insert(path.clone());
                return;
            }
            for item in a {
                if let Some(pe) = item_pe(&kind, item) {
                    let p = with(path, pe);
                    fs_walk(item, ty.items(), &p, out);
                    out.insert(p);
                }
            }
        }
        _ => {
            if !path.is_empty() {
                out.insert(path.clone());
            }
        }
    }
}

/// What changed between two objects (`typed.Comparison`).
#[derive(Debug, Default)]
pub(crate) struct Comparison {
    pub added: Set,
    pub removed: Set,
    pub modified: Set,
}

impl Comparison {
    pub(crate) fn filter(&mut self, exclude: &Set) {
        for s in [&mut self.added, &mut self.removed, &mut self.modified] {
            s.retain(|p| !exclude.iter().any(|e| p.starts_with(e)));
        }
    }
}

/// `Compare(lhs, rhs)`.
pub(crate) fn compare(lhs: &Value, rhs: &Value, schema: Option<&Value>) -> Comparison {
    let mut c = Comparison::default();
    cmp_walk(Some(lhs), Some(rhs), Ty::root(schema), &Vec::new(), &mut c);
    c
}

pub(crate) fn is_empty_container(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => true,
        Some(Value::Object(m)) => m.is_empty(),
        Some(Value::Array(a)) => a.is_empty(),
        _ => false,
    }
}

pub(crate) fn leaf(l: Option<&Value>, r: Option<&Value>, path: &Path, c: &mut Comparison) {
    match (l, r) {
        (None, None) => {}
        (None, Some(_)) => {
            c.added.insert(path.clone());
        }
        (Some(_), None) => {
            c.removed.insert(path.clone());
        }
        (Some(a), Some(b)) => {
            if a != b {
                c.modified.insert(path.clone());
            }
        }
    }
}

pub(crate) fn cmp_walk(
    l: Option<&Value>,
    r: Option<&Value>,
    ty: Ty<'_>,
    path: &Path,
    c: &mut Comparison,
) {
    let is_root = path.is_empty();
    let both_empty = is_empty_container(l) && is_empty_container(r);
    match (l.or(r), r.or(l)) {
        (Some(Value::Object(_)), Some(Value::Object(_)))
            if !is_root && (ty.atomic_map() || both_empty) =>
        {
            leaf(l, r, path, c);
            return;
        }
        (Some(Value::Object(_)), Some(Value::Object(_))) => {
            let lm = l.and_then(Value::as_object);
            let rm = r.and_then(Value::as_object);
            let keys: BTreeSet<&String> = lm
                .into_iter()
                .flat_map(|m| m.keys())
                .chain(rm.into_iter().flat_map(|m| m.keys()))
                .collect();
            for k in keys {
                let (cty, _) = ty.child(k);
                let p = with(path, format!("f:{k}"));
                cmp_walk(
                    lm.and_then(|m| m.get(k)),
                    rm.and_then(|m| m.get(k)),
                    cty,
                    &p,
                    c,
                );
            }
        }
        (Some(Value::Array(_)), Some(Value::Array(_))) => {
            let kind = ty.list();
            if matches!(kind, ListKind::Atomic) || both_empty {
                leaf(l, r, path, c);
                return;
            }
            fn index<'v>(
                kind: &ListKind<'_>,
                v: Option<&'v Value>,
            ) -> (Vec<String>, BTreeMap<String, Vec<&'v Value>>) {
                let mut order: Vec<String> = Vec::new();
                let mut by: BTreeMap<String, Vec<&'v Value>> = BTreeMap::new();
                for item in v.and_then(Value::as_array).into_iter().flatten() {
                    if let Some(pe) = item_pe(kind, item) {
                        if !by.contains_key(&pe) {
                            order.push(pe.clone());
                        }
                        by.entry(pe).or_default().push(item);
                    }
                }
                (order, by)
            }
            let (lo, lby) = index(&kind, l);
            let (ro, rby) = index(&kind, r);
            let mut all = lo;
            all.extend(ro.into_iter().filter(|pe| !lby.contains_key(pe)));
            for pe in all {
                let li = lby.get(&pe).cloned().unwrap_or_default();
                let ri = rby.get(&pe).cloned().unwrap_or_default();
                let p = with(path, pe);
                match (li.len(), ri.len()) {
                    (a, b) if a <= 1 && b <= 1 => {
                        cmp_walk(li.first().copied(), ri.first().copied(), ty.items(), &p, c)
                    }
                    (a, b) if a >= 2 && b >= 2 => {
                        if li != ri {
                            c.modified.insert(p);
                        }
                    }
                    (a, _) if a >= 2 => {
                        c.removed.insert(p);
                    }
                    _ => {
                        c.added.insert(p);
                    }
                }
            }
        }
        _ => {
            leaf(l, r, path, c);
            return;
        }
    }
    if !is_root {
        match (l, r) {
            (None, Some(_)) => {
                c.added.insert(path.clone());
            }
            (Some(_), None) => {
                c.removed.insert(path.clone());
            }
            _ => {}
        }
    }
}

/// FieldsV1 of a set.
pub(crate) fn encode(set: &Set) -> Value {
    #[derive(Default)]
    struct Node {
        member: bool,
        children: BTreeMap<String, Node>,
    }
    let mut root = Node::default();
    for p in set {
        let mut n = &mut root;
        for pe in p {
            n = n.children.entry(pe.clone()).or_default();
        }
        n.member = true;
    }
    fn emit(n: &Node) -> Value {
        let mut m = Map::new();
        if n.member && !n.children.is_empty() {
            m.insert(".".into(), json!({}));
        }
        for (k, c) in &n.children {
            m.insert(k.clone(), emit(c));
        }
        Value::Object(m)
    }
    emit(&root)
}

/// The set of a FieldsV1 value.
pub(crate) fn decode(v: &Value) -> Set {
    fn walk(v: &Value, path: &mut Path, out: &mut Set) {
        let Some(m) = v.as_object() else { return };
        let children: Vec<(&String, &Value)> = m.iter().filter(|(k, _)| *k != ".").collect();
        if (m.contains_key(".") || children.is_empty()) && !path.is_empty() {
            out.insert(path.clone());
        }
        for (k, c) in children {
            path.push(k.clone());
            walk(c, path, out);
            path.pop();
        }
    }
    let mut out = Set::new();
    walk(v, &mut Vec::new(), &mut out);
    out
}

/// A path as structured-merge-diff prints it: `.spec.ports[name="a"]`, `.spec.tags[="x"]`.
pub(crate) fn path_string(p: &Path) -> String {
    let mut s = String::new();
    for pe in p {
        if let Some(f) = pe.strip_prefix("f:") {
            s.push('.');
            s.push_str(f);
        } else if let Some(k) = pe.strip_prefix("k:") {
            let fields: Map<String, Value> = serde_json::from_str(k).unwrap_or_default();
            let parts: Vec<String> = fields.iter().map(|(k, v)| format!("{k}={v}")).collect();
            s.push_str(&format!("[{}]", parts.join(",")));
        } else if let Some(v) = pe.strip_prefix("v:") {
            s.push_str(&format!("[={v}]"));
        } else if let Some(i) = pe.strip_prefix("i:") {
            s.push_str(&format!("[{i}]"));
        }
    }
    s
}

/// One FieldsV1 path element, parsed (`fieldpath.PathElement`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum PathElement {
    /// `f:<name>`: a field of a struct or a key of a map.
    Field(String),
    /// `k:<key fields as JSON>`: the item of a list-map with these key field values.
    Key(Map<String, Value>),
    /// `v:<value as JSON>`: the item of a set with this value.
    Value(Value),
    /// `i:<index>`: the item at this position of a list.
    Index(usize),
}

impl PathElement {
    /// Parses an encoded path element; `None` when it is none of the four forms
    /// (`.` is not a path element: it marks the node itself as a member).
    pub(crate) fn parse(pe: &str) -> Option<Self> {
        let (prefix, rest) = pe.split_at_checked(2)?;
        match prefix {
            "f:" => Some(Self::Field(rest.to_owned())),
            "k:" => serde_json::from_str(rest).ok().map(Self::Key),
            "v:" => serde_json::from_str(rest).ok().map(Self::Value),
            "i:" => rest.parse().ok().map(Self::Index),
            _ => None,
        }
    }

    /// Whether the list item at `index` is the one this element names.
    pub(crate) fn names_item(&self, index: usize, item: &Value) -> bool {
        match self {
            Self::Key(keys) => keys.iter().all(|(k, v)| item.get(k) == Some(v)),
            Self::Value(v) => v == item,
            Self::Index(i) => *i == index,
            Self::Field(_) => false,
        }
    }
}

#[cfg(test)]
mod path_element_tests {
    use super::*;

    #[test]
    fn parses_the_four_forms() {
        assert_eq!(
            PathElement::parse("f:spec"),
            Some(PathElement::Field("spec".into()))
        );
        let k = PathElement::parse(r#"k:{"name":"a","port":80}"#).unwrap();
        assert!(k.names_item(3, &json!({"name": "a", "port": 80, "x": 1})));
        assert!(!k.names_item(3, &json!({"name": "a", "port": 81})));
        let v = PathElement::parse(r#"v:"a""#).unwrap();
        assert!(v.names_item(0, &json!("a")) && !v.names_item(0, &json!("b")));
        assert!(
            PathElement::parse("i:2")
                .unwrap()
                .names_item(2, &json!(null))
        );
        assert_eq!(PathElement::parse("."), None);
        assert_eq!(PathElement::parse("k:{not json"), None);
    }
}
