//! Shared informers: the event-processing core on synthetic watcher streams, and the
//! factory end to end against a mocked API server (kube's real watcher over a tower
//! service).

mod common;

use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{Gadget, Widget, WidgetSpec};
use crdgen_runtime::informer::{
    FnHandler, ResourceEventHandler, SharedIndexInformer, SharedInformerFactory,
};
use crdgen_runtime::kube::runtime::watcher::{self, Event};
use crdgen_runtime::selector::Selector;
use futures::channel::mpsc as fmpsc;
use serde_json::json;
use tokio::sync::mpsc;
use tokio::time::timeout;

type Events = fmpsc::UnboundedSender<Result<Event<Widget>, watcher::Error>>;

fn widget(ns: &str, name: &str, rv: &str) -> Widget {
    let mut w = Widget::new(
        name,
        WidgetSpec {
            size: "small".into(),
            ..Default::default()
        },
    );
    w.metadata.namespace = Some(ns.into());
    w.metadata.resource_version = Some(rv.into());
    w
}

fn describe(w: &Widget) -> String {
    format!(
        "{}/{}@{}",
        w.metadata.namespace.as_deref().unwrap_or(""),
        w.metadata.name.as_deref().unwrap_or(""),
        w.metadata.resource_version.as_deref().unwrap_or("")
    )
}

/// A handler that reports what it sees as strings: `add ns/a@1`,
/// `update ns/a@1 -> ns/a@2`, `delete ns/a@1`.
fn recorder() -> (FnHandler<Widget>, mpsc::UnboundedReceiver<String>) {
    let (tx, rx) = mpsc::unbounded_channel();
    let (t1, t2, t3) = (tx.clone(), tx.clone(), tx);
    let handler = FnHandler::new()
        .add_func(move |w: &Arc<Widget>| drop(t1.send(format!("add {}", describe(w)))))
        .update_func(move |old: &Arc<Widget>, new: &Arc<Widget>| {
            let same = if Arc::ptr_eq(old, new) { " (same)" } else { "" };
            drop(t2.send(format!(
                "update {} -> {}{same}",
                describe(old),
                describe(new)
            )))
        })
        .delete_func(move |w: &Arc<Widget>| drop(t3.send(format!("delete {}", describe(w)))));
    (handler, rx)
}

/// The next `n` notifications (fails if they do not come within a minute of
/// virtual time).
async fn next(rx: &mut mpsc::UnboundedReceiver<String>, n: usize) -> Vec<String> {
    let mut out = Vec::new();
    for _ in 0..n {
        match timeout(Duration::from_secs(60), rx.recv()).await {
            Ok(Some(s)) => out.push(s),
            other => panic!("expected {n} notifications, got {out:?} then {other:?}"),
        }
    }
    out
}

/// Assert nothing more is delivered (within a minute of virtual time).
async fn quiet(rx: &mut mpsc::UnboundedReceiver<String>) {
    if let Ok(Some(s)) = timeout(Duration::from_secs(60), rx.recv()).await {
        panic!("unexpected notification {s:?}");
    }
}

fn send(tx: &Events, events: impl IntoIterator<Item = Event<Widget>>) {
    for e in events {
        tx.unbounded_send(Ok(e)).expect("informer is running");
    }
}

fn initial_list(tx: &Events, objects: &[Widget]) {
    send(tx, [Event::Init]);
    send(tx, objects.iter().cloned().map(Event::InitApply));
    send(tx, [Event::InitDone]);
}

fn start(informer: &SharedIndexInformer<Widget>) -> (Events, tokio::task::JoinHandle<()>) {
    let (tx, rx) = fmpsc::unbounded();
    let informer = informer.clone();
    let task = tokio::spawn(async move { informer.run(rx).await });
    (tx, task)
}

fn keys(objects: &[Arc<Widget>]) -> Vec<String> {
    objects.iter().map(|w| describe(w)).collect()
}

