//! Kubernetes' CEL libraries, one expression per behaviour (many from the cases of
//! k8s.io/apiserver `pkg/cel/library/*_test.go`), each evaluated as a rule through the
//! public API: every expression here must hold.

use crdgen_cel::Rules;
use serde_json::json;

/// The errors of a rule `expr` on an empty object. Without the cost limits: several
/// of these (`['a', 'b'].join('-')`, `quantity(a) != quantity(b)`) have sizes cel-go's
/// estimator cannot bound, and the server would refuse them in a CRD (`tests/cost.rs`).
fn eval(expr: &str) -> Vec<String> {
    let schema = json!({"type": "object", "x-kubernetes-validations": [{"rule": expr}]});
    let rules = Rules::compile_ignoring_cost(&schema).unwrap_or_else(|e| panic!("{expr}: {e:?}"));
    rules
        .validate(&json!({}), None)
        .iter()
        .map(ToString::to_string)
        .collect()
}

fn holds(exprs: &[&str]) {
    let failed: Vec<String> = exprs
        .iter()
        .filter_map(|e| {
            let errs = eval(e);
            (!errs.is_empty()).then(|| format!("{e}: {errs:?}"))
        })
        .collect();
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}

#[test]
fn ip() {
    holds(&[
        r#"isIP("192.168.0.1")"#,
        r#"!isIP("192.168.0.1.0")"#,
        r#"!isIP("::ffff:1.2.3.4")"#,
        r#"!isIP("fe80::1%eth0")"#,
        r#"ip.isCanonical("127.0.0.1")"#,
        r#"!ip.isCanonical("2001:DB8::68")"#,
        r#"ip("192.168.0.1").family() == 4"#,
        r#"ip("2001:db8::68").family() == 6"#,
        r#"ip("0.0.0.0").isUnspecified()"#,
        r#"!ip("127.0.0.1").isUnspecified()"#,
        r#"ip("127.0.0.1").isLoopback() && ip("::1").isLoopback()"#,
        r#"ip("224.0.0.1").isLinkLocalMulticast() && !ip("224.0.1.1").isLinkLocalMulticast()"#,
        r#"ip("169.254.169.254").isLinkLocalUnicast() && !ip("192.168.0.1").isLinkLocalUnicast()"#,
        r#"ip("192.168.0.1").isGlobalUnicast() && !ip("255.255.255.255").isGlobalUnicast()"#,
        r#"ip("192.168.0.1") == ip("192.168.0.1") && ip("192.168.0.1") != ip("192.168.0.2")"#,
        r#"string(ip("2001:db8::68")) == "2001:db8::68""#,
    ]);
}

#[test]
fn cidr() {
    holds(&[
        r#"isCIDR("10.0.0.0/8") && !isCIDR("10.0.0.0/33") && !isCIDR("192.168.0.0/")"#,
        r#"cidr("192.168.0.0/24").containsIP(ip("192.168.0.1"))"#,
        r#"!cidr("192.168.0.0/24").containsIP("192.168.1.1")"#,
        r#"cidr("192.168.0.0/24").containsCIDR(cidr("192.168.0.0/25"))"#,
        r#"!cidr("192.168.0.0/24").containsCIDR("192.168.0.0/23")"#,
        r#"!cidr("192.168.0.0/24").containsCIDR(cidr("192.169.0.1/32"))"#,
        r#"cidr("192.168.0.0/24").ip() == ip("192.168.0.0")"#,
        r#"cidr("192.168.0.1/24").masked() == cidr("192.168.0.0/24")"#,
        r#"cidr("192.168.0.0/24").prefixLength() == 24"#,
        r#"cidr("2001:db8::/32").containsIP("2001:db8::1") && !cidr("2001:db8::/32").containsIP("2001:dc8::1")"#,
        r#"cidr("2001:db8:1::/32").masked() == cidr("2001:db8::/32")"#,
        r#"string(cidr("2001:db8::/32")) == "2001:db8::/32""#,
    ]);
}

#[test]
fn quantity() {
    holds(&[
        r#"isQuantity("20") && isQuantity("20M") && isQuantity("20Mi") && isQuantity("1e3")"#,
        r#"!isQuantity("20Mo") && !isQuantity("10Mm")"#,
        r#"quantity("200M") == quantity("0.2G") && quantity("1") == quantity("1000m")"#,
        r#"quantity("200M") != quantity("0.3G")"#,
        r#"quantity("50M").isLessThan(quantity("50Mi"))"#,
        r#"quantity("50Mi").isGreaterThan(quantity("50M"))"#,
        r#"quantity("50M").compareTo(quantity("50Mi")) == -1"#,
        r#"quantity("50k").asInteger() == 50000"#,
        r#"quantity("50.5").asApproximateFloat() == 50.5"#,
        r#"!quantity("50.5").isInteger() && quantity("50").isInteger()"#,
        r#"quantity("50k").add(quantity("20")) == quantity("50.02k")"#,
        r#"quantity("50k").sub(20) == quantity("49980")"#,
        r#"quantity("-50k").sign() == -1"#,
    ]);
}

