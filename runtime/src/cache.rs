//! A thread-safe, indexed object cache: the store behind listers and informers
//! (client-go's `cache.Indexer` / `ThreadSafeStore`).
//!
//! Objects are held as [`Arc<K>`] and keyed by [`ObjectKey`], client-go's
//! `MetaNamespaceKeyFunc` (`namespace/name`, or `name` for cluster-scoped objects).
//! Every object is also filed under its namespace (cluster-scoped objects under `""`),
//! so listing a namespace touches only that namespace's objects, in order. User
//! indexers ([`Cache::add_indexer`]) map an object to any number of index values and
//! are maintained incrementally on every change.
//!
//! Results are returned in a deterministic order: by namespace, then name
//! ([`ObjectKey`]'s `Ord`).
//!
//! ```
//! use crdgen_runtime::cache::Cache;
//! use crdgen_runtime::k8s_openapi::api::core::v1::ConfigMap;
//! use crdgen_runtime::kube::api::ObjectMeta;
//!
//! let cache = Cache::<ConfigMap>::new();
//! cache.add_indexer("by-owner", |cm: &ConfigMap| {
//!     cm.metadata.labels.iter().flatten().filter(|(k, _)| *k == "owner").map(|(_, v)| v.clone()).collect()
//! })?;
//! let meta = |ns: &str, name: &str| ObjectMeta { namespace: Some(ns.into()), name: Some(name.into()), ..Default::default() };
//! cache.add(ConfigMap { metadata: meta("a", "x"), ..Default::default() })?;
//! cache.add(ConfigMap { metadata: meta("b", "y"), ..Default::default() })?;
//! assert_eq!(cache.list_namespace("a").len(), 1);
//! assert!(cache.get(Some("b"), "y").is_some());
//! # Ok::<(), crdgen_runtime::cache::CacheError>(())
//! ```

use std::borrow::Borrow;
use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

use kube::Resource;

/// Hash maps of the cache: aHash (as kube-runtime's `Store`), much faster than SipHash
/// on short keys; keys come from the API server, not from untrusted clients.
type HashMap<K, V> = std::collections::HashMap<K, V, ahash::RandomState>;

/// The name of the namespace index that every [`Cache`] maintains (client-go's
/// `cache.NamespaceIndex`). `by_index(NAMESPACE_INDEX, "ns")` lists a namespace.
pub const NAMESPACE_INDEX: &str = "namespace";

/// Errors from cache operations.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CacheError {
    /// The object has no `metadata.name`, so it has no key.
    #[error("object has no metadata.name and cannot be keyed")]
    MissingName,
    /// An indexer with this name already exists (or is the built-in namespace index).
    #[error("indexer {0:?} already exists")]
    IndexerExists(String),
    /// No indexer with this name was added.
    #[error("index {0:?} does not exist")]
    UnknownIndex(String),
}

/// The key of a cached object: `namespace/name`, or `name` for cluster-scoped
/// objects (client-go's `MetaNamespaceKeyFunc`).
///
/// Cloning is a reference-count increment. Keys order by namespace, then name, which
/// is the order every listing returns. An `ObjectKey` is a natural work-queue item.
#[derive(Clone, PartialEq, Eq)]
pub struct ObjectKey(Arc<str>);

impl ObjectKey {
    /// The key of `name` in `namespace` (`None` or `""` for cluster scope).
    pub fn new(namespace: Option<&str>, name: &str) -> Self {
        match namespace {
            Some(ns) if !ns.is_empty() => {
                let mut s = String::with_capacity(ns.len() + 1 + name.len());
                s.push_str(ns);
                s.push('/');
                s.push_str(name);
                ObjectKey(Arc::from(s))
            }
            _ => ObjectKey(Arc::from(name)),
        }
    }

    /// The key of an object, or [`CacheError::MissingName`].
    pub fn from_object<K: Resource>(object: &K) -> Result<Self, CacheError> {
        let meta = object.meta();
        let name = meta.name.as_deref().ok_or(CacheError::MissingName)?;
        Ok(ObjectKey::new(meta.namespace.as_deref(), name))
    }

    /// Parse a `namespace/name` or `name` string (client-go's
    /// `SplitMetaNamespaceKey`; the first `/` separates).
    pub fn parse(key: &str) -> Self {
        ObjectKey(Arc::from(key))
    }

