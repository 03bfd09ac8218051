//! A port of Kubernetes' [sample-controller](https://github.com/kubernetes/sample-controller)
//! to crdgen: a `Foo` (group `samplecontroller.k8s.io/v1alpha1`) names a Deployment
//! and a replica count; the controller creates that Deployment (owned by the Foo),
//! keeps it at `spec.replicas`, and copies its `availableReplicas` into the Foo's
//! status.
//!
//! The shape is kube-runtime's, on crdgen's shared informers: the generated
//! [`InformerFactory`]'s `foos_controller()` is a
//! [`Controller`](crdgen_runtime::controller::Controller) on the Foo informer that
//! [`owns`](crdgen_runtime::controller::Controller::owns) the same factory's
//! `apps/v1` Deployment informer (one watch per kind, shared with anything else
//! using the factory); [`reconcile`] reads the Deployment from the shared cache and
//! writes through the generated clientset; [`error_policy`] retries with the
//! controller's rate-limited backoff.

// The kind is called `Foo`, as in Kubernetes' sample-controller.
#![allow(clippy::disallowed_names)]

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use crdgen_runtime::client::{Patch, PatchParams, PostParams};
use crdgen_runtime::controller::{self, Action, Config};
use crdgen_runtime::lister::Lister;
use futures::StreamExt;
use k8s_openapi::api::apps::v1::{Deployment, DeploymentSpec};
use k8s_openapi::api::core::v1::{Container, PodSpec, PodTemplateSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta, OwnerReference};
use kube::Resource;
use kube::api::Api;

/// The code crdgen generated from `crds/foo.yaml`.
pub mod crds {
    include!(concat!(env!("OUT_DIR"), "/crds.rs"));
}

use crds::samplecontroller_k8s_io::v1alpha1::{Foo, FooStatus};
use crds::{Clientset, InformerFactory};

/// The `Foo` CustomResourceDefinition as JSON (e.g. `sample-controller crd | kubectl apply -f -`).
pub fn foo_crd() -> serde_json::Value {
    serde_json::from_str(include_str!(concat!(env!("OUT_DIR"), "/foo-crd.json")))
        .expect("build.rs wrote the CRD as JSON")
}

/// Why a Foo could not be reconciled (it is retried with backoff).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An API call failed.
    #[error(transparent)]
    Api(#[from] crdgen_runtime::error::Error),
    /// The Deployment a Foo names exists and belongs to someone else.
    #[error("Resource {0:?} already exists and is not managed by Foo")]
    NotOwned(String),
}

impl From<kube::Error> for Error {
    fn from(e: kube::Error) -> Self {
        Error::Api(e.into())
    }
}

/// What [`reconcile`] works with: the clients and the Deployment cache.
pub struct Context {
    client: kube::Client,
    clientset: Clientset,
    deployments: Lister<Deployment>,
}

impl Context {
    /// The context of a controller over `client` whose informers come from `factory`.
    pub fn new(client: kube::Client, factory: &InformerFactory) -> Self {
        Context {
            clientset: Clientset::new(client.clone()),
            client,
            deployments: factory.informer_for::<Deployment>().lister(),
        }
    }
}

/// The Foo controller: Foos, and the Deployments they own, from `factory`'s shared
/// informers (started by the caller, with `factory.start()`).
pub fn controller(factory: &InformerFactory) -> controller::Controller<Foo> {
    factory
        .samplecontroller_k8s_io_v1alpha1()
        .foos_controller()
        .owns(factory.informer_for::<Deployment>())
}

/// Run [`controller`] with `concurrency` reconciles at once (`0`: no limit) until
/// `shutdown` completes, then stop the informers. Errors are logged and retried.
pub async fn run(
    client: kube::Client,
    factory: &InformerFactory,
    concurrency: u16,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), crdgen_runtime::informer::InformerError> {
    let ctx = Arc::new(Context::new(client, factory));
    let results = controller(factory)
        .with_config(Config::default().concurrency(concurrency))
        .graceful_shutdown_on(shutdown)
        .run(reconcile, error_policy, ctx);
    factory.start()?;
    eprintln!("sample-controller: running");
    results
        .for_each(|result| async move {
            if let Err(e) = result {
                eprintln!(
                    "sample-controller: {e}: {:?}",
                    std::error::Error::source(&e)
                );
            }
        })
        .await;
    eprintln!("sample-controller: shutting down");
    factory.shutdown().await;
    Ok(())
}

