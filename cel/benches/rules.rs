//! Rules compiled per second and objects validated per second (`cargo bench -p
//! crdgen-cel --bench rules`), on corpus CRDs (`CRDGEN_CORPUS_DIR`, else
//! `../shared/corpus`, else the vendored subset): argo-cd's ApplicationSet (1.4 MB of
//! schema, no CEL rules: the cost of the walk that finds none), gateway-api's
//! HTTPRoute (the corpus's most rules) and external-snapshotter's VolumeSnapshot
//! (a small CRD with a few rules), each with the objects the server stored for it.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crdgen_cel::Rules;
use serde_json::{Value, json};

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

fn schemas(path: &Path) -> Vec<(String, Value)> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let Ok(docs) = crdgen_yaml::parse(&text, crdgen_yaml::Limits::default()) else {
        return vec![];
    };
    let Some(crd) = docs.first().map(|d| d.root.to_json()) else {
        return vec![];
    };
    crd["spec"]["versions"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|v| {
            (
                v["name"].as_str().unwrap_or("").to_owned(),
                v["schema"]["openAPIV3Schema"].clone(),
            )
        })
        .collect()
}

fn stored(dir: &Path, project: &str, kind: &str) -> Vec<Value> {
    let Ok(entries) = std::fs::read_dir(dir.join("truth/stored").join(project)) else {
        return vec![];
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(&format!("{kind}_")))
        })
        .collect();
    files.sort();
    files
        .iter()
        .filter_map(|p| serde_json::from_str(&std::fs::read_to_string(p).ok()?).ok())
        .collect()
}

/// Calls of `f` per second, over about a second.
fn rate(mut f: impl FnMut()) -> f64 {
    f();
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed() < Duration::from_secs(1) {
        f();
        n += 1;
    }
    n as f64 / start.elapsed().as_secs_f64()
}

fn case(name: &str, schema: &Value, objects: &[Value]) {
    let rules = Rules::compile(schema).expect("compiles");
    let compiles = rate(|| {
        std::hint::black_box(Rules::compile(schema).ok());
    });
    let mut line = format!(
        "{name}: {} rules; compile: {compiles:.1} schemas/s = {:.0} rules/s",
        rules.len(),
        compiles * rules.len() as f64
    );
    if !objects.is_empty() {
        let mut errors = 0;
        for o in objects {
            errors += rules.validate(o, None).len();
        }
        let per = rate(|| {
            for o in objects {
                std::hint::black_box(rules.validate(o, None));
            }
        });
        let updates = rate(|| {
            for o in objects {
                std::hint::black_box(rules.validate(o, Some(o)));
            }
        });
        line.push_str(&format!(
            "; validate: {:.0} objects/s create, {:.0} objects/s update ({} objects, {errors} errors)",
            per * objects.len() as f64,
            updates * objects.len() as f64,
            objects.len()
        ));
    }
    println!("{line}");
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let dir = corpus_dir();
    let appset = schemas(&dir.join("crds/argo-cd/argoproj.io_applicationsets.yaml"));
    let appset_obj = json!({
        "apiVersion": "argoproj.io/v1alpha1", "kind": "ApplicationSet", "metadata": {"name": "guestbook"},
        "spec": {"generators": [{"list": {"elements": [{"cluster": "engineering-dev", "url": "https://1.2.3.4"}]}}],
                 "template": {"metadata": {"name": "{{cluster}}-guestbook"},
                              "spec": {"project": "default", "source": {"repoURL": "https://github.com/argoproj/argo-cd.git", "targetRevision": "HEAD", "path": "applicationset/examples/list-generator/guestbook/{{cluster}}"},
                                       "destination": {"server": "{{url}}", "namespace": "guestbook"}}}},
    });
    let cases = [
        ("argo-cd ApplicationSet", appset, vec![appset_obj]),
        (
            "gateway-api HTTPRoute",
            schemas(&dir.join("crds/gateway-api/gateway.networking.k8s.io_httproutes.yaml")),
            stored(&dir, "gateway-api", "HTTPRoute"),
        ),
        (
            "external-snapshotter VolumeSnapshot",
            schemas(
                &dir.join("crds/external-snapshotter/snapshot.storage.k8s.io_volumesnapshots.yaml"),
            ),
            stored(&dir, "external-snapshotter", "VolumeSnapshot"),
        ),
    ];
    for (name, versions, objects) in cases {
        // The version the objects use (else the first).
        let want = objects
            .first()
            .and_then(|o| o["apiVersion"].as_str())
            .and_then(|a| a.rsplit('/').next())
            .map(str::to_owned);
        let chosen = versions
            .iter()
            .find(|(v, _)| Some(v) == want.as_ref())
            .or(versions.first())
            .cloned();
        let Some((version, schema)) = chosen else {
            println!("{name}: not in {}", dir.display());
            continue;
        };
        let objs: Vec<Value> = objects
            .into_iter()
            .filter(|o| {
                o["apiVersion"]
                    .as_str()
                    .is_some_and(|a| a.ends_with(&format!("/{version}")))
            })
            .collect();
        case(&format!("{name} {version}"), &schema, &objs);
    }
}
