//! The store's metrics, recorded through the `metrics` facade (the server renders them).

/// Writes per group commit of the embedded store's writer (one transaction, one fsync each).
pub const COMMIT_BATCH_SIZE: &str = "tally_store_commit_batch_size";

/// Registers the descriptions of the store's metrics with the installed recorder.
pub fn describe() {
    ::metrics::describe_histogram!(
        COMMIT_BATCH_SIZE,
        "Writes committed together in one transaction and one fsync by the embedded store."
    );
}

/// Records one group commit of `writes` writes.
pub(crate) fn record_commit(writes: usize) {
    ::metrics::histogram!(COMMIT_BATCH_SIZE).record(writes as f64);
}
