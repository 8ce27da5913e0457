//! The directory's SQL in both dialects: its tables, and the statements the backends run.
//! Strings sort ordinally (`COLLATE "C"` on PostgreSQL), as the reports' do.

use tally_odata::query::{SortDirection, TypedExpr};

use super::rows::USER_COLUMNS;
use super::UserQuery;
use crate::query::{Cursor, CursorValue};
use crate::sql::filter::translate_on;
use crate::sql::{Dialect, SqlBuilder, SqlParam};
use crate::TenantId;

pub const USERS: &str = "directory_users";

/// The tables (`CREATE … IF NOT EXISTS`: run at every start, after the migrations).
pub fn create_tables(dialect: Dialect) -> String {
    let (text, int, boolean, json, rowid) = match dialect {
        Dialect::Sqlite => ("TEXT", "INTEGER", "INTEGER", "TEXT", " WITHOUT ROWID"),
        Dialect::Postgres => ("TEXT COLLATE \"C\"", "BIGINT", "BOOLEAN", "JSONB", ""),
    };
    let mut sql = format!(
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
    id TEXT NOT NULL,
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
CREATE INDEX IF NOT EXISTS directory_users_by_name ON {USERS} (tenant_id, display_name, id);
"
    );
    if dialect == Dialect::Postgres {
        // `assignedLicenses/any(x: x/skuId eq …)` is a containment test this index answers.
        sql.push_str(&format!(
            "CREATE INDEX IF NOT EXISTS directory_users_by_license ON {USERS} \
             USING GIN (assigned_licenses jsonb_path_ops);\n"
        ));
    }
    sql
}

/// `SELECT` of a user's columns in the order [`super::decode_user`] reads them.
pub fn user_select(dialect: Dialect) -> String {
    let (enabled, licenses, plans) = match dialect {
        Dialect::Sqlite => ("account_enabled", "assigned_licenses", "assigned_plans"),
        Dialect::Postgres => (
            "account_enabled::int::bigint",
            "assigned_licenses::text",
            "assigned_plans::text",
        ),
    };
    format!(
        "SELECT id, user_principal_name, {enabled}, display_name, given_name, surname, \
         job_title, mail, mail_nickname, user_type, usage_location, sign_in_last_text, \
         sign_in_non_interactive_text, sign_in_successful_text, {licenses}, {plans} FROM {USERS}"
    )
}

/// The placeholder of parameter `number` (1-based) for `column`.
fn placeholder(dialect: Dialect, number: usize, column: &str) -> String {
    match dialect {
        Dialect::Sqlite => "?".into(),
        Dialect::Postgres => match column {
            "account_enabled" => format!("(${number}::bigint <> 0)"),
            "assigned_licenses" | "assigned_plans" => format!("${number}::text::jsonb"),
            c if c.ends_with("_ticks") => format!("${number}::bigint"),
            _ => format!("${number}::text"),
        },
    }
}

/// `INSERT` of a user: tenant first, then [`USER_COLUMNS`].
pub fn insert_user(dialect: Dialect) -> String {
    let values: Vec<String> = std::iter::once(placeholder(dialect, 1, "tenant_id"))
        .chain(
            USER_COLUMNS
                .iter()
                .enumerate()
                .map(|(index, column)| placeholder(dialect, index + 2, column)),
        )
        .collect();
    format!(
        "INSERT INTO {USERS} (tenant_id, {}) VALUES ({})",
        USER_COLUMNS.join(", "),
        values.join(", ")
    )
}

/// `UPDATE` of every column of a user but its id, by tenant and id: parameters are
/// [`USER_COLUMNS`] after id, then tenant, then id (so the row's values come first, as in
/// [`super::rows::user_params`] without the id).
pub fn update_user(dialect: Dialect) -> String {
    let columns = &USER_COLUMNS[1..];
    let sets: Vec<String> = columns
        .iter()
        .enumerate()
        .map(|(index, column)| format!("{column} = {}", placeholder(dialect, index + 1, column)))
        .collect();
    let tenant = placeholder(dialect, columns.len() + 1, "tenant_id");
    let id = placeholder(dialect, columns.len() + 2, "id");
    format!(
        "UPDATE {USERS} SET {} WHERE tenant_id = {tenant} AND id = {id}",
        sets.join(", ")
    )
}

/// The sort key of a listing: a nullable string as `''` so that keyset paging sees values.
fn sort_key(query: &UserQuery) -> Option<(String, SortDirection)> {
    query.order.map(|order| {
        (
            format!("COALESCE({USERS}.{}, '')", order.property.column),
            order.direction,
        )
    })
}

fn scoped(dialect: Dialect, tenant: TenantId, filter: Option<&TypedExpr>) -> SqlBuilder {
    let mut sql = SqlBuilder::new(dialect);
    sql.push(&user_select(dialect));
    sql.push(" WHERE tenant_id = ");
    sql.param(SqlParam::Text(tenant.to_string()));
    if let Some(filter) = filter {
        sql.push(" AND ");
        translate_on(USERS, filter, &mut sql);
    }
    sql
}

/// One page of users (one more than the page size, to know whether another follows).
pub fn list_users(dialect: Dialect, tenant: TenantId, query: &UserQuery) -> SqlBuilder {
    let mut sql = scoped(dialect, tenant, query.filter.as_ref());
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
                Some(CursorValue::Text(text)) => text.clone(),
                _ => String::new(),
            };
            let op = match direction {
                SortDirection::Asc => ">",
                SortDirection::Desc => "<",
            };
            sql.push(&format!(" AND ({key} {op} "));
            sql.param(SqlParam::Text(value.clone()));
            sql.push(&format!(" OR ({key} = "));
            sql.param(SqlParam::Text(value));
            sql.push(&format!(" AND {USERS}.id {op} "));
            sql.param(SqlParam::Text(id(after)));
            sql.push("))");
        }
        (_, None) => {}
    }
    match sort_key(query) {
        None => sql.push(&format!(" ORDER BY {USERS}.id")),
        Some((key, direction)) => {
            let direction = direction.as_str();
            sql.push(&format!(
                " ORDER BY {key} {direction}, {USERS}.id {direction}"
            ));
        }
    }
    sql.push(" LIMIT ");
    sql.param(SqlParam::Int(query.page_size as i64 + 1));
    if query.after.is_none() && query.skip > 0 {
        sql.push(" OFFSET ");
        sql.param(SqlParam::Int(i64::try_from(query.skip).unwrap_or(i64::MAX)));
    }
    sql
}

/// The number of users the filter matches.
pub fn count_users(dialect: Dialect, tenant: TenantId, filter: Option<&TypedExpr>) -> SqlBuilder {
    let mut sql = SqlBuilder::new(dialect);
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
        values.push(CursorValue::Text(value.unwrap_or_default()));
    }
    values.push(CursorValue::Id(user.id));
    Cursor(values)
}

pub const SKU_SELECT: &str = "SELECT sku_id, body, consumed_units FROM directory_skus";
