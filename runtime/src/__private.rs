//! Helpers that generated code calls. Not a stable API.

/// Serde adapter for optional nullable fields: `Option<Option<T>>` where the outer
/// `None` is "absent" and `Some(None)` is an explicit `null`, so a `null` the user wrote
/// survives a typed round trip. Use with `#[serde(default, skip_serializing_if =
/// "Option::is_none", with = "...::double_option")]`.
pub mod double_option {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    /// Serialize `Some(None)` as `null` and `Some(Some(v))` as `v`.
    pub fn serialize<T: Serialize, S: Serializer>(
        value: &Option<Option<T>>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            Some(inner) => inner.serialize(serializer),
            None => serializer.serialize_none(),
        }
    }

    /// A present field is `Some(..)`, `null` included.
    pub fn deserialize<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Option<T>>, D::Error> {
        Option::<T>::deserialize(deserializer).map(Some)
    }
}

/// Parse a schema default that the generator checked against the type at generation
/// time. A failure here is a crdgen bug, reported with the field it belongs to.
#[track_caller]
pub fn schema_default<T: serde::de::DeserializeOwned>(json: &str, field: &str) -> T {
    match serde_json::from_str(json) {
        Ok(v) => v,
        Err(e) => panic!(
            "crdgen: schema default of `{field}` does not fit its type ({e}); please report this"
        ),
    }
}
