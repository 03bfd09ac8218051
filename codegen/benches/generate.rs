//! Generates the whole CRD corpus in one process and prints CRDs/s and MB/s.
//!
//! `cargo bench -p crdgen --bench generate` (corpus from `CRDGEN_CORPUS_DIR`, default
//! `../shared/corpus` beside the repository). `GENERATE_BENCH_RUNS` sets the number of
//! timed runs (default 3); the best and the median are reported.

use std::path::PathBuf;
use std::time::{Duration, Instant};

fn main() {
    let corpus = std::env::var_os("CRDGEN_CORPUS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus"));
    let crds = corpus.join("crds");
    if !crds.is_dir() {
        eprintln!(
            "corpus not found at {}; set CRDGEN_CORPUS_DIR",
            crds.display()
        );
        return;
    }
    let runs: usize = std::env::var("GENERATE_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3);
    let bytes: u64 = walk(&crds)
        .iter()
        .map(|p| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0))
        .sum();

    let mut stages: Vec<(Duration, Duration, Duration)> = Vec::new();
    let mut count = 0;
    let mut out_bytes = 0;
    for _ in 0..runs.max(1) {
        let t0 = Instant::now();
        let loaded = crdgen::load(&[crdgen::Source::Path(crds.clone())]).expect("the corpus loads");
        let t1 = Instant::now();
        let settings = crdgen::Settings::default();
        let out =
            crdgen::generate_model(&loaded.model, &settings, None).expect("the corpus generates");
        let t2 = Instant::now();
        let text = out.single_file().expect("renders");
        let t3 = Instant::now();
        count = loaded.model.resources.len();
        out_bytes = text.len();
        stages.push((t1 - t0, t2 - t1, t3 - t2));
    }
    let mut totals: Vec<Duration> = stages.iter().map(|(a, b, c)| *a + *b + *c).collect();
    totals.sort();
    let best = totals[0];
    let median = totals[totals.len() / 2];
    let (load, model, render) = stages
        .iter()
        .min_by_key(|(a, b, c)| *a + *b + *c)
        .copied()
        .unwrap();
    let mb = bytes as f64 / 1e6;
    println!(
        "corpus: {count} CRDs, {mb:.1} MB of YAML -> {:.1} MB of Rust",
        out_bytes as f64 / 1e6
    );
    println!(
        "best of {runs}: {:.2} s  ({:.0} CRDs/s, {:.1} MB/s)   median: {:.2} s",
        best.as_secs_f64(),
        count as f64 / best.as_secs_f64(),
        mb / best.as_secs_f64(),
        median.as_secs_f64()
    );
    println!(
        "stages of the best run: load+parse {:.2} s, type passes {:.2} s, emit {:.2} s ({} threads; CRDGEN_THREADS sets it)",
        load.as_secs_f64(),
        model.as_secs_f64(),
        render.as_secs_f64(),
        std::env::var("CRDGEN_THREADS")
            .ok()
            .unwrap_or_else(|| std::thread::available_parallelism()
                .map_or(1, |n| n.get())
                .to_string())
    );
}

fn walk(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p)
            } else {
                out.push(p)
            }
        }
    }
    out
}
