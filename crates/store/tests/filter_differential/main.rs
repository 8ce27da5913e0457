//! Differential test: for random datasets and random well-formed `$filter`/`$orderby`, each store
//! backend answers exactly what an in-memory reference evaluator of OData's rules does.
//!
//! Each case inserts 0–10 objects into a fresh tenant (and a decoy into another tenant) of one
//! store, then for each of its reads prints the random filter tree as OData text, parses and
//! binds it again (text → parser → binder → SQL), reads every page through keyset paging, and
//! compares the ids, their order and the count with the reference's. `TALLY_DIFF_CASES` sets the
//! number of datasets (defaults: [`DEFAULT_CASES`] embedded, [`DEFAULT_POSTGRES_CASES`] on
//! PostgreSQL, which runs only with `TALLY_TEST_DATABASE_URL`).

mod reference;
mod strategies;

use std::cell::Cell;
use std::sync::Arc;
use std::time::Instant;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use tally_model::LicenseUsage;
use tally_odata::query::{filter, orderby, SortDirection, SortProperty, LICENSE_TYPE_ENUM};
use tally_store::{ListQuery, OrderKey, OrderProperty, Store};
use tokio::task::JoinSet;
use uuid::Uuid;

use strategies::{Case, Read};

/// Datasets per run in CI (a debug build) on the embedded store; each carries 1–[`MAX_READS`]
/// reads. PostgreSQL commits each insert on its own, so it gets fewer.
const DEFAULT_CASES: u32 = 2_000;
const DEFAULT_POSTGRES_CASES: u32 = 500;
const MAX_READS: usize = 6;

