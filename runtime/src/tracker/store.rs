//! Store internals: keys, version conversion, selectors, scale views, resourceVersions,
//! watch history, snapshots and list pages.

use super::*;

pub(crate) fn meta_str(obj: &Value, field: &str) -> Option<String> {
    obj.get("metadata")
        .and_then(|m| m.get(field))
        .and_then(Value::as_str)
        .map(str::to_owned)
}

pub(crate) fn obj_key(
    kind: &KindInfo,
    namespace: Option<&str>,
    name: &str,
) -> Result<ObjKey, StatusError> {
    if kind.namespaced {
        match namespace {
            Some(ns) if !ns.is_empty() => Ok((ns.to_owned(), name.to_owned())),
            _ => Err(StatusError::bad_request(
                "the server could not find the requested resource",
            )),
        }
    } else {
        Ok((String::new(), name.to_owned()))
    }
}

/// An object as read through `version` (conversion `None`): `apiVersion` rewritten
/// and, for a version other than the storage version, the fields its schema does not
/// know dropped (no defaulting: read-time defaults use the storage schema).
pub(crate) fn convert(kind: &KindInfo, mut obj: Value, version: &str) -> Value {
    let storage = kind.storage_version();
    if version != storage.name
        && let Some(s) = kind.served_version(version).and_then(|v| v.schema.as_ref())
    {
        schema::prune(&mut obj, s);
    }
    obj["apiVersion"] = json!(kind.api_version(version));
    obj
}

/// An object as stored: `apiVersion` of the storage version and, when written through
/// another version, the fields the storage schema does not know dropped.
pub(crate) fn to_storage(kind: &KindInfo, mut obj: Value, version: &str) -> Value {
    let storage = kind.storage_version();
    if version != storage.name
        && let Some(s) = &storage.schema
    {
        schema::prune(&mut obj, s);
    }
    obj["apiVersion"] = json!(kind.api_version(&storage.name));
    obj
}

pub(crate) fn parse_rv(rv: &str) -> Result<u64, StatusError> {
    rv.parse::<u64>()
        .map_err(|_| StatusError::bad_request(format!("invalid resource version: {rv:?}")))
}

pub(crate) fn parse_selectors(
    kind: &KindInfo,
    ver: &VersionInfo,
    label: Option<&str>,
    field: Option<&str>,
) -> Result<(Selector, FieldSelector), StatusError> {
    let label = match label {
        Some(l) if !l.trim().is_empty() => Selector::parse(l).map_err(|e| {
            // The server's label parser words the same errors its own way.
            let text = match &e {
                crate::selector::SelectorError::Syntax { message, .. } => message
                    .replace(
                        "expected: '=', '!=', '==', 'in', 'notin', '>' or '<'",
                        "expected: in, notin, =, ==, !=, gt, lt",
                    )
                    .replace(", expected: '('", " expected: '('"),
                other => other.to_string(),
            };
            StatusError::bad_request(format!("unable to parse requirement: {text}"))
        })?,
        _ => Selector::everything(),
    };
    let field = match field {
        Some(f) if !f.trim().is_empty() => {
            FieldSelector::parse(f).map_err(|_| {
                // `fields.ParseSelector`'s wording: the first term that is no comparison.
                let term = f.split(',').find(|t| !t.contains('=')).unwrap_or(f);
                StatusError::bad_request(format!(
                    "invalid selector: '{f}'; can't understand '{term}'"
                ))
            })?
        }
        _ => FieldSelector::everything(),
    };
    for t in field.requirements() {
        let known = t.field == "metadata.name"
            || (kind.namespaced && t.field == "metadata.namespace")
            || ver.selectable_fields.iter().any(|f| f == &t.field);
        if !known {
            return Err(StatusError::bad_request(format!(
                "field label not supported: {}",
                t.field
            )));
        }
    }
    Ok((label, field))
}

pub(crate) fn to_scale(obj: &Value, scale: &ScaleInfo) -> Value {
    let m = &obj["metadata"];
    let mut meta = Map::new();
    for k in [
        "name",
        "namespace",
        "uid",
        "resourceVersion",
        "creationTimestamp",
    ] {
        if let Some(v) = m.get(k) {
            meta.insert(k.to_owned(), v.clone());
        }
    }
    let spec = get_path(obj, &scale.spec_replicas_path)
        .and_then(Value::as_i64)
        .unwrap_or(0);
    let status = get_path(obj, &scale.status_replicas_path)
        .and_then(Value::as_i64)
        .unwrap_or(0);
    let mut st = json!({"replicas": status});
    if let Some(sel) = scale
        .label_selector_path
        .as_deref()
        .and_then(|p| get_path(obj, p))
        .and_then(Value::as_str)
    {
        st["selector"] = json!(sel);
    }
    // `ScaleSpec.replicas` is omitted when 0.
    let spec = if spec == 0 {
        json!({})
    } else {
        json!({ "replicas": spec })
    };
    json!({"kind": "Scale", "apiVersion": "autoscaling/v1", "metadata": meta, "spec": spec, "status": st})
}

