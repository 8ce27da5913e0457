//! The PostgreSQL backend, for several tally processes on one database. Each write is one
//! transaction; a conditional write locks its row (`SELECT … FOR UPDATE`), so If-Match
//! read-modify-writes from any number of processes never lose an update. PostgreSQL's own commit
//! (with `synchronous_commit` on, its default) makes the write durable before tally answers.
//!
//! While the database is unreachable, operations fail with [`StoreError::Unavailable`] (a 503),
//! and the pool replaces broken connections once it is back: no restart needed.

mod apps;
mod deadline;
mod directory;
mod insight;
mod liveness;
mod rows;
mod schema;

use deadpool_postgres::{GenericClient, Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use tally_model::resources::ResourceDef;
use tally_model::{Entity, NewEntity, Patch, Precondition, Versioned};
use tokio_postgres::NoTls;
use uuid::Uuid;

use crate::conditional::{decide_delete, decide_update, Decision};
use crate::layout::{layout, Layout};
use crate::query::{ListQuery, Page};
use crate::sql::{select, Dialect};
use crate::{BulkInsert, StoreError, TenantId, WriteOutcome};
use rows::{borrowed, postgres_params};

fn table(def: &'static ResourceDef) -> &'static Layout {
    layout(def, Dialect::Postgres)
}

const POOL_SIZE: usize = 16;

/// The PostgreSQL store.
pub struct PgStore {
    pool: Pool,
    limits: crate::StoreLimits,
    gate: crate::fair::TenantGate,
    /// Whether the database answers at all, for lists and counts that run long.
    liveness: Box<liveness::Liveness>,
}

impl From<tokio_postgres::Error> for StoreError {
    fn from(error: tokio_postgres::Error) -> Self {
        // No SQLSTATE means the connection failed; class 08 is connection trouble, 57P0x an
        // administrator's shutdown or restart, 53xxx resources, 40001/40P01 a retryable conflict.
        let retryable = match error.code() {
            None => true,
            // query_canceled: the statement ran over statement_timeout (a read's budget).
            Some(code) if code.code() == "57014" => {
                return StoreError::Budget(std::time::Duration::ZERO);
            }
            Some(code) => {
                let code = code.code();
                code.starts_with("08")
                    || code.starts_with("57P0")
                    || code.starts_with("53")
                    || code == "40001"
                    || code == "40P01"
            }
        };
        if retryable || error.is_closed() {
            StoreError::Unavailable(error.to_string())
        } else {
            StoreError::Internal(error.to_string())
        }
    }
}

impl From<deadpool_postgres::PoolError> for StoreError {
    fn from(error: deadpool_postgres::PoolError) -> Self {
        StoreError::Unavailable(format!("no database connection: {error}"))
    }
}

impl PgStore {
    pub async fn analyze(&self, tables: &[&str]) -> Result<(), StoreError> {
        if tables.is_empty() {
            return Ok(());
        }
        let client = self.pool.get().await?;
        client
            .batch_execute(&format!("ANALYZE {}", tables.join(", ")))
            .await?;
        Ok(())
    }

    /// Connects to `url` (`postgres://…`) and migrates the schema.
    /// With the generous limits of the command-line tools ([`crate::StoreLimits::for_tools`]).
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        Self::connect_with(url, crate::StoreLimits::for_tools()).await
    }

    /// [`PgStore::connect`] with these time limits.
    pub async fn connect_with(url: &str, limits: crate::StoreLimits) -> Result<Self, StoreError> {
        let config: tokio_postgres::Config = url
            .parse()
            .map_err(|error| StoreError::Internal(format!("invalid --database-url: {error}")))?;
        let config = deadline::with_timeouts(config, &limits);
        let timeout = Some(limits.database_timeout);
        let liveness = Box::new(liveness::Liveness::new(config.clone()));
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .wait_timeout(timeout)
            .create_timeout(timeout)
            .recycle_timeout(timeout)
            .runtime(Runtime::Tokio1)
            .build()
            .map_err(|error| {
                StoreError::Internal(format!("building the connection pool: {error}"))
            })?;
        let mut client = pool.get().await?;
        schema::migrate(&mut client).await?;
        drop(client);
        Ok(Self {
            pool,
            limits,
            // Half the pool at most for one tenant's lists and counts.
            gate: crate::fair::TenantGate::new(POOL_SIZE / 2),
            liveness,
        })
    }

    pub async fn create(
        &self,
        def: &'static ResourceDef,
        tenant: TenantId,
        new: NewEntity,
    ) -> Result<Versioned, StoreError> {
        let layout = table(def);
        let entity = new.with_id(Uuid::new_v4());
        let params = postgres_params(layout.insert_params(tenant, &entity, 1));
        let client = self.pool.get().await?;
        client.execute(&layout.insert, &borrowed(&params)).await?;
        Ok(Versioned { entity, version: 1 })
    }

    pub async fn insert_many(
        &self,
        def: &'static ResourceDef,
        tenant: TenantId,
        rows: Vec<Entity>,
    ) -> Result<BulkInsert, StoreError> {
        let layout = table(def);
        let mut client = self.pool.get().await?;
        let transaction = client.transaction().await?;
        let statement = transaction.prepare(&layout.insert_new).await?;
        let mut duplicates = Vec::new();
        for (index, entity) in rows.iter().enumerate() {
            let params = postgres_params(layout.insert_params(tenant, entity, 1));
            if transaction.execute(&statement, &borrowed(&params)).await? == 0 {
                duplicates.push(index);
            }
        }
        transaction.commit().await?;
        Ok(BulkInsert {
            inserted: rows.len() - duplicates.len(),
            duplicates,
        })
    }

    pub async fn get(
        &self,
        def: &'static ResourceDef,
        tenant: TenantId,
        id: Uuid,
    ) -> Result<Option<Versioned>, StoreError> {
        let client = self.pool.get().await?;
        current(&client, table(def), tenant, id, false).await
    }

    pub async fn update(
        &self,
        def: &'static ResourceDef,
        tenant: TenantId,
        id: Uuid,
        patch: Patch,
        precondition: Precondition,
    ) -> Result<WriteOutcome<Versioned>, StoreError> {
        let layout = table(def);
        let mut client = self.pool.get().await?;
        let transaction = client.transaction().await?;
        let locked = current(&transaction, layout, tenant, id, true).await?;
        let stored = match decide_update(locked, patch, &precondition) {
            Decision::Answer(outcome) => return Ok(outcome),
            Decision::Write(stored) => stored,
        };
        let params = postgres_params(layout.update_params(tenant, &stored.entity, stored.version));
        transaction
            .execute(&layout.update, &borrowed(&params))
            .await?;
        transaction.commit().await?;
        Ok(WriteOutcome::Done(stored))
    }

    pub async fn delete(
        &self,
        def: &'static ResourceDef,
        tenant: TenantId,
        id: Uuid,
        precondition: Precondition,
    ) -> Result<WriteOutcome<()>, StoreError> {
        let layout = table(def);
        let mut client = self.pool.get().await?;
        let transaction = client.transaction().await?;
        let locked = current(&transaction, layout, tenant, id, true).await?;
        if let Decision::Answer(outcome) = decide_delete(locked, &precondition) {
            return Ok(outcome);
        }
        transaction
            .execute(&layout.delete, &[&tenant.to_string(), &id.to_string()])
            .await?;
        transaction.commit().await?;
        Ok(WriteOutcome::Done(()))
    }

    pub async fn list(
        &self,
        def: &'static ResourceDef,
        tenant: TenantId,
        query: ListQuery,
    ) -> Result<Page, StoreError> {
        let layout = table(def);
        let selection = select::where_clause(Dialect::Postgres, def, tenant, &query, true);
        let next_param = selection.params.len() + 1;
        let sql = format!(
            "SELECT {} FROM {} WHERE {} ORDER BY {} LIMIT ${next_param}::bigint OFFSET ${}::bigint",
            layout.select_list,
            layout.table(),
            selection.sql,
            select::order_by(def, &query),
            next_param + 1
        );
        let mut params = postgres_params(selection.params);
        params.push(Box::new(query.page_size as i64 + 1));
        params.push(Box::new(i64::try_from(query.skip).unwrap_or(i64::MAX)));
        let client = deadline::Cancellable::new(self.pool.get().await?);
        let rows = client.query(&sql, &borrowed(&params)).await;
        client.done();
        let rows = rows?;
        // jsonb comes back normalised (spaces, key order): decoded, never copied.
        let items = rows
            .iter()
            .map(|row| layout.decode(row, false))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Page::from_overfetched(def, items, &query))
    }

    pub async fn count(
        &self,
        def: &'static ResourceDef,
        tenant: TenantId,
        query: ListQuery,
    ) -> Result<u64, StoreError> {
        let selection = select::where_clause(Dialect::Postgres, def, tenant, &query, false);
        let sql = format!(
            "SELECT COUNT(*) FROM {} WHERE {}",
            def.storage.table, selection.sql
        );
        let params = postgres_params(selection.params);
        let client = deadline::Cancellable::new(self.pool.get().await?);
        let row = client.query_one(&sql, &borrowed(&params)).await;
        client.done();
        let count: i64 = row?.get(0);
        Ok(u64::try_from(count).unwrap_or(0))
    }

    pub async fn ping(&self) -> Result<(), StoreError> {
        let client = self.pool.get().await?;
        client.simple_query("SELECT 1").await?;
        Ok(())
    }

    /// Closes the pool: no new operations; those in flight finish on their connections.
    pub fn shutdown(&self) {
        self.pool.close();
    }
}

/// The object as stored; with `lock`, its row stays locked until the transaction ends.
async fn current(
    client: &impl GenericClient,
    layout: &Layout,
    tenant: TenantId,
    id: Uuid,
    lock: bool,
) -> Result<Option<Versioned>, StoreError> {
    let sql = if lock {
        format!("{} FOR UPDATE", layout.select_one)
    } else {
        layout.select_one.clone()
    };
    let row = client
        .query_opt(&sql, &[&tenant.to_string(), &id.to_string()])
        .await?;
    row.as_ref()
        .map(|row| layout.decode(row, false))
        .transpose()
}
