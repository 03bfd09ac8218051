//! Keys a `CustomResourceDefinition` (apiextensions.k8s.io/v1) does not declare, such as
//! `sevred: true`: kubectl's strict field validation refuses them
//! (`strict decoding error: unknown field "spec.versions[0].sevred"`).

use crate::doc::Doc;
use crate::field::Path;
use crate::schema::Keyword;

const CRD: &[&str] = &["apiVersion", "kind", "metadata", "spec", "status"];
const SPEC: &[&str] = &[
    "group",
    "names",
    "scope",
    "versions",
    "conversion",
    "preserveUnknownFields",
];
const NAMES: &[&str] = &[
    "plural",
    "singular",
    "shortNames",
    "kind",
    "listKind",
    "categories",
];
const VERSION: &[&str] = &[
    "name",
    "served",
    "storage",
    "deprecated",
    "deprecationWarning",
    "schema",
    "subresources",
    "additionalPrinterColumns",
    "selectableFields",
];
const VALIDATION: &[&str] = &["openAPIV3Schema"];
const SUBRESOURCES: &[&str] = &["status", "scale"];
const SCALE: &[&str] = &[
    "specReplicasPath",
    "statusReplicasPath",
    "labelSelectorPath",
];
const COLUMN: &[&str] = &[
    "name",
    "type",
    "format",
    "description",
    "priority",
    "jsonPath",
];
const SELECTABLE: &[&str] = &["jsonPath"];
const CONVERSION: &[&str] = &["strategy", "webhook"];
const WEBHOOK: &[&str] = &["clientConfig", "conversionReviewVersions"];
const CLIENT: &[&str] = &["url", "service", "caBundle"];
const SERVICE: &[&str] = &["namespace", "name", "path", "port"];
const RULE: &[&str] = &[
    "rule",
    "message",
    "messageExpression",
    "reason",
    "fieldPath",
    "optionalOldSelf",
];
const DOCS: &[&str] = &["description", "url"];

/// The paths of the keys of `crd` that apiextensions.k8s.io/v1 does not declare, in
/// the order of the walk, a mapping's keys in JSON's key order (e.g.
/// `spec.versions[0].sevred`). `metadata` and `status` are not looked into.
pub fn unknown_fields<D: Doc>(crd: &D) -> Vec<String> {
    let mut out = Vec::new();
    let Some(crd) = crd.as_object() else {
        return out;
    };
    let root = Path::new("");
    check(crd, CRD, &root, &mut out);
    let Some(spec) = crd.get("spec").and_then(D::as_object) else {
        return out;
    };
    let sp = root.child("spec");
    check(spec, SPEC, &sp, &mut out);
    if let Some(names) = spec.get("names").and_then(D::as_object) {
        check(names, NAMES, &sp.child("names"), &mut out);
    }
    if let Some(conv) = spec.get("conversion").and_then(D::as_object) {
        let cp = sp.child("conversion");
        check(conv, CONVERSION, &cp, &mut out);
        if let Some(wh) = conv.get("webhook").and_then(D::as_object) {
            let wp = cp.child("webhook");
            check(wh, WEBHOOK, &wp, &mut out);
            if let Some(cc) = wh.get("clientConfig").and_then(D::as_object) {
                let ccp = wp.child("clientConfig");
                check(cc, CLIENT, &ccp, &mut out);
                if let Some(svc) = cc.get("service").and_then(D::as_object) {
                    check(svc, SERVICE, &ccp.child("service"), &mut out);
                }
            }
        }
    }
    let versions_path = sp.child("versions");
    for (i, v) in items(spec.get("versions")) {
        let vp = versions_path.index(i);
        check(v, VERSION, &vp, &mut out);
        if let Some(val) = v.get("schema").and_then(D::as_object) {
            let valp = vp.child("schema");
            check(val, VALIDATION, &valp, &mut out);
            if let Some(s) = val.get("openAPIV3Schema").and_then(D::as_object) {
                schema(s, &valp.child("openAPIV3Schema"), &mut out);
            }
        }
        if let Some(sub) = v.get("subresources").and_then(D::as_object) {
            let subp = vp.child("subresources");
            check(sub, SUBRESOURCES, &subp, &mut out);
            if let Some(scale) = sub.get("scale").and_then(D::as_object) {
                check(scale, SCALE, &subp.child("scale"), &mut out);
            }
        }
        for (j, c) in items(v.get("additionalPrinterColumns")) {
            check(
                c,
                COLUMN,
                &vp.child("additionalPrinterColumns").index(j),
                &mut out,
            );
        }
        for (j, f) in items(v.get("selectableFields")) {
            check(
                f,
                SELECTABLE,
                &vp.child("selectableFields").index(j),
                &mut out,
            );
        }
    }
    out
}

