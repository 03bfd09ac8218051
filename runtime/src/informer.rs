//! Shared informers: one watch per type feeding an indexed cache and any number of
//! event handlers (client-go's `SharedIndexInformer` and `SharedInformerFactory`).
//!
//! The list/watch protocol (pagination, bookmarks, `410 Gone`, backoff) is
//! kube-runtime's [`watcher`](kube::runtime::watcher()); this module turns its
//! [`Event`]s into a consistent cache and into add / update / delete notifications:
//!
//! - `Apply` of an unknown object is an **add**, of a cached one an **update(old, new)**;
//!   `Delete` is a **delete** with the object's final state.
//! - A (re)list (`Init`, `InitApply`…, `InitDone`) is buffered and swapped in
//!   atomically at `InitDone`: cached objects missing from the new list get a
//!   **delete** with their last known state, objects whose `resourceVersion` changed
//!   get an **update**, new ones an **add**; unchanged objects get nothing. The cache
//!   never holds ghosts of objects deleted while the watch was down.
//! - With a resync period, every cached object is re-delivered as
//!   **update(obj, obj)** each period (after the first sync), for level-triggered
//!   controllers.
//! - A handler added late first receives every cached object as an **add**.
//! - An object that does not decode into the kind's type (a factory's informer decodes
//!   each object on its own) is left out of the cache and reported: a `tracing`
//!   warning, [`SharedIndexInformer::decode_errors`] and
//!   [`SharedIndexInformer::on_decode_error`]. It does not stop the informer from
//!   syncing.
//!
//! Each handler has its own unbounded queue and task (as client-go gives each its own
//! buffer), so a slow handler delays only itself. Handler methods run on the tokio
//! runtime: keep them short and non-blocking, typically pushing a key into a
//! [`WorkQueue`](crate::queue::WorkQueue) that workers drain.
//!
//! The event-processing core, [`SharedIndexInformer::run`], consumes any stream of
//! watcher events, so it can be driven without a server (tests feed synthetic
//! streams). [`SharedInformerFactory`] wires it to a [`kube::Client`].
//!
//! ```no_run
//! # use std::time::Duration;
//! # use crdgen_runtime::informer::{FnHandler, SharedInformerFactory};
//! # async fn demo<K>(client: kube::Client) -> Result<(), crdgen_runtime::informer::InformerError>
//! # where K: crdgen_runtime::CustomResource, K::Scope: crdgen_runtime::informer::ApiScope {
//! let factory = SharedInformerFactory::new(client, Some(Duration::from_secs(600)))
//!     .with_namespace("default")
//!     .with_tweak_list_options(|cfg| cfg.label_selector = Some("app=web".into()));
//! let informer = factory.informer_for::<K>();
//! informer.add_event_handler(FnHandler::new().add_func(|obj: &std::sync::Arc<K>| println!("added {obj:?}")));
//! let lister = informer.lister();
//! factory.start()?;
//! if !factory.wait_for_cache_sync().await {
//!     return Ok(()); // shut down before syncing
//! }
//! println!("{} objects", lister.len());
//! factory.shutdown().await;
//! # Ok(()) }
//! ```

use std::any::type_name;
use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use futures::{Stream, StreamExt};
use kube::Resource;
use kube::runtime::watcher::{self, Event};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

use crate::cache::{Cache, CacheError};
use crate::lister::Lister;

mod decode;
mod factory;

pub use decode::DecodeError;
use decode::Decoded;
pub use factory::{ApiScope, SharedInformerFactory};

/// Errors from starting informers.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InformerError {
    /// `start` was called outside a tokio runtime.
    #[error("informers must be started from within a tokio runtime")]
    NoRuntime,
    /// The factory was shut down; it cannot start informers any more.
    #[error("the informer factory has been shut down")]
    ShutDown,
}

// ---------------------------------------------------------------------------------
// Handlers

/// Receives an informer's notifications. All methods default to doing nothing.
///
/// Each handler is called from its own task, one notification at a time, in the
/// order the informer produced them. Implementations should return quickly (enqueue
/// work, don't do it) and must not block the thread.
pub trait ResourceEventHandler<K>: Send + 'static {
    /// An object appeared (or is in the cache when the handler is added).
    fn on_add(&mut self, obj: &Arc<K>) {
        let _ = obj;
    }

    /// An object changed; on resync `old` and `new` are the same object.
    fn on_update(&mut self, old: &Arc<K>, new: &Arc<K>) {
        let _ = (old, new);
    }

    /// An object is gone; `last_known` is its final state as far as the informer knows
    /// (the object in the delete event, or the cached object if it vanished from a
    /// relist).
    fn on_delete(&mut self, last_known: &Arc<K>) {
        let _ = last_known;
    }
}

