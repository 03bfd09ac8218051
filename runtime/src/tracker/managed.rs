//! Field management (`metadata.managedFields`) as kube-apiserver computes it: the
//! field manager chain (strip of system metadata, reset fields of the status
//! subresource, `current-operation` merging, entry order, the scale handler) and
//! structured-merge-diff's update and apply (`merge/update.go`) over [`crate::apply::fieldset`].

use serde_json::{Value, json};

pub(crate) use crate::apply::fieldset::*;

/// System metadata the field manager never records (`stripMetaManager`).
fn strip(set: &mut Set) {
    set.retain(|p| {
        let s: Vec<&str> = p.iter().map(String::as_str).collect();
        !matches!(
            s.as_slice(),
            ["f:apiVersion"]
                | ["f:kind"]
                | ["f:metadata"]
                | [
                    "f:metadata",
                    "f:name"
                        | "f:namespace"
                        | "f:creationTimestamp"
                        | "f:selfLink"
                        | "f:uid"
                        | "f:clusterName"
                        | "f:generation"
                        | "f:managedFields"
                        | "f:resourceVersion"
                ]
        )
    });
}

/// One `managedFields` entry.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub manager: String,
    pub operation: String,
    pub api_version: String,
    pub time: Option<String>,
    pub subresource: Option<String>,
    pub set: Set,
}

impl Entry {
    /// The identity of an entry (`BuildManagerIdentifier`): time and fields excluded,
    /// apiVersion only for updates.
    fn same_manager(&self, o: &Entry) -> bool {
        self.manager == o.manager
            && self.operation == o.operation
            && self.subresource == o.subresource
            && (self.operation == "Apply" || self.api_version == o.api_version)
    }

    /// How conflict messages name the manager (`printManager`).
    fn printed(&self) -> String {
        let mut s = format!("{:?}", self.manager);
        if let Some(sub) = &self.subresource {
            s.push_str(&format!(" with subresource {sub:?}"));
        }
        if self.operation == "Update" {
            s.push_str(&format!(" using {}", self.api_version));
        }
        s
    }
}

/// The entries of an object's `metadata.managedFields`.
pub(crate) fn entries(obj: &Value) -> Vec<Entry> {
    let s = |e: &Value, k: &str| e.get(k).and_then(Value::as_str).map(str::to_owned);
    obj.pointer("/metadata/managedFields")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|e| Entry {
            manager: s(e, "manager").unwrap_or_default(),
            operation: s(e, "operation").unwrap_or_default(),
            api_version: s(e, "apiVersion").unwrap_or_default(),
            time: s(e, "time"),
            subresource: s(e, "subresource").filter(|x| !x.is_empty()),
            set: e.get("fieldsV1").map(decode).unwrap_or_default(),
        })
        .collect()
}

/// Writes the entries as kube-apiserver orders them (operation, time in seconds,
/// manager, apiVersion, subresource); no `managedFields` when there are none.
pub(crate) fn set_entries(obj: &mut Value, mut list: Vec<Entry>) {
    let Some(m) = obj.get_mut("metadata").and_then(Value::as_object_mut) else {
        return;
    };
    if list.is_empty() {
        m.remove("managedFields");
        return;
    }
    list.sort_by(|a, b| {
        (
            &a.operation,
            a.time.as_deref().unwrap_or(""),
            &a.manager,
            &a.api_version,
            &a.subresource,
        )
            .cmp(&(
                &b.operation,
                b.time.as_deref().unwrap_or(""),
                &b.manager,
                &b.api_version,
                &b.subresource,
            ))
    });
    let out: Vec<Value> = list
        .iter()
        .map(|e| {
            let mut v = json!({
                "manager": e.manager, "operation": e.operation, "apiVersion": e.api_version,
                "fieldsType": "FieldsV1", "fieldsV1": encode(&e.set),
            });
            if let Some(t) = &e.time {
                v["time"] = json!(t);
            }
            if let Some(s) = &e.subresource {
                v["subresource"] = json!(s);
            }
            v
        })
        .collect();
    m.insert("managedFields".into(), Value::Array(out));
}

fn without_managed(obj: &Value) -> Value {
    let mut o = obj.clone();
    if let Some(m) = o.get_mut("metadata").and_then(Value::as_object_mut) {
        m.remove("managedFields");
    }
    o
}

