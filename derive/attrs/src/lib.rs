//! The `#[crdgen(...)]` attribute grammar, shared by crdgen's Rust front end (`crdgen crd`,
//! which reads source with syn) and `#[derive(CrdSchema)]` (crate `crdgen-derive`), so
//! the two read every attribute the same way and build the same CRD.
//!
//! - [`attrs`]: `#[crdgen(...)]`, `#[serde(...)]` and doc attributes into plain data;
//! - [`primitive`]: the schemas of scalar types (integers with their ranges, `char`);
//! - [`shape`]: the overlay of schema keywords a field adds to its Rust type's schema;
//! - [`enums`]: how an enum serializes, and its structural schema;
//! - [`crd`]: the CRD skeleton (names, version entry) from a kind's attributes.

pub mod attrs;
pub mod crd;
pub mod enums;
pub mod primitive;
pub mod shape;
