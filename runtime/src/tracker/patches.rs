//! Applying JSON merge and JSON patches to an object, with decoding errors worded as
//! Go's encoding/json words them.

use super::*;

pub(crate) fn apply_patch(
    patch_type: PatchType,
    target: &Value,
    body: &[u8],
) -> Result<Value, StatusError> {
    let mut doc = target.clone();
    let decoding = |why: String| StatusError::bad_request(format!("error decoding patch: {why}"));
    let p: Value = serde_json::from_slice(body).map_err(|e| decoding(go_json_error(&e, body)))?;
    // json-patch failures (a failed `test`, a missing path, an unknown op) all get
    // the server's generic 422.
    let rejected = || {
        StatusError::new(
            422,
            "Invalid",
            "the server rejected our request due to an error in our request",
            Some(json!({})),
        )
    };
    match patch_type {
        PatchType::Merge => {
            if !p.is_object() {
                return Err(decoding(format!(
                    "json: cannot unmarshal {} into Go value of type map[string]interface {{}}",
                    go_type_name(&p)
                )));
            }
            json_patch::merge(&mut doc, &p);
        }
        PatchType::Json => {
            if !p.is_array() {
                return Err(decoding(format!(
                    "json: cannot unmarshal {} into Go value of type []handlers.jsonPatchOp",
                    go_type_name(&p)
                )));
            }
            let ops: json_patch::Patch = serde_json::from_value(p).map_err(|_| rejected())?;
            for op in &ops.0 {
                if test_null_of_missing(&doc, op) {
                    continue;
                }
                json_patch::patch(&mut doc, std::slice::from_ref(op)).map_err(|_| rejected())?;
            }
        }
        _ => return Err(StatusError::bad_request("unsupported patch type")),
    }
    Ok(doc)
}

/// A `test` of `null` against a missing member of an existing object or array: Go's
/// json-patch (evanphx v4, the API server's) passes it, the json-patch crate fails it.
/// kube-runtime's finalizer helper sends it when an object has no finalizers yet.
fn test_null_of_missing(doc: &Value, op: &json_patch::PatchOperation) -> bool {
    let json_patch::PatchOperation::Test(test) = op else {
        return false;
    };
    let path = test.path.as_str();
    let parent = path.rsplit_once('/').map_or("", |(parent, _)| parent);
    test.value.is_null()
        && doc.pointer(path).is_none()
        && doc
            .pointer(parent)
            .is_some_and(|p| p.is_object() || p.is_array())
}

/// Go's name of a JSON value's type in `json: cannot unmarshal X into ...`.
pub(crate) fn go_type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Go's `encoding/json` wording of a syntax error serde_json found in `body`.
pub(crate) fn go_json_error(e: &serde_json::Error, body: &[u8]) -> String {
    if e.is_eof() {
        return "unexpected end of JSON input".into();
    }
    let offset: usize = body
        .split(|&b| b == b'\n')
        .take(e.line().saturating_sub(1))
        .map(|l| l.len() + 1)
        .sum::<usize>()
        + e.column().saturating_sub(1);
    let c = body.get(offset).copied().unwrap_or(b' ');
    let text = e.to_string();
    let context = if text.starts_with("key must be a string") {
        "looking for beginning of object key string"
    } else if text.starts_with("expected `:`") {
        "after object key"
    } else if text.starts_with("expected `,` or `}`") {
        "after object key:value pair"
    } else if text.starts_with("expected `,` or `]`") {
        "after array element"
    } else if text.starts_with("trailing characters") {
        "after top-level value"
    } else {
        "looking for beginning of value"
    };
    format!("invalid character {} {context}", go_quote_char(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json_patch(target: &Value, ops: Value) -> Result<Value, StatusError> {
        apply_patch(PatchType::Json, target, ops.to_string().as_bytes())
    }

    #[test]
    fn test_of_null_passes_on_a_missing_member_only() {
        let obj = json!({"metadata": {"name": "a"}});
        // kube-runtime's finalizer helper, on an object without finalizers.
        let add = json!([
            {"op": "test", "path": "/metadata/finalizers", "value": null},
            {"op": "add", "path": "/metadata/finalizers", "value": ["x"]},
        ]);
        let patched = json_patch(&obj, add.clone()).unwrap();
        assert_eq!(patched["metadata"]["finalizers"], json!(["x"]));
        // Once the member exists, the same test fails (another writer got there first).
        assert_eq!(json_patch(&patched, add).unwrap_err().code, 422);
        // A missing parent is still an error, as in Go.
        let deep = json!([{"op": "test", "path": "/spec/x/y", "value": null}]);
        assert_eq!(json_patch(&obj, deep).unwrap_err().code, 422);
    }
}
