//! kubectl's reading of scalars and map keys, in one place.
//!
//! kubectl reads YAML with sigs.k8s.io/yaml: go-yaml v2 (`go.yaml.in/yaml/v2` 2.4)
//! resolves each scalar to a Go value (`resolve.go`), then `convertToJSONableObject`
//! turns map keys into strings and `encoding/json` writes the JSON that the API server
//! receives. Both YAML readers of this crate (the fast one and saphyr's) call the
//! functions here for every scalar and every key, so these rules live nowhere else:
//!
//! - YAML 1.1 booleans (`y`, `yes`, `on`, `off`, `n`, `no`, in the three cases go-yaml
//!   lists), also as keys, which become `"true"` / `"false"`;
//! - integers in Go's forms: `0755` (octal), `0o755`, `0x1F`, `0b101`, `1_000`, a sign;
//!   beyond 64 bits a float; `08` (not octal) a float;
//! - floats written as JSON would write them and read back (`3.0` → `3`, `1e3` →
//!   `1000`); `.inf` and `.nan` are refused, as `encoding/json` refuses them;
//! - timestamps and sexagesimal numbers (`1:30`) stay strings as written;
//! - keys: `null` and unsigned keys beyond `i64` are refused (sigs.k8s.io/yaml has no
//!   string for them), float keys are written as go-yaml writes a float32.
//!
//! Where the rules of YAML 1.2 (saphyr's schema) differ, these win.

use crate::Value;

/// What go-yaml v2 resolves a scalar to (its Go type).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Resolved {
    Null,
    Bool(bool),
    /// `int` (64 bits).
    Int(i64),
    /// `uint64`: an integer above `i64::MAX`.
    Uint(u64),
    Float(f64),
    /// The text itself (a `string`).
    Str,
}

/// The YAML tags go-yaml resolves a scalar under (`resolvableTag`); any other tag makes
/// the scalar its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CoreTag {
    Str,
    Bool,
    Int,
    Float,
    Timestamp,
    Null,
    Binary,
    /// Any other tag (`!foo`, `!!map` on a scalar, ...).
    Other,
}

impl CoreTag {
    /// The tag of `!!suffix` (or its long form).
    pub(crate) fn from_suffix(suffix: &str) -> CoreTag {
        match suffix {
            "str" => CoreTag::Str,
            "bool" => CoreTag::Bool,
            "int" => CoreTag::Int,
            "float" => CoreTag::Float,
            "timestamp" => CoreTag::Timestamp,
            "null" => CoreTag::Null,
            "binary" => CoreTag::Binary,
            _ => CoreTag::Other,
        }
    }

    fn name(self) -> &'static str {
        match self {
            CoreTag::Str => "!!str",
            CoreTag::Bool => "!!bool",
            CoreTag::Int => "!!int",
            CoreTag::Float => "!!float",
            CoreTag::Timestamp => "!!timestamp",
            CoreTag::Null => "!!null",
            CoreTag::Binary => "!!binary",
            CoreTag::Other => "tagged",
        }
    }
}

/// Whether go-yaml looks further at text starting with this byte (`resolve_table`):
/// anything else is a string.
#[inline]
fn hinted(first: u8) -> bool {
    matches!(
        first,
        b'+' | b'-' | b'0'
            ..=b'9'
                | b'y'
                | b'Y'
                | b'n'
                | b'N'
                | b't'
                | b'T'
                | b'f'
                | b'F'
                | b'o'
                | b'O'
                | b'~'
                | b'.'
    )
}

/// Whether go-yaml v2's `resolve` leaves an untagged plain scalar a string (before
/// timestamps, which `resolve` also tries: see the writer).
pub(crate) fn resolves_to_string(text: &str) -> bool {
    matches!(resolve(text), Resolved::Str)
}

