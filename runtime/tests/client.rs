//! `ResourceClient` against a mock API server: every verb's method, path, query, content
//! type and body, realistic responses, and the mapping of error `Status` bodies.
mod common;

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex};

use common::{Gadget, GadgetSpec, Widget, WidgetSpec, WidgetStatus};
use crdgen_runtime::apply::ApplyParams;
use crdgen_runtime::client::{
    AllNamespaces, DeleteParams, DeleteResponse, ListParams, Patch, PatchParams, PostParams,
    ResourceClient, Scale, WatchEvent, WatchParams,
};
use crdgen_runtime::error::Error;
use futures::TryStreamExt;
use serde_json::{Value, json};

// ---------------------------------------------------------------------------------------
// Mock API server
// ---------------------------------------------------------------------------------------

/// A request as the mock saw it.
#[derive(Debug, Clone)]
struct Recorded {
    method: String,
    path: String,
    query: BTreeMap<String, String>,
    content_type: Option<String>,
    body: Option<Value>,
}

/// A scripted response.
enum Reply {
    Json(u16, Value),
    Raw(u16, &'static str, String),
    /// The transport fails (no HTTP response at all).
    Fail,
}

type Log = Arc<Mutex<Vec<Recorded>>>;

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
                out.push(u8::from_str_radix(hex, 16).unwrap());
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).unwrap()
}

/// A `kube::Client` whose every request is recorded and answered from `replies` in order.
fn mock(replies: Vec<Reply>) -> (kube::Client, Log) {
    let log: Log = Arc::default();
    let replies = Arc::new(Mutex::new(VecDeque::from(replies)));
    let svc_log = log.clone();
    let service = tower::service_fn(move |req: http::Request<kube::client::Body>| {
        let log = svc_log.clone();
        let replies = replies.clone();
        async move {
            let (parts, body) = req.into_parts();
            let bytes = body.collect_bytes().await.unwrap();
            let query = parts
                .uri
                .query()
                .unwrap_or("")
                .split('&')
                .filter(|kv| !kv.is_empty())
                .map(|kv| {
                    let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
                    (percent_decode(k), percent_decode(v))
                })
                .collect();
            log.lock().unwrap().push(Recorded {
                method: parts.method.to_string(),
                path: parts.uri.path().to_owned(),
                query,
                content_type: parts
                    .headers
                    .get(http::header::CONTENT_TYPE)
                    .map(|v| v.to_str().unwrap().to_owned()),
                body: (!bytes.is_empty()).then(|| serde_json::from_slice(&bytes).unwrap()),
            });
            let reply = replies
                .lock()
                .unwrap()
                .pop_front()
                .expect("more requests than scripted replies");
            let (code, ctype, text) = match reply {
                Reply::Json(code, v) => (code, "application/json", v.to_string()),
                Reply::Raw(code, ctype, text) => (code, ctype, text),
                Reply::Fail => {
                    return Err::<_, std::io::Error>(std::io::Error::other("connection reset"));
                }
            };
            Ok(http::Response::builder()
                .status(code)
                .header(http::header::CONTENT_TYPE, ctype)
                .body(kube::client::Body::from(text.into_bytes()))
                .unwrap())
        }
    });
    (kube::Client::new(service, "default"), log)
}

fn requests(log: &Log) -> Vec<Recorded> {
    log.lock().unwrap().clone()
}

