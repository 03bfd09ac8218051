//! The watch stream, the synthesized core `namespaces`, and the list and delete
//! options of a request.

use super::*;

impl ApiServer {
    pub(crate) fn watch(
        &self,
        gvr: &Gvr,
        ns: Option<&str>,
        q: &Query,
    ) -> Result<Response<Body>, StatusError> {
        let opts = WatchOptions {
            label_selector: q.get("labelSelector").map(str::to_owned),
            field_selector: q.get("fieldSelector").map(str::to_owned),
            resource_version: q.get("resourceVersion").map(str::to_owned),
            allow_bookmarks: q.flag("allowWatchBookmarks"),
            send_initial_events: q.flag("sendInitialEvents"),
        };
        if opts.send_initial_events {
            match q.get("resourceVersionMatch") {
                Some("NotOlderThan") => {}
                _ => {
                    return Err(StatusError::new(
                        422,
                        "Invalid",
                        "ListOptions.meta.k8s.io \"\" is invalid: resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan",
                        Some(
                            json!({"group": "meta.k8s.io", "kind": "ListOptions", "causes": [{"reason": "FieldValueForbidden", "message": "Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan", "field": "resourceVersionMatch"}]}),
                        ),
                    ));
                }
            }
        }
        let timeout = match q.get("timeoutSeconds").and_then(|t| t.parse::<u64>().ok()) {
            Some(s) if s > 0 => Duration::from_secs(s),
            _ => self.inner.config.default_watch_timeout,
        };
        let watch = self.inner.tracker.watch(gvr, ns, &opts)?;
        let interval = self.inner.config.bookmark_interval;
        struct St {
            watch: crate::tracker::Watch,
            deadline: tokio::time::Instant,
            tick: tokio::time::Interval,
            done: bool,
        }
        let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + interval, interval);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let st = St {
            watch,
            deadline: tokio::time::Instant::now() + timeout,
            tick,
            done: false,
        };
        let stream = futures::stream::unfold(st, |mut st| async move {
            loop {
                if st.done {
                    return None;
                }
                tokio::select! {
                    biased;
                    ev = st.watch.next() => {
                        let ev = ev?;
                        if ev.event_type == EventType::Error {
                            st.done = true;
                        }
                        let mut line = ev.to_json().to_string();
                        line.push('\n');
                        return Some((Ok::<_, Infallible>(Frame::data(Bytes::from(line))), st));
                    }
                    _ = tokio::time::sleep_until(st.deadline) => return None,
                    _ = st.tick.tick() => st.watch.request_bookmark(),
                }
            }
        });
        let mut r = Response::new(StreamBody::new(stream).boxed_unsync());
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        r.headers_mut().insert(
            header::TRANSFER_ENCODING,
            HeaderValue::from_static("chunked"),
        );
        Ok(r)
    }

    pub(crate) fn namespaces(
        &self,
        parts: &http::request::Parts,
        q: &Query,
        name: Option<&str>,
        body: Bytes,
    ) -> Result<Response<Body>, StatusError> {
        let ns_obj = |n: &str| {
            json!({"kind": "Namespace", "apiVersion": "v1",
                   "metadata": {"name": n, "labels": {"kubernetes.io/metadata.name": n}, "resourceVersion": "1", "uid": uid_for(n), "creationTimestamp": "1970-01-01T00:00:00Z"},
                   "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"}})
        };
        match (&parts.method, name) {
            (&Method::GET, Some(n)) => Ok(json_response(StatusCode::OK, &ns_obj(n))),
            (&Method::GET, None) if !q.flag("watch") => {
                let mut names: BTreeSet<String> =
                    ["default", "kube-system", "kube-public", "kube-node-lease"]
                        .iter()
                        .map(|s| (*s).to_owned())
                        .collect();
                names.extend(
                    self.inner
                        .namespaces
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .iter()
                        .cloned(),
                );
                names.extend(self.inner.tracker.namespaces());
                let items: Vec<Value> = names.iter().map(|n| ns_obj(n)).collect();
                Ok(json_response(
                    StatusCode::OK,
                    &json!({"kind": "NamespaceList", "apiVersion": "v1", "metadata": {"resourceVersion": self.inner.tracker.resource_version().to_string()}, "items": items}),
                ))
            }
            (&Method::POST, None) => {
                let obj = parse_body(&body)?;
                let n = obj
                    .pointer("/metadata/name")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_owned();
                if n.is_empty() {
                    return Err(StatusError::new(
                        422,
                        "Invalid",
                        "Namespace \"\" is invalid: metadata.name: Required value: name or generateName is required",
                        Some(
                            json!({"kind": "Namespace", "causes": [{"reason": "FieldValueRequired", "message": "Required value: name or generateName is required", "field": "metadata.name"}]}),
                        ),
                    ));
                }
                let mut set = self
                    .inner
                    .namespaces
                    .lock()
                    .unwrap_or_else(|e| e.into_inner());
                if !set.insert(n.clone()) {
                    return Err(StatusError::new(
                        409,
                        "AlreadyExists",
                        format!("namespaces {n:?} already exists"),
                        Some(json!({"name": n, "kind": "namespaces"})),
                    ));
                }
                Ok(json_response(StatusCode::CREATED, &ns_obj(&n)))
            }
            _ => Err(StatusError::new(
                405,
                "MethodNotAllowed",
                "the in-memory API server only serves get, list and create of namespaces",
                None,
            )),
        }
    }
}

