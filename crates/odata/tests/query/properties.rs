//! Properties: no input panics the parser or binder, and printed trees parse back unchanged.

use proptest::prelude::*;
use tally_odata::query::{
    parse_filter, CompareOp, Expr, ExprKind, Ident, LambdaBody, LambdaKind, Literal, Path,
    QueryError, Span,
};
use tally_odata::DateTimeOffset;

use crate::support::{filter, orderby, select, sexpr};

/// An error's position lies within the text or just past its end.
fn position_in_range(source: &str, result: Result<impl Sized, QueryError>) {
    if let Err(error) = result {
        let length = source.chars().count();
        assert!(
            (1..=length + 1).contains(&error.position),
            "{source:?}: {error}"
        );
    }
}

fn check_everything(source: &str) {
    position_in_range(source, parse_filter(source));
    position_in_range(source, filter(source));
    position_in_range(source, orderby(source));
    position_in_range(source, select(source));
}

/// Fragments that reach deep into the grammar when glued together at random.
const FRAGMENTS: &[&str] = &[
    "id",
    "snapshotDateTime",
    "licenseInfoDetails",
    "d",
    "d/licenseType",
    "d/totalUsageCount",
    "/",
    "/$count",
    "/any(",
    "/all(",
    "any",
    "d:",
    ":",
    "(",
    ")",
    ",",
    " ",
    "eq",
    "ne",
    "gt",
    "le",
    "in",
    "and",
    "or",
    "not",
    "null",
    "true",
    "'premiumP2'",
    "'it''s'",
    "'",
    "5",
    "-7",
    "2020-01-01T00:00:00Z",
    "2020-01-01T00:00:00.123456789Z",
    "microsoft.graph.azureADLicenseType'free'",
    "*",
    "asc",
    "desc",
    "$",
    "é",
    "9223372036854775808",
    "==",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_text_never_panics(source in any::<String>()) {
        check_everything(&source);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        check_everything(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn glued_fragments_never_panic(
        parts in proptest::collection::vec(proptest::sample::select(FRAGMENTS), 0..40),
        spaced in any::<bool>(),
    ) {
        let source = parts.join(if spaced { " " } else { "" });
        check_everything(&source);
    }

    #[test]
    fn printed_trees_parse_back_to_the_same_tree(expr in expr_strategy()) {
        let mut expr = expr;
        name_lambda_variables(&mut expr, 0);
        let printed = expr.to_string();
        let reparsed = parse_filter(&printed)
            .unwrap_or_else(|e| panic!("{printed:?} does not parse: {e}"));
        prop_assert_eq!(sexpr(&reparsed), sexpr(&expr), "printed as {:?}", printed);
        prop_assert_eq!(reparsed.to_string(), printed);
    }

    #[test]
    fn bound_filters_print_and_bind_back_unchanged(source in bindable_strategy()) {
        if let Ok(bound) = filter(&source) {
            let printed = bound.to_string();
            let rebound = filter(&printed)
                .unwrap_or_else(|e| panic!("{printed:?} (from {source:?}) does not bind: {e}"));
            prop_assert_eq!(rebound, bound);
        }
    }
}

/// Gives nested lambdas distinct variable names, as the parser requires.
fn name_lambda_variables(expr: &mut Expr, depth: usize) {
    match &mut expr.kind {
        ExprKind::Lambda {
            body: Some(body), ..
        } => {
            body.variable.name = format!("v{depth}");
            name_lambda_variables(&mut body.predicate, depth + 1);
        }
        ExprKind::Compare { left, right, .. } => {
            name_lambda_variables(left, depth);
            name_lambda_variables(right, depth);
        }
        ExprKind::And(items) | ExprKind::Or(items) => {
            items
                .iter_mut()
                .for_each(|item| name_lambda_variables(item, depth));
        }
        ExprKind::Not(operand) => name_lambda_variables(operand, depth),
        ExprKind::In { value, list } => {
            name_lambda_variables(value, depth);
            list.iter_mut()
                .for_each(|item| name_lambda_variables(item, depth));
        }
        _ => {}
    }
}

fn node(kind: ExprKind) -> Expr {
    Expr::new(kind, Span::default())
}

fn ident(name: &str) -> Ident {
    Ident {
        name: name.to_owned(),
        span: Span::default(),
    }
}

fn path_strategy() -> impl Strategy<Value = Path> {
    let segment =
        proptest::sample::select(&["id", "a", "licenseInfoDetails", "d", "any", "x_1"][..]);
    proptest::collection::vec(segment, 1..4).prop_map(|names| Path {
        segments: names.into_iter().map(ident).collect(),
        span: Span::default(),
    })
}

fn literal_strategy() -> impl Strategy<Value = Literal> {
    const DATES: [&str; 4] = [
        "2020-01-01T00:00:00Z",
        "2016-12-31T23:56:55.0631898+03:00",
        "0001-01-01T00:00Z",
        "9999-12-31T23:59:59.9999999Z",
    ];
    prop_oneof![
        Just(Literal::Null),
        any::<bool>().prop_map(Literal::Bool),
        any::<i64>().prop_map(Literal::Int),
        any::<String>().prop_map(Literal::String),
        proptest::sample::select(&DATES[..]).prop_map(|text| Literal::DateTimeOffset(
            DateTimeOffset::parse(text).expect("a valid literal")
        )),
        ("[a-z]{1,5}(\\.[a-z]{1,5}){1,2}", any::<String>())
            .prop_map(|(type_name, member)| Literal::Enum { type_name, member }),
    ]
}

fn expr_strategy() -> impl Strategy<Value = Expr> {
    let leaf = prop_oneof![
        literal_strategy().prop_map(|l| node(ExprKind::Literal(l))),
        path_strategy().prop_map(|p| node(ExprKind::Path(p))),
        path_strategy().prop_map(|p| node(ExprKind::Count(p))),
        path_strategy().prop_map(|collection| node(ExprKind::Lambda {
            kind: LambdaKind::Any,
            collection,
            body: None,
        })),
    ];
    leaf.prop_recursive(5, 48, 4, |inner| {
        let op = proptest::sample::select(&CompareOp::ALL[..]);
        let boxed = inner.clone().prop_map(Box::new);
        prop_oneof![
            (op, boxed.clone(), boxed.clone())
                .prop_map(|(op, left, right)| node(ExprKind::Compare { op, left, right })),
            (
                boxed.clone(),
                proptest::collection::vec(inner.clone(), 1..4)
            )
                .prop_map(|(value, list)| node(ExprKind::In { value, list })),
            proptest::collection::vec(inner.clone(), 2..4).prop_map(|v| node(ExprKind::And(v))),
            proptest::collection::vec(inner.clone(), 2..4).prop_map(|v| node(ExprKind::Or(v))),
            boxed.clone().prop_map(|e| node(ExprKind::Not(e))),
            (path_strategy(), any::<bool>(), boxed).prop_map(|(collection, any, predicate)| {
                node(ExprKind::Lambda {
                    kind: if any {
                        LambdaKind::Any
                    } else {
                        LambdaKind::All
                    },
                    collection,
                    body: Some(LambdaBody {
                        variable: ident("v"),
                        predicate,
                    }),
                })
            }),
        ]
    })
}

/// Text built from pieces of tally's schema, so that a good share of it binds.
fn bindable_strategy() -> impl Strategy<Value = String> {
    let operand = proptest::sample::select(
        &[
            "id",
            "'abc'",
            "'it''s'",
            "null",
            "snapshotDateTime",
            "2020-01-01T00:00:00+02:00",
            "licenseInfoDetails/$count",
            "-3",
            "7",
        ][..],
    );
    let detail = proptest::sample::select(
        &[
            "d/licenseType",
            "'premiumP2'",
            "microsoft.graph.azureADLicenseType'free'",
            "d/totalUsageCount",
            "d/totalLicenseCount",
            "null",
            "12",
        ][..],
    );
    let op = proptest::sample::select(&["eq", "ne", "gt", "ge", "lt", "le"][..]);
    let root = (operand.clone(), op.clone(), operand).prop_map(|(l, o, r)| format!("{l} {o} {r}"));
    let inner = (detail.clone(), op, detail).prop_map(|(l, o, r)| format!("{l} {o} {r}"));
    let lambda = (any::<bool>(), inner).prop_map(|(any, body)| {
        format!(
            "licenseInfoDetails/{}(d: {body})",
            if any { "any" } else { "all" }
        )
    });
    let atom = prop_oneof![root, lambda, Just("licenseInfoDetails/any()".to_owned())];
    atom.prop_recursive(3, 12, 2, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(l, r)| format!("({l}) and ({r})")),
            (inner.clone(), inner.clone()).prop_map(|(l, r)| format!("{l} or {r}")),
            inner.prop_map(|e| format!("not ({e})")),
        ]
    })
}
