//! A version's `schema` (a `CustomResourceValidation`): the checks of
//! `validateCustomResourceDefinitionValidation`, i.e. the structural-schema rules
//! (apiextensions-apiserver pkg/apiserver/schema/validation.go and complete.go, errors
//! sorted as the server sorts them) followed by the OpenAPI rules
//! (`ValidateCustomResourceDefinitionOpenAPISchema`, properties visited in name order).

use serde_json::{Value, json};

use crate::doc::Doc;
use crate::field::{BadValue, FieldError, Path};

mod defaults;
mod keyword;
mod structural;

pub(crate) use keyword::Keyword;
use keyword::Kw;

use structural::{Level, completeness, invariants};

/// Check `validation` (`{openAPIV3Schema: ...}`) found at `path`.
pub(crate) fn validate<D: Doc>(
    validation: &D,
    status_enabled: bool,
    path: &Path,
    errs: &mut Vec<FieldError>,
) {
    let Some(schema) = validation.get("openAPIV3Schema").and_then(D::as_object) else {
        return;
    };
    let root = path.child("openAPIV3Schema");
    if status_enabled {
        root_with_status(schema, path, errs);
    }
    if schema.get("nullable").is_some_and(D::is_true) {
        errs.push(FieldError::forbidden(
            path.child("openAPIV3Schema.nullable"),
            "nullable cannot be true at the root",
        ));
    }
    // The server checks structure only on a schema it can convert (NewStructural);
    // what stops the conversion is reported by the OpenAPI checks. One walk makes
    // the OpenAPI checks, the structural invariants and the defaults' pruning, and
    // finds whether the schema is convertible (if not, the latter two are dropped).
    let mut sinks = Sinks {
        openapi: Vec::new(),
        structural: Vec::new(),
        convertible: true,
    };
    let pruned = openapi(
        schema,
        &root,
        Ssv::default(),
        true,
        Some(Level::Root),
        &mut sinks,
    );
    if sinks.convertible {
        let mut structural = sinks.structural;
        completeness(schema, schema, &root, &root, &mut structural);
        structural.sort_by_cached_key(FieldError::to_string);
        // Defaults are checked only on a structural schema.
        errs.extend(if structural.is_empty() {
            pruned
        } else {
            structural
        });
    }
    errs.append(&mut sinks.openapi);
}

/// Where the walk reports: the OpenAPI rules' errors in walk order, the structural
/// invariants' (sorted afterwards), and whether every node is convertible.
struct Sinks {
    openapi: Vec<FieldError>,
    structural: Vec<FieldError>,
    convertible: bool,
}

/// Whether apiextensions-apiserver's `NewStructural` accepts a node's own keywords
/// (`kw`): no list-valued `items`, no `x-kubernetes-preserve-unknown-fields: false`,
/// none of the keywords CRDs do not support. It accepts a schema when it accepts
/// every node [`openapi`] visits.
fn convertible<D: Doc>(kw: &Kw<'_, D>) -> bool {
    let unset = |v: Option<&D>| v.is_none_or(|v| v.is_null() || v.as_str() == Some(""));
    !kw.items().is_some_and(D::is_array)
        && !kw.preserve_unknown().is_some_and(D::is_false)
        && unset(kw.id())
        && unset(kw.dollar_schema())
        && unset(kw.reference())
        && unset(kw.pattern_properties())
        && unset(kw.dependencies())
        && unset(kw.additional_items())
        && unset(kw.definitions())
}

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
fn is_zero<D: Doc>(key: &str, v: &D) -> bool {
    if v.is_null() {
        true
    } else if let Some(b) = v.as_bool() {
        !b && key != "x-kubernetes-preserve-unknown-fields"
    } else if let Some(s) = v.as_str() {
        s.is_empty()
            && !matches!(
                key,
                "$ref" | "x-kubernetes-list-type" | "x-kubernetes-map-type"
            )
    } else {
        false
    }
}

fn root_with_status<D: Doc>(schema: &D, path: &Path, errs: &mut Vec<FieldError>) {
    // The JSONSchemaProps fields in their Go order (the check stops at the first).
    for key in Keyword::ALL.iter().map(|k| k.name()) {
        let Some(v) = schema.get(key) else { continue };
        if is_zero(key, v) {
            continue;
        }
        if key == "type" {
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
        if !ALLOWED_AT_ROOT.contains(&key) {
            errs.push(FieldError::invalid(
                path.child("openAPIV3Schema"),
                BadValue::Json(schema.to_json()),
                format!("only {ALLOWED_AT_ROOT_GO} fields are allowed at the root of the schema if the status subresource is enabled"),
            ));
            break;
        }
    }
}

pub(super) fn ty<D: Doc>(s: &D) -> &str {
    s.get("type").and_then(D::as_str).unwrap_or_default()
}

pub(super) fn flag<D: Doc>(s: &D, key: &str) -> bool {
    s.get(key).is_some_and(D::is_true)
}

pub(super) fn obj<'a, D: Doc>(s: &'a D, key: &str) -> Option<&'a D> {
    s.get(key).and_then(D::as_object)
}

