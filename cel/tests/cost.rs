//! Static cost estimates held to kube-apiserver's: the cases of apiextensions-apiserver's
//! `TestCostEstimation` (pkg/apiserver/schema/cel/compilation_test.go at commit
//! 1aa2717a552ee6ca1e2a18f1f8ffccde981db923), each schema generator ported to JSON,
//! each expected cost copied. A case is checked twice, as there: without limits
//! ("calc") and with maxItems / maxProperties / maxLength set ("set"). Expected costs
//! of 0 are not checked there and are not here. Then the server's refusals: the
//! per-rule and per-CRD limits with the messages of validation.go.

use crdgen_cel::Rules;
use serde_json::{Value, json};

fn with(mut s: Value, k: &str, max: Option<i64>) -> Value {
    if let Some(m) = max {
        s[k] = json!(m);
    }
    s
}

fn rule(mut s: Value, r: &str) -> Value {
    s["x-kubernetes-validations"] = json!([{ "rule": r }]);
    s
}

/// `parseRuleType`: a type, a format, or int-or-string.
fn typed(t: &str) -> Value {
    match t {
        "duration" | "date" | "date-time" => json!({"type": "string", "format": t}),
        "int-or-string" => json!({"x-kubernetes-int-or-string": true}),
        t => json!({ "type": t }),
    }
}

fn req_opt() -> Value {
    json!({"type": "object", "required": ["required"], "properties": {
        "required": {"type": "string"}, "optional": {"type": "string"}}})
}

/// The schema generators of compilation_test.go.
fn schema(g: &str, r: &str, max: Option<i64>) -> Value {
    let (kind, arg) = g.split_once(':').unwrap_or((g, ""));
    let s = match kind {
        "array" => with(
            json!({"type": "array", "items": typed(arg)}),
            "maxItems",
            max,
        ),
        "arrayOfArrays" => with(
            json!({"type": "array", "items": {"type": "array", "items": {"type": arg}}}),
            "maxItems",
            max,
        ),
        "objectArray" => with(
            json!({"type": "array", "items": req_opt()}),
            "maxItems",
            max,
        ),
        "mapArray" => with(
            json!({"type": "array", "items": {"type": "object", "additionalProperties": {"type": arg}}}),
            "maxItems",
            max,
        ),
        "map" => with(
            json!({"type": "object", "additionalProperties": typed(arg)}),
            "maxProperties",
            max,
        ),
        "mapOf" => {
            let item = match arg {
                "object" => req_opt(),
                "array" => json!({"type": "array", "items": {"type": "number"}}),
                _ => json!({"type": "object", "additionalProperties": {"type": "number"}}),
            };
            with(
                json!({"type": "object", "additionalProperties": item}),
                "maxProperties",
                max,
            )
        }
        "string" => with(json!({"type": "string"}), "maxLength", max),
        "enum" => with(
            json!({"type": "string", "enum": arg.split(',').collect::<Vec<_>>()}),
            "maxLength",
            max,
        ),
        "bytes" => with(
            json!({"type": "string", "format": "byte"}),
            "maxLength",
            max,
        ),
        "nested" => with(
            json!({"type": "object", "additionalProperties": with(json!({"type": "string"}), "maxLength", max)}),
            "maxProperties",
            max,
        ),
        "allMaxNested" => {
            let inner = with(req_opt(), "maxProperties", max);
            let item = with(
                json!({"type": "object", "additionalProperties": inner}),
                "maxProperties",
                max,
            );
            with(json!({"type": "array", "items": item}), "maxItems", max)
        }
        "oneMaxNested" => {
            let item = with(
                json!({"type": "object", "additionalProperties": req_opt()}),
                "maxProperties",
                max,
            );
            json!({"type": "array", "items": item})
        }
        "stringList" => with(
            json!({"type": "array", "x-kubernetes-list-type": "atomic",
                   "items": with(json!({"type": "string"}), "maxLength", max)}),
            "maxItems",
            max,
        ),
        "replace" => json!({"type": "object", "properties": {
            "str": with(json!({"type": "string"}), "maxLength", max),
            "before": {"type": "string", "maxLength": 2},
            "after": {"type": "string", "maxLength": 4}}}),
        "split" => json!({"type": "object", "properties": {
            "str": with(json!({"type": "string"}), "maxLength", max),
            "separator": with(json!({"type": "string"}), "maxLength", max)}}),
        "intOrString" => with(
            json!({"x-kubernetes-int-or-string": true}),
            "maxLength",
            max,
        ),
        other => panic!("no generator {other}"),
    };
    rule(s, r)
}

/// What the case expects: an exact cost (`Some(n)`, n > 0), a cost of at least
/// 100,000,000 (`Over`), or nothing checked (0 in the Go table).
#[derive(Clone, Copy)]
enum Want {
    Cost(u64),
    Over,
    Unchecked,
}
use Want::*;

