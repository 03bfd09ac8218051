//! The generated code is laid out as rustfmt (edition 2024, default configuration)
//! lays it out: `rustfmt --check` over the output finds nothing, for the golden
//! fixtures, CRDs made to end every kind of line on every column around the margin,
//! and CI's corpus subset (`CRDGEN_CORPUS=all`: every corpus CRD). Ignored when
//! rustfmt is not installed (see `build.rs`).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crdgen::{Settings, Source};

fn settings(runtime_path: &str, dedup: bool) -> Settings {
    Settings {
        runtime_path: runtime_path.to_owned(),
        dedup,
        // The apply configurations are held to rustfmt's layout with everything else.
        apply_configurations: true,
        ..Settings::default()
    }
}

/// Generates `sources` in both layouts and asserts that rustfmt changes nothing.
fn assert_rustfmt_clean(what: &str, sources: &[Source], settings: &Settings) -> String {
    let out = crdgen::generate(sources, settings).unwrap_or_else(|e| panic!("{what}: {e}"));
    let file = out.single_file().expect("renders");
    let tree = out.module_tree().expect("renders");
    // One folder per call: tests run in parallel and may check the same group name.
    static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let call = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!(
        "crdgen-rustfmt-{}-{call}-{}",
        std::process::id(),
        what.replace(|c: char| !c.is_ascii_alphanumeric(), "_")
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("tree")).expect("temp dir");
    std::fs::write(dir.join("single.rs"), &file).expect("writes");
    for (path, text) in &tree.files {
        let p = dir.join("tree").join(path);
        std::fs::create_dir_all(p.parent().expect("a parent")).expect("dir");
        std::fs::write(p, text).expect("writes");
    }
    for f in [dir.join("single.rs"), dir.join("tree/mod.rs")] {
        let run = std::process::Command::new("rustfmt")
            .args(["--edition", "2024", "--check"])
            .arg(&f)
            .current_dir(&dir)
            .output()
            .expect("rustfmt runs");
        let diff = String::from_utf8_lossy(&run.stdout);
        assert!(
            run.status.success(),
            "{what}: rustfmt would change {}:\n{}{}",
            f.display(),
            diff.chars().take(6000).collect::<String>(),
            String::from_utf8_lossy(&run.stderr)
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
    file
}

/// [`assert_rustfmt_clean`] with the default runtime path and a long one (without
/// deduplication); returns the first's single file.
fn assert_clean_with_both_runtime_paths(what: &str, sources: &[Source]) -> String {
    let out = assert_rustfmt_clean(what, sources, &settings("::crdgen_runtime", true));
    assert_rustfmt_clean(
        &format!("{what}-long"),
        sources,
        &settings("::a::much::longer::runtime_path", false),
    );
    out
}

fn fixtures() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/crds");
    let mut out: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("fixtures/crds exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    out.sort();
    out
}

#[test]
#[cfg_attr(not(rustfmt_available), ignore = "rustfmt is not installed")]
fn golden_fixtures_are_rustfmt_clean() {
    let fixtures = fixtures();
    assert!(
        fixtures.len() >= 8,
        "golden fixtures found: {}",
        fixtures.len()
    );
    for f in &fixtures {
        let sources = [Source::Path(f.clone())];
        let name = f.file_stem().unwrap().to_string_lossy().into_owned();
        assert_rustfmt_clean(&name, &sources, &settings("::crdgen_runtime", true));
        assert_rustfmt_clean(
            &format!("{name}-rt"),
            &sources,
            &settings("crate::rt", false),
        );
        let annotated = Settings {
            annotated: true,
            ..Settings::default()
        };
        assert_rustfmt_clean(&format!("{name}-annotated"), &sources, &annotated);
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
#[cfg_attr(not(rustfmt_available), ignore = "rustfmt is not installed")]
fn every_column_around_the_margin_is_rustfmt_clean() {
    // Group names of different lengths move module and type names too.
    for group in ["a.io", "margins.example.com"] {
        let text = margin_crd(group, 70);
        let sources = [Source::Text {
            name: format!("margins-{group}.yaml"),
            text,
        }];
        let out = assert_clean_with_both_runtime_paths(group, &sources);
        // The input reaches every layout: broken and unbroken attributes and generic
        // lists, types on the line after their field, arms in blocks.
        for shape in [
            "#[serde(\n",
            "#[serde(rename = ",
            "Option<\n",
            "Option<Vec<",
            "BTreeMap<\n",
            ":\n",
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

/// The longest kind name the stress CRDs below reach (the corpus's longest kind has 43
/// characters, its longest group 33; past about 80, rustfmt lays out headers by rules
/// of its own that the emitter does not follow).
const KINDS: usize = 50;

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
                format!("v{len}alpha{}", &word[..len.min(10)]),
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
#[cfg_attr(not(rustfmt_available), ignore = "rustfmt is not installed")]
fn root_kinds_at_every_column_are_rustfmt_clean() {
    let sources = [Source::Text {
        name: "kinds.yaml".to_owned(),
        text: kinds_crds(KINDS, None),
    }];
    let out = assert_clean_with_both_runtime_paths("kinds", &sources);
    for shape in [
        "map.serialize_entry(\n",
        "const CATEGORIES: &'static [&'static str] = &[\n",
        "const CATEGORIES: &'static [&'static str] = &[\"",
        "pub fn new(name: &str, spec: K",
        "pub fn new(name: &str, spec: Vec<i64>) -> Self {",
        "type Spec = Vec<i64>;",
        "type Status = BTreeMap<",
        "let known = [",
    ] {
        assert!(
            out.contains(shape),
            "no `{}` in the output",
            shape.escape_debug()
        );
    }
}

#[test]
#[cfg_attr(not(rustfmt_available), ignore = "rustfmt is not installed")]
fn clients_at_every_column_are_rustfmt_clean() {
    // Kinds (and so accessors, variants, match arms) of every length in one
    // group/version, for groups of two lengths.
    let mut all = String::new();
    for group in ["a.io", "a-rather-long-group-name.clients.example.com"] {
        let sources = [Source::Text {
            name: "clients.yaml".to_owned(),
            text: kinds_crds(KINDS, Some(group)),
        }];
        all.push_str(&assert_clean_with_both_runtime_paths(group, &sources));
    }
    for shape in [
        "scheme::decode_boxed(obj, Self::",
        "scheme::decode_boxed(\n",
        "GroupVersionKind::gvk(\n",
        "(Box<",
        "scheme::kind_in(&gvk, \"",
    ] {
        assert!(
            all.contains(shape),
            "no `{}` in the output",
            shape.escape_debug()
        );
    }
}

#[test]
#[cfg_attr(not(rustfmt_available), ignore = "rustfmt is not installed")]
fn corpus_is_rustfmt_clean() {
    // ../shared/corpus beside the workspace, else the subset vendored in the repository.
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let shared = here.join("../../shared/corpus/crds");
    let dir = if shared.is_dir() {
        shared
    } else {
        here.join("corpus/data/crds")
    };
    assert!(dir.is_dir(), "the corpus is not at {}", dir.display());
    let root = dir.parent().expect("corpus root").to_path_buf();
    // The vendored copy has its own list (the subset less what it could not vendor).
    let own_list = root.join("ci-subset.txt");
    let all = std::env::var("CRDGEN_CORPUS").is_ok_and(|v| v == "all");
    assert!(
        !(all && own_list.is_file()),
        "CRDGEN_CORPUS=all needs the full corpus (../shared/corpus); {} holds CI's subset only",
        root.display()
    );
    let sources: Vec<Source> = if all {
        vec![Source::Path(dir)]
    } else {
        let list_path = if own_list.is_file() {
            own_list
        } else {
            here.join("corpus/ci-subset.txt")
        };
        let list = std::fs::read_to_string(&list_path)
            .unwrap_or_else(|e| panic!("{}: {e}", list_path.display()));
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
    assert_rustfmt_clean("corpus", &sources, &settings("::crdgen_runtime", true));
}