#[test]
fn semver() {
    holds(&[
        r#"isSemver("1.2.3-beta.1+build.1")"#,
        r#"!isSemver("v1.0.0") && !isSemver("01.01.01") && !isSemver("1.1") && !isSemver("")"#,
        r#"isSemver("v1.0", true) && semver("v1.0", true) == semver("1.0.0")"#,
        r#"semver("1.2.3").major() == 1 && semver("1.2.3").minor() == 2 && semver("1.2.3").patch() == 3"#,
        r#"semver("1.2.3").isLessThan(semver("1.2.4"))"#,
        r#"semver("1.0.0-alpha").isLessThan(semver("1.0.0"))"#,
        r#"semver("1.0.0-alpha.1").isLessThan(semver("1.0.0-alpha.beta"))"#,
        r#"semver("2.0.0").isGreaterThan(semver("1.9.9"))"#,
        r#"semver("1.2.3").compareTo(semver("1.2.3")) == 0"#,
    ]);
}

#[test]
fn url() {
    holds(&[
        r#"url("https://example.com:80/path?k=v").getScheme() == "https""#,
        r#"url("https://example.com:80/path?k=v").getHost() == "example.com:80""#,
        r#"url("https://example.com:80/path?k=v").getHostname() == "example.com""#,
        r#"url("https://example.com:80/path?k=v").getPort() == "80""#,
        r#"url("https://example.com/path").getPort() == """#,
        r#"url("https://example.com:80/path?k=v").getEscapedPath() == "/path""#,
        r#"url("https://example.com/?k=a&k=b").getQuery()["k"] == ["a", "b"]"#,
        r#"url("https://[::1]:80/").getHostname() == "::1""#,
        r#"isURL("/absolute") && isURL("https://example.com")"#,
        r#"!isURL("relative/path") && !isURL("http://x.com/ bad")"#,
    ]);
}

#[test]
fn lists() {
    holds(&[
        "[1, 2, 3].isSorted() && ![3, 1].isSorted() && ['a', 'b'].isSorted()",
        "[1, 2, 3].sum() == 6 && [1.5, 2.5].sum() == 4.0",
        "[3, 1, 2].min() == 1 && [3, 1, 2].max() == 3 && ['b', 'a'].max() == 'b'",
        "[1, 2, 1].indexOf(1) == 0 && [1, 2, 1].lastIndexOf(1) == 2 && [1, 2].indexOf(5) == -1",
        // cel-go's ext.Lists (in the Kubernetes environment since 1.31)
        "[3, 1, 2].sort() == [1, 2, 3] && [1, 1, 2].distinct() == [1, 2]",
    ]);
    let errs = eval("[].min() == 1");
    assert!(errs[0].contains("min called on empty list"), "{errs:?}");
}

#[test]
fn sets() {
    holds(&[
        "sets.contains([1, 2, 3], [3, 1]) && !sets.contains([1, 2], [4])",
        "sets.equivalent([1, 2, 2], [2, 1]) && !sets.equivalent([1], [1, 2])",
        "sets.intersects([1, 2], [2, 5]) && !sets.intersects([1], [3])",
        "sets.contains([1], [1.0])",
    ]);
}

#[test]
fn regex() {
    holds(&[
        r#""abc 123".find("[0-9]+") == "123" && "abc".find("[0-9]+") == """#,
        r#""123 abc 456".findAll("[0-9]+") == ["123", "456"]"#,
        r#""123 abc 456".findAll("[0-9]+", 1) == ["123"]"#,
        r#""abc".matches("^[a-c]+$")"#,
    ]);
}

#[test]
fn strings() {
    holds(&[
        r#""TacoCat".lowerAscii() == "tacocat" && "abc".upperAscii() == "ABC""#,
        r#""a,b".split(",") == ["a", "b"] && ["a", "b"].join("-") == "a-b""#,
        r#""hello".charAt(1) == "e" && "hello".indexOf("l") == 2 && "hello".lastIndexOf("l") == 3"#,
        r#""hello".substring(1, 3) == "el" && " x ".trim() == "x""#,
        r#""aaa".replace("a", "b", 2) == "bba""#,
        r#""%s-%d".format(["a", 1]) == "a-1""#,
        r#"strings.quote("a") == "\"a\"""#,
    ]);
}