fn want(n: u64) -> Want {
    if n == 0 { Unchecked } else { Cost(n) }
}

/// (name, generator, rule, calc expectation, setMaxElements, set expectation).
fn cases() -> Vec<(&'static str, &'static str, &'static str, Want, i64, Want)> {
    let c = |name, g, r, calc: u64, set_max, set: u64| (name, g, r, want(calc), set_max, want(set));
    vec![
        c(
            "number array with all",
            "array:number",
            "self.all(x, true)",
            4718591,
            10,
            32,
        ),
        c(
            "string array with all",
            "array:string",
            "self.all(x, true)",
            3145727,
            20,
            62,
        ),
        c(
            "boolean array with all",
            "array:boolean",
            "self.all(x, true)",
            1887437,
            5,
            17,
        ),
        c(
            "array of number arrays with all",
            "arrayOfArrays:number",
            "self.all(x, true)",
            3145727,
            100,
            302,
        ),
        c(
            "array of objects with all",
            "objectArray",
            "self.all(x, true)",
            555128,
            50,
            152,
        ),
        c(
            "map of numbers with all",
            "map:number",
            "self.all(x, true)",
            1348169,
            10,
            32,
        ),
        c(
            "map of numbers with has",
            "map:number",
            "has(self.x)",
            0,
            100,
            0,
        ),
        c(
            "map of strings with all",
            "map:string",
            "self.all(x, true)",
            1179647,
            3,
            11,
        ),
        c(
            "map of strings with has",
            "map:string",
            "has(self.x)",
            0,
            550,
            0,
        ),
        c(
            "map of booleans with all",
            "map:boolean",
            "self.all(x, true)",
            943718,
            100,
            302,
        ),
        c(
            "map of booleans with has",
            "map:boolean",
            "has(self.x)",
            0,
            1024,
            0,
        ),
        c(
            "string with contains",
            "string",
            "self.contains('test')",
            314574,
            10,
            5,
        ),
        c(
            "string with startsWith",
            "string",
            "self.startsWith('test')",
            2,
            15,
            2,
        ),
        c(
            "string with endsWith",
            "string",
            "self.endsWith('test')",
            2,
            30,
            2,
        ),
        c(
            "concat string",
            "string",
            r#"size(self + "hello") > size("hello")"#,
            314578,
            4,
            7,
        ),
        c(
            "index of array with numbers",
            "array:number",
            "self[1] == 0.0",
            2,
            5000,
            2,
        ),
        c(
            "index of array with strings",
            "array:string",
            "self[1] == self[1]",
            314577,
            8,
            314577,
        ),
        (
            "O(n^2) loop with numbers",
            "array:number",
            "self.all(x, self.all(y, true))",
            Over,
            10,
            Cost(352),
        ),
        (
            "O(n^3) loop with numbers",
            "array:number",
            "self.all(x, self.all(y, self.all(z, true)))",
            Over,
            10,
            Cost(3552),
        ),
        c(
            "regex matches simple",
            "string",
            r#"self.matches("x")"#,
            314574,
            50,
            22,
        ),
        c(
            "regex matches empty string",
            "string",
            r#""".matches("(((((((((())))))))))[0-9]")"#,
            7,
            10,
            7,
        ),
        c(
            "regex matches empty regex",
            "string",
            r#"self.matches("")"#,
            1,
            100,
            1,
        ),
        c(
            "map of strings with value length",
            "nested",
            "self.all(x, x.contains(self[x]))",
            2752507,
            10,
            72,
        ),
        c(
            "set array maxLength to zero",
            "array:number",
            "self[3] == 0.0",
            2,
            0,
            2,
        ),
        c(
            "set map maxLength to zero",
            "map:number",
            r#"self["x"] == 0.0"#,
            2,
            0,
            2,
        ),
        c(
            "set string maxLength to zero",
            "string",
            r#"self == "x""#,
            2,
            0,
            1,
        ),
        c(
            "set bytes maxLength to zero",
            "bytes",
            r#"self == b"x""#,
            2,
            0,
            1,
        ),
        c(
            "set maxLength greater than estimated maxLength",
            "array:number",
            "self.all(x, x == 0.0)",
            6291454,
            3 * 1024 * 2048,
            25165826,
        ),
        c(
            "nested types with root rule with all supporting maxLength",
            "allMaxNested",
            r#"self.all(x, x["y"].required == "z")"#,
            7340027,
            10,
            72,
        ),
        c(
            "nested types with root rule with one supporting maxLength",
            "oneMaxNested",
            r#"self.all(x, x["y"].required == "z")"#,
            7340027,
            10,
            7340027,
        ),
        c(
            "int-or-string array with all",
            "array:int-or-string",
            "self.all(x, true)",
            4718591,
            10,
            32,
        ),
        c(
            "index of array with int-or-strings",
            "array:int-or-string",
            "self[0] == 5",
            3,
            10,
            3,
        ),
        c(
            "index of array with booleans",
            "array:boolean",
            "self[0] == false",
            2,
            25,
            2,
        ),
        c(
            "index of array of objects",
            "objectArray",
            "self[0] == null",
            2,
            422,
            2,
        ),
        c(
            "index of array of array of numnbers",
            "arrayOfArrays:number",
            "self[0][0] == -1.0",
            3,
            51,
            3,
        ),
        c(
            "array of number maps with all",
            "mapArray:number",
            "self.all(x, x.y == 25.2)",
            6291452,
            12,
            74,
        ),
        c(
            "index of array of number maps",
            "mapArray:number",
            "self[0].x > 2.0",
            4,
            3000,
            4,
        ),
        c(
            "duration array with all",
            "array:duration",
            "self.all(x, true)",
            2359295,
            5,
            17,
        ),
        c(
            "index of duration array",
            "array:duration",
            "self[0].getHours() == 2",
            4,
            525,
            4,
        ),
        c(
            "date array with all",
            "array:date",
            "self.all(x, true)",
            725936,
            15,
            47,
        ),
        c(
            "index of date array",
            "array:date",
            "self[2].getDayOfMonth() == 13",
            4,
            42,
            4,
        ),
        c(
            "date-time array with all",
            "array:date-time",
            "self.all(x, true)",
            428963,
            25,
            77,
        ),
        c(
            "index of date-time array",
            "array:date-time",
            "self[2].getMinutes() == 45",
            4,
            99,
            4,
        ),
        c(
            "map of int-or-strings with all",
            "map:int-or-string",
            "self.all(x, true)",
            1348169,
            15,
            47,
        ),
        c(
            "map of int-or-strings with has",
            "map:int-or-string",
            "has(self.x)",
            0,
            5000,
            0,
        ),
        c(
            "map of objects with all",
            "mapOf:object",
            "self.all(x, true)",
            428963,
            20,
            62,
        ),
        c(
            "map of objects with has",
            "mapOf:object",
            "has(self.x)",
            0,
            9001,
            0,
        ),
        c(
            "map of number maps with all",
            "mapOf:map",
            "self.all(x, true)",
            1179647,
            10,
            32,
        ),
        c(
            "map of number maps with has",
            "mapOf:map",
            "has(self.x)",
            0,
            101,
            0,
        ),
        c(
            "map of number arrays with all",
            "mapOf:array",
            "self.all(x, true)",
            1179647,
            25,
            77,
        ),
        c(
            "map of number arrays with has",
            "mapOf:array",
            "has(self.x)",
            0,
            40000,
            0,
        ),
        c(
            "map of durations with all",
            "map:duration",
            "self.all(x, true)",
            1048577,
            5,
            17,
        ),
        c(
            "map of durations with has",
            "map:duration",
            "has(self.x)",
            0,
            256,
            0,
        ),
        c(
            "map of dates with all",
            "map:date",
            "self.all(x, true)",
            524288,
            10,
            32,
        ),
        c(
            "map of dates with has",
            "map:date",
            "has(self.x)",
            0,
            65536,
            0,
        ),
        c(
            "map of date-times with all",
            "map:date-time",
            "self.all(x, true)",
            349526,
            25,
            77,
        ),
        c(
            "map of date-times with has",
            "map:date-time",
            "has(self.x)",
            0,
            490,
            0,
        ),
        c(
            "extended library regex find",
            "string",
            "self.find('[0-9]+') == ''",
            629147,
            10,
            11,
        ),
        c(
            "extended library join",
            "stringList",
            "self.join(' ') == 'aa bb'",
            329853068905,
            10,
            43,
        ),
        c(
            "extended library isSorted",
            "stringList",
            "self.isSorted() == true",
            329854432052,
            10,
            52,
        ),
        c(
            "extended library replace",
            "replace",
            "self.str.replace(self.before, self.after) == 'does not matter'",
            629154,
            4,
            12,
        ),
        c(
            "extended library split",
            "split",
            "self.str.split(self.separator) == []",
            629160,
            10,
            22,
        ),
        c(
            "extended library lowerAscii",
            "string",
            "self.lowerAscii() == 'lower!'",
            314575,
            10,
            6,
        ),
        c(
            "check cost of size call",
            "map:integer",
            "oldSelf.size() == self.size()",
            5,
            10,
            5,
        ),
        c(
            "check cost of timestamp comparison",
            "map:date-time",
            r#"self["a"] == self["b"]"#,
            8,
            7,
            8,
        ),
        c(
            "check cost of duration comparison",
            "map:duration",
            r#"self["c"] == self["d"]"#,
            8,
            42,
            8,
        ),
        c(
            "enums with maxLength equals to the longest possible value",
            "enum:A,B,C,LongValue",
            "self.contains('A')",
            2,
            1000,
            401,
        ),
        c(
            "IntOrString type with quantity rule",
            "intOrString",
            "isQuantity(self)",
            314574,
            20,
            9,
        ),
    ]
}