fn q(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn status(code: u16, reason: &str, message: &str, name: &str) -> Value {
    json!({
        "kind": "Status", "apiVersion": "v1", "metadata": {},
        "status": "Failure", "message": message, "reason": reason,
        "details": {"name": name, "group": "example.com", "kind": "widgets"},
        "code": code
    })
}

const NS_URL: &str = "/apis/example.com/v1/namespaces/ns/widgets";

fn widget_json(name: &str, rv: &str) -> Value {
    json!({
        "apiVersion": "example.com/v1", "kind": "Widget",
        "metadata": {"name": name, "namespace": "ns", "resourceVersion": rv, "uid": format!("uid-{name}"), "generation": 1},
        "spec": {"size": "small", "replicas": 2},
        "status": {"replicas": 2, "phase": "Ready"}
    })
}

fn widget_list(names: &[&str], rv: &str, cont: Option<&str>) -> Value {
    let mut meta = json!({"resourceVersion": rv});
    if let Some(c) = cont {
        meta["continue"] = json!(c);
        meta["remainingItemCount"] = json!(7);
    }
    json!({
        "apiVersion": "example.com/v1", "kind": "WidgetList", "metadata": meta,
        "items": names.iter().map(|n| widget_json(n, "5")).collect::<Vec<_>>()
    })
}

fn widgets(replies: Vec<Reply>) -> (ResourceClient<Widget>, Log) {
    let (client, log) = mock(replies);
    (ResourceClient::namespaced(client, "ns"), log)
}

fn new_widget(name: &str) -> Widget {
    Widget::new(
        name,
        WidgetSpec {
            size: "small".into(),
            replicas: Some(2),
            note: None,
        },
    )
}

// ---------------------------------------------------------------------------------------
// get / get_opt
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn get_decodes_the_object() {
    let (c, log) = widgets(vec![Reply::Json(200, widget_json("a", "7"))]);
    let w = c.get("a").await.unwrap();
    assert_eq!(w.metadata.name.as_deref(), Some("a"));
    assert_eq!(w.metadata.resource_version.as_deref(), Some("7"));
    assert_eq!(w.spec.replicas, Some(2));
    assert_eq!(w.status.unwrap().phase.as_deref(), Some("Ready"));
    let r = &requests(&log)[0];
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        ("GET", "/apis/example.com/v1/namespaces/ns/widgets/a")
    );
    assert!(r.query.is_empty());
    assert!(r.body.is_none());
}

#[tokio::test]
async fn get_not_found_keeps_the_status() {
    let (c, _) = widgets(vec![Reply::Json(
        404,
        status(404, "NotFound", "widgets.example.com \"a\" not found", "a"),
    )]);
    let err = c.get("a").await.unwrap_err();
    assert!(err.is_not_found());
    assert!(!err.is_conflict() && !err.is_gone() && !err.is_invalid());
    assert_eq!(err.code(), Some(404));
    assert_eq!(err.reason(), Some("NotFound"));
    let st = err.status().unwrap();
    assert_eq!(st.message, "widgets.example.com \"a\" not found");
    assert_eq!(st.details.as_ref().unwrap().name, "a");
    assert_eq!(
        err.to_string(),
        "API error 404 (NotFound): widgets.example.com \"a\" not found"
    );
}

#[tokio::test]
async fn get_opt_maps_404_to_none_and_keeps_other_errors() {
    let (c, log) = widgets(vec![
        Reply::Json(404, status(404, "NotFound", "not found", "a")),
        Reply::Json(200, widget_json("b", "3")),
        Reply::Json(
            403,
            status(
                403,
                "Forbidden",
                "widgets is forbidden: User \"x\" cannot get",
                "c",
            ),
        ),
        // A proxy answering with plain text: the code still comes through.
        Reply::Raw(503, "text/plain", "upstream unavailable".into()),
    ]);
    assert!(c.get_opt("a").await.unwrap().is_none());
    assert_eq!(
        c.get_opt("b")
            .await
            .unwrap()
            .unwrap()
            .metadata
            .name
            .as_deref(),
        Some("b")
    );
    let err = c.get_opt("c").await.unwrap_err();
    assert!(err.is_forbidden());
    let err = c.get_opt("d").await.unwrap_err();
    assert_eq!(err.code(), Some(503));
    assert_eq!(err.status().unwrap().message, "upstream unavailable");
    assert_eq!(requests(&log).len(), 4);
}

#[tokio::test]
async fn transport_failure_is_a_kube_error_without_status() {
    let (c, _) = widgets(vec![Reply::Fail]);
    let err = c.get("a").await.unwrap_err();
    assert!(matches!(err, Error::Kube(_)), "{err:?}");
    assert!(err.status().is_none() && err.code().is_none() && !err.is_not_found());
}

#[tokio::test]
async fn undecodable_body_is_a_kube_serde_error() {
    let (c, _) = widgets(vec![Reply::Json(
        200,
        json!({"apiVersion": "example.com/v1", "kind": "Widget", "spec": {"size": 5}}),
    )]);
    let err = c.get("a").await.unwrap_err();
    assert!(
        matches!(err, Error::Kube(kube::Error::SerdeError(_))),
        "{err:?}"
    );
}

