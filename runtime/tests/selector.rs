//! Label and field selector parsing, validation, matching and printing.

use std::collections::BTreeMap;

use crdgen_runtime::k8s_openapi::apimachinery::pkg::apis::meta::v1::{
    LabelSelector, LabelSelectorRequirement,
};
use crdgen_runtime::selector::{FieldSelector, Operator, Requirement, Selector, SelectorError};
use serde_json::json;

fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn parse(s: &str) -> Selector {
    Selector::parse(s).unwrap_or_else(|e| panic!("{s:?} should parse: {e}"))
}

#[test]
fn canonical_strings() {
    let cases = [
        ("", ""),
        ("x=a", "x=a"),
        ("x==a", "x==a"),
        ("x!=a", "x!=a"),
        ("x=", "x="),
        ("x", "x"),
        ("!x", "!x"),
        ("  x  =  a  ,  y  ", "x=a,y"),
        ("z=1,a=2", "a=2,z=1"),
        ("x in (b,a,b)", "x in (a,b)"),
        ("x in(a)", "x in (a)"),
        ("x notin ( c , a )", "x notin (a,c)"),
        ("x in (a,)", "x in (,a)"),
        ("x>1,y<-2", "x>1,y<-2"),
        (
            "!example.com/canary,example.com/app=web",
            "example.com/app=web,!example.com/canary",
        ),
        ("x=in", "x=in"),
        ("a.b-c_d=A.b-C_9", "a.b-c_d=A.b-C_9"),
    ];
    for (input, canonical) in cases {
        let sel = parse(input);
        assert_eq!(sel.to_string(), canonical, "input {input:?}");
        // The canonical string parses back to the same selector.
        assert_eq!(parse(canonical), sel, "reparse of {canonical:?}");
    }
}

#[test]
fn syntax_errors_name_the_problem() {
    let cases = [
        ("x=a,", "identifier after ','"),
        (",x=a", "expected: identifier"),
        ("x=a,,y=b", "identifier after ','"),
        ("x in a", "expected: '('"),
        ("x in (a", "expected: ',' or ')'"),
        ("x in (a b)", "expected: ',' or ')'"),
        ("x notin", "expected: '('"),
        ("x === a", "expected: value"),
        ("x=a=b", "expected: ',' or end of string"),
        ("!x=a", "expected: ',' or end of string"),
        ("!!x", "expected: identifier"),
        ("x y", "expected: '='"),
        ("x (a)", "expected: '='"),
        ("=a", "expected: identifier"),
    ];
    for (input, fragment) in cases {
        match Selector::parse(input) {
            Err(SelectorError::Syntax {
                message,
                input: got,
                ..
            }) => {
                assert!(
                    message.contains(fragment),
                    "{input:?}: message {message:?} lacks {fragment:?}"
                );
                assert_eq!(got, input);
            }
            other => panic!("{input:?}: expected a syntax error, got {other:?}"),
        }
    }
}

#[test]
fn syntax_error_position_points_at_the_token() {
    let err = Selector::parse("a=b, c d").unwrap_err();
    let SelectorError::Syntax { position, .. } = err else {
        panic!("{err:?}")
    };
    assert_eq!(position, 7);
    assert!(err.to_string().contains("\"a=b, c d\""), "{err}");
}

#[test]
fn keys_and_values_are_validated() {
    for key in [
        "-a",
        "a-",
        "a b",
        "/a",
        "Example.com/a",
        "example.com/",
        "a/b/c",
        &"k".repeat(64),
        "ex_ample.com/a",
    ] {
        let input = format!("{key}=v");
        match Selector::parse(&input) {
            Err(SelectorError::InvalidKey { key: got, .. }) => assert_eq!(got, key),
            // "a b" splits into two identifiers before validation.
            Err(SelectorError::Syntax { .. }) if key.contains(' ') => {}
            other => panic!("{input:?}: expected invalid key, got {other:?}"),
        }
    }
    let long_prefix = format!("{}.com/a", "p".repeat(250));
    assert!(matches!(
        Selector::parse(&format!("{long_prefix}=v")),
        Err(SelectorError::InvalidKey { .. })
    ));
    assert!(Selector::parse(&format!("{}=v", "k".repeat(63))).is_ok());

    for value in ["-v", "v-", "v@x", &"v".repeat(64)] {
        let input = format!("k={value}");
        match Selector::parse(&input) {
            Err(SelectorError::InvalidValue {
                key, value: got, ..
            }) => {
                assert_eq!(key, "k");
                assert_eq!(got, value);
            }
            other => panic!("{input:?}: expected invalid value, got {other:?}"),
        }
    }
    assert!(matches!(
        Selector::parse("k in (a, -b)"),
        Err(SelectorError::InvalidValue { .. })
    ));
    assert!(matches!(
        Selector::parse("k in ()"),
        Err(SelectorError::InvalidRequirement { .. })
    ));
    assert!(matches!(
        Selector::parse("k>a"),
        Err(SelectorError::InvalidRequirement { .. })
    ));
}

