//! REST mapping: kind ↔ resource for registered kinds and, through discovery, for
//! kinds the [`Scheme`] does not know.

use super::*;

/// Where a [`ResourceMapping`] came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MappingSource {
    /// A kind registered in the [`Scheme`] (compiled in).
    Scheme,
    /// API discovery against the cluster.
    Discovery,
}

/// How a kind is served: the common answer of the [`Scheme`] and of discovery, so typed
/// and dynamic access share one GVK → GVR path.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ResourceMapping {
    /// Group, version and kind.
    pub gvk: GroupVersionKind,
    /// Plural resource name used in URLs.
    pub plural: String,
    /// Singular resource name; empty when discovery did not report it.
    pub singular: String,
    /// Whether objects live in a namespace.
    pub namespaced: bool,
    /// Short names (known for registered kinds only: discovery drops them).
    pub short_names: Vec<String>,
    /// Verbs the server supports (`get`, `list`, …); empty for registered kinds.
    pub verbs: Vec<String>,
    /// Subresources the server reports (`status`, `scale`); empty for registered kinds,
    /// whose subresources are their `HasStatusSubresource`/`HasScaleSubresource` impls.
    pub subresources: Vec<String>,
    /// Where the mapping came from.
    pub source: MappingSource,
}

impl ResourceMapping {
    fn from_discovery(ar: ApiResource, caps: ApiCapabilities) -> Self {
        ResourceMapping {
            gvk: GroupVersionKind::gvk(&ar.group, &ar.version, &ar.kind),
            plural: ar.plural,
            singular: String::new(),
            namespaced: caps.scope == kube::discovery::Scope::Namespaced,
            short_names: Vec::new(),
            verbs: caps.operations,
            subresources: caps
                .subresources
                .into_iter()
                .map(|(sub, _)| sub.plural)
                .collect(),
            source: MappingSource::Discovery,
        }
    }

    /// The mapping as a [`kube::discovery::ApiResource`].
    pub fn api_resource(&self) -> ApiResource {
        ApiResource::from_gvk_with_plural(&self.gvk, &self.plural)
    }

    /// The group/version/resource.
    pub fn gvr(&self) -> GroupVersionResource {
        GroupVersionResource::gvr(&self.gvk.group, &self.gvk.version, &self.plural)
    }

    /// Whether objects live in a namespace, as [`Scope`].
    pub fn scope(&self) -> Scope {
        if self.namespaced {
            Scope::Namespaced
        } else {
            Scope::Cluster
        }
    }

    /// A dynamic [`Api`] for the resource: in `namespace` for a namespaced kind
    /// (`None`: across all namespaces, list/watch only); `namespace` is ignored for a
    /// cluster-scoped kind.
    pub fn dynamic_api(&self, client: kube::Client, namespace: Option<&str>) -> Api<DynamicObject> {
        let ar = self.api_resource();
        match namespace {
            Some(ns) if self.namespaced => Api::namespaced_with(client, ns, &ar),
            _ => Api::all_with(client, &ar),
        }
    }
}

/// One API group's discovery result and when it was fetched.
pub(super) struct DiscoveredGroup {
    discovery: Discovery,
    fetched: Instant,
}

/// A REST mapper: GVK ↔ resource, from the [`Scheme`] first, then from API discovery.
///
/// Discovery runs lazily, one API group at a time (so an unrelated broken aggregated API
/// cannot fail a lookup), and is cached. A miss in a cached group re-runs that group's
/// discovery once, as client-go's deferred discovery REST mapper resets on a miss, so a
/// CRD installed after start-up is found; re-runs for one group are at most one per
/// [`RestMapper::min_refresh_interval`] (default 1 s).
///
/// ```no_run
/// # crdgen_runtime::__doc_kinds!();
/// use std::sync::Arc;
/// use crdgen_runtime::scheme::{RestMapper, Scheme};
/// use crdgen_runtime::kube::core::GroupVersionKind;
///
/// # async fn f(client: kube::Client) -> crdgen_runtime::error::Result<()> {
/// let mut scheme = Scheme::new();
/// scheme.add::<Widget>()?;
/// let mapper = RestMapper::new(scheme, client.clone());
/// // Compiled in: no request.
/// let widgets = mapper.mapping_for_kind(&GroupVersionKind::gvk("example.com", "v1", "Widget")).await?;
/// // Not compiled in: discovered, then cached.
/// let deploys = mapper.mapping_for_kind(&GroupVersionKind::gvk("apps", "v1", "Deployment")).await?;
/// let api = deploys.dynamic_api(client, Some("default"));
/// # Ok(())
/// # }
/// ```
pub struct RestMapper {
    scheme: Arc<Scheme>,
    client: Option<kube::Client>,
    groups: Mutex<BTreeMap<String, DiscoveredGroup>>,
    min_refresh_interval: Duration,
}

