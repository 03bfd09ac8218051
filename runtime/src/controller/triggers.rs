//! What puts a key into a controller's queue: the kind's own changes, its owned
//! objects' owner references, and a mapper over any watched kind. Each is an event
//! handler on a shared informer (no watch of its own).

use std::any::TypeId;
use std::sync::Arc;

use kube::Resource;
use kube::core::ClusterResourceScope;
use kube::runtime::reflector::ObjectRef;

use crate::cache::ObjectKey;
use crate::informer::{FnHandler, SharedIndexInformer};
use crate::queue::WorkQueue;

/// Registers a trigger's handler on its informer once the controller runs.
pub(super) type Register = Box<dyn FnOnce(&WorkQueue<ObjectKey>) + Send>;

/// The queue key of an object reference.
pub(super) fn key_of<K: Resource<DynamicType = ()>>(r: &ObjectRef<K>) -> ObjectKey {
    ObjectKey::new(r.namespace.as_deref(), &r.name)
}

/// The object reference of a queue key.
pub(super) fn ref_of<K: Resource<DynamicType = ()>>(key: &ObjectKey) -> ObjectRef<K> {
    let r = ObjectRef::new(key.name());
    match key.namespace() {
        "" => r,
        ns => r.within(ns),
    }
}

/// Whether an update is only a resync's re-delivery of the same object.
fn same_version<T: Resource>(old: &T, new: &T) -> bool {
    let (a, b) = (&old.meta().resource_version, &new.meta().resource_version);
    a.is_some() && a == b
}

/// Enqueue the kind's own objects on add and update (resyncs included: a controller
/// is level-triggered). Deletions enqueue nothing: the object is gone from the cache,
/// so there is nothing to reconcile (use a finalizer to act on deletion).
pub(super) fn own<K>(informer: SharedIndexInformer<K>) -> Register
where
    K: Resource + Send + Sync + 'static,
{
    Box::new(move |queue| {
        let (on_add, on_update) = (queue.clone(), queue.clone());
        informer.add_event_handler(
            FnHandler::new()
                .add_func(move |o: &Arc<K>| enqueue(&on_add, o.as_ref()))
                .update_func(move |_: &Arc<K>, o: &Arc<K>| enqueue(&on_update, o.as_ref())),
        );
    })
}

fn enqueue<K: Resource>(queue: &WorkQueue<ObjectKey>, obj: &K) {
    if let Ok(key) = ObjectKey::from_object(obj) {
        queue.add(key);
    }
}

/// Enqueue the owners of kind `K` named in a child's `ownerReferences` (matched on
/// `apiVersion` and `kind`, as kube-runtime's `owns` does) on its add, update and
/// delete; a resync's re-delivery is skipped (the owner gets its own).
pub(super) fn owners<K, C>(children: SharedIndexInformer<C>) -> Register
where
    K: Resource<DynamicType = ()>,
    K::Scope: 'static,
    C: Resource + Send + Sync + 'static,
{
    mapped(children, |c: &Arc<C>| owner_keys::<K, C>(c))
}

/// The keys of `child`'s owners of kind `K`: in the child's namespace when `K` is
/// namespaced (an owner is in its child's namespace), without one when it is
/// cluster-scoped.
pub(super) fn owner_keys<K, C>(child: &C) -> Vec<ObjectKey>
where
    K: Resource<DynamicType = ()>,
    K::Scope: 'static,
    C: Resource,
{
    let meta = child.meta();
    let cluster = TypeId::of::<K::Scope>() == TypeId::of::<ClusterResourceScope>();
    let namespace = if cluster {
        None
    } else {
        meta.namespace.as_deref()
    };
    let (api_version, kind) = (K::api_version(&()), K::kind(&()));
    meta.owner_references
        .iter()
        .flatten()
        .filter(|o| o.api_version == api_version && o.kind == kind)
        .map(|o| ObjectKey::new(namespace, &o.name))
        .collect()
}

/// Enqueue what `map` returns for an object of `informer` on its add, update and
/// delete; a resync's re-delivery is skipped.
pub(super) fn mapped<O, F, I>(informer: SharedIndexInformer<O>, map: F) -> Register
where
    O: Resource + Send + Sync + 'static,
    F: Fn(&Arc<O>) -> I + Send + Sync + 'static,
    I: IntoIterator<Item = ObjectKey>,
{
    Box::new(move |queue| {
        let map = Arc::new(map);
        let push = move |queue: &WorkQueue<ObjectKey>, map: &F, o: &Arc<O>| {
            for key in map(o) {
                queue.add(key);
            }
        };
        let (q1, q2, q3) = (queue.clone(), queue.clone(), queue.clone());
        let (m1, m2, m3) = (map.clone(), map.clone(), map);
        informer.add_event_handler(
            FnHandler::new()
                .add_func(move |o: &Arc<O>| push(&q1, &m1, o))
                .update_func(move |old: &Arc<O>, new: &Arc<O>| {
                    if !same_version(old.as_ref(), new.as_ref()) {
                        push(&q2, &m2, new);
                    }
                })
                .delete_func(move |o: &Arc<O>| push(&q3, &m3, o)),
        );
    })
}

#[cfg(test)]
mod tests {
    use k8s_openapi::api::core::v1::{ConfigMap, Namespace, Secret};
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference;

    use super::*;

    fn owned_by(refs: &[(&str, &str, &str)]) -> Secret {
        let mut s = Secret::default();
        s.metadata.namespace = Some("ns".into());
        s.metadata.name = Some("child".into());
        s.metadata.owner_references = Some(
            refs.iter()
                .map(|(api_version, kind, name)| OwnerReference {
                    api_version: (*api_version).into(),
                    kind: (*kind).into(),
                    name: (*name).into(),
                    uid: format!("uid-{name}"),
                    ..Default::default()
                })
                .collect(),
        );
        s
    }

    #[test]
    fn owner_keys_match_api_version_and_kind() {
        let child = owned_by(&[
            ("v1", "ConfigMap", "a"),
            ("apps/v1", "ConfigMap", "wrong-group"),
            ("v1", "Secret", "wrong-kind"),
            ("v1", "ConfigMap", "b"),
        ]);
        let keys = owner_keys::<ConfigMap, _>(&child);
        let keys: Vec<_> = keys.iter().map(ObjectKey::as_str).collect();
        assert_eq!(keys, ["ns/a", "ns/b"]);
    }

    #[test]
    fn cluster_scoped_owners_have_no_namespace() {
        let child = owned_by(&[("v1", "Namespace", "team")]);
        let keys = owner_keys::<Namespace, _>(&child);
        assert_eq!(keys, [ObjectKey::new(None, "team")]);
    }

    #[test]
    fn keys_and_refs_round_trip() {
        for key in [ObjectKey::new(Some("ns"), "a"), ObjectKey::new(None, "b")] {
            let r: ObjectRef<ConfigMap> = ref_of(&key);
            assert_eq!(key_of(&r), key);
        }
        let r: ObjectRef<ConfigMap> = ref_of(&ObjectKey::new(Some("ns"), "a"));
        assert_eq!((r.namespace.as_deref(), r.name.as_str()), (Some("ns"), "a"));
    }
}
