//! The typed client layer for the kinds this crate writes as structs: crdgen reads
//! `src/` with syn (as `crdgen crd --paths src/` does) and generates, in
//! `$OUT_DIR/clients.rs`, the same clientset, kind enum, `add_to_scheme` and informer
//! accessors as from CRD YAML, re-exporting `crate::Database` instead of defining it.

fn main() -> Result<(), crdgen::Error> {
    crdgen::Builder::new()
        .rust_types("src/", "crate")
        .write_to_out_dir("clients.rs")
}
