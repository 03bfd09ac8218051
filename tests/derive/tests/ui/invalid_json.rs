use crdgen_runtime::CrdSchema;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, CrdSchema)]
pub struct Spec {
    #[crdgen(default = "{not json")]
    #[serde(default)]
    pub settings: Option<serde_json::Value>,
}
fn main() {}
