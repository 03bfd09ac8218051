//! The model both front ends build and every emitter reads: plain, ordered data.
//!
//! - [`Model`] / [`ResourceModel`]: what a CRD declares (names, scope, versions,
//!   subresources, printer columns, schemas).
//! - [`Schema`]: a structural OpenAPI v3 schema, with every keyword kept (those that
//!   shape the Rust type are typed fields; validation keywords are kept verbatim in
//!   [`Schema::keywords`]) so a CRD can be written back without loss.
//! - [`TypeSpace`]: the named Rust types derived from the schemas of one group/version.

use std::path::PathBuf;
use std::sync::Arc;

use serde_json::Value;

use crate::input::yaml::Pos;

/// Everything loaded from the inputs, sorted by (group, kind).
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize)]
pub struct Model {
    /// One entry per CRD.
    pub resources: Vec<ResourceModel>,
}

/// Namespaced or cluster-scoped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub enum Scope {
    /// `Namespaced`.
    Namespaced,
    /// `Cluster`.
    Cluster,
}

/// One CustomResourceDefinition.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ResourceModel {
    /// The file it came from.
    pub file: PathBuf,
    /// Index of the document within the file.
    pub doc_index: usize,
    /// `metadata.name`, e.g. `foos.example.com`.
    pub name: String,
    /// API group.
    pub group: String,
    /// Kind.
    pub kind: String,
    /// List kind (defaults to `<Kind>List`).
    pub list_kind: String,
    /// Plural resource name.
    pub plural: String,
    /// Singular name (defaults to the lower-cased kind).
    pub singular: String,
    /// Short names.
    pub short_names: Vec<String>,
    /// Categories.
    pub categories: Vec<String>,
    /// Scope.
    pub scope: Scope,
    /// Versions in the CRD's order.
    pub versions: Vec<VersionModel>,
    /// `spec.preserveUnknownFields` (must be false for v1 CRDs with schemas).
    pub preserve_unknown_fields: bool,
    /// `spec.conversion`, kept verbatim.
    pub conversion: Option<Value>,
    /// Annotations and labels of the CRD itself, kept for writing it back.
    pub metadata: Value,
}

/// One version of a CRD.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct VersionModel {
    /// Version name, e.g. `v1alpha1`.
    pub name: String,
    /// Served by the API server.
    pub served: bool,
    /// The storage version.
    pub storage: bool,
    /// Marked deprecated.
    pub deprecated: bool,
    /// Warning returned to clients of a deprecated version.
    pub deprecation_warning: Option<String>,
    /// Status subresource enabled.
    pub status_subresource: bool,
    /// Scale subresource, if enabled.
    pub scale: Option<ScaleSubresource>,
    /// `additionalPrinterColumns`, verbatim.
    pub printer_columns: Vec<Value>,
    /// `selectableFields` JSON paths.
    pub selectable_fields: Vec<String>,
    /// The `openAPIV3Schema`, if any.
    pub schema: Option<Schema>,
    /// Where the version entry is, for diagnostics.
    pub path: String,
}

/// Paths of the scale subresource.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ScaleSubresource {
    /// `.spec.replicas`-style path of the desired replicas.
    pub spec_replicas_path: String,
    /// Path of the observed replicas.
    pub status_replicas_path: String,
    /// Path of the serialized label selector.
    pub label_selector_path: Option<String>,
}

/// `additionalProperties`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub enum AdditionalProperties {
    /// `true` / `false`.
    Bool(bool),
    /// A schema for every value.
    Schema(Box<Schema>),
}

/// Text that many places hold the same copy of: descriptions (every version of a CRD
/// repeats its descriptions, and the reader keeps one copy per document) and the docs
/// made from them. Cloning it shares the text; it reads as a `str`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Text(Arc<str>);

impl std::ops::Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl From<String> for Text {
    fn from(s: String) -> Text {
        Text(s.into())
    }
}

impl From<&str> for Text {
    fn from(s: &str) -> Text {
        Text(s.into())
    }
}

