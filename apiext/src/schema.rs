//! A version's `schema` (a `CustomResourceValidation`): the checks of
//! `validateCustomResourceDefinitionValidation`, i.e. the structural-schema rules
//! (apiextensions-apiserver pkg/apiserver/schema/validation.go and complete.go, errors
//! sorted as the server sorts them) followed by the OpenAPI rules
//! (`ValidateCustomResourceDefinitionOpenAPISchema`, properties visited in name order).

use serde_json::{Map, Value, json};

use crate::field::{BadValue, FieldError, Path};

type Obj = Map<String, Value>;

/// Check `validation` (`{openAPIV3Schema: ...}`) found at `path`.
pub(crate) fn validate(
    validation: &Value,
    status_enabled: bool,
    path: &Path,
    errs: &mut Vec<FieldError>,
) {
    let Some(schema) = validation.get("openAPIV3Schema").and_then(Value::as_object) else {
        return;
    };
    let root = path.child("openAPIV3Schema");
    if status_enabled {
        root_with_status(schema, path, errs);
    }
    if schema.get("nullable") == Some(&Value::Bool(true)) {
        errs.push(FieldError::forbidden(
            path.child("openAPIV3Schema.nullable"),
            "nullable cannot be true at the root",
        ));
    }
    let mut structural = Vec::new();
    invariants(schema, Level::Root, &root, &mut structural);
    completeness(schema, schema, &root, &root, &mut structural);
    structural.sort_by_cached_key(FieldError::to_string);
    errs.extend(structural);
    openapi(schema, &root, Ssv::default(), true, errs);
}

/// The JSONSchemaProps fields in their Go order (the root check stops at the first).
const GO_FIELD_ORDER: &[&str] = &[
    "id",
    "$schema",
    "$ref",
    "description",
    "type",
    "format",
    "title",
    "default",
    "maximum",
    "exclusiveMaximum",
    "minimum",
    "exclusiveMinimum",
    "maxLength",
    "minLength",
    "pattern",
    "maxItems",
    "minItems",
    "uniqueItems",
    "multipleOf",
    "enum",
    "maxProperties",
    "minProperties",
    "required",
    "items",
    "allOf",
    "oneOf",
    "anyOf",
    "not",
    "properties",
    "additionalProperties",
    "patternProperties",
    "dependencies",
    "additionalItems",
    "definitions",
    "externalDocs",
    "example",
    "nullable",
    "x-kubernetes-preserve-unknown-fields",
    "x-kubernetes-embedded-resource",
    "x-kubernetes-int-or-string",
    "x-kubernetes-list-map-keys",
    "x-kubernetes-list-type",
    "x-kubernetes-map-type",
    "x-kubernetes-validations",
];

const ALLOWED_AT_ROOT: &[&str] = &[
    "description",
    "type",
    "format",
    "title",
    "maximum",
    "exclusiveMaximum",
    "minimum",
    "exclusiveMinimum",
    "maxLength",
    "minLength",
    "pattern",
    "maxItems",
    "minItems",
    "uniqueItems",
    "multipleOf",
    "required",
    "items",
    "properties",
    "externalDocs",
    "example",
    "x-kubernetes-preserve-unknown-fields",
    "x-kubernetes-validations",
];

const ALLOWED_AT_ROOT_GO: &str = "[Description Type Format Title Maximum ExclusiveMaximum Minimum ExclusiveMinimum MaxLength MinLength Pattern MaxItems MinItems UniqueItems MultipleOf Required Items Properties ExternalDocs Example XPreserveUnknownFields XValidations]";

/// Go's zero value for a JSONSchemaProps field (skipped by the root check): unset, a
/// `false` or `""` held by value; pointers, numbers, lists and maps count as set.
fn is_zero(key: &str, v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Bool(b) => !b && key != "x-kubernetes-preserve-unknown-fields",
        Value::String(s) => {
            s.is_empty()
                && !matches!(
                    key,
                    "$ref" | "x-kubernetes-list-type" | "x-kubernetes-map-type"
                )
        }
        _ => false,
    }
}

