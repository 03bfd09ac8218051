//! The one place Rust identifiers are made: casing (heck), keywords, characters that
//! cannot appear in identifiers, and deterministic collision suffixes. Everything else
//! receives a [`RustIdent`]; a Rust name that differs from its wire name gets a serde
//! rename from the emitter.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};

use foldhash::fast::FixedState;

use heck::{ToSnakeCase, ToUpperCamelCase};

use crate::ir::RustIdent;

/// Words Rust reserves (2024 edition), usable as raw identifiers (`r#type`).
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "do", "dyn",
    "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let",
    "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref", "return",
    "static", "struct", "trait", "true", "try", "type", "typeof", "unsafe", "unsized", "use",
    "virtual", "where", "while", "yield",
];

/// Keywords that cannot be raw identifiers.
const NON_RAW: &[&str] = &["self", "Self", "super", "crate", "_"];

/// Keep ASCII letters, digits and `_`; everything else separates words.
fn words(s: &str) -> Vec<&str> {
    s.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect()
}

fn symbol_name(c: char) -> &'static str {
    match c {
        '*' => "Star",
        '+' => "Plus",
        '-' => "Minus",
        '/' => "Slash",
        '\\' => "Backslash",
        '.' => "Dot",
        '=' => "Equal",
        '<' => "Less",
        '>' => "Greater",
        '!' => "Bang",
        '%' => "Percent",
        '&' => "And",
        '|' => "Or",
        '^' => "Caret",
        '~' => "Tilde",
        '@' => "At",
        '#' => "Hash",
        '$' => "Dollar",
        ':' => "Colon",
        ';' => "Semicolon",
        ',' => "Comma",
        '?' => "Question",
        '_' => "Underscore",
        ' ' => "Space",
        '(' | ')' => "Paren",
        '[' | ']' => "Bracket",
        '{' | '}' => "Brace",
        '"' | '\'' | '`' => "Quote",
        _ => "Char",
    }
}

/// Join PascalCase words, keeping digit-digit boundaries apart with `_`
/// (`1.2` → `1_2`, never `12`), which rustc's camel-case lint accepts.
fn join_pascal(parts: &[String]) -> String {
    let mut out = String::new();
    for p in parts {
        push_pascal(&mut out, p);
    }
    out
}

/// One word of [`join_pascal`]: `p` after `out`, with a `_` between two digits.
fn push_pascal(out: &mut String, p: &str) {
    if out.ends_with(|c: char| c.is_ascii_digit()) && p.starts_with(|c: char| c.is_ascii_digit()) {
        out.push('_');
    }
    out.push_str(p);
}

/// `f(s)`, remembered per thread: the same few thousand property names come back in
/// every CRD, and heck's case conversion was a twentieth of a whole-corpus run.
fn cached<V: Clone>(
    cache: &'static std::thread::LocalKey<RefCell<HashMap<String, V, FixedState>>>,
    s: &str,
    f: impl FnOnce(&str) -> V,
) -> V {
    with_cached(cache, s, f, V::clone)
}

/// [`cached`], `use_` given the remembered value (no copy of it made).
fn with_cached<V, R>(
    cache: &'static std::thread::LocalKey<RefCell<HashMap<String, V, FixedState>>>,
    s: &str,
    f: impl FnOnce(&str) -> V,
    use_: impl FnOnce(&V) -> R,
) -> R {
    cache.with_borrow_mut(|m| {
        if let Some(v) = m.get(s) {
            return use_(v);
        }
        let v = f(s);
        let r = use_(&v);
        if m.len() >= 100_000 {
            m.clear(); // bounded, whatever a long-lived process feeds it
        }
        m.insert(s.to_owned(), v);
        r
    })
}

thread_local! {
    static PASCAL: RefCell<HashMap<String, String, FixedState>> = RefCell::default();
    static FIELD: RefCell<HashMap<String, RustIdent, FixedState>> = RefCell::default();
}

fn pascal(s: &str) -> String {
    cached(&PASCAL, s, pascal_uncached)
}

fn pascal_uncached(s: &str) -> String {
    let parts: Vec<String> = words(s).iter().map(|w| w.to_upper_camel_case()).collect();
    join_pascal(&parts)
}

/// A field name for a wire name: `apiVersion` → `api_version`, `type` → `r#type`,
/// `$ref` → `ref_`, `1x` → `_1x`.
pub fn field(wire: &str) -> RustIdent {
    cached(&FIELD, wire, field_uncached)
}

