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
use crate::fair::TenantGate;
use crate::layout::Layout;
use crate::query::{ListQuery, Page};
use crate::sql::{select, Dialect};
use crate::{StoreError, TenantId};

/// SQLite calls the progress handler every this many virtual-machine instructions: a few
/// microseconds apart at most (a `json_each` over a row's details is the slowest step).
const STEPS_PER_CHECK: i32 = 100;
/// How long a read may hold a runtime thread: a report page of 100 objects takes a tenth of it.
const INLINE_LIMIT: Duration = Duration::from_millis(1);

/// When the read on one connection must stop, checked by SQLite's progress handler: at its
/// deadline, or when its caller has gone away (the request was cancelled).
struct Budget {
    /// Nanoseconds since [`Budget::epoch`]; `u64::MAX` for no limit.
    deadline: AtomicU64,
    exhausted: AtomicBool,
    epoch: Instant,
    /// The current read's number, and the number of the last read whose caller went away.
    run: AtomicU64,
    cancelled: AtomicU64,
}

impl Budget {
    fn new() -> Self {
        Self {
            deadline: AtomicU64::new(u64::MAX),
            exhausted: AtomicBool::new(false),
            epoch: Instant::now(),
            run: AtomicU64::new(1),
            cancelled: AtomicU64::new(0),
        }
    }

    fn now(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_nanos()).unwrap_or(u64::MAX)
    }

    /// Starts a read with this limit; answers its number.
    fn limit(&self, limit: Option<Duration>) -> u64 {
        let deadline = limit.map_or(u64::MAX, |limit| {
            self.now()
                .saturating_add(u64::try_from(limit.as_nanos()).unwrap_or(u64::MAX))
        });
        self.deadline.store(deadline, Ordering::Relaxed);
        self.exhausted.store(false, Ordering::Relaxed);
        self.run.fetch_add(1, Ordering::Relaxed) + 1
    }

    /// `true` interrupts the statement.
    fn check(&self) -> bool {
        if self.cancelled.load(Ordering::Relaxed) == self.run.load(Ordering::Relaxed) {
            return true;
        }
        let deadline = self.deadline.load(Ordering::Relaxed);
        if deadline == u64::MAX || self.now() < deadline {
            return false;
        }
        self.exhausted.store(true, Ordering::Relaxed);
        true
    }
}

/// Stops read number `run` on its connection when dropped before the read ended (its caller
/// went away); harmless after, since the connection's next read has another number.
struct CancelOnDrop {
    budget: Arc<Budget>,
    run: u64,
}

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.budget.cancelled.store(self.run, Ordering::Relaxed);
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
///
/// Long reads (those past the inline limit) are bounded three ways: each by the query budget
/// (`--query-timeout`, then [`StoreError::Budget`]); all together to one connection fewer than
/// there are, so a short read always finds one soon; and per tenant to half of them, so one
/// tenant's heavy filters leave readers to the others. A long read past those shares waits for
/// one without holding a connection, up to the budget, then gets a 503.
pub struct Readers {
    idle: Arc<Mutex<Vec<Reader>>>,
    available: Arc<Semaphore>,
    long_reads: Arc<Semaphore>,
    tenants: TenantGate,
    /// The query budget, in milliseconds.
    budget: AtomicU64,
}

impl Readers {
    pub fn new(connections: Vec<Connection>) -> Self {
        let count = connections.len();
        let available = Arc::new(Semaphore::new(count));
        Self {
            idle: Arc::new(Mutex::new(
                connections.into_iter().map(Reader::new).collect(),
            )),
            available,
            long_reads: Arc::new(Semaphore::new(count.saturating_sub(1).max(1))),
            tenants: TenantGate::new(count / 2),
            budget: AtomicU64::new(10_000),
        }
    }

    /// Sets the query budget of long reads.
    pub fn set_budget(&self, budget: Duration) {
        let millis = u64::try_from(budget.as_millis()).unwrap_or(u64::MAX).max(1);
        self.budget.store(millis, Ordering::Relaxed);
    }

    fn budget(&self) -> Duration {
        Duration::from_millis(self.budget.load(Ordering::Relaxed))
    }

    /// Runs `read` on a free connection: here, within the inline limit; a read that reaches it
    /// runs again from the start on the blocking pool.
    pub async fn run<T: Send + 'static>(
        &self,
        read: impl Fn(&Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        self.run_for(None, read).await
    }

    /// [`Readers::run`] on behalf of `tenant`, whose long reads take its share of the readers.
    pub async fn run_for<T: Send + 'static>(
        &self,
        tenant: Option<TenantId>,
        read: impl Fn(&Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        match self.run_inline(&read).await? {
            Some(result) => result,
            None => {
                tracing::debug!("a read reached its inline limit; again on the blocking pool");
                self.run_blocking(tenant, read).await
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

    /// Runs `read` on the blocking pool, within the query budget and the shares. The blocking
    /// task itself puts the connection back and only then frees its permits, so a caller that
    /// goes away mid-read (its client disconnected) loses no connection; its read is stopped.
    async fn run_blocking<T: Send + 'static>(
        &self,
        tenant: Option<TenantId>,
        read: impl FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let budget = self.budget();
        let share = match tenant {
            Some(tenant) => Some(self.tenants.enter(tenant, budget).await?),
            None => None,
        };
        let long_read = tokio::time::timeout(budget, self.long_reads.clone().acquire_owned())
            .await
            .map_err(|_| StoreError::Unavailable("every reader is busy with long reads".into()))?
            .map_err(|_| StoreError::Unavailable("the store is closed".into()))?;
        let permit = self
            .available
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| StoreError::Unavailable("the store is closed".into()))?;
        let idle = self.idle.clone();
        let reader = take(&idle)?;
        let run = reader.budget.limit(Some(budget));
        let _cancel = CancelOnDrop {
            budget: reader.budget.clone(),
            run,
        };
        tokio::task::spawn_blocking(move || {
            let result = read(&reader.connection);
            let exhausted = reader.budget.exhausted.load(Ordering::Relaxed);
            give_back(&idle, reader);
            drop((permit, long_read, share));
            match result {
                Err(_) if exhausted => Err(StoreError::Budget(budget)),
                result => result,
            }
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
