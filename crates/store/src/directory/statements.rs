//! The directory's statements (the writes' and a few fixed reads'), each written once with `?`
//! placeholders and rendered for the dialect that runs it: `?` stays `?` on SQLite and becomes
//! `$n` on PostgreSQL, which infers the type from the column; a value whose column type differs
//! from the parameter's is marked, `?json` (JSON text into a JSONB column) and `?flag` (0/1
//! into a BOOLEAN column).

use std::borrow::Cow;

use super::rows::USER_COLUMNS;
use super::sql::{HOLDERS, SKUS, USERS};
use crate::sql::Dialect;

/// A statement in both dialects.
#[derive(Clone, Debug)]
pub(crate) struct Statement {
    source: Cow<'static, str>,
    /// Whether a backend may keep it prepared: the statement is one of a bounded set (not, say,
    /// a multi-row `INSERT` sized by its batch).
    pub(crate) reusable: bool,
}

impl Statement {
    pub(crate) const fn fixed(source: &'static str) -> Self {
        Self {
            source: Cow::Borrowed(source),
            reusable: true,
        }
    }

    /// A statement put together at run time, one of few shapes.
    pub(crate) fn built(source: String) -> Self {
        Self {
            source: Cow::Owned(source),
            reusable: true,
        }
    }

    /// A statement of a shape seldom seen again.
    pub(crate) fn one_off(source: String) -> Self {
        Self {
            source: Cow::Owned(source),
            reusable: false,
        }
    }

    /// The text `dialect` runs.
    pub(crate) fn render(&self, dialect: Dialect) -> Cow<'_, str> {
        if !self.source.contains('?') {
            return Cow::Borrowed(&self.source);
        }
        let mut out = String::with_capacity(self.source.len() + 16);
        let mut rest: &str = &self.source;
        let mut number = 0;
        while let Some(at) = rest.find('?') {
            out.push_str(&rest[..at]);
            rest = &rest[at + 1..];
            number += 1;
            let marker = ["json", "flag"]
                .into_iter()
                .find(|marker| rest.starts_with(marker));
            if let Some(marker) = marker {
                rest = &rest[marker.len()..];
            }
            match (dialect, marker) {
                (Dialect::Sqlite, _) => out.push('?'),
                (Dialect::Postgres, None) => out.push_str(&format!("${number}")),
                (Dialect::Postgres, Some("json")) => {
                    out.push_str(&format!("${number}::text::jsonb"));
                }
                (Dialect::Postgres, Some(_)) => out.push_str(&format!("(${number}::bigint <> 0)")),
            }
        }
        out.push_str(rest);
        Cow::Owned(out)
    }
}

/// `SELECT` of a SKU's columns in the order [`super::decode_sku`] reads them.
pub(crate) const SKU_SELECT: &str = "SELECT sku_id, body, consumed_units FROM directory_skus";

/// One SKU by tenant and skuId; `lock` is the transaction's lock clause.
pub(crate) fn sku_by_id(lock: &str) -> Statement {
    Statement::built(format!(
        "{SKU_SELECT} WHERE tenant_id = ? AND sku_id = ?{lock}"
    ))
}

/// The tenant's SKUs in skuId order (the order writers lock them in).
pub(crate) fn skus_of_tenant(lock: &str) -> Statement {
    Statement::built(format!(
        "{SKU_SELECT} WHERE tenant_id = ? ORDER BY sku_id{lock}"
    ))
}

/// tenant, skuId, body, capacity, consumed units; a SKU that exists changes nothing.
pub(crate) const SKU_INSERT: Statement = Statement::fixed(
    "INSERT INTO directory_skus (tenant_id, sku_id, body, capacity, consumed_units) \
     VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
);

/// body, capacity; tenant, skuId.
pub(crate) const SKU_UPDATE: Statement = Statement::fixed(
    "UPDATE directory_skus SET body = ?, capacity = ? WHERE tenant_id = ? AND sku_id = ?",
);

/// tenant, skuId.
pub(crate) const SKU_DELETE: Statement =
    Statement::fixed("DELETE FROM directory_skus WHERE tenant_id = ? AND sku_id = ?");

