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
//!     "spec": {"group": "example.com", "scope": "Namespaced",
//!              "names": {"kind": "Widget", "plural": "widgets"},
//!              "versions": [{"name": "v1", "served": true, "storage": true}]}
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
//! - Objects are stored at the storage version; reads convert by rewriting
//!   `apiVersion` (the `None` conversion strategy).
//! - Pruning, defaulting and validation use [`crate::schema`] with the schema of the
//!   request's version, then the server's metadata checks (name format, immutable and
//!   system fields, no new finalizers while deleting).
//! - Namespaces are not objects: any namespace is accepted (the real server rejects
//!   creates in a namespace that does not exist).
//!
//! # Differences from kube-apiserver
//!
//! - Server-side apply is an approximation: the applied configuration is merged into
//!   the live object (objects recursively, `x-kubernetes-list-type: map` lists by
//!   key, other lists atomically); fields a manager applied before and no longer
//!   applies are removed unless another applier owns them; conflicts are reported
//!   only against other *appliers* (not against `Update` managers), with lists owned
//!   atomically. `metadata.managedFields` lists only `Apply` entries.
//! - `propagationPolicy` is accepted but there is no garbage collector: `Foreground`
//!   and `Orphan` behave like `Background` (no `foregroundDeletion`/`orphan`
//!   finalizer is added) and owner references are not followed.
//! - CEL validation rules, validation ratcheting and conversion webhooks are not run.
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

mod managed;
mod validation;

// ----------------------------------------------------------------------------------
// Kinds

/// Group, version and resource (plural) naming what a request addresses.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Gvr {
    /// API group (`""` for the core group).
    pub group: String,
    /// Version, e.g. `v1`.
    pub version: String,
    /// Plural resource name, e.g. `widgets`.
    pub resource: String,
}

impl Gvr {
    /// Build from parts.
    pub fn new(
        group: impl Into<String>,
        version: impl Into<String>,
        resource: impl Into<String>,
    ) -> Self {
        Gvr {
            group: group.into(),
            version: version.into(),
            resource: resource.into(),
        }
    }

    /// The `Gvr` of a typed kind.
    pub fn of<K: crate::CustomResource>() -> Self {
        Gvr::new(K::GROUP, K::VERSION, K::PLURAL)
    }

    /// `group/version`, or `version` for the core group.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }
}

/// The scale subresource's JSON paths.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScaleInfo {
    /// Path of the desired replicas, e.g. `.spec.replicas`.
    pub spec_replicas_path: String,
    /// Path of the observed replicas, e.g. `.status.replicas`.
    pub status_replicas_path: String,
    /// Path of the label selector string, if any.
    pub label_selector_path: Option<String>,
}

/// One version of a kind.
#[derive(Debug, Clone, PartialEq)]
pub struct VersionInfo {
    /// Version name, e.g. `v1beta1`.
    pub name: String,
    /// Whether the version is served.
    pub served: bool,
    /// Whether this is the storage version.
    pub storage: bool,
    /// The `openAPIV3Schema`, when known (no pruning/validation without one).
    pub schema: Option<Value>,
    /// Whether the status subresource is enabled.
    pub status: bool,
    /// The scale subresource, when enabled.
    pub scale: Option<ScaleInfo>,
    /// Whether the version is deprecated.
    pub deprecated: bool,
    /// The deprecation warning, if any.
    pub deprecation_warning: Option<String>,
    /// `additionalPrinterColumns`, as in the CRD.
    pub printer_columns: Vec<Value>,
    /// JSON paths of `selectableFields` (without the leading dot).
    pub selectable_fields: Vec<String>,
}

/// A kind the tracker serves.
#[derive(Debug, Clone, PartialEq)]
pub struct KindInfo {
    /// API group.
    pub group: String,
    /// Kind, e.g. `Widget`.
    pub kind: String,
    /// List kind, e.g. `WidgetList`.
    pub list_kind: String,
    /// Plural resource name.
    pub plural: String,
    /// Singular resource name.
    pub singular: String,
    /// Short names.
    pub short_names: Vec<String>,
    /// Categories.
    pub categories: Vec<String>,
    /// Whether objects live in namespaces.
    pub namespaced: bool,
    /// The versions, in declaration order.
    pub versions: Vec<VersionInfo>,
}

impl KindInfo {
    /// The kind of a typed [`crate::CustomResource`], with one version, no schema and
    /// no subresources (enable them with [`KindInfo::with_status`] / [`KindInfo::with_scale`]).
    pub fn of<K: crate::CustomResource>() -> Self {
        KindInfo {
            group: K::GROUP.to_owned(),
            kind: K::KIND.to_owned(),
            list_kind: K::LIST_KIND.to_owned(),
            plural: K::PLURAL.to_owned(),
            singular: K::SINGULAR.to_owned(),
            short_names: K::SHORT_NAMES.iter().map(|s| (*s).to_owned()).collect(),
            categories: K::CATEGORIES.iter().map(|s| (*s).to_owned()).collect(),
            namespaced: K::SCOPE == crate::Scope::Namespaced,
            versions: vec![VersionInfo {
                name: K::VERSION.to_owned(),
                served: true,
                storage: true,
                schema: None,
                status: false,
                scale: None,
                deprecated: K::DEPRECATION.is_some(),
                deprecation_warning: K::DEPRECATION.map(str::to_owned),
                printer_columns: Vec::new(),
                selectable_fields: Vec::new(),
            }],
        }
    }

    /// Enable the status subresource on every version.
    #[must_use]
    pub fn with_status(mut self) -> Self {
        for v in &mut self.versions {
            v.status = true;
        }
        self
    }

    /// Enable the scale subresource of a kind on every version.
    #[must_use]
    pub fn with_scale<K: crate::HasScaleSubresource>(mut self) -> Self {
        for v in &mut self.versions {
            v.scale = Some(ScaleInfo {
                spec_replicas_path: K::SPEC_REPLICAS_PATH.to_owned(),
                status_replicas_path: K::STATUS_REPLICAS_PATH.to_owned(),
                label_selector_path: K::LABEL_SELECTOR_PATH.map(str::to_owned),
            });
        }
        self
    }

    /// Read a `CustomResourceDefinition` (apiextensions.k8s.io/v1) given as JSON.
    pub fn from_crd(crd: &Value) -> Result<Self, String> {
        let spec = crd.get("spec").ok_or("CRD has no spec")?;
        let s = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_owned);
        let strings = |v: Option<&Value>| -> Vec<String> {
            v.and_then(Value::as_array)
                .map(|a| a.iter().filter_map(|x| s(Some(x))).collect())
                .unwrap_or_default()
        };
        let group = s(spec.get("group")).ok_or("CRD has no spec.group")?;
        let names = spec.get("names").ok_or("CRD has no spec.names")?;
        let kind = s(names.get("kind")).ok_or("CRD has no spec.names.kind")?;
        let plural = s(names.get("plural")).ok_or("CRD has no spec.names.plural")?;
        let mut versions = Vec::new();
        for v in spec
            .get("versions")
            .and_then(Value::as_array)
            .ok_or("CRD has no spec.versions")?
        {
            let name = s(v.get("name")).ok_or("CRD version has no name")?;
            let sub = v.get("subresources");
            let scale = sub.and_then(|x| x.get("scale")).map(|sc| ScaleInfo {
                spec_replicas_path: s(sc.get("specReplicasPath")).unwrap_or_default(),
                status_replicas_path: s(sc.get("statusReplicasPath")).unwrap_or_default(),
                label_selector_path: s(sc.get("labelSelectorPath")),
            });
            versions.push(VersionInfo {
                served: v.get("served").and_then(Value::as_bool).unwrap_or(true),
                storage: v.get("storage").and_then(Value::as_bool).unwrap_or(false),
                schema: v.pointer("/schema/openAPIV3Schema").cloned(),
                status: sub.and_then(|x| x.get("status")).is_some(),
                scale,
                deprecated: v
                    .get("deprecated")
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
                deprecation_warning: s(v.get("deprecationWarning")),
                printer_columns: v
                    .get("additionalPrinterColumns")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default(),
                selectable_fields: v
                    .get("selectableFields")
                    .and_then(Value::as_array)
                    .map(|a| {
                        a.iter()
                            .filter_map(|f| f.get("jsonPath").and_then(Value::as_str))
                            .map(|p| p.trim_start_matches('.').to_owned())
                            .collect()
                    })
                    .unwrap_or_default(),
                name,
            });
        }
        if versions.is_empty() {
            return Err("CRD has no versions".into());
        }
        if !versions.iter().any(|v| v.storage) {
            versions[0].storage = true;
        }
        Ok(KindInfo {
            list_kind: s(names.get("listKind")).unwrap_or_else(|| format!("{kind}List")),
            singular: s(names.get("singular")).unwrap_or_else(|| kind.to_lowercase()),
            short_names: strings(names.get("shortNames")),
            categories: strings(names.get("categories")),
            namespaced: s(spec.get("scope")).as_deref() != Some("Cluster"),
            group,
            kind,
            plural,
            versions,
        })
    }

    /// The version named `v`, if it is served.
    pub fn served_version(&self, v: &str) -> Option<&VersionInfo> {
        self.versions.iter().find(|x| x.name == v && x.served)
    }

    /// The storage version.
    pub fn storage_version(&self) -> &VersionInfo {
        self.versions
            .iter()
            .find(|v| v.storage)
            .unwrap_or(&self.versions[0])
    }

    /// `plural.group` (or `plural` for the core group), as in error messages.
    pub fn qualified_resource(&self) -> String {
        if self.group.is_empty() {
            self.plural.clone()
        } else {
            format!("{}.{}", self.plural, self.group)
        }
    }

    /// `Kind.group` (or `Kind`), as in `Invalid` error messages.
    pub fn qualified_kind(&self) -> String {
        if self.group.is_empty() {
            self.kind.clone()
        } else {
            format!("{}.{}", self.kind, self.group)
        }
    }

    fn api_version(&self, version: &str) -> String {
        if self.group.is_empty() {
            version.to_owned()
        } else {
            format!("{}/{}", self.group, version)
        }
    }
}

