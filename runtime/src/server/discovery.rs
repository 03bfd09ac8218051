//! Discovery (legacy and aggregated v2), `/version` and the OpenAPI v3 documents, as
//! kube-apiserver serves them for the registered kinds.

use super::*;

/// `discovery.StorageVersionHash`: base64 of the first 8 bytes of the SHA-256 of
/// `group/version/kind` at the storage version.
pub(crate) fn storage_version_hash(group: &str, version: &str, kind: &str) -> String {
    let digest = sha256(format!("{group}/{version}/{kind}").as_bytes());
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(&digest[..8])
}

/// SHA-256 (FIPS 180-4), for the storage version hash only.
pub(crate) fn sha256(data: &[u8]) -> [u8; 32] {
    const K: [u32; 64] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
        0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
        0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
        0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
        0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
        0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
        0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
        0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
        0xc67178f2,
    ];
    let mut h: [u32; 8] = [
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab,
        0x5be0cd19,
    ];
    let mut msg = data.to_vec();
    msg.push(0x80);
    while msg.len() % 64 != 56 {
        msg.push(0);
    }
    msg.extend_from_slice(&((data.len() as u64) * 8).to_be_bytes());
    for block in msg.chunks(64) {
        let mut w = [0u32; 64];
        for (i, c) in block.chunks(4).enumerate() {
            w[i] = u32::from_be_bytes([c[0], c[1], c[2], c[3]]);
        }
        for i in 16..64 {
            let s0 = w[i - 15].rotate_right(7) ^ w[i - 15].rotate_right(18) ^ (w[i - 15] >> 3);
            let s1 = w[i - 2].rotate_right(17) ^ w[i - 2].rotate_right(19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16]
                .wrapping_add(s0)
                .wrapping_add(w[i - 7])
                .wrapping_add(s1);
        }
        let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut hh] = h;
        for i in 0..64 {
            let s1 = e.rotate_right(6) ^ e.rotate_right(11) ^ e.rotate_right(25);
            let ch = (e & f) ^ (!e & g);
            let t1 = hh
                .wrapping_add(s1)
                .wrapping_add(ch)
                .wrapping_add(K[i])
                .wrapping_add(w[i]);
            let s0 = a.rotate_right(2) ^ a.rotate_right(13) ^ a.rotate_right(22);
            let maj = (a & b) ^ (a & c) ^ (b & c);
            let t2 = s0.wrapping_add(maj);
            hh = g;
            g = f;
            f = e;
            e = d.wrapping_add(t1);
            d = c;
            c = b;
            b = a;
            a = t1.wrapping_add(t2);
        }
        for (x, y) in h.iter_mut().zip([a, b, c, d, e, f, g, hh]) {
            *x = x.wrapping_add(y);
        }
    }
    let mut out = [0u8; 32];
    for (i, x) in h.iter().enumerate() {
        out[i * 4..i * 4 + 4].copy_from_slice(&x.to_be_bytes());
    }
    out
}

pub(crate) fn version_info() -> Value {
    let (major, minor) = KUBERNETES_VERSION;
    json!({
        "major": major, "minor": minor, "emulationMajor": major, "emulationMinor": minor,
        "gitVersion": format!("v{major}.{minor}.0"), "gitCommit": "crdgen-in-memory", "gitTreeState": "clean",
        "buildDate": "1970-01-01T00:00:00Z", "goVersion": "n/a (crdgen in-memory API server)",
        "compiler": "rustc", "platform": "linux/amd64",
    })
}

/// Kubernetes version priority: GA > beta > alpha, higher numbers first, then
/// non-conforming versions alphabetically.
pub(crate) fn version_key(v: &str) -> (u8, u64, u64, String) {
    let parse = || -> Option<(u8, u64, u64)> {
        let rest = v.strip_prefix('v')?;
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        let major: u64 = digits.parse().ok()?;
        let tail = &rest[digits.len()..];
        if tail.is_empty() {
            return Some((3, major, 0));
        }
        for (pre, rank) in [("beta", 2u8), ("alpha", 1u8)] {
            if let Some(n) = tail.strip_prefix(pre) {
                let minor: u64 = n.parse().ok()?;
                return Some((rank, major, minor));
            }
        }
        None
    };
    match parse() {
        Some((r, a, b)) => (r, a, b, String::new()),
        None => (0, 0, 0, v.to_owned()),
    }
}

