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
//!   `/livez`, `/readyz`; OpenAPI v3 (`/openapi/v3` and one document per group/version
//!   with the kinds' schemas);
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
//! upgrades, OpenAPI v2 (`/openapi/v2` is `404`), and CRDs themselves (kinds are
//! registered up front, not through `apiextensions.k8s.io`).

mod decode;
mod discovery;
mod handlers;
mod routing;
mod table;

use discovery::*;
use handlers::*;
use routing::*;
use table::*;

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
            Err(e) => error_response(&e),
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

/// The response of an error: its Status and the warnings that go with it.
fn error_response(e: &StatusError) -> Response<Body> {
    let (code, body) = e.code_and_body();
    with_warnings(
        json_response(
            StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            body,
        ),
        &e.warnings,
    )
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
pub(crate) struct Query(Vec<(String, String)>);

impl Query {
    pub(crate) fn parse(q: Option<&str>) -> Self {
        let mut out = Vec::new();
        for pair in q.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            out.push((decode(k), decode(v)));
        }
        Query(out)
    }

    pub(crate) fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    pub(crate) fn flag(&self, key: &str) -> bool {
        matches!(self.get(key), Some("true" | "1" | "True"))
    }

    pub(crate) fn dry_run(&self) -> bool {
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