#[test]
fn format() {
    holds(&[
        r#"!format.dns1123Label().validate("my-name").hasValue()"#,
        r#"format.dns1123Label().validate("My_Name").hasValue()"#,
        r#"format.dns1123Label().validate("A").value()[0].startsWith("a lowercase RFC 1123 label must consist of")"#,
        r#"format.named("dns1123Label").hasValue() && !format.named("nope").hasValue()"#,
        r#"format.named("uuid").value().validate("not-a-uuid").value() == ["does not match the UUID format"]"#,
        r#"!format.uuid().validate("123e4567-e89b-12d3-a456-426614174000").hasValue()"#,
        r#"!format.dns1123Subdomain().validate("example.com").hasValue()"#,
        r#"format.labelValue().validate("-bad").hasValue() && !format.labelValue().validate("").hasValue()"#,
        r#"!format.qualifiedName().validate("example.com/MyName").hasValue()"#,
        r#"!format.date().validate("2024-02-29").hasValue() && format.date().validate("2023-02-29").hasValue()"#,
    ]);
}

#[test]
fn optionals_and_time() {
    holds(&[
        "optional.of(1).orValue(2) == 1 && optional.none().orValue(2) == 2",
        "{'a': 1}.?a.orValue(0) == 1 && {'a': 1}.?b.orValue(0) == 0",
        "duration('1h') > duration('30m') && duration('1h30m').getMinutes() == 90",
        "timestamp('2024-01-01T00:00:00Z') < timestamp('2025-01-01T00:00:00Z')",
    ]);
}

#[test]
fn errors_as_the_server_words_them() {
    let errs = eval(r#"ip("192.168.0.1.0") == ip("1.2.3.4")"#);
    assert_eq!(errs.len(), 1);
    assert!(
        errs[0].starts_with(r#"<nil>: Invalid value: "object": IP Address "192.168.0.1.0" parse error during conversion from string"#),
        "{errs:?}"
    );
    assert!(
        errs[0].ends_with(r#"evaluating rule: ip("192.168.0.1.0") == ip("1.2.3.4")"#),
        "{errs:?}"
    );
    // A declared field absent from the object (an undeclared one is refused when the
    // CRD is written: "undefined field 'missing'", tests/types.rs).
    let schema = json!({"type": "object", "properties": {"missing": {"type": "integer"}},
                        "x-kubernetes-validations": [{"rule": "self.missing == 1"}]});
    let errs: Vec<String> = Rules::compile(&schema)
        .unwrap()
        .validate(&json!({}), None)
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        errs,
        [
            r#"<nil>: Invalid value: "object": no such key: missing evaluating rule: self.missing == 1"#
        ]
    );
}

#[test]
fn a_false_rule_fails() {
    assert_eq!(
        eval("1 == 2"),
        ["<nil>: Invalid value: failed rule: 1 == 2"]
    );
    assert_eq!(eval("'abc'.find('b') == 'x'").len(), 1);
}

#[test]
fn durations_as_corpus_rules_use_them() {
    holds(&[
        "duration('1500ms').getMilliseconds() == 1500 && duration('90s').getSeconds() == 90",
        "duration('2h').getHours() == 2 && duration('2h').getMinutes() == 120",
        "double('1.5') == 1.5 && int('3') == 3",
        "timestamp('2024-01-01T00:00:00Z') + duration('1h') == timestamp('2024-01-01T01:00:00Z')",
    ]);
}

#[test]
fn cross_type_numeric_comparisons() {
    // The Kubernetes environment enables cel-go's CrossTypeNumericComparisons.
    holds(&[
        "1.5 > 1 && 1 < 1.5 && 2u > 1 && 1 <= 1.0 && 3.0 >= 3",
        // Equality of an int and a double is refused by the type checker ("found no
        // matching overload for '_==_' applied to '(int, double)'", cel-go
        // checker/types.go internalIsAssignable); through dyn it holds at run time.
        "dyn(1) == 1.0 && dyn(1u) == 1",
    ]);
    let refused = Rules::compile(&json!({"type": "object",
        "x-kubernetes-validations": [{"rule": "1 == 1.0"}]}))
    .unwrap_err();
    assert_eq!(
        refused[0].detail,
        "compilation failed: ERROR: <input>:1:3: found no matching overload for '_==_' applied to '(int, double)'\n | 1 == 1.0\n | ..^"
    );
    let r = Rules::compile(&json!({
        "type": "object",
        "properties": {"ratio": {"type": "number"}, "n": {"type": "integer"}},
        "x-kubernetes-validations": [{"rule": "self.ratio > 0 && self.ratio <= self.n"}],
    }))
    .unwrap();
    assert!(r.validate(&json!({"ratio": 1, "n": 2}), None).is_empty());
    assert_eq!(r.validate(&json!({"ratio": 0.5, "n": 0}), None).len(), 1);
}
