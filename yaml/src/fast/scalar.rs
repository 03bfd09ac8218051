//! The fast reader's scalars: plain, single- and double-quoted (with escapes) and
//! block scalars, ports of saphyr-parser 0.3.4's scanners, and the text they build.

use super::*;

impl Fast<'_> {
    /// A plain scalar in block context (saphyr's `scan_plain_scalar`): continuation
    /// lines must be indented past `enclosing`.
    ///
    /// Read a line at a time: on its first line a plain scalar is the text up to a
    /// break, a `:` before a blank, or a `#` after one, without the blanks before
    /// that stop (saphyr takes it word by word, keeping the blanks between words);
    /// a continuation line is joined with a space, or with one `\n` per empty line
    /// between.
    pub(super) fn plain(&mut self, enclosing: isize) -> Option<String> {
        let indent = enclosing + 1;
        let s = self.s;
        let b = self.b;
        let mut text = ScalarText::default();
        if self.peek() == b'#' || (self.i == self.ls && self.doc_indicator()) || self.plain_stops()
        {
            return None;
        }
        loop {
            // The cursor is on the line's first character of the scalar.
            let start = self.i;
            let stop = plain_line_stop(b, start, self.has_cr);
            let mut end = stop;
            while end > start && is_blank(b[end - 1]) {
                end -= 1;
            }
            text.verbatim(s, start, end);
            self.i = stop;
            if !is_break(self.peek()) {
                // A `:` or a comment ends it, as does the end of the input.
                break;
            }
            // Line breaks and the next lines' indentation: a tab there declines.
            let mut breaks = 0usize;
            loop {
                self.skip_break();
                self.skip_spaces();
                match self.peek() {
                    b'\t' => return None,
                    c if is_break(c) => breaks += 1,
                    _ => break,
                }
            }
            if (self.col() as isize) < indent
                || self.peek() == b'#'
                || (self.i == self.ls && self.doc_indicator())
                || self.plain_stops()
            {
                break;
            }
            let string = text.owned(s);
            if breaks == 0 {
                string.push(' ');
            } else {
                push_breaks(string, breaks);
            }
        }
        Some(text.finish(s))
    }

    /// A blank, a break, the end, or `:` before one: not a plain scalar character in
    /// block context.
    pub(super) fn plain_stops(&self) -> bool {
        let c = self.peek();
        is_blank_or_breakz(c) || (c == b':' && is_blank_or_breakz(self.peek_at(1)))
    }

    pub(super) fn str(&self, from: usize, to: usize) -> &str {
        // Slices start and end at ASCII bytes or the text's ends: on char boundaries.
        &self.s[from..to]
    }

    /// Inside quotes, the characters up to a quote, a backslash or a byte `stop`
    /// accepts (the first one is taken whatever it is), appended to `string`.
    pub(super) fn quoted_run(&mut self, text: &mut ScalarText, stop: fn(u8) -> bool) {
        let start = self.i;
        self.i += 1;
        while {
            let c = self.peek();
            !stop(c) && c != b'\'' && c != b'"' && c != b'\\'
        } {
            self.i += 1;
        }
        text.verbatim(self.s, start, self.i);
    }

    /// A quoted scalar (saphyr's `scan_flow_scalar`) in block context; continuation
    /// lines must start at `min_col` or further (saphyr asks for as much or less).
    /// The cursor ends after the closing quote.
    pub(super) fn quoted(&mut self, single: bool, min_col: usize) -> Option<String> {
        let quote = if single { b'\'' } else { b'"' };
        let s = self.s;
        let mut text = ScalarText::default();
        let mut leading_break = false;
        let mut trailing_breaks = 0usize;
        let mut ws_start;
        let mut ws_end;
        self.i += 1;
        loop {
            if self.eof() || (self.i == self.ls && self.doc_indicator()) {
                return None;
            }
            if self.col() < min_col {
                return None;
            }
            let mut leading_blanks = false;
            // Non-blank characters.
            loop {
                let c = self.peek();
                if is_blank_or_breakz(c) {
                    break;
                }
                if c == b'\'' && single && self.peek_at(1) == b'\'' {
                    text.owned(s).push('\'');
                    self.i += 2;
                } else if c == quote {
                    break;
                } else if c == b'\\' && !single && is_break(self.peek_at(1)) {
                    self.i += 1;
                    self.skip_break();
                    leading_blanks = true;
                    break;
                } else if c == b'\\' && !single {
                    let c = self.escape()?;
                    text.owned(s).push(c);
                } else {
                    self.quoted_run(&mut text, is_blank_or_breakz);
                }
            }
            if self.peek() == quote {
                break;
            }
            ws_start = self.i;
            ws_end = self.i;
            loop {
                let c = self.peek();
                if is_blank(c) {
                    if leading_blanks {
                        if c == b'\t' {
                            return None;
                        }
                    } else {
                        ws_end = self.i + 1;
                    }
                    self.i += 1;
                } else if is_break(c) {
                    if leading_blanks {
                        trailing_breaks += 1;
                    } else {
                        ws_end = ws_start;
                        leading_break = true;
                        leading_blanks = true;
                    }
                    self.skip_break();
                } else {
                    break;
                }
            }
            if leading_blanks {
                let string = text.owned(s);
                if !leading_break {
                    push_breaks(string, trailing_breaks);
                } else if trailing_breaks == 0 {
                    string.push(' ');
                } else {
                    push_breaks(string, trailing_breaks);
                }
                trailing_breaks = 0;
                leading_break = false;
            } else {
                text.verbatim(s, ws_start, ws_end);
            }
        }
        self.i += 1;
        // Trailing content: blanks, a comment after a blank, a break; or `:` on the
        // first line (the caller checks that).
        let save = (self.i, self.line, self.ls);
        while is_blank(self.peek()) {
            self.i += 1;
        }
        match self.peek() {
            b'#' if self.i > save.0 => {}
            b'#' => return None,
            b':' => return Some(text.finish(s)),
            c if is_breakz(c) => {}
            _ => return None,
        }
        (self.i, self.line, self.ls) = save;
        Some(text.finish(s))
    }

    /// A double-quoted escape (the cursor on the `\`).
    pub(super) fn escape(&mut self) -> Option<char> {
        let (ret, len) = match self.peek_at(1) {
            b'0' => ('\0', 0),
            b'a' => ('\x07', 0),
            b'b' => ('\x08', 0),
            b't' | b'\t' => ('\t', 0),
            b'n' => ('\n', 0),
            b'v' => ('\x0b', 0),
            b'f' => ('\x0c', 0),
            b'r' => ('\x0d', 0),
            b'e' => ('\x1b', 0),
            b' ' => (' ', 0),
            b'"' => ('"', 0),
            b'/' => ('/', 0),
            b'\\' => ('\\', 0),
            b'N' => ('\u{85}', 0),
            b'_' => ('\u{a0}', 0),
            b'L' => ('\u{2028}', 0),
            b'P' => ('\u{2029}', 0),
            b'x' => ('\0', 2),
            b'u' => ('\0', 4),
            b'U' => ('\0', 8),
            _ => return None,
        };
        self.i += 2;
        if len == 0 {
            return Some(ret);
        }
        let mut value = 0u32;
        for k in 0..len {
            let d = (self.peek_at(k) as char).to_digit(16)?;
            value = (value << 4) + d;
        }
        self.i += len;
        char::from_u32(value)
    }

    /// A literal (`|`) or folded (`>`) block scalar (saphyr's `scan_block_scalar`),
    /// `enclosing` being the column of its block collection. Returns the text and the
    /// node's position (saphyr's: the first content line's indentation, or the
    /// indicator when the input ends first). The cursor ends on the next token.
    pub(super) fn block_scalar(
        &mut self,
        literal: bool,
        enclosing: isize,
    ) -> Option<(String, Pos)> {
        #[derive(PartialEq)]
        enum Chomping {
            Strip,
            Clip,
            Keep,
        }
        let header = self.pos();
        self.i += 1;
        let mut chomping = Chomping::Clip;
        let mut increment = 0usize;
        let chomp = |c: u8| match c {
            b'+' => Some(Chomping::Keep),
            b'-' => Some(Chomping::Strip),
            _ => None,
        };
        if let Some(ch) = chomp(self.peek()) {
            chomping = ch;
            self.i += 1;
            if self.peek().is_ascii_digit() {
                if self.peek() == b'0' {
                    return None;
                }
                increment = (self.peek() - b'0') as usize;
                self.i += 1;
            }
        } else if self.peek().is_ascii_digit() {
            if self.peek() == b'0' {
                return None;
            }
            increment = (self.peek() - b'0') as usize;
            self.i += 1;
            if let Some(ch) = chomp(self.peek()) {
                chomping = ch;
                self.i += 1;
            }
        }
        let start = self.i;
        while is_blank(self.peek()) {
            self.i += 1;
        }
        match self.peek() {
            b'#' if self.i > start => self.skip_to_eol(),
            c if is_breakz(c) => {}
            _ => return None,
        }
        if is_break(self.peek()) {
            self.skip_break();
        }
        if self.peek() == b'\t' {
            return None;
        }
        let mut indent = if increment > 0 {
            (enclosing + increment as isize) as usize
        } else {
            0
        };
        let mut trailing_breaks = 0usize;
        if indent == 0 {
            let mut max_indent = 0;
            loop {
                self.skip_spaces();
                max_indent = max_indent.max(self.col());
                if is_break(self.peek()) {
                    self.skip_break();
                    trailing_breaks += 1;
                } else {
                    break;
                }
            }
            indent = max_indent.max((enclosing + 1) as usize);
            if enclosing > 0 {
                indent = indent.max(1);
            }
        } else {
            self.block_indent(indent, &mut trailing_breaks);
        }
        let mut string = std::mem::take(&mut self.pieces);
        if self.eof() {
            if chomping == Chomping::Keep {
                if trailing_breaks == 0 && self.line > header.line && self.col() > 0 {
                    string.breaks(1);
                } else {
                    string.breaks(trailing_breaks);
                }
            }
            let value = string.finish(self.s);
            self.pieces = string;
            self.skip_to_next_token()?;
            return Some((value, header));
        }
        let col = self.col();
        if col < indent && col as isize > enclosing {
            return None;
        }
        let pos = self.pos();
        let mut leading_break = false;
        let mut leading_blank = false;
        while self.col() == indent && !is_breakz(self.peek()) {
            let trailing_blank = is_blank(self.peek());
            if !literal && leading_break && !leading_blank && !trailing_blank {
                string.breaks(trailing_breaks);
                if trailing_breaks == 0 {
                    string.space();
                }
            } else {
                if leading_break {
                    string.breaks(1);
                }
                string.breaks(trailing_breaks);
            }
            leading_break = false;
            trailing_breaks = 0;
            leading_blank = is_blank(self.peek());
            let start = self.i;
            self.skip_to_eol();
            string.source(start, self.i);
            if !is_break(self.peek()) {
                break;
            }
            self.skip_break();
            leading_break = true;
            self.block_indent(indent, &mut trailing_breaks);
        }
        if chomping != Chomping::Strip {
            if leading_break {
                string.breaks(1);
            }
            if self.eof() && self.col() >= indent.max(1) {
                string.breaks(1);
            }
        }
        if chomping == Chomping::Keep {
            string.breaks(trailing_breaks);
        }
        let value = string.finish(self.s);
        self.pieces = string;
        self.skip_to_next_token()?;
        Some((value, pos))
    }

    /// Skip a block scalar's indentation and its empty lines (counted in `breaks`).
    pub(super) fn block_indent(&mut self, indent: usize, breaks: &mut usize) {
        loop {
            self.skip_spaces_to(self.ls + indent);
            if is_break(self.peek()) {
                self.skip_break();
                *breaks += 1;
            } else {
                break;
            }
        }
    }
}