// ---------------------------------------------------------------------------------------
// list / list_all
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn list_passes_selectors_and_paging() {
    let (c, log) = widgets(vec![Reply::Json(
        200,
        widget_list(&["a", "b"], "10", Some("tok")),
    )]);
    let lp = ListParams::default()
        .labels("app=demo,tier!=db")
        .fields("metadata.name=a")
        .limit(2);
    let list = c.list(&lp).await.unwrap();
    assert_eq!(list.items.len(), 2);
    assert_eq!(list.metadata.resource_version.as_deref(), Some("10"));
    assert_eq!(list.metadata.continue_.as_deref(), Some("tok"));
    let r = &requests(&log)[0];
    assert_eq!((r.method.as_str(), r.path.as_str()), ("GET", NS_URL));
    assert_eq!(
        r.query,
        q(&[
            ("labelSelector", "app=demo,tier!=db"),
            ("fieldSelector", "metadata.name=a"),
            ("limit", "2")
        ])
    );
}

#[tokio::test]
async fn list_all_follows_continue_tokens() {
    let (c, log) = widgets(vec![
        Reply::Json(200, widget_list(&["a", "b"], "100", Some("page2"))),
        Reply::Json(200, widget_list(&["c", "d"], "100", Some("page3"))),
        Reply::Json(200, widget_list(&["e"], "100", None)),
    ]);
    let all = c
        .list_all(&ListParams::default().labels("app=demo"))
        .await
        .unwrap();
    let names: Vec<_> = all
        .items
        .iter()
        .map(|w| w.metadata.name.clone().unwrap())
        .collect();
    assert_eq!(names, ["a", "b", "c", "d", "e"]);
    assert_eq!(all.metadata.resource_version.as_deref(), Some("100"));
    assert_eq!(all.metadata.continue_, None);
    assert_eq!(all.metadata.remaining_item_count, None);
    let reqs = requests(&log);
    assert_eq!(reqs.len(), 3);
    assert_eq!(
        reqs[0].query,
        q(&[("labelSelector", "app=demo"), ("limit", "500")])
    );
    assert_eq!(
        reqs[1].query,
        q(&[
            ("labelSelector", "app=demo"),
            ("limit", "500"),
            ("continue", "page2")
        ])
    );
    assert_eq!(
        reqs[2].query,
        q(&[
            ("labelSelector", "app=demo"),
            ("limit", "500"),
            ("continue", "page3")
        ])
    );
    assert!(reqs.iter().all(|r| r.method == "GET" && r.path == NS_URL));
}

#[tokio::test]
async fn list_all_keeps_the_callers_page_size_and_drops_rv_on_continue() {
    let (c, log) = widgets(vec![
        Reply::Json(200, widget_list(&["a"], "9", Some("p2"))),
        Reply::Json(200, widget_list(&["b"], "9", None)),
    ]);
    let lp = ListParams::default()
        .limit(1)
        .at("5")
        .matching(kube::api::VersionMatch::NotOlderThan);
    let all = c.list_all(&lp).await.unwrap();
    assert_eq!(all.items.len(), 2);
    let reqs = requests(&log);
    assert_eq!(
        reqs[0].query,
        q(&[
            ("limit", "1"),
            ("resourceVersion", "5"),
            ("resourceVersionMatch", "NotOlderThan")
        ])
    );
    assert_eq!(reqs[1].query, q(&[("limit", "1"), ("continue", "p2")]));
}

#[tokio::test]
async fn list_all_falls_back_to_a_full_list_when_the_token_expires() {
    let expired = json!({
        "kind": "Status", "apiVersion": "v1", "metadata": {"continue": "new-token"},
        "status": "Failure", "reason": "Expired", "code": 410,
        "message": "The provided continue parameter is too old to display a consistent list result."
    });
    let (c, log) = widgets(vec![
        Reply::Json(200, widget_list(&["a"], "1", Some("old"))),
        Reply::Json(410, expired),
        Reply::Json(200, widget_list(&["a", "b", "c"], "2", None)),
    ]);
    let all = c.list_all(&ListParams::default()).await.unwrap();
    assert_eq!(all.items.len(), 3);
    assert_eq!(all.metadata.resource_version.as_deref(), Some("2"));
    let reqs = requests(&log);
    assert_eq!(reqs[1].query, q(&[("limit", "500"), ("continue", "old")]));
    assert!(
        reqs[2].query.is_empty(),
        "full list without paging: {:?}",
        reqs[2].query
    );
}

#[tokio::test]
async fn list_all_stops_on_other_errors_and_on_a_repeated_token() {
    let (c, _) = widgets(vec![
        Reply::Json(200, widget_list(&["a"], "1", Some("t"))),
        Reply::Json(500, status(500, "InternalError", "etcd down", "")),
    ]);
    let err = c.list_all(&ListParams::default()).await.unwrap_err();
    assert_eq!(err.code(), Some(500));

    let (c, log) = widgets(vec![
        Reply::Json(200, widget_list(&["a"], "1", Some("t"))),
        Reply::Json(200, widget_list(&["b"], "1", Some("t"))),
    ]);
    let err = c.list_all(&ListParams::default()).await.unwrap_err();
    assert!(err.to_string().contains("same continue token"), "{err}");
    assert_eq!(requests(&log).len(), 2);
}