fn root_with_status(schema: &Obj, path: &Path, errs: &mut Vec<FieldError>) {
    for key in GO_FIELD_ORDER {
        let Some(v) = schema.get(*key) else { continue };
        if is_zero(key, v) {
            continue;
        }
        if *key == "type" {
            let t = v.as_str().unwrap_or_default();
            if t != "object" {
                errs.push(FieldError::invalid_str(
                    path.child("openAPIV3Schema.type"),
                    t,
                    "only \"object\" is allowed as the type at the root of the schema if the status subresource is enabled",
                ));
                break;
            }
            continue;
        }
        if !ALLOWED_AT_ROOT.contains(key) {
            errs.push(FieldError::invalid(
                path.child("openAPIV3Schema"),
                BadValue::Json(Value::Object(schema.clone())),
                format!("only {ALLOWED_AT_ROOT_GO} fields are allowed at the root of the schema if the status subresource is enabled"),
            ));
            break;
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Level {
    Root,
    Item,
    Field,
}

fn ty(s: &Obj) -> &str {
    s.get("type").and_then(Value::as_str).unwrap_or_default()
}

fn flag(s: &Obj, key: &str) -> bool {
    s.get(key) == Some(&Value::Bool(true))
}

fn obj<'a>(s: &'a Obj, key: &str) -> Option<&'a Obj> {
    s.get(key).and_then(Value::as_object)
}

fn props(s: &Obj) -> Vec<(&String, &Obj)> {
    obj(s, "properties")
        .map(|p| {
            p.iter()
                .filter_map(|(k, v)| v.as_object().map(|v| (k, v)))
                .collect()
        })
        .unwrap_or_default()
}

fn list<'a>(s: &'a Obj, key: &str) -> Vec<&'a Obj> {
    s.get(key)
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_object).collect())
        .unwrap_or_default()
}

fn int_or_string_any_of(any_of: Option<&Value>) -> bool {
    any_of == Some(&json!([{"type": "integer"}, {"type": "string"}]))
}

/// `validateStructuralInvariants`.
fn invariants(s: &Obj, lvl: Level, path: &Path, errs: &mut Vec<FieldError>) {
    let t = ty(s);
    let items = obj(s, "items");
    if t == "array" && items.is_none() {
        errs.push(FieldError::required(
            path.child("items"),
            "must be specified",
        ));
    }
    if let Some(items) = items {
        invariants(items, Level::Item, &path.child("items"), errs);
    }
    for (k, v) in props(s) {
        invariants(v, Level::Field, &path.child("properties").key(k), errs);
    }
    if let Some(ap) = s.get("additionalProperties") {
        if lvl == Level::Root {
            errs.push(FieldError::forbidden(
                path.child("additionalProperties"),
                "must not be used at the root",
            ));
        }
        if let Some(ap) = ap.as_object() {
            invariants(ap, Level::Field, &path.child("additionalProperties"), errs);
        }
    }
    let int_or_string = flag(s, "x-kubernetes-int-or-string");
    let preserve = flag(s, "x-kubernetes-preserve-unknown-fields");
    let embedded = flag(s, "x-kubernetes-embedded-resource");
    if int_or_string && preserve {
        errs.push(FieldError::invalid(
            path.child("x-kubernetes-preserve-unknown-fields"),
            BadValue::Json(json!(true)),
            "must be false if x-kubernetes-int-or-string is true",
        ));
    }
    if int_or_string && embedded {
        errs.push(FieldError::invalid(
            path.child("x-kubernetes-embedded-resource"),
            BadValue::Json(json!(true)),
            "must be false if x-kubernetes-int-or-string is true",
        ));
    }
    let skip_any_of = int_or_string_any_of(s.get("anyOf"));
    let skip_first_all_of_any_of = list(s, "allOf")
        .first()
        .is_some_and(|a| int_or_string_any_of(a.get("anyOf")));
    value_validation(s, skip_any_of, skip_first_all_of_any_of, path, errs);

    if embedded && t != "object" {
        if t.is_empty() {
            errs.push(FieldError::required(
                path.child("type"),
                "must be object if x-kubernetes-embedded-resource is true",
            ));
        } else {
            errs.push(FieldError::invalid_str(
                path.child("type"),
                t,
                "must be object if x-kubernetes-embedded-resource is true",
            ));
        }
    } else if t.is_empty() && !int_or_string && !preserve {
        let detail = match lvl {
            Level::Root => "must not be empty at the root",
            Level::Item => "must not be empty for specified array items",
            Level::Field => "must not be empty for specified object fields",
        };
        errs.push(FieldError::required(path.child("type"), detail));
    }
    if embedded && s.contains_key("additionalProperties") {
        errs.push(FieldError::forbidden(
            path.child("additionalProperties"),
            "must not be used if x-kubernetes-embedded-resource is set",
        ));
    }
    if lvl == Level::Root && !t.is_empty() && t != "object" {
        errs.push(FieldError::invalid_str(
            path.child("type"),
            t,
            "must be object at the root",
        ));
    }
    let check_metadata = lvl == Level::Root || embedded;
    let properties = obj(s, "properties");
    for key in ["kind", "apiVersion"] {
        if let Some(p) = properties.and_then(|p| obj(p, key))
            && check_metadata
            && ty(p) != "string"
        {
            errs.push(FieldError::invalid_str(
                path.child("properties").key(key).child("type"),
                ty(p),
                "must be string",
            ));
        }
    }
    if let Some(meta) = properties.and_then(|p| obj(p, "metadata")) {
        let mpath = path.child("properties").key("metadata");
        if check_metadata && ty(meta) != "object" {
            errs.push(FieldError::invalid_str(
                mpath.child("type"),
                ty(meta),
                "must be object",
            ));
        }
        if lvl == Level::Root && !metadata_is_implicit(meta) {
            errs.push(FieldError::forbidden(mpath, "must not specify anything other than name and generateName, but metadata is implicitly specified"));
        }
    }
    if embedded && !preserve && props(s).is_empty() {
        errs.push(FieldError::required(path.child("properties"), "must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields"));
    }
}

