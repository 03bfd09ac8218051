//! The read-only view of a document the checks walk: JSON as the server decodes it
//! (`serde_json::Value`), or crdgen's YAML tree (`crdgen_yaml::Node`, so the generator
//! checks a CRD without copying it into JSON first).
//!
//! The checks keep the server's semantics on either: a mapping's keys are visited in
//! JSON's key order where the order shows in the result ([`Doc::sorted_entries`]),
//! numbers are JSON numbers (the YAML reader already decodes them as kubectl's JSON
//! conversion does), each key is there once (the YAML reader keeps the last of equal
//! keys, as JSON decoding does), and equality is JSON's ([`Doc::json_eq`]: mappings
//! equal whatever their key order).

use crdgen_yaml::Value as Yaml;
use serde_json::{Number, Value};

/// A JSON-like document node. An object node stands for its mapping: [`Doc::get`],
/// [`Doc::entries`] and [`Doc::obj_len`] read it (and find nothing in any other node).
pub trait Doc: Sized + 'static {
    /// A `null` node (what a missing field reads as).
    fn null() -> &'static Self;
    /// The value under `key`, if this is an object that has it.
    fn get(&self, key: &str) -> Option<&Self>;
    /// The string, if this is a string.
    fn as_str(&self) -> Option<&str>;
    /// The boolean, if this is a boolean.
    fn as_bool(&self) -> Option<bool>;
    /// The number, if this is a number.
    fn as_number(&self) -> Option<&Number>;
    /// The items, if this is an array.
    fn as_array(&self) -> Option<&[Self]>;
    /// Whether this is an object.
    fn is_object(&self) -> bool;
    /// Whether this is `null`.
    fn is_null(&self) -> bool;
    /// How many keys the object has (0 for anything else).
    fn obj_len(&self) -> usize;
    /// The object's entries in any order (nothing for anything else): for checks whose
    /// result does not depend on the order.
    fn entries(&self) -> impl Iterator<Item = (&str, &Self)>;
    /// The object's entries in JSON's key order (byte order of the keys, as a decoded
    /// `map[string]interface{}` sorted, and `serde_json::Map`).
    fn sorted_entries(&self) -> impl Iterator<Item = (&str, &Self)>;
    /// The node as JSON (for the values errors print).
    fn to_json(&self) -> Value;
    /// JSON equality: objects with the same keys and equal values, whatever the order.
    fn json_eq(&self, other: &Self) -> bool;

    /// This node, if it is an object.
    fn as_object(&self) -> Option<&Self> {
        self.is_object().then_some(self)
    }
    /// Whether this is `true`.
    fn is_true(&self) -> bool {
        self.as_bool() == Some(true)
    }
    /// Whether this is `false`.
    fn is_false(&self) -> bool {
        self.as_bool() == Some(false)
    }
    /// Whether this is an array.
    fn is_array(&self) -> bool {
        self.as_array().is_some()
    }
    /// The number as an `i64`, if it is one.
    fn as_i64(&self) -> Option<i64> {
        self.as_number().and_then(Number::as_i64)
    }
}

impl Doc for Value {
    fn null() -> &'static Self {
        static NULL: Value = Value::Null;
        &NULL
    }

    fn get(&self, key: &str) -> Option<&Self> {
        match self {
            Value::Object(m) => m.get(key),
            _ => None,
        }
    }

    fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    fn as_number(&self) -> Option<&Number> {
        match self {
            Value::Number(n) => Some(n),
            _ => None,
        }
    }

    fn as_array(&self) -> Option<&[Self]> {
        match self {
            Value::Array(a) => Some(a),
            _ => None,
        }
    }

    fn is_object(&self) -> bool {
        matches!(self, Value::Object(_))
    }

    fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    fn obj_len(&self) -> usize {
        match self {
            Value::Object(m) => m.len(),
            _ => 0,
        }
    }

    fn entries(&self) -> impl Iterator<Item = (&str, &Self)> {
        let map = match self {
            Value::Object(m) => Some(m),
            _ => None,
        };
        map.into_iter().flatten().map(|(k, v)| (k.as_str(), v))
    }

    fn sorted_entries(&self) -> impl Iterator<Item = (&str, &Self)> {
        // serde_json's map is ordered by key (the `preserve_order` feature is not on:
        // tested in `tests::json_maps_iterate_in_key_order`).
        self.entries()
    }

    fn to_json(&self) -> Value {
        self.clone()
    }

    fn json_eq(&self, other: &Self) -> bool {
        self == other
    }
}

