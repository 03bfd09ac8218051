//! The object tracker's API-server semantics, without HTTP.
#![cfg(feature = "server")]

mod common;

use std::time::Duration;

use common::{GADGET_CRD, Gadget, WIDGET_CRD, Widget};
use crdgen_runtime::tracker::{
    DeleteOptions, EventType, FieldValidation, Gvr, KindInfo, ListOptions, PatchType, StatusError,
    Subresource, Tracker, WatchEvent, WatchOptions, WriteOptions,
};
use serde_json::{Value, json};

fn tracker() -> Tracker {
    let t = Tracker::new();
    t.register_crd(&serde_json::from_str(WIDGET_CRD).unwrap())
        .unwrap();
    t.register_crd(&serde_json::from_str(GADGET_CRD).unwrap())
        .unwrap();
    t
}

fn widgets() -> Gvr {
    Gvr::new("example.com", "v1", "widgets")
}

fn gadgets() -> Gvr {
    Gvr::new("example.com", "v1", "gadgets")
}

fn w(name: &str) -> Value {
    json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": name}, "spec": {"size": "small"}})
}

fn wo() -> WriteOptions {
    WriteOptions::default()
}

fn create(t: &Tracker, name: &str) -> Value {
    t.create(&widgets(), Some("default"), w(name), &wo())
        .unwrap()
        .object
}

fn rv(v: &Value) -> u64 {
    v["metadata"]["resourceVersion"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap()
}

async fn next(watch: &mut crdgen_runtime::tracker::Watch) -> WatchEvent {
    tokio::time::timeout(Duration::from_secs(5), watch.next())
        .await
        .expect("timed out")
        .expect("watch ended")
}

#[test]
fn create_fills_system_fields() {
    let t = tracker();
    let a = create(&t, "a");
    let m = &a["metadata"];
    assert_eq!(m["namespace"], "default");
    assert_eq!(m["generation"], 1);
    assert_eq!(m["uid"].as_str().unwrap().len(), 36);
    assert!(m["creationTimestamp"].as_str().unwrap().ends_with('Z'));
    assert_eq!(a["spec"]["replicas"], 1, "schema default");
    // One global counter across kinds, as strings.
    let g = t
        .create(
            &gadgets(),
            None,
            json!({"apiVersion": "example.com/v1", "kind": "Gadget", "metadata": {"name": "g"}}),
            &wo(),
        )
        .unwrap()
        .object;
    assert_eq!(rv(&g), rv(&a) + 1);
    assert_eq!(t.resource_version(), rv(&g));
    assert!(g["metadata"].get("namespace").is_none());

    // generateName: 5 random characters from the server's alphabet.
    let mut gen_obj = w("");
    gen_obj["metadata"] = json!({"generateName": "pre-"});
    let made = t
        .create(&widgets(), Some("default"), gen_obj, &wo())
        .unwrap()
        .object;
    let name = made["metadata"]["name"].as_str().unwrap();
    assert!(name.starts_with("pre-") && name.len() == 9);
    assert!(
        name[4..]
            .chars()
            .all(|c| "bcdfghjklmnpqrstvwxz2456789".contains(c)),
        "{name}"
    );

    // Neither name nor generateName.
    let mut nameless = w("");
    nameless["metadata"] = json!({});
    let e = t
        .create(&widgets(), Some("default"), nameless, &wo())
        .unwrap_err();
    assert_eq!(e.code, 422);
    assert_eq!(
        e.message(),
        "Widget.example.com \"\" is invalid: metadata.name: Required value: name or generateName is required"
    );
}

#[test]
fn error_statuses_are_exact() {
    let t = tracker();
    create(&t, "a");
    let e = t.get(&widgets(), Some("default"), "nope").unwrap_err();
    assert_eq!(
        e.status,
        json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
               "message": "widgets.example.com \"nope\" not found", "reason": "NotFound",
               "details": {"name": "nope", "group": "example.com", "kind": "widgets"}, "code": 404})
    );
    let e = t
        .create(&widgets(), Some("default"), w("a"), &wo())
        .unwrap_err();
    assert_eq!(
        e.status,
        json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
               "message": "widgets.example.com \"a\" already exists", "reason": "AlreadyExists",
               "details": {"name": "a", "group": "example.com", "kind": "widgets"}, "code": 409})
    );
    // Update without resourceVersion: CRs do not allow unconditional updates.
    let e = t
        .update(
            &widgets(),
            Some("default"),
            "a",
            w("a"),
            Subresource::None,
            &wo(),
        )
        .unwrap_err();
    assert_eq!(e.code, 422);
    assert_eq!(
        e.message(),
        "Widget.example.com \"a\" is invalid: metadata.resourceVersion: Invalid value: \"0x0\": must be specified for an update"
    );
    // Name and namespace must match the URL.
    let mut other = w("b");
    other["metadata"]["resourceVersion"] = json!("2");
    let e = t
        .update(
            &widgets(),
            Some("default"),
            "a",
            other,
            Subresource::None,
            &wo(),
        )
        .unwrap_err();
    assert_eq!(
        (e.code, e.message()),
        (
            400,
            "the name of the object (b) does not match the name on the URL (a)"
        )
    );
    let mut elsewhere = w("x");
    elsewhere["metadata"]["namespace"] = json!("other");
    let e = t
        .create(&widgets(), Some("default"), elsewhere, &wo())
        .unwrap_err();
    assert_eq!(e.code, 400);
    // Unknown resources and versions.
    let e = t
        .get(
            &Gvr::new("example.com", "v2", "widgets"),
            Some("default"),
            "a",
        )
        .unwrap_err();
    assert_eq!(
        (e.code, e.message()),
        (404, "the server could not find the requested resource")
    );
    // Strategic merge patch.
    let e = t
        .patch(
            &widgets(),
            Some("default"),
            "a",
            PatchType::StrategicMerge,
            b"{}",
            Subresource::None,
            &wo(),
        )
        .unwrap_err();
    assert_eq!(
        e.status,
        json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
               "message": "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml",
               "reason": "UnsupportedMediaType", "code": 415})
    );
}

