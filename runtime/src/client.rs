//! Typed resource clients: the verbs of a generated clientset.
//!
//! [`ResourceClient<K>`] wraps a [`kube::Api<K>`] for one [`CustomResource`] kind and
//! exposes the verbs the kind supports, returning this crate's [`Error`]. What the CRD
//! declares is enforced by the type system, never discovered as a 404 at run time:
//!
//! - a namespaced kind is built with [`ResourceClient::namespaced`], a cluster-scoped
//!   one with [`ResourceClient::cluster`]; the other constructor does not compile;
//! - status verbs ([`get_status`](ResourceClient::get_status), …) exist only when
//!   `K: HasStatusSubresource`, scale verbs ([`get_scale`](ResourceClient::get_scale),
//!   …) only when `K: HasScaleSubresource`;
//! - a client over every namespace ([`ResourceClient::all`]) can only list and watch.
//!
//! Generated clientsets are thin wrappers that pick the constructor:
//!
//! ```no_run
//! # crdgen_runtime::__doc_kinds!();
//! use crdgen_runtime::client::{ListParams, PostParams, ResourceClient};
//!
//! # async fn run(client: kube::Client) -> crdgen_runtime::error::Result<()> {
//! let widgets: ResourceClient<Widget> = ResourceClient::namespaced(client.clone(), "default");
//! let created = widgets.create(&PostParams::default(), &Widget::new("a")).await?;
//! let listed = widgets.list_all(&ListParams::default().labels("app=demo")).await?;
//! match widgets.get_opt("missing").await? {
//!     Some(w) => println!("found {w:?}"),
//!     None => println!("not there"),
//! }
//! let gadgets: ResourceClient<Gadget> = ResourceClient::cluster(client);
//! # Ok(())
//! # }
//! ```
//!
//! A cluster-scoped kind cannot be opened in a namespace:
//!
//! ```compile_fail
//! # crdgen_runtime::__doc_kinds!();
//! # use crdgen_runtime::client::ResourceClient;
//! # fn f(client: kube::Client) {
//! let gadgets: ResourceClient<Gadget> = ResourceClient::namespaced(client, "default");
//! # }
//! ```
//!
//! nor a namespaced kind at cluster scope:
//!
//! ```compile_fail
//! # crdgen_runtime::__doc_kinds!();
//! # use crdgen_runtime::client::ResourceClient;
//! # fn f(client: kube::Client) {
//! let widgets: ResourceClient<Widget> = ResourceClient::cluster(client);
//! # }
//! ```
//!
//! A kind without the status subresource has no status verbs:
//!
//! ```compile_fail
//! # crdgen_runtime::__doc_kinds!();
//! # use crdgen_runtime::client::{PostParams, ResourceClient};
//! # async fn f(client: kube::Client, gadget: Gadget) {
//! let gadgets: ResourceClient<Gadget> = ResourceClient::cluster(client);
//! gadgets.update_status(&PostParams::default(), &gadget).await;
//! # }
//! ```
//!
//! nor scale verbs:
//!
//! ```compile_fail
//! # crdgen_runtime::__doc_kinds!();
//! # use crdgen_runtime::client::ResourceClient;
//! # async fn f(client: kube::Client) {
//! let gadgets: ResourceClient<Gadget> = ResourceClient::cluster(client);
//! gadgets.get_scale("g").await;
//! # }
//! ```
//!
//! and a client over all namespaces cannot address one object:
//!
//! ```compile_fail
//! # crdgen_runtime::__doc_kinds!();
//! # use crdgen_runtime::client::ResourceClient;
//! # async fn f(client: kube::Client) {
//! let widgets = ResourceClient::<Widget>::all(client);
//! widgets.get("a").await;
//! # }
//! ```

use std::fmt::{self, Debug};
use std::marker::PhantomData;

use futures::{StreamExt, TryStreamExt, stream::BoxStream};
use kube::Resource;
use kube::core::{ClusterResourceScope, NamespaceResourceScope};
use serde::Serialize;

