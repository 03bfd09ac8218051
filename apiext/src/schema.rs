//! A version's `schema` (a `CustomResourceValidation`): the checks of
//! `validateCustomResourceDefinitionValidation`, i.e. the structural-schema rules
//! (apiextensions-apiserver pkg/apiserver/schema/validation.go and complete.go, errors
//! sorted as the server sorts them) followed by the OpenAPI rules
//! (`ValidateCustomResourceDefinitionOpenAPISchema`, properties visited in name order).

use serde_json::{Map, Value, json};

use crate::field::{BadValue, FieldError, Path};

mod defaults;
mod structural;

use structural::{Level, completeness, invariants};

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
    // The server checks structure only on a schema it can convert (NewStructural);
    // what stops the conversion is reported by the OpenAPI checks below.
    if convertible(schema) {
        let mut structural = Vec::new();
        invariants(schema, Level::Root, &root, &mut structural);
        completeness(schema, schema, &root, &root, &mut structural);
        structural.sort_by_cached_key(FieldError::to_string);
        if structural.is_empty() {
            defaults::pruned_defaults(schema, &root, true, &mut structural);
        }
        errs.extend(structural);
    }
    openapi(schema, &root, Ssv::default(), true, errs);
}

/// Whether apiextensions-apiserver's `NewStructural` accepts the schema: no list-valued
/// `items`, no `x-kubernetes-preserve-unknown-fields: false`, none of the keywords CRDs
/// do not support, anywhere.
fn convertible(s: &Obj) -> bool {
    // One pass over the keys (the order of the checks does not matter: all must hold).
    let all = |v: &Value| {
        v.as_array()
            .is_none_or(|a| a.iter().filter_map(Value::as_object).all(convertible))
    };
    s.iter().all(|(k, v)| match k.as_str() {
        "items" => match v {
            Value::Array(_) => false,
            Value::Object(o) => convertible(o),
            _ => true,
        },
        "x-kubernetes-preserve-unknown-fields" => v != &Value::Bool(false),
        "id" | "$schema" | "$ref" | "patternProperties" | "dependencies" | "additionalItems"
        | "definitions" => v.is_null() || v.as_str() == Some(""),
        "additionalProperties" | "not" => v.as_object().is_none_or(convertible),
        "allOf" | "anyOf" | "oneOf" => all(v),
        "properties" => v
            .as_object()
            .is_none_or(|p| p.values().filter_map(Value::as_object).all(convertible)),
        _ => true,
    })
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

pub(super) fn ty(s: &Obj) -> &str {
    s.get("type").and_then(Value::as_str).unwrap_or_default()
}

pub(super) fn flag(s: &Obj, key: &str) -> bool {
    s.get(key) == Some(&Value::Bool(true))
}

pub(super) fn obj<'a>(s: &'a Obj, key: &str) -> Option<&'a Obj> {
    s.get(key).and_then(Value::as_object)
}

pub(super) fn props(s: &Obj) -> impl Iterator<Item = (&String, &Obj)> {
    obj(s, "properties")
        .into_iter()
        .flatten()
        .filter_map(|(k, v)| v.as_object().map(|v| (k, v)))
}

pub(super) fn list<'a>(s: &'a Obj, key: &str) -> Vec<&'a Obj> {
    s.get(key)
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_object).collect())
        .unwrap_or_default()
}

/// The context `ValidateCustomResourceDefinitionOpenAPISchema` carries down.
#[derive(Clone, Default)]
struct Ssv {
    forbidden_defaults: Option<String>,
    inside_resource_meta: bool,
}

const OPENAPI_TYPES: &[&str] = &["array", "boolean", "integer", "number", "object", "string"];

/// The keywords the walks ([`openapi`], [`structural::invariants`], [`defaults`]) read, found in one
/// pass over a schema's keys: a walk reads about twenty per node, and a map lookup for
/// each was most of its cost.
#[derive(Default)]
struct Kw<'a> {
    ty: &'a str,
    default: Option<&'a Value>,
    id: Option<&'a Value>,
    additional_items: Option<&'a Value>,
    pattern_properties: Option<&'a Value>,
    definitions: Option<&'a Value>,
    dependencies: Option<&'a Value>,
    reference: Option<&'a Value>,
    items: Option<&'a Value>,
    embedded: bool,
    unique_items: bool,
    additional_properties: Option<&'a Value>,
    properties: Option<&'a Obj>,
    not: Option<&'a Obj>,
    all_of: Option<&'a Value>,
    one_of: Option<&'a Value>,
    any_of: Option<&'a Value>,
    preserve_unknown: Option<&'a Value>,
    int_or_string: bool,
    /// `x-kubernetes-map-type`, `-list-type`, `-list-map-keys` or `-validations`.
    lists_or_rules: bool,
}

