//! Shapes that k8s-openapi already has a type for. A schema reuses one only when
//! nothing can be lost: every property of the schema exists in the k8s type with the
//! same type, everything the k8s type requires is required by the schema, and the
//! subtree has no defaults or kept unknown fields that the k8s type could not
//! reproduce. (Validation keywords such as `enum` or `pattern` narrow what the server
//! accepts and never add a value the k8s type could not hold.)
//!
//! `meta/v1 Condition` is deliberately absent: its `lastTransitionTime` is a `Time`,
//! which re-serializes at second precision, while the API server stores the string
//! as written (`…05.123Z` would come back as `…05Z`). A generated struct keeps it.

use crate::ir::{Schema, WellKnown};

/// The type of one field of a well-known type.
#[derive(Debug, Clone, Copy)]
enum Ty {
    Str,
    Bool,
    StrList,
    StrMap,
    WkList(WellKnown),
}

struct Def {
    wk: WellKnown,
    fields: &'static [(&'static str, Ty, bool)],
    /// Properties the schema must have (beyond the required ones) for the match to be
    /// meaningful, e.g. an ObjectReference without `kind` is just a name.
    must_have: &'static [&'static str],
    /// Words one of which the property's name must contain (lower-cased), for shapes
    /// that several k8s types share; empty when the shape alone is telling.
    hints: &'static [&'static str],
}

use Ty::*;
use WellKnown as W;

const DEFS: &[Def] = &[
    Def {
        wk: W::LabelSelector,
        fields: &[
            (
                "matchExpressions",
                WkList(W::LabelSelectorRequirement),
                false,
            ),
            ("matchLabels", StrMap, false),
        ],
        must_have: &[],
        hints: &[],
    },
    Def {
        wk: W::LabelSelectorRequirement,
        fields: &[
            ("key", Str, true),
            ("operator", Str, true),
            ("values", StrList, false),
        ],
        must_have: &[],
        hints: &[],
    },
    Def {
        wk: W::ObjectReference,
        fields: &[
            ("apiVersion", Str, false),
            ("fieldPath", Str, false),
            ("kind", Str, false),
            ("name", Str, false),
            ("namespace", Str, false),
            ("resourceVersion", Str, false),
            ("uid", Str, false),
        ],
        must_have: &["kind", "name"],
        hints: &[],
    },
    Def {
        wk: W::LocalObjectReference,
        fields: &[("name", Str, true)],
        must_have: &[],
        hints: &["ref", "secret"],
    },
    Def {
        wk: W::SecretKeySelector,
        fields: &[
            ("key", Str, true),
            ("name", Str, true),
            ("optional", Bool, false),
        ],
        must_have: &[],
        hints: &["secret"],
    },
    Def {
        wk: W::ConfigMapKeySelector,
        fields: &[
            ("key", Str, true),
            ("name", Str, true),
            ("optional", Bool, false),
        ],
        must_have: &[],
        hints: &["configmap"],
    },
    Def {
        wk: W::TypedLocalObjectReference,
        fields: &[
            ("apiGroup", Str, false),
            ("kind", Str, true),
            ("name", Str, true),
        ],
        must_have: &[],
        hints: &[],
    },
    Def {
        wk: W::OwnerReference,
        fields: &[
            ("apiVersion", Str, true),
            ("blockOwnerDeletion", Bool, false),
            ("controller", Bool, false),
            ("kind", Str, true),
            ("name", Str, true),
            ("uid", Str, true),
        ],
        must_have: &[],
        hints: &["owner"],
    },
];

/// The well-known type this object schema (the value of `property`) can be, if any.
/// Shapes shared by several k8s types are told apart by words in the property name;
/// otherwise the first fit in a fixed order wins, so results are deterministic.
pub fn match_schema(property: &str, schema: &Schema) -> Option<WellKnown> {
    if schema.ty != Some("object") || schema.properties.is_empty() {
        return None;
    }
    // The name is lowercased only for a definition with hints that fits (most objects
    // fit none).
    let mut lower: Option<String> = None;
    DEFS.iter()
        .find(|d| {
            fits(schema, d)
                && (d.hints.is_empty() || {
                    let property = lower.get_or_insert_with(|| property.to_lowercase());
                    d.hints.iter().any(|h| property.contains(h))
                })
        })
        .map(|d| d.wk)
}

fn plain(schema: &Schema) -> bool {
    schema.default_value().is_none()
        && !schema.nullable
        && !schema.preserve_unknown_fields
        && !schema.int_or_string
        && !schema.embedded_resource
}

fn fits(schema: &Schema, def: &Def) -> bool {
    if !plain(schema) || schema.additional_properties.is_some() {
        return false;
    }
    for (name, prop) in &schema.properties {
        let Some((_, ty, _)) = def.fields.iter().find(|(n, _, _)| n == name) else {
            return false;
        };
        if !field_fits(prop, *ty) {
            return false;
        }
    }
    def.must_have.iter().all(|n| schema.property(n).is_some())
        && def
            .fields
            .iter()
            .filter(|(_, _, req)| *req)
            .all(|(n, _, _)| schema.is_required(n))
}

/// A string field; an `enum` is fine (a `String` holds every listed value).
fn is_string(s: &Schema) -> bool {
    plain(s) && s.ty == Some("string")
}

fn field_fits(s: &Schema, ty: Ty) -> bool {
    match ty {
        Str => is_string(s),
        Bool => plain(s) && s.ty == Some("boolean"),
        StrList => plain(s) && s.ty == Some("array") && s.items.as_deref().is_some_and(is_string),
        StrMap => {
            plain(s)
                && s.ty == Some("object")
                && s.properties.is_empty()
                && matches!(&s.additional_properties, Some(crate::ir::AdditionalProperties::Schema(v)) if is_string(v))
        }
        WkList(w) => {
            plain(s) && s.ty == Some("array") && s.items.as_deref().is_some_and(|i| match_def(i, w))
        }
    }
}

fn match_def(s: &Schema, w: WellKnown) -> bool {
    DEFS.iter()
        .find(|d| d.wk == w)
        .is_some_and(|d| s.ty == Some("object") && fits(s, d))
}
