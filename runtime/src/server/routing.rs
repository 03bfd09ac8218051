//! Routing: which handler serves a path, content negotiation, request options, body
//! decoding, and the verbs on custom resources, the CRD resource and their subresources.

use super::*;

/// What a `/apis/...` path addresses.
#[derive(Debug)]
pub(crate) struct Target {
    gvr: Gvr,
    namespace: Option<String>,
    name: Option<String>,
    sub: Option<String>,
}

pub(crate) fn parse_body(body: &Bytes) -> Result<Value, StatusError> {
    serde_json::from_slice(body)
        .map_err(|e| StatusError::bad_request(format!("error decoding request body: {e}")))
}

/// The manager of a write without `fieldManager`: the User-Agent up to its first `/`
/// (printable characters, at most 128 bytes), `unknown` without one.
pub(crate) fn manager_from_user_agent(parts: &http::request::Parts) -> String {
    let ua = parts
        .headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let mut out = String::new();
    for c in ua.split('/').next().unwrap_or("").chars() {
        if c.is_control() {
            continue;
        }
        if out.len() + c.len_utf8() > 128 {
            break;
        }
        out.push(c);
    }
    if out.is_empty() {
        "unknown".into()
    } else {
        out
    }
}

/// Options of a write; `apply` keeps `fieldManager` as sent (apply requires it).
pub(crate) fn write_options(
    q: &Query,
    parts: &http::request::Parts,
    apply: bool,
) -> Result<WriteOptions, StatusError> {
    let field_validation = match q.get("fieldValidation") {
        None | Some("") | Some("Warn") => FieldValidation::Warn,
        Some("Ignore") => FieldValidation::Ignore,
        Some("Strict") => FieldValidation::Strict,
        Some(other) => {
            let options = match parts.method {
                Method::POST => "CreateOptions",
                Method::PUT => "UpdateOptions",
                _ => "PatchOptions",
            };
            return Err(crate::tracker::options_invalid(
                options,
                &[crate::schema::FieldError {
                    kind: crate::schema::ErrorType::NotSupported,
                    field: "fieldValidation".into(),
                    value: Some(json!(other).into()),
                    detail: "supported values: \"\", \"Ignore\", \"Strict\", \"Warn\"".into(),
                }],
            ));
        }
    };
    let dry: Vec<&str> =
        q.0.iter()
            .filter(|(k, _)| k == "dryRun")
            .map(|(_, v)| v.as_str())
            .collect();
    if dry.iter().any(|v| *v != "All") {
        let options = match parts.method {
            Method::POST => "CreateOptions",
            Method::PUT => "UpdateOptions",
            _ => "PatchOptions",
        };
        return Err(crate::tracker::options_invalid(
            options,
            &[crate::schema::FieldError {
                kind: crate::schema::ErrorType::NotSupported,
                field: "dryRun".into(),
                value: Some(json!(dry).into()),
                detail: "supported values: \"All\"".into(),
            }],
        ));
    }
    Ok(WriteOptions {
        dry_run: q.dry_run(),
        field_manager: match q.get("fieldManager") {
            Some(m) => Some(m.to_owned()),
            None if apply => None,
            None => Some(manager_from_user_agent(parts)),
        },
        field_validation,
        force: q.flag("force"),
        duplicate_fields: Vec::new(),
    })
}

/// What the `Accept` header asks for besides plain JSON.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Render {
    Plain,
    /// `as=Table` (`meta.k8s.io` version `v1` or `v1beta1`).
    Table(&'static str),
    /// `as=PartialObjectMetadata` / `as=PartialObjectMetadataList`.
    Metadata,
}

pub(crate) fn render(parts: &http::request::Parts) -> Render {
    for v in parts.headers.get_all(header::ACCEPT) {
        for media in v.to_str().unwrap_or("").split(',') {
            if !media.contains("g=meta.k8s.io") {
                continue;
            }
            if media.contains("as=Table") {
                let version = if media.contains("v=v1beta1") {
                    "v1beta1"
                } else {
                    "v1"
                };
                return Render::Table(version);
            }
            if media.contains("as=PartialObjectMetadata") {
                return Render::Metadata;
            }
        }
    }
    Render::Plain
}

/// A `200` in the media type the client prefers: YAML when `application/yaml` comes
/// before any JSON type in `Accept`, else JSON.
pub(crate) fn ok_response(parts: &http::request::Parts, body: &Value) -> Response<Body> {
    let yaml = accept_media(parts)
        .into_iter()
        .map(|(ty, _)| ty)
        .find(|ty| ty == "application/yaml" || ty == "application/json" || ty == "*/*")
        .is_some_and(|ty| ty == "application/yaml");
    if !yaml {
        return json_response(StatusCode::OK, body);
    }
    let mut r = Response::new(full(crdgen_yaml::to_yaml(body)));
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/yaml"),
    );
    r
}

