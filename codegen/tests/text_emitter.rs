//! The direct text emitter (`crdgen::emit::text`) against the token path it replaces
//! (tokens → syn → prettyplease): for the same input the bytes must be the same, in
//! both layouts (items two modules deep in one file, and at the top of a module tree).
//!
//! Inputs: the golden fixtures; CRDs made to put fields, types, attributes and enum
//! arms on every column around prettyplease's margin; and CI's corpus subset
//! (`CRDGEN_CORPUS=all`: all 492 CRDs).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crdgen::{Settings, Source};

mod support;
use support::{corpus, files};

fn settings(runtime_path: &str, dedup: bool, well_known: bool) -> Settings {
    Settings {
        runtime_path: runtime_path.to_owned(),
        dedup,
        well_known_types: well_known,
        rustfmt: false,
        ..Settings::default()
    }
}

/// Generates `sources` with both emitters in both layouts and asserts equal bytes.
fn assert_same(what: &str, sources: &[Source], settings: &Settings) {
    let mut out = crdgen::generate(sources, settings).unwrap_or_else(|e| panic!("{what}: {e}"));
    out.token_emitter = false;
    let text_file = out.single_file().expect("renders");
    let text_tree = out.module_tree().expect("renders");
    out.token_emitter = true;
    let token_file = out.single_file().expect("renders");
    let token_tree = out.module_tree().expect("renders");
    assert_same_text(what, &token_file, &text_file);
    assert_eq!(
        token_tree.files.keys().collect::<Vec<_>>(),
        text_tree.files.keys().collect::<Vec<_>>()
    );
    for (path, want) in &token_tree.files {
        assert_same_text(
            &format!("{what} ({})", path.display()),
            want,
            &text_tree.files[path],
        );
    }
}

/// [`assert_same`] with the default runtime path (deduplicated, well-known types) and a
/// long one (neither); returns the first's single file, for checking which layouts the
/// input reaches.
fn assert_same_with_both_runtime_paths(what: &str, sources: &[Source]) -> String {
    let default = settings("::crdgen_runtime", true, true);
    assert_same(what, sources, &default);
    assert_same(
        what,
        sources,
        &settings("::a::much::longer::runtime_path", false, true),
    );
    crdgen::generate(sources, &default)
        .expect("generates")
        .single_file()
        .expect("renders")
}

fn assert_same_text(what: &str, want: &str, got: &str) {
    if want == got {
        return;
    }
    let line = want
        .lines()
        .zip(got.lines())
        .position(|(a, b)| a != b)
        .unwrap_or_else(|| want.lines().count().min(got.lines().count()));
    let context = |t: &str| {
        t.lines()
            .skip(line.saturating_sub(3))
            .take(8)
            .collect::<Vec<_>>()
            .join("\n")
    };
    panic!(
        "{what}: the text emitter differs from prettyplease at line {}\n--- prettyplease:\n{}\n--- text emitter:\n{}",
        line + 1,
        context(want),
        context(got)
    );
}

