//! Generation options: extra derives (kopium's `--derive`) and the selection of kinds
//! and versions.

use crdgen::{Settings, Source};

fn generate(settings: &Settings) -> String {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/crds/multi-version.yaml"
    );
    crdgen::generate(&[Source::Path(path.into())], settings)
        .expect("generates")
        .single_file()
        .expect("renders")
}

#[test]
fn kinds_and_versions_are_selected() {
    let all = generate(&Settings::default());
    assert!(all.contains("pub struct Widget {") && all.contains("pub struct Gadget {"));
    let gadgets = generate(&Settings {
        kinds: vec!["Gadget".into()],
        ..Settings::default()
    });
    assert!(gadgets.contains("pub struct Gadget {"));
    assert!(!gadgets.contains("Widget"), "only the selected kind");
    let v1 = generate(&Settings {
        versions: vec!["v1".into()],
        ..Settings::default()
    });
    assert!(v1.contains("pub mod v1 {"));
    assert!(
        !v1.contains("pub mod v1alpha1 {"),
        "only the selected version"
    );
}

#[test]
fn extra_derives_go_where_they_are_asked_for() {
    let out = generate(&Settings {
        derives: vec![
            ("structs".into(), "Eq".into()),
            ("enums".into(), "Copy".into()),
            ("GadgetSpec".into(), "schemars::JsonSchema".into()),
        ],
        ..Settings::default()
    });
    let derive_of = |item: &str| {
        let at = out.find(item).unwrap_or_else(|| panic!("no `{item}`"));
        let before = &out[..at];
        let start = before.rfind("#[derive(").expect("a derive before the item");
        let end = start + before[start..].find(")]").expect("the derive ends");
        before[start..end]
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            + ")]"
    };
    let spec = derive_of("pub struct GadgetSpec {");
    assert!(
        spec.contains("Eq") && spec.contains("schemars::JsonSchema"),
        "{spec}"
    );
    let widget_spec = derive_of("pub struct WidgetSpec {");
    assert!(
        widget_spec.ends_with("Eq)]") && !widget_spec.contains("JsonSchema"),
        "{widget_spec}"
    );
    let size = derive_of("pub enum WidgetSpecSize {");
    assert!(
        size.ends_with("Copy,)]") || size.ends_with(", Copy)]"),
        "{size}"
    );
}
