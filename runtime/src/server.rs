//! An in-memory Kubernetes API server for custom resources.
//!
//! [`ApiServer`] serves a [`Tracker`] with the REST and watch protocol of
//! kube-apiserver, so that a real [`kube::Client`], `kubectl` and kube-runtime's
//! watcher work against it unchanged:
//!
//! - in process, without a socket: [`ApiServer::client`] (a tower service handed to
//!   [`kube::Client::new`]) for fast unit tests;
//! - over HTTP on loopback: [`ApiServer::serve`] returns a [`ServerHandle`] with the
//!   URL, a kubeconfig for `kubectl`, a client, and [`ServerHandle::restart`] /
//!   [`ServerHandle::shutdown`] (state is kept; watches are cut, as when a real API
//!   server restarts).
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use crdgen_runtime::server::ApiServer;
//!
//! let crd = serde_json::json!({
//!     "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
//!     "spec": {"group": "example.com", "scope": "Namespaced",
//!              "names": {"kind": "Widget", "plural": "widgets"},
//!              "versions": [{"name": "v1", "served": true, "storage": true}]}
//! });
//! let server = ApiServer::builder().crd(crd).build()?;
//! let handle = server.serve("127.0.0.1:0".parse()?).await?;
//! let client = handle.client()?;           // kube::Client over HTTP
//! std::fs::write("kubeconfig", handle.kubeconfig_yaml())?;
//! handle.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! # What is served
//!
//! - discovery: `/api`, `/apis`, `/apis/{group}`, `/apis/{group}/{version}`, and the
//!   aggregated discovery documents (`apidiscovery.k8s.io/v2` and `v2beta1`,
//!   `APIGroupDiscoveryList`) that kubectl asks for; `/version`, `/healthz`,
//!   `/livez`, `/readyz`; `/openapi/v2` and `/openapi/v3` as empty documents;
//! - custom resources: get, list (selectors, `limit`/`continue`, `resourceVersion`,
//!   `resourceVersionMatch`), watch (`watch=true`, `resourceVersion`,
//!   `timeoutSeconds`, `allowWatchBookmarks`, `sendInitialEvents`), create, update,
//!   patch (`application/merge-patch+json`, `application/json-patch+json`,
//!   `application/apply-patch+yaml`; strategic merge patch is `415` as for every
//!   custom resource), delete (`DeleteOptions` body or query: preconditions,
//!   `propagationPolicy`, `dryRun`), deletecollection, `/status`, `/scale`;
//!   `dryRun=All`, `fieldManager`, `force`, `fieldValidation`; warnings in `Warning`
//!   headers; `Table` responses for `kubectl get` (Name, Age and the CRD's
//!   `additionalPrinterColumns` with simple JSON paths);
//! - core `v1` `namespaces`: get, list and create, synthesized (every namespace
//!   exists and is `Active`; objects may be created in any namespace).
//!
//! Not served: authentication/authorization (every request is allowed), built-in
//! kinds other than namespaces, protobuf and CBOR, HTTP/2, `kubectl exec`-style
//! upgrades, the OpenAPI schemas of the kinds (so `kubectl explain` does not work),
//! and CRDs themselves (kinds are registered up front, not through
//! `apiextensions.k8s.io`).

use std::collections::BTreeSet;
use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderValue, Method, Request, Response, StatusCode, header};
use http_body_util::{BodyExt, Full, StreamBody, combinators::UnsyncBoxBody};
use hyper::body::Frame;
use serde_json::{Value, json};
use tokio::sync::watch;

use crate::tracker::{
    DeleteOptions, EventType, FieldValidation, Gvr, KindInfo, ListOptions, PatchType, StatusError,
    Subresource, Tracker, VersionInfo, WatchOptions, WriteOptions,
};

/// The response body type of the server (buffered JSON or a watch stream).
pub type Body = UnsyncBoxBody<Bytes, Infallible>;

/// The Kubernetes version reported by `/version`.
pub const KUBERNETES_VERSION: (&str, &str) = ("1", "36");

/// Settings of an [`ApiServer`].
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// How often a watch with `allowWatchBookmarks=true` gets a `BOOKMARK` (the real
    /// server sends one about every minute). Default 30 s.
    pub bookmark_interval: Duration,
    /// How long a watch without `timeoutSeconds` lasts. Default 30 min.
    pub default_watch_timeout: Duration,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            bookmark_interval: Duration::from_secs(30),
            default_watch_timeout: Duration::from_secs(1800),
        }
    }
}

