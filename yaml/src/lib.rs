//! YAML (and JSON, a subset of it) read as kubectl reads it, into a tree of nodes that
//! remember their line and column, so later stages can point at the exact place of a
//! problem.
//!
//! This is crdgen's one YAML reader: the CRD loader, the corpus round trip and the
//! in-memory API server's YAML bodies all read through [`parse`]. Two parsers build
//! the same tree: a fast reader for the block YAML CRDs are written in (`fast.rs`),
//! and saphyr-parser's event API for everything else (and every error). Each scalar
//! and each map key takes its value from `kubectl.rs`, the one place that holds
//! kubectl's rules (go-yaml v2 scalars, sigs.k8s.io/yaml's keys, JSON's numbers):
//! `0755` is 493, `yes`/`on`/`n` are booleans (keys `"true"`/`"false"`), `3.0` is 3,
//! `.inf` and `null` keys are refused. On top of saphyr's YAML 1.2 structure, as
//! go-yaml v2 does:
//! - duplicate keys: the last one wins (also keys that become equal, `y` and `Y`);
//! - merge keys (`<<: *base`, `<<: [*a, *b]`) are applied where they stand: the
//!   merged mappings set their keys (earlier mappings of a list win over later ones),
//!   overriding keys written before the `<<`; keys written after it override them.
//!   Only a plain `<<` (or `!!merge <<`) is a merge key; a quoted `"<<"` is a key.
//!   Merging anything but a mapping is an error;
//! - a flow collection may close at its key's column (`args: [` ... `]`) and hold
//!   items further left, which saphyr refuses as "invalid indentation"; a tab may
//!   follow a key's `:` (see [`parse_saphyr`]).
//!
//! It is also crdgen's one YAML writer, [`to_yaml`] (`write.rs`): sigs.k8s.io/yaml's
//! output, used for the in-memory server's YAML answers and for CRD manifests.
//!
//! Modules: `kubectl.rs` (scalars and keys), `fast.rs` (the fast reader), `saphyr.rs`
//! (saphyr's events into the tree: anchors, merge keys, duplicate keys), `mend.rs`
//! (saphyr's refusals of what go-yaml reads).
//!
//! The tree is built without recursion, and anchors/aliases are expanded under a
//! budget, so hostile input (deep nesting, "billion laughs") gets an error instead of
//! exhausting the stack or memory.

mod fast;
mod kubectl;
mod mend;
mod saphyr;
mod write;

pub use write::to_yaml;

/// 1-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, serde::Serialize)]
pub struct Pos {
    /// Line, from 1.
    pub line: usize,
    /// Column, from 1.
    pub column: usize,
}

/// A YAML node with its position.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// Where the node starts.
    pub pos: Pos,
    /// The node's content.
    pub value: Value,
}

/// The content of a node.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `null`, `~` or nothing.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// An integer or a float.
    Number(serde_json::Number),
    /// A string.
    String(String),
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping, in document order, each key once (the last of equal keys wins).
    /// Keys are strings: other scalars are written as sigs.k8s.io/yaml writes them
    /// (`yes` → `"true"`, `0755` → `"493"`).
    Map(Vec<(Key, Node)>),
}

/// A mapping key.
#[derive(Debug, Clone, PartialEq)]
pub struct Key {
    /// The key's text.
    pub name: String,
    /// Where the key is.
    pub pos: Pos,
}

/// A parse error with its position.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {}, column {}: {message}", pos.line, pos.column)]
pub struct YamlError {
    /// What went wrong.
    pub message: String,
    /// Where.
    pub pos: Pos,
}

/// Bounds that keep hostile input from exhausting memory or time.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// The deepest nesting of sequences and mappings accepted.
    pub max_depth: usize,
    /// How many nodes alias expansion may add, on top of the nodes written out.
    pub max_alias_nodes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_depth: 1000,
            max_alias_nodes: 1_000_000,
        }
    }
}

