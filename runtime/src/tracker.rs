//! An in-memory object tracker with the semantics of the Kubernetes API server for
//! custom resources.
//!
//! The [`Tracker`] stores objects of any number of kinds as JSON, keyed by kind,
//! namespace and name, and implements the verbs of the REST API on them: create, get,
//! list (selectors, `limit`/`continue`), update, patch (merge, JSON, apply), delete
//! (with finalizers), delete-collection, watch (from a resourceVersion, bookmarks,
//! streaming lists) and the `status` and `scale` subresources. Errors are
//! [`StatusError`]s carrying the `metav1.Status` the real server would send.
//!
//! It backs the in-memory API server ([`crate::server`]) and the fake client
//! ([`crate::fake`]), and can be used directly:
//!
//! ```
//! use crdgen_runtime::tracker::{Gvr, Tracker, WriteOptions};
//! use serde_json::json;
//!
//! let tracker = Tracker::new();
//! tracker.register_crd(&json!({
//!     "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
//!     "metadata": {"name": "widgets.example.com"},
//!     "spec": {"group": "example.com", "scope": "Namespaced",
//!              "names": {"kind": "Widget", "plural": "widgets"},
//!              "versions": [{"name": "v1", "served": true, "storage": true,
//!                            "schema": {"openAPIV3Schema": {"type": "object",
//!                                "x-kubernetes-preserve-unknown-fields": true}}}]}
//! }))?;
//! let gvr = Gvr::new("example.com", "v1", "widgets");
//! let obj = json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "a"}});
//! let created = tracker.create(&gvr, Some("default"), obj, &WriteOptions::default())?.object;
//! assert_eq!(created["metadata"]["generation"], 1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Semantics
//!
//! - `resourceVersion` is one global counter shared by every kind, rendered as a
//!   decimal string; every write gets the next value. A write that changes nothing
//!   is not stored and keeps the old resourceVersion (as etcd does).
//! - `metadata.generation` starts at 1 and is bumped when anything outside
//!   `metadata` changes (outside `metadata` and `status` when the status subresource
//!   is enabled), and when deletion starts.
//! - With the status subresource, the main resource ignores `.status` (dropped on
//!   create, kept from the stored object on update/patch), and `/status` writes take
//!   only `.status` from the request (metadata changes are ignored too).
//! - Objects are stored at the storage version (fields its schema lacks dropped);
//!   reads convert by rewriting `apiVersion` and dropping the fields the read
//!   version's schema lacks (the `None` conversion strategy).
//! - Pruning, defaulting and validation run [`crate::schema::pipeline`] (the same as
//!   the client-side [`Validator`](crate::schema::Validator)) with the schema of the
//!   request's version: the kind, ObjectMeta, the schema, the scale subresource's
//!   paths, embedded resources, list types and the CEL rules
//!   (`x-kubernetes-validations`, compiled once per version when the kind is
//!   registered), worded and ordered as kube-apiserver words them; the server adds
//!   strict decoding and no new finalizers while deleting. Updates, patches, applies and status writes ratchet:
//!   an unchanged invalid value does not block them (Kubernetes 1.30+).
//! - `metadata.managedFields` records every write as kube-apiserver's field manager
//!   does (`managed`): `Update` entries for create/update/patch (per subresource),
//!   `Apply` entries for server-side apply, with structured-merge-diff's field sets,
//!   conflicts against every other manager, and the scale subresource's entry.
//! - `propagationPolicy=Foreground`/`Orphan` add the garbage collector's finalizer;
//!   no garbage collector runs, as on a server without kube-controller-manager.
//! - Namespaces are not objects: any namespace is accepted (the real server rejects
//!   creates in a namespace that does not exist).
//!
//! The replay of real kube-apiserver recordings (`runtime/tests/recordings.rs`)
//! checks these semantics.
//!
//! # Differences from kube-apiserver
//!
//! - Conversion webhooks are not run.
//! - Watch history is a bounded window of events ([`Tracker::set_history_limit`]);
//!   [`Tracker::compact`] forgets it, so older resourceVersions get `410 Gone`.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use serde_json::{Map, Value, json};
use tokio::sync::mpsc;

