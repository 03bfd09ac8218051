//! Unknown fields inside a `status` the main resource may not write are still named
//! (strict error, Warn headers): kube-apiserver decodes and prunes the whole body
//! before the strategy drops (create) or restores (update) `status`.
//!
//! Held to kube-apiserver v1.36.2: the corpus truth for
//! `opentelemetry-operator/ClusterObservability_010` (`CRDGEN_CORPUS_DIR`, else
//! `../shared/corpus` beside the workspace) and the recordings `prune-unknown-strict`
//! step 1 / `prune-unknown-warn` step 1 (`status.unknownStatus` named on a create of a
//! kind with the status subresource) and `status-subresource` step 12 (the same wording
//! on `PUT /status`).
#![cfg(feature = "server")]

mod common;

use std::path::PathBuf;
use std::time::Duration;

use common::WIDGET_CRD;
use crdgen_runtime::server::ApiServer;
use crdgen_runtime::tracker::{FieldValidation, Gvr, Subresource, Tracker, WriteOptions};
use serde_json::{Value, json};

const OBJECT: &str = "objects/opentelemetry-operator/ClusterObservability_010.yaml";
const CRD: &str = "crds/opentelemetry-operator/opentelemetry.io_clusterobservabilities.yaml";

/// `CRDGEN_CORPUS_DIR`, else `../shared/corpus`, else the repository's vendored subset
/// (`tests/corpus/data`, which holds this object, its CRD and its truth).
fn corpus_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("CRDGEN_CORPUS_DIR") {
        return PathBuf::from(d);
    }
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let shared = here.join("../../shared/corpus");
    if shared.is_dir() {
        shared
    } else {
        here.join("../tests/corpus/data")
    }
}

fn read(rel: &str) -> String {
    let p = corpus_dir().join(rel);
    std::fs::read_to_string(&p)
        .unwrap_or_else(|e| panic!("{}: {e} (set CRDGEN_CORPUS_DIR)", p.display()))
}

/// The server's recorded answer for `file` in `truth/objects.tsv` (outcome, message).
fn truth(file: &str) -> (String, String) {
    let tsv = read("truth/objects.tsv");
    let line = tsv
        .lines()
        .find(|l| l.split('\t').next() == Some(file))
        .unwrap_or_else(|| panic!("truth/objects.tsv has no line for {file}"));
    let mut cols = line.split('\t').skip(1);
    let outcome = cols.next().unwrap_or_default().to_owned();
    (outcome, cols.next().unwrap_or_default().to_owned())
}

async fn send(
    client: &kube::Client,
    method: http::Method,
    uri: &str,
    ctype: &str,
    body: Vec<u8>,
) -> Result<Value, kube::Error> {
    let req = http::Request::builder()
        .method(method)
        .uri(uri)
        .header("content-type", ctype)
        .body(body)
        .unwrap();
    client.request::<Value>(req).await
}

