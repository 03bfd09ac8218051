//! Objects validated per second by [`Validator`] (client-side validation, the same
//! checks as the in-memory server's: prune, default, schema, list types, CEL), for a
//! large CRD without rules (argo-cd ApplicationSet, 1.4 MB of schema), a small one
//! with rules (external-snapshotter VolumeSnapshot v1) and a medium one with many
//! (gateway-api HTTPRoute v1), each with its CEL rules and with them stripped.
//!
//! ```text
//! cargo bench -p crdgen-runtime --features server --bench validate [-- FILTER]
//! ```
//!
//! `FILTER` keeps the CRDs whose name contains it. Under load, wall time says little:
//! with `CRDGEN_BENCH_ITERS=N` each measurement validates exactly `N` objects (no
//! timing), so that `perf stat -e instructions:u` or `valgrind --tool=callgrind
//! --toggle-collect='*Validator*run*'` on the bench binary counts a fixed amount of work.
//!
//! Reads the corpus at `CRDGEN_CORPUS_DIR`, else `../shared/corpus` beside the
//! repository (the vendored subset lacks these CRDs); fails without it.

use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use crdgen_runtime::schema::Validator;
use serde_json::{Value, json};

fn corpus() -> PathBuf {
    let dir = std::env::var_os("CRDGEN_CORPUS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus"));
    assert!(
        dir.join("crds/argo-cd").is_dir(),
        "no corpus at {} (set CRDGEN_CORPUS_DIR)",
        dir.display()
    );
    dir
}

fn yaml(path: PathBuf) -> Value {
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let docs = crdgen_yaml::parse(&text, Default::default())
        .unwrap_or_else(|e| panic!("{}: {}", path.display(), e.message));
    docs.into_iter()
        .next()
        .map(|d| d.root.into_json())
        .unwrap_or_else(|| panic!("{}: empty", path.display()))
}

fn strip_rules(v: &mut Value) {
    match v {
        Value::Object(m) => {
            m.remove("x-kubernetes-validations");
            m.values_mut().for_each(strip_rules);
        }
        Value::Array(a) => a.iter_mut().for_each(strip_rules),
        _ => {}
    }
}

/// Objects per second over at least `budget`; with `CRDGEN_BENCH_ITERS=N`, exactly
/// `N` objects and no rate (0).
fn rate(budget: Duration, mut f: impl FnMut()) -> f64 {
    if let Some(n) = fixed_iters() {
        (0..n).for_each(|_| f());
        return 0.0;
    }
    f();
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed() < budget {
        for _ in 0..16 {
            f();
        }
        n += 16;
    }
    n as f64 / start.elapsed().as_secs_f64()
}

fn fixed_iters() -> Option<u64> {
    std::env::var("CRDGEN_BENCH_ITERS").ok().map(|n| {
        n.parse()
            .unwrap_or_else(|e| panic!("CRDGEN_BENCH_ITERS={n}: {e}"))
    })
}

/// The CRDs to run: the first argument that is not an option (cargo bench passes
/// `--bench`) filters them by name.
fn selected(name: &str) -> bool {
    std::env::args()
        .skip(1)
        .find(|a| !a.starts_with("--"))
        .is_none_or(|f| name.contains(&f))
}

fn bench(name: &str, crd: &Value, obj: &Value, old: &Value) {
    if !selected(name) {
        return;
    }
    let t = Instant::now();
    let with = Validator::from_crd(crd).expect("the CRD compiles");
    let compile = t.elapsed();
    let mut bare = crd.clone();
    strip_rules(&mut bare);
    let without = Validator::from_crd(&bare).expect("the CRD compiles");
    assert!(
        with.validate(obj).is_ok(),
        "{name}: {:?}",
        with.validate(obj)
    );
    let budget = Duration::from_secs(2);
    let c_with = rate(budget, || {
        black_box(with.validate(black_box(obj))).unwrap_or_default()
    });
    let c_without = rate(budget, || {
        black_box(without.validate(black_box(obj))).unwrap_or_default()
    });
    let u_with = rate(budget, || {
        black_box(with.validate_update(black_box(obj), old)).unwrap_or_default()
    });
    let u_without = rate(budget, || {
        black_box(without.validate_update(black_box(obj), old)).unwrap_or_default()
    });
    if let Some(n) = fixed_iters() {
        println!(
            "{name}: {n} objects validated per measurement (create and update, with CEL and without)"
        );
        return;
    }
    println!(
        "{name}: {} CEL rules in the CRD, every version (compiled in {:.1} ms); create {:.0}/s with CEL, {:.0}/s without; update {:.0}/s with CEL, {:.0}/s without",
        with.rule_count(),
        compile.as_secs_f64() * 1e3,
        c_with,
        c_without,
        u_with,
        u_without
    );
}

fn main() {
    let dir = corpus();
    let appset_crd = yaml(dir.join("crds/argo-cd/argoproj.io_applicationsets.yaml"));
    let appset = json!({
        "apiVersion": "argoproj.io/v1alpha1", "kind": "ApplicationSet",
        "metadata": {"name": "guestbook", "namespace": "argocd"},
        "spec": {
            "goTemplate": true,
            "generators": [{"list": {"elements": [
                {"cluster": "engineering-dev", "url": "https://1.2.3.4"},
                {"cluster": "engineering-prod", "url": "https://2.4.6.8"}
            ]}}],
            "template": {
                "metadata": {"name": "{{.cluster}}-guestbook"},
                "spec": {
                    "project": "default",
                    "source": {"repoURL": "https://github.com/argoproj/argo-cd.git", "targetRevision": "HEAD", "path": "applicationset/examples/list-generator/guestbook/{{.cluster}}"},
                    "destination": {"server": "{{.url}}", "namespace": "guestbook"},
                    "syncPolicy": {"automated": {"prune": true, "selfHeal": true}, "syncOptions": ["CreateNamespace=true"]}
                }
            }
        }
    });
    let mut appset_old = appset.clone();
    appset_old["spec"]["template"]["spec"]["project"] = json!("other");
    bench(
        "argo-cd ApplicationSet v1alpha1",
        &appset_crd,
        &appset,
        &appset_old,
    );

    let vs_crd =
        yaml(dir.join("crds/external-snapshotter/snapshot.storage.k8s.io_volumesnapshots.yaml"));
    let vs = json!({
        "apiVersion": "snapshot.storage.k8s.io/v1", "kind": "VolumeSnapshot",
        "metadata": {"name": "snap", "namespace": "default"},
        "spec": {"volumeSnapshotClassName": "csi-hostpath-snapclass", "source": {"persistentVolumeClaimName": "pvc"}}
    });
    let mut vs_old = vs.clone();
    vs_old["spec"]["volumeSnapshotClassName"] = json!("other");
    bench(
        "external-snapshotter VolumeSnapshot v1",
        &vs_crd,
        &vs,
        &vs_old,
    );

    let route_crd = yaml(dir.join("crds/gateway-api/gateway.networking.k8s.io_httproutes.yaml"));
    let route = yaml(dir.join("objects/gateway-api/HTTPRoute_002.yaml"));
    let mut route_old = route.clone();
    route_old["spec"]["rules"][0]["backendRefs"][0]["port"] = json!(8081);
    bench("gateway-api HTTPRoute v1", &route_crd, &route, &route_old);
}
