//! Typed server-side apply: apply configurations, [`ApplyParams`] and extract.
//!
//! client-go's applyconfiguration-gen, for custom resources. `crdgen generate
//! --apply-configurations` writes, next to each kind `Widget`, a `WidgetApply` whose
//! every field is optional and left out of the request when unset, with builder
//! methods; a controller applies only the fields it manages, so it owns only those:
//!
//! ```ignore
//! let cfg = WidgetApply::new("a", "default").spec(WidgetSpecApply::default().replicas(3));
//! let widget: Widget = widgets.apply(&cfg, &ApplyParams::new("scaler")).await?;
//! ```
//!
//! [`extract`] (client-go's `ExtractWidget`) reads back what one manager applied, from
//! the object's `managedFields`, so a controller can change one field and apply again
//! without dropping (and so deleting) the others it owns:
//!
//! ```ignore
//! let mut cfg = WidgetApply::extract(&widgets.get("a").await?, "scaler")?;
//! cfg = cfg.spec(cfg.spec.clone().unwrap_or_default().replicas(4));
//! widgets.apply(&cfg, &ApplyParams::new("scaler")).await?;
//! ```
//!
//! The generic parts live here: [`extract`] over JSON, [`extract_typed`] which
//! generated code calls, [`ApplyConfiguration`] which the typed client's
//! [`apply`](crate::client::ResourceClient::apply) takes.

use std::collections::BTreeMap;
use std::fmt::Debug;
use std::sync::{Arc, LazyLock, Mutex};

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::PatchParams;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::CustomResource;
use crate::error::{Error, Result};

mod extract;
// structured-merge-diff's field sets, shared with the in-memory server's field manager.
#[cfg_attr(not(feature = "server"), allow(dead_code))]
pub(crate) mod fieldset;

pub use extract::extract;

/// How to apply: the field manager (required), `force` and `dryRun=All`.
///
/// ```
/// use crdgen_runtime::apply::ApplyParams;
/// let params = ApplyParams::new("my-controller").force();
/// assert_eq!((params.field_manager.as_str(), params.force, params.dry_run), ("my-controller", true, false));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ApplyParams {
    /// Who applies: the manager that owns the fields applied. Required (the API server
    /// answers 422 without one; [`ResourceClient::apply`](crate::client::ResourceClient::apply)
    /// fails with [`Error::MissingFieldManager`] before sending).
    pub field_manager: String,
    /// Take fields other managers own instead of failing with a 409 conflict.
    pub force: bool,
    /// `dryRun=All`: the server answers with the result but stores nothing.
    pub dry_run: bool,
}

impl ApplyParams {
    /// Apply as `field_manager`, without force or dry run.
    pub fn new(field_manager: impl Into<String>) -> Self {
        Self {
            field_manager: field_manager.into(),
            ..Self::default()
        }
    }

    /// Take over fields owned by other managers (`force=true`).
    #[must_use]
    pub fn force(mut self) -> Self {
        self.force = true;
        self
    }

    /// Send with `dryRun=All`.
    #[must_use]
    pub fn dry_run(mut self) -> Self {
        self.dry_run = true;
        self
    }

    /// kube's [`PatchParams`] for these parameters; [`Error::MissingFieldManager`] when
    /// the field manager is empty.
    pub fn patch_params(&self) -> Result<PatchParams> {
        if self.field_manager.is_empty() {
            return Err(Error::MissingFieldManager);
        }
        let mut params = PatchParams::apply(&self.field_manager);
        params.force = self.force;
        params.dry_run = self.dry_run;
        Ok(params)
    }
}

/// What the typed client's `apply` sends: a generated apply configuration of `K`
/// (`WidgetApply` for `Widget`), a whole `K`, or a `serde_json::Value` holding
/// `apiVersion`, `kind` and `metadata.name`.
pub trait ApplyConfiguration<K>: Serialize + Debug {
    /// The name of the object to apply (`metadata.name`).
    fn object_name(&self) -> Option<&str>;
}

impl<K: CustomResource> ApplyConfiguration<K> for Value {
    fn object_name(&self) -> Option<&str> {
        self.pointer("/metadata/name").and_then(Value::as_str)
    }
}

impl<K: CustomResource + Serialize + Debug> ApplyConfiguration<K> for K {
    fn object_name(&self) -> Option<&str> {
        self.meta().name.as_deref()
    }
}

/// The typed side of [`extract`], for generated code: serializes `obj`, extracts what
/// `field_manager` applied (through `subresource`, `Some("status")` for the status)
/// and decodes it as the apply configuration `A`. `crd` is the kind's `crd()`; the
/// schema of `K::VERSION` is read from it once per kind and version.
pub fn extract_typed<K, A>(
    obj: &K,
    crd: fn() -> CustomResourceDefinition,
    field_manager: &str,
    subresource: Option<&str>,
) -> Result<A>
where
    K: CustomResource + Serialize,
    A: DeserializeOwned,
{
    let object = serde_json::to_value(obj)?;
    let schema = version_schema::<K>(crd);
    let extracted = extract(&object, field_manager, subresource, schema.as_deref());
    serde_json::from_value(extracted).map_err(|source| Error::Decode {
        gvk: Box::new(kube::core::GroupVersionKind::gvk(
            K::GROUP,
            K::VERSION,
            K::KIND,
        )),
        type_name: std::any::type_name::<A>(),
        source,
    })
}

/// The `openAPIV3Schema` of `K`'s version, cached by API version and kind.
fn version_schema<K: CustomResource>(crd: fn() -> CustomResourceDefinition) -> Option<Arc<Value>> {
    type Cache = Mutex<BTreeMap<(&'static str, &'static str), Option<Arc<Value>>>>;
    static CACHE: LazyLock<Cache> = LazyLock::new(Cache::default);
    let key = (K::API_VERSION, K::KIND);
    if let Some(s) = CACHE.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
        return s.clone();
    }
    let schema = crd()
        .spec
        .versions
        .into_iter()
        .find(|v| v.name == K::VERSION)
        .and_then(|v| v.schema?.open_api_v3_schema)
        .and_then(|s| serde_json::to_value(s).ok())
        .map(Arc::new);
    CACHE
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(key, schema.clone());
    schema
}
