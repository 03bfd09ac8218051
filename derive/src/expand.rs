//! `#[derive(CrdSchema)]`: parse (with `crdgen::rust_input`, the grammar `crdgen crd`
//! reads), validate, then generate. All errors are collected and returned together.

use crdgen_attrs::{attrs, enums, shape::doc_to_description};
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote};
use syn::spanned::Spanned;

use attrs::{KindAttrs, SerdeAttrs};

mod kind;
mod schema;

use kind::*;
use schema::*;

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
