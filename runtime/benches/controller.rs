//! A controller over 100,000 cached objects: memory and reconcile throughput of
//! crdgen's [`Controller`] on a [`SharedIndexInformer`] against kube-runtime's own
//! `Controller` (its reflector `Store` + `Controller::for_stream`, which is what
//! `Controller::new` builds over a watch), on the same objects in the same run.
//!
//! ```text
//! cargo bench -p crdgen-runtime --bench controller                          # 100,000 objects
//! CONTROLLER_BENCH_N=1000 cargo bench -p crdgen-runtime --bench controller  # quick smoke run
//! ```
//!
//! Each side gets the same watcher events, generated as they are consumed (no copy of
//! the objects is held by the bench): an initial list (`Init`, N `InitApply`,
//! `InitDone`), then, once every object has been reconciled, N `Apply` updates (a new
//! resourceVersion each). The reconcile counts and returns "await change".
//!
//! - **memory**: bytes requested from the allocator and not freed (`stats_alloc`, a
//!   counting global allocator), relative to before the run: *retained* once all N
//!   objects are listed, cached and reconciled (cache + controller state), and *peak*
//!   (sampled every millisecond by a thread) over the list phase;
//! - **throughput**: objects reconciled per second, for the list phase (list into the
//!   cache + N reconciles) and for the update phase (N updates, N reconciles).
//!
//! A third row measures the bridge this layer does not take: crdgen's informer and
//! kube-runtime's `Controller::for_shared_stream` on a shared `Store`, both fed by
//! one watch (every object cached twice).
//!
//! A multi-thread tokio runtime with 2 workers runs both (the project's machines have
//! 2 cores); no concurrency limit on either side (both defaults). Each side runs
//! `REPS` times, alternating; the best time and the smallest memory are reported.

#[path = "../tests/common/mod.rs"]
mod common;

use std::alloc::System;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use common::{Widget, WidgetSpec};
use crdgen_runtime::controller::{Action, Controller};
use crdgen_runtime::informer::SharedIndexInformer;
use crdgen_runtime::kube::runtime::WatchStreamExt;
use crdgen_runtime::kube::runtime::controller as kube_controller;
use crdgen_runtime::kube::runtime::reflector;
use crdgen_runtime::kube::runtime::watcher::{Error, Event};
use futures::channel::oneshot;
use futures::{Stream, StreamExt, stream};
use stats_alloc::{INSTRUMENTED_SYSTEM, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

const NAMESPACES: usize = 100;
const REPS: usize = 3;

/// Bytes requested from the allocator and not yet freed.
fn live_bytes() -> i64 {
    let s = GLOBAL.stats();
    s.bytes_allocated as i64 - s.bytes_deallocated as i64 + s.bytes_reallocated as i64
}

/// A realistic object: name, namespace (spread over 100), uid, resourceVersion,
/// generation, three labels, one annotation, a spec (as benches/cache.rs).
fn widget(i: usize, rv: usize) -> Widget {
    let mut w = Widget::new(
        &format!("widget-{i:06}"),
        WidgetSpec {
            size: if i.is_multiple_of(2) {
                "small"
            } else {
                "large"
            }
            .into(),
            replicas: Some((i % 5) as i32),
            note: None,
        },
    );
    let m = &mut w.metadata;
    m.namespace = Some(format!("ns-{:03}", i % NAMESPACES));
    m.uid = Some(format!("{i:08x}-0000-4000-8000-{:012x}", i * 31));
    m.resource_version = Some(rv.to_string());
    m.generation = Some(1);
    m.labels = Some(BTreeMap::from([
        ("app".to_owned(), format!("app-{}", i % 50)),
        ("tier".to_owned(), ["web", "api", "db"][i % 3].to_owned()),
        ("team".to_owned(), format!("team-{}", i % 7)),
    ]));
    m.annotations = Some(BTreeMap::from([(
        "example.com/owner".to_owned(),
        format!("owner-{}", i % 13),
    )]));
    w
}

/// The list, then (after `updates` fires) N updates; then nothing, without ending
/// (an ended watch would stop either controller). Objects are made as consumed.
fn events(
    n: usize,
    updates: oneshot::Receiver<()>,
) -> impl Stream<Item = Result<Event<Widget>, Error>> + Send + 'static {
    let list = stream::iter(
        std::iter::once(Event::Init)
            .chain((0..n).map(move |i| Event::InitApply(widget(i, i + 1))))
            .chain(std::iter::once(Event::InitDone)),
    );
    let later = stream::once(updates)
        .flat_map(move |_| stream::iter((0..n).map(move |i| Event::Apply(widget(i, n + i + 1)))));
    list.chain(later).map(Ok).chain(stream::pending())
}

