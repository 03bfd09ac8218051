//! The named types (structs and enums, most of the output) and the root kinds written
//! straight to text; the client layer is in [`clients`].
//!
//! [`super::types`] builds tokens for the same items; formatting those means parsing
//! them with syn and printing the syntax tree with prettyplease, which took two thirds
//! of the time for a typical CRD. This module writes the bytes prettyplease prints for
//! those tokens, without the round trip. The items are few and regular, so their
//! layout comes down to two rules of prettyplease's printer (a line breaks where the
//! text up to the next possible break would pass the margin):
//!
//! - an attribute's argument list (`#[derive(...)]`, `#[serde(...)]`) stays on one line
//!   if the whole line fits the margin, and otherwise puts one argument per line;
//! - a type's generic arguments (`Option<Vec<T>>`) stay on the line if they fit
//!   (counting the `>` and what follows up to the next break), and otherwise put one
//!   argument per line, one level deeper, outside in.
//!
//! What has more rules than these (the functions serde calls for defaults, an enum's
//! impls whose lines would not fit) goes through the token path, item by item.
//! `codegen/tests/text_emitter.rs` compares this module with the token path over the
//! golden fixtures and the corpus: the bytes must be the same.

use std::fmt::Write as _;

pub(crate) mod clients;

use super::docs::doc_lines;
use super::kinds::{api_version, deprecation, emit_kind, kind_doc_lines};
use super::types::{
    default_value, emit_enum_impls, extra_field_ident, placeholder_doc, quote_path, variant_doc,
};
use super::{Paths, type_complexity, well_known_path};
use crate::error::Result;
use crate::ir::{
    EnumDef, Field, KindDef, Model, Presence, Scope, StructDef, TypeBody, TypeDef, TypeRef,
    TypeSpace, WellKnown,
};
use crate::render::format_items;

/// prettyplease's margin, its least room on a deeply indented line, and its indent.
const MARGIN: usize = 89;
const MIN_SPACE: usize = 60;

const EXTRA_DOC: &str =
    " Fields the schema does not list, kept because it preserves unknown fields.";
const INDENT: usize = 4;

/// `s` as a string literal token prints (`Literal::string`): printable characters
/// other than `"` and `\` stay as they are, the rest is escaped as proc-macro2 escapes
/// it (`char::escape_debug`, and `\0` or `\x00` for NUL), without its per-character
/// iterator for the text between escapes.
pub(crate) fn lit_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    if s.bytes()
        .all(|b| (0x20..0x7f).contains(&b) && b != b'"' && b != b'\\')
    {
        out.push_str(s);
        out.push('"');
        return out;
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
    out
}

/// The column a line starting at `indent` may reach before the printer breaks it.
fn limit(indent: usize) -> usize {
    indent + MARGIN.saturating_sub(indent).max(MIN_SPACE)
}

/// The named types `range` of the space as formatted text, `depth` modules deep (the
/// same bytes as formatting [`super::types::emit_type_range`] with
/// [`format_items`]).
pub fn type_range(
    paths: &Paths,
    space: &TypeSpace,
    range: std::ops::Range<usize>,
    depth: usize,
) -> Result<String> {
    let mut w = Writer::new(paths, depth);
    for t in &space.types[range] {
        match &t.body {
            TypeBody::Struct(s) => {
                w.structure(space, t, s);
                if s.fields.iter().any(|f| f.default.is_some()) {
                    w.default_fns(paths, space, &t.name.0, &s.fields);
                }
            }
            TypeBody::Enum(e) => {
                w.enumeration(t, e);
                if !w.enum_impls(t, e) {
                    let tokens = emit_enum_impls(t, e);
                    w.out.push_str(&format_items(tokens, depth, "<generated>")?);
                }
            }
        }
    }
    Ok(w.out)
}

/// A module's root kinds as formatted text (the same bytes as formatting
/// [`super::kinds::emit_kinds`]). A kind with a line this module does not know how
/// prettyplease would break is formatted from tokens.
pub fn kinds(paths: &Paths, model: &Model, space: &TypeSpace, depth: usize) -> Result<String> {
    let mut w = Writer::new(paths, depth);
    for k in &space.kinds {
        let start = w.out.len();
        if w.kind(paths, model, space, k).is_none() {
            w.out.truncate(start);
            let tokens = emit_kind(paths, model, space, k, None);
            w.out.push_str(&format_items(tokens, depth, "<generated>")?);
        }
    }
    Ok(w.out)
}

/// A type or an expression as the printer sees it: a path or literal, perhaps with
/// generic arguments or call arguments. Both kinds of list break the same way.
#[derive(Debug, Clone)]
pub(crate) enum Tree {
    Atom(String),
    Generic(String, Vec<Tree>),
    Call(String, Vec<Tree>),
    /// An array expression after `head` (e.g. `&`): `&["a", "b"]`.
    Array(String, Vec<Tree>),
}

impl Tree {
    fn generic(head: &str, args: Vec<Tree>) -> Tree {
        Tree::Generic(head.to_owned(), args)
    }

    pub(crate) fn call(head: &str, args: Vec<Tree>) -> Tree {
        Tree::Call(head.to_owned(), args)
    }

