//! What the numbers derived from the directory read (SPEC §12.3): the premium license insight's
//! inputs, with the stamp that says when they last changed, and the candidates of the reclaim
//! list.
//!
//! **The stamp.** `insight_stamps` holds one counter per tenant that triggers raise, in the
//! writing transaction, whenever an input of the insight changes: any write to
//! `azureADUserFeatureUsage`, a SKU's creation, deletion or new units or plans, and a user who
//! becomes or stops being a guest. (assignLicense changes none of these and raises nothing.)
//! Triggers see every writer (the server, `tally import` in another process, other tally
//! processes on one PostgreSQL), so a reader that kept what it computed at stamp N may serve it
//! for as long as the stamp is still N, and the numbers stay exact after any write.

use std::borrow::Cow;
use std::collections::HashSet;

use tally_model::directory::insight::Usage;
use tally_model::directory::{Sku, User};
use tally_model::resources::USER_FEATURE_USAGE;
use uuid::Uuid;

use super::sql::{user_select_with, HOLDERS, USERS};
use super::statements::Statement;
use crate::query::{ListQuery, Scope};
use crate::sql::select::where_clause;
use crate::sql::{Dialect, SqlBuilder, SqlParam};
use crate::{Store, StoreError, TenantId};

/// The stamp table and its triggers (run at every start, after the directory's tables).
pub fn create_stamps(dialect: Dialect) -> String {
    let feature_table = USER_FEATURE_USAGE.storage.table;
    match dialect {
        Dialect::Sqlite => {
            let bump = |name: &str, event: &str, row: &str, when: &str| {
                format!(
                    "CREATE TRIGGER IF NOT EXISTS {name} AFTER {event} {when} BEGIN \
                     INSERT INTO insight_stamps (tenant_id, stamp) VALUES ({row}.tenant_id, 1) \
                     ON CONFLICT (tenant_id) DO UPDATE SET stamp = stamp + 1; END;\n"
                )
            };
            [
                "CREATE TABLE IF NOT EXISTS insight_stamps (tenant_id TEXT PRIMARY KEY, \
                 stamp INTEGER NOT NULL) WITHOUT ROWID;\n"
                    .to_owned(),
                bump(
                    "insight_feature_insert",
                    "INSERT",
                    "NEW",
                    &format!("ON {feature_table}"),
                ),
                bump(
                    "insight_feature_update",
                    "UPDATE",
                    "NEW",
                    &format!("ON {feature_table}"),
                ),
                bump(
                    "insight_feature_delete",
                    "DELETE",
                    "OLD",
                    &format!("ON {feature_table}"),
                ),
                bump("insight_sku_insert", "INSERT", "NEW", "ON directory_skus"),
                bump("insight_sku_delete", "DELETE", "OLD", "ON directory_skus"),
                bump(
                    "insight_sku_update",
                    "UPDATE OF body, capacity",
                    "NEW",
                    "ON directory_skus",
                ),
                bump(
                    "insight_guest_insert",
                    "INSERT",
                    "NEW",
                    &format!("ON {USERS} WHEN NEW.user_type = 'Guest'"),
                ),
                bump(
                    "insight_guest_delete",
                    "DELETE",
                    "OLD",
                    &format!("ON {USERS} WHEN OLD.user_type = 'Guest'"),
                ),
                bump(
                    "insight_guest_update",
                    "UPDATE OF user_type",
                    "NEW",
                    &format!("ON {USERS} WHEN OLD.user_type IS NOT NEW.user_type"),
                ),
            ]
            .concat()
        }
        Dialect::Postgres => {
            let trigger = |name: &str, event: &str, table: &str, when: &str| {
                format!(
                    "CREATE OR REPLACE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW \
                     {when} EXECUTE FUNCTION tally_insight_bump();\n"
                )
            };
            [
                "CREATE TABLE IF NOT EXISTS insight_stamps (tenant_id TEXT PRIMARY KEY, \
                 stamp BIGINT NOT NULL);\n\
                 CREATE OR REPLACE FUNCTION tally_insight_bump() RETURNS trigger \
                 LANGUAGE plpgsql AS $$ BEGIN \
                 INSERT INTO insight_stamps (tenant_id, stamp) VALUES \
                 (CASE WHEN TG_OP = 'DELETE' THEN OLD.tenant_id ELSE NEW.tenant_id END, 1) \
                 ON CONFLICT (tenant_id) DO UPDATE SET stamp = insight_stamps.stamp + 1; \
                 RETURN NULL; END $$;\n"
                    .to_owned(),
                trigger(
                    "insight_feature",
                    "INSERT OR UPDATE OR DELETE",
                    feature_table,
                    "",
                ),
                trigger(
                    "insight_sku",
                    "INSERT OR DELETE OR UPDATE OF body, capacity",
                    "directory_skus",
                    "",
                ),
                trigger(
                    "insight_guest_insert",
                    "INSERT",
                    USERS,
                    "WHEN (NEW.user_type = 'Guest')",
                ),
                trigger(
                    "insight_guest_delete",
                    "DELETE",
                    USERS,
                    "WHEN (OLD.user_type = 'Guest')",
                ),
                trigger(
                    "insight_guest_update",
                    "UPDATE OF user_type",
                    USERS,
                    "WHEN (OLD.user_type IS DISTINCT FROM NEW.user_type)",
                ),
            ]
            .concat()
        }
    }
}

