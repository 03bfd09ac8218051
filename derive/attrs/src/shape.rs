//! The attribute data that says what a field's Rust type does not: [`Overlay`] (schema
//! keywords set or omitted), the keyword table, and doc comments as descriptions.

use serde_json::{Map, Value, json};

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
    // controller-gen's `structType`: the map type of a struct (after `map_type`, which
    // the annotated emitter finds first).
    ("x-kubernetes-map-type", "struct_type", Form::Str),
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
