//! The derived numbers' reads on the embedded backend (see `crate::directory::insight`).

use std::collections::HashSet;

use rusqlite::{params_from_iter, OptionalExtension};
use tally_model::directory::insight::Usage;
use tally_model::directory::{Sku, User};

use super::rows::sqlite_params;
use super::SqliteStore;
use crate::directory::decode_user;
use crate::directory::insight::{
    guests_select, latest_records, reclaim_candidates, stamp_select, ReclaimQuery, UsageBuilder,
};
use crate::sql::Dialect;
use crate::{StoreError, TenantId};

impl SqliteStore {
    pub async fn insight_stamp(&self, tenant: TenantId) -> Result<i64, StoreError> {
        self.readers
            .run(move |connection| {
                let mut statement = connection.prepare_cached(&stamp_select(Dialect::Sqlite))?;
                let stamp = statement
                    .query_row([tenant.to_string()], |row| row.get::<_, i64>(0))
                    .optional()?;
                Ok(stamp.unwrap_or(0))
            })
            .await
    }

    pub async fn insight_usage(
        &self,
        tenant: TenantId,
        skus: Vec<Sku>,
    ) -> Result<Usage, StoreError> {
        self.readers
            .run_for(Some(tenant), move |connection| {
                let mut statement = connection.prepare_cached(&guests_select(Dialect::Sqlite))?;
                let guests = statement
                    .query_map([tenant.to_string()], |row| row.get::<_, String>(0))?
                    .map(|id| id.map(|id| id.to_ascii_lowercase()))
                    .collect::<Result<HashSet<_>, _>>()?;
                let mut usage = UsageBuilder::new(&skus, guests);
                let built = latest_records(Dialect::Sqlite, tenant);
                let mut statement = connection.prepare_cached(&built.sql)?;
                let mut rows = statement.query(params_from_iter(sqlite_params(built.params)))?;
                while let Some(row) = rows.next()? {
                    let user_id: String = row.get(0)?;
                    let details: String = row.get(1)?;
                    usage.add(&user_id, &details)?;
                }
                Ok(usage.finish())
            })
            .await
    }

    pub async fn reclaim_candidates(
        &self,
        tenant: TenantId,
        query: ReclaimQuery,
    ) -> Result<Vec<User>, StoreError> {
        self.readers
            .run_for(Some(tenant), move |connection| {
                let built = reclaim_candidates(Dialect::Sqlite, tenant, &query);
                let mut statement = connection.prepare_cached(&built.sql)?;
                let mut rows = statement.query(params_from_iter(sqlite_params(built.params)))?;
                let mut users = Vec::with_capacity(query.limit);
                while let Some(row) = rows.next()? {
                    users.push(decode_user(row)?);
                }
                Ok(users)
            })
            .await
    }
}
