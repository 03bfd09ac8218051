//! CRD descriptions into rustdoc: their Markdown kept (code spans, emphasis, links to
//! web addresses), and nothing rustdoc would warn about or take for an intra-doc link,
//! an HTML tag, a doctest or a code block.

/// The `///` lines of a description, each with its leading space (none for a missing
/// or blank description).
pub fn doc_lines(text: Option<&str>) -> Vec<String> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        Some(text) => sanitize(text),
        None => Vec::new(),
    }
}

/// Rustdoc-safe lines, each with a leading space (so `///` comments read naturally).
pub fn sanitize(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    sanitize_each(text, |l| out.push(l.to_owned()));
    out
}

/// [`sanitize`], each line handed to `each` as it is made (from one buffer, reused).
///
/// Lines that continue a list item are indented to the item's text: rustdoc renders
/// them the same (markdown continues the item lazily), and clippy's
/// `doc_lazy_continuation` stays quiet in generated code. Tabs become spaces (clippy's
/// `tabs_in_doc_comments`).
pub(crate) fn sanitize_each(text: &str, mut each: impl FnMut(&str)) {
    let mut in_fence = false;
    // The column a list item's text starts at, while its paragraph lasts.
    let mut item_indent: Option<usize> = None;
    // Every line ending counts, a bare `\r` too (rustc refuses a bare CR in a doc comment).
    let normalized;
    let text = if text.contains('\r') {
        normalized = text.replace("\r\n", "\n").replace('\r', "\n");
        normalized.as_str()
    } else {
        text
    };
    let diff = diff_lines(text);
    let mut in_diff = false;
    let mut l = String::new();
    for (n, raw) in text.lines().enumerate() {
        let line = raw.trim_end();
        let trimmed = line.trim_start();
        l.clear();
        let diff_line = !in_fence && diff.as_ref().is_some_and(|d| d[n]);
        if in_diff && !diff_line {
            in_diff = false;
            each(" ```");
        }
        if diff_line {
            // A diff keeps its markers and its layout: text in a fence.
            if !in_diff {
                in_diff = true;
                item_indent = None;
                each(" ```text");
            }
            l.push(' ');
            push_detabbed(&mut l, line, "    ");
            each(&l);
            continue;
        }
        if let Some(rest) = trimmed.strip_prefix("```") {
            item_indent = None;
            // Fences stay fences; an unlabelled or Rust-looking one must not become a doctest.
            if in_fence {
                in_fence = false;
                each(" ```");
            } else {
                in_fence = true;
                let lang = rest.trim();
                let lang = if lang.is_empty() || lang.starts_with("rust") {
                    "text"
                } else {
                    lang
                };
                l.push_str(" ```");
                l.extend(
                    lang.chars()
                        .filter(|c| c.is_ascii_alphanumeric() || *c == '-'),
                );
                each(&l);
            }
            continue;
        }
        if in_fence {
            l.push(' ');
            push_detabbed(&mut l, line, "    ");
            each(&l);
            continue;
        }
        l.push(' ');
        if trimmed.is_empty()
            || trimmed
                .bytes()
                .all(|b| matches!(b, b'-' | b'=' | b' ' | b'\t'))
        {
            // A blank line ends the item; a line of `-`/`=` must not become a heading
            // underline inside it.
            item_indent = None;
        } else if let Some(indent) = list_item_indent(trimmed) {
            item_indent = Some(indent);
        } else if let Some(indent) = item_indent {
            l.extend(std::iter::repeat_n(' ', indent));
        }
        // Indentation would make a code block (a doctest): drop it.
        escape_markdown(&mut l, trimmed);
        each(&l);
    }
    if in_fence || in_diff {
        each(" ```");
    }
}

