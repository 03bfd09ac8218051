use crdgen_runtime::CrdSchema;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Serialize, Deserialize, CrdSchema)]
#[crdgen(group = "example.com", version = "v1", kind = "Widget", plural = "widgets", storage, status = "WidgetStatus")]
pub struct Widget {
    pub metadata: crdgen_runtime::k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta,
    pub status: Option<WidgetStatus>,
}
#[derive(Clone, Debug, Serialize, Deserialize, CrdSchema)]
pub struct WidgetStatus {
    pub ready: bool,
}
fn main() {}
