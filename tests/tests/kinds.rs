//! What generated kinds give their users: `new(name, spec)` also when the spec is
//! optional, and `crd()`, the CustomResourceDefinition they were generated from.

use crdgen_tests::goldens::{docs, multi_version};

#[test]
fn new_takes_the_spec_also_when_it_is_optional() {
    let doc = docs::example_com::v1::Doc::new("d", docs::example_com::v1::DocSpec::default());
    assert_eq!(doc.metadata.name.as_deref(), Some("d"));
    assert!(
        doc.spec.is_some(),
        "an optional spec is stored as Some(spec)"
    );
}

#[test]
fn crd_is_the_definition_the_kind_was_generated_from() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/crds/multi-version.yaml"
    );
    let text = std::fs::read_to_string(path).expect("the fixture");
    let loaded = crdgen::input::load(&[crdgen::Source::Text {
        name: "multi-version.yaml".into(),
        text,
    }])
    .expect("loads");
    let widgets = loaded
        .model
        .resources
        .iter()
        .find(|r| r.kind == "Widget")
        .expect("the fixture has Widget");
    let want = crdgen::emit::crd::crd_json(widgets);

    let v1 = multi_version::example_com::v1::Widget::crd();
    let v1alpha1 = multi_version::example_com::v1alpha1::Widget::crd();
    assert_eq!(v1, v1alpha1, "every version's kind gives the whole CRD");
    // Compared as k8s-openapi reads it (it keeps `minimum` as a float).
    let want: k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition =
        serde_json::from_value(want).expect("the input CRD reads as k8s-openapi's");
    assert_eq!(v1, want);
    assert_eq!(v1.metadata.name.as_deref(), Some("widgets.example.com"));
    assert_eq!(v1.spec.versions.len(), 2);
}

/// `validate()` on a generated kind: the runtime's `Validate`, through the `HasCrd`
/// impl the generator writes next to `crd()`, with the API server's 422 message.
#[test]
fn generated_kinds_validate_as_the_server() {
    use crdgen_runtime::schema::Validate;
    use multi_version::example_com::v1::{Widget, WidgetSpec, WidgetSpecSize};

    let spec = |size, replicas| WidgetSpec {
        size,
        replicas: Some(replicas),
    };
    let ok = Widget::new("w", spec(WidgetSpecSize::Small, 2));
    assert_eq!(ok.validate(), Ok(()));

    let bad = Widget::new("w", spec(WidgetSpecSize::Small, -1));
    let err = bad.validate().expect_err("minimum: 0");
    assert_eq!(
        err.to_string(),
        "Widget.example.com \"w\" is invalid: [spec.replicas: Invalid value: -1: \
         spec.replicas in body should be greater than or equal to 0, \
         .spec.replicas: Invalid value: -1: should be a non-negative integer]",
        "the schema's minimum, then the scale subresource's check of its replicas path"
    );
    let other = Widget::new("w", spec(WidgetSpecSize::Other("huge".into()), 2));
    assert!(
        other.validate().is_err(),
        "a size outside the enum is refused"
    );

    // Ratcheting: the unchanged invalid value does not block an update of another
    // field (the scale subresource's replicas check is not ratcheted, so use the enum).
    let mut changed = other.clone();
    changed.spec.replicas = Some(3);
    assert_eq!(changed.validate_update(&other), Ok(()));
    // A changed invalid value does.
    let mut worse = other.clone();
    worse.spec.size = WidgetSpecSize::Other("huger".into());
    assert!(worse.validate_update(&other).is_err());
}

/// A `validating()` client refuses, without sending it, what the in-memory API server
/// (held to a real kube-apiserver's recordings) refuses, with the same message; and
/// ratchets an update against the stored object.
#[tokio::test]
async fn a_validating_client_answers_as_the_server() {
    use crdgen_runtime::client::{PostParams, ResourceClient};
    use crdgen_runtime::error::Error;
    use crdgen_runtime::fake::FakeClient;
    use multi_version::example_com::v1::{Widget, WidgetSpec, WidgetSpecSize};

    let crd = serde_json::to_value(Widget::crd()).expect("a CRD serializes");
    let fake = FakeClient::with_crds([crd]).expect("the CRD is served");
    let plain = ResourceClient::<Widget>::namespaced(fake.client(), "default");
    let checked = plain.clone().validating();
    let widget = |name: &str, replicas| {
        Widget::new(
            name,
            WidgetSpec {
                size: WidgetSpecSize::Small,
                replicas: Some(replicas),
            },
        )
    };
    let pp = PostParams::default();

    let refused_here = match checked.create(&pp, &widget("w", -1)).await {
        Err(Error::Invalid(invalid)) => invalid.to_string(),
        other => panic!("expected Error::Invalid, got {other:?}"),
    };
    let refused_there = match plain.create(&pp, &widget("w", -1)).await {
        Err(Error::Api(status)) => status.message.clone(),
        other => panic!("expected the server's 422, got {other:?}"),
    };
    assert_eq!(refused_here, refused_there);
    assert!(
        checked.get_opt("w").await.expect("get").is_none(),
        "nothing was sent"
    );

    let created = checked.create(&pp, &widget("ok", 1)).await.expect("valid");
    let mut update = created.clone();
    update.spec.replicas = Some(3);
    checked.update(&pp, &update).await.expect("a valid update");
    let mut bad = checked.get("ok").await.expect("get");
    bad.spec.replicas = Some(-3);
    assert!(matches!(
        checked.update(&pp, &bad).await,
        Err(Error::Invalid(_))
    ));
}
