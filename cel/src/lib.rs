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
//! `check` (undeclared fields), `decl` (the schema as CEL types with maximum sizes),
//! `overloads` (types and overloads for the estimator), `cost` (cel-go's cost
//! estimate), `budget` (the server's limits and messages),
//! `env` (the environment), `libs` (Kubernetes' libraries), `value` (the CEL view of
//! an object), `keyed` (set and map lists), `validate` (the walk).

mod budget;
mod check;
mod compile;
mod cost;
mod decl;
mod env;
mod keyed;
mod libs;
mod overloads;
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
    costs: Costs,
}

pub use budget::{STATIC_ESTIMATED_COST_LIMIT, STATIC_ESTIMATED_CRD_COST_LIMIT};

/// The static cost estimates of a schema's rules, as kube-apiserver computes them when
/// the CRD is written (cel-go's estimator with Kubernetes' library costs and the
/// schema's maxItems / maxProperties / maxLength).
#[derive(Debug, Clone, Default)]
pub struct Costs {
    /// Each rule's (`...x-kubernetes-validations[i].rule`, times how often it may run)
    /// and messageExpression's estimated cost, in schema order.
    pub expressions: Vec<(String, u64)>,
    /// Their sum (the server's limit: [`STATIC_ESTIMATED_CRD_COST_LIMIT`]).
    pub total: u64,
    /// Expressions left out: a function, variable or field this port does not type, so its
    /// number would be a guess (never a refusal).
    pub unsure: Vec<String>,
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
    /// Of cel-go's type check (cel-rust has none), the schema's CEL types
    /// (`decl.rs`, `overloads.rs`) find a selection of a field the type does not
    /// declare (`undefined field 'x'`, cel-go's message and caret), a rule that is not
    /// bool and a messageExpression that is not string; argument types ("found no
    /// matching overload") are not checked. Cost limits are checked as the server
    /// checks them (`cost.rs`, `budget.rs`): a rule whose estimated cost, times how
    /// often it may run, exceeds [`STATIC_ESTIMATED_COST_LIMIT`] (`Forbidden: estimated
    /// rule cost exceeds budget by factor of ...` at `...rule`), a messageExpression
    /// over it, and a schema whose total exceeds [`STATIC_ESTIMATED_CRD_COST_LIMIT`].
    pub fn compile(schema: &Value) -> Result<Rules, Vec<FieldError>> {
        Rules::compile_at(schema, "openAPIV3Schema")
    }

    /// [`Rules::compile`] with the errors' paths under `at`, the schema's own path
    /// (`spec.versions[0].schema.openAPIV3Schema`): paths inside messages (`oldSelf
    /// cannot be used ... within <path>`) then read as the server's.
    pub fn compile_at(schema: &Value, at: &str) -> Result<Rules, Vec<FieldError>> {
        Rules::build(schema, at, true)
    }

    /// [`Rules::compile`] without the cost limits: for evaluating expressions the
    /// server would refuse for their estimated cost (a literal list's `join()` or
    /// `isSorted()` of strings, `!=` between two quantities: cel-go cannot bound the
    /// size of a value without a schema path, so estimates them as unbounded).
    pub fn compile_ignoring_cost(schema: &Value) -> Result<Rules, Vec<FieldError>> {
        Rules::build(schema, "openAPIV3Schema", false)
    }

    /// The estimated costs of the schema's rules, however large (the limits are not
    /// applied); Err: the other errors of [`Rules::compile`].
    pub fn estimate(schema: &Value) -> Result<Costs, Vec<FieldError>> {
        Rules::build(schema, "openAPIV3Schema", false).map(|r| r.costs)
    }

    fn build(schema: &Value, at: &str, enforce: bool) -> Result<Rules, Vec<FieldError>> {
        let envs = env::Envs::new().map_err(|e| {
            vec![FieldError {
                kind: ErrorType::Invalid,
                field: at.to_owned(),
                value: None,
                detail: format!("internal error: the CEL environment could not be built: {e}"),
            }]
        })?;
        let mut cx = schema::Cx {
            envs: &envs,
            errors: Vec::new(),
            uncorrelatable: None,
            root: at.to_owned(),
            cardinality: Some(1),
            costed: true,
            total: budget::Total {
                enforce,
                ..budget::Total::default()
            },
            unsure: Vec::new(),
        };
        let root = schema::Node::build(schema, at, false, &mut cx);
        let mut errors = cx.errors;
        errors.extend(cx.total.errors(at));
        if !errors.is_empty() {
            return Err(errors);
        }
        let (total, unsure) = (cx.total, cx.unsure);
        let count = root.count();
        Ok(Rules {
            root,
            envs,
            count,
            costs: Costs {
                expressions: total.all,
                total: total.total,
                unsure,
            },
        })
    }

    /// The estimated costs (rules under `allOf` are not estimated, as on the server).
    pub fn costs(&self) -> &Costs {
        &self.costs
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
    /// (ratcheting, Kubernetes 1.30+). Paths are relative to the object, as the server
    /// (which passes a nil `field.Path`) prints them: a rule on the root reports
    /// `<nil>`, a `fieldPath` of it `spec.size`.
    pub fn validate(&self, new: &Value, old: Option<&Value>) -> Vec<FieldError> {
        if self.count == 0 {
            return Vec::new();
        }
        let mut walk = validate::Walk {
            env: self.envs.env(),
            errors: Vec::new(),
        };
        let unchanged = old == Some(new);
        walk.node(&self.root, &self.root, "", new, old, unchanged, true);
        walk.errors
    }
}

/// The estimated cost range of an expression without `self`, with the size estimator
/// of Kubernetes' library cost tests (an unsized string or bytes is 0..12 long):
/// `Ok(None)` where the estimate would be a guess. For `tests/library_costs.rs`.
#[doc(hidden)]
pub fn estimate_library_cost(expr: &str) -> Result<Option<(u64, u64)>, String> {
    let envs = env::Envs::new().map_err(|e| e.to_string())?;
    let program = envs.env().compile(expr).map_err(|e| e.to_string())?;
    let est = cost::estimate_with_test_sizes(program.expression());
    Ok(est.sure.then_some((est.min, est.max)))
}
