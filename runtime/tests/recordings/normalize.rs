//! The normalization of `compare.py` (the reference), ported: uid/resourceVersion
//! tokens, timestamps, ages, continue tokens, generateName suffixes, the
//! `unorderedCauses`/`unorderedLists`/`volatile` hints, and the diff.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

use regex::Regex;
use serde_json::{Map, Value, json};

static UUID: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}").expect("regex")
});
static UUID_FULL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$").expect("regex")
});
static AGE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^(\d+[smhdy]){1,2}$").expect("regex"));
static TOO_LARGE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(Too large resource version: \d+, current: )\d+").expect("regex")
});
static TOO_OLD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(too old resource version: \d+ )\(\d+\)").expect("regex"));

/// The comparison hints of a step (taken from the reference recording).
pub const HINTS: [&str; 3] = ["unorderedCauses", "unorderedLists", "volatile"];

#[derive(Default)]
struct Tokens {
    uids: BTreeMap<String, String>,
    rvs: BTreeMap<String, String>,
    stamps: BTreeSet<String>,
    gen_prefixes: BTreeSet<String>,
    conts: BTreeSet<String>,
}

fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

impl Tokens {
    fn collect(&mut self, v: &Value) {
        match v {
            Value::Object(m) => {
                if let Some(Value::String(uid)) = m.get("uid")
                    && UUID_FULL.is_match(uid)
                {
                    let n = self.uids.len() + 1;
                    self.uids
                        .entry(uid.clone())
                        .or_insert_with(|| format!("<uid-{n}>"));
                    if let Some(Value::String(rv)) = m.get("resourceVersion")
                        && is_digits(rv)
                    {
                        let n = self.rvs.len() + 1;
                        self.rvs
                            .entry(rv.clone())
                            .or_insert_with(|| format!("<rv-{n}>"));
                    }
                }
                for k in ["creationTimestamp", "deletionTimestamp"] {
                    if let Some(Value::String(s)) = m.get(k)
                        && !s.is_empty()
                    {
                        self.stamps.insert(s.clone());
                    }
                }
                if m.contains_key("manager")
                    && let Some(Value::String(t)) = m.get("time")
                {
                    self.stamps.insert(t.clone());
                }
                if let Some(Value::String(g)) = m.get("generateName")
                    && !g.is_empty()
                {
                    self.gen_prefixes.insert(g.clone());
                }
                if let Some(Value::String(c)) = m.get("continue")
                    && !c.is_empty()
                {
                    self.conts.insert(c.clone());
                }
                for x in m.values() {
                    self.collect(x);
                }
            }
            Value::Array(a) => a.iter().for_each(|x| self.collect(x)),
            _ => {}
        }
    }
}

struct Fixer {
    t: Tokens,
    gen_re: Option<Regex>,
}

impl Fixer {
    fn new(t: Tokens) -> Self {
        let gen_re = if t.gen_prefixes.is_empty() {
            None
        } else {
            let mut ps: Vec<&String> = t.gen_prefixes.iter().collect();
            ps.sort_by_key(|p| std::cmp::Reverse(p.len()));
            let alt: Vec<String> = ps.iter().map(|p| regex::escape(p)).collect();
            // `(?![a-z0-9])` is checked by hand after the match.
            Some(Regex::new(&format!("({})[a-z0-9]{{5}}", alt.join("|"))).expect("regex"))
        };
        Fixer { t, gen_re }
    }

    fn fix_string(&self, s: &str) -> String {
        if self.t.stamps.contains(s) {
            return "<ts>".into();
        }
        if self.t.conts.contains(s) {
            return "<continue>".into();
        }
        let mut s = UUID
            .replace_all(s, |c: &regex::Captures| {
                self.t
                    .uids
                    .get(&c[0])
                    .cloned()
                    .unwrap_or_else(|| "<uid-unknown>".into())
            })
            .into_owned();
        for t in &self.t.stamps {
            if s.contains(t.as_str()) {
                s = s.replace(t.as_str(), "<ts>");
            }
        }
        if let Some(re) = &self.gen_re {
            s = replace_generated(re, &s);
        }
        s = TOO_LARGE.replace_all(&s, "${1}<rv-current>").into_owned();
        s = TOO_OLD.replace_all(&s, "${1}(<rv-oldest>)").into_owned();
        self.replace_rvs(&s)
    }

