//! A port of Kubernetes' [sample-controller](https://github.com/kubernetes/sample-controller)
//! to crdgen: a `Foo` (group `samplecontroller.k8s.io/v1alpha1`) names a Deployment
//! and a replica count; the controller creates that Deployment (owned by the Foo),
//! keeps it at `spec.replicas`, and copies its `availableReplicas` into the Foo's
//! status.
//!
//! The shape is client-go's: shared informers (the generated [`InformerFactory`]'s
//! Foo informer, and the same factory's informer for `apps/v1` Deployments) feed
//! event handlers that push `namespace/name` keys into a rate-limited
//! [`WorkQueue`]; `workers` tasks take keys and run [`Controller::sync_handler`],
//! reading from the listers and writing through the generated clientset.

// The kind is called `Foo`, as in Kubernetes' sample-controller.
#![allow(clippy::disallowed_names)]

use std::future::Future;
use std::sync::Arc;

use crdgen_runtime::client::{Patch, PatchParams, PostParams};
use crdgen_runtime::informer::{FnHandler, SharedIndexInformer};
use crdgen_runtime::lister::Lister;
use crdgen_runtime::queue::WorkQueue;
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

/// Why a key could not be synced (it is retried with backoff).
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

/// The sample controller: informers, listers, a work queue and the clientset.
pub struct Controller {
    client: kube::Client,
    clientset: Clientset,
    foos: Lister<Foo>,
    deployments: Lister<Deployment>,
    queue: WorkQueue<String>,
    factory: crdgen_runtime::informer::SharedInformerFactory,
    foos_synced: SharedIndexInformer<Foo>,
    deployments_synced: SharedIndexInformer<Deployment>,
}

impl Controller {
    /// A controller over `client` whose informers come from `factory` (started by
    /// [`run`](Self::run)). Registers its event handlers.
    pub fn new(client: kube::Client, factory: &InformerFactory) -> Self {
        let queue = WorkQueue::<String>::new();
        let foo_informer = factory.samplecontroller_k8s_io_v1alpha1().foos();
        // The runtime's factory is generic over any `Resource` with a static type,
        // so k8s-openapi's Deployment shares it.
        let deployment_informer = factory.informer_for::<Deployment>();
        let foos = foo_informer.lister();

        let (on_add, on_update) = (queue.clone(), queue.clone());
        foo_informer.add_event_handler(
            FnHandler::new()
                .add_func(move |foo: &Arc<Foo>| enqueue(&on_add, foo.as_ref()))
                .update_func(move |_old: &Arc<Foo>, new: &Arc<Foo>| {
                    enqueue(&on_update, new.as_ref())
                }),
        );

        let owner = |queue: &WorkQueue<String>, foos: &Lister<Foo>| {
            let (queue, foos) = (queue.clone(), foos.clone());
            move |d: &Deployment| handle_object(&queue, &foos, d)
        };
        let (on_add, on_delete) = (owner(&queue, &foos), owner(&queue, &foos));
        let on_update = owner(&queue, &foos);
        deployment_informer.add_event_handler(
            FnHandler::new()
                .add_func(move |d: &Arc<Deployment>| on_add(d))
                .update_func(move |old: &Arc<Deployment>, new: &Arc<Deployment>| {
                    // A periodic resync sends the same object: nothing changed.
                    if old.metadata.resource_version != new.metadata.resource_version {
                        on_update(new);
                    }
                })
                .delete_func(move |d: &Arc<Deployment>| on_delete(d)),
        );

        Controller {
            clientset: Clientset::new(client.clone()),
            client,
            foos,
            deployments: deployment_informer.lister(),
            queue,
            factory: (**factory).clone(),
            foos_synced: foo_informer,
            deployments_synced: deployment_informer,
        }
    }

    /// The work queue (keys `namespace/name` of Foos).
    pub fn queue(&self) -> &WorkQueue<String> {
        &self.queue
    }