type AddFn<K> = Box<dyn FnMut(&Arc<K>) + Send>;
type UpdateFn<K> = Box<dyn FnMut(&Arc<K>, &Arc<K>) + Send>;

/// A [`ResourceEventHandler`] made of closures (client-go's
/// `ResourceEventHandlerFuncs`); unset callbacks do nothing.
///
/// ```
/// # use std::sync::Arc;
/// # use crdgen_runtime::informer::FnHandler;
/// # use crdgen_runtime::k8s_openapi::api::core::v1::ConfigMap;
/// let handler = FnHandler::<ConfigMap>::new()
///     .add_func(|cm| println!("add {:?}", cm.metadata.name))
///     .update_func(|_old, new| println!("update {:?}", new.metadata.name))
///     .delete_func(|cm| println!("delete {:?}", cm.metadata.name));
/// ```
pub struct FnHandler<K> {
    add: Option<AddFn<K>>,
    update: Option<UpdateFn<K>>,
    delete: Option<AddFn<K>>,
}

impl<K> Default for FnHandler<K> {
    fn default() -> Self {
        FnHandler {
            add: None,
            update: None,
            delete: None,
        }
    }
}

impl<K> fmt::Debug for FnHandler<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FnHandler")
            .field("add", &self.add.is_some())
            .field("update", &self.update.is_some())
            .field("delete", &self.delete.is_some())
            .finish()
    }
}

impl<K> FnHandler<K> {
    /// A handler that ignores everything until callbacks are set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Set the callback for adds.
    #[must_use]
    pub fn add_func(mut self, f: impl FnMut(&Arc<K>) + Send + 'static) -> Self {
        self.add = Some(Box::new(f));
        self
    }

    /// Set the callback for updates (`old`, `new`).
    #[must_use]
    pub fn update_func(mut self, f: impl FnMut(&Arc<K>, &Arc<K>) + Send + 'static) -> Self {
        self.update = Some(Box::new(f));
        self
    }

    /// Set the callback for deletes (last known state).
    #[must_use]
    pub fn delete_func(mut self, f: impl FnMut(&Arc<K>) + Send + 'static) -> Self {
        self.delete = Some(Box::new(f));
        self
    }
}

impl<K: 'static> ResourceEventHandler<K> for FnHandler<K> {
    fn on_add(&mut self, obj: &Arc<K>) {
        if let Some(f) = &mut self.add {
            f(obj);
        }
    }

    fn on_update(&mut self, old: &Arc<K>, new: &Arc<K>) {
        if let Some(f) = &mut self.update {
            f(old, new);
        }
    }

    fn on_delete(&mut self, last_known: &Arc<K>) {
        if let Some(f) = &mut self.delete {
            f(last_known);
        }
    }
}

/// One queued notification for one handler.
enum Notification<K> {
    Add(Arc<K>),
    Update(Arc<K>, Arc<K>),
    Delete(Arc<K>),
}

impl<K> Clone for Notification<K> {
    fn clone(&self) -> Self {
        match self {
            Notification::Add(o) => Notification::Add(o.clone()),
            Notification::Update(a, b) => Notification::Update(a.clone(), b.clone()),
            Notification::Delete(o) => Notification::Delete(o.clone()),
        }
    }
}

type BoxHandler<K> = Box<dyn ResourceEventHandler<K>>;

/// Deliver one handler's notifications until its queue closes (draining it) or the
/// informer is stopped (dropping what is left).
async fn deliver<K: 'static>(
    mut handler: BoxHandler<K>,
    mut rx: mpsc::UnboundedReceiver<Notification<K>>,
    mut stopped: watch::Receiver<Status>,
) {
    let mut one = |n: Notification<K>| match n {
        Notification::Add(o) => handler.on_add(&o),
        Notification::Update(old, new) => handler.on_update(&old, &new),
        Notification::Delete(o) => handler.on_delete(&o),
    };
    loop {
        let next = tokio::select! {
            biased;
            _ = stopped.wait_for(|s| s.stopped) => None,
            n = rx.recv() => n,
        };
        let Some(n) = next else { return };
        one(n);
        // Then what is already queued, without a wait per notification (checking for
        // `stop` between them).
        while let Ok(n) = rx.try_recv() {
            if stopped.borrow().stopped {
                return;
            }
            one(n);
        }
    }
}

