//! A scalar field's Rust type bounds what the server stores: the derive's CRD for
//! `kinds::listener` (`containerPort: u16`, `tiny: i8`, `mark: char`, …) served by the
//! in-memory API server refuses values the type could not decode, with kube-apiserver's
//! wording (recorded in `../shared/apiserver-recordings/recorded/validate-min-max.jsonl`:
//! `spec.replicas in body should be less than or equal to 100`).

use crdgen_derive_tests::kinds::listener::Listener;
use crdgen_runtime::fake::FakeClient;
use crdgen_runtime::kube::Resource;
use crdgen_runtime::kube::api::{Api, ApiResource, DynamicObject, PostParams};
use serde_json::{Value, json};

fn listener(name: &str, spec_changes: Value) -> DynamicObject {
    let mut spec = json!({
        "containerPort": 8080, "tiny": -1, "small": 300, "byte": 7, "count": 1, "total": 2,
        "size": 3, "offset": -4, "index": 5, "workers": 1, "mark": "x",
    });
    for (k, v) in spec_changes.as_object().expect("an object") {
        spec[k] = v.clone();
    }
    serde_json::from_value(json!({
        "apiVersion": "example.com/v1", "kind": "Listener",
        "metadata": {"name": name, "namespace": "default"},
        "spec": spec,
    }))
    .expect("a DynamicObject")
}

/// Create through a real `kube::Client`; `Ok(())` or the server's `(code, message)`.
async fn create(api: &Api<DynamicObject>, obj: &DynamicObject) -> Result<(), (u16, String)> {
    match api.create(&PostParams::default(), obj).await {
        Ok(_) => Ok(()),
        Err(crdgen_runtime::kube::Error::Api(s)) => Err((s.code, s.message.clone())),
        Err(other) => panic!("not a status: {other}"),
    }
}

#[tokio::test]
async fn the_server_refuses_values_outside_the_rust_types_range() {
    let crd = serde_json::to_value(Listener::crd()).expect("a CRD serializes");
    let fake = FakeClient::with_crds([crd]).expect("the derive's CRD is served");
    let api: Api<DynamicObject> = Api::namespaced_with(
        fake.client(),
        "default",
        &ApiResource::erase::<Listener>(&()),
    );

    let refused = [
        (
            "port-high",
            json!({"containerPort": 70000}),
            "spec.containerPort in body should be less than or equal to 65535",
        ),
        (
            "port-negative",
            json!({"containerPort": -5}),
            "spec.containerPort in body should be greater than or equal to 0",
        ),
        (
            "tiny-low",
            json!({"tiny": -129}),
            "spec.tiny in body should be greater than or equal to -128",
        ),
        (
            "small-high",
            json!({"small": 32768}),
            "spec.small in body should be less than or equal to 32767",
        ),
        (
            "byte-high",
            json!({"byte": 256}),
            "spec.byte in body should be less than or equal to 255",
        ),
        (
            "count-high",
            json!({"count": 4294967296_u64}), // Go prints the float64 bound with %v, as the in-memory server does.
            "spec.count in body should be less than or equal to 4.294967295e+09",
        ),
        (
            "total-negative",
            json!({"total": -1}),
            "spec.total in body should be greater than or equal to 0",
        ),
        (
            "workers-zero",
            json!({"workers": 0}),
            "spec.workers in body should be greater than or equal to 1",
        ),
        (
            "retries-zero",
            json!({"retries": 0}),
            "spec.retries in body should be greater than or equal to 1",
        ),
        (
            "mark-two",
            json!({"mark": "ab"}),
            "Too long: may not be more than 1 byte",
        ),
        (
            "mark-empty",
            json!({"mark": ""}),
            "spec.mark in body should be at least 1 chars long",
        ),
        (
            "extra-zero",
            json!({"extraPorts": [80, 0]}),
            "spec.extraPorts[1] in body should be greater than or equal to 1",
        ),
        (
            "extra-high",
            json!({"extraPorts": [65536]}),
            "spec.extraPorts[0] in body should be less than or equal to 65535",
        ),
    ];
    for (name, change, message) in refused {
        let (code, got) = create(&api, &listener(name, change.clone()))
            .await
            .expect_err(&format!("{name}: {change} must be refused"));
        assert_eq!(code, 422, "{name}: {got}");
        assert!(
            got.contains(message),
            "{name}: expected `{message}` in `{got}`"
        );
    }

    // The bounds themselves are stored, and decode into the Rust type.
    let edges = json!({
        "containerPort": 65535, "tiny": -128, "small": 32767, "byte": 255,
        "count": 4294967295_u64, "total": 0, "workers": 4294967295_u64, "mark": "é",
        "retries": 65535, "extraPorts": [1, 65535],
    });
    create(&api, &listener("edges", edges))
        .await
        .expect("the types' bounds are accepted");
    let typed: Api<Listener> = Api::namespaced(fake.client(), "default");
    let got = typed.get("edges").await.expect("decodes into Listener");
    assert_eq!(got.spec.container_port, u16::MAX);
    assert_eq!(got.spec.tiny, i8::MIN);
    assert_eq!(got.spec.mark, 'é');
    assert_eq!(got.spec.retries.map(|r| r.get()), Some(u16::MAX));
    assert_eq!(Listener::kind(&()), "Listener");
}

/// A derive kind validates client side (`Validate`, through the derive's `HasCrd`
/// impl, with the validator compiled from the derive's CRD): a valid listener passes.
#[test]
fn a_derive_kind_validates_as_the_server() {
    use crdgen_runtime::schema::Validate;
    let ok: Listener =
        serde_json::from_value(serde_json::to_value(listener("ok", json!({}))).expect("json"))
            .expect("a Listener");
    assert_eq!(ok.validate(), Ok(()));
}
