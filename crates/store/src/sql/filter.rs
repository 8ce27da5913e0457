//! `$filter` to SQL, with OData's two-valued semantics, in either dialect.
//!
//! Every condition translates to an expression that is true or false, never NULL, so `NOT` and
//! `all` are exact: `eq`/`ne` are null-safe (`IS` / `IS NOT DISTINCT FROM`), ordering comparisons
//! are `COALESCE(a < b, false)` (false when either side is null), and lambdas read the stored JSON
//! details (`json_each` / `jsonb_array_elements`).

use tally_odata::query::{CompareOp, Constant, DetailField, Operand, TypedExpr};

use super::{Dialect, SqlBuilder, SqlParam};
use crate::sqlite::license_types::license_type_bit;

/// Appends the SQL of `expr`.
pub fn translate(expr: &TypedExpr, out: &mut SqlBuilder) {
    let postgres = out.dialect == Dialect::Postgres;
    match expr {
        TypedExpr::Constant(value) => out.push(match (value, postgres) {
            (true, true) => "TRUE",
            (false, true) => "FALSE",
            (true, false) => "1",
            (false, false) => "0",
        }),
        TypedExpr::Compare { op, left, right } => compare(*op, left, right, out),
        TypedExpr::In { operand, values } => {
            nested(0..values.len(), " OR ", out, &mut |index, out| {
                let value = Operand::Constant(values[index].clone());
                compare(CompareOp::Eq, operand, &value, out);
            });
        }
        TypedExpr::And(items) => chain(items, " AND ", out),
        TypedExpr::Or(items) => chain(items, " OR ", out),
        TypedExpr::Not(inner) => {
            out.push("(NOT ");
            translate(inner, out);
            out.push(")");
        }
        TypedExpr::Any(None) => out.push(if postgres {
            "(jsonb_array_length(license_usage.details) > 0)"
        } else {
            "(json_array_length(license_usage.details) > 0)"
        }),
        TypedExpr::Any(Some(predicate)) => {
            if let Some(members) = license_types_sought(predicate) {
                if any_license_type(&members, out) {
                    return;
                }
            }
            out.push("EXISTS (SELECT 1 FROM ");
            out.push(elements(postgres));
            out.push(" WHERE ");
            translate(predicate, out);
            out.push(")");
        }
        TypedExpr::All(predicate) => {
            out.push("NOT EXISTS (SELECT 1 FROM ");
            out.push(elements(postgres));
            out.push(" WHERE NOT ");
            translate(predicate, out);
            out.push(")");
        }
    }
}

/// The members `predicate` asks for when it is only `d/licenseType eq <member>` (either way
/// round) or `d/licenseType in (<members>)`: the report's most common filter.
fn license_types_sought(predicate: &TypedExpr) -> Option<Vec<&'static str>> {
    let member = |operand: &Operand| match operand {
        Operand::Constant(Constant::LicenseType(member)) => Some(*member),
        _ => None,
    };
    let is_license_type = |operand: &Operand| *operand == Operand::Detail(DetailField::LicenseType);
    match predicate {
        TypedExpr::Compare {
            op: CompareOp::Eq,
            left,
            right,
        } => match (is_license_type(left), is_license_type(right)) {
            (true, false) => member(right).map(|member| vec![member]),
            (false, true) => member(left).map(|member| vec![member]),
            _ => None,
        },
        TypedExpr::In { operand, values } if is_license_type(operand) => values
            .iter()
            .map(|value| member(&Operand::Constant(value.clone())))
            .collect(),
        _ => None,
    }
}

