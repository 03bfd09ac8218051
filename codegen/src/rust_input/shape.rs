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
    /// `i32` (and smaller integers).
    I32,
    /// `i64` (and other integers).
    I64,
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

/// The keywords a node has beyond what its Rust type gives, as written in
/// `#[crdgen(...)]`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Overlay {
    /// Keywords set (replacing the type's value), in order.
    pub set: Map<String, Value>,
    /// Keywords the type gives that the node does not have (`omit("format")`).
    pub omit: Vec<String>,
    /// The overlay of the list's item schema (`items(...)`).
    pub items: Option<Box<Overlay>>,
    /// The overlay of the map's value schema (`values(...)`).
    pub values: Option<Box<Overlay>>,
    /// The field is not part of the schema (`skip`).
    pub skip: bool,
}

impl Overlay {
    /// Nothing to say.
    pub fn is_empty(&self) -> bool {
        self.set.is_empty()
            && self.omit.is_empty()
            && self.items.is_none()
            && self.values.is_none()
            && !self.skip
    }

    /// As JSON (`{"set": {…}, "omit": […], "items": {…}, "values": {…}}`), the form
    /// `crdgen_runtime::crd_schema` applies at run time for `#[derive(CrdSchema)]`.
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        if !self.set.is_empty() {
            m.insert("set".into(), Value::Object(self.set.clone()));
        }
        if !self.omit.is_empty() {
            m.insert("omit".into(), json!(self.omit));
        }
        if let Some(i) = &self.items {
            m.insert("items".into(), i.to_json());
        }
        if let Some(v) = &self.values {
            m.insert("values".into(), v.to_json());
        }
        Value::Object(m)
    }

    /// Apply to a node built from the Rust type.
    pub fn apply(&self, node: &mut Map<String, Value>) {
        for (k, v) in &self.set {
            node.insert(k.clone(), v.clone());
        }
        for k in &self.omit {
            node.remove(k);
        }
        for (child, key) in [
            (&self.items, "items"),
            (&self.values, "additionalProperties"),
        ] {
            if let Some(o) = child {
                let entry = node
                    .entry(key.to_owned())
                    .or_insert_with(|| Value::Object(Map::new()));
                if !entry.is_object() {
                    *entry = Value::Object(Map::new());
                }
                if let Value::Object(m) = entry {
                    o.apply(m);
                }
            }
        }
    }
}

/// How a keyword's value is written in an attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// A number literal: `minimum = 0`, `maximum = 1.5`.
    Number,
    /// A flag: `nullable`, `unique_items = false`.
    Bool,
    /// A string literal: `pattern = "^a$"`.
    Str,
    /// A list of string literals: `list_map_keys("name", "port")`.
    StrList,
    /// JSON text in a string literal: `default = r#"{"a":1}"#`.
    Json,
}

/// Schema keyword ↔ attribute name ↔ form. Keywords not listed are written as
/// `keyword("x-name", r#"json"#)`; `x-kubernetes-validations` as `validation(...)`.
pub const KEYWORDS: &[(&str, &str, Form)] = &[
    ("type", "type", Form::Str),
    ("format", "format", Form::Str),
    ("description", "description", Form::Str),
    ("title", "title", Form::Str),
    ("minimum", "minimum", Form::Number),
    ("maximum", "maximum", Form::Number),
    ("exclusiveMinimum", "exclusive_minimum", Form::Bool),
    ("exclusiveMaximum", "exclusive_maximum", Form::Bool),
    ("multipleOf", "multiple_of", Form::Number),
    ("minLength", "min_length", Form::Number),
    ("maxLength", "max_length", Form::Number),
    ("pattern", "pattern", Form::Str),
    ("minItems", "min_items", Form::Number),
    ("maxItems", "max_items", Form::Number),
    ("uniqueItems", "unique_items", Form::Bool),
    ("minProperties", "min_properties", Form::Number),
    ("maxProperties", "max_properties", Form::Number),
    ("required", "required", Form::StrList),
    ("nullable", "nullable", Form::Bool),
    ("default", "default", Form::Json),
    ("enum", "enum", Form::Json),
    ("example", "example", Form::Json),
    ("externalDocs", "external_docs", Form::Json),
    ("allOf", "all_of", Form::Json),
    ("anyOf", "any_of", Form::Json),
    ("oneOf", "one_of", Form::Json),
    ("not", "not", Form::Json),
    ("properties", "properties", Form::Json),
    ("x-kubernetes-list-type", "list_type", Form::Str),
    ("x-kubernetes-list-map-keys", "list_map_keys", Form::StrList),
    ("x-kubernetes-map-type", "map_type", Form::Str),
    (
        "x-kubernetes-preserve-unknown-fields",
        "preserve_unknown_fields",
        Form::Bool,
    ),
    ("x-kubernetes-int-or-string", "int_or_string", Form::Bool),
    (
        "x-kubernetes-embedded-resource",
        "embedded_resource",
        Form::Bool,
    ),
];

/// `x-kubernetes-validations` rule keys ↔ attribute names inside `validation(...)`.
pub const RULE_KEYS: &[(&str, &str, Form)] = &[
    ("rule", "rule", Form::Str),
    ("message", "message", Form::Str),
    ("messageExpression", "message_expression", Form::Str),
    ("reason", "reason", Form::Str),
    ("fieldPath", "field_path", Form::Str),
    ("optionalOldSelf", "optional_old_self", Form::Bool),
];

/// Whether a value has the form's JSON type.
pub fn fits(form: Form, v: &Value) -> bool {
    match form {
        Form::Number => v.is_number(),
        Form::Bool => v.is_boolean(),
        Form::Str => v.is_string(),
        Form::StrList => v.as_array().is_some_and(|a| a.iter().all(Value::is_string)),
        Form::Json => true,
    }
}

/// Documentation lines (as `#[doc = "..."]` holds them) back into a description:
/// one leading space dropped per line, lines joined with `\n`. `None` without docs.
pub fn doc_to_description(lines: &[String]) -> Option<String> {
    if lines.is_empty() {
        return None;
    }
    let text: Vec<&str> = lines
        .iter()
        .flat_map(|l| l.split('\n'))
        .map(|l| l.strip_prefix(' ').unwrap_or(l))
        .collect();
    Some(text.join("\n"))
}
