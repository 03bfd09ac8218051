//! One `x-kubernetes-validations` entry compiled: the checks of apiextensions'
//! `ValidateCustomResourceDefinitionOpenAPISchema` on the rule's fields, then the rule
//! and its `messageExpression` parsed once.

use cel::Program;
use crdgen_apiext::{BadValue, ErrorType, FieldError};
use serde_json::Value;

use crate::budget::{self, STATIC_ESTIMATED_COST_LIMIT, Total};
use crate::cost::Output;
use crate::env::Envs;
use crate::schema::Node;

/// The reasons a rule may give (`supportedValidationReason`, sorted as Go's
/// `sets.List` sorts them).
const REASONS: [&str; 4] = [
    "FieldValueDuplicate",
    "FieldValueForbidden",
    "FieldValueInvalid",
    "FieldValueRequired",
];

/// A compiled rule.
pub(crate) struct CompiledRule {
    /// The rule's source (trimmed where the server trims it for messages).
    pub rule: String,
    /// `message`, trimmed (empty when absent).
    pub message: String,
    /// The parsed rule.
    pub program: Program,
    /// The parsed `messageExpression`.
    pub message_expression: Option<Program>,
    /// `reason` as an error kind.
    pub reason: ErrorType,
    /// `fieldPath` as the server reports it (`spec.size`), relative to the node.
    pub field_path: Option<String>,
    /// The rule reads `oldSelf` (a transition rule).
    pub uses_old_self: bool,
    /// `optionalOldSelf: true`.
    pub optional_old_self: bool,
}

impl std::fmt::Debug for CompiledRule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CompiledRule")
            .field("rule", &self.rule)
            .finish()
    }
}

fn err(kind: ErrorType, field: String, value: Option<BadValue>, detail: &str) -> FieldError {
    FieldError {
        kind,
        field,
        value,
        detail: detail.to_owned(),
    }
}

/// Where a rule is.
pub(crate) struct At<'a> {
    /// `...x-kubernetes-validations[i]`.
    pub path: &'a str,
    /// Its node is a resource (the root or an embedded resource).
    pub resource: bool,
    /// The outermost list above whose items do not correlate.
    pub uncorrelatable: Option<&'a str>,
    /// The node's CEL type and how many times the rule may run per object, where the
    /// server estimates the cost.
    pub cost: Option<(&'a crate::decl::Decl, u64)>,
}

