//! The API server's handling of a custom resource on create and update, in its
//! order: one implementation, run by the client-side [`Validator`](super::Validator)
//! and by the in-memory server (`tracker`) alike.
//!
//! 1. Decoding: [`prune_object`] drops the fields the schema and `ObjectMeta` do not
//!    know (the root's and embedded resources' metadata included);
//! 2. [`default_object`]: the schema's defaults (objects of another kind are left
//!    alone, as `unstructuredDefaulter` leaves them);
//! 3. [`coerce_metadata`]: `ObjectMeta`'s round trip drops empty optional fields;
//! 4. [`validate_object`], the custom resource strategy's validation: the kind
//!    (`ValidateTypeMeta`: a wrong kind is then the only error before the embedded
//!    resources), `ObjectMeta`, the schema (ratcheting unchanged values on update),
//!    the scale subresource's paths, embedded resources, list types, then the CEL
//!    rules unless an error above blocks them (a last error then says so).
//!
//! The server alone adds what needs a request: strict decoding (unknown and
//! duplicate fields as an error or warnings), the namespace, the name generated from
//! `generateName`, no new finalizers while deleting, deprecation warnings and the
//! `Status` itself.

use serde_json::Value;

use super::{ErrorType, FieldError, ScaleInfo};

/// The CEL rules (`x-kubernetes-validations`) of one version's schema, compiled once.
#[derive(Default)]
pub struct CompiledRules {
    /// The schema declares rules that are evaluated (with the `cel` feature: rules
    /// that compiled). Without the `cel` feature they are not evaluated, but a
    /// blocking error still gets the server's marker.
    declared: bool,
    #[cfg(feature = "cel")]
    rules: Option<crdgen_cel::Rules>,
}

impl std::fmt::Debug for CompiledRules {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CompiledRules")
            .field("declared", &self.declared)
            .field("rules", &self.len())
            .finish()
    }
}

impl CompiledRules {
    /// How many rules are evaluated (0 without the `cel` feature).
    pub fn len(&self) -> usize {
        #[cfg(feature = "cel")]
        return self.rules.as_ref().map_or(0, crdgen_cel::Rules::len);
        #[cfg(not(feature = "cel"))]
        0
    }

    /// No rule is evaluated.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Compile the CEL rules of a kind's versions (their schemas, in `spec.versions`
/// order): one [`CompiledRules`] per version, and the errors the server refuses the
/// CRD with, at `spec.validation.openAPIV3Schema…` when every version has the same
/// schema (the internal version's one schema), else at
/// `spec.versions[i].schema.openAPIV3Schema…`. A version whose rules do not compile
/// gets none.
pub fn compile_rules(schemas: &[Option<&Value>]) -> (Vec<CompiledRules>, Vec<FieldError>) {
    #[cfg_attr(not(feature = "cel"), allow(unused_mut))] // only CEL rules fail to compile
    let mut errors = Vec::new();
    #[cfg(feature = "cel")]
    let shared = schemas.windows(2).all(|w| w[0] == w[1]);
    let mut out = Vec::with_capacity(schemas.len());
    #[cfg_attr(not(feature = "cel"), allow(unused_variables))]
    for (i, schema) in schemas.iter().enumerate() {
        let Some(schema) = schema.filter(|s| has_cel_rules(s)) else {
            out.push(CompiledRules::default());
            continue;
        };
        #[cfg(feature = "cel")]
        match crdgen_cel::Rules::compile(schema) {
            Ok(r) => out.push(CompiledRules {
                declared: true,
                rules: Some(r),
            }),
            Err(errs) => {
                out.push(CompiledRules::default());
                if shared && i > 0 {
                    continue;
                }
                let prefix = if shared {
                    "spec.validation.".to_owned()
                } else {
                    format!("spec.versions[{i}].schema.")
                };
                errors.extend(errs.into_iter().map(|mut e| {
                    e.field = format!("{prefix}{}", e.field);
                    e
                }));
            }
        }
        #[cfg(not(feature = "cel"))]
        out.push(CompiledRules { declared: true });
    }
    (out, errors)
}

/// Whether a schema declares CEL rules (`x-kubernetes-validations`) anywhere.
fn has_cel_rules(schema: &Value) -> bool {
    match schema {
        Value::Object(m) => {
            m.contains_key("x-kubernetes-validations") || m.values().any(has_cel_rules)
        }
        Value::Array(a) => a.iter().any(has_cel_rules),
        _ => false,
    }
}

/// One version of a kind, as the pipeline checks objects against it.
#[derive(Debug, Clone, Copy)]
pub struct Checks<'a> {
    /// The kind, e.g. `Widget`.
    pub kind: &'a str,
    /// The version's `openAPIV3Schema`, when known (no schema checks without one).
    pub schema: Option<&'a Value>,
    /// The scale subresource, when enabled.
    pub scale: Option<&'a ScaleInfo>,
    /// The version's CEL rules.
    pub rules: &'a CompiledRules,
}

/// Decoding's pruning: the unknown fields of the root's `metadata`, the fields the
/// schema does not declare, then the unknown fields of embedded resources' metadata;
/// their paths, in that order.
pub fn prune_object(obj: &mut Value, schema: Option<&Value>) -> Vec<String> {
    let mut unknown = Vec::new();
    if let Some(m) = obj.get_mut("metadata").and_then(Value::as_object_mut) {
        let extra: Vec<String> = m
            .keys()
            .filter(|k| !super::META_FIELDS.contains(&k.as_str()))
            .cloned()
            .collect();
        for k in extra {
            m.remove(&k);
            unknown.push(format!("metadata.{k}"));
        }
    }
    if let Some(s) = schema {
        unknown.extend(super::prune(obj, s));
        unknown.extend(super::prune_embedded_meta(obj, s));
    }
    unknown
}

