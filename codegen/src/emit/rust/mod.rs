//! The emitter: model → Rust text, laid out as rustfmt lays it out ([`layout`]), with
//! the short names a person would write, brought in by `use` lines at the top of each
//! generated module ([`names`]).
//!
//! One function per artifact: named types ([`types`]), root kinds ([`kinds`]), the
//! client layer per group/version and at the root ([`clients`]). Each writes its
//! items into a [`Writer`] and returns the text with the names it used; the caller
//! puts the `use` lines of a module's pieces above them ([`Names::use_lines`]).

pub(crate) mod apply;
pub(crate) mod clients;
pub(crate) mod items;
pub(crate) mod kinds;
pub(crate) mod layout;
pub(crate) mod names;

pub(crate) use layout::{INDENT, Tree};
pub(crate) use names::{Names, Sym, Used};

use crate::ir::{Model, TypeSpace};

/// A piece of a module: its text and the names it used.
#[derive(Debug, Clone, Default)]
pub struct Emitted {
    /// The items, each preceded by a blank line: the text is these strings one after
    /// another (none empty), so that a long text is not copied as it grows.
    pieces: Vec<String>,
    pub(crate) used: Used,
}

impl Emitted {
    /// Append another piece of the same module (its strings move, not copied).
    pub(crate) fn push(&mut self, other: Emitted) {
        self.pieces.extend(other.pieces);
        self.used = self.used.union(other.used);
    }

    /// The text, in the strings it is made of.
    pub fn texts(&self) -> impl Iterator<Item = &str> {
        self.pieces.iter().map(String::as_str)
    }
}

/// Options of the emitter that change what it writes.
#[derive(Debug, Clone, Default)]
pub struct EmitOptions {
    /// Extra derives: `(target, path)`, target `all`, `structs`, `enums` or a type name.
    pub derives: Vec<(String, String)>,
}

/// The `///` lines of each description (trimmed), in a hasher that needs no seed,
/// padded to the indent they were first written at.
type DocCache = std::collections::HashMap<String, (usize, String), foldhash::fast::FixedState>;

thread_local! {
    /// [`Writer::doc_text`]'s lines of each description written before on this
    /// thread: the indent, `///`, the line, a newline, for each.
    static DOC_LINES: std::cell::RefCell<DocCache> = std::cell::RefCell::default();
}

/// Writes the items of one module.
pub(crate) struct Writer<'a> {
    pub out: String,
    /// What was written before `out`, in the strings [`Emitted`] holds.
    done: Vec<String>,
    pub names: &'a Names,
    pub used: Used,
    pub options: &'a EmitOptions,
    /// The column lines may reach (one less inside attributes).
    pub max: usize,
    /// The `#[serde(crate = ...)]` line written last and its indent (the same on
    /// every type of a module).
    serde_crate_line: Option<(usize, String)>,
    /// The `skip_serializing_if` and `with` arguments of optional fields' serde
    /// attributes (the same on every field of a module), once made.
    pub(crate) optional_args: Option<(String, String)>,
}

