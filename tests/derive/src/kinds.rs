//! Example kinds written as Rust structs (the kube-derive form: attributes on the spec).
//! This file is compiled with `#[derive(CrdSchema)]` *and* read by `crdgen crd`'s front
//! end (`crdgen::rust_input`); the tests compare the two CRDs.

use std::collections::BTreeMap;

use crdgen_runtime::CrdSchema;
use crdgen_runtime::k8s_openapi::apimachinery::pkg::apis::meta::v1::{Condition, LabelSelector};
use crdgen_runtime::k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use serde::{Deserialize, Serialize};

/// A Widget: a set of replicas serving a colourful thing.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, CrdSchema)]
#[serde(rename_all = "camelCase")]
#[crdgen(
    group = "example.com",
    version = "v1",
    kind = "Widget",
    plural = "widgets",
    shortname = "wd",
    category = "all",
    storage,
    status = "WidgetStatus",
    derive = "PartialEq",
    scale(
        spec_replicas_path = ".spec.replicas",
        status_replicas_path = ".status.replicas",
        label_selector_path = ".status.selector"
    ),
    printcolumn(name = "Replicas", type = "integer", json_path = ".spec.replicas"),
    printcolumn(
        name = "Ready",
        type = "string",
        json_path = ".status.conditions[?(@.type==\"Ready\")].status",
        priority = 1
    ),
    selectable_field = ".spec.color"
)]
pub struct WidgetSpec {
    /// Desired number of replicas.
    #[crdgen(minimum = 0, maximum = 100)]
    pub replicas: i32,
    /// The colour.
    pub color: Color,
    /// A DNS-1123 name for the thing.
    #[crdgen(
        pattern = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$",
        max_length = 63,
        min_length = 1
    )]
    pub display_name: String,
    /// Weight of the widget, a multiple of 0.5.
    #[crdgen(multiple_of = 0.5, exclusive_minimum, minimum = 0)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<f64>,
    /// Ports, keyed by name.
    #[crdgen(list_type = "map", list_map_keys("name"), max_items = 16)]
    #[serde(default)]
    pub ports: Vec<Port>,
    /// Free-form labels for the thing.
    #[crdgen(max_properties = 8, values(max_length = 63))]
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    /// How the widget is backed.
    pub backend: Backend,
    /// A port number or a name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<IntOrString>,
    /// Which pods (merged key by key, not replaced as a whole).
    #[crdgen(struct_type = "granular")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selector: Option<LabelSelector>,
    /// Any value at all, whatever its Rust type says.
    #[crdgen(schemaless)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raw: Option<Port>,
    /// An explicit `null` clears the previous rollout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rollout: Option<Option<Rollout>>,
    /// Extra settings kept as they are.
    #[crdgen(preserve_unknown_fields)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settings: Option<serde_json::Value>,
    /// Not part of the API.
    #[serde(skip)]
    pub cache: Option<String>,
    /// A flag with a server-side default.
    #[crdgen(default = "false")]
    #[serde(default)]
    pub paused: bool,
    /// Lifecycle hooks; the whole list is replaced on update.
    #[crdgen(validation(
        rule = "self.all(h, h.size() > 0)",
        message = "hooks must not be empty",
        reason = "FieldValueInvalid",
        field_path = ".hooks"
    ))]
    #[serde(default)]
    pub hooks: Vec<String>,
}

/// A colour.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, CrdSchema)]
#[serde(rename_all = "lowercase")]
pub enum Color {
    /// Red.
    Red,
    /// Green.
    Green,
    /// Blue, written `azure`.
    #[serde(rename = "azure")]
    Blue,
}

/// A port.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, CrdSchema)]
pub struct Port {
    /// The name.
    pub name: String,
    /// The number.
    #[crdgen(minimum = 1, maximum = 65535)]
    pub port: i32,
    /// The protocol.
    #[serde(default)]
    pub protocol: Option<String>,
}

/// Where the widget's data lives: a data-carrying enum, internally tagged by `type`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, CrdSchema)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum Backend {
    /// Nothing is kept.
    InMemory,
    /// A bucket.
    #[serde(rename_all = "camelCase")]
    Bucket {
        /// The bucket's URL.
        #[crdgen(pattern = "^s3://")]
        bucket_url: String,
        /// The region.
        #[serde(default)]
        region: Option<String>,
    },
    /// A volume.
    Volume(VolumeSource),
}

/// A volume source.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, CrdSchema)]
#[serde(rename_all = "camelCase")]
pub struct VolumeSource {
    /// The claim.
    pub claim_name: String,
    /// Size of the volume.
    #[serde(default)]
    pub size: Option<IntOrString>,
}

