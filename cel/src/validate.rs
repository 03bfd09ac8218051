//! The walk of an object (and its old version on update) along the schema, evaluating
//! each node's rules as the apiserver's `schema/cel.Validator.validate` does: rules of a
//! node before the nodes below it, properties in sorted order (Go walks a map in random
//! order), list items in order; `oldSelf` correlated by object field, map key and
//! list-map key only; errors of an unchanged value dropped (ratcheting).

use std::sync::Arc;

use cel::{Context, Env, ExecutionError, Value as Cel};
use crdgen_apiext::{BadValue, ErrorType, FieldError};
use serde_json::Value;

use crate::compile::CompiledRule;
use crate::schema::Node;
use crate::value::to_cel;

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
    /// Validate `new` (with `old`, its correlated old value) at `node`. `unchanged`:
    /// ratcheting applies (the correlated old value, or the nearest correlated parent,
    /// equals the new one).
    pub(crate) fn node(
        &mut self,
        node: &Node,
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
            self.rules(node, path, new, old, unchanged, root);
        }
        match new {
            Value::Object(fields) => {
                let old_fields = old.and_then(Value::as_object);
                if let Some(ap) = node.additional.as_deref().filter(|n| n.has_rules) {
                    for (k, v) in fields {
                        let o = old_fields.and_then(|f| f.get(k));
                        let same = o.map_or(unchanged, |o| o == v);
                        self.node(
                            ap,
                            &format!("{path}[{k}]"),
                            v,
                            o,
                            same && old.is_some(),
                            false,
                        );
                    }
                }
                for (k, v) in fields {
                    if let Some(p) = node.properties.get(k).filter(|n| n.has_rules) {
                        let o = old_fields.and_then(|f| f.get(k));
                        let ratchet =
                            old.is_some() && !(root && (k == "apiVersion" || k == "kind"));
                        let same = o.map_or(unchanged, |o| o == v);
                        self.node(p, &child(path, k), v, o, ratchet && same, false);
                    }
                }
            }
            Value::Array(items) => {
                if let Some(it) = node.items.as_deref().filter(|n| n.has_rules) {
                    let olds = old.and_then(Value::as_array);
                    for (i, v) in items.iter().enumerate() {
                        let o = olds.and_then(|olds| correlate(node, olds, v));
                        let same = o.map_or(unchanged, |o| o == v);
                        self.node(it, &format!("{path}[{i}]"), v, o, same, false);
                    }
                }
            }
            _ => {}
        }
    }

    fn rules(
        &mut self,
        node: &Node,
        path: &str,
        new: &Value,
        old: Option<&Value>,
        unchanged: bool,
        root: bool,
    ) {
        let self_val = to_cel(new, node, root);
        let old_val = old.map(|o| to_cel(o, node, root));
        let mut ctx = Context::with_env(Arc::clone(self.env));
        ctx.add_variable_from_value("self", self_val.clone());
        if let Some(o) = &old_val {
            ctx.add_variable_from_value("oldSelf", o.clone());
        }
        let mut opt_ctx: Option<Context> = None;
        let type_value = || BadValue::Str(node.ty.clone());
        for rule in &node.rules {
            if rule.uses_old_self && old.is_none() && !rule.optional_old_self {
                continue;
            }
            let ctx = if rule.optional_old_self {
                opt_ctx.get_or_insert_with(|| {
                    let mut c = Context::with_env(Arc::clone(self.env));
                    c.add_variable_from_value("self", self_val.clone());
                    let opt = match &old_val {
                        Some(o) => cel::objects::OptionalValue::of(o.clone()),
                        None => cel::objects::OptionalValue::none(),
                    };
                    c.add_variable_from_value("oldSelf", Cel::Opaque(Arc::new(opt)));
                    c
                })
            } else {
                &ctx
            };
            match rule.program.execute(ctx) {
                Ok(Cel::Bool(true)) => continue,
                Ok(_) => {}
                Err(e) => {
                    let detail = eval_error(&e, rule);
                    self.errors.push(FieldError {
                        kind: ErrorType::Invalid,
                        field: path.to_owned(),
                        value: Some(type_value()),
                        detail,
                    });
                    continue;
                }
            }
            let field = match &rule.field_path {
                Some(fp) if path.is_empty() => fp.clone(),
                Some(fp) if fp.starts_with('[') => format!("{path}{fp}"),
                Some(fp) => format!("{path}.{fp}"),
                None => path.to_owned(),
            };
            let detail = rule
                .message_expression
                .as_ref()
                .and_then(|m| message_expression(m, ctx))
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
