//! cel-go's sets extension (in the Kubernetes environment since 1.29):
//! `sets.contains(a, b)`, `sets.equivalent(a, b)`, `sets.intersects(a, b)`.

use cel::common::types::LIST_TYPE;
use cel::{DeclarationError, Env, ExecutionError, Value as Cel};

use crate::env::{global, native};

pub(crate) fn register(env: &mut Env) -> Result<(), DeclarationError> {
    global(env, "sets.contains", vec![LIST_TYPE, LIST_TYPE], contains)?;
    global(
        env,
        "sets.equivalent",
        vec![LIST_TYPE, LIST_TYPE],
        equivalent,
    )?;
    global(
        env,
        "sets.intersects",
        vec![LIST_TYPE, LIST_TYPE],
        intersects,
    )?;
    Ok(())
}

fn lists(a: &[Cel]) -> Result<(&[Cel], &[Cel]), ExecutionError> {
    match (a.first(), a.get(1)) {
        (Some(Cel::List(x)), Some(Cel::List(y))) => Ok((x.as_slice(), y.as_slice())),
        _ => Err(ExecutionError::no_such_overload("sets", vec![])),
    }
}

/// Every element of `sub` is in `of` (CEL equality: `1 == 1.0`).
fn all_in(sub: &[Cel], of: &[Cel]) -> bool {
    sub.iter().all(|x| of.contains(x))
}

native!(contains, |a| {
    let (x, y) = lists(&a)?;
    Ok(Cel::Bool(all_in(y, x)))
});
native!(equivalent, |a| {
    let (x, y) = lists(&a)?;
    Ok(Cel::Bool(all_in(x, y) && all_in(y, x)))
});
native!(intersects, |a| {
    let (x, y) = lists(&a)?;
    Ok(Cel::Bool(x.iter().any(|v| y.contains(v))))
});
