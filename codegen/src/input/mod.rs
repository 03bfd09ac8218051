//! Front end for CRD YAML: files, folders (recursive), standard input, or text.

mod admission;
pub mod crd;
pub mod yaml;

use std::path::{Path, PathBuf};

use crate::error::{Diagnostic, Error, Result, SourceRef};
use crate::ir::{Model, ResourceModel};

/// Where CRDs come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A file, or a folder searched recursively for `*.yaml`, `*.yml` and `*.json`.
    Path(PathBuf),
    /// Text already in memory, with the name to show in messages and headers.
    Text {
        /// Name shown in diagnostics and in the generated header (e.g. `<stdin>`).
        name: String,
        /// The YAML or JSON text.
        text: String,
    },
}

/// Something worth telling the user that is not an error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// Where.
    pub source: SourceRef,
    /// What.
    pub message: String,
}

/// What loading produced.
#[derive(Debug, Clone, Default)]
pub struct Loaded {
    /// The CRDs.
    pub model: Model,
    /// Files read (for `cargo:rerun-if-changed`), in order.
    pub files: Vec<PathBuf>,
    /// Skipped documents and similar notes.
    pub notes: Vec<Note>,
}

/// Load every CRD from the sources. All problems are reported together. Files are
/// read and parsed in parallel (one job per file) and joined in order, so the result
/// and the errors are those of reading them one after another.
pub fn load(sources: &[Source]) -> Result<Loaded> {
    // One job per file, in the order the sources name them.
    let mut jobs: Vec<(&Path, Option<&str>)> = Vec::new();
    let mut expanded = Vec::new();
    for source in sources {
        if let Source::Path(path) = source {
            expanded.push(expand(path)?);
        }
    }
    let mut expanded = expanded.iter();
    for source in sources {
        match source {
            Source::Path(_) => {
                let files = expanded.next().expect("expanded above, in order");
                jobs.extend(files.iter().map(|f| (f.as_path(), None)));
            }
            Source::Text { name, text } => jobs.push((Path::new(name), Some(text))),
        }
    }
    let parts = crate::render::par_map(
        &jobs,
        || (),
        |(), &(file, text)| {
            let mut part = Loaded::default();
            let mut diags = Vec::new();
            match text {
                Some(text) => read_text(file, text.as_bytes(), &mut part, &mut diags),
                None => {
                    let bytes = std::fs::read(file).map_err(|e| Error::io(file, e))?;
                    read_text(file, &bytes, &mut part, &mut diags);
                    part.files.push(file.to_path_buf());
                }
            }
            Ok((part, diags))
        },
    );
    let mut loaded = Loaded::default();
    let mut diags = Vec::new();
    for part in parts {
        let (part, part_diags) = part?;
        loaded.model.resources.extend(part.model.resources);
        loaded.files.extend(part.files);
        loaded.notes.extend(part.notes);
        diags.extend(part_diags);
    }
    // The same CRD twice is ambiguous: refuse rather than pick one.
    loaded
        .model
        .resources
        .sort_by(|a, b| (&a.group, &a.kind, &a.file).cmp(&(&b.group, &b.kind, &b.file)));
    for pair in loaded.model.resources.windows(2) {
        if pair[0].group == pair[1].group && pair[0].kind == pair[1].kind {
            diags.push(
                Diagnostic::new(
                    SourceRef {
                        file: pair[1].file.clone(),
                        ..Default::default()
                    },
                    format!(
                        "{} is defined twice (also in {}, document {})",
                        pair[1].name,
                        pair[0].file.display(),
                        pair[0].doc_index
                    ),
                )
                .with_help("pass each CRD once"),
            );
        }
    }
    if !diags.is_empty() {
        return Err(Error::Input(diags));
    }
    Ok(loaded)
}

