//! The corpus round trip, held to what a real kube-apiserver v1.36.2 stored
//! (`truth/` of the corpus; see its README).
//!
//! For every example object whose CRD was generated (see build.rs):
//! - the **typed round trip** (the object's YAML read as the project reads YAML, decoded
//!   into the generated type, encoded again) must equal the server's stored form,
//!   server-set metadata aside (uid, creationTimestamp, generation, ..., the namespace
//!   kubectl fills in); objects the server refused only under strict field validation
//!   are compared with their lenient stored form (`truth/stored-lenient`); objects the
//!   server refused are counted as rejected;
//! - the **model** of the server (`schema::prune` + `apply_defaults`, what the in-memory
//!   server does) must give the same stored form, prune exactly the unknown fields the
//!   server named, and accept what the server stored. Rejected objects the model
//!   accepts are listed when the server refused them for a reason outside the schema
//!   model (CEL rules, metadata names, a CRD it refused), and are differences otherwise.
//!
//! Then a synthesized document per generated kind, filling every declared field, must
//! come back from the typed round trip as the model stores it.
//!
//! `CRDGEN_CORPUS_REPORT=<file>` writes one tab-separated line per outcome
//! (`equal`, `differ`, `rejected`, `crd-error`, `model-equal`, `model-differ`,
//! `model-accepts`, `sample-pass`, `sample-fail`; then the object and the detail),
//! which `roundtrip-all.sh` adds up.

mod support;

use serde_json::Value;
use support::{
    Truth, Verdict, VersionSchema, differences, model_stored, prepare_for_create, read_tsv,
    read_yaml, same, unknown_fields, without_server_set,
};

/// The report: outcome, what, detail (tabs and newlines in the detail made spaces).
#[derive(Default)]
struct Report {
    lines: Vec<(String, String, String)>,
}

impl Report {
    fn add(&mut self, outcome: &str, what: &str, detail: &str) {
        let detail = detail.replace(['\t', '\n'], " ");
        self.lines
            .push((outcome.to_owned(), what.to_owned(), detail));
    }
    fn count(&self, outcome: &str) -> usize {
        self.lines.iter().filter(|l| l.0 == outcome).count()
    }
    fn each(&self, outcome: &str) -> impl Iterator<Item = &(String, String, String)> {
        self.lines.iter().filter(move |l| l.0 == outcome)
    }
}

/// How many differences to list per object.
const DIFF_LIMIT: usize = 5;

