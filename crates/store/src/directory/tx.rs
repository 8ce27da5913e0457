//! A directory transaction of either backend, as the one script of each write sees it: run a
//! [`Statement`], read rows back through [`RowAccess`], and lock what it reads where locking
//! means something. The backends differ only here (how they lock, how they report a broken
//! unique key); every rule and statement above this trait is written once.

use std::future::Future;
use std::task::{Context, Poll, Waker};

use super::statements::Statement;
use super::DirectoryError;
use crate::layout::RowAccess;
use crate::sql::{Dialect, SqlParam};
use crate::StoreError;

/// Why a statement of a directory transaction failed.
#[derive(Debug)]
pub(crate) enum TxError {
    /// A unique key refused the row (the scripts say which key that means to the client).
    Duplicate,
    Store(StoreError),
}

impl From<StoreError> for TxError {
    fn from(error: StoreError) -> Self {
        TxError::Store(error)
    }
}

impl From<TxError> for StoreError {
    fn from(error: TxError) -> Self {
        match error {
            TxError::Duplicate => StoreError::Internal("a unique key refused a row".into()),
            TxError::Store(error) => error,
        }
    }
}

impl From<TxError> for DirectoryError {
    fn from(error: TxError) -> Self {
        DirectoryError::Store(error.into())
    }
}

/// One open transaction (a writer job's savepoint on SQLite, a transaction on PostgreSQL). Its
/// futures carry no `Send` bound: SQLite's borrow a connection and never leave the writer
/// thread, PostgreSQL's are `Send` and the compiler sees so where the concrete type is known.
pub(crate) trait DirectoryTx {
    /// The dialect the statements are rendered in.
    fn dialect(&self) -> Dialect;

    /// Appended to a `SELECT` whose rows the transaction will change: `" FOR UPDATE"` on
    /// PostgreSQL (racing processes queue on the row), nothing on SQLite (its single writer
    /// already runs one transaction at a time).
    fn lock_clause(&self) -> &'static str;

    /// Runs a statement; the rows it changed.
    async fn execute(
        &mut self,
        statement: &Statement,
        params: Vec<SqlParam>,
    ) -> Result<u64, TxError>;

    /// Runs a query, each row decoded by `decode`.
    async fn query<T>(
        &mut self,
        statement: &Statement,
        params: Vec<SqlParam>,
        decode: impl Fn(&dyn RowAccess) -> Result<T, StoreError>,
    ) -> Result<Vec<T>, StoreError>;
}

/// The result of a future that never waits: a script run on SQLite's connection, whose every
/// statement answers at once. (No runtime: one poll with a waker nobody needs.)
pub(crate) fn at_once<T>(future: impl Future<Output = T>) -> Result<T, StoreError> {
    let mut future = std::pin::pin!(future);
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(value) => Ok(value),
        Poll::Pending => Err(StoreError::Internal(
            "a directory script waited on the embedded backend".into(),
        )),
    }
}

/// How long a PostgreSQL transaction may take (SQLite's writer job has its own bounds).
#[derive(Clone, Copy, Debug)]
pub(crate) enum Deadline {
    /// The call's deadline: an API write.
    Call,
    /// None: a bulk load that may run long (`tally import`, `tally collect`).
    Unbounded,
}

/// Runs a script of [`super::script`] in one transaction of `$store`'s backend: a job of
/// SQLite's writer, or a PostgreSQL transaction committed if the script succeeds. The script
/// is written once; this only names it for each backend's transaction type.
macro_rules! transact {
    ($store:expr, $deadline:expr, |$tx:ident| $script:expr) => {
        match $store {
            $crate::Store::Sqlite(store) => store.transact(async move |$tx| $script.await).await,
            $crate::Store::Postgres(store) => {
                store
                    .transact($deadline, async move |$tx| $script.await)
                    .await
            }
        }
    };
}
pub(crate) use transact;
