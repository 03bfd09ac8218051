//! What kube-apiserver checks when a `CustomResourceDefinition` (apiextensions.k8s.io/v1)
//! is created, with its wording: one implementation for `crdgen generate` (which warns)
//! and for crdgen-runtime's in-memory API server (which refuses with the server's
//! `422 Invalid` Status).
//!
//! The checks follow k8s.io/apiextensions-apiserver's `ValidateCustomResourceDefinition`
//! (pkg/apis/apiextensions/validation/validation.go) and the structural-schema checks
//! (pkg/apiserver/schema/validation.go, complete.go) on the CRD as JSON, after the
//! server's v1 defaulting and its conversion to the internal version (so a schema that
//! every version shares is reported under `spec.validation`, as the server does).
//! Not covered: CEL compilation and cost, defaults validated against their schema,
//! list-map key defaults, selectable-field paths and regular-expression syntax.
//!
//! ```
//! let crd = serde_json::json!({
//!     "apiVersion": "apiextensions.k8s.io/v1",
//!     "kind": "CustomResourceDefinition",
//!     "metadata": {"name": "foos.samplecontroller.k8s.io"},
//!     "spec": {
//!         "group": "samplecontroller.k8s.io",
//!         "scope": "Namespaced",
//!         "names": {"plural": "foos", "kind": "Foo"},
//!         "versions": [{"name": "v1alpha1", "served": true, "storage": true,
//!             "schema": {"openAPIV3Schema": {"type": "object"}}}],
//!     },
//! });
//! let errors = crdgen_apiext::validate(&crd);
//! assert_eq!(
//!     errors[0].to_string(),
//!     "metadata.annotations[api-approved.kubernetes.io]: Required value: protected groups must have \
//!      approval annotation \"api-approved.kubernetes.io\", see https://github.com/kubernetes/enhancements/pull/1111"
//! );
//! ```

mod crd;
mod doc;
mod field;
mod names;
mod schema;
mod unknown;

pub use crd::validate;
pub use doc::Doc;
pub use field::{
    BadValue, ErrorType, FieldError, go_float, go_number, go_quote, invalid_message,
    invalid_status, kubectl_message,
};
pub use unknown::unknown_fields;
