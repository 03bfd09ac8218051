//! `ValidateCustomResourceDefinition` (create), in the server's order: metadata, spec,
//! stored versions, API approval, `preserveUnknownFields`.

use serde_json::{Value, json};

use crate::doc::Doc;

use crate::field::{BadValue, FieldError, Path};
use crate::names::{dns1035_label, dns1123_subdomain};
use crate::schema;

const APPROVAL: &str = "api-approved.kubernetes.io";

fn s<'a, D: Doc>(v: &'a D, key: &str) -> &'a str {
    v.get(key).and_then(D::as_str).unwrap_or_default()
}

fn b<D: Doc>(v: &D, key: &str) -> bool {
    v.get(key).and_then(D::as_bool).unwrap_or(false)
}

fn arr<'a, D: Doc>(v: &'a D, key: &str) -> &'a [D] {
    v.get(key).and_then(D::as_array).unwrap_or_default()
}

/// Both missing, or both there and equal as JSON.
fn same<D: Doc>(a: Option<&D>, b: Option<&D>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => a.json_eq(b),
        _ => false,
    }
}

/// Every reason kube-apiserver would refuse to create this CRD (JSON as sent to the
/// server, or the YAML tree it is read from: see [`Doc`]), in the order the server
/// reports them. Empty when it would accept it.
pub fn validate<D: Doc>(crd: &D) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let meta = crd.get("metadata").unwrap_or(D::null());
    let spec = crd.get("spec").unwrap_or(D::null());
    let names = spec.get("names").unwrap_or(D::null());
    let group = s(spec, "group");
    let plural = s(names, "plural");
    let kind = s(names, "kind");
    // v1 defaulting (SetDefaults_CustomResourceDefinitionSpec).
    let singular = match s(names, "singular") {
        "" => kind.to_lowercase(),
        x => x.to_owned(),
    };
    let list_kind = match s(names, "listKind") {
        "" if !kind.is_empty() => format!("{kind}List"),
        x => x.to_owned(),
    };

    // metadata (ValidateObjectMeta with the CRD's name rule)
    let name = s(meta, "name");
    if name.is_empty() {
        if s(meta, "generateName").is_empty() {
            errs.push(FieldError::required(
                "metadata.name",
                "name or generateName is required",
            ));
        }
    } else {
        let mut msgs = dns1123_subdomain(name);
        if name != format!("{plural}.{group}") {
            msgs.push("must be spec.names.plural+\".\"+spec.group".to_owned());
        }
        for m in msgs {
            errs.push(FieldError::invalid_str("metadata.name", name, m));
        }
    }

    spec_errors(spec, names, &singular, &list_kind, &mut errs);

    // status.storedVersions, as set on create: the first storage version.
    let versions = arr(spec, "versions");
    let stored: Vec<&str> = versions
        .iter()
        .find(|v| b(*v, "storage"))
        .map(|v| s(v, "name"))
        .into_iter()
        .collect();
    if stored.is_empty() {
        errs.push(FieldError::invalid(
            "status.storedVersions",
            BadValue::Json(Value::Null),
            "must have at least one stored version",
        ));
    } else {
        for v in versions.iter().filter(|v| b(*v, "storage")) {
            if !stored.contains(&s(v, "name")) {
                errs.push(FieldError::invalid(
                    "status.storedVersions",
                    BadValue::Json(json!(stored)),
                    format!("must have the storage version {}", s(v, "name")),
                ));
            }
        }
    }

    api_approval(meta, group, &mut errs);

    if spec.get("preserveUnknownFields").is_some_and(D::is_true) {
        errs.push(FieldError::invalid(
            "spec.preserveUnknownFields",
            BadValue::Json(json!(true)),
            "cannot set to true, set x-kubernetes-preserve-unknown-fields to true in spec.versions[*].schema instead",
        ));
    }
    errs
}