pub(crate) fn sort_versions(vs: &mut [String]) {
    vs.sort_by(|a, b| {
        let (ka, kb) = (version_key(a), version_key(b));
        if ka.0 == 0 && kb.0 == 0 {
            ka.3.cmp(&kb.3)
        } else {
            (kb.0, kb.1, kb.2).cmp(&(ka.0, ka.1, ka.2))
        }
    });
}

pub(crate) fn groups(kinds: &[Arc<KindInfo>]) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for k in kinds {
        let idx = match out.iter().position(|(g, _)| g == &k.group) {
            Some(i) => i,
            None => {
                out.push((k.group.clone(), Vec::new()));
                out.len() - 1
            }
        };
        for v in k.versions.iter().filter(|v| v.served) {
            if !out[idx].1.contains(&v.name) {
                out[idx].1.push(v.name.clone());
            }
        }
    }
    for (_, vs) in &mut out {
        sort_versions(vs);
    }
    out.retain(|(_, vs)| !vs.is_empty());
    out
}

pub(crate) fn group_list(kinds: &[Arc<KindInfo>]) -> Value {
    let groups: Vec<Value> = groups(kinds)
        .into_iter()
        .map(|(g, vs)| {
            let versions: Vec<Value> = vs
                .iter()
                .map(|v| json!({"groupVersion": format!("{g}/{v}"), "version": v}))
                .collect();
            json!({"name": g, "versions": versions, "preferredVersion": versions[0]})
        })
        .collect();
    json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})
}

pub(crate) const VERBS: &[&str] = &[
    "delete",
    "deletecollection",
    "get",
    "list",
    "patch",
    "create",
    "update",
    "watch",
];
pub(crate) const SUB_VERBS: &[&str] = &["get", "patch", "update"];

pub(crate) fn resource_list(kinds: &[Arc<KindInfo>], group: &str, version: &str) -> Option<Value> {
    let mut resources = Vec::new();
    let mut any = false;
    for k in kinds.iter().filter(|k| k.group == group) {
        let Some(v) = k.served_version(version) else {
            continue;
        };
        any = true;
        let mut r = json!({
            "name": k.plural, "singularName": k.singular, "namespaced": k.namespaced, "kind": k.kind,
            "verbs": VERBS, "storageVersionHash": storage_version_hash(&k.group, &k.storage_version().name, &k.kind),
        });
        if !k.short_names.is_empty() {
            r["shortNames"] = json!(k.short_names);
        }
        if !k.categories.is_empty() {
            r["categories"] = json!(k.categories);
        }
        resources.push(r);
        if v.status {
            resources.push(json!({"name": format!("{}/status", k.plural), "singularName": "", "namespaced": k.namespaced, "kind": k.kind, "verbs": SUB_VERBS}));
        }
        if v.scale.is_some() {
            resources.push(json!({"name": format!("{}/scale", k.plural), "singularName": "", "namespaced": k.namespaced, "group": "autoscaling", "version": "v1", "kind": "Scale", "verbs": SUB_VERBS}));
        }
    }
    any.then(|| {
        json!({"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": format!("{group}/{version}"), "resources": resources})
    })
}

pub(crate) fn core_resource_list() -> Value {
    json!({"kind": "APIResourceList", "groupVersion": "v1", "resources": [
        {"name": "namespaces", "singularName": "namespace", "namespaced": false, "kind": "Namespace",
         "verbs": ["create", "get", "list"], "shortNames": ["ns"]}
    ]})
}

pub(crate) fn discovery_response(version: &str, items: Vec<Value>) -> Response<Body> {
    let body = json!({"kind": "APIGroupDiscoveryList", "apiVersion": format!("apidiscovery.k8s.io/{version}"), "metadata": {}, "items": items});
    let mut r = json_response(StatusCode::OK, &body);
    let ct = format!("application/json;g=apidiscovery.k8s.io;v={version};as=APIGroupDiscoveryList");
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&ct).expect("ASCII"),
    );
    r
}

