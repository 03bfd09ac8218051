//! YAML (and JSON, a subset of it) into a tree of nodes that remember their line and
//! column, so later stages can point at the exact place of a problem.
//!
//! This is the only module that knows which YAML parser crdgen uses (saphyr-parser's
//! event API). Scalars resolve with the YAML 1.2 core schema, as kube reads YAML.
//! The tree is built without recursion, and anchors/aliases are expanded under a
//! budget, so hostile input (deep nesting, "billion laughs") gets an error instead of
//! exhausting the stack or memory.
//!
//! Merge keys (`<<: *base`, `<<: [*a, *b]`, YAML 1.1, which kubectl's reader honours)
//! are applied as go-yaml v3 does: the merged mappings supply the keys the mapping does
//! not write itself (explicit keys win wherever they stand), earlier mappings of a
//! list win over later ones, and merging anything but a mapping is an error. Only a
//! plain `<<` (or `!!merge <<`) is a merge key; a quoted `"<<"` is an ordinary key.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, Tag};

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
    /// A mapping, in document order. Keys are strings (other scalars are written as
    /// their text, as Kubernetes' YAML reader does).
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
#[derive(Debug, Clone, PartialEq, Eq)]
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
        enum Frame<'a> {
            Enter(&'a Node),
            Seq(usize),
            Map(Vec<&'a str>),
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
                        stack.push(Frame::Map(
                            entries.iter().map(|(k, _)| k.name.as_str()).collect(),
                        ));
                        stack.extend(entries.iter().rev().map(|(_, v)| Frame::Enter(v)));
                    }
                },
                Frame::Seq(n) => {
                    let items = out.split_off(out.len() - n);
                    out.push(J::Array(items));
                }
                Frame::Map(keys) => {
                    let values = out.split_off(out.len() - keys.len());
                    let map = keys.into_iter().map(str::to_owned).zip(values).collect();
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
    // The default drop recurses once per nesting level; drop deep trees iteratively.
    fn drop(&mut self) {
        let mut stack: Vec<Node> = Vec::new();
        take_children(&mut self.value, &mut stack);
        while let Some(mut node) = stack.pop() {
            take_children(&mut node.value, &mut stack);
        }
    }
}

