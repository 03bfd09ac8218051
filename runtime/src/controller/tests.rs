//! The controller over informers fed by hand (no server): triggers, one reconcile
//! per key at a time, requeues, errors, shared objects, shutdown.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use futures::channel::mpsc;
use futures::{Stream, StreamExt};
use k8s_openapi::api::core::v1::{ConfigMap, Secret};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference;
use kube::runtime::watcher::{self, Event};

use super::*;

type Feed<T> = mpsc::UnboundedSender<Result<Event<T>, watcher::Error>>;

/// An informer run over a hand-fed stream, already listed (empty).
fn informer<T>() -> (SharedIndexInformer<T>, Feed<T>)
where
    T: Resource + Clone + Send + Sync + 'static,
{
    let informer = SharedIndexInformer::new(None);
    let (tx, rx) = mpsc::unbounded();
    tx.unbounded_send(Ok(Event::Init)).unwrap();
    tx.unbounded_send(Ok(Event::InitDone)).unwrap();
    let run = informer.clone();
    tokio::spawn(async move { run.run(rx).await });
    (informer, tx)
}

fn cm(name: &str, rv: u32) -> ConfigMap {
    let mut c = ConfigMap::default();
    c.metadata.namespace = Some("ns".into());
    c.metadata.name = Some(name.into());
    c.metadata.resource_version = Some(rv.to_string());
    c
}

fn secret(name: &str, rv: u32, owner: &str) -> Secret {
    let mut s = Secret::default();
    s.metadata.namespace = Some("ns".into());
    s.metadata.name = Some(name.into());
    s.metadata.resource_version = Some(rv.to_string());
    s.metadata.owner_references = Some(vec![OwnerReference {
        api_version: "v1".into(),
        kind: "ConfigMap".into(),
        name: owner.into(),
        uid: "u".into(),
        controller: Some(true),
        ..Default::default()
    }]);
    s
}

fn apply<T>(feed: &Feed<T>, obj: T) {
    feed.unbounded_send(Ok(Event::Apply(obj))).unwrap();
}

#[derive(Debug, thiserror::Error)]
#[error("failed on purpose")]
struct Failed;

/// The names of the next `n` results (`!name` for errors).
async fn names<S, E>(results: &mut S, n: usize) -> Vec<String>
where
    S: Stream<Item = ReconcileResult<ConfigMap, E>> + Unpin,
    E: StdError + 'static,
{
    let mut out = Vec::new();
    for _ in 0..n {
        // 60 s: virtual time in the tests with a paused clock.
        let next = tokio::time::timeout(Duration::from_secs(60), results.next())
            .await
            .expect("a result within 60 s")
            .expect("the stream goes on");
        out.push(match next {
            Ok((r, _)) => r.name,
            Err(Error::ReconcilerFailed(_, r)) => format!("!{}", r.name),
            Err(Error::ObjectNotFound(r)) => format!("?{}", r.name),
            Err(Error::ReconcilerPanicked(r)) => format!("panic {}", r.name),
        });
    }
    out
}

#[tokio::test]
async fn reconciles_the_cached_object_itself() {
    let (cms, feed) = informer::<ConfigMap>();
    apply(&feed, cm("a", 1));
    let lister = cms.lister();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let ctx = seen.clone();
    let mut results = Box::pin(Controller::new(cms).run(
        |obj: Arc<ConfigMap>, ctx: Arc<Mutex<Vec<Arc<ConfigMap>>>>| async move {
            ctx.lock().unwrap().push(obj);
            Ok::<_, Failed>(Action::await_change())
        },
        |_, _, _| Action::await_change(),
        ctx,
    ));
    assert_eq!(names(&mut results, 1).await, ["a"]);
    let reconciled = seen.lock().unwrap()[0].clone();
    let cached = lister.get(Some("ns"), "a").unwrap();
    assert!(Arc::ptr_eq(&reconciled, &cached), "shared, not copied");
    // An update reconciles again; a deletion does not (nothing left to read).
    apply(&feed, cm("a", 2));
    assert_eq!(names(&mut results, 1).await, ["a"]);
    feed.unbounded_send(Ok(Event::Delete(cm("a", 2)))).unwrap();
    apply(&feed, cm("b", 3));
    assert_eq!(names(&mut results, 1).await, ["b"]);
}