#[tokio::test(start_paused = true)]
async fn initial_list_syncs_then_watch_events_flow() {
    let informer = SharedIndexInformer::<Widget>::new(None);
    let (handler, mut seen) = recorder();
    informer.add_event_handler(handler);
    let lister = informer.lister();
    let (tx, _task) = start(&informer);

    send(
        &tx,
        [
            Event::Init,
            Event::InitApply(widget("ns", "b", "1")),
            Event::InitApply(widget("ns", "a", "1")),
        ],
    );
    tokio::task::yield_now().await;
    assert!(!informer.has_synced());
    assert!(
        lister.is_empty(),
        "a list is applied as a whole at InitDone"
    );
    send(&tx, [Event::InitDone]);
    assert!(
        timeout(Duration::from_secs(1), informer.wait_for_sync())
            .await
            .expect("synced")
    );
    assert_eq!(next(&mut seen, 2).await, ["add ns/a@1", "add ns/b@1"]);
    assert_eq!(
        keys(&lister.list(&Selector::everything())),
        ["ns/a@1", "ns/b@1"]
    );

    send(
        &tx,
        [
            Event::Apply(widget("ns", "a", "2")),
            Event::Apply(widget("ns", "c", "3")),
            Event::Delete(widget("ns", "b", "4")),
        ],
    );
    assert_eq!(
        next(&mut seen, 3).await,
        ["update ns/a@1 -> ns/a@2", "add ns/c@3", "delete ns/b@4"]
    );
    assert_eq!(
        keys(&lister.list(&Selector::everything())),
        ["ns/a@2", "ns/c@3"]
    );
    quiet(&mut seen).await;
}

#[tokio::test(start_paused = true)]
async fn relist_converges_without_ghosts_or_missed_deletes() {
    let informer = SharedIndexInformer::<Widget>::new(None);
    let (handler, mut seen) = recorder();
    informer.add_event_handler(handler);
    let lister = informer.lister();
    let (tx, _task) = start(&informer);
    initial_list(
        &tx,
        &[
            widget("ns", "a", "1"),
            widget("ns", "b", "1"),
            widget("ns", "c", "1"),
        ],
    );
    assert_eq!(next(&mut seen, 3).await.len(), 3);

    // The watch breaks (e.g. 410 Gone); while it was down, c was deleted, b changed
    // and d was created. The watcher relists.
    tx.unbounded_send(Err(watcher::Error::NoResourceVersion))
        .expect("running");
    send(
        &tx,
        [
            Event::Init,
            Event::InitApply(widget("ns", "a", "1")),
            Event::InitApply(widget("ns", "b", "2")),
        ],
    );
    tokio::task::yield_now().await;
    assert_eq!(
        keys(&lister.list(&Selector::everything())),
        ["ns/a@1", "ns/b@1", "ns/c@1"],
        "the old state stays visible until the new list is complete"
    );
    send(
        &tx,
        [Event::InitApply(widget("ns", "d", "3")), Event::InitDone],
    );
    assert_eq!(
        next(&mut seen, 3).await,
        ["delete ns/c@1", "update ns/b@1 -> ns/b@2", "add ns/d@3"]
    );
    quiet(&mut seen).await;
    assert_eq!(
        keys(&lister.list(&Selector::everything())),
        ["ns/a@1", "ns/b@2", "ns/d@3"]
    );
    assert!(informer.has_synced());

    // A relist that is interrupted and restarted only counts the last complete one.
    send(&tx, [Event::Init, Event::InitApply(widget("ns", "x", "9"))]);
    send(
        &tx,
        [
            Event::Init,
            Event::InitApply(widget("ns", "a", "1")),
            Event::InitDone,
        ],
    );
    assert_eq!(next(&mut seen, 2).await, ["delete ns/b@2", "delete ns/d@3"]);
    quiet(&mut seen).await;
    assert_eq!(keys(&lister.list(&Selector::everything())), ["ns/a@1"]);

    // An empty relist deletes everything.
    initial_list(&tx, &[]);
    assert_eq!(next(&mut seen, 1).await, ["delete ns/a@1"]);
    assert!(lister.is_empty());
}

