//! Emitters: read the model and type spaces, write Rust ([`rust`]), CRD manifests
//! ([`crd`], [`yaml`]) and annotated Rust ([`annotate`]). No parsing here.

pub(crate) mod annotate;
pub mod crd;
mod crd_text;
pub mod docs;
pub mod rust;
mod scan;
pub mod yaml;

use crate::ir::{Presence, TypeRef};

/// Clippy's `type_complexity` score of a field's type (its default threshold is 250):
/// every named type scores 10 times its nesting depth.
pub(crate) fn type_complexity(ty: &TypeRef, presence: Presence) -> usize {
    fn score(ty: &TypeRef, nest: usize) -> usize {
        10 * nest
            + match ty {
                TypeRef::List(item) => score(item, nest + 1),
                TypeRef::Map(value) => 10 * (nest + 1) + score(value, nest + 1),
                TypeRef::JsonObject => 20 * (nest + 1),
                _ => 0,
            }
    }
    match presence {
        Presence::Required => score(ty, 1),
        Presence::RequiredNullable | Presence::Optional => 10 + score(ty, 2),
        Presence::OptionalNullable => 30 + score(ty, 3),
    }
}
