//! `$filter` text that parses but means nothing for tally's model: position and message.

use tally_odata::query::ErrorKind;

use crate::support::filter;

use crate::support::assert_error;

const MEMBERS: &str = "the members are none, free, basic, premiumP1, premiumP2, unknownFutureValue";

#[test]
fn ill_typed_filters_fail_at_the_right_position() {
    let cases: &[(&str, usize, &str)] = &[
        ("contains(id, 'a')", 1, "the only function is startswith"),
        (
            "snapshotDateTime eq 5",
            21,
            "cannot compare 'snapshotDateTime' (a DateTimeOffset) with '5' (an integer)",
        ),
        (
            "id gt 3",
            7,
            "cannot compare 'id' (a String) with '3' (an integer)",
        ),
        (
            "3 lt id",
            6,
            "cannot compare '3' (an integer) with 'id' (a String)",
        ),
        (
            "snapshotDateTime eq '2020-01-01T00:00:00Z'",
            21,
            "DateTimeOffset literals are written without quotes",
        ),
        (
            "licenseInfoDetails eq null",
            1,
            "licenseInfoDetails is a collection",
        ),
        ("licenseInfoDetails/$count eq 'x'", 30, "cannot compare"),
        (
            "foo eq 1",
            1,
            "could not find a property named 'foo' on type 'microsoft.graph.azureADLicenseUsage' \
             (its properties are id, snapshotDateTime, licenseInfoDetails)",
        ),
        (
            "SnapshotDateTime eq null",
            1,
            "did you mean 'snapshotDateTime'?",
        ),
        (
            "d/licenseType eq 'free'",
            1,
            "a lambda variable such as 'd' exists only inside its any(…) or all(…)",
        ),
        (
            "totalUsageCount gt 1",
            1,
            "it is a property of each licenseInfoDetail",
        ),
        (
            "premiumP2 eq null",
            1,
            "enum members are quoted, as in 'premiumP2'",
        ),
        ("id/x eq 'a'", 4, "'id' has no properties"),
        (
            "licenseInfoDetails/licenseType eq 'free'",
            20,
            "licenseInfoDetails is a collection: reach the properties of its elements",
        ),
        (
            "id/any(d: true)",
            1,
            "'any' needs a collection, and 'id' is a String",
        ),
        (
            "snapshotDateTime/all(d: true)",
            1,
            "'all' needs a collection",
        ),
        (
            "id/$count eq 1",
            1,
            "'$count' needs a collection, and 'id' is not one",
        ),
        (
            "licenseInfoDetails/any(d: d/licenseType eq 'premiumP3')",
            44,
            MEMBERS,
        ),
        (
            "licenseInfoDetails/any(d: d/licenseType eq 'PremiumP2')",
            44,
            "not a member",
        ),
        (
            "licenseInfoDetails/any(d: 'String' eq d/licenseType)",
            27,
            MEMBERS,
        ),
        (
            "licenseInfoDetails/any(d: d/licenseType eq microsoft.graph.azureADLicenseType'x')",
            44,
            "'x' is not a member of microsoft.graph.azureADLicenseType",
        ),
        (
            "licenseInfoDetails/any(d: d/licenseType eq microsoft.graph.other'free')",
            44,
            "unknown enum type 'microsoft.graph.other'",
        ),
        (
            "licenseInfoDetails/any(d: d/licenseType in ('free', 'nope'))",
            53,
            MEMBERS,
        ),
        (
            "licenseInfoDetails/any(d: d/licenseType gt 'free')",
            27,
            "'gt' cannot compare microsoft.graph.azureADLicenseType members",
        ),
        (
            "licenseInfoDetails/any(d: d/licenseType eq 5)",
            44,
            "cannot compare",
        ),
        (
            "id eq microsoft.graph.azureADLicenseType'free'",
            7,
            "cannot compare 'id' (a String)",
        ),
        (
            "licenseInfoDetails/any(d: d/foo eq 1)",
            29,
            "could not find a property named 'foo' on type 'microsoft.graph.licenseInfoDetail'",
        ),
        (
            "licenseInfoDetails/any(d: d/LicenseType eq 'free')",
            29,
            "did you mean 'licenseType'?",
        ),
        (
            "licenseInfoDetails/any(d: d eq null)",
            27,
            "the lambda variable 'd' is a licenseInfoDetail",
        ),
        (
            "licenseInfoDetails/any(d: d/totalUsageCount/x eq 1)",
            45,
            "'totalUsageCount' has no properties",
        ),
        (
            "licenseInfoDetails/any(d: d/$count eq 1)",
            27,
            "'$count' needs a collection",
        ),
        (
            "licenseInfoDetails/any(d: d/any(e: true))",
            27,
            "'any' needs a collection",
        ),
        (
            "licenseInfoDetails/any(d: licenseInfoDetails/any(e: true))",
            27,
            "lambdas cannot be nested",
        ),
        (
            "licenseInfoDetails/any(id: true)",
            24,
            "has the name of a property",
        ),
        (
            "licenseInfoDetails/any(d: true) and d/licenseType eq 'free'",
            37,
            "exists only inside",
        ),
        ("id", 1, "'id' is a String, not a condition"),
        ("5", 1, "'5' is an integer, not a condition"),
        ("not id", 5, "not a condition"),
        (
            "not id eq 'a'",
            1,
            "to negate a comparison, write not (… eq …)",
        ),
        ("id eq 'a' and snapshotDateTime", 15, "not a condition"),
        (
            "licenseInfoDetails",
            1,
            "licenseInfoDetails is a collection",
        ),
        (
            "licenseInfoDetails/any(d: d/totalUsageCount)",
            27,
            "not a condition",
        ),
        ("id eq true", 7, "Boolean values cannot be compared"),
        ("(id eq 'a') eq null", 2, "a condition cannot be compared"),
        (
            "id in ('a', 5)",
            13,
            "cannot compare 'id' (a String) with '5' (an integer)",
        ),
        (
            "id in (snapshotDateTime)",
            8,
            "the values in an 'in' list must be literals",
        ),
    ];
    for &(input, position, fragment) in cases {
        let result = filter(input);
        if let Err(error) = &result {
            assert_eq!(error.kind, ErrorKind::Binding, "{input:?}: {error}");
        }
        assert_error(input, result, position, fragment);
    }
}

#[test]
fn binding_errors_display_as_invalid_queries() {
    let error = filter("id gt 3").unwrap_err();
    assert_eq!(
        error.to_string(),
        "Invalid query at position 7 in '$filter': cannot compare 'id' (a String) with '3' (an \
         integer)"
    );
}
