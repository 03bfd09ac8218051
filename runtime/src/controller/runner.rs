//! The run loop of a [`Controller`](super::Controller): keys from the work queue to
//! reconcile tasks, results out as a stream.

use std::collections::VecDeque;
use std::error::Error as StdError;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};

use futures::FutureExt;
use kube::Resource;
use kube::runtime::reflector::ObjectRef;
use tokio::task::JoinSet;
use tokio::time::Instant;

use super::triggers::{Register, ref_of};
use super::{Action, Error};
use crate::cache::ObjectKey;
use crate::lister::Lister;
use crate::queue::{RateLimiter, WorkQueue};

/// What one reconcile yields (kube-runtime's `Controller::run` item).
pub type ReconcileResult<K, E> = Result<(ObjectRef<K>, Action), Error<E>>;

pub(super) type BoxFuture = Pin<Box<dyn Future<Output = ()> + Send>>;
pub(super) type SyncFuture = Pin<Box<dyn Future<Output = bool> + Send>>;
pub(super) type Limiter = Arc<Mutex<Box<dyn RateLimiter<ObjectKey>>>>;

/// Everything the loop owns. Dropping it (the stream) shuts the queue down and
/// aborts reconciles in flight.
pub(super) struct Runner<K: Resource, Ctx, R, P, E: StdError + 'static> {
    pub queue: WorkQueue<ObjectKey>,
    pub lister: Lister<K>,
    pub registers: Vec<Register>,
    pub syncs: Vec<SyncFuture>,
    pub stopped: BoxFuture,
    pub shutdown: BoxFuture,
    pub concurrency: usize,
    pub limiter: Limiter,
    pub reconcile: R,
    pub error_policy: Arc<P>,
    pub ctx: Arc<Ctx>,
    pub started: bool,
    pub stopping: bool,
    pub tasks: JoinSet<ReconcileResult<K, E>>,
    pub ready: VecDeque<ReconcileResult<K, E>>,
}

impl<K: Resource, Ctx, R, P, E: StdError + 'static> Drop for Runner<K, Ctx, R, P, E> {
    fn drop(&mut self) {
        self.queue.shut_down();
    }
}

impl<K, Ctx, R, Fut, P, E> Runner<K, Ctx, R, P, E>
where
    K: Resource<DynamicType = ()> + Send + Sync + 'static,
    Ctx: Send + Sync + 'static,
    R: FnMut(Arc<K>, Arc<Ctx>) -> Fut,
    Fut: Future<Output = Result<Action, E>> + Send + 'static,
    P: Fn(Arc<K>, &E, Arc<Ctx>) -> Action + Send + Sync + 'static,
    E: StdError + Send + 'static,
{
    /// Register the triggers, then wait for every informer's first list (or the
    /// shutdown): no reconcile reads a cache that is still filling.
    async fn start(&mut self) {
        self.started = true;
        for register in std::mem::take(&mut self.registers) {
            register(&self.queue);
        }
        let syncs = futures::future::join_all(std::mem::take(&mut self.syncs));
        let synced = tokio::select! {
            all = syncs => all.into_iter().all(|synced| synced),
            () = &mut self.shutdown => false,
            () = &mut self.stopped => false,
        };
        if !synced {
            self.stop();
        }
    }

    fn stop(&mut self) {
        self.stopping = true;
        self.queue.shut_down();
    }

    /// The next result, or `None` once stopped and every reconcile in flight is done.
    pub(super) async fn next(&mut self) -> Option<ReconcileResult<K, E>> {
        if !self.started {
            self.start().await;
        }
        loop {
            if let Some(ready) = self.ready.pop_front() {
                return Some(ready);
            }
            let room = self.concurrency == 0 || self.tasks.len() < self.concurrency;
            let take = !self.stopping && room;
            tokio::select! {
                biased;
                Some(joined) = self.tasks.join_next(), if !self.tasks.is_empty() => match joined {
                    Ok(result) => return Some(result),
                    // Aborted only when the runner is dropped; a panic is caught inside.
                    Err(error) => tracing::error!(%error, "a reconcile task failed"),
                },
                () = &mut self.shutdown, if !self.stopping => self.stop(),
                () = &mut self.stopped, if !self.stopping => self.stop(),
                key = self.queue.get(), if take => match key {
                    Some(key) => self.dispatch(key),
                    None => self.stop(),
                },
                else => return None,
            }
        }
    }

    /// Start the reconcile of `key` (handed out by the queue, so no other worker has
    /// it): the object is read from the cache, shared, never copied.
    fn dispatch(&mut self, key: ObjectKey) {
        let obj_ref: ObjectRef<K> = ref_of(&key);
        let Some(obj) = self.lister.get_by_key(key.as_str()) else {
            // Deleted since it was queued, or an owner that does not exist: its
            // failures are forgotten with it.
            lock(&self.limiter).forget(&key);
            self.queue.done(&key);
            self.ready
                .push_back(Err(Error::ObjectNotFound(obj_ref.erase())));
            return;
        };
        let reconcile = (self.reconcile)(obj.clone(), self.ctx.clone());
        let (queue, limiter) = (self.queue.clone(), self.limiter.clone());
        let (error_policy, ctx) = (self.error_policy.clone(), self.ctx.clone());
        self.tasks.spawn(async move {
            let outcome = AssertUnwindSafe(reconcile).catch_unwind().await;
            let result = match outcome {
                Ok(Ok(action)) => {
                    lock(&limiter).forget(&key);
                    if let Some(after) = action.requeue_after() {
                        queue.add_after(key.clone(), after);
                    }
                    Ok((obj_ref, action))
                }
                Ok(Err(error)) => {
                    let action = error_policy(obj, &error, ctx);
                    if let Some(after) = action.requeue_after() {
                        let backoff = lock(&limiter).when(&key, Instant::now());
                        queue.add_after(key.clone(), after.max(backoff));
                    }
                    Err(Error::ReconcilerFailed(error, obj_ref.erase()))
                }
                Err(_panic) => {
                    let backoff = lock(&limiter).when(&key, Instant::now());
                    queue.add_after(key.clone(), backoff);
                    Err(Error::ReconcilerPanicked(obj_ref.erase()))
                }
            };
            queue.done(&key);
            result
        });
    }
}

fn lock(limiter: &Limiter) -> std::sync::MutexGuard<'_, Box<dyn RateLimiter<ObjectKey>>> {
    limiter.lock().unwrap_or_else(PoisonError::into_inner)
}