/// `Some("v2")` when aggregated discovery is requested (kube-apiserver 1.36 no longer
/// serves `v2beta1`).
pub(crate) fn aggregated_discovery(parts: &http::request::Parts) -> Option<&'static str> {
    accept_media(parts).into_iter().find_map(|(ty, params)| {
        let p = |k: &str| {
            params
                .iter()
                .find(|(pk, _)| pk == k)
                .map(|(_, v)| v.as_str())
        };
        (ty == "application/json"
            && p("as") == Some("APIGroupDiscoveryList")
            && p("g") == Some("apidiscovery.k8s.io")
            && p("v") == Some("v2"))
        .then_some("v2")
    })
}

/// The media types of the `Accept` header with their parameters.
pub(crate) fn accept_media(parts: &http::request::Parts) -> Vec<(String, Vec<(String, String)>)> {
    parts
        .headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|m| {
            let mut it = m.split(';').map(str::trim);
            let ty = it.next().unwrap_or("").to_ascii_lowercase();
            let params = it
                .filter_map(|p| p.split_once('='))
                .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
                .collect();
            (ty, params)
        })
        .collect()
}

/// Whether the server can answer in a media type the client accepts (`discovery`:
/// the `/api` and `/apis` documents, which also offer aggregated discovery).
pub(crate) fn acceptable(parts: &http::request::Parts, discovery: bool) -> bool {
    let media = accept_media(parts);
    media.is_empty()
        || media.iter().any(|(ty, params)| {
            let p = |k: &str| {
                params
                    .iter()
                    .find(|(pk, _)| pk == k)
                    .map(|(_, v)| v.as_str())
            };
            match ty.as_str() {
                "" | "*/*" | "application/*" | "application/yaml" => true,
                "application/json" => match p("as") {
                    None => true,
                    Some("Table" | "PartialObjectMetadata" | "PartialObjectMetadataList") => {
                        !discovery
                    }
                    Some("APIGroupDiscoveryList") => discovery && p("v") == Some("v2"),
                    Some(_) => false,
                },
                _ => false,
            }
        })
}

pub(crate) fn not_acceptable() -> StatusError {
    StatusError::new(
        406,
        "NotAcceptable",
        "only the following media types are accepted: application/json, application/yaml, application/vnd.kubernetes.protobuf",
        None,
    )
}

/// kube-apiserver's limit on request bodies.
pub(crate) const MAX_REQUEST_BODY: usize = 3 * 1024 * 1024;

