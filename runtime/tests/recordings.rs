//! Replay of real kube-apiserver recordings against the in-memory API server.
//!
//! Reads `CRDGEN_RECORDINGS_DIR` (layout: `crds/`, `scenarios/`, `recorded/`, see its
//! README.md), else `../shared/apiserver-recordings` next to the workspace. Starts the
//! server on loopback, installs the CRDs as `record.py` does, replays every scenario
//! (concurrently: each has its own namespaces), normalizes both sides as `compare.py`
//! does and compares. Prints `recordings: N of M steps equal` and one line per differing
//! step; fails on a difference not in [`ALLOWED`] and on an [`ALLOWED`] entry whose steps
//! are all equal now (the list only shrinks).
//!
//! `CRDGEN_REPLAY_OUT=dir` also writes the replay as `dir/<scenario>.jsonl`, for
//! `python3 compare.py recorded dir`.
#![cfg(feature = "server")]

#[path = "recordings/normalize.rs"]
mod normalize;
#[path = "recordings/replay.rs"]
mod replay;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crdgen_runtime::server::ApiServer;
use crdgen_runtime::tracker::Tracker;
use serde_json::{Value, json};

/// Steps known to differ from the recording: (scenario, steps, reason). The README's
/// "Differences from a real kube-apiserver" summarizes them; the list only shrinks.
const ALLOWED: &[(&str, &[usize], &str)] = &[(
    "error-invalid-body",
    &[12],
    "Accept: protobuf only: kube-apiserver's 406 body is a protobuf Status; the in-memory server has no protobuf and sends the 406 as JSON",
)];

fn recordings_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("CRDGEN_RECORDINGS_DIR") {
        let d = PathBuf::from(d);
        assert!(
            d.join("recorded").is_dir(),
            "CRDGEN_RECORDINGS_DIR={} has no recorded/ folder",
            d.display()
        );
        return d;
    }
    // ../shared beside the workspace, else the copy vendored in the repository (so a
    // fresh clone replays them too).
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let shared = here.join("../../shared/apiserver-recordings");
    let d = if shared.join("recorded").is_dir() {
        shared
    } else {
        here.join("../tests/apiserver-recordings")
    };
    assert!(
        d.join("recorded").is_dir(),
        "no recordings: set CRDGEN_RECORDINGS_DIR or provide {} (crds/, scenarios/, recorded/)",
        d.display()
    );
    d
}

fn load_jsonl(p: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str(l).unwrap_or_else(|e| panic!("{}:{}: {e}", p.display(), i + 1))
        })
        .collect()
}

fn sorted_files(dir: &Path, ext: &[&str]) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| {
            p.extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| ext.contains(&e))
        })
        .collect();
    v.sort();
    v
}

/// The recordings' CRDs (`crds/*.yaml` or `*.json`, one document each) as JSON values.
fn load_crds(dir: &Path) -> Vec<Value> {
    let files = sorted_files(&dir.join("crds"), &["yaml", "yml", "json"]);
    assert!(!files.is_empty(), "{}: no CRDs in crds/", dir.display());
    files
        .iter()
        .map(|p| {
            let text =
                std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            let mut docs = crdgen_yaml::parse(&text, Default::default())
                .unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            assert_eq!(docs.len(), 1, "{}: one document expected", p.display());
            docs.remove(0).root.into_json()
        })
        .collect()
}

struct Outcome {
    scenario: String,
    steps: usize,
    /// (step, first differing path, what differs)
    differing: Vec<(usize, String, String)>,
}

fn compare(
    scenario: &str,
    mut recorded: Vec<Value>,
    mut replayed: Vec<Value>,
    groups: &BTreeSet<String>,
) -> Outcome {
    let steps = recorded.len();
    for (x, y) in recorded.iter().zip(replayed.iter_mut()) {
        for k in normalize::HINTS {
            if let Some(m) = y.as_object_mut() {
                m.remove(k);
                if let Some(h) = x.get(k) {
                    m.insert(k.into(), h.clone());
                }
            }
        }
    }
    let mut differing = Vec::new();
    if recorded.len() != replayed.len() {
        differing.push((
            0,
            ".".into(),
            format!("{} steps vs {}", recorded.len(), replayed.len()),
        ));
        replayed.resize(recorded.len(), json!({}));
    }
    recorded.iter_mut().for_each(|r| {
        if r.get("response").is_none() {
            r["response"] = json!({});
        }
    });
    let na = normalize::normalize_records(&recorded, groups);
    let nb = normalize::normalize_records(&replayed, groups);
    for (x, y) in na.iter().zip(&nb) {
        let mut d = Vec::new();
        normalize::diff(x, y, "", &mut d);
        if let Some((path, what)) = d.into_iter().next() {
            let step = x["step"].as_u64().unwrap_or_default() as usize;
            differing.push((step, path, what));
        }
    }
    Outcome {
        scenario: scenario.into(),
        steps,
        differing,
    }
}

