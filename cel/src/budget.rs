//! The cost limits kube-apiserver applies when a CRD is written
//! (apiextensions `pkg/apis/apiextensions/validation/validation.go` and
//! `cel_validation.go`): a rule's estimated cost times how often it may run, against
//! `StaticEstimatedCostLimit`; the sum over the CRD version's schema against
//! `StaticEstimatedCRDCostLimit`; the errors worded as the server words them.

use crdgen_apiext::{ErrorType, FieldError};

use crate::decl::MAX_REQUEST_SIZE_BYTES;

/// `StaticEstimatedCostLimit`: the most one expression may cost.
pub const STATIC_ESTIMATED_COST_LIMIT: u64 = 10_000_000;
/// `StaticEstimatedCRDCostLimit`: the most all rules of a schema may cost together.
pub const STATIC_ESTIMATED_CRD_COST_LIMIT: u64 = 100_000_000;

/// `maxCardinality`: how often a value of this minimum size fits in one request.
pub(crate) fn max_cardinality(min_size: i64) -> u64 {
    (MAX_REQUEST_SIZE_BYTES / (min_size + 1)) as u64
}

/// `getCostErrorMessage`.
pub(crate) fn message(cost_name: &str, cost: u64, limit: u64) -> String {
    let f = cost as f64 / limit as f64;
    let factor = if f > 100.0 {
        "more than 100x".to_owned()
    } else if f < 1.5 {
        format!("{f:.6}x")
    } else {
        format!("{f:.1}x")
    };
    format!(
        "{cost_name} exceeds budget by factor of {factor} (try simplifying the rule, or adding maxItems, maxProperties, and maxLength where arrays, maps, and strings are declared)"
    )
}

/// A `Forbidden` cost error.
pub(crate) fn forbidden(field: String, detail: String) -> FieldError {
    FieldError {
        kind: ErrorType::Forbidden,
        field,
        value: None,
        detail,
    }
}

/// `TotalCost`: the schema's total and its most expensive expressions.
#[derive(Debug, Default)]
pub(crate) struct Total {
    /// The sum of every expression's cost.
    pub total: u64,
    /// Up to four expressions costing at least 1% of the CRD limit, dearest first.
    pub most_expensive: Vec<(String, u64)>,
    /// Every expression's cost, in schema order (for reports).
    pub all: Vec<(String, u64)>,
    /// Refuse what exceeds the limits (false: only estimate).
    pub enforce: bool,
}

impl Total {
    /// `ObserveExpressionCost`.
    pub(crate) fn observe(&mut self, path: String, cost: u64) {
        self.total = self.total.saturating_add(cost);
        self.all.push((path.clone(), cost));
        if cost < STATIC_ESTIMATED_CRD_COST_LIMIT / 100 {
            return;
        }
        self.most_expensive.push((path, cost));
        self.most_expensive.sort_by_key(|e| std::cmp::Reverse(e.1));
        self.most_expensive.truncate(4);
    }

    /// The errors when the total is over the CRD limit, `at` the schema's path.
    pub(crate) fn errors(&self, at: &str) -> Vec<FieldError> {
        if !self.enforce || self.total <= STATIC_ESTIMATED_CRD_COST_LIMIT {
            return Vec::new();
        }
        let mut errors: Vec<FieldError> = self
            .most_expensive
            .iter()
            .map(|(path, _)| {
                forbidden(
                    path.clone(),
                    "contributed to estimated rule cost total exceeding cost limit for entire OpenAPIv3 schema"
                        .to_owned(),
                )
            })
            .collect();
        errors.push(forbidden(
            at.to_owned(),
            message(
                "x-kubernetes-validations estimated rule cost total for entire OpenAPIv3 schema",
                self.total,
                STATIC_ESTIMATED_CRD_COST_LIMIT,
            ),
        ));
        errors
    }
}
