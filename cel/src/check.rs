//! The part of cel-go's type check that the schema decides without type inference:
//! a field selected on `self` / `oldSelf` (through objects, maps, `metadata`) that the
//! schema does not declare, which the apiserver refuses when the CRD is written
//! (`undefined field 'x'`). Anything it cannot follow (list items, comprehension
//! variables, function results, values without a declared shape) it lets through:
//! cel-rust has no type checker, and a false refusal would be worse than a miss.

use cel::Program;
use cel::common::ast::{EntryExpr, Expr, IdedExpr};

use crate::schema::Node;
use crate::value::{RESERVED, escape};

/// What a `self...` chain reaches.
enum Reach<'n> {
    /// A schema node (`true`: a resource, with apiVersion, kind and metadata).
    Node(&'n Node, bool),
    /// A resource's `metadata`: `name` and `generateName` only.
    Meta,
    /// Something the check does not follow.
    Unknown,
}

/// A type error cel-go's checker reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TypeError {
    /// `undefined field 'x'`, at the selection's dot.
    UndefinedField(String),
    /// `found no matching overload for '<fn>' applied to '(<types>)'`, at the call
    /// (a binary operator's operator).
    NoOverload(String, String),
}

/// The first selection of an undeclared field: cel-go's message for it.
pub(crate) fn undefined_field(program: &Program, node: &Node, resource: bool) -> Option<String> {
    let (id, field) = visit(program.expression(), node, resource)?;
    type_errors_message(program, &[(id, TypeError::UndefinedField(field))])
}

/// cel-go's messages for type errors at expression ids, in source order, joined as
/// `issues.String()` joins them.
pub(crate) fn type_errors_message(program: &Program, found: &[(u64, TypeError)]) -> Option<String> {
    let mut errors: Vec<((usize, usize), String)> = found
        .iter()
        .map(|(id, e)| located(program, *id, e))
        .collect();
    errors.sort_by_key(|e| e.0);
    let text: Vec<String> = errors.into_iter().map(|e| e.1).collect();
    (!text.is_empty()).then(|| text.join("\n"))
}

fn located(program: &Program, id: u64, error: &TypeError) -> ((usize, usize), String) {
    let source = &program.source_info().source;
    let start = program
        .source_info()
        .offset_for(id)
        .map_or(0, |(s, _)| s as usize);
    let (dot, message) = match error {
        // cel-go places a selection at its dot.
        TypeError::UndefinedField(field) => (
            source
                .get(start..)
                .and_then(|rest| rest.find(&format!(".{field}")))
                .map_or(start, |i| start + i),
            format!("undefined field '{field}'"),
        ),
        TypeError::NoOverload(function, args) => (
            start,
            format!("found no matching overload for '{function}' applied to '({args})'"),
        ),
    };
    let (line_no, line_start) = source[..dot.min(source.len())]
        .char_indices()
        .filter(|(_, c)| *c == '\n')
        .fold((1, 0), |(n, _), (i, _)| (n + 1, i + 1));
    let column = source[line_start..dot.min(source.len())].chars().count();
    let line = source[line_start..].lines().next().unwrap_or("");
    let text = format!(
        "ERROR: <input>:{line_no}:{}: {message}\n | {line}\n | {}^",
        column + 1,
        ".".repeat(column)
    );
    ((line_no, column), text)
}

fn visit(e: &IdedExpr, node: &Node, resource: bool) -> Option<(u64, String)> {
    if let Err(found) = reach(e, node, resource) {
        return Some(found);
    }
    let children: Vec<&IdedExpr> = match &e.expr {
        Expr::Call(c) => c
            .target
            .iter()
            .map(|t| t.as_ref())
            .chain(c.args.iter())
            .collect(),
        Expr::Comprehension(c) => vec![
            &c.iter_range,
            &c.accu_init,
            &c.loop_cond,
            &c.loop_step,
            &c.result,
        ],
        Expr::List(l) => l.elements.iter().collect(),
        Expr::Map(m) => m
            .entries
            .iter()
            .flat_map(|en| match &en.expr {
                EntryExpr::MapEntry(me) => vec![&me.key, &me.value],
                EntryExpr::StructField(sf) => vec![&sf.value],
            })
            .collect(),
        Expr::Struct(s) => s
            .entries
            .iter()
            .flat_map(|en| match &en.expr {
                EntryExpr::MapEntry(me) => vec![&me.key, &me.value],
                EntryExpr::StructField(sf) => vec![&sf.value],
            })
            .collect(),
        Expr::Select(s) => vec![s.operand.as_ref()],
        _ => vec![],
    };
    children.into_iter().find_map(|c| visit(c, node, resource))
}

/// Whether property `k` is selected as `field`: by its escaped name, or a reserved
/// word as itself (the apiserver's recognizeKeywordAsFieldName, 1.29+).
fn named(k: &str, field: &str) -> bool {
    escape(k).as_deref() == Some(field) || (k == field && RESERVED.contains(&k))
}

/// Where a chain of selections on `self` / `oldSelf` leads; `Err` at an undeclared field.
fn reach<'n>(e: &IdedExpr, node: &'n Node, resource: bool) -> Result<Reach<'n>, (u64, String)> {
    match &e.expr {
        Expr::Ident(name) if name == "self" || name == "oldSelf" => Ok(Reach::Node(node, resource)),
        Expr::Select(s) => {
            let undefined = || Err((e.id, s.field.clone()));
            Ok(match reach(&s.operand, node, resource)? {
                Reach::Node(_, true) if s.field == "metadata" => Reach::Meta,
                Reach::Node(_, true) if s.field == "apiVersion" || s.field == "kind" => {
                    Reach::Unknown
                }
                Reach::Node(n, _) if !n.properties.is_empty() => {
                    match n.properties.iter().find(|(k, _)| named(k, &s.field)) {
                        Some((_, child)) => Reach::Node(child, child.embedded),
                        None => return undefined(),
                    }
                }
                Reach::Node(n, _) => match n.additional.as_deref() {
                    Some(ap) => Reach::Node(ap, ap.embedded),
                    None => Reach::Unknown,
                },
                Reach::Meta if s.field == "name" || s.field == "generateName" => Reach::Unknown,
                Reach::Meta => return undefined(),
                Reach::Unknown => Reach::Unknown,
            })
        }
        _ => Ok(Reach::Unknown),
    }
}
