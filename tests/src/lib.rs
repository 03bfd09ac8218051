//! Cross-crate tests of crdgen.
