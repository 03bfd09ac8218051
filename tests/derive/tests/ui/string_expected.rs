use crdgen_runtime::CrdSchema;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, CrdSchema)]
pub struct Spec {
    #[crdgen(pattern = 1)]
    pub name: String,
}
fn main() {}
