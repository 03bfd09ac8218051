//! Structural-schema operations on custom resources: pruning, defaulting and
//! validation, following the semantics of the apiextensions-apiserver.
//!
//! Each function takes the `openAPIV3Schema` of one CRD version as a
//! [`serde_json::Value`] (the schema is not parsed into a typed model, so unknown
//! keywords are simply ignored) and an object as JSON.
//!
//! The server applies them in this order on every create, update and patch:
//!
//! 1. [`prune`]: drop fields the schema does not declare, and `null`s of
//!    non-nullable fields;
//! 2. [`apply_defaults`]: fill `default`s of absent fields;
//! 3. [`validate`] (on update [`validate_update`], which ratchets): check value
//!    validations, returning [`FieldError`]s (crdgen-apiext's, one type for the CRD
//!    checks, the schema and CEL) whose
//!    [`Display`](std::fmt::Display) is the real server's message
//!    (`spec.replicas: Invalid value: -1: spec.replicas in body should be greater than or equal to 0`);
//! 4. [`validate_lists`]: list-type uniqueness (after the embedded resources' checks,
//!    which live in the in-memory server).
//!
//! # Keywords honoured
//!
//! | keyword | prune | default | validate |
//! |---|---|---|---|
//! | `properties`, `additionalProperties`, `items` | ✓ | ✓ | ✓ |
//! | `x-kubernetes-preserve-unknown-fields` | ✓ | | |
//! | `x-kubernetes-embedded-resource` | ✓ (keeps `apiVersion`/`kind`/`metadata`) | | |
//! | `nullable` | ✓ | ✓ | ✓ |
//! | `default` | | ✓ | |
//! | `type` (`object`, `array`, `string`, `integer`, `number`, `boolean`) | | | ✓ |
//! | `x-kubernetes-int-or-string` | | | ✓ |
//! | `format` (`int32`, `int64` and kube-openapi's string formats, see [`format_ok`]) | | | ✓ |
//! | `enum`, `required` | | | ✓ |
//! | `minimum`, `maximum`, `exclusiveMinimum`, `exclusiveMaximum`, `multipleOf` | | | ✓ |
//! | `minLength`, `maxLength`, `pattern` | | | ✓ |
//! | `minItems`, `maxItems`, `uniqueItems` | | | ✓ |
//! | `minProperties`, `maxProperties` | | | ✓ |
//! | `x-kubernetes-list-type` (`set`, `map` + `x-kubernetes-list-map-keys`) | | | ✓ (uniqueness) |
//! | `allOf`, `anyOf`, `oneOf`, `not` | never add fields | | ✓ |
//!
//! Not here: CEL rules (`x-kubernetes-validations`, the `crdgen-cel` crate) and
//! `x-kubernetes-map-type` (no validation effect).
//!
//! The module is split by concern: `prune`, `defaults`, `validate` (types,
//! `enum`, combinators, ratcheting), `keywords` (numbers, strings, sizes), `formats`
//! (the string formats of kube-openapi's registry), `lists` (list types), `errors`
//! (the server's wording) and `walks` (which walks a schema needs, found once).

use serde_json::Value;

pub use crdgen_apiext::{BadValue, ErrorType, FieldError};

mod defaults;
mod embedded;
mod errors;
mod formats;
mod keywords;
mod lists;
mod object_meta;
pub mod pipeline;
mod prune;
mod scale;
mod validate;
mod validator;
mod walks;

pub use defaults::apply_defaults;
pub use embedded::{META_FIELDS, embedded_resources, embedded_type_error, prune_embedded_meta};
pub use formats::format_ok;
pub use lists::validate_lists;
pub use object_meta::object_meta;
pub use prune::prune;
pub use scale::{ScaleInfo, scale_errors};
pub use validate::{validate, validate_update};
pub use validator::{HasCrd, Invalid, Validate, Validator, invalid_message, validator_of};
pub use walks::Walks;

// ----------------------------------------------------------------------------------
// Schema accessors

pub(crate) fn get<'a>(s: &'a Value, key: &str) -> Option<&'a Value> {
    s.as_object().and_then(|m| m.get(key))
}

pub(crate) fn flag(s: &Value, key: &str) -> bool {
    get(s, key).and_then(Value::as_bool).unwrap_or(false)
}

pub(crate) fn prop<'a>(s: &'a Value, key: &str) -> Option<&'a Value> {
    get(s, "properties").and_then(|p| p.get(key))
}

/// `additionalProperties` as a schema; `true` counts as an empty schema that keeps
/// everything.
pub(crate) enum Additional<'a> {
    None,
    Any,
    Schema(&'a Value),
}

pub(crate) fn additional(s: &Value) -> Additional<'_> {
    match get(s, "additionalProperties") {
        Some(Value::Bool(true)) => Additional::Any,
        Some(v @ Value::Object(_)) => Additional::Schema(v),
        _ => Additional::None,
    }
}

pub(crate) fn items(s: &Value) -> Option<&Value> {
    get(s, "items").filter(|v| v.is_object())
}

pub(crate) fn nullable(s: &Value) -> bool {
    flag(s, "nullable")
}

/// A field path built in place while walking (no allocation per node): append a key
/// or an index, recurse, truncate back.
#[derive(Default)]
pub(crate) struct FieldPath(pub(crate) String);

impl FieldPath {
    /// Append `.k` (or `k` at the root); the length to truncate back to.
    pub(crate) fn key(&mut self, k: &str) -> usize {
        let len = self.0.len();
        if len > 0 {
            self.0.push('.');
        }
        self.0.push_str(k);
        len
    }

    /// Append `[i]`; the length to truncate back to.
    pub(crate) fn index(&mut self, i: usize) -> usize {
        use std::fmt::Write as _;
        let len = self.0.len();
        write!(self.0, "[{i}]").expect("writing to a String cannot fail");
        len
    }

    /// The path so far, e.g. `spec.ports[2]`.
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }

    /// Back to a length [`FieldPath::key`] or [`FieldPath::index`] returned.
    pub(crate) fn truncate(&mut self, len: usize) {
        self.0.truncate(len);
    }
}

pub(crate) fn child_path(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_owned()
    } else {
        format!("{parent}.{key}")
    }
}
