//! The fast YAML reader (`yaml::parse_fast`) against saphyr-parser (`yaml::parse_saphyr`):
//! whenever the fast reader accepts an input, saphyr must accept it too and give the
//! same documents, node for node, positions included.
//!
//! - `corpus_files_parse_the_same`: every file of the corpus (`CRDGEN_CORPUS_DIR`,
//!   default `../shared/corpus` beside the repository; skipped when absent), reporting
//!   how many took the fast path;
//! - `mutants_parse_the_same`: seeded edits of corpus files (or of a built-in sample)
//!   around the constructs the fast reader handles (`CRDGEN_YAML_MUTANTS` sets the
//!   number, default 3000);
//! - unit cases for each construct, for what it declines, and for tricky spots.

use std::path::{Path, PathBuf};

use crdgen::input::yaml::{self, Limits};

mod support;
use support::Rng;

fn corpus_dir() -> PathBuf {
    support::corpus_root()
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(&p, out);
        } else if matches!(
            p.extension().and_then(|e| e.to_str()),
            Some("yaml" | "yml" | "json")
        ) {
            out.push(p);
        }
    }
}

/// `Some(true)`: the fast reader took it and agrees; `Some(false)`: it declined;
/// `None`... never: a disagreement is an `Err` with a description.
fn compare(text: &str) -> Result<bool, String> {
    let limits = Limits::default();
    let Some(fast) = yaml::parse_fast(text, limits) else {
        return Ok(false);
    };
    let slow = yaml::parse_saphyr(text, limits)
        .map_err(|e| format!("fast path accepted, saphyr says {e:?}"))?;
    if fast.len() != slow.len() {
        return Err(format!(
            "{} documents from the fast path, {} from saphyr",
            fast.len(),
            slow.len()
        ));
    }
    for (f, s) in fast.iter().zip(&slow) {
        if f.index != s.index || f.root != s.root {
            return Err(first_difference(&f.root, &s.root));
        }
    }
    Ok(true)
}

/// Where two trees first differ, for the failure message.
fn first_difference(fast: &yaml::Node, slow: &yaml::Node) -> String {
    use yaml::Value;
    let mut stack = vec![(fast, slow, String::from("$"))];
    while let Some((f, s, path)) = stack.pop() {
        match (&f.value, &s.value) {
            (Value::Seq(a), Value::Seq(b)) if a.len() == b.len() && f.pos == s.pos => {
                for (k, (x, y)) in a.iter().zip(b).enumerate().rev() {
                    stack.push((x, y, format!("{path}[{k}]")));
                }
            }
            (Value::Map(a), Value::Map(b)) if a.len() == b.len() && f.pos == s.pos => {
                for ((ka, x), (kb, y)) in a.iter().zip(b).rev() {
                    if ka != kb {
                        return format!("{path}: key {ka:?} (fast) vs {kb:?} (saphyr)");
                    }
                    stack.push((x, y, format!("{path}.{}", ka.name)));
                }
            }
            _ if f != s => {
                let show = |n: &yaml::Node| match &n.value {
                    Value::Seq(i) => format!("{:?} seq of {}", n.pos, i.len()),
                    Value::Map(i) => format!("{:?} map of {}", n.pos, i.len()),
                    v => format!("{:?} {v:?}", n.pos),
                };
                return format!("{path}: fast {} vs saphyr {}", show(f), show(s));
            }
            _ => {}
        }
    }
    "documents differ".into()
}

#[test]
fn corpus_files_parse_the_same() {
    let root = corpus_dir();
    let mut files = Vec::new();
    walk(&root.join("crds"), &mut files);
    walk(&root.join("objects"), &mut files);
    files.sort();
    if files.is_empty() {
        eprintln!("corpus not found at {}; skipped", root.display());
        return;
    }
    let (mut fast, mut mismatches) = (0, Vec::new());
    let mut declined = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        match compare(&text) {
            Ok(true) => fast += 1,
            Ok(false) => declined.push(file),
            Err(e) => mismatches.push(format!("{}: {e}", file.display())),
        }
    }
    eprintln!(
        "yaml fast path: {fast} of {} corpus files, {} declined, {} mismatches",
        files.len(),
        declined.len(),
        mismatches.len()
    );
    for d in declined.iter().take(20) {
        eprintln!("  declined: {}", d.display());
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
    // Nearly all of the corpus is plain block YAML.
    assert!(
        fast * 100 >= files.len() * 95,
        "only {fast} of {}",
        files.len()
    );
}

