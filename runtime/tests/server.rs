//! The in-memory API server driven by a real `kube::Client` over loopback HTTP.
#![cfg(feature = "server")]

mod common;

use std::collections::BTreeMap;
use std::time::Duration;

use common::{GADGET_CRD, Gadget, WIDGET_CRD, Widget, WidgetSpec, WidgetStatus};
use crdgen_runtime::fake::FakeClient;
use crdgen_runtime::server::{ApiServer, ServerHandle};
use crdgen_runtime::tracker::{Gvr, WriteOptions};
use futures::{StreamExt, TryStreamExt};
use kube::api::{
    Api, DeleteParams, ListParams, Patch, PatchParams, PostParams, WatchEvent, WatchParams,
};
use kube::runtime::{WatchStreamExt, reflector, watcher};
use serde_json::{Value, json};

const T: Duration = Duration::from_secs(20);

fn server() -> ApiServer {
    ApiServer::builder()
        .crd(serde_json::from_str(WIDGET_CRD).unwrap())
        .crd(serde_json::from_str(GADGET_CRD).unwrap())
        .bookmark_interval(Duration::from_millis(200))
        .build()
        .unwrap()
}

async fn start() -> (ApiServer, ServerHandle, kube::Client) {
    let s = server();
    let h = s.serve("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let c = h.client().unwrap();
    (s, h, c)
}

fn widget(name: &str, size: &str) -> Widget {
    Widget::new(
        name,
        WidgetSpec {
            size: size.into(),
            replicas: None,
            note: None,
        },
    )
}

fn api_err(e: kube::Error) -> kube::core::Status {
    match e {
        kube::Error::Api(s) => *s,
        other => panic!("expected an API error, got {other:?}"),
    }
}

async fn within<F: std::future::Future>(f: F) -> F::Output {
    tokio::time::timeout(T, f).await.expect("timed out")
}

#[tokio::test]
async fn crud_over_http() {
    let (_s, h, client) = start().await;
    within(async {
        let api: Api<Widget> = Api::namespaced(client.clone(), "default");
        let created = api.create(&PostParams::default(), &widget("a", "small")).await.unwrap();
        assert_eq!(created.metadata.generation, Some(1));
        assert!(created.metadata.uid.is_some());
        assert!(created.metadata.creation_timestamp.is_some());
        assert_eq!(created.spec.replicas, Some(1), "defaulted by the schema");
        let rv1: u64 = created.metadata.resource_version.clone().unwrap().parse().unwrap();

        // AlreadyExists.
        let e = api_err(api.create(&PostParams::default(), &widget("a", "small")).await.unwrap_err());
        assert_eq!((e.code, e.reason.as_str()), (409, "AlreadyExists"));
        assert_eq!(e.message, "widgets.example.com \"a\" already exists");

        // NotFound.
        let e = api_err(api.get("nope").await.unwrap_err());
        assert_eq!((e.code, e.reason.as_str()), (404, "NotFound"));
        assert_eq!(e.message, "widgets.example.com \"nope\" not found");

        // Update: generation bumps on spec changes, conflict on a stale RV.
        let mut w = api.get("a").await.unwrap();
        w.spec.note = Some("hello".into());
        let updated = api.replace("a", &PostParams::default(), &w).await.unwrap();
        assert_eq!(updated.metadata.generation, Some(2));
        let rv2: u64 = updated.metadata.resource_version.clone().unwrap().parse().unwrap();
        assert!(rv2 > rv1);
        let e = api_err(api.replace("a", &PostParams::default(), &w).await.unwrap_err());
        assert_eq!((e.code, e.reason.as_str()), (409, "Conflict"));
        assert_eq!(
            e.message,
            "Operation cannot be fulfilled on widgets.example.com \"a\": the object has been modified; please apply your changes to the latest version and try again"
        );

        // Merge patch of labels does not bump generation; of spec does.
        let p = api
            .patch("a", &PatchParams::default(), &Patch::Merge(json!({"metadata": {"labels": {"tier": "web"}}})))
            .await
            .unwrap();
        assert_eq!(p.metadata.generation, Some(2));
        assert_eq!(p.metadata.labels.unwrap()["tier"], "web");
        let p = api
            .patch("a", &PatchParams::default(), &Patch::Merge(json!({"spec": {"size": "large"}})))
            .await
            .unwrap();
        assert_eq!((p.spec.size.as_str(), p.metadata.generation), ("large", Some(3)));

        // JSON patch, including a failing test op (422).
        let jp: json_patch::Patch = serde_json::from_value(json!([
            {"op": "replace", "path": "/spec/replicas", "value": 4}
        ]))
        .unwrap();
        let p = api.patch("a", &PatchParams::default(), &Patch::<()>::Json(jp)).await.unwrap();
        assert_eq!(p.spec.replicas, Some(4));
        let jp: json_patch::Patch =
            serde_json::from_value(json!([{"op": "test", "path": "/spec/replicas", "value": 5}])).unwrap();
        let e = api_err(api.patch("a", &PatchParams::default(), &Patch::<()>::Json(jp)).await.unwrap_err());
        assert_eq!(e.code, 422);

        // A no-op write keeps the resourceVersion.
        let before = api.get("a").await.unwrap();
        let same = api.replace("a", &PostParams::default(), &before).await.unwrap();
        assert_eq!(same.metadata.resource_version, before.metadata.resource_version);

        // Strategic merge patch: 415 for custom resources.
        let e = api_err(
            api.patch("a", &PatchParams::default(), &Patch::Strategic(json!({"spec": {"note": "x"}})))
                .await
                .unwrap_err(),
        );
        assert_eq!((e.code, e.reason.as_str()), (415, "UnsupportedMediaType"));

        // Validation: 422 with causes.
        let mut bad = widget("bad", "medium");
        bad.spec.replicas = Some(-1);
        let e = api_err(api.create(&PostParams::default(), &bad).await.unwrap_err());
        assert_eq!((e.code, e.reason.as_str()), (422, "Invalid"));
        assert_eq!(
            e.message,
            "Widget.example.com \"bad\" is invalid: [spec.replicas: Invalid value: -1: spec.replicas in body should be greater than or equal to 0, spec.size: Unsupported value: \"medium\": supported values: \"small\", \"large\", .spec.replicas: Invalid value: -1: should be a non-negative integer]",
            "schema errors, then the scale subresource's check of specReplicasPath (as kube-apiserver)"
        );
        let causes = e.details.unwrap().causes;
        let fields: Vec<&str> = causes.iter().map(|c| c.field.as_str()).collect();
        // Properties are validated in name order (the real server's order is unspecified).
        assert_eq!(fields, ["spec.replicas", "spec.size", ".spec.replicas"]);
        let e = api_err(api.create(&PostParams::default(), &widget("Bad_Name", "small")).await.unwrap_err());
        assert!(e.message.contains("metadata.name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain"), "{}", e.message);

        // dryRun=All stores nothing.
        let dry = api.create(&PostParams { dry_run: true, ..Default::default() }, &widget("dry", "small")).await.unwrap();
        assert_eq!(dry.metadata.name.as_deref(), Some("dry"));
        assert!(api.get_opt("dry").await.unwrap().is_none());

        // generateName.
        let mut g = widget("", "small");
        g.metadata.name = None;
        g.metadata.generate_name = Some("gen-".into());
        let g = api.create(&PostParams::default(), &g).await.unwrap();
        let n = g.metadata.name.unwrap();
        assert!(n.starts_with("gen-") && n.len() == 9, "{n}");

        // Delete without finalizers: a Status of success.
        let r = api.delete("a", &DeleteParams::default()).await.unwrap();
        assert!(r.is_right(), "{r:?}");
        assert!(api.get_opt("a").await.unwrap().is_none());
        let e = api_err(api.delete("a", &DeleteParams::default()).await.unwrap_err());
        assert_eq!(e.code, 404);
    })
    .await;
    h.shutdown().await;
}

#[tokio::test]
async fn cluster_scoped_kind_and_preserve_unknown_fields() {
    let (_s, h, client) = start().await;
    within(async {
        let api: Api<Gadget> = Api::all(client.clone());
        let raw: Api<kube::api::DynamicObject> = Api::all_with(
            client.clone(),
            &kube::api::ApiResource::erase::<Gadget>(&()),
        );
        let obj: kube::api::DynamicObject = serde_json::from_value(json!({
            "apiVersion": "example.com/v1", "kind": "Gadget",
            "metadata": {"name": "g", "namespace": "ignored"},
            "spec": {"color": "red", "colour": "dropped", "extra": {"anything": {"goes": [1, 2]}}},
            "unknownTop": 1
        }))
        .unwrap();
        let created = raw.create(&PostParams::default(), &obj).await.unwrap();
        assert_eq!(created.metadata.namespace, None);
        assert_eq!(
            created.data["spec"],
            json!({"color": "red", "extra": {"anything": {"goes": [1, 2]}}})
        );
        assert!(created.data.get("unknownTop").is_none());
        let g = api.get("g").await.unwrap();
        assert_eq!(g.spec.unwrap().color.as_deref(), Some("red"));

        // fieldValidation=Strict rejects unknown fields.
        let strict = PostParams {
            field_manager: None,
            dry_run: false,
        };
        let _ = strict;
        let mut o2 = obj.clone();
        o2.metadata.name = Some("g2".into());
        let req = http::Request::post("/apis/example.com/v1/gadgets?fieldValidation=Strict")
            .header("content-type", "application/json")
            .body(serde_json::to_vec(&o2).unwrap())
            .unwrap();
        let e = api_err(client.request::<Value>(req).await.unwrap_err());
        assert_eq!(e.code, 400);
        assert_eq!(
            e.message,
            "Gadget in version \"v1\" cannot be handled as a Gadget: strict decoding error: unknown field \"spec.colour\", unknown field \"unknownTop\""
        );
    })
    .await;
    h.shutdown().await;
}

#[tokio::test]
async fn malformed_bodies_are_400() {
    let (_s, h, client) = start().await;
    within(async {
        let req = http::Request::post("/apis/example.com/v1/namespaces/default/widgets")
            .header("content-type", "application/json")
            .body(b"{not json".to_vec())
            .unwrap();
        let e = api_err(client.request::<Value>(req).await.unwrap_err());
        assert_eq!((e.code, e.reason.as_str()), (400, "BadRequest"));
        let req = http::Request::get(
            "/apis/example.com/v1/namespaces/default/widgets?labelSelector=a%20in%20(",
        )
        .body(vec![])
        .unwrap();
        let e = api_err(client.request::<Value>(req).await.unwrap_err());
        assert_eq!(e.code, 400);
        let req = http::Request::get("/apis/example.com/v9/widgets")
            .body(vec![])
            .unwrap();
        let e = api_err(client.request::<Value>(req).await.unwrap_err());
        assert_eq!(e.code, 404);
    })
    .await;
    h.shutdown().await;
}

#[tokio::test]
async fn server_side_apply() {
    let (_s, h, client) = start().await;
    within(async {
        let api: Api<Widget> = Api::namespaced(client.clone(), "default");
        let cfg = json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "ap"},
                         "spec": {"size": "small", "note": "n1"}});
        let w = api.patch("ap", &PatchParams::apply("alice"), &Patch::Apply(&cfg)).await.unwrap();
        assert_eq!(w.spec.note.as_deref(), Some("n1"));
        let mf = w.metadata.managed_fields.unwrap();
        assert_eq!(mf[0].manager.as_deref(), Some("alice"));
        assert_eq!(mf[0].operation.as_deref(), Some("Apply"));

        // fieldManager is required (PatchOptions validation).
        let req = http::Request::patch("/apis/example.com/v1/namespaces/default/widgets/ap")
            .header("content-type", "application/apply-patch+yaml")
            .body(b"apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: ap\n".to_vec())
            .unwrap();
        let e = api_err(client.request::<Value>(req).await.unwrap_err());
        assert_eq!(e.code, 422);
        assert_eq!(
            e.message,
            "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch"
        );

        // Another manager changing alice's field conflicts, unless forced.
        let cfg2 = json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "ap"},
                          "spec": {"size": "small", "note": "n2"}});
        let e = api_err(api.patch("ap", &PatchParams::apply("bob"), &Patch::Apply(&cfg2)).await.unwrap_err());
        assert_eq!((e.code, e.reason.as_str()), (409, "Conflict"));
        assert!(e.message.starts_with("Apply failed with 1 conflict: conflict with \"alice\""), "{}", e.message);
        let w = api.patch("ap", &PatchParams::apply("bob").force(), &Patch::Apply(&cfg2)).await.unwrap();
        assert_eq!(w.spec.note.as_deref(), Some("n2"));

        // A YAML body; dropping a field alice alone owned removes it.
        let yaml = "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: ap\nspec:\n  size: small\n  replicas: 3\n";
        let req = http::Request::patch("/apis/example.com/v1/namespaces/default/widgets/ap?fieldManager=carol")
            .header("content-type", "application/apply-patch+yaml")
            .body(yaml.as_bytes().to_vec())
            .unwrap();
        let v: Value = client.request(req).await.unwrap();
        assert_eq!(v["spec"]["replicas"], 3);
        let w = api
            .patch(
                "ap",
                &PatchParams::apply("carol"),
                &Patch::Apply(&json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "ap"}, "spec": {"size": "small"}})),
            )
            .await
            .unwrap();
        // replicas was carol's alone: removed, then defaulted again by the schema.
        assert_eq!(w.spec.replicas, Some(1));
        assert_eq!(w.spec.note.as_deref(), Some("n2"), "bob still owns note");
    })
    .await;
    h.shutdown().await;
}

