//! Generation options: extra derives (kopium's `--derive`) and the selection of kinds
//! and versions.

use crdgen::{Settings, Source};

fn generate(settings: &Settings) -> String {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/crds/multi-version.yaml"
    );
    crdgen::generate(&[Source::Path(path.into())], settings)
        .expect("generates")
        .single_file()
        .expect("renders")
}

#[test]
fn kinds_and_versions_are_selected() {
    let all = generate(&Settings::default());
    assert!(all.contains("pub struct Widget {") && all.contains("pub struct Gadget {"));
    let gadgets = generate(&Settings {
        kinds: vec!["Gadget".into()],
        ..Settings::default()
    });
    assert!(gadgets.contains("pub struct Gadget {"));
    assert!(!gadgets.contains("Widget"), "only the selected kind");
    let v1 = generate(&Settings {
        versions: vec!["v1".into()],
        ..Settings::default()
    });
    assert!(v1.contains("pub mod v1 {"));
    assert!(
        !v1.contains("pub mod v1alpha1 {"),
        "only the selected version"
    );
}

#[test]
fn extra_derives_go_where_they_are_asked_for() {
    let out = generate(&Settings {
        derives: vec![
            ("structs".into(), "Eq".into()),
            ("enums".into(), "Copy".into()),
            ("GadgetSpec".into(), "schemars::JsonSchema".into()),
        ],
        ..Settings::default()
    });
    let derive_of = |item: &str| {
        let at = out.find(item).unwrap_or_else(|| panic!("no `{item}`"));
        let before = &out[..at];
        let start = before.rfind("#[derive(").expect("a derive before the item");
        let end = start + before[start..].find(")]").expect("the derive ends");
        before[start..end]
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            + ")]"
    };
    let spec = derive_of("pub struct GadgetSpec {");
    assert!(
        spec.contains("Eq") && spec.contains("schemars::JsonSchema"),
        "{spec}"
    );
    let widget_spec = derive_of("pub struct WidgetSpec {");
    assert!(
        widget_spec.ends_with("Eq)]") && !widget_spec.contains("JsonSchema"),
        "{widget_spec}"
    );
    let size = derive_of("pub enum WidgetSpecSize {");
    assert!(
        size.ends_with("Copy,)]") || size.ends_with(", Copy)]"),
        "{size}"
    );
}

/// `--type-override format=...` and `path=...`: the golden (compiled by src/lib.rs)
/// uses the types given, and decodes a certificate through them.
#[test]
fn type_overrides_replace_formats_and_fields() {
    use crdgen::TypeOverride;
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/overrides/certificates.yaml"
    );
    let settings = Settings {
        type_overrides: vec![
            (
                TypeOverride::Format("date-time".into()),
                "k8s_openapi::apimachinery::pkg::apis::meta::v1::Time".into(),
            ),
            (
                TypeOverride::Format("ipv4".into()),
                "std::net::Ipv4Addr".into(),
            ),
            (
                TypeOverride::Path("Certificate.spec.duration".into()),
                "crate::units::Duration".into(),
            ),
        ],
        ..Settings::default()
    };
    let loaded = crdgen::input::load(&[Source::Path(path.into())]).expect("loads");
    let base = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = crdgen::generate_model(&loaded.model, &settings, Some(base))
        .expect("generates")
        .single_file()
        .expect("renders");
    let expected = base.join("expected/type_overrides.rs");
    expectorate::assert_contents(&expected, &out);

    use crdgen_tests::goldens::type_overrides::example_com::v1::Certificate;
    let cert: Certificate = serde_json::from_value(serde_json::json!({
        "apiVersion": "example.com/v1",
        "kind": "Certificate",
        "metadata": {"name": "web"},
        "spec": {"secretName": "web-tls", "duration": "2160h", "ipAddresses": ["10.0.0.1"]},
        "status": {
            "notAfter": "2026-12-06T12:00:00Z",
            "conditions": [{"type": "Ready", "lastTransitionTime": "2026-12-06T11:00:00Z"}]
        }
    }))
    .expect("decodes through the overridden types");
    let spec = cert.spec.expect("a spec");
    assert_eq!(
        spec.duration,
        Some(crdgen_tests::units::Duration("2160h".into()))
    );
    assert_eq!(
        spec.ip_addresses,
        Some(vec![std::net::Ipv4Addr::new(10, 0, 0, 1)])
    );
    let status = cert.status.expect("a status");
    let not_after = status.not_after.expect("notAfter");
    assert_eq!(not_after.0.to_string(), "2026-12-06T12:00:00Z");
    let conditions = status.conditions.expect("conditions");
    assert!(conditions[0].last_transition_time.is_some());
}

/// An override that matches nothing, or is not a Rust type, is an error naming it.
#[test]
fn type_overrides_that_match_nothing_are_errors() {
    use crdgen::TypeOverride;
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/overrides/certificates.yaml"
    );
    let err = |o: TypeOverride, ty: &str| {
        let settings = Settings {
            type_overrides: vec![(o, ty.into())],
            ..Settings::default()
        };
        crdgen::generate(&[Source::Path(path.into())], &settings)
            .expect_err("refused")
            .to_string()
    };
    let e = err(TypeOverride::Format("uuid".into()), "my::Uuid");
    assert!(
        e.contains("type override `format=uuid=my::Uuid`: no schema has `format: uuid`"),
        "{e}"
    );
    let e = err(
        TypeOverride::Path("Certificate.spec.durration".into()),
        "my::D",
    );
    assert!(
        e.contains("type override `path=Certificate.spec.durration=my::D`: no field is at `Certificate.spec.durration`"),
        "{e}"
    );
    let e = err(TypeOverride::Format("date-time".into()), "not a type");
    assert!(e.contains("is not a Rust type"), "{e}");
    assert!(TypeOverride::parse("colour=red").is_err());
    assert_eq!(
        TypeOverride::parse("path=Certificate.spec.duration"),
        Ok(TypeOverride::Path("Certificate.spec.duration".into()))
    );
}