// ----------------------------------------------------------------------------------
// Errors

/// A failed request: the HTTP code and the `metav1.Status` the server sends.
#[derive(Debug, Clone, PartialEq)]
pub struct StatusError {
    /// HTTP status code.
    pub code: u16,
    /// The `Status` object (`kind: Status`, `status: Failure`, `reason`, `message`, `details`, `code`).
    pub status: Value,
}

impl StatusError {
    /// Build a failure `Status`.
    pub fn new(
        code: u16,
        reason: &str,
        message: impl Into<String>,
        details: Option<Value>,
    ) -> Self {
        let mut status = json!({
            "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": message.into(),
        });
        if !reason.is_empty() {
            status["reason"] = json!(reason);
        }
        if let Some(d) = details {
            status["details"] = d;
        }
        status["code"] = json!(code);
        StatusError { code, status }
    }

    /// `400 BadRequest`.
    pub fn bad_request(message: impl Into<String>) -> Self {
        StatusError::new(400, "BadRequest", message, None)
    }

    /// `404 NotFound` for an unknown path.
    pub fn no_route() -> Self {
        StatusError::new(
            404,
            "NotFound",
            "the server could not find the requested resource",
            Some(json!({})),
        )
    }

    /// `405 MethodNotAllowed`.
    pub fn method_not_allowed(verb: &str, kind: &KindInfo) -> Self {
        StatusError::new(
            405,
            "MethodNotAllowed",
            format!(
                "{verb} is not supported on resources of kind {:?}",
                kind.qualified_resource()
            ),
            Some(json!({"group": kind.group, "kind": kind.plural})),
        )
    }

    /// `500 InternalError`.
    pub fn internal(message: impl Into<String>) -> Self {
        let message = message.into();
        StatusError::new(
            500,
            "InternalError",
            format!("Internal error occurred: {message}"),
            Some(json!({"causes": [{"message": message}]})),
        )
    }

    pub(crate) fn not_found(kind: &KindInfo, name: &str) -> Self {
        StatusError::new(
            404,
            "NotFound",
            format!("{} {:?} not found", kind.qualified_resource(), name),
            Some(json!({"name": name, "group": kind.group, "kind": kind.plural})),
        )
    }

    fn already_exists(kind: &KindInfo, name: &str) -> Self {
        StatusError::new(
            409,
            "AlreadyExists",
            format!("{} {:?} already exists", kind.qualified_resource(), name),
            Some(json!({"name": name, "group": kind.group, "kind": kind.plural})),
        )
    }

    fn conflict(kind: &KindInfo, name: &str, why: &str) -> Self {
        StatusError::new(
            409,
            "Conflict",
            format!(
                "Operation cannot be fulfilled on {} {:?}: {why}",
                kind.qualified_resource(),
                name
            ),
            Some(json!({"name": name, "group": kind.group, "kind": kind.plural})),
        )
    }

    fn stale(kind: &KindInfo, name: &str) -> Self {
        StatusError::conflict(
            kind,
            name,
            "the object has been modified; please apply your changes to the latest version and try again",
        )
    }

    /// `422 Invalid` listing field errors, as `Kind.group "name" is invalid: …`.
    pub fn invalid(kind: &KindInfo, name: &str, errors: &[schema::FieldError]) -> Self {
        // `ErrorList.ToAggregate` drops repeated messages; the causes keep them.
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
        let causes: Vec<Value> = errors
            .iter()
            .map(|e| json!({"reason": e.kind.reason(), "message": e.body(), "field": e.field}))
            .collect();
        StatusError::new(
            422,
            "Invalid",
            format!("{} {:?} is invalid: {list}", kind.qualified_kind(), name),
            Some(json!({"name": name, "group": kind.group, "kind": kind.kind, "causes": causes})),
        )
    }

    /// `410 Gone` with reason `Expired`.
    pub fn expired(message: impl Into<String>) -> Self {
        StatusError::new(410, "Expired", message, None)
    }

    /// The `reason` field.
    pub fn reason(&self) -> &str {
        self.status
            .get("reason")
            .and_then(Value::as_str)
            .unwrap_or("")
    }

    /// The `message` field.
    pub fn message(&self) -> &str {
        self.status
            .get("message")
            .and_then(Value::as_str)
            .unwrap_or("")
    }
}

impl std::fmt::Display for StatusError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({}): {}", self.code, self.reason(), self.message())
    }
}

impl std::error::Error for StatusError {}

// ----------------------------------------------------------------------------------
// Options, results, actions

/// `fieldValidation`: what to do with unknown fields in a write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FieldValidation {
    /// Drop them silently.
    Ignore,
    /// Drop them and return a warning each (the server's default).
    #[default]
    Warn,
    /// Reject the request with `400 BadRequest`.
    Strict,
}

/// Options of create, update and patch.
#[derive(Debug, Clone, Default)]
pub struct WriteOptions {
    /// `dryRun=All`: run everything but store nothing.
    pub dry_run: bool,
    /// `fieldManager` (required by apply).
    pub field_manager: Option<String>,
    /// `fieldValidation`.
    pub field_validation: FieldValidation,
    /// `force` (apply only): take ownership of conflicting fields.
    pub force: bool,
    /// Paths of keys the request body repeated (`spec.color`), reported like unknown
    /// fields: warnings, or first in a strict decoding error.
    pub duplicate_fields: Vec<String>,
}

/// Options of delete and delete-collection (`metav1.DeleteOptions`).
#[derive(Debug, Clone, Default)]
pub struct DeleteOptions {
    /// `dryRun=All`.
    pub dry_run: bool,
    /// `preconditions.uid`.
    pub precondition_uid: Option<String>,
    /// `preconditions.resourceVersion`.
    pub precondition_resource_version: Option<String>,
    /// `propagationPolicy`: `Foreground` and `Orphan` add the garbage collector's
    /// finalizer (`foregroundDeletion`, `orphan`); no garbage collector removes it.
    pub propagation_policy: Option<String>,
    /// `orphanDependents` (deprecated): `true` acts as `propagationPolicy=Orphan`.
    pub orphan_dependents: Option<bool>,
}

/// Options of list (`metav1.ListOptions`).
#[derive(Debug, Clone, Default)]
pub struct ListOptions {
    /// `labelSelector`.
    pub label_selector: Option<String>,
    /// `fieldSelector`.
    pub field_selector: Option<String>,
    /// `limit` (0 = no limit).
    pub limit: Option<u64>,
    /// `continue`.
    pub continue_token: Option<String>,
    /// `resourceVersion`.
    pub resource_version: Option<String>,
    /// `resourceVersionMatch` (`Exact` or `NotOlderThan`).
    pub resource_version_match: Option<String>,
}

/// Options of watch.
#[derive(Debug, Clone, Default)]
pub struct WatchOptions {
    /// `labelSelector`.
    pub label_selector: Option<String>,
    /// `fieldSelector`.
    pub field_selector: Option<String>,
    /// `resourceVersion` to start after (`None`/`""`/`"0"`: send the current state first).
    pub resource_version: Option<String>,
    /// `allowWatchBookmarks`.
    pub allow_bookmarks: bool,
    /// `sendInitialEvents` (requires `allow_bookmarks`): send the current state, then a
    /// bookmark annotated `k8s.io/initial-events-end: "true"`.
    pub send_initial_events: bool,
}

/// Which subresource a write addresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Subresource {
    /// The main resource.
    #[default]
    None,
    /// `/status`.
    Status,
    /// `/scale`.
    Scale,
}

impl Subresource {
    fn name(self) -> Option<&'static str> {
        match self {
            Subresource::None => None,
            Subresource::Status => Some("status"),
            Subresource::Scale => Some("scale"),
        }
    }
}

/// The patch formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatchType {
    /// `application/merge-patch+json` (RFC 7386).
    Merge,
    /// `application/json-patch+json` (RFC 6902).
    Json,
    /// `application/apply-patch+yaml` (server-side apply; YAML or JSON body).
    Apply,
    /// `application/strategic-merge-patch+json`: refused for custom resources (415).
    StrategicMerge,
}