/// The case's estimated cost (as `Compile` gives `MaxCost`: no limit applied).
fn estimated(s: &Value) -> Result<u64, String> {
    let c = Rules::estimate(s).map_err(|e| format!("{e:?}"))?;
    if !c.unsure.is_empty() {
        return Err("estimate unsure".into());
    }
    match c.expressions.as_slice() {
        [(_, cost)] => Ok(*cost),
        other => Err(format!("{} estimates", other.len())),
    }
}

#[test]
fn cost_estimation_equals_apiextensions() {
    let mut checked = 0;
    let mut equal = 0;
    let mut failures = Vec::new();
    for (name, g, r, calc, set_max, set) in cases() {
        for (label, max, want) in [("calc", None, calc), ("set", Some(set_max), set)] {
            let got = estimated(&schema(g, r, max));
            let ok = match (want, &got) {
                (Unchecked, _) => continue,
                (Cost(n), Ok(c)) => *c == n,
                (Over, Ok(c)) => *c >= 100_000_000,
                _ => false,
            };
            checked += 1;
            if ok {
                equal += 1;
            } else {
                let w = match want {
                    Cost(n) => n.to_string(),
                    _ => ">= 100000000".into(),
                };
                failures.push(format!("{name} ({label}): want {w}, got {got:?}"));
            }
        }
    }
    println!("TestCostEstimation: {equal} of {checked} estimates equal to apiextensions'");
    for f in &failures {
        println!("  {f}");
    }
    assert!(checked > 100, "the table was not read");
    assert!(failures.is_empty(), "{} differ", failures.len());
}