fn items<D: Doc>(v: Option<&D>) -> impl Iterator<Item = (usize, &D)> {
    v.and_then(D::as_array)
        .into_iter()
        .flatten()
        .enumerate()
        .filter(|(_, x)| x.is_object())
}

fn check<D: Doc>(obj: &D, known: &[&str], path: &Path, out: &mut Vec<String>) {
    let unknown = obj
        .entries()
        .map(|(k, _)| k)
        .filter(|k| !known.contains(k))
        .collect::<Vec<_>>();
    if !unknown.is_empty() {
        push_sorted(unknown, path, out);
    }
}

/// The unknown keys of one mapping, in JSON's key order.
fn push_sorted(mut keys: Vec<&str>, path: &Path, out: &mut Vec<String>) {
    keys.sort_unstable();
    out.extend(keys.into_iter().map(|k| path.child(k).render()));
}

/// [`check`] for schema nodes, the bulk of a CRD: a `match` rather than a list scan,
/// in the same pass that finds the keys [`schema`] descends into (returned in the order
/// `properties`, `patternProperties`, `definitions`, `items`, `additionalProperties`,
/// `not`, `additionalItems`, `allOf`, `anyOf`, `oneOf`, `x-kubernetes-validations`,
/// `externalDocs`, `dependencies`); `None` when there is none of them (most nodes).
fn check_schema<'a, D: Doc>(
    obj: &'a D,
    path: &Path,
    out: &mut Vec<String>,
) -> Option<[Option<&'a D>; 13]> {
    let mut children = [None; 13];
    let mut any = false;
    let mut unknown = Vec::new();
    for (k, v) in obj.entries() {
        let slot = match Keyword::of(k) {
            Some(Keyword::Properties) => 0,
            Some(Keyword::PatternProperties) => 1,
            Some(Keyword::Definitions) => 2,
            Some(Keyword::Items) => 3,
            Some(Keyword::AdditionalProperties) => 4,
            Some(Keyword::Not) => 5,
            Some(Keyword::AdditionalItems) => 6,
            Some(Keyword::AllOf) => 7,
            Some(Keyword::AnyOf) => 8,
            Some(Keyword::OneOf) => 9,
            Some(Keyword::XValidations) => 10,
            Some(Keyword::ExternalDocs) => 11,
            // JSONSchemaProps declares `dependencies` (JSONSchemaDependencies), so strict
            // decoding takes it: not unknown, and its schema values are walked.
            Some(Keyword::Dependencies) => 12,
            None => {
                unknown.push(k);
                continue;
            }
            Some(_) => continue,
        };
        children[slot] = Some(v);
        any = true;
    }
    if !unknown.is_empty() {
        push_sorted(unknown, path, out);
    }
    any.then_some(children)
}

fn schema<D: Doc>(s: &D, path: &Path, out: &mut Vec<String>) {
    let Some(
        [
            properties,
            pattern_properties,
            definitions,
            item_schemas,
            additional_properties,
            not,
            additional_items,
            all_of,
            any_of,
            one_of,
            validations,
            docs,
            dependencies,
        ],
    ) = check_schema(s, path, out)
    else {
        return;
    };
    for (key, v) in [
        ("properties", properties),
        ("patternProperties", pattern_properties),
        ("definitions", definitions),
    ] {
        if let Some(props) = v.and_then(D::as_object) {
            for (k, v) in props.sorted_entries() {
                if let Some(v) = v.as_object() {
                    schema(v, &path.child(key).key(k), out);
                }
            }
        }
    }
    for (key, v) in [
        ("items", item_schemas),
        ("additionalProperties", additional_properties),
        ("not", not),
        ("additionalItems", additional_items),
    ] {
        if let Some(o) = v.and_then(D::as_object) {
            schema(o, &path.child(key), out);
        } else if let Some(a) = v.and_then(D::as_array).filter(|_| key == "items") {
            for (i, x) in a.iter().enumerate() {
                if let Some(o) = x.as_object() {
                    schema(o, &path.child(key).index(i), out);
                }
            }
        }
    }
    for (key, v) in [("allOf", all_of), ("anyOf", any_of), ("oneOf", one_of)] {
        for (i, o) in items(v) {
            schema(o, &path.child(key).index(i), out);
        }
    }
    for (i, r) in items(validations) {
        check(
            r,
            RULE,
            &path.child("x-kubernetes-validations").index(i),
            out,
        );
    }
    if let Some(d) = docs.and_then(D::as_object) {
        check(d, DOCS, &path.child("externalDocs"), out);
    }
    // Each entry is a schema or a list of property names.
    if let Some(deps) = dependencies.and_then(D::as_object) {
        for (k, v) in deps.sorted_entries() {
            if let Some(v) = v.as_object() {
                schema(v, &path.child("dependencies").key(k), out);
            }
        }
    }
}