/// After an error: retry with the controller's rate limiter alone (per-key exponential
/// backoff, client-go's `AddRateLimited`).
pub fn error_policy(_: Arc<Foo>, _: &Error, _: Arc<Context>) -> Action {
    Action::requeue(Duration::ZERO)
}

/// Bring a Foo and its Deployment to the desired state: create the Deployment (owned
/// by the Foo), scale it to `spec.replicas`, copy its available replicas to the
/// Foo's status. The Foo is the informer's cached object (shared, not copied).
pub async fn reconcile(foo: Arc<Foo>, ctx: Arc<Context>) -> Result<Action, Error> {
    let namespace = foo.metadata.namespace.as_deref().unwrap_or_default();
    let deployment_name = foo.spec.deployment_name.as_str();
    if deployment_name.is_empty() {
        let name = foo.metadata.name.as_deref().unwrap_or_default();
        eprintln!("sample-controller: {namespace}/{name}: deployment name must be specified");
        return Ok(Action::await_change());
    }
    let api: Api<Deployment> = Api::namespaced(ctx.client.clone(), namespace);
    let mut deployment = match ctx.deployments.get(Some(namespace), deployment_name) {
        Some(d) => d,
        None => Arc::new(
            api.create(&PostParams::default(), &new_deployment(&foo))
                .await?,
        ),
    };
    if !is_controlled_by(&deployment, &foo) {
        return Err(Error::NotOwned(deployment_name.to_owned()));
    }
    let desired = foo.spec.replicas;
    let current = deployment.spec.as_ref().and_then(|s| s.replicas);
    if desired.is_some() && desired != current {
        eprintln!(
            "sample-controller: Foo {namespace}/{deployment_name} replicas: {desired:?}, deployment replicas: {current:?}"
        );
        let patch = serde_json::json!({"spec": {"replicas": desired}});
        deployment = Arc::new(
            api.patch(
                deployment_name,
                &PatchParams::default(),
                &Patch::Merge(&patch),
            )
            .await?,
        );
    }
    update_foo_status(&ctx, &foo, &deployment).await?;
    Ok(Action::await_change())
}

async fn update_foo_status(ctx: &Context, foo: &Foo, deployment: &Deployment) -> Result<(), Error> {
    let status = FooStatus {
        available_replicas: deployment
            .status
            .as_ref()
            .and_then(|s| s.available_replicas),
    };
    if foo.status.as_ref() == Some(&status) {
        return Ok(());
    }
    let mut copy = foo.clone();
    copy.status = Some(status);
    let namespace = foo.metadata.namespace.as_deref().unwrap_or_default();
    ctx.clientset
        .samplecontroller_k8s_io_v1alpha1()
        .foos(namespace)
        .update_status(&PostParams::default(), &copy)
        .await?;
    Ok(())
}

fn is_controlled_by(d: &Deployment, foo: &Foo) -> bool {
    d.metadata
        .owner_references
        .iter()
        .flatten()
        .any(|o| o.controller == Some(true) && Some(o.uid.as_str()) == foo.metadata.uid.as_deref())
}

/// The Deployment of a Foo: nginx pods labelled for the Foo, owned by it.
pub fn new_deployment(foo: &Foo) -> Deployment {
    let labels = std::collections::BTreeMap::from([
        ("app".to_owned(), "nginx".to_owned()),
        (
            "controller".to_owned(),
            foo.metadata.name.clone().unwrap_or_default(),
        ),
    ]);
    Deployment {
        metadata: ObjectMeta {
            name: Some(foo.spec.deployment_name.clone()),
            namespace: foo.metadata.namespace.clone(),
            owner_references: Some(vec![OwnerReference {
                api_version: Foo::api_version(&()).into_owned(),
                kind: Foo::kind(&()).into_owned(),
                name: foo.metadata.name.clone().unwrap_or_default(),
                uid: foo.metadata.uid.clone().unwrap_or_default(),
                controller: Some(true),
                block_owner_deletion: Some(true),
            }]),
            ..ObjectMeta::default()
        },
        spec: Some(DeploymentSpec {
            replicas: foo.spec.replicas,
            selector: LabelSelector {
                match_labels: Some(labels.clone()),
                ..LabelSelector::default()
            },
            template: PodTemplateSpec {
                metadata: Some(ObjectMeta {
                    labels: Some(labels),
                    ..ObjectMeta::default()
                }),
                spec: Some(PodSpec {
                    containers: vec![Container {
                        name: "nginx".into(),
                        image: Some("nginx:latest".into()),
                        ..Container::default()
                    }],
                    ..PodSpec::default()
                }),
            },
            ..DeploymentSpec::default()
        }),
        ..Deployment::default()
    }
}
