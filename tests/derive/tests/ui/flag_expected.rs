use crdgen_runtime::CrdSchema;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, CrdSchema)]
pub struct Spec {
    #[crdgen(nullable = "yes")]
    pub name: Option<Option<String>>,
}
fn main() {}
