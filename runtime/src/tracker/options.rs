//! Options of the verbs, their results, the actions a fake client records, and watch
//! events and streams.

use super::*;

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
    pub(crate) fn name(self) -> Option<&'static str> {
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
    pub(crate) id: u64,
    pub(crate) rx: mpsc::UnboundedReceiver<WatchEvent>,
    pub(crate) tracker: Tracker,
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
