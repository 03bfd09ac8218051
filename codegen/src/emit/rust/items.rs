//! Named types: structs (with the functions serde calls for defaults) and string
//! enums (with `as_str` and `Display`).

use serde_json::Value as Json;

use super::layout::INDENT;
use super::{EmitOptions, Emitted, Names, Sym, Tree, Writer, lit_str};
use crate::emit::annotate::{Owner, SpaceAnnotations, attr_args};
use crate::emit::docs::doc_lines;
use crate::emit::type_complexity;
use crate::ir::{EnumDef, Field, Presence, StructDef, TypeBody, TypeDef, TypeRef, TypeSpace};

const EXTRA_DOC: &str =
    " Fields the schema does not list, kept because it preserves unknown fields.";

/// The named types `range` of the space, at `indent`; with annotations, each derives
/// `CrdSchema` and its fields carry `#[crdgen(...)]`.
pub(crate) fn types(
    names: &Names,
    options: &EmitOptions,
    space: &TypeSpace,
    range: std::ops::Range<usize>,
    indent: usize,
    ann: Option<&SpaceAnnotations>,
) -> Emitted {
    let mut w = Writer::new(names, options);
    for (i, t) in space
        .types
        .iter()
        .enumerate()
        .skip(range.start)
        .take(range.len())
    {
        match &t.body {
            TypeBody::Struct(s) => {
                w.structure(space, t, s, indent, ann.map(|a| (a, i)));
                if s.fields.iter().any(|f| f.default.is_some()) {
                    w.default_fns(space, &t.name.0, &s.fields, indent);
                }
            }
            TypeBody::Enum(e) => {
                w.enumeration(t, e, indent, ann.is_some());
                w.enum_impls(t, e, indent);
            }
        }
    }
    w.finish()
}

/// The doc line of a type whose schema has no description.
pub(crate) fn placeholder_doc(t: &TypeDef) -> String {
    format!(
        " `{}` (generated from the schema).",
        t.origin.escape_debug()
    )
}

/// The doc line of an enum variant: its wire value.
pub(crate) fn variant_doc(wire: &str) -> String {
    // Control characters are shown escaped: a raw `\r` is not allowed in a doc comment.
    let shown = wire.escape_debug().to_string();
    if wire.is_empty() {
        " The empty string.".to_owned()
    } else if shown.contains('`') {
        format!(" ``{shown}``")
    } else {
        format!(" `{shown}`")
    }
}

/// The name of the flattened map that keeps unknown fields, unique among the fields.
pub(crate) fn extra_field_name(fields: &[Field]) -> String {
    let mut name = "extra_fields".to_owned();
    while fields.iter().any(|f| f.rust_name.unraw() == name) {
        name.push('_');
    }
    name
}

/// A field name as serde's `rename_all = "camelCase"` turns it into a wire name.
pub(crate) fn serde_camel_case(field: &str) -> String {
    let mut pascal = String::with_capacity(field.len());
    let mut capitalize = true;
    for c in field.chars() {
        if c == '_' {
            capitalize = true;
        } else if capitalize {
            pascal.push(c.to_ascii_uppercase());
            capitalize = false;
        } else {
            pascal.push(c);
        }
    }
    match pascal.chars().next() {
        Some(first) => first.to_ascii_lowercase().to_string() + &pascal[first.len_utf8()..],
        None => pascal,
    }
}

/// Whether the fields are better served by `rename_all = "camelCase"` (fewer renames
/// with it than without).
pub(crate) fn camel_case_fields(fields: &[Field]) -> bool {
    let without = fields
        .iter()
        .filter(|f| f.rust_name.unraw() != f.wire_name)
        .count();
    let with = fields
        .iter()
        .filter(|f| serde_camel_case(f.rust_name.unraw()) != f.wire_name)
        .count();
    with < without
}