// ---------------------------------------------------------------------------------
// SharedIndexInformer

/// Observable lifecycle of an informer.
#[derive(Debug, Clone, Copy, Default)]
struct Status {
    synced: bool,
    stopped: bool,
}

struct Handlers<K> {
    senders: Vec<mpsc::UnboundedSender<Notification<K>>>,
    /// Handlers added before `run`, waiting for a runtime to deliver on.
    pending: Vec<(BoxHandler<K>, mpsc::UnboundedReceiver<Notification<K>>)>,
    runtime: Option<tokio::runtime::Handle>,
    tasks: Vec<JoinHandle<()>>,
}

impl<K: Send + Sync + 'static> Handlers<K> {
    fn spawn(
        &mut self,
        handler: BoxHandler<K>,
        rx: mpsc::UnboundedReceiver<Notification<K>>,
        status: &watch::Sender<Status>,
    ) {
        match &self.runtime {
            Some(rt) => self
                .tasks
                .push(rt.spawn(deliver(handler, rx, status.subscribe()))),
            None => self.pending.push((handler, rx)),
        }
    }

    /// Send to every handler; forget handlers whose task ended (e.g. it panicked).
    fn dispatch(&mut self, notification: Notification<K>) {
        self.senders
            .retain(|tx| tx.send(notification.clone()).is_ok());
    }
}

type DecodeErrorFn = Arc<dyn Fn(&DecodeError) + Send + Sync>;

struct InformerShared<K> {
    cache: Cache<K>,
    handlers: Mutex<Handlers<K>>,
    status: watch::Sender<Status>,
    resync: Mutex<Option<Duration>>,
    started: AtomicBool,
    /// Objects received that did not decode into `K`, and who wants to know.
    decode_errors: AtomicU64,
    on_decode_error: Mutex<Vec<DecodeErrorFn>>,
}

/// A cache of one kind kept up to date from a watch, with indexers and event
/// handlers (client-go's `SharedIndexInformer`). Cheap to clone: clones share
/// everything.
///
/// An informer runs once: [`run`](Self::run) processes one event stream until it ends
/// or [`stop`](Self::stop) is called. [`SharedInformerFactory`] calls `run` with a
/// kube watcher; tests can call it with a synthetic stream, as here:
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use std::sync::Arc;
///
/// use crdgen_runtime::informer::{FnHandler, SharedIndexInformer};
/// use crdgen_runtime::k8s_openapi::api::core::v1::ConfigMap;
/// use crdgen_runtime::kube::runtime::watcher::Event;
///
/// fn config_map(name: &str) -> ConfigMap {
///     let mut cm = ConfigMap::default();
///     cm.metadata.name = Some(name.into());
///     cm.metadata.namespace = Some("default".into());
///     cm.metadata.resource_version = Some("1".into());
///     cm
/// }
///
/// let informer = SharedIndexInformer::<ConfigMap>::new(None);
/// let (tx, mut added) = tokio::sync::mpsc::unbounded_channel();
/// informer.add_event_handler(FnHandler::new().add_func(move |cm: &Arc<ConfigMap>| {
///     let _ = tx.send(cm.metadata.name.clone());
/// }));
/// // What kube's watcher sends for a first list of two objects.
/// let events = [
///     Event::Init,
///     Event::InitApply(config_map("a")),
///     Event::InitApply(config_map("b")),
///     Event::InitDone,
/// ];
/// informer.run(futures::stream::iter(events.map(Ok))).await; // returns when the stream ends
/// assert!(informer.has_synced());
/// assert_eq!(informer.lister().namespaced("default").get("b").is_some(), true);
/// assert_eq!(added.recv().await, Some(Some("a".to_owned())));
/// # }
/// ```
pub struct SharedIndexInformer<K> {
    shared: Arc<InformerShared<K>>,
}

impl<K> Clone for SharedIndexInformer<K> {
    fn clone(&self) -> Self {
        SharedIndexInformer {
            shared: self.shared.clone(),
        }
    }
}