/// Builder of an [`ApiServer`].
#[derive(Debug, Default)]
pub struct ApiServerBuilder {
    crds: Vec<Value>,
    kinds: Vec<KindInfo>,
    tracker: Option<Tracker>,
    config: ServerConfig,
    history_limit: Option<usize>,
}

impl ApiServerBuilder {
    /// Serve the kind of a CRD (JSON; all served versions). Cumulative.
    pub fn crd(mut self, crd: Value) -> Self {
        self.crds.push(crd);
        self
    }

    /// Serve a kind given as [`KindInfo`] (e.g. [`KindInfo::of`]). Cumulative.
    pub fn kind(mut self, kind: KindInfo) -> Self {
        self.kinds.push(kind);
        self
    }

    /// Serve an existing tracker (shared with the caller).
    pub fn tracker(mut self, tracker: Tracker) -> Self {
        self.tracker = Some(tracker);
        self
    }

    /// Interval of watch bookmarks.
    pub fn bookmark_interval(mut self, interval: Duration) -> Self {
        self.config.bookmark_interval = interval;
        self
    }

    /// Timeout of watches that do not set `timeoutSeconds`.
    pub fn default_watch_timeout(mut self, timeout: Duration) -> Self {
        self.config.default_watch_timeout = timeout;
        self
    }

    /// Number of events kept for watches from older resourceVersions.
    pub fn history_limit(mut self, limit: usize) -> Self {
        self.history_limit = Some(limit);
        self
    }

    /// Build the server; fails on a CRD that cannot be read.
    pub fn build(self) -> Result<ApiServer, String> {
        let tracker = self.tracker.unwrap_or_default();
        if tracker.kind(CRD_GROUP, CRD_RESOURCE).is_none() {
            tracker.register_kind(crd_kind());
        }
        for crd in &self.crds {
            tracker.register_crd(crd)?;
            // Also readable as an object, as on a real server (`kubectl get crd`).
            tracker
                .add(established(crd.clone()))
                .map_err(|e| e.message().to_owned())?;
        }
        for k in self.kinds {
            tracker.register_kind(k);
        }
        if let Some(l) = self.history_limit {
            tracker.set_history_limit(l);
        }
        Ok(ApiServer {
            inner: Arc::new(Inner {
                tracker,
                config: self.config,
                namespaces: Mutex::default(),
            }),
        })
    }
}

const CRD_GROUP: &str = "apiextensions.k8s.io";
const CRD_RESOURCE: &str = "customresourcedefinitions";

/// `apiextensions.k8s.io/v1` CustomResourceDefinitions as a served kind: creating or
/// updating one registers (or re-registers) the kind it defines.
fn crd_kind() -> KindInfo {
    KindInfo {
        group: CRD_GROUP.to_owned(),
        kind: "CustomResourceDefinition".to_owned(),
        list_kind: "CustomResourceDefinitionList".to_owned(),
        plural: CRD_RESOURCE.to_owned(),
        singular: "customresourcedefinition".to_owned(),
        short_names: vec!["crd".to_owned(), "crds".to_owned()],
        categories: vec!["api-extensions".to_owned()],
        namespaced: false,
        versions: vec![VersionInfo {
            name: "v1".to_owned(),
            served: true,
            storage: true,
            schema: None,
            status: true,
            scale: None,
            deprecated: false,
            deprecation_warning: None,
            printer_columns: vec![
                json!({"name": "Created At", "type": "date", "jsonPath": ".metadata.creationTimestamp"}),
            ],
            selectable_fields: Vec::new(),
        }],
    }
}

/// The status the real server gives a CRD once its names are accepted and it serves.
fn established(mut crd: Value) -> Value {
    let names = crd.pointer("/spec/names").cloned().unwrap_or(Value::Null);
    let stored: Vec<Value> = crd
        .pointer("/spec/versions")
        .and_then(Value::as_array)
        .map(|vs| {
            vs.iter()
                .filter(|v| v["storage"] == json!(true))
                .map(|v| v["name"].clone())
                .collect()
        })
        .unwrap_or_default();
    let now = crate::tracker::now_rfc3339();
    let condition = |ty: &str, reason: &str, message: &str| json!({"type": ty, "status": "True", "reason": reason, "message": message, "lastTransitionTime": now});
    crd["status"] = json!({
        "acceptedNames": names,
        "storedVersions": stored,
        "conditions": [
            condition("NamesAccepted", "NoConflicts", "no conflicts found"),
            condition("Established", "InitialNamesAccepted", "the initial names have been accepted"),
        ],
    });
    crd
}

