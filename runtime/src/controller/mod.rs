//! Controllers on the shared informers: kube-runtime's `Controller` interface
//! (`reconcile(Arc<K>, Arc<Ctx>) -> Result<Action, E>`, `error_policy`, `owns`,
//! `watches`, a finalizer helper) with one watch per kind for the whole program.
//!
//! ```no_run
//! # use std::sync::Arc;
//! # use std::time::Duration;
//! # use futures::StreamExt;
//! # use crdgen_runtime::controller::{Action, Controller};
//! # use crdgen_runtime::informer::SharedInformerFactory;
//! # use crdgen_runtime::k8s_openapi::api::{apps::v1::Deployment, core::v1::ConfigMap};
//! # async fn demo(client: crdgen_runtime::kube::Client) -> Result<(), Box<dyn std::error::Error>> {
//! async fn reconcile(cm: Arc<ConfigMap>, ctx: Arc<()>) -> Result<Action, std::io::Error> {
//!     Ok(Action::requeue(Duration::from_secs(300)))
//! }
//! fn error_policy(_: Arc<ConfigMap>, _: &std::io::Error, _: Arc<()>) -> Action {
//!     Action::requeue(Duration::from_secs(5))
//! }
//! let factory = SharedInformerFactory::new(client, None);
//! let configmaps = factory.informer_for::<ConfigMap>();
//! let lister = configmaps.lister(); // the same cache the controller reads
//! let controller = Controller::new(configmaps)
//!     .owns(factory.informer_for::<Deployment>())
//!     .run(reconcile, error_policy, Arc::new(()))
//!     .for_each(|result| async move { println!("{result:?}") });
//! factory.start()?; // one watch per kind, whoever else uses these informers
//! controller.await;
//! # Ok(()) }
//! ```
//!
//! With generated code, `Controller::new(factory.example_com_v1().widgets())`, or
//! `factory.example_com_v1().widgets_controller()` in one call.
//!
//! # Why not kube-runtime's `Controller` itself
//!
//! kube-runtime 5 can share a *trigger* stream between controllers
//! (`Controller::for_shared_stream`, `owns_shared_stream`, `watches_shared_stream`,
//! behind its `unstable-runtime-subscribe` feature), but every controller reads
//! objects from a `reflector::Store`, and a `Store` can only be filled by its
//! `reflector::store::Writer`: `Writer::apply_watcher_event(&Event<K>)` takes the
//! object by reference and stores `Arc::new(obj.clone())`. Bridging crdgen's informer
//! into it would therefore keep a second cache holding a deep copy of every object
//! (plus the `Writer`'s relist buffer), which is what the shared informers exist to
//! avoid; `Store` has no constructor over another cache. Its subscribe handles also
//! carry only applies, so owned objects' deletions would not trigger their owner.
//! Further, kube-runtime's `Action` keeps its delay private, so a layer on top could
//! not honour it with another queue.
//!
//! So this module is the smallest layer with kube-runtime's interface on crdgen's own
//! parts, not a bridge:
//!
//! - **triggers** are event handlers on shared informers (no watch of their own): the
//!   kind's adds and updates (resyncs included), owned objects' add / update / delete
//!   by `ownerReferences` ([`owns`](Controller::owns)), and any kind through a mapper
//!   ([`watches`](Controller::watches));
//! - **the queue** is crdgen's [`WorkQueue`] of [`ObjectKey`]s: deduplicated, one
//!   reconcile per key at a time (a key changed during its reconcile is reconciled
//!   again after), delayed requeues;
//! - **reconcile** gets the cached `Arc<K>` (the informer's object itself, shared,
//!   never copied) and a context; [`Action::requeue`] re-queues after a delay; after
//!   an error, `error_policy`'s delay is raised to a per-key rate limiter's
//!   (client-go's default: 5 ms × 2ⁿ up to 1000 s, and 10/s overall), reset by
//!   the next success: `Action::requeue(Duration::ZERO)` from `error_policy` retries
//!   with the backoff alone (client-go's `AddRateLimited`), `Action::await_change()`
//!   waits for a change;
//! - **finalizers**: [`finalizer::finalizer`] is kube-runtime's helper, returning
//!   this module's [`Action`];
//! - [`Controller::run`] waits for every informer it uses to sync, then yields each
//!   reconcile's result as a stream (kube-runtime's shape); it ends on
//!   [`graceful_shutdown_on`](Controller::graceful_shutdown_on), when the kind's
//!   informer stops, or when the stream is dropped.
//!
//! Kept from kube-runtime, unchanged: [`ObjectRef`] (mappers return it) and the
//! finalizer [`Event`](finalizer::Event) / [`Error`](finalizer::Error).

