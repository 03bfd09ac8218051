//! Controllers on the generated informers (`crdgen_runtime::controller`): reconcile,
//! status writes, `watches` across kinds, the finalizer helper; and one watch per kind
//! however many controllers, listers and handlers share the factory.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use crdgen_e2e_tests::crds::e2e_example_com::v1::{Gadget, Widget, WidgetSpecSize};
use crdgen_runtime::client::{DeleteParams, Patch, PatchParams, PostParams};
use crdgen_runtime::controller::{Action, ObjectRef, finalizer};
use crdgen_runtime::informer::FnHandler;
use crdgen_runtime::kube::api::Api;
use crdgen_runtime::lister::Lister;
use crdgen_runtime::selector::Selector;
use futures::StreamExt;
use serde_json::json;

use crate::target::{RUN_LABEL, Target, eventually, in_memory_only, within};

const FINALIZER: &str = "e2e.example.com/cleanup";
/// The label of a gadget naming the widget (in the test's namespace) it belongs to.
const WIDGET_LABEL: &str = "e2e.example.com/widget";

struct Ctx {
    api: Api<Widget>,
    gadgets: Lister<Gadget>,
    cleanups: AtomicUsize,
}

/// Widgets get a finalizer and `status.phase = Ready (<n>)`, `n` the number of cached
/// gadgets labelled with the widget's name; the cleanup is counted.
async fn reconcile(w: Arc<Widget>, ctx: Arc<Ctx>) -> Result<Action, finalizer::Error<kube::Error>> {
    let name = w.metadata.name.clone().unwrap_or_default();
    let gadgets = ctx
        .gadgets
        .list(&Selector::everything())
        .iter()
        .filter(|g| g.metadata.labels.as_ref().and_then(|l| l.get(WIDGET_LABEL)) == Some(&name))
        .count();
    let api = ctx.api.clone();
    let cleanups = ctx.clone();
    finalizer::finalizer(&ctx.api, FINALIZER, w, |event| async move {
        match event {
            finalizer::Event::Apply(w) => {
                let phase = format!("Ready ({gadgets})");
                if w.status.as_ref().and_then(|s| s.phase.as_deref()) != Some(phase.as_str()) {
                    let patch = json!({"status": {"phase": phase}});
                    api.patch_status(&name, &PatchParams::default(), &Patch::Merge(&patch))
                        .await?;
                }
                Ok(Action::requeue(Duration::from_secs(300)))
            }
            finalizer::Event::Cleanup(_) => {
                cleanups.cleanups.fetch_add(1, Ordering::SeqCst);
                Ok(Action::await_change())
            }
        }
    })
    .await
}

fn error_policy(_: Arc<Widget>, _: &finalizer::Error<kube::Error>, _: Arc<Ctx>) -> Action {
    Action::requeue(Duration::from_millis(200))
}

#[tokio::test]
async fn controller_reconciles_watches_and_finalizes() {
    let t = Target::new("controller").await;
    let v1 = t.clientset.e2e_example_com_v1();
    let widgets = v1.widgets(&t.namespace);
    let api: Api<Widget> = Api::namespaced(t.client.clone(), &t.namespace);

    let factory = t.informer_factory(None);
    let gadgets = factory.e2e_example_com_v1().gadgets();
    let ctx = Arc::new(Ctx {
        api: api.clone(),
        gadgets: gadgets.lister(),
        cleanups: AtomicUsize::new(0),
    });
    let namespace = t.namespace.clone();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let controller = factory
        .e2e_example_com_v1()
        .widgets_controller()
        .watches(gadgets, move |g: Arc<Gadget>| {
            let widget = g.metadata.labels.as_ref()?.get(WIDGET_LABEL)?;
            Some(ObjectRef::<Widget>::new(widget).within(&namespace))
        })
        .graceful_shutdown_on(async {
            let _ = stopped.await;
        });
    let lister = controller.lister();
    let run = tokio::spawn(
        controller
            .run(reconcile, error_policy, ctx.clone())
            .collect::<Vec<_>>(),
    );
    factory.start().unwrap();

    // A widget gets the finalizer, then its status.
    within(
        "create",
        widgets.create(
            &PostParams::default(),
            &t.widget("a", WidgetSpecSize::Small, &[]),
        ),
    )
    .await
    .unwrap();
    let phase = |want: &'static str| {
        let lister = lister.clone();
        let ns = t.namespace.clone();
        move || {
            lister
                .get(Some(&ns), "a")
                .is_some_and(|w| w.status.as_ref().and_then(|s| s.phase.as_deref()) == Some(want))
        }
    };
    eventually("status Ready (0)", phase("Ready (0)")).await;
    let a = within("get", widgets.get("a")).await.unwrap();
    assert_eq!(a.metadata.finalizers, Some(vec![FINALIZER.to_owned()]));

    // A gadget labelled for the widget triggers it through `watches`.
    let gadget = t.gadget("for-a", "red", &[(WIDGET_LABEL, "a")]);
    within(
        "create gadget",
        v1.gadgets().create(&PostParams::default(), &gadget),
    )
    .await
    .unwrap();
    eventually("status Ready (1)", phase("Ready (1)")).await;

    // Deleting the widget runs the cleanup, then the finalizer goes and so does it.
    within("delete", widgets.delete("a", &DeleteParams::default()))
        .await
        .unwrap();
    let (ns, gone) = (t.namespace.clone(), lister.clone());
    eventually("the widget is gone", move || {
        gone.get(Some(&ns), "a").is_none()
    })
    .await;
    assert_eq!(ctx.cleanups.load(Ordering::SeqCst), 1);
    assert!(within("get", widgets.get_opt("a")).await.unwrap().is_none());

    stop.send(()).unwrap();
    let results = within("the controller stops", run).await.unwrap();
    assert!(results.iter().any(Result::is_ok), "{results:?}");
    within(
        "delete gadget",
        v1.gadgets()
            .delete(&t.cluster_name("for-a"), &DeleteParams::default()),
    )
    .await
    .unwrap();
    factory.shutdown().await;
    t.finish().await;
}