/// The schema's defaults, on objects of the version's kind only.
pub fn default_object(obj: &mut Value, checks: &Checks<'_>) {
    let own_kind = obj.get("kind").and_then(Value::as_str) == Some(checks.kind);
    if let Some(s) = checks.schema.filter(|_| own_kind) {
        super::apply_defaults(obj, s);
    }
}

/// `ObjectMeta`'s round trip: empty and null optional fields are dropped.
pub fn coerce_metadata(obj: &mut Value) {
    if let Some(m) = obj.get_mut("metadata").and_then(Value::as_object_mut) {
        m.retain(|_, v| match v {
            Value::Null => false,
            Value::String(s) => !s.is_empty(),
            Value::Array(a) => !a.is_empty(),
            Value::Object(o) => !o.is_empty(),
            _ => true,
        });
    }
}

/// The custom resource strategy's validation of a pruned, defaulted object (on
/// update, `old` ratchets: its unchanged invalid values pass, and CEL transition
/// rules see it): every error, in the server's order. `warnings` gets the server's
/// warnings about the metadata (finalizer names).
pub fn validate_object(
    checks: &Checks<'_>,
    obj: &Value,
    old: Option<&Value>,
    warnings: &mut Vec<String>,
) -> Vec<FieldError> {
    let body_kind = obj.get("kind").and_then(Value::as_str).unwrap_or_default();
    let mut errs = Vec::new();
    if body_kind != checks.kind {
        errs.push(FieldError::invalid(
            "kind",
            Value::from(body_kind),
            format!("must be {}", checks.kind),
        ));
    } else {
        errs.extend(super::object_meta(obj, warnings));
        if let Some(s) = checks.schema {
            errs.extend(match old {
                Some(o) => super::validate_update(obj, o, s),
                None => super::validate(obj, s),
            });
        }
        if let Some(sc) = checks.scale {
            errs.extend(super::scale_errors(obj, sc));
        }
    }
    if let Some(s) = checks.schema {
        errs.extend(super::embedded_resources(obj, s));
        errs.extend(super::validate_lists(obj, s));
    }
    if checks.rules.declared {
        if let Some(marker) = cel_blocked_marker(&errs) {
            errs.push(marker);
        } else {
            #[cfg(feature = "cel")]
            if let Some(r) = &checks.rules.rules {
                errs.extend(r.validate(obj, old));
            }
        }
    }
    errs
}

/// `hasBlockingErr`: after these errors the CEL rules are not run and a last error
/// says so.
fn cel_blocked_marker(errs: &[FieldError]) -> Option<FieldError> {
    errs.iter()
        .any(|e| {
            matches!(
                e.kind,
                ErrorType::NotSupported
                    | ErrorType::Required
                    | ErrorType::TooLong
                    | ErrorType::TooMany
                    | ErrorType::TypeInvalid
            )
        })
        .then(|| {
            FieldError::invalid(
                "<nil>",
                Value::Null,
                "some validation rules were not checked because the object was invalid; correct the existing errors to complete validation",
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn blocking_errors_add_the_cel_marker() {
        let blocking = [FieldError::required("spec.x", "")];
        assert_eq!(
            cel_blocked_marker(&blocking)
                .map(|e| e.to_string())
                .as_deref(),
            Some(
                "<nil>: Invalid value: null: some validation rules were not checked because the object was invalid; correct the existing errors to complete validation"
            )
        );
        let minimum = [FieldError::invalid("spec.x", json!(-1), "too small")];
        assert!(cel_blocked_marker(&minimum).is_none());
    }

    #[test]
    fn a_wrong_kind_is_the_only_error_before_embedded_resources() {
        let schema = json!({"type": "object", "properties": {"spec": {"type": "object",
            "properties": {"n": {"type": "integer", "minimum": 0}}}}});
        let rules = CompiledRules::default();
        let checks = Checks {
            kind: "Widget",
            schema: Some(&schema),
            scale: None,
            rules: &rules,
        };
        let obj = json!({"kind": "Gadget", "metadata": {}, "spec": {"n": -1}});
        let errs = validate_object(&checks, &obj, None, &mut Vec::new());
        let shown: Vec<String> = errs.iter().map(ToString::to_string).collect();
        assert_eq!(shown, ["kind: Invalid value: \"Gadget\": must be Widget"]);
        let obj = json!({"kind": "Widget", "metadata": {}, "spec": {"n": -1}});
        let fields: Vec<String> = validate_object(&checks, &obj, None, &mut Vec::new())
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["metadata.name", "spec.n"]);
    }

    #[test]
    fn pruning_names_unknown_metadata_first() {
        let schema = json!({"type": "object", "properties": {"spec": {"type": "object"}}});
        let mut obj = json!({"metadata": {"name": "a", "bogus": 1}, "spec": {}, "extra": 2});
        assert_eq!(
            prune_object(&mut obj, Some(&schema)),
            ["metadata.bogus", "extra"]
        );
        let mut obj = json!({"metadata": {"name": "a", "labels": {}, "uid": ""}});
        coerce_metadata(&mut obj);
        assert_eq!(obj, json!({"metadata": {"name": "a"}}));
    }
}
