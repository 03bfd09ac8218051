//! The scheme (registration, lookups, typed ↔ dynamic conversion) and the REST mapper
//! (scheme first, discovery fallback against a mock API server).
mod common;

use std::borrow::Cow;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{Gadget, GadgetSpec, Widget, WidgetSpec, WidgetStatus};
use crdgen_runtime::error::{Error, Result};
use crdgen_runtime::kube::api::DynamicObject;
use crdgen_runtime::kube::core::{GroupVersionKind, ObjectMeta};
use crdgen_runtime::scheme::{KindEnum, MappingSource, RestMapper, Scheme, gvk_of_dynamic};
use crdgen_runtime::{CustomResource, Scope};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

// ---------------------------------------------------------------------------------------
// Extra kinds: another version of Widget, and two kinds that collide with Widget
// ---------------------------------------------------------------------------------------

macro_rules! kind {
    ($ty:ident, $version:literal, $kind:literal, $plural:literal, $short:expr, $storage:literal) => {
        #[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
        struct $ty {
            #[serde(default)]
            metadata: ObjectMeta,
            #[serde(default)]
            spec: Value,
        }
        impl kube::Resource for $ty {
            type DynamicType = ();
            type Scope = kube::core::NamespaceResourceScope;
            fn kind(_: &()) -> Cow<'_, str> {
                $kind.into()
            }
            fn group(_: &()) -> Cow<'_, str> {
                "example.com".into()
            }
            fn version(_: &()) -> Cow<'_, str> {
                $version.into()
            }
            fn api_version(_: &()) -> Cow<'_, str> {
                concat!("example.com/", $version).into()
            }
            fn plural(_: &()) -> Cow<'_, str> {
                $plural.into()
            }
            fn meta(&self) -> &ObjectMeta {
                &self.metadata
            }
            fn meta_mut(&mut self) -> &mut ObjectMeta {
                &mut self.metadata
            }
        }
        impl CustomResource for $ty {
            const GROUP: &'static str = "example.com";
            const VERSION: &'static str = $version;
            const API_VERSION: &'static str = concat!("example.com/", $version);
            const KIND: &'static str = $kind;
            const LIST_KIND: &'static str = concat!($kind, "List");
            const PLURAL: &'static str = $plural;
            const SINGULAR: &'static str = "";
            const SHORT_NAMES: &'static [&'static str] = $short;
            const CATEGORIES: &'static [&'static str] = &[];
            const SCOPE: Scope = Scope::Namespaced;
            const STORAGE: bool = $storage;
            const DEPRECATION: Option<&'static str> = None;
        }
    };
}

kind!(
    WidgetV1beta1,
    "v1beta1",
    "Widget",
    "widgets",
    &["wd"],
    false
);
kind!(WidgetV2, "v2", "Widget", "widgets", &["wd"], false);
kind!(OtherWidget, "v1", "Widget", "widgets", &[], true);
kind!(Sprocket, "v1", "Sprocket", "widgets", &[], true);

fn gvk(group: &str, version: &str, kind: &str) -> GroupVersionKind {
    GroupVersionKind::gvk(group, version, kind)
}

fn scheme() -> Scheme {
    let mut s = Scheme::new();
    s.add::<Widget>().unwrap().add::<Gadget>().unwrap();
    s
}

fn widget() -> Widget {
    let mut w = Widget::new(
        "a",
        WidgetSpec {
            size: "large".into(),
            replicas: Some(3),
            note: Some("hi".into()),
        },
    );
    w.metadata.namespace = Some("ns".into());
    w.metadata.labels = Some([("app".to_owned(), "demo".to_owned())].into());
    w.metadata.resource_version = Some("42".into());
    w.status = Some(WidgetStatus {
        replicas: Some(2),
        selector: Some("app=demo".into()),
        phase: None,
    });
    w
}

// ---------------------------------------------------------------------------------------
// Registration and lookups
// ---------------------------------------------------------------------------------------

