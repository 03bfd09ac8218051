//! CRD admission (crdgen-apiext) against what a real kube-apiserver v1.36.2 answered for
//! every corpus CRD (`../shared/corpus/truth/crds.tsv`): the same CRDs refused, with the
//! same messages (as kubectl printed them), and none of the accepted ones refused.

mod support;

use std::path::Path;

use crdgen::input::yaml;

fn crd_json(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).expect("readable CRD");
    let docs = yaml::parse(&text, yaml::Limits::default()).expect("valid YAML");
    docs.into_iter()
        .map(|d| d.root.to_json())
        .find(|j| j["kind"] == "CustomResourceDefinition")
        .expect("a CRD document")
}

#[test]
fn corpus_crds_are_refused_exactly_as_the_server_refused_them() {
    let Some(crds) = support::corpus() else {
        panic!(
            "the corpus (../shared/corpus) is missing: this test compares with its truth/crds.tsv"
        );
    };
    let base = crds.parent().expect("corpus folder");
    let tsv = std::fs::read_to_string(base.join("truth/crds.tsv")).expect("truth/crds.tsv");
    let (mut ok, mut refused, mut failures) = (0, 0, Vec::new());
    for line in tsv.lines().skip(1) {
        let mut cols = line.splitn(3, '\t');
        let (file, status, message) = (
            cols.next().unwrap(),
            cols.next().unwrap(),
            cols.next().unwrap_or(""),
        );
        let crd = crd_json(&base.join(file));
        let errors = crdgen_apiext::validate(&crd);
        let name = crd["metadata"]["name"].as_str().unwrap_or_default();
        match status {
            "ok" => {
                ok += 1;
                if !errors.is_empty() {
                    failures.push(format!(
                        "{file}: the server accepted it, we refuse it:\n  {}",
                        crdgen_apiext::kubectl_message(name, &errors)
                    ));
                }
            }
            _ => {
                refused += 1;
                // kubectl's lines, joined with " | " in the TSV; long messages were cut with "...".
                let ours = crdgen_apiext::kubectl_message(name, &errors)
                    .replace(" \n", " ")
                    .replace('\n', " | ");
                let same = match message.strip_suffix("...") {
                    Some(prefix) => ours.starts_with(prefix),
                    // An empty list of causes was recorded for one CRD: only the refusal is comparable.
                    None if message.ends_with("is invalid: ") => !errors.is_empty(),
                    None => ours == message,
                };
                if !same {
                    failures.push(format!("{file}:\n  server: {message}\n  ours:   {ours}"));
                }
            }
        }
    }
    // The full corpus lists 492 CRDs, the vendored CI subset 159: a folder that lists
    // none has nothing to compare, which must not pass.
    assert!(ok + refused > 0, "{}: lists no CRDs", base.display());
    eprintln!(
        "{ok} accepted, {refused} refused by the server; {} differ",
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {} CRDs differ:\n{}",
        failures.len(),
        ok + refused,
        failures.join("\n")
    );
}
