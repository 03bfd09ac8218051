//! Hand-written kinds shaped exactly like crdgen's generated code, for runtime tests.
//! `Widget` is namespaced with status and scale subresources; `Gadget` is
//! cluster-scoped with no subresources.
#![allow(dead_code)]

use std::borrow::Cow;

use crdgen_runtime::k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use crdgen_runtime::{
    CustomResource, HasScaleSubresource, HasStatusSubresource, Scope, Subresources,
};
use serde::{Deserialize, Serialize};

/// The CRD that declares `Widget` (as JSON), for servers that want the schema.
pub const WIDGET_CRD: &str = r#"{
  "apiVersion": "apiextensions.k8s.io/v1",
  "kind": "CustomResourceDefinition",
  "metadata": {"name": "widgets.example.com"},
  "spec": {
    "group": "example.com",
    "names": {"kind": "Widget", "listKind": "WidgetList", "plural": "widgets", "singular": "widget", "shortNames": ["wd"]},
    "scope": "Namespaced",
    "versions": [{
      "name": "v1", "served": true, "storage": true,
      "subresources": {"status": {}, "scale": {"specReplicasPath": ".spec.replicas", "statusReplicasPath": ".status.replicas", "labelSelectorPath": ".status.selector"}},
      "schema": {"openAPIV3Schema": {
        "type": "object",
        "properties": {
          "spec": {"type": "object", "required": ["size"], "properties": {
            "size": {"type": "string", "enum": ["small", "large"]},
            "replicas": {"type": "integer", "format": "int32", "default": 1, "minimum": 0},
            "note": {"type": "string"}
          }},
          "status": {"type": "object", "properties": {
            "replicas": {"type": "integer", "format": "int32"},
            "selector": {"type": "string"},
            "phase": {"type": "string"}
          }}
        }
      }}
    }]
  }
}"#;

/// The CRD that declares `Gadget` (as JSON).
pub const GADGET_CRD: &str = r#"{
  "apiVersion": "apiextensions.k8s.io/v1",
  "kind": "CustomResourceDefinition",
  "metadata": {"name": "gadgets.example.com"},
  "spec": {
    "group": "example.com",
    "names": {"kind": "Gadget", "listKind": "GadgetList", "plural": "gadgets", "singular": "gadget"},
    "scope": "Cluster",
    "versions": [{
      "name": "v1", "served": true, "storage": true,
      "schema": {"openAPIV3Schema": {
        "type": "object",
        "properties": {
          "spec": {"type": "object", "properties": {
            "color": {"type": "string"},
            "extra": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}
          }}
        }
      }}
    }]
  }
}"#;

#[derive(Clone, Debug, PartialEq, Default, Deserialize)]
pub struct Widget {
    #[serde(default)]
    pub metadata: ObjectMeta,
    pub spec: WidgetSpec,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<WidgetStatus>,
}

#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct WidgetSpec {
    pub size: String,
    #[serde(default = "default_replicas", skip_serializing_if = "Option::is_none")]
    pub replicas: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

fn default_replicas() -> Option<i32> {
    Some(1)
}

#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct WidgetStatus {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replicas: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selector: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phase: Option<String>,
}

impl Widget {
    pub fn new(name: &str, spec: WidgetSpec) -> Self {
        Widget {
            metadata: ObjectMeta {
                name: Some(name.to_owned()),
                ..Default::default()
            },
            spec,
            status: None,
        }
    }
}

impl kube::Resource for Widget {
    type DynamicType = ();
    type Scope = kube::core::NamespaceResourceScope;
    fn kind(_: &()) -> Cow<'_, str> {
        Cow::Borrowed("Widget")
    }
    fn group(_: &()) -> Cow<'_, str> {
        Cow::Borrowed("example.com")
    }
    fn version(_: &()) -> Cow<'_, str> {
        Cow::Borrowed("v1")
    }
    fn api_version(_: &()) -> Cow<'_, str> {
        Cow::Borrowed("example.com/v1")
    }
    fn plural(_: &()) -> Cow<'_, str> {
        Cow::Borrowed("widgets")
    }
    fn meta(&self) -> &ObjectMeta {
        &self.metadata
    }
    fn meta_mut(&mut self) -> &mut ObjectMeta {
        &mut self.metadata
    }
}