#[tokio::test]
async fn corpus_status_with_unknown_field_is_refused_under_strict_as_recorded() {
    let (outcome, message) = truth(OBJECT);
    assert_eq!(outcome, "error", "the server refused {OBJECT}: {message}");
    // kubectl's text around the Status message: `Error from server (BadRequest): error
    // when creating "<file>": <message>`.
    let server_said = message
        .split_once(&format!("error when creating \"{OBJECT}\": "))
        .map(|(_, m)| m)
        .unwrap_or_else(|| panic!("unexpected truth line: {message}"));

    let s = ApiServer::builder().build().unwrap();
    let h = s.serve("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let client = h.client().unwrap();
    tokio::time::timeout(Duration::from_secs(20), async {
        send(
            &client,
            http::Method::POST,
            "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
            "application/yaml",
            read(CRD).into_bytes(),
        )
        .await
        .expect("the corpus CRD installs");
        // Namespaced: kubectl sent it to its default namespace.
        let uri = "/apis/opentelemetry.io/v1alpha1/namespaces/default/clusterobservabilities";
        let obj = read(OBJECT).into_bytes();
        let err = send(
            &client,
            http::Method::POST,
            &format!("{uri}?fieldValidation=Strict"),
            "application/yaml",
            obj.clone(),
        )
        .await
        .expect_err("kube-apiserver refused it under Strict");
        match err {
            kube::Error::Api(s) => {
                assert_eq!(s.code, 400);
                assert_eq!(s.reason, "BadRequest");
                assert_eq!(s.message, server_said);
            }
            e => panic!("not a Status: {e}"),
        }
        // Lenient: stored without status (the status subresource's strategy).
        let v = send(
            &client,
            http::Method::POST,
            &format!("{uri}?fieldValidation=Ignore"),
            "application/yaml",
            obj,
        )
        .await
        .unwrap();
        assert!(v.get("status").is_none(), "{v}");
    })
    .await
    .expect("timed out");
    h.shutdown().await;
}

fn tracker() -> Tracker {
    let t = Tracker::new();
    t.register_crd(&serde_json::from_str(WIDGET_CRD).unwrap())
        .unwrap();
    t
}

fn widgets() -> Gvr {
    Gvr::new("example.com", "v1", "widgets")
}

fn opts(field_validation: FieldValidation) -> WriteOptions {
    WriteOptions {
        field_validation,
        ..WriteOptions::default()
    }
}

fn widget(name: &str, rv: Option<&Value>) -> Value {
    let mut o = json!({"apiVersion": "example.com/v1", "kind": "Widget",
        "metadata": {"name": name}, "spec": {"size": "small"},
        "status": {"phase": "Running", "bogus": 1}});
    if let Some(rv) = rv {
        o["metadata"]["resourceVersion"] = rv.clone();
    }
    o
}

const STRICT: &str = "Widget in version \"v1\" cannot be handled as a Widget: strict decoding error: unknown field \"status.bogus\"";

#[test]
fn create_names_unknown_fields_of_the_status_it_drops() {
    let t = tracker();
    let e = t
        .create(
            &widgets(),
            Some("default"),
            widget("a", None),
            &opts(FieldValidation::Strict),
        )
        .unwrap_err();
    assert_eq!((e.code, e.message()), (400, STRICT));
    let r = t
        .create(
            &widgets(),
            Some("default"),
            widget("a", None),
            &opts(FieldValidation::Warn),
        )
        .unwrap();
    assert_eq!(r.warnings, ["unknown field \"status.bogus\""]);
    assert!(r.object.get("status").is_none(), "{}", r.object);
}

#[test]
fn update_names_unknown_fields_of_the_status_it_restores() {
    let t = tracker();
    let created = t
        .create(
            &widgets(),
            Some("default"),
            widget("u", None),
            &opts(FieldValidation::Ignore),
        )
        .unwrap()
        .object;
    let rv = &created["metadata"]["resourceVersion"];
    // PUT on the main resource: status is the old one, its unknown field still named.
    let e = t
        .update(
            &widgets(),
            Some("default"),
            "u",
            widget("u", Some(rv)),
            Subresource::None,
            &opts(FieldValidation::Strict),
        )
        .unwrap_err();
    assert_eq!((e.code, e.message()), (400, STRICT));
    let r = t
        .update(
            &widgets(),
            Some("default"),
            "u",
            widget("u", Some(rv)),
            Subresource::None,
            &opts(FieldValidation::Warn),
        )
        .unwrap();
    assert_eq!(r.warnings, ["unknown field \"status.bogus\""]);
    assert!(r.object.get("status").is_none(), "{}", r.object);
    // PUT /status: spec is the old one, an unknown field in the body's spec still named.
    let rv = &r.object["metadata"]["resourceVersion"];
    let mut body = widget("u", Some(rv));
    body["spec"]["colour"] = json!("red");
    let e = t
        .update(
            &widgets(),
            Some("default"),
            "u",
            body.clone(),
            Subresource::Status,
            &opts(FieldValidation::Strict),
        )
        .unwrap_err();
    assert_eq!(
        e.message(),
        "Widget in version \"v1\" cannot be handled as a Widget: strict decoding error: unknown field \"spec.colour\", unknown field \"status.bogus\""
    );
    let r = t
        .update(
            &widgets(),
            Some("default"),
            "u",
            body,
            Subresource::Status,
            &opts(FieldValidation::Warn),
        )
        .unwrap();
    assert_eq!(
        r.warnings,
        [
            "unknown field \"spec.colour\"",
            "unknown field \"status.bogus\""
        ]
    );
    assert_eq!(r.object["status"], json!({"phase": "Running"}));
    assert!(r.object["spec"].get("colour").is_none(), "{}", r.object);
}
