//! rustfmt's layout (edition 2024, default configuration) for the constructs the
//! emitter writes, so its output needs no formatter.
//!
//! A line may reach column 100. Lists break by these rules (rustfmt's "small
//! heuristics" in parentheses):
//!
//! - call arguments stay on the line if they fit and take at most 60 columns
//!   (`fn_call_width`) or are one plain argument; a call whose only argument is a call
//!   keeps its parentheses on the line and breaks the inner call ("overflow");
//!   otherwise one argument a line, with a trailing comma;
//! - attribute arguments: the same with 70 columns (`attr_fn_like_width`) and no
//!   trailing comma; `#[derive(...)]` puts its list on one line of its own before
//!   going one a line;
//! - generic arguments stay on the line if they fit, else one a line;
//! - arrays: 60 columns (`array_width`), then short items fill lines, long ones one
//!   a line;
//! - the right-hand side of `: ` or ` = ` goes on the next line, indented, when it fits
//!   there on one line and not after the head;
//! - a match arm's body goes into a block when it does not fit after the `=>`.
//!
//! Where rustfmt finds no layout within the margin (a string or name longer than a
//! line), it leaves the item as written; the emitter then writes it on one line.
//! `codegen/tests/rustfmt_layout.rs` holds these rules to rustfmt.

use super::Writer;

/// The margin, the indent and the heuristics' widths.
pub(crate) const MAX_WIDTH: usize = 100;
pub(crate) const INDENT: usize = 4;
const FN_CALL_WIDTH: usize = 60;
const ATTR_FN_LIKE_WIDTH: usize = 70;
const ARRAY_WIDTH: usize = 60;
const SHORT_ARRAY_ITEM: usize = 10;

/// A type or an expression as the layout sees it: a path or literal, perhaps with a
/// list after it.
#[derive(Debug, Clone)]
pub(crate) enum Tree {
    Atom(String),
    /// `head<args>`
    Generic(String, Vec<Tree>),
    /// `head(args)`
    Call(String, Vec<Tree>),
    /// `head[args]` (`&[..]`)
    Array(String, Vec<Tree>),
    /// An attribute's `name(args)`, nested or not.
    Meta(String, Vec<Tree>),
}

impl Tree {
    pub(crate) fn atom(s: impl Into<String>) -> Tree {
        Tree::Atom(s.into())
    }

    pub(crate) fn generic(head: impl Into<String>, args: Vec<Tree>) -> Tree {
        Tree::Generic(head.into(), args)
    }

    pub(crate) fn call(head: impl Into<String>, args: Vec<Tree>) -> Tree {
        Tree::Call(head.into(), args)
    }

    pub(crate) fn meta(head: impl Into<String>, args: Vec<Tree>) -> Tree {
        Tree::Meta(head.into(), args)
    }

    fn parts(&self) -> Option<(&str, &[Tree], char, char)> {
        match self {
            Tree::Atom(_) => None,
            Tree::Generic(h, a) => Some((h, a, '<', '>')),
            Tree::Call(h, a) | Tree::Meta(h, a) => Some((h, a, '(', ')')),
            Tree::Array(h, a) => Some((h, a, '[', ']')),
        }
    }

    /// Its length on one line.
    pub(crate) fn flat_len(&self) -> usize {
        match self.parts() {
            None => self.text().len(),
            Some((head, args, ..)) => head.len() + 2 + args_len(args),
        }
    }

    fn text(&self) -> &str {
        match self {
            Tree::Atom(a) => a,
            _ => "",
        }
    }

    pub(crate) fn push_flat(&self, out: &mut String) {
        match self.parts() {
            None => out.push_str(self.text()),
            Some((head, args, open, close)) => {
                out.push_str(head);
                out.push(open);
                for (i, a) in args.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    a.push_flat(out);
                }
                out.push(close);
            }
        }
    }

    /// Whether rustfmt may keep it on one line where it fits (its lists within their
    /// heuristic widths).
    fn flat_allowed(&self) -> bool {
        let Some((_, args, ..)) = self.parts() else {
            return true;
        };
        let lone_atom = args.len() == 1 && matches!(args[0], Tree::Atom(_));
        let width_ok = match self {
            Tree::Call(..) => lone_atom || args_len(args) <= FN_CALL_WIDTH,
            Tree::Meta(..) => meta_width_ok(lone_atom, args_len(args)),
            Tree::Array(..) => lone_atom || args_len(args) <= ARRAY_WIDTH,
            _ => true,
        };
        width_ok && args.iter().all(Tree::flat_allowed)
    }
}