fn allowed(scenario: &str, step: usize) -> Option<&'static str> {
    ALLOWED
        .iter()
        .find(|(s, steps, _)| *s == scenario && steps.contains(&step))
        .map(|(_, _, why)| *why)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replay_recordings() {
    let dir = recordings_dir();
    // Resource versions far from the small numbers in the recorded messages (the
    // normalization rewrites any number that is a resourceVersion of the scenario).
    let tracker = Tracker::new();
    tracker.advance_resource_version(100_000);
    let mut builder = ApiServer::builder().tracker(tracker);
    let mut groups = BTreeSet::new();
    for crd in load_crds(&dir) {
        if let Some(g) = crd.pointer("/spec/group").and_then(Value::as_str) {
            groups.insert(g.to_owned());
        }
        builder = builder.crd(crd);
    }
    let groups = std::sync::Arc::new(groups);
    let server = builder.build().expect("the recordings' CRDs are served");
    let handle = server
        .serve("127.0.0.1:0".parse().expect("address"))
        .await
        .expect("bind");
    let addr = handle.addr();

    let out_dir = std::env::var_os("CRDGEN_REPLAY_OUT").map(PathBuf::from);
    let mut tasks = tokio::task::JoinSet::new();
    let scenarios = sorted_files(&dir.join("scenarios"), &["json"]);
    assert!(!scenarios.is_empty(), "{}: no scenarios", dir.display());
    for p in scenarios {
        let name = p
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("utf-8 name")
            .to_string();
        let scen: Value = serde_json::from_str(&std::fs::read_to_string(&p).expect("scenario"))
            .unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        let recorded = load_jsonl(&dir.join("recorded").join(format!("{name}.jsonl")));
        let out_dir = out_dir.clone();
        let groups = groups.clone();
        tasks.spawn(async move {
            let replayed = replay::run_scenario(addr, &name, &scen)
                .await
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            if let Some(d) = out_dir {
                std::fs::create_dir_all(&d).expect("CRDGEN_REPLAY_OUT");
                let text: String = replayed.iter().map(|r| format!("{r}\n")).collect();
                std::fs::write(d.join(format!("{name}.jsonl")), text).expect("write replay");
            }
            compare(&name, recorded, replayed, &groups)
        });
    }
    let mut outcomes = Vec::new();
    while let Some(r) = tasks.join_next().await {
        outcomes.push(r.expect("a scenario task panicked"));
    }
    handle.shutdown().await;
    outcomes.sort_by(|a, b| a.scenario.cmp(&b.scenario));

    let total: usize = outcomes.iter().map(|o| o.steps).sum();
    let differing: usize = outcomes.iter().map(|o| o.differing.len()).sum();
    println!("recordings: {} of {total} steps equal", total - differing);
    let mut unexpected = 0;
    for o in &outcomes {
        for (step, path, what) in &o.differing {
            let why = allowed(&o.scenario, *step);
            if why.is_none() {
                unexpected += 1;
            }
            let tag = why.map(|w| format!(" [allowed: {w}]")).unwrap_or_default();
            println!("{} step {step}: {path}: {what}{tag}", o.scenario);
        }
    }
    let mut stale = Vec::new();
    for (scenario, steps, why) in ALLOWED {
        let o = outcomes.iter().find(|o| o.scenario == *scenario);
        for step in *steps {
            let still = o.is_some_and(|o| o.differing.iter().any(|(s, _, _)| s == step));
            if !still {
                stale.push(format!("{scenario} step {step} ({why})"));
            }
        }
    }
    for s in &stale {
        println!("allowed but equal now (remove from ALLOWED): {s}");
    }
    assert!(
        unexpected == 0 && stale.is_empty(),
        "{unexpected} step(s) differ from the recordings outside the allow-list, {} allow-list entr(ies) stale",
        stale.len()
    );
}
