//! Enums with data as structural schemas: the same code as `crdgen_runtime::crd_schema::enums`
//! (which `#[derive(CrdSchema)]` runs), so the CLI and the derive agree.

// BEGIN shared with crdgen_runtime::crd_schema::enums (a test keeps the two equal)
use serde_json::{Map, Value, json};

fn object(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// Set (or keep) the description.
pub fn describe(mut node: Map<String, Value>, description: Option<&str>) -> Map<String, Value> {
    if let Some(d) = description {
        node.insert("description".into(), json!(d));
    }
    node
}

/// The data of a variant.
#[derive(Debug, Clone)]
pub enum Data {
    /// `A`.
    Unit,
    /// `A(T)`: the schema of `T`.
    Newtype(Map<String, Value>),
    /// `A { … }`: an object schema of the fields.
    Struct(Map<String, Value>),
}

/// One variant of an enum with data.
#[derive(Debug, Clone)]
pub struct Variant {
    /// The serialized name.
    pub name: String,
    /// The variant's doc comment.
    pub description: Option<String>,
    /// Its data.
    pub data: Data,
}

/// Join `add` into the union of properties; a property two variants give different
/// schemas keeps any value (the schema must stay structural and one per name).
fn union_props(props: &mut Map<String, Value>, add: &Map<String, Value>) {
    for (k, v) in add {
        match props.get(k) {
            None => {
                props.insert(k.clone(), v.clone());
            }
            Some(existing) if same_shape(existing, v) => {}
            Some(_) => {
                props.insert(
                    k.clone(),
                    json!({"x-kubernetes-preserve-unknown-fields": true}),
                );
            }
        }
    }
}

fn same_shape(a: &Value, b: &Value) -> bool {
    let strip = |v: &Value| {
        let mut v = v.clone();
        if let Value::Object(m) = &mut v {
            m.remove("description");
        }
        v
    };
    strip(a) == strip(b)
}

fn props_of(s: &Map<String, Value>) -> Map<String, Value> {
    match s.get("properties") {
        Some(Value::Object(p)) => p.clone(),
        _ => Map::new(),
    }
}

fn required_of(s: &Map<String, Value>) -> Vec<Value> {
    match s.get("required") {
        Some(Value::Array(r)) => r.clone(),
        _ => Vec::new(),
    }
}

fn scalar(t: &str) -> bool {
    !matches!(t, "" | "object" | "array")
}

fn is_object(s: &Map<String, Value>) -> bool {
    s.get("type") == Some(&json!("object"))
}

/// Externally tagged (serde's default): `{"<variant>": <data>}`; one object with a
/// property per variant, exactly one of them set.
pub fn external(variants: Vec<Variant>, description: Option<&str>) -> Map<String, Value> {
    let mut props = Map::new();
    let mut one_of = Vec::new();
    for v in variants {
        let data = match v.data {
            Data::Unit => object(json!({"type": "object"})),
            Data::Newtype(s) | Data::Struct(s) => s,
        };
        let mut data = data;
        data.remove("description");
        one_of.push(json!({"required": [&v.name]}));
        props.insert(
            v.name,
            Value::Object(describe(data, v.description.as_deref())),
        );
    }
    let mut node = object(json!({"type": "object", "properties": props}));
    if one_of.len() > 1 {
        node.insert("oneOf".into(), Value::Array(one_of));
    } else {
        node.insert("required".into(), one_of.remove(0)["required"].clone());
    }
    describe(node, description)
}

/// Internally tagged (`#[serde(tag = "…")]`): the tag beside the variant's fields;
/// the properties of all variants, and per variant (in `oneOf`) its tag value and
/// required fields.
pub fn internal(
    tag: &str,
    variants: Vec<Variant>,
    description: Option<&str>,
) -> Map<String, Value> {
    let names: Vec<&str> = variants.iter().map(|v| v.name.as_str()).collect();
    let mut props = Map::new();
    props.insert(tag.into(), json!({"type": "string", "enum": names}));
    let mut one_of = Vec::new();
    let mut extra = false;
    for v in &variants {
        let mut required = vec![json!(tag)];
        match &v.data {
            Data::Unit => {}
            Data::Newtype(s) | Data::Struct(s) => {
                if !is_object(s) || s.contains_key("additionalProperties") {
                    extra = true;
                }
                if s.get("x-kubernetes-preserve-unknown-fields") == Some(&json!(true)) {
                    extra = true;
                }
                union_props(&mut props, &props_of(s));
                required.extend(required_of(s));
            }
        }
        one_of.push(json!({
            "properties": {tag: {"enum": [&v.name]}},
            "required": required,
        }));
    }
    let mut node = object(json!({"type": "object", "properties": props, "required": [tag]}));
    if extra {
        node.insert("x-kubernetes-preserve-unknown-fields".into(), json!(true));
    }
    if one_of.len() > 1 {
        node.insert("oneOf".into(), Value::Array(one_of));
    }
    describe(node, description)
}

/// Adjacently tagged (`#[serde(tag = "…", content = "…")]`): the tag and the data
/// under `content` (the untagged union of the variants' data).
pub fn adjacent(
    tag: &str,
    content: &str,
    variants: Vec<Variant>,
    description: Option<&str>,
) -> Map<String, Value> {
    let names: Vec<String> = variants.iter().map(|v| v.name.clone()).collect();
    let data: Vec<Variant> = variants
        .into_iter()
        .filter(|v| !matches!(v.data, Data::Unit))
        .collect();
    let mut props = Map::new();
    props.insert(tag.into(), json!({"type": "string", "enum": names}));
    if !data.is_empty() {
        props.insert(content.into(), Value::Object(untagged(data, None)));
    }
    describe(
        object(json!({"type": "object", "properties": props, "required": [tag]})),
        description,
    )
}

/// Untagged (`#[serde(untagged)]`): the first variant whose shape fits. Objects
/// join their properties (`anyOf` the variants' required lists); values of one
/// type keep that type; integers and strings are int-or-string; anything else
/// keeps any value.
pub fn untagged(variants: Vec<Variant>, description: Option<&str>) -> Map<String, Value> {
    let mut nullable = false;
    let mut schemas = Vec::new();
    for v in variants {
        match v.data {
            Data::Unit => nullable = true,
            Data::Newtype(s) | Data::Struct(s) => schemas.push(s),
        }
    }
    let mut node = if schemas.is_empty() {
        object(json!({"x-kubernetes-preserve-unknown-fields": true}))
    } else if schemas.iter().all(|s| {
        same_shape(
            &Value::Object(s.clone()),
            &Value::Object(schemas[0].clone()),
        )
    }) {
        let mut s = schemas[0].clone();
        s.remove("description");
        s
    } else if schemas.iter().all(is_object)
        && schemas
            .iter()
            .all(|s| !s.contains_key("additionalProperties"))
    {
        let mut props = Map::new();
        let mut any_of = Vec::new();
        let mut extra = false;
        let mut all_required = true;
        for s in &schemas {
            union_props(&mut props, &props_of(s));
            extra |= s.get("x-kubernetes-preserve-unknown-fields") == Some(&json!(true));
            let r = required_of(s);
            all_required &= !r.is_empty();
            any_of.push(json!({"required": r}));
        }
        let mut n = object(json!({"type": "object"}));
        if extra {
            n.insert("x-kubernetes-preserve-unknown-fields".into(), json!(true));
        }
        if !props.is_empty() {
            n.insert("properties".into(), Value::Object(props));
        }
        if all_required && any_of.len() > 1 {
            n.insert("anyOf".into(), Value::Array(any_of));
        }
        n
    } else {
        let types: std::collections::BTreeSet<&str> = schemas
            .iter()
            .map(|s| s.get("type").and_then(Value::as_str).unwrap_or(""))
            .collect();
        let types: Vec<&str> = types.into_iter().collect();
        match types.as_slice() {
            ["integer", "string"] => object(json!({
                "anyOf": [{"type": "integer"}, {"type": "string"}],
                "x-kubernetes-int-or-string": true,
            })),
            [t] if scalar(t) => object(json!({"type": t})),
            _ => object(json!({"x-kubernetes-preserve-unknown-fields": true})),
        }
    };
    if nullable {
        node.insert("nullable".into(), json!(true));
    }
    describe(node, description)
}

// END shared

/// How serde tags an enum's variants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tagging {
    /// `{"<variant>": <data>}` (serde's default).
    External,
    /// `#[serde(tag = "…")]`.
    Internal(String),
    /// `#[serde(tag = "…", content = "…")]`.
    Adjacent(String, String),
    /// `#[serde(untagged)]`.
    Untagged,
}

