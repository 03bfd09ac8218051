//! `include_crds!` expands a CRD file in place: the same types and impls as
//! `crdgen generate` (whose goldens are `tests/expected/*.rs`).

use crdgen_derive_tests::included::example_com::{v1, v1alpha1};
use crdgen_runtime::CustomResource;

#[test]
fn included_kinds_are_typed_and_registered() {
    assert_eq!(<v1::Widget as CustomResource>::PLURAL, "widgets");
    const { assert!(<v1::Widget as CustomResource>::STORAGE) };
    const { assert!(!<v1alpha1::Widget as CustomResource>::STORAGE) };
    let mut scheme = crdgen_runtime::scheme::Scheme::new();
    crdgen_derive_tests::included::add_to_scheme(&mut scheme).expect("registers");
    let json = serde_json::json!({
        "apiVersion": "example.com/v1alpha1",
        "kind": "Widget",
        "metadata": {"name": "w"},
        "spec": {"size": "big"},
    });
    let w: v1alpha1::Widget = serde_json::from_value(json.clone()).expect("a v1alpha1 Widget");
    assert_eq!(w.spec.as_ref().and_then(|s| s.size.as_deref()), Some("big"));
    assert_eq!(serde_json::to_value(&w).expect("serializes"), json);
}

#[test]
fn expansion_equals_crdgen_generate() {
    // The macro runs crdgen with the default settings: its expansion is what
    // `crdgen generate` writes.
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures/crds/multi-version.yaml");
    let out = crdgen::generate(&[crdgen::Source::Path(path)], &crdgen::Settings::default())
        .expect("generates");
    let text = out.single_file().expect("renders");
    assert!(text.contains("pub struct Widget"));
}
