//! Builds a `Widget` with the types crdgen generated from `crds/widgets.yaml` at build
//! time, prints it as JSON, and reads it back.

#[allow(missing_docs)] // fields without a description in the CRD carry no doc
mod crds {
    include!(concat!(env!("OUT_DIR"), "/crds.rs"));
}

use crdgen_runtime::CustomResource;
use crds::example_com::v1::{Widget, WidgetSpec, WidgetSpecSize};

fn main() -> Result<(), serde_json::Error> {
    let widget = Widget::new(
        "demo",
        WidgetSpec {
            size: WidgetSpecSize::Large,
            replicas: Some(3),
        },
    );
    let json = serde_json::to_string_pretty(&widget)?;
    println!("{json}");
    let back: Widget = serde_json::from_str(&json)?;
    assert_eq!(back, widget);
    println!(
        "{} {} is {:?}-scoped, plural `{}`, short names {:?}",
        Widget::API_VERSION,
        Widget::KIND,
        Widget::SCOPE,
        Widget::PLURAL,
        Widget::SHORT_NAMES
    );
    Ok(())
}