impl Doc for crdgen_yaml::Node {
    fn null() -> &'static Self {
        static NULL: crdgen_yaml::Node = crdgen_yaml::Node {
            pos: crdgen_yaml::Pos { line: 0, column: 0 },
            value: Yaml::Null,
        };
        &NULL
    }

    fn get(&self, key: &str) -> Option<&Self> {
        map(self)
            .iter()
            .find(|(k, _)| same_str(&k.name, key))
            .map(|(_, v)| v)
    }

    fn as_str(&self) -> Option<&str> {
        match &self.value {
            Yaml::String(s) => Some(s),
            _ => None,
        }
    }

    fn as_bool(&self) -> Option<bool> {
        match &self.value {
            Yaml::Bool(b) => Some(*b),
            _ => None,
        }
    }

    fn as_number(&self) -> Option<&Number> {
        match &self.value {
            Yaml::Number(n) => Some(n),
            _ => None,
        }
    }

    fn as_array(&self) -> Option<&[Self]> {
        match &self.value {
            Yaml::Seq(items) => Some(items),
            _ => None,
        }
    }

    fn is_object(&self) -> bool {
        matches!(self.value, Yaml::Map(_))
    }

    fn is_null(&self) -> bool {
        matches!(self.value, Yaml::Null)
    }

    fn obj_len(&self) -> usize {
        map(self).len()
    }

    fn entries(&self) -> impl Iterator<Item = (&str, &Self)> {
        map(self).iter().map(|(k, v)| (k.name.as_str(), v))
    }

    fn sorted_entries(&self) -> impl Iterator<Item = (&str, &Self)> {
        // Most CRDs list keys sorted (controller-gen does): walk them as they are, and
        // sort references only when they are not.
        let m = map(self);
        let in_order = m.windows(2).all(|w| {
            // (The first bytes decide most pairs, without a call to memcmp.)
            let (a, b) = (w[0].0.name.as_bytes(), w[1].0.name.as_bytes());
            match (a.first(), b.first()) {
                (Some(x), Some(y)) if x != y => x < y,
                _ => a < b,
            }
        });
        let (direct, mut sorted) = if in_order {
            (m, Vec::new())
        } else {
            (&[][..], m.iter().collect::<Vec<_>>())
        };
        sorted.sort_unstable_by(|a, b| a.0.name.cmp(&b.0.name));
        direct
            .iter()
            .chain(sorted)
            .map(|(k, v)| (k.name.as_str(), v))
    }

    fn to_json(&self) -> Value {
        crdgen_yaml::Node::to_json(self)
    }

    fn json_eq(&self, other: &Self) -> bool {
        match (&self.value, &other.value) {
            (Yaml::Null, Yaml::Null) => true,
            (Yaml::Bool(a), Yaml::Bool(b)) => a == b,
            (Yaml::Number(a), Yaml::Number(b)) => a == b,
            (Yaml::String(a), Yaml::String(b)) => same_str(a, b),
            (Yaml::Seq(a), Yaml::Seq(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.json_eq(y))
            }
            (Yaml::Map(a), Yaml::Map(b)) => {
                // Keys are unique in each: same length and every key of one found
                // equal in the other. Identical documents list them in the same order.
                a.len() == b.len()
                    && a.iter().zip(b).all(|((ka, va), (kb, vb))| {
                        if same_str(&ka.name, &kb.name) {
                            va.json_eq(vb)
                        } else {
                            other.get(&ka.name).is_some_and(|v| va.json_eq(v))
                        }
                    })
            }
            _ => false,
        }
    }
}

/// `a == b`, comparing strings of up to 16 bytes (most keys and many values) a word
/// at a time instead of with a call to memcmp.
fn same_str(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let n = a.len();
    if n != b.len() {
        return false;
    }
    let word = |s: &[u8], at: usize| {
        s.get(at..at + 8)
            .and_then(|w| <[u8; 8]>::try_from(w).ok())
            .map(u64::from_ne_bytes)
    };
    let half = |s: &[u8], at: usize| {
        s.get(at..at + 4)
            .and_then(|w| <[u8; 4]>::try_from(w).ok())
            .map(u32::from_ne_bytes)
    };
    match n {
        0..4 => a == b,
        4..8 => half(a, 0) == half(b, 0) && half(a, n - 4) == half(b, n - 4),
        8..=16 => word(a, 0) == word(b, 0) && word(a, n - 8) == word(b, n - 8),
        _ => a == b,
    }
}

fn map(node: &crdgen_yaml::Node) -> &[(crdgen_yaml::Key, crdgen_yaml::Node)] {
    match &node.value {
        Yaml::Map(m) => m,
        _ => &[],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yaml(text: &str) -> crdgen_yaml::Node {
        let mut docs = crdgen_yaml::parse(text, Default::default()).expect("test YAML");
        docs.remove(0).root
    }

    #[test]
    fn json_maps_iterate_in_key_order() {
        let v = serde_json::json!({"b": 1, "a": 2, "B": 3});
        let keys: Vec<&str> = v.sorted_entries().map(|(k, _)| k).collect();
        assert_eq!(keys, ["B", "a", "b"]);
    }

    #[test]
    fn yaml_maps_as_json_sees_them() {
        let n = yaml("b: 1\na: {y: [1, x], x: null}\nB: 3\nab: 4\n");
        let keys: Vec<&str> = n.sorted_entries().map(|(k, _)| k).collect();
        assert_eq!(keys, ["B", "a", "ab", "b"]);
        let sorted = yaml("B: 3\na: {x: null, y: [1, x]}\nab: 4\nb: 1\n");
        assert_eq!(sorted.sorted_entries().count(), 4);
        assert!(n.json_eq(&sorted));
        assert_eq!(n.to_json(), sorted.to_json());
        assert!(!n.json_eq(&yaml("b: 1\na: {y: [1, x], x: null}\nB: 3\nab: 5\n")));
        assert!(!n.json_eq(&yaml("b: 1\na: {y: [1, x], z: null}\nB: 3\nab: 4\n")));
        assert!(!n.json_eq(&yaml("b: 1\na: {y: [x, 1], x: null}\nB: 3\nab: 4\n")));
        assert_eq!(n.get("ab").and_then(Doc::as_i64), Some(4));
        assert!(
            n.get("a")
                .and_then(|a| a.get("x"))
                .is_some_and(Doc::is_null)
        );
        assert_eq!(n.obj_len(), 4);
    }

    #[test]
    fn strings_compare_at_every_length() {
        let long = "abcdefghijklmnopqrstuvwxyz";
        for n in 0..=long.len() {
            let a = &long[..n];
            assert!(same_str(a, a), "{a}");
            for i in 0..n {
                let mut b = a.as_bytes().to_vec();
                b[i] = b'_';
                let b = String::from_utf8(b).expect("ASCII");
                assert!(!same_str(a, &b), "{a} {b}");
            }
            assert!(!same_str(a, &long[..n.saturating_sub(1)]) || n == 0);
        }
    }
}
