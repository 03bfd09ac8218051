//! The items of a kind (`#[crdgen(kind = ...)]`): checks of its attributes, then its
//! schema and `crd()`, and in the spec form the kind struct with its impls
//! (`Resource`, `CustomResource`, `HasSpec`, subresources); spans moved onto user code.

use super::*;

/// Checks the CLI does not make (it reads manifests as they are) but a hand-written
/// kind deserves.
pub(super) fn validate_kind(
    s: &syn::ItemStruct,
    k: &KindAttrs,
    spec_form: bool,
    errors: &mut Errors,
) {
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
pub(super) fn kind_items(s: &syn::ItemStruct, k: &KindAttrs, errors: &mut Errors) -> TokenStream {
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
    let crd_ty = quote!(#rt::k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition);
    let crd_fn = quote! {
        /// The CustomResourceDefinition of this version of the kind (join versions
        /// with `crdgen_runtime::crd_schema::merge_crds`).
        #[allow(dead_code)]
        pub fn crd() -> #crd_ty {
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

            #[automatically_derived]
            impl #i #rt::schema::HasCrd for #name #t #w {
                fn crd() -> #crd_ty {
                    Self::crd()
                }
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
        impl #rt::schema::HasCrd for #kind_ident {
            fn crd() -> #crd_ty {
                Self::crd()
            }
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
pub(super) fn respan_type(ty: syn::Type, span: Span) -> syn::Type {
    let tokens: TokenStream = quote!(#ty)
        .into_iter()
        .map(|mut t| {
            respan_tree(&mut t, span);
            t
        })
        .collect();
    syn::parse2(tokens).unwrap_or(ty)
}

pub(super) fn respan_tree(t: &mut proc_macro2::TokenTree, span: Span) {
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
