//! Decoding of request bodies for create and update as kube-apiserver's handlers do
//! it: the media type picks the decoder (JSON, YAML; anything else is 415), the
//! apiVersion/kind sniffing errors and typed-decoding errors are worded as the
//! server words them (`transformDecodeError`), and duplicate JSON keys are reported
//! by path (strict decoding).

use std::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use crate::tracker::StatusError;

/// What a body decoded to: the object and the paths of duplicated keys.
pub(crate) struct Decoded {
    pub object: Value,
    pub duplicates: Vec<String>,
}

/// Why a body could not be used.
pub(crate) enum DecodeError {
    /// An error Status.
    Status(StatusError),
    /// The server drops the connection without an answer (kube-apiserver's handler
    /// panics on a protobuf body for a custom resource).
    Drop,
}

impl From<StatusError> for DecodeError {
    fn from(e: StatusError) -> Self {
        DecodeError::Status(e)
    }
}

const ACCEPTED: &str = "application/json, application/yaml, application/vnd.kubernetes.protobuf";

/// `summarizeData(body, 30)`: the start of a JSON object, else hex.
fn summarize(data: &[u8]) -> String {
    const MAX: usize = 30;
    let short = &data[..data.len().min(MAX)];
    let more = if data.len() > MAX { " ..." } else { "" };
    match data.first() {
        None => "<empty>".into(),
        Some(b'{') => format!("{}{more}", String::from_utf8_lossy(short)),
        Some(_) => {
            let hex: String = short.iter().map(|b| format!("{b:02x}")).collect();
            format!("{hex}{more}")
        }
    }
}

fn unrecognized(kind: &str, err: &str, body: &[u8]) -> StatusError {
    StatusError::bad_request(format!(
        "the object provided is unrecognized (must be of type {kind}): {err} ({})",
        summarize(body)
    ))
}

const FIND_KIND: &str = "struct { APIVersion string \"json:\\\"apiVersion,omitempty\\\"\"; Kind string \"json:\\\"kind,omitempty\\\"\" }";

/// Decode a create/update body of `kind` (its `Kind`) sent with `content_type`.
pub(crate) fn decode(content_type: &str, body: &[u8], kind: &str) -> Result<Decoded, DecodeError> {
    let media = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    match media.as_str() {
        "" | "application/json" | "*/*" => decode_json(body, kind),
        "application/yaml" => {
            let text = std::str::from_utf8(body)
                .map_err(|_| unrecognized(kind, "yaml: invalid UTF-8", body))?;
            let object = crate::tracker::decode_yaml(text)
                .map_err(|e| unrecognized(kind, &format!("yaml: {e}"), body))?;
            Ok(Decoded { object, duplicates: Vec::new() })
        }
        "application/vnd.kubernetes.protobuf" => Err(DecodeError::Drop),
        _ => Err(StatusError::new(
            415,
            "UnsupportedMediaType",
            format!("the body of the request was in an unknown format - accepted media types include: {ACCEPTED}"),
            None,
        )
        .into()),
    }
}

fn decode_json(body: &[u8], kind: &str) -> Result<Decoded, DecodeError> {
    let mut duplicates = Vec::new();
    let mut de = serde_json::Deserializer::from_slice(body);
    let object = match (Tracked {
        path: String::new(),
        dups: &mut duplicates,
    })
    .deserialize(&mut de)
    {
        Ok(v) => v,
        Err(e) => {
            let go = crate::tracker::go_json_error(&e, body);
            return Err(unrecognized(
                kind,
                &format!("couldn't get version/kind; json parse error: {go}"),
                body,
            )
            .into());
        }
    };
    if de.end().is_err() {
        let err =
            "couldn't get version/kind; json parse error: invalid character after top-level value";
        return Err(unrecognized(kind, err, body).into());
    }
    if !object.is_object() {
        let err = format!(
            "couldn't get version/kind; json parse error: json: cannot unmarshal {} into Go value of type {FIND_KIND}",
            crate::tracker::go_type_name(&object)
        );
        return Err(unrecognized(kind, &err, body).into());
    }
    if object
        .get("kind")
        .and_then(Value::as_str)
        .is_none_or(str::is_empty)
    {
        let err = format!(
            "Object 'Kind' is missing in '{}'",
            String::from_utf8_lossy(body)
        );
        return Err(unrecognized(kind, &err, body).into());
    }
    Ok(Decoded { object, duplicates })
}