    /// `(?<![0-9A-Za-z])(rv|...)(?![0-9])`: a whole run of digits not preceded by a letter.
    fn replace_rvs(&self, s: &str) -> String {
        if self.t.rvs.is_empty() {
            return s.to_string();
        }
        let b = s.as_bytes();
        let mut out = String::new();
        let mut i = 0;
        while i < b.len() {
            if b[i].is_ascii_digit() && (i == 0 || !b[i - 1].is_ascii_alphanumeric()) {
                let mut j = i;
                while j < b.len() && b[j].is_ascii_digit() {
                    j += 1;
                }
                match self.t.rvs.get(&s[i..j]) {
                    Some(tok) => out.push_str(tok),
                    None => out.push_str(&s[i..j]),
                }
                i = j;
            } else {
                let c = s[i..].chars().next().expect("char boundary");
                out.push(c);
                i += c.len_utf8();
            }
        }
        out
    }

    /// Post-order rewrite, `path` holding the keys (indices as numbers) to `v`.
    fn walk(&self, v: Value, path: &mut Vec<Value>) -> Value {
        let v = match v {
            Value::Object(m) => {
                let mut out = Map::new();
                for (k, x) in m {
                    path.push(json!(k));
                    let x = self.walk(x, path);
                    path.pop();
                    out.insert(k, x);
                }
                Value::Object(out)
            }
            Value::Array(a) => {
                let mut out = Vec::with_capacity(a.len());
                for (i, x) in a.into_iter().enumerate() {
                    path.push(json!(i));
                    out.push(self.walk(x, path));
                    path.pop();
                }
                Value::Array(out)
            }
            other => other,
        };
        self.fix(v, path)
    }

    fn fix(&self, v: Value, path: &[Value]) -> Value {
        let key = path.last().and_then(Value::as_str);
        match v {
            Value::Object(mut m) => {
                if m.get("kind") == Some(&json!("Table"))
                    && let Some(Value::Array(cols)) = m.get("columnDefinitions")
                {
                    let dates: Vec<usize> = cols
                        .iter()
                        .enumerate()
                        .filter(|(_, c)| c.get("type") == Some(&json!("date")))
                        .map(|(i, _)| i)
                        .collect();
                    if let Some(Value::Array(rows)) = m.get_mut("rows") {
                        for row in rows {
                            if let Some(Value::Array(cells)) = row.get_mut("cells") {
                                for &i in &dates {
                                    if let Some(Value::String(c)) = cells.get_mut(i)
                                        && AGE.is_match(c)
                                    {
                                        *c = "<age>".into();
                                    }
                                }
                            }
                        }
                    }
                    return Value::Object(m);
                }
                if let Some(Value::String(rv)) = m.get("resourceVersion")
                    && is_digits(rv)
                {
                    let tok = if m.contains_key("uid") {
                        self.t.rvs.get(rv).cloned().unwrap_or_else(|| "<rv>".into())
                    } else {
                        "<list-rv>".into()
                    };
                    m.insert("resourceVersion".into(), json!(tok));
                }
                Value::Object(m)
            }
            Value::String(s) => {
                if key == Some("resourceVersion") && is_digits(&s) {
                    return Value::String(s);
                }
                if key == Some("continue") && !s.is_empty() {
                    return json!("<continue>");
                }
                if key == Some("time")
                    && path.len() >= 3
                    && path[path.len() - 3] == json!("managedFields")
                {
                    return json!("<ts>");
                }
                Value::String(self.fix_string(&s))
            }
            other => other,
        }
    }
}

fn replace_generated(re: &Regex, s: &str) -> String {
    let mut out = String::new();
    let mut last = 0;
    let mut start = 0;
    while let Some(c) = re.captures_at(s, start) {
        let m = c.get(0).expect("group 0");
        let next_ok = s[m.end()..]
            .bytes()
            .next()
            .is_none_or(|b| !(b.is_ascii_lowercase() || b.is_ascii_digit()));
        if next_ok {
            out.push_str(&s[last..m.start()]);
            out.push_str(&c[1]);
            out.push_str("<random>");
            last = m.end();
            start = m.end();
        } else {
            start = m.start() + s[m.start()..].chars().next().map_or(1, char::len_utf8);
        }
        if start > s.len() {
            break;
        }
    }
    out.push_str(&s[last..]);
    out
}

