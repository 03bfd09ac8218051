//! crdgen's one YAML writer: a JSON value as sigs.k8s.io/yaml writes it (JSON → go-yaml
//! v2's encoder and emitter). That is what a real kube-apiserver answers for
//! `Accept: application/yaml` and what controller-gen writes CRD manifests with, so both
//! the in-memory server and `crdgen crd` use it.
//!
//! go-yaml's rules, ported from its `encode.go` (`stringv`, `floatv`), `resolve.go`,
//! `sorter.go` and `emitterc.go`:
//! - keys in go-yaml's order: runs of digits compare as numbers (`a9` before `a10`), and
//!   at the first difference a non-letter sorts before a letter (`_x` before `Z`);
//! - block style; a sequence under a key is not indented; an empty mapping or sequence is
//!   `{}` / `[]`;
//! - a string with a line break is a literal block (`|`, `|-`, `|+`, with an indentation
//!   indicator when it starts with a space or a break) when a block keeps it exactly;
//!   a string that YAML 1.1 would read as something else (`"yes"`, `"1"`, `"1:20"`,
//!   `"2001-12-14"`, `""`) is double-quoted; a string that a plain scalar cannot
//!   hold (indicators, `: `, ` #`, leading or trailing spaces) is single-quoted, or
//!   double-quoted when it holds characters only escapes can write;
//! - plain, single- and double-quoted scalars are folded at spaces past column 80;
//! - a key longer than 128 bytes or holding a line break is a complex key (`? key`);
//! - numbers as Go reads and writes them: an integral value is written as an integer, any
//!   other float as `strconv.FormatFloat(f, 'g', -1, 64)` (`1.5`, `1.2345675e+06`).

use serde_json::{Map, Number, Value};
use std::cmp::Ordering;

/// go-yaml's preferred width: past it, scalars fold at a space.
const BEST_WIDTH: usize = 80;
/// go-yaml's indentation step.
const BEST_INDENT: usize = 2;
/// A key longer than this (in bytes) is written as a complex key.
const MAX_SIMPLE_KEY: usize = 128;

/// The YAML document of a JSON value (no `---`), ending in a newline, as
/// sigs.k8s.io/yaml's `Marshal`/`JSONToYAML` writes it.
pub fn to_yaml(value: &Value) -> String {
    let mut w = Emitter {
        out: String::new(),
        indent: None,
        column: 0,
        whitespace: true,
        indention: true,
    };
    w.node(value, Context::Root);
    // Document end: a line break unless the last node ended one.
    w.write_indent(0);
    w.out
}

/// Where a node stands.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Context {
    Root,
    SequenceItem,
    /// A mapping key; `simple` when written as `key:` (not `? key`).
    Key {
        simple: bool,
    },
    MappingValue,
}

/// The emitter's state (go-yaml's `yaml_emitter_t`, the fields block output uses).
struct Emitter {
    out: String,
    /// Indentation of the current node; `None` before the root.
    indent: Option<usize>,
    column: usize,
    /// The last character written is white space (or nothing was written).
    whitespace: bool,
    /// Only indentation has been written on this line so far.
    indention: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Style {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
}

impl Emitter {
    fn put(&mut self, c: char) {
        self.out.push(c);
        self.column += 1;
    }

    fn put_break(&mut self) {
        self.out.push('\n');
        self.column = 0;
    }

    fn write_indent(&mut self, indent: usize) {
        if !self.indention || self.column > indent || (self.column == indent && !self.whitespace) {
            self.put_break();
        }
        while self.column < indent {
            self.put(' ');
        }
        self.whitespace = true;
        self.indention = true;
    }

    fn write_indicator(&mut self, s: &str, need_ws: bool, is_ws: bool, is_indention: bool) {
        if need_ws && !self.whitespace {
            self.put(' ');
        }
        for c in s.chars() {
            self.put(c);
        }
        self.whitespace = is_ws;
        self.indention = self.indention && is_indention;
    }

