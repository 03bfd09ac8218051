//! What the corpus round trip reads: the corpus files, the CRD schemas, and what the
//! real API server stored (`truth/`), with the comparison rules.

pub mod sample;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

/// The corpus the build script generated from.
pub fn corpus_dir() -> PathBuf {
    PathBuf::from(crdgen_corpus_tests::CORPUS_DIR)
}

/// The corpus a test reads at run time: `CRDGEN_CORPUS_DIR`, else `../shared/corpus`
/// beside the repository, else the vendored subset `tests/corpus/data`.
#[allow(dead_code)] // the round trip reads the build script's corpus: `corpus_dir`
pub fn corpus() -> PathBuf {
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

/// Every document of a YAML file as JSON, read as the project reads YAML everywhere
/// (the one call site of the reader in this harness). An unreadable file is an error
/// naming the file, line and column, never a panic.
pub fn read_yaml(path: &Path) -> Result<Vec<Value>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let docs = crdgen::input::yaml::parse(&text, Default::default()).map_err(|e| {
        format!(
            "{}:{}:{}: {}",
            path.display(),
            e.pos.line,
            e.pos.column,
            e.message
        )
    })?;
    Ok(docs.iter().map(|d| d.root.to_json()).collect())
}

/// A tab-separated file with a header line, as rows of named columns.
pub fn read_tsv(path: &Path) -> Result<Vec<BTreeMap<String, String>>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap_or_default().split('\t').collect();
    Ok(lines
        .filter(|l| !l.is_empty())
        .map(|l| {
            header
                .iter()
                .zip(l.split('\t'))
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect())
}

/// One version of a CRD: what the round trip needs of it.
pub struct VersionSchema {
    pub schema: Value,
    pub served: bool,
    /// The version has a status subresource (the server then drops `status` on create).
    pub status_subresource: bool,
    /// The CRD's scope is `Namespaced` (else the server drops `metadata.namespace`).
    pub namespaced: bool,
}

/// (group, version, kind).
pub type Gvk = (String, String, String);

/// The versions of the CRDs in `files` (paths relative to the corpus), by (group,
/// version, kind). Unreadable files are returned as (file, error).
pub fn schemas<'a>(files: &[&'a str]) -> (BTreeMap<Gvk, VersionSchema>, Vec<(&'a str, String)>) {
    let mut out = BTreeMap::new();
    let mut errors = Vec::new();
    for file in files {
        let docs = match read_yaml(&corpus_dir().join(file)) {
            Ok(d) => d,
            Err(e) => {
                errors.push((*file, e));
                continue;
            }
        };
        for crd in docs {
            let spec = &crd["spec"];
            let group = spec["group"].as_str().unwrap_or_default().to_owned();
            let kind = spec["names"]["kind"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            // CRDs may declare subresources per version (v1) or for all versions.
            let common_status = spec["subresources"]["status"].is_object();
            let namespaced = spec["scope"].as_str() != Some("Cluster");
            for v in spec["versions"].as_array().into_iter().flatten() {
                let name = v["name"].as_str().unwrap_or_default().to_owned();
                out.insert(
                    (group.clone(), name, kind.clone()),
                    VersionSchema {
                        schema: v["schema"]["openAPIV3Schema"].clone(),
                        served: v["served"].as_bool().unwrap_or(false),
                        status_subresource: common_status
                            || v["subresources"]["status"].is_object(),
                        namespaced,
                    },
                );
            }
        }
    }
    (out, errors)
}

/// What the real API server did with one object (`truth/objects.tsv`, and for objects
/// refused only by strict field validation, `truth/objects-lenient.tsv`).
pub enum Verdict {
    /// Stored: the stored form.
    Stored(Value),
    /// Refused under strict field validation only; stored without it (unknown fields
    /// pruned). The server's strict message and the lenient stored form.
    StoredLeniently { strict: String, stored: Value },
    /// Refused: the server's message.
    Rejected(String),
}

/// The server's answers for every object of the corpus, by object file.
pub struct Truth {
    objects: BTreeMap<String, (String, String)>,
    lenient: BTreeMap<String, (String, String)>,
    crds: BTreeMap<String, (String, String)>,
}

impl Truth {
    pub fn load() -> Result<Self, String> {
        let dir = corpus_dir().join("truth");
        let by_file = |name: &str| -> Result<BTreeMap<String, (String, String)>, String> {
            Ok(read_tsv(&dir.join(name))?
                .into_iter()
                .map(|mut r| {
                    let file = r.remove("file").unwrap_or_default();
                    let status = r.remove("status").unwrap_or_default();
                    let message = r.remove("message").unwrap_or_default();
                    (file, (status, message))
                })
                .collect())
        };
        Ok(Truth {
            objects: by_file("objects.tsv")?,
            lenient: by_file("objects-lenient.tsv")?,
            crds: by_file("crds.tsv")?,
        })
    }

    /// The server's message when it refused to install the CRD file `crd_file`.
    pub fn crd_refused(&self, crd_file: &str) -> Option<&str> {
        match self.crds.get(crd_file) {
            Some((status, message)) if status != "ok" => Some(message),
            _ => None,
        }
    }

    /// The verdict on `file` (`objects/<project>/<name>.yaml`).
    pub fn verdict(&self, file: &str) -> Result<Verdict, String> {
        let stored = |folder: &str| -> Result<Value, String> {
            let rest = file.strip_prefix("objects/").unwrap_or(file);
            let path = corpus_dir()
                .join("truth")
                .join(folder)
                .join(format!("{rest}.json"));
            let text =
                std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
        };
        match self.objects.get(file) {
            None => Err(format!("{file}: not in truth/objects.tsv")),
            Some((status, _)) if status == "ok" => Ok(Verdict::Stored(stored("stored")?)),
            Some((_, message)) => match self.lenient.get(file) {
                Some((status, _)) if status == "ok" => Ok(Verdict::StoredLeniently {
                    strict: message.clone(),
                    stored: stored("stored-lenient")?,
                }),
                _ => Ok(Verdict::Rejected(message.clone())),
            },
        }
    }
}

/// The unknown fields a strict-validation refusal names (`unknown field "spec.foo"`),
/// sorted.
pub fn unknown_fields(message: &str) -> Vec<String> {
    let mut out: Vec<String> = message
        .split("unknown field \"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .map(str::to_owned)
        .collect();
    out.sort();
    out
}

/// `metadata` fields the server sets itself on create.
const SERVER_SET_METADATA: &[&str] = &[
    "uid",
    "creationTimestamp",
    "generation",
    "resourceVersion",
    "managedFields",
    "selfLink",
];

/// `object` with what the server sets itself taken out, for comparing a stored form
/// with what a client sent (`sent`): the server-set metadata, the namespace when the
/// client sent none (kubectl fills in its context's), and the name when the client sent
/// only `generateName`.
pub fn without_server_set(object: &Value, sent: &Value) -> Value {
    let mut object = object.clone();
    if let Some(meta) = object.get_mut("metadata").and_then(Value::as_object_mut) {
        for k in SERVER_SET_METADATA {
            meta.remove(*k);
        }
        let sent_meta = &sent["metadata"];
        if sent_meta.get("namespace").is_none() {
            meta.remove("namespace");
        }
        if sent_meta.get("name").is_none() && sent_meta.get("generateName").is_some() {
            meta.remove("name");
        }
    }
    object
}

/// What the server does to an object on create before defaulting it (the CRD
/// strategy's `PrepareForCreate` and `rest.BeforeCreate`), as the in-memory server does
/// (`tracker.rs`): with a status subresource the `status` sent is dropped (its
/// `default`, if any, is then applied again), and a cluster-scoped object loses its
/// `metadata.namespace`.
pub fn prepare_for_create(object: &mut Value, version: &VersionSchema) {
    let Some(map) = object.as_object_mut() else {
        return;
    };
    if version.status_subresource {
        map.remove("status");
    }
    if !version.namespaced
        && let Some(meta) = map.get_mut("metadata").and_then(Value::as_object_mut)
    {
        meta.remove("namespace");
    }
}

/// What the in-memory server would store (its model of the real one): unknown fields
/// pruned (`schema::prune`, which names them, as the server does before anything
/// else), with `create` [`prepare_for_create`], then defaults applied
/// (`schema::apply_defaults`) and `metadata` as the typed ObjectMeta keeps it.
/// Returns it with the pruned unknown fields (sorted).
pub fn model_stored(mut obj: Value, version: &VersionSchema, create: bool) -> (Value, Vec<String>) {
    let mut unknown = crdgen_runtime::schema::prune(&mut obj, &version.schema);
    if create {
        prepare_for_create(&mut obj, version);
    }
    crdgen_runtime::schema::apply_defaults(&mut obj, &version.schema);
    if let Some(meta) = obj.get_mut("metadata") {
        type Meta = k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
        if let Ok(typed) = serde_json::from_value::<Meta>(meta.clone()) {
            *meta = serde_json::to_value(typed).expect("ObjectMeta serializes");
        }
    }
    unknown.sort();
    (obj, unknown)
}

/// JSON equality where numbers compare by value (`1` equals `1.0`).
pub fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x == y || x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

/// Every place where `actual` differs from `expected` (at most `limit`), one line each:
/// `path: missing (expected …)`, `path: extra (…)` or `path: expected … got …`.
pub fn differences(expected: &Value, actual: &Value, limit: usize) -> Vec<String> {
    let mut out = Vec::new();
    diff_at("", expected, actual, limit, &mut out);
    out
}

fn diff_at(path: &str, a: &Value, b: &Value, limit: usize, out: &mut Vec<String>) {
    if out.len() >= limit || same(a, b) {
        return;
    }
    let child = |k: &str| {
        if path.is_empty() {
            k.to_owned()
        } else {
            format!("{path}.{k}")
        }
    };
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for (k, v) in x {
                match y.get(k) {
                    None => out.push(format!("{}: missing (expected {})", child(k), short(v))),
                    Some(w) => diff_at(&child(k), v, w, limit, out),
                }
                if out.len() >= limit {
                    return;
                }
            }
            for (k, w) in y {
                if !x.contains_key(k) && out.len() < limit {
                    out.push(format!("{}: extra ({})", child(k), short(w)));
                }
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (v, w)) in x.iter().zip(y).enumerate() {
                diff_at(&format!("{path}[{i}]"), v, w, limit, out);
            }
        }
        _ => out.push(format!(
            "{}: expected {} got {}",
            if path.is_empty() { "(root)" } else { path },
            short(a),
            short(b)
        )),
    }
}

pub fn short(v: &Value) -> String {
    let s = v.to_string();
    match s.char_indices().nth(100) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s,
    }
}
