//! Event delivery throughput: one watch stream fanned out to 10 handlers, crdgen's
//! informer against kube-runtime's shared reflector with 10 subscribers, on the same
//! objects in the same run.
//!
//! ```text
//! cargo bench -p crdgen-runtime --bench events                      # 100,000 objects
//! EVENTS_BENCH_N=1000 cargo bench -p crdgen-runtime --bench events  # quick smoke run
//! ```
//!
//! The stream carries N `Apply` events that add N objects, then N that update them (a
//! new resourceVersion each): 2N events, 20N deliveries. Each side is timed from the
//! first event until every handler has seen every event it is given:
//!
//! - crdgen: a [`SharedIndexInformer`] with 10 [`FnHandler`]s counting adds and
//!   updates; `run` returns once the stream has ended and every handler's queue has
//!   drained.
//! - kube-runtime: `reflector::store_shared` (its `unstable-runtime-subscribe`
//!   feature, the one way it fans a watch out to several consumers) with 10
//!   `subscribe()` handles, each drained by its own task; the reflector stream is
//!   driven to its end, which closes the handles. Its broadcast buffer is bounded
//!   (`KUBE_BUFFER` events): the reflector waits for the slowest subscriber.
//!
//! A multi-thread tokio runtime with 2 workers runs both (the project's machines have
//! 2 cores). Each side runs `REPS` times; the best run is reported.

#[path = "../tests/common/mod.rs"]
mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use common::{Widget, WidgetSpec};
use crdgen_runtime::informer::{FnHandler, SharedIndexInformer};
use crdgen_runtime::kube::runtime::reflector;
use crdgen_runtime::kube::runtime::watcher::{Error, Event};
use futures::StreamExt;

const HANDLERS: usize = 10;
const NAMESPACES: usize = 100;
const REPS: usize = 3;
const KUBE_BUFFER: usize = 1024;

fn widget(i: usize, rv: usize) -> Widget {
    let mut w = Widget::new(
        &format!("w-{i}"),
        WidgetSpec {
            size: "small".into(),
            ..Default::default()
        },
    );
    w.metadata.namespace = Some(format!("ns-{}", i % NAMESPACES));
    w.metadata.resource_version = Some(rv.to_string());
    w
}

/// N adds, then N updates.
fn events(n: usize) -> Vec<Result<Event<Widget>, Error>> {
    (0..n)
        .map(|i| widget(i, i + 1))
        .chain((0..n).map(|i| widget(i, n + i + 1)))
        .map(|w| Ok(Event::Apply(w)))
        .collect()
}

async fn crdgen_informer(events: Vec<Result<Event<Widget>, Error>>) -> (Duration, usize) {
    let informer = SharedIndexInformer::<Widget>::new(None);
    let seen = Arc::new(AtomicUsize::new(0));
    for _ in 0..HANDLERS {
        let (adds, updates) = (seen.clone(), seen.clone());
        informer.add_event_handler(
            FnHandler::new()
                .add_func(move |_: &Arc<Widget>| {
                    adds.fetch_add(1, Ordering::Relaxed);
                })
                .update_func(move |_: &Arc<Widget>, _: &Arc<Widget>| {
                    updates.fetch_add(1, Ordering::Relaxed);
                }),
        );
    }
    let start = Instant::now();
    informer.run(futures::stream::iter(events)).await;
    (start.elapsed(), seen.load(Ordering::Relaxed))
}

async fn kube_shared_reflector(events: Vec<Result<Event<Widget>, Error>>) -> (Duration, usize) {
    let (_reader, writer) = reflector::store_shared::<Widget>(KUBE_BUFFER);
    let handles: Vec<_> = (0..HANDLERS)
        .map(|_| writer.subscribe().expect("a shared store has subscribers"))
        .collect();
    let start = Instant::now();
    let tasks: Vec<_> = handles
        .into_iter()
        .map(|handle| tokio::spawn(async move { handle.count().await }))
        .collect();
    reflector::reflector(writer, futures::stream::iter(events))
        .for_each(|_| async {})
        .await;
    let mut seen = 0;
    for task in tasks {
        seen += task.await.expect("a subscriber task");
    }
    (start.elapsed(), seen)
}

fn main() {
    let n: usize = std::env::var("EVENTS_BENCH_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000)
        .max(1);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let expected = 2 * n * HANDLERS;
    println!(
        "event delivery: {n} adds + {n} updates of Widget objects to {HANDLERS} handlers \
         ({expected} deliveries), best of {REPS}\n"
    );
    let mut best = [Duration::MAX; 2];
    for _ in 0..REPS {
        // Alternate the two, so that a slow moment of the machine falls on both alike.
        let (t, seen) = runtime.block_on(crdgen_informer(events(n)));
        assert_eq!(seen, expected, "crdgen: every handler sees every event");
        best[0] = best[0].min(t);
        let (t, seen) = runtime.block_on(kube_shared_reflector(events(n)));
        assert_eq!(
            seen, expected,
            "kube-runtime: every subscriber sees every event"
        );
        best[1] = best[1].min(t);
    }
    let rate = |t: Duration| 2.0 * n as f64 / t.as_secs_f64();
    println!(
        "{:<44} {:>10} {:>16} {:>20}",
        "", "time", "events/s", "deliveries/s"
    );
    for (name, t) in [
        ("crdgen SharedIndexInformer, 10 handlers", best[0]),
        ("kube-runtime store_shared, 10 subscribers", best[1]),
    ] {
        println!(
            "{name:<44} {:>8.1}ms {:>16.0} {:>20.0}",
            t.as_secs_f64() * 1e3,
            rate(t),
            rate(t) * HANDLERS as f64
        );
    }
    println!(
        "\ncrdgen / kube-runtime throughput: {:.2}x",
        best[1].as_secs_f64() / best[0].as_secs_f64()
    );
}
