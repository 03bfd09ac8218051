//! Kubernetes' `library.CostEstimator.EstimateCallCost` (k8s.io/apiserver
//! pkg/cel/library/cost.go): the costs of the Kubernetes libraries' functions and of
//! the strings and lists extensions' functions it prices, consulted before cel-go's
//! own `functionCost`.

use super::{
    Coster, Est, MAX_FORMAT_SIZE, MAX_NAME_FORMAT_REGEX_SIZE, Node, REGEX_LENGTH, STRING_TRAVERSAL,
    UNKNOWN, ZERO, fixed,
};
use crate::overloads::{Ov, Ty};

impl<'a> Coster<'a> {
    /// The Kubernetes estimator's size of a node (`sizeEstimate`).
    fn k8s_size(&self, n: &Node<'_>) -> Est {
        n.size
            .or_else(|| self.estimate_size(&n.path, &n.ty))
            .unwrap_or(UNKNOWN)
    }

    /// `listElementNode` then its size.
    fn element_size(&self, list: &Node<'a>) -> Option<(Ty<'a>, Est)> {
        let el = match &list.ty {
            Ty::List(e) => (**e).clone(),
            _ => return None,
        };
        let mut p = list.path.clone();
        if !p.is_empty() {
            p.push("@items".to_owned());
        }
        let size = self.estimate_size(&p, &el).unwrap_or(UNKNOWN);
        Some((el, size))
    }

