//! The directory on the embedded backend: a write is a script of [`crate::directory::script`]
//! run as one job of the single writer (so writes are serial, and group-committed with
//! everything else); reads on the reader pool.

use rusqlite::{params_from_iter, Connection};
use tally_model::directory::{Sku, User, UserKey};
use tally_odata::query::TypedExpr;

use super::rows::sqlite_params;
use super::writer::{Job, JobOutcome, WriteCommand};
use super::SqliteStore;
use crate::directory::statements::Statement;
use crate::directory::tx::{at_once, DirectoryTx, TxError};
use crate::directory::{decode_user, script, sql, DirectoryError, UserPage, UserQuery};
use crate::layout::RowAccess;
use crate::sql::{Dialect, SqlParam};
use crate::{StoreError, TenantId};

type Outcome<T> = Result<T, DirectoryError>;

/// The writer's connection, inside a job's savepoint, as a directory transaction.
pub(crate) struct SqliteTx<'c> {
    connection: &'c Connection,
}

impl DirectoryTx for SqliteTx<'_> {
    fn dialect(&self) -> Dialect {
        Dialect::Sqlite
    }

    fn lock_clause(&self) -> &'static str {
        ""
    }

    async fn execute(
        &mut self,
        statement: &Statement,
        params: Vec<SqlParam>,
    ) -> Result<u64, TxError> {
        let text = statement.render(Dialect::Sqlite);
        let params = params_from_iter(sqlite_params(params));
        // A one-off shape (a multi-row INSERT) is kept out of the connection's small cache.
        let changed = if statement.reusable {
            self.connection
                .prepare_cached(&text)
                .and_then(|mut prepared| prepared.execute(params))
        } else {
            self.connection
                .prepare(&text)
                .and_then(|mut prepared| prepared.execute(params))
        };
        Ok(changed.map_err(tx_error)? as u64)
    }

    async fn query<T>(
        &mut self,
        statement: &Statement,
        params: Vec<SqlParam>,
        decode: impl Fn(&dyn RowAccess) -> Result<T, StoreError>,
    ) -> Result<Vec<T>, StoreError> {
        let mut prepared = self
            .connection
            .prepare_cached(&statement.render(Dialect::Sqlite))?;
        let mut rows = prepared.query(params_from_iter(sqlite_params(params)))?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            out.push(decode(row)?);
        }
        Ok(out)
    }
}

/// A broken unique key (or primary key) is the script's to name.
fn tx_error(error: rusqlite::Error) -> TxError {
    let unique = [
        rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE,
        rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY,
    ];
    match &error {
        rusqlite::Error::SqliteFailure(failure, _) if unique.contains(&failure.extended_code) => {
            TxError::Duplicate
        }
        _ => TxError::Store(error.into()),
    }
}

impl SqliteStore {
    /// Runs `work` as one write of the writer thread, answered after its group commits.
    pub(super) async fn job<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Connection) -> Outcome<T> + Send + 'static,
    ) -> Outcome<T> {
        let answer = self
            .write(move |reply| {
                let job: Job = Box::new(move |connection| {
                    let result = match connection {
                        Ok(connection) => work(connection),
                        Err(error) => Err(error.into()),
                    };
                    JobOutcome {
                        failed: result.is_err(),
                        answer: Box::new(move |commit| {
                            drop(reply.send(commit.map(|()| result)));
                        }),
                    }
                });
                WriteCommand::Job(job)
            })
            .await?;
        answer
    }

    /// Runs a directory script as one job of the writer (a failed script leaves nothing).
    pub(crate) async fn transact<T: Send + 'static>(
        &self,
        script: impl AsyncFnOnce(&mut SqliteTx<'_>) -> Outcome<T> + Send + 'static,
    ) -> Outcome<T> {
        self.job(move |connection| at_once(script(&mut SqliteTx { connection }))?)
            .await
    }

    /// Runs a read-only script on a reader connection.
    pub(crate) async fn read_script<T: Send + 'static>(
        &self,
        tenant: TenantId,
        script: impl AsyncFn(&mut SqliteTx<'_>) -> Result<T, StoreError> + Send + Sync + 'static,
    ) -> Result<T, StoreError> {
        self.readers
            .run_for(Some(tenant), move |connection| {
                at_once(script(&mut SqliteTx { connection }))?
            })
            .await
    }

    pub async fn list_skus(&self, tenant: TenantId) -> Result<Vec<Sku>, StoreError> {
        self.readers
            .run_for(Some(tenant), move |connection| {
                at_once(script::read_skus(
                    &mut SqliteTx { connection },
                    tenant,
                    false,
                ))?
            })
            .await
    }

    pub async fn get_user(
        &self,
        tenant: TenantId,
        key: UserKey,
    ) -> Result<Option<User>, StoreError> {
        self.readers
            .run_for(Some(tenant), move |connection| {
                at_once(script::read_user(
                    &mut SqliteTx { connection },
                    tenant,
                    &key,
                    false,
                ))?
            })
            .await
    }

    pub async fn list_users(
        &self,
        tenant: TenantId,
        query: UserQuery,
    ) -> Result<UserPage, StoreError> {
        self.readers
            .run_for(Some(tenant), move |connection| {
                let built = sql::list_users(Dialect::Sqlite, tenant, &query);
                let mut statement = connection.prepare_cached(&built.sql)?;
                let mut rows = statement.query(params_from_iter(sqlite_params(built.params)))?;
                let mut items = Vec::with_capacity(query.page_size + 1);
                while let Some(row) = rows.next()? {
                    items.push(decode_user(row)?);
                }
                Ok(crate::directory::page(&query, items))
            })
            .await
    }

    pub async fn count_users(
        &self,
        tenant: TenantId,
        filter: Option<TypedExpr>,
    ) -> Result<u64, StoreError> {
        self.readers
            .run_for(Some(tenant), move |connection| {
                let built = sql::count_users(Dialect::Sqlite, tenant, filter.as_ref());
                let count: i64 = connection
                    .prepare_cached(&built.sql)?
                    .query_row(params_from_iter(sqlite_params(built.params)), |row| {
                        row.get(0)
                    })?;
                Ok(u64::try_from(count).unwrap_or(0))
            })
            .await
    }
}

impl SqliteStore {
    pub async fn directory_tenants(&self) -> Result<Vec<TenantId>, StoreError> {
        self.readers
            .run(move |connection| {
                let mut statement = connection.prepare_cached(crate::directory::TENANTS)?;
                let mut rows = statement.query([])?;
                let mut tenants = Vec::new();
                while let Some(row) = rows.next()? {
                    tenants.push(crate::directory::parse_tenant(&row.get::<_, String>(0)?)?);
                }
                Ok(tenants)
            })
            .await
    }
}
