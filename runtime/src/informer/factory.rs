//! [`SharedInformerFactory`]: one shared informer (one watch) per type, wired to a
//! [`kube::Client`].

use std::any::{Any, TypeId, type_name};
use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use futures::future::BoxFuture;
use futures::stream::BoxStream;
use futures::{FutureExt, StreamExt};
use kube::api::Api;
use kube::core::{ClusterResourceScope, NamespaceResourceScope};
use kube::runtime::WatchStreamExt;
use kube::runtime::watcher::{self, Event};
use kube::{Client, Resource};
use serde::de::DeserializeOwned;
use tokio::task::JoinHandle;

use super::decode::Decoded;
use super::{InformerError, SharedIndexInformer};

/// How to build an [`Api`] for a kind given the factory's namespace: implemented for
/// the scopes of compile-time kinds. A namespaced kind is watched in the factory's
/// namespace (or all namespaces without one); a cluster-scoped kind ignores it.
pub trait ApiScope {
    /// The `Api` to list and watch `K` through.
    fn api<K>(client: Client, namespace: Option<&str>) -> Api<K>
    where
        K: Resource<Scope = Self, DynamicType = ()>;
}

impl ApiScope for NamespaceResourceScope {
    fn api<K>(client: Client, namespace: Option<&str>) -> Api<K>
    where
        K: Resource<Scope = Self, DynamicType = ()>,
    {
        match namespace {
            Some(ns) => Api::namespaced(client, ns),
            None => Api::all(client),
        }
    }
}

impl ApiScope for ClusterResourceScope {
    fn api<K>(client: Client, _namespace: Option<&str>) -> Api<K>
    where
        K: Resource<Scope = Self, DynamicType = ()>,
    {
        Api::all(client)
    }
}

/// A type-erased informer held by the factory.
trait FactoryEntry: Send + Sync {
    fn as_any(&self) -> &dyn Any;
    /// The run future, the first time only.
    fn start(&self) -> Option<BoxFuture<'static, ()>>;
    fn is_started(&self) -> bool;
    fn wait_for_sync(&self) -> BoxFuture<'static, bool>;
    fn stop(&self);
}

type StreamFn<K> =
    Box<dyn Fn() -> BoxStream<'static, Result<Event<Decoded<K>>, watcher::Error>> + Send + Sync>;

struct Entry<K> {
    informer: SharedIndexInformer<K>,
    stream: StreamFn<K>,
    /// Set when the factory spawns the run task: before that task first runs, the
    /// informer itself does not know it is started, and `wait_for_cache_sync` must
    /// still wait for it.
    scheduled: AtomicBool,
}

impl<K: Resource<DynamicType = ()> + Clone + Send + Sync + 'static> FactoryEntry for Entry<K> {
    fn as_any(&self) -> &dyn Any {
        &self.informer
    }

    fn start(&self) -> Option<BoxFuture<'static, ()>> {
        if self.scheduled.swap(true, Ordering::SeqCst) || self.informer.is_started() {
            return None;
        }
        let informer = self.informer.clone();
        let stream = (self.stream)();
        Some(async move { informer.run_decoded(stream).await }.boxed())
    }

    fn is_started(&self) -> bool {
        self.scheduled.load(Ordering::SeqCst) || self.informer.is_started()
    }

    fn wait_for_sync(&self) -> BoxFuture<'static, bool> {
        let informer = self.informer.clone();
        async move { informer.wait_for_sync().await }.boxed()
    }

    fn stop(&self) {
        self.informer.stop();
    }
}

type Tweak = Arc<dyn Fn(&mut watcher::Config) + Send + Sync>;

struct FactoryState {
    informers: HashMap<TypeId, Box<dyn FactoryEntry>>,
    tasks: Vec<JoinHandle<()>>,
    shut_down: bool,
}

/// Creates and runs shared informers: one informer (one watch) per type however many
/// times it is asked for (client-go's `SharedInformerFactory`). Cheap to clone.
///
/// Objects that do not decode into a kind's type are left out of its informer's cache
/// and reported ([`SharedIndexInformer::on_decode_error`]); they do not hold up
/// [`wait_for_cache_sync`](Self::wait_for_cache_sync).
///
/// ```no_run
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// use std::time::Duration;
///
/// use crdgen_runtime::informer::SharedInformerFactory;
/// use crdgen_runtime::k8s_openapi::api::core::v1::ConfigMap;
///
/// let client = crdgen_runtime::kube::Client::try_default().await?;
/// let factory = SharedInformerFactory::new(client, Some(Duration::from_secs(600)))
///     .with_namespace("default");
/// let config_maps = factory.informer_for::<ConfigMap>(); // any kube::Resource
/// let again = factory.informer_for::<ConfigMap>(); // the same informer, one watch
/// factory.start()?;
/// // Bound the wait: an API server that never answers never syncs.
/// let synced = tokio::time::timeout(Duration::from_secs(30), factory.wait_for_cache_sync()).await?;
/// assert!(synced);
/// println!("{} config maps", again.lister().len());
/// # drop(config_maps);
/// factory.shutdown().await;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct SharedInformerFactory {
    client: Client,
    default_resync: Option<Duration>,
    namespace: Option<String>,
    tweak: Option<Tweak>,
    state: Arc<Mutex<FactoryState>>,
}

impl fmt::Debug for SharedInformerFactory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.lock();
        f.debug_struct("SharedInformerFactory")
            .field("default_resync", &self.default_resync)
            .field("namespace", &self.namespace)
            .field("informers", &state.informers.len())
            .field("shut_down", &state.shut_down)
            .finish_non_exhaustive()
    }
}

