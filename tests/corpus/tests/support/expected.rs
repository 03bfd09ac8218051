//! What the mutated-objects test expects, as data: per keyword, where the real
//! server's wording is recorded (and which texts of that recording are its own path,
//! value and limit), the keywords no corpus object can reach and why, and the CEL
//! rules violated by hand.

use serde_json::{Value, json};

use crate::wording::Recorded;

/// Every keyword checked: its recorded wording (a cause of a recorded 422 and the
/// recording's own path / value / limit in it), or the reason expected when the
/// recordings never show it (apiextensions-apiserver's conversion of kube-openapi's
/// errors: `Invalid` unless the error is a type, required, enum, too long or too many
/// one; list-type duplicates are `Duplicate`).
pub const KEYWORDS: &[(&str, Option<Recorded>, &str)] = &[
    (
        "type: object",
        Some(rec("validate-format-types", 12, 0, TYPE_OBJECT)),
        "",
    ),
    (
        "type: array",
        Some(rec("validate-format-types", 11, 0, TYPE_ARRAY)),
        "",
    ),
    (
        "type: string",
        Some(rec("validate-format-types", 14, 0, TYPE_STRING)),
        "",
    ),
    (
        "type: integer",
        Some(rec("validate-format-types", 9, 0, TYPE_INTEGER)),
        "",
    ),
    // The recordings show no number type error: type string's wording, whose shape
    // (`<path> in body must be of type <type>: "<value type>"`) all types share.
    (
        "type: number",
        Some(rec("validate-format-types", 14, 0, TYPE_STRING)),
        "",
    ),
    (
        "type: boolean",
        Some(rec("validate-format-types", 10, 0, TYPE_BOOLEAN)),
        "",
    ),
    (
        "required",
        Some(rec("validate-required", 2, 0, &[("spec.color", "{path}")])),
        "",
    ),
    (
        "nullable",
        Some(rec("nullable", 8, 0, &[("spec.color", "{path}")])),
        "",
    ),
    ("enum", Some(rec("validate-pattern-enum", 2, 0, ENUM)), ""),
    ("minimum", Some(rec("validate-min-max", 1, 0, MINIMUM)), ""),
    ("maximum", Some(rec("validate-min-max", 2, 0, MAXIMUM)), ""),
    ("exclusiveMinimum", None, "FieldValueInvalid"),
    (
        "exclusiveMaximum",
        Some(rec("validate-min-max", 4, 0, EXCLUSIVE_MAXIMUM)),
        "",
    ),
    ("multipleOf", None, "FieldValueInvalid"),
    (
        "format: int32",
        Some(rec(
            "validate-min-max",
            8,
            0,
            &[("spec.replicas", "{path}")],
        )),
        "",
    ),
    (
        "format (string)",
        Some(rec("validate-format-types", 1, 0, FORMAT)),
        "",
    ),
    ("minLength", None, "FieldValueInvalid"),
    (
        "maxLength",
        Some(rec("validate-maxitems-maxlength", 3, 0, MAX_LENGTH)),
        "",
    ),
    (
        "pattern",
        Some(rec("validate-pattern-enum", 1, 0, PATTERN)),
        "",
    ),
    ("minItems", None, "FieldValueInvalid"),
    (
        "maxItems",
        Some(rec("validate-maxitems-maxlength", 1, 0, MAX_ITEMS)),
        "",
    ),
    ("uniqueItems", None, "FieldValueDuplicate"),
    ("minProperties", None, "FieldValueInvalid"),
    (
        "maxProperties",
        Some(rec("validate-maxitems-maxlength", 4, 0, MAX_PROPERTIES)),
        "",
    ),
    (
        "x-kubernetes-int-or-string",
        Some(rec("validate-format-types", 7, 0, INT_OR_STRING)),
        "",
    ),
    (
        "embedded apiVersion",
        Some(rec(
            "validate-embedded-resource",
            2,
            0,
            EMBEDDED_API_VERSION,
        )),
        "",
    ),
    (
        "embedded kind",
        Some(rec("validate-embedded-resource", 2, 1, EMBEDDED_KIND)),
        "",
    ),
    (
        "embedded metadata",
        Some(rec("validate-embedded-resource", 4, 0, EMBEDDED_LABELS)),
        "",
    ),
    ("x-kubernetes-list-type: set", None, "FieldValueDuplicate"),
    ("x-kubernetes-list-type: map", None, "FieldValueDuplicate"),
    (
        "x-kubernetes-validations message (object)",
        Some(rec("cel-rules", 2, 0, CEL_OBJECT)),
        "",
    ),
    (
        "x-kubernetes-validations message (scalar)",
        Some(rec("cel-transition", 3, 0, CEL_SCALAR)),
        "",
    ),
    (
        "x-kubernetes-validations messageExpression",
        Some(rec("cel-rules", 3, 0, CEL_OBJECT_3)),
        "",
    ),
    (
        "x-kubernetes-validations reason + fieldPath",
        Some(rec("cel-rules", 4, 0, CEL_FORBIDDEN)),
        "",
    ),
];