impl PatchType {
    /// The content type of the format.
    pub fn content_type(self) -> &'static str {
        match self {
            PatchType::Merge => "application/merge-patch+json",
            PatchType::Json => "application/json-patch+json",
            PatchType::Apply => "application/apply-patch+yaml",
            PatchType::StrategicMerge => "application/strategic-merge-patch+json",
        }
    }

    /// Parse a `Content-Type` (parameters ignored).
    pub fn from_content_type(ct: &str) -> Option<Self> {
        match ct.split(';').next().unwrap_or("").trim() {
            "application/merge-patch+json" => Some(PatchType::Merge),
            "application/json-patch+json" => Some(PatchType::Json),
            "application/apply-patch+yaml"
            | "application/apply-patch+json"
            | "application/apply-patch+cbor" => Some(PatchType::Apply),
            "application/strategic-merge-patch+json" => Some(PatchType::StrategicMerge),
            _ => None,
        }
    }
}

/// The result of a write.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    /// The object (or, for a completed delete, a `Status` of success).
    pub object: Value,
    /// Whether an object was created (HTTP 201).
    pub created: bool,
    /// Warnings for the `Warning` header (unknown fields, deprecated versions).
    pub warnings: Vec<String>,
}

/// A recorded request, for test assertions (like client-go's fake `Action`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Action {
    /// `create`, `get`, `list`, `watch`, `update`, `patch`, `delete`, `deletecollection`.
    pub verb: String,
    /// Group, version and resource.
    pub gvr: Gvr,
    /// Namespace, if any.
    pub namespace: Option<String>,
    /// Object name, if any.
    pub name: Option<String>,
    /// Subresource (`status`, `scale`), if any.
    pub subresource: Option<String>,
    /// Patch type, for patches.
    pub patch_type: Option<PatchType>,
}

/// A watch event type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventType {
    /// `ADDED`.
    Added,
    /// `MODIFIED`.
    Modified,
    /// `DELETED`.
    Deleted,
    /// `BOOKMARK`.
    Bookmark,
    /// `ERROR` (the object is a `Status`).
    Error,
}

impl EventType {
    /// The wire name, e.g. `ADDED`.
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::Added => "ADDED",
            EventType::Modified => "MODIFIED",
            EventType::Deleted => "DELETED",
            EventType::Bookmark => "BOOKMARK",
            EventType::Error => "ERROR",
        }
    }
}

/// One watch event.
#[derive(Debug, Clone, PartialEq)]
pub struct WatchEvent {
    /// The type.
    pub event_type: EventType,
    /// The object (at the watch's version).
    pub object: Value,
}

impl WatchEvent {
    /// The wire form `{"type": …, "object": …}`.
    pub fn to_json(&self) -> Value {
        json!({"type": self.event_type.as_str(), "object": self.object})
    }
}

/// A running watch: a stream of [`WatchEvent`]s. Dropping it stops the watch.
#[derive(Debug)]
pub struct Watch {
    id: u64,
    rx: mpsc::UnboundedReceiver<WatchEvent>,
    tracker: Tracker,
}

impl Watch {
    /// The next event (`None` when the watch has ended, e.g. after an `ERROR`).
    pub async fn next(&mut self) -> Option<WatchEvent> {
        self.rx.recv().await
    }

    /// The next event if one is ready now.
    pub fn try_next(&mut self) -> Option<WatchEvent> {
        self.rx.try_recv().ok()
    }

    /// Ask for a `BOOKMARK` event at the current resourceVersion (queued after every
    /// event already sent, so it never skips one). No-op unless bookmarks were allowed.
    pub fn request_bookmark(&self) {
        let store = self.tracker.lock();
        if let Some(w) = store.watchers.iter().find(|w| w.id == self.id)
            && w.bookmarks
        {
            let _ = w.tx.send(WatchEvent {
                event_type: EventType::Bookmark,
                object: w.bookmark(store.rv, false),
            });
        }
    }
}

impl futures::Stream for Watch {
    type Item = WatchEvent;
    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        self.rx.poll_recv(cx)
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        let mut store = self.tracker.lock();
        store.watchers.retain(|w| w.id != self.id);
    }
}

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

const META_FIELDS: &[&str] = &[
    "name",
    "generateName",
    "namespace",
    "selfLink",
    "uid",
    "resourceVersion",
    "generation",
    "creationTimestamp",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "labels",
    "annotations",
    "ownerReferences",
    "finalizers",
    "managedFields",
];

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
            })),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Store> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    // ---- kinds

    /// Serve the kind declared by a CRD (all its versions).
    pub fn register_crd(&self, crd: &Value) -> Result<(), String> {
        self.register_kind(KindInfo::from_crd(crd)?);
        Ok(())
    }

    /// Serve a typed kind without a schema (no pruning, defaulting or validation) and
    /// without subresources. Registering another version of the same kind adds it.
    pub fn register<K: crate::CustomResource>(&self) {
        self.register_kind(KindInfo::of::<K>());
    }

    /// Serve a kind. Versions of an already registered kind are merged in (a version
    /// with the same name replaces the old one; the storage version stays unique).
    pub fn register_kind(&self, kind: KindInfo) {
        let mut store = self.lock();
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

// ----------------------------------------------------------------------------------
// Store internals

fn meta_str(obj: &Value, field: &str) -> Option<String> {
    obj.get("metadata")
        .and_then(|m| m.get(field))
        .and_then(Value::as_str)
        .map(str::to_owned)
}

fn obj_key(kind: &KindInfo, namespace: Option<&str>, name: &str) -> Result<ObjKey, StatusError> {
    if kind.namespaced {
        match namespace {
            Some(ns) if !ns.is_empty() => Ok((ns.to_owned(), name.to_owned())),
            _ => Err(StatusError::bad_request(
                "the server could not find the requested resource",
            )),
        }
    } else {
        Ok((String::new(), name.to_owned()))
    }
}

/// An object as read through `version` (conversion `None`): `apiVersion` rewritten
/// and, for a version other than the storage version, the fields its schema does not
/// know dropped (no defaulting: read-time defaults use the storage schema).
fn convert(kind: &KindInfo, mut obj: Value, version: &str) -> Value {
    let storage = kind.storage_version();
    if version != storage.name
        && let Some(s) = kind.served_version(version).and_then(|v| v.schema.as_ref())
    {
        schema::prune(&mut obj, s);
    }
    obj["apiVersion"] = json!(kind.api_version(version));
    obj
}

/// An object as stored: `apiVersion` of the storage version and, when written through
/// another version, the fields the storage schema does not know dropped.
fn to_storage(kind: &KindInfo, mut obj: Value, version: &str) -> Value {
    let storage = kind.storage_version();
    if version != storage.name
        && let Some(s) = &storage.schema
    {
        schema::prune(&mut obj, s);
    }
    obj["apiVersion"] = json!(kind.api_version(&storage.name));
    obj
}

fn parse_rv(rv: &str) -> Result<u64, StatusError> {
    rv.parse::<u64>()
        .map_err(|_| StatusError::bad_request(format!("invalid resource version: {rv:?}")))
}

fn parse_selectors(
    kind: &KindInfo,
    ver: &VersionInfo,
    label: Option<&str>,
    field: Option<&str>,
) -> Result<(Selector, FieldSelector), StatusError> {
    let label = match label {
        Some(l) if !l.trim().is_empty() => Selector::parse(l).map_err(|e| {
            // The server's label parser words the same errors its own way.
            let text = match &e {
                crate::selector::SelectorError::Syntax { message, .. } => message
                    .replace(
                        "expected: '=', '!=', '==', 'in', 'notin', '>' or '<'",
                        "expected: in, notin, =, ==, !=, gt, lt",
                    )
                    .replace(", expected: '('", " expected: '('"),
                other => other.to_string(),
            };
            StatusError::bad_request(format!("unable to parse requirement: {text}"))
        })?,
        _ => Selector::everything(),
    };
    let field = match field {
        Some(f) if !f.trim().is_empty() => {
            FieldSelector::parse(f).map_err(|_| {
                // `fields.ParseSelector`'s wording: the first term that is no comparison.
                let term = f.split(',').find(|t| !t.contains('=')).unwrap_or(f);
                StatusError::bad_request(format!(
                    "invalid selector: '{f}'; can't understand '{term}'"
                ))
            })?
        }
        _ => FieldSelector::everything(),
    };
    for t in field.requirements() {
        let known = t.field == "metadata.name"
            || (kind.namespaced && t.field == "metadata.namespace")
            || ver.selectable_fields.iter().any(|f| f == &t.field);
        if !known {
            return Err(StatusError::bad_request(format!(
                "field label not supported: {}",
                t.field
            )));
        }
    }
    Ok((label, field))
}

fn to_scale(obj: &Value, scale: &ScaleInfo) -> Value {
    let m = &obj["metadata"];
    let mut meta = Map::new();
    for k in [
        "name",
        "namespace",
        "uid",
        "resourceVersion",
        "creationTimestamp",
    ] {
        if let Some(v) = m.get(k) {
            meta.insert(k.to_owned(), v.clone());
        }
    }
    let spec = get_path(obj, &scale.spec_replicas_path)
        .and_then(Value::as_i64)
        .unwrap_or(0);
    let status = get_path(obj, &scale.status_replicas_path)
        .and_then(Value::as_i64)
        .unwrap_or(0);
    let mut st = json!({"replicas": status});
    if let Some(sel) = scale
        .label_selector_path
        .as_deref()
        .and_then(|p| get_path(obj, p))
        .and_then(Value::as_str)
    {
        st["selector"] = json!(sel);
    }
    // `ScaleSpec.replicas` is omitted when 0.
    let spec = if spec == 0 {
        json!({})
    } else {
        json!({ "replicas": spec })
    };
    json!({"kind": "Scale", "apiVersion": "autoscaling/v1", "metadata": meta, "spec": spec, "status": st})
}

fn path_segments(path: &str) -> Vec<&str> {
    path.trim_start_matches('.')
        .split('.')
        .filter(|s| !s.is_empty())
        .collect()
}

fn get_path<'a>(obj: &'a Value, path: &str) -> Option<&'a Value> {
    let mut v = obj;
    for s in path_segments(path) {
        v = v.get(s)?;
    }
    Some(v)
}

