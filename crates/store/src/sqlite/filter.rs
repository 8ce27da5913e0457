//! `$filter` to SQLite SQL, with OData's two-valued semantics.
//!
//! Every condition translates to an expression that is 0 or 1, never NULL, so `NOT` and `all`
//! are exact: `eq`/`ne` use the null-safe `IS`/`IS NOT`, ordering comparisons are
//! `COALESCE(a < b, 0)` (false when either side is null), and lambdas read the stored JSON
//! details with `json_each`. Constants travel as parameters, never as SQL text.

use rusqlite::types::Value as SqlValue;
use tally_odata::query::{CompareOp, Constant, DetailField, Operand, TypedExpr};

/// Appends the SQL of `expr` to `sql` and its parameters to `params`.
pub fn translate(expr: &TypedExpr, sql: &mut String, params: &mut Vec<SqlValue>) {
    match expr {
        TypedExpr::Constant(value) => sql.push_str(if *value { "1" } else { "0" }),
        TypedExpr::Compare { op, left, right } => compare(*op, left, right, sql, params),
        TypedExpr::In { operand, values } => {
            sql.push('(');
            for (index, value) in values.iter().enumerate() {
                if index > 0 {
                    sql.push_str(" OR ");
                }
                compare(
                    CompareOp::Eq,
                    operand,
                    &Operand::Constant(value.clone()),
                    sql,
                    params,
                );
            }
            sql.push(')');
        }
        TypedExpr::And(items) => chain(items, " AND ", sql, params),
        TypedExpr::Or(items) => chain(items, " OR ", sql, params),
        TypedExpr::Not(inner) => {
            sql.push_str("(NOT ");
            translate(inner, sql, params);
            sql.push(')');
        }
        TypedExpr::Any(None) => sql.push_str("(json_array_length(details) > 0)"),
        TypedExpr::Any(Some(predicate)) => {
            sql.push_str("EXISTS (SELECT 1 FROM json_each(details) AS d WHERE ");
            translate(predicate, sql, params);
            sql.push(')');
        }
        TypedExpr::All(predicate) => {
            sql.push_str("NOT EXISTS (SELECT 1 FROM json_each(details) AS d WHERE NOT ");
            translate(predicate, sql, params);
            sql.push(')');
        }
    }
}

fn chain(items: &[TypedExpr], separator: &str, sql: &mut String, params: &mut Vec<SqlValue>) {
    sql.push('(');
    for (index, item) in items.iter().enumerate() {
        if index > 0 {
            sql.push_str(separator);
        }
        translate(item, sql, params);
    }
    sql.push(')');
}

fn compare(
    op: CompareOp,
    left: &Operand,
    right: &Operand,
    sql: &mut String,
    params: &mut Vec<SqlValue>,
) {
    let symbol = match op {
        CompareOp::Eq => "IS",
        CompareOp::Ne => "IS NOT",
        CompareOp::Gt => ">",
        CompareOp::Ge => ">=",
        CompareOp::Lt => "<",
        CompareOp::Le => "<=",
    };
    let ordering = !matches!(op, CompareOp::Eq | CompareOp::Ne);
    sql.push_str(if ordering { "COALESCE(" } else { "(" });
    operand(left, sql, params);
    sql.push(' ');
    sql.push_str(symbol);
    sql.push(' ');
    operand(right, sql, params);
    sql.push_str(if ordering { ", 0)" } else { ")" });
}

fn operand(operand: &Operand, sql: &mut String, params: &mut Vec<SqlValue>) {
    match operand {
        Operand::Id => sql.push_str("id"),
        Operand::SnapshotDateTime => sql.push_str("snapshot_ticks"),
        Operand::DetailCount => sql.push_str("json_array_length(details)"),
        Operand::Detail(field) => {
            sql.push_str("json_extract(d.value, '$.");
            sql.push_str(detail_key(*field));
            sql.push_str("')");
        }
        Operand::Constant(constant) => {
            sql.push('?');
            params.push(match constant {
                Constant::Null => SqlValue::Null,
                Constant::String(text) => SqlValue::Text(text.clone()),
                Constant::Int(value) => SqlValue::Integer(*value),
                Constant::DateTimeOffset(value) => SqlValue::Integer(value.ticks()),
                Constant::LicenseType(member) => SqlValue::Text((*member).to_owned()),
            });
        }
    }
}

/// The JSON key of a detail field in the stored `details` column (the model's serde names).
fn detail_key(field: DetailField) -> &'static str {
    field.name()
}
