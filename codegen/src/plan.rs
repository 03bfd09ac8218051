//! The generate driver's emission plan: the output cut into chunks that threads emit
//! in parallel, handed back in output order as soon as they are done, so the caller
//! writes each module while later ones are still being emitted (no copy of the whole
//! output in memory, no serial join at the end).

use std::io::{self, Write};
use std::ops::Range;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, channel};

use crate::{ExternalTypes, Settings, emit, ir, passes, render};

/// What emission reads: the model, its type spaces (one per entry of
/// [`Output::modules`]) and the settings.
#[derive(Debug)]
pub(crate) struct Plan {
    pub(crate) model: ir::Model,
    pub(crate) spaces: Vec<ir::TypeSpace>,
    pub(crate) settings: Settings,
}

/// A piece of output that one thread emits.
#[derive(Debug, Clone)]
enum Chunk {
    /// The items above the group modules (clientset, informer factory, scheme).
    Root,
    /// Everything of a module (annotated output: annotations are per module).
    Module(usize),
    /// A module's root kinds.
    Kinds(usize),
    /// A module's client, kind enum and informers.
    Clients(usize),
    /// A run of a module's named types.
    Types(usize, std::ops::Range<usize>),
    /// A module's apply configurations.
    Apply(usize),
}

/// Named types per chunk: small enough to share a big CRD between threads, large
/// enough that handing out chunks costs nothing.
const TYPES_PER_CHUNK: usize = 24;

impl Plan {
    /// The chunks of module `m`, in output order.
    fn module_chunks(&self, m: usize, out: &mut Vec<Chunk>) {
        if self.external(m).is_some() {
            out.push(Chunk::Kinds(m));
            if self.settings.clients {
                out.push(Chunk::Clients(m));
            }
            return;
        }
        if self.settings.annotated {
            out.push(Chunk::Module(m));
            return;
        }
        out.push(Chunk::Kinds(m));
        if self.settings.clients {
            out.push(Chunk::Clients(m));
        }
        let n = self.spaces[m].types.len();
        let mut start = 0;
        while start < n {
            let end = (start + TYPES_PER_CHUNK).min(n);
            out.push(Chunk::Types(m, start..end));
            start = end;
        }
        if self.settings.apply_configurations {
            out.push(Chunk::Apply(m));
        }
    }

    /// For a module whose kinds all have [`Settings::external_types`]: each kind's
    /// name in the module and the path of its type.
    fn external(&self, m: usize) -> Option<Vec<(String, String)>> {
        external_kinds(
            &self.model,
            &self.spaces[m],
            self.settings.external_types.as_ref()?,
        )
    }

    fn emit(&self, ctx: &Ctx, chunk: &Chunk) -> emit::rust::Emitted {
        use emit::rust::{clients, items, kinds};
        let model = &self.model;
        let (names, root_names, options, homes) =
            (&ctx.names, &ctx.root_names, &ctx.options, &ctx.homes);
        let indent = if matches!(chunk, Chunk::Root) {
            ctx.root_indent
        } else {
            ctx.indent
        };
        if let Chunk::Kinds(m) | Chunk::Clients(m) = chunk
            && let Some(external) = self.external(*m)
        {
            return match chunk {
                Chunk::Kinds(_) => emit::rust::reexports(&external, indent),
                _ => clients::module(&names[*m], options, model, &self.spaces[*m], indent, false),
            };
        }
        match chunk {
            Chunk::Root => clients::root(root_names, options, model, &self.spaces, indent),
            Chunk::Module(m) => {
                let space = &self.spaces[*m];
                let ann = self
                    .settings
                    .annotated
                    .then(|| emit::annotate::annotate(model, space));
                let n = &names[*m];
                let mut out = kinds::kinds(n, options, model, space, indent, ann.as_ref(), homes);
                if self.settings.clients {
                    out.push(clients::module(n, options, model, space, indent, true));
                }
                let all = 0..space.types.len();
                out.push(items::aliases(n, options, indent));
                out.push(items::types(n, options, space, all, indent, ann.as_ref()));
                out
            }
            Chunk::Kinds(m) => {
                let space = &self.spaces[*m];
                let mut out = kinds::kinds(&names[*m], options, model, space, indent, None, homes);
                out.push(items::aliases(&names[*m], options, indent));
                out
            }
            Chunk::Clients(m) => {
                clients::module(&names[*m], options, model, &self.spaces[*m], indent, true)
            }
            Chunk::Apply(m) => {
                emit::rust::apply::module(&names[*m], options, model, &self.spaces[*m], indent)
            }
            Chunk::Types(m, range) => items::types(
                &names[*m],
                options,
                &self.spaces[*m],
                range.clone(),
                indent,
                None,
            ),
        }
    }
}

/// The kinds of `space` with their type paths, when every kind of it has one.
fn external_kinds(
    model: &ir::Model,
    space: &ir::TypeSpace,
    types: &ExternalTypes,
) -> Option<Vec<(String, String)>> {
    space
        .kinds
        .iter()
        .map(|k| {
            let res = &model.resources[k.resource];
            let key = (res.group.clone(), space.version.clone(), res.kind.clone());
            types.get(&key).map(|p| (k.name.0.clone(), p.clone()))
        })
        .collect()
}