    /// The key as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The namespace part, `""` for a cluster-scoped key.
    pub fn namespace(&self) -> &str {
        self.split().0
    }

    /// The name part.
    pub fn name(&self) -> &str {
        self.split().1
    }

    fn split(&self) -> (&str, &str) {
        split_key(&self.0)
    }
}

impl Hash for ObjectKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0.hash(state);
    }
}

impl Ord for ObjectKey {
    fn cmp(&self, other: &Self) -> Ordering {
        self.split().cmp(&other.split())
    }
}

impl PartialOrd for ObjectKey {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for ObjectKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for ObjectKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl AsRef<str> for ObjectKey {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// Split `namespace/name` (or `name`) at the first `/`. A plain byte scan: the
/// namespace part is at most 63 bytes, where `memchr`'s setup costs more than it saves.
fn split_key(key: &str) -> (&str, &str) {
    match key.bytes().position(|b| b == b'/') {
        // Splitting at an ASCII byte keeps both halves valid UTF-8.
        Some(at) => (&key[..at], &key[at + 1..]),
        None => ("", key),
    }
}

/// Run `f` with the key of `name` in `namespace` without allocating for any valid
/// Kubernetes name (namespace ≤ 63 bytes, name ≤ 253 bytes).
fn with_key<R>(namespace: Option<&str>, name: &str, f: impl FnOnce(&str) -> R) -> R {
    match namespace {
        Some(ns) if !ns.is_empty() => {
            let len = ns.len() + 1 + name.len();
            let mut buf = [0u8; 320];
            if len <= buf.len() {
                buf[..ns.len()].copy_from_slice(ns.as_bytes());
                buf[ns.len()] = b'/';
                buf[ns.len() + 1..len].copy_from_slice(name.as_bytes());
                // Concatenating two `str`s and an ASCII byte is valid UTF-8.
                f(std::str::from_utf8(&buf[..len]).expect("concatenation of UTF-8 strings"))
            } else {
                f(&format!("{ns}/{name}"))
            }
        }
        _ => f(name),
    }
}

/// A function from an object to its index values (client-go's `IndexFunc`). It must
/// be deterministic (the same object always gives the same values) and should not
/// panic: a panicking indexer fails the cache operation that called it, leaving the
/// cache unchanged.
pub type IndexFn<K> = Arc<dyn Fn(&K) -> Vec<String> + Send + Sync>;

/// The object keys filed under one index value. Most index values of a unique-ish
/// index hold one key, which then costs no tree node.
enum KeySet {
    One(ObjectKey),
    Many(BTreeSet<ObjectKey>),
}

impl KeySet {
    fn insert(&mut self, key: ObjectKey) {
        match self {
            KeySet::One(existing) if *existing == key => {}
            KeySet::One(existing) => {
                let set = BTreeSet::from([existing.clone(), key]);
                *self = KeySet::Many(set);
            }
            KeySet::Many(set) => {
                set.insert(key);
            }
        }
    }

    /// Remove `key`; true when the set is now empty.
    fn remove(&mut self, key: &ObjectKey) -> bool {
        match self {
            KeySet::One(existing) => existing == key,
            KeySet::Many(set) => {
                set.remove(key);
                if set.len() == 1 {
                    let only = set.pop_first().expect("set has one element");
                    *self = KeySet::One(only);
                }
                set_is_empty(self)
            }
        }
    }

    fn iter(&self) -> impl Iterator<Item = &ObjectKey> {
        let (one, many) = match self {
            KeySet::One(k) => (Some(k), None),
            KeySet::Many(set) => (None, Some(set.iter())),
        };
        one.into_iter().chain(many.into_iter().flatten())
    }
}

fn set_is_empty(set: &KeySet) -> bool {
    matches!(set, KeySet::Many(s) if s.is_empty())
}

/// A user index: its function and value → keys map.
struct Index<K> {
    func: IndexFn<K>,
    entries: HashMap<Arc<str>, KeySet>,
}

impl<K> Index<K> {
    fn insert(&mut self, value: &str, key: &ObjectKey) {
        if let Some(set) = self.entries.get_mut(value) {
            set.insert(key.clone());
        } else {
            self.entries
                .insert(Arc::from(value), KeySet::One(key.clone()));
        }
    }

