//! Label and field selectors, with the syntax and semantics of Kubernetes'
//! `k8s.io/apimachinery/pkg/labels` and `.../fields` packages.
//!
//! A [`Selector`] is a conjunction of label [`Requirement`]s. It is parsed from the
//! string form the API server accepts in `?labelSelector=` ([`Selector::parse`]), or
//! converted from a [`LabelSelector`] as found in a workload's `spec.selector`
//! ([`Selector::from_label_selector`]); it matches a label map ([`Selector::matches`])
//! and prints back to the canonical string (`Display`).
//!
//! ```
//! use std::collections::BTreeMap;
//! use crdgen_runtime::selector::Selector;
//!
//! let sel: Selector = "tier in (web, api), env!=prod, !canary".parse()?;
//! let labels = BTreeMap::from([("tier".to_owned(), "web".to_owned())]);
//! assert!(sel.matches(&labels));
//! assert_eq!(sel.to_string(), "!canary,env!=prod,tier in (api,web)");
//! # Ok::<(), crdgen_runtime::selector::SelectorError>(())
//! ```
//!
//! A [`FieldSelector`] is the simpler `metadata.name=x,status.phase!=Done` form, matched
//! against an object serialized to JSON ([`FieldSelector::matches_value`]) or through any
//! field lookup ([`FieldSelector::matches_with`]).

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, LabelSelectorRequirement};

mod field;
mod parse;

pub use field::{FieldOperator, FieldRequirement, FieldSelector};
use parse::Parser;

/// Why a selector could not be parsed or built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SelectorError {
    /// The selector string is not well formed.
    #[error("unable to parse selector {input:?}: {message} (at byte {position})")]
    Syntax {
        /// The whole selector string.
        input: String,
        /// Byte offset of the offending token.
        position: usize,
        /// What was found and what was expected.
        message: String,
    },
    /// A label key is not a valid qualified name.
    #[error("invalid label key {key:?}: {reason}")]
    InvalidKey {
        /// The key as written.
        key: String,
        /// Which rule it breaks.
        reason: String,
    },
    /// A label value is not valid.
    #[error("invalid label value {value:?} for key {key:?}: {reason}")]
    InvalidValue {
        /// The key the value belongs to.
        key: String,
        /// The value as written.
        value: String,
        /// Which rule it breaks.
        reason: String,
    },
    /// The operator and values of a requirement do not fit together (e.g. `in` with no
    /// values, `Exists` with values, an unknown `matchExpressions` operator).
    #[error("invalid requirement on key {key:?}: {reason}")]
    InvalidRequirement {
        /// The key of the requirement.
        key: String,
        /// What is wrong with it.
        reason: String,
    },
}

/// The relation a [`Requirement`] checks between a label and its values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Operator {
    /// `key=value`: the label is present with this value.
    Equals,
    /// `key==value`: same as [`Operator::Equals`], kept to print back as written.
    DoubleEquals,
    /// `key!=value`: the label is absent or has another value.
    NotEquals,
    /// `key in (a,b)`: the label is present with one of the values.
    In,
    /// `key notin (a,b)`: the label is absent or has none of the values.
    NotIn,
    /// `key`: the label is present.
    Exists,
    /// `!key`: the label is absent.
    DoesNotExist,
    /// `key>n`: the label is present and is an integer greater than `n`.
    GreaterThan,
    /// `key<n`: the label is present and is an integer less than `n`.
    LessThan,
}

/// One condition on one label key; a [`Selector`] is their conjunction.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Requirement {
    key: String,
    operator: Operator,
    /// Sorted and deduplicated.
    values: Vec<String>,
}

