//! Decoding watched objects one by one, so one object that does not decode into the
//! typed kind cannot stall an informer.
//!
//! kube's watcher decodes a whole list page at once: with `Api<K>`, one object the type
//! refuses (a `u16` field holding `70000`, stored by an older schema or by a client
//! that skipped validation) fails every list, the watcher retries forever and
//! `wait_for_cache_sync` never returns. The factory watches [`Decoded<K>`] instead,
//! which decodes each object on its own and keeps the failure, with the object's
//! metadata, as a value; the informer then syncs with the objects it can decode and
//! reports each one it cannot ([`DecodeError`]).

use std::borrow::Cow;
use std::fmt;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kube::Resource;
use serde::de::{Deserialize, DeserializeOwned, Deserializer};
use serde_json::Value;

/// A watched object: decoded into `K`, or the reason it could not be.
#[derive(Debug, Clone)]
pub(crate) enum Decoded<K> {
    /// The object, typed.
    Ok(K),
    /// The object's metadata and the decoding error.
    Bad {
        /// As much of `metadata` as decodes (its namespace and name, at least).
        meta: Box<ObjectMeta>,
        /// serde's message.
        error: String,
    },
}

impl<'de, K: DeserializeOwned> Deserialize<'de> for Decoded<K> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // Only malformed JSON fails here: a well-formed object the type refuses
        // becomes `Bad`, so the list or event it is in still decodes.
        let value = Value::deserialize(deserializer)?;
        Ok(match K::deserialize(&value) {
            Ok(object) => Decoded::Ok(object),
            Err(error) => Decoded::Bad {
                meta: Box::new(
                    value
                        .get("metadata")
                        .and_then(|m| ObjectMeta::deserialize(m).ok())
                        .unwrap_or_default(),
                ),
                error: error.to_string(),
            },
        })
    }
}

impl<K: Resource<DynamicType = ()>> Resource for Decoded<K> {
    type DynamicType = ();
    type Scope = K::Scope;

    fn kind(dt: &()) -> Cow<'_, str> {
        K::kind(dt)
    }

    fn group(dt: &()) -> Cow<'_, str> {
        K::group(dt)
    }

    fn version(dt: &()) -> Cow<'_, str> {
        K::version(dt)
    }

    fn api_version(dt: &()) -> Cow<'_, str> {
        K::api_version(dt)
    }

    fn plural(dt: &()) -> Cow<'_, str> {
        K::plural(dt)
    }

    fn metadata_api() -> bool {
        K::metadata_api()
    }

    fn url_path(dt: &(), namespace: Option<&str>) -> String {
        K::url_path(dt, namespace)
    }

    fn meta(&self) -> &ObjectMeta {
        match self {
            Decoded::Ok(object) => object.meta(),
            Decoded::Bad { meta, .. } => meta,
        }
    }

    fn meta_mut(&mut self) -> &mut ObjectMeta {
        match self {
            Decoded::Ok(object) => object.meta_mut(),
            Decoded::Bad { meta, .. } => meta,
        }
    }
}

/// An object an informer received but could not decode into its type; the informer
/// leaves it out of its cache (keeping the last state it could decode, if any) and
/// goes on. Read them with
/// [`SharedIndexInformer::decode_errors`](super::SharedIndexInformer::decode_errors) or
/// [`on_decode_error`](super::SharedIndexInformer::on_decode_error); each is also
/// logged as a `tracing` warning.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DecodeError {
    /// The kind, e.g. `Widget`.
    pub kind: String,
    /// The object's namespace (cluster-scoped objects have none).
    pub namespace: Option<String>,
    /// The object's name.
    pub name: Option<String>,
    /// The object's `resourceVersion`.
    pub resource_version: Option<String>,
    /// serde's message, e.g. `invalid value: integer `70000`, expected u16`.
    pub message: String,
}

impl DecodeError {
    pub(crate) fn new<K: Resource<DynamicType = ()>>(meta: &ObjectMeta, message: &str) -> Self {
        DecodeError {
            kind: K::kind(&()).into_owned(),
            namespace: meta.namespace.clone(),
            name: meta.name.clone(),
            resource_version: meta.resource_version.clone(),
            message: message.to_owned(),
        }
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.kind)?;
        match (&self.namespace, &self.name) {
            (Some(ns), Some(name)) => write!(f, " {ns}/{name}")?,
            (None, Some(name)) => write!(f, " {name}")?,
            _ => write!(f, " (unnamed)")?,
        }
        write!(f, " does not decode: {}", self.message)
    }
}

impl std::error::Error for DecodeError {}