pub(crate) fn path_segments(path: &str) -> Vec<&str> {
    path.trim_start_matches('.')
        .split('.')
        .filter(|s| !s.is_empty())
        .collect()
}

pub(crate) fn get_path<'a>(obj: &'a Value, path: &str) -> Option<&'a Value> {
    let mut v = obj;
    for s in path_segments(path) {
        v = v.get(s)?;
    }
    Some(v)
}

pub(crate) fn set_path(obj: &mut Value, path: &str, value: Value) {
    let segs = path_segments(path);
    let mut v = obj;
    for (i, s) in segs.iter().enumerate() {
        if !v.is_object() {
            *v = json!({});
        }
        let map = v.as_object_mut().expect("just made an object");
        if i + 1 == segs.len() {
            map.insert((*s).to_owned(), value);
            return;
        }
        v = map.entry((*s).to_owned()).or_insert_with(|| json!({}));
    }
}

/// The object without `metadata` and `apiVersion` (what generation tracks).
pub(crate) fn content(obj: &Value) -> Value {
    let mut c = obj.clone();
    if let Some(m) = c.as_object_mut() {
        m.remove("metadata");
        m.remove("apiVersion");
    }
    c
}

impl Store {
    pub(crate) fn next_rv(&mut self) -> u64 {
        self.rv += 1;
        self.rv
    }

    pub(crate) fn trim_history(&mut self) {
        while self.history.len() > self.history_limit {
            if let Some(ev) = self.history.pop_front() {
                self.compacted_rv = ev.rv;
            }
        }
    }

    pub(crate) fn emit(&mut self, ev: HistEvent) {
        self.watchers.retain(|w| match w.translate(&ev) {
            Some(we) => w.tx.send(we).is_ok(),
            None => !w.tx.is_closed(),
        });
        self.history.push_back(ev);
        self.trim_history();
    }

    pub(crate) fn record(
        &mut self,
        gvr: &Gvr,
        verb: &str,
        namespace: Option<&str>,
        name: Option<&str>,
        sub: Subresource,
        patch_type: Option<PatchType>,
    ) {
        self.actions.push(Action {
            verb: verb.to_owned(),
            gvr: gvr.clone(),
            namespace: namespace.map(str::to_owned),
            name: name.map(str::to_owned),
            subresource: sub.name().map(str::to_owned),
            patch_type,
        });
    }

    pub(crate) fn resolve(&self, gvr: &Gvr) -> Result<(Arc<KindInfo>, VersionInfo), StatusError> {
        let kind = self
            .kinds
            .get(&(gvr.group.clone(), gvr.resource.clone()))
            .cloned()
            .ok_or_else(StatusError::no_route)?;
        let ver = kind
            .served_version(&gvr.version)
            .cloned()
            .ok_or_else(StatusError::no_route)?;
        Ok((kind, ver))
    }

    pub(crate) fn current(&self, kind: &KindInfo, key: &ObjKey) -> Option<Value> {
        self.objects
            .get(&(kind.group.clone(), kind.plural.clone()))
            .and_then(|m| m.get(key))
            .cloned()
    }

    /// The objects of a kind as they were at `rv` (requires `rv >= compacted_rv`).
    pub(crate) fn snapshot(&self, kind: &KindInfo, rv: u64) -> BTreeMap<ObjKey, Value> {
        let kk = (kind.group.clone(), kind.plural.clone());
        let mut objs = self.objects.get(&kk).cloned().unwrap_or_default();
        for ev in self.history.iter().rev() {
            if ev.rv <= rv {
                break;
            }
            if ev.kind != kk {
                continue;
            }
            match (&ev.event_type, &ev.prev) {
                (EventType::Added, _) => {
                    objs.remove(&ev.key);
                }
                (_, Some(p)) => {
                    objs.insert(ev.key.clone(), p.clone());
                }
                _ => {}
            }
        }
        objs
    }

