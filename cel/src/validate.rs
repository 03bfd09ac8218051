//! The walk of an object (and its old version on update) along the schema, evaluating
//! each node's rules as the apiserver's `schema/cel.Validator.validate` does: rules of a
//! node before the nodes below it, properties in sorted order (Go walks a map in random
//! order), list items in order; `oldSelf` correlated by object field, map key and
//! list-map key only; errors of an unchanged value dropped (ratcheting).

use std::sync::Arc;

use cel::common::types::CelOptional;
use cel::{Context, Env, ExecutionError, Value as Cel};
use crdgen_apiext::{BadValue, ErrorType, FieldError};
use serde_json::Value;

use crate::compile::CompiledRule;
use crate::schema::Node;
use crate::value::to_val;

/// What the walk carries down.
pub(crate) struct Walk<'a> {
    pub env: &'a Arc<Env>,
    pub errors: Vec<FieldError>,
}

fn child(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_owned()
    } else {
        format!("{path}.{name}")
    }
}

impl Walk<'_> {
    /// Validate `new` (with `old`, its correlated old value) at `node` (its rules),
    /// typed by `types` (the same node, or the node an `allOf` entry applies to).
    /// `unchanged`: ratcheting applies (the correlated old value, or the nearest
    /// correlated parent, equals the new one).
    #[allow(clippy::too_many_arguments)] // the walk's state, as the apiserver's validate
    pub(crate) fn node(
        &mut self,
        node: &Node,
        types: &Node,
        path: &str,
        new: &Value,
        old: Option<&Value>,
        unchanged: bool,
        root: bool,
    ) {
        if !node.has_rules || new.is_null() {
            return;
        }
        let old = old.filter(|o| !o.is_null());
        if !node.rules.is_empty() {
            self.rules(node, types, path, new, old, unchanged, root);
        }
        for entry in &node.all_of {
            self.node(entry, types, path, new, old, unchanged, root);
        }
        match new {
            Value::Object(map) => {
                let old_fields = old.and_then(Value::as_object);
                // Sorted whatever serde_json's map keeps (Go walks a map in random order).
                let mut fields: Vec<(&String, &Value)> = map.iter().collect();
                fields.sort_by(|a, b| a.0.cmp(b.0));
                if let (Some(ap), Some(apt)) = (
                    node.additional.as_deref().filter(|n| n.has_rules),
                    types.additional.as_deref(),
                ) {
                    for &(k, v) in &fields {
                        let o = old_fields.and_then(|f| f.get(k));
                        let same = o.map_or(unchanged, |o| o == v);
                        self.node(
                            ap,
                            apt,
                            &format!("{path}[{k}]"),
                            v,
                            o,
                            same && old.is_some(),
                            false,
                        );
                    }
                }
                for &(k, v) in &fields {
                    if let (Some(p), Some(pt)) = (
                        node.properties.get(k).filter(|n| n.has_rules),
                        types.properties.get(k),
                    ) {
                        let o = old_fields.and_then(|f| f.get(k));
                        let ratchet =
                            old.is_some() && !(root && (k == "apiVersion" || k == "kind"));
                        let same = o.map_or(unchanged, |o| o == v);
                        self.node(p, pt, &child(path, k), v, o, ratchet && same, false);
                    }
                }
            }
            Value::Array(items) => {
                if let (Some(it), Some(itt)) = (
                    node.items.as_deref().filter(|n| n.has_rules),
                    types.items.as_deref(),
                ) {
                    let olds = old.and_then(Value::as_array);
                    for (i, v) in items.iter().enumerate() {
                        let o = olds.and_then(|olds| correlate(types, olds, v));
                        let same = o.map_or(unchanged, |o| o == v);
                        self.node(it, itt, &format!("{path}[{i}]"), v, o, same, false);
                    }
                }
            }
            _ => {}
        }
    }

    #[allow(clippy::too_many_arguments)] // the walk's state, as the apiserver's validate
    fn rules(
        &mut self,
        rules: &Node,
        node: &Node,
        path: &str,
        new: &Value,
        old: Option<&Value>,
        unchanged: bool,
        root: bool,
    ) {
        let self_val = to_val(new, node, root);
        let old_val = old.map(|o| to_val(o, node, root));
        let mut ctx = Context::with_env(Arc::clone(self.env));
        ctx.add_variable_as_val("self", self_val.clone());
        if let Some(o) = &old_val {
            ctx.add_variable_as_val("oldSelf", o.clone());
        }
        let mut opt_ctx: Option<Context> = None;
        let type_value = || BadValue::Str(node.ty.clone());
        for rule in &rules.rules {
            if rule.uses_old_self && old.is_none() && !rule.optional_old_self {
                continue;
            }
            let rule_ctx = if rule.optional_old_self {
                opt_ctx.get_or_insert_with(|| {
                    let mut c = Context::with_env(Arc::clone(self.env));
                    c.add_variable_as_val("self", self_val.clone());
                    let opt = match &old_val {
                        Some(o) => CelOptional::of(o.clone()),
                        None => CelOptional::none(),
                    };
                    c.add_variable_as_val("oldSelf", Box::new(opt));
                    c
                })
            } else {
                &ctx
            };
            match rule.program.execute(rule_ctx) {
                Ok(Cel::Bool(true)) => continue,
                Ok(_) => {}
                Err(e) => {
                    let detail = eval_error(&e, rule);
                    self.errors.push(FieldError {
                        kind: ErrorType::Invalid,
                        field: go_path(path),
                        value: Some(type_value()),
                        detail,
                    });
                    continue;
                }
            }
            // field.Path as Go prints it: the root is a nil path ("<nil>"), and the
            // normalized fieldPath is one child name (so `['x']` gives `spec.[x]`).
            let field = match &rule.field_path {
                Some(fp) if path.is_empty() => fp.clone(),
                Some(fp) => format!("{path}.{fp}"),
                None => go_path(path),
            };
            let detail = rule
                .message_expression
                .as_ref()
                .and_then(|m| message_expression(m, &ctx))
                .unwrap_or_else(|| message_or_default(rule));
            let value = match node.ty.as_str() {
                "object" | "array" => None,
                _ => Some(match new {
                    Value::String(s) => BadValue::Str(s.clone()),
                    other => BadValue::Json(other.clone()),
                }),
            };
            let e = match rule.reason {
                ErrorType::Forbidden | ErrorType::Required => FieldError {
                    kind: rule.reason,
                    field,
                    value: None,
                    detail,
                },
                ErrorType::Duplicate => FieldError {
                    kind: ErrorType::Duplicate,
                    field,
                    value,
                    detail: String::new(),
                },
                _ => FieldError {
                    kind: ErrorType::Invalid,
                    field,
                    value,
                    detail,
                },
            };
            // Ratcheting: an unchanged value's errors become warnings (not errors).
            if rule.uses_old_self || !unchanged {
                self.errors.push(e);
            }
        }
    }
}

