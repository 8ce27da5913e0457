//! The derived numbers' reads on PostgreSQL (see `crate::directory::insight`).

use std::collections::HashSet;

use tally_model::directory::insight::Usage;
use tally_model::directory::{Sku, User};

use super::rows::{borrowed, postgres_params};
use super::PgStore;
use crate::directory::decode_user;
use crate::directory::insight::{
    guests_select, latest_records, reclaim_candidates, stamp_select, ReclaimQuery, UsageBuilder,
};
use crate::sql::Dialect;
use crate::{StoreError, TenantId};

impl PgStore {
    pub async fn insight_stamp(&self, tenant: TenantId) -> Result<i64, StoreError> {
        let client = self.pool.get().await?;
        let row = client
            .query_opt(&*stamp_select(Dialect::Postgres), &[&tenant.to_string()])
            .await?;
        Ok(row.map_or(0, |row| row.get(0)))
    }

    pub async fn insight_usage(
        &self,
        tenant: TenantId,
        skus: Vec<Sku>,
    ) -> Result<Usage, StoreError> {
        let client = self.pool.get().await?;
        let guests = client
            .query(&*guests_select(Dialect::Postgres), &[&tenant.to_string()])
            .await?
            .iter()
            .map(|row| row.get::<_, &str>(0).to_ascii_lowercase())
            .collect::<HashSet<_>>();
        let mut usage = UsageBuilder::new(&skus, guests);
        let built = latest_records(Dialect::Postgres, tenant);
        let params = postgres_params(built.params);
        for row in client.query(&built.sql, &borrowed(&params)).await? {
            usage.add(row.get(0), row.get(1))?;
        }
        Ok(usage.finish())
    }

    pub async fn reclaim_candidates(
        &self,
        tenant: TenantId,
        query: ReclaimQuery,
    ) -> Result<Vec<User>, StoreError> {
        let client = self.pool.get().await?;
        let built = reclaim_candidates(Dialect::Postgres, tenant, &query);
        let params = postgres_params(built.params);
        client
            .query(&built.sql, &borrowed(&params))
            .await?
            .iter()
            .map(decode_user)
            .collect()
    }
}