#[tokio::test]
async fn one_reconcile_per_key_at_a_time() {
    let (cms, feed) = informer::<ConfigMap>();
    apply(&feed, cm("a", 1));
    let running = Arc::new(AtomicUsize::new(0));
    let most = Arc::new(AtomicUsize::new(0));
    let versions = Arc::new(Mutex::new(Vec::new()));
    let (r, m, v) = (running.clone(), most.clone(), versions.clone());
    let (started_tx, mut started) = mpsc::unbounded::<()>();
    let mut results = Box::pin(Controller::new(cms).run(
        move |obj: Arc<ConfigMap>, _: Arc<()>| {
            let (r, m, v, started_tx) = (r.clone(), m.clone(), v.clone(), started_tx.clone());
            async move {
                let now = r.fetch_add(1, Ordering::SeqCst) + 1;
                m.fetch_max(now, Ordering::SeqCst);
                v.lock()
                    .unwrap()
                    .push(obj.metadata.resource_version.clone().unwrap());
                let _ = started_tx.unbounded_send(());
                tokio::time::sleep(Duration::from_millis(100)).await;
                r.fetch_sub(1, Ordering::SeqCst);
                Ok::<_, Failed>(Action::await_change())
            }
        },
        |_, _, _| Action::await_change(),
        Arc::new(()),
    ));
    let driver = tokio::spawn(async move { names(&mut results, 2).await });
    started.next().await.unwrap();
    // Two updates while "a" is being reconciled: one more reconcile, after it, of
    // the latest state.
    apply(&feed, cm("a", 2));
    apply(&feed, cm("a", 3));
    assert_eq!(driver.await.unwrap(), ["a", "a"]);
    assert_eq!(most.load(Ordering::SeqCst), 1);
    assert_eq!(*versions.lock().unwrap(), ["1", "3"]);
}

#[tokio::test]
async fn different_keys_run_concurrently_up_to_the_limit() {
    let (cms, feed) = informer::<ConfigMap>();
    for i in 0..6 {
        apply(&feed, cm(&format!("c{i}"), i));
    }
    let running = Arc::new(AtomicUsize::new(0));
    let most = Arc::new(AtomicUsize::new(0));
    let (r, m) = (running.clone(), most.clone());
    let mut results = Box::pin(
        Controller::new(cms)
            .with_config(Config::default().concurrency(2))
            .run(
                move |_: Arc<ConfigMap>, _: Arc<()>| {
                    let (r, m) = (r.clone(), m.clone());
                    async move {
                        let now = r.fetch_add(1, Ordering::SeqCst) + 1;
                        m.fetch_max(now, Ordering::SeqCst);
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        r.fetch_sub(1, Ordering::SeqCst);
                        Ok::<_, Failed>(Action::await_change())
                    }
                },
                |_, _, _| Action::await_change(),
                Arc::new(()),
            ),
    );
    let mut got = names(&mut results, 6).await;
    got.sort();
    assert_eq!(got, ["c0", "c1", "c2", "c3", "c4", "c5"]);
    assert_eq!(most.load(Ordering::SeqCst), 2);
}

