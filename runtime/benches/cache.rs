//! Memory and lookup latency of crdgen's indexed [`Cache`] against kube-runtime's
//! reflector [`Store`], holding the same objects, in the same run.
//!
//! ```text
//! cargo bench -p crdgen-runtime --bench cache                      # 100,000 objects
//! CACHE_BENCH_N=1000 cargo bench -p crdgen-runtime --bench cache   # quick smoke run
//! ```
//!
//! Memory is counted by a counting global allocator around the system allocator
//! (`stats_alloc`): bytes requested and still live after filling, divided by the
//! number of objects. The objects themselves are identical on both sides (one `Arc<K>`
//! each); the rest is each structure's own overhead (keys, hash tables, indexes).

#[path = "../tests/common/mod.rs"]
mod common;

use std::alloc::System;
use std::collections::BTreeMap;
use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{Widget, WidgetSpec};
use crdgen_runtime::cache::Cache;
use crdgen_runtime::kube::runtime::reflector::{ObjectRef, store::Writer};
use crdgen_runtime::kube::runtime::watcher::Event;
use crdgen_runtime::lister::Lister;
use crdgen_runtime::selector::Selector;
use stats_alloc::{INSTRUMENTED_SYSTEM, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

const NAMESPACES: usize = 100;
const APPS: usize = 50;

/// Bytes requested from the allocator and not yet freed.
fn live_bytes() -> i64 {
    let s = GLOBAL.stats();
    s.bytes_allocated as i64 - s.bytes_deallocated as i64 + s.bytes_reallocated as i64
}

/// Allocations not yet freed.
fn live_allocations() -> i64 {
    let s = GLOBAL.stats();
    s.allocations as i64 - s.deallocations as i64
}

/// A realistic object: name, namespace (spread over 100), uid, resourceVersion,
/// generation, four labels, one annotation, a spec.
fn widget(i: usize) -> Widget {
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
    m.uid = Some(format!(
        "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
        i,
        i % 0xffff,
        i % 0xfff,
        (i * 7) % 0xfff,
        i * 31
    ));
    m.resource_version = Some((1_000_000 + i).to_string());
    m.generation = Some(1);
    m.labels = Some(BTreeMap::from([
        ("app".to_owned(), format!("app-{}", i % APPS)),
        ("tier".to_owned(), ["web", "api", "db"][i % 3].to_owned()),
        ("team".to_owned(), format!("team-{}", i % 7)),
        (
            "app.kubernetes.io/managed-by".to_owned(),
            "crdgen".to_owned(),
        ),
    ]));
    m.annotations = Some(BTreeMap::from([(
        "example.com/owner".to_owned(),
        format!("owner-{}", i % 13),
    )]));
    w
}

fn app_label(w: &Widget) -> Vec<String> {
    w.metadata
        .labels
        .iter()
        .flatten()
        .filter(|(k, _)| *k == "app")
        .map(|(_, v)| v.clone())
        .collect()
}

/// Deterministic pseudo-random indexes.
fn sample(n: usize, count: usize) -> Vec<usize> {
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    (0..count)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x % n as u64) as usize
        })
        .collect()
}

/// Time per call of `f`: the best of 7 batches of `rounds / 7` calls (after a warm-up
/// call), so that other processes on a shared machine inflate the numbers less.
fn time<R>(rounds: usize, mut f: impl FnMut(usize) -> R) -> Duration {
    const BATCHES: usize = 7;
    black_box(f(0));
    let per_batch = (rounds / BATCHES).max(1);
    let mut best = Duration::MAX;
    let mut i = 0;
    for _ in 0..BATCHES {
        let start = Instant::now();
        for _ in 0..per_batch {
            black_box(f(i));
            i += 1;
        }
        best = best.min(start.elapsed() / per_batch as u32);
    }
    best
}

struct Mem {
    bytes: i64,
    allocations: i64,
}

fn measure<T>(build: impl FnOnce() -> T) -> (T, Mem) {
    let (b0, a0) = (live_bytes(), live_allocations());
    let built = build();
    let mem = Mem {
        bytes: live_bytes() - b0,
        allocations: live_allocations() - a0,
    };
    (built, mem)
}

fn fmt_duration(d: Duration) -> String {
    let ns = d.as_nanos();
    if ns >= 1_000_000 {
        format!("{:.2} ms", ns as f64 / 1e6)
    } else if ns >= 1_000 {
        format!("{:.2} µs", ns as f64 / 1e3)
    } else {
        format!("{ns} ns")
    }
}