#[test]
fn registration_is_idempotent_and_ordered() {
    let mut s = scheme();
    s.add::<Widget>().unwrap().add::<Gadget>().unwrap();
    assert_eq!(s.len(), 2);
    s.add::<WidgetV2>().unwrap().add::<WidgetV1beta1>().unwrap();
    let order: Vec<_> = s
        .kinds()
        .map(|k| (k.gvk.version.as_str(), k.gvk.kind.as_str()))
        .collect();
    assert_eq!(
        order,
        [
            ("v1", "Gadget"),
            ("v1", "Widget"),
            ("v1beta1", "Widget"),
            ("v2", "Widget")
        ]
    );
    assert!(!s.is_empty());
    assert!(Scheme::new().is_empty());
}

#[test]
fn conflicting_registrations_are_errors() {
    let mut s = scheme();
    let err = s.add::<OtherWidget>().map(|_| ()).unwrap_err();
    assert!(matches!(err, Error::SchemeConflict { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(msg.contains("example.com/v1, Kind=Widget"), "{msg}");
    assert!(
        msg.contains("OtherWidget") && msg.contains("common::Widget"),
        "{msg}"
    );

    // Another kind served under the same plural.
    let err = s.add::<Sprocket>().map(|_| ()).unwrap_err();
    assert!(
        matches!(err, Error::SchemeConflict { ref gvk, .. } if gvk.kind == "Sprocket"),
        "{err:?}"
    );
    // Nothing was half-registered.
    assert_eq!(s.len(), 2);
    assert!(!s.is_registered::<Sprocket>());
}

#[test]
fn lookups_by_type_gvk_resource_and_short_name() {
    let mut s = scheme();
    assert_eq!(
        s.gvk_of::<Widget>(),
        Some(&gvk("example.com", "v1", "Widget"))
    );
    assert_eq!(s.gvk_of::<String>(), None);
    assert!(s.is_registered::<Gadget>() && !s.is_registered::<WidgetV2>());

    let w = s
        .lookup_kind(&gvk("example.com", "v1", "Widget"))
        .unwrap()
        .clone();
    assert_eq!(
        (w.plural, w.singular, w.list_kind),
        ("widgets", "widget", "WidgetList")
    );
    assert_eq!(w.scope, Scope::Namespaced);
    assert!(w.namespaced() && w.storage && w.deprecation.is_none());
    assert_eq!(w.short_names, &["wd"]);
    assert_eq!(w.type_id, std::any::TypeId::of::<Widget>());
    assert!(w.type_name.ends_with("Widget"));
    assert_eq!(s.info_of::<Widget>(), Some(&w));

    let g = s.lookup_resource("example.com", "v1", "gadgets").unwrap();
    assert_eq!(g.gvk.kind, "Gadget");
    assert!(!g.namespaced());
    assert!(s.lookup_resource("example.com", "v2", "gadgets").is_none());
    assert!(s.lookup_kind(&gvk("example.com", "v1", "Nope")).is_none());

    assert_eq!(s.resource_for_short_name("wd").unwrap().gvk.version, "v1");
    assert!(s.resource_for_short_name("w").is_none());

    // Several versions share the short name: the storage version wins, else the most
    // stable and newest.
    s.add::<WidgetV2>().unwrap().add::<WidgetV1beta1>().unwrap();
    assert_eq!(s.kinds_for_short_name("wd").len(), 3);
    assert_eq!(s.resource_for_short_name("wd").unwrap().gvk.version, "v1");
    let mut t = Scheme::new();
    t.add::<WidgetV1beta1>().unwrap().add::<WidgetV2>().unwrap();
    assert_eq!(t.resource_for_short_name("wd").unwrap().gvk.version, "v2");

    let ar = w.api_resource();
    assert_eq!(
        (ar.api_version.as_str(), ar.plural.as_str()),
        ("example.com/v1", "widgets")
    );
}

// ---------------------------------------------------------------------------------------
// Conversions
// ---------------------------------------------------------------------------------------

#[test]
fn typed_to_dynamic_and_back() {
    let w = widget();
    let obj = Scheme::encode(&w).unwrap();
    let types = obj.types.as_ref().unwrap();
    assert_eq!(
        (types.api_version.as_str(), types.kind.as_str()),
        ("example.com/v1", "Widget")
    );
    assert_eq!(obj.metadata, w.metadata);
    assert_eq!(obj.data["spec"]["size"], "large");
    assert_eq!(obj.data["status"]["selector"], "app=demo");
    assert!(obj.data.get("apiVersion").is_none() && obj.data.get("metadata").is_none());
    assert_eq!(
        gvk_of_dynamic(&obj).unwrap(),
        gvk("example.com", "v1", "Widget")
    );

    let back: Widget = Scheme::decode(obj.clone()).unwrap();
    assert_eq!(back, w);

    // Through JSON too, and dynamic → typed → dynamic.
    let value = Scheme::encode_value(&w).unwrap();
    assert_eq!(Scheme::decode_value::<Widget>(value.clone()).unwrap(), w);
    assert_eq!(serde_json::from_value::<DynamicObject>(value).unwrap(), obj);
    assert_eq!(
        Scheme::encode(&Scheme::decode::<Widget>(obj.clone()).unwrap()).unwrap(),
        obj
    );

    // Cluster-scoped, with free-form fields.
    let g = Gadget {
        metadata: ObjectMeta {
            name: Some("g".into()),
            ..Default::default()
        },
        spec: Some(GadgetSpec {
            color: Some("red".into()),
            extra: Some([("nested".to_owned(), json!({"a": [1, 2]}))].into()),
        }),
    };
    assert_eq!(
        Scheme::decode::<Gadget>(Scheme::encode(&g).unwrap()).unwrap(),
        g
    );
}

#[test]
fn decode_without_type_meta_assumes_the_kind() {
    let obj = DynamicObject {
        types: None,
        metadata: ObjectMeta {
            name: Some("a".into()),
            ..Default::default()
        },
        data: json!({"spec": {"size": "small"}}),
    };
    let w: Widget = Scheme::decode(obj).unwrap();
    assert_eq!(w.spec.replicas, Some(1), "schema default applied");
    let w: Widget =
        Scheme::decode_value(json!({"metadata": {"name": "b"}, "spec": {"size": "small"}}))
            .unwrap();
    assert_eq!(w.metadata.name.as_deref(), Some("b"));
}

#[test]
fn conversion_errors_name_the_gvk() {
    // A Gadget is not a Widget.
    let gadget = Scheme::encode(&Gadget::default()).unwrap();
    let err = Scheme::decode::<Widget>(gadget).unwrap_err();
    assert!(
        matches!(&err, Error::KindMismatch { expected, found }
        if expected.kind == "Widget" && found.kind == "Gadget"),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "expected an object of example.com/v1, Kind=Widget, found example.com/v1, Kind=Gadget"
    );
    // Nor is another version of it.
    let err =
        Scheme::decode_value::<Widget>(json!({"apiVersion": "example.com/v2", "kind": "Widget"}))
            .unwrap_err();
    assert!(
        err.to_string()
            .contains("found example.com/v2, Kind=Widget"),
        "{err}"
    );

    // A body that does not fit the type.
    let bad = json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "a"}, "spec": {"size": 5}});
    let err = Scheme::decode::<Widget>(serde_json::from_value(bad.clone()).unwrap()).unwrap_err();
    assert!(
        matches!(&err, Error::Decode { gvk, .. } if gvk.kind == "Widget"),
        "{err:?}"
    );
    let msg = err.to_string();
    assert!(
        msg.starts_with("cannot decode example.com/v1, Kind=Widget as "),
        "{msg}"
    );
    assert!(msg.contains("invalid type: integer `5`"), "{msg}");
    assert!(std::error::Error::source(&err).is_some());
    assert!(Scheme::decode_value::<Widget>(bad).is_err());
}

