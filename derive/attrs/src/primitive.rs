//! The schemas of Rust's scalar types (`bool`, the integers, the floats, `char`,
//! `String`, `NonZeroU*`), one table for `crdgen crd` (read with syn) and for the
//! runtime's `CrdSchema` impls (`crdgen_runtime::crd_schema`, held equal to this table
//! by a test in `tests/derive`).
//!
//! An integer's range is part of its schema, so the API server refuses what the Rust
//! type could not decode (a `u16` field refuses `70000` and `-5`):
//!
//! - `int32` / `int64` formats (the ones the API server checks), never `uint16` & co.;
//! - `minimum` and `maximum` wherever the bound is not already the format's own and a
//!   JSON number (a float64 on the server) holds it exactly: `u64::MAX` does not, so
//!   `u64`/`usize`/`u128` get `minimum` only (the server refuses values beyond int64
//!   anyway);
//! - `char`: a string of exactly one character (`minLength`/`maxLength: 1`; the API
//!   server counts characters, not bytes);
//! - `NonZeroU*`: as the unsigned type with `minimum: 1`.
//!
//! schemars (kube-derive's schema generator) gives `u16` `format: uint16` and
//! `minimum: 0` only, and `i8`/`i16` no bounds.

use serde_json::{Map, Value};

/// `(Rust type name, schema)` for every scalar type crdgen knows, as JSON text.
pub const PRIMITIVES: &[(&str, &str)] = &[
    ("bool", r#"{"type":"boolean"}"#),
    (
        "i8",
        r#"{"type":"integer","format":"int32","minimum":-128,"maximum":127}"#,
    ),
    (
        "i16",
        r#"{"type":"integer","format":"int32","minimum":-32768,"maximum":32767}"#,
    ),
    ("i32", r#"{"type":"integer","format":"int32"}"#),
    ("i64", r#"{"type":"integer","format":"int64"}"#),
    ("isize", r#"{"type":"integer","format":"int64"}"#),
    ("i128", r#"{"type":"integer","format":"int64"}"#),
    (
        "u8",
        r#"{"type":"integer","format":"int32","minimum":0,"maximum":255}"#,
    ),
    (
        "u16",
        r#"{"type":"integer","format":"int32","minimum":0,"maximum":65535}"#,
    ),
    (
        "u32",
        r#"{"type":"integer","format":"int64","minimum":0,"maximum":4294967295}"#,
    ),
    ("u64", r#"{"type":"integer","format":"int64","minimum":0}"#),
    (
        "usize",
        r#"{"type":"integer","format":"int64","minimum":0}"#,
    ),
    ("u128", r#"{"type":"integer","format":"int64","minimum":0}"#),
    (
        "NonZeroU8",
        r#"{"type":"integer","format":"int32","minimum":1,"maximum":255}"#,
    ),
    (
        "NonZeroU16",
        r#"{"type":"integer","format":"int32","minimum":1,"maximum":65535}"#,
    ),
    (
        "NonZeroU32",
        r#"{"type":"integer","format":"int64","minimum":1,"maximum":4294967295}"#,
    ),
    (
        "NonZeroU64",
        r#"{"type":"integer","format":"int64","minimum":1}"#,
    ),
    (
        "NonZeroUsize",
        r#"{"type":"integer","format":"int64","minimum":1}"#,
    ),
    (
        "NonZeroU128",
        r#"{"type":"integer","format":"int64","minimum":1}"#,
    ),
    ("f32", r#"{"type":"number"}"#),
    ("f64", r#"{"type":"number"}"#),
    ("char", r#"{"type":"string","minLength":1,"maxLength":1}"#),
    ("String", r#"{"type":"string"}"#),
    ("str", r#"{"type":"string"}"#),
];

/// The schema of a scalar type by its name (`u16`, `NonZeroU32`, `char`, …); `None` for
/// a name not in [`PRIMITIVES`].
pub fn schema(name: &str) -> Option<Map<String, Value>> {
    let (_, text) = PRIMITIVES.iter().find(|(n, _)| *n == name)?;
    match serde_json::from_str(text).expect("the primitive schemas are JSON") {
        Value::Object(m) => Some(m),
        _ => None,
    }
}

/// The name [`schema`] knows for `NonZero<T>` (`NonZero<u16>` → `NonZeroU16`).
pub fn non_zero(inner: &str) -> Option<String> {
    let name = format!(
        "NonZero{}",
        inner.to_ascii_uppercase().replace("USIZE", "Usize")
    );
    PRIMITIVES.iter().any(|(n, _)| *n == name).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_bound_is_the_types_and_exact_in_a_float64() {
        let bounds: &[(&str, i128, i128)] = &[
            ("i8", i8::MIN.into(), i8::MAX.into()),
            ("i16", i16::MIN.into(), i16::MAX.into()),
            ("u8", 0, u8::MAX.into()),
            ("u16", 0, u16::MAX.into()),
            ("u32", 0, u32::MAX.into()),
            ("NonZeroU8", 1, u8::MAX.into()),
            ("NonZeroU16", 1, u16::MAX.into()),
            ("NonZeroU32", 1, u32::MAX.into()),
        ];
        for (name, min, max) in bounds {
            let s = schema(name).expect("listed");
            assert_eq!(s["minimum"].as_i64().map(i128::from), Some(*min), "{name}");
            assert_eq!(s["maximum"].as_i64().map(i128::from), Some(*max), "{name}");
            // A float64 holds the bound exactly (the API server reads it as one).
            assert_eq!(*max as f64 as i128, *max, "{name}");
        }
        for name in ["u64", "usize", "u128"] {
            let s = schema(name).expect("listed");
            assert_eq!(s["minimum"], json!(0), "{name}");
            assert!(
                s.get("maximum").is_none(),
                "{name}: u64::MAX is not a float64"
            );
        }
        assert_eq!(schema("char").expect("listed")["maxLength"], json!(1));
        assert_eq!(non_zero("u16").as_deref(), Some("NonZeroU16"));
        assert_eq!(non_zero("usize").as_deref(), Some("NonZeroUsize"));
        assert_eq!(non_zero("i16"), None);
        assert!(schema("Widget").is_none());
    }

    #[test]
    fn formats_are_the_ones_the_api_server_checks() {
        for (name, _) in PRIMITIVES {
            let s = schema(name).expect("JSON");
            if let Some(f) = s.get("format") {
                assert!(f == "int32" || f == "int64", "{name}: {f}");
            }
        }
    }
}