impl Requirement {
    /// Build a requirement, validating the key, the values and their number for the
    /// operator as apimachinery's `labels.NewRequirement` does: one value for
    /// `=`/`==`/`!=`, at least one for `in`/`notin`, none for exists/does-not-exist,
    /// one integer for `>`/`<`.
    pub fn new<I, S>(
        key: impl Into<String>,
        operator: Operator,
        values: I,
    ) -> Result<Self, SelectorError>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let key = key.into();
        validate_label_key(&key)?;
        let mut values: Vec<String> = values.into_iter().map(Into::into).collect();
        let invalid = |reason: &str| SelectorError::InvalidRequirement {
            key: key.clone(),
            reason: reason.to_owned(),
        };
        match operator {
            Operator::Equals | Operator::DoubleEquals | Operator::NotEquals => {
                if values.len() != 1 {
                    return Err(invalid(
                        "exact-match compatibility requires one single value",
                    ));
                }
            }
            Operator::In | Operator::NotIn => {
                if values.is_empty() {
                    return Err(invalid(
                        "for 'in', 'notin' operators, values set can't be empty",
                    ));
                }
            }
            Operator::Exists | Operator::DoesNotExist => {
                if !values.is_empty() {
                    return Err(invalid(
                        "values set must be empty for exists and does not exist",
                    ));
                }
            }
            Operator::GreaterThan | Operator::LessThan => {
                if values.len() != 1 {
                    return Err(invalid(
                        "for 'Gt', 'Lt' operators, exactly one value is required",
                    ));
                }
                if values[0].parse::<i64>().is_err() {
                    return Err(invalid(
                        "for 'Gt', 'Lt' operators, the value must be an integer",
                    ));
                }
            }
        }
        if !matches!(operator, Operator::GreaterThan | Operator::LessThan) {
            for value in &values {
                validate_label_value(&key, value)?;
            }
        }
        values.sort();
        values.dedup();
        Ok(Requirement {
            key,
            operator,
            values,
        })
    }

    /// The label key.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The operator.
    pub fn operator(&self) -> Operator {
        self.operator
    }

    /// The values, sorted and deduplicated (empty for exists/does-not-exist).
    pub fn values(&self) -> &[String] {
        &self.values
    }

    /// Whether a label map satisfies this requirement.
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        let value = labels.get(&self.key);
        let contains = |v: &String| self.values.binary_search(v).is_ok();
        match self.operator {
            Operator::Equals | Operator::DoubleEquals | Operator::In => value.is_some_and(contains),
            Operator::NotEquals | Operator::NotIn => !value.is_some_and(contains),
            Operator::Exists => value.is_some(),
            Operator::DoesNotExist => value.is_none(),
            Operator::GreaterThan | Operator::LessThan => {
                let (Some(actual), Some(bound)) = (
                    value.and_then(|v| v.parse::<i64>().ok()),
                    self.values.first().and_then(|v| v.parse::<i64>().ok()),
                ) else {
                    return false;
                };
                if self.operator == Operator::GreaterThan {
                    actual > bound
                } else {
                    actual < bound
                }
            }
        }
    }
}

impl fmt::Display for Requirement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.operator == Operator::DoesNotExist {
            f.write_str("!")?;
        }
        f.write_str(&self.key)?;
        let op = match self.operator {
            Operator::Exists | Operator::DoesNotExist => return Ok(()),
            Operator::Equals => "=",
            Operator::DoubleEquals => "==",
            Operator::NotEquals => "!=",
            Operator::GreaterThan => ">",
            Operator::LessThan => "<",
            Operator::In => " in ",
            Operator::NotIn => " notin ",
        };
        f.write_str(op)?;
        if matches!(self.operator, Operator::In | Operator::NotIn) {
            write!(f, "({})", self.values.join(","))
        } else {
            f.write_str(self.values.first().map_or("", String::as_str))
        }
    }
}

/// A label selector: a conjunction of [`Requirement`]s, sorted by key.
///
/// The empty selector ([`Selector::everything`]) matches every label set.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Selector {
    requirements: Vec<Requirement>,
}

impl Selector {
    /// The selector that matches everything (the empty string).
    pub fn everything() -> Self {
        Selector::default()
    }

    /// Parse the string form accepted by the API server, e.g.
    /// `app=web,tier in (a,b),!canary`. Whitespace around tokens is ignored; keys and
    /// values are validated like apimachinery's `labels.Parse`.
    pub fn parse(input: &str) -> Result<Self, SelectorError> {
        Parser { input, pos: 0 }.parse()
    }

