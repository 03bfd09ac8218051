//! Kinds for the tests of `#[derive(CrdSchema)]`: hand-written structs ([`kinds`]) and the
//! annotated form of every golden fixture ([`fixtures`]).

pub mod kinds;

/// The golden fixtures (`tests/fixtures/crds`) as `crdgen generate --annotated` writes
/// them, compiled with the derive.
#[allow(missing_docs, dead_code)]
pub mod fixtures {
    include!(concat!(env!("OUT_DIR"), "/fixtures.rs"));
}

/// A golden fixture expanded in place by `crdgen_macros::include_crds!`.
#[allow(missing_docs, dead_code)]
pub mod included {
    crdgen_macros::include_crds!("../fixtures/crds/multi-version.yaml");
}
