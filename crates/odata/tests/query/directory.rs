//! The forms the directory's `$filter` adds, bound against `microsoft.graph.user`: Boolean
//! comparisons, GUIDs (unquoted as OData writes them, or quoted), paths into a single complex
//! value (`signInActivity/lastSignInDateTime`) and `startswith`; and their errors.

use tally_model::directory::types::USER;
use tally_odata::query::{CompareOp, Constant, Operand, TypedExpr};

use crate::support::assert_error;

fn filter(source: &str) -> Result<TypedExpr, tally_odata::query::QueryError> {
    tally_odata::query::filter(&USER, source)
}

const SKU: &str = "C7DF2760-2C81-4EF7-B578-5B5392B571DF";

#[test]
fn guid_literals_bind_in_either_form_and_in_lower_case() {
    for source in [
        format!("assignedLicenses/any(x: x/skuId eq {SKU})"),
        format!("assignedLicenses/any(x: x/skuId eq '{SKU}')"),
        format!("assignedLicenses/any(x: '{SKU}' eq x/skuId)"),
    ] {
        let bound = filter(&source).unwrap();
        let TypedExpr::Any {
            predicate: Some(predicate),
            ..
        } = &bound
        else {
            panic!("{source}: {bound:?}");
        };
        let TypedExpr::Compare { op, left, right } = predicate.as_ref() else {
            panic!("{source}: {predicate:?}");
        };
        assert_eq!(*op, CompareOp::Eq);
        let guid = Constant::Guid(SKU.to_ascii_lowercase());
        assert!(
            *left == Operand::Constant(guid.clone()) || *right == Operand::Constant(guid),
            "{source}: {predicate:?}"
        );
        // The bound form prints back to text that binds to the same thing.
        assert_eq!(filter(&bound.to_string()).unwrap(), bound, "{bound}");
    }
    // An unquoted GUID against a String property is that string.
    let bound = filter(&format!("id eq {SKU}")).unwrap();
    assert!(bound
        .to_string()
        .contains(&format!("'{}'", SKU.to_ascii_lowercase())));
}

#[test]
fn booleans_complex_paths_and_startswith_bind() {
    let enabled = filter("accountEnabled eq false").unwrap();
    assert_eq!(enabled.to_string(), "(accountEnabled eq false)");
    let signed_in = filter("signInActivity/lastSignInDateTime le 2026-11-01T00:00:00Z").unwrap();
    let TypedExpr::Compare {
        left: Operand::Property(property),
        ..
    } = &signed_in
    else {
        panic!("{signed_in:?}");
    };
    assert_eq!(property.name, "lastSignInDateTime");
    assert_eq!(property.column, "sign_in_last");
    let starts = filter("startswith(displayName, 'Ad''e')").unwrap();
    assert_eq!(
        starts,
        TypedExpr::StartsWith {
            property: USER.property("displayName").unwrap(),
            prefix: "Ad'e".into(),
        }
    );
    assert_eq!(filter(&starts.to_string()).unwrap(), starts);
    let both = filter("startswith(userPrincipalName,'a') and not (userType eq 'Guest')").unwrap();
    assert!(matches!(both, TypedExpr::And(ref items) if items.len() == 2));
}

#[test]
fn the_new_forms_refuse_what_they_cannot_mean() {
    let cases = [
        ("accountEnabled eq 'yes'", 19, "cannot compare"),
        (
            "assignedLicenses/any(x: x/skuId eq 'not-a-guid')",
            36,
            "is not a GUID",
        ),
        ("signInActivity eq null", 1, "has no single value"),
        ("signInActivity/lastSeen eq null", 16, "lastSeen"),
        (
            "signInActivity/lastSignInDateTime/x eq null",
            35,
            "has no properties",
        ),
        ("startswith(displayName)", 1, "two arguments"),
        ("startswith(accountEnabled, 'a')", 12, "String property"),
        ("startswith(displayName, displayName)", 25, "string literal"),
        (
            "endswith(displayName, 'a')",
            1,
            "only function is startswith",
        ),
        (
            "startswith(displayName, 'a') eq true",
            1,
            "cannot be compared",
        ),
    ];
    for (source, position, fragment) in cases {
        assert_error(source, filter(source), position, fragment);
    }
}
