//! The generated `InformerFactory`: listers, indexers, event handlers, resync, and
//! convergence after 410 Gone and server restarts.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use crdgen_e2e_tests::crds::e2e_example_com::v1::{Widget, WidgetSpecSize};
use crdgen_runtime::client::{DeleteParams, Patch, PatchParams, PostParams};
use crdgen_runtime::informer::FnHandler;
use crdgen_runtime::selector::Selector;
use crdgen_runtime::tracker::{DeleteOptions, Gvr, PatchType, Subresource, WriteOptions};
use serde_json::json;

use crate::target::{Target, eventually, in_memory_only, within};

fn pp() -> PostParams {
    PostParams::default()
}

/// Records an informer's notifications as `add a`, `update a`, `resync a`
/// (update with the same object) and `delete a`.
#[derive(Clone, Default)]
struct Recorder(Arc<Mutex<Vec<String>>>);

impl Recorder {
    fn handler(&self) -> FnHandler<Widget> {
        let (add, update, delete) = (self.clone(), self.clone(), self.clone());
        FnHandler::new()
            .add_func(move |w: &Arc<Widget>| add.push(format!("add {}", name(w))))
            .update_func(move |old: &Arc<Widget>, new: &Arc<Widget>| {
                let what = if old.metadata.resource_version == new.metadata.resource_version {
                    "resync"
                } else {
                    "update"
                };
                update.push(format!("{what} {}", name(new)));
            })
            .delete_func(move |w: &Arc<Widget>| {
                delete.push(format!("delete {} (note {:?})", name(w), w.spec.note))
            })
    }

    fn push(&self, event: String) {
        self.0.lock().unwrap().push(event);
    }

    fn events(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }

    fn has(&self, event: &str) -> bool {
        self.events().iter().any(|e| e == event)
    }

    fn count(&self, event: &str) -> usize {
        self.events().iter().filter(|e| *e == event).count()
    }
}

fn name(w: &Widget) -> String {
    w.metadata.name.clone().unwrap_or_default()
}

fn cached_names(lister: &crdgen_runtime::lister::Lister<Widget>) -> Vec<String> {
    lister
        .list(&Selector::everything())
        .iter()
        .map(|w| name(w))
        .collect()
}