    fn parts(&self) -> Option<(&str, &[Tree], char, char)> {
        match self {
            Tree::Atom(_) => None,
            Tree::Generic(head, args) => Some((head, args, '<', '>')),
            Tree::Call(head, args) => Some((head, args, '(', ')')),
            Tree::Array(head, args) => Some((head, args, '[', ']')),
        }
    }

    /// Its length on one line.
    fn flat_len(&self) -> usize {
        match self.parts() {
            None => self.atom().len(),
            Some((head, args, ..)) => {
                head.len()
                    + 2
                    + args.iter().map(Tree::flat_len).sum::<usize>()
                    + 2 * args.len().saturating_sub(1)
            }
        }
    }

    fn atom(&self) -> &str {
        match self {
            Tree::Atom(a) => a,
            _ => "",
        }
    }

    fn push_flat(&self, out: &mut String) {
        match self.parts() {
            None => out.push_str(self.atom()),
            Some((head, args, open, close)) => {
                out.push_str(head);
                out.push(open);
                for (i, a) in args.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    a.push_flat(out);
                }
                out.push(close);
            }
        }
    }

    /// The tokens of the same type or expression (for the token path).
    pub(crate) fn tokens(&self) -> proc_macro2::TokenStream {
        let mut text = String::new();
        self.push_flat(&mut text);
        text.parse()
            .expect("a generated type or expression is valid Rust")
    }
}

struct Writer {
    out: String,
    /// Indentation of the items.
    indent: usize,
    runtime: String,
    serde: String,
    serde_json: String,
    k8s: String,
    /// `#[serde(crate = "...")]`'s argument.
    serde_crate: String,
}

impl Writer {
    fn new(paths: &Paths, depth: usize) -> Writer {
        let runtime = quote_path(&paths.runtime);
        let serde = format!("{runtime}::serde");
        Writer {
            out: String::with_capacity(64 * 1024),
            indent: depth * INDENT,
            serde_json: format!("{runtime}::serde_json"),
            k8s: format!("{runtime}::k8s_openapi"),
            serde_crate: format!("crate = {}", lit_str(&serde)),
            serde,
            runtime,
        }
    }

    fn pad(&mut self, indent: usize) {
        self.out.extend(std::iter::repeat_n(' ', indent));
    }

    fn line(&mut self, indent: usize, text: &str) {
        self.pad(indent);
        self.out.push_str(text);
        self.out.push('\n');
    }

    fn docs(&mut self, indent: usize, lines: &[String]) {
        for l in lines {
            self.pad(indent);
            self.out.push_str("///");
            self.out.push_str(l.trim_end_matches(' '));
            self.out.push('\n');
        }
    }

    /// `#[name(args)]`: one line if it fits, else one argument a line.
    fn attr(&mut self, indent: usize, name: &str, args: &[&str]) {
        let flat = 2
            + name.len()
            + 1
            + args.iter().map(|a| a.len()).sum::<usize>()
            + 2 * args.len().saturating_sub(1)
            + 2;
        self.pad(indent);
        self.out.push_str("#[");
        self.out.push_str(name);
        self.out.push('(');
        if indent + flat <= limit(indent) {
            for (i, a) in args.iter().enumerate() {
                if i > 0 {
                    self.out.push_str(", ");
                }
                self.out.push_str(a);
            }
            self.out.push_str(")]\n");
        } else {
            self.out.push('\n');
            for (i, a) in args.iter().enumerate() {
                self.pad(indent + INDENT);
                self.out.push_str(a);
                if i + 1 < args.len() {
                    self.out.push(',');
                }
                self.out.push('\n');
            }
            self.line(indent, ")]");
        }
    }

    /// A type that starts at column `col` of a line that began at `indent` (the
    /// indentation of the block the line belongs to); `trailing` is the length of
    /// the text after the type up to the next place the printer may break.
    fn ty(&mut self, ty: &Tree, indent: usize, col: usize, line_limit: usize, trailing: usize) {
        let Some((head, args, open, close)) = ty.parts() else {
            ty.push_flat(&mut self.out);
            return;
        };
        let col = col + head.len() + 1;
        let size = ty.flat_len() - head.len() - 1 + trailing;
        if col + size <= line_limit {
            ty.push_flat(&mut self.out);
            return;
        }
        self.out.push_str(head);
        self.out.push(open);
        self.out.push('\n');
        let inner = indent + INDENT;
        for (i, a) in args.iter().enumerate() {
            let last = i + 1 == args.len();
            self.pad(inner);
            // After an argument: `,` and a break, or (the last) the break itself.
            self.ty(a, inner, inner, limit(inner), if last { 0 } else { 1 });
            self.out.push_str(",\n");
        }
        self.pad(indent);
        self.out.push(close);
    }