impl<'a> Kw<'a> {
    fn of(s: &'a Obj) -> Self {
        let mut kw = Kw::default();
        for (k, v) in s {
            match k.as_str() {
                "type" => kw.ty = v.as_str().unwrap_or_default(),
                "default" => kw.default = Some(v),
                "id" => kw.id = Some(v),
                "additionalItems" => kw.additional_items = Some(v),
                "patternProperties" => kw.pattern_properties = Some(v),
                "definitions" => kw.definitions = Some(v),
                "dependencies" => kw.dependencies = Some(v),
                "$ref" => kw.reference = Some(v),
                "items" => kw.items = Some(v),
                "x-kubernetes-embedded-resource" => kw.embedded = v == &Value::Bool(true),
                "uniqueItems" => kw.unique_items = v == &Value::Bool(true),
                "additionalProperties" => kw.additional_properties = Some(v),
                "properties" => kw.properties = v.as_object(),
                "not" => kw.not = v.as_object(),
                "allOf" => kw.all_of = Some(v),
                "oneOf" => kw.one_of = Some(v),
                "anyOf" => kw.any_of = Some(v),
                "x-kubernetes-preserve-unknown-fields" => kw.preserve_unknown = Some(v),
                "x-kubernetes-int-or-string" => kw.int_or_string = v == &Value::Bool(true),
                "x-kubernetes-map-type"
                | "x-kubernetes-list-type"
                | "x-kubernetes-list-map-keys"
                | "x-kubernetes-validations" => kw.lists_or_rules = true,
                _ => {}
            }
        }
        kw
    }

    fn props(&self) -> impl Iterator<Item = (&'a String, &'a Obj)> {
        self.properties
            .into_iter()
            .flatten()
            .filter_map(|(k, v)| v.as_object().map(|v| (k, v)))
    }
}

/// `ValidateCustomResourceDefinitionOpenAPISchema`.
fn openapi(s: &Obj, path: &Path, ssv: Ssv, is_root: bool, errs: &mut Vec<FieldError>) {
    let kw = Kw::of(s);
    let t = kw.ty;
    if !t.is_empty() && !OPENAPI_TYPES.contains(&t) {
        errs.push(FieldError::not_supported(
            path.child("type"),
            t,
            OPENAPI_TYPES,
        ));
    }
    if kw.default.is_some_and(|d| !d.is_null())
        && let Some(reason) = &ssv.forbidden_defaults
    {
        errs.push(FieldError::forbidden(
            path.child("default"),
            format!("must not be set {reason}"),
        ));
    }
    if kw.id.and_then(Value::as_str).is_some_and(|x| !x.is_empty()) {
        errs.push(FieldError::forbidden(
            path.child("id"),
            "id is not supported",
        ));
    }
    for (key, value) in [
        ("additionalItems", kw.additional_items),
        ("patternProperties", kw.pattern_properties),
        ("definitions", kw.definitions),
        ("dependencies", kw.dependencies),
    ] {
        let present = match value {
            None | Some(Value::Null) => false,
            Some(Value::Object(o)) => {
                key == "additionalItems" || key == "dependencies" || !o.is_empty()
            }
            Some(_) => true,
        };
        if present {
            errs.push(FieldError::forbidden(
                path.child(key),
                format!("{key} is not supported"),
            ));
        }
    }
    if kw.reference.is_some_and(|r| !r.is_null()) {
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
    if kw.items.is_some_and(Value::is_array) {
        errs.push(FieldError::forbidden(
            path.child("items"),
            "items must be a schema object and not an array",
        ));
    }
    if ssv.inside_resource_meta && kw.embedded {
        errs.push(FieldError::forbidden(
            path.child("x-kubernetes-embedded-resource"),
            "must not be used inside of resource meta",
        ));
    }
    if kw.unique_items {
        errs.push(FieldError::forbidden(
            path.child("uniqueItems"),
            "uniqueItems cannot be set to true since the runtime complexity becomes quadratic",
        ));
    }
    if let Some(ap) = kw.additional_properties {
        if kw.props().next().is_some() && (ap == &Value::Bool(false) || ap.is_object()) {
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
    let embedded = kw.embedded;
    for (k, p) in kw.props() {
        let mut sub = ssv.clone();
        if (is_root || embedded) && matches!(k.as_str(), "metadata" | "kind" | "apiVersion") {
            sub.inside_resource_meta = true;
            if is_root {
                sub.forbidden_defaults = Some(format!("in top-level {k}"));
            }
        }
        openapi(p, &path.child("properties").key(k), sub, false, errs);
    }
    if let Some(not) = kw.not {
        openapi(not, &path.child("not"), ssv.clone(), false, errs);
    }
    for (key, value) in [
        ("allOf", kw.all_of),
        ("oneOf", kw.one_of),
        ("anyOf", kw.any_of),
    ] {
        let schemas = value.and_then(Value::as_array).into_iter().flatten();
        for (i, a) in schemas.filter_map(Value::as_object).enumerate() {
            openapi(a, &path.child(key).index(i), ssv.clone(), false, errs);
        }
    }
    match kw.items {
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
    if kw.preserve_unknown == Some(&Value::Bool(false)) {
        errs.push(FieldError::invalid(
            path.child("x-kubernetes-preserve-unknown-fields"),
            BadValue::Json(json!(false)),
            "must be true or undefined",
        ));
    }
    // Both report nothing on a schema without these keywords.
    if kw.lists_or_rules {
        list_and_map_types(s, path, errs);
        validation_rules(s, path, errs);
    }
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
            let items_path = path.child("items");
            let item_props_path = items_path.child("properties");
            for k in &keys {
                let Some(p) = obj(is, "properties").and_then(|ps| obj(ps, k)) else {
                    continue;
                };
                let kp = item_props_path.key(k);
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
    let rules_path = path.child("x-kubernetes-validations");
    for (i, rule) in list(s, "x-kubernetes-validations").into_iter().enumerate() {
        let rp = rules_path.index(i);
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
