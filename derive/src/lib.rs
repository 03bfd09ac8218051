//! Derive macros for crdgen (annotated structs → CRD manifests and clients).
//!
//! ## `#[derive(CrdSchema)]`
//!
//! Declares the `#[crdgen(...)]` attributes on a struct or enum and its fields. The
//! attributes are read by `crdgen crd` (the CLI), which turns annotated Rust source
//! into CustomResourceDefinition manifests; `crdgen generate --annotated` writes them.
//! The derive itself expands to nothing yet (the schema is produced by the CLI, not at
//! compile time), so annotated code compiles with no extra cost.
//!
//! On a root kind:
//!
//! ```text
//! #[crdgen(group = "example.com", version = "v1", kind = "Widget", plural = "widgets",
//!          scope = "Namespaced", storage, status, shortname = "wd", category = "all",
//!          scale(spec_replicas_path = ".spec.replicas", status_replicas_path = ".status.replicas"),
//!          printcolumn(name = "Age", type = "date", json_path = ".metadata.creationTimestamp"),
//!          selectable_field = ".spec.color")]
//! ```
//!
//! On a field (schema keywords the Rust type does not express):
//!
//! ```text
//! #[crdgen(minimum = 0, maximum = 10, pattern = "^a$", max_items = 3, list_type = "map",
//!          list_map_keys("name"), validation(rule = "self.x > 0", message = "x"),
//!          default = r#"{"a":1}"#, items(max_length = 63), omit("format"))]
//! ```
//!
//! The full grammar is in the crdgen crate (`crdgen::rust_input`).

use proc_macro::TokenStream;

/// Declares `#[crdgen(...)]` (see the crate docs); expands to nothing.
#[proc_macro_derive(CrdSchema, attributes(crdgen))]
pub fn crd_schema(_input: TokenStream) -> TokenStream {
    TokenStream::new()
}
