//! The writer (`crdgen_yaml::to_yaml`) against sigs.k8s.io/yaml's output recorded from
//! kubectl (`tests/write/`), and read back through the crate's own reader: on the corpus
//! CRDs (`CRDGEN_CORPUS_DIR`, else `../shared/corpus` beside the workspace, else the
//! vendored subset `tests/corpus/data`), write → read gives the same JSON.

use serde_json::{Value, json};
use std::path::{Path, PathBuf};

fn read_back(text: &str) -> Vec<Value> {
    crdgen_yaml::parse(text, Default::default())
        .unwrap_or_else(|e| panic!("the written YAML does not read back: {e}\n{text}"))
        .iter()
        .map(|d| d.root.to_json())
        .collect()
}

#[test]
fn writes_what_sigs_k8s_io_yaml_writes() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/write");
    let mut names: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/write")
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    names.sort();
    assert_eq!(names.len(), 4, "fixtures in {}", dir.display());
    for json_path in names {
        let v: Value = serde_json::from_str(&std::fs::read_to_string(&json_path).unwrap()).unwrap();
        let expected = std::fs::read_to_string(json_path.with_extension("yaml")).unwrap();
        let got = crdgen_yaml::to_yaml(&v);
        assert!(
            got == expected,
            "{}:\n{}",
            json_path.display(),
            line_diff(&expected, &got)
        );
        // Go writes -0 as 0 (an integral float is an integer), so numbers compare by value.
        // `spec.uni` is left out: go-yaml treats U+2028 as a line break and writes the
        // indentation after it inside the quotes, which this (YAML 1.2) reader keeps.
        let mut back = read_back(&got);
        let mut v = v;
        for x in back.iter_mut().chain([&mut v]) {
            if let Some(spec) = x.get_mut("spec").and_then(Value::as_object_mut) {
                spec.remove("uni");
            }
        }
        assert!(
            back.len() == 1 && same(&v, &back[0]),
            "{} read back: {}",
            json_path.display(),
            first_difference(&v, &back[0], "")
        );
    }
}

/// JSON equality with numbers compared by value (`-0` is `0`).
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, va)| y.get(k).is_some_and(|vb| same(va, vb)))
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(va, vb)| same(va, vb))
        }
        _ => a == b,
    }
}

/// Where two JSON values first differ.
fn first_difference(a: &Value, b: &Value, path: &str) -> String {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) if x.len() == y.len() => {
            for (k, va) in x {
                match y.get(k) {
                    Some(vb) if same(va, vb) => {}
                    Some(vb) => return first_difference(va, vb, &format!("{path}.{k}")),
                    None => return format!("{path}.{k} missing"),
                }
            }
            format!("{path}: equal")
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (va, vb)) in x.iter().zip(y).enumerate() {
                if !same(va, vb) {
                    return first_difference(va, vb, &format!("{path}[{i}]"));
                }
            }
            format!("{path}: equal")
        }
        _ => format!("{path}: written {a:?}, read back {b:?}"),
    }
}

/// The first differing line, for a readable failure.
fn line_diff(expected: &str, got: &str) -> String {
    for (i, (e, g)) in expected.lines().zip(got.lines()).enumerate() {
        if e != g {
            return format!("line {}:\n  kubectl: {e:?}\n  crdgen:  {g:?}", i + 1);
        }
    }
    format!(
        "{} lines from kubectl, {} written",
        expected.lines().count(),
        got.lines().count()
    )
}

/// The in-memory server's YAML answer of the recording `error-invalid-body` (a Widget
/// created from YAML), as kube-apiserver v1.36.2 wrote it.
#[test]
fn the_recorded_server_answer() {
    let v = json!({"apiVersion": "e2e.example.com/v1", "kind": "Widget", "metadata": {
        "creationTimestamp": "2026-12-06T08:56:24Z", "generation": 1,
        "managedFields": [{"apiVersion": "e2e.example.com/v1", "fieldsType": "FieldsV1",
            "fieldsV1": {"f:spec": {".": {}, "f:color": {}, "f:replicas": {}}},
            "manager": "unknown", "operation": "Update", "time": "2026-12-06T08:56:24Z"}],
        "name": "from-yaml", "resourceVersion": "296", "uid": "927f8dc9-29df-4f78-9d5e-2f9a35984d73"},
        "spec": {"color": "green", "replicas": 1, "settings": {"retry": {"backoff": "1s"}}}});
    assert_eq!(
        crdgen_yaml::to_yaml(&v),
        "apiVersion: e2e.example.com/v1\nkind: Widget\nmetadata:\n  creationTimestamp: \"2026-12-06T08:56:24Z\"\n  generation: 1\n  managedFields:\n  - apiVersion: e2e.example.com/v1\n    fieldsType: FieldsV1\n    fieldsV1:\n      f:spec:\n        .: {}\n        f:color: {}\n        f:replicas: {}\n    manager: unknown\n    operation: Update\n    time: \"2026-12-06T08:56:24Z\"\n  name: from-yaml\n  resourceVersion: \"296\"\n  uid: 927f8dc9-29df-4f78-9d5e-2f9a35984d73\nspec:\n  color: green\n  replicas: 1\n  settings:\n    retry:\n      backoff: 1s\n"
    );
}

