//! Kubernetes' semver library (blang/semver): `semver()`, `isSemver()` (with the
//! `normalize` flag of version 1), `isGreaterThan()`, `isLessThan()`, `compareTo()`,
//! `major()`, `minor()`, `patch()`.

use std::cmp::Ordering;

use cel::common::types::{BOOL_TYPE, STRING_TYPE, Type};
use cel::objects::Opaque;
use cel::{DeclarationError, Env, ExecutionError, Value as Cel};

use super::{bool_arg, opaque, opaque_arg, str_arg};
use crate::env::{fail, global, member, native};

/// `kubernetes.Semver`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Semver {
    major: u64,
    minor: u64,
    patch: u64,
    pre: Vec<String>,
}

impl Opaque for Semver {
    fn runtime_type_name(&self) -> &str {
        "kubernetes.Semver"
    }
}

fn semver_type() -> Type {
    Type::new_opaque_type("kubernetes.Semver")
}

pub(crate) fn register(env: &mut Env) -> Result<(), DeclarationError> {
    global(env, "semver", vec![STRING_TYPE], to_semver)?;
    global(env, "semver", vec![STRING_TYPE, BOOL_TYPE], to_semver_n)?;
    global(env, "isSemver", vec![STRING_TYPE], is_semver)?;
    global(env, "isSemver", vec![STRING_TYPE, BOOL_TYPE], is_semver_n)?;
    let t = semver_type;
    member(env, "isGreaterThan", t(), vec![t()], greater)?;
    member(env, "isLessThan", t(), vec![t()], less)?;
    member(env, "compareTo", t(), vec![t()], compare_to)?;
    member(env, "major", t(), vec![], major)?;
    member(env, "minor", t(), vec![], minor)?;
    member(env, "patch", t(), vec![], patch)?;
    Ok(())
}

fn num(s: &str) -> Result<u64, String> {
    if s.is_empty() || (s.len() > 1 && s.starts_with('0')) || !s.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(format!("Invalid number {s:?}"));
    }
    s.parse().map_err(|_| format!("Invalid number {s:?}"))
}

fn parse(s: &str, normalize: bool) -> Result<Semver, String> {
    let mut s = s.to_owned();
    if normalize {
        s = s.trim_start_matches('v').to_owned();
        let core_end = s.find(['-', '+']).unwrap_or(s.len());
        let mut core: Vec<String> = s[..core_end]
            .split('.')
            .map(|p| {
                let t = p.trim_start_matches('0');
                if t.is_empty() {
                    "0".to_owned()
                } else {
                    t.to_owned()
                }
            })
            .collect();
        while core.len() < 3 {
            core.push("0".to_owned());
        }
        s = format!("{}{}", core.join("."), &s[core_end..]);
    }
    let no_build = s.split_once('+').map_or(s.as_str(), |(v, _)| v);
    let (core, pre) = match no_build.split_once('-') {
        Some((c, p)) => (c, p.split('.').map(str::to_owned).collect()),
        None => (no_build, Vec::new()),
    };
    let parts: Vec<&str> = core.split('.').collect();
    if parts.len() != 3 {
        return Err("No Major.Minor.Patch elements found".to_owned());
    }
    Ok(Semver {
        major: num(parts[0])?,
        minor: num(parts[1])?,
        patch: num(parts[2])?,
        pre,
    })
}

fn cmp(a: &Semver, b: &Semver) -> Ordering {
    (a.major, a.minor, a.patch)
        .cmp(&(b.major, b.minor, b.patch))
        .then_with(|| match (a.pre.is_empty(), b.pre.is_empty()) {
            (true, true) => Ordering::Equal,
            (true, false) => Ordering::Greater,
            (false, true) => Ordering::Less,
            (false, false) => {
                for (x, y) in a.pre.iter().zip(&b.pre) {
                    let o = match (x.parse::<u64>(), y.parse::<u64>()) {
                        (Ok(x), Ok(y)) => x.cmp(&y),
                        (Ok(_), Err(_)) => Ordering::Less,
                        (Err(_), Ok(_)) => Ordering::Greater,
                        _ => x.cmp(y),
                    };
                    if o != Ordering::Equal {
                        return o;
                    }
                }
                a.pre.len().cmp(&b.pre.len())
            }
        })
}

fn convert(a: &[Cel], normalize: bool) -> Result<Cel, ExecutionError> {
    let s = str_arg(a, 0)?;
    parse(s, normalize).map(opaque).map_err(|e| {
        fail(
            "semver",
            format!("Semver {s:?} parse error during conversion from string: {e}"),
        )
    })
}

native!(to_semver, |a| convert(&a, false));
native!(to_semver_n, |a| convert(&a, bool_arg(&a, 1)?));
native!(is_semver, |a| Ok(Cel::Bool(
    parse(str_arg(&a, 0)?, false).is_ok()
)));
native!(is_semver_n, |a| Ok(Cel::Bool(
    parse(str_arg(&a, 0)?, bool_arg(&a, 1)?).is_ok()
)));

fn pair(a: &[Cel]) -> Result<Ordering, ExecutionError> {
    Ok(cmp(
        opaque_arg::<Semver>(a, 0)?,
        opaque_arg::<Semver>(a, 1)?,
    ))
}

native!(greater, |a| Ok(Cel::Bool(pair(&a)? == Ordering::Greater)));
native!(less, |a| Ok(Cel::Bool(pair(&a)? == Ordering::Less)));
native!(compare_to, |a| Ok(Cel::Int(pair(&a)? as i64)));
native!(major, |a| Ok(Cel::Int(
    opaque_arg::<Semver>(&a, 0)?.major as i64
)));
native!(minor, |a| Ok(Cel::Int(
    opaque_arg::<Semver>(&a, 0)?.minor as i64
)));
native!(patch, |a| Ok(Cel::Int(
    opaque_arg::<Semver>(&a, 0)?.patch as i64
)));
