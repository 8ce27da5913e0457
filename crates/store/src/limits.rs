//! The stores' time limits (`tally serve --query-timeout`, `--database-timeout`).

use std::time::Duration;

/// How long store calls may take.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StoreLimits {
    /// A read (list, count) running longer is stopped: [`StoreError::Budget`](crate::StoreError).
    /// SQLite: its progress handler interrupts the statement; PostgreSQL: `statement_timeout`.
    pub query_timeout: Duration,
    /// PostgreSQL: connecting, waiting for a pooled connection, and any call that is not a
    /// list or count give up after this, as a database that does not answer (503).
    pub database_timeout: Duration,
}

impl Default for StoreLimits {
    fn default() -> Self {
        Self {
            query_timeout: Duration::from_secs(10),
            database_timeout: Duration::from_secs(3),
        }
    }
}

impl StoreLimits {
    /// For `tally import` and `export`: a batch of ten thousand rows, or a page of a big export
    /// on a loaded database, may take long, and there is no other client to protect.
    pub fn for_tools() -> Self {
        Self {
            query_timeout: Duration::from_secs(3600),
            database_timeout: Duration::from_secs(30),
        }
    }
}