#[derive(Debug)]
struct Inner {
    tracker: Tracker,
    config: ServerConfig,
    /// Namespaces created through the API (all others exist implicitly).
    namespaces: Mutex<BTreeSet<String>>,
}

/// The in-memory API server. Cheap to clone (shared state).
#[derive(Debug, Clone)]
pub struct ApiServer {
    inner: Arc<Inner>,
}

impl Default for ApiServer {
    fn default() -> Self {
        ApiServer::new()
    }
}

impl ApiServer {
    /// A server with no kinds (register them on [`ApiServer::tracker`]).
    pub fn new() -> Self {
        ApiServer::builder().build().expect("no CRDs to read")
    }

    /// A builder.
    pub fn builder() -> ApiServerBuilder {
        ApiServerBuilder::default()
    }

    /// The tracker holding the objects (seed objects, read actions, compact history).
    pub fn tracker(&self) -> &Tracker {
        &self.inner.tracker
    }

    /// The settings.
    pub fn config(&self) -> &ServerConfig {
        &self.inner.config
    }

    /// A tower service answering requests in process.
    pub fn service(&self) -> ApiService {
        ApiService {
            server: self.clone(),
        }
    }

    /// A [`kube::Client`] talking to this server in process (no socket), with
    /// default namespace `default`.
    pub fn client(&self) -> kube::Client {
        kube::Client::new(self.service(), "default")
    }

    /// Listen on `addr` (use `127.0.0.1:0` for a free port) and serve until the
    /// handle is shut down.
    pub async fn serve(&self, addr: SocketAddr) -> std::io::Result<ServerHandle> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let (stop_tx, stop_rx) = watch::channel(false);
        let server = self.clone();
        let task = tokio::spawn(accept_loop(server, listener, stop_rx));
        Ok(ServerHandle {
            addr,
            stop: stop_tx,
            task,
            server: self.clone(),
        })
    }

    /// Answer one request.
    pub async fn handle(&self, req: Request<Bytes>) -> Response<Body> {
        let (parts, body) = req.into_parts();
        let mut resp = match self.route(&parts, body).await {
            Ok(r) => r,
            Err(e) => json_response(
                StatusCode::from_u16(e.code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
                &e.status,
            ),
        };
        resp.headers_mut().insert(
            "audit-id",
            HeaderValue::from_static("00000000-0000-0000-0000-000000000000"),
        );
        resp
    }
}

async fn accept_loop(
    server: ApiServer,
    listener: tokio::net::TcpListener,
    mut stop: watch::Receiver<bool>,
) {
    let mut conns = tokio::task::JoinSet::new();
    loop {
        tokio::select! {
            _ = stop.changed() => break,
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let server = server.clone();
                conns.spawn(async move {
                    let io = hyper_util::rt::TokioIo::new(stream);
                    let svc = hyper::service::service_fn(move |req: Request<hyper::body::Incoming>| {
                        let server = server.clone();
                        async move {
                            let (parts, body) = req.into_parts();
                            let bytes = match body.collect().await {
                                Ok(b) => b.to_bytes(),
                                Err(_) => Bytes::new(),
                            };
                            Ok::<_, Infallible>(server.handle(Request::from_parts(parts, bytes)).await)
                        }
                    });
                    let _ = hyper::server::conn::http1::Builder::new().serve_connection(io, svc).await;
                });
            }
            Some(_) = conns.join_next(), if !conns.is_empty() => {}
        }
    }
    // Dropping the set aborts every connection: in-flight watches are cut.
    conns.abort_all();
    while conns.join_next().await.is_some() {}
}

/// A running HTTP server.
#[derive(Debug)]
pub struct ServerHandle {
    addr: SocketAddr,
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
    server: ApiServer,
}

impl ServerHandle {
    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The base URL, e.g. `http://127.0.0.1:41234`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The server (and through it the tracker).
    pub fn server(&self) -> &ApiServer {
        &self.server
    }

