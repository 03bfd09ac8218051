//! The corpus CRDs selected by `CRDGEN_CORPUS` (see build.rs), generated and compiled,
//! plus a dispatch table for typed round trips.

/// The generated code.
#[allow(missing_docs)] // fields without a description in the CRD carry no doc
pub mod generated {
    include!(concat!(env!("OUT_DIR"), "/corpus.rs"));
}

include!(concat!(env!("OUT_DIR"), "/dispatch.rs"));

fn roundtrip_as<K: serde::Serialize + serde::de::DeserializeOwned>(
    value: serde_json::Value,
) -> Result<serde_json::Value, String> {
    let typed: K = serde_json::from_value(value).map_err(|e| format!("decode: {e}"))?;
    serde_json::to_value(&typed).map_err(|e| format!("encode: {e}"))
}