    fn remove(&mut self, value: &str, key: &ObjectKey) {
        if let Some(set) = self.entries.get_mut(value)
            && set.remove(key)
        {
            self.entries.remove(value);
        }
    }
}

/// What [`Cache::replace`] changed, each list in key order.
#[derive(Debug)]
pub struct Replaced<K> {
    /// Objects that were not cached before.
    pub added: Vec<Arc<K>>,
    /// Objects that were cached before and are in the new list: `(old, new)`. Whether
    /// they changed is the caller's call (informers compare `resourceVersion`).
    pub updated: Vec<(Arc<K>, Arc<K>)>,
    /// Objects that were cached before and are missing from the new list, in their
    /// last known state.
    pub deleted: Vec<Arc<K>>,
    /// How many objects of the new list were skipped because they had no name.
    pub skipped: usize,
}

impl<K> Default for Replaced<K> {
    fn default() -> Self {
        Replaced {
            added: Vec::new(),
            updated: Vec::new(),
            deleted: Vec::new(),
            skipped: 0,
        }
    }
}

/// The key type of the main map: looked up by `&str` without allocating. It has no
/// `Ord`, so `Borrow<str>` agrees with everything it implements (`Hash`, `Eq`), while
/// [`ObjectKey`] orders by (namespace, name) and so must not borrow as `str`.
#[derive(Clone, PartialEq, Eq, Hash)]
struct ItemKey(ObjectKey);

impl Borrow<str> for ItemKey {
    fn borrow(&self) -> &str {
        self.0.as_str()
    }
}

struct Inner<K> {
    /// Every object by key.
    items: HashMap<ItemKey, Arc<K>>,
    /// Every object by namespace (`""` for cluster scope), then key.
    namespaces: BTreeMap<Arc<str>, BTreeMap<ObjectKey, Arc<K>>>,
    /// User indexes by name.
    indexes: BTreeMap<String, Index<K>>,
}

impl<K> Default for Inner<K> {
    fn default() -> Self {
        Inner {
            items: HashMap::default(),
            namespaces: BTreeMap::new(),
            indexes: BTreeMap::new(),
        }
    }
}

impl<K> Inner<K> {
    /// The index values of `obj` for every user index, in index order. Computed before
    /// any mutation so a panicking indexer leaves the cache consistent.
    fn index_values(&self, obj: &K) -> Vec<Vec<String>> {
        self.indexes.values().map(|ix| (ix.func)(obj)).collect()
    }

    fn file_namespace(&mut self, key: &ObjectKey, obj: &Arc<K>) {
        let ns = key.namespace();
        if let Some(objects) = self.namespaces.get_mut(ns) {
            objects.insert(key.clone(), obj.clone());
        } else {
            self.namespaces
                .insert(Arc::from(ns), BTreeMap::from([(key.clone(), obj.clone())]));
        }
    }

    fn unfile_namespace(&mut self, key: &ObjectKey) {
        let ns = key.namespace();
        if let Some(objects) = self.namespaces.get_mut(ns) {
            objects.remove(key);
            if objects.is_empty() {
                self.namespaces.remove(ns);
            }
        }
    }

    /// Insert or replace `obj` under `key`, maintaining every index incrementally.
    fn upsert(&mut self, key_str: &str, obj: Arc<K>) -> Option<Arc<K>> {
        let new_values = self.index_values(&obj);
        let old = self
            .items
            .get_key_value(key_str)
            .map(|(k, o)| (k.0.clone(), o.clone()));
        let old_values = old.as_ref().map(|(_, o)| self.index_values(o));
        let key = match &old {
            Some((existing, _)) => existing.clone(),
            None => ObjectKey::parse(key_str),
        };
        for ((_, index), (i, new)) in self.indexes.iter_mut().zip(new_values.iter().enumerate()) {
            let old = old_values
                .as_ref()
                .map(|v| v[i].as_slice())
                .unwrap_or_default();
            for value in old.iter().filter(|v| !new.contains(v)) {
                index.remove(value, &key);
            }
            for value in new.iter().filter(|v| !old.contains(v)) {
                index.insert(value, &key);
            }
        }
        self.file_namespace(&key, &obj);
        self.items.insert(ItemKey(key), obj);
        old.map(|(_, o)| o)
    }