fn field_uncached(wire: &str) -> RustIdent {
    let snake = words(wire)
        .iter()
        .map(|w| w.to_snake_case())
        .collect::<Vec<_>>()
        .join("_");
    let snake = if snake.is_empty() {
        "field".to_owned()
    } else {
        snake
    };
    RustIdent(finish_ident(snake, "_"))
}

/// A type name from path segments: `["Foo", "spec", "template"]` → `FooSpecTemplate`.
pub fn type_name(segments: &[&str]) -> String {
    finish_type_name(TypeWords::new(segments.iter().copied()).0)
}

/// [`type_name`] in two steps, for naming many places under one owner: the owner's
/// words once ([`TypeWords::new`]), then each place's last segment
/// ([`TypeWords::name_with`]) — one cache lookup per place instead of one per segment.
pub struct TypeWords(String);

impl TypeWords {
    /// The PascalCase words of `segments`, joined as [`type_name`] joins them.
    pub fn new<'a>(segments: impl IntoIterator<Item = &'a str>) -> Self {
        let mut name = String::new();
        for s in segments {
            // Straight from the cache into the name (an empty word adds nothing).
            with_cached(&PASCAL, s, pascal_uncached, |p| push_pascal(&mut name, p));
        }
        TypeWords(name)
    }

    /// [`type_name`] of the segments given to [`TypeWords::new`] followed by `last`.
    pub fn name_with(&self, last: &str) -> String {
        let mut name = String::with_capacity(self.0.len() + last.len() + 8);
        name.push_str(&self.0);
        with_cached(&PASCAL, last, pascal_uncached, |p| {
            push_pascal(&mut name, p)
        });
        finish_type_name(name)
    }
}

/// The fix-ups of a joined type name: never empty, never starting with a digit, never
/// the keyword `Self`.
fn finish_type_name(name: String) -> String {
    if name.is_empty() {
        "Type".to_owned()
    } else if name.starts_with(|c: char| c.is_ascii_digit()) {
        format!("T{name}")
    } else if name == "Self" {
        // A keyword that cannot be written raw (a kind named `self`).
        "Self_".to_owned()
    } else {
        name
    }
}

/// A variant name for an enum value: `"ReadWriteOnce"` → `ReadWriteOnce`,
/// `""` → `Empty`, `"1.2"` → `V1_2`, `"*"` → `Star`, `"<="` → `LessEqual`.
pub fn variant(value: &str) -> String {
    if value.is_empty() {
        return "Empty".to_owned();
    }
    let name = pascal(value);
    let name = if name.is_empty() {
        value.chars().map(symbol_name).collect::<String>()
    } else {
        name
    };
    let name = if name.starts_with(|c: char| c.is_ascii_digit()) {
        format!("V{name}")
    } else {
        name
    };
    if name == "Self" {
        "Self_".to_owned()
    } else {
        name
    }
}

/// A module name for an API group: `cert-manager.io` → `cert_manager_io`; the empty
/// (core) group is `core`.
pub fn group_module(s: &str) -> RustIdent {
    module(s, "core")
}

/// A module name for a version: `v1alpha1`; an empty version is `unversioned`.
pub fn version_module(s: &str) -> RustIdent {
    module(s, "unversioned")
}

fn module(s: &str, empty: &str) -> RustIdent {
    let m = words(s)
        .iter()
        .map(|w| w.to_lowercase())
        .collect::<Vec<_>>()
        .join("_");
    let m = if m.is_empty() { empty.to_owned() } else { m };
    RustIdent(finish_ident(m, "m_"))
}

fn finish_ident(name: String, digit_prefix: &str) -> String {
    let name = if name.starts_with(|c: char| c.is_ascii_digit()) {
        format!("{digit_prefix}{name}")
    } else {
        name
    };
    if NON_RAW.contains(&name.as_str()) {
        format!("{name}_")
    } else if KEYWORDS.contains(&name.as_str()) {
        format!("r#{name}")
    } else {
        name
    }
}

/// Hands out names unique within one scope (a module's types, a struct's fields, an
/// enum's variants). The first claimant keeps the plain name; later ones get `2`, `3`…
/// (after a `_` when the name ends in a digit, to keep the result lint-clean).
#[derive(Debug, Default, Clone)]
pub struct Namer {
    /// Lowercased (identifiers are ASCII by now).
    taken: HashSet<String, FixedState>,
}

