//! Front end for Rust source: annotated structs and enums (as `crdgen generate
//! --annotated` writes them, or written by hand) into the same [`crate::ir::Model`]
//! the CRD front end builds, so every emitter (the CRD manifest included) works from
//! Rust too.
//!
//! A root kind is a struct with `#[crdgen(group = "…", version = "…", kind = "…",
//! plural = "…", …)]` (see [`attrs`] for the grammar, shared with `#[derive(CrdSchema)]`
//! through the `crdgen-attrs` crate). Two forms:
//!
//! - the object form (what `crdgen generate --annotated` writes): the struct has a
//!   `metadata` field; its other fields become the root properties;
//! - the spec form (kube-derive's): the struct is the spec; the root gets `spec` (this
//!   struct, required) and, with `status = "StatusType"`, `status`.
//!
//! Field types are resolved by name within the parsed files (the same module first):
//! structs (named or newtype), enums (unit variants as string enums; variants with data
//! externally, internally or adjacently tagged or untagged, as structural schemas, see
//! [`enums`]), `Option`, `Vec`, `BTreeMap`/`HashMap` with `String` keys, `Box`, the
//! primitives, `String`, `serde_json::Value`, `IntOrString`, `Quantity`, `Time` and the
//! k8s-openapi types crdgen knows (`ObjectMeta`, `Condition`, `LabelSelector`, …).
//! serde's `rename`, `rename_all` (with serde's own case rules), `rename_all_fields`,
//! `flatten`, `skip`, `default`, `skip_serializing_if`, `tag`, `content` and `untagged`
//! are honoured; a field is required when it is neither an `Option` nor defaulted nor
//! skipped when serializing. Versions of one kind are merged into one CRD, which must
//! have exactly one storage version.

pub mod shape;

pub use crdgen_attrs::crd::{
    crd_document, is_spec_struct, root_parts, root_properties, version_entry,
};
pub use crdgen_attrs::{attrs, enums};

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};
use syn::spanned::Spanned;

use crate::error::{Diagnostic, Error, Result, SourceRef};
use crate::ir::{Model, WellKnown};
use attrs::{KindAttrs, SerdeAttrs};
use shape::{Overlay, Shape, base_schema, doc_to_description};

/// A Rust source file to read.
#[derive(Debug, Clone)]
pub struct RustSource {
    /// Shown in diagnostics.
    pub path: PathBuf,
    /// The source text.
    pub text: String,
}

/// Read the `.rs` files under `paths` (files or folders, recursively), sorted.
pub fn read_paths(paths: &[PathBuf]) -> Result<Vec<RustSource>> {
    let mut files = Vec::new();
    for p in paths {
        let meta = std::fs::metadata(p).map_err(|e| Error::io(p, e))?;
        if !meta.is_dir() {
            files.push(p.clone());
            continue;
        }
        let mut stack = vec![p.clone()];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).map_err(|e| Error::io(&dir, e))? {
                let entry = entry.map_err(|e| Error::io(&dir, e))?;
                let path = entry.path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    files.push(path);
                }
            }
        }
    }
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
            Ok(RustSource { path, text })
        })
        .collect()
}

