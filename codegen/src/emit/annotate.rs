//! Annotated output ([`crate::Settings::annotated`]): `#[crdgen(...)]` attributes that
//! carry every schema keyword the Rust types do not express, so the Rust front end
//! ([`crate::rust_input`]) gives back the CRD.
//!
//! Per schema node, the attribute holds the difference between the node and what its
//! Rust type gives ([`base_schema`]): keywords set, keywords omitted, and nested
//! `items(...)` / `values(...)` for list items and map values. A field whose type is
//! a struct carries only the keywords of its own node; the struct's fields carry
//! theirs. Each root kind carries the resource (names, scope, version flags,
//! subresources, printer columns, …) and a `root(...)` overlay for the root node.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::quote;
use serde_json::{Map, Value};

use super::crd::{Children, schema_json_except};
use super::docs::sanitize;
use crate::ir::{
    AdditionalProperties, Field, Model, Presence, ResourceModel, Schema, Scope, TypeBody, TypeRef,
    TypeSpace, VersionModel,
};
use crate::rust_input::shape::{
    Form, KEYWORDS, Overlay, RULE_KEYS, Shape, base_schema, doc_to_description, fits,
};

/// Whose field an attribute belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Owner {
    /// A root kind (index into [`TypeSpace::kinds`]).
    Kind(usize),
    /// A named type (index into [`TypeSpace::types`]).
    Type(usize),
}

/// The attributes of one type space.
#[derive(Debug, Default)]
pub(crate) struct SpaceAnnotations {
    /// `#[crdgen(...)]` of fields, by owner and wire name.
    pub fields: BTreeMap<(Owner, String), TokenStream>,
    /// The attribute of each root kind.
    pub kinds: BTreeMap<usize, TokenStream>,
}

impl SpaceAnnotations {
    /// The attribute of a field, if it has one.
    pub(crate) fn field(&self, owner: Owner, f: &Field) -> Option<&TokenStream> {
        self.fields.get(&(owner, f.wire_name.clone()))
    }
}