use std::error::Error as StdError;
use std::fmt;
use std::future::Future;
use std::sync::{Arc, Mutex};

use futures::Stream;
use kube::Resource;
use kube::api::DynamicObject;
pub use kube::runtime::reflector::ObjectRef;
use tokio::task::JoinSet;

use crate::cache::ObjectKey;
use crate::informer::SharedIndexInformer;
use crate::lister::Lister;
use crate::queue::{RateLimiter, WorkQueue, default_rate_limiter};

mod action;
pub mod finalizer;
mod runner;
#[cfg(test)]
mod tests;
mod triggers;

pub use action::{Action, Config};
pub use runner::ReconcileResult;
use runner::{BoxFuture, Limiter, Runner, SyncFuture};
use triggers::Register;

/// Why a reconcile did not happen or failed (kube-runtime's `controller::Error`,
/// without its queue errors: the informers recover from watch errors themselves).
#[derive(Debug, thiserror::Error)]
pub enum Error<E: StdError + 'static> {
    /// The reconcile returned an error; the key is requeued as `error_policy` says.
    #[error("reconciler for object {1} failed")]
    ReconcilerFailed(#[source] E, ObjectRef<DynamicObject>),
    /// The reconcile panicked; the key is requeued with the rate limiter's backoff.
    #[error("reconciler for object {0} panicked")]
    ReconcilerPanicked(ObjectRef<DynamicObject>),
    /// A queued key has no object in the cache (deleted since, or an owner reference
    /// to an object that does not exist): nothing to reconcile.
    #[error("object {0} is not in the cache")]
    ObjectNotFound(ObjectRef<DynamicObject>),
}

/// A controller for kind `K` on a shared informer: see the [module docs](self).
pub struct Controller<K> {
    informer: SharedIndexInformer<K>,
    queue: WorkQueue<ObjectKey>,
    registers: Vec<Register>,
    syncs: Vec<SyncFuture>,
    shutdown: Option<BoxFuture>,
    limiter: Limiter,
    config: Config,
}