use crate::CustomResource;
use crate::apply::{ApplyConfiguration, ApplyParams};
use crate::error::{Error, Result};
use crate::resource::{HasScaleSubresource, HasStatusSubresource};
use crate::schema::{HasCrd, Invalid, Validate};

pub use k8s_openapi::api::autoscaling::v1::Scale;
pub use kube::api::{
    DeleteParams, ListParams, ObjectList, Patch, PatchParams, PostParams, PropagationPolicy,
    WatchEvent, WatchParams,
};
pub use kube::core::Status;

/// Page size [`ResourceClient::list_all`] uses when the [`ListParams`] set no `limit`
/// (client-go's pager uses the same).
pub const DEFAULT_PAGE_SIZE: u32 = 500;

/// Marker: the client addresses the kind's own scope, one namespace for a namespaced
/// kind or the cluster for a cluster-scoped one. Every verb is available.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scoped {}

/// Marker: the client spans every namespace of a namespaced kind. Only
/// [`list`](ResourceClient::list), [`list_all`](ResourceClient::list_all) and
/// [`watch`](ResourceClient::watch) are available, as on the API server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AllNamespaces {}

/// A typed client for one custom resource kind.
///
/// `S` is [`Scoped`] (the default) for a client built with
/// [`namespaced`](ResourceClient::namespaced) or [`cluster`](ResourceClient::cluster),
/// and [`AllNamespaces`] for one built with [`all`](ResourceClient::all). Cloning is
/// cheap (the underlying [`kube::Client`] is reference counted).
pub struct ResourceClient<K, S = Scoped> {
    api: kube::Api<K>,
    /// Set by [`validating`](ResourceClient::validating): checks an object as the API
    /// server would (with the old object on update) before it is sent.
    check: Option<Check<K>>,
    _scope: PhantomData<fn() -> S>,
}

/// A client-side check of `new` (against `old` on update), as the API server validates.
type Check<K> = fn(&K, Option<&K>) -> std::result::Result<(), Invalid>;

impl<K: CustomResource, S> Clone for ResourceClient<K, S> {
    fn clone(&self) -> Self {
        ResourceClient {
            api: self.api.clone(),
            check: self.check,
            _scope: PhantomData,
        }
    }
}

impl<K: CustomResource, S> Debug for ResourceClient<K, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResourceClient")
            .field("kind", &std::any::type_name::<K>())
            .field("url", &self.api.resource_url())
            .finish()
    }
}

/// What a delete returned.
///
/// For custom resources the API server answers with the object: its last state when it
/// was removed at once, or with `metadata.deletionTimestamp` set while finalizers still
/// hold it ([`DeleteResponse::is_finalizing`]). Some servers answer with a `Success`
/// [`Status`] instead.
#[derive(Debug, Clone, PartialEq)]
pub enum DeleteResponse<T> {
    /// The server returned the object (or, for a collection delete, the list).
    Object(T),
    /// The server returned a [`Status`] confirming the deletion.
    Status(Box<Status>),
}

impl<T> DeleteResponse<T> {
    /// The returned object, if the server returned one.
    pub fn object(&self) -> Option<&T> {
        match self {
            DeleteResponse::Object(o) => Some(o),
            DeleteResponse::Status(_) => None,
        }
    }

    /// The returned object, if the server returned one.
    pub fn into_object(self) -> Option<T> {
        match self {
            DeleteResponse::Object(o) => Some(o),
            DeleteResponse::Status(_) => None,
        }
    }

    /// The returned status, if the server returned one.
    pub fn status(&self) -> Option<&Status> {
        match self {
            DeleteResponse::Object(_) => None,
            DeleteResponse::Status(s) => Some(&**s),
        }
    }
}

impl<K: Resource> DeleteResponse<K> {
    /// The object still exists, marked for deletion, waiting for its finalizers.
    pub fn is_finalizing(&self) -> bool {
        self.object()
            .is_some_and(|o| o.meta().deletion_timestamp.is_some())
    }
}

// ---------------------------------------------------------------------------------------
// Constructors
// ---------------------------------------------------------------------------------------

