//! Mutations of accepted corpus objects that violate exactly one schema keyword: a walk
//! over an object and its CRD version's `openAPIV3Schema` together, proposing at each
//! node one change per keyword the node declares, only where nothing else can fail:
//!
//! - no `allOf`/`anyOf`/`oneOf`/`not` at the node or above (their failures add causes);
//! - a keyword whose error does not stop the CEL rules (`Invalid`, `Duplicate`) only
//!   where no `x-kubernetes-validations` rule sits at the node or above (a rule could
//!   see the new value); errors that stop them (type, required, enum, `maxItems`,
//!   `maxLength`, `maxProperties`, formats) anywhere;
//! - the new value keeps every other keyword of the node (bounds, lengths, pattern,
//!   enum, format), else the node is skipped;
//! - never the scale subresource's paths or their parents (the server adds its own
//!   causes there), the root `metadata` (ObjectMeta), list-map keys, or map keys that
//!   are not plain words (their rendering in a field path is not recorded).
//!
//! What the server answers is written in `mutated.rs` from the recordings; this module
//! only says which keyword is violated, where, and with which value and limit.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

/// What to do to the object.
#[derive(Clone, Debug)]
pub enum Op {
    /// Put a value at a JSON pointer (parents created as objects).
    Set(String, Value),
    /// Remove the value at a JSON pointer.
    Remove(String),
}

/// One proposed mutation.
#[derive(Clone, Debug)]
pub struct Mutation {
    pub keyword: &'static str,
    pub op: Op,
    /// The field path the server names (`spec.ports[0].port`).
    pub path: String,
    /// The bad value as the server prints it (`-1`, `"x"`, `"string"` for type errors).
    pub value: String,
    /// The keyword's limit as the server prints it (`0`, `'^[a-z]+$'`'s pattern text…).
    pub limit: String,
}

impl Op {
    /// `object` with this change.
    pub fn apply(&self, object: &Value) -> Value {
        let mut out = object.clone();
        match self {
            Op::Set(ptr, v) => set_at(&mut out, &tokens(ptr), v.clone()),
            Op::Remove(ptr) => {
                let t = tokens(ptr);
                let (last, parent) = t.split_last().expect("never the root");
                if let Some(Value::Object(m)) = out.pointer_mut(&join(parent)) {
                    m.remove(last);
                }
            }
        }
        out
    }
}

fn tokens(ptr: &str) -> Vec<String> {
    ptr.split('/')
        .skip(1)
        .map(|t| t.replace("~1", "/").replace("~0", "~"))
        .collect()
}

fn join(tokens: &[String]) -> String {
    tokens
        .iter()
        .map(|t| format!("/{}", t.replace('~', "~0").replace('/', "~1")))
        .collect()
}

fn set_at(x: &mut Value, t: &[String], v: Value) {
    let Some((first, rest)) = t.split_first() else {
        *x = v;
        return;
    };
    match x {
        Value::Array(a) => {
            let i: usize = first.parse().expect("array index");
            set_at(&mut a[i], rest, v);
        }
        other => {
            if !other.is_object() {
                *other = Value::Object(Map::new());
            }
            let m = other.as_object_mut().expect("made an object");
            set_at(m.entry(first.clone()).or_insert(Value::Null), rest, v);
        }
    }
}

/// The formats the server checks (kube-openapi's `strfmt.Default` registry, the
/// formats a CRD may name without the server dropping them); a string that is none
/// of them: `%crdgen%` (not an escape, not a host, not base64, not a date…).
const CHECKED_FORMATS: &[&str] = &[
    "date-time",
    "datetime",
    "date",
    "duration",
    "byte",
    "uuid",
    "uuid3",
    "uuid4",
    "uuid5",
    "ipv4",
    "ipv6",
    "cidr",
    "mac",
    "hostname",
    "email",
    "uri",
    "bsonobjectid",
    "hexcolor",
    "rgbcolor",
    "ssn",
];
const NOT_A_FORMAT: &str = "%crdgen%";

/// Strings tried, in order, as a value that a `pattern` does not match.
const PATTERN_MISSES: &[&str] = &[
    "crdgen mutation!",
    "",
    "-",
    "0",
    "a",
    "A",
    "crdgen",
    "/crdgen",
    "crdgen.example.com",
];