    fn type_of(&self, space: &TypeSpace, ty: &TypeRef) -> Tree {
        match ty {
            TypeRef::Bool => Tree::Atom("bool".to_owned()),
            TypeRef::I32 => Tree::Atom("i32".to_owned()),
            TypeRef::I64 => Tree::Atom("i64".to_owned()),
            TypeRef::F64 => Tree::Atom("f64".to_owned()),
            TypeRef::String => Tree::Atom("::std::string::String".to_owned()),
            TypeRef::IntOrString => Tree::Atom(format!(
                "{}::apimachinery::pkg::util::intstr::IntOrString",
                self.k8s
            )),
            TypeRef::Json => Tree::Atom(format!("{}::Value", self.serde_json)),
            TypeRef::JsonObject => Tree::generic(
                "::std::collections::BTreeMap",
                vec![
                    Tree::Atom("::std::string::String".to_owned()),
                    Tree::Atom(format!("{}::Value", self.serde_json)),
                ],
            ),
            TypeRef::List(item) => {
                Tree::generic("::std::vec::Vec", vec![self.type_of(space, item)])
            }
            TypeRef::Map(value) => Tree::generic(
                "::std::collections::BTreeMap",
                vec![
                    Tree::Atom("::std::string::String".to_owned()),
                    self.type_of(space, value),
                ],
            ),
            TypeRef::Named(id) => Tree::Atom(space.types[id.0].name.0.clone()),
            TypeRef::WellKnown(wk) => Tree::Atom(format!("{}::{}", self.k8s, well_known_path(*wk))),
        }
    }

    fn field_type(&self, space: &TypeSpace, ty: &TypeRef, presence: Presence) -> Tree {
        let t = self.type_of(space, ty);
        const OPTION: &str = "::std::option::Option";
        match presence {
            Presence::Required => t,
            Presence::RequiredNullable | Presence::Optional => Tree::generic(OPTION, vec![t]),
            Presence::OptionalNullable => {
                Tree::generic(OPTION, vec![Tree::generic(OPTION, vec![t])])
            }
        }
    }

    /// `pub name: Type,` at `indent`.
    fn field_line(&mut self, indent: usize, name: &str, ty: &Tree) {
        self.pad(indent);
        self.out.push_str("pub ");
        self.out.push_str(name);
        self.out.push_str(": ");
        let col = indent + 4 + name.len() + 2;
        self.ty(ty, indent, col, limit(indent), 1);
        self.out.push_str(",\n");
    }

    fn derive(&mut self, indent: usize, traits: &[&str], default: bool) {
        self.derive_list(indent, traits, default, true);
    }

    /// `#[derive(...)]` (serde's `Serialize` if `serialize`, and `Deserialize`) and
    /// `#[serde(crate = ...)]`.
    fn derive_list(&mut self, indent: usize, traits: &[&str], default: bool, serialize: bool) {
        let mut args: Vec<&str> = traits.to_vec();
        if default {
            args.push("::std::default::Default");
        }
        let ser = format!("{}::Serialize", self.serde);
        let de = format!("{}::Deserialize", self.serde);
        if serialize {
            args.push(&ser);
        }
        args.push(&de);
        self.attr(indent, "derive", &args);
        let serde_crate = std::mem::take(&mut self.serde_crate);
        self.attr(indent, "serde", &[&serde_crate]);
        self.serde_crate = serde_crate;
    }

    fn type_docs(&mut self, t: &TypeDef) {
        let lines = match t.doc.as_deref() {
            Some(d) if !d.trim().is_empty() => doc_lines(Some(d)),
            _ => vec![placeholder_doc(t)],
        };
        self.docs(self.indent, &lines);
    }

    fn structure(&mut self, space: &TypeSpace, t: &TypeDef, s: &StructDef) {
        let i = self.indent;
        self.type_docs(t);
        self.derive(
            i,
            &[
                "::std::clone::Clone",
                "::std::fmt::Debug",
                "::std::cmp::PartialEq",
            ],
            t.has_default,
        );
        self.pad(i);
        let _ = write!(self.out, "pub struct {} {{", t.name.0);
        if s.fields.is_empty() && !s.preserve_unknown {
            self.out.push_str("}\n");
            return;
        }
        self.out.push('\n');
        self.fields(space, &t.name.0, &s.fields);
        if s.preserve_unknown {
            let name = extra_field_ident(&s.fields).to_string();
            self.extra_field(space, &name, EXTRA_DOC);
        }
        self.line(i, "}");
    }

    /// The declarations of `fields` (of the struct or kind `owner`).
    fn fields(&mut self, space: &TypeSpace, owner: &str, fields: &[Field]) {
        let fi = self.indent + INDENT;
        let with = format!(
            "with = {}",
            lit_str(&format!("{}::__private::double_option", self.runtime))
        );
        let skip = format!(
            "skip_serializing_if = {}",
            lit_str("::std::option::Option::is_none")
        );
        for f in fields {
            self.docs(fi, &doc_lines(f.doc.as_deref()));
            let mut args: Vec<String> = Vec::new();
            if f.rust_name.unraw() != f.wire_name {
                args.push(format!("rename = {}", lit_str(&f.wire_name)));
            }
            if f.default.is_some() {
                let path = format!("{owner}::__default_{}", f.rust_name.unraw());
                args.push(format!("default = {}", lit_str(&path)));
            } else if matches!(f.presence, Presence::Optional | Presence::OptionalNullable) {
                args.push("default".to_owned());
            }
            match f.presence {
                Presence::Optional => args.push(skip.clone()),
                Presence::OptionalNullable => {
                    args.push(skip.clone());
                    args.push(with.clone());
                }
                _ => {}
            }
            if !args.is_empty() {
                let args: Vec<&str> = args.iter().map(String::as_str).collect();
                self.attr(fi, "serde", &args);
            }
            if type_complexity(&f.ty, f.presence) > 250 {
                self.attr(fi, "allow", &["clippy::type_complexity"]);
            }
            let ty = self.field_type(space, &f.ty, f.presence);
            self.field_line(fi, &f.rust_name.0, &ty);
        }
    }

