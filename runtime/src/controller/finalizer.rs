//! The finalizer helper: kube-runtime's [`finalizer`](kube::runtime::finalizer()),
//! returning this layer's [`Action`].
//!
//! kube-runtime's helper does the work (adds the finalizer with a JSON patch guarded
//! by a `test` op, calls `Apply` while the object lives and `Cleanup` once it is being
//! deleted, then removes the finalizer); this wrapper only carries the reconcile's
//! [`Action`] through it, since kube-runtime's `Action` cannot be read back.

use std::error::Error as StdError;
use std::fmt::Debug;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};

use kube::Resource;
use kube::api::Api;
use kube::runtime::controller::Action as KubeAction;
pub use kube::runtime::finalizer::{Error, Event};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::Action;

/// Reconcile `obj` behind the finalizer `finalizer_name` (kube-runtime's
/// [`finalizer`](kube::runtime::finalizer())): `reconcile` gets [`Event::Apply`]
/// while the object lives and [`Event::Cleanup`] once it is being deleted; the
/// finalizer is added first and removed after a successful cleanup (each of those
/// writes is its own step and returns [`Action::await_change`]: the write triggers the
/// next reconcile).
///
/// ```no_run
/// # use std::sync::Arc;
/// # use crdgen_runtime::controller::{Action, finalizer};
/// # use crdgen_runtime::k8s_openapi::api::core::v1::ConfigMap;
/// # use crdgen_runtime::kube::api::Api;
/// # async fn reconcile(cm: Arc<ConfigMap>, api: Api<ConfigMap>) -> Result<Action, finalizer::Error<std::io::Error>> {
/// finalizer::finalizer(&api, "example.com/cleanup", cm, |event| async move {
///     match event {
///         finalizer::Event::Apply(_cm) => Ok(Action::await_change()),
///         finalizer::Event::Cleanup(_cm) => Ok::<_, std::io::Error>(Action::await_change()),
///     }
/// })
/// .await
/// # }
/// ```
pub async fn finalizer<K, F, Fut, E>(
    api: &Api<K>,
    finalizer_name: &str,
    obj: Arc<K>,
    reconcile: F,
) -> Result<Action, Error<E>>
where
    K: Resource + Clone + DeserializeOwned + Serialize + Debug,
    F: FnOnce(Event<K>) -> Fut,
    Fut: Future<Output = Result<Action, E>>,
    E: StdError + 'static,
{
    let action = Mutex::new(None);
    let slot = &action;
    kube::runtime::finalizer::finalizer(api, finalizer_name, obj, move |event| async move {
        let next = reconcile(event).await?;
        *slot.lock().unwrap_or_else(PoisonError::into_inner) = Some(next);
        // Unread: kube-runtime returns the reconcile's action as it is.
        Ok::<_, E>(KubeAction::await_change())
    })
    .await?;
    let action = action.into_inner().unwrap_or_else(PoisonError::into_inner);
    Ok(action.unwrap_or_else(Action::await_change))
}
