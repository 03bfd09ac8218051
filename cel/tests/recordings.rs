//! The CEL steps of the kube-apiserver recordings (`../shared/apiserver-recordings`):
//! each recorded write's object (the request applied to the stored object, with the
//! schema's defaults, as the server validates it) evaluated against the Widget CRD's
//! rules; our errors must equal the recorded 422's CEL causes (field, reason, message,
//! in order unless the step says `unorderedCauses`), and a 2xx write must give none.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crdgen_cel::Rules;
use serde_json::{Value, json};

/// `CRDGEN_RECORDINGS_DIR`, else `../shared/apiserver-recordings` beside the
/// repository, else the copy vendored in `tests/apiserver-recordings` (as the runtime's
/// replay test looks for them).
fn recordings() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("CRDGEN_RECORDINGS_DIR") {
        let dir = PathBuf::from(dir);
        return dir.join("recorded").is_dir().then_some(dir);
    }
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    [
        here.join("../../shared/apiserver-recordings"),
        here.join("../tests/apiserver-recordings"),
    ]
    .into_iter()
    .find(|dir| dir.join("recorded").is_dir())
}

fn widget_schema(dir: &std::path::Path) -> Value {
    let text = std::fs::read_to_string(dir.join("crds/widgets.e2e.example.com.yaml")).unwrap();
    let docs = crdgen_yaml::parse(&text, crdgen_yaml::Limits::default()).unwrap();
    let crd = docs[0].root.to_json();
    crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"].clone()
}

/// The schema's defaults applied (test scaffolding: the runtime's defaulting is the
/// valid14 helper's; these CRDs need only property defaults).
fn default(v: &mut Value, s: &Value) {
    match v {
        Value::Object(map) => {
            if let Some(props) = s.get("properties").and_then(Value::as_object) {
                for (k, ps) in props {
                    if !map.contains_key(k)
                        && let Some(d) = ps.get("default")
                    {
                        map.insert(k.clone(), d.clone());
                    }
                }
                for (k, cv) in map.iter_mut() {
                    if let Some(ps) = props.get(k) {
                        default(cv, ps);
                    }
                }
            } else if let Some(ap) = s.get("additionalProperties").filter(|a| a.is_object()) {
                for cv in map.values_mut() {
                    default(cv, ap);
                }
            }
        }
        Value::Array(items) => {
            if let Some(is) = s.get("items") {
                for i in items {
                    default(i, is);
                }
            }
        }
        _ => {}
    }
}

/// Whether a recorded cause is one a CEL rule of the Widget CRD gives.
fn is_cel(cause: &Value, rule_messages: &[String]) -> bool {
    let m = cause["message"].as_str().unwrap_or("");
    m.contains("evaluating rule: ")
        || m.contains("failed rule: ")
        || rule_messages.iter().any(|r| m.ends_with(r.as_str()))
}

fn messages(s: &Value, out: &mut Vec<String>) {
    match s {
        Value::Object(m) => {
            for r in m
                .get("x-kubernetes-validations")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if let Some(msg) = r.get("message").and_then(Value::as_str) {
                    out.push(msg.to_owned());
                }
                if let Some(e) = r.get("messageExpression").and_then(Value::as_str) {
                    // The literal head of the expression: `'text ' + ...`.
                    let head = e.trim_start_matches('\'').split('\'').next().unwrap_or("");
                    out.push(format!("{head}green widgets"));
                }
            }
            for v in m.values() {
                messages(v, out);
            }
        }
        Value::Array(a) => a.iter().for_each(|v| messages(v, out)),
        _ => {}
    }
}

struct Outcome {
    checked: usize,
    failures: Vec<String>,
}