// ---------------------------------------------------------------------------------------
// Mutants.

const SAMPLE: &str = "apiVersion: v1\nkind: Thing\nmetadata:\n  name: x # c\n  labels: {a: b, \"c\": 'd'}\nspec:\n  list:\n  - a\n  - b: 1\n    c: [1, 2.5, true, null]\n  - - nested\n    - 'q''s'\n  text: |\n    line 1\n\n    line 2\n  folded: >-\n    a\n    b\n\n    c\n  plain: word\n    continued\n    more\n  dq: \"a\\tb\n    c \\\n    d\"\n  empty:\n  seq:\n    -\n    - x\n---\n# end\n";

/// Pieces that the fast reader treats specially, to splice into lines.
const PIECES: &[&str] = &[
    " ", "  ", "\t", ":", ": ", " #", "#", "-", "- ", "? ", "'", "\"", "''", "\\", "\\n", "|",
    "|-", "|2", ">+", ">", "[", "]", "{", "}", ",", "&a ", "*a", "!!str ", "<<", "---", "...",
    "\r", "é", "\u{FEFF}", "0x1F", ".inf", "~", "null", "true", "1e3", "\n", "\n\n", "\n  ",
];

fn mutate(text: &str, rng: &mut Rng) -> String {
    let mut lines: Vec<String> = text.split('\n').map(str::to_owned).collect();
    for _ in 0..1 + rng.below(3) {
        let n = lines.len();
        let k = rng.below(n);
        match rng.below(9) {
            0 => {
                let line = &mut lines[k];
                let at = floor_char(line, rng.below(line.len() + 1));
                let piece = PIECES[rng.below(PIECES.len())];
                line.insert_str(at, piece);
            }
            1 => {
                let line = &mut lines[k];
                if !line.is_empty() {
                    let at = floor_char(line, rng.below(line.len()));
                    let end = floor_char(line, (at + 1 + rng.below(4)).min(line.len()));
                    line.replace_range(at..end.max(at), "");
                }
            }
            2 => lines[k].insert(0, ' '),
            3 => {
                if lines[k].starts_with(' ') {
                    lines[k].remove(0);
                }
            }
            4 => {
                let l = lines[k].clone();
                lines.insert(k, l);
            }
            5 => {
                lines.remove(k);
                if lines.is_empty() {
                    lines.push(String::new());
                }
            }
            6 => lines[k].push_str(PIECES[rng.below(PIECES.len())]),
            7 => {
                let j = rng.below(n);
                lines.swap(k, j);
            }
            _ => lines[k] = lines[k].trim_end().to_owned() + "   ",
        }
    }
    let mut out = lines.join("\n");
    match rng.below(10) {
        0 => out = out.replace('\n', "\r\n"),
        1 => out = out.trim_end_matches('\n').to_owned(),
        2 => out.insert(0, '\u{FEFF}'),
        _ => {}
    }
    out
}

fn floor_char(s: &str, mut at: usize) -> usize {
    while !s.is_char_boundary(at) {
        at -= 1;
    }
    at
}