/// The value as the server prints it in a message (Go's `%v`/`%q`); None for what
/// this test does not render (non-ASCII or escaped strings, huge floats).
pub fn go_value(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => (s.chars().all(|c| c.is_ascii_graphic() || c == ' ')
            && !s.contains(['"', '\\']))
        .then(|| format!("\"{s}\"")),
        Value::Number(n) => {
            if n.is_i64() || n.is_u64() {
                return Some(n.to_string());
            }
            let f = n.as_f64()?;
            if f.fract() == 0.0 && f.abs() < 1e15 {
                Some(format!("{}", f as i64))
            } else if f.abs() < 1e15 && f.abs() > 1e-4 {
                Some(format!("{f}"))
            } else {
                None
            }
        }
        _ => None,
    }
}

/// What the walk knows about where it is.
pub struct Walk<'a> {
    /// The scale subresource's field paths (`spec.replicas`…).
    pub scale_paths: &'a [String],
    /// Collects the mutations (the caller keeps what it needs).
    pub out: &'a mut dyn FnMut(Mutation),
}

impl Walk<'_> {
    /// Walk `object`'s top level (not `apiVersion`, `kind`, `metadata`; not `status`
    /// when the server drops it on create).
    pub fn object(&mut self, object: &Value, schema: &Value, drop_status: bool) {
        let (Some(x), Some(props)) = (object.as_object(), schema["properties"].as_object()) else {
            return;
        };
        if combinator(schema) {
            return;
        }
        let under_cel = schema.get("x-kubernetes-validations").is_some();
        for (k, v) in x {
            if matches!(k.as_str(), "apiVersion" | "kind" | "metadata")
                || (k == "status" && drop_status)
            {
                continue;
            }
            if let Some(s) = props.get(k) {
                self.node(v, s, k, &format!("/{}", esc(k)), under_cel, false);
            }
        }
        self.required(x, schema, "", "", false);
    }

    fn scale_touch(&self, path: &str) -> bool {
        self.scale_paths
            .iter()
            .any(|p| p == path || p.starts_with(&format!("{path}.")))
    }

    fn emit(&mut self, keyword: &'static str, op: Op, path: &str, value: String, limit: String) {
        (self.out)(Mutation {
            keyword,
            op,
            path: path.to_owned(),
            value,
            limit,
        });
    }

    /// One node: the keywords it declares, then its children. `list_key`: the node is
    /// a key of a list-map item.
    fn node(&mut self, x: &Value, s: &Value, path: &str, ptr: &str, cel: bool, list_key: bool) {
        if combinator(s) || x.is_null() {
            return;
        }
        let cel = cel || s.get("x-kubernetes-validations").is_some();
        if !self.scale_touch(path) && !list_key {
            self.type_(x, s, path, ptr);
            self.enum_(x, s, path, ptr);
            self.number(x, s, path, ptr, cel);
            self.string(x, s, path, ptr, cel);
            self.array(x, s, path, ptr, cel);
            self.map(x, s, path, ptr, cel);
            self.embedded(x, s, path, ptr, cel);
        }
        let embedded = s["x-kubernetes-embedded-resource"] == json!(true);
        match x {
            Value::Object(m) => {
                if let Some(props) = s["properties"].as_object() {
                    for (k, v) in m {
                        if embedded && matches!(k.as_str(), "apiVersion" | "kind" | "metadata") {
                            continue;
                        }
                        if let Some(cs) = props.get(k) {
                            let p = format!("{path}.{k}");
                            self.node(v, cs, &p, &format!("{ptr}/{}", esc(k)), cel, false);
                        }
                    }
                    self.required(m, s, path, ptr, embedded);
                    if !cel && !self.scale_touch(path) && !list_key {
                        self.min_properties(m, s, path, ptr);
                    }
                } else if s["additionalProperties"].is_object() {
                    for (k, v) in m {
                        if plain_key(k) {
                            let p = format!("{path}.{k}");
                            let cs = &s["additionalProperties"];
                            self.node(v, cs, &p, &format!("{ptr}/{}", esc(k)), cel, false);
                        }
                    }
                }
            }
            Value::Array(a) if s["items"].is_object() => {
                let keys = list_map_keys(s);
                for (i, v) in a.iter().enumerate() {
                    let p = format!("{path}[{i}]");
                    self.item(v, &s["items"], &p, &format!("{ptr}/{i}"), cel, &keys);
                }
            }
            _ => {}
        }
    }

    /// A list item: its list-map keys are not mutated.
    fn item(&mut self, x: &Value, s: &Value, path: &str, ptr: &str, cel: bool, keys: &[&str]) {
        if keys.is_empty() {
            return self.node(x, s, path, ptr, cel, false);
        }
        if combinator(s) {
            return;
        }
        let cel = cel || s.get("x-kubernetes-validations").is_some();
        let (Some(m), Some(props)) = (x.as_object(), s["properties"].as_object()) else {
            return;
        };
        for (k, v) in m {
            if let Some(cs) = props.get(k) {
                let p = format!("{path}.{k}");
                let key = keys.contains(&k.as_str());
                self.node(v, cs, &p, &format!("{ptr}/{}", esc(k)), cel, key);
            }
        }
        let keyless: Map<String, Value> = m
            .iter()
            .filter(|(k, _)| !keys.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        self.required(&keyless, s, path, ptr, false);
    }

    /// `required` (remove a present required property) and `nullable` (make it
    /// `null`: the server drops a `null` it may not keep, so the property is missing).
    fn required(
        &mut self,
        x: &Map<String, Value>,
        s: &Value,
        path: &str,
        ptr: &str,
        embedded: bool,
    ) {
        if s.get("minProperties").is_some() {
            return;
        }
        let props = &s["properties"];
        for r in s["required"].as_array().into_iter().flatten() {
            let Some(k) = r.as_str() else { continue };
            let child = if path.is_empty() {
                k.to_owned()
            } else {
                format!("{path}.{k}")
            };
            if !x.contains_key(k)
                || props[k].get("default").is_some()
                || self.scale_touch(&child)
                || (path.is_empty() && matches!(k, "apiVersion" | "kind" | "metadata"))
                || (embedded && matches!(k, "apiVersion" | "kind" | "metadata"))
            {
                continue;
            }
            let p = format!("{ptr}/{}", esc(k));
            self.emit(
                "required",
                Op::Remove(p.clone()),
                &child,
                String::new(),
                String::new(),
            );
            if props[k]["nullable"] != json!(true) {
                self.emit(
                    "nullable",
                    Op::Set(p, Value::Null),
                    &child,
                    String::new(),
                    String::new(),
                );
            }
        }
    }

    /// A value of another JSON type (the names the recordings show the server print).
    fn type_(&mut self, x: &Value, s: &Value, path: &str, ptr: &str) {
        if s["x-kubernetes-int-or-string"] == json!(true) {
            if !x.is_boolean() {
                let op = Op::Set(ptr.to_owned(), json!(true));
                self.emit(
                    "x-kubernetes-int-or-string",
                    op,
                    path,
                    "\"boolean\"".into(),
                    String::new(),
                );
            }
            return;
        }
        if s.get("enum").is_some() || s["x-kubernetes-embedded-resource"] == json!(true) {
            return;
        }
        let Some(t) = s["type"].as_str() else { return };
        let (keyword, new, name) = match t {
            "object" if x.is_object() => ("type: object", json!(["crdgen"]), "array"),
            "array" if x.is_array() => ("type: array", json!("crdgen"), "string"),
            "string" if x.is_string() => ("type: string", json!(7), "integer"),
            "integer" if x.is_i64() || x.is_u64() => ("type: integer", json!("7"), "string"),
            "number" if x.is_number() => ("type: number", json!("7"), "string"),
            "boolean" if x.is_boolean() => ("type: boolean", json!("true"), "string"),
            _ => return,
        };
        self.emit(
            keyword,
            Op::Set(ptr.to_owned(), new),
            path,
            format!("\"{name}\""),
            t.to_owned(),
        );
    }

    fn enum_(&mut self, x: &Value, s: &Value, path: &str, ptr: &str) {
        let Some(values) = s["enum"].as_array() else {
            return;
        };
        let new = "crdgen-unsupported";
        if !x.is_string()
            || s["type"] != json!("string")
            || s.get("pattern").is_some()
            || checked_format(s)
            || !len_ok(s, new)
        {
            return;
        }
        let shown: Option<Vec<String>> = values.iter().map(go_value).collect();
        let Some(shown) = shown.filter(|_| values.iter().all(Value::is_string)) else {
            return;
        };
        let op = Op::Set(ptr.to_owned(), json!(new));
        self.emit("enum", op, path, format!("\"{new}\""), shown.join(", "));
    }

    fn number(&mut self, x: &Value, s: &Value, path: &str, ptr: &str, cel: bool) {
        let integer = s["type"] == json!("integer");
        if !x.is_number() || !(integer || s["type"] == json!("number")) || s.get("enum").is_some() {
            return;
        }
        let Some(v) = x.as_f64() else { return };
        // format int32: one above the range (the only error when nothing bounds it).
        if integer && s["format"] == json!("int32") && !cel && s.get("maximum").is_none() {
            let op = Op::Set(ptr.to_owned(), json!(2_147_483_648_i64));
            self.emit(
                "format: int32",
                op,
                path,
                "2147483648".into(),
                String::new(),
            );
        }
        if cel {
            return;
        }
        let whole = |f: f64| !integer || f.fract() == 0.0;
        let num = |f: f64| if integer { json!(f as i64) } else { json!(f) };
        if s.get("multipleOf").is_none() {
            let bounds = [
                ("minimum", "exclusiveMinimum", -1.0),
                ("maximum", "exclusiveMaximum", 1.0),
            ];
            for (key, excl_key, step) in bounds {
                // Limits beyond 2^53 do not survive f64 arithmetic: left out.
                let Some(limit) = s[key].as_f64().filter(|l| whole(*l) && l.abs() < 9.0e15) else {
                    continue;
                };
                let excl = s[excl_key] == json!(true);
                let new = if excl { limit } else { limit + step };
                let keyword = if excl { excl_key } else { key };
                if let (Some(shown), Some(lim)) = (go_value(&num(new)), go_value(&s[key]))
                    && in_format(s, new)
                {
                    self.emit(keyword, Op::Set(ptr.to_owned(), num(new)), path, shown, lim);
                }
            }
        } else if let Some(k) = s["multipleOf"]
            .as_f64()
            .filter(|k| k.fract() == 0.0 && *k > 1.0)
            && v.fract() == 0.0
        {
            for new in [v + 1.0, v - 1.0] {
                if in_bounds(s, new) && in_format(s, new) {
                    let lim = go_value(&s["multipleOf"]).unwrap_or_else(|| k.to_string());
                    let shown = go_value(&num(new)).unwrap_or_default();
                    let op = Op::Set(ptr.to_owned(), num(new));
                    self.emit("multipleOf", op, path, shown, lim);
                    break;
                }
            }
        }
    }

    fn string(&mut self, x: &Value, s: &Value, path: &str, ptr: &str, cel: bool) {
        if !x.is_string() || s["type"] != json!("string") || s.get("enum").is_some() {
            return;
        }
        let free = s.get("pattern").is_none() && !checked_format(s);
        if let Some(max) = s["maxLength"].as_u64().filter(|m| *m < 4096)
            && free
        {
            let new = "a".repeat(max as usize + 1);
            let op = Op::Set(ptr.to_owned(), json!(new));
            self.emit("maxLength", op, path, String::new(), max.to_string());
        }
        if cel {
            return;
        }
        if let Some(min) = s["minLength"].as_u64().filter(|m| *m >= 1)
            && free
        {
            let new = "a".repeat(min as usize - 1);
            let op = Op::Set(ptr.to_owned(), json!(new.clone()));
            self.emit("minLength", op, path, format!("\"{new}\""), min.to_string());
        }
        if let Some(p) = s["pattern"].as_str()
            && !checked_format(s)
            && let Ok(re) = regex::Regex::new(p)
            && let Some(new) = PATTERN_MISSES
                .iter()
                .find(|m| !re.is_match(m) && len_ok(s, m))
        {
            let op = Op::Set(ptr.to_owned(), json!(new));
            self.emit("pattern", op, path, format!("\"{new}\""), p.to_owned());
        }
        if let Some(f) = s["format"].as_str()
            && CHECKED_FORMATS.contains(&f)
            && s.get("pattern").is_none()
            && len_ok(s, NOT_A_FORMAT)
        {
            let op = Op::Set(ptr.to_owned(), json!(NOT_A_FORMAT));
            self.emit(
                "format (string)",
                op,
                path,
                format!("\"{NOT_A_FORMAT}\""),
                f.to_owned(),
            );
        }
    }

    fn array(&mut self, x: &Value, s: &Value, path: &str, ptr: &str, cel: bool) {
        let Some(a) = x.as_array() else { return };
        if s["type"] != json!("array") || a.is_empty() {
            return;
        }
        let list_type = s["x-kubernetes-list-type"].as_str().unwrap_or("atomic");
        let max = s["maxItems"].as_u64();
        if let Some(m) = max.filter(|m| *m < 256)
            && list_type == "atomic"
        {
            let mut new = a.clone();
            while new.len() <= m as usize {
                new.push(a[a.len() - 1].clone());
            }
            let n = new.len();
            let op = Op::Set(ptr.to_owned(), Value::Array(new));
            self.emit("maxItems", op, path, n.to_string(), m.to_string());
        }
        if cel {
            return;
        }
        if let Some(m) = s["minItems"]
            .as_u64()
            .filter(|m| *m >= 1 && a.len() >= *m as usize)
        {
            let new: Vec<Value> = a[..m as usize - 1].to_vec();
            let op = Op::Set(ptr.to_owned(), Value::Array(new));
            self.emit("minItems", op, path, (m - 1).to_string(), m.to_string());
        }
        let room = max.is_none_or(|m| a.len() < m as usize);
        let keyword = match list_type {
            "set" if a[0].is_string() || a[0].is_number() => "x-kubernetes-list-type: set",
            "map" if a[0].is_object() => "x-kubernetes-list-type: map",
            _ => return,
        };
        if room {
            let mut new = a.clone();
            new.push(a[0].clone());
            let op = Op::Set(ptr.to_owned(), Value::Array(new));
            let dup = format!("{path}[{}]", a.len());
            self.emit(keyword, op, &dup, String::new(), String::new());
        }
    }

    /// A map (`additionalProperties`): `maxProperties`, `minProperties`.
    fn map(&mut self, x: &Value, s: &Value, path: &str, ptr: &str, cel: bool) {
        let Some(m) = x.as_object() else { return };
        if !s["additionalProperties"].is_object() || s.get("properties").is_some() || m.is_empty() {
            return;
        }
        if let Some(max) = s["maxProperties"].as_u64().filter(|m| *m < 256) {
            let mut new = m.clone();
            let first = m.values().next().expect("not empty").clone();
            let mut i = 0;
            while new.len() <= max as usize {
                i += 1;
                new.insert(format!("crdgen-mutation-{i}"), first.clone());
            }
            let n = new.len();
            let op = Op::Set(ptr.to_owned(), Value::Object(new));
            self.emit("maxProperties", op, path, n.to_string(), max.to_string());
        }
        if let Some(min) = s["minProperties"]
            .as_u64()
            .filter(|n| *n >= 1 && m.len() >= *n as usize)
            && !cel
        {
            let new: Map<String, Value> = m
                .iter()
                .take(min as usize - 1)
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            let op = Op::Set(ptr.to_owned(), Value::Object(new));
            self.emit(
                "minProperties",
                op,
                path,
                (min - 1).to_string(),
                min.to_string(),
            );
        }
    }

    /// `minProperties` on an object with declared properties: keep the required ones
    /// (and others, in order) up to one fewer than the minimum. Only where no property
    /// has a default (the server counts after defaulting).
    fn min_properties(&mut self, m: &Map<String, Value>, s: &Value, path: &str, ptr: &str) {
        let Some(min) = s["minProperties"]
            .as_u64()
            .filter(|n| *n >= 1 && m.len() >= *n as usize)
        else {
            return;
        };
        let props = s["properties"]
            .as_object()
            .expect("called for declared properties");
        if props.values().any(|p| p.get("default").is_some()) {
            return;
        }
        let required: Vec<&str> = s["required"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        let keep = min as usize - 1;
        if required.len() > keep {
            return;
        }
        let mut order: Vec<&String> = m
            .keys()
            .filter(|k| required.contains(&k.as_str()))
            .collect();
        order.extend(m.keys().filter(|k| !required.contains(&k.as_str())));
        let removed = &order[keep..];
        if removed
            .iter()
            .any(|k| self.scale_touch(&format!("{path}.{k}")))
        {
            return;
        }
        let new: Map<String, Value> = order[..keep]
            .iter()
            .map(|k| ((*k).clone(), m[*k].clone()))
            .collect();
        let op = Op::Set(ptr.to_owned(), Value::Object(new));
        self.emit("minProperties", op, path, keep.to_string(), min.to_string());
    }

    /// `x-kubernetes-embedded-resource`: `apiVersion` and `kind` required, labels
    /// validated.
    fn embedded(&mut self, x: &Value, s: &Value, path: &str, ptr: &str, cel: bool) {
        let Some(m) = x.as_object() else { return };
        if s["x-kubernetes-embedded-resource"] != json!(true) {
            return;
        }
        for (k, keyword) in [
            ("apiVersion", "embedded apiVersion"),
            ("kind", "embedded kind"),
        ] {
            if m.contains_key(k) {
                let op = Op::Remove(format!("{ptr}/{k}"));
                self.emit(
                    keyword,
                    op,
                    &format!("{path}.{k}"),
                    String::new(),
                    String::new(),
                );
            }
        }
        if !cel && (m["metadata"].is_object() || m.get("metadata").is_none()) {
            let op = Op::Set(format!("{ptr}/metadata/labels/bad key"), json!("x"));
            let p = format!("{path}.metadata.labels");
            self.emit(
                "embedded metadata",
                op,
                &p,
                "\"bad key\"".into(),
                String::new(),
            );
        }
    }
}

fn esc(k: &str) -> String {
    k.replace('~', "~0").replace('/', "~1")
}

fn plain_key(k: &str) -> bool {
    !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

fn combinator(s: &Value) -> bool {
    ["allOf", "anyOf", "oneOf", "not"]
        .iter()
        .any(|k| s.get(*k).is_some())
}

fn checked_format(s: &Value) -> bool {
    s["format"]
        .as_str()
        .is_some_and(|f| CHECKED_FORMATS.contains(&f))
}

fn list_map_keys(s: &Value) -> Vec<&str> {
    if s["x-kubernetes-list-type"] != json!("map") {
        return Vec::new();
    }
    s["x-kubernetes-list-map-keys"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect()
}

/// The string keeps `minLength`/`maxLength` (characters, as the server counts them).
fn len_ok(s: &Value, v: &str) -> bool {
    let n = v.chars().count() as u64;
    s["minLength"].as_u64().is_none_or(|m| n >= m) && s["maxLength"].as_u64().is_none_or(|m| n <= m)
}

/// The number keeps the node's bounds.
fn in_bounds(s: &Value, n: f64) -> bool {
    let lo = s["minimum"].as_f64().is_none_or(|m| {
        if s["exclusiveMinimum"] == json!(true) {
            n > m
        } else {
            n >= m
        }
    });
    let hi = s["maximum"].as_f64().is_none_or(|m| {
        if s["exclusiveMaximum"] == json!(true) {
            n < m
        } else {
            n <= m
        }
    });
    lo && hi
}

/// The number fits the node's integer format.
fn in_format(s: &Value, n: f64) -> bool {
    match s["format"].as_str() {
        Some("int32") => (i32::MIN as f64..=i32::MAX as f64).contains(&n),
        Some("int64") => n.abs() < 9.0e18,
        _ => true,
    }
}

/// Mutations of one keyword by project, each with its object file.
pub type ByProject = BTreeMap<String, Vec<(String, Mutation)>>;

/// Mutations kept per (keyword, project): the first `cap` in walk order.
pub struct Kept {
    pub cap: usize,
    pub by: BTreeMap<&'static str, ByProject>,
}

impl Kept {
    pub fn add(&mut self, project: &str, file: &str, m: Mutation) {
        let list = self
            .by
            .entry(m.keyword)
            .or_default()
            .entry(project.to_owned())
            .or_default();
        if list.len() < self.cap && !list.iter().any(|(f, _)| f == file) {
            list.push((file.to_owned(), m));
        }
    }

    /// Up to `n` mutations of `keyword`, taking projects in turn (sorted), so that as
    /// many projects as possible are represented.
    pub fn pick(&self, keyword: &str, n: usize) -> Vec<(String, String, Mutation)> {
        let Some(by_project) = self.by.get(keyword) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for round in 0..self.cap {
            for (project, list) in by_project {
                if out.len() < n
                    && let Some((file, m)) = list.get(round)
                {
                    out.push((project.clone(), file.clone(), m.clone()));
                }
            }
        }
        out
    }
}
