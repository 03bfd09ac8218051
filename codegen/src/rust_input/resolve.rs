//! Resolving Rust items to schemas: the index of the parsed structs and enums, the
//! context that turns a Rust type into a schema node (well-known types, serde
//! attributes, enums), and the assembly of one CRD document per kind.

use super::*;

/// One version of a kind: its attributes, its version entry and where it is.
pub(super) type Version = (KindAttrs, Value, Loc);

#[derive(Clone, Copy)]
pub(super) struct Loc {
    pub(super) file: usize,
    pub(super) span: proc_macro2::Span,
}

#[derive(Clone, Copy)]
pub(super) enum Def<'a> {
    Struct(&'a syn::ItemStruct),
    Enum(&'a syn::ItemEnum),
}

pub(super) struct IndexItem<'a> {
    pub(super) file: usize,
    pub(super) module: Vec<String>,
    pub(super) def: Def<'a>,
}

#[derive(Default)]
pub(super) struct Index<'a> {
    pub(super) items: Vec<IndexItem<'a>>,
    pub(super) by_name: BTreeMap<String, Vec<usize>>,
}

impl<'a> Index<'a> {
    pub(super) fn collect(&mut self, file: usize, module: &[String], items: &'a [syn::Item]) {
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

pub(super) struct Cx<'a> {
    pub(super) files: &'a [(PathBuf, syn::File)],
    pub(super) index: &'a Index<'a>,
    pub(super) diags: Vec<Diagnostic>,
    /// Types being expanded (recursion guard).
    pub(super) stack: Vec<usize>,
}

/// A field type, resolved.
pub(super) enum Resolved {
    Shape(Shape),
    List(Box<syn::Type>),
    Map(Box<syn::Type>),
    Named(usize),
}

pub(super) const WELL_KNOWN: &[(&str, WellKnown)] = &[
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
pub(super) fn type_args(seg: &syn::PathSegment) -> Vec<&syn::Type> {
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
pub(super) fn option_inner(ty: &syn::Type) -> Option<&syn::Type> {
    let syn::Type::Path(p) = ty else { return None };
    let seg = p.path.segments.last()?;
    if seg.ident != "Option" {
        return None;
    }
    type_args(seg).first().copied()
}

impl<'a> Cx<'a> {
    pub(super) fn error(
        &mut self,
        file: usize,
        span: proc_macro2::Span,
        message: impl Into<String>,
    ) {
        let d = diag(&self.files[file].0, span, message);
        self.diags.push(d);
    }

    /// Resolve a type by name: the same module first, then anywhere if unique.
    pub(super) fn lookup(
        &mut self,
        name: &str,
        from: usize,
        span: proc_macro2::Span,
    ) -> Option<usize> {
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

    pub(super) fn resolve(&mut self, ty: &syn::Type, from: usize) -> Option<Resolved> {
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
    pub(super) fn type_schema(
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

    pub(super) fn named_schema(&mut self, id: usize, type_doc: bool) -> Option<Map<String, Value>> {
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

    pub(super) fn enum_schema(
        &mut self,
        id: usize,
        e: &syn::ItemEnum,
    ) -> Option<Map<String, Value>> {
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

    pub(super) fn struct_schema(&mut self, id: usize, s: &syn::ItemStruct) -> Map<String, Value> {
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
    pub(super) fn fields(
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
    pub(super) fn field_list(
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
    pub(super) fn version(&mut self, id: usize, s: &syn::ItemStruct, a: &KindAttrs) -> Value {
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
    pub(super) fn merge(
        &mut self,
        group: &str,
        kind: &str,
        versions: Vec<Version>,
    ) -> Option<Value> {
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
pub(super) fn object_node(
    props: Map<String, Value>,
    required: Vec<Value>,
    extra: bool,
) -> Map<String, Value> {
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