    /// Build a selector from requirements (sorted by key).
    pub fn from_requirements(requirements: impl IntoIterator<Item = Requirement>) -> Self {
        let mut requirements: Vec<Requirement> = requirements.into_iter().collect();
        requirements.sort_by(|a, b| a.key.cmp(&b.key));
        Selector { requirements }
    }

    /// An equality selector: every `key=value` of the map must be present
    /// (apimachinery's `SelectorFromValidatedSet`, with validation).
    pub fn from_labels<'a, I>(labels: I) -> Result<Self, SelectorError>
    where
        I: IntoIterator<Item = (&'a String, &'a String)>,
    {
        let requirements = labels
            .into_iter()
            .map(|(k, v)| Requirement::new(k.as_str(), Operator::Equals, [v.as_str()]))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self::from_requirements(requirements))
    }

    /// Convert a `metav1.LabelSelector` (`matchLabels` and `matchExpressions`) as
    /// apimachinery's `LabelSelectorAsSelector` does. An empty `LabelSelector` matches
    /// everything. (A *missing* selector matches nothing in Kubernetes; callers holding
    /// an `Option<LabelSelector>` decide that case themselves.)
    pub fn from_label_selector(selector: &LabelSelector) -> Result<Self, SelectorError> {
        let mut requirements = Vec::new();
        for (k, v) in selector.match_labels.iter().flatten() {
            requirements.push(Requirement::new(
                k.as_str(),
                Operator::Equals,
                [v.as_str()],
            )?);
        }
        for expr in selector.match_expressions.iter().flatten() {
            requirements.push(requirement_from_expression(expr)?);
        }
        Ok(Self::from_requirements(requirements))
    }

    /// The requirements, sorted by key.
    pub fn requirements(&self) -> &[Requirement] {
        &self.requirements
    }

    /// Whether this selector has no requirements (matches everything).
    pub fn is_everything(&self) -> bool {
        self.requirements.is_empty()
    }

    /// Add a requirement (builder style).
    #[must_use]
    pub fn and(mut self, requirement: Requirement) -> Self {
        let at = self
            .requirements
            .partition_point(|r| r.key <= requirement.key);
        self.requirements.insert(at, requirement);
        self
    }

    /// Whether a label map satisfies every requirement.
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        self.requirements.iter().all(|r| r.matches(labels))
    }

    /// Whether optional labels (as in `ObjectMeta::labels`) satisfy every requirement;
    /// `None` is the empty label set.
    pub fn matches_opt(&self, labels: Option<&BTreeMap<String, String>>) -> bool {
        if self.requirements.is_empty() {
            return true;
        }
        static EMPTY: BTreeMap<String, String> = BTreeMap::new();
        self.matches(labels.unwrap_or(&EMPTY))
    }

    /// Whether an object's labels satisfy every requirement.
    pub fn matches_object<K: kube::Resource>(&self, object: &K) -> bool {
        self.matches_opt(object.meta().labels.as_ref())
    }

    /// If the selector pins `key` to one value (`key=v`, `key==v` or `key in (v)`),
    /// that value (apimachinery's `RequiresExactMatch`). Useful to serve a list from an
    /// index instead of a scan.
    pub fn exact_match(&self, key: &str) -> Option<&str> {
        self.requirements.iter().find_map(|r| match r.operator {
            Operator::Equals | Operator::DoubleEquals | Operator::In
                if r.key == key && r.values.len() == 1 =>
            {
                Some(r.values[0].as_str())
            }
            _ => None,
        })
    }
}

impl fmt::Display for Selector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, r) in self.requirements.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            fmt::Display::fmt(r, f)?;
        }
        Ok(())
    }
}

impl FromStr for Selector {
    type Err = SelectorError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Selector::parse(s)
    }
}

impl TryFrom<&LabelSelector> for Selector {
    type Error = SelectorError;

    fn try_from(selector: &LabelSelector) -> Result<Self, Self::Error> {
        Selector::from_label_selector(selector)
    }
}