/// Takes units only if they are free: units, tenant, skuId, units. No row changed means the
/// SKU has fewer free units than that (PostgreSQL re-checks the condition on the latest row
/// once the row's lock is granted, so racing writers cannot oversell).
pub(crate) const UNITS_TAKE: Statement = Statement::fixed(
    "UPDATE directory_skus SET consumed_units = consumed_units + ? \
     WHERE tenant_id = ? AND sku_id = ? AND consumed_units + ? <= capacity",
);

/// Gives a unit back: tenant, skuId.
pub(crate) const UNIT_RELEASE: Statement = Statement::fixed(
    "UPDATE directory_skus SET consumed_units = consumed_units - 1 \
     WHERE tenant_id = ? AND sku_id = ? AND consumed_units > 0",
);

/// Records that a user holds a SKU: tenant, skuId, user id.
pub(crate) const HOLDER_INSERT: Statement = Statement::fixed(
    "INSERT INTO directory_user_licenses (tenant_id, sku_id, user_id) VALUES (?, ?, ?) \
     ON CONFLICT DO NOTHING",
);

/// Records that a user no longer holds a SKU: tenant, skuId, user id.
pub(crate) const HOLDER_DELETE: Statement = Statement::fixed(
    "DELETE FROM directory_user_licenses WHERE tenant_id = ? AND sku_id = ? AND user_id = ?",
);

/// `rows` holders at once: per row tenant, skuId, user id.
pub(crate) fn holders_insert(rows: usize) -> Statement {
    let tuples = vec!["(?, ?, ?)"; rows].join(", ");
    Statement::one_off(format!(
        "INSERT INTO {HOLDERS} (tenant_id, sku_id, user_id) VALUES {tuples}"
    ))
}

/// The placeholder of a user column.
fn user_value(column: &str) -> &'static str {
    match column {
        "account_enabled" => "?flag",
        "assigned_licenses" | "assigned_plans" => "?json",
        _ => "?",
    }
}

/// `INSERT` of `rows` users, each the tenant then [`USER_COLUMNS`], and `conflict` after
/// (an `ON CONFLICT …` clause, or nothing).
pub(crate) fn users_insert(rows: usize, conflict: &str) -> Statement {
    let values: Vec<&str> = std::iter::once("?")
        .chain(USER_COLUMNS.iter().map(|column| user_value(column)))
        .collect();
    let tuple = format!("({})", values.join(", "));
    let source = format!(
        "INSERT INTO {USERS} (tenant_id, {}) VALUES {}{conflict}",
        USER_COLUMNS.join(", "),
        vec![tuple; rows].join(", ")
    );
    if rows == 1 {
        Statement::built(source)
    } else {
        Statement::one_off(source)
    }
}

/// `UPDATE` of every column of a user but its id: [`USER_COLUMNS`] after id, then tenant, id.
pub(crate) fn user_update() -> Statement {
    let sets: Vec<String> = USER_COLUMNS[1..]
        .iter()
        .map(|column| format!("{column} = {}", user_value(column)))
        .collect();
    Statement::built(format!(
        "UPDATE {USERS} SET {} WHERE tenant_id = ? AND id = ?",
        sets.join(", ")
    ))
}

/// tenant, id.
pub(crate) const USER_DELETE: Statement =
    Statement::fixed("DELETE FROM directory_users WHERE tenant_id = ? AND id = ?");

/// Empties the tenant's directory, holders first: tenant, for each.
pub(crate) fn tenant_deletes() -> [Statement; 4] {
    let subscriptions = tally_model::resources::COMPANY_SUBSCRIPTION.storage.table;
    [subscriptions, HOLDERS, USERS, SKUS]
        .map(|table| Statement::built(format!("DELETE FROM {table} WHERE tenant_id = ?")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_and_cast_where_the_column_needs_it() {
        let statement = Statement::fixed("INSERT INTO t (a, b, c) VALUES (?, ?json, ?flag)");
        assert_eq!(
            statement.render(Dialect::Postgres),
            "INSERT INTO t (a, b, c) VALUES ($1, $2::text::jsonb, ($3::bigint <> 0))"
        );
        assert_eq!(
            statement.render(Dialect::Sqlite),
            "INSERT INTO t (a, b, c) VALUES (?, ?, ?)"
        );
    }

    #[test]
    fn a_user_row_renders_one_placeholder_per_column() {
        let text = users_insert(2, "").render(Dialect::Postgres).into_owned();
        assert!(text.contains("$42"), "{text}");
        assert!(!text.contains("$43"), "{text}");
    }
}
