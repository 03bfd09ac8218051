//! What the Rust type of a field says about its schema, and the attribute data that
//! says the rest. Shared by both directions so they cannot drift apart:
//!
//! - the annotated emitter (`emit::annotate`) writes, per schema node, the difference
//!   between the node and [`base_schema`] of its Rust type as an [`Overlay`];
//! - the Rust front end computes [`base_schema`] from the parsed type and applies the
//!   [`Overlay`] read from `#[crdgen(...)]`.

use serde_json::{Map, Value, json};

use crate::ir::WellKnown;

/// The schema-relevant shape of a Rust type.
#[derive(Debug, Clone, PartialEq)]
pub enum Shape {
    /// `bool`.
    Bool,
    /// `i32`.
    I32,
    /// `i64`.
    I64,
    /// Another scalar type by name (`u16`, `i8`, `char`, `NonZeroU32`…): its schema,
    /// with the type's range, is `crdgen_attrs::primitive`'s.
    Primitive(String),
    /// `f64`, `f32`.
    F64,
    /// `String`.
    String,
    /// `IntOrString`.
    IntOrString,
    /// `serde_json::Value`.
    Json,
    /// `BTreeMap<String, serde_json::Value>` (any object).
    JsonMap,
    /// `Vec<T>`.
    List(Box<Shape>),
    /// `BTreeMap<String, T>` / `HashMap<String, T>`.
    Map(Box<Shape>),
    /// A struct; `extra` when it keeps unknown fields in a flattened map.
    Struct {
        /// Has a `#[serde(flatten)]` map of unknown fields.
        extra: bool,
    },
    /// A string enum with these values.
    Enum(Vec<String>),
    /// A k8s-openapi type.
    WellKnown(WellKnown),
    /// `Time`/`MicroTime` (a `date-time` string).
    Time,
    /// `Quantity` (int-or-string with the quantity pattern).
    Quantity,
    /// `meta/v1 Condition` (read from Rust; crdgen does not emit it, since its `Time`
    /// drops the sub-second digits the server keeps).
    Condition,
}

/// The well-known types' schemas (as controller-gen writes them for k8s 1.3x).
const WELL_KNOWN: &str = include_str!("wellknown.json");

/// The schema of a k8s-openapi type.
pub fn well_known_schema(wk: WellKnown) -> Value {
    known_schema(&format!("{wk:?}"))
}

/// The schema of a k8s-openapi type by name (`Condition`, `LabelSelector`, …).
fn known_schema(name: &str) -> Value {
    let all: Value = serde_json::from_str(WELL_KNOWN).expect("wellknown.json is valid JSON");
    all.get(name)
        .cloned()
        .unwrap_or_else(|| json!({"type": "object"}))
}

/// The schema a Rust type gives a node on its own (without docs, required lists and
/// struct properties, which the callers add).
pub fn base_schema(shape: &Shape) -> Map<String, Value> {
    let v = match shape {
        Shape::Bool => json!({"type": "boolean"}),
        Shape::I32 => json!({"type": "integer", "format": "int32"}),
        Shape::I64 => json!({"type": "integer", "format": "int64"}),
        Shape::Primitive(name) => match crdgen_attrs::primitive::schema(name) {
            Some(m) => Value::Object(m),
            None => json!({}),
        },
        Shape::F64 => json!({"type": "number"}),
        Shape::String => json!({"type": "string"}),
        Shape::IntOrString => json!({
            "anyOf": [{"type": "integer"}, {"type": "string"}],
            "x-kubernetes-int-or-string": true,
        }),
        Shape::Json => json!({"x-kubernetes-preserve-unknown-fields": true}),
        Shape::JsonMap => json!({"type": "object", "x-kubernetes-preserve-unknown-fields": true}),
        Shape::List(item) => json!({"type": "array", "items": Value::Object(base_schema(item))}),
        Shape::Map(value) => {
            json!({"type": "object", "additionalProperties": Value::Object(base_schema(value))})
        }
        Shape::Struct { extra: false } => json!({"type": "object"}),
        Shape::Struct { extra: true } => {
            json!({"type": "object", "x-kubernetes-preserve-unknown-fields": true})
        }
        Shape::Enum(values) => json!({"type": "string", "enum": values}),
        Shape::WellKnown(wk) => well_known_schema(*wk),
        Shape::Condition => known_schema("Condition"),
        Shape::Time => json!({"type": "string", "format": "date-time"}),
        Shape::Quantity => json!({
            "anyOf": [{"type": "integer"}, {"type": "string"}],
            "pattern": "^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$",
            "x-kubernetes-int-or-string": true,
        }),
    };
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

pub use crdgen_attrs::shape::{Form, KEYWORDS, Overlay, RULE_KEYS, doc_to_description, fits};
