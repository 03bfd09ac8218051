//! Kubernetes' regex library: `find`, `findAll` (RE2 syntax; the regex crate's is the
//! same for what rules use).

use std::sync::Arc;

use cel::common::types::{INT_TYPE, STRING_TYPE};
use cel::{DeclarationError, Env, Value as Cel};

use super::{int_arg, str_arg};
use crate::env::{fail, member, native};

pub(crate) fn register(env: &mut Env) -> Result<(), DeclarationError> {
    member(env, "find", STRING_TYPE, vec![STRING_TYPE], find)?;
    member(env, "findAll", STRING_TYPE, vec![STRING_TYPE], find_all)?;
    member(
        env,
        "findAll",
        STRING_TYPE,
        vec![STRING_TYPE, INT_TYPE],
        find_all_n,
    )?;
    Ok(())
}

fn compile(name: &str, re: &str) -> Result<regex::Regex, cel::ExecutionError> {
    regex::Regex::new(re).map_err(|e| fail(name, format!("error parsing regexp: {e}")))
}

native!(find, |a| {
    let re = compile("find", str_arg(&a, 1)?)?;
    let s = str_arg(&a, 0)?;
    Ok(Cel::String(Arc::new(
        re.find(s)
            .map(|m| m.as_str().to_owned())
            .unwrap_or_default(),
    )))
});

fn all(a: &[Cel], n: i64) -> Result<Cel, cel::ExecutionError> {
    let re = compile("findAll", str_arg(a, 1)?)?;
    let s = str_arg(a, 0)?;
    let limit = if n < 0 { usize::MAX } else { n as usize };
    let found = re
        .find_iter(s)
        .take(limit)
        .map(|m| Cel::String(Arc::new(m.as_str().to_owned())))
        .collect();
    Ok(Cel::List(Arc::new(found)))
}

native!(find_all, |a| all(&a, -1));
native!(find_all_n, |a| all(&a, int_arg(&a, 2)?));