#[test]
fn the_embedded_store_filters_and_orders_like_the_reference() {
    let directory = tempfile::tempdir().expect("a temporary directory");
    differential("embedded", DEFAULT_CASES, true, |_| {
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
    differential("postgres", DEFAULT_POSTGRES_CASES, true, |runtime| {
        admin(runtime, format!("CREATE SCHEMA {schema}"));
        let store = runtime.block_on(Store::open_postgres(&store_url));
        store.expect("the PostgreSQL store opens")
    });
    let runtime = tokio::runtime::Runtime::new().expect("a Tokio runtime");
    admin(&runtime, format!("DROP SCHEMA {schema} CASCADE"));
}

/// Runs the cases (`TALLY_DIFF_CASES` of them if set, else `default_cases`) on one store.
fn differential(
    backend: &str,
    default_cases: u32,
    id_in_lambdas: bool,
    open: impl FnOnce(&tokio::runtime::Runtime) -> Store,
) {
    let cases = std::env::var("TALLY_DIFF_CASES")
        .ok()
        .and_then(|text| text.parse().ok())
        .unwrap_or(default_cases);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a Tokio runtime");
    let store = Arc::new(open(&runtime));
    let config = Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    };
    let (datasets, reads, splitting) = (Cell::new(0_u64), Cell::new(0_u64), Cell::new(0_u64));
    let started = Instant::now();
    let result = TestRunner::new(config).run(&strategies::case(MAX_READS, id_in_lambdas), |case| {
        datasets.set(datasets.get() + 1);
        reads.set(reads.get() + case.reads.len() as u64);
        let split = runtime.block_on(check(&store, case))?;
        splitting.set(splitting.get() + split);
        Ok(())
    });
    store.shutdown();
    eprintln!(
        "filter_differential ({backend}): {} datasets × {} reads (filter, orderby, paging, count; \
         {} of them matched some but not all objects) in {:.1?}",
        datasets.get(),
        reads.get(),
        splitting.get(),
        started.elapsed()
    );
    if let Err(error) = result {
        panic!("{backend}: {error}");
    }
}

/// Inserts the case's objects concurrently (one group commit), then checks each read; answers
/// how many reads matched some but not all objects.
async fn check(store: &Arc<Store>, case: Case) -> Result<u64, TestCaseError> {
    let (tenant, decoy_tenant) = (Uuid::new_v4(), Uuid::new_v4());
    let mut inserts = JoinSet::new();
    let decoy_index = case.objects.len();
    for (index, object) in case.objects.into_iter().chain([case.decoy]).enumerate() {
        let store = Arc::clone(store);
        let owner = if index == decoy_index {
            decoy_tenant
        } else {
            tenant
        };
        inserts.spawn(async move { (index, store.create(owner, object).await) });
    }
    let mut stored: Vec<Option<LicenseUsage>> = vec![None; decoy_index + 1];
    while let Some(joined) = inserts.join_next().await {
        let (index, created) = joined.map_err(fail)?;
        stored[index] = Some(created.map_err(fail)?.usage);
    }
    let mut stored: Vec<LicenseUsage> = stored
        .into_iter()
        .map(|usage| usage.expect("every insert answered"))
        .collect();
    let decoy = stored.pop().expect("the decoy");
    // Placeholders resolve to the tenant's ids and, last, the decoy's.
    let ids: Vec<String> = stored
        .iter()
        .chain([&decoy])
        .map(|usage| usage.id.to_string())
        .collect();
    let mut splitting = 0;
    for read in case.reads {
        let matching = check_read(store, tenant, &stored, decoy.id, &ids, read).await?;
        splitting += u64::from(0 < matching && matching < stored.len());
    }
    Ok(splitting)
}

async fn check_read(
    store: &Store,
    tenant: Uuid,
    stored: &[LicenseUsage],
    decoy: Uuid,
    ids: &[String],
    read: Read,
) -> Result<usize, TestCaseError> {
    let generated = read.filter.map(|mut expr| {
        strategies::resolve_ids(&mut expr, ids);
        expr
    });
    // Through the text: what a client sends is what the store gets.
    let mut text = generated.as_ref().map(ToString::to_string);
    if read.plain_enums {
        // `'free'` for `microsoft.graph.azureADLicenseType'free'`: the same condition, though
        // where no license type is compared the binder keeps a string (`'free' eq null`).
        text = text.map(|text| text.replace(&format!("{LICENSE_TYPE_ENUM}'"), "'"));
    }
    let bound = match &text {
        Some(text) => Some(filter(text).map_err(|e| fail(format!("{text}: {e}")))?),
        None => None,
    };
    if !read.plain_enums {
        prop_assert_eq!(&bound, &generated, "Display → filter() changed the tree");
    }
    let order = order_keys(&read.orderby)?;

    let mut expected: Vec<&LicenseUsage> = stored
        .iter()
        .filter(|usage| {
            read.since_ticks
                .is_none_or(|since| usage.snapshot_date_time.ticks() >= since)
                && bound
                    .as_ref()
                    .is_none_or(|expr| reference::matches(expr, usage))
        })
        .collect();
    let matching = expected.len();
    reference::sort(&mut expected, &order);
    let expected: Vec<Uuid> = expected
        .iter()
        .skip(read.skip as usize)
        .map(|usage| usage.id)
        .collect();

    let mut query = ListQuery {
        since_ticks: read.since_ticks,
        filter: bound,
        order,
        skip: read.skip,
        page_size: read.page_size,
        ..ListQuery::default()
    };
    let count = store.count(tenant, query.clone()).await.map_err(fail)?;
    let mut actual = Vec::new();
    for _ in 0..=stored.len() + 1 {
        let page = store.list(tenant, query.clone()).await.map_err(fail)?;
        prop_assert!(page.items.len() <= read.page_size, "a page over its size");
        for item in page.items {
            let item = item.decode().map_err(fail)?;
            let sent = stored.iter().find(|usage| usage.id == item.usage.id);
            let same = sent.is_some_and(|sent| {
                sent.snapshot_date_time.as_str() == item.usage.snapshot_date_time.as_str()
                    && sent.license_info_details == item.usage.license_info_details
            });
            prop_assert!(same || item.usage.id == decoy, "{:?} changed", item.usage);
            actual.push(item.usage.id);
        }
        query.skip = 0;
        query.after = page.next;
        if query.after.is_none() {
            break;
        }
    }
    prop_assert!(query.after.is_none(), "paging did not end");
    let context = || {
        format!(
            "\n$filter={}\n$orderby={}\npage size {}, skip {}, since {:?}\ndataset:\n{}",
            text.as_deref().unwrap_or("(none)"),
            read.orderby,
            read.page_size,
            read.skip,
            read.since_ticks,
            describe(stored)
        )
    };
    prop_assert!(
        !actual.contains(&decoy),
        "another tenant's object{}",
        context()
    );
    prop_assert_eq!(
        &actual,
        &expected,
        "list differs from the reference{}",
        context()
    );
    prop_assert_eq!(
        count,
        matching as u64,
        "count differs from the reference{}",
        context()
    );
    Ok(matching)
}

/// A regression test for a bug this suite found: inside a lambda's
/// `SELECT 1 FROM json_each(details) AS d WHERE …`, a bare `id` named json_each's own `id` column
/// (an integer), not the object's id. `any(d: id eq '<its id>')` must match the object.
#[test]
fn id_inside_a_lambda_is_the_object_id() {
    let runtime = tokio::runtime::Runtime::new().expect("a Tokio runtime");
    let directory = tempfile::tempdir().expect("a temporary directory");
    let store = Store::open_embedded(directory.path()).expect("the store opens");
    let tenant = Uuid::new_v4();
    let new = tally_model::NewLicenseUsage {
        snapshot_date_time: tally_odata::DateTimeOffset::parse("2024-01-01T00:00:00Z")
            .expect("a DateTimeOffset"),
        license_info_details: vec![tally_model::LicenseInfoDetail {
            license_type: tally_model::LicenseType::Free,
            total_license_count: None,
            total_assigned_count: None,
            total_usage_count: None,
        }],
    };
    let id = runtime
        .block_on(store.create(tenant, new))
        .expect("created")
        .usage
        .id;
    for (text, expected) in [
        (format!("licenseInfoDetails/any(d: id eq '{id}')"), 1),
        (format!("licenseInfoDetails/all(d: id ne '{id}')"), 0),
    ] {
        let query = ListQuery {
            filter: Some(filter(&text).expect("binds")),
            ..ListQuery::default()
        };
        let count = runtime
            .block_on(store.count(tenant, query))
            .expect("counted");
        assert_eq!(count, expected, "$filter={text}");
    }
    store.shutdown();
}

/// `$orderby` text through the parser and binder, as the store's keys.
fn order_keys(text: &str) -> Result<Vec<OrderKey>, TestCaseError> {
    if text.is_empty() {
        return Ok(Vec::new());
    }
    let items = orderby(text).map_err(|e| fail(format!("$orderby={text}: {e}")))?;
    Ok(items
        .into_iter()
        .map(|item| OrderKey {
            property: match item.property {
                SortProperty::Id => OrderProperty::Id,
                SortProperty::SnapshotDateTime => OrderProperty::SnapshotDateTime,
            },
            descending: item.direction == SortDirection::Desc,
        })
        .collect())
}

fn describe(stored: &[LicenseUsage]) -> String {
    let lines: Vec<String> = stored
        .iter()
        .map(|usage| {
            let details = serde_json::to_string(&usage.license_info_details).unwrap_or_default();
            let snapshot = &usage.snapshot_date_time;
            format!(
                "  {} {snapshot} ({} ticks) {details}",
                usage.id,
                snapshot.ticks()
            )
        })
        .collect();
    lines.join("\n")
}

fn fail(error: impl std::fmt::Display) -> TestCaseError {
    TestCaseError::fail(error.to_string())
}