use crate::schema;
use crate::selector::{FieldSelector, Selector};

mod create_update;
mod errors;
mod kinds;
mod managed;
mod options;
mod patch_delete;
mod patches;
mod store;
mod util;

pub use errors::*;
pub use kinds::*;
pub use options::*;
pub(crate) use patch_delete::*;
pub(crate) use patches::*;
pub(crate) use store::*;
pub use util::now_rfc3339;
pub(crate) use util::*;

// ----------------------------------------------------------------------------------
// Store

type KindKey = (String, String); // (group, plural)
type ObjKey = (String, String); // (namespace, name)

#[derive(Debug, Clone)]
struct HistEvent {
    rv: u64,
    kind: KindKey,
    key: ObjKey,
    event_type: EventType,
    /// The object after the change (for DELETED, the last state with the deletion's RV).
    object: Value,
    /// The object before the change (MODIFIED, DELETED).
    prev: Option<Value>,
}

#[derive(Debug)]
struct WatcherEntry {
    id: u64,
    kind: KindKey,
    namespace: Option<String>,
    label: Selector,
    field: FieldSelector,
    api_version: String,
    kind_name: String,
    /// The schema of the watched version when it is not the storage version (objects
    /// are pruned to it).
    read_schema: Option<Value>,
    bookmarks: bool,
    tx: mpsc::UnboundedSender<WatchEvent>,
}

impl WatcherEntry {
    fn matches(&self, key: &ObjKey, obj: &Value) -> bool {
        if let Some(ns) = &self.namespace
            && &key.0 != ns
        {
            return false;
        }
        matches_selectors(obj, &self.label, &self.field)
    }

    fn convert(&self, obj: &Value) -> Value {
        let mut o = obj.clone();
        if let Some(s) = &self.read_schema {
            schema::prune(&mut o, s);
        }
        o["apiVersion"] = json!(self.api_version);
        o
    }

    fn bookmark(&self, rv: u64, initial_end: bool) -> Value {
        let mut meta = json!({"resourceVersion": rv.to_string()});
        if initial_end {
            meta["annotations"] = json!({"k8s.io/initial-events-end": "true"});
        }
        json!({"kind": self.kind_name, "apiVersion": self.api_version, "metadata": meta})
    }

    /// Translate a stored change into what this watcher sees (selector transitions
    /// become ADDED/DELETED), or nothing.
    fn translate(&self, ev: &HistEvent) -> Option<WatchEvent> {
        if ev.kind != self.kind {
            return None;
        }
        let now = self.matches(&ev.key, &ev.object);
        let before = ev.prev.as_ref().map(|p| self.matches(&ev.key, p));
        let t = match ev.event_type {
            EventType::Added => now.then_some(EventType::Added)?,
            EventType::Deleted => before.unwrap_or(now).then_some(EventType::Deleted)?,
            EventType::Modified => match (before.unwrap_or(true), now) {
                (true, true) => EventType::Modified,
                (false, true) => EventType::Added,
                (true, false) => EventType::Deleted,
                (false, false) => return None,
            },
            _ => return None,
        };
        Some(WatchEvent {
            event_type: t,
            object: self.convert(&ev.object),
        })
    }
}

fn matches_selectors(obj: &Value, label: &Selector, field: &FieldSelector) -> bool {
    let labels: BTreeMap<String, String> = obj
        .pointer("/metadata/labels")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned())))
                .collect()
        })
        .unwrap_or_default();
    label.matches(&labels) && field.matches_value(obj)
}