impl CustomResource for Widget {
    const GROUP: &'static str = "example.com";
    const VERSION: &'static str = "v1";
    const API_VERSION: &'static str = "example.com/v1";
    const KIND: &'static str = "Widget";
    const LIST_KIND: &'static str = "WidgetList";
    const PLURAL: &'static str = "widgets";
    const SINGULAR: &'static str = "widget";
    const SHORT_NAMES: &'static [&'static str] = &["wd"];
    const CATEGORIES: &'static [&'static str] = &[];
    const SCOPE: Scope = Scope::Namespaced;
    const STORAGE: bool = true;
    const DEPRECATION: Option<&'static str> = None;
    fn subresources() -> Subresources {
        Subresources::status_and_scale::<Self>()
    }
}
impl HasStatusSubresource for Widget {}
impl HasScaleSubresource for Widget {
    const SPEC_REPLICAS_PATH: &'static str = ".spec.replicas";
    const STATUS_REPLICAS_PATH: &'static str = ".status.replicas";
    const LABEL_SELECTOR_PATH: Option<&'static str> = Some(".status.selector");
}

#[derive(Clone, Debug, PartialEq, Default, Deserialize)]
pub struct Gadget {
    #[serde(default)]
    pub metadata: ObjectMeta,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spec: Option<GadgetSpec>,
}

#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct GadgetSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extra: Option<std::collections::BTreeMap<String, serde_json::Value>>,
}

impl kube::Resource for Gadget {
    type DynamicType = ();
    type Scope = kube::core::ClusterResourceScope;
    fn kind(_: &()) -> Cow<'_, str> {
        Cow::Borrowed("Gadget")
    }
    fn group(_: &()) -> Cow<'_, str> {
        Cow::Borrowed("example.com")
    }
    fn version(_: &()) -> Cow<'_, str> {
        Cow::Borrowed("v1")
    }
    fn api_version(_: &()) -> Cow<'_, str> {
        Cow::Borrowed("example.com/v1")
    }
    fn plural(_: &()) -> Cow<'_, str> {
        Cow::Borrowed("gadgets")
    }
    fn meta(&self) -> &ObjectMeta {
        &self.metadata
    }
    fn meta_mut(&mut self) -> &mut ObjectMeta {
        &mut self.metadata
    }
}

impl CustomResource for Gadget {
    const GROUP: &'static str = "example.com";
    const VERSION: &'static str = "v1";
    const API_VERSION: &'static str = "example.com/v1";
    const KIND: &'static str = "Gadget";
    const LIST_KIND: &'static str = "GadgetList";
    const PLURAL: &'static str = "gadgets";
    const SINGULAR: &'static str = "gadget";
    const SHORT_NAMES: &'static [&'static str] = &[];
    const CATEGORIES: &'static [&'static str] = &[];
    const SCOPE: Scope = Scope::Cluster;
    const STORAGE: bool = true;
    const DEPRECATION: Option<&'static str> = None;
}

// Root kinds write `apiVersion` and `kind` themselves (as generated code does).
impl Serialize for Widget {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("apiVersion", <Self as CustomResource>::API_VERSION)?;
        m.serialize_entry("kind", <Self as CustomResource>::KIND)?;
        m.serialize_entry("metadata", &self.metadata)?;
        m.serialize_entry("spec", &self.spec)?;
        if let Some(status) = &self.status {
            m.serialize_entry("status", status)?;
        }
        m.end()
    }
}

impl Serialize for Gadget {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("apiVersion", <Self as CustomResource>::API_VERSION)?;
        m.serialize_entry("kind", <Self as CustomResource>::KIND)?;
        m.serialize_entry("metadata", &self.metadata)?;
        if let Some(spec) = &self.spec {
            m.serialize_entry("spec", spec)?;
        }
        m.end()
    }
}
