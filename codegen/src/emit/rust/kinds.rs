//! Root kinds: the object struct, its wire form (with `apiVersion` and `kind`),
//! `new(name, spec)`, and the `kube::Resource` / `crdgen_runtime::CustomResource`
//! impls with the subresource markers.

use super::items::{camel_case_fields, extra_field_name};
use super::layout::INDENT;
use super::{EmitOptions, Emitted, Names, Sym, Tree, Writer, lit_str};
use crate::emit::annotate::{Owner, SpaceAnnotations, attr_args};
use crate::emit::docs::doc_lines;
use crate::ir::{KindDef, Model, Presence, ResourceModel, Scope, TypeSpace, VersionModel};

const EXTRA_DOC: &str =
    " Top-level fields the schema does not list, kept because it preserves unknown fields.";

/// Where a resource's CustomResourceDefinition is written: in its storage version's
/// module (`(version module, kind name)`); the kinds of its other versions return that
/// one.
pub(crate) type CrdHomes = std::collections::BTreeMap<usize, (String, String)>;

/// Every root kind of the space, at `indent`.
pub(crate) fn kinds(
    names: &Names,
    options: &EmitOptions,
    model: &Model,
    space: &TypeSpace,
    indent: usize,
    ann: Option<&SpaceAnnotations>,
    homes: &CrdHomes,
) -> Emitted {
    let mut w = Writer::new(names, options);
    for (i, k) in space.kinds.iter().enumerate() {
        w.kind(model, space, k, indent, ann.map(|a| (a, i)));
        // Annotated kinds derive `CrdSchema`, which gives them `crd()`.
        if ann.is_none() {
            w.crd_fn(model, space, k, indent, homes);
        }
    }
    w.finish()
}

/// `group/version` (just the version for the core group).
pub(crate) fn api_version(res: &ResourceModel, ver: &VersionModel) -> String {
    if res.group.is_empty() {
        ver.name.clone()
    } else {
        format!("{}/{}", res.group, ver.name)
    }
}

/// The warning of a deprecated version.
pub(crate) fn deprecation(res: &ResourceModel, ver: &VersionModel) -> Option<String> {
    match (&ver.deprecated, &ver.deprecation_warning) {
        (false, _) => None,
        (true, Some(w)) => Some(w.clone()),
        (true, None) => Some(format!(
            "{} {} is deprecated",
            api_version(res, ver),
            res.kind
        )),
    }
}

/// A kind's doc lines: its description, then what it is (kind, version, scope).
pub(crate) fn kind_doc_lines(model: &Model, k: &KindDef) -> Vec<String> {
    let res = &model.resources[k.resource];
    let ver = &res.versions[k.version];
    let summary = format!(
        " `{}` ({}, {}){}{}",
        res.kind,
        api_version(res, ver),
        match res.scope {
            Scope::Namespaced => "namespaced",
            Scope::Cluster => "cluster-scoped",
        },
        if ver.served {
            ""
        } else {
            "; this version is not served"
        },
        if ver.deprecated { "; deprecated" } else { "" },
    );
    let mut lines = doc_lines(k.doc.as_deref());
    if !lines.is_empty() {
        lines.push(String::new());
    }
    lines.push(summary);
    if let Some(w) = &ver.deprecation_warning {
        lines.push(String::new());
        lines.push(format!(" Deprecated: {w}"));
    }
    lines
}

