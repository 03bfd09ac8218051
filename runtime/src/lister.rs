//! Read-only views over a [`Cache`] (client-go's lister-gen output, made generic).
//!
//! There are no per-kind lister types: generated code and controllers use
//! [`Lister<K>`](Lister) for every kind, got from an informer
//! ([`SharedIndexInformer::lister`](crate::informer::SharedIndexInformer::lister)), and
//! read objects as `Arc<K>`: shared, never copied, never mutated in place (clone
//! the object to change it, then write it through a client).
//!
//! Every listing is in key order (namespace, then name), and is served from the
//! namespace index or a user index rather than by scanning the whole cache whenever a
//! namespace or an index is named.

use std::fmt;
use std::sync::Arc;

use kube::Resource;

use crate::cache::{Cache, CacheError, ObjectKey};
use crate::selector::Selector;

/// Cluster-wide read access to cached objects of kind `K`. Cheap to clone.
///
/// Controllers get one from an informer
/// ([`SharedIndexInformer::lister`](crate::informer::SharedIndexInformer::lister)); here
/// it reads a cache filled by hand:
///
/// ```
/// use crdgen_runtime::cache::Cache;
/// use crdgen_runtime::k8s_openapi::api::core::v1::ConfigMap;
/// use crdgen_runtime::lister::Lister;
/// use crdgen_runtime::selector::Selector;
///
/// let cache = Cache::<ConfigMap>::new();
/// for (ns, name, app) in [("prod", "a", "web"), ("prod", "b", "db"), ("dev", "c", "web")] {
///     let mut cm = ConfigMap::default();
///     cm.metadata.namespace = Some(ns.into());
///     cm.metadata.name = Some(name.into());
///     cm.metadata.labels = Some([("app".to_owned(), app.to_owned())].into());
///     cache.add(cm)?;
/// }
/// let lister = Lister::new(cache);
/// assert!(lister.get(Some("prod"), "a").is_some());
/// let web = lister.list(&Selector::parse("app=web")?);
/// assert_eq!(web.len(), 2);
/// let prod = lister.namespaced("prod").list(&Selector::everything());
/// let names: Vec<_> = prod.iter().map(|cm| cm.metadata.name.clone().unwrap()).collect();
/// assert_eq!(names, ["a", "b"]); // key order
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Lister<K> {
    cache: Cache<K>,
}

impl<K> Clone for Lister<K> {
    fn clone(&self) -> Self {
        Lister {
            cache: self.cache.clone(),
        }
    }
}

impl<K> fmt::Debug for Lister<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Lister")
            .field("cache", &self.cache)
            .finish()
    }
}

impl<K: Resource> Lister<K> {
    /// A lister over `cache`.
    pub fn new(cache: Cache<K>) -> Self {
        Lister { cache }
    }

    /// The object `name` in `namespace` (`None` for cluster-scoped kinds).
    pub fn get(&self, namespace: Option<&str>, name: &str) -> Option<Arc<K>> {
        self.cache.get(namespace, name)
    }

    /// The object with this key (`namespace/name` or `name`), as work queues carry.
    pub fn get_by_key(&self, key: &str) -> Option<Arc<K>> {
        self.cache.get_by_key(key)
    }

    /// Every object, in all namespaces, whose labels match `selector`, in key order.
    pub fn list(&self, selector: &Selector) -> Vec<Arc<K>> {
        if selector.is_everything() {
            self.cache.list()
        } else {
            self.cache
                .list_filtered(None, |o| selector.matches_object(o))
        }
    }

    /// A view of one namespace.
    pub fn namespaced(&self, namespace: &str) -> NamespaceLister<K> {
        NamespaceLister {
            cache: self.cache.clone(),
            namespace: Arc::from(namespace),
        }
    }

    /// The objects filed under `value` in the index `index` (a user indexer's name or
    /// [`NAMESPACE_INDEX`](crate::cache::NAMESPACE_INDEX)), in key order.
    pub fn by_index(&self, index: &str, value: &str) -> Result<Vec<Arc<K>>, CacheError> {
        self.cache.by_index(index, value)
    }

    /// The keys filed under `value` in `index`, in order.
    pub fn index_keys(&self, index: &str, value: &str) -> Result<Vec<ObjectKey>, CacheError> {
        self.cache.index_keys(index, value)
    }

    /// Number of cached objects.
    pub fn len(&self) -> usize {
        self.cache.len()
    }

    /// Whether nothing is cached.
    pub fn is_empty(&self) -> bool {
        self.cache.is_empty()
    }
}

/// Read access to the cached objects of one namespace. Cheap to clone.
pub struct NamespaceLister<K> {
    cache: Cache<K>,
    namespace: Arc<str>,
}

impl<K> Clone for NamespaceLister<K> {
    fn clone(&self) -> Self {
        NamespaceLister {
            cache: self.cache.clone(),
            namespace: self.namespace.clone(),
        }
    }
}

impl<K> fmt::Debug for NamespaceLister<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NamespaceLister")
            .field("namespace", &self.namespace)
            .finish_non_exhaustive()
    }
}

impl<K: Resource> NamespaceLister<K> {
    /// The namespace this view reads.
    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    /// The object `name` in this namespace.
    pub fn get(&self, name: &str) -> Option<Arc<K>> {
        self.cache.get(Some(&self.namespace), name)
    }

    /// The objects of this namespace whose labels match `selector`, in name order.
    /// Reads only this namespace's objects (from the namespace index).
    pub fn list(&self, selector: &Selector) -> Vec<Arc<K>> {
        if selector.is_everything() {
            self.cache.list_namespace(&self.namespace)
        } else {
            self.cache
                .list_filtered(Some(&self.namespace), |o| selector.matches_object(o))
        }
    }

    /// The objects of this namespace filed under `value` in `index`, in name order.
    pub fn by_index(&self, index: &str, value: &str) -> Result<Vec<Arc<K>>, CacheError> {
        let mut objects = self.cache.by_index(index, value)?;
        objects.retain(|o| o.meta().namespace.as_deref().unwrap_or("") == &*self.namespace);
        Ok(objects)
    }
}
