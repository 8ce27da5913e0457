//! Well-formed `$filter` text and the typed conditions it binds to.

use tally_model::resources::LICENSE_TYPE;
use tally_odata::query::{CompareOp, Constant, Operand, TypedExpr};
use tally_odata::DateTimeOffset;

use crate::support::{detail_property, filter, usage_property};

#[test]
fn filters_bind_to_the_expected_typed_conditions() {
    let p2 = "microsoft.graph.azureADLicenseType'premiumP2'";
    let cases = [
        ("id eq 'abc'", "(id eq 'abc')".to_owned()),
        ("'abc' lt id", "('abc' lt id)".to_owned()),
        ("id ne null", "(id ne null)".to_owned()),
        ("null eq null", "(null eq null)".to_owned()),
        (
            "snapshotDateTime ge 2020-01-01T00:00:00Z",
            "(snapshotDateTime ge 2020-01-01T00:00:00Z)".to_owned(),
        ),
        (
            "snapshotDateTime eq 2016-12-31T23:56:55.0631898+03:00",
            "(snapshotDateTime eq 2016-12-31T23:56:55.0631898+03:00)".to_owned(),
        ),
        (
            "licenseInfoDetails/$count gt 1",
            "(licenseInfoDetails/$count gt 1)".to_owned(),
        ),
        (
            "licenseInfoDetails/$count in (0, 1)",
            "(licenseInfoDetails/$count in (0, 1))".to_owned(),
        ),
        (
            "licenseInfoDetails/any(d: d/licenseType eq 'premiumP2' and d/totalUsageCount gt 10)",
            format!(
                "licenseInfoDetails/any(d: ((d/licenseType eq {p2}) and (d/totalUsageCount gt 10)))"
            ),
        ),
        (
            "licenseInfoDetails/any(x: 'free' ne x/licenseType)",
            "licenseInfoDetails/any(d: (microsoft.graph.azureADLicenseType'free' ne d/licenseType))"
                .to_owned(),
        ),
        (
            "licenseInfoDetails/any(d: d/licenseType eq microsoft.graph.azureADLicenseType'premiumP2')",
            format!("licenseInfoDetails/any(d: (d/licenseType eq {p2}))"),
        ),
        (
            "licenseInfoDetails/any(d: d/licenseType in ('premiumP1', microsoft.graph.azureADLicenseType'premiumP2'))",
            format!(
                "licenseInfoDetails/any(d: (d/licenseType in (microsoft.graph.azureADLicenseType'premiumP1', {p2})))"
            ),
        ),
        (
            "licenseInfoDetails/any(d: d/licenseType ne null)",
            "licenseInfoDetails/any(d: (d/licenseType ne null))".to_owned(),
        ),
        (
            "licenseInfoDetails/all(x: x/totalUsageCount eq null)",
            "licenseInfoDetails/all(d: (d/totalUsageCount eq null))".to_owned(),
        ),
        (
            "licenseInfoDetails/all(d: not (d/totalUsageCount gt 5))",
            "licenseInfoDetails/all(d: (not (d/totalUsageCount gt 5)))".to_owned(),
        ),
        (
            "licenseInfoDetails/any(d: d/totalLicenseCount lt d/totalAssignedCount)",
            "licenseInfoDetails/any(d: (d/totalLicenseCount lt d/totalAssignedCount))".to_owned(),
        ),
        (
            "licenseInfoDetails/any(d: snapshotDateTime gt 2020-01-01T00:00Z and d/totalUsageCount ge 0)",
            "licenseInfoDetails/any(d: ((snapshotDateTime gt 2020-01-01T00:00Z) and (d/totalUsageCount ge 0)))"
                .to_owned(),
        ),
        ("licenseInfoDetails/any()", "licenseInfoDetails/any()".to_owned()),
        (
            "licenseInfoDetails/any(d: true) and licenseInfoDetails/all(e: false)",
            "(licenseInfoDetails/any(d: true) and licenseInfoDetails/all(d: false))".to_owned(),
        ),
        ("not (id eq 'a')", "(not (id eq 'a'))".to_owned()),
        ("true", "true".to_owned()),
        ("not false or true", "((not false) or true)".to_owned()),
        ("id in ('a', 'b')", "(id in ('a', 'b'))".to_owned()),
        ("id in ('it''s', null)", "(id in ('it''s', null))".to_owned()),
        ("'x' eq 'y'", "('x' eq 'y')".to_owned()),
    ];
    for (input, expected) in cases {
        let bound = filter(input).unwrap_or_else(|e| panic!("{input:?}: {e}"));
        assert_eq!(bound.to_string(), expected, "{input:?}");
        let rebound = filter(&expected).unwrap_or_else(|e| panic!("{expected:?}: {e}"));
        assert_eq!(rebound, bound, "{expected:?} binds back to the same value");
    }
}

#[test]
fn the_seed_style_filter_has_the_documented_shape() {
    let bound = filter(
        "snapshotDateTime ge 2016-12-31T23:56:55.0631898+03:00 and \
         licenseInfoDetails/any(d: d/licenseType eq 'premiumP2')",
    )
    .unwrap();
    let instant = DateTimeOffset::parse("2016-12-31T23:56:55.0631898+03:00").unwrap();
    let expected = TypedExpr::And(vec![
        TypedExpr::Compare {
            op: CompareOp::Ge,
            left: Operand::Property(usage_property("snapshotDateTime")),
            right: Operand::Constant(Constant::DateTimeOffset(instant.clone())),
        },
        TypedExpr::Any {
            collection: usage_property("licenseInfoDetails"),
            predicate: Some(Box::new(TypedExpr::Compare {
                op: CompareOp::Eq,
                left: Operand::Member(detail_property("licenseType")),
                right: Operand::Constant(Constant::Enum(&LICENSE_TYPE, "premiumP2")),
            })),
        },
    ]);
    assert_eq!(bound, expected);
    let TypedExpr::And(items) = &bound else {
        unreachable!()
    };
    let left = &items[0];
    let TypedExpr::Compare {
        right: Operand::Constant(Constant::DateTimeOffset(value)),
        ..
    } = left
    else {
        panic!("{left:?}")
    };
    assert_eq!(
        value.as_str(),
        instant.as_str(),
        "the literal keeps its text"
    );
}

#[test]
fn every_member_binds_and_only_members_bind() {
    for member in LICENSE_TYPE.members {
        let text = format!("licenseInfoDetails/any(d: d/licenseType eq '{member}')");
        let bound = filter(&text).unwrap();
        let expected = TypedExpr::Any {
            collection: usage_property("licenseInfoDetails"),
            predicate: Some(Box::new(TypedExpr::Compare {
                op: CompareOp::Eq,
                left: Operand::Member(detail_property("licenseType")),
                right: Operand::Constant(Constant::Enum(&LICENSE_TYPE, member)),
            })),
        };
        assert_eq!(bound, expected);
    }
    assert!(filter("licenseInfoDetails/any(d: d/licenseType eq 'String')").is_err());
}