    /// The flattened map that keeps unknown fields.
    fn extra_field(&mut self, space: &TypeSpace, name: &str, doc: &str) {
        let fi = self.indent + INDENT;
        self.docs(fi, &[doc.to_owned()]);
        self.attr(fi, "serde", &["flatten"]);
        let ty = self.type_of(space, &TypeRef::JsonObject);
        self.field_line(fi, name, &ty);
    }

    /// `impl T { fn __default_x() -> X { value } ... }` for the fields with defaults.
    fn default_fns(&mut self, paths: &Paths, space: &TypeSpace, owner: &str, fields: &[Field]) {
        let i = self.indent;
        let fi = i + INDENT;
        let _ = writeln!(self.out, "{:i$}impl {owner} {{", "");
        for f in fields {
            let Some(json) = &f.default else { continue };
            if type_complexity(&f.ty, f.presence) > 250 {
                self.attr(fi, "allow", &["clippy::type_complexity"]);
            }
            let ty = self.field_type(space, &f.ty, f.presence);
            let head = format!("fn __default_{}() -> ", f.rust_name.unraw());
            self.pad(fi);
            self.out.push_str(&head);
            // The return type breaks like a field's; ` {` follows it.
            self.ty(&ty, fi, fi + head.len(), limit(fi), 2);
            self.out.push_str(" {\n");
            let body = fi + INDENT;
            let value = default_value(paths, space, f, json, owner);
            self.pad(body);
            self.ty(&value, body, body, limit(body), 0);
            self.out.push('\n');
            self.line(fi, "}");
        }
        self.line(i, "}");
    }

    /// Whether `text` fits on a line at `indent` (then prettyplease prints it flat).
    fn fits(indent: usize, text: &str) -> bool {
        indent + text.len() <= limit(indent)
    }

    /// A line that must fit, or the kind goes through tokens.
    fn flat(&mut self, indent: usize, text: &str) -> Option<()> {
        Self::fits(indent, text).then(|| self.line(indent, text))
    }

    /// `impl Trait for T {`, breaking before `for` when the line is too long.
    fn impl_header(&mut self, indent: usize, trait_path: &str, ty: &str) {
        self.pad(indent);
        self.out.push_str("impl ");
        self.out.push_str(trait_path);
        if indent + 5 + trait_path.len() + 5 + ty.len() + 2 <= limit(indent) {
            self.out.push(' ');
        } else {
            self.out.push('\n');
            self.pad(indent);
        }
        let _ = writeln!(self.out, "for {ty} {{");
    }

    /// `head(params) -> ret {` at `indent`, the parameters atoms
    /// ([`Self::signature_typed`]); `None` where one would not fit on its own line.
    fn sig(
        &mut self,
        indent: usize,
        head: &str,
        params: &[impl AsRef<str>],
        ret: &Tree,
    ) -> Option<()> {
        let params: Vec<(&str, Tree)> = params
            .iter()
            .map(|p| ("", Tree::Atom(p.as_ref().to_owned())))
            .collect();
        self.signature_typed(indent, head, &params, ret)
            .then_some(())
    }

    /// `head(params) -> ret {` at `indent`, each parameter a name (`spec: `) and a
    /// type: on one line when the whole line fits, else one parameter a line, whose
    /// type's generic list breaks if the line does not fit either; then the return
    /// type's, if `) -> ret {` does not fit. False when a parameter written one a line
    /// is an atom too long for its line (prettyplease may lay that out otherwise).
    fn signature_typed(
        &mut self,
        indent: usize,
        head: &str,
        params: &[(&str, Tree)],
        ret: &Tree,
    ) -> bool {
        let flat_params: usize = params
            .iter()
            .map(|(name, ty)| name.len() + ty.flat_len())
            .sum::<usize>()
            + 2 * params.len().saturating_sub(1);
        let flat = head.len() + 1 + flat_params + 5 + ret.flat_len() + 2;
        let mut fits = true;
        self.pad(indent);
        self.out.push_str(head);
        self.out.push('(');
        let col = if params.is_empty() || indent + flat <= limit(indent) {
            for (n, (name, ty)) in params.iter().enumerate() {
                if n > 0 {
                    self.out.push_str(", ");
                }
                self.out.push_str(name);
                ty.push_flat(&mut self.out);
            }
            self.out.push_str(") -> ");
            indent + head.len() + 1 + flat_params + 5
        } else {
            self.out.push('\n');
            let p = indent + INDENT;
            for (name, ty) in params {
                if let Tree::Atom(a) = ty {
                    fits &= p + name.len() + a.len() < limit(p);
                }
                self.pad(p);
                self.out.push_str(name);
                self.ty(ty, p, p + name.len(), limit(p), 1);
                self.out.push_str(",\n");
            }
            self.pad(indent);
            self.out.push_str(") -> ");
            indent + 5
        };
        self.ty(ret, indent, col, limit(indent), 2);
        self.out.push_str(" {\n");
        fits
    }

