use crdgen_runtime::CrdSchema;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Serialize, Deserialize, CrdSchema)]
#[crdgen(group = "example.com", storage)]
pub struct WidgetSpec {
    pub replicas: i32,
}
fn main() {}
