//! The embedded backend's readers: a few read-only connections, and the list and count queries
//! they run.
//!
//! A read first runs right here, on the calling runtime thread, under a time limit of 1 ms;
//! almost every read (a key lookup, a report page) fits, and is spared the hand-off to another
//! thread, which cost more in wake-ups and context switches than the read itself (a third of a
//! GET, a quarter of a report page, in profiles). A read that reaches the limit (a filter that
//! scans a big tenant) is stopped by SQLite's progress handler and run again on Tokio's
//! blocking pool, so no runtime thread is held for long.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rusqlite::Connection;
use tokio::sync::Semaphore;

use super::rows;
use crate::layout::Layout;
use crate::query::{ListQuery, Page};
use crate::sql::{select, Dialect};
use crate::{StoreError, TenantId};

/// SQLite calls the progress handler every this many virtual-machine instructions: a few
/// microseconds apart at most (a `json_each` over a row's details is the slowest step).
const STEPS_PER_CHECK: i32 = 100;
/// How long a read may hold a runtime thread: a report page of 100 objects takes a tenth of it.
const INLINE_LIMIT: Duration = Duration::from_millis(1);

/// When the read on one connection must stop, checked by SQLite's progress handler.
struct Budget {
    /// Nanoseconds since [`Budget::epoch`]; `u64::MAX` for no limit.
    deadline: AtomicU64,
    exhausted: AtomicBool,
    epoch: Instant,
}

impl Budget {
    fn new() -> Self {
        Self {
            deadline: AtomicU64::new(u64::MAX),
            exhausted: AtomicBool::new(false),
            epoch: Instant::now(),
        }
    }

    fn now(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_nanos()).unwrap_or(u64::MAX)
    }

    fn limit(&self, limit: Option<Duration>) {
        let deadline = limit.map_or(u64::MAX, |limit| {
            self.now()
                .saturating_add(u64::try_from(limit.as_nanos()).unwrap_or(u64::MAX))
        });
        self.deadline.store(deadline, Ordering::Relaxed);
        self.exhausted.store(false, Ordering::Relaxed);
    }

    /// `true` interrupts the statement.
    fn check(&self) -> bool {
        let deadline = self.deadline.load(Ordering::Relaxed);
        if deadline == u64::MAX || self.now() < deadline {
            return false;
        }
        self.exhausted.store(true, Ordering::Relaxed);
        true
    }
}

struct Reader {
    connection: Connection,
    budget: Arc<Budget>,
}

impl Reader {
    fn new(connection: Connection) -> Self {
        let budget = Arc::new(Budget::new());
        let handler = budget.clone();
        connection.progress_handler(STEPS_PER_CHECK, Some(move || handler.check()));
        Self { connection, budget }
    }
}

/// A fixed set of read connections; a caller waits for a free one.
pub struct Readers {
    idle: Arc<Mutex<Vec<Reader>>>,
    available: Arc<Semaphore>,
}

impl Readers {
    pub fn new(connections: Vec<Connection>) -> Self {
        let available = Arc::new(Semaphore::new(connections.len()));
        Self {
            idle: Arc::new(Mutex::new(
                connections.into_iter().map(Reader::new).collect(),
            )),
            available,
        }
    }

    /// Runs `read` on a free connection: here, within the inline limit; a read that reaches it
    /// runs again from the start on the blocking pool.
    pub async fn run<T: Send + 'static>(
        &self,
        read: impl Fn(&Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        match self.run_inline(&read).await? {
            Some(result) => result,
            None => {
                tracing::debug!("a read reached its inline limit; again on the blocking pool");
                self.run_blocking(read).await
            }
        }
    }

    /// `None` when the read reached the limit (nothing to undo: readers only read).
    /// Being synchronous, it cannot be interrupted half-way, so the connection always returns.
    async fn run_inline<T>(
        &self,
        read: &impl Fn(&Connection) -> Result<T, StoreError>,
    ) -> Result<Option<Result<T, StoreError>>, StoreError> {
        let _permit = self
            .available
            .acquire()
            .await
            .map_err(|_| StoreError::Unavailable("the store is closed".into()))?;
        let reader = take(&self.idle)?;
        reader.budget.limit(Some(INLINE_LIMIT));
        let result = read(&reader.connection);
        let exhausted = reader.budget.exhausted.load(Ordering::Relaxed);
        give_back(&self.idle, reader);
        Ok(if exhausted && result.is_err() {
            None
        } else {
            Some(result)
        })
    }

    /// Runs `read` on the blocking pool, without a budget. The blocking task itself puts the
    /// connection back and only then frees its permit, so a caller that goes away mid-read (its
    /// client disconnected) loses no connection.
    async fn run_blocking<T: Send + 'static>(
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
            let reader = take(&idle)?;
            reader.budget.limit(None);
            let result = read(&reader.connection);
            give_back(&idle, reader);
            drop(permit);
            result
        })
        .await
        .map_err(|error| StoreError::Internal(format!("reader task failed: {error}")))?
    }
}

