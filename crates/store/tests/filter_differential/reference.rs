//! The reference: `$filter` and `$orderby` evaluated in memory, straight from OData's rules.

use std::cmp::Ordering;

use tally_model::{LicenseInfoDetail, LicenseUsage};
use tally_odata::query::{CompareOp, Constant, DetailField, Operand, TypedExpr};
use tally_store::{OrderKey, OrderProperty};

/// A value a comparison reads. Equal variants compare; `Null` equals only `Null`.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Value {
    Null,
    Str(String),
    Int(i64),
    /// An instant: DateTimeOffset values compare by it, whatever their offset.
    Ticks(i64),
    /// A license type: compared by member name.
    Member(&'static str),
}

/// Whether `usage` satisfies `expr`.
pub fn matches(expr: &TypedExpr, usage: &LicenseUsage) -> bool {
    eval(expr, usage, None)
}

fn eval(expr: &TypedExpr, usage: &LicenseUsage, detail: Option<&LicenseInfoDetail>) -> bool {
    match expr {
        TypedExpr::Constant(value) => *value,
        TypedExpr::Compare { op, left, right } => compare(
            *op,
            &value(left, usage, detail),
            &value(right, usage, detail),
        ),
        TypedExpr::In { operand, values } => {
            let operand = value(operand, usage, detail);
            values
                .iter()
                .any(|item| compare(CompareOp::Eq, &operand, &constant(item)))
        }
        TypedExpr::And(items) => items.iter().all(|item| eval(item, usage, detail)),
        TypedExpr::Or(items) => items.iter().any(|item| eval(item, usage, detail)),
        TypedExpr::Not(inner) => !eval(inner, usage, detail),
        TypedExpr::Any(None) => !usage.license_info_details.is_empty(),
        TypedExpr::Any(Some(predicate)) => usage
            .license_info_details
            .iter()
            .any(|d| eval(predicate, usage, Some(d))),
        TypedExpr::All(predicate) => usage
            .license_info_details
            .iter()
            .all(|d| eval(predicate, usage, Some(d))),
    }
}

/// Two-valued: `eq` is equality (`null eq null` is true), `ne` its negation, and an ordering
/// comparison with a null operand is false.
fn compare(op: CompareOp, left: &Value, right: &Value) -> bool {
    let ordering = match (left, right) {
        (Value::Null, _) | (_, Value::Null) => None,
        (Value::Str(a), Value::Str(b)) => Some(a.as_bytes().cmp(b.as_bytes())),
        (Value::Int(a), Value::Int(b)) | (Value::Ticks(a), Value::Ticks(b)) => Some(a.cmp(b)),
        (Value::Member(a), Value::Member(b)) => Some(a.cmp(b)),
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

fn value(operand: &Operand, usage: &LicenseUsage, detail: Option<&LicenseInfoDetail>) -> Value {
    match operand {
        // The id's text: a lower-case GUID.
        Operand::Id => Value::Str(usage.id.to_string()),
        Operand::SnapshotDateTime => Value::Ticks(usage.snapshot_date_time.ticks()),
        Operand::DetailCount => Value::Int(usage.license_info_details.len() as i64),
        Operand::Detail(field) => {
            let detail = detail.expect("the binder let d/… outside a lambda");
            let count = match field {
                DetailField::LicenseType => return Value::Member(detail.license_type.as_str()),
                DetailField::TotalLicenseCount => detail.total_license_count,
                DetailField::TotalAssignedCount => detail.total_assigned_count,
                DetailField::TotalUsageCount => detail.total_usage_count,
            };
            count.map_or(Value::Null, |n| Value::Int(n.into()))
        }
        Operand::Constant(c) => constant(c),
    }
}

fn constant(constant: &Constant) -> Value {
    match constant {
        Constant::Null => Value::Null,
        Constant::String(text) => Value::Str(text.clone()),
        Constant::Int(n) => Value::Int(*n),
        Constant::DateTimeOffset(value) => Value::Ticks(value.ticks()),
        Constant::LicenseType(member) => Value::Member(member),
    }
}

/// Sorts by the requested keys (none: `snapshotDateTime` ascending), ties broken by `id`
/// ascending (ids compare as their text).
pub fn sort(items: &mut [&LicenseUsage], keys: &[OrderKey]) {
    let oldest_first = [OrderKey {
        property: OrderProperty::SnapshotDateTime,
        descending: false,
    }];
    let keys = if keys.is_empty() { &oldest_first } else { keys };
    items.sort_by(|a, b| {
        let by_key = keys.iter().map(|key| {
            let ordering = match key.property {
                OrderProperty::SnapshotDateTime => a
                    .snapshot_date_time
                    .ticks()
                    .cmp(&b.snapshot_date_time.ticks()),
                OrderProperty::Id => a.id.to_string().cmp(&b.id.to_string()),
            };
            if key.descending {
                ordering.reverse()
            } else {
                ordering
            }
        });
        by_key
            .chain(std::iter::once(a.id.to_string().cmp(&b.id.to_string())))
            .find(|ordering| ordering.is_ne())
            .unwrap_or(Ordering::Equal)
    });
}
