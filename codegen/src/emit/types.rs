//! Structs and enums of a type space.

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};
use serde_json::Value;

use super::annotate::{Owner, SpaceAnnotations};
use super::docs::doc_attrs;
use super::text::Tree;
use super::{Paths, allow_complexity, field_type_tokens, ident};
use crate::ir::{EnumDef, Field, Presence, StructDef, TypeBody, TypeDef, TypeRef, TypeSpace};

/// Every named type of the space, in definition order.
pub fn emit_types(paths: &Paths, space: &TypeSpace) -> TokenStream {
    emit_types_with(paths, space, None)
}

/// Every named type of the space; with annotations, each type derives
/// `CrdSchema` and its fields carry `#[crdgen(...)]`.
pub(crate) fn emit_types_with(
    paths: &Paths,
    space: &TypeSpace,
    ann: Option<&SpaceAnnotations>,
) -> TokenStream {
    let items = space.types.iter().enumerate().map(|(i, t)| match &t.body {
        TypeBody::Struct(s) => emit_struct(paths, space, t, s, ann.map(|a| (a, i))),
        TypeBody::Enum(e) => emit_enum(paths, t, e, ann.is_some()),
    });
    quote! { #(#items)* }
}

/// The named types `range` of the space (a part of [`emit_types`]).
pub fn emit_type_range(
    paths: &Paths,
    space: &TypeSpace,
    range: std::ops::Range<usize>,
) -> TokenStream {
    let items = space.types[range].iter().map(|t| match &t.body {
        TypeBody::Struct(s) => emit_struct(paths, space, t, s, None),
        TypeBody::Enum(e) => emit_enum(paths, t, e, false),
    });
    quote! { #(#items)* }
}

/// `CrdSchema` in the derive list of annotated output.
pub(crate) fn schema_derive(paths: &Paths, annotated: bool) -> Option<TokenStream> {
    let r = &paths.runtime;
    annotated.then(|| quote!(, #r::CrdSchema))
}

fn type_doc(t: &TypeDef, annotated: bool) -> TokenStream {
    match t.doc.as_deref() {
        Some(d) if !d.trim().is_empty() => doc_attrs(Some(d)),
        // Annotated output reads docs back as descriptions: no made-up text there.
        _ if annotated => TokenStream::new(),
        _ => {
            let line = placeholder_doc(t);
            quote!(#[doc = #line])
        }
    }
}

/// The doc line of a type whose schema has no description.
pub(crate) fn placeholder_doc(t: &TypeDef) -> String {
    format!(
        " `{}` (generated from the schema).",
        t.origin.escape_debug()
    )
}

fn emit_struct(
    paths: &Paths,
    space: &TypeSpace,
    t: &TypeDef,
    s: &StructDef,
    ann: Option<(&SpaceAnnotations, usize)>,
) -> TokenStream {
    let name = ident(&t.name.0);
    let serde = paths.serde();
    let serde_crate = paths.serde_crate_attr();
    let doc = type_doc(t, ann.is_some());
    let default_derive = t.has_default.then(|| quote!(::std::default::Default,));
    let schema_derive = schema_derive(paths, ann.is_some());
    let field_ann = ann.map(|(a, i)| (a, Owner::Type(i)));
    let (fields, default_fns) = emit_fields(paths, space, &t.name.0, &s.fields, field_ann);
    let extra = s.preserve_unknown.then(|| {
        let f = extra_field_ident(&s.fields);
        let j = paths.serde_json();
        quote! {
            /// Fields the schema does not list, kept because it preserves unknown fields.
            #[serde(flatten)]
            pub #f: ::std::collections::BTreeMap<::std::string::String, #j::Value>,
        }
    });
    let impl_defaults = (!default_fns.is_empty()).then(|| {
        quote! {
            impl #name {
                #(#default_fns)*
            }
        }
    });
    quote! {
        #doc
        #[derive(::std::clone::Clone, ::std::fmt::Debug, ::std::cmp::PartialEq, #default_derive #serde::Serialize, #serde::Deserialize #schema_derive)]
        #serde_crate
        pub struct #name {
            #(#fields)*
            #extra
        }
        #impl_defaults
    }
}

/// The name of the flattened map that keeps unknown fields, unique among the fields.
pub(crate) fn extra_field_ident(fields: &[Field]) -> syn::Ident {
    let mut name = "extra_fields".to_owned();
    while fields.iter().any(|f| f.rust_name.unraw() == name) {
        name.push('_');
    }
    ident(&name)
}

/// Field declarations and the default functions serde calls, for a struct or a root kind.
pub(crate) fn emit_fields(
    paths: &Paths,
    space: &TypeSpace,
    owner: &str,
    fields: &[Field],
    ann: Option<(&SpaceAnnotations, Owner)>,
) -> (Vec<TokenStream>, Vec<TokenStream>) {
    let mut decls = Vec::new();
    let mut default_fns = Vec::new();
    for f in fields {
        let fname = ident(&f.rust_name.0);
        let ty = field_type_tokens(paths, space, &f.ty, f.presence);
        let doc = doc_attrs(f.doc.as_deref());
        let allow = allow_complexity(&f.ty, f.presence);
        let mut serde_args: Vec<TokenStream> = Vec::new();
        if f.rust_name.unraw() != f.wire_name {
            let wire = &f.wire_name;
            serde_args.push(quote!(rename = #wire));
        }
        match &f.default {
            Some(json) => {
                let fn_name = format_ident!("__default_{}", f.rust_name.unraw());
                let fn_path = format!("{owner}::{fn_name}");
                serde_args.push(quote!(default = #fn_path));
                let value = default_value(paths, space, f, json, owner).tokens();
                default_fns.push(quote! {
                    #allow
                    fn #fn_name() -> #ty {
                        #value
                    }
                });
            }
            None if matches!(f.presence, Presence::Optional | Presence::OptionalNullable) => {
                serde_args.push(quote!(default));
            }
            None => {}
        }
        match f.presence {
            Presence::Optional => serde_args.push(quote!(
                skip_serializing_if = "::std::option::Option::is_none"
            )),
            Presence::OptionalNullable => {
                let with = format!("{}::__private::double_option", quote_path(&paths.runtime));
                serde_args.push(quote!(
                    skip_serializing_if = "::std::option::Option::is_none"
                ));
                serde_args.push(quote!(with = #with));
            }
            _ => {}
        }
        let serde_attr = (!serde_args.is_empty()).then(|| quote!(#[serde(#(#serde_args),*)]));
        let crdgen_attr = ann.and_then(|(a, o)| a.field(o, f));
        decls.push(quote! {
            #doc
            #serde_attr
            #crdgen_attr
            #allow
            pub #fname: #ty,
        });
    }
    (decls, default_fns)
}

pub(crate) fn quote_path(path: &syn::Path) -> String {
    quote!(#path).to_string().replace(' ', "")
}

/// The value a field's default function returns (wrapped in `Some` as its presence
/// needs), for a schema default that the type pass already checked.
pub(crate) fn default_value(
    paths: &Paths,
    space: &TypeSpace,
    f: &Field,
    json: &str,
    owner: &str,
) -> Tree {
    let value = default_expr(
        paths,
        space,
        &f.ty,
        json,
        &format!("{owner}.{}", f.wire_name),
    );
    let some = |v| Tree::call("::std::option::Option::Some", vec![v]);
    match f.presence {
        Presence::Required => value,
        Presence::RequiredNullable | Presence::Optional => some(value),
        Presence::OptionalNullable => some(some(value)),
    }
}

/// A Rust expression for a schema default.
fn default_expr(paths: &Paths, space: &TypeSpace, ty: &TypeRef, json: &str, field: &str) -> Tree {
    let value: Value =
        serde_json::from_str(json).expect("the type pass stores defaults as valid JSON");
    let lit = |l: Literal| Tree::Atom(l.to_string());
    let string = |s: &str| Tree::call("::std::string::String::from", vec![lit(Literal::string(s))]);
    let i32_lit = |n: &serde_json::Number| {
        lit(Literal::i32_unsuffixed(
            n.as_i64()
                .and_then(|v| i32::try_from(v).ok())
                .unwrap_or_default(),
        ))
    };
    let runtime = quote_path(&paths.runtime);
    let int_or_string = |variant: &str| {
        format!("{runtime}::k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::{variant}")
    };
    match (ty, &value) {
        (TypeRef::Bool, Value::Bool(b)) => Tree::Atom(b.to_string()),
        (TypeRef::I32, Value::Number(n)) if n.as_i64().is_some() => i32_lit(n),
        (TypeRef::I64, Value::Number(n)) if n.as_i64().is_some() => {
            lit(Literal::i64_unsuffixed(n.as_i64().unwrap_or_default()))
        }
        (TypeRef::F64, Value::Number(n)) if n.as_f64().is_some() => {
            lit(Literal::f64_suffixed(n.as_f64().unwrap_or_default()))
        }
        (TypeRef::String, Value::String(s)) => string(s),
        (TypeRef::IntOrString, Value::String(s)) => {
            Tree::call(&int_or_string("String"), vec![string(s)])
        }
        (TypeRef::IntOrString, Value::Number(n)) if n.as_i64().is_some() => {
            Tree::call(&int_or_string("Int"), vec![i32_lit(n)])
        }
        (TypeRef::Named(id), Value::String(s))
            if matches!(space.types[id.0].body, TypeBody::Enum(_)) =>
        {
            let t = &space.types[id.0];
            let TypeBody::Enum(e) = &t.body else {
                unreachable!("checked by the match guard")
            };
            let name = &t.name.0;
            match e.variants.iter().find(|v| &v.wire == s) {
                Some(v) => Tree::Atom(format!("{name}::{}", v.rust_name.0)),
                None => Tree::call(&format!("{name}::{}", e.other.0), vec![string(s)]),
            }
        }
        _ => Tree::call(
            &format!("{runtime}::__private::schema_default"),
            vec![lit(Literal::string(json)), lit(Literal::string(field))],
        ),
    }
}

fn emit_enum(paths: &Paths, t: &TypeDef, e: &EnumDef, annotated: bool) -> TokenStream {
    let name = ident(&t.name.0);
    let serde = paths.serde();
    let serde_crate = paths.serde_crate_attr();
    let doc = type_doc(t, annotated);
    let schema_derive = schema_derive(paths, annotated);
    let default_derive = e
        .default
        .is_some()
        .then(|| quote!(::std::default::Default,));
    let variants = e.variants.iter().enumerate().map(|(i, v)| {
        let var = ident(&v.rust_name.0);
        let wire = &v.wire;
        let doc = variant_doc(wire);
        let default_attr = (e.default == Some(i)).then(|| quote!(#[default]));
        quote! {
            #[doc = #doc]
            #[serde(rename = #wire)]
            #default_attr
            #var,
        }
    });
    let other = ident(&e.other.0);
    let impls = emit_enum_impls(t, e);
    quote! {
        #doc
        #[derive(::std::clone::Clone, ::std::fmt::Debug, ::std::cmp::PartialEq, ::std::cmp::Eq, ::std::hash::Hash, ::std::cmp::PartialOrd, ::std::cmp::Ord, #default_derive #serde::Serialize, #serde::Deserialize #schema_derive)]
        #serde_crate
        pub enum #name {
            #(#variants)*
            /// A value the schema does not list (for example, from a newer server); kept as written.
            #[serde(untagged)]
            #other(::std::string::String),
        }

        #impls
    }
}

/// The doc line of an enum variant: its wire value.
pub(crate) fn variant_doc(wire: &str) -> String {
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

/// An enum's `as_str` and `Display` impls.
pub(crate) fn emit_enum_impls(t: &TypeDef, e: &EnumDef) -> TokenStream {
    let name = ident(&t.name.0);
    let arms = e.variants.iter().map(|v| {
        let var = ident(&v.rust_name.0);
        let wire = &v.wire;
        quote!(#name::#var => #wire,)
    });
    let other = ident(&e.other.0);
    quote! {
        impl #name {
            /// The value as written on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    #(#arms)*
                    #name::#other(value) => value,
                }
            }
        }

        impl ::std::fmt::Display for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    }
}