/// Protected groups (`k8s.io`, `kubernetes.io` and their subdomains) need the
/// `api-approved.kubernetes.io` annotation: a URL, or a reason starting `unapproved`.
fn api_approval<D: Doc>(meta: &D, group: &str, errs: &mut Vec<FieldError>) {
    let protected = group == "k8s.io"
        || group.ends_with(".k8s.io")
        || group == "kubernetes.io"
        || group.ends_with(".kubernetes.io");
    if !protected {
        return;
    }
    let value = meta
        .get("annotations")
        .map(|a| s(a, APPROVAL))
        .unwrap_or_default();
    let path = format!("metadata.annotations[{APPROVAL}]");
    if value.is_empty() {
        errs.push(FieldError::required(
            path,
            format!("protected groups must have approval annotation \"{APPROVAL}\", see https://github.com/kubernetes/enhancements/pull/1111"),
        ));
    } else if !value.starts_with("unapproved") && !is_request_uri_with_host(value) {
        errs.push(FieldError::invalid_str(
            path,
            value,
            format!("protected groups must have approval annotation \"{APPROVAL}\" with either a URL or a reason starting with \"unapproved\", see https://github.com/kubernetes/enhancements/pull/1111"),
        ));
    }
}

/// `url.ParseRequestURI` succeeding with a scheme and a host.
fn is_request_uri_with_host(v: &str) -> bool {
    let Some((scheme, rest)) = v.split_once("://") else {
        return false;
    };
    let scheme_ok = scheme
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    scheme_ok && !host.is_empty() && !v.contains(char::is_whitespace)
}

/// The internal version's per-version fields: a field every version sets identically is
/// moved to `spec` (and reported there), as the server's v1 conversion does.
struct Collapsed<'a, D> {
    validation: Option<&'a D>,
    subresources: Option<&'a D>,
    columns: Option<&'a [D]>,
}

fn collapse<D: Doc>(versions: &[D]) -> Collapsed<'_, D> {
    let identical = |key: &str| {
        let first = versions.first().and_then(|v| v.get(key));
        versions.iter().all(|v| same(v.get(key), first))
    };
    let first = versions.first();
    Collapsed {
        validation: (identical("schema"))
            .then(|| first.and_then(|v| v.get("schema")))
            .flatten(),
        subresources: (identical("subresources"))
            .then(|| first.and_then(|v| v.get("subresources")))
            .flatten(),
        columns: (identical("additionalPrinterColumns"))
            .then(|| first.map(|v| arr(v, "additionalPrinterColumns")))
            .flatten()
            .filter(|c| !c.is_empty()),
    }
}

fn has_status<D: Doc>(subresources: Option<&D>) -> bool {
    subresources.is_some_and(|s| s.get("status").is_some_and(|x| !x.is_null()))
}

