//! A rate-limited work queue with the semantics of client-go's `workqueue`.
//!
//! Event handlers [`add`](WorkQueue::add) keys; workers [`get`](WorkQueue::get) them,
//! reconcile, then call [`done`](WorkQueue::done) — and on failure
//! [`add_rate_limited`](WorkQueue::add_rate_limited), on success
//! [`forget`](WorkQueue::forget). The queue guarantees:
//!
//! - **dedup**: an item added several times before a worker takes it is handed out once;
//! - **no concurrent processing of one item**: an item added while a worker holds it is
//!   queued again only when that worker calls `done`;
//! - **FIFO** among ready items;
//! - **delays** ([`add_after`](WorkQueue::add_after)): a delayed item becomes ready at
//!   its deadline; adding it again with an earlier deadline moves it up;
//! - **per-item backoff** ([`add_rate_limited`](WorkQueue::add_rate_limited)) from a
//!   [`RateLimiter`], by default client-go's `DefaultControllerRateLimiter`: the larger
//!   of a per-item exponential backoff (5 ms × 2ⁿ, at most 1000 s) and an overall token
//!   bucket (10 per second, burst 100).
//!
//! Time is [`tokio::time`], so tests can use a paused clock. No background task is
//! spawned: waiting workers wake up at the next delayed item's deadline.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! use crdgen_runtime::queue::WorkQueue;
//!
//! let queue = WorkQueue::<String>::new();
//! queue.add("ns/a".to_owned());
//! queue.add("ns/a".to_owned()); // deduplicated
//! let item = queue.get().await.expect("not shut down");
//! // ... reconcile `item`; on error: queue.add_rate_limited(item.clone());
//! queue.forget(&item);
//! queue.done(&item);
//! queue.shut_down();
//! assert_eq!(queue.get().await, None);
//! # }
//! ```

use std::cmp::{Ordering, Reverse};
use std::collections::{BinaryHeap, HashMap, HashSet, VecDeque};
use std::fmt;
use std::hash::Hash;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use tokio::sync::Notify;
use tokio::time::Instant;

/// Decides how long an item waits before it is retried.
///
/// Called under the queue's lock with the current (tokio) time; keep it cheap.
pub trait RateLimiter<T>: Send {
    /// How long `item` should wait now; records one more failure for it.
    fn when(&mut self, item: &T, now: Instant) -> Duration;
    /// Stop tracking `item` (it succeeded): its backoff starts over.
    fn forget(&mut self, item: &T);
    /// How many times `item` has been rate limited since it was last forgotten.
    fn num_requeues(&self, item: &T) -> u32;
}

/// Per-item exponential backoff: `base × 2^failures`, capped at `max` (client-go's
/// `ItemExponentialFailureRateLimiter`).
#[derive(Debug, Clone)]
pub struct ItemExponentialRateLimiter<T> {
    base: Duration,
    max: Duration,
    failures: HashMap<T, u32>,
}

impl<T> ItemExponentialRateLimiter<T> {
    /// Backoff from `base`, doubling per failure, never above `max`.
    pub fn new(base: Duration, max: Duration) -> Self {
        ItemExponentialRateLimiter {
            base,
            max,
            failures: HashMap::new(),
        }
    }
}

impl<T: Eq + Hash + Clone + Send> RateLimiter<T> for ItemExponentialRateLimiter<T> {
    fn when(&mut self, item: &T, _now: Instant) -> Duration {
        let failures = self.failures.entry(item.clone()).or_insert(0);
        let exp = *failures;
        *failures = failures.saturating_add(1);
        // 2^exp overflows quickly; anything past 2^63 is above any sensible max.
        let factor = 1u64.checked_shl(exp).unwrap_or(u64::MAX);
        let nanos = (self.base.as_nanos()).saturating_mul(u128::from(factor));
        let max = self.max.as_nanos();
        if nanos >= max {
            self.max
        } else {
            Duration::from_nanos(u64::try_from(nanos).unwrap_or(u64::MAX))
        }
    }

    fn forget(&mut self, item: &T) {
        self.failures.remove(item);
    }

    fn num_requeues(&self, item: &T) -> u32 {
        self.failures.get(item).copied().unwrap_or(0)
    }
}

