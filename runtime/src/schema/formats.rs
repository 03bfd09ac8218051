//! The string formats the server checks: kube-openapi's `strfmt.Default` registry
//! (`k8s.io/kube-openapi/pkg/validation/strfmt/default.go`), whose failures read
//! `<path> in body must be of type <format>: "<value>"`.
//!
//! Checked: `date-time`/`datetime`, `date`, `duration`, `byte`, `uuid`, `uuid3`,
//! `uuid4`, `uuid5`, `ipv4`, `ipv6`, `cidr`, `mac`, `hostname`, `email`, `uri`,
//! `bsonobjectid`, `hexcolor`, `rgbcolor`, `ssn`. Every other format (`password`,
//! `isbn*`, `creditcard`, and formats outside the registry, which the server strips)
//! accepts any string.

use std::net::{Ipv4Addr, Ipv6Addr};
use std::sync::OnceLock;

use regex::Regex;

/// Whether `s` is a valid string of `format`; formats not checked accept any string.
pub fn format_ok(format: &str, s: &str) -> bool {
    match format {
        "date-time" | "datetime" => is_date_time(s),
        "date" => is_date(s),
        "duration" => is_duration(s),
        "byte" => is_base64(s),
        "uuid" => re(&UUID, r"(?i)^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$")
            .is_match(s),
        "uuid3" => re(&UUID3, r"(?i)^[0-9a-f]{8}-?[0-9a-f]{4}-?3[0-9a-f]{3}-?[0-9a-f]{4}-?[0-9a-f]{12}$")
            .is_match(s),
        "uuid4" => re(&UUID4, r"(?i)^[0-9a-f]{8}-?[0-9a-f]{4}-?4[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$")
            .is_match(s),
        "uuid5" => re(&UUID5, r"(?i)^[0-9a-f]{8}-?[0-9a-f]{4}-?5[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$")
            .is_match(s),
        // `netutils.ParseIPSloppy(s) != nil` and a `.` (ipv4) or a `:` (ipv6).
        "ipv4" => parse_ip_sloppy(s) && s.contains('.'),
        "ipv6" => parse_ip_sloppy(s) && s.contains(':'),
        "cidr" => is_cidr(s),
        "mac" => is_mac(s),
        "hostname" => is_hostname(s),
        "email" => is_email(s),
        "uri" => is_request_uri(s),
        "bsonobjectid" => s.len() == 24 && s.bytes().all(|b| b.is_ascii_hexdigit()),
        "hexcolor" => re(&HEXCOLOR, r"^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$").is_match(s),
        "rgbcolor" => re(
            &RGBCOLOR,
            r"^rgb\(\s*(0|[1-9]\d?|1\d\d?|2[0-4]\d|25[0-5])\s*,\s*(0|[1-9]\d?|1\d\d?|2[0-4]\d|25[0-5])\s*,\s*(0|[1-9]\d?|1\d\d?|2[0-4]\d|25[0-5])\s*\)$",
        )
        .is_match(s),
        "ssn" => re(&SSN, r"^\d{3}[- ]?\d{2}[- ]?\d{4}$").is_match(s),
        _ => true,
    }
}

static UUID: OnceLock<Regex> = OnceLock::new();
static UUID3: OnceLock<Regex> = OnceLock::new();
static UUID4: OnceLock<Regex> = OnceLock::new();
static UUID5: OnceLock<Regex> = OnceLock::new();
static HEXCOLOR: OnceLock<Regex> = OnceLock::new();
static RGBCOLOR: OnceLock<Regex> = OnceLock::new();
static SSN: OnceLock<Regex> = OnceLock::new();
static HOSTNAME: OnceLock<Regex> = OnceLock::new();
static DURATION: OnceLock<Regex> = OnceLock::new();
static DATE_TIME: OnceLock<Regex> = OnceLock::new();
static GO_DURATION: OnceLock<Regex> = OnceLock::new();

fn re(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    cell.get_or_init(|| Regex::new(pattern).expect("the format patterns are valid regexes"))
}

fn digits(s: &str, n: usize) -> bool {
    s.len() == n && s.bytes().all(|b| b.is_ascii_digit())
}

/// `time.Parse("2006-01-02", s)`: a real calendar date.
fn is_date(s: &str) -> bool {
    let p: Vec<&str> = s.split('-').collect();
    if p.len() != 3 || !digits(p[0], 4) || !digits(p[1], 2) || !digits(p[2], 2) {
        return false;
    }
    let (y, m, d) = (
        p[0].parse::<u32>().unwrap_or(0),
        p[1].parse::<u32>().unwrap_or(0),
        p[2].parse::<u32>().unwrap_or(0),
    );
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&d)
}