/// Which lines of `text` belong to a diff (Go's formatting of a changed struct, as
/// kubeblocks' `specDiff` shows one): a run of lines that are tab-indented, start
/// with a `-` or `+` and a tab, or hold only brackets and commas, with at least one
/// such `-`/`+` line. In Markdown such a line would open a list item whose text is
/// code, and the lines after it would continue it lazily (clippy's
/// `doc_lazy_continuation`); Markdown never puts a tab right after a list marker.
/// `None` when the text has no such line (the common case, found without a pass
/// over lines).
fn diff_lines(text: &str) -> Option<Vec<bool>> {
    if !text.contains("-\t") && !text.contains("+\t") {
        return None;
    }
    let mut kinds: Vec<(bool, bool)> = text
        .lines()
        .map(|raw| {
            let line = raw.trim_end();
            let marker = line.starts_with("-\t") || line.starts_with("+\t");
            let indent = &line[..line.len() - line.trim_start().len()];
            let tabbed = indent.contains('\t') && indent.len() < line.len();
            let brackets =
                !line.is_empty() && line.trim_start().bytes().all(|b| b"{}[](),".contains(&b));
            (marker, marker || tabbed || brackets)
        })
        .collect();
    let mut start = 0;
    while start < kinds.len() {
        let end = start + kinds[start..].iter().take_while(|k| k.1).count();
        let is_diff = kinds[start..end].iter().any(|k| k.0);
        for k in &mut kinds[start..end] {
            k.1 = is_diff;
        }
        start = end + 1;
    }
    kinds
        .iter()
        .any(|k| k.0)
        .then(|| kinds.into_iter().map(|k| k.1).collect())
}

/// Where the text of a markdown list item starts (`- x` and `* x` → 2, `10. x` → 4), if
/// the line (without leading spaces) starts one (`*x*` is emphasis: a marker needs a space).
fn list_item_indent(line: &str) -> Option<usize> {
    let bytes = line.as_bytes();
    let marker = match bytes.first()? {
        b'-' | b'+' | b'*' => 1,
        b'0'..=b'9' => {
            let digits = bytes.iter().take_while(|b| b.is_ascii_digit()).count();
            if digits > 9 || !matches!(bytes.get(digits), Some(b'.' | b')')) {
                return None;
            }
            digits + 1
        }
        _ => return None,
    };
    let spaces = bytes[marker..]
        .iter()
        .take_while(|b| matches!(b, b' ' | b'\t'))
        .count();
    match spaces {
        0 => None,
        1..=4 if marker + spaces < bytes.len() => Some(marker + spaces),
        _ => Some(marker + 1),
    }
}

fn push_detabbed(out: &mut String, s: &str, tab: &str) {
    for (i, part) in s.split('\t').enumerate() {
        if i > 0 {
            out.push_str(tab);
        }
        out.push_str(part);
    }
}

/// The Markdown of one line, kept, with what rustdoc would warn about or misread
/// made safe: a `<` that is not an autolink is escaped (no HTML tags), brackets that
/// are not an inline link to a web address are escaped (no intra-doc links), bare URLs
/// become autolinks. Code spans stay as they are.
fn escape_markdown(out: &mut String, line: &str) {
    let line = if line.contains('\t') {
        std::borrow::Cow::Owned(line.replace('\t', " "))
    } else {
        std::borrow::Cow::Borrowed(line)
    };
    let bytes = line.as_bytes();
    // Code spans: a run of backticks up to the next run of the same length.
    let mut i = 0;
    let mut plain = 0;
    // `str::find` of a character runs memchr.
    while let Some(at) = line[i..].find('`') {
        i += at;
        let run = bytes[i..].iter().take_while(|b| **b == b'`').count();
        let fence = &line[i..i + run];
        let close = line[i + run..]
            .match_indices(fence)
            .find(|(at, _)| {
                let end = i + run + at + run;
                bytes.get(end) != Some(&b'`') && bytes[i + run + at - 1] != b'`'
            })
            .map(|(at, _)| i + run + at + run);
        match close {
            Some(end) => {
                escape_text(out, &line[plain..i]);
                out.push_str(&line[i..end]);
                i = end;
                plain = end;
            }
            None => i += run,
        }
    }
    escape_text(out, &line[plain..]);
}