/// go-yaml v2's `resolve` for an untagged plain scalar.
fn resolve(text: &str) -> Resolved {
    let Some(&first) = text.as_bytes().first() else {
        return Resolved::Null;
    };
    if !hinted(first) {
        return Resolved::Str;
    }
    // The words below that start with a letter have five letters at most.
    if first.is_ascii_alphabetic() && text.len() > 5 {
        return Resolved::Str;
    }
    match text {
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            return Resolved::Bool(true);
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            return Resolved::Bool(false);
        }
        "~" | "null" | "Null" | "NULL" => return Resolved::Null,
        ".nan" | ".NaN" | ".NAN" => return Resolved::Float(f64::NAN),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Resolved::Float(f64::INFINITY);
        }
        "-.inf" | "-.Inf" | "-.INF" => return Resolved::Float(f64::NEG_INFINITY),
        _ => {}
    }
    match first {
        b'.' => go_parse_float(text).map_or(Resolved::Str, Resolved::Float),
        b'+' | b'-' | b'0'..=b'9' => resolve_number(text),
        _ => Resolved::Str,
    }
}

/// The `'D'` / `'S'` branch of go-yaml's `resolve`: an integer (base prefixes, `_`
/// removed), an unsigned integer, a float of the YAML form, a `0b` binary integer, or
/// the text. (Timestamps are tried first there, but none of them is a number, and a
/// timestamp decoded into `interface{}` is its text: no case to tell apart.)
fn resolve_number(text: &str) -> Resolved {
    let owned;
    let plain = if text.contains('_') {
        owned = text.replace('_', "");
        owned.as_str()
    } else {
        text
    };
    if let Some(i) = go_parse_int(plain) {
        return Resolved::Int(i);
    }
    if let Some(u) = go_parse_uint(plain) {
        return Resolved::Uint(u);
    }
    if yaml_style_float(plain)
        && let Some(f) = go_parse_float(plain)
    {
        return Resolved::Float(f);
    }
    if let Some(digits) = plain.strip_prefix("0b") {
        // `strconv.ParseInt(plain[2:], 2, 64)`: its own sign is allowed there.
        if let Some(i) = parse_signed(digits, 2) {
            return Resolved::Int(i);
        }
        if let Some(u) = parse_digits(digits, 2) {
            return Resolved::Uint(u);
        }
    } else if let Some(digits) = plain.strip_prefix("-0b")
        && let Some(i) = parse_signed(&format!("-{digits}"), 2)
    {
        return Resolved::Int(i);
    }
    Resolved::Str
}

/// Go's `strconv.ParseInt(s, 0, 64)` without underscores: a sign, then `0x`, `0o`,
/// `0b` or a leading `0` (octal) choose the base.
fn go_parse_int(s: &str) -> Option<i64> {
    let (neg, body) = split_sign(s);
    let magnitude = go_parse_uint(body)?;
    if neg {
        if magnitude <= i64::MAX as u64 + 1 {
            Some((magnitude as i64).wrapping_neg())
        } else {
            None
        }
    } else {
        i64::try_from(magnitude).ok()
    }
}

/// Go's `strconv.ParseUint(s, 0, 64)` without underscores (no sign).
fn go_parse_uint(s: &str) -> Option<u64> {
    let b = s.as_bytes();
    let (radix, digits) = if b.len() >= 2 && b[0] == b'0' {
        match b[1] {
            b'x' | b'X' => (16, &s[2..]),
            b'o' | b'O' => (8, &s[2..]),
            b'b' | b'B' => (2, &s[2..]),
            _ => (8, &s[1..]),
        }
    } else {
        (10, s)
    };
    parse_digits(digits, radix)
}

/// Digits of `radix` only (no sign), at least one, within `u64`.
fn parse_digits(digits: &str, radix: u32) -> Option<u64> {
    if digits.is_empty() || !digits.bytes().all(|c| (c as char).is_digit(radix)) {
        return None;
    }
    u64::from_str_radix(digits, radix).ok()
}

