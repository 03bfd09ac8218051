//! A fake client for unit tests: a real [`kube::Client`] over the in-memory API
//! server, in process.
//!
//! Users' typed clientsets take a `kube::Client`, so they run against the fake
//! unchanged. Seed objects with [`FakeClient::add`] (which, like client-go's fake
//! tracker, bypasses validation and admission) and assert on the recorded requests
//! with [`FakeClient::actions`].
//!
//! ```
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use crdgen_runtime::fake::FakeClient;
//! use serde_json::json;
//!
//! let fake = FakeClient::new();
//! fake.tracker().register_crd(&json!({
//!     "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
//!     "metadata": {"name": "widgets.example.com"},
//!     "spec": {"group": "example.com", "scope": "Namespaced",
//!              "names": {"kind": "Widget", "plural": "widgets"},
//!              "versions": [{"name": "v1", "served": true, "storage": true,
//!                            "schema": {"openAPIV3Schema": {"type": "object",
//!                                "x-kubernetes-preserve-unknown-fields": true}}}]}
//! }))?;
//! fake.add_value(json!({"apiVersion": "example.com/v1", "kind": "Widget",
//!                       "metadata": {"name": "a", "namespace": "default"}}))?;
//! let client = fake.client();   // hand this to the code under test
//! # let _ = client;
//! assert_eq!(fake.tracker().namespaces().len(), 1);
//! # Ok(()) }
//! ```

use serde_json::Value;

use crate::server::ApiServer;
use crate::tracker::{Action, KindInfo, StatusError, Tracker};

/// A fake clientset backend: an in-process [`ApiServer`] and its [`Tracker`].
///
/// Requests through [`client`](Self::client) are validated, pruned and defaulted
/// against the CRD's schema as the API server would; [`add`](Self::add) seeds objects
/// without any of that.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use crdgen_runtime::fake::FakeClient;
/// use crdgen_runtime::kube::api::{Api, ApiResource, DynamicObject, GroupVersionKind, PostParams};
/// use serde_json::json;
///
/// let crd = json!({
///     "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
///     "metadata": {"name": "widgets.example.com"},
///     "spec": {"group": "example.com", "scope": "Namespaced",
///              "names": {"kind": "Widget", "plural": "widgets"},
///              "versions": [{"name": "v1", "served": true, "storage": true,
///                            "schema": {"openAPIV3Schema": {"type": "object", "properties": {
///                                "spec": {"type": "object", "properties": {
///                                    "port": {"type": "integer", "minimum": 1, "maximum": 65535}}}}}}}]}
/// });
/// let fake = FakeClient::with_crds([crd])?;
/// // The code under test gets a kube::Client (typed clientsets take one too).
/// let gvk = GroupVersionKind::gvk("example.com", "v1", "Widget");
/// let api: Api<DynamicObject> =
///     Api::namespaced_with(fake.client(), "default", &ApiResource::from_gvk(&gvk));
/// let widget = |port: i64| -> DynamicObject {
///     serde_json::from_value(json!({"apiVersion": "example.com/v1", "kind": "Widget",
///         "metadata": {"name": "w"}, "spec": {"port": port}})).unwrap()
/// };
/// let err = api.create(&PostParams::default(), &widget(70000)).await.unwrap_err();
/// assert!(err.to_string().contains("should be less than or equal to 65535"), "{err}");
/// api.create(&PostParams::default(), &widget(8080)).await?;
/// // What the code under test did.
/// let verbs: Vec<_> = fake.actions().iter().map(|a| a.verb.clone()).collect();
/// assert_eq!(verbs, ["create", "create"]);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Default)]
pub struct FakeClient {
    server: ApiServer,
}

impl FakeClient {
    /// A fake with no kinds registered.
    pub fn new() -> Self {
        FakeClient {
            server: ApiServer::new(),
        }
    }

    /// A fake serving the kinds of these CRDs (JSON).
    pub fn with_crds(crds: impl IntoIterator<Item = Value>) -> Result<Self, String> {
        let fake = FakeClient::new();
        for crd in crds {
            fake.tracker().register_crd(&crd)?;
        }
        Ok(fake)
    }

    /// Serve a typed kind: no schema; the status and scale subresources its marker
    /// traits declare ([`KindInfo::of`]). Chainable.
    pub fn register<K: crate::CustomResource>(&self) -> &Self {
        self.tracker().register::<K>();
        self
    }

    /// Serve a kind described by [`KindInfo`] (e.g. `KindInfo::from_crd(&crd)?`). Chainable.
    pub fn register_kind(&self, kind: KindInfo) -> &Self {
        self.tracker().register_kind(kind);
        self
    }

    /// A [`kube::Client`] over the fake (default namespace `default`). Every client
    /// shares the same objects.
    pub fn client(&self) -> kube::Client {
        self.server.client()
    }

    /// The object tracker.
    pub fn tracker(&self) -> &Tracker {
        self.server.tracker()
    }

    /// The in-process server (e.g. to also serve it over HTTP).
    pub fn server(&self) -> &ApiServer {
        &self.server
    }

    /// Seed a typed object without validation (replacing one with the same name).
    /// A namespaced object without a namespace goes to `default`. Returns the
    /// stored object with its uid and resourceVersion.
    pub fn add<K: crate::CustomResource>(&self, object: &K) -> Result<K, StatusError> {
        let v =
            serde_json::to_value(object).map_err(|e| StatusError::bad_request(e.to_string()))?;
        let stored = self.add_value(v)?;
        serde_json::from_value(stored).map_err(|e| StatusError::bad_request(e.to_string()))
    }

    /// Seed an object given as JSON without validation (see [`Tracker::add`]).
    pub fn add_value(&self, object: Value) -> Result<Value, StatusError> {
        self.tracker().add(object)
    }

    /// The requests made so far, oldest first.
    pub fn actions(&self) -> Vec<Action> {
        self.tracker().actions()
    }

    /// Forget the recorded requests.
    pub fn clear_actions(&self) {
        self.tracker().clear_actions();
    }
}
