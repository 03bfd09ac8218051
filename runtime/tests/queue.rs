//! The rate-limited work queue, on tokio's paused clock.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crdgen_runtime::queue::{
    BucketRateLimiter, ItemExponentialRateLimiter, MaxOfRateLimiter, RateLimiter, WorkQueue,
    default_rate_limiter,
};
use tokio::time::{Instant, advance, timeout};

const MS: Duration = Duration::from_millis(1);

/// `get` that must complete without the clock moving.
async fn get_now<T: Clone + Eq + std::hash::Hash + Send + Sync + 'static>(
    q: &WorkQueue<T>,
) -> Option<T> {
    timeout(Duration::ZERO, q.get())
        .await
        .unwrap_or_else(|_| panic!("get() should not wait"))
}

/// Whether `get` would block right now.
async fn get_blocks<T: Clone + Eq + std::hash::Hash + Send + Sync + 'static>(
    q: &WorkQueue<T>,
) -> bool {
    // A blocked `get` is cancelled before it takes anything, so nothing is lost.
    timeout(Duration::ZERO, q.get()).await.is_err()
}

#[tokio::test(start_paused = true)]
async fn dedup_and_fifo() {
    let q = WorkQueue::<&str>::new();
    q.add("a");
    q.add("b");
    q.add("a");
    q.add("c");
    assert_eq!(q.len(), 3);
    assert_eq!(get_now(&q).await, Some("a"));
    assert_eq!(get_now(&q).await, Some("b"));
    assert_eq!(get_now(&q).await, Some("c"));
    assert!(get_blocks(&q).await);
    assert!(q.is_empty());
}

#[tokio::test(start_paused = true)]
async fn item_added_while_processing_is_requeued_after_done() {
    let q = WorkQueue::<&str>::new();
    q.add("a");
    let item = get_now(&q).await.expect("queued");
    q.add("a");
    q.add("a");
    assert_eq!(q.len(), 0, "not handed to a second worker while processing");
    assert!(get_blocks(&q).await);
    q.done(&item);
    assert_eq!(q.len(), 1, "queued again once, on done");
    assert_eq!(get_now(&q).await, Some("a"));
    q.done(&"a");
    assert_eq!(q.len(), 0, "done without a re-add does not requeue");
}

#[tokio::test(start_paused = true)]
async fn get_waits_for_add() {
    let q = WorkQueue::<u32>::new();
    let worker = tokio::spawn({
        let q = q.clone();
        async move { q.get().await }
    });
    tokio::task::yield_now().await;
    assert!(!worker.is_finished());
    q.add(7);
    assert_eq!(worker.await.expect("no panic"), Some(7));
}

#[tokio::test(start_paused = true)]
async fn shutdown_drains_queued_items_then_returns_none() {
    let q = WorkQueue::<u32>::new();
    let waiter = tokio::spawn({
        let q = q.clone();
        async move { q.get().await }
    });
    tokio::task::yield_now().await;
    q.shut_down();
    assert_eq!(
        waiter.await.expect("no panic"),
        None,
        "a waiting worker is released"
    );

    let q = WorkQueue::<u32>::new();
    q.add(1);
    q.add(2);
    q.add_after(3, MS);
    q.shut_down();
    assert!(q.is_shutting_down());
    q.add(4);
    q.add_rate_limited(5);
    assert_eq!(get_now(&q).await, Some(1));
    assert_eq!(get_now(&q).await, Some(2));
    advance(10 * MS).await;
    assert_eq!(
        get_now(&q).await,
        None,
        "delayed and post-shutdown items are dropped"
    );
}

#[tokio::test(start_paused = true)]
async fn add_after_waits_for_the_deadline() {
    let q = WorkQueue::<&str>::new();
    q.add_after("later", 100 * MS);
    q.add_after("sooner", 50 * MS);
    q.add_after("now", Duration::ZERO);
    assert_eq!(get_now(&q).await, Some("now"));
    assert!(get_blocks(&q).await);
    advance(49 * MS).await;
    assert_eq!(q.len(), 0);
    advance(MS).await;
    assert_eq!(q.len(), 1);
    assert_eq!(get_now(&q).await, Some("sooner"));

    // A blocked get wakes up by itself at the deadline.
    let start = Instant::now();
    assert_eq!(q.get().await, Some("later"));
    assert_eq!(Instant::now() - start, 50 * MS);
}

#[tokio::test(start_paused = true)]
async fn add_after_keeps_the_earliest_deadline() {
    let q = WorkQueue::<&str>::new();
    q.add_after("x", 100 * MS);
    q.add_after("x", 10 * MS);
    q.add_after("x", 50 * MS);
    advance(10 * MS).await;
    assert_eq!(get_now(&q).await, Some("x"));
    q.done(&"x");
    advance(200 * MS).await;
    assert_eq!(q.len(), 0, "the superseded deadlines do not add it again");

    // An earlier deadline added while a worker is already waiting wakes it earlier.
    q.add_after("y", 100 * MS);
    let worker = tokio::spawn({
        let q = q.clone();
        async move { (q.get().await, Instant::now()) }
    });
    tokio::task::yield_now().await;
    let start = Instant::now();
    q.add_after("z", 20 * MS);
    let (item, at) = worker.await.expect("no panic");
    assert_eq!(item, Some("z"));
    assert_eq!(at - start, 20 * MS);
}

