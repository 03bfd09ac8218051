//! The schema as CEL's type checker and cost estimator see it: a port of apiserver's
//! `common.SchemaDeclType` (k8s.io/apiserver pkg/cel/common/schemas.go) and
//! apiextensions' `model.WithTypeAndObjectMeta`, with the maximum sizes the
//! estimator reads (`MaxElements`: maxItems / maxProperties / maxLength×4, else what
//! fits in a 3 MiB request) and the minimum serialized sizes those estimates divide by.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::value::escape;

/// `celconfig.MaxRequestSizeBytes`.
pub(crate) const MAX_REQUEST_SIZE_BYTES: i64 = 3 * 1024 * 1024;
/// `DNS1123SubdomainMaxLength`, the cap on `metadata.name` in rules.
const NAME_MAX_LENGTH: i64 = 253;

/// A CEL declaration type (`apiservercel.DeclType`).
#[derive(Debug, Clone)]
pub(crate) struct Decl {
    /// What it is.
    pub kind: DeclKind,
    /// `MaxElements`: the most characters, bytes, items or entries a value may have.
    pub max_elements: i64,
    /// `MinSerializedSize`: the fewest JSON bytes a value takes.
    pub min_size: i64,
}

/// The kinds of [`Decl`].
#[derive(Debug, Clone)]
pub(crate) enum DeclKind {
    Bool,
    Int,
    Double,
    String,
    Bytes,
    Duration,
    Timestamp,
    /// `x-kubernetes-int-or-string`.
    Dyn,
    List(Box<Decl>),
    /// String keys (`MaxElements` 0), values.
    Map(Box<Decl>),
    /// Fields by escaped name.
    Object(BTreeMap<String, Decl>),
}

impl Decl {
    fn simple(kind: DeclKind, min_size: i64) -> Decl {
        Decl {
            kind,
            max_elements: 0,
            min_size,
        }
    }

    /// The map key declaration (`apiservercel.StringType`).
    pub(crate) fn key() -> Decl {
        Decl::simple(DeclKind::String, 2)
    }
}

fn int(schema: &Value, k: &str) -> Option<i64> {
    schema.get(k).and_then(Value::as_i64)
}

fn zero_if_negative(v: i64) -> i64 {
    v.max(0)
}

/// `SchemaDeclType(s, isResourceRoot)`: `None` where the schema is not exposed to CEL.
pub(crate) fn decl_type(schema: &Value, resource_root: bool) -> Option<Decl> {
    let b = |k: &str| schema.get(k).and_then(Value::as_bool).unwrap_or(false);
    if b("x-kubernetes-int-or-string") {
        let max = match int(schema, "maxLength") {
            Some(m) => zero_if_negative(m) * 4,
            None => MAX_REQUEST_SIZE_BYTES - 2,
        };
        return Some(Decl {
            kind: DeclKind::Dyn,
            max_elements: max,
            min_size: 1,
        });
    }
    let ty = schema.get("type").and_then(Value::as_str).unwrap_or("");
    match ty {
        "array" => {
            let items = schema.get("items").filter(|i| i.is_object())?;
            let item = decl_type(items, embedded(items))?;
            let max = match int(schema, "maxItems") {
                Some(m) => zero_if_negative(m),
                // subtract 2 for [ and ]
                None => (MAX_REQUEST_SIZE_BYTES - 2) / (item.min_size + 1),
            };
            Some(Decl {
                kind: DeclKind::List(Box::new(item)),
                max_elements: max,
                min_size: 2,
            })
        }
        "object" => object(schema, resource_root),
        "string" => Some(string(schema)),
        "boolean" => Some(Decl::simple(DeclKind::Bool, 4)),
        "number" => Some(Decl::simple(DeclKind::Double, 1)),
        "integer" => Some(Decl::simple(DeclKind::Int, 1)),
        _ => None,
    }
}

fn embedded(schema: &Value) -> bool {
    schema
        .get("x-kubernetes-embedded-resource")
        .and_then(Value::as_bool)
        .unwrap_or(false)
}