impl<K> ResourceClient<K, Scoped>
where
    K: CustomResource,
{
    /// A client for a namespaced kind in `namespace`.
    ///
    /// Only compiles for namespaced kinds (`K::Scope` is [`NamespaceResourceScope`]).
    ///
    /// ```no_run
    /// # crdgen_runtime::__doc_kinds!();
    /// # use crdgen_runtime::client::ResourceClient;
    /// # fn f(client: kube::Client) {
    /// let widgets = ResourceClient::<Widget>::namespaced(client, "default");
    /// assert_eq!(widgets.namespace(), Some("default"));
    /// # }
    /// ```
    pub fn namespaced(client: kube::Client, namespace: &str) -> Self
    where
        K: Resource<Scope = NamespaceResourceScope>,
    {
        Self::from_api(kube::Api::namespaced(client, namespace))
    }

    /// A client for a namespaced kind in the client's default namespace (from the
    /// kubeconfig context or the pod's service account).
    pub fn default_namespaced(client: kube::Client) -> Self
    where
        K: Resource<Scope = NamespaceResourceScope>,
    {
        Self::from_api(kube::Api::default_namespaced(client))
    }

    /// A client for a cluster-scoped kind.
    ///
    /// Only compiles for cluster-scoped kinds (`K::Scope` is [`ClusterResourceScope`]).
    ///
    /// ```no_run
    /// # crdgen_runtime::__doc_kinds!();
    /// # use crdgen_runtime::client::ResourceClient;
    /// # fn f(client: kube::Client) {
    /// let gadgets = ResourceClient::<Gadget>::cluster(client);
    /// assert_eq!(gadgets.namespace(), None);
    /// # }
    /// ```
    pub fn cluster(client: kube::Client) -> Self
    where
        K: Resource<Scope = ClusterResourceScope>,
    {
        Self::from_api(kube::Api::all(client))
    }

    /// A client for a namespaced kind across every namespace: it can
    /// [`list`](ResourceClient::list), [`list_all`](ResourceClient::list_all) and
    /// [`watch`](ResourceClient::watch), nothing else.
    ///
    /// ```no_run
    /// # crdgen_runtime::__doc_kinds!();
    /// # use crdgen_runtime::client::{AllNamespaces, ListParams, ResourceClient};
    /// # async fn f(client: kube::Client) -> crdgen_runtime::error::Result<()> {
    /// let widgets: ResourceClient<Widget, AllNamespaces> = ResourceClient::all(client);
    /// // or: ResourceClient::<Widget>::all(client)
    /// let everywhere = widgets.list(&ListParams::default()).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn all(client: kube::Client) -> ResourceClient<K, AllNamespaces>
    where
        K: Resource<Scope = NamespaceResourceScope>,
    {
        ResourceClient {
            api: kube::Api::all(client),
            check: None,
            _scope: PhantomData,
        }
    }

    /// Wraps an existing [`kube::Api`]. The caller vouches that it addresses the kind's
    /// scope (a namespace for a namespaced kind).
    pub fn from_api(api: kube::Api<K>) -> Self {
        ResourceClient {
            api,
            check: None,
            _scope: PhantomData,
        }
    }
}

impl<K: CustomResource + HasCrd + 'static, S> ResourceClient<K, S> {
    /// This client, validating every object it creates or replaces (`create`, `update`,
    /// `update_status`) before sending it, as the API server would: the CRD's schema and
    /// CEL rules ([`Validate`](crate::schema::Validate)), compiled once per kind. An
    /// invalid object gives [`Error::Invalid`] (its Display is the server's `422`
    /// message) and no request is sent.
    ///
    /// On update, an object that fails is checked again against the stored one (one
    /// `GET`), so that unchanged invalid values pass as the server ratchets them.
    pub fn validating(mut self) -> Self {
        self.check = Some(|new, old| match old {
            Some(old) => new.validate_update(old),
            None => new.validate(),
        });
        self
    }
}

impl<K: CustomResource, S> ResourceClient<K, S> {
    /// Runs the [`validating`](ResourceClient::validating) check, if any, on an object
    /// about to be created.
    fn check_create(&self, obj: &K) -> Result<()> {
        match self.check {
            Some(check) => check(obj, None).map_err(|e| Error::Invalid(Box::new(e))),
            None => Ok(()),
        }
    }