/// The CustomResourceDefinitions (as JSON documents, sorted by name) that the annotated
/// kinds in the sources declare. All problems are reported together.
pub fn crds_from_sources(sources: &[RustSource]) -> Result<Vec<Value>> {
    let mut files = Vec::new();
    let mut diags = Vec::new();
    for s in sources {
        match syn::parse_file(&s.text) {
            Ok(f) => files.push((s.path.clone(), f)),
            Err(e) => diags.push(diag(&s.path, e.span(), format!("cannot parse Rust: {e}"))),
        }
    }
    if !diags.is_empty() {
        return Err(Error::Input(diags));
    }
    let mut index = Index::default();
    for (fi, (_, f)) in files.iter().enumerate() {
        index.collect(fi, &[], &f.items);
    }
    let mut cx = Cx {
        files: &files,
        index: &index,
        diags: Vec::new(),
        stack: Vec::new(),
    };
    // (group, kind) → versions
    let mut crds: BTreeMap<(String, String), Vec<Version>> = BTreeMap::new();
    for (id, item) in index.items.iter().enumerate() {
        let Def::Struct(s) = item.def else { continue };
        let attrs = match attrs::kind_attrs(&s.attrs) {
            Ok(Some(a)) => a,
            Ok(None) => continue,
            Err(e) => {
                cx.error(item.file, e.span(), e.to_string());
                continue;
            }
        };
        let loc = Loc {
            file: item.file,
            span: s.ident.span(),
        };
        let mut missing = Vec::new();
        for (v, name) in [
            (&attrs.version, "version"),
            (&attrs.kind, "kind"),
            (&attrs.plural, "plural"),
        ] {
            if v.is_none() {
                missing.push(name);
            }
        }
        if !missing.is_empty() {
            cx.error(
                item.file,
                s.ident.span(),
                format!(
                    "`#[crdgen(...)]` on kind `{}` lacks {}",
                    s.ident,
                    missing.join(", ")
                ),
            );
            continue;
        }
        let version = cx.version(id, s, &attrs);
        let key = (
            attrs.group.clone().unwrap_or_default(),
            attrs.kind.clone().unwrap_or_default(),
        );
        crds.entry(key).or_default().push((attrs, version, loc));
    }
    let mut out = Vec::new();
    for ((group, kind), mut versions) in crds {
        versions.sort_by(|a, b| a.0.version.cmp(&b.0.version));
        if let Some(crd) = cx.merge(&group, &kind, versions) {
            out.push(crd);
        }
    }
    if !cx.diags.is_empty() {
        return Err(Error::Input(cx.diags));
    }
    Ok(out)
}

/// The model of the annotated kinds in the sources (through their CRDs, so the model
/// is exactly what the CRD front end would build from the manifests).
pub fn load(sources: &[RustSource]) -> Result<Model> {
    let mut model = Model::default();
    for crd in crds_from_sources(sources)? {
        let name = crd
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or("crd")
            .to_owned();
        let text = serde_json::to_string_pretty(&crd).expect("a JSON value always serializes");
        model.resources.extend(crate::input::load_str(
            &format!("<{name} from Rust>"),
            &text,
        )?);
    }
    Ok(model)
}

fn diag(file: &Path, span: proc_macro2::Span, message: impl Into<String>) -> Diagnostic {
    let start = span.start();
    Diagnostic::new(
        SourceRef {
            file: file.to_path_buf(),
            line: (start.line > 0).then_some(start.line),
            column: (start.line > 0).then_some(start.column + 1),
            path: None,
        },
        message,
    )
}

/// One version of a kind: its attributes, its version entry and where it is.
type Version = (KindAttrs, Value, Loc);

#[derive(Clone, Copy)]
struct Loc {
    file: usize,
    span: proc_macro2::Span,
}

#[derive(Clone, Copy)]
enum Def<'a> {
    Struct(&'a syn::ItemStruct),
    Enum(&'a syn::ItemEnum),
}

struct IndexItem<'a> {
    file: usize,
    module: Vec<String>,
    def: Def<'a>,
}

#[derive(Default)]
struct Index<'a> {
    items: Vec<IndexItem<'a>>,
    by_name: BTreeMap<String, Vec<usize>>,
}

impl<'a> Index<'a> {
    fn collect(&mut self, file: usize, module: &[String], items: &'a [syn::Item]) {
        for item in items {
            let (name, def) = match item {
                syn::Item::Struct(s) => (s.ident.to_string(), Def::Struct(s)),
                syn::Item::Enum(e) => (e.ident.to_string(), Def::Enum(e)),
                syn::Item::Mod(m) => {
                    if let Some((_, inner)) = &m.content {
                        let mut path = module.to_vec();
                        path.push(m.ident.to_string());
                        self.collect(file, &path, inner);
                    }
                    continue;
                }
                _ => continue,
            };
            self.by_name.entry(name).or_default().push(self.items.len());
            self.items.push(IndexItem {
                file,
                module: module.to_vec(),
                def,
            });
        }
    }
}

