use crdgen_runtime::CrdSchema;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, CrdSchema)]
pub struct Spec {
    #[crdgen(minimum = "1")]
    pub replicas: i32,
}
fn main() {}