    /// The same for an object about to replace the stored one named `name`: checked as
    /// new first, and on failure against the stored object (ratcheting).
    async fn check_update(&self, name: &str, obj: &K) -> Result<()> {
        let Some(check) = self.check else {
            return Ok(());
        };
        if check(obj, None).is_ok() {
            return Ok(());
        }
        let old = self.api.get(name).await?;
        check(obj, Some(&old)).map_err(|e| Error::Invalid(Box::new(e)))
    }
}

// ---------------------------------------------------------------------------------------
// Verbs available on every client: list and watch
// ---------------------------------------------------------------------------------------

impl<K, S> ResourceClient<K, S>
where
    K: CustomResource,
{
    /// The underlying [`kube::Api`], for anything this client does not wrap.
    pub fn api(&self) -> &kube::Api<K> {
        &self.api
    }

    /// Unwraps the underlying [`kube::Api`].
    pub fn into_api(self) -> kube::Api<K> {
        self.api
    }

    /// The namespace this client is bound to; `None` for a cluster-scoped kind or a
    /// client over all namespaces.
    pub fn namespace(&self) -> Option<&str> {
        self.api.namespace()
    }

    /// Lists one page of objects (`limit`/`continue_token` in `params` select the page).
    ///
    /// ```no_run
    /// # crdgen_runtime::__doc_kinds!();
    /// # use crdgen_runtime::client::{ListParams, ResourceClient};
    /// # async fn f(widgets: ResourceClient<Widget>) -> crdgen_runtime::error::Result<()> {
    /// let page = widgets.list(&ListParams::default().labels("app=demo").limit(50)).await?;
    /// for w in &page.items { println!("{:?}", w.metadata.name); }
    /// let next = page.metadata.continue_; // Some(token) when there are more
    /// # Ok(())
    /// # }
    /// ```
    pub async fn list(&self, params: &ListParams) -> Result<ObjectList<K>> {
        Ok(self.api.list(params).await?)
    }

    /// Lists every object, following `continue` tokens page by page.
    ///
    /// Pages hold `params.limit` objects ([`DEFAULT_PAGE_SIZE`] when unset). The result
    /// carries the `resourceVersion` of the first page, which is the consistent snapshot
    /// every page was read from, so it can start a watch. If a continue token expires
    /// mid-way (410), the list is retried once in full without paging, as client-go's
    /// pager does.
    ///
    /// ```no_run
    /// # crdgen_runtime::__doc_kinds!();
    /// # use crdgen_runtime::client::{ListParams, ResourceClient};
    /// # async fn f(widgets: ResourceClient<Widget>) -> crdgen_runtime::error::Result<()> {
    /// let all = widgets.list_all(&ListParams::default()).await?;
    /// println!("{} widgets at resourceVersion {:?}", all.items.len(), all.metadata.resource_version);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn list_all(&self, params: &ListParams) -> Result<ObjectList<K>> {
        let mut page_params = params.clone();
        page_params.limit = Some(params.limit.unwrap_or(DEFAULT_PAGE_SIZE));
        let first = self.api.list(&page_params).await?;
        let mut list = first;
        let mut token = list.metadata.continue_.take().filter(|t| !t.is_empty());
        while let Some(current) = token {
            page_params.continue_token = Some(current.clone());
            // A continued list must not repeat the resourceVersion constraints.
            page_params.resource_version = None;
            page_params.version_match = None;
            let mut page = match self.api.list(&page_params).await {
                Ok(page) => page,
                Err(e) => {
                    let e = Error::from(e);
                    if !e.is_gone() {
                        return Err(e);
                    }
                    let mut full = params.clone();
                    full.limit = None;
                    full.continue_token = None;
                    let mut all = self.api.list(&full).await?;
                    all.metadata.continue_ = None;
                    return Ok(all);
                }
            };
            list.items.append(&mut page.items);
            token = page.metadata.continue_.take().filter(|t| !t.is_empty());
            if token.as_deref() == Some(current.as_str()) {
                return Err(Error::from(
                    Status::failure(
                        "the server returned the same continue token twice",
                        "InternalError",
                    )
                    .with_code(500),
                ));
            }
        }
        list.metadata.continue_ = None;
        list.metadata.remaining_item_count = None;
        Ok(list)
    }

    /// Watches for changes after `resource_version` (`"0"`: start from any cached state;
    /// the `resourceVersion` of a list: changes since that list).
    ///
    /// The stream ends when the server closes the watch (see
    /// [`WatchParams::timeout`]); re-watch from the last seen `resourceVersion`, or use an
    /// informer. An expired `resource_version` arrives as a [`WatchEvent::Error`] with
    /// code 410 (or as an `Err` whose [`Error::is_gone`] holds).
    ///
    /// ```no_run
    /// # crdgen_runtime::__doc_kinds!();
    /// # use crdgen_runtime::client::{ResourceClient, WatchEvent, WatchParams};
    /// use futures::TryStreamExt;
    /// # async fn f(widgets: ResourceClient<Widget>) -> crdgen_runtime::error::Result<()> {
    /// let mut events = widgets.watch(&WatchParams::default().timeout(60), "0").await?;
    /// while let Some(event) = events.try_next().await? {
    ///     match event {
    ///         WatchEvent::Added(w) | WatchEvent::Modified(w) => println!("{:?}", w.metadata.name),
    ///         WatchEvent::Deleted(w) => println!("gone: {:?}", w.metadata.name),
    ///         WatchEvent::Bookmark(_) => {}
    ///         WatchEvent::Error(status) => return Err(status.into()),
    ///     }
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn watch(
        &self,
        params: &WatchParams,
        resource_version: &str,
    ) -> Result<BoxStream<'static, Result<WatchEvent<K>>>> {
        let stream = self.api.watch(params, resource_version).await?;
        Ok(stream.map_err(Error::from).boxed())
    }
}

