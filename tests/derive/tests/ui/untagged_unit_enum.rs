use crdgen_runtime::CrdSchema;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, CrdSchema)]
#[serde(untagged)]
pub enum Nothing {
    A,
    B,
}
fn main() {}
