//! Every verb of the generated clientset, its errors, selectors, paging and watch.

use crdgen_e2e_tests::crds::e2e_example_com::v1::{Gadget, Widget, WidgetSpecSize, WidgetStatus};
use crdgen_runtime::apply::ApplyParams;
use crdgen_runtime::client::{
    DeleteParams, ListParams, Patch, PatchParams, PostParams, Scale, WatchEvent, WatchParams,
};
use crdgen_runtime::kube::Resource;
use futures::StreamExt;
use k8s_openapi::api::autoscaling::v1::ScaleSpec;
use serde_json::json;

use crate::target::{Target, in_memory_only, within};

fn pp() -> PostParams {
    PostParams::default()
}

fn names<K: Resource>(items: &[K]) -> Vec<String> {
    let mut names: Vec<String> = items.iter().filter_map(|o| o.meta().name.clone()).collect();
    names.sort();
    names
}

fn rv<K: Resource>(obj: &K) -> String {
    obj.meta()
        .resource_version
        .clone()
        .expect("a resourceVersion")
}

#[tokio::test]
async fn crud_and_errors() {
    let t = Target::new("crud").await;
    within("crud", async {
        let widgets = t.clientset.e2e_example_com_v1().widgets(&t.namespace);
        let created = widgets
            .create(&pp(), &t.widget("a", WidgetSpecSize::Small, &[]))
            .await
            .unwrap();
        assert_eq!(created.spec.replicas, Some(1), "defaulted from the schema");
        assert_eq!(created.metadata.generation, Some(1));
        assert_eq!(
            created.metadata.namespace.as_deref(),
            Some(t.namespace.as_str())
        );
        assert!(created.metadata.uid.is_some() && created.metadata.creation_timestamp.is_some());
        assert_eq!(widgets.get("a").await.unwrap(), created);

        // 409 AlreadyExists.
        let e = widgets
            .create(&pp(), &t.widget("a", WidgetSpecSize::Large, &[]))
            .await
            .unwrap_err();
        assert!(e.is_already_exists(), "{e}");
        assert_eq!((e.code(), e.reason()), (Some(409), Some("AlreadyExists")));

        // 404 NotFound.
        let e = widgets.get("missing").await.unwrap_err();
        assert!(e.is_not_found(), "{e}");
        assert_eq!(e.code(), Some(404));
        assert_eq!(widgets.get_opt("missing").await.unwrap(), None);

        // Update; then 409 Conflict for the stale copy.
        let mut stale = created.clone();
        stale.spec.size = WidgetSpecSize::Large;
        let updated = widgets.update(&pp(), &stale).await.unwrap();
        assert_eq!(updated.spec.size, WidgetSpecSize::Large);
        assert_eq!(updated.metadata.generation, Some(2));
        assert_ne!(rv(&updated), rv(&created));
        stale.spec.note = Some("stale".into());
        let e = widgets.update(&pp(), &stale).await.unwrap_err();
        assert!(e.is_conflict(), "{e}");
        assert_eq!((e.code(), e.reason()), (Some(409), Some("Conflict")));

        // 422 Invalid: the schema's minimum and maxLength.
        let mut bad = t.widget("bad", WidgetSpecSize::Small, &[]);
        bad.spec.replicas = Some(-1);
        bad.spec.note = Some("x".repeat(21));
        let e = widgets.create(&pp(), &bad).await.unwrap_err();
        assert!(e.is_invalid(), "{e}");
        assert_eq!(e.code(), Some(422));
        let message = &e.status().unwrap().message;
        assert!(
            message.contains("spec.replicas") && message.contains("spec.note"),
            "{message}"
        );
        assert_eq!(widgets.get_opt("bad").await.unwrap(), None);

        // An update that breaks the schema is refused too.
        let mut bad_update = updated.clone();
        bad_update.spec.replicas = Some(-5);
        assert!(
            widgets
                .update(&pp(), &bad_update)
                .await
                .unwrap_err()
                .is_invalid()
        );

        assert_eq!(
            names(&widgets.list(&ListParams::default()).await.unwrap().items),
            ["a"]
        );

        // Delete; then 404 for get and delete.
        let gone = widgets.delete("a", &DeleteParams::default()).await.unwrap();
        assert!(!gone.is_finalizing());
        assert!(widgets.get("a").await.unwrap_err().is_not_found());
        assert!(
            widgets
                .delete("a", &DeleteParams::default())
                .await
                .unwrap_err()
                .is_not_found()
        );

        // A cluster-scoped kind: no namespace anywhere.
        let gadgets = t.clientset.e2e_example_com_v1().gadgets();
        let name = t.cluster_name("g");
        let g = gadgets
            .create(&pp(), &t.gadget("g", "red", &[]))
            .await
            .unwrap();
        assert_eq!(g.metadata.namespace, None);
        assert_eq!(g.spec.as_ref().unwrap().color.as_deref(), Some("red"));
        let e = gadgets
            .create(&pp(), &t.gadget("g", "green", &[]))
            .await
            .unwrap_err();
        assert!(e.is_already_exists(), "{e}");
        // Creating an object that carries a resourceVersion: 500, as kube-apiserver does.
        let e = gadgets.create(&pp(), &g).await.unwrap_err();
        assert_eq!(e.code(), Some(500), "{e}");
        let mut blue = gadgets.get(&name).await.unwrap();
        blue.spec.as_mut().unwrap().color = Some("blue".into());
        let blue = gadgets.update(&pp(), &blue).await.unwrap();
        assert_eq!(blue.spec.unwrap().color.as_deref(), Some("blue"));
        assert!(gadgets.update(&pp(), &g).await.unwrap_err().is_conflict());
        gadgets
            .delete(&name, &DeleteParams::default())
            .await
            .unwrap();
        assert!(gadgets.get(&name).await.unwrap_err().is_not_found());
    })
    .await;
    t.finish().await;
}

