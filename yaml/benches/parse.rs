//! Parses every YAML/JSON file of the CRD corpus with [`crdgen_yaml::parse`] and
//! prints documents and MB/s. With the CLI's allocator (mimalloc), so allocation
//! costs what it costs in `crdgen generate`.
//!
//! `cargo bench -p crdgen-yaml --bench parse` (corpus from `CRDGEN_CORPUS_DIR`, default
//! `../shared/corpus` beside the repository). `PARSE_BENCH_RUNS` sets the number of
//! timed runs (default 3; the best is reported). For instruction counts, run the built
//! binary under `valgrind --tool=callgrind` with `PARSE_BENCH_RUNS=1`: the files are
//! read before the first run, so nearly everything counted is parsing.

use std::path::{Path, PathBuf};
use std::time::Instant;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let corpus = std::env::var_os("CRDGEN_CORPUS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus"));
    let crds = corpus.join("crds");
    let mut files = Vec::new();
    walk(&crds, &mut files);
    files.sort();
    if files.is_empty() {
        eprintln!(
            "corpus not found at {}; set CRDGEN_CORPUS_DIR",
            crds.display()
        );
        return;
    }
    let texts: Vec<String> = files
        .iter()
        .filter_map(|f| std::fs::read_to_string(f).ok())
        .collect();
    let bytes: usize = texts.iter().map(String::len).sum();
    let runs: usize = std::env::var("PARSE_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3);
    let limits = crdgen_yaml::Limits::default();
    let mut best = f64::INFINITY;
    let mut docs = 0;
    for _ in 0..runs.max(1) {
        let t0 = Instant::now();
        docs = 0;
        for text in &texts {
            docs += crdgen_yaml::parse(text, limits).map_or(0, |d| d.len());
        }
        best = best.min(t0.elapsed().as_secs_f64());
    }
    println!(
        "{} files, {docs} documents, {:.1} MB: best of {runs} {best:.3} s ({:.0} MB/s)",
        texts.len(),
        bytes as f64 / 1e6,
        bytes as f64 / 1e6 / best
    );
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(&p, out);
        } else if matches!(
            p.extension().and_then(|e| e.to_str()),
            Some("yaml" | "yml" | "json")
        ) {
            out.push(p);
        }
    }
}
