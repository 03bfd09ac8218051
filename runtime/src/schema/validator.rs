//! Client-side validation: a CRD's schemas and CEL rules compiled once, run on objects
//! as the API server runs them before storing (prune, default, validate, list types,
//! CEL unless a blocking error), with the server's `422` message.
//!
//! ```
//! use crdgen_runtime::schema::Validator;
//! let crd = serde_json::json!({
//!     "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
//!     "metadata": {"name": "widgets.example.com"},
//!     "spec": {"group": "example.com", "scope": "Namespaced",
//!         "names": {"plural": "widgets", "kind": "Widget"},
//!         "versions": [{"name": "v1", "served": true, "storage": true, "schema": {"openAPIV3Schema": {
//!             "type": "object", "properties": {"spec": {"type": "object", "properties": {
//!                 "replicas": {"type": "integer", "minimum": 0}}}}}}}]}});
//! let v = Validator::from_crd(&crd).unwrap();
//! let w = serde_json::json!({"apiVersion": "example.com/v1", "kind": "Widget",
//!     "metadata": {"name": "w"}, "spec": {"replicas": -1}});
//! assert_eq!(
//!     v.validate(&w).unwrap_err().to_string(),
//!     "Widget.example.com \"w\" is invalid: spec.replicas: Invalid value: -1: \
//!      spec.replicas in body should be greater than or equal to 0"
//! );
//! ```
//!
//! It runs the [`pipeline`](super::pipeline) the in-memory server runs, so its
//! verdict is the server's: the kind, ObjectMeta (name, labels, annotations, owner
//! references, finalizers), the schema, the scale subresource's paths, embedded
//! resources' `apiVersion`/`kind`/`metadata`, list types and CEL. Only what needs a
//! request is left to the server: strict decoding (unknown fields are pruned here
//! without a word), the namespace, the name generated from `generateName`, no new
//! finalizers while deleting.

use std::any::TypeId;
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::{Arc, Mutex, OnceLock};

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use serde::Serialize;
use serde_json::Value;

use super::pipeline::{self, Checks, CompiledVersion};
use super::{ErrorType, FieldError, ScaleInfo};

/// One version: its schema, scale subresource and what the schema compiled to.
struct Version {
    schema: Option<Value>,
    scale: Option<ScaleInfo>,
    compiled: CompiledVersion,
}

/// A CRD's validation, compiled once: every version's `openAPIV3Schema` and CEL rules.
pub struct Validator {
    group: String,
    kind: String,
    versions: BTreeMap<String, Version>,
}

impl fmt::Debug for Validator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Validator")
            .field("group", &self.group)
            .field("kind", &self.kind)
            .field("versions", &self.versions.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// The server's `422 Invalid` for an object: its Display is the Status message,
/// `<Kind>.<group> "<name>" is invalid: <error>` (one error) or `[<error>, …]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Invalid {
    /// The kind, e.g. `Widget`.
    pub kind: String,
    /// The API group.
    pub group: String,
    /// The object's name.
    pub name: String,
    /// Every error, in the server's order (`details.causes`).
    pub errors: Vec<FieldError>,
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let qualified = if self.group.is_empty() {
            self.kind.clone()
        } else {
            format!("{}.{}", self.kind, self.group)
        };
        f.write_str(&invalid_message(&qualified, &self.name, &self.errors))
    }
}

impl std::error::Error for Invalid {}

/// `<qualified kind> "<name>" is invalid: …`, the errors as `ErrorList.ToAggregate`
/// lists them (repeated messages once).
pub fn invalid_message(qualified_kind: &str, name: &str, errors: &[FieldError]) -> String {
    let mut shown: Vec<String> = Vec::new();
    for e in errors {
        let m = e.to_string();
        if !shown.contains(&m) {
            shown.push(m);
        }
    }
    let list = if shown.len() == 1 {
        shown.remove(0)
    } else {
        format!("[{}]", shown.join(", "))
    };
    format!(
        "{qualified_kind} {} is invalid: {list}",
        crdgen_apiext::go_quote(name)
    )
}

