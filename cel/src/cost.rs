//! The static cost estimate of a rule, as kube-apiserver computes it when a CRD is
//! written: a port of cel-go's `checker/cost.go` (`coster`) with Kubernetes'
//! `library.CostEstimator` (k8s.io/apiserver pkg/cel/library/cost.go) and
//! apiextensions' `sizeEstimator` (pkg/apiserver/schema/cel/compilation.go), over the
//! cel crate's AST, with the types of `overloads.rs` standing in for cel-go's checker.

use std::collections::HashMap;

use cel::common::ast::{EntryExpr, Expr, IdedExpr, LiteralValue};

use crate::check::TypeError;
use crate::decl::{Decl, DeclKind};
use crate::overloads::{Ov, Ty, resolve};

mod library;

/// A size or cost range (`SizeEstimate` / `CostEstimate`), saturating at `u64::MAX`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Est {
    pub min: u64,
    pub max: u64,
}

const UNKNOWN: Est = Est {
    min: 0,
    max: u64::MAX,
};
const ZERO: Est = Est { min: 0, max: 0 };
/// `common.StringTraversalCostFactor`.
const STRING_TRAVERSAL: f64 = 0.1;
/// `common.RegexStringLengthCostFactor`.
const REGEX_LENGTH: f64 = 0.25;
/// `cel.MaxNameFormatRegexSize`.
const MAX_NAME_FORMAT_REGEX_SIZE: f64 = 128.0;
/// `cel.MaxFormatSize`.
const MAX_FORMAT_SIZE: u64 = 64;

fn fixed(n: u64) -> Est {
    Est { min: n, max: n }
}

fn factor(x: u64, y: f64) -> u64 {
    let xf = x as f64;
    if xf > 0.0 && y > 0.0 && xf > u64::MAX as f64 / y {
        return u64::MAX;
    }
    let ceil = (xf * y).ceil();
    if ceil >= 18_446_744_073_709_551_616.0 {
        u64::MAX
    } else {
        ceil as u64
    }
}

impl Est {
    fn add(self, o: Est) -> Est {
        Est {
            min: self.min.saturating_add(o.min),
            max: self.max.saturating_add(o.max),
        }
    }
    fn mul(self, o: Est) -> Est {
        Est {
            min: self.min.saturating_mul(o.min),
            max: self.max.saturating_mul(o.max),
        }
    }
    fn factor(self, f: f64) -> Est {
        Est {
            min: factor(self.min, f),
            max: factor(self.max, f),
        }
    }
    fn union(self, o: Est) -> Est {
        Est {
            min: self.min.min(o.min),
            max: self.max.max(o.max),
        }
    }
}

/// Sizes of a list's or map's entries (`entrySizeEstimate`).
#[derive(Debug, Clone, Copy)]
struct Entry {
    list: bool,
    key: Est,
    val: Est,
}

fn union_entry(a: Option<Entry>, b: Option<Entry>) -> Option<Entry> {
    let (a, b) = (a?, b?);
    Some(Entry {
        list: a.list,
        key: a.key.union(b.key),
        val: a.val.union(b.val),
    })
}

#[derive(Debug, Clone)]
struct Local<'a> {
    path: Vec<String>,
    size: Option<Est>,
    entry: Option<Entry>,
    ty: Ty<'a>,
}

/// What the estimator knows of an argument or target (`checker.AstNode`).
struct Node<'a> {
    path: Vec<String>,
    ty: Ty<'a>,
    size: Option<Est>,
    int_literal: Option<i64>,
}

/// The estimate of one expression.
#[derive(Debug, Clone)]
pub(crate) struct Estimate {
    /// `CostEstimate.Min`.
    pub min: u64,
    /// `CostEstimate.Max`.
    pub max: u64,
    /// The expression's type, as far as the result-type checks need it.
    pub output: Output,
    /// Selections of undeclared fields (expression id, field): cel-go's type errors.
    pub errors: Vec<(u64, TypeError)>,
    /// Every call resolved to an overload this port knows (otherwise the number is a
    /// guess and must not refuse a CRD).
    pub sure: bool,
}

