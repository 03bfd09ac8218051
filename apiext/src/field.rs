//! Field errors as k8s.io/apimachinery's `field.Error` renders them, and the `Status`
//! the server answers with when a CRD is invalid.

use std::fmt;

use serde_json::{Value, json};

/// The kind of a field error (`field.ErrorType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorType {
    /// `Required value`.
    Required,
    /// `Invalid value`.
    Invalid,
    /// `Unsupported value`.
    NotSupported,
    /// `Forbidden`.
    Forbidden,
    /// `Duplicate value`.
    Duplicate,
    /// `Too many`.
    TooMany,
    /// `Invalid value` with reason `FieldValueTypeInvalid` (a value of the wrong type).
    TypeInvalid,
    /// `Too long` (the value is not printed).
    TooLong,
    /// `Internal error` (the value is not printed).
    Internal,
    /// `Not found`.
    NotFound,
}

impl ErrorType {
    /// The words the server prints (`field.ErrorType.String()`).
    pub fn words(self) -> &'static str {
        match self {
            ErrorType::Required => "Required value",
            ErrorType::Invalid => "Invalid value",
            ErrorType::NotSupported => "Unsupported value",
            ErrorType::Forbidden => "Forbidden",
            ErrorType::Duplicate => "Duplicate value",
            ErrorType::TooMany => "Too many",
            ErrorType::TypeInvalid => "Invalid value",
            ErrorType::TooLong => "Too long",
            ErrorType::Internal => "Internal error",
            ErrorType::NotFound => "Not found",
        }
    }

    /// The `reason` of the Status cause (`FieldValueRequired`, ...).
    pub fn reason(self) -> &'static str {
        match self {
            ErrorType::Required => "FieldValueRequired",
            ErrorType::Invalid => "FieldValueInvalid",
            ErrorType::NotSupported => "FieldValueNotSupported",
            ErrorType::Forbidden => "FieldValueForbidden",
            ErrorType::Duplicate => "FieldValueDuplicate",
            ErrorType::TooMany => "FieldValueTooMany",
            ErrorType::TypeInvalid => "FieldValueTypeInvalid",
            ErrorType::TooLong => "FieldValueTooLong",
            ErrorType::Internal => "InternalError",
            ErrorType::NotFound => "FieldValueNotFound",
        }
    }
}

/// The offending value of an `Invalid`/`Unsupported`/`Duplicate` error, printed as Go
/// prints it: strings quoted (`%q`), numbers as Go's `%v` of an `int64`/`float64`
/// (`1e+06`), booleans bare, `null` for nil, anything else as JSON.
#[derive(Debug, Clone, PartialEq)]
pub enum BadValue {
    /// A string.
    Str(String),
    /// A boolean, number or structure.
    Json(Value),
}

impl fmt::Display for BadValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BadValue::Str(s) => f.write_str(&go_quote(s)),
            BadValue::Json(Value::String(s)) => f.write_str(&go_quote(s)),
            BadValue::Json(Value::Number(n)) => f.write_str(&go_number(n)),
            BadValue::Json(v) => write!(f, "{v}"),
        }
    }
}

impl From<Value> for BadValue {
    /// A string becomes [`BadValue::Str`], anything else [`BadValue::Json`].
    fn from(v: Value) -> Self {
        match v {
            Value::String(s) => BadValue::Str(s),
            other => BadValue::Json(other),
        }
    }
}

impl From<&str> for BadValue {
    fn from(s: &str) -> Self {
        BadValue::Str(s.to_owned())
    }
}

impl From<String> for BadValue {
    fn from(s: String) -> Self {
        BadValue::Str(s)
    }
}

impl BadValue {
    /// The value as JSON (a [`BadValue::Str`] as a JSON string).
    pub fn to_json(&self) -> Value {
        match self {
            BadValue::Str(s) => Value::String(s.clone()),
            BadValue::Json(v) => v.clone(),
        }
    }
}

/// Go's `%v` of a JSON number as the server decodes it: integers as they are, floats
/// as [`go_float`].
pub fn go_number(n: &serde_json::Number) -> String {
    if n.is_i64() || n.is_u64() {
        return n.to_string();
    }
    go_float(n.as_f64().unwrap_or(0.0))
}

/// Go's `%v` of a `float64` (`strconv.FormatFloat(f, 'g', -1, 64)`): the shortest
/// representation, in exponent form when the exponent is below -4 or at least 6
/// (`1e+06`, `1e-05`).
pub fn go_float(f: f64) -> String {
    if f == 0.0 {
        return "0".to_owned();
    }
    if !f.is_finite() {
        return if f.is_nan() {
            "NaN".into()
        } else if f > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        };
    }
    let e = format!("{f:e}");
    let (mant, exp) = e.split_once('e').unwrap_or((&e, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if !(-4..6).contains(&exp) {
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{mant}e{sign}{:02}", exp.abs())
    } else {
        format!("{f}")
    }
}

/// One problem, at a field path such as
/// `spec.versions[0].schema.openAPIV3Schema.properties[spec].type`.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldError {
    /// What kind of problem.
    pub kind: ErrorType,
    /// The field path, as the server writes it.
    pub field: String,
    /// The value, for the kinds that print one.
    pub value: Option<BadValue>,
    /// The detail after the kind (may be empty).
    pub detail: String,
}

