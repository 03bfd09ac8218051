//! The error type of typed clients, the scheme and the REST mapper.
//!
//! Failures reported by the API server keep the server's [`Status`] (code, reason,
//! message, details), so callers match on what happened rather than on text:
//!
//! ```
//! use crdgen_runtime::error::Error;
//! use crdgen_runtime::kube::core::Status;
//!
//! let err = Error::from(kube::Error::Api(
//!     Status::failure("widgets.example.com \"a\" not found", "NotFound").with_code(404).boxed(),
//! ));
//! assert!(err.is_not_found());
//! assert_eq!(err.code(), Some(404));
//! assert_eq!(err.status().map(|s| s.reason.as_str()), Some("NotFound"));
//! ```

use std::fmt;

use kube::core::{GroupVersionKind, Status, response::reason};

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What can go wrong talking to the API server or converting objects.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The API server answered with an error [`Status`] (4xx/5xx, or an `ERROR` watch
    /// event). Match on it with [`Error::is_not_found`], [`Error::is_conflict`] … or read
    /// it with [`Error::status`].
    #[error("{}", DisplayStatus(.0))]
    Api(Box<Status>),

    /// Any other failure of the underlying [`kube::Client`]: transport, TLS, auth,
    /// building the request, discovery.
    #[error(transparent)]
    Kube(kube::Error),

    /// Serializing a request body or parsing JSON that is not a Kubernetes object.
    #[error("JSON error: {0}")]
    Json(#[from] serde_json::Error),

    /// An object could not be decoded into (or encoded from) the Rust type of its kind.
    #[error("cannot decode {} as {type_name}: {source}", DisplayGvk(.gvk))]
    Decode {
        /// The kind being decoded.
        gvk: Box<GroupVersionKind>,
        /// The Rust type it was decoded into.
        type_name: &'static str,
        /// What serde reported (the field path is in the message).
        #[source]
        source: serde_json::Error,
    },

    /// An object's `apiVersion`/`kind` is not the kind asked for.
    #[error("expected an object of {}, found {}", DisplayGvk(.expected), DisplayGvk(.found))]
    KindMismatch {
        /// The kind of the Rust type the object was to be decoded into.
        expected: Box<GroupVersionKind>,
        /// The kind the object declares.
        found: Box<GroupVersionKind>,
    },

    /// An object without `apiVersion` or `kind`, where they are needed to pick its type.
    #[error("object has no apiVersion/kind, so its type cannot be determined")]
    MissingTypeMeta,

    /// No Rust type is registered for this kind, and (for the REST mapper) the API
    /// server does not serve it either.
    #[error("no kind is registered for {}", DisplayGvk(.0))]
    UnknownKind(Box<GroupVersionKind>),

    /// No kind is registered (or discovered) for this resource.
    #[error("no kind is registered for resource {resource} in {}", group_version(.group, .version))]
    UnknownResource {
        /// API group (empty for the core group).
        group: String,
        /// API version.
        version: String,
        /// Plural resource name or short name that was looked up.
        resource: String,
    },

    /// Two Rust types were registered for the same kind, or two kinds for the same
    /// resource of one group/version.
    #[error("cannot register {new_type} as {}: {existing_type} is already registered for it", DisplayGvk(.gvk))]
    SchemeConflict {
        /// The kind both types claim.
        gvk: Box<GroupVersionKind>,
        /// The type registered first.
        existing_type: &'static str,
        /// The type that could not be registered.
        new_type: &'static str,
    },

    /// A verb that works on one named object got an object without `metadata.name`.
    #[error("{kind} object has no metadata.name")]
    MissingName {
        /// The kind of the object.
        kind: &'static str,
    },

    /// Server-side apply without a field manager ([`ApplyParams::field_manager`] is
    /// empty); the API server would answer 422.
    ///
    /// [`ApplyParams::field_manager`]: crate::apply::ApplyParams::field_manager
    #[error("server-side apply needs a field manager: ApplyParams::field_manager is empty")]
    MissingFieldManager,

    /// A [`validating`](crate::client::ResourceClient::validating) client found the
    /// object invalid before sending it; the Display is the API server's `422` message.
    #[error("{0}")]
    Invalid(Box<crate::schema::Invalid>),
}

impl Error {
    /// The API server's [`Status`], when the server reported this error.
    pub fn status(&self) -> Option<&Status> {
        match self {
            Error::Api(status) => Some(status),
            _ => None,
        }
    }

    /// The HTTP status code the server reported, when it reported one.
    pub fn code(&self) -> Option<u16> {
        self.status().map(|s| s.code).filter(|&c| c != 0)
    }

    /// The machine-readable reason the server gave (`NotFound`, `Conflict`, …).
    pub fn reason(&self) -> Option<&str> {
        self.status()
            .map(|s| s.reason.as_str())
            .filter(|r| !r.is_empty())
    }

    /// The object (or resource) does not exist: reason `NotFound` or HTTP 404.
    pub fn is_not_found(&self) -> bool {
        self.status().is_some_and(Status::is_not_found)
    }

    /// A `create` found an object with the same name: reason `AlreadyExists`.
    ///
    /// The server answers 409 for this and for [`Error::is_conflict`]; the reason tells
    /// them apart.
    pub fn is_already_exists(&self) -> bool {
        self.status().is_some_and(Status::is_already_exists)
    }

    /// An update lost an optimistic-concurrency race (stale `resourceVersion`) or a
    /// server-side apply conflicts with another field manager: reason `Conflict`, or
    /// HTTP 409 without a known reason.
    pub fn is_conflict(&self) -> bool {
        self.status().is_some_and(Status::is_conflict)
    }

    /// The object failed validation: reason `Invalid` or HTTP 422. The failing fields
    /// are in [`Error::status`]`.details.causes`.
    pub fn is_invalid(&self) -> bool {
        self.status().is_some_and(Status::is_invalid)
    }

    /// The requested `resourceVersion` or `continue` token is too old: HTTP 410 with
    /// reason `Expired` or `Gone`. Informers relist on this.
    pub fn is_gone(&self) -> bool {
        self.status().is_some_and(|s| {
            s.reason == reason::EXPIRED
                || s.reason == reason::GONE
                || (!reason::is_known(&s.reason) && s.code == 410)
        })
    }

    /// The caller is not allowed to do this: reason `Forbidden` or HTTP 403.
    pub fn is_forbidden(&self) -> bool {
        self.status().is_some_and(Status::is_forbidden)
    }

    /// The caller is not authenticated: reason `Unauthorized` or HTTP 401.
    pub fn is_unauthorized(&self) -> bool {
        self.status().is_some_and(|s| {
            s.reason == reason::UNAUTHORIZED || (!reason::is_known(&s.reason) && s.code == 401)
        })
    }

    /// The server does not accept the request's content type (HTTP 415), e.g. a
    /// strategic merge patch sent for a custom resource.
    pub fn is_unsupported_media_type(&self) -> bool {
        self.status().is_some_and(|s| {
            s.reason == reason::UNSUPPORTED_MEDIA_TYPE
                || (!reason::is_known(&s.reason) && s.code == 415)
        })
    }
}

impl From<kube::Error> for Error {
    fn from(err: kube::Error) -> Self {
        match err {
            kube::Error::Api(status) => Error::Api(status),
            other => Error::Kube(other),
        }
    }
}

impl From<Status> for Error {
    fn from(status: Status) -> Self {
        Error::Api(Box::new(status))
    }
}

impl From<Box<Status>> for Error {
    fn from(status: Box<Status>) -> Self {
        Error::Api(status)
    }
}

/// Formats a GVK the way client-go does: `example.com/v1, Kind=Widget`.
pub(crate) struct DisplayGvk<'a>(pub(crate) &'a GroupVersionKind);

impl fmt::Display for DisplayGvk<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let gvk = self.0;
        write!(
            f,
            "{}, Kind={}",
            group_version(&gvk.group, &gvk.version),
            gvk.kind
        )
    }
}

fn group_version(group: &str, version: &str) -> String {
    if group.is_empty() {
        version.to_owned()
    } else {
        format!("{group}/{version}")
    }
}

struct DisplayStatus<'a>(&'a Status);

impl fmt::Display for DisplayStatus<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.0;
        f.write_str("API error")?;
        if s.code != 0 {
            write!(f, " {}", s.code)?;
        }
        if !s.reason.is_empty() {
            write!(f, " ({})", s.reason)?;
        }
        if !s.message.is_empty() {
            write!(f, ": {}", s.message)?;
        }
        Ok(())
    }
}
