//! Root kinds: the object struct, its wire form (with `apiVersion` and `kind`), and
//! the `kube::Resource` / `crdgen_runtime::CustomResource` impls.

use proc_macro2::TokenStream;
use quote::quote;

use super::annotate::{Owner, SpaceAnnotations};
use super::docs::doc_lines;
use super::types::{emit_fields, extra_field_ident, schema_derive};
use super::{Paths, field_type_tokens, ident};
use crate::ir::{KindDef, Model, Presence, ResourceModel, Scope, TypeSpace, VersionModel};

/// Every root kind of the space.
pub fn emit_kinds(paths: &Paths, model: &Model, space: &TypeSpace) -> TokenStream {
    emit_kinds_with(paths, model, space, None)
}

/// Every root kind of the space; with annotations, each kind derives `CrdSchema` and
/// carries its resource attributes and its fields' `#[crdgen(...)]`.
pub(crate) fn emit_kinds_with(
    paths: &Paths,
    model: &Model,
    space: &TypeSpace,
    ann: Option<&SpaceAnnotations>,
) -> TokenStream {
    let items = space
        .kinds
        .iter()
        .enumerate()
        .map(|(i, k)| emit_kind(paths, model, space, k, ann.map(|a| (a, i))));
    quote! { #(#items)* }
}

pub(crate) fn emit_kind(
    paths: &Paths,
    model: &Model,
    space: &TypeSpace,
    k: &KindDef,
    ann: Option<(&SpaceAnnotations, usize)>,
) -> TokenStream {
    let res = &model.resources[k.resource];
    let ver = &res.versions[k.version];
    let name = ident(&k.name.0);
    let serde = paths.serde();
    let serde_crate = paths.serde_crate_attr();
    let kube = paths.kube();
    let runtime = &paths.runtime;
    let meta_ty = paths.well_known(crate::ir::WellKnown::ObjectMeta);

    let api_version = api_version(res, ver);
    let doc_lines = kind_doc_lines(model, k);
    let doc = quote! { #( #[doc = #doc_lines] )* };

    let default_derive = k.has_default.then(|| quote!(::std::default::Default,));
    let field_ann = ann.map(|(a, i)| (a, Owner::Kind(i)));
    let (fields, default_fns) = emit_fields(paths, space, &k.name.0, &k.fields, field_ann);
    let schema_derive = schema_derive(paths, ann.is_some());
    let kind_attr = ann.and_then(|(a, i)| a.kinds.get(&i));
    let extra_ident = extra_field_ident(&k.fields);
    let extra = k.preserve_unknown.then(|| {
        let j = paths.serde_json();
        quote! {
            /// Top-level fields the schema does not list, kept because it preserves unknown fields.
            #[serde(flatten)]
            pub #extra_ident: ::std::collections::BTreeMap<::std::string::String, #j::Value>,
        }
    });
    let impl_defaults = (!default_fns.is_empty()).then(|| quote!(impl #name { #(#default_fns)* }));

    // The wire form: apiVersion and kind first, then the fields as serde would write them.
    let ser_fields = k.fields.iter().map(|f| {
        let fname = ident(&f.rust_name.0);
        let wire = &f.wire_name;
        match f.presence {
            Presence::Required | Presence::RequiredNullable => {
                quote!(map.serialize_entry(#wire, &self.#fname)?;)
            }
            Presence::Optional | Presence::OptionalNullable => quote! {
                if let ::std::option::Option::Some(value) = &self.#fname {
                    map.serialize_entry(#wire, value)?;
                }
            },
        }
    });
    let ser_extra = k.preserve_unknown.then(|| {
        let known =
            k.fields
                .iter()
                .map(|f| f.wire_name.as_str())
                .chain(["apiVersion", "kind", "metadata"]);
        quote! {
            for (key, value) in &self.#extra_ident {
                if !matches!(key.as_str(), #(#known)|*) {
                    map.serialize_entry(key, value)?;
                }
            }
        }
    });

    let scope_ty = match res.scope {
        Scope::Namespaced => quote!(#kube::core::NamespaceResourceScope),
        Scope::Cluster => quote!(#kube::core::ClusterResourceScope),
    };
    let scope_val = match res.scope {
        Scope::Namespaced => quote!(#runtime::Scope::Namespaced),
        Scope::Cluster => quote!(#runtime::Scope::Cluster),
    };
    let (group, version, kind, plural, singular, list_kind) = (
        &res.group,
        &ver.name,
        &res.kind,
        &res.plural,
        &res.singular,
        &res.list_kind,
    );
    let short_names = &res.short_names;
    let categories = &res.categories;
    let storage = ver.storage;
    let deprecation = match deprecation(res, ver) {
        None => quote!(::std::option::Option::None),
        Some(w) => quote!(::std::option::Option::Some(#w)),
    };

    let status_marker = ver.status_subresource.then(|| {
        quote! {
            #[automatically_derived]
            impl #runtime::HasStatusSubresource for #name {}
        }
    });
    let scale_marker = ver.scale.as_ref().map(|s| {
        let spec = &s.spec_replicas_path;
        let status = &s.status_replicas_path;
        let selector = match &s.label_selector_path {
            Some(p) => quote!(::std::option::Option::Some(#p)),
            None => quote!(::std::option::Option::None),
        };
        quote! {
            #[automatically_derived]
            impl #runtime::HasScaleSubresource for #name {
                const SPEC_REPLICAS_PATH: &'static str = #spec;
                const STATUS_REPLICAS_PATH: &'static str = #status;
                const LABEL_SELECTOR_PATH: ::std::option::Option<&'static str> = #selector;
            }
        }
    });

    // What the markers say, readable generically (`CustomResource::subresources`).
    let subresources_fn =
        subresources_ctor(ver.status_subresource, ver.scale.is_some()).map(|ctor| {
            let ctor = ident(ctor);
            quote! {
                fn subresources() -> #runtime::Subresources {
                    #runtime::Subresources::#ctor::<Self>()
                }
            }
        });

    let spec_field = k.fields.iter().find(|f| f.wire_name == "spec");
    let status_field = k.fields.iter().find(|f| f.wire_name == "status");
    let has_spec = spec_field
        .filter(|f| f.presence == Presence::Required)
        .map(|f| {
            let ty = field_type_tokens(paths, space, &f.ty, Presence::Required);
            let fname = ident(&f.rust_name.0);
            quote! {
                #[automatically_derived]
                impl #kube::core::object::HasSpec for #name {
                    type Spec = #ty;
                    fn spec(&self) -> &Self::Spec { &self.#fname }
                    fn spec_mut(&mut self) -> &mut Self::Spec { &mut self.#fname }
                }
            }
        });
    let has_status = status_field.filter(|f| f.presence == Presence::Optional).map(|f| {
        let ty = field_type_tokens(paths, space, &f.ty, Presence::Required);
        let fname = ident(&f.rust_name.0);
        quote! {
            #[automatically_derived]
            impl #kube::core::object::HasStatus for #name {
                type Status = #ty;
                fn status(&self) -> ::std::option::Option<&Self::Status> { self.#fname.as_ref() }
                fn status_mut(&mut self) -> &mut ::std::option::Option<Self::Status> { &mut self.#fname }
            }
        }
    });

    // `Kind::new(name, spec)` like kube-derive, when the other fields can default.
    let constructor = spec_field.filter(|f| f.presence == Presence::Required).and_then(|spec| {
        let others_default = k.fields.iter().filter(|f| f.wire_name != "spec").all(|f| f.presence != Presence::Required);
        others_default.then(|| {
            let spec_ty = field_type_tokens(paths, space, &spec.ty, Presence::Required);
            let spec_name = ident(&spec.rust_name.0);
            let spec_init = if spec.rust_name.0 == "spec" { quote!(spec,) } else { quote!(#spec_name: spec,) };
            let others = k.fields.iter().filter(|f| f.wire_name != "spec").map(|f| {
                let n = ident(&f.rust_name.0);
                quote!(#n: ::std::option::Option::None,)
            });
            let extra_init = k.preserve_unknown.then(|| quote!(#extra_ident: ::std::collections::BTreeMap::new(),));
            quote! {
                impl #name {
                    /// A new object with the given name and spec; everything else empty.
                    pub fn new(name: &str, spec: #spec_ty) -> Self {
                        Self {
                            metadata: #meta_ty {
                                name: ::std::option::Option::Some(::std::string::String::from(name)),
                                ..::std::default::Default::default()
                            },
                            #spec_init
                            #(#others)*
                            #extra_init
                        }
                    }
                }
            }
        })
    });

    quote! {
        #doc
        #[derive(::std::clone::Clone, ::std::fmt::Debug, ::std::cmp::PartialEq, #default_derive #serde::Deserialize #schema_derive)]
        #serde_crate
        #kind_attr
        pub struct #name {
            /// Standard object metadata.
            #[serde(default)]
            pub metadata: #meta_ty,
            #(#fields)*
            #extra
        }
        #impl_defaults
        #constructor

        #[automatically_derived]
        impl #serde::Serialize for #name {
            fn serialize<S: #serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                use #serde::ser::SerializeMap as _;
                let mut map = serializer.serialize_map(::std::option::Option::None)?;
                map.serialize_entry("apiVersion", #api_version)?;
                map.serialize_entry("kind", #kind)?;
                map.serialize_entry("metadata", &self.metadata)?;
                #(#ser_fields)*
                #ser_extra
                map.end()
            }
        }

        #[automatically_derived]
        impl #kube::Resource for #name {
            type DynamicType = ();
            type Scope = #scope_ty;
            fn kind(_: &()) -> ::std::borrow::Cow<'_, str> { ::std::borrow::Cow::Borrowed(#kind) }
            fn group(_: &()) -> ::std::borrow::Cow<'_, str> { ::std::borrow::Cow::Borrowed(#group) }
            fn version(_: &()) -> ::std::borrow::Cow<'_, str> { ::std::borrow::Cow::Borrowed(#version) }
            fn api_version(_: &()) -> ::std::borrow::Cow<'_, str> { ::std::borrow::Cow::Borrowed(#api_version) }
            fn plural(_: &()) -> ::std::borrow::Cow<'_, str> { ::std::borrow::Cow::Borrowed(#plural) }
            fn meta(&self) -> &#meta_ty { &self.metadata }
            fn meta_mut(&mut self) -> &mut #meta_ty { &mut self.metadata }
        }

        #[automatically_derived]
        impl #runtime::CustomResource for #name {
            const GROUP: &'static str = #group;
            const VERSION: &'static str = #version;
            const API_VERSION: &'static str = #api_version;
            const KIND: &'static str = #kind;
            const LIST_KIND: &'static str = #list_kind;
            const PLURAL: &'static str = #plural;
            const SINGULAR: &'static str = #singular;
            const SHORT_NAMES: &'static [&'static str] = &[#(#short_names),*];
            const CATEGORIES: &'static [&'static str] = &[#(#categories),*];
            const SCOPE: #runtime::Scope = #scope_val;
            const STORAGE: bool = #storage;
            const DEPRECATION: ::std::option::Option<&'static str> = #deprecation;
            #subresources_fn
        }
        #status_marker
        #scale_marker
        #has_spec
        #has_status
    }
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

/// The `crdgen_runtime::Subresources` constructor for a version's markers, if any.
pub(crate) fn subresources_ctor(status: bool, scale: bool) -> Option<&'static str> {
    match (status, scale) {
        (false, false) => None,
        (true, false) => Some("status"),
        (false, true) => Some("scale"),
        (true, true) => Some("status_and_scale"),
    }
}
