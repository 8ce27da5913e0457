//! The reference for users: `$filter` and `$orderby` evaluated in memory over [`User`] values,
//! from OData's rules (as in [`crate::reference`]: two-valued nulls, `any` over nothing false,
//! `all` true, strings by bytes, DateTimeOffsets as instants, `false` before `true`), with
//! `startswith` ignoring ASCII case only. Users sort by the key with nulls first and ties by id;
//! a descending order is the exact mirror (nulls last, ties by id descending); none is by id.

use std::cmp::Ordering;

use tally_model::directory::{AssignedLicense, User};
use tally_odata::query::{CompareOp, Constant, Operand, OrderBy, SortDirection, TypedExpr};
use tally_odata::schema::Property;
use tally_odata::DateTimeOffset;

/// A value a comparison reads. Equal variants compare; `Null` equals only `Null`.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Scalar {
    Null,
    /// A string, or a GUID's lower-case text (as a user's id).
    Str(String),
    Int(i64),
    /// An instant: DateTimeOffset values compare by it, whatever their offset.
    Ticks(i64),
    Bool(bool),
    /// A collection of GUIDs (a license's disabledPlans): never null.
    List(Vec<String>),
}

/// Whether `user` satisfies `expr`.
pub fn matches(expr: &TypedExpr, user: &User) -> bool {
    eval(expr, user, None)
}

fn eval(expr: &TypedExpr, user: &User, item: Option<&AssignedLicense>) -> bool {
    let value = |operand| value(operand, user, item);
    match expr {
        TypedExpr::Constant(value) => *value,
        TypedExpr::Compare { op, left, right } => compare(*op, &value(left), &value(right)),
        TypedExpr::In { operand, values } => {
            let operand = value(operand);
            values
                .iter()
                .any(|c| compare(CompareOp::Eq, &operand, &constant(c)))
        }
        TypedExpr::And(items) => items.iter().all(|e| eval(e, user, item)),
        TypedExpr::Or(items) => items.iter().any(|e| eval(e, user, item)),
        TypedExpr::Not(inner) => !eval(inner, user, item),
        TypedExpr::Any {
            collection,
            predicate: None,
        } => !items(user, collection).is_empty(),
        TypedExpr::Any {
            collection,
            predicate: Some(predicate),
        } => items(user, collection)
            .iter()
            .any(|license| eval(predicate, user, Some(license))),
        TypedExpr::All {
            collection,
            predicate,
        } => items(user, collection)
            .iter()
            .all(|license| eval(predicate, user, Some(license))),
        TypedExpr::StartsWith { property, prefix } => match property_value(property, user) {
            Scalar::Str(text) => {
                let (text, prefix) = (text.as_bytes(), prefix.as_bytes());
                text.len() >= prefix.len() && text[..prefix.len()].eq_ignore_ascii_case(prefix)
            }
            _ => false,
        },
    }
}

fn items<'a>(user: &'a User, collection: &Property) -> &'a [AssignedLicense] {
    match collection.name {
        "assignedLicenses" => &user.assigned_licenses,
        other => panic!("the generator filtered on the collection {other}"),
    }
}

/// Two-valued: `eq` is equality (`null eq null` is true), `ne` its negation, and an ordering
/// comparison with a null operand is false.
fn compare(op: CompareOp, left: &Scalar, right: &Scalar) -> bool {
    let ordering = match (left, right) {
        (Scalar::Null, _) | (_, Scalar::Null) => None,
        (Scalar::Str(a), Scalar::Str(b)) => Some(a.as_bytes().cmp(b.as_bytes())),
        (Scalar::Int(a), Scalar::Int(b)) | (Scalar::Ticks(a), Scalar::Ticks(b)) => Some(a.cmp(b)),
        (Scalar::Bool(a), Scalar::Bool(b)) => Some(a.cmp(b)),
        // Only ever a list with itself (no literal is one).
        (Scalar::List(a), Scalar::List(b)) if a == b => Some(Ordering::Equal),
        _ => panic!("the binder let through an ill-typed comparison: {left:?} vs {right:?}"),
    };
    match op {
        CompareOp::Eq => left == right,
        CompareOp::Ne => left != right,
        CompareOp::Gt => ordering == Some(Ordering::Greater),
        CompareOp::Ge => matches!(ordering, Some(Ordering::Greater | Ordering::Equal)),
        CompareOp::Lt => ordering == Some(Ordering::Less),
        CompareOp::Le => matches!(ordering, Some(Ordering::Less | Ordering::Equal)),
    }
}

