//! `format: duration` strings as go-openapi's `strfmt.ParseDuration` reads them: Go's
//! `time.ParseDuration`, else `<n> <unit>` terms (`3 days`, `1w2d`, `90 sec`).

use std::sync::OnceLock;

/// Parse a duration as `strfmt.ParseDuration` does.
pub(crate) fn parse(s: &str) -> Option<chrono::Duration> {
    parse_go(s).or_else(|| parse_words(s))
}

/// strfmt's units: the last spelling of each is also a prefix (`days`, `minutes`).
const UNITS: [(&[&str], i64); 8] = [
    (&["ns", "nano"], 1),
    (&["us", "µs", "micro"], 1_000),
    (&["ms", "milli"], 1_000_000),
    (&["s", "sec"], 1_000_000_000),
    (&["m", "min"], 60_000_000_000),
    (&["h", "hr", "hour"], 3_600_000_000_000),
    (&["d", "day"], 86_400_000_000_000),
    (&["w", "wk", "week"], 604_800_000_000_000),
];

fn parse_words(s: &str) -> Option<chrono::Duration> {
    static TERM: OnceLock<Option<regex::Regex>> = OnceLock::new();
    let term = TERM
        .get_or_init(|| regex::Regex::new(r"(\d+)\s*([A-Za-zµ]+)").ok())
        .as_ref()?;
    let mut nanos: i64 = 0;
    let mut found = false;
    for c in term.captures_iter(s) {
        let n: i64 = c[1].parse().ok()?;
        let unit = c[2].to_lowercase();
        for (spellings, mult) in UNITS {
            let last = spellings.len() - 1;
            for (i, v) in spellings.iter().enumerate() {
                if (i == last && unit.starts_with(v)) || unit.eq_ignore_ascii_case(v) {
                    found = true;
                    nanos = nanos.checked_add(n.checked_mul(mult)?)?;
                }
            }
        }
    }
    found.then(|| chrono::Duration::nanoseconds(nanos))
}

/// Parse a Go duration (`1h30m`, `-1.5s`, `300ms`, `0`).
pub(crate) fn parse_go(s: &str) -> Option<chrono::Duration> {
    let (neg, mut rest) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    if rest == "0" {
        return Some(chrono::Duration::zero());
    }
    if rest.is_empty() {
        return None;
    }
    let mut total: f64 = 0.0;
    while !rest.is_empty() {
        let num_end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if num_end == 0 {
            return None;
        }
        let n: f64 = rest[..num_end].parse().ok()?;
        rest = &rest[num_end..];
        let unit_end = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let nanos = match &rest[..unit_end] {
            "ns" => 1.0,
            "us" | "µs" | "μs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            _ => return None,
        };
        rest = &rest[unit_end..];
        total += n * nanos;
    }
    if total > i64::MAX as f64 {
        return None;
    }
    let d = chrono::Duration::nanoseconds(total.round() as i64);
    Some(if neg { -d } else { d })
}