/// `strconv.ParseInt(s, radix, 64)`: an optional sign, then digits of `radix`.
fn parse_signed(s: &str, radix: u32) -> Option<i64> {
    let (neg, digits) = split_sign(s);
    let magnitude = parse_digits(digits, radix)?;
    if neg {
        (magnitude <= i64::MAX as u64 + 1).then(|| (magnitude as i64).wrapping_neg())
    } else {
        i64::try_from(magnitude).ok()
    }
}

fn split_sign(s: &str) -> (bool, &str) {
    match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    }
}

/// go-yaml's `yamlStyleFloat`: `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`.
fn yaml_style_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'-' | b'+')));
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - start
    };
    if b.get(i) == Some(&b'.') {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            digits(&mut i);
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'-' | b'+')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// Go's `strconv.ParseFloat(s, 64)` for the decimal forms go-yaml hands it (a YAML
/// style float, or text starting with `.`): `None` where Go reports an error,
/// including a value beyond the range of `f64`.
fn go_parse_float(s: &str) -> Option<f64> {
    if !yaml_style_float(s) {
        return None;
    }
    s.parse::<f64>().ok().filter(|f| f.is_finite())
}

/// A float as the API server gets it: `encoding/json` writes the shortest text that
/// reads back as the same `f64`, without an exponent below 1e21, so an integral float
/// arrives as an integer (`3.0` → `3`). The number is that text read back, as a JSON
/// reader (serde_json here, Go's on the server) reads it.
fn json_float(f: f64) -> serde_json::Number {
    if f.fract() == 0.0
        && f.abs() < 1e21
        && let Ok(n) = format!("{f}").parse::<serde_json::Number>()
    {
        return n;
    }
    serde_json::Number::from_f64(f).expect("a finite float")
}

/// `encoding/json`'s refusal of a float without a JSON form.
fn unsupported_float(f: f64, text: &str) -> String {
    let go = if f.is_nan() {
        "NaN"
    } else if f > 0.0 {
        "+Inf"
    } else {
        "-Inf"
    };
    format!(
        "unsupported value: {go} (`{text}` has no JSON form, and kubectl refuses it; quote it to keep the text)"
    )
}

fn to_value(resolved: Resolved, text: &str) -> Result<Value, String> {
    Ok(match resolved {
        Resolved::Null => Value::Null,
        Resolved::Bool(b) => Value::Bool(b),
        Resolved::Int(i) => Value::Number(i.into()),
        Resolved::Uint(u) => Value::Number(u.into()),
        Resolved::Float(f) if f.is_finite() => Value::Number(json_float(f)),
        Resolved::Float(f) => return Err(unsupported_float(f, text)),
        Resolved::Str => Value::String(text.to_owned()),
    })
}

/// sigs.k8s.io/yaml's string for a map key, or its refusal.
fn to_key(resolved: Resolved, text: &str) -> Result<String, String> {
    Ok(match resolved {
        Resolved::Str => text.to_owned(),
        Resolved::Bool(b) => b.to_string(),
        Resolved::Int(i) => i.to_string(),
        Resolved::Float(f) => go_float32_key(f),
        Resolved::Null => return Err(null_key(text)),
        Resolved::Uint(_) => {
            return Err(format!(
                "unsupported map key of type: uint64, key: {text} (kubectl refuses integer keys above 9223372036854775807; quote it to keep the text)"
            ));
        }
    })
}

fn null_key(text: &str) -> String {
    let shown = if text.is_empty() { "(empty)" } else { text };
    format!(
        "unsupported map key of type: null, key: {shown} (kubectl refuses a null key; quote it to use the text as the key)"
    )
}