pub(crate) fn uid_for(name: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in name.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
    }
    let x = format!("{h:016x}{:016x}", h.rotate_left(17));
    format!(
        "{}-{}-4{}-8{}-{}",
        &x[0..8],
        &x[8..12],
        &x[13..16],
        &x[17..20],
        &x[20..32]
    )
}

pub(crate) fn list_options(q: &Query) -> ListOptions {
    ListOptions {
        label_selector: q.get("labelSelector").map(str::to_owned),
        field_selector: q.get("fieldSelector").map(str::to_owned),
        limit: q.get("limit").and_then(|l| l.parse().ok()),
        continue_token: q.get("continue").map(str::to_owned),
        resource_version: q.get("resourceVersion").map(str::to_owned),
        resource_version_match: q.get("resourceVersionMatch").map(str::to_owned),
    }
}

pub(crate) fn delete_options(q: &Query, body: &Bytes) -> Result<DeleteOptions, StatusError> {
    let mut d = DeleteOptions {
        dry_run: q.dry_run(),
        propagation_policy: q.get("propagationPolicy").map(str::to_owned),
        ..Default::default()
    };
    if !body.iter().all(u8::is_ascii_whitespace) {
        let v = parse_body(body)?;
        if v.get("dryRun")
            .and_then(Value::as_array)
            .is_some_and(|a| a.iter().any(|x| x == "All"))
        {
            d.dry_run = true;
        }
        if let Some(p) = v.get("propagationPolicy").and_then(Value::as_str) {
            d.propagation_policy = Some(p.to_owned());
        }
        if let Some(o) = v.get("orphanDependents").and_then(Value::as_bool) {
            d.orphan_dependents = Some(o);
        }
        if let Some(p) = v.get("preconditions") {
            d.precondition_uid = p.get("uid").and_then(Value::as_str).map(str::to_owned);
            d.precondition_resource_version = p
                .get("resourceVersion")
                .and_then(Value::as_str)
                .map(str::to_owned);
        }
    }
    if let Some(o) = q.get("orphanDependents") {
        d.orphan_dependents = Some(o == "true");
    }
    if let Some(p) = d.propagation_policy.as_deref() {
        if !matches!(p, "Orphan" | "Background" | "Foreground") {
            return Err(crate::tracker::options_invalid(
                "DeleteOptions",
                &[crate::schema::FieldError {
                    kind: crate::schema::ErrorType::NotSupported,
                    field: "propagationPolicy".into(),
                    value: Some(json!(p).into()),
                    detail: "supported values: \"Foreground\", \"Background\", \"Orphan\", \"nil\""
                        .into(),
                }],
            ));
        }
        if d.orphan_dependents.is_some() {
            return Err(crate::tracker::options_invalid(
                "DeleteOptions",
                &[crate::schema::FieldError::invalid(
                    "propagationPolicy",
                    json!(p),
                    "orphanDependents and deletionPropagation cannot be both set",
                )],
            ));
        }
    }
    Ok(d)
}