/// A scalar's value as it is read. While everything taken so far is one stretch of
/// the source, copied as it is, the value is just that span: it is copied once, when
/// the scalar ends or when something else (a folded break, an escape) is added.
#[derive(Default)]
pub(super) struct ScalarText {
    span: Option<(usize, usize)>,
    string: String,
}

impl ScalarText {
    /// Source text `from..to` (of `s`), taken as it is.
    #[inline(always)]
    pub(super) fn verbatim(&mut self, s: &str, from: usize, to: usize) {
        if from == to {
            return;
        }
        match &mut self.span {
            Some((_, end)) if *end == from => *end = to,
            None if self.string.is_empty() => self.span = Some((from, to)),
            _ => self.owned(s).push_str(&s[from..to]),
        }
    }

    /// The value as a string, to add text that is not a stretch of the source.
    pub(super) fn owned(&mut self, s: &str) -> &mut String {
        if let Some((from, to)) = self.span.take() {
            self.string.push_str(&s[from..to]);
        }
        &mut self.string
    }

    pub(super) fn finish(self, s: &str) -> String {
        match self.span {
            Some((from, to)) => s[from..to].to_owned(),
            None => fitted(self.string),
        }
    }
}

/// A block scalar's value as it is read: stretches of the source and line breaks,
/// put together when the scalar ends, in one allocation of the right size (a value
/// grown line by line was reallocated as it grew, then shrunk to fit). [`Fast`] keeps
/// one, emptied by each [`Pieces::finish`], to reuse its list.
#[derive(Default)]
pub(super) struct Pieces {
    pieces: Vec<Piece>,
    len: usize,
}