fn set_path(obj: &mut Value, path: &str, value: Value) {
    let segs = path_segments(path);
    let mut v = obj;
    for (i, s) in segs.iter().enumerate() {
        if !v.is_object() {
            *v = json!({});
        }
        let map = v.as_object_mut().expect("just made an object");
        if i + 1 == segs.len() {
            map.insert((*s).to_owned(), value);
            return;
        }
        v = map.entry((*s).to_owned()).or_insert_with(|| json!({}));
    }
}

/// The object without `metadata` and `apiVersion` (what generation tracks).
fn content(obj: &Value) -> Value {
    let mut c = obj.clone();
    if let Some(m) = c.as_object_mut() {
        m.remove("metadata");
        m.remove("apiVersion");
    }
    c
}

impl Store {
    fn next_rv(&mut self) -> u64 {
        self.rv += 1;
        self.rv
    }

    fn trim_history(&mut self) {
        while self.history.len() > self.history_limit {
            if let Some(ev) = self.history.pop_front() {
                self.compacted_rv = ev.rv;
            }
        }
    }

    fn emit(&mut self, ev: HistEvent) {
        self.watchers.retain(|w| match w.translate(&ev) {
            Some(we) => w.tx.send(we).is_ok(),
            None => !w.tx.is_closed(),
        });
        self.history.push_back(ev);
        self.trim_history();
    }

    fn record(
        &mut self,
        gvr: &Gvr,
        verb: &str,
        namespace: Option<&str>,
        name: Option<&str>,
        sub: Subresource,
        patch_type: Option<PatchType>,
    ) {
        self.actions.push(Action {
            verb: verb.to_owned(),
            gvr: gvr.clone(),
            namespace: namespace.map(str::to_owned),
            name: name.map(str::to_owned),
            subresource: sub.name().map(str::to_owned),
            patch_type,
        });
    }

    fn resolve(&self, gvr: &Gvr) -> Result<(Arc<KindInfo>, VersionInfo), StatusError> {
        let kind = self
            .kinds
            .get(&(gvr.group.clone(), gvr.resource.clone()))
            .cloned()
            .ok_or_else(StatusError::no_route)?;
        let ver = kind
            .served_version(&gvr.version)
            .cloned()
            .ok_or_else(StatusError::no_route)?;
        Ok((kind, ver))
    }

    fn current(&self, kind: &KindInfo, key: &ObjKey) -> Option<Value> {
        self.objects
            .get(&(kind.group.clone(), kind.plural.clone()))
            .and_then(|m| m.get(key))
            .cloned()
    }

    /// The objects of a kind as they were at `rv` (requires `rv >= compacted_rv`).
    fn snapshot(&self, kind: &KindInfo, rv: u64) -> BTreeMap<ObjKey, Value> {
        let kk = (kind.group.clone(), kind.plural.clone());
        let mut objs = self.objects.get(&kk).cloned().unwrap_or_default();
        for ev in self.history.iter().rev() {
            if ev.rv <= rv {
                break;
            }
            if ev.kind != kk {
                continue;
            }
            match (&ev.event_type, &ev.prev) {
                (EventType::Added, _) => {
                    objs.remove(&ev.key);
                }
                (_, Some(p)) => {
                    objs.insert(ev.key.clone(), p.clone());
                }
                _ => {}
            }
        }
        objs
    }

    #[allow(clippy::type_complexity)]
    fn list_page(
        &self,
        kind: &KindInfo,
        namespace: Option<&str>,
        label: &Selector,
        field: &FieldSelector,
        opts: &ListOptions,
    ) -> Result<(Vec<Value>, u64, Option<String>, Option<u64>), StatusError> {
        let mut start: Option<String> = None;
        let mut at = self.rv;
        if let Some(token) = opts.continue_token.as_deref().filter(|t| !t.is_empty()) {
            let invalid = |why: String| {
                StatusError::bad_request(format!(
                    "invalid continue token: continue key is not valid: {why}"
                ))
            };
            // Go's decoder ignores trailing bits.
            let lenient = base64::engine::GeneralPurpose::new(
                &base64::alphabet::URL_SAFE,
                base64::engine::GeneralPurposeConfig::new()
                    .with_decode_allow_trailing_bits(true)
                    .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
            );
            let bytes = lenient.decode(token).map_err(|e| {
                let at = match e {
                    base64::DecodeError::InvalidByte(i, _)
                    | base64::DecodeError::InvalidLastSymbol(i, _) => i,
                    _ => token.len(),
                };
                invalid(format!("illegal base64 data at input byte {at}"))
            })?;
            let decoded = serde_json::from_slice::<Value>(&bytes).map_err(|_| {
                let c = bytes
                    .iter()
                    .copied()
                    .find(|b| !b.is_ascii_whitespace())
                    .unwrap_or(b' ');
                invalid(format!(
                    "invalid character {} looking for beginning of value",
                    go_quote_char(c)
                ))
            })?;
            let rv = decoded.get("rv").and_then(Value::as_u64).unwrap_or(0);
            if rv < self.compacted_rv || rv == 0 {
                return Err(StatusError::expired(
                    "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.",
                ));
            }
            at = rv;
            start = decoded
                .get("start")
                .and_then(Value::as_str)
                .map(str::to_owned);
        } else if let Some(rvs) = opts
            .resource_version
            .as_deref()
            .filter(|r| !r.is_empty() && *r != "0")
        {
            let rv = parse_rv(rvs)?;
            if rv > self.rv {
                return Err(StatusError::new(
                    504,
                    "Timeout",
                    format!("Too large resource version: {rv}, current: {}", self.rv),
                    Some(
                        json!({"causes": [{"reason": "ResourceVersionTooLarge", "message": "Too large resource version"}], "retryAfterSeconds": 1}),
                    ),
                ));
            }
            if opts.resource_version_match.as_deref() == Some("Exact") {
                if rv < self.compacted_rv {
                    return Err(StatusError::expired(format!(
                        "too old resource version: {rv} ({})",
                        self.compacted_rv
                    )));
                }
                at = rv;
            }
        }
        let objs = if at == self.rv {
            self.objects
                .get(&(kind.group.clone(), kind.plural.clone()))
                .cloned()
                .unwrap_or_default()
        } else {
            self.snapshot(kind, at)
        };
        let key_str = |k: &ObjKey| {
            if kind.namespaced {
                format!("{}/{}", k.0, k.1)
            } else {
                k.1.clone()
            }
        };
        // Keys sort as etcd sorts them: `namespace/name` as one string.
        let mut sorted: Vec<(String, &Value)> = objs
            .iter()
            .filter(|(k, o)| {
                (!kind.namespaced || namespace.is_none_or(|ns| ns == k.0))
                    && matches_selectors(o, label, field)
            })
            .map(|(k, o)| (key_str(k), o))
            .filter(|(k, _)| start.as_deref().is_none_or(|s| k.as_str() > s))
            .collect();
        sorted.sort_by(|a, b| a.0.cmp(&b.0));
        // `resourceVersion=0` reads the watch cache, which does not page.
        let from_cache = opts.resource_version.as_deref() == Some("0");
        let limit = opts.limit.filter(|l| *l > 0 && !from_cache);
        let mut items = Vec::new();
        let mut last: Option<&str> = None;
        let total = sorted.len();
        for (k, o) in &sorted {
            if limit.is_some_and(|l| items.len() as u64 >= l) {
                // There is at least one more item.
                let rest = (total - items.len()) as u64;
                let l = last.unwrap_or_default();
                let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(
                    json!({"v": "meta.k8s.io/v1", "rv": at, "start": format!("{l}\u{0}")})
                        .to_string(),
                );
                let remaining = (label.is_everything() && field.is_everything()).then_some(rest);
                return Ok((items, at, Some(token), remaining));
            }
            items.push((*o).clone());
            last = Some(k.as_str());
        }
        Ok((items, at, None, None))
    }

