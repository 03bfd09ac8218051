use crdgen_runtime::CrdSchema;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, CrdSchema)]
pub struct Spec {
    #[crdgen(validation(rule = "self > 0", mesage = "positive"))]
    pub replicas: i32,
}
fn main() {}
