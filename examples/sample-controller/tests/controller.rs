//! The controller's reconcile loop against the in-memory API server on 127.0.0.1,
//! with `apps/v1` Deployments registered as a kind of the tracker (the in-memory
//! server has no built-in kinds and no Deployment controller: the test plays the
//! Deployment controller's part by writing `status.availableReplicas`).

// The kind is called `Foo`, as in Kubernetes' sample-controller.
#![allow(clippy::disallowed_names)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use crdgen_runtime::client::{Patch, PatchParams, PostParams};
use crdgen_runtime::controller::Error as ControllerError;
use crdgen_runtime::server::ApiServer;
use crdgen_runtime::tracker::{KindInfo, ScaleInfo, VersionInfo};
use futures::StreamExt;
use k8s_openapi::api::apps::v1::Deployment;
use kube::api::Api;
use sample_controller::crds::samplecontroller_k8s_io::v1alpha1::{Foo, FooSpec};
use sample_controller::crds::{Clientset, InformerFactory};
use sample_controller::{Context, Error, controller, error_policy, foo_crd, reconcile};

const T: Duration = Duration::from_secs(20);

/// `apps/v1` Deployments, as the tracker's kind (status and scale subresources, no schema).
fn deployment_kind() -> KindInfo {
    KindInfo {
        group: "apps".into(),
        kind: "Deployment".into(),
        list_kind: "DeploymentList".into(),
        plural: "deployments".into(),
        singular: "deployment".into(),
        short_names: vec!["deploy".into()],
        categories: vec!["all".into()],
        namespaced: true,
        versions: vec![VersionInfo {
            name: "v1".into(),
            served: true,
            storage: true,
            schema: None,
            status: true,
            scale: Some(ScaleInfo {
                spec_replicas_path: ".spec.replicas".into(),
                status_replicas_path: ".status.replicas".into(),
                label_selector_path: None,
            }),
            deprecated: false,
            deprecation_warning: None,
            printer_columns: Vec::new(),
            selectable_fields: Vec::new(),
        }],
    }
}

