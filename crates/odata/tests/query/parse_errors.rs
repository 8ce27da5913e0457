//! Malformed `$filter` text: each error's 1-based character position and message.

use tally_odata::query::{
    parse_filter, ErrorKind, MAX_LAMBDA_DEPTH, MAX_NESTING_DEPTH, MAX_QUERY_LENGTH,
};

use crate::support::assert_error;

#[test]
fn malformed_filters_fail_at_the_right_position() {
    let unclosed_lambda = "licenseInfoDetails/any(d: d/licenseType eq 'free'";
    let cases: &[(&str, usize, &str)] = &[
        ("", 1, "the expression is empty"),
        ("   ", 1, "the expression is empty"),
        ("id eq 'abc", 7, "unterminated string literal"),
        (
            "id eq 'it's'",
            11,
            "a quote inside a string is written twice",
        ),
        ("id eq 'it''s''", 7, "unterminated string literal"),
        (
            "(id eq 'a'",
            11,
            "missing ')' to close the '(' at position 1",
        ),
        (
            "((id eq 'a')",
            13,
            "missing ')' to close the '(' at position 1",
        ),
        ("id eq 'a')", 10, "unexpected ')' without a matching '('"),
        (
            "id eq 'a' 'b'",
            11,
            "expected an operator after the string 'a', found the string 'b'",
        ),
        (
            "snapshotDateTime 2020-01-01T00:00:00Z",
            18,
            "expected an operator after 'snapshotDateTime', found '2020-01-01T00:00:00Z'",
        ),
        ("a eq 1 ,", 8, "expected an operator after '1', found ','"),
        (
            "id equals 'a'",
            4,
            "unknown operator 'equals': expected one of eq, ne",
        ),
        (
            "id EQ 'a'",
            4,
            "unknown operator 'EQ': operators are lower case, as in 'eq'",
        ),
        ("id eq 'a' AND id eq 'b'", 11, "as in 'and'"),
        (
            "id eq 'a' not id eq 'b'",
            11,
            "'not' goes before its operand",
        ),
        ("id == 'a'", 4, "'==' is not an OData operator: use 'eq'"),
        ("id != 'a'", 4, "use 'ne'"),
        ("n >= 1", 3, "use 'ge'"),
        ("a eq 1 && b eq 2", 8, "use 'and'"),
        ("id eq \"a\"", 7, "single quotes"),
        (
            "id eq",
            6,
            "expected an expression after 'eq', found the end of the expression",
        ),
        ("id eq 'a' and", 14, "expected an expression after 'and'"),
        (
            "and id eq 'a'",
            1,
            "expected a property name or a value, found 'and'",
        ),
        ("id eq eq", 7, "found 'eq'"),
        ("not", 4, "expected an expression after 'not'"),
        ("()", 2, "expected an expression after '(', found ')'"),
        ("a eq 1 eq 2", 8, "comparisons cannot be chained"),
        ("a eq 1 in (1)", 8, "comparisons cannot be chained"),
        ("a in 1", 6, "expected '(' after 'in'"),
        ("a in ()", 7, "the list after 'in' is empty"),
        (
            "a in (1, 2",
            11,
            "missing ')' to close the '(' at position 6",
        ),
        (
            "a in (1 2)",
            9,
            "expected an operator, ',' or ')' after '1', found '2'",
        ),
        ("a in (1,)", 9, "expected an expression after ','"),
        (
            "snapshotDateTime gt 2016-12-31T23:56:55.06318981Z",
            21,
            "at most 7 fractional digits",
        ),
        (
            "snapshotDateTime gt 2017-02-29T00:00:00Z",
            21,
            "the day does not exist",
        ),
        (
            "snapshotDateTime gt 2017-01-01",
            21,
            "invalid DateTimeOffset literal '2017-01-01'",
        ),
        (
            "snapshotDateTime gt 2017-01-01T00:00:00",
            21,
            "expected 'Z' or an offset",
        ),
        ("n gt 9223372036854775808", 6, "out of range"),
        ("n gt -9223372036854775809", 6, "out of range"),
        (
            "n gt 1.5",
            6,
            "decimal and floating-point literals are not supported",
        ),
        ("n gt 12abc", 6, "invalid number '12abc'"),
        ("n gt - 1", 6, "arithmetic is not supported"),
        ("a.b eq 1", 1, "unexpected qualified name 'a.b'"),
        (
            "x eq duration'P1D'",
            14,
            "unexpected quote after 'duration'",
        ),
        ("x eq 'é' é", 10, "unexpected character 'é'"),
        ("x eq 1 # 2", 8, "unexpected character '#'"),
        ("$", 1, "expected a name after '$'"),
        ("$it eq 1", 1, "'$it' is not supported"),
        ("$count eq 1", 1, "'$count' must follow a collection"),
        (
            "licenseInfoDetails/$count/x eq 1",
            26,
            "'$count' must be the last segment",
        ),
        (
            "a/ eq 1",
            4,
            "expected a property name or a value after '/', found 'eq'",
        ),
        ("a/'x' eq 1", 3, "expected a property name after '/'"),
        ("any(d: true)", 1, "'any' must follow a collection"),
        ("a/b (1)", 5, "function calls such as 'a/b(…)'"),
        (
            "licenseInfoDetails/any(d d/x eq 1)",
            26,
            "expected ':' after the lambda variable 'd'",
        ),
        (
            "licenseInfoDetails/any(: true)",
            24,
            "expected a lambda variable name",
        ),
        (
            "licenseInfoDetails/any(eq: true)",
            24,
            "expected a lambda variable name",
        ),
        ("licenseInfoDetails/all()", 24, "'all' needs a condition"),
        (
            "licenseInfoDetails/any(d: )",
            27,
            "expected an expression after ':'",
        ),
        (
            "licenseInfoDetails/any(d: true",
            31,
            "missing ')' to close the '(' at position 23",
        ),
        (unclosed_lambda, 50, "missing ')'"),
        (
            "a/any(d: d/b/any(d: d eq 1))",
            18,
            "the lambda variable 'd' is already used",
        ),
        (
            "licenseInfoDetails/any(d: true)/x",
            32,
            "nothing can follow any(…)",
        ),
        (
            "licenseInfoDetails/any(d: true true)",
            32,
            "expected an operator or ')'",
        ),
    ];
    for &(input, position, fragment) in cases {
        let result = parse_filter(input);
        if let Err(error) = &result {
            assert_eq!(error.kind, ErrorKind::Syntax, "{input:?}: {error}");
        }
        assert_error(input, result, position, fragment);
    }
}

