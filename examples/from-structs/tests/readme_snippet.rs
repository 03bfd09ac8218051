//! The derive example from README.md ("From Rust structs, at compile time"), kept compiling.

use crdgen_runtime::CrdSchema; // crdgen-runtime with the `derive` feature

/// A widget.
#[derive(CrdSchema, Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[crdgen(
    group = "example.com",
    version = "v1",
    kind = "Widget",
    plural = "widgets",
    storage,
    status = "WidgetStatus",
    scale(
        spec_replicas_path = ".spec.replicas",
        status_replicas_path = ".status.replicas"
    ),
    printcolumn(name = "Replicas", type = "integer", json_path = ".spec.replicas")
)]
pub struct WidgetSpec {
    /// How many replicas to run.
    #[crdgen(minimum = 0, maximum = 10)]
    pub replicas: i32,
    /// The colour, in lower case.
    #[crdgen(
        pattern = "^[a-z]+$",
        validation(rule = "self != 'forbidden'", message = "no")
    )]
    pub color: String,
}

/// What the controller saw.
#[derive(CrdSchema, Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct WidgetStatus {
    /// Replicas running.
    pub replicas: Option<i32>,
}

#[test]
fn readme_example_builds_its_crd() {
    let crd = Widget::crd();
    assert_eq!(crd.metadata.name.as_deref(), Some("widgets.example.com"));
    let v = &crd.spec.versions[0];
    assert!(
        v.subresources
            .as_ref()
            .is_some_and(|s| s.scale.is_some() && s.status.is_some())
    );
    let _ = Widget::new("w", WidgetSpec::default());
}
