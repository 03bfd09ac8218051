//! Generates the typed code and apply configurations for `crds/`.

fn main() -> Result<(), crdgen::Error> {
    crdgen::Builder::new()
        .crd("crds/")
        .apply_configurations(true)
        .write_to_out_dir("crds.rs")
}
