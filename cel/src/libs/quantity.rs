//! Kubernetes' quantity library: `quantity()`, `isQuantity()`, `sign()`,
//! `isGreaterThan()`, `isLessThan()`, `compareTo()`, `asApproximateFloat()`,
//! `asInteger()`, `isInteger()`, `add()`, `sub()`. A quantity is held exactly as
//! `mantissa × 10^exp` (binary suffixes multiplied into the mantissa).

use std::cmp::Ordering;

use cel::common::types::{INT_TYPE, STRING_TYPE, Type};
use cel::objects::Opaque;
use cel::{DeclarationError, Env, ExecutionError, Value as Cel};

use super::{int_arg, opaque, opaque_arg, str_arg};
use crate::env::{fail, global, member, native};

/// `kubernetes.Quantity`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Quantity {
    mantissa: i128,
    exp: i32,
}

impl Opaque for Quantity {
    fn runtime_type_name(&self) -> &str {
        "kubernetes.Quantity"
    }
}

fn q_type() -> Type {
    Type::new_opaque_type("kubernetes.Quantity")
}

pub(crate) fn register(env: &mut Env) -> Result<(), DeclarationError> {
    global(env, "quantity", vec![STRING_TYPE], to_quantity)?;
    global(env, "isQuantity", vec![STRING_TYPE], is_quantity)?;
    let t = q_type;
    member(env, "sign", t(), vec![], sign)?;
    member(env, "isGreaterThan", t(), vec![t()], greater)?;
    member(env, "isLessThan", t(), vec![t()], less)?;
    member(env, "compareTo", t(), vec![t()], compare_to)?;
    member(env, "asApproximateFloat", t(), vec![], as_float)?;
    member(env, "asInteger", t(), vec![], as_integer)?;
    member(env, "isInteger", t(), vec![], is_integer)?;
    member(env, "add", t(), vec![t()], add)?;
    member(env, "add", t(), vec![INT_TYPE], add_int)?;
    member(env, "sub", t(), vec![t()], sub)?;
    member(env, "sub", t(), vec![INT_TYPE], sub_int)?;
    Ok(())
}

const SYNTAX: &str =
    "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