#[tokio::test(start_paused = true)]
async fn requeue_after_the_actions_delay() {
    let (cms, feed) = informer::<ConfigMap>();
    apply(&feed, cm("a", 1));
    let start = tokio::time::Instant::now();
    let mut results = Box::pin(Controller::new(cms).run(
        |_: Arc<ConfigMap>, _: Arc<()>| async {
            Ok::<_, Failed>(Action::requeue(Duration::from_secs(30)))
        },
        |_, _, _| Action::await_change(),
        Arc::new(()),
    ));
    assert_eq!(names(&mut results, 1).await, ["a"]);
    assert!(start.elapsed() < Duration::from_secs(1));
    assert_eq!(names(&mut results, 1).await, ["a"]);
    let elapsed = start.elapsed();
    assert!(
        elapsed >= Duration::from_secs(30) && elapsed < Duration::from_secs(31),
        "{elapsed:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn errors_requeue_with_error_policy_and_backoff() {
    let (cms, feed) = informer::<ConfigMap>();
    apply(&feed, cm("a", 1));
    let policy_calls = Arc::new(AtomicUsize::new(0));
    let calls = policy_calls.clone();
    let start = tokio::time::Instant::now();
    let attempts = Arc::new(Mutex::new(Vec::new()));
    let at = attempts.clone();
    let mut results = Box::pin(
        Controller::new(cms)
            // Per-key exponential backoff only: 1 s, 2 s, 4 s…
            .with_rate_limiter(crate::queue::ItemExponentialRateLimiter::new(
                Duration::from_secs(1),
                Duration::from_secs(60),
            ))
            .run(
                move |_: Arc<ConfigMap>, _: Arc<()>| {
                    at.lock().unwrap().push(start.elapsed().as_millis());
                    async { Err::<Action, _>(Failed) }
                },
                move |obj, _: &Failed, _| {
                    assert_eq!(obj.metadata.name.as_deref(), Some("a"));
                    calls.fetch_add(1, Ordering::SeqCst);
                    Action::requeue(Duration::from_millis(1500))
                },
                Arc::new(()),
            ),
    );
    assert_eq!(names(&mut results, 4).await, ["!a", "!a", "!a", "!a"]);
    assert_eq!(policy_calls.load(Ordering::SeqCst), 4);
    // The policy's 1.5 s until the backoff exceeds it: 1.5 s, 2 s, 4 s.
    assert_eq!(*attempts.lock().unwrap(), [0, 1500, 3500, 7500]);
}

#[tokio::test]
async fn owned_objects_trigger_their_owner() {
    let (cms, cm_feed) = informer::<ConfigMap>();
    let (secrets, secret_feed) = informer::<Secret>();
    apply(&cm_feed, cm("owner", 1));
    let mut results = Box::pin(Controller::new(cms).owns(secrets).run(
        |_: Arc<ConfigMap>, _: Arc<()>| async { Ok::<_, Failed>(Action::await_change()) },
        |_, _, _| Action::await_change(),
        Arc::new(()),
    ));
    assert_eq!(names(&mut results, 1).await, ["owner"]);
    apply(&secret_feed, secret("s", 1, "owner"));
    assert_eq!(names(&mut results, 1).await, ["owner"]);
    secret_feed
        .unbounded_send(Ok(Event::Delete(secret("s", 1, "owner"))))
        .unwrap();
    assert_eq!(names(&mut results, 1).await, ["owner"]);
    // An owner that does not exist is reported, not reconciled.
    apply(&secret_feed, secret("t", 2, "ghost"));
    assert_eq!(names(&mut results, 1).await, ["?ghost"]);
}

#[tokio::test]
async fn watches_map_any_kind() {
    let (cms, cm_feed) = informer::<ConfigMap>();
    let (secrets, secret_feed) = informer::<Secret>();
    apply(&cm_feed, cm("x", 1));
    apply(&cm_feed, cm("y", 1));
    let mapper = |s: Arc<Secret>| -> Vec<ObjectRef<ConfigMap>> {
        let data: &BTreeMap<_, _> = s.string_data.as_ref().unwrap();
        data.keys()
            .map(|name| ObjectRef::new(name).within("ns"))
            .collect()
    };
    let mut results = Box::pin(Controller::new(cms).watches(secrets, mapper).run(
        |_: Arc<ConfigMap>, _: Arc<()>| async { Ok::<_, Failed>(Action::await_change()) },
        |_, _, _| Action::await_change(),
        Arc::new(()),
    ));
    let mut first = names(&mut results, 2).await;
    first.sort();
    assert_eq!(first, ["x", "y"]);
    let mut s = secret("s", 1, "none");
    s.string_data = Some(BTreeMap::from([("y".to_owned(), String::new())]));
    apply(&secret_feed, s);
    assert_eq!(names(&mut results, 1).await, ["y"]);
}

#[tokio::test]
async fn waits_for_every_informer_then_ends_on_shutdown() {
    let (cms, cm_feed) = informer::<ConfigMap>();
    apply(&cm_feed, cm("a", 1));
    // A child informer that has not listed yet.
    let secrets = SharedIndexInformer::<Secret>::new(None);
    let (secret_feed, rx) = mpsc::unbounded();
    let run = secrets.clone();
    tokio::spawn(async move { run.run(rx).await });
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let mut results = Box::pin(
        Controller::new(cms)
            .owns(secrets)
            .graceful_shutdown_on(async {
                let _ = stopped.await;
            })
            .run(
                |_: Arc<ConfigMap>, _: Arc<()>| async { Ok::<_, Failed>(Action::await_change()) },
                |_, _, _| Action::await_change(),
                Arc::new(()),
            ),
    );
    let early = tokio::time::timeout(Duration::from_millis(200), results.next()).await;
    assert!(
        early.is_err(),
        "nothing reconciled before every cache synced"
    );
    secret_feed.unbounded_send(Ok(Event::Init)).unwrap();
    secret_feed.unbounded_send(Ok(Event::InitDone)).unwrap();
    assert_eq!(names(&mut results, 1).await, ["a"]);
    stop.send(()).unwrap();
    let end = tokio::time::timeout(Duration::from_secs(10), results.next()).await;
    assert!(matches!(end, Ok(None)), "the stream ends after shutdown");
}

#[tokio::test]
async fn ends_when_the_informer_stops_and_survives_panics() {
    let (cms, feed) = informer::<ConfigMap>();
    apply(&feed, cm("a", 1));
    let informer = cms.clone();
    let mut results = Box::pin(Controller::new(cms).run(
        |_: Arc<ConfigMap>, _: Arc<()>| async {
            if true {
                panic!("a bug in the reconciler");
            }
            Ok::<_, Failed>(Action::await_change())
        },
        |_, _, _| Action::await_change(),
        Arc::new(()),
    ));
    assert_eq!(names(&mut results, 1).await, ["panic a"]);
    informer.stop();
    let end = tokio::time::timeout(Duration::from_secs(10), results.next()).await;
    assert!(matches!(end, Ok(None)), "the stream ends with its informer");
}

#[tokio::test]
async fn the_queue_triggers_a_reconcile_by_hand() {
    let (cms, feed) = informer::<ConfigMap>();
    apply(&feed, cm("a", 1));
    let controller = Controller::new(cms);
    let queue = controller.queue();
    let mut results = Box::pin(controller.run(
        |_: Arc<ConfigMap>, _: Arc<()>| async { Ok::<_, Failed>(Action::await_change()) },
        |_, _, _| Action::await_change(),
        Arc::new(()),
    ));
    assert_eq!(names(&mut results, 1).await, ["a"]);
    // kube-runtime's `reconcile_on`: a key added by hand is reconciled again.
    queue.add(ObjectKey::new(Some("ns"), "a"));
    assert_eq!(names(&mut results, 1).await, ["a"]);
    queue.add(ObjectKey::new(Some("ns"), "missing"));
    assert_eq!(names(&mut results, 1).await, ["?missing"]);
}