/// The schemas under `properties`, in key order.
pub(super) fn props<D: Doc>(s: &D) -> impl Iterator<Item = (&str, &D)> {
    obj(s, "properties")
        .into_iter()
        .flat_map(D::sorted_entries)
        .filter(|(_, v)| v.is_object())
}

pub(super) fn list<'a, D: Doc>(s: &'a D, key: &str) -> Vec<&'a D> {
    s.get(key)
        .and_then(D::as_array)
        .map(|a| a.iter().filter(|x| x.is_object()).collect())
        .unwrap_or_default()
}

/// The context `ValidateCustomResourceDefinitionOpenAPISchema` carries down.
#[derive(Clone, Default)]
struct Ssv {
    forbidden_defaults: Option<String>,
    inside_resource_meta: bool,
}

const OPENAPI_TYPES: &[&str] = &["array", "boolean", "integer", "number", "object", "string"];

/// `ValidateCustomResourceDefinitionOpenAPISchema` of the schema node `s` and those
/// below it. With a `structural` level, also the structural invariants of the node
/// and of the nodes they cover (items, properties, additionalProperties) and the
/// pruning of their defaults: those errors are returned, in their own walk's order
/// (the node, items, properties in key order, additionalProperties).
fn openapi<D: Doc>(
    s: &D,
    path: &Path,
    ssv: Ssv,
    is_root: bool,
    structural: Option<Level>,
    sinks: &mut Sinks,
) -> Vec<FieldError> {
    let kw = Kw::of(s);
    sinks.convertible &= convertible(&kw);
    let mut pruned = Vec::new();
    if let Some(lvl) = structural {
        invariants(&kw, lvl, path, &mut sinks.structural);
        if let Some(e) = defaults::pruned_default(s, &kw, path, is_root) {
            pruned.push(e);
        }
    }
    openapi_node(&kw, path, &ssv, &mut sinks.openapi);
    let field = structural.map(|_| Level::Field);
    let mut ap_pruned = Vec::new();
    if let Some(ap) = kw.additional_properties().and_then(D::as_object) {
        let mut sub = ssv.clone();
        if ssv.inside_resource_meta {
            sub.forbidden_defaults =
                Some("inside additionalProperties applying to object metadata".into());
        }
        let ap_path = path.child("additionalProperties");
        ap_pruned = openapi(ap, &ap_path, sub, false, field, sinks);
    }
    let mut props_pruned = Vec::new();
    let embedded = kw.embedded();
    let props_path = path.child("properties");
    for (k, p) in kw.props() {
        let mut sub = ssv.clone();
        if (is_root || embedded) && matches!(k, "metadata" | "kind" | "apiVersion") {
            sub.inside_resource_meta = true;
            if is_root {
                sub.forbidden_defaults = Some(format!("in top-level {k}"));
            }
        }
        let p_pruned = openapi(p, &props_path.key(k), sub, false, field, sinks);
        if !p_pruned.is_empty() {
            props_pruned.extend(p_pruned);
        }
    }
    if let Some(not) = kw.not() {
        openapi(not, &path.child("not"), ssv.clone(), false, None, sinks);
    }
    let lists = [
        ("allOf", kw.all_of()),
        ("oneOf", kw.one_of()),
        ("anyOf", kw.any_of()),
    ];
    let any_list = kw.all_of().is_some() || kw.one_of().is_some() || kw.any_of().is_some();
    for (key, value) in lists.into_iter().filter(|_| any_list) {
        let schemas = value.and_then(D::as_array).into_iter().flatten();
        let list_path = path.child(key);
        for (i, a) in schemas.filter(|x| x.is_object()).enumerate() {
            openapi(a, &list_path.index(i), ssv.clone(), false, None, sinks);
        }
    }
    let items_path = path.child("items");
    let mut items_pruned = Vec::new();
    if let Some(items) = kw.items().and_then(D::as_object) {
        let item = structural.map(|_| Level::Item);
        items_pruned = openapi(items, &items_path, ssv.clone(), false, item, sinks);
    } else if let Some(items) = kw.items().and_then(D::as_array) {
        for (i, item) in items.iter().enumerate() {
            if let Some(item) = item.as_object() {
                let item_path = items_path.index(i);
                openapi(item, &item_path, ssv.clone(), false, None, sinks);
            }
        }
    }
    let errs = &mut sinks.openapi;
    if kw.preserve_unknown().is_some_and(D::is_false) {
        errs.push(FieldError::invalid(
            path.child("x-kubernetes-preserve-unknown-fields"),
            BadValue::Json(json!(false)),
            "must be true or undefined",
        ));
    }
    // Both report nothing on a schema without these keywords.
    if kw.map_type().is_some()
        || kw.list_type().is_some()
        || kw.list_map_keys().is_some()
        || kw.validations().is_some()
    {
        list_and_map_types(&kw, path, errs);
        validation_rules(&kw, path, errs);
    }
    if !items_pruned.is_empty() {
        pruned.extend(items_pruned);
    }
    if !props_pruned.is_empty() {
        pruned.extend(props_pruned);
    }
    if !ap_pruned.is_empty() {
        pruned.extend(ap_pruned);
    }
    pruned
}

