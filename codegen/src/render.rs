//! Generated Rust laid out as files: one of nested modules, or a module tree.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::ir::RustIdent;

/// One group/version module of the output.
#[derive(Debug, Clone)]
pub struct Module {
    /// Group module name, e.g. `example_com`.
    pub group: RustIdent,
    /// API group, e.g. `example.com`.
    pub group_name: String,
    /// Version module name, e.g. `v1`.
    pub version: RustIdent,
    /// Documentation of the version module.
    pub doc: String,
    /// Input files that contributed, for the header.
    pub sources: Vec<String>,
}

/// Generated Rust, as files relative to an output location.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Generated {
    /// Relative path → file content.
    pub files: BTreeMap<PathBuf, String>,
}

fn header(sources: &[String]) -> String {
    let version = env!("CARGO_PKG_VERSION");
    let mut unique: Vec<&str> = sources.iter().map(String::as_str).collect();
    unique.sort_unstable();
    unique.dedup();
    let summary = if unique.len() <= 3 {
        unique.join(", ")
    } else {
        format!("{} files (below)", unique.len())
    };
    let mut out = crdgen_templates::render(
        crdgen_templates::RUST_HEADER,
        &[("version", version), ("sources", &summary)],
    );
    if unique.len() > 3 {
        for s in &unique {
            out.push_str("//   ");
            out.push_str(s);
            out.push('\n');
        }
    }
    out
}

fn group_doc(group: &str) -> String {
    format!(" API group `{group}`.")
}

/// Modules by group (in group order), each with the indexes of its versions.
fn by_group(modules: &[Module]) -> BTreeMap<&str, Vec<usize>> {
    let mut by_group: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, m) in modules.iter().enumerate() {
        by_group.entry(m.group.0.as_str()).or_default().push(i);
    }
    by_group
}

/// The order in which [`single_file`] and [`module_tree`] place modules.
pub(crate) fn module_order(modules: &[Module]) -> Vec<usize> {
    by_group(modules).into_values().flatten().collect()
}

/// The module that holds the items spanning every group/version (the clientset), and
/// what the root re-exports from it.
const ROOT_MODULE: &str = "clientset";
const ROOT_DOC: &str = "/// The clientset, informer factory and scheme registration of every group/version generated here.\n";
const ROOT_REEXPORT: &str = "// A program may use only part of the generated code.\n\
#[allow(unused_imports)]\n\
pub use clientset::{Clientset, InformerFactory, add_to_scheme};\n";

/// Everything in one file, as nested inline modules (for `include!` from OUT_DIR).
/// `root` is the body of the root module (its `use` lines and items, indented one
/// level), `items(i)` the body of module `i` (indented two levels).
pub(crate) fn single_file(
    modules: &[Module],
    root: Option<String>,
    mut items: impl FnMut(usize) -> String,
) -> Result<String> {
    let by_group = by_group(modules);
    let sources: Vec<String> = modules
        .iter()
        .flat_map(|m| m.sources.iter().cloned())
        .collect();
    let mut out = header(&sources);
    let mut first = true;
    if let Some(root) = root {
        out.push_str(ROOT_REEXPORT);
        out.push('\n');
        out.push_str(ROOT_DOC);
        let _ = writeln!(out, "#[allow(dead_code)]\npub mod {ROOT_MODULE} {{");
        out.push_str(&root);
        out.push_str("}\n");
        first = false;
    }
    // The group's doc and `allow` (a program that includes the generated code
    // typically uses only part of it), each version's inner doc.
    for ms in by_group.values() {
        let first_module = &modules[ms[0]];
        if !first {
            out.push('\n');
        }
        first = false;
        let _ = writeln!(
            out,
            "///{}\n#[allow(dead_code)]\npub mod {} {{",
            group_doc(&first_module.group_name),
            first_module.group.0
        );
        for (n, &i) in ms.iter().enumerate() {
            let m = &modules[i];
            debug_assert!(!m.doc.contains('\n'));
            if n > 0 {
                out.push('\n');
            }
            let _ = writeln!(out, "    pub mod {} {{\n        //!{}", m.version.0, m.doc);
            out.push_str(&items(i));
            out.push_str("    }\n");
        }
        out.push_str("}\n");
    }
    Ok(out)
}