impl std::borrow::Borrow<str> for Text {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl serde::Serialize for Text {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

/// A structural schema node.
///
/// Its lists are boxed slices, not `Vec`s: a corpus holds hundreds of thousands of
/// nodes, each with several lists, most of them empty, none of them growing once read
/// (a boxed slice is two words, has no spare capacity, and reads as a slice). The
/// keywords few nodes have are in one boxed [`SchemaExtra`], absent from most nodes
/// (read them through [`Schema::format`], [`Schema::default_value`], …): a node is
/// then 120 bytes instead of 272, and the property lists were most of the peak heap.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize)]
pub struct Schema {
    /// Where the node is in the file (its path, for a diagnostic: [`Schema::path_of`]).
    pub pos: Pos,
    /// `type`: one of the six names the API server accepts (no allocation per node).
    pub ty: Option<&'static str>,
    /// `description` (shared with the nodes and docs that repeat it).
    pub description: Option<Text>,
    /// `properties`, in document order.
    pub properties: Box<[(String, Schema)]>,
    /// `required`.
    pub required: Box<[String]>,
    /// `items`.
    pub items: Option<Box<Schema>>,
    /// `additionalProperties`.
    pub additional_properties: Option<AdditionalProperties>,
    /// `nullable`.
    pub nullable: bool,
    /// `x-kubernetes-preserve-unknown-fields`.
    pub preserve_unknown_fields: bool,
    /// `x-kubernetes-int-or-string`.
    pub int_or_string: bool,
    /// `x-kubernetes-embedded-resource`.
    pub embedded_resource: bool,
    /// The keywords few nodes have; `None` when the node has none of them.
    #[serde(flatten)]
    pub extra: Option<Box<SchemaExtra>>,
}

/// The keywords of a [`Schema`] node that most nodes do not have (one in five nodes
/// of the dev corpus has any of them).
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize)]
pub struct SchemaExtra {
    /// `format`.
    pub format: Option<String>,
    /// `default`.
    pub default: Option<Value>,
    /// `enum`.
    pub enum_values: Option<Vec<Value>>,
    /// `allOf`.
    pub all_of: Box<[Schema]>,
    /// `anyOf`.
    pub any_of: Box<[Schema]>,
    /// `oneOf`.
    pub one_of: Box<[Schema]>,
    /// `not`.
    pub not: Option<Box<Schema>>,
    /// Every other keyword, verbatim (validation: minimum, pattern, maxItems,
    /// x-kubernetes-validations, x-kubernetes-list-type, example, …), sorted by name.
    /// (A sorted list, not a map: most nodes have none or one, and a map's first
    /// node costs hundreds of bytes. Serialized as a map.)
    #[serde(serialize_with = "keywords_as_map")]
    pub keywords: Box<[(String, Value)]>,
}

fn keywords_as_map<S: serde::Serializer>(
    keywords: &[(String, Value)],
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.collect_map(keywords.iter().map(|(k, v)| (k, v)))
}

impl SchemaExtra {
    /// Whether it holds none of the keywords.
    pub fn is_empty(&self) -> bool {
        let SchemaExtra {
            format,
            default,
            enum_values,
            all_of,
            any_of,
            one_of,
            not,
            keywords,
        } = self;
        format.is_none()
            && default.is_none()
            && enum_values.is_none()
            && all_of.is_empty()
            && any_of.is_empty()
            && one_of.is_empty()
            && not.is_none()
            && keywords.is_empty()
    }
}

impl Schema {
    /// The node's [`SchemaExtra`], made empty if it has none (for building a node).
    pub fn extra_mut(&mut self) -> &mut SchemaExtra {
        self.extra.get_or_insert_with(Box::default)
    }

    /// `format`.
    pub fn format(&self) -> Option<&str> {
        self.extra.as_ref()?.format.as_deref()
    }

    /// `default`.
    pub fn default_value(&self) -> Option<&Value> {
        self.extra.as_ref()?.default.as_ref()
    }

    /// `enum`.
    pub fn enum_values(&self) -> Option<&[Value]> {
        self.extra.as_ref()?.enum_values.as_deref()
    }

    /// `allOf`.
    pub fn all_of(&self) -> &[Schema] {
        self.extra.as_ref().map_or(&[], |e| &e.all_of)
    }

    /// `anyOf`.
    pub fn any_of(&self) -> &[Schema] {
        self.extra.as_ref().map_or(&[], |e| &e.any_of)
    }

    /// `oneOf`.
    pub fn one_of(&self) -> &[Schema] {
        self.extra.as_ref().map_or(&[], |e| &e.one_of)
    }

    /// `not`.
    pub fn not(&self) -> Option<&Schema> {
        self.extra.as_ref()?.not.as_deref()
    }

    /// The other keywords, verbatim ([`SchemaExtra::keywords`]).
    pub fn keywords(&self) -> &[(String, Value)] {
        self.extra.as_ref().map_or(&[], |e| &e.keywords)
    }

