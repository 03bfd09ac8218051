//! Admission (pruning, defaulting, metadata and schema validation) and the create and
//! update verbs of the store, with the main-resource and status strategies.

use super::*;

impl Store {
    /// Decode a request body as kube-apiserver's decoder does, on the whole body before
    /// any strategy drops or restores parts of it: the embedded resources' types, then
    /// pruning. Returns the pruned (unknown) fields' paths, which [`Store::admit`]
    /// reports (strict error or warnings) even when the strategy then drops the part
    /// they were in (`status` on the main resource, `spec` on `/status`).
    pub(crate) fn decode(
        &self,
        kind: &KindInfo,
        ver: &VersionInfo,
        obj: &mut Value,
    ) -> Result<Vec<String>, StatusError> {
        let compiled = self.compiled(kind, ver);
        let checks = Self::checks(kind, ver, &compiled);
        if let Some(why) = schema::pipeline::embedded_types(obj, &checks) {
            return Err(StatusError::bad_request(format!(
                "{k} in version {v:?} cannot be handled as a {k}: {why}",
                k = kind.kind,
                v = ver.name
            )));
        }
        Ok(schema::pipeline::prune_object(obj, &checks))
    }

    /// What a version of a kind compiled to when it was registered (every walk and no
    /// rule for a version registered without it).
    fn compiled(
        &self,
        kind: &KindInfo,
        ver: &VersionInfo,
    ) -> Arc<schema::pipeline::CompiledVersion> {
        self.compiled
            .get(&((kind.group.clone(), kind.plural.clone()), ver.name.clone()))
            .cloned()
            .unwrap_or_default()
    }