struct Cx<'a> {
    files: &'a [(PathBuf, syn::File)],
    index: &'a Index<'a>,
    diags: Vec<Diagnostic>,
    /// Types being expanded (recursion guard).
    stack: Vec<usize>,
}

/// A field type, resolved.
enum Resolved {
    Shape(Shape),
    List(Box<syn::Type>),
    Map(Box<syn::Type>),
    Named(usize),
}

const WELL_KNOWN: &[(&str, WellKnown)] = &[
    ("ObjectMeta", WellKnown::ObjectMeta),
    ("LabelSelector", WellKnown::LabelSelector),
    (
        "LabelSelectorRequirement",
        WellKnown::LabelSelectorRequirement,
    ),
    ("ObjectReference", WellKnown::ObjectReference),
    ("LocalObjectReference", WellKnown::LocalObjectReference),
    ("SecretKeySelector", WellKnown::SecretKeySelector),
    ("ConfigMapKeySelector", WellKnown::ConfigMapKeySelector),
    (
        "TypedLocalObjectReference",
        WellKnown::TypedLocalObjectReference,
    ),
    ("OwnerReference", WellKnown::OwnerReference),
];

/// The generic arguments of a path segment that are types.
fn type_args(seg: &syn::PathSegment) -> Vec<&syn::Type> {
    match &seg.arguments {
        syn::PathArguments::AngleBracketed(a) => a
            .args
            .iter()
            .filter_map(|g| match g {
                syn::GenericArgument::Type(t) => Some(t),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// `Option<T>` → `T`.
fn option_inner(ty: &syn::Type) -> Option<&syn::Type> {
    let syn::Type::Path(p) = ty else { return None };
    let seg = p.path.segments.last()?;
    if seg.ident != "Option" {
        return None;
    }
    type_args(seg).first().copied()
}

impl<'a> Cx<'a> {
    fn error(&mut self, file: usize, span: proc_macro2::Span, message: impl Into<String>) {
        let d = diag(&self.files[file].0, span, message);
        self.diags.push(d);
    }

    /// Resolve a type by name: the same module first, then anywhere if unique.
    fn lookup(&mut self, name: &str, from: usize, span: proc_macro2::Span) -> Option<usize> {
        let candidates = self.index.by_name.get(name)?;
        let module = &self.index.items[from].module;
        let file = self.index.items[from].file;
        if let Some(&id) = candidates.iter().find(|&&c| {
            let it = &self.index.items[c];
            it.file == file && &it.module == module
        }) {
            return Some(id);
        }
        if candidates.len() == 1 {
            return Some(candidates[0]);
        }
        self.error(
            file,
            span,
            format!("type `{name}` is ambiguous: it is defined in several modules; define it in the module that uses it"),
        );
        None
    }

    fn resolve(&mut self, ty: &syn::Type, from: usize) -> Option<Resolved> {
        let file = self.index.items[from].file;
        let path = match ty {
            syn::Type::Path(p) if p.qself.is_none() => &p.path,
            syn::Type::Reference(r) => return self.resolve(&r.elem, from),
            syn::Type::Paren(p) => return self.resolve(&p.elem, from),
            other => {
                self.error(
                    file,
                    other.span(),
                    "unsupported field type (expected a path such as `String`, `Vec<T>` or a struct)",
                );
                return None;
            }
        };
        let seg = path.segments.last()?;
        let name = seg.ident.to_string();
        let args = type_args(seg);
        let single = path.segments.len() == 1 && path.leading_colon.is_none();
        // Names defined in the sources win over built-in ones for bare paths.
        if single && self.index.by_name.contains_key(&name) && args.is_empty() {
            return self
                .lookup(&name, from, seg.ident.span())
                .map(Resolved::Named);
        }
        let shape = match name.as_str() {
            "bool" => Shape::Bool,
            "i32" => Shape::I32,
            "i64" => Shape::I64,
            "f32" | "f64" => Shape::F64,
            "String" | "str" => Shape::String,
            n if args.is_empty() && crdgen_attrs::primitive::schema(n).is_some() => {
                Shape::Primitive(name.clone())
            }
            "NonZero" if args.len() == 1 => {
                let inner = match args[0] {
                    syn::Type::Path(p) if p.qself.is_none() => p.path.get_ident(),
                    _ => None,
                };
                match inner.and_then(|i| crdgen_attrs::primitive::non_zero(&i.to_string())) {
                    Some(n) => Shape::Primitive(n),
                    None => {
                        self.error(
                            file,
                            seg.span(),
                            "`NonZero<T>` is supported for unsigned integers only (`NonZero<u16>`…): a signed one has no structural schema that refuses 0",
                        );
                        return None;
                    }
                }
            }
            "IntOrString" => Shape::IntOrString,
            "Value" => Shape::Json,
            "Condition" => Shape::Condition,
            "Time" | "MicroTime" => Shape::Time,
            "Quantity" => Shape::Quantity,
            "Box" | "Rc" | "Arc" if args.len() == 1 => return self.resolve(args[0], from),
            "Vec" | "VecDeque" | "BTreeSet" | "HashSet" if args.len() == 1 => {
                return Some(Resolved::List(Box::new(args[0].clone())));
            }
            "BTreeMap" | "HashMap" | "IndexMap" if args.len() == 2 => {
                if let Some(Resolved::Shape(Shape::String)) = self.resolve(args[0], from) {
                    if let syn::Type::Path(v) = args[1]
                        && v.path.segments.last().is_some_and(|s| s.ident == "Value")
                        && !self.index.by_name.contains_key("Value")
                    {
                        return Some(Resolved::Shape(Shape::JsonMap));
                    }
                    return Some(Resolved::Map(Box::new(args[1].clone())));
                }
                self.error(file, seg.span(), "map keys must be `String`");
                return None;
            }
            _ => match WELL_KNOWN.iter().find(|(n, _)| *n == name) {
                Some((_, wk)) => Shape::WellKnown(*wk),
                None => {
                    if self.index.by_name.contains_key(&name) {
                        return self
                            .lookup(&name, from, seg.ident.span())
                            .map(Resolved::Named);
                    }
                    self.error(
                        file,
                        seg.ident.span(),
                        format!("cannot resolve type `{name}`: it is not defined in the parsed files and is not a type crdgen knows"),
                    );
                    return None;
                }
            },
        };
        Some(Resolved::Shape(shape))
    }

    /// The schema of a type; `type_doc` adds a named type's doc comment as the
    /// description (list items, map values).
    fn type_schema(
        &mut self,
        ty: &syn::Type,
        from: usize,
        type_doc: bool,
    ) -> Option<Map<String, Value>> {
        match self.resolve(ty, from)? {
            Resolved::Shape(s) => Some(base_schema(&s)),
            Resolved::List(item) => {
                let items = self.type_schema(&item, from, true)?;
                let mut m = Map::new();
                m.insert("type".into(), json!("array"));
                m.insert("items".into(), Value::Object(items));
                Some(m)
            }
            Resolved::Map(value) => {
                let values = self.type_schema(&value, from, true)?;
                let mut m = Map::new();
                m.insert("type".into(), json!("object"));
                m.insert("additionalProperties".into(), Value::Object(values));
                Some(m)
            }
            Resolved::Named(id) => self.named_schema(id, type_doc),
        }
    }

    fn named_schema(&mut self, id: usize, type_doc: bool) -> Option<Map<String, Value>> {
        let item = &self.index.items[id];
        let file = item.file;
        if self.stack.contains(&id) {
            let span = match item.def {
                Def::Struct(s) => s.ident.span(),
                Def::Enum(e) => e.ident.span(),
            };
            self.error(
                file,
                span,
                "recursive types cannot be expressed in a CRD schema",
            );
            return None;
        }
        self.stack.push(id);
        let result = match item.def {
            Def::Struct(s) => {
                let mut node = self.struct_schema(id, s);
                if type_doc && let Some(d) = doc_to_description(&attrs::doc_lines(&s.attrs)) {
                    node.insert("description".into(), Value::String(d));
                }
                Some(node)
            }
            Def::Enum(e) => self.enum_schema(id, e).map(|mut node| {
                if type_doc && let Some(d) = doc_to_description(&attrs::doc_lines(&e.attrs)) {
                    node.insert("description".into(), Value::String(d));
                }
                node
            }),
        };
        self.stack.pop();
        result
    }

    fn enum_schema(&mut self, id: usize, e: &syn::ItemEnum) -> Option<Map<String, Value>> {
        use enums::{Data, EnumPlan, Tagging, Variant, VariantShape};
        let file = self.index.items[id].file;
        let plan = match enums::plan(e) {
            Ok(p) => p,
            Err(err) => {
                self.error(file, err.span(), err.to_string());
                return None;
            }
        };
        let (tagging, planned) = match plan {
            EnumPlan::Strings(values) => return Some(base_schema(&Shape::Enum(values))),
            EnumPlan::Data { tagging, variants } => (tagging, variants),
        };
        let mut variants = Vec::new();
        for pv in planned {
            let v = &e.variants[pv.index];
            let data = match pv.shape {
                VariantShape::Unit => Data::Unit,
                VariantShape::Newtype => {
                    let ty = &v.fields.iter().next()?.ty;
                    Data::Newtype(self.type_schema(ty, id, true)?)
                }
                VariantShape::Struct => {
                    let (props, required, extra) =
                        self.field_list(id, &v.fields, &pv.fields_container, false);
                    Data::Struct(enums::describe(object_node(props, required, extra), None))
                }
            };
            variants.push(Variant {
                name: pv.name,
                description: pv.description,
                data,
            });
        }
        Some(match tagging {
            Tagging::External => enums::external(variants, None),
            Tagging::Internal(tag) => enums::internal(&tag, variants, None),
            Tagging::Adjacent(tag, content) => enums::adjacent(&tag, &content, variants, None),
            Tagging::Untagged => enums::untagged(variants, None),
        })
    }

    fn struct_schema(&mut self, id: usize, s: &syn::ItemStruct) -> Map<String, Value> {
        if let syn::Fields::Unnamed(u) = &s.fields {
            // A newtype struct serializes as its field.
            if u.unnamed.len() == 1 {
                let ty = &u.unnamed[0].ty;
                return self.type_schema(ty, id, true).unwrap_or_default();
            }
        }
        let (props, required, extra) = self.fields(id, s, false);
        object_node(props, required, extra)
    }

    /// Properties, required list and whether unknown fields are kept, from a struct's
    /// fields. At the root, `metadata` is skipped.
    fn fields(
        &mut self,
        id: usize,
        s: &syn::ItemStruct,
        root: bool,
    ) -> (Map<String, Value>, Vec<Value>, bool) {
        let file = self.index.items[id].file;
        let container = match attrs::serde_attrs(&s.attrs) {
            Ok(a) => a,
            Err(e) => {
                self.error(file, e.span(), e.to_string());
                SerdeAttrs::default()
            }
        };
        self.field_list(id, &s.fields, &container, root)
    }

    /// Properties, required list and whether unknown fields are kept, from named
    /// fields (of a struct or a struct variant) under the container's serde attributes.
    fn field_list(
        &mut self,
        id: usize,
        fields: &syn::Fields,
        container: &SerdeAttrs,
        root: bool,
    ) -> (Map<String, Value>, Vec<Value>, bool) {
        let file = self.index.items[id].file;
        let mut props = Map::new();
        let mut required = Vec::new();
        let mut extra = false;
        for f in fields.iter() {
            let Some(ident) = &f.ident else {
                self.error(
                    file,
                    f.span(),
                    "tuple structs have no field names for a schema",
                );
                continue;
            };
            let sa = match attrs::serde_attrs(&f.attrs) {
                Ok(a) => a,
                Err(e) => {
                    self.error(file, e.span(), e.to_string());
                    continue;
                }
            };
            let overlay = match attrs::field_overlay(&f.attrs) {
                Ok(o) => o,
                Err(e) => {
                    self.error(file, e.span(), e.to_string());
                    continue;
                }
            };
            if sa.skip || overlay.skip {
                continue;
            }
            let wire = attrs::wire_name(ident, &sa, container, false);
            if root && wire == "metadata" {
                continue;
            }
            if sa.flatten {
                match self.resolve(&f.ty, id) {
                    Some(Resolved::Shape(Shape::JsonMap)) => extra = true,
                    Some(Resolved::Named(inner)) => {
                        if let Def::Struct(is) = self.index.items[inner].def {
                            let (p, r, e) = self.fields(inner, is, false);
                            props.extend(p);
                            required.extend(r);
                            extra |= e;
                        }
                    }
                    Some(_) => self.error(
                        file,
                        f.ty.span(),
                        "`#[serde(flatten)]` needs a struct or a map of `serde_json::Value`",
                    ),
                    None => {}
                }
                continue;
            }
            let (inner, options) = match option_inner(&f.ty) {
                Some(t) => match option_inner(t) {
                    Some(t2) => (t2, 2),
                    None => (t, 1),
                },
                None => (&f.ty, 0),
            };
            let Some(mut node) = self.type_schema(inner, id, false) else {
                continue;
            };
            node.remove("description");
            if let Some(d) = doc_to_description(&attrs::doc_lines(&f.attrs)) {
                node.insert("description".into(), Value::String(d));
            }
            if options == 2 {
                node.insert("nullable".into(), Value::Bool(true));
            }
            overlay.apply(&mut node);
            if options == 0 && !sa.default && !sa.skip_serializing_if && !container.default {
                required.push(Value::String(wire.clone()));
            }
            props.insert(wire, Value::Object(node));
        }
        (props, required, extra)
    }

    /// One version entry of a kind.
    fn version(&mut self, id: usize, s: &syn::ItemStruct, a: &KindAttrs) -> Value {
        let mut v = version_entry(a);
        if !a.no_schema {
            let file = self.index.items[id].file;
            let doc = doc_to_description(&attrs::doc_lines(&s.attrs));
            let (props, required, extra) = if is_spec_struct(s) {
                // The kube-derive form: the struct is the spec of a generated kind.
                let mut props = Map::new();
                let mut spec = self.named_schema(id, false).unwrap_or_default();
                if let Some(d) = &doc {
                    spec.insert("description".into(), Value::String(d.clone()));
                }
                props.insert("spec".into(), Value::Object(spec));
                if let Some(lit) = &a.status_type {
                    match lit.parse::<syn::Type>() {
                        Ok(ty) => {
                            if let Some(st) = self.type_schema(&ty, id, true) {
                                props.insert("status".into(), Value::Object(st));
                            }
                        }
                        Err(e) => self.error(file, lit.span(), e.to_string()),
                    }
                }
                (props, vec![json!("spec")], false)
            } else {
                self.stack.push(id);
                let r = self.fields(id, s, true);
                self.stack.pop();
                r
            };
            v.insert(
                "schema".into(),
                json!({ "openAPIV3Schema": root_schema(a, doc.as_deref(), props, required, extra) }),
            );
        }
        Value::Object(v)
    }

    /// The CRD of one kind from its versions (sorted by name).
    fn merge(&mut self, group: &str, kind: &str, versions: Vec<Version>) -> Option<Value> {
        let (first, _, loc) = &versions[0];
        let storage = versions.iter().filter(|v| v.0.storage).count();
        if storage != 1 {
            self.error(
                loc.file,
                loc.span,
                format!("kind `{kind}` of `{group}` must have exactly one storage version (`#[crdgen(storage)]`), found {storage}"),
            );
            return None;
        }
        // Resource-wide attributes must agree between versions.
        for (a, _, l) in &versions[1..] {
            let same = a.plural == first.plural
                && a.scope == first.scope
                && a.short_names == first.short_names
                && a.categories == first.categories
                && a.singular == first.singular
                && a.list_kind == first.list_kind;
            if !same {
                self.error(
                    l.file,
                    l.span,
                    format!("version `{}` of `{kind}` disagrees with version `{}` on plural, scope, names or categories", a.version.as_deref().unwrap_or_default(), first.version.as_deref().unwrap_or_default()),
                );
                return None;
            }
        }
        let first = first.clone();
        let conversion = versions.iter().find_map(|v| v.0.conversion.clone());
        let entries = versions.into_iter().map(|v| v.1).collect();
        Some(crd_document(group, kind, &first, conversion, entries))
    }
}

/// A struct's object node: `type: object`, its properties and required list, and
/// whether it keeps unknown fields.
fn object_node(props: Map<String, Value>, required: Vec<Value>, extra: bool) -> Map<String, Value> {
    let mut node = Map::new();
    node.insert("type".into(), json!("object"));
    if extra {
        node.insert(
            "x-kubernetes-preserve-unknown-fields".into(),
            Value::Bool(true),
        );
    }
    if !props.is_empty() {
        node.insert("properties".into(), Value::Object(props));
    }
    if !required.is_empty() {
        node.insert("required".into(), Value::Array(required));
    }
    node
}

/// A kind's root schema from its properties (other than the standard ones), required
/// list, whether it keeps unknown fields, and its doc; then the `root(...)` overlay.
pub fn root_schema(
    a: &KindAttrs,
    doc: Option<&str>,
    props: Map<String, Value>,
    required: Vec<Value>,
    extra: bool,
) -> Map<String, Value> {
    let mut root = Map::new();
    root.insert("type".into(), json!("object"));
    if let Some(d) = doc {
        root.insert("description".into(), Value::String(d.to_owned()));
    }
    if extra {
        root.insert("x-kubernetes-preserve-unknown-fields".into(), json!(true));
    }
    let mut overlay: Overlay = a.root.clone();
    let mut all = match overlay.set.remove("properties") {
        Some(Value::Object(m)) => m,
        _ => root_properties(),
    };
    all.extend(props);
    if !all.is_empty() {
        root.insert("properties".into(), Value::Object(all));
    }
    if !required.is_empty() {
        root.insert("required".into(), Value::Array(required));
    }
    overlay.apply(&mut root);
    root
}

/// Where an annotated kind is declared (for generating clients over the kinds where
/// they are, see `Settings::external_types`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KindSite {
    /// API group.
    pub group: String,
    /// Version.
    pub version: String,
    /// Kind.
    pub kind: String,
    /// The file that declares it.
    pub file: PathBuf,
    /// The inline modules (`mod x { ... }`) around it within the file, outermost first.
    pub module: Vec<String>,
    /// The Rust name of the kind: the struct itself (object form) or, for a spec
    /// struct, the kind `#[derive(CrdSchema)]` generates next to it (its `kind`).
    pub rust_name: String,
}

/// Every struct with `#[crdgen(kind = ...)]` in the sources, in source order. Files
/// that do not parse and malformed attributes are skipped ([`crds_from_sources`]
/// reports them).
pub fn kind_sites(sources: &[RustSource]) -> Vec<KindSite> {
    fn walk(path: &Path, module: &mut Vec<String>, items: &[syn::Item], out: &mut Vec<KindSite>) {
        for item in items {
            match item {
                syn::Item::Struct(s) => {
                    let Ok(Some(a)) = attrs::kind_attrs(&s.attrs) else {
                        continue;
                    };
                    let (Some(version), Some(kind)) = (a.version.clone(), a.kind.clone()) else {
                        continue;
                    };
                    let rust_name = if is_spec_struct(s) {
                        kind.clone()
                    } else {
                        s.ident.to_string()
                    };
                    out.push(KindSite {
                        group: a.group.clone().unwrap_or_default(),
                        version,
                        kind,
                        file: path.to_path_buf(),
                        module: module.clone(),
                        rust_name,
                    });
                }
                syn::Item::Mod(m) => {
                    if let Some((_, inner)) = &m.content {
                        module.push(m.ident.to_string());
                        walk(path, module, inner, out);
                        module.pop();
                    }
                }
                _ => {}
            }
        }
    }
    let mut out = Vec::new();
    for s in sources {
        if let Ok(f) = syn::parse_file(&s.text) {
            walk(&s.path, &mut Vec::new(), &f.items, &mut out);
        }
    }
    out
}