pub(crate) fn core_group_discovery() -> Value {
    json!({"metadata": {"creationTimestamp": null}, "versions": [{"version": "v1", "freshness": "Current", "resources": [
        {"resource": "namespaces", "responseKind": {"group": "", "version": "v1", "kind": "Namespace"}, "scope": "Cluster",
         "singularResource": "namespace", "verbs": ["create", "get", "list"], "shortNames": ["ns"]}
    ]}]})
}

pub(crate) fn group_discovery(kinds: &[Arc<KindInfo>]) -> Vec<Value> {
    groups(kinds)
        .into_iter()
        .map(|(g, vs)| {
            let versions: Vec<Value> = vs
                .iter()
                .map(|v| {
                    let resources: Vec<Value> = kinds
                        .iter()
                        .filter(|k| k.group == g)
                        .filter_map(|k| k.served_version(v).map(|ver| (k, ver)))
                        .map(|(k, ver)| {
                            let scope = if k.namespaced { "Namespaced" } else { "Cluster" };
                            let mut r = json!({
                                "resource": k.plural, "responseKind": {"group": g, "version": v, "kind": k.kind},
                                "scope": scope, "singularResource": k.singular, "verbs": VERBS,
                            });
                            if !k.short_names.is_empty() {
                                r["shortNames"] = json!(k.short_names);
                            }
                            if !k.categories.is_empty() {
                                r["categories"] = json!(k.categories);
                            }
                            let mut subs = Vec::new();
                            if ver.status {
                                subs.push(json!({"subresource": "status", "responseKind": {"group": g, "version": v, "kind": k.kind}, "verbs": SUB_VERBS}));
                            }
                            if ver.scale.is_some() {
                                subs.push(json!({"subresource": "scale", "responseKind": {"group": "autoscaling", "version": "v1", "kind": "Scale"}, "verbs": SUB_VERBS}));
                            }
                            if !subs.is_empty() {
                                r["subresources"] = json!(subs);
                            }
                            r
                        })
                        .collect();
                    json!({"version": v, "resources": resources, "freshness": "Current"})
                })
                .collect();
            json!({"metadata": {"name": g}, "versions": versions})
        })
        .collect()
}

// ----------------------------------------------------------------------------------
// OpenAPI v3 (what kubectl reads: server-side field validation support, patch types,
// and the schemas for `kubectl explain`)

pub(crate) fn openapi_v3_root(kinds: &[Arc<KindInfo>]) -> Value {
    let mut paths = serde_json::Map::new();
    paths.insert(
        "api/v1".into(),
        json!({"serverRelativeURL": "/openapi/v3/api/v1"}),
    );
    for (g, vs) in groups(kinds) {
        for v in vs {
            let key = format!("apis/{g}/{v}");
            paths.insert(
                key.clone(),
                json!({"serverRelativeURL": format!("/openapi/v3/{key}")}),
            );
        }
    }
    json!({"paths": paths})
}

pub(crate) const PATCH_TYPES: &[&str] = &[
    "application/json-patch+json",
    "application/merge-patch+json",
    "application/apply-patch+yaml",
];

pub(crate) fn query_params() -> Value {
    let p = |name: &str| json!({"name": name, "in": "query", "schema": {"type": "string", "uniqueItems": true}});
    json!([
        p("dryRun"),
        p("fieldManager"),
        p("fieldValidation"),
        p("force")
    ])
}