/// Compile one rule of `node`.
pub(crate) fn compile_rule(
    rule: &Value,
    at: &At<'_>,
    node: &Node,
    envs: &Envs,
    total: &mut Total,
    unsure: &mut Vec<String>,
) -> Result<CompiledRule, Vec<FieldError>> {
    let (path, uncorrelatable) = (at.path, at.uncorrelatable);
    let get = |k: &str| rule.get(k).and_then(Value::as_str);
    let text = get("rule").unwrap_or("");
    let mut errors = Vec::new();
    let s = |v: &str| Some(BadValue::Str(v.to_owned()));
    if text.trim().is_empty() {
        errors.push(err(
            ErrorType::Required,
            format!("{path}.rule"),
            None,
            "rule is not specified",
        ));
    }
    if let Some(m) = get("message") {
        if m.trim().is_empty() {
            errors.push(err(
                ErrorType::Invalid,
                format!("{path}.message"),
                s(m),
                "must be non-empty if specified",
            ));
        } else if m.contains('\n') {
            errors.push(err(
                ErrorType::Invalid,
                format!("{path}.message"),
                s(m),
                "must not contain line breaks",
            ));
        }
    } else if text.contains('\n') {
        errors.push(err(
            ErrorType::Required,
            format!("{path}.message"),
            None,
            "message must be specified if rule contains line breaks",
        ));
    }
    let message_expr = get("messageExpression");
    if message_expr.is_some_and(|m| m.trim().is_empty()) {
        errors.push(err(
            ErrorType::Required,
            format!("{path}.messageExpression"),
            None,
            "messageExpression must be non-empty if specified",
        ));
    }
    let reason = match get("reason") {
        None | Some("FieldValueInvalid") => ErrorType::Invalid,
        Some("FieldValueForbidden") => ErrorType::Forbidden,
        Some("FieldValueRequired") => ErrorType::Required,
        Some("FieldValueDuplicate") => ErrorType::Duplicate,
        Some(other) => {
            let quoted: Vec<String> = REASONS.iter().map(|r| format!("\"{r}\"")).collect();
            errors.push(FieldError {
                kind: ErrorType::NotSupported,
                field: format!("{path}.reason"),
                value: s(other),
                detail: format!("supported values: {}", quoted.join(", ")),
            });
            ErrorType::Invalid
        }
    };
    let mut field_path = None;
    if let Some(fp) = get("fieldPath") {
        if fp.trim().is_empty() {
            errors.push(err(
                ErrorType::Invalid,
                format!("{path}.fieldPath"),
                s(fp),
                "must be non-empty if specified",
            ));
        } else if fp.contains('\n') {
            errors.push(err(
                ErrorType::Invalid,
                format!("{path}.fieldPath"),
                s(fp),
                "must not contain line breaks",
            ));
        } else {
            match node.field_path(fp) {
                Ok(p) => field_path = Some(p),
                Err(_) => errors.push(err(
                    ErrorType::Invalid,
                    format!("{path}.fieldPath"),
                    s(fp),
                    "must be a valid path",
                )),
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let env = envs.env();
    let rule_value = Some(BadValue::Json(rule.clone()));
    let program = env.compile(text).map_err(|e| {
        vec![err(
            ErrorType::Invalid,
            format!("{path}.rule"),
            rule_value.clone(),
            &format!("compilation failed: {}", one_line(&e.to_string())),
        )]
    })?;
    let optional_old_self = rule.get("optionalOldSelf").and_then(Value::as_bool);
    // Typed against the node's CEL type where the server types it (`cost.rs`), else
    // the undeclared-field check of `check.rs`.
    let typed = |p: &Program| {
        at.cost.map(|(decl, _)| {
            crate::cost::estimate(p.expression(), decl, optional_old_self == Some(true))
        })
    };
    let undefined = |p: &Program, est: &Option<crate::cost::Estimate>| match est {
        Some(e) => crate::check::type_errors_message(p, &e.errors),
        None => crate::check::undefined_field(p, node, at.resource),
    };
    let rule_est = typed(&program);
    if let Some(msg) = undefined(&program, &rule_est) {
        return Err(vec![err(
            ErrorType::Invalid,
            format!("{path}.rule"),
            rule_value.clone(),
            &format!("compilation failed: {msg}"),
        )]);
    }
    // The server's order: the rule's cost, the messageExpression's errors or cost,
    // then the oldSelf checks.
    if let (Some((_, cardinality)), Some(est)) = (at.cost, rule_est) {
        // A result of a type other than bool (cel-go's output type; only where this
        // port's types are certain: never on `dyn`).
        if est.sure && !matches!(est.output, Output::Bool | Output::Dyn) {
            return Err(vec![err(
                ErrorType::Invalid,
                format!("{path}.rule"),
                rule_value.clone(),
                "cel expression must evaluate to a bool",
            )]);
        }
        if est.sure {
            let cost = multiply_with_overflow_guard(est.max, cardinality);
            if total.enforce && cost > STATIC_ESTIMATED_COST_LIMIT {
                errors.push(budget::forbidden(
                    format!("{path}.rule"),
                    budget::message("estimated rule cost", cost, STATIC_ESTIMATED_COST_LIMIT),
                ));
            }
            total.observe(format!("{path}.rule"), cost);
        } else {
            unsure.push(format!("{path}.rule"));
        }
    }
    let message_expression = match message_expr {
        Some(m) => match env.compile(m) {
            Ok(p) => Some(p),
            Err(e) => {
                errors.push(err(
                    ErrorType::Invalid,
                    format!("{path}.messageExpression"),
                    rule_value.clone(),
                    &format!(
                        "messageExpression compilation failed: {}",
                        one_line(&e.to_string())
                    ),
                ));
                return Err(errors);
            }
        },
        None => None,
    };
    let message_est = message_expression.as_ref().and_then(&typed);
    if let Some(msg) = message_expression
        .as_ref()
        .and_then(|m| undefined(m, &message_est))
    {
        errors.push(err(
            ErrorType::Invalid,
            format!("{path}.messageExpression"),
            rule_value.clone(),
            &format!("messageExpression compilation failed: {msg}"),
        ));
        return Err(errors);
    }
    if let Some(est) = message_est {
        if est.sure && !matches!(est.output, Output::String | Output::Dyn) {
            errors.push(err(
                ErrorType::Invalid,
                format!("{path}.messageExpression"),
                rule_value.clone(),
                "messageExpression must evaluate to a string",
            ));
            return Err(errors);
        }
        if est.sure {
            if total.enforce && est.max > STATIC_ESTIMATED_COST_LIMIT {
                errors.push(budget::forbidden(
                    format!("{path}.messageExpression"),
                    budget::message(
                        "estimated messageExpression cost",
                        est.max,
                        STATIC_ESTIMATED_COST_LIMIT,
                    ),
                ));
            }
            total.observe(format!("{path}.messageExpression"), est.max);
        } else {
            unsure.push(format!("{path}.messageExpression"));
        }
    }
    let uses_old_self = program.references().has_variable("oldSelf");
    if let (true, Some(within)) = (uses_old_self, uncorrelatable) {
        errors.push(err(
            ErrorType::Invalid,
            format!("{path}.rule"),
            s(text),
            &format!(
                "oldSelf cannot be used on the uncorrelatable portion of the schema within {within}"
            ),
        ));
    } else if optional_old_self.is_some() && !uses_old_self {
        errors.push(err(
            ErrorType::Invalid,
            format!("{path}.optionalOldSelf"),
            Some(BadValue::Json(Value::Bool(
                optional_old_self.unwrap_or(false),
            ))),
            "may not be set if oldSelf is not used in rule",
        ));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(CompiledRule {
        rule: text.trim().to_owned(),
        message: get("message")
            .map(|m| m.trim().to_owned())
            .unwrap_or_default(),
        program,
        message_expression,
        reason,
        field_path,
        uses_old_self,
        optional_old_self: optional_old_self.unwrap_or(false),
    })
}

/// `multiplyWithOverflowGuard`.
fn multiply_with_overflow_guard(cost: u64, cardinality: u64) -> u64 {
    cost.saturating_mul(cardinality)
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}
