//! Errors: [`StatusError`], the `metav1.Status` a failed request gets, with the
//! constructors for the server's standard reasons.

use super::*;

/// A failed request: the HTTP code and the `metav1.Status` the server sends.
#[derive(Debug, Clone, PartialEq)]
pub struct StatusError {
    /// HTTP status code.
    pub code: u16,
    /// The `Status` object (`kind: Status`, `status: Failure`, `reason`, `message`, `details`, `code`).
    pub status: Value,
    /// `Warning` headers sent with the error (e.g. unknown fields pruned before the
    /// object failed validation), as kube-apiserver sends them.
    pub warnings: Vec<String>,
}

impl StatusError {
    /// Build a failure `Status`.
    pub fn new(
        code: u16,
        reason: &str,
        message: impl Into<String>,
        details: Option<Value>,
    ) -> Self {
        let mut status = json!({
            "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": message.into(),
        });
        if !reason.is_empty() {
            status["reason"] = json!(reason);
        }
        if let Some(d) = details {
            status["details"] = d;
        }
        status["code"] = json!(code);
        StatusError {
            code,
            status,
            warnings: Vec::new(),
        }
    }

    /// The same error with `warnings` sent along (before those it already has).
    pub fn with_warnings(mut self, warnings: Vec<String>) -> Self {
        self.warnings.splice(0..0, warnings);
        self
    }

    /// The error as the HTTP response the server sends.
    pub(crate) fn code_and_body(&self) -> (u16, &Value) {
        (self.code, &self.status)
    }

    /// `400 BadRequest`.
    pub fn bad_request(message: impl Into<String>) -> Self {
        StatusError::new(400, "BadRequest", message, None)
    }

    /// `404 NotFound` for an unknown path.
    pub fn no_route() -> Self {
        StatusError::new(
            404,
            "NotFound",
            "the server could not find the requested resource",
            Some(json!({})),
        )
    }

    /// `405 MethodNotAllowed`.
    pub fn method_not_allowed(verb: &str, kind: &KindInfo) -> Self {
        StatusError::new(
            405,
            "MethodNotAllowed",
            format!(
                "{verb} is not supported on resources of kind {:?}",
                kind.qualified_resource()
            ),
            Some(json!({"group": kind.group, "kind": kind.plural})),
        )
    }

    /// `500 InternalError`.
    pub fn internal(message: impl Into<String>) -> Self {
        let message = message.into();
        StatusError::new(
            500,
            "InternalError",
            format!("Internal error occurred: {message}"),
            Some(json!({"causes": [{"message": message}]})),
        )
    }

    pub(crate) fn not_found(kind: &KindInfo, name: &str) -> Self {
        StatusError::new(
            404,
            "NotFound",
            format!("{} {:?} not found", kind.qualified_resource(), name),
            Some(json!({"name": name, "group": kind.group, "kind": kind.plural})),
        )
    }

    pub(crate) fn already_exists(kind: &KindInfo, name: &str) -> Self {
        StatusError::new(
            409,
            "AlreadyExists",
            format!("{} {:?} already exists", kind.qualified_resource(), name),
            Some(json!({"name": name, "group": kind.group, "kind": kind.plural})),
        )
    }

    pub(crate) fn conflict(kind: &KindInfo, name: &str, why: &str) -> Self {
        StatusError::new(
            409,
            "Conflict",
            format!(
                "Operation cannot be fulfilled on {} {:?}: {why}",
                kind.qualified_resource(),
                name
            ),
            Some(json!({"name": name, "group": kind.group, "kind": kind.plural})),
        )
    }

    pub(crate) fn stale(kind: &KindInfo, name: &str) -> Self {
        StatusError::conflict(
            kind,
            name,
            "the object has been modified; please apply your changes to the latest version and try again",
        )
    }

    /// `422 Invalid` listing field errors, as `Kind.group "name" is invalid: …`.
    pub fn invalid(kind: &KindInfo, name: &str, errors: &[schema::FieldError]) -> Self {
        let causes: Vec<Value> = errors
            .iter()
            .map(|e| json!({"reason": e.kind.reason(), "message": e.body(), "field": e.field}))
            .collect();
        StatusError::new(
            422,
            "Invalid",
            schema::invalid_message(&kind.qualified_kind(), name, errors),
            Some(json!({"name": name, "group": kind.group, "kind": kind.kind, "causes": causes})),
        )
    }

    /// `410 Gone` with reason `Expired`.
    pub fn expired(message: impl Into<String>) -> Self {
        StatusError::new(410, "Expired", message, None)
    }

    /// The `reason` field.
    pub fn reason(&self) -> &str {
        self.status
            .get("reason")
            .and_then(Value::as_str)
            .unwrap_or("")
    }

    /// The `message` field.
    pub fn message(&self) -> &str {
        self.status
            .get("message")
            .and_then(Value::as_str)
            .unwrap_or("")
    }
}

impl std::fmt::Display for StatusError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({}): {}", self.code, self.reason(), self.message())
    }
}

impl std::error::Error for StatusError {}
