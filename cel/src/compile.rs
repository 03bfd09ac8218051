//! One `x-kubernetes-validations` entry compiled: the checks of apiextensions'
//! `ValidateCustomResourceDefinitionOpenAPISchema` on the rule's fields, then the rule
//! and its `messageExpression` parsed once.

use cel::Program;
use crdgen_apiext::{BadValue, ErrorType, FieldError};
use serde_json::Value;

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

/// Compile one rule at `path` (`...x-kubernetes-validations[i]`) of `node`.
pub(crate) fn compile_rule(
    rule: &Value,
    path: &str,
    node: &Node,
    root: bool,
    envs: &Envs,
) -> Result<CompiledRule, Vec<FieldError>> {
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
    let env = envs.for_node(root);
    let rule_value = Some(BadValue::Json(rule.clone()));
    let program = env.compile(text).map_err(|e| {
        vec![err(
            ErrorType::Invalid,
            format!("{path}.rule"),
            rule_value.clone(),
            &format!("compilation failed: {}", one_line(&e.to_string())),
        )]
    })?;
    let message_expression = match message_expr {
        Some(m) => Some(env.compile(m).map_err(|e| {
            vec![err(
                ErrorType::Invalid,
                format!("{path}.messageExpression"),
                rule_value.clone(),
                &format!(
                    "messageExpression compilation failed: {}",
                    one_line(&e.to_string())
                ),
            )]
        })?),
        None => None,
    };
    let uses_old_self = program.references().has_variable("oldSelf");
    let optional_old_self = rule.get("optionalOldSelf").and_then(Value::as_bool);
    if optional_old_self.is_some() && !uses_old_self {
        return Err(vec![err(
            ErrorType::Invalid,
            format!("{path}.optionalOldSelf"),
            Some(BadValue::Json(Value::Bool(
                optional_old_self.unwrap_or(false),
            ))),
            "may not be set if oldSelf is not used in rule",
        )]);
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

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}