/// Characters kubectl cannot read (so no recorded case holds them) are written with
/// go-yaml's escapes (`yaml_emitter_write_double_quoted_scalar`).
#[test]
fn control_characters_are_escaped_as_go_yaml_escapes_them() {
    let v = json!({"s": "a\u{0}b\u{7}\u{8}\u{b}\u{c}\u{1b}\u{1}\u{7f}\u{85}\u{2029}\u{fffe}"});
    let text = crdgen_yaml::to_yaml(&v);
    assert_eq!(text, "s: \"a\\0b\\a\\b\\v\\f\\e\\x01\\x7F\\N\\P\\uFFFE\"\n");
}

#[test]
fn roots_and_empty_collections() {
    assert_eq!(crdgen_yaml::to_yaml(&json!({})), "{}\n");
    assert_eq!(crdgen_yaml::to_yaml(&json!([])), "[]\n");
    assert_eq!(
        crdgen_yaml::to_yaml(&json!([1, [2, {"a": []}]])),
        "- 1\n- - 2\n  - a: []\n"
    );
    assert_eq!(crdgen_yaml::to_yaml(&json!("x")), "x\n");
}

/// Strings any reader could take for something else, written and read back.
#[test]
fn strings_read_back_as_written() {
    let v = json!({
        "a": ["true", "1", "null", "", " x", "x ", "a: b", "a #b", "~", "yes", "0x1f", "1e3",
              ".inf", "-", "- x", "#c", "*x", "&x", "!t", "@x", "%x", "`x", "'q'", "\"d\"",
              "x:", "tab\there", "ctl\u{1}", "é", "multi\nline", "  lead\nx", "trail\n", "two\n\n",
              "\n", "a\n  b\n\nc", "1:20", "2001-12-14", "<<", "0o17", "1_000"],
        "": 1, "1": 2.5, "null": null, "yes": true, "k": {}, "l": [], "n": [[1, [2]], {"x": [{"y": 1}]}],
    });
    let text = crdgen_yaml::to_yaml(&v);
    assert_eq!(read_back(&text), vec![v], "{text}");
    assert!(!text.contains("- a: b"));
    assert!(text.contains("|-\n"));
}

fn corpus_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("CRDGEN_CORPUS_DIR") {
        return PathBuf::from(d);
    }
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let shared = here.join("../../shared/corpus");
    if shared.is_dir() {
        shared
    } else {
        here.join("../tests/corpus/data")
    }
}

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries {
        let p = e.expect("a directory entry").path();
        if p.is_dir() {
            yaml_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "yaml" || x == "yml") {
            out.push(p);
        }
    }
}

#[test]
fn corpus_crds_read_back_as_written() {
    let dir = corpus_dir().join("crds");
    let mut files = Vec::new();
    yaml_files(&dir, &mut files);
    files.sort();
    assert!(
        !files.is_empty(),
        "no CRDs under {} (set CRDGEN_CORPUS_DIR)",
        dir.display()
    );
    let mut documents = 0;
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        let docs = crdgen_yaml::parse(&text, Default::default())
            .unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        for d in docs {
            let v = d.root.to_json();
            let written = crdgen_yaml::to_yaml(&v);
            let back = read_back(&written);
            assert!(
                back == vec![v.clone()],
                "{}: {}",
                f.display(),
                first_difference(&v, &back[0], "")
            );
            documents += 1;
        }
    }
    eprintln!(
        "{documents} documents of {} files written and read back",
        files.len()
    );
}