/// `strconv.FormatFloat(f, 'g', -1, 32)`, with go-yaml's names for the infinities and
/// NaN: how sigs.k8s.io/yaml writes a float key.
fn go_float32_key(f: f64) -> String {
    let f = f as f32;
    if f.is_nan() {
        return ".nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { ".inf" } else { "-.inf" }.into();
    }
    // Rust's `{:e}` gives the shortest digits that read back as the same f32.
    let e = format!("{f:e}");
    let (mantissa, exp) = e.split_once('e').expect("an exponent");
    let exp: i32 = exp.parse().expect("a decimal exponent");
    let (neg, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => (true, m),
        None => (false, mantissa),
    };
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    if !(-4..6).contains(&exp) {
        // %e: d.ddde±XX (at least two exponent digits).
        out.push_str(&digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        out.push('e');
        out.push(if exp < 0 { '-' } else { '+' });
        out.push_str(&format!("{:02}", exp.unsigned_abs()));
    } else if exp < 0 {
        out.push_str("0.");
        out.push_str(&"0".repeat((-exp - 1) as usize));
        out.push_str(&digits);
    } else {
        let point = exp as usize + 1;
        if digits.len() <= point {
            out.push_str(&digits);
            out.push_str(&"0".repeat(point - digits.len()));
        } else {
            out.push_str(&digits[..point]);
            out.push('.');
            out.push_str(&digits[point..]);
        }
    }
    out
}

/// An untagged plain scalar's value. The text is moved into the value when it is a
/// string (most scalars: only text starting with one of `+-.~0-9yYnNtTfFoO` can be
/// anything else).
#[inline]
pub(crate) fn plain_value(text: String) -> Result<Value, String> {
    match text.as_bytes().first() {
        Some(&c) if !hinted(c) => Ok(Value::String(text)),
        _ => match resolve(&text) {
            Resolved::Str => Ok(Value::String(text)),
            resolved => to_value(resolved, &text),
        },
    }
}

/// An untagged plain scalar used as a map key: its key string.
#[inline]
pub(crate) fn plain_key(text: String) -> Result<String, String> {
    match text.as_bytes().first() {
        Some(&c) if !hinted(c) => Ok(text),
        _ => match resolve(&text) {
            Resolved::Str => Ok(text),
            resolved => to_key(resolved, &text),
        },
    }
}

/// go-yaml's `resolve(tag, text)` for a scalar with a YAML core tag (`!!int 0755`),
/// quoted or not: the value it resolves to, or go-yaml's refusal when the text is not
/// of that type (an `int` for `!!float` is taken as a float, as go-yaml does; a
/// `uint64` is not).
fn resolve_tagged(text: &str, tag: CoreTag) -> Result<Resolved, String> {
    match tag {
        CoreTag::Str => return Ok(Resolved::Str),
        // Not resolvable in go-yaml (`resolvableTag`): the scalar is its text.
        CoreTag::Binary | CoreTag::Other => return Ok(Resolved::Str),
        // A timestamp decoded into `interface{}` is its text.
        CoreTag::Timestamp if go_timestamp(text) => return Ok(Resolved::Str),
        CoreTag::Null | CoreTag::Bool | CoreTag::Int | CoreTag::Float | CoreTag::Timestamp => {}
    }
    let resolved = resolve(text);
    let ok = match (tag, resolved) {
        (CoreTag::Null, Resolved::Null) => true,
        (CoreTag::Bool, Resolved::Bool(_)) => true,
        (CoreTag::Int, Resolved::Int(_) | Resolved::Uint(_)) => true,
        (CoreTag::Float, Resolved::Float(_)) => true,
        (CoreTag::Float, Resolved::Int(i)) => return Ok(Resolved::Float(i as f64)),
        _ => false,
    };
    if ok {
        return Ok(resolved);
    }
    let found = match resolved {
        Resolved::Null => "!!null",
        Resolved::Bool(_) => "!!bool",
        Resolved::Int(_) | Resolved::Uint(_) => "!!int",
        Resolved::Float(_) => "!!float",
        Resolved::Str => "!!str",
    };
    Err(format!(
        "cannot decode {found} `{text}` as a {}",
        tag.name()
    ))
}

/// Whether go-yaml's `parseTimestamp` takes `text`: `YYYY-M-D`, then optionally `T`,
/// `t` or a space and a time `h:m:s` with optional fraction and, after `T`/`t`, zone.
/// (Only the form is checked, not that the month or the day exists, which `time.Parse`
/// also checks: this decides only whether an explicit `!!timestamp` is refused.)
fn go_timestamp(text: &str) -> bool {
    let b = text.as_bytes();
    let mut i = 0;
    let num = |i: &mut usize, min: usize, max: usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() && *i - start < max {
            *i += 1;
        }
        *i - start >= min
    };
    let sep = |i: &mut usize, c: u8| {
        if b.get(*i) == Some(&c) {
            *i += 1;
            true
        } else {
            false
        }
    };
    let date = num(&mut i, 4, 4)
        && sep(&mut i, b'-')
        && num(&mut i, 1, 2)
        && sep(&mut i, b'-')
        && num(&mut i, 1, 2);
    if !date {
        return false;
    }
    if i == b.len() {
        return true;
    }
    let zone_allowed = matches!(b[i], b'T' | b't');
    if !matches!(b[i], b'T' | b't' | b' ') {
        return false;
    }
    i += 1;
    if !(num(&mut i, 1, 2)
        && sep(&mut i, b':')
        && num(&mut i, 1, 2)
        && sep(&mut i, b':')
        && num(&mut i, 1, 2))
    {
        return false;
    }
    if sep(&mut i, b'.') && !num(&mut i, 1, 9) {
        return false;
    }
    if i == b.len() {
        return true;
    }
    if !zone_allowed {
        return false;
    }
    if sep(&mut i, b'Z') {
        return i == b.len();
    }
    (sep(&mut i, b'+') || sep(&mut i, b'-'))
        && num(&mut i, 2, 2)
        && sep(&mut i, b':')
        && num(&mut i, 2, 2)
        && i == b.len()
}

