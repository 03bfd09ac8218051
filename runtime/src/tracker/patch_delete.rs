//! The scale, patch (merge, JSON, server-side apply) and delete verbs of the store.

use super::*;

impl Store {
    pub(crate) fn update_scale(
        &mut self,
        kind: &KindInfo,
        ver: &VersionInfo,
        namespace: Option<&str>,
        name: &str,
        scale_obj: Value,
        opts: &WriteOptions,
    ) -> Result<Reply, StatusError> {
        let scale = ver.scale.clone().ok_or_else(StatusError::no_route)?;
        let key = obj_key(kind, namespace, name)?;
        let cur = self
            .current(kind, &key)
            .ok_or_else(|| StatusError::not_found(kind, name))?;
        let mut obj = convert(kind, cur, &ver.name);
        if let Some(n) = meta_str(&scale_obj, "name").filter(|n| !n.is_empty() && n != name) {
            return Err(StatusError::bad_request(format!(
                "the name of the object ({n}) does not match the name on the URL ({name})"
            )));
        }
        let replicas = match scale_obj.pointer("/spec/replicas") {
            None | Some(Value::Null) => 0,
            Some(v) => v
                .as_i64()
                .ok_or_else(|| StatusError::bad_request("spec.replicas must be an integer"))?,
        };
        if let Some(rv) = meta_str(&scale_obj, "resourceVersion").filter(|r| !r.is_empty()) {
            obj["metadata"]["resourceVersion"] = json!(rv);
        }
        let old_replicas = get_path(&obj, &scale.spec_replicas_path)
            .and_then(Value::as_i64)
            .unwrap_or(0);
        let live = obj.clone();
        set_path(&mut obj, &scale.spec_replicas_path, json!(replicas));
        // The replicas are validated with the object (schema and scale checks).
        managed::record_scale(
            &live,
            &mut obj,
            &field_op(kind, ver, Subresource::Scale, opts),
            &scale.spec_replicas_path,
            old_replicas,
            replicas,
        );
        let reply = self.update(
            kind,
            ver,
            namespace,
            name,
            obj,
            Subresource::Scale,
            opts,
            false,
            true,
        )?;
        Ok(Reply {
            object: to_scale(&reply.object, &scale),
            ..reply
        })
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) fn patch(
        &mut self,
        kind: &KindInfo,
        ver: &VersionInfo,
        namespace: Option<&str>,
        name: &str,
        patch_type: PatchType,
        body: &[u8],
        sub: Subresource,
        opts: &WriteOptions,
    ) -> Result<Reply, StatusError> {
        if patch_type == PatchType::StrategicMerge {
            return Err(StatusError::new(
                415,
                "UnsupportedMediaType",
                "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml",
                None,
            ));
        }
        if sub == Subresource::Scale && ver.scale.is_none() {
            return Err(StatusError::not_found(kind, name));
        }
        if let Some(m) = opts.field_manager.as_deref().filter(|m| m.len() > 128) {
            let _ = m;
            return Err(options_invalid(
                "PatchOptions",
                &[schema::FieldError {
                    kind: schema::ErrorType::TooLong,
                    field: "fieldManager".into(),
                    value: None,
                    detail: "may not be more than 128 bytes".into(),
                }],
            ));
        }
        if patch_type == PatchType::Apply {
            return self.apply(kind, ver, namespace, name, body, sub, opts);
        }
        if opts.force {
            return Err(options_invalid(
                "PatchOptions",
                &[schema::FieldError::forbidden(
                    "force",
                    "may not be specified for non-apply patch",
                )],
            ));
        }
        let key = obj_key(kind, namespace, name)?;
        let cur = self
            .current(kind, &key)
            .ok_or_else(|| StatusError::not_found(kind, name))?;
        let cur = convert(kind, cur, &ver.name);
        let target = match sub {
            Subresource::Scale => {
                // Patches apply to the Scale with its replicas even when 0 (JSON
                // patches may `replace` them).
                let sc = ver.scale.as_ref().expect("checked above");
                let mut t = to_scale(&cur, sc);
                let r = get_path(&cur, &sc.spec_replicas_path)
                    .and_then(Value::as_i64)
                    .unwrap_or(0);
                t["spec"]["replicas"] = json!(r);
                t
            }
            _ => cur.clone(),
        };
        let patched = apply_patch(patch_type, &target, body)?;
        if opts.field_validation == FieldValidation::Strict && sub != Subresource::Scale {
            let unknown = self.unknown_fields(kind, ver, &mut patched.clone());
            if !unknown.is_empty() {
                let list: Vec<String> = unknown
                    .iter()
                    .map(|u| format!("unknown field {u:?}"))
                    .collect();
                let err = schema::FieldError::invalid(
                    "patch",
                    Value::String(patched.to_string()),
                    format!("strict decoding error: {}", list.join(", ")),
                );
                let body = err.body();
                return Err(StatusError::new(
                    422,
                    "Invalid",
                    format!(" \"\" is invalid: {err}"),
                    Some(
                        json!({"causes": [{"reason": "FieldValueInvalid", "message": body, "field": "patch"}]}),
                    ),
                ));
            }
        }
        let mut patched = patched;
        if !patched.get("metadata").is_some_and(Value::is_object) {
            patched["metadata"] = json!({});
        }
        if meta_str(&patched, "resourceVersion").is_none_or(|r| r.is_empty()) {
            patched["metadata"]["resourceVersion"] = cur["metadata"]["resourceVersion"].clone();
        }
        match sub {
            Subresource::Scale => self.update_scale(kind, ver, namespace, name, patched, opts),
            _ => self.update(kind, ver, namespace, name, patched, sub, opts, false, false),
        }
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) fn apply(
        &mut self,
        kind: &KindInfo,
        ver: &VersionInfo,
        namespace: Option<&str>,
        name: &str,
        body: &[u8],
        sub: Subresource,
        opts: &WriteOptions,
    ) -> Result<Reply, StatusError> {
        let manager = opts
            .field_manager
            .clone()
            .filter(|m| !m.is_empty())
            .ok_or_else(|| {
                options_invalid(
                    "PatchOptions",
                    &[schema::FieldError::required(
                        "fieldManager",
                        "is required for apply patch",
                    )],
                )
            })?;
        let text = std::str::from_utf8(body)
            .map_err(|_| StatusError::bad_request("the body is not UTF-8"))?;
        let mut config: Value = match serde_json::from_str(text) {
            Ok(v) => v,
            Err(_) => decode_yaml(text)
                .map_err(|e| StatusError::bad_request(format!("error decoding YAML: {e}")))?,
        };
        let k = config.get("kind").and_then(Value::as_str).unwrap_or("");
        let av = config
            .get("apiVersion")
            .and_then(Value::as_str)
            .unwrap_or("");
        if k.is_empty() || av.is_empty() {
            let gv = if av.contains('/') {
                av.to_owned()
            } else {
                format!("/{av}")
            };
            return Err(StatusError::bad_request(format!(
                "invalid object type: {gv}, Kind={k}"
            )));
        }
        if sub == Subresource::Scale {
            return Err(StatusError::bad_request(
                "apply is not supported on the scale subresource",
            ));
        }
        Self::check_body_kind(kind, ver, &config)?;
        if config
            .pointer("/metadata/managedFields")
            .is_some_and(|m| !m.is_null())
        {
            return Err(StatusError::bad_request(
                "metadata.managedFields must be nil",
            ));
        }
        // Fields outside the schema cannot be typed: the server fails with a 500.
        if let Some(schema) = &ver.schema {
            let mut probe = config.clone();
            if let Some(first) = schema::prune(&mut probe, schema).first() {
                return Err(StatusError::new(
                    500,
                    "",
                    format!(
                        "failed to create typed patch object (/{name}; {}, Kind={}): .{first}: field not declared in schema",
                        kind.api_version(&ver.name),
                        kind.kind
                    ),
                    None,
                ));
            }
        }
        if !config.get("metadata").is_some_and(Value::is_object) {
            config["metadata"] = json!({});
        }
        match meta_str(&config, "name").filter(|n| !n.is_empty()) {
            Some(n) if n != name => {
                return Err(StatusError::bad_request(format!(
                    "the name of the object ({n}) does not match the name on the URL ({name})"
                )));
            }
            _ => config["metadata"]["name"] = json!(name),
        }
        let key = obj_key(kind, namespace, name)?;
        let live = self
            .current(kind, &key)
            .map(|c| convert(kind, c, &ver.name));
        if live.is_none() && sub != Subresource::None {
            return Err(StatusError::not_found(kind, name));
        }
        let mut op = field_op(kind, ver, sub, opts);
        op.manager = manager;
        let mut merged = match managed::apply(live.as_ref(), &config, &op, opts.force) {
            Ok(m) => m,
            Err(conflicts) => return Err(apply_conflict(&conflicts)),
        };
        let Some(cur) = live else {
            if let Some(m) = merged["metadata"].as_object_mut() {
                m.remove("resourceVersion");
            }
            return self.create(kind, ver, namespace, merged, opts, true);
        };
        if meta_str(&config, "resourceVersion").is_none_or(|r| r.is_empty()) {
            merged["metadata"]["resourceVersion"] = cur["metadata"]["resourceVersion"].clone();
        }
        self.update(kind, ver, namespace, name, merged, sub, opts, false, true)
    }

