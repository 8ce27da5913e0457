//! Well-formed `$filter` text and the trees it parses to.

use tally_odata::query::{parse_filter, ExprKind, Span};

use crate::support::sexpr;

#[test]
fn well_formed_filters_parse_to_the_expected_trees() {
    let cases = [
        ("id eq 'abc'", "(eq id 'abc')"),
        ("  id   eq  'a'  ", "(eq id 'a')"),
        ("'a' eq id", "(eq 'a' id)"),
        ("name eq 'it''s'", "(eq name 'it''s')"),
        ("id eq ''", "(eq id '')"),
        ("id eq 'héllo ✓'", "(eq id 'héllo ✓')"),
        ("id ne null", "(ne id null)"),
        ("n eq -5", "(eq n -5)"),
        ("n eq 9223372036854775807", "(eq n 9223372036854775807)"),
        ("n eq -9223372036854775808", "(eq n -9223372036854775808)"),
        (
            "snapshotDateTime gt 2020-01-01T00:00:00Z",
            "(gt snapshotDateTime 2020-01-01T00:00:00Z)",
        ),
        (
            "snapshotDateTime le 2016-12-31T23:56:55.0631898+03:00",
            "(le snapshotDateTime 2016-12-31T23:56:55.0631898+03:00)",
        ),
        (
            "2020-01-01T00:00Z lt snapshotDateTime",
            "(lt 2020-01-01T00:00Z snapshotDateTime)",
        ),
        ("a ge 1 and b le 2", "(and (ge a 1) (le b 2))"),
        (
            "a eq 1 and b eq 2 or c eq 3",
            "(or (and (eq a 1) (eq b 2)) (eq c 3))",
        ),
        (
            "a eq 1 or b eq 2 and c eq 3",
            "(or (eq a 1) (and (eq b 2) (eq c 3)))",
        ),
        (
            "(a eq 1 or b eq 2) and c eq 3",
            "(and (or (eq a 1) (eq b 2)) (eq c 3))",
        ),
        (
            "a eq 1 and (b eq 2 and c eq 3)",
            "(and (eq a 1) (and (eq b 2) (eq c 3)))",
        ),
        ("a eq 1 and b eq 2 and c eq 3", "(and (eq a 1) (eq b 2) (eq c 3))"),
        ("(a eq 1 and b eq 2) and c eq 3", "(and (and (eq a 1) (eq b 2)) (eq c 3))"),
        ("a or b or c and d or e", "(or a b (and c d) e)"),
        ("not(id eq 'a')", "(not (eq id 'a'))"),
        ("not a eq b", "(eq (not a) b)"),
        ("not (a eq b)", "(not (eq a b))"),
        ("not not true", "(not (not true))"),
        ("((((id eq 'a'))))", "(eq id 'a')"),
        ("true", "true"),
        ("false or true", "(or false true)"),
        ("a in (1, 2, 3)", "(in a [1 2 3])"),
        ("id in ('x')", "(in id ['x'])"),
        ("not a in (1)", "(in (not a) [1])"),
        (
            "id in ('a','b') and not (id eq 'c')",
            "(and (in id ['a' 'b']) (not (eq id 'c')))",
        ),
        ("a/b/c eq 1", "(eq a/b/c 1)"),
        ("any eq 1", "(eq any 1)"),
        (
            "licenseInfoDetails/any(d: d/licenseType eq 'premiumP2' and d/totalUsageCount gt 10)",
            "(any licenseInfoDetails d (and (eq d/licenseType 'premiumP2') (gt d/totalUsageCount 10)))",
        ),
        (
            "licenseInfoDetails/all(x:x/totalUsageCount ge 0)",
            "(all licenseInfoDetails x (ge x/totalUsageCount 0))",
        ),
        ("licenseInfoDetails/any()", "(any licenseInfoDetails)"),
        ("licenseInfoDetails/any( )", "(any licenseInfoDetails)"),
        (
            "licenseInfoDetails/$count gt 1",
            "(gt (count licenseInfoDetails) 1)",
        ),
        (
            "d/licenseType eq microsoft.graph.azureADLicenseType'premiumP2'",
            "(eq d/licenseType microsoft.graph.azureADLicenseType'premiumP2')",
        ),
        (
            "a/any(x: x/b/any(y: y/c eq x/d))",
            "(any a x (any x/b y (eq y/c x/d)))",
        ),
        ("a/any(x: true) or a/any(x: false)", "(or (any a x true) (any a x false))"),
    ];
    for (input, expected) in cases {
        let expr = parse_filter(input).unwrap_or_else(|e| panic!("{input:?}: {e}"));
        assert_eq!(sexpr(&expr), expected, "{input:?}");
        let printed = expr.to_string();
        let reparsed = parse_filter(&printed).unwrap_or_else(|e| panic!("{printed:?}: {e}"));
        assert_eq!(sexpr(&reparsed), expected, "reprinted as {printed:?}");
    }
}

#[test]
fn printing_uses_only_the_parentheses_the_shape_needs() {
    for (input, printed) in [
        ("((a eq 1) and (b eq 2))", "a eq 1 and b eq 2"),
        ("(a and b) and (c and d)", "(a and b) and (c and d)"),
        ("(a or b) and (c or d) or e", "(a or b) and (c or d) or e"),
        (
            "a eq 1 and (b eq 2 or c eq 3)",
            "a eq 1 and (b eq 2 or c eq 3)",
        ),
        ("not (a eq 1)", "not (a eq 1)"),
        ("a  in ( 1 ,2 )", "a in (1, 2)"),
        ("l/any(d:d/x eq 'it''s')", "l/any(d: d/x eq 'it''s')"),
        ("l/$count gt 0", "l/$count gt 0"),
    ] {
        assert_eq!(
            parse_filter(input).unwrap().to_string(),
            printed,
            "{input:?}"
        );
    }
}

#[test]
fn spans_are_byte_ranges_of_the_source() {
    let source = "id eq 'é' and licenseInfoDetails/$count gt 1";
    let expr = parse_filter(source).unwrap();
    let ExprKind::And(items) = &expr.kind else {
        panic!("expected and: {expr:?}")
    };
    let [left, right] = &items[..] else {
        panic!("expected two operands: {items:?}")
    };
    assert_eq!(left.span, Span::new(0, 10));
    assert_eq!(&source[left.span.start..left.span.end], "id eq 'é'");
    assert_eq!(
        &source[right.span.start..right.span.end],
        "licenseInfoDetails/$count gt 1"
    );
    assert_eq!(expr.span, Span::new(0, source.len()));
}