#[tokio::test]
async fn patch_types() {
    let t = Target::new("patch").await;
    within("patch", async {
        let widgets = t.clientset.e2e_example_com_v1().widgets(&t.namespace);
        widgets
            .create(&pp(), &t.widget("p", WidgetSpecSize::Small, &[]))
            .await
            .unwrap();
        let params = PatchParams::default();

        // Merge patch (RFC 7386): null removes.
        let merged = widgets
            .patch(
                "p",
                &params,
                &Patch::Merge(json!({"spec": {"note": "merged", "replicas": 2}})),
            )
            .await
            .unwrap();
        assert_eq!(
            (merged.spec.note.as_deref(), merged.spec.replicas),
            (Some("merged"), Some(2))
        );
        let merged = widgets
            .patch("p", &params, &Patch::Merge(json!({"spec": {"note": null}})))
            .await
            .unwrap();
        assert_eq!(merged.spec.note, None);

        // JSON patch (RFC 6902), including a failing `test` op.
        let ops: json_patch::Patch = serde_json::from_value(json!([
            {"op": "test", "path": "/spec/size", "value": "small"},
            {"op": "replace", "path": "/spec/size", "value": "large"},
            {"op": "add", "path": "/spec/tags", "value": ["x"]}
        ]))
        .unwrap();
        let patched = widgets
            .patch("p", &params, &Patch::Json::<()>(ops.clone()))
            .await
            .unwrap();
        assert_eq!(patched.spec.size, WidgetSpecSize::Large);
        assert_eq!(patched.spec.tags, Some(vec!["x".to_owned()]));
        let e = widgets
            .patch("p", &params, &Patch::Json::<()>(ops))
            .await
            .unwrap_err();
        assert!(
            matches!(e.code(), Some(422) | Some(500)),
            "a failed `test` op: {e}"
        );

        // A patch that breaks the schema: 422.
        let e = widgets
            .patch(
                "p",
                &params,
                &Patch::Merge(json!({"spec": {"size": "huge"}})),
            )
            .await
            .unwrap_err();
        assert!(e.is_invalid(), "{e}");

        // Strategic merge patch: 415 for custom resources.
        let e = widgets
            .patch(
                "p",
                &params,
                &Patch::Strategic(json!({"spec": {"note": "s"}})),
            )
            .await
            .unwrap_err();
        assert!(e.is_unsupported_media_type(), "{e}");
        assert_eq!(e.code(), Some(415));

        // Server-side apply: create, own, conflict between appliers, force.
        let intent = |size: &str, tags: &[&str]| {
            json!({
                "apiVersion": "e2e.example.com/v1", "kind": "Widget",
                "metadata": {"name": "q", "labels": t.labels(&[])},
                "spec": {"size": size, "tags": tags}
            })
        };
        let applied = widgets
            .apply(
                &intent("small", &["a", "b"]),
                &ApplyParams::new("e2e-alice"),
            )
            .await
            .unwrap();
        assert_eq!(
            applied.spec.tags,
            Some(vec!["a".to_owned(), "b".to_owned()])
        );
        let managers: Vec<_> = applied
            .metadata
            .managed_fields
            .iter()
            .flatten()
            .map(|m| {
                (
                    m.manager.clone().unwrap_or_default(),
                    m.operation.clone().unwrap_or_default(),
                )
            })
            .collect();
        assert!(
            managers.contains(&("e2e-alice".into(), "Apply".into())),
            "{managers:?}"
        );
        let again = widgets
            .apply(
                &intent("small", &["a", "b"]),
                &ApplyParams::new("e2e-alice"),
            )
            .await
            .unwrap();
        assert_eq!(rv(&again), rv(&applied), "an unchanged apply is a no-op");
        let e = widgets
            .apply(&intent("large", &["a", "b"]), &ApplyParams::new("e2e-bob"))
            .await
            .unwrap_err();
        assert!(e.is_conflict(), "{e}");
        let forced = widgets
            .apply(
                &intent("large", &["c"]),
                &ApplyParams::new("e2e-bob").force(),
            )
            .await
            .unwrap();
        assert_eq!(forced.spec.size, WidgetSpecSize::Large);
        assert_eq!(forced.spec.tags, Some(vec!["c".to_owned()]));
    })
    .await;
    t.finish().await;
}