    /// Prune, default, coerce metadata and validate an object at a version.
    fn admit(
        kind: &KindInfo,
        ver: &VersionInfo,
        obj: &mut Value,
        opts: &WriteOptions,
        warnings: &mut Vec<String>,
        drop_status: bool,
    ) -> Result<(), StatusError> {
        let name = meta_str(obj, "name").unwrap_or_default();
        if let Some(why) = ver
            .schema
            .as_ref()
            .and_then(|s| validation::embedded_type_error(obj, s))
        {
            return Err(StatusError::bad_request(format!(
                "{k} in version {v:?} cannot be handled as a {k}: {why}",
                k = kind.kind,
                v = ver.name
            )));
        }
        let unknown = Self::unknown_fields(ver, obj);
        if drop_status && let Some(o) = obj.as_object_mut() {
            o.remove("status");
        }
        if let Some(s) = &ver.schema {
            schema::apply_defaults(obj, s);
        }
        // ObjectMeta's round trip drops empty and null optional fields.
        if let Some(m) = obj.get_mut("metadata").and_then(Value::as_object_mut) {
            m.retain(|_, v| match v {
                Value::Null => false,
                Value::String(s) => !s.is_empty(),
                Value::Array(a) => !a.is_empty(),
                Value::Object(o) => !o.is_empty(),
                _ => true,
            });
        }
        let problems: Vec<String> = opts
            .duplicate_fields
            .iter()
            .map(|d| format!("duplicate field {d:?}"))
            .chain(unknown.iter().map(|u| format!("unknown field {u:?}")))
            .collect();
        if !problems.is_empty() {
            match opts.field_validation {
                FieldValidation::Ignore => {}
                FieldValidation::Warn => warnings.extend(problems),
                FieldValidation::Strict => {
                    return Err(StatusError::bad_request(format!(
                        "{k} in version {v:?} cannot be handled as a {k}: strict decoding error: {}",
                        problems.join(", "),
                        k = kind.kind,
                        v = ver.name,
                    )));
                }
            }
        }
        let mut errs = validation::object_meta(obj, warnings);
        if let Some(s) = &ver.schema {
            errs.extend(schema::validate(obj, s));
        }
        if let Some(sc) = &ver.scale {
            errs.extend(validation::scale(obj, sc));
        }
        if let Some(s) = &ver.schema {
            errs.extend(validation::embedded_resources(obj, s));
        }
        // CEL rules (not evaluated here) are skipped after blocking errors, and the
        // server says so in a last error.
        if ver.schema.as_ref().is_some_and(validation::has_cel_rules)
            && let Some(marker) = validation::cel_blocked_marker(&errs)
        {
            errs.push(marker);
        }
        if !errs.is_empty() {
            return Err(StatusError::invalid(kind, &name, &errs));
        }
        if ver.deprecated {
            warnings.push(
                ver.deprecation_warning
                    .clone()
                    .unwrap_or_else(|| format!("{} is deprecated", kind.api_version(&ver.name))),
            );
        }
        Ok(())
    }

    /// Drop the fields the schema (and ObjectMeta) do not know; their paths.
    fn unknown_fields(ver: &VersionInfo, obj: &mut Value) -> Vec<String> {
        let mut unknown = Vec::new();
        if let Some(m) = obj.get_mut("metadata").and_then(Value::as_object_mut) {
            let extra: Vec<String> = m
                .keys()
                .filter(|k| !META_FIELDS.contains(&k.as_str()))
                .cloned()
                .collect();
            for k in extra {
                m.remove(&k);
                unknown.push(format!("metadata.{k}"));
            }
        }
        if let Some(s) = &ver.schema {
            unknown.extend(schema::prune(obj, s));
            unknown.extend(validation::prune_embedded_meta(obj, s, META_FIELDS));
        }
        unknown
    }

    fn check_body_kind(kind: &KindInfo, ver: &VersionInfo, obj: &Value) -> Result<(), StatusError> {
        if !obj.is_object() {
            return Err(StatusError::bad_request(
                "the body of the request must be a JSON object",
            ));
        }
        let k = obj.get("kind").and_then(Value::as_str).unwrap_or("");
        let av = obj.get("apiVersion").and_then(Value::as_str).unwrap_or("");
        if k.is_empty() {
            return Err(StatusError::bad_request(format!(
                "Object 'Kind' is missing in '{obj}'"
            )));
        }
        let want = kind.api_version(&ver.name);
        if av != want {
            return Err(StatusError::bad_request(format!(
                "the API version in the data ({av}) does not match the expected API version ({want})"
            )));
        }
        if k != kind.kind {
            // Validated after decoding, as an Invalid of the kind the body names.
            let named = KindInfo {
                kind: k.to_owned(),
                ..kind.clone()
            };
            let name = meta_str(obj, "name").unwrap_or_default();
            return Err(StatusError::invalid(
                &named,
                &name,
                &[schema::FieldError::invalid(
                    "kind",
                    json!(k),
                    format!("must be {}", kind.kind),
                )],
            ));
        }
        Ok(())
    }

    fn create(
        &mut self,
        kind: &KindInfo,
        ver: &VersionInfo,
        namespace: Option<&str>,
        mut obj: Value,
        opts: &WriteOptions,
        fields_recorded: bool,
    ) -> Result<Reply, StatusError> {
        Self::check_body_kind(kind, ver, &obj)?;
        obj["apiVersion"] = json!(kind.api_version(&ver.name));
        if !obj.get("metadata").is_some_and(Value::is_object) {
            obj["metadata"] = json!({});
        }
        // Namespace.
        let body_ns = meta_str(&obj, "namespace").filter(|s| !s.is_empty());
        let ns = if kind.namespaced {
            let ns = match (namespace.filter(|s| !s.is_empty()), body_ns) {
                (Some(r), Some(b)) if r != b => {
                    return Err(StatusError::bad_request(
                        "the namespace of the provided object does not match the namespace sent on the request",
                    ));
                }
                (Some(r), _) => r.to_owned(),
                (None, Some(b)) => b,
                (None, None) => {
                    return Err(StatusError::bad_request(
                        "the server could not find the requested resource",
                    ));
                }
            };
            obj["metadata"]["namespace"] = json!(ns);
            ns
        } else {
            if let Some(m) = obj["metadata"].as_object_mut() {
                m.remove("namespace");
            }
            String::new()
        };
        if meta_str(&obj, "resourceVersion").is_some_and(|r| !r.is_empty()) {
            return Err(StatusError::internal(
                "resourceVersion should not be set on objects to be created",
            ));
        }
        // Name.
        let mut name = meta_str(&obj, "name").unwrap_or_default();
        if name.is_empty()
            && let Some(g) = meta_str(&obj, "generateName").filter(|g| !g.is_empty())
        {
            name = format!("{}{}", truncate_prefix(&g), random_suffix());
            obj["metadata"]["name"] = json!(name);
        }
        // System fields.
        let m = obj["metadata"]
            .as_object_mut()
            .expect("metadata is an object");
        m.insert("uid".into(), json!(new_uid()));
        m.insert("creationTimestamp".into(), json!(now_rfc3339()));
        m.insert("generation".into(), json!(1));
        m.remove("deletionTimestamp");
        m.remove("deletionGracePeriodSeconds");
        m.remove("selfLink");
        let mut warnings = Vec::new();
        // Decoding prunes (and warns about) the whole body; the strategy then drops
        // the status the main resource may not set.
        Self::admit(kind, ver, &mut obj, opts, &mut warnings, ver.status)?;
        if !fields_recorded {
            managed::record_update(
                None,
                &mut obj,
                &field_op(kind, ver, Subresource::None, opts),
            );
        }
        let key = (ns, name.clone());
        let kk = (kind.group.clone(), kind.plural.clone());
        if self.current(kind, &key).is_some() {
            return Err(StatusError::already_exists(kind, &name));
        }
        if opts.dry_run {
            return Ok(Reply {
                object: convert(kind, to_storage(kind, obj, &ver.name), &ver.name),
                created: true,
                warnings,
            });
        }
        let stored = to_storage(kind, obj.clone(), &ver.name);
        etcd_size_check(&stored)?;
        let rv = self.next_rv();
        let mut stored = stored;
        stored["metadata"]["resourceVersion"] = json!(rv.to_string());
        let obj = convert(kind, stored.clone(), &ver.name);
        self.objects
            .entry(kk.clone())
            .or_default()
            .insert(key.clone(), stored.clone());
        self.emit(HistEvent {
            rv,
            kind: kk,
            key,
            event_type: EventType::Added,
            object: stored,
            prev: None,
        });
        Ok(Reply {
            object: obj,
            created: true,
            warnings,
        })
    }