enum Piece {
    Source(usize, usize),
    Breaks(usize),
    Space,
}

impl Pieces {
    /// Source text `from..to`.
    fn source(&mut self, from: usize, to: usize) {
        if from < to {
            self.len += to - from;
            self.pieces.push(Piece::Source(from, to));
        }
    }

    /// `n` line breaks.
    fn breaks(&mut self, n: usize) {
        if n > 0 {
            self.len += n;
            self.pieces.push(Piece::Breaks(n));
        }
    }

    fn space(&mut self) {
        self.len += 1;
        self.pieces.push(Piece::Space);
    }

    /// The value (the pieces taken from `s`); `self` is left empty.
    fn finish(&mut self, s: &str) -> String {
        let mut out = String::with_capacity(self.len);
        for piece in self.pieces.drain(..) {
            match piece {
                Piece::Source(from, to) => out.push_str(&s[from..to]),
                Piece::Breaks(n) => push_breaks(&mut out, n),
                Piece::Space => out.push(' '),
            }
        }
        self.len = 0;
        out
    }
}

/// `s` without much spare capacity: a value grown line by line (descriptions) stays in
/// the model until the end of the run.
pub(super) fn fitted(mut s: String) -> String {
    if s.capacity() - s.len() > s.len() / 8 {
        s.shrink_to_fit();
    }
    s
}

pub(super) fn push_breaks(s: &mut String, n: usize) {
    for _ in 0..n {
        s.push('\n');
    }
}
