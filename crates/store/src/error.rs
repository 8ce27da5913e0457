//! What can go wrong in the store, sorted by what the client should be told.

/// A store failure. Bad input never reaches the store; these are the store's own troubles.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The store cannot serve now but may soon (closed, disk full, database unreachable): 503.
    #[error("the store is unavailable: {0}")]
    Unavailable(String),
    /// A read ran over its time budget (`--query-timeout`) and was stopped, or its client went
    /// away: 504. Retrying the same read as it is will not help.
    #[error("the read ran over its budget of {} ms", .0.as_millis())]
    Budget(std::time::Duration),
    /// A rule of the data refused the write (a unique property taken, a rule of
    /// [`tally_model::resources::StoreRule`]): 400 with this message, and nothing written.
    #[error("{0}")]
    Refused(String),
    /// A bug or corruption: 500, logged with its cause.
    #[error("store failure: {0}")]
    Internal(String),
}

impl From<rusqlite::Error> for StoreError {
    fn from(error: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode;
        match error.sqlite_error_code() {
            Some(
                ErrorCode::DiskFull
                | ErrorCode::ReadOnly
                | ErrorCode::DatabaseBusy
                | ErrorCode::CannotOpen,
            ) => StoreError::Unavailable(error.to_string()),
            _ => StoreError::Internal(error.to_string()),
        }
    }
}
