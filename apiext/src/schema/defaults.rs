//! Defaults must survive pruning (`ValidateDefaults` with `requirePrunedDefaults`): a
//! default with a field the schema does not specify would be cut when applied.
//! (The server also validates each default against its schema and CEL rules; not here.)

use super::{Kw, flag, obj};
use crate::doc::Doc;
use crate::field::{BadValue, FieldError, Path};

/// The error of the `default` of `s` (a node of a structural schema, its keywords
/// `kw`) if pruning would cut it; `root` for the resource root, where `apiVersion`,
/// `kind` and `metadata` are kept as in an embedded resource. (The walk in
/// `schema::openapi` visits the nodes: items, properties in key order, then
/// additionalProperties.)
pub(super) fn pruned_default<D: Doc>(
    s: &D,
    kw: &Kw<'_, D>,
    path: &Path,
    root: bool,
) -> Option<FieldError> {
    let embedded = root || kw.embedded();
    let d = kw.default().filter(|d| !d.is_null())?;
    would_prune(s, d, embedded).then(|| {
        FieldError::invalid(
            path.child("default"),
            BadValue::Json(d.to_json()),
            "must not have unknown fields",
        )
    })
}

/// Whether pruning `value` by `schema` would drop a field.
fn would_prune<D: Doc>(schema: &D, value: &D, embedded: bool) -> bool {
    if flag(schema, "x-kubernetes-preserve-unknown-fields") {
        return false;
    }
    if let Some(items) = value.as_array() {
        return obj(schema, "items").is_some_and(|is| {
            items
                .iter()
                .any(|v| would_prune(is, v, flag(is, "x-kubernetes-embedded-resource")))
        });
    }
    let properties = obj(schema, "properties");
    let additional = schema.get("additionalProperties");
    // (Any order: the answer is whether any field would go.)
    value.entries().any(|(k, v)| {
        let child = match (properties.and_then(|p| obj(p, k)), additional) {
            (Some(c), _) => Some(c),
            (None, Some(a)) if a.is_object() => Some(a),
            (None, Some(a)) if a.is_true() => None,
            (None, _) if embedded && matches!(k, "apiVersion" | "kind" | "metadata") => None,
            (None, _) => return true,
        };
        child.is_some_and(|c| would_prune(c, v, flag(c, "x-kubernetes-embedded-resource")))
    })
}