/// Standard base64 (with padding, as Go's `base64.StdEncoding`), line breaks and spaces
/// ignored as go-yaml's scanner folds them away.
fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let clean: Vec<u8> = text.bytes().filter(|c| !c.is_ascii_whitespace()).collect();
    if !clean.len().is_multiple_of(4) {
        return None;
    }
    let value = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let mut out = Vec::with_capacity(clean.len() / 4 * 3);
    let chunks = clean.len() / 4;
    for (n, chunk) in clean.chunks(4).enumerate() {
        let pad = chunk.iter().rev().take_while(|&&c| c == b'=').count();
        if pad > 2 || (pad > 0 && n + 1 != chunks) {
            return None;
        }
        let mut acc = 0u32;
        for &c in &chunk[..4 - pad] {
            acc = (acc << 6) | value(c)?;
        }
        acc <<= 6 * pad as u32;
        let bytes = acc.to_be_bytes();
        out.extend_from_slice(&bytes[1..4 - pad]);
    }
    Some(out)
}

/// A scalar with a tag (quoted or not); [`CoreTag::Other`] (a local tag, `!foo`) makes
/// the scalar its text, as in go-yaml.
pub(crate) fn tagged_value(text: &str, tag: CoreTag) -> Result<Value, String> {
    if tag == CoreTag::Binary {
        let bytes = decode_base64(text)
            .ok_or_else(|| "!!binary value contains invalid base64 data".to_owned())?;
        // Go's encoding/json writes invalid UTF-8 as U+FFFD.
        return Ok(Value::String(String::from_utf8_lossy(&bytes).into_owned()));
    }
    let resolved = resolve_tagged(text, tag)?;
    to_value(resolved, text)
}

/// A tagged scalar used as a map key.
pub(crate) fn tagged_key(text: &str, tag: CoreTag) -> Result<String, String> {
    if tag == CoreTag::Binary {
        return match tagged_value(text, tag)? {
            Value::String(s) => Ok(s),
            _ => unreachable!("!!binary is a string"),
        };
    }
    let resolved = resolve_tagged(text, tag)?;
    to_key(resolved, text)
}