impl Namer {
    /// An empty scope.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty scope with room for `n` names.
    pub fn with_capacity(n: usize) -> Self {
        Namer {
            taken: HashSet::with_capacity_and_hasher(n, FixedState::default()),
        }
    }

    /// Reserve a name without claiming a variant of it (e.g. names the emitter uses).
    pub fn reserve(&mut self, name: &str) {
        self.taken.insert(unraw(name).to_ascii_lowercase());
    }

    /// Claim `name` or the first free suffixed form. Names that differ only in case
    /// count as taken (`Foo` then `foo` gives `foo2`): such pairs are legal Rust but
    /// confusing to read, and file systems that fold case would mix up module files.
    pub fn claim(&mut self, name: &str) -> String {
        let base = unraw(name);
        if self.taken.insert(base.to_ascii_lowercase()) {
            return name.to_owned();
        }
        self.claim_suffixed(base)
    }

    /// The first free suffixed form of `base` (taken already), claimed.
    fn claim_suffixed(&mut self, base: &str) -> String {
        let sep = if base.ends_with(|c: char| c.is_ascii_digit())
            || base.contains('_') && !base.bytes().any(|b| b.is_ascii_uppercase())
        {
            "_"
        } else {
            ""
        };
        (2..)
            .map(|n| format!("{base}{sep}{n}"))
            .find(|candidate| self.taken.insert(candidate.to_ascii_lowercase()))
            .expect("an unbounded counter always finds a free name")
    }

    /// Claim a field name (keeps raw-identifier form when the result is a keyword).
    pub fn claim_ident(&mut self, ident: RustIdent) -> RustIdent {
        let base = unraw(&ident.0);
        if self.taken.insert(base.to_ascii_lowercase()) {
            return ident;
        }
        RustIdent(finish_ident(self.claim_suffixed(base), "_"))
    }
}

fn unraw(name: &str) -> &str {
    name.strip_prefix("r#").unwrap_or(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields() {
        assert_eq!(field("apiVersion").0, "api_version");
        assert_eq!(field("type").0, "r#type");
        assert_eq!(field("self").0, "self_");
        assert_eq!(field("x-kubernetes-foo").0, "x_kubernetes_foo");
        assert_eq!(field("$ref").0, "r#ref");
        assert_eq!(field("1password").0, "_1password");
        assert_eq!(field("---").0, "field");
        assert_eq!(field("URLPath").0, "url_path");
        assert_eq!(field("@type").0, "r#type");
    }

    #[test]
    fn types_and_variants() {
        assert_eq!(
            type_name(&["Foo", "spec", "tls-config"]),
            "FooSpecTlsConfig"
        );
        assert_eq!(variant("ReadWriteOnce"), "ReadWriteOnce");
        assert_eq!(variant(""), "Empty");
        assert_eq!(variant("1.2"), "V1_2");
        assert_eq!(variant("*"), "Star");
        assert_eq!(variant("<="), "LessEqual");
        assert_eq!(variant("Self"), "Self_");
        assert_eq!(type_name(&["self"]), "Self_");
        assert_eq!(type_name(&["self", "spec"]), "SelfSpec");
        // In two steps, the same names (fix-ups included).
        for segs in [
            &["Foo", "spec", "tls-config"][..],
            &["self"],
            &["1x", "a"],
            &[""],
            &["", "", "9"],
        ] {
            let (owner, last) = segs.split_at(segs.len() - 1);
            let words = TypeWords::new(owner.iter().copied());
            assert_eq!(words.name_with(last[0]), type_name(segs), "{segs:?}");
        }
        assert_eq!(variant("TLSv1.3"), "TlSv1_3");
        assert_eq!(group_module("cert-manager.io").0, "cert_manager_io");
        assert_eq!(group_module("").0, "core");
        assert_eq!(version_module("v1alpha1").0, "v1alpha1");
        assert_eq!(version_module("").0, "unversioned");
    }

    #[test]
    fn collisions_are_deterministic_and_lint_clean() {
        let mut n = Namer::new();
        assert_eq!(n.claim("Foo"), "Foo");
        assert_eq!(n.claim("foo"), "foo2");
        assert_eq!(n.claim("Foo"), "Foo3");
        assert_eq!(n.claim("V1_2"), "V1_2");
        assert_eq!(n.claim("V1_2"), "V1_2_2");
        let mut f = Namer::new();
        assert_eq!(f.claim_ident(field("foo_bar")).0, "foo_bar");
        assert_eq!(f.claim_ident(field("fooBar")).0, "foo_bar_2");
    }
}