#[tokio::test]
async fn status_and_scale_subresources() {
    let (_s, h, client) = start().await;
    within(async {
        let api: Api<Widget> = Api::namespaced(client.clone(), "default");
        let mut w = widget("s", "small");
        w.status = Some(WidgetStatus {
            phase: Some("Ignored".into()),
            ..Default::default()
        });
        let w = api.create(&PostParams::default(), &w).await.unwrap();
        assert_eq!(
            w.status, None,
            "status is dropped on create with the status subresource"
        );

        // Status update takes only .status.
        let mut s = w.clone();
        s.status = Some(WidgetStatus {
            replicas: Some(2),
            selector: Some("app=s".into()),
            phase: Some("Ready".into()),
        });
        s.spec.note = Some("ignored".into());
        s.metadata.labels = Some(BTreeMap::from([("ignored".to_owned(), "yes".to_owned())]));
        let s = api
            .replace_status("s", &PostParams::default(), &s)
            .await
            .unwrap();
        assert_eq!(s.status.as_ref().unwrap().phase.as_deref(), Some("Ready"));
        assert_eq!(s.spec.note, None);
        assert_eq!(s.metadata.labels, None);
        assert_eq!(
            s.metadata.generation,
            Some(1),
            "status writes do not bump generation"
        );

        // Main-resource writes ignore .status.
        let p = api
            .patch(
                "s",
                &PatchParams::default(),
                &Patch::Merge(json!({"status": {"phase": "Hacked"}, "spec": {"note": "x"}})),
            )
            .await
            .unwrap();
        assert_eq!(p.status.as_ref().unwrap().phase.as_deref(), Some("Ready"));
        assert_eq!(p.metadata.generation, Some(2));
        let p = api
            .patch_status(
                "s",
                &PatchParams::default(),
                &Patch::Merge(json!({"status": {"phase": "Done"}})),
            )
            .await
            .unwrap();
        assert_eq!(p.status.unwrap().phase.as_deref(), Some("Done"));

        // Scale.
        let sc = api.get_scale("s").await.unwrap();
        assert_eq!(sc.spec.as_ref().unwrap().replicas, Some(1));
        assert_eq!(sc.status.as_ref().unwrap().replicas, 2);
        assert_eq!(
            sc.status.as_ref().unwrap().selector.as_deref(),
            Some("app=s")
        );
        let mut sc2 = sc.clone();
        sc2.spec.as_mut().unwrap().replicas = Some(5);
        let sc3 = api
            .replace_scale("s", &PostParams::default(), &sc2)
            .await
            .unwrap();
        assert_eq!(sc3.spec.unwrap().replicas, Some(5));
        let w = api.get("s").await.unwrap();
        assert_eq!(w.spec.replicas, Some(5));
        assert_eq!(w.metadata.generation, Some(3));
        // Stale scale resourceVersion conflicts.
        let e = api_err(
            api.replace_scale("s", &PostParams::default(), &sc2)
                .await
                .unwrap_err(),
        );
        assert_eq!(e.code, 409);
        let sc4 = api
            .patch_scale(
                "s",
                &PatchParams::default(),
                &Patch::Merge(json!({"spec": {"replicas": 7}})),
            )
            .await
            .unwrap();
        assert_eq!(sc4.spec.unwrap().replicas, Some(7));

        // Gadget has no subresources: 404.
        let g: Api<Gadget> = Api::all(client.clone());
        let e = api_err(g.get_status("x").await.unwrap_err());
        assert_eq!(e.code, 404);
    })
    .await;
    h.shutdown().await;
}

