//! Errors with locations: every problem in user input names the file, the line and
//! column, and (for schema problems) the path inside the CRD.

use std::fmt;
use std::path::PathBuf;

/// Where in the user's input something was found.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct SourceRef {
    /// The input file (`<stdin>` for standard input, `cluster:<name>` for a live CRD).
    pub file: PathBuf,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// 1-based column, when known.
    pub column: Option<usize>,
    /// Path inside the document, e.g.
    /// `spec.versions[1].schema.openAPIV3Schema.properties.spec.properties.x`.
    pub path: Option<String>,
}

impl fmt::Display for SourceRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(col) = self.column {
                write!(f, ":{col}")?;
            }
        }
        if let Some(path) = &self.path {
            write!(f, " (at {path})")?;
        }
        Ok(())
    }
}

/// One problem found in the input.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Diagnostic {
    /// Where.
    pub source: SourceRef,
    /// What is wrong.
    pub message: String,
    /// How to fix it, when there is something useful to say.
    pub help: Option<String>,
}

impl Diagnostic {
    /// A diagnostic without help text.
    pub fn new(source: SourceRef, message: impl Into<String>) -> Self {
        Diagnostic {
            source,
            message: message.into(),
            help: None,
        }
    }

    /// Attach a help line.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "error: {}\n  --> {}", self.message, self.source)?;
        if let Some(help) = &self.help {
            write!(f, "\n  help: {help}")?;
        }
        Ok(())
    }
}

/// Everything that can go wrong in crdgen.
///
/// `Debug` prints the same text as `Display` (the rendered diagnostics), so that
/// `fn main() -> Result<(), crdgen::Error>` in a build script shows readable errors.
#[derive(thiserror::Error)]
pub enum Error {
    /// Problems in the input (one or more, all reported together).
    #[error("{}", render_diagnostics(.0))]
    Input(Vec<Diagnostic>),
    /// An I/O failure reading or writing a file.
    #[error("{path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// `--check` found files that differ from what would be generated.
    #[error("generated code is stale:\n{0}")]
    Stale(String),
    /// Something in the environment (e.g. `OUT_DIR` not set).
    #[error("{0}")]
    Environment(String),
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl Error {
    /// An input error with a single diagnostic.
    pub fn input(diag: Diagnostic) -> Self {
        Error::Input(vec![diag])
    }

    /// The diagnostics, when this is an input error.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        match self {
            Error::Input(d) => d,
            _ => &[],
        }
    }

    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}

fn render_diagnostics(diags: &[Diagnostic]) -> String {
    let mut out = String::new();
    for (i, d) in diags.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&d.to_string());
    }
    if diags.len() > 1 {
        out.push_str(&format!("\n{} errors", diags.len()));
    }
    out
}

/// `Result` with crdgen's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
