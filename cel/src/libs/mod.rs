//! Kubernetes' CEL libraries (k8s.io/apiserver `pkg/cel/library`), written on the cel
//! crate's overload API: each module registers its functions on the environment.

use std::sync::Arc;

use cel::objects::Opaque;
use cel::{DeclarationError, Env, ExecutionError, Value as Cel};

pub(crate) mod duration;
mod format;
mod ip;
mod lists;
mod quantity;
mod regex;
mod semver;
mod sets;
mod url;

/// Register every library.
pub(crate) fn register(env: &mut Env) -> Result<(), DeclarationError> {
    lists::register(env)?;
    regex::register(env)?;
    ip::register(env)?;
    url::register(env)?;
    quantity::register(env)?;
    semver::register(env)?;
    sets::register(env)?;
    format::register(env)?;
    Ok(())
}

/// Argument `i` as a string.
pub(crate) fn str_arg(a: &[Cel], i: usize) -> Result<&str, ExecutionError> {
    match a.get(i) {
        Some(Cel::String(s)) => Ok(s.as_str()),
        _ => Err(ExecutionError::no_such_overload("arg", vec![])),
    }
}

/// Argument `i` as an int.
pub(crate) fn int_arg(a: &[Cel], i: usize) -> Result<i64, ExecutionError> {
    match a.get(i) {
        Some(Cel::Int(n)) => Ok(*n),
        _ => Err(ExecutionError::no_such_overload("arg", vec![])),
    }
}

/// Argument `i` as a bool.
pub(crate) fn bool_arg(a: &[Cel], i: usize) -> Result<bool, ExecutionError> {
    match a.get(i) {
        Some(Cel::Bool(b)) => Ok(*b),
        _ => Err(ExecutionError::no_such_overload("arg", vec![])),
    }
}

/// Argument `i` as the opaque value `T`.
pub(crate) fn opaque_arg<T: Opaque>(a: &[Cel], i: usize) -> Result<&T, ExecutionError> {
    match a.get(i) {
        Some(Cel::Opaque(o)) => o
            .downcast_ref::<T>()
            .ok_or_else(|| ExecutionError::no_such_overload("arg", vec![])),
        _ => Err(ExecutionError::no_such_overload("arg", vec![])),
    }
}

/// An opaque value.
pub(crate) fn opaque<T: Opaque>(v: T) -> Cel {
    Cel::Opaque(Arc::new(v))
}

/// `optional.of(v)` / `optional.none()`.
pub(crate) fn optional(v: Option<Cel>) -> Cel {
    let o = match v {
        Some(v) => cel::objects::OptionalValue::of(v),
        None => cel::objects::OptionalValue::none(),
    };
    Cel::Opaque(Arc::new(o))
}

pub(crate) use url::check as url_check;