/// What a write is, for the field manager.
pub(crate) struct Op<'a> {
    /// The version's `openAPIV3Schema`.
    pub schema: Option<&'a Value>,
    /// `group/version` the request used.
    pub api_version: String,
    pub manager: String,
    /// `status` or `scale` (`None` for the main resource).
    pub subresource: Option<&'static str>,
    /// Fields this endpoint resets (`status` on the main resource of a kind with a
    /// status subresource, `spec` on `/status`): never recorded for this write.
    pub reset: Set,
    pub now: String,
    /// The schema of each version of the kind (by `group/version`): entries recorded at
    /// another version see the object converted to theirs.
    pub versions: Vec<(String, Option<&'a Value>)>,
}

/// Other managers lose the fields this write changed (`Updater.update` with force).
fn take_from_others(list: &mut Vec<Entry>, me: &Entry, cmp: &Comparison) {
    for e in list.iter_mut() {
        if e.same_manager(me) {
            continue;
        }
        e.set.retain(|p| {
            !(cmp.modified.contains(p) || cmp.added.contains(p) || cmp.removed.contains(p))
        });
    }
    list.retain(|e| !e.set.is_empty());
}

/// An update, patch or create (`live` is `None` for a create): records the fields
/// this write changed under its manager in `new`'s `managedFields`.
pub(crate) fn record_update(live: Option<&Value>, new: &mut Value, op: &Op<'_>) {
    let supplied = entries(new);
    let mut list = if !supplied.is_empty() && op.subresource.is_none() {
        supplied
    } else {
        live.map(entries).unwrap_or_default()
    };
    // Entries of another version compare the objects converted to it; when the new
    // object has fields that version's schema does not declare, the conversion fails
    // and kube-apiserver drops managedFields altogether (FieldManager.UpdateNoErrors).
    let unconvertible = list.iter().any(|e| {
        e.api_version != op.api_version
            && op
                .versions
                .iter()
                .find(|(av, _)| *av == e.api_version)
                .and_then(|(_, s)| *s)
                .is_some_and(|s| !crate::schema::prune(&mut without_managed(new), s).is_empty())
    });
    if unconvertible {
        if let Some(m) = new.get_mut("metadata").and_then(Value::as_object_mut) {
            m.remove("managedFields");
        }
        return;
    }
    if list.is_empty()
        && live.is_some()
        && new
            .pointer("/metadata/managedFields")
            .is_none_or(|m| m.as_array().is_some_and(Vec::is_empty))
    {
        // An object without managed fields stays without them on update
        // (skipNonAppliedManager).
        if let Some(m) = new.get_mut("metadata").and_then(Value::as_object_mut) {
            m.remove("managedFields");
        }
        return;
    }
    let lhs = live.map(without_managed).unwrap_or_else(|| json!({}));
    let rhs = without_managed(new);
    let mut cmp = compare(&lhs, &rhs, op.schema);
    cmp.filter(&op.reset);
    let me = Entry {
        manager: op.manager.clone(),
        operation: "Update".into(),
        api_version: op.api_version.clone(),
        time: Some(op.now.clone()),
        subresource: op.subresource.map(str::to_owned),
        set: Set::new(),
    };
    // The write runs as "current-operation": every existing entry, this manager's
    // included, loses the changed and removed fields.
    let mut taken = Set::new();
    taken.extend(cmp.modified.iter().cloned());
    taken.extend(cmp.added.iter().cloned());
    for e in list.iter_mut() {
        e.set
            .retain(|p| !(taken.contains(p) || cmp.removed.contains(p)));
    }
    list.retain(|e| !e.set.is_empty());
    strip(&mut taken);
    if !taken.is_empty() {
        match list.iter_mut().find(|e| e.same_manager(&me)) {
            Some(e) => {
                e.set.extend(taken);
                e.time = Some(op.now.clone());
            }
            None => list.push(Entry { set: taken, ..me }),
        }
    }
    set_entries(new, list);
}

