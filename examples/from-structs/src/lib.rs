//! A kind written as Rust structs: `#[derive(CrdSchema)]` on the spec struct generates
//! the `Database` kind (object struct, `kube::Resource`, `crdgen_runtime::CustomResource`,
//! status and scale markers) and its CustomResourceDefinition, `Database::crd()`.
//! `cargo run -p example-from-structs` prints the manifest; the tests use the typed
//! client, a lister and an informer against the in-memory API server.

use std::collections::BTreeMap;

use crdgen_runtime::CrdSchema;
use crdgen_runtime::k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition;
use serde::{Deserialize, Serialize};

/// A managed database: replicas of one engine, backed up on a schedule.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, CrdSchema)]
#[serde(rename_all = "camelCase")]
#[crdgen(
    group = "demo.crdgen.dev",
    version = "v1",
    kind = "Database",
    plural = "databases",
    shortname = "db",
    category = "all",
    storage,
    status = "DatabaseStatus",
    derive = "PartialEq",
    scale(
        spec_replicas_path = ".spec.replicas",
        status_replicas_path = ".status.readyReplicas",
        label_selector_path = ".status.selector"
    ),
    printcolumn(name = "Engine", type = "string", json_path = ".spec.engine"),
    printcolumn(name = "Ready", type = "integer", json_path = ".status.readyReplicas"),
    printcolumn(name = "Age", type = "date", json_path = ".metadata.creationTimestamp"),
    selectable_field = ".spec.engine"
)]
pub struct DatabaseSpec {
    /// The database engine.
    pub engine: Engine,
    /// How many replicas to run (1 to 9).
    #[crdgen(minimum = 1, maximum = 9)]
    pub replicas: i32,
    /// The engine version, e.g. `16.2`.
    #[crdgen(pattern = "^[0-9]+(\\.[0-9]+)*$", max_length = 16)]
    pub version: String,
    /// Disk size in GiB, a multiple of 10.
    #[crdgen(multiple_of = 10, minimum = 10)]
    #[serde(default = "default_storage")]
    pub storage_gib: i64,
    /// Where backups go.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backup: Option<Backup>,
    /// Engine settings, verbatim.
    #[crdgen(max_properties = 32)]
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub settings: BTreeMap<String, String>,
    /// Users, each with a unique name.
    #[crdgen(
        list_type = "map",
        list_map_keys("name"),
        validation(rule = "self.all(u, u.name != 'root')", message = "`root` is reserved")
    )]
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub users: Vec<User>,
}

fn default_storage() -> i64 {
    10
}

/// A database engine.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, CrdSchema)]
#[serde(rename_all = "lowercase")]
pub enum Engine {
    /// PostgreSQL.
    Postgres,
    /// MySQL.
    Mysql,
}

/// A user.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, CrdSchema)]
#[serde(rename_all = "camelCase")]
pub struct User {
    /// The user name.
    #[crdgen(min_length = 1, max_length = 63)]
    pub name: String,
    /// Read-only access.
    #[serde(default)]
    pub read_only: bool,
}

/// Where backups go: a data-carrying enum, internally tagged by `kind`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, CrdSchema)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Backup {
    /// No backups.
    Disabled,
    /// To an object store bucket.
    #[serde(rename_all = "camelCase")]
    Bucket {
        /// The bucket's URL.
        #[crdgen(pattern = "^(s3|gs)://")]
        url: String,
        /// A cron schedule.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        schedule: Option<String>,
    },
    /// To a volume claim.
    #[serde(rename_all = "camelCase")]
    Volume {
        /// The claim's name.
        claim_name: String,
    },
}

/// What the operator observed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, CrdSchema)]
#[serde(rename_all = "camelCase")]
pub struct DatabaseStatus {
    /// Replicas that are ready.
    #[serde(default)]
    pub ready_replicas: i32,
    /// The replicas' label selector (for the scale subresource).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selector: Option<String>,
    /// Conditions, by type.
    #[crdgen(list_type = "map", list_map_keys("type"))]
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<Condition>,
}

/// The CRD manifest as YAML (what `kubectl apply -f` takes).
pub fn manifest() -> String {
    serde_saphyr::to_string(&Database::crd()).expect("a CRD serializes to YAML")
}
