//! The parts of a CRD manifest that come from a kind's attributes alone (names, version
//! entry, standard root properties): the CLI front end and the derive build the same.

use serde_json::{Map, Value, json};

use crate::attrs::KindAttrs;
use crate::shape::Overlay;

/// Whether a kind struct is a spec (the kube-derive form: `#[crdgen(...)]` on the spec
/// struct, the kind generated around it) rather than the whole object (a struct with a
/// `metadata` field, as `crdgen generate --annotated` writes it).
pub fn is_spec_struct(s: &syn::ItemStruct) -> bool {
    !s.fields
        .iter()
        .any(|f| f.ident.as_ref().is_some_and(|i| i == "metadata"))
}

/// The standard root properties (`apiVersion`, `kind`, `metadata`) a kind's schema gets
/// unless `root(properties = …)` lists them.
pub fn root_properties() -> Map<String, Value> {
    let v = json!({
        "apiVersion": {
            "description": "APIVersion defines the versioned schema of this representation of an object.\nServers should convert recognized schemas to the latest internal value, and\nmay reject unrecognized values.\nMore info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources",
            "type": "string"
        },
        "kind": {
            "description": "Kind is a string value representing the REST resource this object represents.\nServers may infer this from the endpoint the client submits requests to.\nCannot be updated.\nIn CamelCase.\nMore info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds",
            "type": "string"
        },
        "metadata": {"type": "object"}
    });
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// The root overlay without `properties` (which `crdgen::rust_input::root_schema` consumes) and the
/// standard properties it gives: what the derive applies at run time.
pub fn root_parts(a: &KindAttrs) -> (Map<String, Value>, Overlay) {
    let mut overlay: Overlay = a.root.clone();
    let props = match overlay.set.remove("properties") {
        Some(Value::Object(m)) => m,
        _ => root_properties(),
    };
    (props, overlay)
}

/// One version entry of a kind, without its schema.
pub fn version_entry(a: &KindAttrs) -> Map<String, Value> {
    let mut v = Map::new();
    v.insert("name".into(), json!(a.version));
    v.insert("served".into(), json!(a.served.unwrap_or(true)));
    v.insert("storage".into(), json!(a.storage));
    if a.deprecated {
        v.insert("deprecated".into(), json!(true));
    }
    if let Some(w) = &a.deprecation_warning {
        v.insert("deprecationWarning".into(), json!(w));
    }
    let mut sub = Map::new();
    if a.status {
        sub.insert("status".into(), json!({}));
    }
    if let Some(scale) = &a.scale {
        sub.insert("scale".into(), Value::Object(scale.clone()));
    }
    if !sub.is_empty() {
        v.insert("subresources".into(), Value::Object(sub));
    }
    if !a.printer_columns.is_empty() {
        v.insert(
            "additionalPrinterColumns".into(),
            Value::Array(a.printer_columns.clone()),
        );
    }
    if !a.selectable_fields.is_empty() {
        let fields = a
            .selectable_fields
            .iter()
            .map(|p| json!({ "jsonPath": p }))
            .collect();
        v.insert("selectableFields".into(), Value::Array(fields));
    }
    v
}

/// The CRD of one kind: names, scope and metadata from `first` (the attributes of its
/// first version), and the version entries.
pub fn crd_document(
    group: &str,
    kind: &str,
    first: &KindAttrs,
    conversion: Option<Value>,
    versions: Vec<Value>,
) -> Value {
    let plural = first.plural.clone().unwrap_or_default();
    let mut names = Map::new();
    names.insert("kind".into(), json!(kind));
    names.insert(
        "listKind".into(),
        json!(
            first
                .list_kind
                .clone()
                .unwrap_or_else(|| format!("{kind}List"))
        ),
    );
    names.insert("plural".into(), json!(plural));
    names.insert(
        "singular".into(),
        json!(
            first
                .singular
                .clone()
                .unwrap_or_else(|| kind.to_lowercase())
        ),
    );
    if !first.short_names.is_empty() {
        names.insert("shortNames".into(), json!(first.short_names));
    }
    if !first.categories.is_empty() {
        names.insert("categories".into(), json!(first.categories));
    }
    let mut metadata = match &first.crd_metadata {
        Some(Value::Object(m)) => m.clone(),
        _ => Map::new(),
    };
    let name = first
        .crd_name
        .clone()
        .unwrap_or_else(|| format!("{plural}.{group}"));
    metadata.insert("name".into(), json!(name));
    if !first.annotations.is_empty() {
        metadata.insert(
            "annotations".into(),
            Value::Object(first.annotations.clone()),
        );
    }
    if !first.labels.is_empty() {
        metadata.insert("labels".into(), Value::Object(first.labels.clone()));
    }
    let mut spec = Map::new();
    spec.insert("group".into(), json!(group));
    spec.insert("names".into(), Value::Object(names));
    spec.insert(
        "scope".into(),
        json!(first.scope.clone().unwrap_or_else(|| "Namespaced".into())),
    );
    if let Some(c) = conversion {
        spec.insert("conversion".into(), c);
    }
    if first.crd_preserve_unknown_fields {
        spec.insert("preserveUnknownFields".into(), json!(true));
    }
    spec.insert("versions".into(), Value::Array(versions));
    json!({
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": Value::Object(metadata),
        "spec": Value::Object(spec),
    })
}
