//! One CRD per rule, with the message kube-apiserver gives (wording from
//! k8s.io/apiextensions-apiserver's validation.go and the structural-schema checks).

use crdgen_apiext::{invalid_status, unknown_fields, validate};
use serde_json::{Value, json};

/// A valid CRD to break one way at a time.
fn good() -> Value {
    json!({
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "widgets.example.com"},
        "spec": {
            "group": "example.com",
            "scope": "Namespaced",
            "names": {"plural": "widgets", "singular": "widget", "kind": "Widget", "listKind": "WidgetList"},
            "versions": [{
                "name": "v1", "served": true, "storage": true,
                "subresources": {"status": {}},
                "schema": {"openAPIV3Schema": {"type": "object", "properties": {
                    "spec": {"type": "object", "properties": {"size": {"type": "integer"}}},
                    "status": {"type": "object", "x-kubernetes-preserve-unknown-fields": true},
                }}},
            }],
        },
    })
}

/// The errors for `crd`, checked to be the same read from YAML (the tree `crdgen
/// generate` checks, its keys written in reverse order).
fn errors(crd: &Value) -> Vec<String> {
    let from_json: Vec<String> = validate(crd).iter().map(ToString::to_string).collect();
    let from_yaml: Vec<String> = validate(&yaml(crd))
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(from_yaml, from_json);
    from_json
}

/// [`unknown_fields`], checked the same way as [`errors`].
fn unknown(crd: &Value) -> Vec<String> {
    let from_json = unknown_fields(crd);
    assert_eq!(unknown_fields(&yaml(crd)), from_json);
    from_json
}

/// `v` as crdgen's YAML tree, each mapping's keys in reverse order (JSON is YAML).
fn yaml(v: &Value) -> crdgen_yaml::Node {
    fn write(v: &Value, out: &mut String) {
        match v {
            Value::Object(m) => {
                out.push('{');
                for (i, (k, x)) in m.iter().rev().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    out.push_str(&Value::String(k.clone()).to_string());
                    out.push_str(": ");
                    write(x, out);
                }
                out.push('}');
            }
            Value::Array(a) => {
                out.push('[');
                for (i, x) in a.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    write(x, out);
                }
                out.push(']');
            }
            other => out.push_str(&other.to_string()),
        }
    }
    let mut text = String::new();
    write(v, &mut text);
    let mut docs = crdgen_yaml::parse(&text, Default::default()).expect("JSON is YAML");
    docs.remove(0).root
}

#[test]
fn a_valid_crd_passes() {
    assert_eq!(errors(&good()), Vec::<String>::new());
}

#[test]
fn a_version_without_a_schema() {
    let mut crd = good();
    crd["spec"]["versions"][0]
        .as_object_mut()
        .unwrap()
        .remove("schema");
    assert_eq!(
        errors(&crd),
        ["spec.versions[0].schema.openAPIV3Schema: Required value"]
    );
}

#[test]
fn a_root_schema_that_is_not_an_object() {
    let mut crd = good();
    crd["spec"]["versions"][0]["subresources"] = json!(null);
    crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"] = json!({"type": "string"});
    assert_eq!(
        errors(&crd),
        [
            "spec.validation.openAPIV3Schema.type: Invalid value: \"string\": must be object at the root"
        ]
    );
    crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"] =
        json!({"properties": {"spec": {"type": "object"}}});
    assert_eq!(
        errors(&crd),
        ["spec.validation.openAPIV3Schema.type: Required value: must not be empty at the root"]
    );
}

#[test]
fn with_status_the_root_must_be_an_object() {
    let mut crd = good();
    crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["type"] = json!("array");
    crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["items"] = json!({"type": "string"});
    assert_eq!(
        errors(&crd)[0],
        "spec.validation.openAPIV3Schema.type: Invalid value: \"array\": only \"object\" is allowed as the type at the root of the schema if the status subresource is enabled"
    );
}

#[test]
fn name_must_be_plural_dot_group() {
    let mut crd = good();
    crd["metadata"]["name"] = json!("widget.example.com");
    assert_eq!(
        errors(&crd),
        [
            "metadata.name: Invalid value: \"widget.example.com\": must be spec.names.plural+\".\"+spec.group"
        ]
    );
}