impl Validator {
    /// Compile a `CustomResourceDefinition` (apiextensions.k8s.io/v1, as JSON). Err: the
    /// CEL rules that do not compile, as the server refuses them.
    pub fn from_crd(crd: &Value) -> Result<Validator, Vec<FieldError>> {
        let spec = &crd["spec"];
        let items: Vec<&Value> = spec["versions"].as_array().into_iter().flatten().collect();
        let schemas: Vec<Option<&Value>> = items
            .iter()
            .map(|v| v.pointer("/schema/openAPIV3Schema"))
            .collect();
        let (compiled, errors) = pipeline::compile_versions(&schemas);
        if !errors.is_empty() {
            return Err(errors);
        }
        let versions = items
            .iter()
            .zip(compiled)
            .map(|(v, compiled)| {
                let name = v["name"].as_str().unwrap_or_default().to_owned();
                let version = Version {
                    schema: v.pointer("/schema/openAPIV3Schema").cloned(),
                    scale: ScaleInfo::of_crd_version(v),
                    compiled,
                };
                (name, version)
            })
            .collect();
        Ok(Validator {
            group: spec["group"].as_str().unwrap_or_default().to_owned(),
            kind: spec["names"]["kind"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            versions,
        })
    }

    /// How many CEL rules the CRD has, summed over its versions (0 without the `cel`
    /// feature).
    pub fn rule_count(&self) -> usize {
        self.versions.values().map(|v| v.compiled.len()).sum()
    }

    /// Validate an object as the server does on create.
    pub fn validate(&self, object: &Value) -> Result<(), Invalid> {
        self.run(object, None)
    }

    /// Validate an update from `old`, ratcheting (unchanged invalid values pass).
    pub fn validate_update(&self, object: &Value, old: &Value) -> Result<(), Invalid> {
        self.run(object, Some(old))
    }

    fn run(&self, object: &Value, old: Option<&Value>) -> Result<(), Invalid> {
        let name = object
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        // The server's Status names the kind the object named.
        let kind = object
            .get("kind")
            .and_then(Value::as_str)
            .filter(|k| !k.is_empty())
            .unwrap_or(&self.kind);
        let invalid = |errors| Invalid {
            kind: kind.to_owned(),
            group: self.group.clone(),
            name: name.clone(),
            errors,
        };
        let api_version = object["apiVersion"].as_str().unwrap_or_default();
        let version = api_version.rsplit('/').next().unwrap_or_default();
        let Some(v) = self.versions.get(version) else {
            return Err(invalid(vec![FieldError::new(
                ErrorType::NotSupported,
                "apiVersion",
                Some(api_version.into()),
                format!(
                    "supported values: {}",
                    self.versions
                        .keys()
                        .map(|k| crdgen_apiext::go_quote(&format!("{}/{k}", self.group)))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )]));
        };
        let checks = Checks {
            kind: &self.kind,
            schema: v.schema.as_ref(),
            scale: v.scale.as_ref(),
            compiled: &v.compiled,
        };
        // Decoding and defaulting as the server does them before validating.
        let prepare = |x: &Value| {
            let mut x = x.clone();
            pipeline::prune_object(&mut x, &checks);
            pipeline::default_object(&mut x, &checks);
            pipeline::coerce_metadata(&mut x);
            x
        };
        let new = prepare(object);
        let old = old.map(prepare);
        // The finalizer names' warnings are the server's to send.
        let errs = pipeline::validate_object(&checks, &new, old.as_ref(), &mut Vec::new());
        if errs.is_empty() {
            Ok(())
        } else {
            Err(invalid(errs))
        }
    }
}

/// A kind that can give the CustomResourceDefinition it was generated from (generated
/// kinds and derive kinds have an inherent `crd()`; this trait names it).
pub trait HasCrd {
    /// The CRD, every version.
    fn crd() -> CustomResourceDefinition;
}

/// Validation of a typed object before sending it, as the server would answer.
/// Implemented for every [`HasCrd`] kind; the CRD is compiled once per type.
pub trait Validate {
    /// Validate as on create: all errors, or `Ok`.
    fn validate(&self) -> Result<(), Invalid>;
    /// Validate as an update from `old` (ratcheting).
    fn validate_update(&self, old: &Self) -> Result<(), Invalid>;
}

/// The compiled validator of a [`HasCrd`] type, built on first use.
pub fn validator_of<K: HasCrd + 'static>() -> Result<Arc<Validator>, Vec<FieldError>> {
    type Cache = Mutex<HashMap<TypeId, Arc<Validator>>>;
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(v) = cache
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(&TypeId::of::<K>())
    {
        return Ok(v.clone());
    }
    let crd = serde_json::to_value(K::crd()).expect("a CRD always serializes");
    let v = Arc::new(Validator::from_crd(&crd)?);
    // Two threads may have compiled it at once: every caller gets the one cached first.
    let cached = cache
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .entry(TypeId::of::<K>())
        .or_insert(v)
        .clone();
    Ok(cached)
}

impl<K: HasCrd + Serialize + 'static> Validate for K {
    fn validate(&self) -> Result<(), Invalid> {
        let (v, obj) = prepared(self)?;
        v.validate(&obj)
    }

    fn validate_update(&self, old: &Self) -> Result<(), Invalid> {
        let (v, obj) = prepared(self)?;
        let old = serde_json::to_value(old).unwrap_or(Value::Null);
        v.validate_update(&obj, &old)
    }
}

fn prepared<K: HasCrd + Serialize + 'static>(k: &K) -> Result<(Arc<Validator>, Value), Invalid> {
    let obj = serde_json::to_value(k).unwrap_or(Value::Null);
    let v = validator_of::<K>().map_err(|errors| Invalid {
        kind: "CustomResourceDefinition".into(),
        group: "apiextensions.k8s.io".into(),
        name: String::new(),
        errors,
    })?;
    Ok((v, obj))
}