    fn kind(&mut self, paths: &Paths, model: &Model, space: &TypeSpace, k: &KindDef) -> Option<()> {
        let res = &model.resources[k.resource];
        let ver = &res.versions[k.version];
        let i = self.indent;
        let (b, c) = (i + INDENT, i + 2 * INDENT);
        let name = k.name.0.as_str();
        let runtime = self.runtime.clone();
        let serde = self.serde.clone();
        let kube = format!("{runtime}::kube");
        let meta = format!("{}::{}", self.k8s, well_known_path(WellKnown::ObjectMeta));
        let lit = lit_str;
        if k.preserve_unknown {
            // Its serializer filters keys with `matches!`, laid out by rules of its own.
            return None;
        }

        // The struct.
        self.docs(i, &kind_doc_lines(model, k));
        self.derive_list(
            i,
            &[
                "::std::clone::Clone",
                "::std::fmt::Debug",
                "::std::cmp::PartialEq",
            ],
            k.has_default,
            false,
        );
        let _ = writeln!(self.out, "{:i$}pub struct {name} {{", "");
        self.docs(b, &[" Standard object metadata.".to_owned()]);
        self.line(b, "#[serde(default)]");
        self.field_line(b, "metadata", &Tree::Atom(meta.clone()));
        self.fields(space, name, &k.fields);
        self.line(i, "}");
        if k.fields.iter().any(|f| f.default.is_some()) {
            self.default_fns(paths, space, name, &k.fields);
        }

        // `new(name, spec)`.
        let spec = k.fields.iter().find(|f| f.wire_name == "spec");
        if let Some(spec) = spec.filter(|f| f.presence == Presence::Required)
            && k.fields
                .iter()
                .filter(|f| f.wire_name != "spec")
                .all(|f| f.presence != Presence::Required)
        {
            let spec_ty = self.type_of(space, &spec.ty);
            let _ = writeln!(self.out, "{:i$}impl {name} {{", "");
            self.line(
                b,
                "/// A new object with the given name and spec; everything else empty.",
            );
            // The spec's type may be a map (a spec that keeps unknown fields) or a list.
            self.signature_typed(
                b,
                "pub fn new",
                &[("name: ", Tree::Atom("&str".into())), ("spec: ", spec_ty)],
                &Tree::Atom("Self".into()),
            )
            .then_some(())?;
            let (d, e) = (c + INDENT, c + 2 * INDENT);
            self.line(c, "Self {");
            let _ = writeln!(self.out, "{:d$}metadata: {meta} {{", "");
            // `name: Some(String::from(name)),`
            self.pad(e);
            self.out.push_str("name: ");
            let value = Tree::call(
                "::std::option::Option::Some",
                vec![Tree::call(
                    "::std::string::String::from",
                    vec![Tree::Atom("name".into())],
                )],
            );
            self.ty(&value, e, e + 6, limit(e), 1);
            self.out.push_str(",\n");
            self.flat(e, "..::std::default::Default::default()")?;
            self.line(d, "},");
            if spec.rust_name.0 == "spec" {
                self.line(d, "spec,");
            } else {
                self.flat(d, &format!("{}: spec,", spec.rust_name.0))?;
            }
            for o in k.fields.iter().filter(|f| f.wire_name != "spec") {
                self.flat(
                    d,
                    &format!("{}: ::std::option::Option::None,", o.rust_name.0),
                )?;
            }
            self.line(c, "}");
            self.line(b, "}");
            self.line(i, "}");
        }

        // The wire form.
        self.line(i, "#[automatically_derived]");
        self.impl_header(i, &format!("{serde}::Serialize"), name);
        let generics = format!("fn serialize<S: {serde}::Serializer>");
        // The generic list breaks if it and `>(` do not fit.
        if !Self::fits(b, &format!("{generics}(")) {
            return None;
        }
        let result = "::std::result::Result<S::Ok, S::Error>";
        {
            // Parameters, then `) -> ::std::result::Result<` up to the generic list's break.
            let params = "&self, serializer: S";
            self.pad(b);
            self.out.push_str(&generics);
            self.out.push('(');
            let col = b + generics.len() + 1;
            let rest = ") -> ::std::result::Result<".len();
            if col + params.len() + rest <= limit(b) {
                if !Self::fits(b, &format!("{generics}({params}) -> {result} {{")) {
                    return None;
                }
                let _ = writeln!(self.out, "{params}) -> {result} {{");
            } else {
                self.out.push('\n');
                self.line(c, "&self,");
                self.line(c, "serializer: S,");
                if !Self::fits(b, &format!(") -> {result} {{")) {
                    return None;
                }
                self.line(b, &format!(") -> {result} {{"));
            }
        }
        self.flat(c, &format!("use {serde}::ser::SerializeMap as _;"))?;
        self.flat(
            c,
            "let mut map = serializer.serialize_map(::std::option::Option::None)?;",
        )?;
        let api_version = api_version(res, ver);
        self.serialize_entry(c, "\"apiVersion\"", &lit(&api_version));
        self.serialize_entry(c, "\"kind\"", &lit(&res.kind));
        self.serialize_entry(c, "\"metadata\"", "&self.metadata");
        for f in &k.fields {
            let wire = lit(&f.wire_name);
            let fname = &f.rust_name.0;
            match f.presence {
                Presence::Required | Presence::RequiredNullable => {
                    self.serialize_entry(c, &wire, &format!("&self.{fname}"));
                }
                Presence::Optional | Presence::OptionalNullable => {
                    self.flat(
                        c,
                        &format!("if let ::std::option::Option::Some(value) = &self.{fname} {{"),
                    )?;
                    self.serialize_entry(c + INDENT, &wire, "value");
                    self.line(c, "}");
                }
            }
        }
        self.line(c, "map.end()");
        self.line(b, "}");
        self.line(i, "}");

        // kube's Resource.
        let scope = match res.scope {
            Scope::Namespaced => "NamespaceResourceScope",
            Scope::Cluster => "ClusterResourceScope",
        };
        self.line(i, "#[automatically_derived]");
        self.impl_header(i, &format!("{kube}::Resource"), name);
        self.line(b, "type DynamicType = ();");
        self.flat(b, &format!("type Scope = {kube}::core::{scope};"))?;
        for (f, value) in [
            ("kind", &res.kind),
            ("group", &res.group),
            ("version", &ver.name),
            ("api_version", &api_version),
            ("plural", &res.plural),
        ] {
            self.flat(
                b,
                &format!("fn {f}(_: &()) -> ::std::borrow::Cow<'_, str> {{"),
            )?;
            self.flat(c, &format!("::std::borrow::Cow::Borrowed({})", lit(value)))?;
            self.line(b, "}");
        }
        self.sig(b, "fn meta", &["&self"], &Tree::Atom(format!("&{meta}")))?;
        self.line(c, "&self.metadata");
        self.line(b, "}");
        self.sig(
            b,
            "fn meta_mut",
            &["&mut self"],
            &Tree::Atom(format!("&mut {meta}")),
        )?;
        self.line(c, "&mut self.metadata");
        self.line(b, "}");
        self.line(i, "}");

        // crdgen's CustomResource.
        self.line(i, "#[automatically_derived]");
        self.impl_header(i, &format!("{runtime}::CustomResource"), name);
        for (c_name, value) in [
            ("GROUP", &res.group),
            ("VERSION", &ver.name),
            ("API_VERSION", &api_version),
            ("KIND", &res.kind),
            ("LIST_KIND", &res.list_kind),
            ("PLURAL", &res.plural),
            ("SINGULAR", &res.singular),
        ] {
            // Nothing breaks after ` = ` in a constant: long strings stay on the line.
            let _ = writeln!(
                self.out,
                "{:b$}const {c_name}: &'static str = {};",
                "",
                lit(value)
            );
        }
        for (c_name, values) in [
            ("SHORT_NAMES", &res.short_names),
            ("CATEGORIES", &res.categories),
        ] {
            // A list of strings breaks one item a line, like call arguments.
            let items = values.iter().map(|v| Tree::Atom(lit(v))).collect();
            let head = format!("const {c_name}: &'static [&'static str] = ");
            self.pad(b);
            self.out.push_str(&head);
            self.ty(
                &Tree::Array("&".to_owned(), items),
                b,
                b + head.len(),
                limit(b),
                1,
            );
            self.out.push_str(";\n");
        }
        let scope = match res.scope {
            Scope::Namespaced => "Namespaced",
            Scope::Cluster => "Cluster",
        };
        let _ = writeln!(
            self.out,
            "{:b$}const SCOPE: {runtime}::Scope = {runtime}::Scope::{scope};",
            ""
        );
        let _ = writeln!(self.out, "{:b$}const STORAGE: bool = {};", "", ver.storage);
        self.const_option(b, "DEPRECATION", deprecation(res, ver).as_deref());
        if let Some(ctor) =
            super::kinds::subresources_ctor(ver.status_subresource, ver.scale.is_some())
        {
            self.flat(
                b,
                &format!("fn subresources() -> {runtime}::Subresources {{"),
            )?;
            self.flat(
                b + INDENT,
                &format!("{runtime}::Subresources::{ctor}::<Self>()"),
            )?;
            self.line(b, "}");
        }
        self.line(i, "}");

        // Markers.
        if ver.status_subresource {
            self.line(i, "#[automatically_derived]");
            self.flat(
                i,
                &format!("impl {runtime}::HasStatusSubresource for {name} {{}}"),
            )?;
        }
        if let Some(scale) = &ver.scale {
            self.line(i, "#[automatically_derived]");
            self.impl_header(i, &format!("{runtime}::HasScaleSubresource"), name);
            for (c_name, value) in [
                ("SPEC_REPLICAS_PATH", &scale.spec_replicas_path),
                ("STATUS_REPLICAS_PATH", &scale.status_replicas_path),
            ] {
                let _ = writeln!(
                    self.out,
                    "{:b$}const {c_name}: &'static str = {};",
                    "",
                    lit(value)
                );
            }
            self.const_option(
                b,
                "LABEL_SELECTOR_PATH",
                scale.label_selector_path.as_deref(),
            );
            self.line(i, "}");
        }
        let status = k.fields.iter().find(|f| f.wire_name == "status");
        for (field, trait_name, assoc, getter, optional) in [
            (
                spec.filter(|f| f.presence == Presence::Required),
                "HasSpec",
                "Spec",
                "spec",
                false,
            ),
            (
                status.filter(|f| f.presence == Presence::Optional),
                "HasStatus",
                "Status",
                "status",
                true,
            ),
        ] {
            let Some(field) = field else { continue };
            let ty = self.type_of(space, &field.ty);
            let fname = &field.rust_name.0;
            self.line(i, "#[automatically_derived]");
            self.impl_header(i, &format!("{kube}::core::object::{trait_name}"), name);
            // `type Spec = T;`: T's generic list breaks as a field's type does.
            let head = format!("type {assoc} = ");
            self.pad(b);
            self.out.push_str(&head);
            self.ty(&ty, b, b + head.len(), limit(b), 1);
            self.out.push_str(";\n");
            if optional {
                self.flat(
                    b,
                    &format!("fn {getter}(&self) -> ::std::option::Option<&Self::{assoc}> {{"),
                )?;
                self.flat(c, &format!("self.{fname}.as_ref()"))?;
                self.line(b, "}");
                self.flat(
                    b,
                    &format!(
                        "fn {getter}_mut(&mut self) -> &mut ::std::option::Option<Self::{assoc}> {{"
                    ),
                )?;
            } else {
                self.flat(b, &format!("fn {getter}(&self) -> &Self::{assoc} {{"))?;
                self.flat(c, &format!("&self.{fname}"))?;
                self.line(b, "}");
                self.flat(
                    b,
                    &format!("fn {getter}_mut(&mut self) -> &mut Self::{assoc} {{"),
                )?;
            }
            self.flat(c, &format!("&mut self.{fname}"))?;
            self.line(b, "}");
            self.line(i, "}");
        }
        Some(())
    }

