//! The types cel-go's checker gives expressions, as far as the cost estimator reads
//! them, and the overloads a call resolves to (cel-go `checker/checker.go`'s
//! resolution, for the standard library, the strings, lists and sets extensions and
//! Kubernetes' libraries). cel-rust has no type checker: this is only what
//! `cost.rs` needs; a function it does not know gives `dyn` and marks the estimate
//! unsure.

use crate::decl::{Decl, DeclKind};
use crate::value::RESERVED;

/// A CEL type.
#[derive(Debug, Clone)]
pub(crate) enum Ty<'a> {
    Bool,
    Int,
    Uint,
    Double,
    String,
    Bytes,
    Duration,
    Timestamp,
    Null,
    Dyn,
    Type,
    List(Box<Ty<'a>>),
    Map(Box<Ty<'a>>, Box<Ty<'a>>),
    /// A schema object (a struct for the checker).
    Object(&'a Decl),
    Optional(Box<Ty<'a>>),
    /// Kubernetes' library types (`kubernetes.URL`, `net.IP`, …).
    Opaque(&'static str),
}

impl<'a> Ty<'a> {
    /// The type of a declaration.
    pub(crate) fn of(d: &'a Decl) -> Ty<'a> {
        match &d.kind {
            DeclKind::Bool => Ty::Bool,
            DeclKind::Int => Ty::Int,
            DeclKind::Double => Ty::Double,
            DeclKind::String => Ty::String,
            DeclKind::Bytes => Ty::Bytes,
            DeclKind::Duration => Ty::Duration,
            DeclKind::Timestamp => Ty::Timestamp,
            DeclKind::Dyn => Ty::Dyn,
            DeclKind::List(e) => Ty::List(Box::new(Ty::of(e))),
            DeclKind::Map(v) => Ty::Map(Box::new(Ty::String), Box::new(Ty::of(v))),
            DeclKind::Object(_) => Ty::Object(d),
        }
    }

    /// Known to have a constant size (`isScalar`).
    pub(crate) fn is_scalar(&self) -> bool {
        match self {
            Ty::Bool | Ty::Int | Ty::Uint | Ty::Double | Ty::Duration | Ty::Timestamp => true,
            Ty::Optional(t) => t.is_scalar(),
            _ => false,
        }
    }

    pub(crate) fn is_dyn(&self) -> bool {
        matches!(self, Ty::Dyn)
    }

    /// The element type of a list (`Parameters()[0]`).
    pub(crate) fn elem(&self) -> Option<&Ty<'a>> {
        match self {
            Ty::List(e) => Some(e),
            _ => None,
        }
    }

    /// Same type (`Type.Equal`), for the equality special cases.
    pub(crate) fn same(&self, other: &Ty<'_>) -> bool {
        match (self, other) {
            (Ty::Opaque(a), Ty::Opaque(b)) => a == b,
            (Ty::Object(a), Ty::Object(b)) => std::ptr::eq(*a, *b),
            (Ty::List(a), Ty::List(b)) | (Ty::Optional(a), Ty::Optional(b)) => a.same(b),
            (Ty::Map(a, b), Ty::Map(c, d)) => a.same(c) && b.same(d),
            _ => std::mem::discriminant(self) == std::mem::discriminant(other),
        }
    }

    /// The field `name` selected on this type (`None`: a field the type does not
    /// declare, a compile error for cel-go), and whether the selection costs (the
    /// operand is a map or a struct).
    pub(crate) fn select(&self, name: &str) -> (Option<Ty<'a>>, bool) {
        match self {
            Ty::Object(d) => match &d.kind {
                // A reserved word is declared escaped (`__namespace__`) and selected
                // as itself (recognizeKeywordAsFieldName).
                DeclKind::Object(fields) => (
                    fields
                        .get(name)
                        .or_else(|| {
                            RESERVED
                                .contains(&name)
                                .then(|| fields.get(&format!("__{name}__")))
                                .flatten()
                        })
                        .map(Ty::of),
                    true,
                ),
                _ => (None, true),
            },
            Ty::Map(_, v) => (Some((**v).clone()), true),
            // A field of an optional value is optional (cel-go's optional select).
            Ty::Optional(t) => (
                t.select(name).0.map(|f| match f {
                    Ty::Optional(_) => f,
                    f => Ty::Optional(Box::new(f)),
                }),
                false,
            ),
            _ => (Some(Ty::Dyn), false),
        }
    }
}

/// The overloads whose cost cel-go's estimator computes specially (`functionCost`),
/// by overload id; every other overload is `Other` (O(1)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ov {
    Other,
    FormatString,
    StringToBytes,
    BytesToString,
    Quote,
    StartsEnds,
    InList,
    InMap,
    MatchesString,
    ContainsString,
    LogicalAndOr,
    Conditional,
    AddString,
    AddBytes,
    AddList,
    /// `less_string` … `greater_equals_bytes`.
    CompareStringBytes,
    Equals,
    IndexList,
    IndexMap,
    /// Kubernetes' `cidr_ip`, `cidr_contains_ip_string`, `cidr_contains_cidr_string`.
    CidrIp,
    CidrContainsIpString,
    CidrContainsCidrString,
    /// cel-go's sets extension: `sets.contains`, `sets.intersects` (cost factor 1),
    /// `sets.equivalent` (2), priced by their own estimators (ext/sets.go).
    Sets(u8),
    /// cel-go's lists extension v3, priced by its estimators (ext/lists.go).
    ListSlice,
    ListsRange,
    ListReverse,
    ListFlatten,
    ListDistinct,
    ListSort,
}

/// A resolved call: its overloads, its result type and whether the resolution is
/// known (not a guess).
pub(crate) struct Resolved<'a> {
    pub ovs: Vec<Ov>,
    pub ty: Ty<'a>,
    pub known: bool,
}

fn one<'a>(ov: Ov, ty: Ty<'a>) -> Resolved<'a> {
    Resolved {
        ovs: vec![ov],
        ty,
        known: true,
    }
}

