//! Whether two schema nodes have the same JSON text: a repeated object node (the same
//! shape at several places of a CRD) is written once and copied.

use foldhash::fast::FixedState;
use serde_json::Value;

use crate::ir::{AdditionalProperties, Schema, SchemaExtra};

/// What tells object nodes apart without looking below them: equal for nodes that are
/// the [`same`].
pub(super) fn fingerprint(s: &Schema) -> u64 {
    use std::hash::{BuildHasher as _, Hash as _, Hasher as _};
    let mut h = FixedState::default().build_hasher();
    s.ty.hash(&mut h);
    s.format().hash(&mut h);
    if let Some(d) = &s.description {
        h.write_usize(d.len());
        h.write(&d.as_bytes()[..d.len().min(32)]);
    }
    h.write_usize(s.properties.len());
    for (name, p) in &s.properties {
        name.hash(&mut h);
        h.write_usize(p.description.as_ref().map_or(0, |d| d.len()));
    }
    h.write_usize(s.required.len());
    h.write_usize(s.keywords().len());
    h.finish()
}

/// Whether two nodes have the same JSON text: everything but their place in the file.
pub(super) fn same(a: &Schema, b: &Schema) -> bool {
    // Every field named: one added to the model is compared, or this stops compiling.
    let Schema {
        pos: _,
        ty,
        description,
        properties,
        required,
        items,
        additional_properties,
        nullable,
        preserve_unknown_fields,
        int_or_string,
        embedded_resource,
        extra,
    } = a;
    *ty == b.ty
        && *nullable == b.nullable
        && *preserve_unknown_fields == b.preserve_unknown_fields
        && *int_or_string == b.int_or_string
        && *embedded_resource == b.embedded_resource
        && *description == b.description
        && *required == b.required
        && properties.len() == b.properties.len()
        && properties
            .iter()
            .zip(&b.properties)
            .all(|((n, x), (m, y))| n == m && same(x, y))
        && same_boxed(items, &b.items)
        && match (additional_properties, &b.additional_properties) {
            (Some(AdditionalProperties::Bool(x)), Some(AdditionalProperties::Bool(y))) => x == y,
            (Some(AdditionalProperties::Schema(x)), Some(AdditionalProperties::Schema(y))) => {
                same(x, y)
            }
            (x, y) => x.is_none() && y.is_none(),
        }
        && match (extra, &b.extra) {
            (Some(x), Some(y)) => same_extra(x, y),
            (x, y) => x.is_none() && y.is_none(),
        }
}

fn same_boxed(x: &Option<Box<Schema>>, y: &Option<Box<Schema>>) -> bool {
    match (x, y) {
        (Some(x), Some(y)) => same(x, y),
        (x, y) => x.is_none() && y.is_none(),
    }
}

/// [`same`] for the rare keywords.
fn same_extra(a: &SchemaExtra, b: &SchemaExtra) -> bool {
    let SchemaExtra {
        format,
        default,
        enum_values,
        all_of,
        any_of,
        one_of,
        not,
        keywords,
    } = a;
    let schemas =
        |x: &[Schema], y: &[Schema]| x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same(x, y));
    *format == b.format
        && match (default, &b.default) {
            (Some(x), Some(y)) => same_json(x, y),
            (x, y) => x.is_none() && y.is_none(),
        }
        && match (enum_values, &b.enum_values) {
            (Some(x), Some(y)) => {
                x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same_json(x, y))
            }
            (x, y) => x.is_none() && y.is_none(),
        }
        && schemas(all_of, &b.all_of)
        && schemas(any_of, &b.any_of)
        && schemas(one_of, &b.one_of)
        && same_boxed(not, &b.not)
        && keywords.len() == b.keywords.len()
        && keywords
            .iter()
            .zip(&b.keywords)
            .all(|((k, x), (l, y))| k == l && same_json(x, y))
}

/// Whether two values have the same JSON text (`Value`'s `==` takes `0.0` for `-0.0`).
fn same_json(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            x == y && x.as_f64().map(f64::to_bits) == y.as_f64().map(f64::to_bits)
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same_json(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|((k, x), (l, y))| k == l && same_json(x, y))
        }
        (x, y) => x == y,
    }
}