    /// Start the informers, wait for their caches, run `workers` workers until
    /// `shutdown` completes, then stop: the queue drains the keys in progress and the
    /// informers stop. Returns early (cleanly) if `shutdown` completes before the
    /// caches sync.
    pub async fn run(
        self: Arc<Self>,
        workers: usize,
        shutdown: impl Future<Output = ()>,
    ) -> Result<(), crdgen_runtime::informer::InformerError> {
        self.factory.start()?;
        let mut shutdown = std::pin::pin!(shutdown);
        eprintln!("sample-controller: waiting for informer caches to sync");
        // Wait for these two informers (client-go's `WaitForCacheSync(foosSynced,
        // deploymentsSynced)`).
        let caches = async {
            self.foos_synced.wait_for_sync().await && self.deployments_synced.wait_for_sync().await
        };
        let synced = tokio::select! {
            synced = caches => synced,
            () = &mut shutdown => false,
        };
        let mut tasks = tokio::task::JoinSet::new();
        if synced {
            eprintln!("sample-controller: starting {workers} workers");
            for _ in 0..workers {
                let this = self.clone();
                tasks.spawn(async move { this.run_worker().await });
            }
            shutdown.await;
        }
        eprintln!("sample-controller: shutting down");
        self.queue.shut_down_with_drain().await;
        while tasks.join_next().await.is_some() {}
        self.factory.shutdown().await;
        Ok(())
    }

    async fn run_worker(&self) {
        while let Some(key) = self.queue.get().await {
            match self.sync_handler(&key).await {
                Ok(()) => self.queue.forget(&key),
                Err(e) => {
                    eprintln!("sample-controller: error syncing {key:?}: {e}; requeuing");
                    self.queue.add_rate_limited(key.clone());
                }
            }
            self.queue.done(&key);
        }
    }

    /// Bring the Foo with this key (`namespace/name`) and its Deployment to the
    /// desired state.
    pub async fn sync_handler(&self, key: &str) -> Result<(), Error> {
        let Some((namespace, name)) = key.split_once('/') else {
            eprintln!("sample-controller: invalid resource key {key:?}");
            return Ok(());
        };
        let Some(foo) = self.foos.get(Some(namespace), name) else {
            // Deleted: the Deployment goes with it (garbage collection by owner).
            return Ok(());
        };
        let deployment_name = foo.spec.deployment_name.as_str();
        if deployment_name.is_empty() {
            eprintln!("sample-controller: {key}: deployment name must be specified");
            return Ok(());
        }
        let api: Api<Deployment> = Api::namespaced(self.client.clone(), namespace);
        let mut deployment = match self.deployments.get(Some(namespace), deployment_name) {
            Some(d) => (*d).clone(),
            None => {
                api.create(&PostParams::default(), &new_deployment(&foo))
                    .await?
            }
        };
        if !is_controlled_by(&deployment, &foo) {
            return Err(Error::NotOwned(deployment_name.to_owned()));
        }
        let desired = foo.spec.replicas;
        let current = deployment.spec.as_ref().and_then(|s| s.replicas);
        if desired.is_some() && desired != current {
            eprintln!(
                "sample-controller: Foo {key} replicas: {desired:?}, deployment replicas: {current:?}"
            );
            let patch = serde_json::json!({"spec": {"replicas": desired}});
            deployment = api
                .patch(
                    deployment_name,
                    &PatchParams::default(),
                    &Patch::Merge(&patch),
                )
                .await?;
        }
        self.update_foo_status(&foo, &deployment).await
    }

    async fn update_foo_status(&self, foo: &Foo, deployment: &Deployment) -> Result<(), Error> {
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
        self.clientset
            .samplecontroller_k8s_io_v1alpha1()
            .foos(namespace)
            .update_status(&PostParams::default(), &copy)
            .await?;
        Ok(())
    }
}

fn enqueue(queue: &WorkQueue<String>, foo: &Foo) {
    if let (Some(ns), Some(name)) = (&foo.metadata.namespace, &foo.metadata.name) {
        queue.add(format!("{ns}/{name}"));
    }
}

/// A Deployment changed: if a Foo controls it, enqueue that Foo.
fn handle_object(queue: &WorkQueue<String>, foos: &Lister<Foo>, d: &Deployment) {
    let Some(owner) = d
        .metadata
        .owner_references
        .iter()
        .flatten()
        .find(|o| o.controller == Some(true))
    else {
        return;
    };
    if owner.kind != Foo::kind(&()) || owner.api_version != Foo::api_version(&()) {
        return;
    }
    let namespace = d.metadata.namespace.as_deref();
    if let Some(foo) = foos.get(namespace, &owner.name)
        && foo.metadata.uid.as_deref() == Some(owner.uid.as_str())
    {
        enqueue(queue, &foo);
    }
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
