//! Kubernetes CEL validation rules (`x-kubernetes-validations`) compiled once per CRD
//! version and evaluated on objects as kube-apiserver evaluates them, on the `cel`
//! crate (cel-rust) with Kubernetes' CEL libraries written on top.
//!
//! ```
//! let schema = serde_json::json!({
//!     "type": "object",
//!     "properties": {"spec": {
//!         "type": "object",
//!         "properties": {"min": {"type": "integer"}, "max": {"type": "integer"}},
//!         "x-kubernetes-validations": [{"rule": "self.min <= self.max", "message": "min must not exceed max"}],
//!     }},
//! });
//! let rules = crdgen_cel::Rules::compile(&schema).unwrap();
//! assert_eq!(rules.len(), 1);
//! let errors = rules.validate(&serde_json::json!({"spec": {"min": 3, "max": 2}}), None);
//! assert_eq!(errors[0].to_string(), "spec: Invalid value: min must not exceed max");
//! ```
//!
//! Modules: `schema` (the schema tree with compiled rules), `compile` (one rule),
//! `env` (the environment), `libs` (Kubernetes' libraries), `value` (the CEL view of
//! an object), `validate` (the walk).

mod compile;
mod env;
mod libs;
mod schema;
mod validate;
mod value;

use crdgen_apiext::{ErrorType, FieldError};
use serde_json::Value;

/// Every `x-kubernetes-validations` rule of one CRD version's `openAPIV3Schema`, compiled once.
pub struct Rules {
    root: schema::Node,
    envs: env::Envs,
    count: usize,
}

impl std::fmt::Debug for Rules {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rules").field("count", &self.count).finish()
    }
}

impl Rules {
    /// Compile every rule in the schema. Err: the errors the API server gives when it
    /// refuses the CRD because of these rules (empty rule, bad `message`, `reason`,
    /// `fieldPath`, `optionalOldSelf`, a rule or `messageExpression` that does not
    /// parse), paths relative to the schema root
    /// (`openAPIV3Schema.properties[spec].x-kubernetes-validations[0].rule`).
    ///
    /// Not checked (cel-rust has no type checker): type errors the server's checker
    /// finds (unknown fields, wrong argument types, a non-bool rule) and cost limits.
    pub fn compile(schema: &Value) -> Result<Rules, Vec<FieldError>> {
        let envs = env::Envs::new().map_err(|e| {
            vec![FieldError {
                kind: ErrorType::Invalid,
                field: "openAPIV3Schema".to_owned(),
                value: None,
                detail: format!("internal error: the CEL environment could not be built: {e}"),
            }]
        })?;
        let mut errors = Vec::new();
        let root = schema::Node::build(schema, "openAPIV3Schema", true, false, &envs, &mut errors);
        if !errors.is_empty() {
            return Err(errors);
        }
        let count = root.count();
        Ok(Rules { root, envs, count })
    }

    /// True when the schema has no rules (callers skip the walk).
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// How many rules.
    pub fn len(&self) -> usize {
        self.count
    }

    /// Evaluate on an object (already pruned and defaulted) on create (`old: None`) or on
    /// update (`old: Some`), returning the errors as kube-apiserver words them, in its
    /// order (sibling properties in sorted order, where Go's is random): a false rule
    /// gives its `message` / `messageExpression` (or `failed rule: <rule>`) with its
    /// `reason` at its `fieldPath`; transition rules (`oldSelf`) run only on update
    /// where an old value correlates (object fields, map keys, list-map keys), or with
    /// `optionalOldSelf`; an unchanged value's errors are dropped on update
    /// (ratcheting, Kubernetes 1.30+).
    pub fn validate(&self, new: &Value, old: Option<&Value>) -> Vec<FieldError> {
        if self.count == 0 {
            return Vec::new();
        }
        let mut walk = validate::Walk {
            env: self.envs.for_node(true),
            errors: Vec::new(),
        };
        let unchanged = old == Some(new);
        walk.node(&self.root, "", new, old, unchanged, true);
        walk.errors
    }
}