/// Resolve `target.function(args)` / `function(args)` with these argument types.
pub(crate) fn resolve<'a>(
    function: &str,
    target: Option<&Ty<'a>>,
    args: &[Ty<'a>],
) -> Resolved<'a> {
    use Ov::*;
    let a0 = args.first();
    let a1 = args.get(1);
    let dyn_ = Ty::Dyn;
    let other = |ty| one(Other, ty);
    match (function, target) {
        ("_&&_" | "_||_", None) => one(LogicalAndOr, Ty::Bool),
        ("_?_:_", None) => one(Conditional, join(a1, args.get(2))),
        ("_==_" | "_!=_", None) => one(Equals, Ty::Bool),
        ("!_" | "@not_strictly_false", None) => other(Ty::Bool),
        ("-_", None) => other(a0.cloned().unwrap_or(Ty::Dyn)),
        ("_<_" | "_<=_" | "_>_" | "_>=_", None) => {
            let (l, r) = (a0.unwrap_or(&dyn_), a1.unwrap_or(&dyn_));
            let ovs = match (l, r) {
                (Ty::String | Ty::Bytes, _) | (Ty::Dyn, Ty::String | Ty::Bytes) => {
                    vec![CompareStringBytes]
                }
                (Ty::Dyn, Ty::Dyn) => vec![CompareStringBytes, Other],
                _ => vec![Other],
            };
            Resolved {
                ovs,
                ty: Ty::Bool,
                known: true,
            }
        }
        ("_+_", None) => {
            let (l, r) = (a0.unwrap_or(&dyn_), a1.unwrap_or(&dyn_));
            let t = if l.is_dyn() { r } else { l };
            match t {
                Ty::String => one(AddString, Ty::String),
                Ty::Bytes => one(AddBytes, Ty::Bytes),
                Ty::List(_) => {
                    let ty = join(Some(l), Some(r));
                    // Lists of types that do not unify: cel-go finds no overload (a
                    // compile error this port does not report): no estimate.
                    let known = !ty.is_dyn() || l.is_dyn() || r.is_dyn();
                    Resolved {
                        ovs: vec![AddList],
                        ty,
                        known,
                    }
                }
                Ty::Dyn => Resolved {
                    ovs: vec![AddString, AddBytes, AddList, Other],
                    ty: Ty::Dyn,
                    known: true,
                },
                Ty::Duration if matches!(r, Ty::Timestamp) => other(Ty::Timestamp),
                t => other(t.clone()),
            }
        }
        ("_-_", None) => match (a0.unwrap_or(&dyn_), a1.unwrap_or(&dyn_)) {
            (Ty::Timestamp, Ty::Timestamp) => other(Ty::Duration),
            (Ty::Dyn, r) => other(r.clone()),
            (l, _) => other(l.clone()),
        },
        ("_*_" | "_/_" | "_%_", None) => {
            let l = a0.unwrap_or(&dyn_);
            other(if l.is_dyn() {
                a1.cloned().unwrap_or(Ty::Dyn)
            } else {
                l.clone()
            })
        }
        ("_[_]", None) => match a0.unwrap_or(&dyn_) {
            Ty::List(e) => one(IndexList, (**e).clone()),
            Ty::Map(_, v) => one(IndexMap, (**v).clone()),
            Ty::Object(_) => other(Ty::Dyn),
            _ => Resolved {
                ovs: vec![IndexList, IndexMap],
                ty: Ty::Dyn,
                known: true,
            },
        },
        ("_[?_]", None) => match a0.unwrap_or(&dyn_) {
            Ty::List(e) | Ty::Map(_, e) => other(Ty::Optional(e.clone())),
            _ => other(Ty::Optional(Box::new(Ty::Dyn))),
        },
        ("@in", None) => match a1.unwrap_or(&dyn_) {
            Ty::List(_) => one(InList, Ty::Bool),
            Ty::Map(..) => one(InMap, Ty::Bool),
            _ => Resolved {
                ovs: vec![InList, InMap],
                ty: Ty::Bool,
                known: true,
            },
        },
        ("size", _) => other(Ty::Int),
        ("matches", Some(_)) => one(MatchesString, Ty::Bool),
        ("matches", None) => other(Ty::Bool),
        ("contains", Some(_)) => one(ContainsString, Ty::Bool),
        ("startsWith" | "endsWith", Some(_)) => one(StartsEnds, Ty::Bool),
        ("string", None) => match a0.unwrap_or(&dyn_) {
            Ty::Bytes => one(BytesToString, Ty::String),
            Ty::Dyn => Resolved {
                ovs: vec![BytesToString, Other],
                ty: Ty::String,
                known: true,
            },
            _ => other(Ty::String),
        },
        ("bytes", None) => match a0.unwrap_or(&dyn_) {
            Ty::String => one(StringToBytes, Ty::Bytes),
            Ty::Dyn => Resolved {
                ovs: vec![StringToBytes, Other],
                ty: Ty::Bytes,
                known: true,
            },
            _ => other(Ty::Bytes),
        },
        ("format", Some(_)) => one(FormatString, Ty::String),
        ("strings.quote", None) => one(Quote, Ty::String),
        ("int", None) => other(Ty::Int),
        ("uint", None) => other(Ty::Uint),
        ("double", None) => other(Ty::Double),
        ("bool", None) => other(Ty::Bool),
        ("duration", None) => other(Ty::Duration),
        ("timestamp", None) => other(Ty::Timestamp),
        ("type", None) => other(Ty::Type),
        ("dyn", None) => other(Ty::Dyn),
        (
            "getFullYear" | "getMonth" | "getDayOfYear" | "getDayOfMonth" | "getDate"
            | "getDayOfWeek" | "getHours" | "getMinutes" | "getSeconds" | "getMilliseconds",
            Some(_),
        ) => other(Ty::Int),
        // optional types
        ("_?._", None) => other(Ty::Optional(Box::new(Ty::Dyn))),
        ("hasValue", Some(_)) => other(Ty::Bool),
        ("value" | "orValue", Some(Ty::Optional(t))) => other((**t).clone()),
        ("or", Some(t)) => other(t.clone()),
        ("optional.of" | "optional.ofNonZeroValue", None) => {
            other(Ty::Optional(Box::new(a0.cloned().unwrap_or(Ty::Dyn))))
        }
        ("optional.none", None) => other(Ty::Optional(Box::new(Ty::Dyn))),
        // strings extension
        (
            "lowerAscii" | "upperAscii" | "trim" | "substring" | "replace" | "charAt" | "reverse",
            Some(Ty::String | Ty::Dyn),
        ) => other(Ty::String),
        ("indexOf" | "lastIndexOf", Some(_)) => other(Ty::Int),
        ("split", Some(_)) => other(Ty::List(Box::new(Ty::String))),
        ("join", Some(_)) => other(Ty::String),
        // Kubernetes lists, regex
        ("isSorted", Some(_)) => other(Ty::Bool),
        ("sum" | "max" | "min", Some(t)) => other(t.elem().cloned().unwrap_or(Ty::Dyn)),
        ("find", Some(_)) => other(Ty::String),
        ("findAll", Some(_)) => other(Ty::List(Box::new(Ty::String))),
        // lists extension
        ("slice", Some(t)) => one(ListSlice, t.clone()),
        ("distinct", Some(t)) => one(ListDistinct, t.clone()),
        ("sort", Some(t)) => one(ListSort, t.clone()),
        ("reverse", Some(t @ Ty::List(_))) => one(ListReverse, t.clone()),
        ("flatten", Some(_)) => one(ListFlatten, Ty::List(Box::new(Ty::Dyn))),
        ("first" | "last", Some(t)) => {
            other(Ty::Optional(Box::new(t.elem().cloned().unwrap_or(Ty::Dyn))))
        }
        ("lists.range", None) => one(ListsRange, Ty::List(Box::new(Ty::Int))),
        ("includes", Some(_)) => other(Ty::Bool),
        ("sets.contains" | "sets.intersects", None) => one(Sets(1), Ty::Bool),
        ("sets.equivalent", None) => one(Sets(2), Ty::Bool),
        // url
        ("url", None) => other(Ty::Opaque("kubernetes.URL")),
        ("jsonpatch.escapeKey", None) => other(Ty::String),
        ("isURL" | "isIP" | "isCIDR" | "isQuantity" | "isSemver", None) => other(Ty::Bool),
        ("getScheme" | "getHost" | "getHostname" | "getPort" | "getEscapedPath", Some(_)) => {
            other(Ty::String)
        }
        ("getQuery", Some(_)) => other(Ty::Map(
            Box::new(Ty::String),
            Box::new(Ty::List(Box::new(Ty::String))),
        )),
        // ip, cidr
        ("ip", None) => other(Ty::Opaque("net.IP")),
        ("ip", Some(_)) => one(CidrIp, Ty::Opaque("net.IP")),
        ("cidr", None) => other(Ty::Opaque("net.CIDR")),
        ("masked", Some(_)) => other(Ty::Opaque("net.CIDR")),
        ("family" | "prefixLength", Some(_)) => other(Ty::Int),
        ("ip.isCanonical", None) => other(Ty::Bool),
        (
            "isUnspecified"
            | "isLoopback"
            | "isLinkLocalMulticast"
            | "isLinkLocalUnicast"
            | "isGlobalUnicast",
            Some(_),
        ) => other(Ty::Bool),
        ("containsIP", Some(_)) => one(
            if matches!(a0, Some(Ty::String)) {
                CidrContainsIpString
            } else {
                Other
            },
            Ty::Bool,
        ),
        ("containsCIDR", Some(_)) => one(
            if matches!(a0, Some(Ty::String)) {
                CidrContainsCidrString
            } else {
                Other
            },
            Ty::Bool,
        ),
        // quantity, semver
        ("quantity", None) => other(Ty::Opaque("kubernetes.Quantity")),
        ("semver", None) => other(Ty::Opaque("kubernetes.Semver")),
        ("sign" | "compareTo" | "asInteger" | "major" | "minor" | "patch", Some(_)) => {
            other(Ty::Int)
        }
        ("isInteger" | "isGreaterThan" | "isLessThan", Some(_)) => other(Ty::Bool),
        ("asApproximateFloat", Some(_)) => other(Ty::Double),
        ("add" | "sub", Some(t)) => other(t.clone()),
        // format
        ("format.named", None) => {
            other(Ty::Optional(Box::new(Ty::Opaque("kubernetes.NamedFormat"))))
        }
        ("validate", Some(_)) => other(Ty::Optional(Box::new(Ty::List(Box::new(Ty::String))))),
        (f, None) if f.starts_with("format.") => other(Ty::Opaque("kubernetes.NamedFormat")),
        _ => Resolved {
            ovs: vec![Other],
            ty: Ty::Dyn,
            known: false,
        },
    }
}

