//! Small helpers: request-option errors, the field manager's view of a write, apply
//! conflicts, etcd's size limit, Go quoting, generated names, uids and timestamps.

use super::*;

// ---- server-side apply helpers

/// The one place request bodies in YAML are decoded: as kubectl reads YAML (crdgen's one
/// YAML reader, `crdgen-yaml`); the first document, `null` for an empty body.
pub(crate) fn decode_yaml(text: &str) -> Result<Value, String> {
    let docs = crdgen_yaml::parse(text, Default::default()).map_err(|e| e.to_string())?;
    Ok(docs
        .into_iter()
        .next()
        .map_or(Value::Null, |doc| doc.root.into_json()))
}

/// `422` for invalid request options (`PatchOptions.meta.k8s.io "" is invalid: ...`).
pub(crate) fn options_invalid(kind: &str, errors: &[schema::FieldError]) -> StatusError {
    let list = if errors.len() == 1 {
        errors[0].to_string()
    } else {
        let all: Vec<String> = errors.iter().map(ToString::to_string).collect();
        format!("[{}]", all.join(", "))
    };
    let causes: Vec<Value> = errors
        .iter()
        .map(|e| json!({"reason": e.kind.reason(), "message": e.body(), "field": e.field}))
        .collect();
    StatusError::new(
        422,
        "Invalid",
        format!("{kind}.meta.k8s.io \"\" is invalid: {list}"),
        Some(json!({"group": "meta.k8s.io", "kind": kind, "causes": causes})),
    )
}

/// The write as the field manager sees it.
pub(crate) fn field_op<'a>(
    kind: &'a KindInfo,
    ver: &'a VersionInfo,
    sub: Subresource,
    opts: &WriteOptions,
) -> managed::Op<'a> {
    managed::Op {
        schema: ver.schema.as_ref(),
        api_version: kind.api_version(&ver.name),
        manager: opts
            .field_manager
            .clone()
            .filter(|m| !m.is_empty())
            .unwrap_or_else(|| "unknown".into()),
        subresource: sub.name(),
        reset: managed::reset_fields(ver.status, sub.name()),
        now: now_rfc3339(),
        versions: kind
            .versions
            .iter()
            .map(|v| (kind.api_version(&v.name), v.schema.as_ref()))
            .collect(),
    }
}

/// The 409 of an apply that conflicts with other managers (`NewConflictError`).
pub(crate) fn apply_conflict(conflicts: &managed::Conflicts) -> StatusError {
    let n = conflicts.len();
    let message = if n == 1 {
        let (m, p) = &conflicts[0];
        format!(
            "Apply failed with 1 conflict: conflict with {m}: {}",
            managed::path_string(p)
        )
    } else {
        let mut by: BTreeMap<&str, Vec<String>> = BTreeMap::new();
        for (m, p) in conflicts {
            by.entry(m).or_default().push(managed::path_string(p));
        }
        let mut lines = Vec::new();
        for (m, ps) in by {
            lines.push(format!("conflicts with {m}:"));
            lines.extend(ps.into_iter().map(|p| format!("- {p}")));
        }
        format!("Apply failed with {n} conflicts: {}", lines.join("\n"))
    };
    let causes: Vec<Value> = conflicts
        .iter()
        .map(|(m, p)| {
            json!({"reason": "FieldManagerConflict", "message": format!("conflict with {m}"),
                   "field": managed::path_string(p)})
        })
        .collect();
    StatusError::new(409, "Conflict", message, Some(json!({ "causes": causes })))
}

// ---- small utilities

/// etcd's default request limit (1.5 MiB): larger objects fail to store with a 500.
pub(crate) fn etcd_size_check(stored: &Value) -> Result<(), StatusError> {
    if stored.to_string().len() > 1_572_864 {
        return Err(StatusError::new(
            500,
            "",
            "etcdserver: request is too large",
            None,
        ));
    }
    Ok(())
}

/// Go's `quoteChar` of a byte in `encoding/json` syntax errors: `'x'`, `'\u0081'`.
pub(crate) fn go_quote_char(c: u8) -> String {
    match c {
        b'\'' => "'\\''".into(),
        b'"' => "'\"'".into(),
        0x20..=0x7e => format!("'{}'", c as char),
        b'\n' => "'\\n'".into(),
        b'\t' => "'\\t'".into(),
        b'\r' => "'\\r'".into(),
        0..=0x1f | 0x7f => format!("'\\x{c:02x}'"),
        0x80..=0x9f => format!("'\\u{c:04x}'"),
        _ => format!("'{}'", char::from(c)),
    }
}

/// The server truncates `generateName` so the generated name fits 63 characters.
pub(crate) fn truncate_prefix(g: &str) -> String {
    const MAX: usize = 63 - 5;
    if g.len() > MAX {
        g.chars().take(MAX).collect()
    } else {
        g.to_owned()
    }
}

/// Five random characters from the server's alphabet (no vowels, no confusable digits).
pub(crate) fn random_suffix() -> String {
    const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    (0..5)
        .map(|_| ALPHABET[fastrand::usize(..ALPHABET.len())] as char)
        .collect()
}

pub(crate) fn new_uid() -> String {
    let mut b: [u8; 16] = fastrand::u128(..).to_le_bytes();
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// The current time as RFC 3339 with second precision (`2006-01-02T15:04:05Z`).
pub fn now_rfc3339() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    rfc3339(secs)
}

pub(crate) fn rfc3339(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_709_251_199), "2024-02-29T23:59:59Z");
    }

    #[test]
    fn uids_are_v4() {
        let u = new_uid();
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
    }
}
