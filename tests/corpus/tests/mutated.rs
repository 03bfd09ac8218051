//! Mutated objects: every schema keyword the API server enforces, violated once in a
//! corpus object the real server accepted, and the answer checked against the wording
//! the real server used.
//!
//! For each keyword, objects accepted by kube-apiserver v1.36.2 (`ok` in
//! `truth/objects.tsv`) whose CRD schema declares the keyword at a node the object
//! reaches are mutated once so that only that keyword fails (`support/mutations.rs`
//! says where that holds); up to [`PER_KEYWORD`] mutations per keyword, projects taken
//! in turn, all in sorted order (no randomness). Each mutated object is created in the
//! in-memory server (strict field validation, dry run) and must be refused with `422`
//! and exactly the expected causes; `Validator::validate` must give the same causes.
//!
//! The expected wording is not written here: `KEYWORDS` (`support/expected.rs`)
//! points at a cause the real server gave in `apiserver-recordings/recorded/*.jsonl`
//! and names that recording's path, value and limit, which the mutation's own replace
//! (`support/wording.rs`). Keywords the recordings never show failing are checked on
//! field and reason only and printed as `wording not recorded`. CEL rules
//! (`x-kubernetes-validations`) are violated by the hand-picked mutations of `CEL`;
//! the message expected is read from the CRD's rule.
//!
//! Corpus: `CRDGEN_CORPUS_DIR`, else `../shared/corpus` beside the repository, else
//! the vendored subset `tests/corpus/data`. Recordings: `../shared/apiserver-recordings`,
//! else the vendored `tests/apiserver-recordings`. Prints `mutated: N keywords, M
//! mutations, all rejected as recorded` and one line per keyword; a keyword no object
//! can violate is listed as not covered with the reason, and fails the test on a full
//! corpus unless `NOT_COVERABLE` explains why no corpus object can reach it.

#[path = "support/expected.rs"]
mod expected;
#[path = "support/mutations.rs"]
mod mutations;
#[allow(dead_code)]
mod support;
#[path = "support/wording.rs"]
mod wording;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use crdgen_runtime::schema::Validator;
use crdgen_runtime::tracker::{FieldValidation, Gvr, Tracker, WriteOptions};
use expected::{CEL, KEYWORDS, NOT_COVERABLE};
use mutations::{Kept, Mutation, Op, Walk};
use serde_json::{Value, json};
use support::{read_tsv, read_yaml};
use wording::{Cause, Recordings, Template};

/// Mutations per keyword (projects taken in turn).
const PER_KEYWORD: usize = 5;

/// Differences from the server known and explained: (keyword, `tracker` or
/// `validator`, why). The test fails when one of them no longer differs.
const KNOWN: &[(&str, &str, &str)] = &[];

/// Errors after which the server does not run the CEL rules (and says so in a last
/// cause), as the recordings show: type, required, enum, too long, too many.
const BLOCKING: &[&str] = &[
    "FieldValueTypeInvalid",
    "FieldValueRequired",
    "FieldValueNotSupported",
    "FieldValueTooLong",
    "FieldValueTooMany",
];

/// One kind of one CRD file: its CRD document, the version's schema, compiled.
struct Kind {
    crd: Value,
    validator: Result<Validator, String>,
}

/// The in-memory server and the corpus' CRDs.
struct Env {
    dir: PathBuf,
    tracker: Tracker,
    installed: BTreeMap<String, Result<(), String>>,
    kinds: BTreeMap<(String, String), Option<Kind>>,
}

impl Env {
    fn kind(&mut self, crd_file: &str, group: &str, kind: &str) -> Option<&Kind> {
        let key = (crd_file.to_owned(), format!("{group}/{kind}"));
        if !self.kinds.contains_key(&key) {
            let docs = read_yaml(&self.dir.join(crd_file)).unwrap_or_default();
            let crd = docs.into_iter().find(|d| {
                d.pointer("/spec/group").and_then(Value::as_str) == Some(group)
                    && d.pointer("/spec/names/kind").and_then(Value::as_str) == Some(kind)
            });
            let k = crd.map(|crd| Kind {
                validator: Validator::from_crd(&crd)
                    .map_err(|e| format!("{} CEL rules do not compile", e.len())),
                crd,
            });
            self.kinds.insert(key.clone(), k);
        }
        self.kinds[&key].as_ref()
    }