/// The tenant's stamp (0 before any change).
pub(crate) fn stamp_select(dialect: Dialect) -> Cow<'static, str> {
    static STAMP: Statement =
        Statement::fixed("SELECT stamp FROM insight_stamps WHERE tenant_id = ?");
    STAMP.render(dialect)
}

/// The ids of the tenant's guests.
pub(crate) fn guests_select(dialect: Dialect) -> Cow<'static, str> {
    static GUESTS: Statement = Statement::fixed(
        "SELECT id FROM directory_users WHERE tenant_id = ? AND user_type = 'Guest'",
    );
    GUESTS.render(dialect)
}

/// Each user's latest azureADUserFeatureUsage record (the function's rule, ties by the
/// greater id): its userId and its details' stored JSON.
pub(crate) fn latest_records(dialect: Dialect, tenant: TenantId) -> SqlBuilder {
    let def = &USER_FEATURE_USAGE;
    let query = ListQuery {
        scope: Scope::Latest,
        ..ListQuery::default()
    };
    let condition = where_clause(dialect, def, tenant, &query, false);
    let details = match dialect {
        Dialect::Sqlite => "details",
        Dialect::Postgres => "details::text",
    };
    let mut out = SqlBuilder::new(dialect);
    out.push(&format!(
        "SELECT user_id, {details} FROM {} WHERE {}",
        def.storage.table, condition.sql
    ));
    out.params = condition.params;
    out
}

/// The insight's inputs, read: the SKUs, the guests, and each latest record.
pub(crate) struct UsageBuilder {
    usage: Usage,
    guests: HashSet<String>,
}

impl UsageBuilder {
    pub(crate) fn new(skus: &[Sku], guests: HashSet<String>) -> Self {
        Self {
            usage: Usage::new(skus),
            guests,
        }
    }

    /// Adds a user's latest record (a userId without a `/users` entry counts as a member).
    pub(crate) fn add(&mut self, user_id: &str, details: &str) -> Result<(), StoreError> {
        let guest = self.guests.contains(&user_id.to_ascii_lowercase());
        self.usage.add_record(details, guest).map_err(|error| {
            StoreError::Internal(format!("stored featureUsageDetails of {user_id}: {error}"))
        })
    }

    pub(crate) fn finish(self) -> Usage {
        self.usage.finish()
    }
}

/// Which users a reclaim list reads: holders of some SKU of the type whose latest sign-in
/// lies outside the 30 days up to now (or who never signed in), in id order. The handler still
/// checks each one's type by the rules (disabled plans may lower it).
#[derive(Clone, Debug)]
pub struct ReclaimQuery {
    /// The SKUs whose plans include the type's deciding plan.
    pub skus: Vec<Uuid>,
    /// The active window, in ticks: [from, to].
    pub active: (i64, i64),
    pub after: Option<String>,
    pub limit: usize,
}

