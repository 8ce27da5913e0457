//! The directory's SQL in both dialects: its tables, and the reads of users the backends run
//! (the writes' statements are [`super::statements`]).
//! Strings sort ordinally (`COLLATE "C"` on PostgreSQL), as the reports' do.

use tally_odata::query::{CompareOp, Constant, Operand, SortDirection, TypedExpr};

use super::UserQuery;
use crate::query::{Cursor, CursorValue};
use crate::sql::filter::translate_on;
use crate::sql::{Dialect, SqlBuilder, SqlParam};
use crate::TenantId;

pub const SKUS: &str = "directory_skus";
pub const USERS: &str = "directory_users";
/// Who holds which SKU: one row per assignment, kept with the users' `assigned_licenses` in the
/// same transactions. It answers `assignedLicenses/any(x: x/skuId eq …)` from an index.
pub const HOLDERS: &str = "directory_user_licenses";

/// The tables (`CREATE … IF NOT EXISTS`: run at every start, after the migrations).
pub fn create_tables(dialect: Dialect) -> String {
    let (text, int, boolean, json, rowid) = match dialect {
        Dialect::Sqlite => ("TEXT", "INTEGER", "INTEGER", "TEXT", " WITHOUT ROWID"),
        Dialect::Postgres => ("TEXT COLLATE \"C\"", "BIGINT", "BOOLEAN", "JSONB", ""),
    };
    // `$orderby=displayName` puts nulls first: SQLite's order already; PostgreSQL's index says
    // so (it replaces one of earlier versions that sorted them last).
    let by_name = match dialect {
        Dialect::Sqlite => format!(
            "CREATE INDEX IF NOT EXISTS directory_users_by_name ON {USERS} (tenant_id, display_name, id);"
        ),
        Dialect::Postgres => format!(
            "CREATE INDEX IF NOT EXISTS directory_users_by_name_nulls_first ON {USERS} (tenant_id, display_name NULLS FIRST, id);\n\
             DROP INDEX IF EXISTS directory_users_by_name;"
        ),
    };
    let stamps = super::holders::CREATE_STAMPS;
    format!(
        "CREATE TABLE IF NOT EXISTS directory_skus (
    tenant_id TEXT NOT NULL,
    sku_id TEXT NOT NULL,
    body TEXT NOT NULL,
    capacity {int} NOT NULL,
    consumed_units {int} NOT NULL,
    PRIMARY KEY (tenant_id, sku_id)
){rowid};
CREATE TABLE IF NOT EXISTS {USERS} (
    tenant_id TEXT NOT NULL,
    id {text} NOT NULL,
    user_principal_name {text} NOT NULL,
    upn_key TEXT NOT NULL,
    account_enabled {boolean},
    display_name {text},
    given_name {text},
    surname {text},
    job_title {text},
    mail {text},
    mail_nickname {text},
    user_type {text},
    usage_location {text},
    sign_in_last_text TEXT,
    sign_in_last_ticks {int},
    sign_in_non_interactive_text TEXT,
    sign_in_non_interactive_ticks {int},
    sign_in_successful_text TEXT,
    sign_in_successful_ticks {int},
    assigned_licenses {json} NOT NULL,
    assigned_plans {json} NOT NULL,
    PRIMARY KEY (tenant_id, id)
){rowid};
CREATE UNIQUE INDEX IF NOT EXISTS directory_users_by_upn ON {USERS} (tenant_id, upn_key);
{by_name}
CREATE INDEX IF NOT EXISTS directory_users_by_sign_in ON {USERS} (tenant_id, id, sign_in_last_ticks, sign_in_non_interactive_ticks);
CREATE TABLE IF NOT EXISTS {HOLDERS} (
    tenant_id TEXT NOT NULL,
    sku_id TEXT NOT NULL,
    user_id {text} NOT NULL,
    PRIMARY KEY (tenant_id, sku_id, user_id)
){rowid};
CREATE INDEX IF NOT EXISTS directory_user_licenses_by_user ON {HOLDERS} (tenant_id, user_id, sku_id);
{stamps}"
    )
}

/// `SELECT` of a user's columns in the order [`super::decode_user`] reads them.
pub fn user_select(dialect: Dialect) -> String {
    user_select_with(dialect, true)
}