/// Discovery answers list every built-in group too: keep only the CRDs' groups (in
/// `/apis`, `groups[]` by name; aggregated, `items[]` by `metadata.name`), sorted by
/// name (their order follows registration order).
fn filter_discovery(resp: &mut Value, groups: &BTreeSet<String>) {
    let Some(body) = resp.get_mut("body").and_then(Value::as_object_mut) else {
        return;
    };
    let (list, name): (&str, fn(&Value) -> Option<&str>) =
        match body.get("kind").and_then(Value::as_str) {
            Some("APIGroupList") => ("groups", |g| g.get("name").and_then(Value::as_str)),
            Some("APIGroupDiscoveryList") => ("items", |g| {
                g.pointer("/metadata/name").and_then(Value::as_str)
            }),
            _ => return,
        };
    if let Some(Value::Array(a)) = body.get_mut(list) {
        a.retain(|g| name(g).is_some_and(|n| groups.contains(n)));
        a.sort_by(|x, y| name(x).cmp(&name(y)));
    }
}

/// `managedFields` entries are ordered by operation, time in seconds, manager,
/// apiVersion and subresource: whether two writes fall in the same second depends on
/// the run, so entries are compared in the order they have within one second.
fn order_managed_fields(v: &mut Value) {
    match v {
        Value::Object(m) => {
            if let Some(Value::Array(entries)) = m.get_mut("managedFields") {
                let key = |e: &Value| {
                    ["operation", "manager", "apiVersion", "subresource"]
                        .map(|k| e.get(k).and_then(Value::as_str).unwrap_or("").to_owned())
                };
                entries.sort_by_key(key);
            }
            m.values_mut().for_each(order_managed_fields);
        }
        Value::Array(a) => a.iter_mut().for_each(order_managed_fields),
        _ => {}
    }
}

/// `normalize_records`: the normalized `{step, response, during?}` of each record;
/// `groups` are the API groups of the recordings' CRDs (see [`filter_discovery`]).
pub fn normalize_records(records: &[Value], groups: &BTreeSet<String>) -> Vec<Value> {
    let mut records = records.to_vec();
    for r in &mut records {
        if let Some(resp) = r.get_mut("response") {
            filter_discovery(resp, groups);
            order_managed_fields(resp);
        }
        for d in r
            .get_mut("during")
            .and_then(Value::as_array_mut)
            .into_iter()
            .flatten()
        {
            order_managed_fields(d);
        }
    }
    let records = &records;
    let mut t = Tokens::default();
    for r in records {
        t.collect(r.get("request").unwrap_or(&Value::Null));
        t.collect(r.get("response").unwrap_or(&Value::Null));
        for d in r["during"].as_array().into_iter().flatten() {
            t.collect(d.get("request").unwrap_or(&Value::Null));
            t.collect(d.get("response").unwrap_or(&Value::Null));
        }
    }
    let f = Fixer::new(t);
    let mut out = Vec::new();
    for r in records {
        let resp = r.get("response").cloned().unwrap_or_else(|| json!({}));
        let mut n = Map::new();
        n.insert("step".into(), r["step"].clone());
        n.insert("response".into(), f.walk(resp, &mut Vec::new()));
        if let Some(d) = r["during"].as_array()
            && !d.is_empty()
        {
            let ds = d
                .iter()
                .map(|x| {
                    f.walk(
                        x.get("response").cloned().unwrap_or_else(|| json!({})),
                        &mut Vec::new(),
                    )
                })
                .collect();
            n.insert("during".into(), Value::Array(ds));
        }
        let mut n = Value::Object(n);
        for p in r["volatile"].as_array().into_iter().flatten() {
            drop_path(&mut n, p.as_str().unwrap_or_default());
        }
        if r["unorderedCauses"].as_bool() == Some(true)
            && let Some(body) = n["response"].get_mut("body")
        {
            canonical_causes(body);
        }
        for p in r["unorderedLists"].as_array().into_iter().flatten() {
            sort_list(&mut n, p.as_str().unwrap_or_default());
        }
        out.push(n);
    }
    out
}

/// A serialization with sorted keys: the sort key of `json.dumps(x, sort_keys=True)`.
pub fn canonical(v: &Value) -> String {
    match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            let parts: Vec<String> = keys
                .into_iter()
                .map(|k| format!("{}: {}", Value::String(k.clone()), canonical(&m[k])))
                .collect();
            format!("{{{}}}", parts.join(", "))
        }
        Value::Array(a) => format!(
            "[{}]",
            a.iter().map(canonical).collect::<Vec<_>>().join(", ")
        ),
        other => other.to_string(),
    }
}

