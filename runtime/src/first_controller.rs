//! # Your first controller
//!
//! A controller watches objects of a kind, keeps a local cache of them, and for every
//! object that changed *reconciles*: compares what the object asks for with what is,
//! and acts. client-go's controllers are built from the same parts as this one:
//!
//! 1. a **kind**: Rust types for the CRD (generated from its YAML by `crdgen`, or written
//!    as structs with `#[derive(CrdSchema)]` as below);
//! 2. a [`SharedInformerFactory`](crate::informer::SharedInformerFactory): one watch per
//!    kind, feeding a cache and event handlers;
//! 3. a [`WorkQueue`](crate::queue::WorkQueue) of `namespace/name` keys, filled by the
//!    handlers, deduplicated, retried with backoff;
//! 4. workers that take a key, read the object from the
//!    [`Lister`](crate::lister::Lister) (the cache, never the API server) and write the
//!    result through a client.
//!
//! ## Cargo.toml
//!
//! ```toml
//! [dependencies]
//! crdgen-runtime = { version = "0.1", features = ["derive"] }
//! k8s-openapi = { version = "0.29", features = ["v1_36"] }  # your clusters' oldest version
//! serde = { version = "1", features = ["derive"] }
//! serde_json = "1"
//! tokio = { version = "1", features = ["macros", "rt-multi-thread"] }
//!
//! [dev-dependencies]
//! crdgen-runtime = { version = "0.1", features = ["derive", "server"] }  # FakeClient
//! ```
//!
//! `crdgen-runtime` re-exports [`kube`](https://docs.rs/kube/5) and
//! [`k8s_openapi`](https://docs.rs/k8s-openapi/0.29); only your binary picks the
//! Kubernetes version feature of k8s-openapi (libraries must not).
//!
//! ## The controller, tested against the in-memory API server
//!
//! This runs as it is (it is a test of this crate): the kind is a `Widget` asking for a
//! number of replicas, and the controller reports in its status what it saw. In
//! production, replace the [`FakeClient`](crate::fake::FakeClient) by
//! `kube::Client::try_default().await?` and apply `Widget::crd()` to the cluster
//! first (`serde_json::to_string(&Widget::crd())` is valid YAML for `kubectl apply`).
//!
//! ```
//! use std::sync::Arc;
//! use std::time::Duration;
//!
//! use crdgen_runtime::fake::FakeClient;
//! use crdgen_runtime::kube;
//! use crdgen_runtime::CrdSchema;
//! use crdgen_runtime::informer::{FnHandler, SharedInformerFactory};
//! use crdgen_runtime::kube::api::{Api, Patch, PatchParams, PostParams};
//! use crdgen_runtime::lister::Lister;
//! use crdgen_runtime::queue::WorkQueue;
//! use serde::{Deserialize, Serialize};
//!
//! /// What a widget asks for. The derive makes the `Widget` kind around it.
//! #[derive(CrdSchema, Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
//! #[crdgen(group = "example.com", version = "v1", kind = "Widget", plural = "widgets",
//!          storage, status = "WidgetStatus")]
//! pub struct WidgetSpec {
//!     /// How many replicas (the API server refuses what a `u16` cannot hold).
//!     pub replicas: u16,
//! }
//!
//! /// What the controller saw.
//! #[derive(CrdSchema, Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
//! pub struct WidgetStatus {
//!     /// The replicas the controller last saw asked for.
//!     pub observed: Option<u16>,
//! }
//!
//! /// The queue's key of an object: `namespace/name`.
//! fn key(w: &Widget) -> String {
//!     let ns = w.metadata.namespace.as_deref().unwrap_or_default();
//!     format!("{ns}/{}", w.metadata.name.as_deref().unwrap_or_default())
//! }
//!
//! /// Reconcile one key: read the cache, write the status.
//! async fn reconcile(client: &kube::Client, widgets: &Lister<Widget>, key: &str)
//!     -> Result<(), kube::Error> {
//!     let (ns, name) = key.split_once('/').unwrap_or(("", key));
//!     let Some(widget) = widgets.get(Some(ns), name) else {
//!         return Ok(()); // deleted since it was queued
//!     };
//!     let status = serde_json::json!({"status": {"observed": widget.spec.replicas}});
//!     let api: Api<Widget> = Api::namespaced(client.clone(), ns);
//!     api.patch_status(name, &PatchParams::default(), &Patch::Merge(&status)).await?;
//!     Ok(())
//! }
//!
//! #[tokio::main]
//! async fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     // The API server: in memory, serving the derive's CRD.
//!     let fake = FakeClient::with_crds([serde_json::to_value(Widget::crd())?])?;
//!     let client = fake.client();
//!
//!     // Informer → handlers → queue.
//!     let factory = SharedInformerFactory::new(client.clone(), Some(Duration::from_secs(600)));
//!     let informer = factory.informer_for::<Widget>();
//!     let queue = WorkQueue::<String>::new();
//!     let (on_add, on_update) = (queue.clone(), queue.clone());
//!     informer.add_event_handler(
//!         FnHandler::new()
//!             .add_func(move |w: &Arc<Widget>| on_add.add(key(w)))
//!             .update_func(move |_old, new: &Arc<Widget>| on_update.add(key(new))),
//!     );
//!     let widgets = informer.lister();
//!     factory.start()?;
//!     assert!(factory.wait_for_cache_sync().await, "synced");
//!
//!     // A worker: one key at a time, retried with backoff on errors.
//!     let worker = tokio::spawn({
//!         let (client, queue, widgets) = (client.clone(), queue.clone(), widgets.clone());
//!         async move {
//!             while let Some(key) = queue.get().await {
//!                 match reconcile(&client, &widgets, &key).await {
//!                     Ok(()) => queue.forget(&key),
//!                     Err(_) => queue.add_rate_limited(key.clone()),
//!                 }
//!                 queue.done(&key);
//!             }
//!         }
//!     });
//!
//!     // Someone creates a widget; the controller reports what it saw.
//!     let api: Api<Widget> = Api::namespaced(client.clone(), "default");
//!     api.create(&PostParams::default(), &Widget::new("w", WidgetSpec { replicas: 3 })).await?;
//!     let mut observed = None;
//!     for _ in 0..100 {
//!         observed = api.get("w").await?.status.and_then(|s| s.observed);
//!         if observed.is_some() {
//!             break;
//!         }
//!         tokio::time::sleep(Duration::from_millis(50)).await;
//!     }
//!     assert_eq!(observed, Some(3));
//!
//!     // Shut down: the queue first (workers finish their key), then the informers.
//!     queue.shut_down_with_drain().await;
//!     worker.await?;
//!     factory.shutdown().await;
//!     Ok(())
//! }
//! ```
//!
//! ## From here
//!
//! - Generated clients: with CRD YAML, `crdgen::Builder` in `build.rs` (or `crdgen
//!   generate`) writes the types *and* a typed `Clientset` and `InformerFactory`
//!   (`factory.example_com().v1().widgets()`); with structs as above,
//!   `crdgen::Builder::new().rust_types("src/", "crate")` writes the same client layer
//!   for them. `examples/sample-controller` in the repository is Kubernetes'
//!   sample-controller written that way (a `Foo` owning a Deployment).
//! - Objects that do not decode into your types (stored under an older schema, say)
//!   are left out of the cache and reported: see
//!   [`SharedIndexInformer::on_decode_error`](crate::informer::SharedIndexInformer::on_decode_error).
//! - [`controller::Controller`](crate::controller::Controller) gives this loop
//!   kube-runtime's interface (`reconcile` → `Action`, `error_policy`, `owns`,
//!   `watches`, a finalizer helper) on the same shared informers: one watch per kind
//!   however many controllers read it (kube-runtime's own `Controller` opens its own).