#[tokio::test]
async fn listers_and_indexers() {
    let t = Target::new("listers").await;
    let v1 = t.clientset.e2e_example_com_v1();
    let widgets = v1.widgets(&t.namespace);
    for (n, size, app) in [
        ("a", WidgetSpecSize::Small, "web"),
        ("b", WidgetSpecSize::Large, "web"),
        ("c", WidgetSpecSize::Small, "db"),
    ] {
        within(
            "seed",
            widgets.create(&pp(), &t.widget(n, size, &[("app", app)])),
        )
        .await
        .unwrap();
    }
    for (n, color) in [("g1", "red"), ("g2", "blue")] {
        within("seed", v1.gadgets().create(&pp(), &t.gadget(n, color, &[])))
            .await
            .unwrap();
    }

    let factory = t.informer_factory(None);
    let informer = factory.e2e_example_com_v1().widgets();
    informer
        .add_indexer("by-size", |w: &Widget| vec![w.spec.size.to_string()])
        .unwrap();
    let gadget_informer = factory.e2e_example_com_v1().gadgets();
    let (lister, gadgets) = (informer.lister(), gadget_informer.lister());
    factory.start().unwrap();
    let synced = within("cache sync", async {
        informer.wait_for_sync().await && gadget_informer.wait_for_sync().await
    });
    assert!(synced.await);
    // Once the informers run, the factory agrees.
    assert!(within("cache sync", factory.wait_for_cache_sync()).await);

    // Get by namespace/name and by key.
    let a = lister.get(Some(&t.namespace), "a").expect("a is cached");
    assert_eq!(a.spec.size, WidgetSpecSize::Small);
    assert!(lister.get_by_key(&format!("{}/b", t.namespace)).is_some());
    assert!(lister.get(Some("elsewhere"), "a").is_none());
    // List by namespace, by label selector, by a custom index.
    let ns = lister.namespaced(&t.namespace);
    let names = |objs: Vec<Arc<Widget>>| objs.iter().map(|w| name(w)).collect::<Vec<_>>();
    assert_eq!(names(ns.list(&Selector::everything())), ["a", "b", "c"]);
    assert!(
        lister
            .namespaced("elsewhere")
            .list(&Selector::everything())
            .is_empty()
    );
    assert_eq!(
        names(ns.list(&Selector::parse("app=web").unwrap())),
        ["a", "b"]
    );
    assert_eq!(
        names(lister.list(&Selector::parse("app notin (web)").unwrap())),
        ["c"]
    );
    assert_eq!(
        names(lister.by_index("by-size", "small").unwrap()),
        ["a", "c"]
    );
    assert_eq!(names(ns.by_index("by-size", "large").unwrap()), ["b"]);
    assert!(lister.by_index("no-such-index", "x").is_err());
    // Cluster-scoped.
    assert_eq!(gadgets.len(), 2);
    let g1 = gadgets
        .get(None, &t.cluster_name("g1"))
        .expect("g1 is cached");
    assert_eq!(g1.spec.as_ref().unwrap().color.as_deref(), Some("red"));

    // The cache and the indexes follow changes.
    within(
        "create d",
        widgets.create(&pp(), &t.widget("d", WidgetSpecSize::Large, &[])),
    )
    .await
    .unwrap();
    within(
        "resize a",
        widgets.patch(
            "a",
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"size": "large"}})),
        ),
    )
    .await
    .unwrap();
    within("delete b", widgets.delete("b", &DeleteParams::default()))
        .await
        .unwrap();
    eventually("the index follows", || {
        names(lister.by_index("by-size", "large").unwrap()) == ["a", "d"]
            && names(lister.by_index("by-size", "small").unwrap()) == ["c"]
    })
    .await;
    assert!(lister.get(Some(&t.namespace), "b").is_none());
    assert_eq!(cached_names(&lister), ["a", "c", "d"]);

    within("shutdown", factory.shutdown()).await;
    t.finish().await;
}

#[tokio::test]
async fn event_handlers_and_late_handler() {
    let t = Target::new("handlers").await;
    let widgets = t.clientset.e2e_example_com_v1().widgets(&t.namespace);
    within(
        "seed",
        widgets.create(&pp(), &t.widget("x", WidgetSpecSize::Small, &[])),
    )
    .await
    .unwrap();

    let factory = t.informer_factory(None);
    let informer = factory.e2e_example_com_v1().widgets();
    // The factory hands out one shared informer per type.
    let same = factory.e2e_example_com_v1().widgets();
    let early = Recorder::default();
    informer.add_event_handler(early.handler());
    factory.start().unwrap();
    assert!(within("cache sync", informer.wait_for_sync()).await);
    assert!(same.has_synced());
    eventually("add x", || early.has("add x")).await;

    within(
        "create y",
        widgets.create(&pp(), &t.widget("y", WidgetSpecSize::Small, &[])),
    )
    .await
    .unwrap();
    eventually("add y", || early.has("add y")).await;
    within(
        "update y",
        widgets.patch(
            "y",
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"note": "n"}})),
        ),
    )
    .await
    .unwrap();
    eventually("update y", || early.has("update y")).await;
    within("delete y", widgets.delete("y", &DeleteParams::default()))
        .await
        .unwrap();
    eventually("delete y", || early.has("delete y (note Some(\"n\"))")).await;
    assert_eq!(
        early.events(),
        ["add x", "add y", "update y", "delete y (note Some(\"n\"))"]
    );

    // A late handler first gets the cache's objects as adds, then live events.
    let late = Recorder::default();
    same.add_event_handler(late.handler());
    eventually("late add x", || late.has("add x")).await;
    within(
        "create z",
        widgets.create(&pp(), &t.widget("z", WidgetSpecSize::Small, &[])),
    )
    .await
    .unwrap();
    eventually("late add z", || late.has("add z") && early.has("add z")).await;
    assert_eq!(late.events(), ["add x", "add z"]);

    within("shutdown", factory.shutdown()).await;
    t.finish().await;
}