    /// `map.serialize_entry(key, value)?;` at `indent`: the arguments break one a line
    /// (the receiver is short, so the call is not indented further).
    fn serialize_entry(&mut self, indent: usize, key: &str, value: &str) {
        self.pad(indent);
        let call = Tree::call(
            "map.serialize_entry",
            vec![Tree::Atom(key.to_owned()), Tree::Atom(value.to_owned())],
        );
        self.ty(&call, indent, indent, limit(indent), 2);
        self.out.push_str("?;\n");
    }

    /// `const NAME: Type = path(arg);`: the call's argument breaks onto its own line
    /// when it does not fit (nothing else breaks).
    fn const_call(&mut self, indent: usize, name: &str, ty: &str, path: &str, arg: &str) {
        self.pad(indent);
        let head = format!("const {name}: {ty} = ");
        self.out.push_str(&head);
        let call = Tree::call(path, vec![Tree::Atom(arg.to_owned())]);
        self.ty(&call, indent, indent + head.len(), limit(indent), 1);
        self.out.push_str(";\n");
    }

    /// `const NAME: Option<&'static str> = None;` or `= Some("value");`.
    fn const_option(&mut self, indent: usize, name: &str, value: Option<&str>) {
        const OPTION: &str = "::std::option::Option<&'static str>";
        match value {
            None => {
                let _ = writeln!(
                    self.out,
                    "{:indent$}const {name}: {OPTION} = ::std::option::Option::None;",
                    ""
                );
            }
            Some(v) => self.const_call(
                indent,
                name,
                OPTION,
                "::std::option::Option::Some",
                &lit_str(v),
            ),
        }
    }