/// An overall token bucket: `qps` items per second with bursts of `burst`, shared by
/// all items (client-go's `BucketRateLimiter`). Calls beyond the budget reserve future
/// tokens, so successive delays grow by `1/qps`.
#[derive(Debug, Clone)]
pub struct BucketRateLimiter {
    qps: f64,
    burst: f64,
    tokens: f64,
    last: Option<Instant>,
}

impl BucketRateLimiter {
    /// A bucket refilled at `qps` per second holding at most `burst` tokens (starts full).
    pub fn new(qps: f64, burst: u32) -> Self {
        let burst = f64::from(burst.max(1));
        BucketRateLimiter {
            qps: if qps > 0.0 { qps } else { f64::MIN_POSITIVE },
            burst,
            tokens: burst,
            last: None,
        }
    }
}

impl<T> RateLimiter<T> for BucketRateLimiter {
    fn when(&mut self, _item: &T, now: Instant) -> Duration {
        if let Some(last) = self.last {
            let elapsed = now.saturating_duration_since(last).as_secs_f64();
            self.tokens = (self.tokens + elapsed * self.qps).min(self.burst);
        }
        self.last = Some(now);
        self.tokens -= 1.0;
        if self.tokens >= 0.0 {
            Duration::ZERO
        } else {
            Duration::try_from_secs_f64(-self.tokens / self.qps).unwrap_or(Duration::MAX)
        }
    }

    fn forget(&mut self, _item: &T) {}

    fn num_requeues(&self, _item: &T) -> u32 {
        0
    }
}

/// The longest delay of several limiters; requeue counts come from the largest too
/// (client-go's `MaxOfRateLimiter`).
pub struct MaxOfRateLimiter<T> {
    limiters: Vec<Box<dyn RateLimiter<T>>>,
}

impl<T> fmt::Debug for MaxOfRateLimiter<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MaxOfRateLimiter")
            .field("limiters", &self.limiters.len())
            .finish()
    }
}

impl<T> MaxOfRateLimiter<T> {
    /// Combine limiters.
    pub fn new(limiters: Vec<Box<dyn RateLimiter<T>>>) -> Self {
        MaxOfRateLimiter { limiters }
    }
}

impl<T> RateLimiter<T> for MaxOfRateLimiter<T> {
    fn when(&mut self, item: &T, now: Instant) -> Duration {
        self.limiters
            .iter_mut()
            .map(|l| l.when(item, now))
            .max()
            .unwrap_or(Duration::ZERO)
    }

    fn forget(&mut self, item: &T) {
        for l in &mut self.limiters {
            l.forget(item);
        }
    }

    fn num_requeues(&self, item: &T) -> u32 {
        self.limiters
            .iter()
            .map(|l| l.num_requeues(item))
            .max()
            .unwrap_or(0)
    }
}

/// client-go's `DefaultControllerRateLimiter`: per-item exponential backoff from 5 ms
/// to 1000 s, and an overall bucket of 10 per second with a burst of 100.
pub fn default_rate_limiter<T: Eq + Hash + Clone + Send + 'static>() -> MaxOfRateLimiter<T> {
    MaxOfRateLimiter::new(vec![
        Box::new(ItemExponentialRateLimiter::new(
            Duration::from_millis(5),
            Duration::from_secs(1000),
        )),
        Box::new(BucketRateLimiter::new(10.0, 100)),
    ])
}

/// A delayed item in the waiting heap. Ordered by deadline, then insertion.
struct Waiting<T> {
    ready_at: Instant,
    seq: u64,
    item: T,
}

impl<T> PartialEq for Waiting<T> {
    fn eq(&self, other: &Self) -> bool {
        (self.ready_at, self.seq) == (other.ready_at, other.seq)
    }
}
impl<T> Eq for Waiting<T> {}
impl<T> PartialOrd for Waiting<T> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<T> Ord for Waiting<T> {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.ready_at, self.seq).cmp(&(other.ready_at, other.seq))
    }
}