pub(crate) fn openapi_operations(
    group: &str,
    version: &str,
    kind: &str,
    schema_ref: &str,
    item: bool,
) -> Value {
    let gvk = json!({"group": group, "version": version, "kind": kind});
    let body = |types: &[&str]| {
        let content: serde_json::Map<String, Value> = types
            .iter()
            .map(|t| ((*t).to_owned(), json!({"schema": {"$ref": schema_ref}})))
            .collect();
        json!({"content": content, "required": true})
    };
    let ok = json!({"200": {"description": "OK", "content": {"application/json": {"schema": {"$ref": schema_ref}}}}});
    if item {
        json!({
            "get": {"x-kubernetes-group-version-kind": gvk, "x-kubernetes-action": "get", "responses": ok},
            "put": {"x-kubernetes-group-version-kind": gvk, "x-kubernetes-action": "put", "parameters": query_params(), "requestBody": body(&["application/json"]), "responses": ok},
            "patch": {"x-kubernetes-group-version-kind": gvk, "x-kubernetes-action": "patch", "parameters": query_params(), "requestBody": body(PATCH_TYPES), "responses": ok},
            "delete": {"x-kubernetes-group-version-kind": gvk, "x-kubernetes-action": "delete", "responses": ok},
        })
    } else {
        json!({
            "get": {"x-kubernetes-group-version-kind": gvk, "x-kubernetes-action": "list", "responses": ok},
            "post": {"x-kubernetes-group-version-kind": gvk, "x-kubernetes-action": "post", "parameters": query_params(), "requestBody": body(&["application/json"]), "responses": ok},
        })
    }
}

pub(crate) fn schema_name(group: &str, version: &str, kind: &str) -> String {
    let reversed: Vec<&str> = group.split('.').rev().collect();
    format!("{}.{version}.{kind}", reversed.join("."))
}

pub(crate) fn openapi_v3_group_version(
    kinds: &[Arc<KindInfo>],
    group: &str,
    version: &str,
) -> Option<Value> {
    let mut paths = serde_json::Map::new();
    let mut schemas = serde_json::Map::new();
    for k in kinds.iter().filter(|k| k.group == group) {
        let Some(ver) = k.served_version(version) else {
            continue;
        };
        let name = schema_name(group, version, &k.kind);
        let schema_ref = format!("#/components/schemas/{name}");
        let prefix = if k.namespaced {
            format!(
                "/apis/{group}/{version}/namespaces/{{namespace}}/{}",
                k.plural
            )
        } else {
            format!("/apis/{group}/{version}/{}", k.plural)
        };
        paths.insert(
            prefix.clone(),
            openapi_operations(group, version, &k.kind, &schema_ref, false),
        );
        paths.insert(
            format!("{prefix}/{{name}}"),
            openapi_operations(group, version, &k.kind, &schema_ref, true),
        );
        let mut schema = ver.schema.clone().unwrap_or_else(
            || json!({"type": "object", "x-kubernetes-preserve-unknown-fields": true}),
        );
        if let Some(props) = schema
            .as_object_mut()
            .map(|o| o.entry("properties").or_insert_with(|| json!({})))
            && let Some(p) = props.as_object_mut()
        {
            p.insert("apiVersion".into(), json!({"type": "string", "description": "APIVersion defines the versioned schema of this representation of an object."}));
            p.insert("kind".into(), json!({"type": "string", "description": "Kind is a string value representing the REST resource this object represents."}));
            p.insert("metadata".into(), json!({"type": "object", "description": "Standard object's metadata.", "x-kubernetes-preserve-unknown-fields": true}));
        }
        schema["x-kubernetes-group-version-kind"] =
            json!([{"group": group, "version": version, "kind": k.kind}]);
        schemas.insert(name, schema);
    }
    if paths.is_empty() {
        return None;
    }
    Some(json!({
        "openapi": "3.0.0",
        "info": {"title": "Kubernetes CRD Swagger", "version": "v0.1.0"},
        "paths": paths,
        "components": {"schemas": schemas},
    }))
}

pub(crate) fn openapi_v3_core() -> Value {
    let schema_ref = "#/components/schemas/io.k8s.api.core.v1.Namespace";
    json!({
        "openapi": "3.0.0",
        "info": {"title": "Kubernetes", "version": "v1.36.0"},
        "paths": {
            "/api/v1/namespaces": openapi_operations("", "v1", "Namespace", schema_ref, false),
            "/api/v1/namespaces/{name}": openapi_operations("", "v1", "Namespace", schema_ref, true),
        },
        "components": {"schemas": {"io.k8s.api.core.v1.Namespace": {
            "type": "object", "x-kubernetes-preserve-unknown-fields": true,
            "x-kubernetes-group-version-kind": [{"group": "", "version": "v1", "kind": "Namespace"}],
        }}},
    })
}