#[tokio::test]
async fn finalizers_and_delete_collection() {
    let (_s, h, client) = start().await;
    within(async {
        let api: Api<Widget> = Api::namespaced(client.clone(), "default");
        let mut w = widget("f", "small");
        w.metadata.finalizers = Some(vec!["example.com/hold".into()]);
        let w = api.create(&PostParams::default(), &w).await.unwrap();
        let rv = w.metadata.resource_version.clone().unwrap();
        let mut events = api
            .watch(&WatchParams::default().timeout(10), &rv)
            .await
            .unwrap()
            .boxed();

        let r = api.delete("f", &DeleteParams::default()).await.unwrap();
        let deleting = r.left().expect("object kept while finalizers remain");
        assert!(deleting.metadata.deletion_timestamp.is_some());
        assert_eq!(deleting.metadata.deletion_grace_period_seconds, Some(0));
        assert_eq!(deleting.metadata.generation, Some(2));
        // No new finalizers while deleting.
        let e = api_err(
            api.patch(
                "f",
                &PatchParams::default(),
                &Patch::Merge(json!({"metadata": {"finalizers": ["example.com/hold", "other"]}})),
            )
            .await
            .unwrap_err(),
        );
        assert_eq!(e.code, 422);
        assert!(
            e.message
                .contains("no new finalizers can be added if the object is being deleted"),
            "{}",
            e.message
        );
        // Removing the last finalizer deletes.
        api.patch(
            "f",
            &PatchParams::default(),
            &Patch::Merge(json!({"metadata": {"finalizers": null}})),
        )
        .await
        .unwrap();
        assert!(api.get_opt("f").await.unwrap().is_none());
        let mut types = Vec::new();
        while types.len() < 2 {
            match events.try_next().await.unwrap() {
                Some(WatchEvent::Modified(_)) => types.push("MODIFIED"),
                Some(WatchEvent::Deleted(_)) => types.push("DELETED"),
                Some(WatchEvent::Bookmark(_)) => {}
                other => panic!("unexpected {other:?}"),
            }
        }
        assert_eq!(types, ["MODIFIED", "DELETED"]);

        // Preconditions.
        let x = api
            .create(&PostParams::default(), &widget("x", "small"))
            .await
            .unwrap();
        let dp = DeleteParams {
            preconditions: Some(kube::api::Preconditions {
                uid: Some("wrong".into()),
                resource_version: None,
            }),
            ..Default::default()
        };
        let e = api_err(api.delete("x", &dp).await.unwrap_err());
        assert_eq!(e.code, 409);
        assert!(
            e.message
                .contains("Precondition failed: UID in precondition: wrong"),
            "{}",
            e.message
        );
        let dp = DeleteParams {
            preconditions: Some(kube::api::Preconditions {
                uid: x.metadata.uid.clone(),
                resource_version: None,
            }),
            ..Default::default()
        };
        api.delete("x", &dp).await.unwrap();

        // delete_collection with a label selector.
        for (n, tier) in [("c1", "web"), ("c2", "web"), ("c3", "db")] {
            let mut w = widget(n, "small");
            w.metadata.labels = Some(BTreeMap::from([("tier".to_owned(), tier.to_owned())]));
            api.create(&PostParams::default(), &w).await.unwrap();
        }
        let deleted = api
            .delete_collection(
                &DeleteParams::default(),
                &ListParams::default().labels("tier=web"),
            )
            .await
            .unwrap();
        let deleted = deleted.left().unwrap();
        assert_eq!(deleted.items.len(), 2);
        let left: Vec<String> = api
            .list(&ListParams::default())
            .await
            .unwrap()
            .items
            .into_iter()
            .map(|w| w.metadata.name.unwrap())
            .collect();
        assert_eq!(left, ["c3"]);
    })
    .await;
    h.shutdown().await;
}

