//! The schema code of a struct or an enum: its fields' statements, its object node and
//! the `impl` that returns it.

use super::*;

/// Statements adding the named fields to `props`, `required` and `extra`.
pub(super) fn fields_code(
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
pub(super) fn object_code(
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
pub(super) fn struct_schema(s: &syn::ItemStruct, errors: &mut Errors) -> TokenStream {
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
pub(super) fn enum_schema(e: &syn::ItemEnum, errors: &mut Errors) -> TokenStream {
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
pub(super) fn schema_impl(
    name: &syn::Ident,
    generics: &syn::Generics,
    body: TokenStream,
) -> TokenStream {
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