// ---------------------------------------------------------------------------------------
// Verbs on one named object (and on collections within the scope)
// ---------------------------------------------------------------------------------------

impl<K> ResourceClient<K, Scoped>
where
    K: CustomResource,
{
    /// Gets the named object.
    ///
    /// A missing object is an error whose [`Error::is_not_found`] holds; see
    /// [`get_opt`](Self::get_opt).
    pub async fn get(&self, name: &str) -> Result<K> {
        Ok(self.api.get(name).await?)
    }

    /// Gets the named object, or `None` if it does not exist.
    pub async fn get_opt(&self, name: &str) -> Result<Option<K>> {
        match self.api.get(name).await.map_err(Error::from) {
            Ok(obj) => Ok(Some(obj)),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Creates `obj` (its `metadata.name`, or `generateName`, names it).
    ///
    /// An existing object of the same name gives an error whose
    /// [`Error::is_already_exists`] holds. The status of `obj` is ignored when the kind
    /// has a status subresource.
    pub async fn create(&self, params: &PostParams, obj: &K) -> Result<K> {
        self.check_create(obj)?;
        Ok(self.api.create(params, obj).await?)
    }

    /// Replaces the object named by `obj.metadata.name` with `obj` (HTTP PUT).
    ///
    /// Set `metadata.resourceVersion` (mutate what [`get`](Self::get) returned): a stale
    /// one gives an error whose [`Error::is_conflict`] holds. The status of `obj` is
    /// ignored when the kind has a status subresource; use
    /// [`update_status`](Self::update_status).
    pub async fn update(&self, params: &PostParams, obj: &K) -> Result<K> {
        let name = name_of(obj)?;
        self.check_update(name, obj).await?;
        Ok(self.api.replace(name, params, obj).await?)
    }

    /// Deletes the named object.
    ///
    /// ```no_run
    /// # crdgen_runtime::__doc_kinds!();
    /// # use crdgen_runtime::client::{DeleteParams, ResourceClient};
    /// # async fn f(widgets: ResourceClient<Widget>) -> crdgen_runtime::error::Result<()> {
    /// let res = widgets.delete("a", &DeleteParams::foreground()).await?;
    /// if res.is_finalizing() {
    ///     println!("waiting for finalizers");
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn delete(&self, name: &str, params: &DeleteParams) -> Result<DeleteResponse<K>> {
        let res = self.api.delete(name, params).await?;
        Ok(res.either(DeleteResponse::Object, |s| {
            DeleteResponse::Status(Box::new(s))
        }))
    }

    /// Deletes every object (in the namespace, for a namespaced kind) matching
    /// `list_params`' label and field selectors.
    pub async fn delete_collection(
        &self,
        params: &DeleteParams,
        list_params: &ListParams,
    ) -> Result<DeleteResponse<ObjectList<K>>> {
        let res = self.api.delete_collection(params, list_params).await?;
        Ok(res.either(DeleteResponse::Object, |s| {
            DeleteResponse::Status(Box::new(s))
        }))
    }

    /// Patches the named object.
    ///
    /// - [`Patch::Merge`]: a JSON merge patch (RFC 7386), e.g. `json!({"spec": {"replicas": 3}})`;
    ///   `null` removes a field.
    /// - [`Patch::Json`]: a JSON patch (RFC 6902) — `Patch::Json::<()>(json_patch::Patch(ops))`.
    /// - [`Patch::Apply`]: server-side apply; prefer [`apply`](Self::apply), which sets the
    ///   field manager.
    /// - [`Patch::Strategic`]: **not supported for custom resources**: the API server
    ///   answers 415 Unsupported Media Type ([`Error::is_unsupported_media_type`]),
    ///   because CRDs carry no patch-strategy metadata. Use a merge patch or apply.
    ///
    /// The status of the object is not changed when the kind has a status subresource;
    /// use [`patch_status`](Self::patch_status).
    ///
    /// ```no_run
    /// # crdgen_runtime::__doc_kinds!();
    /// # use crdgen_runtime::client::{Patch, PatchParams, ResourceClient};
    /// # async fn f(widgets: ResourceClient<Widget>) -> crdgen_runtime::error::Result<()> {
    /// let merge = serde_json::json!({"spec": {"replicas": 3}});
    /// widgets.patch("a", &PatchParams::default(), &Patch::Merge(&merge)).await?;
    ///
    /// let ops: json_patch::Patch = serde_json::from_value(serde_json::json!([
    ///     {"op": "replace", "path": "/spec/size", "value": "large"}
    /// ]))?;
    /// widgets.patch("a", &PatchParams::default(), &Patch::Json::<()>(ops)).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn patch<P: Serialize + Debug>(
        &self,
        name: &str,
        params: &PatchParams,
        patch: &Patch<P>,
    ) -> Result<K> {
        Ok(self.api.patch(name, params, patch).await?)
    }

    /// Server-side apply of `cfg` as [`ApplyParams::field_manager`]; with
    /// [`ApplyParams::force`] it takes over fields owned by other managers instead of
    /// failing with a 409 conflict ([`Error::is_conflict`]; the fields are in the
    /// status' `details.causes`). Creates the object when it does not exist.
    ///
    /// `cfg` is a generated apply configuration (`WidgetApply`: only the fields set
    /// are sent, so the manager owns only those), a whole `K` (which claims every field
    /// it serializes, defaults included) or a `serde_json::Value` with `apiVersion`,
    /// `kind` and `metadata.name`. A field this manager applied before and no longer
    /// sends is removed, unless another manager owns it.
    ///
    /// ```no_run
    /// # crdgen_runtime::__doc_kinds!();
    /// # use crdgen_runtime::client::ResourceClient;
    /// use crdgen_runtime::apply::ApplyParams;
    /// # async fn f(widgets: ResourceClient<Widget>) -> crdgen_runtime::error::Result<()> {
    /// let intent = serde_json::json!({
    ///     "apiVersion": "example.com/v1", "kind": "Widget",
    ///     "metadata": {"name": "a"},
    ///     "spec": {"size": "large"}
    /// });
    /// let applied = widgets.apply(&intent, &ApplyParams::new("my-controller").force()).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn apply<C: ApplyConfiguration<K>>(
        &self,
        cfg: &C,
        params: &ApplyParams,
    ) -> Result<K> {
        let (name, params) = apply_request::<K, C>(cfg, params)?;
        Ok(self.api.patch(name, &params, &Patch::Apply(cfg)).await?)
    }
}