    /// A line break in a scalar: `\n` as a line break, the others (`\r`, NEL, LS, PS)
    /// written as they are, then a new line starts.
    fn write_break(&mut self, c: char) {
        if c == '\n' {
            self.put_break();
        } else {
            self.out.push(c);
            self.column = 0;
        }
    }

    fn current_indent(&self) -> usize {
        self.indent.unwrap_or(0)
    }

    /// go-yaml's `increase_indent`; returns the indentation to restore.
    fn increase_indent(&mut self, flow: bool, indentless: bool) -> Option<usize> {
        let saved = self.indent;
        self.indent = match self.indent {
            None if flow => Some(BEST_INDENT),
            None => Some(0),
            Some(i) if !indentless => Some(i + BEST_INDENT),
            Some(i) => Some(i),
        };
        saved
    }

    fn node(&mut self, v: &Value, ctx: Context) {
        match v {
            Value::Object(m) if !m.is_empty() => self.mapping(m),
            Value::Array(a) if !a.is_empty() => self.sequence(a, ctx),
            Value::Object(_) => self.empty("{", "}"),
            Value::Array(_) => self.empty("[", "]"),
            Value::String(s) => self.scalar(
                s,
                string_style(s, ctx == Context::Key { simple: true }),
                ctx,
            ),
            Value::Null => self.scalar("null", Style::Plain, ctx),
            Value::Bool(b) => self.scalar(if *b { "true" } else { "false" }, Style::Plain, ctx),
            Value::Number(n) => self.scalar(&number(n), Style::Plain, ctx),
        }
    }

    /// An empty collection, in flow style.
    fn empty(&mut self, open: &str, close: &str) {
        self.write_indicator(open, true, true, true);
        self.write_indicator(close, false, false, false);
    }

    fn sequence(&mut self, items: &[Value], ctx: Context) {
        let indentless = ctx == Context::MappingValue && !self.indention;
        let saved = self.increase_indent(false, indentless);
        for item in items {
            self.write_indent(self.current_indent());
            self.write_indicator("-", true, false, true);
            self.node(item, Context::SequenceItem);
        }
        self.indent = saved;
    }

    fn mapping(&mut self, m: &Map<String, Value>) {
        let saved = self.increase_indent(false, false);
        let mut entries: Vec<(&String, &Value)> = m.iter().collect();
        entries.sort_by(|a, b| key_order(a.0, b.0));
        for (k, v) in entries {
            self.write_indent(self.current_indent());
            let simple = k.len() <= MAX_SIMPLE_KEY && !k.chars().any(is_break);
            if simple {
                self.node(&Value::String(k.clone()), Context::Key { simple: true });
                self.write_indicator(":", false, false, false);
            } else {
                self.write_indicator("?", true, false, true);
                self.node(&Value::String(k.clone()), Context::Key { simple: false });
                self.write_indent(self.current_indent());
                self.write_indicator(":", true, false, true);
            }
            self.node(v, Context::MappingValue);
        }
        self.indent = saved;
    }

    fn scalar(&mut self, s: &str, style: Style, ctx: Context) {
        let saved = self.increase_indent(true, false);
        let allow_breaks = ctx != (Context::Key { simple: true });
        match style {
            Style::Plain => self.plain(s, allow_breaks),
            Style::SingleQuoted => self.single_quoted(s, allow_breaks),
            Style::DoubleQuoted => self.double_quoted(s, allow_breaks),
            Style::Literal => self.literal(s),
        }
        self.indent = saved;
    }

    fn plain(&mut self, s: &str, allow_breaks: bool) {
        if !s.is_empty() && !self.whitespace {
            self.put(' ');
        }
        let chars: Vec<char> = s.chars().collect();
        let (mut spaces, mut breaks) = (false, false);
        for (i, &c) in chars.iter().enumerate() {
            if c == ' ' {
                let next_space = chars.get(i + 1) == Some(&' ');
                if allow_breaks && !spaces && self.column > BEST_WIDTH && !next_space {
                    self.write_indent(self.current_indent());
                } else {
                    self.put(c);
                }
                spaces = true;
            } else if is_break(c) {
                if !breaks && c == '\n' {
                    self.put_break();
                }
                self.write_break(c);
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent(self.current_indent());
                }
                self.put(c);
                self.indention = false;
                spaces = false;
                breaks = false;
            }
        }
        if !s.is_empty() {
            self.whitespace = false;
        }
        self.indention = false;
    }