/// A module tree: `mod.rs`, `clientset.rs`, `<group>/mod.rs`, `<group>/<version>.rs`.
/// `root` and `items(i)` are bodies at the top level.
pub(crate) fn module_tree(
    modules: &[Module],
    root: Option<String>,
    mut items: impl FnMut(usize) -> String,
) -> Result<Generated> {
    let mut out = Generated::default();
    let by_group = by_group(modules);
    let all_sources: Vec<String> = modules
        .iter()
        .flat_map(|m| m.sources.iter().cloned())
        .collect();
    let mut top = header(&all_sources);
    if let Some(root) = root {
        top.push_str(ROOT_REEXPORT);
        top.push('\n');
        top.push_str(ROOT_DOC);
        let _ = writeln!(top, "#[allow(dead_code)]\npub mod {ROOT_MODULE};\n");
        let doc = "//! The clientset, informer factory and scheme registration.\n";
        out.files.insert(
            PathBuf::from(format!("{ROOT_MODULE}.rs")),
            format!("{}{doc}\n{root}", header(&all_sources)),
        );
    }
    let mut groups: Vec<&Vec<usize>> = by_group.values().collect();
    groups.sort_by(|a, b| {
        crate::emit::rust::names::version_cmp(&modules[a[0]].group.0, &modules[b[0]].group.0)
    });
    for ms in &groups {
        let m = &modules[ms[0]];
        let _ = writeln!(
            top,
            "///{}\n#[allow(dead_code)]\npub mod {};",
            group_doc(&m.group_name),
            m.group.0
        );
    }
    out.files.insert(PathBuf::from("mod.rs"), top);
    for ms in by_group.values() {
        let g = modules[ms[0]].group.unraw().to_owned();
        let mut versions: Vec<usize> = ms.clone();
        versions.sort_by(|a, b| {
            crate::emit::rust::names::version_cmp(&modules[*a].version.0, &modules[*b].version.0)
        });
        let sources: Vec<String> = ms
            .iter()
            .flat_map(|&i| modules[i].sources.iter().cloned())
            .collect();
        let mut text = header(&sources);
        for &i in &versions {
            let _ = writeln!(text, "pub mod {};", modules[i].version.0);
        }
        out.files.insert(Path::new(&g).join("mod.rs"), text);
        for &i in ms {
            let m = &modules[i];
            out.files.insert(
                Path::new(&g).join(format!("{}.rs", m.version.unraw())),
                format!("{}//!{}\n{}", header(&m.sources), m.doc, items(i)),
            );
        }
    }
    Ok(out)
}

/// How many threads generation uses: `CRDGEN_THREADS` when set (at least 1), else
/// the available parallelism; one inside a procedural macro (proc-macro2 then talks to
/// the compiler, whose tokens only exist on the macro's thread).
pub(crate) fn threads() -> usize {
    if proc_macro::is_available() {
        return 1;
    }
    // Asking the system (affinity, cgroup quotas) costs file reads: once is enough.
    static THREADS: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *THREADS.get_or_init(|| {
        std::env::var("CRDGEN_THREADS")
            .ok()
            .and_then(|v| v.parse::<usize>().ok())
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
            .max(1)
    })
}

/// Named types below which the output is rendered on one thread: for a small CRD,
/// starting a thread costs more than it saves.
pub(crate) const PARALLEL_MIN_TYPES: usize = 200;