// ---------------------------------------------------------------------------------------
// Status subresource
// ---------------------------------------------------------------------------------------

impl<K> ResourceClient<K, Scoped>
where
    K: HasStatusSubresource,
{
    /// Gets the named object through its `status` subresource (the whole object).
    pub async fn get_status(&self, name: &str) -> Result<K> {
        Ok(self.api.get_status(name).await?)
    }

    /// Replaces the status of the object named by `obj.metadata.name`; everything but
    /// `status` (and `metadata.resourceVersion`, which must be current) is ignored.
    pub async fn update_status(&self, params: &PostParams, obj: &K) -> Result<K> {
        let name = name_of(obj)?;
        self.check_update(name, obj).await?;
        Ok(self.api.replace_status(name, params, obj).await?)
    }

    /// Patches the status of the named object, e.g.
    /// `Patch::Merge(json!({"status": {"phase": "Ready"}}))`. The same patch types as
    /// [`patch`](Self::patch) apply (no strategic merge for custom resources).
    pub async fn patch_status<P: Serialize + Debug>(
        &self,
        name: &str,
        params: &PatchParams,
        patch: &Patch<P>,
    ) -> Result<K> {
        Ok(self.api.patch_status(name, params, patch).await?)
    }

    /// Server-side apply of the status of the object `cfg` names: `cfg` carries the
    /// `status` fields the manager owns through the `status` subresource (an entry of
    /// its own in `managedFields`). See [`apply`](Self::apply).
    pub async fn apply_status<C: ApplyConfiguration<K>>(
        &self,
        cfg: &C,
        params: &ApplyParams,
    ) -> Result<K> {
        let (name, params) = apply_request::<K, C>(cfg, params)?;
        Ok(self
            .api
            .patch_status(name, &params, &Patch::Apply(cfg))
            .await?)
    }
}