    /// Kubernetes' `EstimateCallCost` (before cel-go's own).
    pub(super) fn k8s_call_cost(
        &self,
        function: &str,
        ov: Ov,
        target: Option<&Node<'a>>,
        args: &[Node<'a>],
    ) -> Option<(Est, Option<Est>)> {
        let arg0 = args.first().map(|a| self.k8s_size(a));
        let traversal = |s: Est| s.factor(STRING_TRAVERSAL);
        match function {
            "isSorted" | "sum" | "max" | "min" | "indexOf" | "lastIndexOf" | "includes" => {
                let t = target?;
                let mut el_cost = fixed(1);
                if let Some((ty, size)) = self.element_size(t) {
                    if matches!(ty, Ty::String | Ty::Bytes) {
                        el_cost = el_cost.add(traversal(size));
                    }
                    Some((self.k8s_size(t).mul(el_cost), None))
                } else if function == "includes" {
                    Some((self.k8s_size(t).mul(el_cost), None))
                } else {
                    Some((traversal(self.k8s_size(t)), None))
                }
            }
            "url" | "jsonpatch.escapeKey" if args.len() == 1 => {
                let s = arg0?;
                Some((traversal(s), Some(s)))
            }
            "lowerAscii" | "upperAscii" | "substring" | "trim" => {
                let s = self.k8s_size(target?);
                Some((traversal(s), Some(s)))
            }
            "replace" if target.is_some() && args.len() >= 2 => {
                let sz = self.k8s_size(target?);
                let to_replace = self.k8s_size(&args[0]);
                let with = self.k8s_size(&args[1]);
                let (mut count, mut retained) = (ZERO, ZERO);
                if to_replace.min == 0 {
                    count.max = if sz.max < u64::MAX {
                        sz.max + 1
                    } else {
                        sz.max
                    };
                    retained.max = sz.max;
                } else if with.max <= to_replace.min {
                    count.max = 0;
                    retained.max = sz.max;
                } else {
                    count.max = (sz.max as f64 / to_replace.min as f64).ceil() as u64;
                }
                if to_replace.max == 0 {
                    count.min = if sz.min < u64::MAX {
                        sz.min + 1
                    } else {
                        sz.min
                    };
                    retained.min = sz.min;
                } else if to_replace.max <= with.min {
                    count.min = 0;
                    retained.min = sz.min;
                } else {
                    count.min = (sz.min as f64 / to_replace.max as f64).ceil() as u64;
                }
                let size = count.mul(with).add(retained);
                Some((sz.factor(2.0 * STRING_TRAVERSAL), Some(size)))
            }
            "split" => {
                let sz = self.k8s_size(target?);
                let max = args
                    .get(1)
                    .and_then(|a| a.int_literal)
                    .map_or(sz.max, |i| i as u64);
                Some((sz.factor(2.0 * STRING_TRAVERSAL), Some(Est { min: 0, max })))
            }
            "join" => {
                let t = target?;
                let list = self.k8s_size(t);
                let mut sz = match self.element_size(t) {
                    Some((_, el)) => list.mul(el),
                    None => ZERO,
                };
                if let Some(sep) = args.first() {
                    let sep = self.k8s_size(sep);
                    let n = Est {
                        min: list.min.saturating_sub(1),
                        max: list.max.saturating_sub(1),
                    };
                    sz = sz.add(sep.mul(n));
                }
                Some((traversal(sz), Some(sz)))
            }
            "find" | "findAll" if target.is_some() && !args.is_empty() => {
                let sz = self.k8s_size(target?);
                let s = traversal(sz.add(fixed(1)));
                let re = self.k8s_size(&args[0]).factor(REGEX_LENGTH);
                Some((
                    s.mul(re),
                    Some(Est {
                        min: 0,
                        max: sz.max,
                    }),
                ))
            }
            "cidr" | "isIP" | "isCIDR" if !args.is_empty() => Some((traversal(arg0?), None)),
            "ip" if ov == Ov::CidrIp => Some((fixed(1), None)),
            "ip" if !args.is_empty() => Some((traversal(arg0?), None)),
            "ip.isCanonical" if !args.is_empty() => {
                Some((arg0?.factor(2.0 * STRING_TRAVERSAL), None))
            }
            "masked"
            | "prefixLength"
            | "family"
            | "isUnspecified"
            | "isLoopback"
            | "isLinkLocalMulticast"
            | "isLinkLocalUnicast"
            | "isGlobalUnicast" => Some((fixed(1), None)),
            "containsIP" if !args.is_empty() => {
                let sz = Est { min: 4, max: 16 };
                let mut c = traversal(sz.add(sz));
                if ov == Ov::CidrContainsIpString {
                    c = c.add(traversal(arg0?));
                }
                Some((c, None))
            }
            "containsCIDR" if !args.is_empty() => {
                let sz = Est { min: 4, max: 16 };
                let mut c = traversal(sz.add(sz));
                c = c.add(traversal(sz)).add(fixed(1));
                if ov == Ov::CidrContainsCidrString {
                    c = c.add(traversal(arg0?));
                }
                Some((c, None))
            }
            "quantity" | "isQuantity" | "semver" | "isSemver" if !args.is_empty() => {
                Some((traversal(arg0?), None))
            }
            "validate" if !args.is_empty() => Some((
                traversal(arg0?).factor(MAX_NAME_FORMAT_REGEX_SIZE * REGEX_LENGTH),
                None,
            )),
            "format.named" | "sign" | "asInteger" | "isInteger" | "asApproximateFloat"
            | "isGreaterThan" | "isLessThan" | "compareTo" | "add" | "sub" | "major" | "minor"
            | "patch" | "getScheme" | "getHostname" | "getHost" | "getPort" | "getEscapedPath"
            | "getQuery" => Some((fixed(1), None)),
            "_==_" if args.len() == 2 && args[0].ty.same(&args[1].ty) => match &args[0].ty {
                Ty::Opaque("net.IP" | "net.CIDR" | "kubernetes.Quantity" | "kubernetes.Semver") => {
                    Some((fixed(1), None))
                }
                Ty::Opaque("kubernetes.NamedFormat") => Some((
                    Est {
                        min: 1,
                        max: MAX_FORMAT_SIZE,
                    }
                    .factor(STRING_TRAVERSAL),
                    None,
                )),
                Ty::Opaque("kubernetes.URL") => {
                    // (the library reads the right-hand side's size twice)
                    let size = args[1].size.unwrap_or(fixed(1));
                    Some((
                        Est {
                            min: 1,
                            max: size.max,
                        }
                        .factor(STRING_TRAVERSAL),
                        None,
                    ))
                }
                _ => None,
            },
            _ => None,
        }
    }

    /// cel-go's extension estimators (`OverloadCostEstimate` in ext/sets.go and
    /// ext/lists.go), consulted before everything else.
    pub(super) fn extension_cost(
        &self,
        ov: Ov,
        target: Option<&Node<'a>>,
        args: &[Node<'a>],
    ) -> Option<(Est, Option<Est>)> {
        // estimateAllocatingListCall
        let alloc = |factor: f64, size: Est| (size.factor(factor).add(fixed(11)), Some(size));
        let literal =
            |n: &Node<'_>, default: u64| n.int_literal.map_or(default, |i| i.max(0) as u64);
        match ov {
            Ov::Sets(factor) if args.len() == 2 => {
                let (a, b) = (self.k8s_size(&args[0]), self.k8s_size(&args[1]));
                Some((a.mul(b).factor(f64::from(factor)).add(fixed(1)), None))
            }
            Ov::ListSlice if args.len() == 2 => {
                let sz = self.k8s_size(target?);
                let start = literal(&args[0], 0);
                let end = literal(&args[1], sz.max);
                Some(alloc(1.0, fixed(end.wrapping_sub(start))))
            }
            Ov::ListsRange if target.is_none() && args.len() == 1 => {
                Some(alloc(1.0, fixed(literal(&args[0], u64::MAX))))
            }
            Ov::ListReverse if args.is_empty() => Some(alloc(1.0, self.k8s_size(target?))),
            Ov::ListFlatten if args.len() <= 1 => {
                let depth = args.first().map_or(1, |d| literal(d, u64::MAX));
                Some(alloc(depth as f64, self.k8s_size(target?)))
            }
            Ov::ListDistinct if args.is_empty() => {
                let sz = self.k8s_size(target?);
                Some(alloc(2.0, sz.mul(sz)))
            }
            Ov::ListSort if args.is_empty() => {
                let t = target?;
                let sz = self.k8s_size(t);
                let factor = match t.ty.elem() {
                    Some(Ty::String | Ty::Bytes) => 2.0 + STRING_TRAVERSAL,
                    _ => 2.0,
                };
                Some(alloc(factor, sz.mul(sz)))
            }
            _ => None,
        }
    }
}
