//! Field selectors (apimachinery/pkg/fields): `metadata.name=x,status.phase!=Done`.

use super::*;

/// The relation of a [`FieldRequirement`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FieldOperator {
    /// `field=value`.
    Equals,
    /// `field==value` (same meaning as `=`).
    DoubleEquals,
    /// `field!=value`.
    NotEquals,
}

/// One `field=value` / `field!=value` term of a [`FieldSelector`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FieldRequirement {
    /// The dotted field path, e.g. `metadata.name` or `status.phase`.
    pub field: String,
    /// The operator.
    pub operator: FieldOperator,
    /// The value to compare with (unescaped).
    pub value: String,
}

impl FieldRequirement {
    fn matches(&self, actual: &str) -> bool {
        match self.operator {
            FieldOperator::Equals | FieldOperator::DoubleEquals => actual == self.value,
            FieldOperator::NotEquals => actual != self.value,
        }
    }
}

impl fmt::Display for FieldRequirement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let op = match self.operator {
            FieldOperator::Equals => "=",
            FieldOperator::DoubleEquals => "==",
            FieldOperator::NotEquals => "!=",
        };
        write!(
            f,
            "{}{op}{}",
            escape_field_value(&self.field),
            escape_field_value(&self.value)
        )
    }
}

pub(super) fn escape_field_value(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '\\' | ',' | '=') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A field selector: a conjunction of `field=value`, `field==value` and `field!=value`
/// terms, e.g. `metadata.name=web,metadata.namespace!=kube-system`.
///
/// Values may escape `\`, `,` and `=` with a backslash, as in apimachinery's
/// `fields.ParseSelector`. A field that is absent (or `null`) compares as the empty
/// string, so `status.phase!=Done` matches an object without status. Field names are
/// not checked against any kind: which fields a kind supports is the server's business.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct FieldSelector {
    terms: Vec<FieldRequirement>,
}

impl FieldSelector {
    /// The selector that matches everything (the empty string).
    pub fn everything() -> Self {
        FieldSelector::default()
    }

    /// Parse `field=value,field!=value,...`.
    pub fn parse(input: &str) -> Result<Self, SelectorError> {
        let syntax = |position: usize, message: String| SelectorError::Syntax {
            input: input.to_owned(),
            position,
            message,
        };
        let mut terms = Vec::new();
        if input.trim().is_empty() {
            return Ok(FieldSelector::everything());
        }
        for (start, term) in split_unescaped(input, ',') {
            let Some((op_at, op, op_len)) = find_field_operator(term) else {
                return Err(syntax(
                    start,
                    format!("invalid field selector term {term:?}: expected '=', '==' or '!='"),
                ));
            };
            let field = term[..op_at].trim();
            if field.is_empty() {
                return Err(syntax(
                    start,
                    format!("invalid field selector term {term:?}: empty field name"),
                ));
            }
            let value = unescape_field_value(&term[op_at + op_len..])
                .map_err(|message| syntax(start + op_at + op_len, message))?;
            terms.push(FieldRequirement {
                field: field.to_owned(),
                operator: op,
                value,
            });
        }
        Ok(FieldSelector { terms })
    }

    /// The terms, in the order written.
    pub fn requirements(&self) -> &[FieldRequirement] {
        &self.terms
    }

    /// Whether this selector has no terms.
    pub fn is_everything(&self) -> bool {
        self.terms.is_empty()
    }

    /// Add a `field=value` term (builder style).
    #[must_use]
    pub fn and_equals(mut self, field: impl Into<String>, value: impl Into<String>) -> Self {
        self.terms.push(FieldRequirement {
            field: field.into(),
            operator: FieldOperator::Equals,
            value: value.into(),
        });
        self
    }

    /// Add a `field!=value` term (builder style).
    #[must_use]
    pub fn and_not_equals(mut self, field: impl Into<String>, value: impl Into<String>) -> Self {
        self.terms.push(FieldRequirement {
            field: field.into(),
            operator: FieldOperator::NotEquals,
            value: value.into(),
        });
        self
    }

