//! What kube-apiserver would refuse in a CRD, as warnings: crdgen still generates (types
//! from a CRD the server refuses are still useful, e.g. a kustomize base), but says what
//! `kubectl apply` would answer, at the line it is about. The checks are
//! [`crdgen_apiext`]'s, the same the in-memory API server refuses with.

use std::path::Path;

use super::Note;
use super::yaml::{Node, Value};
use crate::error::SourceRef;

/// Notes for one CRD document: each reason the server would refuse it, then each key
/// that apiextensions.k8s.io/v1 does not declare.
pub(crate) fn notes(file: &Path, doc: &Node) -> Vec<Note> {
    // The checks read the YAML tree as the server reads its JSON (crdgen_apiext::Doc).
    let mut out = Vec::new();
    for e in crdgen_apiext::validate(doc) {
        out.push(Note {
            source: locate(file, doc, &e.field),
            message: format!("kube-apiserver would refuse this CRD: {}", e.body()),
        });
    }
    for path in crdgen_apiext::unknown_fields(doc) {
        out.push(Note {
            source: locate(file, doc, &path),
            message: format!(
                "unknown field `{}`: apiextensions.k8s.io/v1 has no such field (kubectl's strict validation refuses it; the server would drop it)",
                last_segment(&path)
            ),
        });
    }
    out
}

/// A server field path (`spec.versions[0].schema.openAPIV3Schema.properties[spec].type`)
/// split into keys and indexes; bracketed keys may contain dots.
fn segments(path: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = path;
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('[') {
            let end = r.find(']').unwrap_or(r.len());
            out.push(&r[..end]);
            rest = r.get(end + 1..).unwrap_or("");
        } else {
            let rest1 = rest.strip_prefix('.').unwrap_or(rest);
            let end = rest1.find(['.', '[']).unwrap_or(rest1.len());
            if end > 0 {
                out.push(&rest1[..end]);
            }
            rest = &rest1[end..];
        }
    }
    out
}

fn last_segment(path: &str) -> &str {
    segments(path).last().copied().unwrap_or(path)
}

/// The internal version's paths written as the v1 document has them: fields that every
/// version shares are reported under `spec` (found in the first version), the conversion
/// webhook is flattened, stored versions come from `spec.versions`.
fn to_v1(segs: Vec<&str>) -> Vec<&str> {
    match segs.as_slice() {
        ["spec", "validation", rest @ ..] => [&["spec", "versions", "0", "schema"], rest].concat(),
        ["spec", "subresources", rest @ ..] => {
            [&["spec", "versions", "0", "subresources"], rest].concat()
        }
        ["spec", "additionalPrinterColumns", rest @ ..] => {
            [&["spec", "versions", "0", "additionalPrinterColumns"], rest].concat()
        }
        ["spec", "version", ..] => vec!["spec", "versions", "0", "name"],
        ["spec", "conversion", "webhookClientConfig", rest @ ..] => {
            [&["spec", "conversion", "webhook", "clientConfig"], rest].concat()
        }
        ["spec", "conversion", "conversionReviewVersions", rest @ ..] => [
            &["spec", "conversion", "webhook", "conversionReviewVersions"],
            rest,
        ]
        .concat(),
        ["status", "storedVersions", ..] => vec!["spec", "versions"],
        _ => segs,
    }
}

/// The file, line and column of the deepest node of `path` the document has (a missing
/// field points at its parent), with the server's path.
fn locate(file: &Path, doc: &Node, path: &str) -> SourceRef {
    let mut node = doc;
    for seg in to_v1(segments(path)) {
        let seg = if seg == "JSONPath" { "jsonPath" } else { seg };
        let next = match &node.value {
            Value::Seq(items) => seg.parse::<usize>().ok().and_then(|i| items.get(i)),
            Value::Map(_) => node.get(seg),
            _ => None,
        };
        match next {
            Some(n) => node = n,
            None => break,
        }
    }
    SourceRef {
        file: file.to_path_buf(),
        line: Some(node.pos.line),
        column: Some(node.pos.column),
        path: Some(path.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_split_as_the_server_writes_them() {
        assert_eq!(
            segments("metadata.annotations[api-approved.kubernetes.io]"),
            ["metadata", "annotations", "api-approved.kubernetes.io"]
        );
        assert_eq!(
            segments("spec.versions[1].schema.openAPIV3Schema.properties[a.b].oneOf[0].type"),
            [
                "spec",
                "versions",
                "1",
                "schema",
                "openAPIV3Schema",
                "properties",
                "a.b",
                "oneOf",
                "0",
                "type"
            ]
        );
        assert_eq!(
            segments("spec.versions[0].sevred"),
            ["spec", "versions", "0", "sevred"]
        );
    }

    #[test]
    fn notes_point_at_the_line() {
        let text = "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: foos.example.com\nspec:\n  group: example.com\n  scope: Namespaced\n  names: {plural: foos, kind: Foo}\n  versions:\n  - name: v1\n    sevred: true\n    storage: true\n    schema:\n      openAPIV3Schema:\n        properties:\n          spec: {type: object}\n";
        let docs = super::super::yaml::parse(text, Default::default()).unwrap();
        let notes = notes(Path::new("foo.yaml"), &docs[0].root);
        let shown: Vec<String> = notes
            .iter()
            .map(|n| format!("{}: {}", n.source, n.message))
            .collect();
        assert_eq!(
            shown,
            [
                "foo.yaml:15:9 (at spec.validation.openAPIV3Schema.type): kube-apiserver would refuse this CRD: Required value: must not be empty at the root",
                "foo.yaml:11:13 (at spec.versions[0].sevred): unknown field `sevred`: apiextensions.k8s.io/v1 has no such field (kubectl's strict validation refuses it; the server would drop it)",
            ]
        );
    }
}