    #[allow(clippy::type_complexity)]
    pub(crate) fn list_page(
        &self,
        kind: &KindInfo,
        namespace: Option<&str>,
        label: &Selector,
        field: &FieldSelector,
        opts: &ListOptions,
    ) -> Result<(Vec<Value>, u64, Option<String>, Option<u64>), StatusError> {
        let mut start: Option<String> = None;
        let mut at = self.rv;
        if let Some(token) = opts.continue_token.as_deref().filter(|t| !t.is_empty()) {
            let invalid = |why: String| {
                StatusError::bad_request(format!(
                    "invalid continue token: continue key is not valid: {why}"
                ))
            };
            // Go's decoder ignores trailing bits.
            let lenient = base64::engine::GeneralPurpose::new(
                &base64::alphabet::URL_SAFE,
                base64::engine::GeneralPurposeConfig::new()
                    .with_decode_allow_trailing_bits(true)
                    .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
            );
            let bytes = lenient.decode(token).map_err(|e| {
                let at = match e {
                    base64::DecodeError::InvalidByte(i, _)
                    | base64::DecodeError::InvalidLastSymbol(i, _) => i,
                    _ => token.len(),
                };
                invalid(format!("illegal base64 data at input byte {at}"))
            })?;
            let decoded = serde_json::from_slice::<Value>(&bytes).map_err(|_| {
                let c = bytes
                    .iter()
                    .copied()
                    .find(|b| !b.is_ascii_whitespace())
                    .unwrap_or(b' ');
                invalid(format!(
                    "invalid character {} looking for beginning of value",
                    go_quote_char(c)
                ))
            })?;
            let rv = decoded.get("rv").and_then(Value::as_u64).unwrap_or(0);
            if rv < self.compacted_rv || rv == 0 {
                return Err(StatusError::expired(
                    "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.",
                ));
            }
            at = rv;
            start = decoded
                .get("start")
                .and_then(Value::as_str)
                .map(str::to_owned);
        } else if let Some(rvs) = opts
            .resource_version
            .as_deref()
            .filter(|r| !r.is_empty() && *r != "0")
        {
            let rv = parse_rv(rvs)?;
            if rv > self.rv {
                return Err(StatusError::new(
                    504,
                    "Timeout",
                    format!("Too large resource version: {rv}, current: {}", self.rv),
                    Some(
                        json!({"causes": [{"reason": "ResourceVersionTooLarge", "message": "Too large resource version"}], "retryAfterSeconds": 1}),
                    ),
                ));
            }
            if opts.resource_version_match.as_deref() == Some("Exact") {
                if rv < self.compacted_rv {
                    return Err(StatusError::expired(format!(
                        "too old resource version: {rv} ({})",
                        self.compacted_rv
                    )));
                }
                at = rv;
            }
        }
        let objs = if at == self.rv {
            self.objects
                .get(&(kind.group.clone(), kind.plural.clone()))
                .cloned()
                .unwrap_or_default()
        } else {
            self.snapshot(kind, at)
        };
        let key_str = |k: &ObjKey| {
            if kind.namespaced {
                format!("{}/{}", k.0, k.1)
            } else {
                k.1.clone()
            }
        };
        // Keys sort as etcd sorts them: `namespace/name` as one string.
        let mut sorted: Vec<(String, &Value)> = objs
            .iter()
            .filter(|(k, o)| {
                (!kind.namespaced || namespace.is_none_or(|ns| ns == k.0))
                    && matches_selectors(o, label, field)
            })
            .map(|(k, o)| (key_str(k), o))
            .filter(|(k, _)| start.as_deref().is_none_or(|s| k.as_str() > s))
            .collect();
        sorted.sort_by(|a, b| a.0.cmp(&b.0));
        // `resourceVersion=0` reads the watch cache, which does not page.
        let from_cache = opts.resource_version.as_deref() == Some("0");
        let limit = opts.limit.filter(|l| *l > 0 && !from_cache);
        let mut items = Vec::new();
        let mut last: Option<&str> = None;
        let total = sorted.len();
        for (k, o) in &sorted {
            if limit.is_some_and(|l| items.len() as u64 >= l) {
                // There is at least one more item.
                let rest = (total - items.len()) as u64;
                let l = last.unwrap_or_default();
                let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(
                    json!({"v": "meta.k8s.io/v1", "rv": at, "start": format!("{l}\u{0}")})
                        .to_string(),
                );
                let remaining = (label.is_everything() && field.is_everything()).then_some(rest);
                return Ok((items, at, Some(token), remaining));
            }
            items.push((*o).clone());
            last = Some(k.as_str());
        }
        Ok((items, at, None, None))
    }
}