fn requirement_from_expression(
    expr: &LabelSelectorRequirement,
) -> Result<Requirement, SelectorError> {
    let operator = match expr.operator.as_str() {
        "In" => Operator::In,
        "NotIn" => Operator::NotIn,
        "Exists" => Operator::Exists,
        "DoesNotExist" => Operator::DoesNotExist,
        other => {
            return Err(SelectorError::InvalidRequirement {
                key: expr.key.clone(),
                reason: format!(
                    "{other:?} is not a valid label selector operator (In, NotIn, Exists, DoesNotExist)"
                ),
            });
        }
    };
    Requirement::new(
        expr.key.as_str(),
        operator,
        expr.values.iter().flatten().map(String::as_str),
    )
}

// ---------------------------------------------------------------------------------
// Validation (apimachinery/pkg/util/validation)

const QUALIFIED_NAME_MAX_LEN: usize = 63;
const DNS1123_SUBDOMAIN_MAX_LEN: usize = 253;
const LABEL_VALUE_MAX_LEN: usize = 63;

/// `([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]`, the shape of a label value and of the
/// name part of a qualified name.
fn is_qualified_name_part(s: &str) -> bool {
    let b = s.as_bytes();
    let (Some(first), Some(last)) = (b.first(), b.last()) else {
        return false;
    };
    first.is_ascii_alphanumeric()
        && last.is_ascii_alphanumeric()
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
}

/// A lowercase RFC 1123 subdomain: dot-separated labels of `[a-z0-9]([-a-z0-9]*[a-z0-9])?`.
fn is_dns1123_subdomain(s: &str) -> bool {
    s.len() <= DNS1123_SUBDOMAIN_MAX_LEN
        && !s.is_empty()
        && s.split('.').all(|label| {
            let b = label.as_bytes();
            match (b.first(), b.last()) {
                (Some(f), Some(l)) => {
                    (f.is_ascii_lowercase() || f.is_ascii_digit())
                        && (l.is_ascii_lowercase() || l.is_ascii_digit())
                        && b.iter()
                            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
                }
                _ => false,
            }
        })
}

/// Check a label key: an optional DNS subdomain prefix and `/`, then a name of at most
/// 63 characters made of alphanumerics, `-`, `_` and `.`, starting and ending with an
/// alphanumeric.
pub fn validate_label_key(key: &str) -> Result<(), SelectorError> {
    let err = |reason: String| {
        Err(SelectorError::InvalidKey {
            key: key.to_owned(),
            reason,
        })
    };
    let (prefix, name) = match key.split_once('/') {
        Some((prefix, name)) => (Some(prefix), name),
        None => (None, key),
    };
    if let Some(prefix) = prefix {
        if prefix.is_empty() {
            return err("prefix part must be non-empty".to_owned());
        }
        if !is_dns1123_subdomain(prefix) {
            return err(format!(
                "prefix part must be a lowercase RFC 1123 subdomain of at most {DNS1123_SUBDOMAIN_MAX_LEN} characters"
            ));
        }
    }
    if name.is_empty() {
        return err("name part must be non-empty".to_owned());
    }
    if name.len() > QUALIFIED_NAME_MAX_LEN {
        return err(format!(
            "name part must be no more than {QUALIFIED_NAME_MAX_LEN} characters"
        ));
    }
    if !is_qualified_name_part(name) {
        return err("name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end \
                    with an alphanumeric character"
            .to_owned());
    }
    Ok(())
}

/// Check a label value: empty, or at most 63 characters made of alphanumerics, `-`,
/// `_` and `.`, starting and ending with an alphanumeric.
pub fn validate_label_value(key: &str, value: &str) -> Result<(), SelectorError> {
    let err = |reason: String| {
        Err(SelectorError::InvalidValue {
            key: key.to_owned(),
            value: value.to_owned(),
            reason,
        })
    };
    if value.is_empty() {
        return Ok(());
    }
    if value.len() > LABEL_VALUE_MAX_LEN {
        return err(format!(
            "must be no more than {LABEL_VALUE_MAX_LEN} characters"
        ));
    }
    if !is_qualified_name_part(value) {
        return err("a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or \
                    '.', and must start and end with an alphanumeric character"
            .to_owned());
    }
    Ok(())
}