impl FieldError {
    /// A `Required value` error.
    pub fn required(field: impl Into<String>, detail: impl Into<String>) -> Self {
        Self::new(ErrorType::Required, field, None, detail)
    }

    /// A `Forbidden` error.
    pub fn forbidden(field: impl Into<String>, detail: impl Into<String>) -> Self {
        Self::new(ErrorType::Forbidden, field, None, detail)
    }

    /// An `Invalid value` error.
    pub fn invalid(
        field: impl Into<String>,
        value: impl Into<BadValue>,
        detail: impl Into<String>,
    ) -> Self {
        Self::new(ErrorType::Invalid, field, Some(value.into()), detail)
    }

    /// An `Invalid value` error for a string value.
    pub fn invalid_str(field: impl Into<String>, value: &str, detail: impl Into<String>) -> Self {
        Self::invalid(field, BadValue::Str(value.to_owned()), detail)
    }

    /// `field.NotSupported`: the detail lists the supported values, quoted.
    pub fn not_supported(field: impl Into<String>, value: &str, supported: &[&str]) -> Self {
        let quoted: Vec<String> = supported.iter().map(|s| go_quote(s)).collect();
        let detail = if quoted.is_empty() {
            String::new()
        } else {
            format!("supported values: {}", quoted.join(", "))
        };
        Self::new(
            ErrorType::NotSupported,
            field,
            Some(BadValue::Str(value.to_owned())),
            detail,
        )
    }

    /// An error of any kind.
    pub fn new(
        kind: ErrorType,
        field: impl Into<String>,
        value: Option<BadValue>,
        detail: impl Into<String>,
    ) -> Self {
        FieldError {
            kind,
            field: field.into(),
            value,
            detail: detail.into(),
        }
    }

    /// What follows `<field>: ` (`field.Error.ErrorBody`), e.g.
    /// `Invalid value: "foo": must be object at the root`.
    pub fn body(&self) -> String {
        let mut s = self.kind.words().to_owned();
        if let (
            Some(v),
            ErrorType::Invalid
            | ErrorType::NotSupported
            | ErrorType::Duplicate
            | ErrorType::TooMany
            | ErrorType::TypeInvalid
            | ErrorType::NotFound,
        ) = (&self.value, self.kind)
        {
            s.push_str(&format!(": {v}"));
        }
        if !self.detail.is_empty() {
            s.push_str(": ");
            s.push_str(&self.detail);
        }
        s
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.body())
    }
}

/// The `message` of the server's Status: `CustomResourceDefinition.apiextensions.k8s.io
/// "<name>" is invalid: <error>` for one error, `[<error>, <error>]` for several
/// (apimachinery's `NewInvalid` and its aggregate, which drops repeated messages).
pub fn invalid_message(name: &str, errors: &[FieldError]) -> String {
    let head = format!(
        "CustomResourceDefinition.apiextensions.k8s.io {} is invalid",
        go_quote(name)
    );
    let mut seen: Vec<String> = Vec::new();
    for e in errors {
        let m = e.to_string();
        if !seen.contains(&m) {
            seen.push(m);
        }
    }
    match seen.len() {
        0 => head,
        1 => format!("{head}: {}", seen[0]),
        _ => format!("{head}: [{}]", seen.join(", ")),
    }
}

/// What kubectl prints for the server's answer: `The CustomResourceDefinition "<name>"
/// is invalid: <error>` for one error, or one `* <error>` line per error.
pub fn kubectl_message(name: &str, errors: &[FieldError]) -> String {
    let head = format!("The CustomResourceDefinition {} is invalid", go_quote(name));
    match errors {
        [] => head,
        [one] => format!("{head}: {one}"),
        many => {
            let lines: Vec<String> = many.iter().map(|e| format!("* {e}")).collect();
            format!("{head}: \n{}", lines.join("\n"))
        }
    }
}

/// The whole `422 Invalid` Status body the server answers with (one cause per error).
pub fn invalid_status(name: &str, errors: &[FieldError]) -> Value {
    let causes: Vec<Value> = errors
        .iter()
        .map(|e| json!({"reason": e.kind.reason(), "message": e.body(), "field": e.field}))
        .collect();
    json!({
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": invalid_message(name, errors),
        "reason": "Invalid",
        "details": {
            "name": name,
            "group": "apiextensions.k8s.io",
            "kind": "CustomResourceDefinition",
            "causes": causes,
        },
        "code": 422,
    })
}

