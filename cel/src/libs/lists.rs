//! Kubernetes' lists library: `isSorted`, `sum`, `min`, `max`, `indexOf`,
//! `lastIndexOf` (and `includes`, version 1).

use std::cmp::Ordering;

use cel::common::types::{DYN_TYPE, LIST_TYPE};
use cel::{DeclarationError, Env, ExecutionError, Value as Cel};

use crate::env::{fail, member, native};

pub(crate) fn register(env: &mut Env) -> Result<(), DeclarationError> {
    member(env, "isSorted", LIST_TYPE, vec![], is_sorted)?;
    member(env, "sum", LIST_TYPE, vec![], sum)?;
    member(env, "min", LIST_TYPE, vec![], min)?;
    member(env, "max", LIST_TYPE, vec![], max)?;
    member(env, "indexOf", LIST_TYPE, vec![DYN_TYPE], index_of)?;
    member(env, "lastIndexOf", LIST_TYPE, vec![DYN_TYPE], last_index_of)?;
    Ok(())
}

fn list(a: &[Cel]) -> Result<&[Cel], ExecutionError> {
    match a.first() {
        Some(Cel::List(l)) => Ok(l.as_slice()),
        _ => Err(ExecutionError::no_such_overload("list", vec![])),
    }
}

fn compare(a: &Cel, b: &Cel) -> Result<Ordering, ExecutionError> {
    a.partial_cmp(b)
        .ok_or_else(|| ExecutionError::ValuesNotComparable(a.clone(), b.clone()))
}

native!(is_sorted, |a| {
    let l = list(&a)?;
    let mut ok = true;
    for w in l.windows(2) {
        if compare(&w[0], &w[1])? == Ordering::Greater {
            ok = false;
            break;
        }
    }
    Ok(Cel::Bool(ok))
});

native!(sum, |a| {
    let l = list(&a)?;
    let mut acc: Option<Cel> = None;
    for v in l {
        acc = Some(match (acc, v) {
            (None, v) => v.clone(),
            (Some(Cel::Int(x)), Cel::Int(y)) => Cel::Int(
                x.checked_add(*y)
                    .ok_or_else(|| fail("sum", "integer overflow"))?,
            ),
            (Some(Cel::UInt(x)), Cel::UInt(y)) => Cel::UInt(
                x.checked_add(*y)
                    .ok_or_else(|| fail("sum", "unsigned integer overflow"))?,
            ),
            (Some(Cel::Float(x)), Cel::Float(y)) => Cel::Float(x + y),
            (Some(Cel::Duration(x)), Cel::Duration(y)) => Cel::Duration(x + *y),
            _ => return Err(ExecutionError::no_such_overload("sum", vec![])),
        });
    }
    // An empty list sums to the zero of its element type; untyped here, so int.
    Ok(acc.unwrap_or(Cel::Int(0)))
});

fn extreme(name: &str, a: &[Cel], want: Ordering) -> Result<Cel, ExecutionError> {
    let l = list(a)?;
    let mut best = l
        .first()
        .ok_or_else(|| fail(name, format!("{name} called on empty list")))?;
    for v in &l[1..] {
        if compare(v, best)? == want {
            best = v;
        }
    }
    Ok(best.clone())
}

native!(min, |a| extreme("min", &a, Ordering::Less));
native!(max, |a| extreme("max", &a, Ordering::Greater));

native!(index_of, |a| {
    let l = list(&a)?;
    Ok(Cel::Int(
        l.iter().position(|v| v == &a[1]).map_or(-1, |i| i as i64),
    ))
});

native!(last_index_of, |a| {
    let l = list(&a)?;
    Ok(Cel::Int(
        l.iter().rposition(|v| v == &a[1]).map_or(-1, |i| i as i64),
    ))
});