fn fixtures() -> Vec<PathBuf> {
    files(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/crds"))
}

#[test]
fn golden_fixtures_give_the_same_bytes() {
    let fixtures = fixtures();
    assert!(
        fixtures.len() >= 8,
        "golden fixtures found: {}",
        fixtures.len()
    );
    for f in &fixtures {
        let sources = [Source::Path(f.clone())];
        let what = f.display().to_string();
        assert_same(&what, &sources, &settings("::crdgen_runtime", true, true));
        assert_same(&what, &sources, &settings("crate::rt", false, false));
    }
}

/// A CRD whose field names, enum names and values grow one character at a time, so
/// that every kind of line the emitter writes ends on each column around the margin.
fn margin_crd(group: &str, n: usize) -> String {
    let mut props = String::new();
    for len in 1..=n {
        let name: String = (0..len).map(|i| (b'a' + (i % 26) as u8) as char).collect();
        let camel = format!("f{name}");
        // Each shape: optional list of maps of lists, nullable string, required map,
        // an enum whose values and name lengths vary, defaults, a preserving object.
        let _ = write!(
            props,
            r#"
                {camel}List:
                  type: array
                  items:
                    type: object
                    additionalProperties:
                      type: array
                      items:
                        type: object
                        properties:
                          x{name}:
                            type: string
                {camel}Short:
                  type: array
                  items:
                    type: string
                {camel}Nullable:
                  type: string
                  nullable: true
                {camel}Map:
                  type: object
                  additionalProperties:
                    type: array
                    items:
                      type: array
                      items:
                        type: string
                {camel}Enum:
                  type: string
                  default: V{name}
                  enum: [V{name}, "{name}-{name}", ""]
                {camel}Defaulted:
                  type: integer
                  default: {len}
                {camel}Obj:
                  type: object
                  x-kubernetes-preserve-unknown-fields: true
                  properties:
                    y{name}:
                      type: integer
                      nullable: true"#
        );
    }
    format!(
        r#"apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: margins.{group}
spec:
  group: {group}
  scope: Namespaced
  names: {{kind: Margin, plural: margins}}
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              required: [{required}]
              properties:{props}
"#,
        required = (1..=n)
            .map(|len| {
                let name: String = (0..len).map(|i| (b'a' + (i % 26) as u8) as char).collect();
                format!("f{name}Map")
            })
            .collect::<Vec<_>>()
            .join(", ")
    )
}

#[test]
fn every_column_around_the_margin_gives_the_same_bytes() {
    // Group names of different lengths move module and type names too.
    for group in ["a.io", "margins.example.com"] {
        let text = margin_crd(group, 70);
        let sources = [Source::Text {
            name: format!("margins-{group}.yaml"),
            text,
        }];
        let out = assert_same_with_both_runtime_paths(group, &sources);
        // The input reaches every layout: broken and unbroken attributes and generic
        // lists, nested breaks, and enum impls the text emitter leaves to prettyplease.
        for shape in [
            "#[serde(\n",
            "#[serde(rename = ",
            "::std::option::Option<\n",
            "::std::option::Option<::std::vec::Vec<",
            "::std::collections::BTreeMap<\n",
            "::std::vec::Vec<\n",
            " => {\n",
            "fn __default_",
        ] {
            assert!(
                out.contains(shape),
                "{group}: no `{}` in the output",
                shape.escape_debug()
            );
        }
    }
}

#[test]
fn corpus_gives_the_same_bytes() {
    let Some(dir) = corpus() else {
        eprintln!("corpus not found: skipped");
        return;
    };
    let all = std::env::var("CRDGEN_CORPUS").is_ok_and(|v| v == "all");
    let sources: Vec<Source> = if all {
        vec![Source::Path(dir)]
    } else {
        let list = support::ci_subset();
        let root = dir.parent().expect("corpus root").to_path_buf();
        list.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(|l| Source::Path(root.join(l)))
            .collect()
    };
    assert!(
        sources.len() >= 100 || all,
        "CI subset: {} CRDs",
        sources.len()
    );
    assert_same(
        "corpus",
        &sources,
        &settings("::crdgen_runtime", true, true),
    );
}

/// CRDs whose group, kind, category and scale names grow one character at a time, so
/// that the root kinds' lines (the wire form, the `Resource` and `CustomResource`
/// impls, `new`) end on every column around the margin; some versions are
/// deprecated, some keep unknown top-level fields (laid out through tokens). With
/// `group`, every kind is of that group and version `v1` instead, so that one
/// group/version's client, kind enum and informers have them all.
fn kinds_crds(n: usize, group: Option<&str>) -> String {
    let mut out = String::new();
    for len in 1..=n {
        let word: String = (0..len).map(|i| (b'a' + (i % 26) as u8) as char).collect();
        // DNS labels are at most 63 characters.
        let labels: Vec<String> = word
            .as_bytes()
            .chunks(20)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect();
        let (group, version) = match group {
            Some(g) => (g.to_owned(), "v1".to_owned()),
            None => (
                format!("{}.example.com", labels.join(".")),
                format!("v{len}alpha{}", &word[..len.min(50)]),
            ),
        };
        let kind = format!("K{word}");
        let plural = format!("k{word}s");
        let categories = (0..len % 7)
            .map(|i| format!("c{i}{word}"))
            .collect::<Vec<_>>()
            .join(", ");
        let deprecated = if len % 3 == 0 {
            format!("deprecated: true\n      deprecationWarning: \"{word} is going away\"")
        } else {
            "deprecated: false".to_owned()
        };
        // Some specs and statuses are maps or lists (`new`'s and `HasSpec`'s generic
        // types); a scale subresource needs an object spec.
        let (spec, scale) = match len % 4 {
            1 => (
                "{type: object, x-kubernetes-preserve-unknown-fields: true}".to_owned(),
                String::new(),
            ),
            2 => (
                "{type: array, items: {type: integer}}".to_owned(),
                String::new(),
            ),
            _ => (
                format!("{{type: object, properties: {{{word}: {{type: integer}}}}}}"),
                format!(
                    "
        scale:
          specReplicasPath: .spec.{word}
          statusReplicasPath: .status.{word}
          labelSelectorPath: .status.selector{word}"
                ),
            ),
        };
        let status = if len % 3 == 1 {
            "{type: object, additionalProperties: {type: string}}".to_owned()
        } else {
            format!("{{type: object, properties: {{{word}: {{type: integer}}}}}}")
        };
        let preserve = if len % 5 == 0 {
            "x-kubernetes-preserve-unknown-fields: true"
        } else {
            "x-kubernetes-preserve-unknown-fields: false"
        };
        let _ = write!(
            out,
            r#"---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: {plural}.{group}
spec:
  group: {group}
  scope: {scope}
  names: {{kind: {kind}, plural: {plural}, categories: [{categories}], shortNames: [{word}]}}
  versions:
    - name: {version}
      served: true
      storage: true
      {deprecated}
      subresources:
        status: {{}}{scale}
      schema:
        openAPIV3Schema:
          type: object
          {preserve}
          required: [spec]
          properties:
            spec: {spec}
            status: {status}
            extra{word}:
              type: string
              default: "{word}"
"#,
            scope = if len % 2 == 0 {
                "Namespaced"
            } else {
                "Cluster"
            },
        );
    }
    out
}

#[test]
fn root_kinds_at_every_column_give_the_same_bytes() {
    let sources = [Source::Text {
        name: "kinds.yaml".to_owned(),
        text: kinds_crds(70, None),
    }];
    let out = assert_same_with_both_runtime_paths("kinds", &sources);
    for shape in [
        "map.serialize_entry(\n",
        "map.serialize_entry(\"apiVersion\", \"",
        "const CATEGORIES: &'static [&'static str] = &[\n",
        "const CATEGORIES: &'static [&'static str] = &[\"",
        "::std::option::Option::Some(\n",
        "pub fn new(name: &str, spec: K",
        "        spec: ::std::collections::BTreeMap<\n",
        "pub fn new(name: &str, spec: ::std::vec::Vec<i64>) -> Self {",
        "type Spec = ::std::vec::Vec<i64>;",
        "type Status = ::std::collections::BTreeMap<",
        "matches!(",
    ] {
        assert!(
            out.contains(shape),
            "no `{}` in the output",
            shape.escape_debug()
        );
    }
    assert!(
        out.lines().any(|l| l.trim_start().starts_with("for K")),
        "no impl header broken before `for`"
    );
}

#[test]
fn clients_at_every_column_give_the_same_bytes() {
    // Kinds (and so accessors, variants, match arms) of every length in one
    // group/version, for groups of two lengths; `kinds_crds(70, None)` above gives
    // the root a group/version of every length.
    let mut all = String::new();
    for group in ["a.io", "a-rather-long-group-name.clients.example.com"] {
        let sources = [Source::Text {
            name: "clients.yaml".to_owned(),
            text: kinds_crds(70, Some(group)),
        }];
        let out = assert_same_with_both_runtime_paths(group, &sources);
        all.push_str(&out);
        for shape in [
            "::scheme::decode_boxed(obj, Self::",
            "::scheme::decode_boxed(\n",
            "::scheme::Scheme::encode(o.as_ref()),\n",
            "::scheme::Scheme::encode(o.as_ref())\n",
            "::core::GroupVersionKind::gvk(\n",
            "::client::ResourceClient<\n",
            "(::std::boxed::Box<",
            "(\n",
        ] {
            assert!(
                out.contains(shape),
                "{group}: no `{}` in the output",
                shape.escape_debug()
            );
        }
    }
    let sources = [Source::Text {
        name: "kinds.yaml".to_owned(),
        text: kinds_crds(70, None),
    }];
    let out = crdgen::generate(&sources, &settings("::crdgen_runtime", true, true))
        .expect("generates")
        .single_file()
        .expect("renders");
    all.push_str(&out);
    for shape in ["::scheme::kind_in(\n", "::scheme::kind_in(&gvk, \""] {
        assert!(
            all.contains(shape),
            "no `{}` in the output",
            shape.escape_debug()
        );
    }
}
