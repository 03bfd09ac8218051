//! Answers in YAML (`Accept: application/yaml`) laid out as kube-apiserver's
//! serializer (sigs.k8s.io/yaml over go-yaml v2) writes them: keys sorted, block
//! style, sequences at their key's indentation, scalars plain unless YAML 1.1 would
//! read them as something other than the string (then double-quoted) or they hold
//! indicator characters (then single-quoted).

use serde_json::Value;

/// The YAML document of a JSON value, ending in a newline.
pub(crate) fn to_yaml(v: &Value) -> String {
    let mut out = String::new();
    match v {
        Value::Object(m) if !m.is_empty() => mapping(v, 0, &mut out),
        Value::Array(a) if !a.is_empty() => sequence(v, 0, &mut out),
        other => {
            out.push_str(&scalar(other));
            out.push('\n');
        }
    }
    out
}

fn pad(n: usize, out: &mut String) {
    out.extend(std::iter::repeat_n(' ', n));
}

fn mapping(v: &Value, indent: usize, out: &mut String) {
    let Some(m) = v.as_object() else { return };
    let mut keys: Vec<&String> = m.keys().collect();
    keys.sort();
    for (i, k) in keys.into_iter().enumerate() {
        // The first key of a sequence item follows its "- ".
        if i > 0 || !out.ends_with("- ") {
            pad(indent, out);
        }
        out.push_str(&string(k));
        out.push(':');
        value_after_key(&m[k], indent, out);
    }
}

fn sequence(v: &Value, indent: usize, out: &mut String) {
    let Some(a) = v.as_array() else { return };
    for item in a {
        pad(indent, out);
        out.push_str("- ");
        match item {
            Value::Object(m) if !m.is_empty() => mapping(item, indent + 2, out),
            Value::Array(x) if !x.is_empty() => {
                out.push('\n');
                sequence(item, indent + 2, out);
            }
            other => {
                out.push_str(&scalar(other));
                out.push('\n');
            }
        }
    }
}

fn value_after_key(v: &Value, indent: usize, out: &mut String) {
    match v {
        Value::Object(m) if !m.is_empty() => {
            out.push('\n');
            mapping(v, indent + 2, out);
        }
        Value::Array(a) if !a.is_empty() => {
            out.push('\n');
            sequence(v, indent, out);
        }
        other => {
            out.push(' ');
            out.push_str(&scalar(other));
            out.push('\n');
        }
    }
}

fn scalar(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => string(s),
        Value::Object(_) => "{}".into(),
        Value::Array(_) => "[]".into(),
    }
}

/// A string as go-yaml v2 emits it.
fn string(s: &str) -> String {
    if s.is_empty() || resolves_to_non_string(s) || s.chars().any(|c| c.is_control()) {
        return double_quoted(s);
    }
    if plain_allowed(s) {
        return s.to_owned();
    }
    format!("'{}'", s.replace('\'', "''"))
}

fn double_quoted(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\x{:02X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Whether a plain scalar may hold `s` (go-yaml's `yaml_emitter_analyze_scalar`).
fn plain_allowed(s: &str) -> bool {
    let first = s.chars().next().unwrap_or(' ');
    let second = s.chars().nth(1);
    if s.starts_with(' ') || s.ends_with(' ') || s.starts_with("---") || s.starts_with("...") {
        return false;
    }
    let indicator_start = matches!(
        first,
        '#' | ','
            | '['
            | ']'
            | '{'
            | '}'
            | '&'
            | '*'
            | '!'
            | '|'
            | '>'
            | '\''
            | '"'
            | '%'
            | '@'
            | '`'
    ) || (matches!(first, '-' | '?' | ':')
        && second.is_none_or(|c| c == ' '));
    if indicator_start {
        return false;
    }
    // In block context flow indicators inside a scalar are fine.
    !(s.contains(": ") || s.contains(" #") || s.ends_with(':') || s.contains('\n'))
}

/// YAML 1.1 as go-yaml v2 resolves plain scalars: booleans, null, numbers and
/// timestamps are not strings.
fn resolves_to_non_string(s: &str) -> bool {
    const WORDS: &[&str] = &[
        "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "true", "True", "TRUE", "false",
        "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF", "~", "null", "Null", "NULL",
        ".inf", ".Inf", ".INF", "+.inf", "-.inf", ".nan", ".NaN", ".NAN",
    ];
    if WORDS.contains(&s) {
        return true;
    }
    let t = s.replace('_', "");
    let digits = t.strip_prefix(['+', '-']).unwrap_or(&t);
    let int = !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
        || digits
            .strip_prefix("0x")
            .is_some_and(|h| !h.is_empty() && h.bytes().all(|b| b.is_ascii_hexdigit()))
        || digits
            .strip_prefix("0b")
            .is_some_and(|h| !h.is_empty() && h.bytes().all(|b| b == b'0' || b == b'1'));
    int || t
        .parse::<f64>()
        .is_ok_and(|_| t.bytes().any(|b| b.is_ascii_digit()) && !t.contains(['i', 'n', 'I', 'N']))
        || is_timestamp(s)
}

/// `YYYY-MM-DD` with an optional time part, as go-yaml v2 resolves timestamps.
fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 10
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[5..7].iter().all(u8::is_ascii_digit)
        && b[7] == b'-'
        && b[8..10].iter().all(u8::is_ascii_digit)
        && (b.len() == 10 || matches!(b[10], b'T' | b't' | b' '))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn layout_and_quoting_as_go_yaml() {
        let v = json!({"kind": "Widget", "metadata": {"resourceVersion": "296", "creationTimestamp": "2026-12-06T08:56:24Z",
            "managedFields": [{"manager": "unknown", "fieldsV1": {"f:spec": {".": {}, "f:a": {}}}}], "uid": "927f8dc9-29df-4f78-9d5e-2f9a35984d73"},
            "spec": {"backoff": "1s", "n": 0, "on": "on", "empty": "", "list": ["a", "b"], "k": "a: b"}});
        assert_eq!(
            to_yaml(&v),
            "kind: Widget\nmetadata:\n  creationTimestamp: \"2026-12-06T08:56:24Z\"\n  managedFields:\n  - fieldsV1:\n      f:spec:\n        .: {}\n        f:a: {}\n    manager: unknown\n  resourceVersion: \"296\"\n  uid: 927f8dc9-29df-4f78-9d5e-2f9a35984d73\nspec:\n  backoff: 1s\n  empty: \"\"\n  k: 'a: b'\n  list:\n  - a\n  - b\n  \"n\": 0\n  \"on\": \"on\"\n"
        );
    }
}