fn replay(dir: &std::path::Path, scenario: &str, rules: &Rules, schema: &Value, out: &mut Outcome) {
    let mut rule_messages = Vec::new();
    messages(schema, &mut rule_messages);
    let text = std::fs::read_to_string(dir.join(format!("recorded/{scenario}.jsonl"))).unwrap();
    let mut stored: BTreeMap<String, Value> = BTreeMap::new();
    for line in text.lines() {
        let step: Value = serde_json::from_str(line).unwrap();
        let req = &step["request"];
        let resp = &step["response"];
        let status = resp["status"].as_u64().unwrap_or(0);
        let method = req["method"].as_str().unwrap_or("");
        let path = req["path"].as_str().unwrap_or("");
        let ctype = req["headers"]["Content-Type"].as_str().unwrap_or("");
        let name = path
            .rsplit('/')
            .find(|p| !matches!(*p, "scale" | "status"))
            .unwrap_or("");
        let body = &req["body"];
        let (new, old) = match method {
            "POST" => {
                let mut o = body.clone();
                // The server defaults only what decodes as the resource's kind.
                if o["kind"] == "Widget" {
                    default(&mut o, schema);
                }
                (o, None)
            }
            "PATCH" | "PUT" if path.ends_with("/status") => (Value::Null, None),
            "PATCH" | "PUT" => {
                let Some(cur) = stored.get(name).cloned() else {
                    continue;
                };
                let mut o = cur.clone();
                if path.ends_with("/scale") {
                    let n = match ctype {
                        "application/json-patch+json" => body[0]["value"].clone(),
                        _ => body["spec"]["replicas"].clone(),
                    };
                    o["spec"]["replicas"] = n;
                } else if ctype == "application/json-patch+json" {
                    let p: json_patch::Patch = match serde_json::from_value(body.clone()) {
                        Ok(p) => p,
                        Err(_) => continue,
                    };
                    if json_patch::patch(&mut o, &p).is_err() {
                        continue;
                    }
                } else if ctype == "application/merge-patch+json" {
                    json_patch::merge(&mut o, body);
                } else if method == "PUT" {
                    o = body.clone();
                } else {
                    continue;
                }
                default(&mut o, schema);
                (o, Some(cur))
            }
            _ => (Value::Null, None),
        };
        if (200..300).contains(&status) {
            let b = &resp["body"];
            if b["kind"] == "Widget" {
                stored.insert(
                    b["metadata"]["name"].as_str().unwrap_or("").to_owned(),
                    b.clone(),
                );
            } else if b["kind"] == "Scale"
                && let Some(w) = stored.get_mut(name)
            {
                w["spec"]["replicas"] = b["spec"]["replicas"].clone();
            }
        }
        if new.is_null() || !(status == 422 || (200..300).contains(&status)) {
            continue;
        }
        let causes = resp["body"]["details"]["causes"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        if causes.iter().any(|c| {
            c["message"]
                .as_str()
                .unwrap_or("")
                .contains("some validation rules were not checked")
        }) {
            continue; // CEL not run by the server (schema type errors).
        }
        let mut want: Vec<Value> = causes
            .into_iter()
            .filter(|c| is_cel(c, &rule_messages))
            .collect();
        let mut got: Vec<Value> = rules
            .validate(&new, old.as_ref())
            .iter()
            .map(|e| json!({"reason": e.kind.reason(), "message": e.body(), "field": e.field}))
            .collect();
        if step.get("unorderedCauses").is_some() {
            let key = |v: &Value| v.to_string();
            want.sort_by_key(key);
            got.sort_by_key(key);
        }
        out.checked += 1;
        if want != got {
            out.failures.push(format!(
                "{scenario} step {}: want {}\n  got {}",
                step["step"],
                Value::Array(want),
                Value::Array(got)
            ));
        }
    }
}

#[test]
fn recorded_cel_steps_equal() {
    let dir = recordings().expect("no apiserver recordings found (set CRDGEN_RECORDINGS_DIR)");
    let schema = widget_schema(&dir);
    let rules = Rules::compile(&schema).expect("the Widget CRD's rules compile");
    assert!(rules.len() >= 6, "{} rules", rules.len());
    let mut out = Outcome {
        checked: 0,
        failures: Vec::new(),
    };
    for sc in [
        "cel-rules",
        "cel-transition",
        "error-kind-apiversion",
        "patch-json",
        "scale-subresource",
        "validate-min-max",
    ] {
        replay(&dir, sc, &rules, &schema, &mut out);
    }
    eprintln!(
        "recorded CEL steps: {} checked, {} differ",
        out.checked,
        out.failures.len()
    );
    assert!(out.checked >= 20, "only {} steps checked", out.checked);
    assert!(out.failures.is_empty(), "{}", out.failures.join("\n"));
}
