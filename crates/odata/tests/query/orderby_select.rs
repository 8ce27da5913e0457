//! `$orderby` and `$select`: parsing, binding, and their errors.

use tally_odata::query::{
    orderby, parse_orderby, select, ErrorKind, OrderBy, Property, QueryOption, SortDirection,
    SortProperty,
};

use crate::support::assert_error;

fn key(property: SortProperty, direction: SortDirection) -> OrderBy {
    OrderBy {
        property,
        direction,
    }
}

#[test]
fn orderby_binds_id_and_snapshot_date_time() {
    use SortDirection::{Asc, Desc};
    use SortProperty::{Id, SnapshotDateTime};
    for (input, expected) in [
        ("id", vec![key(Id, Asc)]),
        ("id desc", vec![key(Id, Desc)]),
        (
            "snapshotDateTime desc,id asc",
            vec![key(SnapshotDateTime, Desc), key(Id, Asc)],
        ),
        (
            " snapshotDateTime  asc , id ",
            vec![key(SnapshotDateTime, Asc), key(Id, Asc)],
        ),
        ("(id)", vec![key(Id, Asc)]),
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
        [Property::LicenseInfoDetails, Property::SnapshotDateTime]
    );
    assert!(selection.includes(Property::Id), "id is always included");
    let star = select("*").unwrap();
    assert!(star.star && star.includes(Property::LicenseInfoDetails));
    let some = select(" snapshotDateTime ").unwrap();
    assert!(!some.includes(Property::LicenseInfoDetails));
    assert!(some.includes(Property::SnapshotDateTime));
    assert_eq!(select("id,*").unwrap().properties, [Property::Id]);
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