#[test]
fn the_display_names_the_option_and_the_position() {
    let error = parse_filter("snapshotDateTime 2020-01-01T00:00:00Z").unwrap_err();
    assert_eq!(
        error.to_string(),
        "Syntax error at position 18 in '$filter': expected an operator after \
         'snapshotDateTime', found '2020-01-01T00:00:00Z'"
    );
}

#[test]
fn long_text_is_refused_before_parsing() {
    let ok = format!("id eq '{}'", "x".repeat(MAX_QUERY_LENGTH - 8));
    assert_eq!(ok.chars().count(), MAX_QUERY_LENGTH);
    assert!(parse_filter(&ok).is_ok());
    let long = format!("id eq '{}'", "x".repeat(MAX_QUERY_LENGTH - 7));
    assert_error(
        &long,
        parse_filter(&long),
        MAX_QUERY_LENGTH + 1,
        "longer than 4096 characters",
    );
    let wide = "é".repeat(MAX_QUERY_LENGTH + 1);
    assert_error(
        "é…",
        parse_filter(&wide),
        MAX_QUERY_LENGTH + 1,
        "longer than",
    );
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    let at_limit = format!(
        "{}true{}",
        "(".repeat(MAX_NESTING_DEPTH),
        ")".repeat(MAX_NESTING_DEPTH)
    );
    assert!(parse_filter(&at_limit).is_ok());
    let deep = format!("{}true{}", "(".repeat(1000), ")".repeat(1000));
    assert_error(
        "((…",
        parse_filter(&deep),
        MAX_NESTING_DEPTH + 1,
        "nests more than 64 levels",
    );
    let nots = format!("{}true", "not ".repeat(1000));
    assert_error(
        "not…",
        parse_filter(&nots),
        4 * MAX_NESTING_DEPTH + 1,
        "nests more than",
    );
    let lists = format!("{}1{}", "a in (".repeat(100), ")".repeat(100));
    assert!(parse_filter(&lists).is_err());
    let lambdas: String = (0..100).map(|i| format!("a/any(v{i}: ")).collect();
    let lambdas = format!("{lambdas}true{}", ")".repeat(100));
    let fails_at: usize = (0..MAX_LAMBDA_DEPTH)
        .map(|i| format!("a/any(v{i}: ").len())
        .sum::<usize>()
        + "a/any(".len();
    assert_error(
        "a/any…",
        parse_filter(&lambdas),
        fails_at + 1,
        "lambdas nest more than 16 levels deep",
    );
}