/// The key string of a node that is already a value (an alias used as a key), as
/// [`to_key`] writes the value; `None` for a collection.
pub(crate) fn value_key(value: &Value) -> Result<Option<String>, String> {
    let (resolved, text) = match value {
        Value::String(s) => return Ok(Some(s.clone())),
        Value::Seq(_) | Value::Map(_) => return Ok(None),
        Value::Null => (Resolved::Null, "null".to_owned()),
        Value::Bool(b) => (Resolved::Bool(*b), b.to_string()),
        Value::Number(n) => {
            let resolved = match (n.as_i64(), n.as_u64()) {
                (Some(i), _) => Resolved::Int(i),
                (None, Some(u)) => Resolved::Uint(u),
                _ => Resolved::Float(n.as_f64().unwrap_or(f64::NAN)),
            };
            (resolved, n.to_string())
        }
    };
    to_key(resolved, &text).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn v(text: &str) -> serde_json::Value {
        match plain_value(text.to_owned()).unwrap() {
            Value::Null => json!(null),
            Value::Bool(b) => json!(b),
            Value::Number(n) => serde_json::Value::Number(n),
            Value::String(s) => json!(s),
            _ => unreachable!(),
        }
    }

    #[test]
    fn integers_in_go_forms() {
        for (text, want) in [
            ("0755", json!(493)),
            ("0o755", json!(493)),
            ("0O17", json!(15)),
            ("0x1F", json!(31)),
            ("0X1f", json!(31)),
            ("0b101", json!(5)),
            ("-0b101", json!(-5)),
            ("0b-101", json!(-5)),
            ("1_000", json!(1000)),
            ("+12", json!(12)),
            ("-0", json!(0)),
            ("-0755", json!(-493)),
            ("08", json!(8)),
            ("00", json!(0)),
            ("9223372036854775807", json!(9223372036854775807i64)),
            ("-9223372036854775808", json!(i64::MIN)),
            ("18446744073709551615", json!(u64::MAX)),
            ("0x", json!("0x")),
            ("0xZZ", json!("0xZZ")),
            ("1:30", json!("1:30")),
            ("_1", json!("_1")),
        ] {
            assert_eq!(v(text), want, "{text}");
        }
        // Beyond u64: a float, as JSON writes it and reads it back.
        assert_eq!(v("18446744073709551616"), json!(18446744073709551616f64));
        assert!(v("18446744073709551616").is_f64());
        assert!(v("-9223372036854775809").is_f64());
        // Hex beyond 64 bits is no float form: the text.
        assert_eq!(v("0x10000000000000000"), json!("0x10000000000000000"));
    }

    #[test]
    fn floats_as_json_writes_them() {
        assert_eq!(v("3.0"), json!(3));
        assert!(v("3.0").is_u64());
        assert_eq!(v("1e3"), json!(1000));
        assert_eq!(v("1."), json!(1));
        assert_eq!(v(".5"), json!(0.5));
        assert_eq!(v("-.5"), json!(-0.5));
        assert_eq!(v("1_000.5"), json!(1000.5));
        assert_eq!(v("1e400"), json!("1e400"));
        assert_eq!(v("1e"), json!("1e"));
        assert_eq!(v("."), json!("."));
        assert_eq!(v("1.2.3"), json!("1.2.3"));
        assert!(v("1e21").is_f64());
        for text in [".inf", "-.Inf", "+.INF", ".NaN"] {
            let e = plain_value(text.into()).unwrap_err();
            assert!(e.starts_with("unsupported value: "), "{e}");
        }
        assert_eq!(v(".iNf"), json!(".iNf"));
    }

    #[test]
    fn booleans_and_nulls_of_yaml_1_1() {
        for t in [
            "y", "Y", "yes", "Yes", "YES", "on", "On", "ON", "true", "True", "TRUE",
        ] {
            assert_eq!(v(t), json!(true), "{t}");
        }
        for t in [
            "n", "N", "no", "No", "NO", "off", "Off", "OFF", "false", "False",
        ] {
            assert_eq!(v(t), json!(false), "{t}");
        }
        for t in ["oN", "yES", "tRUE", "nO"] {
            assert_eq!(v(t), json!(t), "{t}");
        }
        for t in ["", "~", "null", "Null", "NULL"] {
            assert_eq!(v(t), json!(null), "{t:?}");
        }
        assert_eq!(v("nULL"), json!("nULL"));
    }

    #[test]
    fn keys_as_sigs_yaml_writes_them() {
        let k = |t: &str| plain_key(t.to_owned());
        assert_eq!(k("n").unwrap(), "false");
        assert_eq!(k("on").unwrap(), "true");
        assert_eq!(k("0755").unwrap(), "493");
        assert_eq!(k("3.0").unwrap(), "3");
        assert_eq!(k("1.5").unwrap(), "1.5");
        assert_eq!(k("0.1").unwrap(), "0.1");
        assert_eq!(k("1e6").unwrap(), "1e+06");
        assert_eq!(k("123456.0").unwrap(), "123456");
        assert_eq!(k("0.0001").unwrap(), "0.0001");
        assert_eq!(k("0.00001").unwrap(), "1e-05");
        assert_eq!(k("1234567.0").unwrap(), "1.234567e+06");
        assert_eq!(k("1e39").unwrap(), ".inf");
        assert_eq!(k(".inf").unwrap(), ".inf");
        assert_eq!(k("-.inf").unwrap(), "-.inf");
        assert_eq!(k(".nan").unwrap(), ".nan");
        assert_eq!(k("2001-12-14").unwrap(), "2001-12-14");
        assert!(k("null").unwrap_err().contains("unsupported map key"));
        assert!(k("~").unwrap_err().contains("unsupported map key"));
        assert!(
            k("18446744073709551615")
                .unwrap_err()
                .contains("unsupported map key of type: uint64")
        );
    }

    #[test]
    fn tags() {
        let t = |text: &str, tag: &str| tagged_value(text, CoreTag::from_suffix(tag));
        assert_eq!(t("0755", "int").unwrap(), Value::Number(493.into()));
        assert_eq!(t("0755", "str").unwrap(), Value::String("0755".into()));
        assert_eq!(t("1", "float").unwrap(), Value::Number(1.into()));
        assert_eq!(t("yes", "bool").unwrap(), Value::Bool(true));
        assert_eq!(t("~", "null").unwrap(), Value::Null);
        assert!(t("x", "null").is_err());
        assert_eq!(t("12", "foo").unwrap(), Value::String("12".into()));
        assert_eq!(
            t("2001-12-14", "timestamp").unwrap(),
            Value::String("2001-12-14".into())
        );
        assert_eq!(
            t("aGVsbG8=", "binary").unwrap(),
            Value::String("hello".into())
        );
        assert!(t("aGVsbG8", "binary").is_err());
        assert_eq!(
            t("1.5", "int").unwrap_err(),
            "cannot decode !!float `1.5` as a !!int"
        );
        assert_eq!(
            t("x", "timestamp").unwrap_err(),
            "cannot decode !!str `x` as a !!timestamp"
        );
    }

    #[test]
    fn go_timestamps() {
        for ok in [
            "2001-12-14",
            "2001-1-2",
            "2001-12-14t21:59:43.10-05:00",
            "2002-12-14T00:00:00Z",
            "2001-12-14 21:59:43.10",
        ] {
            assert!(go_timestamp(ok), "{ok}");
        }
        for bad in ["2001-12-14 21:59:43.10 -5", "01-12-14", "2001-12", "x"] {
            assert!(!go_timestamp(bad), "{bad}");
        }
    }
}