    fn install(&mut self, crd_file: &str) -> Result<(), String> {
        if let Some(r) = self.installed.get(crd_file) {
            return r.clone();
        }
        let r = read_yaml(&self.dir.join(crd_file))
            .and_then(|docs| docs.iter().try_for_each(|c| self.tracker.register_crd(c)));
        self.installed.insert(crd_file.to_owned(), r.clone());
        r
    }

    /// Create `obj` (strict, dry run): Ok(causes of the 422), Err(what happened instead).
    fn create(&mut self, crd_file: &str, obj: &Value) -> Result<Vec<Cause>, String> {
        self.install(crd_file)?;
        let api_version = obj["apiVersion"].as_str().unwrap_or_default();
        let (group, version) = api_version.rsplit_once('/').unwrap_or(("", api_version));
        let kind = obj["kind"].as_str().unwrap_or_default();
        let info = self
            .tracker
            .kinds()
            .into_iter()
            .find(|k| k.group == group && k.kind == kind && k.served_version(version).is_some())
            .ok_or_else(|| format!("{kind} {api_version} not served"))?;
        let ns = obj.pointer("/metadata/namespace").and_then(Value::as_str);
        let namespace = info.namespaced.then(|| ns.unwrap_or("default").to_owned());
        let opts = WriteOptions {
            dry_run: true,
            field_validation: FieldValidation::Strict,
            ..WriteOptions::default()
        };
        let gvr = Gvr::new(group, version, info.plural.clone());
        match self
            .tracker
            .create(&gvr, namespace.as_deref(), obj.clone(), &opts)
        {
            Ok(_) => Err("accepted".to_owned()),
            Err(e) if e.reason() == "Invalid" => Ok(e
                .status
                .pointer("/details/causes")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(|c| Cause {
                    field: c["field"].as_str().unwrap_or_default().to_owned(),
                    reason: c["reason"].as_str().unwrap_or_default().to_owned(),
                    message: c["message"].as_str().map(str::to_owned),
                })
                .collect()),
            Err(e) => Err(format!("{}: {}", e.reason(), e.message())),
        }
    }
}

fn validator_causes(v: &Validator, obj: &Value) -> Vec<Cause> {
    match v.validate(obj) {
        Ok(()) => Vec::new(),
        Err(invalid) => invalid
            .errors
            .iter()
            .map(|e| Cause {
                field: e.field.clone(),
                reason: e.kind.reason().to_owned(),
                message: Some(e.body()),
            })
            .collect(),
    }
}

/// The causes equal the expected ones, in order.
fn same_causes(expected: &[Cause], actual: &[Cause]) -> bool {
    expected.len() == actual.len() && expected.iter().zip(actual).all(|(e, a)| e.matches(a))
}

fn show(causes: &[Cause]) -> String {
    causes
        .iter()
        .map(|c| format!("\n          {c}"))
        .collect::<String>()
}

/// Whether a schema has CEL rules anywhere (then blocking errors add the marker cause).
fn has_rules(s: &Value) -> bool {
    match s {
        Value::Object(m) => m.contains_key("x-kubernetes-validations") || m.values().any(has_rules),
        Value::Array(a) => a.iter().any(has_rules),
        _ => false,
    }
}

/// The schema node at a field path (`spec.ports[0].port`), through properties,
/// additionalProperties and items.
fn schema_at<'a>(schema: &'a Value, path: &str) -> Option<&'a Value> {
    let mut s = schema;
    for part in path.split('.').filter(|p| !p.is_empty()) {
        let name = part.split('[').next().unwrap_or(part);
        s = s["properties"]
            .get(name)
            .or_else(|| s.get("additionalProperties").filter(|a| a.is_object()))?;
        for _ in part.matches('[') {
            s = s.get("items")?;
        }
    }
    Some(s)
}