    pub(crate) fn delete(
        &mut self,
        kind: &KindInfo,
        ver: &VersionInfo,
        namespace: Option<&str>,
        name: &str,
        opts: &DeleteOptions,
    ) -> Result<Reply, StatusError> {
        let key = obj_key(kind, namespace, name)?;
        let cur = self
            .current(kind, &key)
            .ok_or_else(|| StatusError::not_found(kind, name))?;
        let uid = meta_str(&cur, "uid").unwrap_or_default();
        let rv = meta_str(&cur, "resourceVersion").unwrap_or_default();
        if let Some(p) = opts.precondition_uid.as_deref().filter(|p| !p.is_empty())
            && p != uid
        {
            return Err(StatusError::conflict(
                kind,
                name,
                &format!(
                    "Precondition failed: UID in precondition: {p}, UID in object meta: {uid}"
                ),
            ));
        }
        if let Some(p) = opts
            .precondition_resource_version
            .as_deref()
            .filter(|p| !p.is_empty())
            && p != rv
        {
            return Err(StatusError::conflict(
                kind,
                name,
                &format!(
                    "Precondition failed: ResourceVersion in precondition: {p}, ResourceVersion in object meta: {rv}"
                ),
            ));
        }
        let kk = (kind.group.clone(), kind.plural.clone());
        // The garbage collector's finalizer for the propagation policy (no garbage
        // collector runs to remove it, as on a server without kube-controller-manager).
        let gc_finalizer = match (opts.propagation_policy.as_deref(), opts.orphan_dependents) {
            (Some("Foreground"), _) => Some("foregroundDeletion"),
            (Some("Orphan"), _) | (None, Some(true)) => Some("orphan"),
            _ => None,
        };
        let mut fins = finalizers(&cur);
        let adds_gc = gc_finalizer.is_some_and(|f| !fins.iter().any(|x| x == f));
        if let Some(f) = gc_finalizer.filter(|_| adds_gc) {
            fins.push(f.to_owned());
        }
        if !fins.is_empty() {
            let deleting = cur["metadata"].get("deletionTimestamp").is_some();
            if deleting && !adds_gc {
                return Ok(Reply {
                    object: convert(kind, cur, &ver.name),
                    created: false,
                    warnings: vec![],
                });
            }
            let mut new = cur.clone();
            new["metadata"]["finalizers"] = json!(fins);
            if !deleting {
                new["metadata"]["deletionTimestamp"] = json!(now_rfc3339());
                new["metadata"]["deletionGracePeriodSeconds"] = json!(0);
                let g = cur["metadata"]
                    .get("generation")
                    .and_then(Value::as_i64)
                    .unwrap_or(0);
                if g > 0 {
                    new["metadata"]["generation"] = json!(g + 1);
                }
            }
            if opts.dry_run {
                return Ok(Reply {
                    object: convert(kind, new, &ver.name),
                    created: false,
                    warnings: vec![],
                });
            }
            let rv = self.next_rv();
            new["metadata"]["resourceVersion"] = json!(rv.to_string());
            self.objects
                .entry(kk.clone())
                .or_default()
                .insert(key.clone(), new.clone());
            self.emit(HistEvent {
                rv,
                kind: kk,
                key,
                event_type: EventType::Modified,
                object: new.clone(),
                prev: Some(cur),
            });
            return Ok(Reply {
                object: convert(kind, new, &ver.name),
                created: false,
                warnings: vec![],
            });
        }
        let status = json!({
            "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success",
            "details": {"name": name, "group": kind.group, "kind": kind.plural, "uid": uid},
        });
        if opts.dry_run {
            return Ok(Reply {
                object: status,
                created: false,
                warnings: vec![],
            });
        }
        let rv = self.next_rv();
        let mut last = cur.clone();
        last["metadata"]["resourceVersion"] = json!(rv.to_string());
        if let Some(m) = self.objects.get_mut(&kk) {
            m.remove(&key);
        }
        self.emit(HistEvent {
            rv,
            kind: kk,
            key,
            event_type: EventType::Deleted,
            object: last,
            prev: Some(cur),
        });
        Ok(Reply {
            object: status,
            created: false,
            warnings: vec![],
        })
    }
}

pub(crate) fn finalizers(obj: &Value) -> Vec<String> {
    obj.pointer("/metadata/finalizers")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}
