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
        // Refuse what kube-apiserver refuses, with its words.
        let invalid = crdgen_apiext::validate(crd);
        if !invalid.is_empty() {
            let name = crd.pointer("/metadata/name").and_then(Value::as_str);
            return Err(crdgen_apiext::invalid_message(
                name.unwrap_or_default(),
                &invalid,
            ));
        }
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

    fn not_found(kind: &KindInfo, name: &str) -> Self {
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
        let list = if errors.len() == 1 {
            errors[0].to_string()
        } else {
            format!(
                "[{}]",
                errors
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            )
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
    /// `propagationPolicy` (accepted; there is no garbage collector).
    pub propagation_policy: Option<String>,
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
        o["apiVersion"] = json!(self.api_version);
        o
    }

    fn bookmark(&self, rv: u64, initial_end: bool) -> Value {
        let mut meta = json!({"resourceVersion": rv.to_string(), "creationTimestamp": null});
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
        let mut meta = json!({"resourceVersion": rv.to_string()});
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
        if opts.send_initial_events && !opts.allow_bookmarks {
            return Err(StatusError::invalid(
                &kind,
                "",
                &[schema::FieldError::forbidden(
                    "allowWatchBookmarks",
                    "allowWatchBookmarks required when sendInitialEvents is true",
                )],
            ));
        }
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
            if opts.send_initial_events {
                let _ = entry.tx.send(WatchEvent {
                    event_type: EventType::Bookmark,
                    object: entry.bookmark(store.rv, true),
                });
            }
        } else {
            let from = parse_rv(rv_param)?;
            if from < store.compacted_rv {
                let err = StatusError::expired(format!(
                    "too old resource version: {from} ({})",
                    store.compacted_rv
                ));
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
        store.create(&kind, &ver, namespace, object, opts)
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
            _ => store.update(&kind, &ver, namespace, name, object, sub, opts, true),
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
        let mut items = Vec::new();
        for (ns, name) in keys {
            let before = store.current(&kind, &(ns.clone(), name.clone()));
            let nsopt = kind.namespaced.then_some(ns.as_str());
            let reply = store.delete(&kind, &ver, nsopt, &name, opts)?;
            let obj = if reply.object.get("kind") == Some(&json!("Status")) {
                before
            } else {
                Some(reply.object)
            };
            if let Some(o) = obj {
                items.push(convert(&kind, o, &gvr.version));
            }
        }
        Ok(json!({
            "apiVersion": gvr.api_version(), "kind": kind.list_kind,
            "metadata": {"resourceVersion": store.rv.to_string()}, "items": items,
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

fn convert(kind: &KindInfo, mut obj: Value, version: &str) -> Value {
    obj["apiVersion"] = json!(kind.api_version(version));
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
        Some(l) if !l.trim().is_empty() => Selector::parse(l)
            .map_err(|e| StatusError::bad_request(format!("unable to parse requirement: {e}")))?,
        _ => Selector::everything(),
    };
    let field = match field {
        Some(f) if !f.trim().is_empty() => {
            FieldSelector::parse(f).map_err(|e| StatusError::bad_request(e.to_string()))?
        }
        _ => FieldSelector::everything(),
    };
    for t in field.requirements() {
        let known = t.field == "metadata.name"
            || (kind.namespaced && t.field == "metadata.namespace")
            || ver.selectable_fields.iter().any(|f| f == &t.field);
        if !known {
            let mut allowed = vec!["\"metadata.name\"".to_owned()];
            if kind.namespaced {
                allowed.push("\"metadata.namespace\"".to_owned());
            }
            allowed.extend(ver.selectable_fields.iter().map(|f| format!("{f:?}")));
            return Err(StatusError::bad_request(format!(
                "{:?} is not a known field selector: only {}",
                t.field,
                allowed.join(", ")
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
    json!({"kind": "Scale", "apiVersion": "autoscaling/v1", "metadata": meta, "spec": {"replicas": spec}, "status": st})
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
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(token)
                .ok()
                .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
                .ok_or_else(|| {
                    StatusError::bad_request("continue key is not valid: illegal base64 data")
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
        let mut matching = objs.iter().filter(|(k, o)| {
            (!kind.namespaced || namespace.is_none_or(|ns| ns == k.0))
                && start.as_deref().is_none_or(|s| key_str(k).as_str() > s)
                && matches_selectors(o, label, field)
        });
        let limit = opts.limit.filter(|l| *l > 0);
        let mut items = Vec::new();
        let mut last: Option<ObjKey> = None;
        for (k, o) in matching.by_ref() {
            if limit.is_some_and(|l| items.len() as u64 >= l) {
                // There is at least one more item.
                let rest = 1 + matching.count() as u64;
                let l = last.as_ref().map(key_str).unwrap_or_default();
                let token = base64::engine::general_purpose::STANDARD
                    .encode(json!({"v": "meta.k8s.io/v1", "rv": at, "start": l}).to_string());
                let _ = k;
                let remaining = (label.is_everything() && field.is_everything()).then_some(rest);
                return Ok((items, at, Some(token), remaining));
            }
            items.push(o.clone());
            last = Some(k.clone());
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
    ) -> Result<(), StatusError> {
        let name = meta_str(obj, "name").unwrap_or_default();
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
            schema::apply_defaults(obj, s);
        }
        if !unknown.is_empty() {
            match opts.field_validation {
                FieldValidation::Ignore => {}
                FieldValidation::Warn => {
                    warnings.extend(unknown.iter().map(|u| format!("unknown field {u:?}")))
                }
                FieldValidation::Strict => {
                    let list: Vec<String> = unknown
                        .iter()
                        .map(|u| format!("unknown field {u:?}"))
                        .collect();
                    return Err(StatusError::bad_request(format!(
                        "strict decoding error: {}",
                        list.join(", ")
                    )));
                }
            }
        }
        let mut errs = validate_meta(kind, obj);
        if let Some(s) = &ver.schema {
            errs.extend(schema::validate(obj, s));
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
        if k != kind.kind || (!av.is_empty() && av != want) {
            return Err(StatusError::bad_request(format!(
                "the API version in the data ({av}) does not match the expected API version ({want})"
            )));
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
        if ver.status
            && let Some(o) = obj.as_object_mut()
        {
            o.remove("status");
        }
        let mut warnings = Vec::new();
        Self::admit(kind, ver, &mut obj, opts, &mut warnings)?;
        let key = (ns, name.clone());
        let kk = (kind.group.clone(), kind.plural.clone());
        if self.current(kind, &key).is_some() {
            return Err(StatusError::already_exists(kind, &name));
        }
        if opts.dry_run {
            return Ok(Reply {
                object: obj,
                created: true,
                warnings,
            });
        }
        let rv = self.next_rv();
        obj["metadata"]["resourceVersion"] = json!(rv.to_string());
        let mut stored = obj.clone();
        stored["apiVersion"] = json!(kind.api_version(&kind.storage_version().name));
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
            _ => obj["metadata"]["name"] = json!(name),
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
        Self::admit(kind, ver, &mut new, opts, &mut warnings)?;
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
                return Err(StatusError::invalid(
                    kind,
                    name,
                    &[schema::FieldError::forbidden(
                        "metadata.finalizers",
                        format!(
                            "no new finalizers can be added if the object is being deleted, found new finalizers []string{{{list}}}"
                        ),
                    )],
                ));
            }
        }
        if content(&new) != content(&old) && sub == Subresource::None {
            let g = old["metadata"]
                .get("generation")
                .and_then(Value::as_i64)
                .unwrap_or(0);
            new["metadata"]["generation"] = json!(g + 1);
        }
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
        let rv = self.next_rv();
        new["metadata"]["resourceVersion"] = json!(rv.to_string());
        let mut stored = new.clone();
        stored["apiVersion"] = json!(kind.api_version(&kind.storage_version().name));
        let prev = self.current(kind, &key);
        if new["metadata"].get("deletionTimestamp").is_some() && finalizers(&new).is_empty() {
            if let Some(m) = self.objects.get_mut(&kk) {
                m.remove(&key);
            }
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
        let replicas = match scale_obj.pointer("/spec/replicas") {
            None | Some(Value::Null) => 0,
            Some(v) => v
                .as_i64()
                .ok_or_else(|| StatusError::bad_request("spec.replicas must be an integer"))?,
        };
        if replicas < 0 {
            return Err(StatusError::new(
                422,
                "Invalid",
                format!(
                    "Scale.autoscaling \"{name}\" is invalid: spec.replicas: Invalid value: {replicas}: must be greater than or equal to 0"
                ),
                Some(
                    json!({"name": name, "group": "autoscaling", "kind": "Scale", "causes": [{"reason": "FieldValueInvalid", "message": format!("Invalid value: {replicas}: must be greater than or equal to 0"), "field": "spec.replicas"}]}),
                ),
            ));
        }
        if let Some(rv) = meta_str(&scale_obj, "resourceVersion").filter(|r| !r.is_empty()) {
            obj["metadata"]["resourceVersion"] = json!(rv);
        }
        set_path(&mut obj, &scale.spec_replicas_path, json!(replicas));
        let reply = self.update(
            kind,
            ver,
            namespace,
            name,
            obj,
            Subresource::None,
            opts,
            false,
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
            return Err(StatusError::no_route());
        }
        if patch_type == PatchType::Apply {
            return self.apply(kind, ver, namespace, name, body, sub, opts);
        }
        let key = obj_key(kind, namespace, name)?;
        let cur = self
            .current(kind, &key)
            .ok_or_else(|| StatusError::not_found(kind, name))?;
        let cur = convert(kind, cur, &ver.name);
        let target = match sub {
            Subresource::Scale => to_scale(&cur, ver.scale.as_ref().expect("checked above")),
            _ => cur.clone(),
        };
        let patched = apply_patch(patch_type, &target, body)?;
        let mut patched = patched;
        if !patched.get("metadata").is_some_and(Value::is_object) {
            patched["metadata"] = json!({});
        }
        if meta_str(&patched, "resourceVersion").is_none_or(|r| r.is_empty()) {
            patched["metadata"]["resourceVersion"] = cur["metadata"]["resourceVersion"].clone();
        }
        match sub {
            Subresource::Scale => self.update_scale(kind, ver, namespace, name, patched, opts),
            _ => self.update(kind, ver, namespace, name, patched, sub, opts, false),
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
                StatusError::bad_request("PATCH /apply requires fieldManager to be set")
            })?;
        let text = std::str::from_utf8(body)
            .map_err(|_| StatusError::bad_request("the body is not UTF-8"))?;
        let mut config: Value = match serde_json::from_str(text) {
            Ok(v) => v,
            Err(_) => serde_saphyr::from_str(text)
                .map_err(|e| StatusError::bad_request(format!("error decoding YAML: {e}")))?,
        };
        if sub == Subresource::Scale {
            return Err(StatusError::bad_request(
                "apply is not supported on the scale subresource",
            ));
        }
        Self::check_body_kind(kind, ver, &config)?;
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
        // What this manager owns: the leaves of the applied configuration.
        let mut owned_cfg = config.clone();
        if let Some(m) = owned_cfg["metadata"].as_object_mut() {
            for f in [
                "name",
                "namespace",
                "resourceVersion",
                "uid",
                "managedFields",
                "generateName",
            ] {
                m.remove(f);
            }
            if m.is_empty() {
                owned_cfg
                    .as_object_mut()
                    .expect("object")
                    .remove("metadata");
            }
        }
        if let Some(o) = owned_cfg.as_object_mut() {
            o.remove("apiVersion");
            o.remove("kind");
            match sub {
                Subresource::Status => o.retain(|k, _| k == "status" || k == "metadata"),
                _ if ver.status => {
                    o.remove("status");
                }
                _ => {}
            }
        }
        let new_fields = leaves(&owned_cfg);
        let key = obj_key(kind, namespace, name)?;
        let operation_sub = sub.name();
        let Some(cur) = self.current(kind, &key) else {
            if sub != Subresource::None {
                return Err(StatusError::not_found(kind, name));
            }
            let mut obj = config;
            if let Some(m) = obj["metadata"].as_object_mut() {
                m.remove("resourceVersion");
            }
            obj["metadata"]["managedFields"] = json!([managed_entry(
                &manager,
                &kind.api_version(&ver.name),
                &new_fields,
                operation_sub
            )]);
            return self.create(kind, ver, namespace, obj, opts);
        };
        let cur = convert(kind, cur, &ver.name);
        let mut managed: Vec<Value> = cur["metadata"]
            .get("managedFields")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        // Conflicts with other appliers.
        let mut conflicts: Vec<(String, String, String)> = Vec::new();
        for entry in &managed {
            let m = entry.get("manager").and_then(Value::as_str).unwrap_or("");
            if m == manager || entry.get("operation").and_then(Value::as_str) != Some("Apply") {
                continue;
            }
            if entry.get("subresource").and_then(Value::as_str) != operation_sub {
                continue;
            }
            let theirs = fields_of(entry);
            for p in &new_fields {
                if theirs.contains(p) && get_segs(&cur, p) != get_segs(&owned_cfg, p) {
                    let av = entry
                        .get("apiVersion")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_owned();
                    conflicts.push((m.to_owned(), av, format!(".{}", p.join("."))));
                }
            }
        }
        if !conflicts.is_empty() && !opts.force {
            return Err(apply_conflict(kind, name, &conflicts));
        }
        // Previous fields of this manager, and fields other appliers keep.
        let mine_before: BTreeSet<Vec<String>> = managed
            .iter()
            .filter(|e| {
                e.get("manager").and_then(Value::as_str) == Some(&manager)
                    && e.get("subresource").and_then(Value::as_str) == operation_sub
            })
            .flat_map(fields_of)
            .collect();
        // Forced fields move to this manager.
        for entry in &mut managed {
            let m = entry
                .get("manager")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned();
            if m == manager {
                continue;
            }
            let mut theirs = fields_of(entry);
            let before = theirs.len();
            theirs.retain(|p| !new_fields.contains(p));
            if theirs.len() != before {
                entry["fieldsV1"] = fields_v1(&theirs);
            }
        }
        managed.retain(|e| {
            !(e.get("manager").and_then(Value::as_str) == Some(&manager)
                && e.get("subresource").and_then(Value::as_str) == operation_sub)
                && e.get("fieldsV1")
                    .is_some_and(|f| f.as_object().is_some_and(|m| !m.is_empty()))
        });
        let others: BTreeSet<Vec<String>> = managed.iter().flat_map(fields_of).collect();
        let list_maps = ver.schema.clone().unwrap_or(Value::Null);
        let mut merged = cur.clone();
        merge_apply(&mut merged, &config, &list_maps);
        for p in mine_before.difference(&new_fields) {
            if !others.contains(p) {
                remove_segs(&mut merged, p);
            }
        }
        managed.push(managed_entry(
            &manager,
            &kind.api_version(&ver.name),
            &new_fields,
            operation_sub,
        ));
        merged["metadata"]["managedFields"] = json!(managed);
        if meta_str(&config, "resourceVersion").is_none_or(|r| r.is_empty()) {
            merged["metadata"]["resourceVersion"] = cur["metadata"]["resourceVersion"].clone();
        }
        let reply = self.update(kind, ver, namespace, name, merged, sub, opts, false)?;
        if sub == Subresource::Status {
            // The status strategy kept the stored metadata; record the manager anyway.
            let _ = reply;
        }
        Ok(reply)
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
        if !finalizers(&cur).is_empty() {
            if cur["metadata"].get("deletionTimestamp").is_some() {
                return Ok(Reply {
                    object: convert(kind, cur, &ver.name),
                    created: false,
                    warnings: vec![],
                });
            }
            let mut new = cur.clone();
            new["metadata"]["deletionTimestamp"] = json!(now_rfc3339());
            new["metadata"]["deletionGracePeriodSeconds"] = json!(0);
            let g = cur["metadata"]
                .get("generation")
                .and_then(Value::as_i64)
                .unwrap_or(0);
            if g > 0 {
                new["metadata"]["generation"] = json!(g + 1);
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

fn validate_meta(kind: &KindInfo, obj: &Value) -> Vec<schema::FieldError> {
    let mut errs = Vec::new();
    let name = meta_str(obj, "name").unwrap_or_default();
    if name.is_empty() {
        errs.push(schema::FieldError::required(
            "metadata.name",
            "name or generateName is required",
        ));
    } else if !is_dns1123_subdomain(&name) {
        errs.push(schema::FieldError::invalid(
            "metadata.name",
            json!(name),
            "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
        ));
    }
    let _ = kind;
    if let Some(labels) = obj.pointer("/metadata/labels").and_then(Value::as_object) {
        for (k, v) in labels {
            let Some(v) = v.as_str() else {
                errs.push(schema::FieldError::invalid(
                    format!("metadata.labels.{k}"),
                    v.clone(),
                    "must be a string",
                ));
                continue;
            };
            if let Err(e) = crate::selector::validate_label_key(k) {
                errs.push(schema::FieldError::invalid(
                    "metadata.labels",
                    json!(k),
                    e.to_string(),
                ));
            }
            if let Err(e) = crate::selector::validate_label_value(k, v) {
                errs.push(schema::FieldError::invalid(
                    format!("metadata.labels.{k}"),
                    json!(v),
                    e.to_string(),
                ));
            }
        }
    }
    errs
}

fn is_dns1123_subdomain(s: &str) -> bool {
    s.len() <= 253
        && s.split('.').all(|l| {
            !l.is_empty()
                && l.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                && !l.starts_with('-')
                && !l.ends_with('-')
        })
}

fn apply_patch(patch_type: PatchType, target: &Value, body: &[u8]) -> Result<Value, StatusError> {
    let mut doc = target.clone();
    match patch_type {
        PatchType::Merge => {
            let p: Value = serde_json::from_slice(body)
                .map_err(|e| StatusError::bad_request(e.to_string()))?;
            if !p.is_object() {
                return Err(StatusError::bad_request(
                    "merge patch must be a JSON object",
                ));
            }
            json_patch::merge(&mut doc, &p);
        }
        PatchType::Json => {
            let p: json_patch::Patch = serde_json::from_slice(body)
                .map_err(|e| StatusError::bad_request(e.to_string()))?;
            json_patch::patch(&mut doc, &p).map_err(|e| {
                StatusError::new(
                    422,
                    "Invalid",
                    "the server rejected our request due to an error in our request",
                    Some(json!({"causes": [{"message": e.to_string()}]})),
                )
            })?;
        }
        _ => return Err(StatusError::bad_request("unsupported patch type")),
    }
    Ok(doc)
}

// ---- server-side apply helpers

type FieldPath = Vec<String>;

/// Leaf paths of a configuration (objects are recursed, everything else is a leaf).
fn leaves(v: &Value) -> BTreeSet<FieldPath> {
    fn walk(v: &Value, prefix: &mut Vec<String>, out: &mut BTreeSet<FieldPath>) {
        match v {
            Value::Object(m) if !m.is_empty() => {
                for (k, c) in m {
                    prefix.push(k.clone());
                    walk(c, prefix, out);
                    prefix.pop();
                }
            }
            _ => {
                if !prefix.is_empty() {
                    out.insert(prefix.clone());
                }
            }
        }
    }
    let mut out = BTreeSet::new();
    walk(v, &mut Vec::new(), &mut out);
    out
}

fn fields_v1(paths: &BTreeSet<FieldPath>) -> Value {
    let mut root = json!({});
    for p in paths {
        let mut v = &mut root;
        for s in p {
            v = v
                .as_object_mut()
                .expect("object")
                .entry(format!("f:{s}"))
                .or_insert_with(|| json!({}));
        }
    }
    root
}

fn fields_of(entry: &Value) -> BTreeSet<FieldPath> {
    fn walk(v: &Value, prefix: &mut Vec<String>, out: &mut BTreeSet<FieldPath>) {
        let Some(m) = v.as_object() else { return };
        let children: Vec<(&String, &Value)> =
            m.iter().filter(|(k, _)| k.starts_with("f:")).collect();
        if children.is_empty() {
            if !prefix.is_empty() {
                out.insert(prefix.clone());
            }
            return;
        }
        for (k, c) in children {
            prefix.push(k[2..].to_owned());
            walk(c, prefix, out);
            prefix.pop();
        }
    }
    let mut out = BTreeSet::new();
    if let Some(f) = entry.get("fieldsV1") {
        walk(f, &mut Vec::new(), &mut out);
    }
    out
}

fn managed_entry(
    manager: &str,
    api_version: &str,
    fields: &BTreeSet<FieldPath>,
    sub: Option<&str>,
) -> Value {
    let mut e = json!({
        "manager": manager, "operation": "Apply", "apiVersion": api_version,
        "time": now_rfc3339(), "fieldsType": "FieldsV1", "fieldsV1": fields_v1(fields),
    });
    if let Some(s) = sub {
        e["subresource"] = json!(s);
    }
    e
}

fn get_segs<'a>(v: &'a Value, p: &[String]) -> Option<&'a Value> {
    let mut v = v;
    for s in p {
        v = v.get(s)?;
    }
    Some(v)
}

/// Remove the field at `p`, and the parent objects this leaves empty.
fn remove_segs(v: &mut Value, p: &[String]) {
    let Some((first, rest)) = p.split_first() else {
        return;
    };
    let Some(m) = v.as_object_mut() else { return };
    if rest.is_empty() {
        m.remove(first);
        return;
    }
    if let Some(child) = m.get_mut(first) {
        remove_segs(child, rest);
        if child.as_object().is_some_and(|c| c.is_empty()) {
            m.remove(first);
        }
    }
}

/// Merge an applied configuration into the live object: objects recursively,
/// `x-kubernetes-list-type: map` lists by their keys, everything else replaced.
fn merge_apply(live: &mut Value, cfg: &Value, schema: &Value) {
    match (live, cfg) {
        (Value::Object(l), Value::Object(c)) => {
            for (k, cv) in c {
                let sub = schema
                    .get("properties")
                    .and_then(|p| p.get(k))
                    .or_else(|| schema.get("additionalProperties").filter(|a| a.is_object()))
                    .unwrap_or(&Value::Null);
                match l.get_mut(k) {
                    Some(lv) if !cv.is_null() => merge_apply(lv, cv, sub),
                    _ => {
                        l.insert(k.clone(), cv.clone());
                    }
                }
            }
        }
        (l @ Value::Array(_), Value::Array(c))
            if schema.get("x-kubernetes-list-type").and_then(Value::as_str) == Some("map") =>
        {
            let keys: Vec<String> = schema
                .get("x-kubernetes-list-map-keys")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default();
            let item_schema = schema.get("items").unwrap_or(&Value::Null);
            let key_of = |v: &Value| keys.iter().map(|k| v.get(k).cloned()).collect::<Vec<_>>();
            let la = l.as_array_mut().expect("matched an array");
            for ci in c {
                match la.iter_mut().find(|li| key_of(li) == key_of(ci)) {
                    Some(li) => merge_apply(li, ci, item_schema),
                    None => la.push(ci.clone()),
                }
            }
        }
        (l, c) => *l = c.clone(),
    }
}

fn apply_conflict(
    kind: &KindInfo,
    name: &str,
    conflicts: &[(String, String, String)],
) -> StatusError {
    let n = conflicts.len();
    let message = if n == 1 {
        let (m, av, f) = &conflicts[0];
        format!("Apply failed with 1 conflict: conflict with {m:?} using {av}: {f}")
    } else {
        let mut s = format!("Apply failed with {n} conflicts: ");
        let mut by: BTreeMap<(&str, &str), Vec<&str>> = BTreeMap::new();
        for (m, av, f) in conflicts {
            by.entry((m, av)).or_default().push(f);
        }
        let parts: Vec<String> = by
            .iter()
            .map(|((m, av), fs)| {
                format!(
                    "conflicts with {m:?} using {av}:\n{}",
                    fs.iter()
                        .map(|f| format!("- {f}"))
                        .collect::<Vec<_>>()
                        .join("\n")
                )
            })
            .collect();
        s.push_str(&parts.join("\n"));
        s
    };
    let causes: Vec<Value> = conflicts
        .iter()
        .map(|(m, av, f)| json!({"reason": "FieldManagerConflict", "message": format!("conflict with {m:?} using {av}"), "field": f}))
        .collect();
    StatusError::new(
        409,
        "Conflict",
        message,
        Some(json!({"name": name, "group": kind.group, "kind": kind.plural, "causes": causes})),
    )
}

// ---- small utilities

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
