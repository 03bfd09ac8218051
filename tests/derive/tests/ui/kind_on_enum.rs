use crdgen_runtime::CrdSchema;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, CrdSchema)]
#[crdgen(group = "example.com", version = "v1", kind = "Color", plural = "colors")]
pub enum Color {
    Red,
}
fn main() {}