impl<K> fmt::Debug for Controller<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Controller")
            .field("kind", &std::any::type_name::<K>())
            .field("informers", &self.syncs.len())
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl<K> Controller<K>
where
    K: Resource<DynamicType = ()> + Send + Sync + 'static,
{
    /// A controller reconciling the objects of `informer` (typically a factory's, so
    /// that listers, handlers and other controllers share its one watch).
    pub fn new(informer: SharedIndexInformer<K>) -> Self {
        let mut controller = Controller {
            queue: WorkQueue::new(),
            registers: vec![triggers::own(informer.clone())],
            syncs: Vec::new(),
            shutdown: None,
            limiter: Arc::new(Mutex::new(Box::new(default_rate_limiter()))),
            config: Config::default(),
            informer,
        };
        controller.wait_for(controller.informer.clone());
        controller
    }

    fn wait_for<O: Resource + Send + Sync + 'static>(&mut self, informer: SharedIndexInformer<O>) {
        self.syncs
            .push(Box::pin(async move { informer.wait_for_sync().await }));
    }

    /// Reconcile the owner (of kind `K`) of every object of `children` that changes or
    /// is deleted, found by the child's `ownerReferences` (kube-runtime's `owns`).
    #[must_use]
    pub fn owns<C>(mut self, children: SharedIndexInformer<C>) -> Self
    where
        C: Resource + Send + Sync + 'static,
        K::Scope: 'static,
    {
        self.registers
            .push(triggers::owners::<K, C>(children.clone()));
        self.wait_for(children);
        self
    }

    /// Reconcile the objects `mapper` names for every object of `other` that changes
    /// or is deleted (kube-runtime's `watches`).
    #[must_use]
    pub fn watches<O, I, F>(mut self, other: SharedIndexInformer<O>, mapper: F) -> Self
    where
        O: Resource + Send + Sync + 'static,
        F: Fn(Arc<O>) -> I + Send + Sync + 'static,
        I: IntoIterator<Item = ObjectRef<K>>,
    {
        // The mapper gets the informer's own `Arc` (shared, not copied).
        let map = move |o: &Arc<O>| -> Vec<ObjectKey> {
            mapper(o.clone())
                .into_iter()
                .map(|r| triggers::key_of(&r))
                .collect()
        };
        self.registers.push(triggers::mapped(other.clone(), map));
        self.wait_for(other);
        self
    }

    /// How the controller runs.
    #[must_use]
    pub fn with_config(mut self, config: Config) -> Self {
        self.config = config;
        self
    }

    /// The rate limiter of requeues after errors (default: client-go's
    /// `DefaultControllerRateLimiter`, see [`default_rate_limiter`]).
    #[must_use]
    pub fn with_rate_limiter(mut self, limiter: impl RateLimiter<ObjectKey> + 'static) -> Self {
        self.limiter = Arc::new(Mutex::new(Box::new(limiter)));
        self
    }

    /// Stop taking keys when `signal` completes; the stream ends once the reconciles
    /// in flight are done.
    #[must_use]
    pub fn graceful_shutdown_on(
        mut self,
        signal: impl Future<Output = ()> + Send + 'static,
    ) -> Self {
        self.shutdown = Some(Box::pin(signal));
        self
    }

    /// The controller's work queue: [`add`](WorkQueue::add) a key to reconcile it
    /// (kube-runtime's `reconcile_on`).
    pub fn queue(&self) -> WorkQueue<ObjectKey> {
        self.queue.clone()
    }

    /// The cache the controller reads (the informer's).
    pub fn lister(&self) -> Lister<K> {
        self.informer.lister()
    }

    /// Run: wait for every informer used to sync, then reconcile each queued key,
    /// yielding every result. Nothing happens until the stream is polled; dropping it
    /// stops the controller (reconciles in flight are aborted).
    pub fn run<R, Fut, P, E, Ctx>(
        self,
        reconcile: R,
        error_policy: P,
        ctx: Arc<Ctx>,
    ) -> impl Stream<Item = ReconcileResult<K, E>> + Send
    where
        R: FnMut(Arc<K>, Arc<Ctx>) -> Fut + Send + 'static,
        Fut: Future<Output = Result<Action, E>> + Send + 'static,
        P: Fn(Arc<K>, &E, Arc<Ctx>) -> Action + Send + Sync + 'static,
        E: StdError + Send + 'static,
        Ctx: Send + Sync + 'static,
    {
        let informer = self.informer.clone();
        let runner = Runner {
            queue: self.queue,
            lister: self.informer.lister(),
            registers: self.registers,
            syncs: self.syncs,
            stopped: Box::pin(async move { informer.wait_for_stop().await }),
            shutdown: self
                .shutdown
                .unwrap_or_else(|| Box::pin(std::future::pending())),
            concurrency: usize::from(self.config.concurrency),
            limiter: self.limiter,
            reconcile,
            error_policy: Arc::new(error_policy),
            ctx,
            started: false,
            stopping: false,
            tasks: JoinSet::new(),
            ready: Default::default(),
        };
        futures::stream::unfold(runner, |mut runner| async move {
            let next = runner.next().await?;
            Some((next, runner))
        })
    }
}
