//! Apply configurations (client-go's applyconfiguration-gen): for every kind and
//! struct `T` of a module, a `TApply` whose every field is an `Option` left out of
//! the request when unset, with a builder method per field. A kind's configuration
//! always writes `apiVersion` and `kind`, is made by `new(name[, namespace])`, read
//! back from `managedFields` by `extract` / `extract_status`, and is what the typed
//! client's `apply` takes (`crdgen_runtime::apply::ApplyConfiguration`).

use std::collections::BTreeSet;

use super::items::{camel_case_fields, extra_field_name, serde_camel_case, variant_doc};
use super::layout::INDENT;
use super::{EmitOptions, Emitted, Names, Sym, Tree, Writer, lit_str};
use crate::emit::type_complexity;
use crate::ir::{Field, KindDef, Model, Presence, Scope, TypeBody, TypeRef, TypeSpace};

const EXTRA_DOC: &str = " Fields the schema does not list (it preserves unknown fields).";

/// Method names a builder does not take: the configuration's own functions, and the
/// methods of std traits (clippy's `should_implement_trait`; `T::default()` would
/// call the builder). Such a field is set through its public field instead.
const NOT_BUILDERS: &[&str] = &[
    "new",
    "extract",
    "extract_status",
    "metadata",
    "object_name",
    "add",
    "as_mut",
    "as_ref",
    "bitand",
    "bitor",
    "bitxor",
    "borrow",
    "borrow_mut",
    "clone",
    "cmp",
    "default",
    "deref",
    "deref_mut",
    "div",
    "drop",
    "eq",
    "from_iter",
    "from_str",
    "hash",
    "index",
    "index_mut",
    "into_iter",
    "mul",
    "neg",
    "next",
    "not",
    "rem",
    "shl",
    "shr",
    "sub",
];

/// The apply configurations of the module's kinds and structs, at `indent`.
pub(crate) fn module(
    names: &Names,
    options: &EmitOptions,
    model: &Model,
    space: &TypeSpace,
    indent: usize,
) -> Emitted {
    let an = ApplyNames::new(names, space);
    let mut w = Writer::new(names, options);
    for (i, k) in space.kinds.iter().enumerate() {
        w.kind_apply(model, space, &an, k, &an.kinds[i], indent);
    }
    for (i, t) in space.types.iter().enumerate() {
        let (TypeBody::Struct(s), Some(name)) = (&t.body, &an.types[i]) else {
            continue;
        };
        let target = t.name.0.as_str();
        w.blank();
        w.docs(
            indent,
            &[
                format!(" Apply configuration of [`{target}`]:"),
                " every field optional, sent only when set.".to_owned(),
            ],
        );
        w.struct_apply(space, &an, name, &s.fields, s.preserve_unknown, indent);
        w.builders(space, &an, name, &s.fields, indent, false);
    }
    w.finish()
}

/// The configuration's name of each kind and struct: `<name>Apply`, numbered past
/// the names the module defines and those given before.
struct ApplyNames {
    kinds: Vec<String>,
    types: Vec<Option<String>>,
}

impl ApplyNames {
    fn new(names: &Names, space: &TypeSpace) -> ApplyNames {
        let mut given = BTreeSet::new();
        let mut pick = |base: &str| {
            let base = format!("{}Apply", base.trim_start_matches("r#"));
            let mut name = base.clone();
            let mut n = 2;
            while names.is_taken(&name) || given.contains(&name) {
                name = format!("{base}{n}");
                n += 1;
            }
            given.insert(name.clone());
            name
        };
        let kinds = space.kinds.iter().map(|k| pick(&k.name.0)).collect();
        let types = space
            .types
            .iter()
            .map(|t| matches!(t.body, TypeBody::Struct(_)).then(|| pick(&t.name.0)))
            .collect();
        ApplyNames { kinds, types }
    }
}