/// What the emission of every chunk shares.
struct Ctx {
    names: Vec<emit::rust::Names>,
    root_names: emit::rust::Names,
    options: emit::rust::EmitOptions,
    homes: emit::rust::kinds::CrdHomes,
    /// Indentation of a group/version module's items.
    indent: usize,
    /// Indentation of the root module's items.
    root_indent: usize,
}

/// The chunks of the output in output order: the root's (when there is a client
/// layer), then each module's, modules in [`render::module_order`].
struct Cut {
    chunks: Vec<Chunk>,
    root: Option<usize>,
    /// Each module's chunks (indexes into `chunks`), by module index.
    of_module: Vec<Range<usize>>,
}

impl Plan {
    fn ctx(&self, depth: usize) -> Ctx {
        let runtime = &self.settings.runtime_path;
        let names = self
            .spaces
            .iter()
            .map(|s| emit::rust::module_names(runtime, &self.model, s))
            .collect();
        let mut homes = emit::rust::kinds::CrdHomes::new();
        for space in &self.spaces {
            for k in &space.kinds {
                if self.model.resources[k.resource].versions[k.version].storage {
                    let module = passes::naming::version_module(&space.version).0;
                    homes.insert(k.resource, (module, k.name.0.clone()));
                }
            }
        }
        Ctx {
            names,
            root_names: emit::rust::root_names(runtime),
            options: emit::rust::EmitOptions {
                derives: self.settings.derives.clone(),
            },
            homes,
            indent: depth * emit::rust::INDENT,
            root_indent: if depth == 0 { 0 } else { emit::rust::INDENT },
        }
    }

    fn cut(&self, modules: &[render::Module]) -> Cut {
        let mut chunks = Vec::new();
        let root = (self.settings.clients && !self.spaces.is_empty()).then(|| {
            chunks.push(Chunk::Root);
            0
        });
        let mut of_module = vec![0..0; modules.len()];
        for m in render::module_order(modules) {
            let before = chunks.len();
            self.module_chunks(m, &mut chunks);
            debug_assert!(chunks.len() > before);
            of_module[m] = before..chunks.len();
        }
        Cut {
            chunks,
            root,
            of_module,
        }
    }

    /// Emits every chunk of the output, each module's items `depth` modules deep, and
    /// calls `f` with the [`Bodies`] that hand them out. Above
    /// [`render::PARALLEL_MIN_TYPES`] named types, [`render::threads`] threads emit
    /// the chunks in output order while `f` runs on this thread; below, `f` emits each
    /// chunk when it asks for it.
    pub(crate) fn with_bodies<R>(
        &self,
        modules: &[render::Module],
        depth: usize,
        f: impl FnOnce(&mut Bodies<'_>) -> R,
    ) -> R {
        let types: usize = self.spaces.iter().map(|s| s.types.len()).sum();
        let threads = if types < render::PARALLEL_MIN_TYPES {
            1
        } else {
            render::threads()
        };
        self.with_bodies_on(threads, modules, depth, f)
    }

    /// [`Plan::with_bodies`] with up to `threads` emitting threads (1: none).
    fn with_bodies_on<R>(
        &self,
        threads: usize,
        modules: &[render::Module],
        depth: usize,
        f: impl FnOnce(&mut Bodies<'_>) -> R,
    ) -> R {
        let ctx = self.ctx(depth);
        let cut = self.cut(modules);
        let threads = threads.min(cut.chunks.len());
        let mut bodies = Bodies {
            plan: self,
            ctx: &ctx,
            cut: &cut,
            ready: std::iter::repeat_with(|| None)
                .take(cut.chunks.len())
                .collect(),
            done: None,
        };
        if threads <= 1 {
            return f(&mut bodies);
        }
        let next = AtomicUsize::new(0);
        let stop = AtomicBool::new(false);
        std::thread::scope(|s| {
            let (tx, rx) = channel();
            for _ in 0..threads {
                let tx = tx.clone();
                let (next, stop, ctx, chunks) = (&next, &stop, &ctx, &cut.chunks);
                s.spawn(move || {
                    while !stop.load(Ordering::Relaxed) {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(chunk) = chunks.get(i) else { break };
                        if tx.send((i, self.emit(ctx, chunk))).is_err() {
                            break;
                        }
                    }
                });
            }
            drop(tx);
            bodies.done = Some(rx);
            let out = f(&mut bodies);
            // `f` may stop early (a write failed): the threads stop at their next chunk.
            stop.store(true, Ordering::Relaxed);
            drop(bodies);
            out
        })
    }
}

/// The emitted bodies of the root module and of each group/version module, handed out
/// as emission finishes them (see [`Plan::with_bodies`]).
pub(crate) struct Bodies<'a> {
    plan: &'a Plan,
    ctx: &'a Ctx,
    cut: &'a Cut,
    /// Chunks received ahead of the one asked for.
    ready: Vec<Option<emit::rust::Emitted>>,
    /// Chunks from the emitting threads; `None`: emit here, when asked.
    done: Option<Receiver<(usize, emit::rust::Emitted)>>,
}

impl Bodies<'_> {
    /// Whether there is a root module (the client layer of every group/version).
    pub(crate) fn has_root(&self) -> bool {
        self.cut.root.is_some()
    }