/// The root's `metadata` schema may only restrict `name` and `generateName`.
fn metadata_is_implicit(meta: &Obj) -> bool {
    meta.iter().all(|(k, v)| match k.as_str() {
        // Not part of the structural schema, or cleared before the comparison.
        "type" | "default" | "example" | "externalDocs" | "id" | "$schema" => true,
        "x-kubernetes-preserve-unknown-fields" => v != &Value::Bool(true),
        "properties" => {
            let p = v.as_object();
            let n = p.map_or(0, Map::len);
            let name = p.is_some_and(|p| p.contains_key("name"));
            let generate = p.is_some_and(|p| p.contains_key("generateName"));
            n == 0 || (name && generate && n == 2) || ((name || generate) && n == 1)
        }
        _ => is_zero(k, v),
    })
}

/// `validateValueValidation`: the allOf/anyOf/oneOf/not of a structural node.
fn value_validation(
    s: &Obj,
    skip_any_of: bool,
    skip_first_all_of_any_of: bool,
    path: &Path,
    errs: &mut Vec<FieldError>,
) {
    if !skip_any_of {
        for (i, a) in list(s, "anyOf").into_iter().enumerate() {
            nested(a, false, &path.child("anyOf").index(i), errs);
        }
    }
    for (i, a) in list(s, "allOf").into_iter().enumerate() {
        nested(
            a,
            skip_first_all_of_any_of && i == 0,
            &path.child("allOf").index(i),
            errs,
        );
    }
    for (i, a) in list(s, "oneOf").into_iter().enumerate() {
        nested(a, false, &path.child("oneOf").index(i), errs);
    }
    if let Some(not) = obj(s, "not") {
        nested(not, false, &path.child("not"), errs);
    }
}