const fn rec(
    file: &'static str,
    step: u64,
    cause: usize,
    subst: &'static [(&'static str, &'static str)],
) -> Recorded {
    Recorded {
        file,
        step,
        cause,
        subst,
    }
}

type Subst = &'static [(&'static str, &'static str)];
const TYPE_OBJECT: Subst = &[
    ("\"array\"", "{value}"),
    ("spec.settings", "{path}"),
    ("object", "{limit}"),
];
const TYPE_ARRAY: Subst = &[
    ("\"string\"", "{value}"),
    ("spec.tags", "{path}"),
    ("array", "{limit}"),
];
const TYPE_STRING: Subst = &[
    ("\"integer\"", "{value}"),
    ("spec.owner.name", "{path}"),
    ("string", "{limit}"),
];
const TYPE_INTEGER: Subst = &[
    ("\"string\"", "{value}"),
    ("spec.replicas", "{path}"),
    ("integer", "{limit}"),
];
const TYPE_BOOLEAN: Subst = &[
    ("\"string\"", "{value}"),
    ("spec.enabled", "{path}"),
    ("boolean", "{limit}"),
];
const ENUM: Subst = &[
    ("\"purple\"", "{value}"),
    ("\"red\", \"green\", \"blue\", \"black\"", "{limit}"),
    ("spec.color", "{path}"),
];
const MINIMUM: Subst = &[
    ("-1", "{value}"),
    ("spec.replicas", "{path}"),
    ("0", "{limit}"),
];
const MAXIMUM: Subst = &[
    ("101", "{value}"),
    ("spec.replicas", "{path}"),
    ("100", "{limit}"),
];
const EXCLUSIVE_MAXIMUM: Subst = &[
    ("value: 1:", "value: {value}:"),
    ("spec.ratio", "{path}"),
    ("less than 1", "less than {limit}"),
];
const FORMAT: Subst = &[
    ("\"tomorrow\"", "{value}"),
    ("spec.deadline", "{path}"),
    ("date-time", "{limit}"),
];
const MAX_LENGTH: Subst = &[("12", "{limit}"), ("spec.code", "{path}")];
const PATTERN: Subst = &[
    ("\"Bad_Code\"", "{value}"),
    ("spec.code", "{path}"),
    ("^[a-z][a-z0-9-]*$", "{limit}"),
];
const MAX_ITEMS: Subst = &[("4", "{value}"), ("3", "{limit}"), ("spec.tags", "{path}")];
const MAX_PROPERTIES: Subst = &[
    ("5", "{value}"),
    ("4", "{limit}"),
    ("spec.labels", "{path}"),
];
const INT_OR_STRING: Subst = &[("\"boolean\"", "{value}"), ("spec.port", "{path}")];
const EMBEDDED_API_VERSION: Subst = &[("spec.template.apiVersion", "{path}")];
const EMBEDDED_KIND: Subst = &[("spec.template.kind", "{path}")];
const EMBEDDED_LABELS: Subst = &[
    ("\"bad key\"", "{value}"),
    ("spec.template.metadata.labels", "{path}"),
];
const CEL_OBJECT: Subst = &[
    ("minReplicas must not exceed replicas", "{limit}"),
    ("spec", "{path}"),
];
const CEL_OBJECT_3: Subst = &[
    (
        "replicas must not exceed maxReplicas for green widgets",
        "{limit}",
    ),
    ("spec", "{path}"),
];
const CEL_SCALAR: Subst = &[
    ("\"xyz\"", "{value}"),
    ("code is immutable", "{limit}"),
    ("spec.code", "{path}"),
];
const CEL_FORBIDDEN: Subst = &[
    ("black widgets cannot be small", "{limit}"),
    ("spec.size", "{path}"),
];