#[tokio::test]
async fn all_namespaces_client_lists_cluster_wide() {
    let (client, log) = mock(vec![Reply::Json(200, widget_list(&["a"], "4", None))]);
    let c: ResourceClient<Widget, AllNamespaces> = ResourceClient::all(client.clone());
    let _same = ResourceClient::<Widget>::all(client);
    assert_eq!(c.namespace(), None);
    let list = c.list_all(&ListParams::default()).await.unwrap();
    assert_eq!(list.items.len(), 1);
    assert_eq!(requests(&log)[0].path, "/apis/example.com/v1/widgets");
}

// ---------------------------------------------------------------------------------------
// create / update
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn create_posts_the_serialized_object() {
    let (c, log) = widgets(vec![Reply::Json(201, widget_json("a", "1"))]);
    let pp = PostParams {
        dry_run: true,
        field_manager: Some("me".into()),
    };
    let created = c.create(&pp, &new_widget("a")).await.unwrap();
    assert_eq!(created.metadata.uid.as_deref(), Some("uid-a"));
    let r = &requests(&log)[0];
    assert_eq!((r.method.as_str(), r.path.as_str()), ("POST", NS_URL));
    assert_eq!(r.query, q(&[("dryRun", "All"), ("fieldManager", "me")]));
    assert_eq!(r.content_type.as_deref(), Some("application/json"));
    assert_eq!(
        r.body.as_ref().unwrap(),
        &json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "a"}, "spec": {"size": "small", "replicas": 2}})
    );
}

#[tokio::test]
async fn create_conflicts_and_validation_errors_are_distinguished() {
    let invalid = json!({
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": "Widget.example.com \"a\" is invalid: spec.size: Unsupported value: \"huge\"",
        "reason": "Invalid", "code": 422,
        "details": {"name": "a", "group": "example.com", "kind": "Widget", "causes": [
            {"reason": "FieldValueNotSupported", "message": "Unsupported value: \"huge\"", "field": "spec.size"}
        ]}
    });
    let (c, _) = widgets(vec![
        Reply::Json(
            409,
            status(
                409,
                "AlreadyExists",
                "widgets.example.com \"a\" already exists",
                "a",
            ),
        ),
        Reply::Json(422, invalid),
    ]);
    let err = c
        .create(&PostParams::default(), &new_widget("a"))
        .await
        .unwrap_err();
    assert!(err.is_already_exists());
    assert!(
        !err.is_conflict(),
        "AlreadyExists is not an update conflict"
    );
    assert_eq!(err.code(), Some(409));

    let err = c
        .create(&PostParams::default(), &new_widget("a"))
        .await
        .unwrap_err();
    assert!(err.is_invalid());
    let causes = &err.status().unwrap().details.as_ref().unwrap().causes;
    assert_eq!(causes[0].field, "spec.size");
}

#[tokio::test]
async fn update_puts_to_the_objects_name() {
    let (c, log) = widgets(vec![
        Reply::Json(200, widget_json("a", "8")),
        Reply::Json(
            409,
            status(
                409,
                "Conflict",
                "Operation cannot be fulfilled on widgets.example.com \"a\": the object has been modified",
                "a",
            ),
        ),
    ]);
    let mut w = new_widget("a");
    w.metadata.resource_version = Some("7".into());
    let updated = c.update(&PostParams::default(), &w).await.unwrap();
    assert_eq!(updated.metadata.resource_version.as_deref(), Some("8"));
    let err = c.update(&PostParams::default(), &w).await.unwrap_err();
    assert!(err.is_conflict() && !err.is_already_exists());

    let reqs = requests(&log);
    assert_eq!(
        (reqs[0].method.as_str(), reqs[0].path.as_str()),
        ("PUT", "/apis/example.com/v1/namespaces/ns/widgets/a")
    );
    assert_eq!(reqs[0].content_type.as_deref(), Some("application/json"));
    assert_eq!(
        reqs[0].body.as_ref().unwrap()["metadata"]["resourceVersion"],
        "7"
    );
}

