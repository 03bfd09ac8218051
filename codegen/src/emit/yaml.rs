//! A deterministic YAML writer for manifests: block style, keys sorted (which is the
//! order controller-gen writes CRDs in: `apiVersion`, `kind`, `metadata`, `spec`, and
//! `description`, `properties`, `type` within a schema), sequences not indented under
//! their key (as kubectl prints them).
//!
//! Strings are written plain when every YAML reader (1.1 or 1.2) reads them back as
//! the same string, as `|` literal blocks when they span lines and a block keeps them
//! exactly, and double-quoted otherwise (`"true"`, `"1"`, `"null"`, `""`, leading or
//! trailing spaces, `: `, ` #`, indicators, control characters).

use serde_json::Value;

/// A JSON value as a YAML document (no `---`), ending with a newline.
pub fn to_yaml(value: &Value) -> String {
    let mut out = String::new();
    match value {
        Value::Object(m) if !m.is_empty() => write_map(&mut out, m, 0, false),
        Value::Array(a) if !a.is_empty() => write_seq(&mut out, a, 0, false),
        other => {
            write_inline(&mut out, other, 0);
            out.push('\n');
        }
    }
    out
}

fn pad(out: &mut String, indent: usize) {
    out.extend(std::iter::repeat_n(' ', indent));
}

fn sorted(m: &serde_json::Map<String, Value>) -> Vec<(&String, &Value)> {
    let mut entries: Vec<_> = m.iter().collect();
    entries.sort_by(|a, b| a.0.cmp(b.0));
    entries
}

/// A mapping at `indent`; with `inline`, the first key continues the current line
/// (after `- `).
fn write_map(out: &mut String, m: &serde_json::Map<String, Value>, indent: usize, inline: bool) {
    for (i, (k, v)) in sorted(m).into_iter().enumerate() {
        if i > 0 || !inline {
            pad(out, indent);
        }
        out.push_str(&scalar_string(k, false));
        out.push(':');
        match v {
            Value::Object(child) if !child.is_empty() => {
                out.push('\n');
                write_map(out, child, indent + 2, false);
            }
            Value::Array(items) if !items.is_empty() => {
                out.push('\n');
                write_seq(out, items, indent, false);
            }
            _ => {
                out.push(' ');
                write_inline(out, v, indent);
                out.push('\n');
            }
        }
    }
}

fn write_seq(out: &mut String, items: &[Value], indent: usize, inline: bool) {
    for (i, v) in items.iter().enumerate() {
        if i > 0 || !inline {
            pad(out, indent);
        }
        out.push_str("- ");
        match v {
            Value::Object(child) if !child.is_empty() => write_map(out, child, indent + 2, true),
            Value::Array(child) if !child.is_empty() => write_seq(out, child, indent + 2, true),
            _ => {
                write_inline(out, v, indent);
                out.push('\n');
            }
        }
    }
}

/// A scalar, or an empty collection, on the current line. A literal block's lines are
/// indented by two more than `indent`.
fn write_inline(out: &mut String, v: &Value, indent: usize) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => {
            if block_safe(s) {
                write_block(out, s, indent + 2);
            } else {
                out.push_str(&scalar_string(s, true));
            }
        }
        Value::Array(_) => out.push_str("[]"),
        Value::Object(_) => out.push_str("{}"),
    }
}

/// A literal block scalar (`|-`, `|` or `|+` by how many line breaks end `s`). The
/// caller writes the final line break.
fn write_block(out: &mut String, s: &str, indent: usize) {
    let (chomp, body) = if !s.ends_with('\n') {
        ("-", s)
    } else if s.ends_with("\n\n") {
        ("+", &s[..s.len() - 1])
    } else {
        ("", &s[..s.len() - 1])
    };
    out.push('|');
    out.push_str(chomp);
    for line in body.split('\n') {
        out.push('\n');
        if !line.is_empty() {
            pad(out, indent);
            out.push_str(line);
        }
    }
}

/// Whether a literal block gives back `s` exactly.
fn block_safe(s: &str) -> bool {
    if !s.contains('\n') {
        return false;
    }
    if s.chars().any(|c| {
        (c.is_control() && c != '\n' && c != '\t')
            || matches!(c, '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{feff}')
    }) {
        return false;
    }
    // The first line with content sets the indentation: it must not start with
    // white space, and no all-blank line may come before it.
    for line in s.split('\n') {
        if line.is_empty() {
            continue;
        }
        return !line.starts_with([' ', '\t']);
    }
    false
}

/// A string as a plain scalar when that reads back as the same string, else quoted.
fn scalar_string(s: &str, _value: bool) -> String {
    if plain_safe(s) {
        s.to_owned()
    } else {
        double_quoted(s)
    }
}

fn plain_safe(s: &str) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    if s.starts_with([' ', '\t']) || s.ends_with([' ', '\t', ':']) {
        return false;
    }
    if "-?:,[]{}#&*!|>'\"%@`=<~".contains(first) {
        return false;
    }
    if s.contains(": ") || s.contains(" #") || s.contains(":\t") || s.contains("\t#") {
        return false;
    }
    if s.chars()
        .any(|c| c.is_control() || matches!(c, '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{feff}'))
    {
        return false;
    }
    // Anything a YAML 1.1 or 1.2 reader could take for a number, boolean or null.
    if first.is_ascii_digit() || (matches!(first, '+' | '.') && s.len() > 1) {
        return false;
    }
    let lower = s.to_ascii_lowercase();
    !matches!(
        lower.as_str(),
        "null"
            | "true"
            | "false"
            | "yes"
            | "no"
            | "on"
            | "off"
            | "y"
            | "n"
            | "nan"
            | "inf"
            | "infinity"
    )
}

fn double_quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() || matches!(c, '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{feff}') => {
                let code = c as u32;
                if code <= 0xffff {
                    out.push_str(&format!("\\u{code:04x}"));
                } else {
                    out.push_str(&format!("\\U{code:08x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn back(text: &str) -> Value {
        let docs = crate::input::yaml::parse(text, Default::default()).expect("valid YAML");
        docs[0].root.to_json()
    }

    #[test]
    fn strings_that_look_like_other_types_are_quoted() {
        let v = json!({
            "a": ["true", "1", "null", "", " x", "x ", "a: b", "a #b", "~", "yes", "0x1f", "1e3",
                  ".inf", "-", "- x", "#c", "*x", "&x", "!t", "@x", "%x", "`x", "'q'", "\"d\"",
                  "x:", "tab\there", "ctl\u{1}", "é", "multi\nline", "  lead\nx", "trail\n", "two\n\n",
                  "\n", "a\n  b\n\nc"],
            "": 1, "1": 2.5, "null": null, "yes": true, "k": {}, "l": [], "n": [[1, [2]], {"x": [{"y": 1}]}],
        });
        let text = to_yaml(&v);
        assert_eq!(back(&text), v, "{text}");
        assert!(!text.contains("- a: b"));
        assert!(text.contains("|-\n"));
    }

    #[test]
    fn keys_are_sorted_and_sequences_compact() {
        let text = to_yaml(&json!({"spec": {"b": 1, "a": [{"z": 1, "x": 2}]}, "kind": "K"}));
        assert_eq!(text, "kind: K\nspec:\n  a:\n  - x: 2\n    z: 1\n  b: 1\n");
    }
}