#[test]
fn matching_semantics() {
    let l = labels(&[("app", "web"), ("tier", "front"), ("n", "5"), ("empty", "")]);
    let yes = [
        "",
        "app=web",
        "app==web",
        "app!=db",
        "missing!=x",
        "app in (db,web)",
        "app notin (db)",
        "missing notin (x)",
        "app",
        "!missing",
        "empty=",
        "empty",
        "n>4",
        "n<6",
        "app=web,tier=front,!missing",
    ];
    let no = [
        "app=db",
        "app!=web",
        "missing=x",
        "missing in (x)",
        "app in (db)",
        "app notin (web,db)",
        "missing",
        "!app",
        "empty!=",
        "n>5",
        "n<5",
        "app>1",
        "missing>1",
        "app=web,tier=back",
    ];
    for s in yes {
        assert!(parse(s).matches(&l), "{s:?} should match {l:?}");
    }
    for s in no {
        assert!(!parse(s).matches(&l), "{s:?} should not match {l:?}");
    }
    assert!(Selector::everything().matches(&BTreeMap::new()));
    assert!(parse("!a").matches_opt(None));
    assert!(!parse("a").matches_opt(None));
}

#[test]
fn from_label_selector() {
    let ls = LabelSelector {
        match_labels: Some(labels(&[("app", "web")])),
        match_expressions: Some(vec![
            LabelSelectorRequirement {
                key: "tier".into(),
                operator: "In".into(),
                values: Some(vec!["b".into(), "a".into()]),
            },
            LabelSelectorRequirement {
                key: "canary".into(),
                operator: "DoesNotExist".into(),
                values: None,
            },
            LabelSelectorRequirement {
                key: "env".into(),
                operator: "NotIn".into(),
                values: Some(vec!["prod".into()]),
            },
            LabelSelectorRequirement {
                key: "team".into(),
                operator: "Exists".into(),
                values: Some(vec![]),
            },
        ]),
    };
    let sel = Selector::try_from(&ls).expect("valid");
    assert_eq!(
        sel.to_string(),
        "app=web,!canary,env notin (prod),team,tier in (a,b)"
    );
    assert!(sel.matches(&labels(&[("app", "web"), ("tier", "a"), ("team", "x")])));
    assert!(!sel.matches(&labels(&[("app", "web"), ("tier", "a")])));

    assert!(
        Selector::from_label_selector(&LabelSelector::default())
            .expect("empty")
            .is_everything()
    );

    let bad_op = LabelSelector {
        match_expressions: Some(vec![LabelSelectorRequirement {
            key: "a".into(),
            operator: "in".into(),
            values: Some(vec!["x".into()]),
        }]),
        ..Default::default()
    };
    let err = Selector::from_label_selector(&bad_op).unwrap_err();
    assert!(
        err.to_string()
            .contains("\"in\" is not a valid label selector operator"),
        "{err}"
    );

    let empty_in = LabelSelector {
        match_expressions: Some(vec![LabelSelectorRequirement {
            key: "a".into(),
            operator: "In".into(),
            values: None,
        }]),
        ..Default::default()
    };
    assert!(matches!(
        Selector::from_label_selector(&empty_in),
        Err(SelectorError::InvalidRequirement { .. })
    ));

    let exists_with_values = LabelSelector {
        match_expressions: Some(vec![LabelSelectorRequirement {
            key: "a".into(),
            operator: "Exists".into(),
            values: Some(vec!["x".into()]),
        }]),
        ..Default::default()
    };
    assert!(Selector::from_label_selector(&exists_with_values).is_err());

    let bad_label = LabelSelector {
        match_labels: Some(labels(&[("a", "not valid")])),
        ..Default::default()
    };
    assert!(matches!(
        Selector::from_label_selector(&bad_label),
        Err(SelectorError::InvalidValue { .. })
    ));
}