fn parse(s: &str) -> Result<Quantity, String> {
    let (neg, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let num_end = body
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(body.len());
    let (num, suffix) = body.split_at(num_end);
    if num.is_empty() || num == "." || num.matches('.').count() > 1 {
        return Err(SYNTAX.to_owned());
    }
    let (int, frac) = num.split_once('.').unwrap_or((num, ""));
    let digits = format!("{int}{frac}");
    let digits = digits.trim_start_matches('0');
    if digits.len() > 30 {
        return Err("quantity too large".to_owned());
    }
    let mut mantissa: i128 = if digits.is_empty() {
        0
    } else {
        digits.parse().map_err(|_| SYNTAX.to_owned())?
    };
    let mut exp = -(frac.len() as i32);
    let (bin, dec): (u32, i32) = match suffix {
        "" => (0, 0),
        "Ki" => (1, 0),
        "Mi" => (2, 0),
        "Gi" => (3, 0),
        "Ti" => (4, 0),
        "Pi" => (5, 0),
        "Ei" => (6, 0),
        "n" => (0, -9),
        "u" => (0, -6),
        "m" => (0, -3),
        "k" => (0, 3),
        "M" => (0, 6),
        "G" => (0, 9),
        "T" => (0, 12),
        "P" => (0, 15),
        "E" => (0, 18),
        s if s.starts_with(['e', 'E']) => {
            let e: i32 = s[1..].parse().map_err(|_| SYNTAX.to_owned())?;
            (0, e)
        }
        _ => return Err("unable to parse quantity's suffix".to_owned()),
    };
    mantissa = mantissa
        .checked_mul(1024i128.pow(bin))
        .ok_or("quantity too large")?;
    exp += dec;
    Ok(norm(Quantity {
        mantissa: if neg { -mantissa } else { mantissa },
        exp,
    }))
}

/// The one form of a value (no trailing zeros in the mantissa), so equal quantities
/// are equal values (`quantity('1') == quantity('1000m')`).
fn norm(mut q: Quantity) -> Quantity {
    if q.mantissa == 0 {
        return Quantity {
            mantissa: 0,
            exp: 0,
        };
    }
    while q.mantissa % 10 == 0 {
        q.mantissa /= 10;
        q.exp += 1;
    }
    q
}

/// Both at the smaller exponent (None on overflow).
fn align(a: Quantity, b: Quantity) -> Option<(i128, i128, i32)> {
    let e = a.exp.min(b.exp);
    let scale = |q: Quantity| {
        10i128
            .checked_pow((q.exp - e) as u32)
            .and_then(|p| q.mantissa.checked_mul(p))
    };
    Some((scale(a)?, scale(b)?, e))
}

fn cmp(a: Quantity, b: Quantity) -> Ordering {
    match align(a, b) {
        Some((x, y, _)) => x.cmp(&y),
        None => to_f64(a).partial_cmp(&to_f64(b)).unwrap_or(Ordering::Equal),
    }
}

fn to_f64(q: Quantity) -> f64 {
    q.mantissa as f64 * 10f64.powi(q.exp)
}

fn as_int(q: Quantity) -> Option<i64> {
    if q.exp >= 0 {
        let v = q.mantissa.checked_mul(10i128.checked_pow(q.exp as u32)?)?;
        i64::try_from(v).ok()
    } else {
        let p = 10i128.checked_pow((-q.exp) as u32)?;
        (q.mantissa % p == 0)
            .then(|| i64::try_from(q.mantissa / p).ok())
            .flatten()
    }
}

native!(to_quantity, |a| {
    let s = str_arg(&a, 0)?;
    parse(s).map(opaque).map_err(|e| fail("quantity", e))
});
native!(is_quantity, |a| Ok(Cel::Bool(
    parse(str_arg(&a, 0)?).is_ok()
)));

fn q(a: &[Cel], i: usize) -> Result<Quantity, ExecutionError> {
    opaque_arg::<Quantity>(a, i).copied()
}

native!(sign, |a| Ok(Cel::Int(q(&a, 0)?.mantissa.signum() as i64)));
native!(greater, |a| Ok(Cel::Bool(
    cmp(q(&a, 0)?, q(&a, 1)?) == Ordering::Greater
)));
native!(less, |a| Ok(Cel::Bool(
    cmp(q(&a, 0)?, q(&a, 1)?) == Ordering::Less
)));
native!(compare_to, |a| Ok(Cel::Int(
    cmp(q(&a, 0)?, q(&a, 1)?) as i64
)));
native!(as_float, |a| Ok(Cel::Float(to_f64(q(&a, 0)?))));
native!(as_integer, |a| as_int(q(&a, 0)?).map(Cel::Int).ok_or_else(
    || fail("asInteger", "cannot convert value to integer")
));
native!(is_integer, |a| Ok(Cel::Bool(as_int(q(&a, 0)?).is_some())));

fn sum(x: Quantity, y: Quantity, negate: bool) -> Result<Cel, ExecutionError> {
    let (a, b, exp) = align(x, y).ok_or_else(|| fail("add", "quantity overflow"))?;
    let b = if negate { -b } else { b };
    let mantissa = a
        .checked_add(b)
        .ok_or_else(|| fail("add", "quantity overflow"))?;
    Ok(opaque(norm(Quantity { mantissa, exp })))
}

fn int_q(i: i64) -> Quantity {
    Quantity {
        mantissa: i128::from(i),
        exp: 0,
    }
}

native!(add, |a| sum(q(&a, 0)?, q(&a, 1)?, false));
native!(add_int, |a| sum(q(&a, 0)?, int_q(int_arg(&a, 1)?), false));
native!(sub, |a| sum(q(&a, 0)?, q(&a, 1)?, true));
native!(sub_int, |a| sum(q(&a, 0)?, int_q(int_arg(&a, 1)?), true));