impl Writer<'_> {
    /// A type reference inside the module.
    pub(crate) fn type_of(&mut self, space: &TypeSpace, ty: &TypeRef) -> Tree {
        match ty {
            TypeRef::Bool => Tree::atom("bool"),
            TypeRef::I32 => Tree::atom("i32"),
            TypeRef::I64 => Tree::atom("i64"),
            TypeRef::F64 => Tree::atom("f64"),
            TypeRef::String => Tree::atom(self.n(Sym::String)),
            TypeRef::IntOrString => Tree::atom(self.n(Sym::IntOrString)),
            TypeRef::Json => Tree::atom(self.n(Sym::Value)),
            TypeRef::JsonObject => {
                let (m, s, v) = (
                    self.n(Sym::BTreeMap),
                    self.n(Sym::String),
                    self.n(Sym::Value),
                );
                Tree::generic(m, vec![Tree::atom(s), Tree::atom(v)])
            }
            TypeRef::List(item) => {
                let v = self.n(Sym::Vec);
                let item = self.type_of(space, item);
                Tree::generic(v, vec![item])
            }
            TypeRef::Map(value) => {
                let (m, s) = (self.n(Sym::BTreeMap), self.n(Sym::String));
                let value = self.type_of(space, value);
                Tree::generic(m, vec![Tree::atom(s), value])
            }
            TypeRef::Named(id) => Tree::atom(space.types[id.0].name.0.clone()),
            TypeRef::WellKnown(wk) => Tree::atom(self.n(Sym::well_known(*wk))),
        }
    }

    /// A field's type after wrapping for presence.
    pub(crate) fn field_type(&mut self, space: &TypeSpace, ty: &TypeRef, p: Presence) -> Tree {
        let t = self.type_of(space, ty);
        let option = self.n(Sym::Option);
        match p {
            Presence::Required => t,
            Presence::RequiredNullable | Presence::Optional => Tree::generic(option, vec![t]),
            Presence::OptionalNullable => {
                Tree::generic(option.clone(), vec![Tree::generic(option, vec![t])])
            }
        }
    }

    /// The derive list of a generated type (serde's `Serialize` when `serialize`).
    pub(crate) fn derives(
        &mut self,
        base: &[&str],
        default: bool,
        serialize: bool,
        annotated: bool,
        extra: Vec<String>,
    ) -> Vec<String> {
        let mut list: Vec<String> = base.iter().map(|s| (*s).to_owned()).collect();
        if default {
            list.push("Default".to_owned());
        }
        if serialize {
            list.push(self.n(Sym::Serialize));
        }
        list.push(self.n(Sym::Deserialize));
        if annotated {
            list.push(self.n(Sym::CrdSchema));
        }
        for d in extra {
            if !list.contains(&d) {
                list.push(d);
            }
        }
        list
    }

    fn type_docs(&mut self, t: &TypeDef, indent: usize, annotated: bool) {
        let lines = match t.doc.as_deref() {
            Some(d) if !d.trim().is_empty() => doc_lines(Some(d)),
            // Annotated output reads docs back as descriptions: no made-up text there.
            _ if annotated => Vec::new(),
            _ => vec![placeholder_doc(t)],
        };
        self.docs(indent, &lines);
    }

    fn structure(
        &mut self,
        space: &TypeSpace,
        t: &TypeDef,
        s: &StructDef,
        indent: usize,
        ann: Option<(&SpaceAnnotations, usize)>,
    ) {
        self.blank();
        self.type_docs(t, indent, ann.is_some());
        let extra = self.extra_derives(&t.name.0, true);
        let derives = self.derives(
            &["Clone", "Debug", "PartialEq"],
            t.has_default,
            true,
            ann.is_some(),
            extra,
        );
        self.derive(indent, &derives);
        self.serde_crate(indent);
        let camel = camel_case_fields(&s.fields);
        if camel {
            self.attr(
                indent,
                "serde",
                vec![Tree::atom("rename_all = \"camelCase\"")],
            );
        }
        if s.fields.is_empty() && !s.preserve_unknown {
            self.line(indent, &format!("pub struct {} {{}}", t.name.0));
            return;
        }
        self.item_header(indent, &format!("pub struct {}", t.name.0));
        let owner = ann.map(|(a, i)| (a, Owner::Type(i)));
        self.fields(space, &t.name.0, &s.fields, indent + INDENT, camel, owner);
        if s.preserve_unknown {
            let name = extra_field_name(&s.fields);
            self.extra_field(space, &name, EXTRA_DOC, indent + INDENT);
        }
        self.line(indent, "}");
    }

    /// The declarations of `fields` (of the struct or kind `owner`) at `indent`.
    pub(crate) fn fields(
        &mut self,
        space: &TypeSpace,
        owner: &str,
        fields: &[Field],
        indent: usize,
        camel: bool,
        ann: Option<(&SpaceAnnotations, Owner)>,
    ) {
        let option = self.n(Sym::Option);
        for f in fields {
            self.docs(indent, &doc_lines(f.doc.as_deref()));
            let mut args: Vec<Tree> = Vec::new();
            let wire_by_name = if camel {
                serde_camel_case(f.rust_name.unraw())
            } else {
                f.rust_name.unraw().to_owned()
            };
            if wire_by_name != f.wire_name {
                args.push(Tree::atom(format!("rename = {}", lit_str(&f.wire_name))));
            }
            if f.default.is_some() {
                let path = format!("{owner}::__default_{}", f.rust_name.unraw());
                args.push(Tree::atom(format!("default = {}", lit_str(&path))));
            } else if matches!(f.presence, Presence::Optional | Presence::OptionalNullable) {
                args.push(Tree::atom("default"));
            }
            if matches!(f.presence, Presence::Optional | Presence::OptionalNullable) {
                let skip = lit_str(&format!("{option}::is_none"));
                args.push(Tree::atom(format!("skip_serializing_if = {skip}")));
            }
            if f.presence == Presence::OptionalNullable {
                let with = lit_str(&format!("{}::__private::double_option", self.rt()));
                args.push(Tree::atom(format!("with = {with}")));
            }
            if !args.is_empty() {
                self.field_attr(indent, "serde", args);
            }
            if let Some(attr) = ann.and_then(|(a, o)| a.field(o, f)) {
                self.field_attr(indent, "crdgen", attr_args(attr));
            }
            if type_complexity(&f.ty, f.presence) > 250 {
                // Deep lists and maps come from the schema; an alias would only move them.
                self.field_attr(indent, "allow", vec![Tree::atom("clippy::type_complexity")]);
            }
            let ty = self.field_type(space, &f.ty, f.presence);
            self.rhs(indent, &format!("pub {}:", f.rust_name.0), &ty, ",");
        }
    }

    /// The flattened map that keeps unknown fields.
    pub(crate) fn extra_field(&mut self, space: &TypeSpace, name: &str, doc: &str, indent: usize) {
        self.docs(indent, &[doc.to_owned()]);
        self.field_attr(indent, "serde", vec![Tree::atom("flatten")]);
        let ty = self.type_of(space, &TypeRef::JsonObject);
        self.rhs(indent, &format!("pub {name}:"), &ty, ",");
    }

    /// `impl T { fn __default_x() -> X { value } ... }` for the fields with defaults.
    pub(crate) fn default_fns(
        &mut self,
        space: &TypeSpace,
        owner: &str,
        fields: &[Field],
        indent: usize,
    ) {
        let fi = indent + INDENT;
        self.blank();
        self.line(indent, &format!("impl {owner} {{"));
        let mut first = true;
        for f in fields {
            let Some(json) = &f.default else { continue };
            if !first {
                self.blank();
            }
            first = false;
            if type_complexity(&f.ty, f.presence) > 250 {
                self.attr(fi, "allow", vec![Tree::atom("clippy::type_complexity")]);
            }
            let ty = self.field_type(space, &f.ty, f.presence);
            let head = format!("fn __default_{}", f.rust_name.unraw());
            self.sig(fi, &head, &[], Some(&ty));
            let value = self.default_value(space, f, json, owner);
            self.expr(fi + INDENT, &value, "");
            self.line(fi, "}");
        }
        self.line(indent, "}");
    }

    /// The value a field's default function returns (wrapped in `Some` as its presence
    /// needs), for a schema default that the type pass already checked.
    fn default_value(&mut self, space: &TypeSpace, f: &Field, json: &str, owner: &str) -> Tree {
        let field = format!("{owner}.{}", f.wire_name);
        let value = self.default_expr(space, &f.ty, json, &field);
        let some = |v| Tree::call("Some", vec![v]);
        match f.presence {
            Presence::Required => value,
            Presence::RequiredNullable | Presence::Optional => some(value),
            Presence::OptionalNullable => some(some(value)),
        }
    }

    fn default_expr(&mut self, space: &TypeSpace, ty: &TypeRef, json: &str, field: &str) -> Tree {
        let value: Json =
            serde_json::from_str(json).expect("the type pass stores defaults as valid JSON");
        let string_type = self.n(Sym::String);
        let string =
            |s: &str| Tree::call(format!("{string_type}::from"), vec![Tree::atom(lit_str(s))]);
        let i32_of = |n: &serde_json::Number| {
            let v = n
                .as_i64()
                .and_then(|v| i32::try_from(v).ok())
                .unwrap_or_default();
            Tree::atom(v.to_string())
        };
        match (ty, &value) {
            (TypeRef::Bool, Json::Bool(b)) => Tree::atom(b.to_string()),
            (TypeRef::I32, Json::Number(n)) if n.as_i64().is_some() => i32_of(n),
            (TypeRef::I64, Json::Number(n)) if n.as_i64().is_some() => {
                Tree::atom(n.as_i64().unwrap_or_default().to_string())
            }
            (TypeRef::F64, Json::Number(n)) if n.as_f64().is_some() => {
                Tree::atom(format!("{:?}", n.as_f64().unwrap_or_default()))
            }
            (TypeRef::String, Json::String(s)) => string(s),
            (TypeRef::IntOrString, Json::String(s)) => {
                let ios = self.n(Sym::IntOrString);
                Tree::call(format!("{ios}::String"), vec![string(s)])
            }
            (TypeRef::IntOrString, Json::Number(n)) if n.as_i64().is_some() => {
                let ios = self.n(Sym::IntOrString);
                Tree::call(format!("{ios}::Int"), vec![i32_of(n)])
            }
            (TypeRef::Named(id), Json::String(s))
                if matches!(space.types[id.0].body, TypeBody::Enum(_)) =>
            {
                let t = &space.types[id.0];
                let TypeBody::Enum(e) = &t.body else {
                    unreachable!("checked by the match guard")
                };
                let name = &t.name.0;
                match e.variants.iter().find(|v| &v.wire == s) {
                    Some(v) => Tree::atom(format!("{name}::{}", v.rust_name.0)),
                    None => Tree::call(format!("{name}::{}", e.other.0), vec![string(s)]),
                }
            }
            _ => {
                let f = self.n(Sym::SchemaDefault);
                Tree::call(
                    f,
                    vec![Tree::atom(lit_str(json)), Tree::atom(lit_str(field))],
                )
            }
        }
    }

    fn enumeration(&mut self, t: &TypeDef, e: &EnumDef, indent: usize, annotated: bool) {
        let vi = indent + INDENT;
        self.blank();
        self.type_docs(t, indent, annotated);
        let extra = self.extra_derives(&t.name.0, false);
        let derives = self.derives(
            &[
                "Clone",
                "Debug",
                "PartialEq",
                "Eq",
                "Hash",
                "PartialOrd",
                "Ord",
            ],
            e.default.is_some(),
            true,
            annotated,
            extra,
        );
        self.derive(indent, &derives);
        self.serde_crate(indent);
        self.item_header(indent, &format!("pub enum {}", t.name.0));
        for (n, v) in e.variants.iter().enumerate() {
            self.docs(vi, &[variant_doc(&v.wire)]);
            if v.rust_name.unraw() != v.wire {
                let rename = format!("rename = {}", lit_str(&v.wire));
                self.attr(vi, "serde", vec![Tree::atom(rename)]);
            }
            if e.default == Some(n) {
                self.line(vi, "#[default]");
            }
            self.line(vi, &format!("{},", v.rust_name.0));
        }
        self.docs(
            vi,
            &[" A value the schema does not list (for example, from a newer server); kept as written.".to_owned()],
        );
        self.line(vi, "#[serde(untagged)]");
        let string = self.n(Sym::String);
        self.pad(vi);
        self.tree(&Tree::call(&e.other.0, vec![Tree::atom(string)]), vi, vi, 1);
        self.out.push_str(",\n");
        self.line(indent, "}");
    }

    /// An enum's `as_str` and `Display` impls.
    fn enum_impls(&mut self, t: &TypeDef, e: &EnumDef, indent: usize) {
        let (b, c, d) = (indent + INDENT, indent + 2 * INDENT, indent + 3 * INDENT);
        let name = &t.name.0;
        self.blank();
        self.line(indent, &format!("impl {name} {{"));
        self.line(b, "/// The value as written on the wire.");
        self.line(b, "pub fn as_str(&self) -> &str {");
        self.line(c, "match self {");
        for v in &e.variants {
            self.arm(
                d,
                &format!("Self::{}", v.rust_name.0),
                &Tree::atom(lit_str(&v.wire)),
            );
        }
        self.arm(
            d,
            &format!("Self::{}(value)", e.other.0),
            &Tree::atom("value"),
        );
        self.line(c, "}");
        self.line(b, "}");
        self.line(indent, "}");
        let fmt = self.n(Sym::Fmt);
        self.blank();
        self.impl_header(indent, &format!("{fmt}::Display"), name);
        self.sig(
            b,
            "fn fmt",
            &[
                ("&self", None),
                ("f", Some(Tree::atom(format!("&mut {fmt}::Formatter<'_>")))),
            ],
            Some(&Tree::atom(format!("{fmt}::Result"))),
        );
        self.line(c, "f.write_str(self.as_str())");
        self.line(b, "}");
        self.line(indent, "}");
    }
}
