//! Where saphyr-parser refuses the structure of text that go-yaml v2 (kubectl) reads:
//! the text is mended where saphyr stopped and read again (see [`crate::parse_saphyr`]).

use crate::{Document, Limits, Node, Pos, Value, YamlError, saphyr};

/// saphyr's reading of `text`, mended where it differs from go-yaml's.
pub(crate) fn parse(text: &str, limits: Limits) -> Result<Vec<Document>, YamlError> {
    const MAX_MENDS: usize = 64;
    let mut mended: Option<String> = None;
    let mut mends = 0;
    // Spaces inserted, in order: where (in the text as it was then) and how many.
    let mut inserted: Vec<(Pos, usize)> = Vec::new();
    loop {
        let current = mended.as_deref().unwrap_or(text);
        let err = match saphyr::parse(current, limits) {
            Ok(mut docs) => {
                if !inserted.is_empty() {
                    for doc in &mut docs {
                        unshift_tree(&mut doc.root, &inserted);
                    }
                }
                return Ok(docs);
            }
            Err(e) => e,
        };
        let fixed = if mends < MAX_MENDS {
            mend(current, &err, inserted.last().copied())
        } else {
            None
        };
        match fixed {
            Some((next, spaces)) => {
                mends += 1;
                inserted.extend(spaces);
                mended = Some(next);
            }
            None => {
                let mut err = err;
                err.pos = unshift(err.pos, &inserted);
                return Err(err);
            }
        }
    }
}

/// Mend `text` where saphyr stopped with `err`, if it is one of the differences from
/// go-yaml that [`crate::parse_saphyr`] lists: the new text, and the spaces inserted (if any).
/// `last`: the previous insertion; when the same token is still too far left, twice as
/// many spaces go before it.
fn mend(
    text: &str,
    err: &YamlError,
    last: Option<(Pos, usize)>,
) -> Option<(String, Option<(Pos, usize)>)> {
    let at = byte_offset(text, err.pos)?;
    let b = text.as_bytes();
    match err.message.as_str() {
        // Both only inside a flow collection (saphyr unrolls block indentation first).
        "invalid indentation" | "invalid indentation in flow construct" => {
            let count = match last {
                Some((p, n)) if p.line == err.pos.line && p.column + n == err.pos.column => 2 * n,
                _ => 1,
            };
            let mut next = String::with_capacity(text.len() + count);
            next.push_str(&text[..at]);
            next.extend(std::iter::repeat_n(' ', count));
            next.push_str(&text[at..]);
            Some((next, Some((err.pos, count))))
        }
        "':' must be followed by a valid YAML whitespace" => {
            // The mark is past the blanks after the `:`.
            let mut start = at;
            while start > 0 && matches!(b[start - 1], b' ' | b'\t') {
                start -= 1;
            }
            if start == 0 || b[start - 1] != b':' || !b[start..at].contains(&b'\t') {
                return None;
            }
            let mut next = text.to_owned();
            next.replace_range(start..at, &" ".repeat(at - start));
            Some((next, None))
        }
        _ => None,
    }
}

/// The byte offset of a 1-based line and column (in characters).
fn byte_offset(text: &str, pos: Pos) -> Option<usize> {
    let mut line_start = 0;
    for _ in 1..pos.line {
        line_start += text[line_start..].find('\n')? + 1;
    }
    let line = &text[line_start..];
    let col = line
        .char_indices()
        .nth(pos.column.checked_sub(1)?)
        .map_or(line.len(), |(k, _)| k);
    Some(line_start + col)
}

/// A position in mended text as a position in the text as written: the insertions
/// undone, last first.
fn unshift(pos: Pos, inserted: &[(Pos, usize)]) -> Pos {
    let mut column = pos.column;
    for &(at, n) in inserted.iter().rev() {
        if at.line == pos.line && column >= at.column {
            column = column.saturating_sub(n).max(at.column);
        }
    }
    Pos {
        line: pos.line,
        column,
    }
}

/// [`unshift`] for every node and key of a tree.
fn unshift_tree(root: &mut Node, inserted: &[(Pos, usize)]) {
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        node.pos = unshift(node.pos, inserted);
        match &mut node.value {
            Value::Seq(items) => stack.extend(items.iter_mut()),
            Value::Map(entries) => {
                for (k, v) in entries.iter_mut() {
                    k.pos = unshift(k.pos, inserted);
                    stack.push(v);
                }
            }
            _ => {}
        }
    }
}