/// The typed decoding of `metadata` (into `ObjectMeta`): wrong JSON types are a 400
/// worded as Go's `encoding/json` words them; `None` when the metadata decodes.
pub(crate) fn metadata_type_error(obj: &Value, kind: &str, version: &str) -> Option<StatusError> {
    let meta = obj.get("metadata")?;
    let err = |e: String| {
        Some(StatusError::bad_request(format!(
            "{kind} in version {version:?} cannot be handled as a {kind}: {e}"
        )))
    };
    let Some(m) = meta.as_object() else {
        if meta.is_null() {
            return None;
        }
        return err(format!(
            "json: cannot unmarshal {} into Go value of type v1.ObjectMeta",
            crate::tracker::go_type_name(meta)
        ));
    };
    for (field, go_field) in [("labels", "labels"), ("annotations", "annotations")] {
        match m.get(field) {
            None | Some(Value::Null) => {}
            Some(Value::Object(entries)) => {
                if let Some(v) = entries.values().find(|v| !v.is_string() && !v.is_null()) {
                    return err(format!(
                        "json: cannot unmarshal {} into Go struct field ObjectMeta.{go_field} of type string",
                        crate::tracker::go_type_name(v)
                    ));
                }
            }
            Some(v) => {
                return err(format!(
                    "json: cannot unmarshal {} into Go struct field ObjectMeta.{go_field} of type map[string]string",
                    crate::tracker::go_type_name(v)
                ));
            }
        }
    }
    for field in [
        "name",
        "generateName",
        "namespace",
        "resourceVersion",
        "uid",
    ] {
        if let Some(v) = m.get(field).filter(|v| !v.is_string() && !v.is_null()) {
            return err(format!(
                "json: cannot unmarshal {} into Go struct field ObjectMeta.{field} of type string",
                crate::tracker::go_type_name(v)
            ));
        }
    }
    match m.get("finalizers") {
        None | Some(Value::Null) => {}
        Some(Value::Array(a)) => {
            if let Some(v) = a.iter().find(|v| !v.is_string()) {
                return err(format!(
                    "json: cannot unmarshal {} into Go struct field ObjectMeta.finalizers of type string",
                    crate::tracker::go_type_name(v)
                ));
            }
        }
        Some(v) => {
            return err(format!(
                "json: cannot unmarshal {} into Go struct field ObjectMeta.finalizers of type []string",
                crate::tracker::go_type_name(v)
            ));
        }
    }
    None
}

/// A `Value` deserializer that records duplicated object keys by path.
struct Tracked<'a> {
    path: String,
    dups: &'a mut Vec<String>,
}

impl<'de> DeserializeSeed<'de> for Tracked<'_> {
    type Value = Value;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Tracked<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        loop {
            let path = format!("{}[{}]", self.path, out.len());
            match seq.next_element_seed(Tracked {
                path,
                dups: &mut *self.dups,
            })? {
                Some(v) => out.push(v),
                None => break,
            }
        }
        Ok(Value::Array(out))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let path = if self.path.is_empty() {
                key.clone()
            } else {
                format!("{}.{key}", self.path)
            };
            if out.contains_key(&key) {
                self.dups.push(path.clone());
            }
            let v = map.next_value_seed(Tracked {
                path,
                dups: &mut *self.dups,
            })?;
            out.insert(key, v);
        }
        Ok(Value::Object(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(e: DecodeError) -> String {
        match e {
            DecodeError::Status(s) => s.message().to_owned(),
            DecodeError::Drop => "drop".into(),
        }
    }

    #[test]
    fn duplicate_keys_are_reported_by_path() {
        let body = br#"{"apiVersion":"g/v1","kind":"W","metadata":{"name":"a","name":"b"},"spec":{"l":[{"x":1,"x":2}],"c":1,"c":2}}"#;
        let d = decode("application/json", body, "W").ok().expect("decodes");
        assert_eq!(d.duplicates, ["metadata.name", "spec.l[0].x", "spec.c"]);
        assert_eq!(d.object["spec"]["c"], 2, "the last value wins, as in Go");
    }

    #[test]
    fn decode_errors_are_worded_as_the_server() {
        let e = decode("application/json", b"", "Widget")
            .err()
            .expect("fails");
        assert_eq!(
            message(e),
            "the object provided is unrecognized (must be of type Widget): couldn't get version/kind; json parse error: unexpected end of JSON input (<empty>)"
        );
        let e = decode("application/json", b"[1,2,3]", "Widget")
            .err()
            .expect("fails");
        assert!(message(e).ends_with("} (5b312c322c335d)"));
        let e = decode("text/plain", b"{}", "Widget").err().expect("fails");
        assert!(message(e).starts_with("the body of the request was in an unknown format"));
        assert!(matches!(
            decode("application/vnd.kubernetes.protobuf", b"k8s", "Widget"),
            Err(DecodeError::Drop)
        ));
    }

    #[test]
    fn object_meta_types() {
        let obj = serde_json::json!({"metadata": {"labels": {"a": 1}}});
        let e = metadata_type_error(&obj, "Widget", "v1").expect("an error");
        assert_eq!(
            e.message(),
            "Widget in version \"v1\" cannot be handled as a Widget: json: cannot unmarshal number into Go struct field ObjectMeta.labels of type string"
        );
        assert!(
            metadata_type_error(&serde_json::json!({"metadata": {"name": "a"}}), "W", "v1")
                .is_none()
        );
    }
}
