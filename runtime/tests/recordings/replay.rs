//! Replays one scenario file against a server, producing records shaped like
//! `record.py`'s (`recorded/<name>.jsonl`): the same placeholders, query encoding,
//! default headers, JSON body encoding, watch reading and `during` timing.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::LazyLock;
use std::time::Duration;

use regex::Regex;
use serde_json::{Map, Value, json};
use tokio::net::TcpStream;
use tokio::sync::oneshot;

static PLACEHOLDER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\{\{\s*([^{}]+?)\s*\}\}").expect("valid regex"));

/// What placeholders resolve against: `{{ns}}` and earlier steps' responses.
pub struct Ctx {
    pub vars: BTreeMap<String, String>,
    pub steps: BTreeMap<usize, Value>,
}

/// An unresolvable placeholder (`record.py`'s `Missing`).
#[derive(Debug)]
pub struct Missing(pub String);

fn lookup(ctx: &Ctx, expr: &str) -> Result<Value, Missing> {
    let parts: Vec<&str> = expr.split('.').collect();
    if parts.len() == 1
        && let Some(v) = ctx.vars.get(parts[0])
    {
        return Ok(Value::String(v.clone()));
    }
    let n: usize = parts[0]
        .strip_prefix("step")
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| Missing(expr.into()))?;
    let mut cur = ctx.steps.get(&n).ok_or_else(|| Missing(expr.into()))?;
    for p in &parts[1..] {
        cur = match cur {
            Value::Array(a) => p.parse::<usize>().ok().and_then(|i| a.get(i)),
            Value::Object(m) => m.get(*p),
            _ => None,
        }
        .ok_or_else(|| Missing(expr.into()))?;
    }
    Ok(cur.clone())
}

fn resolve_str(s: &str, ctx: &Ctx) -> Result<Value, Missing> {
    if let Some(c) = PLACEHOLDER.captures(s)
        && c.get(0).map(|m| m.as_str().len()) == Some(s.len())
        && !c[1].starts_with("repeat:")
    {
        return lookup(ctx, &c[1]);
    }
    let mut out = String::new();
    let mut last = 0;
    for c in PLACEHOLDER.captures_iter(s) {
        let m = c.get(0).expect("group 0");
        out.push_str(&s[last..m.start()]);
        last = m.end();
        let e = &c[1];
        if let Some(rest) = e.strip_prefix("repeat:") {
            let (ch, count) = rest.split_once(':').ok_or_else(|| Missing(e.into()))?;
            let count: usize = count.parse().map_err(|_| Missing(e.into()))?;
            out.push_str(&ch.repeat(count));
        } else {
            match lookup(ctx, e)? {
                Value::String(v) => out.push_str(&v),
                v => out.push_str(&py_dumps(&v)),
            }
        }
    }
    out.push_str(&s[last..]);
    Ok(Value::String(out))
}

/// Replace placeholders in every string (and object key) inside `v`.
pub fn resolve(v: &Value, ctx: &Ctx) -> Result<Value, Missing> {
    Ok(match v {
        Value::String(s) => resolve_str(s, ctx)?,
        Value::Array(a) => Value::Array(
            a.iter()
                .map(|x| resolve(x, ctx))
                .collect::<Result<_, _>>()?,
        ),
        Value::Object(m) => {
            let mut out = Map::new();
            for (k, x) in m {
                let k = match resolve_str(k, ctx)? {
                    Value::String(s) => s,
                    other => py_dumps(&other),
                };
                out.insert(k, resolve(x, ctx)?);
            }
            Value::Object(out)
        }
        other => other.clone(),
    })
}

/// `json.dumps(v)` with Python's defaults: `", "` and `": "` separators, ASCII only.
pub fn py_dumps(v: &Value) -> String {
    let mut out = String::new();
    dump_into(v, &mut out);
    out
}

fn dump_into(v: &Value, out: &mut String) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => dump_str(s, out),
        Value::Array(a) => {
            out.push('[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                dump_into(x, out);
            }
            out.push(']');
        }
        Value::Object(m) => {
            out.push('{');
            for (i, (k, x)) in m.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                dump_str(k, out);
                out.push_str(": ");
                dump_into(x, out);
            }
            out.push('}');
        }
    }
}

