//! A fast reader for the YAML that CRDs are written in, giving exactly the tree that
//! [`crate::parse`]'s saphyr-based path gives, or declining.
//!
//! It reads block mappings and sequences (including sequences at their key's
//! indentation), plain, single- and double-quoted scalars (also over several lines),
//! literal and folded block scalars with their indicators, comments, `---` document
//! starts, one-line flow collections, CRLF line ends and a leading byte order mark.
//! The scalar scanners are ports of saphyr-parser 0.3.4's (the folding of lines, the
//! block scalar indentation rules), so values and positions (1-based line, column in
//! characters) agree with it.
//!
//! Anything else (anchors, aliases, tags, merge keys, `?` keys, directives, `...`,
//! tabs where YAML gives them meaning, multi-line flow collections, scalar documents,
//! duplicate keys, any error) makes it return `None`, and the caller parses the whole
//! stream with saphyr, so errors and rare features keep coming from one place. Where
//! saphyr's rules are intricate (indentation of quoted continuation lines, tabs), this
//! reader asks for more than saphyr does and declines the rest.

use saphyr_parser::ScalarStyle;

use crate::kubectl::{plain_key, plain_value};
use crate::{Document, Key, Limits, Node, Pos, Value};

/// How deep the fast reader nests before declining (its recursion stays shallow; the
/// saphyr path handles deeper input, with its own limit).
const MAX_FAST_DEPTH: usize = 128;

/// Parse a whole stream, or `None` when it uses anything this reader does not handle.
pub(super) fn parse(text: &str, limits: Limits) -> Option<Vec<Document>> {
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let b = text.as_bytes();
    // NUL ends saphyr's input; byte order marks elsewhere and lone CRs have rules of
    // their own there.
    let Scan {
        refused,
        has_cr,
        ascii,
    } = scan_bytes(b);
    if refused {
        return None;
    }
    let mut p = Fast {
        s: text,
        b,
        i: 0,
        line: 1,
        ls: 0,
        depth: 0,
        max_depth: limits.max_depth.min(MAX_FAST_DEPTH),
        entries: Vec::new(),
        items: Vec::new(),
        has_cr,
        ascii,
    };
    p.stream()
}

/// What [`scan_bytes`] finds in a text.
struct Scan {
    /// A NUL, a lone CR, or a byte order mark (EF BB BF): left to saphyr.
    refused: bool,
    /// A CR (then always in a CRLF).
    has_cr: bool,
    /// Only ASCII bytes (so a column is a byte offset within its line).
    ascii: bool,
}

/// One pass over the text, 32 bytes at a time (a loop the compiler vectorises): only
/// chunks with a NUL, a CR or an 0xEF byte are looked at byte by byte. Stops at the
/// first refused byte.
fn scan_bytes(b: &[u8]) -> Scan {
    const CHUNK: usize = 32;
    let mut has_cr = false;
    let mut high = 0u8;
    let refused = |has_cr| Scan {
        refused: true,
        has_cr,
        ascii: false,
    };
    // Whether the byte at `k` is refused (noting a CR on the way).
    let close = |k: usize, has_cr: &mut bool| match b[k] {
        0 => true,
        b'\r' => {
            *has_cr = true;
            b.get(k + 1) != Some(&b'\n')
        }
        0xEF => b.get(k + 1) == Some(&0xBB) && b.get(k + 2) == Some(&0xBF),
        _ => false,
    };
    let mut chunks = b.chunks_exact(CHUNK);
    let mut base = 0;
    for chunk in &mut chunks {
        let chunk: &[u8; CHUNK] = chunk.try_into().expect("a whole chunk");
        let mut odd = 0u8;
        for &c in chunk {
            high |= c;
            odd |= u8::from(c == 0) | u8::from(c == b'\r') | u8::from(c == 0xEF);
        }
        if odd != 0 {
            for k in base..base + CHUNK {
                if close(k, &mut has_cr) {
                    return refused(has_cr);
                }
            }
        }
        base += CHUNK;
    }
    for (k, &c) in b.iter().enumerate().skip(base) {
        high |= c;
        if close(k, &mut has_cr) {
            return refused(has_cr);
        }
    }
    Scan {
        refused: false,
        has_cr,
        ascii: high < 0x80,
    }
}