    fn remove(&mut self, key_str: &str) -> Option<Arc<K>> {
        let (key, old) = self
            .items
            .get_key_value(key_str)
            .map(|(k, o)| (k.0.clone(), o.clone()))?;
        let old_values = self.index_values(&old);
        for (index, values) in self.indexes.values_mut().zip(&old_values) {
            for value in values {
                index.remove(value, &key);
            }
        }
        self.unfile_namespace(&key);
        self.items.remove(key_str);
        Some(old)
    }

    fn keys_for(&self, index: &str, value: &str) -> Result<Vec<ObjectKey>, CacheError> {
        if index == NAMESPACE_INDEX && !self.indexes.contains_key(NAMESPACE_INDEX) {
            return Ok(self
                .namespaces
                .get(value)
                .map(|m| m.keys().cloned().collect())
                .unwrap_or_default());
        }
        let ix = self
            .indexes
            .get(index)
            .ok_or_else(|| CacheError::UnknownIndex(index.to_owned()))?;
        Ok(ix
            .entries
            .get(value)
            .map(|set| set.iter().cloned().collect())
            .unwrap_or_default())
    }
}

/// A thread-safe store of `Arc<K>` with a namespace index and user indexes.
///
/// Cloning gives another handle to the same store. All operations take a
/// short-lived lock; user index functions run under the write lock, so keep them
/// cheap.
pub struct Cache<K> {
    inner: Arc<RwLock<Inner<K>>>,
}

impl<K> Clone for Cache<K> {
    fn clone(&self) -> Self {
        Cache {
            inner: self.inner.clone(),
        }
    }
}

impl<K> Default for Cache<K> {
    fn default() -> Self {
        Cache {
            inner: Arc::new(RwLock::new(Inner::default())),
        }
    }
}

impl<K> fmt::Debug for Cache<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = self.read();
        f.debug_struct("Cache")
            .field("len", &inner.items.len())
            .field("namespaces", &inner.namespaces.len())
            .field("indexes", &inner.indexes.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl<K> Cache<K> {
    /// An empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    fn read(&self) -> RwLockReadGuard<'_, Inner<K>> {
        self.inner.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> RwLockWriteGuard<'_, Inner<K>> {
        self.inner.write().unwrap_or_else(PoisonError::into_inner)
    }

    /// Number of cached objects.
    pub fn len(&self) -> usize {
        self.read().items.len()
    }

    /// Whether the cache holds no object.
    pub fn is_empty(&self) -> bool {
        self.read().items.is_empty()
    }

    /// The object with this key (`namespace/name` or `name`).
    pub fn get_by_key(&self, key: &str) -> Option<Arc<K>> {
        self.read().items.get(key).cloned()
    }

    /// The object `name` in `namespace` (`None` for cluster-scoped objects).
    pub fn get(&self, namespace: Option<&str>, name: &str) -> Option<Arc<K>> {
        with_key(namespace, name, |key| self.get_by_key(key))
    }

    /// Every object, in key order.
    pub fn list(&self) -> Vec<Arc<K>> {
        let inner = self.read();
        let mut out = Vec::with_capacity(inner.items.len());
        out.extend(inner.namespaces.values().flat_map(|m| m.values().cloned()));
        out
    }

    /// Every key, in order.
    pub fn list_keys(&self) -> Vec<ObjectKey> {
        let inner = self.read();
        inner
            .namespaces
            .values()
            .flat_map(|m| m.keys().cloned())
            .collect()
    }

    /// The objects of one namespace (`""` for cluster-scoped objects), in key order,
    /// from the namespace index.
    pub fn list_namespace(&self, namespace: &str) -> Vec<Arc<K>> {
        self.read()
            .namespaces
            .get(namespace)
            .map(|m| m.values().cloned().collect())
            .unwrap_or_default()
    }

    /// The objects accepted by `filter`, in key order, optionally restricted to one
    /// namespace (which then reads only that namespace's objects). The read lock is
    /// held while `filter` runs.
    pub fn list_filtered(
        &self,
        namespace: Option<&str>,
        mut filter: impl FnMut(&K) -> bool,
    ) -> Vec<Arc<K>> {
        let inner = self.read();
        match namespace {
            Some(ns) => inner
                .namespaces
                .get(ns)
                .map(|m| m.values().filter(|o| filter(o)).cloned().collect())
                .unwrap_or_default(),
            None => inner
                .namespaces
                .values()
                .flat_map(|m| m.values())
                .filter(|o| filter(o))
                .cloned()
                .collect(),
        }
    }

    /// The namespaces that hold at least one object, in order (`""` stands for
    /// cluster-scoped objects).
    pub fn namespaces(&self) -> Vec<String> {
        self.read()
            .namespaces
            .keys()
            .map(|ns| ns.to_string())
            .collect()
    }

    /// Remove the object with this key; returns it if it was cached.
    pub fn delete_by_key(&self, key: &str) -> Option<Arc<K>> {
        self.write().remove(key)
    }

    /// Add an index. Objects already cached are indexed right away. Fails if an index
    /// of that name exists; [`NAMESPACE_INDEX`] is built in.
    pub fn add_indexer<F>(&self, name: impl Into<String>, func: F) -> Result<(), CacheError>
    where
        F: Fn(&K) -> Vec<String> + Send + Sync + 'static,
    {
        let name = name.into();
        let func: IndexFn<K> = Arc::new(func);
        let mut inner = self.write();
        if name == NAMESPACE_INDEX || inner.indexes.contains_key(&name) {
            return Err(CacheError::IndexerExists(name));
        }
        let values: Vec<(ObjectKey, Vec<String>)> = inner
            .items
            .iter()
            .map(|(key, obj)| (key.0.clone(), func(obj)))
            .collect();
        let mut index = Index {
            func,
            entries: HashMap::default(),
        };
        for (key, values) in values {
            for value in values {
                index.insert(&value, &key);
            }
        }
        inner.indexes.insert(name, index);
        Ok(())
    }

    /// The names of the user indexes, in order (the namespace index is not listed).
    pub fn indexers(&self) -> Vec<String> {
        self.read().indexes.keys().cloned().collect()
    }

    /// The objects filed under `value` in `index`, in key order.
    pub fn by_index(&self, index: &str, value: &str) -> Result<Vec<Arc<K>>, CacheError> {
        let inner = self.read();
        if index == NAMESPACE_INDEX {
            return Ok(inner
                .namespaces
                .get(value)
                .map(|m| m.values().cloned().collect())
                .unwrap_or_default());
        }
        let keys = inner.keys_for(index, value)?;
        Ok(keys
            .iter()
            .filter_map(|k| inner.items.get(k.as_str()).cloned())
            .collect())
    }

    /// The keys filed under `value` in `index`, in order (client-go's `IndexKeys`).
    pub fn index_keys(&self, index: &str, value: &str) -> Result<Vec<ObjectKey>, CacheError> {
        self.read().keys_for(index, value)
    }

    /// Every value of `index` that has objects, sorted (client-go's
    /// `ListIndexFuncValues`).
    pub fn index_values(&self, index: &str) -> Result<Vec<String>, CacheError> {
        let inner = self.read();
        let mut values: Vec<String> = if index == NAMESPACE_INDEX {
            inner.namespaces.keys().map(|v| v.to_string()).collect()
        } else {
            let ix = inner
                .indexes
                .get(index)
                .ok_or_else(|| CacheError::UnknownIndex(index.to_owned()))?;
            ix.entries.keys().map(|v| v.to_string()).collect()
        };
        values.sort();
        Ok(values)
    }
}

impl<K: Resource> Cache<K> {
    /// Insert an object, or replace the one with the same key; returns the replaced
    /// object. Indexes are updated incrementally: the old object's index values are
    /// removed, the new object's added.
    pub fn add(&self, object: impl Into<Arc<K>>) -> Result<Option<Arc<K>>, CacheError> {
        let object = object.into();
        let meta = object.meta();
        let name = meta.name.as_deref().ok_or(CacheError::MissingName)?;
        Ok(with_key(meta.namespace.as_deref(), name, |key| {
            self.write().upsert(key, object.clone())
        }))
    }