/// An object, or a map (`additionalProperties`); at a resource root with `apiVersion`,
/// `kind` and `metadata.name` / `generateName` added (`WithTypeAndObjectMeta`).
fn object(schema: &Value, resource_root: bool) -> Option<Decl> {
    if let Some(ap) = schema.get("additionalProperties").filter(|a| a.is_object()) {
        let value = decl_type(ap, embedded(ap))?;
        let max = match int(schema, "maxProperties") {
            Some(m) => zero_if_negative(m),
            // key "" + colon + comma + smallest value; subtract 2 for { and }
            None => (MAX_REQUEST_SIZE_BYTES - 2) / (value.min_size + 6),
        };
        return Some(Decl {
            kind: DeclKind::Map(Box::new(value)),
            max_elements: max,
            min_size: 2,
        });
    }
    let empty = serde_json::Map::new();
    let props = schema
        .get("properties")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let mut fields = BTreeMap::new();
    let mut min_size = 2;
    let mut add = |name: &str, prop: &Value| {
        if let Some(field) = decl_type(prop, embedded(prop)) {
            // required properties without a default count toward the minimum size
            if required.contains(&name) && prop.get("default").is_none() {
                min_size += name.len() as i64 + field.min_size + 4;
            }
            if let Some(escaped) = escape(name) {
                fields.insert(escaped, field);
            }
        }
    };
    if resource_root && !declares_type_and_meta(props) {
        let string = serde_json::json!({"type": "string"});
        let meta_props = props
            .get("metadata")
            .and_then(|m| m.get("properties"))
            .cloned()
            .unwrap_or(Value::Null);
        let capped = |existing: &Value, cap: i64| {
            let cap = int(existing, "maxLength").map_or(cap, |m| m.min(cap));
            serde_json::json!({"type": "string", "maxLength": cap})
        };
        let metadata = serde_json::json!({
            "type": "object",
            "properties": {
                "name": capped(&meta_props["name"], NAME_MAX_LENGTH),
                "generateName": capped(&meta_props["generateName"], NAME_MAX_LENGTH - 1),
            },
        });
        for (name, prop) in props {
            if !matches!(name.as_str(), "kind" | "apiVersion" | "metadata") {
                add(name, prop);
            }
        }
        add("kind", &string);
        add("apiVersion", &string);
        add("metadata", &metadata);
    } else {
        for (name, prop) in props {
            add(name, prop);
        }
    }
    Some(Decl {
        kind: DeclKind::Object(fields),
        max_elements: 0,
        min_size,
    })
}

/// Whether `kind`, `apiVersion`, `metadata.name` and `metadata.generateName` are all
/// declared with their types already.
fn declares_type_and_meta(props: &serde_json::Map<String, Value>) -> bool {
    fn ty(v: Option<&Value>) -> Option<&str> {
        v.and_then(|v| v.get("type")).and_then(Value::as_str)
    }
    let meta = props.get("metadata").and_then(|m| m.get("properties"));
    ty(props.get("kind")) == Some("string")
        && ty(props.get("apiVersion")) == Some("string")
        && ty(props.get("metadata")) == Some("object")
        && ty(meta.and_then(|m| m.get("name"))) == Some("string")
        && ty(meta.and_then(|m| m.get("generateName"))) == Some("string")
}

fn string(schema: &Value) -> Decl {
    let format = schema.get("format").and_then(Value::as_str).unwrap_or("");
    let max_length = int(schema, "maxLength");
    let per_request = MAX_REQUEST_SIZE_BYTES - 2;
    match format {
        "byte" => Decl {
            kind: DeclKind::Bytes,
            max_elements: max_length.map_or(per_request, zero_if_negative),
            min_size: 2,
        },
        "duration" => Decl {
            kind: DeclKind::Duration,
            max_elements: 32,
            min_size: 3,
        },
        "date" => Decl {
            kind: DeclKind::Timestamp,
            max_elements: 12,
            min_size: 12,
        },
        "date-time" => Decl {
            kind: DeclKind::Timestamp,
            max_elements: 32,
            min_size: 21,
        },
        _ => {
            let max = match max_length {
                Some(m) => zero_if_negative(m) * 4,
                None => match schema.get("enum").and_then(Value::as_array) {
                    Some(values) if !values.is_empty() => values
                        .iter()
                        .filter_map(Value::as_str)
                        .map(|s| s.len() as i64)
                        .max()
                        .unwrap_or(0),
                    _ => per_request,
                },
            };
            Decl {
                kind: DeclKind::String,
                max_elements: max,
                min_size: 2,
            }
        }
    }
}

/// `extractMaxElements`: how many times the children of `schema` may occur per
/// occurrence of it (`None`: unbounded).
pub(crate) fn max_elements(schema: &Value) -> Option<u64> {
    let bound = |k: &str| int(schema, k).map(|m| zero_if_negative(m) as u64);
    match schema.get("type").and_then(Value::as_str) {
        Some("object") if schema.get("additionalProperties").is_some() => bound("maxProperties"),
        Some("array") => bound("maxItems"),
        _ => Some(1),
    }
}