#[tokio::test]
async fn selectors_and_paging() {
    let (_s, h, client) = start().await;
    within(async {
        let ns_a: Api<Widget> = Api::namespaced(client.clone(), "a");
        let ns_b: Api<Widget> = Api::namespaced(client.clone(), "b");
        for i in 0..7 {
            let mut w = widget(&format!("w{i}"), "small");
            let tier = if i % 2 == 0 { "web" } else { "db" };
            w.metadata.labels = Some(BTreeMap::from([("tier".to_owned(), tier.to_owned())]));
            ns_a.create(&PostParams::default(), &w).await.unwrap();
        }
        ns_b.create(&PostParams::default(), &widget("other", "large"))
            .await
            .unwrap();
        let all: Api<Widget> = Api::all(client.clone());
        assert_eq!(
            all.list(&ListParams::default()).await.unwrap().items.len(),
            8
        );
        assert_eq!(
            ns_a.list(&ListParams::default().labels("tier=web"))
                .await
                .unwrap()
                .items
                .len(),
            4
        );
        assert_eq!(
            ns_a.list(&ListParams::default().labels("tier in (db,x)"))
                .await
                .unwrap()
                .items
                .len(),
            3
        );
        assert_eq!(
            all.list(&ListParams::default().labels("!tier"))
                .await
                .unwrap()
                .items
                .len(),
            1
        );
        let by_name = all
            .list(&ListParams::default().fields("metadata.name=w3"))
            .await
            .unwrap();
        assert_eq!(by_name.items.len(), 1);
        let by_ns = all
            .list(&ListParams::default().fields("metadata.namespace=b"))
            .await
            .unwrap();
        assert_eq!(by_ns.items[0].metadata.name.as_deref(), Some("other"));
        let e = api_err(
            all.list(&ListParams::default().fields("spec.size=small"))
                .await
                .unwrap_err(),
        );
        assert_eq!(e.code, 400);
        assert_eq!(e.message, "field label not supported: spec.size");

        // Paging: consistent snapshot across pages.
        let p1 = ns_a.list(&ListParams::default().limit(3)).await.unwrap();
        assert_eq!(p1.items.len(), 3);
        assert_eq!(p1.metadata.remaining_item_count, Some(4));
        let token = p1.metadata.continue_.clone().unwrap();
        ns_a.create(&PostParams::default(), &widget("w9", "small"))
            .await
            .unwrap();
        ns_a.delete("w6", &DeleteParams::default()).await.unwrap();
        let p2 = ns_a
            .list(&ListParams::default().limit(3).continue_token(&token))
            .await
            .unwrap();
        let p3 = ns_a
            .list(
                &ListParams::default()
                    .limit(3)
                    .continue_token(p2.metadata.continue_.as_deref().unwrap()),
            )
            .await
            .unwrap();
        let names: Vec<String> = p1
            .items
            .iter()
            .chain(&p2.items)
            .chain(&p3.items)
            .map(|w| w.metadata.name.clone().unwrap())
            .collect();
        assert_eq!(names, ["w0", "w1", "w2", "w3", "w4", "w5", "w6"]);
        assert!(p3.metadata.continue_.as_deref().unwrap_or("").is_empty());
        assert_eq!(p2.metadata.resource_version, p1.metadata.resource_version);

        // An expired continue token: 410.
        _s.tracker().compact();
        let e = api_err(
            ns_a.list(&ListParams::default().limit(3).continue_token(&token))
                .await
                .unwrap_err(),
        );
        assert_eq!((e.code, e.reason.as_str()), (410, "Expired"));
    })
    .await;
    h.shutdown().await;
}

