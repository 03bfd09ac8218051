//! `crdgen validate --crd crds/ objects/*.yaml`: every object checked as the API server
//! would check it on create (crdgen-runtime's `schema::Validator`: schema, list types,
//! CEL rules), each error printed as `<file>:<line>: <server's message>` with the line
//! of the field in the YAML (of the document when the field is not in it).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crdgen::input::yaml::{self, Node};
use crdgen::{Error, Source};
use crdgen_runtime::schema::Validator;

fn read_docs(file: &Path) -> Result<Vec<yaml::Document>, Error> {
    let text = std::fs::read_to_string(file).map_err(|e| Error::Io {
        path: file.to_owned(),
        source: e,
    })?;
    yaml::parse(&text, yaml::Limits::default()).map_err(|e| {
        Error::Environment(format!(
            "{}:{}:{}: {}",
            file.display(),
            e.pos.line,
            e.pos.column,
            e.message
        ))
    })
}

/// The line of a field path (`spec.ports[1].name`, `metadata.labels[app]`) in a
/// document: the deepest node of the path found.
fn line_of(root: &Node, path: &str) -> usize {
    let mut node = root;
    let mut line = root.pos.line;
    let mut rest = path;
    while !rest.is_empty() {
        let (seg, tail) = if let Some(r) = rest.strip_prefix('[') {
            let end = r.find(']').unwrap_or(r.len());
            (&r[..end], r.get(end + 1..).unwrap_or(""))
        } else {
            let end = rest.find(['.', '[']).unwrap_or(rest.len());
            (&rest[..end], &rest[end..])
        };
        rest = tail.strip_prefix('.').unwrap_or(tail);
        let next = match &node.value {
            yaml::Value::Seq(items) => seg
                .parse::<usize>()
                .ok()
                .and_then(|i| items.get(i))
                .map(|n| (n.pos.line, n)),
            yaml::Value::Map(entries) => entries
                .iter()
                .find(|(k, _)| k.name == seg)
                .map(|(k, n)| (k.pos.line, n)),
            _ => None,
        };
        match next {
            Some((l, n)) => (line, node) = (l, n),
            None => break,
        }
    }
    line
}

/// Run the subcommand: exit 0 when every object is valid, 1 on any error.
pub fn run(crds: Vec<PathBuf>, objects: Vec<PathBuf>) -> Result<ExitCode, Error> {
    let sources: Vec<Source> = crds.into_iter().map(Source::Path).collect();
    let loaded = crdgen::input::load(&sources)?;
    // (group, kind) → validator.
    let mut validators: BTreeMap<(String, String), Validator> = BTreeMap::new();
    for file in &loaded.files {
        for doc in read_docs(file)? {
            let crd = doc.root.to_json();
            if crd["kind"] != "CustomResourceDefinition" {
                continue;
            }
            let name = crd["metadata"]["name"].as_str().unwrap_or_default();
            let refused = crdgen_apiext::validate(&crd);
            if !refused.is_empty() {
                return Err(Error::Environment(format!(
                    "{}: {}",
                    file.display(),
                    crdgen_apiext::invalid_message(name, &refused)
                )));
            }
            let v = Validator::from_crd(&crd).map_err(|errs| {
                Error::Environment(format!(
                    "{}: {}",
                    file.display(),
                    crdgen_apiext::invalid_message(name, &errs)
                ))
            })?;
            let key = (
                crd["spec"]["group"].as_str().unwrap_or_default().to_owned(),
                crd["spec"]["names"]["kind"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
            );
            validators.insert(key, v);
        }
    }
    if validators.is_empty() {
        return Err(Error::Environment(
            "--crd: no CustomResourceDefinition found".into(),
        ));
    }
    let (mut checked, mut invalid) = (0, 0);
    for file in &objects {
        for doc in read_docs(file)? {
            let obj = doc.root.to_json();
            if obj.is_null() {
                continue;
            }
            checked += 1;
            let api_version = obj["apiVersion"].as_str().unwrap_or_default();
            let kind = obj["kind"].as_str().unwrap_or_default();
            let group = api_version.rsplit_once('/').map_or("", |(g, _)| g);
            let here = format!("{}:{}", file.display(), doc.root.pos.line);
            let Some(v) = validators.get(&(group.to_owned(), kind.to_owned())) else {
                invalid += 1;
                println!(
                    "{here}: no matches for kind {kind:?} in version {api_version:?} (no CRD given for it)"
                );
                continue;
            };
            if let Err(e) = v.validate(&obj) {
                invalid += 1;
                println!("{here}: {e}");
                for err in &e.errors {
                    let line = line_of(&doc.root, &err.field);
                    println!("  {}:{line}: {err}", file.display());
                }
            }
        }
    }
    let valid = checked - invalid;
    eprintln!("{valid} of {checked} objects valid");
    Ok(if invalid == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn lines_of_field_paths() {
        let docs = super::yaml::parse(
            "kind: W\nspec:\n  ports:\n  - name: a\n  - name: b\n    port: 1\n",
            Default::default(),
        )
        .unwrap();
        let root = &docs[0].root;
        assert_eq!(super::line_of(root, "spec.ports[1].port"), 6);
        assert_eq!(super::line_of(root, "spec.ports[0]"), 4);
        assert_eq!(super::line_of(root, "spec.missing"), 2);
    }
}
