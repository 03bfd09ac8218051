//! Keeps the hand-written test kinds compiling.
mod common;

#[test]
fn widget_serializes_with_type_meta() {
    let w = common::Widget::new(
        "a",
        common::WidgetSpec {
            size: "small".into(),
            ..Default::default()
        },
    );
    let v = serde_json::to_value(&w).unwrap();
    assert_eq!(v["apiVersion"], "example.com/v1");
    assert_eq!(v["kind"], "Widget");
    let back: common::Widget = serde_json::from_value(v).unwrap();
    // Decoding applies the schema default (replicas: 1), as the API server would.
    assert_eq!(back.spec.replicas, Some(1));
    assert_eq!(back.metadata, w.metadata);
}