#[tokio::test]
async fn resync_redelivers_cached_objects() {
    let t = Target::new("resync").await;
    let widgets = t.clientset.e2e_example_com_v1().widgets(&t.namespace);
    for n in ["r1", "r2"] {
        within(
            "seed",
            widgets.create(&pp(), &t.widget(n, WidgetSpecSize::Small, &[])),
        )
        .await
        .unwrap();
    }
    let factory = t.informer_factory(Some(Duration::from_millis(300)));
    let informer = factory.e2e_example_com_v1().widgets();
    assert_eq!(informer.resync_period(), Some(Duration::from_millis(300)));
    let rec = Recorder::default();
    informer.add_event_handler(rec.handler());
    factory.start().unwrap();
    assert!(within("cache sync", informer.wait_for_sync()).await);
    eventually("two resyncs of each object", || {
        rec.count("resync r1") >= 2 && rec.count("resync r2") >= 2
    })
    .await;
    assert_eq!((rec.count("add r1"), rec.count("add r2")), (1, 1));
    assert!(!rec.events().iter().any(|e| e.starts_with("update")));
    within("shutdown", factory.shutdown()).await;
    t.finish().await;
}

/// Changes made through the tracker while the server is down.
fn gvr() -> Gvr {
    Gvr::of::<Widget>()
}

#[cfg_attr(
    e2e_real_cluster,
    ignore = "needs history compaction and an outage of the in-memory server; a real cluster does not offer it"
)]
#[tokio::test]
async fn relist_after_410_converges() {
    in_memory_only(
        "relist_after_410_converges",
        "history compaction and an outage",
    );
    let mut t = Target::new("relist").await;
    let widgets = t.clientset.e2e_example_com_v1().widgets(&t.namespace);
    for n in ["a", "b", "c"] {
        within(
            "seed",
            widgets.create(&pp(), &t.widget(n, WidgetSpecSize::Small, &[])),
        )
        .await
        .unwrap();
    }
    let factory = t.informer_factory(None);
    let informer = factory.e2e_example_com_v1().widgets();
    let lister = informer.lister();
    let rec = Recorder::default();
    informer.add_event_handler(rec.handler());
    factory.start().unwrap();
    assert!(within("cache sync", informer.wait_for_sync()).await);
    eventually("initial adds", || rec.events().len() == 3).await;
    let lists = |t: &Target| {
        t.server()
            .tracker()
            .actions()
            .iter()
            .filter(|a| a.verb == "list" && a.gvr == gvr())
            .count()
    };
    let lists_before = lists(&t);

    // While the server is down: a is deleted, b changes, d appears; the history is
    // compacted, so the informer's watch cannot resume (410) and it must relist.
    let ns = t.namespace.clone();
    let d = serde_json::to_value(t.widget("d", WidgetSpecSize::Large, &[])).unwrap();
    t.outage(|server| {
        let tracker = server.tracker();
        tracker
            .delete(&gvr(), Some(&ns), "a", &DeleteOptions::default())
            .unwrap();
        tracker
            .patch(
                &gvr(),
                Some(&ns),
                "b",
                PatchType::Merge,
                br#"{"spec": {"note": "changed"}}"#,
                Subresource::None,
                &WriteOptions::default(),
            )
            .unwrap();
        tracker
            .create(&gvr(), Some(&ns), d, &WriteOptions::default())
            .unwrap();
        tracker.compact();
    })
    .await;

    eventually("the cache converges after the relist", || {
        cached_names(&lister) == ["b", "c", "d"]
            && lister
                .get(Some(&t.namespace), "b")
                .is_some_and(|b| b.spec.note.as_deref() == Some("changed"))
    })
    .await;
    eventually("handlers hear about it", || {
        rec.has("delete a (note None)") && rec.has("update b") && rec.has("add d")
    })
    .await;
    assert!(lists(&t) > lists_before, "the informer relisted");
    assert_eq!(
        rec.count("add b") + rec.count("add c"),
        2,
        "no duplicate adds"
    );
    assert!(
        !rec.has("update c"),
        "unchanged objects get nothing on relist"
    );

    // And it keeps watching.
    within(
        "create e",
        widgets.create(&pp(), &t.widget("e", WidgetSpecSize::Small, &[])),
    )
    .await
    .unwrap();
    eventually("add e", || rec.has("add e")).await;
    within("shutdown", factory.shutdown()).await;
    t.finish().await;
}