impl Writer<'_> {
    /// `impl name {`: on one line when it fits in the margin (rustfmt does not count
    /// the indent there); else the name on a line of its own when that fits; else as
    /// written.
    fn impl_open(&mut self, indent: usize, name: &str) {
        let flat = format!("impl {name} {{");
        if flat.len() <= super::layout::MAX_WIDTH
            || indent + INDENT + name.len() > super::layout::MAX_WIDTH
        {
            self.line(indent, &flat);
        } else {
            self.line(indent, "impl");
            self.line(indent + INDENT, name);
            self.line(indent, "{");
        }
    }

    /// A field's type in a configuration: structs as their configurations, in lists
    /// and maps too.
    fn apply_type(&mut self, space: &TypeSpace, an: &ApplyNames, ty: &TypeRef) -> Tree {
        match ty {
            TypeRef::Named(id) => match &an.types[id.0] {
                Some(name) => Tree::atom(name.clone()),
                None => self.type_of(space, ty),
            },
            TypeRef::List(item) => {
                let v = self.n(Sym::Vec);
                let item = self.apply_type(space, an, item);
                Tree::generic(v, vec![item])
            }
            TypeRef::Map(value) => {
                let (m, s) = (self.n(Sym::BTreeMap), self.n(Sym::String));
                let value = self.apply_type(space, an, value);
                Tree::generic(m, vec![Tree::atom(s), value])
            }
            _ => self.type_of(space, ty),
        }
    }

    /// `#[serde(...)]` and `pub name: Option<T>,` for each field.
    fn apply_fields(
        &mut self,
        space: &TypeSpace,
        an: &ApplyNames,
        fields: &[Field],
        indent: usize,
        camel: bool,
        skip: bool,
    ) {
        let option = self.n(Sym::Option);
        for f in fields {
            self.doc_text(indent, f.doc.as_deref());
            let mut args = Vec::new();
            let wire_by_name = if camel {
                serde_camel_case(f.rust_name.unraw())
            } else {
                f.rust_name.unraw().to_owned()
            };
            if wire_by_name != f.wire_name {
                args.push(Tree::atom(format!("rename = {}", lit_str(&f.wire_name))));
            }
            args.push(Tree::atom("default"));
            if skip {
                let is_none = lit_str(&format!("{option}::is_none"));
                args.push(Tree::atom(format!("skip_serializing_if = {is_none}")));
            }
            self.field_attr(indent, "serde", args);
            if type_complexity(&f.ty, Presence::Optional) > 250 {
                // Deep lists and maps come from the schema; an alias would only move them.
                self.field_attr(indent, "allow", vec![Tree::atom("clippy::type_complexity")]);
            }
            let inner = self.apply_type(space, an, &f.ty);
            let ty = Tree::generic(option.clone(), vec![inner]);
            self.rhs(indent, &format!("pub {}:", f.rust_name.0), &ty, ",");
        }
    }

    /// The configuration struct of a named struct.
    fn struct_apply(
        &mut self,
        space: &TypeSpace,
        an: &ApplyNames,
        name: &str,
        fields: &[Field],
        preserve_unknown: bool,
        indent: usize,
    ) {
        let derives = self.derives(&["Clone", "Debug", "PartialEq"], true, true, false, vec![]);
        self.derive(indent, &derives);
        self.serde_crate(indent);
        let camel = camel_case_fields(fields);
        if camel {
            let rename = vec![Tree::atom("rename_all = \"camelCase\"")];
            self.attr(indent, "serde", rename);
        }
        if fields.is_empty() && !preserve_unknown {
            let flat = format!("pub struct {name} {{}}");
            if indent + flat.len() <= super::layout::MAX_WIDTH {
                self.line(indent, &flat);
            } else {
                self.line(indent, &flat[..flat.len() - 1]);
                self.line(indent, "}");
            }
            return;
        }
        self.item_header(indent, &format!("pub struct {name}"));
        self.apply_fields(space, an, fields, indent + INDENT, camel, true);
        if preserve_unknown {
            let extra = extra_field_name(fields);
            self.extra_field(space, &extra, EXTRA_DOC, indent + INDENT);
        }
        self.line(indent, "}");
    }

    /// `impl Name { pub fn field(mut self, value: T) -> Self ... }`; `open` when the
    /// `impl` block is open already (a kind's, after its own functions).
    fn builders(
        &mut self,
        space: &TypeSpace,
        an: &ApplyNames,
        name: &str,
        fields: &[Field],
        indent: usize,
        open: bool,
    ) {
        let with: Vec<&Field> = fields
            .iter()
            .filter(|f| !NOT_BUILDERS.contains(&f.rust_name.unraw()))
            .collect();
        if with.is_empty() && !open {
            return;
        }
        let (b, c) = (indent + INDENT, indent + 2 * INDENT);
        if !open {
            self.blank();
            self.impl_open(indent, name);
        }
        for (i, f) in with.iter().enumerate() {
            if open || i > 0 {
                self.blank();
            }
            self.docs(b, &[format!(" Sets{}.", variant_doc(&f.wire_name))]);
            let ty = self.apply_type(space, an, &f.ty);
            let head = format!("pub fn {}", f.rust_name.0);
            let params = [("mut self", None), ("value", Some(ty))];
            self.sig(b, &head, &params, Some(&Tree::atom("Self")));
            let set = format!("self.{} =", f.rust_name.0);
            self.rhs(c, &set, &Tree::call("Some", vec![Tree::atom("value")]), ";");
            self.line(c, "self");
            self.line(b, "}");
        }
        self.line(indent, "}");
    }

    /// A kind's configuration: the struct, its wire form, `ApplyConfiguration`, and
    /// `new`, `extract`, `extract_status` and the builders.
    fn kind_apply(
        &mut self,
        model: &Model,
        space: &TypeSpace,
        an: &ApplyNames,
        k: &KindDef,
        name: &str,
        i: usize,
    ) {
        let res = &model.resources[k.resource];
        let ver = &res.versions[k.version];
        let (b, c, d) = (i + INDENT, i + 2 * INDENT, i + 3 * INDENT);
        let kind = k.name.0.as_str();
        let meta = self.n(Sym::ObjectMeta);
        let api_version = super::kinds::api_version(res, ver);

        // The struct (deserialized by `extract`; serialized below).
        self.blank();
        self.docs(
            i,
            &[
                format!(" Apply configuration of [`{kind}`], for server-side apply: every field"),
                " optional and sent only when set, so a field manager owns only what it".to_owned(),
                " sets; `apiVersion` and `kind` are always written.".to_owned(),
            ],
        );
        let derives = self.derives(&["Clone", "Debug", "PartialEq"], true, false, false, vec![]);
        self.derive(i, &derives);
        self.serde_crate(i);
        let camel = camel_case_fields(&k.fields);
        if camel {
            self.attr(i, "serde", vec![Tree::atom("rename_all = \"camelCase\"")]);
        }
        self.item_header(i, &format!("pub struct {name}"));
        self.docs(
            b,
            &[" Object metadata: the name, the namespace and what this manager owns.".to_owned()],
        );
        self.line(b, "#[serde(default)]");
        self.rhs(b, "pub metadata:", &Tree::atom(meta.clone()), ",");
        self.apply_fields(space, an, &k.fields, b, camel, false);
        let extra = extra_field_name(&k.fields);
        if k.preserve_unknown {
            self.extra_field(space, &extra, EXTRA_DOC, b);
        }
        self.line(i, "}");

        // The wire form: apiVersion and kind, then the fields set.
        let (ser, serializer) = (self.n(Sym::Serialize), self.n(Sym::Serializer));
        let result = self.n(Sym::Result);
        self.blank();
        self.line(i, "#[automatically_derived]");
        self.impl_header(i, &ser, name);
        self.sig(
            b,
            &format!("fn serialize<S: {serializer}>"),
            &[("&self", None), ("serializer", Some(Tree::atom("S")))],
            Some(&Tree::generic(
                result,
                vec![Tree::atom("S::Ok"), Tree::atom("S::Error")],
            )),
        );
        self.line(
            c,
            &format!("use {}::serde::ser::SerializeMap as _;", self.rt()),
        );
        self.blank();
        self.line(c, "let mut map = serializer.serialize_map(None)?;");
        let entry = |w: &mut Self, indent: usize, key: &str, value: &str| {
            let call = Tree::call(
                "map.serialize_entry",
                vec![Tree::atom(key), Tree::atom(value)],
            );
            w.expr(indent, &call, "?;");
        };
        entry(self, c, "\"apiVersion\"", &lit_str(&api_version));
        entry(self, c, "\"kind\"", &lit_str(&res.kind));
        entry(self, c, "\"metadata\"", "&self.metadata");
        for f in &k.fields {
            self.if_let(c, "Some(value)", &format!("&self.{}", f.rust_name.0));
            entry(self, d, &lit_str(&f.wire_name), "value");
            self.line(c, "}");
        }
        if k.preserve_unknown {
            let known: Vec<String> = k
                .fields
                .iter()
                .map(|f| lit_str(&f.wire_name))
                .chain(["\"apiVersion\"", "\"kind\"", "\"metadata\""].map(str::to_owned))
                .collect();
            self.line(c, &format!("for (key, value) in &self.{extra} {{"));
            let known = Tree::Array(String::new(), known.into_iter().map(Tree::Atom).collect());
            self.rhs(d, "let known =", &known, ";");
            self.line(d, "if !known.contains(&key.as_str()) {");
            self.line(d + INDENT, "map.serialize_entry(key, value)?;");
            self.line(d, "}");
            self.line(c, "}");
        }
        self.line(c, "map.end()");
        self.line(b, "}");
        self.line(i, "}");

        // What the typed client's `apply` takes.
        let cfg = self.n(Sym::ApplyConfiguration);
        self.blank();
        self.line(i, "#[automatically_derived]");
        self.impl_header(i, &format!("{cfg}<{kind}>"), name);
        let option = self.n(Sym::Option);
        let ret = Tree::generic(option, vec![Tree::atom("&str")]);
        self.sig(b, "fn object_name", &[("&self", None)], Some(&ret));
        self.line(c, "self.metadata.name.as_deref()");
        self.line(b, "}");
        self.line(i, "}");

        // new, extract, extract_status, builders.
        self.blank();
        self.impl_open(i, name);
        let namespaced = res.scope == Scope::Namespaced;
        let str_ty = || Some(Tree::atom("&str"));
        if namespaced {
            self.line(
                b,
                "/// The configuration of the object `name` in `namespace`, with nothing set.",
            );
            let params = [("name", str_ty()), ("namespace", str_ty())];
            self.sig(b, "pub fn new", &params, Some(&Tree::atom("Self")));
        } else {
            self.line(
                b,
                "/// The configuration of the object `name`, with nothing set.",
            );
            self.sig(
                b,
                "pub fn new",
                &[("name", str_ty())],
                Some(&Tree::atom("Self")),
            );
        }
        let default = self.n(Sym::Default);
        let e = d + INDENT;
        self.line(c, "Self {");
        self.line(d, &format!("metadata: {meta} {{"));
        self.line(e, "name: Some(name.to_owned()),");
        if namespaced {
            self.line(e, "namespace: Some(namespace.to_owned()),");
        }
        self.line(e, &format!("..{default}::default()"));
        self.line(d, "},");
        if !k.fields.is_empty() || k.preserve_unknown {
            self.line(d, &format!("..{default}::default()"));
        }
        self.line(c, "}");
        self.line(b, "}");

        let error = self.n(Sym::ErrorModule);
        let apply = self.n(Sym::ApplyModule);
        let ret = Tree::generic(format!("{error}::Result"), vec![Tree::atom("Self")]);
        let params = [
            ("obj", Some(Tree::atom(format!("&{kind}")))),
            ("field_manager", str_ty()),
        ];
        let extract = |w: &mut Self, f: &str, sub: &str| {
            w.sig(b, &format!("pub fn {f}"), &params, Some(&ret));
            let call = Tree::call(
                format!("{apply}::extract_typed"),
                vec![
                    Tree::atom("obj"),
                    Tree::atom(format!("{kind}::crd")),
                    Tree::atom("field_manager"),
                    Tree::atom(sub),
                ],
            );
            w.expr(c, &call, "");
            w.line(b, "}");
        };
        self.blank();
        self.docs(
            b,
            &[
                " What `field_manager` applied to `obj` (client-go's `Extract`): the fields"
                    .to_owned(),
                " its `Apply` entry in `managedFields` owns, with the name and namespace."
                    .to_owned(),
                " Change it and apply it again to keep owning the rest.".to_owned(),
            ],
        );
        extract(self, "extract", "None");
        if ver.status_subresource {
            self.blank();
            self.docs(
                b,
                &[" What `field_manager` applied through the `status` subresource.".to_owned()],
            );
            extract(self, "extract_status", "Some(\"status\")");
        }
        self.blank();
        self.line(
            b,
            "/// Sets `metadata` (labels, annotations, … this manager owns).",
        );
        let params = [("mut self", None), ("value", Some(Tree::atom(meta)))];
        self.sig(b, "pub fn metadata", &params, Some(&Tree::atom("Self")));
        self.line(c, "self.metadata = value;");
        self.line(c, "self");
        self.line(b, "}");
        self.builders(space, an, name, &k.fields, i, true);
    }
}
