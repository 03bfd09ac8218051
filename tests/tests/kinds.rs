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
