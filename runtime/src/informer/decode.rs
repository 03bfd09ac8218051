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
        /// The object's name, namespace, resourceVersion and uid.
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
        // What a report and a deletion need, kept before `value` moves into `K` (by
        // value: its strings move instead of being copied).
        let meta = value.get("metadata");
        let field = |k: &str| {
            meta.and_then(|m| m.get(k))
                .and_then(Value::as_str)
                .map(str::to_owned)
        };
        let meta = ObjectMeta {
            name: field("name"),
            namespace: field("namespace"),
            resource_version: field("resourceVersion"),
            uid: field("uid"),
            ..ObjectMeta::default()
        };
        Ok(match K::deserialize(value) {
            Ok(object) => Decoded::Ok(object),
            Err(error) => Decoded::Bad {
                meta: Box::new(meta),
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

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::ConfigMap;
    use kube::core::ObjectList;

    fn list(n: usize, bad: Option<usize>) -> String {
        let items: Vec<Value> = (0..n)
            .map(|i| {
                let data = if Some(i) == bad {
                    serde_json::json!(42)
                } else {
                    serde_json::json!({"key": format!("value {i}"), "other": "x".repeat(40)})
                };
                serde_json::json!({
                    "apiVersion": "v1", "kind": "ConfigMap",
                    "metadata": {"name": format!("cm-{i}"), "namespace": "default",
                                 "resourceVersion": format!("{i}"), "labels": {"app": "web"}},
                    "data": data,
                })
            })
            .collect();
        serde_json::json!({"apiVersion": "v1", "kind": "ConfigMapList", "metadata": {}, "items": items})
            .to_string()
    }

    #[test]
    fn one_bad_item_does_not_fail_the_list() {
        let text = list(3, Some(1));
        assert!(serde_json::from_str::<ObjectList<ConfigMap>>(&text).is_err());
        let decoded: ObjectList<Decoded<ConfigMap>> = serde_json::from_str(&text).expect("decodes");
        let kinds: Vec<_> = decoded
            .items
            .iter()
            .map(|d| match d {
                Decoded::Ok(cm) => format!("ok {}", cm.metadata.name.as_deref().unwrap_or("")),
                Decoded::Bad { meta, error } => {
                    format!("bad {} {error}", meta.name.as_deref().unwrap_or(""))
                }
            })
            .collect();
        assert_eq!(kinds[0], "ok cm-0");
        assert!(
            kinds[1].starts_with("bad cm-1 invalid type: integer `42`, expected a map"),
            "{}",
            kinds[1]
        );
        assert_eq!(kinds[2], "ok cm-2");
        let err = DecodeError::new::<ConfigMap>(decoded.items[1].meta(), "x");
        assert_eq!(err.to_string(), "ConfigMap default/cm-1 does not decode: x");
    }

    /// What decoding one object at a time costs against kube's whole-list decoding
    /// (`cargo test -p crdgen-runtime --lib decode_cost -- --ignored --nocapture`).
    #[test]
    #[ignore = "a measurement, not a check"]
    fn decode_cost() {
        let text = list(20_000, None);
        let best = |f: &dyn Fn() -> usize| {
            (0..5)
                .map(|_| {
                    let t = std::time::Instant::now();
                    assert_eq!(f(), 20_000);
                    t.elapsed()
                })
                .min()
                .expect("five runs")
        };
        let direct = best(&|| {
            serde_json::from_str::<ObjectList<ConfigMap>>(&text)
                .expect("decodes")
                .items
                .len()
        });
        let one_by_one = best(&|| {
            serde_json::from_str::<ObjectList<Decoded<ConfigMap>>>(&text)
                .expect("decodes")
                .items
                .len()
        });
        println!(
            "20,000 ConfigMaps ({} MB): ObjectList<ConfigMap> {direct:?}, ObjectList<Decoded<ConfigMap>> {one_by_one:?} ({:.2}×)",
            text.len() / 1_000_000,
            one_by_one.as_secs_f64() / direct.as_secs_f64()
        );
    }
}