impl Writer<'_> {
    fn kind(
        &mut self,
        model: &Model,
        space: &TypeSpace,
        k: &KindDef,
        i: usize,
        ann: Option<(&SpaceAnnotations, usize)>,
    ) {
        let res = &model.resources[k.resource];
        let ver = &res.versions[k.version];
        let (b, c) = (i + INDENT, i + 2 * INDENT);
        let name = k.name.0.as_str();
        let meta = self.n(Sym::ObjectMeta);
        let option = self.n(Sym::Option);

        // The struct.
        self.blank();
        self.docs(i, &kind_doc_lines(model, k));
        let extra = self.extra_derives(name, true);
        let derives = self.derives(
            &["Clone", "Debug", "PartialEq"],
            k.has_default,
            false,
            ann.is_some(),
            extra,
        );
        self.derive(i, &derives);
        self.serde_crate(i);
        let camel = camel_case_fields(&k.fields);
        if camel {
            self.attr(i, "serde", vec![Tree::atom("rename_all = \"camelCase\"")]);
        }
        if let Some(attr) = ann.and_then(|(a, ki)| a.kinds.get(&ki)) {
            self.attr(i, "crdgen", attr_args(attr));
        }
        self.item_header(i, &format!("pub struct {name}"));
        self.docs(b, &[" Standard object metadata.".to_owned()]);
        self.line(b, "#[serde(default)]");
        self.rhs(b, "pub metadata:", &Tree::atom(meta.clone()), ",");
        let owner = ann.map(|(a, ki)| (a, Owner::Kind(ki)));
        self.fields(space, (name, res.kind.as_str()), &k.fields, b, camel, owner);
        let extra_name = extra_field_name(&k.fields);
        if k.preserve_unknown {
            self.extra_field(space, &extra_name, EXTRA_DOC, b);
        }
        self.line(i, "}");
        if k.fields.iter().any(|f| f.default.is_some()) {
            self.default_fns(space, name, &k.fields, i);
        }

        // `new(name, spec)`, when everything but the spec can be empty.
        let spec = k.fields.iter().find(|f| f.wire_name == "spec");
        if let Some(spec) = spec
            && k.fields
                .iter()
                .filter(|f| f.wire_name != "spec")
                .all(|f| f.presence != Presence::Required)
        {
            let spec_ty = self.type_of(space, &spec.ty);
            self.blank();
            self.inherent_impl_header(i, name);
            self.line(
                b,
                "/// A new object with the given name and spec; everything else empty.",
            );
            self.sig(
                b,
                "pub fn new",
                &[("name", Some(Tree::atom("&str"))), ("spec", Some(spec_ty))],
                Some(&Tree::atom("Self")),
            );
            let (d, e) = (c + INDENT, c + 2 * INDENT);
            self.line(c, "Self {");
            self.line(d, &format!("metadata: {meta} {{"));
            self.line(e, "name: Some(name.to_owned()),");
            let default = self.n(Sym::Default);
            self.line(e, &format!("..{default}::default()"));
            self.line(d, "},");
            let spec_value = if spec.presence == Presence::Required {
                "spec".to_owned()
            } else {
                "Some(spec)".to_owned()
            };
            if spec.rust_name.0 == "spec" && spec_value == "spec" {
                self.line(d, "spec,");
            } else {
                let head = format!("{}:", spec.rust_name.0);
                self.rhs(d, &head, &Tree::atom(spec_value), ",");
            }
            for o in k.fields.iter().filter(|f| f.wire_name != "spec") {
                self.rhs(d, &format!("{}:", o.rust_name.0), &Tree::atom("None"), ",");
            }
            if k.preserve_unknown {
                let map = self.n(Sym::BTreeMap);
                let value = Tree::atom(format!("{map}::new()"));
                self.rhs(d, &format!("{extra_name}:"), &value, ",");
            }
            self.line(c, "}");
            self.line(b, "}");
            self.line(i, "}");
        }

        // The wire form: apiVersion and kind first, then the fields as serde would
        // write them.
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
        entry(self, c, "\"apiVersion\"", "Self::API_VERSION");
        entry(self, c, "\"kind\"", "Self::KIND");
        entry(self, c, "\"metadata\"", "&self.metadata");
        for f in &k.fields {
            let wire = lit_str(&f.wire_name);
            let fname = &f.rust_name.0;
            match f.presence {
                Presence::Required | Presence::RequiredNullable => {
                    entry(self, c, &wire, &format!("&self.{fname}"));
                }
                Presence::Optional | Presence::OptionalNullable => {
                    self.if_let(c, "Some(value)", &format!("&self.{fname}"));
                    entry(self, c + INDENT, &wire, "value");
                    self.line(c, "}");
                }
            }
        }
        if k.preserve_unknown {
            let known: Vec<String> = k
                .fields
                .iter()
                .map(|f| lit_str(&f.wire_name))
                .chain(["\"apiVersion\"", "\"kind\"", "\"metadata\""].map(str::to_owned))
                .collect();
            self.line(c, &format!("for (key, value) in &self.{extra_name} {{"));
            let d = c + INDENT;
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

        // kube's Resource.
        let resource = self.n(Sym::Resource);
        let scope = match res.scope {
            Scope::Namespaced => self.n(Sym::NamespaceResourceScope),
            Scope::Cluster => self.n(Sym::ClusterResourceScope),
        };
        let cow = self.n(Sym::Cow);
        self.blank();
        self.line(i, "#[automatically_derived]");
        self.impl_header(i, &resource, name);
        self.line(b, "type DynamicType = ();");
        self.rhs(b, "type Scope =", &Tree::atom(scope), ";");
        for (f, value) in [
            ("kind", "KIND"),
            ("group", "GROUP"),
            ("version", "VERSION"),
            ("api_version", "API_VERSION"),
            ("plural", "PLURAL"),
        ] {
            self.blank();
            self.line(b, &format!("fn {f}(_: &()) -> {cow}<'_, str> {{"));
            self.line(c, &format!("{cow}::Borrowed(Self::{value})"));
            self.line(b, "}");
        }
        self.blank();
        self.line(b, &format!("fn meta(&self) -> &{meta} {{"));
        self.line(c, "&self.metadata");
        self.line(b, "}");
        self.blank();
        self.line(b, &format!("fn meta_mut(&mut self) -> &mut {meta} {{"));
        self.line(c, "&mut self.metadata");
        self.line(b, "}");
        self.line(i, "}");

        // crdgen's CustomResource.
        let custom = self.n(Sym::CustomResource);
        let api_version = api_version(res, ver);
        self.blank();
        self.line(i, "#[automatically_derived]");
        self.impl_header(i, &custom, name);
        for (c_name, value) in [
            ("GROUP", &res.group),
            ("VERSION", &ver.name),
            ("API_VERSION", &api_version),
            ("KIND", &res.kind),
            ("LIST_KIND", &res.list_kind),
            ("PLURAL", &res.plural),
            ("SINGULAR", &res.singular),
        ] {
            let head = format!("const {c_name}: &'static str =");
            self.rhs(b, &head, &Tree::atom(lit_str(value)), ";");
        }
        for (c_name, values) in [
            ("SHORT_NAMES", &res.short_names),
            ("CATEGORIES", &res.categories),
        ] {
            let items = values.iter().map(|v| Tree::atom(lit_str(v))).collect();
            let head = format!("const {c_name}: &'static [&'static str] =");
            self.rhs(b, &head, &Tree::Array("&".to_owned(), items), ";");
        }
        let scope_sym = self.n(Sym::Scope);
        let scope = match res.scope {
            Scope::Namespaced => "Namespaced",
            Scope::Cluster => "Cluster",
        };
        self.line(
            b,
            &format!("const SCOPE: {scope_sym} = {scope_sym}::{scope};"),
        );
        self.line(b, &format!("const STORAGE: bool = {};", ver.storage));
        self.const_option(b, "DEPRECATION", deprecation(res, ver).as_deref(), &option);
        // What the markers say, readable generically (`CustomResource::subresources`).
        if let Some(ctor) = subresources_ctor(ver.status_subresource, ver.scale.is_some()) {
            let sub = self.n(Sym::Subresources);
            self.line(b, &format!("fn subresources() -> {sub} {{"));
            self.line(b + INDENT, &format!("{sub}::{ctor}::<Self>()"));
            self.line(b, "}");
        }
        self.line(i, "}");

        // Markers.
        if ver.status_subresource {
            let marker = self.n(Sym::HasStatusSubresource);
            self.blank();
            self.line(i, "#[automatically_derived]");
            let flat = format!("impl {marker} for {name} {{}}");
            if flat.len() - 1 <= super::layout::MAX_WIDTH {
                self.line(i, &flat);
            } else {
                self.impl_header(i, &marker, name);
                self.line(i, "}");
            }
        }
        if let Some(scale) = &ver.scale {
            let marker = self.n(Sym::HasScaleSubresource);
            self.blank();
            self.line(i, "#[automatically_derived]");
            self.impl_header(i, &marker, name);
            for (c_name, value) in [
                ("SPEC_REPLICAS_PATH", &scale.spec_replicas_path),
                ("STATUS_REPLICAS_PATH", &scale.status_replicas_path),
            ] {
                let head = format!("const {c_name}: &'static str =");
                self.rhs(b, &head, &Tree::atom(lit_str(value)), ";");
            }
            let selector = scale.label_selector_path.as_deref();
            self.const_option(b, "LABEL_SELECTOR_PATH", selector, &option);
            self.line(i, "}");
        }
        let status = k.fields.iter().find(|f| f.wire_name == "status");
        for (field, sym, assoc, getter, optional) in [
            (
                spec.filter(|f| f.presence == Presence::Required),
                Sym::HasSpec,
                "Spec",
                "spec",
                false,
            ),
            (
                status.filter(|f| f.presence == Presence::Optional),
                Sym::HasStatus,
                "Status",
                "status",
                true,
            ),
        ] {
            let Some(field) = field else { continue };
            let ty = self.type_of(space, &field.ty);
            let fname = &field.rust_name.0;
            let trait_name = self.n(sym);
            self.blank();
            self.line(i, "#[automatically_derived]");
            self.impl_header(i, &trait_name, name);
            self.rhs(b, &format!("type {assoc} ="), &ty, ";");
            self.blank();
            if optional {
                self.line(
                    b,
                    &format!("fn {getter}(&self) -> {option}<&Self::{assoc}> {{"),
                );
                self.line(c, &format!("self.{fname}.as_ref()"));
                self.line(b, "}");
                self.blank();
                self.line(
                    b,
                    &format!("fn {getter}_mut(&mut self) -> &mut {option}<Self::{assoc}> {{"),
                );
            } else {
                self.line(b, &format!("fn {getter}(&self) -> &Self::{assoc} {{"));
                self.line(c, &format!("&self.{fname}"));
                self.line(b, "}");
                self.blank();
                self.line(
                    b,
                    &format!("fn {getter}_mut(&mut self) -> &mut Self::{assoc} {{"),
                );
            }
            self.line(c, &format!("&mut self.{fname}"));
            self.line(b, "}");
            self.line(i, "}");
        }
    }

    /// `Kind::crd()`: the CustomResourceDefinition the kind was generated from, kept
    /// as JSON text in its storage version's module.
    fn crd_fn(
        &mut self,
        model: &Model,
        space: &TypeSpace,
        k: &KindDef,
        i: usize,
        homes: &CrdHomes,
    ) {
        let res = &model.resources[k.resource];
        let (b, c) = (i + INDENT, i + 2 * INDENT);
        let crd = self.n(Sym::CustomResourceDefinition);
        let here = crate::passes::naming::version_module(&space.version).0;
        self.blank();
        self.inherent_impl_header(i, &k.name.0);
        self.line(
            b,
            "/// The CustomResourceDefinition this kind was generated from (every version).",
        );
        self.sig(b, "pub fn crd", &[], Some(&Tree::atom(&crd)));
        match homes.get(&k.resource) {
            Some((module, name)) if *module != here => {
                let call = Tree::call(format!("super::{module}::{name}::crd"), vec![]);
                self.expr(c, &call, "");
            }
            _ => {
                self.crd_text_rhs(c, "let json =", res, ";");
                let serde_json = self.n(Sym::SerdeJson);
                self.line(
                    c,
                    &format!("{serde_json}::from_str(json).expect(\"a valid CRD\")"),
                );
            }
        }
        self.line(b, "}");
        self.line(i, "}");
        // The same CRD through the runtime's trait, so `validate()` (the runtime's
        // `Validate`, implemented for every `HasCrd` kind) works on the kind.
        let has_crd = self.n(Sym::HasCrd);
        self.blank();
        self.impl_header(i, &has_crd, &k.name.0);
        self.sig(b, "fn crd", &[], Some(&Tree::atom(&crd)));
        self.line(c, "Self::crd()");
        self.line(b, "}");
        self.line(i, "}");
    }

    /// `head` then the CRD of `res` as JSON text in a raw string literal
    /// ([`crate::emit::crd_text`]) and `tail`, laid out as [`Writer::rhs`] lays out an
    /// atom. The text is written into a string of its own, which the emitted text
    /// takes as it is ([`Writer::push_piece`]): more than half the generated bytes are
    /// such texts, and none is copied.
    fn crd_text_rhs(&mut self, indent: usize, head: &str, res: &ResourceModel, tail: &str) {
        // Most CRDs' text fits: it is written without being copied as it grows.
        let mut text = String::with_capacity(256 * 1024);
        let hashes = crate::emit::crd_text::write_crd(res, &mut text);
        let len = text.len() + 3 + 2 * hashes;
        let own_line = indent + head.len() + 1 + len + tail.len() > super::layout::MAX_WIDTH
            && indent + INDENT + len + tail.len() <= super::layout::MAX_WIDTH;
        self.pad(indent);
        self.out.push_str(head);
        if own_line {
            self.out.push('\n');
            self.pad(indent + INDENT);
        } else {
            self.out.push(' ');
        }
        self.out.push('r');
        self.out.extend(std::iter::repeat_n('#', hashes));
        self.out.push('"');
        self.push_piece(text);
        self.out.push('"');
        self.out.extend(std::iter::repeat_n('#', hashes));
        self.out.push_str(tail);
        self.out.push('\n');
    }

    /// `const NAME: Option<&'static str> = None;` or `= Some("value");`.
    fn const_option(&mut self, indent: usize, name: &str, value: Option<&str>, option: &str) {
        let head = format!("const {name}: {option}<&'static str> =");
        let value = match value {
            None => Tree::atom("None"),
            Some(v) => Tree::call("Some", vec![Tree::atom(lit_str(v))]),
        };
        self.rhs(indent, &head, &value, ";");
    }
}

/// The `Subresources` constructor for a version's markers, if any.
fn subresources_ctor(status: bool, scale: bool) -> Option<&'static str> {
    match (status, scale) {
        (false, false) => None,
        (true, false) => Some("status"),
        (false, true) => Some("scale"),
        (true, true) => Some("status_and_scale"),
    }
}