/// The deepest inputs the limits allow, parsed, bound, printed and dropped on a 1 MiB stack,
/// half of a default thread's. This runs in a debug build, whose frames are several times the
/// size of a release build's (the worst input, 16 lambdas around 48 parentheses, needs about
/// 768 KiB in debug and under 256 KiB in release).
#[test]
fn the_deepest_allowed_inputs_fit_in_a_small_stack() {
    let depth = MAX_NESTING_DEPTH;
    let lambdas: String = (0..MAX_LAMBDA_DEPTH)
        .map(|i| format!("a/any(v{i}: "))
        .collect();
    let parens = depth - MAX_LAMBDA_DEPTH;
    let inputs = [
        format!("{}true{}", "(".repeat(depth), ")".repeat(depth)),
        format!("{}true", "not ".repeat(depth)),
        format!("{}true{}", "(not ".repeat(depth / 2), ")".repeat(depth / 2)),
        format!("{lambdas}{}true{}", "(".repeat(parens), ")".repeat(depth)),
        format!("{}1{}", "a in (".repeat(depth), ")".repeat(depth)),
        format!("{}true", "true or ".repeat(MAX_QUERY_LENGTH / 8 - 1)),
        format!(
            "{}id eq 'a'",
            "id eq 'a' and ".repeat(MAX_QUERY_LENGTH / 14 - 1)
        ),
    ];
    let worker = std::thread::Builder::new()
        .stack_size(1024 * 1024)
        .spawn(move || {
            for input in &inputs {
                assert!(input.chars().count() <= MAX_QUERY_LENGTH);
                let parsed = parse_filter(input);
                assert!(parsed.is_ok(), "{input}: {parsed:?}");
                let bound = crate::support::filter(input);
                let printed = format!("{parsed:?}{bound:?}");
                assert!(!printed.is_empty());
                if let (Ok(parsed), Ok(bound)) = (parsed, bound) {
                    assert!(!parsed.to_string().is_empty() && !bound.to_string().is_empty());
                }
            }
        })
        .unwrap();
    worker.join().unwrap();
}

#[test]
fn in_lists_are_limited_and_strings_hold_no_nul() {
    let limit = tally_odata::query::DEFAULT_MAX_IN_LIST;
    assert_eq!(
        tally_odata::query::FilterOptions::default().max_in_list(),
        limit
    );
    let list = |n: usize| vec!["'a'"; n].join(",");
    assert!(parse_filter(&format!("id in ({})", list(limit))).is_ok());
    let too_long = format!("id in ({})", list(limit + 1));
    let error = parse_filter(&too_long).unwrap_err();
    // At the value past the limit: "id in (" and `limit` values of 4 characters.
    assert_eq!(error.position, 8 + 4 * limit);
    assert!(error.message.contains("more than 100 values"), "{error}");
    let error = parse_filter("id eq 'a\u{0}b'").unwrap_err();
    assert_eq!(error.position, 9);
    assert!(error.message.contains("NUL"), "{error}");
}

#[test]
fn the_in_list_limit_is_the_callers_own() {
    use tally_odata::query::{parse_filter_with, FilterOptions};
    let three = FilterOptions::with_max_in_list(3);
    assert!(parse_filter_with("id in ('a','b','c')", three).is_ok());
    let error = parse_filter_with("id in ('a','b','c','d')", three).unwrap_err();
    assert_eq!(error.position, 8 + 4 * 3);
    assert!(error.message.contains("more than 3 values"), "{error}");
    // Another caller's limit changes nothing for this one; a limit is at least 1.
    assert!(parse_filter("id in ('a','b','c','d')").is_ok());
    assert_eq!(FilterOptions::with_max_in_list(0).max_in_list(), 1);
}
