//! Bad input gets a clear error naming the file, line and schema path; never a panic.

use crdgen::{Settings, Source};

fn generate(text: &str) -> Result<String, String> {
    let source = Source::Text {
        name: "bad.yaml".into(),
        text: text.into(),
    };
    crdgen::generate(&[source], &Settings::default())
        .and_then(|o| o.single_file())
        .map_err(|e| e.to_string())
}

fn crd(schema: &str) -> String {
    format!(
        "apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: foos.example.com
spec:
  group: example.com
  names:
    kind: Foo
    plural: foos
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
  - name: v2
    served: true
    storage: false
    schema:
      openAPIV3Schema:
{}",
        schema
            .lines()
            .map(|l| format!("        {l}\n"))
            .collect::<String>()
    )
}

fn assert_error(result: Result<String, String>, needles: &[&str]) {
    let err = result.expect_err("expected an error");
    for n in needles {
        assert!(err.contains(n), "error does not mention {n:?}:\n{err}");
    }
}

#[test]
fn yaml_syntax_errors_name_line_and_column() {
    assert_error(
        generate("apiVersion: v1\nkind: [unclosed\n"),
        &["bad.yaml:", "invalid YAML"],
    );
    // kubectl refuses a null key (duplicate keys it takes, the last one winning).
    assert_error(
        generate("a: 1\nb: 2\nnull: 3\n"),
        &["bad.yaml:3:1", "unsupported map key"],
    );
}

#[test]
fn unknown_type_names_the_schema_path_and_line() {
    let text = crd(
        "type: object\nproperties:\n  spec:\n    type: object\n    properties:\n      x: {type: strnig}\n",
    );
    assert_error(
        generate(&text),
        &[
            "bad.yaml:25:",
            "spec.versions[1].schema.openAPIV3Schema.properties.spec.properties.x.type",
            "unknown type `strnig`",
        ],
    );
}

#[test]
fn refs_and_tuple_items_are_refused_with_help() {
    let text = crd("type: object\nproperties:\n  spec:\n    $ref: '#/definitions/x'\n");
    assert_error(
        generate(&text),
        &[
            "`$ref` is not allowed",
            "properties.spec[\"$ref\"]",
            "help:",
        ],
    );
    let text =
        crd("type: object\nproperties:\n  list:\n    type: array\n    items: [{type: string}]\n");
    assert_error(
        generate(&text),
        &["tuple validation", "properties.list.items"],
    );
}

#[test]
fn properties_with_additional_properties_is_not_structural() {
    let text = crd(
        "type: object\nproperties:\n  m:\n    type: object\n    properties: {a: {type: string}}\n    additionalProperties: {type: string}\n",
    );
    assert_error(generate(&text), &["mutually exclusive", "properties.m"]);
}

#[test]
fn defaults_must_fit_the_type() {
    let text = crd(
        "type: object\nproperties:\n  num:\n    type: integer\n    format: int32\n    default: \"three\"\n",
    );
    assert_error(
        generate(&text),
        &[
            "default does not fit",
            "expected a 32-bit integer",
            "properties.num",
        ],
    );
    let text = crd(
        "type: object\nproperties:\n  num:\n    type: integer\n    format: int32\n    default: 3000000000\n",
    );
    assert_error(generate(&text), &["expected a 32-bit integer"]);
}

#[test]
fn missing_and_malformed_crd_fields() {
    let text = crd("type: object\n").replace("    kind: Foo\n", "");
    assert_error(
        generate(&text),
        &["missing required field `kind`", "spec.names"],
    );
    let text = crd("type: object\n").replace("scope: Namespaced", "scope: Global");
    assert_error(
        generate(&text),
        &["`scope` must be `Namespaced` or `Cluster`", "`Global`"],
    );
    let text = crd("type: object\n").replace("storage: false", "storage: true");
    assert_error(
        generate(&text),
        &["exactly one version must be the storage version, found 2"],
    );
    let text =
        crd("type: object\n").replace("apiextensions.k8s.io/v1", "apiextensions.k8s.io/v1beta1");
    assert_error(
        generate(&text),
        &["unsupported CRD apiVersion", "v1beta1 was removed"],
    );
}

#[test]
fn every_problem_is_reported_at_once() {
    let text = crd("type: object\nproperties:\n  a: {type: nope}\n  b: {type: alsonope}\n");
    let err = generate(&text).unwrap_err();
    assert!(
        err.contains("`nope`") && err.contains("`alsonope`") && err.contains("2 errors"),
        "{err}"
    );
}

#[test]
fn non_utf8_input_names_the_offset() {
    let dir = std::env::temp_dir().join(format!("crdgen-utf8-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("latin1.yaml");
    std::fs::write(&path, b"apiVersion: v1\nkind: caf\xe9\n").unwrap();
    let err = crdgen::generate(&[Source::Path(path.clone())], &Settings::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("latin1.yaml:2:10") && err.contains("not valid UTF-8"),
        "{err}"
    );
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn hostile_yaml_gets_an_error_not_a_crash() {
    let bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\ng: [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]\n";
    assert_error(generate(bomb), &["aliases expand"]);
    let deep = "a: ".to_owned() + &"[".repeat(3000) + &"]".repeat(3000);
    assert_error(generate(&deep), &["bad.yaml:1:", "recursion limit"]);
    let block: String = (0..1500)
        .map(|i| format!("{}- \n", "  ".repeat(i)))
        .collect();
    assert_error(generate(&block), &["nesting deeper than 1000 levels"]);
}

#[test]
fn deep_schemas_generate() {
    // Depth 200 of nested objects (block style): a struct per level, no stack trouble.
    let mut schema = String::from("type: object\nproperties:\n");
    let mut indent = String::from("  ");
    schema.push_str(&format!("{indent}spec:\n"));
    for _ in 0..200 {
        indent.push_str("  ");
        schema.push_str(&format!(
            "{indent}type: object\n{indent}properties:\n{indent}  num:\n"
        ));
        indent.push_str("  ");
    }
    schema.push_str(&format!("{indent}  type: string\n"));
    let text = crd(&schema);
    let out = generate(&text).expect("a deep schema generates");
    assert!(out.contains("FooSpecNum"));
}

#[test]
fn a_default_that_does_not_fit_names_its_schema_path() {
    // The type pass reports it; the path is found from the node's position (paths are
    // not stored in the model), through properties, items and allOf alike.
    let schema = "type: object
properties:
  spec:
    type: object
    properties:
      list:
        type: array
        items:
          type: object
          properties:
            num:
              type: integer
              default: \"three\"
";
    assert_error(
        generate(&crd(schema)),
        &[
            "bad.yaml:31:23",
            "spec.versions[1].schema.openAPIV3Schema.properties.spec.properties.list.items.properties.num",
            "the default does not fit the field's type",
        ],
    );
    let odd_key = "type: object
properties:
  spec:
    type: object
    properties:
      a.b:
        type: boolean
        default: 1
";
    assert_error(
        generate(&crd(odd_key)),
        &[
            "spec.versions[1].schema.openAPIV3Schema.properties.spec.properties[\"a.b\"]",
            "the default does not fit the field's type",
        ],
    );
}
