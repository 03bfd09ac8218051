//! The static description of a custom resource type, implemented by generated code.

use serde::{Serialize, de::DeserializeOwned};

/// Whether objects of a kind live in a namespace or at cluster scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scope {
    /// Objects live in a namespace (`metadata.namespace` is set).
    Namespaced,
    /// Objects are cluster-wide.
    Cluster,
}

/// A custom resource kind known at compile time.
///
/// Generated for every kind of every served version (by `crdgen generate`, build.rs
/// or `#[derive(CrdSchema)]`). The constants are what the CRD declares, so a scheme, a
/// REST mapper or an in-memory API server can serve the kind without asking the
/// cluster, and code can be generic over kinds:
///
/// ```
/// use crdgen_runtime::{CustomResource, Scope};
///
/// /// The URL path of a kind's collection.
/// fn collection_path<K: CustomResource>(namespace: &str) -> String {
///     match K::SCOPE {
///         Scope::Namespaced => {
///             format!("/apis/{}/namespaces/{namespace}/{}", K::API_VERSION, K::PLURAL)
///         }
///         Scope::Cluster => format!("/apis/{}/{}", K::API_VERSION, K::PLURAL),
///     }
/// }
///
/// /// Whether a kind's version should be avoided.
/// fn deprecated<K: CustomResource>() -> bool {
///     K::DEPRECATION.is_some()
/// }
/// # let _ = (collection_path::<Never>, deprecated::<Never>);
/// # #[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
/// # struct Never { metadata: crdgen_runtime::k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta }
/// # impl crdgen_runtime::kube::Resource for Never {
/// #     type DynamicType = (); type Scope = crdgen_runtime::kube::core::NamespaceResourceScope;
/// #     fn kind(_: &()) -> std::borrow::Cow<'_, str> { "Never".into() }
/// #     fn group(_: &()) -> std::borrow::Cow<'_, str> { "example.com".into() }
/// #     fn version(_: &()) -> std::borrow::Cow<'_, str> { "v1".into() }
/// #     fn plural(_: &()) -> std::borrow::Cow<'_, str> { "nevers".into() }
/// #     fn meta(&self) -> &crdgen_runtime::k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta { &self.metadata }
/// #     fn meta_mut(&mut self) -> &mut crdgen_runtime::k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta { &mut self.metadata }
/// # }
/// # impl CustomResource for Never {
/// #     const GROUP: &'static str = "example.com"; const VERSION: &'static str = "v1";
/// #     const API_VERSION: &'static str = "example.com/v1"; const KIND: &'static str = "Never";
/// #     const LIST_KIND: &'static str = "NeverList"; const PLURAL: &'static str = "nevers";
/// #     const SINGULAR: &'static str = "never"; const SHORT_NAMES: &'static [&'static str] = &[];
/// #     const CATEGORIES: &'static [&'static str] = &[]; const SCOPE: Scope = Scope::Namespaced;
/// #     const STORAGE: bool = true; const DEPRECATION: Option<&'static str> = None;
/// # }
/// # assert_eq!(collection_path::<Never>("ns"), "/apis/example.com/v1/namespaces/ns/nevers");
/// # assert!(!deprecated::<Never>());
/// ```
pub trait CustomResource:
    kube::Resource<DynamicType = ()>
    + Clone
    + std::fmt::Debug
    + Serialize
    + DeserializeOwned
    + Send
    + Sync
    + 'static
{
    /// API group, e.g. `example.com`.
    const GROUP: &'static str;
    /// API version within the group, e.g. `v1alpha1`.
    const VERSION: &'static str;
    /// `group/version`, or `version` for the core group.
    const API_VERSION: &'static str;
    /// Kind, e.g. `Foo`.
    const KIND: &'static str;
    /// Kind of the list type, e.g. `FooList`.
    const LIST_KIND: &'static str;
    /// Plural resource name used in URLs, e.g. `foos`.
    const PLURAL: &'static str;
    /// Singular resource name, e.g. `foo`.
    const SINGULAR: &'static str;
    /// Short names accepted by kubectl.
    const SHORT_NAMES: &'static [&'static str];
    /// Categories the kind belongs to (e.g. `all`).
    const CATEGORIES: &'static [&'static str];
    /// Namespaced or cluster-scoped.
    const SCOPE: Scope;
    /// Whether this version is the storage version.
    const STORAGE: bool;
    /// The deprecation warning, when this version is deprecated.
    const DEPRECATION: Option<&'static str>;

    /// The subresources this version declares: what its [`HasStatusSubresource`] and
    /// [`HasScaleSubresource`] impls say, readable where `K` is generic (generated
    /// code writes `Subresources::status::<Self>()` & co., which only compile for a
    /// kind with those impls). Default: none.
    fn subresources() -> Subresources {
        Subresources::NONE
    }
}

/// The subresources of a kind's version, from its marker traits
/// ([`CustomResource::subresources`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Subresources {
    /// The `status` subresource ([`HasStatusSubresource`]).
    pub status: bool,
    /// The `scale` subresource's paths ([`HasScaleSubresource`]).
    pub scale: Option<ScalePaths>,
}

/// The JSON paths of a `scale` subresource ([`HasScaleSubresource`]'s constants).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ScalePaths {
    /// Desired replicas, e.g. `.spec.replicas`.
    pub spec_replicas_path: &'static str,
    /// Observed replicas, e.g. `.status.replicas`.
    pub status_replicas_path: &'static str,
    /// The label selector (as a string), if declared.
    pub label_selector_path: Option<&'static str>,
}

impl ScalePaths {
    /// The paths `K` declares.
    pub const fn of<K: HasScaleSubresource>() -> Self {
        ScalePaths {
            spec_replicas_path: K::SPEC_REPLICAS_PATH,
            status_replicas_path: K::STATUS_REPLICAS_PATH,
            label_selector_path: K::LABEL_SELECTOR_PATH,
        }
    }
}

impl Subresources {
    /// No subresources.
    pub const NONE: Subresources = Subresources {
        status: false,
        scale: None,
    };

    /// The status subresource only.
    pub const fn status<K: HasStatusSubresource>() -> Self {
        Subresources {
            status: true,
            scale: None,
        }
    }

    /// The scale subresource only.
    pub const fn scale<K: HasScaleSubresource>() -> Self {
        Subresources {
            status: false,
            scale: Some(ScalePaths::of::<K>()),
        }
    }

    /// Both the status and the scale subresources.
    pub const fn status_and_scale<K: HasStatusSubresource + HasScaleSubresource>() -> Self {
        Subresources {
            status: true,
            scale: Some(ScalePaths::of::<K>()),
        }
    }
}

/// A kind with the `status` subresource: status verbs are available on its client.
pub trait HasStatusSubresource: CustomResource {}

/// A kind with the `scale` subresource: scale verbs are available on its client.
pub trait HasScaleSubresource: CustomResource {
    /// JSON path of the desired replicas in the object, e.g. `.spec.replicas`.
    const SPEC_REPLICAS_PATH: &'static str;
    /// JSON path of the observed replicas, e.g. `.status.replicas`.
    const STATUS_REPLICAS_PATH: &'static str;
    /// JSON path of the label selector (as a string) in the object, if declared.
    const LABEL_SELECTOR_PATH: Option<&'static str>;
}