struct State<T> {
    /// Ready items, in order.
    queue: VecDeque<T>,
    /// Items that need processing (queued, or re-added while processing).
    dirty: HashSet<T>,
    /// Items handed to a worker and not yet `done`.
    processing: HashSet<T>,
    /// Delayed items: the heap may hold stale entries; `deadlines` is the truth.
    heap: BinaryHeap<Reverse<Waiting<T>>>,
    deadlines: HashMap<T, Instant>,
    seq: u64,
    limiter: Box<dyn RateLimiter<T>>,
    shutting_down: bool,
}

impl<T: Clone + Eq + Hash> State<T> {
    /// Returns whether the item went into the ready queue.
    fn add(&mut self, item: T) -> bool {
        if self.shutting_down || self.dirty.contains(&item) {
            return false;
        }
        self.dirty.insert(item.clone());
        if self.processing.contains(&item) {
            return false;
        }
        self.queue.push_back(item);
        true
    }

    /// Move delayed items whose deadline has passed into the queue; returns how many.
    fn promote(&mut self, now: Instant) -> usize {
        let mut promoted = 0;
        while let Some(Reverse(top)) = self.heap.peek() {
            if top.ready_at > now {
                break;
            }
            let Some(Reverse(w)) = self.heap.pop() else {
                break;
            };
            if self.deadlines.get(&w.item) == Some(&w.ready_at) {
                self.deadlines.remove(&w.item);
                promoted += usize::from(self.add(w.item));
            }
        }
        promoted
    }

    fn next_deadline(&self) -> Option<Instant> {
        self.heap.peek().map(|Reverse(w)| w.ready_at)
    }
}

struct Shared<T> {
    state: Mutex<State<T>>,
    /// Wakes workers waiting in `get`.
    ready: Notify,
    /// Wakes `shut_down_with_drain` when an item is done.
    idle: Notify,
}

/// A rate-limited, delaying, deduplicating work queue (client-go's
/// `TypedRateLimitingInterface`). Cloning gives another handle to the same queue.
pub struct WorkQueue<T> {
    shared: Arc<Shared<T>>,
}

impl<T> Clone for WorkQueue<T> {
    fn clone(&self) -> Self {
        WorkQueue {
            shared: self.shared.clone(),
        }
    }
}

impl<T> fmt::Debug for WorkQueue<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self
            .shared
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        f.debug_struct("WorkQueue")
            .field("ready", &s.queue.len())
            .field("processing", &s.processing.len())
            .field("waiting", &s.deadlines.len())
            .field("shutting_down", &s.shutting_down)
            .finish()
    }
}

impl<T: Clone + Eq + Hash + Send + Sync + 'static> Default for WorkQueue<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Clone + Eq + Hash + Send + Sync + 'static> WorkQueue<T> {
    /// A queue with [`default_rate_limiter`].
    pub fn new() -> Self {
        Self::with_rate_limiter(default_rate_limiter())
    }

