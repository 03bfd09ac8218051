//! The in-memory server reads YAML request bodies as the API server does
//! (sigs.k8s.io/yaml, go-yaml v2 rules: crdgen-yaml).
#![cfg(feature = "server")]

mod common;

use std::time::Duration;

use common::WIDGET_CRD;
use crdgen_runtime::server::ApiServer;
use serde_json::Value;

async fn apply(client: &kube::Client, name: &str, yaml: &str) -> Result<Value, kube::Error> {
    let req = http::Request::patch(format!(
        "/apis/example.com/v1/namespaces/default/widgets/{name}?fieldManager=yaml-test"
    ))
    .header("content-type", "application/apply-patch+yaml")
    .body(yaml.as_bytes().to_vec())
    .unwrap();
    client.request::<Value>(req).await
}

#[tokio::test]
async fn apply_bodies_are_read_as_kubectl_reads_yaml() {
    let s = ApiServer::builder()
        .crd(serde_json::from_str(WIDGET_CRD).unwrap())
        .build()
        .unwrap();
    let h = s.serve("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let client = h.client().unwrap();
    tokio::time::timeout(Duration::from_secs(20), async {
        // Octal, a duplicate key (the last wins), a quoted `yes` that stays a string.
        let yaml = "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: y\nspec:\n  size: small\n  replicas: 1\n  replicas: 010\n  note: \"yes\"\n";
        let v = apply(&client, "y", yaml).await.unwrap();
        assert_eq!(v["spec"]["replicas"], 8, "{v}");
        assert_eq!(v["spec"]["note"], "yes", "{v}");
        // A flow sequence closed at its key's column, a tab after a colon.
        let yaml = "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: z\n  finalizers: [\n    \"example.com/f\"\n  ]\nspec:\n  size:\tlarge\n";
        let v = apply(&client, "z", yaml).await.unwrap();
        assert_eq!(v["spec"]["size"], "large", "{v}");
        assert_eq!(v["metadata"]["finalizers"][0], "example.com/f", "{v}");
        // `.inf` has no JSON form: refused, naming the line.
        let yaml = "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\nspec:\n  size: small\n  note: .inf\n";
        match apply(&client, "w", yaml).await.unwrap_err() {
            kube::Error::Api(s) => {
                assert_eq!(s.code, 400);
                assert!(s.message.contains("line 7") && s.message.contains("+Inf"), "{}", s.message);
            }
            other => panic!("expected a 400, got {other:?}"),
        }
    })
    .await
    .expect("timed out");
    h.shutdown().await;
}