#[tokio::test]
async fn watch_from_resource_version_with_bookmarks_and_gone() {
    let (s, h, client) = start().await;
    within(async {
        let api: Api<Widget> = Api::namespaced(client.clone(), "default");
        api.create(&PostParams::default(), &widget("before", "small"))
            .await
            .unwrap();
        let rv = api
            .list(&ListParams::default())
            .await
            .unwrap()
            .metadata
            .resource_version
            .unwrap();
        api.create(&PostParams::default(), &widget("w", "small"))
            .await
            .unwrap();
        api.patch(
            "w",
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"note": "n"}})),
        )
        .await
        .unwrap();
        api.delete("w", &DeleteParams::default()).await.unwrap();

        let mut stream = api
            .watch(&WatchParams::default().timeout(10), &rv)
            .await
            .unwrap()
            .boxed();
        let mut seen = Vec::new();
        let mut bookmark_rv = None;
        while bookmark_rv.is_none() {
            match stream.try_next().await.unwrap().expect("stream ended") {
                WatchEvent::Added(w) => seen.push(format!("ADDED {}", w.metadata.name.unwrap())),
                WatchEvent::Modified(w) => {
                    seen.push(format!("MODIFIED {}", w.metadata.name.unwrap()))
                }
                WatchEvent::Deleted(w) => {
                    seen.push(format!("DELETED {}", w.metadata.name.unwrap()))
                }
                WatchEvent::Bookmark(b) => bookmark_rv = Some(b.metadata.resource_version),
                WatchEvent::Error(e) => panic!("{e:?}"),
            }
        }
        assert_eq!(seen, ["ADDED w", "MODIFIED w", "DELETED w"]);
        assert_eq!(
            bookmark_rv.unwrap(),
            s.tracker().resource_version().to_string()
        );

        // A watch with a label selector sees objects entering and leaving it.
        let mut sel = api
            .watch(
                &WatchParams::default().labels("tier=web").timeout(10),
                &s.tracker().resource_version().to_string(),
            )
            .await
            .unwrap()
            .boxed();
        api.patch(
            "before",
            &PatchParams::default(),
            &Patch::Merge(json!({"metadata": {"labels": {"tier": "web"}}})),
        )
        .await
        .unwrap();
        api.patch(
            "before",
            &PatchParams::default(),
            &Patch::Merge(json!({"metadata": {"labels": {"tier": "db"}}})),
        )
        .await
        .unwrap();
        assert!(matches!(
            sel.try_next().await.unwrap(),
            Some(WatchEvent::Added(_))
        ));
        assert!(matches!(
            sel.try_next().await.unwrap(),
            Some(WatchEvent::Deleted(_))
        ));

        // After compaction, an old resourceVersion is 410 Gone.
        s.tracker().compact();
        let mut gone = api
            .watch(&WatchParams::default(), &rv)
            .await
            .unwrap()
            .boxed();
        match gone.try_next().await {
            Ok(Some(WatchEvent::Error(e))) => {
                assert_eq!((e.code, e.reason.as_str()), (410, "Expired"))
            }
            Err(kube::Error::Api(e)) => assert_eq!(e.code, 410),
            other => panic!("expected 410, got {other:?}"),
        }

        // Streaming list: initial events then the annotated bookmark.
        let mut sl = api
            .watch(&WatchParams::streaming_lists().timeout(10), "")
            .await
            .unwrap()
            .boxed();
        let mut added = 0;
        loop {
            match sl.try_next().await.unwrap().unwrap() {
                WatchEvent::Added(_) => added += 1,
                WatchEvent::Bookmark(b) => {
                    assert_eq!(
                        b.metadata
                            .annotations
                            .get("k8s.io/initial-events-end")
                            .map(String::as_str),
                        Some("true")
                    );
                    break;
                }
                other => panic!("unexpected {other:?}"),
            }
        }
        assert_eq!(added, 1);

        // timeoutSeconds ends the stream.
        let mut short = api
            .watch(
                &WatchParams::default().timeout(1),
                &s.tracker().resource_version().to_string(),
            )
            .await
            .unwrap()
            .boxed();
        while let Some(ev) = short.try_next().await.unwrap() {
            let _ = ev;
        }
    })
    .await;
    h.shutdown().await;
}