    /// Writes the root module's body: its `use` lines and items.
    pub(crate) fn write_root(&mut self, w: &mut dyn Write) -> io::Result<()> {
        let Some(i) = self.cut.root else {
            return Ok(());
        };
        let pieces = vec![self.take(i)];
        let names = &self.ctx.root_names;
        write_body(names, &pieces, self.ctx.root_indent, false, w)
    }

    /// Writes module `m`'s body: its `use` lines and items.
    pub(crate) fn write_module(&mut self, m: usize, w: &mut dyn Write) -> io::Result<()> {
        let pieces: Vec<_> = self.cut.of_module[m]
            .clone()
            .map(|i| self.take(i))
            .collect();
        write_body(&self.ctx.names[m], &pieces, self.ctx.indent, true, w)
    }

    /// Chunk `i`, once (emitted here, or waited for).
    fn take(&mut self, i: usize) -> emit::rust::Emitted {
        if let Some(e) = self.ready[i].take() {
            return e;
        }
        let Some(done) = &self.done else {
            return self.plan.emit(self.ctx, &self.cut.chunks[i]);
        };
        loop {
            // Every chunk is sent once, unless a thread panicked (the scope then
            // re-raises its panic).
            let (j, e) = done
                .recv()
                .expect("an emitting thread stopped before its chunk was sent");
            if j == i {
                return e;
            }
            self.ready[j] = Some(e);
        }
    }
}

/// A module's body: a blank line after the module's head (`lead`) when there are `use`
/// lines, the `use` lines of every piece, then the pieces' items (each preceded by a
/// blank line, but the first when nothing precedes it).
fn write_body(
    names: &emit::rust::Names,
    pieces: &[emit::rust::Emitted],
    indent: usize,
    lead: bool,
    w: &mut dyn Write,
) -> io::Result<()> {
    let used = pieces
        .iter()
        .fold(emit::rust::Used::default(), |u, p| u.union(p.used));
    let uses = names.use_lines(used, indent);
    if lead && !uses.is_empty() {
        w.write_all(b"\n")?;
    }
    w.write_all(uses.as_bytes())?;
    let mut strip = uses.is_empty() && !lead;
    for mut text in pieces.iter().flat_map(emit::rust::Emitted::texts) {
        if strip && !text.is_empty() {
            text = text.strip_prefix('\n').unwrap_or(text);
            strip = false;
        }
        w.write_all(text.as_bytes())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::fmt::Write as _;

    /// A CRD in two versions whose spec has `n` object fields, each its own type.
    fn wide_crd(group: &str, n: usize) -> String {
        let mut props = String::new();
        for i in 0..n {
            let _ = write!(
                props,
                "\n                field{i}:\n                  type: object\n                  properties:\n                    value{i}:\n                      type: string\n                    count:\n                      type: integer"
            );
        }
        let mut versions = String::new();
        for (v, storage) in [("v1", true), ("v1beta1", false)] {
            let _ = write!(
                versions,
                "\n    - name: {v}\n      served: true\n      storage: {storage}\n      schema:\n        openAPIV3Schema:\n          type: object\n          properties:\n            spec:\n              type: object\n              properties:{props}"
            );
        }
        format!(
            "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: wides.{group}\nspec:\n  group: {group}\n  names:\n    kind: Wide\n    plural: wides\n  scope: Namespaced\n  versions:{versions}\n"
        )
    }

    /// The output is the same bytes whether its chunks are emitted here one after
    /// another or by threads that finish them out of order, for the single file and
    /// the module tree.
    #[test]
    fn threads_write_the_same_bytes_as_one() {
        let sources: Vec<crate::Source> = ["a.example.com", "b.example.com", "c.example.com"]
            .iter()
            .map(|g| crate::Source::Text {
                name: format!("{g}.yaml"),
                text: wide_crd(g, 120),
            })
            .collect();
        let out = crate::generate(&sources, &crate::Settings::default()).unwrap();
        let types: usize = out.plan.spaces.iter().map(|s| s.types.len()).sum();
        assert!(types > 600, "{types} types: enough chunks to share");
        let single = |threads| {
            let mut text = Vec::new();
            out.plan.with_bodies_on(threads, &out.modules, 2, |b| {
                crate::render::single_file(&out.modules, b, &mut text).unwrap()
            });
            text
        };
        let tree = |threads| {
            out.plan.with_bodies_on(threads, &out.modules, 0, |b| {
                crate::render::module_tree(&out.modules, b)
            })
        };
        let one = single(1);
        assert!(one.len() > 100_000);
        for threads in [2, 3, 8] {
            assert!(single(threads) == one, "{threads} threads, single file");
            assert_eq!(tree(threads), tree(1), "{threads} threads, module tree");
        }
        assert_eq!(String::from_utf8(one).unwrap(), out.single_file().unwrap());
    }
}