#[tokio::test(start_paused = true)]
async fn late_handler_first_receives_the_cache() {
    let informer = SharedIndexInformer::<Widget>::new(None);
    let (early, mut early_seen) = recorder();
    informer.add_event_handler(early);
    let (tx, _task) = start(&informer);
    initial_list(&tx, &[widget("ns", "b", "1"), widget("ns", "a", "1")]);
    assert!(informer.wait_for_sync().await);
    assert_eq!(next(&mut early_seen, 2).await.len(), 2);

    let (late, mut late_seen) = recorder();
    informer.add_event_handler(late);
    send(&tx, [Event::Apply(widget("ns", "c", "2"))]);
    assert_eq!(
        next(&mut late_seen, 3).await,
        ["add ns/a@1", "add ns/b@1", "add ns/c@2"]
    );
    assert_eq!(
        next(&mut early_seen, 1).await,
        ["add ns/c@2"],
        "no replay for existing handlers"
    );
    quiet(&mut early_seen).await;
    quiet(&mut late_seen).await;
}

#[tokio::test(start_paused = true)]
async fn resync_redelivers_cached_objects_after_sync() {
    let informer = SharedIndexInformer::<Widget>::new(Some(Duration::from_secs(30)));
    assert_eq!(informer.resync_period(), Some(Duration::from_secs(30)));
    let (handler, mut seen) = recorder();
    informer.add_event_handler(handler);
    let (tx, _task) = start(&informer);

    // No resync before the first list is in.
    tokio::time::sleep(Duration::from_secs(95)).await;
    initial_list(&tx, &[widget("ns", "a", "1"), widget("ns", "b", "1")]);
    assert_eq!(next(&mut seen, 2).await, ["add ns/a@1", "add ns/b@1"]);

    let started = tokio::time::Instant::now();
    let resync = next(&mut seen, 2).await;
    assert_eq!(
        resync,
        [
            "update ns/a@1 -> ns/a@1 (same)",
            "update ns/b@1 -> ns/b@1 (same)"
        ]
    );
    // The 4th tick (at 120 s) is the first after the list at 95 s.
    assert_eq!(started.elapsed(), Duration::from_secs(25));
    assert_eq!(next(&mut seen, 2).await.len(), 2);
    assert_eq!(started.elapsed(), Duration::from_secs(55));
    assert!(
        !informer.set_resync_period(None),
        "cannot change once running"
    );
}

