//! Parses every YAML/JSON file under a folder (and converts each document to JSON with
//! `--json`), for measuring the reader alone: `valgrind --tool=callgrind
//! target/release/examples/parse_corpus <dir> [--json] [--declined]`. With the CLI's
//! allocator (mimalloc), so allocation costs what it costs in `crdgen generate`.
//! `--declined` lists the files the fast reader leaves to saphyr (and their bytes).

use std::path::{Path, PathBuf};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
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

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(dir) = args.first() else {
        eprintln!("usage: parse_corpus <dir> [--json] [--declined]");
        std::process::exit(2);
    };
    let json = args.iter().any(|a| a == "--json");
    let declined = args.iter().any(|a| a == "--declined");
    let mut files = Vec::new();
    walk(Path::new(dir), &mut files);
    files.sort();
    let (mut nodes, mut failed, mut slow, mut slow_bytes) = (0usize, 0usize, 0usize, 0usize);
    for f in &files {
        let Ok(text) = std::fs::read_to_string(f) else {
            continue;
        };
        if declined && crdgen_yaml::parse_fast(&text, crdgen_yaml::Limits::default()).is_none() {
            println!("declined: {} ({} bytes)", f.display(), text.len());
            slow += 1;
            slow_bytes += text.len();
        }
        match crdgen_yaml::parse(&text, crdgen_yaml::Limits::default()) {
            Ok(docs) => {
                for d in &docs {
                    nodes += d.root.as_map().map_or(0, <[_]>::len);
                    if json {
                        nodes += usize::from(d.root.to_json().is_object());
                    }
                }
            }
            Err(_) => failed += 1,
        }
    }
    println!(
        "{} files, {nodes} top-level entries, {failed} refused",
        files.len()
    );
    if declined {
        println!("{slow} files ({slow_bytes} bytes) declined by the fast reader");
    }
}
