//! The model back into a CustomResourceDefinition (`apiextensions.k8s.io/v1`), as JSON.
//!
//! This is the inverse of [`crate::input::crd`]: every field the model keeps is
//! written back, and every schema keyword ([`Schema::keywords`] verbatim). What the
//! model does not keep, and so is not written:
//!
//! - `status` (the API server owns it);
//! - `metadata` other than `name`, `labels` and `annotations` (`creationTimestamp`,
//!   `resourceVersion`, `uid`, `managedFields`, … are the server's);
//! - forms the API server treats as absent: `false` for `nullable`, `deprecated`,
//!   `preserveUnknownFields` and the `x-kubernetes-preserve-unknown-fields` /
//!   `-int-or-string` / `-embedded-resource` flags; empty `properties`, `required`,
//!   `allOf`/`anyOf`/`oneOf` and `subresources`; `null` `description`/`format`.
//!
//! Names the API server defaults (`listKind`, `singular`) are always written, as
//! controller-gen does. Use [`crate::emit::yaml::to_yaml`] for the YAML text.

use serde_json::{Map, Value, json};

use crate::ir::{AdditionalProperties, ResourceModel, Schema, Scope, VersionModel};

/// The CustomResourceDefinition of a resource, as a JSON document.
pub fn crd_json(res: &ResourceModel) -> Value {
    let mut metadata = Map::new();
    let name = if res.name.is_empty() {
        format!("{}.{}", res.plural, res.group)
    } else {
        res.name.clone()
    };
    metadata.insert("name".into(), Value::String(name));
    if let Some(m) = res.metadata.as_object() {
        for key in ["annotations", "labels"] {
            if let Some(v) = m.get(key) {
                metadata.insert(key.into(), v.clone());
            }
        }
    }

    let mut names = Map::new();
    names.insert("kind".into(), json!(res.kind));
    names.insert("listKind".into(), json!(res.list_kind));
    names.insert("plural".into(), json!(res.plural));
    names.insert("singular".into(), json!(res.singular));
    if !res.short_names.is_empty() {
        names.insert("shortNames".into(), json!(res.short_names));
    }
    if !res.categories.is_empty() {
        names.insert("categories".into(), json!(res.categories));
    }

    let mut spec = Map::new();
    spec.insert("group".into(), json!(res.group));
    spec.insert("names".into(), Value::Object(names));
    spec.insert(
        "scope".into(),
        json!(match res.scope {
            Scope::Namespaced => "Namespaced",
            Scope::Cluster => "Cluster",
        }),
    );
    spec.insert(
        "versions".into(),
        Value::Array(res.versions.iter().map(version_json).collect()),
    );
    if let Some(c) = &res.conversion {
        spec.insert("conversion".into(), c.clone());
    }
    if res.preserve_unknown_fields {
        spec.insert("preserveUnknownFields".into(), Value::Bool(true));
    }

    json!({
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": Value::Object(metadata),
        "spec": Value::Object(spec),
    })
}

fn version_json(v: &VersionModel) -> Value {
    let mut out = Map::new();
    out.insert("name".into(), json!(v.name));
    out.insert("served".into(), json!(v.served));
    out.insert("storage".into(), json!(v.storage));
    if v.deprecated {
        out.insert("deprecated".into(), Value::Bool(true));
    }
    if let Some(w) = &v.deprecation_warning {
        out.insert("deprecationWarning".into(), json!(w));
    }
    let mut sub = Map::new();
    if v.status_subresource {
        sub.insert("status".into(), json!({}));
    }
    if let Some(scale) = &v.scale {
        let mut s = Map::new();
        s.insert("specReplicasPath".into(), json!(scale.spec_replicas_path));
        s.insert(
            "statusReplicasPath".into(),
            json!(scale.status_replicas_path),
        );
        if let Some(l) = &scale.label_selector_path {
            s.insert("labelSelectorPath".into(), json!(l));
        }
        sub.insert("scale".into(), Value::Object(s));
    }
    if !sub.is_empty() {
        out.insert("subresources".into(), Value::Object(sub));
    }
    if !v.printer_columns.is_empty() {
        out.insert(
            "additionalPrinterColumns".into(),
            Value::Array(v.printer_columns.clone()),
        );
    }
    if !v.selectable_fields.is_empty() {
        let fields = v
            .selectable_fields
            .iter()
            .map(|p| json!({ "jsonPath": p }))
            .collect();
        out.insert("selectableFields".into(), Value::Array(fields));
    }
    if let Some(schema) = &v.schema {
        out.insert(
            "schema".into(),
            json!({ "openAPIV3Schema": schema_json(schema) }),
        );
    }
    Value::Object(out)
}

/// A schema node as JSON: the typed fields, then [`Schema::keywords`] verbatim.
pub fn schema_json(s: &Schema) -> Value {
    Value::Object(schema_json_except(s, Children::default()))
}

/// Children of a node to leave out of [`schema_json_except`].
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Children {
    /// Leave out `properties`.
    pub properties: bool,
    /// Leave out `items`.
    pub items: bool,
    /// Leave out a schema-valued `additionalProperties`.
    pub values: bool,
}

