//! Server-side printing (`as=Table`, kubectl get), `PartialObjectMetadata`, and the
//! ages the Age and date columns show.

use super::*;

pub(crate) fn table(
    kind: &KindInfo,
    ver: &crate::tracker::VersionInfo,
    list: &Value,
    is_list: bool,
    q: &Query,
    version: &str,
) -> Value {
    let mut columns = vec![
        json!({"name": "Name", "type": "string", "format": "name", "description": "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names", "priority": 0}),
    ];
    let printer: Vec<Value> = if ver.printer_columns.is_empty() {
        vec![
            json!({"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp", "description": "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata"}),
        ]
    } else {
        ver.printer_columns.clone()
    };
    for c in &printer {
        columns.push(json!({
            "name": c.get("name").cloned().unwrap_or(json!("")),
            "type": c.get("type").cloned().unwrap_or(json!("string")),
            "format": c.get("format").cloned().unwrap_or(json!("")),
            "description": c.get("description").cloned().unwrap_or_else(|| json!(format!(
                "Custom resource definition column (in JSONPath format): {}",
                c.get("jsonPath").and_then(Value::as_str).unwrap_or("")
            ))),
            "priority": c.get("priority").cloned().unwrap_or(json!(0)),
        }));
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let rows: Vec<Value> = list["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|o| {
                    let mut cells = vec![o["metadata"]["name"].clone()];
                    for c in &printer {
                        let path = c.get("jsonPath").and_then(Value::as_str).unwrap_or("");
                        let v = path
                            .trim_start_matches('.')
                            .split('.')
                            .filter(|s| !s.is_empty())
                            .try_fold(o, |v, s| v.get(s))
                            .cloned()
                            .unwrap_or(Value::Null);
                        let cell = match (c.get("type").and_then(Value::as_str), &v) {
                            (Some("date"), Value::String(ts)) => json!(human_age(now, ts)),
                            (_, Value::Null) => Value::Null,
                            (_, Value::String(_) | Value::Number(_) | Value::Bool(_)) => v,
                            (_, other) => json!(other.to_string()),
                        };
                        cells.push(cell);
                    }
                    let object = match q.get("includeObject") {
                        Some("None") => Value::Null,
                        Some("Object") => o.clone(),
                        _ => {
                            let mut m = partial_object_metadata(o);
                            m["apiVersion"] = json!(format!("meta.k8s.io/{version}"));
                            m
                        }
                    };
                    json!({"cells": cells, "object": object})
                })
                .collect()
        })
        .unwrap_or_default();
    let mut meta = json!({"resourceVersion": list["metadata"]["resourceVersion"]});
    if is_list && let Some(c) = list["metadata"].get("continue").filter(|c| *c != "") {
        meta["continue"] = c.clone();
        if let Some(r) = list["metadata"].get("remainingItemCount") {
            meta["remainingItemCount"] = r.clone();
        }
    }
    let _ = kind;
    json!({"kind": "Table", "apiVersion": format!("meta.k8s.io/{version}"), "metadata": meta, "columnDefinitions": columns, "rows": rows})
}

/// An object's `PartialObjectMetadata` (`as=PartialObjectMetadata`, Table rows).
pub(crate) fn partial_object_metadata(o: &Value) -> Value {
    json!({"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": o["metadata"]})
}

/// A list as `PartialObjectMetadataList`.
pub(crate) fn partial_object_metadata_list(list: &Value) -> Value {
    let items: Vec<Value> = list["items"]
        .as_array()
        .into_iter()
        .flatten()
        .map(partial_object_metadata)
        .collect();
    let mut meta = json!({"resourceVersion": list["metadata"]["resourceVersion"]});
    if let Some(c) = list["metadata"].get("continue").filter(|c| *c != "") {
        meta["continue"] = c.clone();
    }
    json!({"kind": "PartialObjectMetadataList", "apiVersion": "meta.k8s.io/v1", "metadata": meta, "items": items})
}

/// `kubectl`'s short human duration since an RFC 3339 timestamp (`5s`, `3m`, `2d`).
pub(crate) fn human_age(now: u64, ts: &str) -> String {
    let Some(then) = parse_rfc3339(ts) else {
        return "<unknown>".into();
    };
    // kubectl's HumanDuration: a time in the future is "<invalid>".
    let Some(d) = now.checked_sub(then) else {
        return "<invalid>".into();
    };
    match d {
        0..=119 => format!("{d}s"),
        120..=599 => format!("{}m{}s", d / 60, d % 60),
        600..=10_799 => format!("{}m", d / 60),
        10_800..=172_799 => format!("{}h", d / 3600),
        _ => format!("{}d", d / 86_400),
    }
}

pub(crate) fn parse_rfc3339(ts: &str) -> Option<u64> {
    let b = ts.as_bytes();
    if b.len() < 19 {
        return None;
    }
    let n = |r: std::ops::Range<usize>| ts.get(r)?.parse::<i64>().ok();
    let (y, m, d, hh, mm, ss) = (
        n(0..4)?,
        n(5..7)?,
        n(8..10)?,
        n(11..13)?,
        n(14..16)?,
        n(17..19)?,
    );
    let y2 = if m <= 2 { y - 1 } else { y };
    let era = y2.div_euclid(400);
    let yoe = y2 - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    u64::try_from(days * 86_400 + hh * 3600 + mm * 60 + ss).ok()
}