#[test]
fn mutants_parse_the_same() {
    let count: usize = std::env::var("CRDGEN_YAML_MUTANTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3000);
    let seed: u64 = std::env::var("CRDGEN_YAML_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x5EED);
    let mut seeds = vec![SAMPLE.to_owned()];
    let mut files = Vec::new();
    walk(&corpus_dir().join("crds"), &mut files);
    files.sort();
    // Small files keep the mutants quick; every 7th file gives variety.
    for f in files.iter().step_by(7) {
        if let Ok(t) = std::fs::read_to_string(f)
            && t.len() < 40_000
        {
            seeds.push(t);
        }
    }
    let mut rng = Rng(seed);
    let (mut fast, mut failures) = (0, Vec::new());
    for case in 0..count {
        let base = &seeds[rng.below(seeds.len())];
        // Mutate the start of the text (at least 40 lines), so most mutants stay
        // well-formed enough for the fast path to take them.
        let lines: Vec<&str> = base.split_inclusive('\n').collect();
        let to = (40 + rng.below(lines.len())).min(lines.len());
        let window: String = lines[..to].concat();
        let text = mutate(&window, &mut rng);
        match compare(&text) {
            Ok(true) => fast += 1,
            Ok(false) => {}
            Err(e) => {
                if failures.len() < 5 {
                    failures.push(format!("case {case} (seed {seed}): {e}\n---\n{text}\n---"));
                }
            }
        }
    }
    eprintln!("mutants: {fast} of {count} on the fast path");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

// ---------------------------------------------------------------------------------------
// Constructs.

/// The fast path takes `text` and agrees with saphyr.
fn same(text: &str) {
    match compare(text) {
        Ok(true) => {}
        Ok(false) => panic!("fast path declined:\n{text}"),
        Err(e) => panic!("{e}\n{text}"),
    }
}

/// The fast path declines `text` (saphyr decides).
fn declined(text: &str) {
    assert!(
        yaml::parse_fast(text, Limits::default()).is_none(),
        "fast path accepted:\n{text}"
    );
}

#[test]
fn block_collections() {
    same("a: 1\nb:\n  c: 2\n  d:\n  - x\n  - y\ne: z\n");
    same("- a\n- b: 1\n  c: 2\n- - n1\n  - n2\n-\n- last\n");
    same("a:\n- 1\n-\n- # comment\n- 3\nb: 2\n");
    same("a:\n  - x\n  -\n  - y\n");
    same("  indented: root\n  second: 2\n");
    same("a:\n  -   spaced: 1\n      more: 2\n");
    same("a:\nb:\nc: # nothing\nd: 1\n");
    same("a:\n  b:\n");
    same("list:\n-\n");
    same("- \n");
}

#[test]
fn scalars() {
    same(
        "a: 1\nb: '1'\nc: true\nd: yes\ne: ~\nf: 1.5\ng: 0x10\nh: -3\ni: 1e3\nj: \"x\"\nk: null\nl: 0o17\n",
    );
    same("a: http://x:80/y\nb: a#b\nc: x # comment\nd: -x\ne: ?x\nf: :x\ng: a, b\n");
    same("a: 'it''s'\nb: \"tab\\there \\u00e9 \\x41 \\U0001F600 \\\\ \\\" \\/\"\n");
    same("a: '  spaced  '\nb: \"  spaced  \"\n");
    same("0x10: a\n1.5: b\ntrue: c\nn: d\n0755: e\n3.0: f\n1e6: g\n");
    // kubectl's forms (go-yaml v2): octal, YAML 1.1 booleans, `_`, floats as JSON.
    same(
        "a: 0755\nb: on\nc: 1_000\nd: 08\ne: 0b101\nf: 3.0\ng: 1:30\nh: 2001-12-14\ni: oN\nj: Off\nk: y\n",
    );
    same("a: [0755, on, n, 3.0, 1_000]\nb: {x: yes, y1: 0x1F}\n");
    // A null key is refused, keys that become equal take the last: saphyr decides.
    declined("null: d\n");
    declined("null: d\n~: e\n");
    declined("y: 1\nY: 2\n");
    declined("m: {on: 1}\n");
    same("\"quoted key\": 1\n'single': 2\n\"a\" : 3\n");
    same("a: \"\"\nb: ''\n");
    // Keys of word characters (read in one pass), and those that only look like one.
    same("a-b.c/d$e_9: 1\n-a: 2\n.b: 3\ny: 4\nno: 5\n0755: 6\nfalse1: 8\n");
    declined("y: 1\nON: 2\n");
    same("a:b: c\nd:e : f\ng :  h\ni\t: j\n");
    declined("<<: 1\n");
    // Where a plain scalar's line ends: `:` before a blank, `#` after one.
    same("a: x\t#c\nb: y  :z\nc: w#v # c\nd: u:v\ne: t\n  s :x\n");
    declined("a: u:\n");
    declined("a: t :\n");
}

#[test]
fn multi_line_scalars() {
    same("a: one\n  two\n\n  three\n\n\n  four\nb: 1\n");
    same("- one\n  two\n- three\n");
    same("a:\n  one\n  two\nb: 1\n");
    same("a: 'one\n  two\n\n  three'\nb: \"x\n  y \\\n  z\\\n\n  w\"\n");
    same("rule: 'self.a == ''b''\n  ? has(self.c) : true'\n");
    same("a: 'trailing   \n   leading'\n");
    same("a: w1 w2\t  \n  w3\t w4  \n\n  w5 #c\nb: x\n  # comment\nc: y\n   - z\n");
    declined("- p\n  q: r\n");
    declined("a: x\n \ty\n");
    declined("a: x\n\t\n  y\n");
}

#[test]
fn block_scalars() {
    same("a: |\n  line 1\n\n  line 2\nb: 1\n");
    same("a: |-\n  x\n\n\nb: 1\n");
    same("a: |+\n  x\n\n\nb: 1\n");
    same("a: >\n  folded\n  lines\n\n  para\n    more indented\n  back\nb: 1\n");
    same("a: >-\n  x\n  y\n");
    same("a: |2-\n    two extra\n   one extra\nb: 1\n");
    same("a: |2\n     x\n");
    same("- |\n  in a list\n- >+\n  kept\n\n");
    same("a: | # comment\n  x\n");
    same("a: |\n  # not a comment\n  x\n# a comment\nb: |\n\n  after a blank\n");
    same("a: |\nb: 1\n");
    same("a: |\n  x");
    same("a: |+\n  x\n  ");
    same("a: |+\n");
    same("a: |\n  x\n   \n  y\n");
    same("a:\n  |\n    own line\n");
    same("a: |\n  tab\tinside\n  \tleading tab in content\n");
}

#[test]
fn flow_collections() {
    same("a: []\nb: {}\nc: [a, b, 'c', \"d\"]\nd: {x: 1, 'y': [2, 3], z: {}}\n");
    same("a: [ spaced , items ]\nb: [a b, c]\nc: {k: v w}\n");
    same("- [1, 2]\n- {a: b} # comment\n");
    same("a: [-1, -x, a:b]\n");
    declined("a: [a,\n  b]\n");
    declined("a: [a, b,]\n");
    declined("a: [a: b]\n");
    declined("a: {b}\n");
    declined("[a]: b\n");
}

#[test]
fn documents() {
    same("a: 1\n---\nb: 2\n---\n");
    same("---\na: 1\n");
    same("--- # comment\na: 1\n--- \n---\n");
    same("a: 1\n---");
    same("");
    same("# only a comment\n");
    same("---\n# comment");
    declined("a: 1\n...\n");
    declined("%YAML 1.2\n---\na: 1\n");
    declined("--- a\n");
    declined("plain root scalar\n");
}

#[test]
fn line_ends_bom_and_unicode() {
    same("a: 1\r\nb:\r\n  - x\r\n  - 'y\r\n    z'\r\nc: |\r\n  l1\r\n\r\n  l2\r\n");
    same("\u{FEFF}a: 1\n");
    same("é: ü\nüü: [é, ü]\n");
    same("clé: valeur\nnested:\n  ключ: значение # コメント\n  k: 'é\n    ü'\n");
    same("- é: 1\n  ü: 2\n- # коммент\n");
    same("a: x   \nb: 'y'   \nc: [1]   \n");
    declined("a: 1\rb: 2\n");
    declined("a: 1\n\u{FEFF}b: 2\n");
}

#[test]
fn declines() {
    declined("a: &x 1\nb: *x\n");
    declined("a: !!str 1\n");
    declined("a: !local 1\n");
    declined("base: {a: 1}\nx:\n  <<: {b: 2}\n");
    declined("? complex\n: key\n");
    declined("a: 1\na: 2\n");
    declined("a:\t1\n");
    declined("a:\n\t- x\n");
    declined("a: b: c\n");
    declined("a: - b\n");
    declined("a: .inf\n");
    declined("a: 1\n b: 2\n");
    declined("a:\n    b: 1\n  c: 2\n");
    declined("- a\nb: 1\n");
    declined("a: 'unterminated\n");
    declined("a: \"bad \\q escape\"\n");
    declined(&format!("{}: 1\n", "k".repeat(1100)));
    declined("a: 'x'y\n");
    declined("a: |0\n  x\n");
    declined("a: 1 # c\n  b\n");
}

#[test]
fn deep_nesting_declines_without_overflow() {
    let block: String = (0..500)
        .map(|i| format!("{}- \n", "  ".repeat(i)))
        .collect();
    declined(&block);
    assert!(yaml::parse(&block, Limits::default()).is_ok());
}

/// Times both paths over the corpus CRDs (run it optimised:
/// `cargo test --release -p crdgen --test yaml_fast -- --ignored --nocapture timing`).
#[test]
#[ignore = "a measurement, not a check"]
fn timing() {
    let mut files = Vec::new();
    walk(&corpus_dir().join("crds"), &mut files);
    let texts: Vec<String> = files
        .iter()
        .map(|f| std::fs::read_to_string(f).unwrap())
        .collect();
    let mb = texts.iter().map(String::len).sum::<usize>() as f64 / 1e6;
    for round in 0..3 {
        let t = std::time::Instant::now();
        for text in &texts {
            std::hint::black_box(yaml::parse_saphyr(text, Limits::default()).unwrap());
        }
        let slow = t.elapsed().as_secs_f64();
        let t = std::time::Instant::now();
        for text in &texts {
            std::hint::black_box(yaml::parse(text, Limits::default()).unwrap());
        }
        let fast = t.elapsed().as_secs_f64();
        eprintln!(
            "round {round}: {mb:.1} MB: saphyr {slow:.3} s ({:.0} MB/s), parse (fast path) {fast:.3} s ({:.0} MB/s), {:.1}x",
            mb / slow,
            mb / fast,
            slow / fast
        );
    }
}

// ---------------------------------------------------------------------------------------
// Generated documents: random block structure with the scalar styles the fast path
// ports from saphyr (multi-line plain and quoted, block scalars with indicators), odd
// indentation, blank lines, trailing spaces and comments.

fn gen_scalar_lines(rng: &mut Rng, indent: usize, out: &mut String) {
    // Lines at, above or below `indent`, some blank, some with trailing spaces.
    for _ in 0..1 + rng.below(4) {
        match rng.below(8) {
            0 => out.push('\n'),
            1 => out.push_str(&format!("{}\n", " ".repeat(rng.below(indent + 3)))),
            _ => {
                let extra = [0, 0, 0, 1, 2][rng.below(5)];
                let less = if rng.below(10) == 0 {
                    rng.below(indent + 1)
                } else {
                    0
                };
                let words = [
                    "word", "a: b", "# hash", "- dash", "'q'", "\"dq\"", "é", "x  y", "\t",
                ];
                out.push_str(&" ".repeat(indent + extra - less));
                out.push_str(words[rng.below(words.len())]);
                if rng.below(5) == 0 {
                    out.push_str("  ");
                }
                out.push('\n');
            }
        }
    }
}

fn gen_value(rng: &mut Rng, indent: usize, depth: usize, out: &mut String) {
    let inner = indent + 1 + rng.below(3);
    match rng.below(if depth > 3 { 7 } else { 10 }) {
        0 => out.push_str(" plain value\n"),
        1 => {
            out.push_str(" plain start\n");
            gen_scalar_lines(rng, inner, out);
        }
        2 | 3 => {
            let q = ["'", "\""][rng.below(2)];
            out.push_str(&format!(" {q}quoted"));
            if rng.below(2) == 0 {
                out.push_str(["\\\n", " \\t", "''", "\n\n", "  \n"][rng.below(5)]);
            }
            out.push('\n');
            gen_scalar_lines(rng, inner, out);
            out.push_str(&format!(
                "{}end{q}{}\n",
                " ".repeat(inner),
                ["", " # c", "  "][rng.below(3)]
            ));
        }
        4 | 5 => {
            let head = ["|", ">", "|-", ">+", "|2", ">1-", "|+", "|1"][rng.below(8)];
            out.push_str(&format!(" {head}{}\n", ["", " # c", " "][rng.below(3)]));
            gen_scalar_lines(rng, inner, out);
        }
        6 => {
            // Scalars kubectl reads other than YAML 1.2 does (octal, YAML 1.1 booleans,
            // `_`, floats JSON writes as integers, sexagesimal and timestamps as text).
            let values = [
                " []\n",
                " {}\n",
                " [a, 'b', {c: d}]\n",
                "\n",
                " # c\n",
                " ~\n",
                " 12\n",
                " 0755\n",
                " yes\n",
                " n\n",
                " Off\n",
                " 1_000\n",
                " 3.0\n",
                " 08\n",
                " 0b101\n",
                " 1:30\n",
                " 2001-12-14\n",
                " [0o17, on, 1e3, -0x1F]\n",
                " {yes: 1, \"n\": 2}\n",
            ];
            out.push_str(values[rng.below(values.len())]);
        }
        7 | 8 => {
            out.push('\n');
            gen_map(rng, inner, depth + 1, out);
        }
        _ => {
            out.push('\n');
            let at = if rng.below(2) == 0 { indent } else { inner };
            gen_seq(rng, at, depth + 1, out);
        }
    }
}

fn gen_map(rng: &mut Rng, indent: usize, depth: usize, out: &mut String) {
    let keys = [
        "a", "b c", "'q k'", "\"d k\"", "ключ", "0x1", "-k", "k:v", "e", "0o7", "1_", "0b1",
    ];
    let n = 1 + rng.below(3);
    for k in 0..n {
        if rng.below(8) == 0 {
            out.push_str(&format!("{}# comment\n", " ".repeat(rng.below(indent + 2))));
        }
        // Now and then a key kubectl reads as a boolean or a number, as written.
        let bare = ["y", "on", "No", "0755", "3.0", "1e3"];
        let key = if rng.below(6) == 0 {
            bare[rng.below(bare.len())].to_owned()
        } else {
            format!("{}{k}", keys[rng.below(keys.len())])
        };
        let key = if key.starts_with('\'') || key.starts_with('"') {
            let q = &key[..1];
            format!(
                "{}{k}{q}",
                key.trim_end_matches(char::is_numeric).trim_end_matches(q)
            )
        } else {
            key
        };
        out.push_str(&format!("{}{key}:", " ".repeat(indent)));
        gen_value(rng, indent, depth, out);
    }
}

fn gen_seq(rng: &mut Rng, indent: usize, depth: usize, out: &mut String) {
    for _ in 0..1 + rng.below(3) {
        out.push_str(&" ".repeat(indent));
        out.push('-');
        match rng.below(4) {
            0 if depth < 4 => {
                out.push_str(" k:");
                gen_value(rng, indent + 2, depth + 1, out);
            }
            1 if depth < 4 => {
                out.push(' ');
                gen_seq(rng, 0, depth + 1, out);
            }
            _ => gen_value(rng, indent, depth, out),
        }
    }
}

#[test]
fn generated_documents_parse_the_same() {
    let count: usize = std::env::var("CRDGEN_YAML_MUTANTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3000);
    let mut rng = Rng(std::env::var("CRDGEN_YAML_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0xD0C5));
    let (mut fast, mut failures) = (0, Vec::new());
    for case in 0..count {
        let mut text = String::new();
        gen_map(&mut rng, 0, 0, &mut text);
        if rng.below(4) == 0 {
            text = text.replace('\n', "\r\n");
        }
        match compare(&text) {
            Ok(true) => fast += 1,
            Ok(false) => {}
            Err(e) => {
                if failures.len() < 5 {
                    failures.push(format!("case {case}: {e}\n---\n{text}\n---"));
                }
            }
        }
    }
    eprintln!("generated: {fast} of {count} on the fast path");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