#[test]
#[cfg_attr(
    corpus_empty,
    ignore = "CRDGEN_CORPUS=none: no CRD generated, nothing to round-trip"
)]
fn corpus_round_trips_to_the_servers_stored_form() {
    assert!(
        !crdgen_corpus_tests::KINDS.is_empty(),
        "the selected CRDs generated no kind"
    );
    let (schemas, unreadable_crds) = support::schemas(crdgen_corpus_tests::CRD_FILES);
    let mut report = Report::default();
    for (file, message) in crdgen_corpus_tests::CRD_REFUSED {
        report.add("crd-error", file, &format!("crdgen refused it: {message}"));
    }
    for (file, e) in &unreadable_crds {
        if !crdgen_corpus_tests::CRD_REFUSED
            .iter()
            .any(|r| r.0 == *file)
        {
            report.add("crd-error", file, &format!("unreadable: {e}"));
        }
    }
    let truth = Truth::load().unwrap_or_else(|e| panic!("the server's answers: {e}"));
    let objects = read_tsv(&support::corpus_dir().join("OBJECTS.tsv"))
        .unwrap_or_else(|e| panic!("the object list: {e}"));

    // 1. The example objects of the generated CRDs.
    for row in &objects {
        let col = |k: &str| row.get(k).map(String::as_str).unwrap_or_default();
        if !crdgen_corpus_tests::CRD_FILES.contains(&col("crd_file")) {
            continue;
        }
        let file = col("file");
        let key = (
            col("group").to_owned(),
            col("version").to_owned(),
            col("kind").to_owned(),
        );
        let version = schemas.get(&key).filter(|v| v.served);
        let refused = crdgen_corpus_tests::CRD_REFUSED
            .iter()
            .find(|r| r.0 == col("crd_file"));
        match truth.verdict(file) {
            Ok(Verdict::Stored(_) | Verdict::StoredLeniently { .. }) if refused.is_some() => {
                report.add("differ", file, "crdgen refused its CRD")
            }
            Err(e) => report.add("differ", file, &format!("the server's answer: {e}")),
            Ok(Verdict::Rejected(message)) => {
                report.add("rejected", file, &message);
                if model_accepts(file, version) {
                    match why_outside_the_model(&truth, col("crd_file"), version, &message) {
                        Some(why) => report.add(
                            "model-accepts",
                            file,
                            &format!("{why}; the server said: {message}"),
                        ),
                        None => report.add(
                            "model-differ",
                            file,
                            &format!("the model accepts what the server refused: {message}"),
                        ),
                    }
                }
            }
            Ok(Verdict::Stored(stored)) => {
                check_stored(&mut report, file, &key, version, &stored, &[]);
            }
            Ok(Verdict::StoredLeniently { strict, stored }) => {
                let unknown = unknown_fields(&strict);
                check_stored(&mut report, file, &key, version, &stored, &unknown);
            }
        }
    }

    // 2. A synthesized document per generated kind.
    for (group, version, kind) in crdgen_corpus_tests::KINDS {
        let key = (group.to_string(), version.to_string(), kind.to_string());
        let api_version = if group.is_empty() {
            version.to_string()
        } else {
            format!("{group}/{version}")
        };
        let what = format!("{api_version} {kind}");
        let Some(found) = schemas.get(&key) else {
            report.add(
                "sample-fail",
                &what,
                "no schema found for the generated kind",
            );
            continue;
        };
        let mut seed = 7;
        let mut obj = support::sample::sample(&found.schema, 12, &mut seed);
        obj["apiVersion"] = Value::from(api_version.clone());
        obj["kind"] = Value::from(*kind);
        obj["metadata"] = serde_json::json!({"name": "sample", "labels": {"a": "b"}});
        let (expected, _) = model_stored(obj.clone(), found, false);
        match crdgen_corpus_tests::roundtrip(&api_version, kind, obj) {
            None => report.add("sample-fail", &what, "no generated type dispatches"),
            Some(Err(e)) => report.add("sample-fail", &what, &e),
            Some(Ok(actual)) => {
                if same(&expected, &actual) {
                    report.add("sample-pass", &what, "");
                } else {
                    let d = differences(&expected, &actual, DIFF_LIMIT).join("; ");
                    report.add("sample-fail", &what, &d);
                }
            }
        }
    }

    if let Some(path) = std::env::var_os("CRDGEN_CORPUS_REPORT") {
        let text: String = report
            .lines
            .iter()
            .map(|(o, w, d)| format!("{o}\t{w}\t{d}\n"))
            .collect();
        std::fs::write(&path, text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }

    let (equal, differ, rejected) = (
        report.count("equal"),
        report.count("differ"),
        report.count("rejected"),
    );
    eprintln!(
        "roundtrip: {equal} equal to the server's stored form, {differ} differ, {rejected} rejected by the server"
    );
    for (_, what, detail) in report.each("differ") {
        eprintln!("  differs: {what}: {detail}");
    }
    for (_, what, detail) in report.each("crd-error") {
        eprintln!("  CRD: {what}: {detail}");
    }
    eprintln!(
        "model (prune + apply_defaults): {} equal to the server's stored form, {} differ",
        report.count("model-equal"),
        report
            .lines
            .iter()
            .filter(|l| l.0 == "model-differ")
            .map(|l| &l.1)
            .collect::<std::collections::BTreeSet<_>>()
            .len()
    );
    for (_, what, detail) in report.each("model-differ") {
        eprintln!("  model differs: {what}: {detail}");
    }
    eprintln!(
        "rejected by the server, accepted by the model: {}",
        report.count("model-accepts")
    );
    for (_, what, detail) in report.each("model-accepts") {
        eprintln!("  {what}: {detail}");
    }
    eprintln!(
        "synthesized samples: {} of {} round-trip",
        report.count("sample-pass"),
        report.count("sample-pass") + report.count("sample-fail")
    );
    for (_, what, detail) in report.each("sample-fail") {
        eprintln!("  sample fails: {what}: {detail}");
    }
    let failures = differ
        + report.count("crd-error")
        + report.count("model-differ")
        + report.count("sample-fail");
    assert!(
        equal > 0 || rejected > 0,
        "no example object of the selected CRDs was checked"
    );
    assert_eq!(failures, 0, "{failures} differences (see the report above)");
}

/// Compare the typed round trip and the model with what the server stored for `file`.
/// `unknown` are the fields the server named under strict validation (empty when it
/// accepted the object as sent).
fn check_stored(
    report: &mut Report,
    file: &str,
    key: &support::Gvk,
    version: Option<&VersionSchema>,
    stored: &Value,
    unknown: &[String],
) {
    let sent = match read_yaml(&support::corpus_dir().join(file)) {
        Ok(docs) if docs.len() == 1 => docs.into_iter().next().expect("one document"),
        Ok(docs) => {
            let n = docs.len();
            report.add("differ", file, &format!("{n} YAML documents, expected one"));
            return;
        }
        Err(e) => {
            report.add("differ", file, &format!("unreadable: {e}"));
            return;
        }
    };
    let Some(version) = version else {
        let (g, v, k) = key;
        report.add(
            "differ",
            file,
            &format!("the server stored it, but no served version {g}/{v} {k} was generated"),
        );
        return;
    };
    let expected = without_server_set(stored, &sent);

    // The typed round trip, of what the server keeps of the object on create.
    let api_version = sent["apiVersion"].as_str().unwrap_or_default();
    let mut created = sent.clone();
    prepare_for_create(&mut created, version);
    match crdgen_corpus_tests::roundtrip(api_version, &key.2, created) {
        None => report.add(
            "differ",
            file,
            &format!("no generated type for {api_version} {}", key.2),
        ),
        Some(Err(e)) => report.add("differ", file, &format!("typed: {e}")),
        Some(Ok(typed)) => {
            let typed = without_server_set(&typed, &sent);
            if same(&expected, &typed) {
                report.add("equal", file, "");
            } else {
                let d = differences(&expected, &typed, DIFF_LIMIT).join("; ");
                report.add("differ", file, &format!("typed: {d}"));
            }
        }
    }

    // The model.
    let (model, pruned) = model_stored(sent.clone(), version, true);
    let model = without_server_set(&model, &sent);
    let mut model_ok = true;
    if !same(&expected, &model) {
        model_ok = false;
        let d = differences(&expected, &model, DIFF_LIMIT).join("; ");
        report.add("model-differ", file, &format!("stored form: {d}"));
    }
    if pruned != unknown {
        model_ok = false;
        report.add(
            "model-differ",
            file,
            &format!("unknown fields: the server named {unknown:?}, the model pruned {pruned:?}"),
        );
    }
    let problems = crdgen_runtime::schema::validate(&model, &version.schema);
    if let Some(first) = problems.first() {
        model_ok = false;
        report.add(
            "model-differ",
            file,
            &format!(
                "the model refuses what the server stored: {}: {} ({} problems)",
                first.field,
                first.body(),
                problems.len()
            ),
        );
    }
    if model_ok {
        report.add("model-equal", file, "");
    }
}

/// Whether the model (pruning under strict field validation, defaulting, schema
/// validation) would store an object the server rejected.
fn model_accepts(file: &str, version: Option<&VersionSchema>) -> bool {
    let Some(version) = version else {
        return false;
    };
    let Some(sent) = read_yaml(&support::corpus_dir().join(file))
        .ok()
        .and_then(|d| d.into_iter().next())
    else {
        return false;
    };
    let (model, pruned) = model_stored(sent, version, true);
    pruned.is_empty() && crdgen_runtime::schema::validate(&model, &version.schema).is_empty()
}

/// Why the server refused an object the schema model accepts, when it is a check the
/// model does not make; `None` otherwise (a model bug).
fn why_outside_the_model(
    truth: &Truth,
    crd_file: &str,
    version: Option<&VersionSchema>,
    message: &str,
) -> Option<&'static str> {
    if truth.crd_refused(crd_file).is_some() {
        Some("the server refused to install its CRD (CRD validation is not the object model)")
    } else if message.contains("metadata.name: Invalid value") {
        Some("metadata names are checked outside the schema model")
    } else if version.is_some_and(|v| v.schema.to_string().contains("x-kubernetes-validations")) {
        Some(
            "its schema has CEL rules (x-kubernetes-validations), which the model does not evaluate",
        )
    } else {
        None
    }
}