fn spec_errors<D: Doc>(
    spec: &D,
    names: &D,
    singular: &str,
    list_kind: &str,
    errs: &mut Vec<FieldError>,
) {
    let path = Path::new("spec");
    let group = s(spec, "group");
    if group.is_empty() {
        errs.push(FieldError::required("spec.group", ""));
    } else if let m @ [_, ..] = dns1123_subdomain(group).as_slice() {
        errs.push(FieldError::invalid_str("spec.group", group, m.join(",")));
    } else if !group.contains('.') {
        errs.push(FieldError::invalid_str(
            "spec.group",
            group,
            "should be a domain with at least one dot",
        ));
    }
    match s(spec, "scope") {
        "" => errs.push(FieldError::required("spec.scope", "")),
        "Cluster" | "Namespaced" => {}
        other => errs.push(FieldError::not_supported(
            "spec.scope",
            other,
            &["Cluster", "Namespaced"],
        )),
    }

    let versions = arr(spec, "versions");
    let collapsed = collapse(versions);
    let has_schema =
        |v: Option<&D>| v.is_some_and(|s| s.get("openAPIV3Schema").is_some_and(|x| !x.is_null()));
    if !has_schema(collapsed.validation) {
        for (i, v) in versions.iter().enumerate() {
            if !has_schema(v.get("schema")) {
                errs.push(FieldError::required(
                    path.child("versions")
                        .index(i)
                        .child("schema")
                        .child("openAPIV3Schema"),
                    "",
                ));
            }
        }
    }
    let preserve = spec.get("preserveUnknownFields").is_some_and(D::is_true);
    if preserve
        && versions
            .iter()
            .any(|v| v.get("schema").is_some_and(has_default))
    {
        errs.push(FieldError::invalid(
            "spec.preserveUnknownFields",
            BadValue::Json(json!(true)),
            "must be false in order to use defaults in the schema",
        ));
    }

    let mut storage = 0;
    let mut seen: Vec<&str> = Vec::new();
    let mut unique = true;
    let any_status = has_status(collapsed.subresources)
        || versions.iter().any(|v| has_status(v.get("subresources")));
    let versions_path = path.child("versions");
    for (i, v) in versions.iter().enumerate() {
        let vp = versions_path.index(i);
        let name = s(v, "name");
        if b(v, "storage") {
            storage += 1;
        }
        if seen.contains(&name) {
            unique = false;
        } else {
            seen.push(name);
        }
        if let m @ [_, ..] = dns1035_label(name).as_slice() {
            errs.push(FieldError::invalid_str(vp.child("name"), name, m.join(",")));
        }
        // validateCustomResourceDefinitionVersion
        let deprecated = b(v, "deprecated");
        if let Some(w) = v.get("deprecationWarning").and_then(D::as_str) {
            for m in deprecation_warning(deprecated, w) {
                errs.push(FieldError::invalid_str(
                    vp.child("deprecationWarning"),
                    w,
                    m,
                ));
            }
        }
        let own_subresources = if collapsed.subresources.is_some() {
            None
        } else {
            v.get("subresources")
        };
        if collapsed.validation.is_none()
            && let Some(sch) = v.get("schema")
        {
            let status = if collapsed.subresources.is_some() {
                has_status(collapsed.subresources)
            } else {
                has_status(own_subresources)
            };
            schema::validate(sch, status, &vp.child("schema"), errs);
        }
        if let Some(sub) = own_subresources {
            subresources(sub, &vp.child("subresources"), errs);
        }
        if collapsed.columns.is_none() {
            for (j, c) in arr(v, "additionalPrinterColumns").iter().enumerate() {
                column(c, &vp.child("additionalPrinterColumns").index(j), errs);
            }
        }
    }
    let versions_value = || BadValue::Json(Value::Array(versions.iter().map(D::to_json).collect()));
    if !unique {
        errs.push(FieldError::invalid(
            "spec.versions",
            versions_value(),
            "must contain unique version names",
        ));
    }
    if storage != 1 {
        errs.push(FieldError::invalid(
            "spec.versions",
            versions_value(),
            "must have exactly one version marked as storage version",
        ));
    }
    // spec.version is versions[0].name in the internal version.
    if let Some(first) = versions
        .first()
        .map(|v| s(v, "name"))
        .filter(|n| !n.is_empty())
        && let m @ [_, ..] = dns1035_label(first).as_slice()
    {
        errs.push(FieldError::invalid_str("spec.version", first, m.join(",")));
    }

    let np = path.child("names");
    if s(names, "plural").is_empty() {
        errs.push(FieldError::required(np.child("plural"), ""));
    }
    if singular.is_empty() {
        errs.push(FieldError::required(np.child("singular"), ""));
    }
    if s(names, "kind").is_empty() {
        errs.push(FieldError::required(np.child("kind"), ""));
    }
    if list_kind.is_empty() {
        errs.push(FieldError::required(np.child("listKind"), ""));
    }
    names_errors(names, singular, list_kind, &np, errs);

    if let Some(validation) = collapsed.validation {
        schema::validate(validation, any_status, &path.child("validation"), errs);
    }
    if let Some(sub) = collapsed.subresources {
        subresources(sub, &path.child("subresources"), errs);
    }
    for (j, c) in collapsed.columns.unwrap_or_default().iter().enumerate() {
        column(c, &path.child("additionalPrinterColumns").index(j), errs);
    }

    conversion(spec, preserve, errs);
}

fn has_default<D: Doc>(v: &D) -> bool {
    if let Some(a) = v.as_array() {
        return a.iter().any(has_default);
    }
    v.entries().any(|(k, x)| {
        (k == "default" && !x.is_null())
            || (k != "default" && k != "enum" && k != "example" && has_default(x))
    })
}

fn deprecation_warning(deprecated: bool, w: &str) -> Vec<String> {
    if !deprecated {
        return vec!["can only be set for deprecated versions".to_owned()];
    }
    let mut out = Vec::new();
    if w.len() > 256 {
        out.push("must be <= 256 characters long".to_owned());
    }
    if w.is_empty() {
        out.push("must not be an empty string".to_owned());
    }
    for (i, c) in w.char_indices() {
        if c.is_control() {
            out.push(format!(
                "must only contain printable UTF-8 characters; control character found at index {i}"
            ));
            break;
        }
    }
    out
}