pub(crate) fn reclaim_candidates(
    dialect: Dialect,
    tenant: TenantId,
    query: &ReclaimQuery,
) -> SqlBuilder {
    let latest = match dialect {
        Dialect::Sqlite => "MAX",
        Dialect::Postgres => "GREATEST",
    };
    let mut out = SqlBuilder::new(dialect);
    // The candidates are chosen from the narrow sign-in index in id order, and only they are
    // read whole (their rows are wide); a row never shows the user's plans, left unread.
    out.push(&user_select_with(dialect, false));
    out.push(" JOIN (SELECT u.id AS candidate FROM directory_users AS u WHERE u.tenant_id = ");
    out.param(SqlParam::Text(tenant.to_string()));
    if let Some(after) = &query.after {
        out.push(" AND u.id > ");
        out.param(SqlParam::Text(after.clone()));
    }
    out.push(&format!(
        " AND NOT ({latest}(COALESCE(u.sign_in_last_ticks, -1), \
         COALESCE(u.sign_in_non_interactive_ticks, -1)) BETWEEN "
    ));
    out.param(SqlParam::Int(query.active.0));
    out.push(" AND ");
    out.param(SqlParam::Int(query.active.1));
    // One seek per user into the by-user index, then the user's few licenses checked against
    // the list (SQLite's `+` keeps it from probing the index once per listed SKU instead).
    let sku = match dialect {
        Dialect::Sqlite => "+h.sku_id",
        Dialect::Postgres => "h.sku_id",
    };
    out.push(&format!(
        ") AND EXISTS (SELECT 1 FROM {HOLDERS} AS h WHERE h.tenant_id = u.tenant_id \
         AND h.user_id = u.id AND {sku} IN ("
    ));
    for (index, sku) in query.skus.iter().enumerate() {
        if index > 0 {
            out.push(", ");
        }
        out.param(SqlParam::Text(sku.to_string()));
    }
    out.push(")) ORDER BY u.id LIMIT ");
    out.param(SqlParam::Int(query.limit as i64));
    out.push(&format!(") AS c ON {USERS}.tenant_id = "));
    out.param(SqlParam::Text(tenant.to_string()));
    out.push(&format!(
        " AND {USERS}.id = c.candidate ORDER BY c.candidate"
    ));
    out
}

impl Store {
    /// The tenant's insight stamp: it changes whenever an input of the insight does.
    pub async fn insight_stamp(&self, tenant: TenantId) -> Result<i64, StoreError> {
        match self {
            Store::Sqlite(store) => store.insight_stamp(tenant).await,
            Store::Postgres(store) => store.read(tenant, store.insight_stamp(tenant)).await,
        }
    }

    /// The insight's inputs, counted, with the stamp they were read at (read before them: a
    /// change while reading leaves the result under an older stamp, so it is read again).
    pub async fn insight_usage(&self, tenant: TenantId) -> Result<(i64, Usage), StoreError> {
        let stamp = self.insight_stamp(tenant).await?;
        let skus = self.list_skus(tenant).await?;
        let usage = match self {
            Store::Sqlite(store) => store.insight_usage(tenant, skus).await?,
            Store::Postgres(store) => {
                store
                    .read(tenant, store.insight_usage(tenant, skus))
                    .await?
            }
        };
        Ok((stamp, usage))
    }

    /// Up to `query.limit` reclaim candidates after `query.after`, in id order.
    pub async fn reclaim_candidates(
        &self,
        tenant: TenantId,
        query: ReclaimQuery,
    ) -> Result<Vec<User>, StoreError> {
        if query.skus.is_empty() {
            return Ok(Vec::new());
        }
        match self {
            Store::Sqlite(store) => store.reclaim_candidates(tenant, query).await,
            Store::Postgres(store) => {
                store
                    .read(tenant, store.reclaim_candidates(tenant, query))
                    .await
            }
        }
    }
}
