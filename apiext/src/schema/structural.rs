//! The structural-schema rules (apiextensions-apiserver pkg/apiserver/schema/validation.go
//! and complete.go): every field has a type; allOf/anyOf/oneOf/not only add value
//! validations to fields the schema itself specifies.

use serde_json::json;

use super::{Kw, flag, is_zero, list, obj, props, ty};
use crate::doc::Doc;
use crate::field::{BadValue, FieldError, Path};

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Level {
    Root,
    Item,
    Field,
}

/// `anyOf: [{type: integer}, {type: string}]` exactly (checked without building it).
fn int_or_string_any_of<D: Doc>(any_of: Option<&D>) -> bool {
    let only_type = |v: &D, t: &str| {
        v.is_object() && v.obj_len() == 1 && v.get("type").and_then(D::as_str) == Some(t)
    };
    any_of
        .and_then(D::as_array)
        .is_some_and(|a| a.len() == 2 && only_type(&a[0], "integer") && only_type(&a[1], "string"))
}

/// `validateStructuralInvariants` of one node (its keywords `kw`). The walk in
/// `schema::openapi` visits the nodes (items at [`Level::Item`], properties and
/// additionalProperties at [`Level::Field`]), in any order: the errors are sorted.
pub(super) fn invariants<D: Doc>(
    kw: &Kw<'_, D>,
    lvl: Level,
    path: &Path,
    errs: &mut Vec<FieldError>,
) {
    let t = kw.ty();
    if t == "array" && kw.items().and_then(D::as_object).is_none() {
        errs.push(FieldError::required(
            path.child("items"),
            "must be specified",
        ));
    }
    if kw.additional_properties().is_some() && lvl == Level::Root {
        errs.push(FieldError::forbidden(
            path.child("additionalProperties"),
            "must not be used at the root",
        ));
    }
    let int_or_string = kw.int_or_string();
    let preserve = kw.preserve_unknown().is_some_and(D::is_true);
    let embedded = kw.embedded();
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
    if kw.any_of().is_some() || kw.all_of().is_some() || kw.one_of().is_some() || kw.not().is_some()
    {
        let skip_any_of = int_or_string_any_of(kw.any_of());
        let skip_first_all_of_any_of = objects(kw.all_of())
            .next()
            .is_some_and(|a| int_or_string_any_of(a.get("anyOf")));
        value_validation(kw, skip_any_of, skip_first_all_of_any_of, path, errs);
    }

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
    if embedded && kw.additional_properties().is_some() {
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
    // (Looked up only where something is checked: most nodes are neither.)
    let properties = kw
        .properties()
        .filter(|_| check_metadata || lvl == Level::Root);
    for key in ["kind", "apiVersion"] {
        if check_metadata
            && let Some(p) = properties.and_then(|p| obj(p, key))
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
        let properties_path = path.child("properties");
        let mpath = properties_path.key("metadata");
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
    if embedded && !preserve && kw.props_any_order().next().is_none() {
        errs.push(FieldError::required(path.child("properties"), "must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields"));
    }
}

/// The root's `metadata` schema may only restrict `name` and `generateName`.
fn metadata_is_implicit<D: Doc>(meta: &D) -> bool {
    meta.entries().all(|(k, v)| match k {
        // Not part of the structural schema, or cleared before the comparison.
        "type" | "default" | "example" | "externalDocs" | "id" | "$schema" => true,
        "x-kubernetes-preserve-unknown-fields" => !v.is_true(),
        "properties" => {
            let p = v.as_object();
            let n = p.map_or(0, D::obj_len);
            let name = p.is_some_and(|p| p.get("name").is_some());
            let generate = p.is_some_and(|p| p.get("generateName").is_some());
            n == 0 || (name && generate && n == 2) || ((name || generate) && n == 1)
        }
        _ => is_zero(k, v),
    })
}

/// The schemas of an `allOf`/`anyOf`/`oneOf` list.
fn objects<D: Doc>(list: Option<&D>) -> impl Iterator<Item = &D> {
    list.and_then(D::as_array)
        .into_iter()
        .flatten()
        .filter(|x| x.is_object())
}

/// `validateValueValidation`: the allOf/anyOf/oneOf/not of a structural node.
fn value_validation<D: Doc>(
    kw: &Kw<D>,
    skip_any_of: bool,
    skip_first_all_of_any_of: bool,
    path: &Path,
    errs: &mut Vec<FieldError>,
) {
    if !skip_any_of {
        for (i, a) in objects(kw.any_of()).enumerate() {
            nested(a, false, &path.child("anyOf").index(i), errs);
        }
    }
    for (i, a) in objects(kw.all_of()).enumerate() {
        nested(
            a,
            skip_first_all_of_any_of && i == 0,
            &path.child("allOf").index(i),
            errs,
        );
    }
    for (i, a) in objects(kw.one_of()).enumerate() {
        nested(a, false, &path.child("oneOf").index(i), errs);
    }
    if let Some(not) = kw.not() {
        nested(not, false, &path.child("not"), errs);
    }
}

/// `validateNestedValueValidation`: inside allOf/anyOf/oneOf/not only value validations
/// are allowed.
fn nested<D: Doc>(v: &D, skip_any_of: bool, path: &Path, errs: &mut Vec<FieldError>) {
    value_validation(&Kw::of(v), skip_any_of, false, path, errs);
    if let Some(items) = obj(v, "items") {
        nested(items, false, &path.child("items"), errs);
    }
    for (k, p) in props(v) {
        nested(p, false, &path.child("properties").key(k), errs);
    }
    let non_empty_str = |k: &str| v.get(k).and_then(D::as_str).is_some_and(|s| !s.is_empty());
    if non_empty_str("type") {
        errs.push(FieldError::forbidden(
            path.child("type"),
            "must be empty to be structural",
        ));
    }
    if v.get("additionalProperties").is_some_and(D::is_object) {
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
        .and_then(D::as_array)
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
        .and_then(D::as_array)
        .is_some_and(|a| !a.is_empty())
    {
        errs.push(FieldError::forbidden(
            path.child("x-kubernetes-validations"),
            "must be empty to be structural",
        ));
    }
    if obj(v, "properties").is_some_and(|p| p.get("metadata").is_some()) {
        errs.push(FieldError::forbidden(
            path.child("properties").key("metadata"),
            "must not be specified in a nested context",
        ));
    }
}

/// `validateStructuralCompleteness`: what the root's allOf/anyOf/oneOf/not name must
/// also be specified in the structural part.
pub(super) fn completeness<D: Doc>(
    v: &D,
    s: &D,
    s_path: &Path,
    v_path: &Path,
    errs: &mut Vec<FieldError>,
) {
    if let Some(not) = obj(v, "not") {
        nested_completeness(not, Some(s), s_path, &v_path.child("not"), errs);
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        for (i, a) in list(v, key).into_iter().enumerate() {
            nested_completeness(a, Some(s), s_path, &v_path.child(key).index(i), errs);
        }
    }
}

fn nested_completeness<D: Doc>(
    v: &D,
    s: Option<&D>,
    s_path: &Path,
    v_path: &Path,
    errs: &mut Vec<FieldError>,
) {
    let Some(s) = s else {
        errs.push(FieldError::required(
            s_path,
            format!("because it is defined in {}", v_path.render()),
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
    let s_props_path = s_path.child("properties");
    let v_props_path = v_path.child("properties");
    for (k, p) in props(v) {
        let sp = s_props_path.key(k);
        let vp = v_props_path.key(k);
        match s_props.and_then(|sp| obj(sp, k)) {
            None => errs.push(FieldError::required(
                sp,
                format!("because it is defined in {}", vp.render()),
            )),
            Some(sf) => nested_completeness(p, Some(sf), &sp, &vp, errs),
        }
    }
}
