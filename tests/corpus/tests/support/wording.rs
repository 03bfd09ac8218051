//! The real API server's wording for the mutated-objects test, taken from the 422
//! steps of the recordings (`apiserver-recordings/recorded/*.jsonl`) at test time: a
//! recorded cause with that recording's path, value and limit replaced by `{path}`,
//! `{value}` and `{limit}` becomes a template that a mutation fills with its own.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

/// Where one recorded cause is, and which of its texts are the recording's own path,
/// value and limit: `(recorded text, placeholder)`, replaced in this order in the
/// cause's `message` (and in its `field` when the whole field is that text).
pub struct Recorded {
    pub file: &'static str,
    pub step: u64,
    pub cause: usize,
    pub subst: &'static [(&'static str, &'static str)],
}

/// A recorded cause made into a template.
#[derive(Clone, Debug)]
pub struct Template {
    /// `<file>#<step>` of the recording.
    pub source: String,
    pub reason: String,
    pub field: String,
    pub message: String,
}

impl Template {
    /// The cause the server would give with this path, value and limit.
    pub fn cause(&self, path: &str, value: &str, limit: &str) -> Cause {
        let fill = |t: &str| {
            t.replace("{path}", path)
                .replace("{value}", value)
                .replace("{limit}", limit)
        };
        Cause {
            field: fill(&self.field),
            reason: self.reason.clone(),
            message: Some(fill(&self.message)),
        }
    }
}

/// One `details.causes` entry; `message: None` when the wording was never recorded
/// (then only the field and reason are compared).
#[derive(Clone, Debug, PartialEq)]
pub struct Cause {
    pub field: String,
    pub reason: String,
    pub message: Option<String>,
}

impl Cause {
    /// Whether `actual` (a cause crdgen gave, with its message) is this one.
    pub fn matches(&self, actual: &Cause) -> bool {
        self.field == actual.field
            && self.reason == actual.reason
            && (self.message.is_none() || self.message == actual.message)
    }
}

impl std::fmt::Display for Cause {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.message {
            Some(m) => write!(f, "{} {}: {m}", self.reason, self.field),
            None => write!(f, "{} {}: (wording not recorded)", self.reason, self.field),
        }
    }
}

/// The recordings folder: `../shared/apiserver-recordings` beside the repository,
/// else the vendored `tests/apiserver-recordings`.
pub fn recordings_dir() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let shared = manifest.join("../../../shared/apiserver-recordings/recorded");
    if shared.is_dir() {
        shared
    } else {
        manifest.join("../apiserver-recordings/recorded")
    }
}

/// The recorded steps, read once per file.
pub struct Recordings {
    dir: PathBuf,
    files: BTreeMap<String, Vec<Value>>,
}

impl Recordings {
    pub fn new(dir: PathBuf) -> Self {
        Recordings {
            dir,
            files: BTreeMap::new(),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn steps(&mut self, file: &str) -> Result<&Vec<Value>, String> {
        if !self.files.contains_key(file) {
            let path = self.dir.join(format!("{file}.jsonl"));
            let text =
                std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            let steps = text
                .lines()
                .filter(|l| !l.trim().is_empty())
                .enumerate()
                .map(|(i, l)| {
                    serde_json::from_str(l)
                        .map_err(|e| format!("{}:{}: {e}", path.display(), i + 1))
                })
                .collect::<Result<Vec<Value>, String>>()?;
            self.files.insert(file.to_owned(), steps);
        }
        Ok(&self.files[file])
    }

    /// The recorded cause `r` points at (a 422 step's `details.causes[cause]`).
    pub fn cause(&mut self, file: &str, step: u64, cause: usize) -> Result<Cause, String> {
        let where_ = format!("{file}.jsonl step {step}");
        let steps = self.steps(file)?;
        let rec = steps
            .iter()
            .find(|s| s["step"].as_u64() == Some(step))
            .ok_or_else(|| format!("{where_}: no such step"))?;
        if rec.pointer("/response/status").and_then(Value::as_u64) != Some(422) {
            return Err(format!("{where_}: not a 422"));
        }
        let c = rec
            .pointer(&format!("/response/body/details/causes/{cause}"))
            .ok_or_else(|| format!("{where_}: no cause {cause}"))?;
        let text = |k: &str| c[k].as_str().unwrap_or_default().to_owned();
        Ok(Cause {
            field: text("field"),
            reason: text("reason"),
            message: Some(text("message")),
        })
    }

    /// The template of `r`. Err when a text to replace is not in the recorded cause
    /// (the recording changed: the table must follow it).
    pub fn template(&mut self, r: &Recorded) -> Result<Template, String> {
        let c = self.cause(r.file, r.step, r.cause)?;
        let mut message = c.message.unwrap_or_default();
        let mut field = c.field;
        for (text, placeholder) in r.subst {
            let in_field = field == *text;
            if !message.contains(text) && !in_field {
                return Err(format!(
                    "{}.jsonl step {} cause {}: {text:?} is neither in the message {message:?} nor the field {field:?}",
                    r.file, r.step, r.cause
                ));
            }
            message = message.replace(text, placeholder);
            if in_field {
                field = (*placeholder).to_owned();
            }
        }
        Ok(Template {
            source: format!("{}#{}", r.file, r.step),
            reason: c.reason,
            field,
            message,
        })
    }
}
