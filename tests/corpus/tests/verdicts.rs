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

// Shared with the round trip; this test uses its readers only.
#[allow(dead_code)]
mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crdgen_runtime::tracker::{FieldValidation, Gvr, StatusError, Tracker, WriteOptions};
use serde_json::Value;
use support::{read_tsv, read_yaml};

/// Objects whose verdict differs from the server's, each with the reason.
const ALLOWED: &[(&str, &str)] = &[];

/// The corpus folder to read (see the module documentation).
fn corpus() -> PathBuf {
    if let Some(dir) = std::env::var_os("CRDGEN_CORPUS_DIR") {
        return PathBuf::from(dir);
    }
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let shared = manifest.join("../../../shared/corpus");
    if shared.join("truth/objects.tsv").is_file() {
        shared
    } else {
        manifest.join("data")
    }
}

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

/// The tracker with the CRDs installed so far, by CRD file (`Err`: the server's refusal).
struct Server {
    dir: PathBuf,
    tracker: Tracker,
    crds: BTreeMap<String, Result<(), String>>,
}

impl Server {
    fn install(&mut self, crd_file: &str) -> Result<(), String> {
        if let Some(r) = self.crds.get(crd_file) {
            return r.clone();
        }
        let r = read_yaml(&self.dir.join(crd_file)).and_then(|docs| {
            docs.iter()
                .try_for_each(|crd| self.tracker.register_crd(crd))
        });
        self.crds.insert(crd_file.to_owned(), r.clone());
        r
    }

    /// `kubectl create -f <file>`: `("ok", "")` or `("error", <normalised message>)`.
    fn create(
        &mut self,
        file: &str,
        crd_file: &str,
        validation: FieldValidation,
    ) -> (String, String) {
        let error = |m: String| ("error".to_owned(), canonical(&normalise(&m)));
        let docs = match read_yaml(&self.dir.join(file)) {
            Ok(d) => d,
            Err(e) => return error(format!("error: {e}")),
        };
        let Some(obj) = docs.into_iter().find(|d| !d.is_null()) else {
            return error("error: no objects passed to create".to_owned());
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
            return error(format!(
                "error: resource mapping not found for name: {:?} namespace: {:?} from {file:?}: no matches for kind {kind:?} in version {api_version:?}",
                name.unwrap_or_default(),
                ns.clone().unwrap_or_default(),
            ));
        };
        let namespace = info
            .namespaced
            .then(|| ns.clone().unwrap_or_else(|| "default".to_owned()));
        let opts = WriteOptions {
            dry_run: true,
            field_validation: validation,
            ..WriteOptions::default()
        };
        let gvr = Gvr::new(group, version, info.plural.clone());
        match self.tracker.create(&gvr, namespace.as_deref(), obj, &opts) {
            Ok(_) => ("ok".to_owned(), String::new()),
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
    let dir = corpus();
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
    let mut server = Server {
        dir: dir.clone(),
        tracker: Tracker::new(),
        crds: BTreeMap::new(),
    };
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