#[cfg_attr(
    e2e_real_cluster,
    ignore = "needs a restart of the in-memory server; a real cluster does not offer it"
)]
#[tokio::test]
async fn server_restart_mid_watch_converges() {
    in_memory_only(
        "server_restart_mid_watch_converges",
        "to restart the server",
    );
    let mut t = Target::new("restart").await;
    let widgets = t.clientset.e2e_example_com_v1().widgets(&t.namespace);
    for n in ["a", "b"] {
        within(
            "seed",
            widgets.create(&pp(), &t.widget(n, WidgetSpecSize::Small, &[])),
        )
        .await
        .unwrap();
    }
    let factory = t.informer_factory(None);
    let informer = factory.e2e_example_com_v1().widgets();
    let lister = informer.lister();
    let rec = Recorder::default();
    informer.add_event_handler(rec.handler());
    factory.start().unwrap();
    assert!(within("cache sync", informer.wait_for_sync()).await);
    eventually("initial adds", || rec.events().len() == 2).await;

    // Restart mid-watch: the watch is cut; the informer reconnects and sees what
    // happens next.
    t.restart().await;
    within(
        "create c",
        widgets.create(&pp(), &t.widget("c", WidgetSpecSize::Small, &[])),
    )
    .await
    .unwrap();
    within(
        "update a",
        widgets.patch(
            "a",
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"note": "after"}})),
        ),
    )
    .await
    .unwrap();
    within("delete b", widgets.delete("b", &DeleteParams::default()))
        .await
        .unwrap();
    eventually("the cache converges after the restart", || {
        cached_names(&lister) == ["a", "c"]
            && lister
                .get(Some(&t.namespace), "a")
                .is_some_and(|a| a.spec.note.as_deref() == Some("after"))
    })
    .await;
    eventually("handlers hear about it", || {
        rec.has("add c") && rec.has("update a") && rec.has("delete b (note None)")
    })
    .await;

    // Objects deleted during an outage get `on_delete` once the server is back
    // (the watch resumes from the history), and no ghost stays in the cache.
    let ns = t.namespace.clone();
    t.outage(|server| {
        server
            .tracker()
            .delete(&gvr(), Some(&ns), "c", &DeleteOptions::default())
            .unwrap();
    })
    .await;
    eventually("c deleted during the outage", || {
        rec.has("delete c (note None)") && cached_names(&lister) == ["a"]
    })
    .await;
    for n in ["a", "b", "c"] {
        assert_eq!(
            rec.count(&format!("add {n}")),
            1,
            "{n} added once: {:?}",
            rec.events()
        );
    }
    assert_eq!(rec.count("delete c (note None)"), 1);

    within("shutdown", factory.shutdown()).await;
    t.finish().await;
}

/// `SharedInformerFactory::wait_for_cache_sync` right after `start` waits for the
/// informers just started, even on a current-thread runtime where their tasks have not
/// run yet (a regression test: it used to return `true` at once with empty caches).
#[tokio::test]
async fn factory_wait_for_cache_sync_waits_for_just_started_informers() {
    let t = Target::new("factory-sync").await;
    let widgets = t.clientset.e2e_example_com_v1().widgets(&t.namespace);
    within(
        "seed",
        widgets.create(&pp(), &t.widget("a", WidgetSpecSize::Small, &[])),
    )
    .await
    .unwrap();
    let factory = t.informer_factory(None);
    let informer = factory.e2e_example_com_v1().widgets();
    factory.start().unwrap();
    assert!(within("cache sync", factory.wait_for_cache_sync()).await);
    assert!(
        informer.has_synced(),
        "synced when wait_for_cache_sync returns true"
    );
    assert_eq!(informer.lister().len(), 1);
    within("shutdown", factory.shutdown()).await;
    t.finish().await;
}
