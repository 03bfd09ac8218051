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

mod flow;
mod scalar;

use saphyr_parser::ScalarStyle;

use crate::kubectl::{plain_key, plain_value};
use crate::{Document, Key, Limits, Node, Pos, Value};
use scalar::{Pieces, ScalarText};

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
        pieces: Pieces::default(),
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

/// The bytes that need a look (NUL, CR, 0xEF) found with memchr, a vector at a time,
/// and stopping at the first refused one; then whether every byte is ASCII, in a fold
/// the compiler vectorises. (One pass testing each byte for all four cost twice as
/// many instructions.)
fn scan_bytes(b: &[u8]) -> Scan {
    let mut has_cr = false;
    let mut from = 0;
    while let Some(k) = memchr::memchr3(0, b'\r', 0xEF, &b[from..]) {
        let k = from + k;
        let refused = match b[k] {
            0 => true,
            b'\r' => {
                has_cr = true;
                b.get(k + 1) != Some(&b'\n')
            }
            _ => b.get(k + 1) == Some(&0xBB) && b.get(k + 2) == Some(&0xBF),
        };
        if refused {
            return Scan {
                refused: true,
                has_cr,
                ascii: false,
            };
        }
        from = k + 1;
    }
    Scan {
        refused: false,
        has_cr,
        ascii: b.iter().fold(0u8, |high, &c| high | c) < 0x80,
    }
}

/// A one in each byte of a word, and the high bit of each byte: [`find_plain_candidate`]'s
/// test for a byte in a word.
const LO: u64 = 0x0101_0101_0101_0101;
const HI: u64 = 0x8080_8080_8080_8080;

/// The offset of the first `\n` at or after `from`, or the length (memchr: a vector
/// at a time, where a word at a time cost 16 instructions per 8 bytes of the block
/// scalar lines that make up a quarter of a CRD).
fn find_newline(b: &[u8], from: usize) -> usize {
    memchr::memchr(b'\n', &b[from..]).map_or(b.len(), |k| from + k)
}

/// Where a plain scalar's part of its line ends, from `from` (on the scalar, not on
/// a `#`): the first break (or the end), `:` before a blank, a break or the end, or
/// `#` after a blank.
fn plain_line_stop(b: &[u8], from: usize, has_cr: bool) -> usize {
    let mut k = from;
    loop {
        k = if has_cr {
            find_plain_candidate::<true>(b, k)
        } else {
            find_plain_candidate::<false>(b, k)
        };
        match b.get(k) {
            None | Some(b'\n' | b'\r') => return k,
            Some(b':') if is_blank_or_breakz(b.get(k + 1).copied().unwrap_or(0)) => return k,
            Some(b'#') if k > from && is_blank(b[k - 1]) => return k,
            Some(_) => k += 1,
        }
    }
}

/// The offset of the first `\n`, `:` or `#` (or `\r`, with `CR`) at or after `from`,
/// or the length: eight bytes at a time (a word has a `c` byte when `w ^ c..` has a
/// zero byte). memchr3 measured slower here: most of these runs are a short word.
#[inline]
fn find_plain_candidate<const CR: bool>(b: &[u8], from: usize) -> usize {
    let has = |w: u64, c: u8| {
        let x = w ^ (LO * u64::from(c));
        x.wrapping_sub(LO) & !x & HI
    };
    let mut k = from;
    while k + 8 <= b.len() {
        let w = u64::from_le_bytes(b[k..k + 8].try_into().expect("eight bytes"));
        let mut found = has(w, b'\n') | has(w, b':') | has(w, b'#');
        if CR {
            found |= has(w, b'\r');
        }
        if found != 0 {
            return k + (found.trailing_zeros() / 8) as usize;
        }
        k += 8;
    }
    while k < b.len() && !matches!(b[k], b'\n' | b':' | b'#') && !(CR && b[k] == b'\r') {
        k += 1;
    }
    k
}

/// Eight spaces, as a little-endian word.
const SPACES: u64 = u64::from_le_bytes([b' '; 8]);

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
    /// The block scalar being read (its list kept from one to the next).
    pieces: Pieces,
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
        if self.ascii {
            // (The cursor is never before its line's start.)
            return self.i - self.ls;
        }
        let seg = &self.b[self.ls..self.i];
        if seg.is_ascii() {
            seg.len()
        } else {
            seg.iter().filter(|&&c| (c & 0xC0) != 0x80).count()
        }
    }

    #[inline]
    fn pos(&self) -> Pos {
        Pos {
            line: self.line,
            column: self.col() + 1,
        }
    }

    /// Skip spaces, but not past byte offset `limit`: eight at a time, the last word
    /// telling where the spaces end (indentation is half of a CRD's bytes).
    fn skip_spaces_to(&mut self, limit: usize) {
        let b = self.b;
        let limit = limit.min(b.len());
        let mut i = self.i;
        while i + 8 <= limit {
            let w = u64::from_le_bytes(b[i..i + 8].try_into().expect("eight bytes"));
            let x = w ^ SPACES;
            if x != 0 {
                self.i = i + (x.trailing_zeros() / 8) as usize;
                return;
            }
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
            value: Value::Map(self.entries.split_off(base)),
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
            value: Value::Seq(self.items.split_off(base)),
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
        // Every offset, around the scan's 128-byte chunks.
        for pad in 0..270 {
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
        // Around the scan's 128-byte chunks too.
        for pad in (0..20).chain(120..140).chain(250..260) {
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
