//! `include_crds!`: crdgen's output for CRD YAML, expanded in place at compile time.
//!
//! ```ignore
//! mod crds {
//!     crdgen_macros::include_crds!("crds/");            // a file or a folder
//! }
//! use crds::example_com::v1::{Widget, WidgetSpec};
//! ```
//!
//! The path is relative to the crate's `Cargo.toml` (`CARGO_MANIFEST_DIR`). The
//! expansion is what `crdgen generate` writes (types, `Resource` impls, the clientset,
//! informers, `add_to_scheme`) and depends on `crdgen-runtime` and `k8s-openapi` like
//! any generated code; every input file is `include_bytes!`-ed, so editing a CRD
//! rebuilds the crate. Errors (a missing file, an invalid CRD) are compile errors at
//! the path literal. For large CRD sets prefer a `build.rs` (`crdgen::Builder`),
//! which writes the output once instead of at every build.

use std::path::PathBuf;

use proc_macro::TokenStream;
use quote::quote;

/// Generate crdgen's Rust for the CRDs at a path (file or folder, relative to the
/// crate's `Cargo.toml`) in place.
#[proc_macro]
pub fn include_crds(input: TokenStream) -> TokenStream {
    let lit = syn::parse_macro_input!(input as syn::LitStr);
    expand(&lit)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

fn expand(lit: &syn::LitStr) -> syn::Result<proc_macro2::TokenStream> {
    let err = |msg: String| syn::Error::new(lit.span(), msg);
    let base = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .ok_or_else(|| err("CARGO_MANIFEST_DIR is not set (is this built by cargo?)".into()))?;
    let path = base.join(lit.value());
    if !path.exists() {
        // The path as written (the absolute one depends on where the crate is built).
        return Err(err(format!(
            "`{}` does not exist (the path is relative to the directory of this crate's Cargo.toml)",
            lit.value()
        )));
    }
    // crdgen builds its output with proc-macro2, also on worker threads, where the
    // compiler's token API is not available: run it on a thread of its own with
    // proc-macro2's fallback forced (proc-macro2 caches the choice process-wide), bring
    // back text only, and switch back on this thread (which detects the compiler again).
    let input = path.clone();
    proc_macro2::fallback::force();
    let generated = std::thread::spawn(move || {
        let settings = crdgen::Settings::default();
        let out = crdgen::generate(&[crdgen::Source::Path(input)], &settings)
            .map_err(|e| e.to_string())?;
        let text = out.single_file().map_err(|e| e.to_string())?;
        Ok::<_, String>((text, out.files.clone()))
    })
    .join();
    proc_macro2::fallback::unforce();
    let generated = generated.map_err(|_| err("crdgen panicked".into()))?;
    let (text, mut files) = generated.map_err(err)?;
    let tokens: proc_macro2::TokenStream = text
        .parse()
        .map_err(|e| err(format!("crdgen wrote code that does not lex: {e}")))?;
    if files.is_empty() && path.is_file() {
        files.push(path);
    }
    let tracked = files.iter().filter_map(|f| f.to_str()).map(|f| {
        quote! { const _: &[u8] = ::std::include_bytes!(#f); }
    });
    Ok(quote! {
        #tokens
        #(#tracked)*
    })
}