impl<K> fmt::Debug for SharedIndexInformer<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let status = *self.shared.status.borrow();
        f.debug_struct("SharedIndexInformer")
            .field("kind", &type_name::<K>())
            .field("cache", &self.shared.cache)
            .field("synced", &status.synced)
            .field("stopped", &status.stopped)
            .finish()
    }
}

impl<K: Resource + Send + Sync + 'static> SharedIndexInformer<K> {
    /// A new informer with an empty cache; `resync` re-delivers every cached object
    /// as an update each period (`None`: never).
    pub fn new(resync: Option<Duration>) -> Self {
        SharedIndexInformer {
            shared: Arc::new(InformerShared {
                cache: Cache::new(),
                handlers: Mutex::new(Handlers {
                    senders: Vec::new(),
                    pending: Vec::new(),
                    runtime: None,
                    tasks: Vec::new(),
                }),
                status: watch::Sender::new(Status::default()),
                resync: Mutex::new(resync),
                started: AtomicBool::new(false),
                decode_errors: AtomicU64::new(0),
                on_decode_error: Mutex::new(Vec::new()),
            }),
        }
    }

    fn handlers(&self) -> MutexGuard<'_, Handlers<K>> {
        self.shared
            .handlers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// A read-only view of the cache.
    pub fn lister(&self) -> Lister<K> {
        Lister::new(self.shared.cache.clone())
    }

    /// Add an index to the cache (see [`Cache::add_indexer`]); objects already cached
    /// are indexed at once.
    pub fn add_indexer<F>(&self, name: impl Into<String>, func: F) -> Result<(), CacheError>
    where
        F: Fn(&K) -> Vec<String> + Send + Sync + 'static,
    {
        self.shared.cache.add_indexer(name, func)
    }

    /// Register a handler. It first receives every object already cached as an add,
    /// then every later notification. Handlers added after the informer stopped
    /// receive nothing.
    pub fn add_event_handler(&self, handler: impl ResourceEventHandler<K>) {
        let (tx, rx) = mpsc::unbounded_channel();
        // Under the handlers lock the cache cannot change (the run loop mutates it
        // while holding this lock), so the replay and the live feed neither overlap
        // nor leave a gap.
        let mut handlers = self.handlers();
        for obj in self.shared.cache.list() {
            // The receiver is alive: it is right here.
            let _ = tx.send(Notification::Add(obj));
        }
        handlers.senders.push(tx);
        handlers.spawn(Box::new(handler), rx, &self.shared.status);
    }

    /// How many objects received so far did not decode into `K` (each list counts
    /// its undecodable objects again). The informer leaves them out of its cache and
    /// syncs without them; see [`DecodeError`].
    pub fn decode_errors(&self) -> u64 {
        self.shared.decode_errors.load(Ordering::Relaxed)
    }

    /// Call `f` for every object received that does not decode into `K` (cumulative:
    /// every callback set is called). Runs on the informer's task: keep it short.
    ///
    /// ```
    /// # use crdgen_runtime::informer::SharedIndexInformer;
    /// # use crdgen_runtime::k8s_openapi::api::core::v1::ConfigMap;
    /// let informer = SharedIndexInformer::<ConfigMap>::new(None);
    /// informer.on_decode_error(|e| eprintln!("skipped: {e}"));
    /// assert_eq!(informer.decode_errors(), 0);
    /// ```
    pub fn on_decode_error(&self, f: impl Fn(&DecodeError) + Send + Sync + 'static) {
        self.shared
            .on_decode_error
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(Arc::new(f));
    }

    /// Whether the first list has been loaded into the cache.
    pub fn has_synced(&self) -> bool {
        self.shared.status.borrow().synced
    }

    /// Wait until the first list is in the cache: `true`, or `false` if the informer
    /// stopped first. Wrap it in [`tokio::time::timeout`] to bound the wait.
    pub async fn wait_for_sync(&self) -> bool {
        let mut rx = self.shared.status.subscribe();
        match rx.wait_for(|s| s.synced || s.stopped).await {
            Ok(status) => status.synced,
            Err(_) => self.has_synced(),
        }
    }

    /// Wait until the informer has stopped (see [`is_stopped`](Self::is_stopped)):
    /// what a controller on it watches to end with it.
    pub async fn wait_for_stop(&self) {
        let mut rx = self.shared.status.subscribe();
        // The sender lives as long as `self`: the wait ends only when stopped.
        let _ = rx.wait_for(|s| s.stopped).await;
    }

    /// The resync period.
    pub fn resync_period(&self) -> Option<Duration> {
        *self
            .shared
            .resync
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Change the resync period; only possible before [`run`](Self::run) (returns
    /// whether it was applied).
    pub fn set_resync_period(&self, resync: Option<Duration>) -> bool {
        let mut guard = self
            .shared
            .resync
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if self.shared.started.load(Ordering::SeqCst) {
            return false;
        }
        *guard = resync;
        true
    }

    /// Whether [`run`](Self::run) has been called.
    pub fn is_started(&self) -> bool {
        self.shared.started.load(Ordering::SeqCst)
    }

    /// Whether the informer has stopped (its stream ended or [`stop`](Self::stop) was
    /// called).
    pub fn is_stopped(&self) -> bool {
        self.shared.status.borrow().stopped
    }

    /// Stop [`run`](Self::run) and every handler task; notifications not yet delivered
    /// are dropped. The cache keeps its content.
    pub fn stop(&self) {
        self.shared.status.send_modify(|s| s.stopped = true);
    }

    /// Process watcher events until the stream ends or [`stop`](Self::stop) is called,
    /// then wait for the handler tasks (which drain their queues if the stream ended,
    /// and stop at once after `stop`). Errors in the stream are logged and skipped: the
    /// watcher recovers by itself (relisting after `410 Gone`) when wrapped in a
    /// backoff. Only the first call runs; later calls return at once.
    pub async fn run<S>(&self, events: S)
    where
        S: Stream<Item = Result<Event<K>, watcher::Error>> + Send,
    {
        if self.shared.started.swap(true, Ordering::SeqCst) {
            tracing::warn!(
                kind = type_name::<K>(),
                "informer already started; ignoring a second run"
            );
            return;
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            tracing::error!(
                kind = type_name::<K>(),
                "informers run on a tokio runtime; not running"
            );
            self.shared.status.send_modify(|s| s.stopped = true);
            return;
        };
        {
            let mut handlers = self.handlers();
            handlers.runtime = Some(runtime);
            for (handler, rx) in std::mem::take(&mut handlers.pending) {
                handlers.spawn(handler, rx, &self.shared.status);
            }
        }
        let mut resync = self.resync_period().map(|period| {
            let mut timer = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
            timer.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            timer
        });
        let mut stopped = self.shared.status.subscribe();
        let mut relist: Option<Vec<K>> = None;
        let events = events.fuse();
        futures::pin_mut!(events);
        loop {
            tokio::select! {
                biased;
                _ = stopped.wait_for(|s| s.stopped) => break,
                // Before events, so a busy stream cannot starve resyncs.
                Some(_) = async { resync.as_mut()?.tick().await.into() }, if resync.is_some() => {
                    if self.has_synced() {
                        self.resync();
                    }
                }
                event = events.next() => match event {
                    Some(Ok(event)) => self.apply(event, &mut relist),
                    Some(Err(error)) => {
                        tracing::warn!(kind = type_name::<K>(), %error, "watch failed; the watcher retries with backoff");
                    }
                    None => break,
                },
            }
        }
        let tasks = {
            let mut handlers = self.handlers();
            // Closing the queues lets handler tasks finish what is queued. After
            // `stop` they quit at once instead (they watch the status).
            handlers.senders.clear();
            std::mem::take(&mut handlers.tasks)
        };
        for task in tasks {
            if let Err(error) = task.await
                && error.is_panic()
            {
                tracing::error!(kind = type_name::<K>(), "an event handler panicked");
            }
        }
        // Only now, when the stream ended (after `stop` it is already marked): marking
        // it stopped earlier would make the handler tasks drop what is still queued.
        self.shared
            .status
            .send_if_modified(|s| !std::mem::replace(&mut s.stopped, true));
    }

    /// Apply one watcher event to the cache and notify handlers.
    fn apply(&self, event: Event<K>, relist: &mut Option<Vec<K>>) {
        match event {
            Event::Init => *relist = Some(Vec::new()),
            Event::InitApply(obj) => relist.get_or_insert_with(Vec::new).push(obj),
            Event::InitDone => {
                let objects = relist.take().unwrap_or_default();
                let mut handlers = self.handlers();
                let diff = self.shared.cache.replace(objects);
                if diff.skipped > 0 {
                    tracing::warn!(
                        kind = type_name::<K>(),
                        skipped = diff.skipped,
                        "listed objects without a name"
                    );
                }
                for old in diff.deleted {
                    handlers.dispatch(Notification::Delete(old));
                }
                for (old, new) in diff.updated {
                    let (a, b) = (
                        old.meta().resource_version.as_ref(),
                        new.meta().resource_version.as_ref(),
                    );
                    if a.is_none() || a != b {
                        handlers.dispatch(Notification::Update(old, new));
                    }
                }
                for new in diff.added {
                    handlers.dispatch(Notification::Add(new));
                }
                drop(handlers);
                self.shared
                    .status
                    .send_if_modified(|s| !std::mem::replace(&mut s.synced, true));
            }
            Event::Apply(obj) => {
                let obj = Arc::new(obj);
                let mut handlers = self.handlers();
                match self.shared.cache.add(obj.clone()) {
                    Ok(Some(old)) => handlers.dispatch(Notification::Update(old, obj)),
                    Ok(None) => handlers.dispatch(Notification::Add(obj)),
                    Err(error) => {
                        tracing::warn!(kind = type_name::<K>(), %error, "ignoring a watched object")
                    }
                }
            }
            Event::Delete(obj) => {
                let mut handlers = self.handlers();
                match self.shared.cache.delete(&obj) {
                    Ok(_) => handlers.dispatch(Notification::Delete(Arc::new(obj))),
                    Err(error) => {
                        tracing::warn!(kind = type_name::<K>(), %error, "ignoring a watched deletion")
                    }
                }
            }
        }
    }

    /// Re-deliver every cached object as `update(obj, obj)`.
    fn resync(&self) {
        let mut handlers = self.handlers();
        for obj in self.shared.cache.list() {
            handlers.dispatch(Notification::Update(obj.clone(), obj));
        }
    }
}

impl<K: Resource<DynamicType = ()> + Clone + Send + Sync + 'static> SharedIndexInformer<K> {
    /// Turn a watcher event over [`Decoded<K>`] into one over `K`: an object that did
    /// not decode is reported and left out (an update of it keeps the cached state; a
    /// deletion of it deletes the cached object of that name, if any).
    fn admit(&self, event: Event<Decoded<K>>) -> Option<Event<K>> {
        Some(match event {
            Event::Init => Event::Init,
            Event::InitDone => Event::InitDone,
            Event::InitApply(Decoded::Ok(obj)) => Event::InitApply(obj),
            Event::Apply(Decoded::Ok(obj)) => Event::Apply(obj),
            Event::Delete(Decoded::Ok(obj)) => Event::Delete(obj),
            Event::InitApply(Decoded::Bad { meta, error })
            | Event::Apply(Decoded::Bad { meta, error }) => {
                self.report(DecodeError::new::<K>(&meta, &error));
                return None;
            }
            Event::Delete(Decoded::Bad { meta, error }) => {
                self.report(DecodeError::new::<K>(&meta, &error));
                let cached = self
                    .shared
                    .cache
                    .get(meta.namespace.as_deref(), meta.name.as_deref()?)?;
                Event::Delete((*cached).clone())
            }
        })
    }

    fn report(&self, error: DecodeError) {
        tracing::warn!(
            kind = %error.kind,
            namespace = error.namespace.as_deref().unwrap_or(""),
            name = error.name.as_deref().unwrap_or(""),
            resource_version = error.resource_version.as_deref().unwrap_or(""),
            error = %error.message,
            "an object does not decode into {}; the informer leaves it out",
            type_name::<K>()
        );
        self.shared.decode_errors.fetch_add(1, Ordering::Relaxed);
        let callbacks = self
            .shared
            .on_decode_error
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        for f in callbacks {
            f(&error);
        }
    }

    /// [`run`](Self::run) over a stream of [`Decoded<K>`] events (what the factory
    /// watches): undecodable objects are reported and left out.
    async fn run_decoded<S>(&self, events: S)
    where
        S: Stream<Item = Result<Event<Decoded<K>>, watcher::Error>> + Send,
    {
        let informer = self.clone();
        let events = events.filter_map(move |event| {
            let admitted = match event {
                Ok(event) => informer.admit(event).map(Ok),
                Err(error) => Some(Err(error)),
            };
            std::future::ready(admitted)
        });
        self.run(events).await;
    }
}