/// A rule over an unbounded list, refused as the server refuses it: `Forbidden` at the
/// rule with getCostErrorMessage's words, then the total for the schema.
#[test]
fn over_budget_rule_is_refused_with_the_servers_message() {
    let s = json!({"type": "object", "properties": {"spec": {"type": "object", "properties": {
        "items": {"type": "array", "items": {"type": "string"},
                  "x-kubernetes-validations": [{"rule": "self.all(x, self.all(y, x != y))"}]}}}}});
    let errors = Rules::compile(&s).unwrap_err();
    let shown: Vec<String> = errors.iter().map(ToString::to_string).collect();
    let rule =
        "openAPIV3Schema.properties[spec].properties[items].x-kubernetes-validations[0].rule";
    assert_eq!(
        shown,
        vec![
            format!("{rule}: Forbidden: estimated rule cost exceeds budget by factor of more than 100x (try simplifying the rule, or adding maxItems, maxProperties, and maxLength where arrays, maps, and strings are declared)"),
            format!("{rule}: Forbidden: contributed to estimated rule cost total exceeding cost limit for entire OpenAPIv3 schema"),
            "openAPIV3Schema: Forbidden: x-kubernetes-validations estimated rule cost total for entire OpenAPIv3 schema exceeds budget by factor of more than 100x (try simplifying the rule, or adding maxItems, maxProperties, and maxLength where arrays, maps, and strings are declared)".to_owned(),
        ]
    );
    // Bounded, the same rule is accepted.
    let mut bounded = s.clone();
    bounded["properties"]["spec"]["properties"]["items"]["maxItems"] = json!(10);
    bounded["properties"]["spec"]["properties"]["items"]["items"]["maxLength"] = json!(10);
    assert!(Rules::compile(&bounded).is_ok());
}

/// A rule under an unbounded list runs once per item: its cost times the most items
/// a request can hold (`maxCardinality`), or the product of the maxItems above.
#[test]
fn cardinality_multiplies_rules_under_lists() {
    let item = json!({"type": "object", "properties": {"name": {"type": "string", "maxLength": 63}},
        "x-kubernetes-validations": [{"rule": "self.name.startsWith('a')"}]});
    let s = json!({"type": "object", "properties": {"list": {"type": "array", "maxItems": 7, "items": item}}});
    let rules = Rules::compile(&s).unwrap();
    // startsWith: ceil(1 * 0.1) + self.name (2) = 3, seven times.
    assert_eq!(rules.costs().expressions[0].1, 21);
    let mut unbounded = s.clone();
    unbounded["properties"]["list"]
        .as_object_mut()
        .unwrap()
        .remove("maxItems");
    let rules = Rules::compile(&unbounded).unwrap();
    // maxCardinality(MinSerializedSize 2 of an object) = 3 MiB / 3.
    assert_eq!(rules.costs().expressions[0].1, 3 * (3 * 1024 * 1024 / 3));
}