/// The offset of the first `\n` at or after `from`, or the length: eight bytes at a
/// time (a word has a `\n` byte when `x ^ 0x0a..` has a zero byte).
fn find_newline(b: &[u8], from: usize) -> usize {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let mut k = from;
    while k + 8 <= b.len() {
        let w = u64::from_le_bytes(b[k..k + 8].try_into().expect("eight bytes"));
        let x = w ^ (LO * u64::from(b'\n'));
        let found = x.wrapping_sub(LO) & !x & HI;
        if found != 0 {
            return k + (found.trailing_zeros() / 8) as usize;
        }
        k += 8;
    }
    while k < b.len() && b[k] != b'\n' {
        k += 1;
    }
    k
}

fn is_break(c: u8) -> bool {
    c == b'\n' || c == b'\r'
}

/// A break or the end of the input (NUL is refused up front, so 0 means the end).
fn is_breakz(c: u8) -> bool {
    c == b'\n' || c == b'\r' || c == 0
}

fn is_blank(c: u8) -> bool {
    c == b' ' || c == b'\t'
}

fn is_blank_or_breakz(c: u8) -> bool {
    is_blank(c) || is_breakz(c)
}

fn is_flow(c: u8) -> bool {
    matches!(c, b',' | b'[' | b']' | b'{' | b'}')
}

/// A scanned scalar, or a simple key (the scalar followed by `:`; the cursor is then
/// past the `:`).
enum Item {
    Scalar(Node),
    Key { name: String, pos: Pos, colon: Pos },
}

struct Fast<'a> {
    s: &'a str,
    b: &'a [u8],
    /// Byte offset of the cursor.
    i: usize,
    /// 1-based line of the cursor.
    line: usize,
    /// Byte offset where the cursor's line starts.
    ls: usize,
    depth: usize,
    max_depth: usize,
    /// The entries of the mappings being read, innermost last (each mapping then takes
    /// its own off the top, in one allocation of the right size).
    entries: Vec<(Key, Node)>,
    /// The same for sequences' items.
    items: Vec<Node>,
    /// The text has a CR (then always in a CRLF).
    has_cr: bool,
    /// The text is all ASCII: a column is the byte offset from the line's start.
    ascii: bool,
}