#[tokio::test(start_paused = true)]
async fn add_rate_limited_backs_off_per_item() {
    let q = WorkQueue::with_rate_limiter(ItemExponentialRateLimiter::new(
        5 * MS,
        Duration::from_secs(1),
    ));
    let mut expected = 5 * MS;
    for failures in 0..5 {
        assert_eq!(q.num_requeues(&"a"), failures);
        q.add_rate_limited("a");
        advance(expected - MS).await;
        assert_eq!(q.len(), 0, "not ready before {expected:?}");
        advance(MS).await;
        assert_eq!(get_now(&q).await, Some("a"), "ready at {expected:?}");
        q.done(&"a");
        expected *= 2;
    }
    assert_eq!(q.num_requeues(&"a"), 5);
    assert_eq!(q.num_requeues(&"b"), 0, "per item");
    q.forget(&"a");
    assert_eq!(q.num_requeues(&"a"), 0);
    q.add_rate_limited("a");
    advance(5 * MS).await;
    assert_eq!(
        get_now(&q).await,
        Some("a"),
        "backoff starts over after forget"
    );
}

#[tokio::test(start_paused = true)]
async fn exponential_backoff_is_capped() {
    let mut rl = ItemExponentialRateLimiter::new(5 * MS, Duration::from_secs(1000));
    let now = Instant::now();
    let delays: Vec<Duration> = (0..100).map(|_| rl.when(&"a", now)).collect();
    assert_eq!(delays[0], 5 * MS);
    assert_eq!(delays[1], 10 * MS);
    assert_eq!(delays[17], 5 * MS * (1 << 17)); // 655.36 s
    assert_eq!(delays[18], Duration::from_secs(1000));
    assert_eq!(delays[99], Duration::from_secs(1000), "no overflow");
    assert_eq!(rl.num_requeues(&"a"), 100);
}

#[tokio::test(start_paused = true)]
async fn bucket_and_default_limiters() {
    let mut bucket = BucketRateLimiter::new(10.0, 3);
    let now = Instant::now();
    let d: Vec<Duration> = (0..5)
        .map(|i| RateLimiter::<u32>::when(&mut bucket, &i, now))
        .collect();
    assert_eq!(&d[..3], [Duration::ZERO; 3], "burst");
    assert_eq!(d[3], 100 * MS);
    assert_eq!(d[4], 200 * MS, "reservations stack up");
    // After a second the bucket has refilled (to at most the burst).
    let later = now + Duration::from_secs(2);
    let d: Vec<Duration> = (0..4)
        .map(|i| RateLimiter::<u32>::when(&mut bucket, &i, later))
        .collect();
    assert_eq!(
        d,
        [Duration::ZERO, Duration::ZERO, Duration::ZERO, 100 * MS]
    );

    // The default is the max of exponential (5 ms ...) and the 10 qps / 100 burst bucket.
    let mut default = default_rate_limiter::<u32>();
    assert_eq!(default.when(&1, now), 5 * MS);
    assert_eq!(default.when(&1, now), 10 * MS);
    for i in 2..100 {
        default.when(&i, now);
    }
    // The bucket is now exhausted: the 101st call in the same instant waits 100 ms.
    assert_eq!(default.when(&500, now), 100 * MS);
    assert_eq!(default.num_requeues(&1), 2);
    default.forget(&1);
    assert_eq!(default.num_requeues(&1), 0);

    let mut max = MaxOfRateLimiter::new(vec![
        Box::new(ItemExponentialRateLimiter::new(MS, Duration::from_secs(1))),
        Box::new(ItemExponentialRateLimiter::new(3 * MS, 4 * MS)),
    ]);
    assert_eq!(max.when(&"x", now), 3 * MS);
    assert_eq!(max.when(&"x", now), 4 * MS);
    assert_eq!(max.when(&"x", now), 4 * MS);
    assert_eq!(max.when(&"x", now), 8 * MS);
}

#[tokio::test(start_paused = true)]
async fn shut_down_with_drain_waits_for_workers() {
    let q = WorkQueue::<u32>::new();
    q.add(1);
    q.add(2);
    let held = get_now(&q).await.expect("queued");
    let drain = tokio::spawn({
        let q = q.clone();
        async move { q.shut_down_with_drain().await }
    });
    tokio::task::yield_now().await;
    assert!(!drain.is_finished(), "item 1 is processing, item 2 queued");
    q.done(&held);
    tokio::task::yield_now().await;
    assert!(!drain.is_finished(), "item 2 still queued");
    let second = get_now(&q).await.expect("still handed out while draining");
    assert_eq!(second, 2);
    q.add(3);
    q.done(&second);
    timeout(Duration::from_secs(1), drain)
        .await
        .expect("drained")
        .expect("no panic");
    assert_eq!(get_now(&q).await, None, "adds during drain are ignored");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_workers_process_each_item_once_at_a_time() {
    let q = WorkQueue::<u32>::new();
    let in_flight = Arc::new(Mutex::new(std::collections::HashSet::new()));
    let processed = Arc::new(Mutex::new(HashMap::<u32, u32>::new()));
    let mut workers = Vec::new();
    for _ in 0..4 {
        let (q, in_flight, processed) = (q.clone(), in_flight.clone(), processed.clone());
        workers.push(tokio::spawn(async move {
            while let Some(item) = q.get().await {
                assert!(
                    in_flight.lock().expect("lock").insert(item),
                    "{item} processed concurrently"
                );
                tokio::task::yield_now().await;
                *processed.lock().expect("lock").entry(item).or_default() += 1;
                in_flight.lock().expect("lock").remove(&item);
                q.done(&item);
            }
        }));
    }
    for round in 0..50 {
        for item in 0..20 {
            q.add(item);
        }
        if round % 10 == 0 {
            tokio::task::yield_now().await;
        }
    }
    q.shut_down_with_drain().await;
    for w in workers {
        w.await.expect("worker did not panic");
    }
    let processed = processed.lock().expect("lock");
    assert_eq!(processed.len(), 20, "every item processed");
    assert!(processed.values().all(|n| (1..=50).contains(n)));
}
