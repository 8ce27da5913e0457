//! Which store a test server uses. By default the embedded one; with `TALLY_TEST_BACKEND=memory`
//! the in-memory one (`--in-memory`); with
//! `TALLY_TEST_BACKEND=postgres`, every test server uses PostgreSQL at
//! `TALLY_TEST_DATABASE_URL`, each data directory in a schema of its own (so restarts on the
//! same directory find their data, and tests do not see each other's).

use std::hash::{Hash, Hasher};
use std::path::Path;

/// `TALLY_TEST_DATABASE_URL`, if set.
pub fn postgres_url() -> Option<String> {
    std::env::var("TALLY_TEST_DATABASE_URL")
        .ok()
        .filter(|url| !url.is_empty())
}

/// Whether the whole suite runs on PostgreSQL.
pub fn suite_on_postgres() -> bool {
    std::env::var("TALLY_TEST_BACKEND").is_ok_and(|backend| backend == "postgres")
}

/// Whether the suite runs on the in-memory store (`TALLY_TEST_BACKEND=memory`).
pub fn suite_in_memory() -> bool {
    std::env::var("TALLY_TEST_BACKEND").is_ok_and(|backend| backend == "memory")
}

/// For tests that need PostgreSQL: its URL, or a loud note that the test was skipped.
pub fn require_postgres(test: &str) -> Option<String> {
    let url = postgres_url();
    if url.is_none() {
        eprintln!(
            "SKIPPED {test}: it needs PostgreSQL; set TALLY_TEST_DATABASE_URL (as .ci/run does)"
        );
    }
    url
}

/// The `--database-url` of the suite's backend for a server on `data_dir`: its schema on
/// PostgreSQL, else none (the embedded store, or the in-memory one).
pub fn suite_url(data_dir: &Path) -> Option<String> {
    suite_on_postgres().then(|| {
        let base =
            postgres_url().expect("TALLY_TEST_BACKEND=postgres needs TALLY_TEST_DATABASE_URL");
        schema_url(&base, data_dir)
    })
}

/// The `--database-url` flags of the suite's backend for a command on `data_dir` (none unless on
/// PostgreSQL: the in-memory store has nothing another process could load into).
pub fn store_flags(data_dir: &Path) -> Vec<String> {
    match suite_url(data_dir) {
        Some(url) => vec!["--database-url".into(), url],
        None => Vec::new(),
    }
}

/// The `--database-url` for a server on `data_dir`: a schema named after the directory, created
/// if missing.
pub fn schema_url(base_url: &str, data_dir: &Path) -> String {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    data_dir.hash(&mut hasher);
    let schema = format!("tally_test_{:016x}", hasher.finish());
    run_sql(base_url, &format!("CREATE SCHEMA IF NOT EXISTS {schema}"));
    let separator = if base_url.contains('?') { '&' } else { '?' };
    format!("{base_url}{separator}options=-csearch_path%3D{schema}")
}

/// Runs one statement on its own thread and runtime (callers may be inside a Tokio runtime).
fn run_sql(url: &str, sql: &str) {
    let (url, sql) = (url.to_owned(), sql.to_owned());
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
                .await
                .unwrap_or_else(|error| panic!("cannot reach PostgreSQL at {url}: {error}"));
            tokio::spawn(connection);
            client.batch_execute(&sql).await.unwrap();
        });
    })
    .join()
    .unwrap();
}