fn canonical_causes(body: &mut Value) {
    let Some(m) = body.as_object_mut() else {
        return;
    };
    let msg = m
        .get("message")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let Some(Value::Array(causes)) = m.get_mut("details").and_then(|d| d.get_mut("causes")) else {
        return;
    };
    let mut parts: Vec<String> = causes
        .iter()
        .map(|c| {
            let field = c.get("field").filter(|f| truthy(f));
            let message = c.get("message").map(py_str).unwrap_or_default();
            match field {
                Some(f) => format!("{}: {message}", py_str(f)),
                None => message,
            }
        })
        .collect();
    causes.sort_by_key(canonical);
    let new_msg = match msg.find(": [") {
        Some(i) if msg.ends_with(']') && parts.iter().all(|p| msg.contains(p.as_str())) => {
            parts.sort();
            Some(format!("{}{}]", &msg[..i + 3], parts.join(", ")))
        }
        _ if msg.contains('\n') => {
            let mut lines: Vec<&str> = msg.split('\n').collect();
            lines.sort();
            Some(lines.join("\n"))
        }
        _ => None,
    };
    if let Some(new_msg) = new_msg {
        m.insert("message".into(), json!(new_msg));
    }
}

fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
        Value::Number(n) => n.as_f64() != Some(0.0),
    }
}

fn py_str(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn sort_list(obj: &mut Value, dotted: &str) {
    let mut cur = obj;
    for p in dotted.split('.') {
        match cur.get_mut(p) {
            Some(x) => cur = x,
            _ => return,
        }
    }
    if let Value::Array(a) = cur {
        a.sort_by_key(canonical);
    }
}

fn drop_path(obj: &mut Value, dotted: &str) {
    let parts: Vec<&str> = dotted.split('.').collect();
    let Some((last, init)) = parts.split_last() else {
        return;
    };
    let mut cur = obj;
    for p in init {
        let next = match cur {
            Value::Array(a) => p.parse::<usize>().ok().and_then(|i| a.get_mut(i)),
            Value::Object(m) => m.get_mut(*p),
            _ => None,
        };
        match next {
            Some(x) => cur = x,
            None => return,
        }
    }
    match cur {
        Value::Object(m) if m.contains_key(*last) => {
            m.insert(last.to_string(), json!("<volatile>"));
        }
        Value::Array(a) => {
            if let Some(x) = last.parse::<usize>().ok().and_then(|i| a.get_mut(i)) {
                *x = json!("<volatile>");
            }
        }
        _ => {}
    }
}

/// The differences between two normalized values, first one first: (JSON path, what differs).
pub fn diff(a: &Value, b: &Value, path: &str, out: &mut Vec<(String, String)>) {
    let kind = |v: &Value| match v {
        Value::Null => 0,
        Value::Bool(_) => 1,
        Value::Number(n) if n.is_f64() => 2,
        Value::Number(_) => 3,
        Value::String(_) => 4,
        Value::Array(_) => 5,
        Value::Object(_) => 6,
    };
    let shown = if path.is_empty() { "." } else { path };
    if kind(a) != kind(b) {
        out.push((shown.into(), format!("{} != {}", short(a), short(b))));
        return;
    }
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            for k in keys {
                let p = format!("{path}.{k}");
                match (x.get(k), y.get(k)) {
                    (Some(u), Some(v)) => diff(u, v, &p, out),
                    (Some(u), None) => {
                        out.push((p, format!("only in the recording: {}", short(u))))
                    }
                    (None, Some(v)) => out.push((p, format!("only in the replay: {}", short(v)))),
                    (None, None) => {}
                }
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            if x.len() != y.len() {
                out.push((
                    shown.into(),
                    format!("list length {} != {}", x.len(), y.len()),
                ));
                return;
            }
            for (i, (u, v)) in x.iter().zip(y).enumerate() {
                diff(u, v, &format!("{path}[{i}]"), out);
            }
        }
        _ if a == b => {}
        _ => out.push((shown.into(), format!("{} != {}", short(a), short(b)))),
    }
}

fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() < 200 {
        s
    } else {
        format!("{}...", s.chars().take(197).collect::<String>())
    }
}
