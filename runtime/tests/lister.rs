//! The indexed cache and the listers over it.

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;

use common::{Gadget, Widget, WidgetSpec};
use crdgen_runtime::cache::{Cache, CacheError, NAMESPACE_INDEX, ObjectKey};
use crdgen_runtime::lister::Lister;
use crdgen_runtime::selector::Selector;

fn widget(ns: &str, name: &str, labels: &[(&str, &str)]) -> Widget {
    let mut w = Widget::new(
        name,
        WidgetSpec {
            size: "small".into(),
            ..Default::default()
        },
    );
    w.metadata.namespace = Some(ns.into());
    if !labels.is_empty() {
        w.metadata.labels = Some(
            labels
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        );
    }
    w
}

fn gadget(name: &str) -> Gadget {
    let mut g = Gadget::default();
    g.metadata.name = Some(name.into());
    g
}

fn names<K: kube::Resource>(objects: &[Arc<K>]) -> Vec<String> {
    objects
        .iter()
        .map(|o| {
            let m = o.meta();
            match &m.namespace {
                Some(ns) => format!("{ns}/{}", m.name.as_deref().unwrap_or("?")),
                None => m.name.clone().unwrap_or_default(),
            }
        })
        .collect()
}

fn by_label(key: &'static str) -> impl Fn(&Widget) -> Vec<String> + Send + Sync + 'static {
    move |w: &Widget| {
        w.metadata
            .labels
            .iter()
            .flatten()
            .filter(|(k, _)| *k == key)
            .map(|(_, v)| v.clone())
            .collect()
    }
}

#[test]
fn keys() {
    let key = ObjectKey::from_object(&widget("ns", "a", &[])).expect("named");
    assert_eq!(key.as_str(), "ns/a");
    assert_eq!((key.namespace(), key.name()), ("ns", "a"));
    let key = ObjectKey::from_object(&gadget("g")).expect("named");
    assert_eq!((key.as_str(), key.namespace(), key.name()), ("g", "", "g"));
    assert_eq!(ObjectKey::new(Some(""), "x").as_str(), "x");
    assert_eq!(
        ObjectKey::from_object(&Gadget::default()),
        Err(CacheError::MissingName)
    );
    // Order is (namespace, name), not the raw string: "a-b/x" sorts after "a/y".
    let mut keys = [
        ObjectKey::parse("a-b/x"),
        ObjectKey::parse("a/y"),
        ObjectKey::parse("c"),
    ];
    keys.sort();
    assert_eq!(
        keys.iter().map(ObjectKey::as_str).collect::<Vec<_>>(),
        ["c", "a/y", "a-b/x"]
    );
}

#[test]
fn add_get_update_delete() {
    let cache = Cache::<Widget>::new();
    assert!(cache.is_empty());
    assert_eq!(cache.add(widget("ns1", "a", &[])).expect("named"), None);
    cache.add(widget("ns1", "b", &[])).expect("named");
    cache.add(widget("ns2", "a", &[])).expect("named");
    assert_eq!(cache.len(), 3);

    assert_eq!(
        cache
            .get(Some("ns1"), "a")
            .expect("cached")
            .metadata
            .namespace
            .as_deref(),
        Some("ns1")
    );
    assert!(cache.get(Some("ns3"), "a").is_none());
    assert!(cache.get(None, "a").is_none());
    assert!(cache.get_by_key("ns2/a").is_some());

    let mut changed = widget("ns1", "a", &[]);
    changed.spec.size = "large".into();
    let old = cache.update(changed).expect("named").expect("replaced");
    assert_eq!(old.spec.size, "small");
    assert_eq!(
        cache.get(Some("ns1"), "a").expect("cached").spec.size,
        "large"
    );
    assert_eq!(cache.len(), 3);

    let gone = cache
        .delete(&widget("ns1", "a", &[]))
        .expect("named")
        .expect("was cached");
    assert_eq!(
        gone.spec.size, "large",
        "delete returns the last known state"
    );
    assert!(cache.get(Some("ns1"), "a").is_none());
    assert_eq!(cache.delete(&widget("ns1", "a", &[])).expect("named"), None);
    assert!(cache.delete_by_key("ns2/a").is_some());
    assert_eq!(cache.list_keys(), vec![ObjectKey::parse("ns1/b")]);

    assert_eq!(cache.add(Widget::default()), Err(CacheError::MissingName));
    assert_eq!(
        cache.delete(&Widget::default()),
        Err(CacheError::MissingName)
    );
}

#[test]
fn lists_are_sorted_and_namespaces_indexed() {
    let cache = Cache::<Widget>::new();
    for (ns, name) in [("b", "z"), ("a-b", "x"), ("a", "y"), ("b", "a"), ("a", "b")] {
        cache.add(widget(ns, name, &[])).expect("named");
    }
    assert_eq!(names(&cache.list()), ["a/b", "a/y", "a-b/x", "b/a", "b/z"]);
    assert_eq!(names(&cache.list_namespace("b")), ["b/a", "b/z"]);
    assert!(cache.list_namespace("nope").is_empty());
    assert_eq!(cache.namespaces(), ["a", "a-b", "b"]);
    assert_eq!(
        names(&cache.by_index(NAMESPACE_INDEX, "a").expect("built in")),
        ["a/b", "a/y"]
    );
    assert_eq!(
        cache.index_values(NAMESPACE_INDEX).expect("built in"),
        ["a", "a-b", "b"]
    );
    assert_eq!(
        cache.index_keys(NAMESPACE_INDEX, "a-b").expect("built in"),
        vec![ObjectKey::parse("a-b/x")]
    );

    cache.delete_by_key("a-b/x");
    assert_eq!(
        cache.namespaces(),
        ["a", "b"],
        "an emptied namespace leaves the index"
    );
}

#[test]
fn user_indexes_are_maintained_incrementally() {
    let cache = Cache::<Widget>::new();
    cache
        .add(widget("ns", "before", &[("app", "web")]))
        .expect("named");
    // Added after objects exist: they are indexed.
    cache
        .add_indexer("app", by_label("app"))
        .expect("new index");
    cache
        .add_indexer("tags", |w: &Widget| {
            w.metadata
                .annotations
                .iter()
                .flatten()
                .flat_map(|(_, v)| v.split(',').map(str::to_owned))
                .collect()
        })
        .expect("new index");
    assert_eq!(cache.indexers(), ["app", "tags"]);
    assert_eq!(
        names(&cache.by_index("app", "web").expect("exists")),
        ["ns/before"]
    );

    cache
        .add(widget("ns", "w2", &[("app", "web")]))
        .expect("named");
    cache
        .add(widget("other", "w3", &[("app", "web")]))
        .expect("named");
    cache
        .add(widget("ns", "d1", &[("app", "db")]))
        .expect("named");
    assert_eq!(
        names(&cache.by_index("app", "web").expect("exists")),
        ["ns/before", "ns/w2", "other/w3"]
    );
    assert_eq!(cache.index_values("app").expect("exists"), ["db", "web"]);

    // Update moves the object between index values.
    cache
        .update(widget("ns", "w2", &[("app", "db")]))
        .expect("named");
    assert_eq!(
        names(&cache.by_index("app", "web").expect("exists")),
        ["ns/before", "other/w3"]
    );
    assert_eq!(
        names(&cache.by_index("app", "db").expect("exists")),
        ["ns/d1", "ns/w2"]
    );

    // Removing the label removes the entry; an empty value disappears.
    cache.update(widget("other", "w3", &[])).expect("named");
    cache.update(widget("ns", "before", &[])).expect("named");
    assert!(cache.by_index("app", "web").expect("exists").is_empty());
    assert_eq!(cache.index_values("app").expect("exists"), ["db"]);

    // Multi-valued index.
    let mut tagged = widget("ns", "t", &[]);
    tagged.metadata.annotations = Some(BTreeMap::from([("tags".into(), "x,y".into())]));
    cache.add(tagged).expect("named");
    assert_eq!(
        names(&cache.by_index("tags", "x").expect("exists")),
        ["ns/t"]
    );
    assert_eq!(
        names(&cache.by_index("tags", "y").expect("exists")),
        ["ns/t"]
    );
    let mut retagged = widget("ns", "t", &[]);
    retagged.metadata.annotations = Some(BTreeMap::from([("tags".into(), "y,z".into())]));
    cache.update(retagged).expect("named");
    assert!(cache.by_index("tags", "x").expect("exists").is_empty());
    assert_eq!(cache.index_values("tags").expect("exists"), ["y", "z"]);

    // Delete removes every index entry.
    cache.delete_by_key("ns/t");
    cache.delete_by_key("ns/d1");
    cache.delete_by_key("ns/w2");
    assert!(cache.index_values("tags").expect("exists").is_empty());
    assert!(cache.index_values("app").expect("exists").is_empty());

    assert_eq!(
        cache.add_indexer("app", by_label("x")),
        Err(CacheError::IndexerExists("app".into()))
    );
    assert_eq!(
        cache.add_indexer(NAMESPACE_INDEX, by_label("x")),
        Err(CacheError::IndexerExists("namespace".into()))
    );
    assert_eq!(
        cache.by_index("nope", "x").map(|v| v.len()),
        Err(CacheError::UnknownIndex("nope".into()))
    );
    assert!(cache.index_keys("nope", "x").is_err());
    assert!(cache.index_values("nope").is_err());
}

#[test]
fn replace_reports_the_difference_and_rebuilds_indexes() {
    let cache = Cache::<Widget>::new();
    cache
        .add_indexer("app", by_label("app"))
        .expect("new index");
    cache
        .add(widget("ns", "keep", &[("app", "a")]))
        .expect("named");
    cache
        .add(widget("ns", "change", &[("app", "a")]))
        .expect("named");
    cache
        .add(widget("ns", "gone", &[("app", "a")]))
        .expect("named");
    cache.add(widget("old-ns", "gone2", &[])).expect("named");

    let mut nameless = widget("ns", "x", &[]);
    nameless.metadata.name = None;
    let diff = cache.replace(vec![
        widget("ns", "new", &[("app", "b")]),
        widget("ns", "keep", &[("app", "a")]),
        widget("ns", "change", &[("app", "b")]),
        nameless,
    ]);
    assert_eq!(names(&diff.added), ["ns/new"]);
    assert_eq!(names(&diff.deleted), ["ns/gone", "old-ns/gone2"]);
    let updated: Vec<_> = diff
        .updated
        .iter()
        .map(|(old, new)| (old.metadata.labels.clone(), new.clone()))
        .collect();
    assert_eq!(updated.len(), 2);
    assert_eq!(
        names(
            &diff
                .updated
                .iter()
                .map(|(_, n)| n.clone())
                .collect::<Vec<_>>()
        ),
        ["ns/change", "ns/keep"]
    );
    assert_eq!(diff.skipped, 1);

    assert_eq!(names(&cache.list()), ["ns/change", "ns/keep", "ns/new"]);
    assert_eq!(cache.namespaces(), ["ns"]);
    assert_eq!(
        names(&cache.by_index("app", "a").expect("exists")),
        ["ns/keep"]
    );
    assert_eq!(
        names(&cache.by_index("app", "b").expect("exists")),
        ["ns/change", "ns/new"]
    );

    // Incremental updates keep working on the rebuilt indexes.
    cache.delete_by_key("ns/new");
    assert_eq!(
        names(&cache.by_index("app", "b").expect("exists")),
        ["ns/change"]
    );

    let diff = cache.replace(Vec::<Widget>::new());
    assert_eq!(diff.deleted.len(), 2);
    assert!(cache.is_empty() && cache.namespaces().is_empty());
    assert!(cache.index_values("app").expect("exists").is_empty());
}

#[test]
fn cluster_scoped_objects() {
    let cache = Cache::<Gadget>::new();
    cache.add(gadget("b")).expect("named");
    cache.add(gadget("a")).expect("named");
    let lister = Lister::new(cache.clone());
    assert_eq!(names(&lister.list(&Selector::everything())), ["a", "b"]);
    assert!(lister.get(None, "a").is_some());
    assert!(lister.get(Some(""), "a").is_some());
    assert!(lister.get(Some("ns"), "a").is_none());
    assert_eq!(names(&cache.list_namespace("")), ["a", "b"]);
}

#[test]
fn listers_filter_by_selector_and_namespace() {
    let cache = Cache::<Widget>::new();
    cache
        .add_indexer("app", by_label("app"))
        .expect("new index");
    let lister = Lister::new(cache.clone());
    let copy = lister.clone();
    cache
        .add(widget("ns1", "a", &[("app", "web"), ("tier", "front")]))
        .expect("named");
    cache
        .add(widget("ns1", "b", &[("app", "db")]))
        .expect("named");
    cache
        .add(widget("ns2", "c", &[("app", "web")]))
        .expect("named");
    cache.add(widget("ns2", "d", &[])).expect("named");

    let sel = |s: &str| Selector::parse(s).expect("valid");
    assert_eq!(copy.len(), 4, "clones share the cache");
    assert_eq!(
        names(&lister.list(&Selector::everything())),
        ["ns1/a", "ns1/b", "ns2/c", "ns2/d"]
    );
    assert_eq!(names(&lister.list(&sel("app=web"))), ["ns1/a", "ns2/c"]);
    assert_eq!(
        names(&lister.list(&sel("app notin (web)"))),
        ["ns1/b", "ns2/d"]
    );
    assert_eq!(names(&lister.list(&sel("!app"))), ["ns2/d"]);

    let ns1 = lister.namespaced("ns1");
    assert_eq!(ns1.namespace(), "ns1");
    assert_eq!(
        names(&ns1.list(&Selector::everything())),
        ["ns1/a", "ns1/b"]
    );
    assert_eq!(names(&ns1.list(&sel("app=web"))), ["ns1/a"]);
    assert!(ns1.get("a").is_some());
    assert!(ns1.get("c").is_none());
    assert_eq!(
        names(&ns1.by_index("app", "web").expect("exists")),
        ["ns1/a"]
    );
    assert!(
        lister
            .namespaced("empty")
            .list(&Selector::everything())
            .is_empty()
    );

    assert_eq!(
        names(&lister.by_index("app", "web").expect("exists")),
        ["ns1/a", "ns2/c"]
    );
    assert_eq!(
        lister.index_keys("app", "db").expect("exists"),
        vec![ObjectKey::parse("ns1/b")]
    );
    assert!(lister.get_by_key("ns2/d").is_some());
    assert!(lister.get(Some("ns2"), "d").is_some());

    // Listers see later changes.
    cache.delete_by_key("ns1/a");
    assert_eq!(names(&ns1.list(&Selector::everything())), ["ns1/b"]);
}

#[test]
fn concurrent_writers_and_readers_stay_consistent() {
    let cache = Cache::<Widget>::new();
    cache
        .add_indexer("app", by_label("app"))
        .expect("new index");
    std::thread::scope(|s| {
        for t in 0..4 {
            let cache = cache.clone();
            s.spawn(move || {
                for i in 0..500 {
                    let ns = format!("ns{}", i % 7);
                    let name = format!("w{t}-{i}");
                    cache
                        .add(widget(
                            &ns,
                            &name,
                            &[("app", if i % 2 == 0 { "even" } else { "odd" })],
                        ))
                        .expect("named");
                    if i % 3 == 0 {
                        cache.delete_by_key(&format!("{ns}/{name}"));
                    }
                }
            });
        }
        let reader = Lister::new(cache.clone());
        s.spawn(move || {
            for _ in 0..200 {
                let all = reader.list(&Selector::everything());
                let mut sorted = names(&all);
                sorted.sort_by(|a, b| ObjectKey::parse(a).cmp(&ObjectKey::parse(b)));
                assert_eq!(names(&all), sorted);
            }
        });
    });
    // 4 threads × 500, a third deleted.
    assert_eq!(cache.len(), 4 * (500 - 167));
    let even = cache.by_index("app", "even").expect("exists").len();
    let odd = cache.by_index("app", "odd").expect("exists").len();
    assert_eq!(even + odd, cache.len());
    let per_ns: usize = cache
        .namespaces()
        .iter()
        .map(|ns| cache.list_namespace(ns).len())
        .sum();
    assert_eq!(per_ns, cache.len());
}

#[test]
fn panicking_indexer_leaves_cache_consistent() {
    let cache = Cache::<Widget>::new();
    cache.add(widget("ns", "a", &[])).expect("named");
    cache
        .add_indexer("picky", |w: &Widget| {
            assert!(
                w.metadata.name.as_deref() != Some("boom"),
                "indexer rejects boom"
            );
            vec![]
        })
        .expect("new index");
    let c = cache.clone();
    let result = std::thread::spawn(move || c.add(widget("ns", "boom", &[]))).join();
    assert!(result.is_err(), "the indexer panicked");
    assert_eq!(names(&cache.list()), ["ns/a"]);
    assert!(cache.get(Some("ns"), "boom").is_none());
    cache
        .add(widget("ns", "b", &[]))
        .expect("cache still usable");
    assert_eq!(cache.len(), 2);
}
