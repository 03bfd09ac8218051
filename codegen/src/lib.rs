//! crdgen: typed Rust from Kubernetes CustomResourceDefinitions.
