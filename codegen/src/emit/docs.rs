//! CRD descriptions into rustdoc that renders as written: nothing rustdoc would take
//! for a link, an HTML tag, a doctest or a code block.

use proc_macro2::TokenStream;
use quote::quote;

/// `#[doc = ...]` attributes, one per line, for a description.
pub fn doc_attrs(text: Option<&str>) -> TokenStream {
    let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else {
        return TokenStream::new();
    };
    let lines = sanitize(text);
    quote! { #( #[doc = #lines] )* }
}

/// Rustdoc-safe lines, each with a leading space (so `///` comments read naturally).
pub fn sanitize(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_fence = false;
    // Every line ending counts, a bare `\r` too (rustc refuses a bare CR in a doc comment).
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    for raw in text.lines() {
        let line = raw.trim_end();
        let trimmed = line.trim_start();
        if let Some(rest) = trimmed.strip_prefix("```") {
            // Fences stay fences; an unlabelled or Rust-looking one must not become a doctest.
            if in_fence {
                in_fence = false;
                out.push(" ```".to_owned());
            } else {
                in_fence = true;
                let lang = rest.trim();
                let lang = if lang.is_empty() || lang.starts_with("rust") {
                    "text"
                } else {
                    lang
                };
                out.push(format!(
                    " ```{}",
                    lang.replace(|c: char| !c.is_ascii_alphanumeric() && c != '-', "")
                ));
            }
            continue;
        }
        if in_fence {
            out.push(format!(" {line}"));
            continue;
        }
        // Indentation would make a code block (a doctest): drop it.
        out.push(format!(" {}", escape_markdown(trimmed)));
    }
    if in_fence {
        out.push(" ```".to_owned());
    }
    out
}

/// Escape what rustdoc reads as links or HTML, and wrap bare URLs.
fn escape_markdown(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + 8);
    let mut words = line.split(' ').peekable();
    while let Some(word) = words.next() {
        if let Some(start) = word.find("http://").or_else(|| word.find("https://")) {
            let (before, url) = word.split_at(start);
            let end = url
                .find(|c: char| {
                    c.is_whitespace() || matches!(c, '<' | '>' | '"' | '`' | ')' | ']' | '\'')
                })
                .unwrap_or(url.len());
            let (url, after) = url.split_at(end);
            let (url, trailing) = match url.strip_suffix(['.', ',', ';', ':']) {
                Some(u) => (u, &url[u.len()..]),
                None => (url, ""),
            };
            out.push_str(&escape_chars(before));
            out.push('<');
            out.push_str(url);
            out.push('>');
            out.push_str(&escape_chars(trailing));
            out.push_str(&escape_chars(after));
        } else {
            out.push_str(&escape_chars(word));
        }
        if words.peek().is_some() {
            out.push(' ');
        }
    }
    out
}

fn escape_chars(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '[' | ']' | '<' | '>' | '\\' | '`' | '*' | '_' | '#' | '|' => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
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
            r" See \[the docs\] \<b\>here\</b\>: <https://example.com/x>."
        );
        assert_eq!(lines[1], " indented");
        assert_eq!(lines[2], " ```text");
        assert_eq!(lines[4], " ```");
    }

    #[test]
    fn carriage_returns_end_lines() {
        assert_eq!(sanitize("a\rb\r\nc"), vec![" a", " b", " c"]);
    }
}