/// `validateNestedValueValidation`: inside allOf/anyOf/oneOf/not only value validations
/// are allowed.
fn nested(v: &Obj, skip_any_of: bool, path: &Path, errs: &mut Vec<FieldError>) {
    value_validation(v, skip_any_of, false, path, errs);
    if let Some(items) = obj(v, "items") {
        nested(items, false, &path.child("items"), errs);
    }
    for (k, p) in props(v) {
        nested(p, false, &path.child("properties").key(k), errs);
    }
    let non_empty_str = |k: &str| {
        v.get(k)
            .and_then(Value::as_str)
            .is_some_and(|s| !s.is_empty())
    };
    if non_empty_str("type") {
        errs.push(FieldError::forbidden(
            path.child("type"),
            "must be empty to be structural",
        ));
    }
    if v.get("additionalProperties").is_some_and(Value::is_object) {
        errs.push(FieldError::forbidden(
            path.child("additionalProperties"),
            "must be undefined to be structural",
        ));
    }
    if v.get("default").is_some_and(|d| !d.is_null()) {
        errs.push(FieldError::forbidden(
            path.child("default"),
            "must be undefined to be structural",
        ));
    }
    if non_empty_str("title") {
        errs.push(FieldError::forbidden(
            path.child("title"),
            "must be empty to be structural",
        ));
    }
    if non_empty_str("description") {
        errs.push(FieldError::forbidden(
            path.child("description"),
            "must be empty to be structural",
        ));
    }
    if flag(v, "nullable") {
        errs.push(FieldError::forbidden(
            path.child("nullable"),
            "must be false to be structural",
        ));
    }
    for key in [
        "x-kubernetes-preserve-unknown-fields",
        "x-kubernetes-embedded-resource",
        "x-kubernetes-int-or-string",
    ] {
        if flag(v, key) {
            errs.push(FieldError::forbidden(
                path.child(key),
                "must be false to be structural",
            ));
        }
    }
    if v.get("x-kubernetes-list-map-keys")
        .and_then(Value::as_array)
        .is_some_and(|a| !a.is_empty())
    {
        errs.push(FieldError::forbidden(
            path.child("x-kubernetes-list-map-keys"),
            "must be empty to be structural",
        ));
    }
    for key in ["x-kubernetes-list-type", "x-kubernetes-map-type"] {
        if v.get(key).is_some_and(|x| !x.is_null()) {
            errs.push(FieldError::forbidden(
                path.child(key),
                "must be undefined to be structural",
            ));
        }
    }
    if v.get("x-kubernetes-validations")
        .and_then(Value::as_array)
        .is_some_and(|a| !a.is_empty())
    {
        errs.push(FieldError::forbidden(
            path.child("x-kubernetes-validations"),
            "must be empty to be structural",
        ));
    }
    if obj(v, "properties").is_some_and(|p| p.contains_key("metadata")) {
        errs.push(FieldError::forbidden(
            path.child("properties").key("metadata"),
            "must not be specified in a nested context",
        ));
    }
}

/// `validateStructuralCompleteness`: what the root's allOf/anyOf/oneOf/not name must
/// also be specified in the structural part.
fn completeness(v: &Obj, s: &Obj, s_path: &Path, v_path: &Path, errs: &mut Vec<FieldError>) {
    if let Some(not) = obj(v, "not") {
        nested_completeness(not, Some(s), s_path, &v_path.child("not"), errs);
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        for (i, a) in list(v, key).into_iter().enumerate() {
            nested_completeness(a, Some(s), s_path, &v_path.child(key).index(i), errs);
        }
    }
}

fn nested_completeness(
    v: &Obj,
    s: Option<&Obj>,
    s_path: &Path,
    v_path: &Path,
    errs: &mut Vec<FieldError>,
) {
    let Some(s) = s else {
        errs.push(FieldError::required(
            s_path,
            format!("because it is defined in {}", v_path.as_str()),
        ));
        return;
    };
    completeness(v, s, s_path, v_path, errs);
    if let Some(items) = obj(v, "items") {
        nested_completeness(
            items,
            obj(s, "items"),
            &s_path.child("items"),
            &v_path.child("items"),
            errs,
        );
    }
    let s_props = obj(s, "properties");
    for (k, p) in props(v) {
        let sp = s_path.child("properties").key(k);
        let vp = v_path.child("properties").key(k);
        match s_props.and_then(|sp| obj(sp, k)) {
            None => errs.push(FieldError::required(
                &sp,
                format!("because it is defined in {}", vp.as_str()),
            )),
            Some(sf) => nested_completeness(p, Some(sf), &sp, &vp, errs),
        }
    }
}

/// The context `ValidateCustomResourceDefinitionOpenAPISchema` carries down.
#[derive(Clone, Default)]
struct Ssv {
    forbidden_defaults: Option<String>,
    inside_resource_meta: bool,
}

const OPENAPI_TYPES: &[&str] = &["array", "boolean", "integer", "number", "object", "string"];

