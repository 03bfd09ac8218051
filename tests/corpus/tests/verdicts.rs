//! The corpus verdicts, held to what a real kube-apiserver v1.36.2 answered
//! (`truth/objects.tsv` and `truth/objects-lenient.tsv` of the corpus; see its README).
//!
//! For every example object, as `kubectl create` does it: the object's CRD is installed
//! in crdgen-runtime's in-memory server (the tracker, which refuses what the real server
//! refuses), kubectl's REST mapping is looked up (a kind or version not served is
//! `error: resource mapping not found …`), and the object is created with strict field
//! validation (kubectl's default; `--validate=false`, field validation `Ignore`, for
//! the objects of `objects-lenient.tsv`). The answer is printed as kubectl prints it
//! (`The <Kind> "<name>" is invalid: …` for a 422, `Error from server (<Reason>): error
//! when creating "<file>": <message>` otherwise) and compared with the server's, in the
//! normalised form of the truth files (kubectl's lines trimmed, the first line then the
//! others joined with ` | `).
//!
//! The corpus is `CRDGEN_CORPUS_DIR`, else `../shared/corpus` beside the repository,
//! else the vendored subset `tests/corpus/data`. Prints `verdicts: N of M equal to the
//! server` and every difference; fails on a difference that is not in [`ALLOWED`], and
//! on an allowed one that became equal (the list must shrink with the fixes).
//!
//! The second test holds the client-side [`Validator`] to the in-memory server: for
//! every object the server validates, the validator built from the same CRD gives the
//! same errors (fields and messages, in order), or none when the server creates it.

// Shared with the round trip; this test uses its readers only.
#[allow(dead_code)]
mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crdgen_runtime::schema::Validator;
use crdgen_runtime::tracker::{FieldValidation, Gvr, KindInfo, StatusError, Tracker, WriteOptions};
use serde_json::Value;
use support::{read_tsv, read_yaml};

/// Objects whose verdict differs from the server's, each with the reason.
const ALLOWED: &[(&str, &str)] = &[];

/// What kubectl printed: one line per kubectl output line, trimmed, the first line
/// then the others joined with ` | ` (the truth files' form).
fn normalise(text: &str) -> String {
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    match lines.split_first() {
        None => String::new(),
        Some((first, [])) => (*first).to_owned(),
        Some((first, rest)) => format!("{first} {}", rest.join(" | ")),
    }
}

/// A normalised message with the `* <error>` items of a 422 sorted: kube-openapi visits
/// an object's properties in Go's map order, so the server itself lists sibling fields'
/// errors in varying order (the truth has cluster-api's MachineDeployment_018 in two
/// orders, strict and lenient).
fn canonical(m: &str) -> String {
    let mut parts: Vec<&str> = m.split(" | ").collect();
    let Some(i) = parts[0].find(": * ").filter(|_| parts.len() > 1) else {
        return m.to_owned();
    };
    let (head, first) = parts[0].split_at(i + 2);
    parts[0] = first;
    parts.sort_unstable();
    format!("{head}{}", parts.join(" | "))
}

/// kubectl's `StandardErrorMessage` for an API error of `kubectl create -f <file>`.
fn kubectl_error(file: &str, e: &StatusError) -> String {
    let s = &e.status;
    let causes = s
        .pointer("/details/causes")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if e.reason() == "Invalid" {
        let kind = s.pointer("/details/kind").and_then(Value::as_str);
        let name = s.pointer("/details/name").and_then(Value::as_str);
        let head = match (kind, name) {
            (None, None) => "The request is invalid".to_owned(),
            (k, n) => format!(
                "The {} {:?} is invalid",
                k.unwrap_or_default(),
                n.unwrap_or_default()
            ),
        };
        let errs: Vec<String> = causes
            .iter()
            .map(|c| {
                format!(
                    "{}: {}",
                    c["field"].as_str().unwrap_or_default(),
                    c["message"].as_str().unwrap_or_default()
                )
            })
            .collect();
        return match errs.as_slice() {
            [] => head,
            [one] => format!("{head}: {one}\n"),
            many => {
                let mut out = format!("{head}: \n");
                for m in many {
                    out.push_str(&format!("* {m}\n"));
                }
                out
            }
        };
    }
    format!(
        "Error from server ({}): error when creating {file:?}: {}",
        e.reason(),
        e.message()
    )
}

/// The tracker with the CRDs installed so far, by CRD file (`Err`: the server's refusal),
/// and the client-side validators of the kinds it serves, by (group, kind).
struct Server {
    dir: PathBuf,
    tracker: Tracker,
    crds: BTreeMap<String, Result<(), String>>,
    validators: BTreeMap<(String, String), Validator>,
}

impl Server {
    fn new(dir: PathBuf) -> Self {
        Server {
            dir,
            tracker: Tracker::new(),
            crds: BTreeMap::new(),
            validators: BTreeMap::new(),
        }
    }