#[test]
fn protected_groups_need_the_approval_annotation() {
    let mut crd = good();
    crd["metadata"]["name"] = json!("widgets.samplecontroller.k8s.io");
    crd["spec"]["group"] = json!("samplecontroller.k8s.io");
    assert_eq!(
        errors(&crd),
        [
            "metadata.annotations[api-approved.kubernetes.io]: Required value: protected groups must have approval annotation \"api-approved.kubernetes.io\", see https://github.com/kubernetes/enhancements/pull/1111"
        ]
    );
    crd["metadata"]["annotations"] = json!({"api-approved.kubernetes.io": "yes"});
    assert_eq!(
        errors(&crd),
        [
            "metadata.annotations[api-approved.kubernetes.io]: Invalid value: \"yes\": protected groups must have approval annotation \"api-approved.kubernetes.io\" with either a URL or a reason starting with \"unapproved\", see https://github.com/kubernetes/enhancements/pull/1111"
        ]
    );
    crd["metadata"]["annotations"] =
        json!({"api-approved.kubernetes.io": "unapproved, experimental-only"});
    assert_eq!(errors(&crd), Vec::<String>::new());
    crd["metadata"]["annotations"] = json!({"api-approved.kubernetes.io": "https://github.com/kubernetes/kubernetes/pull/78458"});
    assert_eq!(errors(&crd), Vec::<String>::new());
}

#[test]
fn exactly_one_storage_version() {
    let mut crd = good();
    let mut v2 = crd["spec"]["versions"][0].clone();
    v2["name"] = json!("v2");
    crd["spec"]["versions"].as_array_mut().unwrap().push(v2);
    let e = errors(&crd);
    assert_eq!(e.len(), 2, "{e:#?}");
    assert!(
        e[0].starts_with("spec.versions: Invalid value: ["),
        "{}",
        e[0]
    );
    assert!(
        e[0].ends_with(": must have exactly one version marked as storage version"),
        "{}",
        e[0]
    );
    assert_eq!(
        e[1],
        "status.storedVersions: Invalid value: [\"v1\"]: must have the storage version v2"
    );
    crd["spec"]["versions"][0]["storage"] = json!(false);
    crd["spec"]["versions"][1]["storage"] = json!(false);
    let e = errors(&crd);
    assert_eq!(
        e[1],
        "status.storedVersions: Invalid value: null: must have at least one stored version"
    );
}

#[test]
fn names_must_be_dns_labels() {
    let mut crd = good();
    crd["spec"]["names"]["shortNames"] = json!(["W_1"]);
    crd["spec"]["names"]["kind"] = json!("Wid-get_");
    assert_eq!(
        errors(&crd),
        [
            "spec.names.kind: Invalid value: \"Wid-get_\": may have mixed case, but should otherwise match: a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
            "spec.names.shortNames[0]: Invalid value: \"W_1\": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
        ]
    );
}

#[test]
fn non_structural_schemas() {
    let mut crd = good();
    crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]["properties"]["port"] = json!({"anyOf": [{"type": "integer"}, {"type": "string"}], "x-kubernetes-int-or-string": true});
    assert_eq!(
        errors(&crd),
        Vec::<String>::new(),
        "int-or-string pattern is structural"
    );
    crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]["properties"]["port"] =
        json!({"oneOf": [{"type": "integer"}, {"type": "string", "description": "x"}]});
    assert_eq!(
        errors(&crd),
        [
            "spec.validation.openAPIV3Schema.properties[spec].properties[port].oneOf[0].type: Forbidden: must be empty to be structural",
            "spec.validation.openAPIV3Schema.properties[spec].properties[port].oneOf[1].description: Forbidden: must be empty to be structural",
            "spec.validation.openAPIV3Schema.properties[spec].properties[port].oneOf[1].type: Forbidden: must be empty to be structural",
            "spec.validation.openAPIV3Schema.properties[spec].properties[port].type: Required value: must not be empty for specified object fields",
        ]
    );
}

#[test]
fn root_all_of_must_name_specified_properties() {
    let mut crd = good();
    crd["spec"]["versions"][0]["subresources"] = json!(null);
    crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["anyOf"] =
        json!([{"properties": {"other": {}}}]);
    assert_eq!(
        errors(&crd),
        [
            "spec.validation.openAPIV3Schema.properties[other]: Required value: because it is defined in spec.validation.openAPIV3Schema.anyOf[0].properties[other]"
        ]
    );
}

#[test]
fn list_map_keys_must_be_required_or_defaulted() {
    let mut crd = good();
    crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]["properties"]["ports"] = json!({
        "type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"],
        "items": {"type": "object", "properties": {"name": {"type": "string"}}},
    });
    assert_eq!(
        errors(&crd),
        [
            "spec.validation.openAPIV3Schema.properties[spec].properties[ports].items.properties[name].default: Required value: this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property"
        ]
    );
}

#[test]
fn per_version_schemas_keep_their_version_path() {
    let mut crd = good();
    let mut v2 = crd["spec"]["versions"][0].clone();
    v2["name"] = json!("v2");
    v2["storage"] = json!(false);
    v2["schema"]["openAPIV3Schema"]["properties"]["spec"]["properties"]["size"] = json!({});
    crd["spec"]["versions"].as_array_mut().unwrap().push(v2);
    assert_eq!(
        errors(&crd),
        [
            "spec.versions[1].schema.openAPIV3Schema.properties[spec].properties[size].type: Required value: must not be empty for specified object fields"
        ]
    );
}

