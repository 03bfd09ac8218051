//! Kubernetes' url library: `url()`, `isURL()`, `getScheme()`, `getHost()`,
//! `getHostname()`, `getPort()`, `getEscapedPath()`, `getQuery()`, on Go's
//! `url.ParseRequestURI` (an absolute URL or an absolute path).

use std::collections::HashMap;
use std::sync::Arc;

use cel::common::types::{STRING_TYPE, Type};
use cel::objects::{Key, Map, Opaque};
use cel::{DeclarationError, Env, ExecutionError, Value as Cel};

use super::{opaque, opaque_arg, str_arg};
use crate::env::{fail, global, member, native};

/// `kubernetes.URL`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Url {
    scheme: String,
    host: String,
    path: String,
    query: String,
}

impl Opaque for Url {
    fn runtime_type_name(&self) -> &str {
        "kubernetes.URL"
    }
}

fn url_type() -> Type {
    Type::new_opaque_type("kubernetes.URL")
}

pub(crate) fn register(env: &mut Env) -> Result<(), DeclarationError> {
    global(env, "url", vec![STRING_TYPE], to_url)?;
    global(env, "isURL", vec![STRING_TYPE], is_url)?;
    member(env, "getScheme", url_type(), vec![], get_scheme)?;
    member(env, "getHost", url_type(), vec![], get_host)?;
    member(env, "getHostname", url_type(), vec![], get_hostname)?;
    member(env, "getPort", url_type(), vec![], get_port)?;
    member(env, "getEscapedPath", url_type(), vec![], get_path)?;
    member(env, "getQuery", url_type(), vec![], get_query)?;
    Ok(())
}

fn parse(s: &str) -> Result<Url, String> {
    let bad = || format!("parse {s:?}: invalid URI for request");
    if s.chars().any(|c| c.is_control() || c == ' ') {
        return Err(format!("parse {s:?}: invalid character in URL"));
    }
    let (rest, query) = match s.split_once('?') {
        Some((r, q)) => (r, q.to_owned()),
        None => (s, String::new()),
    };
    if rest.starts_with('/') {
        return Ok(Url {
            scheme: String::new(),
            host: String::new(),
            path: rest.to_owned(),
            query,
        });
    }
    let colon = rest.find(':').ok_or_else(bad)?;
    let scheme = &rest[..colon];
    let valid_scheme = scheme
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
    if !valid_scheme {
        return Err(if scheme.is_empty() {
            format!("parse {s:?}: missing protocol scheme")
        } else {
            bad()
        });
    }
    let after = &rest[colon + 1..];
    let (host, path) = match after.strip_prefix("//") {
        Some(hp) => {
            let end = hp.find('/').unwrap_or(hp.len());
            let authority = &hp[..end];
            let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
            (host.to_owned(), hp[end..].to_owned())
        }
        None if after.starts_with('/') => (String::new(), after.to_owned()),
        None => return Err(bad()),
    };
    Ok(Url {
        scheme: scheme.to_owned(),
        host,
        path,
        query,
    })
}

native!(to_url, |a| {
    let s = str_arg(&a, 0)?;
    parse(s).map(opaque).map_err(|e| {
        fail(
            "url",
            format!("URL {s:?} parse error during conversion from string: {e}"),
        )
    })
});
native!(is_url, |a| Ok(Cel::Bool(parse(str_arg(&a, 0)?).is_ok())));

fn url(a: &[Cel]) -> Result<&Url, ExecutionError> {
    opaque_arg::<Url>(a, 0)
}

fn string(s: &str) -> Cel {
    Cel::String(Arc::new(s.to_owned()))
}

fn split_host(host: &str) -> (&str, &str) {
    if let Some(rest) = host.strip_prefix('[')
        && let Some((h, tail)) = rest.split_once(']')
    {
        return (h, tail.strip_prefix(':').unwrap_or(""));
    }
    match host.rsplit_once(':') {
        Some((h, p)) => (h, p),
        None => (host, ""),
    }
}

native!(get_scheme, |a| Ok(string(&url(&a)?.scheme)));
native!(get_host, |a| Ok(string(&url(&a)?.host)));
native!(get_hostname, |a| Ok(string(split_host(&url(&a)?.host).0)));
native!(get_port, |a| Ok(string(split_host(&url(&a)?.host).1)));
native!(get_path, |a| Ok(string(&url(&a)?.path)));
native!(get_query, |a| {
    let mut m: HashMap<Key, Vec<Cel>> = HashMap::new();
    for pair in url(&a)?.query.split(['&', ';']).filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        m.entry(Key::String(Arc::new(k.to_owned())))
            .or_default()
            .push(string(v));
    }
    let map = m
        .into_iter()
        .map(|(k, v)| (k, Cel::List(Arc::new(v))))
        .collect();
    Ok(Cel::Map(Map { map: Arc::new(map) }))
});

/// `url.ParseRequestURI`'s verdict, for `format.uri()`.
pub(crate) fn check(s: &str) -> Result<(), String> {
    parse(s).map(|_| ())
}
