//! The WHERE and ORDER BY clauses of a collection read: tenant, report window, filter, keyset
//! position.

use crate::query::{CursorValue, ListQuery, OrderProperty};
use crate::TenantId;

use super::{filter, Dialect, SqlBuilder, SqlParam};

/// The WHERE clause (without the keyword) for `tenant` and `query`; with `with_cursor`, only
/// the rows after the query's keyset position.
pub fn where_clause(
    dialect: Dialect,
    tenant: TenantId,
    query: &ListQuery,
    with_cursor: bool,
) -> SqlBuilder {
    let mut out = SqlBuilder::new(dialect);
    out.push("tenant_id = ");
    out.param(SqlParam::Text(tenant.to_string()));
    if let Some(since) = query.since_ticks {
        out.push(" AND snapshot_ticks >= ");
        out.param(SqlParam::Int(since));
    }
    if let Some(expr) = &query.filter {
        out.push(" AND ");
        filter::translate(expr, &mut out);
    }
    if let Some(cursor) = query
        .after
        .as_ref()
        .filter(|cursor| with_cursor && !cursor.0.is_empty())
    {
        // Lexicographic "after": (k1 > v1) OR (k1 = v1 AND k2 > v2) OR ...
        let order = query.effective_order();
        out.push(" AND (");
        for (depth, key) in order.iter().enumerate().take(cursor.0.len()) {
            if depth > 0 {
                out.push(" OR ");
            }
            out.push("(");
            for (earlier, value) in order.iter().zip(&cursor.0).take(depth) {
                out.push(column(earlier.property));
                out.push(" = ");
                out.param(param(value));
                out.push(" AND ");
            }
            out.push(column(key.property));
            out.push(if key.descending { " < " } else { " > " });
            out.param(param(&cursor.0[depth]));
            out.push(")");
        }
        out.push(")");
    }
    out
}

/// The ORDER BY clause (without the keywords) for a query's effective order.
pub fn order_by(query: &ListQuery) -> String {
    query
        .effective_order()
        .iter()
        .map(|key| {
            format!(
                "{} {}",
                column(key.property),
                if key.descending { "DESC" } else { "ASC" }
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn column(property: OrderProperty) -> &'static str {
    match property {
        OrderProperty::SnapshotDateTime => "snapshot_ticks",
        OrderProperty::Id => "id",
    }
}

fn param(value: &CursorValue) -> SqlParam {
    match value {
        CursorValue::Ticks(ticks) => SqlParam::Int(*ticks),
        CursorValue::Id(id) => SqlParam::Text(id.to_string()),
    }
}