#[test]
fn webhook_conversion_needs_a_service_name_and_namespace() {
    let mut crd = good();
    crd["spec"]["conversion"] = json!({"strategy": "Webhook", "webhook": {"clientConfig": {"service": {"path": "/convert"}}, "conversionReviewVersions": ["v1"]}});
    assert_eq!(
        errors(&crd),
        [
            "spec.conversion.webhookClientConfig.service.name: Required value",
            "spec.conversion.webhookClientConfig.service.namespace: Required value",
        ]
    );
}

#[test]
fn the_status_body_is_the_servers() {
    let mut crd = good();
    crd["spec"]["group"] = json!("");
    let errs = validate(&crd);
    assert_eq!(validate(&yaml(&crd)), errs);
    let status = invalid_status("widgets.example.com", &errs);
    assert_eq!(status["code"], 422);
    assert_eq!(status["reason"], "Invalid");
    assert_eq!(status["details"]["kind"], "CustomResourceDefinition");
    assert_eq!(status["details"]["group"], "apiextensions.k8s.io");
    assert_eq!(
        status["message"],
        "CustomResourceDefinition.apiextensions.k8s.io \"widgets.example.com\" is invalid: [metadata.name: Invalid value: \"widgets.example.com\": must be spec.names.plural+\".\"+spec.group, spec.group: Required value]"
    );
    assert_eq!(
        status["details"]["causes"][1],
        json!({"reason": "FieldValueRequired", "message": "Required value", "field": "spec.group"})
    );
}

#[test]
fn unknown_keys_are_listed_with_their_paths() {
    let mut crd = good();
    crd["spec"]["versions"][0]["sevred"] = json!(true);
    crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]["propertis"] =
        json!({});
    crd["spec"]["nmes"] = json!({});
    assert_eq!(
        unknown(&crd),
        [
            "spec.nmes",
            "spec.versions[0].sevred",
            "spec.versions[0].schema.openAPIV3Schema.properties[spec].propertis",
        ]
    );
    assert!(unknown(&good()).is_empty());
}

#[test]
fn dependencies_are_a_known_field_whose_schemas_are_checked() {
    let mut crd = good();
    crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]["dependencies"] = json!({
        "a": ["b"],
        "c": {"properties": {"d": {"type": "string", "tpye": "string"}}},
    });
    assert_eq!(
        unknown(&crd),
        [
            "spec.versions[0].schema.openAPIV3Schema.properties[spec].dependencies[c].properties[d].tpye"
        ]
    );
}

#[test]
fn versions_with_one_schema_in_any_key_order_share_it() {
    let mut crd = good();
    let mut v2 = crd["spec"]["versions"][0].clone();
    v2["name"] = json!("v2");
    v2["storage"] = json!(false);
    crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]["type"] =
        json!("strin");
    v2["schema"] = crd["spec"]["versions"][0]["schema"].clone();
    crd["spec"]["versions"].as_array_mut().unwrap().push(v2);
    // `yaml` writes every mapping's keys in reverse order: still one shared schema.
    assert_eq!(
        errors(&crd),
        [
            "spec.validation.openAPIV3Schema.properties[spec].type: Unsupported value: \"strin\": supported values: \"array\", \"boolean\", \"integer\", \"number\", \"object\", \"string\""
        ]
    );
    crd["spec"]["versions"][1]["schema"]["openAPIV3Schema"]["properties"]["spec"]["type"] =
        json!("object");
    assert_eq!(
        errors(&crd),
        [
            "spec.versions[0].schema.openAPIV3Schema.properties[spec].type: Unsupported value: \"strin\": supported values: \"array\", \"boolean\", \"integer\", \"number\", \"object\", \"string\""
        ]
    );
}

#[test]
fn structure_is_checked_only_on_a_schema_the_server_can_convert() {
    let mut crd = good();
    let props = &mut crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]
        ["properties"];
    props["untyped"] = json!({});
    props["list"] = json!({"type": "array", "items": [{"type": "string"}]});
    assert_eq!(
        errors(&crd),
        [
            "spec.validation.openAPIV3Schema.properties[spec].properties[list].items: Forbidden: items must be a schema object and not an array"
        ]
    );
    let props = &mut crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]
        ["properties"];
    props["list"] = json!({"type": "array", "items": {"type": "string"}});
    props["ref"] = json!({"allOf": [{"$ref": "#/definitions/x"}]});
    assert_eq!(
        errors(&crd),
        [
            "spec.validation.openAPIV3Schema.properties[spec].properties[ref].allOf[0].$ref: Forbidden: $ref is not supported"
        ]
    );
    crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]["properties"]["ref"] =
        json!({"type": "string"});
    assert_eq!(
        errors(&crd),
        [
            "spec.validation.openAPIV3Schema.properties[spec].properties[untyped].type: Required value: must not be empty for specified object fields"
        ]
    );
}