/// The type of a conditional's or a concatenation's result.
fn join<'a>(a: Option<&Ty<'a>>, b: Option<&Ty<'a>>) -> Ty<'a> {
    match (a, b) {
        (Some(a), Some(b)) if a.same(b) => match (a, b) {
            (Ty::List(x), Ty::List(_)) if x.is_dyn() => b.clone(),
            _ => a.clone(),
        },
        (Some(Ty::List(x)), Some(b @ Ty::List(_))) if x.is_dyn() => b.clone(),
        (Some(a @ Ty::List(_)), Some(Ty::List(y))) if y.is_dyn() => a.clone(),
        (Some(Ty::Null), Some(b)) => b.clone(),
        (Some(a), Some(Ty::Null)) => a.clone(),
        _ => Ty::Dyn,
    }
}

/// cel-go's name of a scalar type in messages (`None`: not a scalar this check
/// judges).
fn scalar_name(t: &Ty<'_>) -> Option<&'static str> {
    Some(match t {
        Ty::Int => "int",
        Ty::Uint => "uint",
        Ty::Double => "double",
        Ty::String => "string",
        Ty::Bool => "bool",
        Ty::Bytes => "bytes",
        Ty::Null => "null",
        Ty::Timestamp => "google.protobuf.Timestamp",
        Ty::Duration => "google.protobuf.Duration",
        _ => return None,
    })
}

/// A binary operator applied to two scalars no overload takes (cel-go's "found no
/// matching overload"): the argument types as cel-go prints them. Only scalar pairs
/// whose verdict does not depend on more than their types: `==` / `!=` need the same
/// type; ordering the same type (or two numbers: CrossTypeNumericComparisons, on in
/// Kubernetes); arithmetic on two different primitives, except timestamp and
/// duration arithmetic.
pub(crate) fn mismatch(function: &str, args: &[Ty<'_>]) -> Option<String> {
    let [l, r] = args else { return None };
    let (ln, rn) = (scalar_name(l)?, scalar_name(r)?);
    if ln == rn {
        return None;
    }
    let numeric = |n: &str| matches!(n, "int" | "uint" | "double");
    let time = |n: &str| n.starts_with("google.protobuf.");
    // null is assignable to timestamp and duration (isLegacyNullable), not to the rest.
    let nullable = |n: &str| time(n) || n == "null";
    let refused = match function {
        "_==_" | "_!=_" => !((ln == "null" && nullable(rn)) || (rn == "null" && nullable(ln))),
        "_<_" | "_<=_" | "_>_" | "_>=_" => {
            !(numeric(ln) && numeric(rn)) && ln != "null" && rn != "null"
        }
        "_+_" | "_-_" | "_*_" | "_/_" | "_%_" => {
            !time(ln) && !time(rn) && ln != "null" && rn != "null"
        }
        _ => false,
    };
    refused.then(|| format!("{ln}, {rn}"))
}