/// [`user_select`], or without the user's assignedPlans (read as none) when `plans` is false:
/// for reads that never show them, which then skip their JSON.
pub fn user_select_with(dialect: Dialect, plans: bool) -> String {
    let (enabled, licenses, plans_column) = match dialect {
        Dialect::Sqlite => ("account_enabled", "assigned_licenses", "assigned_plans"),
        Dialect::Postgres => (
            "account_enabled::int::bigint",
            "assigned_licenses::text",
            "assigned_plans::text",
        ),
    };
    let plans = if plans { plans_column } else { "'[]'" };
    format!(
        "SELECT {USERS}.id, user_principal_name, {enabled}, display_name, given_name, surname, \
         job_title, mail, mail_nickname, user_type, usage_location, sign_in_last_text, \
         sign_in_non_interactive_text, sign_in_successful_text, {licenses}, {plans} FROM {USERS}"
    )
}

/// A filter whose top level requires one SKU (`assignedLicenses/any(x: x/skuId eq G)`, alone or
/// as a conjunct of an `and`): that SKU, and the other conjuncts. Such a listing is read from the
/// holders' index, in user id order, rather than by walking every user's licenses.
fn holder_scan(filter: Option<&TypedExpr>) -> Option<(String, Vec<&TypedExpr>)> {
    let sku_of = |expr: &TypedExpr| -> Option<String> {
        let TypedExpr::Any {
            collection,
            predicate: Some(predicate),
        } = expr
        else {
            return None;
        };
        if collection.name != "assignedLicenses" {
            return None;
        }
        let TypedExpr::Compare {
            op: CompareOp::Eq,
            left,
            right,
        } = predicate.as_ref()
        else {
            return None;
        };
        match (left, right) {
            (Operand::Member(member), Operand::Constant(Constant::Guid(sku)))
            | (Operand::Constant(Constant::Guid(sku)), Operand::Member(member))
                if member.name == "skuId" =>
            {
                Some(sku.clone())
            }
            _ => None,
        }
    };
    let filter = filter?;
    if let Some(sku) = sku_of(filter) {
        return Some((sku, Vec::new()));
    }
    let TypedExpr::And(items) = filter else {
        return None;
    };
    let (index, sku) = items
        .iter()
        .enumerate()
        .find_map(|(index, item)| sku_of(item).map(|sku| (index, sku)))?;
    let rest = items
        .iter()
        .enumerate()
        .filter(|(other, _)| *other != index)
        .map(|(_, item)| item)
        .collect();
    Some((sku, rest))
}

/// `… FROM` the holders of `sku` joined to their users, `WHERE` the tenant, the SKU and `rest`.
fn from_holders(sql: &mut SqlBuilder, tenant: TenantId, sku: String, rest: &[&TypedExpr]) {
    sql.push(&format!(
        " JOIN {HOLDERS} ON {HOLDERS}.tenant_id = {USERS}.tenant_id AND {HOLDERS}.user_id = {USERS}.id \
         WHERE {HOLDERS}.tenant_id = "
    ));
    sql.param(SqlParam::Text(tenant.to_string()));
    sql.push(&format!(" AND {HOLDERS}.sku_id = "));
    sql.param(SqlParam::Text(sku));
    for expr in rest {
        sql.push(" AND ");
        translate_on(USERS, expr, sql);
    }
}

/// The sort column of a listing and its direction. Nulls come first in ascending order and last
/// in descending, as OData orders them; both dialects are told so (PostgreSQL's default is the
/// opposite), and keyset paging treats a null as a value before every string.
fn sort_key(query: &UserQuery) -> Option<(String, SortDirection)> {
    query.order.map(|order| {
        (
            format!("{USERS}.{}", order.property.column),
            order.direction,
        )
    })
}

/// `ORDER BY` of a sort column in `direction`, nulls first when ascending.
fn order_by(key: &str, direction: SortDirection) -> String {
    match direction {
        SortDirection::Asc => format!(" ORDER BY {key} ASC NULLS FIRST, {USERS}.id ASC"),
        SortDirection::Desc => format!(" ORDER BY {key} DESC NULLS LAST, {USERS}.id DESC"),
    }
}

/// The keyset condition: rows after (`value`, `id`) in [`order_by`]'s order.
fn after_key(
    sql: &mut SqlBuilder,
    key: &str,
    direction: SortDirection,
    value: Option<String>,
    id: String,
) {
    let op = match direction {
        SortDirection::Asc => ">",
        SortDirection::Desc => "<",
    };
    match (direction, value) {
        (SortDirection::Asc, None) => {
            sql.push(&format!(" AND (({key} IS NULL AND {USERS}.id > "));
            sql.param(SqlParam::Text(id));
            sql.push(&format!(") OR {key} IS NOT NULL)"));
        }
        (SortDirection::Desc, None) => {
            sql.push(&format!(" AND {key} IS NULL AND {USERS}.id < "));
            sql.param(SqlParam::Text(id));
        }
        (direction, Some(value)) => {
            let nulls = match direction {
                SortDirection::Asc => String::new(),
                SortDirection::Desc => format!("{key} IS NULL OR "),
            };
            sql.push(&format!(" AND ({nulls}{key} {op} "));
            sql.param(SqlParam::Text(value.clone()));
            sql.push(&format!(" OR ({key} = "));
            sql.param(SqlParam::Text(value));
            sql.push(&format!(" AND {USERS}.id {op} "));
            sql.param(SqlParam::Text(id));
            sql.push("))");
        }
    }
}

