//! OpenAPI v3 schemas of Rust types, for CustomResourceDefinitions built at compile time.
//!
//! [`CrdSchema`] is implemented by `#[derive(CrdSchema)]` (crate `crdgen-derive`, feature
//! `derive` of this crate) for structs and enums, and here for the primitives, `String`,
//! `Option`, the collections, `Box`, `serde_json::Value`, and the k8s-openapi types that
//! CRDs embed (`ObjectMeta`, `Condition`, `LabelSelector`, `IntOrString`, `Quantity`,
//! `Time`, …). A derived impl composes the schemas of its fields' types, so a schema is
//! always the one of the types the object is (de)serialized with.
//!
//! The schemas are *structural* (every node has a `type`, or is int-or-string or keeps
//! unknown fields), as the API server requires; enums with data become one object with
//! the variants' properties, and `oneOf`/`anyOf` hold only `required` lists and tag
//! values. [`merge_crds`] joins the `crd()` of several versions of a kind into one
//! CustomResourceDefinition.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use serde_json::{Map, Value, json};

/// A Rust type with an OpenAPI v3 schema for a CRD.
///
/// ```
/// use crdgen_runtime::CrdSchema;
/// assert_eq!(<Vec<i32>>::schema()["items"]["format"], "int32");
/// ```
pub trait CrdSchema {
    /// The schema of the type; a named type's doc comment is its `description`.
    fn schema() -> Map<String, Value>;
}

