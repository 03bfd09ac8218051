//! Every attribute error of `#[derive(CrdSchema)]` is a compile error pointing at the
//! offending attribute: one `ui/<case>.rs` with its expected `ui/<case>.stderr`.
//! Regenerate with `TRYBUILD=overwrite cargo test -p crdgen-derive-tests --test ui`.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
}