#[test]
fn builders_and_exact_match() {
    let sel = Selector::from_labels(&labels(&[("b", "2"), ("a", "1")]))
        .expect("valid")
        .and(Requirement::new("c", Operator::In, ["x"]).expect("valid"))
        .and(Requirement::new("aa", Operator::Exists, Vec::<String>::new()).expect("valid"));
    assert_eq!(sel.to_string(), "a=1,aa,b=2,c in (x)");
    assert_eq!(sel.exact_match("a"), Some("1"));
    assert_eq!(sel.exact_match("c"), Some("x"));
    assert_eq!(sel.exact_match("aa"), None);
    assert_eq!(sel.exact_match("zz"), None);
    assert!(Requirement::new("a", Operator::Equals, ["x", "y"]).is_err());
    assert!(Requirement::new("a", Operator::Exists, ["x"]).is_err());
    assert!(Requirement::new("a", Operator::GreaterThan, ["1"]).is_ok());
}

#[test]
fn field_selector_parse_and_print() {
    let fs: FieldSelector = "metadata.name=web, metadata.namespace!=kube-system,spec.x==1"
        .parse()
        .expect("valid");
    assert_eq!(fs.requirements().len(), 3);
    assert_eq!(
        fs.to_string(),
        "metadata.name=web,metadata.namespace!=kube-system,spec.x==1"
    );
    assert_eq!(fs.exact_match("metadata.name"), Some("web"));
    assert_eq!(fs.exact_match("metadata.namespace"), None);

    let escaped = FieldSelector::parse(r"spec.note=a\,b\=c\\d").expect("valid");
    assert_eq!(escaped.requirements()[0].value, r"a,b=c\d");
    assert_eq!(escaped.to_string(), r"spec.note=a\,b\=c\\d");
    assert_eq!(
        FieldSelector::parse(&escaped.to_string()).expect("reparse"),
        escaped
    );

    assert!(FieldSelector::parse("").expect("empty").is_everything());
    assert!(
        FieldSelector::parse("metadata.name=")
            .expect("empty value")
            .requirements()[0]
            .value
            .is_empty()
    );
    for bad in ["metadata.name", "=x", "a=b,", "a=b=c", r"a=b\q", "a=b\\"] {
        assert!(
            matches!(FieldSelector::parse(bad), Err(SelectorError::Syntax { .. })),
            "{bad:?} should be rejected"
        );
    }
}

#[test]
fn field_selector_matches_json() {
    let obj = json!({
        "metadata": {"name": "web", "namespace": "prod"},
        "spec": {"replicas": 3, "paused": false, "tags": ["a"]},
        "status": null
    });
    let m = |s: &str| FieldSelector::parse(s).expect("valid").matches_value(&obj);
    assert!(m(""));
    assert!(m("metadata.name=web"));
    assert!(m("metadata.name==web,metadata.namespace!=kube-system"));
    assert!(!m("metadata.name=db"));
    assert!(!m("metadata.name=web,metadata.namespace=dev"));
    assert!(m("spec.replicas=3"));
    assert!(m("spec.paused=false"));
    assert!(m("status.phase="));
    assert!(m("status.phase!=Done"));
    assert!(m("missing.deeply.nested="));
    assert!(!m("spec.tags=a"));
    assert!(!m("spec="));

    let fs = FieldSelector::everything()
        .and_equals("metadata.name", "web")
        .and_not_equals("x", "y");
    assert_eq!(fs.to_string(), "metadata.name=web,x!=y");
    assert!(fs.matches_with(|f| (f == "metadata.name").then_some("web")));
    assert!(!fs.matches_with(|f| Some(if f == "x" { "y" } else { "web" })));
}
