//! `$orderby` and `$select`: parsing, binding, and their errors.

use tally_odata::query::{parse_orderby, ErrorKind, OrderBy, QueryOption, SortDirection};

use crate::support::{assert_error, orderby, select, usage_property};

fn key(property: &str, direction: SortDirection) -> OrderBy {
    OrderBy {
        property: usage_property(property),
        direction,
    }
}

#[test]
fn orderby_binds_id_and_snapshot_date_time() {
    use SortDirection::{Asc, Desc};
    let (id, snapshot_date_time) = ("id", "snapshotDateTime");
    for (input, expected) in [
        ("id", vec![key(id, Asc)]),
        ("id desc", vec![key(id, Desc)]),
        (
            "snapshotDateTime desc,id asc",
            vec![key(snapshot_date_time, Desc), key(id, Asc)],
        ),
        (
            " snapshotDateTime  asc , id ",
            vec![key(snapshot_date_time, Asc), key(id, Asc)],
        ),
        ("(id)", vec![key(id, Asc)]),
    ] {
        assert_eq!(orderby(input).unwrap(), expected, "{input:?}");
    }
    let items = parse_orderby("licenseInfoDetails/$count desc").unwrap();
    assert_eq!(items[0].direction, SortDirection::Desc);
}

#[test]
fn bad_orderby_fails_at_the_right_position() {
    let cases: &[(&str, usize, &str)] = &[
        ("", 1, "the expression is empty"),
        ("id,", 4, "expected an expression after ','"),
        (
            "id desc desc",
            9,
            "expected 'asc', 'desc', ',' or the end after 'desc'",
        ),
        (
            "id DESC",
            4,
            "unknown sort direction 'DESC': directions are lower case, as in 'desc'",
        ),
        ("id descending", 4, "found 'descending'"),
        ("id eq 'a'", 4, "found 'eq'"),
        (
            "licenseInfoDetails/$count",
            1,
            "tally orders only by id and snapshotDateTime",
        ),
        (
            "id, snapshotDateTime, id desc",
            23,
            "'id' appears more than once",
        ),
        ("foo", 1, "cannot order by 'foo'"),
        ("'id'", 1, "cannot order by"),
    ];
    for &(input, position, fragment) in cases {
        let result = orderby(input);
        if let Err(error) = &result {
            assert_eq!(error.option, QueryOption::OrderBy);
        }
        assert_error(input, result, position, fragment);
    }
    let error = orderby("id DESC").unwrap_err();
    assert_eq!(error.kind, ErrorKind::Syntax);
    assert!(error
        .to_string()
        .starts_with("Syntax error at position 4 in '$orderby': "));
}

#[test]
fn select_binds_properties_in_order_without_repeats() {
    let selection = select("licenseInfoDetails,snapshotDateTime,licenseInfoDetails").unwrap();
    assert!(!selection.star);
    assert_eq!(
        selection.properties,
        [
            usage_property("licenseInfoDetails"),
            usage_property("snapshotDateTime")
        ]
    );
    assert!(
        selection.includes(usage_property("id")),
        "id is always included"
    );
    let star = select("*").unwrap();
    assert!(star.star && star.includes(usage_property("licenseInfoDetails")));
    let some = select(" snapshotDateTime ").unwrap();
    assert!(!some.includes(usage_property("licenseInfoDetails")));
    assert!(some.includes(usage_property("snapshotDateTime")));
    assert_eq!(select("id,*").unwrap().properties, [usage_property("id")]);
}

#[test]
fn bad_select_fails_at_the_right_position() {
    let cases: &[(&str, usize, &str)] = &[
        ("", 1, "the list of properties is empty"),
        (
            "id,",
            4,
            "expected a property name or '*' after ',', found the end",
        ),
        (
            "id snapshotDateTime",
            4,
            "expected ',' or the end after 'id'",
        ),
        ("$count", 1, "expected a property name or '*'"),
        ("foo", 1, "could not find a property named 'foo'"),
        ("Id", 1, "did you mean 'id'?"),
        (
            "licenseInfoDetails/licenseType",
            20,
            "only whole properties can be selected",
        ),
        ("id,'x'", 4, "expected a property name or '*'"),
    ];
    for &(input, position, fragment) in cases {
        let result = select(input);
        if let Err(error) = &result {
            assert_eq!(error.option, QueryOption::Select);
        }
        assert_error(input, result, position, fragment);
    }
}
