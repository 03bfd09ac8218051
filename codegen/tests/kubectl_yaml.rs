//! CRDs are read as kubectl reads them (the reader is `crdgen-yaml`; its own tests hold
//! it to kubectl's recorded answers): what a default written in YAML 1.1 forms becomes
//! in the generated code.

use crdgen::{Settings, Source};

fn generate(schema: &str) -> String {
    let text = format!(
        "apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: files.example.com
spec:
  group: example.com
  names:
    kind: File
    plural: files
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
{}",
        schema
            .lines()
            .map(|l| format!("        {l}\n"))
            .collect::<String>()
    );
    let source = Source::Text {
        name: "files.yaml".into(),
        text,
    };
    crdgen::generate(&[source], &Settings::default())
        .and_then(|o| o.single_file())
        .unwrap_or_else(|e| panic!("{e}"))
}

/// The body of the generated default function for `field`.
fn default_fn<'a>(out: &'a str, field: &str) -> &'a str {
    let start = out
        .find(&format!("fn __default_{field}()"))
        .unwrap_or_else(|| panic!("no default function for `{field}` in:\n{out}"));
    let body = &out[start..];
    &body[..body.find('}').unwrap_or(body.len())]
}

#[test]
fn octal_and_yaml_1_1_defaults_are_kubectls_values() {
    let out = generate(
        "type: object
properties:
  spec:
    type: object
    properties:
      mode: {type: integer, default: 0755}
      hex: {type: integer, default: 0x1F}
      big: {type: integer, format: int64, default: 1_000}
      enabled: {type: boolean, default: yes}
      quiet: {type: boolean, default: off}
      replicas: {type: integer, format: int32, default: 3.0}
      name: {type: string, default: '0755'}
",
    );
    for (field, want) in [
        ("mode", "Some(493)"),
        ("hex", "Some(31)"),
        ("big", "Some(1000)"),
        ("enabled", "Some(true)"),
        ("quiet", "Some(false)"),
        ("replicas", "Some(3)"),
        ("name", "String::from(\"0755\")"),
    ] {
        let body = default_fn(&out, field);
        assert!(body.contains(want), "`{field}`: want {want} in\n{body}");
    }
}
