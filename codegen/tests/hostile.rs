//! Hostile input: huge CRDs, names that collide after case conversion, deep self-similar
//! schemas, the same CRD in two files, encodings other than UTF-8, alias tricks.
//! (`errors.rs` covers YAML syntax errors, a Latin-1 file, the classic billion-laughs
//! bomb, 3000-deep flow nesting and 1500-deep block nesting; they are not repeated here.)
//!
//! Generated text is checked with syn beyond "it parses": item names unique per module,
//! field names unique per struct, variant names unique per enum, and every wire name
//! (serde `rename` or the field name) unique per struct, so collisions that rustc or
//! serde would reject are caught without compiling.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use crdgen::{Settings, Source};

mod support;
use support::{is_flatten_or_skip, semantic_problems, serde_rename};

fn settings() -> Settings {
    Settings::default()
}

fn generate_text(name: &str, text: &str) -> Result<String, String> {
    let source = Source::Text {
        name: name.into(),
        text: text.into(),
    };
    crdgen::generate(&[source], &settings())
        .and_then(|o| o.single_file())
        .map_err(|e| e.to_string())
}

/// A CRD `Foo` in `example.com` with `schema` (YAML, indented by the caller's
/// convention: a mapping at column 0) as the openAPIV3Schema of `v1`.
fn crd(kind: &str, schema: &str) -> String {
    let plural = format!("{}s", kind.to_lowercase());
    format!(
        "apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: {plural}.example.com
spec:
  group: example.com
  names:
    kind: {kind}
    plural: {plural}
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
    )
}

fn temp_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("crdgen-hostile-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

// ---------------------------------------------------------------------------------------
// Checks on the generated text: see `support`.

fn check_output(text: &str) -> syn::File {
    let file = syn::parse_file(text).unwrap_or_else(|e| panic!("output does not parse: {e}"));
    let mut problems = Vec::new();
    semantic_problems(&file.items, "crate", &mut problems);
    assert!(
        problems.is_empty(),
        "generated code has collisions:\n{}",
        problems.join("\n")
    );
    file
}

/// The struct or enum `name` anywhere in the file.
fn find_item<'a>(items: &'a [syn::Item], name: &str) -> Option<&'a syn::Item> {
    for item in items {
        match item {
            syn::Item::Struct(s) if s.ident == name => return Some(item),
            syn::Item::Enum(e) if e.ident == name => return Some(item),
            syn::Item::Mod(m) => {
                if let Some(found) = m.content.as_ref().and_then(|(_, i)| find_item(i, name)) {
                    return Some(found);
                }
            }
            _ => {}
        }
    }
    None
}

fn wire_names(file: &syn::File, name: &str) -> BTreeSet<String> {
    match find_item(&file.items, name) {
        Some(syn::Item::Struct(s)) => {
            let camel = support::renames_all_to_camel_case(&s.attrs);
            s.fields
                .iter()
                .filter(|f| !is_flatten_or_skip(&f.attrs))
                .map(|f| {
                    serde_rename(&f.attrs).unwrap_or_else(|| {
                        let id = f.ident.as_ref().unwrap().to_string();
                        let name = id.trim_start_matches("r#");
                        if camel {
                            support::serde_camel_case(name)
                        } else {
                            name.to_owned()
                        }
                    })
                })
                .collect()
        }
        Some(syn::Item::Enum(e)) => e
            .variants
            .iter()
            .filter(|v| matches!(v.fields, syn::Fields::Unit))
            .map(|v| serde_rename(&v.attrs).unwrap_or_else(|| v.ident.to_string()))
            .collect(),
        _ => panic!("no struct or enum `{name}` in the output"),
    }
}

// ---------------------------------------------------------------------------------------
// Size.

/// About 10 MB of YAML: 8,300 properties with 1 KB descriptions (and an enum each).
fn ten_megabyte_crd() -> String {
    let mut schema =
        String::from("type: object\nproperties:\n  spec:\n    type: object\n    properties:\n");
    let desc: String =
        "Lorem ipsum dolor sit amet, `code` *emphasis* [link](http://x) <b> \\ \" ' # ".repeat(14);
    for i in 0..8300 {
        schema.push_str(&format!(
            "      field{i}:\n        type: string\n        enum: [a{i}, b{i}, c-{i}]\n        description: \"{}\"\n",
            desc.replace('\\', "\\\\").replace('"', "\\\"")
        ));
    }
    crd("Big", &schema)
}