    #[allow(clippy::too_many_arguments)]
    fn update(
        &mut self,
        kind: &KindInfo,
        ver: &VersionInfo,
        namespace: Option<&str>,
        name: &str,
        mut obj: Value,
        sub: Subresource,
        opts: &WriteOptions,
        require_rv: bool,
        fields_recorded: bool,
    ) -> Result<Reply, StatusError> {
        Self::check_body_kind(kind, ver, &obj)?;
        let key = obj_key(kind, namespace, name)?;
        let old = self
            .current(kind, &key)
            .ok_or_else(|| StatusError::not_found(kind, name))?;
        let old = convert(kind, old, &ver.name);
        if !obj.get("metadata").is_some_and(Value::is_object) {
            obj["metadata"] = json!({});
        }
        match meta_str(&obj, "name").filter(|n| !n.is_empty()) {
            Some(n) if n != name => {
                return Err(StatusError::bad_request(format!(
                    "the name of the object ({n}) does not match the name on the URL ({name})"
                )));
            }
            Some(_) => {}
            None if require_rv => {
                return Err(StatusError::bad_request(format!(
                    "the name of the object ({name} based on URL) was undeterminable: name must be provided"
                )));
            }
            None => obj["metadata"]["name"] = json!(name),
        }
        if kind.namespaced
            && let Some(b) = meta_str(&obj, "namespace").filter(|s| !s.is_empty())
            && b != key.0
        {
            return Err(StatusError::bad_request(
                "the namespace of the provided object does not match the namespace sent on the request",
            ));
        }
        let old_rv = meta_str(&old, "resourceVersion").unwrap_or_default();
        match meta_str(&obj, "resourceVersion").filter(|r| !r.is_empty()) {
            None if require_rv => {
                return Err(StatusError::invalid(
                    kind,
                    name,
                    &[schema::FieldError::invalid(
                        "metadata.resourceVersion",
                        json!("0x0"),
                        "must be specified for an update",
                    )],
                ));
            }
            Some(r) if r != old_rv => return Err(StatusError::stale(kind, name)),
            _ => {}
        }
        obj["apiVersion"] = json!(kind.api_version(&ver.name));
        let mut new = match sub {
            Subresource::Status => {
                let mut n = old.clone();
                if let Some(mf) = obj["metadata"].get("managedFields") {
                    n["metadata"]["managedFields"] = mf.clone();
                }
                match obj.get("status") {
                    Some(s) => n["status"] = s.clone(),
                    None => {
                        if let Some(o) = n.as_object_mut() {
                            o.remove("status");
                        }
                    }
                }
                n
            }
            _ => {
                let mut n = obj;
                {
                    let nm = n["metadata"]
                        .as_object_mut()
                        .expect("metadata is an object");
                    for f in [
                        "uid",
                        "creationTimestamp",
                        "deletionTimestamp",
                        "deletionGracePeriodSeconds",
                        "generation",
                        "namespace",
                    ] {
                        match old["metadata"].get(f) {
                            Some(v) => nm.insert(f.to_owned(), v.clone()),
                            None => nm.remove(f),
                        };
                    }
                    nm.remove("selfLink");
                    nm.remove("generateName");
                    if let Some(g) = old["metadata"].get("generateName") {
                        nm.insert("generateName".into(), g.clone());
                    }
                    if !nm.contains_key("managedFields")
                        && let Some(mf) = old["metadata"].get("managedFields")
                    {
                        nm.insert("managedFields".into(), mf.clone());
                    }
                }
                if ver.status {
                    match old.get("status") {
                        Some(s) => n["status"] = s.clone(),
                        None => {
                            if let Some(o) = n.as_object_mut() {
                                o.remove("status");
                            }
                        }
                    }
                }
                n
            }
        };
        new["metadata"]["resourceVersion"] = json!(old_rv);
        let mut warnings = Vec::new();
        Self::admit(kind, ver, &mut new, opts, &mut warnings, false)?;
        if !fields_recorded {
            managed::record_update(Some(&old), &mut new, &field_op(kind, ver, sub, opts));
        }
        // Finalizers may not be added while deleting.
        if old["metadata"].get("deletionTimestamp").is_some() {
            let old_f = finalizers(&old);
            let added: Vec<String> = finalizers(&new)
                .into_iter()
                .filter(|f| !old_f.contains(f))
                .collect();
            if !added.is_empty() {
                let list = added
                    .iter()
                    .map(|f| format!("{f:?}"))
                    .collect::<Vec<_>>()
                    .join(", ");
                let err = schema::FieldError::forbidden(
                    "metadata.finalizers",
                    format!(
                        "no new finalizers can be added if the object is being deleted, found new finalizers []string{{{list}}}"
                    ),
                );
                // kube-apiserver runs this check twice (generic and custom resource
                // metadata validation) and reports it twice.
                return Err(StatusError::invalid(kind, name, &[err.clone(), err]));
            }
        }
        if content(&new) != content(&old) && sub != Subresource::Status {
            let g = old["metadata"]
                .get("generation")
                .and_then(Value::as_i64)
                .unwrap_or(0);
            new["metadata"]["generation"] = json!(g + 1);
        }
        // What the write leaves, as read back through the request's version.
        new = convert(kind, to_storage(kind, new, &ver.name), &ver.name);
        if new == old {
            return Ok(Reply {
                object: new,
                created: false,
                warnings,
            });
        }
        if opts.dry_run {
            return Ok(Reply {
                object: new,
                created: false,
                warnings,
            });
        }
        let kk = (kind.group.clone(), kind.plural.clone());
        etcd_size_check(&to_storage(kind, new.clone(), &ver.name))?;
        let rv = self.next_rv();
        new["metadata"]["resourceVersion"] = json!(rv.to_string());
        let stored = to_storage(kind, new.clone(), &ver.name);
        let prev = self.current(kind, &key);
        if new["metadata"].get("deletionTimestamp").is_some() && finalizers(&new).is_empty() {
            if let Some(m) = self.objects.get_mut(&kk) {
                m.remove(&key);
            }
            // The answer keeps the resourceVersion the object had before this write.
            new["metadata"]["resourceVersion"] = json!(old_rv);
            self.emit(HistEvent {
                rv,
                kind: kk,
                key,
                event_type: EventType::Deleted,
                object: stored,
                prev,
            });
        } else {
            self.objects
                .entry(kk.clone())
                .or_default()
                .insert(key.clone(), stored.clone());
            self.emit(HistEvent {
                rv,
                kind: kk,
                key,
                event_type: EventType::Modified,
                object: stored,
                prev,
            });
        }
        Ok(Reply {
            object: new,
            created: false,
            warnings,
        })
    }

    fn update_scale(
        &mut self,
        kind: &KindInfo,
        ver: &VersionInfo,
        namespace: Option<&str>,
        name: &str,
        scale_obj: Value,
        opts: &WriteOptions,
    ) -> Result<Reply, StatusError> {
        let scale = ver.scale.clone().ok_or_else(StatusError::no_route)?;
        let key = obj_key(kind, namespace, name)?;
        let cur = self
            .current(kind, &key)
            .ok_or_else(|| StatusError::not_found(kind, name))?;
        let mut obj = convert(kind, cur, &ver.name);
        if let Some(n) = meta_str(&scale_obj, "name").filter(|n| !n.is_empty() && n != name) {
            return Err(StatusError::bad_request(format!(
                "the name of the object ({n}) does not match the name on the URL ({name})"
            )));
        }
        let replicas = match scale_obj.pointer("/spec/replicas") {
            None | Some(Value::Null) => 0,
            Some(v) => v
                .as_i64()
                .ok_or_else(|| StatusError::bad_request("spec.replicas must be an integer"))?,
        };
        if let Some(rv) = meta_str(&scale_obj, "resourceVersion").filter(|r| !r.is_empty()) {
            obj["metadata"]["resourceVersion"] = json!(rv);
        }
        let old_replicas = get_path(&obj, &scale.spec_replicas_path)
            .and_then(Value::as_i64)
            .unwrap_or(0);
        let live = obj.clone();
        set_path(&mut obj, &scale.spec_replicas_path, json!(replicas));
        // The replicas are validated with the object (schema and scale checks).
        managed::record_scale(
            &live,
            &mut obj,
            &field_op(kind, ver, Subresource::Scale, opts),
            &scale.spec_replicas_path,
            old_replicas,
            replicas,
        );
        let reply = self.update(
            kind,
            ver,
            namespace,
            name,
            obj,
            Subresource::Scale,
            opts,
            false,
            true,
        )?;
        Ok(Reply {
            object: to_scale(&reply.object, &scale),
            ..reply
        })
    }