fn object(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

macro_rules! fixed {
    ($schema:tt => $($t:ty),*) => {
        $(impl CrdSchema for $t {
            fn schema() -> Map<String, Value> {
                object(json!($schema))
            }
        })*
    };
}

// Scalars: the same table as `crdgen_attrs::primitive` (which `crdgen crd` reads; a test
// in tests/derive holds the two equal). An integer's range is in its schema, so the API
// server refuses what the type cannot decode.
fixed!({"type": "boolean"} => bool);
fixed!({"type": "integer", "format": "int32", "minimum": -128, "maximum": 127} => i8);
fixed!({"type": "integer", "format": "int32", "minimum": -32768, "maximum": 32767} => i16);
fixed!({"type": "integer", "format": "int32"} => i32);
fixed!({"type": "integer", "format": "int64"} => i64, isize, i128);
fixed!({"type": "integer", "format": "int32", "minimum": 0, "maximum": 255} => u8);
fixed!({"type": "integer", "format": "int32", "minimum": 0, "maximum": 65535} => u16);
fixed!({"type": "integer", "format": "int64", "minimum": 0, "maximum": 4294967295_u32} => u32);
fixed!({"type": "integer", "format": "int64", "minimum": 0} => u64, usize, u128);
fixed!({"type": "integer", "format": "int32", "minimum": 1, "maximum": 255} => std::num::NonZeroU8);
fixed!({"type": "integer", "format": "int32", "minimum": 1, "maximum": 65535} => std::num::NonZeroU16);
fixed!({"type": "integer", "format": "int64", "minimum": 1, "maximum": 4294967295_u32}
    => std::num::NonZeroU32);
fixed!({"type": "integer", "format": "int64", "minimum": 1}
    => std::num::NonZeroU64, std::num::NonZeroUsize, std::num::NonZeroU128);
fixed!({"type": "number"} => f32, f64);
fixed!({"type": "string"} => String, str);
fixed!({"type": "string", "minLength": 1, "maxLength": 1} => char);
fixed!({"x-kubernetes-preserve-unknown-fields": true} => Value);
fixed!({"type": "object", "x-kubernetes-preserve-unknown-fields": true} => Map<String, Value>);
fixed!({"anyOf": [{"type": "integer"}, {"type": "string"}], "x-kubernetes-int-or-string": true}
    => k8s_openapi::apimachinery::pkg::util::intstr::IntOrString);
fixed!({
    "anyOf": [{"type": "integer"}, {"type": "string"}],
    "pattern": "^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$",
    "x-kubernetes-int-or-string": true
} => k8s_openapi::apimachinery::pkg::api::resource::Quantity);
fixed!({"type": "string", "format": "date-time"}
    => k8s_openapi::apimachinery::pkg::apis::meta::v1::Time,
       k8s_openapi::apimachinery::pkg::apis::meta::v1::MicroTime);

macro_rules! well_known {
    ($($name:ident),*) => {
        $(impl CrdSchema for k8s_openapi::apimachinery::pkg::apis::meta::v1::$name {
            fn schema() -> Map<String, Value> {
                well_known_schema(stringify!($name))
            }
        })*
    };
}
well_known!(
    ObjectMeta,
    Condition,
    LabelSelector,
    LabelSelectorRequirement,
    OwnerReference
);
macro_rules! well_known_core {
    ($($name:ident),*) => {
        $(impl CrdSchema for k8s_openapi::api::core::v1::$name {
            fn schema() -> Map<String, Value> {
                well_known_schema(stringify!($name))
            }
        })*
    };
}
well_known_core!(
    ObjectReference,
    LocalObjectReference,
    SecretKeySelector,
    ConfigMapKeySelector,
    TypedLocalObjectReference
);

/// The schema of a k8s-openapi type by its name (`LabelSelector`, …), as controller-gen
/// writes it; `None` for a type not listed.
pub fn well_known(name: &str) -> Option<Map<String, Value>> {
    let all: Value = serde_json::from_str(WELL_KNOWN).expect("the well-known schemas are JSON");
    all.get(name).cloned().map(object)
}

fn well_known_schema(name: &str) -> Map<String, Value> {
    well_known(name).unwrap_or_else(|| object(json!({"type": "object"})))
}

impl<T: CrdSchema + ?Sized> CrdSchema for &T {
    fn schema() -> Map<String, Value> {
        T::schema()
    }
}

macro_rules! transparent {
    ($($p:ident)::*) => {
        impl<T: CrdSchema + ?Sized> CrdSchema for $($p)::*<T> {
            fn schema() -> Map<String, Value> {
                T::schema()
            }
        }
    };
}
transparent!(Box);
transparent!(std::rc::Rc);
transparent!(std::sync::Arc);

/// `Option<T>` inside a list or a map: `null` is a value. (A field of type
/// `Option<T>` is not required instead, and `Option<Option<T>>` is nullable.)
impl<T: CrdSchema> CrdSchema for Option<T> {
    fn schema() -> Map<String, Value> {
        let mut s = T::schema();
        s.insert("nullable".into(), Value::Bool(true));
        s
    }
}

macro_rules! list {
    ($($p:ident),*) => {
        $(impl<T: CrdSchema> CrdSchema for $p<T> {
            fn schema() -> Map<String, Value> {
                let mut s = Map::new();
                s.insert("type".into(), json!("array"));
                s.insert("items".into(), Value::Object(T::schema()));
                s
            }
        })*
    };
}
list!(Vec, VecDeque, BTreeSet, HashSet);

impl<T: CrdSchema, const N: usize> CrdSchema for [T; N] {
    fn schema() -> Map<String, Value> {
        <Vec<T>>::schema()
    }
}

/// A map with string keys; `Map<String, Value>` keeps any object.
fn map_schema(values: Map<String, Value>) -> Map<String, Value> {
    if values.len() == 1 && values.get("x-kubernetes-preserve-unknown-fields") == Some(&json!(true))
    {
        return object(json!({"type": "object", "x-kubernetes-preserve-unknown-fields": true}));
    }
    let mut s = Map::new();
    s.insert("type".into(), json!("object"));
    s.insert("additionalProperties".into(), Value::Object(values));
    s
}

impl<V: CrdSchema> CrdSchema for BTreeMap<String, V> {
    fn schema() -> Map<String, Value> {
        map_schema(V::schema())
    }
}

impl<V: CrdSchema, H> CrdSchema for HashMap<String, V, H> {
    fn schema() -> Map<String, Value> {
        map_schema(V::schema())
    }
}

/// Merge several versions' `crd()` of one kind into one CustomResourceDefinition.
///
/// The first CRD gives the names, scope and metadata; the versions are sorted by name.
/// Errors when the CRDs are of different resources or disagree on names or scope, when a
/// version appears twice, or when there is not exactly one storage version.
pub fn merge_crds(
    crds: impl IntoIterator<Item = CustomResourceDefinition>,
) -> Result<CustomResourceDefinition, MergeError> {
    let mut iter = crds.into_iter();
    let mut out = iter.next().ok_or(MergeError::Empty)?;
    for crd in iter {
        if crd.metadata.name != out.metadata.name
            || crd.spec.group != out.spec.group
            || crd.spec.names != out.spec.names
            || crd.spec.scope != out.spec.scope
        {
            return Err(MergeError::Mismatch {
                first: out.metadata.name.clone().unwrap_or_default(),
                other: crd.metadata.name.clone().unwrap_or_default(),
            });
        }
        if out.spec.conversion.is_none() {
            out.spec.conversion = crd.spec.conversion;
        }
        out.spec.versions.extend(crd.spec.versions);
    }
    out.spec.versions.sort_by(|a, b| a.name.cmp(&b.name));
    for pair in out.spec.versions.windows(2) {
        if pair[0].name == pair[1].name {
            return Err(MergeError::DuplicateVersion(pair[0].name.clone()));
        }
    }
    let storage: Vec<String> = out
        .spec
        .versions
        .iter()
        .filter(|v| v.storage)
        .map(|v| v.name.clone())
        .collect();
    if storage.len() != 1 {
        return Err(MergeError::Storage {
            crd: out.metadata.name.clone().unwrap_or_default(),
            storage,
        });
    }
    Ok(out)
}

/// Why [`merge_crds`] could not merge.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MergeError {
    /// No CRD was given.
    #[error("no CustomResourceDefinition to merge")]
    Empty,
    /// The CRDs are of different resources (or disagree on names or scope).
    #[error("`{other}` cannot be merged into `{first}`: the group, names and scope must be equal")]
    Mismatch {
        /// The first CRD's name.
        first: String,
        /// The other CRD's name.
        other: String,
    },
    /// A version appears more than once.
    #[error("version `{0}` appears more than once")]
    DuplicateVersion(String),
    /// Not exactly one version is the storage version.
    #[error("`{crd}` must have exactly one storage version (`#[crdgen(storage)]`), found {}: {storage:?}", storage.len())]
    Storage {
        /// The CRD's name.
        crd: String,
        /// The versions marked as storage.
        storage: Vec<String>,
    },
}

