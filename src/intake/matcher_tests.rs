//! The matcher syntax, table-driven, including the cases of Alertmanager's
//! own parser tests (matcher/parse/parse_test.go, lexer_test.go).

use super::*;
use std::collections::BTreeMap;

fn m(name: &str, op: Op, value: &str) -> Matcher {
    Matcher::new(name, op, value).unwrap()
}

#[test]
fn accepted_inputs_parse_as_alertmanager_parses_them() {
    use Op::*;
    let cases: Vec<(&str, Vec<Matcher>)> = vec![
        ("", vec![]),
        ("{}", vec![]),
        ("  { }  ", vec![]),
        ("{foo=bar}", vec![m("foo", Eq, "bar")]),
        ("{foo=bar,}", vec![m("foo", Eq, "bar")]),
        ("{foo!=bar}", vec![m("foo", Ne, "bar")]),
        ("{foo=~[a-z]+}", vec![m("foo", Re, "[a-z]+")]),
        ("{foo!~[a-z]+}", vec![m("foo", NotRe, "[a-z]+")]),
        ("{foo=🙂}", vec![m("foo", Eq, "🙂")]),
        ("{foo=🙂bar}", vec![m("foo", Eq, "🙂bar")]),
        ("foo=bar", vec![m("foo", Eq, "bar")]),
        ("foo=bar,", vec![m("foo", Eq, "bar")]),
        ("foo!=bar", vec![m("foo", Ne, "bar")]),
        ("foo=~[a-z]+", vec![m("foo", Re, "[a-z]+")]),
        ("foo!~[a-z]+", vec![m("foo", NotRe, "[a-z]+")]),
        (r#"{"foo"="bar"}"#, vec![m("foo", Eq, "bar")]),
        (r#"{"foo"="bar",}"#, vec![m("foo", Eq, "bar")]),
        (r#"{"foo"!="bar"}"#, vec![m("foo", Ne, "bar")]),
        (r#"{"foo"=~"[a-z]+"}"#, vec![m("foo", Re, "[a-z]+")]),
        (r#"{"foo"!~"[a-z]+"}"#, vec![m("foo", NotRe, "[a-z]+")]),
        (r#"{"foo"="🙂"}"#, vec![m("foo", Eq, "🙂")]),
        (r#"{"foo"="\xf0\x9f\x99\x82"}"#, vec![m("foo", Eq, "🙂")]),
        (r#"{"foo"="\U0001f642"}"#, vec![m("foo", Eq, "🙂")]),
        (r#"{"foo"="\u2603"}"#, vec![m("foo", Eq, "☃")]),
        (r#"{"foo"="\101"}"#, vec![m("foo", Eq, "A")]),
        (r#"{"foo"="bar\n"}"#, vec![m("foo", Eq, "bar\n")]),
        (r#"{"foo"="bar\t"}"#, vec![m("foo", Eq, "bar\t")]),
        (r#"{"foo"="\"bar\""}"#, vec![m("foo", Eq, "\"bar\"")]),
        (r#"{"foo"="bar\\"}"#, vec![m("foo", Eq, "bar\\")]),
        (r#""foo"="bar""#, vec![m("foo", Eq, "bar")]),
        (r#""foo"="bar","#, vec![m("foo", Eq, "bar")]),
        (
            "{foo=bar,bar!=baz}",
            vec![m("foo", Eq, "bar"), m("bar", Ne, "baz")],
        ),
        (
            r#"{foo="bar",bar!="baz"}"#,
            vec![m("foo", Eq, "bar"), m("bar", Ne, "baz")],
        ),
        (
            "foo=bar,bar!=baz",
            vec![m("foo", Eq, "bar"), m("bar", Ne, "baz")],
        ),
        // sev's everyday forms.
        (r#"service="checkout""#, vec![m("service", Eq, "checkout")]),
        (
            r#"{a="1", b=~"x|y"}"#,
            vec![m("a", Eq, "1"), m("b", Re, "x|y")],
        ),
        (
            "\n a = 1 ,\n b =~ x|y \n",
            vec![m("a", Eq, "1"), m("b", Re, "x|y")],
        ),
        (r#"team="""#, vec![m("team", Eq, "")]),
        (r#"x="a, b""#, vec![m("x", Eq, "a, b")]),
        (r#"x="{}=!~""#, vec![m("x", Eq, "{}=!~")]),
        (r#""a label"="v""#, vec![m("a label", Eq, "v")]),
        ("hello:world=$", vec![m("hello:world", Eq, "$")]),
        (r#"status=~"5..""#, vec![m("status", Re, "5..")]),
        (r#"x=~"\\d+""#, vec![m("x", Re, r"\d+")]),
    ];
    for (input, want) in cases {
        let got = parse_matchers(input).unwrap_or_else(|e| panic!("{input:?}: {e}"));
        assert_eq!(got, want, "{input:?}");
    }
}

#[test]
fn refused_inputs_say_where_and_why() {
    let cases = [
        (",", "column 1: expected a label name"),
        ("{,}", "column 2: expected a label name"),
        ("{", "column 2: missing the closing }"),
        ("}", "column 1: } without an opening {"),
        ("foo=bar}", "column 8: } without an opening {"),
        ("{foo=bar", "column 9: missing the closing }"),
        (r#"{foo=:"bar"}"#, "column 7: expected a comma or }"),
        (r#"{foo="bar\w"}"#, "column 6: unknown escape \\w"),
        (r"{foo=bar\n}", "column 9: unexpected '\\\\'"),
        (
            r#"{"foo"="\xf0\x9f"}"#,
            "column 8: the escapes do not spell valid UTF-8",
        ),
        ("!", "column 1: '!' must be followed by = or ~"),
        ("~", "column 1: unexpected '~'"),
        ("=!", "column 2: '!' must be followed by = or ~"),
        ("hello!", "column 6: '!' must be followed by = or ~"),
        (r#""hello"#, "column 1: the quoted text has no closing \""),
        (r#""hello\""#, "column 1: the quoted text has no closing \""),
        ("foo", "column 4: expected an operator"),
        ("foo=", "column 5: expected a value after \"foo\"="),
        ("foo=bar baz=1", "column 9: expected a comma or }"),
        ("foo=bar,,", "column 9: expected a label name"),
        (
            "{a=1}{b=2}",
            "column 6: unexpected text after the closing }",
        ),
        (r#"""="x""#, "column 1: the label name is empty"),
        ("x=\"a\nb\"", "column 3: a line break inside quotes"),
        (r#"x="\u12""#, "column 3: bad escape \\u: expected 4 digits"),
        (r#"x="\ud800""#, "not a Unicode character"),
        (r#"x="\400""#, "over \\377"),
        (r#"x=~"(""#, "column 1: bad regex \"(\""),
        ("'a'=b", "column 1: unexpected '\\''"),
    ];
    for (input, want) in cases {
        let e = parse_matchers(input).expect_err(input);
        assert!(e.contains(want), "{input:?}: got {e:?}, want {want:?}");
    }
}

#[test]
fn a_huge_regex_is_refused_not_built() {
    let e = parse_matchers(r#"x=~"(((a{100}){100}){100})""#).unwrap_err();
    assert!(e.contains("too large"), "{e}");
}

#[test]
fn regexes_are_anchored_and_absent_labels_are_empty() {
    let labels: BTreeMap<String, String> = [("job", "webserver"), ("env", "prod")]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let get = |n: &str| labels.get(n).map(String::as_str);
    let yes = |t: &str| parse_matchers(t).unwrap()[0].matches(get);
    assert!(!yes(r#"job=~"web""#), "a regex matches the whole value");
    assert!(yes(r#"job=~"web.*""#));
    assert!(
        yes(r#"job=~"db|webserver""#),
        "alternation inside the anchors"
    );
    assert!(!yes(r#"job!~"web.*""#));
    assert!(yes(r#"job!~"web""#));
    assert!(yes(r#"team="""#), "an absent label is the empty string");
    assert!(yes(r#"team!="db""#));
    assert!(yes(r#"team=~".*""#));
    assert!(!yes(r#"team=~".+""#));
    assert!(yes(r#"team!~".+""#));
    assert!(yes("env=prod"));
    assert!(!yes("env=Prod"), "case matters");
    assert!(yes(r#"env=~"(?i)PROD""#));
    assert!(!yes(r#"env!=prod"#));
}

#[test]
fn display_reads_back_as_the_same_matcher() {
    for text in [
        r#"service="checkout""#,
        r#"a!="x\"y\\z""#,
        r#"b=~"x|y""#,
        r#""odd name"!~"\n\t\u202e\u0000""#,
        r#"e="""#,
        r#"u="🙂""#,
    ] {
        let ms = parse_matchers(text).unwrap();
        let shown = ms[0].to_string();
        assert_eq!(
            parse_matchers(&shown).unwrap(),
            ms,
            "{text} shown as {shown}"
        );
        assert!(
            !shown.contains('\u{202e}') && !shown.contains('\0'),
            "{shown}"
        );
    }
}