fn dump_str(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 || (c as u32) > 0x7e => {
                let mut buf = [0u16; 2];
                for u in c.encode_utf16(&mut buf) {
                    out.push_str(&format!("\\u{u:04x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// `urllib.parse.quote_plus`.
fn quote_plus(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'_' | b'.' | b'-' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            b => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

struct Built {
    method: String,
    full: String,
    headers: Vec<(String, String)>,
    body: Option<Vec<u8>>,
}

fn build_request(step: &Value, ctx: &Ctx) -> Result<Built, Missing> {
    let method = step["method"].as_str().unwrap_or("GET").to_uppercase();
    let path = match resolve(&step["path"], ctx)? {
        Value::String(s) => s,
        other => py_dumps(&other),
    };
    let mut pairs: Vec<(String, String)> = Vec::new();
    match &step["query"] {
        Value::Object(m) => {
            for (k, v) in m {
                pairs.push((k.clone(), stringify(resolve(v, ctx)?)));
            }
        }
        Value::Array(a) => {
            for p in a {
                let k = p[0].as_str().unwrap_or_default().to_string();
                pairs.push((k, stringify(resolve(&p[1], ctx)?)));
            }
        }
        _ => {}
    }
    if step["watch"].as_bool() == Some(true) && !pairs.iter().any(|(k, _)| k == "watch") {
        pairs.insert(0, ("watch".into(), "true".into()));
    }
    let qs: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{}={}", quote_plus(k), quote_plus(v)))
        .collect();
    let full = if qs.is_empty() {
        path
    } else {
        format!("{path}?{}", qs.join("&"))
    };
    let mut headers: Vec<(String, String)> = Vec::new();
    if let Value::Object(m) = &step["headers"] {
        for (k, v) in m {
            headers.push((k.clone(), stringify(resolve(v, ctx)?)));
        }
    }
    let has = |hs: &[(String, String)], name: &str| hs.iter().any(|(k, _)| k == name);
    if !has(&headers, "Accept") {
        headers.push(("Accept".into(), "application/json".into()));
    }
    let body = if let Some(raw) = step.get("bodyRaw") {
        Some(stringify(resolve(raw, ctx)?).into_bytes())
    } else if let Some(b) = step.get("body") {
        Some(py_dumps(&resolve(b, ctx)?).into_bytes())
    } else {
        None
    };
    if body.is_some() && !has(&headers, "Content-Type") {
        headers.push(("Content-Type".into(), "application/json".into()));
    }
    Ok(Built {
        method,
        full,
        headers,
        body,
    })
}

fn stringify(v: Value) -> String {
    match v {
        Value::String(s) => s,
        other => py_dumps(&other),
    }
}

/// `request_record` of record.py: the step as written in the scenario.
pub fn request_record(step: &Value) -> Value {
    let mut rec = Map::new();
    rec.insert(
        "method".into(),
        json!(step["method"].as_str().unwrap_or("GET").to_uppercase()),
    );
    rec.insert("path".into(), step["path"].clone());
    for k in ["query", "headers", "body", "bodyRaw", "rawResponse"] {
        if let Some(v) = step.get(k) {
            rec.insert(k.into(), v.clone());
        }
    }
    if step["watch"].as_bool() == Some(true) {
        rec.insert("watch".into(), json!(true));
    }
    Value::Object(rec)
}

/// A raw HTTP/1.1 exchange: status, headers in order, body bytes.
struct Raw {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    /// The read stopped on the client's socket timeout.
    timed_out: bool,
}

const REMOTE_DISCONNECTED: &str =
    "client-side error: RemoteDisconnected: Remote end closed connection without response";

async fn exchange(
    addr: SocketAddr,
    b: &Built,
    timeout: Duration,
    opened: Option<oneshot::Sender<()>>,
) -> Result<Raw, String> {
    let io = |e: std::io::Error| format!("client-side error: {}: {e}", e.kind());
    let s = tokio::time::timeout(timeout, TcpStream::connect(addr))
        .await
        .map_err(|_| "client-side error: TimeoutError: timed out".to_string())?
        .map_err(io)?;
    let mut head = format!(
        "{} {} HTTP/1.1\r\nHost: {addr}\r\nAccept-Encoding: identity\r\nConnection: close\r\n",
        b.method, b.full
    );
    let body_len = match &b.body {
        Some(body) => Some(body.len()),
        None if matches!(b.method.as_str(), "POST" | "PUT" | "PATCH") => Some(0),
        None => None,
    };
    if let Some(n) = body_len {
        head.push_str(&format!("Content-Length: {n}\r\n"));
    }
    for (k, v) in &b.headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    let mut req = head.into_bytes();
    if let Some(body) = &b.body {
        req.extend_from_slice(body);
    }
    // A server may answer (and close) before reading a large body: keep going to the response.
    let _ = write_all(&s, &req).await;
    let mut buf = Vec::new();
    let mut chunk = vec![0u8; 64 * 1024];
    let mut header_end = None;
    let mut opened = opened;
    let mut timed_out = false;
    loop {
        match tokio::time::timeout(timeout, read_some(&s, &mut chunk)).await {
            Err(_) => {
                if header_end.is_none() {
                    return Err("client-side error: TimeoutError: timed out".into());
                }
                timed_out = true;
                break;
            }
            Ok(Err(e)) => {
                if header_end.is_none() {
                    return Err(if buf.is_empty() {
                        REMOTE_DISCONNECTED.into()
                    } else {
                        io(e)
                    });
                }
                break;
            }
            Ok(Ok(0)) => break,
            Ok(Ok(n)) => buf.extend_from_slice(&chunk[..n]),
        }
        if header_end.is_none()
            && let Some(i) = find(&buf, b"\r\n\r\n")
        {
            header_end = Some(i);
            if let Some(tx) = opened.take() {
                let _ = tx.send(());
            }
        }
    }
    let Some(he) = header_end else {
        return Err(REMOTE_DISCONNECTED.into());
    };
    let head = String::from_utf8_lossy(&buf[..he]).into_owned();
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let status: u16 = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("client-side error: BadStatusLine: {status_line}"))?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let mut body = buf[he + 4..].to_vec();
    let chunked = headers.iter().any(|(k, v)| {
        k.eq_ignore_ascii_case("transfer-encoding") && v.eq_ignore_ascii_case("chunked")
    });
    if chunked {
        body = dechunk(&body);
    }
    if b.method == "HEAD" {
        body.clear();
    }
    Ok(Raw {
        status,
        headers,
        body,
        timed_out,
    })
}

async fn write_all(s: &TcpStream, mut buf: &[u8]) -> std::io::Result<()> {
    while !buf.is_empty() {
        s.writable().await?;
        match s.try_write(buf) {
            Ok(n) => buf = &buf[n..],
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

async fn read_some(s: &TcpStream, buf: &mut [u8]) -> std::io::Result<usize> {
    loop {
        s.readable().await?;
        match s.try_read(buf) {
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            other => return other,
        }
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn dechunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(i) = find(b, b"\r\n") {
        let size_txt = String::from_utf8_lossy(&b[..i]);
        let size_txt = size_txt
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_string();
        let Ok(n) = usize::from_str_radix(&size_txt, 16) else {
            break;
        };
        if n == 0 {
            break;
        }
        let start = i + 2;
        let end = (start + n).min(b.len());
        out.extend_from_slice(&b[start..end]);
        b = &b[(end + 2).min(b.len())..];
    }
    out
}

fn pick_headers(hs: &[(String, String)]) -> Value {
    let mut out = Map::new();
    let mut warnings = Vec::new();
    for (k, v) in hs {
        let lk = k.to_ascii_lowercase();
        if lk == "content-type" {
            out.insert("content-type".into(), json!(v));
        } else if lk == "warning" {
            warnings.push(json!(v));
        }
    }
    if !warnings.is_empty() {
        out.insert("warning".into(), Value::Array(warnings));
    }
    Value::Object(out)
}

fn decode_body(data: &[u8]) -> Value {
    let text = String::from_utf8_lossy(data).into_owned();
    if text.is_empty() {
        return json!("");
    }
    serde_json::from_str(&text).unwrap_or(Value::String(text))
}

fn step_timeout(step: &Value, default: u64) -> Duration {
    Duration::from_secs_f64(step["timeout"].as_f64().unwrap_or(default as f64))
}

/// `run_plain`: one request, its response record.
pub async fn run_plain(addr: SocketAddr, step: &Value, ctx: &Ctx) -> Value {
    let b = match build_request(step, ctx) {
        Ok(b) => b,
        Err(Missing(e)) => return json!({"error": format!("unresolved placeholder {{{{{e}}}}}")}),
    };
    match exchange(addr, &b, step_timeout(step, 60), None).await {
        Err(e) => json!({ "error": e }),
        Ok(r) => {
            let h = pick_headers(&r.headers);
            let body = if step["rawResponse"].as_bool() == Some(true) {
                json!(String::from_utf8_lossy(&r.body))
            } else {
                decode_body(&r.body)
            };
            json!({"status": r.status, "headers": h, "body": body})
        }
    }
}

/// `run_watch`: a watch read until the server closes it, with its `during` steps
/// started ~0.5 s after the response headers arrived. Returns (response, during records).
pub async fn run_watch(addr: SocketAddr, step: &Value, ctx: &Ctx) -> (Value, Vec<Value>) {
    let b = match build_request(step, ctx) {
        Ok(b) => b,
        Err(Missing(e)) => {
            return (
                json!({"error": format!("unresolved placeholder {{{{{e}}}}}")}),
                vec![],
            );
        }
    };
    let (tx, rx) = oneshot::channel();
    let subs: Vec<Value> = step["during"].as_array().cloned().unwrap_or_default();
    let delay = step["duringDelay"].as_f64().unwrap_or(0.5);
    let during = async {
        let mut out = Vec::new();
        if subs.is_empty() {
            return out;
        }
        let _ = tokio::time::timeout(Duration::from_secs(30), rx).await;
        tokio::time::sleep(Duration::from_secs_f64(delay)).await;
        for sub in &subs {
            let resp = run_plain(addr, sub, ctx).await;
            out.push(json!({"request": request_record(sub), "response": resp}));
            let after = sub["sleepAfter"].as_f64().unwrap_or(0.1);
            tokio::time::sleep(Duration::from_secs_f64(after)).await;
        }
        out
    };
    let watch = exchange(addr, &b, step_timeout(step, 30), Some(tx));
    let (r, during) = tokio::join!(watch, during);
    let r = match r {
        Err(e) => return (json!({ "error": e }), during),
        Ok(r) => r,
    };
    let mut resp = Map::new();
    resp.insert("status".into(), json!(r.status));
    resp.insert("headers".into(), pick_headers(&r.headers));
    if r.status == 200 {
        let mut events: Vec<Value> = Vec::new();
        for line in r.body.split(|&c| c == b'\n') {
            let text = String::from_utf8_lossy(line);
            if text.trim().is_empty() {
                continue;
            }
            events.push(serde_json::from_str(&text).unwrap_or_else(
                |_| json!({"type": "__UNPARSED__", "object": format!("{text}\n")}),
            ));
        }
        if r.timed_out {
            events.push(json!({"type": "__CLIENT_READ_ERROR__", "object": "timed out"}));
        }
        let plain = events.len() == 1
            && !events[0].as_object().is_some_and(|m| {
                m.len() == 2 && m.contains_key("type") && m.contains_key("object")
            });
        if plain {
            resp.insert("body".into(), events.remove(0));
        } else {
            resp.insert("events".into(), Value::Array(events));
        }
    } else {
        resp.insert("body".into(), decode_body(&r.body));
    }
    (Value::Object(resp), during)
}

/// Run a whole scenario: create its namespaces, then every step in order.
pub async fn run_scenario(
    addr: SocketAddr,
    name: &str,
    scen: &Value,
) -> Result<Vec<Value>, String> {
    let ns = format!("rec-{name}");
    let mut ctx = Ctx {
        vars: BTreeMap::from([("ns".to_string(), ns)]),
        steps: BTreeMap::new(),
    };
    let namespaces = scen
        .get("namespaces")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_else(|| vec![json!("{{ns}}")]);
    for n in &namespaces {
        let n = stringify(resolve(n, &ctx).map_err(|Missing(e)| e)?);
        let step = json!({
            "method": "POST", "path": "/api/v1/namespaces",
            "body": {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": n}}
        });
        let r = run_plain(addr, &step, &ctx).await;
        if r["status"] != json!(201) {
            return Err(format!("creating namespace {n}: {r}"));
        }
    }
    let mut records = Vec::new();
    let steps = scen["steps"].as_array().cloned().unwrap_or_default();
    for (i, step) in steps.iter().enumerate() {
        let i = i + 1;
        let mut rec = Map::new();
        rec.insert("step".into(), json!(i));
        rec.insert("request".into(), request_record(step));
        let (resp, during) = if step["watch"].as_bool() == Some(true) {
            run_watch(addr, step, &ctx).await
        } else {
            (run_plain(addr, step, &ctx).await, vec![])
        };
        ctx.steps.insert(i, resp.clone());
        rec.insert("response".into(), resp);
        if !during.is_empty() {
            rec.insert("during".into(), Value::Array(during));
        }
        records.push(Value::Object(rec));
    }
    Ok(records)
}
