//! Named types: structs (with the functions serde calls for defaults) and string
//! enums (with `as_str` and `Display`).

use serde_json::Value as Json;

use super::layout::INDENT;
use super::{EmitOptions, Emitted, Names, Sym, Tree, Writer, lit_str, push_lit_str};
use crate::emit::annotate::{Owner, SpaceAnnotations, attr_args};
use crate::emit::type_complexity;
use crate::ir::{
    EnumDef, Field, Model, Presence, StructDef, TypeBody, TypeDef, TypeRef, TypeSpace,
};
use crate::passes::naming::TypeWords;

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
    if plain(&t.origin) {
        return [" `", &t.origin, "` (generated from the schema)."].concat();
    }
    format!(
        " `{}` (generated from the schema).",
        t.origin.escape_debug()
    )
}

/// Whether `s` reads the same escaped as `str::escape_debug` escapes it and is no code
/// span delimiter: printable ASCII but quotes, `\` and `` ` ``.
fn plain(s: &str) -> bool {
    s.bytes()
        .all(|b| (0x20..0x7f).contains(&b) && !matches!(b, b'"' | b'\'' | b'\\' | b'`'))
}

/// The doc line of an enum variant: its wire value.
pub(crate) fn variant_doc(wire: &str) -> String {
    if !wire.is_empty() && plain(wire) {
        return [" `", wire, "`"].concat();
    }
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

/// Whether serde's `rename_all = "camelCase"` turns `field` into `wire`
/// ([`serde_camel_case`] without making the string).
///
/// Byte by byte: the ASCII case changes leave every other byte as it is, and `_` is
/// never part of a longer character, so bytes compare as the characters would.
pub(crate) fn serde_camel_case_is(field: &str, wire: &str) -> bool {
    let mut wire = wire.bytes();
    let mut capitalize = true;
    let mut first = true;
    for c in field.bytes() {
        if c == b'_' {
            capitalize = true;
            continue;
        }
        let c = if first {
            // The first character is lowercased, whatever came before it.
            c.to_ascii_lowercase()
        } else if capitalize {
            c.to_ascii_uppercase()
        } else {
            c
        };
        capitalize = false;
        first = false;
        if wire.next() != Some(c) {
            return false;
        }
    }
    wire.next().is_none()
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
        .filter(|f| !serde_camel_case_is(f.rust_name.unraw(), &f.wire_name))
        .count();
    with < without
}

/// The type a field names (a struct or enum, perhaps as list items or map values).
fn named(ty: &TypeRef) -> Option<usize> {
    match ty {
        TypeRef::Named(id) => Some(id.0),
        TypeRef::List(inner) | TypeRef::Map(inner) => match &**inner {
            TypeRef::Named(id) => Some(id.0),
            _ => None,
        },
        _ => None,
    }
}

/// The name a field's own type would have (its schema path), for a field of the type
/// or kind whose path is `owner`.
pub(crate) fn place_name(owner: &str, field: &Field) -> String {
    TypeWords::new(owner.split('.')).name_with(&field.wire_name)
}

/// The fields of every struct and kind of the space, with the path of their owner.
fn owned_fields<'a>(model: &'a Model, space: &'a TypeSpace) -> Vec<(&'a str, &'a Field)> {
    let mut out = Vec::new();
    for k in &space.kinds {
        let kind = model.resources[k.resource].kind.as_str();
        out.extend(k.fields.iter().map(|f| (kind, f)));
    }
    for t in &space.types {
        if let TypeBody::Struct(s) = &t.body {
            out.extend(s.fields.iter().map(|f| (t.origin.as_str(), f)));
        }
    }
    out
}