#[tokio::test]
async fn status_subresource() {
    let t = Target::new("status").await;
    within("status", async {
        let widgets = t.clientset.e2e_example_com_v1().widgets(&t.namespace);
        let mut w = t.widget("s", WidgetSpecSize::Small, &[]);
        w.status = Some(WidgetStatus {
            phase: Some("Ignored".into()),
            ..Default::default()
        });
        let created = widgets.create(&pp(), &w).await.unwrap();
        assert_eq!(
            created.status, None,
            "create ignores status when it is a subresource"
        );

        // update_status changes status only.
        let mut w = created.clone();
        w.status = Some(WidgetStatus {
            phase: Some("Running".into()),
            replicas: Some(1),
            ..Default::default()
        });
        w.spec.size = WidgetSpecSize::Large;
        let updated = widgets.update_status(&pp(), &w).await.unwrap();
        assert_eq!(
            updated.status.as_ref().unwrap().phase.as_deref(),
            Some("Running")
        );
        assert_eq!(
            updated.spec.size,
            WidgetSpecSize::Small,
            "spec is ignored by /status"
        );
        assert_eq!(
            updated.metadata.generation,
            Some(1),
            "status writes keep the generation"
        );
        assert!(
            widgets
                .update_status(&pp(), &w)
                .await
                .unwrap_err()
                .is_conflict(),
            "stale resourceVersion"
        );

        // update (main resource) changes spec only.
        let mut w = updated.clone();
        w.status.as_mut().unwrap().phase = Some("Ignored".into());
        w.spec.note = Some("main".into());
        let updated = widgets.update(&pp(), &w).await.unwrap();
        assert_eq!(
            updated.status.as_ref().unwrap().phase.as_deref(),
            Some("Running")
        );
        assert_eq!(updated.spec.note.as_deref(), Some("main"));
        assert_eq!(widgets.get_status("s").await.unwrap(), updated);

        // patch_status.
        let patched = widgets
            .patch_status(
                "s",
                &PatchParams::default(),
                &Patch::Merge(json!({"status": {"message": "ok"}})),
            )
            .await
            .unwrap();
        let status = patched.status.as_ref().unwrap();
        assert_eq!(
            (status.phase.as_deref(), status.message.as_deref()),
            (Some("Running"), Some("ok"))
        );

        // A merge patch of spec through /status is ignored.
        let ignored = widgets
            .patch_status(
                "s",
                &PatchParams::default(),
                &Patch::Merge(json!({"spec": {"note": "nope"}})),
            )
            .await
            .unwrap();
        assert_eq!(ignored.spec.note.as_deref(), Some("main"));

        // apply_status.
        let intent = json!({
            "apiVersion": "e2e.example.com/v1", "kind": "Widget",
            "metadata": {"name": "s"},
            "status": {"phase": "Ready"}
        });
        let applied = widgets
            .apply_status(&intent, &ApplyParams::new("e2e-status").force())
            .await
            .unwrap();
        assert_eq!(
            applied.status.as_ref().unwrap().phase.as_deref(),
            Some("Ready")
        );
        assert_eq!(applied.spec, updated.spec);

        assert!(
            widgets
                .get_status("missing")
                .await
                .unwrap_err()
                .is_not_found()
        );
    })
    .await;
    t.finish().await;
}