impl ApiServer {
    pub(crate) async fn route(
        &self,
        parts: &http::request::Parts,
        body: Bytes,
    ) -> Result<Response<Body>, StatusError> {
        let path = parts.uri.path().trim_end_matches('/');
        let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        let q = Query::parse(parts.uri.query());
        let get = parts.method == Method::GET;
        if body.len() > MAX_REQUEST_BODY {
            return Err(StatusError::new(
                413,
                "RequestEntityTooLarge",
                format!("Request entity too large: limit is {MAX_REQUEST_BODY}"),
                None,
            ));
        }
        let discovery = matches!(segs.as_slice(), ["api"] | ["apis"]);
        if get
            && segs.first().is_some_and(|s| *s == "api" || *s == "apis")
            && !acceptable(parts, discovery)
        {
            return Err(not_acceptable());
        }
        match segs.as_slice() {
            ["version"] if get => Ok(json_response(StatusCode::OK, &version_info())),
            ["healthz" | "livez" | "readyz"] if get => {
                let mut r = Response::new(full("ok"));
                r.headers_mut().insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("text/plain; charset=utf-8"),
                );
                Ok(r)
            }
            ["openapi", "v3"] if get => Ok(json_response(
                StatusCode::OK,
                &openapi_v3_root(&self.inner.tracker.kinds()),
            )),
            ["openapi", "v3", "api", "v1"] if get => {
                Ok(json_response(StatusCode::OK, &openapi_v3_core()))
            }
            ["openapi", "v3", "apis", group, version] if get => {
                let doc = openapi_v3_group_version(&self.inner.tracker.kinds(), group, version)
                    .ok_or_else(StatusError::no_route)?;
                Ok(json_response(StatusCode::OK, &doc))
            }
            ["api"] if get => match aggregated_discovery(parts) {
                Some(v) => Ok(discovery_response(v, vec![core_group_discovery()])),
                None => Ok(json_response(
                    StatusCode::OK,
                    &json!({"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": parts.headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("127.0.0.1")}]}),
                )),
            },
            ["api", "v1"] if get => Ok(json_response(StatusCode::OK, &core_resource_list())),
            ["api", "v1", "namespaces"] => self.namespaces(parts, &q, None, body),
            ["api", "v1", "namespaces", name] => self.namespaces(parts, &q, Some(name), body),
            ["apis"] if get => {
                let kinds = self.inner.tracker.kinds();
                match aggregated_discovery(parts) {
                    Some(v) => Ok(discovery_response(v, group_discovery(&kinds))),
                    None => Ok(json_response(StatusCode::OK, &group_list(&kinds))),
                }
            }
            ["apis", group] if get => {
                let kinds = self.inner.tracker.kinds();
                let list = group_list(&kinds);
                Ok(list["groups"]
                    .as_array()
                    .and_then(|g| g.iter().find(|x| x["name"] == *group))
                    .map(|g| {
                        let mut g = g.clone();
                        g["kind"] = json!("APIGroup");
                        g["apiVersion"] = json!("v1");
                        json_response(StatusCode::OK, &g)
                    })
                    .unwrap_or_else(page_not_found))
            }
            ["apis", group, version] if get => Ok(
                match resource_list(&self.inner.tracker.kinds(), group, version) {
                    Some(list) => json_response(StatusCode::OK, &list),
                    None => page_not_found(),
                },
            ),
            ["apis", group, version, rest @ ..] => {
                match self.target(&parts.method, group, version, rest) {
                    Some(target) => {
                        let deprecation = self.deprecation_warning(&target.gvr);
                        let r = self.resource(parts, &q, target, body).await;
                        // Every request to a deprecated version carries its warning.
                        Ok(match (r, deprecation) {
                            (r, None) => r?,
                            (Ok(resp), Some(w)) => with_warning_first(resp, &w),
                            (Err(e), Some(w)) => with_warning_first(error_response(&e), &w),
                        })
                    }
                    None => Ok(page_not_found()),
                }
            }
            _ => Ok(page_not_found()),
        }
    }

    /// What a resource path addresses; `None` when no handler serves it (the server's
    /// mux answers `404 page not found`).
    pub(crate) fn target(
        &self,
        method: &Method,
        group: &str,
        version: &str,
        rest: &[&str],
    ) -> Option<Target> {
        let (namespace, rest) = match rest {
            ["namespaces", ns, rest @ ..] if !rest.is_empty() => (Some((*ns).to_owned()), rest),
            _ => (None, rest),
        };
        let (resource, name, sub) = match rest {
            [r] => (*r, None, None),
            [r, n] => (*r, Some((*n).to_owned()), None),
            [r, n, s] => (*r, Some((*n).to_owned()), Some((*s).to_owned())),
            _ => return None,
        };
        let kind = self.inner.tracker.kind(group, resource)?;
        kind.served_version(version)?;
        // A namespaced kind may be listed across namespaces, nothing else without one;
        // a cluster-scoped kind is never under /namespaces/.
        if kind.namespaced && namespace.is_none() && (name.is_some() || method != Method::GET) {
            return None;
        }
        if !kind.namespaced && namespace.is_some() {
            return None;
        }
        Some(Target {
            gvr: Gvr::new(group, version, resource),
            namespace,
            name,
            sub,
        })
    }

    /// Register the kind a stored CRD defines and mark the CRD established (as the
    /// real server's controllers do, in a status update clients can watch).
    pub(crate) fn serve_crd(&self, crd: &Value) -> Result<Value, StatusError> {
        let tracker = &self.inner.tracker;
        tracker
            .register_crd(crd)
            .map_err(|e| crd_invalid(crd, &e))?;
        let name = crd
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let gvr = Gvr::new(CRD_GROUP, "v1", CRD_RESOURCE);
        let reply = tracker.update(
            &gvr,
            None,
            &name,
            established(crd.clone()),
            Subresource::Status,
            &WriteOptions::default(),
        )?;
        Ok(reply.object)
    }

    pub(crate) async fn resource(
        &self,
        parts: &http::request::Parts,
        q: &Query,
        t: Target,
        body: Bytes,
    ) -> Result<Response<Body>, StatusError> {
        let tracker = &self.inner.tracker;
        let ns = t.namespace.as_deref();
        let kind = tracker
            .kind(&t.gvr.group, &t.gvr.resource)
            .ok_or_else(StatusError::no_route)?;
        let ver = kind
            .served_version(&t.gvr.version)
            .cloned()
            .ok_or_else(StatusError::no_route)?;
        let sub = match t.sub.as_deref() {
            None => Subresource::None,
            Some("status") if ver.status => Subresource::Status,
            Some("scale") if ver.scale.is_some() => Subresource::Scale,
            Some(_) => {
                return Err(StatusError::not_found(
                    &kind,
                    t.name.as_deref().unwrap_or_default(),
                ));
            }
        };
        let method = &parts.method;
        if let Some(n) = t.name.as_deref() {
            // `ValidatePathSegmentName` of the request's name.
            let why = match n {
                "." => Some("may not be '.'".to_owned()),
                ".." => Some("may not be '..'".to_owned()),
                _ => ["/", "%"]
                    .iter()
                    .find(|c| n.contains(**c))
                    .map(|c| format!("may not contain '{c}'")),
            };
            if let Some(why) = why {
                return Err(StatusError::bad_request(format!(
                    "Name parameter invalid: {n:?}: {why}"
                )));
            }
        }
        let Some(name) = t.name.as_deref() else {
            // Collection.
            return match *method {
                Method::GET if q.flag("watch") => self.watch(&t.gvr, ns, q),
                Method::GET => {
                    let list = tracker.list(&t.gvr, ns, &list_options(q))?;
                    let body = match render(parts) {
                        Render::Table(v) => table(&kind, &ver, &list, true, q, v),
                        Render::Metadata => partial_object_metadata_list(&list),
                        Render::Plain => list,
                    };
                    Ok(ok_response(parts, &body))
                }
                Method::POST => {
                    let decoded = match self.decode_write(parts, &body, &kind.kind, &t.gvr.version)
                    {
                        Ok(d) => d,
                        Err(r) => return r,
                    };
                    let obj = decoded.object;
                    let is_crd = t.gvr.group == CRD_GROUP && t.gvr.resource == CRD_RESOURCE;
                    if is_crd {
                        KindInfo::from_crd(&obj).map_err(|e| crd_invalid(&obj, &e))?;
                    }
                    let mut opts = write_options(q, parts, false)?;
                    opts.duplicate_fields = decoded.duplicates;
                    let early = unserved_version_warnings(&kind, &obj);
                    let mut reply = tracker
                        .create(&t.gvr, ns, obj, &opts)
                        .map_err(|e| e.with_warnings(early))?;
                    if is_crd && !opts.dry_run {
                        reply.object = self.serve_crd(&reply.object)?;
                    }
                    Ok(with_warnings(
                        json_response(StatusCode::CREATED, &reply.object),
                        &reply.warnings,
                    ))
                }
                Method::DELETE => {
                    let del = delete_options(q, &body)?;
                    let list = tracker.delete_collection(&t.gvr, ns, &list_options(q), &del)?;
                    Ok(json_response(StatusCode::OK, &list))
                }
                _ => Err(StatusError::method_not_allowed(method.as_str(), &kind)),
            };
        };
        match *method {
            Method::GET => {
                let obj = match sub {
                    Subresource::Scale => tracker.get_scale(&t.gvr, ns, name)?,
                    _ => tracker.get(&t.gvr, ns, name)?,
                };
                let body = match (render(parts), sub) {
                    (Render::Table(v), Subresource::None) => {
                        let list = json!({"metadata": {"resourceVersion": obj["metadata"]["resourceVersion"]}, "items": [obj]});
                        table(&kind, &ver, &list, false, q, v)
                    }
                    (Render::Metadata, Subresource::None) => partial_object_metadata(&obj),
                    _ => obj,
                };
                Ok(ok_response(parts, &body))
            }
            Method::PUT => {
                let body_kind = if sub == Subresource::Scale {
                    "Scale"
                } else {
                    kind.kind.as_str()
                };
                let decoded = match self.decode_write(parts, &body, body_kind, &t.gvr.version) {
                    Ok(d) => d,
                    Err(r) => return r,
                };
                let obj = decoded.object;
                let is_crd = t.gvr.group == CRD_GROUP && t.gvr.resource == CRD_RESOURCE;
                if is_crd && sub == Subresource::None {
                    KindInfo::from_crd(&obj).map_err(|e| crd_invalid(&obj, &e))?;
                }
                let mut opts = write_options(q, parts, false)?;
                opts.duplicate_fields = decoded.duplicates;
                let early = unserved_version_warnings(&kind, &obj);
                let mut reply = tracker
                    .update(&t.gvr, ns, name, obj, sub, &opts)
                    .map_err(|e| e.with_warnings(early))?;
                if is_crd && sub == Subresource::None && !opts.dry_run {
                    reply.object = self.serve_crd(&reply.object)?;
                }
                Ok(with_warnings(
                    json_response(StatusCode::OK, &reply.object),
                    &reply.warnings,
                ))
            }
            Method::PATCH => {
                let ct = parts
                    .headers
                    .get(header::CONTENT_TYPE)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("");
                let Some(pt) = PatchType::from_content_type(ct) else {
                    return Err(StatusError::new(
                        415,
                        "UnsupportedMediaType",
                        "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml",
                        None,
                    ));
                };
                let opts = write_options(q, parts, pt == PatchType::Apply)?;
                let mut reply = tracker.patch(&t.gvr, ns, name, pt, &body, sub, &opts)?;
                if t.gvr.group == CRD_GROUP
                    && t.gvr.resource == CRD_RESOURCE
                    && sub == Subresource::None
                    && !opts.dry_run
                {
                    reply.object = self.serve_crd(&reply.object)?;
                }
                let code = if reply.created {
                    StatusCode::CREATED
                } else {
                    StatusCode::OK
                };
                Ok(with_warnings(
                    json_response(code, &reply.object),
                    &reply.warnings,
                ))
            }
            Method::DELETE if sub == Subresource::None => {
                let del = delete_options(q, &body)?;
                let reply = tracker.delete(&t.gvr, ns, name, &del)?;
                Ok(json_response(StatusCode::OK, &reply.object))
            }
            _ => Err(StatusError::method_not_allowed(method.as_str(), &kind)),
        }
    }

    /// The deprecation warning of the version a request addresses, if deprecated.
    pub(crate) fn deprecation_warning(&self, gvr: &Gvr) -> Option<String> {
        let kind = self.inner.tracker.kind(&gvr.group, &gvr.resource)?;
        let ver = kind.served_version(&gvr.version)?;
        ver.deprecated.then(|| {
            ver.deprecation_warning.clone().unwrap_or_else(|| {
                format!("{}/{} {} is deprecated", gvr.group, gvr.version, kind.kind)
            })
        })
    }

    /// Decode a create/update body; `Err` holds the answer to send instead.
    #[allow(clippy::result_large_err)]
    pub(crate) fn decode_write(
        &self,
        parts: &http::request::Parts,
        body: &Bytes,
        kind: &str,
        version: &str,
    ) -> Result<decode::Decoded, Result<Response<Body>, StatusError>> {
        let ct = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let decoded = match decode::decode(ct, body, kind) {
            Ok(d) => d,
            Err(decode::DecodeError::Status(e)) => return Err(Err(e)),
            Err(decode::DecodeError::Drop) => {
                let mut r = Response::new(full(""));
                *r.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
                r.extensions_mut().insert(DropConnection);
                return Err(Ok(r));
            }
        };
        if let Some(e) = decode::metadata_type_error(&decoded.object, kind, version) {
            return Err(Err(e));
        }
        Ok(decoded)
    }
}

