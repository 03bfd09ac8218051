//! End-to-end tests of crdgen's generated code: the [`crds::Clientset`] and
//! [`crds::InformerFactory`] generated (by `build.rs`) from `crds/`, talking HTTP to
//! the in-memory API server on 127.0.0.1 — or to a real cluster when
//! `CRDGEN_E2E_KUBECONFIG` names a kubeconfig. The tests are in `tests/e2e/`.
//!
//! What the CRDs declare is enforced at compile time. A kind with the status and
//! scale subresources has their verbs:
//!
//! ```no_run
//! # use crdgen_e2e_tests::crds::{Clientset, e2e_example_com::v1::Widget};
//! # use crdgen_runtime::client::{PostParams, PatchParams, Patch};
//! # async fn f(clientset: Clientset, widget: Widget) -> crdgen_runtime::error::Result<()> {
//! let widgets = clientset.e2e_example_com_v1().widgets("default");
//! widgets.update_status(&PostParams::default(), &widget).await?;
//! widgets.get_scale("a").await?;
//! # Ok(()) }
//! ```
//!
//! A cluster-scoped kind without subresources has no status verbs…
//!
//! ```compile_fail
//! # use crdgen_e2e_tests::crds::{Clientset, e2e_example_com::v1::Gadget};
//! # use crdgen_runtime::client::PostParams;
//! # async fn f(clientset: Clientset, gadget: Gadget) {
//! let gadgets = clientset.e2e_example_com_v1().gadgets();
//! gadgets.update_status(&PostParams::default(), &gadget).await;
//! # }
//! ```
//!
//! …no scale verbs…
//!
//! ```compile_fail
//! # use crdgen_e2e_tests::crds::Clientset;
//! # async fn f(clientset: Clientset) {
//! clientset.e2e_example_com_v1().gadgets().get_scale("g").await;
//! # }
//! ```
//!
//! …and takes no namespace.
//!
//! ```compile_fail
//! # use crdgen_e2e_tests::crds::Clientset;
//! # fn f(clientset: Clientset) {
//! let _ = clientset.e2e_example_com_v1().gadgets("default");
//! # }
//! ```
//!
//! A client over all namespaces can list and watch, not address one object:
//!
//! ```compile_fail
//! # use crdgen_e2e_tests::crds::Clientset;
//! # async fn f(clientset: Clientset) {
//! clientset.e2e_example_com_v1().widgets_all_namespaces().get("a").await;
//! # }
//! ```

/// The code crdgen generated from `crds/` (see `build.rs`).
pub mod crds {
    include!(concat!(env!("OUT_DIR"), "/crds.rs"));
}

/// The `CustomResourceDefinition`s of `crds/` as JSON, to serve or install them.
pub fn crd_documents() -> Vec<serde_json::Value> {
    serde_json::from_str(include_str!(concat!(env!("OUT_DIR"), "/crds.json")))
        .expect("build.rs wrote a JSON array")
}