#[tokio::test]
async fn scale_subresource() {
    let t = Target::new("scale").await;
    within("scale", async {
        let widgets = t.clientset.e2e_example_com_v1().widgets(&t.namespace);
        let mut w = t.widget("sc", WidgetSpecSize::Small, &[]);
        w.spec.replicas = Some(2);
        widgets.create(&pp(), &w).await.unwrap();
        widgets
            .patch_status(
                "sc",
                &PatchParams::default(),
                &Patch::Merge(json!({"status": {"replicas": 2, "selector": "app=sc"}})),
            )
            .await
            .unwrap();

        let scale = widgets.get_scale("sc").await.unwrap();
        assert_eq!(scale.metadata.name.as_deref(), Some("sc"));
        assert_eq!(scale.spec.as_ref().and_then(|s| s.replicas), Some(2));
        let status = scale.status.as_ref().unwrap();
        assert_eq!(
            (status.replicas, status.selector.as_deref()),
            (2, Some("app=sc"))
        );

        let desired = Scale {
            spec: Some(ScaleSpec { replicas: Some(4) }),
            ..scale.clone()
        };
        let updated = widgets.update_scale("sc", &pp(), &desired).await.unwrap();
        assert_eq!(updated.spec.and_then(|s| s.replicas), Some(4));
        assert_eq!(widgets.get("sc").await.unwrap().spec.replicas, Some(4));
        let e = widgets
            .update_scale("sc", &pp(), &desired)
            .await
            .unwrap_err();
        assert!(e.is_conflict(), "stale scale: {e}");

        let patched = widgets
            .patch_scale(
                "sc",
                &PatchParams::default(),
                &Patch::Merge(json!({"spec": {"replicas": 0}})),
            )
            .await
            .unwrap();
        // ScaleSpec.replicas is omitempty: kube-apiserver answers `"spec": {}`.
        assert_eq!(patched.spec.and_then(|s| s.replicas), None);
        assert_eq!(widgets.get("sc").await.unwrap().spec.replicas, Some(0));

        let e = widgets
            .patch_scale(
                "sc",
                &PatchParams::default(),
                &Patch::Merge(json!({"spec": {"replicas": -1}})),
            )
            .await
            .unwrap_err();
        assert!(e.is_invalid(), "{e}");
        assert!(
            widgets
                .get_scale("missing")
                .await
                .unwrap_err()
                .is_not_found()
        );
    })
    .await;
    t.finish().await;
}