#[tokio::test]
async fn update_without_a_name_fails_before_sending() {
    let (c, log) = widgets(vec![]);
    let w = Widget::default();
    let err = c.update(&PostParams::default(), &w).await.unwrap_err();
    assert!(
        matches!(err, Error::MissingName { kind: "Widget" }),
        "{err:?}"
    );
    assert_eq!(err.to_string(), "Widget object has no metadata.name");
    assert!(requests(&log).is_empty());
}

// ---------------------------------------------------------------------------------------
// delete / delete_collection
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn delete_returns_the_object_or_the_status() {
    let mut finalizing = widget_json("a", "9");
    finalizing["metadata"]["deletionTimestamp"] = json!("2024-01-01T00:00:00Z");
    finalizing["metadata"]["finalizers"] = json!(["example.com/cleanup"]);
    let success = json!({
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success",
        "details": {"name": "b", "group": "example.com", "kind": "widgets", "uid": "uid-b"}
    });
    let (c, log) = widgets(vec![
        Reply::Json(200, finalizing),
        Reply::Json(200, success),
        Reply::Json(200, widget_json("c", "10")),
        Reply::Json(404, status(404, "NotFound", "not found", "d")),
    ]);
    let res = c.delete("a", &DeleteParams::foreground()).await.unwrap();
    assert!(res.is_finalizing());
    assert_eq!(
        res.object().unwrap().metadata.finalizers.as_ref().unwrap()[0],
        "example.com/cleanup"
    );

    let res = c.delete("b", &DeleteParams::default()).await.unwrap();
    assert!(matches!(&res, DeleteResponse::Status(s) if s.is_success()));
    assert_eq!(res.status().unwrap().details.as_ref().unwrap().uid, "uid-b");
    assert!(!res.is_finalizing() && res.object().is_none());

    let res = c
        .delete("c", &DeleteParams::default().grace_period(0))
        .await
        .unwrap();
    assert!(!res.is_finalizing());
    assert_eq!(
        res.into_object().unwrap().metadata.name.as_deref(),
        Some("c")
    );

    assert!(
        c.delete("d", &DeleteParams::default())
            .await
            .unwrap_err()
            .is_not_found()
    );

    let reqs = requests(&log);
    assert_eq!(
        (reqs[0].method.as_str(), reqs[0].path.as_str()),
        ("DELETE", "/apis/example.com/v1/namespaces/ns/widgets/a")
    );
    assert_eq!(reqs[0].content_type.as_deref(), Some("application/json"));
    assert_eq!(
        reqs[0].body.as_ref().unwrap()["propagationPolicy"],
        "Foreground"
    );
    assert_eq!(reqs[2].body.as_ref().unwrap()["gracePeriodSeconds"], 0);
}

#[tokio::test]
async fn delete_collection_uses_the_selectors() {
    let (c, log) = widgets(vec![Reply::Json(200, widget_list(&["a", "b"], "11", None))]);
    let res = c
        .delete_collection(
            &DeleteParams::background(),
            &ListParams::default().labels("app=demo"),
        )
        .await
        .unwrap();
    assert_eq!(res.object().unwrap().items.len(), 2);
    let r = &requests(&log)[0];
    assert_eq!((r.method.as_str(), r.path.as_str()), ("DELETE", NS_URL));
    assert_eq!(r.query, q(&[("labelSelector", "app=demo")]));
    assert_eq!(r.body.as_ref().unwrap()["propagationPolicy"], "Background");
}

// ---------------------------------------------------------------------------------------
// patch / apply
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn patch_sends_each_patch_type_with_its_content_type() {
    let unsupported = json!({
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml",
        "reason": "UnsupportedMediaType", "code": 415
    });
    let (c, log) = widgets(vec![
        Reply::Json(200, widget_json("a", "2")),
        Reply::Json(200, widget_json("a", "3")),
        Reply::Json(415, unsupported),
    ]);
    let merge = json!({"spec": {"replicas": 3, "note": null}});
    c.patch("a", &PatchParams::default(), &Patch::Merge(&merge))
        .await
        .unwrap();

    let ops: json_patch::Patch = serde_json::from_value(json!([
        {"op": "test", "path": "/metadata/resourceVersion", "value": "2"},
        {"op": "replace", "path": "/spec/size", "value": "large"}
    ]))
    .unwrap();
    c.patch("a", &PatchParams::default(), &Patch::Json::<()>(ops))
        .await
        .unwrap();

    let err = c
        .patch(
            "a",
            &PatchParams::default(),
            &Patch::Strategic(json!({"spec": {"replicas": 1}})),
        )
        .await
        .unwrap_err();
    assert!(err.is_unsupported_media_type(), "{err:?}");
    assert_eq!(err.code(), Some(415));

    let reqs = requests(&log);
    let url = "/apis/example.com/v1/namespaces/ns/widgets/a";
    assert!(reqs.iter().all(|r| r.method == "PATCH" && r.path == url));
    assert_eq!(
        reqs[0].content_type.as_deref(),
        Some("application/merge-patch+json")
    );
    assert_eq!(reqs[0].body.as_ref().unwrap(), &merge);
    assert_eq!(
        reqs[1].content_type.as_deref(),
        Some("application/json-patch+json")
    );
    assert_eq!(
        reqs[1].body.as_ref().unwrap()[1],
        json!({"op": "replace", "path": "/spec/size", "value": "large"})
    );
    assert_eq!(
        reqs[2].content_type.as_deref(),
        Some("application/strategic-merge-patch+json")
    );
}