/// A shape that deduplication shares between places keeps the name of the first place
/// it was found at; each other place gets a `pub type` alias named for it, used by
/// its field: `basicAuth.password` reads `...BasicAuthPassword`, not
/// `...AuthorizationCredentials`. An alias whose name is taken, or that two shapes
/// would claim, is left out (the field names the shared type), as are the aliases of
/// a shape used in more than [`MAX_ALIASES_PER_SHAPE`] other places.
pub(crate) fn shared_aliases(
    model: &Model,
    space: &TypeSpace,
    names: &Names,
) -> std::collections::BTreeMap<String, String> {
    let mut claimed: std::collections::BTreeMap<String, Option<String>> = Default::default();
    // The fields of one owner come together: its words are joined once for all of them.
    let mut words: Option<(&str, TypeWords)> = None;
    for (owner, f) in owned_fields(model, space) {
        let Some(id) = named(&f.ty) else { continue };
        let target = &space.types[id].name.0;
        let owner_words = match &words {
            Some((o, w)) if std::ptr::eq(*o, owner) => w,
            _ => &words.insert((owner, TypeWords::new(owner.split('.')))).1,
        };
        let place = owner_words.name_with(&f.wire_name);
        if place == *target || names.is_taken(&place) {
            continue;
        }
        claimed
            .entry(place)
            .and_modify(|t| {
                if t.as_deref() != Some(target) {
                    *t = None;
                }
            })
            .or_insert_with(|| Some(target.clone()));
    }
    // A shape used in many places is a common one (a reference, a selector): its own
    // name serves, and the aliases would grow with the places (a self-similar schema
    // has 2^depth of them).
    let mut per_target: std::collections::BTreeMap<&str, usize> = Default::default();
    for t in claimed.values().flatten() {
        *per_target.entry(t.as_str()).or_default() += 1;
    }
    claimed
        .iter()
        .filter_map(|(alias, target)| {
            let target = target.as_ref()?;
            (per_target[target.as_str()] <= MAX_ALIASES_PER_SHAPE)
                .then(|| (alias.clone(), target.clone()))
        })
        .collect()
}

/// The most places a shared shape gets aliases for.
const MAX_ALIASES_PER_SHAPE: usize = 8;