/// Files under a path: the file itself, or the YAML/JSON files below a folder, sorted.
fn expand(path: &Path) -> Result<Vec<PathBuf>> {
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    if !meta.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut out = Vec::new();
    let mut stack = vec![path.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let entries = std::fs::read_dir(&dir).map_err(|e| Error::io(&dir, e))?;
        for entry in entries {
            let entry = entry.map_err(|e| Error::io(&dir, e))?;
            let p = entry.path();
            let ft = entry.file_type().map_err(|e| Error::io(&p, e))?;
            if ft.is_dir() {
                stack.push(p);
            } else if matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("yaml" | "yml" | "json")
            ) {
                out.push(p);
            }
        }
    }
    out.sort();
    Ok(out)
}

fn read_text(file: &Path, bytes: &[u8], loaded: &mut Loaded, diags: &mut Vec<Diagnostic>) {
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let good = &bytes[..e.valid_up_to()];
            let line = good.iter().filter(|b| **b == b'\n').count() + 1;
            let column = good.iter().rev().take_while(|b| **b != b'\n').count() + 1;
            diags.push(
                Diagnostic::new(
                    SourceRef {
                        file: file.to_path_buf(),
                        line: Some(line),
                        column: Some(column),
                        path: None,
                    },
                    format!(
                        "the file is not valid UTF-8 (invalid byte at offset {})",
                        e.valid_up_to()
                    ),
                )
                .with_help("Kubernetes manifests are UTF-8; re-encode the file"),
            );
            return;
        }
    };
    let docs = match yaml::parse(text, yaml::Limits::default()) {
        Ok(d) => d,
        Err(e) => {
            diags.push(Diagnostic::new(
                SourceRef {
                    file: file.to_path_buf(),
                    line: Some(e.pos.line),
                    column: Some(e.pos.column),
                    path: None,
                },
                format!("invalid YAML: {}", e.message),
            ));
            return;
        }
    };
    for mut doc in docs {
        read_document(file, doc.index, &mut doc.root, loaded, diags);
    }
}

fn read_document(
    file: &Path,
    index: usize,
    root: &mut yaml::Node,
    loaded: &mut Loaded,
    diags: &mut Vec<Diagnostic>,
) {
    if matches!(root.value, yaml::Value::Null) {
        return; // an empty document, e.g. after a trailing `---`
    }
    let kind = root.get("kind").and_then(yaml::Node::as_str);
    let pos = root.pos;
    let source = || SourceRef {
        file: file.to_path_buf(),
        line: Some(pos.line),
        column: Some(pos.column),
        path: None,
    };
    match kind {
        Some("CustomResourceDefinition") => {
            // What the API server would refuse, before the schemas move into the model
            // (for v1 CRDs: the reader refuses other versions).
            if root.get("apiVersion").and_then(yaml::Node::as_str)
                == Some("apiextensions.k8s.io/v1")
            {
                loaded.notes.extend(admission::notes(file, root));
            }
            let schemas = crd::detach_schemas(root);
            let mut reader = crd::CrdReader::new(file);
            let model = reader.read(root, index, schemas);
            let (errors, warnings) = reader.into_diagnostics();
            diags.extend(errors);
            loaded.notes.extend(warnings.into_iter().map(|w| Note {
                source: w.source,
                message: w.message,
            }));
            if let Some(m) = model {
                loaded.model.resources.push(m);
            }
        }
        // `kubectl get crd -o yaml` prints a List.
        Some("List" | "CustomResourceDefinitionList") => {
            match root.get_mut("items").map(|i| &mut i.value) {
                Some(yaml::Value::Seq(items)) => {
                    for item in items {
                        read_document(file, index, item, loaded, diags);
                    }
                }
                _ => loaded.notes.push(Note {
                    source: source(),
                    message: "skipped a List without items".into(),
                }),
            }
        }
        Some(other) => loaded.notes.push(Note {
            source: source(),
            message: format!(
                "skipped document {index}: kind `{other}` is not a CustomResourceDefinition"
            ),
        }),
        None => loaded.notes.push(Note {
            source: source(),
            message: format!("skipped document {index}: it has no `kind`"),
        }),
    }
}

/// Convenience for callers that only have one resource's worth of text.
pub fn load_str(name: &str, text: &str) -> Result<Vec<ResourceModel>> {
    Ok(load(&[Source::Text {
        name: name.to_owned(),
        text: text.to_owned(),
    }])?
    .model
    .resources)
}
