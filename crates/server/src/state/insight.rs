//! The premium license insight's inputs, counted, per tenant, kept for as long as the tenant's
//! insight stamp is unchanged (the store's triggers raise it on every change of an input, by
//! any process): a read then costs one stamp lookup and a few binary searches. Each tenant
//! rebuilds under a lock of its own, so a burst of reads after a write counts its inputs once
//! (a read that waited for a rebuild takes its result: it counted every change made before the
//! read arrived) and another tenant's reads never wait for it; a read waits for its tenant's rebuild at most
//! the query budget (`--query-timeout`), then answers 504 as any read over budget.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tally_model::directory::insight::Usage;
use tally_store::{Store, StoreError, TenantId};

/// Tenants kept at most; past it the cache starts again (each entry is rebuilt on its next read).
const TENANTS_KEPT: usize = 1024;

/// One tenant's counted inputs and the lock its rebuilds take.
#[derive(Default)]
struct Entry {
    kept: Mutex<Option<(i64, Arc<Usage>)>>,
    rebuilding: tokio::sync::Mutex<()>,
}

impl Entry {
    /// What is kept, if it was counted at `stamp` or later (stamps only rise): it then holds
    /// every change made before the stamp was read.
    fn current(&self, stamp: i64) -> Option<Arc<Usage>> {
        let kept = self
            .kept
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        kept.as_ref()
            .filter(|(kept, _)| *kept >= stamp)
            .map(|(_, usage)| Arc::clone(usage))
    }
}

pub struct InsightCache {
    entries: Mutex<HashMap<TenantId, Arc<Entry>>>,
    /// How long a read waits for its tenant's rebuild (`--query-timeout`).
    budget: Duration,
}

impl Default for InsightCache {
    fn default() -> Self {
        Self::new(tally_store::StoreLimits::default().query_timeout)
    }
}

impl InsightCache {
    /// A cache whose reads wait at most `budget` for their tenant's rebuild.
    pub fn new(budget: Duration) -> Self {
        Self {
            entries: Mutex::default(),
            budget,
        }
    }

    /// The tenant's counted inputs, current as of this call.
    pub async fn usage(&self, store: &Store, tenant: TenantId) -> Result<Arc<Usage>, StoreError> {
        let stamp = store.insight_stamp(tenant).await?;
        let entry = self.entry(tenant);
        if let Some(usage) = entry.current(stamp) {
            return Ok(usage);
        }
        let Ok(_rebuilding) = tokio::time::timeout(self.budget, entry.rebuilding.lock()).await
        else {
            return Err(StoreError::Budget(self.budget));
        };
        // The rebuild this one waited for counted every change made before it arrived.
        if let Some(usage) = entry.current(stamp) {
            return Ok(usage);
        }
        let (counted, usage) = store.insight_usage(tenant).await?;
        let usage = Arc::new(usage);
        *entry
            .kept
            .lock()
            .unwrap_or_else(|poison| poison.into_inner()) = Some((counted, Arc::clone(&usage)));
        Ok(usage)
    }

    /// The tenant's entry, made if new.
    fn entry(&self, tenant: TenantId) -> Arc<Entry> {
        let mut entries = self
            .entries
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        if let Some(entry) = entries.get(&tenant) {
            return Arc::clone(entry);
        }
        if entries.len() >= TENANTS_KEPT {
            // Entries in use stay with their users; later reads make new ones.
            entries.clear();
        }
        Arc::clone(entries.entry(tenant).or_default())
    }
}