    fn install(&mut self, crd_file: &str) -> Result<(), String> {
        if let Some(r) = self.crds.get(crd_file) {
            return r.clone();
        }
        let r = read_yaml(&self.dir.join(crd_file)).and_then(|docs| {
            docs.iter().try_for_each(|crd| {
                self.tracker.register_crd(crd)?;
                let v = Validator::from_crd(crd).map_err(|e| format!("{e:?}"))?;
                let key = |p: &str| crd.pointer(p).and_then(Value::as_str).unwrap_or_default();
                let key = (
                    key("/spec/group").to_owned(),
                    key("/spec/names/kind").to_owned(),
                );
                self.validators.insert(key, v);
                Ok(())
            })
        });
        self.crds.insert(crd_file.to_owned(), r.clone());
        r
    }

    /// The first object of `file`, its CRD installed, and kubectl's REST mapping of it:
    /// the served kind and the namespace it is created in. Err: kubectl's error.
    fn mapped(
        &mut self,
        file: &str,
        crd_file: &str,
    ) -> Result<(Value, Arc<KindInfo>, Option<String>), String> {
        let docs = read_yaml(&self.dir.join(file)).map_err(|e| format!("error: {e}"))?;
        let Some(obj) = docs.into_iter().find(|d| !d.is_null()) else {
            return Err("error: no objects passed to create".to_owned());
        };
        let _ = self.install(crd_file);
        let api_version = obj["apiVersion"].as_str().unwrap_or_default();
        let kind = obj["kind"].as_str().unwrap_or_default();
        let (group, version) = api_version.rsplit_once('/').unwrap_or(("", api_version));
        let meta = |k: &str| obj.pointer(k).and_then(Value::as_str).map(str::to_owned);
        let (name, ns) = (meta("/metadata/name"), meta("/metadata/namespace"));
        let mapped =
            self.tracker.kinds().into_iter().find(|k| {
                k.group == group && k.kind == kind && k.served_version(version).is_some()
            });
        let Some(info) = mapped else {
            return Err(format!(
                "error: resource mapping not found for name: {:?} namespace: {:?} from {file:?}: no matches for kind {kind:?} in version {api_version:?}",
                name.unwrap_or_default(),
                ns.clone().unwrap_or_default(),
            ));
        };
        let namespace = info
            .namespaced
            .then(|| ns.clone().unwrap_or_else(|| "default".to_owned()));
        Ok((obj, info, namespace))
    }

    /// A dry-run create of a mapped object.
    fn dry_run(
        &self,
        obj: Value,
        info: &KindInfo,
        namespace: Option<&str>,
        validation: FieldValidation,
    ) -> Result<(), StatusError> {
        let opts = WriteOptions {
            dry_run: true,
            field_validation: validation,
            ..WriteOptions::default()
        };
        let api_version = obj["apiVersion"].as_str().unwrap_or_default();
        let version = api_version.rsplit('/').next().unwrap_or_default();
        let gvr = Gvr::new(info.group.clone(), version, info.plural.clone());
        self.tracker.create(&gvr, namespace, obj, &opts).map(drop)
    }

    /// `kubectl create -f <file>`: `("ok", "")` or `("error", <normalised message>)`.
    fn create(
        &mut self,
        file: &str,
        crd_file: &str,
        validation: FieldValidation,
    ) -> (String, String) {
        let error = |m: String| ("error".to_owned(), canonical(&normalise(&m)));
        let (obj, info, namespace) = match self.mapped(file, crd_file) {
            Ok(m) => m,
            Err(e) => return error(e),
        };
        match self.dry_run(obj, &info, namespace.as_deref(), validation) {
            Ok(()) => ("ok".to_owned(), String::new()),
            Err(e) => error(kubectl_error(file, &e)),
        }
    }
}

fn truth(dir: &Path, name: &str) -> BTreeMap<String, (String, String)> {
    let path = dir.join("truth").join(name);
    read_tsv(&path)
        .unwrap_or_else(|e| panic!("{e}"))
        .into_iter()
        .map(|mut r| {
            let file = r.remove("file").unwrap_or_default();
            let status = r.remove("status").unwrap_or_default();
            let message = r.remove("message").unwrap_or_default();
            (file, (status, message))
        })
        .collect()
}