/// A write through `/scale`: the server tracks the Scale's `spec.replicas` (omitted
/// when 0) under a `scale` entry without a time and maps it onto the replicas path of
/// the object (`ScaleHandler`).
pub(crate) fn record_scale(
    live: &Value,
    new: &mut Value,
    op: &Op<'_>,
    replicas_path: &str,
    old_replicas: i64,
    new_replicas: i64,
) {
    let path: Path = replicas_path
        .trim_start_matches('.')
        .split('.')
        .map(|s| format!("f:{s}"))
        .collect();
    let mut list = entries(live);
    // The Scale carries only the entries that own the replicas; a Scale without
    // managed fields is not tracked (skipNonAppliedManager), so nothing changes.
    if !list.iter().any(|e| e.set.contains(&path)) {
        return;
    }
    let me = Entry {
        manager: op.manager.clone(),
        operation: "Update".into(),
        api_version: op.api_version.clone(),
        time: None,
        subresource: Some("scale".into()),
        set: Set::new(),
    };
    let (had, has) = (old_replicas != 0, new_replicas != 0);
    if has && (!had || old_replicas != new_replicas) {
        for e in list.iter_mut() {
            e.set.remove(&path);
        }
        list.retain(|e| !e.set.is_empty() || e.same_manager(&me));
        match list.iter_mut().find(|e| e.same_manager(&me)) {
            Some(e) => {
                e.set.insert(path);
            }
            None => list.push(Entry {
                set: [path].into_iter().collect(),
                ..me
            }),
        }
    } else if had && !has {
        for e in list.iter_mut() {
            e.set.remove(&path);
        }
        list.retain(|e| !e.set.is_empty());
    }
    set_entries(new, list);
}

/// An apply conflict: (manager as printed, path).
pub(crate) type Conflicts = Vec<(String, Path)>;

/// Server-side apply of `config` onto `live` (`None`: the object does not exist yet).
/// Returns the new object with its `managedFields`; `Err` with the conflicts when other
/// managers own fields this apply changes and `force` is not set.
pub(crate) fn apply(
    live: Option<&Value>,
    config: &Value,
    op: &Op<'_>,
    force: bool,
) -> Result<Value, Conflicts> {
    let mut list = live.map(entries).unwrap_or_default();
    let lhs = live.map(without_managed).unwrap_or_else(|| json!({}));
    let me = Entry {
        manager: op.manager.clone(),
        operation: "Apply".into(),
        api_version: op.api_version.clone(),
        time: None,
        subresource: op.subresource.map(str::to_owned),
        set: Set::new(),
    };
    let mut set = to_field_set(config, op.schema);
    set.retain(|p| !op.reset.iter().any(|e| p.starts_with(e)));
    let last: Set = list
        .iter()
        .find(|e| e.same_manager(&me))
        .map(|e| e.set.clone())
        .unwrap_or_default();
    let mut merged = lhs.clone();
    merge(&mut merged, config, Ty::root(op.schema), true);
    // Prune what this manager applied before and no longer applies (`Updater.prune`):
    // the nodes of its last set, with their named-field parents, that are in the object
    // and that no manager (this apply included) owns, also as a named-field parent.
    let mut managed: Set = list
        .iter()
        .filter(|e| !e.same_manager(&me))
        .flat_map(|e| e.set.iter().cloned())
        .collect();
    managed.extend(set.iter().cloned());
    let managed = ensure_named(&managed, op.schema);
    let in_merged = ensure_named(&to_field_set(&merged, op.schema), op.schema);
    let mut gone: Vec<Path> = ensure_named(&last, op.schema)
        .into_iter()
        .filter(|p| in_merged.contains(p) && !managed.contains(p))
        .collect();
    gone.sort_by_key(Vec::len);
    for p in &gone {
        remove_path(&mut merged, p, Ty::root(op.schema));
    }
    let mut cmp = compare(&lhs, &merged, op.schema);
    cmp.filter(&op.reset);
    let mut conflicts = Conflicts::new();
    for e in &list {
        if e.same_manager(&me) {
            continue;
        }
        for p in e
            .set
            .iter()
            .filter(|p| cmp.modified.contains(*p) || cmp.added.contains(*p))
        {
            conflicts.push((e.printed(), p.clone()));
        }
    }
    if !conflicts.is_empty() && !force {
        return Err(conflicts);
    }
    take_from_others(&mut list, &me, &cmp);
    let noop = lhs == merged;
    let previous_time = list
        .iter()
        .find(|e| e.same_manager(&me))
        .and_then(|e| e.time.clone());
    list.retain(|e| !e.same_manager(&me));
    strip(&mut set);
    if !set.is_empty() {
        let time = if noop {
            previous_time
        } else {
            Some(op.now.clone())
        };
        list.push(Entry { set, time, ..me });
    }
    if merged.get("metadata").is_none() {
        merged["metadata"] = json!({});
    }
    set_entries(&mut merged, list);
    Ok(merged)
}