#[tokio::test]
async fn apply_is_a_server_side_apply_patch() {
    let (c, log) = widgets(vec![
        Reply::Json(200, widget_json("a", "4")),
        Reply::Json(200, widget_json("a", "5")),
        Reply::Json(
            409,
            status(
                409,
                "Conflict",
                "Apply failed with 1 conflict: conflict with \"other\": .spec.size",
                "a",
            ),
        ),
    ]);
    let intent = json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "a"}, "spec": {"size": "large"}});
    c.apply(&intent, &ApplyParams::new("ctrl").force())
        .await
        .unwrap();
    c.apply(&new_widget("a"), &ApplyParams::new("ctrl"))
        .await
        .unwrap();
    let err = c
        .apply(&intent, &ApplyParams::new("ctrl"))
        .await
        .unwrap_err();
    assert!(err.is_conflict());
    // Refused before sending: no field manager, no name.
    let err = c.apply(&intent, &ApplyParams::new("")).await.unwrap_err();
    assert!(matches!(err, Error::MissingFieldManager), "{err}");
    let nameless = json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {}});
    let err = c
        .apply(&nameless, &ApplyParams::new("ctrl"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::MissingName { .. }), "{err}");

    let reqs = requests(&log);
    assert_eq!(
        (reqs[0].method.as_str(), reqs[0].path.as_str()),
        ("PATCH", "/apis/example.com/v1/namespaces/ns/widgets/a")
    );
    assert_eq!(
        reqs[0].content_type.as_deref(),
        Some("application/apply-patch+yaml")
    );
    assert_eq!(
        reqs[0].query,
        q(&[("fieldManager", "ctrl"), ("force", "true")])
    );
    assert_eq!(reqs[0].body.as_ref().unwrap(), &intent);
    assert_eq!(reqs[1].query, q(&[("fieldManager", "ctrl")]));
    assert_eq!(reqs[1].body.as_ref().unwrap()["kind"], "Widget");
    assert_eq!(reqs[1].body.as_ref().unwrap()["spec"]["size"], "small");
}

// ---------------------------------------------------------------------------------------
// status subresource
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn status_verbs_target_the_status_subresource() {
    let (c, log) = widgets(vec![
        Reply::Json(200, widget_json("a", "1")),
        Reply::Json(200, widget_json("a", "2")),
        Reply::Json(200, widget_json("a", "3")),
        Reply::Json(200, widget_json("a", "4")),
    ]);
    let got = c.get_status("a").await.unwrap();
    let mut w = got.clone();
    w.status = Some(WidgetStatus {
        replicas: Some(3),
        selector: None,
        phase: Some("Scaling".into()),
    });
    c.update_status(&PostParams::default(), &w).await.unwrap();
    let patch = json!({"status": {"phase": "Ready"}});
    c.patch_status("a", &PatchParams::default(), &Patch::Merge(&patch))
        .await
        .unwrap();
    let status_intent = json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "a"}, "status": {"phase": "Ready"}});
    c.apply_status(&status_intent, &ApplyParams::new("ctrl").force())
        .await
        .unwrap();

    let reqs = requests(&log);
    let url = "/apis/example.com/v1/namespaces/ns/widgets/a/status";
    assert!(reqs.iter().all(|r| r.path == url), "{reqs:#?}");
    let methods: Vec<_> = reqs.iter().map(|r| r.method.as_str()).collect();
    assert_eq!(methods, ["GET", "PUT", "PATCH", "PATCH"]);
    assert_eq!(reqs[1].body.as_ref().unwrap()["status"]["phase"], "Scaling");
    assert_eq!(
        reqs[1].body.as_ref().unwrap()["metadata"]["resourceVersion"],
        "1"
    );
    assert_eq!(
        reqs[2].content_type.as_deref(),
        Some("application/merge-patch+json")
    );
    assert_eq!(reqs[2].body.as_ref().unwrap(), &patch);
    assert_eq!(
        reqs[3].content_type.as_deref(),
        Some("application/apply-patch+yaml")
    );
    assert_eq!(
        reqs[3].query,
        q(&[("fieldManager", "ctrl"), ("force", "true")])
    );
}