impl std::fmt::Debug for RestMapper {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RestMapper")
            .field("scheme", &self.scheme)
            .field("discovery", &self.client.is_some())
            .field("min_refresh_interval", &self.min_refresh_interval)
            .finish()
    }
}

impl RestMapper {
    /// A mapper over `scheme` that falls back to discovery through `client`.
    pub fn new(scheme: impl Into<Arc<Scheme>>, client: kube::Client) -> Self {
        RestMapper {
            scheme: scheme.into(),
            client: Some(client),
            groups: Mutex::new(BTreeMap::new()),
            min_refresh_interval: Duration::from_secs(1),
        }
    }

    /// A mapper that only knows the kinds of `scheme` (no discovery).
    pub fn from_scheme(scheme: impl Into<Arc<Scheme>>) -> Self {
        RestMapper {
            scheme: scheme.into(),
            client: None,
            groups: Mutex::new(BTreeMap::new()),
            min_refresh_interval: Duration::from_secs(1),
        }
    }

    /// Sets the minimum time between two discovery runs for one group triggered by
    /// misses (default 1 s). `Duration::ZERO` re-runs on every miss.
    #[must_use]
    pub fn min_refresh_interval(mut self, interval: Duration) -> Self {
        self.min_refresh_interval = interval;
        self
    }

    /// The scheme consulted first.
    pub fn scheme(&self) -> &Scheme {
        &self.scheme
    }

    /// Forgets every discovery result; the next lookup that needs one re-runs it.
    pub async fn invalidate(&self) {
        self.groups.lock().await.clear();
    }

    /// The mapping of a kind: from the scheme if registered, else from discovery.
    ///
    /// Fails with [`Error::UnknownKind`] when neither knows it, or with the discovery
    /// request's error.
    pub async fn mapping_for_kind(&self, gvk: &GroupVersionKind) -> Result<ResourceMapping> {
        if let Some(info) = self.scheme.lookup_kind(gvk) {
            return Ok(info.mapping());
        }
        let found = self
            .discover(&gvk.group, |d| d.resolve_gvk(gvk))
            .await?
            .map(|(ar, caps)| ResourceMapping::from_discovery(ar, caps));
        found.ok_or_else(|| Error::UnknownKind(Box::new(gvk.clone())))
    }

    /// The mapping of the resource `plural` in `group`/`version` (a GVR → GVK lookup).
    ///
    /// Fails with [`Error::UnknownResource`] when neither the scheme nor discovery knows it.
    pub async fn mapping_for_resource(
        &self,
        group: &str,
        version: &str,
        plural: &str,
    ) -> Result<ResourceMapping> {
        if let Some(info) = self.scheme.lookup_resource(group, version, plural) {
            return Ok(info.mapping());
        }
        let found = self
            .discover(group, |d| {
                d.get(group)?
                    .versioned_resources(version)
                    .into_iter()
                    .find(|(ar, _)| ar.plural == plural)
            })
            .await?
            .map(|(ar, caps)| ResourceMapping::from_discovery(ar, caps));
        found.ok_or_else(|| Error::UnknownResource {
            group: group.into(),
            version: version.into(),
            resource: plural.into(),
        })
    }

    /// The mapping of the kind an object declares in `apiVersion`/`kind`.
    pub async fn mapping_for_object(&self, obj: &DynamicObject) -> Result<ResourceMapping> {
        self.mapping_for_kind(&gvk_of_dynamic(obj)?).await
    }

    /// Runs `find` over the cached discovery of `group`, discovering it first if needed
    /// and once more on a miss (subject to the refresh interval).
    async fn discover<T>(
        &self,
        group: &str,
        find: impl Fn(&Discovery) -> Option<T>,
    ) -> Result<Option<T>> {
        let Some(client) = &self.client else {
            return Ok(None);
        };
        let mut groups = self.groups.lock().await;
        let mut fresh = false;
        if !groups.contains_key(group) {
            groups.insert(group.to_owned(), discover_group(client, group).await?);
            fresh = true;
        }
        if let Some(cached) = groups.get(group) {
            if let Some(found) = find(&cached.discovery) {
                return Ok(Some(found));
            }
            if fresh || cached.fetched.elapsed() < self.min_refresh_interval {
                return Ok(None);
            }
        }
        tracing::debug!(group, "REST mapper miss: re-running discovery");
        let rerun = discover_group(client, group).await?;
        let found = find(&rerun.discovery);
        groups.insert(group.to_owned(), rerun);
        Ok(found)
    }
}

pub(super) async fn discover_group(client: &kube::Client, group: &str) -> Result<DiscoveredGroup> {
    let discovery = Discovery::new(client.clone())
        .filter(&[group])
        .run()
        .await?;
    Ok(DiscoveredGroup {
        discovery,
        fetched: Instant::now(),
    })
}