fn value(operand: &Operand, user: &User, item: Option<&AssignedLicense>) -> Scalar {
    match operand {
        Operand::Property(property) => property_value(property, user),
        Operand::Count(collection) => Scalar::Int(items(user, collection).len() as i64),
        Operand::Member(property) => {
            let license = item.expect("the binder let d/… outside a lambda");
            match property.name {
                "skuId" => Scalar::Str(license.sku_id.to_string()),
                "disabledPlans" => Scalar::List(
                    license
                        .disabled_plans
                        .iter()
                        .map(|p| p.to_string())
                        .collect(),
                ),
                other => panic!("a license has no {other}"),
            }
        }
        Operand::Constant(c) => constant(c),
    }
}

/// A root property's value (the `signInActivity` dates by their own names).
fn property_value(property: &Property, user: &User) -> Scalar {
    let text = |value: &Option<String>| value.clone().map_or(Scalar::Null, Scalar::Str);
    let date = |value: &Option<String>| {
        value.as_deref().map_or(Scalar::Null, |text| {
            Scalar::Ticks(DateTimeOffset::parse(text).expect("a stored date").ticks())
        })
    };
    let (profile, activity) = (&user.profile, &user.sign_in_activity);
    match property.name {
        "id" => Scalar::Str(user.id.to_string()),
        "userPrincipalName" => Scalar::Str(user.user_principal_name.clone()),
        "accountEnabled" => user.account_enabled.map_or(Scalar::Null, Scalar::Bool),
        "displayName" => text(&profile.display_name),
        "givenName" => text(&profile.given_name),
        "surname" => text(&profile.surname),
        "jobTitle" => text(&profile.job_title),
        "mail" => text(&profile.mail),
        "mailNickname" => text(&profile.mail_nickname),
        "userType" => text(&profile.user_type),
        "usageLocation" => text(&profile.usage_location),
        "lastSignInDateTime" => date(&activity.last_sign_in_date_time),
        "lastNonInteractiveSignInDateTime" => {
            date(&activity.last_non_interactive_sign_in_date_time)
        }
        "lastSuccessfulSignInDateTime" => date(&activity.last_successful_sign_in_date_time),
        other => panic!("the generator filtered on the user's {other}"),
    }
}

fn constant(constant: &Constant) -> Scalar {
    match constant {
        Constant::Null => Scalar::Null,
        Constant::String(text) | Constant::Guid(text) => Scalar::Str(text.clone()),
        Constant::Int(n) => Scalar::Int(*n),
        Constant::DateTimeOffset(value) => Scalar::Ticks(value.ticks()),
        Constant::Bool(value) => Scalar::Bool(*value),
        Constant::Enum(..) => panic!("users have no enum property"),
    }
}

/// Sorts by `key` (none: by id): ascending puts nulls first, strings by bytes, ties by id;
/// descending is that order reversed.
pub fn sort(users: &mut [&User], key: Option<OrderBy>) {
    let rank = |user: &User| match key.map(|key| property_value(key.property, user)) {
        None => (None, user.id.to_string()),
        Some(Scalar::Null) => (None, user.id.to_string()),
        Some(Scalar::Str(text)) => (Some(text), user.id.to_string()),
        Some(other) => panic!("ordering users by {other:?}"),
    };
    users.sort_by(|a, b| {
        let (a, b) = (rank(a), rank(b));
        let ordering = match (&a.0, &b.0) {
            (Some(x), Some(y)) => x.as_bytes().cmp(y.as_bytes()),
            (x, y) => x.is_some().cmp(&y.is_some()),
        };
        ordering.then_with(|| a.1.cmp(&b.1))
    });
    if key.is_some_and(|key| key.direction == SortDirection::Desc) {
        users.reverse();
    }
}