    /// Look up a property.
    pub fn property(&self, name: &str) -> Option<&Schema> {
        self.properties
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, s)| s)
    }

    /// How many nodes the schema has (this one, its properties, items and
    /// additional properties, all the way down): a measure of the work it makes.
    /// Counting stops at `limit`.
    pub fn node_count(&self, limit: usize) -> usize {
        let mut stack = vec![self];
        let mut n = 0;
        while let Some(s) = stack.pop() {
            n += 1;
            if n >= limit {
                break;
            }
            stack.extend(s.properties.iter().map(|(_, p)| p));
            stack.extend(s.items.as_deref());
            if let Some(AdditionalProperties::Schema(a)) = &s.additional_properties {
                stack.push(a);
            }
        }
        n
    }

    /// The dotted path of the node at `pos` below this one (this one included), for
    /// diagnostics: `base` is this node's path, e.g. `spec.versions[0].schema.openAPIV3Schema`
    /// gives `spec.versions[0].schema.openAPIV3Schema.properties.spec`. Paths are not
    /// stored in the nodes: they are long, and only a diagnostic needs one.
    pub fn path_of(&self, base: &str, pos: Pos) -> Option<String> {
        if self.pos == pos {
            return Some(base.to_owned());
        }
        let props = join_path(base, "properties");
        for (name, p) in &self.properties {
            if let Some(found) = p.path_of(&join_path(&props, name), pos) {
                return Some(found);
            }
        }
        let single = [
            ("items", self.items.as_deref()),
            (
                "additionalProperties",
                match &self.additional_properties {
                    Some(AdditionalProperties::Schema(s)) => Some(&**s),
                    _ => None,
                },
            ),
            ("not", self.not()),
        ];
        for (key, sub) in single {
            if let Some(found) = sub.and_then(|s| s.path_of(&join_path(base, key), pos)) {
                return Some(found);
            }
        }
        for (key, list) in [
            ("allOf", self.all_of()),
            ("anyOf", self.any_of()),
            ("oneOf", self.one_of()),
        ] {
            let at = join_path(base, key);
            for (i, s) in list.iter().enumerate() {
                if let Some(found) = s.path_of(&format!("{at}[{i}]"), pos) {
                    return Some(found);
                }
            }
        }
        None
    }

    /// Whether `name` is listed in `required`.
    pub fn is_required(&self, name: &str) -> bool {
        self.required.iter().any(|r| r == name)
    }
}

// ---------------------------------------------------------------------------------
// Rust types
// ---------------------------------------------------------------------------------

/// Index of a named type in a [`TypeSpace`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct TypeId(pub usize);

/// A Rust identifier produced by `passes::naming` (raw identifiers as `r#type`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default, serde::Serialize)]
pub struct RustIdent(pub String);

impl RustIdent {
    /// The identifier without a `r#` prefix.
    pub fn unraw(&self) -> &str {
        self.0.strip_prefix("r#").unwrap_or(&self.0)
    }
}

/// Types from k8s-openapi that a schema can reuse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub enum WellKnown {
    /// `meta/v1 ObjectMeta`.
    ObjectMeta,
    /// `meta/v1 LabelSelector`.
    LabelSelector,
    /// `meta/v1 LabelSelectorRequirement`.
    LabelSelectorRequirement,
    /// `core/v1 ObjectReference`.
    ObjectReference,
    /// `core/v1 LocalObjectReference`.
    LocalObjectReference,
    /// `core/v1 SecretKeySelector`.
    SecretKeySelector,
    /// `core/v1 ConfigMapKeySelector`.
    ConfigMapKeySelector,
    /// `core/v1 TypedLocalObjectReference`.
    TypedLocalObjectReference,
    /// `meta/v1 OwnerReference`.
    OwnerReference,
}

/// A Rust type as used by a field.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub enum TypeRef {
    /// `bool`.
    Bool,
    /// `i32`.
    I32,
    /// `i64`.
    I64,
    /// `f64`.
    F64,
    /// `String`.
    String,
    /// `IntOrString`.
    IntOrString,
    /// `serde_json::Value`.
    Json,
    /// A JSON object with any keys (`BTreeMap<String, serde_json::Value>`).
    JsonObject,
    /// `Vec<T>`.
    List(Box<TypeRef>),
    /// `BTreeMap<String, T>`.
    Map(Box<TypeRef>),
    /// A generated struct or enum.
    Named(TypeId),
    /// A k8s-openapi type.
    WellKnown(WellKnown),
    /// A Rust type the user named for a schema format or a field
    /// ([`crate::Settings::type_overrides`]), written as given.
    Override(String),
}