/// Merge an applied configuration into an object: maps recursively (atomic maps
/// replaced), list-maps by key, sets by value, other lists replaced.
fn merge(live: &mut Value, cfg: &Value, ty: Ty<'_>, root: bool) {
    match (live, cfg) {
        (Value::Object(l), Value::Object(c)) if root || !ty.atomic_map() => {
            for (k, cv) in c {
                let (cty, _) = ty.child(k);
                match l.get_mut(k) {
                    Some(lv) if !cv.is_null() => merge(lv, cv, cty, false),
                    _ => {
                        l.insert(k.clone(), cv.clone());
                    }
                }
            }
        }
        (l @ Value::Array(_), Value::Array(c)) => {
            let kind = ty.list();
            if matches!(kind, ListKind::Atomic) {
                *l = Value::Array(c.clone());
                return;
            }
            let la = l.as_array_mut().expect("matched an array");
            for ci in c {
                let pe = item_pe(&kind, ci);
                match la
                    .iter_mut()
                    .find(|li| pe.is_some() && item_pe(&kind, li) == pe)
                {
                    Some(li) => merge(li, ci, ty.items(), false),
                    None => la.push(ci.clone()),
                }
            }
        }
        (l, c) => *l = c.clone(),
    }
}

/// Remove the node at `p` and what is below it (`RemoveItems`).
fn remove_path(v: &mut Value, p: &[String], ty: Ty<'_>) {
    let Some((first, rest)) = p.split_first() else {
        return;
    };
    if let Some(f) = first.strip_prefix("f:") {
        let Some(m) = v.as_object_mut() else { return };
        if rest.is_empty() {
            m.remove(f);
        } else if let Some(c) = m.get_mut(f) {
            remove_path(c, rest, ty.child(f).0);
        }
    } else if let Some(a) = v.as_array_mut() {
        let kind = ty.list();
        let Some(i) = a
            .iter()
            .position(|x| item_pe(&kind, x).as_deref() == Some(first.as_str()))
        else {
            return;
        };
        if rest.is_empty() {
            a.remove(i);
        } else {
            remove_path(&mut a[i], rest, ty.items());
        }
    }
}

/// The reset fields of a write: `status` on the main resource when the status
/// subresource is enabled, everything but `status` (`spec`) on `/status`.
pub(crate) fn reset_fields(has_status: bool, subresource: Option<&str>) -> Set {
    match subresource {
        Some("status") => [vec!["f:spec".to_owned()]].into_iter().collect(),
        None if has_status => [vec!["f:status".to_owned()]].into_iter().collect(),
        _ => Set::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_v1_round_trip() {
        let v = json!({"f:metadata": {"f:labels": {".": {}, "f:app": {}}},
            "f:spec": {".": {}, "f:ports": {".": {}, "k:{\"name\":\"a\"}": {".": {}, "f:name": {}}},
            "f:tags": {"v:\"a\"": {}}}});
        assert_eq!(encode(&decode(&v)), v);
    }

    #[test]
    fn create_owns_every_field_but_system_metadata() {
        let schema = json!({"type": "object", "properties": {"spec": {"type": "object", "properties": {
            "tags": {"type": "array", "x-kubernetes-list-type": "set", "items": {"type": "string"}},
            "owner": {"type": "object", "x-kubernetes-map-type": "atomic"}}}}});
        let mut new = json!({"apiVersion": "g/v1", "kind": "W", "metadata": {"name": "a", "labels": {"x": "1"}},
            "spec": {"tags": ["a"], "owner": {"name": "me"}}});
        let op = Op {
            schema: Some(&schema),
            api_version: "g/v1".into(),
            manager: "unknown".into(),
            subresource: None,
            reset: Set::new(),
            now: "t".into(),
            versions: Vec::new(),
        };
        record_update(None, &mut new, &op);
        assert_eq!(
            new["metadata"]["managedFields"][0]["fieldsV1"],
            json!({"f:metadata": {"f:labels": {".": {}, "f:x": {}}},
                "f:spec": {".": {}, "f:owner": {}, "f:tags": {".": {}, "v:\"a\"": {}}}})
        );
        let applied = to_field_set(
            &json!({"spec": {"tags": ["a"], "owner": {"name": "me"}}}),
            Some(&schema),
        );
        assert_eq!(
            encode(&applied),
            json!({"f:spec": {"f:owner": {}, "f:tags": {"v:\"a\"": {}}}})
        );
        assert_eq!(
            path_string(&vec!["f:spec".into(), "k:{\"name\":\"a\"}".into()]),
            ".spec[name=\"a\"]"
        );
    }
}