fn take_children(value: &mut Value, stack: &mut Vec<Node>) {
    match value {
        Value::Seq(items) if !items.is_empty() => stack.append(items),
        Value::Map(entries) if !entries.is_empty() => {
            stack.extend(entries.drain(..).map(|(_, v)| v))
        }
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

enum Open {
    Seq {
        pos: Pos,
        anchor: usize,
        items: Vec<Node>,
    },
    Map {
        pos: Pos,
        anchor: usize,
        entries: Vec<(Key, Node)>,
        key: Option<Key>,
        /// The pending key is a merge key (`<<`).
        key_is_merge: bool,
        /// A merge key's mappings: where in `entries` the `<<` stood, and the
        /// mappings in order of precedence.
        merge: Option<(usize, Vec<Node>)>,
    },
}

fn pos_of(marker: &saphyr_parser::Marker) -> Pos {
    Pos {
        line: marker.line(),
        column: marker.col() + 1,
    }
}

/// Parse every document of a YAML stream.
///
/// Most CRDs take a fast reader of the YAML they are written in
/// ([`super::yaml_fast`]), which gives the same tree; anything it does not handle
/// (anchors, tags, errors, ...) is parsed by saphyr-parser.
pub fn parse(text: &str, limits: Limits) -> Result<Vec<Document>, YamlError> {
    match super::yaml_fast::parse(text, limits) {
        Some(docs) => Ok(docs),
        None => parse_saphyr(text, limits),
    }
}

/// The fast reader alone: `None` when it declines the input. For tests comparing it
/// with [`parse_saphyr`].
#[doc(hidden)]
pub fn parse_fast(text: &str, limits: Limits) -> Option<Vec<Document>> {
    super::yaml_fast::parse(text, limits)
}

/// Parse with saphyr-parser only (what [`parse`] falls back to).
#[doc(hidden)]
pub fn parse_saphyr(text: &str, limits: Limits) -> Result<Vec<Document>, YamlError> {
    let mut parser = Parser::new_from_str(text);
    let mut docs = Vec::new();
    let mut open: Vec<Open> = Vec::new();
    let mut anchors: HashMap<usize, Node> = HashMap::new();
    let mut alias_budget = limits.max_alias_nodes;
    let mut doc_root: Option<Node> = None;
    let mut doc_pos = Pos::default();
    let mut in_doc = false;

    for item in &mut parser {
        let (event, span) = item.map_err(|e| YamlError {
            message: e.info().to_owned(),
            pos: pos_of(e.marker()),
        })?;
        let pos = pos_of(&span.start);
        // The node completed by this event, its anchor, and whether it is a merge key
        // (`<<`) or came from an alias.
        let mut is_merge_key = false;
        let mut from_alias: Option<Pos> = None;
        let done: Option<(Node, usize)> = match event {
            Event::StreamStart | Event::StreamEnd | Event::Nothing => None,
            Event::DocumentStart(_) => {
                in_doc = true;
                doc_pos = pos;
                anchors.clear();
                None
            }
            Event::DocumentEnd => {
                if in_doc {
                    let root = doc_root.take().unwrap_or(Node {
                        pos: doc_pos,
                        value: Value::Null,
                    });
                    docs.push(Document {
                        index: docs.len(),
                        root,
                    });
                }
                in_doc = false;
                None
            }
            Event::Alias(id) => {
                let node = anchors.get(&id).ok_or_else(|| YamlError {
                    message: "alias refers to an unknown anchor".into(),
                    pos,
                })?;
                let size = count_nodes(node);
                if size > alias_budget {
                    return Err(YamlError {
                        message: format!(
                            "aliases expand to more than {} nodes (a \"billion laughs\" document?)",
                            limits.max_alias_nodes
                        ),
                        pos,
                    });
                }
                alias_budget -= size;
                from_alias = Some(pos);
                Some((node.clone(), 0))
            }
            Event::Scalar(text, style, anchor, tag) => {
                let merge_tag = tag.as_deref().is_some_and(|t| {
                    (t.is_yaml_core_schema() || t.handle == "!!") && t.suffix == "merge"
                });
                is_merge_key =
                    text == "<<" && ((style == ScalarStyle::Plain && tag.is_none()) || merge_tag);
                let value = if merge_tag {
                    Value::String(text.to_string())
                } else {
                    resolve_scalar(&text, style, tag.as_deref())
                        .map_err(|message| YamlError { message, pos })?
                };
                Some((Node { pos, value }, anchor))
            }
            Event::SequenceStart(anchor, _) => {
                if open.len() >= limits.max_depth {
                    return Err(depth_error(limits, pos));
                }
                open.push(Open::Seq {
                    pos,
                    anchor,
                    items: Vec::new(),
                });
                None
            }
            Event::MappingStart(anchor, _) => {
                if open.len() >= limits.max_depth {
                    return Err(depth_error(limits, pos));
                }
                open.push(Open::Map {
                    pos,
                    anchor,
                    entries: Vec::new(),
                    key: None,
                    key_is_merge: false,
                    merge: None,
                });
                None
            }
            Event::SequenceEnd => match open.pop() {
                Some(Open::Seq { pos, anchor, items }) => Some((
                    Node {
                        pos,
                        value: Value::Seq(items),
                    },
                    anchor,
                )),
                _ => {
                    return Err(YamlError {
                        message: "unbalanced sequence end".into(),
                        pos,
                    });
                }
            },
            Event::MappingEnd => match open.pop() {
                Some(Open::Map {
                    pos,
                    anchor,
                    entries,
                    merge,
                    ..
                }) => Some((
                    Node {
                        pos,
                        value: Value::Map(apply_merge(entries, merge)),
                    },
                    anchor,
                )),
                _ => {
                    return Err(YamlError {
                        message: "unbalanced mapping end".into(),
                        pos,
                    });
                }
            },
        };
        let Some((node, anchor)) = done else { continue };
        if anchor != 0 {
            anchors.insert(anchor, node.clone());
        }
        match open.last_mut() {
            None => doc_root = Some(node),
            Some(Open::Seq { items, .. }) => items.push(node),
            Some(Open::Map {
                entries,
                key,
                key_is_merge,
                merge,
                ..
            }) => {
                match key.take() {
                    None => {
                        let name = key_text(&node).ok_or_else(|| YamlError {
                            message: format!(
                                "mapping keys must be scalars, found {}",
                                node.kind_name()
                            ),
                            pos: node.pos,
                        })?;
                        if let Some((first, _)) = entries.iter().find(|(k, _)| k.name == name) {
                            return Err(YamlError {
                                message: format!(
                                    "duplicate key `{name}` (first defined at line {})",
                                    first.pos.line
                                ),
                                pos: node.pos,
                            });
                        }
                        if is_merge_key && merge.is_some() {
                            return Err(YamlError {
                            message: "duplicate merge key `<<` (merge a list instead: `<<: [*a, *b]`)".into(),
                            pos: node.pos,
                        });
                        }
                        *key_is_merge = is_merge_key;
                        *key = Some(Key {
                            name,
                            pos: node.pos,
                        });
                    }
                    Some(k) if *key_is_merge => {
                        *key_is_merge = false;
                        *merge = Some((entries.len(), merge_sources(node, from_alias, &k)?));
                    }
                    Some(k) => entries.push((k, node)),
                }
            }
        }
    }
    Ok(docs)
}

/// The mappings a merge key's value names, in order of precedence: one mapping (written
/// out or an alias), or a list of mappings (written out or aliases). Anything else is
/// an error, as in go-yaml (an alias to a list is not a list of mappings to merge).
/// `from_alias`: where the alias stood, when the value is one.
fn merge_sources(value: Node, from_alias: Option<Pos>, key: &Key) -> Result<Vec<Node>, YamlError> {
    let wrong = |found: &Node, pos: Pos| YamlError {
        message: format!(
            "merge key `<<` (line {}) needs a mapping or a list of mappings, found {}",
            key.pos.line,
            found.kind_name()
        ),
        pos,
    };
    let mut value = value;
    match &mut value.value {
        Value::Map(_) => Ok(vec![value]),
        Value::Seq(items) if from_alias.is_none() => {
            if let Some(bad) = items.iter().find(|n| !matches!(n.value, Value::Map(_))) {
                return Err(wrong(bad, bad.pos));
            }
            Ok(std::mem::take(items))
        }
        _ => Err(wrong(&value, from_alias.unwrap_or(value.pos))),
    }
}

/// The entries of a mapping with its merge key applied: the merged keys the mapping
/// does not write itself take the place of the `<<` entry, the first mapping that
/// has a key supplying it.
fn apply_merge(entries: Vec<(Key, Node)>, merge: Option<(usize, Vec<Node>)>) -> Vec<(Key, Node)> {
    let Some((at, mut sources)) = merge else {
        return entries;
    };
    let mut seen: std::collections::HashSet<String> =
        entries.iter().map(|(k, _)| k.name.clone()).collect();
    let mut merged = Vec::new();
    for source in &mut sources {
        if let Value::Map(source_entries) = &mut source.value {
            for (k, v) in source_entries.drain(..) {
                if seen.insert(k.name.clone()) {
                    merged.push((k, v));
                }
            }
        }
    }
    let mut out = Vec::with_capacity(entries.len() + merged.len());
    let mut entries = entries.into_iter();
    out.extend(entries.by_ref().take(at));
    out.extend(merged);
    out.extend(entries);
    out
}

fn depth_error(limits: Limits, pos: Pos) -> YamlError {
    YamlError {
        message: format!("nesting deeper than {} levels", limits.max_depth),
        pos,
    }
}

fn count_nodes(node: &Node) -> usize {
    let mut count = 0;
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        count += 1;
        match &n.value {
            Value::Seq(items) => stack.extend(items.iter()),
            Value::Map(entries) => stack.extend(entries.iter().map(|(_, v)| v)),
            _ => {}
        }
    }
    count
}

pub(super) fn key_text(node: &Node) -> Option<String> {
    Some(match &node.value {
        Value::String(s) => s.clone(),
        Value::Null => "null".to_owned(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::Seq(_) | Value::Map(_) => return None,
    })
}

/// Resolve a scalar with the YAML 1.2 core schema.
pub(super) fn resolve_scalar(
    text: &str,
    style: ScalarStyle,
    tag: Option<&Tag>,
) -> Result<Value, String> {
    if let Some(tag) = tag
        && (tag.is_yaml_core_schema() || tag.handle == "!!")
    {
        return match tag.suffix.as_str() {
            "str" => Ok(Value::String(text.to_owned())),
            "null" => Ok(Value::Null),
            "bool" => parse_bool(text)
                .map(Value::Bool)
                .ok_or_else(|| format!("`{text}` is not a !!bool")),
            "int" => parse_int(text)
                .map(Value::Number)
                .ok_or_else(|| format!("`{text}` is not a !!int")),
            "float" => parse_float(text)
                .or_else(|| parse_int(text))
                .map(Value::Number)
                .ok_or_else(|| format!("`{text}` is not a !!float")),
            other => Err(format!("unsupported YAML tag `!!{other}`")),
        };
    }
    // Local tags (`!foo`) carry no meaning for Kubernetes; keep the content.
    if style != ScalarStyle::Plain {
        return Ok(Value::String(text.to_owned()));
    }
    Ok(match text {
        "" | "~" | "null" | "Null" | "NULL" => Value::Null,
        _ => {
            if let Some(b) = parse_bool(text) {
                Value::Bool(b)
            } else if let Some(n) = parse_int(text) {
                Value::Number(n)
            } else if let Some(n) = parse_float(text) {
                Value::Number(n)
            } else if matches!(
                text,
                ".inf" | ".Inf" | ".INF" | "+.inf" | "-.inf" | ".nan" | ".NaN" | ".NAN"
            ) {
                return Err(format!(
                    "`{text}` is not representable in JSON (quote it to keep it as a string)"
                ));
            } else {
                Value::String(text.to_owned())
            }
        }
    })
}

fn parse_bool(text: &str) -> Option<bool> {
    match text {
        "true" | "True" | "TRUE" => Some(true),
        "false" | "False" | "FALSE" => Some(false),
        _ => None,
    }
}

fn parse_int(text: &str) -> Option<serde_json::Number> {
    let (neg, digits) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let (radix, digits) = if let Some(d) = digits.strip_prefix("0x") {
        (16, d)
    } else if let Some(d) = digits.strip_prefix("0o") {
        (8, d)
    } else {
        (10, digits)
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let magnitude = u128::from_str_radix(digits, radix).ok()?;
    if neg {
        let v = i64::try_from(magnitude)
            .ok()
            .map(|m| -m)
            .or_else(|| (magnitude == 1u128 << 63).then_some(i64::MIN))?;
        Some(v.into())
    } else if let Ok(v) = u64::try_from(magnitude) {
        Some(v.into())
    } else {
        serde_json::Number::from_f64(magnitude as f64)
    }
}

fn parse_float(text: &str) -> Option<serde_json::Number> {
    // [-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?
    let b = text.as_bytes();
    let mut i = 0;
    if matches!(b.first(), Some(b'-' | b'+')) {
        i += 1;
    }
    let int_start = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    let int_digits = i - int_start;
    let mut frac_digits = 0;
    if i < b.len() && b[i] == b'.' {
        i += 1;
        let s = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        frac_digits = i - s;
    }
    if int_digits == 0 && frac_digits == 0 {
        return None;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if matches!(b.get(i), Some(b'-' | b'+')) {
            i += 1;
        }
        let s = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == s {
            return None;
        }
    }
    if i != b.len() {
        return None;
    }
    text.parse::<f64>()
        .ok()
        .and_then(serde_json::Number::from_f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> Node {
        parse(text, Limits::default()).unwrap().pop().unwrap().root
    }

    #[test]
    fn scalars_follow_the_core_schema() {
        let n =
            one("a: 1\nb: '1'\nc: true\nd: yes\ne: ~\nf: 1.5\ng: 0x10\nh: -3\ni: 1e3\nj: \"x\"\n");
        let j = n.to_json();
        assert_eq!(
            j,
            serde_json::json!({"a": 1, "b": "1", "c": true, "d": "yes", "e": null, "f": 1.5, "g": 16, "h": -3, "i": 1000.0, "j": "x"})
        );
    }

    #[test]
    fn positions_are_one_based() {
        let n = one("a:\n  b: 1\n");
        let b = n.get("a").unwrap().get("b").unwrap();
        assert_eq!(b.pos, Pos { line: 2, column: 6 });
    }

    #[test]
    fn duplicate_keys_are_errors() {
        let e = parse("a: 1\nb: 2\na: 3\n", Limits::default()).unwrap_err();
        assert!(e.message.contains("duplicate key `a`"), "{e:?}");
        assert_eq!(e.pos.line, 3);
    }

    #[test]
    fn multi_document_streams() {
        let docs = parse("a: 1\n---\nb: 2\n---\n", Limits::default()).unwrap();
        assert_eq!(docs.len(), 3);
        assert_eq!(docs[2].root.value, Value::Null);
    }

    #[test]
    fn merge_keys_supply_missing_keys_and_explicit_keys_win() {
        let j = |t: &str| one(t).to_json();
        // One mapping by alias; explicit keys win before and after the `<<`.
        assert_eq!(
            j("base: &b {a: 1, b: 2, c: 3}\nx:\n  a: 10\n  <<: *b\n  c: 30\n"),
            serde_json::json!({"base": {"a": 1, "b": 2, "c": 3}, "x": {"a": 10, "b": 2, "c": 30}})
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
        let e = parse("x:\n  <<: {a: 1}\n  <<: {b: 1}\n", Limits::default()).unwrap_err();
        assert!(e.message.contains("duplicate merge key"), "{e:?}");
        assert_eq!(e.pos.line, 3);
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