impl Fast<'_> {
    fn peek(&self) -> u8 {
        self.b.get(self.i).copied().unwrap_or(0)
    }

    fn peek_at(&self, k: usize) -> u8 {
        self.b.get(self.i + k).copied().unwrap_or(0)
    }

    fn eof(&self) -> bool {
        self.i >= self.b.len()
    }

    /// 0-based column in characters, as saphyr counts it.
    #[inline]
    fn col(&self) -> usize {
        let seg = &self.b[self.ls..self.i];
        if self.ascii || seg.is_ascii() {
            seg.len()
        } else {
            seg.iter().filter(|&&c| (c & 0xC0) != 0x80).count()
        }
    }

    fn pos(&self) -> Pos {
        Pos {
            line: self.line,
            column: self.col() + 1,
        }
    }

    /// Skip spaces, eight at a time where it can, but not past byte offset `limit`.
    fn skip_spaces_to(&mut self, limit: usize) {
        let b = self.b;
        let limit = limit.min(b.len());
        let mut i = self.i;
        while i + 8 <= limit && b[i..i + 8] == *b"        " {
            i += 8;
        }
        while i < limit && b[i] == b' ' {
            i += 1;
        }
        self.i = i;
    }

    fn skip_spaces(&mut self) {
        self.skip_spaces_to(usize::MAX);
    }

    /// Consume a line break (LF or CRLF).
    fn skip_break(&mut self) {
        if self.peek() == b'\r' {
            self.i += 1;
        }
        self.i += 1;
        self.line += 1;
        self.ls = self.i;
    }

    /// Consume the rest of the line (a comment), not the break.
    fn skip_to_eol(&mut self) {
        if self.has_cr {
            while !is_breakz(self.peek()) {
                self.i += 1;
            }
        } else {
            self.i = find_newline(self.b, self.i);
        }
    }

    /// `---` or `...` at the cursor (which the caller knows is at column 0).
    fn doc_indicator(&self) -> bool {
        let c = self.peek();
        (c == b'-' || c == b'.')
            && self.peek_at(1) == c
            && self.peek_at(2) == c
            && is_blank_or_breakz(self.peek_at(3))
    }

    /// The end of the input or a document marker: every block collection ends.
    fn at_boundary(&self) -> bool {
        self.eof() || (self.i == self.ls && self.doc_indicator())
    }

    /// Skip spaces, line breaks and comments up to the next token. Tabs decline.
    fn skip_to_next_token(&mut self) -> Option<()> {
        loop {
            match self.peek() {
                b' ' => self.skip_spaces(),
                b'\t' => return None,
                b'\n' | b'\r' => self.skip_break(),
                b'#' => self.skip_to_eol(),
                _ => return Some(()),
            }
        }
    }

    /// After a token that must end its line: spaces, then maybe a comment (after a
    /// space), then a break or the end. Then on to the next token.
    fn end_of_line(&mut self) -> Option<()> {
        let start = self.i;
        self.skip_spaces();
        match self.peek() {
            b'#' if self.i > start => self.skip_to_eol(),
            c if is_breakz(c) => {}
            _ => return None,
        }
        self.skip_to_next_token()
    }

    fn enter(&mut self) -> Option<()> {
        self.depth += 1;
        (self.depth < self.max_depth).then_some(())
    }

    fn stream(&mut self) -> Option<Vec<Document>> {
        let mut docs = Vec::new();
        self.skip_to_next_token()?;
        loop {
            if self.eof() {
                return Some(docs);
            }
            let root = if self.i == self.ls && self.doc_indicator() {
                if self.peek() == b'.' {
                    return None;
                }
                // `---`, then nothing but a comment on its line.
                self.i += 3;
                self.end_of_line()?;
                if self.at_boundary() {
                    if self.peek() == b'.' {
                        return None;
                    }
                    // An empty document: null where the next token (or the end) is.
                    let mut pos = self.pos();
                    if self.eof() && pos.column != 1 {
                        pos = Pos {
                            line: pos.line + 1,
                            column: 1,
                        };
                    }
                    Node {
                        pos,
                        value: Value::Null,
                    }
                } else {
                    self.root()?
                }
            } else {
                self.root()?
            };
            docs.push(Document {
                index: docs.len(),
                root,
            });
            if !self.at_boundary() || self.peek() == b'.' {
                return None;
            }
        }
    }

    /// The root of a document: a block mapping or sequence.
    fn root(&mut self) -> Option<Node> {
        let c = self.col();
        if self.peek() == b'-' && is_blank_or_breakz(self.peek_at(1)) {
            return self.block_seq(c, false);
        }
        match self.item(-1)? {
            Item::Key { name, pos, colon } => self.block_map(c, name, pos, colon),
            Item::Scalar(_) => None,
        }
    }

    /// A block mapping at column `m`, its first key already read.
    fn block_map(&mut self, m: usize, name: String, pos: Pos, colon: Pos) -> Option<Node> {
        self.enter()?;
        let base = self.entries.len();
        let (mut name, mut kpos, mut colon) = (name, pos, colon);
        loop {
            let value = self.block_value(m, colon)?;
            if self.entries[base..].iter().any(|(k, _)| k.name == name) {
                return None;
            }
            self.entries.push((Key { name, pos: kpos }, value));
            if self.at_boundary() {
                break;
            }
            let c = self.col();
            if c < m {
                break;
            }
            if c > m {
                return None;
            }
            match self.item(m as isize)? {
                Item::Key {
                    name: n,
                    pos: p,
                    colon: cp,
                } => (name, kpos, colon) = (n, p, cp),
                Item::Scalar(_) => return None,
            }
        }
        self.depth -= 1;
        Some(Node {
            pos,
            value: Value::Map(self.entries.drain(base..).collect()),
        })
    }

    /// The value after a block mapping key's `:` (the cursor is past it).
    fn block_value(&mut self, m: usize, colon: Pos) -> Option<Node> {
        self.skip_spaces();
        match self.peek() {
            b'\t' => return None,
            b'#' => self.skip_to_eol(),
            c if is_breakz(c) => {}
            _ => {
                // On the key's line: a scalar or a flow collection, never a key.
                if self.peek() == b'-' && is_blank_or_breakz(self.peek_at(1)) {
                    return None;
                }
                return match self.item(m as isize)? {
                    Item::Scalar(node) => {
                        self.skip_to_next_token()?;
                        Some(node)
                    }
                    Item::Key { .. } => None,
                };
            }
        }
        self.skip_to_next_token()?;
        let empty = Node {
            pos: colon,
            value: Value::Null,
        };
        if self.at_boundary() {
            return Some(empty);
        }
        let c = self.col();
        let dash = self.peek() == b'-' && is_blank_or_breakz(self.peek_at(1));
        if c > m {
            self.node_at(c, m as isize)
        } else if c == m && dash {
            self.block_seq(m, true)
        } else {
            Some(empty)
        }
    }

    /// A node starting at the cursor (column `c`) that may be a block collection;
    /// `enclosing` is the column of the collection it is in. The cursor ends on the
    /// next token.
    fn node_at(&mut self, c: usize, enclosing: isize) -> Option<Node> {
        if self.peek() == b'-' && is_blank_or_breakz(self.peek_at(1)) {
            return self.block_seq(c, false);
        }
        match self.item(enclosing)? {
            Item::Key { name, pos, colon } => self.block_map(c, name, pos, colon),
            Item::Scalar(node) => {
                self.skip_to_next_token()?;
                Some(node)
            }
        }
    }

    /// A block sequence whose first `-` is at the cursor, in column `s`. `indentless`:
    /// it stands at its mapping key's column.
    fn block_seq(&mut self, s: usize, indentless: bool) -> Option<Node> {
        self.enter()?;
        let base = self.items.len();
        let mut seq_pos = None;
        let dash_pos = self.pos();
        loop {
            // Past the `-` and the spaces (and a comment) after it: saphyr's entry mark.
            self.i += 1;
            self.skip_spaces();
            match self.peek() {
                b'\t' => return None,
                b'#' => self.skip_to_eol(),
                _ => {}
            }
            let entry = self.pos();
            seq_pos.get_or_insert(if indentless { entry } else { dash_pos });
            let item = if is_breakz(self.peek()) {
                self.skip_to_next_token()?;
                let c = self.col();
                if !self.at_boundary() && c > s {
                    self.node_at(c, s as isize)?
                } else if self.at_boundary()
                    || c < s
                    || self.peek() == b'-' && is_blank_or_breakz(self.peek_at(1))
                    || indentless
                {
                    Node {
                        pos: entry,
                        value: Value::Null,
                    }
                } else {
                    return None;
                }
            } else {
                let c = self.col();
                self.node_at(c, s as isize)?
            };
            self.items.push(item);
            if self.at_boundary() {
                break;
            }
            let c = self.col();
            if c < s {
                break;
            }
            if c > s {
                return None;
            }
            if !(self.peek() == b'-' && is_blank_or_breakz(self.peek_at(1))) {
                if indentless {
                    break;
                }
                return None;
            }
        }
        self.depth -= 1;
        Some(Node {
            pos: seq_pos.expect("one entry at least"),
            value: Value::Seq(self.items.drain(base..).collect()),
        })
    }

    /// A scalar, a flow collection, or a simple key, at the cursor in block context.
    /// `enclosing`: the column of the block collection around it (-1 at the root).
    /// A scalar leaves the cursor after it (before any comment); a key leaves it past
    /// the `:`.
    fn item(&mut self, enclosing: isize) -> Option<Item> {
        let pos = self.pos();
        let start = self.i;
        let start_line = self.line;
        let c = self.peek();
        let n = self.peek_at(1);
        let (text, style) = match c {
            b'\'' | b'"' => {
                let single = c == b'\'';
                let text = self.quoted(single, (enclosing + 1) as usize)?;
                let style = if single {
                    ScalarStyle::SingleQuoted
                } else {
                    ScalarStyle::DoubleQuoted
                };
                (text, style)
            }
            b'|' | b'>' => {
                if enclosing < 0 {
                    return None;
                }
                let (text, pos) = self.block_scalar(c == b'|', enclosing)?;
                return Some(Item::Scalar(Node {
                    pos,
                    value: Value::String(text),
                }));
            }
            b'[' | b'{' => {
                let node = self.flow(0)?;
                // Only one-line flow collections, ending their line.
                let save = (self.i, self.line, self.ls);
                self.skip_spaces();
                match self.peek() {
                    b'#' if self.i > save.0 => {}
                    c if is_breakz(c) => {}
                    _ => return None,
                }
                (self.i, self.line, self.ls) = save;
                return Some(Item::Scalar(node));
            }
            b'-' | b'?' | b':' if is_blank_or_breakz(n) => return None,
            b',' | b']' | b'}' | b'#' | b'&' | b'*' | b'!' | b'%' | b'@' | b'`' => return None,
            b'\t' | b' ' => return None,
            _ => {
                if enclosing < 0 && self.i == self.ls && self.doc_indicator() {
                    return None;
                }
                (self.plain(enclosing)?, ScalarStyle::Plain)
            }
        };
        if self.peek() == b':' {
            // A simple key: on one line, not too long, `:` then a blank.
            if self.line != start_line
                || self.i - start > 1000
                || !is_blank_or_breakz(self.peek_at(1))
            {
                return None;
            }
            let colon = self.pos();
            self.i += 1;
            let name = if style == ScalarStyle::Plain {
                if text == "<<" {
                    return None;
                }
                plain_key(text).ok()?
            } else {
                text
            };
            return Some(Item::Key { name, pos, colon });
        }
        // The scanners checked what follows: a plain scalar ends at a comment, at `:`
        // or at the next token; a quoted one at the end of its line or a comment.
        let value = if style == ScalarStyle::Plain {
            plain_value(text).ok()?
        } else {
            Value::String(text)
        };
        Some(Item::Scalar(Node { pos, value }))
    }

    /// A plain scalar in block context (saphyr's `scan_plain_scalar`): continuation
    /// lines must be indented past `enclosing`.
    fn plain(&mut self, enclosing: isize) -> Option<String> {
        let indent = enclosing + 1;
        let s = self.s;
        let mut text = ScalarText::default();
        let mut ws_start = self.i;
        let mut ws_end = self.i;
        let mut leading_break = false;
        let mut trailing_breaks = 0usize;
        let mut leading_whitespace = false;
        loop {
            if self.peek() == b'#' || (self.i == self.ls && self.doc_indicator()) {
                break;
            }
            if !self.plain_stops() {
                if leading_whitespace {
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
                    leading_whitespace = false;
                } else {
                    text.verbatim(s, ws_start, ws_end);
                }
                ws_start = self.i;
                ws_end = self.i;
                let start = self.i;
                while !self.plain_stops() {
                    self.i += 1;
                }
                text.verbatim(s, start, self.i);
            }
            let c = self.peek();
            if !(is_blank(c) || is_break(c)) {
                break;
            }
            loop {
                let c = self.peek();
                if is_blank(c) {
                    if !leading_whitespace {
                        if ws_end == ws_start {
                            ws_start = self.i;
                        }
                        self.i += 1;
                        ws_end = self.i;
                    } else if c == b'\t' {
                        return None;
                    } else {
                        self.skip_spaces();
                    }
                } else if is_break(c) {
                    if leading_whitespace {
                        self.skip_break();
                        trailing_breaks += 1;
                    } else {
                        ws_start = self.i;
                        ws_end = self.i;
                        self.skip_break();
                        leading_break = true;
                        leading_whitespace = true;
                    }
                } else {
                    break;
                }
            }
            if (self.col() as isize) < indent {
                break;
            }
        }
        if text.is_empty() {
            return None;
        }
        Some(text.finish(s))
    }

    /// A blank, a break, the end, or `:` before one: not a plain scalar character in
    /// block context.
    fn plain_stops(&self) -> bool {
        let c = self.peek();
        is_blank_or_breakz(c) || (c == b':' && is_blank_or_breakz(self.peek_at(1)))
    }

    fn str(&self, from: usize, to: usize) -> &str {
        // Slices start and end at ASCII bytes or the text's ends: on char boundaries.
        &self.s[from..to]
    }

    /// Inside quotes, the characters up to a quote, a backslash or a byte `stop`
    /// accepts (the first one is taken whatever it is), appended to `string`.
    fn quoted_run(&mut self, text: &mut ScalarText, stop: fn(u8) -> bool) {
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
    fn quoted(&mut self, single: bool, min_col: usize) -> Option<String> {
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
    fn escape(&mut self) -> Option<char> {
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
    fn block_scalar(&mut self, literal: bool, enclosing: isize) -> Option<(String, Pos)> {
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
        let mut string = String::new();
        if self.eof() {
            if chomping == Chomping::Keep {
                if trailing_breaks == 0 && self.line > header.line && self.col() > 0 {
                    string.push('\n');
                } else {
                    push_breaks(&mut string, trailing_breaks);
                }
            }
            self.skip_to_next_token()?;
            return Some((string, header));
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
                push_breaks(&mut string, trailing_breaks);
                if trailing_breaks == 0 {
                    string.push(' ');
                }
            } else {
                if leading_break {
                    string.push('\n');
                }
                push_breaks(&mut string, trailing_breaks);
            }
            leading_break = false;
            trailing_breaks = 0;
            leading_blank = is_blank(self.peek());
            let start = self.i;
            self.skip_to_eol();
            string.push_str(self.str(start, self.i));
            if !is_break(self.peek()) {
                break;
            }
            self.skip_break();
            leading_break = true;
            self.block_indent(indent, &mut trailing_breaks);
        }
        if chomping != Chomping::Strip {
            if leading_break {
                string.push('\n');
            }
            if self.eof() && self.col() >= indent.max(1) {
                string.push('\n');
            }
        }
        if chomping == Chomping::Keep {
            push_breaks(&mut string, trailing_breaks);
        }
        self.skip_to_next_token()?;
        Some((fitted(string), pos))
    }

    /// Skip a block scalar's indentation and its empty lines (counted in `breaks`).
    fn block_indent(&mut self, indent: usize, breaks: &mut usize) {
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

    /// A flow collection on one line, the cursor on its `[` or `{`; the cursor ends
    /// after the closing bracket.
    fn flow(&mut self, _level: usize) -> Option<Node> {
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
            Value::Seq(self.items.drain(base..).collect())
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
            Value::Map(self.entries.drain(base..).collect())
        };
        self.i += 1;
        self.depth -= 1;
        Some(Node { pos, value })
    }

    /// Spaces inside a flow collection; a tab, comment or line end declines.
    fn flow_space(&mut self) -> Option<()> {
        self.skip_spaces();
        match self.peek() {
            b'\t' | b'#' => None,
            c if is_breakz(c) => None,
            _ => Some(()),
        }
    }

    /// A node inside a flow collection: a nested collection, a one-line quoted scalar,
    /// or a plain scalar.
    fn flow_node(&mut self) -> Option<Node> {
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
    fn quoted_in_flow(&mut self, single: bool) -> Option<String> {
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
    fn flow_plain(&mut self, pos: Pos) -> Option<Node> {
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

/// A scalar's value as it is read. While everything taken so far is one stretch of
/// the source, copied as it is, the value is just that span: it is copied once, when
/// the scalar ends or when something else (a folded break, an escape) is added.
#[derive(Default)]
struct ScalarText {
    span: Option<(usize, usize)>,
    string: String,
}

impl ScalarText {
    /// Source text `from..to` (of `s`), taken as it is.
    #[inline(always)]
    fn verbatim(&mut self, s: &str, from: usize, to: usize) {
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
    fn owned(&mut self, s: &str) -> &mut String {
        if let Some((from, to)) = self.span.take() {
            self.string.push_str(&s[from..to]);
        }
        &mut self.string
    }

    #[inline]
    fn is_empty(&self) -> bool {
        self.span.is_none() && self.string.is_empty()
    }

    fn finish(self, s: &str) -> String {
        match self.span {
            Some((from, to)) => s[from..to].to_owned(),
            None => fitted(self.string),
        }
    }
}

/// `s` without much spare capacity: a value grown line by line (descriptions) stays in
/// the model until the end of the run.
fn fitted(mut s: String) -> String {
    if s.capacity() - s.len() > s.len() / 8 {
        s.shrink_to_fit();
    }
    s
}

fn push_breaks(s: &mut String, n: usize) {
    for _ in 0..n {
        s.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn find_newline_finds_the_first() {
        let text = "0123456789abcdef\nxyz\n";
        for from in 0..text.len() {
            let want = text[from..].find('\n').map_or(text.len(), |k| k + from);
            assert_eq!(find_newline(text.as_bytes(), from), want, "from {from}");
        }
        assert_eq!(find_newline(b"no break at all, long enough", 0), 28);
        assert_eq!(find_newline("é\u{a0}\n".as_bytes(), 0), 4);
    }

    /// `scan_bytes` as (refused, has_cr).
    fn refused_cr(b: &[u8]) -> (bool, bool) {
        let scan = scan_bytes(b);
        (scan.refused, scan.has_cr)
    }

    #[test]
    fn refused_bytes() {
        assert_eq!(refused_cr(b"a: 1\0"), (true, false));
        assert_eq!(refused_cr(b"a: 1\rb: 2"), (true, true));
        assert_eq!(refused_cr(b"a: 1\r\nb: 2\r\n"), (false, true));
        assert_eq!(
            refused_cr(b"a: 1\nb: 2\n\tc: 3, long enough\n"),
            (false, false)
        );
        assert!(refused_cr("a: \u{feff}".as_bytes()).0);
        assert!(!refused_cr("a: \u{fefe}\u{ef}".as_bytes()).0);
        // Every offset, around the scan's 32-byte chunks.
        for pad in 0..70 {
            for bad in ["\0", "\r", "\u{feff}"] {
                let text = format!("{}{bad}{}", "x".repeat(pad), "y".repeat(pad % 7));
                assert!(refused_cr(text.as_bytes()).0, "{text:?}");
            }
            let text = format!("{}\r\n{}", "x".repeat(pad), "é".repeat(pad % 5));
            assert_eq!(refused_cr(text.as_bytes()), (false, true), "{text:?}");
        }
    }

    #[test]
    fn ascii_is_found_at_every_offset() {
        for pad in 0..20 {
            let plain = "x".repeat(pad);
            assert!(scan_bytes(plain.as_bytes()).ascii, "{plain:?}");
            for tail in 0..9 {
                let text = format!("{plain}é{}", "y".repeat(tail));
                assert!(!scan_bytes(text.as_bytes()).ascii, "{text:?}");
            }
        }
    }

    #[test]
    fn columns_count_characters_in_ascii_and_other_text() {
        // The value's column counts characters, whether or not the text is ASCII.
        for text in [
            "ab: cd\nef:\n  gh: 1\n",
            "éb: cd\nef:\n  gh: 1\n",
            "éé: cd\nef:\n  gh: 1\n",
        ] {
            let docs = parse(text, Limits::default()).expect("fast path");
            let Value::Map(entries) = &docs[0].root.value else {
                panic!("a map")
            };
            assert_eq!(
                (entries[0].1.pos.line, entries[0].1.pos.column),
                (1, 5),
                "{text:?}"
            );
            assert_eq!(
                (entries[1].0.pos.line, entries[1].0.pos.column),
                (2, 1),
                "{text:?}"
            );
            let Value::Map(inner) = &entries[1].1.value else {
                panic!("a map")
            };
            assert_eq!(
                (inner[0].1.pos.line, inner[0].1.pos.column),
                (3, 7),
                "{text:?}"
            );
        }
    }
}
