use crdgen_runtime::CrdSchema;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Serialize, Deserialize, CrdSchema)]
#[crdgen(group = "example.com", version = "v1", kind = "my-widget", plural = "widgets", storage)]
pub struct WidgetSpec {
    pub replicas: i32,
}

fn main() {}
