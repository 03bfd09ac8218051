//! Kubernetes' format library: `format.named(name)` (an optional format),
//! `format.dns1123Label()` and the other named formats, and `<format>.validate(s)`
//! (an optional list of messages, none when valid), with apimachinery's messages.

use std::sync::Arc;

use cel::common::types::{STRING_TYPE, Type};
use cel::objects::Opaque;
use cel::{DeclarationError, Env, Value as Cel};
use regex::Regex;

use super::{opaque, opaque_arg, optional, str_arg};
use crate::env::{global, member, native};

/// `kubernetes.NamedFormat`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Format(&'static str);

impl Opaque for Format {
    fn runtime_type_name(&self) -> &str {
        "kubernetes.NamedFormat"
    }
}

fn format_type() -> Type {
    Type::new_opaque_type("kubernetes.NamedFormat")
}

const NAMES: [&str; 13] = [
    "dns1123Label",
    "dns1123Subdomain",
    "dns1035Label",
    "qualifiedName",
    "dns1123LabelPrefix",
    "dns1123SubdomainPrefix",
    "dns1035LabelPrefix",
    "labelValue",
    "uri",
    "uuid",
    "byte",
    "date",
    "datetime",
];

macro_rules! constant {
    ($($f:ident = $name:literal),* $(,)?) => {
        $(native!($f, |_a| Ok(opaque(Format($name))));)*
        fn register_constants(env: &mut Env) -> Result<(), DeclarationError> {
            $(global(env, concat!("format.", $name), vec![], $f)?;)*
            Ok(())
        }
    };
}

constant!(
    f_dns1123_label = "dns1123Label",
    f_dns1123_subdomain = "dns1123Subdomain",
    f_dns1035_label = "dns1035Label",
    f_qualified_name = "qualifiedName",
    f_dns1123_label_prefix = "dns1123LabelPrefix",
    f_dns1123_subdomain_prefix = "dns1123SubdomainPrefix",
    f_dns1035_label_prefix = "dns1035LabelPrefix",
    f_label_value = "labelValue",
    f_uri = "uri",
    f_uuid = "uuid",
    f_byte = "byte",
    f_date = "date",
    f_datetime = "datetime",
);

pub(crate) fn register(env: &mut Env) -> Result<(), DeclarationError> {
    register_constants(env)?;
    global(env, "format.named", vec![STRING_TYPE], named)?;
    member(env, "validate", format_type(), vec![STRING_TYPE], validate)?;
    Ok(())
}

native!(named, |a| {
    let name = str_arg(&a, 0)?;
    Ok(optional(
        NAMES
            .iter()
            .find(|n| **n == name)
            .map(|n| opaque(Format(n))),
    ))
});

native!(validate, |a| {
    let f = opaque_arg::<Format>(&a, 0)?;
    let errs = check(f.0, str_arg(&a, 1)?);
    Ok(optional((!errs.is_empty()).then(|| {
        Cel::List(Arc::new(
            errs.into_iter().map(|e| Cel::String(Arc::new(e))).collect(),
        ))
    })))
});

const LABEL: &str = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const LABEL_MSG: &str = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const SUBDOMAIN: &str = r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
const SUBDOMAIN_MSG: &str = r"a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const DNS1035: &str = "[a-z]([-a-z0-9]*[a-z0-9])?";
const DNS1035_MSG: &str = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
const LABEL_VALUE: &str = "(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?";
const LABEL_VALUE_MSG: &str = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
const QNAME: &str = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
const QNAME_MSG: &str = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

fn full(re: &str, s: &str) -> bool {
    Regex::new(&format!("^(?:{re})$")).is_ok_and(|r| r.is_match(s))
}

fn with_len(s: &str, max: usize, re: &str, msg: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if s.len() > max {
        errs.push(format!("must be no more than {max} characters"));
    }
    if !full(re, s) {
        errs.push(msg.to_owned());
    }
    errs
}

/// `maskTrailingDash`: a prefix may end in `-`.
fn prefix(s: &str) -> String {
    match s.strip_suffix('-') {
        Some(head) if s.len() > 1 => format!("{head}a"),
        _ => s.to_owned(),
    }
}

fn check(format: &str, s: &str) -> Vec<String> {
    match format {
        "dns1123Label" => with_len(s, 63, LABEL, LABEL_MSG),
        "dns1123LabelPrefix" => with_len(&prefix(s), 63, LABEL, LABEL_MSG),
        "dns1123Subdomain" => with_len(s, 253, SUBDOMAIN, SUBDOMAIN_MSG),
        "dns1123SubdomainPrefix" => with_len(&prefix(s), 253, SUBDOMAIN, SUBDOMAIN_MSG),
        "dns1035Label" => with_len(s, 63, DNS1035, DNS1035_MSG),
        "dns1035LabelPrefix" => with_len(&prefix(s), 63, DNS1035, DNS1035_MSG),
        "labelValue" => with_len(s, 63, LABEL_VALUE, LABEL_VALUE_MSG),
        "qualifiedName" => qualified_name(s),
        "uri" => match super::url_check(s) {
            Ok(()) => vec![],
            Err(e) => vec![e],
        },
        "uuid" => ok(
            full(
                "(?i)[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}",
                s,
            ),
            "does not match the UUID format",
        ),
        "byte" => ok(
            full(
                "(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?",
                s,
            ),
            "invalid base64",
        ),
        "date" => ok(
            chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok(),
            "invalid date",
        ),
        "datetime" => ok(
            chrono::DateTime::parse_from_rfc3339(s).is_ok(),
            "invalid datetime",
        ),
        _ => vec![],
    }
}

fn ok(valid: bool, msg: &str) -> Vec<String> {
    if valid { vec![] } else { vec![msg.to_owned()] }
}

/// `validation.IsQualifiedName`.
fn qualified_name(s: &str) -> Vec<String> {
    let parts: Vec<&str> = s.split('/').collect();
    let (prefix, name) = match parts.as_slice() {
        [name] => (None, *name),
        [p, name] => (Some(*p), *name),
        _ => {
            return vec![format!("a qualified name {QNAME_MSG_PREFIX}")];
        }
    };
    let mut errs = Vec::new();
    if let Some(p) = prefix {
        if p.is_empty() {
            errs.push("prefix part must be non-empty".to_owned());
        } else {
            errs.extend(
                with_len(p, 253, SUBDOMAIN, SUBDOMAIN_MSG)
                    .into_iter()
                    .map(|e| format!("prefix part {e}")),
            );
        }
    }
    if name.is_empty() {
        errs.push("name part must be non-empty".to_owned());
    } else if name.len() > 63 {
        errs.push("name part must be no more than 63 characters".to_owned());
    }
    if !name.is_empty() && !full(QNAME, name) {
        errs.push(QNAME_MSG.to_owned());
    }
    errs
}

const QNAME_MSG_PREFIX: &str = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')";
