//! The structural schema as the CEL walk needs it: per node, its type facts (what CEL
//! value a JSON value becomes) and its compiled `x-kubernetes-validations` rules, as
//! the apiserver's `schema/cel.validator` builds one per node that has rules or has
//! rules below it.

use std::collections::BTreeMap;

use crdgen_apiext::FieldError;
use serde_json::Value;

use crate::compile::{self, CompiledRule, compile_rule};
use crate::env::Envs;

/// What the build carries down.
pub(crate) struct Cx<'e> {
    /// The environment rules compile in.
    pub envs: &'e Envs,
    /// The CRD's errors so far.
    pub errors: Vec<FieldError>,
    /// The path of the outermost list above whose items do not correlate (oldSelf is
    /// refused below it).
    pub uncorrelatable: Option<String>,
    /// The schema root's path (the resource root).
    pub root: String,
    /// How many times a value here may occur (the product of `maxItems` /
    /// `maxProperties` above; `None`: unbounded).
    pub cardinality: Option<u64>,
    /// The server estimates costs here (not under `allOf`, which it compiles without
    /// a CEL context).
    pub costed: bool,
    /// The estimated costs so far.
    pub total: crate::budget::Total,
    /// Rules whose cost this port could not estimate for sure.
    pub unsure: Vec<String>,
}

/// One schema node.
#[derive(Debug, Default)]
pub(crate) struct Node {
    /// `type` (empty when absent).
    pub ty: String,
    /// `format`.
    pub format: String,
    /// `x-kubernetes-preserve-unknown-fields`.
    pub preserve_unknown: bool,
    /// `x-kubernetes-embedded-resource`.
    pub embedded: bool,
    /// `x-kubernetes-list-type`.
    pub list_type: String,
    /// `x-kubernetes-list-map-keys`.
    pub list_map_keys: Vec<String>,
    /// The rules of this node, in schema order.
    pub rules: Vec<CompiledRule>,
    /// `properties`.
    pub properties: BTreeMap<String, Node>,
    /// `items`.
    pub items: Option<Box<Node>>,
    /// `additionalProperties` (a schema).
    pub additional: Option<Box<Node>>,
    /// The rules of `allOf` entries (evaluated on this node's values, with its types).
    pub all_of: Vec<Node>,
    /// Whether this node or one below it has rules.
    pub has_rules: bool,
}

