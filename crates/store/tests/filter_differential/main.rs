//! Differential test: for random datasets and random well-formed `$filter`/`$orderby`, each
//! store backend answers exactly what an in-memory reference evaluator of OData's rules does.
//! One kind of collection per module, each with its own datasets, filters and reference:
//! - the reports ([`reports`]: every resource of `tally_model::resources::ALL`, objects, filters
//!   and orders built from the resources' descriptions, so a new resource is covered as soon as
//!   it is registered);
//! - the directory's users ([`users`]: not `ResourceDef`s; their filters are built from the user
//!   type and `filterable`, their licenses given through assignLicense). Another directory
//!   collection (groups, subscriptions) is a module of the same shape (`cases()`, `check()`,
//!   its defaults) and one more `run` in [`differential`].
//!
//! Each case fills a fresh tenant (and a decoy tenant) of one store, then for each of its reads
//! prints the random filter tree as OData text, parses and binds it again (text → parser →
//! binder → SQL), reads every page through keyset paging, and compares the ids, their order and
//! the count with the reference's. `TALLY_DIFF_CASES` sets the number of datasets of each kind
//! (else each kind's defaults, fewer on PostgreSQL, which runs only with
//! `TALLY_TEST_DATABASE_URL`).

mod reference;
mod reports;
mod strategies;
mod targeted;
mod users;
mod values;

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use tally_store::Store;
use uuid::Uuid;

#[test]
fn the_embedded_store_filters_and_orders_like_the_reference() {
    let directory = tempfile::tempdir().expect("a temporary directory");
    differential("embedded", false, |_| {
        Store::open_embedded(directory.path()).expect("the store opens")
    });
}

/// On PostgreSQL at `TALLY_TEST_DATABASE_URL` (as `.ci/run` sets it), in a schema of its own
/// that is dropped afterwards; skipped, loudly, without it.
#[test]
fn the_postgres_store_filters_and_orders_like_the_reference() {
    let Some(url) = std::env::var("TALLY_TEST_DATABASE_URL")
        .ok()
        .filter(|url| !url.is_empty())
    else {
        eprintln!("SKIPPED: needs PostgreSQL; set TALLY_TEST_DATABASE_URL (as .ci/run does)");
        return;
    };
    let schema = format!("tally_filter_differential_{}", Uuid::new_v4().simple());
    let separator = if url.contains('?') { '&' } else { '?' };
    let store_url = format!("{url}{separator}options=-csearch_path%3D{schema}");
    let admin = |runtime: &tokio::runtime::Runtime, sql: String| {
        runtime.block_on(async {
            let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
                .await
                .expect("PostgreSQL at TALLY_TEST_DATABASE_URL");
            let connection = tokio::spawn(connection);
            client.batch_execute(&sql).await.expect(&sql);
            drop(client);
            let _ = connection.await;
        })
    };
    differential("postgres", true, |runtime| {
        admin(runtime, format!("CREATE SCHEMA {schema}"));
        let store = runtime.block_on(Store::open_postgres(&store_url));
        store.expect("the PostgreSQL store opens")
    });
    let runtime = tokio::runtime::Runtime::new().expect("a Tokio runtime");
    admin(&runtime, format!("DROP SCHEMA {schema} CASCADE"));
}

/// The default number of datasets of a kind on each backend.
#[derive(Clone, Copy)]
struct Defaults {
    embedded: u32,
    postgres: u32,
}

/// What checking one dataset found: its collection, its reads, and how many of them matched
/// some but not all of its objects.
pub struct Checked {
    pub collection: &'static str,
    pub reads: u64,
    pub splitting: u64,
}

/// Runs every kind's cases on one store (`TALLY_DIFF_CASES` datasets of each kind if set, else
/// its defaults for `backend`), then the targeted checks; fails with every kind's first failure.
fn differential(
    backend: &str,
    postgres: bool,
    open: impl FnOnce(&tokio::runtime::Runtime) -> Store,
) {
    let cases = |defaults: Defaults| {
        let default = if postgres {
            defaults.postgres
        } else {
            defaults.embedded
        };
        std::env::var("TALLY_DIFF_CASES")
            .ok()
            .and_then(|text| text.parse().ok())
            .unwrap_or(default)
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a Tokio runtime");
    let store = Arc::new(open(&runtime));
    let reports = Defaults {
        embedded: reports::DEFAULT_CASES,
        postgres: reports::DEFAULT_POSTGRES_CASES,
    };
    let mut failures = Vec::new();
    let checked = run(backend, cases(reports), reports::cases(), |case| {
        reports::check(&runtime, &store, case)
    });
    match checked {
        Ok(()) => targeted::check(&runtime, &store),
        Err(error) => failures.push(error),
    }
    let users = Defaults {
        embedded: users::DEFAULT_CASES,
        postgres: users::DEFAULT_POSTGRES_CASES,
    };
    let checked = run(backend, cases(users), users::cases(), |case| {
        users::check(&runtime, &store, case)
    });
    failures.extend(checked.err());
    store.shutdown();
    if !failures.is_empty() {
        panic!("{backend}: {}", failures.join("\n\n"));
    }
}

/// Checks `cases` datasets drawn from `strategy` with `check`, and says what it ran.
fn run<S: Strategy>(
    backend: &str,
    cases: u32,
    strategy: S,
    check: impl Fn(S::Value) -> Result<Checked, TestCaseError>,
) -> Result<(), String> {
    let config = Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    };
    let (reads, splitting) = (Cell::new(0_u64), Cell::new(0_u64));
    let datasets = RefCell::new(BTreeMap::<&str, u64>::new());
    let started = Instant::now();
    let result = TestRunner::new(config).run(&strategy, |case| {
        let checked = check(case)?;
        *datasets.borrow_mut().entry(checked.collection).or_default() += 1;
        reads.set(reads.get() + checked.reads);
        splitting.set(splitting.get() + checked.splitting);
        Ok(())
    });
    let datasets = datasets.take();
    eprintln!(
        "filter_differential ({backend}): {} datasets ({datasets:?}) × {} reads (filter, orderby, \
         paging, count; {} of them matched some but not all objects) in {:.1?}",
        datasets.values().sum::<u64>(),
        reads.get(),
        splitting.get(),
        started.elapsed()
    );
    result.map_err(|error| error.to_string())
}

fn fail(error: impl std::fmt::Display) -> TestCaseError {
    TestCaseError::fail(error.to_string())
}