#[derive(Debug)]
struct Store {
    kinds: BTreeMap<KindKey, Arc<KindInfo>>,
    objects: BTreeMap<KindKey, BTreeMap<ObjKey, Value>>,
    rv: u64,
    history: VecDeque<HistEvent>,
    history_limit: usize,
    /// Watches and continues from a resourceVersion below this get 410 Gone.
    compacted_rv: u64,
    /// The resourceVersion each kind's watch cache starts at (its registration):
    /// watches from before it get 410 Gone, as from before a real server's cache.
    watch_since: BTreeMap<KindKey, u64>,
    watchers: Vec<WatcherEntry>,
    next_watch_id: u64,
    actions: Vec<Action>,
    /// Each version compiled once when the kind is registered (CEL rules and the walks
    /// its schema needs)
    /// (the client-side `Validator`'s per-version data): by (group, plural) and version.
    compiled: BTreeMap<(KindKey, String), Arc<schema::pipeline::CompiledVersion>>,
}

/// The in-memory object tracker. Cheap to clone (shared state).
#[derive(Debug, Clone)]
pub struct Tracker {
    inner: Arc<Mutex<Store>>,
}

impl Default for Tracker {
    fn default() -> Self {
        Tracker::new()
    }
}

/// The default number of events kept for watches from an older resourceVersion.
pub const DEFAULT_HISTORY_LIMIT: usize = 10_000;

/// A kind's versions compiled once, and the errors the server refuses the CRD's CEL
/// rules with.
fn compile_versions(
    kind: &KindInfo,
) -> (
    Vec<schema::pipeline::CompiledVersion>,
    Vec<schema::FieldError>,
) {
    let schemas: Vec<Option<&Value>> = kind.versions.iter().map(|v| v.schema.as_ref()).collect();
    schema::pipeline::compile_versions(&schemas)
}