impl Node {
    /// Build the node at `path` (`openAPIV3Schema...`), compiling its rules; compile
    /// errors are pushed to `cx.errors`. `typed`:
    /// a node above has rules, so this one's type facts are needed for the CEL view;
    /// elsewhere, subtrees without rules are not kept.
    pub(crate) fn build(schema: &Value, path: &str, typed: bool, cx: &mut Cx<'_>) -> Node {
        let typed = typed
            || schema
                .get("x-kubernetes-validations")
                .and_then(Value::as_array)
                .is_some_and(|r| !r.is_empty());
        let s = |k: &str| {
            schema
                .get(k)
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned()
        };
        let b = |k: &str| schema.get(k).and_then(Value::as_bool).unwrap_or(false);
        let mut node = Node {
            ty: s("type"),
            format: s("format"),
            preserve_unknown: b("x-kubernetes-preserve-unknown-fields"),
            embedded: b("x-kubernetes-embedded-resource"),
            list_type: s("x-kubernetes-list-type"),
            list_map_keys: schema
                .get("x-kubernetes-list-map-keys")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|k| k.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default(),
            ..Node::default()
        };
        for (i, entry) in schema
            .get("allOf")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            let costed = std::mem::replace(&mut cx.costed, false);
            let child = Node::build(entry, &format!("{path}.allOf[{i}]"), true, cx);
            cx.costed = costed;
            if child.has_rules {
                node.all_of.push(child);
            }
        }
        // Rules in allOf entries see this node's values, typed by its schema.
        let typed = typed || !node.all_of.is_empty();
        let keep = |n: &Node| typed || n.has_rules;
        // Children occur `max_elements` times per occurrence of this node.
        let cardinality = cx.cardinality;
        cx.cardinality = cardinality
            .and_then(|c| crate::decl::max_elements(schema).map(|m| c.saturating_mul(m)));
        if let Some(props) = schema.get("properties").and_then(Value::as_object) {
            for (k, v) in props {
                let child = Node::build(v, &format!("{path}.properties[{k}]"), typed, cx);
                if keep(&child) {
                    node.properties.insert(k.clone(), child);
                }
            }
        }
        if let Some(items) = schema.get("items").filter(|i| i.is_object()) {
            // Items of a list that is not a list-map do not correlate: no oldSelf below.
            let saved = cx.uncorrelatable.clone();
            if node.list_type != "map" && cx.uncorrelatable.is_none() {
                cx.uncorrelatable = Some(path.to_owned());
            }
            let child = Node::build(items, &format!("{path}.items"), typed, cx);
            cx.uncorrelatable = saved;
            node.items = keep(&child).then(|| Box::new(child));
        }
        if let Some(ap) = schema.get("additionalProperties").filter(|i| i.is_object()) {
            let child = Node::build(ap, &format!("{path}.additionalProperties"), typed, cx);
            node.additional = keep(&child).then(|| Box::new(child));
        }
        cx.cardinality = cardinality;
        if let Some(rules) = schema
            .get("x-kubernetes-validations")
            .and_then(Value::as_array)
            .filter(|r| !r.is_empty())
        {
            let resource = path == cx.root || node.embedded;
            let decl = cx
                .costed
                .then(|| crate::decl::decl_type(schema, resource))
                .flatten();
            let cardinality = decl.as_ref().map(|d| {
                cx.cardinality
                    .unwrap_or_else(|| crate::budget::max_cardinality(d.min_size))
            });
            for (i, rule) in rules.iter().enumerate() {
                let rpath = format!("{path}.x-kubernetes-validations[{i}]");
                let at = compile::At {
                    path: &rpath,
                    resource,
                    uncorrelatable: cx.uncorrelatable.as_deref(),
                    cost: decl.as_ref().zip(cardinality),
                };
                match compile_rule(rule, &at, &node, cx.envs, &mut cx.total, &mut cx.unsure) {
                    Ok(c) => node.rules.push(c),
                    Err(mut e) => cx.errors.append(&mut e),
                }
            }
        }
        node.has_rules = !node.rules.is_empty()
            || node.properties.values().any(|p| p.has_rules)
            || node.items.as_ref().is_some_and(|n| n.has_rules)
            || node.additional.as_ref().is_some_and(|n| n.has_rules)
            || !node.all_of.is_empty();
        node
    }

    /// How many rules in this subtree.
    pub(crate) fn count(&self) -> usize {
        self.rules.len()
            + self.properties.values().map(Node::count).sum::<usize>()
            + self.items.as_ref().map_or(0, |n| n.count())
            + self.additional.as_ref().map_or(0, |n| n.count())
            + self.all_of.iter().map(Node::count).sum::<usize>()
    }

    /// The node a `fieldPath` (`.a.b`, `['x']`) names, and the path the server
    /// reports (`a.b`, `a[x]`), relative to this node; `Err` as the server words it.
    pub(crate) fn field_path(&self, json_path: &str) -> Result<String, String> {
        let mut out = String::new();
        let mut node = self;
        let mut rest = json_path;
        if rest.is_empty() {
            return Err("does not refer to a valid field".into());
        }
        while !rest.is_empty() {
            let (name, named, tail) = if let Some(r) = rest.strip_prefix('.') {
                let end = r.find(['.', '[']).unwrap_or(r.len());
                if end == 0 {
                    return Err("does not refer to a valid field".into());
                }
                (r[..end].to_owned(), true, &r[end..])
            } else if let Some(r) = rest.strip_prefix("['") {
                let end = find_quote_end(r).ok_or("unexpected end of JSON path")?;
                let lit = r[..end].replace("\\'", "'").replace("\\\\", "\\");
                let tail = r[end + 1..]
                    .strip_prefix(']')
                    .ok_or("expected ] but got end of path")?;
                (lit, !node.properties.is_empty(), tail)
            } else {
                return Err(format!("expected [ or . but got: {rest}"));
            };
            if named {
                node = node
                    .properties
                    .get(&name)
                    .ok_or("does not refer to a valid field")?;
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(&name);
            } else {
                node = node
                    .additional
                    .as_deref()
                    .ok_or("does not refer to a valid field")?;
                out.push_str(&format!("[{name}]"));
            }
            rest = tail;
        }
        Ok(out)
    }
}

fn find_quote_end(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    (0..b.len()).find(|&i| b[i] == b'\'' && (i == 0 || b[i - 1] != b'\\'))
}