#[test]
fn decode_any_picks_the_registered_type() {
    let s = scheme();
    let any = s
        .decode_any(Scheme::encode_value(&widget()).unwrap())
        .unwrap();
    assert_eq!(*any.downcast::<Widget>().unwrap(), widget());

    let gadget = Scheme::encode(&Gadget::default()).unwrap();
    let any = s.decode_dynamic_any(gadget).unwrap();
    assert!(any.is::<Gadget>());

    let err = s
        .decode_any(json!({"apiVersion": "example.com/v3", "kind": "Widget"}))
        .unwrap_err();
    assert!(
        matches!(&err, Error::UnknownKind(g) if g.version == "v3"),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "no kind is registered for example.com/v3, Kind=Widget"
    );
    let err = s
        .decode_any(json!({"metadata": {"name": "x"}}))
        .unwrap_err();
    assert!(matches!(err, Error::MissingTypeMeta), "{err:?}");
    let err = s
        .decode_any(json!({"apiVersion": "a/b/c", "kind": "X"}))
        .unwrap_err();
    assert!(
        matches!(err, Error::UnknownKind(_) | Error::MissingTypeMeta),
        "{err:?}"
    );
    let err = s.decode_dynamic_any(DynamicObject {
        types: None,
        metadata: Default::default(),
        data: json!({}),
    });
    assert!(matches!(err, Err(Error::MissingTypeMeta)));

    let bad = json!({"apiVersion": "example.com/v1", "kind": "Widget", "spec": {}});
    let err = s.decode_any(bad).unwrap_err();
    assert!(
        err.to_string().contains("example.com/v1, Kind=Widget"),
        "{err}"
    );
}

