//! The WHERE and ORDER BY clauses of a collection read: tenant, scope (report window or latest
//! per key), filter, keyset position.

use tally_model::resources::{FunctionKind, ResourceDef};
use tally_odata::query::SortDirection;

use super::{filter, sort_column, Dialect, SqlBuilder, SqlParam};
use crate::query::{CursorValue, ListQuery, Scope};
use crate::TenantId;

/// The WHERE clause (without the keyword) for `tenant` and `query` on `def`'s table; with
/// `with_cursor`, only the rows after the query's keyset position.
pub fn where_clause(
    dialect: Dialect,
    def: &'static ResourceDef,
    tenant: TenantId,
    query: &ListQuery,
    with_cursor: bool,
) -> SqlBuilder {
    let table = def.storage.table;
    let time = sort_column(def.time);
    let mut out = SqlBuilder::new(dialect);
    out.push(&format!("{table}.tenant_id = "));
    out.param(SqlParam::Text(tenant.to_string()));
    match query.scope {
        Scope::All => {}
        Scope::Since(since) => {
            out.push(&format!(" AND {table}.{time} >= "));
            out.param(SqlParam::Int(since));
        }
        Scope::Latest => {
            if let Some(FunctionKind::LatestPer(key)) = def.function.as_ref().map(|f| &f.kind) {
                // No newer row for the same key: later time, or the same time and a greater id.
                let key = sort_column(key);
                out.push(&format!(
                    " AND NOT EXISTS (SELECT 1 FROM {table} AS newer \
                     WHERE newer.tenant_id = {table}.tenant_id AND newer.{key} = {table}.{key} \
                     AND (newer.{time} > {table}.{time} \
                     OR (newer.{time} = {table}.{time} AND newer.id > {table}.id)))"
                ));
            }
        }
    }
    if let Some(expr) = &query.filter {
        out.push(" AND ");
        filter::translate(def, expr, &mut out);
    }
    if let Some(cursor) = query
        .after
        .as_ref()
        .filter(|cursor| with_cursor && !cursor.0.is_empty())
    {
        // Lexicographic "after": (k1 > v1) OR (k1 = v1 AND k2 > v2) OR ...
        let order = query.effective_order(def);
        out.push(" AND (");
        for (depth, key) in order.iter().enumerate().take(cursor.0.len()) {
            if depth > 0 {
                out.push(" OR ");
            }
            out.push("(");
            for (earlier, value) in order.iter().zip(&cursor.0).take(depth) {
                out.push(&format!("{table}.{}", sort_column(earlier.property)));
                out.push(" = ");
                out.param(param(value));
                out.push(" AND ");
            }
            out.push(&format!("{table}.{}", sort_column(key.property)));
            out.push(match key.direction {
                SortDirection::Desc => " < ",
                SortDirection::Asc => " > ",
            });
            out.param(param(&cursor.0[depth]));
            out.push(")");
        }
        out.push(")");
    }
    out
}

/// The ORDER BY clause (without the keywords) for a query's effective order.
pub fn order_by(def: &'static ResourceDef, query: &ListQuery) -> String {
    query
        .effective_order(def)
        .iter()
        .map(|key| {
            format!(
                "{} {}",
                sort_column(key.property),
                match key.direction {
                    SortDirection::Desc => "DESC",
                    SortDirection::Asc => "ASC",
                }
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn param(value: &CursorValue) -> SqlParam {
    match value {
        CursorValue::Int(number) => SqlParam::Int(*number),
        CursorValue::Text(text) => SqlParam::Text(text.clone()),
        CursorValue::Id(id) => SqlParam::Text(id.to_string()),
        CursorValue::Null => SqlParam::NullText,
    }
}