    /// If the selector pins `field` to one value with `=`/`==`, that value
    /// (apimachinery's `RequiresExactMatch`), e.g. to serve `metadata.namespace=x`
    /// from a namespace index.
    pub fn exact_match(&self, field: &str) -> Option<&str> {
        self.terms.iter().find_map(|t| {
            (t.field == field && t.operator != FieldOperator::NotEquals).then_some(t.value.as_str())
        })
    }

    /// Match through a lookup returning a field's value as a string (`None` for an
    /// absent field, which compares as `""`).
    pub fn matches_with<F, S>(&self, mut lookup: F) -> bool
    where
        F: FnMut(&str) -> Option<S>,
        S: AsRef<str>,
    {
        self.terms.iter().all(|t| match lookup(&t.field) {
            Some(v) => t.matches(v.as_ref()),
            None => t.matches(""),
        })
    }

    /// Match against an object serialized to JSON: each field is a dotted path into
    /// the object (`metadata.name`, `spec.nodeName`); strings compare as they are,
    /// numbers and booleans by their JSON text, absent or `null` as `""`. Objects and
    /// arrays never equal a value.
    pub fn matches_value(&self, object: &serde_json::Value) -> bool {
        self.matches_with(|path| field_string(object, path))
    }
}

/// The string form of the JSON value at a dotted path, for field selector matching.
pub(super) fn field_string(
    object: &serde_json::Value,
    path: &str,
) -> Option<std::borrow::Cow<'static, str>> {
    let mut v = object;
    for segment in path.split('.') {
        v = v.as_object()?.get(segment)?;
    }
    use std::borrow::Cow;
    match v {
        serde_json::Value::Null => None,
        serde_json::Value::String(s) => Some(Cow::Owned(s.clone())),
        serde_json::Value::Bool(b) => Some(Cow::Borrowed(if *b { "true" } else { "false" })),
        serde_json::Value::Number(n) => Some(Cow::Owned(n.to_string())),
        // An object or array never equals a scalar value; give it a string no value
        // can spell (an unescaped ',' cannot appear in a parsed value).
        serde_json::Value::Array(_) | serde_json::Value::Object(_) => {
            Some(Cow::Borrowed("\u{0},<structured>"))
        }
    }
}

impl fmt::Display for FieldSelector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, t) in self.terms.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            fmt::Display::fmt(t, f)?;
        }
        Ok(())
    }
}

impl FromStr for FieldSelector {
    type Err = SelectorError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        FieldSelector::parse(s)
    }
}

/// Split on `sep` not preceded by an escaping backslash; yields (byte offset, part).
pub(super) fn split_unescaped(s: &str, sep: char) -> Vec<(usize, &str)> {
    let mut parts = Vec::new();
    let mut start = 0;
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        if escaped {
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == sep {
            parts.push((start, &s[start..i]));
            start = i + c.len_utf8();
        }
    }
    parts.push((start, &s[start..]));
    parts
}

/// The first unescaped `!=`, `==` or `=` in a term: (offset, operator, length).
pub(super) fn find_field_operator(term: &str) -> Option<(usize, FieldOperator, usize)> {
    let b = term.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'!' if b.get(i + 1) == Some(&b'=') => return Some((i, FieldOperator::NotEquals, 2)),
            b'=' if b.get(i + 1) == Some(&b'=') => {
                return Some((i, FieldOperator::DoubleEquals, 2));
            }
            b'=' => return Some((i, FieldOperator::Equals, 1)),
            _ => i += 1,
        }
    }
    None
}

pub(super) fn unescape_field_value(s: &str) -> Result<String, String> {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(e @ ('\\' | ',' | '=')) => out.push(e),
                Some(e) => {
                    return Err(format!(
                        "invalid escape sequence '\\{e}' in field selector value {s:?}"
                    ));
                }
                None => {
                    return Err(format!(
                        "unterminated escape at the end of field selector value {s:?}"
                    ));
                }
            },
            ',' | '=' => {
                return Err(format!(
                    "invalid field selector value {s:?}: unescaped '{c}'"
                ));
            }
            c => out.push(c),
        }
    }
    Ok(out)
}
