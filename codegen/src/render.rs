//! Generated Rust laid out as files: one of nested modules, or a module tree.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::ir::RustIdent;
use crate::plan::Bodies;

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

/// Everything in one file, as nested inline modules (for `include!` from OUT_DIR),
/// written to `w` module by module as `bodies` hands them out: the root module's body
/// indented one level, each group/version module's two levels.
pub(crate) fn single_file(
    modules: &[Module],
    bodies: &mut Bodies<'_>,
    w: &mut dyn io::Write,
) -> io::Result<()> {
    let by_group = by_group(modules);
    let sources: Vec<String> = modules
        .iter()
        .flat_map(|m| m.sources.iter().cloned())
        .collect();
    w.write_all(header(&sources).as_bytes())?;
    let mut first = true;
    if bodies.has_root() {
        w.write_all(ROOT_REEXPORT.as_bytes())?;
        w.write_all(b"\n")?;
        w.write_all(ROOT_DOC.as_bytes())?;
        writeln!(w, "#[allow(dead_code)]\npub mod {ROOT_MODULE} {{")?;
        bodies.write_root(w)?;
        w.write_all(b"}\n")?;
        first = false;
    }
    // The group's doc and `allow` (a program that includes the generated code
    // typically uses only part of it), each version's inner doc.
    for ms in by_group.values() {
        let first_module = &modules[ms[0]];
        if !first {
            w.write_all(b"\n")?;
        }
        first = false;
        writeln!(
            w,
            "///{}\n#[allow(dead_code)]\npub mod {} {{",
            group_doc(&first_module.group_name),
            first_module.group.0
        )?;
        for (n, &i) in ms.iter().enumerate() {
            let m = &modules[i];
            debug_assert!(!m.doc.contains('\n'));
            if n > 0 {
                w.write_all(b"\n")?;
            }
            writeln!(w, "    pub mod {} {{\n        //!{}", m.version.0, m.doc)?;
            bodies.write_module(i, w)?;
            w.write_all(b"    }\n")?;
        }
        w.write_all(b"}\n")?;
    }
    Ok(())
}

/// A module tree: `mod.rs`, `clientset.rs`, `<group>/mod.rs`, `<group>/<version>.rs`.
/// The bodies are written at the top level.
pub(crate) fn module_tree(modules: &[Module], bodies: &mut Bodies<'_>) -> Generated {
    let body = |write: &mut dyn FnMut(&mut Vec<u8>) -> io::Result<()>| {
        let mut out = Vec::new();
        write(&mut out).expect("writing to memory cannot fail");
        String::from_utf8(out).expect("bodies are written from strings")
    };
    let mut out = Generated::default();
    let by_group = by_group(modules);
    let all_sources: Vec<String> = modules
        .iter()
        .flat_map(|m| m.sources.iter().cloned())
        .collect();
    let mut top = header(&all_sources);
    if bodies.has_root() {
        let root = body(&mut |w| bodies.write_root(w));
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
                format!(
                    "{}//!{}\n{}",
                    header(&m.sources),
                    m.doc,
                    body(&mut |w| bodies.write_module(i, w))
                ),
            );
        }
    }
    out
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
    let mut file = ChangedFile::open(path, Some(content.len() as u64))?;
    file.write_all(content.as_bytes())
        .map_err(|e| Error::io(path, e))?;
    file.finish()
}

/// A file written only where its bytes change, for output written piece by piece
/// ([`write_if_changed`] for text in memory).
///
/// What is written is compared with the file on disk, a block at a time (nothing of
/// either is held in memory); from the first byte that differs on, the rest is written
/// over the file in place, and [`ChangedFile::finish`] cuts it to the new length. A file
/// whose bytes are all the same is not written at all, so its modification time stays.
pub struct ChangedFile {
    path: PathBuf,
    file: std::fs::File,
    /// Comparing with the file on disk (`true`) or writing over it.
    comparing: bool,
    /// The length of the file when opened, if it is a regular file.
    on_disk: Option<u64>,
    /// Bytes written (or found identical) so far.
    len: u64,
    /// Block for reading the file back while comparing.
    block: Vec<u8>,
    /// What is written, gathered into writes of [`ChangedFile::BLOCK`] bytes.
    pending: Vec<u8>,
}

impl ChangedFile {
    const BLOCK: usize = 256 * 1024;