    fn enumeration(&mut self, t: &TypeDef, e: &EnumDef) {
        let i = self.indent;
        let vi = i + INDENT;
        self.type_docs(t);
        self.derive(
            i,
            &[
                "::std::clone::Clone",
                "::std::fmt::Debug",
                "::std::cmp::PartialEq",
                "::std::cmp::Eq",
                "::std::hash::Hash",
                "::std::cmp::PartialOrd",
                "::std::cmp::Ord",
            ],
            e.default.is_some(),
        );
        self.pad(i);
        let _ = writeln!(self.out, "pub enum {} {{", t.name.0);
        for (n, v) in e.variants.iter().enumerate() {
            self.docs(vi, &[variant_doc(&v.wire)]);
            let rename = format!("rename = {}", lit_str(&v.wire));
            self.attr(vi, "serde", &[&rename]);
            if e.default == Some(n) {
                self.line(vi, "#[default]");
            }
            self.pad(vi);
            self.out.push_str(&v.rust_name.0);
            self.out.push_str(",\n");
        }
        self.docs(
            vi,
            &[" A value the schema does not list (for example, from a newer server); kept as written.".to_owned()],
        );
        self.line(vi, "#[serde(untagged)]");
        // `Other(String),`: the parenthesis breaks like a generic list.
        self.pad(vi);
        self.out.push_str(&e.other.0);
        let string = Tree::Atom("::std::string::String".to_owned());
        let col = vi + e.other.0.len() + 1;
        if col + string.flat_len() + 2 <= limit(vi) {
            self.out.push_str("(::std::string::String),\n");
        } else {
            self.out.push_str("(\n");
            self.line(vi + INDENT, "::std::string::String,");
            self.line(vi, "),");
        }
        self.line(i, "}");
    }