    /// The pipeline's view of a version.
    fn checks<'a>(
        kind: &'a KindInfo,
        ver: &'a VersionInfo,
        compiled: &'a schema::pipeline::CompiledVersion,
    ) -> schema::pipeline::Checks<'a> {
        schema::pipeline::Checks {
            kind: &kind.kind,
            schema: ver.schema.as_ref(),
            scale: ver.scale.as_ref(),
            compiled,
        }
    }

    /// Report the `unknown` fields [`Store::decode`] pruned and any left in `obj` (per
    /// the field validation directive), then default, coerce metadata and validate an
    /// object at a version.
    #[allow(clippy::too_many_arguments)] // the write's parts, as the strategy sees them
    pub(crate) fn admit(
        &self,
        kind: &KindInfo,
        ver: &VersionInfo,
        obj: &mut Value,
        old: Option<&Value>,
        opts: &WriteOptions,
        warnings: &mut Vec<String>,
        mut unknown: Vec<String>,
    ) -> Result<(), StatusError> {
        let name = meta_str(obj, "name").unwrap_or_default();
        // What the strategy took from the stored object (read through the request's
        // version) is pruned too; nothing is left to prune of the decoded body.
        let compiled = self.compiled(kind, ver);
        let checks = Self::checks(kind, ver, &compiled);
        unknown.extend(schema::pipeline::prune_object(obj, &checks));
        schema::pipeline::default_object(obj, &checks);
        schema::pipeline::coerce_metadata(obj);
        let problems: Vec<String> = opts
            .duplicate_fields
            .iter()
            .map(|d| format!("duplicate field {d:?}"))
            .chain(unknown.iter().map(|u| format!("unknown field {u:?}")))
            .collect();
        if !problems.is_empty() {
            match opts.field_validation {
                FieldValidation::Ignore => {}
                FieldValidation::Warn => warnings.extend(problems),
                FieldValidation::Strict => {
                    return Err(StatusError::bad_request(format!(
                        "{k} in version {v:?} cannot be handled as a {k}: strict decoding error: {}",
                        problems.join(", "),
                        k = kind.kind,
                        v = ver.name,
                    )));
                }
            }
        }
        // The custom resource strategy's validation, as the client-side Validator
        // runs it.
        let errs = schema::pipeline::validate_object(&checks, obj, old, warnings);
        if !errs.is_empty() {
            // The Status names the kind the body named.
            let named = KindInfo {
                kind: obj
                    .get("kind")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned(),
                ..kind.clone()
            };
            return Err(StatusError::invalid(&named, &name, &errs).with_warnings(warnings.clone()));
        }
        if ver.deprecated {
            warnings.push(
                ver.deprecation_warning
                    .clone()
                    .unwrap_or_else(|| format!("{} is deprecated", kind.api_version(&ver.name))),
            );
        }
        Ok(())
    }

    /// Drop the fields the schema (and ObjectMeta) do not know; their paths.
    pub(crate) fn unknown_fields(
        &self,
        kind: &KindInfo,
        ver: &VersionInfo,
        obj: &mut Value,
    ) -> Vec<String> {
        let compiled = self.compiled(kind, ver);
        schema::pipeline::prune_object(obj, &Self::checks(kind, ver, &compiled))
    }

    pub(crate) fn check_body_kind(
        kind: &KindInfo,
        ver: &VersionInfo,
        obj: &Value,
    ) -> Result<(), StatusError> {
        if !obj.is_object() {
            return Err(StatusError::bad_request(
                "the body of the request must be a JSON object",
            ));
        }
        let k = obj.get("kind").and_then(Value::as_str).unwrap_or("");
        let av = obj.get("apiVersion").and_then(Value::as_str).unwrap_or("");
        if k.is_empty() {
            return Err(StatusError::bad_request(format!(
                "Object 'Kind' is missing in '{obj}'"
            )));
        }
        let want = kind.api_version(&ver.name);
        if av != want {
            return Err(StatusError::bad_request(format!(
                "the API version in the data ({av}) does not match the expected API version ({want})"
            )));
        }
        // A kind other than the resource's is refused after decoding, by the
        // strategy's validation (`admit`).
        Ok(())
    }

    pub(crate) fn create(
        &mut self,
        kind: &KindInfo,
        ver: &VersionInfo,
        namespace: Option<&str>,
        mut obj: Value,
        opts: &WriteOptions,
        fields_recorded: bool,
    ) -> Result<Reply, StatusError> {
        Self::check_body_kind(kind, ver, &obj)?;
        obj["apiVersion"] = json!(kind.api_version(&ver.name));
        if !obj.get("metadata").is_some_and(Value::is_object) {
            obj["metadata"] = json!({});
        }
        // Namespace.
        let body_ns = meta_str(&obj, "namespace").filter(|s| !s.is_empty());
        let ns = if kind.namespaced {
            let ns = match (namespace.filter(|s| !s.is_empty()), body_ns) {
                (Some(r), Some(b)) if r != b => {
                    return Err(StatusError::bad_request(
                        "the namespace of the provided object does not match the namespace sent on the request",
                    ));
                }
                (Some(r), _) => r.to_owned(),
                (None, Some(b)) => b,
                (None, None) => {
                    return Err(StatusError::bad_request(
                        "the server could not find the requested resource",
                    ));
                }
            };
            obj["metadata"]["namespace"] = json!(ns);
            ns
        } else {
            if let Some(m) = obj["metadata"].as_object_mut() {
                m.remove("namespace");
            }
            String::new()
        };
        // etcd3's `Create` refuses a resourceVersion after admission; the dry-run
        // storage does not check it (`DryRunnableStorage.Create`).
        let rv_set = meta_str(&obj, "resourceVersion").is_some_and(|r| !r.is_empty());
        // Name.
        let mut name = meta_str(&obj, "name").unwrap_or_default();
        if name.is_empty()
            && let Some(g) = meta_str(&obj, "generateName").filter(|g| !g.is_empty())
        {
            name = format!("{}{}", truncate_prefix(&g), random_suffix());
            obj["metadata"]["name"] = json!(name);
        }
        // System fields.
        let m = obj["metadata"]
            .as_object_mut()
            .expect("metadata is an object");
        m.insert("uid".into(), json!(new_uid()));
        m.insert("creationTimestamp".into(), json!(now_rfc3339()));
        m.insert("generation".into(), json!(1));
        m.remove("deletionTimestamp");
        m.remove("deletionGracePeriodSeconds");
        m.remove("selfLink");
        let mut warnings = Vec::new();
        // Decoding prunes (and names the unknown fields of) the whole body; the
        // strategy then drops the status the main resource may not set.
        let unknown = self.decode(kind, ver, &mut obj)?;
        if ver.status
            && let Some(o) = obj.as_object_mut()
        {
            o.remove("status");
        }
        self.admit(kind, ver, &mut obj, None, opts, &mut warnings, unknown)?;
        if !fields_recorded {
            managed::record_update(
                None,
                &mut obj,
                &field_op(kind, ver, Subresource::None, opts),
            );
        }
        let key = (ns, name.clone());
        let kk = (kind.group.clone(), kind.plural.clone());
        if rv_set && !opts.dry_run {
            return Err(StatusError::internal(
                "resourceVersion should not be set on objects to be created",
            ));
        }
        if self.current(kind, &key).is_some() {
            return Err(StatusError::already_exists(kind, &name));
        }
        if opts.dry_run {
            return Ok(Reply {
                object: convert(kind, to_storage(kind, obj, &ver.name), &ver.name),
                created: true,
                warnings,
            });
        }
        let stored = to_storage(kind, obj.clone(), &ver.name);
        etcd_size_check(&stored)?;
        let rv = self.next_rv();
        let mut stored = stored;
        stored["metadata"]["resourceVersion"] = json!(rv.to_string());
        let obj = convert(kind, stored.clone(), &ver.name);
        self.objects
            .entry(kk.clone())
            .or_default()
            .insert(key.clone(), stored.clone());
        self.emit(HistEvent {
            rv,
            kind: kk,
            key,
            event_type: EventType::Added,
            object: stored,
            prev: None,
        });
        Ok(Reply {
            object: obj,
            created: true,
            warnings,
        })
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) fn update(
        &mut self,
        kind: &KindInfo,
        ver: &VersionInfo,
        namespace: Option<&str>,
        name: &str,
        mut obj: Value,
        sub: Subresource,
        opts: &WriteOptions,
        require_rv: bool,
        fields_recorded: bool,
    ) -> Result<Reply, StatusError> {
        Self::check_body_kind(kind, ver, &obj)?;
        let key = obj_key(kind, namespace, name)?;
        let old = self
            .current(kind, &key)
            .ok_or_else(|| StatusError::not_found(kind, name))?;
        let old = convert(kind, old, &ver.name);
        if !obj.get("metadata").is_some_and(Value::is_object) {
            obj["metadata"] = json!({});
        }
        match meta_str(&obj, "name").filter(|n| !n.is_empty()) {
            Some(n) if n != name => {
                return Err(StatusError::bad_request(format!(
                    "the name of the object ({n}) does not match the name on the URL ({name})"
                )));
            }
            Some(_) => {}
            None if require_rv => {
                return Err(StatusError::bad_request(format!(
                    "the name of the object ({name} based on URL) was undeterminable: name must be provided"
                )));
            }
            None => obj["metadata"]["name"] = json!(name),
        }
        if kind.namespaced
            && let Some(b) = meta_str(&obj, "namespace").filter(|s| !s.is_empty())
            && b != key.0
        {
            return Err(StatusError::bad_request(
                "the namespace of the provided object does not match the namespace sent on the request",
            ));
        }
        let old_rv = meta_str(&old, "resourceVersion").unwrap_or_default();
        match meta_str(&obj, "resourceVersion").filter(|r| !r.is_empty()) {
            None if require_rv => {
                return Err(StatusError::invalid(
                    kind,
                    name,
                    &[schema::FieldError::invalid(
                        "metadata.resourceVersion",
                        json!("0x0"),
                        "must be specified for an update",
                    )],
                ));
            }
            Some(r) if r != old_rv => return Err(StatusError::stale(kind, name)),
            _ => {}
        }
        obj["apiVersion"] = json!(kind.api_version(&ver.name));
        // Decoding prunes (and names the unknown fields of) the whole body; the
        // strategy then keeps the old status (main resource) or everything but the
        // status and managedFields (`/status`).
        let unknown = self.decode(kind, ver, &mut obj)?;
        let mut new = match sub {
            Subresource::Status => {
                let mut n = old.clone();
                if let Some(mf) = obj["metadata"].get("managedFields") {
                    n["metadata"]["managedFields"] = mf.clone();
                }
                match obj.get("status") {
                    Some(s) => n["status"] = s.clone(),
                    None => {
                        if let Some(o) = n.as_object_mut() {
                            o.remove("status");
                        }
                    }
                }
                n
            }
            _ => {
                let mut n = obj;
                {
                    let nm = n["metadata"]
                        .as_object_mut()
                        .expect("metadata is an object");
                    for f in [
                        "uid",
                        "creationTimestamp",
                        "deletionTimestamp",
                        "deletionGracePeriodSeconds",
                        "generation",
                        "namespace",
                    ] {
                        match old["metadata"].get(f) {
                            Some(v) => nm.insert(f.to_owned(), v.clone()),
                            None => nm.remove(f),
                        };
                    }
                    nm.remove("selfLink");
                    nm.remove("generateName");
                    if let Some(g) = old["metadata"].get("generateName") {
                        nm.insert("generateName".into(), g.clone());
                    }
                    if !nm.contains_key("managedFields")
                        && let Some(mf) = old["metadata"].get("managedFields")
                    {
                        nm.insert("managedFields".into(), mf.clone());
                    }
                }
                if ver.status {
                    match old.get("status") {
                        Some(s) => n["status"] = s.clone(),
                        None => {
                            if let Some(o) = n.as_object_mut() {
                                o.remove("status");
                            }
                        }
                    }
                }
                n
            }
        };
        new["metadata"]["resourceVersion"] = json!(old_rv);
        let mut warnings = Vec::new();
        self.admit(
            kind,
            ver,
            &mut new,
            Some(&old),
            opts,
            &mut warnings,
            unknown,
        )?;
        if !fields_recorded {
            managed::record_update(Some(&old), &mut new, &field_op(kind, ver, sub, opts));
        }
        // Finalizers may not be added while deleting.
        if old["metadata"].get("deletionTimestamp").is_some() {
            let old_f = finalizers(&old);
            let added: Vec<String> = finalizers(&new)
                .into_iter()
                .filter(|f| !old_f.contains(f))
                .collect();
            if !added.is_empty() {
                let list = added
                    .iter()
                    .map(|f| format!("{f:?}"))
                    .collect::<Vec<_>>()
                    .join(", ");
                let err = schema::FieldError::forbidden(
                    "metadata.finalizers",
                    format!(
                        "no new finalizers can be added if the object is being deleted, found new finalizers []string{{{list}}}"
                    ),
                );
                // kube-apiserver runs this check twice (generic and custom resource
                // metadata validation) and reports it twice.
                return Err(StatusError::invalid(kind, name, &[err.clone(), err]));
            }
        }
        if content(&new) != content(&old) && sub != Subresource::Status {
            let g = old["metadata"]
                .get("generation")
                .and_then(Value::as_i64)
                .unwrap_or(0);
            new["metadata"]["generation"] = json!(g + 1);
        }
        // What the write leaves, as read back through the request's version.
        new = convert(kind, to_storage(kind, new, &ver.name), &ver.name);
        if new == old {
            return Ok(Reply {
                object: new,
                created: false,
                warnings,
            });
        }
        if opts.dry_run {
            return Ok(Reply {
                object: new,
                created: false,
                warnings,
            });
        }
        let kk = (kind.group.clone(), kind.plural.clone());
        etcd_size_check(&to_storage(kind, new.clone(), &ver.name))?;
        let rv = self.next_rv();
        new["metadata"]["resourceVersion"] = json!(rv.to_string());
        let stored = to_storage(kind, new.clone(), &ver.name);
        let prev = self.current(kind, &key);
        if new["metadata"].get("deletionTimestamp").is_some() && finalizers(&new).is_empty() {
            if let Some(m) = self.objects.get_mut(&kk) {
                m.remove(&key);
            }
            // The answer keeps the resourceVersion the object had before this write.
            new["metadata"]["resourceVersion"] = json!(old_rv);
            self.emit(HistEvent {
                rv,
                kind: kk,
                key,
                event_type: EventType::Deleted,
                object: stored,
                prev,
            });
        } else {
            self.objects
                .entry(kk.clone())
                .or_default()
                .insert(key.clone(), stored.clone());
            self.emit(HistEvent {
                rv,
                kind: kk,
                key,
                event_type: EventType::Modified,
                object: stored,
                prev,
            });
        }
        Ok(Reply {
            object: new,
            created: false,
            warnings,
        })
    }
}