/// Whether rustfmt may keep an attribute's argument list on one line by its width
/// (one plain argument always may).
fn meta_width_ok(lone_atom: bool, args_len: usize) -> bool {
    lone_atom || args_len <= ATTR_FN_LIKE_WIDTH
}

/// Whether `flat_len` columns fit from column `col` with `trailing` after them.
fn fits(col: usize, flat_len: usize, trailing: usize, max: usize) -> bool {
    col + flat_len + trailing <= max
}

fn args_len(args: &[Tree]) -> usize {
    args.iter().map(Tree::flat_len).sum::<usize>() + 2 * args.len().saturating_sub(1)
}

/// `n` spaces onto `out`, copied from a slice of spaces (not pushed one by one).
pub(crate) fn push_pad(out: &mut String, mut n: usize) {
    const SPACES: &str = "                                                                ";
    while n > SPACES.len() {
        out.push_str(SPACES);
        n -= SPACES.len();
    }
    out.push_str(&SPACES[..n]);
}

impl Writer<'_> {
    pub(crate) fn pad(&mut self, indent: usize) {
        push_pad(&mut self.out, indent);
    }

    pub(crate) fn line(&mut self, indent: usize, text: &str) {
        self.pad(indent);
        self.out.push_str(text);
        self.out.push('\n');
    }

    /// `tree`, starting at column `col` of a line in a block indented `indent`, with
    /// `trailing` columns after it before the line may end.
    pub(crate) fn tree(&mut self, t: &Tree, indent: usize, col: usize, trailing: usize) {
        self.tree_in(t, indent, col, trailing, false);
    }

    fn tree_in(&mut self, t: &Tree, indent: usize, col: usize, trailing: usize, force: bool) {
        let Some((head, args, open, close)) = t.parts() else {
            self.out.push_str(t.text());
            return;
        };
        if !force && fits(col, t.flat_len(), trailing, self.max) && t.flat_allowed() {
            t.push_flat(&mut self.out);
            return;
        }
        let overflow = matches!(t, Tree::Call(..) | Tree::Meta(..))
            && args.len() == 1
            && std::mem::discriminant(&args[0]) == std::mem::discriminant(t);
        if overflow {
            self.out.push_str(head);
            self.out.push(open);
            self.tree_in(&args[0], indent, col + head.len() + 1, trailing + 1, true);
            self.out.push(close);
            return;
        }
        self.out.push_str(head);
        self.out.push(open);
        self.out.push('\n');
        let inner = indent + INDENT;
        let comma_last = !matches!(t, Tree::Meta(..));
        let short =
            matches!(t, Tree::Array(..)) && args.iter().all(|a| a.flat_len() <= SHORT_ARRAY_ITEM);
        if short {
            // Short array items fill lines.
            let mut width = 0;
            for a in args {
                let len = a.flat_len() + 1;
                if width > 0 && inner + width + 1 + len > self.max {
                    self.out.push('\n');
                    width = 0;
                }
                if width == 0 {
                    self.pad(inner);
                } else {
                    self.out.push(' ');
                    width += 1;
                }
                a.push_flat(&mut self.out);
                self.out.push(',');
                width += len;
            }
            self.out.push('\n');
        } else {
            for (i, a) in args.iter().enumerate() {
                let last = i + 1 == args.len();
                self.pad(inner);
                let comma = !last || comma_last;
                // An attribute's last argument has room for a comma it does not get.
                self.tree_in(a, inner, inner, 1, false);
                if comma {
                    self.out.push(',');
                }
                self.out.push('\n');
            }
        }
        self.pad(indent);
        self.out.push(close);
    }

    /// `#[name(args)]` at `indent` on an item or a variant; `#[name]` without
    /// arguments.
    pub(crate) fn attr(&mut self, indent: usize, name: &str, args: Vec<Tree>) {
        self.attr_within(indent, name, args, MAX_WIDTH);
    }

    /// `#[name(args)]` on a struct field, whose attributes rustfmt lays out with one
    /// column less (the field's comma).
    pub(crate) fn field_attr(&mut self, indent: usize, name: &str, args: Vec<Tree>) {
        self.attr_within(indent, name, args, MAX_WIDTH - 1);
    }

    /// [`Writer::field_attr`] of plain arguments (each a word or `key = value`), with no
    /// tree built when the attribute stays on its line (the common case).
    pub(crate) fn field_attr_atoms(&mut self, indent: usize, name: &str, args: &[&str]) {
        let args_len =
            args.iter().map(|a| a.len()).sum::<usize>() + 2 * args.len().saturating_sub(1);
        // The rules `tree_in` applies to `Tree::meta(name, atoms)` in `field_attr`:
        // from after `#[`, with the `]` after it, within a field attribute's width.
        let flat = !args.is_empty()
            && fits(indent + 2, name.len() + 2 + args_len, 1, MAX_WIDTH - 1)
            && meta_width_ok(args.len() == 1, args_len);
        if !flat {
            let trees = args.iter().map(|a| Tree::atom(*a)).collect();
            return self.field_attr(indent, name, trees);
        }
        self.pad(indent);
        self.out.push_str("#[");
        self.out.push_str(name);
        self.out.push('(');
        for (i, a) in args.iter().enumerate() {
            if i > 0 {
                self.out.push_str(", ");
            }
            self.out.push_str(a);
        }
        self.out.push_str(")]\n");
    }

    fn attr_within(&mut self, indent: usize, name: &str, args: Vec<Tree>, max: usize) {
        self.pad(indent);
        self.out.push_str("#[");
        if args.is_empty() {
            self.out.push_str(name);
        } else {
            self.max = max;
            self.tree(&Tree::meta(name, args), indent, indent + 2, 1);
            self.max = MAX_WIDTH;
        }
        self.out.push_str("]\n");
    }

    /// `#[derive(...)]`: one line (up to column 96); else the list on a line of its
    /// own (its comma may pass the margin); else one a line.
    pub(crate) fn derive(&mut self, indent: usize, traits: &[String]) {
        let list = traits.join(", ");
        if indent + 11 + list.len() <= MAX_WIDTH - 4 {
            self.pad(indent);
            self.out.push_str("#[derive(");
            self.out.push_str(&list);
            self.out.push_str(")]\n");
            return;
        }
        self.line(indent, "#[derive(");
        if indent + INDENT + list.len() <= MAX_WIDTH {
            self.pad(indent + INDENT);
            self.out.push_str(&list);
            self.out.push_str(",\n");
        } else {
            for t in traits {
                self.pad(indent + INDENT);
                self.out.push_str(t);
                self.out.push_str(",\n");
            }
        }
        self.line(indent, ")]");
    }

    /// `head` (ending in `:` or ` =`), then `value` and `tail` (`,` or `;`): on the
    /// line if it fits, else on the next line if it fits there, else broken after
    /// the head.
    pub(crate) fn rhs(&mut self, indent: usize, head: &str, value: &Tree, tail: &str) {
        self.pad(indent);
        self.out.push_str(head);
        let col = indent + head.len() + 1;
        let flat_ok = value.flat_allowed();
        if flat_ok && col + value.flat_len() + tail.len() <= MAX_WIDTH {
            self.out.push(' ');
            value.push_flat(&mut self.out);
        } else if flat_ok && indent + INDENT + value.flat_len() + tail.len() <= MAX_WIDTH {
            self.out.push('\n');
            self.pad(indent + INDENT);
            value.push_flat(&mut self.out);
        } else if value.parts().is_some() {
            self.out.push(' ');
            self.tree(value, indent, col, tail.len());
        } else {
            // Longer than any line: rustfmt leaves it as written.
            self.out.push(' ');
            value.push_flat(&mut self.out);
        }
        self.out.push_str(tail);
        self.out.push('\n');
    }

    /// A statement or tail expression `value` followed by `tail` (`;`, `?;`, ``).
    pub(crate) fn expr(&mut self, indent: usize, value: &Tree, tail: &str) {
        self.pad(indent);
        self.tree(value, indent, indent, tail.len());
        self.out.push_str(tail);
        self.out.push('\n');
    }

    /// `head(params) -> ret {` at `indent`, each parameter `name: type` (`&self`
    /// without a type): on one line if it fits; else the parameters one a line (or,
    /// without parameters, the return type on a line of its own); the `{` goes on a
    /// line of its own when only it passes the margin.
    pub(crate) fn sig(
        &mut self,
        indent: usize,
        head: &str,
        params: &[(&str, Option<Tree>)],
        ret: Option<&Tree>,
    ) {
        let param_len =
            |(n, t): &(&str, Option<Tree>)| n.len() + t.as_ref().map_or(0, |t| 2 + t.flat_len());
        let params_len: usize =
            params.iter().map(param_len).sum::<usize>() + 2 * params.len().saturating_sub(1);
        let ret_len = ret.map_or(0, |r| 4 + r.flat_len());
        let flat_len = indent + head.len() + 2 + params_len + ret_len;
        let start = self.out.len();
        self.pad(indent);
        self.out.push_str(head);
        self.out.push('(');
        let col;
        // Without parameters the signature may end one column past the margin.
        if flat_len + 2 <= MAX_WIDTH || (params.is_empty() && flat_len <= MAX_WIDTH + 1) {
            for (i, (n, t)) in params.iter().enumerate() {
                if i > 0 {
                    self.out.push_str(", ");
                }
                self.out.push_str(n);
                if let Some(t) = t {
                    self.out.push_str(": ");
                    t.push_flat(&mut self.out);
                }
            }
            self.out.push(')');
            if let Some(r) = ret {
                self.out.push_str(" -> ");
                r.push_flat(&mut self.out);
            }
            col = flat_len;
        } else if let (true, Some(r @ Tree::Generic(gen_head, _))) = (params.is_empty(), ret)
            && indent + 3 + r.flat_len() > MAX_WIDTH
            && indent + head.len() + 2 + 4 + gen_head.len() < MAX_WIDTH
        {
            // The return type fits no line of its own: its generic list breaks on the
            // signature's line.
            self.out.push_str(") -> ");
            self.tree(r, indent, indent + head.len() + 6, 2);
            if self.out[start..]
                .lines()
                .any(|l| l.chars().count() > MAX_WIDTH)
            {
                // rustfmt cannot lay it out and keeps it, `{` right after the `>`.
                self.out.push_str("{\n");
                return;
            }
            col = self.column();
        } else if params.is_empty() {
            self.out.push_str(")\n");
            self.pad(indent);
            self.out.push_str("-> ");
            if let Some(r) = ret {
                self.return_type(r, indent, indent + 3, MAX_WIDTH);
            }
            // As below, the indent counts twice, and a broken return type is followed
            // by the `{` without a space.
            if self.broken_past_margin(start, indent) {
                self.out.push_str("{\n");
                return;
            }
            col = self.column() + indent;
        } else {
            self.out.push('\n');
            let inner = indent + INDENT;
            for (n, t) in params {
                self.pad(inner);
                self.out.push_str(n);
                if let Some(t) = t {
                    self.out.push_str(": ");
                    self.tree(t, inner, inner + n.len() + 2, 1);
                }
                self.out.push_str(",\n");
            }
            self.pad(indent);
            self.out.push(')');
            if let Some(r) = ret {
                self.out.push_str(" -> ");
                // After the parameters it may pass the margin by two columns.
                self.return_type(r, indent, indent + 5, MAX_WIDTH + 2);
            }
            // rustfmt counts the indent twice here: the `{` stays on the line up to
            // column 98 less the indent; after a broken return type it follows the
            // `>` without a space.
            if self.broken_past_margin(start, indent) {
                self.out.push_str("{\n");
                return;
            }
            col = self.column() + indent;
        }
        if col + 2 <= MAX_WIDTH {
            self.out.push_str(" {\n");
        } else {
            self.out.push('\n');
            self.line(indent, "{");
        }
    }

    /// `head {` (a struct or an enum) at `indent`: the `{` goes on a line of its own
    /// when the line would pass the margin (rustfmt does not count the indent here).
    pub(crate) fn item_header(&mut self, indent: usize, head: &str) {
        // With a generic list the indent counts, and an indented line may pass the
        // margin by two columns.
        let fits = if head.ends_with('>') {
            indent + head.len() + 2 <= MAX_WIDTH + if indent > 0 { 2 } else { 0 }
        } else {
            head.len() + 2 <= MAX_WIDTH
        };
        if fits {
            self.pad(indent);
            self.out.push_str(head);
            self.out.push_str(" {\n");
        } else if let Some(name) = head
            .strip_suffix("<'a>")
            .filter(|_| indent + head.len() > MAX_WIDTH)
        {
            // A generic list breaks instead.
            self.line(indent, &format!("{name}<"));
            self.line(indent + INDENT, "'a,");
            self.line(indent, "> {");
        } else {
            self.line(indent, head);
            self.line(indent, "{");
        }
    }

    /// Whether the signature written from `start` ends in a broken return type that
    /// rustfmt cannot lay out (its first line, with the indent counted twice, or
    /// another line past the margin): it then keeps it as written and puts the `{`
    /// right after its `>`.
    fn broken_past_margin(&self, start: usize, indent: usize) -> bool {
        if !(self.out.ends_with('>') && self.column() == indent + 1) {
            return false;
        }
        let mut lines = self.out[start..].lines().skip_while(|l| !l.ends_with('<'));
        let head = lines.next().map_or(0, |l| l.chars().count() + indent);
        head > MAX_WIDTH || lines.any(|l| l.chars().count() > MAX_WIDTH)
    }

    /// A return type on a line of its own, its generic list broken past `max`.
    fn return_type(&mut self, r: &Tree, indent: usize, col: usize, max: usize) {
        self.max = max;
        self.tree(r, indent, col, 0);
        self.max = MAX_WIDTH;
    }

    /// The column the current line has reached.
    fn column(&self) -> usize {
        let start = self.out.rfind('\n').map_or(0, |i| i + 1);
        self.out[start..].chars().count()
    }

    /// `impl ty {` at `indent`: on one line if it fits (the indent not counted), else
    /// `impl`, the type and `{` on lines of their own where the type fits its line
    /// (found with rustfmt: a nested module's long `impl` line stays as it is).
    pub(crate) fn inherent_impl_header(&mut self, indent: usize, ty: &str) {
        if 5 + ty.len() + 2 > MAX_WIDTH && indent + INDENT + ty.len() <= MAX_WIDTH {
            self.line(indent, "impl");
            self.line(indent + INDENT, ty);
            self.line(indent, "{");
        } else {
            self.pad(indent);
            self.out.push_str("impl ");
            self.out.push_str(ty);
            self.out.push_str(" {\n");
        }
    }

    /// `impl trait_ for ty {` at `indent`: on one line if it fits (rustfmt does not
    /// count the indent here), else broken before `for`, with the `{` on a line of
    /// its own.
    pub(crate) fn impl_header(&mut self, indent: usize, trait_: &str, ty: &str) {
        let flat = format!("impl {trait_} for {ty} {{");
        if flat.len() <= MAX_WIDTH {
            self.line(indent, &flat);
        } else {
            self.line(indent, &format!("impl {trait_}"));
            self.line(indent + INDENT, &format!("for {ty}"));
            self.line(indent, "{");
        }
    }

    /// A match arm `pat => body,` at `indent`.
    pub(crate) fn arm(&mut self, indent: usize, pat: &str, body: &Tree) {
        let flat_ok = body.flat_allowed();
        let col = indent + pat.len() + 4;
        self.pad(indent);
        self.out.push_str(pat);
        self.out.push_str(" => ");
        if flat_ok && col + body.flat_len() < self.max {
            body.push_flat(&mut self.out);
            self.out.push_str(",\n");
        } else if matches!(body, Tree::Atom(_))
            || (flat_ok && indent + INDENT + body.flat_len() <= MAX_WIDTH)
        {
            self.out.push_str("{\n");
            self.pad(indent + INDENT);
            body.push_flat(&mut self.out);
            self.out.push('\n');
            self.line(indent, "}");
        } else if let Tree::Call(head, _) = body
            && col + head.len() + 1 < MAX_WIDTH
        {
            self.tree(body, indent, col, 1);
            self.out.push_str(",\n");
        } else {
            // The call's first line does not fit after the `=>`: a block.
            self.out.push_str("{\n");
            self.expr(indent + INDENT, body, "");
            self.line(indent, "}");
        }
    }

    /// `if let pat = value {` at `indent`: on one line; else the `{` on the next; else
    /// the value too.
    pub(crate) fn if_let(&mut self, indent: usize, pat: &str, value: &str) {
        let flat = format!("if let {pat} = {value} {{");
        if indent + flat.len() <= MAX_WIDTH {
            self.line(indent, &flat);
        } else if indent + flat.len() - 2 <= MAX_WIDTH {
            self.line(indent, &flat[..flat.len() - 2]);
            self.line(indent, "{");
        } else if indent + INDENT + value.len() > MAX_WIDTH
            && let Some(field) = value.strip_prefix("&self.")
        {
            // The field access breaks like a method chain.
            self.line(indent, &format!("if let {pat} = &self"));
            self.line(indent + INDENT, &format!(".{field}"));
            self.line(indent, "{");
        } else {
            self.line(indent, &format!("if let {pat} ="));
            self.line(indent + INDENT, value);
            self.line(indent, "{");
        }
    }
}
