//! The directory on PostgreSQL: a write is a script of [`crate::directory::script`] run in one
//! transaction, which locks what it changes (`FOR UPDATE`: the user's row first, then the SKUs'
//! rows in skuId order, so writers never deadlock) and takes a unit with a conditional
//! `UPDATE`, which PostgreSQL re-checks on the latest row once the lock is granted: racing
//! processes cannot oversell a SKU.

use deadpool_postgres::GenericClient;
use tally_model::directory::{Sku, User, UserKey};
use tally_odata::query::TypedExpr;

use super::rows::{borrowed, postgres_params};
use super::PgStore;
use crate::directory::statements::Statement;
use crate::directory::tx::{Deadline, DirectoryTx, TxError};
use crate::directory::{decode_user, page, script, sql, DirectoryError, UserPage, UserQuery};
use crate::layout::RowAccess;
use crate::sql::{Dialect, SqlParam};
use crate::{StoreError, TenantId};

type Outcome<T> = Result<T, DirectoryError>;

/// A connection or an open transaction, as a directory transaction.
pub(crate) struct PgTx<'a, C> {
    client: &'a C,
}

impl<C: GenericClient> DirectoryTx for PgTx<'_, C> {
    fn dialect(&self) -> Dialect {
        Dialect::Postgres
    }

    fn lock_clause(&self) -> &'static str {
        " FOR UPDATE"
    }

    async fn execute(
        &mut self,
        statement: &Statement,
        params: Vec<SqlParam>,
    ) -> Result<u64, TxError> {
        let text = statement.render(Dialect::Postgres);
        let params = postgres_params(params);
        let params = borrowed(&params);
        let changed = if statement.reusable {
            let prepared = self.client.prepare_cached(&text).await.map_err(tx_error)?;
            self.client.execute(&prepared, &params).await
        } else {
            // Not kept prepared: a multi-row INSERT sized by its batch.
            self.client.execute(text.as_ref(), &params).await
        };
        changed.map_err(tx_error)
    }

    async fn query<T>(
        &mut self,
        statement: &Statement,
        params: Vec<SqlParam>,
        decode: impl Fn(&dyn RowAccess) -> Result<T, StoreError>,
    ) -> Result<Vec<T>, StoreError> {
        let prepared = self
            .client
            .prepare_cached(&statement.render(Dialect::Postgres))
            .await?;
        let params = postgres_params(params);
        let rows = self.client.query(&prepared, &borrowed(&params)).await?;
        rows.iter().map(|row| decode(row)).collect()
    }
}

/// A broken unique key is the script's to name.
fn tx_error(error: tokio_postgres::Error) -> TxError {
    if error.code() == Some(&tokio_postgres::error::SqlState::UNIQUE_VIOLATION) {
        TxError::Duplicate
    } else {
        TxError::Store(error.into())
    }
}

impl PgStore {
    /// Runs a directory script in one transaction, committed if the script succeeds (else
    /// rolled back as it is dropped); an API write within the call's deadline.
    pub(crate) async fn transact<T>(
        &self,
        deadline: Deadline,
        script: impl AsyncFnOnce(&mut PgTx<'_, deadpool_postgres::Transaction<'_>>) -> Outcome<T>,
    ) -> Outcome<T> {
        let run = async {
            let mut client = self.pool.get().await.map_err(StoreError::from)?;
            let transaction = client.transaction().await.map_err(StoreError::from)?;
            let result = script(&mut PgTx {
                client: &transaction,
            })
            .await?;
            transaction.commit().await.map_err(StoreError::from)?;
            Ok(result)
        };
        match deadline {
            Deadline::Unbounded => run.await,
            Deadline::Call => self
                .within(self.call_limit(), async { Ok(run.await) })
                .await
                .unwrap_or_else(|error| Err(error.into())),
        }
    }

    /// Runs a read-only script on a pooled connection, within the read budget.
    pub(crate) async fn read_script<T>(
        &self,
        tenant: TenantId,
        script: impl AsyncFnOnce(&mut PgTx<'_, deadpool_postgres::Object>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.read(tenant, async {
            let client = self.pool.get().await?;
            script(&mut PgTx { client: &client }).await
        })
        .await
    }

    pub async fn list_skus(&self, tenant: TenantId) -> Result<Vec<Sku>, StoreError> {
        self.within(self.call_limit(), async {
            let client = self.pool.get().await?;
            script::read_skus(&mut PgTx { client: &client }, tenant, false).await
        })
        .await
    }

    pub async fn get_user(
        &self,
        tenant: TenantId,
        key: UserKey,
    ) -> Result<Option<User>, StoreError> {
        self.within(self.call_limit(), async {
            let client = self.pool.get().await?;
            script::read_user(&mut PgTx { client: &client }, tenant, &key, false).await
        })
        .await
    }

    pub async fn list_users(
        &self,
        tenant: TenantId,
        query: UserQuery,
    ) -> Result<UserPage, StoreError> {
        self.read(tenant, async {
            let client = self.pool.get().await?;
            let built = sql::list_users(Dialect::Postgres, tenant, &query);
            let params = postgres_params(built.params);
            let rows = client.query(&built.sql, &borrowed(&params)).await?;
            let items = rows
                .iter()
                .map(decode_user)
                .collect::<Result<Vec<_>, _>>()?;
            Ok(page(&query, items))
        })
        .await
    }

    pub async fn count_users(
        &self,
        tenant: TenantId,
        filter: Option<TypedExpr>,
    ) -> Result<u64, StoreError> {
        self.read(tenant, async {
            let client = self.pool.get().await?;
            let built = sql::count_users(Dialect::Postgres, tenant, filter.as_ref());
            let params = postgres_params(built.params);
            let count: i64 = client
                .query_one(&built.sql, &borrowed(&params))
                .await?
                .get(0);
            Ok(u64::try_from(count).unwrap_or(0))
        })
        .await
    }

    pub async fn directory_tenants(&self) -> Result<Vec<TenantId>, StoreError> {
        self.within(self.call_limit(), async {
            let client = self.pool.get().await?;
            let rows = client.query(crate::directory::TENANTS, &[]).await?;
            rows.iter()
                .map(|row| crate::directory::parse_tenant(row.get::<_, &str>(0)))
                .collect()
        })
        .await
    }
}
