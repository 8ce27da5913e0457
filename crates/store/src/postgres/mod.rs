//! The PostgreSQL backend, for several tally processes on one database. Each write is one
//! transaction; a conditional write locks its row (`SELECT … FOR UPDATE`), so If-Match
//! read-modify-writes from any number of processes never lose an update. PostgreSQL's own commit
//! (with `synchronous_commit` on, its default) makes the write durable before tally answers.
//!
//! While the database is unreachable, operations fail with [`StoreError::Unavailable`] (a 503),
//! and the pool replaces broken connections once it is back: no restart needed.

mod deadline;
mod rows;
mod schema;

use deadpool_postgres::{GenericClient, Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use tally_model::{LicenseUsage, LicenseUsagePatch, NewLicenseUsage, Precondition};
use tokio_postgres::NoTls;
use uuid::Uuid;

use crate::conditional::{decide_delete, decide_update, Decision};
use crate::query::{ListQuery, ListedUsage, Page};
use crate::sql::{select, Dialect};
use crate::{BulkInsert, StoreError, StoredUsage, TenantId, WriteOutcome};
use rows::{borrowed, decode, postgres_params, COLUMNS};

const POOL_SIZE: usize = 16;

/// The PostgreSQL store.
pub struct PgStore {
    pool: Pool,
    limits: crate::StoreLimits,
    gate: crate::fair::TenantGate,
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
        })
    }

    pub async fn create(
        &self,
        tenant: TenantId,
        new: NewLicenseUsage,
    ) -> Result<StoredUsage, StoreError> {
        let usage = new.with_id(Uuid::new_v4());
        let details = encode(&usage)?;
        let client = self.pool.get().await?;
        client
            .execute(
                "INSERT INTO license_usage (tenant_id, id, snapshot_text, snapshot_ticks, details, version)
                 VALUES ($1, $2, $3, $4, CAST($5::text AS jsonb), 1)",
                &[
                    &tenant.to_string(),
                    &usage.id.to_string(),
                    &usage.snapshot_date_time.as_str(),
                    &usage.snapshot_date_time.ticks(),
                    &details,
                ],
            )
            .await?;
        Ok(StoredUsage { usage, version: 1 })
    }

    pub async fn insert_many(
        &self,
        tenant: TenantId,
        rows: Vec<LicenseUsage>,
    ) -> Result<BulkInsert, StoreError> {
        let mut client = self.pool.get().await?;
        let transaction = client.transaction().await?;
        let statement = transaction
            .prepare(
                "INSERT INTO license_usage (tenant_id, id, snapshot_text, snapshot_ticks, details, version)
                 VALUES ($1, $2, $3, $4, CAST($5::text AS jsonb), 1) ON CONFLICT DO NOTHING",
            )
            .await?;
        let tenant = tenant.to_string();
        let mut duplicates = Vec::new();
        for (index, usage) in rows.iter().enumerate() {
            let changed = transaction
                .execute(
                    &statement,
                    &[
                        &tenant,
                        &usage.id.to_string(),
                        &usage.snapshot_date_time.as_str(),
                        &usage.snapshot_date_time.ticks(),
                        &encode(usage)?,
                    ],
                )
                .await?;
            if changed == 0 {
                duplicates.push(index);
            }
        }
        transaction.commit().await?;
        Ok(BulkInsert {
            inserted: rows.len() - duplicates.len(),
            duplicates,
        })
    }

    pub async fn get(&self, tenant: TenantId, id: Uuid) -> Result<Option<StoredUsage>, StoreError> {
        let client = self.pool.get().await?;
        current(&client, tenant, id, false).await
    }

    pub async fn update(
        &self,
        tenant: TenantId,
        id: Uuid,
        patch: LicenseUsagePatch,
        precondition: Precondition,
    ) -> Result<WriteOutcome<StoredUsage>, StoreError> {
        let mut client = self.pool.get().await?;
        let transaction = client.transaction().await?;
        let locked = current(&transaction, tenant, id, true).await?;
        let stored = match decide_update(locked, patch, &precondition) {
            Decision::Answer(outcome) => return Ok(outcome),
            Decision::Write(stored) => stored,
        };
        transaction
            .execute(
                "UPDATE license_usage
                 SET snapshot_text = $3, snapshot_ticks = $4, details = CAST($5::text AS jsonb), version = $6
                 WHERE tenant_id = $1 AND id = $2",
                &[
                    &tenant.to_string(),
                    &id.to_string(),
                    &stored.usage.snapshot_date_time.as_str(),
                    &stored.usage.snapshot_date_time.ticks(),
                    &encode(&stored.usage)?,
                    &stored.version,
                ],
            )
            .await?;
        transaction.commit().await?;
        Ok(WriteOutcome::Done(stored))
    }

    pub async fn delete(
        &self,
        tenant: TenantId,
        id: Uuid,
        precondition: Precondition,
    ) -> Result<WriteOutcome<()>, StoreError> {
        let mut client = self.pool.get().await?;
        let transaction = client.transaction().await?;
        let locked = current(&transaction, tenant, id, true).await?;
        if let Decision::Answer(outcome) = decide_delete(locked, &precondition) {
            return Ok(outcome);
        }
        transaction
            .execute(
                "DELETE FROM license_usage WHERE tenant_id = $1 AND id = $2",
                &[&tenant.to_string(), &id.to_string()],
            )
            .await?;
        transaction.commit().await?;
        Ok(WriteOutcome::Done(()))
    }

    pub async fn list(&self, tenant: TenantId, query: ListQuery) -> Result<Page, StoreError> {
        let selection = select::where_clause(Dialect::Postgres, tenant, &query, true);
        let next_param = selection.params.len() + 1;
        let sql = format!(
            "SELECT {COLUMNS} FROM license_usage WHERE {} ORDER BY {} LIMIT ${next_param}::bigint OFFSET ${}::bigint",
            selection.sql,
            select::order_by(&query),
            next_param + 1
        );
        let mut params = postgres_params(selection.params);
        params.push(Box::new(query.page_size as i64 + 1));
        params.push(Box::new(i64::try_from(query.skip).unwrap_or(i64::MAX)));
        let client = deadline::Cancellable::new(self.pool.get().await?);
        let rows = client.query(&sql, &borrowed(&params)).await;
        client.done();
        let rows = rows?;
        let items = rows
            .iter()
            .map(|row| decode(row).map(ListedUsage::from))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Page::from_overfetched(items, &query))
    }

    pub async fn count(&self, tenant: TenantId, query: ListQuery) -> Result<u64, StoreError> {
        let selection = select::where_clause(Dialect::Postgres, tenant, &query, false);
        let sql = format!("SELECT COUNT(*) FROM license_usage WHERE {}", selection.sql);
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

fn encode(usage: &LicenseUsage) -> Result<String, StoreError> {
    serde_json::to_string(&usage.license_info_details)
        .map_err(|error| StoreError::Internal(error.to_string()))
}

/// The object as stored; with `lock`, its row stays locked until the transaction ends.
async fn current(
    client: &impl GenericClient,
    tenant: TenantId,
    id: Uuid,
    lock: bool,
) -> Result<Option<StoredUsage>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM license_usage WHERE tenant_id = $1 AND id = $2{}",
        if lock { " FOR UPDATE" } else { "" }
    );
    let row = client
        .query_opt(&sql, &[&tenant.to_string(), &id.to_string()])
        .await?;
    row.as_ref().map(decode).transpose()
}
