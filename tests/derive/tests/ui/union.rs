use crdgen_runtime::CrdSchema;

#[derive(CrdSchema)]
pub union Bits {
    a: u32,
    b: f32,
}

fn main() {}
