//! Derived snapshots (SPEC §12.3): [`take`] counts one tenant's directory by the published rules
//! and stores the result as an azureADLicenseUsage snapshot through the ordinary create path. Both
//! `tally snapshot` (`commands/snapshot.rs`) and `tally serve --snapshot-daily` ([`daily`]) call
//! it, so the two cannot count differently. A tenant that has a snapshot in the same minute
//! already gets no second one.

pub mod daily;

use anyhow::Context;
use tally_model::directory::derive::Derivation;
use tally_model::parse_create;
use tally_model::resources::LICENSE_USAGE;
use tally_odata::edm::DateTimeOffset;
use tally_store::directory::UserQuery;
use tally_store::{ListQuery, Store, TenantId};

/// Users read per page while counting.
const PAGE: usize = 1000;

/// Takes one tenant's snapshot at `at`; `None` when the minute has one already.
pub async fn take(
    store: &Store,
    tenant: TenantId,
    at: &DateTimeOffset,
) -> anyhow::Result<Option<uuid::Uuid>> {
    if minute_taken(store, tenant, at).await? {
        return Ok(None);
    }
    let skus = store.list_skus(tenant).await?;
    let mut derivation = Derivation::new(&skus, at);
    let mut query = UserQuery {
        page_size: PAGE,
        // The rules read licenses, not the plans assigned through them.
        without_plans: true,
        ..UserQuery::default()
    };
    loop {
        let page = store.list_users(tenant, query.clone()).await?;
        for user in &page.items {
            derivation.add(user);
        }
        match page.next {
            Some(next) => query.after = Some(next),
            None => break,
        }
    }
    let body = derivation
        .body(at)
        .map_err(|message| anyhow::anyhow!(message))?;
    let new = parse_create(LICENSE_USAGE.entity, body.to_string().as_bytes())
        .map_err(|error| anyhow::anyhow!("the derived snapshot: {}", error.message))?;
    let stored = store
        .create(&LICENSE_USAGE, tenant, new)
        .await
        .context("storing the snapshot")?;
    Ok(Some(stored.entity.id))
}

/// Whether the tenant has a snapshot within the minute of `at` (UTC).
async fn minute_taken(
    store: &Store,
    tenant: TenantId,
    at: &DateTimeOffset,
) -> anyhow::Result<bool> {
    const MINUTE: i64 = 60 * 10_000_000;
    let start = at.ticks() - at.ticks().rem_euclid(MINUTE);
    let bound = |ticks: i64| DateTimeOffset::from_ticks(ticks).as_str().to_owned();
    let text = format!(
        "snapshotDateTime ge {} and snapshotDateTime lt {}",
        bound(start),
        bound(start + MINUTE)
    );
    let filter = tally_odata::query::filter(LICENSE_USAGE.entity, &text)
        .map_err(|error| anyhow::anyhow!("{error}"))?;
    let query = ListQuery {
        filter: Some(filter),
        ..ListQuery::default()
    };
    Ok(store.count(&LICENSE_USAGE, tenant, query).await? > 0)
}