// ---------------------------------------------------------------------------------------
// Scale subresource
// ---------------------------------------------------------------------------------------

impl<K> ResourceClient<K, Scoped>
where
    K: HasScaleSubresource,
{
    /// Gets the `autoscaling/v1` [`Scale`] of the named object.
    ///
    /// ```no_run
    /// # crdgen_runtime::__doc_kinds!();
    /// # use crdgen_runtime::client::{Patch, PatchParams, ResourceClient};
    /// # async fn f(widgets: ResourceClient<Widget>) -> crdgen_runtime::error::Result<()> {
    /// let scale = widgets.get_scale("a").await?;
    /// let replicas = scale.spec.and_then(|s| s.replicas);
    /// let patch = serde_json::json!({"spec": {"replicas": 5}});
    /// widgets.patch_scale("a", &PatchParams::default(), &Patch::Merge(&patch)).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn get_scale(&self, name: &str) -> Result<Scale> {
        Ok(self.api.get_scale(name).await?)
    }

    /// Replaces the [`Scale`] of the named object (only `spec.replicas` is writable).
    pub async fn update_scale(
        &self,
        name: &str,
        params: &PostParams,
        scale: &Scale,
    ) -> Result<Scale> {
        Ok(self.api.replace_scale(name, params, scale).await?)
    }

    /// Patches the [`Scale`] of the named object, e.g.
    /// `Patch::Merge(json!({"spec": {"replicas": 5}}))`.
    pub async fn patch_scale<P: Serialize + Debug>(
        &self,
        name: &str,
        params: &PatchParams,
        patch: &Patch<P>,
    ) -> Result<Scale> {
        Ok(self.api.patch_scale(name, params, patch).await?)
    }
}

fn name_of<K: CustomResource>(obj: &K) -> Result<&str> {
    obj.meta()
        .name
        .as_deref()
        .filter(|n| !n.is_empty())
        .ok_or(Error::MissingName { kind: K::KIND })
}