/// Samples live bytes every millisecond while `running`, keeping the maximum.
struct PeakSampler {
    running: Arc<AtomicBool>,
    peak: Arc<AtomicI64>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl PeakSampler {
    fn start() -> Self {
        let running = Arc::new(AtomicBool::new(true));
        let peak = Arc::new(AtomicI64::new(live_bytes()));
        let (r, p) = (running.clone(), peak.clone());
        let thread = std::thread::spawn(move || {
            while r.load(Ordering::Relaxed) {
                p.fetch_max(live_bytes(), Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(1));
            }
        });
        PeakSampler {
            running,
            peak,
            thread: Some(thread),
        }
    }

    fn stop(mut self) -> i64 {
        self.running.store(false, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            t.join().expect("the sampler thread");
        }
        self.peak.load(Ordering::Relaxed).max(live_bytes())
    }
}

/// One side's numbers.
#[derive(Clone, Copy, Debug)]
struct Run {
    retained: i64,
    peak: i64,
    list: Duration,
    update: Duration,
}

async fn wait_for(count: &AtomicUsize, n: usize) {
    while count.load(Ordering::Relaxed) < n {
        tokio::time::sleep(Duration::from_micros(200)).await;
    }
}

async fn crdgen_controller(n: usize) -> Run {
    let base = live_bytes();
    let sampler = PeakSampler::start();
    let start = Instant::now();
    let (go, updates) = oneshot::channel();
    let informer = SharedIndexInformer::<Widget>::new(None);
    let run_informer = informer.clone();
    let informer_task = tokio::spawn(async move { run_informer.run(events(n, updates)).await });
    let count = Arc::new(AtomicUsize::new(0));
    let results = Controller::new(informer.clone()).run(
        |_: Arc<Widget>, count: Arc<AtomicUsize>| async move {
            count.fetch_add(1, Ordering::Relaxed);
            Ok::<_, std::io::Error>(Action::await_change())
        },
        |_, _, _| Action::await_change(),
        count.clone(),
    );
    let controller = tokio::spawn(results.for_each(|_| async {}));
    wait_for(&count, n).await;
    let list = start.elapsed();
    let peak = sampler.stop() - base;
    let retained = live_bytes() - base;
    let start = Instant::now();
    go.send(()).expect("the stream waits for updates");
    wait_for(&count, 2 * n).await;
    let update = start.elapsed();
    informer.stop();
    controller.await.expect("the controller task");
    informer_task.await.expect("the informer task");
    Run {
        retained,
        peak,
        list,
        update,
    }
}

async fn kube_controller(n: usize) -> Run {
    let base = live_bytes();
    let sampler = PeakSampler::start();
    let start = Instant::now();
    let (go, updates) = oneshot::channel();
    // What `Controller::new(api, config)` builds, over the same events.
    let (reader, writer) = reflector::store::<Widget>();
    let trigger = reflector::reflector(writer, events(n, updates)).applied_objects();
    let count = Arc::new(AtomicUsize::new(0));
    let results = kube_controller::Controller::for_stream(trigger, reader).run(
        |_: Arc<Widget>, count: Arc<AtomicUsize>| async move {
            count.fetch_add(1, Ordering::Relaxed);
            Ok::<_, std::io::Error>(kube_controller::Action::await_change())
        },
        |_, _, _| kube_controller::Action::await_change(),
        count.clone(),
    );
    let controller = tokio::spawn(results.for_each(|_| async {}));
    wait_for(&count, n).await;
    let list = start.elapsed();
    let peak = sampler.stop() - base;
    let retained = live_bytes() - base;
    let start = Instant::now();
    go.send(()).expect("the stream waits for updates");
    wait_for(&count, 2 * n).await;
    let update = start.elapsed();
    controller.abort();
    let _ = controller.await;
    Run {
        retained,
        peak,
        list,
        update,
    }
}

/// The bridge this layer does not take (see the controller module's docs): crdgen's
/// informer for listers and handlers, and kube-runtime's `Controller::for_shared_stream`
/// over a shared `Store` fed by the same watch. The `Writer` can only be filled by
/// copying (`apply_watcher_event(&Event<K>)`), so every object is cached twice.
async fn bridge(n: usize) -> Run {
    let base = live_bytes();
    let sampler = PeakSampler::start();
    let start = Instant::now();
    let (go, updates) = oneshot::channel();
    let informer = SharedIndexInformer::<Widget>::new(None);
    let (tx, rx) = futures::channel::mpsc::unbounded();
    let run_informer = informer.clone();
    let informer_task = tokio::spawn(async move { run_informer.run(rx).await });
    let (reader, writer) = reflector::store_shared::<Widget>(1024);
    let subscriber = writer.subscribe().expect("a shared store has subscribers");
    // One watch: the reflector's events go on to the informer.
    let watch = tokio::spawn(reflector::reflector(writer, events(n, updates)).for_each(
        move |event| {
            let _ = tx.unbounded_send(event);
            async {}
        },
    ));
    let count = Arc::new(AtomicUsize::new(0));
    let results = kube_controller::Controller::for_shared_stream(subscriber, reader).run(
        |_: Arc<Widget>, count: Arc<AtomicUsize>| async move {
            count.fetch_add(1, Ordering::Relaxed);
            Ok::<_, std::io::Error>(kube_controller::Action::await_change())
        },
        |_, _, _| kube_controller::Action::await_change(),
        count.clone(),
    );
    let controller = tokio::spawn(results.for_each(|_| async {}));
    wait_for(&count, n).await;
    while informer.lister().len() < n {
        tokio::time::sleep(Duration::from_micros(200)).await;
    }
    let list = start.elapsed();
    let peak = sampler.stop() - base;
    let retained = live_bytes() - base;
    let start = Instant::now();
    go.send(()).expect("the stream waits for updates");
    wait_for(&count, 2 * n).await;
    let update = start.elapsed();
    controller.abort();
    watch.abort();
    let _ = (controller.await, watch.await);
    informer.stop();
    informer_task.await.expect("the informer task");
    Run {
        retained,
        peak,
        list,
        update,
    }
}

fn main() {
    let n: usize = std::env::var("CONTROLLER_BENCH_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000)
        .max(1);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime");
    println!(
        "a controller over {n} Widget objects: list + {n} reconciles, then {n} updates + {n} \
         reconciles; best of {REPS}\n"
    );
    let mut best: [Option<Run>; 3] = [None, None, None];
    let keep = |best: &mut Option<Run>, r: Run| {
        *best = Some(match *best {
            None => r,
            Some(b) => Run {
                retained: b.retained.min(r.retained),
                peak: b.peak.min(r.peak),
                list: b.list.min(r.list),
                update: b.update.min(r.update),
            },
        });
    };
    for _ in 0..REPS {
        // Alternate the two, so that a slow moment of the machine falls on both alike.
        keep(&mut best[0], runtime.block_on(crdgen_controller(n)));
        keep(&mut best[1], runtime.block_on(kube_controller(n)));
        keep(&mut best[2], runtime.block_on(bridge(n)));
    }
    let mb = |b: i64| b as f64 / 1e6;
    let rate = |t: Duration| n as f64 / t.as_secs_f64();
    println!(
        "{:<40} {:>12} {:>10} {:>10} {:>14} {:>16}",
        "", "retained MB", "B/object", "peak MB", "list+rec/s", "update+rec/s"
    );
    let names = [
        "crdgen Controller on SharedIndexInformer",
        "kube-runtime Controller (reflector Store)",
        "bridge: informer + kube-runtime shared",
    ];
    for (name, run) in names.iter().zip(&best) {
        let r = run.expect("each side ran");
        println!(
            "{name:<40} {:>12.1} {:>10.0} {:>10.1} {:>14.0} {:>16.0}",
            mb(r.retained),
            r.retained as f64 / n as f64,
            mb(r.peak),
            rate(r.list),
            rate(r.update)
        );
    }
    let (a, b) = (best[0].expect("ran"), best[1].expect("ran"));
    println!(
        "\ncrdgen / kube-runtime: retained memory {:.2}x, peak {:.2}x, list throughput {:.2}x, \
         update throughput {:.2}x",
        a.retained as f64 / b.retained as f64,
        a.peak as f64 / b.peak as f64,
        b.list.as_secs_f64() / a.list.as_secs_f64(),
        b.update.as_secs_f64() / a.update.as_secs_f64()
    );
}