/// kube-openapi's `IsDateTime`: the lower-cased string split at `t` is a date and
/// `HH:MM:SS[.frac](z|±HH:MM)` with hours <= 23, minutes and seconds <= 59.
fn is_date_time(s: &str) -> bool {
    if s.len() < 4 {
        return false;
    }
    let lower = s.to_lowercase();
    let parts: Vec<&str> = lower.split('t').collect();
    if parts.len() < 2 || !is_date(parts[0]) {
        return false;
    }
    let rx = re(
        &DATE_TIME,
        r"^([0-9]{2}):([0-9]{2}):([0-9]{2})(.[0-9]+)?(z|([+-][0-9]{2}:[0-9]{2}))$",
    );
    let Some(c) = rx.captures(parts[1]) else {
        return false;
    };
    &c[1] <= "23" && &c[2] <= "59" && &c[3] <= "59"
}

/// kube-openapi's `ParseDuration`: Go's `time.ParseDuration`, else any
/// `<digits><space*><unit>` with a known unit (ns, us, µs, ms, s, m, h, d, w and their
/// long forms).
fn is_duration(s: &str) -> bool {
    let go = re(
        &GO_DURATION,
        r"^[-+]?(0|((\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h))+)$",
    );
    if go.is_match(s) {
        return true;
    }
    let units: [&[&str]; 8] = [
        &["ns", "nano"],
        &["us", "µs", "micro"],
        &["ms", "milli"],
        &["s", "sec"],
        &["m", "min"],
        &["h", "hr", "hour"],
        &["d", "day"],
        &["w", "wk", "week"],
    ];
    let m = re(&DURATION, r"((\d+)\s*([A-Za-zµ]+))");
    m.captures_iter(s).any(|c| {
        if c[2].parse::<i64>().is_err() {
            return false;
        }
        let unit = c[3].trim().to_lowercase();
        units.iter().any(|variants| {
            let last = variants.len() - 1;
            variants
                .iter()
                .enumerate()
                .any(|(i, v)| (i == last && unit.starts_with(v)) || unit.eq_ignore_ascii_case(v))
        })
    })
}

/// `base64.StdEncoding.DecodeString` (newlines ignored, padding required).
fn is_base64(s: &str) -> bool {
    let s: String = s.chars().filter(|c| !matches!(c, '\r' | '\n')).collect();
    let t = s.trim_end_matches('=');
    s.len().is_multiple_of(4)
        && s.len() - t.len() <= 2
        && t.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/')
}

/// `netutils.ParseIPSloppy`: an IPv4 address (leading zeros allowed, read as decimal)
/// or an IPv6 address.
fn parse_ip_sloppy(s: &str) -> bool {
    is_ipv4_sloppy(s) || s.parse::<Ipv6Addr>().is_ok()
}

fn is_ipv4_sloppy(s: &str) -> bool {
    let p: Vec<&str> = s.split('.').collect();
    p.len() == 4
        && p.iter().all(|o| {
            !o.is_empty()
                && o.len() <= 3
                && o.bytes().all(|b| b.is_ascii_digit())
                && o.parse::<u16>().is_ok_and(|n| n <= 255)
        })
        || s.parse::<Ipv4Addr>().is_ok()
}

/// `netutils.ParseCIDRSloppy`: `<ip>/<prefix>` with the prefix within the address size.
fn is_cidr(s: &str) -> bool {
    let Some((ip, bits)) = s.split_once('/') else {
        return false;
    };
    if bits.is_empty() || bits.len() > 3 || !bits.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let bits: u32 = bits.parse().unwrap_or(u32::MAX);
    if is_ipv4_sloppy(ip) {
        bits <= 32
    } else if ip.parse::<Ipv6Addr>().is_ok() {
        bits <= 128
    } else {
        false
    }
}

/// `net.ParseMAC`: 6, 8 or 20 octets as `xx:xx…`, `xx-xx…` or `xxxx.xxxx…`.
fn is_mac(s: &str) -> bool {
    let octets_ok = |n: usize| matches!(n, 6 | 8 | 20);
    let hex = |p: &str, n: usize| p.len() == n && p.bytes().all(|b| b.is_ascii_hexdigit());
    for sep in [':', '-'] {
        let p: Vec<&str> = s.split(sep).collect();
        if p.len() > 1 && octets_ok(p.len()) && p.iter().all(|o| hex(o, 2)) {
            return true;
        }
    }
    let p: Vec<&str> = s.split('.').collect();
    p.len() > 1 && octets_ok(p.len() * 2) && p.iter().all(|o| hex(o, 4))
}