    #[allow(clippy::too_many_arguments)]
    fn patch(
        &mut self,
        kind: &KindInfo,
        ver: &VersionInfo,
        namespace: Option<&str>,
        name: &str,
        patch_type: PatchType,
        body: &[u8],
        sub: Subresource,
        opts: &WriteOptions,
    ) -> Result<Reply, StatusError> {
        if patch_type == PatchType::StrategicMerge {
            return Err(StatusError::new(
                415,
                "UnsupportedMediaType",
                "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml",
                None,
            ));
        }
        if sub == Subresource::Scale && ver.scale.is_none() {
            return Err(StatusError::not_found(kind, name));
        }
        if let Some(m) = opts.field_manager.as_deref().filter(|m| m.len() > 128) {
            let _ = m;
            return Err(options_invalid(
                "PatchOptions",
                &[schema::FieldError {
                    kind: schema::FieldErrorKind::TooLong,
                    field: "fieldManager".into(),
                    bad_value: None,
                    detail: "may not be more than 128 bytes".into(),
                }],
            ));
        }
        if patch_type == PatchType::Apply {
            return self.apply(kind, ver, namespace, name, body, sub, opts);
        }
        if opts.force {
            return Err(options_invalid(
                "PatchOptions",
                &[schema::FieldError::forbidden(
                    "force",
                    "may not be specified for non-apply patch",
                )],
            ));
        }
        let key = obj_key(kind, namespace, name)?;
        let cur = self
            .current(kind, &key)
            .ok_or_else(|| StatusError::not_found(kind, name))?;
        let cur = convert(kind, cur, &ver.name);
        let target = match sub {
            Subresource::Scale => {
                // Patches apply to the Scale with its replicas even when 0 (JSON
                // patches may `replace` them).
                let sc = ver.scale.as_ref().expect("checked above");
                let mut t = to_scale(&cur, sc);
                let r = get_path(&cur, &sc.spec_replicas_path)
                    .and_then(Value::as_i64)
                    .unwrap_or(0);
                t["spec"]["replicas"] = json!(r);
                t
            }
            _ => cur.clone(),
        };
        let patched = apply_patch(patch_type, &target, body)?;
        if opts.field_validation == FieldValidation::Strict && sub != Subresource::Scale {
            let unknown = Self::unknown_fields(ver, &mut patched.clone());
            if !unknown.is_empty() {
                let list: Vec<String> = unknown
                    .iter()
                    .map(|u| format!("unknown field {u:?}"))
                    .collect();
                let err = schema::FieldError::invalid(
                    "patch",
                    Value::String(patched.to_string()),
                    format!("strict decoding error: {}", list.join(", ")),
                );
                let body = err.body();
                return Err(StatusError::new(
                    422,
                    "Invalid",
                    format!(" \"\" is invalid: {err}"),
                    Some(
                        json!({"causes": [{"reason": "FieldValueInvalid", "message": body, "field": "patch"}]}),
                    ),
                ));
            }
        }
        let mut patched = patched;
        if !patched.get("metadata").is_some_and(Value::is_object) {
            patched["metadata"] = json!({});
        }
        if meta_str(&patched, "resourceVersion").is_none_or(|r| r.is_empty()) {
            patched["metadata"]["resourceVersion"] = cur["metadata"]["resourceVersion"].clone();
        }
        match sub {
            Subresource::Scale => self.update_scale(kind, ver, namespace, name, patched, opts),
            _ => self.update(kind, ver, namespace, name, patched, sub, opts, false, false),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn apply(
        &mut self,
        kind: &KindInfo,
        ver: &VersionInfo,
        namespace: Option<&str>,
        name: &str,
        body: &[u8],
        sub: Subresource,
        opts: &WriteOptions,
    ) -> Result<Reply, StatusError> {
        let manager = opts
            .field_manager
            .clone()
            .filter(|m| !m.is_empty())
            .ok_or_else(|| {
                options_invalid(
                    "PatchOptions",
                    &[schema::FieldError::required(
                        "fieldManager",
                        "is required for apply patch",
                    )],
                )
            })?;
        let text = std::str::from_utf8(body)
            .map_err(|_| StatusError::bad_request("the body is not UTF-8"))?;
        let mut config: Value = match serde_json::from_str(text) {
            Ok(v) => v,
            Err(_) => decode_yaml(text)
                .map_err(|e| StatusError::bad_request(format!("error decoding YAML: {e}")))?,
        };
        let k = config.get("kind").and_then(Value::as_str).unwrap_or("");
        let av = config
            .get("apiVersion")
            .and_then(Value::as_str)
            .unwrap_or("");
        if k.is_empty() || av.is_empty() {
            let gv = if av.contains('/') {
                av.to_owned()
            } else {
                format!("/{av}")
            };
            return Err(StatusError::bad_request(format!(
                "invalid object type: {gv}, Kind={k}"
            )));
        }
        if sub == Subresource::Scale {
            return Err(StatusError::bad_request(
                "apply is not supported on the scale subresource",
            ));
        }
        Self::check_body_kind(kind, ver, &config)?;
        if config
            .pointer("/metadata/managedFields")
            .is_some_and(|m| !m.is_null())
        {
            return Err(StatusError::bad_request(
                "metadata.managedFields must be nil",
            ));
        }
        // Fields outside the schema cannot be typed: the server fails with a 500.
        if let Some(schema) = &ver.schema {
            let mut probe = config.clone();
            if let Some(first) = schema::prune(&mut probe, schema).first() {
                return Err(StatusError::new(
                    500,
                    "",
                    format!(
                        "failed to create typed patch object (/{name}; {}, Kind={}): .{first}: field not declared in schema",
                        kind.api_version(&ver.name),
                        kind.kind
                    ),
                    None,
                ));
            }
        }
        if !config.get("metadata").is_some_and(Value::is_object) {
            config["metadata"] = json!({});
        }
        match meta_str(&config, "name").filter(|n| !n.is_empty()) {
            Some(n) if n != name => {
                return Err(StatusError::bad_request(format!(
                    "the name of the object ({n}) does not match the name on the URL ({name})"
                )));
            }
            _ => config["metadata"]["name"] = json!(name),
        }
        let key = obj_key(kind, namespace, name)?;
        let live = self
            .current(kind, &key)
            .map(|c| convert(kind, c, &ver.name));
        if live.is_none() && sub != Subresource::None {
            return Err(StatusError::not_found(kind, name));
        }
        let mut op = field_op(kind, ver, sub, opts);
        op.manager = manager;
        let mut merged = match managed::apply(live.as_ref(), &config, &op, opts.force) {
            Ok(m) => m,
            Err(conflicts) => return Err(apply_conflict(&conflicts)),
        };
        let Some(cur) = live else {
            if let Some(m) = merged["metadata"].as_object_mut() {
                m.remove("resourceVersion");
            }
            return self.create(kind, ver, namespace, merged, opts, true);
        };
        if meta_str(&config, "resourceVersion").is_none_or(|r| r.is_empty()) {
            merged["metadata"]["resourceVersion"] = cur["metadata"]["resourceVersion"].clone();
        }
        self.update(kind, ver, namespace, name, merged, sub, opts, false, true)
    }

    fn delete(
        &mut self,
        kind: &KindInfo,
        ver: &VersionInfo,
        namespace: Option<&str>,
        name: &str,
        opts: &DeleteOptions,
    ) -> Result<Reply, StatusError> {
        let key = obj_key(kind, namespace, name)?;
        let cur = self
            .current(kind, &key)
            .ok_or_else(|| StatusError::not_found(kind, name))?;
        let uid = meta_str(&cur, "uid").unwrap_or_default();
        let rv = meta_str(&cur, "resourceVersion").unwrap_or_default();
        if let Some(p) = opts.precondition_uid.as_deref().filter(|p| !p.is_empty())
            && p != uid
        {
            return Err(StatusError::conflict(
                kind,
                name,
                &format!(
                    "Precondition failed: UID in precondition: {p}, UID in object meta: {uid}"
                ),
            ));
        }
        if let Some(p) = opts
            .precondition_resource_version
            .as_deref()
            .filter(|p| !p.is_empty())
            && p != rv
        {
            return Err(StatusError::conflict(
                kind,
                name,
                &format!(
                    "Precondition failed: ResourceVersion in precondition: {p}, ResourceVersion in object meta: {rv}"
                ),
            ));
        }
        let kk = (kind.group.clone(), kind.plural.clone());
        // The garbage collector's finalizer for the propagation policy (no garbage
        // collector runs to remove it, as on a server without kube-controller-manager).
        let gc_finalizer = match (opts.propagation_policy.as_deref(), opts.orphan_dependents) {
            (Some("Foreground"), _) => Some("foregroundDeletion"),
            (Some("Orphan"), _) | (None, Some(true)) => Some("orphan"),
            _ => None,
        };
        let mut fins = finalizers(&cur);
        let adds_gc = gc_finalizer.is_some_and(|f| !fins.iter().any(|x| x == f));
        if let Some(f) = gc_finalizer.filter(|_| adds_gc) {
            fins.push(f.to_owned());
        }
        if !fins.is_empty() {
            let deleting = cur["metadata"].get("deletionTimestamp").is_some();
            if deleting && !adds_gc {
                return Ok(Reply {
                    object: convert(kind, cur, &ver.name),
                    created: false,
                    warnings: vec![],
                });
            }
            let mut new = cur.clone();
            new["metadata"]["finalizers"] = json!(fins);
            if !deleting {
                new["metadata"]["deletionTimestamp"] = json!(now_rfc3339());
                new["metadata"]["deletionGracePeriodSeconds"] = json!(0);
                let g = cur["metadata"]
                    .get("generation")
                    .and_then(Value::as_i64)
                    .unwrap_or(0);
                if g > 0 {
                    new["metadata"]["generation"] = json!(g + 1);
                }
            }
            if opts.dry_run {
                return Ok(Reply {
                    object: convert(kind, new, &ver.name),
                    created: false,
                    warnings: vec![],
                });
            }
            let rv = self.next_rv();
            new["metadata"]["resourceVersion"] = json!(rv.to_string());
            self.objects
                .entry(kk.clone())
                .or_default()
                .insert(key.clone(), new.clone());
            self.emit(HistEvent {
                rv,
                kind: kk,
                key,
                event_type: EventType::Modified,
                object: new.clone(),
                prev: Some(cur),
            });
            return Ok(Reply {
                object: convert(kind, new, &ver.name),
                created: false,
                warnings: vec![],
            });
        }
        let status = json!({
            "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success",
            "details": {"name": name, "group": kind.group, "kind": kind.plural, "uid": uid},
        });
        if opts.dry_run {
            return Ok(Reply {
                object: status,
                created: false,
                warnings: vec![],
            });
        }
        let rv = self.next_rv();
        let mut last = cur.clone();
        last["metadata"]["resourceVersion"] = json!(rv.to_string());
        if let Some(m) = self.objects.get_mut(&kk) {
            m.remove(&key);
        }
        self.emit(HistEvent {
            rv,
            kind: kk,
            key,
            event_type: EventType::Deleted,
            object: last,
            prev: Some(cur),
        });
        Ok(Reply {
            object: status,
            created: false,
            warnings: vec![],
        })
    }
}

fn finalizers(obj: &Value) -> Vec<String> {
    obj.pointer("/metadata/finalizers")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

fn apply_patch(patch_type: PatchType, target: &Value, body: &[u8]) -> Result<Value, StatusError> {
    let mut doc = target.clone();
    let decoding = |why: String| StatusError::bad_request(format!("error decoding patch: {why}"));
    let p: Value = serde_json::from_slice(body).map_err(|e| decoding(go_json_error(&e, body)))?;
    // json-patch failures (a failed `test`, a missing path, an unknown op) all get
    // the server's generic 422.
    let rejected = || {
        StatusError::new(
            422,
            "Invalid",
            "the server rejected our request due to an error in our request",
            Some(json!({})),
        )
    };
    match patch_type {
        PatchType::Merge => {
            if !p.is_object() {
                return Err(decoding(format!(
                    "json: cannot unmarshal {} into Go value of type map[string]interface {{}}",
                    go_type_name(&p)
                )));
            }
            json_patch::merge(&mut doc, &p);
        }
        PatchType::Json => {
            if !p.is_array() {
                return Err(decoding(format!(
                    "json: cannot unmarshal {} into Go value of type []handlers.jsonPatchOp",
                    go_type_name(&p)
                )));
            }
            let ops: json_patch::Patch = serde_json::from_value(p).map_err(|_| rejected())?;
            json_patch::patch(&mut doc, &ops).map_err(|_| rejected())?;
        }
        _ => return Err(StatusError::bad_request("unsupported patch type")),
    }
    Ok(doc)
}

/// Go's name of a JSON value's type in `json: cannot unmarshal X into ...`.
pub(crate) fn go_type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Go's `encoding/json` wording of a syntax error serde_json found in `body`.
pub(crate) fn go_json_error(e: &serde_json::Error, body: &[u8]) -> String {
    if e.is_eof() {
        return "unexpected end of JSON input".into();
    }
    let offset: usize = body
        .split(|&b| b == b'\n')
        .take(e.line().saturating_sub(1))
        .map(|l| l.len() + 1)
        .sum::<usize>()
        + e.column().saturating_sub(1);
    let c = body.get(offset).copied().unwrap_or(b' ');
    let text = e.to_string();
    let context = if text.starts_with("key must be a string") {
        "looking for beginning of object key string"
    } else if text.starts_with("expected `:`") {
        "after object key"
    } else if text.starts_with("expected `,` or `}`") {
        "after object key:value pair"
    } else if text.starts_with("expected `,` or `]`") {
        "after array element"
    } else if text.starts_with("trailing characters") {
        "after top-level value"
    } else {
        "looking for beginning of value"
    };
    format!("invalid character {} {context}", go_quote_char(c))
}

// ---- server-side apply helpers

/// The one place request bodies in YAML are decoded.
pub(crate) fn decode_yaml(text: &str) -> Result<Value, String> {
    serde_saphyr::from_str(text).map_err(|e| e.to_string())
}

/// `422` for invalid request options (`PatchOptions.meta.k8s.io "" is invalid: ...`).
pub(crate) fn options_invalid(kind: &str, errors: &[schema::FieldError]) -> StatusError {
    let list = if errors.len() == 1 {
        errors[0].to_string()
    } else {
        let all: Vec<String> = errors.iter().map(ToString::to_string).collect();
        format!("[{}]", all.join(", "))
    };
    let causes: Vec<Value> = errors
        .iter()
        .map(|e| json!({"reason": e.kind.reason(), "message": e.body(), "field": e.field}))
        .collect();
    StatusError::new(
        422,
        "Invalid",
        format!("{kind}.meta.k8s.io \"\" is invalid: {list}"),
        Some(json!({"group": "meta.k8s.io", "kind": kind, "causes": causes})),
    )
}

/// The write as the field manager sees it.
fn field_op<'a>(
    kind: &KindInfo,
    ver: &'a VersionInfo,
    sub: Subresource,
    opts: &WriteOptions,
) -> managed::Op<'a> {
    managed::Op {
        schema: ver.schema.as_ref(),
        api_version: kind.api_version(&ver.name),
        manager: opts
            .field_manager
            .clone()
            .filter(|m| !m.is_empty())
            .unwrap_or_else(|| "unknown".into()),
        subresource: sub.name(),
        reset: managed::reset_fields(ver.status, sub.name()),
        now: now_rfc3339(),
    }
}

/// The 409 of an apply that conflicts with other managers (`NewConflictError`).
fn apply_conflict(conflicts: &managed::Conflicts) -> StatusError {
    let n = conflicts.len();
    let message = if n == 1 {
        let (m, p) = &conflicts[0];
        format!(
            "Apply failed with 1 conflict: conflict with {m}: {}",
            managed::path_string(p)
        )
    } else {
        let mut by: BTreeMap<&str, Vec<String>> = BTreeMap::new();
        for (m, p) in conflicts {
            by.entry(m).or_default().push(managed::path_string(p));
        }
        let mut lines = Vec::new();
        for (m, ps) in by {
            lines.push(format!("conflicts with {m}:"));
            lines.extend(ps.into_iter().map(|p| format!("- {p}")));
        }
        format!("Apply failed with {n} conflicts: {}", lines.join("\n"))
    };
    let causes: Vec<Value> = conflicts
        .iter()
        .map(|(m, p)| {
            json!({"reason": "FieldManagerConflict", "message": format!("conflict with {m}"),
                   "field": managed::path_string(p)})
        })
        .collect();
    StatusError::new(409, "Conflict", message, Some(json!({ "causes": causes })))
}

// ---- small utilities

/// etcd's default request limit (1.5 MiB): larger objects fail to store with a 500.
fn etcd_size_check(stored: &Value) -> Result<(), StatusError> {
    if stored.to_string().len() > 1_572_864 {
        return Err(StatusError::new(
            500,
            "",
            "etcdserver: request is too large",
            None,
        ));
    }
    Ok(())
}

/// Go's `quoteChar` of a byte in `encoding/json` syntax errors: `'x'`, `'\u0081'`.
fn go_quote_char(c: u8) -> String {
    match c {
        b'\'' => "'\\''".into(),
        b'"' => "'\"'".into(),
        0x20..=0x7e => format!("'{}'", c as char),
        b'\n' => "'\\n'".into(),
        b'\t' => "'\\t'".into(),
        b'\r' => "'\\r'".into(),
        0..=0x1f | 0x7f => format!("'\\x{c:02x}'"),
        0x80..=0x9f => format!("'\\u{c:04x}'"),
        _ => format!("'{}'", char::from(c)),
    }
}

/// The server truncates `generateName` so the generated name fits 63 characters.
fn truncate_prefix(g: &str) -> String {
    const MAX: usize = 63 - 5;
    if g.len() > MAX {
        g.chars().take(MAX).collect()
    } else {
        g.to_owned()
    }
}

/// Five random characters from the server's alphabet (no vowels, no confusable digits).
fn random_suffix() -> String {
    const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    (0..5)
        .map(|_| ALPHABET[fastrand::usize(..ALPHABET.len())] as char)
        .collect()
}

fn new_uid() -> String {
    let mut b: [u8; 16] = fastrand::u128(..).to_le_bytes();
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// The current time as RFC 3339 with second precision (`2006-01-02T15:04:05Z`).
pub fn now_rfc3339() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    rfc3339(secs)
}

fn rfc3339(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_709_251_199), "2024-02-29T23:59:59Z");
    }

    #[test]
    fn uids_are_v4() {
        let u = new_uid();
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
    }
}