/// A path as Go's `field.Path` prints it: the root (a nil path) as `<nil>`.
fn go_path(path: &str) -> String {
    if path.is_empty() {
        "<nil>".to_owned()
    } else {
        path.to_owned()
    }
}

/// The old item an item of a `x-kubernetes-list-type: map` list correlates with
/// (same key values); other lists do not correlate.
fn correlate<'o>(node: &Node, olds: &'o [Value], new: &Value) -> Option<&'o Value> {
    if node.list_type != "map" || node.list_map_keys.is_empty() {
        return None;
    }
    let key = |v: &Value| -> Vec<Value> {
        node.list_map_keys
            .iter()
            .map(|k| v.get(k).cloned().unwrap_or(Value::Null))
            .collect()
    };
    let want = key(new);
    olds.iter().find(|o| key(o) == want)
}

fn message_or_default(rule: &CompiledRule) -> String {
    if rule.message.is_empty() {
        format!("failed rule: {}", rule.rule)
    } else {
        rule.message.clone()
    }
}

fn rule_error_string(rule: &CompiledRule) -> &str {
    if rule.message.is_empty() {
        &rule.rule
    } else {
        &rule.message
    }
}

/// The `messageExpression`'s string, or `None` where the server falls back to the
/// message (evaluation error, not a string, empty, too long, line breaks).
fn message_expression(program: &cel::Program, ctx: &Context) -> Option<String> {
    match program.execute(ctx) {
        Ok(Cel::String(s)) => {
            let t = s.trim();
            (!t.is_empty() && t.len() <= 5 * 1024 && !t.contains('\n')).then(|| t.to_owned())
        }
        _ => None,
    }
}

/// An evaluation error as the server words it.
fn eval_error(e: &ExecutionError, rule: &CompiledRule) -> String {
    let text = go_error(e);
    if text.starts_with("no such overload") {
        format!(
            "'{text}': call arguments did not match a supported operator, function or macro signature for rule: {}",
            rule_error_string(rule)
        )
    } else {
        format!("{text} evaluating rule: {}", rule_error_string(rule))
    }
}

/// cel-go's text for the error cel-rust raised.
fn go_error(e: &ExecutionError) -> String {
    match e {
        ExecutionError::NoSuchKey(k) => format!("no such key: {k}"),
        ExecutionError::NoSuchOverload(_) | ExecutionError::ValuesNotComparable(..) => {
            "no such overload".to_owned()
        }
        ExecutionError::DivisionByZero(_) => "division by zero".to_owned(),
        ExecutionError::RemainderByZero(_) => "modulus by zero".to_owned(),
        ExecutionError::Overflow(..) => "integer overflow".to_owned(),
        ExecutionError::IndexOutOfBounds(i) => format!("index out of range: {}", display(i)),
        ExecutionError::FunctionError { message, .. } => message.clone(),
        ExecutionError::UndeclaredReference(r) => format!("no such attribute: {r}"),
        other => other.to_string(),
    }
}

fn display(v: &Cel) -> String {
    match v {
        Cel::Int(i) => i.to_string(),
        Cel::UInt(u) => u.to_string(),
        other => format!("{other:?}"),
    }
}