/// One object of the corpus, accepted by the real server.
struct Object {
    file: String,
    project: String,
    crd_file: String,
    group: String,
    version: String,
    kind: String,
    value: Value,
}

/// Per keyword: what was checked and what failed.
#[derive(Default)]
struct Outcome {
    mutations: usize,
    projects: BTreeSet<String>,
    source: String,
    failures: Vec<String>,
}

#[test]
fn every_keyword_violated_once_is_rejected_as_recorded() {
    let dir = support::corpus();
    let vendored = dir.ends_with("tests/corpus/data") || dir.ends_with("corpus/data");
    let rows = read_tsv(&dir.join("OBJECTS.tsv")).unwrap_or_else(|e| panic!("{e}"));
    let truth: BTreeMap<String, String> = read_tsv(&dir.join("truth/objects.tsv"))
        .unwrap_or_else(|e| panic!("{e}"))
        .into_iter()
        .map(|mut r| {
            (
                r.remove("file").unwrap_or_default(),
                r.remove("status").unwrap_or_default(),
            )
        })
        .collect();
    let mut objects: Vec<Object> = Vec::new();
    for r in &rows {
        if truth.get(&r["file"]).map(String::as_str) != Some("ok") {
            continue;
        }
        let docs = read_yaml(&dir.join(&r["file"])).unwrap_or_else(|e| panic!("{e}"));
        let Some(value) = docs.into_iter().find(|d| !d.is_null()) else {
            continue;
        };
        objects.push(Object {
            file: r["file"].clone(),
            project: r["project"].clone(),
            crd_file: r["crd_file"].clone(),
            group: r["group"].clone(),
            version: r["version"].clone(),
            kind: r["kind"].clone(),
            value,
        });
    }
    objects.sort_by(|a, b| a.file.cmp(&b.file));
    assert!(
        !objects.is_empty(),
        "{}: no accepted objects",
        dir.display()
    );

    let mut env = Env {
        dir: dir.clone(),
        tracker: Tracker::new(),
        installed: BTreeMap::new(),
        kinds: BTreeMap::new(),
    };
    let mut recordings = Recordings::new(wording::recordings_dir());
    let marker = recordings
        .cause("validate-required", 1, 1)
        .unwrap_or_else(|e| panic!("{e}"));

    // Walk every accepted object with its schema.
    let mut kept = Kept {
        cap: PER_KEYWORD,
        by: BTreeMap::new(),
    };
    let mut scale_paths: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for o in &objects {
        let Some(k) = env.kind(&o.crd_file, &o.group, &o.kind) else {
            continue;
        };
        let Some(v) = k.crd["spec"]["versions"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|v| v["name"] == json!(o.version))
        else {
            continue;
        };
        let spec = &k.crd["spec"];
        let sub = |key: &str| {
            let s = &v["subresources"][key];
            if s.is_null() {
                &spec["subresources"][key]
            } else {
                s
            }
        };
        let scale: Vec<String> = [
            "specReplicasPath",
            "statusReplicasPath",
            "labelSelectorPath",
        ]
        .iter()
        .filter_map(|p| sub("scale")[*p].as_str())
        .map(|p| p.trim_start_matches('.').to_owned())
        .collect();
        scale_paths.insert(o.file.clone(), scale.clone());
        let schema = &v["schema"]["openAPIV3Schema"];
        let drop_status = sub("status").is_object();
        let mut add = |m: Mutation| kept.add(&o.project, &o.file, m);
        let mut walk = Walk {
            scale_paths: &scale,
            out: &mut add,
        };
        walk.object(&o.value, schema, drop_status);
    }

    let by_file: BTreeMap<&str, &Object> = objects.iter().map(|o| (o.file.as_str(), o)).collect();
    let mut outcomes: BTreeMap<&str, Outcome> = BTreeMap::new();
    let mut baseline: BTreeMap<String, Result<(), String>> = BTreeMap::new();
    let mut total = 0;

    // Run one mutation: both answers against the expected causes.
    let mut check = |env: &mut Env,
                     out: &mut Outcome,
                     o: &Object,
                     label: String,
                     mutated: Value,
                     mut expected: Vec<Cause>| {
        let base = baseline
            .entry(o.file.clone())
            .or_insert_with(|| match env.create(&o.crd_file, &o.value) {
                Err(e) if e == "accepted" => Ok(()),
                Ok(c) => Err(format!("crdgen refuses the unmutated object:{}", show(&c))),
                Err(e) => Err(e),
            })
            .clone();
        if let Err(e) = base {
            out.failures.push(format!("{label}: {e}"));
            return;
        }
        let k = env
            .kind(&o.crd_file, &o.group, &o.kind)
            .expect("walked before");
        let rules = k.crd["spec"]["versions"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|v| v["name"] == json!(o.version) && has_rules(&v["schema"]));
        if rules
            && expected
                .iter()
                .any(|c| BLOCKING.contains(&c.reason.as_str()))
        {
            expected.push(marker.clone());
        }
        let client = match &k.validator {
            Ok(v) => Ok(validator_causes(v, &mutated)),
            Err(e) => Err(e.clone()),
        };
        out.mutations += 1;
        out.projects.insert(o.project.clone());
        match env.create(&o.crd_file, &mutated) {
            Ok(got) if same_causes(&expected, &got) => {}
            Ok(got) => out.failures.push(format!(
                "{label}: tracker\n        expected:{}\n        got:{}",
                show(&expected),
                show(&got)
            )),
            Err(e) => out.failures.push(format!(
                "{label}: tracker did not answer 422 ({e})\n        expected:{}",
                show(&expected)
            )),
        }
        match client {
            Ok(got) if same_causes(&expected, &got) => {}
            Ok(got) => out.failures.push(format!(
                "{label}: validator\n        expected:{}\n        got:{}",
                show(&expected),
                show(&got)
            )),
            Err(e) => out.failures.push(format!("{label}: validator: {e}")),
        }
    };

    for (keyword, recorded, reason) in KEYWORDS {
        let out = outcomes.entry(keyword).or_default();
        let template: Option<Template> = recorded.as_ref().map(|r| {
            recordings
                .template(r)
                .unwrap_or_else(|e| panic!("{keyword}: {e}"))
        });
        out.source = match &template {
            Some(t) => t.source.clone(),
            None => "wording not recorded".to_owned(),
        };
        if keyword.starts_with("x-kubernetes-validations") {
            continue;
        }
        for (_, file, m) in kept.pick(keyword, PER_KEYWORD) {
            let o = by_file[file.as_str()];
            let expected = vec![match &template {
                Some(t) => t.cause(&m.path, &m.value, &m.limit),
                None => Cause {
                    field: m.path.clone(),
                    reason: (*reason).to_owned(),
                    message: None,
                },
            }];
            let label = format!("{file} {}", describe(&m.op));
            check(&mut env, out, o, label, m.op.apply(&o.value), expected);
            total += 1;
        }
    }

    // CEL rules, by hand.
    for (file, ptr, new, path, message) in CEL {
        let Some(o) = by_file.get(file) else {
            continue; // not in this corpus (the vendored subset)
        };
        let k = env.kind(&o.crd_file, &o.group, &o.kind).expect("walked");
        let version = k.crd["spec"]["versions"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|v| v["name"] == json!(o.version))
            .expect("walked");
        let node = schema_at(&version["schema"]["openAPIV3Schema"], path);
        let rule = node
            .and_then(|n| n["x-kubernetes-validations"].as_array())
            .and_then(|rs| rs.iter().find(|r| r["message"] == json!(message)));
        assert!(
            rule.is_some(),
            "{file}: no rule with message {message:?} at {path}"
        );
        let node = node.expect("found");
        let scalar = !matches!(node["type"].as_str(), Some("object" | "array"));
        let keyword = if scalar {
            "x-kubernetes-validations message (scalar)"
        } else {
            "x-kubernetes-validations message (object)"
        };
        let recorded = KEYWORDS
            .iter()
            .find(|k| k.0 == keyword)
            .and_then(|k| k.1.as_ref())
            .expect("in KEYWORDS");
        let t = recordings
            .template(recorded)
            .unwrap_or_else(|e| panic!("{e}"));
        let value = if scalar {
            mutations::go_value(&new.json()).expect("renderable")
        } else {
            String::new()
        };
        let expected = vec![t.cause(path, &value, message)];
        let op = Op::Set((*ptr).to_owned(), new.json());
        let label = format!("{file} {}", describe(&op));
        let out = outcomes.entry(keyword).or_default();
        check(&mut env, out, o, label, op.apply(&o.value), expected);
        total += 1;
    }

    // Summary.
    let known: BTreeMap<(&str, &str), &str> =
        KNOWN.iter().map(|(k, s, w)| ((*k, *s), *w)).collect();
    let not_coverable: BTreeMap<&str, &str> = NOT_COVERABLE.iter().copied().collect();
    let covered = outcomes.values().filter(|o| o.mutations > 0).count();
    let mut unexpected = Vec::new();
    let mut lines = Vec::new();
    for (keyword, out) in &outcomes {
        if out.mutations == 0 {
            match not_coverable.get(keyword) {
                Some(why) => lines.push(format!("  {keyword}: not covered: {why}")),
                None => {
                    let why =
                        "no accepted object of this corpus reaches a node where only it can fail";
                    lines.push(format!("  {keyword}: not covered: {why}"));
                    if !vendored {
                        unexpected.push(format!("{keyword}: not covered ({why})"));
                    }
                }
            }
            continue;
        }
        if not_coverable.contains_key(keyword) {
            unexpected.push(format!(
                "{keyword}: covered now, remove it from NOT_COVERABLE"
            ));
        }
        lines.push(format!(
            "  {keyword}: {} mutations, {} projects ({}), wording: {}",
            out.mutations,
            out.projects.len(),
            out.projects.iter().cloned().collect::<Vec<_>>().join(", "),
            out.source
        ));
        for f in &out.failures {
            let side = if f.contains(": validator") {
                "validator"
            } else {
                "tracker"
            };
            match known.get(&(*keyword, side)) {
                Some(why) => lines.push(format!("    differs (known: {why}): {f}")),
                None => {
                    lines.push(format!("    DIFFERS: {f}"));
                    unexpected.push(format!("{keyword}: {f}"));
                }
            }
        }
    }
    for (keyword, side, _) in KNOWN {
        let differs = outcomes.get(keyword).is_some_and(|o| {
            o.failures
                .iter()
                .any(|f| (f.contains(": validator")) == (*side == "validator"))
        });
        if !differs && outcomes.get(keyword).is_some_and(|o| o.mutations > 0) {
            unexpected.push(format!(
                "{keyword} ({side}): known difference gone, remove it from KNOWN"
            ));
        }
    }
    let failed = outcomes.values().filter(|o| !o.failures.is_empty()).count();
    println!(
        "mutated: {covered} keywords, {total} mutations, {} ({}; recordings {})",
        if failed == 0 {
            "all rejected as recorded".to_owned()
        } else {
            format!("{failed} keywords with differences")
        },
        dir.display(),
        recordings.dir().display()
    );
    for l in &lines {
        println!("{l}");
    }
    assert!(
        unexpected.is_empty(),
        "{} problems:\n{}",
        unexpected.len(),
        unexpected.join("\n")
    );
}

fn describe(op: &Op) -> String {
    let short = |v: &Value| support::short(v);
    match op {
        Op::Set(p, v) => format!("{p} = {}", short(v)),
        Op::Remove(p) => format!("remove {p}"),
    }
}
