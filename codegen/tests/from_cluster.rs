//! `crdgen generate --from-cluster NAME` reads the CRD through the kubeconfig
//! (KUBECONFIG here), from a cluster: the in-memory API server, over HTTP.
#![cfg(feature = "cli")]

use std::process::Command;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn generates_from_a_live_crd() {
    let crd: serde_json::Value = serde_json::from_str(
        r#"{"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": {"name": "pets.example.com"},
            "spec": {"group": "example.com", "names": {"kind": "Pet", "plural": "pets"}, "scope": "Namespaced",
              "versions": [{"name": "v1", "served": true, "storage": true,
                "schema": {"openAPIV3Schema": {"type": "object", "properties": {
                  "spec": {"type": "object", "properties": {"legs": {"type": "integer", "format": "int32"}}}}}}}]}}"#,
    )
    .unwrap();
    let server = crdgen_runtime::server::ApiServer::builder()
        .crd(crd)
        .build()
        .unwrap();
    let handle = server.serve("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let dir = std::env::temp_dir().join(format!("crdgen-from-cluster-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let kubeconfig = dir.join("kubeconfig");
    std::fs::write(&kubeconfig, handle.kubeconfig_yaml()).unwrap();

    let bin = env!("CARGO_BIN_EXE_crdgen");
    let run = |name: &'static str| {
        let kubeconfig = kubeconfig.clone();
        tokio::task::spawn_blocking(move || {
            Command::new(bin)
                .args(["generate", "--from-cluster", name])
                .env("KUBECONFIG", &kubeconfig)
                .env_remove("KUBERNETES_SERVICE_HOST")
                .output()
                .unwrap()
        })
    };
    let out = run("pets.example.com").await.unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("from pets.example.com") && stdout.contains("pub struct PetSpec"),
        "{stdout}"
    );
    assert!(stdout.contains("pub legs: Option<i32>"), "{stdout}");

    let out = run("nothere.example.com").await.unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read CRD `nothere.example.com`"));
    handle.shutdown().await;
    std::fs::remove_dir_all(dir).ok();
}