/// The data of a variant, syntactically.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VariantShape {
    /// `A`.
    Unit,
    /// `A(T)`.
    Newtype,
    /// `A { … }`.
    Struct,
}

/// One variant that is part of the schema.
#[derive(Debug, Clone)]
pub struct PlannedVariant {
    /// Index into the enum's variants.
    pub index: usize,
    /// The serialized name.
    pub name: String,
    /// The variant's doc comment as a description.
    pub description: Option<String>,
    /// Its data.
    pub shape: VariantShape,
    /// The serde attributes its fields are renamed under (`rename_all` of the variant,
    /// else `rename_all_fields` of the enum).
    pub fields_container: super::attrs::SerdeAttrs,
}

/// What schema an enum gets; shared by the CLI front end and the derive.
#[derive(Debug, Clone)]
pub enum EnumPlan {
    /// Unit variants (plus variant-level `#[serde(untagged)]` catch-alls, which keep
    /// values a newer server may add): a string with these values.
    Strings(Vec<String>),
    /// Variants with data.
    Data {
        /// The tagging.
        tagging: Tagging,
        /// The variants, in order.
        variants: Vec<PlannedVariant>,
    },
}

/// Classify an enum as serde (de)serializes it. Errors carry the offending span.
pub fn plan(e: &syn::ItemEnum) -> syn::Result<EnumPlan> {
    use super::attrs::{SerdeAttrs, doc_lines, serde_attrs, wire_name};
    use super::shape::doc_to_description;
    let container = serde_attrs(&e.attrs)?;
    let tagging = match (&container.tag, &container.content, container.untagged) {
        (_, _, true) => Tagging::Untagged,
        (Some(t), Some(c), _) => Tagging::Adjacent(t.clone(), c.clone()),
        (Some(t), None, _) => Tagging::Internal(t.clone()),
        _ => Tagging::External,
    };
    let mut variants = Vec::new();
    let mut catch_all = false;
    for (index, v) in e.variants.iter().enumerate() {
        let sa = serde_attrs(&v.attrs)?;
        if sa.skip {
            continue;
        }
        if sa.untagged {
            catch_all = true;
            continue;
        }
        let shape = match &v.fields {
            syn::Fields::Unit => VariantShape::Unit,
            syn::Fields::Unnamed(u) if u.unnamed.len() == 1 => VariantShape::Newtype,
            syn::Fields::Unnamed(u) if u.unnamed.is_empty() => VariantShape::Unit,
            syn::Fields::Unnamed(u) => {
                return Err(syn::Error::new_spanned(
                    u,
                    "a tuple variant with several fields serializes as an array of mixed types, which has no structural schema; use a struct variant",
                ));
            }
            syn::Fields::Named(_) => VariantShape::Struct,
        };
        let fields_container = SerdeAttrs {
            rename_all: sa
                .rename_all
                .clone()
                .or_else(|| container.rename_all_fields.clone()),
            ..SerdeAttrs::default()
        };
        variants.push(PlannedVariant {
            index,
            name: wire_name(&v.ident, &sa, &container, true),
            description: doc_to_description(&doc_lines(&v.attrs)),
            shape,
            fields_container,
        });
    }
    let all_unit = variants.iter().all(|v| v.shape == VariantShape::Unit);
    if tagging == Tagging::External && all_unit && (!variants.is_empty() || catch_all) {
        return Ok(EnumPlan::Strings(
            variants.into_iter().map(|v| v.name).collect(),
        ));
    }
    if variants.is_empty() {
        return Err(syn::Error::new_spanned(
            &e.ident,
            "an enum without (serialized) variants has no schema",
        ));
    }
    if tagging == Tagging::External
        && let Some(unit) = variants.iter().find(|v| v.shape == VariantShape::Unit)
    {
        let v = &e.variants[unit.index];
        return Err(syn::Error::new_spanned(
            &v.ident,
            "an externally tagged enum that mixes unit and data variants serializes as a string or an object, which has no structural schema; use `#[serde(tag = \"...\")]`",
        ));
    }
    if tagging == Tagging::Untagged && all_unit {
        return Err(syn::Error::new_spanned(
            &e.ident,
            "an untagged enum of unit variants serializes as `null`; remove `#[serde(untagged)]` for a string enum",
        ));
    }
    Ok(EnumPlan::Data { tagging, variants })
}
