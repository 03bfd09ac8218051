use crdgen_runtime::CrdSchema;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, CrdSchema)]
pub enum Source {
    Empty,
    Url(String),
}
fn main() {}