fn scoped(
    dialect: Dialect,
    tenant: TenantId,
    filter: Option<&TypedExpr>,
    plans: bool,
) -> SqlBuilder {
    let mut sql = SqlBuilder::new(dialect);
    sql.push(&user_select_with(dialect, plans));
    sql.push(&format!(" WHERE {USERS}.tenant_id = "));
    sql.param(SqlParam::Text(tenant.to_string()));
    if let Some(filter) = filter {
        sql.push(" AND ");
        translate_on(USERS, filter, &mut sql);
    }
    sql
}

/// One page of users (one more than the page size, to know whether another follows).
pub fn list_users(dialect: Dialect, tenant: TenantId, query: &UserQuery) -> SqlBuilder {
    if query.order.is_none() {
        if let Some((sku, rest)) = holder_scan(query.filter.as_ref()) {
            let mut sql = SqlBuilder::new(dialect);
            sql.push(&user_select_with(dialect, !query.without_plans));
            from_holders(&mut sql, tenant, sku, &rest);
            if let Some(CursorValue::Id(after)) = query.after.as_ref().and_then(|c| c.0.last()) {
                sql.push(&format!(" AND {HOLDERS}.user_id > "));
                sql.param(SqlParam::Text(after.to_string()));
            }
            sql.push(&format!(" ORDER BY {HOLDERS}.user_id LIMIT "));
            sql.param(SqlParam::Int(query.page_size as i64 + 1));
            push_offset(&mut sql, query);
            return sql;
        }
    }
    let mut sql = scoped(dialect, tenant, query.filter.as_ref(), !query.without_plans);
    let id = |cursor: &Cursor| match cursor.0.last() {
        Some(CursorValue::Id(id)) => id.to_string(),
        _ => String::new(),
    };
    match (sort_key(query), &query.after) {
        (None, Some(after)) => {
            sql.push(&format!(" AND {USERS}.id > "));
            sql.param(SqlParam::Text(id(after)));
        }
        (Some((key, direction)), Some(after)) => {
            let value = match after.0.first() {
                Some(CursorValue::Text(text)) => Some(text.clone()),
                _ => None,
            };
            after_key(&mut sql, &key, direction, value, id(after));
        }
        (_, None) => {}
    }
    match sort_key(query) {
        None => sql.push(&format!(" ORDER BY {USERS}.id")),
        Some((key, direction)) => sql.push(&order_by(&key, direction)),
    }
    sql.push(" LIMIT ");
    sql.param(SqlParam::Int(query.page_size as i64 + 1));
    push_offset(&mut sql, query);
    sql
}

/// `$skip` on a first page.
fn push_offset(sql: &mut SqlBuilder, query: &UserQuery) {
    if query.after.is_none() && query.skip > 0 {
        sql.push(" OFFSET ");
        sql.param(SqlParam::Int(i64::try_from(query.skip).unwrap_or(i64::MAX)));
    }
}

/// The number of users the filter matches.
pub fn count_users(dialect: Dialect, tenant: TenantId, filter: Option<&TypedExpr>) -> SqlBuilder {
    let mut sql = SqlBuilder::new(dialect);
    if let Some((sku, rest)) = holder_scan(filter) {
        sql.push(&format!("SELECT COUNT(*) FROM {USERS}"));
        from_holders(&mut sql, tenant, sku, &rest);
        return sql;
    }
    sql.push(&format!("SELECT COUNT(*) FROM {USERS} WHERE tenant_id = "));
    sql.param(SqlParam::Text(tenant.to_string()));
    if let Some(filter) = filter {
        sql.push(" AND ");
        translate_on(USERS, filter, &mut sql);
    }
    sql
}

/// The cursor after `user` in `query`'s order.
pub fn cursor_after(query: &UserQuery, user: &tally_model::directory::User) -> Cursor {
    let mut values = Vec::new();
    if let Some(order) = query.order {
        let value = match order.property.name {
            "displayName" => user.profile.display_name.clone(),
            "userPrincipalName" => Some(user.user_principal_name.clone()),
            _ => Some(user.id.to_string()),
        };
        values.push(value.map_or(CursorValue::Null, CursorValue::Text));
    }
    values.push(CursorValue::Id(user.id));
    Cursor(values)
}