impl Tracker {
    /// An empty tracker with no kinds.
    pub fn new() -> Self {
        Tracker {
            inner: Arc::new(Mutex::new(Store {
                kinds: BTreeMap::new(),
                objects: BTreeMap::new(),
                rv: 1,
                history: VecDeque::new(),
                history_limit: DEFAULT_HISTORY_LIMIT,
                compacted_rv: 0,
                watch_since: BTreeMap::new(),
                watchers: Vec::new(),
                next_watch_id: 1,
                actions: Vec::new(),
                compiled: BTreeMap::new(),
            })),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Store> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    // ---- kinds

    /// Serve the kind declared by a CRD (all its versions). Refused as the server
    /// refuses it, including CEL rules that do not compile.
    pub fn register_crd(&self, crd: &Value) -> Result<(), String> {
        let kind = KindInfo::from_crd(crd)?;
        let (compiled, errs) = compile_versions(&kind);
        if !errs.is_empty() {
            let name = crd.pointer("/metadata/name").and_then(Value::as_str);
            return Err(crdgen_apiext::invalid_message(
                name.unwrap_or_default(),
                &errs,
            ));
        }
        self.register_compiled(kind, compiled);
        Ok(())
    }

    /// Serve a typed kind without a schema (no pruning, defaulting or validation) and
    /// without subresources. Registering another version of the same kind adds it.
    pub fn register<K: crate::CustomResource>(&self) {
        self.register_kind(KindInfo::of::<K>());
    }

    /// Serve a kind. Versions of an already registered kind are merged in (a version
    /// with the same name replaces the old one; the storage version stays unique).
    /// CEL rules that do not compile are not evaluated ([`Tracker::register_crd`]
    /// refuses them).
    pub fn register_kind(&self, kind: KindInfo) {
        let (compiled, errs) = compile_versions(&kind);
        if !errs.is_empty() {
            tracing::warn!(kind = %kind.kind, "CEL rules not evaluated: {errs:?}");
        }
        self.register_compiled(kind, compiled);
    }

    fn register_compiled(&self, kind: KindInfo, compiled: Vec<schema::pipeline::CompiledVersion>) {
        let mut store = self.lock();
        let key = (kind.group.clone(), kind.plural.clone());
        for (v, c) in kind.versions.iter().zip(compiled) {
            store
                .compiled
                .insert((key.clone(), v.name.clone()), Arc::new(c));
        }
        let key = (kind.group.clone(), kind.plural.clone());
        let merged = match store.kinds.get(&key) {
            Some(old) => {
                let mut m = (**old).clone();
                for v in kind.versions {
                    if v.storage {
                        for o in &mut m.versions {
                            o.storage = false;
                        }
                    }
                    m.versions.retain(|o| o.name != v.name);
                    m.versions.push(v);
                }
                if !m.versions.iter().any(|v| v.storage) {
                    m.versions[0].storage = true;
                }
                m
            }
            None => kind,
        };
        store.kinds.insert(key.clone(), Arc::new(merged));
        let rv = store.rv;
        store.watch_since.entry(key.clone()).or_insert(rv);
        store.objects.entry(key).or_default();
    }

    /// Every registered kind.
    pub fn kinds(&self) -> Vec<Arc<KindInfo>> {
        self.lock().kinds.values().cloned().collect()
    }

    /// The kind serving `group`/`resource`.
    pub fn kind(&self, group: &str, resource: &str) -> Option<Arc<KindInfo>> {
        self.lock()
            .kinds
            .get(&(group.to_owned(), resource.to_owned()))
            .cloned()
    }

    // ---- history and actions

    /// The current (latest) resourceVersion.
    pub fn resource_version(&self) -> u64 {
        self.lock().rv
    }

    /// Continue counting resourceVersions from at least `rv`, as a server that has
    /// been running for a while does (no effect once past it). Watches and lists
    /// from before it are answered as from before the server's history.
    pub fn advance_resource_version(&self, rv: u64) {
        let mut store = self.lock();
        if store.rv < rv {
            store.rv = rv;
            store.compacted_rv = store.compacted_rv.max(rv);
        }
    }

    /// Keep at most `limit` events for watches from older resourceVersions (default
    /// [`DEFAULT_HISTORY_LIMIT`]).
    pub fn set_history_limit(&self, limit: usize) {
        let mut store = self.lock();
        store.history_limit = limit;
        store.trim_history();
    }

    /// Forget all history: watches and list continuations from any resourceVersion
    /// older than the current one get `410 Gone` / `Expired`.
    pub fn compact(&self) {
        let mut store = self.lock();
        store.history.clear();
        store.compacted_rv = store.rv;
    }

    /// The recorded requests, oldest first.
    pub fn actions(&self) -> Vec<Action> {
        self.lock().actions.clone()
    }

    /// Forget the recorded requests.
    pub fn clear_actions(&self) {
        self.lock().actions.clear();
    }

    /// Record a request (done by every verb; public for the server's own routes).
    pub fn record(&self, action: Action) {
        self.lock().actions.push(action);
    }

    /// The namespaces holding at least one object.
    pub fn namespaces(&self) -> BTreeSet<String> {
        let store = self.lock();
        store
            .objects
            .values()
            .flat_map(|m| m.keys().map(|k| k.0.clone()))
            .filter(|n| !n.is_empty())
            .collect()
    }

    /// Close every running watch (their streams end), as a server restart does.
    pub fn close_watches(&self) {
        self.lock().watchers.clear();
    }

    // ---- verbs

    /// Store an object as is (no pruning, defaulting or validation), like client-go's
    /// fake tracker `Add`: the kind is found from `apiVersion`/`kind`; `uid`,
    /// `creationTimestamp`, `generation` and `resourceVersion` are filled in; an
    /// existing object with the same name is replaced. Watches see `ADDED`/`MODIFIED`.
    pub fn add(&self, object: Value) -> Result<Value, StatusError> {
        let mut store = self.lock();
        let api_version = object
            .get("apiVersion")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned();
        let kind_name = object
            .get("kind")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned();
        let (group, version) = match api_version.split_once('/') {
            Some((g, v)) => (g.to_owned(), v.to_owned()),
            None => (String::new(), api_version.clone()),
        };
        let kind = store
            .kinds
            .values()
            .find(|k| {
                k.group == group
                    && k.kind == kind_name
                    && k.versions.iter().any(|v| v.name == version)
            })
            .cloned()
            .ok_or_else(|| {
                StatusError::bad_request(format!(
                    "no kind {kind_name:?} is registered for {api_version:?}"
                ))
            })?;
        let mut obj = object;
        if !obj.get("metadata").is_some_and(Value::is_object) {
            obj["metadata"] = json!({});
        }
        let name = meta_str(&obj, "name").unwrap_or_default();
        if name.is_empty() {
            return Err(StatusError::bad_request("object has no metadata.name"));
        }
        let ns = if kind.namespaced {
            meta_str(&obj, "namespace").unwrap_or_else(|| "default".into())
        } else {
            String::new()
        };
        if kind.namespaced {
            obj["metadata"]["namespace"] = json!(ns);
        }
        let m = &mut obj["metadata"];
        if m.get("uid").is_none() {
            m["uid"] = json!(new_uid());
        }
        if m.get("creationTimestamp").is_none() {
            m["creationTimestamp"] = json!(now_rfc3339());
        }
        if m.get("generation").is_none() {
            m["generation"] = json!(1);
        }
        obj["apiVersion"] = json!(kind.api_version(&kind.storage_version().name));
        let key = (ns, name);
        let kk = (kind.group.clone(), kind.plural.clone());
        let prev = store.objects.get(&kk).and_then(|o| o.get(&key)).cloned();
        let rv = store.next_rv();
        obj["metadata"]["resourceVersion"] = json!(rv.to_string());
        store
            .objects
            .entry(kk.clone())
            .or_default()
            .insert(key.clone(), obj.clone());
        let t = if prev.is_some() {
            EventType::Modified
        } else {
            EventType::Added
        };
        store.emit(HistEvent {
            rv,
            kind: kk,
            key,
            event_type: t,
            object: obj.clone(),
            prev,
        });
        Ok(obj)
    }

    /// `GET` one object.
    pub fn get(
        &self,
        gvr: &Gvr,
        namespace: Option<&str>,
        name: &str,
    ) -> Result<Value, StatusError> {
        let mut store = self.lock();
        store.record(gvr, "get", namespace, Some(name), Subresource::None, None);
        let (kind, _) = store.resolve(gvr)?;
        let key = obj_key(&kind, namespace, name)?;
        let obj = store
            .current(&kind, &key)
            .ok_or_else(|| StatusError::not_found(&kind, name))?;
        Ok(convert(&kind, obj, &gvr.version))
    }

    /// `GET …/scale`: the object's `autoscaling/v1` `Scale`.
    pub fn get_scale(
        &self,
        gvr: &Gvr,
        namespace: Option<&str>,
        name: &str,
    ) -> Result<Value, StatusError> {
        let mut store = self.lock();
        store.record(gvr, "get", namespace, Some(name), Subresource::Scale, None);
        let (kind, ver) = store.resolve(gvr)?;
        let scale = ver.scale.clone().ok_or_else(StatusError::no_route)?;
        let key = obj_key(&kind, namespace, name)?;
        let obj = store
            .current(&kind, &key)
            .ok_or_else(|| StatusError::not_found(&kind, name))?;
        Ok(to_scale(&obj, &scale))
    }

    /// `LIST` objects (a `…List` object with `metadata.resourceVersion` and, when
    /// paged, `metadata.continue` and `remainingItemCount`).
    pub fn list(
        &self,
        gvr: &Gvr,
        namespace: Option<&str>,
        opts: &ListOptions,
    ) -> Result<Value, StatusError> {
        let mut store = self.lock();
        store.record(gvr, "list", namespace, None, Subresource::None, None);
        let (kind, ver) = store.resolve(gvr)?;
        let (label, field) = parse_selectors(
            &kind,
            &ver,
            opts.label_selector.as_deref(),
            opts.field_selector.as_deref(),
        )?;
        let (items, rv, cont, remaining) =
            store.list_page(&kind, namespace, &label, &field, opts)?;
        // Lists of custom resources always carry `continue` ("" on the last page).
        let mut meta = json!({"continue": "", "resourceVersion": rv.to_string()});
        if let Some(c) = cont {
            meta["continue"] = json!(c);
            if let Some(r) = remaining {
                meta["remainingItemCount"] = json!(r);
            }
        }
        let items: Vec<Value> = items
            .into_iter()
            .map(|o| convert(&kind, o, &gvr.version))
            .collect();
        Ok(
            json!({"apiVersion": gvr.api_version(), "kind": kind.list_kind, "metadata": meta, "items": items}),
        )
    }

    /// `WATCH` objects.
    pub fn watch(
        &self,
        gvr: &Gvr,
        namespace: Option<&str>,
        opts: &WatchOptions,
    ) -> Result<Watch, StatusError> {
        let mut store = self.lock();
        store.record(gvr, "watch", namespace, None, Subresource::None, None);
        let (kind, ver) = store.resolve(gvr)?;
        let (label, field) = parse_selectors(
            &kind,
            &ver,
            opts.label_selector.as_deref(),
            opts.field_selector.as_deref(),
        )?;
        let (tx, rx) = mpsc::unbounded_channel();
        let id = store.next_watch_id;
        store.next_watch_id += 1;
        let entry = WatcherEntry {
            id,
            kind: (kind.group.clone(), kind.plural.clone()),
            namespace: if kind.namespaced {
                namespace.map(str::to_owned)
            } else {
                None
            },
            label,
            field,
            api_version: gvr.api_version(),
            kind_name: kind.kind.clone(),
            read_schema: (ver.name != kind.storage_version().name)
                .then(|| ver.schema.clone())
                .flatten(),
            bookmarks: opts.allow_bookmarks,
            tx,
        };
        let rv_param = opts.resource_version.as_deref().unwrap_or("");
        let initial = opts.send_initial_events || rv_param.is_empty() || rv_param == "0";
        if initial {
            let objs = store.objects.get(&entry.kind).cloned().unwrap_or_default();
            for (key, obj) in &objs {
                if entry.matches(key, obj) {
                    let _ = entry.tx.send(WatchEvent {
                        event_type: EventType::Added,
                        object: entry.convert(obj),
                    });
                }
            }
            // The end-of-initial-events bookmark goes only to clients that take bookmarks.
            if opts.send_initial_events && opts.allow_bookmarks {
                let _ = entry.tx.send(WatchEvent {
                    event_type: EventType::Bookmark,
                    object: entry.bookmark(store.rv, true),
                });
            }
        } else {
            let from = rv_param.parse::<u64>().map_err(|_| {
                StatusError::new(
                    500,
                    "",
                    format!(
                        "resourceVersion: Invalid value: {rv_param:?}: strconv.ParseUint: parsing {rv_param:?}: invalid syntax"
                    ),
                    None,
                )
            })?;
            let oldest = store
                .compacted_rv
                .max(store.watch_since.get(&entry.kind).copied().unwrap_or(0));
            if from < oldest {
                let err =
                    StatusError::expired(format!("too old resource version: {from} ({oldest})"));
                let _ = entry.tx.send(WatchEvent {
                    event_type: EventType::Error,
                    object: err.status,
                });
                return Ok(Watch {
                    id,
                    rx,
                    tracker: self.clone(),
                });
            }
            for ev in store.history.iter().filter(|e| e.rv > from) {
                if let Some(we) = entry.translate(ev) {
                    let _ = entry.tx.send(we);
                }
            }
        }
        store.watchers.push(entry);
        drop(store);
        Ok(Watch {
            id,
            rx,
            tracker: self.clone(),
        })
    }

    /// `POST` (create) an object. `namespace` is the request's namespace (ignored for
    /// cluster-scoped kinds).
    pub fn create(
        &self,
        gvr: &Gvr,
        namespace: Option<&str>,
        object: Value,
        opts: &WriteOptions,
    ) -> Result<Reply, StatusError> {
        let mut store = self.lock();
        let name = meta_str(&object, "name");
        store.record(
            gvr,
            "create",
            namespace,
            name.as_deref(),
            Subresource::None,
            None,
        );
        let (kind, ver) = store.resolve(gvr)?;
        store.create(&kind, &ver, namespace, object, opts, false)
    }

    /// `PUT` an object, its `/status` or its `/scale` (a `Scale` body).
    pub fn update(
        &self,
        gvr: &Gvr,
        namespace: Option<&str>,
        name: &str,
        object: Value,
        sub: Subresource,
        opts: &WriteOptions,
    ) -> Result<Reply, StatusError> {
        let mut store = self.lock();
        store.record(gvr, "update", namespace, Some(name), sub, None);
        let (kind, ver) = store.resolve(gvr)?;
        match sub {
            Subresource::Scale => store.update_scale(&kind, &ver, namespace, name, object, opts),
            _ => store.update(&kind, &ver, namespace, name, object, sub, opts, true, false),
        }
    }

    /// `PATCH` an object, its `/status` or its `/scale` with a raw body.
    #[allow(clippy::too_many_arguments)] // mirrors the REST verb's parameters
    pub fn patch(
        &self,
        gvr: &Gvr,
        namespace: Option<&str>,
        name: &str,
        patch_type: PatchType,
        body: &[u8],
        sub: Subresource,
        opts: &WriteOptions,
    ) -> Result<Reply, StatusError> {
        let mut store = self.lock();
        store.record(gvr, "patch", namespace, Some(name), sub, Some(patch_type));
        let (kind, ver) = store.resolve(gvr)?;
        store.patch(&kind, &ver, namespace, name, patch_type, body, sub, opts)
    }

    /// `DELETE` an object. With finalizers, the object gets `deletionTimestamp` and
    /// stays (the reply is the object); without, it is removed (the reply is a
    /// `Status` of success).
    pub fn delete(
        &self,
        gvr: &Gvr,
        namespace: Option<&str>,
        name: &str,
        opts: &DeleteOptions,
    ) -> Result<Reply, StatusError> {
        let mut store = self.lock();
        store.record(
            gvr,
            "delete",
            namespace,
            Some(name),
            Subresource::None,
            None,
        );
        let (kind, ver) = store.resolve(gvr)?;
        store.delete(&kind, &ver, namespace, name, opts)
    }

    /// `DELETE` the collection: every object the selectors match; the reply is the
    /// list of deleted (or deleting) objects.
    pub fn delete_collection(
        &self,
        gvr: &Gvr,
        namespace: Option<&str>,
        list: &ListOptions,
        opts: &DeleteOptions,
    ) -> Result<Value, StatusError> {
        let mut store = self.lock();
        store.record(
            gvr,
            "deletecollection",
            namespace,
            None,
            Subresource::None,
            None,
        );
        let (kind, ver) = store.resolve(gvr)?;
        let (label, field) = parse_selectors(
            &kind,
            &ver,
            list.label_selector.as_deref(),
            list.field_selector.as_deref(),
        )?;
        let kk = (kind.group.clone(), kind.plural.clone());
        let keys: Vec<ObjKey> = store
            .objects
            .get(&kk)
            .map(|m| {
                m.iter()
                    .filter(|(k, o)| {
                        (!kind.namespaced || namespace.is_none_or(|ns| ns == k.0))
                            && matches_selectors(o, &label, &field)
                    })
                    .map(|(k, _)| k.clone())
                    .collect()
            })
            .unwrap_or_default();
        // The answer is the list as it was before the deletes (the server lists, then
        // deletes each item).
        let listed_rv = store.rv;
        let mut items = Vec::new();
        for (ns, name) in keys {
            if let Some(before) = store.current(&kind, &(ns.clone(), name.clone())) {
                items.push(convert(&kind, before, &gvr.version));
            }
            let nsopt = kind.namespaced.then_some(ns.as_str());
            store.delete(&kind, &ver, nsopt, &name, opts)?;
        }
        Ok(json!({
            "apiVersion": gvr.api_version(), "kind": kind.list_kind,
            "metadata": {"continue": "", "resourceVersion": listed_rv.to_string()}, "items": items,
        }))
    }
}
