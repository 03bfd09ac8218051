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
/// Generated for every kind of every served version. The constants are what the CRD
/// declares, so a scheme, a REST mapper or an in-memory API server can serve the kind
/// without asking the cluster.
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