/// kube-openapi's `IsHostname` (RFC 1123, letters and symbols allowed), at most 255
/// bytes and 63 per label.
fn is_hostname(s: &str) -> bool {
    let rx = re(
        &HOSTNAME,
        r"^([a-zA-Z0-9\p{S}\p{L}]((-?[a-zA-Z0-9\p{S}\p{L}]{0,62})?)|([a-zA-Z0-9\p{S}\p{L}](([a-zA-Z0-9-\p{S}\p{L}]{0,61}[a-zA-Z0-9\p{S}\p{L}])?)(\.)){1,}([a-zA-Z\p{L}]){2,63})$",
    );
    rx.is_match(s) && s.len() <= 255 && s.split('.').all(|p| p.len() <= 63)
}

/// `mail.ParseAddress`, for the common forms: `local@domain` or `Name <local@domain>`.
fn is_email(s: &str) -> bool {
    let addr = match (s.rfind('<'), s.strip_suffix('>')) {
        (Some(i), Some(inner)) => &inner[i + 1..],
        _ => s.trim(),
    };
    let Some((local, domain)) = addr.rsplit_once('@') else {
        return false;
    };
    let atext = |c: char| c.is_alphanumeric() || "!#$%&'*+-/=?^_`{|}~".contains(c);
    !local.is_empty()
        && !domain.is_empty()
        && local
            .split('.')
            .all(|w| !w.is_empty() && w.chars().all(atext))
        && (domain
            .split('.')
            .all(|w| !w.is_empty() && w.chars().all(atext))
            || (domain.starts_with('[') && domain.ends_with(']')))
}

/// `url.ParseRequestURI`: an absolute URI (`scheme:…`) or an absolute path, no control
/// characters, a well-formed port after a `//host`.
fn is_request_uri(s: &str) -> bool {
    if s.is_empty() || s.bytes().any(|b| b < 0x20 || b == 0x7f) {
        return false;
    }
    if s.starts_with('/') {
        return !s.starts_with("//") || authority_ok(&s[2..]);
    }
    let Some((scheme, rest)) = s.split_once(':') else {
        return false;
    };
    let mut sc = scheme.chars();
    if !sc.next().is_some_and(|c| c.is_ascii_alphabetic())
        || !sc.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    {
        return false;
    }
    match rest.strip_prefix("//") {
        Some(after) => authority_ok(after),
        None => true,
    }
}

fn authority_ok(after: &str) -> bool {
    let end = after.find(['/', '?', '#']).unwrap_or(after.len());
    let auth = &after[..end];
    let host = auth.rsplit_once('@').map_or(auth, |(_, h)| h);
    if host.contains(' ') {
        return false;
    }
    if let Some(inner) = host.strip_prefix('[') {
        let Some((ip6, port)) = inner.split_once(']') else {
            return false;
        };
        let port_ok = port.is_empty()
            || port
                .strip_prefix(':')
                .is_some_and(|p| p.bytes().all(|b| b.is_ascii_digit()));
        return (ip6.parse::<Ipv6Addr>().is_ok() || ip6.contains('%')) && port_ok;
    }
    match host.rsplit_once(':') {
        Some((_, port)) => port.bytes().all(|b| b.is_ascii_digit()),
        None => true,
    }
}

#[cfg(test)]
mod tests {
    use super::format_ok;

    #[test]
    fn formats_as_kube_openapi() {
        for (f, ok, bad) in [
            ("date-time", "2024-01-02T03:04:05Z", "2024-01-02 03:04:05Z"),
            (
                "date-time",
                "2024-01-02T03:04:05.123+01:00",
                "2024-01-02T24:00:00Z",
            ),
            ("date", "2024-02-29", "2023-02-29"),
            ("duration", "1h30m", "soon"),
            ("duration", "3 days", "1x"),
            ("byte", "aGVsbG8=", "aGVsbG8"),
            ("uuid", "123e4567-e89b-12d3-a456-426614174000", "123e4567"),
            ("ipv4", "10.0.0.1", "10.0.0.256"),
            ("ipv6", "fe80::1", "10.0.0.1"),
            ("cidr", "10.0.0.0/8", "10.0.0.0/33"),
            ("cidr", "fd00::/64", "10.0.0.0"),
            ("mac", "00:1a:2b:3c:4d:5e", "00:1a:2b"),
            ("hostname", "example.com", "-bad-.com"),
            ("email", "a@example.com", "example.com"),
            ("uri", "https://example.com/x", "example.com/x"),
            ("hexcolor", "#fff", "#ffff"),
        ] {
            assert!(format_ok(f, ok), "{f}: {ok} should be valid");
            assert!(!format_ok(f, bad), "{f}: {bad} should be invalid");
        }
        assert!(format_ok("ini", "anything"));
    }
}
