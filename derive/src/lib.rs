//! Derive macros for crdgen (annotated structs → CRD manifests and clients).