/// What `#[derive(CrdSchema)]` expands to calls these; not a stable API.
#[doc(hidden)]
pub mod __derive {
    pub use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
    pub use serde_json::{Map, Value};

    use serde_json::json;

    /// Apply an overlay (`{"set": {…}, "omit": […], "items": {…}, "values": {…}}`, as
    /// `crdgen::rust_input::shape::Overlay::to_json` writes it) to a node.
    pub fn apply_overlay(node: &mut Map<String, Value>, overlay: &Value) {
        if let Some(Value::Object(set)) = overlay.get("set") {
            for (k, v) in set {
                node.insert(k.clone(), v.clone());
            }
        }
        if let Some(Value::Array(omit)) = overlay.get("omit") {
            for k in omit.iter().filter_map(Value::as_str) {
                node.remove(k);
            }
        }
        for (key, child) in [("items", "items"), ("values", "additionalProperties")] {
            if let Some(o) = overlay.get(key) {
                let entry = node
                    .entry(child.to_owned())
                    .or_insert_with(|| Value::Object(Map::new()));
                if !entry.is_object() {
                    *entry = Value::Object(Map::new());
                }
                if let Value::Object(m) = entry {
                    apply_overlay(m, o);
                }
            }
        }
    }

    /// A property: the type's schema without its own description, the field's doc
    /// comment, `nullable` (`Option<Option<T>>`), then the field's `#[crdgen(...)]`.
    pub fn field(
        mut node: Map<String, Value>,
        description: Option<&str>,
        nullable: bool,
        overlay: Option<&str>,
    ) -> Value {
        node.remove("description");
        if let Some(d) = description {
            node.insert("description".into(), json!(d));
        }
        if nullable {
            node.insert("nullable".into(), json!(true));
        }
        if let Some(o) = overlay {
            let o: Value = serde_json::from_str(o).expect("the derive writes valid JSON");
            apply_overlay(&mut node, &o);
        }
        Value::Object(node)
    }

