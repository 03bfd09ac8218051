//! Text that crdgen writes around generated Rust: file headers and the scaffolding of a
//! generated crate. Rust items themselves are emitted as tokens, never from text.
//!
//! The files live inside this crate's folder so they ship when it is published.

/// Header of every generated Rust file. Placeholders: `{version}` (crdgen's version)
/// and `{sources}` (the inputs, relative paths, comma-separated).
pub const RUST_HEADER: &str = include_str!("../files/header.rs.txt");

/// `Cargo.toml` of a crate written by `crdgen generate --crate`. Placeholders:
/// `{name}`, `{version}`, `{runtime_version}`.
pub const CRATE_CARGO_TOML: &str = include_str!("../files/Cargo.toml.txt");

/// Fill `{key}` placeholders in a template.
pub fn render(template: &str, vars: &[(&str, &str)]) -> String {
    let mut out = template.to_owned();
    for (key, value) in vars {
        out = out.replace(&format!("{{{key}}}"), value);
    }
    out
}