    /// Opens `path` (and makes its folder) to write new content into it. With the
    /// content's length known (`len`), a file of another size is rewritten without
    /// being read.
    pub fn open(path: &Path, len: Option<u64>) -> Result<ChangedFile> {
        let existing = std::fs::metadata(path).ok();
        let open = || {
            std::fs::File::options()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(path)
        };
        // The folder is made only when opening finds it missing (one system call for a
        // new file in a folder that exists, not three).
        let file = match open() {
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                match path.parent().filter(|p| !p.as_os_str().is_empty()) {
                    Some(parent) => {
                        std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
                        open()
                    }
                    None => Err(e),
                }
            }
            other => other,
        }
        .map_err(|e| Error::io(path, e))?;
        // A regular file's length before writing: an existing file's, or 0 for the new
        // one just made. `None`: a device or a pipe, written through.
        let on_disk = match &existing {
            Some(m) if m.is_file() => Some(m.len()),
            Some(_) => None,
            None => Some(0),
        };
        let comparing =
            existing.is_some_and(|m| m.is_file() && len.is_none_or(|len| m.len() == len));
        Ok(ChangedFile {
            path: path.to_path_buf(),
            file,
            comparing,
            on_disk,
            len: 0,
            block: Vec::new(),
            pending: Vec::new(),
        })
    }

    /// Compares `bytes` with the file's next bytes; from the first that differs, the
    /// file is written instead.
    fn compare(&mut self, bytes: &[u8]) -> io::Result<()> {
        use std::io::{Read, Seek, SeekFrom};
        let mut rest = bytes;
        while self.comparing && !rest.is_empty() {
            let n = rest.len().min(Self::BLOCK);
            self.block.resize(n, 0);
            let mut got = 0;
            while got < n {
                match self.file.read(&mut self.block[got..n]) {
                    Ok(0) => break,
                    Ok(k) => got += k,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(e),
                }
            }
            // Whole blocks compare as slices (memcmp); only a block that differs is
            // searched byte by byte (a byte loop was a tenth of a whole-corpus run
            // over an unchanged file).
            let same = if self.block[..got] == rest[..got] {
                got
            } else {
                self.block[..got]
                    .iter()
                    .zip(&rest[..got])
                    .take_while(|(a, b)| a == b)
                    .count()
            };
            self.len += same as u64;
            rest = &rest[same..];
            if same < n {
                self.comparing = false;
                self.block = Vec::new();
                self.file.seek(SeekFrom::Start(self.len))?;
            }
        }
        if !rest.is_empty() {
            self.file.write_all(rest)?;
            self.len += rest.len() as u64;
        }
        Ok(())
    }

    /// Ends the file: writes what is pending and cuts what is left of the old content.
    /// Whether the file changed.
    pub fn finish(mut self) -> Result<bool> {
        let pending = std::mem::take(&mut self.pending);
        let path = self.path.clone();
        self.compare(&pending).map_err(|e| Error::io(&path, e))?;
        // `/dev/null`, a pipe: written through, nothing to compare or cut.
        let Some(on_disk) = self.on_disk else {
            return Ok(true);
        };
        if self.comparing && on_disk == self.len {
            return Ok(false);
        }
        // Writing from the start made the file at least as long as what was written;
        // what is left of a longer old content is cut.
        if on_disk > self.len {
            self.file
                .set_len(self.len)
                .map_err(|e| Error::io(&path, e))?;
        }
        Ok(true)
    }
}

impl io::Write for ChangedFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.pending.len() + buf.len() > Self::BLOCK {
            let pending = std::mem::take(&mut self.pending);
            self.compare(&pending)?;
            self.pending = pending;
            self.pending.clear();
            if buf.len() >= Self::BLOCK {
                self.compare(buf)?;
                return Ok(buf.len());
            }
        }
        self.pending.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
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
    fn changed_file_writes_from_the_first_byte_that_differs() {
        use std::io::Write as _;
        let dir = std::env::temp_dir().join(format!("crdgen-changed-{}", std::process::id()));
        let path = dir.join("out.rs");
        // Written in pieces of every size, some larger than a block.
        let write = |text: &[u8]| {
            let mut file = ChangedFile::open(&path, None).unwrap();
            let mut rest = text;
            let mut size = 1;
            while !rest.is_empty() {
                let n = size.min(rest.len());
                file.write_all(&rest[..n]).unwrap();
                rest = &rest[n..];
                size = size * 7 % 400_001 + 1;
            }
            file.finish().unwrap()
        };
        let big: Vec<u8> = (0..900_000u32).map(|i| b'a' + (i % 23) as u8).collect();
        assert!(write(&big), "a new file is written");
        assert_eq!(std::fs::read(&path).unwrap(), big);
        let modified = std::fs::metadata(&path).unwrap().modified().unwrap();
        assert!(!write(&big), "the same bytes are not");
        assert_eq!(
            std::fs::metadata(&path).unwrap().modified().unwrap(),
            modified,
            "an unchanged file is not touched"
        );
        let mut changed = big.clone();
        changed[500_000] = b'!';
        assert!(write(&changed), "one byte differs");
        assert_eq!(std::fs::read(&path).unwrap(), changed);
        assert!(write(&changed[..300_000]), "shorter");
        assert_eq!(std::fs::read(&path).unwrap(), &changed[..300_000]);
        assert!(
            write(&big),
            "longer, and different at the end of the old file"
        );
        assert_eq!(std::fs::read(&path).unwrap(), big);
        assert!(write(b""), "empty");
        assert_eq!(std::fs::read(&path).unwrap(), b"");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[cfg(unix)]
    #[test]
    fn changed_file_writes_through_to_a_device() {
        assert!(write_if_changed(Path::new("/dev/null"), "text").unwrap());
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