/// A schema node as JSON without some of its children.
pub(crate) fn schema_json_except(s: &Schema, skip: Children) -> Map<String, Value> {
    let mut out = Map::new();
    if let Some(t) = &s.ty {
        out.insert("type".into(), json!(t));
    }
    if let Some(f) = s.format() {
        out.insert("format".into(), json!(f));
    }
    if let Some(d) = &s.description {
        out.insert("description".into(), json!(d));
    }
    if !s.properties.is_empty() && !skip.properties {
        let props: Map<String, Value> = s
            .properties
            .iter()
            .map(|(k, v)| (k.clone(), schema_json(v)))
            .collect();
        out.insert("properties".into(), Value::Object(props));
    }
    if !s.required.is_empty() {
        out.insert("required".into(), json!(s.required));
    }
    if let Some(items) = s.items.as_deref().filter(|_| !skip.items) {
        out.insert("items".into(), schema_json(items));
    }
    match &s.additional_properties {
        Some(AdditionalProperties::Bool(b)) => {
            out.insert("additionalProperties".into(), Value::Bool(*b));
        }
        Some(AdditionalProperties::Schema(v)) if !skip.values => {
            out.insert("additionalProperties".into(), schema_json(v));
        }
        Some(AdditionalProperties::Schema(_)) => {}
        None => {}
    }
    if s.nullable {
        out.insert("nullable".into(), Value::Bool(true));
    }
    if let Some(d) = s.default_value() {
        out.insert("default".into(), d.clone());
    }
    if let Some(e) = s.enum_values() {
        out.insert("enum".into(), Value::Array(e.to_vec()));
    }
    for (flag, key) in [
        (
            s.preserve_unknown_fields,
            "x-kubernetes-preserve-unknown-fields",
        ),
        (s.int_or_string, "x-kubernetes-int-or-string"),
        (s.embedded_resource, "x-kubernetes-embedded-resource"),
    ] {
        if flag {
            out.insert(key.into(), Value::Bool(true));
        }
    }
    for (list, key) in [
        (s.all_of(), "allOf"),
        (s.any_of(), "anyOf"),
        (s.one_of(), "oneOf"),
    ] {
        if !list.is_empty() {
            out.insert(key.into(), list.iter().map(schema_json).collect());
        }
    }
    if let Some(n) = s.not() {
        out.insert("not".into(), schema_json(n));
    }
    for (k, v) in s.keywords() {
        out.insert(k.clone(), v.clone());
    }
    out
}

/// The JSON of a CRD document in the form the API server treats as equivalent, for
/// comparing a regenerated CRD with its original: drops `status`, server-owned
/// metadata and the absent-equivalent forms listed in the module docs, and fills the
/// names the server defaults (`singular`, `listKind`).
pub fn normalize(doc: &Value) -> Value {
    let mut doc = doc.clone();
    let Some(root) = doc.as_object_mut() else {
        return doc;
    };
    root.remove("status");
    if let Some(Value::Object(meta)) = root.get_mut("metadata") {
        meta.retain(|k, _| matches!(k.as_str(), "name" | "labels" | "annotations"));
    }
    let Some(Value::Object(spec)) = root.get_mut("spec") else {
        return doc;
    };
    if spec.get("preserveUnknownFields") == Some(&Value::Bool(false)) {
        spec.remove("preserveUnknownFields");
    }
    if let Some(Value::Object(names)) = spec.get_mut("names") {
        let kind = names
            .get("kind")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        names
            .entry("singular")
            .or_insert_with(|| json!(kind.to_lowercase()));
        names
            .entry("listKind")
            .or_insert_with(|| json!(format!("{kind}List")));
        for key in ["shortNames", "categories"] {
            if names.get(key).is_some_and(is_empty_or_null) {
                names.remove(key);
            }
        }
    }
    if let Some(Value::Array(versions)) = spec.get_mut("versions") {
        for v in versions {
            let Some(v) = v.as_object_mut() else { continue };
            if v.get("deprecated") == Some(&Value::Bool(false)) {
                v.remove("deprecated");
            }
            for key in [
                "subresources",
                "additionalPrinterColumns",
                "selectableFields",
                "schema",
            ] {
                if v.get(key).is_some_and(is_empty_or_null) {
                    v.remove(key);
                }
            }
            if let Some(Value::Object(sub)) = v.get_mut("subresources") {
                sub.retain(|k, val| !(k == "scale" && val.is_null()));
                if let Some(Value::Object(scale)) = sub.get_mut("scale") {
                    scale.retain(|_, val| !val.is_null());
                }
                if sub.is_empty() {
                    v.remove("subresources");
                }
            }
            if let Some(Value::Object(schema)) = v.get_mut("schema")
                && let Some(root) = schema.get_mut("openAPIV3Schema")
            {
                normalize_schema(root);
            }
        }
    }
    doc
}

fn is_empty_or_null(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

fn normalize_schema(node: &mut Value) {
    let Some(obj) = node.as_object_mut() else {
        return;
    };
    for key in [
        "nullable",
        "x-kubernetes-preserve-unknown-fields",
        "x-kubernetes-int-or-string",
        "x-kubernetes-embedded-resource",
    ] {
        if matches!(obj.get(key), Some(Value::Bool(false) | Value::Null)) {
            obj.remove(key);
        }
    }
    for key in ["properties", "required", "allOf", "anyOf", "oneOf"] {
        if obj.get(key).is_some_and(is_empty_or_null) {
            obj.remove(key);
        }
    }
    for key in ["description", "format"] {
        if obj.get(key).is_some_and(Value::is_null) {
            obj.remove(key);
        }
    }
    if let Some(Value::Object(props)) = obj.get_mut("properties") {
        props.values_mut().for_each(normalize_schema);
    }
    for key in ["items", "additionalProperties", "not"] {
        if let Some(child) = obj.get_mut(key) {
            normalize_schema(child);
        }
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        if let Some(Value::Array(list)) = obj.get_mut(key) {
            list.iter_mut().for_each(normalize_schema);
        }
    }
}