impl<'a> Writer<'a> {
    pub(crate) fn new(names: &'a Names, options: &'a EmitOptions) -> Writer<'a> {
        Writer {
            out: String::with_capacity(16 * 1024),
            done: Vec::new(),
            names,
            used: Used::default(),
            options,
            max: layout::MAX_WIDTH,
            serde_crate_line: None,
            optional_args: None,
        }
    }

    pub(crate) fn finish(mut self) -> Emitted {
        self.cut(String::new());
        Emitted {
            pieces: self.done,
            used: self.used,
        }
    }

    /// Ends the current string of the text at what was written so far; `next` is
    /// where the text goes on. Positions in [`Writer::out`] start again from 0.
    fn cut(&mut self, next: String) {
        let done = std::mem::replace(&mut self.out, next);
        if !done.is_empty() {
            self.done.push(done);
        }
    }

    /// `text`, whole, as the next string of the text (not copied): for a long text
    /// written on its own, such as a CRD.
    pub(crate) fn push_piece(&mut self, text: String) {
        self.cut(String::with_capacity(Self::PIECE));
        if !text.is_empty() {
            self.done.push(text);
        }
    }

    /// How long [`Writer::out`] grows before an item starts a new one.
    const PIECE: usize = 64 * 1024;

    /// The text of a name ([`Names::get`]).
    pub(crate) fn n(&mut self, sym: Sym) -> String {
        self.names.get(sym, &mut self.used).into_owned()
    }

    /// The runtime path as generated code writes it.
    pub(crate) fn rt(&self) -> &str {
        &self.names.runtime
    }

    /// `///` lines (each line already starts with its space, or is empty).
    pub(crate) fn docs(&mut self, indent: usize, lines: &[String]) {
        for l in lines {
            self.pad(indent);
            self.out.push_str("///");
            self.out.push_str(l.trim_end_matches(' '));
            self.out.push('\n');
        }
    }

    /// The `///` lines of a description ([`crate::emit::docs::sanitize_each`]), none
    /// for a missing or blank one; as [`Writer::docs`] of its
    /// [`crate::emit::docs::doc_lines`], without a `String` per line.
    ///
    /// The lines of a description are remembered per thread ([`DOC_LINES`]), padded
    /// to the indent they were first written at: most descriptions come back, in
    /// every version of a CRD and across CRDs (two thirds of the doc text over the
    /// corpus), mostly at the same indent, and are then a single copy.
    pub(crate) fn doc_text(&mut self, indent: usize, text: Option<&str>) {
        let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else {
            return;
        };
        let out = &mut self.out;
        DOC_LINES.with_borrow_mut(|docs| {
            if let Some((at, lines)) = docs.get(text) {
                if *at == indent {
                    return out.push_str(lines);
                }
                // Written before at another indent: the same lines, padded anew.
                for l in lines.split_inclusive('\n') {
                    layout::push_pad(out, indent);
                    out.push_str(&l[*at..]);
                }
                return;
            }
            let start = out.len();
            crate::emit::docs::sanitize_each(text, |l| {
                layout::push_pad(out, indent);
                out.push_str("///");
                out.push_str(l.trim_end_matches(' '));
                out.push('\n');
            });
            if docs.len() >= 100_000 {
                docs.clear(); // bounded, whatever a long-lived process feeds it
            }
            // Copied at its length: the cache holds every description of the run.
            docs.insert(text.to_owned(), (indent, out[start..].to_owned()));
        });
    }

    /// The blank line that separates items (and starts a new string of the text
    /// when the current one is long: [`Writer::PIECE`]).
    pub(crate) fn blank(&mut self) {
        if self.out.len() >= Self::PIECE {
            self.cut(String::with_capacity(Self::PIECE * 3 / 2));
        }
        self.out.push('\n');
    }

    /// `#[serde(crate = "...")]`, which generated serde derives need because the user
    /// depends on serde through the runtime only.
    pub(crate) fn serde_crate(&mut self, indent: usize) {
        if let Some((at, line)) = &self.serde_crate_line
            && *at == indent
        {
            self.out.push_str(line);
            return;
        }
        let start = self.out.len();
        let path = lit_str(&format!("{}::serde", self.rt()));
        self.attr(indent, "serde", vec![Tree::atom(format!("crate = {path}"))]);
        self.serde_crate_line = Some((indent, self.out[start..].to_owned()));
    }

    /// The extra derives for a type (`struct` or `enum`) called `name`.
    pub(crate) fn extra_derives(&self, name: &str, is_struct: bool) -> Vec<String> {
        self.options
            .derives
            .iter()
            .filter(|(target, _)| match target.as_str() {
                "all" => true,
                "structs" => is_struct,
                "enums" => !is_struct,
                t => t == name,
            })
            .map(|(_, d)| d.clone())
            .collect()
    }
}