/// The name and patch parameters of an apply: errors for an empty field manager or name.
fn apply_request<'c, K: CustomResource, C: ApplyConfiguration<K>>(
    cfg: &'c C,
    params: &ApplyParams,
) -> Result<(&'c str, PatchParams)> {
    let params = params.patch_params()?;
    let name = cfg
        .object_name()
        .filter(|n| !n.is_empty())
        .ok_or(Error::MissingName { kind: K::KIND })?;
    Ok((name, params))
}

/// Defines the test kinds `Widget` (namespaced; status and scale subresources) and
/// `Gadget` (cluster-scoped, no subresources) for this crate's doctests. Not API.
#[doc(hidden)]
#[macro_export]
macro_rules! __doc_kinds {
    () => {
        #[derive(Clone, Debug, Default, ::crdgen_runtime::serde::Serialize, ::crdgen_runtime::serde::Deserialize)]
        #[serde(crate = "::crdgen_runtime::serde")]
        struct Widget {
            #[serde(default)]
            metadata: ::crdgen_runtime::kube::core::ObjectMeta,
            #[serde(default)]
            spec: ::crdgen_runtime::serde_json::Value,
        }
        impl Widget {
            #[allow(dead_code)]
            fn new(name: &str) -> Self {
                let mut w = Widget::default();
                w.metadata.name = Some(name.to_owned());
                w
            }
        }
        #[derive(Clone, Debug, Default, ::crdgen_runtime::serde::Serialize, ::crdgen_runtime::serde::Deserialize)]
        #[serde(crate = "::crdgen_runtime::serde")]
        struct Gadget {
            #[serde(default)]
            metadata: ::crdgen_runtime::kube::core::ObjectMeta,
        }
        $crate::__doc_kinds!(@kind Widget, NamespaceResourceScope, Namespaced, "Widget", "widgets");
        $crate::__doc_kinds!(@kind Gadget, ClusterResourceScope, Cluster, "Gadget", "gadgets");
        impl $crate::HasStatusSubresource for Widget {}
        impl $crate::HasScaleSubresource for Widget {
            const SPEC_REPLICAS_PATH: &'static str = ".spec.replicas";
            const STATUS_REPLICAS_PATH: &'static str = ".status.replicas";
            const LABEL_SELECTOR_PATH: Option<&'static str> = None;
        }
    };
    (@kind $ty:ident, $kscope:ident, $scope:ident, $kind:literal, $plural:literal) => {
        impl $crate::kube::Resource for $ty {
            type DynamicType = ();
            type Scope = $crate::kube::core::$kscope;
            fn kind(_: &()) -> ::std::borrow::Cow<'_, str> { $kind.into() }
            fn group(_: &()) -> ::std::borrow::Cow<'_, str> { "example.com".into() }
            fn version(_: &()) -> ::std::borrow::Cow<'_, str> { "v1".into() }
            fn api_version(_: &()) -> ::std::borrow::Cow<'_, str> { "example.com/v1".into() }
            fn plural(_: &()) -> ::std::borrow::Cow<'_, str> { $plural.into() }
            fn meta(&self) -> &$crate::kube::core::ObjectMeta { &self.metadata }
            fn meta_mut(&mut self) -> &mut $crate::kube::core::ObjectMeta { &mut self.metadata }
        }
        impl $crate::CustomResource for $ty {
            const GROUP: &'static str = "example.com";
            const VERSION: &'static str = "v1";
            const API_VERSION: &'static str = "example.com/v1";
            const KIND: &'static str = $kind;
            const LIST_KIND: &'static str = concat!($kind, "List");
            const PLURAL: &'static str = $plural;
            const SINGULAR: &'static str = "";
            const SHORT_NAMES: &'static [&'static str] = &[];
            const CATEGORIES: &'static [&'static str] = &[];
            const SCOPE: $crate::Scope = $crate::Scope::$scope;
            const STORAGE: bool = true;
            const DEPRECATION: Option<&'static str> = None;
        }
    };
}