/// The type of an expression's result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Output {
    Bool,
    String,
    /// `dyn`: this port's types stop short of cel-go's here (no verdict).
    Dyn,
    /// Any other type.
    Other,
}

/// Estimate `expr` with `self` (and `oldSelf`) of type `root`.
pub(crate) fn estimate(expr: &IdedExpr, root: &Decl, optional_old_self: bool) -> Estimate {
    run(expr, Some(root), optional_old_self)
}

/// Estimate `expr` with the size estimator of Kubernetes' library cost tests
/// (`testCostEstimator`: any string or bytes of unknown size is 0..12 long), for
/// holding the library costs to those tests.
pub(crate) fn estimate_with_test_sizes(expr: &IdedExpr) -> Estimate {
    run(expr, None, false)
}

fn run(expr: &IdedExpr, root: Option<&Decl>, optional_old_self: bool) -> Estimate {
    let mut c = Coster {
        root,
        optional_old_self,
        paths: HashMap::new(),
        locals: HashMap::new(),
        sizes: HashMap::new(),
        entries: HashMap::new(),
        types: HashMap::new(),
        errors: Vec::new(),
        sure: true,
    };
    let cost = c.cost(expr);
    let output = match c.types.get(&expr.id) {
        Some(Ty::Bool) => Output::Bool,
        Some(Ty::String) => Output::String,
        Some(Ty::Dyn) | None => Output::Dyn,
        Some(_) => Output::Other,
    };
    Estimate {
        min: cost.min,
        max: cost.max,
        output,
        sure: c.sure,
        errors: c.errors,
    }
}

struct Coster<'a> {
    /// The type of `self` (`None`: the library tests' size estimator).
    root: Option<&'a Decl>,
    optional_old_self: bool,
    paths: HashMap<u64, Vec<String>>,
    locals: HashMap<String, Vec<Local<'a>>>,
    sizes: HashMap<u64, Est>,
    entries: HashMap<u64, Entry>,
    types: HashMap<u64, Ty<'a>>,
    /// Type errors: undeclared fields, operators on mismatched types.
    errors: Vec<(u64, TypeError)>,
    sure: bool,
}

fn is_accumulator(name: &str) -> bool {
    name == "@result" || name == "@__result__"
}

/// Namespaces whose functions are called as `ns.f(...)`.
const NAMESPACES: [&str; 7] = [
    "strings", "sets", "lists", "format", "ip", "optional", "math",
];

