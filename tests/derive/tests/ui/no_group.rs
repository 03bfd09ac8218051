use crdgen_runtime::CrdSchema;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Serialize, Deserialize, CrdSchema)]
#[crdgen(version = "v1", kind = "Widget", plural = "widgets")]
pub struct WidgetSpec {
    pub replicas: i32,
}
fn main() {}