/// The `pub type` aliases of a module's shared shapes, at `indent`.
pub(crate) fn aliases(names: &Names, options: &EmitOptions, indent: usize) -> Emitted {
    let mut w = Writer::new(names, options);
    for (alias, target) in &names.aliases {
        w.blank();
        w.docs(
            indent,
            &[format!(
                " The same shape as [`{target}`], named for where it is used."
            )],
        );
        let head = format!("pub type {alias} =");
        if indent + head.len() + 1 + target.len() < super::layout::MAX_WIDTH {
            w.line(indent, &format!("{head} {target};"));
        } else {
            // On the next line even where it passes the margin there too.
            w.line(indent, &head);
            w.line(indent + INDENT, &format!("{target};"));
        }
    }
    w.finish()
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
            TypeRef::Override(path) => Tree::atom(path.clone()),
        }
    }

    /// A field's type after wrapping for presence.
    pub(crate) fn field_type(&mut self, space: &TypeSpace, ty: &TypeRef, p: Presence) -> Tree {
        let t = self.type_of(space, ty);
        self.wrap_presence(t, p)
    }

    /// A field's type, its shared shape named by `alias` ([`shared_aliases`]).
    fn field_type_as(&mut self, space: &TypeSpace, f: &Field, alias: Option<&str>) -> Tree {
        let Some(alias) = alias else {
            return self.field_type(space, &f.ty, f.presence);
        };
        let t = match &f.ty {
            TypeRef::List(_) => Tree::generic(self.n(Sym::Vec), vec![Tree::atom(alias)]),
            TypeRef::Map(_) => {
                let (m, s) = (self.n(Sym::BTreeMap), self.n(Sym::String));
                Tree::generic(m, vec![Tree::atom(s), Tree::atom(alias)])
            }
            _ => Tree::atom(alias),
        };
        self.wrap_presence(t, f.presence)
    }

    fn wrap_presence(&mut self, t: Tree, p: Presence) -> Tree {
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
        match t.doc.as_deref() {
            Some(d) if !d.trim().is_empty() => self.doc_text(indent, Some(d)),
            // Annotated output reads docs back as descriptions: no made-up text there.
            _ if annotated => {}
            _ => self.docs(indent, &[placeholder_doc(t)]),
        }
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
            let flat = ["pub struct ", &t.name.0, " {}"].concat();
            // rustfmt keeps it on one line up to column 98 only.
            if indent + flat.len() + 2 <= super::layout::MAX_WIDTH {
                self.line(indent, &flat);
            } else {
                self.line(indent, &flat[..flat.len() - 1]);
                self.line(indent, "}");
            }
            return;
        }
        self.item_header(indent, &["pub struct ", &t.name.0].concat());
        let owner = ann.map(|(a, i)| (a, Owner::Type(i)));
        let owner_names = (t.name.0.as_str(), t.origin.as_str());
        self.fields(space, owner_names, &s.fields, indent + INDENT, camel, owner);
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
        (owner, origin): (&str, &str),
        fields: &[Field],
        indent: usize,
        camel: bool,
        ann: Option<(&SpaceAnnotations, Owner)>,
    ) {
        let option = self.n(Sym::Option);
        // The same for every optional field of the module: made once.
        let (skip, with) = self.optional_args.take().unwrap_or_else(|| {
            let skip = format!(
                "skip_serializing_if = {}",
                lit_str(&format!("{option}::is_none"))
            );
            let with = format!(
                "with = {}",
                lit_str(&format!("{}::__private::double_option", self.rt()))
            );
            (skip, with)
        });
        let mut head = String::new();
        let (mut rename, mut default) = (String::new(), String::new());
        for f in fields {
            self.doc_text(indent, f.doc.as_deref());
            // At most four: rename, default, skip_serializing_if, with.
            let mut args = [""; 4];
            let mut n = 0;
            let renamed = if camel {
                !serde_camel_case_is(f.rust_name.unraw(), &f.wire_name)
            } else {
                f.rust_name.unraw() != f.wire_name
            };
            if renamed {
                rename.clear();
                rename.push_str("rename = ");
                push_lit_str(&mut rename, &f.wire_name);
                args[n] = &rename;
                n += 1;
            }
            let optional = matches!(f.presence, Presence::Optional | Presence::OptionalNullable);
            if f.default.is_some() {
                let path = format!("{owner}::__default_{}", f.rust_name.unraw());
                default.clear();
                default.push_str("default = ");
                push_lit_str(&mut default, &path);
                args[n] = &default;
                n += 1;
            } else if optional {
                args[n] = "default";
                n += 1;
            }
            if optional {
                args[n] = &skip;
                n += 1;
            }
            if f.presence == Presence::OptionalNullable {
                args[n] = &with;
                n += 1;
            }
            if n > 0 {
                self.field_attr_atoms(indent, "serde", &args[..n]);
            }
            if let Some(attr) = ann.and_then(|(a, o)| a.field(o, f)) {
                self.field_attr(indent, "crdgen", attr_args(attr));
            }
            if type_complexity(&f.ty, f.presence) > 250 {
                // Deep lists and maps come from the schema; an alias would only move them.
                self.field_attr(indent, "allow", vec![Tree::atom("clippy::type_complexity")]);
            }
            let alias = named(&f.ty).and_then(|id| {
                let target = &space.types[id].name.0;
                if !self.names.is_alias_target(target) {
                    return None;
                }
                let place = place_name(origin, f);
                (self.names.aliases.get(&place) == Some(target)).then_some(place)
            });
            let ty = self.field_type_as(space, f, alias.as_deref());
            head.clear();
            head.push_str("pub ");
            head.push_str(&f.rust_name.0);
            head.push(':');
            self.rhs(indent, &head, &ty, ",");
        }
        self.optional_args = Some((skip, with));
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
        self.inherent_impl_header(indent, owner);
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
        self.item_header(indent, &["pub enum ", &t.name.0].concat());
        for (n, v) in e.variants.iter().enumerate() {
            self.docs(vi, &[variant_doc(&v.wire)]);
            if v.rust_name.unraw() != v.wire {
                let rename = format!("rename = {}", lit_str(&v.wire));
                self.attr(vi, "serde", vec![Tree::atom(rename)]);
            }
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
        self.inherent_impl_header(indent, name);
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

#[cfg(test)]
mod tests {
    use super::{serde_camel_case, serde_camel_case_is};

    #[test]
    fn camel_case_check_agrees_with_the_camel_case_name() {
        let names = [
            "",
            "_",
            "a",
            "api_version",
            "_x_y",
            "x__y",
            "a1_b2",
            "ünï_cöde",
            "Ab_c",
        ];
        let wires = [
            "",
            "a",
            "apiVersion",
            "xY",
            "a1B2",
            "ünïCöde",
            "ab_c",
            "abC",
            "aB",
        ];
        for n in names {
            for w in wires.iter().copied().chain([serde_camel_case(n).as_str()]) {
                assert_eq!(
                    serde_camel_case_is(n, w),
                    serde_camel_case(n) == w,
                    "{n} {w}"
                );
            }
        }
    }
}