    /// A kubeconfig (YAML) with one context `crdgen` pointing at this server, for
    /// `kubectl --kubeconfig`.
    pub fn kubeconfig_yaml(&self) -> String {
        format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: crdgen\n  cluster:\n    server: {}\ncontexts:\n- name: crdgen\n  context:\n    cluster: crdgen\n    user: crdgen\n    namespace: default\ncurrent-context: crdgen\nusers:\n- name: crdgen\n  user: {{}}\npreferences: {{}}\n",
            self.url()
        )
    }

    /// The kubeconfig as [`kube::config::Kubeconfig`].
    pub fn kubeconfig(&self) -> kube::config::Kubeconfig {
        kube::config::Kubeconfig::from_yaml(&self.kubeconfig_yaml())
            .expect("the generated kubeconfig is valid")
    }

    /// A [`kube::Config`] for this server.
    pub fn client_config(&self) -> kube::Config {
        let uri: http::Uri = self
            .url()
            .parse()
            .expect("a socket address makes a valid URI");
        kube::Config::new(uri)
    }

    /// A [`kube::Client`] talking to this server over HTTP.
    pub fn client(&self) -> Result<kube::Client, kube::Error> {
        kube::Client::try_from(self.client_config())
    }

    /// Stop serving: close the listener and cut every connection (watches end
    /// abruptly). The objects stay in the tracker.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }

    /// Shut down and serve again on the same address with the same state, as a
    /// restarting API server does.
    pub async fn restart(self) -> std::io::Result<ServerHandle> {
        let (addr, server) = (self.addr, self.server.clone());
        self.shutdown().await;
        let mut last = None;
        for _ in 0..50 {
            match server.serve(addr).await {
                Ok(h) => return Ok(h),
                Err(e) => last = Some(e),
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        Err(last.unwrap_or_else(|| std::io::Error::other("could not rebind")))
    }
}

/// Serve CRDs (JSON values) on `addr` until Ctrl-C: the entry point of `crdgen serve`.
/// Prints the URL on stderr.
pub async fn serve_crds(
    crds: Vec<Value>,
    addr: SocketAddr,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let mut b = ApiServer::builder();
    for c in crds {
        b = b.crd(c);
    }
    let server = b.build()?;
    let handle = server.serve(addr).await?;
    eprintln!("crdgen API server listening on {}", handle.url());
    tokio::signal::ctrl_c().await?;
    handle.shutdown().await;
    Ok(())
}

// ----------------------------------------------------------------------------------
// The in-process tower service

/// The server as a [`tower_service::Service`] (for [`kube::Client::new`]).
#[derive(Debug, Clone)]
pub struct ApiService {
    server: ApiServer,
}

impl<B> tower_service::Service<Request<B>> for ApiService
where
    B: hyper::body::Body + Send + 'static,
    B::Data: Send,
{
    type Response = Response<Body>;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response<Body>, Infallible>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: Request<B>) -> Self::Future {
        let server = self.server.clone();
        Box::pin(async move {
            let (parts, body) = req.into_parts();
            let bytes = match body.collect().await {
                Ok(b) => b.to_bytes(),
                Err(_) => Bytes::new(),
            };
            Ok(server.handle(Request::from_parts(parts, bytes)).await)
        })
    }
}

// ----------------------------------------------------------------------------------
// Responses

fn full(bytes: impl Into<Bytes>) -> Body {
    Full::new(bytes.into())
        .map_err(|never| match never {})
        .boxed_unsync()
}

fn json_response(code: StatusCode, v: &Value) -> Response<Body> {
    let mut r = Response::new(full(v.to_string()));
    *r.status_mut() = code;
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    r
}

fn with_warnings(mut r: Response<Body>, warnings: &[String]) -> Response<Body> {
    for w in warnings {
        let text = format!("299 - {}", Value::String(w.clone()));
        if let Ok(v) = HeaderValue::from_str(&text) {
            r.headers_mut().append("warning", v);
        }
    }
    r
}

// ----------------------------------------------------------------------------------
// Query strings

#[derive(Debug, Default)]
struct Query(Vec<(String, String)>);

impl Query {
    fn parse(q: Option<&str>) -> Self {
        let mut out = Vec::new();
        for pair in q.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            out.push((decode(k), decode(v)));
        }
        Query(out)
    }

    fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    fn flag(&self, key: &str) -> bool {
        matches!(self.get(key), Some("true" | "1" | "True"))
    }

    fn dry_run(&self) -> bool {
        self.0.iter().any(|(k, v)| k == "dryRun" && v == "All")
    }
}

