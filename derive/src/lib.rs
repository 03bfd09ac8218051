//! Derive macros for crdgen: CustomResourceDefinitions and typed kinds from Rust structs.
//!
//! DOCS_PLACEHOLDER

mod expand;

use proc_macro::TokenStream;

/// Derive `crdgen_runtime::CrdSchema` (and, on a kind, `crd()` and the kind itself);
/// see the crate docs for the attributes.
#[proc_macro_derive(CrdSchema, attributes(crdgen))]
pub fn crd_schema(input: TokenStream) -> TokenStream {
    let item = syn::parse_macro_input!(input as syn::Item);
    expand::expand(&item)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}