/// A body naming a version of the kind's group that is not served is decoded without
/// a schema: kube-apiserver warns that each top-level field is unknown before it
/// refuses the version.
fn unserved_version_warnings(kind: &KindInfo, obj: &Value) -> Vec<String> {
    let av = obj.get("apiVersion").and_then(Value::as_str).unwrap_or("");
    let Some((group, version)) = av.split_once('/') else {
        return Vec::new();
    };
    if group != kind.group || kind.served_version(version).is_some() {
        return Vec::new();
    }
    obj.as_object()
        .into_iter()
        .flat_map(|m| m.keys())
        .filter(|k| !matches!(k.as_str(), "apiVersion" | "kind" | "metadata"))
        .map(|k| format!("unknown field {k:?}"))
        .collect()
}

/// 422 for a CRD the server cannot serve, naming it like the real server does.
pub(crate) fn crd_invalid(crd: &Value, why: &str) -> StatusError {
    let name = crd
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let invalid = crdgen_apiext::validate(crd);
    if !invalid.is_empty() {
        return StatusError {
            code: 422,
            status: crdgen_apiext::invalid_status(name, &invalid),
            warnings: Vec::new(),
        };
    }
    StatusError::new(
        422,
        "Invalid",
        format!("CustomResourceDefinition.apiextensions.k8s.io \"{name}\" is invalid: {why}"),
        None,
    )
}
