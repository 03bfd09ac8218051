//! Passes over the model: naming, type mapping, well-known type matching.

pub mod naming;
pub mod overrides;
pub mod structural;
pub mod types;
pub mod wellknown;
