//! Both controllers against the in-memory API server: they converge on every Widget,
//! and the server sees one watch of widgets for the two of them.

use std::sync::Arc;
use std::time::Duration;

use crdgen_runtime::client::PostParams;
use crdgen_runtime::server::ApiServer;
use futures::StreamExt;
use kube::api::Api;
use two_controllers::crds::InformerFactory;
use two_controllers::crds::example_com::v1::{Widget, WidgetSpec, WidgetSpecSize};
use two_controllers::{Context, SIZE_LABEL, controllers, widget_crd};

const T: Duration = Duration::from_secs(20);

#[tokio::test]
async fn two_controllers_one_watch() {
    let server = ApiServer::builder().crd(widget_crd()).build().unwrap();
    let handle = server.serve("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let client = handle.client().unwrap();

    let factory = InformerFactory::new(client.clone(), None);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let results = controllers(
        &factory,
        Arc::new(Context {
            client: client.clone(),
        }),
        async {
            let _ = stopped.await;
        },
    );
    factory.start().unwrap();
    let run = tokio::spawn(results.collect::<Vec<_>>());

    let api: Api<Widget> = Api::namespaced(client.clone(), "default");
    for (name, size, replicas) in [
        ("a", WidgetSpecSize::Small, Some(2)),
        ("b", WidgetSpecSize::Large, None),
    ] {
        let w = Widget::new(name, WidgetSpec { size, replicas });
        api.create(&PostParams::default(), &w).await.unwrap();
    }
    let converged = async {
        loop {
            let widgets = api.list(&Default::default()).await.unwrap().items;
            let done = widgets.iter().all(|w| {
                let label = w.metadata.labels.as_ref().and_then(|l| l.get(SIZE_LABEL));
                let status = w.status.as_ref();
                label == Some(&w.spec.size.to_string())
                    && status.and_then(|s| s.observed_replicas)
                        == Some(w.spec.replicas.unwrap_or(1))
                    && status.and_then(|s| s.phase.as_deref()) == Some("Ready")
            });
            if done && widgets.len() == 2 {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    };
    tokio::time::timeout(T, converged)
        .await
        .expect("both controllers converge");

    stop.send(()).unwrap();
    let results = tokio::time::timeout(T, run)
        .await
        .expect("both stop")
        .unwrap();
    for controller in ["labeller", "reporter"] {
        let ok = results
            .iter()
            .filter(|(c, r)| *c == controller && r.is_ok())
            .count();
        assert!(ok >= 2, "{controller} reconciled both widgets: {results:?}");
    }
    let watches = server
        .tracker()
        .actions()
        .iter()
        .filter(|a| a.verb == "watch" && a.gvr.resource == "widgets")
        .count();
    assert_eq!(watches, 1, "one watch of widgets for both controllers");
    factory.shutdown().await;
    handle.shutdown().await;
}