#[tokio::test(start_paused = true)]
async fn handlers_registered_before_run_and_panicking_handlers() {
    let informer = SharedIndexInformer::<Widget>::new(None);
    informer.add_event_handler(FnHandler::new().add_func(|w: &Arc<Widget>| {
        assert!(
            w.metadata.name.as_deref() != Some("boom"),
            "handler panics on boom"
        );
    }));
    let (handler, mut seen) = recorder();
    informer.add_event_handler(handler);
    let (tx, task) = start(&informer);
    initial_list(&tx, &[widget("ns", "boom", "1")]);
    send(&tx, [Event::Apply(widget("ns", "after", "2"))]);
    assert_eq!(
        next(&mut seen, 2).await,
        ["add ns/boom@1", "add ns/after@2"]
    );

    // Ending the stream ends `run` once handlers have drained.
    drop(tx);
    timeout(Duration::from_secs(1), task)
        .await
        .expect("run ends")
        .expect("run does not panic");
    assert!(informer.is_stopped());
    assert!(informer.has_synced(), "the cache stays");
    assert_eq!(informer.lister().len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stream_that_ends_is_delivered_in_full_before_run_returns() {
    // Events queue up faster than handlers take them; when the stream ends, `run`
    // returns only after every handler has had every event (a bug once marked the
    // informer stopped first, and the handlers dropped what was still queued).
    const N: usize = 5_000;
    const HANDLERS: usize = 4;
    let informer = SharedIndexInformer::<Widget>::new(None);
    let counts: Vec<Arc<Mutex<(usize, usize)>>> = (0..HANDLERS)
        .map(|_| Arc::new(Mutex::new((0, 0))))
        .collect();
    for count in &counts {
        let (adds, updates) = (count.clone(), count.clone());
        informer.add_event_handler(
            FnHandler::new()
                .add_func(move |_: &Arc<Widget>| adds.lock().unwrap().0 += 1)
                .update_func(move |_: &Arc<Widget>, _: &Arc<Widget>| {
                    // A slower handler: the queue grows while the stream is read.
                    std::hint::black_box((0..200).sum::<u64>());
                    updates.lock().unwrap().1 += 1;
                }),
        );
    }
    let events = (0..N)
        .map(|i| widget("ns", &format!("w{i}"), "1"))
        .chain((0..N).map(|i| widget("ns", &format!("w{i}"), "2")))
        .map(|w| Ok(Event::Apply(w)));
    timeout(
        Duration::from_secs(60),
        informer.run(futures::stream::iter(events)),
    )
    .await
    .expect("run ends with its stream");
    for count in &counts {
        assert_eq!(
            *count.lock().unwrap(),
            (N, N),
            "every add and update delivered"
        );
    }
    assert!(informer.is_stopped());
    assert_eq!(informer.lister().len(), N);
}

#[tokio::test(start_paused = true)]
async fn stop_ends_run_and_unblocks_waiters() {
    let informer = SharedIndexInformer::<Widget>::new(None);
    let (_tx, task) = start(&informer);
    let waiter = tokio::spawn({
        let informer = informer.clone();
        async move { informer.wait_for_sync().await }
    });
    tokio::task::yield_now().await;
    assert!(informer.is_started());
    informer.stop();
    assert!(!waiter.await.expect("no panic"), "stopped before syncing");
    timeout(Duration::from_secs(1), task)
        .await
        .expect("run ends")
        .expect("no panic");

    // A second run of the same informer does nothing.
    let (tx2, rx2) = fmpsc::unbounded();
    initial_list(&tx2, &[widget("ns", "a", "1")]);
    drop(tx2);
    informer.run(rx2).await;
    assert!(informer.lister().is_empty());
}

#[tokio::test(start_paused = true)]
async fn informer_indexes_follow_events() {
    let informer = SharedIndexInformer::<Widget>::new(None);
    informer
        .add_indexer("size", |w: &Widget| vec![w.spec.size.clone()])
        .expect("new index");
    let lister = informer.lister();
    let (tx, _task) = start(&informer);
    initial_list(&tx, &[widget("ns", "a", "1"), widget("other", "b", "1")]);
    assert!(informer.wait_for_sync().await);
    let mut big = widget("ns", "a", "2");
    big.spec.size = "large".into();
    send(&tx, [Event::Apply(big)]);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while lister.by_index("size", "large").expect("index").is_empty() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "update reached the index"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(
        keys(&lister.by_index("size", "small").expect("index")),
        ["other/b@1"]
    );
    assert_eq!(
        keys(
            &lister
                .namespaced("ns")
                .by_index("size", "large")
                .expect("index")
        ),
        ["ns/a@2"]
    );
}

/// A handler that blocks its thread until released: others must keep receiving.
struct Blocking {
    release: std::sync::mpsc::Receiver<()>,
    seen: Arc<Mutex<usize>>,
}

impl ResourceEventHandler<Widget> for Blocking {
    fn on_add(&mut self, _obj: &Arc<Widget>) {
        let mut seen = self.seen.lock().expect("lock");
        *seen += 1;
        if *seen == 1 {
            drop(seen);
            // Bounded, so a bug cannot hang the test suite.
            let _ = self.release.recv_timeout(Duration::from_secs(10));
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 3)]
async fn a_slow_handler_does_not_hold_up_the_others() {
    let informer = SharedIndexInformer::<Widget>::new(None);
    let (release, release_rx) = std::sync::mpsc::channel();
    let slow_seen = Arc::new(Mutex::new(0));
    informer.add_event_handler(Blocking {
        release: release_rx,
        seen: slow_seen.clone(),
    });
    let (handler, mut fast_seen) = recorder();
    informer.add_event_handler(handler);
    let (tx, _task) = start(&informer);
    let objects: Vec<Widget> = (0..100)
        .map(|i| widget("ns", &format!("w{i:03}"), "1"))
        .collect();
    initial_list(&tx, &objects);
    for _ in 0..100 {
        timeout(Duration::from_secs(5), fast_seen.recv())
            .await
            .expect("fast handler is not held up");
    }
    assert_eq!(
        *slow_seen.lock().expect("lock"),
        1,
        "the slow handler is still on its first object"
    );
    release.send(()).expect("slow handler waiting");
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while *slow_seen.lock().expect("lock") < 100 {
        assert!(
            std::time::Instant::now() < deadline,
            "the slow handler catches up"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

// ---------------------------------------------------------------------------------
// Factory over a mocked API server

/// What the mock API answers, in order, for list and for watch requests; when a
/// queue is empty the request hangs (a watch with nothing to say).
#[derive(Default)]
struct MockApi {
    lists: VecDeque<serde_json::Value>,
    watches: VecDeque<Vec<serde_json::Value>>,
    requests: Vec<String>,
}

fn mock_client(api: Arc<Mutex<MockApi>>) -> kube::Client {
    let service = tower::service_fn(move |req: http::Request<kube::client::Body>| {
        let api = api.clone();
        async move {
            let uri = req.uri().to_string();
            let is_watch = uri.contains("watch=true");
            let body = {
                let mut api = api.lock().expect("lock");
                api.requests.push(uri);
                if is_watch {
                    api.watches.pop_front().map(|events| {
                        events
                            .iter()
                            .map(|e| format!("{e}\n"))
                            .collect::<String>()
                            .into_bytes()
                    })
                } else {
                    api.lists
                        .pop_front()
                        .map(|list| list.to_string().into_bytes())
                }
            };
            match body {
                Some(body) => {
                    Ok::<_, Infallible>(http::Response::new(kube::client::Body::from(body)))
                }
                None => futures::future::pending().await,
            }
        }
    });
    kube::Client::new(service, "default")
}

fn widget_json(ns: &str, name: &str, rv: &str) -> serde_json::Value {
    json!({
        "apiVersion": "example.com/v1", "kind": "Widget",
        "metadata": {"name": name, "namespace": ns, "resourceVersion": rv},
        "spec": {"size": "small"}
    })
}

fn widget_list(rv: &str, items: Vec<serde_json::Value>) -> serde_json::Value {
    json!({"apiVersion": "example.com/v1", "kind": "WidgetList", "metadata": {"resourceVersion": rv}, "items": items})
}

#[tokio::test(start_paused = true)]
async fn factory_shares_one_informer_per_type() {
    let factory =
        SharedInformerFactory::new(mock_client(Arc::default()), Some(Duration::from_secs(60)));
    let a = factory.informer_for::<Widget>();
    let b = factory.informer_for::<Widget>();
    a.add_indexer("x", |_: &Widget| vec![]).expect("new index");
    assert!(
        b.add_indexer("x", |_: &Widget| vec![]).is_err(),
        "same informer, same cache"
    );
    assert_eq!(
        b.resync_period(),
        Some(Duration::from_secs(60)),
        "default resync"
    );
    let c = factory.informer_for_with_resync::<Widget>(Some(Duration::from_secs(5)));
    assert_eq!(
        a.resync_period(),
        Some(Duration::from_secs(5)),
        "per-type resync before start"
    );
    assert!(c.add_indexer("x", |_: &Widget| vec![]).is_err());
    let g = factory.informer_for::<Gadget>();
    g.add_indexer("x", |_: &Gadget| vec![])
        .expect("another type, another informer");
    assert!(
        factory.wait_for_cache_sync().await,
        "nothing started: nothing to wait for"
    );
    factory.shutdown().await;
    assert!(factory.start().is_err(), "no restart after shutdown");
}

#[tokio::test(start_paused = true)]
async fn factory_end_to_end_with_relist_after_410() {
    let api = Arc::new(Mutex::new(MockApi::default()));
    {
        let mut api = api.lock().expect("lock");
        api.lists.push_back(widget_list(
            "10",
            vec![widget_json("ns1", "a", "5"), widget_json("ns1", "b", "6")],
        ));
        api.watches.push_back(vec![
            json!({"type": "MODIFIED", "object": widget_json("ns1", "a", "11")}),
            json!({"type": "DELETED", "object": widget_json("ns1", "b", "12")}),
            json!({"type": "ADDED", "object": widget_json("ns1", "c", "13")}),
            json!({"type": "ERROR", "object": {
                "apiVersion": "v1", "kind": "Status", "metadata": {}, "status": "Failure",
                "message": "too old resource version", "reason": "Expired", "code": 410
            }}),
        ]);
        // After the 410 the watcher relists: c was deleted and d created meanwhile.
        api.lists.push_back(widget_list(
            "20",
            vec![widget_json("ns1", "a", "11"), widget_json("ns1", "d", "19")],
        ));
    }
    let factory = SharedInformerFactory::new(mock_client(api.clone()), None)
        .with_namespace("ns1")
        .with_tweak_list_options(|cfg| cfg.label_selector = Some("app=web".into()));
    let informer = factory.informer_for::<Widget>();
    let (handler, mut seen) = recorder();
    informer.add_event_handler(handler);
    factory.start().expect("in a runtime");
    assert!(
        timeout(Duration::from_secs(60), factory.wait_for_cache_sync())
            .await
            .expect("syncs")
    );

    assert_eq!(
        next(&mut seen, 7).await,
        [
            "add ns1/a@5",
            "add ns1/b@6",
            "update ns1/a@5 -> ns1/a@11",
            "delete ns1/b@12",
            "add ns1/c@13",
            "delete ns1/c@13",
            "add ns1/d@19",
        ]
    );
    quiet(&mut seen).await;
    assert_eq!(
        keys(&informer.lister().list(&Selector::everything())),
        ["ns1/a@11", "ns1/d@19"]
    );

    let requests = api.lock().expect("lock").requests.clone();
    assert!(
        requests.len() >= 4,
        "list, watch, relist, watch: {requests:?}"
    );
    for uri in &requests {
        assert!(
            uri.starts_with("/apis/example.com/v1/namespaces/ns1/widgets?"),
            "{uri}"
        );
        assert!(uri.contains("labelSelector=app%3Dweb"), "{uri}");
    }

    timeout(Duration::from_secs(5), factory.shutdown())
        .await
        .expect("shutdown completes");
    assert!(informer.is_stopped());
}

#[tokio::test(start_paused = true)]
async fn factory_shutdown_before_sync_releases_waiters() {
    // The API never answers: the informer can never sync.
    let factory = SharedInformerFactory::new(mock_client(Arc::default()), None);
    let informer = factory.informer_for::<Gadget>();
    factory.start().expect("in a runtime");
    let waiter = tokio::spawn({
        let factory = factory.clone();
        async move { factory.wait_for_cache_sync().await }
    });
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert!(!waiter.is_finished());
    factory.shutdown().await;
    assert!(!waiter.await.expect("no panic"), "not synced");
    assert!(!informer.has_synced());
}

/// One object that does not decode into `Widget` (`spec.size: 42`, stored without
/// validation, as an older schema or a client that skipped it could) among good ones:
/// the factory's informer still syncs with the good ones, and reports the bad one
/// (counter and callback) on the list, on a watch update and on its deletion.
#[cfg(feature = "server")]
#[tokio::test]
async fn factory_syncs_past_an_undecodable_object_and_reports_it() {
    use crdgen_runtime::fake::FakeClient;
    use crdgen_runtime::informer::DecodeError;
    use crdgen_runtime::kube::api::{Api, ApiResource, DeleteParams, DynamicObject};

    let crd = serde_json::from_str(common::WIDGET_CRD).expect("JSON");
    let fake = FakeClient::with_crds([crd]).expect("the Widget CRD");
    let raw = |name: &str, size: serde_json::Value| {
        json!({"apiVersion": "example.com/v1", "kind": "Widget",
               "metadata": {"name": name, "namespace": "ns1"}, "spec": {"size": size}})
    };
    for (name, size) in [
        ("a", json!("small")),
        ("bad", json!(42)),
        ("c", json!("large")),
    ] {
        fake.add_value(raw(name, size))
            .expect("stored without validation");
    }

    let factory = SharedInformerFactory::new(fake.client(), None);
    let informer = factory.informer_for::<Widget>();
    let (tx, mut reported) = mpsc::unbounded_channel::<DecodeError>();
    informer.on_decode_error(move |e| drop(tx.send(e.clone())));
    let (handler, mut seen) = recorder();
    informer.add_event_handler(handler);
    factory.start().expect("in a runtime");
    assert!(
        timeout(Duration::from_secs(20), factory.wait_for_cache_sync())
            .await
            .expect("syncs although one object does not decode"),
        "synced"
    );
    let lister = informer.lister();
    let mut names: Vec<String> = lister
        .list(&Selector::everything())
        .iter()
        .map(|w| describe(w))
        .collect();
    names.sort();
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(
        names[0].starts_with("ns1/a@") && names[1].starts_with("ns1/c@"),
        "{names:?}"
    );
    assert_eq!(informer.decode_errors(), 1);
    let e = timeout(Duration::from_secs(20), reported.recv())
        .await
        .expect("reported")
        .expect("a report");
    assert_eq!(
        (e.kind.as_str(), e.namespace.as_deref(), e.name.as_deref()),
        ("Widget", Some("ns1"), Some("bad"))
    );
    assert!(
        e.message
            .contains("invalid type: integer `42`, expected a string"),
        "{e}"
    );
    assert!(e.resource_version.is_some());
    assert!(
        e.to_string()
            .starts_with("Widget ns1/bad does not decode: "),
        "{e}"
    );
    let mut adds = next(&mut seen, 2).await;
    adds.sort();
    assert!(
        adds[0].starts_with("add ns1/a@") && adds[1].starts_with("add ns1/c@"),
        "{adds:?}"
    );

    // A cached object turning undecodable on the watch: reported, the cache keeps
    // its last decodable state, handlers hear nothing.
    fake.add_value(raw("a", json!(7))).expect("stored");
    let e = timeout(Duration::from_secs(20), reported.recv())
        .await
        .expect("reported")
        .expect("a report");
    assert_eq!(e.name.as_deref(), Some("a"));
    assert_eq!(informer.decode_errors(), 2);
    assert_eq!(
        lister
            .get(Some("ns1"), "a")
            .map(|w| w.spec.size.clone())
            .as_deref(),
        Some("small")
    );

    // Its deletion (the event carries the undecodable object): reported, and the
    // cached object of that name is deleted, with its last decodable state.
    let api: Api<DynamicObject> =
        Api::namespaced_with(fake.client(), "ns1", &ApiResource::erase::<Widget>(&()));
    api.delete("a", &DeleteParams::default())
        .await
        .expect("deleted");
    let deleted = next(&mut seen, 1).await;
    assert!(deleted[0].starts_with("delete ns1/a@"), "{deleted:?}");
    assert!(lister.get(Some("ns1"), "a").is_none());
    assert_eq!(informer.decode_errors(), 3);
    let e = timeout(Duration::from_secs(20), reported.recv())
        .await
        .expect("reported")
        .expect("a report");
    assert_eq!(e.name.as_deref(), Some("a"));
    // Deleting the one that never decoded: reported, nothing to delete or notify.
    api.delete("bad", &DeleteParams::default())
        .await
        .expect("deleted");
    let e = timeout(Duration::from_secs(20), reported.recv())
        .await
        .expect("reported")
        .expect("a report");
    assert_eq!(e.name.as_deref(), Some("bad"));
    assert!(
        timeout(Duration::from_millis(300), seen.recv())
            .await
            .is_err(),
        "no notification for an object never cached"
    );
    assert_eq!(lister.len(), 1);
    factory.shutdown().await;
}