#[test]
fn updates_conflicts_and_generation() {
    let t = tracker();
    let a = create(&t, "a");
    let mut upd = a.clone();
    upd["spec"]["note"] = json!("x");
    let b = t
        .update(
            &widgets(),
            Some("default"),
            "a",
            upd.clone(),
            Subresource::None,
            &wo(),
        )
        .unwrap()
        .object;
    assert_eq!(b["metadata"]["generation"], 2);
    assert!(rv(&b) > rv(&a));
    // Stale RV.
    let e = t
        .update(
            &widgets(),
            Some("default"),
            "a",
            upd,
            Subresource::None,
            &wo(),
        )
        .unwrap_err();
    assert_eq!((e.code, e.reason()), (409, "Conflict"));
    // Metadata-only change: no generation bump; system fields cannot be changed.
    let mut meta = b.clone();
    meta["metadata"]["labels"] = json!({"a": "b"});
    meta["metadata"]["uid"] = json!("hijack");
    meta["metadata"]["generation"] = json!(99);
    let c = t
        .update(
            &widgets(),
            Some("default"),
            "a",
            meta,
            Subresource::None,
            &wo(),
        )
        .unwrap()
        .object;
    assert_eq!(c["metadata"]["generation"], 2);
    assert_eq!(c["metadata"]["uid"], a["metadata"]["uid"]);
    // A no-op keeps the RV and emits nothing.
    let d = t
        .update(
            &widgets(),
            Some("default"),
            "a",
            c.clone(),
            Subresource::None,
            &wo(),
        )
        .unwrap()
        .object;
    assert_eq!(
        d["metadata"]["resourceVersion"],
        c["metadata"]["resourceVersion"]
    );

    // Without a status subresource, status is an ordinary field (and bumps generation).
    // (`register::<Widget>()` would declare Widget's subresources: turn them off.)
    let plain = Tracker::new();
    let mut info = KindInfo::of::<Widget>();
    for v in &mut info.versions {
        v.status = false;
        v.scale = None;
    }
    plain.register_kind(info);
    let x = plain
        .create(&widgets(), Some("ns"), w("x"), &wo())
        .unwrap()
        .object;
    let mut s = x.clone();
    s["status"] = json!({"phase": "Up"});
    let y = plain
        .update(&widgets(), Some("ns"), "x", s, Subresource::None, &wo())
        .unwrap()
        .object;
    assert_eq!(y["status"]["phase"], "Up");
    assert_eq!(y["metadata"]["generation"], 2);
    let e = plain.get_scale(&widgets(), Some("ns"), "x").unwrap_err();
    assert_eq!(e.code, 404);
}