/// `ValidateCustomResourceDefinitionOpenAPISchema`.
fn openapi(s: &Obj, path: &Path, ssv: Ssv, is_root: bool, errs: &mut Vec<FieldError>) {
    let t = ty(s);
    if !t.is_empty() && !OPENAPI_TYPES.contains(&t) {
        errs.push(FieldError::not_supported(
            path.child("type"),
            t,
            OPENAPI_TYPES,
        ));
    }
    if s.get("default").is_some_and(|d| !d.is_null())
        && let Some(reason) = &ssv.forbidden_defaults
    {
        errs.push(FieldError::forbidden(
            path.child("default"),
            format!("must not be set {reason}"),
        ));
    }
    if s.get("id")
        .and_then(Value::as_str)
        .is_some_and(|x| !x.is_empty())
    {
        errs.push(FieldError::forbidden(
            path.child("id"),
            "id is not supported",
        ));
    }
    for (key, what) in [
        ("additionalItems", "additionalItems"),
        ("patternProperties", "patternProperties"),
        ("definitions", "definitions"),
        ("dependencies", "dependencies"),
    ] {
        let present = match s.get(key) {
            None | Some(Value::Null) => false,
            Some(Value::Object(o)) => {
                key == "additionalItems" || key == "dependencies" || !o.is_empty()
            }
            Some(_) => true,
        };
        if present {
            errs.push(FieldError::forbidden(
                path.child(key),
                format!("{what} is not supported"),
            ));
        }
    }
    if s.get("$ref").is_some_and(|r| !r.is_null()) {
        errs.push(FieldError::forbidden(
            path.child("$ref"),
            "$ref is not supported",
        ));
    }
    if t == "null" {
        errs.push(FieldError::forbidden(
            path.child("type"),
            "type cannot be set to null, use nullable as an alternative",
        ));
    }
    if s.get("items").is_some_and(Value::is_array) {
        errs.push(FieldError::forbidden(
            path.child("items"),
            "items must be a schema object and not an array",
        ));
    }
    if ssv.inside_resource_meta && flag(s, "x-kubernetes-embedded-resource") {
        errs.push(FieldError::forbidden(
            path.child("x-kubernetes-embedded-resource"),
            "must not be used inside of resource meta",
        ));
    }
    if flag(s, "uniqueItems") {
        errs.push(FieldError::forbidden(
            path.child("uniqueItems"),
            "uniqueItems cannot be set to true since the runtime complexity becomes quadratic",
        ));
    }
    if let Some(ap) = s.get("additionalProperties") {
        if !props(s).is_empty() && (ap == &Value::Bool(false) || ap.is_object()) {
            errs.push(FieldError::forbidden(
                path.child("additionalProperties"),
                "additionalProperties and properties are mutual exclusive",
            ));
        }
        if let Some(ap) = ap.as_object() {
            let mut sub = ssv.clone();
            if ssv.inside_resource_meta {
                sub.forbidden_defaults =
                    Some("inside additionalProperties applying to object metadata".into());
            }
            openapi(ap, &path.child("additionalProperties"), sub, false, errs);
        }
    }
    let embedded = flag(s, "x-kubernetes-embedded-resource");
    for (k, p) in props(s) {
        let mut sub = ssv.clone();
        if (is_root || embedded) && matches!(k.as_str(), "metadata" | "kind" | "apiVersion") {
            sub.inside_resource_meta = true;
            if is_root {
                sub.forbidden_defaults = Some(format!("in top-level {k}"));
            }
        }
        openapi(p, &path.child("properties").key(k), sub, false, errs);
    }
    if let Some(not) = obj(s, "not") {
        openapi(not, &path.child("not"), ssv.clone(), false, errs);
    }
    for key in ["allOf", "oneOf", "anyOf"] {
        for (i, a) in list(s, key).into_iter().enumerate() {
            openapi(a, &path.child(key).index(i), ssv.clone(), false, errs);
        }
    }
    match s.get("items") {
        Some(Value::Object(items)) => {
            openapi(items, &path.child("items"), ssv.clone(), false, errs)
        }
        Some(Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                if let Some(item) = item.as_object() {
                    openapi(
                        item,
                        &path.child("items").index(i),
                        ssv.clone(),
                        false,
                        errs,
                    );
                }
            }
        }
        _ => {}
    }
    if s.get("x-kubernetes-preserve-unknown-fields") == Some(&Value::Bool(false)) {
        errs.push(FieldError::invalid(
            path.child("x-kubernetes-preserve-unknown-fields"),
            BadValue::Json(json!(false)),
            "must be true or undefined",
        ));
    }
    list_and_map_types(s, path, errs);
    validation_rules(s, path, errs);
}