/// The names a group/version module defines itself, with the aliases of its shared
/// shapes ([`items::shared_aliases`]).
pub(crate) fn module_names(runtime: &str, model: &Model, space: &TypeSpace) -> Names {
    let names = module_names_only(runtime, space);
    let aliases = items::shared_aliases(model, space, &names);
    names.with_aliases(aliases)
}

fn module_names_only(runtime: &str, space: &TypeSpace) -> Names {
    let taken = space
        .types
        .iter()
        .map(|t| t.name.0.clone())
        .chain(space.kinds.iter().map(|k| k.name.0.clone()))
        .chain([
            space.items.client.0.clone(),
            space.items.kind_enum.0.clone(),
            space.items.informers.0.clone(),
        ]);
    Names::new(runtime, taken)
}

/// The names of the root module (the clientset).
pub(crate) fn root_names(runtime: &str) -> Names {
    Names::new(
        runtime,
        ["Clientset".to_owned(), "InformerFactory".to_owned()],
    )
}

/// `(name, path)` of kinds whose types live elsewhere, re-exported into their module.
pub(crate) fn reexports(kinds: &[(String, String)], indent: usize) -> Emitted {
    let mut out = String::new();
    for (name, path) in kinds {
        let last = path.rsplit("::").next().unwrap_or(path);
        let pad = " ".repeat(indent);
        out.push('\n');
        // A binary may use only some of the kinds it generates clients for.
        out.push_str(&format!("{pad}#[allow(unused_imports)]\n"));
        if last == name.trim_start_matches("r#") {
            out.push_str(&format!("{pad}pub use {path};\n"));
        } else {
            out.push_str(&format!("{pad}pub use {path} as {name};\n"));
        }
    }
    Emitted {
        pieces: if out.is_empty() {
            Vec::new()
        } else {
            vec![out]
        },
        used: Used::default(),
    }
}

/// `s` as a Rust string literal: printable characters other than `"` and `\` stay as
/// they are, the rest is escaped as `char::escape_debug` does (`\0` or `\x00` for NUL).
pub(crate) fn lit_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    push_lit_str(&mut out, s);
    out
}

/// [`lit_str`] of `s` onto `out`.
pub(crate) fn push_lit_str(out: &mut String, s: &str) {
    out.push('"');
    if s.bytes()
        .all(|b| (0x20..0x7f).contains(&b) && b != b'"' && b != b'\\')
    {
        out.push_str(s);
        out.push('"');
        return;
    }
    let mut run = 0;
    for (i, c) in s.char_indices() {
        let verbatim = match c {
            '"' | '\\' => false,
            ' '..='~' => true,
            c if c.is_ascii() => false,
            c => c.escape_debug().len() == 1,
        };
        if verbatim {
            continue;
        }
        out.push_str(&s[run..i]);
        run = i + c.len_utf8();
        if c == '\0' {
            let octal_next = s[run..].starts_with(|n: char| n.is_digit(8));
            out.push_str(if octal_next { "\\x00" } else { "\\0" });
        } else {
            out.extend(c.escape_debug());
        }
    }
    out.push_str(&s[run..]);
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use proc_macro2::Literal;

    #[test]
    fn string_literals_read_as_rustc_reads_them() {
        for s in [
            "",
            "plain",
            "a \"quoted\" word",
            "back\\slash",
            "tab\there",
            "new\nline",
            "\u{7f}",
            "ünïcödé",
            "nul\u{0}7 and \u{0}8",
            "\r\n\t\u{1b}[0m",
            "e\u{301} and \u{301} alone",
            "zero\u{200b}width \u{feff} \u{85} \u{2028}",
        ] {
            assert_eq!(lit_str(s), Literal::string(s).to_string(), "{s:?}");
            let parsed: syn::LitStr = syn::parse_str(&lit_str(s)).expect("a string literal");
            assert_eq!(parsed.value(), s);
        }
    }
}