fn main() {
    // `cargo bench` passes `--bench`; nothing else is accepted.
    let n: usize = std::env::var("CACHE_BENCH_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000)
        .max(NAMESPACES);
    println!(
        "crdgen Cache vs kube-runtime reflector Store, {n} Widget objects, {NAMESPACES} namespaces\n"
    );

    // --- memory ------------------------------------------------------------------
    let per = |m: &Mem| m.bytes as f64 / n as f64;
    let (objects, objects_mem) =
        measure(|| (0..n).map(|i| Arc::new(widget(i))).collect::<Vec<_>>());
    let object_bytes =
        (objects_mem.bytes - (n * std::mem::size_of::<Arc<Widget>>()) as i64) as f64 / n as f64;
    drop(objects);

    let (store, store_mem) = measure(|| {
        let mut writer = Writer::<Widget>::default();
        for i in 0..n {
            writer.apply_watcher_event(&Event::Apply(widget(i)));
        }
        (writer.as_reader(), writer)
    });
    let (cache, cache_mem) = measure(|| {
        let cache = Cache::<Widget>::new();
        for i in 0..n {
            cache.add(widget(i)).expect("named");
        }
        cache
    });
    let (indexed, indexed_mem) = measure(|| {
        let cache = Cache::<Widget>::new();
        cache.add_indexer("app", app_label).expect("new index");
        for i in 0..n {
            cache.add(widget(i)).expect("named");
        }
        cache
    });
    drop(indexed);
    // The relist path: Store's InitApply…InitDone swap vs Cache::replace.
    let (relisted_store, relisted_store_mem) = measure(|| {
        let mut writer = Writer::<Widget>::default();
        writer.apply_watcher_event(&Event::Init);
        for i in 0..n {
            writer.apply_watcher_event(&Event::InitApply(widget(i)));
        }
        writer.apply_watcher_event(&Event::InitDone);
        writer
    });
    drop(relisted_store);
    let (relisted_cache, relisted_cache_mem) = measure(|| {
        let cache = Cache::<Widget>::new();
        drop(cache.replace((0..n).map(widget)));
        cache
    });
    drop(relisted_cache);

    println!(
        "memory (bytes live after filling, per object; one object alone is {object_bytes:.0} B)"
    );
    println!(
        "{:<44} {:>10} {:>10} {:>12} {:>8}",
        "structure", "B/object", "overhead", "allocs/obj", "vs Store"
    );
    let row = |name: &str, m: &Mem, base: &Mem| {
        println!(
            "{:<44} {:>10.0} {:>10.0} {:>12.2} {:>7.3}×",
            name,
            per(m),
            per(m) - object_bytes,
            m.allocations as f64 / n as f64,
            m.bytes as f64 / base.bytes as f64
        );
    };
    row("kube Store (Apply events)", &store_mem, &store_mem);
    row(
        "crdgen Cache (add; namespace index)",
        &cache_mem,
        &store_mem,
    );
    row(
        "crdgen Cache (add; + `app` label index)",
        &indexed_mem,
        &store_mem,
    );
    row(
        "kube Store (relist: InitApply…InitDone)",
        &relisted_store_mem,
        &relisted_store_mem,
    );
    row(
        "crdgen Cache (relist: replace)",
        &relisted_cache_mem,
        &relisted_store_mem,
    );
    println!();

    // --- lookups -----------------------------------------------------------------
    let (store, _writer) = store;
    cache.add_indexer("app", app_label).expect("new index");
    let lister = Lister::new(cache.clone());
    let rounds_get = 200_000.min(n * 10);
    let rounds_list = (2_000_000 / n).clamp(20, 2_000);
    let keys: Vec<(String, String)> = sample(n, 4096)
        .into_iter()
        .map(|i| {
            (
                format!("ns-{:03}", i % NAMESPACES),
                format!("widget-{i:06}"),
            )
        })
        .collect();
    let refs: Vec<ObjectRef<Widget>> = keys
        .iter()
        .map(|(ns, name)| ObjectRef::new(name).within(ns))
        .collect();

    let mut rows: Vec<(String, Duration, Duration, usize, usize)> = Vec::new();

    let ours = time(rounds_get, |i| {
        let (ns, name) = &keys[i % keys.len()];
        lister.get(Some(ns), name)
    });
    let theirs = time(rounds_get, |i| store.get(&refs[i % refs.len()]));
    rows.push((
        "get by namespace/name (prebuilt ObjectRef)".into(),
        ours,
        theirs,
        1,
        1,
    ));
    let theirs = time(rounds_get, |i| {
        let (ns, name) = &keys[i % keys.len()];
        store.get(&ObjectRef::new(name).within(ns))
    });
    rows.push((
        "get by namespace/name (ObjectRef per call)".into(),
        ours,
        theirs,
        1,
        1,
    ));

    let ns = "ns-042";
    let (a, b) = (
        lister.namespaced(ns).list(&Selector::everything()).len(),
        store
            .state_filter(|w| w.metadata.namespace.as_deref() == Some(ns))
            .len(),
    );
    let ours = time(rounds_list, |_| {
        lister.namespaced(ns).list(&Selector::everything())
    });
    let theirs = time(rounds_list, |_| {
        store.state_filter(|w| w.metadata.namespace.as_deref() == Some(ns))
    });
    rows.push((format!("list namespace {ns}"), ours, theirs, a, b));

    let ours_sel = Selector::parse("app=app-7,tier=web").expect("valid");
    let theirs_sel = kube::core::Selector::from_iter([("app", "app-7"), ("tier", "web")]);
    let (a, b) = (
        lister.list(&ours_sel).len(),
        store.state_filter_selector(&theirs_sel).len(),
    );
    let ours = time(rounds_list, |_| lister.list(&ours_sel));
    let theirs = time(rounds_list, |_| store.state_filter_selector(&theirs_sel));
    rows.push((
        "label selector app=app-7,tier=web (cluster)".into(),
        ours,
        theirs,
        a,
        b,
    ));

    // app-42 is every object of ns-042 (42 % 50); tier=web a third of them.
    let ns_sel = Selector::parse("app=app-42,tier=web").expect("valid");
    let theirs_ns_sel = kube::core::Selector::from_iter([("app", "app-42"), ("tier", "web")]);
    let in_ns = |w: &Widget| w.metadata.namespace.as_deref() == Some(ns);
    let (a, b) = (
        lister.namespaced(ns).list(&ns_sel).len(),
        store
            .state_filter(|w| {
                in_ns(w)
                    && kube::core::SelectorExt::matches(
                        &theirs_ns_sel,
                        w.metadata.labels.as_ref().unwrap_or(&BTreeMap::new()),
                    )
            })
            .len(),
    );
    let ours = time(rounds_list, |_| lister.namespaced(ns).list(&ns_sel));
    let empty = BTreeMap::new();
    let theirs = time(rounds_list, |_| {
        store.state_filter(|w| {
            in_ns(w)
                && kube::core::SelectorExt::matches(
                    &theirs_ns_sel,
                    w.metadata.labels.as_ref().unwrap_or(&empty),
                )
        })
    });
    rows.push((
        format!("label selector app=app-42,tier=web in {ns}"),
        ours,
        theirs,
        a,
        b,
    ));

    let has_app = |w: &Widget| {
        w.metadata
            .labels
            .as_ref()
            .and_then(|l| l.get("app"))
            .map(String::as_str)
            == Some("app-7")
    };
    let (a, b) = (
        lister.by_index("app", "app-7").expect("index").len(),
        store.state_filter(has_app).len(),
    );
    let ours = time(rounds_list, |_| {
        lister.by_index("app", "app-7").expect("index")
    });
    let theirs = time(rounds_list, |_| store.state_filter(has_app));
    rows.push((
        "custom index app=app-7 (Store: filter)".into(),
        ours,
        theirs,
        a,
        b,
    ));

    let (a, b) = (
        lister.list(&Selector::everything()).len(),
        store.state().len(),
    );
    let rounds_all = (rounds_list / 10).max(5);
    let ours = time(rounds_all, |_| lister.list(&Selector::everything()));
    let theirs = time(rounds_all, |_| store.state());
    rows.push((
        "list everything (ours sorted, Store unordered)".into(),
        ours,
        theirs,
        a,
        b,
    ));

    println!("lookups (mean per call)");
    println!(
        "{:<48} {:>8} {:>12} {:>12} {:>10}",
        "operation", "results", "crdgen", "kube Store", "speed-up"
    );
    for (name, ours, theirs, a, b) in rows {
        assert_eq!(a, b, "{name}: both sides must find the same objects");
        println!(
            "{:<48} {:>8} {:>12} {:>12} {:>9.1}×",
            name,
            a,
            fmt_duration(ours),
            fmt_duration(theirs),
            theirs.as_secs_f64() / ours.as_secs_f64().max(1e-12)
        );
    }
}