/// The bytes of `word` (eight, little-endian) that may start something
/// [`escape_text`] rewrites: `[`, `]`, `<`, and the `:` of a bare `http://` or
/// `https://`. Each such byte's high bit is set, and perhaps those of bytes above the
/// lowest one (a borrow runs upwards): the lowest set bit is exact.
fn specials(word: u64) -> u64 {
    use super::scan::equal;
    equal(word, b'[') | equal(word, b']') | equal(word, b'<') | equal(word, b':')
}

/// The index of the first byte of `bytes` from `i` on that [`specials`] flags, or the
/// length.
fn next_special(bytes: &[u8], i: usize) -> usize {
    super::scan::first_in(bytes, i, specials, |b| {
        matches!(b, b'[' | b']' | b'<' | b':')
    })
}

/// [`escape_markdown`] outside code spans. Only `[`, `]`, `<` and the `:` of a web
/// address can start something to rewrite; the text between them is copied as it is.
fn escape_text(out: &mut String, s: &str) {
    let bytes = s.as_bytes();
    // `floor`: where the text after the last link or address kept starts; a bare
    // address begins there or later.
    let (mut i, mut plain, mut floor) = (0, 0, 0);
    loop {
        i = next_special(bytes, i);
        let Some(&b) = bytes.get(i) else { break };
        // An ASCII byte: `i` is a character boundary.
        let rest = &s[i..];
        if b == b':' {
            // A bare web address (`http://…` or `https://…`) becomes an autolink.
            let start = if !rest.starts_with("://") {
                None
            } else if i >= floor + 5 && &bytes[i - 5..i] == b"https" {
                Some(i - 5)
            } else if i >= floor + 4 && &bytes[i - 4..i] == b"http" {
                Some(i - 4)
            } else {
                None
            };
            let Some(start) = start else {
                i += 1;
                continue;
            };
            let from = &s[start..];
            let end = from
                .find(|c: char| {
                    c.is_whitespace() || matches!(c, '<' | '>' | '"' | '`' | ')' | ']' | '\'')
                })
                .unwrap_or(from.len());
            let url = from[..end].trim_end_matches(['.', ',', ';', ':']);
            out.push_str(&s[plain..start]);
            out.push('<');
            out.push_str(url);
            out.push('>');
            i = start + url.len();
            plain = i;
            floor = i;
            continue;
        }
        let keep = if b == b'['
            && let Some(len) = web_link_len(rest)
        {
            // An inline link to a web address stays.
            Some(len)
        } else if b == b'<' && (rest.starts_with("<http://") || rest.starts_with("<https://")) {
            // An autolink stays.
            rest.find('>').map(|end| end + 1)
        } else {
            None
        };
        if let Some(len) = keep {
            i += len;
            floor = i;
            continue;
        }
        out.push_str(&s[plain..i]);
        out.push('\\');
        out.push(b as char);
        i += 1;
        plain = i;
    }
    out.push_str(&s[plain..]);
}