#[tokio::test]
async fn restart_mid_watch() {
    let (s, h, client) = start().await;
    let addr = h.addr();
    let h = within(async {
        let api: Api<Widget> = Api::namespaced(client.clone(), "default");
        api.create(&PostParams::default(), &widget("a", "small"))
            .await
            .unwrap();
        let rv = api
            .list(&ListParams::default())
            .await
            .unwrap()
            .metadata
            .resource_version
            .unwrap();
        let mut stream = api
            .watch(&WatchParams::default().timeout(60), &rv)
            .await
            .unwrap()
            .boxed();
        let h = h.restart().await.unwrap();
        assert_eq!(h.addr(), addr);
        // The watch is cut.
        loop {
            match stream.next().await {
                None | Some(Err(_)) => break,
                Some(Ok(WatchEvent::Bookmark(_))) => {}
                Some(Ok(other)) => panic!("unexpected {other:?}"),
            }
        }
        // State survived; a re-watch from the last RV sees what happened meanwhile.
        let client2 = h.client().unwrap();
        let api2: Api<Widget> = Api::namespaced(client2, "default");
        assert!(api2.get("a").await.is_ok());
        api2.create(&PostParams::default(), &widget("b", "small"))
            .await
            .unwrap();
        let mut again = api2
            .watch(&WatchParams::default().timeout(10), &rv)
            .await
            .unwrap()
            .boxed();
        match again.try_next().await.unwrap() {
            Some(WatchEvent::Added(w)) => assert_eq!(w.metadata.name.as_deref(), Some("b")),
            other => panic!("unexpected {other:?}"),
        }
        let _ = s;
        h
    })
    .await;
    h.shutdown().await;
}