fn names_errors<D: Doc>(
    names: &D,
    singular: &str,
    list_kind: &str,
    np: &Path,
    errs: &mut Vec<FieldError>,
) {
    let plural = s(names, "plural");
    let kind = s(names, "kind");
    let label =
        |errs: &mut Vec<FieldError>, field: Path, value: &str, checked: &str, prefix: &str| {
            if let m @ [_, ..] = dns1035_label(checked).as_slice()
                && !value.is_empty()
            {
                errs.push(FieldError::invalid_str(
                    field,
                    value,
                    format!("{prefix}{}", m.join(",")),
                ));
            }
        };
    label(errs, np.child("plural"), plural, plural, "");
    label(errs, np.child("singular"), singular, singular, "");
    let mixed = "may have mixed case, but should otherwise match: ";
    label(errs, np.child("kind"), kind, &kind.to_lowercase(), mixed);
    label(
        errs,
        np.child("listKind"),
        list_kind,
        &list_kind.to_lowercase(),
        mixed,
    );
    for (i, short) in arr(names, "shortNames").iter().enumerate() {
        let short = short.as_str().unwrap_or_default();
        if let m @ [_, ..] = dns1035_label(short).as_slice() {
            errs.push(FieldError::invalid_str(
                np.child("shortNames").index(i),
                short,
                m.join(","),
            ));
        }
    }
    if !kind.is_empty() && kind == list_kind {
        errs.push(FieldError::invalid_str(
            np.child("listKind"),
            list_kind,
            "kind and listKind may not be the same",
        ));
    }
    for (i, cat) in arr(names, "categories").iter().enumerate() {
        let cat = cat.as_str().unwrap_or_default();
        if let m @ [_, ..] = dns1035_label(cat).as_slice() {
            errs.push(FieldError::invalid_str(
                np.child("categories").index(i),
                cat,
                m.join(","),
            ));
        }
    }
}

fn simple_json_path(v: &str, field: &Path, errs: &mut Vec<FieldError>) -> bool {
    let problem = if v.is_empty() {
        Some("must not be empty")
    } else if !v.starts_with('.') {
        Some("must be a simple json path starting with .")
    } else {
        None
    };
    if let Some(p) = problem {
        errs.push(FieldError::invalid_str(field, v, p));
    }
    problem.is_none()
}

fn subresources<D: Doc>(sub: &D, path: &Path, errs: &mut Vec<FieldError>) {
    let Some(scale) = sub.get("scale").filter(|s| !s.is_null()) else {
        return;
    };
    for (key, prefix, under) in [
        ("specReplicasPath", ".spec.", ".spec"),
        ("statusReplicasPath", ".status.", ".status"),
    ] {
        let child = format!("scale.{key}");
        let field = path.child(&child);
        match s(scale, key) {
            "" => errs.push(FieldError::required(field, "")),
            v => {
                if simple_json_path(v, &field, errs) && !v.starts_with(prefix) {
                    errs.push(FieldError::invalid_str(
                        field,
                        v,
                        format!("should be a json path under {under}"),
                    ));
                }
            }
        }
    }
    let sel = s(scale, "labelSelectorPath");
    if !sel.is_empty() {
        let field = path.child("scale.labelSelectorPath");
        if simple_json_path(sel, &field, errs)
            && !sel.starts_with(".spec.")
            && !sel.starts_with(".status.")
        {
            errs.push(FieldError::invalid_str(
                field,
                sel,
                "should be a json path under either .spec or .status",
            ));
        }
    }
}

fn column<D: Doc>(c: &D, path: &Path, errs: &mut Vec<FieldError>) {
    const TYPES: &str = "boolean,date,integer,number,string";
    const FORMATS: &str = "byte,date,date-time,double,float,int32,int64,password";
    if s(c, "name").is_empty() {
        errs.push(FieldError::required(path.child("name"), ""));
    }
    match s(c, "type") {
        "" => errs.push(FieldError::required(
            path.child("type"),
            format!("must be one of {TYPES}"),
        )),
        t if !TYPES.split(',').any(|x| x == t) => errs.push(FieldError::invalid_str(
            path.child("type"),
            t,
            format!("must be one of {TYPES}"),
        )),
        _ => {}
    }
    let f = s(c, "format");
    if !f.is_empty() && !FORMATS.split(',').any(|x| x == f) {
        errs.push(FieldError::invalid_str(
            path.child("format"),
            f,
            format!("must be one of {FORMATS}"),
        ));
    }
    match s(c, "jsonPath") {
        "" => errs.push(FieldError::required(path.child("JSONPath"), "")),
        p => {
            simple_json_path(p, &path.child("JSONPath"), errs);
        }
    }
}