    fn single_quoted(&mut self, s: &str, allow_breaks: bool) {
        self.write_indicator("'", true, false, false);
        let chars: Vec<char> = s.chars().collect();
        let (mut spaces, mut breaks) = (false, false);
        for (i, &c) in chars.iter().enumerate() {
            if c == ' ' {
                let next_space = chars.get(i + 1) == Some(&' ');
                if allow_breaks
                    && !spaces
                    && self.column > BEST_WIDTH
                    && i > 0
                    && i + 1 < chars.len()
                    && !next_space
                {
                    self.write_indent(self.current_indent());
                } else {
                    self.put(c);
                }
                spaces = true;
            } else if is_break(c) {
                if !breaks && c == '\n' {
                    self.put_break();
                }
                self.write_break(c);
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent(self.current_indent());
                }
                if c == '\'' {
                    self.put('\'');
                }
                self.put(c);
                self.indention = false;
                spaces = false;
                breaks = false;
            }
        }
        self.write_indicator("'", false, false, false);
        self.whitespace = false;
        self.indention = false;
    }

    fn double_quoted(&mut self, s: &str, allow_breaks: bool) {
        self.write_indicator("\"", true, false, false);
        let chars: Vec<char> = s.chars().collect();
        let mut spaces = false;
        for (i, &c) in chars.iter().enumerate() {
            if !is_printable(c) || c == '\u{feff}' || is_break(c) || c == '"' || c == '\\' {
                self.put('\\');
                match escape(c) {
                    Some(e) => self.put(e),
                    None => {
                        let code = c as u32;
                        let (letter, digits) = match code {
                            0..=0xFF => ('x', 2),
                            0x100..=0xFFFF => ('u', 4),
                            _ => ('U', 8),
                        };
                        self.put(letter);
                        for d in format!("{code:0digits$X}").chars() {
                            self.put(d);
                        }
                    }
                }
                spaces = false;
            } else if c == ' ' {
                if allow_breaks
                    && !spaces
                    && self.column > BEST_WIDTH
                    && i > 0
                    && i + 1 < chars.len()
                {
                    self.write_indent(self.current_indent());
                    if chars.get(i + 1) == Some(&' ') {
                        self.put('\\');
                    }
                } else {
                    self.put(c);
                }
                spaces = true;
            } else {
                self.put(c);
                spaces = false;
            }
        }
        self.write_indicator("\"", false, false, false);
        self.whitespace = false;
        self.indention = false;
    }

    fn literal(&mut self, s: &str) {
        self.write_indicator("|", true, false, false);
        // Block scalar hints: the indentation indicator when the text starts with a
        // space or a break, then the chomping indicator.
        let chars: Vec<char> = s.chars().collect();
        if chars.first().is_some_and(|&c| c == ' ' || is_break(c)) {
            self.write_indicator(&BEST_INDENT.to_string(), false, false, false);
        }
        let chomp = match chars.as_slice() {
            [] => Some("-"),
            [.., last] if !is_break(*last) => Some("-"),
            [_] => Some("+"),
            [.., before, _] if is_break(*before) => Some("+"),
            _ => None,
        };
        if let Some(chomp) = chomp {
            self.write_indicator(chomp, false, false, false);
        }
        self.put_break();
        self.indention = true;
        self.whitespace = true;
        let mut breaks = true;
        for c in chars {
            if is_break(c) {
                self.write_break(c);
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent(self.current_indent());
                }
                self.put(c);
                self.indention = false;
                breaks = false;
            }
        }
    }
}