fn list_and_map_types(s: &Obj, path: &Path, errs: &mut Vec<FieldError>) {
    let t = ty(s);
    let map_type = s.get("x-kubernetes-map-type").and_then(Value::as_str);
    let list_type = s.get("x-kubernetes-list-type").and_then(Value::as_str);
    let keys: Vec<&str> = s
        .get("x-kubernetes-list-map-keys")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let wrong_type = |errs: &mut Vec<FieldError>, want: &str, detail: &str| {
        if t.is_empty() {
            errs.push(FieldError::required(path.child("type"), detail));
        } else if t != want {
            errs.push(FieldError::invalid_str(path.child("type"), t, detail));
        }
    };
    if let Some(m) = map_type {
        wrong_type(
            errs,
            "object",
            "must be object if x-kubernetes-map-type is specified",
        );
        if m != "atomic" && m != "granular" {
            errs.push(FieldError::not_supported(
                path.child("x-kubernetes-map-type"),
                m,
                &["atomic", "granular"],
            ));
        }
    }
    let items = obj(s, "items");
    if let Some(l) = list_type {
        if t != "array" {
            wrong_type(
                errs,
                "array",
                "must be array if x-kubernetes-list-type is specified",
            );
        } else if l == "set"
            && let Some(is) = items
        {
            let item_list = is.get("x-kubernetes-list-type").and_then(Value::as_str);
            match ty(is) {
                "array" if item_list.is_some_and(|x| x != "atomic") => {
                    errs.push(FieldError::invalid_str(
                        path.child("items").child("x-kubernetes-list-type"),
                        item_list.unwrap_or_default(),
                        "must be atomic as item of a list with x-kubernetes-list-type=set",
                    ))
                }
                "object"
                    if is.get("x-kubernetes-map-type").and_then(Value::as_str)
                        != Some("atomic") =>
                {
                    // (The server prints the item's list type here, usually unset.)
                    let shown = item_list
                        .map_or(BadValue::Json(Value::Null), |x| BadValue::Str(x.to_owned()));
                    errs.push(FieldError::invalid(
                        path.child("items").child("x-kubernetes-map-type"),
                        shown,
                        "must be atomic as item of a list with x-kubernetes-list-type=set",
                    ))
                }
                _ => {}
            }
        }
        if !matches!(l, "atomic" | "set" | "map") {
            errs.push(FieldError::not_supported(
                path.child("x-kubernetes-list-type"),
                l,
                &["atomic", "set", "map"],
            ));
        }
    }
    if !keys.is_empty() {
        match list_type {
            None => errs.push(FieldError::required(
                path.child("x-kubernetes-list-type"),
                "must be map if x-kubernetes-list-map-keys is non-empty",
            )),
            Some(l) if l != "map" => errs.push(FieldError::invalid_str(
                path.child("x-kubernetes-list-type"),
                l,
                "must be map if x-kubernetes-list-map-keys is non-empty",
            )),
            _ => {}
        }
    }
    let keys_value = || BadValue::Json(json!(keys));
    if list_type == Some("map") {
        if keys.is_empty() {
            errs.push(FieldError::required(
                path.child("x-kubernetes-list-map-keys"),
                "must not be empty if x-kubernetes-list-type is map",
            ));
        }
        match s.get("items") {
            None => errs.push(FieldError::required(
                path.child("items"),
                "must have a schema if x-kubernetes-list-type is map",
            )),
            Some(Value::Array(a)) => errs.push(FieldError::invalid(
                path.child("items"),
                BadValue::Json(Value::Array(a.clone())),
                "must only have a single schema if x-kubernetes-list-type is map",
            )),
            _ => {}
        }
        if let Some(is) = items {
            if ty(is) != "object" {
                errs.push(FieldError::invalid_str(
                    path.child("items").child("type"),
                    ty(is),
                    "must be object if parent array's x-kubernetes-list-type is map",
                ));
            } else {
                let iprops = obj(is, "properties");
                let mut seen = Vec::new();
                for k in &keys {
                    match iprops.and_then(|p| obj(p, k)) {
                        Some(p) if matches!(ty(p), "array" | "object") => errs.push(FieldError::invalid_str(
                            path.child("items").child("properties").key(k).child("type"),
                            ty(is),
                            "must be a scalar type if parent array's x-kubernetes-list-type is map",
                        )),
                        Some(_) => {}
                        None => errs.push(FieldError::invalid(path.child("x-kubernetes-list-map-keys"), keys_value(), "entries must all be names of item properties")),
                    }
                    if seen.contains(k) {
                        errs.push(FieldError::invalid(
                            path.child("x-kubernetes-list-map-keys"),
                            keys_value(),
                            "must not contain duplicate entries",
                        ));
                    }
                    seen.push(*k);
                }
            }
        }
    }
    // validateMapListKeysMapSet
    if let (Some(is), Some(l @ ("set" | "map"))) = (items, list_type) {
        if flag(is, "nullable") {
            errs.push(FieldError::forbidden(
                path.child("items").child("nullable"),
                format!("cannot be nullable when x-kubernetes-list-type is {l}"),
            ));
        }
        if l == "map" {
            let required: Vec<&str> = is
                .get("required")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            for k in &keys {
                let Some(p) = obj(is, "properties").and_then(|ps| obj(ps, k)) else {
                    continue;
                };
                let kp = path.child("items").child("properties").key(k);
                if !required.contains(k) && p.get("default").is_none_or(Value::is_null) {
                    errs.push(FieldError::required(kp.child("default"), "this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property"));
                }
                if flag(p, "nullable") {
                    errs.push(FieldError::forbidden(
                        kp.child("nullable"),
                        "this property is in x-kubernetes-list-map-keys, so it cannot be nullable",
                    ));
                }
            }
        }
    }
}

