//! Generates the typed Widget code from `crds/` and a JSON copy of the CRD.

use crdgen::input::yaml::{Limits, parse};

fn main() -> Result<(), crdgen::Error> {
    crdgen::Builder::new()
        .crd("crds/")
        .write_to_out_dir("crds.rs")?;

    let path = std::path::Path::new("crds/widget.yaml");
    let text = std::fs::read_to_string(path).map_err(|e| crdgen::Error::Io {
        path: path.into(),
        source: e,
    })?;
    let docs = parse(&text, Limits::default())
        .map_err(|e| crdgen::Error::Environment(format!("{}: {}", path.display(), e.message)))?;
    let crd = docs
        .first()
        .map(|d| d.root.to_json())
        .ok_or_else(|| crdgen::Error::Environment("crds/widget.yaml is empty".into()))?;
    let out_dir = std::env::var("OUT_DIR")
        .map_err(|e| crdgen::Error::Environment(format!("OUT_DIR: {e}")))?;
    let json = serde_json::to_string_pretty(&crd).expect("JSON values serialize");
    crdgen::render::write_if_changed(
        &std::path::Path::new(&out_dir).join("widget-crd.json"),
        &json,
    )?;
    Ok(())
}