/// The escape letter go-yaml writes after `\` for `c`, if it has one.
fn escape(c: char) -> Option<char> {
    Some(match c {
        '\0' => '0',
        '\u{7}' => 'a',
        '\u{8}' => 'b',
        '\t' => 't',
        '\n' => 'n',
        '\u{b}' => 'v',
        '\u{c}' => 'f',
        '\r' => 'r',
        '\u{1b}' => 'e',
        '"' => '"',
        '\\' => '\\',
        '\u{85}' => 'N',
        '\u{a0}' => '_',
        '\u{2028}' => 'L',
        '\u{2029}' => 'P',
        _ => return None,
    })
}

/// go-yaml v2's `is_printable`: what it writes as is (4-byte UTF-8 characters are not).
fn is_printable(c: char) -> bool {
    matches!(c as u32, 0x0A | 0x20..=0x7E | 0xA0..=0xD7FF | 0xE000..=0xFFFD) && c != '\u{feff}'
}

fn is_break(c: char) -> bool {
    matches!(c, '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

fn is_blank(c: char) -> bool {
    c == ' ' || c == '\t'
}

/// The style go-yaml writes a string in: `stringv`'s choice, then what the emitter's
/// analysis of the text allows (`yaml_emitter_select_scalar_style`).
fn string_style(s: &str, simple_key: bool) -> Style {
    let wanted = if s.contains('\n') {
        Style::Literal
    } else if reads_back_as_string(s) {
        Style::Plain
    } else {
        Style::DoubleQuoted
    };
    let a = analyze(s);
    let mut style = wanted;
    if simple_key && a.multiline {
        style = Style::DoubleQuoted;
    }
    if style == Style::Plain && (!a.block_plain_allowed || (s.is_empty() && simple_key)) {
        style = Style::SingleQuoted;
    }
    if style == Style::SingleQuoted && !a.single_quoted_allowed {
        style = Style::DoubleQuoted;
    }
    if style == Style::Literal && (!a.block_allowed || simple_key) {
        style = Style::DoubleQuoted;
    }
    style
}

/// What go-yaml's `yaml_emitter_analyze_scalar` finds out about a scalar's text, the
/// parts block output uses.
struct Analysis {
    multiline: bool,
    block_plain_allowed: bool,
    single_quoted_allowed: bool,
    block_allowed: bool,
}

fn analyze(s: &str) -> Analysis {
    if s.is_empty() {
        return Analysis {
            multiline: false,
            block_plain_allowed: true,
            single_quoted_allowed: true,
            block_allowed: false,
        };
    }
    let chars: Vec<char> = s.chars().collect();
    let mut block_indicators = s.starts_with("---") || s.starts_with("...");
    let (mut line_breaks, mut special) = (false, false);
    let (mut leading_space, mut leading_break) = (false, false);
    let (mut trailing_space, mut trailing_break) = (false, false);
    let (mut break_space, mut space_break) = (false, false);
    let (mut previous_space, mut previous_break) = (false, false);
    let mut preceded_by_whitespace = true;
    for (i, &c) in chars.iter().enumerate() {
        let last = i + 1 == chars.len();
        let followed_by_whitespace = last || is_blank(chars[i + 1]);
        if i == 0 {
            match c {
                '#' | ',' | '[' | ']' | '{' | '}' | '&' | '*' | '!' | '|' | '>' | '\'' | '"'
                | '%' | '@' | '`' => block_indicators = true,
                '?' | ':' | '-' if followed_by_whitespace => block_indicators = true,
                _ => {}
            }
        } else {
            match c {
                ':' if followed_by_whitespace => block_indicators = true,
                '#' if preceded_by_whitespace => block_indicators = true,
                _ => {}
            }
        }
        if !is_printable(c) {
            special = true;
        }
        if c == ' ' {
            leading_space |= i == 0;
            trailing_space |= last;
            break_space |= previous_break;
            previous_space = true;
            previous_break = false;
        } else if is_break(c) {
            line_breaks = true;
            leading_break |= i == 0;
            trailing_break |= last;
            space_break |= previous_space;
            previous_space = false;
            previous_break = true;
        } else {
            previous_space = false;
            previous_break = false;
        }
        preceded_by_whitespace = is_blank(c) || is_break(c);
    }
    let mut a = Analysis {
        multiline: line_breaks,
        block_plain_allowed: true,
        single_quoted_allowed: true,
        block_allowed: true,
    };
    if leading_space || leading_break || trailing_space || trailing_break {
        a.block_plain_allowed = false;
    }
    if trailing_space {
        a.block_allowed = false;
    }
    if break_space {
        a.block_plain_allowed = false;
        a.single_quoted_allowed = false;
    }
    if space_break || special {
        a.block_plain_allowed = false;
        a.single_quoted_allowed = false;
        a.block_allowed = false;
    }
    if line_breaks || block_indicators {
        a.block_plain_allowed = false;
    }
    a
}

/// A number as it reaches go-yaml through Go's JSON: `encoding/json` writes an integral
/// float below 1e21 as its shortest digits padded with zeros (`-9223372036854776000`),
/// which go-yaml reads back as an integer when it fits 64 bits; any other float is
/// written as `strconv.FormatFloat(f, 'g', -1, 64)`.
fn number(n: &Number) -> String {
    if n.is_i64() || n.is_u64() {
        return n.to_string();
    }
    let f = n.as_f64().unwrap_or(f64::NAN);
    if f.fract() == 0.0 && f.abs() < 1e21 {
        let text = f.to_string();
        if let Ok(i) = text.parse::<i64>() {
            return i.to_string();
        }
        if let Ok(u) = text.parse::<u64>() {
            return u.to_string();
        }
    }
    go_format_g(f)
}

/// Go's `strconv.FormatFloat(f, 'g', -1, 64)`: shortest digits, exponent form when the
/// decimal exponent is below -4 or at least 6 (`e+06`, two exponent digits at least).
fn go_format_g(f: f64) -> String {
    let sci = format!("{f:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if (-4..6).contains(&exp) {
        return f.to_string();
    }
    let sign = if exp < 0 { '-' } else { '+' };
    format!("{mantissa}e{sign}{:02}", exp.abs())
}

/// go-yaml v2's key order (`keyList.Less` for strings): at the first difference, runs of
/// digits compare as numbers, two letters by code point, and a non-letter sorts before
/// a letter.
pub(crate) fn key_order(a: &str, b: &str) -> Ordering {
    let (ar, br): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    if less(&ar, &br) {
        Ordering::Less
    } else if less(&br, &ar) {
        Ordering::Greater
    } else {
        Ordering::Equal
    }
}

fn less(ar: &[char], br: &[char]) -> bool {
    let n = ar.len().min(br.len());
    for i in 0..n {
        if ar[i] == br[i] {
            continue;
        }
        let (al, bl) = (ar[i].is_alphabetic(), br[i].is_alphabetic());
        if al && bl {
            return ar[i] < br[i];
        }
        if al || bl {
            return bl;
        }
        let (mut an, mut bn): (i64, i64) = (0, 0);
        if ar[i] == '0' || br[i] == '0' {
            let mut j = i;
            while j > 0 && ar[j - 1].is_ascii_digit() {
                j -= 1;
                if ar[j] != '0' {
                    an = 1;
                    bn = 1;
                    break;
                }
            }
        }
        let mut ai = i;
        while ai < ar.len() && ar[ai].is_ascii_digit() {
            an = an
                .wrapping_mul(10)
                .wrapping_add(i64::from(ar[ai] as u8 - b'0'));
            ai += 1;
        }
        let mut bi = i;
        while bi < br.len() && br[bi].is_ascii_digit() {
            bn = bn
                .wrapping_mul(10)
                .wrapping_add(i64::from(br[bi] as u8 - b'0'));
            bi += 1;
        }
        if an != bn {
            return an < bn;
        }
        if ai != bi {
            return ai < bi;
        }
        return ar[i] < br[i];
    }
    ar.len() < br.len()
}

/// Whether go-yaml reads `s` back as the same string when written plain (`stringv`'s
/// `canUsePlain`): it resolves to a string (no boolean, null, number or timestamp) and
/// is no sexagesimal float (`1:20`). (`<<` is a string there: `resolve` only looks up
/// text whose first character could start a non-string.)
fn reads_back_as_string(s: &str) -> bool {
    crate::kubectl::resolves_to_string(s)
        && !(s.starts_with(|c: char| c.is_ascii_digit() || c == '+' || c == '-') && go_timestamp(s))
        && !is_base60_float(s)
}

/// go-yaml v2's `isBase60Float`:
/// `^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$`.
fn is_base60_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'+' | b'-')));
    if !b.get(i).is_some_and(u8::is_ascii_digit) {
        return false;
    }
    while b.get(i).is_some_and(|c| c.is_ascii_digit() || *c == b'_') {
        i += 1;
    }
    let mut groups = 0;
    while b.get(i) == Some(&b':') {
        i += 1;
        let start = i;
        while i < b.len() && i - start < 2 && b[i].is_ascii_digit() {
            i += 1;
        }
        // `[0-5]?[0-9]`: one digit, or two with the first at most 5.
        match i - start {
            1 => {}
            2 if b[start] <= b'5' => {}
            2 => {
                // Backtrack: only `[0-9]` matched, and a digit follows, which the
                // regular expression cannot take.
                return false;
            }
            _ => return false,
        }
        groups += 1;
    }
    if groups == 0 {
        return false;
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        while b.get(i).is_some_and(|c| c.is_ascii_digit() || *c == b'_') {
            i += 1;
        }
    }
    i == b.len()
}