// ---------------------------------------------------------------------------------------
// scale subresource
// ---------------------------------------------------------------------------------------

fn scale_json(replicas: i32, rv: &str) -> Value {
    json!({
        "kind": "Scale", "apiVersion": "autoscaling/v1",
        "metadata": {"name": "a", "namespace": "ns", "resourceVersion": rv},
        "spec": {"replicas": replicas},
        "status": {"replicas": 2, "selector": "app=demo"}
    })
}

#[tokio::test]
async fn scale_verbs_target_the_scale_subresource() {
    let (c, log) = widgets(vec![
        Reply::Json(200, scale_json(2, "1")),
        Reply::Json(200, scale_json(4, "2")),
        Reply::Json(200, scale_json(5, "3")),
    ]);
    let scale: Scale = c.get_scale("a").await.unwrap();
    assert_eq!(scale.spec.as_ref().unwrap().replicas, Some(2));
    assert_eq!(
        scale.status.as_ref().unwrap().selector.as_deref(),
        Some("app=demo")
    );

    let mut wanted = scale.clone();
    wanted.spec.as_mut().unwrap().replicas = Some(4);
    let updated = c
        .update_scale("a", &PostParams::default(), &wanted)
        .await
        .unwrap();
    assert_eq!(updated.spec.unwrap().replicas, Some(4));

    let patch = json!({"spec": {"replicas": 5}});
    let patched = c
        .patch_scale("a", &PatchParams::default(), &Patch::Merge(&patch))
        .await
        .unwrap();
    assert_eq!(patched.spec.unwrap().replicas, Some(5));

    let reqs = requests(&log);
    let url = "/apis/example.com/v1/namespaces/ns/widgets/a/scale";
    assert!(reqs.iter().all(|r| r.path == url));
    let methods: Vec<_> = reqs.iter().map(|r| r.method.as_str()).collect();
    assert_eq!(methods, ["GET", "PUT", "PATCH"]);
    assert_eq!(reqs[1].body.as_ref().unwrap()["spec"]["replicas"], 4);
    assert_eq!(reqs[1].body.as_ref().unwrap()["kind"], "Scale");
    assert_eq!(
        reqs[2].content_type.as_deref(),
        Some("application/merge-patch+json")
    );
}

// ---------------------------------------------------------------------------------------
// cluster-scoped kinds
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn cluster_scoped_kind_uses_cluster_urls() {
    let gadget = json!({"apiVersion": "example.com/v1", "kind": "Gadget", "metadata": {"name": "g", "resourceVersion": "1"}, "spec": {"color": "red"}});
    let (client, log) = mock(vec![
        Reply::Json(200, gadget.clone()),
        Reply::Json(201, gadget.clone()),
        Reply::Json(
            200,
            json!({"apiVersion": "example.com/v1", "kind": "GadgetList", "metadata": {"resourceVersion": "1"}, "items": [gadget]}),
        ),
    ]);
    let c: ResourceClient<Gadget> = ResourceClient::cluster(client);
    assert_eq!(c.namespace(), None);
    assert_eq!(c.api().resource_url(), "/apis/example.com/v1/gadgets");
    let g = c.get("g").await.unwrap();
    assert_eq!(g.spec.unwrap().color.as_deref(), Some("red"));
    let new = Gadget {
        metadata: kube::core::ObjectMeta {
            name: Some("g".into()),
            ..Default::default()
        },
        spec: Some(GadgetSpec {
            color: Some("red".into()),
            extra: None,
        }),
    };
    c.create(&PostParams::default(), &new).await.unwrap();
    assert_eq!(c.list(&ListParams::default()).await.unwrap().items.len(), 1);
    let paths: Vec<_> = requests(&log)
        .into_iter()
        .map(|r| (r.method, r.path))
        .collect();
    assert_eq!(
        paths,
        [
            (
                "GET".to_owned(),
                "/apis/example.com/v1/gadgets/g".to_owned()
            ),
            ("POST".to_owned(), "/apis/example.com/v1/gadgets".to_owned()),
            ("GET".to_owned(), "/apis/example.com/v1/gadgets".to_owned()),
        ]
    );
}