fn decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => {
                let hex = std::str::from_utf8(&b[i + 1..i + 3])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(x) => {
                        out.push(x);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

// ----------------------------------------------------------------------------------
// Routing

/// What a `/apis/...` path addresses.
#[derive(Debug)]
struct Target {
    gvr: Gvr,
    namespace: Option<String>,
    name: Option<String>,
    sub: Option<String>,
}

fn parse_body(body: &Bytes) -> Result<Value, StatusError> {
    serde_json::from_slice(body)
        .map_err(|e| StatusError::bad_request(format!("error decoding request body: {e}")))
}

fn write_options(q: &Query) -> Result<WriteOptions, StatusError> {
    let field_validation = match q.get("fieldValidation") {
        None | Some("") | Some("Warn") => FieldValidation::Warn,
        Some("Ignore") => FieldValidation::Ignore,
        Some("Strict") => FieldValidation::Strict,
        Some(other) => {
            return Err(StatusError::bad_request(format!(
                "fieldValidation must be one of \"Ignore\", \"Warn\", or \"Strict\", got {other:?}"
            )));
        }
    };
    if let Some(d) = q.0.iter().find(|(k, v)| k == "dryRun" && v != "All") {
        return Err(StatusError::bad_request(format!(
            "unsupported dry run option {:?}",
            d.1
        )));
    }
    Ok(WriteOptions {
        dry_run: q.dry_run(),
        field_manager: q.get("fieldManager").map(str::to_owned),
        field_validation,
        force: q.flag("force"),
    })
}

fn accepts_table(parts: &http::request::Parts) -> bool {
    parts
        .headers
        .get_all(header::ACCEPT)
        .iter()
        .any(|v| v.to_str().unwrap_or("").contains("as=Table"))
}

/// `Some("v2")` / `Some("v2beta1")` when aggregated discovery is requested.
fn aggregated_discovery(parts: &http::request::Parts) -> Option<&'static str> {
    let accept: String = parts
        .headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect::<Vec<_>>()
        .join(",");
    for media in accept.split(',') {
        if media.contains("as=APIGroupDiscoveryList") && media.contains("g=apidiscovery.k8s.io") {
            if media.contains("v=v2beta1") {
                return Some("v2beta1");
            }
            if media.contains("v=v2") {
                return Some("v2");
            }
        }
    }
    None
}

impl ApiServer {
    async fn route(
        &self,
        parts: &http::request::Parts,
        body: Bytes,
    ) -> Result<Response<Body>, StatusError> {
        let path = parts.uri.path().trim_end_matches('/');
        let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        let q = Query::parse(parts.uri.query());
        let get = parts.method == Method::GET;
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
                list["groups"]
                    .as_array()
                    .and_then(|g| g.iter().find(|x| x["name"] == *group))
                    .map(|g| {
                        let mut g = g.clone();
                        g["kind"] = json!("APIGroup");
                        g["apiVersion"] = json!("v1");
                        json_response(StatusCode::OK, &g)
                    })
                    .ok_or_else(StatusError::no_route)
            }
            ["apis", group, version] if get => {
                let list = resource_list(&self.inner.tracker.kinds(), group, version)
                    .ok_or_else(StatusError::no_route)?;
                Ok(json_response(StatusCode::OK, &list))
            }
            ["apis", group, version, rest @ ..] => {
                let target = self.target(group, version, rest)?;
                self.resource(parts, &q, target, body).await
            }
            _ => Err(StatusError::no_route()),
        }
    }

    fn target(&self, group: &str, version: &str, rest: &[&str]) -> Result<Target, StatusError> {
        let (namespace, rest) = match rest {
            ["namespaces", ns, rest @ ..] if !rest.is_empty() => (Some((*ns).to_owned()), rest),
            _ => (None, rest),
        };
        let (resource, name, sub) = match rest {
            [r] => (*r, None, None),
            [r, n] => (*r, Some((*n).to_owned()), None),
            [r, n, s] => (*r, Some((*n).to_owned()), Some((*s).to_owned())),
            _ => return Err(StatusError::no_route()),
        };
        let kind = self
            .inner
            .tracker
            .kind(group, resource)
            .ok_or_else(StatusError::no_route)?;
        // A namespaced kind may be listed across namespaces, nothing else without one;
        // a cluster-scoped kind is never under /namespaces/.
        if kind.namespaced && namespace.is_none() && name.is_some() {
            return Err(StatusError::no_route());
        }
        if !kind.namespaced && namespace.is_some() {
            return Err(StatusError::no_route());
        }
        Ok(Target {
            gvr: Gvr::new(group, version, resource),
            namespace,
            name,
            sub,
        })
    }

    /// Register the kind a stored CRD defines and mark the CRD established (as the
    /// real server's controllers do, in a status update clients can watch).
    fn serve_crd(&self, crd: &Value) -> Result<Value, StatusError> {
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

    async fn resource(
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
            Some(_) => return Err(StatusError::no_route()),
        };
        let method = &parts.method;
        let Some(name) = t.name.as_deref() else {
            // Collection.
            return match *method {
                Method::GET if q.flag("watch") => self.watch(&t.gvr, ns, q),
                Method::GET => {
                    let list = tracker.list(&t.gvr, ns, &list_options(q))?;
                    if accepts_table(parts) {
                        return Ok(json_response(
                            StatusCode::OK,
                            &table(&kind, &ver, &list, true, q),
                        ));
                    }
                    Ok(json_response(StatusCode::OK, &list))
                }
                Method::POST => {
                    let obj = parse_body(&body)?;
                    let is_crd = t.gvr.group == CRD_GROUP && t.gvr.resource == CRD_RESOURCE;
                    if is_crd {
                        KindInfo::from_crd(&obj).map_err(|e| crd_invalid(&obj, &e))?;
                    }
                    let opts = write_options(q)?;
                    let mut reply = tracker.create(&t.gvr, ns, obj, &opts)?;
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
                if accepts_table(parts) && sub == Subresource::None {
                    let list = json!({"metadata": {"resourceVersion": obj["metadata"]["resourceVersion"]}, "items": [obj]});
                    return Ok(json_response(
                        StatusCode::OK,
                        &table(&kind, &ver, &list, false, q),
                    ));
                }
                Ok(json_response(StatusCode::OK, &obj))
            }
            Method::PUT => {
                let obj = parse_body(&body)?;
                let is_crd = t.gvr.group == CRD_GROUP && t.gvr.resource == CRD_RESOURCE;
                if is_crd && sub == Subresource::None {
                    KindInfo::from_crd(&obj).map_err(|e| crd_invalid(&obj, &e))?;
                }
                let opts = write_options(q)?;
                let mut reply = tracker.update(&t.gvr, ns, name, obj, sub, &opts)?;
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
                let opts = write_options(q)?;
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

    fn watch(&self, gvr: &Gvr, ns: Option<&str>, q: &Query) -> Result<Response<Body>, StatusError> {
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

    fn namespaces(
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

fn uid_for(name: &str) -> String {
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

fn list_options(q: &Query) -> ListOptions {
    ListOptions {
        label_selector: q.get("labelSelector").map(str::to_owned),
        field_selector: q.get("fieldSelector").map(str::to_owned),
        limit: q.get("limit").and_then(|l| l.parse().ok()),
        continue_token: q.get("continue").map(str::to_owned),
        resource_version: q.get("resourceVersion").map(str::to_owned),
        resource_version_match: q.get("resourceVersionMatch").map(str::to_owned),
    }
}

fn delete_options(q: &Query, body: &Bytes) -> Result<DeleteOptions, StatusError> {
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
        if let Some(p) = v.get("preconditions") {
            d.precondition_uid = p.get("uid").and_then(Value::as_str).map(str::to_owned);
            d.precondition_resource_version = p
                .get("resourceVersion")
                .and_then(Value::as_str)
                .map(str::to_owned);
        }
    }
    if let Some(p) = d.propagation_policy.as_deref()
        && !matches!(p, "Orphan" | "Background" | "Foreground")
    {
        return Err(StatusError::new(
            422,
            "Invalid",
            format!(
                "DeleteOptions.meta.k8s.io \"\" is invalid: propagationPolicy: Unsupported value: {p:?}: supported values: \"Foreground\", \"Background\", \"Orphan\", \"nil\""
            ),
            None,
        ));
    }
    Ok(d)
}

// ----------------------------------------------------------------------------------
// Discovery

fn version_info() -> Value {
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
fn version_key(v: &str) -> (u8, u64, u64, String) {
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

fn sort_versions(vs: &mut [String]) {
    vs.sort_by(|a, b| {
        let (ka, kb) = (version_key(a), version_key(b));
        if ka.0 == 0 && kb.0 == 0 {
            ka.3.cmp(&kb.3)
        } else {
            (kb.0, kb.1, kb.2).cmp(&(ka.0, ka.1, ka.2))
        }
    });
}

fn groups(kinds: &[Arc<KindInfo>]) -> Vec<(String, Vec<String>)> {
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

fn group_list(kinds: &[Arc<KindInfo>]) -> Value {
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

const VERBS: &[&str] = &[
    "delete",
    "deletecollection",
    "get",
    "list",
    "patch",
    "create",
    "update",
    "watch",
];
const SUB_VERBS: &[&str] = &["get", "patch", "update"];

fn resource_list(kinds: &[Arc<KindInfo>], group: &str, version: &str) -> Option<Value> {
    let mut resources = Vec::new();
    let mut any = false;
    for k in kinds.iter().filter(|k| k.group == group) {
        let Some(v) = k.served_version(version) else {
            continue;
        };
        any = true;
        let mut r = json!({
            "name": k.plural, "singularName": k.singular, "namespaced": k.namespaced, "kind": k.kind,
            "verbs": VERBS, "storageVersionHash": uid_for(&k.qualified_resource())[..11].to_owned(),
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

fn core_resource_list() -> Value {
    json!({"kind": "APIResourceList", "groupVersion": "v1", "resources": [
        {"name": "namespaces", "singularName": "namespace", "namespaced": false, "kind": "Namespace",
         "verbs": ["create", "get", "list"], "shortNames": ["ns"]}
    ]})
}

fn discovery_response(version: &str, items: Vec<Value>) -> Response<Body> {
    let body = json!({"kind": "APIGroupDiscoveryList", "apiVersion": format!("apidiscovery.k8s.io/{version}"), "metadata": {}, "items": items});
    let mut r = json_response(StatusCode::OK, &body);
    let ct = format!("application/json;g=apidiscovery.k8s.io;v={version};as=APIGroupDiscoveryList");
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&ct).expect("ASCII"),
    );
    r
}

fn core_group_discovery() -> Value {
    json!({"metadata": {"creationTimestamp": null}, "versions": [{"version": "v1", "freshness": "Current", "resources": [
        {"resource": "namespaces", "responseKind": {"group": "", "version": "v1", "kind": "Namespace"}, "scope": "Cluster",
         "singularResource": "namespace", "verbs": ["create", "get", "list"], "shortNames": ["ns"]}
    ]}]})
}

fn group_discovery(kinds: &[Arc<KindInfo>]) -> Vec<Value> {
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
            json!({"metadata": {"name": g, "creationTimestamp": null}, "versions": versions})
        })
        .collect()
}

// ----------------------------------------------------------------------------------
// OpenAPI v3 (what kubectl reads: server-side field validation support, patch types,
// and the schemas for `kubectl explain`)

fn openapi_v3_root(kinds: &[Arc<KindInfo>]) -> Value {
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

const PATCH_TYPES: &[&str] = &[
    "application/json-patch+json",
    "application/merge-patch+json",
    "application/apply-patch+yaml",
];

fn query_params() -> Value {
    let p = |name: &str| json!({"name": name, "in": "query", "schema": {"type": "string", "uniqueItems": true}});
    json!([
        p("dryRun"),
        p("fieldManager"),
        p("fieldValidation"),
        p("force")
    ])
}

fn openapi_operations(
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

fn schema_name(group: &str, version: &str, kind: &str) -> String {
    let reversed: Vec<&str> = group.split('.').rev().collect();
    format!("{}.{version}.{kind}", reversed.join("."))
}

fn openapi_v3_group_version(kinds: &[Arc<KindInfo>], group: &str, version: &str) -> Option<Value> {
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

fn openapi_v3_core() -> Value {
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

// ----------------------------------------------------------------------------------
// Tables (server-side printing for kubectl get)

fn table(
    kind: &KindInfo,
    ver: &crate::tracker::VersionInfo,
    list: &Value,
    is_list: bool,
    q: &Query,
) -> Value {
    let _ = q;
    let mut columns = vec![
        json!({"name": "Name", "type": "string", "format": "name", "description": "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names", "priority": 0}),
    ];
    let printer: Vec<Value> = if ver.printer_columns.is_empty() {
        vec![
            json!({"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp", "description": "CreationTimestamp is a timestamp representing the server time when this object was created."}),
        ]
    } else {
        ver.printer_columns.clone()
    };
    for c in &printer {
        columns.push(json!({
            "name": c.get("name").cloned().unwrap_or(json!("")),
            "type": c.get("type").cloned().unwrap_or(json!("string")),
            "format": c.get("format").cloned().unwrap_or(json!("")),
            "description": c.get("description").cloned().unwrap_or(json!("")),
            "priority": c.get("priority").cloned().unwrap_or(json!(0)),
        }));
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let rows: Vec<Value> = list["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|o| {
                    let mut cells = vec![o["metadata"]["name"].clone()];
                    for c in &printer {
                        let path = c.get("jsonPath").and_then(Value::as_str).unwrap_or("");
                        let v = path
                            .trim_start_matches('.')
                            .split('.')
                            .filter(|s| !s.is_empty())
                            .try_fold(o, |v, s| v.get(s))
                            .cloned()
                            .unwrap_or(Value::Null);
                        let cell = match (c.get("type").and_then(Value::as_str), &v) {
                            (Some("date"), Value::String(ts)) => json!(human_age(now, ts)),
                            (_, Value::Null) => Value::Null,
                            (_, Value::String(_) | Value::Number(_) | Value::Bool(_)) => v,
                            (_, other) => json!(other.to_string()),
                        };
                        cells.push(cell);
                    }
                    let meta = json!({"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": o["metadata"]});
                    json!({"cells": cells, "object": meta})
                })
                .collect()
        })
        .unwrap_or_default();
    let mut meta = json!({"resourceVersion": list["metadata"]["resourceVersion"]});
    if is_list && let Some(c) = list["metadata"].get("continue") {
        meta["continue"] = c.clone();
    }
    let _ = kind;
    json!({"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": meta, "columnDefinitions": columns, "rows": rows})
}

/// `kubectl`'s short human duration since an RFC 3339 timestamp (`5s`, `3m`, `2d`).
fn human_age(now: u64, ts: &str) -> String {
    let Some(then) = parse_rfc3339(ts) else {
        return "<unknown>".into();
    };
    let d = now.saturating_sub(then);
    match d {
        0..=119 => format!("{d}s"),
        120..=599 => format!("{}m{}s", d / 60, d % 60),
        600..=10_799 => format!("{}m", d / 60),
        10_800..=172_799 => format!("{}h", d / 3600),
        _ => format!("{}d", d / 86_400),
    }
}

fn parse_rfc3339(ts: &str) -> Option<u64> {
    let b = ts.as_bytes();
    if b.len() < 19 {
        return None;
    }
    let n = |r: std::ops::Range<usize>| ts.get(r)?.parse::<i64>().ok();
    let (y, m, d, hh, mm, ss) = (
        n(0..4)?,
        n(5..7)?,
        n(8..10)?,
        n(11..13)?,
        n(14..16)?,
        n(17..19)?,
    );
    let y2 = if m <= 2 { y - 1 } else { y };
    let era = y2.div_euclid(400);
    let yoe = y2 - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    u64::try_from(days * 86_400 + hh * 3600 + mm * 60 + ss).ok()
}

/// 422 for a CRD the server cannot serve, naming it like the real server does.
fn crd_invalid(crd: &Value, why: &str) -> StatusError {
    let name = crd
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let invalid = crdgen_apiext::validate(crd);
    if !invalid.is_empty() {
        return StatusError {
            code: 422,
            status: crdgen_apiext::invalid_status(name, &invalid),
        };
    }
    StatusError::new(
        422,
        "Invalid",
        format!("CustomResourceDefinition.apiextensions.k8s.io \"{name}\" is invalid: {why}"),
        None,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_priority() {
        let mut v: Vec<String> = [
            "v1alpha1",
            "v1",
            "foo",
            "v2beta1",
            "v1beta2",
            "v2",
            "v11alpha2",
            "bar",
        ]
        .iter()
        .map(|s| (*s).into())
        .collect();
        sort_versions(&mut v);
        assert_eq!(
            v,
            [
                "v2",
                "v1",
                "v2beta1",
                "v1beta2",
                "v11alpha2",
                "v1alpha1",
                "bar",
                "foo"
            ]
        );
    }

    #[test]
    fn query_decoding() {
        let q = Query::parse(Some("labelSelector=app%3Dweb%2Ctier+in+(a)&watch=1"));
        assert_eq!(q.get("labelSelector"), Some("app=web,tier in (a)"));
        assert!(q.flag("watch"));
        assert_eq!(decode("%"), "%");
        assert_eq!(decode("%4"), "%4");
    }

    #[test]
    fn rfc3339_round_trip() {
        assert_eq!(parse_rfc3339("1970-01-02T00:00:01Z"), Some(86_401));
        assert_eq!(parse_rfc3339("2024-02-29T23:59:59Z"), Some(1_709_251_199));
    }
}