    /// `#[serde(flatten)]`: the properties and required fields of a struct join the
    /// parent's; a map of values keeps unknown fields.
    pub fn flatten(
        schema: Map<String, Value>,
        props: &mut Map<String, Value>,
        required: &mut Vec<Value>,
        extra: &mut bool,
    ) {
        if schema.get("x-kubernetes-preserve-unknown-fields") == Some(&json!(true)) {
            *extra = true;
        }
        if let Some(Value::Object(p)) = schema.get("properties") {
            props.extend(p.clone());
        }
        if let Some(Value::Array(r)) = schema.get("required") {
            required.extend(r.iter().cloned());
        }
    }

    /// An enum of unit variants: a string with these values.
    pub fn string_enum(values: &[&str], description: Option<&str>) -> Map<String, Value> {
        describe(
            super::object(json!({"type": "string", "enum": values})),
            description,
        )
    }

    /// A struct's object schema.
    pub fn object(
        props: Map<String, Value>,
        required: Vec<Value>,
        extra: bool,
        description: Option<&str>,
    ) -> Map<String, Value> {
        let mut node = Map::new();
        node.insert("type".into(), json!("object"));
        if extra {
            node.insert("x-kubernetes-preserve-unknown-fields".into(), json!(true));
        }
        if !props.is_empty() {
            node.insert("properties".into(), Value::Object(props));
        }
        if !required.is_empty() {
            node.insert("required".into(), Value::Array(required));
        }
        describe(node, description)
    }

    pub use super::enums::*;
    /// A kind's root schema (as `crdgen::rust_input::root_schema` builds it): the
    /// standard properties (JSON), the kind's properties, required list, unknown
    /// fields and doc, then the `root(...)` overlay.
    pub fn root(
        standard: &str,
        overlay: Option<&str>,
        description: Option<&str>,
        props: Map<String, Value>,
        required: Vec<Value>,
        extra: bool,
    ) -> Map<String, Value> {
        let mut root = Map::new();
        root.insert("type".into(), json!("object"));
        if let Some(d) = description {
            root.insert("description".into(), json!(d));
        }
        if extra {
            root.insert("x-kubernetes-preserve-unknown-fields".into(), json!(true));
        }
        let mut all: Map<String, Value> =
            serde_json::from_str(standard).expect("the derive writes valid JSON");
        all.extend(props);
        if !all.is_empty() {
            root.insert("properties".into(), Value::Object(all));
        }
        if !required.is_empty() {
            root.insert("required".into(), Value::Array(required));
        }
        if let Some(o) = overlay {
            let o: Value = serde_json::from_str(o).expect("the derive writes valid JSON");
            apply_overlay(&mut root, &o);
        }
        root
    }

    /// A kind's CRD: the manifest without a schema (`skeleton`, JSON written by the
    /// derive from the kind's attributes) and the root schema.
    pub fn crd(skeleton: &str, root: Option<Map<String, Value>>) -> CustomResourceDefinition {
        let mut doc: Value = serde_json::from_str(skeleton).expect("the derive writes valid JSON");
        if let (Some(root), Some(version)) = (root, doc.pointer_mut("/spec/versions/0")) {
            version["schema"] = json!({ "openAPIV3Schema": root });
        }
        serde_json::from_value(doc)
            .expect("the derive writes a CustomResourceDefinition k8s-openapi reads")
    }
}