/// The length of `[text](http…)` at the start of `s`, if it is one (text without
/// brackets, a web address without spaces or parentheses).
fn web_link_len(s: &str) -> Option<usize> {
    let close = s.find(']')?;
    if s[1..close].contains('[') || close == 1 {
        return None;
    }
    let url = s[close + 1..].strip_prefix('(')?;
    if !(url.starts_with("http://") || url.starts_with("https://")) {
        return None;
    }
    let end = url.find([')', ' ', '<', '>'])?;
    (url.as_bytes()[end] == b')').then_some(close + 2 + end + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_links_tags_and_code_blocks() {
        let lines = sanitize(
            "See [the docs] <b>here</b>: https://example.com/x.\n    indented\n```\nlet x = 1;\n```",
        );
        assert_eq!(
            lines[0],
            r" See \[the docs\] \<b>here\</b>: <https://example.com/x>."
        );
        assert_eq!(lines[1], " indented");
        assert_eq!(lines[2], " ```text");
        assert_eq!(lines[4], " ```");
    }

    #[test]
    fn markdown_is_kept() {
        let lines = sanitize(
            "Set `spec.secretName` to a *Secret*; see [Endpoints](https://k8s.io/docs/x) or <https://k8s.io>.\n\
             A `Vec<String>` and ``a ` b``, but Vec<String> and [0] and [x][y] outside code.",
        );
        assert_eq!(
            lines,
            vec![
                " Set `spec.secretName` to a *Secret*; see [Endpoints](https://k8s.io/docs/x) or <https://k8s.io>.",
                r" A `Vec<String>` and ``a ` b``, but Vec\<String> and \[0\] and \[x\]\[y\] outside code.",
            ]
        );
    }

    #[test]
    fn list_items_continue_indented_and_tabs_become_spaces() {
        let lines = sanitize(
            "Values:\n- In: in\nthe set.\n10. ten\nmore\n\nafter\n1) one\n   two\n---\nx\ta\n```\n\tcode\n```",
        );
        assert_eq!(
            lines,
            vec![
                " Values:",
                " - In: in",
                "   the set.",
                " 10. ten",
                "     more",
                " ",
                " after",
                " 1) one",
                "    two",
                " ---",
                " x a",
                " ```text",
                "     code",
                " ```",
            ]
        );
    }

    #[test]
    fn star_list_items_continue_indented_and_emphasis_is_not_an_item() {
        let lines = sanitize("Default:\n* four pods\nper minute\n* double\nNo window.\n\n*x* y\nz");
        assert_eq!(
            lines,
            vec![
                " Default:",
                " * four pods",
                "   per minute",
                " * double",
                "   No window.",
                " ",
                " *x* y",
                " z",
            ]
        );
    }

    #[test]
    fn bare_addresses_become_autolinks_once() {
        assert_eq!(
            sanitize(
                "xhttp://a.b, https://c:d; <https://e> [f](http://g) [h] (https://i) https:// http:x http://http:"
            ),
            vec![
                r" x<http://a.b>, <https://c:d>; <https://e> [f](http://g) \[h\] (<https://i>) <https://> http:x <http://http>:"
            ]
        );
        assert_eq!(
            sanitize("`http://a` http://b`c` [x](https://y z) <https://w"),
            vec![r" `http://a` <http://b>`c` \[x\](<https://y> z) \<<https://w>"]
        );
    }

    #[test]
    fn a_diff_is_text_in_a_fence() {
        // kubeblocks' `specDiff`: `-` and a tab would start list items (whose lines
        // after them continue lazily); the run of diff lines is kept as it is laid out.
        let lines = sanitize(
            "An example diff:\n{\n \tA: {\n-\t\tB: 2,\n \t\tC: [\n+\t\t\tD,\n \t},\n}\nAfter.\n- item\n\tnext",
        );
        assert_eq!(
            lines,
            vec![
                " An example diff:",
                " ```text",
                " {",
                "      A: {",
                " -        B: 2,",
                "          C: [",
                " +            D,",
                "      },",
                " }",
                " ```",
                " After.",
                " - item",
                "   next",
            ]
        );
        // Tab-indented text without a `-`/`+` line is not a diff: unchanged.
        assert_eq!(
            sanitize("Like:\n{\n\tA: 1,\n}"),
            vec![" Like:", " {", " A: 1,", " }"]
        );
        assert_eq!(
            sanitize("x\n-\ty"),
            vec![" x", " ```text", " -    y", " ```"]
        );
    }

    #[test]
    fn carriage_returns_end_lines() {
        assert_eq!(sanitize("a\rb\r\nc"), vec![" a", " b", " c"]);
    }
}