/// The OpenAPI rules on the node itself that come before those of the nodes below.
fn openapi_node<D: Doc>(kw: &Kw<'_, D>, path: &Path, ssv: &Ssv, errs: &mut Vec<FieldError>) {
    let t = kw.ty();
    if !matches!(
        t,
        "" | "array" | "boolean" | "integer" | "number" | "object" | "string"
    ) {
        errs.push(FieldError::not_supported(
            path.child("type"),
            t,
            OPENAPI_TYPES,
        ));
    }
    if kw.default().is_some_and(|d| !d.is_null())
        && let Some(reason) = &ssv.forbidden_defaults
    {
        errs.push(FieldError::forbidden(
            path.child("default"),
            format!("must not be set {reason}"),
        ));
    }
    if kw.id().and_then(D::as_str).is_some_and(|x| !x.is_empty()) {
        errs.push(FieldError::forbidden(
            path.child("id"),
            "id is not supported",
        ));
    }
    let unsupported = [
        ("additionalItems", kw.additional_items()),
        ("patternProperties", kw.pattern_properties()),
        ("definitions", kw.definitions()),
        ("dependencies", kw.dependencies()),
    ];
    let any_unsupported = kw.additional_items().is_some()
        || kw.pattern_properties().is_some()
        || kw.definitions().is_some()
        || kw.dependencies().is_some();
    for (key, value) in unsupported.into_iter().filter(|_| any_unsupported) {
        let present = value.is_some_and(|v| {
            if v.is_object() {
                key == "additionalItems" || key == "dependencies" || v.obj_len() > 0
            } else {
                !v.is_null()
            }
        });
        if present {
            errs.push(FieldError::forbidden(
                path.child(key),
                format!("{key} is not supported"),
            ));
        }
    }
    if kw.reference().is_some_and(|r| !r.is_null()) {
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
    if kw.items().is_some_and(D::is_array) {
        errs.push(FieldError::forbidden(
            path.child("items"),
            "items must be a schema object and not an array",
        ));
    }
    if ssv.inside_resource_meta && kw.embedded() {
        errs.push(FieldError::forbidden(
            path.child("x-kubernetes-embedded-resource"),
            "must not be used inside of resource meta",
        ));
    }
    if kw.unique_items() {
        errs.push(FieldError::forbidden(
            path.child("uniqueItems"),
            "uniqueItems cannot be set to true since the runtime complexity becomes quadratic",
        ));
    }
    if let Some(ap) = kw.additional_properties()
        && kw.props_any_order().next().is_some()
        && (ap.is_false() || ap.is_object())
    {
        errs.push(FieldError::forbidden(
            path.child("additionalProperties"),
            "additionalProperties and properties are mutual exclusive",
        ));
    }
}

fn list_and_map_types<D: Doc>(kw: &Kw<'_, D>, path: &Path, errs: &mut Vec<FieldError>) {
    let t = kw.ty();
    let map_type = kw.map_type().and_then(D::as_str);
    let list_type = kw.list_type().and_then(D::as_str);
    let keys: Vec<&str> = kw
        .list_map_keys()
        .and_then(D::as_array)
        .map(|a| a.iter().filter_map(D::as_str).collect())
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
    let items = kw.items().and_then(D::as_object);
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
            let item_list = is.get("x-kubernetes-list-type").and_then(D::as_str);
            match ty(is) {
                "array" if item_list.is_some_and(|x| x != "atomic") => {
                    errs.push(FieldError::invalid_str(
                        path.child("items").child("x-kubernetes-list-type"),
                        item_list.unwrap_or_default(),
                        "must be atomic as item of a list with x-kubernetes-list-type=set",
                    ))
                }
                "object"
                    if is.get("x-kubernetes-map-type").and_then(D::as_str) != Some("atomic") =>
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
        match kw.items() {
            None => errs.push(FieldError::required(
                path.child("items"),
                "must have a schema if x-kubernetes-list-type is map",
            )),
            Some(a) if a.is_array() => errs.push(FieldError::invalid(
                path.child("items"),
                BadValue::Json(a.to_json()),
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
                .and_then(D::as_array)
                .map(|a| a.iter().filter_map(D::as_str).collect())
                .unwrap_or_default();
            let items_path = path.child("items");
            let item_props_path = items_path.child("properties");
            for k in &keys {
                let Some(p) = obj(is, "properties").and_then(|ps| obj(ps, k)) else {
                    continue;
                };
                let kp = item_props_path.key(k);
                if !required.contains(k) && p.get("default").is_none_or(D::is_null) {
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
fn validation_rules<D: Doc>(kw: &Kw<'_, D>, path: &Path, errs: &mut Vec<FieldError>) {
    let rules_path = path.child("x-kubernetes-validations");
    let rules = kw.validations().and_then(D::as_array).unwrap_or_default();
    for (i, rule) in rules.iter().filter(|r| r.is_object()).enumerate() {
        let rp = rules_path.index(i);
        let text = |k: &str| rule.get(k).and_then(D::as_str).unwrap_or_default();
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
        if let Some(reason) = rule.get("reason").and_then(D::as_str) {
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
