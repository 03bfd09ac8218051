fn main() -> Result<(), crdgen::Error> {
    crdgen::Builder::new()
        .crd("crds/")
        .write_to_out_dir("crds.rs")
}
