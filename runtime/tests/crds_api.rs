//! CustomResourceDefinitions through the in-memory server's API: creating one serves
//! its kind (as on a real server), and the CRDs given at start are readable.
#![cfg(feature = "server")]

mod common;

use crdgen_runtime::server::ApiServer;
use kube::api::{Api, DynamicObject, PostParams};
use kube::core::{ApiResource, GroupVersionKind};
use serde_json::{Value, json};

#[tokio::test]
async fn crds_given_at_start_are_objects_and_new_ones_are_served() {
    let widget_crd: Value = serde_json::from_str(common::WIDGET_CRD).unwrap();
    let server = ApiServer::builder().crd(widget_crd).build().unwrap();
    let handle = server.serve("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let client = handle.client().unwrap();

    let crd_ar = ApiResource::from_gvk_with_plural(
        &GroupVersionKind::gvk("apiextensions.k8s.io", "v1", "CustomResourceDefinition"),
        "customresourcedefinitions",
    );
    let crds: Api<DynamicObject> = Api::all_with(client.clone(), &crd_ar);
    let widget = crds.get("widgets.example.com").await.unwrap();
    let conditions = widget.data["status"]["conditions"].as_array().unwrap();
    assert!(
        conditions
            .iter()
            .any(|c| c["type"] == "Established" && c["status"] == "True")
    );

    // Gadgets are not served yet.
    let gadget_ar = ApiResource::from_gvk_with_plural(
        &GroupVersionKind::gvk("example.com", "v1", "Gadget"),
        "gadgets",
    );
    let gadgets: Api<DynamicObject> = Api::all_with(client.clone(), &gadget_ar);
    assert!(gadgets.list(&Default::default()).await.is_err());

    // Creating the CRD serves the kind.
    let gadget_crd: DynamicObject = serde_json::from_str(common::GADGET_CRD).unwrap();
    let created = crds
        .create(&PostParams::default(), &gadget_crd)
        .await
        .unwrap();
    assert_eq!(created.data["status"]["acceptedNames"]["kind"], "Gadget");
    let mut g = DynamicObject::new("g1", &gadget_ar);
    g.data = json!({"spec": {"color": "red", "unknown": 1}});
    let stored = gadgets.create(&PostParams::default(), &g).await.unwrap();
    assert_eq!(
        stored.data["spec"],
        json!({"color": "red"}),
        "the new kind prunes by its schema"
    );

    // A CRD the server cannot serve is refused with 422.
    let mut bad: DynamicObject = serde_json::from_str(common::GADGET_CRD).unwrap();
    bad.metadata.name = Some("bad.example.com".into());
    bad.data["spec"].as_object_mut().unwrap().remove("names");
    let err = crds.create(&PostParams::default(), &bad).await.unwrap_err();
    assert!(
        matches!(err, kube::Error::Api(ref s) if s.code == 422),
        "{err:?}"
    );
    handle.shutdown().await;
}