impl SharedInformerFactory {
    /// A factory over `client`; informers resync every `default_resync` unless given
    /// their own period.
    pub fn new(client: Client, default_resync: Option<Duration>) -> Self {
        SharedInformerFactory {
            client,
            default_resync,
            namespace: None,
            tweak: None,
            state: Arc::new(Mutex::new(FactoryState {
                informers: HashMap::new(),
                tasks: Vec::new(),
                shut_down: false,
            })),
        }
    }

    /// Watch namespaced kinds in `namespace` only (cluster-scoped kinds are not
    /// affected). Set it before asking for informers.
    #[must_use]
    pub fn with_namespace(mut self, namespace: impl Into<String>) -> Self {
        self.namespace = Some(namespace.into());
        self
    }

    /// Adjust every informer's list/watch options, e.g. set `label_selector` /
    /// `field_selector` (client-go's `WithTweakListOptions`). Set it before asking for
    /// informers.
    #[must_use]
    pub fn with_tweak_list_options(
        mut self,
        tweak: impl Fn(&mut watcher::Config) + Send + Sync + 'static,
    ) -> Self {
        self.tweak = Some(Arc::new(tweak));
        self
    }

    fn lock(&self) -> MutexGuard<'_, FactoryState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The shared informer for `K`, created on first use with the default resync
    /// period. It is started by the next [`start`](Self::start).
    pub fn informer_for<K>(&self) -> SharedIndexInformer<K>
    where
        K: Resource<DynamicType = ()>
            + Clone
            + DeserializeOwned
            + fmt::Debug
            + Send
            + Sync
            + 'static,
        K::Scope: ApiScope,
    {
        self.informer_entry::<K>(None)
    }

    /// The shared informer for `K`, with its own resync period. If the informer exists
    /// and has not started, its period is changed; once started it is kept.
    pub fn informer_for_with_resync<K>(&self, resync: Option<Duration>) -> SharedIndexInformer<K>
    where
        K: Resource<DynamicType = ()>
            + Clone
            + DeserializeOwned
            + fmt::Debug
            + Send
            + Sync
            + 'static,
        K::Scope: ApiScope,
    {
        self.informer_entry::<K>(Some(resync))
    }

    fn informer_entry<K>(&self, resync: Option<Option<Duration>>) -> SharedIndexInformer<K>
    where
        K: Resource<DynamicType = ()>
            + Clone
            + DeserializeOwned
            + fmt::Debug
            + Send
            + Sync
            + 'static,
        K::Scope: ApiScope,
    {
        let mut state = self.lock();
        let existing = state
            .informers
            .get(&TypeId::of::<K>())
            .and_then(|entry| entry.as_any().downcast_ref::<SharedIndexInformer<K>>())
            .cloned();
        if let Some(informer) = existing {
            if let Some(resync) = resync
                && !informer.set_resync_period(resync)
            {
                tracing::warn!(
                    kind = type_name::<K>(),
                    "informer already started; its resync period is unchanged"
                );
            }
            return informer;
        }
        let informer = SharedIndexInformer::new(resync.unwrap_or(self.default_resync));
        let (client, namespace, tweak) = (
            self.client.clone(),
            self.namespace.clone(),
            self.tweak.clone(),
        );
        let stream: StreamFn<K> = Box::new(move || {
            // Each object is decoded on its own, so one the type refuses cannot fail
            // the whole list (and stall the informer).
            let api =
                <K::Scope as ApiScope>::api::<Decoded<K>>(client.clone(), namespace.as_deref());
            let mut config = watcher::Config::default();
            if let Some(tweak) = &tweak {
                tweak(&mut config);
            }
            watcher::watcher(api, config).default_backoff().boxed()
        });
        state.informers.insert(
            TypeId::of::<K>(),
            Box::new(Entry {
                informer: informer.clone(),
                stream,
                scheduled: AtomicBool::new(false),
            }),
        );
        informer
    }

    /// Start every informer not started yet, each on its own tokio task. Call it again
    /// after asking for more informers.
    pub fn start(&self) -> Result<(), InformerError> {
        let runtime =
            tokio::runtime::Handle::try_current().map_err(|_| InformerError::NoRuntime)?;
        let mut state = self.lock();
        if state.shut_down {
            return Err(InformerError::ShutDown);
        }
        let runs: Vec<_> = state
            .informers
            .values()
            .filter_map(|entry| entry.start())
            .collect();
        for run in runs {
            state.tasks.push(runtime.spawn(run));
        }
        Ok(())
    }

    /// Wait until every started informer has synced: `true`, or `false` if one
    /// stopped first (e.g. [`shutdown`](Self::shutdown)). Informers not started are
    /// not waited for. Bound the wait with [`tokio::time::timeout`].
    pub async fn wait_for_cache_sync(&self) -> bool {
        let waits: Vec<_> = {
            let state = self.lock();
            state
                .informers
                .values()
                .filter(|e| e.is_started())
                .map(|e| e.wait_for_sync())
                .collect()
        };
        futures::future::join_all(waits)
            .await
            .into_iter()
            .all(|synced| synced)
    }

    /// Stop every informer and wait for their tasks (and handler tasks) to finish.
    /// The factory cannot be started again.
    pub async fn shutdown(&self) {
        let tasks = {
            let mut state = self.lock();
            state.shut_down = true;
            for entry in state.informers.values() {
                entry.stop();
            }
            std::mem::take(&mut state.tasks)
        };
        for task in tasks {
            if let Err(error) = task.await
                && error.is_panic()
            {
                tracing::error!("an informer task panicked");
            }
        }
    }
}