async fn converge(store: &reflector::Store<Widget>, want: &[&str]) {
    let deadline = tokio::time::Instant::now() + T;
    loop {
        let mut names: Vec<String> = store
            .state()
            .iter()
            .map(|w| w.metadata.name.clone().unwrap())
            .collect();
        names.sort();
        if names == want {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "store never converged: {names:?} != {want:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn runtime_watcher_converges_after_restart() {
    tokio::time::timeout(
        Duration::from_secs(60),
        watcher_converges_after_restart(false),
    )
    .await
    .expect("timed out");
}

#[tokio::test]
async fn runtime_watcher_streaming_list_converges_after_restart() {
    tokio::time::timeout(
        Duration::from_secs(60),
        watcher_converges_after_restart(true),
    )
    .await
    .expect("timed out");
}

async fn watcher_converges_after_restart(streaming: bool) {
    let (s, h, client) = start().await;
    // The watcher's client keeps the URL, so the server comes back on the same port.
    let addr = h.addr();
    let api: Api<Widget> = Api::namespaced(client.clone(), "default");
    for n in ["a", "b", "c"] {
        api.create(&PostParams::default(), &widget(n, "small"))
            .await
            .unwrap();
    }
    let (store, writer) = reflector::store();
    let mut cfg = watcher::Config::default().timeout(30);
    if streaming {
        cfg = cfg.streaming_lists();
    }
    let stream = reflector(writer, watcher(api.clone(), cfg))
        .default_backoff()
        .applied_objects();
    let task = tokio::spawn(async move {
        futures::pin_mut!(stream);
        while stream.next().await.is_some() {}
    });
    converge(&store, &["a", "b", "c"]).await;

    // Down: the state changes behind the watcher's back and history is compacted,
    // so it must relist after the restart.
    h.shutdown().await;
    let gvr = Gvr::of::<Widget>();
    s.tracker()
        .delete(&gvr, Some("default"), "a", &Default::default())
        .unwrap();
    let d = serde_json::to_value(widget("d", "large")).unwrap();
    s.tracker()
        .create(&gvr, Some("default"), d, &WriteOptions::default())
        .unwrap();
    s.tracker().compact();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let h = s.serve(addr).await.unwrap();
    converge(&store, &["b", "c", "d"]).await;
    api.create(&PostParams::default(), &widget("e", "small"))
        .await
        .unwrap();
    converge(&store, &["b", "c", "d", "e"]).await;
    task.abort();
    h.shutdown().await;
}

#[tokio::test]
async fn discovery_documents() {
    let (_s, h, client) = start().await;
    within(async {
        let v = client.apiserver_version().await.unwrap();
        assert_eq!((v.major.as_str(), v.minor.as_str()), ("1", "36"));
        let groups = client.list_api_groups().await.unwrap();
        let g = groups.groups.iter().find(|g| g.name == "example.com").unwrap();
        assert_eq!(g.preferred_version.as_ref().unwrap().group_version, "example.com/v1");
        let rl = client.list_api_group_resources("example.com/v1").await.unwrap();
        let names: Vec<&str> = rl.resources.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["gadgets", "widgets", "widgets/status", "widgets/scale"]);
        let w = rl.resources.iter().find(|r| r.name == "widgets").unwrap();
        assert_eq!(w.short_names.as_deref(), Some(&["wd".to_owned()][..]));
        assert!(w.namespaced);
        assert_eq!(w.singular_name, "widget");

        // kube's discovery finds the kinds.
        let d = kube::Discovery::new(client.clone()).run().await.unwrap();
        let (ar, caps) = d.get("example.com").unwrap().recommended_kind("Widget").unwrap();
        assert_eq!(ar.plural, "widgets");
        assert_eq!(caps.scope, kube::discovery::Scope::Namespaced);

        // Aggregated discovery.
        let req = http::Request::get("/apis")
            .header("accept", "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json")
            .body(vec![])
            .unwrap();
        let v: Value = client.request(req).await.unwrap();
        assert_eq!(v["kind"], "APIGroupDiscoveryList");
        let example = v["items"].as_array().unwrap().iter().find(|g| g["metadata"]["name"] == "example.com").unwrap();
        assert_eq!(example["versions"][0]["resources"][1]["subresources"][1]["subresource"], "scale");
        // CRDs themselves are served too.
        assert!(v["items"].as_array().unwrap().iter().any(|g| g["metadata"]["name"] == "apiextensions.k8s.io"));
    })
    .await;
    h.shutdown().await;
}

#[tokio::test]
async fn in_process_client_and_fake() {
    let s = server();
    let client = s.client();
    let api: Api<Widget> = Api::namespaced(client.clone(), "default");
    within(async {
        api.create(&PostParams::default(), &widget("inproc", "small"))
            .await
            .unwrap();
        let mut st = api
            .watch(&WatchParams::default().timeout(5), "0")
            .await
            .unwrap()
            .boxed();
        assert!(matches!(
            st.try_next().await.unwrap(),
            Some(WatchEvent::Added(_))
        ));
    })
    .await;

    let fake = FakeClient::with_crds([serde_json::from_str(WIDGET_CRD).unwrap()]).unwrap();
    // Seeding bypasses validation.
    let seeded = fake.add(&widget("seeded", "gigantic")).unwrap();
    assert!(seeded.metadata.resource_version.is_some());
    let api: Api<Widget> = Api::namespaced(fake.client(), "default");
    within(async {
        assert_eq!(api.get("seeded").await.unwrap().spec.size, "gigantic");
        api.create(&PostParams::default(), &widget("made", "small"))
            .await
            .unwrap();
        api.patch(
            "made",
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"note": "n"}})),
        )
        .await
        .unwrap();
        api.patch_status(
            "made",
            &PatchParams::default(),
            &Patch::Merge(json!({"status": {"phase": "x"}})),
        )
        .await
        .unwrap();
    })
    .await;
    let actions: Vec<(String, Option<String>, Option<String>)> = fake
        .actions()
        .into_iter()
        .map(|a| (a.verb, a.name, a.subresource))
        .collect();
    assert_eq!(
        actions,
        [
            ("get".to_owned(), Some("seeded".to_owned()), None),
            ("create".to_owned(), Some("made".to_owned()), None),
            ("patch".to_owned(), Some("made".to_owned()), None),
            (
                "patch".to_owned(),
                Some("made".to_owned()),
                Some("status".to_owned())
            ),
        ]
    );
    fake.clear_actions();
    assert!(fake.actions().is_empty());
}
