//! The structural schema as the CEL walk needs it: per node, its type facts (what CEL
//! value a JSON value becomes) and its compiled `x-kubernetes-validations` rules, as
//! the apiserver's `schema/cel.validator` builds one per node that has rules or has
//! rules below it.

use std::collections::BTreeMap;

use crdgen_apiext::FieldError;
use serde_json::Value;

use crate::compile::{CompiledRule, compile_rule};
use crate::env::Envs;

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
    /// Whether this node or one below it has rules.
    pub has_rules: bool,
}

impl Node {
    /// Build the node at `path` (`openAPIV3Schema...`), compiling its rules; compile
    /// errors are pushed to `errors`. `root`: the resource root (apiVersion, kind and
    /// metadata are added as the apiserver's `WithTypeAndObjectMeta` does). `typed`:
    /// a node above has rules, so this one's type facts are needed for the CEL view;
    /// elsewhere, subtrees without rules are not kept.
    pub(crate) fn build(
        schema: &Value,
        path: &str,
        root: bool,
        typed: bool,
        envs: &Envs,
        errors: &mut Vec<FieldError>,
    ) -> Node {
        let typed = typed
            || schema
                .get("x-kubernetes-validations")
                .and_then(Value::as_array)
                .is_some_and(|r| !r.is_empty());
        let keep = |n: &Node| typed || n.has_rules;
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
        if let Some(props) = schema.get("properties").and_then(Value::as_object) {
            for (k, v) in props {
                let child = Node::build(
                    v,
                    &format!("{path}.properties[{k}]"),
                    false,
                    typed,
                    envs,
                    errors,
                );
                if keep(&child) {
                    node.properties.insert(k.clone(), child);
                }
            }
        }
        if let Some(items) = schema.get("items").filter(|i| i.is_object()) {
            let child = Node::build(items, &format!("{path}.items"), false, typed, envs, errors);
            node.items = keep(&child).then(|| Box::new(child));
        }
        if let Some(ap) = schema.get("additionalProperties").filter(|i| i.is_object()) {
            let child = Node::build(
                ap,
                &format!("{path}.additionalProperties"),
                false,
                typed,
                envs,
                errors,
            );
            node.additional = keep(&child).then(|| Box::new(child));
        }
        if let Some(rules) = schema
            .get("x-kubernetes-validations")
            .and_then(Value::as_array)
        {
            for (i, rule) in rules.iter().enumerate() {
                let rpath = format!("{path}.x-kubernetes-validations[{i}]");
                match compile_rule(rule, &rpath, &node, root, envs) {
                    Ok(c) => node.rules.push(c),
                    Err(mut e) => errors.append(&mut e),
                }
            }
        }
        node.has_rules = !node.rules.is_empty()
            || node.properties.values().any(|p| p.has_rules)
            || node.items.as_ref().is_some_and(|n| n.has_rules)
            || node.additional.as_ref().is_some_and(|n| n.has_rules);
        node
    }

    /// How many rules in this subtree.
    pub(crate) fn count(&self) -> usize {
        self.rules.len()
            + self.properties.values().map(Node::count).sum::<usize>()
            + self.items.as_ref().map_or(0, |n| n.count())
            + self.additional.as_ref().map_or(0, |n| n.count())
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
