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

mod decode;

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
            KindInfo::from_crd(crd)?;
            // Also readable as an object, as on a real server (`kubectl get crd`);
            // the kind's watch cache starts at the CRD's resourceVersion.
            tracker
                .add(established(crd.clone()))
                .map_err(|e| e.message().to_owned())?;
            tracker.register_crd(crd)?;
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
                            let resp = server.handle(Request::from_parts(parts, bytes)).await;
                            if resp.extensions().get::<DropConnection>().is_some() {
                                return Err(std::io::Error::other("connection dropped"));
                            }
                            Ok(resp)
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

/// Marks a response the socket server does not send: it closes the connection
/// instead, as kube-apiserver does when its handler panics.
#[derive(Debug, Clone, Copy)]
struct DropConnection;

/// The mux's answer to a path no handler serves.
fn page_not_found() -> Response<Body> {
    let mut r = Response::new(full("404 page not found\n"));
    *r.status_mut() = StatusCode::NOT_FOUND;
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    r.headers_mut().insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    r
}

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

/// Put `warning` first among the response's warnings (once).
fn with_warning_first(mut r: Response<Body>, warning: &str) -> Response<Body> {
    let text = format!("299 - {}", Value::String(warning.to_owned()));
    let rest: Vec<HeaderValue> = r
        .headers()
        .get_all("warning")
        .iter()
        .filter(|v| v.to_str().ok() != Some(text.as_str()))
        .cloned()
        .collect();
    r.headers_mut().remove("warning");
    if let Ok(v) = HeaderValue::from_str(&text) {
        r.headers_mut().append("warning", v);
    }
    for v in rest {
        r.headers_mut().append("warning", v);
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

/// The manager of a write without `fieldManager`: the User-Agent up to its first `/`
/// (printable characters, at most 128 bytes), `unknown` without one.
fn manager_from_user_agent(parts: &http::request::Parts) -> String {
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
fn write_options(
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
                    kind: crate::schema::FieldErrorKind::NotSupported,
                    field: "fieldValidation".into(),
                    bad_value: Some(json!(other)),
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
                kind: crate::schema::FieldErrorKind::NotSupported,
                field: "dryRun".into(),
                bad_value: Some(json!(dry)),
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
enum Render {
    Plain,
    /// `as=Table` (`meta.k8s.io` version `v1` or `v1beta1`).
    Table(&'static str),
    /// `as=PartialObjectMetadata` / `as=PartialObjectMetadataList`.
    Metadata,
}

fn render(parts: &http::request::Parts) -> Render {
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

/// `Some("v2")` when aggregated discovery is requested (kube-apiserver 1.36 no longer
/// serves `v2beta1`).
fn aggregated_discovery(parts: &http::request::Parts) -> Option<&'static str> {
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
fn accept_media(parts: &http::request::Parts) -> Vec<(String, Vec<(String, String)>)> {
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
fn acceptable(parts: &http::request::Parts, discovery: bool) -> bool {
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

fn not_acceptable() -> StatusError {
    StatusError::new(
        406,
        "NotAcceptable",
        "only the following media types are accepted: application/json, application/yaml, application/vnd.kubernetes.protobuf",
        None,
    )
}

/// kube-apiserver's limit on request bodies.
const MAX_REQUEST_BODY: usize = 3 * 1024 * 1024;

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
                            (Err(e), Some(w)) => with_warning_first(
                                json_response(
                                    StatusCode::from_u16(e.code)
                                        .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
                                    &e.status,
                                ),
                                &w,
                            ),
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
    fn target(&self, method: &Method, group: &str, version: &str, rest: &[&str]) -> Option<Target> {
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
                    Ok(json_response(StatusCode::OK, &body))
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
                let body = match (render(parts), sub) {
                    (Render::Table(v), Subresource::None) => {
                        let list = json!({"metadata": {"resourceVersion": obj["metadata"]["resourceVersion"]}, "items": [obj]});
                        table(&kind, &ver, &list, false, q, v)
                    }
                    (Render::Metadata, Subresource::None) => partial_object_metadata(&obj),
                    _ => obj,
                };
                Ok(json_response(StatusCode::OK, &body))
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
    fn deprecation_warning(&self, gvr: &Gvr) -> Option<String> {
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
    fn decode_write(
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
                    kind: crate::schema::FieldErrorKind::NotSupported,
                    field: "propagationPolicy".into(),
                    bad_value: Some(json!(p)),
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

// ----------------------------------------------------------------------------------
// Discovery

/// `discovery.StorageVersionHash`: base64 of the first 8 bytes of the SHA-256 of
/// `group/version/kind` at the storage version.
fn storage_version_hash(group: &str, version: &str, kind: &str) -> String {
    let digest = sha256(format!("{group}/{version}/{kind}").as_bytes());
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(&digest[..8])
}

/// SHA-256 (FIPS 180-4), for the storage version hash only.
fn sha256(data: &[u8]) -> [u8; 32] {
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
            json!({"metadata": {"name": g}, "versions": versions})
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
    version: &str,
) -> Value {
    let mut columns = vec![
        json!({"name": "Name", "type": "string", "format": "name", "description": "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names", "priority": 0}),
    ];
    let printer: Vec<Value> = if ver.printer_columns.is_empty() {
        vec![
            json!({"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp", "description": "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata"}),
        ]
    } else {
        ver.printer_columns.clone()
    };
    for c in &printer {
        columns.push(json!({
            "name": c.get("name").cloned().unwrap_or(json!("")),
            "type": c.get("type").cloned().unwrap_or(json!("string")),
            "format": c.get("format").cloned().unwrap_or(json!("")),
            "description": c.get("description").cloned().unwrap_or_else(|| json!(format!(
                "Custom resource definition column (in JSONPath format): {}",
                c.get("jsonPath").and_then(Value::as_str).unwrap_or("")
            ))),
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
                    let object = match q.get("includeObject") {
                        Some("None") => Value::Null,
                        Some("Object") => o.clone(),
                        _ => {
                            let mut m = partial_object_metadata(o);
                            m["apiVersion"] = json!(format!("meta.k8s.io/{version}"));
                            m
                        }
                    };
                    json!({"cells": cells, "object": object})
                })
                .collect()
        })
        .unwrap_or_default();
    let mut meta = json!({"resourceVersion": list["metadata"]["resourceVersion"]});
    if is_list && let Some(c) = list["metadata"].get("continue").filter(|c| *c != "") {
        meta["continue"] = c.clone();
        if let Some(r) = list["metadata"].get("remainingItemCount") {
            meta["remainingItemCount"] = r.clone();
        }
    }
    let _ = kind;
    json!({"kind": "Table", "apiVersion": format!("meta.k8s.io/{version}"), "metadata": meta, "columnDefinitions": columns, "rows": rows})
}

/// An object's `PartialObjectMetadata` (`as=PartialObjectMetadata`, Table rows).
fn partial_object_metadata(o: &Value) -> Value {
    json!({"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": o["metadata"]})
}

/// A list as `PartialObjectMetadataList`.
fn partial_object_metadata_list(list: &Value) -> Value {
    let items: Vec<Value> = list["items"]
        .as_array()
        .into_iter()
        .flatten()
        .map(partial_object_metadata)
        .collect();
    let mut meta = json!({"resourceVersion": list["metadata"]["resourceVersion"]});
    if let Some(c) = list["metadata"].get("continue").filter(|c| *c != "") {
        meta["continue"] = c.clone();
    }
    json!({"kind": "PartialObjectMetadataList", "apiVersion": "meta.k8s.io/v1", "metadata": meta, "items": items})
}

/// `kubectl`'s short human duration since an RFC 3339 timestamp (`5s`, `3m`, `2d`).
fn human_age(now: u64, ts: &str) -> String {
    let Some(then) = parse_rfc3339(ts) else {
        return "<unknown>".into();
    };
    // kubectl's HumanDuration: a time in the future is "<invalid>".
    let Some(d) = now.checked_sub(then) else {
        return "<invalid>".into();
    };
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
    fn storage_version_hash_as_kube_apiserver() {
        // Recorded from kube-apiserver v1.36 discovery.
        assert_eq!(
            storage_version_hash("e2e.example.com", "v1", "Widget"),
            "opVW5ubj27s="
        );
        assert_eq!(
            storage_version_hash("multi.example.com", "v1", "Thing"),
            "DNtqEhTLol8="
        );
    }

    #[test]
    fn rfc3339_round_trip() {
        assert_eq!(parse_rfc3339("1970-01-02T00:00:01Z"), Some(86_401));
        assert_eq!(parse_rfc3339("2024-02-29T23:59:59Z"), Some(1_709_251_199));
    }
}
