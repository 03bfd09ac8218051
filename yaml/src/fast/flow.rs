//! The fast reader's flow collections: one-line `[...]` and `{...}`.

use super::*;

impl Fast<'_> {
    /// A flow collection on one line, the cursor on its `[` or `{`; the cursor ends
    /// after the closing bracket.
    pub(super) fn flow(&mut self, _level: usize) -> Option<Node> {
        self.enter()?;
        let pos = self.pos();
        let open = self.peek();
        self.i += 1;
        let value = if open == b'[' {
            let base = self.items.len();
            loop {
                self.flow_space()?;
                if self.peek() == b']' && self.items.len() == base {
                    break;
                }
                let item = self.flow_node()?;
                self.items.push(item);
                self.flow_space()?;
                match self.peek() {
                    b',' => self.i += 1,
                    b']' => break,
                    _ => return None,
                }
            }
            Value::Seq(self.items.split_off(base))
        } else {
            let base = self.entries.len();
            loop {
                self.flow_space()?;
                if self.peek() == b'}' && self.entries.len() == base {
                    break;
                }
                let kpos = self.pos();
                let mut key = self.flow_node()?;
                // A plain key that is not a string (`1`, `yes`) takes its text from
                // kubectl's key rules, which need the text: saphyr's path.
                let Value::String(name) = &mut key.value else {
                    return None;
                };
                let name = std::mem::take(name);
                if name == "<<" {
                    return None;
                }
                self.flow_space()?;
                if self.peek() != b':' || self.peek_at(1) != b' ' {
                    return None;
                }
                self.i += 1;
                self.flow_space()?;
                if matches!(self.peek(), b',' | b'}') {
                    return None;
                }
                let value = self.flow_node()?;
                if self.entries[base..].iter().any(|(k, _)| k.name == name) {
                    return None;
                }
                self.entries.push((Key { name, pos: kpos }, value));
                self.flow_space()?;
                match self.peek() {
                    b',' => self.i += 1,
                    b'}' => break,
                    _ => return None,
                }
            }
            Value::Map(self.entries.split_off(base))
        };
        self.i += 1;
        self.depth -= 1;
        Some(Node { pos, value })
    }

    /// Spaces inside a flow collection; a tab, comment or line end declines.
    pub(super) fn flow_space(&mut self) -> Option<()> {
        self.skip_spaces();
        match self.peek() {
            b'\t' | b'#' => None,
            c if is_breakz(c) => None,
            _ => Some(()),
        }
    }

    /// A node inside a flow collection: a nested collection, a one-line quoted scalar,
    /// or a plain scalar.
    pub(super) fn flow_node(&mut self) -> Option<Node> {
        let pos = self.pos();
        let line = self.line;
        match self.peek() {
            b'[' | b'{' => self.flow(0),
            q @ (b'\'' | b'"') => {
                let text = self.quoted_in_flow(q == b'\'')?;
                if self.line != line {
                    return None;
                }
                Some(Node {
                    pos,
                    value: Value::String(text),
                })
            }
            b'-' if self.peek_at(1).is_ascii_alphanumeric() || self.peek_at(1) == b'.' => {
                self.flow_plain(pos)
            }
            b'-' | b'?' | b':' | b',' | b']' | b'}' | b'#' | b'&' | b'*' | b'!' | b'%' | b'@'
            | b'`' | b'|' | b'>' => None,
            _ => self.flow_plain(pos),
        }
    }

    /// A quoted scalar inside a one-line flow collection.
    pub(super) fn quoted_in_flow(&mut self, single: bool) -> Option<String> {
        let quote = if single { b'\'' } else { b'"' };
        let s = self.s;
        let mut text = ScalarText::default();
        self.i += 1;
        loop {
            let c = self.peek();
            if is_breakz(c) {
                return None;
            }
            if c == b'\'' && single && self.peek_at(1) == b'\'' {
                text.owned(s).push('\'');
                self.i += 2;
            } else if c == quote {
                break;
            } else if c == b'\\' && !single {
                if is_break(self.peek_at(1)) {
                    return None;
                }
                let c = self.escape()?;
                text.owned(s).push(c);
            } else {
                self.quoted_run(&mut text, is_breakz);
            }
        }
        self.i += 1;
        Some(text.finish(s))
    }

    /// A plain scalar inside a one-line flow collection.
    pub(super) fn flow_plain(&mut self, pos: Pos) -> Option<Node> {
        let start = self.i;
        let mut end;
        loop {
            // A run of characters that can be in a plain scalar here.
            loop {
                let c = self.peek();
                if is_blank_or_breakz(c)
                    || is_flow(c)
                    || (c == b':'
                        && (is_blank_or_breakz(self.peek_at(1)) || is_flow(self.peek_at(1))))
                {
                    break;
                }
                self.i += 1;
            }
            end = self.i;
            // Spaces, then more of the scalar unless a comment, an indicator or a
            // flow character follows.
            let save = self.i;
            self.skip_spaces();
            let c = self.peek();
            if self.i == save
                || c == b'#'
                || is_blank_or_breakz(c)
                || is_flow(c)
                || (c == b':' && (is_blank_or_breakz(self.peek_at(1)) || is_flow(self.peek_at(1))))
            {
                self.i = save;
                break;
            }
            if c == b'-' && is_flow(self.peek_at(1)) {
                return None;
            }
        }
        if end == start {
            return None;
        }
        let text = self.str(start, end);
        Some(Node {
            pos,
            value: plain_value(text.to_owned()).ok()?,
        })
    }
}
