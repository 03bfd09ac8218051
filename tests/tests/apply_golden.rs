//! The apply configurations' golden: `e2e/crds/sprockets.yaml` (the kind of the SSA
//! end-to-end tests) generates exactly `expected/apply_configurations.rs` with
//! `Settings::apply_configurations`. Regenerate with `EXPECTORATE=overwrite cargo test
//! -p crdgen-tests --test apply_golden` and review the diff. `src/lib.rs` compiles it.

use std::path::Path;

fn generate(apply_configurations: bool) -> String {
    let base = Path::new(env!("CARGO_MANIFEST_DIR"));
    let path = base.join("e2e/crds/sprockets.yaml");
    let loaded = crdgen::input::load(&[crdgen::Source::Path(path)]).expect("fixture loads");
    let settings = crdgen::Settings {
        apply_configurations,
        ..crdgen::Settings::default()
    };
    let out =
        crdgen::generate_model(&loaded.model, &settings, Some(base)).expect("fixture generates");
    out.single_file().expect("renders")
}

#[test]
fn apply_configurations_golden() {
    let with = generate(true);
    let expected = Path::new(env!("CARGO_MANIFEST_DIR")).join("expected/apply_configurations.rs");
    expectorate::assert_contents(&expected, &with);
    assert_eq!(with, generate(true), "deterministic");
    // Off by default: the same output without the configurations.
    let without = generate(false);
    assert!(
        !without.contains("Apply {"),
        "no apply configurations when off"
    );
    assert!(with.starts_with(without.trim_end()) || with.len() > without.len());
    for item in [
        "pub struct SprocketApply {",
        "impl ApplyConfiguration<Sprocket> for SprocketApply {",
        "pub fn new(name: &str, namespace: &str) -> Self {",
        "pub fn extract_status(obj: &Sprocket, field_manager: &str)",
        "pub teeth: Option<Vec<SprocketSpecTeethApply>>,",
        "pub fn replicas(mut self, value: i32) -> Self {",
    ] {
        assert!(with.contains(item), "no `{item}` in the output");
    }
}