/// `f` over every item on up to [`threads`] threads (the caller's included), results
/// in item order, so output does not depend on scheduling. `init` makes each thread's
/// state (tokens and syn values cannot cross threads).
pub(crate) fn par_map<T: Sync, S, R: Send>(
    items: &[T],
    init: impl Fn() -> S + Sync,
    f: impl Fn(&mut S, &T) -> R + Sync,
) -> Vec<R> {
    // One item needs no helper thread, nor the system calls `threads` makes.
    let threads = if items.len() > 1 { threads() } else { 1 };
    par_map_on(threads, items, init, f)
}

/// [`par_map`] on at most `threads` threads.
pub(crate) fn par_map_on<T: Sync, S, R: Send>(
    threads: usize,
    items: &[T],
    init: impl Fn() -> S + Sync,
    f: impl Fn(&mut S, &T) -> R + Sync,
) -> Vec<R> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let threads = threads.min(items.len());
    if threads <= 1 {
        let mut state = init();
        return items.iter().map(|t| f(&mut state, t)).collect();
    }
    let next = AtomicUsize::new(0);
    let work = || {
        let mut state = init();
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(item) = items.get(i) else { break };
            done.push((i, f(&mut state, item)));
        }
        done
    };
    let mut slots: Vec<Option<R>> = std::iter::repeat_with(|| None).take(items.len()).collect();
    std::thread::scope(|s| {
        let helpers: Vec<_> = (1..threads).map(|_| s.spawn(work)).collect();
        let mut results = vec![work()];
        for h in helpers {
            results.push(h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)));
        }
        for (i, r) in results.into_iter().flatten() {
            slots[i] = Some(r);
        }
    });
    slots
        .into_iter()
        .map(|r| r.expect("every item is taken by one thread"))
        .collect()
}

/// Write a file only when its content changed (keeps cargo and editors from
/// rebuilding or reloading needlessly).
pub fn write_if_changed(path: &Path, content: &str) -> Result<bool> {
    if same_content(path, content.as_bytes()) {
        return Ok(false);
    }
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
    }
    std::fs::write(path, content).map_err(|e| Error::io(path, e))?;
    Ok(true)
}

/// Whether the file at `path` holds exactly `content`: its size first, then its bytes
/// a block at a time (no copy of a large file in memory).
fn same_content(path: &Path, content: &[u8]) -> bool {
    use std::io::Read;
    let Ok(mut file) = std::fs::File::open(path) else {
        return false;
    };
    if file.metadata().map(|m| m.len()).ok() != Some(content.len() as u64) {
        return false;
    }
    let mut buf = vec![0u8; 256 * 1024];
    let mut rest = content;
    loop {
        match file.read(&mut buf) {
            Ok(0) => return rest.is_empty(),
            Ok(n) => {
                if n > rest.len() || buf[..n] != rest[..n] {
                    return false;
                }
                rest = &rest[n..];
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_if_changed_compares_size_and_bytes() {
        let dir = std::env::temp_dir().join(format!("crdgen-write-{}", std::process::id()));
        let path = dir.join("sub/out.rs");
        let big = "x".repeat(600 * 1024) + "end";
        assert!(
            write_if_changed(&path, &big).unwrap(),
            "a new file is written"
        );
        assert!(
            !write_if_changed(&path, &big).unwrap(),
            "the same text is not"
        );
        let mut changed = big.clone();
        changed.replace_range(300 * 1024..300 * 1024 + 1, "y");
        assert!(
            write_if_changed(&path, &changed).unwrap(),
            "one byte differs"
        );
        assert!(
            write_if_changed(&path, "short").unwrap(),
            "the size differs"
        );
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "short");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn par_map_keeps_item_order() {
        let items: Vec<usize> = (0..1000).collect();
        let out = par_map(
            &items,
            || 0usize,
            |seen, x| {
                *seen += 1;
                x * 2
            },
        );
        assert_eq!(out, items.iter().map(|x| x * 2).collect::<Vec<_>>());
    }
}