/// Whether Go's `time.Parse` takes `s` in one of go-yaml's timestamp layouts:
/// `2006-1-2T15:4:5.999999999Z07:00`, the same with `t`, `2006-1-2 15:4:5.999999999`
/// and `2006-1-2` (ranges checked: month, day of that month, hour, minute, second).
fn go_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    // Go's getnum: one digit, or two when two follow.
    let num = |i: &mut usize| -> Option<u32> {
        let d0 = b.get(*i).filter(|c| c.is_ascii_digit())?;
        *i += 1;
        let mut n = u32::from(d0 - b'0');
        if let Some(d1) = b.get(*i).filter(|c| c.is_ascii_digit()) {
            *i += 1;
            n = n * 10 + u32::from(d1 - b'0');
        }
        Some(n)
    };
    let sep = |i: &mut usize, c: u8| {
        let ok = b.get(*i) == Some(&c);
        *i += usize::from(ok);
        ok
    };
    if b.len() < 5 || !b[..4].iter().all(u8::is_ascii_digit) || b[4] != b'-' {
        return false;
    }
    let year: u32 = s[..4].parse().unwrap_or(0);
    let mut i = 5;
    let Some(month) = num(&mut i) else {
        return false;
    };
    if !sep(&mut i, b'-') {
        return false;
    }
    let Some(day) = num(&mut i) else { return false };
    let leap = year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400));
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    if day < 1 || day > days {
        return false;
    }
    if i == b.len() {
        return true;
    }
    let zoned = matches!(b[i], b'T' | b't');
    if !zoned && b[i] != b' ' {
        return false;
    }
    i += 1;
    let Some(hour) = num(&mut i) else {
        return false;
    };
    if hour >= 24 || !sep(&mut i, b':') {
        return false;
    }
    let Some(minute) = num(&mut i) else {
        return false;
    };
    if minute >= 60 || !sep(&mut i, b':') {
        return false;
    }
    let Some(second) = num(&mut i) else {
        return false;
    };
    if second >= 60 {
        return false;
    }
    if matches!(b.get(i), Some(b'.' | b',')) && b.get(i + 1).is_some_and(u8::is_ascii_digit) {
        i += 1;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
    }
    if !zoned {
        return i == b.len();
    }
    if sep(&mut i, b'Z') {
        return i == b.len();
    }
    let z = &b[i..];
    z.len() == 6
        && matches!(z[0], b'+' | b'-')
        && z[1..3].iter().all(u8::is_ascii_digit)
        && z[3] == b':'
        && z[4..6].iter().all(u8::is_ascii_digit)
        && (z[1] - b'0') * 10 + (z[2] - b'0') <= 24
        && (z[4] - b'0') * 10 + (z[5] - b'0') <= 60
}