impl<'a> Coster<'a> {
    fn ty(&self, e: &IdedExpr) -> Ty<'a> {
        self.types.get(&e.id).cloned().unwrap_or(Ty::Dyn)
    }

    fn local(&self, name: &str) -> Option<&Local<'a>> {
        self.locals.get(name).and_then(|s| s.last())
    }

    fn path(&self, e: &IdedExpr) -> Vec<String> {
        if let Expr::Ident(name) = &e.expr
            && let Some(v) = self.local(name)
        {
            return v.path.clone();
        }
        self.paths.get(&e.id).cloned().unwrap_or_default()
    }

    /// apiextensions' `sizeEstimator.EstimateSize`: the declared maximum at a path.
    fn estimate_size(&self, path: &[String], ty: &Ty<'_>) -> Option<Est> {
        let Some(root) = self.root else {
            return matches!(ty, Ty::String | Ty::Bytes).then_some(Est { min: 0, max: 12 });
        };
        if path.is_empty() {
            return None;
        }
        let key = Decl::key();
        let mut node: &Decl = root;
        let mut at_key = false;
        for name in &path[1..] {
            if at_key {
                return None;
            }
            match (name.as_str(), &node.kind) {
                ("@items", DeclKind::List(e)) | ("@items" | "@values", DeclKind::Map(e)) => {
                    node = e
                }
                ("@values", DeclKind::List(e)) => node = e,
                ("@items" | "@values", _) => return None,
                ("@keys", DeclKind::Map(_)) => at_key = true,
                ("@keys", _) => return None,
                (field, DeclKind::Object(fields)) => node = fields.get(field)?,
                _ => return None,
            }
        }
        let max = if at_key {
            key.max_elements
        } else {
            node.max_elements
        };
        Some(Est {
            min: 0,
            max: max.max(0) as u64,
        })
    }

    fn compute_size(&mut self, e: &IdedExpr) -> Option<Est> {
        if let Some(s) = self.sizes.get(&e.id) {
            return Some(*s);
        }
        let n = match &e.expr {
            Expr::Literal(LiteralValue::String(s)) => Some(s.inner().chars().count() as u64),
            Expr::Literal(LiteralValue::Bytes(b)) => Some(b.inner().len() as u64),
            Expr::Literal(_) => Some(1),
            Expr::List(l) => Some(l.elements.len() as u64),
            Expr::Map(m) => Some(m.entries.len() as u64),
            _ => None,
        };
        if let Some(n) = n {
            return Some(fixed(n));
        }
        if let Some(s) = self.estimate_size(&self.path(e), &self.ty(e)) {
            self.sizes.insert(e.id, s);
            return Some(s);
        }
        if self.ty(e).is_scalar() {
            return Some(fixed(1));
        }
        if let Expr::Ident(name) = &e.expr
            && let Some(s) = self.local(name).and_then(|v| v.size)
        {
            return Some(s);
        }
        None
    }

    fn entry(&self, e: &IdedExpr) -> Option<Entry> {
        if let Some(s) = self.entries.get(&e.id) {
            return Some(*s);
        }
        if let Expr::Ident(name) = &e.expr {
            return self.local(name).and_then(|v| v.entry);
        }
        None
    }

    fn node(&mut self, e: &IdedExpr) -> Node<'a> {
        let mut path = self.path(e);
        if path.first().is_some_and(|p| is_accumulator(p)) {
            path.clear();
        }
        Node {
            path,
            ty: self.ty(e),
            size: self.compute_size(e),
            int_literal: match &e.expr {
                Expr::Literal(LiteralValue::Int(i)) => Some(*i.inner()),
                _ => None,
            },
        }
    }

    fn push(&mut self, name: &str, local: Local<'a>) {
        self.locals.entry(name.to_owned()).or_default().push(local);
    }

    fn pop(&mut self, name: &str) {
        if let Some(s) = self.locals.get_mut(name) {
            s.pop();
        }
    }

    fn cost(&mut self, e: &IdedExpr) -> Est {
        let (cost, ty) = match &e.expr {
            Expr::Literal(l) => (
                ZERO,
                match l {
                    LiteralValue::Boolean(_) => Ty::Bool,
                    LiteralValue::Bytes(_) => Ty::Bytes,
                    LiteralValue::Double(_) => Ty::Double,
                    LiteralValue::Int(_) => Ty::Int,
                    LiteralValue::Null => Ty::Null,
                    LiteralValue::String(_) => Ty::String,
                    LiteralValue::UInt(_) => Ty::Uint,
                },
            ),
            Expr::Ident(name) => {
                let ty = if let Some(v) = self.local(name) {
                    let (path, ty) = (v.path.clone(), v.ty.clone());
                    self.paths.insert(e.id, path);
                    ty
                } else {
                    self.paths.insert(e.id, vec![name.clone()]);
                    match name.as_str() {
                        "self" | "oldSelf" if self.root.is_some() => {
                            let root = Ty::of(self.root.expect("checked"));
                            if name == "oldSelf" && self.optional_old_self {
                                Ty::Optional(Box::new(root))
                            } else {
                                root
                            }
                        }
                        "int" | "uint" | "double" | "bool" | "string" | "bytes" | "list"
                        | "map" | "null_type" | "type" | "duration" | "timestamp" => Ty::Type,
                        _ => {
                            self.sure = false;
                            Ty::Dyn
                        }
                    }
                };
                (fixed(1), ty)
            }
            Expr::Select(s) => {
                if s.test {
                    // PresenceTestHasCost(false); the field must be declared all the same.
                    let c = self.cost(&s.operand);
                    if self.ty(&s.operand).select(&s.field).0.is_none() {
                        self.errors
                            .push((e.id, TypeError::UndefinedField(s.field.clone())));
                        self.sure = false;
                    }
                    (c, Ty::Bool)
                } else {
                    let mut c = self.cost(&s.operand);
                    let (ty, costs) = self.ty(&s.operand).select(&s.field);
                    let ty = ty.unwrap_or_else(|| {
                        // Not in the CEL type (undeclared, no type, preserve-unknown-
                        // fields only): cel-go's "undefined field"; no estimate.
                        self.errors
                            .push((e.id, TypeError::UndefinedField(s.field.clone())));
                        self.sure = false;
                        Ty::Dyn
                    });
                    if costs {
                        c = c.add(fixed(1));
                    }
                    let mut path = self.path(&s.operand);
                    path.push(s.field.clone());
                    self.paths.insert(e.id, path);
                    (c, ty)
                }
            }
            Expr::Call(call) => self.call(e, call),
            Expr::List(l) => {
                let mut sum = ZERO;
                let mut item = if l.elements.is_empty() {
                    ZERO
                } else {
                    Est {
                        min: u64::MAX,
                        max: 0,
                    }
                };
                let mut elem: Option<Ty<'a>> = None;
                let mut same = true;
                for el in &l.elements {
                    sum = sum.add(self.cost(el));
                    item = item.union(self.compute_size(el).unwrap_or(UNKNOWN));
                    let t = self.ty(el);
                    match &elem {
                        None => elem = Some(t),
                        Some(p) if !p.same(&t) => same = false,
                        _ => {}
                    }
                }
                self.entries.insert(
                    e.id,
                    Entry {
                        list: true,
                        key: fixed(1),
                        val: item,
                    },
                );
                let elem = if same {
                    elem.unwrap_or(Ty::Dyn)
                } else {
                    Ty::Dyn
                };
                (sum.add(fixed(10)), Ty::List(Box::new(elem)))
            }
            Expr::Map(m) => {
                let mut sum = ZERO;
                let start = if m.entries.is_empty() {
                    ZERO
                } else {
                    Est {
                        min: u64::MAX,
                        max: 0,
                    }
                };
                let (mut ks, mut vs) = (start, start);
                let mut types: Option<(Ty<'a>, Ty<'a>)> = None;
                for en in &m.entries {
                    if let EntryExpr::MapEntry(me) = &en.expr {
                        sum = sum.add(self.cost(&me.key));
                        sum = sum.add(self.cost(&me.value));
                        ks = ks.union(self.compute_size(&me.key).unwrap_or(UNKNOWN));
                        vs = vs.union(self.compute_size(&me.value).unwrap_or(UNKNOWN));
                        types.get_or_insert((self.ty(&me.key), self.ty(&me.value)));
                    }
                }
                self.entries.insert(
                    e.id,
                    Entry {
                        list: false,
                        key: ks,
                        val: vs,
                    },
                );
                let (k, v) = types.unwrap_or((Ty::Dyn, Ty::Dyn));
                (sum.add(fixed(30)), Ty::Map(Box::new(k), Box::new(v)))
            }
            Expr::Struct(s) => {
                let mut sum = ZERO;
                for en in &s.entries {
                    if let EntryExpr::StructField(f) = &en.expr {
                        sum = sum.add(self.cost(&f.value));
                    }
                }
                self.sure = false;
                (sum.add(fixed(40)), Ty::Dyn)
            }
            Expr::Comprehension(c) => self.comprehension(e, c),
            Expr::Unspecified => (ZERO, Ty::Dyn),
        };
        self.types.insert(e.id, ty);
        cost
    }

    fn comprehension(
        &mut self,
        e: &IdedExpr,
        c: &cel::common::ast::ComprehensionExpr,
    ) -> (Est, Ty<'a>) {
        let bind = matches!(&c.iter_range.expr, Expr::List(l) if l.elements.is_empty())
            && matches!(&c.loop_cond.expr, Expr::Literal(LiteralValue::Boolean(b)) if !*b.inner())
            && c.accu_var != "@result";
        let mut sum = self.cost(&c.iter_range).add(self.cost(&c.accu_init));
        let accu = Local {
            path: self.path(&c.accu_init),
            size: self.compute_size(&c.accu_init),
            entry: self.entry(&c.accu_init),
            ty: self.ty(&c.accu_init),
        };
        self.push(&c.accu_var, accu);
        if bind {
            sum = sum.add(self.cost(&c.result));
            self.pop(&c.accu_var);
            if let Some(s) = self.compute_size(&c.result) {
                self.sizes.insert(e.id, s);
            }
            if let Some(en) = self.entry(&c.result) {
                self.entries.insert(e.id, en);
            }
            return (sum, self.ty(&c.result));
        }
        let range_ty = self.ty(&c.iter_range);
        let entry = self.entry(&c.iter_range);
        let list = entry.map_or(matches!(range_ty, Ty::List(_)), |en| en.list);
        let path = self.path(&c.iter_range);
        let with = |sub: &str| {
            let mut p = path.clone();
            p.push(sub.to_owned());
            p
        };
        let (key_ty, val_ty) = match &range_ty {
            Ty::List(el) => (Ty::Int, (**el).clone()),
            Ty::Map(k, v) => ((**k).clone(), (**v).clone()),
            _ => (Ty::Dyn, Ty::Dyn),
        };
        if let Some(var2) = &c.iter_var2 {
            let key = Local {
                path: with(if list { "@indices" } else { "@keys" }),
                size: entry.map(|en| en.key),
                entry: None,
                ty: key_ty,
            };
            let val = Local {
                path: with(if list { "@items" } else { "@values" }),
                size: entry.map(|en| en.val),
                entry: None,
                ty: val_ty,
            };
            self.push(&c.iter_var, key);
            self.push(var2, val);
        } else {
            let single = if list {
                Local {
                    path: with("@items"),
                    size: entry.map(|en| en.val),
                    entry: None,
                    ty: val_ty,
                }
            } else {
                Local {
                    path: with("@keys"),
                    size: entry.map(|en| en.key),
                    entry: None,
                    ty: key_ty,
                }
            };
            self.push(&c.iter_var, single);
        }
        let loop_cost = self.cost(&c.loop_cond);
        let step_cost = self.cost(&c.loop_step);
        self.pop(&c.iter_var);
        if let Some(var2) = &c.iter_var2 {
            self.pop(var2);
        }
        // The accumulator takes the step's type (map() / filter() build a typed list).
        let step_ty = self.ty(&c.loop_step);
        if let Some(v) = self.locals.get_mut(&c.accu_var).and_then(|s| s.last_mut())
            && matches!(&v.ty, Ty::List(el) | Ty::Map(_, el) if el.is_dyn())
            && matches!(step_ty, Ty::List(_) | Ty::Map(..))
        {
            v.ty = step_ty;
        }
        sum = sum.add(self.cost(&c.result));
        self.pop(&c.accu_var);
        let range = self.compute_size(&c.iter_range).unwrap_or(UNKNOWN);
        sum = sum.add(range.mul(step_cost.add(loop_cost)));
        match &c.accu_init.expr {
            Expr::Literal(_) => {
                if let Some(s) = self.compute_size(&c.accu_init) {
                    self.sizes.insert(e.id, s);
                }
            }
            Expr::List(_) | Expr::Map(_) => {
                self.sizes.insert(e.id, range);
                if let Some(en) = self.entry(&c.loop_step) {
                    self.entries.insert(e.id, en);
                }
            }
            _ => {}
        }
        (sum, self.ty(&c.result))
    }

    fn call(&mut self, e: &IdedExpr, call: &cel::common::ast::CallExpr) -> (Est, Ty<'a>) {
        // A namespaced global function (`sets.contains(a, b)`) parses as a member call.
        let namespaced = match call.target.as_deref() {
            Some(IdedExpr {
                expr: Expr::Ident(ns),
                ..
            }) if NAMESPACES.contains(&ns.as_str()) && self.local(ns).is_none() => {
                Some(format!("{ns}.{}", call.func_name))
            }
            _ => None,
        };
        let function = namespaced.as_deref().unwrap_or(&call.func_name);
        let target = if namespaced.is_some() {
            None
        } else {
            call.target.as_deref()
        };
        if function == "dyn" && target.is_none() && call.args.len() == 1 {
            let c = self.cost(&call.args[0]).add(fixed(1));
            if let Some(s) = self.compute_size(&call.args[0]) {
                self.sizes.insert(e.id, s);
            }
            if let Some(en) = self.entry(&call.args[0]) {
                self.entries.insert(e.id, en);
            }
            return (c, Ty::Dyn);
        }
        let mut arg_costs = Vec::with_capacity(call.args.len());
        let mut args = Vec::with_capacity(call.args.len());
        for a in &call.args {
            arg_costs.push(self.cost(a));
            args.push(self.node(a));
        }
        let mut sum = ZERO;
        let target_node = match target {
            Some(t) => {
                sum = sum.add(self.cost(t));
                Some(self.node(t))
            }
            None => None,
        };
        let arg_tys: Vec<Ty<'a>> = args.iter().map(|a| a.ty.clone()).collect();
        if let Some(args) = crate::overloads::mismatch(function, &arg_tys) {
            self.errors
                .push((e.id, TypeError::NoOverload(function.to_owned(), args)));
            self.sure = false;
        }
        let resolved = resolve(function, target_node.as_ref().map(|t| &t.ty), &arg_tys);
        if !resolved.known {
            self.sure = false;
        }
        // The result type first: sizes computed below may read it (a scalar is 1).
        self.types.insert(e.id, resolved.ty.clone());
        let mut fn_cost = Est {
            min: u64::MAX,
            max: 0,
        };
        let mut result: Option<Est> = None;
        for ov in &resolved.ovs {
            let (c, size) = self.function_cost(
                e,
                call,
                function,
                *ov,
                target_node.as_ref(),
                &args,
                &arg_costs,
            );
            fn_cost = fn_cost.union(c);
            if let Some(s) = size {
                result = Some(result.map_or(s, |r| r.union(s)));
            }
            if matches!(ov, Ov::IndexList | Ov::IndexMap)
                && let Some(a) = call.args.first()
            {
                result = self.entry(a).map(|en| en.val);
                let mut p = self.path(a);
                p.push(
                    if *ov == Ov::IndexList {
                        "@items"
                    } else {
                        "@values"
                    }
                    .to_owned(),
                );
                self.paths.insert(e.id, p);
            }
            if result.is_none() {
                result = self.compute_size(e);
            }
        }
        if let Some(r) = result {
            self.sizes.insert(e.id, r);
        }
        (sum.add(fn_cost), resolved.ty)
    }

    #[allow(clippy::too_many_arguments)] // one argument per input of cel-go's functionCost
    fn function_cost(
        &mut self,
        e: &IdedExpr,
        call: &cel::common::ast::CallExpr,
        function: &str,
        ov: Ov,
        target: Option<&Node<'a>>,
        args: &[Node<'a>],
        arg_costs: &[Est],
    ) -> (Est, Option<Est>) {
        let arg_sum = arg_costs.iter().fold(ZERO, |s, c| s.add(*c));
        if let Some((c, size)) = self.extension_cost(ov, target, args) {
            return (c.add(arg_sum), size);
        }
        if let Some((c, size)) = self.k8s_call_cost(function, ov, target, args) {
            return (c.add(arg_sum), size);
        }
        let size = |n: &Node<'_>| n.size.unwrap_or(UNKNOWN);
        let traversal = |s: Est| s.factor(STRING_TRAVERSAL);
        match ov {
            Ov::FormatString if target.is_some() => {
                return (traversal(size(target.expect("checked"))).add(arg_sum), None);
            }
            Ov::StringToBytes if args.len() == 1 => {
                let sz = size(&args[0]);
                let r = Est {
                    min: sz.min,
                    max: sz.max.saturating_mul(4),
                };
                return (traversal(sz).add(arg_sum), Some(r));
            }
            Ov::BytesToString if args.len() == 1 => {
                let sz = size(&args[0]);
                let r = Est {
                    min: sz.min / 4,
                    max: sz.max,
                };
                return (traversal(sz).add(arg_sum), Some(r));
            }
            Ov::Quote if args.len() == 1 => {
                let sz = size(&args[0]);
                let r = Est {
                    min: sz.min.saturating_add(2),
                    max: sz.max.saturating_mul(2).saturating_add(2),
                };
                return (traversal(sz).add(arg_sum), Some(r));
            }
            Ov::StartsEnds if args.len() == 1 => {
                return (traversal(size(&args[0])).add(arg_sum), None);
            }
            Ov::InList if args.len() == 2 => {
                return (size(&args[1]).factor(1.0).add(arg_sum), None);
            }
            Ov::MatchesString if target.is_some() && args.len() == 1 => {
                let s = traversal(size(target.expect("checked")).add(fixed(1)));
                let re = size(&args[0]).factor(REGEX_LENGTH);
                return (s.mul(re).add(arg_sum), None);
            }
            Ov::ContainsString if target.is_some() && args.len() == 1 => {
                let s = traversal(size(target.expect("checked")));
                let sub = traversal(size(&args[0]));
                return (s.mul(sub).add(arg_sum), None);
            }
            Ov::LogicalAndOr if arg_costs.len() == 2 => {
                let (l, r) = (arg_costs[0], arg_costs[1]);
                return (
                    Est {
                        min: l.min,
                        max: l.add(r).max,
                    },
                    None,
                );
            }
            Ov::Conditional if args.len() == 3 => {
                let sz = size(&args[1]).union(size(&args[2]));
                let en = union_entry(self.entry(&call.args[1]), self.entry(&call.args[2]));
                if let Some(en) = en {
                    self.entries.insert(e.id, en);
                }
                let c = arg_costs[0].add(arg_costs[1].union(arg_costs[2]));
                return (c, Some(sz));
            }
            Ov::AddString | Ov::AddBytes | Ov::AddList if args.len() == 2 => {
                let r = size(&args[0]).add(size(&args[1]));
                let en = union_entry(self.entry(&call.args[0]), self.entry(&call.args[1]));
                if let Some(en) = en {
                    self.entries.insert(e.id, en);
                }
                if ov == Ov::AddList {
                    return (fixed(1).add(arg_sum), Some(r));
                }
                return (traversal(r).add(arg_sum), Some(r));
            }
            Ov::CompareStringBytes | Ov::Equals if args.len() == 2 => {
                let smallest = size(&args[0]).max.min(size(&args[1]).max);
                let min = u64::from(smallest > 0);
                return (traversal(Est { min, max: smallest }).add(arg_sum), None);
            }
            _ => {}
        }
        (fixed(1).add(arg_sum), None)
    }
}
