//! Front end for Rust source: annotated structs and enums (as `crdgen generate
//! --annotated` writes them, or written by hand) into the same [`crate::ir::Model`]
//! the CRD front end builds, so every emitter works from Rust too.

pub mod shape;