/// Keywords no accepted corpus object can be made to violate, and why.
pub const NOT_COVERABLE: &[(&str, &str)] = &[
    (
        "uniqueItems",
        "structural schemas may not set `uniqueItems: true` (the server refuses such a CRD), so no corpus CRD declares it",
    ),
    (
        "exclusiveMinimum",
        "no node with exclusiveMinimum is reached by an accepted corpus object",
    ),
    (
        "exclusiveMaximum",
        "no node with exclusiveMaximum is reached by an accepted corpus object",
    ),
    (
        "multipleOf",
        "no node with multipleOf is reached by an accepted corpus object",
    ),
    (
        "type: number",
        "no `type: number` node is reached by an accepted corpus object",
    ),
    (
        "x-kubernetes-int-or-string",
        "every int-or-string node reached also has `anyOf: [integer, string]`, whose failure adds causes the recordings do not show",
    ),
    (
        "embedded apiVersion",
        "no x-kubernetes-embedded-resource node is reached by an accepted corpus object, not even by adding one property",
    ),
    (
        "embedded kind",
        "no x-kubernetes-embedded-resource node is reached by an accepted corpus object, not even by adding one property",
    ),
    (
        "embedded metadata",
        "no x-kubernetes-embedded-resource node is reached by an accepted corpus object, not even by adding one property",
    ),
    (
        "x-kubernetes-validations messageExpression",
        "no kind with an accepted corpus object has a rule with messageExpression (create-time rules; checked by the cel-rules recording replay)",
    ),
    (
        "x-kubernetes-validations reason + fieldPath",
        "no kind with an accepted corpus object has a rule with reason or fieldPath (checked by the cel-rules recording replay)",
    ),
];

/// CEL rules violated by hand: (object, JSON pointer, new value, field path of the
/// node holding the rule, the rule's message). The rule is looked up in the CRD at
/// that node and must exist with that message; the new value breaks only it (read
/// from the rule: `size(self) > 0`, `self >= 1`, a whole number of seconds, two
/// mutually exclusive fields, a field the provider does not support).
pub const CEL: &[(&str, &str, Value0, &str, &str)] = &[
    (
        "objects/external-snapshotter/VolumeGroupSnapshot_000.yaml",
        "/spec/volumeGroupSnapshotClassName",
        Value0::Str(""),
        "spec.volumeGroupSnapshotClassName",
        "volumeGroupSnapshotClassName must not be the empty string when set",
    ),
    (
        "objects/kubeflow-trainer/TrainJob_002.yaml",
        "/spec/trainer/numProcPerNode",
        Value0::Int(0),
        "spec.trainer.numProcPerNode",
        "numProcPerNode must be greater than or equal to 1",
    ),
    (
        "objects/metallb/BGPPeer_009.yaml",
        "/spec/connectTime",
        Value0::Str("1500ms"),
        "spec.connectTime",
        "connect time should contain a whole number of seconds",
    ),
    (
        "objects/grafana-operator/GrafanaAlertRuleGroup_001.yaml",
        "/spec/folderUID",
        Value0::Str("crdgen-folder"),
        "spec",
        "Only one of FolderUID or FolderRef can be set and one must be defined",
    ),
    (
        "objects/fluxcd/Bucket_011.yaml",
        "/spec/serviceAccountName",
        Value0::Str("crdgen-sa"),
        "spec",
        "ServiceAccountName is not supported for the 'generic' Bucket provider",
    ),
];

/// A JSON value in a `const`.
pub enum Value0 {
    Str(&'static str),
    Int(i64),
}

impl Value0 {
    pub fn json(&self) -> Value {
        match self {
            Value0::Str(s) => json!(s),
            Value0::Int(i) => json!(i),
        }
    }
}
