//! The generated `Clientset` and `InformerFactory` over HTTP, against the in-memory API
//! server on 127.0.0.1 (default) or the cluster of `CRDGEN_E2E_KUBECONFIG`.

mod apply;
mod clientset;
mod controller;
mod informers;
mod target;