// ---------------------------------------------------------------------------------------
// watch
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn watch_streams_typed_events() {
    let events = [
        json!({"type": "ADDED", "object": widget_json("a", "21")}),
        json!({"type": "MODIFIED", "object": widget_json("a", "22")}),
        json!({"type": "BOOKMARK", "object": {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"resourceVersion": "23"}}}),
        json!({"type": "DELETED", "object": widget_json("a", "24")}),
        json!({"type": "ERROR", "object": {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": "too old resource version: 20 (25)", "reason": "Expired", "code": 410}}),
    ];
    let body: String = events.iter().map(|e| format!("{e}\n")).collect();
    let (c, log) = widgets(vec![Reply::Raw(200, "application/json", body)]);
    let stream = c
        .watch(&WatchParams::default().labels("app=demo").timeout(30), "20")
        .await
        .unwrap();
    let got: Vec<WatchEvent<Widget>> = stream.try_collect().await.unwrap();
    assert_eq!(got.len(), 5);
    assert!(
        matches!(&got[0], WatchEvent::Added(w) if w.metadata.resource_version.as_deref() == Some("21"))
    );
    assert!(matches!(&got[1], WatchEvent::Modified(w) if w.spec.size == "small"));
    assert!(matches!(&got[2], WatchEvent::Bookmark(b) if b.metadata.resource_version == "23"));
    assert!(matches!(&got[3], WatchEvent::Deleted(w) if w.metadata.name.as_deref() == Some("a")));
    match &got[4] {
        WatchEvent::Error(status) => {
            let err = Error::from(status.clone());
            assert!(err.is_gone());
            assert_eq!(err.code(), Some(410));
        }
        other => panic!("expected an error event, got {other:?}"),
    }

    let r = &requests(&log)[0];
    assert_eq!((r.method.as_str(), r.path.as_str()), ("GET", NS_URL));
    assert_eq!(
        r.query,
        q(&[
            ("watch", "true"),
            ("labelSelector", "app=demo"),
            ("timeoutSeconds", "30"),
            ("allowWatchBookmarks", "true"),
            ("resourceVersion", "20"),
        ])
    );
}

#[tokio::test]
async fn watch_errors_map_to_error() {
    // The initial request is refused.
    let (c, _) = widgets(vec![Reply::Json(
        403,
        status(403, "Forbidden", "cannot watch", ""),
    )]);
    let err = c.watch(&WatchParams::default(), "0").await.err().unwrap();
    assert!(err.is_forbidden());

    // A bare Status line mid-stream, then a line that is not an event.
    let body = format!(
        "{}\n{}\n{}\n",
        json!({"type": "ADDED", "object": widget_json("a", "1")}),
        json!({"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "Expired", "code": 410, "message": "gone"}),
        json!({"type": "ADDED", "object": {"apiVersion": "example.com/v1", "kind": "Widget", "spec": {"size": 1}}}),
    );
    let (c, _) = widgets(vec![Reply::Raw(200, "application/json", body)]);
    let items: Vec<_> = c
        .watch(&WatchParams::default(), "0")
        .await
        .unwrap()
        .collect::<Vec<_>>()
        .await;
    assert_eq!(items.len(), 3);
    assert!(matches!(items[0], Ok(WatchEvent::Added(_))));
    assert!(items[1].as_ref().unwrap_err().is_gone());
    // kube reads any undecodable JSON line as a (blank) Status: still an error item.
    assert!(items[2].is_err(), "{:?}", items[2]);
}

use futures::StreamExt as _;

// ---------------------------------------------------------------------------------------
// construction
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn constructors_pick_the_url_and_namespace() {
    let (client, _) = mock(vec![]);
    let c: ResourceClient<Widget> = ResourceClient::namespaced(client.clone(), "team-a");
    assert_eq!(c.namespace(), Some("team-a"));
    assert_eq!(
        c.api().resource_url(),
        "/apis/example.com/v1/namespaces/team-a/widgets"
    );
    let d: ResourceClient<Widget> = ResourceClient::default_namespaced(client.clone());
    assert_eq!(d.namespace(), Some("default"));
    let e = ResourceClient::<Widget>::from_api(kube::Api::namespaced(client, "x"));
    assert_eq!(
        e.clone().into_api().resource_url(),
        "/apis/example.com/v1/namespaces/x/widgets"
    );
    assert!(format!("{e:?}").contains("/namespaces/x/widgets"));
}