/// `spec.conversion` (internal form: `webhookClientConfig` and `conversionReviewVersions`
/// directly under `conversion`).
fn conversion<D: Doc>(spec: &D, preserve: bool, errs: &mut Vec<FieldError>) {
    let conv = spec.get("conversion").unwrap_or(D::null());
    let strategy = if conv.is_null() {
        "None"
    } else {
        s(conv, "strategy")
    };
    if strategy != "None" && preserve {
        errs.push(FieldError::invalid_str(
            "spec.conversion.strategy",
            strategy,
            "must be None if spec.preserveUnknownFields is true",
        ));
    }
    if conv.is_null() {
        return;
    }
    match strategy {
        "" => errs.push(FieldError::required("spec.conversion.strategy", "")),
        "None" | "Webhook" => {}
        other => errs.push(FieldError::not_supported(
            "spec.conversion.strategy",
            other,
            &["None", "Webhook"],
        )),
    }
    let webhook = conv.get("webhook").filter(|w| !w.is_null());
    let client = webhook
        .and_then(|w| w.get("clientConfig"))
        .filter(|c| !c.is_null());
    let review: &[D] = webhook.map_or(&[], |w| arr(w, "conversionReviewVersions"));
    let cc = Path::new("spec.conversion.webhookClientConfig");
    if strategy == "Webhook" {
        match client {
            None => errs.push(FieldError::required(
                cc,
                "required when strategy is set to Webhook",
            )),
            Some(c) => {
                let url = c.get("url").filter(|u| !u.is_null());
                let service = c.get("service").filter(|u| !u.is_null());
                match (url, service) {
                    (None, None) | (Some(_), Some(_)) => errs.push(FieldError::required(
                        cc,
                        "exactly one of url or service is required",
                    )),
                    (None, Some(svc)) => {
                        let sp = cc.child("service");
                        if s(svc, "name").is_empty() {
                            errs.push(FieldError::required(sp.child("name"), ""));
                        }
                        if s(svc, "namespace").is_empty() {
                            errs.push(FieldError::required(sp.child("namespace"), ""));
                        }
                        if let Some(port) = svc.get("port").and_then(D::as_i64)
                            && !(1..=65535).contains(&port)
                        {
                            errs.push(FieldError::invalid(
                                sp.child("port"),
                                BadValue::Json(json!(port)),
                                "port is not valid: must be between 1 and 65535, inclusive",
                            ));
                        }
                    }
                    (Some(_), None) => {}
                }
            }
        }
        let rp = Path::new("spec.conversion.conversionReviewVersions");
        if review.is_empty() {
            errs.push(FieldError::required(rp, ""));
        } else {
            let mut seen = Vec::new();
            let mut accepted = false;
            for (i, v) in review.iter().enumerate() {
                let v = v.as_str().unwrap_or_default();
                if seen.contains(&v) {
                    errs.push(FieldError::invalid_str(rp.index(i), v, "duplicate version"));
                    continue;
                }
                seen.push(v);
                for m in dns1035_label(v) {
                    errs.push(FieldError::invalid_str(rp.index(i), v, m));
                }
                accepted |= v == "v1" || v == "v1beta1";
            }
            if !accepted {
                errs.push(FieldError::invalid(
                    rp,
                    BadValue::Json(Value::Array(review.iter().map(D::to_json).collect())),
                    "must include at least one of v1, v1beta1",
                ));
            }
        }
    } else {
        if client.is_some() {
            errs.push(FieldError::forbidden(
                cc,
                "should not be set when strategy is not set to Webhook",
            ));
        }
        if !review.is_empty() {
            errs.push(FieldError::forbidden(
                "spec.conversion.conversionReviewVersions",
                "should not be set when strategy is not set to Webhook",
            ));
        }
    }
}