/// Enums with data as structural schemas.
#[doc(hidden)]
pub mod enums {
    // BEGIN shared with crdgen::rust_input::enums (a test keeps the two equal)
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
}

/// The schemas of the k8s-openapi types CRDs embed, as controller-gen writes them
/// (the same as `crdgen`'s `rust_input/wellknown.json`; a test compares them).
const WELL_KNOWN: &str = r#"{"Condition":{"description":"Condition contains details for one aspect of the current state of this API Resource.","properties":{"lastTransitionTime":{"description":"lastTransitionTime is the last time the condition transitioned from one status to another.\nThis should be when the underlying condition changed.  If that is not known, then using the time when the API field changed is acceptable.","format":"date-time","type":"string"},"message":{"description":"message is a human readable message indicating details about the transition.\nThis may be an empty string.","maxLength":32768,"type":"string"},"observedGeneration":{"description":"observedGeneration represents the .metadata.generation that the condition was set based upon.\nFor instance, if .metadata.generation is currently 12, but the .status.conditions[x].observedGeneration is 9, the condition is out of date\nwith respect to the current state of the instance.","format":"int64","minimum":0,"type":"integer"},"reason":{"description":"reason contains a programmatic identifier indicating the reason for the condition's last transition.\nProducers of specific condition types may define expected values and meanings for this field,\nand whether the values are considered a guaranteed API.\nThe value should be a CamelCase string.\nThis field may not be empty.","maxLength":1024,"minLength":1,"pattern":"^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$","type":"string"},"status":{"description":"status of the condition, one of True, False, Unknown.","enum":["True","False","Unknown"],"type":"string"},"type":{"description":"type of condition in CamelCase or in foo.example.com/CamelCase.","maxLength":316,"pattern":"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$","type":"string"}},"required":["lastTransitionTime","message","reason","status","type"],"type":"object"},"ConfigMapKeySelector":{"description":"Selects a key from a ConfigMap.","properties":{"key":{"description":"The key to select.","type":"string"},"name":{"default":"","description":"Name of the referent.\nThis field is effectively required, but due to backwards compatibility is\nallowed to be empty. Instances of this type with an empty value here are\nalmost certainly wrong.\nMore info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#names","type":"string"},"optional":{"description":"Specify whether the ConfigMap or its key must be defined","type":"boolean"}},"required":["key"],"type":"object","x-kubernetes-map-type":"atomic"},"LabelSelector":{"description":"A label selector is a label query over a set of resources. The result of matchLabels and\nmatchExpressions are ANDed. An empty label selector matches all objects. A null\nlabel selector matches no objects.","properties":{"matchExpressions":{"description":"matchExpressions is a list of label selector requirements. The requirements are ANDed.","items":{"description":"A label selector requirement is a selector that contains values, a key, and an operator that\nrelates the key and values.","properties":{"key":{"description":"key is the label key that the selector applies to.","type":"string"},"operator":{"description":"operator represents a key's relationship to a set of values.\nValid operators are In, NotIn, Exists and DoesNotExist.","type":"string"},"values":{"description":"values is an array of string values. If the operator is In or NotIn,\nthe values array must be non-empty. If the operator is Exists or DoesNotExist,\nthe values array must be empty. This array is replaced during a strategic\nmerge patch.","items":{"type":"string"},"type":"array","x-kubernetes-list-type":"atomic"}},"required":["key","operator"],"type":"object"},"type":"array","x-kubernetes-list-type":"atomic"},"matchLabels":{"additionalProperties":{"type":"string"},"description":"matchLabels is a map of {key,value} pairs. A single {key,value} in the matchLabels\nmap is equivalent to an element of matchExpressions, whose key field is \"key\", the\noperator is \"In\", and the values array contains only \"value\". The requirements are ANDed.","type":"object"}},"type":"object","x-kubernetes-map-type":"atomic"},"LabelSelectorRequirement":{"description":"A label selector requirement is a selector that contains values, a key, and an operator that\nrelates the key and values.","properties":{"key":{"description":"key is the label key that the selector applies to.","type":"string"},"operator":{"description":"operator represents a key's relationship to a set of values.\nValid operators are In, NotIn, Exists and DoesNotExist.","type":"string"},"values":{"description":"values is an array of string values. If the operator is In or NotIn,\nthe values array must be non-empty. If the operator is Exists or DoesNotExist,\nthe values array must be empty. This array is replaced during a strategic\nmerge patch.","items":{"type":"string"},"type":"array","x-kubernetes-list-type":"atomic"}},"required":["key","operator"],"type":"object"},"LocalObjectReference":{"description":"LocalObjectReference contains enough information to let you locate the\nreferenced object inside the same namespace.","properties":{"name":{"default":"","description":"Name of the referent.\nThis field is effectively required, but due to backwards compatibility is\nallowed to be empty. Instances of this type with an empty value here are\nalmost certainly wrong.\nMore info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#names","type":"string"}},"type":"object","x-kubernetes-map-type":"atomic"},"ObjectMeta":{"type":"object"},"ObjectReference":{"description":"ObjectReference contains enough information to let you inspect or modify the referred object.","properties":{"apiVersion":{"description":"API version of the referent.","type":"string"},"fieldPath":{"description":"If referring to a piece of an object instead of an entire object, this string\nshould contain a valid JSON/Go field access statement, such as desiredState.manifest.containers[2].","type":"string"},"kind":{"description":"Kind of the referent.\nMore info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds","type":"string"},"name":{"description":"Name of the referent.\nMore info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#names","type":"string"},"namespace":{"description":"Namespace of the referent.\nMore info: https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/","type":"string"},"resourceVersion":{"description":"Specific resourceVersion to which this reference is made, if any.\nMore info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#concurrency-control-and-consistency","type":"string"},"uid":{"description":"UID of the referent.\nMore info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#uids","type":"string"}},"type":"object","x-kubernetes-map-type":"atomic"},"OwnerReference":{"description":"OwnerReference contains enough information to let you identify an owning\nobject. An owning object must be in the same namespace as the dependent, or\nbe cluster-scoped, so there is no namespace field.","properties":{"apiVersion":{"description":"API version of the referent.","type":"string"},"blockOwnerDeletion":{"description":"If true, AND if the owner has the \"foregroundDeletion\" finalizer, then\nthe owner cannot be deleted from the key-value store until this\nreference is removed.","type":"boolean"},"controller":{"description":"If true, this reference points to the managing controller.","type":"boolean"},"kind":{"description":"Kind of the referent.\nMore info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds","type":"string"},"name":{"description":"Name of the referent.\nMore info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#names","type":"string"},"uid":{"description":"UID of the referent.\nMore info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#uids","type":"string"}},"required":["apiVersion","kind","name","uid"],"type":"object","x-kubernetes-map-type":"atomic"},"SecretKeySelector":{"description":"Selects a key of a secret in the pod's namespace","properties":{"key":{"description":"The key of the secret to select from.  Must be a valid secret key.","type":"string"},"name":{"default":"","description":"Name of the referent.\nThis field is effectively required, but due to backwards compatibility is\nallowed to be empty. Instances of this type with an empty value here are\nalmost certainly wrong.\nMore info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#names","type":"string"},"optional":{"description":"Specify whether the Secret or its key must be defined","type":"boolean"}},"required":["key"],"type":"object","x-kubernetes-map-type":"atomic"},"TypedLocalObjectReference":{"description":"TypedLocalObjectReference contains enough information to let you locate the\ntyped referenced object inside the same namespace.","properties":{"apiGroup":{"description":"APIGroup is the group for the resource being referenced.\nIf APIGroup is not specified, the specified Kind must be in the core API group.\nFor any other third-party types, APIGroup is required.","type":"string"},"kind":{"description":"Kind is the type of resource being referenced","type":"string"},"name":{"description":"Name is the name of resource being referenced","type":"string"}},"required":["kind","name"],"type":"object","x-kubernetes-map-type":"atomic"}}"#;