// What crdgen generates per group/version.
#[derive(Debug, PartialEq)]
enum ExampleComV1 {
    Widget(Widget),
    Gadget(Gadget),
}

impl KindEnum for ExampleComV1 {
    fn from_dynamic(obj: DynamicObject) -> Result<Self> {
        let gvk = gvk_of_dynamic(&obj)?;
        match (gvk.group.as_str(), gvk.version.as_str(), gvk.kind.as_str()) {
            ("example.com", "v1", "Widget") => Scheme::decode(obj).map(Self::Widget),
            ("example.com", "v1", "Gadget") => Scheme::decode(obj).map(Self::Gadget),
            _ => Err(Error::UnknownKind(Box::new(gvk))),
        }
    }
    fn to_dynamic(&self) -> Result<DynamicObject> {
        match self {
            Self::Widget(o) => Scheme::encode(o),
            Self::Gadget(o) => Scheme::encode(o),
        }
    }
    fn gvk(&self) -> GroupVersionKind {
        match self {
            Self::Widget(_) => gvk(Widget::GROUP, Widget::VERSION, Widget::KIND),
            Self::Gadget(_) => gvk(Gadget::GROUP, Gadget::VERSION, Gadget::KIND),
        }
    }
}

#[test]
fn kind_enum_round_trips() {
    let e = ExampleComV1::from_value(Scheme::encode_value(&widget()).unwrap()).unwrap();
    assert_eq!(e, ExampleComV1::Widget(widget()));
    assert_eq!(e.gvk(), gvk("example.com", "v1", "Widget"));
    let obj = e.to_dynamic().unwrap();
    assert_eq!(ExampleComV1::from_dynamic(obj).unwrap(), e);
    let g = ExampleComV1::from_value(
        json!({"apiVersion": "example.com/v1", "kind": "Gadget", "metadata": {"name": "g"}}),
    )
    .unwrap();
    assert!(matches!(g, ExampleComV1::Gadget(_)));
    let err = ExampleComV1::from_value(json!({"apiVersion": "apps/v1", "kind": "Deployment"}))
        .unwrap_err();
    assert!(matches!(err, Error::UnknownKind(_)));
    assert!(ExampleComV1::from_value(json!([1])).is_err());
}

// ---------------------------------------------------------------------------------------
// REST mapper
// ---------------------------------------------------------------------------------------

/// A mock API server answering discovery; `served` decides the resources of `apps/v1`,
/// and every request path is logged.
fn discovery_server(served: Arc<Mutex<Vec<Value>>>) -> (kube::Client, Arc<Mutex<Vec<String>>>) {
    let log: Arc<Mutex<Vec<String>>> = Arc::default();
    let svc_log = log.clone();
    let service = tower::service_fn(move |req: http::Request<kube::client::Body>| {
        let log = svc_log.clone();
        let served = served.clone();
        async move {
            let path = req.uri().path().to_owned();
            log.lock().unwrap().push(path.clone());
            let (code, body) = match path.as_str() {
                "/apis" => (
                    200,
                    json!({
                        "kind": "APIGroupList", "apiVersion": "v1",
                        "groups": [
                            {"name": "apps", "versions": [{"groupVersion": "apps/v1", "version": "v1"}],
                             "preferredVersion": {"groupVersion": "apps/v1", "version": "v1"}},
                            {"name": "metrics.k8s.io", "versions": [{"groupVersion": "metrics.k8s.io/v1beta1", "version": "v1beta1"}],
                             "preferredVersion": {"groupVersion": "metrics.k8s.io/v1beta1", "version": "v1beta1"}}
                        ]
                    }),
                ),
                "/apis/apps/v1" => (
                    200,
                    json!({
                        "kind": "APIResourceList", "apiVersion": "v1", "groupVersion": "apps/v1",
                        "resources": served.lock().unwrap().clone()
                    }),
                ),
                // A broken aggregated API: must not break lookups in other groups.
                _ => (
                    503,
                    json!({"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "ServiceUnavailable",
                           "message": "the server is currently unable to handle the request", "code": 503}),
                ),
            };
            Ok::<_, std::convert::Infallible>(
                http::Response::builder()
                    .status(code)
                    .header(http::header::CONTENT_TYPE, "application/json")
                    .body(kube::client::Body::from(body.to_string().into_bytes()))
                    .unwrap(),
            )
        }
    });
    (kube::Client::new(service, "default"), log)
}