#[test]
fn status_subresource_rules() {
    let t = tracker();
    let mut obj = w("s");
    obj["status"] = json!({"phase": "dropped on create"});
    let a = t
        .create(&widgets(), Some("default"), obj, &wo())
        .unwrap()
        .object;
    assert!(a.get("status").is_none());
    let mut st = a.clone();
    st["status"] = json!({"phase": "Ready", "replicas": 1});
    st["spec"]["note"] = json!("ignored");
    st["metadata"]["labels"] = json!({"ignored": "true"});
    let b = t
        .update(
            &widgets(),
            Some("default"),
            "s",
            st,
            Subresource::Status,
            &wo(),
        )
        .unwrap()
        .object;
    assert_eq!(b["status"]["phase"], "Ready");
    assert!(b["spec"].get("note").is_none());
    assert!(b["metadata"].get("labels").is_none());
    assert_eq!(b["metadata"]["generation"], 1);
    // Status is validated too.
    let mut bad = b.clone();
    bad["status"]["replicas"] = json!("many");
    let e = t
        .update(
            &widgets(),
            Some("default"),
            "s",
            bad,
            Subresource::Status,
            &wo(),
        )
        .unwrap_err();
    assert_eq!(e.code, 422);
    // Main resource keeps the stored status.
    let c = t
        .patch(
            &widgets(),
            Some("default"),
            "s",
            PatchType::Merge,
            br#"{"status": null, "spec": {"note": "n"}}"#,
            Subresource::None,
            &wo(),
        )
        .unwrap()
        .object;
    assert_eq!(c["status"]["phase"], "Ready");
    assert_eq!(c["metadata"]["generation"], 2);
    // JSON patch on status.
    let d = t
        .patch(
            &widgets(),
            Some("default"),
            "s",
            PatchType::Json,
            br#"[{"op": "replace", "path": "/status/phase", "value": "Done"}]"#,
            Subresource::Status,
            &wo(),
        )
        .unwrap()
        .object;
    assert_eq!(d["status"]["phase"], "Done");
}

#[test]
fn scale_subresource() {
    let t = tracker();
    create(&t, "s");
    let sc = t.get_scale(&widgets(), Some("default"), "s").unwrap();
    assert_eq!(sc["kind"], "Scale");
    assert_eq!(sc["apiVersion"], "autoscaling/v1");
    assert_eq!(sc["spec"], json!({"replicas": 1}));
    assert_eq!(sc["status"], json!({"replicas": 0}));
    let mut up = sc.clone();
    up["spec"]["replicas"] = json!(4);
    let sc2 = t
        .update(
            &widgets(),
            Some("default"),
            "s",
            up.clone(),
            Subresource::Scale,
            &wo(),
        )
        .unwrap()
        .object;
    assert_eq!(sc2["spec"]["replicas"], 4);
    assert_eq!(
        t.get(&widgets(), Some("default"), "s").unwrap()["spec"]["replicas"],
        4
    );
    let e = t
        .update(
            &widgets(),
            Some("default"),
            "s",
            up,
            Subresource::Scale,
            &wo(),
        )
        .unwrap_err();
    assert_eq!(e.code, 409, "stale scale resourceVersion");
    let sc3 = t
        .patch(
            &widgets(),
            Some("default"),
            "s",
            PatchType::Merge,
            br#"{"spec":{"replicas":2}}"#,
            Subresource::Scale,
            &wo(),
        )
        .unwrap()
        .object;
    assert_eq!(sc3["spec"]["replicas"], 2);
}