fn take(idle: &Mutex<Vec<Reader>>) -> Result<Reader, StoreError> {
    idle.lock()
        .map_err(|_| StoreError::Internal("reader lock poisoned".into()))?
        .pop()
        .ok_or_else(|| StoreError::Internal("no idle reader despite a permit".into()))
}

fn give_back(idle: &Mutex<Vec<Reader>>, reader: Reader) {
    if let Ok(mut idle) = idle.lock() {
        idle.push(reader);
    }
}

/// One page of `query` for `tenant`.
pub fn list(
    connection: &Connection,
    layout: &Layout,
    tenant: TenantId,
    query: &ListQuery,
) -> Result<Page, StoreError> {
    let def = layout.def;
    let selection = select::where_clause(Dialect::Sqlite, def, tenant, query, true);
    let sql = format!(
        "SELECT {} FROM {} WHERE {} ORDER BY {} LIMIT ? OFFSET ?",
        layout.select_list,
        layout.table(),
        selection.sql,
        select::order_by(def, query)
    );
    let mut params = rows::sqlite_params(selection.params);
    // One more than the page: whether it exists says whether there is a next page.
    params.push(rusqlite::types::Value::Integer(query.page_size as i64 + 1));
    params.push(rusqlite::types::Value::Integer(
        i64::try_from(query.skip).unwrap_or(i64::MAX),
    ));
    let mut statement = connection.prepare_cached(&sql)?;
    let mut items = Vec::with_capacity(query.page_size.saturating_add(1).min(1_024));
    let mut rows = statement.query(rusqlite::params_from_iter(params))?;
    while let Some(row) = rows.next()? {
        items.push(layout.decode(row, true)?);
    }
    Ok(Page::from_overfetched(def, items, query))
}

/// How many objects of `tenant` the query selects, ignoring paging.
pub fn count(
    connection: &Connection,
    layout: &Layout,
    tenant: TenantId,
    query: &ListQuery,
) -> Result<u64, StoreError> {
    let selection = select::where_clause(Dialect::Sqlite, layout.def, tenant, query, false);
    let sql = format!(
        "SELECT COUNT(*) FROM {} WHERE {}",
        layout.table(),
        selection.sql
    );
    let params = rows::sqlite_params(selection.params);
    let count: i64 = connection
        .prepare_cached(&sql)?
        .query_row(rusqlite::params_from_iter(params), |row| row.get(0))?;
    Ok(u64::try_from(count).unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use std::thread::{self, ThreadId};

    use super::*;

    /// Counts to `n` in SQL, reporting the thread it ran on.
    fn count_to(n: i64) -> impl Fn(&Connection) -> Result<(i64, ThreadId), StoreError> {
        move |connection| {
            let counted = connection.query_row(
                "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < ?1)
                 SELECT count(*) FROM c",
                [n],
                |row| row.get(0),
            )?;
            Ok((counted, thread::current().id()))
        }
    }

    fn readers() -> Readers {
        Readers::new(vec![Connection::open_in_memory().unwrap()])
    }

    /// Whether a short read runs on the calling thread. A few tries: on a busy machine one run
    /// may be preempted past the limit, but a connection left limited would fail every one.
    async fn short_reads_run_inline(readers: &Readers) -> bool {
        for _ in 0..20 {
            let (counted, ran_on) = readers.run(count_to(100)).await.unwrap();
            assert_eq!(counted, 100);
            if ran_on == thread::current().id() {
                return true;
            }
        }
        false
    }

    #[tokio::test(flavor = "current_thread")]
    async fn a_short_read_runs_on_the_calling_thread() {
        assert!(short_reads_run_inline(&readers()).await);
    }

    #[tokio::test(flavor = "current_thread")]
    async fn a_long_read_is_stopped_and_finished_on_the_blocking_pool() {
        let readers = readers();
        // Tens of milliseconds of SQL: far over the inline limit.
        let (counted, ran_on) = readers.run(count_to(3_000_000)).await.unwrap();
        assert_eq!(counted, 3_000_000);
        assert_ne!(ran_on, thread::current().id());
        // The connection came back without a limit left on it, and still answers inline.
        assert!(short_reads_run_inline(&readers).await);
    }

    #[tokio::test(flavor = "current_thread")]
    async fn an_error_that_is_not_the_limit_is_not_retried() {
        let attempts = Arc::new(AtomicU64::new(0));
        let counter = attempts.clone();
        let result: Result<(), StoreError> = readers()
            .run(move |connection| {
                counter.fetch_add(1, Ordering::Relaxed);
                connection.execute_batch("SELECT * FROM no_such_table")?;
                Ok(())
            })
            .await;
        assert!(result.is_err());
        assert_eq!(attempts.load(Ordering::Relaxed), 1);
    }
}