/// How a field is wrapped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub enum Presence {
    /// Required, not nullable: `T`.
    Required,
    /// Required and nullable: `Option<T>` always serialized (`null` kept).
    RequiredNullable,
    /// Optional, not nullable: `Option<T>`, absent when `None`.
    Optional,
    /// Optional and nullable: `Option<Option<T>>` (absent / null / value).
    OptionalNullable,
}

/// A struct field.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct Field {
    /// Name on the wire.
    pub wire_name: String,
    /// Name in Rust.
    pub rust_name: RustIdent,
    /// The type (before wrapping for presence).
    pub ty: TypeRef,
    /// Required/nullable wrapping.
    pub presence: Presence,
    /// Schema default, as compact JSON text.
    pub default: Option<String>,
    /// Documentation.
    pub doc: Option<Text>,
}

/// A generated struct.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct StructDef {
    /// Fields in schema order.
    pub fields: Vec<Field>,
    /// Unknown fields are kept in a flattened map (`x-kubernetes-preserve-unknown-fields`
    /// beside `properties`).
    pub preserve_unknown: bool,
}

/// A variant of a string enum.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct Variant {
    /// The value on the wire.
    pub wire: String,
    /// The Rust variant name.
    pub rust_name: RustIdent,
}

/// A generated string enum. Values outside the list are kept in a catch-all variant
/// so objects written by a newer server still decode and re-encode unchanged.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct EnumDef {
    /// The listed values.
    pub variants: Vec<Variant>,
    /// Name of the catch-all variant holding any other string.
    pub other: RustIdent,
    /// Index of the variant that is the schema's default, if any.
    pub default: Option<usize>,
}

/// The body of a named type.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub enum TypeBody {
    /// A struct.
    Struct(StructDef),
    /// A string enum.
    Enum(EnumDef),
}

/// A named type.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TypeDef {
    /// The Rust name.
    pub name: RustIdent,
    /// Documentation.
    pub doc: Option<Text>,
    /// Where it comes from, e.g. `Foo.spec.template`.
    pub origin: String,
    /// The body.
    pub body: TypeBody,
    /// Whether the type implements `Default`.
    pub has_default: bool,
}

/// A root kind of one version.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct KindDef {
    /// Index into [`Model::resources`].
    pub resource: usize,
    /// Index into that resource's versions.
    pub version: usize,
    /// The root struct's name (the kind).
    pub name: RustIdent,
    /// Top-level fields other than apiVersion/kind/metadata (spec, status, …).
    pub fields: Vec<Field>,
    /// Extra top-level fields are kept (preserve-unknown-fields at the root).
    pub preserve_unknown: bool,
    /// Documentation.
    pub doc: Option<Text>,
    /// Whether the root implements `Default`.
    pub has_default: bool,
}

/// Names of the items emitted beside the types of a group/version (typed client,
/// kind enum, informers), claimed in the module's namespace so they never collide.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize)]
pub struct ModuleItems {
    /// The typed client, e.g. `ExampleComV1Client`.
    pub client: RustIdent,
    /// The enum of kinds, e.g. `ExampleComV1Kind`.
    pub kind_enum: RustIdent,
    /// The informer accessors, e.g. `ExampleComV1Informers`.
    pub informers: RustIdent,
}

/// The Rust types of one group/version module.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize)]
pub struct TypeSpace {
    /// API group.
    pub group: String,
    /// Version.
    pub version: String,
    /// Names of the non-type items of the module.
    pub items: ModuleItems,
    /// Root kinds, sorted by kind.
    pub kinds: Vec<KindDef>,
    /// Named types; `TypeId` indexes this.
    pub types: Vec<TypeDef>,
}

/// A key's path below `path`: `a.b`, or `a["b.c"]` for a key that is not a plain
/// word; the key alone at the root.
pub(crate) fn join_path(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else if key
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        format!("{path}.{key}")
    } else {
        format!("{path}[{key:?}]")
    }
}

#[cfg(test)]
mod tests {
    /// A corpus holds hundreds of thousands of schema nodes, inline in their parents'
    /// property lists: a field added to [`super::Schema`] belongs in
    /// [`super::SchemaExtra`] unless most nodes have it.
    #[test]
    fn schema_node_stays_small() {
        assert_eq!(std::mem::size_of::<super::Schema>(), 120);
    }
}