fn api_resource(name: &str, kind: &str, namespaced: bool, verbs: &[&str]) -> Value {
    json!({"name": name, "singularName": "", "namespaced": namespaced, "kind": kind, "verbs": verbs, "shortNames": []})
}

fn deployments() -> Vec<Value> {
    vec![
        api_resource(
            "deployments",
            "Deployment",
            true,
            &[
                "create", "delete", "get", "list", "patch", "update", "watch",
            ],
        ),
        api_resource(
            "deployments/scale",
            "Scale",
            true,
            &["get", "patch", "update"],
        ),
        api_resource(
            "deployments/status",
            "Deployment",
            true,
            &["get", "patch", "update"],
        ),
    ]
}

#[tokio::test]
async fn mapper_answers_registered_kinds_without_requests() {
    let served = Arc::new(Mutex::new(deployments()));
    let (client, log) = discovery_server(served);
    let mapper = RestMapper::new(scheme(), client.clone());
    let m = mapper
        .mapping_for_kind(&gvk("example.com", "v1", "Widget"))
        .await
        .unwrap();
    assert_eq!(m.source, MappingSource::Scheme);
    assert_eq!(
        (m.plural.as_str(), m.singular.as_str(), m.namespaced),
        ("widgets", "widget", true)
    );
    assert_eq!(m.short_names, ["wd"]);
    assert_eq!(m.scope(), Scope::Namespaced);
    assert_eq!(m.gvr().resource, "widgets");
    let api = m.dynamic_api(client.clone(), Some("ns"));
    assert_eq!(
        api.resource_url(),
        "/apis/example.com/v1/namespaces/ns/widgets"
    );

    let m = mapper
        .mapping_for_resource("example.com", "v1", "gadgets")
        .await
        .unwrap();
    assert_eq!(m.gvk.kind, "Gadget");
    assert!(!m.namespaced);
    // A namespace is ignored for a cluster-scoped kind.
    assert_eq!(
        m.dynamic_api(client, Some("ns")).resource_url(),
        "/apis/example.com/v1/gadgets"
    );

    let obj = Scheme::encode(&widget()).unwrap();
    assert_eq!(
        mapper.mapping_for_object(&obj).await.unwrap().plural,
        "widgets"
    );
    assert!(log.lock().unwrap().is_empty());
    assert_eq!(mapper.scheme().len(), 2);
}

#[tokio::test]
async fn mapper_falls_back_to_discovery_and_caches_it() {
    let served = Arc::new(Mutex::new(deployments()));
    let (client, log) = discovery_server(served);
    let mapper = RestMapper::new(scheme(), client);

    let m = mapper
        .mapping_for_kind(&gvk("apps", "v1", "Deployment"))
        .await
        .unwrap();
    assert_eq!(m.source, MappingSource::Discovery);
    assert_eq!(m.plural, "deployments");
    assert!(m.namespaced);
    assert!(m.verbs.iter().any(|v| v == "watch"));
    let mut subs = m.subresources.clone();
    subs.sort();
    assert_eq!(subs, ["scale", "status"]);
    let ar = m.api_resource();
    assert_eq!(
        (ar.group.as_str(), ar.api_version.as_str(), ar.kind.as_str()),
        ("apps", "apps/v1", "Deployment")
    );
    assert_eq!(*log.lock().unwrap(), ["/apis", "/apis/apps/v1"]);

    // Cached: no more requests.
    let again = mapper
        .mapping_for_resource("apps", "v1", "deployments")
        .await
        .unwrap();
    assert_eq!(again, m);
    assert_eq!(log.lock().unwrap().len(), 2);

    // Unknown everywhere.
    let err = mapper
        .mapping_for_resource("apps", "v1", "nopes")
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::UnknownResource { resource, .. } if resource == "nopes"),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "no kind is registered for resource nopes in apps/v1"
    );
}

