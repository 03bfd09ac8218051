//! Two controllers of one kind sharing one informer: the generated
//! [`InformerFactory`]'s Widget informer (one watch, one cache) feeds
//!
//! - the **labeller**, which labels every Widget `example.com/size=<spec.size>`;
//! - the **reporter**, which writes `status.observedReplicas` and `status.phase`.
//!
//! Each controller has its own work queue and reconciles each Widget once at a time;
//! both read the same cached `Arc<Widget>`s. client-go and controller-runtime do the
//! same with one shared informer per type.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use crdgen_runtime::client::{Patch, PatchParams};
use crdgen_runtime::controller::{Action, ReconcileResult};
use futures::{Stream, StreamExt};
use kube::api::Api;

/// The code crdgen generated from `crds/widget.yaml`.
pub mod crds {
    include!(concat!(env!("OUT_DIR"), "/crds.rs"));
}

use crds::InformerFactory;
use crds::example_com::v1::Widget;

/// The label the labeller maintains.
pub const SIZE_LABEL: &str = "example.com/size";

/// The `Widget` CustomResourceDefinition as JSON (`two-controllers crd | kubectl apply -f -`).
pub fn widget_crd() -> serde_json::Value {
    serde_json::from_str(include_str!(concat!(env!("OUT_DIR"), "/widget-crd.json")))
        .expect("build.rs wrote the CRD as JSON")
}

/// Both controllers' context: the client to write with.
pub struct Context {
    /// The client both controllers write through.
    pub client: kube::Client,
}

fn api(ctx: &Context, w: &Widget) -> Api<Widget> {
    Api::namespaced(
        ctx.client.clone(),
        w.metadata.namespace.as_deref().unwrap_or_default(),
    )
}

/// Label a Widget with its size (a metadata patch, only when it differs).
pub async fn label(w: Arc<Widget>, ctx: Arc<Context>) -> Result<Action, kube::Error> {
    let size = w.spec.size.to_string();
    let current = w.metadata.labels.as_ref().and_then(|l| l.get(SIZE_LABEL));
    if current != Some(&size) {
        let name = w.metadata.name.as_deref().unwrap_or_default();
        let patch = serde_json::json!({"metadata": {"labels": {SIZE_LABEL: size}}});
        api(&ctx, &w)
            .patch(name, &PatchParams::default(), &Patch::Merge(&patch))
            .await?;
    }
    Ok(Action::await_change())
}

/// Report a Widget's replicas in its status (only when it differs).
pub async fn report(w: Arc<Widget>, ctx: Arc<Context>) -> Result<Action, kube::Error> {
    let replicas = w.spec.replicas.unwrap_or(1);
    let status = w.status.as_ref();
    if status.and_then(|s| s.observed_replicas) != Some(replicas)
        || status.and_then(|s| s.phase.as_deref()) != Some("Ready")
    {
        let name = w.metadata.name.as_deref().unwrap_or_default();
        let patch = serde_json::json!({"status": {"observedReplicas": replicas, "phase": "Ready"}});
        api(&ctx, &w)
            .patch_status(name, &PatchParams::default(), &Patch::Merge(&patch))
            .await?;
    }
    Ok(Action::requeue(Duration::from_secs(600)))
}

/// After an error: retry with the rate limiter's backoff.
pub fn retry(_: Arc<Widget>, _: &kube::Error, _: Arc<Context>) -> Action {
    Action::requeue(Duration::ZERO)
}

/// The two controllers' result streams, on `factory`'s one Widget informer. Start the
/// factory (`factory.start()`) and drive both streams.
pub fn controllers<S>(
    factory: &InformerFactory,
    ctx: Arc<Context>,
    shutdown: S,
) -> impl Stream<Item = (&'static str, ReconcileResult<Widget, kube::Error>)> + Send + use<S>
where
    S: Future<Output = ()> + Send + 'static,
{
    let shutdown = futures::FutureExt::shared(Box::pin(shutdown));
    let widgets = factory.example_com_v1();
    let labeller = widgets
        .widgets_controller()
        .graceful_shutdown_on(shutdown.clone())
        .run(label, retry, ctx.clone())
        .map(|r| ("labeller", r));
    let reporter = widgets
        .widgets_controller()
        .graceful_shutdown_on(shutdown)
        .run(report, retry, ctx)
        .map(|r| ("reporter", r));
    futures::stream::select(labeller, reporter)
}