#[tokio::test]
#[cfg_attr(
    e2e_real_cluster,
    ignore = "counts watch requests at the in-memory server; a real cluster does not expose them"
)]
async fn one_watch_per_kind_for_two_controllers_a_lister_and_a_handler() {
    in_memory_only(
        "one_watch_per_kind_for_two_controllers_a_lister_and_a_handler",
        "the in-memory server's request log",
    );
    let t = Target::new("one-watch").await;
    let v1 = t.clientset.e2e_example_com_v1();
    let factory = t.informer_factory(None);
    let informers = factory.e2e_example_com_v1();

    // A lister and a handler on widgets.
    let lister = informers.widgets().lister();
    let handled = Arc::new(AtomicUsize::new(0));
    let h = handled.clone();
    informers
        .widgets()
        .add_event_handler(FnHandler::new().add_func(move |_: &Arc<Widget>| {
            h.fetch_add(1, Ordering::SeqCst);
        }));
    // Two controllers of widgets, both also watching gadgets.
    let by_label = |ns: String| {
        move |g: Arc<Gadget>| {
            let widget = g.metadata.labels.as_ref()?.get(WIDGET_LABEL)?;
            Some(ObjectRef::<Widget>::new(widget).within(&ns))
        }
    };
    let reconciled = Arc::new([AtomicUsize::new(0), AtomicUsize::new(0)]);
    let mut runs = Vec::new();
    for i in 0..2 {
        let counts = reconciled.clone();
        let results = informers
            .widgets_controller()
            .watches(informers.gadgets(), by_label(t.namespace.clone()))
            .run(
                move |_: Arc<Widget>, _: Arc<()>| {
                    counts[i].fetch_add(1, Ordering::SeqCst);
                    async { Ok::<_, std::io::Error>(Action::await_change()) }
                },
                |_, _, _| Action::await_change(),
                Arc::new(()),
            );
        runs.push(tokio::spawn(results.for_each(|_| async {})));
    }
    factory.start().unwrap();
    assert!(within("cache sync", factory.wait_for_cache_sync()).await);

    let pp = PostParams::default();
    for name in ["a", "b"] {
        let w = t.widget(name, WidgetSpecSize::Small, &[]);
        within("create", v1.widgets(&t.namespace).create(&pp, &w))
            .await
            .unwrap();
    }
    eventually("every consumer saw both widgets", || {
        lister.len() == 2
            && handled.load(Ordering::SeqCst) == 2
            && reconciled.iter().all(|c| c.load(Ordering::SeqCst) >= 2)
    })
    .await;
    // A gadget for `a` triggers both controllers again, through the shared gadgets.
    let before: Vec<usize> = reconciled
        .iter()
        .map(|c| c.load(Ordering::SeqCst))
        .collect();
    let g = t.gadget("g", "red", &[(WIDGET_LABEL, "a")]);
    within("create gadget", v1.gadgets().create(&pp, &g))
        .await
        .unwrap();
    eventually("both controllers saw the gadget", || {
        reconciled
            .iter()
            .zip(&before)
            .all(|(c, b)| c.load(Ordering::SeqCst) > *b)
    })
    .await;

    let watches = |resource: &str| {
        t.server()
            .tracker()
            .actions()
            .iter()
            .filter(|a| a.verb == "watch" && a.gvr.resource == resource)
            .count()
    };
    assert_eq!(watches("widgets"), 1, "one watch of widgets");
    assert_eq!(watches("gadgets"), 1, "one watch of gadgets");
    // The run label keeps other tests' objects out (same filter as the factory's).
    assert!(t.run_selector().starts_with(RUN_LABEL));

    factory.shutdown().await;
    for run in runs {
        within("the controllers stop", run).await.unwrap();
    }
    t.finish().await;
}