fn peak_rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Run in a child process (so the peak RSS is this generation's alone) by
/// `ten_megabyte_crd_in_bounded_time_and_memory`.
#[test]
#[ignore = "run as a child process by ten_megabyte_crd_in_bounded_time_and_memory"]
fn ten_megabyte_crd_child() {
    if std::env::var_os("CRDGEN_HOSTILE_CHILD").is_none() {
        return;
    }
    let text = ten_megabyte_crd();
    let before = peak_rss_kb().unwrap_or(0);
    let start = Instant::now();
    let out = generate_text("big.yaml", &text).expect("a 10 MB CRD generates");
    let secs = start.elapsed().as_secs_f64();
    println!(
        "CHILD input_bytes={} output_bytes={} secs={secs:.2} rss_before_kb={before} peak_rss_kb={}",
        text.len(),
        out.len(),
        peak_rss_kb().unwrap_or(0)
    );
    let file = check_output(&out);
    assert_eq!(wire_names(&file, "BigSpec").len(), 8300);
}

#[test]
fn ten_megabyte_crd_in_bounded_time_and_memory() {
    let exe = std::env::current_exe().unwrap();
    let start = Instant::now();
    let out = std::process::Command::new(exe)
        .args([
            "--exact",
            "ten_megabyte_crd_child",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("CRDGEN_HOSTILE_CHILD", "1")
        .output()
        .expect("run the child test");
    let wall = start.elapsed();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "child failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let line = stdout
        .lines()
        .find_map(|l| l.find("CHILD ").map(|i| &l[i..]))
        .expect("child report");
    eprintln!("{line} (wall {wall:.1?})");
    let field = |name: &str| -> f64 {
        line.split_whitespace()
            .find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))
            .unwrap()
            .parse()
            .unwrap()
    };
    assert!(field("input_bytes") > 1e7, "the input is 10 MB");
    // Generous bounds for a debug build on a slow, shared CI machine; a release build
    // takes about a tenth of this.
    assert!(field("secs") < 120.0, "10 MB took {} s", field("secs"));
    if field("peak_rss_kb") > 0.0 {
        let peak_mb = field("peak_rss_kb") / 1024.0;
        assert!(
            peak_mb < 2048.0,
            "10 MB of YAML peaked at {peak_mb:.0} MB of RSS"
        );
    }
}

#[test]
fn a_single_huge_description_and_a_huge_key() {
    let long = "x".repeat(4 << 20);
    let schema = format!(
        "type: object\nproperties:\n  spec:\n    type: object\n    description: {long}\n    properties:\n      {long}:\n        type: string\n"
    );
    let start = Instant::now();
    let out = generate_text("huge.yaml", &crd("Huge", &schema));
    assert!(start.elapsed() < Duration::from_secs(60));
    match out {
        Ok(text) => {
            let file = check_output(&text);
            assert!(wire_names(&file, "HugeSpec").contains(&long));
        }
        Err(e) => assert!(e.contains("huge.yaml"), "{e}"),
    }
}

// ---------------------------------------------------------------------------------------
// Names that collide.

#[test]
fn property_names_that_collide_after_case_conversion() {
    let names = [
        "fooBar",
        "FooBar",
        "foo_bar",
        "foo-bar",
        "FOO_BAR",
        "foobar",
        "foo.bar",
        "foo bar",
        "foo_bar_",
        "_foo_bar",
        "type",
        "r#type",
        "Type",
        "TYPE",
        "self",
        "Self",
        "super",
        "crate",
        "_",
        "__",
        "0",
        "1st",
        "extra_fields",
        "",
    ];
    let mut schema = String::from(
        "type: object\nx-kubernetes-preserve-unknown-fields: true\nproperties:\n  spec:\n    type: object\n    x-kubernetes-preserve-unknown-fields: true\n    properties:\n",
    );
    for n in names {
        schema.push_str(&format!(
            "      {}: {{type: string}}\n",
            serde_json::to_string(n).unwrap()
        ));
    }
    let text = generate_text("collide.yaml", &crd("Foo", &schema)).expect("generates");
    let file = check_output(&text);
    let got = wire_names(&file, "FooSpec");
    let want: BTreeSet<String> = names.iter().map(|s| s.to_string()).collect();
    assert_eq!(
        got, want,
        "every property keeps its own field and wire name"
    );
}

#[test]
fn enum_values_that_collide_after_case_conversion() {
    let values = [
        "Foo", "foo", "FOO", "foo-bar", "foo_bar", "fooBar", "FooBar", "", " ", "-", "_", "1",
        "1a", "Other", "other", "Self", "self", "type", "^\\d+$", "\"", "é", "😀",
    ];
    let list: Vec<String> = values
        .iter()
        .map(|v| serde_json::to_string(v).unwrap())
        .collect();
    let schema = format!(
        "type: object\nproperties:\n  spec:\n    type: object\n    properties:\n      mode:\n        type: string\n        enum: [{}]\n",
        list.join(", ")
    );
    let text = generate_text("enum.yaml", &crd("Foo", &schema)).expect("generates");
    let file = check_output(&text);
    let got = wire_names(&file, "FooSpecMode");
    for v in values {
        assert!(got.contains(v), "enum value {v:?} lost: {got:?}");
    }
}

#[test]
fn type_names_that_collide_across_kinds_and_paths() {
    // `Foo.spec.bar` (→ FooSpecBar?) next to a kind named `FooSpecBar`, plus
    // `spec.bar` / `spec.Bar` / `specBar` objects in one schema, in one group/version.
    let obj = |inner: &str| format!("{{type: object, properties: {{{inner}: {{type: string}}}}}}");
    let foo = crd(
        "Foo",
        &format!(
            "type: object\nproperties:\n  spec:\n    type: object\n    properties:\n      bar: {}\n      Bar: {}\n      bar_: {}\n  specBar: {}\n  spec_bar: {}\n",
            obj("a"),
            obj("b"),
            obj("c"),
            obj("d"),
            obj("e")
        ),
    );
    let kind2 = crd(
        "FooSpecBar",
        &format!("type: object\nproperties:\n  spec: {}\n", obj("z")),
    );
    let kind3 = crd(
        "FooSpec",
        "type: object\nproperties:\n  status: {type: object, properties: {n: {type: integer}}}\n",
    );
    let text = format!("{foo}---\n{kind2}---\n{kind3}");
    let out = generate_text("kinds.yaml", &text).expect("generates");
    check_output(&out);
}

// ---------------------------------------------------------------------------------------
// Depth and self-similarity.

/// A binary tree of identical object shapes, 2^depth leaves, written with aliases so
/// the text stays small. With dedup on, the output must stay small and fast.
fn self_similar(depth: usize) -> String {
    let mut doc =
        String::from("defs:\n  l0: &l0 {type: object, properties: {leaf: {type: string}}}\n");
    for i in 1..=depth {
        doc.push_str(&format!(
            "  l{i}: &l{i} {{type: object, properties: {{left: *l{p}, right: *l{p}}}}}\n",
            p = i - 1
        ));
    }
    doc.push_str(&crd(
        "Tree",
        &format!("type: object\nproperties:\n  spec: *l{depth}\n"),
    ));
    // The `defs` mapping is in the same document as the CRD: put it under an unknown
    // top-level key, which the reader ignores.
    doc.replacen("defs:\n", "x-defs:\n", 1)
}

#[test]
fn deep_self_similar_schema_is_bounded() {
    for (depth, limit_secs) in [(10usize, 30u64), (14, 60)] {
        let text = self_similar(depth);
        let start = Instant::now();
        let out = generate_text("tree.yaml", &text);
        let secs = start.elapsed();
        eprintln!(
            "self-similar depth {depth} ({} schema nodes): {secs:.2?}, {:?} bytes",
            1usize << (depth + 1),
            out.as_ref().map(|t| t.len())
        );
        assert!(
            secs < Duration::from_secs(limit_secs),
            "depth {depth} took {secs:?}"
        );
        match out {
            Ok(text) => {
                check_output(&text);
                // Identical shapes share a definition: the output grows with depth, not
                // 2^depth. (`crd()` keeps the CRD as the API server gets it, with its
                // YAML aliases expanded: that JSON is left out of the count.)
                let code: usize = text
                    .lines()
                    .filter(|l| !l.trim_start().starts_with("let json = r"))
                    .map(|l| l.len() + 1)
                    .sum();
                assert!(code < 200_000 + depth * 20_000, "output of {code} bytes");
            }
            Err(e) => assert!(e.contains("tree.yaml"), "{e}"),
        }
    }
}

#[test]
fn alias_of_itself_is_an_error() {
    let text = "a: &a [1, *a]\n";
    let err = generate_text("self.yaml", text).unwrap_err();
    assert!(err.contains("self.yaml"), "{err}");
}

#[test]
fn mapping_alias_bomb_is_refused() {
    // Billion laughs with mappings (errors.rs has the sequence form).
    let mut doc = String::from("a0: &a0 {k: v}\n");
    for i in 1..=9 {
        let p = i - 1;
        doc.push_str(&format!(
            "a{i}: &a{i} {{k0: *a{p}, k1: *a{p}, k2: *a{p}, k3: *a{p}, k4: *a{p}, k5: *a{p}, k6: *a{p}, k7: *a{p}, k8: *a{p}, k9: *a{p}}}\n"
        ));
    }
    let start = Instant::now();
    let err = generate_text("bomb.yaml", &doc).unwrap_err();
    assert!(start.elapsed() < Duration::from_secs(10));
    assert!(err.contains("aliases expand"), "{err}");
}

#[test]
fn deep_schema_near_the_depth_limit_on_a_main_sized_stack() {
    // 450 nested objects = 900+ YAML levels (just under the 1000 limit), run on a thread
    // with a main thread's stack (8 MB), as in build.rs or the CLI.
    let mut schema = String::from("type: object\nproperties:\n  spec:\n");
    let mut indent = String::from("  ");
    for _ in 0..450 {
        indent.push_str("  ");
        schema.push_str(&format!(
            "{indent}type: object\n{indent}properties:\n{indent}  n:\n"
        ));
        indent.push_str("  ");
    }
    schema.push_str(&format!("{indent}  type: string\n"));
    let text = crd("Deep", &schema);
    let out = std::thread::Builder::new()
        .stack_size(8 << 20)
        .spawn(move || generate_text("deep.yaml", &text))
        .unwrap()
        .join()
        .expect("no panic or stack overflow");
    match out {
        Ok(text) => {
            check_output(&text);
        }
        Err(e) => assert!(e.contains("deep.yaml") && e.contains("deeper"), "{e}"),
    }
}

#[test]
fn many_documents_and_many_crds() {
    // 2,000 small CRDs in one stream plus 10,000 empty documents.
    let mut text = String::new();
    for i in 0..2000 {
        text.push_str(&crd(
            &format!("K{i}"),
            "type: object\nproperties:\n  spec: {type: object, properties: {a: {type: string}}}\n",
        ));
        text.push_str("---\n---\n---\n---\n---\n");
    }
    let start = Instant::now();
    let out = generate_text("many.yaml", &text).expect("generates");
    assert!(start.elapsed() < Duration::from_secs(120));
    let file = check_output(&out);
    assert!(find_item(&file.items, "K1999").is_some());
}

// ---------------------------------------------------------------------------------------
// The same CRD more than once.

#[test]
fn the_same_crd_in_two_files_is_refused_naming_both() {
    let dir = temp_dir("dup");
    let text = crd("Foo", "type: object\n");
    std::fs::write(dir.join("a.yaml"), &text).unwrap();
    std::fs::write(dir.join("b.yaml"), &text).unwrap();
    let err = crdgen::generate(&[Source::Path(dir.clone())], &settings())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("a.yaml") && err.contains("b.yaml") && err.contains("twice"),
        "{err}"
    );
    // Passing the same file twice (e.g. a folder and a file in it) is also refused,
    // clearly, not a crash.
    let err = crdgen::generate(
        &[
            Source::Path(dir.join("a.yaml")),
            Source::Path(dir.join("a.yaml")),
        ],
        &settings(),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("a.yaml") && err.contains("twice"), "{err}");
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn the_same_crd_twice_in_one_stream_and_with_different_schemas() {
    let a = crd(
        "Foo",
        "type: object\nproperties:\n  spec: {type: object, properties: {a: {type: string}}}\n",
    );
    let b = crd(
        "Foo",
        "type: object\nproperties:\n  spec: {type: object, properties: {b: {type: integer}}}\n",
    );
    let err = generate_text("two.yaml", &format!("{a}---\n{b}")).unwrap_err();
    assert!(err.contains("two.yaml") && err.contains("twice"), "{err}");
}

#[test]
fn same_kind_in_two_groups_generates_both() {
    let a = crd("Foo", "type: object\n");
    let b = a.replace("example.com", "example.org");
    let out = generate_text("groups.yaml", &format!("{a}---\n{b}")).expect("generates");
    let file = check_output(&out);
    assert!(out.contains("example_com") && out.contains("example_org"));
    let _ = file;
}

// ---------------------------------------------------------------------------------------
// Encodings.

fn generate_bytes(tag: &str, bytes: &[u8]) -> Result<String, String> {
    let dir = temp_dir(tag);
    let path = dir.join("enc.yaml");
    std::fs::write(&path, bytes).unwrap();
    let r = crdgen::generate(&[Source::Path(path)], &settings())
        .and_then(|o| o.single_file())
        .map_err(|e| e.to_string());
    std::fs::remove_dir_all(dir).ok();
    r
}

#[test]
fn utf8_byte_order_mark_is_accepted() {
    let mut bytes = vec![0xEF, 0xBB, 0xBF];
    bytes.extend_from_slice(crd("Foo", "type: object\n").as_bytes());
    let out = generate_bytes("bom8", &bytes).expect("a UTF-8 BOM is allowed by YAML");
    check_output(&out);
}

#[test]
fn utf16_input_gets_a_clear_error() {
    // What `kubectl get crd x -o yaml > x.yaml` writes in Windows PowerShell 5.
    let text = crd("Foo", "type: object\n");
    let mut bytes = vec![0xFF, 0xFE];
    for u in text.encode_utf16() {
        bytes.extend_from_slice(&u.to_le_bytes());
    }
    let err = generate_bytes("utf16", &bytes).unwrap_err();
    assert!(err.contains("enc.yaml") && err.contains("UTF-8"), "{err}");
}

#[test]
fn invalid_utf8_inside_a_description_names_the_line() {
    let text = crd("Foo", "type: object\ndescription: caf\u{1}\n");
    let bytes: Vec<u8> = text
        .bytes()
        .map(|b| if b == 1 { 0xE9 } else { b })
        .collect();
    let err = generate_bytes("latin", &bytes).unwrap_err();
    assert!(
        err.contains("enc.yaml:18:25") && err.contains("UTF-8"),
        "{err}"
    );
    // A lone surrogate encoded in UTF-8 (CESU-8 / WTF-8) and an overlong encoding.
    for bad in [&[0xED, 0xA0, 0x80][..], &[0xC0, 0xAF][..]] {
        let mut bytes = text.as_bytes().to_vec();
        let at = bytes.iter().position(|b| *b == 1).unwrap();
        bytes.splice(at..at + 1, bad.iter().copied());
        let err = generate_bytes("surrogate", &bytes).unwrap_err();
        assert!(err.contains("UTF-8"), "{err}");
    }
}

#[test]
fn control_characters_and_bidi_text_in_descriptions_are_escaped() {
    let desc =
        serde_json::to_string("a\u{0}b\u{7}c\u{1b}[31m \u{202e}evil\u{202c} */ /* \"# ``` \r\n")
            .unwrap();
    let text = crd(
        "Foo",
        &format!(
            "type: object\nproperties:\n  spec:\n    type: object\n    description: {desc}\n    properties:\n      a: {{type: string, description: {desc}}}\n"
        ),
    );
    match generate_text("ctl.yaml", &text) {
        Ok(out) => {
            check_output(&out);
        }
        Err(e) => assert!(e.contains("ctl.yaml"), "{e}"),
    }
}

// ---------------------------------------------------------------------------------------
// Scalars the API server reads differently from a naive YAML reader.

#[test]
fn merge_keys_are_not_silently_dropped() {
    // `<<: *base` is a YAML 1.1 merge key; Kubernetes' YAML reader (go-yaml) merges it.
    let schema = "type: object\nproperties:\n  spec:\n    <<: {type: object, properties: {a: {type: string}}}\n";
    let text = crd("Foo", schema);
    let out = generate_text("merge.yaml", &text).expect("merge keys are applied");
    let file = check_output(&out);
    assert!(
        wire_names(&file, "FooSpec").contains("a"),
        "merge key content lost:\n{out}"
    );
}

#[test]
fn merge_keys_by_alias_explicit_keys_win_and_lists_merge_in_order() {
    // A shared property set merged into two objects by alias; `b` is overridden
    // explicitly in `spec` after the merge (a string, not the merged integer: kubectl's
    // go-yaml v2 applies a merge where it stands, so a key written before the `<<`
    // would lose to it); a list of merges where the first mapping wins for `c`.
    let defs = "x-defs:\n  common: &common\n    a: {type: string}\n    b: {type: integer}\n  extra: &extra\n    c: {type: boolean}\n  other: &other\n    c: {type: string}\n    d: {type: string}\n";
    let schema = "type: object\nproperties:\n  spec:\n    type: object\n    properties:\n      <<: *common\n      b: {type: string}\n  status:\n    type: object\n    properties:\n      <<: [*extra, *other, *common]\n";
    let text = format!("{defs}{}", crd("Foo", schema));
    let out = generate_text("merge-alias.yaml", &text).expect("merge keys are applied");
    let file = check_output(&out);
    assert_eq!(
        wire_names(&file, "FooSpec"),
        BTreeSet::from(["a".to_owned(), "b".to_owned()])
    );
    assert_eq!(
        wire_names(&file, "FooStatus"),
        BTreeSet::from(["a", "b", "c", "d"].map(str::to_owned))
    );
    let field_type = |item: &str, field: &str| -> String {
        let Some(syn::Item::Struct(s)) = find_item(&file.items, item) else {
            panic!("no struct {item}:\n{out}");
        };
        let f = s
            .fields
            .iter()
            .find(|f| f.ident.as_ref().is_some_and(|i| i == field))
            .unwrap_or_else(|| panic!("no field {item}.{field}"));
        let ty = &f.ty;
        quote::quote!(#ty).to_string().replace(' ', "")
    };
    assert!(
        field_type("FooSpec", "b").contains("String"),
        "explicit `b` lost to the merge:\n{out}"
    );
    assert!(
        field_type("FooStatus", "b").contains("i64")
            || field_type("FooStatus", "b").contains("i32")
    );
    assert!(
        field_type("FooStatus", "c").contains("bool"),
        "the first merged mapping must win:\n{out}"
    );
}

#[test]
fn merging_a_non_mapping_is_an_error_with_its_position() {
    for (name, schema, at) in [
        (
            "scalar.yaml",
            "type: object\nproperties:\n  spec:\n    <<: 1\n",
            ":20:17",
        ),
        (
            "list-item.yaml",
            "type: object\nproperties:\n  spec:\n    <<: [{type: object}, x]\n",
            ":20:34",
        ),
    ] {
        let err = generate_text(name, &crd("Foo", schema)).unwrap_err();
        assert!(
            err.contains(name) && err.contains(at) && err.contains("merge key `<<`"),
            "{name}: {err}"
        );
    }
    // An alias to a list is not a list of mappings.
    let text = format!(
        "x-defs:\n  l: &l [{{type: object}}]\n{}",
        crd("Foo", "type: object\nproperties:\n  spec:\n    <<: *l\n")
    );
    let err = generate_text("alias-list.yaml", &text).unwrap_err();
    assert!(
        err.contains("alias-list.yaml") && err.contains("merge key `<<`"),
        "{err}"
    );
}

#[test]
fn merge_key_bomb_is_refused() {
    // Billion laughs through merge keys: each level merges the previous one and
    // references it nine more times.
    let mut doc = String::from("a0: &a0 {k: v}\n");
    for i in 1..=9 {
        let p = i - 1;
        doc.push_str(&format!(
            "a{i}: &a{i} {{<<: [*a{p}], k1: *a{p}, k2: *a{p}, k3: *a{p}, k4: *a{p}, k5: *a{p}, k6: *a{p}, k7: *a{p}, k8: *a{p}, k9: *a{p}}}\n"
        ));
    }
    let start = Instant::now();
    let err = generate_text("merge-bomb.yaml", &doc).unwrap_err();
    eprintln!("merge-key bomb refused in {:.2?}", start.elapsed());
    assert!(start.elapsed() < Duration::from_secs(10));
    assert!(err.contains("aliases expand"), "{err}");
}

#[test]
fn numbers_out_of_range_are_errors_or_exact() {
    for v in [
        "1e999999",
        "99999999999999999999999999",
        "-0",
        ".inf",
        "0x1F",
        "0o17",
        "1_000",
    ] {
        let schema = format!(
            "type: object\nproperties:\n  spec:\n    type: object\n    properties:\n      n: {{type: integer, default: {v}}}\n      f: {{type: number, default: {v}}}\n"
        );
        let r = generate_text("num.yaml", &crd("Foo", &schema));
        match r {
            Ok(out) => {
                check_output(&out);
            }
            Err(e) => assert!(e.contains("num.yaml"), "{v}: {e}"),
        }
    }
}

/// The admission checks (crdgen-apiext, run by the loader on every CRD) take any shape:
/// wrong types everywhere give errors or notes, never a panic.
#[test]
fn admission_checks_take_wrongly_typed_crds() {
    use serde_json::json;
    let shapes = [
        json!(null),
        json!([1, 2]),
        json!({"metadata": 5, "spec": "x"}),
        json!({"metadata": {"name": 1, "annotations": [1]}, "spec": {"group": 5, "names": [], "versions": "v1", "conversion": 3}}),
        json!({"spec": {"group": "a.k8s.io", "names": {"kind": 1, "shortNames": "x", "categories": [null]}, "versions": [
            null, 1, {"name": 3, "storage": "yes", "schema": []},
            {"name": "v1", "schema": {"openAPIV3Schema": {"type": 5, "properties": [1], "items": 3, "allOf": {"a": 1},
                "anyOf": [null, 1, {"properties": {"x": 1}}], "not": [], "default": {"a": 1},
                "x-kubernetes-list-type": 7, "x-kubernetes-list-map-keys": "k", "x-kubernetes-validations": [1, {"rule": 2}]}},
             "subresources": {"scale": 1}, "additionalPrinterColumns": [1, {"type": 3}], "deprecationWarning": 4}]}}),
        json!({"spec": {"conversion": {"strategy": "Webhook", "webhook": {"clientConfig": {"service": {"port": "x"}}, "conversionReviewVersions": [1, "v1", "v1"]}}}}),
    ];
    for crd in &shapes {
        let _ = crdgen_apiext::validate(crd);
        let _ = crdgen_apiext::unknown_fields(crd);
    }
    // Through the loader, with lines.
    let text = "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: [1]}\nspec:\n  group: {a: 1}\n  names: 5\n  versions: [null, {name: 1, schema: {openAPIV3Schema: {type: 5}}}]\n";
    let err = crdgen::input::load_str("shapes.yaml", text).unwrap_err();
    assert!(err.to_string().contains("shapes.yaml:"), "{err}");
}

#[test]
fn admission_of_deep_junctor_nesting_on_a_main_sized_stack() {
    // anyOf inside anyOf, 300 deep (600+ YAML levels): the checks recurse through them.
    let mut schema = String::from("type: object\nproperties:\n  spec:\n    type: object\n");
    let mut indent = String::from("    ");
    for _ in 0..300 {
        schema.push_str(&format!("{indent}anyOf:\n{indent}- "));
        indent.push_str("  ");
        schema.push_str("required: [a]\n");
    }
    schema.push_str(&format!(
        "{indent}properties:\n{indent}  a: {{type: string}}\n"
    ));
    let text = crd("Junctors", &schema);
    let out = std::thread::Builder::new()
        .stack_size(8 << 20)
        .spawn(move || crdgen::input::load_str("junctors.yaml", &text).map(|r| r.len()))
        .unwrap()
        .join()
        .expect("no panic or stack overflow");
    assert_eq!(out.map_err(|e| e.to_string()), Ok(1));
}