    /// Same as [`Cache::add`] (client-go's `Update`): insert or replace.
    pub fn update(&self, object: impl Into<Arc<K>>) -> Result<Option<Arc<K>>, CacheError> {
        self.add(object)
    }

    /// Remove the object with the same key as `object`; returns the cached one (the
    /// last known state), if any.
    pub fn delete(&self, object: &K) -> Result<Option<Arc<K>>, CacheError> {
        let meta = object.meta();
        let name = meta.name.as_deref().ok_or(CacheError::MissingName)?;
        Ok(with_key(meta.namespace.as_deref(), name, |key| {
            self.delete_by_key(key)
        }))
    }

    /// Replace the whole content with `objects` (after a relist) and report what
    /// changed. Indexes are rebuilt. Objects without a name are skipped and counted;
    /// with duplicate keys the last one wins.
    pub fn replace<I>(&self, objects: I) -> Replaced<K>
    where
        I: IntoIterator,
        I::Item: Into<Arc<K>>,
    {
        let mut skipped = 0;
        let mut incoming: Vec<Arc<K>> = Vec::new();
        for obj in objects {
            let obj = obj.into();
            if obj.meta().name.is_none() {
                skipped += 1;
            } else {
                incoming.push(obj);
            }
        }

        let mut inner = self.write();
        // Keys: reuse the cached key of an object that stays, so its string is shared.
        let mut next: HashMap<ItemKey, Arc<K>> =
            HashMap::with_capacity_and_hasher(incoming.len(), ahash::RandomState::new());
        for obj in incoming {
            let meta = obj.meta();
            let name = meta.name.as_deref().unwrap_or_default();
            let key = with_key(meta.namespace.as_deref(), name, |k| {
                inner
                    .items
                    .get_key_value(k)
                    .map(|(key, _)| key.clone())
                    .unwrap_or_else(|| ItemKey(ObjectKey::parse(k)))
            });
            next.insert(key, obj);
        }

        // Index values for the new content, before anything changes.
        let funcs: Vec<IndexFn<K>> = inner.indexes.values().map(|ix| ix.func.clone()).collect();
        let mut rebuilt: Vec<HashMap<Arc<str>, KeySet>> =
            funcs.iter().map(|_| HashMap::default()).collect();
        for (ItemKey(key), obj) in &next {
            for (func, entries) in funcs.iter().zip(rebuilt.iter_mut()) {
                for value in func(obj) {
                    if let Some(set) = entries.get_mut(value.as_str()) {
                        set.insert(key.clone());
                    } else {
                        entries.insert(Arc::from(value), KeySet::One(key.clone()));
                    }
                }
            }
        }

        let mut diff = Replaced {
            skipped,
            ..Replaced::default()
        };
        let mut namespaces: BTreeMap<Arc<str>, BTreeMap<ObjectKey, Arc<K>>> = BTreeMap::new();
        for (ItemKey(key), obj) in &next {
            match inner.items.get(key.as_str()) {
                Some(old) => diff.updated.push((old.clone(), obj.clone())),
                None => diff.added.push(obj.clone()),
            }
            let ns = key.namespace();
            match namespaces.get_mut(ns) {
                Some(m) => {
                    m.insert(key.clone(), obj.clone());
                }
                None => {
                    // Reuse the namespace string already held, if any.
                    let ns_arc = inner
                        .namespaces
                        .get_key_value(ns)
                        .map(|(k, _)| k.clone())
                        .unwrap_or_else(|| ns.into());
                    namespaces.insert(ns_arc, BTreeMap::from([(key.clone(), obj.clone())]));
                }
            }
        }
        for (key, old) in &inner.items {
            if !next.contains_key(key.0.as_str()) {
                diff.deleted.push(old.clone());
            }
        }
        let order = |a: &K, b: &K| {
            let (ma, mb) = (a.meta(), b.meta());
            (ma.namespace.as_deref().unwrap_or(""), ma.name.as_deref())
                .cmp(&(mb.namespace.as_deref().unwrap_or(""), mb.name.as_deref()))
        };
        diff.added.sort_by(|a, b| order(a, b));
        diff.updated.sort_by(|a, b| order(&a.1, &b.1));
        diff.deleted.sort_by(|a, b| order(a, b));

        inner.items = next;
        inner.namespaces = namespaces;
        for (index, entries) in inner.indexes.values_mut().zip(rebuilt) {
            index.entries = entries;
        }
        diff
    }
}