#[tokio::test]
async fn selectors_and_delete_collection() {
    let t = Target::new("selectors").await;
    within("selectors", async {
        let v1 = t.clientset.e2e_example_com_v1();
        let widgets = v1.widgets(&t.namespace);
        for (name, labels) in [
            ("w1", &[("app", "web"), ("tier", "front")][..]),
            ("w2", &[("app", "web"), ("tier", "back")][..]),
            ("w3", &[("app", "db")][..]),
        ] {
            widgets
                .create(&pp(), &t.widget(name, WidgetSpecSize::Small, labels))
                .await
                .unwrap();
        }
        let list = |labels: &str, fields: &str| {
            let mut params = ListParams::default();
            if !labels.is_empty() {
                params = params.labels(labels);
            }
            if !fields.is_empty() {
                params = params.fields(fields);
            }
            let widgets = widgets.clone();
            async move { names(&widgets.list(&params).await.unwrap().items) }
        };
        assert_eq!(list("app=web", "").await, ["w1", "w2"]);
        assert_eq!(list("app in (db,cache)", "").await, ["w3"]);
        assert_eq!(list("app=web,tier!=front", "").await, ["w2"]);
        assert_eq!(list("!tier", "").await, ["w3"]);
        assert_eq!(list("tier", "").await, ["w1", "w2"]);
        assert_eq!(list("app notin (web)", "").await, ["w3"]);
        assert_eq!(list("", "metadata.name=w2").await, ["w2"]);
        assert_eq!(list("app=web", "metadata.name!=w2").await, ["w1"]);
        let ns_field = format!("metadata.namespace={}", t.namespace);
        assert_eq!(list("", &ns_field).await, ["w1", "w2", "w3"]);

        // Across namespaces, this run's objects only.
        let all = v1.widgets_all_namespaces();
        let everywhere = all
            .list(&ListParams::default().labels(&t.run_selector()))
            .await
            .unwrap();
        assert_eq!(names(&everywhere.items), ["w1", "w2", "w3"]);

        // delete_collection by label.
        widgets
            .delete_collection(
                &DeleteParams::default(),
                &ListParams::default().labels("app=web"),
            )
            .await
            .unwrap();
        assert_eq!(list("", "").await, ["w3"]);

        // Cluster-scoped: selectors and delete_collection.
        let gadgets = v1.gadgets();
        gadgets
            .create(&pp(), &t.gadget("red", "red", &[("color", "red")]))
            .await
            .unwrap();
        gadgets
            .create(&pp(), &t.gadget("blue", "blue", &[("color", "blue")]))
            .await
            .unwrap();
        let red = gadgets
            .list(&ListParams::default().labels(&format!("{},color=red", t.run_selector())))
            .await
            .unwrap();
        assert_eq!(names::<Gadget>(&red.items), [t.cluster_name("red")]);
        gadgets
            .delete_collection(
                &DeleteParams::default(),
                &ListParams::default().labels(&t.run_selector()),
            )
            .await
            .unwrap();
        let left = gadgets
            .list(&ListParams::default().labels(&t.run_selector()))
            .await
            .unwrap();
        assert!(left.items.is_empty());
    })
    .await;
    t.finish().await;
}

#[tokio::test]
async fn paging() {
    let t = Target::new("paging").await;
    within("paging", async {
        let widgets = t.clientset.e2e_example_com_v1().widgets(&t.namespace);
        let expected: Vec<String> = (0..7).map(|i| format!("p{i}")).collect();
        for name in &expected {
            widgets
                .create(&pp(), &t.widget(name, WidgetSpecSize::Small, &[]))
                .await
                .unwrap();
        }
        let mut seen = Vec::new();
        let mut params = ListParams::default().limit(3);
        let mut pages = 0;
        loop {
            let page = widgets.list(&params).await.unwrap();
            pages += 1;
            assert!(page.items.len() <= 3);
            seen.extend(page.items.iter().filter_map(|w| w.metadata.name.clone()));
            match page.metadata.continue_.filter(|c| !c.is_empty()) {
                Some(token) => {
                    assert_eq!(page.items.len(), 3);
                    params = params.continue_token(&token);
                }
                None => break,
            }
        }
        assert_eq!(pages, 3);
        seen.sort();
        assert_eq!(seen, expected);

        let all = widgets
            .list_all(&ListParams::default().limit(2))
            .await
            .unwrap();
        assert_eq!(names(&all.items), expected);
        assert_eq!(all.metadata.continue_, None);
        let all = widgets.list_all(&ListParams::default()).await.unwrap();
        assert_eq!(all.items.len(), 7);
    })
    .await;
    t.finish().await;
}

/// The next non-bookmark event of a watch.
async fn next_event(
    stream: &mut (
             impl futures::Stream<Item = crdgen_runtime::error::Result<WatchEvent<Widget>>> + Unpin
         ),
) -> (String, Widget) {
    loop {
        match stream
            .next()
            .await
            .expect("the watch ended early")
            .expect("a watch event")
        {
            WatchEvent::Added(w) => return ("ADDED".into(), w),
            WatchEvent::Modified(w) => return ("MODIFIED".into(), w),
            WatchEvent::Deleted(w) => return ("DELETED".into(), w),
            WatchEvent::Bookmark(_) => {}
            WatchEvent::Error(e) => panic!("watch error: {e:?}"),
        }
    }
}