/// The standard root properties a kind gets when its attribute does not list them.
pub(crate) fn standard_root_properties() -> Map<String, Value> {
    let v = serde_json::json!({
        "apiVersion": {
            "description": "APIVersion defines the versioned schema of this representation of an object.\nServers should convert recognized schemas to the latest internal value, and\nmay reject unrecognized values.\nMore info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources",
            "type": "string"
        },
        "kind": {
            "description": "Kind is a string value representing the REST resource this object represents.\nServers may infer this from the endpoint the client submits requests to.\nCannot be updated.\nIn CamelCase.\nMore info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds",
            "type": "string"
        },
        "metadata": {"type": "object"}
    });
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// The description a doc comment made from `doc` reads back as.
fn doc_inverse(doc: Option<&str>) -> Option<String> {
    let text = doc.map(str::trim).filter(|t| !t.is_empty())?;
    doc_to_description(&sanitize(text))
}

/// Compute the attributes of every field and kind of a space.
pub(crate) fn annotate(model: &Model, space: &TypeSpace) -> SpaceAnnotations {
    let mut w = Walker {
        space,
        out: SpaceAnnotations::default(),
        visited: BTreeSet::new(),
    };
    for (ki, k) in space.kinds.iter().enumerate() {
        let res = &model.resources[k.resource];
        let ver = &res.versions[k.version];
        let mut items = resource_tokens(res, ver);
        match &ver.schema {
            None => items.push(quote!(no_schema)),
            Some(root) => {
                let shape = Shape::Struct {
                    extra: k.preserve_unknown,
                };
                let mut base = base_schema(&shape);
                insert_required(&mut base, &k.fields);
                let mut o = w.diff(root, base, &TypeRef::Json, Some(shape));
                // The root description is always explicit: the kind's doc comment has
                // more than the description.
                o.omit.retain(|k| k != "description");
                match &root.description {
                    Some(d) => {
                        o.set
                            .insert("description".into(), Value::String(d.to_string()));
                    }
                    None => o.omit.push("description".into()),
                }
                let mut meta = Map::new();
                for (name, s) in &root.properties {
                    if matches!(name.as_str(), "apiVersion" | "kind" | "metadata") {
                        meta.insert(name.clone(), super::crd::schema_json(s));
                    }
                }
                if meta != standard_root_properties() {
                    o.set.insert("properties".into(), Value::Object(meta));
                }
                if !o.is_empty() {
                    let inner = overlay_tokens(&o);
                    items.push(quote!(root(#(#inner),*)));
                }
                for f in &k.fields {
                    w.field(Owner::Kind(ki), root, f);
                }
            }
        }
        w.out.kinds.insert(ki, quote!(#[crdgen(#(#items),*)]));
    }
    w.out
}

struct Walker<'a> {
    space: &'a TypeSpace,
    out: SpaceAnnotations,
    visited: BTreeSet<usize>,
}

impl Walker<'_> {
    fn shape(&self, ty: &TypeRef) -> Shape {
        match ty {
            TypeRef::Bool => Shape::Bool,
            TypeRef::I32 => Shape::I32,
            TypeRef::I64 => Shape::I64,
            TypeRef::F64 => Shape::F64,
            TypeRef::String => Shape::String,
            TypeRef::IntOrString => Shape::IntOrString,
            TypeRef::Json => Shape::Json,
            TypeRef::JsonObject => Shape::JsonMap,
            TypeRef::Map(v) if **v == TypeRef::Json => Shape::JsonMap,
            TypeRef::List(i) => Shape::List(Box::new(self.shape(i))),
            TypeRef::Map(v) => Shape::Map(Box::new(self.shape(v))),
            TypeRef::Named(id) => match &self.space.types[id.0].body {
                TypeBody::Struct(s) => Shape::Struct {
                    extra: s.preserve_unknown,
                },
                TypeBody::Enum(e) => {
                    Shape::Enum(e.variants.iter().map(|v| v.wire.clone()).collect())
                }
            },
            TypeRef::WellKnown(wk) => Shape::WellKnown(*wk),
            // Annotated output refuses type overrides (`passes::overrides::check`).
            TypeRef::Override(_) => Shape::Json,
        }
    }

    /// The base of a list item or map value: the type's schema with the named type's
    /// doc as description.
    fn inner_base(&self, ty: &TypeRef) -> Map<String, Value> {
        let mut base = base_schema(&self.shape(ty));
        if let TypeRef::Named(id) = ty {
            let t = &self.space.types[id.0];
            if let Some(d) = doc_inverse(t.doc.as_deref()) {
                base.insert("description".into(), Value::String(d));
            }
            if let TypeBody::Struct(s) = &t.body {
                insert_required(&mut base, &s.fields);
            }
        }
        base
    }

    fn field(&mut self, owner: Owner, parent: &Schema, f: &Field) {
        let Some(node) = parent.property(&f.wire_name) else {
            // Synthesized (apiVersion/kind/metadata of an embedded resource).
            self.out
                .fields
                .insert((owner, f.wire_name.clone()), quote!(#[crdgen(skip)]));
            return;
        };
        let mut base = base_schema(&self.shape(&f.ty));
        base.remove("description");
        if let Some(d) = doc_inverse(f.doc.as_deref()) {
            base.insert("description".into(), Value::String(d));
        }
        if f.presence == Presence::OptionalNullable {
            base.insert("nullable".into(), Value::Bool(true));
        }
        if let TypeRef::Named(id) = &f.ty
            && let TypeBody::Struct(s) = &self.space.types[id.0].body
        {
            insert_required(&mut base, &s.fields);
        }
        let o = self.diff(node, base, &f.ty, None);
        if !o.is_empty() {
            let inner = overlay_tokens(&o);
            self.out
                .fields
                .insert((owner, f.wire_name.clone()), quote!(#[crdgen(#(#inner),*)]));
        }
        self.visit(&f.ty, node);
    }

    /// Annotate the fields of the named types reachable from `ty` at `node`.
    fn visit(&mut self, ty: &TypeRef, node: &Schema) {
        match ty {
            TypeRef::Named(id) => {
                let space = self.space;
                if let TypeBody::Struct(s) = &space.types[id.0].body
                    && self.visited.insert(id.0)
                {
                    for f in &s.fields {
                        self.field(Owner::Type(id.0), node, f);
                    }
                }
            }
            TypeRef::List(inner) => {
                if let Some(items) = &node.items {
                    self.visit(inner, items);
                }
            }
            TypeRef::Map(inner) => {
                if let Some(AdditionalProperties::Schema(v)) = &node.additional_properties {
                    self.visit(inner, v);
                }
            }
            _ => {}
        }
    }

    /// The overlay that turns `base` (what the Rust type gives) into `node`.
    fn diff(
        &self,
        node: &Schema,
        base: Map<String, Value>,
        ty: &TypeRef,
        shape: Option<Shape>,
    ) -> Overlay {
        let shape = shape.unwrap_or_else(|| self.shape(ty));
        let list_item = match (&shape, ty) {
            (Shape::List(_), TypeRef::List(inner)) => node.items.as_deref().map(|i| (i, &**inner)),
            _ => None,
        };
        let map_value = match (&shape, ty, &node.additional_properties) {
            (Shape::Map(_), TypeRef::Map(inner), Some(AdditionalProperties::Schema(v))) => {
                Some((&**v, &**inner))
            }
            _ => None,
        };
        let skip = Children {
            properties: matches!(shape, Shape::Struct { .. }),
            items: list_item.is_some(),
            values: map_value.is_some(),
        };
        let orig = schema_json_except(node, skip);
        let mut o = Overlay::default();
        for (k, v) in &orig {
            if base.get(k) != Some(v) {
                o.set.insert(k.clone(), v.clone());
            }
        }
        for k in base.keys() {
            let handled =
                (k == "items" && skip.items) || (k == "additionalProperties" && skip.values);
            if !orig.contains_key(k) && !handled {
                o.omit.push(k.clone());
            }
        }
        if let Some((items, inner)) = list_item {
            let sub = self.diff(items, self.inner_base(inner), inner, None);
            if !sub.is_empty() {
                o.items = Some(Box::new(sub));
            }
        }
        if let Some((values, inner)) = map_value {
            let sub = self.diff(values, self.inner_base(inner), inner, None);
            if !sub.is_empty() {
                o.values = Some(Box::new(sub));
            }
        }
        o
    }
}

/// `required` as the Rust front end derives it: fields that are neither `Option` nor
/// defaulted, in field order.
fn insert_required(base: &mut Map<String, Value>, fields: &[Field]) {
    let required: Vec<Value> = fields
        .iter()
        .filter(|f| f.presence == Presence::Required && f.default.is_none())
        .map(|f| Value::String(f.wire_name.clone()))
        .collect();
    if !required.is_empty() {
        base.insert("required".into(), Value::Array(required));
    }
}

fn name_ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}

/// A JSON number as a literal (with a leading `-` token when negative).
fn number_tokens(n: &serde_json::Number) -> TokenStream {
    if let Some(u) = n.as_u64() {
        let lit = Literal::u64_unsuffixed(u);
        return quote!(#lit);
    }
    if let Some(i) = n.as_i64() {
        let lit = Literal::u64_unsuffixed(i.unsigned_abs());
        return quote!(-#lit);
    }
    let f = n.as_f64().unwrap_or_default();
    let lit = Literal::f64_unsuffixed(f.abs());
    if f.is_sign_negative() {
        quote!(-#lit)
    } else {
        quote!(#lit)
    }
}

fn json_text(v: &Value) -> String {
    serde_json::to_string(v).expect("a JSON value always serializes")
}

/// `name = value` in the keyword's form (the caller checked [`fits`]).
fn keyword_tokens(name: &str, form: Form, v: &Value) -> TokenStream {
    let id = name_ident(name);
    match (form, v) {
        (Form::Number, Value::Number(n)) => {
            let n = number_tokens(n);
            quote!(#id = #n)
        }
        (Form::Bool, Value::Bool(true)) => quote!(#id),
        (Form::Bool, Value::Bool(false)) => quote!(#id = false),
        (Form::Str, Value::String(s)) => quote!(#id = #s),
        (Form::StrList, Value::Array(items)) => {
            let items = items.iter().filter_map(Value::as_str);
            quote!(#id(#(#items),*))
        }
        _ => {
            let text = json_text(v);
            quote!(#id = #text)
        }
    }
}

/// `x-kubernetes-validations` as `validation(...)` items, when every rule fits.
fn validation_tokens(v: &Value) -> Option<Vec<TokenStream>> {
    let rules = v.as_array()?;
    rules
        .iter()
        .map(|r| {
            let r = r.as_object()?;
            let parts = r
                .iter()
                .map(|(k, v)| {
                    let (_, name, form) = RULE_KEYS.iter().find(|(j, _, _)| j == k)?;
                    fits(*form, v).then(|| keyword_tokens(name, *form, v))
                })
                .collect::<Option<Vec<_>>>()?;
            Some(quote!(validation(#(#parts),*)))
        })
        .collect()
}

/// The items of `#[crdgen(...)]` for an overlay.
pub(crate) fn overlay_tokens(o: &Overlay) -> Vec<TokenStream> {
    let mut out = Vec::new();
    if o.skip {
        out.push(quote!(skip));
    }
    for (k, v) in &o.set {
        if k == "x-kubernetes-validations"
            && let Some(rules) = validation_tokens(v)
        {
            out.extend(rules);
            continue;
        }
        match KEYWORDS.iter().find(|(j, _, _)| j == k) {
            Some((_, name, form)) if fits(*form, v) => out.push(keyword_tokens(name, *form, v)),
            _ => {
                let text = json_text(v);
                out.push(quote!(keyword(#k, #text)));
            }
        }
    }
    if !o.omit.is_empty() {
        let omit = &o.omit;
        out.push(quote!(omit(#(#omit),*)));
    }
    if let Some(items) = &o.items {
        let inner = overlay_tokens(items);
        out.push(quote!(items(#(#inner),*)));
    }
    if let Some(values) = &o.values {
        let inner = overlay_tokens(values);
        out.push(quote!(values(#(#inner),*)));
    }
    out
}

/// The resource attributes of a root kind.
fn resource_tokens(res: &ResourceModel, ver: &VersionModel) -> Vec<TokenStream> {
    let (group, version, kind, plural) = (&res.group, &ver.name, &res.kind, &res.plural);
    let mut out = vec![
        quote!(group = #group),
        quote!(version = #version),
        quote!(kind = #kind),
        quote!(plural = #plural),
    ];
    let singular = &res.singular;
    if *singular != kind.to_lowercase() {
        out.push(quote!(singular = #singular));
    }
    let list_kind = &res.list_kind;
    if *list_kind != format!("{kind}List") {
        out.push(quote!(list_kind = #list_kind));
    }
    out.extend(res.short_names.iter().map(|s| quote!(shortname = #s)));
    out.extend(res.categories.iter().map(|s| quote!(category = #s)));
    let scope = match res.scope {
        Scope::Namespaced => "Namespaced",
        Scope::Cluster => "Cluster",
    };
    out.push(quote!(scope = #scope));
    if !ver.served {
        out.push(quote!(served = false));
    }
    if ver.storage {
        out.push(quote!(storage));
    }
    if ver.deprecated {
        out.push(quote!(deprecated));
    }
    if let Some(w) = &ver.deprecation_warning {
        out.push(quote!(deprecation_warning = #w));
    }
    if ver.status_subresource {
        out.push(quote!(status));
    }
    if let Some(s) = &ver.scale {
        let (spec, status) = (&s.spec_replicas_path, &s.status_replicas_path);
        let selector = s
            .label_selector_path
            .as_ref()
            .map(|l| quote!(, label_selector_path = #l));
        out.push(
            quote!(scale(spec_replicas_path = #spec, status_replicas_path = #status #selector)),
        );
    }
    for col in &ver.printer_columns {
        out.push(printcolumn_tokens(col));
    }
    out.extend(
        ver.selectable_fields
            .iter()
            .map(|s| quote!(selectable_field = #s)),
    );
    if let Some(c) = &res.conversion {
        let text = json_text(c);
        out.push(quote!(conversion = #text));
    }
    if res.preserve_unknown_fields {
        out.push(quote!(crd_preserve_unknown_fields));
    }
    let default_name = format!("{plural}.{group}");
    if !res.name.is_empty() && res.name != default_name {
        let name = &res.name;
        out.push(quote!(crd_name = #name));
    }
    if let Some(meta) = res.metadata.as_object() {
        let mut plain = true;
        let mut items = Vec::new();
        for (key, attr) in [("annotations", "annotation"), ("labels", "label")] {
            let Some(v) = meta.get(key) else { continue };
            let id = name_ident(attr);
            match v.as_object() {
                Some(m) if m.values().all(Value::is_string) => {
                    for (k, v) in m {
                        let v = v.as_str().unwrap_or_default();
                        items.push(quote!(#id(#k, #v)));
                    }
                }
                _ => plain = false,
            }
        }
        if plain {
            out.extend(items);
        } else {
            let mut m = meta.clone();
            m.remove("name");
            let text = json_text(&Value::Object(m));
            out.push(quote!(crd_metadata = #text));
        }
    }
    out
}

/// Printer column keys ↔ attribute names inside `printcolumn(...)`.
pub(crate) const COLUMN_KEYS: &[(&str, &str, Form)] = &[
    ("name", "name", Form::Str),
    ("type", "type", Form::Str),
    ("jsonPath", "json_path", Form::Str),
    ("description", "description", Form::Str),
    ("format", "format", Form::Str),
    ("priority", "priority", Form::Number),
];

fn printcolumn_tokens(col: &Value) -> TokenStream {
    let parts: Option<Vec<TokenStream>> = col.as_object().and_then(|m| {
        m.iter()
            .map(|(k, v)| {
                let (_, name, form) = COLUMN_KEYS.iter().find(|(j, _, _)| j == k)?;
                fits(*form, v).then(|| keyword_tokens(name, *form, v))
            })
            .collect()
    });
    match parts {
        Some(parts) => quote!(printcolumn(#(#parts),*)),
        None => {
            let text = json_text(col);
            quote!(printcolumn(json = #text))
        }
    }
}

/// The arguments of an attribute built here (`#[crdgen(a = 1, items(b = "x"))]`) as
/// the emitter lays them out: one tree per top-level argument, nested lists as lists.
pub(crate) fn attr_args(attr: &TokenStream) -> Vec<crate::emit::rust::Tree> {
    use proc_macro2::{Delimiter, TokenTree};
    // `#` `[crdgen(...)]`: the bracket's `crdgen` and its parenthesized arguments.
    let inner = attr.clone().into_iter().find_map(|t| match t {
        TokenTree::Group(g) if g.delimiter() == Delimiter::Bracket => Some(g.stream()),
        _ => None,
    });
    let args = inner.and_then(|s| {
        s.into_iter().find_map(|t| match t {
            TokenTree::Group(g) if g.delimiter() == Delimiter::Parenthesis => Some(g.stream()),
            _ => None,
        })
    });
    args.map(meta_list).unwrap_or_default()
}

/// A comma-separated meta list as trees.
fn meta_list(stream: TokenStream) -> Vec<crate::emit::rust::Tree> {
    use crate::emit::rust::Tree;
    use proc_macro2::{Delimiter, TokenTree};
    let mut out = Vec::new();
    let mut pending: Vec<TokenTree> = Vec::new();
    let flush = |pending: &mut Vec<TokenTree>, out: &mut Vec<Tree>| {
        if pending.is_empty() {
            return;
        }
        let tree = match pending.as_slice() {
            [TokenTree::Ident(name), TokenTree::Group(g)]
                if g.delimiter() == Delimiter::Parenthesis =>
            {
                Tree::meta(name.to_string(), meta_list(g.stream()))
            }
            tokens => Tree::atom(tokens_text(tokens)),
        };
        out.push(tree);
        pending.clear();
    };
    for t in stream {
        match &t {
            TokenTree::Punct(p) if p.as_char() == ',' => flush(&mut pending, &mut out),
            _ => pending.push(t),
        }
    }
    flush(&mut pending, &mut out);
    out
}

/// `name`, `name = lit`, `name = -lit`, `"lit"` as rustfmt writes them.
fn tokens_text(tokens: &[proc_macro2::TokenTree]) -> String {
    use proc_macro2::TokenTree;
    let mut out = String::new();
    let mut glue = false;
    for t in tokens {
        let text = t.to_string();
        if !out.is_empty() && !glue {
            out.push(' ');
        }
        glue = matches!(t, TokenTree::Punct(p) if p.as_char() == '-');
        out.push_str(&text);
    }
    out
}