/// A rollout strategy (externally tagged, serde's default).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, CrdSchema)]
#[serde(rename_all = "camelCase")]
pub enum Rollout {
    /// Replace every replica at once.
    Recreate {},
    /// At most this many replicas at a time.
    Rolling(RollingUpdate),
}

/// A rolling update.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, CrdSchema)]
#[serde(rename_all = "camelCase")]
pub struct RollingUpdate {
    /// How many replicas may be down.
    pub max_unavailable: IntOrString,
}

/// What the controller observed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, CrdSchema)]
#[serde(rename_all = "camelCase")]
pub struct WidgetStatus {
    /// Observed replicas.
    #[serde(default)]
    pub replicas: i32,
    /// The label selector of the replicas, as a string (for the scale subresource).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selector: Option<String>,
    /// Conditions.
    #[crdgen(list_type = "map", list_map_keys("type"))]
    #[serde(default)]
    pub conditions: Vec<Condition>,
    /// The last value seen, a number or a name (untagged).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last: Option<Seen>,
}

/// A number or a name.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, CrdSchema)]
#[serde(untagged)]
pub enum Seen {
    /// A number.
    Number(i64),
    /// A name.
    Name(String),
}

/// A cluster-scoped Gizmo, in two versions (v1alpha1 deprecated); adjacently tagged data.
pub mod gizmo {
    use super::*;

    /// A Gizmo (v1).
    #[derive(Clone, Debug, Serialize, Deserialize, CrdSchema)]
    #[crdgen(
        group = "example.com",
        version = "v1",
        kind = "Gizmo",
        plural = "gizmos",
        scope = "Cluster",
        storage
    )]
    pub struct GizmoSpec {
        /// The gizmo's action.
        pub action: Action,
        /// Anything else.
        #[serde(flatten)]
        pub extra: BTreeMap<String, serde_json::Value>,
    }

    /// What a gizmo does (adjacently tagged).
    #[derive(Clone, Debug, Serialize, Deserialize, CrdSchema)]
    #[serde(tag = "kind", content = "with")]
    pub enum Action {
        /// Nothing.
        Idle,
        /// Spin at this speed.
        Spin {
            /// Revolutions per minute.
            #[crdgen(minimum = 1)]
            rpm: i64,
        },
        /// Say this.
        Say {
            /// The words.
            words: String,
        },
    }

    /// Old gizmos.
    pub mod v1alpha1 {
        use super::super::*;

        /// A Gizmo (v1alpha1).
        #[derive(Clone, Debug, Serialize, Deserialize, CrdSchema)]
        #[crdgen(
            group = "example.com",
            version = "v1alpha1",
            kind = "Gizmo",
            plural = "gizmos",
            scope = "Cluster",
            served,
            deprecated,
            deprecation_warning = "example.com/v1alpha1 Gizmo is deprecated; use v1"
        )]
        pub struct GizmoSpec {
            /// What to do.
            pub action: String,
        }
    }
}

/// A Listener: a field of every scalar type whose range the schema carries, so the API
/// server refuses what the Rust type could not decode.
pub mod listener {
    use std::num::{NonZero, NonZeroU32};

    use super::*;

    /// Where a listener listens (namespaced, v1).
    #[derive(Clone, Debug, PartialEq, Serialize, Deserialize, CrdSchema)]
    #[serde(rename_all = "camelCase")]
    #[crdgen(
        group = "example.com",
        version = "v1",
        kind = "Listener",
        plural = "listeners",
        storage
    )]
    pub struct ListenerSpec {
        /// The port the container listens on.
        pub container_port: u16,
        /// A signed byte.
        pub tiny: i8,
        /// A signed short.
        pub small: i16,
        /// An unsigned byte.
        pub byte: u8,
        /// An unsigned 32-bit count.
        pub count: u32,
        /// An unsigned 64-bit total.
        pub total: u64,
        /// A size.
        pub size: usize,
        /// A signed 64-bit offset.
        pub offset: i64,
        /// A signed index.
        pub index: isize,
        /// At least one worker.
        pub workers: NonZeroU32,
        /// One character.
        pub mark: char,
        /// Retries, when set at least one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub retries: Option<NonZero<u16>>,
        /// More ports; each one must be a valid port number (narrowed below `u16`'s range).
        #[crdgen(items(minimum = 1))]
        #[serde(default)]
        pub extra_ports: Vec<u16>,
    }
}
