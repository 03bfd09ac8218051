mod crds {
    crdgen_macros::include_crds!("no/such/crds.yaml");
}

fn main() {}