/// Go's `%q` for the strings the server quotes.
pub fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c if c.is_control() => {
                if (c as u32) <= 0xffff {
                    out.push_str(&format!("\\u{:04x}", c as u32));
                } else {
                    out.push_str(&format!("\\U{:08x}", c as u32));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A field path being built (`field.Path`): `.child`, `[index]`, `[key]`. A chain of
/// borrowed segments, rendered only when an error is reported (most nodes have none).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Path<'a> {
    parent: Option<&'a Path<'a>>,
    seg: Seg<'a>,
}

#[derive(Debug, Clone, Copy)]
enum Seg<'a> {
    Root(&'a str),
    Child(&'a str),
    Index(usize),
    Key(&'a str),
}

impl<'a> Path<'a> {
    pub(crate) fn new(root: &'a str) -> Self {
        Path {
            parent: None,
            seg: Seg::Root(root),
        }
    }

    pub(crate) fn child<'b>(&'b self, name: &'b str) -> Path<'b> {
        Path {
            parent: Some(self),
            seg: Seg::Child(name),
        }
    }

    pub(crate) fn index(&self, i: usize) -> Path<'_> {
        Path {
            parent: Some(self),
            seg: Seg::Index(i),
        }
    }

    pub(crate) fn key<'b>(&'b self, k: &'b str) -> Path<'b> {
        Path {
            parent: Some(self),
            seg: Seg::Key(k),
        }
    }

    pub(crate) fn render(&self) -> String {
        let mut segs = vec![self.seg];
        let mut cur = self.parent;
        while let Some(p) = cur {
            segs.push(p.seg);
            cur = p.parent;
        }
        let mut out = String::new();
        for seg in segs.iter().rev() {
            match *seg {
                Seg::Root(r) => out.push_str(r),
                Seg::Child(c) => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(c);
                }
                Seg::Index(i) => out.push_str(&format!("[{i}]")),
                Seg::Key(k) => {
                    out.push('[');
                    out.push_str(k);
                    out.push(']');
                }
            }
        }
        out
    }
}

impl From<&Path<'_>> for String {
    fn from(p: &Path<'_>) -> String {
        p.render()
    }
}

impl From<Path<'_>> for String {
    fn from(p: Path<'_>) -> String {
        p.render()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_as_the_server_writes_them() {
        let e = FieldError::required("spec.group", "");
        assert_eq!(e.to_string(), "spec.group: Required value");
        let e = FieldError::invalid_str("metadata.name", "a.", "bad");
        assert_eq!(e.to_string(), "metadata.name: Invalid value: \"a.\": bad");
        let e = FieldError::not_supported("spec.scope", "x", &["Cluster", "Namespaced"]);
        assert_eq!(
            e.to_string(),
            "spec.scope: Unsupported value: \"x\": supported values: \"Cluster\", \"Namespaced\""
        );
        let e = FieldError::invalid(
            "spec.preserveUnknownFields",
            BadValue::Json(json!(true)),
            "no",
        );
        assert_eq!(e.body(), "Invalid value: true: no");
    }

    #[test]
    fn messages_for_one_and_several_errors() {
        let a = FieldError::required("spec.group", "");
        let b = FieldError::forbidden("spec.x", "no");
        assert_eq!(
            invalid_message("n", std::slice::from_ref(&a)),
            "CustomResourceDefinition.apiextensions.k8s.io \"n\" is invalid: spec.group: Required value"
        );
        assert_eq!(
            invalid_message("n", &[a.clone(), b.clone(), a.clone()]),
            "CustomResourceDefinition.apiextensions.k8s.io \"n\" is invalid: [spec.group: Required value, spec.x: Forbidden: no]"
        );
        assert_eq!(
            kubectl_message("n", &[a, b]),
            "The CustomResourceDefinition \"n\" is invalid: \n* spec.group: Required value\n* spec.x: Forbidden: no"
        );
    }

    #[test]
    fn go_values() {
        assert_eq!(go_float(0.0), "0");
        assert_eq!(go_float(1.5), "1.5");
        assert_eq!(go_float(100000.0), "100000");
        assert_eq!(go_float(1000000.0), "1e+06");
        assert_eq!(go_float(0.0001), "0.0001");
        assert_eq!(go_float(0.00001), "1e-05");
        let e = FieldError::new(
            ErrorType::TooLong,
            "spec.a",
            Some(json!("xx").into()),
            "may not be more than 1 byte",
        );
        assert_eq!(
            e.to_string(),
            "spec.a: Too long: may not be more than 1 byte"
        );
        let e = FieldError::new(
            ErrorType::TypeInvalid,
            "spec.a",
            Some(json!("string").into()),
            "d",
        );
        assert_eq!(e.body(), "Invalid value: \"string\": d");
        assert_eq!(e.kind.reason(), "FieldValueTypeInvalid");
        assert_eq!(BadValue::Json(json!(2.5e7)).to_string(), "2.5e+07");
        assert_eq!(BadValue::Json(json!(null)).to_string(), "null");
    }

    #[test]
    fn go_quoting() {
        assert_eq!(go_quote("a\"b\\\n\u{1}é"), "\"a\\\"b\\\\\\n\\x01é\"");
    }
}
