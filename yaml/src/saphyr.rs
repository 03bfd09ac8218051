//! saphyr-parser's events into the tree: anchors and aliases expanded under a budget,
//! merge keys and duplicate keys as go-yaml v2 takes them, every scalar and key through
//! [`crate::kubectl`].

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, Tag};

use crate::kubectl;
use crate::{Document, Key, Limits, Node, Pos, Value, YamlError};

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
    },
}

fn pos_of(marker: &saphyr_parser::Marker) -> Pos {
    Pos {
        line: marker.line(),
        column: marker.col() + 1,
    }
}

/// saphyr-parser's events into the tree, as it reads `text`.
pub(crate) fn parse(text: &str, limits: Limits) -> Result<Vec<Document>, YamlError> {
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
        // A scalar in a key's place: the key's string (kubectl's rules for keys).
        let mut key_name: Option<String> = None;
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
            Event::Scalar(text, style, mut anchor, tag) => {
                let merge_tag = tag.as_deref().is_some_and(|t| {
                    (t.is_yaml_core_schema() || t.handle == "!!") && t.suffix == "merge"
                });
                is_merge_key =
                    text == "<<" && ((style == ScalarStyle::Plain && tag.is_none()) || merge_tag);
                let is_key = matches!(open.last(), Some(Open::Map { key: None, .. }));
                let tag = tag.as_deref().map(core_tag);
                let value = if is_key && !is_merge_key {
                    let name = scalar_key(&text, style, tag)
                        .map_err(|message| YamlError { message, pos })?;
                    // An anchored key may be used as a value elsewhere: keep its value.
                    // (One with no value, `&a .inf`, is not remembered: its alias is
                    // then refused, as kubectl refuses the value.)
                    let (value, kept) = if anchor == 0 {
                        (Value::String(name.clone()), 0)
                    } else {
                        match scalar_value(text.into_owned(), style, tag) {
                            Ok(value) => (value, anchor),
                            Err(_) => (Value::String(name.clone()), 0),
                        }
                    };
                    key_name = Some(name);
                    anchor = kept;
                    value
                } else if merge_tag {
                    Value::String(text.to_string())
                } else {
                    scalar_value(text.into_owned(), style, tag)
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
                    ..
                }) => Some((
                    Node {
                        pos,
                        value: Value::Map(entries),
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
                ..
            }) => match key.take() {
                None => {
                    let name = match key_name {
                        Some(name) => name,
                        None => kubectl::value_key(&node.value)
                            .map_err(|message| YamlError {
                                message,
                                pos: node.pos,
                            })?
                            .ok_or_else(|| YamlError {
                                message: format!(
                                    "mapping keys must be scalars, found {}",
                                    node.kind_name()
                                ),
                                pos: node.pos,
                            })?,
                    };
                    *key_is_merge = is_merge_key;
                    *key = Some(Key {
                        name,
                        pos: node.pos,
                    });
                }
                Some(k) if *key_is_merge => {
                    *key_is_merge = false;
                    // Later sources first: the earlier ones of a list win.
                    for mut source in merge_sources(node, from_alias, &k)?.into_iter().rev() {
                        if let Value::Map(source_entries) = &mut source.value {
                            for (k, v) in source_entries.drain(..) {
                                set_entry(entries, k, v);
                            }
                        }
                    }
                }
                Some(k) => set_entry(entries, k, node),
            },
        }
    }
    Ok(docs)
}

/// Set a key of a mapping being read: a key already there takes the new value (and
/// the new key's position) where it stands, as a later key wins in go-yaml.
fn set_entry(entries: &mut Vec<(Key, Node)>, key: Key, value: Node) {
    match entries.iter_mut().find(|(k, _)| k.name == key.name) {
        Some(entry) => *entry = (key, value),
        None => entries.push((key, value)),
    }
}

/// A YAML core tag (`!!int`, `tag:yaml.org,2002:int`), or [`kubectl::CoreTag::Other`].
fn core_tag(tag: &Tag) -> kubectl::CoreTag {
    if tag.is_yaml_core_schema() || tag.handle == "!!" {
        kubectl::CoreTag::from_suffix(&tag.suffix)
    } else {
        kubectl::CoreTag::Other
    }
}

/// A scalar's value: untagged quoted scalars are strings, untagged plain ones resolve
/// by kubectl's rules, tagged ones by go-yaml's rules for the tag.
fn scalar_value(
    text: String,
    style: ScalarStyle,
    tag: Option<kubectl::CoreTag>,
) -> Result<Value, String> {
    match tag {
        Some(tag) => kubectl::tagged_value(&text, tag),
        None if style == ScalarStyle::Plain => kubectl::plain_value(text),
        None => Ok(Value::String(text)),
    }
}

/// A scalar's string as a map key (see [`scalar_value`]).
fn scalar_key(
    text: &str,
    style: ScalarStyle,
    tag: Option<kubectl::CoreTag>,
) -> Result<String, String> {
    match tag {
        Some(tag) => kubectl::tagged_key(text, tag),
        None if style == ScalarStyle::Plain => kubectl::plain_key(text.to_owned()),
        None => Ok(text.to_owned()),
    }
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