#[test]
fn selectors_paging_and_snapshots() {
    let t = tracker();
    for i in 0..5 {
        let mut o = w(&format!("w{i}"));
        o["metadata"]["labels"] = json!({"i": i.to_string(), "even": (i % 2 == 0).to_string()});
        t.create(&widgets(), Some(if i < 4 { "a" } else { "b" }), o, &wo())
            .unwrap();
    }
    let names = |l: &Value| -> Vec<String> {
        l["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["metadata"]["name"].as_str().unwrap().to_owned())
            .collect()
    };
    let lo = |label: &str, field: &str| ListOptions {
        label_selector: Some(label.into()),
        field_selector: Some(field.into()),
        ..Default::default()
    };
    assert_eq!(
        names(&t.list(&widgets(), None, &lo("even=true", "")).unwrap()),
        ["w0", "w2", "w4"]
    );
    assert_eq!(
        names(&t.list(&widgets(), Some("a"), &lo("even=true", "")).unwrap()),
        ["w0", "w2"]
    );
    assert_eq!(
        names(
            &t.list(
                &widgets(),
                None,
                &lo("i notin (0,1,2)", "metadata.namespace!=b")
            )
            .unwrap()
        ),
        ["w3"]
    );
    let list = t.list(&widgets(), None, &ListOptions::default()).unwrap();
    assert_eq!(list["kind"], "WidgetList");
    assert_eq!(list["apiVersion"], "example.com/v1");
    assert_eq!(
        list["metadata"]["resourceVersion"],
        t.resource_version().to_string()
    );

    // Exact resourceVersion: the list as it was.
    let at = t.resource_version();
    t.delete(&widgets(), Some("a"), "w0", &DeleteOptions::default())
        .unwrap();
    create(&t, "late");
    let exact = ListOptions {
        resource_version: Some(at.to_string()),
        resource_version_match: Some("Exact".into()),
        ..Default::default()
    };
    assert_eq!(
        names(&t.list(&widgets(), None, &exact).unwrap()),
        ["w0", "w1", "w2", "w3", "w4"]
    );
    let too_new = ListOptions {
        resource_version: Some("999".into()),
        ..Default::default()
    };
    assert_eq!(t.list(&widgets(), None, &too_new).unwrap_err().code, 504);

    // Pages.
    let page = |c: Option<String>| ListOptions {
        limit: Some(2),
        continue_token: c,
        ..Default::default()
    };
    let p1 = t.list(&widgets(), None, &page(None)).unwrap();
    assert_eq!(names(&p1), ["w1", "w2"]);
    assert_eq!(p1["metadata"]["remainingItemCount"], 3);
    let c1 = p1["metadata"]["continue"].as_str().unwrap().to_owned();
    let p2 = t.list(&widgets(), None, &page(Some(c1.clone()))).unwrap();
    // Keys sort as namespace/name: a/…, b/w4, default/late.
    assert_eq!(names(&p2), ["w3", "w4"]);
    let p3 = t
        .list(
            &widgets(),
            None,
            &page(p2["metadata"]["continue"].as_str().map(str::to_owned)),
        )
        .unwrap();
    assert_eq!(names(&p3), ["late"]);
    // The last page carries an empty continue token, as lists of custom resources do.
    assert_eq!(p3["metadata"]["continue"], "");
    // Compaction keeps the current revision: move past it first.
    create(&t, "after");
    t.compact();
    let e = t.list(&widgets(), None, &page(Some(c1))).unwrap_err();
    assert_eq!((e.code, e.reason()), (410, "Expired"));
    let e = t
        .list(&widgets(), None, &page(Some("not-base64!".into())))
        .unwrap_err();
    assert_eq!(e.code, 400);
}

#[test]
fn unknown_fields_and_dry_run() {
    let t = tracker();
    let mut o = w("u");
    o["spec"]["colour"] = json!("red");
    o["metadata"]["bogus"] = json!(1);
    let r = t
        .create(&widgets(), Some("default"), o.clone(), &wo())
        .unwrap();
    assert_eq!(
        r.warnings,
        [
            "unknown field \"metadata.bogus\"",
            "unknown field \"spec.colour\""
        ]
    );
    assert!(r.object["spec"].get("colour").is_none());
    let strict = WriteOptions {
        field_validation: FieldValidation::Strict,
        ..wo()
    };
    o["metadata"]["name"] = json!("u2");
    let e = t
        .create(&widgets(), Some("default"), o.clone(), &strict)
        .unwrap_err();
    assert_eq!(
        e.message(),
        "Widget in version \"v1\" cannot be handled as a Widget: strict decoding error: unknown field \"metadata.bogus\", unknown field \"spec.colour\""
    );
    let before = t.resource_version();
    let dry = WriteOptions {
        dry_run: true,
        ..wo()
    };
    let r = t
        .create(&widgets(), Some("default"), w("dry"), &dry)
        .unwrap();
    assert_eq!(r.object["metadata"]["name"], "dry");
    assert_eq!(t.resource_version(), before);
    assert_eq!(
        t.get(&widgets(), Some("default"), "dry").unwrap_err().code,
        404
    );
    t.delete(
        &widgets(),
        Some("default"),
        "u",
        &DeleteOptions {
            dry_run: true,
            ..Default::default()
        },
    )
    .unwrap();
    assert!(t.get(&widgets(), Some("default"), "u").is_ok());
}

#[tokio::test]
async fn finalizers_delete_and_collection() {
    let t = tracker();
    let mut o = w("f");
    o["metadata"]["finalizers"] = json!(["x/y"]);
    let a = t
        .create(&widgets(), Some("default"), o, &wo())
        .unwrap()
        .object;
    let mut watch = t
        .watch(
            &widgets(),
            Some("default"),
            &WatchOptions {
                resource_version: Some(rv(&a).to_string()),
                ..Default::default()
            },
        )
        .unwrap();
    let r = t
        .delete(&widgets(), Some("default"), "f", &DeleteOptions::default())
        .unwrap();
    assert!(r.object["metadata"]["deletionTimestamp"].is_string());
    assert_eq!(r.object["metadata"]["deletionGracePeriodSeconds"], 0);
    assert_eq!(r.object["metadata"]["generation"], 2);
    // Deleting again changes nothing.
    let again = t
        .delete(&widgets(), Some("default"), "f", &DeleteOptions::default())
        .unwrap();
    assert_eq!(
        again.object["metadata"]["resourceVersion"],
        r.object["metadata"]["resourceVersion"]
    );
    let ev = next(&mut watch).await;
    assert_eq!(ev.event_type, EventType::Modified);
    // Removing the finalizer completes the deletion.
    let mut done = r.object.clone();
    done["metadata"]["finalizers"] = json!([]);
    t.update(
        &widgets(),
        Some("default"),
        "f",
        done,
        Subresource::None,
        &wo(),
    )
    .unwrap();
    assert_eq!(
        t.get(&widgets(), Some("default"), "f").unwrap_err().code,
        404
    );
    let ev = next(&mut watch).await;
    assert_eq!(ev.event_type, EventType::Deleted);

    // Success status of an immediate delete.
    let b = create(&t, "b");
    let r = t
        .delete(&widgets(), Some("default"), "b", &DeleteOptions::default())
        .unwrap();
    assert_eq!(
        r.object,
        json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success",
               "details": {"name": "b", "group": "example.com", "kind": "widgets", "uid": b["metadata"]["uid"]}})
    );
    // Preconditions.
    let c = create(&t, "c");
    let e = t
        .delete(
            &widgets(),
            Some("default"),
            "c",
            &DeleteOptions {
                precondition_resource_version: Some("1".into()),
                ..Default::default()
            },
        )
        .unwrap_err();
    assert_eq!(
        e.message(),
        format!(
            "Operation cannot be fulfilled on widgets.example.com \"c\": Precondition failed: ResourceVersion in precondition: 1, ResourceVersion in object meta: {}",
            rv(&c)
        )
    );

    // delete_collection with a selector, across namespaces.
    for (ns, n) in [("a", "x1"), ("b", "x2"), ("b", "y1")] {
        let mut o = w(n);
        o["metadata"]["labels"] = json!({"k": &n[..1]});
        t.create(&widgets(), Some(ns), o, &wo()).unwrap();
    }
    let del = t
        .delete_collection(
            &widgets(),
            None,
            &ListOptions {
                label_selector: Some("k=x".into()),
                ..Default::default()
            },
            &DeleteOptions::default(),
        )
        .unwrap();
    assert_eq!(del["items"].as_array().unwrap().len(), 2);
    assert_eq!(
        t.list(&widgets(), None, &ListOptions::default()).unwrap()["items"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

#[tokio::test]
async fn watch_semantics() {
    let t = tracker();
    create(&t, "pre");
    // No resourceVersion: the current state as ADDED first.
    let mut w0 = t.watch(&widgets(), None, &WatchOptions::default()).unwrap();
    let ev = next(&mut w0).await;
    assert_eq!(
        (ev.event_type, ev.object["metadata"]["name"].as_str()),
        (EventType::Added, Some("pre"))
    );

    let from = t.resource_version();
    let a = create(&t, "a");
    let mut upd = a.clone();
    upd["spec"]["note"] = json!("n");
    t.update(
        &widgets(),
        Some("default"),
        "a",
        upd,
        Subresource::None,
        &wo(),
    )
    .unwrap();
    t.delete(&widgets(), Some("default"), "a", &DeleteOptions::default())
        .unwrap();
    // Another namespace is filtered out.
    t.create(&widgets(), Some("other"), w("elsewhere"), &wo())
        .unwrap();

    let opts = WatchOptions {
        resource_version: Some(from.to_string()),
        allow_bookmarks: true,
        ..Default::default()
    };
    let mut watch = t.watch(&widgets(), Some("default"), &opts).unwrap();
    let types: Vec<EventType> = vec![
        next(&mut watch).await.event_type,
        next(&mut watch).await.event_type,
        next(&mut watch).await.event_type,
    ];
    assert_eq!(
        types,
        [EventType::Added, EventType::Modified, EventType::Deleted]
    );
    watch.request_bookmark();
    let bm = next(&mut watch).await;
    assert_eq!(bm.event_type, EventType::Bookmark);
    assert_eq!(
        bm.to_json(),
        json!({"type": "BOOKMARK", "object": {"kind": "Widget", "apiVersion": "example.com/v1",
               "metadata": {"resourceVersion": t.resource_version().to_string()}}})
    );
    // The deleted object carries the deletion's resourceVersion; live events keep flowing.
    create(&t, "live");
    let ev = next(&mut watch).await;
    assert_eq!(ev.event_type, EventType::Added);
    assert_eq!(rv(&ev.object), t.resource_version());

    // sendInitialEvents: state, then the annotated bookmark.
    let mut sie = t
        .watch(
            &widgets(),
            Some("default"),
            &WatchOptions {
                send_initial_events: true,
                allow_bookmarks: true,
                ..Default::default()
            },
        )
        .unwrap();
    let mut added = 0;
    loop {
        let ev = next(&mut sie).await;
        if ev.event_type == EventType::Bookmark {
            assert_eq!(
                ev.object["metadata"]["annotations"]["k8s.io/initial-events-end"],
                "true"
            );
            break;
        }
        added += 1;
    }
    assert_eq!(added, 2);
    // Without allowWatchBookmarks kube-apiserver still streams the initial events but
    // sends no end bookmark (recorded: watch-list step 5).
    let mut no_bm = t
        .watch(
            &widgets(),
            None,
            &WatchOptions {
                send_initial_events: true,
                ..Default::default()
            },
        )
        .unwrap();
    let mut initial = Vec::new();
    while let Some(ev) = no_bm.try_next() {
        initial.push(ev.event_type);
    }
    assert!(!initial.is_empty());
    assert!(
        initial.iter().all(|e| *e == EventType::Added),
        "{initial:?}"
    );

    // A bounded history window: older resourceVersions get 410 Gone.
    t.set_history_limit(1);
    create(&t, "z1");
    create(&t, "z2");
    let mut gone = t
        .watch(
            &widgets(),
            None,
            &WatchOptions {
                resource_version: Some(from.to_string()),
                ..Default::default()
            },
        )
        .unwrap();
    let ev = next(&mut gone).await;
    assert_eq!(ev.event_type, EventType::Error);
    assert_eq!(ev.object["code"], 410);
    assert_eq!(ev.object["reason"], "Expired");
    assert!(
        ev.object["message"]
            .as_str()
            .unwrap()
            .starts_with(&format!("too old resource version: {from} ("))
    );
    assert!(
        tokio::time::timeout(Duration::from_secs(1), gone.next())
            .await
            .unwrap()
            .is_none()
    );
}

#[test]
fn versions_convert_by_rewriting_api_version() {
    let mut crd: Value = serde_json::from_str(WIDGET_CRD).unwrap();
    let v1 = crd["spec"]["versions"][0].clone();
    let mut beta = v1.clone();
    beta["name"] = json!("v1beta1");
    beta["storage"] = json!(false);
    beta["deprecated"] = json!(true);
    crd["spec"]["versions"] = json!([beta, v1]);
    let t = Tracker::new();
    t.register_crd(&crd).unwrap();
    let beta_gvr = Gvr::new("example.com", "v1beta1", "widgets");
    let mut o = w("a");
    o["apiVersion"] = json!("example.com/v1beta1");
    let r = t.create(&beta_gvr, Some("default"), o, &wo()).unwrap();
    assert_eq!(r.object["apiVersion"], "example.com/v1beta1");
    assert_eq!(r.warnings, ["example.com/v1beta1 is deprecated"]);
    assert_eq!(
        t.get(&widgets(), Some("default"), "a").unwrap()["apiVersion"],
        "example.com/v1"
    );
    assert_eq!(
        t.get(&beta_gvr, Some("default"), "a").unwrap()["apiVersion"],
        "example.com/v1beta1"
    );
    // A body of the wrong version is refused.
    let e = t
        .create(&beta_gvr, Some("default"), w("b"), &wo())
        .unwrap_err();
    assert_eq!(e.code, 400);
}

#[test]
fn server_side_apply_approximation() {
    let t = tracker();
    let apply = |mgr: &str, body: &str, force: bool| -> Result<Value, StatusError> {
        t.patch(
            &widgets(),
            Some("default"),
            "ap",
            PatchType::Apply,
            body.as_bytes(),
            Subresource::None,
            &WriteOptions {
                field_manager: Some(mgr.into()),
                force,
                ..wo()
            },
        )
        .map(|r| r.object)
    };
    let y1 = "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: ap\n  labels:\n    a: b\nspec:\n  size: small\n  note: one\n";
    let a = apply("m1", y1, false).unwrap();
    assert_eq!(
        a["metadata"]["managedFields"][0]["fieldsV1"],
        json!({"f:metadata": {"f:labels": {"f:a": {}}}, "f:spec": {"f:note": {}, "f:size": {}}})
    );
    // Same manager, same config: no-op.
    let again = apply("m1", y1, false).unwrap();
    assert_eq!(
        again["metadata"]["resourceVersion"],
        a["metadata"]["resourceVersion"]
    );
    // Conflict, then force.
    let y2 =
        "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: ap\nspec:\n  note: two\n";
    let e = apply("m2", y2, false).unwrap_err();
    assert_eq!(
        e.message(),
        // An Apply manager is named without its apiVersion (Update managers get "using …").
        "Apply failed with 1 conflict: conflict with \"m1\": .spec.note"
    );
    assert_eq!(
        e.status["details"]["causes"][0]["reason"],
        "FieldManagerConflict"
    );
    let b = apply("m2", y2, true).unwrap();
    assert_eq!(b["spec"]["note"], "two");
    // m1 drops the label: it is removed (m1 owned it alone); note moved to m2 and stays.
    let c = apply(
        "m1",
        "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: ap\nspec:\n  size: small\n",
        false,
    )
    .unwrap();
    assert!(c["metadata"].get("labels").is_none());
    assert_eq!(c["spec"]["note"], "two");
    // Without fieldManager: 422 (PatchOptions validation).
    let e = t
        .patch(
            &widgets(),
            Some("default"),
            "ap",
            PatchType::Apply,
            y1.as_bytes(),
            Subresource::None,
            &wo(),
        )
        .unwrap_err();
    assert_eq!(e.code, 422);
}

#[test]
fn seeding_actions_and_typed_kinds() {
    let t = Tracker::new();
    // The subresources come from Widget's marker traits; `with_status`/`with_scale`
    // still work (and change nothing here).
    let info = KindInfo::of::<Widget>();
    assert!(info.versions[0].status);
    assert_eq!(
        info.versions[0]
            .scale
            .as_ref()
            .map(|s| s.spec_replicas_path.as_str()),
        Some(".spec.replicas")
    );
    assert_eq!(info.clone().with_status().with_scale::<Widget>(), info);
    assert!(!KindInfo::of::<Gadget>().versions[0].status);
    t.register_kind(info);
    // add() bypasses validation and admission.
    let seeded = t
        .add(json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "s"}, "spec": {"size": 42}, "status": {"kept": true}}))
        .unwrap();
    assert_eq!(seeded["metadata"]["namespace"], "default");
    assert_eq!(seeded["status"]["kept"], true);
    assert!(
        t.add(json!({"apiVersion": "x/v1", "kind": "Nope", "metadata": {"name": "n"}}))
            .is_err()
    );
    t.get(&widgets(), Some("default"), "s").unwrap();
    let _ = t.list(&widgets(), None, &ListOptions::default());
    let _ = t.patch(
        &widgets(),
        Some("default"),
        "s",
        PatchType::Merge,
        b"{}",
        Subresource::Status,
        &wo(),
    );
    type Row = (String, Option<String>, Option<String>, Option<String>);
    let verbs: Vec<Row> = t
        .actions()
        .into_iter()
        .map(|a| (a.verb, a.namespace, a.name, a.subresource))
        .collect();
    assert_eq!(
        verbs,
        [
            ("get".into(), Some("default".into()), Some("s".into()), None),
            ("list".into(), None, None, None),
            (
                "patch".into(),
                Some("default".into()),
                Some("s".into()),
                Some("status".into())
            ),
        ]
    );
    assert_eq!(t.actions()[2].patch_type, Some(PatchType::Merge));
    t.clear_actions();
    assert!(t.actions().is_empty());
    assert_eq!(t.namespaces().into_iter().collect::<Vec<_>>(), ["default"]);
}
