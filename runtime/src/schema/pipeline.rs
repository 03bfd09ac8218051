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
//! Each version is compiled once ([`compile_versions`]): its CEL rules, and which of
//! the walks above its schema gives anything to do ([`Walks`]); the others are skipped.
//!
//! The server alone adds what needs a request: strict decoding (unknown and
//! duplicate fields as an error or warnings), the namespace, the name generated from
//! `generateName`, no new finalizers while deleting, deprecation warnings and the
//! `Status` itself.

use serde_json::Value;

use super::{ErrorType, FieldError, ScaleInfo, Walks};

/// What one version's schema compiles to, once: its CEL rules
/// (`x-kubernetes-validations`) and the per-object walks it needs. The default runs
/// every walk and no rule.
#[derive(Default)]
pub struct CompiledVersion {
    /// The schema declares rules that are evaluated (with the `cel` feature: rules
    /// that compiled). Without the `cel` feature they are not evaluated, but a
    /// blocking error still gets the server's marker.
    declared: bool,
    #[cfg(feature = "cel")]
    rules: Option<crdgen_cel::Rules>,
    walks: Walks,
}

impl std::fmt::Debug for CompiledVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CompiledVersion")
            .field("declared", &self.declared)
            .field("rules", &self.len())
            .field("walks", &self.walks)
            .finish()
    }
}

impl CompiledVersion {
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

    /// The per-object walks the version's schema needs.
    pub fn walks(&self) -> Walks {
        self.walks
    }
}

/// Compile a kind's versions (their schemas, in `spec.versions` order): one
/// [`CompiledVersion`] per version, and the errors the server refuses the CRD's CEL
/// rules with, at `spec.validation.openAPIV3Schema…` when every version has the same
/// schema (the internal version's one schema), else at
/// `spec.versions[i].schema.openAPIV3Schema…`. A version whose rules do not compile
/// gets none.
pub fn compile_versions(schemas: &[Option<&Value>]) -> (Vec<CompiledVersion>, Vec<FieldError>) {
    #[cfg_attr(not(feature = "cel"), allow(unused_mut))] // only CEL rules fail to compile
    let mut errors = Vec::new();
    #[cfg(feature = "cel")]
    let shared = schemas.windows(2).all(|w| w[0] == w[1]);
    let mut out = Vec::with_capacity(schemas.len());
    #[cfg_attr(not(feature = "cel"), allow(unused_variables))]
    for (i, schema) in schemas.iter().enumerate() {
        let walks = schema.map_or_else(Walks::default, Walks::of);
        let Some(schema) = schema.filter(|_| walks.rules) else {
            out.push(CompiledVersion {
                walks,
                ..CompiledVersion::default()
            });
            continue;
        };
        #[cfg(feature = "cel")]
        match crdgen_cel::Rules::compile(schema) {
            Ok(r) => out.push(CompiledVersion {
                declared: true,
                rules: Some(r),
                walks,
            }),
            Err(errs) => {
                out.push(CompiledVersion {
                    walks,
                    ..CompiledVersion::default()
                });
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
        out.push(CompiledVersion {
            declared: true,
            walks,
        });
    }
    (out, errors)
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
    /// The version, compiled: its CEL rules and the walks its schema needs.
    pub compiled: &'a CompiledVersion,
}

impl Checks<'_> {
    /// The schema, when the walk that `needed` names has anything to do in it.
    fn schema_for(&self, needed: impl FnOnce(Walks) -> bool) -> Option<&Value> {
        self.schema.filter(|_| needed(self.compiled.walks))
    }
}

/// Decoding an embedded resource needs string `apiVersion` and `kind`: the error of
/// the first that is not, as the 400 words it.
pub fn embedded_types(obj: &Value, checks: &Checks<'_>) -> Option<String> {
    let s = checks.schema_for(|w| w.embedded)?;
    super::embedded_type_error(obj, s)
}

/// Decoding's pruning: the unknown fields of the root's `metadata`, the fields the
/// schema does not declare, then the unknown fields of embedded resources' metadata;
/// their paths, in that order.
pub fn prune_object(obj: &mut Value, checks: &Checks<'_>) -> Vec<String> {
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
    if let Some(s) = checks.schema {
        unknown.extend(super::prune(obj, s));
    }
    if let Some(s) = checks.schema_for(|w| w.embedded) {
        unknown.extend(super::prune_embedded_meta(obj, s));
    }
    unknown
}

/// The schema's defaults, on objects of the version's kind only.
pub fn default_object(obj: &mut Value, checks: &Checks<'_>) {
    let own_kind = obj.get("kind").and_then(Value::as_str) == Some(checks.kind);
    if let Some(s) = checks.schema_for(|w| w.defaults).filter(|_| own_kind) {
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
    if let Some(s) = checks.schema_for(|w| w.embedded) {
        errs.extend(super::embedded_resources(obj, s));
    }
    if let Some(s) = checks.schema_for(|w| w.list_types) {
        errs.extend(super::validate_lists(obj, s));
    }
    if checks.compiled.declared {
        if let Some(marker) = cel_blocked_marker(&errs) {
            errs.push(marker);
        } else {
            #[cfg(feature = "cel")]
            if let Some(r) = &checks.compiled.rules {
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
        let compiled = CompiledVersion::default();
        let checks = Checks {
            kind: "Widget",
            schema: Some(&schema),
            scale: None,
            compiled: &compiled,
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
        let (compiled, _) = compile_versions(&[Some(&schema)]);
        let checks = Checks {
            kind: "Widget",
            schema: Some(&schema),
            scale: None,
            compiled: &compiled[0],
        };
        let mut obj = json!({"metadata": {"name": "a", "bogus": 1}, "spec": {}, "extra": 2});
        assert_eq!(prune_object(&mut obj, &checks), ["metadata.bogus", "extra"]);
        let mut obj = json!({"metadata": {"name": "a", "labels": {}, "uid": ""}});
        coerce_metadata(&mut obj);
        assert_eq!(obj, json!({"metadata": {"name": "a"}}));
    }

    /// Each version's walks come from its own schema, and a walk its schema needs runs.
    #[test]
    fn compiled_versions_skip_only_walks_with_nothing_to_do() {
        let plain = json!({"type": "object", "properties": {"spec": {"type": "object",
            "x-kubernetes-preserve-unknown-fields": true}}});
        let embedding = json!({"type": "object", "properties": {"spec": {"type": "object",
            "x-kubernetes-embedded-resource": true, "x-kubernetes-preserve-unknown-fields": true}}});
        let (compiled, errs) = compile_versions(&[Some(&plain), Some(&embedding), None]);
        assert!(errs.is_empty());
        let walks: Vec<bool> = compiled.iter().map(|c| c.walks().embedded).collect();
        assert_eq!(walks, [false, true, true]);
        let checks = Checks {
            kind: "Widget",
            schema: Some(&embedding),
            scale: None,
            compiled: &compiled[1],
        };
        let mut obj = json!({"kind": "Widget", "metadata": {"name": "w"},
            "spec": {"kind": "Pod", "metadata": {"bogus": 1}}});
        assert_eq!(prune_object(&mut obj, &checks), ["spec.metadata.bogus"]);
        let fields: Vec<String> = validate_object(&checks, &obj, None, &mut Vec::new())
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["spec.apiVersion"]);
        let bad = json!({"kind": "Widget", "spec": {"kind": 1}});
        assert_eq!(
            embedded_types(&bad, &checks).as_deref(),
            Some("spec.kind: Invalid value: 1: must be a string")
        );
    }
}
