//! Derive macros for crdgen: CustomResourceDefinitions and typed kinds from Rust structs
//! (controller-gen's markers and kube-derive's `#[kube(...)]` as `#[crdgen(...)]`).
//!
//! `#[derive(CrdSchema)]` implements `crdgen_runtime::CrdSchema` (the type's OpenAPI v3
//! schema, composed at run time from its fields' types' impls) for any struct or enum.
//! On the spec struct of a kind, with `#[crdgen(group = …, version = …, kind = …,
//! plural = …)]`, it also generates the kind: the object struct (`metadata`, `spec`,
//! `status`), its `kube::Resource`, `crdgen_runtime::CustomResource`, status and scale
//! marker impls, `HasSpec`/`HasStatus`, serde impls, `new(name, spec)`, and `crd()`,
//! the version's `CustomResourceDefinition`. Use it through `crdgen-runtime` with its
//! `derive` feature:
//!
//! ```toml
//! [dependencies]
//! crdgen-runtime = { version = "0.1", features = ["derive"] }
//! k8s-openapi = { version = "0.29", features = ["v1_36"] }
//! serde = { version = "1", features = ["derive"] }
//! ```
//!
//! ```ignore
//! use crdgen_runtime::CrdSchema;
//! use serde::{Deserialize, Serialize};
//!
//! /// A Widget.
//! #[derive(Clone, Debug, Serialize, Deserialize, CrdSchema)]
//! #[serde(rename_all = "camelCase")]
//! #[crdgen(group = "example.com", version = "v1", kind = "Widget", plural = "widgets",
//!          storage, status = "WidgetStatus",
//!          scale(spec_replicas_path = ".spec.replicas", status_replicas_path = ".status.replicas"))]
//! pub struct WidgetSpec {
//!     /// Desired replicas.
//!     #[crdgen(minimum = 0, maximum = 10)]
//!     pub replicas: i32,
//! }
//!
//! #[derive(Clone, Debug, Default, Serialize, Deserialize, CrdSchema)]
//! pub struct WidgetStatus {
//!     #[serde(default)]
//!     pub replicas: i32,
//! }
//!
//! let crd = Widget::crd();                       // CustomResourceDefinition
//! let w = Widget::new("w1", WidgetSpec { replicas: 2 });
//! let client: crdgen_runtime::client::ResourceClient<Widget> =
//!     crdgen_runtime::client::ResourceClient::namespaced(kube_client, "default");
//! ```
//!
//! The same attributes are read by `crdgen crd --paths src/` (the CLI, which reads the
//! source with syn without compiling it); both use the grammar of the `crdgen-attrs`
//! crate, and the tests check that they build equal CRDs. The annotated form that
//! `crdgen generate --annotated` writes (kind attributes on a struct with a `metadata`
//! field, which already has its `Resource` impls) gets only the schema and `crd()`.
//! Several versions of a kind: `crdgen_runtime::crd_schema::merge_crds([v1::Widget::crd(),
//! v1beta1::Widget::crd()])`, which requires exactly one storage version.
//!
//! # What the Rust types give
//!
//! | Rust | schema |
//! |---|---|
//! | `bool`; `f32`, `f64`; `String` | `boolean`; `number`; `string` |
//! | `i32`; `i64`, `isize`, `i128` | `integer`/`int32`; `integer`/`int64` |
//! | `i8`, `i16` | `integer`/`int32` with the type's `minimum` and `maximum` |
//! | `u8`, `u16`; `u32` | `integer`/`int32`; `integer`/`int64`; `minimum: 0` and the type's `maximum` |
//! | `u64`, `usize`, `u128` | `integer`/`int64`, `minimum: 0` (no `maximum`: `u64::MAX` is not exact in the server's float64) |
//! | `NonZeroU8` … `NonZeroU128`, `NonZero<u16>` … | as the unsigned type, with `minimum: 1` (signed `NonZero` types are not supported) |
//! | `char` | `string` with `minLength: 1`, `maxLength: 1` |
//! | `Vec<T>`, `VecDeque`, `BTreeSet`, `HashSet`, `[T; N]` | `array` of `T` |
//! | `BTreeMap<String, T>`, `HashMap<String, T>` | `object` with `additionalProperties` |
//! | `serde_json::Value`; `BTreeMap<String, Value>`, `serde_json::Map` | `x-kubernetes-preserve-unknown-fields` (any value; any object) |
//! | `IntOrString`, `Quantity` | `x-kubernetes-int-or-string` (with the quantity pattern) |
//! | `Time`, `MicroTime` | `string`/`date-time` |
//! | `ObjectMeta`, `Condition`, `LabelSelector`, `LabelSelectorRequirement`, `OwnerReference`, `ObjectReference`, `LocalObjectReference`, `SecretKeySelector`, `ConfigMapKeySelector`, `TypedLocalObjectReference` | controller-gen's schema of the type |
//! | `Box<T>`, `Rc<T>`, `Arc<T>`, a newtype struct | the schema of `T` |
//! | a field `Option<T>` | `T`, not required |
//! | a field `Option<Option<T>>` | `T` with `nullable: true` (an explicit `null` survives) |
//! | `Option<T>` in a list or map | `T` with `nullable: true` |
//! | a struct | `object` with `properties` and `required` (fields that are neither `Option` nor `#[serde(default)]` nor `skip_serializing_if`) |
//! | an enum of unit variants | `string` with `enum` (variant-level `#[serde(untagged)]` catch-alls such as `Other(String)` are left out) |
//! | an enum with data | see [Enums with data](#enums-with-data) |
//!
//! Doc comments become `description`s: a field's doc describes its property; a type's
//! doc describes list items, map values and the kind.
//!
//! # Serde attributes
//!
//! Honoured as serde behaves: `rename` (also `rename(serialize = …)`), `rename_all` (with
//! serde's own case conversion, for fields and for variants), `rename_all_fields`,
//! `flatten` (a struct's properties and required fields join the parent's; a flattened
//! map of `Value`s keeps unknown fields), `skip`/`skip_serializing`/`skip_deserializing`
//! (not in the schema), `default` on a field or the container and `skip_serializing_if`
//! (not required), `transparent`, `tag`, `content`, `untagged`.
//!
//! # Enums with data
//!
//! Structural schemas (the API server rejects anything else) with the properties at the
//! top level, and `oneOf`/`anyOf` holding only `required` lists and tag values:
//!
//! - externally tagged (serde's default): `object` with one property per variant and
//!   `oneOf: [{required: [a]}, {required: [b]}]` (mixing unit and data variants is an
//!   error: it has no structural schema);
//! - internally tagged, `#[serde(tag = "type")]`: the tag (`string` with every variant's
//!   name) beside the union of the variants' properties; `oneOf` holds per variant its tag
//!   value and required fields;
//! - adjacently tagged, `#[serde(tag = "t", content = "c")]`: the tag, and the content as
//!   the untagged union of the variants' data;
//! - untagged: objects join their properties (`anyOf` their required lists); values of
//!   one type keep that type; integers and strings are int-or-string; anything else keeps
//!   any value.
//!
//! A property two variants give different schemas keeps any value
//! (`x-kubernetes-preserve-unknown-fields`).
//!
//! # Kind attributes (on the spec struct)
//!
//! ## `#[crdgen(group = "…", version = "…", kind = "…", plural = "…")]`
//!
//! Required. The API group, the version, the kind (the name of the generated struct;
//! it must differ from the spec struct's) and the plural resource name. The CRD is
//! named `<plural>.<group>`.
//!
//! ## `#[crdgen(singular = "…", list_kind = "…")]`
//!
//! `spec.names.singular` (default: the kind in lower case) and `listKind` (default
//! `<Kind>List`).
//!
//! ## `#[crdgen(shortname = "…", category = "…")]`
//!
//! Repeatable: `spec.names.shortNames`, `spec.names.categories` (e.g. `category = "all"`).
//!
//! ## `#[crdgen(scope = "Namespaced" | "Cluster")]`
//!
//! `spec.scope` (default `Namespaced`); also the `kube::Resource::Scope` of the kind.
//!
//! ## `#[crdgen(status = "StatusType")]`
//!
//! The kind gets `status: Option<StatusType>`, the `status` subresource
//! (`subresources.status: {}`), `HasStatusSubresource` (the status verbs of the typed
//! client) and `HasStatus`. The type must implement `CrdSchema`; its schema is the
//! `status` property. (On the annotated form, plain `status` turns the subresource on.)
//!
//! ## `#[crdgen(scale(spec_replicas_path = "…", status_replicas_path = "…", label_selector_path = "…"))]`
//!
//! The `scale` subresource and `HasScaleSubresource` (the scale verbs); the two replica
//! paths are required.
//!
//! ## `#[crdgen(printcolumn(name = "…", type = "…", json_path = "…", description = "…", format = "…", priority = 1))]`
//!
//! Repeatable: `additionalPrinterColumns` (`kubectl get` columns). `name`, `type` and
//! `json_path` are required. `printcolumn(json = r#"{…}"#)` gives the entry as JSON.
//!
//! ## `#[crdgen(selectable_field = ".spec.color")]`
//!
//! Repeatable: `selectableFields` (field selectors on custom resources).
//!
//! ## `#[crdgen(storage, served = false, deprecated, deprecation_warning = "…")]`
//!
//! The version's flags: `storage` marks the storage version (exactly one per kind when
//! versions are merged), `served` defaults to `true`, `deprecated` makes clients warn
//! (with `deprecation_warning`, which needs `deprecated`).
//!
//! ## `#[crdgen(derive = "PartialEq")]`
//!
//! Repeatable: extra derives of the generated kind struct (it always derives `Clone`,
//! `Debug` and serde's traits).
//!
//! ## `#[crdgen(annotation("k", "v"), label("k", "v"), crd_name = "…", crd_metadata = r#"{…}"#, conversion = r#"{…}"#, crd_preserve_unknown_fields, no_schema)]`
//!
//! The CRD's own metadata, its conversion strategy, the legacy
//! `preserveUnknownFields`, and a version without a schema.
//!
//! ## `#[crdgen(root(…))]`
//!
//! Field attributes for the root schema node (e.g. `root(validation(rule = "…"))`).
//!
//! # Field attributes
//!
//! Keywords the Rust type does not express; each sets the keyword on the field's schema
//! node (replacing what the type gives).
//!
//! ## `#[crdgen(minimum = 0, maximum = 10, exclusive_minimum, exclusive_maximum, multiple_of = 0.5)]`
//!
//! Number bounds: `minimum: 0`, `exclusiveMinimum: true`, `multipleOf: 0.5`.
//!
//! ## `#[crdgen(min_length = 1, max_length = 63, pattern = "^[a-z]+$", format = "…")]`
//!
//! String constraints: `minLength`, `maxLength`, `pattern`, `format`.
//!
//! ## `#[crdgen(enum = r#"["a", "b"]"#)]`
//!
//! `enum` as JSON (a Rust enum of unit variants gives it by itself).
//!
//! ## `#[crdgen(min_items = 1, max_items = 8, unique_items)]`, `#[crdgen(min_properties = 1, max_properties = 8)]`
//!
//! List and map sizes.
//!
//! ## `#[crdgen(required("a", "b"))]`
//!
//! Replace the `required` list the struct's fields give.
//!
//! ## `#[crdgen(nullable)]`
//!
//! `nullable: true` (an `Option<Option<T>>` field gets it by itself).
//!
//! ## `#[crdgen(default = r#"{"a": 1}"#)]`
//!
//! `default`, as JSON; the API server fills it in. Give the field `#[serde(default)]`
//! too, so it is not required.
//!
//! ## `#[crdgen(validation(rule = "…", message = "…", message_expression = "…", reason = "…", field_path = "…", optional_old_self))]`
//!
//! Repeatable: one `x-kubernetes-validations` CEL rule each.
//!
//! ## `#[crdgen(preserve_unknown_fields)]`, `#[crdgen(int_or_string)]`, `#[crdgen(embedded_resource)]`
//!
//! `x-kubernetes-preserve-unknown-fields`, `x-kubernetes-int-or-string`,
//! `x-kubernetes-embedded-resource` (`= false` writes `false`).
//!
//! ## `#[crdgen(list_type = "map", list_map_keys("name"), map_type = "atomic")]`
//!
//! `x-kubernetes-list-type` (`atomic`, `set`, `map`), `x-kubernetes-list-map-keys`,
//! `x-kubernetes-map-type` (`granular`, `atomic`); `struct_type = "atomic"` is the same
//! keyword for a struct-typed field (controller-gen's `structType`).
//!
//! ## `#[crdgen(schemaless)]`
//!
//! Any value, whatever the Rust type (controller-gen's `Schemaless`):
//! `x-kubernetes-preserve-unknown-fields: true` without the type's keywords.
//!
//! ## `#[crdgen(items(…))]`, `#[crdgen(values(…))]`
//!
//! The same items for the list's item schema / the map's value schema:
//! `items(max_length = 63)`.
//!
//! ## `#[crdgen(type = "…", omit("format"), keyword("x-name", r#"json"#), description = "…", title = "…", example = r#"…"#, external_docs = r#"…"#, all_of = r#"…"#, any_of = r#"…"#, one_of = r#"…"#, not = r#"…"#, properties = r#"…"#)]`
//!
//! Schemaless and escape hatches: set the type, drop a keyword the type gives, set any
//! keyword verbatim (JSON), or the JSON-valued keywords. `#[crdgen(type = "object",
//! preserve_unknown_fields, omit("properties"))]` keeps unknown fields of an object.
//!
//! ## `#[crdgen(skip)]`
//!
//! The field is not in the schema (as `#[serde(skip)]`).
//!
//! # Errors
//!
//! Every unknown item, wrongly typed value, repeated item, bad scope, kind attribute on
//! an enum, `status` naming no type, incomplete `scale`/`printcolumn`, enum without a
//! structural schema, … is a compile error at the offending attribute; all errors are
//! reported together (`tests/derive/tests/ui` has one case per error).

mod expand;

use proc_macro::TokenStream;

/// Derive `crdgen_runtime::CrdSchema` (and, on a kind, `crd()` and the kind itself);
/// see the crate docs for the attributes.
#[proc_macro_derive(CrdSchema, attributes(crdgen))]
pub fn crd_schema(input: TokenStream) -> TokenStream {
    let item = syn::parse_macro_input!(input as syn::Item);
    expand::expand(&item)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}