    /// A queue whose [`add_rate_limited`](Self::add_rate_limited) asks `limiter`.
    pub fn with_rate_limiter(limiter: impl RateLimiter<T> + 'static) -> Self {
        WorkQueue {
            shared: Arc::new(Shared {
                state: Mutex::new(State {
                    queue: VecDeque::new(),
                    dirty: HashSet::new(),
                    processing: HashSet::new(),
                    heap: BinaryHeap::new(),
                    deadlines: HashMap::new(),
                    seq: 0,
                    limiter: Box::new(limiter),
                    shutting_down: false,
                }),
                ready: Notify::new(),
                idle: Notify::new(),
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State<T>> {
        self.shared
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn wake(&self, n: usize) {
        for _ in 0..n {
            self.shared.ready.notify_one();
        }
    }

    /// Queue `item` unless it is already queued; if a worker holds it, it is queued
    /// again when that worker calls [`done`](Self::done). Ignored after shutdown.
    pub fn add(&self, item: T) {
        let woke = {
            let mut s = self.lock();
            let promoted = s.promote(Instant::now());
            promoted + usize::from(s.add(item))
        };
        self.wake(woke);
    }

    /// Queue `item` once `delay` has passed (at once for a zero delay). If it is
    /// already waiting, the earlier deadline wins. Ignored after shutdown.
    pub fn add_after(&self, item: T, delay: Duration) {
        if delay.is_zero() {
            return self.add(item);
        }
        let mut s = self.lock();
        if s.shutting_down {
            return;
        }
        let ready_at = Instant::now() + delay;
        if s.deadlines
            .get(&item)
            .is_some_and(|existing| *existing <= ready_at)
        {
            return;
        }
        s.deadlines.insert(item.clone(), ready_at);
        s.seq += 1;
        let seq = s.seq;
        s.heap.push(Reverse(Waiting {
            ready_at,
            seq,
            item,
        }));
        drop(s);
        // A waiting worker must re-arm its timer for the new, earlier deadline.
        self.shared.ready.notify_waiters();
    }

    /// Queue `item` after the delay the rate limiter gives it (one more failure).
    pub fn add_rate_limited(&self, item: T) {
        let delay = {
            let mut s = self.lock();
            if s.shutting_down {
                return;
            }
            s.limiter.when(&item, Instant::now())
        };
        self.add_after(item, delay);
    }

    /// Reset `item`'s backoff (call it when the item was processed successfully).
    pub fn forget(&self, item: &T) {
        self.lock().limiter.forget(item);
    }

    /// How many times `item` was rate limited since it was last forgotten.
    pub fn num_requeues(&self, item: &T) -> u32 {
        self.lock().limiter.num_requeues(item)
    }

    /// Number of items ready to be handed out (not the delayed or processing ones).
    pub fn len(&self) -> usize {
        let (len, woke) = {
            let mut s = self.lock();
            let woke = s.promote(Instant::now());
            (s.queue.len(), woke)
        };
        self.wake(woke);
        len
    }

    /// Whether no item is ready.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether [`shut_down`](Self::shut_down) was called.
    pub fn is_shutting_down(&self) -> bool {
        self.lock().shutting_down
    }

    /// Wait for the next item. After shutdown, items already queued are still handed
    /// out; then `None`. The caller must call [`done`](Self::done) with the item when
    /// finished with it.
    pub async fn get(&self) -> Option<T> {
        loop {
            let notified = self.shared.ready.notified();
            tokio::pin!(notified);
            // Register before looking at the state, so an add in between is not lost.
            notified.as_mut().enable();
            let deadline = {
                let mut s = self.lock();
                s.promote(Instant::now());
                if let Some(item) = s.queue.pop_front() {
                    s.dirty.remove(&item);
                    s.processing.insert(item.clone());
                    let more = !s.queue.is_empty();
                    drop(s);
                    if more {
                        // Pass the baton: a permit consumed by this worker may have
                        // been meant for another one.
                        self.shared.ready.notify_one();
                    }
                    return Some(item);
                }
                if s.shutting_down {
                    return None;
                }
                s.next_deadline()
            };
            match deadline {
                Some(at) => {
                    tokio::select! {
                        _ = &mut notified => {}
                        _ = tokio::time::sleep_until(at) => {}
                    }
                }
                None => notified.await,
            }
        }
    }

    /// Mark `item` as finished. If it was added again while being processed, it is
    /// queued now.
    pub fn done(&self, item: &T) {
        let woke = {
            let mut s = self.lock();
            s.processing.remove(item);
            let requeue = s.dirty.contains(item);
            if requeue {
                s.queue.push_back(item.clone());
            }
            usize::from(requeue)
        };
        self.wake(woke);
        self.shared.idle.notify_waiters();
    }

    /// Stop accepting items and wake every waiting worker. Items already queued are
    /// still handed out by [`get`](Self::get); delayed ones are dropped.
    pub fn shut_down(&self) {
        {
            let mut s = self.lock();
            s.shutting_down = true;
            s.heap.clear();
            s.deadlines.clear();
        }
        self.shared.ready.notify_waiters();
    }

    /// Shut down, then wait until every queued item has been handed out and every
    /// handed-out item is [`done`](Self::done). Workers must keep running meanwhile
    /// (otherwise this never returns; wrap it in a timeout if that can happen).
    pub async fn shut_down_with_drain(&self) {
        self.shut_down();
        loop {
            let idle = self.shared.idle.notified();
            tokio::pin!(idle);
            idle.as_mut().enable();
            {
                let s = self.lock();
                if s.queue.is_empty() && s.processing.is_empty() {
                    return;
                }
            }
            idle.await;
        }
    }
}
