use crdgen_runtime::CrdSchema;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize)]
pub struct Opaque {
    pub x: i32,
}
#[derive(Serialize, Deserialize, CrdSchema)]
pub struct Spec {
    pub opaque: Opaque,
}
fn main() {}
