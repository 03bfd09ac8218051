//! Emitters: read the model and type spaces, produce tokens. No parsing here.

pub(crate) mod annotate;
pub mod clients;
pub mod crd;
pub mod docs;
pub mod kinds;
pub mod text;
pub mod types;
pub mod yaml;

use proc_macro2::TokenStream;
use quote::quote;

use crate::ir::{Presence, TypeRef, TypeSpace, WellKnown};

/// Paths generated code uses to reach its dependencies. Every path is absolute, so
/// nothing a user imports can shadow them.
#[derive(Debug, Clone)]
pub struct Paths {
    /// The runtime crate (default `::crdgen_runtime`); kube, k8s-openapi, serde and
    /// serde_json are reached through its re-exports.
    pub runtime: syn::Path,
}

impl Default for Paths {
    fn default() -> Self {
        Paths {
            runtime: syn::parse_quote!(::crdgen_runtime),
        }
    }
}

impl Paths {
    pub(crate) fn serde(&self) -> TokenStream {
        let r = &self.runtime;
        quote!(#r::serde)
    }
    pub(crate) fn serde_json(&self) -> TokenStream {
        let r = &self.runtime;
        quote!(#r::serde_json)
    }
    pub(crate) fn kube(&self) -> TokenStream {
        let r = &self.runtime;
        quote!(#r::kube)
    }
    pub(crate) fn k8s(&self) -> TokenStream {
        let r = &self.runtime;
        quote!(#r::k8s_openapi)
    }
    /// The `crate = "..."` string for serde derives.
    pub(crate) fn serde_crate_attr(&self) -> TokenStream {
        let s = self.serde().to_string().replace(' ', "");
        quote!(#[serde(crate = #s)])
    }
    pub(crate) fn well_known(&self, wk: WellKnown) -> TokenStream {
        let k = self.k8s();
        let path: TokenStream = well_known_path(wk)
            .parse()
            .expect("a well-known type's path is a Rust path");
        quote!(#k::#path)
    }
}

/// The path of a well-known type below k8s-openapi's root.
pub(crate) fn well_known_path(wk: WellKnown) -> &'static str {
    match wk {
        WellKnown::ObjectMeta => "apimachinery::pkg::apis::meta::v1::ObjectMeta",
        WellKnown::LabelSelector => "apimachinery::pkg::apis::meta::v1::LabelSelector",
        WellKnown::LabelSelectorRequirement => {
            "apimachinery::pkg::apis::meta::v1::LabelSelectorRequirement"
        }
        WellKnown::OwnerReference => "apimachinery::pkg::apis::meta::v1::OwnerReference",
        WellKnown::ObjectReference => "api::core::v1::ObjectReference",
        WellKnown::LocalObjectReference => "api::core::v1::LocalObjectReference",
        WellKnown::SecretKeySelector => "api::core::v1::SecretKeySelector",
        WellKnown::ConfigMapKeySelector => "api::core::v1::ConfigMapKeySelector",
        WellKnown::TypedLocalObjectReference => "api::core::v1::TypedLocalObjectReference",
    }
}

/// The Rust type of a [`TypeRef`] inside `space`'s module.
pub(crate) fn type_tokens(paths: &Paths, space: &TypeSpace, ty: &TypeRef) -> TokenStream {
    match ty {
        TypeRef::Bool => quote!(bool),
        TypeRef::I32 => quote!(i32),
        TypeRef::I64 => quote!(i64),
        TypeRef::F64 => quote!(f64),
        TypeRef::String => quote!(::std::string::String),
        TypeRef::IntOrString => {
            let k = paths.k8s();
            quote!(#k::apimachinery::pkg::util::intstr::IntOrString)
        }
        TypeRef::Json => {
            let j = paths.serde_json();
            quote!(#j::Value)
        }
        TypeRef::JsonObject => {
            let j = paths.serde_json();
            quote!(::std::collections::BTreeMap<::std::string::String, #j::Value>)
        }
        TypeRef::List(item) => {
            let t = type_tokens(paths, space, item);
            quote!(::std::vec::Vec<#t>)
        }
        TypeRef::Map(value) => {
            let t = type_tokens(paths, space, value);
            quote!(::std::collections::BTreeMap<::std::string::String, #t>)
        }
        TypeRef::Named(id) => {
            let name = ident(&space.types[id.0].name.0);
            quote!(#name)
        }
        TypeRef::WellKnown(wk) => paths.well_known(*wk),
    }
}

/// The field's type after wrapping for presence.
pub(crate) fn field_type_tokens(
    paths: &Paths,
    space: &TypeSpace,
    ty: &TypeRef,
    presence: Presence,
) -> TokenStream {
    let t = type_tokens(paths, space, ty);
    match presence {
        Presence::Required => t,
        Presence::RequiredNullable | Presence::Optional => quote!(::std::option::Option<#t>),
        Presence::OptionalNullable => quote!(::std::option::Option<::std::option::Option<#t>>),
    }
}

/// Clippy's `type_complexity` score of a field's type (its default threshold is 250):
/// every named type scores 10 times its nesting depth.
pub(crate) fn type_complexity(ty: &TypeRef, presence: Presence) -> usize {
    fn score(ty: &TypeRef, nest: usize) -> usize {
        10 * nest
            + match ty {
                TypeRef::List(item) => score(item, nest + 1),
                TypeRef::Map(value) => 10 * (nest + 1) + score(value, nest + 1),
                TypeRef::JsonObject => 20 * (nest + 1),
                _ => 0,
            }
    }
    match presence {
        Presence::Required => score(ty, 1),
        Presence::RequiredNullable | Presence::Optional => 10 + score(ty, 2),
        Presence::OptionalNullable => 30 + score(ty, 3),
    }
}

/// `#[allow(clippy::type_complexity)]` for a field (or its default function) whose
/// type clippy would find too complex: deeply nested lists and maps come from the
/// schema, and an alias per field would only move the complexity.
pub(crate) fn allow_complexity(ty: &TypeRef, presence: Presence) -> Option<TokenStream> {
    (type_complexity(ty, presence) > 250).then(|| quote!(#[allow(clippy::type_complexity)]))
}

/// An identifier token; `r#x` becomes a raw identifier.
pub(crate) fn ident(name: &str) -> syn::Ident {
    match name.strip_prefix("r#") {
        Some(raw) => syn::Ident::new_raw(raw, proc_macro2::Span::call_site()),
        None => syn::Ident::new(name, proc_macro2::Span::call_site()),
    }
}
