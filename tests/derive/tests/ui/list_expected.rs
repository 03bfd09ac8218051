use crdgen_runtime::CrdSchema;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, CrdSchema)]
pub struct Spec {
    #[crdgen(list_type = "map", list_map_keys = "name")]
    pub items: Vec<Item>,
}
#[derive(Serialize, Deserialize, CrdSchema)]
pub struct Item {
    pub name: String,
}
fn main() {}