/// The shape of `x-kubernetes-validations` rules (their CEL is not compiled here).
fn validation_rules(s: &Obj, path: &Path, errs: &mut Vec<FieldError>) {
    for (i, rule) in list(s, "x-kubernetes-validations").into_iter().enumerate() {
        let rp = path.child("x-kubernetes-validations").index(i);
        let text = |k: &str| rule.get(k).and_then(Value::as_str).unwrap_or_default();
        let (r, m, me) = (text("rule"), text("message"), text("messageExpression"));
        let has_newline = |x: &str| x.contains('\n') || x.contains('\r');
        if r.trim().is_empty() {
            errs.push(FieldError::required(
                rp.child("rule"),
                "rule is not specified",
            ));
        } else if !m.is_empty() && m.trim().is_empty() {
            errs.push(FieldError::invalid_str(
                rp.child("message"),
                m,
                "must be non-empty if specified",
            ));
        } else if has_newline(m.trim()) {
            errs.push(FieldError::invalid_str(
                rp.child("message"),
                m,
                "must not contain line breaks",
            ));
        } else if has_newline(r.trim()) && m.trim().is_empty() {
            errs.push(FieldError::required(
                rp.child("message"),
                "message must be specified if rule contains line breaks",
            ));
        }
        if !me.is_empty() && me.trim().is_empty() {
            errs.push(FieldError::required(
                rp.child("messageExpression"),
                "messageExpression must be non-empty if specified",
            ));
        }
        if let Some(reason) = rule.get("reason").and_then(Value::as_str) {
            const REASONS: &[&str] = &[
                "FieldValueDuplicate",
                "FieldValueForbidden",
                "FieldValueInvalid",
                "FieldValueRequired",
            ];
            if !REASONS.contains(&reason) {
                errs.push(FieldError::not_supported(
                    rp.child("reason"),
                    reason,
                    REASONS,
                ));
            }
        }
        let fp = text("fieldPath");
        if !fp.is_empty() && fp.trim().is_empty() {
            errs.push(FieldError::invalid_str(
                rp.child("fieldPath"),
                fp,
                "must be non-empty if specified",
            ));
        }
        if has_newline(fp) {
            errs.push(FieldError::invalid_str(
                rp.child("fieldPath"),
                fp,
                "must not contain line breaks",
            ));
        }
    }
}