impl Node {
    /// The mapping entries, if this is a mapping.
    pub fn as_map(&self) -> Option<&[(Key, Node)]> {
        match &self.value {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    /// Look up a key in a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.as_map()?
            .iter()
            .find(|(k, _)| k.name == key)
            .map(|(_, v)| v)
    }

    /// The value under `key`, mutably (see [`Node::get`]).
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Node> {
        match &mut self.value {
            Value::Map(m) => m.iter_mut().find(|(k, _)| k.name == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The string, if this is a string scalar.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// A short name for the node's kind, for error messages.
    pub fn kind_name(&self) -> &'static str {
        match &self.value {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }

    /// The node as JSON (positions dropped).
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        // Iterative to stay safe on deep input: convert children first (post-order).
        // (No allocation but the result's: a mapping's keys are read from the node when
        // its values are done, and the values are moved straight into the map.)
        enum Frame<'a> {
            Enter(&'a Node),
            Seq(usize),
            Map(&'a [(Key, Node)]),
        }
        let mut stack = vec![Frame::Enter(self)];
        let mut out: Vec<J> = Vec::new();
        while let Some(frame) = stack.pop() {
            match frame {
                Frame::Enter(node) => match &node.value {
                    Value::Null => out.push(J::Null),
                    Value::Bool(b) => out.push(J::Bool(*b)),
                    Value::Number(n) => out.push(J::Number(n.clone())),
                    Value::String(s) => out.push(J::String(s.clone())),
                    Value::Seq(items) => {
                        stack.push(Frame::Seq(items.len()));
                        stack.extend(items.iter().rev().map(Frame::Enter));
                    }
                    Value::Map(entries) => {
                        stack.push(Frame::Map(entries));
                        stack.extend(entries.iter().rev().map(|(_, v)| Frame::Enter(v)));
                    }
                },
                Frame::Seq(n) => {
                    let items = out.split_off(out.len() - n);
                    out.push(J::Array(items));
                }
                Frame::Map(entries) => {
                    let values = out.drain(out.len() - entries.len()..);
                    let mut map = serde_json::Map::new();
                    for ((k, _), v) in entries.iter().zip(values) {
                        map.insert(k.name.clone(), v);
                    }
                    out.push(J::Object(map));
                }
            }
        }
        out.pop().unwrap_or(J::Null)
    }
}

impl Node {
    /// The node as JSON, its strings moved rather than copied ([`Node::to_json`]).
    pub fn into_json(self) -> serde_json::Value {
        use serde_json::Value as J;
        enum Frame {
            Enter(Node),
            Seq(usize),
            Map(Vec<String>),
        }
        let mut stack = vec![Frame::Enter(self)];
        let mut out: Vec<J> = Vec::new();
        while let Some(frame) = stack.pop() {
            match frame {
                Frame::Enter(mut node) => match std::mem::replace(&mut node.value, Value::Null) {
                    Value::Null => out.push(J::Null),
                    Value::Bool(b) => out.push(J::Bool(b)),
                    Value::Number(n) => out.push(J::Number(n)),
                    Value::String(s) => out.push(J::String(s)),
                    Value::Seq(items) => {
                        stack.push(Frame::Seq(items.len()));
                        stack.extend(items.into_iter().rev().map(Frame::Enter));
                    }
                    Value::Map(entries) => {
                        let (keys, values): (Vec<String>, Vec<Node>) =
                            entries.into_iter().map(|(k, v)| (k.name, v)).unzip();
                        stack.push(Frame::Map(keys));
                        stack.extend(values.into_iter().rev().map(Frame::Enter));
                    }
                },
                Frame::Seq(n) => {
                    let items = out.split_off(out.len() - n);
                    out.push(J::Array(items));
                }
                Frame::Map(keys) => {
                    let values = out.split_off(out.len() - keys.len());
                    let map = keys.into_iter().zip(values).collect();
                    out.push(J::Object(map));
                }
            }
        }
        out.pop().unwrap_or(J::Null)
    }
}

impl Drop for Node {
    // The default drop recurses once per nesting level; drop deep trees iteratively:
    // the collections below this node's children are moved out (onto a stack, as
    // values) before the children are dropped, so no drop goes deeper than one level.
    // A collection of scalars (most of them) allocates no stack.
    fn drop(&mut self) {
        let mut stack: Vec<Value> = Vec::new();
        take_grandchildren(&mut self.value, &mut stack);
        while let Some(mut value) = stack.pop() {
            take_grandchildren(&mut value, &mut stack);
        }
    }
}

/// Moves the non-empty collections held by `value`'s children onto `stack`, leaving
/// `Null` in their place.
fn take_grandchildren(value: &mut Value, stack: &mut Vec<Value>) {
    fn take(child: &mut Node, stack: &mut Vec<Value>) {
        let nested = match &child.value {
            Value::Seq(items) => !items.is_empty(),
            Value::Map(entries) => !entries.is_empty(),
            _ => false,
        };
        if nested {
            stack.push(std::mem::replace(&mut child.value, Value::Null));
        }
    }
    match value {
        Value::Seq(items) => items.iter_mut().for_each(|n| take(n, stack)),
        Value::Map(entries) => entries.iter_mut().for_each(|(_, n)| take(n, stack)),
        _ => {}
    }
}

/// One document of a (possibly multi-document) YAML stream.
#[derive(Debug)]
pub struct Document {
    /// 0-based index in the stream.
    pub index: usize,
    /// The root node.
    pub root: Node,
}

/// Parse every document of a YAML stream.
///
/// Most CRDs take a fast reader of the YAML they are written in
/// (`fast.rs`), which gives the same tree; anything it does not handle
/// (anchors, tags, errors, ...) is parsed by saphyr-parser.
pub fn parse(text: &str, limits: Limits) -> Result<Vec<Document>, YamlError> {
    match fast::parse(text, limits) {
        Some(docs) => Ok(docs),
        None => parse_saphyr(text, limits),
    }
}

/// The fast reader alone: `None` when it declines the input. For tests comparing it
/// with [`parse_saphyr`].
#[doc(hidden)]
pub fn parse_fast(text: &str, limits: Limits) -> Option<Vec<Document>> {
    fast::parse(text, limits)
}

/// Parse with saphyr-parser only (what [`parse`] falls back to).
///
/// Where saphyr refuses the structure of text that go-yaml v2 (kubectl) reads, the
/// text is mended where saphyr stopped and read again, a bounded number of times:
/// - flow content less indented than its block (`args: [` ... `]` with the `]` under
///   `args`, or items further left): saphyr refuses it as "invalid indentation"
///   (a check it makes only inside flow collections, where libyaml makes none);
///   spaces go before the token, which changes nothing in a flow collection;
/// - a tab after a mapping's `:` (`a:<TAB>1`): saphyr wants a space there; the tabs
///   become spaces.
///
/// Positions (of nodes, keys and errors) are given back in the text as written. Any
/// other error, or one that mending does not move past, is saphyr's.
#[doc(hidden)]
pub fn parse_saphyr(text: &str, limits: Limits) -> Result<Vec<Document>, YamlError> {
    mend::parse(text, limits)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> Node {
        parse(text, Limits::default()).unwrap().pop().unwrap().root
    }

    #[test]
    fn scalars_follow_kubectls_rules() {
        let n = one(
            "a: 1\nb: '1'\nc: true\nd: yes\ne: ~\nf: 1.5\ng: 0x10\nh: -3\ni: 1e3\nj: \"x\"\nk: 0755\nl: !!str 0755\n",
        );
        let j = n.to_json();
        assert_eq!(
            j,
            serde_json::json!({"a": 1, "b": "1", "c": true, "d": true, "e": null, "f": 1.5, "g": 16, "h": -3, "i": 1000, "j": "x", "k": 493, "l": "0755"})
        );
        assert!(j["i"].is_u64(), "1e3 arrives as the integer JSON writes");
    }

    #[test]
    fn keys_follow_kubectls_rules() {
        let j = |t: &str| one(t).to_json();
        assert_eq!(
            j("y: 1\nn: 2\nY: 3\n0x10: a\n1.5: b\n\"no\": c\n"),
            serde_json::json!({"true": 3, "false": 2, "16": "a", "1.5": "b", "no": "c"})
        );
        // A flow mapping's keys too (the fast reader leaves them to saphyr).
        assert_eq!(
            j("m: {on: 1, off: 2, 07: 3}\n")["m"],
            serde_json::json!({"true": 1, "false": 2, "7": 3})
        );
        for (text, column) in [("null: 1\n", 1), ("a: {~: 1}\n", 5), ("? \n: 1\n", 1)] {
            let e = parse(text, Limits::default()).unwrap_err();
            assert!(e.message.contains("unsupported map key"), "{text}: {e:?}");
            assert_eq!(e.pos.column, column, "{text}: {e:?}");
        }
        // A key may be what has no value (`.inf`); an alias to it as a value is refused.
        assert_eq!(j(".inf: x\n"), serde_json::json!({".inf": "x"}));
        assert!(parse("&a .inf: x\nb: *a\n", Limits::default()).is_err());
        // An anchored key keeps its value for its aliases.
        assert_eq!(
            j("&a 0755: x\nb: *a\n"),
            serde_json::json!({"493": "x", "b": 493})
        );
    }

    #[test]
    fn flow_collections_may_close_at_their_keys_column() {
        let text = "spec:\n  args: [\n    \"--a\",\n    \"--b\"\n  ]\n  m: {\n    \"k\": 1\n  }\n  next: 1\n";
        assert!(parse_fast(text, Limits::default()).is_none());
        let n = one(text);
        assert_eq!(
            n.to_json(),
            serde_json::json!({"spec": {"args": ["--a", "--b"], "m": {"k": 1}, "next": 1}})
        );
        let next = n.get("spec").unwrap().get("next").unwrap();
        assert_eq!((next.pos.line, next.pos.column), (9, 9));
        // An error after a mended bracket points at the text as written.
        let e = parse("a: [\n  \"x\"\n] ]\n", Limits::default()).unwrap_err();
        assert_eq!((e.pos.line, e.pos.column), (3, 3), "{e:?}");
        // Flow content further left than its block, as libyaml takes it; positions
        // as written.
        let text = "spec:\n    args: [\"a\",\n\"b\", c,\n  {d: 1}\n    ]\n    m: {x: 1,\n z: 2}\n";
        let n = one(text);
        assert_eq!(
            n.to_json(),
            serde_json::json!({"spec": {"args": ["a", "b", "c", {"d": 1}], "m": {"x": 1, "z": 2}}})
        );
        let args = n.get("spec").unwrap().get("args").unwrap();
        let Value::Seq(items) = &args.value else {
            panic!("a list")
        };
        let at = |n: &Node| (n.pos.line, n.pos.column);
        assert_eq!(
            items.iter().map(at).collect::<Vec<_>>(),
            [(2, 12), (3, 1), (3, 6), (4, 3)]
        );
        let z = n.get("spec").unwrap().get("m").unwrap().get("z").unwrap();
        assert_eq!(at(z), (7, 5));
        // Block content is not mended: a key further left is an error.
        assert!(parse("a:\n  b: 1\n c: 2\n", Limits::default()).is_err());
    }

    #[test]
    fn a_tab_may_follow_a_keys_colon() {
        assert_eq!(
            one("a:\t1\nb:\t\tx\nc: \"d:\\te\"\n").to_json(),
            serde_json::json!({"a": 1, "b": "x", "c": "d:\te"})
        );
    }

    #[test]
    fn positions_are_one_based() {
        let n = one("a:\n  b: 1\n");
        let b = n.get("a").unwrap().get("b").unwrap();
        assert_eq!(b.pos, Pos { line: 2, column: 6 });
    }

    #[test]
    fn duplicate_keys_the_last_wins() {
        let n = one("a: 1\nb: 2\na: 3\n");
        assert_eq!(n.to_json(), serde_json::json!({"a": 3, "b": 2}));
        let a = n.get("a").unwrap();
        assert_eq!((a.pos.line, n.as_map().unwrap().len()), (3, 2));
    }

    #[test]
    fn multi_document_streams() {
        let docs = parse("a: 1\n---\nb: 2\n---\n", Limits::default()).unwrap();
        assert_eq!(docs.len(), 3);
        assert_eq!(docs[2].root.value, Value::Null);
    }

    #[test]
    fn merge_keys_apply_where_they_stand() {
        let j = |t: &str| one(t).to_json();
        // One mapping by alias: as go-yaml v2, the merge overrides the keys before it,
        // the keys after it override the merge.
        assert_eq!(
            j("base: &b {a: 1, b: 2, c: 3}\nx:\n  a: 10\n  <<: *b\n  c: 30\n"),
            serde_json::json!({"base": {"a": 1, "b": 2, "c": 3}, "x": {"a": 1, "b": 2, "c": 30}})
        );
        // Several merge keys: each applies in turn.
        assert_eq!(
            j("x:\n  <<: {a: 1, b: 1}\n  <<: {b: 2}\n")["x"],
            serde_json::json!({"a": 1, "b": 2})
        );
        // A list of mappings: the earlier wins.
        assert_eq!(
            j("p: &p {a: 1, b: 1}\nq: &q {b: 2, c: 2}\nx: {<<: [*p, *q], d: 4}\n")["x"],
            serde_json::json!({"a": 1, "b": 1, "c": 2, "d": 4})
        );
        assert_eq!(
            j("p: &p {a: 1, b: 1}\nq: &q {b: 2, c: 2}\nx: {<<: [*q, *p]}\n")["x"],
            serde_json::json!({"a": 1, "b": 2, "c": 2})
        );
        // Written-out mappings, nested merges (a merged anchor that merges itself),
        // and the `!!merge` tag.
        assert_eq!(
            j("x:\n  <<: {a: 1}\n  b: 2\n")["x"],
            serde_json::json!({"a": 1, "b": 2})
        );
        assert_eq!(
            j("a: &a {k: 1}\nb: &b {<<: *a, l: 2}\nc: {<<: *b, m: 3}\n")["c"],
            serde_json::json!({"k": 1, "l": 2, "m": 3})
        );
        assert_eq!(
            j("x: {!!merge <<: {a: 1}}\n")["x"],
            serde_json::json!({"a": 1})
        );
        // A quoted `<<` is an ordinary key.
        assert_eq!(
            j("x: {\"<<\": {a: 1}}\n")["x"],
            serde_json::json!({"<<": {"a": 1}})
        );
        // Merged keys keep their own positions; the anchor is not changed by merging.
        let n = one("b: &b\n  k: 1\nx:\n  <<: *b\n  k: 2\n");
        assert_eq!(n.get("x").unwrap().get("k").unwrap().pos.line, 5);
        assert_eq!(n.get("b").unwrap().get("k").unwrap().to_json(), 1);
    }

    #[test]
    fn merging_a_non_mapping_is_an_error() {
        for (text, line, column) in [
            ("x:\n  <<: 1\n", 2, 7),
            ("s: &s [1]\nx:\n  <<: *s\n", 3, 7),
            ("m: &m {a: 1}\nx:\n  <<: [*m, 2]\n", 3, 12),
            ("x:\n  <<: [[{a: 1}]]\n", 2, 8),
            ("x:\n  <<:\n", 2, 5),
        ] {
            let e = parse(text, Limits::default()).unwrap_err();
            assert!(e.message.contains("merge key `<<`"), "{text}: {e:?}");
            assert_eq!((e.pos.line, e.pos.column), (line, column), "{text}: {e:?}");
        }
    }

    #[test]
    fn merge_keys_count_against_the_alias_budget() {
        let mut text = String::from("a0: &a0 {k0: [x, x, x, x, x, x, x, x, x, x]}\n");
        for i in 1..12 {
            let p = i - 1;
            let keys: String = (0..10).map(|k| format!("k{k}_{i}: *a{p}, ")).collect();
            text.push_str(&format!("a{i}: &a{i} {{<<: *a{p}, {keys}}}\n"));
        }
        let e = parse(&text, Limits::default()).unwrap_err();
        assert!(e.message.contains("aliases expand"), "{e:?}");
        let small = Limits {
            max_alias_nodes: 5,
            ..Limits::default()
        };
        let e = parse("a: &a {b: 1, c: 2, d: 3}\nx: {<<: [*a, *a]}\n", small).unwrap_err();
        assert!(e.message.contains("aliases expand"), "{e:?}");
    }

    #[test]
    fn billion_laughs_is_refused() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let p = i - 1;
            text.push_str(&format!("a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"));
        }
        let e = parse(&text, Limits::default()).unwrap_err();
        assert!(e.message.contains("aliases expand"), "{e:?}");
    }

    #[test]
    fn deep_nesting_is_refused_without_overflow() {
        // Block style: our depth limit. (Flow style is capped at 255 by the parser.)
        let block = |depth: usize| {
            (0..depth)
                .map(|i| format!("{}- \n", "  ".repeat(i)))
                .collect::<String>()
                + &"  ".repeat(depth)
                + "- x\n"
        };
        let e = parse(&block(1500), Limits::default()).unwrap_err();
        assert!(e.message.contains("nesting deeper"), "{e:?}");
        let e = parse(&("[".repeat(5000) + &"]".repeat(5000)), Limits::default()).unwrap_err();
        assert!(e.message.contains("recursion limit"), "{e:?}");
        // A deep tree under the limit converts and drops without recursion.
        let n = one(&block(900));
        assert!(n.to_json().is_array());
    }
}
