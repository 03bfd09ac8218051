//! `#[derive(CrdSchema)]`: parse (with `crdgen::rust_input`, the grammar `crdgen crd`
//! reads), validate, then generate. All errors are collected and returned together.

use crdgen_attrs::{attrs, enums, shape::doc_to_description};
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote};
use syn::spanned::Spanned;

use attrs::{KindAttrs, SerdeAttrs};

/// Collected errors (serde_derive's `Ctxt`).
#[derive(Default)]
struct Errors(Vec<syn::Error>);

impl Errors {
    fn push(&mut self, e: syn::Error) {
        self.0.push(e);
    }

    fn handle<T>(&mut self, r: syn::Result<T>) -> Option<T> {
        r.map_err(|e| self.push(e)).ok()
    }

    fn finish(self) -> syn::Result<()> {
        let mut iter = self.0.into_iter();
        match iter.next() {
            None => Ok(()),
            Some(mut first) => {
                first.extend(iter);
                Err(first)
            }
        }
    }
}

fn runtime() -> TokenStream {
    quote!(::crdgen_runtime)
}

fn opt_str(s: Option<&str>) -> TokenStream {
    match s {
        Some(s) => quote!(::std::option::Option::Some(#s)),
        None => quote!(::std::option::Option::None),
    }
}

fn doc_of(attrs: &[syn::Attribute]) -> Option<String> {
    doc_to_description(&attrs::doc_lines(attrs))
}

/// `Option<T>` → `T`.
fn option_inner(ty: &syn::Type) -> Option<&syn::Type> {
    let syn::Type::Path(p) = ty else { return None };
    let seg = p.path.segments.last()?;
    if seg.ident != "Option" {
        return None;
    }
    match &seg.arguments {
        syn::PathArguments::AngleBracketed(a) => a.args.iter().find_map(|g| match g {
            syn::GenericArgument::Type(t) => Some(t),
            _ => None,
        }),
        _ => None,
    }
}

/// Whether any `#[crdgen(...)]` is on the container.
fn has_crdgen(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| a.path().is_ident("crdgen"))
}

/// The span of the first item `name` inside `#[crdgen(...)]`, else of the attribute.
fn item_span(attrs: &[syn::Attribute], name: &str) -> Span {
    let mut found = None;
    for a in attrs.iter().filter(|a| a.path().is_ident("crdgen")) {
        let _ = a.parse_nested_meta(|m| {
            if found.is_none() && m.path.is_ident(name) {
                found = Some(m.path.span());
            }
            // Consume the item's value so parsing goes on.
            if m.input.peek(syn::Token![=]) {
                let _: syn::Expr = m.value()?.parse()?;
            } else if m.input.peek(syn::token::Paren) {
                let content;
                syn::parenthesized!(content in m.input);
                let _: TokenStream = content.parse()?;
            }
            Ok(())
        });
        if found.is_none() {
            found = Some(a.span());
        }
    }
    found.unwrap_or_else(Span::call_site)
}

/// Statements adding the named fields to `props`, `required` and `extra`.
fn fields_code(
    fields: &syn::Fields,
    container: &SerdeAttrs,
    root: bool,
    errors: &mut Errors,
) -> TokenStream {
    let rt = runtime();
    let mut out = TokenStream::new();
    for f in fields {
        let Some(ident) = &f.ident else {
            errors.push(syn::Error::new_spanned(
                f,
                "tuple fields have no names for a schema; use named fields",
            ));
            continue;
        };
        let Some(sa) = errors.handle(attrs::serde_attrs(&f.attrs)) else {
            continue;
        };
        let Some(overlay) = errors.handle(attrs::field_overlay(&f.attrs)) else {
            continue;
        };
        if sa.skip || overlay.skip {
            continue;
        }
        let wire = attrs::wire_name(ident, &sa, container, false);
        if root && wire == "metadata" {
            continue;
        }
        let ty = &f.ty;
        if sa.flatten {
            out.extend(quote! {
                __d::flatten(
                    <#ty as #rt::CrdSchema>::schema(),
                    &mut props,
                    &mut required,
                    &mut extra,
                );
            });
            continue;
        }
        let (inner, options) = match option_inner(ty) {
            Some(t) => match option_inner(t) {
                Some(t2) => (t2, 2),
                None => (t, 1),
            },
            None => (ty, 0),
        };
        let desc = opt_str(doc_of(&f.attrs).as_deref());
        let nullable = options == 2;
        let overlay = if overlay.is_empty() {
            None
        } else {
            Some(overlay.to_json().to_string())
        };
        let overlay = opt_str(overlay.as_deref());
        out.extend(quote! {
            props.insert(
                ::std::string::String::from(#wire),
                __d::field(<#inner as #rt::CrdSchema>::schema(), #desc, #nullable, #overlay),
            );
        });
        if options == 0 && !sa.default && !sa.skip_serializing_if && !container.default {
            out.extend(quote! {
                required.push(__d::Value::from(#wire));
            });
        }
    }
    out
}

/// The body of an object schema from named fields (a block evaluating to a `Map`).
fn object_code(
    fields: &syn::Fields,
    container: &SerdeAttrs,
    desc: Option<&str>,
    errors: &mut Errors,
) -> TokenStream {
    let stmts = fields_code(fields, container, false, errors);
    let desc = opt_str(desc);
    quote! {{
        let mut props = __d::Map::new();
        let mut required: ::std::vec::Vec<__d::Value> = ::std::vec::Vec::new();
        let mut extra = false;
        #stmts
        let _ = &mut required;
        let _ = &mut extra;
        __d::object(props, required, extra, #desc)
    }}
}

/// The schema expression of a struct that is not a kind.
fn struct_schema(s: &syn::ItemStruct, errors: &mut Errors) -> TokenStream {
    let rt = runtime();
    let container = errors
        .handle(attrs::serde_attrs(&s.attrs))
        .unwrap_or_default();
    let desc = doc_of(&s.attrs);
    match &s.fields {
        syn::Fields::Named(_) => object_code(&s.fields, &container, desc.as_deref(), errors),
        syn::Fields::Unnamed(u) if u.unnamed.len() == 1 => {
            let ty = &u.unnamed[0].ty;
            let desc = opt_str(desc.as_deref());
            quote!(__d::describe(<#ty as #rt::CrdSchema>::schema(), #desc))
        }
        syn::Fields::Unnamed(u) => {
            errors.push(syn::Error::new_spanned(
                u,
                "a tuple struct with several fields serializes as an array of mixed types, which has no structural schema; use named fields",
            ));
            quote!(__d::Map::new())
        }
        syn::Fields::Unit => {
            errors.push(syn::Error::new_spanned(
                &s.ident,
                "a unit struct serializes as `null`, which has no schema",
            ));
            quote!(__d::Map::new())
        }
    }
}

/// The schema expression of an enum.
fn enum_schema(e: &syn::ItemEnum, errors: &mut Errors) -> TokenStream {
    use enums::{EnumPlan, Tagging, VariantShape};
    let rt = runtime();
    let desc = doc_of(&e.attrs);
    let desc_t = opt_str(desc.as_deref());
    let Some(plan) = errors.handle(enums::plan(e)) else {
        return quote!(__d::Map::new());
    };
    let (tagging, planned) = match plan {
        EnumPlan::Strings(values) => {
            return quote!(__d::string_enum(&[#(#values),*], #desc_t));
        }
        EnumPlan::Data { tagging, variants } => (tagging, variants),
    };
    let mut variants = Vec::new();
    for pv in planned {
        let v = &e.variants[pv.index];
        let data = match pv.shape {
            VariantShape::Unit => quote!(__d::Data::Unit),
            VariantShape::Newtype => {
                let ty = &v
                    .fields
                    .iter()
                    .next()
                    .expect("a newtype variant has a field")
                    .ty;
                quote!(__d::Data::Newtype(<#ty as #rt::CrdSchema>::schema()))
            }
            VariantShape::Struct => {
                let obj = object_code(&v.fields, &pv.fields_container, None, errors);
                quote!(__d::Data::Struct(#obj))
            }
        };
        let name = &pv.name;
        let vdesc = match &pv.description {
            Some(d) => quote!(::std::option::Option::Some(::std::string::String::from(#d))),
            None => quote!(::std::option::Option::None),
        };
        variants.push(quote! {
            __d::Variant {
                name: ::std::string::String::from(#name),
                description: #vdesc,
                data: #data,
            }
        });
    }
    let list = quote!(::std::vec![#(#variants),*]);
    match tagging {
        Tagging::External => quote!(__d::external(#list, #desc_t)),
        Tagging::Internal(tag) => quote!(__d::internal(#tag, #list, #desc_t)),
        Tagging::Adjacent(tag, content) => quote!(__d::adjacent(#tag, #content, #list, #desc_t)),
        Tagging::Untagged => quote!(__d::untagged(#list, #desc_t)),
    }
}

/// `impl CrdSchema for #name { fn schema() { #body } }`.
fn schema_impl(name: &syn::Ident, generics: &syn::Generics, body: TokenStream) -> TokenStream {
    let rt = runtime();
    let mut generics = generics.clone();
    let params: Vec<syn::Ident> = generics.type_params().map(|p| p.ident.clone()).collect();
    if !params.is_empty() {
        let wc = generics.make_where_clause();
        for p in params {
            wc.predicates.push(syn::parse_quote!(#p: #rt::CrdSchema));
        }
    }
    let (imp, ty, wh) = generics.split_for_impl();
    quote! {
        #[automatically_derived]
        impl #imp #rt::CrdSchema for #name #ty #wh {
            fn schema() -> #rt::serde_json::Map<::std::string::String, #rt::serde_json::Value> {
                #[allow(unused_imports)]
                use #rt::crd_schema::__derive as __d;
                #body
            }
        }
    }
}

/// Expand `#[derive(CrdSchema)]`.
pub fn expand(item: &syn::Item) -> syn::Result<TokenStream> {
    let mut errors = Errors::default();
    let out = match item {
        syn::Item::Struct(s) => {
            let kind = if has_crdgen(&s.attrs) {
                errors.handle(attrs::kind_attrs(&s.attrs)).and_then(|k| {
                    if k.is_none() {
                        let attr = s
                            .attrs
                            .iter()
                            .find(|a| a.path().is_ident("crdgen"))
                            .expect("has_crdgen");
                        errors.push(syn::Error::new_spanned(
                            attr,
                            "kind attributes need `group = \"...\"` (with `version`, `kind` and `plural`); field attributes go on fields",
                        ));
                    }
                    k
                })
            } else {
                None
            };
            match kind {
                Some(k) => kind_items(s, &k, &mut errors),
                None => {
                    let body = struct_schema(s, &mut errors);
                    schema_impl(&s.ident, &s.generics, body)
                }
            }
        }
        syn::Item::Enum(e) => {
            if has_crdgen(&e.attrs) {
                errors.push(syn::Error::new(
                    item_span(&e.attrs, "group"),
                    "kind attributes go on a struct (the spec, or a struct with `metadata`), not on an enum",
                ));
            }
            let body = enum_schema(e, &mut errors);
            schema_impl(&e.ident, &e.generics, body)
        }
        syn::Item::Union(u) => {
            return Err(syn::Error::new_spanned(
                u.union_token,
                "`CrdSchema` cannot be derived for a union",
            ));
        }
        other => {
            return Err(syn::Error::new_spanned(
                other,
                "`CrdSchema` is derived for structs and enums",
            ));
        }
    };
    if let Err(e) = errors.finish() {
        // The errors, plus an impl so types using this one do not cascade into
        // "`CrdSchema` is not implemented" errors (thiserror's fallback).
        let (name, generics) = match item {
            syn::Item::Struct(s) => (&s.ident, &s.generics),
            syn::Item::Enum(e) => (&e.ident, &e.generics),
            _ => return Err(e),
        };
        let fallback = schema_impl(
            name,
            generics,
            quote!(::std::unreachable!(
                "`#[derive(CrdSchema)]` reported errors"
            )),
        );
        let errors = e.into_compile_error();
        return Ok(quote!(#errors #fallback));
    }
    Ok(out)
}

/// Checks the CLI does not make (it reads manifests as they are) but a hand-written
/// kind deserves.
fn validate_kind(s: &syn::ItemStruct, k: &KindAttrs, spec_form: bool, errors: &mut Errors) {
    let mut missing = Vec::new();
    for (v, name) in [
        (&k.version, "version"),
        (&k.kind, "kind"),
        (&k.plural, "plural"),
    ] {
        if v.is_none() {
            missing.push(name);
        }
    }
    if !missing.is_empty() {
        errors.push(syn::Error::new(
            item_span(&s.attrs, "group"),
            format!(
                "`#[crdgen(...)]` on kind `{}` lacks {}",
                s.ident,
                missing.join(", ")
            ),
        ));
    }
    if k.deprecation_warning.is_some() && !k.deprecated {
        errors.push(syn::Error::new(
            item_span(&s.attrs, "deprecation_warning"),
            "`deprecation_warning` needs `deprecated` (the API server only warns for deprecated versions)",
        ));
    }
    if let Some(scale) = &k.scale {
        for (key, item) in [
            ("specReplicasPath", "spec_replicas_path"),
            ("statusReplicasPath", "status_replicas_path"),
        ] {
            if !scale.contains_key(key) {
                errors.push(syn::Error::new(
                    item_span(&s.attrs, "scale"),
                    format!("`scale(...)` needs `{item} = \"...\"`"),
                ));
            }
        }
    }
    for col in &k.printer_columns {
        let missing: Vec<&str> = ["name", "type", "jsonPath"]
            .into_iter()
            .filter(|key| col.get(*key).is_none())
            .collect();
        if !missing.is_empty() {
            errors.push(syn::Error::new(
                item_span(&s.attrs, "printcolumn"),
                format!(
                    "`printcolumn(...)` needs `name`, `type` and `json_path`; missing: {}",
                    missing
                        .iter()
                        .map(|m| if *m == "jsonPath" { "json_path" } else { m })
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
    }
    if !matches!(s.fields, syn::Fields::Named(_)) {
        errors.push(syn::Error::new_spanned(
            &s.ident,
            "a kind's spec (or object) struct needs named fields",
        ));
    }
    if spec_form {
        if k.status && k.status_type.is_none() {
            errors.push(syn::Error::new(
                item_span(&s.attrs, "status"),
                "on a spec struct, `status` names the status type: `status = \"WidgetStatus\"`",
            ));
        }
        if k.kind.as_deref() == Some(&s.ident.to_string()) {
            errors.push(syn::Error::new(
                item_span(&s.attrs, "kind"),
                format!(
                    "the kind `{}` is generated from this spec struct and needs another name (e.g. `{}Spec` for the struct)",
                    s.ident, s.ident
                ),
            ));
        }
        if !s.generics.params.is_empty() {
            errors.push(syn::Error::new_spanned(
                &s.generics,
                "a kind's spec struct cannot be generic",
            ));
        }
    } else {
        if let Some(lit) = &k.status_type {
            errors.push(syn::Error::new(
                lit.span(),
                "`status = \"Type\"` is for a spec struct; this struct has `metadata`, so its own `status` field is the status (write `status` for the subresource)",
            ));
        }
        if !k.derives.is_empty() {
            errors.push(syn::Error::new(
                item_span(&s.attrs, "derive"),
                "`derive = \"...\"` is for a spec struct (it adds derives to the generated kind); derive on this struct directly",
            ));
        }
    }
}

/// The items of a kind: the schema and `crd()`, plus (spec form) the kind struct and
/// its impls.
fn kind_items(s: &syn::ItemStruct, k: &KindAttrs, errors: &mut Errors) -> TokenStream {
    let rt = runtime();
    let spec_form = crdgen_attrs::crd::is_spec_struct(s);
    validate_kind(s, k, spec_form, errors);
    if k.version.is_none() || k.kind.is_none() || k.plural.is_none() {
        return TokenStream::new();
    }
    let doc = doc_of(&s.attrs);
    let group = k.group.clone().unwrap_or_default();
    let kind = k.kind.clone().unwrap_or_default();
    let version = k.version.clone().unwrap_or_default();
    let plural = k.plural.clone().unwrap_or_default();
    let skeleton = crdgen_attrs::crd::crd_document(
        &group,
        &kind,
        k,
        k.conversion.clone(),
        vec![serde_json::Value::Object(crdgen_attrs::crd::version_entry(
            k,
        ))],
    )
    .to_string();
    let (standard, overlay) = crdgen_attrs::crd::root_parts(k);
    let standard = serde_json::Value::Object(standard).to_string();
    let overlay = (!overlay.is_empty()).then(|| overlay.to_json().to_string());
    let overlay = opt_str(overlay.as_deref());
    let desc = opt_str(doc.as_deref());
    let schema = if k.no_schema {
        quote!(::std::option::Option::None)
    } else {
        quote!(::std::option::Option::Some(<Self as #rt::CrdSchema>::schema()))
    };
    let crd_fn = quote! {
        /// The CustomResourceDefinition of this version of the kind (join versions
        /// with `crdgen_runtime::crd_schema::merge_crds`).
        #[allow(dead_code)]
        pub fn crd() -> #rt::k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition {
            #rt::crd_schema::__derive::crd(#skeleton, #schema)
        }
    };
    if !spec_form {
        let container = errors
            .handle(attrs::serde_attrs(&s.attrs))
            .unwrap_or_default();
        let stmts = fields_code(&s.fields, &container, true, errors);
        let body = quote! {
            let mut props = __d::Map::new();
            let mut required: ::std::vec::Vec<__d::Value> = ::std::vec::Vec::new();
            let mut extra = false;
            #stmts
            let _ = &mut required;
            let _ = &mut extra;
            __d::root(#standard, #overlay, #desc, props, required, extra)
        };
        let name = &s.ident;
        let imp = schema_impl(name, &s.generics, body);
        let (i, t, w) = s.generics.split_for_impl();
        return quote! {
            #imp
            #[automatically_derived]
            impl #i #name #t #w {
                #crd_fn
            }
        };
    }

    // The kube-derive form: generate the kind around the spec.
    let spec = &s.ident;
    let vis = &s.vis;
    if syn::parse_str::<syn::Ident>(&kind).is_err() {
        errors.push(syn::Error::new(
            item_span(&s.attrs, "kind"),
            format!("the kind `{kind}` is not a Rust identifier"),
        ));
        return TokenStream::new();
    }
    let kind_ident = format_ident!("{}", kind, span = item_span(&s.attrs, "kind"));
    let spec_body = struct_schema(s, errors);
    let spec_impl = schema_impl(spec, &s.generics, spec_body);
    let status_ty: Option<syn::Type> = k.status_type.as_ref().and_then(|lit| {
        let mut ty: syn::Type = errors.handle(lit.parse())?;
        // Point errors about the type (not found, no CrdSchema) at the attribute.
        ty = respan_type(ty, lit.span());
        Some(ty)
    });
    let api_version = format!("{group}/{version}");
    let list_kind = k.list_kind.clone().unwrap_or_else(|| format!("{kind}List"));
    let singular = k.singular.clone().unwrap_or_else(|| kind.to_lowercase());
    let short_names = &k.short_names;
    let categories = &k.categories;
    let cluster = k.scope.as_deref() == Some("Cluster");
    let (scope_ty, scope_val) = if cluster {
        (
            quote!(#rt::kube::core::ClusterResourceScope),
            quote!(#rt::Scope::Cluster),
        )
    } else {
        (
            quote!(#rt::kube::core::NamespaceResourceScope),
            quote!(#rt::Scope::Namespaced),
        )
    };
    let storage = k.storage;
    let deprecation = if k.deprecated {
        let w = k
            .deprecation_warning
            .clone()
            .unwrap_or_else(|| format!("{api_version} {kind} is deprecated"));
        quote!(::std::option::Option::Some(#w))
    } else {
        quote!(::std::option::Option::None)
    };
    let meta_ty = quote!(#rt::k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta);
    let derives = k.derives.iter().filter_map(|lit| {
        let p: syn::Path = errors.handle(lit.parse())?;
        Some(quote!(#p,))
    });
    let derives: Vec<TokenStream> = derives.collect();
    let summary = format!(
        " `{kind}` ({api_version}, {}): the object whose spec is [`{spec}`]; generated by `#[derive(CrdSchema)]`.",
        if cluster {
            "cluster-scoped"
        } else {
            "namespaced"
        }
    );
    let doc_attr = match &doc {
        Some(_) => {
            let lines = s.attrs.iter().filter(|a| a.path().is_ident("doc"));
            quote!(#(#lines)* #[doc = ""] #[doc = #summary])
        }
        None => quote!(#[doc = #summary]),
    };
    let status_field = status_ty.as_ref().map(|t| {
        quote! {
            /// The observed state (the `status` subresource).
            #[serde(default, skip_serializing_if = "::std::option::Option::is_none")]
            pub status: ::std::option::Option<#t>,
        }
    });
    let status_init = status_ty
        .as_ref()
        .map(|_| quote!(status: ::std::option::Option::None,));
    let status_ser = status_ty.as_ref().map(|_| {
        quote! {
            if let ::std::option::Option::Some(value) = &self.status {
                map.serialize_entry("status", value)?;
            }
        }
    });
    let status_prop = status_ty.as_ref().map(|t| {
        quote! {
            props.insert(
                ::std::string::String::from("status"),
                __d::Value::Object(<#t as #rt::CrdSchema>::schema()),
            );
        }
    });
    let status_impls = status_ty.as_ref().map(|t| {
        quote! {
            #[automatically_derived]
            impl #rt::HasStatusSubresource for #kind_ident {}
            #[automatically_derived]
            impl #rt::kube::core::object::HasStatus for #kind_ident {
                type Status = #t;
                fn status(&self) -> ::std::option::Option<&Self::Status> {
                    self.status.as_ref()
                }
                fn status_mut(&mut self) -> &mut ::std::option::Option<Self::Status> {
                    &mut self.status
                }
            }
        }
    });
    let scale_impl = k.scale.as_ref().map(|scale| {
        let get = |key: &str| {
            scale
                .get(key)
                .and_then(serde_json::Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        let spec_path = get("specReplicasPath");
        let status_path = get("statusReplicasPath");
        let selector = opt_str(
            scale
                .get("labelSelectorPath")
                .and_then(serde_json::Value::as_str),
        );
        quote! {
            #[automatically_derived]
            impl #rt::HasScaleSubresource for #kind_ident {
                const SPEC_REPLICAS_PATH: &'static str = #spec_path;
                const STATUS_REPLICAS_PATH: &'static str = #status_path;
                const LABEL_SELECTOR_PATH: ::std::option::Option<&'static str> = #selector;
            }
        }
    });
    // What the markers say, readable generically (`CustomResource::subresources`).
    let subresources_fn = match (status_ty.is_some(), k.scale.is_some()) {
        (false, false) => None,
        (true, false) => Some(quote!(status)),
        (false, true) => Some(quote!(scale)),
        (true, true) => Some(quote!(status_and_scale)),
    }
    .map(|ctor| {
        quote! {
            fn subresources() -> #rt::Subresources {
                #rt::Subresources::#ctor::<Self>()
            }
        }
    });
    let spec_desc = opt_str(doc.as_deref());
    quote! {
        #spec_impl

        #doc_attr
        #[derive(::std::clone::Clone, ::std::fmt::Debug, #(#derives)* #rt::serde::Deserialize)]
        #[serde(crate = "::crdgen_runtime::serde")]
        #vis struct #kind_ident {
            /// Standard object metadata.
            #[serde(default)]
            pub metadata: #meta_ty,
            /// The desired state.
            pub spec: #spec,
            #status_field
        }

        #[automatically_derived]
        impl #kind_ident {
            /// An object with this name and spec.
            #[allow(dead_code)]
            pub fn new(name: &str, spec: #spec) -> Self {
                Self {
                    metadata: #meta_ty {
                        name: ::std::option::Option::Some(::std::string::String::from(name)),
                        ..::std::default::Default::default()
                    },
                    spec,
                    #status_init
                }
            }

            #crd_fn
        }

        #[automatically_derived]
        impl #rt::serde::Serialize for #kind_ident {
            fn serialize<S: #rt::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                use #rt::serde::ser::SerializeMap as _;
                let mut map = serializer.serialize_map(::std::option::Option::None)?;
                map.serialize_entry("apiVersion", #api_version)?;
                map.serialize_entry("kind", #kind)?;
                map.serialize_entry("metadata", &self.metadata)?;
                map.serialize_entry("spec", &self.spec)?;
                #status_ser
                map.end()
            }
        }

        #[automatically_derived]
        impl #rt::kube::Resource for #kind_ident {
            type DynamicType = ();
            type Scope = #scope_ty;
            fn kind(_: &()) -> ::std::borrow::Cow<'_, str> {
                ::std::borrow::Cow::Borrowed(#kind)
            }
            fn group(_: &()) -> ::std::borrow::Cow<'_, str> {
                ::std::borrow::Cow::Borrowed(#group)
            }
            fn version(_: &()) -> ::std::borrow::Cow<'_, str> {
                ::std::borrow::Cow::Borrowed(#version)
            }
            fn api_version(_: &()) -> ::std::borrow::Cow<'_, str> {
                ::std::borrow::Cow::Borrowed(#api_version)
            }
            fn plural(_: &()) -> ::std::borrow::Cow<'_, str> {
                ::std::borrow::Cow::Borrowed(#plural)
            }
            fn meta(&self) -> &#meta_ty {
                &self.metadata
            }
            fn meta_mut(&mut self) -> &mut #meta_ty {
                &mut self.metadata
            }
        }

        #[automatically_derived]
        impl #rt::CustomResource for #kind_ident {
            const GROUP: &'static str = #group;
            const VERSION: &'static str = #version;
            const API_VERSION: &'static str = #api_version;
            const KIND: &'static str = #kind;
            const LIST_KIND: &'static str = #list_kind;
            const PLURAL: &'static str = #plural;
            const SINGULAR: &'static str = #singular;
            const SHORT_NAMES: &'static [&'static str] = &[#(#short_names),*];
            const CATEGORIES: &'static [&'static str] = &[#(#categories),*];
            const SCOPE: #rt::Scope = #scope_val;
            const STORAGE: bool = #storage;
            const DEPRECATION: ::std::option::Option<&'static str> = #deprecation;
            #subresources_fn
        }

        #[automatically_derived]
        impl #rt::kube::core::object::HasSpec for #kind_ident {
            type Spec = #spec;
            fn spec(&self) -> &Self::Spec {
                &self.spec
            }
            fn spec_mut(&mut self) -> &mut Self::Spec {
                &mut self.spec
            }
        }

        #status_impls
        #scale_impl

        #[automatically_derived]
        impl #rt::CrdSchema for #kind_ident {
            fn schema() -> #rt::serde_json::Map<::std::string::String, #rt::serde_json::Value> {
                use #rt::crd_schema::__derive as __d;
                let mut props = __d::Map::new();
                props.insert(
                    ::std::string::String::from("spec"),
                    __d::Value::Object(__d::describe(<#spec as #rt::CrdSchema>::schema(), #spec_desc)),
                );
                #status_prop
                __d::root(
                    #standard,
                    #overlay,
                    #spec_desc,
                    props,
                    ::std::vec![__d::Value::from("spec")],
                    false,
                )
            }
        }
    }
}

/// A type with every token's span set to `span` (so rustc's errors about it point at
/// the attribute that named it).
fn respan_type(ty: syn::Type, span: Span) -> syn::Type {
    let tokens: TokenStream = quote!(#ty)
        .into_iter()
        .map(|mut t| {
            respan_tree(&mut t, span);
            t
        })
        .collect();
    syn::parse2(tokens).unwrap_or(ty)
}

fn respan_tree(t: &mut proc_macro2::TokenTree, span: Span) {
    match t {
        proc_macro2::TokenTree::Group(g) => {
            let inner: TokenStream = g
                .stream()
                .into_iter()
                .map(|mut t| {
                    respan_tree(&mut t, span);
                    t
                })
                .collect();
            let mut ng = proc_macro2::Group::new(g.delimiter(), inner);
            ng.set_span(span);
            *g = ng;
        }
        other => other.set_span(span),
    }
}