/// Poll `check` until it returns `Some`, for at most [`T`].
async fn eventually<F, Fut, R>(what: &str, mut check: F) -> R
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<R>>,
{
    tokio::time::timeout(T, async {
        loop {
            if let Some(r) = check().await {
                return r;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await
    .unwrap_or_else(|_| panic!("timed out: {what}"))
}

#[tokio::test]
async fn foo_gets_an_owned_deployment_scaled_and_status() {
    let server = ApiServer::builder()
        .crd(foo_crd())
        .kind(deployment_kind())
        .build()
        .unwrap();
    let handle = server.serve("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let client = kube::Client::try_from(kube::Config::new(handle.url().parse().unwrap())).unwrap();

    let factory = InformerFactory::new(client.clone(), Some(Duration::from_secs(5)));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    // `sample_controller::run`, with the results counted: the thief's refusals.
    let thief_refused = Arc::new(AtomicUsize::new(0));
    let refused = thief_refused.clone();
    let results = controller(&factory)
        .graceful_shutdown_on(async {
            let _ = stopped.await;
        })
        .run(
            reconcile,
            error_policy,
            Arc::new(Context::new(client.clone(), &factory)),
        );
    factory.start().unwrap();
    let run = tokio::spawn(results.for_each(move |result| {
        if let Err(ControllerError::ReconcilerFailed(Error::NotOwned(_), r)) = &result
            && r.name == "thief"
        {
            refused.fetch_add(1, Ordering::SeqCst);
        }
        async {}
    }));

    let foos = Clientset::new(client.clone())
        .samplecontroller_k8s_io_v1alpha1()
        .foos("default");
    let deployments: Api<Deployment> = Api::namespaced(client.clone(), "default");
    let foo = Foo::new(
        "example-foo",
        FooSpec {
            deployment_name: "example-foo".into(),
            replicas: Some(1),
        },
    );
    let foo = tokio::time::timeout(T, foos.create(&PostParams::default(), &foo))
        .await
        .unwrap()
        .unwrap();

    // The Deployment is created, owned by the Foo, with its replicas.
    let d = eventually("the deployment is created", || async {
        deployments.get_opt("example-foo").await.unwrap()
    })
    .await;
    let owner = &d.metadata.owner_references.as_ref().unwrap()[0];
    assert_eq!(
        (owner.kind.as_str(), owner.name.as_str()),
        ("Foo", "example-foo")
    );
    assert_eq!(owner.api_version, "samplecontroller.k8s.io/v1alpha1");
    assert_eq!(Some(owner.uid.as_str()), foo.metadata.uid.as_deref());
    assert_eq!(owner.controller, Some(true));
    assert_eq!(d.spec.as_ref().unwrap().replicas, Some(1));

    // Scaling the Foo scales the Deployment.
    tokio::time::timeout(
        T,
        foos.patch(
            "example-foo",
            &PatchParams::default(),
            &Patch::Merge(serde_json::json!({"spec": {"replicas": 3}})),
        ),
    )
    .await
    .unwrap()
    .unwrap();
    eventually("the deployment is scaled to 3", || async {
        let d = deployments.get("example-foo").await.unwrap();
        (d.spec.unwrap().replicas == Some(3)).then_some(())
    })
    .await;

    // The (simulated) Deployment controller reports available replicas; the Foo's
    // status follows through the generated client's update_status.
    tokio::time::timeout(
        T,
        deployments.patch_status(
            "example-foo",
            &PatchParams::default(),
            &Patch::Merge(serde_json::json!({"status": {"availableReplicas": 3, "replicas": 3}})),
        ),
    )
    .await
    .unwrap()
    .unwrap();
    eventually("the Foo's status follows", || async {
        let foo = foos.get("example-foo").await.unwrap();
        (foo.status.and_then(|s| s.available_replicas) == Some(3)).then_some(())
    })
    .await;

    // A Foo naming a Deployment it does not own leaves it alone.
    let taken: Deployment = serde_json::from_value(serde_json::json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "taken"},
        "spec": {"replicas": 7, "selector": {"matchLabels": {"app": "x"}},
                 "template": {"metadata": {"labels": {"app": "x"}}, "spec": {"containers": [{"name": "x", "image": "x"}]}}}
    }))
    .unwrap();
    deployments
        .create(&PostParams::default(), &taken)
        .await
        .unwrap();
    let thief = Foo::new(
        "thief",
        FooSpec {
            deployment_name: "taken".into(),
            replicas: Some(1),
        },
    );
    foos.create(&PostParams::default(), &thief).await.unwrap();
    eventually("the controller retries the thief", || async {
        (thief_refused.load(Ordering::SeqCst) > 1).then_some(())
    })
    .await;
    let taken = deployments.get("taken").await.unwrap();
    assert_eq!(taken.spec.unwrap().replicas, Some(7));
    assert!(taken.metadata.owner_references.is_none());
    assert_eq!(foos.get("thief").await.unwrap().status, None);

    // Graceful shutdown.
    stop.send(()).unwrap();
    tokio::time::timeout(T, run)
        .await
        .expect("the controller stops")
        .unwrap();
    factory.shutdown().await;
    handle.shutdown().await;
}

/// kube-apiserver refuses a CRD in a protected group (`*.k8s.io`) without the
/// `api-approved.kubernetes.io` annotation; so does the in-memory server, over HTTP,
/// with the server's 422 Status. The Foo CRD carries the annotation, as upstream's does.
#[tokio::test]
async fn the_foo_crd_needs_its_api_approval_annotation() {
    let annotations = &foo_crd()["metadata"]["annotations"];
    assert!(
        annotations["api-approved.kubernetes.io"]
            .as_str()
            .is_some_and(|a| a.starts_with("unapproved")),
        "{annotations}"
    );

    let server = ApiServer::builder().build().unwrap();
    let handle = server.serve("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let client = handle.client().unwrap();
    let crd_ar = kube::core::ApiResource::from_gvk_with_plural(
        &kube::core::GroupVersionKind::gvk(
            "apiextensions.k8s.io",
            "v1",
            "CustomResourceDefinition",
        ),
        "customresourcedefinitions",
    );
    let crds: Api<kube::core::DynamicObject> = Api::all_with(client, &crd_ar);

    let mut unapproved: kube::core::DynamicObject = serde_json::from_value(foo_crd()).unwrap();
    unapproved.metadata.annotations = None;
    let err = crds
        .create(&PostParams::default(), &unapproved)
        .await
        .unwrap_err();
    let kube::Error::Api(status) = err else {
        panic!("expected the server's Status, got {err:?}")
    };
    assert_eq!(status.code, 422);
    assert_eq!(status.reason, "Invalid");
    assert_eq!(
        status.message,
        "CustomResourceDefinition.apiextensions.k8s.io \"foos.samplecontroller.k8s.io\" is invalid: \
         metadata.annotations[api-approved.kubernetes.io]: Required value: protected groups must have \
         approval annotation \"api-approved.kubernetes.io\", see https://github.com/kubernetes/enhancements/pull/1111"
    );
    let details = status.details.as_ref().expect("the Status has details");
    assert_eq!(
        (
            details.kind.as_str(),
            details.group.as_str(),
            details.name.as_str()
        ),
        (
            "CustomResourceDefinition",
            "apiextensions.k8s.io",
            "foos.samplecontroller.k8s.io"
        )
    );
    let cause = &details.causes[0];
    assert_eq!(
        (cause.reason.as_str(), cause.field.as_str()),
        (
            "FieldValueRequired",
            "metadata.annotations[api-approved.kubernetes.io]"
        )
    );
    assert!(
        cause
            .message
            .starts_with("Required value: protected groups must have approval annotation")
    );
    assert!(
        crds.get_opt("foos.samplecontroller.k8s.io")
            .await
            .unwrap()
            .is_none(),
        "a refused CRD is not stored"
    );

    let approved: kube::core::DynamicObject = serde_json::from_value(foo_crd()).unwrap();
    crds.create(&PostParams::default(), &approved)
        .await
        .unwrap();
}