/// `any(d: d/licenseType eq X)` without walking the details one by one: PostgreSQL's jsonb
/// containment, and in SQLite a test of the row's `license_types` column, the set of license
/// types its details hold, as bits (`sqlite::license_types::license_type_bit`). `false` (and
/// nothing written) for a name that is no member.
fn any_license_type(members: &[&'static str], out: &mut SqlBuilder) -> bool {
    match out.dialect {
        Dialect::Postgres => {
            out.push("(");
            for (index, member) in members.iter().enumerate() {
                if index > 0 {
                    out.push(" OR ");
                }
                out.push("license_usage.details @> CAST(");
                out.param(SqlParam::Text(format!(r#"[{{"licenseType":"{member}"}}]"#)));
                out.push(" AS jsonb)");
            }
            out.push(")");
        }
        Dialect::Sqlite => {
            let Some(bits) = members.iter().try_fold(0, |bits, member| {
                license_type_bit(member).map(|bit| bits | bit)
            }) else {
                return false;
            };
            out.push("((license_usage.license_types & ");
            out.param(SqlParam::Int(bits));
            out.push(") != 0)");
        }
    }
    true
}

/// The details as a row source `d` with a column `value`.
fn elements(postgres: bool) -> &'static str {
    if postgres {
        "jsonb_array_elements(license_usage.details) AS d(value)"
    } else {
        "json_each(license_usage.details) AS d"
    }
}

fn chain(items: &[TypedExpr], separator: &str, out: &mut SqlBuilder) {
    nested(0..items.len(), separator, out, &mut |index, out| {
        translate(&items[index], out);
    });
}

/// The items in `range`, joined by `separator`, in parentheses: flat when few; a long list in
/// halves, nested, since SQLite counts each operator of a flat chain as a level of its
/// expression tree (at most 1,000: "Expression tree is too large"), and halves nest log2(n) deep.
fn nested(
    range: std::ops::Range<usize>,
    separator: &str,
    out: &mut SqlBuilder,
    item: &mut impl FnMut(usize, &mut SqlBuilder),
) {
    out.push("(");
    if range.len() <= 16 {
        for index in range.clone() {
            if index > range.start {
                out.push(separator);
            }
            item(index, out);
        }
    } else {
        let middle = range.start + range.len() / 2;
        nested(range.start..middle, separator, out, item);
        out.push(separator);
        nested(middle..range.end, separator, out, item);
    }
    out.push(")");
}

fn compare(op: CompareOp, left: &Operand, right: &Operand, out: &mut SqlBuilder) {
    let postgres = out.dialect == Dialect::Postgres;
    let symbol = match (op, postgres) {
        (CompareOp::Eq, false) => "IS",
        (CompareOp::Ne, false) => "IS NOT",
        (CompareOp::Eq, true) => "IS NOT DISTINCT FROM",
        (CompareOp::Ne, true) => "IS DISTINCT FROM",
        (CompareOp::Gt, _) => ">",
        (CompareOp::Ge, _) => ">=",
        (CompareOp::Lt, _) => "<",
        (CompareOp::Le, _) => "<=",
    };
    let ordering = !matches!(op, CompareOp::Eq | CompareOp::Ne);
    out.push(if ordering { "COALESCE(" } else { "(" });
    operand(left, out);
    out.push(" ");
    out.push(symbol);
    out.push(" ");
    operand(right, out);
    out.push(match (ordering, postgres) {
        (true, true) => ", FALSE)",
        (true, false) => ", 0)",
        (false, _) => ")",
    });
}

fn operand(operand: &Operand, out: &mut SqlBuilder) {
    let postgres = out.dialect == Dialect::Postgres;
    match operand {
        // Root columns are qualified: inside a lambda, SQLite's json_each has an `id` of its own.
        Operand::Id => out.push("license_usage.id"),
        Operand::SnapshotDateTime => out.push("license_usage.snapshot_ticks"),
        Operand::DetailCount => out.push(if postgres {
            "jsonb_array_length(license_usage.details)"
        } else {
            "json_array_length(license_usage.details)"
        }),
        Operand::Detail(field) => detail(*field, out),
        Operand::Constant(constant) => match constant {
            Constant::Null => out.push("NULL"),
            Constant::String(text) => out.param(SqlParam::Text(text.clone())),
            Constant::Int(value) => out.param(SqlParam::Int(*value)),
            Constant::DateTimeOffset(value) => out.param(SqlParam::Int(value.ticks())),
            Constant::LicenseType(member) => out.param(SqlParam::Text((*member).to_owned())),
        },
    }
}

/// A field of the current detail; the JSON keys are the model's serde names.
fn detail(field: DetailField, out: &mut SqlBuilder) {
    let key = field.name();
    match (out.dialect, field) {
        (Dialect::Sqlite, _) => out.push(&format!("json_extract(d.value, '$.{key}')")),
        (Dialect::Postgres, DetailField::LicenseType) => out.push(&format!("(d.value->>'{key}')")),
        (Dialect::Postgres, _) => out.push(&format!("((d.value->>'{key}')::bigint)")),
    }
}
