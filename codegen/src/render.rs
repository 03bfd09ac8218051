//! Token streams into formatted, deterministic Rust files.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use proc_macro2::TokenStream;
use quote::quote;

use crate::error::{Diagnostic, Error, Result, SourceRef};
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

fn format(tokens: TokenStream, what: &str) -> Result<String> {
    let file: syn::File = syn::parse2(tokens).map_err(|e| {
        Error::input(Diagnostic::new(
            SourceRef { file: PathBuf::from(what), ..Default::default() },
            format!("internal error: generated code does not parse ({e}); please report this with the input CRD"),
        ))
    })?;
    Ok(prettyplease::unparse(&file))
}

/// Items formatted as they read `depth` modules deep (0 or 2), without the modules
/// around them. prettyplease breaks lines item by item, so formatting items apart and
/// putting the text together gives the bytes formatting them together would.
pub(crate) fn format_items(tokens: TokenStream, depth: usize, what: &str) -> Result<String> {
    if tokens.is_empty() {
        return Ok(String::new());
    }
    match depth {
        0 => format(tokens, what),
        2 => {
            let text = format(quote!(pub mod a { pub mod b { #tokens } }), what)?;
            let body = text
                .strip_prefix("pub mod a {\n    pub mod b {\n")
                .and_then(|t| t.strip_suffix("    }\n}\n"))
                .expect("prettyplease opens and closes the wrapper modules on lines of their own");
            Ok(body.to_owned())
        }
        _ => unreachable!("generated items sit at the root or in a group/version module"),
    }
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

/// Everything in one file, as nested inline modules (for `include!` from OUT_DIR).
/// `root` is the text of the root items (e.g. the clientset spanning every
/// group/version), `items(i)` the text of module `i`'s items formatted two modules deep
/// ([`format_items`]).
pub(crate) fn single_file(
    modules: &[Module],
    root: &str,
    mut items: impl FnMut(usize) -> String,
) -> Result<String> {
    let by_group = by_group(modules);
    let sources: Vec<String> = modules
        .iter()
        .flat_map(|m| m.sources.iter().cloned())
        .collect();
    let mut out = header(&sources);
    out.push_str(root);
    // The modules around the items, as prettyplease prints them: the group's doc and
    // `allow`, each version's inner doc (one line: group, version and kind names).
    // The `allow`: a binary that includes the generated code typically uses only part
    // of it.
    for ms in by_group.values() {
        let first = &modules[ms[0]];
        let _ = writeln!(
            out,
            "///{}\n#[allow(dead_code)]\npub mod {} {{",
            group_doc(&first.group_name),
            first.group.0
        );
        for &i in ms {
            let m = &modules[i];
            debug_assert!(!m.doc.contains('\n'));
            let _ = writeln!(out, "    pub mod {} {{\n        //!{}", m.version.0, m.doc);
            out.push_str(&items(i));
            out.push_str("    }\n");
        }
        out.push_str("}\n");
    }
    Ok(out)
}

/// A module tree: `mod.rs`, `<group>/mod.rs`, `<group>/<version>.rs`. `root` and
/// `items(i)` are formatted at the top level ([`format_items`] with depth 0).
pub(crate) fn module_tree(
    modules: &[Module],
    root: &str,
    mut items: impl FnMut(usize) -> String,
) -> Result<Generated> {
    let mut out = Generated::default();
    let by_group = by_group(modules);
    let all_sources: Vec<String> = modules
        .iter()
        .flat_map(|m| m.sources.iter().cloned())
        .collect();
    let group_decls = by_group.values().map(|ms| {
        let g = crate::emit::ident(&modules[ms[0]].group.0);
        let gdoc = group_doc(&modules[ms[0]].group_name);
        quote!(#[doc = #gdoc] #[allow(dead_code)] pub mod #g;)
    });
    let decls = format(quote!(#(#group_decls)*), "mod.rs")?;
    out.files.insert(
        PathBuf::from("mod.rs"),
        format!("{}{root}{decls}", header(&all_sources)),
    );
    for ms in by_group.values() {
        let g = modules[ms[0]].group.unraw().to_owned();
        let decls = ms.iter().map(|&i| {
            let v = crate::emit::ident(&modules[i].version.0);
            quote!(pub mod #v;)
        });
        let sources: Vec<String> = ms
            .iter()
            .flat_map(|&i| modules[i].sources.iter().cloned())
            .collect();
        let text = format(quote!(#(#decls)*), "mod.rs")?;
        out.files.insert(
            Path::new(&g).join("mod.rs"),
            format!("{}{}", header(&sources), text),
        );
        for &i in ms {
            let m = &modules[i];
            let doc = &m.doc;
            let what = format!("{g}/{}.rs", m.version.unraw());
            let inner = format(quote!(#![doc = #doc]), &what)?;
            out.files.insert(
                Path::new(&g).join(format!("{}.rs", m.version.unraw())),
                format!("{}{inner}{}", header(&m.sources), items(i)),
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

/// Run `rustfmt` (edition 2024, default configuration) over generated text, so the
/// output is rustfmt-clean and reads like hand-formatted code. `None` when rustfmt is
/// not installed or fails; callers then keep prettyplease's output. `RUSTFMT` names the
/// binary, as with cargo. It runs from a neutral folder, so a `rustfmt.toml` in the
/// caller's project does not change generated bytes.
pub fn rustfmt(text: &str) -> Option<String> {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let bin = std::env::var_os("RUSTFMT").unwrap_or_else(|| "rustfmt".into());
    let mut child = Command::new(bin)
        .args(["--edition", "2024", "--emit", "stdout", "--quiet"])
        .current_dir(std::env::temp_dir())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let mut stdin = child.stdin.take()?;
    let input = text.to_owned();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let output = child.wait_with_output().ok()?;
    let written = writer.join().ok()?.is_ok();
    (written && output.status.success())
        .then(|| String::from_utf8(output.stdout).ok())
        .flatten()
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

    #[test]
    fn items_formatted_apart_read_as_formatted_together() {
        let a = quote! {
            /// A long enough struct that prettyplease has to break its derive list somewhere.
            #[derive(::std::clone::Clone, ::std::fmt::Debug, ::std::cmp::PartialEq, ::std::default::Default)]
            pub struct A { pub field_with_a_long_name: ::std::option::Option<::std::collections::BTreeMap<::std::string::String, ::std::vec::Vec<::std::string::String>>> }
        };
        let b = quote!(impl A { pub fn f(&self) -> &str { "x" } });
        let together = format(quote!(pub mod g { pub mod v { #a #b } }), "t").unwrap();
        let apart =
            format_items(a.clone(), 2, "t").unwrap() + &format_items(b.clone(), 2, "t").unwrap();
        assert_eq!(
            together,
            format!("pub mod g {{\n    pub mod v {{\n{apart}    }}\n}}\n")
        );
        let together = format(quote!(#a #b), "t").unwrap();
        let apart = format_items(a, 0, "t").unwrap() + &format_items(b, 0, "t").unwrap();
        assert_eq!(together, apart);
    }
}