#[tokio::test]
async fn watch_resumes_from_resource_version() {
    let t = Target::new("watch").await;
    within("watch", async {
        let widgets = t.clientset.e2e_example_com_v1().widgets(&t.namespace);
        let a = widgets
            .create(&pp(), &t.widget("a", WidgetSpecSize::Small, &[]))
            .await
            .unwrap();
        let from = rv(&a);
        widgets
            .create(&pp(), &t.widget("b", WidgetSpecSize::Small, &[]))
            .await
            .unwrap();
        widgets
            .patch(
                "a",
                &PatchParams::default(),
                &Patch::Merge(json!({"spec": {"note": "n"}})),
            )
            .await
            .unwrap();
        widgets.delete("b", &DeleteParams::default()).await.unwrap();

        let params = WatchParams::default().timeout(15).labels(&t.run_selector());
        let mut stream = widgets.watch(&params, &from).await.unwrap();
        let mut events = Vec::new();
        for _ in 0..3 {
            let (kind, w) = next_event(&mut stream).await;
            events.push(format!("{kind} {}", w.metadata.name.unwrap()));
        }
        assert_eq!(events, ["ADDED b", "MODIFIED a", "DELETED b"]);

        // Live events continue on the same stream.
        widgets
            .create(&pp(), &t.widget("c", WidgetSpecSize::Large, &[]))
            .await
            .unwrap();
        let (kind, w) = next_event(&mut stream).await;
        assert_eq!(
            (kind.as_str(), w.metadata.name.as_deref()),
            ("ADDED", Some("c"))
        );
        assert_eq!(w.spec.size, WidgetSpecSize::Large);

        // Resuming from the last event's resourceVersion sees only what follows.
        let last = rv(&w);
        drop(stream);
        widgets.delete("a", &DeleteParams::default()).await.unwrap();
        let mut stream = widgets.watch(&params, &last).await.unwrap();
        let (kind, w) = next_event(&mut stream).await;
        assert_eq!(
            (kind.as_str(), w.metadata.name.as_deref()),
            ("DELETED", Some("a"))
        );
    })
    .await;
    t.finish().await;
}

#[cfg_attr(
    e2e_real_cluster,
    ignore = "needs history compaction of the in-memory server; a real cluster does not offer it"
)]
#[tokio::test]
async fn watch_from_compacted_resource_version_is_gone() {
    in_memory_only(
        "watch_from_compacted_resource_version_is_gone",
        "history compaction",
    );
    let t = Target::new("gone").await;
    within("gone", async {
        let widgets = t.clientset.e2e_example_com_v1().widgets(&t.namespace);
        let a = widgets
            .create(&pp(), &t.widget("a", WidgetSpecSize::Small, &[]))
            .await
            .unwrap();
        widgets
            .create(&pp(), &t.widget("b", WidgetSpecSize::Small, &[]))
            .await
            .unwrap();
        t.server().tracker().compact();
        let gone = match widgets
            .watch(&WatchParams::default().timeout(5), &rv(&a))
            .await
        {
            Err(e) => e.is_gone(),
            Ok(mut stream) => match stream.next().await {
                Some(Ok(WatchEvent::Error(status))) => status.code == 410,
                Some(Err(e)) => e.is_gone(),
                other => panic!("expected 410 Gone, got {other:?}"),
            },
        };
        assert!(gone, "a watch from a compacted resourceVersion is 410 Gone");

        // A continue token from before the compaction is expired as well; list_all
        // recovers by listing in full.
        widgets
            .create(&pp(), &t.widget("c", WidgetSpecSize::Small, &[]))
            .await
            .unwrap();
        let page = widgets.list(&ListParams::default().limit(1)).await.unwrap();
        let token = page.metadata.continue_.unwrap();
        // Compacting at the list's own resourceVersion keeps it readable (as etcd
        // does); compacting past it expires the token.
        widgets
            .create(&pp(), &t.widget("d", WidgetSpecSize::Small, &[]))
            .await
            .unwrap();
        t.server().tracker().compact();
        let e = widgets
            .list(&ListParams::default().limit(1).continue_token(&token))
            .await
            .unwrap_err();
        assert!(e.is_gone(), "{e}");

        // Relist and watch from the list's resourceVersion.
        let list = widgets.list_all(&ListParams::default()).await.unwrap();
        assert_eq!(names(&list.items), ["a", "b", "c", "d"]);
        let from = list.metadata.resource_version.unwrap();
        let mut stream = widgets
            .watch(&WatchParams::default().timeout(10), &from)
            .await
            .unwrap();
        widgets.delete("b", &DeleteParams::default()).await.unwrap();
        let (kind, w) = next_event(&mut stream).await;
        assert_eq!(
            (kind.as_str(), w.metadata.name.as_deref()),
            ("DELETED", Some("b"))
        );
    })
    .await;
    t.finish().await;
}