#[test]
fn verdicts_equal_the_servers() {
    let dir = support::corpus();
    let objects = read_tsv(&dir.join("OBJECTS.tsv")).unwrap_or_else(|e| panic!("{e}"));
    assert!(!objects.is_empty(), "{}: no objects", dir.display());
    let normalised = |mut t: BTreeMap<String, (String, String)>| {
        for (_, m) in t.values_mut() {
            *m = canonical(m);
        }
        t
    };
    let strict = normalised(truth(&dir, "objects.tsv"));
    let lenient = normalised(truth(&dir, "objects-lenient.tsv"));
    let mut server = Server::new(dir.clone());
    let (mut checked, mut equal, mut strict_equal) = (0, 0, 0);
    let mut differ: Vec<(String, String)> = Vec::new();
    let mut compare = |label: String, got: (String, String), want: Option<&(String, String)>| {
        checked += 1;
        match want {
            Some(w) if *w == got => equal += 1,
            Some(w) => differ.push((
                label,
                format!("crdgen: {} {}\n      server: {} {}", got.0, got.1, w.0, w.1),
            )),
            None => differ.push((label, "no verdict of the server in truth/".into())),
        }
    };
    for row in &objects {
        let file = &row["file"];
        let crd_file = &row["crd_file"];
        let got = server.create(file, crd_file, FieldValidation::Strict);
        strict_equal += usize::from(strict.get(file) == Some(&got));
        compare(file.clone(), got, strict.get(file));
        if lenient.contains_key(file) {
            let got = server.create(file, crd_file, FieldValidation::Ignore);
            compare(format!("{file} (lenient)"), got, lenient.get(file));
        }
    }
    println!(
        "verdicts: {equal} of {checked} equal to the server ({})",
        dir.display()
    );
    println!(
        "  {strict_equal} of {} objects with strict field validation, {} of {} with --validate=false",
        objects.len(),
        equal - strict_equal,
        checked - objects.len()
    );
    let allowed: BTreeMap<&str, &str> = ALLOWED.iter().copied().collect();
    let mut unexpected = 0;
    for (label, what) in &differ {
        match allowed.get(label.as_str()) {
            Some(why) => println!("  differs (allowed: {why}): {label}\n      {what}"),
            None => {
                unexpected += 1;
                println!("  differs: {label}\n      {what}");
            }
        }
    }
    // Only objects of this corpus count: the vendored subset lacks most of them.
    let now_equal: Vec<&str> = allowed
        .keys()
        .copied()
        .filter(|l| {
            let file = l.trim_end_matches(" (lenient)");
            objects.iter().any(|r| r["file"] == file) && !differ.iter().any(|(d, _)| d == l)
        })
        .collect();
    for l in &now_equal {
        println!("  allowed but now equal (remove it from ALLOWED): {l}");
    }
    assert!(
        unexpected == 0 && now_equal.is_empty(),
        "{unexpected} verdicts differ from the server's, {} allowed ones became equal",
        now_equal.len()
    );
}

/// A 422's causes, or the errors of the client-side validator: (field, message).
type Causes = Vec<(String, String)>;

/// The client-side [`Validator`] agrees with the in-memory server on every corpus object
/// the server validates: the same errors (fields and messages, in order) or none.
/// The server runs with field validation `Ignore` (the validator prunes unknown fields
/// without a word; strict decoding is the server's). Objects it refuses before
/// validating (not mapped, a CRD refused, an embedded resource that does not decode)
/// have no verdict to compare and are counted apart. The create strategy drops the
/// `status` of a kind with the status subresource, so the validator gets the object
/// without it, as a create sends it.
#[test]
fn client_side_validator_agrees_with_the_server() {
    let dir = support::corpus();
    let objects = read_tsv(&dir.join("OBJECTS.tsv")).unwrap_or_else(|e| panic!("{e}"));
    let mut server = Server::new(dir.clone());
    let (mut compared, mut refused) = (0, 0);
    let mut differ: Vec<String> = Vec::new();
    for row in &objects {
        let file = &row["file"];
        let Ok((mut obj, info, namespace)) = server.mapped(file, &row["crd_file"]) else {
            refused += 1;
            continue;
        };
        let by_server: Result<(), Causes> = match server.dry_run(
            obj.clone(),
            &info,
            namespace.as_deref(),
            FieldValidation::Ignore,
        ) {
            Ok(()) => Ok(()),
            Err(e) if e.reason() == "Invalid" => Err(e
                .status
                .pointer("/details/causes")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(|c| {
                    let s = |k: &str| c[k].as_str().unwrap_or_default().to_owned();
                    (s("field"), s("message"))
                })
                .collect()),
            Err(_) => {
                refused += 1;
                continue;
            }
        };
        let version = obj["apiVersion"].as_str().unwrap_or_default();
        let version = version.rsplit('/').next().unwrap_or_default();
        if info.served_version(version).is_some_and(|v| v.status)
            && let Some(o) = obj.as_object_mut()
        {
            o.remove("status");
        }
        let validator = server
            .validators
            .get(&(info.group.clone(), info.kind.clone()))
            .unwrap_or_else(|| panic!("{file}: the server serves a kind without a validator"));
        let by_client: Result<(), Causes> = validator.validate(&obj).map_err(|invalid| {
            invalid
                .errors
                .iter()
                .map(|e| (e.field.clone(), e.body()))
                .collect()
        });
        compared += 1;
        if by_client != by_server {
            differ.push(format!(
                "{file}\n      client: {by_client:?}\n      server: {by_server:?}"
            ));
        }
    }
    println!(
        "client-side validator: {} of {compared} verdicts equal to the in-memory server's ({refused} objects refused before validation, not compared)",
        compared - differ.len()
    );
    for d in &differ {
        println!("  differs: {d}");
    }
    assert!(compared > 0, "{}: no object validated", dir.display());
    assert!(differ.is_empty(), "{} verdicts differ", differ.len());
}
