//! The embedded backend's readers: a few read-only connections used from Tokio's blocking pool,
//! and the list and count queries they run.

use std::sync::{Arc, Mutex};

use rusqlite::Connection;
use tokio::sync::Semaphore;

use super::rows::{self, COLUMNS};
use crate::query::{ListQuery, Page};
use crate::sql::{select, Dialect};
use crate::{StoreError, TenantId};

/// A fixed set of read connections; a caller waits for a free one.
pub struct Readers {
    idle: Arc<Mutex<Vec<Connection>>>,
    available: Arc<Semaphore>,
}

impl Readers {
    pub fn new(connections: Vec<Connection>) -> Self {
        let available = Arc::new(Semaphore::new(connections.len()));
        Self {
            idle: Arc::new(Mutex::new(connections)),
            available,
        }
    }

    /// Runs `read` on a free connection on the blocking pool. The blocking task itself puts the
    /// connection back and only then frees its permit, so a caller that goes away mid-read (its
    /// client disconnected) loses no connection.
    pub async fn run<T: Send + 'static>(
        &self,
        read: impl FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let permit = self
            .available
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| StoreError::Unavailable("the store is closed".into()))?;
        let idle = self.idle.clone();
        tokio::task::spawn_blocking(move || {
            let connection = idle
                .lock()
                .map_err(|_| StoreError::Internal("reader lock poisoned".into()))?
                .pop()
                .ok_or_else(|| StoreError::Internal("no idle reader despite a permit".into()))?;
            let result = read(&connection);
            if let Ok(mut idle) = idle.lock() {
                idle.push(connection);
            }
            drop(permit);
            result
        })
        .await
        .map_err(|error| StoreError::Internal(format!("reader task failed: {error}")))?
    }
}

impl Readers {
    /// Runs a short `read` (one row by key: tens of microseconds) on a free connection right
    /// here, on the calling runtime thread: handing it to the blocking pool cost more in thread
    /// wake-ups and context switches than the read itself (a third of a GET's time in a profile).
    /// Being synchronous, it cannot be interrupted half-way, so the connection always returns.
    pub async fn run_inline<T>(
        &self,
        read: impl FnOnce(&Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let _permit = self
            .available
            .acquire()
            .await
            .map_err(|_| StoreError::Unavailable("the store is closed".into()))?;
        let connection = self
            .idle
            .lock()
            .map_err(|_| StoreError::Internal("reader lock poisoned".into()))?
            .pop()
            .ok_or_else(|| StoreError::Internal("no idle reader despite a permit".into()))?;
        let result = read(&connection);
        if let Ok(mut idle) = self.idle.lock() {
            idle.push(connection);
        }
        result
    }
}

/// One page of `query` for `tenant`.
pub fn list(
    connection: &Connection,
    tenant: TenantId,
    query: &ListQuery,
) -> Result<Page, StoreError> {
    let selection = select::where_clause(Dialect::Sqlite, tenant, query, true);
    let sql = format!(
        "SELECT {COLUMNS} FROM license_usage WHERE {} ORDER BY {} LIMIT ? OFFSET ?",
        selection.sql,
        select::order_by(query)
    );
    let mut params = rows::sqlite_params(selection.params);
    // One more than the page: whether it exists says whether there is a next page.
    params.push(rusqlite::types::Value::Integer(query.page_size as i64 + 1));
    params.push(rusqlite::types::Value::Integer(
        i64::try_from(query.skip).unwrap_or(i64::MAX),
    ));
    let mut statement = connection.prepare_cached(&sql)?;
    let items = statement
        .query_map(rusqlite::params_from_iter(params), rows::decode)?
        .map(|row| row.map_err(StoreError::from).and_then(|item| item))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Page::from_overfetched(items, query))
}

/// How many objects of `tenant` the query selects, ignoring paging.
pub fn count(
    connection: &Connection,
    tenant: TenantId,
    query: &ListQuery,
) -> Result<u64, StoreError> {
    let selection = select::where_clause(Dialect::Sqlite, tenant, query, false);
    let sql = format!("SELECT COUNT(*) FROM license_usage WHERE {}", selection.sql);
    let params = rows::sqlite_params(selection.params);
    let count: i64 = connection
        .prepare_cached(&sql)?
        .query_row(rusqlite::params_from_iter(params), |row| row.get(0))?;
    Ok(u64::try_from(count).unwrap_or(0))
}