#[tokio::test(start_paused = true)]
async fn mapper_rediscovers_once_on_a_miss() {
    let served = Arc::new(Mutex::new(deployments()));
    let (client, log) = discovery_server(served.clone());
    let mapper = RestMapper::new(Scheme::new(), client);
    let sets = gvk("apps", "v1", "StatefulSet");

    // First lookup discovers the group; the miss right after a fresh run is final.
    assert!(matches!(
        mapper.mapping_for_kind(&sets).await,
        Err(Error::UnknownKind(_))
    ));
    assert_eq!(log.lock().unwrap().len(), 2);

    // The kind gets installed. Within the refresh interval a miss does not re-run.
    served.lock().unwrap().push(api_resource(
        "statefulsets",
        "StatefulSet",
        true,
        &["get", "list"],
    ));
    assert!(mapper.mapping_for_kind(&sets).await.is_err());
    assert_eq!(log.lock().unwrap().len(), 2);

    // After it, one miss re-runs discovery for the group and finds the kind.
    tokio::time::advance(Duration::from_secs(2)).await;
    let m = mapper.mapping_for_kind(&sets).await.unwrap();
    assert_eq!(m.plural, "statefulsets");
    assert_eq!(log.lock().unwrap().len(), 4);
    // Hits never re-run.
    tokio::time::advance(Duration::from_secs(2)).await;
    mapper.mapping_for_kind(&sets).await.unwrap();
    assert_eq!(log.lock().unwrap().len(), 4);

    // A still-unknown kind re-runs at most once per lookup.
    assert!(
        mapper
            .mapping_for_kind(&gvk("apps", "v1", "Nope"))
            .await
            .is_err()
    );
    assert_eq!(log.lock().unwrap().len(), 6);

    // invalidate() forgets everything.
    mapper.invalidate().await;
    mapper.mapping_for_kind(&sets).await.unwrap();
    assert_eq!(log.lock().unwrap().len(), 8);
}

#[tokio::test]
async fn mapper_with_zero_interval_and_unknown_groups() {
    let served = Arc::new(Mutex::new(deployments()));
    let (client, log) = discovery_server(served);
    let mapper = RestMapper::new(Scheme::new(), client).min_refresh_interval(Duration::ZERO);
    // A group the server does not serve: discovered as empty, then re-run on each miss.
    assert!(
        mapper
            .mapping_for_kind(&gvk("nope.io", "v1", "X"))
            .await
            .is_err()
    );
    assert_eq!(*log.lock().unwrap(), ["/apis"]);
    assert!(
        mapper
            .mapping_for_kind(&gvk("nope.io", "v1", "X"))
            .await
            .is_err()
    );
    assert_eq!(log.lock().unwrap().len(), 2);
    // A broken group reports its discovery error...
    let err = mapper
        .mapping_for_kind(&gvk("metrics.k8s.io", "v1beta1", "PodMetrics"))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(503), "{err:?}");
    // ...without breaking the others.
    assert!(
        mapper
            .mapping_for_kind(&gvk("apps", "v1", "Deployment"))
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn scheme_only_mapper_never_discovers() {
    let mapper = RestMapper::from_scheme(Arc::new(scheme()));
    assert!(
        mapper
            .mapping_for_kind(&gvk("example.com", "v1", "Gadget"))
            .await
            .is_ok()
    );
    let err = mapper
        .mapping_for_kind(&gvk("apps", "v1", "Deployment"))
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "no kind is registered for apps/v1, Kind=Deployment"
    );
    let obj = DynamicObject {
        types: None,
        metadata: Default::default(),
        data: json!({}),
    };
    assert!(matches!(
        mapper.mapping_for_object(&obj).await,
        Err(Error::MissingTypeMeta)
    ));
    assert!(format!("{mapper:?}").contains("RestMapper"));
}