    /// An enum's `as_str` and `Display` impls (false, writing nothing, at an indent so
    /// deep that the fixed lines would not fit: the caller formats them from tokens).
    fn enum_impls(&mut self, t: &TypeDef, e: &EnumDef) -> bool {
        const FMT: &str =
            "fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {";
        let i = self.indent;
        if i + INDENT + FMT.len() > limit(i + INDENT) {
            return false;
        }
        let name = &t.name.0;
        let arm_indent = i + 3 * INDENT;
        let _ = writeln!(self.out, "{:i$}impl {name} {{", "");
        self.line(i + INDENT, "/// The value as written on the wire.");
        self.line(i + INDENT, "pub fn as_str(&self) -> &str {");
        self.line(i + 2 * INDENT, "match self {");
        for v in &e.variants {
            let lit = lit_str(&v.wire);
            self.arm(arm_indent, &[name, "::", &v.rust_name.0], None, &lit);
        }
        self.arm(
            arm_indent,
            &[name, "::", &e.other.0],
            Some("value"),
            "value",
        );
        self.line(i + 2 * INDENT, "}");
        self.line(i + INDENT, "}");
        self.line(i, "}");
        // `impl Trait for T {`: the break before `for` is taken when the line is too long.
        const DISPLAY: &str = "impl ::std::fmt::Display";
        self.pad(i);
        self.out.push_str(DISPLAY);
        if i + DISPLAY.len() + 5 + name.len() + 2 <= limit(i) {
            self.out.push(' ');
        } else {
            self.out.push('\n');
            self.pad(i);
        }
        let _ = writeln!(self.out, "for {name} {{");
        self.line(i + INDENT, FMT);
        self.line(i + 2 * INDENT, "f.write_str(self.as_str())");
        self.line(i + INDENT, "}");
        self.line(i, "}");
        true
    }

    /// A match arm `path(arg) => body,` at `indent`, `body` a literal or a binding.
    /// prettyplease keeps it on one line when it fits without the comma; else it
    /// breaks the pattern's parentheses if `arg) => ` does not fit after them, and
    /// puts the body in a block if it does not fit after the `=>`.
    fn arm(&mut self, indent: usize, path: &[&str], arg: Option<&str>, body: &str) {
        let path_len: usize = path.iter().map(|p| p.len()).sum();
        let pat_len = path_len + arg.map_or(0, |a| a.len() + 2);
        let line_limit = limit(indent);
        self.pad(indent);
        for p in path {
            self.out.push_str(p);
        }
        if indent + pat_len + 4 + body.len() <= line_limit {
            if let Some(a) = arg {
                let _ = write!(self.out, "({a})");
            }
            let _ = writeln!(self.out, " => {body},");
            return;
        }
        let mut col = indent + path_len;
        if let Some(a) = arg {
            // The parentheses' contents, up to the next break: `a) => `.
            if col + 1 + a.len() + 1 + 4 > line_limit {
                self.out.push_str("(\n");
                self.pad(indent + INDENT);
                let _ = writeln!(self.out, "{a},");
                self.pad(indent);
                self.out.push(')');
                col = indent + 1;
            } else {
                let _ = write!(self.out, "({a})");
                col += a.len() + 2;
            }
        }
        self.out.push_str(" => ");
        col += 4;
        if col + body.len() <= line_limit {
            let _ = writeln!(self.out, "{body},");
        } else {
            self.out.push_str("{\n");
            self.line(indent + INDENT, body);
            self.line(indent, "}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proc_macro2::Literal;

    #[test]
    fn string_literals_read_as_proc_macro2_prints_them() {
        for s in [
            "",
            "plain",
            "it's",
            "a \"quoted\" word",
            "back\\slash",
            "tab\there",
            "new\nline",
            "\u{7f}",
            "ünïcödé",
            "emoji 🦀",
            "nul\0",
            "nul\u{0}7 and \u{0}8",
            "\0",
            "\r\n\t\u{1b}[0m",
            "e\u{301} and \u{301} alone",
            "zero\u{200b}width \u{feff} \u{85} \u{2028}",
            "it’s “curly” — ok…",
            "::std::option::Option::is_none",
        ] {
            assert_eq!(lit_str(s), Literal::string(s).to_string(), "{s:?}");
        }
    }

    #[test]
    fn every_character_reads_as_proc_macro2_prints_it() {
        // Every character of the first planes, alone and between others, then a
        // sample of the rest.
        let chars = (0..0x3_0000u32)
            .chain((0x3_0000..=0x10_FFFF).step_by(97))
            .filter_map(char::from_u32);
        for c in chars {
            for s in [format!("{c}"), format!("a{c}b"), format!("{c}{c}7")] {
                assert_eq!(lit_str(&s), Literal::string(&s).to_string(), "{s:?}");
            }
        }
    }
}
